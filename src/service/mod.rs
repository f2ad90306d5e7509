//! Services: the use cases, over the domain rules and the store. HTTP handlers and server
//! functions are thin adapters over these.

pub mod audit;
pub mod auth;
pub mod clock;
pub mod crypto;
pub mod inspection;
pub mod mydata;
pub mod passkeys;
pub mod seed;
pub mod signin_guard;
pub mod staff_auth;
pub mod workflow;
