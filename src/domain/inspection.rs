//! The integrity scan inside the portal (総点検): what a scan run is, what a finding is, who may
//! do what, and the views the inspection pages show. Pure: the scan's scoring is
//! [`crate::domain::scan`]; the store and the job runner live elsewhere.

use crate::domain::category::Category;
use crate::domain::linkage::{
    reason, Evidence, LinkContext, Register, RegisterBuilder, Snapshot, Verdict3,
};
use crate::domain::matching::{Identity, MatchRow};
use crate::domain::reports::{CaseItem, PersonView, StaffMe, StaffRole};
use serde::{Deserialize, Serialize};

/// The kind of the scan job in the jobs table.
pub const JOB_KIND: &str = "inspection";

/// How many rows of the most suspicious findings the overview shows.
pub const TOP_FINDINGS: usize = 20;

/// How many findings one page of a list shows.
pub const PAGE_SIZE: i64 = 100;

/// A background job's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    pub const ALL: [JobStatus; 4] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Done,
        JobStatus::Failed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|j| j.code() == s)
    }

    /// `inspection.status.<code>` in the locales.
    pub fn label_key(self) -> String {
        format!("inspection.status.{}", self.code())
    }

    /// Queued or running: the page keeps showing progress.
    pub fn is_active(self) -> bool {
        matches!(self, JobStatus::Queued | JobStatus::Running)
    }
}

/// Where a finding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FindingSource {
    /// A full scan run.
    Scan,
    /// Re-verification after the linked person's register entry changed.
    Recheck,
}

impl FindingSource {
    pub fn code(self) -> &'static str {
        match self {
            FindingSource::Scan => "scan",
            FindingSource::Recheck => "recheck",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        [FindingSource::Scan, FindingSource::Recheck]
            .into_iter()
            .find(|f| f.code() == s)
    }
}

/// Who may do what on the inspection pages. Supervisors start scans and see every institution;
/// a caseworker sees the findings on items their own institution linked; nobody else sees any.
pub fn may_view(role: StaffRole) -> bool {
    matches!(role, StaffRole::Supervisor | StaffRole::Caseworker)
}

pub fn may_start(role: StaffRole) -> bool {
    role == StaffRole::Supervisor
}

/// The institution a staff member's view is limited to (`None`: all of them).
pub fn scope(role: StaffRole, institution: Option<i64>) -> Option<i64> {
    match role {
        StaffRole::Supervisor => None,
        // A caseworker without an institution sees nothing: -1 matches no row.
        _ => Some(institution.unwrap_or(-1)),
    }
}

/// A scan run, as the overview lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: i64,
    pub status: JobStatus,
    pub requested_by: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub done: i64,
    pub total: i64,
    /// Findings in the viewer's scope.
    pub wrong_person: i64,
    pub needs_review: i64,
}

impl RunSummary {
    /// Progress in whole percent (0 before the total is known; 100 when done).
    pub fn percent(&self) -> i64 {
        if self.status == JobStatus::Done {
            100
        } else if self.total <= 0 {
            0
        } else {
            (self.done.clamp(0, self.total) * 100) / self.total
        }
    }

    /// Items scanned per second, once the run has finished.
    pub fn throughput(&self) -> Option<f64> {
        let (start, end) = (self.started_at?, self.finished_at?);
        let secs = (end - start).max(1) as f64;
        Some(self.done as f64 / secs)
    }
}

/// Findings of one institution and category in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountRow {
    pub institution_id: i64,
    pub institution_name_ja: String,
    pub institution_name_en: String,
    pub category: Category,
    pub wrong_person: i64,
    pub needs_review: i64,
}

/// One finding in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRow {
    pub id: i64,
    pub run_id: Option<i64>,
    pub source: FindingSource,
    pub category: Category,
    pub institution_name_ja: String,
    pub institution_name_en: String,
    pub score: f64,
    /// `wrong_person` or `needs_review`.
    pub verdict: String,
    pub reasons: Vec<String>,
    pub my_number_masked: String,
    pub has_suggestion: bool,
    /// The case opened from the finding, by its display reference.
    pub case_reference: Option<String>,
    pub created_at: i64,
}

