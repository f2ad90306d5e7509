//! No log line, at any level, contains a full My Number or a password.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly: a helper that cannot go on stops the test with the reason"
)]

mod common;

use common::*;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_never_contain_numbers_or_passwords() {
    let buf = Buf::default();
    let writer = buf.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::new(backend).await;
        app.sign_in(A_NUMBER, "wrong-password-1").await;
        app.sign_in(A_NUMBER, "wrong-password-2").await;
        app.sign_in(UNKNOWN_NUMBER, "wrong-password-3").await;
        app.sign_in("1234 5678 9017", PASSWORD).await;
        let cookie = app.session_cookie(B_NUMBER).await;
        app.get("/me", Some(&cookie)).await;
        app.get("/me?reveal=5", Some(&cookie)).await;
        app.sign_in(A_NUMBER, "wrong-password-4").await;
        app.sign_in(A_NUMBER, PASSWORD).await;
    }

    let log = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("now slowed down"),
        "the test did capture the logs"
    );
    for secret in [
        A_NUMBER,
        B_NUMBER,
        UNKNOWN_NUMBER,
        "123456789017",
        PASSWORD,
        "wrong-password-1",
        "wrong-password-4",
    ] {
        assert!(!log.contains(secret), "log contains {secret}");
    }
    assert!(!log.contains("1112223"), "log contains an account number");
}
