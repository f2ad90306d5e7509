//! The integrity scan inside the portal: staff start a scan, a background worker (one per
//! server process; the database lease makes each job run once) scores every linked item against
//! the register and stores the findings; staff read them by institution and category, open the
//! evidence, and turn a finding into a correction case. A change to a register entry re-checks
//! that person's links at once.

use super::clock::Clock;
use super::staff_auth::StaffSession;
use super::workflow::{decoded, person, WfResult, Workflow, WorkflowError};
use crate::domain::category::{Category, LinkMethod};
use crate::domain::inspection::*;
use crate::domain::items::ItemDetails;
use crate::domain::linkage::{
    sources_linked_to_several, Patterns, Register, RegisterBuilder, Snapshot,
};
use crate::domain::matching::{match_card, Identity};
use crate::domain::my_number::mask_last4;
use crate::domain::reference::Reference;
use crate::domain::reports::{precheck_card, CaseItem};
use crate::store::audit::NewAudit;
use crate::store::bulk::NewItem;
use crate::store::inspection::{
    CountRecord, FindingQuery, FindingRecord, JobRow, NewFinding, RegisterChange, RegisterScanRow,
    ScanItemRow, SOURCE_KINDS,
};
use crate::store::Db;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

/// Rows read per query while scanning.
const BATCH: i64 = 5_000;
/// Items the scan trains the engine's model on (each compared with its linked person), and the
/// random register pairs its u probabilities come from.
const TRAIN_ITEMS: i64 = 100_000;
const U_PAIRS: usize = 300_000;
/// How long a worker holds a job without renewing; a worker that dies is replaced after it.
const LEASE_SECS: i64 = 60;
/// How often an idle worker looks for a queued job.
const POLL: Duration = Duration::from_secs(2);

/// A new link an institution makes.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct NewLink {
    pub resident_id: i64,
    pub institution_id: i64,
    pub link_method: LinkMethod,
    pub snapshot: Identity,
    pub details: ItemDetails,
}

#[derive(Clone)]
pub struct Inspection {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub workflow: Workflow,
    /// This process's name in the jobs table.
    pub worker: String,
}

fn add_entry(into: &mut RegisterBuilder, r: &RegisterScanRow) {
    add_register_entry(into, r.id, &r.identity(), r.household_id, r.deceased);
}

fn snapshot_of(i: &ScanItemRow) -> Identity {
    Identity {
        name_kanji: i.snap_name_kanji.clone(),
        name_kana: i.snap_name_kana.clone(),
        birth_date: i.snap_birth_date.clone(),
        sex: i.snap_sex.clone(),
        address: i.snap_address.clone(),
    }
}

