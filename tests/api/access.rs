//! The access-control table: every route, page and server function of the portal, tried by
//! every kind of caller (anonymous, resident A who filed the report, resident B, helpdesk,
//! caseworker of the item's institution, caseworker of another institution, supervisor,
//! administrator). Deny by default: a route missing from the table fails the test.

use crate::common::*;
use axum::body::Body;
use http::{header, Request, StatusCode};
use leptos::prelude::LeptosOptions;
use myna_portal::server::handlers::routes;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    ResidentA,
    ResidentB,
    Helpdesk,
    CaseworkerOwn,
    CaseworkerOther,
    Supervisor,
    Administrator,
}
use Who::*;

/// Callers in the order they try each probe: the owner last, so a probe that changes the report
/// (withdraw) does so after everyone else was refused.
const CALLERS: [Who; 8] = [
    Anonymous,
    ResidentB,
    Helpdesk,
    CaseworkerOther,
    Administrator,
    Supervisor,
    CaseworkerOwn,
    ResidentA,
];

enum Access {
    /// Anyone may call it (sign-in, language, health); only "no 5xx" is checked.
    Public,
    /// Exactly these callers get through; everyone else is refused.
    Only(&'static [Who]),
}

const RESIDENTS: &[Who] = &[ResidentA, ResidentB];
const CASE_STAFF: &[Who] = &[CaseworkerOwn, Supervisor];
const QUEUE_STAFF: &[Who] = &[CaseworkerOwn, CaseworkerOther, Supervisor];
const STAFF_ALL: &[Who] = &[
    Helpdesk,
    CaseworkerOwn,
    CaseworkerOther,
    Supervisor,
    Administrator,
];

/// One probe: the route template it covers, the concrete request, and who may pass.
struct Probe {
    method: &'static str,
    route: &'static str,
    uri: &'static str,
    body: &'static str,
    access: Access,
}

const fn probe(
    method: &'static str,
    route: &'static str,
    uri: &'static str,
    body: &'static str,
    access: Access,
) -> Probe {
    Probe {
        method,
        route,
        uri,
        body,
        access,
    }
}

/// `REF` in a URI or body is replaced by the reference of A's report about item 2.
const TABLE: &[Probe] = &[
    // Public pages and endpoints.
    probe("GET", "/", "/", "", Access::Public),
    probe("GET", "/login", "/login", "", Access::Public),
    probe("GET", "/help", "/help", "", Access::Public),
    probe("GET", "/staff/login", "/staff/login", "", Access::Public),
    probe("GET", "/healthz", "/healthz", "", Access::Public),
    probe("GET", "/readyz", "/readyz", "", Access::Public),
    probe("GET", "/lang/{code}", "/lang/en?next=/", "", Access::Public),
    probe("POST", "/auth/login", "/auth/login", "my_number=012345678903&password=x", Access::Public),
    probe("POST", "/staff/auth/login", "/staff/auth/login", "username=x&password=y&code=123456", Access::Public),
    probe("GET", "/activate", "/activate", "", Access::Public),
    // Passkey ceremonies: anyone may start one; finishing needs the authenticator (a form body
    // here is refused as not JSON, or sent back to the page).
    probe("POST", "/auth/passkey/activate/start", "/auth/passkey/activate/start", "my_number=x&code=y", Access::Public),
    probe("POST", "/auth/passkey/activate/finish", "/auth/passkey/activate/finish", "", Access::Public),
    probe("POST", "/auth/passkey/signin/start", "/auth/passkey/signin/start", "", Access::Public),
    probe("POST", "/auth/passkey/signin/finish", "/auth/passkey/signin/finish", "", Access::Public),
    probe("POST", "/staff/auth/passkey/signin/start", "/staff/auth/passkey/signin/start", "", Access::Public),
    probe("POST", "/staff/auth/passkey/signin/finish", "/staff/auth/passkey/signin/finish", "", Access::Public),
    // Each person's own passkeys only.
    probe("GET", "/me/security", "/me/security", "", Access::Only(RESIDENTS)),
    probe("POST", "/api/my_security", "/api/my_security", "", Access::Only(RESIDENTS)),
    probe("POST", "/me/passkeys/add/start", "/me/passkeys/add/start", "", Access::Only(RESIDENTS)),
    probe("POST", "/me/passkeys/add/finish", "/me/passkeys/add/finish", "", Access::Only(RESIDENTS)),
    probe("POST", "/me/passkeys/{id}/remove", "/me/passkeys/1/remove", "", Access::Only(&[])),
    probe("GET", "/staff/security", "/staff/security", "", Access::Only(STAFF_ALL)),
    probe("POST", "/api/staff/security", "/api/staff/security", "", Access::Only(STAFF_ALL)),
    probe("POST", "/staff/passkeys/add/start", "/staff/passkeys/add/start", "", Access::Only(STAFF_ALL)),
    probe("POST", "/staff/passkeys/add/finish", "/staff/passkeys/add/finish", "", Access::Only(STAFF_ALL)),
    probe("POST", "/staff/passkeys/{id}/remove", "/staff/passkeys/1/remove", "", Access::Only(&[])),
    // Residents' pages and functions: their own data only.
    probe("GET", "/me", "/me", "", Access::Only(RESIDENTS)),
    probe("GET", "/me/report", "/me/report?item=2", "", Access::Only(RESIDENTS)),
    probe("GET", "/me/access", "/me/access", "", Access::Only(RESIDENTS)),
    probe("GET", "/reports", "/reports", "", Access::Only(RESIDENTS)),
    probe("GET", "/reports/{reference}", "/reports/REF", "", Access::Only(&[ResidentA])),
    probe("GET", "/inbox", "/inbox", "", Access::Only(RESIDENTS)),
    probe("POST", "/api/my_data", "/api/my_data", "", Access::Only(RESIDENTS)),
    probe("POST", "/api/my_reports", "/api/my_reports", "", Access::Only(RESIDENTS)),
    probe("POST", "/api/my_report", "/api/my_report", "reference=REF", Access::Only(&[ResidentA])),
    probe("POST", "/api/inbox", "/api/inbox", "", Access::Only(RESIDENTS)),
    probe("POST", "/api/access_log", "/api/access_log", "", Access::Only(RESIDENTS)),
    // Item 1 is A's: B is refused it as an unknown item.
    probe("POST", "/reports", "/reports", "kind=outdated&item=1", Access::Only(&[ResidentA])),
    probe("POST", "/reports/{reference}/answer", "/reports/REF/answer", "message=x", Access::Only(&[ResidentA])),
    probe("POST", "/inbox/read", "/inbox/read", "", Access::Only(RESIDENTS)),
    // Staff pages and functions.
    probe("GET", "/staff", "/staff", "", Access::Only(QUEUE_STAFF)),
    probe("GET", "/staff/cases/{reference}", "/staff/cases/REF", "", Access::Only(CASE_STAFF)),
    probe(
        "GET",
        "/staff/cases/{reference}/search",
        "/staff/cases/REF/search?name=x&birth_date=1980-05-01&sex=&address=&purpose=check",
        "",
        Access::Only(CASE_STAFF),
    ),
    probe("GET", "/staff/helpdesk", "/staff/helpdesk?ref=REF&purpose=helpdesk_inquiry", "", Access::Only(&[Helpdesk])),
    probe("POST", "/api/staff/queue", "/api/staff/queue", "", Access::Only(QUEUE_STAFF)),
    probe("POST", "/api/staff/case", "/api/staff/case", "reference=REF", Access::Only(CASE_STAFF)),
    probe(
        "POST",
        "/api/staff/search_register",
        "/api/staff/search_register",
        "reference=REF&name=&birth_date=1980-05-01&sex=&address=&purpose=check",
        Access::Only(CASE_STAFF),
    ),
    probe(
        "POST",
        "/api/staff/helpdesk_case",
        "/api/staff/helpdesk_case",
        "reference=REF&purpose=helpdesk_inquiry",
        Access::Only(&[Helpdesk]),
    ),
    // The inspection: caseworkers see their institution's findings, supervisors all of them;
    // only a supervisor starts a scan. FIND is the finding on item 2, RUN its scan.
    probe("GET", "/staff/inspection", "/staff/inspection", "", Access::Only(QUEUE_STAFF)),
    probe("GET", "/staff/inspection/{run}", "/staff/inspection/RUN", "", Access::Only(QUEUE_STAFF)),
    probe("GET", "/staff/findings/{id}", "/staff/findings/FIND", "", Access::Only(CASE_STAFF)),
    probe("POST", "/api/staff/inspection", "/api/staff/inspection", "", Access::Only(QUEUE_STAFF)),
    probe("POST", "/api/staff/inspection/progress", "/api/staff/inspection/progress", "", Access::Only(QUEUE_STAFF)),
    probe("POST", "/api/staff/findings", "/api/staff/findings", "run=RUN", Access::Only(QUEUE_STAFF)),
    probe("POST", "/api/staff/finding", "/api/staff/finding", "id=FIND", Access::Only(CASE_STAFF)),
    probe("POST", "/staff/findings/{id}/case", "/staff/findings/FIND/case", "", Access::Only(CASE_STAFF)),
    probe("POST", "/staff/inspection/start", "/staff/inspection/start", "", Access::Only(&[Supervisor])),
    probe("POST", "/staff/cases/{reference}/{action}", "/staff/cases/REF/note", "body=x", Access::Only(CASE_STAFF)),
    probe("POST", "/staff/cases/{reference}/{action}", "/staff/cases/REF/claim", "", Access::Only(&[CaseworkerOwn])),
    probe("POST", "/staff/cases/{reference}/{action}", "/staff/cases/REF/extend", "reason=x", Access::Only(&[Supervisor])),
    probe("POST", "/staff/helpdesk/note", "/staff/helpdesk/note", "reference=REF&body=x", Access::Only(&[Helpdesk])),
    probe(
        "POST",
        "/staff/helpdesk/report",
        "/staff/helpdesk/report",
        "my_number=987654321093&name_kana=%E3%82%B5%E3%83%88%E3%82%A6%20%E3%83%8F%E3%83%8A%E3%82%B3&birth_date=1975-02-14&identity_confirmed=yes&kind=missing&category=tax&note=",
        Access::Only(&[Helpdesk]),
    ),
    // Last: these change the report and end the sessions.
    probe("POST", "/reports/{reference}/withdraw", "/reports/REF/withdraw", "", Access::Only(&[ResidentA])),
    probe("POST", "/auth/logout", "/auth/logout", "", Access::Public),
    probe("POST", "/staff/auth/logout", "/staff/auth/logout", "", Access::Public),
];

/// Every route the application answers: form endpoints, pages and server functions.
fn all_routes() -> BTreeSet<(String, String)> {
    let mut all: BTreeSet<(String, String)> = routes()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let _ = LeptosOptions::builder().output_name("x").build();
    for r in leptos_axum::generate_route_list(myna_portal::ui::app::App) {
        all.insert(("GET".into(), r.path().to_string()));
    }
    for (path, method) in server_fn::axum::server_fn_paths() {
        all.insert((method.to_string(), path.to_string()));
    }
    all
}

#[test]
fn every_route_has_an_entry_in_the_table() {
    let covered: BTreeSet<(String, String)> = TABLE
        .iter()
        .map(|p| (p.method.to_string(), p.route.to_string()))
        .collect();
    let missing: Vec<_> = all_routes().difference(&covered).cloned().collect();
    assert!(
        missing.is_empty(),
        "routes without an access-control entry (add them to TABLE): {missing:#?}"
    );
    let stale: Vec<_> = covered.difference(&all_routes()).cloned().collect();
    assert!(
        stale.is_empty(),
        "table entries for routes that do not exist: {stale:#?}"
    );
}

/// Whether an answer let the caller through. Refusals: 401, 403, 404, a redirect to a sign-in
/// page, or a form sent back because the object is not the caller's.
fn passed(status: StatusCode, location: &str) -> bool {
    let refused = matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ) || (status.is_redirection()
        && (location.starts_with("/login")
            || location.starts_with("/staff/login")
            || location.contains("error=unknown_item")));
    !refused
}

