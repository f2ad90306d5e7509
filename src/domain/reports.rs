//! Mismatch reports as residents and staff see them: kinds, the pre-check verdict, outcomes,
//! timeline events, and the views that cross the wire. Pure data and rules, no I/O.
//!
//! Staff-only content (internal notes) has its own types ([`InternalNote`], [`CaseView`]) that no
//! resident-facing view contains.

use super::category::{Category, LinkMethod};
use super::items::Field;
use super::linkage::{reason, Evidence, LinkAssessment, Verdict3};
use super::matching::{match_card, Identity, MatchResult, MatchRow};
use super::workflow::Status;
use serde::{Deserialize, Serialize};

/// What the resident says is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReportKind {
    /// The item belongs to someone else.
    NotMine,
    /// The item is mine but its details are wrong.
    DetailsWrong,
    /// The item is mine but out of date.
    Outdated,
    /// An item I expect is not linked.
    Missing,
}

impl ReportKind {
    pub const ALL: [ReportKind; 4] = [
        ReportKind::NotMine,
        ReportKind::DetailsWrong,
        ReportKind::Outdated,
        ReportKind::Missing,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReportKind::NotMine => "not_mine",
            ReportKind::DetailsWrong => "details_wrong",
            ReportKind::Outdated => "outdated",
            ReportKind::Missing => "missing",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ReportKind::NotMine => "kind.not_mine",
            ReportKind::DetailsWrong => "kind.details_wrong",
            ReportKind::Outdated => "kind.outdated",
            ReportKind::Missing => "kind.missing",
        }
    }

    /// Whether the report names items (all kinds but "missing").
    pub fn needs_items(self) -> bool {
        self != ReportKind::Missing
    }
}

/// The pre-check's verdict on a report: the item's snapshot against the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// Birth date or sex differ, or the name and the address both differ.
    LikelyAnotherPerson,
    /// Names, birth date and sex agree; only the address differs (a move not yet reflected).
    LikelyOutdated,
    /// Something differs that may be harmless (a name change, an unlisted kanji variant), or too
    /// few attributes are held to say.
    NeedsReview,
    /// Everything the institution holds agrees with the register.
    Consistent,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::LikelyAnotherPerson,
        Verdict::LikelyOutdated,
        Verdict::NeedsReview,
        Verdict::Consistent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Verdict::LikelyAnotherPerson => "likely_another_person",
            Verdict::LikelyOutdated => "likely_outdated",
            Verdict::NeedsReview => "needs_review",
            Verdict::Consistent => "consistent",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Verdict::LikelyAnotherPerson => "verdict.likely_another_person",
            Verdict::LikelyOutdated => "verdict.likely_outdated",
            Verdict::NeedsReview => "verdict.needs_review",
            Verdict::Consistent => "verdict.consistent",
        }
    }
}

/// The verdict with the reasons that produced it (codes; `reason.<code>` in the locales), and
/// the integrity engine's evidence when the engine produced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreCheck {
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    #[serde(default)]
    pub evidence: Option<Evidence>,
}

impl PreCheck {
    /// A report with no item to compare ("missing").
    pub fn nothing_to_compare() -> Self {
        PreCheck {
            verdict: Verdict::NeedsReview,
            reasons: vec!["no_item".into()],
            evidence: None,
        }
    }

    /// The most suspicious of several items' pre-checks, with all their reasons and the
    /// evidence of the most suspicious one.
    pub fn worst(checks: &[PreCheck]) -> PreCheck {
        let Some(worst) = checks.iter().min_by_key(|c| c.verdict) else {
            return PreCheck::nothing_to_compare();
        };
        let mut reasons: Vec<String> = Vec::new();
        for r in checks.iter().flat_map(|c| c.reasons.iter()) {
            if !reasons.contains(r) {
                reasons.push(r.clone());
            }
        }
        PreCheck {
            verdict: worst.verdict,
            reasons,
            evidence: worst.evidence.clone(),
        }
    }
}

/// Compares an item's snapshot with the register entry of the person it is linked to, after
/// normalization (kanji variants, kana width, address notation, date formats).
pub fn precheck(snapshot: &Identity, register: &Identity) -> PreCheck {
    let card = match_card(snapshot, register);
    precheck_card(&card)
}