fn key_hash(key: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// Scores a batch of items; the findings worth a look.
fn score_batch(index: &Register, items: &[ScanItemRow], shared: &HashSet<i64>) -> Vec<NewFinding> {
    items
        .iter()
        .filter_map(|i| {
            let s = score_item(
                index,
                &snapshot_of(i),
                Category::from_code(&i.category),
                i.resident_id,
                shared.contains(&i.id),
            )?;
            Some(NewFinding {
                item_id: i.id,
                resident_id: i.resident_id,
                institution_id: i.institution_id,
                category: i.category.clone(),
                score: s.score,
                verdict: s.verdict.code(),
                reasons: s.reasons.join(";"),
                suggested_resident_id: s.suggested_resident_id,
                evidence: serde_json::to_string(&s.evidence).unwrap_or_default(),
            })
        })
        .collect()
}

/// The comparison patterns of items against their linked people, for training.
fn training_patterns(index: &Register, items: &[ScanItemRow]) -> Patterns {
    let mut p = Patterns::default();
    for i in items {
        if let Some(g) = index.linked_gamma(&Snapshot::of(&snapshot_of(i)), i.resident_id as u64) {
            p.add(g);
        }
    }
    p
}

/// A run with its findings in the viewer's scope, totalled from its counts.
fn run_of(j: &JobRow, counts: &[CountRecord]) -> RunSummary {
    RunSummary {
        id: j.id,
        status: JobStatus::from_code(&j.status).unwrap_or(JobStatus::Failed),
        requested_by: j.requested_by_name.clone(),
        created_at: j.created_at,
        started_at: j.started_at,
        finished_at: j.finished_at,
        done: j.progress_done,
        total: j.progress_total,
        wrong_person: counts.iter().map(|c| c.wrong_person).sum(),
        needs_review: counts.iter().map(|c| c.needs_review).sum(),
    }
}

fn row_of(f: FindingRecord) -> WfResult<FindingRow> {
    // Named only when a code does not decode.
    let whose = format_args!("finding {}", f.id);
    Ok(FindingRow {
        id: f.id,
        run_id: f.job_id,
        source: decoded(
            "finding source",
            &f.source,
            &whose,
            FindingSource::from_code,
        )?,
        category: decoded("category", &f.category, &whose, Category::from_code)?,
        institution_name_ja: f.institution_name_ja,
        institution_name_en: f.institution_name_en,
        score: f.score,
        verdict: f.verdict,
        reasons: f
            .reasons
            .split(';')
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect(),
        my_number_masked: mask_last4(&f.my_number_last4),
        has_suggestion: f.suggested_resident_id.is_some(),
        case_reference: f.case_reference.as_deref().map(|r| {
            Reference::parse(r)
                .map(|r| r.to_string())
                .unwrap_or(r.to_string())
        }),
        created_at: f.created_at,
    })
}

fn set_progress_gauges(done: i64, total: i64) {
    metrics::gauge!("portal_job_progress_done", "kind" => JOB_KIND).set(done as f64);
    metrics::gauge!("portal_job_progress_total", "kind" => JOB_KIND).set(total as f64);
}

impl Inspection {
    /// The service over the workflow's database and clock; `worker` names this process in the
    /// jobs table.
    pub fn new(workflow: Workflow, worker: String) -> Self {
        Inspection {
            db: workflow.db.clone(),
            clock: workflow.clock.clone(),
            workflow,
            worker,
        }
    }

    fn now(&self) -> i64 {
        self.clock.now()
    }

    fn viewer_scope(me: &StaffSession) -> WfResult<i64> {
        if !may_view(me.role) {
            return Err(WorkflowError::Forbidden);
        }
        Ok(scope(me.role, me.institution_id).unwrap_or(0))
    }

    /// Queues a scan of every linked item, or returns the one already queued or running.
    pub async fn start(&self, me: &StaffSession) -> WfResult<i64> {
        if !may_start(me.role) {
            return Err(WorkflowError::Forbidden);
        }
        let now = self.now();
        let (id, created) = self
            .db
            .enqueue_job(JOB_KIND, Some(me.staff_id), now)
            .await?;
        if created {
            self.db
                .append_audit(&NewAudit {
                    at: now,
                    actor: &format!("staff:{}", me.staff_id),
                    action: "inspection.started",
                    subject: &format!("job:{id}"),
                    detail: "",
                })
                .await?;
        }
        Ok(id)
    }

    /// Runs one queued job if there is one (or one whose worker died); `Ok(false)` when there
    /// was nothing to do or another server got it first.
    pub async fn run_once(&self) -> Result<bool, sqlx::Error> {
        let now = self.now();
        let Some(job) = self
            .db
            .claim_job(JOB_KIND, &self.worker, now, now + LEASE_SECS)
            .await?
        else {
            return Ok(false);
        };
        tracing::info!(
            job = job.id,
            attempt = job.attempts,
            "inspection scan started"
        );
        let result = self.scan(&job).await;
        let at = self.now();
        let (error, detail) = match &result {
            Ok(Some((done, findings))) => (None, format!("items={done}; findings={findings}")),
            Ok(None) => {
                tracing::warn!(
                    job = job.id,
                    "inspection scan lost its lease; another worker has it"
                );
                return Ok(true);
            }
            Err(e) => {
                tracing::error!(job = job.id, error = %e, "inspection scan failed");
                (Some("storage"), "failed".to_string())
            }
        };
        self.db
            .finish_job(
                job.id,
                &self.worker,
                at,
                error,
                &NewAudit {
                    at,
                    actor: &format!("worker:{}", self.worker),
                    action: if error.is_some() {
                        "inspection.failed"
                    } else {
                        "inspection.finished"
                    },
                    subject: &format!("job:{}", job.id),
                    detail: &detail,
                },
            )
            .await?;
        if let Ok(Some((done, findings))) = result {
            tracing::info!(
                job = job.id,
                items = done,
                findings,
                "inspection scan finished"
            );
        }
        Ok(true)
    }

    /// The scan itself: the register into memory, the shared source records, then every item in
    /// batches, storing findings and progress after each. `None` when the lease was lost.
    async fn scan(&self, job: &JobRow) -> Result<Option<(i64, usize)>, sqlx::Error> {
        let started = std::time::Instant::now();
        let total = self.db.count_active_items().await?;
        let lease = |db: &Db, done: i64| {
            let until = self.now() + LEASE_SECS;
            let (db, worker, id) = (db.clone(), self.worker.clone(), job.id);
            async move {
                set_progress_gauges(done, total);
                db.job_progress(id, &worker, done, total, until).await
            }
        };
        if !lease(&self.db, 0).await? {
            return Ok(None);
        }

        let mut builder = RegisterBuilder::default();
        let mut after = 0;
        for batch in 1.. {
            let rows = self.db.register_batch(after, BATCH * 4).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            for r in &rows {
                add_entry(&mut builder, r);
            }
            // Reading a national register takes a while: keep the lease.
            if batch % 10 == 0 && !lease(&self.db, 0).await? {
                return Ok(None);
            }
        }
        // Training sample: the first items, each against the person it is linked to.
        let mut sample = Vec::new();
        let mut after_item = 0;
        while (sample.len() as i64) < TRAIN_ITEMS {
            let items = self.db.scan_items_batch(after_item, BATCH).await?;
            let Some(last) = items.last() else { break };
            after_item = last.id;
            sample.extend(items);
        }
        let index = tokio::task::spawn_blocking(move || {
            let (mut index, _) = Register::build(builder, true)?;
            let patterns = training_patterns(&index, &sample);
            index.train(&patterns, U_PAIRS);
            Ok::<_, crate::domain::linkage::DuplicateNumbers>(index)
        })
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("index build: {e}")))?
        .map_err(|e| sqlx::Error::Protocol(format!("duplicate residents: {}", e.0)))?;
        tracing::info!(
            job = job.id,
            lambda = index.model().lambda,
            trained = index.model().trained_links,
            "model trained"
        );
        // Kept with the job: once the scan is done, the pre-check, the register search and
        // re-verification weigh with it.
        if let Ok(json) = serde_json::to_string(index.model()) {
            self.db.save_job_model(job.id, &self.worker, &json).await?;
        }
        if !lease(&self.db, 0).await? {
            return Ok(None);
        }

        let loaded = std::time::Instant::now();
        tracing::info!(
            job = job.id,
            residents = index.len(),
            secs = started.elapsed().as_secs_f64(),
            "register read"
        );
        let mut keyed: Vec<(i64, u64, u64)> = Vec::new();
        for kind in 0..SOURCE_KINDS {
            let mut after = 0;
            loop {
                let rows = self.db.source_keys_batch(kind, after, BATCH * 4).await?;
                let Some(last) = rows.last() else { break };
                after = last.0;
                keyed.extend(
                    rows.iter()
                        .map(|(item, resident, key)| (*item, key_hash(key), *resident as u64)),
                );
            }
        }
        tracing::info!(
            job = job.id,
            keyed = keyed.len(),
            secs = loaded.elapsed().as_secs_f64(),
            "source records read"
        );
        let pairs: Vec<(u64, u64)> = keyed.iter().map(|(_, k, r)| (*k, *r)).collect();
        let shared: HashSet<i64> = sources_linked_to_several(&pairs)
            .into_iter()
            .zip(&keyed)
            .filter(|(several, _)| *several)
            .map(|(_, (item, _, _))| *item)
            .collect();
        drop(keyed);

        let index = Arc::new(index);
        let shared = Arc::new(shared);
        // A reader fetches the next batch while this task scores the current one, so the
        // database and the scoring keep both cores busy.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<ScanItemRow>, sqlx::Error>>(2);
        let reader_db = self.db.clone();
        let reader = tokio::spawn(async move {
            let mut after = 0;
            loop {
                let batch = reader_db.scan_items_batch(after, BATCH).await;
                if let Ok(items) = &batch {
                    match items.last() {
                        Some(last) => after = last.id,
                        None => break,
                    }
                }
                let failed = batch.is_err();
                // A closed channel means the scan stopped: nothing more to read.
                if tx.send(batch).await.is_err() || failed {
                    break;
                }
            }
        });
        let (mut done, mut found) = (0i64, 0usize);
        while let Some(batch) = rx.recv().await {
            let items = batch?;
            let n = items.len() as i64;
            let (ix, sh) = (index.clone(), shared.clone());
            let findings = tokio::task::spawn_blocking(move || score_batch(&ix, &items, &sh))
                .await
                .map_err(|e| sqlx::Error::Protocol(format!("scoring: {e}")))?;
            found += findings.len();
            self.db
                .insert_findings(job.id, &findings, self.now())
                .await?;
            done += n;
            if !lease(&self.db, done).await? {
                reader.abort();
                return Ok(None);
            }
        }
        Ok(Some((done, found)))
    }

    /// Runs queued jobs until the process stops.
    pub fn spawn_worker(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.run_once().await {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "job worker could not reach the database")
                    }
                }
                tokio::time::sleep(POLL).await;
            }
        })
    }

    // ----- pages -----

    pub async fn overview(&self, me: &StaffSession) -> WfResult<InspectionView> {
        let institution = Self::viewer_scope(me)?;
        let jobs = self.db.jobs(JOB_KIND, 10).await?;
        let shown = jobs
            .iter()
            .find(|j| j.status == JobStatus::Done.code())
            .map(|j| j.id);
        let mut runs = Vec::with_capacity(jobs.len());
        let mut counts = Vec::new();
        for j in &jobs {
            let c = self.db.finding_counts(j.id, institution).await?;
            runs.push(run_of(j, &c));
            if Some(j.id) == shown {
                counts = c;
            }
        }
        let top = match shown {
            Some(run) => self
                .db
                .findings_of_run(
                    run,
                    &FindingQuery {
                        institution,
                        ..Default::default()
                    },
                    TOP_FINDINGS as i64,
                    0,
                )
                .await?
                .into_iter()
                .map(row_of)
                .collect::<WfResult<_>>()?,
            None => Vec::new(),
        };
        let rechecks = self
            .db
            .recheck_findings(institution, TOP_FINDINGS as i64)
            .await?
            .into_iter()
            .map(row_of)
            .collect::<WfResult<_>>()?;
        Ok(InspectionView {
            me: self.workflow.me_view(me).await?,
            can_start: may_start(me.role),
            runs,
            shown_run: shown,
            counts: counts
                .into_iter()
                .filter_map(|c| {
                    Some(CountRow {
                        institution_id: c.institution_id,
                        institution_name_ja: c.institution_name_ja,
                        institution_name_en: c.institution_name_en,
                        category: Category::from_code(&c.category)?,
                        wrong_person: c.wrong_person,
                        needs_review: c.needs_review,
                    })
                })
                .collect(),
            top,
            rechecks,
        })
    }

    /// One page of a run's findings in the viewer's scope.
    pub async fn findings(
        &self,
        me: &StaffSession,
        run: i64,
        filter: &FindingsFilter,
    ) -> WfResult<FindingsView> {
        let scope = Self::viewer_scope(me)?;
        let job = self
            .db
            .job(run)
            .await?
            .filter(|j| j.kind == JOB_KIND)
            .ok_or(WorkflowError::NotFound)?;
        let category = filter
            .category
            .as_deref()
            .map(str::trim)
            .unwrap_or_default();
        if !category.is_empty() && Category::from_code(category).is_none() {
            return Err(WorkflowError::Invalid("bad_category"));
        }
        let verdict = filter.verdict.as_deref().map(str::trim).unwrap_or_default();
        if !verdict.is_empty() && !["wrong_person", "needs_review"].contains(&verdict) {
            return Err(WorkflowError::Invalid("bad_verdict"));
        }
        let wanted = filter.institution.unwrap_or(0);
        let institution = match (scope, wanted) {
            (0, w) => w,
            (s, 0) => s,
            (s, w) if s == w => s,
            _ => return Err(WorkflowError::Forbidden),
        };
        let q = FindingQuery {
            institution,
            category,
            verdict,
        };
        let page = filter.page.unwrap_or(1).clamp(1, 100_000);
        let total = self.db.count_findings_of_run(run, &q).await?;
        let rows = self
            .db
            .findings_of_run(run, &q, PAGE_SIZE, (page - 1) * PAGE_SIZE)
            .await?
            .into_iter()
            .map(row_of)
            .collect::<WfResult<_>>()?;
        let counts = self.db.finding_counts(run, scope).await?;
        let names = if institution != 0 {
            self.db.institution_names(institution).await?
        } else {
            None
        };
        Ok(FindingsView {
            run: run_of(&job, &counts),
            filter: FindingsFilter {
                page: Some(page),
                ..filter.clone()
            },
            rows,
            total,
            institution_name_ja: names.as_ref().map(|n| n.0.clone()),
            institution_name_en: names.map(|n| n.1),
        })
    }

    async fn finding_in_scope(&self, me: &StaffSession, id: i64) -> WfResult<FindingRecord> {
        let scope = Self::viewer_scope(me)?;
        let f = self.db.finding(id).await?.ok_or(WorkflowError::NotFound)?;
        if scope != 0 && f.institution_id != scope {
            // Another institution's finding does not exist for this caseworker.
            return Err(WorkflowError::NotFound);
        }
        Ok(f)
    }

    /// A finding with its evidence. Reading it is logged as an access to the linked person's
    /// (and any suggested person's) data, for the integrity inspection.
    pub async fn finding(&self, me: &StaffSession, id: i64) -> WfResult<FindingView> {
        let f = self.finding_in_scope(me, id).await?;
        let mut people = vec![f.resident_id];
        people.extend(f.suggested_resident_id);
        self.workflow
            .log_access(
                me,
                &people,
                "integrity_inspection",
                None,
                "read.inspection_finding",
            )
            .await?;
        let item = self
            .db
            .item(f.item_id)
            .await?
            .ok_or(WorkflowError::NotFound)?;
        let linked = self
            .db
            .resident(f.resident_id)
            .await?
            .ok_or(WorkflowError::NotFound)?;
        let suggestion = match f.suggested_resident_id {
            Some(s) => self.db.resident(s).await?.map(|r| SuggestionView {
                match_card: match_card(&item.snapshot, &r.identity()),
                person: person(&r),
            }),
            None => None,
        };
        let card = match_card(&item.snapshot, &linked.identity());
        let still_linked = item.resident_id == f.resident_id && item.unlinked_at.is_none();
        let case_item = CaseItem {
            item_id: item.id,
            category: item.category,
            institution_name_ja: item.institution_name_ja.clone(),
            institution_name_en: item.institution_name_en.clone(),
            link_method: item.link_method,
            linked_at: item.linked_at,
            fields: item.details.fields(false),
            snapshot: item.snapshot.clone(),
            precheck: precheck_card(&card),
            match_card: card,
            still_linked_to_reporter: still_linked,
        };
        Ok(FindingView {
            evidence: f
                .evidence
                .as_deref()
                .and_then(|e| serde_json::from_str(e).ok()),
            can_open_case: still_linked && !item.under_review,
            still_linked,
            item: case_item,
            linked: person(&linked),
            suggestion,
            row: row_of(f)?,
        })
    }

    /// Turns a finding into a correction case on behalf of the linked person, who is told. An
    /// item already under review gets no second case.
    pub async fn open_case(&self, me: &StaffSession, id: i64) -> WfResult<Reference> {
        let f = self.finding_in_scope(me, id).await?;
        let reference = self
            .workflow
            .raise_from_inspection(me, f.resident_id, f.item_id, report_kind_of(&f.verdict))
            .await
            .map_err(|e| match e {
                // The item left the person since the scan.
                WorkflowError::Invalid("unknown_item") => {
                    WorkflowError::Invalid("no_longer_linked")
                }
                e => e,
            })?;
        if let Some(report) = self.db.report_id_by_reference(reference.as_str()).await? {
            self.db.set_finding_report(f.id, report).await?;
        }
        Ok(reference)
    }

    // ----- new links -----

    /// Links a new item to a resident, as an institution's linking feed would: the resident gets
    /// an "is this yours?" notice at once, and the person's links are re-checked, so a new wrong
    /// link is raised as a finding. Returns the new item's id and the findings raised.
    pub async fn link_item(&self, actor: &str, link: &NewLink) -> WfResult<(i64, usize)> {
        let (ja, en) = self
            .db
            .institution_names(link.institution_id)
            .await?
            .ok_or(WorkflowError::Invalid("unknown_institution"))?;
        if self.db.resident(link.resident_id).await?.is_none() {
            return Err(WorkflowError::NotFound);
        }
        let now = self.now();
        let category = link.details.category();
        let item = NewItem {
            id: 0,
            resident_id: link.resident_id,
            institution_id: link.institution_id,
            link_method: link.link_method.code(),
            snapshot: link.snapshot.clone(),
            linked_at: now,
            details: link.details.clone(),
        };
        let params = format!(
            "category=key:{}\ninstitution=both:{}\u{1f}{}",
            category.label_key(),
            ja.replace('\n', " "),
            en.replace('\n', " ")
        );
        let id = self
            .db
            .link_new_item(
                &item,
                "new_link",
                &params,
                &NewAudit {
                    at: now,
                    actor,
                    action: "inspection.item_linked",
                    subject: &format!("resident:{}", link.resident_id),
                    detail: &format!(
                        "category={}; institution={}; method={}",
                        category.code(),
                        link.institution_id,
                        link.link_method.code()
                    ),
                },
            )
            .await?;
        let raised = self.recheck(actor, link.resident_id).await?;
        Ok((id, raised))
    }

    // ----- continuous re-verification -----

    /// Applies a change to a register entry (a move, a new name, a death) and re-checks the
    /// person's links at once. Returns the number of findings raised; `NotFound` for an unknown
    /// resident.
    pub async fn change_register(
        &self,
        actor: &str,
        resident_id: i64,
        change: &RegisterChange,
    ) -> WfResult<usize> {
        let now = self.now();
        let what: Vec<&str> = [
            change.address.as_ref().map(|_| "address"),
            change.name_kanji.as_ref().map(|_| "name_kanji"),
            change.name_kana.as_ref().map(|_| "name_kana"),
            change.deceased_on.as_ref().map(|_| "deceased_on"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if what.is_empty() {
            return Err(WorkflowError::Invalid("nothing_to_change"));
        }
        if let Some(d) = &change.deceased_on {
            if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                return Err(WorkflowError::Invalid("bad_date"));
            }
        }
        let changed = self
            .db
            .change_register_entry(
                resident_id,
                change,
                now,
                &NewAudit {
                    at: now,
                    actor,
                    action: "register.changed",
                    subject: &format!("resident:{resident_id}"),
                    detail: &format!("fields={}", what.join(",")),
                },
            )
            .await?;
        if !changed {
            return Err(WorkflowError::NotFound);
        }
        self.recheck(actor, resident_id).await
    }

    /// Re-checks every link of one person against the register around them (themselves, their
    /// household, and everyone born on the dates their items name), replacing the earlier
    /// re-check findings of those items.
    pub async fn recheck(&self, actor: &str, resident_id: i64) -> WfResult<usize> {
        let items = self.db.scan_items_of(resident_id).await?;
        let snapshots: Vec<Identity> = items.iter().map(snapshot_of).collect();
        let refs: Vec<&Identity> = snapshots.iter().collect();
        let index = self.workflow.register_near(resident_id, &refs).await?;
        let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
        let shared: HashSet<i64> = self.db.sources_shared(&ids).await?.into_iter().collect();
        let findings = score_batch(&index, &items, &shared);
        let now = self.now();
        self.db
            .replace_recheck_findings(
                &ids,
                &findings,
                now,
                &NewAudit {
                    at: now,
                    actor,
                    action: "inspection.rechecked",
                    subject: &format!("resident:{resident_id}"),
                    detail: &format!("items={}; findings={}", ids.len(), findings.len()),
                },
            )
            .await?;
        Ok(findings.len())
    }
}
