//! The one markup of a text field: label (with the required marker), hint, input, described by
//! its hint. Fields that need a node ref or a check in the browser (the sign-in number) keep
//! their own markup.

use crate::ui::context::use_i18n;
use leptos::prelude::*;

/// Whether and how a field is required: not, marked (`aria-required`, the server says what is
/// missing) or also by the browser (`required`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Required {
    #[default]
    No,
    Marked,
    Browser,
}

#[component]
pub fn TextField(
    id: &'static str,
    name: &'static str,
    label: String,
    #[prop(optional)] hint: Option<String>,
    #[prop(optional)] required: Required,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] autocapitalize: Option<&'static str>,
    /// `spellcheck="false"` for codes and identifiers.
    #[prop(optional)]
    no_spellcheck: bool,
    maxlength: u32,
    #[prop(optional)] class: Option<&'static str>,
    #[prop(optional)] value: Option<String>,
    /// The id of a hint shared with other fields, read after this field's own.
    #[prop(optional)]
    shared_hint: Option<&'static str>,
    /// Marks the input invalid (after the server sent the form back for it).
    #[prop(optional)]
    invalid: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let hint_id = format!("{id}-hint");
    let described_by = [
        hint.as_ref().map(|_| hint_id.clone()),
        shared_hint.map(String::from),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let marker = (required != Required::No).then(|| {
        view! {
            " "
            <span class="req">{i18n.t("common.required")}</span>
        }
    });
    let hint = hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> });
    view! {
        <div class="field">
            <label for=id>{label} {marker}</label>
            {hint}
            <input
                id=id
                name=name
                type=input_type
                inputmode=inputmode
                autocomplete=autocomplete
                autocapitalize=autocapitalize
                spellcheck=no_spellcheck.then_some("false")
                maxlength=maxlength.to_string()
                class=class
                value=value
                required=required == Required::Browser
                aria-required=(required == Required::Marked).then_some("true")
                aria-describedby=(!described_by.is_empty()).then_some(described_by)
                aria-invalid=invalid.then_some("true")
            />
        </div>
    }
}
