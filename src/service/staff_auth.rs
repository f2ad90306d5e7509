//! Staff sign-in: username, password and a TOTP code (RFC 6238: HMAC-SHA1, 30-second steps,
//! 6 digits, one step of drift either way). A staff session exists only after both factors; a
//! code is accepted once. Every sign-in and sign-out is audited; failures go through the same
//! back-off as residents' (keyed by username) and are summarised in the audit log.

use super::clock::Clock;
use super::crypto::{self, NumberHasher, PasswordGate};
use super::signin_guard::{self as guard, Admission};
use crate::domain::reports::StaffRole;
use crate::domain::signin::{self, MAX_PASSWORD_LEN};
use crate::store::Db;
use std::sync::Arc;
use totp_rs::{Algorithm, Secret, TOTP};

/// A signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSession {
    pub staff_id: i64,
    pub role: StaffRole,
    pub institution_id: Option<i64>,
    pub display_name: String,
}

/// Why a staff sign-in was refused (the code goes into the redirect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffSignInError {
    /// Unknown user, wrong password or wrong code: one answer for all.
    BadCredentials,
    CodeRequired,
    /// Too many attempts on this username: try again after this many minutes.
    TryLater(u32),
}

impl StaffSignInError {
    pub fn code(self) -> &'static str {
        match self {
            StaffSignInError::BadCredentials => "bad_credentials",
            StaffSignInError::CodeRequired => "code_required",
            StaffSignInError::TryLater(_) => "try_later",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StaffAuthError {
    #[error("sign-in refused: {0:?}")]
    SignIn(StaffSignInError),
    /// Too many password checks under way: answered 503 with `Retry-After`.
    #[error("busy")]
    Busy,
    #[error("storage: {0}")]
    Store(#[from] sqlx::Error),
}

pub const TOTP_STEP: u64 = 30;

fn totp(secret_base32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, TOTP_STEP, bytes).ok()
}

/// A new random TOTP secret (160 bits, base32), for enrolling an authenticator app.
pub fn new_totp_secret() -> String {
    use rand::RngCore;
    let mut b = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut b);
    Secret::Raw(b.to_vec()).to_encoded().to_string()
}

/// The code an authenticator shows for `secret` at `unix` time (for the demo CLI and tests).
pub fn totp_code(secret_base32: &str, unix: i64) -> Option<String> {
    Some(totp(secret_base32)?.generate(unix.max(0) as u64))
}

/// The time step a code belongs to, if it is valid at `now` (±1 step).
pub fn matching_step(secret_base32: &str, code: &str, now: i64) -> Option<i64> {
    let t = totp(secret_base32)?;
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step = now / TOTP_STEP as i64;
    [step - 1, step, step + 1].into_iter().find(|s| {
        *s >= 0
            && crypto::constant_time_eq(
                t.generate(*s as u64 * TOTP_STEP).as_bytes(),
                code.as_bytes(),
            )
    })
}

/// A staff account an administrator creates.
#[derive(Debug, Clone)]
pub struct NewStaffAccount {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// The official code of a caseworker's institution.
    pub institution_code: Option<String>,
    pub password: String,
}

/// Shortest staff password accepted.
pub const MIN_STAFF_PASSWORD: usize = 12;

#[derive(Clone)]
pub struct StaffAuthService {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// Keys the back-off of each username tried.
    pub hasher: NumberHasher,
    pub gate: PasswordGate,
}

impl StaffAuthService {
    /// Signs a staff member in with all three factors; returns the session token.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        code: &str,
    ) -> Result<(String, StaffRole), StaffAuthError> {
        use StaffSignInError::*;
        let username = username.trim();
        if username.is_empty() || password.is_empty() || password.len() > MAX_PASSWORD_LEN {
            return Err(StaffAuthError::SignIn(BadCredentials));
        }
        if code.trim().is_empty() {
            return Err(StaffAuthError::SignIn(CodeRequired));
        }
        let now = self.clock.now();
        // Every username tried, real or not, goes through the same back-off and argon2 work.
        let key = self.hasher.staff_key(username);
        let (permit, after) = match guard::admit(&self.db, &self.gate, &key, now, "staff").await? {
            Admission::Check { permit, after } => (permit, after),
            Admission::Wait(minutes) => {
                self.audit_failures(&key, username, now).await?;
                return Err(StaffAuthError::SignIn(TryLater(minutes)));
            }
            Admission::Busy => return Err(StaffAuthError::Busy),
        };
        let staff = self.db.staff_by_username(username).await?;
        let phc = staff
            .as_ref()
            .map_or(crypto::dummy_hash(), |s| s.password_hash.as_str());
        let password_ok = self.gate.verify(permit, password, phc).await;
        let accepted = match (&staff, password_ok) {
            (Some(staff), true) => match matching_step(&staff.totp_secret, code, now) {
                Some(step) => self.db.use_totp_step(staff.id, step).await?,
                None => false,
            },
            _ => false,
        };
        let Some(staff) = staff.filter(|_| accepted) else {
            self.audit_failures(&key, username, now).await?;
            return Err(StaffAuthError::SignIn(
                match guard::answer_after_failure(after, now, "staff") {
                    Some(minutes) => TryLater(minutes),
                    None => BadCredentials,
                },
            ));
        };
        let actor = format!("staff:{}", staff.id);
        let failed = self
            .db
            .clear_backoff(&key)
            .await?
            .map(|(n, since)| (n - 1, since))
            .filter(|(n, _)| *n > 0);
        let role =
            StaffRole::from_code(&staff.role).ok_or(StaffAuthError::SignIn(BadCredentials))?;
        let (token, token_hash) = crypto::new_session_token();
        self.db
            .create_staff_session(&token_hash, staff.id, now)
            .await?;
        let detail = match failed {
            Some((n, since)) => {
                format!("password and TOTP, after {n} failed or refused attempt(s) since {since}")
            }
            None => "password and TOTP".to_string(),
        };
        self.audit(&actor, "staff_auth.signin_success", &actor, &detail)
            .await?;
        tracing::info!(staff = staff.id, "staff signed in");
        Ok((token, role))
    }

