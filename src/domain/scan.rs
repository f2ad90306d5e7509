//! The integrity scan's matching engine (issue 4): scores a link from the institution's snapshot
//! against the register entry it is linked to, explains the score with short reason codes, and
//! searches the register for the person the snapshot most likely belongs to.
//!
//! Pure Rust, no I/O. Identities are first reduced to a [`Compact`] form: every attribute is
//! normalized with [`super::normalize`] and kept as a hash, so ten million register rows fit in
//! memory and comparisons are integer compares.
//!
//! The score is a noisy-or of the evidence: each reason carries a weight in (0, 1) and
//! `score = 1 − Π(1 − weight)`. Missing attributes are not evidence either way (missing ≠ differs).
//! The verdict follows from the score and the two thresholds [`WRONG_PERSON_THRESHOLD`] and
//! [`NEEDS_REVIEW_THRESHOLD`].

use super::matching::Identity;
use super::normalize;

/// From this score on, a link is judged `wrong_person`.
pub const WRONG_PERSON_THRESHOLD: f64 = 0.75;
/// From this score on (and below [`WRONG_PERSON_THRESHOLD`]), a link `needs_review`.
pub const NEEDS_REVIEW_THRESHOLD: f64 = 0.15;
/// A register person other than the linked one "matches better" when their own score is lower
/// than the linked person's by at least this margin, and is itself below
/// [`NEEDS_REVIEW_THRESHOLD`].
pub const BETTER_MATCH_MARGIN: f64 = 0.05;
/// Fewer compared attributes than this adds `few_attributes`.
pub const MIN_COMPARED_ATTRIBUTES: usize = 2;
/// Blocks larger than this (very common names without a birth date) are not searched for a
/// suggestion; the link is still scored.
pub const MAX_BLOCK_SCAN: usize = 256;

/// Weight of the birth dates differing: alone enough for `wrong_person`.
pub const W_BIRTH_DATE_DIFFERS: f64 = 0.85;
/// Weight of the sexes differing: alone enough for `wrong_person`.
pub const W_SEX_DIFFERS: f64 = 0.80;
/// Weight of kana names differing in both family and given name.
pub const W_KANA_DIFFERS: f64 = 0.50;
/// Weight of kana names differing in one part only (marriage, a misread given name).
pub const W_KANA_PARTLY_DIFFERS: f64 = 0.30;
/// Weight of kanji names differing in both parts.
pub const W_KANJI_DIFFERS: f64 = 0.40;
/// Weight of kanji names differing in one part only.
pub const W_KANJI_PARTLY_DIFFERS: f64 = 0.25;
/// Weight of the addresses differing: weak, people move.
pub const W_ADDRESS_DIFFERS: f64 = 0.20;
/// Weight of comparing fewer than [`MIN_COMPARED_ATTRIBUTES`] attributes.
pub const W_FEW_ATTRIBUTES: f64 = 0.10;
/// Weight of no compared attribute agreeing while a whole name differs.
pub const W_NOTHING_AGREES: f64 = 0.70;
/// Weight of another register person matching strictly better.
pub const W_BETTER_MATCH_ELSEWHERE: f64 = 0.95;
/// Weight of another member of the linked person's household matching strictly better.
pub const W_HOUSEHOLD_MEMBER_MATCHES: f64 = 0.90;
/// Weight of a link to a person the register records as deceased.
pub const W_LINKED_TO_DECEASED: f64 = 0.90;
/// Weight of one source record linked to several people.
pub const W_SOURCE_LINKED_TO_SEVERAL: f64 = 0.70;
/// Weight of a link to a number the register does not hold.
pub const W_NOT_IN_REGISTER: f64 = 0.90;

/// Reason codes (plain words, so they are not mistaken for i18n keys).
pub mod reason {
    pub const BIRTH_DATE_DIFFERS: &str = "birth_date_differs";
    pub const SEX_DIFFERS: &str = "sex_differs";
    pub const KANA_DIFFERS: &str = "kana_differs";
    pub const KANA_PARTLY_DIFFERS: &str = "kana_partly_differs";
    pub const KANJI_DIFFERS: &str = "kanji_differs";
    pub const KANJI_PARTLY_DIFFERS: &str = "kanji_partly_differs";
    pub const ADDRESS_DIFFERS: &str = "address_differs";
    pub const FEW_ATTRIBUTES: &str = "few_attributes";
    pub const NOTHING_AGREES: &str = "nothing_agrees";
    pub const BETTER_MATCH_ELSEWHERE: &str = "better_match_elsewhere";
    pub const HOUSEHOLD_MEMBER_MATCHES: &str = "household_member_matches";
    pub const SOURCE_LINKED_TO_SEVERAL: &str = "source_linked_to_several";
    pub const LINKED_TO_DECEASED: &str = "linked_to_deceased";
    pub const NOT_IN_REGISTER: &str = "not_in_register";
}

