//! The audit trail's storage. Appends take the head row first (`UPDATE … RETURNING`), which
//! serializes concurrent appends on both backends, so the chain never forks.
//!
//! Each entry's hash is an HMAC-SHA256 under the audit key, a secret that is never in the
//! database: whoever can write the database but not read the key file cannot re-hash an edited
//! entry or the entries after it. The key is installed once per process at start-up
//! ([`install_chain_key`]); appending without it fails instead of writing an unkeyed entry.

use super::{Db, StoreResult};
use crate::on_db;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// The fields of a new entry; the store fills in the sequence number and the hashes.
#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub detail: &'a str,
}

impl<'a> From<&'a AuditRow> for NewAudit<'a> {
    fn from(row: &'a AuditRow) -> Self {
        NewAudit {
            at: row.at,
            actor: &row.actor,
            action: &row.action,
            subject: &row.subject,
            detail: &row.detail,
        }
    }
}

/// The process's audit key (the HMAC key of the chain).
static CHAIN_KEY: OnceLock<[u8; 32]> = OnceLock::new();

/// Installs the audit key for this process. Installing the same key again does nothing; another
/// key is refused, so one process never writes a chain under two keys.
pub fn install_chain_key(key: [u8; 32]) -> Result<(), &'static str> {
    if *CHAIN_KEY.get_or_init(|| key) == key {
        Ok(())
    } else {
        Err("another audit key is already installed in this process")
    }
}

/// The installed audit key, or an error that says it is missing.
pub fn chain_key() -> StoreResult<&'static [u8; 32]> {
    CHAIN_KEY.get().ok_or_else(|| {
        sqlx::Error::Configuration(
            "the audit key is not loaded (install it with store::audit::install_chain_key at start-up)"
                .into(),
        )
    })
}

/// The hash of an entry: HMAC-SHA256 under `key` over the previous hash, the sequence number,
/// the time and the length-prefixed text fields.
#[expect(clippy::expect_used, reason = "HMAC takes a key of any length")]
pub fn keyed_entry_hash(key: &[u8; 32], prev: &[u8], seq: i64, e: &NewAudit<'_>) -> Vec<u8> {
    let mut h = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    h.update(prev);
    h.update(&seq.to_be_bytes());
    h.update(&e.at.to_be_bytes());
    for field in [e.actor, e.action, e.subject, e.detail] {
        h.update(&(field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().into_bytes().to_vec()
}

/// The hash of an entry under the installed audit key.
pub fn entry_hash(prev: &[u8], seq: i64, e: &NewAudit<'_>) -> StoreResult<Vec<u8>> {
    Ok(keyed_entry_hash(chain_key()?, prev, seq, e))
}

/// Appends an audit entry on a connection inside a transaction the caller commits, so a change
/// and its audit entry are stored together or not at all. Evaluates to the entry's `seq`.
#[macro_export]
macro_rules! append_audit_in {
    ($conn:expr, $entry:expr) => {{
        let entry: &$crate::store::audit::NewAudit<'_> = $entry;
        let (seq, prev): (i64, Vec<u8>) =
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_optional(&mut *$conn)
                .await?
                .ok_or_else(|| {
                    sqlx::Error::Protocol(
                        "the audit head row is missing: the audit trail was tampered with".into(),
                    )
                })?;
        let h = $crate::store::audit::entry_hash(&prev, seq, entry)?;
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(seq)
        .bind(entry.at)
        .bind(entry.actor)
        .bind(entry.action)
        .bind(entry.subject)
        .bind(entry.detail)
        .bind(&prev)
        .bind(&h)
        .execute(&mut *$conn)
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&h)
            .execute(&mut *$conn)
            .await?;
        seq
    }};
}

impl Db {
    /// Appends an entry, hashed under the installed audit key.
    pub async fn append_audit(&self, entry: &NewAudit<'_>) -> StoreResult<i64> {
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            let seq = crate::append_audit_in!(&mut *tx, entry);
            tx.commit().await?;
            Ok(seq)
        })
    }

    /// Entries with `seq > after`, in order, at most `limit`.
    pub async fn audit_page(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditRow>> {
        let sql = "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log \
                   WHERE seq > $1 ORDER BY seq LIMIT $2";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(after)
            .bind(limit)
            .fetch_all(p)
            .await)
    }

    /// The head: last sequence number and hash; `None` when the head row is gone (deleted).
    pub async fn audit_head(&self) -> StoreResult<Option<(i64, Vec<u8>)>> {
        let sql = "SELECT seq, hash FROM audit_head WHERE id = 1";
        on_db!(self, |p| sqlx::query_as(sql).fetch_optional(p).await)
    }
}