/// The inspection overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionView {
    pub me: StaffMe,
    pub can_start: bool,
    /// Newest first.
    pub runs: Vec<RunSummary>,
    /// The run the counts and top findings are of: the newest finished one.
    pub shown_run: Option<i64>,
    pub counts: Vec<CountRow>,
    pub top: Vec<FindingRow>,
    /// Raised by re-verification, newest first.
    pub rechecks: Vec<FindingRow>,
}

/// Which findings of a run a list shows (from the query string; all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingsFilter {
    pub institution: Option<i64>,
    pub category: Option<String>,
    pub verdict: Option<String>,
    pub page: Option<i64>,
}

/// One page of a run's findings, most suspicious first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingsView {
    pub run: RunSummary,
    pub filter: FindingsFilter,
    pub rows: Vec<FindingRow>,
    pub total: i64,
    pub institution_name_ja: Option<String>,
    pub institution_name_en: Option<String>,
}

/// A suggested rightful owner with the item's comparison against them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestionView {
    pub person: PersonView,
    pub match_card: Vec<MatchRow>,
}

/// One finding with its evidence: the item beside the linked person's register entry, and the
/// suggested person when the scan found one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingView {
    pub row: FindingRow,
    pub item: CaseItem,
    pub linked: PersonView,
    pub suggestion: Option<SuggestionView>,
    /// False when the item has already been moved off the linked person since the scan.
    pub still_linked: bool,
    pub can_open_case: bool,
    /// The engine's evidence (the waterfall), when the finding kept it.
    pub evidence: Option<Evidence>,
}

/// The report kind a finding turns into: a likely wrong person is "not mine"; a link that needs
/// review is "details wrong", for the caseworker to decide.
pub fn report_kind_of(verdict: &str) -> &'static str {
    if verdict == Verdict3::WrongPerson.code() {
        "not_mine"
    } else {
        "details_wrong"
    }
}

/// Adds a register row as the scan needs it (the key is the resident's id, not the number).
pub fn add_register_entry(
    into: &mut RegisterBuilder,
    resident_id: i64,
    identity: &Identity,
    household_id: i64,
    deceased: bool,
) {
    into.add(
        resident_id as u64,
        identity,
        &household_id.to_string(),
        deceased,
    );
}

/// The score a link to a deceased person is listed with (needs review).
pub const DECEASED_REVIEW_SCORE: f64 = 0.3;

/// The scan's result for one item, ready to store when it is worth a look.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub score: f64,
    pub verdict: Verdict3,
    pub reasons: Vec<&'static str>,
    pub suggested_resident_id: Option<i64>,
    pub evidence: Evidence,
}

