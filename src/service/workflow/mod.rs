//! The correction workflow: residents report, caseworkers investigate, supervisors approve, the
//! helpdesk answers. Every change runs in one transaction with its audit entry, its timeline
//! event and its notices; every staff read of a resident's data is logged.

use super::clock::Clock;
use super::crypto::NumberHasher;
use super::staff_auth::StaffSession;
use crate::domain::category::Category;
use crate::domain::linkage::{LinkContext, Register, RegisterBuilder, Snapshot};
use crate::domain::matching::{match_card, Attribute};
use crate::domain::my_number::{mask_last4, MyNumber};
use crate::domain::reference::Reference;
use crate::domain::reports::*;
use crate::domain::workflow::{
    Action, Actor, Case, Clock as CaseClock, Role, Status, TransitionError,
};
use crate::store::audit::NewAudit;
use crate::store::items::LinkedItem;
use crate::store::residents::ResidentRow;
use crate::store::workflow::{
    LinkChange, NewEvent, NewNote, NewNotice, NewReport, ReportRow, Transition,
};
use crate::store::Db;
use http::StatusCode;
use std::sync::Arc;

mod actions;
mod casework;
mod filing;
mod helpdesk;
mod resident;

/// Longest free text accepted (notes, messages, reasons), in characters.
pub const MAX_TEXT: usize = 2000;

