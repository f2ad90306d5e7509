//! Citizen self-check portal: residents see every record linked to their My Number, where it
//! came from and how it was linked.
//!
//! Layers: `domain` (pure rules, also compiled to wasm), `store` (sqlx, SQLite or PostgreSQL),
//! `service` (use cases), `server` (axum edge), `api` (server functions), `ui` (pages).

#![recursion_limit = "256"]

pub mod api;
pub mod domain;
pub mod i18n;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod generator;
#[cfg(feature = "ssr")]
pub mod inspect;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Islands mode: the pages are not hydrated, only the `#[island]`s in them (the loader
    // script of `HydrationScripts` calls each one's function after this).
    leptos::mount::hydrate_islands();
    ui::context::mark_bundle_loaded();
}
