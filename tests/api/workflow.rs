//! The correction workflow through the real router, on SQLite and PostgreSQL: a report from
//! filing to approval, refusals, the legal clock, the approval race, internal notes kept from
//! residents, and the audit trail of every step.

use crate::common::*;
use http::StatusCode;
use myna_portal::service::audit::verify;

/// Files a report from a resident's session; returns its reference (display form).
async fn file(app: &TestApp, cookie: &str, body: &str) -> String {
    let res = app.post_form("/reports", body, Some(cookie)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    assert!(to.ends_with("?submitted=1"), "{to}");
    to.trim_start_matches("/reports/")
        .trim_end_matches("?submitted=1")
        .to_string()
}

/// A staff step; returns where the form endpoint sent the browser.
async fn act(app: &TestApp, cookie: &str, reference: &str, action: &str, body: &str) -> String {
    let res = app
        .post_form(
            &format!("/staff/cases/{reference}/{action}"),
            body,
            Some(cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action}");
    location(&res)
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    app.db
        .audit_page(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

async fn the_whole_correction(b: Backend) {
    let app = TestApp::new(b).await;
    let a = app.session_cookie(A_NUMBER).await;
    let c = app.session_cookie(C_NUMBER).await;

    // A reports the health insurance (item 2) as not theirs, with a note.
    let r = file(
        &app,
        &a,
        "kind=not_mine&item=2&note=%E5%88%A5%E4%BA%BA%E3%81%A7%E3%81%99",
    )
    .await;
    assert_eq!(r.len(), 13, "XXXX-XXXX-XXX: {r}");
    let page = body_text(
        app.get(&format!("/reports/{r}?submitted=1"), Some(&a))
            .await,
    )
    .await;
    assert!(page.contains(&r) && page.contains("受付済み"), "{page}");
    // The item is under review at once.
    let me = body_text(app.get("/me", Some(&a)).await).await;
    assert!(me.contains("確認中"));

    // A caseworker of another institution sees neither the case nor it in the queue.
    let city = app.staff_cookie("cw_city").await;
    let (status, _) = app
        .call("/api/staff/case", &format!("reference={r}"), Some(&city))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, queue) = app.call("/api/staff/queue", "", Some(&city)).await;
    assert!(!queue.contains(&r));

    // The insurer's caseworker sees it with the pre-check, claims it and asks A.
    let cw = app.staff_cookie("cw_insurer").await;
    let (_, queue) = app.call("/api/staff/queue", "", Some(&cw)).await;
    assert!(queue.contains(&r), "{queue}");
    assert!(
        queue.contains("\"total\":1,") && queue.contains("\"pages\":1"),
        "{queue}"
    );
    // A page past the end shows the last page, not an empty one.
    let (_, queue) = app
        .call("/api/staff/queue", "filter%5Bpage%5D=7", Some(&cw))
        .await;
    assert!(
        queue.contains(&r) && queue.contains("\"page\":1,"),
        "{queue}"
    );
    let (status, case) = app
        .call("/api/staff/case", &format!("reference={r}"), Some(&cw))
        .await;
    assert_eq!(status, StatusCode::OK, "{case}");
    assert!(
        case.contains("LikelyAnotherPerson") && case.contains("name_kanji_differs"),
        "{case}"
    );
    assert!(act(&app, &cw, &r, "claim", "")
        .await
        .ends_with("done=claim"));
    assert!(act(&app, &cw, &r, "note", "body=INTERNAL-ONLY-NOTE")
        .await
        .ends_with("done=note"));
    assert!(act(
        &app,
        &cw,
        &r,
        "request_info",
        "message=When%20did%20you%20join%3F"
    )
    .await
    .ends_with("done=request_info"));

    // A answers.
    let res = app
        .post_form(
            &format!("/reports/{r}/answer"),
            "message=Never%20joined",
            Some(&a),
        )
        .await;
    assert!(
        location(&res).ends_with("done=answered"),
        "{}",
        location(&res)
    );

    // The caseworker finds the rightful owner (the search is logged with its purpose) and
    // proposes the relink.
    let (status, found) = app
        .call(
            "/api/staff/search_register",
            &format!(
                "reference={r}&name={}&birth_date=1980-05-01&sex=M&address=&purpose={}",
                enc("タカハシ イチロウ"),
                enc("relink search for the insurer's record")
            ),
            Some(&cw),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert!(
        found.contains("\"resident_id\":3") && !found.contains("\"resident_id\":1,"),
        "{found}"
    );
    assert!(act(
        &app,
        &cw,
        &r,
        "propose",
        "outcome=relink&target_id=3&reason=same%20kana"
    )
    .await
    .ends_with("done=propose"));

    // The proposer cannot approve; a supervisor can.
    let res = app
        .post_form(&format!("/staff/cases/{r}/approve"), "", Some(&cw))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let sup = app.staff_cookie("supervisor").await;
    assert!(act(&app, &sup, &r, "approve", "")
        .await
        .ends_with("done=approve"));

    // The item left A's view and is in C's.
    let (_, a_data) = app.call("/api/my_data", "", Some(&a)).await;
    let (_, c_data) = app.call("/api/my_data", "", Some(&c)).await;
    assert!(!a_data.contains("\"id\":2,"), "{a_data}");
    assert!(
        c_data.contains("\"id\":2,") && c_data.contains("01130016"),
        "{c_data}"
    );

    // Both have notices; A's timeline shows the outcome; no internal note reaches A.
    let (_, a_inbox) = app.call("/api/inbox", "", Some(&a)).await;
    assert!(
        a_inbox.contains("decided") && a_inbox.contains("impact_reporter"),
        "{a_inbox}"
    );
    let (_, c_inbox) = app.call("/api/inbox", "", Some(&c)).await;
    assert!(c_inbox.contains("impact_owner"), "{c_inbox}");
    let (_, mine) = app
        .call("/api/my_report", &format!("reference={r}"), Some(&a))
        .await;
    assert!(
        mine.contains("Approved") && mine.contains("\"outcome\":\"Relink\""),
        "{mine}"
    );
    assert!(!mine.contains("INTERNAL-ONLY-NOTE") && !mine.contains("cw_insurer name"));
    let page = body_text(app.get(&format!("/reports/{r}"), Some(&a)).await).await;
    assert!(!page.contains("INTERNAL-ONLY-NOTE"));

    // Who viewed my data: A sees the caseworker's accesses (organisation and role, no name); C
    // sees the register search that found them.
    let (_, a_access) = app.call("/api/access_log", "", Some(&a)).await;
    assert!(
        a_access.contains("case_investigation") && a_access.contains("Caseworker"),
        "{a_access}"
    );
    assert!(!a_access.contains("cw_insurer name"));
    let (_, c_access) = app.call("/api/access_log", "", Some(&c)).await;
    assert!(
        c_access.contains("relink search for the insurer"),
        "{c_access}"
    );
    // Someone else's report is not named to C.
    assert!(!c_access.contains(&r), "{c_access}");

    // The impact review lists those accesses; closing it ends the case.
    let (_, case) = app
        .call("/api/staff/case", &format!("reference={r}"), Some(&cw))
        .await;
    assert!(case.contains("\"impact\":[{"), "{case}");
    assert!(act(&app, &cw, &r, "complete_review", "")
        .await
        .ends_with("done=complete_review"));

    // One audit entry per step, and the chain verifies.
    let actions = audit_actions(&app).await;
    for a in [
        "workflow.report_submitted",
        "workflow.claimed",
        "workflow.note_added",
        "workflow.info_requested",
        "workflow.resident_answered",
        "workflow.proposed",
        "workflow.approved",
        "workflow.closed",
    ] {
        assert_eq!(
            actions.iter().filter(|x| *x == a).count(),
            1,
            "{a}: {actions:?}"
        );
    }
    assert!(actions.iter().any(|x| x == "read.case"));
    assert!(actions.iter().any(|x| x == "read.register_search"));
    assert!(verify(&app.db, None).await.unwrap().problem.is_none());
}

async fn refusals_change_nothing(b: Backend) {
    let app = TestApp::new(b).await;
    let a = app.session_cookie(A_NUMBER).await;
    let bb = app.session_cookie(B_NUMBER).await;

    // Someone else's item, no item, a bad kind: refused with a code, nothing stored.
    let res = app
        .post_form("/reports", "kind=not_mine&item=4", Some(&a))
        .await;
    assert!(
        location(&res).ends_with("error=unknown_item"),
        "{}",
        location(&res)
    );
    let res = app.post_form("/reports", "kind=not_mine", Some(&a)).await;
    assert!(location(&res).contains("error=no_items"));
    let res = app
        .post_form("/reports", "kind=delete_everything&item=2", Some(&a))
        .await;
    assert!(location(&res).contains("error=bad_kind"));
    let res = app
        .post_form("/reports", "kind=not_mine&item=2&item=3", Some(&a))
        .await;
    assert!(location(&res).contains("error=several_institutions"));
    let (_, list) = app.call("/api/my_reports", "", Some(&a)).await;
    assert_eq!(list, "[]");

    // Mass assignment: a status, an owner and an institution posted along are ignored.
    let r = file(
        &app,
        &a,
        "kind=not_mine&item=2&status=Closed&reporter_id=2&institution_id=1&verdict=consistent",
    )
    .await;
    let (_, mine) = app
        .call("/api/my_report", &format!("reference={r}"), Some(&a))
        .await;
    assert!(
        mine.contains("\"status\":\"Submitted\"") && mine.contains("全国健康保険協会"),
        "{mine}"
    );
    // The same item cannot be reported twice while open.
    let res = app
        .post_form("/reports", "kind=not_mine&item=2", Some(&a))
        .await;
    assert!(location(&res).contains("error=already_reported"));

    // B cannot read, answer or withdraw A's report: it does not exist for B.
    let (status, _) = app
        .call("/api/my_report", &format!("reference={r}"), Some(&bb))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = app
        .post_form(&format!("/reports/{r}/withdraw"), "", Some(&bb))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A caseworker cannot propose before claiming, nor answer for the resident.
    let cw = app.staff_cookie("cw_insurer").await;
    let to = act(&app, &cw, &r, "propose", "outcome=unlink&reason=x").await;
    assert!(to.contains("error=not_allowed_in_state"), "{to}");
    let res = app
        .post_form(&format!("/reports/{r}/answer"), "message=hi", Some(&cw))
        .await;
    assert_eq!(location(&res), "/login");
    // "No error" needs a reason; a relink needs a target who is not the reporter.
    act(&app, &cw, &r, "claim", "").await;
    assert!(act(&app, &cw, &r, "propose", "outcome=no_error&reason=%20")
        .await
        .contains("error=reason_required"));
    assert!(act(
        &app,
        &cw,
        &r,
        "propose",
        "outcome=relink&target_id=1&reason=x"
    )
    .await
    .contains("error=target_is_reporter"));
    // Another caseworker of the same institution is not the assignee.
    let cw2 = app.staff_cookie("cw_insurer2").await;
    assert!(act(&app, &cw2, &r, "request_info", "message=q")
        .await
        .contains("error=not_assignee"));
    // Helpdesk and administrator may not work on cases at all.
    for who in ["helpdesk", "admin"] {
        let s = app.staff_cookie(who).await;
        let res = app
            .post_form(&format!("/staff/cases/{r}/claim"), "", Some(&s))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who}");
    }

    // A withdraws; then nothing more can happen to it.
    let res = app
        .post_form(&format!("/reports/{r}/withdraw"), "", Some(&a))
        .await;
    assert!(location(&res).ends_with("done=withdrawn"));
    let res = app
        .post_form(&format!("/reports/{r}/withdraw"), "", Some(&a))
        .await;
    assert!(location(&res).contains("error=not_allowed_in_state"));
    assert!(act(&app, &cw, &r, "request_info", "message=q")
        .await
        .contains("error=not_allowed_in_state"));
    let me = body_text(app.get("/me", Some(&a)).await).await;
    assert!(
        !me.contains("badge-review"),
        "the item is no longer under review"
    );
}

async fn the_clock_pauses_and_extends_once(b: Backend) {
    let app = TestApp::new(b).await;
    let a = app.session_cookie(A_NUMBER).await;
    let submitted = app.clock_now();
    let r = file(&app, &a, "kind=outdated&item=1").await;
    let cw = app.staff_cookie("cw_city").await;
    act(&app, &cw, &r, "claim", "").await;
    act(&app, &cw, &r, "request_info", "message=Which%20address%3F").await;
    let day = 86_400;
    let due = |json: &str| -> i64 {
        let at = json.find("\"due_at\":").unwrap() + 9;
        json[at..]
            .split([',', '}'])
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    // Ten days waiting for the resident do not count (sessions expire meanwhile).
    app.clock.advance(10 * day);
    let a = app.session_cookie(A_NUMBER).await;
    let (_, mine) = app
        .call("/api/my_report", &format!("reference={r}"), Some(&a))
        .await;
    assert!(mine.contains("\"paused\":true"), "{mine}");
    let res = app
        .post_form(
            &format!("/reports/{r}/answer"),
            "message=Same%20as%20before",
            Some(&a),
        )
        .await;
    assert!(location(&res).ends_with("done=answered"));
    let (_, mine) = app
        .call("/api/my_report", &format!("reference={r}"), Some(&a))
        .await;
    let paused_for = 10 * day;
    // Two staff sign-ins moved the clock 30 s each before the pause began.
    assert!(
        (due(&mine) - (submitted + 30 * day + paused_for)).abs() <= 60,
        "{mine}"
    );

    // A supervisor extends once, with a reason; the resident is told.
    let sup = app.staff_cookie("supervisor").await;
    assert!(act(&app, &sup, &r, "extend", "reason=%20")
        .await
        .contains("error=reason_required"));
    assert!(act(
        &app,
        &sup,
        &r,
        "extend",
        "reason=records%20at%20another%20office"
    )
    .await
    .ends_with("done=extend"));
    let (_, after) = app
        .call("/api/my_report", &format!("reference={r}"), Some(&a))
        .await;
    assert_eq!(due(&after) - due(&mine), 30 * day);
    assert!(act(&app, &sup, &r, "extend", "reason=again")
        .await
        .contains("error=already_extended"));
    let (_, inbox) = app.call("/api/inbox", "", Some(&a)).await;
    assert!(inbox.contains("extended") && inbox.contains("records at another office"));

    // Past the deadline, the queue shows it as overdue.
    app.clock.advance(61 * day);
    let cw = app.staff_cookie("cw_city").await;
    let (_, queue) = app
        .call("/api/staff/queue", "filter%5Bdue%5D=overdue", Some(&cw))
        .await;
    assert!(
        queue.contains(&r) && queue.contains("\"overdue\":true"),
        "{queue}"
    );
}

async fn two_approvals_racing_exactly_one_wins(b: Backend) {
    let app = TestApp::new(b).await;
    let a = app.session_cookie(A_NUMBER).await;
    let r = file(&app, &a, "kind=not_mine&item=2").await;
    let cw = app.staff_cookie("cw_insurer").await;
    act(&app, &cw, &r, "claim", "").await;
    act(
        &app,
        &cw,
        &r,
        "propose",
        "outcome=relink&target_id=3&reason=same%20kana",
    )
    .await;
    let s1 = app.staff_cookie("supervisor").await;
    let s2 = app.staff_cookie("supervisor2").await;
    let (x, y) = tokio::join!(
        act(&app, &s1, &r, "approve", ""),
        act(&app, &s2, &r, "approve", "")
    );
    let wins = [&x, &y]
        .iter()
        .filter(|l| l.ends_with("done=approve"))
        .count();
    assert_eq!(wins, 1, "{x} / {y}");
    let loser = if x.ends_with("done=approve") { &y } else { &x };
    assert!(
        loser.contains("error=conflict") || loser.contains("error=not_allowed_in_state"),
        "{loser}"
    );
    let actions = audit_actions(&app).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "workflow.approved").count(),
        1
    );
    let notices: i64 = myna_portal::on_db!(&app.db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM notices WHERE kind = 'impact_owner'"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(notices, 1);
}

async fn staff_sign_in_needs_both_factors(b: Backend) {
    let app = TestApp::new(b).await;
    let now = app.clock_now();
    let code = myna_portal::service::staff_auth::totp_code(STAFF_SECRET, now).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    // Where a staff sign-in attempt sends the browser.
    let login = |user: &'static str, pw: &'static str, code: String| {
        let app = &app;
        async move {
            let body = format!("username={user}&password={}&code={code}", enc(pw));
            location(&app.post_form("/staff/auth/login", &body, None).await)
        }
    };
    let refused = "/staff/login?error=bad_credentials";
    assert_eq!(
        login("cw_insurer", PASSWORD, String::new()).await,
        "/staff/login?error=code_required"
    );
    assert_eq!(login("cw_insurer", PASSWORD, wrong.into()).await, refused);
    assert_eq!(login("cw_insurer", "wrong", code.clone()).await, refused);
    assert_eq!(login("cw_insurer", PASSWORD, code.clone()).await, "/staff");
    // The same code cannot be used twice by the same person.
    assert_eq!(login("cw_insurer", PASSWORD, code.clone()).await, refused);
    assert_eq!(
        login("helpdesk", PASSWORD, code.clone()).await,
        "/staff/helpdesk"
    );
    // Three failures in a row start a one-minute wait (was: a permanent lock); during it even a
    // fresh right code is refused.
    for _ in 0..3 {
        login("cw_city", PASSWORD, wrong.into()).await;
    }
    app.clock.advance(30);
    let fresh = myna_portal::service::staff_auth::totp_code(STAFF_SECRET, app.clock_now()).unwrap();
    assert_eq!(
        login("cw_city", PASSWORD, fresh).await,
        "/staff/login?error=try_later&wait=1"
    );

    // A resident's session opens no staff page or function, and a staff session no resident's.
    let a = app.session_cookie(A_NUMBER).await;
    let (status, _) = app.call("/api/staff/queue", "", Some(&a)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let cw = app.staff_cookie("cw_insurer2").await;
    let (status, _) = app.call("/api/my_data", "", Some(&cw)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Signing out ends the staff session on the server.
    let res = app.post_form("/staff/auth/logout", "", Some(&cw)).await;
    assert_eq!(location(&res), "/staff/login?error=signed_out");
    let (status, _) = app.call("/api/staff/queue", "", Some(&cw)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn helpdesk_sees_masked_status_and_files_for_callers(b: Backend) {
    let app = TestApp::new(b).await;
    let a = app.session_cookie(A_NUMBER).await;
    let r = file(&app, &a, "kind=not_mine&item=2").await;
    let hd = app.staff_cookie("helpdesk").await;
    // A purpose is required, and the look-up is logged with it.
    let (status, _) = app
        .call(
            "/api/staff/helpdesk_case",
            &format!("reference={r}&purpose="),
            Some(&hd),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let lower = r.to_lowercase().replace('-', "");
    let (status, view) = app
        .call(
            "/api/staff/helpdesk_case",
            &format!("reference={lower}&purpose=helpdesk_inquiry"),
            Some(&hd),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert!(
        view.contains("Submitted") && view.contains("**** **** 9018"),
        "{view}"
    );
    assert!(
        !view.contains("高橋　一郎") && view.contains("高橋"),
        "{view}"
    );
    assert!(
        !view.contains("4821") && !view.contains("\"317\""),
        "identifiers are masked: {view}"
    );
    let (_, access) = app.call("/api/access_log", "", Some(&a)).await;
    assert!(access.contains("helpdesk_inquiry"));
    let (status, _) = app
        .call(
            "/api/staff/helpdesk_case",
            "reference=AAAA-AAAA-AAA&purpose=helpdesk_inquiry",
            Some(&hd),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Filing for a caller needs the identity check to pass.
    let filing = |kana: &str, confirmed: &str| {
        format!(
            "my_number={B_NUMBER}&name_kana={}&birth_date=1975-02-14&identity_confirmed={confirmed}&kind=missing&category=pension&note=caller",
            enc(kana)
        )
    };
    let res = app
        .post_form(
            "/staff/helpdesk/report",
            &filing("サトウ ハナコ", ""),
            Some(&hd),
        )
        .await;
    assert!(location(&res).contains("error=identity_not_confirmed"));
    let res = app
        .post_form(
            "/staff/helpdesk/report",
            &filing("スズキ ハナコ", "yes"),
            Some(&hd),
        )
        .await;
    assert!(location(&res).contains("error=identity_mismatch"));
    let res = app
        .post_form(
            "/staff/helpdesk/report",
            &filing("ｻﾄｳ ﾊﾅｺ", "yes"),
            Some(&hd),
        )
        .await;
    let to = location(&res);
    assert!(to.contains("done=filed"), "{to}");
    assert!(!to.contains(B_NUMBER));
    let bb = app.session_cookie(B_NUMBER).await;
    let (_, list) = app.call("/api/my_reports", "", Some(&bb)).await;
    assert!(list.contains("Missing"), "{list}");
    let actions = audit_actions(&app).await;
    assert!(actions
        .iter()
        .any(|a| a == "workflow.report_filed_by_helpdesk"));
    // The helpdesk's call note is kept with the case.
    let res = app
        .post_form(
            "/staff/helpdesk/note",
            &format!("reference={r}&body=caller%20asked%20about%20status"),
            Some(&hd),
        )
        .await;
    assert!(location(&res).ends_with("done=note"));
}

async fn the_same_item_reported_twice_at_once_opens_one_report(b: Backend) {
    let app = TestApp::new(b).await;
    let a = app.session_cookie(A_NUMBER).await;
    let (x, y) = tokio::join!(
        app.post_form("/reports", "kind=not_mine&item=2", Some(&a)),
        app.post_form("/reports", "kind=details_wrong&item=2", Some(&a)),
    );
    let (x, y) = (location(&x), location(&y));
    let opened = [&x, &y]
        .iter()
        .filter(|l| l.ends_with("?submitted=1"))
        .count();
    assert_eq!(opened, 1, "{x} / {y}");
    assert!(x.contains("error=already_reported") || y.contains("error=already_reported"));
    let (_, list) = app.call("/api/my_reports", "", Some(&a)).await;
    assert_eq!(list.matches("\"reference\"").count(), 1, "{list}");
}

async fn an_administrator_creates_staff_accounts(b: Backend) {
    use myna_portal::service::staff_auth::NewStaffAccount;
    let app = TestApp::new(b).await;
    let service = &app.state.staff_auth;
    let account = |role: &str, code: Option<&str>, password: &str| NewStaffAccount {
        username: "new_caseworker".into(),
        display_name: "新 職員".into(),
        role: role.into(),
        institution_code: code.map(String::from),
        password: password.into(),
    };
    let strong = "a long staff password";
    for bad in [
        account("caseworker", None, strong),
        account("caseworker", Some("99999999"), strong),
        account("supervisor", Some("01130016"), strong),
        account("janitor", None, strong),
        account("caseworker", Some("01130016"), "short"),
    ] {
        assert!(
            service.create_account(&bad, "admin:test").await.is_err(),
            "{bad:?}"
        );
    }
    let secret = service
        .create_account(
            &account("caseworker", Some("01130016"), strong),
            "admin:test",
        )
        .await
        .unwrap();
    app.clock.advance(30);
    let code = myna_portal::service::staff_auth::totp_code(&secret, app.clock_now()).unwrap();
    let body = format!(
        "username=new_caseworker&password={}&code={code}",
        enc(strong)
    );
    let res = app.post_form("/staff/auth/login", &body, None).await;
    assert_eq!(location(&res), "/staff");
    assert!(audit_actions(&app)
        .await
        .contains(&"staff_auth.account_created".to_string()));
}

/// A code in the database this version does not know is an error, never a silent default.
async fn an_unknown_code_in_the_database_is_an_error_not_a_default(b: Backend) {
    let app = TestApp::new(b).await;
    let a = app.session_cookie(A_NUMBER).await;
    let res = app
        .post_form("/reports", "kind=not_mine&item=2", Some(&a))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.state.workflow.my_reports(1).await.unwrap().len(), 1);
    // The database refuses the code (CHECK on PostgreSQL, triggers on SQLite: migration 0009)...
    let bogus = "UPDATE reports SET status = 'bogus'";
    let refused = myna_portal::on_db!(&app.db, |p| sqlx::query(bogus).execute(p).await.map(|_| ()));
    assert!(refused.is_err(), "a bad code was written");
    // ...and should one be there anyway (written by a newer version, say), reading it fails.
    let lift = match b {
        Backend::Sqlite => "DROP TRIGGER reports_codes_update",
        Backend::Postgres => "ALTER TABLE reports DROP CONSTRAINT reports_status_code",
    };
    for sql in [lift, bogus] {
        myna_portal::on_db!(&app.db, |p| sqlx::query(sql).execute(p).await.map(|_| ())).unwrap();
    }
    let err = app.state.workflow.my_reports(1).await.unwrap_err();
    assert!(
        err.to_string().contains("unknown status code \"bogus\""),
        "{err}"
    );
}

on_both_backends!(
    an_unknown_code_in_the_database_is_an_error_not_a_default,
    an_administrator_creates_staff_accounts,
    the_same_item_reported_twice_at_once_opens_one_report,
    the_whole_correction,
    refusals_change_nothing,
    the_clock_pauses_and_extends_once,
    two_approvals_racing_exactly_one_wins,
    staff_sign_in_needs_both_factors,
    helpdesk_sees_masked_status_and_files_for_callers,
);
