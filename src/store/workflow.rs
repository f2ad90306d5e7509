//! Storage of the correction workflow: reports, their items and events, internal notes, notices
//! and the access log. A report is created, and every transition applied, in one transaction
//! together with its timeline event, its notices, its audit entry and (on approval) the change
//! to the links, so none of them is ever stored without the others.

use super::audit::NewAudit;
use super::{Db, StoreResult};
use crate::on_db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub reference: String,
    pub reporter_id: i64,
    pub institution_id: i64,
    pub institution_name_ja: String,
    pub institution_name_en: String,
    pub category: String,
    pub kind: String,
    pub note: String,
    pub status: String,
    pub verdict: String,
    pub verdict_reasons: String,
    pub verdict_evidence: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub proposer_id: Option<i64>,
    pub approver_id: Option<i64>,
    pub outcome: Option<String>,
    pub outcome_target_id: Option<i64>,
    pub outcome_reason: Option<String>,
    pub filed_by_staff_id: Option<i64>,
    pub submitted_at: i64,
    pub paused_secs: i64,
    pub paused_since: Option<i64>,
    pub extended: i64,
    pub decided_at: Option<i64>,
    pub version: i64,
}

const REPORT_COLUMNS: &str = "r.id, r.reference, r.reporter_id, r.institution_id, \
    n.name_ja AS institution_name_ja, n.name_en AS institution_name_en, r.category, r.kind, \
    r.note, r.status, r.verdict, r.verdict_reasons, r.verdict_evidence, r.assignee_id, s.display_name AS assignee_name, \
    r.proposer_id, r.approver_id, r.outcome, r.outcome_target_id, r.outcome_reason, \
    r.filed_by_staff_id, r.submitted_at, r.paused_secs, r.paused_since, r.extended, r.decided_at, \
    r.version \
    FROM reports r JOIN institutions n ON n.id = r.institution_id \
    LEFT JOIN staff s ON s.id = r.assignee_id";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub at: i64,
    pub kind: String,
    pub actor_role: String,
    pub resident_visible: i64,
    pub message: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    pub at: i64,
    pub author: String,
    pub kind: String,
    pub body: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoticeRow {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub reference: Option<String>,
    pub params: String,
    pub read_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccessRow {
    pub at: i64,
    pub organisation_ja: Option<String>,
    pub organisation_en: Option<String>,
    pub role: String,
    pub purpose: String,
    pub reference: Option<String>,
}

/// A timeline event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub actor_role: &'a str,
    pub actor_id: i64,
    pub resident_visible: bool,
    pub message: Option<&'a str>,
}

/// A notice for a resident's inbox. `params` are `key=value` lines.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub resident_id: i64,
    pub kind: &'static str,
    pub params: String,
}

/// A staff-only note to append.
#[derive(Debug, Clone)]
pub struct NewNote<'a> {
    pub staff_id: i64,
    pub kind: &'a str,
    pub body: &'a str,
}

/// A new report with its items.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub reference: &'a str,
    pub reporter_id: i64,
    pub institution_id: i64,
    pub category: &'a str,
    pub kind: &'a str,
    pub note: &'a str,
    pub verdict: &'a str,
    pub verdict_reasons: &'a str,
    /// The engine's evidence as JSON (the item the verdict came from).
    pub verdict_evidence: Option<&'a str>,
    pub filed_by_staff_id: Option<i64>,
    pub items: &'a [i64],
}

/// The change to the links an approval applies.
#[derive(Debug, Clone, Copy)]
pub enum LinkChange {
    /// Move the report's items from the reporter to `to`.
    Relink { to: i64 },
    /// Take the report's items off the reporter's number.
    Unlink,
    /// Overwrite the items' snapshots with the reporter's register entry.
    CorrectDetails,
}

/// A transition of one report: its new state, written only if nobody changed the report since
/// `expected_version` was read.
#[derive(Debug, Clone)]
pub struct Transition<'a> {
    pub report_id: i64,
    pub reporter_id: i64,
    pub expected_version: i64,
    pub at: i64,
    pub status: &'a str,
    pub assignee_id: Option<i64>,
    pub proposer_id: Option<i64>,
    pub approver_id: Option<i64>,
    pub paused_secs: i64,
    pub paused_since: Option<i64>,
    pub extended: bool,
    pub outcome: Option<&'a str>,
    pub outcome_target_id: Option<i64>,
    pub outcome_reason: Option<&'a str>,
    pub decided_at: Option<i64>,
    pub event: Option<NewEvent<'a>>,
    pub note: Option<NewNote<'a>>,
    pub notices: Vec<NewNotice>,
    pub link_change: Option<LinkChange>,
    pub audit: NewAudit<'a>,
}

