//! Signed checkpoints of the audit chain's head, kept outside the database.
//!
//! A checkpoint says "entry SEQ of the chain had hash HEAD at time AT", signed with Ed25519 by a
//! key that lives in a file beside the other keys, never in the database. Checkpoints are
//! appended, one line each, to a log file outside the database (written by the server on a
//! schedule and by `audit head`), and `audit head` prints the line so a second party can keep it.
//! A chain whose tail was cut and whose head row was rewritten to match then no longer reaches
//! the entry a checkpoint vouches for, and `audit verify` names the first entry missing.
//!
//! A line: `seq=42 head=<64 hex> at=2026-11-01T00:00:00Z key=<16 hex> sig=<128 hex>`. The key id
//! is the first 8 bytes of the SHA-256 of the public key. The signature covers
//! `myna-portal audit checkpoint v1 seq=… head=… at=<unix seconds> key=…`.

use super::{verify_from, Anchor, AnchorKind, AuditProblem, AuditReport};
use crate::store::Db;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

/// The key that signs checkpoints.
#[derive(Clone)]
pub struct CheckpointSigner {
    key: SigningKey,
}

impl std::fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CheckpointSigner(key id {})", self.key_id())
    }
}

impl CheckpointSigner {
    pub fn new(seed: [u8; 32]) -> Self {
        CheckpointSigner {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// Reads the 32-byte seed from `PORTAL_AUDIT_SIGNING_KEY` (64 hex digits) or from `path`,
    /// creating the file with a fresh random seed (mode 0600) when neither exists.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        let seed = crate::service::crypto::load_or_create_secret(
            "PORTAL_AUDIT_SIGNING_KEY",
            path,
            "checkpoint signing key",
        )?;
        Ok(Self::new(seed))
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    pub fn key_id(&self) -> String {
        key_id(&self.verifying_key())
    }

    /// Signs the head `(seq, head)` as of `at` (Unix seconds).
    pub fn sign(&self, seq: i64, head: &[u8], at: i64) -> Checkpoint {
        let key_id = self.key_id();
        let signature = self.key.sign(&message(seq, head, at, &key_id)).to_bytes();
        Checkpoint {
            seq,
            head: head.to_vec(),
            at,
            key_id,
            signature,
        }
    }
}

/// The id of a public key: the first 8 bytes of its SHA-256, in hex.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

fn message(seq: i64, head: &[u8], at: i64, key_id: &str) -> Vec<u8> {
    format!(
        "myna-portal audit checkpoint v1 seq={seq} head={} at={at} key={key_id}",
        hex::encode(head)
    )
    .into_bytes()
}

/// One signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub head: Vec<u8>,
    /// Unix seconds.
    pub at: i64,
    pub key_id: String,
    pub signature: [u8; 64],
}

impl Checkpoint {
    /// The line written to the log and printed for a second party.
    pub fn to_line(&self) -> String {
        format!(
            "seq={} head={} at={} key={} sig={}",
            self.seq,
            hex::encode(&self.head),
            chrono::DateTime::from_timestamp(self.at, 0)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_else(|| self.at.to_string()),
            self.key_id,
            hex::encode(self.signature)
        )
    }

