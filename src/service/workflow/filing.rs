//! Filing a report: by a resident, by the helpdesk for a caller, or from an integrity finding.

use super::*;

impl Workflow {
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

    pub(super) async fn create(
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
}
