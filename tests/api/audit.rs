//! The audit trail's keyed hash chain and its signed checkpoints, on SQLite and PostgreSQL:
//! appends from sign-ins; verification that names an edited, deleted or missing entry; a cut tail
//! with a rewritten head row and an edit re-hashed without the audit key, caught; a deleted head
//! row and a forged checkpoint line, named; and the append-only triggers.

use crate::common::*;
use myna_portal::service::audit::checkpoint::{self, CheckpointSigner, Written};
use myna_portal::service::audit::{record, verify, AnchorKind, AuditProblem};
use myna_portal::store::audit::{keyed_entry_hash, NewAudit};
use myna_portal::store::Db;
use std::path::{Path, PathBuf};

async fn exec(db: &Db, sql: &str) -> Result<(), sqlx::Error> {
    myna_portal::on_db!(db, |p| sqlx::query(sql).execute(p).await.map(|_| ()))
}

/// Runs `sql` as someone with the database in hand would: past the append-only triggers (on
/// SQLite by dropping them from the file, on PostgreSQL as a superuser with triggers off).
async fn tamper(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(p) => {
            for t in [
                "audit_log_no_update",
                "audit_log_no_delete",
                "audit_head_no_delete",
                "audit_head_forward_only",
            ] {
                sqlx::query(&format!("DROP TRIGGER IF EXISTS {t}"))
                    .execute(p)
                    .await
                    .unwrap();
            }
            sqlx::query(sql).execute(p).await.unwrap();
        }
        Db::Postgres(p) => {
            let mut tx = p.begin().await.unwrap();
            sqlx::query("SET LOCAL session_replication_role = replica")
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut *tx).await.unwrap();
            tx.commit().await.unwrap();
        }
    }
}

/// A byte string as an SQL literal of the backend.
fn blob(db: &Db, bytes: &[u8]) -> String {
    match db {
        Db::Sqlite(_) => format!("X'{}'", hex::encode(bytes)),
        Db::Postgres(_) => format!("'\\x{}'::bytea", hex::encode(bytes)),
    }
}

/// A fresh path for a checkpoint log.
fn temp_log() -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "myna-audit-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("audit-checkpoints.log")
}

fn signer() -> CheckpointSigner {
    CheckpointSigner::new([5; 32])
}

/// Six entries from real sign-in traffic.
async fn app_with_entries(b: Backend) -> TestApp {
    let app = TestApp::new(b).await;
    app.sign_in(A_NUMBER, "wrong").await;
    app.sign_in(UNKNOWN_NUMBER, "wrong").await;
    let cookie = app.session_cookie(A_NUMBER).await;
    app.post_form("/auth/logout", "", Some(&cookie)).await;
    app.session_cookie(B_NUMBER).await;
    app.sign_in(B_NUMBER, "wrong").await;
    let r = verify(&app.db, None).await.unwrap();
    assert_eq!(r.problem, None);
    assert_eq!(r.entries, 6);
    app
}

/// Verifies against the newest checkpoint of `log`.
async fn verify_with(app: &TestApp, log: &Path) -> Option<AuditProblem> {
    let (report, _) = checkpoint::verify_with_log(&app.db, log, &signer().verifying_key(), &[])
        .await
        .unwrap();
    report.problem
}

/// Writes a checkpoint of the current head to `log`.
async fn checkpoint_now(app: &TestApp, log: &Path) -> checkpoint::Checkpoint {
    match checkpoint::write(&app.db, &signer(), log, T0, false)
        .await
        .unwrap()
    {
        Written::New(c) => c,
        Written::Unchanged(_) => panic!("a checkpoint was asked for"),
    }
}

async fn sign_ins_are_chained_and_verify(b: Backend) {
    let app = app_with_entries(b).await;
    let rows = app.db.audit_page(0, 100).await.unwrap();
    let actions: Vec<_> = rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "auth.signin_failures",
            "auth.signin_failures",
            "auth.signin_success",
            "auth.signout",
            "auth.signin_success",
            "auth.signin_failures"
        ]
    );
    assert_eq!(rows[0].subject, "account:1");
    assert_eq!(rows[1].subject, "account:unknown");
    for w in rows.windows(2) {
        assert_eq!(w[1].prev_hash, w[0].hash);
    }
    // Each hash is the HMAC under the audit key, which is not in the database.
    for r in &rows {
        assert_eq!(
            keyed_entry_hash(&AUDIT_KEY, &r.prev_hash, r.seq, &r.into()),
            r.hash
        );
    }
    // Nothing identifying beyond internal ids.
    assert!(rows
        .iter()
        .all(|r| !r.detail.contains(A_NUMBER) && !r.detail.contains(PASSWORD)));
}

