//! The mismatch report's state machine and its legal clock, without storage: which action each
//! role may take in each state, and when a decision is due.
//!
//! Japanese law for a correction request: a decision within 30 days, extendable once by 30 days
//! with a reason. The clock pauses while the caseworker waits for the resident.

use serde::{Deserialize, Serialize};

pub const DAY: i64 = 86_400;
pub const DECISION_DAYS: i64 = 30;
pub const EXTENSION_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    /// Filed by the resident; pre-checked and routed to the source institution's queue.
    Submitted,
    /// A caseworker of the source institution has claimed it.
    Investigating,
    /// The caseworker asked the resident for information; the clock is paused.
    AwaitingResident,
    /// An outcome was proposed and waits for a supervisor who is not the proposer.
    Proposed,
    /// Approved: the change is applied; who saw the item while it was wrong is being reviewed.
    ImpactReview,
    /// Decided and closed, with a message the resident can read.
    Closed,
    /// Withdrawn by the resident before a decision.
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Submitted,
        Status::Investigating,
        Status::AwaitingResident,
        Status::Proposed,
        Status::ImpactReview,
        Status::Closed,
        Status::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Investigating => "investigating",
            Status::AwaitingResident => "awaiting_resident",
            Status::Proposed => "proposed",
            Status::ImpactReview => "impact_review",
            Status::Closed => "closed",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    /// `status.<code>` in the locales.
    pub fn label_key(self) -> &'static str {
        match self {
            Status::Submitted => "status.submitted",
            Status::Investigating => "status.investigating",
            Status::AwaitingResident => "status.awaiting_resident",
            Status::Proposed => "status.proposed",
            Status::ImpactReview => "status.impact_review",
            Status::Closed => "status.closed",
            Status::Withdrawn => "status.withdrawn",
        }
    }

    /// Whether a decision is still due: the legal clock runs (or is paused) in these states.
    pub fn awaits_decision(self) -> bool {
        matches!(
            self,
            Status::Submitted | Status::Investigating | Status::AwaitingResident | Status::Proposed
        )
    }

    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Withdrawn)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Resident,
    Helpdesk,
    Caseworker,
    Supervisor,
    Administrator,
}

/// Who acts: their role and their staff or resident id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub role: Role,
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    Claim,
    RequestInformation,
    ResidentAnswers,
    Propose,
    Approve,
    Return,
    CompleteImpactReview,
    Withdraw,
    Extend { reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TransitionError {
    #[error("this action is not possible in the report's current state")]
    NotAllowedInState,
    #[error("this role may not take this action")]
    NotAllowedForRole,
    #[error("the proposer cannot approve their own proposal")]
    OwnProposal,
    #[error("the deadline was already extended once")]
    AlreadyExtended,
    #[error("an extension needs a reason")]
    ReasonRequired,
    #[error("only the resident who filed the report may do this")]
    NotTheReporter,
}

/// The legal clock of one report (all unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub submitted_at: i64,
    /// Time spent waiting for the resident, finished pauses only.
    pub paused_secs: i64,
    /// Start of the pause in progress.
    pub paused_since: Option<i64>,
    pub extended: bool,
}

impl Clock {
    pub fn start(at: i64) -> Self {
        Clock {
            submitted_at: at,
            paused_secs: 0,
            paused_since: None,
            extended: false,
        }
    }

    /// When the decision is due, as of `now` (a pause in progress moves it on).
    pub fn due_at(&self, now: i64) -> i64 {
        let running_pause = self.paused_since.map(|s| (now - s).max(0)).unwrap_or(0);
        let days = DECISION_DAYS + if self.extended { EXTENSION_DAYS } else { 0 };
        self.submitted_at + days * DAY + self.paused_secs + running_pause
    }

    pub fn is_overdue(&self, now: i64) -> bool {
        self.paused_since.is_none() && now > self.due_at(now)
    }

    /// Whole days left (negative when overdue).
    pub fn days_left(&self, now: i64) -> i64 {
        (self.due_at(now) - now).div_euclid(DAY)
    }

    fn pause(&mut self, now: i64) {
        self.paused_since.get_or_insert(now);
    }

    fn resume(&mut self, now: i64) {
        if let Some(s) = self.paused_since.take() {
            self.paused_secs += (now - s).max(0);
        }
    }
}

