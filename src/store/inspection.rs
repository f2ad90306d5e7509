//! Storage of the integrity scan: background jobs with leases, the register and the items read in
//! batches for a scan, findings, and register changes.

use super::audit::NewAudit;
use super::{Db, StoreResult};
use crate::on_db;

/// A job as the runner and the overview read it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub requested_by: Option<i64>,
    pub requested_by_name: Option<String>,
    pub progress_done: i64,
    pub progress_total: i64,
    pub worker: Option<String>,
    pub attempts: i64,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub error: Option<String>,
}

const JOB_COLUMNS: &str =
    "j.id, j.kind, j.status, j.requested_by, s.display_name AS requested_by_name, \
     j.progress_done, j.progress_total, j.worker, j.attempts, j.created_at, j.started_at, \
     j.finished_at, j.error";

/// A register row for the scan.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegisterScanRow {
    pub id: i64,
    pub name_kanji: String,
    pub name_kana: String,
    pub birth_date: String,
    pub sex: String,
    pub address: String,
    pub household_id: i64,
    pub deceased: bool,
}

impl RegisterScanRow {
    /// The register's identity of the person.
    pub fn identity(&self) -> crate::domain::matching::Identity {
        crate::domain::matching::Identity {
            name_kanji: Some(self.name_kanji.clone()),
            name_kana: Some(self.name_kana.clone()),
            birth_date: Some(self.birth_date.clone()),
            sex: Some(self.sex.clone()),
            address: Some(self.address.clone()),
        }
    }
}

const REGISTER_COLUMNS: &str =
    "id, name_kanji, name_kana, birth_date, sex, address, household_id, \
     (deceased_on IS NOT NULL) AS deceased";

/// A linked item for the scan: its snapshot and where it came from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScanItemRow {
    pub id: i64,
    pub resident_id: i64,
    pub institution_id: i64,
    pub category: String,
    pub snap_name_kanji: Option<String>,
    pub snap_name_kana: Option<String>,
    pub snap_birth_date: Option<String>,
    pub snap_sex: Option<String>,
    pub snap_address: Option<String>,
}

const SCAN_ITEM_COLUMNS: &str = "i.id, i.resident_id, i.institution_id, i.category, \
     i.snap_name_kanji, i.snap_name_kana, i.snap_birth_date, i.snap_sex, i.snap_address";

/// The source records that identify an item on their own: an insurance card (insurer, symbol,
/// number, branch), a disability certificate (issuer and number), a bank account. One query per
/// detail table, each read in item order along its primary key (`i.id > $1` as well, or
/// PostgreSQL merge-joins from the first item every time).
const SOURCE_KEYS: [&str; 3] = [
    "SELECT d.item_id, i.resident_id, \
     'h/' || d.insurer_number || '/' || d.symbol || '/' || d.number || '/' || d.branch \
     FROM item_health_insurance d JOIN linked_items i ON i.id = d.item_id \
     WHERE d.item_id > $1 AND i.id > $1 AND i.unlinked_at IS NULL ORDER BY d.item_id LIMIT $2",
    "SELECT d.item_id, i.resident_id, 'd/' || i.institution_id || '/' || d.certificate_number \
     FROM item_disability d JOIN linked_items i ON i.id = d.item_id \
     WHERE d.item_id > $1 AND i.id > $1 AND i.unlinked_at IS NULL ORDER BY d.item_id LIMIT $2",
    "SELECT d.item_id, i.resident_id, \
     'b/' || d.bank_code || '/' || d.branch_code || '/' || d.account_number \
     FROM item_bank_account d JOIN linked_items i ON i.id = d.item_id \
     WHERE d.item_id > $1 AND i.id > $1 AND i.unlinked_at IS NULL ORDER BY d.item_id LIMIT $2",
];

/// How many kinds of source record [`Db::source_keys_batch`] reads.
pub const SOURCE_KINDS: usize = SOURCE_KEYS.len();

