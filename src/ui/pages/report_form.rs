//! "この情報について報告する": the report form. `?item=ID` reports linked items of one
//! institution (not mine, details wrong, out of date); `?category=CODE` reports an item that is
//! missing. A plain form posting to `/reports`: the server answers 303 to the new report, or back
//! here with the original `item`/`category` and `?error=CODE`.

use crate::api::get_my_data;
use crate::domain::category::Category;
use crate::domain::items::{ItemView, MyDataView};
use crate::domain::reports::ReportKind;
use crate::i18n::I18n;
use crate::ui::components::{value_text, Alert, FieldList};
use crate::ui::components::{LoadFailed, MissingItemLinks};
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The error codes `POST /reports` sends back, with their messages.
const ERRORS: [(&str, &str); 7] = [
    ("no_items", "report.error.no_items"),
    ("unknown_item", "report.error.unknown_item"),
    ("bad_kind", "report.error.bad_kind"),
    ("bad_category", "report.error.bad_category"),
    ("note_too_long", "report.error.note_too_long"),
    ("several_institutions", "report.error.several_institutions"),
    ("already_reported", "report.error.already_reported"),
];

/// The kinds a resident can choose for a linked item ("missing" has its own form).
const ITEM_KINDS: [(ReportKind, &str); 3] = [
    (ReportKind::NotMine, "report.kind_hint.not_mine"),
    (ReportKind::DetailsWrong, "report.kind_hint.details_wrong"),
    (ReportKind::Outdated, "report.kind_hint.outdated"),
];

const NOTE_MAX: usize = 2000;

/// What the query string asks to report.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    /// Item ids; the first is the one chosen on "わたしの情報".
    Items(Vec<i64>),
    Missing(Category),
    Nothing,
}