/// The pre-check from the integrity engine's assessment of the item against the reporter,
/// with the match card beside it. The engine's verdict decides; the card tells an address-only
/// difference ("likely outdated") apart, and names the differing attributes:
/// - `wrong_person` is "likely another person" (with `other_resident_matches` when someone
///   else in the register explains the record better);
/// - `needs_review` is "needs review";
/// - `consistent` is the card's "consistent" or "likely outdated"; when the card sees a
///   difference the engine weighs as harmless (a typo, a long vowel), "needs review" still,
///   since the resident said something is wrong.
pub fn precheck_from(card: &[MatchRow], a: &LinkAssessment) -> PreCheck {
    let mut p = precheck_card(card);
    let rival = a.reasons.iter().any(|r| {
        matches!(
            *r,
            reason::BETTER_MATCH_ELSEWHERE
                | reason::HOUSEHOLD_MEMBER_MATCHES
                | reason::AMBIGUOUS_RIVALS
        )
    });
    p.verdict = match a.verdict {
        Verdict3::WrongPerson => Verdict::LikelyAnotherPerson,
        Verdict3::NeedsReview => Verdict::NeedsReview,
        Verdict3::Consistent => match p.verdict {
            Verdict::Consistent | Verdict::LikelyOutdated => p.verdict,
            _ => Verdict::NeedsReview,
        },
    };
    if rival {
        p.reasons.push("other_resident_matches".into());
    }
    p.evidence = Some(a.evidence.clone());
    p
}

/// The verdict from a match card (see [`precheck`]).
pub fn precheck_card(card: &[MatchRow]) -> PreCheck {
    use super::matching::Attribute::*;
    let differs = |a| {
        card.iter()
            .any(|r| r.attribute == a && r.result == MatchResult::Differs)
    };
    let held = card
        .iter()
        .filter(|r| r.result != MatchResult::NotHeld)
        .count();
    let mut reasons: Vec<String> = card
        .iter()
        .filter(|r| r.result == MatchResult::Differs)
        .map(|r| format!("{}_differs", r.attribute.code()))
        .collect();
    let name_differs = differs(NameKanji) || differs(NameKana);
    let verdict = if differs(BirthDate) || differs(Sex) || (name_differs && differs(Address)) {
        Verdict::LikelyAnotherPerson
    } else if name_differs {
        Verdict::NeedsReview
    } else if differs(Address) {
        Verdict::LikelyOutdated
    } else if held >= 3 {
        reasons.push("all_held_match".into());
        Verdict::Consistent
    } else {
        reasons.push("few_attributes_held".into());
        Verdict::NeedsReview
    };
    PreCheck {
        verdict,
        reasons,
        evidence: None,
    }
}

/// What a caseworker proposes and a supervisor approves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// Move the items to the person they belong to.
    Relink,
    /// Remove the items from this person's number.
    Unlink,
    /// Correct the institution's copy of the details to match the register.
    CorrectDetails,
    /// Nothing was wrong (a reason is required).
    NoError,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Relink,
        Outcome::Unlink,
        Outcome::CorrectDetails,
        Outcome::NoError,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::Relink => "relink",
            Outcome::Unlink => "unlink",
            Outcome::CorrectDetails => "correct_details",
            Outcome::NoError => "no_error",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Outcome::Relink => "outcome.relink",
            Outcome::Unlink => "outcome.unlink",
            Outcome::CorrectDetails => "outcome.correct_details",
            Outcome::NoError => "outcome.no_error",
        }
    }

    /// Whether the outcome moves or removes items, so an impact review follows.
    pub fn changes_links(self) -> bool {
        matches!(self, Outcome::Relink | Outcome::Unlink)
    }
}

/// Why a proposal is refused before it reaches the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProposalError {
    ReasonRequired,
    TargetRequired,
    TargetIsReporter,
}

impl ProposalError {
    pub fn code(self) -> &'static str {
        match self {
            ProposalError::ReasonRequired => "reason_required",
            ProposalError::TargetRequired => "target_required",
            ProposalError::TargetIsReporter => "target_is_reporter",
        }
    }
}

