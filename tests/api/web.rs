//! Integration tests through the real router, on SQLite and on PostgreSQL.

use crate::common::*;
use axum::body::Body;
use http::{header, Request, StatusCode};
use myna_portal::domain::signin::{ABSOLUTE_TIMEOUT_SECS, BACKOFF_FORGET_SECS, IDLE_TIMEOUT_SECS};

async fn sign_in_shows_own_items_in_six_categories(b: Backend) {
    let app = TestApp::new(b).await;
    let res = app.sign_in(A_NUMBER, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/me");
    let set_cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let token = set_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("session=");
    assert!(token.len() >= 43, "token carries at least 128 random bits");

    let cookie = cookie_pair(&res).unwrap();
    let res = app.get("/me", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers().get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let html = body_text(res).await;
    for cat in [
        "住民票・世帯",
        "税・所得",
        "健康保険",
        "年金",
        "障害者手帳",
        "公金受取口座",
    ] {
        assert!(html.contains(cat), "category {cat} missing");
    }
    assert!(html.contains("高橋　一郎"));
    assert!(html.contains("全国健康保険協会 東京支部"));
    // The wrongly linked record's match card shows the other person's name and a difference.
    assert!(html.contains("高橋　市朗"));
    assert!(html.contains("badge-differs"));
    // Coded values are shown in words.
    assert!(html.contains("男性"));
    // Half-width kana on the account counts as the same.
    assert!(html.contains("badge-same"));
    // Empty categories say so.
    assert!(html.contains("このカテゴリに紐付けられた情報はありません。"));
    // Identifiers are masked, and the full My Number is nowhere in the page.
    assert!(html.contains("****321"));
    assert!(!html.contains("7654321"));
    assert!(!html.contains(A_NUMBER));
    assert!(html.contains("**** **** 9018"));
    // Nothing of B's.
    assert!(!html.contains("佐藤"));
    assert!(!html.contains("みずほ銀行"));

    // Every page's frame offers sign-out while signed in, and only then.
    let home = body_text(app.get("/", Some(&cookie)).await).await;
    assert!(home.contains("action=\"/auth/logout\"") && home.contains("高橋　一郎 さん"));
    let anonymous = body_text(app.get("/", None).await).await;
    assert!(!anonymous.contains("/auth/logout"));
}

async fn reveal_works_only_for_own_items(b: Backend) {
    let app = TestApp::new(b).await;
    let cookie = app.session_cookie(A_NUMBER).await;
    let html = body_text(app.get("/me?reveal=3", Some(&cookie)).await).await;
    assert!(
        html.contains("7654321"),
        "own account number revealed on request"
    );
    for id in &app.b_items {
        let res = app.get(&format!("/me?reveal={id}"), Some(&cookie)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = body_text(res).await;
        assert!(
            !html.contains("1112223") && !html.contains("みずほ銀行") && !html.contains("佐藤")
        );
    }
    // The server function, called directly with B's item, answers with A's data only.
    let res = app
        .send(
            Request::post("/api/my_data")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, &cookie)
                .body(Body::from("reveal=5"))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let json = body_text(res).await;
    assert!(json.contains("高橋") && !json.contains("佐藤") && !json.contains("1112223"));
}

async fn anonymous_and_forged_sessions_are_sent_to_sign_in(b: Backend) {
    let app = TestApp::new(b).await;
    let res = app.get("/me", None).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/login");
    let res = app.get("/me", Some("session=forged-token-value")).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/login?error=session_expired");
    let res = app
        .get("/me", Some(&format!("session={}", "x".repeat(5000))))
        .await;
    assert!(res.status().is_redirection());
    // The server function without a session: 401, no data.
    let res = app
        .send(
            Request::post("/api/my_data")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(""))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn bad_sign_in_input_gets_a_clear_message(b: Backend) {
    let app = TestApp::new(b).await;
    for (number, code) in [
        ("123456789017", "number_check_digit"),
        ("12345", "number_length"),
        ("", "number_empty"),
        ("12345678901x", "number_not_digits"),
    ] {
        let res = app.sign_in(number, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), format!("/login?error={code}"));
    }
    let long = "1".repeat(10_000);
    let res = app.sign_in(&long, PASSWORD).await;
    assert_eq!(location(&res), "/login?error=number_length");
    let res = app.sign_in(A_NUMBER, &"p".repeat(10_000)).await;
    assert_eq!(location(&res), "/login?error=password_too_long");
    let res = app.sign_in(A_NUMBER, "").await;
    assert_eq!(location(&res), "/login?error=password_missing");
    // Full-width digits, spaces and hyphens are accepted.
    let res = app.sign_in("１２３４ ５６７８－９０１８", PASSWORD).await;
    assert_eq!(location(&res), "/me");

    // The page shows the message in words, and the number is never in the URL.
    let html = body_text(app.get("/login?error=number_check_digit", None).await).await;
    assert!(html.contains("検査用数字が一致しません"), "message shown");
    assert!(html.contains("aria-invalid=\"true\""));
    let html = body_text(app.get("/login?error=%3Cscript%3E", None).await).await;
    assert!(!html.contains("<script>alert"));

    // Wrong content type and a missing body are 4xx, not 500.
    let res = app
        .send(
            Request::post("/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"my_number":"123456789018"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        body_text(res).await.contains("送信形式が正しくありません"),
        "message in the chosen language"
    );
    let res = app
        .send(
            Request::post("/api/my_data")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let cookie = app.session_cookie(A_NUMBER).await;
    let res = app
        .send(
            Request::post("/api/my_data")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, &cookie)
                .body(Body::from("reveal=not-a-number"))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .post_form(
            "/auth/login",
            &format!("my_number={}", "9".repeat(70_000)),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let res = app.get("/no/such/page", None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn unknown_number_and_wrong_password_answer_alike(b: Backend) {
    let app = TestApp::new(b).await;
    // Best of three, to keep scheduler noise out of a gross-difference check.
    let mut t_unknown = std::time::Duration::MAX;
    let mut t_wrong = std::time::Duration::MAX;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let unknown = app.sign_in(UNKNOWN_NUMBER, "whatever").await;
        t_unknown = t_unknown.min(t.elapsed());
        assert_eq!(location(&unknown), "/login?error=bad_credentials");
        let t = std::time::Instant::now();
        let wrong = app.sign_in(B_NUMBER, "whatever").await;
        t_wrong = t_wrong.min(t.elapsed());
        assert_eq!(unknown.status(), wrong.status());
        assert_eq!(location(&wrong), "/login?error=bad_credentials");
        // One failure per number at a time, so neither number waits during this check.
        assert_eq!(location(&app.sign_in(B_NUMBER, PASSWORD).await), "/me");
        app.clock.advance(BACKOFF_FORGET_SECS);
    }
    // Both pay for one argon2 verification (not a timing benchmark: a gross-difference check).
    let (lo, hi) = if t_unknown < t_wrong {
        (t_unknown, t_wrong)
    } else {
        (t_wrong, t_unknown)
    };
    assert!(
        hi < lo * 3 + std::time::Duration::from_millis(30),
        "unknown {t_unknown:?} vs wrong {t_wrong:?}"
    );
}

const WAIT_1: &str = "/login?error=try_later&wait=1";

// Replaces the old three-strike permanent lock test: three failures now start a back-off.
async fn three_failures_start_a_back_off_and_success_resets(b: Backend) {
    let app = TestApp::new(b).await;
    // Two failures, then a success, resets the count.
    for _ in 0..2 {
        assert_eq!(
            location(&app.sign_in(A_NUMBER, "nope").await),
            "/login?error=bad_credentials"
        );
    }
    assert_eq!(location(&app.sign_in(A_NUMBER, PASSWORD).await), "/me");
    for _ in 0..2 {
        assert_eq!(
            location(&app.sign_in(A_NUMBER, "nope").await),
            "/login?error=bad_credentials"
        );
    }
    // The third failure starts a one-minute wait, and says so.
    assert_eq!(location(&app.sign_in(A_NUMBER, "nope").await), WAIT_1);
    // During the wait even the right password is refused, without being checked.
    app.clock.advance(59);
    assert_eq!(location(&app.sign_in(A_NUMBER, PASSWORD).await), WAIT_1);
    let html = body_text(app.get(WAIT_1, None).await).await;
    assert!(html.contains("1分後にもう一度"), "{html}");
    // B is unaffected.
    assert_eq!(location(&app.sign_in(B_NUMBER, PASSWORD).await), "/me");
    // When the minute is over the owner gets in, and is told of the four failed attempts.
    app.clock.advance(1);
    let res = app.sign_in(A_NUMBER, PASSWORD).await;
    assert_eq!(location(&res), "/me");
    let notices = app.db.notices_of(1).await.unwrap();
    let told = notices
        .iter()
        .find(|n| n.kind == "signin_failures")
        .expect("a notice of the failed attempts");
    assert!(told.params.contains("n=4"), "{}", told.params);
    let cookie = cookie_pair(&res).unwrap();
    let inbox = body_text(app.get("/inbox", Some(&cookie)).await).await;
    assert!(inbox.contains("4回"), "the inbox tells the owner");
    // Staff unlock clears a back-off at once.
    for _ in 0..3 {
        app.sign_in(A_NUMBER, "nope").await;
    }
    assert_eq!(location(&app.sign_in(A_NUMBER, PASSWORD).await), WAIT_1);
    let n = myna_portal::domain::my_number::MyNumber::parse(A_NUMBER).unwrap();
    assert!(app.state.auth.unlock(&n).await.unwrap());
    assert_eq!(location(&app.sign_in(A_NUMBER, PASSWORD).await), "/me");
}

// Replaces the old "locks after exactly three" test: exactly three attempts are checked.
async fn fifty_parallel_wrong_attempts_check_exactly_three(b: Backend) {
    let app = std::sync::Arc::new(TestApp::new(b).await);
    let mut tasks = Vec::new();
    for i in 0..50 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let res = app.sign_in(A_NUMBER, &format!("wrong-{i}")).await;
            if res.status() == StatusCode::SERVICE_UNAVAILABLE {
                // The argon2 queue was full: shed at once, with a time to come back.
                assert_eq!(res.headers()[header::RETRY_AFTER], "1");
                return "busy".to_string();
            }
            location(&res)
        }));
    }
    let (mut bad, mut wait, mut busy) = (0, 0, 0);
    for t in tasks {
        match t.await.unwrap().as_str() {
            "/login?error=bad_credentials" => bad += 1,
            WAIT_1 => wait += 1,
            "busy" => busy += 1,
            other => panic!("unexpected answer {other}"),
        }
    }
    // Three passwords were checked: the first two answer "wrong", the third starts the wait;
    // the rest waited or were shed, none checked.
    assert_eq!(bad, 2);
    assert_eq!(wait + busy, 48);
    assert!(wait >= 1);
    let n = myna_portal::domain::my_number::MyNumber::parse(A_NUMBER).unwrap();
    let key = app.state.auth.hasher.hash(&n);
    let row = app.db.backoff(&key).await.unwrap().unwrap();
    assert_eq!(row.attempts, 3, "admitted exactly three");
    assert_eq!(
        row.failed_total,
        50 - busy,
        "every attempt that got an answer is counted"
    );
    // The right password waits its minute like any other, then gets in.
    assert_eq!(location(&app.sign_in(A_NUMBER, PASSWORD).await), WAIT_1);
    app.clock.advance(60);
    assert_eq!(location(&app.sign_in(A_NUMBER, PASSWORD).await), "/me");
}

/// A response as a stranger can compare it: status, headers but the per-response ones (request
/// id, date, the CSP nonce), body.
async fn observable(res: http::Response<Body>) -> String {
    let mut out = format!("{}\n", res.status());
    let mut headers: Vec<String> = res
        .headers()
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "x-request-id" | "date"))
        .map(|(k, v)| {
            let v = v.to_str().unwrap();
            let v = match v.find("'nonce-") {
                Some(i) => format!("{}{}", &v[..i], &v[i..].split_once("' ").unwrap().1),
                None => v.to_string(),
            };
            format!("{k}: {v}")
        })
        .collect();
    headers.sort();
    out.push_str(&headers.join("\n"));
    out.push_str("\n\n");
    out.push_str(&body_text(res).await);
    out
}

async fn a_strangers_fifty_wrong_passwords_look_the_same_on_known_and_unknown_numbers(b: Backend) {
    let app = TestApp::new(b).await;
    let mut answers = Vec::new();
    for i in 0..50 {
        let known = observable(app.sign_in(A_NUMBER, &format!("guess-{i}")).await).await;
        let unknown = observable(app.sign_in(UNKNOWN_NUMBER, &format!("guess-{i}")).await).await;
        assert_eq!(known, unknown, "attempt {}", i + 1);
        answers.push(known);
        if i % 7 == 6 {
            app.clock.advance(20);
        }
    }
    assert!(answers[0].contains("error=bad_credentials"));
    assert!(answers[2].contains("error=try_later&wait=1"));
    assert!(answers[49].contains("error=try_later"));
    // The page a stranger lands on is the same too.
    let known = observable(app.get("/login?error=try_later&wait=1", None).await).await;
    let unknown = observable(app.get("/login?error=try_later&wait=1", None).await).await;
    assert_eq!(known.len(), unknown.len());
    // The owner is never locked out for good: after the wait the right password gets in.
    app.clock.advance(BACKOFF_FORGET_SECS);
    assert_eq!(location(&app.sign_in(A_NUMBER, PASSWORD).await), "/me");
    // The unknown number's row is kept for 90 days, then housekeeping forgets it.
    let unknown = myna_portal::domain::my_number::MyNumber::parse(UNKNOWN_NUMBER).unwrap();
    let key = app.state.auth.hasher.hash(&unknown);
    assert_eq!(app.state.auth.prune_backoff().await.unwrap(), 0);
    assert!(app.db.backoff(&key).await.unwrap().is_some());
    app.clock
        .advance(myna_portal::domain::signin::BACKOFF_KEEP_SECS);
    assert_eq!(app.state.auth.prune_backoff().await.unwrap(), 1);
    assert!(app.db.backoff(&key).await.unwrap().is_none());
}

async fn the_back_off_schedule_on_an_injected_clock(b: Backend) {
    let app = TestApp::new(b).await;
    // Someone who tries again the moment each wait ends waits 1, 5, 30 minutes, then 2 hours
    // for good; known and unknown numbers alike.
    for number in [A_NUMBER, UNKNOWN_NUMBER] {
        let try_once = || async { location(&app.sign_in(number, "wrong").await) };
        assert_eq!(try_once().await, "/login?error=bad_credentials");
        assert_eq!(try_once().await, "/login?error=bad_credentials");
        assert_eq!(try_once().await, WAIT_1);
        for (wait, next) in [(60, 5), (300, 30), (1800, 120), (7200, 120), (7200, 120)] {
            app.clock.advance(wait - 1);
            assert!(try_once().await.starts_with("/login?error=try_later&wait="));
            app.clock.advance(1);
            assert_eq!(
                try_once().await,
                format!("/login?error=try_later&wait={next}"),
                "{number} after waiting {wait} s"
            );
        }
        app.clock.advance(BACKOFF_FORGET_SECS);
    }
    // Staff usernames, real or not, follow the same schedule.
    for username in ["cw_city", "no_such_user"] {
        for _ in 0..2 {
            let res = app
                .post_form(
                    "/staff/auth/login",
                    &format!("username={username}&password=wrong&code=123456"),
                    None,
                )
                .await;
            assert_eq!(location(&res), "/staff/login?error=bad_credentials");
        }
        let res = app
            .post_form(
                "/staff/auth/login",
                &format!("username={username}&password=wrong&code=123456"),
                None,
            )
            .await;
        assert_eq!(location(&res), "/staff/login?error=try_later&wait=1");
    }
    // The staff unlock clears a username's wait.
    assert!(app.state.staff_auth.unlock("cw_city").await.unwrap());
    app.staff_cookie("cw_city").await;
}

async fn failed_attempts_are_summarised_in_the_audit_log(b: Backend) {
    let app = TestApp::new(b).await;
    let before = app.db.audit_head().await.unwrap().expect("audit head").0;
    for i in 0..40 {
        app.sign_in(UNKNOWN_NUMBER, &format!("guess-{i}")).await;
        app.sign_in(A_NUMBER, &format!("guess-{i}")).await;
    }
    let after = app.db.audit_head().await.unwrap().expect("audit head").0;
    // One summary per number in the window, not one entry per attempt.
    assert_eq!(after - before, 2, "80 failures, two audit entries");
    app.clock.advance(16 * 60);
    app.sign_in(A_NUMBER, "again").await;
    let last = app.db.audit_head().await.unwrap().expect("audit head").0;
    assert_eq!(last - after, 1, "the next window gets its summary");
}

async fn sessions_expire_when_idle_and_absolutely(b: Backend) {
    let app = TestApp::new(b).await;
    let cookie = app.session_cookie(A_NUMBER).await;
    app.clock.advance(IDLE_TIMEOUT_SECS - 60);
    assert_eq!(app.get("/me", Some(&cookie)).await.status(), StatusCode::OK);
    app.clock.advance(IDLE_TIMEOUT_SECS + 1);
    let res = app.get("/me", Some(&cookie)).await;
    assert_eq!(location(&res), "/login?error=session_expired");

    // Active every 10 minutes: alive until 12 hours after sign-in, then gone.
    let cookie = app.session_cookie(A_NUMBER).await;
    let mut elapsed = 0;
    while elapsed + 600 < ABSOLUTE_TIMEOUT_SECS {
        app.clock.advance(600);
        elapsed += 600;
        if elapsed % 7200 == 0 {
            assert_eq!(
                app.get("/me", Some(&cookie)).await.status(),
                StatusCode::OK,
                "alive at {elapsed}s"
            );
        } else {
            app.state
                .auth
                .session(cookie.trim_start_matches("session="))
                .await
                .unwrap()
                .expect("alive");
        }
    }
    app.clock.advance(ABSOLUTE_TIMEOUT_SECS - elapsed);
    let res = app.get("/me", Some(&cookie)).await;
    assert_eq!(location(&res), "/login?error=session_expired");
}

async fn sign_out_ends_the_session_on_the_server(b: Backend) {
    let app = TestApp::new(b).await;
    let cookie = app.session_cookie(A_NUMBER).await;
    let res = app.post_form("/auth/logout", "", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login?error=signed_out");
    let cleared = res
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cleared.contains("Max-Age=0"));
    // The old cookie, replayed, no longer works.
    let res = app.get("/me", Some(&cookie)).await;
    assert_eq!(location(&res), "/login?error=session_expired");
}

async fn cross_origin_posts_are_refused(b: Backend) {
    let app = TestApp::new(b).await;
    let cookie = app.session_cookie(A_NUMBER).await;
    let body = format!("my_number={A_NUMBER}&password={}", enc(PASSWORD));
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "http://evil.example"),
    ] {
        let mut req = Request::post("/auth/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:3000")
            .header(name, value);
        if name == "origin" {
            req = req.header(header::ORIGIN, value);
        }
        let res = app.send(req.body(Body::from(body.clone())).unwrap()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        let res = app
            .send(
                Request::post("/auth/logout")
                    .header(header::HOST, "127.0.0.1:3000")
                    .header(header::COOKIE, &cookie)
                    .header(name, value)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    // The session survived the forged sign-out.
    assert_eq!(app.get("/me", Some(&cookie)).await.status(), StatusCode::OK);
}

async fn security_headers_on_every_response(b: Backend) {
    let app = TestApp::new(b).await;
    for path in ["/", "/login", "/no/such/page"] {
        let res = app.get(path, None).await;
        let h = res.headers().clone();
        let csp = h
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(h.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
        assert!(h.get(header::REFERRER_POLICY).is_some());
        let html = body_text(res).await;
        // Every inline script carries this response's nonce.
        for script in html.split("<script").skip(1) {
            assert!(
                script.starts_with(&format!(" nonce=\"{nonce}\""))
                    || script.contains(&format!("nonce=\"{nonce}\"")),
                "script without nonce on {path}"
            );
        }
    }
    let res = app.get("/login", None).await;
    let csp1 = res
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .clone();
    let res = app.get("/login", None).await;
    assert_ne!(
        &csp1,
        res.headers().get(header::CONTENT_SECURITY_POLICY).unwrap(),
        "a fresh nonce per response"
    );
}

async fn language_switch_persists(b: Backend) {
    let app = TestApp::new(b).await;
    let res = app.get("/lang/en?next=/login", None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login");
    let set = res
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(set.starts_with("lang=en") && set.contains("Max-Age="));
    let html = body_text(app.get("/login", Some("lang=en")).await).await;
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains("Enter your 12-digit My Number"));
    let html = body_text(app.get("/login", None).await).await;
    assert!(html.contains("<html lang=\"ja\""));
    let res = app.get("/lang/en?next=//evil.example", None).await;
    assert_eq!(location(&res), "/");
    assert_eq!(
        app.get("/lang/fr", None).await.status(),
        StatusCode::NOT_FOUND
    );
}

/// Islands: pages are rendered on the server and only the parts that need the browser are
/// islands, each with its props (the language among them) in the page. The sign-in page has one,
/// the number-and-password form; the home and help pages have none.
async fn pages_are_server_rendered_with_only_their_islands(b: Backend) {
    let app = TestApp::new(b).await;
    let islands = |html: &str| {
        html.split("<leptos-island ")
            .skip(1)
            .map(|s| s.split('>').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    let html = body_text(app.get("/login", None).await).await;
    // The islands loader, not the whole-page hydration.
    assert!(html.contains("hydrateIslands"));
    let found = islands(&html);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("data-component=\"PasswordForm_"),
        "{found:?}"
    );
    assert!(
        found[0].contains("&quot;lang&quot;:&quot;Ja&quot;"),
        "{found:?}"
    );
    assert!(
        found[0].contains("&quot;number_error&quot;:null"),
        "{found:?}"
    );
    // Its strings come along (the bundle has no locale files), and only its own.
    assert!(
        found[0].contains("&quot;signin.number_label&quot;:&quot;マイナンバー（個人番号）&quot;")
    );
    assert!(found[0].contains("&quot;error.my_number_check_digit&quot;"));
    assert!(!found[0].contains("&quot;mydata."), "{found:?}");
    // The form and its messages are in the server's HTML (it works without JavaScript).
    assert!(html.contains("action=\"/auth/login\""));

    let html = body_text(
        app.get("/login?error=number_check_digit", Some("lang=en"))
            .await,
    )
    .await;
    let found = islands(&html);
    assert!(
        found[0].contains("&quot;lang&quot;:&quot;En&quot;"),
        "{found:?}"
    );
    assert!(found[0].contains("&quot;signin.number_label&quot;:&quot;My Number"));
    assert!(found[0].contains("&quot;number_error&quot;:&quot;number_check_digit&quot;"));
    assert!(html.contains("aria-invalid=\"true\""));
    // A code that is not a number error stays out of the island.
    let html = body_text(app.get("/login?error=bad_credentials", None).await).await;
    assert!(islands(&html)[0].contains("&quot;number_error&quot;:null"));

    for path in ["/", "/help"] {
        let html = body_text(app.get(path, None).await).await;
        assert_eq!(islands(&html), Vec::<String>::new(), "{path}");
    }
}

fn from_addr(mut req: Request<Body>, addr: &str) -> Request<Body> {
    let addr: std::net::SocketAddr = addr.parse().unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    req
}

fn login_form(body: &str, origin: &str) -> Request<Body> {
    Request::post("/auth/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, origin)
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body.to_string()))
        .unwrap()
}

async fn a_burst_from_one_address_gets_429_with_retry_after(b: Backend) {
    use myna_portal::server::state::ServerConfig;
    use myna_portal::server::throttle::ThrottleConfig;
    use std::time::Duration;
    use tower::ServiceExt;
    let app = TestApp::new(b).await;
    let limits = ThrottleConfig {
        signin_burst: 5,
        signin_period: Duration::from_secs(60),
        anonymous_burst: 3,
        anonymous_period: Duration::from_secs(60),
    };
    let router = app.router_with(ServerConfig {
        throttle: Some(limits),
        client_ip_header: Some(http::HeaderName::from_static("x-forwarded-for")),
        ..ServerConfig::default()
    });
    let send = |req: Request<Body>| {
        let r = router.clone();
        async move { r.oneshot(req).await.unwrap() }
    };
    let body = format!("my_number={UNKNOWN_NUMBER}&password=guess");
    let origin = "http://127.0.0.1:3000";
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let res = send(from_addr(login_form(&body, origin), "192.0.2.1:5000")).await;
        statuses.push(res.status().as_u16());
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = res.headers()[header::RETRY_AFTER]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&retry), "Retry-After {retry}");
            let html = body_text(res).await;
            assert!(html.contains("リクエストが多すぎます"), "{html}");
            assert!(html.contains("Too many requests"), "{html}");
        }
    }
    assert_eq!(statuses, [303, 303, 303, 303, 303, 429, 429, 429]);
    // Another address is not affected; a trusted proxy's header names the client.
    let res = send(from_addr(login_form(&body, origin), "192.0.2.2:5000")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mut proxied = login_form(&body, origin);
    proxied.headers_mut().insert(
        "x-forwarded-for",
        "203.0.113.9, 198.51.100.7".parse().unwrap(),
    );
    let res = send(from_addr(proxied, "192.0.2.1:5000")).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "198.51.100.7 has its own budget"
    );
    // Anonymous POSTs have their own budget; a signed-in resident's POSTs are not limited.
    let anon = || {
        from_addr(
            Request::post("/api/my_data")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::empty())
                .unwrap(),
            "192.0.2.3:5000",
        )
    };
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(send(anon()).await.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    let cookie = app.session_cookie(B_NUMBER).await;
    for _ in 0..10 {
        let mut req = anon();
        req.headers_mut()
            .insert(header::COOKIE, cookie.parse().unwrap());
        assert_eq!(send(req).await.status(), StatusCode::OK);
    }
    // GETs are never limited.
    for _ in 0..10 {
        let req = from_addr(
            Request::get("/help").body(Body::empty()).unwrap(),
            "192.0.2.1:5000",
        );
        assert_eq!(send(req).await.status(), StatusCode::OK);
    }
}