/// An open report naming the item, if any (decided and withdrawn reports do not count).
const OPEN_REPORT_OF_ITEM: &str =
    "SELECT r.id FROM report_items ri JOIN reports r ON r.id = ri.report_id \
     WHERE ri.item_id = $1 AND r.status NOT IN ('closed', 'withdrawn', 'impact_review') LIMIT 1";

impl Db {
    /// How many of the resident's notices are unread.
    pub async fn unread_notices(&self, resident_id: i64) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM notices WHERE resident_id = $1 AND read_at IS NULL";
        on_db!(self, |p| sqlx::query_scalar::<_, i64>(sql)
            .bind(resident_id)
            .fetch_one(p)
            .await)
    }

    /// Stores a new report, its items, its first event, a notice and the audit entry, together.
    /// Returns the report's id, or `None` (nothing stored) when one of the items is already named
    /// in an open report. `r.items` must be sorted, so that concurrent reports lock in one order.
    pub async fn create_report(
        &self,
        r: &NewReport<'_>,
        at: i64,
        event: &NewEvent<'_>,
        notice: &NewNotice,
        audit: &NewAudit<'_>,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            // Lock the disputed items first: a no-op UPDATE takes the row lock on PostgreSQL and
            // the write lock on SQLite, so of two reports on one item filed at once, the second
            // waits and then sees the first.
            for item in r.items {
                sqlx::query("UPDATE linked_items SET updated_at = updated_at WHERE id = $1")
                    .bind(item)
                    .execute(&mut *tx)
                    .await?;
            }
            for item in r.items {
                let open: Option<i64> = sqlx::query_scalar(OPEN_REPORT_OF_ITEM)
                    .bind(item)
                    .fetch_optional(&mut *tx)
                    .await?;
                if open.is_some() {
                    tx.rollback().await?;
                    return Ok(None);
                }
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO reports (reference, reporter_id, institution_id, category, kind, note, \
                 status, verdict, verdict_reasons, verdict_evidence, filed_by_staff_id, \
                 submitted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(r.reference)
            .bind(r.reporter_id)
            .bind(r.institution_id)
            .bind(r.category)
            .bind(r.kind)
            .bind(r.note)
            .bind(r.verdict)
            .bind(r.verdict_reasons)
            .bind(r.verdict_evidence)
            .bind(r.filed_by_staff_id)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            for item in r.items {
                sqlx::query("INSERT INTO report_items (report_id, item_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(item)
                    .execute(&mut *tx)
                    .await?;
            }
            insert_event!(&mut *tx, id, at, event);
            insert_notice!(&mut *tx, notice, r.reference, at);
            crate::append_audit_in!(&mut *tx, audit);
            tx.commit().await?;
            Ok(Some(id))
        })
    }

    /// Applies a transition; `Ok(false)` when the report changed since it was read (nothing is
    /// written then).
    pub async fn apply_transition(&self, t: &Transition<'_>) -> StoreResult<bool> {
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            // The conditional UPDATE comes first: it takes the write lock (SQLite) or the row
            // lock (PostgreSQL), so of two racing transitions exactly one matches the version.
            let changed = sqlx::query(
                "UPDATE reports SET status = $3, assignee_id = $4, proposer_id = $5, \
                 approver_id = $6, paused_secs = $7, paused_since = $8, extended = $9, \
                 outcome = $10, outcome_target_id = $11, outcome_reason = $12, decided_at = $13, \
                 version = version + 1 WHERE id = $1 AND version = $2",
            )
            .bind(t.report_id)
            .bind(t.expected_version)
            .bind(t.status)
            .bind(t.assignee_id)
            .bind(t.proposer_id)
            .bind(t.approver_id)
            .bind(t.paused_secs)
            .bind(t.paused_since)
            .bind(t.extended as i64)
            .bind(t.outcome)
            .bind(t.outcome_target_id)
            .bind(t.outcome_reason)
            .bind(t.decided_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
            let reference: String =
                sqlx::query_scalar("SELECT reference FROM reports WHERE id = $1")
                    .bind(t.report_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let items = "SELECT item_id FROM report_items WHERE report_id = $1";
            match t.link_change {
                Some(LinkChange::Relink { to }) => {
                    sqlx::query(&format!(
                        "UPDATE linked_items SET resident_id = $3, link_method = 'manual', \
                         updated_at = $4 WHERE id IN ({items}) AND resident_id = $2 \
                         AND unlinked_at IS NULL"
                    ))
                    .bind(t.report_id)
                    .bind(t.reporter_id)
                    .bind(to)
                    .bind(t.at)
                    .execute(&mut *tx)
                    .await?;
                }
                Some(LinkChange::Unlink) => {
                    sqlx::query(&format!(
                        "UPDATE linked_items SET unlinked_at = $3, updated_at = $3 \
                         WHERE id IN ({items}) AND resident_id = $2 AND unlinked_at IS NULL"
                    ))
                    .bind(t.report_id)
                    .bind(t.reporter_id)
                    .bind(t.at)
                    .execute(&mut *tx)
                    .await?;
                }
                Some(LinkChange::CorrectDetails) => {
                    sqlx::query(&format!(
                        "UPDATE linked_items SET \
                         snap_name_kanji = (SELECT name_kanji FROM residents WHERE id = $2), \
                         snap_name_kana = (SELECT name_kana FROM residents WHERE id = $2), \
                         snap_birth_date = (SELECT birth_date FROM residents WHERE id = $2), \
                         snap_sex = (SELECT sex FROM residents WHERE id = $2), \
                         snap_address = (SELECT address FROM residents WHERE id = $2), \
                         updated_at = $3 WHERE id IN ({items}) AND resident_id = $2"
                    ))
                    .bind(t.report_id)
                    .bind(t.reporter_id)
                    .bind(t.at)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {}
            }
            if let Some(e) = &t.event {
                insert_event!(&mut *tx, t.report_id, t.at, e);
            }
            if let Some(n) = &t.note {
                sqlx::query(
                    "INSERT INTO internal_notes (report_id, staff_id, at, kind, body) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(t.report_id)
                .bind(n.staff_id)
                .bind(t.at)
                .bind(n.kind)
                .bind(n.body)
                .execute(&mut *tx)
                .await?;
            }
            for n in &t.notices {
                insert_notice!(&mut *tx, n, &reference, t.at);
            }
            crate::append_audit_in!(&mut *tx, &t.audit);
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn report_by_reference(&self, reference: &str) -> StoreResult<Option<ReportRow>> {
        let sql = format!("SELECT {REPORT_COLUMNS} WHERE r.reference = $1");
        on_db!(self, |p| sqlx::query_as(&sql)
            .bind(reference)
            .fetch_optional(p)
            .await)
    }

    /// The reports a resident filed, newest first.
    pub async fn reports_of_resident(&self, resident_id: i64) -> StoreResult<Vec<ReportRow>> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} WHERE r.reporter_id = $1 ORDER BY r.submitted_at DESC, r.id DESC"
        );
        on_db!(self, |p| sqlx::query_as(&sql)
            .bind(resident_id)
            .fetch_all(p)
            .await)
    }

    /// A queue: the reports of one institution (or of all, for supervisors), filtered by status
    /// and category in SQL; at most `limit` rows, oldest first (the service sorts by due date).
    pub async fn queue(
        &self,
        institution_id: Option<i64>,
        status: Option<&str>,
        category: Option<&str>,
        verdict: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<ReportRow>> {
        // One institution's queue names it with a plain equality, so both planners take the
        // reports_queue index; `$1 IS NULL OR r.institution_id = $1` made them scan every report
        // in the country for each caseworker's page (bench/explain.sh).
        let institution = if institution_id.is_some() {
            "r.institution_id = $1"
        } else {
            "$1 IS NULL"
        };
        let sql = format!(
            "SELECT {REPORT_COLUMNS} WHERE {institution} \
             AND ($2 IS NULL OR r.status = $2) AND ($3 IS NULL OR r.category = $3) \
             AND ($4 IS NULL OR r.verdict = $4) \
             ORDER BY r.submitted_at, r.id LIMIT $5"
        );
        on_db!(self, |p| sqlx::query_as(&sql)
            .bind(institution_id)
            .bind(status)
            .bind(category)
            .bind(verdict)
            .bind(limit)
            .fetch_all(p)
            .await)
    }

    pub async fn report_events(&self, report_id: i64) -> StoreResult<Vec<EventRow>> {
        let sql = "SELECT at, kind, actor_role, resident_visible, message FROM report_events \
                   WHERE report_id = $1 ORDER BY id";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(report_id)
            .fetch_all(p)
            .await)
    }

    /// Internal notes of a case (staff only), oldest first; `kind` restricts to one kind.
    pub async fn internal_notes(
        &self,
        report_id: i64,
        kind: Option<&str>,
    ) -> StoreResult<Vec<NoteRow>> {
        let sql = "SELECT n.at, s.display_name AS author, n.kind, n.body FROM internal_notes n \
                   JOIN staff s ON s.id = n.staff_id WHERE n.report_id = $1 \
                   AND ($2 IS NULL OR n.kind = $2) ORDER BY n.id";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(report_id)
            .bind(kind)
            .fetch_all(p)
            .await)
    }

    pub async fn notices_of(&self, resident_id: i64) -> StoreResult<Vec<NoticeRow>> {
        let sql = "SELECT id, at, kind, reference, params, read_at FROM notices \
                   WHERE resident_id = $1 ORDER BY id DESC LIMIT 200";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(resident_id)
            .fetch_all(p)
            .await)
    }

    /// Marks one notice, or all, of a resident as read.
    pub async fn mark_notices_read(
        &self,
        resident_id: i64,
        id: Option<i64>,
        now: i64,
    ) -> StoreResult<()> {
        let sql = "UPDATE notices SET read_at = $3 WHERE resident_id = $1 \
                   AND ($2 IS NULL OR id = $2) AND read_at IS NULL";
        on_db!(self, |p| sqlx::query(sql)
            .bind(resident_id)
            .bind(id)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ()))
    }

    /// Records staff reads of residents' data and their audit entry, together.
    #[expect(
        clippy::too_many_arguments,
        reason = "each argument is one column or one part of the step; a struct would only rename them"
    )]
    pub async fn log_access(
        &self,
        residents: &[i64],
        item_id: Option<i64>,
        staff_id: i64,
        institution_id: Option<i64>,
        role: &str,
        purpose: &str,
        report_id: Option<i64>,
        at: i64,
        audit: &NewAudit<'_>,
    ) -> StoreResult<()> {
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            // The audit append comes first: it takes the write lock before anything is read.
            crate::append_audit_in!(&mut *tx, audit);
            for resident in residents {
                sqlx::query(
                    "INSERT INTO access_log (resident_id, item_id, staff_id, institution_id, role, \
                     purpose, report_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(resident)
                .bind(item_id)
                .bind(staff_id)
                .bind(institution_id)
                .bind(role)
                .bind(purpose)
                .bind(report_id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Staff accesses to a resident's data, newest first, without staff names. The case is named
    /// only when it is the resident's own report (someone else's report that led staff to this
    /// resident, as in a relink search, stays unnamed).
    pub async fn access_of_resident(&self, resident_id: i64) -> StoreResult<Vec<AccessRow>> {
        let sql =
            "SELECT a.at, n.name_ja AS organisation_ja, n.name_en AS organisation_en, a.role, \
                   a.purpose, CASE WHEN r.reporter_id = a.resident_id THEN r.reference END \
                   AS reference FROM access_log a \
                   LEFT JOIN institutions n ON n.id = a.institution_id \
                   LEFT JOIN reports r ON r.id = a.report_id \
                   WHERE a.resident_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT 500";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(resident_id)
            .fetch_all(p)
            .await)
    }

    /// Staff accesses to a resident's data in `[from, to]` that concerned the given report or
    /// one of its items: who could have seen the items while they were wrongly linked.
    pub async fn access_during(
        &self,
        resident_id: i64,
        report_id: i64,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<AccessRow>> {
        let sql =
            "SELECT a.at, n.name_ja AS organisation_ja, n.name_en AS organisation_en, a.role, \
                   a.purpose, r.reference FROM access_log a \
                   LEFT JOIN institutions n ON n.id = a.institution_id \
                   LEFT JOIN reports r ON r.id = a.report_id \
                   WHERE a.resident_id = $1 AND a.at BETWEEN $3 AND $4 \
                   AND (a.report_id = $2 OR a.item_id IN \
                        (SELECT item_id FROM report_items WHERE report_id = $2)) \
                   ORDER BY a.at, a.id";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(resident_id)
            .bind(report_id)
            .bind(from)
            .bind(to)
            .fetch_all(p)
            .await)
    }

    /// The register search for a relink: exact birth date (the block), then name and the other
    /// criteria compared by the service after normalization. At most `limit` candidates.
    pub async fn residents_born_on(
        &self,
        birth_date: &str,
        limit: i64,
    ) -> StoreResult<Vec<super::residents::ResidentRow>> {
        let sql = "SELECT id, my_number_last4, resident_code, name_kanji, name_kana, birth_date, \
                   sex, address, municipality_code, household_id, relationship FROM residents \
                   WHERE birth_date = $1 ORDER BY id LIMIT $2";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(birth_date)
            .bind(limit)
            .fetch_all(p)
            .await)
    }

    /// Everyone born on any of these dates (`YYYY-MM-DD`), with no cap: the register search
    /// weighs them all.
    pub async fn residents_born_on_any(
        &self,
        birth_dates: &[String],
    ) -> StoreResult<Vec<super::residents::ResidentRow>> {
        let sql = "SELECT id, my_number_last4, resident_code, name_kanji, name_kana, birth_date, \
                   sex, address, municipality_code, household_id, relationship FROM residents \
                   WHERE birth_date = $1 ORDER BY id";
        let mut out = Vec::new();
        for d in birth_dates {
            let rows: Vec<super::residents::ResidentRow> =
                on_db!(self, |p| sqlx::query_as(sql).bind(d).fetch_all(p).await)?;
            out.extend(rows);
        }
        out.sort_by_key(|r| r.id);
        out.dedup_by_key(|r| r.id);
        Ok(out)
    }

    /// The first institution of a kind (`pension`, `digital_agency`).
    pub async fn institution_of_kind(&self, kind: &str) -> StoreResult<Option<i64>> {
        let sql = "SELECT id FROM institutions WHERE kind = $1 ORDER BY id LIMIT 1";
        on_db!(self, |p| sqlx::query_scalar(sql)
            .bind(kind)
            .fetch_optional(p)
            .await)
    }

    /// An institution's names (Japanese, English).
    pub async fn institution_names(&self, id: i64) -> StoreResult<Option<(String, String)>> {
        let sql = "SELECT name_ja, name_en FROM institutions WHERE id = $1";
        on_db!(self, |p| sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(p)
            .await)
    }

    /// The institution that linked an item.
    pub async fn institution_of_item(&self, item_id: i64) -> StoreResult<Option<i64>> {
        let sql = "SELECT institution_id FROM linked_items WHERE id = $1";
        on_db!(self, |p| sqlx::query_scalar(sql)
            .bind(item_id)
            .fetch_optional(p)
            .await)
    }

    /// Some institution other than `id` that linked items (for a demo caseworker elsewhere).
    pub async fn another_institution(&self, id: i64) -> StoreResult<Option<i64>> {
        let sql = "SELECT institution_id FROM linked_items WHERE institution_id <> $1 \
                   ORDER BY id LIMIT 1";
        on_db!(self, |p| sqlx::query_scalar(sql)
            .bind(id)
            .fetch_optional(p)
            .await)
    }

    /// A staff member's display name.
    pub async fn staff_name(&self, id: i64) -> StoreResult<Option<String>> {
        let sql = "SELECT display_name FROM staff WHERE id = $1";
        on_db!(self, |p| sqlx::query_scalar(sql)
            .bind(id)
            .fetch_optional(p)
            .await)
    }

    /// The institution whose code is `code` (a municipality by its local government code).
    pub async fn institution_by_code(&self, code: &str) -> StoreResult<Option<i64>> {
        let sql = "SELECT id FROM institutions WHERE code = $1";
        on_db!(self, |p| sqlx::query_scalar(sql)
            .bind(code)
            .fetch_optional(p)
            .await)
    }
}

/// Inserts a timeline event on a transaction's connection.
macro_rules! insert_event {
    ($conn:expr, $report:expr, $at:expr, $e:expr) => {{
        let e: &NewEvent<'_> = $e;
        sqlx::query(
            "INSERT INTO report_events (report_id, at, kind, actor_role, actor_id, \
             resident_visible, message) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($report)
        .bind($at)
        .bind(e.kind)
        .bind(e.actor_role)
        .bind(e.actor_id)
        .bind(e.resident_visible as i64)
        .bind(e.message)
        .execute(&mut *$conn)
        .await?;
    }};
}
use insert_event;

/// Inserts a notice on a transaction's connection.
macro_rules! insert_notice {
    ($conn:expr, $n:expr, $reference:expr, $at:expr) => {{
        let n: &NewNotice = $n;
        sqlx::query(
            "INSERT INTO notices (resident_id, at, kind, reference, params) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(n.resident_id)
        .bind($at)
        .bind(n.kind)
        .bind($reference)
        .bind(&n.params)
        .execute(&mut *$conn)
        .await?;
    }};
}
use insert_notice;
