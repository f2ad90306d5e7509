//! The integrity scan inside the portal, through the real router on SQLite and PostgreSQL: a
//! supervisor starts a scan, the background job scores every item, the findings are counted by
//! institution and category, a finding's evidence is two clicks from the overview, and a finding
//! becomes a correction case. Also: who may see what, a job runs once across two servers, a dead
//! worker's job is taken over, and a register change re-checks the person's links.

use crate::common::*;
use http::StatusCode;
use myna_portal::store::inspection::RegisterChange;

/// Starts a scan as the supervisor; returns the run id from the redirect.
async fn start(app: &TestApp, cookie: &str) -> i64 {
    let res = app
        .post_form("/staff/inspection/start", "", Some(cookie))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    assert!(
        to.starts_with("/staff/inspection?done=started&run="),
        "{to}"
    );
    to.rsplit('=').next().unwrap().parse().unwrap()
}

/// The id of the scan finding on `item` in `run`.
async fn finding_of(app: &TestApp, run: i64, item: i64) -> Option<(i64, String, Option<i64>)> {
    let sql = "SELECT id, verdict, suggested_resident_id FROM findings WHERE job_id = $1 AND item_id = $2";
    myna_portal::on_db!(&app.db, |p| {
        sqlx::query_as::<_, (i64, String, Option<i64>)>(sql)
            .bind(run)
            .bind(item)
            .fetch_optional(p)
            .await
    })
    .unwrap()
}

async fn count_findings(app: &TestApp, run: i64) -> i64 {
    myna_portal::on_db!(&app.db, |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM findings WHERE job_id = $1"
    )
    .bind(run)
    .fetch_one(p)
    .await)
    .unwrap()
}