async fn an_edited_row_is_found(b: Backend) {
    let app = app_with_entries(b).await;
    tamper(
        &app.db,
        "UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3",
    )
    .await;
    let r = verify(&app.db, None).await.unwrap();
    assert_eq!(r.problem, Some(AuditProblem::Edited { seq: 3 }));
    assert_eq!(r.entries, 2);
}

async fn a_deleted_middle_row_is_found(b: Backend) {
    let app = app_with_entries(b).await;
    let log = temp_log();
    checkpoint_now(&app, &log).await;
    tamper(&app.db, "DELETE FROM audit_log WHERE seq = 4").await;
    let r = verify(&app.db, None).await.unwrap();
    assert_eq!(r.problem, Some(AuditProblem::Missing { seq: 4 }));
    assert_eq!(
        verify_with(&app, &log).await,
        Some(AuditProblem::Missing { seq: 4 })
    );
    assert!(AuditProblem::Missing { seq: 4 }
        .to_string()
        .contains("entry 4 is missing"));
}

async fn a_truncated_tail_is_found(b: Backend) {
    let app = app_with_entries(b).await;
    tamper(&app.db, "DELETE FROM audit_log WHERE seq > 4").await;
    let r = verify(&app.db, None).await.unwrap();
    let problem = AuditProblem::Truncated {
        head_seq: 6,
        last_seq: 4,
    };
    assert_eq!(r.problem, Some(problem.clone()));
    assert!(problem.to_string().starts_with("entry 5 is missing"));
}

/// Issue 12: cutting the tail and rewriting the head row to match fooled `audit verify`. The
/// chain alone still cannot tell; the signed checkpoint (or a kept head) names the first entry cut.
async fn a_cut_tail_with_a_rewritten_head_is_caught_by_the_checkpoint(b: Backend) {
    let app = app_with_entries(b).await;
    let log = temp_log();
    let c = checkpoint_now(&app, &log).await;
    assert_eq!(c.seq, 6);
    assert_eq!(verify_with(&app, &log).await, None);

    tamper(&app.db, "DELETE FROM audit_log WHERE seq > 4").await;
    let h4 = app.db.audit_page(3, 1).await.unwrap().remove(0).hash;
    let sql = format!(
        "UPDATE audit_head SET seq = 4, hash = {}",
        blob(&app.db, &h4)
    );
    tamper(&app.db, &sql).await;
    assert_eq!(
        verify(&app.db, None).await.unwrap().problem,
        None,
        "a consistent rewrite fools the chain alone"
    );
    let cut = AuditProblem::Cut {
        last_seq: 4,
        anchor_seq: 6,
        anchor: AnchorKind::Checkpoint,
    };
    assert_eq!(verify_with(&app, &log).await, Some(cut.clone()));
    assert!(cut.to_string().starts_with("entry 5 is missing"), "{cut}");
    // A head kept elsewhere (`--expect-head`) catches it as well.
    assert_eq!(
        verify(&app.db, Some((c.seq, c.head.clone())))
            .await
            .unwrap()
            .problem,
        Some(AuditProblem::Cut {
            last_seq: 4,
            anchor_seq: 6,
            anchor: AnchorKind::ExpectedHead
        })
    );
    // And the server does not sign the shortened chain; it names the first entry cut.
    let err = checkpoint::write(&app.db, &signer(), &log, T0 + 300, true)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, checkpoint::CheckpointError::Broken(p) if *p == cut),
        "{err}"
    );
}