/// The three verdicts of the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict3 {
    WrongPerson,
    NeedsReview,
    Consistent,
}

impl Verdict3 {
    pub const ALL: [Verdict3; 3] = [
        Verdict3::WrongPerson,
        Verdict3::NeedsReview,
        Verdict3::Consistent,
    ];

    /// The output code: `wrong_person`, `needs_review` or `consistent`.
    pub fn code(self) -> &'static str {
        match self {
            Verdict3::WrongPerson => "wrong_person",
            Verdict3::NeedsReview => "needs_review",
            Verdict3::Consistent => "consistent",
        }
    }

    /// The verdict a score earns under the default thresholds.
    pub fn from_score(score: f64) -> Self {
        if score >= WRONG_PERSON_THRESHOLD {
            Verdict3::WrongPerson
        } else if score >= NEEDS_REVIEW_THRESHOLD {
            Verdict3::NeedsReview
        } else {
            Verdict3::Consistent
        }
    }
}

/// A scored link: higher score means more likely wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub score: f64,
    pub verdict: Verdict3,
    pub reasons: Vec<&'static str>,
}

impl Assessment {
    /// Builds an assessment from weighted reasons (noisy-or).
    fn from_evidence(evidence: &[(&'static str, f64)]) -> Self {
        let keep: f64 = evidence.iter().map(|(_, w)| 1.0 - w).product();
        let score = (1.0 - keep).clamp(0.0, 1.0);
        Assessment {
            score,
            verdict: Verdict3::from_score(score),
            reasons: evidence.iter().map(|(r, _)| *r).collect(),
        }
    }
}

/// A name reduced to hashes of the whole and of its family and given parts (0 = not known).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NameKey {
    pub full: u64,
    pub family: u32,
    pub given: u32,
}

impl NameKey {
    fn of(raw: &str, f: fn(&str) -> String) -> Self {
        // Normalization works character by character and drops the spaces, so the whole name is
        // the concatenation of its normalized parts.
        let parts = normalize::name_parts(raw, f);
        let full = parts.concat();
        if full.is_empty() {
            return NameKey::default();
        }
        let (family, given) = match parts.as_slice() {
            [family, given] => (hash32(family), hash32(given)),
            _ => (0, 0),
        };
        NameKey {
            full: hash64(&full),
            family,
            given,
        }
    }

    fn known(self) -> bool {
        self.full != 0
    }
}

/// An identity reduced to hashes of its normalized attributes; 0 means "not held".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Compact {
    pub kanji: NameKey,
    pub kana: NameKey,
    /// Register side: the Hepburn romaji of the kana name. Snapshot side: the romaji of a name
    /// written in Latin letters (in either name column).
    pub romaji: u64,
    /// Whether `romaji` comes from a Latin-letter name (snapshot side).
    pub latin: bool,
    /// `YYYYMMDD`.
    pub birth: u32,
    /// 1 = M, 2 = F.
    pub sex: u8,
    pub address: u64,
}

impl Compact {
    /// Reduces an identity. A name written in Latin letters is kept as romaji only (it is not
    /// comparable with kanji; it is compared with the kana name, romanized).
    pub fn of(id: &Identity) -> Self {
        let mut c = Compact::default();
        for raw in [field(&id.name_kanji), field(&id.name_kana)]
            .into_iter()
            .flatten()
        {
            if normalize::is_latin_name(raw) {
                c.romaji = latin_key(raw);
                c.latin = true;
            }
        }
        if let Some(k) = field(&id.name_kanji).filter(|s| !normalize::is_latin_name(s)) {
            c.kanji = NameKey::of(k, normalize::name_kanji);
        }
        if let Some(k) = field(&id.name_kana).filter(|s| !normalize::is_latin_name(s)) {
            c.kana = NameKey::of(k, normalize::name_kana);
            if !c.latin {
                c.romaji = romaji_key(k);
            }
        }
        c.birth = field(&id.birth_date).map(birth_key).unwrap_or(0);
        c.sex = match field(&id.sex).map(normalize::sex).as_deref() {
            Some("M") => 1,
            Some("F") => 2,
            _ => 0,
        };
        c.address = field(&id.address)
            .map(normalize::address)
            .filter(|a| !a.is_empty())
            .map(|a| hash64(&a))
            .unwrap_or(0);
        c
    }
}