/// The state the machine needs of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub status: Status,
    pub reporter: i64,
    pub assignee: Option<i64>,
    pub proposer: Option<i64>,
    pub approver: Option<i64>,
    pub clock: Clock,
}

impl Case {
    pub fn new(reporter: i64, at: i64) -> Self {
        Case {
            status: Status::Submitted,
            reporter,
            assignee: None,
            proposer: None,
            approver: None,
            clock: Clock::start(at),
        }
    }

    /// Applies an action, or says why it is refused. The case is unchanged on refusal.
    pub fn apply(&self, action: &Action, actor: Actor, now: i64) -> Result<Case, TransitionError> {
        use Role::*;
        use Status::*;
        let mut next = self.clone();
        let role_is = |roles: &[Role]| {
            if roles.contains(&actor.role) {
                Ok(())
            } else {
                Err(TransitionError::NotAllowedForRole)
            }
        };
        match (action, self.status) {
            (Action::Claim, Submitted | Investigating) => {
                role_is(&[Caseworker])?;
                next.status = Investigating;
                next.assignee = Some(actor.id);
            }
            (Action::RequestInformation, Investigating) => {
                role_is(&[Caseworker])?;
                next.status = AwaitingResident;
                next.clock.pause(now);
            }
            (Action::ResidentAnswers, AwaitingResident) => {
                role_is(&[Resident])?;
                if actor.id != self.reporter {
                    return Err(TransitionError::NotTheReporter);
                }
                next.status = Investigating;
                next.clock.resume(now);
            }
            (Action::Propose, Investigating) => {
                role_is(&[Caseworker])?;
                next.status = Proposed;
                next.proposer = Some(actor.id);
            }
            (Action::Approve, Proposed) => {
                role_is(&[Supervisor])?;
                if self.proposer == Some(actor.id) {
                    return Err(TransitionError::OwnProposal);
                }
                next.status = ImpactReview;
                next.approver = Some(actor.id);
            }
            (Action::Return, Proposed) => {
                role_is(&[Supervisor])?;
                next.status = Investigating;
                next.proposer = None;
            }
            (Action::CompleteImpactReview, ImpactReview) => {
                role_is(&[Caseworker, Supervisor])?;
                next.status = Closed;
            }
            (Action::Withdraw, Submitted | Investigating | AwaitingResident) => {
                role_is(&[Resident])?;
                if actor.id != self.reporter {
                    return Err(TransitionError::NotTheReporter);
                }
                next.status = Withdrawn;
                next.clock.resume(now);
            }
            (Action::Extend { reason }, s) if s.is_open() && s != ImpactReview => {
                role_is(&[Supervisor])?;
                if reason.trim().is_empty() {
                    return Err(TransitionError::ReasonRequired);
                }
                if self.clock.extended {
                    return Err(TransitionError::AlreadyExtended);
                }
                next.clock.extended = true;
            }
            _ => return Err(TransitionError::NotAllowedInState),
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000;
    const RESIDENT: Actor = Actor {
        role: Role::Resident,
        id: 7,
    };
    const OTHER_RESIDENT: Actor = Actor {
        role: Role::Resident,
        id: 8,
    };
    const WORKER: Actor = Actor {
        role: Role::Caseworker,
        id: 100,
    };
    const SUPERVISOR: Actor = Actor {
        role: Role::Supervisor,
        id: 200,
    };
    const HELPDESK: Actor = Actor {
        role: Role::Helpdesk,
        id: 300,
    };

    #[test]
    fn the_whole_way_through() {
        let c = Case::new(7, T0);
        let c = c.apply(&Action::Claim, WORKER, T0 + DAY).unwrap();
        let c = c
            .apply(&Action::RequestInformation, WORKER, T0 + 2 * DAY)
            .unwrap();
        let c = c
            .apply(&Action::ResidentAnswers, RESIDENT, T0 + 5 * DAY)
            .unwrap();
        let c = c.apply(&Action::Propose, WORKER, T0 + 6 * DAY).unwrap();
        assert_eq!(
            c.apply(&Action::Approve, WORKER, T0 + 7 * DAY),
            Err(TransitionError::NotAllowedForRole)
        );
        let c = c.apply(&Action::Approve, SUPERVISOR, T0 + 7 * DAY).unwrap();
        assert_eq!(c.status, Status::ImpactReview);
        let c = c
            .apply(&Action::CompleteImpactReview, WORKER, T0 + 8 * DAY)
            .unwrap();
        assert_eq!(c.status, Status::Closed);
        assert_eq!(
            c.apply(&Action::Withdraw, RESIDENT, T0 + 9 * DAY),
            Err(TransitionError::NotAllowedInState)
        );
    }

    #[test]
    fn a_supervisor_cannot_approve_their_own_proposal() {
        // A supervisor who also works cases proposes as a caseworker under the same id.
        let c = Case::new(7, T0)
            .apply(
                &Action::Claim,
                Actor {
                    role: Role::Caseworker,
                    id: 200,
                },
                T0,
            )
            .unwrap();
        let c = c
            .apply(
                &Action::Propose,
                Actor {
                    role: Role::Caseworker,
                    id: 200,
                },
                T0,
            )
            .unwrap();
        assert_eq!(
            c.apply(&Action::Approve, SUPERVISOR, T0),
            Err(TransitionError::OwnProposal)
        );
        let returned = c.apply(&Action::Return, SUPERVISOR, T0).unwrap();
        assert_eq!(
            (returned.status, returned.proposer),
            (Status::Investigating, None)
        );
    }

    #[test]
    fn refusals_name_the_reason_and_change_nothing() {
        let c = Case::new(7, T0);
        assert_eq!(
            c.apply(&Action::Propose, WORKER, T0),
            Err(TransitionError::NotAllowedInState)
        );
        assert_eq!(
            c.apply(&Action::Claim, HELPDESK, T0),
            Err(TransitionError::NotAllowedForRole)
        );
        assert_eq!(
            c.apply(&Action::Withdraw, OTHER_RESIDENT, T0),
            Err(TransitionError::NotTheReporter)
        );
        assert_eq!(
            c.apply(&Action::Approve, SUPERVISOR, T0),
            Err(TransitionError::NotAllowedInState)
        );
        let withdrawn = c.apply(&Action::Withdraw, RESIDENT, T0).unwrap();
        assert_eq!(withdrawn.status, Status::Withdrawn);
        assert_eq!(c.status, Status::Submitted);
    }

    #[test]
    fn the_clock_pauses_while_waiting_for_the_resident() {
        let c = Case::new(7, T0).apply(&Action::Claim, WORKER, T0).unwrap();
        assert_eq!(c.clock.due_at(T0), T0 + 30 * DAY);
        let waiting = c
            .apply(&Action::RequestInformation, WORKER, T0 + 10 * DAY)
            .unwrap();
        // Paused: the due date moves with time and nothing is overdue.
        assert_eq!(waiting.clock.due_at(T0 + 50 * DAY), T0 + 70 * DAY);
        assert!(!waiting.clock.is_overdue(T0 + 50 * DAY));
        let back = waiting
            .apply(&Action::ResidentAnswers, RESIDENT, T0 + 14 * DAY)
            .unwrap();
        assert_eq!(back.clock.due_at(T0 + 20 * DAY), T0 + 34 * DAY);
        assert_eq!(back.clock.days_left(T0 + 20 * DAY), 14);
        assert!(back.clock.is_overdue(T0 + 34 * DAY + 1));
        assert_eq!(back.clock.days_left(T0 + 36 * DAY), -2);
    }

    #[test]
    fn one_extension_of_thirty_days_with_a_reason() {
        let c = Case::new(7, T0).apply(&Action::Claim, WORKER, T0).unwrap();
        let blank = Action::Extend {
            reason: "  ".into(),
        };
        assert_eq!(
            c.apply(&blank, SUPERVISOR, T0),
            Err(TransitionError::ReasonRequired)
        );
        let ext = Action::Extend {
            reason: "records held by another insurer".into(),
        };
        assert_eq!(
            c.apply(&ext, WORKER, T0),
            Err(TransitionError::NotAllowedForRole)
        );
        let c = c.apply(&ext, SUPERVISOR, T0 + 25 * DAY).unwrap();
        assert_eq!(c.clock.due_at(T0 + 25 * DAY), T0 + 60 * DAY);
        assert_eq!(
            c.apply(&ext, SUPERVISOR, T0 + 26 * DAY),
            Err(TransitionError::AlreadyExtended)
        );
    }
}
