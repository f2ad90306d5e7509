//! The pages and components, rendered on the server; only the `#[island]`s among them (the
//! sign-in number check, the live inspection overview) are compiled to wasm and hydrated.

pub mod app;
pub mod components;
pub mod context;
pub mod pages;
