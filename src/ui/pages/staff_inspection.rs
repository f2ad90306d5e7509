//! 総点検 (integrity inspection): start a scan of every linked item, watch it run, and see the
//! newest finished run's findings by institution and category. Each count opens the list of
//! those findings, and each finding its evidence: two clicks from here to the comparison.
//!
//! Progress is live when JavaScript runs: the newest run's card is an island that reads the run
//! every two seconds while it is active and reloads the page when it has finished; without
//! JavaScript, a refresh link does the same.

use crate::api::inspection::{get_inspection, get_run_progress};
use crate::domain::inspection::{CountRow, InspectionView, RunSummary};
use crate::i18n::{Lang, Strings};
use crate::ui::components::{error_code, StaffLoadError};
use crate::ui::components::{Alert, FindingTable, QueryError, RunProgress};
use crate::ui::context::{mark_island_hydrated, provide_i18n, use_i18n};
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Error codes the start endpoint sends back (`inspection.error.<code>`).
const START_ERRORS: [&str; 1] = ["forbidden"];

#[component]
pub fn StaffInspectionPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let data = Resource::new(|| (), |_| get_inspection());
    let started = move || query.read().get("done").is_some_and(|d| d == "started");

    view! {
        <Title text=i18n.t("staff.page.inspection") />
        <h1>{i18n.t("inspection.title")}</h1>
        <p class="lead">{i18n.t("inspection.lead")}</p>
        {move || {
            started()
                .then(|| view! { <Alert kind="success" message=i18n.t("inspection.done.started") /> })
        }}
        <QueryError prefix="inspection.error." known=&START_ERRORS />
        <Transition fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Overview view /> }.into_any(),
                    Err(e) => view! { <StaffLoadError code=error_code(&e) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Overview(view: InspectionView) -> impl IntoView {
    let i18n = use_i18n();
    let latest = view.runs.first().cloned();
    let active = latest.as_ref().is_some_and(|r| r.status.is_active());
    let shown = view.shown_run;
    let scope_note = if view.can_start {
        i18n.t("inspection.scope_all")
    } else {
        i18n.tf(
            "inspection.scope_institution",
            &[(
                "institution",
                &i18n.pick(
                    view.me.institution_name_ja.as_deref().unwrap_or_default(),
                    view.me.institution_name_en.as_deref().unwrap_or_default(),
                ),
            )],
        )
    };
    let start = view.can_start.then(|| {
        view! {
            <form class="card" method="post" action="/staff/inspection/start">
                <h2>{i18n.t("inspection.start_title")}</h2>
                <p>{i18n.t("inspection.start_explain")}</p>
                <div class="actions">
                    <button type="submit" class="btn btn-primary">
                        {i18n.t(if active { "inspection.start_again" } else { "inspection.start" })}
                    </button>
                </div>
            </form>
        }
    });
    let current = match latest {
        Some(run) => {
            let strings = Strings::of(i18n.lang, &LIVE_RUN_STRINGS);
            view! { <LiveRun lang=i18n.lang strings run /> }.into_any()
        }
        None => view! { <p class="empty">{i18n.t("inspection.no_runs")}</p> }.into_any(),
    };
    let counts = shown.map(|run| {
        view! {
            <section aria-labelledby="counts-h">
                <h2 id="counts-h">
                    {i18n.tf("inspection.counts_title", &[("id", &run.to_string())])}
                </h2>
                <CountTable run counts=view.counts.clone() />
            </section>
        }
    });
    let top = shown.map(|run| {
        let caption = i18n.t("inspection.top_caption");
        let rows = view.top.clone();
        view! {
            <section aria-labelledby="top-h">
                <h2 id="top-h">{i18n.t("inspection.top_title")}</h2>
                {if rows.is_empty() {
                    view! { <p class="empty">{i18n.t("inspection.none_found")}</p> }.into_any()
                } else {
                    view! {
                        <FindingTable rows caption />
                        <p>
                            <a href=format!(
                                "/staff/inspection/{run}",
                            )>{i18n.t("inspection.all_findings")}</a>
                        </p>
                    }
                        .into_any()
                }}
            </section>
        }
    });
    let rechecks = {
        let rows = view.rechecks.clone();
        view! {
            <section aria-labelledby="recheck-h">
                <h2 id="recheck-h">{i18n.t("inspection.recheck_title")}</h2>
                <p class="muted">{i18n.t("inspection.recheck_explain")}</p>
                {if rows.is_empty() {
                    view! { <p class="empty">{i18n.t("inspection.recheck_none")}</p> }.into_any()
                } else {
                    view! { <FindingTable rows caption=i18n.t("inspection.recheck_caption") /> }
                        .into_any()
                }}
            </section>
        }
    };
    let earlier = (view.runs.len() > 1).then(|| {
        view! {
            <section aria-labelledby="runs-h">
                <h2 id="runs-h">{i18n.t("inspection.runs_title")}</h2>
                <RunTable runs=view.runs.clone() />
            </section>
        }
    });
    view! {
        <p class="staff-me">{scope_note}</p>
        {start}
        {current}
        {counts}
        {top}
        {rechecks}
        {earlier}
    }
}

/// The strings the newest run's card shows (`RunProgress`).
const LIVE_RUN_STRINGS: [&str; 11] = [
    "inspection.run_title",
    "inspection.field.",
    "inspection.status.",
    "inspection.progress_of",
    "inspection.progress_preparing",
    "inspection.progress_label",
    "inspection.throughput",
    "inspection.findings_split",
    "inspection.live_note",
    "inspection.refresh",
    "staff.value_none",
];

/// The newest run's card, an island: in the browser, while the run is queued or running, it
/// reads the run again every two seconds and shows its progress; when the run has finished (or
/// another has started) it reloads the page, which the server renders with the finished run's
/// counts and findings. Without JavaScript, the card's refresh link does the same.
#[island]
fn LiveRun(lang: Lang, strings: Strings, run: RunSummary) -> impl IntoView {
    let i18n = provide_i18n(lang, strings);
    let root: NodeRef<html::Section> = NodeRef::new();
    mark_island_hydrated(root);
    let id = run.id;
    let current = RwSignal::new(run);
    // Effects run in the browser only. A failed read stops the polling, as before islands.
    Effect::new(move |_| {
        if current.with(|r| r.status.is_active()) {
            set_timeout(
                move || {
                    leptos::task::spawn_local(async move {
                        match get_run_progress().await {
                            Ok(Some(r)) if r.id == id && r.status.is_active() => current.set(r),
                            Ok(_) => {
                                let _ = window().location().reload();
                            }
                            Err(_) => {}
                        }
                    })
                },
                std::time::Duration::from_secs(2),
            );
        }
    });
    view! {
        <section class="card" aria-labelledby="run-current-h" node_ref=root>
            <h2 id="run-current-h">{i18n.tf("inspection.run_title", &[("id", &id.to_string())])}</h2>
            {move || view! { <RunProgress run=current.get() /> }}
        </section>
    }
}

/// Findings per institution and category; each count links to the list of those findings.
#[component]
fn CountTable(run: i64, counts: Vec<CountRow>) -> impl IntoView {
    let i18n = use_i18n();
    if counts.is_empty() {
        return view! { <p class="empty">{i18n.t("inspection.none_found")}</p> }.into_any();
    }
    let link = move |c: &CountRow, verdict: &str, n: i64| {
        let href = format!(
            "/staff/inspection/{run}?institution={}&category={}{}",
            c.institution_id,
            c.category.code(),
            if verdict.is_empty() {
                String::new()
            } else {
                format!("&verdict={verdict}")
            }
        );
        if n == 0 {
            view! { <span class="muted">"0"</span> }.into_any()
        } else {
            view! { <a href=href>{i18n.number(n)}</a> }.into_any()
        }
    };
    let rows = counts
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <th scope="row">{i18n.pick(&c.institution_name_ja, &c.institution_name_en)}</th>
                    <td>{i18n.t(c.category.label_key())}</td>
                    <td>{link(c, "wrong_person", c.wrong_person)}</td>
                    <td>{link(c, "needs_review", c.needs_review)}</td>
                    <td>{link(c, "", c.wrong_person + c.needs_review)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div
            class="table-wrap"
            tabindex="0"
            role="region"
            aria-label=i18n.t("inspection.counts_caption")
        >
            <table class="queue-table">
                <caption>{i18n.t("inspection.counts_caption")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t("inspection.col.institution")}</th>
                        <th scope="col">{i18n.t("inspection.col.category")}</th>
                        <th scope="col">{i18n.t("inspection.verdict.wrong_person")}</th>
                        <th scope="col">{i18n.t("inspection.verdict.needs_review")}</th>
                        <th scope="col">{i18n.t("inspection.col.total")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Earlier runs with their state and findings.
#[component]
fn RunTable(runs: Vec<RunSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = runs
        .into_iter()
        .map(|r| {
            view! {
                <tr>
                    <th scope="row">
                        <a href=format!(
                            "/staff/inspection/{}",
                            r.id,
                        )>{i18n.tf("inspection.run_title", &[("id", &r.id.to_string())])}</a>
                    </th>
                    <td>{i18n.t(&r.status.label_key())}</td>
                    <td>{i18n.datetime(r.created_at)}</td>
                    <td>{i18n.number(r.done)}</td>
                    <td>{i18n.number(r.wrong_person)}</td>
                    <td>{i18n.number(r.needs_review)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=i18n.t("inspection.runs_title")>
            <table class="queue-table">
                <caption>{i18n.t("inspection.runs_title")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t("inspection.col.run")}</th>
                        <th scope="col">{i18n.t("inspection.field.status")}</th>
                        <th scope="col">{i18n.t("inspection.field.requested_at")}</th>
                        <th scope="col">{i18n.t("inspection.col.items")}</th>
                        <th scope="col">{i18n.t("inspection.verdict.wrong_person")}</th>
                        <th scope="col">{i18n.t("inspection.verdict.needs_review")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