    /// Parses a line as [`Checkpoint::to_line`] writes it; the message says what is wrong.
    pub fn parse(line: &str) -> Result<Checkpoint, String> {
        let mut fields = std::collections::HashMap::new();
        for part in line.split_whitespace() {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not a field (name=value)"))?;
            if fields.insert(k, v).is_some() {
                return Err(format!("the field {k} appears twice"));
            }
        }
        let field = |k: &str| fields.get(k).copied().ok_or(format!("no {k}= field"));
        if fields.len() != 5 {
            return Err("a checkpoint has exactly the fields seq, head, at, key and sig".into());
        }
        let seq: i64 = field("seq")?
            .parse()
            .ok()
            .filter(|s| *s >= 0)
            .ok_or("seq is not a sequence number")?;
        let head = hex::decode(field("head")?)
            .ok()
            .filter(|h| h.len() == 32)
            .ok_or("head is not 64 hex digits")?;
        let at = chrono::DateTime::parse_from_rfc3339(field("at")?)
            .map_err(|_| "at is not a time such as 2026-11-01T00:00:00Z")?
            .timestamp();
        let key_id = field("key")?.to_string();
        if key_id.len() != 16 || hex::decode(&key_id).is_err() {
            return Err("key is not a key id of 16 hex digits".into());
        }
        let signature: [u8; 64] = hex::decode(field("sig")?)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or("sig is not 128 hex digits")?;
        Ok(Checkpoint {
            seq,
            head,
            at,
            key_id,
            signature,
        })
    }

    /// Checks the signature against `key`; the message says what is wrong.
    pub fn check(&self, key: &VerifyingKey) -> Result<(), String> {
        let expected = key_id(key);
        if self.key_id != expected {
            return Err(format!(
                "signed by key {}, not by this portal's checkpoint key {expected}",
                self.key_id
            ));
        }
        key.verify(
            &message(self.seq, &self.head, self.at, &self.key_id),
            &Signature::from_bytes(&self.signature),
        )
        .map_err(|_| "the signature does not match its content".to_string())
    }

    pub fn anchor(&self) -> Anchor {
        Anchor {
            seq: self.seq,
            hash: self.head.clone(),
            kind: AnchorKind::Checkpoint,
        }
    }
}

/// The newest checkpoint of the log at `path` (the one with the highest sequence number; a
/// missing file has none), after checking that every line is a checkpoint signed by `key`.
/// `Err(Ok(problem))` names the first forged or damaged line; `Err(Err(_))` is a read error.
pub fn newest(
    path: &Path,
    key: &VerifyingKey,
) -> Result<Option<Checkpoint>, Result<AuditProblem, std::io::Error>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Err(e)),
    };
    let mut newest: Option<Checkpoint> = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let forged = |reason: String| {
            Err(Ok(AuditProblem::ForgedCheckpoint {
                line: i + 1,
                reason,
            }))
        };
        let c = match Checkpoint::parse(line) {
            Ok(c) => c,
            Err(reason) => return forged(reason),
        };
        if let Err(reason) = c.check(key) {
            return forged(reason);
        }
        if newest.as_ref().is_none_or(|n| c.seq >= n.seq) {
            newest = Some(c);
        }
    }
    Ok(newest)
}

/// Appends one line to the log (created when missing) and flushes it to disk.
pub fn append(path: &Path, c: &Checkpoint) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    file.write_all(format!("{}\n", c.to_line()).as_bytes())?;
    file.sync_data()
}

/// Why a checkpoint was not written.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The chain (or the log) fails verification: a checkpoint would vouch for a broken chain.
    #[error("the audit trail is broken, no checkpoint written: {0}")]
    Broken(AuditProblem),
    #[error("cannot read the audit trail: {0}")]
    Db(#[from] sqlx::Error),
    #[error("cannot read or write the checkpoint log {path}: {error}")]
    Io { path: String, error: std::io::Error },
}

/// What [`write`] did.
#[derive(Debug, Clone)]
pub enum Written {
    /// A new checkpoint was appended.
    New(Checkpoint),
    /// The head had not moved since the newest checkpoint and `only_if_moved` was set.
    Unchanged(Checkpoint),
}