/// XXH3: several times faster than the standard SipHash on short names and addresses (a scan
/// hashes about eight strings a row), and as good at telling them apart. Never 0 (0 = not known).
fn hash64(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes()) | 1
}

fn hash32(s: &str) -> u32 {
    (hash64(s) >> 32) as u32 | 1
}

/// A held attribute, trimmed; `None` when missing or blank.
fn field(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A birth date as `YYYYMMDD`, or 0 when it is not a date.
fn birth_key(raw: &str) -> u32 {
    let d = normalize::date(raw);
    let digits: String = d.chars().filter(char::is_ascii_digit).collect();
    if d.len() == 10 && digits.len() == 8 {
        digits.parse().unwrap_or(0)
    } else {
        0
    }
}

/// Order-insensitive key of romaji parts (`Taro Yamada` = `YAMADA TARO`).
fn parts_key(mut parts: Vec<String>) -> u64 {
    parts.retain(|p| !p.is_empty());
    if parts.is_empty() {
        return 0;
    }
    parts.sort();
    hash64(&parts.join(" "))
}

fn latin_key(raw: &str) -> u64 {
    parts_key(normalize::name_parts(raw, normalize::romaji))
}

fn romaji_key(kana: &str) -> u64 {
    parts_key(normalize::name_parts(kana, normalize::kana_to_romaji))
}

/// How one attribute compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Same,
    Partly,
    Differs,
    NotCompared,
}

fn cmp_value<T: PartialEq + Default>(a: T, b: T) -> Cmp {
    let none = T::default();
    if a == none || b == none {
        Cmp::NotCompared
    } else if a == b {
        Cmp::Same
    } else {
        Cmp::Differs
    }
}

fn cmp_name(a: NameKey, b: NameKey) -> Cmp {
    if !a.known() || !b.known() {
        return Cmp::NotCompared;
    }
    if a.full == b.full {
        return Cmp::Same;
    }
    let part_same = |x: u32, y: u32| x != 0 && x == y;
    if part_same(a.family, b.family) || part_same(a.given, b.given) {
        Cmp::Partly
    } else {
        Cmp::Differs
    }
}

/// Compares a snapshot with one register person, attribute by attribute, and weighs the evidence.
/// Structural flags are not part of this; see [`RegisterIndex::assess`].
pub fn assess_pair(snapshot: &Compact, person: &Compact) -> Assessment {
    Assessment::from_evidence(&pair_evidence(snapshot, person))
}

fn pair_evidence(s: &Compact, p: &Compact) -> Vec<(&'static str, f64)> {
    let kana = match cmp_name(s.kana, p.kana) {
        Cmp::NotCompared if s.latin => cmp_value(s.romaji, p.romaji),
        other => other,
    };
    let kanji = cmp_name(s.kanji, p.kanji);
    let birth = cmp_value(s.birth, p.birth);
    let sex = cmp_value(s.sex, p.sex);
    let address = cmp_value(s.address, p.address);
    let all = [kana, kanji, birth, sex, address];
    let compared = all.iter().filter(|c| **c != Cmp::NotCompared).count();
    let agreeing = all.iter().filter(|c| **c == Cmp::Same).count();

    let mut ev = Vec::new();
    if birth == Cmp::Differs {
        ev.push((reason::BIRTH_DATE_DIFFERS, W_BIRTH_DATE_DIFFERS));
    }
    if sex == Cmp::Differs {
        ev.push((reason::SEX_DIFFERS, W_SEX_DIFFERS));
    }
    match kana {
        Cmp::Differs => ev.push((reason::KANA_DIFFERS, W_KANA_DIFFERS)),
        Cmp::Partly => ev.push((reason::KANA_PARTLY_DIFFERS, W_KANA_PARTLY_DIFFERS)),
        _ => {}
    }
    match kanji {
        Cmp::Differs => ev.push((reason::KANJI_DIFFERS, W_KANJI_DIFFERS)),
        Cmp::Partly => ev.push((reason::KANJI_PARTLY_DIFFERS, W_KANJI_PARTLY_DIFFERS)),
        _ => {}
    }
    if address == Cmp::Differs {
        ev.push((reason::ADDRESS_DIFFERS, W_ADDRESS_DIFFERS));
    }
    if compared < MIN_COMPARED_ATTRIBUTES {
        ev.push((reason::FEW_ATTRIBUTES, W_FEW_ATTRIBUTES));
    }
    if compared > 0 && agreeing == 0 && (kana == Cmp::Differs || kanji == Cmp::Differs) {
        ev.push((reason::NOTHING_AGREES, W_NOTHING_AGREES));
    }
    ev
}

