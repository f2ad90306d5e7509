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

fn status_of(row: &ReportRow) -> Status {
    Status::from_code(&row.status).unwrap_or(Status::Submitted)
}

fn case_of(row: &ReportRow) -> Case {
    Case {
        status: status_of(row),
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
    }
}

fn category_of(row: &ReportRow) -> Category {
    Category::from_code(&row.category).unwrap_or(Category::ResidentRecord)
}

fn kind_of(row: &ReportRow) -> ReportKind {
    ReportKind::from_code(&row.kind).unwrap_or(ReportKind::NotMine)
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
        let (mut index, _) = Register::build(builder, true).map_err(|_| WorkflowError::Conflict)?;
        index.set_partial();
        Ok(index)
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

    fn summary(&self, row: &ReportRow, now: i64) -> MyReportSummary {
        MyReportSummary {
            reference: display_ref(&row.reference),
            kind: kind_of(row),
            category: category_of(row),
            status: status_of(row),
            submitted_at: row.submitted_at,
            deadline: Deadline::of(&case_of(row).clock, now),
            institution_name_ja: row.institution_name_ja.clone(),
            institution_name_en: row.institution_name_en.clone(),
        }
    }

    // ----- residents -----

    /// Files a report. Items must be the reporter's own, from one institution, and not already
    /// under review; "missing" goes to the resident's municipality. The disputed items are
    /// restricted from this moment. Returns the reference number.
    pub async fn submit(&self, reporter: i64, form: &ReportForm) -> WfResult<Reference> {
        self.create(reporter, form, Filer::Resident).await
    }

    /// Opens a case for an item the integrity scan found, on behalf of the person it is linked
    /// to (who is told at once). `kind` is `not_mine` or `details_wrong`.
    pub async fn raise_from_inspection(
        &self,
        me: &StaffSession,
        holder: i64,
        item: i64,
        kind: &str,
    ) -> WfResult<Reference> {
        let form = ReportForm {
            kind: kind.to_string(),
            items: vec![item],
            category: None,
            note: String::new(),
        };
        self.create(holder, &form, Filer::Inspection(me)).await
    }

    async fn create(
        &self,
        reporter: i64,
        form: &ReportForm,
        filer: Filer<'_>,
    ) -> WfResult<Reference> {
        let filed_by = match filer {
            Filer::Resident => None,
            Filer::Helpdesk(s) | Filer::Inspection(s) => Some(s),
        };
        let kind = ReportKind::from_code(&form.kind).ok_or(WorkflowError::Invalid("bad_kind"))?;
        let note = text(&form.note, None).map_err(|_| WorkflowError::Invalid("note_too_long"))?;
        let resident = self
            .db
            .resident(reporter)
            .await?
            .ok_or(WorkflowError::NotFound)?;
        let register = resident.identity();
        let mut items: Vec<i64> = form.items.clone();
        items.sort_unstable();
        items.dedup();
        let (institution_id, category, check) =
            if kind.needs_items() && !matches!(filer, Filer::Helpdesk(_)) {
                if items.is_empty() {
                    return Err(WorkflowError::Invalid("no_items"));
                }
                let own = self.db.items_of_resident(reporter).await?;
                let chosen: Vec<&LinkedItem> = items
                    .iter()
                    .map(|id| own.iter().find(|i| i.id == *id))
                    .collect::<Option<_>>()
                    .ok_or(WorkflowError::Invalid("unknown_item"))?;
                let first = chosen[0];
                if chosen
                    .iter()
                    .any(|i| i.institution_id != first.institution_id)
                {
                    return Err(WorkflowError::Invalid("several_institutions"));
                }
                // The integrity engine weighs each item against the reporter, with everyone
                // around in view (the household, and all born on the items' dates or a typo of
                // them): someone else who explains the record better makes it another person's.
                let snapshots: Vec<&crate::domain::matching::Identity> =
                    chosen.iter().map(|i| &i.snapshot).collect();
                let engine = self.register_near(reporter, &snapshots).await?;
                let checks: Vec<PreCheck> = chosen
                    .iter()
                    .map(|i| {
                        let a = engine.assess(
                            &Snapshot::of(&i.snapshot),
                            reporter as u64,
                            LinkContext {
                                category: Some(i.category),
                            },
                        );
                        precheck_from(&match_card(&i.snapshot, &register), &a)
                    })
                    .collect();
                (
                    first.institution_id,
                    first.category,
                    PreCheck::worst(&checks),
                )
            } else {
                let category = form
                    .category
                    .as_deref()
                    .and_then(Category::from_code)
                    .ok_or(WorkflowError::Invalid("bad_category"))?;
                items.clear();
                // Pensions go to the pension service, accounts to the Digital Agency, everything
                // else to the resident's municipality, which also takes insurance enquiries.
                let national = match category {
                    Category::Pension => self.db.institution_of_kind("pension").await?,
                    Category::PublicFundAccount => {
                        self.db.institution_of_kind("digital_agency").await?
                    }
                    _ => None,
                };
                let institution = match national {
                    Some(id) => id,
                    None => self
                        .db
                        .institution_by_code(&resident.municipality_code)
                        .await?
                        .ok_or(WorkflowError::Invalid("no_institution"))?,
                };
                (institution, category, PreCheck::nothing_to_compare())
            };
        let now = self.now();
        let (actor_role, actor_id, actor, event_kind, notice_kind) = match filer {
            Filer::Helpdesk(s) => (
                "helpdesk",
                s.staff_id,
                format!("staff:{}", s.staff_id),
                EventKind::FiledByHelpdesk,
                "filed_by_helpdesk",
            ),
            Filer::Inspection(s) => (
                s.role.code(),
                s.staff_id,
                format!("staff:{}", s.staff_id),
                EventKind::RaisedByInspection,
                "raised_by_inspection",
            ),
            Filer::Resident => (
                "resident",
                reporter,
                format!("resident:{reporter}"),
                EventKind::Submitted,
                "report_received",
            ),
        };
        let due = CaseClock::start(now).due_at(now);
        let institution = self
            .db
            .institution_names(institution_id)
            .await?
            .unwrap_or_default();
        let reasons = check.reasons.join(";");
        for _ in 0..3 {
            let evidence = check
                .evidence
                .as_ref()
                .and_then(|e| serde_json::to_string(e).ok());
            let reference = new_reference();
            let detail = format!(
                "kind={}; category={}; items={}; verdict={}",
                kind.code(),
                category.code(),
                items.len(),
                check.verdict.code()
            );
            let subject = format!("report:{}", reference.as_str());
            let result = self
                .db
                .create_report(
                    &NewReport {
                        reference: reference.as_str(),
                        reporter_id: reporter,
                        institution_id,
                        category: category.code(),
                        kind: kind.code(),
                        note: &note,
                        verdict: check.verdict.code(),
                        verdict_reasons: &reasons,
                        verdict_evidence: evidence.as_deref(),
                        filed_by_staff_id: filed_by.map(|s| s.staff_id),
                        items: &items,
                    },
                    now,
                    &NewEvent {
                        kind: event_kind.code(),
                        actor_role,
                        actor_id,
                        resident_visible: true,
                        message: None,
                    },
                    &NewNotice {
                        resident_id: reporter,
                        kind: notice_kind,
                        params: params(&[
                            ("reference", reference.to_string()),
                            ("institution", both(&institution.0, &institution.1)),
                            ("due", format!("date:{due}")),
                        ]),
                    },
                    &NewAudit {
                        at: now,
                        actor: &actor,
                        action: match filer {
                            Filer::Helpdesk(_) => "workflow.report_filed_by_helpdesk",
                            Filer::Inspection(_) => "workflow.report_raised_by_inspection",
                            Filer::Resident => "workflow.report_submitted",
                        },
                        subject: &subject,
                        detail: &detail,
                    },
                )
                .await;
            match result {
                Ok(Some(_)) => return Ok(reference),
                Ok(None) => return Err(WorkflowError::Invalid("already_reported")),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(WorkflowError::Conflict)
    }

    pub async fn my_reports(&self, resident: i64) -> WfResult<Vec<MyReportSummary>> {
        let now = self.now();
        Ok(self
            .db
            .reports_of_resident(resident)
            .await?
            .iter()
            .map(|r| self.summary(r, now))
            .collect())
    }

    /// One of the resident's own reports; another's answers NotFound, like an unknown one.
    pub async fn my_report(&self, resident: i64, reference: &str) -> WfResult<MyReportView> {
        let row = self.row(reference).await?;
        if row.reporter_id != resident {
            return Err(WorkflowError::NotFound);
        }
        let now = self.now();
        let status = status_of(&row);
        let items = self.db.items_of_report(row.id).await?;
        let events = self.db.report_events(row.id).await?;
        let decided = matches!(status, Status::ImpactReview | Status::Closed);
        Ok(MyReportView {
            summary: self.summary(&row, now),
            note: row.note.clone(),
            items: items.iter().map(brief).collect(),
            timeline: timeline(events, true),
            outcome: decided
                .then(|| row.outcome.as_deref().and_then(Outcome::from_code))
                .flatten(),
            outcome_reason: decided.then(|| row.outcome_reason.clone()).flatten(),
            can_answer: status == Status::AwaitingResident,
            can_withdraw: matches!(
                status,
                Status::Submitted | Status::Investigating | Status::AwaitingResident
            ),
        })
    }

    /// The resident answers the caseworker's request; the clock runs again.
    pub async fn answer(&self, resident: i64, reference: &str, message: &str) -> WfResult<()> {
        let message = text(message, Some("message_required"))?;
        self.resident_step(
            resident,
            reference,
            Action::ResidentAnswers,
            EventKind::ResidentAnswered,
            Some(&message),
            "workflow.resident_answered",
            None,
        )
        .await
    }

    /// The resident withdraws a report not yet decided.
    pub async fn withdraw(&self, resident: i64, reference: &str) -> WfResult<()> {
        self.resident_step(
            resident,
            reference,
            Action::Withdraw,
            EventKind::Withdrawn,
            None,
            "workflow.report_withdrawn",
            Some("withdrawn"),
        )
        .await
    }

    /// A step the reporter takes on their own report, with its event, audit entry and, when
    /// `notice` is given, a notice of that kind.
    #[expect(
        clippy::too_many_arguments,
        reason = "each argument is one column or one part of the step; a struct would only rename them"
    )]
    async fn resident_step(
        &self,
        resident: i64,
        reference: &str,
        action: Action,
        event: EventKind,
        message: Option<&str>,
        audit_action: &str,
        notice: Option<&'static str>,
    ) -> WfResult<()> {
        let row = self.row(reference).await?;
        if row.reporter_id != resident {
            return Err(WorkflowError::NotFound);
        }
        let now = self.now();
        let actor = Actor {
            role: Role::Resident,
            id: resident,
        };
        let next = case_of(&row).apply(&action, actor, now)?;
        let who = format!("resident:{resident}");
        let subject = format!("report:{}", row.reference);
        let mut t = transition(
            &row,
            &next,
            now,
            NewAudit {
                at: now,
                actor: &who,
                action: audit_action,
                subject: &subject,
                detail: "",
            },
        );
        t.event = Some(NewEvent {
            kind: event.code(),
            actor_role: "resident",
            actor_id: resident,
            resident_visible: true,
            message,
        });
        if let Some(kind) = notice {
            t.notices.push(NewNotice {
                resident_id: resident,
                kind,
                params: params(&[("reference", display_ref(&row.reference))]),
            });
        }
        self.apply(&t).await
    }

    pub async fn inbox(&self, resident: i64) -> WfResult<InboxView> {
        let rows = self.db.notices_of(resident).await?;
        let unread = self.db.unread_notices(resident).await?;
        Ok(InboxView {
            notices: rows
                .into_iter()
                .map(|n| Notice {
                    id: n.id,
                    at: n.at,
                    kind: n.kind,
                    reference: n.reference.as_deref().map(display_ref),
                    params: parse_params(&n.params),
                    read: n.read_at.is_some(),
                })
                .collect(),
            unread,
        })
    }

    pub async fn mark_read(&self, resident: i64, id: Option<i64>) -> WfResult<()> {
        Ok(self.db.mark_notices_read(resident, id, self.now()).await?)
    }

    pub async fn access_log(&self, resident: i64) -> WfResult<Vec<AccessEntry>> {
        Ok(self
            .db
            .access_of_resident(resident)
            .await?
            .into_iter()
            .map(|a| AccessEntry {
                at: a.at,
                organisation_ja: a.organisation_ja.unwrap_or_default(),
                organisation_en: a.organisation_en.unwrap_or_default(),
                role: StaffRole::from_code(&a.role).unwrap_or(StaffRole::Helpdesk),
                purpose: a.purpose,
                reference: a.reference.as_deref().map(display_ref),
            })
            .collect())
    }

    // ----- staff -----

    pub(crate) async fn me_view(&self, me: &StaffSession) -> WfResult<StaffMe> {
        let names = match me.institution_id {
            Some(id) => self.db.institution_names(id).await?,
            None => None,
        };
        Ok(StaffMe {
            id: me.staff_id,
            display_name: me.display_name.clone(),
            role: me.role,
            institution_name_ja: names.as_ref().map(|n| n.0.clone()),
            institution_name_en: names.map(|n| n.1),
        })
    }

    /// The queue: a caseworker's institution's reports, or every report for a supervisor.
    pub async fn queue(&self, me: &StaffSession, f: &QueueFilter) -> WfResult<QueueView> {
        let institution = match me.role {
            StaffRole::Caseworker => Some(me.institution_id.ok_or(WorkflowError::Forbidden)?),
            StaffRole::Supervisor => None,
            _ => return Err(WorkflowError::Forbidden),
        };
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        let status = given(&f.status);
        if status.is_some_and(|s| Status::from_code(s).is_none()) {
            return Err(WorkflowError::Invalid("bad_filter"));
        }
        let category = given(&f.category);
        if category.is_some_and(|c| Category::from_code(c).is_none()) {
            return Err(WorkflowError::Invalid("bad_filter"));
        }
        let verdict = given(&f.verdict);
        if verdict.is_some_and(|v| Verdict::from_code(v).is_none()) {
            return Err(WorkflowError::Invalid("bad_filter"));
        }
        let due = given(&f.due);
        if due.is_some_and(|d| d != "overdue" && d != "week") {
            return Err(WorkflowError::Invalid("bad_filter"));
        }
        let now = self.now();
        let mut rows: Vec<QueueRow> = self
            .db
            .queue(institution, status, category, verdict, 2000)
            .await?
            .iter()
            .map(|r| {
                let deadline = Deadline::of(&case_of(r).clock, now);
                QueueRow {
                    reference: display_ref(&r.reference),
                    category: category_of(r),
                    kind: kind_of(r),
                    status: status_of(r),
                    verdict: Verdict::from_code(&r.verdict).unwrap_or(Verdict::NeedsReview),
                    submitted_at: r.submitted_at,
                    deadline,
                    assignee_name: r.assignee_name.clone(),
                    mine: r.assignee_id == Some(me.staff_id),
                    institution_name_ja: r.institution_name_ja.clone(),
                    institution_name_en: r.institution_name_en.clone(),
                }
            })
            .filter(|r| match due {
                Some("overdue") => r.status.awaits_decision() && r.deadline.overdue,
                Some("week") => r.status.awaits_decision() && r.deadline.days_left < 7,
                _ => true,
            })
            .collect();
        // Cases awaiting a decision first, soonest deadline first; then impact reviews; then
        // closed and withdrawn ones, newest first.
        rows.sort_by_key(|r| {
            if r.status.awaits_decision() {
                (0, r.deadline.due_at)
            } else if r.status.is_open() {
                (1, -r.submitted_at)
            } else {
                (2, -r.submitted_at)
            }
        });
        // One page: the whole queue is read and sorted (up to 2,000 cases), but only a page is
        // rendered; 443 rows took 18-28 ms of CPU a page (bench/load.sh).
        let total = rows.len();
        let overdue = rows
            .iter()
            .filter(|r| r.deadline.overdue && r.status.awaits_decision())
            .count();
        let pages = total.div_ceil(QUEUE_PAGE).max(1);
        let page = (f.page.unwrap_or(1).max(1) as usize).min(pages);
        let rows = rows
            .into_iter()
            .skip((page - 1) * QUEUE_PAGE)
            .take(QUEUE_PAGE)
            .collect();
        Ok(QueueView {
            me: self.me_view(me).await?,
            rows,
            total,
            overdue,
            page,
            pages,
        })
    }

    /// The actions `me` may take on the case now.
    fn actions_for(me: &StaffSession, row: &ReportRow, now: i64) -> Vec<String> {
        let case = case_of(row);
        let actor = Self::actor_of(me);
        let mine = row.assignee_id == Some(me.staff_id);
        let try_action = |a: &Action| case.apply(a, actor, now).is_ok();
        let mut out = Vec::new();
        if try_action(&Action::Claim) && !mine {
            out.push("claim");
        }
        let open = case.status.is_open();
        if open
            && case.status != Status::ImpactReview
            && (mine || me.role == StaffRole::Supervisor)
            && row.assignee_id.is_some()
        {
            out.push("reassign");
        }
        if mine && try_action(&Action::RequestInformation) {
            out.push("request_info");
        }
        if open && (mine || me.role == StaffRole::Supervisor) {
            out.push("message");
        }
        out.push("note");
        if mine && try_action(&Action::Propose) {
            out.push("propose");
        }
        if try_action(&Action::Approve) {
            out.push("approve");
        }
        if try_action(&Action::Return) {
            out.push("return");
        }
        if try_action(&Action::Extend { reason: "-".into() }) {
            out.push("extend");
        }
        if try_action(&Action::CompleteImpactReview) {
            out.push("complete_review");
        }
        out.into_iter().map(String::from).collect()
    }

    /// The case page. Reading it is logged as an access to the reporter's data.
    pub async fn case(&self, me: &StaffSession, reference: &str) -> WfResult<CaseView> {
        let row = self.row(reference).await?;
        if !Self::may_work_on(me, &row) {
            return Err(WorkflowError::Forbidden);
        }
        let now = self.now();
        let reporter = self
            .read_reporter(me, &row, "case_investigation", "read.case")
            .await?;
        let register = reporter.identity();
        let items = self.db.items_of_report(row.id).await?;
        let status = status_of(&row);
        let case_items = items
            .iter()
            .map(|i| {
                let card = match_card(&i.snapshot, &register);
                CaseItem {
                    item_id: i.id,
                    category: i.category,
                    institution_name_ja: i.institution_name_ja.clone(),
                    institution_name_en: i.institution_name_en.clone(),
                    link_method: i.link_method,
                    linked_at: i.linked_at,
                    fields: i.details.fields(false),
                    snapshot: i.snapshot.clone(),
                    precheck: precheck_card(&card),
                    match_card: card,
                    still_linked_to_reporter: i.resident_id == row.reporter_id
                        && i.unlinked_at.is_none(),
                }
            })
            .collect();
        let outcome = row.outcome.as_deref().and_then(Outcome::from_code);
        let proposal = match (outcome, row.proposer_id) {
            (Some(outcome), Some(proposer)) => {
                let target = match row.outcome_target_id {
                    Some(t) => self.db.resident(t).await?.as_ref().map(person),
                    None => None,
                };
                Some(ProposalView {
                    outcome,
                    reason: row.outcome_reason.clone().unwrap_or_default(),
                    target,
                    proposer_name: self.db.staff_name(proposer).await?.unwrap_or_default(),
                    proposed_by_me: proposer == me.staff_id,
                })
            }
            _ => None,
        };
        let impact = match (outcome, row.decided_at) {
            (Some(o), Some(decided)) if o.changes_links() => {
                self.impact(&row, &items, decided).await?
            }
            _ => Vec::new(),
        };
        let colleagues = self
            .db
            .staff_of_institution(row.institution_id, "caseworker")
            .await?
            .into_iter()
            .filter(|(id, _)| Some(*id) != row.assignee_id)
            .collect();
        let notes = self
            .db
            .internal_notes(row.id, None)
            .await?
            .into_iter()
            .map(|n| InternalNote {
                at: n.at,
                author: n.author,
                kind: n.kind,
                body: n.body,
            })
            .collect();
        Ok(CaseView {
            me: self.me_view(me).await?,
            reference: display_ref(&row.reference),
            status,
            kind: kind_of(&row),
            category: category_of(&row),
            institution_name_ja: row.institution_name_ja.clone(),
            institution_name_en: row.institution_name_en.clone(),
            note: row.note.clone(),
            filed_by_helpdesk: row.filed_by_staff_id.is_some(),
            reporter: person(&reporter),
            items: case_items,
            precheck: PreCheck {
                verdict: Verdict::from_code(&row.verdict).unwrap_or(Verdict::NeedsReview),
                reasons: row
                    .verdict_reasons
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                evidence: row
                    .verdict_evidence
                    .as_deref()
                    .and_then(|e| serde_json::from_str(e).ok()),
            },
            timeline: timeline(self.db.report_events(row.id).await?, false),
            notes,
            proposal: if status == Status::Proposed || outcome.is_some() {
                proposal
            } else {
                None
            },
            outcome: matches!(status, Status::ImpactReview | Status::Closed)
                .then_some(outcome)
                .flatten(),
            deadline: Deadline::of(&case_of(&row).clock, now),
            submitted_at: row.submitted_at,
            assignee_name: row.assignee_name.clone(),
            actions: Self::actions_for(me, &row, now),
            colleagues,
            impact,
        })
    }

    /// Staff accesses that concerned the items while they were wrongly linked.
    async fn impact(
        &self,
        row: &ReportRow,
        items: &[LinkedItem],
        until: i64,
    ) -> WfResult<Vec<ImpactEntry>> {
        let from = items
            .iter()
            .map(|i| i.linked_at)
            .min()
            .unwrap_or(row.submitted_at);
        Ok(self
            .db
            .access_during(row.reporter_id, row.id, from, until)
            .await?
            .into_iter()
            .map(|a| ImpactEntry {
                at: a.at,
                organisation_ja: a.organisation_ja.unwrap_or_default(),
                organisation_en: a.organisation_en.unwrap_or_default(),
                role: StaffRole::from_code(&a.role).unwrap_or(StaffRole::Helpdesk),
                purpose: a.purpose,
            })
            .collect())
    }

    /// The reporter's register entry for a staff member reading a case, the read logged first
    /// with its purpose.
    async fn read_reporter(
        &self,
        me: &StaffSession,
        row: &ReportRow,
        purpose: &str,
        action: &str,
    ) -> WfResult<ResidentRow> {
        self.log_access(me, &[row.reporter_id], purpose, Some(row), action)
            .await?;
        self.db
            .resident(row.reporter_id)
            .await?
            .ok_or(WorkflowError::NotFound)
    }

    pub(crate) async fn log_access(
        &self,
        me: &StaffSession,
        residents: &[i64],
        purpose: &str,
        row: Option<&ReportRow>,
        action: &str,
    ) -> WfResult<()> {
        let now = self.now();
        let actor = format!("staff:{}", me.staff_id);
        let subject = match row {
            Some(r) => format!("report:{}", r.reference),
            None => "register".to_string(),
        };
        let detail = format!(
            "purpose={}; residents={}",
            purpose.replace(['\n', ';'], " "),
            residents
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        self.db
            .log_access(
                residents,
                None,
                me.staff_id,
                me.institution_id,
                me.role.code(),
                purpose,
                row.map(|r| r.id),
                now,
                &NewAudit {
                    at: now,
                    actor: &actor,
                    action,
                    subject: &subject,
                    detail: &detail,
                },
            )
            .await?;
        Ok(())
    }

    /// Takes a step on a case. Refusals change nothing.
    pub async fn act(
        &self,
        me: &StaffSession,
        reference: &str,
        action: StaffAction,
    ) -> WfResult<()> {
        let row = self.row(reference).await?;
        if !Self::may_work_on(me, &row) {
            return Err(WorkflowError::Forbidden);
        }
        let now = self.now();
        let case = case_of(&row);
        let actor = Self::actor_of(me);
        let who = format!("staff:{}", me.staff_id);
        let subject = format!("report:{}", row.reference);
        let shown_ref = display_ref(&row.reference);
        let mine = row.assignee_id == Some(me.staff_id);
        // The entry's detail is filled in once the branch has built it.
        let audit = |action: &'static str| NewAudit {
            at: now,
            actor: &who,
            action,
            subject: &subject,
            detail: "",
        };
        fn staff_event<'m>(
            me: &StaffSession,
            kind: EventKind,
            message: Option<&'m str>,
        ) -> NewEvent<'m> {
            NewEvent {
                kind: kind.code(),
                actor_role: me.role.code(),
                actor_id: me.staff_id,
                resident_visible: kind.resident_visible(),
                message,
            }
        }
        // Every branch builds the next state, the event and the audit action.
        let detail: String;
        let body: String;
        let mut t;
        match &action {
            StaffAction::Claim => {
                let next = case.apply(&Action::Claim, actor, now)?;
                t = transition(&row, &next, now, audit("workflow.claimed"));
                if case.status == Status::Submitted {
                    t.event = Some(staff_event(me, EventKind::Claimed, None));
                    t.notices.push(NewNotice {
                        resident_id: row.reporter_id,
                        kind: "investigation_started",
                        params: params(&[
                            ("reference", shown_ref.clone()),
                            (
                                "institution",
                                both(&row.institution_name_ja, &row.institution_name_en),
                            ),
                        ]),
                    });
                } else {
                    t.event = Some(staff_event(me, EventKind::Reassigned, None));
                }
                detail = String::new();
            }
            StaffAction::Reassign { staff_id } => {
                if !(mine || me.role == StaffRole::Supervisor)
                    || !case.status.is_open()
                    || case.status == Status::ImpactReview
                {
                    return Err(TransitionError::NotAllowedInState.into());
                }
                let colleagues = self
                    .db
                    .staff_of_institution(row.institution_id, "caseworker")
                    .await?;
                if !colleagues.iter().any(|(id, _)| id == staff_id) {
                    return Err(WorkflowError::Invalid("unknown_staff"));
                }
                let mut next = case.clone();
                next.assignee = Some(*staff_id);
                if next.status == Status::Submitted {
                    next.status = Status::Investigating;
                }
                t = transition(&row, &next, now, audit("workflow.reassigned"));
                t.event = Some(staff_event(me, EventKind::Reassigned, None));
                detail = format!("to=staff:{staff_id}");
            }
            StaffAction::RequestInfo { message } => {
                body = text(message, Some("message_required"))?;
                if !mine {
                    return Err(WorkflowError::NotAssignee);
                }
                let next = case.apply(&Action::RequestInformation, actor, now)?;
                t = transition(&row, &next, now, audit("workflow.info_requested"));
                t.event = Some(staff_event(me, EventKind::InfoRequested, Some(&body)));
                t.notices.push(NewNotice {
                    resident_id: row.reporter_id,
                    kind: "info_requested",
                    params: params(&[("reference", shown_ref.clone())]),
                });
                detail = String::new();
            }
            StaffAction::Message { message } => {
                body = text(message, Some("message_required"))?;
                if !case.status.is_open() {
                    return Err(TransitionError::NotAllowedInState.into());
                }
                if !(mine || me.role == StaffRole::Supervisor) {
                    return Err(WorkflowError::NotAssignee);
                }
                t = transition(&row, &case, now, audit("workflow.message_sent"));
                t.event = Some(staff_event(me, EventKind::MessageToResident, Some(&body)));
                t.notices.push(NewNotice {
                    resident_id: row.reporter_id,
                    kind: "message",
                    params: params(&[("reference", shown_ref.clone())]),
                });
                detail = String::new();
            }
            StaffAction::Note { body: b } => {
                body = text(b, Some("message_required"))?;
                t = transition(&row, &case, now, audit("workflow.note_added"));
                t.note = Some(NewNote {
                    staff_id: me.staff_id,
                    kind: "note",
                    body: &body,
                });
                detail = String::new();
            }
            StaffAction::Propose {
                outcome,
                reason,
                target_id,
            } => {
                let outcome =
                    Outcome::from_code(outcome).ok_or(WorkflowError::Invalid("bad_outcome"))?;
                body = text(reason, None)?;
                let target = if outcome == Outcome::Relink {
                    *target_id
                } else {
                    None
                };
                check_proposal(outcome, &body, target, row.reporter_id)
                    .map_err(WorkflowError::Proposal)?;
                if let Some(t) = target {
                    if self.db.resident(t).await?.is_none() {
                        return Err(WorkflowError::Proposal(ProposalError::TargetRequired));
                    }
                }
                if !mine && case.status == Status::Investigating {
                    return Err(WorkflowError::NotAssignee);
                }
                let next = case.apply(&Action::Propose, actor, now)?;
                t = transition(&row, &next, now, audit("workflow.proposed"));
                t.outcome = Some(outcome.code());
                t.outcome_target_id = target;
                t.outcome_reason = Some(&body);
                t.event = Some(staff_event(me, EventKind::Proposed, None));
                detail = format!(
                    "outcome={}{}",
                    outcome.code(),
                    target
                        .map(|t| format!("; target=resident:{t}"))
                        .unwrap_or_default()
                );
            }
            StaffAction::Approve => {
                let next = case.apply(&Action::Approve, actor, now)?;
                let outcome = row
                    .outcome
                    .as_deref()
                    .and_then(Outcome::from_code)
                    .ok_or(WorkflowError::Invalid("bad_outcome"))?;
                // Nothing to review after a decision that moved nothing: close at once.
                let next = if outcome.changes_links() {
                    next
                } else {
                    Case {
                        status: Status::Closed,
                        ..next
                    }
                };
                t = transition(&row, &next, now, audit("workflow.approved"));
                t.decided_at = Some(now);
                t.link_change = match outcome {
                    Outcome::Relink => Some(LinkChange::Relink {
                        to: row
                            .outcome_target_id
                            .ok_or(WorkflowError::Proposal(ProposalError::TargetRequired))?,
                    }),
                    Outcome::Unlink => Some(LinkChange::Unlink),
                    Outcome::CorrectDetails => Some(LinkChange::CorrectDetails),
                    Outcome::NoError => None,
                };
                t.event = Some(staff_event(me, EventKind::Approved, None));
                t.notices.push(NewNotice {
                    resident_id: row.reporter_id,
                    kind: "decided",
                    params: params(&[
                        ("reference", shown_ref.clone()),
                        ("outcome", format!("key:{}", outcome.label_key())),
                    ]),
                });
                if outcome.changes_links() {
                    let items = self.db.items_of_report(row.id).await?;
                    let views = self.impact(&row, &items, now).await?.len().to_string();
                    let from = items.iter().map(|i| i.linked_at).min().unwrap_or(now);
                    let first = items.first();
                    let common = vec![
                        ("category", format!("key:{}", category_of(&row).label_key())),
                        (
                            "institution",
                            first
                                .map(|i| both(&i.institution_name_ja, &i.institution_name_en))
                                .unwrap_or_default(),
                        ),
                        ("from", format!("date:{from}")),
                        ("to", format!("date:{now}")),
                        ("views", views),
                    ];
                    t.notices.push(NewNotice {
                        resident_id: row.reporter_id,
                        kind: "impact_reporter",
                        params: params(&common),
                    });
                    if let (Outcome::Relink, Some(owner)) = (outcome, row.outcome_target_id) {
                        t.notices.push(NewNotice {
                            resident_id: owner,
                            kind: "impact_owner",
                            params: params(&common),
                        });
                    }
                }
                detail = format!(
                    "outcome={}{}",
                    outcome.code(),
                    row.outcome_target_id
                        .map(|t| format!("; target=resident:{t}"))
                        .unwrap_or_default()
                );
            }
            StaffAction::Return { comment } => {
                body = text(comment, Some("reason_required"))?;
                let next = case.apply(&Action::Return, actor, now)?;
                t = transition(&row, &next, now, audit("workflow.returned"));
                // The proposal goes back to the caseworker: it is no longer pending.
                t.outcome = None;
                t.outcome_target_id = None;
                t.outcome_reason = None;
                t.event = Some(staff_event(me, EventKind::Returned, Some(&body)));
                detail = String::new();
            }
            StaffAction::Extend { reason } => {
                body = text(reason, Some("reason_required"))?;
                let next = case.apply(
                    &Action::Extend {
                        reason: body.clone(),
                    },
                    actor,
                    now,
                )?;
                t = transition(&row, &next, now, audit("workflow.extended"));
                t.event = Some(staff_event(me, EventKind::Extended, Some(&body)));
                t.notices.push(NewNotice {
                    resident_id: row.reporter_id,
                    kind: "extended",
                    params: params(&[
                        ("reference", shown_ref.clone()),
                        ("due", format!("date:{}", next.clock.due_at(now))),
                        ("reason", body.clone()),
                    ]),
                });
                detail = String::new();
            }
            StaffAction::CompleteReview => {
                let next = case.apply(&Action::CompleteImpactReview, actor, now)?;
                t = transition(&row, &next, now, audit("workflow.closed"));
                t.event = Some(staff_event(me, EventKind::Closed, None));
                detail = String::new();
            }
        }
        t.audit.detail = &detail;
        self.apply(&t).await?;
        tracing::info!(staff = me.staff_id, action = action.code(), "case step");
        Ok(())
    }

    /// Searches the register for the person an item belongs to. Birth date is required (the
    /// block, with its typo variants); name (kanji or kana), sex and address narrow it, weighed
    /// by the integrity engine so a slip in any of them still finds the person.
    /// Every person returned is logged as accessed, with the purpose given.
    #[expect(
        clippy::too_many_arguments,
        reason = "each argument is one column or one part of the step; a struct would only rename them"
    )]
    pub async fn search_register(
        &self,
        me: &StaffSession,
        reference: &str,
        name: &str,
        birth_date: &str,
        sex: &str,
        address: &str,
        purpose: &str,
    ) -> WfResult<Vec<PersonView>> {
        let row = self.row(reference).await?;
        if !Self::may_work_on(me, &row) {
            return Err(WorkflowError::Forbidden);
        }
        let purpose = text(purpose, Some("purpose_required"))?;
        let date = crate::domain::normalize::date(birth_date);
        if date.len() != 10 {
            return Err(WorkflowError::Invalid("birth_date_required"));
        }
        let name = name.trim();
        let sex = sex.trim();
        let address = address.trim();
        // Everyone born on the date or a typo of it (no cap), weighed by the integrity engine
        // against what was typed: a name in kanji or kana, a slip in it, the address in any
        // notation. Each criterion given must agree (exactly or within a slip); the best
        // matches come first.
        let kana = !name.is_empty()
            && name.chars().all(|c| {
                c.is_whitespace()
                    || crate::domain::normalize::name_kana(&c.to_string())
                        .chars()
                        .all(|k| ('\u{30A0}'..='\u{30FF}').contains(&k))
            });
        let query = crate::domain::matching::Identity {
            name_kanji: (!name.is_empty() && !kana).then(|| name.to_string()),
            name_kana: (!name.is_empty() && kana).then(|| name.to_string()),
            birth_date: Some(date.clone()),
            sex: (!sex.is_empty()).then(|| sex.to_string()),
            address: (!address.is_empty()).then(|| address.to_string()),
        };
        let people = self
            .db
            .residents_born_on_any(&crate::domain::linkage::features::date_typo_variants(&date))
            .await?;
        let mut builder = RegisterBuilder::default();
        for r in people.iter().filter(|r| r.id != row.reporter_id) {
            builder.add(
                r.id as u64,
                &r.identity(),
                &r.household_id.to_string(),
                false,
            );
        }
        let (mut engine, _) =
            Register::build(builder, true).map_err(|_| WorkflowError::Conflict)?;
        engine.set_partial();
        let found: Vec<ResidentRow> = engine
            .search_agreeing(&Snapshot::of(&query), 20)
            .into_iter()
            .filter_map(|id| people.iter().find(|r| r.id as u64 == id).cloned())
            .collect();
        let ids: Vec<i64> = found.iter().map(|r| r.id).collect();
        self.log_access(me, &ids, &purpose, Some(&row), "read.register_search")
            .await?;
        Ok(found.iter().map(person).collect())
    }

    fn helpdesk_only(me: &StaffSession) -> WfResult<()> {
        if me.role == StaffRole::Helpdesk {
            Ok(())
        } else {
            Err(WorkflowError::Forbidden)
        }
    }

    /// What the helpdesk may tell a caller about a case. Logged with its purpose.
    pub async fn helpdesk_case(
        &self,
        me: &StaffSession,
        reference: &str,
        purpose: &str,
    ) -> WfResult<HelpdeskCaseView> {
        Self::helpdesk_only(me)?;
        if !matches!(purpose, "helpdesk_inquiry" | "helpdesk_filing") {
            return Err(WorkflowError::Invalid("purpose_required"));
        }
        let row = self.row(reference).await?;
        let reporter = self
            .read_reporter(me, &row, purpose, "read.helpdesk_case")
            .await?;
        let now = self.now();
        let items = self.db.items_of_report(row.id).await?;
        Ok(HelpdeskCaseView {
            reference: display_ref(&row.reference),
            status: status_of(&row),
            kind: kind_of(&row),
            category: category_of(&row),
            institution_name_ja: row.institution_name_ja.clone(),
            institution_name_en: row.institution_name_en.clone(),
            submitted_at: row.submitted_at,
            deadline: Deadline::of(&case_of(&row).clock, now),
            reporter_name_masked: mask_name(&reporter.name_kanji),
            my_number_masked: mask_last4(&reporter.my_number_last4),
            items: items.iter().map(brief).collect(),
            timeline: timeline(self.db.report_events(row.id).await?, true),
            call_notes: self
                .db
                .internal_notes(row.id, Some("call"))
                .await?
                .into_iter()
                .map(|n| InternalNote {
                    at: n.at,
                    author: n.author,
                    kind: n.kind,
                    body: n.body,
                })
                .collect(),
        })
    }

    /// Records a helpdesk call note on a case.
    pub async fn helpdesk_note(
        &self,
        me: &StaffSession,
        reference: &str,
        body: &str,
    ) -> WfResult<()> {
        Self::helpdesk_only(me)?;
        let body = text(body, Some("message_required"))?;
        let row = self.row(reference).await?;
        let now = self.now();
        let who = format!("staff:{}", me.staff_id);
        let subject = format!("report:{}", row.reference);
        let mut t = transition(
            &row,
            &case_of(&row),
            now,
            NewAudit {
                at: now,
                actor: &who,
                action: "workflow.call_note",
                subject: &subject,
                detail: "",
            },
        );
        t.note = Some(NewNote {
            staff_id: me.staff_id,
            kind: "call",
            body: &body,
        });
        self.apply(&t).await
    }

    /// Files a report for a caller whose identity the operator checked: the number, kana name
    /// and birth date must match the register. Logged as filed by the helpdesk.
    pub async fn helpdesk_file(
        &self,
        me: &StaffSession,
        f: &HelpdeskFiling,
    ) -> WfResult<Reference> {
        Self::helpdesk_only(me)?;
        if !f.identity_confirmed {
            return Err(WorkflowError::Invalid("identity_not_confirmed"));
        }
        let number =
            MyNumber::parse(&f.my_number).map_err(|_| WorkflowError::Invalid("bad_my_number"))?;
        let resident = self
            .db
            .resident_by_number_hash(&self.hasher.hash(&number))
            .await?
            .filter(|r| {
                Attribute::NameKana.same(&f.name_kana, &r.name_kana)
                    && Attribute::BirthDate.same(&f.birth_date, &r.birth_date)
            })
            .ok_or(WorkflowError::Invalid("identity_mismatch"))?;
        self.log_access(
            me,
            &[resident.id],
            "helpdesk_filing",
            None,
            "read.helpdesk_identity_check",
        )
        .await?;
        self.create(
            resident.id,
            &ReportForm {
                kind: f.kind.clone(),
                items: Vec::new(),
                category: Some(f.category.clone()),
                note: f.note.clone(),
            },
            Filer::Helpdesk(me),
        )
        .await
    }
}

/// A fresh reference number from the operating system's randomness.
fn new_reference() -> Reference {
    use rand::RngCore;
    let mut b = [0u8; crate::domain::reference::BODY_LEN];
    rand::rngs::OsRng.fill_bytes(&mut b);
    Reference::from_random(b)
}