async fn secure_mode_sets_hsts_and_secure_on_every_cookie(b: Backend) {
    use myna_portal::server::state::ServerConfig;
    use tower::ServiceExt;
    let app = TestApp::new(b).await;
    let secure = app.router_with(ServerConfig {
        secure_cookies: true,
        throttle: None,
        ..ServerConfig::default()
    });
    let send = |req: Request<Body>| {
        let r = secure.clone();
        async move { r.oneshot(req).await.unwrap() }
    };
    let res = send(Request::get("/help").body(Body::empty()).unwrap()).await;
    assert_eq!(
        res.headers()[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000; includeSubDomains"
    );
    let cookies = |res: &http::Response<Body>| -> Vec<String> {
        res.headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    };
    // The language cookie, the session cookie and its removal: all Secure.
    let mut all = Vec::new();
    let res = send(
        Request::get("/lang/en?next=/me")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    all.extend(cookies(&res));
    let body = format!("my_number={A_NUMBER}&password={}", enc(PASSWORD));
    let res = send(login_form(&body, "https://127.0.0.1:3000")).await;
    assert_eq!(location(&res), "/me");
    all.extend(cookies(&res));
    let session = cookies(&res)[0].split(';').next().unwrap().to_string();
    assert!(session.starts_with("__Host-session="));
    let res = send(
        Request::post("/auth/logout")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, "https://127.0.0.1:3000")
            .header(header::COOKIE, &session)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    all.extend(cookies(&res));
    assert_eq!(all.len(), 3, "{all:?}");
    for c in &all {
        assert!(c.contains("; Secure"), "{c}");
    }
    // Behind HTTPS an http:// origin is another origin.
    let res = send(login_form(&body, "http://127.0.0.1:3000")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Without secure mode: no HSTS.
    let res = app.get("/help", None).await;
    assert!(res
        .headers()
        .get(header::STRICT_TRANSPORT_SECURITY)
        .is_none());
}

async fn next_goes_only_to_the_portals_own_pages(b: Backend) {
    let app = TestApp::new(b).await;
    for (raw, expected) in [
        ("/me", "/me"),
        ("/reports/KMUP-GE2U-YKD", "/reports/KMUP-GE2U-YKD"),
        ("/me/report%3Fitem%3D2", "/me/report?item=2"),
        ("/%09/evil.example", "/"),
        ("//evil.example", "/"),
        ("/%2F/evil.example", "/"),
        ("/%5Cevil", "/"),
        ("%0d%0a", "/"),
        ("/%0d%0aSet-Cookie:%20x=y", "/"),
        ("/me%0d%0a", "/"),
        ("/%00", "/"),
        ("/me%00", "/"),
        ("/%7F", "/"),
        ("https://evil.example/", "/"),
        ("https:%2F%2Fevil.example", "/"),
        ("http://127.0.0.1:3000/me", "/"),
        ("javascript:alert(1)", "/"),
        ("/api/my_data", "/"),
        ("", "/"),
    ] {
        let res = app.get(&format!("/lang/en?next={raw}"), None).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{raw}");
        assert_eq!(location(&res), expected, "{raw}");
    }
    // Not even UTF-8: a 400, never a 500.
    let res = app.get("/lang/en?next=%FF", None).await;
    assert!(res.status().is_client_error() || res.status() == StatusCode::SEE_OTHER);
    if res.status() == StatusCode::SEE_OTHER {
        assert_eq!(location(&res), "/");
    }
    // Every page of the router is on the allow-list.
    for route in leptos_axum::generate_route_list(myna_portal::ui::app::App) {
        let path: String = route
            .path()
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') || seg.starts_with(':') {
                    "X1"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let path = if path.is_empty() {
            "/".to_string()
        } else {
            path
        };
        assert_eq!(
            myna_portal::domain::redirect::safe_next(Some(&path)),
            path,
            "{} is missing from domain::redirect::PAGES",
            route.path()
        );
    }
}

/// A same-origin JSON POST, as `public/passkey.js` sends it.
async fn post_json(
    app: &TestApp,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> (StatusCode, http::HeaderMap, serde_json::Value) {
    let mut b = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .header(header::HOST, "localhost:3000")
        .header(header::ORIGIN, "http://localhost:3000")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let res = app
        .send(b.body(Body::from(body.to_string())).unwrap())
        .await;
    let (status, headers) = (res.status(), res.headers().clone());
    let text = body_text(res).await;
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

fn activation_body(number: &str, code: &str) -> String {
    serde_json::json!({ "my_number": number, "code": code }).to_string()
}

async fn activation_codes_are_single_use_for_72_hours_and_answer_alike(b: Backend) {
    let app = TestApp::new(b).await;
    let n = myna_portal::domain::my_number::MyNumber::parse(C_NUMBER).unwrap();
    let (code, expires) = app
        .state
        .passkeys
        .issue_activation_code(&n, "staff:test")
        .await
        .unwrap()
        .expect("C is a resident");
    assert_eq!(expires, app.clock_now() + 72 * 3600);
    // Only the hash is stored.
    let stored: Vec<u8> = myna_portal::on_db!(&app.db, |p| sqlx::query_scalar(
        "SELECT code_hash FROM activation_codes"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert!(!String::from_utf8_lossy(&stored).contains(&code.replace('-', "")));

    // A wrong code on a known number and the right code on an unknown number: one answer.
    let (s1, _, known) = post_json(
        &app,
        "/auth/passkey/activate/start",
        &activation_body(C_NUMBER, "AAAA-BBBB-CCCC-DDDD"),
        None,
    )
    .await;
    let (s2, _, unknown) = post_json(
        &app,
        "/auth/passkey/activate/start",
        &activation_body(UNKNOWN_NUMBER, &code),
        None,
    )
    .await;
    assert_eq!((s1, &known), (s2, &unknown));
    assert_eq!(s1, StatusCode::FORBIDDEN);
    assert_eq!(known["error"], "activation_refused");
    // A malformed code or number is told at once (400), not counted as a guess.
    let (s, _, v) = post_json(
        &app,
        "/auth/passkey/activate/start",
        &activation_body(C_NUMBER, "ABC"),
        None,
    )
    .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("code_malformed"))
    );
    let (s, _, v) = post_json(
        &app,
        "/auth/passkey/activate/start",
        &activation_body("123", &code),
        None,
    )
    .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("number_length"))
    );
    // Broken JSON is a 400, another content type a 415; a form without JavaScript goes back to the page.
    let (s, _, _) = post_json(&app, "/auth/passkey/activate/start", "{not json", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let res = app
        .post_form("/auth/passkey/activate/start", "my_number=1&code=2", None)
        .await;
    assert_eq!(location(&res), "/activate?error=needs_js");

    // The right code, typed as people type it, starts the ceremony: a discoverable credential
    // with user verification, for this portal's host.
    let typed = code.replace('-', " ").to_lowercase();
    let (s, _, v) = post_json(
        &app,
        "/auth/passkey/activate/start",
        &activation_body(C_NUMBER, &typed),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let sel = &v["options"]["publicKey"]["authenticatorSelection"];
    assert_eq!(sel["residentKey"], "required");
    assert_eq!(sel["userVerification"], "required");
    assert_eq!(v["options"]["publicKey"]["rp"]["id"], "localhost");
    assert!(v["ceremony"].as_str().is_some_and(|c| c.len() >= 40));
    // No passkey came back: the code is not spent by starting; a finish with a forged
    // credential is refused (400) and the ceremony is gone after it (410).
    let forged = serde_json::json!({
        "ceremony": v["ceremony"],
        "credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key",
            "response": {"attestationObject": "AAAA", "clientDataJSON": "AAAA"}, "extensions": {}},
    })
    .to_string();
    let (s, _, e) = post_json(&app, "/auth/passkey/activate/finish", &forged, None).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("not_verified"))
    );
    let (s, _, e) = post_json(&app, "/auth/passkey/activate/finish", &forged, None).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::GONE, Some("expired"))
    );
    let (s, _, _) = post_json(
        &app,
        "/auth/passkey/activate/start",
        &activation_body(C_NUMBER, &code),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "the code is still usable");

    // 72 hours later it is not, and the answer is the same as for a wrong code.
    app.clock.advance(72 * 3600);
    let (s, _, late) = post_json(
        &app,
        "/auth/passkey/activate/start",
        &activation_body(C_NUMBER, &code),
        None,
    )
    .await;
    assert_eq!((s, late), (StatusCode::FORBIDDEN, known.clone()));

    // Guessing codes is slowed down per number, known or not, with the same answers (after a
    // quiet day both numbers start afresh).
    app.clock.advance(BACKOFF_FORGET_SECS);
    for i in 0..6 {
        let guess = format!("AAAA-BBBB-CCCC-DDD{}", ["E", "F", "G", "H", "J", "K"][i]);
        let (sk, hk, k) = post_json(
            &app,
            "/auth/passkey/activate/start",
            &activation_body(C_NUMBER, &guess),
            None,
        )
        .await;
        let (su, hu, u) = post_json(
            &app,
            "/auth/passkey/activate/start",
            &activation_body(UNKNOWN_NUMBER, &guess),
            None,
        )
        .await;
        assert_eq!((sk, &k), (su, &u), "guess {i}");
        assert_eq!(hk.get(header::RETRY_AFTER), hu.get(header::RETRY_AFTER));
        if i >= 3 {
            assert_eq!(sk, StatusCode::TOO_MANY_REQUESTS, "guess {i}");
            assert!(hk.get(header::RETRY_AFTER).is_some());
        }
    }
    // Wrong codes never slow the owner's password (a separate back-off).
    assert_eq!(location(&app.sign_in(A_NUMBER, PASSWORD).await), "/me");
}

