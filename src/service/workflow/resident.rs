//! What residents do and see of their reports: the list, one report, answering the
//! caseworker's question, withdrawing, notices and the log of who viewed their data.

use super::*;

impl Workflow {
    pub async fn my_reports(&self, resident: i64) -> WfResult<Vec<MyReportSummary>> {
        let now = self.now();
        self.db
            .reports_of_resident(resident)
            .await?
            .iter()
            .map(|r| self.summary(r, now))
            .collect()
    }

    /// One of the resident's own reports; another's answers NotFound, like an unknown one.
    pub async fn my_report(&self, resident: i64, reference: &str) -> WfResult<MyReportView> {
        let row = self.row(reference).await?;
        if row.reporter_id != resident {
            return Err(WorkflowError::NotFound);
        }
        let now = self.now();
        let status = status_of(&row)?;
        let items = self.db.items_of_report(row.id).await?;
        let events = self.db.report_events(row.id).await?;
        let decided = matches!(status, Status::ImpactReview | Status::Closed);
        Ok(MyReportView {
            summary: self.summary(&row, now)?,
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
    pub(super) async fn resident_step(
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
        let next = case_of(&row)?.apply(&action, actor, now)?;
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
        self.db
            .access_of_resident(resident)
            .await?
            .into_iter()
            .map(|a| {
                Ok(AccessEntry {
                    at: a.at,
                    organisation_ja: a.organisation_ja.unwrap_or_default(),
                    organisation_en: a.organisation_en.unwrap_or_default(),
                    role: role_of(&a.role)?,
                    purpose: a.purpose,
                    reference: a.reference.as_deref().map(display_ref),
                })
            })
            .collect()
    }
}
