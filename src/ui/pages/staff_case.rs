//! One case for a caseworker or supervisor: the report, the items with their match cards, the
//! reporter, the timeline, internal notes, the proposal and the actions the staff member may take
//! now. Every action is a plain form posted to `/staff/cases/{REF}/{action}` (303 back here with
//! `?done=` or `?error=`), so the page works without JavaScript.
//!
//! Also the pieces the other staff pages share: load errors, persons, notes, verdict badges.

use crate::api::staff::get_case;
use crate::domain::reports::{CaseView, ImpactEntry, Outcome, PreCheck, ProposalView};
use crate::ui::components::{
    error_code, purpose_text, Alert, CaseItemCard, DeadlineText, NoteList, PersonDetails,
    QueryError, StaffLoadError, StatusBadge, Timeline, VerdictBadge, Waterfall,
};
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Action codes in the order the page offers them (`action.<code>` in the locales).
pub const CASE_ACTIONS: [&str; 10] = [
    "claim",
    "reassign",
    "request_info",
    "message",
    "note",
    "propose",
    "approve",
    "return",
    "extend",
    "complete_review",
];

/// Error codes the action endpoints send back (`case.error.<code>`).
const CASE_ERRORS: [&str; 13] = [
    "not_allowed_in_state",
    "bad_outcome",
    "forbidden",
    "own_proposal",
    "already_extended",
    "reason_required",
    "target_required",
    "target_is_reporter",
    "message_required",
    "text_too_long",
    "conflict",
    "not_found",
    "unknown_staff",
];

/// A labelled textarea with a hint, for the action forms.
#[component]
fn TextArea(
    id: String,
    name: &'static str,
    label: String,
    #[prop(optional)] hint: Option<String>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let hint_id = format!("{id}-hint");
    let described = hint.as_ref().map(|_| hint_id.clone());
    view! {
        <div class="field">
            <label for=id.clone()>
                {label}
                {required
                    .then(|| view! { " " <span class="req">{i18n.t("common.required")}</span> })}
            </label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <textarea id=id name=name rows="4" required=required aria-describedby=described></textarea>
        </div>
    }
}

