//! Case work: the queue, the case page, the register search, and what each step would show.

use super::*;

impl Workflow {
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
                let deadline = Deadline::of(&case_of(r)?.clock, now);
                Ok(QueueRow {
                    reference: display_ref(&r.reference),
                    category: category_of(r)?,
                    kind: kind_of(r)?,
                    status: status_of(r)?,
                    verdict: verdict_of(r)?,
                    submitted_at: r.submitted_at,
                    deadline,
                    assignee_name: r.assignee_name.clone(),
                    mine: r.assignee_id == Some(me.staff_id),
                    institution_name_ja: r.institution_name_ja.clone(),
                    institution_name_en: r.institution_name_en.clone(),
                })
            })
            .collect::<WfResult<Vec<QueueRow>>>()?
            .into_iter()
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
    pub(super) fn actions_for(
        me: &StaffSession,
        row: &ReportRow,
        now: i64,
    ) -> WfResult<Vec<String>> {
        let case = case_of(row)?;
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
        Ok(out.into_iter().map(String::from).collect())
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
        let status = status_of(&row)?;
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
        let notes = self.internal_notes(row.id, None).await?;
        Ok(CaseView {
            me: self.me_view(me).await?,
            reference: display_ref(&row.reference),
            status,
            kind: kind_of(&row)?,
            category: category_of(&row)?,
            institution_name_ja: row.institution_name_ja.clone(),
            institution_name_en: row.institution_name_en.clone(),
            note: row.note.clone(),
            filed_by_helpdesk: row.filed_by_staff_id.is_some(),
            reporter: person(&reporter),
            items: case_items,
            precheck: PreCheck {
                verdict: verdict_of(&row)?,
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
            deadline: Deadline::of(&case_of(&row)?.clock, now),
            submitted_at: row.submitted_at,
            assignee_name: row.assignee_name.clone(),
            actions: Self::actions_for(me, &row, now)?,
            colleagues,
            impact,
        })
    }

    /// Staff accesses that concerned the items while they were wrongly linked.
    pub(super) async fn impact(
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
        self.db
            .access_during(row.reporter_id, row.id, from, until)
            .await?
            .into_iter()
            .map(|a| {
                Ok(ImpactEntry {
                    at: a.at,
                    organisation_ja: a.organisation_ja.unwrap_or_default(),
                    organisation_en: a.organisation_en.unwrap_or_default(),
                    role: role_of(&a.role)?,
                    purpose: a.purpose,
                })
            })
            .collect()
    }

    /// The reporter's register entry for a staff member reading a case, the read logged first
    /// with its purpose.
    pub(super) async fn read_reporter(
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
        let engine = self.partial_engine(builder).await?;
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
}
