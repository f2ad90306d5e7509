//! Pieces the inspection pages share: a run's status and progress, the scan verdict badge and a
//! table of findings.

use crate::domain::inspection::{FindingRow, FindingSource, RunSummary};
use crate::ui::context::use_i18n;
use leptos::prelude::*;

/// The scan's verdict (`wrong_person`, `needs_review`) as a badge with words, not colour alone.
#[component]
pub fn ScanVerdictBadge(verdict: String) -> impl IntoView {
    let i18n = use_i18n();
    let class = if verdict == "wrong_person" {
        "badge badge-differs"
    } else {
        "badge badge-notheld"
    };
    view! { <span class=class>{i18n.t(&format!("inspection.verdict.{verdict}"))}</span> }
}

/// A run's state with a progress bar while it runs.
#[component]
pub fn RunProgress(run: RunSummary) -> impl IntoView {
    let i18n = use_i18n();
    let pct = run.percent();
    let status = i18n.t(&run.status.label_key());
    let progress_text = if run.total > 0 {
        i18n.tf(
            "inspection.progress_of",
            &[
                ("done", &i18n.number(run.done)),
                ("total", &i18n.number(run.total)),
                ("pct", &pct.to_string()),
            ],
        )
    } else {
        i18n.t("inspection.progress_preparing")
    };
    let label = i18n.tf("inspection.progress_label", &[("id", &run.id.to_string())]);
    let active = run.status.is_active();
    let throughput = run.throughput().map(|t| {
        i18n.tf(
            "inspection.throughput",
            &[("rate", &i18n.number(t.round() as i64))],
        )
    });
    view! {
        <dl class="fields run-fields">
            <div>
                <dt>{i18n.t("inspection.field.status")}</dt>
                <dd>
                    <span class="badge">{status}</span>
                </dd>
            </div>
            <div>
                <dt>{i18n.t("inspection.field.started_by")}</dt>
                <dd>{run.requested_by.clone().unwrap_or_else(|| i18n.t("staff.value_none"))}</dd>
            </div>
            <div>
                <dt>{i18n.t("inspection.field.requested_at")}</dt>
                <dd>{i18n.datetime(run.created_at)}</dd>
            </div>
            {run
                .finished_at
                .map(|f| {
                    view! {
                        <div>
                            <dt>{i18n.t("inspection.field.finished_at")}</dt>
                            <dd>{i18n.datetime(f)}</dd>
                        </div>
                    }
                })}
            <div>
                <dt>{i18n.t("inspection.field.findings")}</dt>
                <dd>
                    {i18n
                        .tf(
                            "inspection.findings_split",
                            &[
                                ("wrong", &i18n.number(run.wrong_person)),
                                ("review", &i18n.number(run.needs_review)),
                            ],
                        )}
                </dd>
            </div>
        </dl>
        <div class="run-progress">
            <progress max="100" value=pct.to_string() aria-label=label></progress>
            <span>{progress_text}</span>
        </div>
        {throughput.map(|t| view! { <p class="muted">{t}</p> })}
        {active
            .then(|| {
                view! {
                    <p class="muted">
                        {i18n.t("inspection.live_note")} " "
                        <a href="/staff/inspection">{i18n.t("inspection.refresh")}</a>
                    </p>
                }
            })}
    }
}

/// Findings, most suspicious first; each row links to its evidence.
#[component]
pub fn FindingTable(rows: Vec<FindingRow>, caption: String) -> impl IntoView {
    let i18n = use_i18n();
    let body = rows
        .into_iter()
        .map(|f| {
            let institution = i18n.pick(&f.institution_name_ja, &f.institution_name_en);
            let reasons = f
                .reasons
                .iter()
                .map(|r| i18n.t(&format!("scan_reason.{r}")))
                .collect::<Vec<_>>()
                .join(i18n.t("inspection.reason_separator").as_str());
            let source = (f.source == FindingSource::Recheck).then(
                || view! { " " <span class="badge">{i18n.t("inspection.source.recheck")}</span> },
            );
            let case = match f.case_reference {
                Some(r) => view! { <a href=format!("/staff/cases/{r}")>{r.clone()}</a> }.into_any(),
                None => {
                    view! { <span class="muted">{i18n.t("inspection.no_case")}</span> }.into_any()
                }
            };
            view! {
                <tr>
                    <th scope="row">
                        <a href=format!("/staff/findings/{}", f.id)>
                            {i18n.tf("inspection.finding_link", &[("id", &f.id.to_string())])}
                        </a>
                        {source}
                    </th>
                    <td>
                        <ScanVerdictBadge verdict=f.verdict.clone() />
                        <br />
                        <small>{format!("{:.2}", f.score)}</small>
                    </td>
                    <td>
                        {i18n.t(f.category.label_key())}
                        <br />
                        <small class="muted">{institution}</small>
                    </td>
                    <td>{f.my_number_masked.clone()}</td>
                    <td>{reasons}</td>
                    <td>{case}</td>
                </tr>
            }
        })
        .collect_view();
    let label = caption.clone();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="queue-table finding-table">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t("inspection.col.finding")}</th>
                        <th scope="col">{i18n.t("inspection.col.verdict")}</th>
                        <th scope="col">{i18n.t("inspection.col.item")}</th>
                        <th scope="col">{i18n.t("inspection.col.linked_to")}</th>
                        <th scope="col">{i18n.t("inspection.col.reasons")}</th>
                        <th scope="col">{i18n.t("inspection.col.case")}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}
