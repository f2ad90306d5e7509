-- The codes stored for reports and staff are the ones the code knows (issue 13): a bad code is
-- refused when written, never read back as a silent default. Keep in step with domain::workflow
-- (Status), domain::reports (ReportKind, Verdict, Outcome, StaffRole) and domain::category.
-- SQLite cannot add a CHECK to an existing table; triggers refuse the same writes.

CREATE TRIGGER reports_codes_insert BEFORE INSERT ON reports
WHEN NEW.status NOT IN ('submitted', 'investigating', 'awaiting_resident', 'proposed', 'impact_review', 'closed', 'withdrawn')
        OR NEW.kind NOT IN ('not_mine', 'details_wrong', 'outdated', 'missing')
        OR NEW.category NOT IN ('resident', 'tax', 'health_insurance', 'pension', 'disability', 'public_fund_account')
        OR NEW.verdict NOT IN ('likely_another_person', 'likely_outdated', 'needs_review', 'consistent')
        OR (NEW.outcome IS NOT NULL AND NEW.outcome NOT IN ('relink', 'unlink', 'correct_details', 'no_error'))
BEGIN
    SELECT RAISE(ABORT, 'reports: unknown status, kind, category, verdict or outcome code');
END;

CREATE TRIGGER reports_codes_update BEFORE UPDATE ON reports
WHEN NEW.status NOT IN ('submitted', 'investigating', 'awaiting_resident', 'proposed', 'impact_review', 'closed', 'withdrawn')
        OR NEW.kind NOT IN ('not_mine', 'details_wrong', 'outdated', 'missing')
        OR NEW.category NOT IN ('resident', 'tax', 'health_insurance', 'pension', 'disability', 'public_fund_account')
        OR NEW.verdict NOT IN ('likely_another_person', 'likely_outdated', 'needs_review', 'consistent')
        OR (NEW.outcome IS NOT NULL AND NEW.outcome NOT IN ('relink', 'unlink', 'correct_details', 'no_error'))
BEGIN
    SELECT RAISE(ABORT, 'reports: unknown status, kind, category, verdict or outcome code');
END;

CREATE TRIGGER staff_role_insert BEFORE INSERT ON staff
WHEN NEW.role NOT IN ('helpdesk', 'caseworker', 'supervisor', 'administrator')
BEGIN
    SELECT RAISE(ABORT, 'staff: unknown role');
END;

CREATE TRIGGER staff_role_update BEFORE UPDATE ON staff
WHEN NEW.role NOT IN ('helpdesk', 'caseworker', 'supervisor', 'administrator')
BEGIN
    SELECT RAISE(ABORT, 'staff: unknown role');
END;