#[component]
pub fn ReportFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let data = Resource::new(|| (), |_| get_my_data(None));

    view! {
        <Title text=i18n.t("report.page_title") />
        <h1>{i18n.t("report.title")}</h1>
        <Suspense fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
            {move || {
                let (target, kind, error) = query
                    .with(|q| {
                        let ids: Vec<i64> = q
                            .get_all("item")
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|s| s.trim().parse().ok())
                            .collect();
                        let target = if !ids.is_empty() {
                            Target::Items(ids)
                        } else if let Some(c) = q.get_str("category").and_then(Category::from_code) {
                            Target::Missing(c)
                        } else {
                            Target::Nothing
                        };
                        let kind = q
                            .get_str("kind")
                            .and_then(ReportKind::from_code)
                            .filter(|k| k.needs_items())
                            .unwrap_or(ReportKind::NotMine);
                        (target, kind, q.get("error"))
                    });
                Suspend::new(async move {
                    match data.await {
                        Ok(d) => {
                            let invalid_note = error.as_deref() == Some("note_too_long");
                            view! {
                                {error.map(|c| view! { <Alert kind="error" message=error_message(i18n, &c) /> })}
                                <ReportForm data=d target kind invalid_note />
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

fn error_message(i18n: I18n, code: &str) -> String {
    let key = ERRORS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, k)| *k)
        .unwrap_or("error.bad_request");
    i18n.t(key)
}

/// A field's value in words (identifiers stay masked).
/// A short description of an item for a checkbox label: its category and first two fields.
fn item_label(i18n: I18n, item: &ItemView) -> String {
    let fields: Vec<String> = item
        .fields
        .iter()
        .take(2)
        .map(|f| format!("{} {}", i18n.t(&f.label_key), value_text(i18n, &f.value)))
        .collect();
    i18n.tf(
        "report.item_label",
        &[
            ("category", &i18n.t(item.category.label_key())),
            ("details", &fields.join(" / ")),
        ],
    )
}

#[component]
fn ReportForm(
    data: MyDataView,
    target: Target,
    kind: ReportKind,
    invalid_note: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    match target {
        Target::Items(ids) => {
            let items: Vec<ItemView> = data.categories.into_iter().flat_map(|c| c.items).collect();
            let Some(chosen) = items.iter().find(|i| i.id == ids[0]).cloned() else {
                return view! {
                    <Alert kind="error" message=i18n.t("report.error.unknown_item") />
                    <p>
                        <a href="/me">{i18n.t("report.back_to_my_data")}</a>
                    </p>
                }
                .into_any();
            };
            if chosen.under_review {
                return view! {
                    <Alert kind="info" message=i18n.t("report.already_under_review") />
                    <p>
                        <a href="/reports">{i18n.t("report.see_my_reports")}</a>
                    </p>
                }
                .into_any();
            }
            let others: Vec<ItemView> = items
                .into_iter()
                .filter(|i| {
                    i.institution_id == chosen.institution_id
                        && i.id != chosen.id
                        && !i.under_review
                })
                .collect();
            view! { <ItemReportForm chosen others checked=ids kind invalid_note /> }.into_any()
        }
        Target::Missing(category) => {
            view! { <MissingReportForm category invalid_note /> }.into_any()
        }
        Target::Nothing => view! {
            <p class="lead">{i18n.t("report.choose")}</p>
            <p>
                <a href="/me">{i18n.t("report.back_to_my_data")}</a>
            </p>
            <MissingItemLinks />
        }
        .into_any(),
    }
}

/// A report on linked items of one institution.
#[component]
fn ItemReportForm(
    chosen: ItemView,
    /// Other items of the same institution that are not under review.
    others: Vec<ItemView>,
    /// Item ids checked when the page opened.
    checked: Vec<i64>,
    kind: ReportKind,
    invalid_note: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let institution = i18n.pick(&chosen.institution_name_ja, &chosen.institution_name_en);
    let kinds = ITEM_KINDS
        .into_iter()
        .map(|(k, hint_key)| {
            let id = format!("kind-{}", k.code());
            let hint_id = format!("{id}-hint");
            view! {
                <div class="choice">
                    <input
                        type="radio"
                        id=id.clone()
                        name="kind"
                        value=k.code()
                        checked=k == kind
                        aria-describedby=hint_id.clone()
                    />
                    <div class="choice-text">
                        <label for=id>{i18n.t(k.label_key())}</label>
                        <p class="hint" id=hint_id>{i18n.t(hint_key)}</p>
                    </div>
                </div>
            }
        })
        .collect_view();
    let item_choice = if others.is_empty() {
        view! { <input type="hidden" name="item" value=chosen.id.to_string() /> }.into_any()
    } else {
        let boxes = std::iter::once(&chosen)
            .chain(others.iter())
            .map(|item| {
                let id = format!("report-item-{}", item.id);
                let on = item.id == chosen.id || checked.contains(&item.id);
                view! {
                    <div class="choice">
                        <input
                            type="checkbox"
                            id=id.clone()
                            name="item"
                            value=item.id.to_string()
                            checked=on
                        />
                        <label for=id>{item_label(i18n, item)}</label>
                    </div>
                }
            })
            .collect_view();
        view! {
            <fieldset class="field choices" aria-describedby="items-hint">
                <legend>{i18n.t("report.items_legend")}</legend>
                <p class="hint" id="items-hint">
                    {i18n.tf("report.items_hint", &[("institution", &institution)])}
                </p>
                {boxes}
            </fieldset>
        }
        .into_any()
    };

    view! {
        <p class="lead">{i18n.t("report.lead")}</p>
        <form class="stack report-form" method="post" action="/reports">
            <section class="card" aria-labelledby="report-item-h">
                <h2 id="report-item-h">{i18n.t("report.item_heading")}</h2>
                <p class="source">
                    {i18n
                        .tf(
                            "report.item_source",
                            &[
                                ("category", &i18n.t(chosen.category.label_key())),
                                ("institution", &institution),
                            ],
                        )}
                </p>
                <FieldList fields=chosen.fields.clone() />
            </section>
            <fieldset class="field choices">
                <legend>
                    {i18n.t("report.kind_legend")} " "
                    <span class="req">{i18n.t("common.required")}</span>
                </legend>
                {kinds}
            </fieldset>
            {item_choice}
            <PlainTextField
                name="note"
                label=i18n.t("report.note_label")
                hint=i18n.t("report.note_hint")
                required=false
                invalid=invalid_note
            />
            <SubmitRow />
        </form>
    }
}

/// A report that an item of a category is missing.
#[component]
fn MissingReportForm(category: Category, invalid_note: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="lead">{i18n.t("report.missing_lead")}</p>
        <form class="stack report-form" method="post" action="/reports">
            <input type="hidden" name="kind" value=ReportKind::Missing.code() />
            <input type="hidden" name="category" value=category.code() />
            <section class="card" aria-labelledby="report-missing-h">
                <h2 id="report-missing-h">{i18n.t("report.missing_heading")}</h2>
                <dl class="fields">
                    <div>
                        <dt>{i18n.t("report.kind_label")}</dt>
                        <dd>{i18n.t(ReportKind::Missing.label_key())}</dd>
                    </div>
                    <div>
                        <dt>{i18n.t("report.category_label")}</dt>
                        <dd>{i18n.t(category.label_key())}</dd>
                    </div>
                </dl>
                <p>{i18n.t("report.missing_explain")}</p>
            </section>
            <PlainTextField
                name="note"
                label=i18n.t("report.note_label")
                hint=i18n.t("report.missing_note_hint")
                required=false
                invalid=invalid_note
            />
            <SubmitRow />
        </form>
    }
}

/// A plain-text box of at most [`NOTE_MAX`] characters (the number is also written in
/// `report.note_limits`), its hint tied to it: the report's note and the answer to a question.
#[component]
pub(crate) fn PlainTextField(
    name: &'static str,
    label: String,
    hint: String,
    required: bool,
    invalid: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let hint_id = format!("{name}-hint");
    let marker = if required {
        view! { <span class="req">{i18n.t("common.required")}</span> }.into_any()
    } else {
        view! { <span class="optional">{i18n.t("report.optional")}</span> }.into_any()
    };
    view! {
        <div class="field">
            <label for=name>{label} " " {marker}</label>
            <p class="hint" id=hint_id.clone()>
                {hint}
                " "
                {i18n.t("report.note_limits")}
            </p>
            <textarea
                id=name
                name=name
                rows="6"
                maxlength=NOTE_MAX.to_string()
                aria-required=required.then_some("true")
                aria-describedby=hint_id
                aria-invalid=invalid.then_some("true")
            ></textarea>
        </div>
    }
}

#[component]
fn SubmitRow() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="muted">{i18n.t("report.after_submit")}</p>
        <div class="actions">
            <button type="submit" class="btn btn-primary">
                {i18n.t("report.submit")}
            </button>
            <a class="btn btn-secondary" href="/me">
                {i18n.t("report.cancel")}
            </a>
        </div>
    }
}
