//! The helpdesk: a caller's case by reference number (masked), notes, and filing for a caller.

use super::*;

impl Workflow {
    pub(super) fn helpdesk_only(me: &StaffSession) -> WfResult<()> {
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
            status: status_of(&row)?,
            kind: kind_of(&row)?,
            category: category_of(&row)?,
            institution_name_ja: row.institution_name_ja.clone(),
            institution_name_en: row.institution_name_en.clone(),
            submitted_at: row.submitted_at,
            deadline: Deadline::of(&case_of(&row)?.clock, now),
            reporter_name_masked: mask_name(&reporter.name_kanji),
            my_number_masked: mask_last4(&reporter.my_number_last4),
            items: items.iter().map(brief).collect(),
            timeline: timeline(self.db.report_events(row.id).await?, true),
            call_notes: self.internal_notes(row.id, Some("call")).await?,
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
            &case_of(&row)?,
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
