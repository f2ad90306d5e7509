//! Pieces the staff pages share: the load-error box, verdict badges, a person's register details,
//! internal notes and a case item's card.

use crate::domain::reports::{CaseItem, InternalNote, PersonView, Verdict};
use crate::i18n::I18n;
use crate::ui::components::{Alert, FieldList, MatchTable};
use crate::ui::context::{use_i18n, Viewer};
use leptos::prelude::*;

/// The short code a server function failed with (`unauthorized`, `forbidden`, `not_found`, ...).
pub fn error_code(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(code) => code.clone(),
        _ => "request_failed".to_string(),
    }
}

/// A purpose as written in an access log: a known code in words, anything else as written.
pub fn purpose_text(i18n: I18n, purpose: &str) -> String {
    let key = format!("purpose.{purpose}");
    let text = i18n.t(&key);
    if text == key {
        purpose.to_string()
    } else {
        text
    }
}

/// Why a staff page could not load its data, with the way forward.
#[component]
pub fn StaffLoadError(code: String) -> impl IntoView {
    let i18n = use_i18n();
    let helpdesk = use_context::<Viewer>()
        .and_then(|v| v.staff_role)
        .is_some_and(|r| r == "helpdesk");
    let key = match code.as_str() {
        "unauthorized" => "staff.error.unauthorized",
        "forbidden" => "staff.error.forbidden",
        "not_found" => "staff.error.not_found",
        "purpose_required" => "staff.error.purpose_required",
        "birth_date_required" => "staff.error.birth_date_required",
        "bad_filter" | "bad_category" | "bad_verdict" => "staff.error.bad_filter",
        _ => "staff.error.other",
    };
    let sign_in = code == "unauthorized";
    let to_helpdesk = code == "forbidden" && helpdesk;
    view! {
        <Alert kind="error" message=i18n.tf(key, &[("code", &code)]) />
        {sign_in
            .then(|| {
                view! {
                    <p>
                        <a class="btn btn-primary" href="/staff/login">
                            {i18n.t("staff.go_to_login")}
                        </a>
                    </p>
                }
            })}
        {to_helpdesk
            .then(|| {
                view! {
                    <p>
                        <a href="/staff/helpdesk">{i18n.t("staff.go_to_helpdesk")}</a>
                    </p>
                }
            })}
    }
}

/// The badge class of a verdict: "likely another person" stands out (solid fill).
pub fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::LikelyAnotherPerson => "badge badge-differs",
        Verdict::LikelyOutdated | Verdict::NeedsReview => "badge badge-review",
        Verdict::Consistent => "badge badge-same",
    }
}

/// The pre-check's verdict as a badge.
#[component]
pub fn VerdictBadge(verdict: Verdict) -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class=verdict_class(verdict)>{i18n.t(verdict.label_key())}</span> }
}

/// A sex code (or any notation of one) in words.
pub fn sex_text(i18n: I18n, raw: &str) -> String {
    match crate::domain::normalize::sex(raw).as_str() {
        "M" => i18n.t("sex.m"),
        "F" => i18n.t("sex.f"),
        _ => raw.to_string(),
    }
}

/// A register entry as staff see it: the masked My Number and the four basic items.
#[component]
pub fn PersonDetails(person: PersonView) -> impl IntoView {
    let i18n = use_i18n();
    let none = i18n.t("staff.value_none");
    let id = person.identity;
    let text = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let rows = [
        ("attr.name_kanji", text(id.name_kanji)),
        ("attr.name_kana", text(id.name_kana)),
        ("attr.birth_date", text(id.birth_date)),
        ("attr.sex", text(id.sex).map(|s| sex_text(i18n, &s))),
        ("attr.address", text(id.address)),
    ]
    .into_iter()
    .map(|(key, value)| {
        view! {
            <div>
                <dt>{i18n.t(key)}</dt>
                <dd>{value.unwrap_or_else(|| none.clone())}</dd>
            </div>
        }
    })
    .collect_view();
    view! {
        <dl class="fields">
            <div>
                <dt>{i18n.t("staff.person.my_number")}</dt>
                <dd>
                    <span class="masked">{person.my_number_masked}</span>
                </dd>
            </div>
            {rows}
        </dl>
    }
}

/// Staff-only notes (caseworkers' notes and helpdesk call notes), oldest first.
#[component]
pub fn NoteList(notes: Vec<InternalNote>) -> impl IntoView {
    let i18n = use_i18n();
    if notes.is_empty() {
        return view! { <p class="empty">{i18n.t("case.notes_empty")}</p> }.into_any();
    }
    let items = notes
        .into_iter()
        .map(|n| {
            let kind = if n.kind == "call" {
                i18n.t("case.note_kind.call")
            } else {
                i18n.t("case.note_kind.note")
            };
            view! {
                <li class="note">
                    <p class="note-meta">
                        <time>{i18n.date(n.at)}</time>
                        " "
                        <span class="badge">{kind}</span>
                        " "
                        <span>{i18n.tf("case.note_author", &[("name", &n.author)])}</span>
                    </p>
                    <p class="plain-text">{n.body}</p>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="note-list">{items}</ul> }.into_any()
}

/// One item named in the report: where it came from, how it was linked, its fields and the
/// comparison of its snapshot with the reporter's register entry.
#[component]
pub fn CaseItemCard(
    item: CaseItem,
    /// The comparison's heading and explanation keys (default: against the reporter).
    #[prop(default = ("case.match_title", "case.match_explain"))]
    match_keys: (&'static str, &'static str),
) -> impl IntoView {
    let i18n = use_i18n();
    let id = item.item_id;
    let heading_id = format!("case-item-{id}-h");
    let labelled_by = heading_id.clone();
    let institution = i18n.pick(&item.institution_name_ja, &item.institution_name_en);
    let weak = item.link_method.is_weak();
    let table_label = i18n.tf("case.match_table_label", &[("institution", &institution)]);
    view! {
        <article class="item" id=format!("case-item-{id}") aria-labelledby=labelled_by>
            <header class="item-head">
                <h3 id=heading_id>{institution.clone()}</h3>
                <div class="badges">
                    <VerdictBadge verdict=item.precheck.verdict />
                    {weak
                        .then(|| {
                            view! {
                                <span class="badge badge-method-weak">{i18n.t("case.method_weak")}</span>
                            }
                        })}
                </div>
            </header>
            {(!item.still_linked_to_reporter)
                .then(|| view! { <Alert kind="info" message=i18n.t("case.no_longer_linked") /> })}
            <dl class="fields">
                <div>
                    <dt>{i18n.t("case.field.category")}</dt>
                    <dd>{i18n.t(item.category.label_key())}</dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.link_method")}</dt>
                    <dd>{i18n.t(item.link_method.explanation_key())}</dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.linked_at")}</dt>
                    <dd>{i18n.date(item.linked_at)}</dd>
                </div>
            </dl>
            <h4>{i18n.t("case.item_fields_title")}</h4>
            <FieldList fields=item.fields />
            <h4>{i18n.t(match_keys.0)}</h4>
            <p class="muted">{i18n.t(match_keys.1)}</p>
            <MatchTable rows=item.match_card label=table_label />
            {(!item.precheck.reasons.is_empty())
                .then(|| {
                    let reasons = item
                        .precheck
                        .reasons
                        .iter()
                        .map(|r| view! { <li>{i18n.t(&format!("reason.{r}"))}</li> })
                        .collect_view();
                    view! { <ul class="reasons">{reasons}</ul> }
                })}
        </article>
    }
}
