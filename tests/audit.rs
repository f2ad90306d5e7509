//! The audit trail's hash chain: appends from sign-ins, and verification that catches an edited
//! row, a deleted row and a truncated tail, on SQLite and PostgreSQL.

mod common;

use common::*;
use myna_portal::service::audit::{record, verify, AuditProblem};
use myna_portal::store::Db;

async fn exec(db: &Db, sql: &str) {
    myna_portal::on_db!(db, |p| sqlx::query(sql).execute(p).await.map(|_| ())).unwrap();
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
    // Nothing identifying beyond internal ids.
    assert!(rows
        .iter()
        .all(|r| !r.detail.contains(A_NUMBER) && !r.detail.contains(PASSWORD)));
}

async fn an_edited_row_is_found(b: Backend) {
    let app = app_with_entries(b).await;
    exec(
        &app.db,
        "UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3",
    )
    .await;
    let r = verify(&app.db, None).await.unwrap();
    assert_eq!(r.problem, Some(AuditProblem::Edited { seq: 3 }));
    assert_eq!(r.entries, 2);
}

async fn a_deleted_row_is_found(b: Backend) {
    let app = app_with_entries(b).await;
    exec(&app.db, "DELETE FROM audit_log WHERE seq = 4").await;
    let r = verify(&app.db, None).await.unwrap();
    assert_eq!(r.problem, Some(AuditProblem::Missing { seq: 4 }));
}

async fn a_truncated_tail_is_found(b: Backend) {
    let app = app_with_entries(b).await;
    let (seq, hash) = app.db.audit_head().await.unwrap();
    exec(&app.db, "DELETE FROM audit_log WHERE seq > 4").await;
    let r = verify(&app.db, None).await.unwrap();
    assert_eq!(
        r.problem,
        Some(AuditProblem::Truncated {
            head_seq: 6,
            last_seq: 4
        })
    );
    // Even with the head rewritten to match, the head kept elsewhere catches it.
    let h4 = app.db.audit_page(3, 1).await.unwrap().remove(0).hash;
    let hex4: String = h4.iter().map(|b| format!("{b:02x}")).collect();
    let sql = match &app.db {
        Db::Sqlite(_) => format!("UPDATE audit_head SET seq = 4, hash = X'{hex4}'"),
        Db::Postgres(_) => format!("UPDATE audit_head SET seq = 4, hash = '\\x{hex4}'"),
    };
    exec(&app.db, &sql).await;
    assert_eq!(
        verify(&app.db, None).await.unwrap().problem,
        None,
        "a consistent rewrite fools the chain alone"
    );
    let r = verify(&app.db, Some((seq, hash))).await.unwrap();
    assert_eq!(
        r.problem,
        Some(AuditProblem::ExternalHeadMismatch { seq: 6 })
    );
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

on_both_backends!(
    sign_ins_are_chained_and_verify,
    an_edited_row_is_found,
    a_deleted_row_is_found,
    a_truncated_tail_is_found,
    concurrent_appends_never_fork_the_chain,
);