    /// Creates (or replaces the credentials of) a staff account and returns its new TOTP
    /// secret, to be enrolled in an authenticator app. A caseworker must belong to an
    /// institution; other roles must not. Audited as the administrator's action.
    pub async fn create_account(
        &self,
        a: &NewStaffAccount,
        by: &str,
    ) -> Result<String, anyhow::Error> {
        let username = a.username.trim();
        anyhow::ensure!(
            (3..=32).contains(&username.len())
                && username.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'_'
                    || b == b'-'),
            "a username is 3 to 32 characters: a-z, 0-9, _ and -"
        );
        anyhow::ensure!(
            !a.display_name.trim().is_empty(),
            "a display name is required"
        );
        let role = StaffRole::from_code(a.role.trim()).ok_or_else(|| {
            anyhow::anyhow!("role is one of helpdesk, caseworker, supervisor, administrator")
        })?;
        anyhow::ensure!(
            a.password.chars().count() >= MIN_STAFF_PASSWORD
                && a.password.len() <= MAX_PASSWORD_LEN,
            "a staff password has {MIN_STAFF_PASSWORD} to {MAX_PASSWORD_LEN} characters"
        );
        let institution_id = match (role, a.institution_code.as_deref().map(str::trim)) {
            (StaffRole::Caseworker, Some(code)) if !code.is_empty() => Some(
                self.db
                    .institution_by_code(code)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("no institution has the code {code}"))?,
            ),
            (StaffRole::Caseworker, _) => anyhow::bail!("a caseworker needs --institution-code"),
            (_, Some(code)) if !code.is_empty() => {
                anyhow::bail!("only caseworkers belong to an institution")
            }
            _ => None,
        };
        let secret = new_totp_secret();
        let password = a.password.clone();
        let hash = tokio::task::spawn_blocking(move || crypto::hash_password(&password)).await?;
        let id = self
            .db
            .upsert_staff(
                &crate::store::staff::NewStaff {
                    username,
                    display_name: a.display_name.trim(),
                    role: role.code(),
                    institution_id,
                    password_hash: &hash,
                    totp_secret: &secret,
                },
                self.clock.now(),
            )
            .await?;
        self.audit(
            by,
            "staff_auth.account_created",
            &format!("staff:{id}"),
            &format!("role={}", role.code()),
        )
        .await?;
        Ok(secret)
    }

    /// The staff member behind a session token, if still valid (same timeouts as residents').
    pub async fn session(&self, token: &str) -> Result<Option<StaffSession>, sqlx::Error> {
        let Some(hash) = crypto::presented_token_hash(token) else {
            return Ok(None);
        };
        let Some(row) = self.db.staff_session(&hash).await? else {
            return Ok(None);
        };
        let now = self.clock.now();
        if signin::session_state(row.created_at, row.last_seen_at, now).is_err() {
            self.db.delete_staff_session(&hash).await?;
            return Ok(None);
        }
        let Some(role) = StaffRole::from_code(&row.role) else {
            return Ok(None);
        };
        if signin::needs_touch(row.last_seen_at, now) {
            self.db.touch_staff_session(&hash, now).await?;
        }
        Ok(Some(StaffSession {
            staff_id: row.staff_id,
            role,
            institution_id: row.institution_id,
            display_name: row.display_name,
        }))
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), sqlx::Error> {
        let hash = crypto::token_hash(token);
        if let Some(s) = self.db.staff_session(&hash).await? {
            self.db.delete_staff_session(&hash).await?;
            let actor = format!("staff:{}", s.staff_id);
            self.audit(&actor, "staff_auth.signout", &actor, "").await?;
        }
        Ok(())
    }

    /// The username's summary entry in the audit log, when its window is open.
    async fn audit_failures(
        &self,
        key: &[u8],
        username: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        if let Some(detail) = guard::audit_summary(&self.db, key, now).await? {
            let subject = match self.db.staff_by_username(username).await? {
                Some(s) => format!("staff:{}", s.id),
                None => "staff:unknown".to_string(),
            };
            self.audit("anonymous", "staff_auth.signin_failures", &subject, &detail)
                .await?;
        }
        Ok(())
    }

    /// Clears the back-off of a username (staff action at the office). Returns whether the
    /// username has an account.
    pub async fn unlock(&self, username: &str) -> Result<bool, sqlx::Error> {
        let key = self.hasher.staff_key(username);
        let cleared = self.db.clear_backoff(&key).await?;
        let Some(staff) = self.db.staff_by_username(username.trim()).await? else {
            return Ok(false);
        };
        let subject = format!("staff:{}", staff.id);
        let detail = format!(
            "identity checked; {} attempt(s) cleared",
            cleared.map_or(0, |(n, _)| n)
        );
        self.audit(
            "staff:cli",
            "staff_auth.account_unlocked",
            &subject,
            &detail,
        )
        .await?;
        Ok(true)
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

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B: the SHA-1 seed "12345678901234567890".
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_follow_rfc_6238() {
        // T = 59 s gives 94287082 in 8 digits; the 6-digit code is its last six.
        assert_eq!(totp_code(RFC_SECRET, 59).as_deref(), Some("287082"));
        assert_eq!(
            totp_code(RFC_SECRET, 1_111_111_109).as_deref(),
            Some("081804")
        );
    }

    #[test]
    fn a_code_matches_its_step_and_its_neighbours_only() {
        let now = 1_800_000_000;
        let code = totp_code(RFC_SECRET, now).unwrap();
        assert_eq!(matching_step(RFC_SECRET, &code, now), Some(now / 30));
        assert_eq!(matching_step(RFC_SECRET, &code, now + 30), Some(now / 30));
        assert_eq!(matching_step(RFC_SECRET, &code, now + 90), None);
        assert_eq!(matching_step(RFC_SECRET, "12345", now), None);
        assert_eq!(matching_step(RFC_SECRET, "abcdef", now), None);
    }

    #[test]
    fn new_secrets_are_usable() {
        let s = new_totp_secret();
        assert_eq!(s.len(), 32);
        assert!(totp_code(&s, 0).is_some());
    }
}
