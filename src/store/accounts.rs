//! Resident portal accounts. Failed sign-ins are counted per number tried, account or not, in
//! `store/backoff.rs`; `failed_count` and `locked_at` are left from the old permanent lock.

use super::{Db, StoreResult};
use crate::on_db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub resident_id: i64,
    pub password_hash: String,
    pub failed_count: i64,
    pub locked_at: Option<i64>,
}

impl Db {
    pub async fn account_by_number_hash(&self, hash: &[u8]) -> StoreResult<Option<AccountRow>> {
        let sql = "SELECT a.id, a.resident_id, a.password_hash, a.failed_count, a.locked_at \
                   FROM accounts a JOIN residents r ON r.id = a.resident_id WHERE r.my_number_hash = $1";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(hash)
            .fetch_optional(p)
            .await)
    }

    pub async fn account(&self, id: i64) -> StoreResult<Option<AccountRow>> {
        let sql = "SELECT id, resident_id, password_hash, failed_count, locked_at FROM accounts WHERE id = $1";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(p)
            .await)
    }

    /// Creates or replaces the account of a resident, unlocked.
    pub async fn upsert_account(
        &self,
        resident_id: i64,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<i64> {
        let sql = "INSERT INTO accounts (resident_id, password_hash, failed_count, locked_at, created_at) \
                   VALUES ($1, $2, 0, NULL, $3) \
                   ON CONFLICT (resident_id) DO UPDATE SET password_hash = excluded.password_hash, \
                   failed_count = 0, locked_at = NULL RETURNING id";
        on_db!(self, |p| sqlx::query_scalar::<_, i64>(sql)
            .bind(resident_id)
            .bind(password_hash)
            .bind(now)
            .fetch_one(p)
            .await)
    }

    /// Clears what the old permanent lock left on an account (staff action). Returns whether an
    /// account was found.
    pub async fn unlock_account(&self, account_id: i64) -> StoreResult<bool> {
        let sql = "UPDATE accounts SET failed_count = 0, locked_at = NULL WHERE id = $1";
        let n = on_db!(self, |p| sqlx::query(sql)
            .bind(account_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }
}
