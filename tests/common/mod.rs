//! Test harness: the real router over a fresh database (SQLite or PostgreSQL), a fixture with two
//! residents, a manual clock, and request helpers that go through `tower::ServiceExt::oneshot`.

#![allow(dead_code, reason = "each test binary uses part of the shared helpers")]

use axum::body::Body;
use axum::Router;
use http::{header, Request, Response, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use myna_portal::domain::items::ItemDetails;
use myna_portal::domain::matching::Identity;
use myna_portal::domain::my_number::MyNumber;
use myna_portal::server::state::{AppState, ServerConfig};
use myna_portal::service::clock::ManualClock;
use myna_portal::service::crypto::{hash_password, NumberHasher};
use myna_portal::store::bulk::{Batch, InstitutionRow, NewItem, NewResident};
use myna_portal::store::Db;
use std::sync::Arc;
use tower::ServiceExt;

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const A_NUMBER: &str = "123456789018";
pub const B_NUMBER: &str = "987654321093";
pub const UNKNOWN_NUMBER: &str = "012345678903";
/// Resident C: the person whose health insurance was linked to A (same kana, birth date, sex).
pub const C_NUMBER: &str = "555123456787";
/// Every test staff member's TOTP secret (RFC 6238's test seed).
pub const STAFF_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// Test staff: (username, role, institution).
pub const STAFF: &[(&str, &str, Option<i64>)] = &[
    ("cw_insurer", "caseworker", Some(2)),
    ("cw_insurer2", "caseworker", Some(2)),
    ("cw_city", "caseworker", Some(1)),
    ("supervisor", "supervisor", None),
    ("supervisor2", "supervisor", None),
    ("helpdesk", "helpdesk", None),
    ("admin", "administrator", None),
];
pub const PASSWORD: &str = "correct horse battery";
/// 2026-11-01T00:00:00Z
pub const T0: i64 = 1_793_491_200;

pub struct TestApp {
    pub router: Router,
    pub db: Db,
    pub clock: ManualClock,
    pub state: AppState,
    pub a_items: Vec<i64>,
    pub b_items: Vec<i64>,
    /// The database's URL, for a second server instance over the same data.
    pub url: String,
    pg_name: Option<String>,
}

/// The audit key every test process writes its chains under.
pub const AUDIT_KEY: [u8; 32] = [9; 32];

pub async fn fresh_db(backend: Backend) -> (Db, String, Option<String>) {
    myna_portal::store::audit::install_chain_key(AUDIT_KEY)
        .expect("one audit key per test process");
    match backend {
        Backend::Sqlite => {
            // A file, so that several connections really run concurrently.
            let dir = std::env::temp_dir().join(format!("myna-test-{}", uuid_like()));
            std::fs::create_dir_all(&dir).unwrap();
            let url = format!("sqlite://{}/portal.db", dir.display());
            (Db::connect(&url).await.expect("sqlite"), url, None)
        }
        Backend::Postgres => {
            let admin_url = std::env::var("TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("myna_test_{}", uuid_like());
            let admin = sqlx::PgPool::connect(&admin_url)
                .await
                .expect("PostgreSQL at TEST_POSTGRES_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(&admin_url);
            let url = format!("{base}/{name}");
            (Db::connect(&url).await.expect("postgres"), url, Some(name))
        }
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{}_{}_{}",
        std::process::id(),
        t % 1_000_000_000_000,
        N.fetch_add(1, Ordering::SeqCst)
    )
}

fn identity(kanji: &str, kana: &str, birth: &str, sex: &str, addr: &str) -> Identity {
    Identity {
        name_kanji: Some(kanji.into()),
        name_kana: Some(kana.into()),
        birth_date: Some(birth.into()),
        sex: Some(sex.into()),
        address: Some(addr.into()),
    }
}

fn resident(id: i64, hasher: &NumberHasher, number: &str, who: &Identity) -> NewResident {
    let n = MyNumber::parse(number).unwrap();
    NewResident {
        id,
        my_number_hash: hasher.hash(&n),
        my_number_last4: n.last4(),
        resident_code: format!("{:011}", 10_000_000_000i64 + id),
        name_kanji: who.name_kanji.clone().unwrap(),
        name_kana: who.name_kana.clone().unwrap(),
        birth_date: who.birth_date.clone().unwrap(),
        sex: who.sex.clone().unwrap(),
        address: who.address.clone().unwrap(),
        municipality_code: "131016".into(),
        household_id: id,
        relationship: "head".into(),
    }
}

fn app_state(db: Db, clock: &ManualClock) -> AppState {
    let options = LeptosOptions::builder()
        .output_name("myna-portal")
        .site_root("target/site")
        .build();
    AppState::new(
        options,
        db,
        NumberHasher::new([7; 32]),
        Arc::new(clock.clone()),
        ServerConfig {
            secure_cookies: false,
            // The per-client limits have tests of their own (tests/api/web.rs); here every request
            // comes from one address with no socket.
            throttle: None,
            ..ServerConfig::default()
        },
    )
}

impl TestApp {
    /// Another server instance over the same database: its own connection pool and state, as a
    /// second process would have; only the clock is shared (the same wall time).
    /// The state of a second server process on the same database (its own pool and worker).
    pub async fn second_state(&self) -> AppState {
        let db = Db::connect(&self.url).await.expect("second pool");
        app_state(db, &self.clock)
    }

    /// The router over this database with another server configuration (secure mode, limits).
    pub fn router_with(&self, config: ServerConfig) -> Router {
        let options = LeptosOptions::builder()
            .output_name("myna-portal")
            .site_root("target/site")
            .build();
        myna_portal::server::router(AppState::new(
            options,
            self.db.clone(),
            NumberHasher::new([7; 32]),
            Arc::new(self.clock.clone()),
            config,
        ))
    }

    pub async fn second_server(&self) -> Router {
        let db = Db::connect(&self.url).await.expect("second pool");
        myna_portal::server::router(app_state(db, &self.clock))
    }

    pub async fn new(backend: Backend) -> Self {
        let (db, url, pg_name) = fresh_db(backend).await;
        db.migrate().await.expect("migrations");
        let hasher = NumberHasher::new([7; 32]);
        let clock = ManualClock::at(T0);

        db.insert_institutions(&[
            InstitutionRow {
                id: 1,
                kind: "municipality".into(),
                code: "131016".into(),
                name_ja: "東京都千代田区".into(),
                name_en: "Chiyoda City, Tokyo".into(),
            },
            InstitutionRow {
                id: 2,
                kind: "insurer".into(),
                code: "01130016".into(),
                name_ja: "全国健康保険協会 東京支部".into(),
                name_en: "Japan Health Insurance Association, Tokyo".into(),
            },
            InstitutionRow {
                id: 3,
                kind: "digital_agency".into(),
                code: "DA".into(),
                name_ja: "デジタル庁".into(),
                name_en: "Digital Agency".into(),
            },
            InstitutionRow {
                id: 4,
                kind: "pension".into(),
                code: "JPS".into(),
                name_ja: "日本年金機構".into(),
                name_en: "Japan Pension Service".into(),
            },
        ])
        .await
        .unwrap();

        let a = identity(
            "高橋　一郎",
            "タカハシ イチロウ",
            "1980-05-01",
            "M",
            "東京都千代田区霞が関2丁目1番2号",
        );
        let b = identity(
            "佐藤　花子",
            "サトウ ハナコ",
            "1975-02-14",
            "F",
            "東京都千代田区丸の内1丁目1番1号",
        );
        // Someone else with A's kana name, birth date and sex: their insurance landed on A.
        let other = identity(
            "高橋　市朗",
            "タカハシ イチロウ",
            "1980-05-01",
            "M",
            "大阪府大阪市北区梅田3-1-1",
        );
        let rr = |code: &str, addr: &str, head: &str| ItemDetails::ResidentRecord {
            resident_code: code.into(),
            address: addr.into(),
            household_head: head.into(),
            relationship: "head".into(),
            history: "2010-04-01 転入".into(),
        };
        let batch = Batch {
            residents: vec![
                resident(1, &hasher, A_NUMBER, &a),
                resident(2, &hasher, B_NUMBER, &b),
                resident(3, &hasher, C_NUMBER, &other),
            ],
            items: vec![
                NewItem {
                    id: 1,
                    resident_id: 1,
                    institution_id: 1,
                    link_method: "number_on_application",
                    snapshot: a.clone(),
                    linked_at: T0 - 86_400 * 400,
                    details: rr(
                        "10000000001",
                        "東京都千代田区霞が関2丁目1番2号",
                        "高橋　一郎",
                    ),
                },
                NewItem {
                    id: 2,
                    resident_id: 1,
                    institution_id: 2,
                    link_method: "batch_match",
                    snapshot: other.clone(),
                    linked_at: T0 - 86_400 * 100,
                    details: ItemDetails::HealthInsurance {
                        insurer_number: "01130016".into(),
                        symbol: "4821".into(),
                        number: "317".into(),
                        branch: "00".into(),
                        insured_kind: "insured".into(),
                        coverage_start: "2024-04-01".into(),
                        coverage_end: None,
                    },
                },
                NewItem {
                    id: 3,
                    resident_id: 1,
                    institution_id: 3,
                    link_method: "number_on_application",
                    snapshot: Identity {
                        name_kana: Some("ﾀｶﾊｼ ｲﾁﾛｳ".into()),
                        ..Identity::default()
                    },
                    linked_at: T0 - 86_400 * 50,
                    details: ItemDetails::PublicFundAccount {
                        bank_code: "0005".into(),
                        bank_name: "三菱UFJ銀行".into(),
                        branch_code: "123".into(),
                        branch_name: "丸の内支店".into(),
                        account_type: "ordinary".into(),
                        account_number: "7654321".into(),
                        holder_kana: "ﾀｶﾊｼ ｲﾁﾛｳ".into(),
                    },
                },
                NewItem {
                    id: 4,
                    resident_id: 2,
                    institution_id: 1,
                    link_method: "number_on_application",
                    snapshot: b.clone(),
                    linked_at: T0 - 86_400 * 300,
                    details: rr(
                        "10000000002",
                        "東京都千代田区丸の内1丁目1番1号",
                        "佐藤　花子",
                    ),
                },
                NewItem {
                    id: 5,
                    resident_id: 2,
                    institution_id: 3,
                    link_method: "number_on_application",
                    snapshot: Identity {
                        name_kana: Some("サトウ ハナコ".into()),
                        ..Identity::default()
                    },
                    linked_at: T0 - 86_400 * 20,
                    details: ItemDetails::PublicFundAccount {
                        bank_code: "0001".into(),
                        bank_name: "みずほ銀行".into(),
                        branch_code: "001".into(),
                        branch_name: "本店".into(),
                        account_type: "ordinary".into(),
                        account_number: "1112223".into(),
                        holder_kana: "サトウ ハナコ".into(),
                    },
                },
            ],
        };
        db.insert_batch(&batch, T0).await.unwrap();
        db.reset_sequences().await.unwrap();
        let pw = hash_password(PASSWORD);
        db.upsert_account(1, &pw, T0).await.unwrap();
        db.upsert_account(2, &pw, T0).await.unwrap();
        db.upsert_account(3, &pw, T0).await.unwrap();
        for (username, role, institution_id) in STAFF {
            db.upsert_staff(
                &myna_portal::store::staff::NewStaff {
                    username,
                    display_name: &format!("{username} name"),
                    role,
                    institution_id: *institution_id,
                    password_hash: &pw,
                    totp_secret: STAFF_SECRET,
                },
                T0,
            )
            .await
            .unwrap();
        }

        let state = app_state(db.clone(), &clock);
        let router = myna_portal::server::router(state.clone());
        TestApp {
            router,
            db,
            clock,
            state,
            a_items: vec![1, 2, 3],
            b_items: vec![4, 5],
            url,
            pg_name,
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Response<Body> {
        let what = format!("{} {}", req.method(), req.uri());
        match tokio::time::timeout(
            std::time::Duration::from_secs(30),
            self.router.clone().oneshot(req),
        )
        .await
        {
            Ok(res) => res.unwrap(),
            Err(_) => panic!("no answer within 30 s to {what}"),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Response<Body> {
        let mut b = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    /// A same-origin form POST, as a browser sends it.
    pub async fn post_form(&self, path: &str, body: &str, cookie: Option<&str>) -> Response<Body> {
        let mut b = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, "http://127.0.0.1:3000")
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(body.to_string())).unwrap())
            .await
    }

    pub async fn sign_in(&self, number: &str, password: &str) -> Response<Body> {
        let body = format!("my_number={}&password={}", enc(number), enc(password));
        self.post_form("/auth/login", &body, None).await
    }

    /// Signs in and returns the `Cookie` header value for the session.
    pub async fn session_cookie(&self, number: &str) -> String {
        let res = self.sign_in(number, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/me");
        cookie_pair(&res).expect("session cookie")
    }
}

impl TestApp {
    /// Signs a staff member in (password and the current TOTP code) and returns the `Cookie`
    /// header value. The clock moves on 30 s first, so each sign-in has a fresh code.
    pub async fn staff_cookie(&self, username: &str) -> String {
        self.clock.advance(30);
        let code =
            myna_portal::service::staff_auth::totp_code(STAFF_SECRET, self.clock_now()).unwrap();
        let body = format!("username={username}&password={}&code={code}", enc(PASSWORD));
        let res = self.post_form("/staff/auth/login", &body, None).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{username}");
        let cookie = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("staff="))
            .unwrap_or_else(|| panic!("{username} did not get a session: {}", location(&res)));
        cookie.split(';').next().unwrap().to_string()
    }

    pub fn clock_now(&self) -> i64 {
        myna_portal::service::clock::Clock::now(&self.clock)
    }

    /// Calls a server function (form-encoded arguments) and returns status and body.
    pub async fn call(&self, path: &str, body: &str, cookie: Option<&str>) -> (StatusCode, String) {
        let mut b = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        let res = self
            .send(b.body(Body::from(body.to_string())).unwrap())
            .await;
        let status = res.status();
        (status, body_text(res).await)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Best effort; a leftover test database does no harm. On a thread of its own (a
            // runtime cannot block inside another), joined so the database is gone before exit.
            let admin_url = std::env::var("TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let dropper = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(admin) = sqlx::PgPool::connect(&admin_url).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&admin)
                                .await;
                        admin.close().await;
                    }
                });
            });
            let _ = dropper.join();
        }
    }
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn location(res: &Response<Body>) -> String {
    res.headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The `name=value` of the session cookie a response sets.
pub fn cookie_pair(res: &Response<Body>) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("session="))
        .map(|c| c.split(';').next().unwrap().to_string())
}

pub async fn body_text(res: Response<Body>) -> String {
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8_lossy(&bytes).to_string()
}

/// Declares a scenario once and runs it against both databases.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await;
                }
            )*
        }
    };
}
