-- The codes stored for reports and staff are the ones the code knows (issue 13): a bad code is
-- refused when written, never read back as a silent default. Keep in step with domain::workflow
-- (Status), domain::reports (ReportKind, Verdict, Outcome, StaffRole) and domain::category.

ALTER TABLE reports ADD CONSTRAINT reports_status_code CHECK (status IN ('submitted', 'investigating', 'awaiting_resident', 'proposed', 'impact_review', 'closed', 'withdrawn'));
ALTER TABLE reports ADD CONSTRAINT reports_kind_code CHECK (kind IN ('not_mine', 'details_wrong', 'outdated', 'missing'));
ALTER TABLE reports ADD CONSTRAINT reports_category_code CHECK (category IN ('resident', 'tax', 'health_insurance', 'pension', 'disability', 'public_fund_account'));
ALTER TABLE reports ADD CONSTRAINT reports_verdict_code CHECK (verdict IN ('likely_another_person', 'likely_outdated', 'needs_review', 'consistent'));
ALTER TABLE reports ADD CONSTRAINT reports_outcome_code CHECK (outcome IS NULL OR outcome IN ('relink', 'unlink', 'correct_details', 'no_error'));
ALTER TABLE staff ADD CONSTRAINT staff_role_code CHECK (role IN ('helpdesk', 'caseworker', 'supervisor', 'administrator'));