/// Scores one item's snapshot against the register; `None` for a consistent link.
pub fn score_item(
    index: &Register,
    snapshot: &Identity,
    category: Option<Category>,
    linked_resident: i64,
    source_shared: bool,
) -> Option<Scored> {
    let la = index.assess(
        &Snapshot::of(snapshot),
        linked_resident as u64,
        LinkContext { category },
    );
    let mut a = if source_shared {
        la.with_source_flag()
    } else {
        la
    };
    // The engine tells a link to a deceased person without judging it (their own pension is
    // still theirs); the portal's inspection lists it for the institution to review, as the
    // register's death is news the linked records must follow.
    if a.verdict == Verdict3::Consistent && a.reasons.contains(&reason::LINKED_TO_DECEASED) {
        a.score = a.score.max(DECEASED_REVIEW_SCORE);
        a.verdict = Verdict3::NeedsReview;
        a.evidence.p_wrong = a.score;
        a.evidence
            .rules
            .push(reason::LINKED_TO_DECEASED.to_string());
    }
    (a.verdict != Verdict3::Consistent).then(|| Scored {
        score: a.score,
        verdict: a.verdict,
        reasons: a.reasons,
        suggested_resident_id: a.suggestion.map(|s| s.my_number as i64),
        evidence: a.evidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(k: &str, kana: &str, b: &str, s: &str, a: &str) -> Identity {
        Identity {
            name_kanji: Some(k.into()),
            name_kana: Some(kana.into()),
            birth_date: Some(b.into()),
            sex: Some(s.into()),
            address: Some(a.into()),
        }
    }

    fn index() -> Register {
        let mut b = RegisterBuilder::default();
        let people = [
            (
                1,
                id(
                    "山田太郎",
                    "ヤマダタロウ",
                    "1980-04-01",
                    "M",
                    "東京都千代田区1-1-1",
                ),
                10,
                false,
            ),
            (
                2,
                id(
                    "佐藤花子",
                    "サトウハナコ",
                    "1975-02-03",
                    "F",
                    "大阪府大阪市北区2-2-2",
                ),
                20,
                false,
            ),
            (
                3,
                id(
                    "鈴木一郎",
                    "スズキイチロウ",
                    "1950-01-01",
                    "M",
                    "京都府京都市3-3",
                ),
                30,
                true,
            ),
        ];
        for (n, who, hh, dead) in &people {
            add_register_entry(&mut b, *n, who, *hh, *dead);
        }
        Register::build(b, false).expect("no duplicates").0
    }

    #[test]
    fn a_consistent_link_raises_nothing_even_with_notation_differences() {
        let snap = id(
            "山田 太郎",
            "やまだ たろう",
            "1980-04-01",
            "M",
            "東京都千代田区一丁目1番1号",
        );
        assert_eq!(score_item(&index(), &snap, None, 1, false), None);
    }

    #[test]
    fn another_persons_item_is_wrong_person_with_the_owner_suggested() {
        let hanako = id(
            "佐藤花子",
            "サトウハナコ",
            "1975-02-03",
            "F",
            "大阪府大阪市北区2-2-2",
        );
        let s = score_item(&index(), &hanako, None, 1, false).expect("a finding");
        assert_eq!(s.verdict, Verdict3::WrongPerson);
        assert_eq!(s.suggested_resident_id, Some(2));
        assert!(s.reasons.contains(&"better_match_elsewhere"));
    }

    #[test]
    fn links_to_the_deceased_and_shared_source_records_are_flagged() {
        let ichiro = id(
            "鈴木一郎",
            "スズキイチロウ",
            "1950-01-01",
            "M",
            "京都府京都市3-3",
        );
        // A deceased person's own record is listed for review, not judged wrong.
        let s = score_item(&index(), &ichiro, None, 3, false).expect("deceased");
        assert_eq!(s.verdict, Verdict3::NeedsReview);
        assert!(s.reasons.contains(&"linked_to_deceased"));
        let taro = id(
            "山田太郎",
            "ヤマダタロウ",
            "1980-04-01",
            "M",
            "東京都千代田区1-1-1",
        );
        let s = score_item(&index(), &taro, None, 1, true).expect("shared source");
        assert!(s.reasons.contains(&"source_linked_to_several"));
    }

    #[test]
    fn progress_is_whole_percent_and_full_when_done() {
        let mut r = RunSummary {
            id: 1,
            status: JobStatus::Running,
            requested_by: None,
            created_at: 0,
            started_at: Some(10),
            finished_at: None,
            done: 1,
            total: 3,
            wrong_person: 0,
            needs_review: 0,
        };
        assert_eq!(r.percent(), 33);
        r.total = 0;
        assert_eq!(r.percent(), 0);
        r.status = JobStatus::Done;
        r.done = 500;
        r.finished_at = Some(15);
        assert_eq!(r.percent(), 100);
        assert_eq!(r.throughput(), Some(100.0));
    }

    #[test]
    fn only_supervisors_start_and_caseworkers_see_their_institution() {
        assert!(may_start(StaffRole::Supervisor));
        assert!(!may_start(StaffRole::Caseworker));
        assert!(!may_view(StaffRole::Helpdesk));
        assert!(!may_view(StaffRole::Administrator));
        assert_eq!(scope(StaffRole::Supervisor, Some(4)), None);
        assert_eq!(scope(StaffRole::Caseworker, Some(4)), Some(4));
        assert_eq!(scope(StaffRole::Caseworker, None), Some(-1));
        assert_eq!(report_kind_of("wrong_person"), "not_mine");
        assert_eq!(report_kind_of("needs_review"), "details_wrong");
    }
}