/// Re-hashes entries `from..` after `edit`, as someone who can write the database would, with
/// `hash` standing in for the key they do not have; rewrites the head row to match.
async fn rewrite_chain_from(
    app: &TestApp,
    from: i64,
    edit: &str,
    hash: impl Fn(&[u8], i64, &NewAudit<'_>) -> Vec<u8>,
) {
    let mut rows = app.db.audit_page(0, 100).await.unwrap();
    let mut prev = rows[(from - 2) as usize].hash.clone();
    for row in rows.iter_mut().skip((from - 1) as usize) {
        if row.seq == from {
            row.detail = edit.to_string();
        }
        row.prev_hash = prev.clone();
        row.hash = hash(&row.prev_hash, row.seq, &(&*row).into());
        prev = row.hash.clone();
        let sql = format!(
            "UPDATE audit_log SET detail = '{}', prev_hash = {}, hash = {} WHERE seq = {}",
            row.detail,
            blob(&app.db, &row.prev_hash),
            blob(&app.db, &row.hash),
            row.seq
        );
        tamper(&app.db, &sql).await;
    }
    let sql = format!("UPDATE audit_head SET hash = {}", blob(&app.db, &prev));
    tamper(&app.db, &sql).await;
}

/// Issue 12: editing an entry and re-hashing the rest passed `audit verify`. Without the audit
/// key (a guessed key, or the old unkeyed SHA-256) the edited entry is named.
async fn an_edit_rehashed_without_the_key_is_found(b: Backend) {
    let app = app_with_entries(b).await;
    rewrite_chain_from(&app, 3, "nothing happened", |prev, seq, e| {
        keyed_entry_hash(&[0; 32], prev, seq, e)
    })
    .await;
    let r = verify(&app.db, None).await.unwrap();
    assert_eq!(r.problem, Some(AuditProblem::Edited { seq: 3 }));

    let app = app_with_entries(b).await;
    rewrite_chain_from(&app, 3, "nothing happened", |prev, seq, e| {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(prev);
        h.update(seq.to_be_bytes());
        h.update(e.at.to_be_bytes());
        for field in [e.actor, e.action, e.subject, e.detail] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        h.finalize().to_vec()
    })
    .await;
    let r = verify(&app.db, None).await.unwrap();
    assert_eq!(r.problem, Some(AuditProblem::Edited { seq: 3 }));
}

/// Even someone who has stolen the audit key cannot rewrite what a checkpoint vouches for.
async fn a_rewrite_with_the_key_is_caught_by_the_checkpoint(b: Backend) {
    let app = app_with_entries(b).await;
    let log = temp_log();
    checkpoint_now(&app, &log).await;
    rewrite_chain_from(&app, 3, "nothing happened", |prev, seq, e| {
        keyed_entry_hash(&AUDIT_KEY, prev, seq, e)
    })
    .await;
    assert_eq!(verify(&app.db, None).await.unwrap().problem, None);
    assert_eq!(
        verify_with(&app, &log).await,
        Some(AuditProblem::AnchorMismatch {
            seq: 6,
            anchor: AnchorKind::Checkpoint
        })
    );
}

/// Issue 12: deleting the head row made `verify` fail with a raw SQL error. Now it is named, and
/// an append refuses with a message instead of writing past it.
async fn a_deleted_head_row_is_named(b: Backend) {
    let app = app_with_entries(b).await;
    let log = temp_log();
    checkpoint_now(&app, &log).await;
    tamper(&app.db, "DELETE FROM audit_head").await;
    let r = verify(&app.db, None).await.unwrap();
    let problem = AuditProblem::HeadMissing { last_seq: 6 };
    assert_eq!(r.problem, Some(problem.clone()));
    assert!(problem.to_string().contains("head row"), "{problem}");
    assert_eq!(verify_with(&app, &log).await, Some(problem));
    let err = record(&app.db, T0, "system", "test.append", "x", "")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("audit head row is missing"),
        "{err}"
    );
}

/// The last entry deleted (the one the head row points at), with and without the head row moved
/// back to match.
async fn a_deleted_head_entry_is_found(b: Backend) {
    let app = app_with_entries(b).await;
    let log = temp_log();
    checkpoint_now(&app, &log).await;
    tamper(&app.db, "DELETE FROM audit_log WHERE seq = 6").await;
    assert_eq!(
        verify(&app.db, None).await.unwrap().problem,
        Some(AuditProblem::Truncated {
            head_seq: 6,
            last_seq: 5
        })
    );
    let h5 = app.db.audit_page(4, 1).await.unwrap().remove(0).hash;
    let sql = format!(
        "UPDATE audit_head SET seq = 5, hash = {}",
        blob(&app.db, &h5)
    );
    tamper(&app.db, &sql).await;
    assert_eq!(
        verify_with(&app, &log).await,
        Some(AuditProblem::Cut {
            last_seq: 5,
            anchor_seq: 6,
            anchor: AnchorKind::Checkpoint
        })
    );
}

