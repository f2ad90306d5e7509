//! The audit trail's storage. Appends take the head row first (`UPDATE … RETURNING`), which
//! serializes concurrent appends on both backends, so the chain never forks.

use super::{Db, StoreResult};
use crate::on_db;

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

/// Appends an audit entry on a connection inside a transaction the caller commits, so a change
/// and its audit entry are stored together or not at all. Evaluates to the entry's `seq`.
#[macro_export]
macro_rules! append_audit_in {
    ($conn:expr, $entry:expr, $hash:expr) => {{
        let entry: &$crate::store::audit::NewAudit<'_> = $entry;
        let (seq, prev): (i64, Vec<u8>) =
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *$conn)
                .await?;
        let h = $hash(&prev, seq, entry);
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
    /// Appends an entry, computing its hash with `hash(prev_hash, seq, entry)`.
    pub async fn append_audit(
        &self,
        entry: &NewAudit<'_>,
        hash: impl Fn(&[u8], i64, &NewAudit<'_>) -> Vec<u8>,
    ) -> StoreResult<i64> {
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            let seq = crate::append_audit_in!(&mut *tx, entry, hash);
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

    /// The head: last sequence number and hash.
    pub async fn audit_head(&self) -> StoreResult<(i64, Vec<u8>)> {
        let sql = "SELECT seq, hash FROM audit_head WHERE id = 1";
        on_db!(self, |p| sqlx::query_as(sql).fetch_one(p).await)
    }
}
