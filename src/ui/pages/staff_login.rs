//! Staff sign-in: username, password and the six-digit code of an authenticator app (TOTP).
//! The form posts to `/staff/auth/login` and works without JavaScript; the server answers with a
//! redirect to the queue (or the helpdesk), or back here with `?error=CODE`.

use crate::ui::components::{Alert, PasskeyButton, PasskeyStatus, Required, TextField, WithoutJs};
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The codes the sign-in endpoint sends back, each with a `staff.login_error.<code>` message.
const LOGIN_CODES: [&str; 6] = [
    "bad_credentials",
    "try_later",
    "code_required",
    "session_expired",
    "signed_out",
    "forbidden",
];

#[component]
pub fn StaffLoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let code = move || {
        query
            .read()
            .get("error")
            .filter(|c| LOGIN_CODES.contains(&c.as_str()))
    };
    let message = move |c: &str| {
        if c == "try_later" {
            let minutes = crate::ui::pages::signin::wait_minutes(&query.read().get("wait"));
            i18n.tf("staff.login_error.try_later", &[("minutes", &minutes)])
        } else {
            i18n.t(&format!("staff.login_error.{c}"))
        }
    };
    let alert = move || {
        code().map(|c| {
            if c == "signed_out" {
                view! { <Alert kind="success" message=message(&c) /> }.into_any()
            } else if c == "session_expired" {
                view! { <Alert kind="info" message=message(&c) /> }.into_any()
            } else {
                view! { <Alert kind="error" message=message(&c) /> }.into_any()
            }
        })
    };
    let code_invalid = move || {
        code()
            .is_some_and(|c| c == "code_required")
            .then_some("true")
    };

    view! {
        <Title text=i18n.t("staff.page.login") />
        <div class="signin">
            <h1>{i18n.t("staff.login.title")}</h1>
            <p class="lead">{i18n.t("staff.login.lead")}</p>
            {alert}
            <section class="passkey-signin" aria-labelledby="passkey-h">
                <h2 id="passkey-h">{i18n.t("staff.login.passkey_heading")}</h2>
                <PasskeyButton
                    action="staff-signin"
                    status="passkey-status"
                    label=i18n.t("signin.passkey_button")
                />
                <WithoutJs message=i18n.t("signin.passkey_without_js") />
                <PasskeyStatus id="passkey-status" />
            </section>
            <h2 id="password-h">{i18n.t("staff.login.password_heading")}</h2>
            <form class="stack" method="post" action="/staff/auth/login">
                <TextField
                    id="username"
                    name="username"
                    label=i18n.t("staff.login.username_label")
                    required=Required::Browser
                    autocomplete="username"
                    autocapitalize="none"
                    no_spellcheck=true
                    maxlength=128
                />
                <TextField
                    id="password"
                    name="password"
                    label=i18n.t("staff.login.password_label")
                    required=Required::Browser
                    input_type="password"
                    autocomplete="current-password"
                    maxlength=256
                />
                <div class="field">
                    <label for="code">
                        {i18n.t("staff.login.code_label")} " "
                        <span class="req">{i18n.t("common.required")}</span>
                    </label>
                    <p class="hint" id="code-hint">
                        {i18n.t("staff.login.code_hint")}
                    </p>
                    <input
                        id="code"
                        name="code"
                        type="text"
                        class="input-code"
                        inputmode="numeric"
                        autocomplete="one-time-code"
                        maxlength="6"
                        required=true
                        aria-describedby="code-hint"
                        aria-invalid=code_invalid
                    />
                </div>
                <button type="submit" class="btn btn-primary">
                    {i18n.t("staff.login.submit")}
                </button>
            </form>
            <p class="muted">{i18n.t("staff.login.lockout_note")}</p>
            <p class="muted">
                {i18n.t("staff.login.resident_note")} " " <a href="/login">{i18n.t("signin.title")}</a>
            </p>
        </div>
    }
}
