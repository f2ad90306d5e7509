//! What every component reads from context: the translator and who is looking. Pages and
//! components import these from here, not from `app.rs` (which imports every page), so the
//! module graph has no cycle.

use crate::i18n::{I18n, Lang, Strings};
use leptos::prelude::*;

/// The language of this request: the `lang` cookie on the server, `<html lang>` in the browser.
pub(crate) fn initial_lang() -> Lang {
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

pub(crate) fn initial_viewer() -> Viewer {
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

/// Reads the translator every component uses.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n::new(Lang::Ja))
}

/// The translator inside an `#[island]`: context given by the server components is not there
/// when the island hydrates in the browser, so each island takes the language and its strings
/// ([`Strings::of`], built by the page) as props and provides its own translator.
pub fn provide_i18n(lang: Lang, strings: Strings) -> I18n {
    let i18n = I18n::with_strings(lang, strings);
    provide_context(i18n);
    i18n
}

/// Marks the `<leptos-island>` around `root` as hydrated (`data-hydrated`), once the island runs
/// in the browser; the journeys wait for it before they use an island. Nothing on the server.
pub fn mark_island_hydrated<E>(root: NodeRef<E>)
where
    E: leptos::html::ElementType,
    E::Output: leptos::wasm_bindgen::JsCast + Clone + 'static,
{
    root.on_load(|el| {
        use leptos::wasm_bindgen::JsCast;
        let el: &leptos::web_sys::Element = el.unchecked_ref();
        if let Ok(Some(island)) = el.closest("leptos-island") {
            let _ = island.set_attribute("data-hydrated", "");
        }
    });
}

/// Marks `<html data-hydrated>` once the islands bundle has loaded and started.
#[cfg(feature = "hydrate")]
pub fn mark_bundle_loaded() {
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("data-hydrated", "");
    }
}
