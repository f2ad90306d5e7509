//! Server-side sessions, keyed by the SHA-256 of the token the browser holds.

use super::residents::{ResidentRow, COLUMNS};
use super::{Db, StoreResult};
use crate::on_db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub account_id: i64,
    pub resident_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// A session with what a page needs of its resident: the register entry (the frame shows the
/// name; わたしの情報 compares every item with it) and the unread notices.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PageSessionRow {
    #[sqlx(flatten)]
    pub session: SessionRow,
    #[sqlx(flatten)]
    pub resident: ResidentRow,
    pub unread: i64,
}

impl Db {
    pub async fn create_session(
        &self,
        token_hash: &[u8],
        account_id: i64,
        now: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)";
        on_db!(self, |p| sqlx::query(sql)
            .bind(token_hash)
            .bind(account_id)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &[u8]) -> StoreResult<Option<SessionRow>> {
        let sql = "SELECT s.account_id, a.resident_id, s.created_at, s.last_seen_at \
                   FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(token_hash)
            .fetch_optional(p)
            .await)
    }

    /// The session, the resident's register entry and their unread notices, in one query (every
    /// page load of a signed-in resident makes it).
    pub async fn page_session(&self, token_hash: &[u8]) -> StoreResult<Option<PageSessionRow>> {
        let sql = format!(
            "SELECT s.account_id, a.resident_id, s.created_at, s.last_seen_at, {COLUMNS}, \
             (SELECT COUNT(*) FROM notices n \
              WHERE n.resident_id = a.resident_id AND n.read_at IS NULL) AS unread \
             FROM sessions s JOIN accounts a ON a.id = s.account_id \
             JOIN residents r ON r.id = a.resident_id WHERE s.token_hash = $1"
        );
        on_db!(self, |p| sqlx::query_as(&sql)
            .bind(token_hash)
            .fetch_optional(p)
            .await)
    }

    pub async fn touch_session(&self, token_hash: &[u8], now: i64) -> StoreResult<()> {
        let sql = "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1";
        on_db!(self, |p| sqlx::query(sql)
            .bind(token_hash)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<()> {
        let sql = "DELETE FROM sessions WHERE token_hash = $1";
        on_db!(self, |p| sqlx::query(sql)
            .bind(token_hash)
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Ends every session of an account (on lock or unlock).
    pub async fn delete_sessions_of(&self, account_id: i64) -> StoreResult<()> {
        let sql = "DELETE FROM sessions WHERE account_id = $1";
        on_db!(self, |p| sqlx::query(sql)
            .bind(account_id)
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }
}
