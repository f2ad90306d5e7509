//! Integration tests through the real router, on SQLite and on PostgreSQL.

mod common;

use axum::body::Body;
use common::*;
use http::{header, Request, StatusCode};
use myna_portal::domain::signin::{ABSOLUTE_TIMEOUT_SECS, IDLE_TIMEOUT_SECS};

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
        // Two failures in a row at most, so B never locks during this check.
        assert_eq!(location(&app.sign_in(B_NUMBER, PASSWORD).await), "/me");
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

async fn three_failures_lock_and_success_resets(b: Backend) {
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
    assert_eq!(
        location(&app.sign_in(A_NUMBER, "nope").await),
        "/login?error=locked"
    );
    // Now even the right password is refused, and the message says why.
    assert_eq!(
        location(&app.sign_in(A_NUMBER, PASSWORD).await),
        "/login?error=locked"
    );
    let html = body_text(app.get("/login?error=locked", None).await).await;
    assert!(html.contains("ロックされています"));
    // B is unaffected.
    assert_eq!(location(&app.sign_in(B_NUMBER, PASSWORD).await), "/me");
    // Staff unlock.
    let n = myna_portal::domain::my_number::MyNumber::parse(A_NUMBER).unwrap();
    assert!(app.state.auth.unlock(&n).await.unwrap());
    assert_eq!(location(&app.sign_in(A_NUMBER, PASSWORD).await), "/me");
}

async fn fifty_parallel_wrong_attempts_lock_after_exactly_three(b: Backend) {
    let app = std::sync::Arc::new(TestApp::new(b).await);
    let mut tasks = Vec::new();
    for i in 0..50 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let res = app.sign_in(A_NUMBER, &format!("wrong-{i}")).await;
            location(&res)
        }));
    }
    // Right passwords racing with them.
    let mut right = Vec::new();
    for _ in 0..5 {
        let app = app.clone();
        right.push(tokio::spawn(async move {
            location(&app.sign_in(A_NUMBER, PASSWORD).await)
        }));
    }
    let mut bad = 0;
    let mut locked = 0;
    for t in tasks {
        match t.await.unwrap().as_str() {
            "/login?error=bad_credentials" => bad += 1,
            "/login?error=locked" => locked += 1,
            other => panic!("unexpected answer {other}"),
        }
    }
    // A right password that lands before the lock resets the count (as a success should).
    let mut successes = 0;
    for r in right {
        match r.await.unwrap().as_str() {
            "/me" => successes += 1,
            "/login?error=locked" => {}
            other => panic!("unexpected answer to the right password: {other}"),
        }
    }
    let account = app.db.account(1).await.unwrap().unwrap();
    assert!(account.locked_at.is_some(), "locked");
    assert_eq!(
        account.failed_count, 3,
        "counted exactly three failures before locking"
    );
    assert!(
        bad <= 2 * (successes + 1),
        "at most two plain refusals per run of failures, got {bad} with {successes} successes"
    );
    assert_eq!(bad + locked, 50);
    // Afterwards the right password never gets through.
    for _ in 0..3 {
        assert_eq!(
            location(&app.sign_in(A_NUMBER, PASSWORD).await),
            "/login?error=locked"
        );
    }
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

on_both_backends!(
    sign_in_shows_own_items_in_six_categories,
    reveal_works_only_for_own_items,
    anonymous_and_forged_sessions_are_sent_to_sign_in,
    bad_sign_in_input_gets_a_clear_message,
    unknown_number_and_wrong_password_answer_alike,
    three_failures_lock_and_success_resets,
    fifty_parallel_wrong_attempts_lock_after_exactly_three,
    sessions_expire_when_idle_and_absolutely,
    sign_out_ends_the_session_on_the_server,
    cross_origin_posts_are_refused,
    security_headers_on_every_response,
    language_switch_persists,
);
