//! A linked item as a card: its fields, where it came from, how it was linked, and the match card.

use crate::domain::items::{FieldValue, ItemView};
use crate::domain::matching::{Attribute, MatchResult};
use crate::i18n::{I18n, Lang};
use crate::ui::context::use_i18n;
use leptos::prelude::*;

/// A field's value in words (codes translated, amounts in yen).
pub fn value_text(i18n: I18n, v: &FieldValue) -> String {
    match v {
        FieldValue::Text(s) => s.clone(),
        FieldValue::Code(k) => i18n.t(k),
        FieldValue::Yen(n) => i18n.yen(*n),
        FieldValue::Identifier { value, .. } => value.clone(),
    }
}

#[component]
pub fn ItemCard(item: ItemView) -> impl IntoView {
    let i18n = use_i18n();
    let id = item.id;
    let heading_id = format!("item-{id}-h");
    let labelled_by = heading_id.clone();
    let institution = match i18n.lang {
        Lang::Ja => item.institution_name_ja.clone(),
        Lang::En => item.institution_name_en.clone(),
    };
    let method = item.link_method;
    let weak = method.is_weak();
    let differs = item
        .match_card
        .iter()
        .filter(|r| r.result == MatchResult::Differs)
        .count();
    let same = item
        .match_card
        .iter()
        .filter(|r| r.result == MatchResult::Same)
        .count();
    let not_held = item
        .match_card
        .iter()
        .filter(|r| r.result == MatchResult::NotHeld)
        .count();
    let summary = i18n.tf(
        "mydata.match_summary",
        &[
            ("same", &same.to_string()),
            ("differs", &differs.to_string()),
            ("not_held", &not_held.to_string()),
        ],
    );
    let revealed = item.revealed;
    let open_card = differs > 0;

    let fields = item
        .fields
        .iter()
        .map(|f| {
            let label = i18n.t(&f.label_key);
            let value = match &f.value {
                FieldValue::Identifier { value, revealed } => {
                    let toggle = if *revealed {
                        view! {
                            <a class="btn btn-link btn-small" href=format!("/me#item-{id}")>
                                {i18n.t("mydata.hide")}
                            </a>
                        }
                        .into_any()
                    } else {
                        view! {
                            <form class="reveal-form" method="get" action=format!("/me#item-{id}")>
                                <input type="hidden" name="reveal" value=id.to_string() />
                                <button type="submit" class="btn btn-link btn-small">
                                    {i18n.t("mydata.reveal")}
                                    <span class="visually-hidden">{format!(" ({label})")}</span>
                                </button>
                            </form>
                        }
                        .into_any()
                    };
                    view! {
                        <span class="masked">{value.clone()}</span>
                        " "
                        {toggle}
                    }
                    .into_any()
                }
                other => view! { {value_text(i18n, other)} }.into_any(),
            };
            view! {
                <div>
                    <dt>{label.clone()}</dt>
                    <dd>{value}</dd>
                </div>
            }
        })
        .collect_view();

    view! {
        <article class="item" id=format!("item-{id}") aria-labelledby=labelled_by>
            <header class="item-head">
                <h3 id=heading_id>{institution.clone()}</h3>
                <p class="source">{i18n.tf("mydata.source", &[("institution", &institution)])}</p>
                <div class="badges">
                    {differs
                        .gt(&0)
                        .then(|| {
                            view! {
                                <span class="badge badge-differs">{i18n.t("mydata.has_differences")}</span>
                            }
                        })}
                    {item
                        .under_review
                        .then(|| {
                            view! {
                                <span class="badge badge-review">{i18n.t("mydata.under_review")}</span>
                            }
                        })}
                    <span class=if weak {
                        "badge badge-method-weak"
                    } else {
                        "badge badge-method-strong"
                    }>{i18n.t(if weak { "mydata.method_weak" } else { "mydata.method_strong" })}</span>
                </div>
            </header>
            <dl class="fields">{fields}</dl>
            <p class="provenance">
                {i18n.tf("mydata.linked_how", &[("method", &i18n.t(method.explanation_key()))])}
                <br />
                {i18n
                    .tf(
                        "mydata.linked_when",
                        &[("linked", &i18n.date(item.linked_at)), ("updated", &i18n.date(item.updated_at))],
                    )}
            </p>
            {revealed
                .then(|| {
                    view! { <p class="muted">{i18n.t("mydata.revealed_note")}</p> }
                })}
            {if item.under_review {
                view! { <p class="muted">{i18n.t("mydata.under_review_note")}</p> }.into_any()
            } else {
                view! {
                    <p class="item-actions">
                        <a class="btn btn-secondary btn-small" href=format!("/me/report?item={id}")>
                            {i18n.t("mydata.report_item")}
                            <span class="visually-hidden">{format!(" ({institution})")}</span>
                        </a>
                    </p>
                }
                    .into_any()
            }}
            <details class="match-card" open=open_card>
                <summary>{i18n.t("mydata.match_card")} ": " {summary}</summary>
                <p class="muted">{i18n.t("mydata.match_explain")}</p>
                <MatchTable
                    rows=item.match_card.clone()
                    label=i18n.tf("mydata.match_table_label", &[("institution", &institution)])
                />
            </details>
        </article>
    }
}

/// The match card's table: each attribute as the institution holds it beside the register's.
#[component]
pub fn MatchTable(
    rows: Vec<crate::domain::matching::MatchRow>,
    /// An accessible name for the scrollable region.
    label: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let body = rows
        .iter()
        .map(|r| {
            let badge = match r.result {
                MatchResult::Same => "badge badge-same",
                MatchResult::Differs => "badge badge-differs",
                MatchResult::NotHeld => "badge badge-notheld",
            };
            let dash = i18n.t("match.none");
            // Coded values (sex) are shown in words; everything else as the source wrote it.
            let show = |v: &Option<String>| match (
                r.attribute,
                v.as_deref().map(crate::domain::normalize::sex),
            ) {
                (Attribute::Sex, Some(code)) if code == "M" => i18n.t("sex.m"),
                (Attribute::Sex, Some(code)) if code == "F" => i18n.t("sex.f"),
                _ => v.clone().unwrap_or_else(|| dash.clone()),
            };
            view! {
                <tr>
                    <th scope="row">{i18n.t(r.attribute.label_key())}</th>
                    <td>{show(&r.institution_value)}</td>
                    <td>{show(&r.registered_value)}</td>
                    <td>
                        <span class=badge>{i18n.t(r.result.label_key())}</span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="match-table">
                <thead>
                    <tr>
                        <th scope="col">{i18n.t("match.col_attribute")}</th>
                        <th scope="col">{i18n.t("match.col_institution")}</th>
                        <th scope="col">{i18n.t("match.col_register")}</th>
                        <th scope="col">{i18n.t("match.col_result")}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

/// An item's fields as a definition list, identifiers as given (masked unless revealed).
#[component]
pub fn FieldList(fields: Vec<crate::domain::items::Field>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = fields
        .iter()
        .map(|f| {
            view! {
                <div>
                    <dt>{i18n.t(&f.label_key)}</dt>
                    <dd>{value_text(i18n, &f.value)}</dd>
                </div>
            }
        })
        .collect_view();
    view! { <dl class="fields">{rows}</dl> }
}
