//! The HTML shell, the router and the page frame.

use super::components::{SiteFooter, SiteHeader};
use super::pages::{home::HomePage, mydata::MyDataPage, not_found::NotFound, signin::SignInPage};
use crate::i18n::{I18n, Lang};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet};
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

/// The signed-in resident's name for the page frame: from the request on the server, from
/// `<body data-signed-in>` in the browser (the shell is not hydrated, so both agree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInName(pub Option<String>);

fn initial_signed_in() -> SignedInName {
    #[cfg(feature = "ssr")]
    {
        SignedInName(use_context::<http::request::Parts>().and_then(|p| {
            p.extensions
                .get::<crate::server::session::SignedIn>()
                .map(|s| s.name.clone())
        }))
    }
    #[cfg(not(feature = "ssr"))]
    {
        SignedInName(
            document()
                .body()
                .and_then(|b| b.get_attribute("data-signed-in")),
        )
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
    let signed_in = initial_signed_in().0;
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body data-signed-in=signed_in>
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
    provide_context(initial_signed_in());

    view! {
        <Stylesheet id="leptos" href="/pkg/myna-portal.css" />
        <Router>
            <a class="skip-link" href="#main">
                {i18n.t("common.skip_to_content")}
            </a>
            <SiteHeader />
            <main id="main" class="container" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("login") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("me") view=MyDataPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <SiteFooter />
        </Router>
    }
}