async fn a_scan_finds_the_wrong_link_and_a_finding_becomes_a_case(b: Backend) {
    let app = TestApp::new(b).await;
    let sup = app.staff_cookie("supervisor").await;

    // Before any scan: the page says so.
    let page = body_text(app.get("/staff/inspection", Some(&sup)).await).await;
    assert!(page.contains("まだ点検は実行されていません"), "{page}");

    let run = start(&app, &sup).await;
    // Starting again while it is queued gives the same run.
    assert_eq!(start(&app, &sup).await, run);
    let page = body_text(app.get("/staff/inspection", Some(&sup)).await).await;
    assert!(page.contains("待機中"), "queued: {page}");

    assert!(app.state.inspection.run_once().await.unwrap());
    assert!(
        !app.state.inspection.run_once().await.unwrap(),
        "nothing left"
    );
    let job = app.db.job(run).await.unwrap().unwrap();
    assert_eq!(job.status, "done");
    assert_eq!((job.progress_done, job.progress_total), (5, 5));

    // Item 2 (C's health insurance on A's number) is likely another person's, and C is
    // suggested; A's own resident record raises nothing.
    let (finding, verdict, suggested) = finding_of(&app, run, 2).await.expect("item 2 found");
    assert_eq!(verdict, "wrong_person");
    assert_eq!(suggested, Some(3));
    assert_eq!(finding_of(&app, run, 1).await, None);

    // Click 1: the overview's count for the insurer's health insurance opens the list.
    let page = body_text(app.get("/staff/inspection", Some(&sup)).await).await;
    let list = format!("/staff/inspection/{run}?institution=2&amp;category=health_insurance&amp;verdict=wrong_person");
    assert!(page.contains(&list), "count link: {page}");
    assert!(page.contains("完了"), "{page}");
    let page = body_text(app.get(&list.replace("&amp;", "&"), Some(&sup)).await).await;
    // Click 2: the list links to the finding, whose page shows the evidence side by side.
    let link = format!("/staff/findings/{finding}");
    assert!(page.contains(&link), "finding link: {page}");
    let page = body_text(app.get(&link, Some(&sup)).await).await;
    assert!(page.contains("高橋　市朗"), "the item's snapshot: {page}");
    assert!(
        page.contains("霞が関"),
        "the linked person's register address: {page}"
    );
    assert!(
        page.contains("梅田"),
        "the suggested person's address: {page}"
    );
    assert!(
        page.contains("台帳の別の方のほうがよく一致する"),
        "reason: {page}"
    );
    for n in [A_NUMBER, C_NUMBER] {
        assert!(!page.contains(n), "no full number in the page");
    }
    // Reading the evidence is in A's and C's "who viewed my data".
    for (number, who) in [(A_NUMBER, "A"), (C_NUMBER, "C")] {
        let cookie = app.session_cookie(number).await;
        let log = body_text(app.get("/me/access", Some(&cookie)).await).await;
        assert!(log.contains("ひも付けの総点検"), "{who}: {log}");
    }

    // The finding becomes a case in one action; A is told; a second try is refused.
    let res = app
        .post_form(&format!("/staff/findings/{finding}/case"), "", Some(&sup))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    assert!(
        to.starts_with("/staff/cases/") && to.ends_with("?done=raised"),
        "{to}"
    );
    let case = body_text(app.get(&to, Some(&sup)).await).await;
    assert!(case.contains("検出結果から案件を作成しました"), "{case}");
    let a = app.session_cookie(A_NUMBER).await;
    let inbox = body_text(app.get("/inbox", Some(&a)).await).await;
    assert!(
        inbox.contains("あなたの番号にひも付いた情報を確認しています"),
        "{inbox}"
    );
    let res = app
        .post_form(&format!("/staff/findings/{finding}/case"), "", Some(&sup))
        .await;
    assert_eq!(
        location(&res),
        format!("/staff/findings/{finding}?error=already_reported")
    );
    let page = body_text(app.get(&location(&res), Some(&sup)).await).await;
    assert!(page.contains("すでに確認中の案件があります"), "{page}");
    let page = body_text(app.get("/staff/inspection", Some(&sup)).await).await;
    let reference = to
        .trim_start_matches("/staff/cases/")
        .trim_end_matches("?done=raised");
    assert!(
        page.contains(reference),
        "the finding names its case: {page}"
    );

    // Re-running gives the same findings.
    let first = count_findings(&app, run).await;
    let again = start(&app, &sup).await;
    assert_ne!(again, run);
    assert!(app.state.inspection.run_once().await.unwrap());
    assert_eq!(count_findings(&app, again).await, first);
    let actions: Vec<String> = app
        .db
        .audit_page(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    for a in [
        "inspection.started",
        "inspection.finished",
        "read.inspection_finding",
        "workflow.report_raised_by_inspection",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn each_role_sees_only_its_own_findings(b: Backend) {
    let app = TestApp::new(b).await;
    let sup = app.staff_cookie("supervisor").await;
    let run = start(&app, &sup).await;
    app.state.inspection.run_once().await.unwrap();
    let (finding, _, _) = finding_of(&app, run, 2).await.unwrap();

    // The insurer's caseworker sees it; the city's does not, and cannot start a scan.
    let insurer = app.staff_cookie("cw_insurer").await;
    let city = app.staff_cookie("cw_city").await;
    let (s, body) = app
        .call(
            "/api/staff/finding",
            &format!("id={finding}"),
            Some(&insurer),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _) = app
        .call("/api/staff/finding", &format!("id={finding}"), Some(&city))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = app
        .call("/api/staff/findings", &format!("run={run}"), Some(&city))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        body.contains("\"rows\":[]"),
        "the city linked nothing wrong: {body}"
    );
    let (s, _) = app
        .call(
            "/api/staff/findings",
            &format!("run={run}&filter[institution]=2"),
            Some(&city),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let res = app
        .post_form("/staff/inspection/start", "", Some(&city))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post_form(&format!("/staff/findings/{finding}/case"), "", Some(&city))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Helpdesk and administrators see nothing; residents and strangers are sent to sign in.
    for who in ["helpdesk", "admin"] {
        let c = app.staff_cookie(who).await;
        let (s, _) = app.call("/api/staff/inspection", "", Some(&c)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
    }
    let (s, _) = app.call("/api/staff/inspection", "", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let res = app.get(&format!("/staff/findings/{finding}"), None).await;
    assert_eq!(res.status(), StatusCode::FOUND);

    // Bad filters are a clear 4xx.
    let (s, _) = app
        .call(
            "/api/staff/findings",
            &format!("run={run}&filter[category]=nonsense"),
            Some(&sup),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = app.call("/api/staff/findings", "run=999", Some(&sup)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let res = app.get("/staff/findings/not-a-number", Some(&sup)).await;
    assert!(res.status().is_client_error() || res.status() == StatusCode::OK);
}

async fn a_job_runs_once_across_two_servers_and_survives_a_dead_worker(b: Backend) {
    let app = TestApp::new(b).await;
    let other = app.second_state().await;
    let sup = app.staff_cookie("supervisor").await;
    let run = start(&app, &sup).await;
    let (one, two) = tokio::join!(app.state.inspection.run_once(), other.inspection.run_once());
    assert_eq!(
        [one.unwrap(), two.unwrap()].iter().filter(|r| **r).count(),
        1,
        "exactly one server ran it"
    );
    let job = app.db.job(run).await.unwrap().unwrap();
    assert_eq!((job.status.as_str(), job.attempts), ("done", 1));
    let runs = count_findings(&app, run).await;
    assert!(runs > 0);

    // A worker claims the next job and dies; once its lease has run out, another takes over.
    let next = start(&app, &sup).await;
    let now = app.clock_now();
    let dead = app
        .db
        .claim_job("inspection", "dead-worker", now, now + 60)
        .await
        .unwrap()
        .expect("claimed");
    assert_eq!(dead.id, next);
    assert!(
        !other.inspection.run_once().await.unwrap(),
        "lease still held"
    );
    app.clock.advance(61);
    assert!(other.inspection.run_once().await.unwrap());
    let job = app.db.job(next).await.unwrap().unwrap();
    assert_eq!((job.status.as_str(), job.attempts), ("done", 2));
    assert_eq!(count_findings(&app, next).await, runs);
}

async fn a_register_change_rechecks_the_persons_links(b: Backend) {
    let app = TestApp::new(b).await;
    // B dies: B's items are linked to someone recorded as deceased.
    let raised = app
        .state
        .inspection
        .change_register(
            "register_feed",
            2,
            &RegisterChange {
                deceased_on: Some("2026-10-30".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(raised >= 1, "{raised}");
    let sup = app.staff_cookie("supervisor").await;
    let page = body_text(app.get("/staff/inspection", Some(&sup)).await).await;
    assert!(page.contains("再照合"), "{page}");
    assert!(
        page.contains("死亡の記載がある方にひも付いている"),
        "{page}"
    );

    // A re-check of the same person replaces, not duplicates, its findings.
    let again = app
        .state
        .inspection
        .recheck("register_feed", 2)
        .await
        .unwrap();
    assert_eq!(again, raised);
    let n: i64 = myna_portal::on_db!(&app.db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM findings WHERE source = 'recheck'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(n as usize, raised);

    // Bad input changes nothing.
    let none = app
        .state
        .inspection
        .change_register("register_feed", 2, &RegisterChange::default())
        .await;
    assert!(none.is_err());
    let bad = app
        .state
        .inspection
        .change_register(
            "register_feed",
            999,
            &RegisterChange {
                address: Some("どこか".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(bad.is_err());
}

async fn a_new_link_asks_the_resident_and_is_checked_at_once(b: Backend) {
    use myna_portal::domain::category::LinkMethod;
    use myna_portal::domain::items::ItemDetails;
    use myna_portal::service::inspection::NewLink;
    let app = TestApp::new(b).await;
    // The insurer links a card to B's number, but the insurer's record is A's.
    let a_identity = app.db.resident(1).await.unwrap().unwrap().identity();
    let (item, raised) = app
        .state
        .inspection
        .link_item(
            "link_feed",
            &NewLink {
                resident_id: 2,
                institution_id: 2,
                link_method: LinkMethod::BatchMatch,
                snapshot: a_identity,
                details: ItemDetails::HealthInsurance {
                    insurer_number: "01130016".into(),
                    symbol: "4821".into(),
                    number: "999".into(),
                    branch: "00".into(),
                    insured_kind: "insured".into(),
                    coverage_start: "2026-11-01".into(),
                    coverage_end: None,
                },
            },
        )
        .await
        .unwrap();
    assert!(raised >= 1);
    let b_cookie = app.session_cookie(B_NUMBER).await;
    let inbox = body_text(app.get("/inbox", Some(&b_cookie)).await).await;
    assert!(inbox.contains("新しい情報がひも付けられました"), "{inbox}");
    assert!(inbox.contains("健康保険"), "{inbox}");
    let me = body_text(app.get("/me", Some(&b_cookie)).await).await;
    assert!(
        me.contains(&format!("item={item}")),
        "B sees the new item: {me}"
    );
    let f: (String, Option<i64>) = myna_portal::on_db!(&app.db, |p| sqlx::query_as(
        "SELECT verdict, suggested_resident_id FROM findings WHERE source = 'recheck' AND item_id = $1"
    )
    .bind(item)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(f, ("wrong_person".to_string(), Some(1)));
}

/// The statistics a bulk load ends with cover the loaded tables only: statistics of the empty
/// workflow tables made PostgreSQL scan `report_items` whole on every page that asks whether an
/// item is under review, once reports came in. SQLite keeps no STAT4 samples, which made it
/// prepare statements again on every bound value.
async fn a_bulk_loads_statistics_leave_the_workflow_tables_alone(b: Backend) {
    let app = TestApp::new(b).await;
    app.db.analyze().await.unwrap();
    match &app.db {
        myna_portal::store::Db::Postgres(p) => {
            let analysed: Vec<(String, bool)> = sqlx::query_as(
                "SELECT relname::text, last_analyze IS NOT NULL FROM pg_stat_user_tables \
                 WHERE relname IN ('linked_items', 'residents', 'reports', 'report_items') \
                 ORDER BY relname",
            )
            .fetch_all(p)
            .await
            .unwrap();
            assert_eq!(
                analysed,
                [
                    ("linked_items".to_string(), true),
                    ("report_items".to_string(), false),
                    ("reports".to_string(), false),
                    ("residents".to_string(), true),
                ]
            );
        }
        myna_portal::store::Db::Sqlite(p) => {
            let stat1: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'linked_items'")
                    .fetch_one(p)
                    .await
                    .unwrap();
            assert!(stat1 > 0, "linked_items has statistics");
            let stat4: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_stat4")
                .fetch_one(p)
                .await
                .unwrap();
            assert_eq!(stat4, 0);
        }
    }
}

/// The finding page explains the engine's weights: a waterfall chart with a table of the same
/// rows (attribute, comparison level, signed weight in bits, running total), the rules applied
/// and the probability that the link is wrong, in Japanese and in English (the `lang` cookie).
/// The case raised from it shows the same explanation in its pre-check.
async fn a_finding_explains_its_weights_in_both_languages(b: Backend) {
    let app = TestApp::new(b).await;
    let sup = app.staff_cookie("supervisor").await;
    let run = start(&app, &sup).await;
    assert!(app.state.inspection.run_once().await.unwrap());
    let (finding, _, _) = finding_of(&app, run, 2).await.expect("item 2 found");
    let stored: Option<String> = myna_portal::on_db!(&app.db, |p| sqlx::query_scalar(
        "SELECT evidence FROM findings WHERE id = $1"
    )
    .bind(finding)
    .fetch_one(p)
    .await)
    .unwrap();
    let evidence: myna_portal::domain::linkage::Evidence =
        serde_json::from_str(&stored.expect("the finding kept its evidence")).unwrap();
    assert!(!evidence.contributions.is_empty());
    let p = myna_portal::ui::components::percent(evidence.p_wrong);
    let link = format!("/staff/findings/{finding}");

    // The chart: an image with a summary, and the table a screen reader reads.
    let ja = body_text(app.get(&link, Some(&sup)).await).await;
    for want in [
        "判定の根拠（項目ごとの重み）",
        "＋1ビットごとに",
        r#"role="img" aria-labelledby="finding-waterfall-chart-title""#,
        "<title id=\"finding-waterfall-chart-title\">判定の根拠の滝グラフ",
        r#"<table class="waterfall-table">"#,
        "<caption>判定の根拠の内訳（重みの単位はビット）</caption>",
        r#"<th scope="col">比較の結果</th>"#,
        r#"<th scope="row">事前の見込み</th>"#,
        r#"<th scope="row">合計（ひも付け先の方）</th>"#,
        r#"<th scope="row">適用したルール</th>"#,
        r#"<th scope="row">ひも付けが誤りである確率</th>"#,
        &format!(r#"<td colspan="3" class="wf-p">{p}</td>"#),
    ] {
        assert!(ja.contains(want), "{want} in {ja}");
    }
    let bits = |v: f64| myna_portal::ui::components::signed_bits(v);
    for c in &evidence.contributions {
        let row = format!(
            r#"<th scope="row">{}</th><td>{}</td><td class="num wf-bits">{}</td>"#,
            myna_portal::i18n::I18n::new(myna_portal::i18n::Lang::Ja)
                .t(&format!("engine.attr.{}", c.attribute)),
            myna_portal::i18n::I18n::new(myna_portal::i18n::Lang::Ja)
                .t(&format!("engine.level.{}", c.level)),
            bits(c.bits),
        );
        assert!(ja.contains(&row), "{row} in {ja}");
    }
    // Every attribute the institution holds is a row, named in plain words.
    for attr in ["氏名（漢字）", "氏名（カナ）", "生年月日", "性別", "住所"] {
        assert!(
            ja.contains(&format!(r#"<th scope="row">{attr}</th>"#)),
            "{attr}"
        );
    }
    if evidence.rival.is_some() {
        assert!(ja.contains("住民票の別の方のほうが、この記録をよく説明します"));
    }

    let en = body_text(app.get(&link, Some(&format!("{sup}; lang=en"))).await).await;
    for want in [
        "Why: the weight of each attribute",
        "Each +1 bit doubles the odds",
        "<caption>How the evidence adds up (weights in bits)</caption>",
        r#"<th scope="col">Running total (bits)</th>"#,
        r#"<th scope="row">Prior</th>"#,
        r#"<th scope="row">Name (kana)</th>"#,
        r#"<th scope="row">Date of birth</th>"#,
        r#"<th scope="row">Address</th>"#,
        r#"<th scope="row">Probability that the link is wrong</th>"#,
        &format!(r#"<td colspan="3" class="wf-p">{p}</td>"#),
    ] {
        assert!(en.contains(want), "{want} in {en}");
    }
    assert!(!en.contains("事前の見込み"), "no Japanese left: {en}");

    // The case raised from the finding carries the evidence into its pre-check.
    let res = app.post_form(&format!("{link}/case"), "", Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let case = body_text(app.get(&location(&res), Some(&sup)).await).await;
    for want in [
        "事前確認の根拠（項目ごとの重み）",
        r#"<div id="case-waterfall" class="waterfall">"#,
        "<caption>判定の根拠の内訳（重みの単位はビット）</caption>",
        r#"<th scope="row">ひも付けが誤りである確率</th>"#,
    ] {
        assert!(case.contains(want), "{want} in {case}");
    }
}

async fn the_pre_check_and_re_verification_weigh_with_the_last_scans_model(b: Backend) {
    use myna_portal::domain::linkage::Model;
    let app = TestApp::new(b).await;
    let wf = &app.state.workflow;
    // Before any scan: the a-priori model.
    assert_eq!(wf.scan_model().await.unwrap(), None);
    assert_eq!(
        wf.register_near(1, &[]).await.unwrap().model(),
        &Model::prior()
    );

    let sup = app.staff_cookie("supervisor").await;
    let run = start(&app, &sup).await;
    assert!(app.state.inspection.run_once().await.unwrap());
    let kept = wf
        .scan_model()
        .await
        .unwrap()
        .expect("the scan kept its model");
    assert_eq!(kept.trained_links, 5, "trained on the scan's items");
    assert_ne!(kept, Model::prior());
    assert_eq!(wf.register_near(1, &[]).await.unwrap().model(), &kept);

    // A model kept by an engine with other comparison levels is not used.
    myna_portal::on_db!(&app.db, |p| sqlx::query(
        "UPDATE jobs SET model = $1 WHERE id = $2"
    )
    .bind(r#"{"lambda":0.9,"m":[[1.0]],"u":[[1.0]],"trained_links":5,"u_pairs":0}"#)
    .bind(run)
    .execute(p)
    .await
    .map(|_| ()))
    .unwrap();
    assert_eq!(wf.scan_model().await.unwrap(), None);
    assert_eq!(
        wf.register_near(1, &[]).await.unwrap().model(),
        &Model::prior()
    );
}

on_both_backends!(
    the_pre_check_and_re_verification_weigh_with_the_last_scans_model,
    a_bulk_loads_statistics_leave_the_workflow_tables_alone,
    a_new_link_asks_the_resident_and_is_checked_at_once,
    a_finding_explains_its_weights_in_both_languages,
    a_scan_finds_the_wrong_link_and_a_finding_becomes_a_case,
    each_role_sees_only_its_own_findings,
    a_job_runs_once_across_two_servers_and_survives_a_dead_worker,
    a_register_change_rechecks_the_persons_links,
);
