//! Durability: concurrent report submissions against a real server process, `kill -9` in the
//! middle, restart; every reference the server acknowledged is there and the audit chain
//! verifies. On SQLite (synchronous=FULL) and PostgreSQL.

use crate::common::*;
use myna_portal::domain::items::ItemDetails;
use myna_portal::domain::matching::Identity;
use myna_portal::store::bulk::{Batch, NewItem};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ITEMS: i64 = 400;
const FIRST_ITEM: i64 = 1000;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The keys and the checkpoint log of one test's server, in a directory of its own: the
/// audit chain's checkpoints of one database must not meet another's.
fn keyed<'a>(cmd: &'a mut Command, url: &str) -> &'a mut Command {
    let dir = std::env::temp_dir().join(format!(
        "myna-crash-keys-{}-{:x}",
        std::process::id(),
        xxhash_of(url)
    ));
    std::fs::create_dir_all(&dir).expect("key directory");
    cmd.env("PORTAL_NUMBER_KEY", "07".repeat(32))
        .env("PORTAL_AUDIT_KEY", hex_of(&crate::common::AUDIT_KEY))
        .env(
            "PORTAL_AUDIT_SIGNING_KEY_FILE",
            dir.join("audit-signing.key"),
        )
        .env(
            "PORTAL_AUDIT_CHECKPOINTS",
            dir.join("audit-checkpoints.log"),
        )
}

fn xxhash_of(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn start(url: &str, port: u16) -> Child {
    keyed(&mut Command::new(env!("CARGO_BIN_EXE_myna-portal")), url)
        .args(["--database-url", url, "serve"])
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("PORTAL_METRICS_ADDR", "off")
        .env("RUST_LOG", "warn")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server binary")
}

/// One HTTP/1.1 request on its own connection: (status, Location, Set-Cookie, body).
async fn http(
    port: u16,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: &str,
) -> std::io::Result<(u16, String, String, String)> {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n\
         Sec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         {cookie}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).await?;
    let text = String::from_utf8_lossy(&out).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    Ok((
        status,
        header("location"),
        header("set-cookie"),
        body.to_string(),
    ))
}

async fn wait_ready(port: u16) {
    for _ in 0..600 {
        if let Ok((200, ..)) = http(port, "GET", "/healthz", None, "").await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not come up on port {port}");
}

async fn acknowledged_reports_survive_kill_9(b: Backend) {
    let app = TestApp::new(b).await;
    // Resident A gets enough health insurance items to report one per submission.
    let items = (0..ITEMS)
        .map(|k| NewItem {
            id: FIRST_ITEM + k,
            resident_id: 1,
            institution_id: 2,
            link_method: "batch_match",
            snapshot: Identity::default(),
            linked_at: T0 - 86_400,
            details: ItemDetails::HealthInsurance {
                insurer_number: "01130016".into(),
                symbol: "9".into(),
                number: format!("{k}"),
                branch: "00".into(),
                insured_kind: "insured".into(),
                coverage_start: "2024-04-01".into(),
                coverage_end: None,
            },
        })
        .collect();
    app.db
        .insert_batch(
            &Batch {
                residents: vec![],
                items,
            },
            T0,
        )
        .await
        .unwrap();
    app.db.reset_sequences().await.unwrap();

    let port = free_port();
    let mut server = start(&app.url, port);
    wait_ready(port).await;
    let body = format!("my_number={A_NUMBER}&password={}", enc(PASSWORD));
    let (status, location, set_cookie, _) = http(port, "POST", "/auth/login", None, &body)
        .await
        .unwrap();
    assert_eq!((status, location.as_str()), (303, "/me"));
    let cookie = set_cookie.split(';').next().unwrap().to_string();

    // Four clients submit reports as fast as they can; the server is killed mid-stream.
    let next = Arc::new(AtomicI64::new(FIRST_ITEM));
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut clients = Vec::new();
    for _ in 0..4 {
        let (next, acked, cookie) = (next.clone(), acked.clone(), cookie.clone());
        clients.push(tokio::spawn(async move {
            loop {
                let item = next.fetch_add(1, Ordering::SeqCst);
                if item >= FIRST_ITEM + ITEMS {
                    return;
                }
                let body = format!("kind=not_mine&item={item}");
                match http(port, "POST", "/reports", Some(&cookie), &body).await {
                    Ok((303, location, ..)) if location.starts_with("/reports/") => {
                        let r = location
                            .trim_start_matches("/reports/")
                            .trim_end_matches("?submitted=1")
                            .to_string();
                        acked.lock().unwrap().push(r);
                    }
                    Ok((status, location, ..)) => panic!("item {item}: {status} {location}"),
                    // The server is gone: nothing more is acknowledged.
                    Err(_) => return,
                }
            }
        }));
    }
    while acked.lock().unwrap().len() < 30 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill().expect("kill -9"); // SIGKILL on Unix
    server.wait().unwrap();
    for c in clients {
        c.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 30);

    // Restart on the same database: every acknowledged reference is there.
    let port = free_port();
    let mut server = start(&app.url, port);
    wait_ready(port).await;
    for r in &acked {
        let (status, _, _, body) = http(
            port,
            "POST",
            "/api/my_report",
            Some(&cookie),
            &format!("reference={r}"),
        )
        .await
        .unwrap();
        assert_eq!(status, 200, "{r} acknowledged before the crash: {body}");
        assert!(body.contains(r.as_str()), "{r}");
    }
    server.kill().unwrap();
    server.wait().unwrap();

    // The audit chain verifies.
    let verify = keyed(
        &mut Command::new(env!("CARGO_BIN_EXE_myna-portal")),
        &app.url,
    )
    .args(["--database-url", &app.url, "audit", "verify"])
    .current_dir(env!("CARGO_MANIFEST_DIR"))
    .output()
    .unwrap();
    assert!(
        verify.status.success(),
        "audit verify: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    eprintln!(
        "{b:?}: {} reports acknowledged before kill -9, all found",
        acked.len()
    );
}

on_both_backends!(acknowledged_reports_survive_kill_9);
