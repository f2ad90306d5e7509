//! The audit trail: an append-only chain of keyed hashes. Every entry's hash is an HMAC (under the
//! audit key, which is never in the database) over the previous entry's hash and the entry's own
//! fields, so an edited, deleted or missing entry is found by [`verify`], and nobody without the
//! key can re-hash the entries after an edit. A cut-off tail with a rewritten head row is caught
//! against a signed checkpoint of an earlier head ([`checkpoint`]), or a head kept elsewhere.

pub mod checkpoint;

use crate::store::audit::{keyed_entry_hash, NewAudit};
use crate::store::Db;

pub use crate::store::audit::install_chain_key;

/// Appends one entry. `detail` must never hold a My Number, a password or an identifier in full.
pub async fn record(
    db: &Db,
    at: i64,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<i64, sqlx::Error> {
    db.append_audit(&NewAudit {
        at,
        actor,
        action,
        subject,
        detail,
    })
    .await
}

/// Where a head to check the chain against came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorKind {
    /// The newest signed checkpoint in the checkpoint log (or one a second party kept).
    Checkpoint,
    /// A head given on the command line (`--expect-head`).
    ExpectedHead,
}

impl std::fmt::Display for AnchorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AnchorKind::Checkpoint => "the signed checkpoint",
            AnchorKind::ExpectedHead => "the head kept elsewhere (--expect-head)",
        })
    }
}

/// A head recorded outside the database: entry `seq` must exist with this hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: Vec<u8>,
    pub kind: AnchorKind,
}

/// The first problem found in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditProblem {
    /// The entry's content or its link to the previous entry was changed.
    Edited { seq: i64 },
    /// An entry is missing (deleted) before the one found next.
    Missing { seq: i64 },
    /// The chain ends before the head row says it does: entries at the end were removed.
    Truncated { head_seq: i64, last_seq: i64 },
    /// The head row does not match the last entry (it was rewritten, or entries were added
    /// without it).
    HeadMismatch { head_seq: i64, last_seq: i64 },
    /// The head row itself is gone.
    HeadMissing { last_seq: i64 },
    /// The chain ends before an entry a checkpoint or a kept head vouches for: the tail was cut.
    Cut {
        last_seq: i64,
        anchor_seq: i64,
        anchor: AnchorKind,
    },
    /// The entry a checkpoint or a kept head vouches for has another hash: the chain was rebuilt.
    AnchorMismatch { seq: i64, anchor: AnchorKind },
    /// A line of the checkpoint log is not a checkpoint signed by this portal's key.
    ForgedCheckpoint { line: usize, reason: String },
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditProblem::Edited { seq: 1 } => write!(
                f,
                "entry 1 was edited (its keyed hash does not match; or the audit key is not the one the chain was written with)"
            ),
            AuditProblem::Edited { seq } => write!(
                f,
                "entry {seq} was edited (its keyed hash or its link to entry {} does not match)",
                seq - 1
            ),
            AuditProblem::Missing { seq } => write!(f, "entry {seq} is missing (deleted)"),
            AuditProblem::Truncated { head_seq, last_seq } => write!(
                f,
                "entry {} is missing: the chain ends at entry {last_seq} but the head row says {head_seq} (entries were removed from the end)",
                last_seq + 1
            ),
            AuditProblem::HeadMismatch { head_seq, last_seq } => write!(
                f,
                "the head row says entry {head_seq} but the chain ends at entry {last_seq} with another hash: the head row was rewritten"
            ),
            AuditProblem::HeadMissing { last_seq } => write!(
                f,
                "the head row (table audit_head) is missing: it was deleted (the chain itself verifies up to entry {last_seq})"
            ),
            AuditProblem::Cut {
                last_seq,
                anchor_seq,
                anchor,
            } => write!(
                f,
                "entry {} is missing: the chain ends at entry {last_seq} but {anchor} vouches for entry {anchor_seq} (the tail was cut and the head rewritten)",
                last_seq + 1
            ),
            AuditProblem::AnchorMismatch { seq, anchor } => write!(
                f,
                "entry {seq} does not match {anchor}: the chain was rewritten"
            ),
            AuditProblem::ForgedCheckpoint { line, reason } => {
                write!(f, "checkpoint log line {line} is forged or damaged: {reason}")
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditReport {
    /// Entries verified before the first problem (all of them when there is none).
    pub entries: i64,
    pub head_seq: i64,
    pub head_hash: Vec<u8>,
    pub problem: Option<AuditProblem>,
}

/// A walk over the chain: the next sequence number expected and the hash it must link to
/// (`None`: the first row walked is taken as it links, for a walk that starts mid-chain at an
/// entry a checkpoint vouches for).
struct Walk<'a> {
    key: &'a [u8; 32],
    expected: i64,
    prev: Option<Vec<u8>>,
    anchors: &'a [Anchor],
}

