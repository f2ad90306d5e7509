//! The pages and components, rendered on the server; only the `#[island]`s among them (the
//! sign-in form's number check, the running scan's card) are compiled to wasm and hydrated.

pub mod app;
pub mod components;
pub mod context;
pub mod pages;
