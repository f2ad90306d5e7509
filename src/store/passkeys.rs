//! Activation codes, passkeys and the WebAuthn ceremonies between their two requests. A passkey
//! belongs to a resident's account or to a staff member (the table's CHECK says which); its public
//! key and counter are kept as webauthn-rs serialises them.

use super::{Db, StoreResult};
use crate::on_db;

/// Whose passkeys: a resident's account or a staff member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Account(i64),
    Staff(i64),
}

impl Owner {
    fn column(self) -> (&'static str, i64) {
        match self {
            Owner::Account(id) => ("account_id", id),
            Owner::Staff(id) => ("staff_id", id),
        }
    }

    fn table(self) -> &'static str {
        match self {
            Owner::Account(_) => "accounts",
            Owner::Staff(_) => "staff",
        }
    }

    /// The audit subject.
    pub fn subject(self) -> String {
        match self {
            Owner::Account(id) => format!("account:{id}"),
            Owner::Staff(id) => format!("staff:{id}"),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PasskeyRow {
    pub id: i64,
    pub account_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub passkey: String,
    pub label: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl PasskeyRow {
    pub fn owner(&self) -> Option<Owner> {
        match (self.account_id, self.staff_id) {
            (Some(a), None) => Some(Owner::Account(a)),
            (None, Some(s)) => Some(Owner::Staff(s)),
            _ => None,
        }
    }
}

/// A code that may still be used: its id and resident.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct ActivationRow {
    pub id: i64,
    pub resident_id: i64,
}

/// What a removal did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Removed,
    /// The owner has no passkey with that id.
    NotFound,
    /// It is the last way into an account without a password: kept.
    LastWayIn,
}

/// A passkey to store.
pub struct NewPasskey<'a> {
    pub credential_id: &'a str,
    pub passkey: &'a str,
    pub label: &'a str,
}

const PASSKEY_COLUMNS: &str = "id, account_id, staff_id, passkey, label, created_at, last_used_at";

impl Db {
    pub async fn insert_activation_code(
        &self,
        resident_id: i64,
        code_hash: &[u8],
        issued_by: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<i64> {
        let sql = "INSERT INTO activation_codes (resident_id, code_hash, issued_by, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5) RETURNING id";
        on_db!(self, |p| sqlx::query_scalar::<_, i64>(sql)
            .bind(resident_id)
            .bind(code_hash)
            .bind(issued_by)
            .bind(now)
            .bind(expires_at)
            .fetch_one(p)
            .await)
    }

    /// The unused, unexpired code with this hash, issued to this resident.
    pub async fn usable_activation_code(
        &self,
        resident_id: i64,
        code_hash: &[u8],
        now: i64,
    ) -> StoreResult<Option<ActivationRow>> {
        let sql = "SELECT id, resident_id FROM activation_codes \
                   WHERE code_hash = $1 AND resident_id = $2 AND used_at IS NULL AND expires_at > $3";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(code_hash)
            .bind(resident_id)
            .bind(now)
            .fetch_optional(p)
            .await)
    }