#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("refused: {0}")]
    Transition(#[from] TransitionError),
    #[error("proposal refused: {0:?}")]
    Proposal(ProposalError),
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    #[error("someone else changed the case first")]
    Conflict,
    #[error("only the assigned caseworker may do this")]
    NotAssignee,
    #[error("storage: {0}")]
    Store(#[from] sqlx::Error),
}

impl WorkflowError {
    /// The HTTP status and the short code a page or a redirect carries.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            WorkflowError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            WorkflowError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            WorkflowError::Transition(t) => (
                if *t == TransitionError::NotAllowedForRole {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::CONFLICT
                },
                match t {
                    TransitionError::NotAllowedInState => "not_allowed_in_state",
                    TransitionError::NotAllowedForRole => "forbidden",
                    TransitionError::OwnProposal => "own_proposal",
                    TransitionError::AlreadyExtended => "already_extended",
                    TransitionError::ReasonRequired => "reason_required",
                    TransitionError::NotTheReporter => "not_found",
                },
            ),
            WorkflowError::Proposal(p) => (StatusCode::UNPROCESSABLE_ENTITY, p.code()),
            WorkflowError::Invalid(code) => (StatusCode::UNPROCESSABLE_ENTITY, code),
            WorkflowError::Conflict => (StatusCode::CONFLICT, "conflict"),
            WorkflowError::NotAssignee => (StatusCode::CONFLICT, "not_assignee"),
            WorkflowError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

pub type WfResult<T> = Result<T, WorkflowError>;

#[derive(Clone)]
pub struct Workflow {
    pub db: Db,
    pub hasher: NumberHasher,
    pub clock: Arc<dyn Clock>,
}

/// What a resident (or the helpdesk for a caller) files.
#[derive(Debug, Clone, Default)]
pub struct ReportForm {
    pub kind: String,
    pub items: Vec<i64>,
    pub category: Option<String>,
    pub note: String,
}

/// Who opens a case: the resident, the helpdesk for a caller, or staff from a scan finding.
#[derive(Clone, Copy)]
enum Filer<'a> {
    Resident,
    Helpdesk(&'a StaffSession),
    Inspection(&'a StaffSession),
}

/// A step a staff member takes on a case, from the case page's forms.
#[derive(Debug, Clone)]
pub enum StaffAction {
    Claim,
    Reassign {
        staff_id: i64,
    },
    RequestInfo {
        message: String,
    },
    Message {
        message: String,
    },
    Note {
        body: String,
    },
    Propose {
        outcome: String,
        reason: String,
        target_id: Option<i64>,
    },
    Approve,
    Return {
        comment: String,
    },
    Extend {
        reason: String,
    },
    CompleteReview,
}

impl StaffAction {
    /// The action's code, as in the form's URL and `action.<code>` in the locales.
    pub fn code(&self) -> &'static str {
        match self {
            StaffAction::Claim => "claim",
            StaffAction::Reassign { .. } => "reassign",
            StaffAction::RequestInfo { .. } => "request_info",
            StaffAction::Message { .. } => "message",
            StaffAction::Note { .. } => "note",
            StaffAction::Propose { .. } => "propose",
            StaffAction::Approve => "approve",
            StaffAction::Return { .. } => "return",
            StaffAction::Extend { .. } => "extend",
            StaffAction::CompleteReview => "complete_review",
        }
    }
}

/// What the helpdesk enters to file a report for a caller.
#[derive(Debug, Clone, Default)]
pub struct HelpdeskFiling {
    pub my_number: String,
    pub name_kana: String,
    pub birth_date: String,
    pub identity_confirmed: bool,
    pub kind: String,
    pub category: String,
    pub note: String,
}

fn text(s: &str, required: Option<&'static str>) -> WfResult<String> {
    let t = s.trim();
    if t.chars().count() > MAX_TEXT {
        return Err(WorkflowError::Invalid("text_too_long"));
    }
    match required {
        Some(code) if t.is_empty() => Err(WorkflowError::Invalid(code)),
        _ => Ok(t.to_string()),
    }
}

fn params(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace('\n', " ")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_params(s: &str) -> Vec<(String, String)> {
    s.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// An institution's name in both languages, for a notice parameter.
fn both(ja: &str, en: &str) -> String {
    format!("both:{ja}\u{1f}{en}")
}

/// A code read from the database that this version does not know: an error (500, logged),
/// never a silent default.
#[derive(Debug, thiserror::Error)]
#[error("unknown {what} code {code:?} in {whose}")]
pub struct UnknownCode {
    what: &'static str,
    code: String,
    whose: String,
}

pub(crate) fn decoded<T>(
    what: &'static str,
    code: &str,
    whose: &dyn std::fmt::Display,
    parse: impl Fn(&str) -> Option<T>,
) -> WfResult<T> {
    parse(code).ok_or_else(|| {
        WorkflowError::Store(sqlx::Error::Decode(Box::new(UnknownCode {
            what,
            code: code.to_string(),
            whose: whose.to_string(),
        })))
    })
}

/// A staff role as stored with an access-log entry.
fn role_of(code: &str) -> WfResult<StaffRole> {
    decoded("staff role", code, &"the access log", StaffRole::from_code)
}

fn status_of(row: &ReportRow) -> WfResult<Status> {
    decoded("status", &row.status, &row.reference, Status::from_code)
}

fn verdict_of(row: &ReportRow) -> WfResult<Verdict> {
    decoded("verdict", &row.verdict, &row.reference, Verdict::from_code)
}

fn case_of(row: &ReportRow) -> WfResult<Case> {
    Ok(Case {
        status: status_of(row)?,
        reporter: row.reporter_id,
        assignee: row.assignee_id,
        proposer: row.proposer_id,
        approver: row.approver_id,
        clock: CaseClock {
            submitted_at: row.submitted_at,
            paused_secs: row.paused_secs,
            paused_since: row.paused_since,
            extended: row.extended != 0,
        },
    })
}

fn category_of(row: &ReportRow) -> WfResult<Category> {
    decoded(
        "category",
        &row.category,
        &row.reference,
        Category::from_code,
    )
}

fn kind_of(row: &ReportRow) -> WfResult<ReportKind> {
    decoded("kind", &row.kind, &row.reference, ReportKind::from_code)
}

fn display_ref(stored: &str) -> String {
    Reference::parse(stored)
        .map(|r| r.to_string())
        .unwrap_or_else(|_| stored.to_string())
}

fn brief(i: &LinkedItem) -> ReportItemBrief {
    ReportItemBrief {
        item_id: i.id,
        category: i.category,
        institution_name_ja: i.institution_name_ja.clone(),
        institution_name_en: i.institution_name_en.clone(),
        fields: i.details.fields(false),
    }
}

pub(crate) fn person(r: &ResidentRow) -> PersonView {
    PersonView {
        resident_id: r.id,
        my_number_masked: mask_last4(&r.my_number_last4),
        identity: r.identity(),
    }
}

fn timeline(
    events: Vec<crate::store::workflow::EventRow>,
    resident_view: bool,
) -> Vec<TimelineEntry> {
    events
        .into_iter()
        .filter(|e| !resident_view || e.resident_visible != 0)
        .filter_map(|e| {
            Some(TimelineEntry {
                at: e.at,
                kind: EventKind::from_code(&e.kind)?,
                message: e.message,
                by_staff: e.actor_role != "resident",
            })
        })
        .collect()
}

/// A transition that keeps the case as it is (notes, messages), or moves it to `next`. The
/// proposed or decided outcome is carried over; a step that changes it says so.
fn transition<'a>(row: &'a ReportRow, next: &Case, at: i64, audit: NewAudit<'a>) -> Transition<'a> {
    Transition {
        report_id: row.id,
        reporter_id: row.reporter_id,
        expected_version: row.version,
        at,
        status: next.status.code(),
        assignee_id: next.assignee,
        proposer_id: next.proposer,
        approver_id: next.approver,
        paused_secs: next.clock.paused_secs,
        paused_since: next.clock.paused_since,
        extended: next.clock.extended,
        outcome: row.outcome.as_deref(),
        outcome_target_id: row.outcome_target_id,
        outcome_reason: row.outcome_reason.as_deref(),
        decided_at: row.decided_at,
        event: None,
        note: None,
        notices: Vec::new(),
        link_change: None,
        audit,
    }
}

impl Workflow {
    fn now(&self) -> i64 {
        self.clock.now()
    }

    fn actor_of(me: &StaffSession) -> Actor {
        Actor {
            role: me.role.workflow_role(),
            id: me.staff_id,
        }
    }

    /// Whether a staff member may work on (and read) a case: a caseworker of the institution
    /// that linked the items, or a supervisor.
    fn may_work_on(me: &StaffSession, row: &ReportRow) -> bool {
        match me.role {
            StaffRole::Caseworker => me.institution_id == Some(row.institution_id),
            StaffRole::Supervisor => true,
            StaffRole::Helpdesk | StaffRole::Administrator => false,
        }
    }

    /// The register around a person, indexed for the integrity engine: the person, their
    /// household, and everyone born on a date the snapshots name or a typo of it (day and
    /// month swapped, the year off by one), with no cap on any block. A part of the register
    /// says nothing about how common a name is, so names are weighed without term
    /// frequencies here.
    pub async fn register_near(
        &self,
        resident_id: i64,
        snapshots: &[&crate::domain::matching::Identity],
    ) -> WfResult<Register> {
        let mut dates: Vec<String> = snapshots
            .iter()
            .filter_map(|s| s.birth_date.as_deref())
            .flat_map(crate::domain::linkage::features::date_typo_variants)
            .collect();
        dates.sort();
        dates.dedup();
        let rows = self.db.register_around(resident_id, &dates).await?;
        let mut builder = RegisterBuilder::default();
        for r in &rows {
            crate::domain::inspection::add_register_entry(
                &mut builder,
                r.id,
                &r.identity(),
                r.household_id,
                r.deceased,
            );
        }
        self.partial_engine(builder).await
    }

    /// A report's staff-only notes (of one kind, or all), oldest first.
    pub(crate) async fn internal_notes(
        &self,
        report_id: i64,
        kind: Option<&str>,
    ) -> WfResult<Vec<InternalNote>> {
        Ok(self
            .db
            .internal_notes(report_id, kind)
            .await?
            .into_iter()
            .map(|n| InternalNote {
                at: n.at,
                author: n.author,
                kind: n.kind,
                body: n.body,
            })
            .collect())
    }

    /// The engine over a part of the register (no term frequencies), weighing with the last
    /// scan's model when there is one.
    pub(crate) async fn partial_engine(&self, builder: RegisterBuilder) -> WfResult<Register> {
        let (mut index, _) = Register::build(builder, true).map_err(|_| WorkflowError::Conflict)?;
        index.set_partial();
        if let Some(model) = self.scan_model().await? {
            index.set_model(model);
        }
        Ok(index)
    }

    /// The model the latest finished scan trained on the whole register and its items (u from
    /// the register, m and λ from the items), or `None` before any scan: a part of the register
    /// around one person is too small to train on, so it weighs with the a-priori model.
    pub async fn scan_model(&self) -> WfResult<Option<crate::domain::linkage::Model>> {
        let kept = self
            .db
            .latest_job_model(crate::domain::inspection::JOB_KIND)
            .await?;
        Ok(kept.and_then(|(job, json)| {
            let model = crate::domain::linkage::Model::from_json(&json);
            if model.is_none() {
                tracing::warn!(
                    job,
                    "the scan's model does not fit this engine; using the a-priori model"
                );
            }
            model
        }))
    }

    async fn row(&self, reference: &str) -> WfResult<ReportRow> {
        let r = Reference::parse(reference).map_err(|_| WorkflowError::NotFound)?;
        self.db
            .report_by_reference(r.as_str())
            .await?
            .ok_or(WorkflowError::NotFound)
    }

    async fn apply(&self, t: &Transition<'_>) -> WfResult<()> {
        if self.db.apply_transition(t).await? {
            Ok(())
        } else {
            Err(WorkflowError::Conflict)
        }
    }

    fn summary(&self, row: &ReportRow, now: i64) -> WfResult<MyReportSummary> {
        Ok(MyReportSummary {
            reference: display_ref(&row.reference),
            kind: kind_of(row)?,
            category: category_of(row)?,
            status: status_of(row)?,
            submitted_at: row.submitted_at,
            deadline: Deadline::of(&case_of(row)?.clock, now),
            institution_name_ja: row.institution_name_ja.clone(),
            institution_name_en: row.institution_name_en.clone(),
        })
    }
}

/// A fresh reference number from the operating system's randomness.
fn new_reference() -> Reference {
    use rand::RngCore;
    let mut b = [0u8; crate::domain::reference::BODY_LEN];
    rand::rngs::OsRng.fill_bytes(&mut b);
    Reference::from_random(b)
}
