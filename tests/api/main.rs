//! The integration tests, in one binary so `common` compiles and links once: each module drives
//! the real router (or the real binary) against SQLite and PostgreSQL.
//!
//! `tests/logs.rs` stays a binary of its own: it installs a global TRACE subscriber, which must
//! not capture the other tests' logs.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly: a helper that cannot go on stops the test with the reason"
)]

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

mod access;
mod audit;
mod crash;
mod inspect;
mod properties;
mod scan;
mod schema;
mod two_servers;
mod web;
mod workflow;
