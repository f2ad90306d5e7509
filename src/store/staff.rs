//! Staff accounts and staff sessions. The TOTP replay guard changes only by a single conditional
//! UPDATE, so concurrent attempts cannot race past it; failed sign-ins are counted per username in
//! `store/backoff.rs`.

use super::{Db, StoreResult};
use crate::on_db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub institution_id: Option<i64>,
    pub password_hash: String,
    pub totp_secret: String,
    pub locked_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffSessionRow {
    pub staff_id: i64,
    pub role: String,
    pub institution_id: Option<i64>,
    pub display_name: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// A staff account to create.
#[derive(Debug, Clone)]
pub struct NewStaff<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub institution_id: Option<i64>,
    pub password_hash: &'a str,
    pub totp_secret: &'a str,
}

pub(crate) const COLUMNS: &str =
    "id, username, display_name, role, institution_id, password_hash, totp_secret, locked_at";

impl Db {
    pub async fn staff_by_username(&self, username: &str) -> StoreResult<Option<StaffRow>> {
        let sql = format!("SELECT {COLUMNS} FROM staff WHERE username = $1");
        on_db!(self, |p| sqlx::query_as(&sql)
            .bind(username)
            .fetch_optional(p)
            .await)
    }

    /// Creates a staff account or replaces its credentials; returns its id.
    pub async fn upsert_staff(&self, s: &NewStaff<'_>, now: i64) -> StoreResult<i64> {
        let sql =
            "INSERT INTO staff (username, display_name, role, institution_id, password_hash, \
                   totp_secret, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                   ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name, \
                   role = excluded.role, institution_id = excluded.institution_id, \
                   password_hash = excluded.password_hash, totp_secret = excluded.totp_secret, \
                   totp_last_step = 0, failed_count = 0, locked_at = NULL RETURNING id";
        on_db!(self, |p| sqlx::query_scalar::<_, i64>(sql)
            .bind(s.username)
            .bind(s.display_name)
            .bind(s.role)
            .bind(s.institution_id)
            .bind(s.password_hash)
            .bind(s.totp_secret)
            .bind(now)
            .fetch_one(p)
            .await)
    }

    /// Accepts a TOTP time step once: succeeds only if the account is unlocked and `step` is
    /// later than the last one used, and resets the failure count.
    pub async fn use_totp_step(&self, staff_id: i64, step: i64) -> StoreResult<bool> {
        let sql = "UPDATE staff SET totp_last_step = $2, failed_count = 0 \
                   WHERE id = $1 AND locked_at IS NULL AND totp_last_step < $2 RETURNING id";
        let row: Option<i64> = on_db!(self, |p| sqlx::query_scalar(sql)
            .bind(staff_id)
            .bind(step)
            .fetch_optional(p)
            .await)?;
        Ok(row.is_some())
    }

    pub async fn create_staff_session(
        &self,
        token_hash: &[u8],
        staff_id: i64,
        now: i64,
    ) -> StoreResult<()> {
        let sql =
            "INSERT INTO staff_sessions (token_hash, staff_id, mfa_at, created_at, last_seen_at) \
                   VALUES ($1, $2, $3, $3, $3)";
        on_db!(self, |p| sqlx::query(sql)
            .bind(token_hash)
            .bind(staff_id)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ()))
    }

    pub async fn staff_session(&self, token_hash: &[u8]) -> StoreResult<Option<StaffSessionRow>> {
        let sql = "SELECT s.staff_id, f.role, f.institution_id, f.display_name, s.created_at, \
                   s.last_seen_at FROM staff_sessions s JOIN staff f ON f.id = s.staff_id \
                   WHERE s.token_hash = $1 AND f.locked_at IS NULL";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(token_hash)
            .fetch_optional(p)
            .await)
    }

    pub async fn touch_staff_session(&self, token_hash: &[u8], now: i64) -> StoreResult<()> {
        let sql = "UPDATE staff_sessions SET last_seen_at = $2 WHERE token_hash = $1";
        on_db!(self, |p| sqlx::query(sql)
            .bind(token_hash)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ()))
    }

    pub async fn delete_staff_session(&self, token_hash: &[u8]) -> StoreResult<()> {
        let sql = "DELETE FROM staff_sessions WHERE token_hash = $1";
        on_db!(self, |p| sqlx::query(sql)
            .bind(token_hash)
            .execute(p)
            .await
            .map(|_| ()))
    }

    /// Staff of one institution with a given role: (id, display name), by name.
    pub async fn staff_of_institution(
        &self,
        institution_id: i64,
        role: &str,
    ) -> StoreResult<Vec<(i64, String)>> {
        let sql = "SELECT id, display_name FROM staff WHERE institution_id = $1 AND role = $2 \
                   AND locked_at IS NULL ORDER BY display_name, id";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(institution_id)
            .bind(role)
            .fetch_all(p)
            .await)
    }
}
