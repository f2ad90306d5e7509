//! The helpdesk (call centre): look up a report by its reference number and tell the caller what
//! may be told (status, dates, masked identifiers), keep call notes, and file a report on a
//! caller's behalf after checking their identity. Every form is plain HTML; the My Number is only
//! ever sent in a POST body.

use crate::api::staff::helpdesk_case;
use crate::domain::category::Category;
use crate::domain::reports::{HelpdeskCaseView, ReportKind};
use crate::ui::components::{error_code, NoteList, StaffLoadError};
use crate::ui::components::{
    Alert, DeadlineText, FieldList, Required, StatusBadge, TextField, Timeline,
};
use crate::ui::context::{use_i18n, Viewer};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Look-up purposes the helpdesk chooses from (`purpose.<code>`), the default first.
const PURPOSES: [&str; 2] = ["helpdesk_inquiry", "helpdesk_filing"];

/// Error codes the helpdesk endpoints send back (`helpdesk.error.<code>`).
const HELPDESK_ERRORS: [&str; 12] = [
    "identity_not_confirmed",
    "note_too_long",
    "no_institution",
    "identity_mismatch",
    "bad_my_number",
    "bad_kind",
    "bad_category",
    "text_too_long",
    "message_required",
    "not_found",
    "forbidden",
    "conflict",
];

#[component]
pub fn HelpdeskPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |k: &str| {
        query
            .read()
            .get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let purpose = move || param("purpose").unwrap_or_else(|| PURPOSES[0].to_string());
    let signed_in = use_context::<Viewer>()
        .unwrap_or_default()
        .staff_name
        .is_some();
    let lookup = move || param("ref").filter(|_| signed_in).map(|r| (r, purpose()));
    let found = Resource::new(lookup, |l: Option<(String, String)>| async move {
        match l {
            Some((reference, purpose)) => helpdesk_case(reference, purpose).await.map(Some),
            None => Ok(None),
        }
    });

    let done = move || {
        param("done").map(|d| match d.as_str() {
            "filed" => i18n.tf(
                "helpdesk.done.filed",
                &[("reference", &param("ref").unwrap_or_default())],
            ),
            "note" => i18n.t("helpdesk.done.note"),
            _ => i18n.t("helpdesk.done.other"),
        })
    };
    let error = move || {
        param("error").map(|c| {
            if HELPDESK_ERRORS.contains(&c.as_str()) {
                i18n.t(&format!("helpdesk.error.{c}"))
            } else {
                i18n.t("helpdesk.error.unknown")
            }
        })
    };

    view! {
        <Title text=i18n.t("staff.page.helpdesk") />
        <h1>{i18n.t("helpdesk.title")}</h1>
        <p class="lead">{i18n.t("helpdesk.lead")}</p>
        {move || done().filter(|_| signed_in).map(|m| view! { <Alert kind="success" message=m /> })}
        {move || error().filter(|_| signed_in).map(|m| view! { <Alert kind="error" message=m /> })}
        {if signed_in {
            view! {
                <section class="case-section" aria-labelledby="lookup-h">
                    <h2 id="lookup-h">{i18n.t("helpdesk.lookup_title")}</h2>
                    {move || {
                        view! {
                            <LookupForm
                                reference=param("ref").unwrap_or_default()
                                purpose=purpose()
                            />
                        }
                    }}
                    <Suspense fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
                        {move || Suspend::new(async move {
                            match found.await {
                                Ok(None) => ().into_any(),
                                Ok(Some(case)) => view! { <CaseForCaller case /> }.into_any(),
                                Err(e) => {
                                    let code = error_code(&e);
                                    if code == "not_found" {
                                        view! {
                                            <Alert kind="warning" message=i18n.t("helpdesk.not_found") />
                                        }
                                            .into_any()
                                    } else {
                                        view! { <StaffLoadError code /> }.into_any()
                                    }
                                }
                            }
                        })}
                    </Suspense>
                </section>
                <FilingForm />
            }
                .into_any()
        } else {
            // Not signed in as staff: to the staff sign-in page (the message stays for a
            // client-side navigation).
            #[cfg(feature = "ssr")]
            leptos_axum::redirect("/staff/login");
            view! { <StaffLoadError code="unauthorized".to_string() /> }.into_any()
        }}
    }
}

