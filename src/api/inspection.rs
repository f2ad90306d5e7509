//! Server functions of the inspection pages (総点検). Supervisors see every institution,
//! caseworkers their own; reading a finding's evidence is logged as an access to the people in it.

use crate::domain::inspection::{
    FindingView, FindingsFilter, FindingsView, InspectionView, RunSummary,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// The overview: scan runs with their progress, findings by institution and category, the most
/// suspicious findings and those raised by re-verification.
#[server(prefix = "/api", endpoint = "staff/inspection")]
pub async fn get_inspection() -> Result<InspectionView, ServerFnError> {
    let me = ssr::require_staff().await?;
    ssr::state()
        .inspection
        .overview(&me)
        .await
        .map_err(ssr::workflow_error)
}

/// The newest run as the overview lists it (`None` before the first): what the inspection
/// page's live island reads every two seconds while that run is queued or running. The same
/// scope and cost as the overview, which it reads.
#[server(prefix = "/api", endpoint = "staff/inspection/progress")]
pub async fn get_run_progress() -> Result<Option<RunSummary>, ServerFnError> {
    let me = ssr::require_staff().await?;
    let view = ssr::state()
        .inspection
        .overview(&me)
        .await
        .map_err(ssr::workflow_error)?;
    Ok(view.runs.into_iter().next())
}

/// One page of a run's findings, most suspicious first, filtered by institution, category and
/// verdict (`filter[category]=…`, all optional).
#[server(prefix = "/api", endpoint = "staff/findings")]
pub async fn get_findings(
    run: i64,
    #[server(default)] filter: FindingsFilter,
) -> Result<FindingsView, ServerFnError> {
    let me = ssr::require_staff().await?;
    ssr::state()
        .inspection
        .findings(&me, run, &filter)
        .await
        .map_err(ssr::workflow_error)
}

/// One finding with its evidence.
#[server(prefix = "/api", endpoint = "staff/finding")]
pub async fn get_finding(id: i64) -> Result<FindingView, ServerFnError> {
    let me = ssr::require_staff().await?;
    ssr::state()
        .inspection
        .finding(&me, id)
        .await
        .map_err(ssr::workflow_error)
}
