//! The register, indexed for the engine: every person's attributes as hashes ([`Keys`]) with the
//! strings in one [`Pool`], blocking keys for the rival search, households, and the trained
//! [`Model`]. [`Register::assess`] scores one link and explains the score.
//!
//! Rival search. A link is also wrong when someone else in the register explains the record
//! clearly better. Candidates come from several blocking keys at once, so the rightful owner is
//! found even when their record has a typo: birth date with the family or the given name (kana
//! and kanji, each); the whole kana or kanji name with two of the three parts of the date (a
//! typo in the third, or day and month swapped); the whole name alone for a record without a
//! date; each Latin name token, alone and with two of the three parts of the date; and the
//! linked person's household. No block is capped: a block over [`SUB_BLOCK`] people is read
//! through its sub-blocks (a common Latin token or the birth date alone through the keys that
//! add the date or a name to it) or through a cheap filter (the birth date the same or a typo
//! away, or the sex), never cut at a count.

use super::compare::{self, level, Field, Gamma, Keys, Pool, COMPARISONS, K, NONE};
use super::features::Features;
use super::model::{probability, tf_u, Model, Patterns};
use crate::domain::category::Category;
use crate::domain::matching::Identity;
use serde::{Deserialize, Serialize};

/// A verdict becomes `wrong_person` from this probability that the link is wrong on.
pub const WRONG_PERSON_P: f64 = 0.9;
/// A verdict becomes `needs_review` from this probability on.
pub const NEEDS_REVIEW_P: f64 = 0.2;
/// A rival counts only when it explains the record by at least this many bits (32 times) more
/// than the linked person: one notch of one attribute (a typo against exact) is not enough.
pub const RIVAL_MARGIN_BITS: f64 = 5.0;
/// Two rivals within this many bits of each other are a tie: no single owner is named.
pub const TIE_BITS: f64 = 1.0;
/// A suggested owner must itself match the record with at least this weight.
pub const SUGGEST_MIN_BITS: f64 = 6.0;
/// Below this many people, u keeps its a-priori values.
pub const MIN_PEOPLE_FOR_U: usize = 1_000;
/// A block bigger than this (a common whole name or Latin name token without the date, a date
/// alone) is sub-blocked on the birth date, or without one on the sex.
pub const SUB_BLOCK: usize = 64;
/// Floor of the probability of being wrong for a record with two compared attributes or fewer
/// ("never confidently consistent").
pub const FEW_ATTRIBUTES_P: f64 = 0.05;
/// A source record linked to several people needs review.
pub const STRUCTURAL_P: f64 = 0.5;
/// Someone else in the register fits the record exactly as well as the linked person: the
/// record cannot tell them apart (the 2023 namesake pattern, where it holds no address).
pub const EQUAL_FIT_P: f64 = 0.5;
/// An account in a family member's name: its own finding, reviewed.
pub const FAMILY_ACCOUNT_P: f64 = 0.5;
/// A public-fund account whose holder is not the registered person.
pub const ACCOUNT_HOLDER_P: f64 = 0.95;

/// Reason codes (`reason.<code>` in the locales).
pub mod reason {
    pub const BIRTH_DATE_DIFFERS: &str = "birth_date_differs";
    pub const BIRTH_DATE_CLOSE: &str = "birth_date_close";
    pub const SEX_DIFFERS: &str = "sex_differs";
    pub const KANA_DIFFERS: &str = "kana_differs";
    pub const KANA_PARTLY_DIFFERS: &str = "kana_partly_differs";
    pub const KANJI_DIFFERS: &str = "kanji_differs";
    pub const KANJI_PARTLY_DIFFERS: &str = "kanji_partly_differs";
    pub const LATIN_DIFFERS: &str = "latin_name_differs";
    pub const ADDRESS_DIFFERS: &str = "address_differs";
    pub const ADDRESS_PARTLY_DIFFERS: &str = "address_partly_differs";
    pub const FEW_ATTRIBUTES: &str = "few_attributes";
    pub const WEAK_EVIDENCE: &str = "weak_evidence";
    pub const BETTER_MATCH_ELSEWHERE: &str = "better_match_elsewhere";
    pub const HOUSEHOLD_MEMBER_MATCHES: &str = "household_member_matches";
    pub const AMBIGUOUS_RIVALS: &str = "ambiguous_rivals";
    pub const SOURCE_LINKED_TO_SEVERAL: &str = "source_linked_to_several";
    pub const LINKED_TO_DECEASED: &str = "linked_to_deceased";
    pub const NOT_IN_REGISTER: &str = "not_in_register";
    pub const ACCOUNT_HOLDER_DIFFERS: &str = "account_holder_differs";
    pub const ACCOUNT_IN_FAMILY_NAME: &str = "account_in_family_name";
    pub const ANOTHER_PERSON_FITS_EQUALLY: &str = "another_person_fits_equally";

    /// Every code, for the locale check.
    pub const ALL: [&str; 21] = [
        BIRTH_DATE_DIFFERS,
        BIRTH_DATE_CLOSE,
        SEX_DIFFERS,
        KANA_DIFFERS,
        KANA_PARTLY_DIFFERS,
        KANJI_DIFFERS,
        KANJI_PARTLY_DIFFERS,
        LATIN_DIFFERS,
        ADDRESS_DIFFERS,
        ADDRESS_PARTLY_DIFFERS,
        FEW_ATTRIBUTES,
        WEAK_EVIDENCE,
        BETTER_MATCH_ELSEWHERE,
        HOUSEHOLD_MEMBER_MATCHES,
        AMBIGUOUS_RIVALS,
        SOURCE_LINKED_TO_SEVERAL,
        LINKED_TO_DECEASED,
        NOT_IN_REGISTER,
        ACCOUNT_HOLDER_DIFFERS,
        ACCOUNT_IN_FAMILY_NAME,
        ANOTHER_PERSON_FITS_EQUALLY,
    ];
}

/// The three verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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

    pub fn code(self) -> &'static str {
        match self {
            Verdict3::WrongPerson => "wrong_person",
            Verdict3::NeedsReview => "needs_review",
            Verdict3::Consistent => "consistent",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == s)
    }

    /// The verdict a probability of being wrong earns.
    pub fn from_score(p: f64) -> Self {
        if p >= WRONG_PERSON_P {
            Verdict3::WrongPerson
        } else if p >= NEEDS_REVIEW_P {
            Verdict3::NeedsReview
        } else {
            Verdict3::Consistent
        }
    }
}

/// One attribute's part in a match weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// `name_kanji`, `name_kana`, `name_latin`, `birth_date`, `sex`, `address`.
    pub attribute: String,
    /// The comparison level, e.g. `exact`, `typo`, `differs`.
    pub level: String,
    /// log2(m/u), term-frequency adjusted where it applies.
    pub bits: f64,
}