/// The look-up by reference number, with the purpose logged for it.
#[component]
fn LookupForm(reference: String, purpose: String) -> impl IntoView {
    let i18n = use_i18n();
    let options = PURPOSES
        .into_iter()
        .map(|p| {
            view! {
                <option value=p selected=purpose == p>
                    {i18n.t(&format!("purpose.{p}"))}
                </option>
            }
        })
        .collect_view();
    view! {
        <form class="card stack" method="get" action="/staff/helpdesk">
            <TextField
                id="lookup-ref"
                name="ref"
                label=i18n.t("helpdesk.ref_label")
                hint=i18n.t("helpdesk.ref_hint")
                required=Required::Browser
                autocapitalize="characters"
                no_spellcheck=true
                maxlength=20
                class="input-short"
                value=reference
            />
            <div class="field">
                <label for="lookup-purpose">{i18n.t("helpdesk.purpose_label")}</label>
                <p class="hint" id="lookup-purpose-hint">
                    {i18n.t("helpdesk.purpose_hint")}
                </p>
                <select id="lookup-purpose" name="purpose" aria-describedby="lookup-purpose-hint">
                    {options}
                </select>
            </div>
            <button type="submit" class="btn btn-primary">
                {i18n.t("helpdesk.lookup_submit")}
            </button>
        </form>
    }
}

/// What the operator may tell the caller, and the call notes.
#[component]
fn CaseForCaller(case: HelpdeskCaseView) -> impl IntoView {
    let i18n = use_i18n();
    let institution = i18n.pick(&case.institution_name_ja, &case.institution_name_en);
    let open = case.status.awaits_decision();
    let items = if case.items.is_empty() {
        view! { <p class="empty">{i18n.t("case.items_empty")}</p> }.into_any()
    } else {
        case.items
            .into_iter()
            .map(|item| {
                let name = i18n.pick(&item.institution_name_ja, &item.institution_name_en);
                view! {
                    <article class="item">
                        <h4>{name}</h4>
                        <p class="muted">{i18n.t(item.category.label_key())}</p>
                        <FieldList fields=item.fields />
                    </article>
                }
            })
            .collect_view()
            .into_any()
    };
    let reference = case.reference.clone();
    view! {
        <article class="card case-section" aria-labelledby="caller-case-h">
            <h3 id="caller-case-h">
                {i18n.tf("helpdesk.case_title", &[("reference", &case.reference)])}
            </h3>
            <Alert kind="info" message=i18n.t("helpdesk.tell_caller_note") />
            <dl class="fields">
                <div>
                    <dt>{i18n.t("case.field.status")}</dt>
                    <dd>
                        <StatusBadge status=case.status />
                    </dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.kind")}</dt>
                    <dd>{i18n.t(case.kind.label_key())}</dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.category")}</dt>
                    <dd>{i18n.t(case.category.label_key())}</dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.institution")}</dt>
                    <dd>{institution}</dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.submitted")}</dt>
                    <dd>{i18n.date(case.submitted_at)}</dd>
                </div>
                <div>
                    <dt>{i18n.t("case.field.deadline")}</dt>
                    <dd>
                        {if open {
                            view! { <DeadlineText deadline=case.deadline open=true /> }.into_any()
                        } else {
                            view! { {i18n.t("case.deadline_closed")} }.into_any()
                        }}
                    </dd>
                </div>
                <div>
                    <dt>{i18n.t("helpdesk.field.name")}</dt>
                    <dd>{case.reporter_name_masked}</dd>
                </div>
                <div>
                    <dt>{i18n.t("staff.person.my_number")}</dt>
                    <dd>
                        <span class="masked">{case.my_number_masked}</span>
                    </dd>
                </div>
            </dl>
            <h4>{i18n.t("helpdesk.items_title")}</h4>
            {items}
            <h4>{i18n.t("helpdesk.timeline_title")}</h4>
            <Timeline entries=case.timeline />
            <h4>{i18n.t("helpdesk.call_notes_title")}</h4>
            <NoteList notes=case.call_notes />
            <form class="stack" method="post" action="/staff/helpdesk/note">
                <input type="hidden" name="reference" value=reference />
                <div class="field">
                    <label for="call-note-body">
                        {i18n.t("helpdesk.note_label")} " "
                        <span class="req">{i18n.t("common.required")}</span>
                    </label>
                    <p class="hint" id="call-note-body-hint">
                        {i18n.t("helpdesk.note_hint")}
                    </p>
                    <textarea
                        id="call-note-body"
                        name="body"
                        rows="4"
                        required=true
                        aria-describedby="call-note-body-hint"
                    ></textarea>
                </div>
                <button type="submit" class="btn btn-secondary">
                    {i18n.t("helpdesk.note_submit")}
                </button>
            </form>
        </article>
    }
}