/// A checkpoint line changed by hand, signed by another key, or not a checkpoint at all is named
/// by its line number, and nothing is checked against it.
async fn a_forged_checkpoint_line_is_named(b: Backend) {
    let app = app_with_entries(b).await;
    let log = temp_log();
    let c = checkpoint_now(&app, &log).await;
    let good = std::fs::read_to_string(&log).unwrap();
    let forged_lines = [
        // A later head claimed with the signature of the real one.
        c.to_line().replace("seq=6 ", "seq=7 "),
        // Signed, but by a key that is not this portal's.
        CheckpointSigner::new([6; 32])
            .sign(6, &c.head, T0)
            .to_line(),
        "not a checkpoint".to_string(),
    ];
    for forged in forged_lines {
        std::fs::write(&log, format!("{good}{forged}\n")).unwrap();
        match verify_with(&app, &log).await {
            Some(AuditProblem::ForgedCheckpoint { line: 2, reason }) => {
                assert!(!reason.is_empty())
            }
            other => panic!("{forged}: {other:?}"),
        }
        // The server does not sign on top of a forged log either.
        assert!(matches!(
            checkpoint::write(&app.db, &signer(), &log, T0, true).await,
            Err(checkpoint::CheckpointError::Broken(
                AuditProblem::ForgedCheckpoint { line: 2, .. }
            ))
        ));
    }
}

/// The server's schedule signs only a head that moved, and verifies the entries since the last
/// checkpoint before it signs.
async fn checkpoints_extend_the_last_one(b: Backend) {
    let app = app_with_entries(b).await;
    let log = temp_log();
    let first = checkpoint_now(&app, &log).await;
    let again = checkpoint::write(&app.db, &signer(), &log, T0 + 300, true)
        .await
        .unwrap();
    assert!(matches!(again, Written::Unchanged(c) if c == first));
    record(&app.db, T0 + 301, "system", "test.append", "x", "")
        .await
        .unwrap();
    let Written::New(second) = checkpoint::write(&app.db, &signer(), &log, T0 + 600, true)
        .await
        .unwrap()
    else {
        panic!("the head moved")
    };
    assert_eq!(second.seq, 7);
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 2);
    // An edit since the last checkpoint stops the next one.
    record(&app.db, T0 + 601, "system", "test.append", "y", "")
        .await
        .unwrap();
    tamper(&app.db, "UPDATE audit_log SET subject = 'z' WHERE seq = 8").await;
    assert!(matches!(
        checkpoint::write(&app.db, &signer(), &log, T0 + 900, true).await,
        Err(checkpoint::CheckpointError::Broken(AuditProblem::Edited {
            seq: 8
        }))
    ));
    assert_eq!(
        verify_with(&app, &log).await,
        Some(AuditProblem::Edited { seq: 8 })
    );
}

/// The application cannot change or remove audit rows, nor move the head row back: the
/// append-only triggers refuse, and appends go on working.
async fn the_application_cannot_update_or_delete_audit_rows(b: Backend) {
    let app = app_with_entries(b).await;
    let h4 = app.db.audit_page(3, 1).await.unwrap().remove(0).hash;
    for sql in [
        "UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3".to_string(),
        "DELETE FROM audit_log WHERE seq = 6".to_string(),
        "DELETE FROM audit_log".to_string(),
        "DELETE FROM audit_head".to_string(),
        format!(
            "UPDATE audit_head SET seq = 4, hash = {}",
            blob(&app.db, &h4)
        ),
        format!("UPDATE audit_head SET hash = {}", blob(&app.db, &h4)),
        "UPDATE audit_head SET seq = seq + 2".to_string(),
    ] {
        let err = exec(&app.db, &sql)
            .await
            .expect_err(&format!("{sql} must be refused"));
        assert!(
            err.to_string().contains("append-only") || err.to_string().contains("audit_head"),
            "{sql}: {err}"
        );
    }
    if let Db::Postgres(_) = &app.db {
        let err = exec(&app.db, "TRUNCATE audit_log").await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    record(&app.db, T0, "system", "test.append", "x", "")
        .await
        .unwrap();
    let r = verify(&app.db, None).await.unwrap();
    assert_eq!((r.entries, r.problem), (7, None));
}

async fn concurrent_appends_never_fork_the_chain(b: Backend) {
    let app = std::sync::Arc::new(TestApp::new(b).await);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            record(
                &app.db,
                T0 + i,
                "system",
                "test.append",
                &format!("n:{i}"),
                "",
            )
            .await
            .unwrap()
        }));
    }
    let mut seqs: Vec<i64> = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort();
    assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
    let r = verify(&app.db, None).await.unwrap();
    assert_eq!((r.entries, r.problem), (40, None));
}