    /// Spends a code and stores the resident's first passkey in one transaction: the code is used
    /// once even when two browsers finish at the same moment, and a failure leaves it usable.
    /// Makes the account (without a password) when the resident has none. Returns the account id,
    /// or `None` when the code was no longer usable.
    pub async fn activate_with_passkey(
        &self,
        code_id: i64,
        resident_id: i64,
        handle: &str,
        key: &NewPasskey<'_>,
        now: i64,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            let spent = sqlx::query(
                "UPDATE activation_codes SET used_at = $1 \
                 WHERE id = $2 AND resident_id = $3 AND used_at IS NULL AND expires_at > $1",
            )
            .bind(now)
            .bind(code_id)
            .bind(resident_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if spent != 1 {
                return Ok(None);
            }
            let account_id: i64 = sqlx::query_scalar(
                "INSERT INTO accounts (resident_id, password_hash, failed_count, created_at, passkey_handle) \
                 VALUES ($1, '', 0, $2, $3) \
                 ON CONFLICT (resident_id) DO UPDATE \
                 SET passkey_handle = COALESCE(accounts.passkey_handle, excluded.passkey_handle) \
                 RETURNING id",
            )
            .bind(resident_id)
            .bind(now)
            .bind(handle)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO passkeys (account_id, credential_id, passkey, label, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(account_id)
            .bind(key.credential_id)
            .bind(key.passkey)
            .bind(key.label)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(account_id))
        })
    }

    /// The WebAuthn user handle of an owner, made (random) on first use.
    pub async fn passkey_handle(&self, owner: Owner, fresh: &str) -> StoreResult<String> {
        let (_, id) = owner.column();
        let table = owner.table();
        let set = format!(
            "UPDATE {table} SET passkey_handle = $1 WHERE id = $2 AND passkey_handle IS NULL"
        );
        let get = format!("SELECT passkey_handle FROM {table} WHERE id = $1");
        on_db!(self, |p| {
            sqlx::query(&set).bind(fresh).bind(id).execute(p).await?;
            sqlx::query_scalar::<_, String>(&get)
                .bind(id)
                .fetch_one(p)
                .await
        })
    }

    /// The owner whose user handle this is.
    pub async fn owner_by_handle(&self, handle: &str, staff: bool) -> StoreResult<Option<Owner>> {
        let (table, wrap): (&str, fn(i64) -> Owner) = if staff {
            ("staff", Owner::Staff)
        } else {
            ("accounts", Owner::Account)
        };
        let sql = format!("SELECT id FROM {table} WHERE passkey_handle = $1");
        let id = on_db!(self, |p| sqlx::query_scalar::<_, i64>(&sql)
            .bind(handle)
            .fetch_optional(p)
            .await)?;
        Ok(id.map(wrap))
    }

    pub async fn insert_passkey(
        &self,
        owner: Owner,
        key: &NewPasskey<'_>,
        now: i64,
    ) -> StoreResult<i64> {
        let (column, id) = owner.column();
        let sql = format!(
            "INSERT INTO passkeys ({column}, credential_id, passkey, label, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id"
        );
        on_db!(self, |p| sqlx::query_scalar::<_, i64>(&sql)
            .bind(id)
            .bind(key.credential_id)
            .bind(key.passkey)
            .bind(key.label)
            .bind(now)
            .fetch_one(p)
            .await)
    }

    pub async fn passkeys_of(&self, owner: Owner) -> StoreResult<Vec<PasskeyRow>> {
        let (column, id) = owner.column();
        let sql = format!("SELECT {PASSKEY_COLUMNS} FROM passkeys WHERE {column} = $1 ORDER BY id");
        on_db!(self, |p| sqlx::query_as(&sql).bind(id).fetch_all(p).await)
    }

    pub async fn passkey_by_credential(
        &self,
        credential_id: &str,
    ) -> StoreResult<Option<PasskeyRow>> {
        let sql = format!("SELECT {PASSKEY_COLUMNS} FROM passkeys WHERE credential_id = $1");
        on_db!(self, |p| sqlx::query_as(&sql)
            .bind(credential_id)
            .fetch_optional(p)
            .await)
    }

    /// After a sign-in: the counter and backup flags webauthn-rs updated, and when.
    pub async fn passkey_used(&self, id: i64, passkey: Option<&str>, now: i64) -> StoreResult<()> {
        let sql =
            "UPDATE passkeys SET last_used_at = $1, passkey = COALESCE($2, passkey) WHERE id = $3";
        on_db!(self, |p| sqlx::query(sql)
            .bind(now)
            .bind(passkey)
            .bind(id)
            .execute(p)
            .await
            .map(|_| ()))
    }

    /// Removes one of the owner's passkeys, unless `keep_last` and it is their last one (the last
    /// way into an account without a password).
    pub async fn remove_passkey(
        &self,
        owner: Owner,
        passkey_id: i64,
        keep_last: bool,
    ) -> StoreResult<Removal> {
        let (column, id) = owner.column();
        let exists = format!("SELECT COUNT(*) FROM passkeys WHERE id = $1 AND {column} = $2");
        let count = format!("SELECT COUNT(*) FROM passkeys WHERE {column} = $1");
        let delete = format!("DELETE FROM passkeys WHERE id = $1 AND {column} = $2");
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            let found: i64 = sqlx::query_scalar(&exists)
                .bind(passkey_id)
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if found == 0 {
                return Ok(Removal::NotFound);
            }
            let n: i64 = sqlx::query_scalar(&count)
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if keep_last && n <= 1 {
                return Ok(Removal::LastWayIn);
            }
            sqlx::query(&delete)
                .bind(passkey_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Removal::Removed)
        })
    }

    pub async fn insert_ceremony(
        &self,
        token_hash: &[u8],
        purpose: &str,
        subject: &str,
        state: &str,
        expires_at: i64,
        now: i64,
    ) -> StoreResult<()> {
        on_db!(self, |p| {
            // Ceremonies nobody finished go when the next one starts.
            sqlx::query("DELETE FROM passkey_ceremonies WHERE expires_at <= $1")
                .bind(now)
                .execute(p)
                .await?;
            sqlx::query(
                "INSERT INTO passkey_ceremonies (token_hash, purpose, subject, state, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(purpose)
            .bind(subject)
            .bind(state)
            .bind(expires_at)
            .execute(p)
            .await
            .map(|_| ())
        })
    }

    /// Takes a ceremony (it is deleted, so it finishes once): its subject and state, when it is
    /// of this purpose and has not expired.
    pub async fn take_ceremony(
        &self,
        token_hash: &[u8],
        purpose: &str,
        now: i64,
    ) -> StoreResult<Option<(String, String)>> {
        let sql = "DELETE FROM passkey_ceremonies WHERE token_hash = $1 AND purpose = $2 \
                   AND expires_at > $3 RETURNING subject, state";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(token_hash)
            .bind(purpose)
            .bind(now)
            .fetch_optional(p)
            .await)
    }

    /// The keyed hash of a resident's number (the key of its password back-off).
    pub async fn number_hash_of(&self, resident_id: i64) -> StoreResult<Option<Vec<u8>>> {
        let sql = "SELECT my_number_hash FROM residents WHERE id = $1";
        on_db!(self, |p| sqlx::query_scalar::<_, Vec<u8>>(sql)
            .bind(resident_id)
            .fetch_optional(p)
            .await)
    }

    /// The staff member with this id, for a passkey sign-in.
    pub async fn staff_by_id(&self, id: i64) -> StoreResult<Option<super::staff::StaffRow>> {
        let sql = format!("SELECT {} FROM staff WHERE id = $1", super::staff::COLUMNS);
        on_db!(self, |p| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(p)
            .await)
    }
}