/// The person who explains the record better, with the weight of that explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RivalEvidence {
    pub bits: f64,
    pub contributions: Vec<Contribution>,
    /// A member of the linked person's household.
    pub household: bool,
    /// No second rival comes within [`TIE_BITS`].
    pub unique: bool,
}

/// Why a link scored as it did: the waterfall from the prior to the final probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// log2(λ / (1 − λ)): how likely a link is right before its attributes are read.
    pub prior_bits: f64,
    /// Each compared attribute against the linked person.
    pub contributions: Vec<Contribution>,
    /// Prior plus contributions.
    pub own_bits: f64,
    /// A rival that counted (better by at least [`RIVAL_MARGIN_BITS`]).
    pub rival: Option<RivalEvidence>,
    /// Rules applied after the weights (reason codes).
    pub rules: Vec<String>,
    /// The final probability that the link is wrong.
    pub p_wrong: f64,
}

/// A suggested rightful owner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggestion {
    pub my_number: u64,
    /// The rival's weight in bits.
    pub bits: f64,
}

/// The result for one link.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkAssessment {
    /// Probability that the link is wrong.
    pub score: f64,
    pub verdict: Verdict3,
    pub reasons: Vec<&'static str>,
    pub suggestion: Option<Suggestion>,
    pub evidence: Evidence,
}

impl LinkAssessment {
    /// Adds `source_linked_to_several` (one source record on several people).
    pub fn with_source_flag(mut self) -> Self {
        self.score = self.score.max(STRUCTURAL_P);
        self.evidence.p_wrong = self.score;
        self.verdict = Verdict3::from_score(self.score);
        self.reasons.push(reason::SOURCE_LINKED_TO_SEVERAL);
        self.evidence
            .rules
            .push(reason::SOURCE_LINKED_TO_SEVERAL.to_string());
        self
    }
}

/// A record to check: its features and their hashes.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub features: Features,
    pub keys: Keys,
}

impl Snapshot {
    pub fn of(id: &Identity) -> Snapshot {
        Snapshot::of_features(Features::of(id))
    }

    pub fn of_features(features: Features) -> Snapshot {
        Snapshot {
            keys: Keys::of(&features),
            features,
        }
    }
}

/// One register person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    pub my_number: u64,
    pub household: u64,
    pub deceased: bool,
    pub keys: Keys,
}

/// Collects register people and their strings (one per loading thread; merge them after).
#[derive(Debug, Default)]
pub struct RegisterBuilder {
    pub people: Vec<Person>,
    pub pool: Pool,
}

impl RegisterBuilder {
    /// Adds a person; `household_id` and the identity are raw register values.
    pub fn add(&mut self, my_number: u64, identity: &Identity, household_id: &str, deceased: bool) {
        self.add_features(my_number, Features::of(identity), household_id, deceased);
    }

    /// Adds a person from features already read ([`Features::of_cells`] of a CSV row).
    pub fn add_features(
        &mut self,
        my_number: u64,
        f: Features,
        household_id: &str,
        deceased: bool,
    ) {
        self.pool.add_features(&f);
        self.people.push(Person {
            my_number,
            household: super::features::hash(household_id.trim()),
            deceased,
            keys: Keys::of(&f),
        });
    }

    /// A builder with room for `people` without growing (memory the system gives lazily: room
    /// never filled is never touched).
    pub fn with_capacity(people: usize) -> RegisterBuilder {
        RegisterBuilder {
            people: Vec::with_capacity(people),
            pool: Pool::default(),
        }
    }

    /// Merges the builders of several loading threads, in order. The first keeps its people
    /// and takes the others' after them when it has room for all (see
    /// [`RegisterBuilder::with_capacity`]), so ten million person records are not copied into
    /// a vector of their own; otherwise it grows once to exactly their number.
    pub fn merge_all(parts: Vec<RegisterBuilder>) -> RegisterBuilder {
        let total: usize = parts.iter().map(|p| p.people.len()).sum();
        let mut parts = parts.into_iter();
        let Some(mut out) = parts.next() else {
            return RegisterBuilder::default();
        };
        out.people.reserve_exact(total - out.people.len());
        for part in parts {
            out.people.extend(part.people);
            out.pool.merge(part.pool);
        }
        out
    }
}

/// Blocking keys and the rows that hold them, 8 bytes an entry: the 32 bits of the key just
/// below the directory's bits, then the row. The directory, by the key's top bits (the keys are
/// hashes, so evenly spread, about four entries a bucket), gives each bucket's entries, sorted
/// by those 32 bits and then by row: a look-up reads the directory and a bucket of a few
/// entries. Directory and tag together compare 57 bits of the key at the 10-million size (33
/// or more on a tiny register).
///
/// Built on every core from the rows' keys, produced once to count them and once for each
/// eighth of the key space, whose pairs are sorted and written out in order: only an eighth of
/// the 16-byte pairs is held beside the index at a time.
struct BlockIndex {
    entries: Vec<u64>,
    shift: u32,
    dir: Vec<u32>,
}

/// The rows of thread `t` of `threads`.
fn rows_of(rows: usize, threads: usize, t: usize) -> std::ops::Range<usize> {
    rows * t / threads..rows * (t + 1) / threads
}