/// Scores a link from the raw identities: the snapshot the institution holds against the
/// register's identity of the person it is linked to. Structural flags need the whole register;
/// see [`RegisterIndex`].
pub fn score(snapshot: &Identity, linked: &Identity) -> Assessment {
    assess_pair(&Compact::of(snapshot), &Compact::of(linked))
}

/// One register row in compact form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterEntry {
    /// The 12-digit My Number as an integer.
    pub my_number: u64,
    /// A hash of the household id (0 = not known).
    pub household: u64,
    pub deceased: bool,
    pub key: Compact,
}

impl RegisterEntry {
    /// Builds an entry; `household_id` and the identity are raw register values.
    pub fn new(my_number: u64, identity: &Identity, household_id: &str, deceased: bool) -> Self {
        let hh = household_id.trim();
        RegisterEntry {
            my_number,
            household: if hh.is_empty() { 0 } else { hash64(hh) },
            deceased,
            key: Compact::of(identity),
        }
    }
}

/// A suggested rightful owner, with the snapshot's score against them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggestion {
    pub my_number: u64,
    pub score: f64,
}

/// The full result for one link.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkAssessment {
    pub assessment: Assessment,
    pub suggestion: Option<Suggestion>,
}

/// The register, indexed for look-up by number, for blocking (birth date + kana, birth date +
/// kanji, kana alone when the snapshot holds no birth date) and by household. Every index is a
/// list of row positions sorted by its key, with the keys beside them: 12 bytes a row.
pub struct RegisterIndex {
    rows: Vec<RegisterEntry>,
    /// The numbers of `rows`, in the same order, for a cache-friendly binary search.
    numbers: Vec<u64>,
    by_birth_kana: BlockIndex,
    by_birth_kanji: BlockIndex,
    by_kana: BlockIndex,
    by_household: BlockIndex,
}

/// Row positions sorted by a key, with the keys beside them (12 bytes a row).
struct BlockIndex {
    keys: Vec<u64>,
    rows: Vec<u32>,
}

impl BlockIndex {
    /// Sorts `(key, row)` pairs, so the sort touches contiguous memory only; key 0 is left out.
    fn build(rows: &[RegisterEntry], key: impl Fn(&RegisterEntry) -> u64) -> Self {
        let mut pairs: Vec<(u64, u32)> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (key(r), i as u32))
            .filter(|(k, _)| *k != 0)
            .collect();
        pairs.sort_unstable();
        BlockIndex {
            keys: pairs.iter().map(|(k, _)| *k).collect(),
            rows: pairs.iter().map(|(_, i)| *i).collect(),
        }
    }

    /// Row positions with this key.
    fn get(&self, key: u64) -> &[u32] {
        if key == 0 {
            return &[];
        }
        let start = self.keys.partition_point(|&k| k < key);
        let end = start + self.keys[start..].partition_point(|&k| k <= key);
        &self.rows[start..end]
    }
}

/// The register held the same number more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuplicateNumbers(pub usize);