/// A finding to store.
#[derive(Debug, Clone)]
pub struct NewFinding {
    pub item_id: i64,
    pub resident_id: i64,
    pub institution_id: i64,
    pub category: String,
    pub score: f64,
    pub verdict: &'static str,
    pub reasons: String,
    pub suggested_resident_id: Option<i64>,
    /// The engine's evidence as JSON.
    pub evidence: String,
}

/// A stored finding with what its lists show.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FindingRecord {
    pub id: i64,
    pub job_id: Option<i64>,
    pub source: String,
    pub item_id: i64,
    pub resident_id: i64,
    pub institution_id: i64,
    pub category: String,
    pub score: f64,
    pub verdict: String,
    pub reasons: String,
    pub suggested_resident_id: Option<i64>,
    pub evidence: Option<String>,
    pub created_at: i64,
    pub institution_name_ja: String,
    pub institution_name_en: String,
    pub my_number_last4: String,
    pub case_reference: Option<String>,
}

const FINDING_SELECT: &str = "SELECT f.id, f.job_id, f.source, f.item_id, f.resident_id, \
     f.institution_id, f.category, f.score, f.verdict, f.reasons, f.suggested_resident_id, \
     f.evidence, f.created_at, n.name_ja AS institution_name_ja, n.name_en AS institution_name_en, \
     r.my_number_last4, \
     (SELECT rp.reference FROM report_items ri JOIN reports rp ON rp.id = ri.report_id \
      WHERE ri.item_id = f.item_id ORDER BY rp.id DESC LIMIT 1) AS case_reference \
     FROM findings f JOIN institutions n ON n.id = f.institution_id \
     JOIN residents r ON r.id = f.resident_id";

/// Findings of one institution and category in a run.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CountRecord {
    pub institution_id: i64,
    pub institution_name_ja: String,
    pub institution_name_en: String,
    pub category: String,
    pub wrong_person: i64,
    pub needs_review: i64,
}

/// Which findings of a run to list. `institution` 0 means every institution.
#[derive(Debug, Clone, Default)]
pub struct FindingQuery<'a> {
    pub institution: i64,
    pub category: &'a str,
    pub verdict: &'a str,
}

const FINDING_FILTER: &str = "f.job_id = $1 AND ($2 = 0 OR f.institution_id = $2) \
     AND ($3 = '' OR f.category = $3) AND ($4 = '' OR f.verdict = $4)";

/// A change to a register entry (a move, a new name, a death).
#[derive(Debug, Clone, Default)]
pub struct RegisterChange {
    pub address: Option<String>,
    pub name_kanji: Option<String>,
    pub name_kana: Option<String>,
    pub deceased_on: Option<String>,
}

/// Inserts findings on a connection inside the caller's transaction. A finding already stored for
/// the item in the same run is kept (a resumed run writes the same batch again); re-check findings
/// have no run, and NULLs never conflict.
macro_rules! insert_findings_in {
    ($conn:expr, $job_id:expr, $source:expr, $findings:expr, $at:expr) => {
        for f in $findings {
            sqlx::query(
                "INSERT INTO findings (job_id, source, item_id, resident_id, institution_id, \
                 category, score, verdict, reasons, suggested_resident_id, evidence, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (job_id, item_id) DO NOTHING",
            )
            .bind($job_id)
            .bind($source)
            .bind(f.item_id)
            .bind(f.resident_id)
            .bind(f.institution_id)
            .bind(&f.category)
            .bind(f.score)
            .bind(f.verdict)
            .bind(&f.reasons)
            .bind(f.suggested_resident_id)
            .bind(&f.evidence)
            .bind($at)
            .execute($conn)
            .await?;
        }
    };
}

impl Db {
    // ----- jobs -----

