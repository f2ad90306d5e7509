//! Passkeys as the card (issue 12): activation with a one-time code from the municipality,
//! discoverable passkey sign-in for residents and staff, adding and removing passkeys. The
//! WebAuthn ceremonies are verified by `webauthn-rs`; between a ceremony's two requests its state
//! stays in the database (single use, five minutes), never in the browser.
//!
//! A passkey sign-in never goes through the password back-off: failed password attempts by a
//! stranger cannot keep the owner out. Activation codes do have a back-off of their own, keyed by
//! the number tried, and one answer for an unknown number, a wrong, used or expired code.

use super::clock::Clock;
use super::crypto::{self, NumberHasher, PasswordGate};
use super::signin_guard::{self as guard, Admission};
use crate::domain::activation::{self, ActivationCode, PasskeyView, SecurityView};
use crate::domain::my_number::MyNumber;
use crate::store::passkeys::{NewPasskey, Owner, Removal};
use crate::store::Db;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

/// How long a ceremony may take between its two requests.
pub const CEREMONY_SECS: i64 = 300;

/// Why a passkey step was refused. Each has a short code for the browser and the page.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// The number or the code is not one (shape), told at once.
    #[error("malformed input: {0}")]
    Malformed(&'static str),
    /// Unknown number, wrong, used or expired code: one answer for all.
    #[error("activation refused")]
    ActivationRefused,
    /// Too many wrong codes for this number: wait this many minutes.
    #[error("try later")]
    TryLater(u32),
    #[error("busy")]
    Busy,
    /// The ceremony is unknown, expired or already finished: start again.
    #[error("ceremony expired")]
    Expired,
    /// The browser's answer did not verify (wrong origin, no user verification, bad signature).
    #[error("not verified: {0}")]
    NotVerified(String),
    /// No account holds this passkey (removed, or never registered here).
    #[error("unknown passkey")]
    UnknownPasskey,
    /// This passkey is registered already.
    #[error("already registered")]
    AlreadyRegistered,
    /// Removing it would leave no way to sign in.
    #[error("last way in")]
    LastWayIn,
    #[error("not found")]
    NotFound,
    #[error("storage: {0}")]
    Store(#[from] sqlx::Error),
}

impl PasskeyError {
    /// The short code the browser and the pages use (`passkey.error.{code}` in the locales).
    pub fn code(&self) -> &'static str {
        match self {
            PasskeyError::Malformed(code) => code,
            PasskeyError::ActivationRefused => "activation_refused",
            PasskeyError::TryLater(_) => "try_later",
            PasskeyError::Busy => "busy",
            PasskeyError::Expired => "expired",
            PasskeyError::NotVerified(_) => "not_verified",
            PasskeyError::UnknownPasskey => "unknown_passkey",
            PasskeyError::AlreadyRegistered => "already_registered",
            PasskeyError::LastWayIn => "last_way_in",
            PasskeyError::NotFound => "not_found",
            PasskeyError::Store(_) => "unavailable",
        }
    }
}

/// A started ceremony: the token to send back with the browser's answer, and the options for
/// `navigator.credentials.create()` or `.get()` (WebAuthn JSON, binary fields base64url).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Challenge {
    pub ceremony: String,
    pub options: serde_json::Value,
}

/// A finished passkey sign-in.
#[derive(Debug, Clone)]
pub enum SignedIn {
    /// A resident: their new session token.
    Resident { token: String, account_id: i64 },
    /// A staff member: their new staff session token and role.
    Staff {
        token: String,
        staff_id: i64,
        role: crate::domain::reports::StaffRole,
    },
}

/// The relying party: who the passkeys belong to. `origin` is the portal's public address
/// (`https://portal.example.jp`); its host is the RP id. On `localhost` any port is accepted.
pub fn relying_party(origin: &str) -> anyhow::Result<Webauthn> {
    let url = Url::parse(origin)?;
    let host = url
        .host_str()
        .ok_or_else(|| anyhow::anyhow!("the public origin {origin} has no host"))?
        .to_string();
    anyhow::ensure!(
        host.parse::<std::net::IpAddr>().is_err(),
        "passkeys need a domain name, not an IP address: use http://localhost:PORT or the portal's domain"
    );
    Ok(WebauthnBuilder::new(&host, &url)?
        .rp_name("Myna Portal")
        .allow_any_port(host == "localhost")
        .build()?)
}