/// Verifies the entries since the newest checkpoint in the log (the whole chain when there is
/// none), then signs the head and appends it. With `only_if_moved`, a head that has not moved
/// since the newest checkpoint is not signed again (the server's schedule).
pub async fn write(
    db: &Db,
    signer: &CheckpointSigner,
    path: &Path,
    now: i64,
    only_if_moved: bool,
) -> Result<Written, CheckpointError> {
    let io = |error| CheckpointError::Io {
        path: path.display().to_string(),
        error,
    };
    let previous = match newest(path, &signer.verifying_key()) {
        Ok(c) => c,
        Err(Ok(problem)) => return Err(CheckpointError::Broken(problem)),
        Err(Err(e)) => return Err(io(e)),
    };
    let report = match &previous {
        Some(c) => verify_from(db, c.seq, &[c.anchor()]).await?,
        None => verify_from(db, 1, &[]).await?,
    };
    if let Some(problem) = report.problem {
        // Found since the last checkpoint; the whole chain names the first entry affected.
        let anchors: Vec<Anchor> = previous.iter().map(Checkpoint::anchor).collect();
        let full = super::verify_against(db, &anchors).await?;
        return Err(CheckpointError::Broken(full.problem.unwrap_or(problem)));
    }
    if let Some(c) = previous.filter(|c| only_if_moved && c.seq == report.head_seq) {
        return Ok(Written::Unchanged(c));
    }
    let c = signer.sign(report.head_seq, &report.head_hash, now);
    append(path, &c).map_err(io)?;
    Ok(Written::New(c))
}

/// Verifies the whole chain against the newest checkpoint of the log at `path` (every line of
/// which must be signed by `key`) and against `more` anchors (a kept head or checkpoint line).
pub async fn verify_with_log(
    db: &Db,
    path: &Path,
    key: &VerifyingKey,
    more: &[Anchor],
) -> Result<(AuditReport, Option<Checkpoint>), CheckpointError> {
    let newest = match newest(path, key) {
        Ok(c) => c,
        Err(Ok(problem)) => {
            let report = AuditReport {
                entries: 0,
                head_seq: 0,
                head_hash: Vec::new(),
                problem: Some(problem),
            };
            return Ok((report, None));
        }
        Err(Err(error)) => {
            return Err(CheckpointError::Io {
                path: path.display().to_string(),
                error,
            })
        }
    };
    let mut anchors: Vec<Anchor> = more.to_vec();
    anchors.extend(newest.as_ref().map(Checkpoint::anchor));
    let report = super::verify_against(db, &anchors).await?;
    Ok((report, newest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_round_trips_and_verifies() {
        let signer = CheckpointSigner::new([3; 32]);
        let c = signer.sign(42, &[0xab; 32], 1_793_491_200);
        let line = c.to_line();
        assert!(line.starts_with("seq=42 head=abab"), "{line}");
        assert!(line.contains(" at=2026-11-01T00:00:00Z "), "{line}");
        let parsed = Checkpoint::parse(&line).unwrap();
        assert_eq!(parsed, c);
        assert_eq!(parsed.check(&signer.verifying_key()), Ok(()));
    }

    #[test]
    fn a_changed_field_or_another_key_fails_the_signature() {
        let signer = CheckpointSigner::new([3; 32]);
        let line = signer.sign(42, &[0xab; 32], 1_793_491_200).to_line();
        let forged = Checkpoint::parse(&line.replace("seq=42", "seq=41")).unwrap();
        assert!(forged.check(&signer.verifying_key()).is_err());
        let other = CheckpointSigner::new([4; 32]);
        let by_other = other.sign(42, &[0xab; 32], 1_793_491_200);
        let err = by_other.check(&signer.verifying_key()).unwrap_err();
        assert!(err.contains("not by this portal's checkpoint key"), "{err}");
    }

    #[test]
    fn malformed_lines_are_named_not_panicked_on() {
        for line in [
            "",
            "garbage",
            "seq=1",
            "seq=x head=00 at=now key=1 sig=2",
            "seq=-1 head=00 at=2026-11-01T00:00:00Z key=0000000000000000 sig=00",
            "seq=1 seq=2 head=00 at=2026-11-01T00:00:00Z key=0000000000000000",
        ] {
            assert!(Checkpoint::parse(line).is_err(), "{line}");
        }
    }
}
