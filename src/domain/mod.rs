//! Pure domain logic: no I/O, compiled for both the server and the browser.

pub mod activation;
pub mod category;
pub mod inspection;
pub mod items;
pub mod linkage;
pub mod matching;
pub mod my_number;
pub mod normalize;
pub mod redirect;
pub mod reference;
pub mod reports;
pub mod signin;
pub mod workflow;