impl Walk<'_> {
    /// Walks every entry from `expected` on; `Some(problem)` at the first one found.
    async fn run(&mut self, db: &Db) -> Result<Option<AuditProblem>, sqlx::Error> {
        loop {
            let page = db.audit_page(self.expected - 1, 10_000).await?;
            if page.is_empty() {
                return Ok(None);
            }
            for row in page {
                if row.seq != self.expected {
                    return Ok(Some(AuditProblem::Missing { seq: self.expected }));
                }
                let linked = self.prev.as_ref().is_none_or(|p| *p == row.prev_hash);
                if !linked
                    || keyed_entry_hash(self.key, &row.prev_hash, row.seq, &(&row).into())
                        != row.hash
                {
                    return Ok(Some(AuditProblem::Edited { seq: row.seq }));
                }
                if let Some(a) = self
                    .anchors
                    .iter()
                    .find(|a| a.seq == row.seq && a.hash != row.hash)
                {
                    return Ok(Some(AuditProblem::AnchorMismatch {
                        seq: row.seq,
                        anchor: a.kind,
                    }));
                }
                self.prev = Some(row.hash);
                self.expected += 1;
            }
        }
    }

    fn last(&self) -> i64 {
        self.expected - 1
    }
}

/// Walks the whole chain in pages under the installed audit key and checks it against the head
/// row and, when given, a head `(seq, hash)` kept elsewhere.
pub async fn verify(
    db: &Db,
    expect_head: Option<(i64, Vec<u8>)>,
) -> Result<AuditReport, sqlx::Error> {
    let anchors: Vec<Anchor> = expect_head
        .into_iter()
        .map(|(seq, hash)| Anchor {
            seq,
            hash,
            kind: AnchorKind::ExpectedHead,
        })
        .collect();
    verify_from(db, 1, &anchors).await
}

/// As [`verify`], against each anchor (checkpoints or heads kept elsewhere).
pub async fn verify_against(db: &Db, anchors: &[Anchor]) -> Result<AuditReport, sqlx::Error> {
    verify_from(db, 1, anchors).await
}

/// As [`verify`], starting at entry `from` (≥ 1) taken as it links to the one before: for a
/// checkpoint that extends an earlier one, whose entry `from` is among `anchors`.
pub async fn verify_from(
    db: &Db,
    from: i64,
    anchors: &[Anchor],
) -> Result<AuditReport, sqlx::Error> {
    let key = crate::store::audit::chain_key()?;
    let mut walk = Walk {
        key,
        expected: from.max(1),
        prev: (from <= 1).then(|| vec![0u8; 32]),
        anchors,
    };
    let report = |walk: &Walk<'_>, head: Option<&(i64, Vec<u8>)>, problem| AuditReport {
        entries: walk.last(),
        head_seq: head.map_or(walk.last(), |h| h.0),
        head_hash: head
            .map(|h| h.1.clone())
            .or_else(|| walk.prev.clone())
            .unwrap_or_default(),
        problem,
    };
    // The head is read after the walk: every append commits its entry and the head together, so
    // entries up to the head read are all visible; when appends ran during the walk, walk on.
    let mut head = None;
    for _ in 0..5 {
        if let Some(problem) = walk.run(db).await? {
            return Ok(report(&walk, None, Some(problem)));
        }
        head = db.audit_head().await?;
        match &head {
            Some((seq, _)) if *seq > walk.last() => continue,
            _ => break,
        }
    }
    let last = walk.last();
    if let Some(a) = anchors.iter().find(|a| a.seq > last) {
        let problem = AuditProblem::Cut {
            last_seq: last,
            anchor_seq: a.seq,
            anchor: a.kind,
        };
        return Ok(report(&walk, head.as_ref(), Some(problem)));
    }
    let problem = match &head {
        None => Some(AuditProblem::HeadMissing { last_seq: last }),
        Some((seq, _)) if *seq > last => Some(AuditProblem::Truncated {
            head_seq: *seq,
            last_seq: last,
        }),
        Some((seq, hash)) if *seq < last || walk.prev.as_ref().is_some_and(|p| p != hash) => {
            Some(AuditProblem::HeadMismatch {
                head_seq: *seq,
                last_seq: last,
            })
        }
        Some(_) => None,
    };
    Ok(report(&walk, head.as_ref(), problem))
}