/// Checks a proposal: a relink needs a target who is not the reporter; "no error" and "unlink"
/// need a reason.
pub fn check_proposal(
    outcome: Outcome,
    reason: &str,
    target: Option<i64>,
    reporter: i64,
) -> Result<(), ProposalError> {
    match outcome {
        Outcome::Relink => match target {
            None => return Err(ProposalError::TargetRequired),
            Some(t) if t == reporter => return Err(ProposalError::TargetIsReporter),
            Some(_) => {}
        },
        Outcome::NoError | Outcome::Unlink if reason.trim().is_empty() => {
            return Err(ProposalError::ReasonRequired)
        }
        _ => {}
    }
    Ok(())
}

/// A step on a report's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    Submitted,
    FiledByHelpdesk,
    /// Opened by staff from an integrity-scan finding.
    RaisedByInspection,
    Claimed,
    Reassigned,
    InfoRequested,
    ResidentAnswered,
    MessageToResident,
    Proposed,
    Returned,
    Approved,
    Extended,
    Closed,
    Withdrawn,
}

impl EventKind {
    pub const ALL: [EventKind; 14] = [
        EventKind::Submitted,
        EventKind::FiledByHelpdesk,
        EventKind::RaisedByInspection,
        EventKind::Claimed,
        EventKind::Reassigned,
        EventKind::InfoRequested,
        EventKind::ResidentAnswered,
        EventKind::MessageToResident,
        EventKind::Proposed,
        EventKind::Returned,
        EventKind::Approved,
        EventKind::Extended,
        EventKind::Closed,
        EventKind::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventKind::Submitted => "submitted",
            EventKind::FiledByHelpdesk => "filed_by_helpdesk",
            EventKind::RaisedByInspection => "raised_by_inspection",
            EventKind::Claimed => "claimed",
            EventKind::Reassigned => "reassigned",
            EventKind::InfoRequested => "info_requested",
            EventKind::ResidentAnswered => "resident_answered",
            EventKind::MessageToResident => "message_to_resident",
            EventKind::Proposed => "proposed",
            EventKind::Returned => "returned",
            EventKind::Approved => "approved",
            EventKind::Extended => "extended",
            EventKind::Closed => "closed",
            EventKind::Withdrawn => "withdrawn",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == s)
    }

    /// `event.<code>` in the locales.
    pub fn label_key(self) -> String {
        format!("event.{}", self.code())
    }

    /// Whether the resident sees this step on their timeline (internal hand-offs are hidden).
    pub fn resident_visible(self) -> bool {
        !matches!(
            self,
            EventKind::Reassigned | EventKind::Proposed | EventKind::Returned
        )
    }
}

/// The legal deadline as of now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub due_at: i64,
    pub days_left: i64,
    pub overdue: bool,
    pub paused: bool,
    pub extended: bool,
}

impl Deadline {
    pub fn of(clock: &super::workflow::Clock, now: i64) -> Self {
        Deadline {
            due_at: clock.due_at(now),
            days_left: clock.days_left(now),
            overdue: clock.is_overdue(now),
            paused: clock.paused_since.is_some(),
            extended: clock.extended,
        }
    }
}

/// One entry of a timeline. `message` is plain text written by a person (never rendered as HTML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: i64,
    pub kind: EventKind,
    pub message: Option<String>,
    /// True when staff took the step (the resident sees "the institution", never a name).
    pub by_staff: bool,
}

/// An item named in a report, with its identifiers masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportItemBrief {
    pub item_id: i64,
    pub category: Category,
    pub institution_name_ja: String,
    pub institution_name_en: String,
    pub fields: Vec<Field>,
}

/// A report in the resident's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyReportSummary {
    /// Display form, `XXXX-XXXX-XXX`.
    pub reference: String,
    pub kind: ReportKind,
    pub category: Category,
    pub status: Status,
    pub submitted_at: i64,
    pub deadline: Deadline,
    pub institution_name_ja: String,
    pub institution_name_en: String,
}

/// One report as its reporter sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyReportView {
    pub summary: MyReportSummary,
    pub note: String,
    pub items: Vec<ReportItemBrief>,
    pub timeline: Vec<TimelineEntry>,
    pub outcome: Option<Outcome>,
    /// The reason given with the decision (for "no error" and corrections).
    pub outcome_reason: Option<String>,
    pub can_answer: bool,
    pub can_withdraw: bool,
}

/// A notice in the resident's inbox. Its text is `notice.<kind>.title` / `notice.<kind>.body`
/// with `params` filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub reference: Option<String>,
    pub params: Vec<(String, String)>,
    pub read: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxView {
    pub notices: Vec<Notice>,
    pub unread: i64,
}

