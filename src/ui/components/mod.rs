//! Components shared by the pages.

mod frame;
mod items;

pub use frame::{Alert, SignOut, SiteFooter, SiteHeader};
pub use items::ItemCard;
