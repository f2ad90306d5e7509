//! One finding of the integrity scan with its evidence: the item and how it was linked, its
//! snapshot side by side with the linked person's register entry, the reasons, and the person
//! the scan suggests it belongs to. One form turns it into a correction case. Opening this page
//! is logged as an access to the people shown.

use crate::api::inspection::get_finding;
use crate::domain::inspection::FindingView;
use crate::ui::components::{error_code, CaseItemCard, PersonDetails, StaffLoadError};
use crate::ui::components::{Alert, MatchTable, QueryError, ScanVerdictBadge, Waterfall};
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Error codes the "open a case" endpoint sends back (`inspection.error.<code>`).
const CASE_ERRORS: [&str; 3] = ["already_reported", "no_longer_linked", "forbidden"];

#[component]
pub fn StaffFindingPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        // `try_with`: the title reads this after a server render may have disposed the params.
        params
            .try_with(|p| p.get("id"))
            .flatten()
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let data = Resource::new(id, get_finding);
    view! {
        <Title text=move || i18n.tf("staff.page.finding", &[("id", &id().to_string())]) />
        <p class="back-link">
            <a href="/staff/inspection">{i18n.t("inspection.back")}</a>
        </p>
        <h1>{move || i18n.tf("inspection.finding_title", &[("id", &id().to_string())])}</h1>
        <QueryError prefix="inspection.error." known=&CASE_ERRORS />
        <Suspense fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Finding view /> }.into_any(),
                    Err(e) => view! { <StaffLoadError code=error_code(&e) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Finding(view: FindingView) -> impl IntoView {
    let i18n = use_i18n();
    let row = view.row.clone();
    let reasons = row
        .reasons
        .iter()
        .map(|r| view! { <li>{i18n.t(&format!("scan_reason.{r}"))}</li> })
        .collect_view();
    let back = row
        .run_id
        .map(|run| view! { <p><a href=format!("/staff/inspection/{run}")>{i18n.t("inspection.back_to_list")}</a></p> });
    let case = match (row.case_reference.clone(), view.can_open_case) {
        (Some(r), false) => view! {
            <p>
                {i18n.t("inspection.case_exists")} " "
                <a href=format!("/staff/cases/{r}")>{r.clone()}</a>
            </p>
        }
        .into_any(),
        (_, true) => view! {
            <form class="card" method="post" action=format!("/staff/findings/{}/case", row.id)>
                <h2>{i18n.t("inspection.open_case_title")}</h2>
                <p>{i18n.t("inspection.open_case_explain")}</p>
                {row
                    .case_reference
                    .clone()
                    .map(|r| {
                        view! {
                            <p class="muted">
                                {i18n.t("inspection.earlier_case")} " "
                                <a href=format!("/staff/cases/{r}")>{r.clone()}</a>
                            </p>
                        }
                    })}
                <div class="actions">
                    <button type="submit" class="btn btn-primary">
                        {i18n.t("inspection.open_case")}
                    </button>
                </div>
            </form>
        }
        .into_any(),
        (None, false) => {
            view! { <Alert kind="info" message=i18n.t("case.no_longer_linked") /> }.into_any()
        }
    };
    let suggestion = match view.suggestion {
        Some(s) => {
            let label = i18n.t("inspection.suggestion_table");
            view! {
                <section class="card" aria-labelledby="suggestion-h">
                    <h2 id="suggestion-h">{i18n.t("inspection.suggestion_title")}</h2>
                    <p class="muted">{i18n.t("inspection.suggestion_explain")}</p>
                    <PersonDetails person=s.person />
                    <MatchTable rows=s.match_card label />
                </section>
            }
            .into_any()
        }
        None => view! { <p class="muted">{i18n.t("inspection.no_suggestion")}</p> }.into_any(),
    };
    // The engine's evidence as a waterfall, for findings that kept it (older rows did not).
    let waterfall = view.evidence.map(|evidence| {
        view! {
            <section class="card" aria-labelledby="waterfall-h">
                <h2 id="waterfall-h">{i18n.t("engine.title")}</h2>
                <p class="muted">{i18n.t("engine.how_to_read")}</p>
                <Waterfall evidence id="finding-waterfall" />
            </section>
        }
    });
    view! {
        <section class="card" aria-labelledby="summary-h">
            <h2 id="summary-h">{i18n.t("inspection.summary_title")}</h2>
            <dl class="fields">
                <div>
                    <dt>{i18n.t("inspection.col.verdict")}</dt>
                    <dd>
                        <ScanVerdictBadge verdict=row.verdict.clone() />
                        " "
                        {i18n.tf("inspection.score", &[("score", &format!("{:.2}", row.score))])}
                    </dd>
                </div>
                <div>
                    <dt>{i18n.t("inspection.field.source")}</dt>
                    <dd>{i18n.t(&format!("inspection.source.{}", row.source.code()))}</dd>
                </div>
                <div>
                    <dt>{i18n.t("inspection.col.linked_to")}</dt>
                    <dd>{row.my_number_masked.clone()}</dd>
                </div>
            </dl>
            <h3>{i18n.t("inspection.col.reasons")}</h3>
            <ul class="reasons">{reasons}</ul>
            {back}
        </section>
        {waterfall}
        {case}
        <h2>{i18n.t("inspection.evidence_title")}</h2>
        <CaseItemCard
            item=view.item
            match_keys=("inspection.match_title", "inspection.match_explain")
        />
        <section class="card" aria-labelledby="linked-h">
            <h2 id="linked-h">{i18n.t("inspection.linked_title")}</h2>
            <PersonDetails person=view.linked />
        </section>
        {suggestion}
    }
}
