//! "報告の状況": the resident's reports, newest first, and links to report an item that should be
//! linked but is not.

use crate::api::workflow::get_my_reports;
use crate::domain::reports::MyReportSummary;
use crate::ui::components::{DeadlineText, LoadFailed, MissingItemLinks, StatusBadge};
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyReportsPage() -> impl IntoView {
    let i18n = use_i18n();
    let reports = Resource::new(|| (), |_| get_my_reports());

    view! {
        <Title text=i18n.t("reports.page_title") />
        <h1>{i18n.t("reports.title")}</h1>
        <Suspense fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match reports.await {
                    Ok(list) => {
                        view! {
                            <ReportList reports=list />
                            <MissingItemLinks />
                        }
                            .into_any()
                    }
                    Err(_) => view! { <LoadFailed /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportList(reports: Vec<MyReportSummary>) -> impl IntoView {
    let i18n = use_i18n();
    if reports.is_empty() {
        return view! {
            <p class="lead">{i18n.t("reports.lead")}</p>
            <p class="empty">{i18n.t("reports.empty")}</p>
            <p>
                <a href="/me">{i18n.t("reports.go_to_my_data")}</a>
            </p>
        }
        .into_any();
    }
    let rows = reports
        .into_iter()
        .map(|r| {
            let open = r.status.awaits_decision();
            let deadline = if open {
                view! { <DeadlineText deadline=r.deadline open /> }.into_any()
            } else {
                view! { <span class="muted">{i18n.t("reports.no_deadline")}</span> }.into_any()
            };
            view! {
                <tr>
                    <th scope="row">
                        <a class="reference" href=format!("/reports/{}", r.reference)>
                            {r.reference.clone()}
                        </a>
                    </th>
                    <td>{i18n.t(r.kind.label_key())}</td>
                    <td>{i18n.t(r.category.label_key())}</td>
                    <td>{i18n.pick(&r.institution_name_ja, &r.institution_name_en)}</td>
                    <td>
                        <StatusBadge status=r.status />
                    </td>
                    <td>{i18n.date(r.submitted_at)}</td>
                    <td>{deadline}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="lead">{i18n.t("reports.lead")}</p>
        <div class="table-wrap" tabindex="0" role="region" aria-label=i18n.t("reports.table_label")>
            <table class="reports-table">
                <thead>
                    <tr>
                        <th scope="col">{i18n.t("reports.col.reference")}</th>
                        <th scope="col">{i18n.t("reports.col.kind")}</th>
                        <th scope="col">{i18n.t("reports.col.category")}</th>
                        <th scope="col">{i18n.t("reports.col.institution")}</th>
                        <th scope="col">{i18n.t("reports.col.status")}</th>
                        <th scope="col">{i18n.t("reports.col.submitted")}</th>
                        <th scope="col">{i18n.t("reports.col.deadline")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="muted">{i18n.t("reports.how_to_report")}</p>
    }
    .into_any()
}
