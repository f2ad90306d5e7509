//! Stateless app servers: two server instances, each with its own connection pool and state as
//! two processes would have, over one database. Sessions, sign-in back-offs and cases live in the
//! database, so either server serves the same users. On PostgreSQL (the backend for several
//! servers) and on a shared SQLite file.

use crate::common::*;
use axum::body::Body;
use axum::Router;
use http::{header, Request, Response, StatusCode};
use tower::ServiceExt;

async fn on(server: &Router, req: Request<Body>) -> Response<Body> {
    server.clone().oneshot(req).await.unwrap()
}

fn form(path: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

async fn two_servers_serve_the_same_users(b: Backend) {
    let app = TestApp::new(b).await;
    let one = &app.router;
    let two = app.second_server().await;

    // A session started on one server is valid on the other, and signing out on the other ends it
    // on both.
    let cookie = app.session_cookie(A_NUMBER).await;
    let res = on(&two, form("/api/my_data", "", Some(&cookie))).await;
    assert_eq!(res.status(), StatusCode::OK);
    on(&two, form("/auth/logout", "", Some(&cookie))).await;
    let res = on(one, form("/api/my_data", "", Some(&cookie))).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // A back-off counted across both servers holds on both: two failures on one, one on the
    // other, and the right password waits its minute everywhere (was: a permanent lock).
    let wrong = format!("my_number={B_NUMBER}&password=wrong");
    let right = format!("my_number={B_NUMBER}&password={}", enc(PASSWORD));
    for server in [one, one, &two] {
        on(server, form("/auth/login", &wrong, None)).await;
    }
    for server in [one, &two] {
        let res = on(server, form("/auth/login", &right, None)).await;
        assert_eq!(location(&res), "/login?error=try_later&wait=1");
    }

    // A case filed through one server is worked on through the other.
    let a = app.session_cookie(A_NUMBER).await;
    let res = on(&two, form("/reports", "kind=not_mine&item=2", Some(&a))).await;
    let reference = location(&res)
        .trim_start_matches("/reports/")
        .trim_end_matches("?submitted=1")
        .to_string();
    assert_eq!(reference.len(), 13, "{}", location(&res));
    let staff = app.staff_cookie("cw_insurer").await;
    let res = on(
        &two,
        form(&format!("/staff/cases/{reference}/claim"), "", Some(&staff)),
    )
    .await;
    assert!(location(&res).ends_with("done=claim"), "{}", location(&res));
    let (status, mine) = app
        .call(
            "/api/my_report",
            &format!("reference={reference}"),
            Some(&a),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(mine.contains("Investigating"), "{mine}");
}

on_both_backends!(two_servers_serve_the_same_users);

/// The metrics count requests per route pattern (never a concrete reference) and report the
/// pool; they are not on the public router.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_internal_and_count_routes() {
    let app = TestApp::new(Backend::Sqlite).await;
    let a = app.session_cookie(A_NUMBER).await;
    let res = app
        .post_form("/reports", "kind=not_mine&item=2", Some(&a))
        .await;
    let to = location(&res);
    app.get(&to, Some(&a)).await;
    let public = app.get("/metrics", None).await;
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
    let internal = myna_portal::server::metrics::router(app.state.clone());
    let res = on(
        &internal,
        Request::get("/metrics").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = body_text(res).await;
    assert!(text.contains("portal_db_pool_connections"), "{text}");
    assert!(text.contains("route=\"/reports/{reference}\""), "{text}");
    let reference = to
        .trim_start_matches("/reports/")
        .trim_end_matches("?submitted=1");
    assert!(!text.contains(reference));
}
