//! Staff actions on a case: claim, note, question, proposals, approval and return, extension,
//! each checked by the domain's state machine and written in one transaction.

use super::*;

impl Workflow {
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
        let case = case_of(&row)?;
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
                        (
                            "category",
                            format!("key:{}", category_of(&row)?.label_key()),
                        ),
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
}