/// Staff roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StaffRole {
    Helpdesk,
    Caseworker,
    Supervisor,
    Administrator,
}

impl StaffRole {
    pub const ALL: [StaffRole; 4] = [
        StaffRole::Helpdesk,
        StaffRole::Caseworker,
        StaffRole::Supervisor,
        StaffRole::Administrator,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StaffRole::Helpdesk => "helpdesk",
            StaffRole::Caseworker => "caseworker",
            StaffRole::Supervisor => "supervisor",
            StaffRole::Administrator => "administrator",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            StaffRole::Helpdesk => "role.helpdesk",
            StaffRole::Caseworker => "role.caseworker",
            StaffRole::Supervisor => "role.supervisor",
            StaffRole::Administrator => "role.administrator",
        }
    }

    pub fn workflow_role(self) -> super::workflow::Role {
        use super::workflow::Role;
        match self {
            StaffRole::Helpdesk => Role::Helpdesk,
            StaffRole::Caseworker => Role::Caseworker,
            StaffRole::Supervisor => Role::Supervisor,
            StaffRole::Administrator => Role::Administrator,
        }
    }
}

/// One staff access to the resident's data, as the resident sees it: no staff names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub at: i64,
    pub organisation_ja: String,
    pub organisation_en: String,
    pub role: StaffRole,
    /// A purpose code (`purpose.<code>` in the locales) or the staff member's own words.
    pub purpose: String,
    pub reference: Option<String>,
}

/// The signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMe {
    pub id: i64,
    pub display_name: String,
    pub role: StaffRole,
    pub institution_name_ja: Option<String>,
    pub institution_name_en: Option<String>,
}

/// Queue filters, from the query string (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    pub status: Option<String>,
    pub category: Option<String>,
    pub verdict: Option<String>,
    /// `overdue` or `week` (due within 7 days).
    pub due: Option<String>,
    /// 1-based page of [`QUEUE_PAGE`] rows.
    pub page: Option<i64>,
}

/// Rows on one page of the queue.
pub const QUEUE_PAGE: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub reference: String,
    pub category: Category,
    pub kind: ReportKind,
    pub status: Status,
    pub verdict: Verdict,
    pub submitted_at: i64,
    pub deadline: Deadline,
    pub assignee_name: Option<String>,
    pub mine: bool,
    pub institution_name_ja: String,
    pub institution_name_en: String,
}

/// The queue page: rows sorted by due date, soonest (and overdue) first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub me: StaffMe,
    /// This page's rows.
    pub rows: Vec<QueueRow>,
    /// Cases matching the filter, on every page.
    pub total: usize,
    /// Of those, awaiting a decision past their deadline.
    pub overdue: usize,
    pub page: usize,
    pub pages: usize,
}

/// A register entry as staff see it: the My Number masked to its last four digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    pub resident_id: i64,
    pub my_number_masked: String,
    pub identity: Identity,
}

/// An item on the case page: its masked fields, the snapshot and the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseItem {
    pub item_id: i64,
    pub category: Category,
    pub institution_name_ja: String,
    pub institution_name_en: String,
    pub link_method: LinkMethod,
    pub linked_at: i64,
    pub fields: Vec<Field>,
    pub snapshot: Identity,
    pub match_card: Vec<MatchRow>,
    pub precheck: PreCheck,
    /// False once the item was moved or removed by this case.
    pub still_linked_to_reporter: bool,
}

/// A staff-only note. This type appears in staff views only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternalNote {
    pub at: i64,
    pub author: String,
    /// `note` (caseworker) or `call` (helpdesk call note).
    pub kind: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalView {
    pub outcome: Outcome,
    pub reason: String,
    pub target: Option<PersonView>,
    pub proposer_name: String,
    pub proposed_by_me: bool,
}

/// A staff access to the item while it was wrongly linked (impact review).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactEntry {
    pub at: i64,
    pub organisation_ja: String,
    pub organisation_en: String,
    pub role: StaffRole,
    pub purpose: String,
}

