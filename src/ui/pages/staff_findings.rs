//! One scan run's findings, most suspicious first, filtered by institution, category and verdict
//! (from the overview's counts), a hundred to a page. Each row opens the finding's evidence.

use crate::api::inspection::get_findings;
use crate::domain::category::Category;
use crate::domain::inspection::{FindingsFilter, FindingsView, PAGE_SIZE};
use crate::ui::components::{error_code, StaffLoadError};
use crate::ui::components::{FindingTable, RunProgress};
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn StaffFindingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let run = move || {
        // `try_with`: the title reads this after a server render may have disposed the params.
        params
            .try_with(|p| p.get("run"))
            .flatten()
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let param = move |k: &str| {
        query
            .read()
            .get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let filter = move || FindingsFilter {
        institution: param("institution").and_then(|v| v.parse().ok()),
        category: param("category"),
        verdict: param("verdict"),
        page: param("page").and_then(|v| v.parse().ok()),
    };
    let data = Resource::new(move || (run(), filter()), |(run, f)| get_findings(run, f));

    view! {
        <Title text=move || i18n.tf("staff.page.findings", &[("id", &run().to_string())]) />
        <p class="back-link">
            <a href="/staff/inspection">{i18n.t("inspection.back")}</a>
        </p>
        <h1>{move || i18n.tf("inspection.findings_title", &[("id", &run().to_string())])}</h1>
        <Suspense fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Findings view /> }.into_any(),
                    Err(e) => view! { <StaffLoadError code=error_code(&e) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Findings(view: FindingsView) -> impl IntoView {
    let i18n = use_i18n();
    let f = view.filter.clone();
    let mut parts = Vec::new();
    if let (Some(ja), Some(en)) = (&view.institution_name_ja, &view.institution_name_en) {
        parts.push(i18n.pick(ja, en));
    }
    if let Some(c) = f.category.as_deref().and_then(Category::from_code) {
        parts.push(i18n.t(c.label_key()));
    }
    if let Some(v) = f.verdict.as_deref() {
        parts.push(i18n.t(&format!("inspection.verdict.{v}")));
    }
    let showing = if parts.is_empty() {
        i18n.t("inspection.filter_all")
    } else {
        parts.join(" / ")
    };
    let page = f.page.unwrap_or(1);
    let pages = ((view.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let href = move |p: i64| {
        let mut q = vec![format!("page={p}")];
        if let Some(i) = f.institution {
            q.push(format!("institution={i}"));
        }
        if let Some(c) = &f.category {
            q.push(format!("category={c}"));
        }
        if let Some(v) = &f.verdict {
            q.push(format!("verdict={v}"));
        }
        format!("/staff/inspection/{}?{}", view.run.id, q.join("&"))
    };
    let caption = i18n.tf(
        "inspection.list_caption",
        &[
            ("filter", &showing),
            ("n", &i18n.number(view.total)),
            ("page", &page.to_string()),
            ("pages", &pages.to_string()),
        ],
    );
    let body = if view.rows.is_empty() {
        view! { <p class="empty">{i18n.t("inspection.none_found")}</p> }.into_any()
    } else {
        view! { <FindingTable rows=view.rows caption /> }.into_any()
    };
    let (prev, next) = (href(page - 1), href(page + 1));
    view! {
        <section class="card" aria-labelledby="run-h">
            <h2 id="run-h">{i18n.tf("inspection.run_title", &[("id", &view.run.id.to_string())])}</h2>
            <RunProgress run=view.run.clone() />
        </section>
        <p>{i18n.tf("inspection.showing", &[("filter", &showing)])}</p>
        {body}
        <nav class="pager" aria-label=i18n.t("inspection.pager_label")>
            {(page > 1).then(|| view! { <a href=prev>{i18n.t("inspection.prev_page")}</a> })}
            " "
            {(page < pages).then(|| view! { <a href=next>{i18n.t("inspection.next_page")}</a> })}
        </nav>
    }
}
