//! Server functions of the staff pages. Each requires a staff session with its second factor;
//! the service decides what the role may see, and logs every read of a resident's data.

use crate::domain::reports::{CaseView, HelpdeskCaseView, PersonView, QueueFilter, QueueView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// The caseworker's or supervisor's queue, filtered (`filter[status]=…` etc., all optional),
/// soonest deadline first.
#[server(prefix = "/api", endpoint = "staff/queue")]
pub async fn get_queue(#[server(default)] filter: QueueFilter) -> Result<QueueView, ServerFnError> {
    let me = ssr::require_staff().await?;
    ssr::state()
        .workflow
        .queue(&me, &filter)
        .await
        .map_err(ssr::workflow_error)
}

/// One case, for a caseworker of the item's institution or a supervisor. Logged as an access to
/// the reporter's data for the case.
#[server(prefix = "/api", endpoint = "staff/case")]
pub async fn get_case(reference: String) -> Result<CaseView, ServerFnError> {
    let me = ssr::require_staff().await?;
    ssr::state()
        .workflow
        .case(&me, &reference)
        .await
        .map_err(ssr::workflow_error)
}

/// Searches the register for the person an item belongs to, on the four basic items (name in
/// kanji or kana, birth date, sex, address). A purpose is required and logged with every person
/// returned.
#[server(prefix = "/api", endpoint = "staff/search_register")]
pub async fn search_register(
    reference: String,
    name: String,
    birth_date: String,
    sex: String,
    address: String,
    purpose: String,
) -> Result<Vec<PersonView>, ServerFnError> {
    let me = ssr::require_staff().await?;
    ssr::state()
        .workflow
        .search_register(
            &me,
            &reference,
            &name,
            &birth_date,
            &sex,
            &address,
            &purpose,
        )
        .await
        .map_err(ssr::workflow_error)
}

/// The helpdesk's look-up by reference number: status and masked identifiers. Logged with its
/// purpose.
#[server(prefix = "/api", endpoint = "staff/helpdesk_case")]
pub async fn helpdesk_case(
    reference: String,
    purpose: String,
) -> Result<HelpdeskCaseView, ServerFnError> {
    let me = ssr::require_staff().await?;
    ssr::state()
        .workflow
        .helpdesk_case(&me, &reference, &purpose)
        .await
        .map_err(ssr::workflow_error)
}
