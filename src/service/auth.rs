//! Resident sign-in, back-off and sessions. Every sign-in, unlock and sign-out is written to the
//! audit trail before it is answered; failures are summarised there at most once per number per
//! 15 minutes (`signin_guard`).

use super::clock::Clock;
use super::crypto::{self, NumberHasher, PasswordGate};
use super::signin_guard::{self as guard, Admission};
use crate::domain::signin::{self, SignInError};
use crate::store::residents::ResidentRow;
use crate::store::sessions::SessionRow;
use crate::store::Db;
use std::sync::Arc;

/// A signed-in resident, as known from a valid session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResidentSession {
    pub account_id: i64,
    pub resident_id: i64,
}

/// A signed-in resident with their register entry and unread notices, for a page render.
#[derive(Debug, Clone)]
pub struct PageSession {
    pub resident: ResidentSession,
    pub register: Arc<ResidentRow>,
    pub unread: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("sign-in refused: {0:?}")]
    SignIn(SignInError),
    /// Too many password checks under way: answered 503 with `Retry-After`.
    #[error("busy")]
    Busy,
    #[error("storage: {0}")]
    Store(#[from] sqlx::Error),
}

#[derive(Clone)]
pub struct AuthService {
    pub db: Db,
    pub hasher: NumberHasher,
    pub clock: Arc<dyn Clock>,
    pub gate: PasswordGate,
}

impl AuthService {
    /// Signs a resident in with their My Number and password. Returns the session token for the
    /// cookie. Every number tried, with an account or not, goes through the same back-off and
    /// the same argon2 work, so no answer tells whether the number has an account.
    pub async fn sign_in(&self, my_number: &str, password: &str) -> Result<String, AuthError> {
        let number = signin::validate_form(my_number, password).map_err(AuthError::SignIn)?;
        let key = self.hasher.hash(&number);
        let now = self.clock.now();
        let (permit, after) =
            match guard::admit(&self.db, &self.gate, &key, now, "resident").await? {
                Admission::Check { permit, after } => (permit, after),
                Admission::Wait(minutes) => {
                    self.audit_failures(&key, now).await?;
                    return Err(AuthError::SignIn(SignInError::TryLater(minutes)));
                }
                Admission::Busy => return Err(AuthError::Busy),
            };
        let account = self.db.account_by_number_hash(&key).await?;
        // An account made at passkey activation has no password (an empty hash): it is checked
        // against the dummy hash like an unknown number, and never accepted.
        let own = account
            .as_ref()
            .map(|a| a.password_hash.as_str())
            .filter(|h| !h.is_empty());
        let verified = self
            .gate
            .verify(permit, password, own.unwrap_or(crypto::dummy_hash()))
            .await
            && own.is_some();
        let Some(account) = account.filter(|_| verified) else {
            self.audit_failures(&key, now).await?;
            return Err(AuthError::SignIn(
                match guard::answer_after_failure(after, now, "resident") {
                    Some(minutes) => SignInError::TryLater(minutes),
                    None => SignInError::BadCredentials,
                },
            ));
        };
        // This attempt was counted until it proved right: the others are what the owner is told.
        let failed = self
            .db
            .clear_backoff(&key)
            .await?
            .map(|(n, since)| (n - 1, since))
            .filter(|(n, _)| *n > 0);
        let actor = format!("resident:{}", account.resident_id);
        let subject = format!("account:{}", account.id);
        let (token, token_hash) = crypto::new_session_token();
        self.db.create_session(&token_hash, account.id, now).await?;
        let detail = match failed {
            Some((n, since)) => {
                guard::tell_owner(&self.db, account.resident_id, now, n, since).await?;
                format!("after {n} failed or refused attempt(s) since {since}; resident told")
            }
            None => String::new(),
        };
        self.audit(&actor, "auth.signin_success", &subject, &detail)
            .await?;
        tracing::info!(account = account.id, "resident signed in");
        Ok(token)
    }

