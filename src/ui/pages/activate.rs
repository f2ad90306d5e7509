//! "パスキーの登録（利用開始）": with the one-time code from the municipality and their number, a
//! resident registers a passkey, which then works as the card: the phone's or computer's own
//! unlock (PIN, fingerprint, face) proves it is them. Needs JavaScript (the browser's WebAuthn);
//! without it the page says so and points to the password.

use crate::ui::components::{PasskeyStatus, QueryError, Required, TextField, WithoutJs};
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ActivatePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("activate.page_title") />
        <div class="signin">
            <h1>{i18n.t("activate.title")}</h1>
            <p class="lead">{i18n.t("activate.lead")}</p>
            <QueryError prefix="activate.error." known=&["needs_js"] />
            <WithoutJs message=i18n.t("passkey.needs_js") />
            <form
                class="stack"
                method="post"
                action="/auth/passkey/activate/start"
                data-passkey="activate"
                data-status="activate-status"
            >
                <TextField
                    id="my_number"
                    name="my_number"
                    label=i18n.t("signin.number_label")
                    hint=i18n.t("signin.number_hint")
                    required=Required::Marked
                    inputmode="numeric"
                    maxlength=40
                />
                <TextField
                    id="code"
                    name="code"
                    label=i18n.t("activate.code_label")
                    hint=i18n.t("activate.code_hint")
                    required=Required::Marked
                    autocomplete="one-time-code"
                    autocapitalize="characters"
                    no_spellcheck=true
                    maxlength=40
                />
                <TextField
                    id="label"
                    name="label"
                    label=i18n.t("security.label_field")
                    hint=i18n.t("security.label_hint")
                    maxlength=40
                />
                <button type="submit" class="btn btn-primary">
                    {i18n.t("activate.submit")}
                </button>
            </form>
            <PasskeyStatus id="activate-status" />
            <p class="muted">{i18n.t("activate.note")}</p>
        </div>
    }
}
