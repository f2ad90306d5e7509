//! The sign-in back-off of each key tried (the keyed hash of a My Number or a staff username).
//! An attempt is admitted by a compare-and-set on the row's version, so of concurrent attempts
//! no more are admitted than the rules allow; the counters the owner and the audit log see change
//! by single UPDATEs.

use super::{Db, StoreResult};
use crate::domain::signin::Backoff;
use crate::on_db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BackoffRow {
    pub attempts: i64,
    pub last_at: i64,
    pub version: i64,
    pub failed_total: i64,
    pub failed_since: i64,
}

impl BackoffRow {
    pub fn state(&self) -> Backoff {
        Backoff {
            attempts: self.attempts,
            last_at: self.last_at,
        }
    }
}

impl Db {
    pub async fn backoff(&self, key: &[u8]) -> StoreResult<Option<BackoffRow>> {
        let sql = "SELECT attempts, last_at, version, failed_total, failed_since \
                   FROM signin_backoff WHERE key_hash = $1";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(key)
            .fetch_optional(p)
            .await)
    }

    /// Stores an admitted attempt (counted as failed until it proves right) if the row is still
    /// at `version` (`None`: there was no row). Returns false when another attempt came first.
    pub async fn admit_attempt(
        &self,
        key: &[u8],
        version: Option<i64>,
        next: Backoff,
    ) -> StoreResult<bool> {
        let n = match version {
            None => {
                let sql = "INSERT INTO signin_backoff (key_hash, attempts, last_at, version, \
                           failed_total, failed_since) VALUES ($1, $2, $3, 0, 1, $3) \
                           ON CONFLICT (key_hash) DO NOTHING";
                on_db!(self, |p| sqlx::query(sql)
                    .bind(key)
                    .bind(next.attempts)
                    .bind(next.last_at)
                    .execute(p)
                    .await
                    .map(|r| r.rows_affected()))?
            }
            Some(v) => {
                let sql = "UPDATE signin_backoff SET attempts = $2, last_at = $3, \
                           version = version + 1, failed_total = failed_total + 1, \
                           failed_since = CASE WHEN failed_total = 0 THEN $3 ELSE failed_since END \
                           WHERE key_hash = $1 AND version = $4";
                on_db!(self, |p| sqlx::query(sql)
                    .bind(key)
                    .bind(next.attempts)
                    .bind(next.last_at)
                    .bind(v)
                    .execute(p)
                    .await
                    .map(|r| r.rows_affected()))?
            }
        };
        Ok(n == 1)
    }

    /// Counts an attempt refused while the key waits (no password was checked).
    pub async fn count_refused_attempt(&self, key: &[u8]) -> StoreResult<()> {
        let sql = "UPDATE signin_backoff SET failed_total = failed_total + 1 WHERE key_hash = $1";
        on_db!(self, |p| sqlx::query(sql)
            .bind(key)
            .execute(p)
            .await
            .map(|_| ()))
    }

    /// Opens the key's audit window when the last one has ended and failures came since:
    /// returns (failed attempts, since when) for the one summary entry of the window.
    pub async fn take_audit_summary(
        &self,
        key: &[u8],
        now: i64,
        window: i64,
    ) -> StoreResult<Option<(i64, i64)>> {
        let sql = "UPDATE signin_backoff SET audited_total = failed_total, audited_at = $2 \
                   WHERE key_hash = $1 AND failed_total > audited_total \
                   AND (audited_at IS NULL OR audited_at <= $3) \
                   RETURNING failed_total, failed_since";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(key)
            .bind(now)
            .bind(now - window)
            .fetch_optional(p)
            .await)
    }

    /// Forgets a key's attempts (after a right password, or a staff unlock). Returns the
    /// (failed attempts, since when) it held.
    pub async fn clear_backoff(&self, key: &[u8]) -> StoreResult<Option<(i64, i64)>> {
        let sql =
            "DELETE FROM signin_backoff WHERE key_hash = $1 RETURNING failed_total, failed_since";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(key)
            .fetch_optional(p)
            .await)
    }

    /// Takes the failed attempts the owner has not been told of, leaving the back-off itself in
    /// place (a passkey sign-in tells the owner, but the stranger stays slowed down). Returns
    /// (failed attempts, since when) when there were any.
    pub async fn take_untold_failures(
        &self,
        key: &[u8],
        now: i64,
    ) -> StoreResult<Option<(i64, i64)>> {
        let read = "SELECT failed_total, failed_since FROM signin_backoff                     WHERE key_hash = $1 AND failed_total > 0";
        let told = "UPDATE signin_backoff SET failed_total = failed_total - $2,                     audited_total = CASE WHEN audited_total > $2 THEN audited_total - $2 ELSE 0 END,                     failed_since = $3 WHERE key_hash = $1 AND failed_total >= $2";
        on_db!(self, |p| {
            let Some((n, since)) = sqlx::query_as::<_, (i64, i64)>(read)
                .bind(key)
                .fetch_optional(p)
                .await?
            else {
                return Ok(None);
            };
            sqlx::query(told)
                .bind(key)
                .bind(n)
                .bind(now)
                .execute(p)
                .await?;
            Ok(Some((n, since)))
        })
    }

    /// Forgets the keys last tried before `before` (their waits were forgotten long ago; what the
    /// owner was not told by then is dropped with them). Returns how many rows went.
    pub async fn prune_backoff(&self, before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM signin_backoff WHERE last_at < $1";
        on_db!(self, |p| sqlx::query(sql)
            .bind(before)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
    }

    /// A notice in a resident's inbox outside any workflow step.
    pub async fn insert_notice(
        &self,
        resident_id: i64,
        at: i64,
        kind: &str,
        params: &str,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO notices (resident_id, at, kind, reference, params) \
                   VALUES ($1, $2, $3, NULL, $4)";
        on_db!(self, |p| sqlx::query(sql)
            .bind(resident_id)
            .bind(at)
            .bind(kind)
            .bind(params)
            .execute(p)
            .await
            .map(|_| ()))
    }
}