    /// Housekeeping: forgets sign-in back-off rows (residents' and staff's) untouched for
    /// [`signin::BACKOFF_KEEP_SECS`], so the table holds the keys tried lately, not every number
    /// ever tried. Returns how many went.
    pub async fn prune_backoff(&self) -> Result<u64, sqlx::Error> {
        self.db
            .prune_backoff(self.clock.now() - signin::BACKOFF_KEEP_SECS)
            .await
    }

    /// The key's summary entry in the audit log, when its window is open.
    async fn audit_failures(&self, key: &[u8], now: i64) -> Result<(), sqlx::Error> {
        if let Some(detail) = guard::audit_summary(&self.db, key, now).await? {
            let subject = match self.db.account_by_number_hash(key).await? {
                Some(a) => format!("account:{}", a.id),
                None => "account:unknown".to_string(),
            };
            self.audit("anonymous", "auth.signin_failures", &subject, &detail)
                .await?;
        }
        Ok(())
    }

    /// The resident behind a session token, if the session is still valid; refreshes its idle
    /// timer. An expired session is deleted.
    pub async fn session(&self, token: &str) -> Result<Option<ResidentSession>, sqlx::Error> {
        let Some(hash) = crypto::presented_token_hash(token) else {
            return Ok(None);
        };
        let Some(row) = self.db.session(&hash).await? else {
            return Ok(None);
        };
        self.still_valid(&hash, row).await
    }

    /// As [`Self::session`], with the resident's register entry and unread notices, in one query.
    pub async fn page_session(&self, token: &str) -> Result<Option<PageSession>, sqlx::Error> {
        let Some(hash) = crypto::presented_token_hash(token) else {
            return Ok(None);
        };
        let Some(row) = self.db.page_session(&hash).await? else {
            return Ok(None);
        };
        Ok(self
            .still_valid(&hash, row.session)
            .await?
            .map(|resident| PageSession {
                resident,
                register: Arc::new(row.resident),
                unread: row.unread,
            }))
    }

    /// Ends an expired session; writes a valid one's idle timer back (at most once a minute).
    async fn still_valid(
        &self,
        hash: &[u8],
        row: SessionRow,
    ) -> Result<Option<ResidentSession>, sqlx::Error> {
        let now = self.clock.now();
        if signin::session_state(row.created_at, row.last_seen_at, now).is_err() {
            self.db.delete_session(hash).await?;
            return Ok(None);
        }
        if signin::needs_touch(row.last_seen_at, now) {
            self.db.touch_session(hash, now).await?;
        }
        Ok(Some(ResidentSession {
            account_id: row.account_id,
            resident_id: row.resident_id,
        }))
    }

    /// Ends a session on the server.
    pub async fn sign_out(&self, token: &str) -> Result<(), sqlx::Error> {
        let hash = crypto::token_hash(token);
        if let Some(s) = self.db.session(&hash).await? {
            self.db.delete_session(&hash).await?;
            let actor = format!("resident:{}", s.resident_id);
            self.audit(
                &actor,
                "auth.signout",
                &format!("account:{}", s.account_id),
                "",
            )
            .await?;
        }
        Ok(())
    }

    /// Clears the back-off of a number after identity checks at the office (staff action).
    /// Returns whether the number has an account.
    pub async fn unlock(
        &self,
        my_number: &crate::domain::my_number::MyNumber,
    ) -> Result<bool, sqlx::Error> {
        let key = self.hasher.hash(my_number);
        let cleared = self.db.clear_backoff(&key).await?;
        let Some(a) = self.db.account_by_number_hash(&key).await? else {
            return Ok(false);
        };
        self.db.unlock_account(a.id).await?;
        let subject = format!("account:{}", a.id);
        let detail = match cleared {
            Some((n, _)) => format!("identity checked at the office; {n} attempt(s) cleared"),
            None => "identity checked at the office; nothing to clear".to_string(),
        };
        self.audit("staff:cli", "auth.account_unlocked", &subject, &detail)
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
