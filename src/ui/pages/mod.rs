//! One file per page.

pub mod home;
pub mod mydata;
pub mod not_found;
pub mod signin;
