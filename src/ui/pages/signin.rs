//! Sign-in with My Number and password. The page is rendered on the server; the form posts to
//! `/auth/login` and works without JavaScript. It is an island: with JavaScript, the number's
//! shape and check digit are checked before sending.

use crate::domain::my_number::MyNumber;
use crate::domain::signin::SignInError;
use crate::i18n::{Lang, Strings};
use crate::ui::components::{Alert, PasskeyButton, PasskeyStatus, Required, TextField, WithoutJs};
use crate::ui::context::{mark_island_hydrated, provide_i18n, use_i18n};
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The wait shown for `?wait=` (whole minutes, 1 to 1440; 1 when missing or malformed).
pub fn wait_minutes(raw: &Option<String>) -> String {
    raw.as_deref()
        .and_then(|w| w.parse::<u32>().ok())
        .map_or(1, |m| m.clamp(1, 1440))
        .to_string()
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let server_code = move || {
        query
            .read()
            .get("error")
            .filter(|c| SignInError::message_key_for_code(c).is_some())
    };
    let form_error = move || {
        server_code()
            .filter(|c| !SignInError::is_number_error(c) && c != "signed_out")
            .map(|c| match SignInError::message_key_for_code(&c) {
                Some(k) if c == "try_later" => {
                    let minutes = wait_minutes(&query.read().get("wait"));
                    i18n.tf(k, &[("minutes", &minutes)])
                }
                Some(k) => i18n.t(k),
                None => String::new(),
            })
    };
    let signed_out = move || server_code().is_some_and(|c| c == "signed_out");
    let number_error = server_code().filter(|c| SignInError::is_number_error(c));

    view! {
        <Title text=i18n.t("page.sign_in") />
        <div class="signin">
            <h1>{i18n.t("signin.title")}</h1>
            <p class="lead">{i18n.t("signin.lead")}</p>
            {move || {
                signed_out().then(|| view! { <Alert kind="success" message=i18n.t("info.signed_out") /> })
            }}
            <section class="passkey-signin" aria-labelledby="passkey-h">
                <h2 id="passkey-h">{i18n.t("signin.passkey_heading")}</h2>
                <p>{i18n.t("signin.passkey_lead")}</p>
                <PasskeyButton
                    action="signin"
                    status="passkey-status"
                    label=i18n.t("signin.passkey_button")
                />
                <WithoutJs message=i18n.t("signin.passkey_without_js") />
                <PasskeyStatus id="passkey-status" />
                <p>
                    <a href="/activate">{i18n.t("signin.activate_link")}</a>
                </p>
            </section>
            <h2 id="password-h">{i18n.t("signin.password_heading")}</h2>
            {move || form_error().map(|m| view! { <Alert kind="error" message=m /> })}
            <PasswordForm
                lang=i18n.lang
                strings=Strings::of(i18n.lang, &PASSWORD_FORM_STRINGS)
                number_error
            />
            <p class="muted">{i18n.t("signin.lockout_note")}</p>
        </div>
    }
}

/// The strings the number-and-password form shows.
const PASSWORD_FORM_STRINGS: [&str; 9] = [
    "signin.number_label",
    "signin.number_hint",
    "signin.password_label",
    "signin.submit",
    "common.required",
    "error.my_number_empty",
    "error.my_number_not_digits",
    "error.my_number_length",
    "error.my_number_check_digit",
];

/// The number-and-password form, an island: it posts to `/auth/login` and works without
/// JavaScript; in the browser, the number's shape and check digit are checked on leaving the
/// field and before sending. `number_error` is the code of a number error the server sent the
/// form back with (`?error=number_…`).
#[island]
fn PasswordForm(lang: Lang, strings: Strings, number_error: Option<String>) -> impl IntoView {
    let i18n = provide_i18n(lang, strings);
    // A problem found in the browser before sending: the i18n key of its message.
    let client_error = RwSignal::new(None::<&'static str>);
    let number_ref: NodeRef<html::Input> = NodeRef::new();
    let form_ref: NodeRef<html::Form> = NodeRef::new();
    mark_island_hydrated(form_ref);

    let server_key = number_error.and_then(|c| SignInError::message_key_for_code(&c));
    let number_error = move || client_error.get().or(server_key).map(|k| i18n.t(k));

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let Some(input) = number_ref.get() else {
            return;
        };
        match MyNumber::parse(&input.value()) {
            Ok(_) => client_error.set(None),
            Err(e) => {
                ev.prevent_default();
                client_error.set(Some(e.message_key()));
                let _ = input.focus();
            }
        }
    };
    let check_number = move |_| {
        if let Some(input) = number_ref.get() {
            let v = input.value();
            if !v.trim().is_empty() {
                client_error.set(MyNumber::parse(&v).err().map(|e| e.message_key()));
            }
        }
    };

    view! {
        <form
            class="stack"
            method="post"
            action="/auth/login"
            on:submit=on_submit
            node_ref=form_ref
        >
            <div class="field">
                <label for="my_number">
                    {i18n.t("signin.number_label")} " "
                    <span class="req">{i18n.t("common.required")}</span>
                </label>
                <p class="hint" id="my_number-hint">
                    {i18n.t("signin.number_hint")}
                </p>
                <input
                    id="my_number"
                    name="my_number"
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    maxlength="40"
                    aria-required="true"
                    aria-describedby="my_number-hint my_number-error"
                    aria-invalid=move || number_error().map(|_| "true")
                    node_ref=number_ref
                    on:blur=check_number
                />
                <p class="field-error" id="my_number-error" aria-live="polite">
                    {number_error}
                </p>
            </div>
            <TextField
                id="password"
                name="password"
                label=i18n.t("signin.password_label")
                required=Required::Marked
                input_type="password"
                autocomplete="current-password"
                maxlength=256
            />
            <button type="submit" class="btn btn-primary">
                {i18n.t("signin.submit")}
            </button>
        </form>
    }
}
