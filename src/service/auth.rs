//! Resident sign-in, lockout and sessions. Every sign-in, failure, lock, unlock and sign-out is
//! written to the audit trail before it is answered.

use super::clock::Clock;
use super::crypto::{self, NumberHasher};
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
    #[error("storage: {0}")]
    Store(#[from] sqlx::Error),
}

#[derive(Clone)]
pub struct AuthService {
    pub db: Db,
    pub hasher: NumberHasher,
    pub clock: Arc<dyn Clock>,
}

async fn verify_blocking(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || crypto::verify_password(&password, &phc))
        .await
        .unwrap_or(false)
}

impl AuthService {
    /// Signs a resident in with their My Number and password. Returns the session token for the
    /// cookie. Unknown numbers and wrong passwords fail alike, after the same argon2 work.
    pub async fn sign_in(&self, my_number: &str, password: &str) -> Result<String, AuthError> {
        let number = signin::validate_form(my_number, password).map_err(AuthError::SignIn)?;
        let hash = self.hasher.hash(&number);
        let Some(account) = self.db.account_by_number_hash(&hash).await? else {
            verify_blocking(password.to_string(), crypto::dummy_hash().to_string()).await;
            self.audit(
                "anonymous",
                "auth.signin_failure",
                "account:unknown",
                "no account for the number",
            )
            .await?;
            return Err(AuthError::SignIn(SignInError::BadCredentials));
        };
        let actor = format!("resident:{}", account.resident_id);
        let subject = format!("account:{}", account.id);
        if account.locked_at.is_some() {
            // Same work as any other attempt, and the same answer whatever the password.
            verify_blocking(password.to_string(), crypto::dummy_hash().to_string()).await;
            self.audit(&actor, "auth.signin_refused", &subject, "account locked")
                .await?;
            return Err(AuthError::SignIn(SignInError::Locked));
        }
        let ok = verify_blocking(password.to_string(), account.password_hash.clone()).await;
        let now = self.clock.now();
        if !ok {
            return match self.db.record_failure(account.id, now).await? {
                Some((_, true)) | None => {
                    self.db.delete_sessions_of(account.id).await?;
                    tracing::warn!(
                        account = account.id,
                        "account locked after repeated wrong passwords"
                    );
                    self.audit(
                        &actor,
                        "auth.account_locked",
                        &subject,
                        "wrong password; locked",
                    )
                    .await?;
                    Err(AuthError::SignIn(SignInError::Locked))
                }
                Some((n, false)) => {
                    let detail = format!("wrong password ({n} in a row)");
                    self.audit(&actor, "auth.signin_failure", &subject, &detail)
                        .await?;
                    Err(AuthError::SignIn(SignInError::BadCredentials))
                }
            };
        }
        // A concurrent failure may have locked the account while the password was checked.
        if !self.db.record_success(account.id).await? {
            self.audit(&actor, "auth.signin_refused", &subject, "account locked")
                .await?;
            return Err(AuthError::SignIn(SignInError::Locked));
        }
        let (token, token_hash) = crypto::new_session_token();
        self.db.create_session(&token_hash, account.id, now).await?;
        self.audit(&actor, "auth.signin_success", &subject, "")
            .await?;
        tracing::info!(account = account.id, "resident signed in");
        Ok(token)
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

    /// Unlocks the account of a resident given their number (staff action).
    pub async fn unlock(
        &self,
        my_number: &crate::domain::my_number::MyNumber,
    ) -> Result<bool, sqlx::Error> {
        let Some(a) = self
            .db
            .account_by_number_hash(&self.hasher.hash(my_number))
            .await?
        else {
            return Ok(false);
        };
        self.db.delete_sessions_of(a.id).await?;
        let done = self.db.unlock_account(a.id).await?;
        let subject = format!("account:{}", a.id);
        self.audit(
            "staff:cli",
            "auth.account_unlocked",
            &subject,
            "identity checked at the office",
        )
        .await?;
        Ok(done)
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