/// How many keys (not 0) each thread's rows hold in each slice of the key space by its top
/// [`PARTITION_BITS`] bits: `counts[thread][slice]`.
fn count_keys<F>(rows: usize, threads: usize, keys: &F) -> Vec<[usize; 1 << PARTITION_BITS]>
where
    F: Fn(usize, &mut Vec<u64>) + Sync,
{
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut out = Vec::with_capacity(16);
                    let mut counts = [0usize; 1 << PARTITION_BITS];
                    for row in rows_of(rows, threads, t) {
                        out.clear();
                        keys(row, &mut out);
                        for k in out.iter().filter(|k| **k != 0) {
                            counts[(k >> (64 - PARTITION_BITS)) as usize] += 1;
                        }
                    }
                    counts
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// A big block index is built an eighth of the key space at a time.
const PARTITION_BITS: u32 = 3;

/// Writes the (key, row) pairs of the keys whose top `bits` bits are `part` (every key when
/// `bits` is 0) into `buf`, each thread into its own stretch (`sizes[thread]` long, as counted),
/// in row order.
fn fill_pairs<F>(
    buf: &mut [(u64, u32)],
    sizes: &[usize],
    rows: usize,
    keys: &F,
    bits: u32,
    part: u64,
) where
    F: Fn(usize, &mut Vec<u64>) + Sync,
{
    let threads = sizes.len();
    let inside = move |k: u64| k != 0 && (bits == 0 || k >> (64 - bits) == part);
    let mut stretches = Vec::with_capacity(threads);
    let mut rest = buf;
    for size in sizes {
        let (mine, after) = rest.split_at_mut((*size).min(rest.len()));
        stretches.push(mine);
        rest = after;
    }
    std::thread::scope(|scope| {
        for (t, stretch) in stretches.into_iter().enumerate() {
            scope.spawn(move || {
                let mut out = Vec::with_capacity(16);
                let mut slots = stretch.iter_mut();
                for row in rows_of(rows, threads, t) {
                    out.clear();
                    keys(row, &mut out);
                    for k in out.iter().filter(|k| inside(**k)) {
                        if let Some(slot) = slots.next() {
                            *slot = (*k, row as u32);
                        }
                    }
                }
            });
        }
    });
}

/// Sorts the pairs with two threads and no extra memory: partitions them in place by `bit` of
/// the key (the keys are hashes, so the halves are even), then sorts each half.
fn sort_pairs(pairs: &mut [(u64, u32)], bit: u32) {
    if pairs.len() < 1 << 16 {
        pairs.sort_unstable();
        return;
    }
    let (mut i, mut j) = (0usize, pairs.len());
    while i < j {
        if (pairs[i].0 >> bit) & 1 == 0 {
            i += 1;
        } else {
            j -= 1;
            pairs.swap(i, j);
        }
    }
    let (low, high) = pairs.split_at_mut(i);
    std::thread::scope(|scope| {
        scope.spawn(|| low.sort_unstable());
        high.sort_unstable();
    });
}

impl BlockIndex {
    /// Indexes rows `0..rows`; `keys(row, out)` pushes a row's keys (0 is no key, skipped).
    fn build<F>(rows: usize, keys: F) -> Self
    where
        F: Fn(usize, &mut Vec<u64>) + Sync,
    {
        // A small register (the portal's part of one around a person) is indexed on this
        // thread, in one piece.
        let threads = if rows < 100_000 {
            1
        } else {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .clamp(1, 8)
        };
        Self::build_in(rows, keys, threads, None)
    }

    /// [`BlockIndex::build`] on `threads` threads, in 2^`partition_bits` slices of the key
    /// space (by default one slice up to 4 million keys, eight above).
    fn build_in<F>(rows: usize, keys: F, threads: usize, partition_bits: Option<u32>) -> Self
    where
        F: Fn(usize, &mut Vec<u64>) + Sync,
    {
        // Each thread counts its own keys per slice (one counter shared by the threads would
        // bounce between their caches at every key).
        let counts = count_keys(rows, threads, &keys);
        let total: usize = counts.iter().flatten().sum();
        let partition_bits = partition_bits
            .unwrap_or(if total > 1 << 22 { PARTITION_BITS } else { 0 })
            .min(PARTITION_BITS);
        // Keys of `thread` in slice `part` of 2^partition_bits.
        let count_of = |thread: usize, part: u64| -> usize {
            let per = 1usize << (PARTITION_BITS - partition_bits);
            counts[thread][part as usize * per..(part as usize + 1) * per]
                .iter()
                .sum()
        };
        // About four entries a bucket, at most 2^26 buckets.
        let bits = ((total / 4).max(1).next_power_of_two().trailing_zeros()).clamp(1, 26);
        let shift = 64 - bits;
        let tag_shift = shift - 32;
        let buckets = 1usize << bits;
        let mut entries = vec![0u64; total];
        let mut dir = vec![0u32; buckets + 1];
        let (mut at, mut next_bucket) = (0usize, 0usize);
        // One slice of the key space at a time (by the top bits: an eighth of the keys), as
        // (key, row) pairs sorted in one buffer that every slice reuses, then written out in
        // order: no random writes over the whole index, only an eighth of the pairs held at
        // once, and no memory taken from the system again for each slice.
        // sizes[part][thread]: how many pairs each thread writes in each slice.
        let sizes: Vec<Vec<usize>> = (0..1u64 << partition_bits)
            .map(|part| (0..threads).map(|t| count_of(t, part)).collect())
            .collect();
        let largest = sizes.iter().map(|s| s.iter().sum()).max().unwrap_or(0);
        let mut buf = vec![(0u64, 0u32); largest];
        for (part, sizes) in (0u64..).zip(&sizes) {
            let pairs = &mut buf[..sizes.iter().sum::<usize>()];
            fill_pairs(pairs, sizes, rows, &keys, partition_bits, part);
            sort_pairs(pairs, 63 - partition_bits);
            for (k, row) in pairs.iter() {
                let b = (k >> shift) as usize;
                while next_bucket <= b {
                    dir[next_bucket] = at as u32;
                    next_bucket += 1;
                }
                entries[at] = ((k >> tag_shift) << 32) | u64::from(*row);
                at += 1;
            }
        }
        drop(buf);
        while next_bucket <= buckets {
            dir[next_bucket] = at as u32;
            next_bucket += 1;
        }
        BlockIndex {
            entries,
            shift,
            dir,
        }
    }

    /// The row positions of a key, in row order.
    fn get(&self, key: u64) -> impl ExactSizeIterator<Item = u32> + Clone + '_ {
        let found: &[u64] = if key == 0 || self.entries.is_empty() {
            &[]
        } else {
            let bucket = (key >> self.shift) as usize;
            let (lo, hi) = (self.dir[bucket] as usize, self.dir[bucket + 1] as usize);
            let b = &self.entries[lo..hi];
            let tag = (key >> (self.shift - 32)) & 0xFFFF_FFFF;
            let start = b.partition_point(|e| e >> 32 < tag);
            let end = start + b[start..].partition_point(|e| e >> 32 == tag);
            &b[start..end]
        };
        found.iter().map(|e| *e as u32)
    }
}

/// The register's My Numbers in order with their rows, and a directory by value (the numbers
/// are spread evenly, about two a bucket): a look-up reads the directory and a bucket instead of
/// binary-searching ten million numbers (two cache misses instead of a dozen, for every link).
struct Numbers {
    sorted: Vec<u64>,
    rows: Vec<u32>,
    min: u64,
    /// max − min + 1.
    span: u128,
    buckets: u128,
    dir: Vec<u32>,
}

/// Every person's (number, row), sorted (the row breaks ties).
fn numbers_and_rows(people: &[Person]) -> Vec<(u64, u32)> {
    let mut pairs: Vec<(u64, u32)> = people
        .iter()
        .enumerate()
        .map(|(row, p)| (p.my_number, row as u32))
        .collect();
    sort_pairs(&mut pairs, 63);
    pairs
}

impl Numbers {
    /// From (number, row) pairs sorted by number, without repeated numbers.
    fn new(pairs: Vec<(u64, u32)>) -> Numbers {
        let (min, max) = match (pairs.first(), pairs.last()) {
            (Some(a), Some(b)) => (a.0, b.0),
            _ => (0, 0),
        };
        let buckets = (pairs.len() / 2).max(1).next_power_of_two();
        let (sorted, rows): (Vec<u64>, Vec<u32>) = pairs.into_iter().unzip();
        let mut numbers = Numbers {
            sorted,
            rows,
            min,
            span: u128::from(max - min) + 1,
            buckets: buckets as u128,
            dir: Vec::new(),
        };
        let mut dir = vec![0u32; buckets + 1];
        let mut at = 0usize;
        for (bucket, slot) in dir.iter_mut().enumerate() {
            while at < numbers.sorted.len() && numbers.bucket(numbers.sorted[at]) < bucket {
                at += 1;
            }
            *slot = at as u32;
        }
        numbers.dir = dir;
        numbers
    }