async fn the_table_holds(b: Backend) {
    let app = TestApp::new(b).await;
    let a = app.session_cookie(A_NUMBER).await;
    let res = app
        .post_form("/reports", "kind=not_mine&item=2", Some(&a))
        .await;
    let reference = location(&res)
        .trim_start_matches("/reports/")
        .trim_end_matches("?submitted=1")
        .to_string();
    assert_eq!(reference.len(), 13, "{}", location(&res));
    let (run, _) = app
        .db
        .enqueue_job("inspection", None, app.clock_now())
        .await
        .unwrap();
    assert!(app.state.inspection.run_once().await.unwrap());
    let finding: i64 = myna_portal::on_db!(&app.db, |p| sqlx::query_scalar(
        "SELECT id FROM findings WHERE job_id = $1 AND item_id = 2"
    )
    .bind(run)
    .fetch_one(p)
    .await)
    .unwrap();
    let fill = |s: &str| {
        s.replace("REF", &reference)
            .replace("RUN", &run.to_string())
            .replace("FIND", &finding.to_string())
    };
    let mut cookies = Vec::new();
    for who in CALLERS {
        let cookie = match who {
            Anonymous => None,
            ResidentA => Some(a.clone()),
            ResidentB => Some(app.session_cookie(B_NUMBER).await),
            Helpdesk => Some(app.staff_cookie("helpdesk").await),
            CaseworkerOwn => Some(app.staff_cookie("cw_insurer").await),
            CaseworkerOther => Some(app.staff_cookie("cw_city").await),
            Supervisor => Some(app.staff_cookie("supervisor").await),
            Administrator => Some(app.staff_cookie("admin").await),
        };
        cookies.push((who, cookie));
    }
    let mut wrong = Vec::new();
    for p in TABLE {
        let uri = fill(p.uri);
        let body = fill(p.body);
        for (who, cookie) in &cookies {
            let mut req = Request::builder()
                .method(p.method)
                .uri(&uri)
                .header(header::HOST, "127.0.0.1:3000");
            if p.method == "POST" {
                req = req
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ORIGIN, "http://127.0.0.1:3000")
                    .header("sec-fetch-site", "same-origin");
            }
            if p.uri.starts_with("/api/") {
                req = req.header(header::ACCEPT, "application/json");
            } else {
                req = req.header(header::ACCEPT, "text/html");
            }
            if let Some(c) = cookie {
                req = req.header(header::COOKIE, c);
            }
            let res = app.send(req.body(Body::from(body.clone())).unwrap()).await;
            let status = res.status();
            let to = location(&res);
            assert!(
                !status.is_server_error(),
                "{who:?} {} {uri}: {status}",
                p.method
            );
            if let Access::Only(allowed) = p.access {
                let expected = allowed.contains(who);
                if passed(status, &to) != expected {
                    wrong.push(format!(
                        "{who:?} {} {uri}: {status} {to} (expected {})",
                        p.method,
                        if expected { "through" } else { "refused" }
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "access control differs from the table:\n{}",
        wrong.join("\n")
    );
}

on_both_backends!(the_table_holds);
