//! "閲覧の記録": every time staff opened the resident's data, with organisation, role, purpose
//! and the case, newest first. Staff names are never shown.

use crate::api::workflow::get_access_log;
use crate::domain::reports::AccessEntry;
use crate::i18n::I18n;
use crate::ui::components::LoadFailed;
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;

/// Purpose codes the staff pages record, with their labels.
const PURPOSES: [(&str, &str); 5] = [
    ("case_investigation", "purpose.case_investigation"),
    ("helpdesk_inquiry", "purpose.helpdesk_inquiry"),
    ("helpdesk_filing", "purpose.helpdesk_filing"),
    ("impact_review", "purpose.impact_review"),
    ("integrity_inspection", "purpose.integrity_inspection"),
];

/// A purpose in words: a known code translated (with any words after it), anything else as is.
fn purpose_text(i18n: I18n, purpose: &str) -> String {
    let Some((code, key)) = PURPOSES.iter().find(|(c, _)| purpose.starts_with(c)) else {
        return purpose.to_string();
    };
    let rest = purpose[code.len()..]
        .trim_start_matches([':', '：', '-', ' ', '\u{3000}'])
        .trim();
    if rest.is_empty() {
        i18n.t(key)
    } else {
        i18n.tf(
            "access.purpose_with_detail",
            &[("purpose", &i18n.t(key)), ("detail", rest)],
        )
    }
}

#[component]
pub fn AccessLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let log = Resource::new(|| (), |_| get_access_log());

    view! {
        <Title text=i18n.t("access.page_title") />
        <h1>{i18n.t("access.title")}</h1>
        <Suspense fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match log.await {
                    Ok(entries) => view! { <AccessLog entries /> }.into_any(),
                    Err(_) => view! { <LoadFailed /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccessLog(entries: Vec<AccessEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let table = if entries.is_empty() {
        view! { <p class="empty">{i18n.t("access.empty")}</p> }.into_any()
    } else {
        let rows = entries
            .into_iter()
            .map(|e| {
                let case = match e.reference {
                    Some(r) => {
                        view! { <a class="reference" href=format!("/reports/{r}")>{r.clone()}</a> }
                            .into_any()
                    }
                    None => view! { <span class="muted">{i18n.t("value.none")}</span> }.into_any(),
                };
                view! {
                    <tr>
                        <th scope="row">{i18n.date(e.at)}</th>
                        <td>{i18n.pick(&e.organisation_ja, &e.organisation_en)}</td>
                        <td>{i18n.t(e.role.label_key())}</td>
                        <td>{purpose_text(i18n, &e.purpose)}</td>
                        <td>{case}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label=i18n.t("access.table_label")>
                <table class="access-table">
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t("access.col.date")}</th>
                            <th scope="col">{i18n.t("access.col.organisation")}</th>
                            <th scope="col">{i18n.t("access.col.role")}</th>
                            <th scope="col">{i18n.t("access.col.purpose")}</th>
                            <th scope="col">{i18n.t("access.col.reference")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
            .into_any()
    };
    view! {
        <p class="lead">{i18n.t("access.lead")}</p>
        <ul>
            <li>{i18n.t("access.explain_recorded")}</li>
            <li>{i18n.t("access.explain_names")}</li>
            <li>{i18n.t("access.explain_purpose")}</li>
        </ul>
        {table}
        <p class="muted">{i18n.t("access.contact")}</p>
    }
}
