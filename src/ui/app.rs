//! The HTML shell, the router and the page frame.

use super::components::{SiteFooter, SiteHeader};
use super::context::{initial_lang, initial_viewer};
use super::pages::{
    access_log::AccessLogPage, activate::ActivatePage, help::HelpPage, helpdesk::HelpdeskPage,
    home::HomePage, inbox::InboxPage, my_report::MyReportPage, my_reports::MyReportsPage,
    mydata::MyDataPage, not_found::NotFound, report_form::ReportFormPage, security::SecurityPage,
    signin::SignInPage, staff_case::StaffCasePage, staff_finding::StaffFindingPage,
    staff_findings::StaffFindingsPage, staff_inspection::StaffInspectionPage,
    staff_login::StaffLoginPage, staff_queue::StaffQueuePage, staff_search::StaffSearchPage,
    staff_security::StaffSecurityPage,
};
use crate::i18n::I18n;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

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
                // Islands: the bundle holds only the `#[island]`s; everything else is server-rendered.
                <HydrationScripts options islands=true />
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
