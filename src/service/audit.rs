//! The audit trail: an append-only hash chain. Every entry's hash covers the previous entry's
//! hash and the entry's own fields, so an edited, deleted or missing entry, or a cut-off tail,
//! is found by [`verify`]. The head (last sequence number and hash) can be exported and kept
//! elsewhere; verifying against it also catches a rewritten head.

use crate::store::audit::NewAudit;
use crate::store::Db;
use sha2::{Digest, Sha256};

/// The hash of an entry: SHA-256 over the previous hash, the sequence number, the time and the
/// length-prefixed text fields.
pub fn entry_hash(prev: &[u8], seq: i64, e: &NewAudit<'_>) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(e.at.to_be_bytes());
    for field in [e.actor, e.action, e.subject, e.detail] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().to_vec()
}

/// Appends one entry. `detail` must never hold a My Number, a password or an identifier in full.
pub async fn record(
    db: &Db,
    at: i64,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<i64, sqlx::Error> {
    db.append_audit(
        &NewAudit {
            at,
            actor,
            action,
            subject,
            detail,
        },
        entry_hash,
    )
    .await
}

/// The first problem found in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditProblem {
    /// The entry's content or its link to the previous entry was changed.
    Edited { seq: i64 },
    /// An entry is missing (deleted) before the one found next.
    Missing { seq: i64 },
    /// The chain ends before the head says it does: entries at the end were removed.
    Truncated { head_seq: i64, last_seq: i64 },
    /// The head kept elsewhere does not match the chain.
    ExternalHeadMismatch { seq: i64 },
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditProblem::Edited { seq } => write!(
                f,
                "entry {seq} was edited (its hash or its link to entry {} does not match)",
                seq - 1
            ),
            AuditProblem::Missing { seq } => write!(f, "entry {seq} is missing (deleted)"),
            AuditProblem::Truncated { head_seq, last_seq } => {
                write!(f, "the chain ends at entry {last_seq} but the head says {head_seq}: entries were removed from the end")
            }
            AuditProblem::ExternalHeadMismatch { seq } => {
                write!(f, "entry {seq} does not match the head kept elsewhere (missing, or the chain was rewritten)")
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditReport {
    pub entries: i64,
    pub head_seq: i64,
    pub head_hash: Vec<u8>,
    pub problem: Option<AuditProblem>,
}

/// Walks the whole chain in pages. `external_head` is a `(seq, hash)` exported earlier.
pub async fn verify(
    db: &Db,
    external_head: Option<(i64, Vec<u8>)>,
) -> Result<AuditReport, sqlx::Error> {
    let (head_seq, head_hash) = db.audit_head().await?;
    let mut expected = 1i64;
    let mut prev = vec![0u8; 32];
    let mut external_ok = external_head.as_ref().map(|(seq, _)| *seq == 0);
    let report = |entries, problem| AuditReport {
        entries,
        head_seq,
        head_hash: head_hash.clone(),
        problem,
    };
    loop {
        let page = db.audit_page(expected - 1, 10_000).await?;
        if page.is_empty() {
            break;
        }
        for row in page {
            if row.seq != expected {
                return Ok(report(
                    expected - 1,
                    Some(AuditProblem::Missing { seq: expected }),
                ));
            }
            let e = NewAudit {
                at: row.at,
                actor: &row.actor,
                action: &row.action,
                subject: &row.subject,
                detail: &row.detail,
            };
            if row.prev_hash != prev || entry_hash(&row.prev_hash, row.seq, &e) != row.hash {
                return Ok(report(
                    expected - 1,
                    Some(AuditProblem::Edited { seq: row.seq }),
                ));
            }
            if let Some((seq, hash)) = &external_head {
                if *seq == row.seq {
                    external_ok = Some(*hash == row.hash);
                }
            }
            prev = row.hash;
            expected += 1;
        }
    }
    let last = expected - 1;
    if head_seq > last {
        return Ok(report(
            last,
            Some(AuditProblem::Truncated {
                head_seq,
                last_seq: last,
            }),
        ));
    }
    if head_seq < last || head_hash != prev {
        return Ok(report(last, Some(AuditProblem::Edited { seq: last })));
    }
    if let (Some((seq, _)), Some(false) | None) = (&external_head, external_ok) {
        return Ok(report(
            last,
            Some(AuditProblem::ExternalHeadMismatch { seq: *seq }),
        ));
    }
    Ok(report(last, None))
}