    /// The bucket of a number from `min` on (monotone in the number).
    fn bucket(&self, n: u64) -> usize {
        (u128::from(n - self.min) * self.buckets / self.span) as usize
    }

    /// The row of a number.
    fn position(&self, n: u64) -> Option<usize> {
        if self.sorted.is_empty() || n < self.min || u128::from(n - self.min) >= self.span {
            return None;
        }
        let b = self.bucket(n);
        let (lo, hi) = (self.dir[b] as usize, self.dir[b + 1] as usize);
        self.sorted[lo..hi]
            .binary_search(&n)
            .ok()
            .map(|i| self.rows[lo + i] as usize)
    }
}

/// The register held the same number more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuplicateNumbers(pub usize);

fn mix(tag: u64, a: u64, b: u64) -> u64 {
    if a == 0 || b == 0 {
        return 0;
    }
    (a.rotate_left(17) ^ b ^ tag.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_mul(0xff51_afd7_ed55_8ccd)
        | 1
}

const T_BIRTH: u64 = 1;
const T_BIRTH_KANA_FAMILY: u64 = 2;
const T_BIRTH_KANA_GIVEN: u64 = 3;
const T_BIRTH_KANJI_FAMILY: u64 = 4;
const T_BIRTH_KANJI_GIVEN: u64 = 5;
const T_KANA: u64 = 6;
const T_KANJI: u64 = 7;
const T_LATIN_TOKEN: u64 = 8;
const T_BIRTH_KANA: u64 = 9;
const T_BIRTH_KANJI: u64 = 10;
const T_KANA_YEAR_MONTH: u64 = 11;
const T_KANA_MONTH_DAY: u64 = 12;
const T_KANA_YEAR_SWAP: u64 = 13;
const T_KANJI_YEAR_MONTH: u64 = 14;
const T_KANJI_MONTH_DAY: u64 = 15;
const T_LATIN_YEAR_MONTH: u64 = 16;
const T_LATIN_MONTH_DAY: u64 = 17;
const T_LATIN_YEAR_SWAP: u64 = 18;

/// The blocking keys of a person or a record (birth-date keys only when the date is held).
fn block_keys(k: &Keys, latin_tokens: &[u64], out: &mut Vec<u64>) {
    let b = u64::from(k.birth);
    out.push(mix(T_BIRTH, b, 0x5151));
    out.push(mix(T_BIRTH_KANA_FAMILY, b, k.kana_family));
    out.push(mix(T_BIRTH_KANA_GIVEN, b, k.kana_given));
    out.push(mix(T_BIRTH_KANJI_FAMILY, b, k.kanji_family));
    out.push(mix(T_BIRTH_KANJI_GIVEN, b, k.kanji_given));
    if k.kana_family == 0 {
        out.push(mix(T_BIRTH_KANA, b, k.kana_full));
    }
    if k.kanji_family == 0 {
        out.push(mix(T_BIRTH_KANJI, b, k.kanji_full));
    }
    out.push(mix(T_KANA, k.kana_full, 1));
    out.push(mix(T_KANJI, k.kanji_full, 1));
    // The whole name with two of the three parts of the date: a typo in one part (a digit of
    // the day, the year off by one) or the day and month swapped still meets the owner.
    let parts = (k.birth != 0).then(|| {
        let (y, m, d) = (b / 10000, b / 100 % 100, b % 100);
        let swap = y * 10000 + m.min(d) * 100 + m.max(d);
        [y * 100 + m + 1, m * 100 + d + 1, swap + 1]
    });
    if let Some([year_month, month_day, year_swap]) = parts {
        out.push(mix(T_KANA_YEAR_MONTH, k.kana_full, year_month));
        out.push(mix(T_KANA_MONTH_DAY, k.kana_full, month_day));
        out.push(mix(T_KANA_YEAR_SWAP, k.kana_full, year_swap));
        out.push(mix(T_KANJI_YEAR_MONTH, k.kanji_full, year_month));
        out.push(mix(T_KANJI_MONTH_DAY, k.kanji_full, month_day));
    }
    // Each Latin name token alone (for a record without a date: a big block, since many people
    // share a token such as NGUYEN or KIM), and with the same two-of-three parts of the date.
    for t in latin_tokens {
        out.push(mix(T_LATIN_TOKEN, *t, 1));
        if let Some([year_month, month_day, year_swap]) = parts {
            out.push(mix(T_LATIN_YEAR_MONTH, *t, year_month));
            out.push(mix(T_LATIN_MONTH_DAY, *t, month_day));
            out.push(mix(T_LATIN_YEAR_SWAP, *t, year_swap));
        }
    }
}

fn latin_token_hashes(latin: u64, pool: &Pool, f: Option<&[String]>) -> Vec<u64> {
    let tokens: Vec<String> = match f {
        Some(t) => t.to_vec(),
        None if latin != 0 => pool
            .get(latin)
            .unwrap_or("")
            .split(' ')
            .map(str::to_string)
            .collect(),
        None => Vec::new(),
    };
    tokens
        .iter()
        .filter(|t| t.len() >= 2)
        .map(|t| compare::fhash(Field::LatinToken, t))
        .collect()
}

/// What the link is, beyond its attributes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkContext {
    pub category: Option<Category>,
}

/// The register, indexed, with its model.
pub struct Register {
    rows: Vec<Person>,
    numbers: Numbers,
    pool: Pool,
    blocks: BlockIndex,
    households: BlockIndex,
    model: Model,
    /// Only a part of the register (around one person): term frequencies mean nothing.
    partial: bool,
}

/// A candidate's score.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    row: usize,
    bits: f64,
}

