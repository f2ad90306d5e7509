//! The HTML shell, the router and the page frame.

use super::components::{SiteFooter, SiteHeader};
use super::pages::{
    access_log::AccessLogPage, activate::ActivatePage, help::HelpPage, helpdesk::HelpdeskPage,
    home::HomePage, inbox::InboxPage, my_report::MyReportPage, my_reports::MyReportsPage,
    mydata::MyDataPage, not_found::NotFound, report_form::ReportFormPage, security::SecurityPage,
    signin::SignInPage, staff_case::StaffCasePage, staff_finding::StaffFindingPage,
    staff_findings::StaffFindingsPage, staff_inspection::StaffInspectionPage,
    staff_login::StaffLoginPage, staff_queue::StaffQueuePage, staff_search::StaffSearchPage,
    staff_security::StaffSecurityPage,
};
use crate::i18n::{I18n, Lang};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The language of this request: the `lang` cookie on the server, `<html lang>` in the browser.
fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers
                    .get(http::header::COOKIE)
                    .and_then(|v| v.to_str().ok())
                    .map(Lang::from_cookie_header)
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Lang::from_code(&l))
            .unwrap_or_default()
    }
}

/// Who is looking, for the page frame: the signed-in resident's name and unread notices, and the
/// signed-in staff member's name and role. From the request on the server, from `<body data-*>`
/// in the browser (the shell is not hydrated, so both agree).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Viewer {
    pub resident_name: Option<String>,
    pub unread: i64,
    pub staff_name: Option<String>,
    /// A `StaffRole` code.
    pub staff_role: Option<String>,
}

fn initial_viewer() -> Viewer {
    #[cfg(feature = "ssr")]
    {
        let parts = use_context::<http::request::Parts>();
        let resident = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<crate::server::session::SignedIn>());
        let staff = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<crate::server::session::StaffSignedIn>());
        Viewer {
            resident_name: resident.map(|s| s.register.name_kanji.clone()),
            unread: resident.map(|s| s.unread).unwrap_or(0),
            staff_name: staff.map(|s| s.staff.display_name.clone()),
            staff_role: staff.map(|s| s.staff.role.code().to_string()),
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        let body = document().body();
        let attr = |name: &str| body.as_ref().and_then(|b| b.get_attribute(name));
        Viewer {
            resident_name: attr("data-signed-in"),
            unread: attr("data-unread")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            staff_name: attr("data-staff"),
            staff_role: attr("data-staff-role"),
        }
    }
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(n) = use_context::<http::request::Parts>().and_then(|p| {
        p.extensions
            .get::<crate::server::security::CspNonce>()
            .cloned()
    }) {
        provide_context(leptos::nonce::Nonce::from_value(n.0));
    }
    let lang = initial_lang();
    let viewer = initial_viewer();
    let unread = (viewer.resident_name.is_some()).then(|| viewer.unread.to_string());
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // Content-hashed names (`hash-files` in Leptos.toml; scripts/build.sh writes the
                // hashes to hash.txt beside the binary), so the files can be cached for good.
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                // The browser half of the passkey ceremonies (a few KB, no framework).
                <script src="/passkey.js" defer nonce=leptos::nonce::use_nonce()></script>
                <MetaTags />
            </head>
            <body
                data-signed-in=viewer.resident_name
                data-unread=unread
                data-staff=viewer.staff_name
                data-staff-role=viewer.staff_role
            >
                <App />
            </body>
        </html>
    }
}

/// Reads the translator every component uses.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n::new(Lang::Ja))
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = I18n::new(initial_lang());
    provide_context(i18n);
    provide_context(initial_viewer());

    view! {
        <Router>
            <a class="skip-link" href="#main">
                {i18n.t("common.skip_to_content")}
            </a>
            <SiteHeader />
            <main id="main" class="container" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("login") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("activate") view=ActivatePage ssr=SsrMode::Async />
                    <Route path=path!("me/security") view=SecurityPage ssr=SsrMode::Async />
                    <Route path=path!("me") view=MyDataPage ssr=SsrMode::Async />
                    <Route path=path!("me/report") view=ReportFormPage ssr=SsrMode::Async />
                    <Route path=path!("me/access") view=AccessLogPage ssr=SsrMode::Async />
                    <Route path=path!("reports") view=MyReportsPage ssr=SsrMode::Async />
                    <Route
                        path=path!("reports/:reference")
                        view=MyReportPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("inbox") view=InboxPage ssr=SsrMode::Async />
                    <Route path=path!("help") view=HelpPage ssr=SsrMode::Async />
                    <Route path=path!("staff/login") view=StaffLoginPage ssr=SsrMode::Async />
                    <Route path=path!("staff") view=StaffQueuePage ssr=SsrMode::Async />
                    <Route
                        path=path!("staff/security")
                        view=StaffSecurityPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("staff/cases/:reference")
                        view=StaffCasePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("staff/cases/:reference/search")
                        view=StaffSearchPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("staff/helpdesk") view=HelpdeskPage ssr=SsrMode::Async />
                    <Route
                        path=path!("staff/inspection")
                        view=StaffInspectionPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("staff/inspection/:run")
                        view=StaffFindingsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("staff/findings/:id")
                        view=StaffFindingPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <SiteFooter />
        </Router>
    }
}