async fn passkey_sign_in_refuses_forgeries_and_asks_for_user_verification(b: Backend) {
    let app = TestApp::new(b).await;
    for path in [
        "/auth/passkey/signin/start",
        "/staff/auth/passkey/signin/start",
    ] {
        let (s, _, v) = post_json(&app, path, "{}", None).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert_eq!(v["options"]["publicKey"]["userVerification"], "required");
        assert!(
            v["options"].get("mediation").is_none(),
            "a button, not autofill"
        );
        let forged = serde_json::json!({
            "ceremony": v["ceremony"],
            "credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key",
                "response": {"authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA", "userHandle": "AAAA"},
                "extensions": {}},
        })
        .to_string();
        let finish = path.replace("start", "finish");
        let (s, _, e) = post_json(&app, &finish, &forged, None).await;
        assert!(
            s.is_client_error() && s != StatusCode::OK,
            "{finish}: {s} {e}"
        );
        // Single use: the same ceremony is gone.
        let (s, _, e) = post_json(&app, &finish, &forged, None).await;
        assert_eq!(
            (s, e["error"].as_str()),
            (StatusCode::GONE, Some("expired")),
            "{finish}"
        );
        // No such ceremony at all.
        let bogus = forged.replace(v["ceremony"].as_str().unwrap(), "nope");
        let (s, _, _) = post_json(&app, &finish, &bogus, None).await;
        assert_eq!(s, StatusCode::GONE);
        let (s, _, _) = post_json(&app, &finish, "[]", None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
}

async fn passkeys_are_their_owners_alone_and_the_last_way_in_stays(b: Backend) {
    use myna_portal::store::passkeys::{NewPasskey, Owner};
    let app = TestApp::new(b).await;
    let a = app.session_cookie(A_NUMBER).await;
    let bee = app.session_cookie(B_NUMBER).await;
    let a_account = app
        .db
        .account_by_number_hash(
            &app.state
                .auth
                .hasher
                .hash(&myna_portal::domain::my_number::MyNumber::parse(A_NUMBER).unwrap()),
        )
        .await
        .unwrap()
        .unwrap()
        .id;
    let key = |c: &'static str| NewPasskey {
        credential_id: c,
        passkey: "{}",
        label: "phone",
    };
    let id = app
        .db
        .insert_passkey(Owner::Account(a_account), &key("cred-a"), app.clock_now())
        .await
        .unwrap();
    // B cannot see or remove A's passkey.
    let (_, page) = app.call("/api/my_security", "", Some(&bee)).await;
    assert!(!page.contains("phone"), "{page}");
    let res = app
        .post_form(&format!("/me/passkeys/{id}/remove"), "", Some(&bee))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (_, page) = app.call("/api/my_security", "", Some(&a)).await;
    assert!(
        page.contains("phone") && page.contains("\"has_password\":true"),
        "{page}"
    );
    // Adding starts with A's existing credentials excluded.
    let (s, _, v) = post_json(&app, "/me/passkeys/add/start", "{}", Some(&a)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["options"]["publicKey"]["user"]["name"].as_str().is_some());
    let (s, _, _) = post_json(&app, "/me/passkeys/add/start", "{}", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // A has a password: the only passkey can go.
    let res = app
        .post_form(&format!("/me/passkeys/{id}/remove"), "", Some(&a))
        .await;
    assert_eq!(location(&res), "/me/security?done=removed");

    // An account made at activation has no password: its only passkey stays, and no password
    // ever opens it.
    let n = myna_portal::domain::my_number::MyNumber::parse(C_NUMBER).unwrap();
    app.state
        .passkeys
        .issue_activation_code(&n, "staff:test")
        .await
        .unwrap();
    let c = app
        .db
        .resident_by_number_hash(&app.state.auth.hasher.hash(&n))
        .await
        .unwrap()
        .unwrap();
    let code_id: i64 = myna_portal::on_db!(&app.db, |p| sqlx::query_scalar(
        "SELECT id FROM activation_codes"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    // C's account as activation makes one for a resident who had none: without a password.
    myna_portal::on_db!(&app.db, |p| sqlx::query(
        "UPDATE accounts SET password_hash = '' WHERE resident_id = $1"
    )
    .bind(c.id)
    .execute(p)
    .await
    .map(|_| ()))
    .unwrap();
    let account = app
        .db
        .activate_with_passkey(
            code_id,
            c.id,
            "00000000-0000-4000-8000-000000000001",
            &key("cred-c"),
            app.clock_now(),
        )
        .await
        .unwrap()
        .expect("the code was usable");
    assert!(
        app.db
            .activate_with_passkey(
                code_id,
                c.id,
                "00000000-0000-4000-8000-000000000001",
                &key("cred-c2"),
                app.clock_now()
            )
            .await
            .unwrap()
            .is_none(),
        "a code is spent once"
    );
    let only = app.db.passkeys_of(Owner::Account(account)).await.unwrap()[0].id;
    assert_eq!(
        app.state
            .passkeys
            .remove(Owner::Account(account), only)
            .await
            .unwrap_err()
            .code(),
        "last_way_in"
    );
    for guess in ["", " ", "x", PASSWORD] {
        let res = app.sign_in(C_NUMBER, guess).await;
        assert_ne!(location(&res), "/me", "{guess:?}");
    }
}

on_both_backends!(
    activation_codes_are_single_use_for_72_hours_and_answer_alike,
    passkey_sign_in_refuses_forgeries_and_asks_for_user_verification,
    passkeys_are_their_owners_alone_and_the_last_way_in_stays,
    sign_in_shows_own_items_in_six_categories,
    reveal_works_only_for_own_items,
    anonymous_and_forged_sessions_are_sent_to_sign_in,
    bad_sign_in_input_gets_a_clear_message,
    unknown_number_and_wrong_password_answer_alike,
    three_failures_start_a_back_off_and_success_resets,
    fifty_parallel_wrong_attempts_check_exactly_three,
    a_strangers_fifty_wrong_passwords_look_the_same_on_known_and_unknown_numbers,
    the_back_off_schedule_on_an_injected_clock,
    failed_attempts_are_summarised_in_the_audit_log,
    a_burst_from_one_address_gets_429_with_retry_after,
    secure_mode_sets_hsts_and_secure_on_every_cookie,
    next_goes_only_to_the_portals_own_pages,
    sessions_expire_when_idle_and_absolutely,
    sign_out_ends_the_session_on_the_server,
    cross_origin_posts_are_refused,
    security_headers_on_every_response,
    language_switch_persists,
    pages_are_server_rendered_with_only_their_islands,
);