#[component]
pub fn StaffCasePage() -> impl IntoView {
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
    let data = Resource::new(reference, get_case);
    let done = move || {
        query
            .read()
            .get("done")
            .filter(|c| CASE_ACTIONS.contains(&c.as_str()) || c == "raised")
    };

    view! {
        <Title text=move || i18n.tf("staff.page.case", &[("reference", &reference())]) />
        <p class="back-link">
            <a href="/staff">{i18n.t("case.back_to_queue")}</a>
        </p>
        <h1>{move || i18n.tf("case.title", &[("reference", &reference())])}</h1>
        {move || {
            done()
                .map(|c| {
                    view! { <Alert kind="success" message=i18n.t(&format!("case.done.{c}")) /> }
                })
        }}
        <QueryError prefix="case.error." known=&CASE_ERRORS />
        <Suspense fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(case) => view! { <Case case /> }.into_any(),
                    Err(e) => view! { <StaffLoadError code=error_code(&e) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Case(case: CaseView) -> impl IntoView {
    let i18n = use_i18n();
    let CaseView {
        me: _,
        reference,
        status,
        kind,
        category,
        institution_name_ja,
        institution_name_en,
        note,
        filed_by_helpdesk,
        reporter,
        items,
        precheck,
        timeline,
        notes,
        proposal,
        outcome,
        deadline,
        submitted_at,
        assignee_name,
        actions,
        colleagues,
        impact,
    } = case;
    let institution = i18n.pick(&institution_name_ja, &institution_name_en);
    let may = |a: &str| actions.iter().any(|x| x == a);
    let can_note = may("note");
    let has_actions = CASE_ACTIONS.iter().any(|a| *a != "note" && may(a));
    let has_proposal = proposal.is_some();
    let has_impact = !impact.is_empty();

    let toc = [
        ("case-summary", "case.summary_title", true),
        ("case-note", "case.resident_note_title", true),
        ("case-precheck", "case.precheck_title", true),
        ("case-items", "case.items_title", true),
        ("case-reporter", "case.reporter_title", true),
        ("case-proposal", "case.proposal_title", has_proposal),
        ("case-impact", "case.impact_title", has_impact),
        ("case-actions", "case.actions_title", has_actions),
        ("case-timeline", "case.timeline_title", true),
        ("case-notes", "case.notes_title", true),
    ]
    .into_iter()
    .filter(|(_, _, shown)| *shown)
    .map(|(anchor, key, _)| {
        view! {
            <li>
                <a href=format!("#{anchor}")>{i18n.t(key)}</a>
            </li>
        }
    })
    .collect_view();

    let assignee = assignee_name.unwrap_or_else(|| i18n.t("queue.unassigned"));
    let channel = if filed_by_helpdesk {
        i18n.t("case.channel_helpdesk")
    } else {
        i18n.t("case.channel_portal")
    };
    let note_text = if note.trim().is_empty() {
        view! { <p class="muted">{i18n.t("case.resident_note_empty")}</p> }.into_any()
    } else {
        view! { <p class="plain-text quote">{note}</p> }.into_any()
    };
    let item_count = items.len();
    let items_view = if items.is_empty() {
        view! { <p class="empty">{i18n.t("case.items_empty")}</p> }.into_any()
    } else {
        items
            .into_iter()
            .map(|item| view! { <CaseItemCard item /> })
            .collect_view()
            .into_any()
    };

    view! {
        <nav class="case-toc" aria-label=i18n.t("case.toc_label")>
            <ul>{toc}</ul>
        </nav>

        <section class="card case-section" id="case-summary" aria-labelledby="case-summary-h">
            <h2 id="case-summary-h">{i18n.t("case.summary_title")}</h2>
            <dl class="fields">
                <div>
                    <dt>{i18n.t("case.field.status")}</dt>
                    <dd>
                        <StatusBadge status />
                    </dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.kind")}</dt>
                    <dd>{i18n.t(kind.label_key())}</dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.category")}</dt>
                    <dd>{i18n.t(category.label_key())}</dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.institution")}</dt>
                    <dd>{institution}</dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.channel")}</dt>
                    <dd>
                        {channel}
                        {filed_by_helpdesk
                            .then(|| {
                                view! { " " <span class="badge">{i18n.t("case.filed_by_helpdesk")}</span> }
                            })}
                    </dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.submitted")}</dt>
                    <dd>{i18n.date(submitted_at)}</dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.deadline")}</dt>
                    <dd>
                        {if status.awaits_decision() {
                            view! { <DeadlineText deadline open=true /> }.into_any()
                        } else {
                            view! { {i18n.t("case.deadline_closed")} }.into_any()
                        }}
                    </dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.assignee")}</dt>
                    <dd>{assignee}</dd>
                </div>
                {outcome
                    .map(|o| {
                        view! {
                            <div>
                                <dt>{i18n.t("case.field.outcome")}</dt>
                                <dd>{i18n.t(o.label_key())}</dd>
                            </div>
                        }
                    })}
            </dl>
        </section>

        <section class="case-section" id="case-note" aria-labelledby="case-note-h">
            <h2 id="case-note-h">{i18n.t("case.resident_note_title")}</h2>
            {note_text}
        </section>

        <section class="case-section" id="case-precheck" aria-labelledby="case-precheck-h">
            <h2 id="case-precheck-h">{i18n.t("case.precheck_title")}</h2>
            <PreCheckView precheck />
        </section>

        <section class="case-section" id="case-items" aria-labelledby="case-items-h">
            <h2 id="case-items-h">
                {i18n.t("case.items_title")} " "
                <span class="count">{i18n.tf("case.count", &[("n", &item_count.to_string())])}</span>
            </h2>
            {(item_count > 0).then(|| view! { <p class="muted">{i18n.t("case.items_explain")}</p> })}
            {items_view}
        </section>

        <section class="case-section" id="case-reporter" aria-labelledby="case-reporter-h">
            <h2 id="case-reporter-h">{i18n.t("case.reporter_title")}</h2>
            <p class="muted">{i18n.t("case.reporter_explain")}</p>
            <PersonDetails person=reporter />
        </section>

        {proposal
            .map(|p| {
                view! {
                    <section
                        class="card case-section"
                        id="case-proposal"
                        aria-labelledby="case-proposal-h"
                    >
                        <h2 id="case-proposal-h">{i18n.t("case.proposal_title")}</h2>
                        <ProposalDetails proposal=p />
                    </section>
                }
            })}

        {has_impact
            .then(|| {
                view! {
                    <section class="case-section" id="case-impact" aria-labelledby="case-impact-h">
                        <h2 id="case-impact-h">{i18n.t("case.impact_title")}</h2>
                        <p class="muted">{i18n.t("case.impact_explain")}</p>
                        <ImpactTable entries=impact />
                    </section>
                }
            })}

        {has_actions
            .then(|| {
                view! {
                    <section class="case-section" id="case-actions" aria-labelledby="case-actions-h">
                        <h2 id="case-actions-h">{i18n.t("case.actions_title")}</h2>
                        <ActionForms reference=reference.clone() actions colleagues />
                    </section>
                }
            })}

        <section class="case-section" id="case-timeline" aria-labelledby="case-timeline-h">
            <h2 id="case-timeline-h">{i18n.t("case.timeline_title")}</h2>
            <Timeline entries=timeline />
        </section>

        <section class="case-section" id="case-notes" aria-labelledby="case-notes-h">
            <h2 id="case-notes-h">{i18n.t("case.notes_title")}</h2>
            <p class="muted">{i18n.t("case.notes_explain")}</p>
            <NoteList notes />
            {can_note
                .then(|| {
                    view! {
                        <form
                            class="stack card action-form"
                            method="post"
                            action=format!("/staff/cases/{reference}/note")
                        >
                            <TextArea
                                id="case-note-body".to_string()
                                name="body"
                                label=i18n.t("case.note_label")
                                hint=i18n.t("case.note_hint")
                                required=true
                            />
                            <button type="submit" class="btn btn-secondary">
                                {i18n.t("action.note")}
                            </button>
                        </form>
                    }
                })}
        </section>
    }
}

/// The verdict with the reasons that produced it.
#[component]
fn PreCheckView(precheck: PreCheck) -> impl IntoView {
    let i18n = use_i18n();
    let reasons = precheck
        .reasons
        .iter()
        .map(|r| view! { <li>{i18n.t(&format!("reason.{r}"))}</li> })
        .collect_view();
    // The engine's evidence as a waterfall, for reports that kept it (older ones did not).
    let waterfall = precheck.evidence.map(|evidence| {
        view! {
            <h3 id="case-waterfall-h">{i18n.t("engine.precheck_title")}</h3>
            <p class="muted">{i18n.t("engine.how_to_read")}</p>
            <Waterfall evidence id="case-waterfall" />
        }
    });
    view! {
        <p>
            {i18n.t("case.verdict_label")} " " <VerdictBadge verdict=precheck.verdict />
        </p>
        <ul class="reasons">{reasons}</ul>
        <p class="muted">{i18n.t("case.precheck_explain")}</p>
        {waterfall}
    }
}

/// The outcome proposed, why, for whom and by whom.
#[component]
fn ProposalDetails(proposal: ProposalView) -> impl IntoView {
    let i18n = use_i18n();
    let reason = if proposal.reason.trim().is_empty() {
        i18n.t("staff.value_none")
    } else {
        proposal.reason
    };
    view! {
        <dl class="fields">
            <div>
                <dt>{i18n.t("case.field.outcome_proposed")}</dt>
                <dd>{i18n.t(proposal.outcome.label_key())}</dd>
            </div>
            <div>
                <dt>{i18n.t("case.field.reason")}</dt>
                <dd class="plain-text">{reason}</dd>
            </div>
            <div>
                <dt>{i18n.t("case.field.proposer")}</dt>
                <dd>
                    {proposal.proposer_name}
                    {proposal
                        .proposed_by_me
                        .then(|| view! { " " <span class="badge">{i18n.t("case.proposed_by_you")}</span> })}
                </dd>
            </div>
        </dl>
        {proposal
            .proposed_by_me
            .then(|| view! { <p class="muted">{i18n.t("case.proposed_by_you_note")}</p> })}
        {proposal
            .target
            .map(|t| {
                view! {
                    <h3>{i18n.t("case.target_title")}</h3>
                    <PersonDetails person=t />
                }
            })}
    }
}

/// Staff accesses to the items while they were wrongly linked.
#[component]
fn ImpactTable(entries: Vec<ImpactEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = entries
        .into_iter()
        .map(|e| {
            let organisation = i18n.pick(&e.organisation_ja, &e.organisation_en);
            let organisation = if organisation.trim().is_empty() {
                i18n.t("staff.value_none")
            } else {
                organisation
            };
            view! {
                <tr>
                    <th scope="row">{i18n.date(e.at)}</th>
                    <td>{organisation}</td>
                    <td>{i18n.t(e.role.label_key())}</td>
                    <td>{purpose_text(i18n, &e.purpose)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=i18n.t("case.impact_title")>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t("case.col.date")}</th>
                        <th scope="col">{i18n.t("case.col.organisation")}</th>
                        <th scope="col">{i18n.t("case.col.role")}</th>
                        <th scope="col">{i18n.t("case.col.purpose")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The forms of the actions the staff member may take now (the note form is with the notes).
#[component]
fn ActionForms(
    reference: String,
    actions: Vec<String>,
    colleagues: Vec<(i64, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let url = |a: &str| format!("/staff/cases/{reference}/{a}");
    let search_href = format!("/staff/cases/{reference}/search");
    CASE_ACTIONS
        .into_iter()
        .filter(|a| *a != "note" && actions.iter().any(|x| x == a))
        .map(|a| {
            let heading_id = format!("action-{a}-h");
            let labelled_by = heading_id.clone();
            let body = match a {
                "reassign" => {
                    if colleagues.is_empty() {
                        view! { <p class="muted">{i18n.t("case.reassign_none")}</p> }.into_any()
                    } else {
                        let options = colleagues
                            .iter()
                            .map(|(id, name)| {
                                view! { <option value=id.to_string()>{name.clone()}</option> }
                            })
                            .collect_view();
                        view! {
                            <form class="stack" method="post" action=url(a)>
                                <div class="field">
                                    <label for="action-reassign-staff">
                                        {i18n.t("case.reassign_label")} " "
                                        <span class="req">{i18n.t("common.required")}</span>
                                    </label>
                                    <select id="action-reassign-staff" name="staff_id" required=true>
                                        <option value="">{i18n.t("case.choose")}</option>
                                        {options}
                                    </select>
                                </div>
                                <button type="submit" class="btn btn-secondary">
                                    {i18n.t("action.reassign")}
                                </button>
                            </form>
                        }
                            .into_any()
                    }
                }
                "request_info" | "message" | "return" | "extend" => {
                    let (field, label, hint) = match a {
                        "request_info" => {
                            ("message", "case.request_info_label", "case.request_info_hint")
                        }
                        "message" => ("message", "case.message_label", "case.message_hint"),
                        "return" => ("comment", "case.return_label", "case.return_hint"),
                        _ => ("reason", "case.extend_label", "case.extend_hint"),
                    };
                    view! {
                        <form class="stack" method="post" action=url(a)>
                            <TextArea
                                id=format!("action-{a}-text")
                                name=field
                                label=i18n.t(label)
                                hint=i18n.t(hint)
                                required=true
                            />
                            <button type="submit" class="btn btn-secondary">
                                {i18n.t(&format!("action.{a}"))}
                            </button>
                        </form>
                    }
                        .into_any()
                }
                "propose" => {
                    let radios = Outcome::ALL
                        .into_iter()
                        .filter(|o| *o != Outcome::Relink)
                        .map(|o| {
                            let rid = format!("action-propose-{}", o.code());
                            view! {
                                <div class="choice">
                                    <input
                                        type="radio"
                                        id=rid.clone()
                                        name="outcome"
                                        value=o.code()
                                        required=true
                                    />
                                    <label for=rid>{i18n.t(o.label_key())}</label>
                                </div>
                            }
                        })
                        .collect_view();
                    view! {
                        <div class="relink-hint">
                            <p>{i18n.t("case.relink_hint")}</p>
                            <p>
                                <a class="btn btn-secondary" href=search_href.clone()>
                                    {i18n.t("case.search_person")}
                                </a>
                            </p>
                        </div>
                        <form class="stack" method="post" action=url(a)>
                            <fieldset class="field" aria-describedby="action-propose-outcome-hint">
                                <legend>
                                    {i18n.t("case.outcome_legend")} " "
                                    <span class="req">{i18n.t("common.required")}</span>
                                </legend>
                                <p class="hint" id="action-propose-outcome-hint">
                                    {i18n.t("case.outcome_hint")}
                                </p>
                                {radios}
                            </fieldset>
                            <TextArea
                                id="action-propose-reason".to_string()
                                name="reason"
                                label=i18n.t("case.propose_reason_label")
                                hint=i18n.t("case.propose_reason_hint")
                            />
                            <button type="submit" class="btn btn-primary">
                                {i18n.t("action.propose")}
                            </button>
                        </form>
                    }
                        .into_any()
                }
                _ => {
                    // claim, approve, complete_review: one button, with what it does.
                    let explain = match a {
                        "claim" => "case.claim_explain",
                        "approve" => "case.approve_explain",
                        _ => "case.complete_review_explain",
                    };
                    view! {
                        <p>{i18n.t(explain)}</p>
                        <form method="post" action=url(a)>
                            <button type="submit" class="btn btn-primary">
                                {i18n.t(&format!("action.{a}"))}
                            </button>
                        </form>
                    }
                        .into_any()
                }
            };
            view! {
                <section class="card action-form" aria-labelledby=labelled_by>
                    <h3 id=heading_id>{i18n.t(&format!("action.{a}"))}</h3>
                    {body}
                </section>
            }
        })
        .collect_view()
}
