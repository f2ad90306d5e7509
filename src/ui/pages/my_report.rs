//! One report as its reporter sees it: the confirmation right after filing, the status and the
//! deadline, the items, the note, the timeline, the decision, and the forms to answer the
//! caseworker's question or to withdraw the report (plain forms, answered with 303).

use crate::api::workflow::get_my_report;
use crate::domain::reports::{EventKind, MyReportView, TimelineEntry};
use crate::i18n::I18n;
use crate::ui::components::LoadFailed;
use crate::ui::components::{Alert, DeadlineText, FieldList, StatusBadge, Timeline};
use crate::ui::context::use_i18n;
use crate::ui::pages::report_form::PlainTextField;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `?done=` codes and their messages.
const DONE: [(&str, &str); 2] = [
    ("answered", "report.done.answered"),
    ("withdrawn", "report.done.withdrawn"),
];

/// `?error=` codes of the answer and withdraw forms and their messages.
const ERRORS: [(&str, &str); 3] = [
    ("message_required", "report.error.message_required"),
    ("message_too_long", "report.error.message_too_long"),
    ("not_allowed_in_state", "report.error.not_allowed_in_state"),
];

fn lookup(table: &[(&str, &'static str)], code: &str) -> Option<&'static str> {
    table.iter().find(|(c, _)| *c == code).map(|(_, k)| *k)
}

/// What the redirect after a form put in the query string.
#[derive(Debug, Clone, Default, PartialEq)]
struct Flags {
    submitted: bool,
    done: Option<&'static str>,
    error: Option<String>,
}

#[component]
pub fn MyReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    // `try_with`: the title reads this after a server render may have disposed the params.
    let reference = move || {
        params
            .try_with(|p| p.get("reference"))
            .flatten()
            .unwrap_or_default()
    };
    let report = Resource::new(reference, get_my_report);

    view! {
        <Title text=move || i18n.tf("report.detail.page_title", &[("reference", &reference())]) />
        <h1>{i18n.t("report.detail.title")}</h1>
        <Suspense fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
            {move || {
                let flags = query
                    .with(|q| Flags {
                        submitted: q.get_str("submitted") == Some("1"),
                        done: q.get_str("done").and_then(|c| lookup(&DONE, c)),
                        error: q.get("error"),
                    });
                Suspend::new(async move {
                    match report.await {
                        Ok(r) => view! { <Report report=r flags /> }.into_any(),
                        Err(ServerFnError::ServerError(code)) if code == "not_found" => {
                            view! {
                                <Alert kind="error" message=i18n.t("report.not_found") />
                                <p>
                                    <a href="/reports">{i18n.t("report.back_to_list")}</a>
                                </p>
                            }
                                .into_any()
                        }
                        Err(_) => view! { <LoadFailed /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Report(report: MyReportView, flags: Flags) -> impl IntoView {
    let i18n = use_i18n();
    let s = report.summary.clone();
    let open = s.status.awaits_decision();
    let institution = i18n.pick(&s.institution_name_ja, &s.institution_name_en);
    let error = flags.error.as_deref().map(|c| {
        let key = lookup(&ERRORS, c).unwrap_or("error.bad_request");
        let invalid = c.starts_with("message_");
        (i18n.t(key), invalid)
    });
    let invalid_message = error.as_ref().is_some_and(|(_, invalid)| *invalid);
    let question = last_question(&report.timeline);

    view! {
        {flags
            .submitted
            .then(|| view! { <Submitted reference=s.reference.clone() due_at=s.deadline.due_at /> })}
        {flags.done.map(|k| view! { <Alert kind="success" message=i18n.t(k) /> })}
        {error.map(|(m, _)| view! { <Alert kind="error" message=m /> })}
        <section class="card" aria-labelledby="overview-h">
            <h2 id="overview-h">{i18n.t("report.detail.overview")}</h2>
            <dl class="fields">
                <div>
                    <dt>{i18n.t("report.detail.reference")}</dt>
                    <dd>
                        <span class="reference">{s.reference.clone()}</span>
                    </dd>
                </div>
                <div>
                    <dt>{i18n.t("report.detail.status")}</dt>
                    <dd>
                        <StatusBadge status=s.status />
                    </dd>
                </div>
                <div>
                    <dt>{i18n.t("report.kind_label")}</dt>
                    <dd>{i18n.t(s.kind.label_key())}</dd>
                </div>
                <div>
                    <dt>{i18n.t("report.category_label")}</dt>
                    <dd>{i18n.t(s.category.label_key())}</dd>
                </div>
                <div>
                    <dt>{i18n.t("report.detail.institution")}</dt>
                    <dd>{institution}</dd>
                </div>
                <div>
                    <dt>{i18n.t("report.detail.submitted")}</dt>
                    <dd>{i18n.date(s.submitted_at)}</dd>
                </div>
                {open
                    .then(|| {
                        view! {
                            <div>
                                <dt>{i18n.t("report.detail.deadline")}</dt>
                                <dd>
                                    <DeadlineText deadline=s.deadline open />
                                </dd>
                            </div>
                        }
                    })}
            </dl>
        </section>
        {report
            .outcome
            .map(|o| {
                view! {
                    <section class="card outcome" aria-labelledby="outcome-h">
                        <h2 id="outcome-h">{i18n.t("report.detail.outcome")}</h2>
                        <p>
                            <strong>{i18n.t(o.label_key())}</strong>
                        </p>
                        {report
                            .outcome_reason
                            .clone()
                            .filter(|r| !r.trim().is_empty())
                            .map(|r| {
                                view! {
                                    <h3>{i18n.t("report.detail.outcome_reason")}</h3>
                                    <p class="plain-text">{r}</p>
                                }
                            })}
                    </section>
                }
            })}
        {report
            .can_answer
            .then(|| {
                view! { <AnswerForm reference=s.reference.clone() question invalid=invalid_message /> }
            })}
        <Items report=report.clone() />
        <section aria-labelledby="note-h">
            <h2 id="note-h">{i18n.t("report.detail.note")}</h2>
            {if report.note.trim().is_empty() {
                view! { <p class="muted">{i18n.t("report.detail.no_note")}</p> }.into_any()
            } else {
                view! { <p class="plain-text">{report.note.clone()}</p> }.into_any()
            }}
        </section>
        <section aria-labelledby="timeline-h">
            <h2 id="timeline-h">{i18n.t("report.detail.timeline")}</h2>
            <Timeline entries=report.timeline.clone() />
        </section>
        {report.can_withdraw.then(|| view! { <WithdrawForm reference=s.reference.clone() /> })}
        <p>
            <a href="/reports">{i18n.t("report.back_to_list")}</a>
        </p>
    }
}

/// The caseworker's latest question: the last "information requested" step with a message.
fn last_question(timeline: &[TimelineEntry]) -> Option<TimelineEntry> {
    timeline
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::InfoRequested && e.message.is_some())
        .cloned()
}

/// A reference number spelled out one character at a time, for screen readers.
fn spelled(reference: &str) -> String {
    reference
        .chars()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The confirmation right after filing: the reference number and what happens next.
#[component]
fn Submitted(reference: String, due_at: i64) -> impl IntoView {
    let i18n = use_i18n();
    let steps = [
        "report.submitted.next_check",
        "report.submitted.next_notice",
        "report.submitted.next_deadline",
        "report.submitted.next_under_review",
    ]
    .map(|k| view! { <li>{i18n.tf(k, &[("date", &i18n.date(due_at))])}</li> });
    view! {
        <section class="confirmation" role="status" aria-labelledby="confirmation-h">
            <h2 id="confirmation-h">{i18n.t("report.submitted.title")}</h2>
            <p class="reference-label">{i18n.t("report.submitted.reference_label")}</p>
            <p class="reference-number">
                <span aria-hidden="true">{reference.clone()}</span>
                <span class="visually-hidden">{spelled(&reference)}</span>
            </p>
            <p>{i18n.t("report.submitted.reference_hint")}</p>
            <h3>{i18n.t("report.submitted.next_heading")}</h3>
            <ol class="next-steps">{steps}</ol>
        </section>
    }
}

/// The items named in the report, with their identifiers masked.
#[component]
fn Items(report: MyReportView) -> impl IntoView {
    let i18n = use_i18n();
    (!report.items.is_empty()).then(|| {
        let items = report
            .items
            .into_iter()
            .map(|item| {
                let name = i18n.pick(&item.institution_name_ja, &item.institution_name_en);
                view! {
                    <li class="card">
                        <h3>{i18n.t(item.category.label_key())}</h3>
                        <p class="source">{name}</p>
                        <FieldList fields=item.fields />
                    </li>
                }
            })
            .collect_view();
        view! {
            <section aria-labelledby="items-h">
                <h2 id="items-h">{i18n.t("report.detail.items")}</h2>
                <ul class="report-items">{items}</ul>
            </section>
        }
    })
}

/// The answer to the caseworker's question, with the question above it.
#[component]
fn AnswerForm(reference: String, question: Option<TimelineEntry>, invalid: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card answer" aria-labelledby="answer-h">
            <h2 id="answer-h">{i18n.t("report.answer.heading")}</h2>
            {question
                .map(|q| {
                    view! {
                        <figure class="request-message">
                            <figcaption>
                                {i18n.tf("report.answer.question_from", &[("date", &i18n.date(q.at))])}
                            </figcaption>
                            <blockquote>
                                <p class="plain-text">{q.message.unwrap_or_default()}</p>
                            </blockquote>
                        </figure>
                    }
                })}
            <p>{i18n.t("report.answer.explain")}</p>
            <form class="stack" method="post" action=format!("/reports/{reference}/answer")>
                <PlainTextField
                    name="message"
                    label=i18n.t("report.answer.label")
                    hint=i18n.t("report.answer.hint")
                    required=true
                    invalid
                />
                <button type="submit" class="btn btn-primary">
                    {i18n.t("report.answer.submit")}
                </button>
            </form>
        </section>
    }
}

#[component]
fn WithdrawForm(reference: String) -> impl IntoView {
    let i18n: I18n = use_i18n();
    view! {
        <section class="withdraw" aria-labelledby="withdraw-h">
            <h2 id="withdraw-h">{i18n.t("report.withdraw.heading")}</h2>
            <p>{i18n.t("report.withdraw.explain")}</p>
            <form method="post" action=format!("/reports/{reference}/withdraw")>
                <button type="submit" class="btn btn-secondary">
                    {i18n.t("report.withdraw.submit")}
                </button>
            </form>
        </section>
    }
}