    /// Queues a job of `kind`, or returns the one already queued or running: `(id, created)`.
    pub async fn enqueue_job(
        &self,
        kind: &str,
        requested_by: Option<i64>,
        at: i64,
    ) -> StoreResult<(i64, bool)> {
        let inserted: StoreResult<i64> = on_db!(self, |p| sqlx::query_scalar(
            "INSERT INTO jobs (kind, status, requested_by, created_at) \
             VALUES ($1, 'queued', $2, $3) RETURNING id"
        )
        .bind(kind)
        .bind(requested_by)
        .bind(at)
        .fetch_one(p)
        .await);
        match inserted {
            Ok(id) => Ok((id, true)),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                let id: i64 = on_db!(self, |p| sqlx::query_scalar(
                    "SELECT id FROM jobs WHERE kind = $1 AND status IN ('queued', 'running') \
                     ORDER BY id DESC LIMIT 1"
                )
                .bind(kind)
                .fetch_one(p)
                .await)?;
                Ok((id, false))
            }
            Err(e) => Err(e),
        }
    }

    /// Claims the oldest queued job of `kind`, or a running one whose worker stopped renewing
    /// its lease. Exactly one of several servers racing for a job gets it.
    pub async fn claim_job(
        &self,
        kind: &str,
        worker: &str,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<Option<JobRow>> {
        let candidate: Option<i64> = on_db!(self, |p| sqlx::query_scalar(
            "SELECT id FROM jobs WHERE kind = $1 \
             AND (status = 'queued' OR (status = 'running' AND lease_until < $2)) \
             ORDER BY id LIMIT 1"
        )
        .bind(kind)
        .bind(now)
        .fetch_optional(p)
        .await)?;
        let Some(id) = candidate else {
            return Ok(None);
        };
        let claimed = on_db!(self, |p| sqlx::query(
            "UPDATE jobs SET status = 'running', worker = $2, lease_until = $3, \
             attempts = attempts + 1, started_at = COALESCE(started_at, $4) \
             WHERE id = $1 AND (status = 'queued' OR (status = 'running' AND lease_until < $4))"
        )
        .bind(id)
        .bind(worker)
        .bind(lease_until)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        if claimed != 1 {
            return Ok(None);
        }
        self.job(id).await
    }

    /// Records progress and renews the lease; `false` when this worker no longer holds the job.
    pub async fn job_progress(
        &self,
        id: i64,
        worker: &str,
        done: i64,
        total: i64,
        lease_until: i64,
    ) -> StoreResult<bool> {
        let n = on_db!(self, |p| sqlx::query(
            "UPDATE jobs SET progress_done = $3, progress_total = $4, lease_until = $5 \
             WHERE id = $1 AND worker = $2 AND status = 'running'"
        )
        .bind(id)
        .bind(worker)
        .bind(done)
        .bind(total)
        .bind(lease_until)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Keeps the model a running job trained (JSON), for the pre-check and re-verification once
    /// the job is done.
    pub async fn save_job_model(&self, id: i64, worker: &str, model: &str) -> StoreResult<bool> {
        let n = on_db!(self, |p| sqlx::query(
            "UPDATE jobs SET model = $3 WHERE id = $1 AND worker = $2 AND status = 'running'"
        )
        .bind(id)
        .bind(worker)
        .bind(model)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// The model of the latest finished scan of `kind` that trained one, with its job id.
    pub async fn latest_job_model(&self, kind: &str) -> StoreResult<Option<(i64, String)>> {
        on_db!(self, |p| sqlx::query_as::<_, (i64, String)>(
            "SELECT id, model FROM jobs WHERE kind = $1 AND status = 'done' AND model IS NOT NULL \
             ORDER BY id DESC LIMIT 1"
        )
        .bind(kind)
        .fetch_optional(p)
        .await)
    }

    /// Ends a job as done (no error) or failed, with its audit entry.
    pub async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        at: i64,
        error: Option<&str>,
        audit: &NewAudit<'_>,
    ) -> StoreResult<bool> {
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            let n = sqlx::query(
                "UPDATE jobs SET status = $3, finished_at = $4, error = $5, lease_until = NULL \
                 WHERE id = $1 AND worker = $2 AND status = 'running'",
            )
            .bind(id)
            .bind(worker)
            .bind(if error.is_some() { "failed" } else { "done" })
            .bind(at)
            .bind(error)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
            crate::append_audit_in!(&mut *tx, audit);
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn job(&self, id: i64) -> StoreResult<Option<JobRow>> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs j LEFT JOIN staff s ON s.id = j.requested_by \
             WHERE j.id = $1"
        );
        on_db!(self, |p| sqlx::query_as::<_, JobRow>(&sql)
            .bind(id)
            .fetch_optional(p)
            .await)
    }

    /// The newest jobs of a kind.
    pub async fn jobs(&self, kind: &str, limit: i64) -> StoreResult<Vec<JobRow>> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs j LEFT JOIN staff s ON s.id = j.requested_by \
             WHERE j.kind = $1 ORDER BY j.id DESC LIMIT $2"
        );
        on_db!(self, |p| sqlx::query_as::<_, JobRow>(&sql)
            .bind(kind)
            .bind(limit)
            .fetch_all(p)
            .await)
    }

    // ----- what a scan reads -----

    pub async fn count_active_items(&self) -> StoreResult<i64> {
        on_db!(self, |p| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM linked_items WHERE unlinked_at IS NULL"
        )
        .fetch_one(p)
        .await)
    }

    /// Register rows after `after_id`, by id.
    pub async fn register_batch(
        &self,
        after_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<RegisterScanRow>> {
        let sql =
            format!("SELECT {REGISTER_COLUMNS} FROM residents WHERE id > $1 ORDER BY id LIMIT $2");
        on_db!(self, |p| sqlx::query_as::<_, RegisterScanRow>(&sql)
            .bind(after_id)
            .bind(limit)
            .fetch_all(p)
            .await)
    }

    /// The register rows a re-check of one person compares against: the person, their
    /// household, and everyone born on the given dates (all of them, no limit).
    pub async fn register_around(
        &self,
        resident_id: i64,
        birth_dates: &[String],
    ) -> StoreResult<Vec<RegisterScanRow>> {
        let sql = format!(
            "SELECT {REGISTER_COLUMNS} FROM residents WHERE id = $1 OR household_id = \
             (SELECT household_id FROM residents WHERE id = $1)"
        );
        let mut rows: Vec<RegisterScanRow> = on_db!(self, |p| sqlx::query_as(&sql)
            .bind(resident_id)
            .fetch_all(p)
            .await)?;
        // Every person born on the date: never cut at a count (the rightful owner could be
        // the 501st of a common date).
        let by_date =
            format!("SELECT {REGISTER_COLUMNS} FROM residents WHERE birth_date = $1 ORDER BY id");
        for d in birth_dates {
            let more: Vec<RegisterScanRow> = on_db!(self, |p| sqlx::query_as(&by_date)
                .bind(d)
                .fetch_all(p)
                .await)?;
            rows.extend(more);
        }
        rows.sort_by_key(|r| r.id);
        rows.dedup_by_key(|r| r.id);
        Ok(rows)
    }

    /// `(item_id, resident_id, source_key)` of the items identified by source records of kind
    /// `kind` (below [`SOURCE_KINDS`]), after `after_item`, by item id.
    pub async fn source_keys_batch(
        &self,
        kind: usize,
        after_item: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, i64, String)>> {
        on_db!(self, |p| sqlx::query_as(SOURCE_KEYS[kind])
            .bind(after_item)
            .bind(limit)
            .fetch_all(p)
            .await)
    }

    /// Items still linked, after `after_id`, by id.
    pub async fn scan_items_batch(
        &self,
        after_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<ScanItemRow>> {
        let sql = format!(
            "SELECT {SCAN_ITEM_COLUMNS} FROM linked_items i \
             WHERE i.id > $1 AND i.unlinked_at IS NULL ORDER BY i.id LIMIT $2"
        );
        on_db!(self, |p| sqlx::query_as::<_, ScanItemRow>(&sql)
            .bind(after_id)
            .bind(limit)
            .fetch_all(p)
            .await)
    }

    /// A person's items still linked to them.
    pub async fn scan_items_of(&self, resident_id: i64) -> StoreResult<Vec<ScanItemRow>> {
        let sql = format!(
            "SELECT {SCAN_ITEM_COLUMNS} FROM linked_items i \
             WHERE i.resident_id = $1 AND i.unlinked_at IS NULL ORDER BY i.id"
        );
        on_db!(self, |p| sqlx::query_as::<_, ScanItemRow>(&sql)
            .bind(resident_id)
            .fetch_all(p)
            .await)
    }

    /// Whether the items' source records are linked to anyone else.
    pub async fn sources_shared(&self, item_ids: &[i64]) -> StoreResult<Vec<i64>> {
        let sql = "\
            SELECT a.item_id FROM item_health_insurance a JOIN item_health_insurance b \
              ON b.insurer_number = a.insurer_number AND b.symbol = a.symbol \
              AND b.number = a.number AND b.branch = a.branch AND b.item_id <> a.item_id \
              JOIN linked_items ia ON ia.id = a.item_id JOIN linked_items ib ON ib.id = b.item_id \
              WHERE a.item_id = $1 AND ib.resident_id <> ia.resident_id AND ib.unlinked_at IS NULL \
            UNION \
            SELECT a.item_id FROM item_disability a JOIN item_disability b \
              ON b.certificate_number = a.certificate_number AND b.item_id <> a.item_id \
              JOIN linked_items ia ON ia.id = a.item_id JOIN linked_items ib ON ib.id = b.item_id \
              WHERE a.item_id = $1 AND ib.institution_id = ia.institution_id \
              AND ib.resident_id <> ia.resident_id AND ib.unlinked_at IS NULL \
            UNION \
            SELECT a.item_id FROM item_bank_account a JOIN item_bank_account b \
              ON b.bank_code = a.bank_code AND b.branch_code = a.branch_code \
              AND b.account_number = a.account_number AND b.item_id <> a.item_id \
              JOIN linked_items ia ON ia.id = a.item_id JOIN linked_items ib ON ib.id = b.item_id \
              WHERE a.item_id = $1 AND ib.resident_id <> ia.resident_id AND ib.unlinked_at IS NULL";
        let mut shared = Vec::new();
        for id in item_ids {
            let hit: Option<i64> = on_db!(self, |p| sqlx::query_scalar(sql)
                .bind(id)
                .fetch_optional(p)
                .await)?;
            shared.extend(hit);
        }
        Ok(shared)
    }

    // ----- findings -----

    /// Stores a batch of a run's findings; a finding already stored for the item in this run is
    /// kept (a resumed run writes the same batch again).
    pub async fn insert_findings(
        &self,
        job_id: i64,
        findings: &[NewFinding],
        at: i64,
    ) -> StoreResult<()> {
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            insert_findings_in!(&mut *tx, Some(job_id), "scan", findings, at);
            tx.commit().await?;
            Ok(())
        })
    }

    /// Replaces the re-verification findings of the given items (those not yet turned into a
    /// case) with `findings`, and audits the re-check, in one transaction.
    pub async fn replace_recheck_findings(
        &self,
        item_ids: &[i64],
        findings: &[NewFinding],
        at: i64,
        audit: &NewAudit<'_>,
    ) -> StoreResult<()> {
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            crate::append_audit_in!(&mut *tx, audit);
            for id in item_ids {
                sqlx::query(
                    "DELETE FROM findings WHERE source = 'recheck' AND item_id = $1 \
                     AND report_id IS NULL",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            insert_findings_in!(&mut *tx, None::<i64>, "recheck", findings, at);
            tx.commit().await?;
            Ok(())
        })
    }

    /// Findings per institution and category in a run (`institution` 0: all institutions).
    pub async fn finding_counts(
        &self,
        job_id: i64,
        institution: i64,
    ) -> StoreResult<Vec<CountRecord>> {
        let sql = "SELECT f.institution_id, n.name_ja AS institution_name_ja, \
             n.name_en AS institution_name_en, f.category, \
             SUM(CASE WHEN f.verdict = 'wrong_person' THEN 1 ELSE 0 END) AS wrong_person, \
             SUM(CASE WHEN f.verdict = 'needs_review' THEN 1 ELSE 0 END) AS needs_review \
             FROM findings f JOIN institutions n ON n.id = f.institution_id \
             WHERE f.job_id = $1 AND ($2 = 0 OR f.institution_id = $2) \
             GROUP BY f.institution_id, n.name_ja, n.name_en, f.category \
             ORDER BY wrong_person DESC, needs_review DESC, f.institution_id, f.category";
        on_db!(self, |p| sqlx::query_as::<_, CountRecord>(sql)
            .bind(job_id)
            .bind(institution)
            .fetch_all(p)
            .await)
    }

    /// One page of a run's findings, most suspicious first.
    pub async fn findings_of_run(
        &self,
        job_id: i64,
        q: &FindingQuery<'_>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<FindingRecord>> {
        let sql = format!(
            "{FINDING_SELECT} WHERE {FINDING_FILTER} ORDER BY f.score DESC, f.id LIMIT $5 OFFSET $6"
        );
        on_db!(self, |p| sqlx::query_as::<_, FindingRecord>(&sql)
            .bind(job_id)
            .bind(q.institution)
            .bind(q.category)
            .bind(q.verdict)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await)
    }

    pub async fn count_findings_of_run(
        &self,
        job_id: i64,
        q: &FindingQuery<'_>,
    ) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) FROM findings f WHERE {FINDING_FILTER}");
        on_db!(self, |p| sqlx::query_scalar::<_, i64>(&sql)
            .bind(job_id)
            .bind(q.institution)
            .bind(q.category)
            .bind(q.verdict)
            .fetch_one(p)
            .await)
    }

    /// Findings raised by re-verification, newest first (`institution` 0: all).
    pub async fn recheck_findings(
        &self,
        institution: i64,
        limit: i64,
    ) -> StoreResult<Vec<FindingRecord>> {
        let sql = format!(
            "{FINDING_SELECT} WHERE f.source = 'recheck' AND ($1 = 0 OR f.institution_id = $1) \
             ORDER BY f.id DESC LIMIT $2"
        );
        on_db!(self, |p| sqlx::query_as::<_, FindingRecord>(&sql)
            .bind(institution)
            .bind(limit)
            .fetch_all(p)
            .await)
    }

    pub async fn finding(&self, id: i64) -> StoreResult<Option<FindingRecord>> {
        let sql = format!("{FINDING_SELECT} WHERE f.id = $1");
        on_db!(self, |p| sqlx::query_as::<_, FindingRecord>(&sql)
            .bind(id)
            .fetch_optional(p)
            .await)
    }

    /// Notes the case opened from a finding.
    pub async fn set_finding_report(&self, id: i64, report_id: i64) -> StoreResult<()> {
        on_db!(self, |p| sqlx::query(
            "UPDATE findings SET report_id = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(report_id)
        .execute(p)
        .await
        .map(|_| ()))
    }

    // ----- the register -----

    /// Applies a change to a register entry, with its audit entry; `false` when there is no
    /// such resident.
    pub async fn change_register_entry(
        &self,
        resident_id: i64,
        change: &RegisterChange,
        at: i64,
        audit: &NewAudit<'_>,
    ) -> StoreResult<bool> {
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            let n = sqlx::query(
                "UPDATE residents SET address = COALESCE($2, address), \
                 name_kanji = COALESCE($3, name_kanji), name_kana = COALESCE($4, name_kana), \
                 deceased_on = COALESCE($5, deceased_on), updated_at = $6 WHERE id = $1",
            )
            .bind(resident_id)
            .bind(change.address.as_deref())
            .bind(change.name_kanji.as_deref())
            .bind(change.name_kana.as_deref())
            .bind(change.deceased_on.as_deref())
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
            crate::append_audit_in!(&mut *tx, audit);
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The report a reference names, by id (for a finding turned into a case).
    pub async fn report_id_by_reference(&self, reference: &str) -> StoreResult<Option<i64>> {
        on_db!(self, |p| sqlx::query_scalar::<_, i64>(
            "SELECT id FROM reports WHERE reference = $1"
        )
        .bind(reference)
        .fetch_optional(p)
        .await)
    }
}
