//! Components shared by the pages.

mod field;
mod frame;
mod inspection;
mod items;
mod passkey;
mod resident;
mod staff;
mod waterfall;
mod workflow;

pub use field::{Required, TextField};
pub use frame::{Alert, QueryError, SignOut, SiteFooter, SiteHeader};
pub use inspection::{FindingTable, RunProgress, ScanVerdictBadge};
pub use items::{value_text, FieldList, ItemCard, MatchTable};
pub use passkey::{PasskeyButton, PasskeyStatus, SecurityPanel, WithoutJs};
pub use resident::{LoadFailed, MissingItemLinks};
pub use staff::{
    error_code, purpose_text, sex_text, verdict_class, CaseItemCard, NoteList, PersonDetails,
    StaffLoadError, VerdictBadge,
};
pub use waterfall::{percent, signed_bits, Waterfall};
pub use workflow::{notice_text, DeadlineText, StatusBadge, Timeline};