/// The case page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    pub me: StaffMe,
    pub reference: String,
    pub status: Status,
    pub kind: ReportKind,
    pub category: Category,
    pub institution_name_ja: String,
    pub institution_name_en: String,
    /// The resident's note (plain text).
    pub note: String,
    pub filed_by_helpdesk: bool,
    pub reporter: PersonView,
    pub items: Vec<CaseItem>,
    pub precheck: PreCheck,
    pub timeline: Vec<TimelineEntry>,
    pub notes: Vec<InternalNote>,
    pub proposal: Option<ProposalView>,
    pub outcome: Option<Outcome>,
    pub deadline: Deadline,
    pub submitted_at: i64,
    pub assignee_name: Option<String>,
    /// Action codes the signed-in staff member may take now (`action.<code>` in the locales).
    pub actions: Vec<String>,
    /// Colleagues of the same institution a case can be reassigned to: (staff id, name).
    pub colleagues: Vec<(i64, String)>,
    /// After a relink or unlink: staff accesses while the item was wrongly linked.
    pub impact: Vec<ImpactEntry>,
}

/// What the helpdesk may tell a caller: status and dates, identifiers masked, no internal notes
/// except the helpdesk's own call notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpdeskCaseView {
    pub reference: String,
    pub status: Status,
    pub kind: ReportKind,
    pub category: Category,
    pub institution_name_ja: String,
    pub institution_name_en: String,
    pub submitted_at: i64,
    pub deadline: Deadline,
    /// The family name only, the rest masked.
    pub reporter_name_masked: String,
    pub my_number_masked: String,
    pub items: Vec<ReportItemBrief>,
    pub timeline: Vec<TimelineEntry>,
    pub call_notes: Vec<InternalNote>,
}