/// Runs `myna-portal` with `args` on the test's SQLite database, with backtraces asked for so a
/// panic would show; (status, stdout, stderr).
fn cli(app: &TestApp, args: &[&str]) -> (i32, String, String) {
    let dir = app
        .url
        .strip_prefix("sqlite://")
        .and_then(|p| std::path::Path::new(p).parent())
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_myna-portal"))
        .args(args)
        .env("DATABASE_URL", &app.url)
        .env("PORTAL_KEY_FILE", dir.join("number.key"))
        .env("PORTAL_AUDIT_KEY", hex::encode(AUDIT_KEY))
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LOG", "warn")
        .env_remove("PORTAL_NUMBER_KEY")
        .env_remove("PORTAL_AUDIT_KEY_FILE")
        .env_remove("PORTAL_AUDIT_SIGNING_KEY")
        .env_remove("PORTAL_AUDIT_SIGNING_KEY_FILE")
        .env_remove("PORTAL_AUDIT_CHECKPOINTS")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace") && !stderr.contains("Error:"),
        "{args:?}: {stderr}"
    );
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

/// The commands: `audit head` signs and prints a checkpoint and appends it to the log beside the
/// keys; `audit verify` checks against it; tampering and bad input give a message and a status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_commands_name_problems_without_a_backtrace() {
    let app = app_with_entries(Backend::Sqlite).await;
    let (code, out, err) = cli(&app, &["audit", "head"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    let head = lines.next().unwrap().to_string();
    assert!(head.starts_with("6:"), "{out}");
    let line = lines.next().unwrap().to_string();
    assert!(line.starts_with("seq=6 head="), "{out}");
    assert!(err.contains("public key"), "{err}");
    let dir = std::path::Path::new(app.url.strip_prefix("sqlite://").unwrap())
        .parent()
        .unwrap();
    let log = std::fs::read_to_string(dir.join("audit-checkpoints.log")).unwrap();
    assert_eq!(log, format!("{line}\n"));
    assert!(dir.join("audit-signing.key").exists());

    let (code, out, _) = cli(&app, &["audit", "verify"]);
    assert_eq!(code, 0);
    assert!(out.contains("Audit trail intact: 6 entries"), "{out}");
    assert!(out.contains("signed checkpoint of entry 6"), "{out}");
    let (code, _, _) = cli(&app, &["audit", "verify", "--expect-head", &head]);
    assert_eq!(code, 0);
    let (code, _, _) = cli(&app, &["audit", "verify", "--checkpoint", &line]);
    assert_eq!(code, 0);

    // Bad input: status 2 and what was expected.
    let (code, _, err) = cli(&app, &["audit", "verify", "--expect-head", "six:zz"]);
    assert_eq!(code, 2);
    assert!(err.contains("--expect-head takes SEQ:HEX"), "{err}");
    // A kept line that was changed: status 1, forged.
    let changed = line.replace("seq=6 ", "seq=9 ");
    let (code, _, err) = cli(&app, &["audit", "verify", "--checkpoint", &changed]);
    assert_eq!(code, 1);
    assert!(err.contains("forged"), "{err}");

    // The head row deleted: named, status 1; and `audit head` signs nothing.
    tamper(&app.db, "DELETE FROM audit_head").await;
    let (code, _, err) = cli(&app, &["audit", "verify"]);
    assert_eq!(code, 1);
    assert!(err.contains("Audit trail broken: the head row"), "{err}");
    let (code, _, err) = cli(&app, &["audit", "head"]);
    assert_eq!(code, 1);
    assert!(err.contains("no checkpoint written"), "{err}");

    // The tail cut and the head row put back to match: the checkpoint names entry 5.
    tamper(&app.db, "DELETE FROM audit_log WHERE seq > 4").await;
    let h4 = app.db.audit_page(3, 1).await.unwrap().remove(0).hash;
    let sql = format!(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, 4, {})",
        blob(&app.db, &h4)
    );
    tamper(&app.db, &sql).await;
    let (code, _, err) = cli(&app, &["audit", "verify"]);
    assert_eq!(code, 1);
    assert!(err.contains("entry 5 is missing"), "{err}");
}

on_both_backends!(
    sign_ins_are_chained_and_verify,
    an_edited_row_is_found,
    a_deleted_middle_row_is_found,
    a_truncated_tail_is_found,
    a_cut_tail_with_a_rewritten_head_is_caught_by_the_checkpoint,
    an_edit_rehashed_without_the_key_is_found,
    a_rewrite_with_the_key_is_caught_by_the_checkpoint,
    a_deleted_head_row_is_named,
    a_deleted_head_entry_is_found,
    a_forged_checkpoint_line_is_named,
    checkpoints_extend_the_last_one,
    the_application_cannot_update_or_delete_audit_rows,
    concurrent_appends_never_fork_the_chain,
);
