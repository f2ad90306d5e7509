//! Server functions of the resident's workflow pages: my reports, one report, the inbox and
//! "who viewed my data". Each authorizes the resident and calls the workflow service; changes
//! go through the form endpoints in `server::workflow_forms`.

use crate::domain::reports::{AccessEntry, InboxView, MyReportSummary, MyReportView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// Every report the signed-in resident filed (or the helpdesk filed for them), newest first.
#[server(prefix = "/api", endpoint = "my_reports")]
pub async fn get_my_reports() -> Result<Vec<MyReportSummary>, ServerFnError> {
    let me = ssr::require_resident().await?;
    ssr::state()
        .workflow
        .my_reports(me.resident_id)
        .await
        .map_err(ssr::workflow_error)
}

/// One of the resident's own reports, by reference (with or without hyphens). Another
/// resident's reference answers 404, exactly like an unknown one.
#[server(prefix = "/api", endpoint = "my_report")]
pub async fn get_my_report(reference: String) -> Result<MyReportView, ServerFnError> {
    let me = ssr::require_resident().await?;
    ssr::state()
        .workflow
        .my_report(me.resident_id, &reference)
        .await
        .map_err(ssr::workflow_error)
}

/// お知らせ: the resident's notices, newest first, with the unread count.
#[server(prefix = "/api", endpoint = "inbox")]
pub async fn get_inbox() -> Result<InboxView, ServerFnError> {
    let me = ssr::require_resident().await?;
    ssr::state()
        .workflow
        .inbox(me.resident_id)
        .await
        .map_err(ssr::workflow_error)
}

/// "Who viewed my data": every staff access to the resident's data, newest first.
#[server(prefix = "/api", endpoint = "access_log")]
pub async fn get_access_log() -> Result<Vec<AccessEntry>, ServerFnError> {
    let me = ssr::require_resident().await?;
    ssr::state()
        .workflow
        .access_log(me.resident_id)
        .await
        .map_err(ssr::workflow_error)
}