#[derive(Clone)]
pub struct PasskeyService {
    pub db: Db,
    pub hasher: NumberHasher,
    pub clock: Arc<dyn Clock>,
    pub gate: PasswordGate,
    pub webauthn: Arc<Webauthn>,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of an activation code: the SHA-256 of its canonical form (80 random bits, so
/// no key stretching is needed; its back-off limits guessing).
pub fn code_hash(code: &ActivationCode) -> Vec<u8> {
    Sha256::digest(code.as_str().as_bytes()).to_vec()
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, PasskeyError> {
    serde_json::to_value(v).map_err(|e| PasskeyError::NotVerified(e.to_string()))
}

/// The key of a number's activation back-off: apart from its password back-off, so wrong codes
/// never slow the owner's password, and wrong passwords never block activation.
fn activation_key(number_key: &[u8]) -> Vec<u8> {
    let mut k = b"activation:".to_vec();
    k.extend_from_slice(number_key);
    k
}

/// Issues a one-time activation code for the resident with this number (the municipality's
/// step; CLI today, administration pages later). Returns the code as printed on the letter and
/// when it expires, or `None` when no resident has the number. Only the code's SHA-256 is stored.
/// Needs no relying party: the code is not a passkey yet.
pub async fn issue_activation_code(
    db: &Db,
    hasher: &NumberHasher,
    now: i64,
    number: &MyNumber,
    issued_by: &str,
) -> Result<Option<(String, i64)>, PasskeyError> {
    use rand::RngCore;
    let Some(resident) = db.resident_by_number_hash(&hasher.hash(number)).await? else {
        return Ok(None);
    };
    let mut bytes = [0u8; 10];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let code = ActivationCode::from_random(bytes);
    let expires = now + activation::VALID_SECS;
    let id = db
        .insert_activation_code(resident.id, &code_hash(&code), issued_by, now, expires)
        .await?;
    super::audit::record(
        db,
        now,
        issued_by,
        "passkey.activation_code_issued",
        &format!("resident:{}", resident.id),
        &format!("code {id}, valid until {expires}"),
    )
    .await?;
    Ok(Some((code.display(), expires)))
}

impl PasskeyService {
    /// Issues a one-time activation code (see [`issue_activation_code`]).
    pub async fn issue_activation_code(
        &self,
        number: &MyNumber,
        issued_by: &str,
    ) -> Result<Option<(String, i64)>, PasskeyError> {
        issue_activation_code(&self.db, &self.hasher, self.clock.now(), number, issued_by).await
    }

    /// Step 1 of activation: the resident's number and code. On success, the options to
    /// create a passkey.
    pub async fn start_activation(
        &self,
        number: &str,
        code: &str,
    ) -> Result<Challenge, PasskeyError> {
        let number = MyNumber::parse(number).map_err(|e| {
            PasskeyError::Malformed(crate::domain::signin::SignInError::InvalidNumber(e).code())
        })?;
        let code = ActivationCode::parse(code).map_err(|e| match e {
            activation::CodeError::Empty => PasskeyError::Malformed("code_empty"),
            activation::CodeError::Malformed => PasskeyError::Malformed("code_malformed"),
        })?;
        let now = self.clock.now();
        let key = activation_key(&self.hasher.hash(&number));
        match guard::admit(&self.db, &self.gate, &key, now, "activation").await? {
            Admission::Check { permit, .. } => drop(permit),
            Admission::Wait(minutes) => return Err(PasskeyError::TryLater(minutes)),
            Admission::Busy => return Err(PasskeyError::Busy),
        }
        let resident = self
            .db
            .resident_by_number_hash(&self.hasher.hash(&number))
            .await?;
        let usable = match &resident {
            Some(r) => {
                self.db
                    .usable_activation_code(r.id, &code_hash(&code), now)
                    .await?
            }
            None => None,
        };
        let (Some(resident), Some(usable)) = (resident, usable) else {
            if let Some(detail) = guard::audit_summary(&self.db, &key, now).await? {
                self.audit(
                    "anonymous",
                    "passkey.activation_failures",
                    "resident:unknown",
                    &detail,
                )
                .await?;
            }
            return Err(PasskeyError::ActivationRefused);
        };
        self.db.clear_backoff(&key).await?;
        let account = self
            .db
            .account_by_number_hash(&self.hasher.hash(&number))
            .await?;
        let (handle, exclude) = match &account {
            Some(a) => {
                let owner = Owner::Account(a.id);
                let handle = self
                    .db
                    .passkey_handle(owner, &Uuid::new_v4().to_string())
                    .await?;
                (handle, self.credential_ids(owner).await?)
            }
            None => (Uuid::new_v4().to_string(), Vec::new()),
        };
        let subject = format!("{}:{}:{handle}", usable.id, resident.id);
        self.start_registration(&handle, &resident.name_kanji, exclude, "activate", &subject)
            .await
    }

    /// Step 2 of activation: the browser's new passkey. Spends the code, makes the account when
    /// there is none, stores the passkey and signs the resident in.
    pub async fn finish_activation(
        &self,
        ceremony: &str,
        credential: &RegisterPublicKeyCredential,
        label: &str,
    ) -> Result<SignedIn, PasskeyError> {
        let now = self.clock.now();
        let (subject, state) = self.take(ceremony, "activate", now).await?;
        let mut parts = subject.splitn(3, ':');
        let (Some(code_id), Some(resident_id), Some(handle)) = (
            parts.next().and_then(|s| s.parse::<i64>().ok()),
            parts.next().and_then(|s| s.parse::<i64>().ok()),
            parts.next(),
        ) else {
            return Err(PasskeyError::Expired);
        };
        let passkey = self.verify_registration(&state, credential).await?;
        let json = serde_json::to_string(&passkey)
            .map_err(|e| PasskeyError::NotVerified(e.to_string()))?;
        let cred_id = b64(passkey.cred_id().as_ref());
        let label = activation::passkey_label(label, "パスキー 1");
        let account_id = self
            .db
            .activate_with_passkey(
                code_id,
                resident_id,
                handle,
                &NewPasskey {
                    credential_id: &cred_id,
                    passkey: &json,
                    label: &label,
                },
                now,
            )
            .await?
            .ok_or(PasskeyError::ActivationRefused)?;
        let actor = format!("resident:{resident_id}");
        self.audit(
            &actor,
            "passkey.activated",
            &format!("account:{account_id}"),
            &format!("activation code {code_id} used; passkey registered"),
        )
        .await?;
        self.resident_session(account_id, &actor, "passkey (activation)")
            .await
    }

    /// Starts adding another passkey for a signed-in resident or staff member.
    pub async fn start_add(
        &self,
        owner: Owner,
        user_name: &str,
    ) -> Result<Challenge, PasskeyError> {
        let handle = self
            .db
            .passkey_handle(owner, &Uuid::new_v4().to_string())
            .await?;
        let exclude = self.credential_ids(owner).await?;
        let purpose = match owner {
            Owner::Account(_) => "add",
            Owner::Staff(_) => "staff_add",
        };
        self.start_registration(&handle, user_name, exclude, purpose, &owner.subject())
            .await
    }

    /// Finishes adding a passkey; only the owner who started the ceremony can finish it.
    pub async fn finish_add(
        &self,
        owner: Owner,
        ceremony: &str,
        credential: &RegisterPublicKeyCredential,
        label: &str,
    ) -> Result<i64, PasskeyError> {
        let now = self.clock.now();
        let purpose = match owner {
            Owner::Account(_) => "add",
            Owner::Staff(_) => "staff_add",
        };
        let (subject, state) = self.take(ceremony, purpose, now).await?;
        if subject != owner.subject() {
            return Err(PasskeyError::Expired);
        }
        let passkey = self.verify_registration(&state, credential).await?;
        let json = serde_json::to_string(&passkey)
            .map_err(|e| PasskeyError::NotVerified(e.to_string()))?;
        let cred_id = b64(passkey.cred_id().as_ref());
        let n = self.db.passkeys_of(owner).await?.len();
        let label = activation::passkey_label(label, &format!("パスキー {}", n + 1));
        let id = self
            .db
            .insert_passkey(
                owner,
                &NewPasskey {
                    credential_id: &cred_id,
                    passkey: &json,
                    label: &label,
                },
                now,
            )
            .await?;
        self.audit(
            &owner.subject(),
            "passkey.added",
            &owner.subject(),
            &format!("passkey {id}"),
        )
        .await?;
        Ok(id)
    }

    /// Starts a discoverable sign-in: the browser offers the passkeys it holds for this portal.
    pub async fn start_signin(&self, staff: bool) -> Result<Challenge, PasskeyError> {
        let (mut rcr, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(|e| PasskeyError::NotVerified(e.to_string()))?;
        // A button press, not the autofill prompt: the browser asks at once.
        rcr.mediation = None;
        let purpose = if staff { "staff_signin" } else { "signin" };
        self.store_ceremony(purpose, "", &state, to_json(&rcr)?)
            .await
    }

    /// Finishes a discoverable sign-in: identifies the passkey, verifies it (with user
    /// verification) and opens a session. Never touches the password back-off.
    pub async fn finish_signin(
        &self,
        staff: bool,
        ceremony: &str,
        credential: &PublicKeyCredential,
    ) -> Result<SignedIn, PasskeyError> {
        let now = self.clock.now();
        let purpose = if staff { "staff_signin" } else { "signin" };
        let (_, state) = self.take(ceremony, purpose, now).await?;
        let state: DiscoverableAuthentication =
            serde_json::from_str(&state).map_err(|_| PasskeyError::Expired)?;
        let (handle, cred_id) = self
            .webauthn
            .identify_discoverable_authentication(credential)
            .map_err(|e| PasskeyError::NotVerified(e.to_string()))?;
        let row = self
            .db
            .passkey_by_credential(&b64(cred_id))
            .await?
            .ok_or(PasskeyError::UnknownPasskey)?;
        let owner = row.owner().ok_or(PasskeyError::UnknownPasskey)?;
        // The user handle the authenticator gave must be the owner's, and of the right kind.
        if self.db.owner_by_handle(&handle.to_string(), staff).await? != Some(owner) {
            return Err(PasskeyError::UnknownPasskey);
        }
        let mut passkey: Passkey =
            serde_json::from_str(&row.passkey).map_err(|_| PasskeyError::UnknownPasskey)?;
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(credential, state, &passkey)
            .map_err(|e| PasskeyError::NotVerified(e.to_string()))?;
        let updated = match passkey.update_credential(&result) {
            Some(true) => serde_json::to_string(&passkey).ok(),
            _ => None,
        };
        self.db
            .passkey_used(row.id, updated.as_deref(), now)
            .await?;
        match owner {
            Owner::Account(account_id) => {
                let account = self
                    .db
                    .account(account_id)
                    .await?
                    .ok_or(PasskeyError::UnknownPasskey)?;
                let actor = format!("resident:{}", account.resident_id);
                // Password attempts by others are told to the owner, as after a password
                // sign-in; the back-off stays for whoever made them.
                if let Some(key) = self.db.number_hash_of(account.resident_id).await? {
                    if let Some((n, since)) = self.db.take_untold_failures(&key, now).await? {
                        guard::tell_owner(&self.db, account.resident_id, now, n, since).await?;
                    }
                }
                self.resident_session(account_id, &actor, "passkey").await
            }
            Owner::Staff(staff_id) => {
                let role = self
                    .db
                    .staff_by_id(staff_id)
                    .await?
                    .and_then(|s| crate::domain::reports::StaffRole::from_code(&s.role))
                    .ok_or(PasskeyError::UnknownPasskey)?;
                let (token, token_hash) = crypto::new_session_token();
                self.db
                    .create_staff_session(&token_hash, staff_id, now)
                    .await?;
                let actor = format!("staff:{staff_id}");
                self.audit(&actor, "staff_auth.signin_success", &actor, "passkey")
                    .await?;
                tracing::info!(staff = staff_id, "staff signed in with a passkey");
                Ok(SignedIn::Staff {
                    token,
                    staff_id,
                    role,
                })
            }
        }
    }

    /// The owner's passkeys, for the "sign-in and security" page.
    pub async fn security(&self, owner: Owner) -> Result<SecurityView, PasskeyError> {
        let passkeys = self
            .db
            .passkeys_of(owner)
            .await?
            .into_iter()
            .map(|r| PasskeyView {
                id: r.id,
                label: r.label,
                created_at: r.created_at,
                last_used_at: r.last_used_at,
            })
            .collect();
        Ok(SecurityView {
            passkeys,
            has_password: self.has_password(owner).await?,
        })
    }

    /// Whether the owner can also sign in with a password (residents made at activation cannot;
    /// staff always have password and TOTP, the fallback).
    async fn has_password(&self, owner: Owner) -> Result<bool, PasskeyError> {
        Ok(match owner {
            Owner::Account(id) => self
                .db
                .account(id)
                .await?
                .is_some_and(|a| !a.password_hash.is_empty()),
            Owner::Staff(_) => true,
        })
    }

    /// Removes one of the owner's passkeys (never the last way in of a passwordless account).
    pub async fn remove(&self, owner: Owner, passkey_id: i64) -> Result<(), PasskeyError> {
        let keep_last = !self.has_password(owner).await?;
        match self.db.remove_passkey(owner, passkey_id, keep_last).await? {
            Removal::NotFound => Err(PasskeyError::NotFound),
            Removal::LastWayIn => Err(PasskeyError::LastWayIn),
            Removal::Removed => {
                self.audit(
                    &owner.subject(),
                    "passkey.removed",
                    &owner.subject(),
                    &format!("passkey {passkey_id}"),
                )
                .await?;
                Ok(())
            }
        }
    }

    async fn credential_ids(&self, owner: Owner) -> Result<Vec<Vec<u8>>, PasskeyError> {
        Ok(self
            .db
            .passkeys_of(owner)
            .await?
            .iter()
            .filter_map(|r| serde_json::from_str::<Passkey>(&r.passkey).ok())
            .map(|p| AsRef::<[u8]>::as_ref(p.cred_id()).to_vec())
            .collect())
    }

    async fn start_registration(
        &self,
        handle: &str,
        user_name: &str,
        exclude: Vec<Vec<u8>>,
        purpose: &str,
        subject: &str,
    ) -> Result<Challenge, PasskeyError> {
        let uuid = Uuid::parse_str(handle).map_err(|_| PasskeyError::Expired)?;
        let exclude = (!exclude.is_empty()).then_some(exclude);
        let (ccr, state) = self
            .webauthn
            .start_passkey_registration(uuid, user_name, user_name, exclude)
            .map_err(|e| PasskeyError::NotVerified(e.to_string()))?;
        let mut options = to_json(&ccr)?;
        // A discoverable credential (the resident signs in without typing their number), with
        // user verification (the PIN or biometrics that make it the card, not just a key).
        if let Some(sel) = options.pointer_mut("/publicKey/authenticatorSelection") {
            sel["residentKey"] = "required".into();
            sel["requireResidentKey"] = true.into();
            sel["userVerification"] = "required".into();
        }
        self.store_ceremony(purpose, subject, &state, options).await
    }

    async fn verify_registration(
        &self,
        state: &str,
        credential: &RegisterPublicKeyCredential,
    ) -> Result<Passkey, PasskeyError> {
        let state: PasskeyRegistration =
            serde_json::from_str(state).map_err(|_| PasskeyError::Expired)?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(credential, &state)
            .map_err(|e| PasskeyError::NotVerified(e.to_string()))?;
        let cred_id = b64(passkey.cred_id().as_ref());
        if self.db.passkey_by_credential(&cred_id).await?.is_some() {
            return Err(PasskeyError::AlreadyRegistered);
        }
        Ok(passkey)
    }

    async fn store_ceremony<S: serde::Serialize>(
        &self,
        purpose: &str,
        subject: &str,
        state: &S,
        options: serde_json::Value,
    ) -> Result<Challenge, PasskeyError> {
        let now = self.clock.now();
        let state =
            serde_json::to_string(state).map_err(|e| PasskeyError::NotVerified(e.to_string()))?;
        let (token, token_hash) = crypto::new_session_token();
        self.db
            .insert_ceremony(
                &token_hash,
                purpose,
                subject,
                &state,
                now + CEREMONY_SECS,
                now,
            )
            .await?;
        Ok(Challenge {
            ceremony: token,
            options,
        })
    }

    async fn take(
        &self,
        ceremony: &str,
        purpose: &str,
        now: i64,
    ) -> Result<(String, String), PasskeyError> {
        let hash = crypto::presented_token_hash(ceremony).ok_or(PasskeyError::Expired)?;
        self.db
            .take_ceremony(&hash, purpose, now)
            .await?
            .ok_or(PasskeyError::Expired)
    }

    async fn resident_session(
        &self,
        account_id: i64,
        actor: &str,
        how: &str,
    ) -> Result<SignedIn, PasskeyError> {
        let (token, token_hash) = crypto::new_session_token();
        self.db
            .create_session(&token_hash, account_id, self.clock.now())
            .await?;
        self.audit(
            actor,
            "auth.signin_success",
            &format!("account:{account_id}"),
            how,
        )
        .await?;
        tracing::info!(account = account_id, "resident signed in with a passkey");
        Ok(SignedIn::Resident { token, account_id })
    }

    async fn audit(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<i64, sqlx::Error> {
        super::audit::record(&self.db, self.clock.now(), actor, action, subject, detail).await
    }
}
