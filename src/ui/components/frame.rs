//! The page frame: header with navigation, language switch and sign-out; footer; alerts.

use crate::i18n::Lang;
use crate::ui::context::{use_i18n, Viewer};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

#[component]
pub fn SiteHeader() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let here = move || location.pathname.get();
    let lang_href = move |l: Lang| {
        let mut next = here();
        let search = location.search.get();
        if !search.is_empty() {
            next = format!("{next}?{search}");
        }
        format!("/lang/{}?next={}", l.code(), urlencode(&next))
    };
    let current = move |p: &str| (here() == p).then_some("page");
    let viewer = use_context::<Viewer>().unwrap_or_default();
    let signed_in = viewer.resident_name.clone();
    let staff = viewer
        .staff_name
        .clone()
        .map(|n| (n, viewer.staff_role.clone()));
    let unread = viewer.unread;
    let inbox_label = if unread > 0 {
        i18n.tf("nav.inbox_unread", &[("n", &unread.to_string())])
    } else {
        i18n.t("nav.inbox")
    };
    let resident_nav = signed_in.is_some().then(|| {
        view! {
            <li>
                <a href="/reports" aria-current=move || current("/reports")>
                    {i18n.t("nav.my_reports")}
                </a>
            </li>
            <li>
                <a href="/inbox" aria-current=move || current("/inbox")>
                    {inbox_label}
                </a>
            </li>
            <li>
                <a href="/me/access" aria-current=move || current("/me/access")>
                    {i18n.t("nav.access_log")}
                </a>
            </li>
            <li>
                <a href="/me/security" aria-current=move || current("/me/security")>
                    {i18n.t("nav.security")}
                </a>
            </li>
        }
    });
    let staff_nav = staff.clone().map(|(_, role)| {
        let helpdesk = role.as_deref() == Some("helpdesk");
        let queue = matches!(role.as_deref(), Some("caseworker" | "supervisor"));
        view! {
            {queue
                .then(|| {
                    view! {
                        <li>
                            <a href="/staff" aria-current=move || current("/staff")>
                                {i18n.t("nav.staff_queue")}
                            </a>
                        </li>
                        <li>
                            <a
                                href="/staff/inspection"
                                aria-current=move || current("/staff/inspection")
                            >
                                {i18n.t("nav.inspection")}
                            </a>
                        </li>
                    }
                })}
            {helpdesk
                .then(|| {
                    view! {
                        <li>
                            <a
                                href="/staff/helpdesk"
                                aria-current=move || current("/staff/helpdesk")
                            >
                                {i18n.t("nav.helpdesk")}
                            </a>
                        </li>
                    }
                })}
            <li>
                <a href="/staff/security" aria-current=move || current("/staff/security")>
                    {i18n.t("nav.security")}
                </a>
            </li>
        }
    });

    view! {
        <header class="site-header">
            <a class="site-title" href="/">
                {i18n.t("common.portal_name")}
            </a>
            <div class="lang-switch" role="group" aria-label=i18n.t("lang.switch_label")>
                {[Lang::Ja, Lang::En]
                    .map(|l| {
                        view! {
                            <a
                                href=move || lang_href(l)
                                rel="external"
                                lang=l.code()
                                hreflang=l.code()
                                aria-current=(i18n.lang == l).then_some("true")
                            >
                                {l.native_name()}
                            </a>
                        }
                    })}
            </div>
            {signed_in
                .map(|name| {
                    view! { <SignOut name action="/auth/logout" greeting_key="nav.signed_in_as" /> }
                })}
            {staff
                .map(|(name, _)| {
                    view! {
                        <SignOut
                            name
                            action="/staff/auth/logout"
                            greeting_key="nav.staff_signed_in_as"
                        />
                    }
                })}
            <nav class="site-nav" aria-label=i18n.t("nav.main_label")>
                <ul>
                    <li>
                        <a href="/" aria-current=move || current("/")>
                            {i18n.t("nav.home")}
                        </a>
                    </li>
                    <li>
                        <a href="/me" aria-current=move || current("/me")>
                            {i18n.t("nav.my_data")}
                        </a>
                    </li>
                    {resident_nav}
                    {staff_nav}
                    <li>
                        <a href="/help" aria-current=move || current("/help")>
                            {i18n.t("nav.help")}
                        </a>
                    </li>
                </ul>
            </nav>
        </header>
    }
}

/// Percent-encodes a path for a query parameter.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Who is signed in and the sign-out button: the resident's (`/auth/logout`) or the staff
/// member's (`/staff/auth/logout`), with the greeting key of each.
#[component]
pub fn SignOut(name: String, action: &'static str, greeting_key: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form class="signout-form" method="post" action=action>
            <span class="muted">{i18n.tf(greeting_key, &[("name", &name)])}</span>
            " "
            <button type="submit" class="btn btn-secondary">
                {i18n.t("nav.sign_out")}
            </button>
        </form>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="site-footer">
            <p>{i18n.t("footer.note")}</p>
        </footer>
    }
}

/// A message box. `kind` is one of error, info, success, warning.
#[component]
pub fn Alert(kind: &'static str, message: String) -> impl IntoView {
    let role = if kind == "error" { "alert" } else { "status" };
    view! {
        <div class=format!("alert alert-{kind}") role=role>
            <p>{message}</p>
        </div>
    }
}

/// The `?error=CODE` a form endpoint sent the browser back with, as an alert: a code in `known`
/// reads `{prefix}{CODE}` in the locales (the prefix ends with a dot), anything else the generic
/// message.
#[component]
pub fn QueryError(prefix: &'static str, known: &'static [&'static str]) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    move || {
        query
            .read()
            .get("error")
            .filter(|c| !c.is_empty())
            .map(|c| {
                let message = if known.contains(&c.as_str()) {
                    i18n.t(&format!("{prefix}{c}"))
                } else {
                    i18n.t("case.error.unknown")
                };
                view! { <Alert kind="error" message /> }
            })
    }
}