impl Register {
    /// Builds the index. Duplicate numbers keep their first row and are an error unless
    /// `allow_duplicates`.
    pub fn build(
        builder: RegisterBuilder,
        allow_duplicates: bool,
    ) -> Result<(Register, usize), DuplicateNumbers> {
        let RegisterBuilder { mut people, pool } = builder;
        // The people stay in the order read; only (number, row) pairs are sorted, a sixth of
        // the bytes of moving the person records themselves. The row breaks ties, so the first
        // of duplicate numbers stays first.
        let mut by_number = numbers_and_rows(&people);
        let duplicates = by_number.windows(2).filter(|w| w[0].0 == w[1].0).count();
        if duplicates > 0 {
            if !allow_duplicates {
                return Err(DuplicateNumbers(duplicates));
            }
            // Rare: drop the later rows of a repeated number, then pair the rest again.
            let mut later = vec![false; people.len()];
            for w in by_number.windows(2) {
                if w[0].0 == w[1].0 {
                    later[w[1].1 as usize] = true;
                }
            }
            let mut row = 0usize;
            people.retain(|_| {
                row += 1;
                !later[row - 1]
            });
            people.shrink_to_fit();
            by_number = numbers_and_rows(&people);
        }
        let blocks = BlockIndex::build(people.len(), |i, out| {
            let keys = &people[i].keys;
            let latin = latin_token_hashes(keys.latin, &pool, None);
            block_keys(keys, &latin, out);
        });
        let households = BlockIndex::build(people.len(), |i, out| out.push(people[i].household));
        let register = Register {
            numbers: Numbers::new(by_number),
            rows: people,
            pool,
            blocks,
            households,
            model: Model::prior(),
            partial: false,
        };
        Ok((register, duplicates))
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn set_model(&mut self, model: Model) {
        self.model = model;
    }

    /// Marks the register as a part of the whole (the people around one person): names are
    /// weighed without term frequencies, which only the whole register can give.
    pub fn set_partial(&mut self) {
        self.partial = true;
    }

    fn position(&self, my_number: u64) -> Option<usize> {
        self.numbers.position(my_number)
    }

    pub fn get(&self, my_number: u64) -> Option<&Person> {
        self.position(my_number).map(|i| &self.rows[i])
    }

    /// The comparison levels of a record against the person it is linked to (`None` when the
    /// number is not in the register): what EM trains on.
    pub fn linked_gamma(&self, s: &Snapshot, linked: u64) -> Option<Gamma> {
        let row = self.get(linked)?;
        Some(compare::gamma(&s.features, &s.keys, &row.keys, &self.pool))
    }

    /// Level counts of up to `pairs` pseudo-random pairs of register people (deterministic).
    pub fn random_pairs(&self, pairs: usize) -> Patterns {
        let mut out = Patterns::default();
        let n = self.rows.len();
        if n < 2 {
            return out;
        }
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let pairs = pairs.min(n * (n - 1));
        // People are drawn by their place in number order, not by row: rows stand in the order
        // the loading threads happened to deliver them, and the estimate must not change with it.
        let by_number = |i: usize| self.numbers.rows.get(i).map_or(i, |r| *r as usize);
        for _ in 0..pairs {
            let i = by_number((next() % n as u64) as usize);
            let j = by_number((next() % n as u64) as usize);
            if i == j {
                continue;
            }
            let (a, b) = (&self.rows[i].keys, &self.rows[j].keys);
            let fa = compare::features_of(a, &self.pool);
            out.add(compare::gamma(&fa, a, b, &self.pool));
        }
        out
    }

    /// Trains the model on this register and these linked pairs: u from `u_pairs` random
    /// register pairs, then m and λ by EM over the linked pairs.
    pub fn train(&mut self, linked: &Patterns, u_pairs: usize) {
        let mut model = Model::prior();
        // Random pairs estimate u only when there are enough different people for the rare
        // levels (exact agreement of a birth date is about 1 in 30,000): a small register
        // keeps the prior's u.
        if self.rows.len() >= MIN_PEOPLE_FOR_U {
            model.estimate_u(&self.random_pairs(u_pairs));
        }
        model.train_m(linked);
        self.model = model;
    }

    /// The term-frequency u for a level of comparison `k` against register person `row`.
    fn tf(&self, k: usize, lvl: u8, row: &Keys) -> Option<f64> {
        if self.partial {
            return None;
        }
        let n = self.rows.len();
        // The family and given names' counts, or the whole name's (no allocation: this runs
        // for every candidate of a rival search).
        let tf_name = |family: u64, given: u64, full: u64| {
            if family != 0 && given != 0 {
                tf_u(&[self.pool.count(family), self.pool.count(given)], n)
            } else {
                tf_u(&[self.pool.count(full)], n)
            }
        };
        match (k, lvl) {
            (compare::KANJI, level::EXACT) => {
                tf_name(row.kanji_family, row.kanji_given, row.kanji_full)
            }
            (compare::KANA, level::EXACT | level::KANA_SAME_SOUND) => {
                tf_name(row.kana_family, row.kana_given, row.kana_full)
            }
            (compare::LATIN, level::EXACT | level::LATIN_SAME_SOUND) if row.latin != 0 => {
                tf_u(&[self.pool.count(row.latin)], n)
            }
            _ => None,
        }
    }

    /// The contributions of a pattern against a register person.
    /// (Only the total, with no list, unless `explain`.)
    fn contributions(&self, g: &Gamma, row: &Keys, explain: bool) -> (f64, Vec<Contribution>) {
        let mut total = 0.0;
        let mut out = Vec::with_capacity(if explain { K } else { 0 });
        for k in 0..K {
            if g[k] == NONE {
                continue;
            }
            let bits = self.model.bits(k, g[k], self.tf(k, g[k], row));
            total += bits;
            if !explain {
                continue;
            }
            out.push(Contribution {
                attribute: COMPARISONS[k].code.to_string(),
                level: COMPARISONS[k].levels[g[k] as usize].to_string(),
                bits,
            });
        }
        (total, out)
    }

    /// The weight alone (no allocation): the scan's hot path.
    fn bits(&self, g: &Gamma, row: &Keys) -> f64 {
        (0..K)
            .filter(|k| g[*k] != NONE)
            .map(|k| self.model.bits(k, g[k], self.tf(k, g[k], row)))
            .sum()
    }

    /// Rows worth scoring as rivals of a record: its blocks, sub-blocked where big.
    fn candidates(&self, s: &Snapshot, linked_row: Option<usize>) -> (Vec<u32>, Option<f64>) {
        let mut keys = Vec::with_capacity(12);
        let latin = latin_token_hashes(0, &self.pool, s.features.latin.as_deref());
        block_keys(&s.keys, &latin, &mut keys);
        let birth_key = mix(T_BIRTH, u64::from(s.keys.birth), 0x5151);
        // A record with a date meets the owner's whole name or Latin token through the
        // date-part keys; the name alone is read whole only when its block is small, or the
        // record has no date.
        let undated_names = [
            mix(T_KANA, s.keys.kana_full, 1),
            mix(T_KANJI, s.keys.kanji_full, 1),
        ];
        let latin_alone: Vec<u64> = latin.iter().map(|t| mix(T_LATIN_TOKEN, *t, 1)).collect();
        let mut out: Vec<u32> = Vec::new();
        // Bits of a tie among a big block that nothing else in the record can separate.
        let mut uniform_tie: Option<f64> = None;
        // A Latin name meets the owner through its tokens when the register holds the owner's
        // name in Latin letters too; a romanized name of someone the register knows in kana
        // (the linked person, or without a linked person anyone) still reads the date's block.
        let latin_in_register =
            !latin.is_empty() && linked_row.is_some_and(|r| self.rows[r].keys.latin != 0);
        let has_names = s.keys.kana_full != 0 || s.keys.kanji_full != 0 || latin_in_register;
        for key in keys.into_iter().filter(|k| *k != 0) {
            // With a date, a whole kana or kanji name alone is not read: a namesake born on
            // another day is no rival, and the owner with a date typo is met through the name
            // with two of the three parts of the date.
            if s.keys.birth != 0 && undated_names.contains(&key) {
                continue;
            }
            let block = self.blocks.get(key);
            if block.len() <= SUB_BLOCK {
                out.extend(block);
                continue;
            }
            // A big birth-date block is read (sub-blocked) only when the record has no name:
            // the date with each part of the name are its sub-blocks, already read.
            if key == birth_key && has_names {
                continue;
            }
            // A big block of a Latin token (NGUYEN, KIM), for a record with a date: the token
            // with two of the three parts of the date are its sub-blocks, already read.
            if s.keys.birth != 0 && latin_alone.contains(&key) {
                continue;
            }
            // A big block: a whole name or a Latin name token without the date, or the date
            // alone.
            if s.features.held() <= 1 {
                // Only the name is held: everyone in the block ties with everyone else.
                let first = block.clone().find(|r| Some(*r as usize) != linked_row);
                if let Some(r) = first {
                    let row = &self.rows[r as usize].keys;
                    let g = compare::gamma(&s.features, &s.keys, row, &self.pool);
                    uniform_tie = Some(self.bits(&g, row));
                }
                continue;
            }
            // Sub-block: keep the people whose birth date is the same or a typo away, or
            // (without a date) whose sex agrees.
            out.extend(block.filter(|r| {
                let p = &self.rows[*r as usize].keys;
                if s.keys.birth != 0 && p.birth != 0 {
                    compare::cmp_birth(s.keys.birth, p.birth) != level::BIRTH_DIFFERS
                } else {
                    s.keys.sex == 0 || p.sex == 0 || s.keys.sex == p.sex
                }
            }));
        }
        if let Some(pos) = linked_row {
            let hh = self.rows[pos].household;
            if hh != 0 {
                out.extend(self.households.get(hh));
            }
        }
        out.sort_unstable();
        out.dedup();
        (out, uniform_tie)
    }

    /// The best and second-best rivals (other people than `exclude`).
    fn rivals(
        &self,
        s: &Snapshot,
        exclude: Option<usize>,
    ) -> (Option<Candidate>, Option<Candidate>) {
        let (cands, tie) = self.candidates(s, exclude);
        let mut best: Option<Candidate> = None;
        let mut second: Option<Candidate> = None;
        for r in cands {
            let row = r as usize;
            if Some(row) == exclude {
                continue;
            }
            let keys = &self.rows[row].keys;
            let g = compare::gamma(&s.features, &s.keys, keys, &self.pool);
            let c = Candidate {
                row,
                bits: self.bits(&g, keys),
            };
            match best {
                Some(b) if c.bits <= b.bits => {
                    if second.is_none_or(|x| c.bits > x.bits) {
                        second = Some(c);
                    }
                }
                _ => {
                    second = best;
                    best = Some(c);
                }
            }
        }
        if let Some(t) = tie {
            // Many people tie at `t`: two of them are the best and second best when nobody
            // found otherwise does better.
            let phantom = Candidate {
                row: usize::MAX,
                bits: t,
            };
            if best.is_none_or(|b| t >= b.bits) {
                second = Some(phantom);
                if best.is_none() {
                    best = Some(phantom);
                }
            } else if second.is_none_or(|x| t > x.bits) {
                second = Some(phantom);
            }
        }
        (best, second)
    }

    /// Whether someone other than the person at `pos` holds exactly the record's values on
    /// every attribute it holds (looked up in the record's narrowest blocks).
    fn exact_twin(&self, s: &Snapshot, pos: usize) -> bool {
        let k = &s.keys;
        let b = u64::from(k.birth);
        let keys = [
            mix(T_BIRTH_KANA_FAMILY, b, k.kana_family),
            mix(T_BIRTH_KANJI_FAMILY, b, k.kanji_family),
            mix(T_BIRTH_KANA, b, k.kana_full),
            mix(T_BIRTH_KANJI, b, k.kanji_full),
        ];
        let Some(key) = keys.into_iter().find(|key| *key != 0) else {
            return false;
        };
        let same = |held: u64, theirs: u64| held == 0 || held == theirs;
        self.blocks.get(key).any(|r| {
            let row = r as usize;
            let p = &self.rows[row].keys;
            row != pos
                && same(k.kanji_full, p.kanji_full)
                && same(k.kana_full, p.kana_full)
                && same(k.latin, p.latin)
                && same(u64::from(k.birth), u64::from(p.birth))
                && same(u64::from(k.sex), u64::from(p.sex))
                && same(k.addr_full, p.addr_full)
        })
    }

    fn household_member_matches(&self, s: &Snapshot, pos: usize) -> bool {
        let hh = self.rows[pos].household;
        if hh == 0 {
            return false;
        }
        self.households.get(hh).any(|r| {
            let row = r as usize;
            if row == pos {
                return false;
            }
            let g = compare::gamma(&s.features, &s.keys, &self.rows[row].keys, &self.pool);
            // The member's name, or their given name with another family name (a maiden name).
            name_is_the_persons(&g)
                || matches!(g[compare::KANA], level::KANA_GIVEN_ONLY)
                || (g[compare::KANA] == NONE && g[compare::KANJI] == level::KANJI_GIVEN_ONLY)
        })
    }

    /// Assesses one link.
    pub fn assess(&self, s: &Snapshot, linked: u64, ctx: LinkContext) -> LinkAssessment {
        self.assess_with(s, linked, ctx, true)
    }

    /// [`Register::assess`] without the attribute-by-attribute contributions in the evidence
    /// (its `contributions` and the rival's are left empty; every figure and rule is the
    /// same): the offline tool's hot path when no evidence is written.
    pub fn assess_brief(&self, s: &Snapshot, linked: u64, ctx: LinkContext) -> LinkAssessment {
        self.assess_with(s, linked, ctx, false)
    }

    fn assess_with(
        &self,
        s: &Snapshot,
        linked: u64,
        ctx: LinkContext,
        explain: bool,
    ) -> LinkAssessment {
        let prior = self.model.prior_bits();
        let Some(pos) = self.position(linked) else {
            let (best, second) = self.rivals(s, None);
            let mut reasons = vec![reason::NOT_IN_REGISTER];
            let suggestion = best.and_then(|b| {
                let unique = second.is_none_or(|x| x.bits < b.bits - TIE_BITS);
                (b.row != usize::MAX && unique && b.bits >= SUGGEST_MIN_BITS).then(|| {
                    reasons.push(reason::BETTER_MATCH_ELSEWHERE);
                    Suggestion {
                        my_number: self.rows[b.row].my_number,
                        bits: b.bits,
                    }
                })
            });
            let p = 0.99;
            return LinkAssessment {
                score: p,
                verdict: Verdict3::from_score(p),
                reasons,
                suggestion,
                evidence: Evidence {
                    prior_bits: prior,
                    contributions: Vec::new(),
                    // No person to compare with: the lowest weight the waterfall shows.
                    own_bits: -64.0,
                    rival: None,
                    rules: vec![reason::NOT_IN_REGISTER.to_string()],
                    p_wrong: p,
                },
            };
        };
        let linked_row = &self.rows[pos];
        let g = compare::gamma(&s.features, &s.keys, &linked_row.keys, &self.pool);
        let (own, contributions) = self.contributions(&g, &linked_row.keys, explain);
        let own_bits = prior + own;
        let p_own = 1.0 - probability(own_bits);

        let mut reasons: Vec<&'static str> = Vec::new();
        for (k, lvl) in g.iter().enumerate() {
            if *lvl != NONE && self.model.bits(k, *lvl, None) < -1.0 {
                if let Some(r) = reason_of(k, *lvl) {
                    reasons.push(r);
                }
            }
        }

        // Rivals: only a record that does not agree exactly everywhere can be explained better.
        let mut rival = None;
        let mut suggestion = None;
        let mut p = p_own;
        // A record that can be compared on one attribute only (an account holder's name) is
        // thin evidence: namesakes abound, so a rival may be named as the likely owner of a
        // link found wrong on its own evidence, but does not make a link wrong by itself.
        let thin = compare::compared(&g) <= 1;
        // The rival that could be named as the owner, and whether it is of the household.
        let mut named: Option<(Candidate, bool)> = None;
        // Someone else fits as well as the linked person (an exact namesake, say).
        let mut equal_fit = !thin && compare::all_exact(&g) && self.exact_twin(s, pos);
        if !compare::all_exact(&g) {
            let (best, second) = self.rivals(s, Some(pos));
            equal_fit = !thin
                && best.is_some_and(|b| {
                    b.bits >= SUGGEST_MIN_BITS && (b.bits - own).abs() <= TIE_BITS
                });
            if let Some(b) = best.filter(|b| b.bits - own >= RIVAL_MARGIN_BITS) {
                // Two rivals within TIE_BITS of each other: the link is still someone else's,
                // but no single owner is named.
                let unique = second.is_none_or(|x| x.bits < b.bits - TIE_BITS);
                let household =
                    b.row != usize::MAX && self.rows[b.row].household == linked_row.household;
                if !thin {
                    p = 1.0 - probability(own_bits - b.bits);
                }
                let contributions = if b.row == usize::MAX || !explain {
                    Vec::new()
                } else {
                    let keys = &self.rows[b.row].keys;
                    let g = compare::gamma(&s.features, &s.keys, keys, &self.pool);
                    self.contributions(&g, keys, true).1
                };
                rival = Some(RivalEvidence {
                    bits: b.bits,
                    contributions,
                    household,
                    unique,
                });
                if unique && b.row != usize::MAX && b.bits >= SUGGEST_MIN_BITS {
                    named = Some((b, household));
                }
            }
        }
        let mut rules: Vec<String> = Vec::new();
        if equal_fit {
            p = p.max(EQUAL_FIT_P);
            reasons.push(reason::ANOTHER_PERSON_FITS_EQUALLY);
            rules.push(reason::ANOTHER_PERSON_FITS_EQUALLY.to_string());
        }
        // Public-fund accounts: the holder's name is the evidence.
        // (An account record that holds more than the holder's name is weighed like any other.)
        if ctx.category == Some(Category::PublicFundAccount) && thin && given_name_differs(&g) {
            if self.household_member_matches(s, pos) {
                p = FAMILY_ACCOUNT_P;
                reasons.push(reason::ACCOUNT_IN_FAMILY_NAME);
                rules.push(reason::ACCOUNT_IN_FAMILY_NAME.to_string());
            } else {
                p = p.max(ACCOUNT_HOLDER_P);
                reasons.push(reason::ACCOUNT_HOLDER_DIFFERS);
                rules.push(reason::ACCOUNT_HOLDER_DIFFERS.to_string());
            }
        }
        // A link to a deceased person is told, not judged: a pension or an insurance record
        // of someone who died is still theirs.
        if linked_row.deceased {
            reasons.push(reason::LINKED_TO_DECEASED);
        }
        // The rival is named, with its reason, when it is what makes the link wrong, or when
        // the link is found wrong anyway (for a thin record, or by a rule).
        let family_account = rules.iter().any(|r| r == reason::ACCOUNT_IN_FAMILY_NAME);
        if let Some(r) = &rival {
            let counts = !thin || p >= WRONG_PERSON_P;
            if family_account || !counts {
                // Kept in the evidence only.
            } else if let Some((b, household)) = named {
                suggestion = Some(Suggestion {
                    my_number: self.rows[b.row].my_number,
                    bits: b.bits,
                });
                reasons.push(if household {
                    reason::HOUSEHOLD_MEMBER_MATCHES
                } else {
                    reason::BETTER_MATCH_ELSEWHERE
                });
            } else if !r.unique {
                reasons.push(reason::AMBIGUOUS_RIVALS);
            }
        }
        if compare::compared(&g) <= 2 {
            reasons.push(reason::FEW_ATTRIBUTES);
            if p < FEW_ATTRIBUTES_P {
                p = FEW_ATTRIBUTES_P;
                rules.push(reason::FEW_ATTRIBUTES.to_string());
            }
        }
        if reasons.is_empty() && p >= NEEDS_REVIEW_P {
            reasons.push(reason::WEAK_EVIDENCE);
        }
        LinkAssessment {
            score: p,
            verdict: Verdict3::from_score(p),
            reasons,
            suggestion,
            evidence: Evidence {
                prior_bits: prior,
                contributions,
                own_bits,
                rival,
                rules,
                p_wrong: p,
            },
        }
    }

    /// Register people whose identity fits a record (the staff register search): everyone
    /// found by the record's blocks, scored, best first; those with a weight of at least
    /// `min_bits`.
    pub fn search(&self, s: &Snapshot, min_bits: f64, limit: usize) -> Vec<(u64, f64)> {
        let (cands, _) = self.candidates(s, None);
        let mut scored: Vec<(u64, f64)> = cands
            .into_iter()
            .map(|r| {
                let keys = &self.rows[r as usize].keys;
                let g = compare::gamma(&s.features, &s.keys, keys, &self.pool);
                (self.rows[r as usize].my_number, self.bits(&g, keys))
            })
            .filter(|(_, b)| *b >= min_bits)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(limit);
        scored
    }

    /// The register search: people whose every attribute the query holds agrees with theirs
    /// (exactly or within a slip), best weight first, at most `limit`. Reads every person
    /// (meant for a part of the register, such as everyone born on some dates).
    pub fn search_agreeing(&self, s: &Snapshot, limit: usize) -> Vec<u64> {
        let mut scored: Vec<(u64, f64)> = self
            .rows
            .iter()
            .filter_map(|p| {
                let g = compare::gamma(&s.features, &s.keys, &p.keys, &self.pool);
                agrees(&g).then(|| (p.my_number, self.bits(&g, &p.keys)))
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.into_iter().take(limit).map(|(n, _)| n).collect()
    }
}

/// Every compared attribute agrees, exactly or within a slip (what a search criterion asks).
fn agrees(g: &Gamma) -> bool {
    use level::*;
    let ok = |k: usize, l: u8| match k {
        compare::KANJI => matches!(l, EXACT | KANJI_SWAPPED | KANJI_TYPO),
        compare::KANA => matches!(l, EXACT | KANA_SAME_SOUND | KANA_SWAPPED | KANA_TYPO),
        compare::LATIN => matches!(l, EXACT | LATIN_SAME_SOUND | LATIN_TYPO),
        compare::BIRTH => l != BIRTH_DIFFERS,
        compare::SEX => l == EXACT,
        _ => matches!(
            l,
            EXACT | ADDRESS_BUILDING | ADDRESS_NUMBER_TYPO | ADDRESS_AREA_TYPO
        ),
    };
    g.iter().enumerate().all(|(k, l)| *l == NONE || ok(k, *l))
}

/// The record's name is the person's own (exact, same sound, swapped or a typo away), in
/// whichever script was compared.
fn name_is_the_persons(g: &Gamma) -> bool {
    use level::*;
    let kana = g[compare::KANA];
    let latin = g[compare::LATIN];
    let kanji = g[compare::KANJI];
    let ok_kana = matches!(kana, EXACT | KANA_SAME_SOUND | KANA_SWAPPED | KANA_TYPO);
    let ok_latin = matches!(latin, EXACT | LATIN_SAME_SOUND | LATIN_TYPO);
    let ok_kanji = matches!(kanji, EXACT | KANJI_SWAPPED | KANJI_TYPO);
    ok_kana || ok_latin || (kana == NONE && latin == NONE && ok_kanji)
}

/// The record's given name is not the person's (differs, or only the family name agrees).
fn given_name_differs(g: &Gamma) -> bool {
    use level::*;
    let kana = g[compare::KANA];
    let latin = g[compare::LATIN];
    let kanji = g[compare::KANJI];
    matches!(kana, KANA_DIFFERS | KANA_FAMILY_ONLY)
        || matches!(latin, LATIN_DIFFERS)
        || (kana == NONE && latin == NONE && matches!(kanji, KANJI_DIFFERS | KANJI_FAMILY_ONLY))
}

/// The reason code of a level that counts against the link.
fn reason_of(k: usize, lvl: u8) -> Option<&'static str> {
    use level::*;
    Some(match (k, lvl) {
        (compare::KANJI, KANJI_DIFFERS) => reason::KANJI_DIFFERS,
        (compare::KANJI, _) => reason::KANJI_PARTLY_DIFFERS,
        (compare::KANA, KANA_DIFFERS) => reason::KANA_DIFFERS,
        (compare::KANA, _) => reason::KANA_PARTLY_DIFFERS,
        (compare::LATIN, _) => reason::LATIN_DIFFERS,
        (compare::BIRTH, BIRTH_DIFFERS) => reason::BIRTH_DATE_DIFFERS,
        (compare::BIRTH, _) => reason::BIRTH_DATE_CLOSE,
        (compare::SEX, _) => reason::SEX_DIFFERS,
        (compare::ADDRESS, ADDRESS_DIFFERS | ADDRESS_SAME_MUNI) => reason::ADDRESS_DIFFERS,
        (compare::ADDRESS, _) => reason::ADDRESS_PARTLY_DIFFERS,
        _ => return None,
    })
}

/// Counts how many different people one source record is linked to: `true` for each link of a
/// key seen with more than one number. Pure; the caller supplies `(source_key_hash, my_number)`.
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

#[cfg(test)]
mod index_tests {
    use super::BlockIndex;

    #[test]
    fn a_person_fits_two_cache_lines() {
        assert_eq!(std::mem::size_of::<super::Person>(), 128);
    }

    #[test]
    fn the_number_directory_finds_every_number_and_nothing_else() {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut sorted: Vec<u64> = (0..5_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state % 1_000_000_000_000
            })
            .collect();
        sorted.extend([0, 1, 999_999_999_999]);
        sorted.sort_unstable();
        sorted.dedup();
        // Row numbers other than the place in order: the look-up returns the row.
        let pairs: Vec<(u64, u32)> = sorted
            .iter()
            .enumerate()
            .map(|(i, n)| (*n, (i * 7 + 3) as u32))
            .collect();
        let numbers = super::Numbers::new(pairs);
        for (i, n) in sorted.iter().enumerate() {
            assert_eq!(numbers.position(*n), Some(i * 7 + 3));
            for other in [n.wrapping_sub(1), n + 1] {
                assert_eq!(
                    numbers.position(other),
                    sorted.binary_search(&other).ok().map(|j| j * 7 + 3)
                );
            }
        }
        assert_eq!(numbers.position(u64::MAX), None);
        assert_eq!(super::Numbers::new(Vec::new()).position(5), None);
        let one = super::Numbers::new(vec![(42, 0)]);
        assert_eq!(
            (one.position(42), one.position(41), one.position(43)),
            (Some(0), None, None)
        );
    }

    #[test]
    fn the_directory_finds_every_key_and_nothing_else() {
        // Row i holds key k_i; every seventh key is held by a second row too.
        let mut keys: Vec<Vec<u64>> = vec![Vec::new(); 20_000];
        let mut pairs = Vec::new();
        let mut k: u64 = 0x1234_5678_9abc_def1;
        for i in 0..10_000usize {
            k = k
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            keys[i].push(k | 1);
            pairs.push((k | 1, i as u32));
            if i % 7 == 0 {
                keys[i + 10_000].push(k | 1);
                keys[i + 10_000].push(0);
                pairs.push((k | 1, (i + 10_000) as u32));
            }
        }
        let idx = BlockIndex::build(keys.len(), |i, out| out.extend(&keys[i]));
        // In eight slices on two threads (as a big register is built), and in one: the same.
        let sliced = BlockIndex::build_in(keys.len(), |i, out| out.extend(&keys[i]), 2, Some(3));
        assert_eq!((&sliced.entries, &sliced.dir), (&idx.entries, &idx.dir));
        for (key, row) in &pairs {
            assert!(idx.get(*key).any(|r| r == *row));
        }
        assert_eq!(idx.get(pairs[0].0).collect::<Vec<_>>(), vec![0, 10_000]);
        assert_eq!(idx.get(2).len(), 0);
        assert_eq!(idx.get(0).len(), 0);
        assert_eq!(idx.entries.len(), pairs.len());
        assert_eq!(BlockIndex::build(0, |_, _| {}).get(7).len(), 0);
        // Every key's rows, and nothing else, in row order.
        let mut by_key: std::collections::HashMap<u64, Vec<u32>> = Default::default();
        for (key, row) in &pairs {
            by_key.entry(*key).or_default().push(*row);
        }
        for (key, rows) in by_key {
            assert_eq!(idx.get(key).collect::<Vec<_>>(), rows);
        }
    }
}
