//! Passkey controls shared by the sign-in, activation and "sign-in and security" pages. The
//! ceremonies run in `public/passkey.js`; these render its buttons (hidden until it runs, since
//! they need it), the live region it reports in, and the messages it shows, in the page's language.

use crate::domain::activation::{PasskeyView, SecurityView};
use crate::ui::components::Alert;
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Where `passkey.js` reports, with the texts it may show (`data-msg-*`).
#[component]
pub fn PasskeyStatus(id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div
            id=id
            class="alert"
            role="status"
            tabindex="-1"
            hidden=true
            data-msg-waiting=i18n.t("passkey.msg.waiting")
            data-msg-cancelled=i18n.t("passkey.msg.cancelled")
            data-msg-unsupported=i18n.t("passkey.msg.unsupported")
            data-msg-failed=i18n.t("passkey.msg.failed")
            data-msg-duplicate=i18n.t("passkey.msg.duplicate")
            data-msg-done=i18n.t("passkey.msg.done")
        ></div>
    }
}

/// A button that runs a passkey ceremony (`signin`, `staff-signin`, `add`, `staff-add`).
#[component]
pub fn PasskeyButton(
    action: &'static str,
    status: &'static str,
    label: String,
    #[prop(optional)] label_field: Option<&'static str>,
    #[prop(default = "btn btn-primary")] class: &'static str,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class=class
            data-passkey=action
            data-status=status
            data-label=label_field
            data-needs-js=""
            hidden=true
        >
            {label}
        </button>
    }
}

/// Shown instead of the passkey controls when JavaScript does not run.
#[component]
pub fn WithoutJs(message: String) -> impl IntoView {
    view! {
        <p class="muted" data-without-js="">
            {message}
        </p>
    }
}

/// The `?done=` and `?error=` a passkey step came back with.
#[component]
fn SecurityOutcome() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    move || {
        let q = query.read();
        if let Some(done) = q
            .get("done")
            .filter(|d| matches!(d.as_str(), "added" | "removed"))
        {
            let message = i18n.t(&format!("security.done.{done}"));
            return Some(view! { <Alert kind="success" message /> }.into_any());
        }
        q.get("error").filter(|c| !c.is_empty()).map(|c| {
            let message = match c.as_str() {
                "last_way_in" => i18n.t("passkey.error.last_way_in"),
                _ => i18n.t("passkey.error.failed"),
            };
            view! { <Alert kind="error" message /> }.into_any()
        })
    }
}

/// The "sign-in and security" page's content, for a resident (`staff` false) or a staff member.
#[component]
pub fn SecurityPanel(view: SecurityView, staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    let last_way_in = view.last_way_in();
    let base = if staff {
        "/staff/passkeys"
    } else {
        "/me/passkeys"
    };
    let rows = view
        .passkeys
        .iter()
        .cloned()
        .map(|p| view! { <PasskeyRow passkey=p base last_way_in /> })
        .collect_view();
    let list = if view.passkeys.is_empty() {
        view! { <p class="empty">{i18n.t("security.none")}</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="passkeys-h">
                <table class="data-table">
                    <caption class="visually-hidden">{i18n.t("security.passkeys")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t("security.col.label")}</th>
                            <th scope="col">{i18n.t("security.col.created")}</th>
                            <th scope="col">{i18n.t("security.col.last_used")}</th>
                            <th scope="col">{i18n.t("security.col.action")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let fallback = if staff {
        i18n.t("security.fallback_staff")
    } else if view.has_password {
        i18n.t("security.fallback_password")
    } else {
        i18n.t("security.fallback_none")
    };
    view! {
        <SecurityOutcome />
        <section aria-labelledby="passkeys-h">
            <h2 id="passkeys-h">{i18n.t("security.passkeys")}</h2>
            <p>{i18n.t("security.passkeys_lead")}</p>
            {list}
        </section>
        <section aria-labelledby="add-h">
            <h2 id="add-h">{i18n.t("security.add")}</h2>
            <div class="field" data-needs-js="" hidden=true>
                <label for="new-passkey-label">{i18n.t("security.label_field")}</label>
                <p class="hint" id="new-passkey-label-hint">{i18n.t("security.label_hint")}</p>
                <input
                    id="new-passkey-label"
                    type="text"
                    maxlength="40"
                    autocomplete="off"
                    aria-describedby="new-passkey-label-hint"
                />
            </div>
            <PasskeyButton
                action=if staff { "staff-add" } else { "add" }
                status="add-status"
                label=i18n.t("security.add_button")
                label_field="new-passkey-label"
            />
            <WithoutJs message=i18n.t("passkey.needs_js") />
            <PasskeyStatus id="add-status" />
        </section>
        <section aria-labelledby="fallback-h">
            <h2 id="fallback-h">{i18n.t("security.fallback")}</h2>
            <p>{fallback}</p>
        </section>
    }
}

#[component]
fn PasskeyRow(passkey: PasskeyView, base: &'static str, last_way_in: bool) -> impl IntoView {
    let i18n = use_i18n();
    let last_used = passkey
        .last_used_at
        .map(|t| i18n.datetime(t))
        .unwrap_or_else(|| i18n.t("security.never_used"));
    let action = if last_way_in {
        view! { <span class="muted">{i18n.t("security.cannot_remove_last")}</span> }.into_any()
    } else {
        view! {
            <form method="post" action=format!("{base}/{}/remove", passkey.id)>
                <button type="submit" class="btn btn-secondary btn-small">
                    {i18n.t("security.remove")}
                    <span class="visually-hidden">{format!(" ({})", passkey.label)}</span>
                </button>
            </form>
        }
        .into_any()
    };
    view! {
        <tr>
            <td>{passkey.label.clone()}</td>
            <td>{i18n.date(passkey.created_at)}</td>
            <td>{last_used}</td>
            <td>{action}</td>
        </tr>
    }
}
