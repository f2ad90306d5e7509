//! The pages and components, rendered on the server and hydrated in the browser.

pub mod app;
pub mod components;
pub mod context;
pub mod pages;