fn mix(a: u64, b: u64) -> u64 {
    (a ^ b.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1
}

fn key_birth_kana(c: &Compact) -> u64 {
    if c.birth == 0 || !c.kana.known() {
        0
    } else {
        mix(u64::from(c.birth), c.kana.full)
    }
}

fn key_birth_kanji(c: &Compact) -> u64 {
    if c.birth == 0 || !c.kanji.known() {
        0
    } else {
        mix(u64::from(c.birth), c.kanji.full)
    }
}

fn key_kana(c: &Compact) -> u64 {
    c.kana.full
}

impl RegisterIndex {
    /// Builds the index. Duplicate numbers keep their first row and are counted in the error
    /// when `allow_duplicates` is false.
    pub fn build(
        mut rows: Vec<RegisterEntry>,
        allow_duplicates: bool,
    ) -> Result<(Self, usize), DuplicateNumbers> {
        rows.sort_by_key(|r| r.my_number);
        let before = rows.len();
        rows.dedup_by_key(|r| r.my_number);
        let duplicates = before - rows.len();
        if duplicates > 0 && !allow_duplicates {
            return Err(DuplicateNumbers(duplicates));
        }
        rows.shrink_to_fit();
        let numbers = rows.iter().map(|r| r.my_number).collect();
        let index = RegisterIndex {
            numbers,
            by_birth_kana: BlockIndex::build(&rows, |r| key_birth_kana(&r.key)),
            by_birth_kanji: BlockIndex::build(&rows, |r| key_birth_kanji(&r.key)),
            by_kana: BlockIndex::build(&rows, |r| key_kana(&r.key)),
            by_household: BlockIndex::build(&rows, |r| r.household),
            rows,
        };
        Ok((index, duplicates))
    }

    /// Number of people in the register.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn position(&self, my_number: u64) -> Option<usize> {
        self.numbers.binary_search(&my_number).ok()
    }

    /// The register row of a number.
    pub fn get(&self, my_number: u64) -> Option<&RegisterEntry> {
        self.position(my_number).map(|i| &self.rows[i])
    }

    /// The best-matching person among `candidates` other than `exclude`: strictly better than
    /// `than` by [`BETTER_MATCH_MARGIN`] and itself below [`NEEDS_REVIEW_THRESHOLD`]. Ties between
    /// different people give no single suggestion (`Some(None)`: someone matches better, but it
    /// is ambiguous who).
    fn better_among(
        &self,
        snapshot: &Compact,
        candidates: impl Iterator<Item = u32>,
        exclude: Option<usize>,
        than: f64,
    ) -> Option<Option<Suggestion>> {
        let mut best: Option<(Suggestion, bool)> = None;
        for i in candidates {
            if Some(i as usize) == exclude {
                continue;
            }
            let row = &self.rows[i as usize];
            let s = assess_pair(snapshot, &row.key).score;
            if s >= NEEDS_REVIEW_THRESHOLD || s > than - BETTER_MATCH_MARGIN {
                continue;
            }
            let cand = Suggestion {
                my_number: row.my_number,
                score: s,
            };
            best = match best {
                None => Some((cand, false)),
                Some((b, _)) if s < b.score => Some((cand, false)),
                Some((b, _)) if s == b.score && b.my_number != cand.my_number => Some((b, true)),
                keep => keep,
            };
        }
        best.map(|(b, ambiguous)| (!ambiguous).then_some(b))
    }

    /// Searches the blocks of the snapshot for someone matching better than `than`.
    fn better_elsewhere(
        &self,
        snapshot: &Compact,
        exclude: Option<usize>,
        than: f64,
    ) -> Option<Option<Suggestion>> {
        let mut blocks: Vec<&[u32]> = vec![
            self.by_birth_kana.get(key_birth_kana(snapshot)),
            self.by_birth_kanji.get(key_birth_kanji(snapshot)),
        ];
        if snapshot.birth == 0 {
            blocks.push(self.by_kana.get(key_kana(snapshot)));
        }
        let candidates = blocks
            .into_iter()
            .filter(|b| b.len() <= MAX_BLOCK_SCAN)
            .flat_map(|b| b.iter().copied());
        self.better_among(snapshot, candidates, exclude, than)
    }

    /// Assesses one link: the snapshot against the linked person, then the structural flags
    /// (deceased, a better-matching household member, a better match elsewhere in the register)
    /// and the suggestion.
    pub fn assess(&self, snapshot: &Compact, linked_number: u64) -> LinkAssessment {
        let Some(pos) = self.position(linked_number) else {
            let mut ev = vec![(reason::NOT_IN_REGISTER, W_NOT_IN_REGISTER)];
            let found = self.better_elsewhere(snapshot, None, 1.0 + BETTER_MATCH_MARGIN);
            if found.is_some() {
                ev.push((reason::BETTER_MATCH_ELSEWHERE, W_BETTER_MATCH_ELSEWHERE));
            }
            return LinkAssessment {
                assessment: Assessment::from_evidence(&ev),
                suggestion: found.flatten(),
            };
        };
        let linked = &self.rows[pos];
        let mut ev = pair_evidence(snapshot, &linked.key);
        let own = Assessment::from_evidence(&ev).score;
        if linked.deceased {
            ev.push((reason::LINKED_TO_DECEASED, W_LINKED_TO_DECEASED));
        }
        let mut suggestion = None;
        if own >= NEEDS_REVIEW_THRESHOLD {
            let members = self.by_household.get(linked.household).iter().copied();
            if let Some(found) = self.better_among(snapshot, members, Some(pos), own) {
                ev.push((reason::HOUSEHOLD_MEMBER_MATCHES, W_HOUSEHOLD_MEMBER_MATCHES));
                suggestion = found;
            } else if let Some(found) = self.better_elsewhere(snapshot, Some(pos), own) {
                ev.push((reason::BETTER_MATCH_ELSEWHERE, W_BETTER_MATCH_ELSEWHERE));
                suggestion = found;
            }
        }
        LinkAssessment {
            assessment: Assessment::from_evidence(&ev),
            suggestion,
        }
    }
}