/// Filing a report for a caller, after the identity check of the procedure.
#[component]
fn FilingForm() -> impl IntoView {
    let i18n = use_i18n();
    let kinds = ReportKind::ALL
        .into_iter()
        .map(|k| {
            let id = format!("file-kind-{}", k.code());
            view! {
                <div class="choice">
                    <input type="radio" id=id.clone() name="kind" value=k.code() required=true />
                    <label for=id>{i18n.t(k.label_key())}</label>
                </div>
            }
        })
        .collect_view();
    let categories = Category::ALL
        .into_iter()
        .map(|c| view! { <option value=c.code()>{i18n.t(c.label_key())}</option> })
        .collect_view();
    let steps = [
        "helpdesk.check.step1",
        "helpdesk.check.step2",
        "helpdesk.check.step3",
        "helpdesk.check.step4",
        "helpdesk.check.step5",
    ]
    .into_iter()
    .map(|k| view! { <li>{i18n.t(k)}</li> })
    .collect_view();
    view! {
        <section class="case-section" aria-labelledby="file-h">
            <h2 id="file-h">{i18n.t("helpdesk.file_title")}</h2>
            <p>{i18n.t("helpdesk.file_lead")}</p>
            <section class="card checklist" aria-labelledby="check-h">
                <h3 id="check-h">{i18n.t("helpdesk.check.title")}</h3>
                <ol>{steps}</ol>
            </section>
            <form class="card stack" method="post" action="/staff/helpdesk/report">
                <TextField
                    id="file-name-kana"
                    name="name_kana"
                    label=i18n.t("attr.name_kana")
                    hint=i18n.t("helpdesk.name_kana_hint")
                    required=Required::Browser
                    maxlength=100
                />
                <TextField
                    id="file-birth"
                    name="birth_date"
                    label=i18n.t("attr.birth_date")
                    hint=i18n.t("helpdesk.birth_hint")
                    required=Required::Browser
                    inputmode="numeric"
                    maxlength=10
                    class="input-short"
                />
                <TextField
                    id="file-my-number"
                    name="my_number"
                    label=i18n.t("helpdesk.my_number_label")
                    hint=i18n.t("helpdesk.my_number_hint")
                    required=Required::Browser
                    inputmode="numeric"
                    maxlength=40
                    class="input-short"
                />
                <div class="field">
                    <div class="choice">
                        <input
                            type="checkbox"
                            id="file-identity"
                            name="identity_confirmed"
                            value="yes"
                            required=true
                            aria-describedby="file-identity-hint"
                        />
                        <label for="file-identity">
                            {i18n.t("helpdesk.identity_label")} " "
                            <span class="req">{i18n.t("common.required")}</span>
                        </label>
                    </div>
                    <p class="hint" id="file-identity-hint">
                        {i18n.t("helpdesk.identity_hint")}
                    </p>
                </div>
                <fieldset class="field">
                    <legend>
                        {i18n.t("helpdesk.kind_legend")} " "
                        <span class="req">{i18n.t("common.required")}</span>
                    </legend>
                    {kinds}
                </fieldset>
                <div class="field">
                    <label for="file-category">
                        {i18n.t("helpdesk.category_label")} " "
                        <span class="req">{i18n.t("common.required")}</span>
                    </label>
                    <select id="file-category" name="category" required=true>
                        <option value="">{i18n.t("case.choose")}</option>
                        {categories}
                    </select>
                </div>
                <div class="field">
                    <label for="file-note">{i18n.t("helpdesk.file_note_label")}</label>
                    <p class="hint" id="file-note-hint">
                        {i18n.t("helpdesk.file_note_hint")}
                    </p>
                    <textarea
                        id="file-note"
                        name="note"
                        rows="5"
                        aria-describedby="file-note-hint"
                    ></textarea>
                </div>
                <button type="submit" class="btn btn-primary">
                    {i18n.t("helpdesk.file_submit")}
                </button>
            </form>
        </section>
    }
}