/// The family name (before the first space) with the given name masked: 高橋　＊＊.
pub fn mask_name(name: &str) -> String {
    let trimmed = name.trim();
    match trimmed.split_once([' ', '\u{3000}']) {
        Some((family, _)) => format!("{family}\u{3000}＊＊"),
        None => {
            let first: String = trimmed.chars().take(1).collect();
            format!("{first}＊＊")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(kanji: &str, kana: &str, birth: &str, sex: &str, addr: &str) -> Identity {
        Identity {
            name_kanji: Some(kanji.into()),
            name_kana: Some(kana.into()),
            birth_date: Some(birth.into()),
            sex: Some(sex.into()),
            address: Some(addr.into()),
        }
    }

    fn register() -> Identity {
        id(
            "高橋　一郎",
            "タカハシ イチロウ",
            "1980-05-01",
            "M",
            "東京都千代田区霞が関2丁目1番2号",
        )
    }

    #[test]
    fn same_reading_other_kanji_and_address_is_likely_another_person() {
        let snap = id(
            "高橋　市朗",
            "タカハシ イチロウ",
            "1980-05-01",
            "M",
            "大阪府大阪市北区梅田3-1-1",
        );
        let p = precheck(&snap, &register());
        assert_eq!(p.verdict, Verdict::LikelyAnotherPerson);
        assert_eq!(p.reasons, vec!["name_kanji_differs", "address_differs"]);
    }

    #[test]
    fn harmless_notation_is_consistent_and_a_move_is_outdated() {
        let snap = id(
            "髙橋 一郎",
            "ﾀｶﾊｼ ｲﾁﾛｳ",
            "1980-05-01",
            "M",
            "東京都千代田区霞が関２－１－２",
        );
        let p = precheck(&snap, &register());
        assert_eq!(p.verdict, Verdict::Consistent, "{:?}", p.reasons);
        let moved = id(
            "高橋　一郎",
            "タカハシ イチロウ",
            "1980-05-01",
            "M",
            "北海道札幌市中央区北1条西2丁目",
        );
        assert_eq!(
            precheck(&moved, &register()).verdict,
            Verdict::LikelyOutdated
        );
    }

    #[test]
    fn birth_date_or_sex_alone_point_to_another_person() {
        let mut snap = register();
        snap.birth_date = Some("1980-05-02".into());
        assert_eq!(
            precheck(&snap, &register()).verdict,
            Verdict::LikelyAnotherPerson
        );
        let mut snap = register();
        snap.sex = Some("F".into());
        assert_eq!(
            precheck(&snap, &register()).verdict,
            Verdict::LikelyAnotherPerson
        );
    }

    #[test]
    fn a_name_alone_or_too_little_held_needs_review() {
        let mut snap = register();
        snap.name_kanji = Some("佐藤　一郎".into());
        snap.name_kana = Some("サトウ イチロウ".into());
        assert_eq!(precheck(&snap, &register()).verdict, Verdict::NeedsReview);
        let kana_only = Identity {
            name_kana: Some("タカハシ イチロウ".into()),
            ..Identity::default()
        };
        let p = precheck(&kana_only, &register());
        assert_eq!(p.verdict, Verdict::NeedsReview);
        assert_eq!(p.reasons, vec!["few_attributes_held"]);
    }

    #[test]
    fn someone_else_matching_everything_outweighs_a_look_alike_move() {
        // Same name, kana, birth date and sex; the institution's address is someone else's.
        let snap = id(
            "高橋　一郎",
            "タカハシ イチロウ",
            "1980-05-01",
            "M",
            "大阪府大阪市北区梅田3-1-1",
        );
        assert_eq!(
            precheck(&snap, &register()).verdict,
            Verdict::LikelyOutdated
        );
        let namesake = id(
            "髙橋 一郎",
            "タカハシ イチロウ",
            "1980-05-01",
            "M",
            "大阪府大阪市北区梅田3丁目1番1号",
        );
        let assess = |people: &[(u64, Identity)]| {
            let mut b = crate::domain::linkage::RegisterBuilder::default();
            b.add(1, &register(), "h1", false);
            for (n, who) in people {
                b.add(*n, who, &format!("h{n}"), false);
            }
            let (reg, _) = crate::domain::linkage::Register::build(b, false).expect("register");
            let a = reg.assess(
                &crate::domain::linkage::Snapshot::of(&snap),
                1,
                crate::domain::linkage::LinkContext::default(),
            );
            precheck_from(&match_card(&snap, &register()), &a)
        };
        let p = assess(&[(2, namesake)]);
        assert_eq!(p.verdict, Verdict::LikelyAnotherPerson);
        assert!(p.reasons.contains(&"other_resident_matches".to_string()));
        assert!(p.evidence.is_some_and(|e| e.rival.is_some()));
        // Nobody else fits: still a move.
        let stranger = id("佐藤　花子", "サトウ ハナコ", "1980-05-01", "F", "大阪府");
        assert_eq!(assess(&[(3, stranger)]).verdict, Verdict::LikelyOutdated);
    }

    #[test]
    fn the_worst_of_several_items_wins() {
        let a = PreCheck {
            verdict: Verdict::Consistent,
            reasons: vec!["all_held_match".into()],
            evidence: None,
        };
        let b = PreCheck {
            verdict: Verdict::LikelyAnotherPerson,
            reasons: vec!["sex_differs".into()],
            evidence: None,
        };
        let w = PreCheck::worst(&[a, b]);
        assert_eq!(w.verdict, Verdict::LikelyAnotherPerson);
        assert_eq!(w.reasons.len(), 2);
        assert_eq!(PreCheck::worst(&[]).verdict, Verdict::NeedsReview);
    }

    #[test]
    fn proposals_need_what_they_need() {
        assert_eq!(
            check_proposal(Outcome::Relink, "", None, 1),
            Err(ProposalError::TargetRequired)
        );
        assert_eq!(
            check_proposal(Outcome::Relink, "", Some(1), 1),
            Err(ProposalError::TargetIsReporter)
        );
        assert_eq!(check_proposal(Outcome::Relink, "", Some(2), 1), Ok(()));
        assert_eq!(
            check_proposal(Outcome::NoError, " ", None, 1),
            Err(ProposalError::ReasonRequired)
        );
        assert_eq!(check_proposal(Outcome::CorrectDetails, "", None, 1), Ok(()));
    }

    #[test]
    fn codes_round_trip_and_names_are_masked() {
        for k in ReportKind::ALL {
            assert_eq!(ReportKind::from_code(k.code()), Some(k));
        }
        for v in Verdict::ALL {
            assert_eq!(Verdict::from_code(v.code()), Some(v));
        }
        for e in EventKind::ALL {
            assert_eq!(EventKind::from_code(e.code()), Some(e));
        }
        for r in StaffRole::ALL {
            assert_eq!(StaffRole::from_code(r.code()), Some(r));
        }
        assert_eq!(mask_name("高橋　一郎"), "高橋\u{3000}＊＊");
        assert_eq!(mask_name("高橋一郎"), "高＊＊");
    }
}