/// Counts how many different people one source record (same institution and source key) is
/// linked to: `source_linked_to_several` for each link of a key seen with more than one number.
/// Pure; the caller supplies `(source_key_hash, my_number)` pairs.
pub fn sources_linked_to_several(pairs: &[(u64, u64)]) -> Vec<bool> {
    let mut sorted: Vec<(u64, u64)> = pairs.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    pairs
        .iter()
        .map(|(k, _)| {
            let start = sorted.partition_point(|(s, _)| s < k);
            let end = sorted.partition_point(|(s, _)| s <= k);
            end - start > 1
        })
        .collect()
}

/// Adds `source_linked_to_several` to an assessment.
pub fn with_source_flag(mut a: Assessment) -> Assessment {
    let keep = (1.0 - a.score) * (1.0 - W_SOURCE_LINKED_TO_SEVERAL);
    a.score = (1.0 - keep).clamp(0.0, 1.0);
    a.verdict = Verdict3::from_score(a.score);
    a.reasons.push(reason::SOURCE_LINKED_TO_SEVERAL);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(k: &str, kana: &str, b: &str, s: &str, a: &str) -> Identity {
        let o = |v: &str| (!v.is_empty()).then(|| v.to_string());
        Identity {
            name_kanji: o(k),
            name_kana: o(kana),
            birth_date: o(b),
            sex: o(s),
            address: o(a),
        }
    }

    fn taro() -> Identity {
        id(
            "山田　太郎",
            "ヤマダ タロウ",
            "1980-05-01",
            "M",
            "東京都千代田区霞が関2丁目1番2号",
        )
    }

    fn entry(n: u64, identity: &Identity, hh: &str) -> RegisterEntry {
        RegisterEntry::new(n, identity, hh, false)
    }

    #[test]
    fn identical_and_harmlessly_different_snapshots_are_consistent() {
        let a = score(&taro(), &taro());
        assert_eq!(a.verdict, Verdict3::Consistent);
        assert_eq!(a.score, 0.0);
        let noisy = id(
            "山田 太郎",
            "ﾔﾏﾀﾞ ﾀﾛｳ",
            "1980/5/1",
            "男",
            "千代田区霞が関２－１－２",
        );
        let a = score(&noisy, &taro());
        assert_eq!(a.verdict, Verdict3::Consistent, "{a:?}");
        assert!(a.reasons.is_empty());
    }

    #[test]
    fn birth_date_differing_is_wrong_person() {
        let mut s = taro();
        s.birth_date = Some("1981-05-01".into());
        let a = score(&s, &taro());
        assert_eq!(a.verdict, Verdict3::WrongPerson);
        assert_eq!(a.reasons, vec![reason::BIRTH_DATE_DIFFERS]);
    }

    #[test]
    fn sex_differing_is_wrong_person() {
        let mut s = taro();
        s.sex = Some("F".into());
        let a = score(&s, &taro());
        assert_eq!(a.verdict, Verdict3::WrongPerson);
        assert!(a.reasons.contains(&reason::SEX_DIFFERS));
    }

    #[test]
    fn a_move_alone_needs_review_not_wrong() {
        let mut s = taro();
        s.address = Some("大阪府大阪市北区梅田1-2-3".into());
        let a = score(&s, &taro());
        assert_eq!(a.verdict, Verdict3::NeedsReview);
        assert_eq!(a.reasons, vec![reason::ADDRESS_DIFFERS]);
    }

    #[test]
    fn a_different_kanji_with_everything_else_same_needs_review() {
        let mut s = taro();
        s.name_kanji = Some("山田　太朗".into());
        let a = score(&s, &taro());
        assert_eq!(a.verdict, Verdict3::NeedsReview, "{a:?}");
        assert_eq!(a.reasons, vec![reason::KANJI_PARTLY_DIFFERS]);
        s.name_kanji = Some("川口　次郎".into());
        assert_eq!(score(&s, &taro()).reasons, vec![reason::KANJI_DIFFERS]);
    }

    #[test]
    fn kana_differing_with_the_rest_agreeing_needs_review() {
        let mut s = taro();
        s.name_kana = Some("ヤマタ タロウ".into());
        let a = score(&s, &taro());
        assert_eq!(a.verdict, Verdict3::NeedsReview);
        assert_eq!(a.reasons, vec![reason::KANA_PARTLY_DIFFERS]);
    }

    #[test]
    fn missing_attributes_are_not_differences() {
        let s = id("", "ヤマダ タロウ", "1980-05-01", "", "");
        let a = score(&s, &taro());
        assert_eq!(a.verdict, Verdict3::Consistent);
        let only_kana = id("", "ヤマダ タロウ", "", "", "");
        let a = score(&only_kana, &taro());
        assert_eq!(a.reasons, vec![reason::FEW_ATTRIBUTES]);
        assert_eq!(a.verdict, Verdict3::Consistent);
        let empty = score(&Identity::default(), &taro());
        assert_eq!(empty.verdict, Verdict3::Consistent);
    }

    #[test]
    fn a_kana_only_account_holder_of_another_name_is_wrong_person() {
        let s = id("", "ｽｽﾞｷ ﾊﾅｺ", "", "", "");
        let a = score(&s, &taro());
        assert_eq!(a.verdict, Verdict3::WrongPerson, "{a:?}");
        assert!(a.reasons.contains(&reason::NOTHING_AGREES));
    }

    #[test]
    fn latin_names_compare_with_romanized_kana() {
        let s = id("Taro YAMADA", "", "1980-05-01", "M", "");
        let a = score(&s, &taro());
        assert_eq!(a.verdict, Verdict3::Consistent, "{a:?}");
        let s = id("Hanako Suzuki", "", "1980-05-01", "M", "");
        let a = score(&s, &taro());
        assert!(a.reasons.contains(&reason::KANA_DIFFERS), "{a:?}");
    }

    #[test]
    fn scores_stay_in_range_and_order_with_evidence() {
        let all_wrong = id(
            "鈴木　花子",
            "スズキ ハナコ",
            "1990-01-01",
            "F",
            "大阪市北区1-1-1",
        );
        let a = score(&all_wrong, &taro());
        assert!(a.score <= 1.0 && a.score > WRONG_PERSON_THRESHOLD);
        let mut moved = taro();
        moved.address = Some("大阪市北区1-1-1".into());
        assert!(score(&moved, &taro()).score < a.score);
    }

    /// The hardest 2023 pattern: same kanji, kana, birth date and sex, another person's address.
    #[test]
    fn same_kana_other_person_is_wrong_with_the_owner_suggested() {
        let owner = id(
            "山田　太郎",
            "ヤマダ タロウ",
            "1980-05-01",
            "M",
            "大阪府大阪市北区梅田1丁目2番3号",
        );
        let (reg, _) = RegisterIndex::build(
            vec![entry(111, &taro(), "h1"), entry(222, &owner, "h2")],
            false,
        )
        .expect("no duplicates");
        let found = reg.assess(&Compact::of(&owner), 111);
        assert_eq!(found.assessment.verdict, Verdict3::WrongPerson);
        assert!(found
            .assessment
            .reasons
            .contains(&reason::BETTER_MATCH_ELSEWHERE));
        assert_eq!(found.suggestion.map(|s| s.my_number), Some(222));
        assert_eq!(found.suggestion.map(|s| s.score), Some(0.0));
    }

    #[test]
    fn a_plain_move_is_not_flagged_wrong() {
        let other = id(
            "山田　太郎",
            "ヤマダ タロウ",
            "1975-01-01",
            "M",
            "札幌市中央区1-1-1",
        );
        let (reg, _) = RegisterIndex::build(
            vec![entry(111, &taro(), "h1"), entry(222, &other, "h2")],
            false,
        )
        .expect("no duplicates");
        let mut moved = taro();
        moved.address = Some("福岡市博多区3-2-1".into());
        let a = reg.assess(&Compact::of(&moved), 111);
        assert_eq!(a.assessment.verdict, Verdict3::NeedsReview);
        assert_eq!(a.suggestion, None);
    }

    #[test]
    fn equally_good_candidates_elsewhere_do_not_flag() {
        // Linked person and another both match everything but the address.
        let twin = id(
            "山田　太郎",
            "ヤマダ タロウ",
            "1980-05-01",
            "M",
            "札幌市中央区1-1-1",
        );
        let (reg, _) = RegisterIndex::build(
            vec![entry(111, &taro(), "h1"), entry(222, &twin, "h2")],
            false,
        )
        .expect("no duplicates");
        let mut moved = taro();
        moved.address = Some("福岡市博多区3-2-1".into());
        let a = reg.assess(&Compact::of(&moved), 111);
        assert_ne!(a.assessment.verdict, Verdict3::WrongPerson);
    }

    #[test]
    fn a_family_members_record_is_flagged_with_the_member() {
        let hanako = id(
            "山田　花子",
            "ヤマダ ハナコ",
            "1982-03-03",
            "F",
            "東京都千代田区霞が関2-1-2",
        );
        let (reg, _) = RegisterIndex::build(
            vec![entry(111, &taro(), "h1"), entry(333, &hanako, "h1")],
            false,
        )
        .expect("no duplicates");
        // Her bank account (kana only) on his number.
        let account = id("", "ﾔﾏﾀﾞ ﾊﾅｺ", "", "", "");
        let a = reg.assess(&Compact::of(&account), 111);
        assert_eq!(a.assessment.verdict, Verdict3::WrongPerson, "{a:?}");
        assert!(a
            .assessment
            .reasons
            .contains(&reason::HOUSEHOLD_MEMBER_MATCHES));
        assert_eq!(a.suggestion.map(|s| s.my_number), Some(333));
    }

    #[test]
    fn a_link_to_a_deceased_person_is_flagged() {
        let (reg, _) =
            RegisterIndex::build(vec![RegisterEntry::new(111, &taro(), "h1", true)], false)
                .expect("no duplicates");
        let a = reg.assess(&Compact::of(&taro()), 111);
        assert!(a.assessment.reasons.contains(&reason::LINKED_TO_DECEASED));
        assert_eq!(a.assessment.verdict, Verdict3::WrongPerson);
    }

    #[test]
    fn a_number_missing_from_the_register_is_flagged() {
        let (reg, _) =
            RegisterIndex::build(vec![entry(111, &taro(), "h1")], false).expect("no duplicates");
        let a = reg.assess(&Compact::of(&taro()), 999);
        assert!(a.assessment.reasons.contains(&reason::NOT_IN_REGISTER));
        assert_eq!(a.suggestion.map(|s| s.my_number), Some(111));
    }

    #[test]
    fn duplicate_numbers_are_refused_unless_allowed() {
        let rows = vec![entry(111, &taro(), "h1"), entry(111, &taro(), "h1")];
        assert_eq!(
            RegisterIndex::build(rows.clone(), false).err(),
            Some(DuplicateNumbers(1))
        );
        let (reg, dups) = RegisterIndex::build(rows, true).expect("allowed");
        assert_eq!((reg.len(), dups), (1, 1));
    }

    #[test]
    fn one_source_record_on_several_people_is_flagged() {
        let flags = sources_linked_to_several(&[(1, 111), (1, 222), (2, 111), (3, 333), (3, 333)]);
        assert_eq!(flags, vec![true, true, false, false, false]);
        let a = with_source_flag(score(&taro(), &taro()));
        assert!(a.reasons.contains(&reason::SOURCE_LINKED_TO_SEVERAL));
        assert_eq!(a.verdict, Verdict3::NeedsReview);
    }

    #[test]
    fn verdict_codes() {
        let codes: Vec<_> = Verdict3::ALL.iter().map(|v| v.code()).collect();
        assert_eq!(codes, vec!["wrong_person", "needs_review", "consistent"]);
    }
}
