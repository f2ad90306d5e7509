//! Graded comparisons: each attribute of a record compared with a register person's in levels,
//! from exact agreement down to "differs", as Fellegi–Sunter record linkage does (Splink,
//! recordlinkage). The register side is held as hashes ([`Keys`]) with the strings in a
//! [`Pool`]; the strings are only looked up when the hashes differ.

use super::features::{kana_romaji_tokens, Features};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Index of each comparison in a [`Gamma`].
pub const KANJI: usize = 0;
pub const KANA: usize = 1;
pub const LATIN: usize = 2;
pub const BIRTH: usize = 3;
pub const SEX: usize = 4;
pub const ADDRESS: usize = 5;
/// Number of comparisons.
pub const K: usize = 6;

/// A comparison's code and the codes of its levels, best agreement first; the last level is
/// always "differs".
pub struct Comparison {
    pub code: &'static str,
    pub levels: &'static [&'static str],
}

pub const COMPARISONS: [Comparison; K] = [
    Comparison {
        code: "name_kanji",
        levels: &[
            "exact",
            "swapped",
            "typo",
            "given_only",
            "family_only",
            "differs",
        ],
    },
    Comparison {
        code: "name_kana",
        levels: &[
            "exact",
            "same_sound",
            "swapped",
            "typo",
            "given_only",
            "family_only",
            "close",
            "differs",
        ],
    },
    Comparison {
        code: "name_latin",
        levels: &[
            "exact",
            "same_sound",
            "typo",
            "one_token",
            "close",
            "differs",
        ],
    },
    Comparison {
        code: "birth_date",
        levels: &[
            "exact",
            "day_month_swapped",
            "one_digit",
            "year_off_by_one",
            "differs",
        ],
    },
    Comparison {
        code: "sex",
        levels: &["same", "differs"],
    },
    Comparison {
        code: "address",
        levels: &[
            "exact",
            "building_differs",
            "number_typo",
            "area_typo",
            "same_area",
            "same_municipality",
            "differs",
        ],
    },
];

/// Not compared: one side does not hold the attribute.
pub const NONE: u8 = u8::MAX;

/// The level of each comparison for one pair ([`NONE`] when not compared).
pub type Gamma = [u8; K];

/// Level codes by name, so the rules read as words.
pub mod level {
    pub const EXACT: u8 = 0;
    // Kanji.
    pub const KANJI_SWAPPED: u8 = 1;
    pub const KANJI_TYPO: u8 = 2;
    pub const KANJI_GIVEN_ONLY: u8 = 3;
    pub const KANJI_FAMILY_ONLY: u8 = 4;
    pub const KANJI_DIFFERS: u8 = 5;
    // Kana.
    pub const KANA_SAME_SOUND: u8 = 1;
    pub const KANA_SWAPPED: u8 = 2;
    pub const KANA_TYPO: u8 = 3;
    pub const KANA_GIVEN_ONLY: u8 = 4;
    pub const KANA_FAMILY_ONLY: u8 = 5;
    pub const KANA_CLOSE: u8 = 6;
    pub const KANA_DIFFERS: u8 = 7;
    // Latin.
    pub const LATIN_SAME_SOUND: u8 = 1;
    pub const LATIN_TYPO: u8 = 2;
    pub const LATIN_ONE_TOKEN: u8 = 3;
    pub const LATIN_CLOSE: u8 = 4;
    pub const LATIN_DIFFERS: u8 = 5;
    // Birth date.
    pub const BIRTH_SWAPPED: u8 = 1;
    pub const BIRTH_ONE_DIGIT: u8 = 2;
    pub const BIRTH_YEAR_OFF: u8 = 3;
    pub const BIRTH_DIFFERS: u8 = 4;
    // Sex.
    pub const SEX_DIFFERS: u8 = 1;
    // Address.
    pub const ADDRESS_BUILDING: u8 = 1;
    pub const ADDRESS_NUMBER_TYPO: u8 = 2;
    pub const ADDRESS_AREA_TYPO: u8 = 3;
    pub const ADDRESS_SAME_AREA: u8 = 4;
    pub const ADDRESS_SAME_MUNI: u8 = 5;
    pub const ADDRESS_DIFFERS: u8 = 6;
}

/// Fields whose strings are pooled; mixed into the hash so equal strings of different fields
/// are different entries (their term frequencies differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Field {
    KanjiFull = 1,
    KanjiFamily,
    KanjiGiven,
    KanaExact,
    KanaFull,
    KanaFamily,
    KanaGiven,
    Latin,
    LatinToken,
    AddressFull,
    AddressArea,
    AddressMuni,
    AddressNumbers,
}

/// Hash of a string in a field; 0 for an empty string.
pub fn fhash(field: Field, s: &str) -> u64 {
    if s.is_empty() {
        0
    } else {
        xxhash_rust::xxh3::xxh3_64_with_seed(s.as_bytes(), field as u64) | 1
    }
}

/// A record's attributes as hashes: what the register keeps per person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keys {
    pub kanji_full: u64,
    pub kanji_family: u64,
    pub kanji_given: u64,
    pub kana_exact: u64,
    pub kana_full: u64,
    pub kana_family: u64,
    pub kana_given: u64,
    pub latin: u64,
    pub birth: u32,
    pub sex: u8,
    pub addr_full: u64,
    pub addr_area: u64,
    pub addr_muni: u64,
    pub addr_numbers: u64,
}

impl Keys {
    pub fn of(f: &Features) -> Keys {
        let mut k = Keys {
            birth: f.birth,
            sex: f.sex,
            ..Keys::default()
        };
        if let Some(n) = &f.kanji {
            k.kanji_full = fhash(Field::KanjiFull, &n.full);
            k.kanji_family = fhash(Field::KanjiFamily, &n.family);
            k.kanji_given = fhash(Field::KanjiGiven, &n.given);
        }
        if let Some(n) = &f.kana {
            k.kana_exact = fhash(Field::KanaExact, &n.exact);
            k.kana_full = fhash(Field::KanaFull, &n.folded.full);
            k.kana_family = fhash(Field::KanaFamily, &n.folded.family);
            k.kana_given = fhash(Field::KanaGiven, &n.folded.given);
        }
        if let Some(t) = &f.latin {
            k.latin = fhash(Field::Latin, &t.join(" "));
        }
        if let Some(a) = &f.address {
            k.addr_full = fhash(Field::AddressFull, &a.full);
            k.addr_area = fhash(Field::AddressArea, &a.area);
            k.addr_muni = fhash(Field::AddressMuni, &a.muni);
            k.addr_numbers = fhash(Field::AddressNumbers, &a.numbers);
        }
        k
    }
}

/// A hasher for keys that are already hashes.
#[derive(Default)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub type HashBuild = BuildHasherDefault<PassThrough>;

/// The register's strings by hash, with how many people hold each (term frequencies).
#[derive(Debug, Default, Clone)]
pub struct Pool {
    map: HashMap<u64, (Box<str>, u32), HashBuild>,
}

impl Pool {
    /// Counts one occurrence of `s` in `field`; returns its hash.
    pub fn add(&mut self, field: Field, s: &str) -> u64 {
        let h = fhash(field, s);
        if h != 0 {
            self.map
                .entry(h)
                .and_modify(|e| e.1 += 1)
                .or_insert_with(|| (s.into(), 1));
        }
        h
    }

    /// Adds every string of a record's features.
    pub fn add_features(&mut self, f: &Features) {
        if let Some(n) = &f.kanji {
            if n.family.is_empty() {
                self.add(Field::KanjiFull, &n.full);
            } else {
                self.add(Field::KanjiFamily, &n.family);
                self.add(Field::KanjiGiven, &n.given);
            }
        }
        if let Some(n) = &f.kana {
            if n.folded.family.is_empty() {
                self.add(Field::KanaFull, &n.folded.full);
            } else {
                self.add(Field::KanaFamily, &n.folded.family);
                self.add(Field::KanaGiven, &n.folded.given);
            }
        }
        if let Some(t) = &f.latin {
            self.add(Field::Latin, &t.join(" "));
            for tok in t {
                self.add(Field::LatinToken, tok);
            }
        }
        if let Some(a) = &f.address {
            self.add(Field::AddressArea, &a.area);
            self.add(Field::AddressMuni, &a.muni);
            self.add(Field::AddressNumbers, &a.numbers);
        }
    }

    /// Merges another pool's strings and counts.
    pub fn merge(&mut self, other: Pool) {
        if self.map.is_empty() {
            self.map = other.map;
            return;
        }
        for (h, (s, n)) in other.map {
            self.map.entry(h).and_modify(|e| e.1 += n).or_insert((s, n));
        }
    }

    pub fn get(&self, h: u64) -> Option<&str> {
        self.map.get(&h).map(|(s, _)| &**s)
    }

    /// How many register people hold this value.
    pub fn count(&self, h: u64) -> u32 {
        self.map.get(&h).map(|(_, n)| *n).unwrap_or(0)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// A register person's features rebuilt from the pool (for sampling pairs and explanations).
pub fn features_of(keys: &Keys, pool: &Pool) -> Features {
    use super::features::{Address, KanaName, Name};
    let s = |h: u64| pool.get(h).unwrap_or("").to_string();
    let name = |full: u64, family: u64, given: u64| -> Option<Name> {
        if full == 0 {
            return None;
        }
        let (family, given) = (s(family), s(given));
        let full = if family.is_empty() {
            s(full)
        } else {
            format!("{family}{given}")
        };
        Some(Name {
            full,
            family,
            given,
        })
    };
    Features {
        kanji: name(keys.kanji_full, keys.kanji_family, keys.kanji_given),
        kana: name(keys.kana_full, keys.kana_family, keys.kana_given).map(|folded| KanaName {
            // The exact form is not pooled; the folded one stands in (only hashes compare it).
            exact: folded.full.clone(),
            folded,
        }),
        latin: (keys.latin != 0).then(|| s(keys.latin).split(' ').map(str::to_string).collect()),
        birth: keys.birth,
        sex: keys.sex,
        address: (keys.addr_full != 0).then(|| Address {
            full: String::new(),
            muni: s(keys.addr_muni),
            area: s(keys.addr_area),
            numbers: s(keys.addr_numbers),
            rest: String::new(),
        }),
    }
}

/// Kanji that optical character recognition and hurried copying confuse (common knowledge of
/// Japanese data entry: one stroke more or less, or a shorter line). Variant forms (髙/高 …)
/// are folded by normalization before this.
pub const KANJI_LOOK_ALIKES: &[(char, char)] = &[
    ('未', '末'),
    ('土', '士'),
    ('己', '已'),
    ('己', '巳'),
    ('已', '巳'),
    ('人', '入'),
    ('人', '八'),
    ('大', '太'),
    ('大', '犬'),
    ('太', '犬'),
    ('千', '干'),
    ('王', '玉'),
    ('日', '曰'),
    ('日', '目'),
    ('刀', '力'),
    ('天', '夫'),
    ('右', '石'),
    ('白', '百'),
    ('休', '体'),
    ('冶', '治'),
    ('徴', '微'),
    ('崎', '埼'),
    ('祐', '佑'),
    ('裕', '祐'),
    ('博', '搏'),
    ('晴', '睛'),
    ('恵', '惠'),
    ('貝', '見'),
    ('免', '兔'),
    ('折', '析'),
    ('代', '伐'),
];

fn look_alike(a: char, b: char) -> bool {
    KANJI_LOOK_ALIKES
        .iter()
        .any(|&(x, y)| (x == a && y == b) || (x == b && y == a))
}

/// A kanji name part that is the other with one slip: a look-alike character in its place
/// (OCR, copying), or, in a part of three characters or more, any one-character slip. A
/// different character in a two-character name (利恵/里恵) is another name, not a slip.
fn kanji_slip(a: &str, b: &str) -> bool {
    let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if ca.len() == cb.len() {
        let diffs: Vec<(char, char)> = ca
            .iter()
            .zip(&cb)
            .filter(|(x, y)| x != y)
            .map(|(x, y)| (*x, *y))
            .collect();
        if let [(x, y)] = diffs.as_slice() {
            return look_alike(*x, *y) || ca.len() >= 3;
        }
    }
    ca.len().min(cb.len()) >= 3 && within_one(a, b)
}

/// Optimal-string-alignment distance of at most one (a substitution, insertion, deletion or
/// transposition of neighbours).
fn within_one(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    // Without allocating (this runs for every candidate of a rival search): strip the common
    // prefix and suffix; what is left is one character or none on each side, or two
    // neighbours swapped.
    let prefix = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let room = la.min(lb) - prefix;
    let suffix = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    let (ra, rb) = (la - prefix - suffix, lb - prefix - suffix);
    if ra <= 1 && rb <= 1 {
        return true;
    }
    if ra == 2 && rb == 2 {
        let mut ma = a.chars().skip(prefix);
        let mut mb = b.chars().skip(prefix);
        let (a0, a1, b0, b1) = (ma.next(), ma.next(), mb.next(), mb.next());
        return a0 == b1 && a1 == b0;
    }
    false
}

/// One side's name as strings: family and given (empty when unsplit), and the whole.
struct NameStr<'a> {
    /// The pooled whole name (only held when the name is unsplit).
    unsplit: &'a str,
    family: &'a str,
    given: &'a str,
}

impl<'a> NameStr<'a> {
    /// The whole name (built only when it is asked for: the split comparisons read the parts).
    fn full(&self) -> std::borrow::Cow<'a, str> {
        if self.family.is_empty() {
            std::borrow::Cow::Borrowed(self.unsplit)
        } else {
            std::borrow::Cow::Owned(format!("{}{}", self.family, self.given))
        }
    }
}

fn row_name<'a>(pool: &'a Pool, full: u64, family: u64, given: u64) -> NameStr<'a> {
    let family = pool.get(family).unwrap_or("");
    let given = pool.get(given).unwrap_or("");
    let unsplit = if family.is_empty() {
        pool.get(full).unwrap_or("")
    } else {
        ""
    };
    NameStr {
        unsplit,
        family,
        given,
    }
}

/// Kanji names: exact, swapped parts, a one-character slip (OCR, typing), same given name only
/// (marriage), same family name only (a relative), differs.
fn cmp_kanji(s: &Features, sk: &Keys, r: &Keys, pool: &Pool) -> u8 {
    use level::*;
    let Some(sn) = &s.kanji else { return NONE };
    if r.kanji_full == 0 {
        return NONE;
    }
    if sk.kanji_full == r.kanji_full {
        return EXACT;
    }
    let split = sk.kanji_family != 0 && r.kanji_family != 0;
    let rn = row_name(pool, r.kanji_full, r.kanji_family, r.kanji_given);
    if split && sn.family == rn.given && sn.given == rn.family {
        return KANJI_SWAPPED;
    }
    if split {
        let fam = sk.kanji_family == r.kanji_family;
        let giv = sk.kanji_given == r.kanji_given;
        if (fam && kanji_slip(&sn.given, rn.given)) || (giv && kanji_slip(&sn.family, rn.family)) {
            return KANJI_TYPO;
        }
        if giv {
            return KANJI_GIVEN_ONLY;
        }
        if fam {
            return KANJI_FAMILY_ONLY;
        }
        return KANJI_DIFFERS;
    }
    let rn_full = rn.full();
    if kanji_slip(&sn.full, &rn_full) {
        return KANJI_TYPO;
    }
    match part_of_unsplit(
        &sn.family, &sn.given, &sn.full, rn.family, rn.given, &rn_full,
    ) {
        Some(lvl) => [KANJI_GIVEN_ONLY, KANJI_FAMILY_ONLY][lvl],
        None => KANJI_DIFFERS,
    }
}

/// When one side's name is split and the other's is not ("ヤマダ ハナコ" against
/// "カワグチハナコ"): 0 when the unsplit name ends with the other's given name, 1 when it begins
/// with the other's family name; `None` otherwise.
fn part_of_unsplit(
    a_family: &str,
    a_given: &str,
    a_full: &str,
    b_family: &str,
    b_given: &str,
    b_full: &str,
) -> Option<usize> {
    let (family, given, unsplit) = if a_family.is_empty() && !b_family.is_empty() {
        (b_family, b_given, a_full)
    } else if b_family.is_empty() && !a_family.is_empty() {
        (a_family, a_given, b_full)
    } else {
        return None;
    };
    if !given.is_empty() && unsplit.ends_with(given) && !unsplit.starts_with(family) {
        Some(0)
    } else if !family.is_empty() && unsplit.starts_with(family) && !unsplit.ends_with(given) {
        Some(1)
    } else {
        None
    }
}

/// Kana names, on the folded reading: exact, same sound (long vowels, ヅ/ズ …), swapped, a
/// one-kana slip, same given only, same family only, close (Jaro–Winkler ≥ 0.9), differs.
fn cmp_kana(s: &Features, sk: &Keys, r: &Keys, pool: &Pool) -> u8 {
    use level::*;
    let Some(sn) = &s.kana else { return NONE };
    if r.kana_full == 0 {
        return NONE;
    }
    if sk.kana_exact == r.kana_exact && sk.kana_exact != 0 {
        return EXACT;
    }
    if sk.kana_full == r.kana_full {
        return KANA_SAME_SOUND;
    }
    let split = sk.kana_family != 0 && r.kana_family != 0;
    let rn = row_name(pool, r.kana_full, r.kana_family, r.kana_given);
    let sf = &sn.folded;
    if split && sf.family == rn.given && sf.given == rn.family {
        return KANA_SWAPPED;
    }
    if split {
        let fam = sk.kana_family == r.kana_family;
        let giv = sk.kana_given == r.kana_given;
        if (fam && within_one(&sf.given, rn.given)) || (giv && within_one(&sf.family, rn.family)) {
            return KANA_TYPO;
        }
        // Another family name (marriage) with the given name the same or a slip away.
        if giv || within_one(&sf.given, rn.given) {
            return KANA_GIVEN_ONLY;
        }
        if fam {
            // The same family name and a given name that is nearly the same (a foreign name
            // spelt another way, two slips) is close, not another family member.
            if strsim::jaro_winkler(&sf.given, rn.given) >= 0.85 {
                return KANA_CLOSE;
            }
            return KANA_FAMILY_ONLY;
        }
    } else {
        let rn_full = rn.full();
        if within_one(&sf.full, &rn_full) && sf.full.chars().count() >= 3 {
            return KANA_TYPO;
        } else if strsim::jaro_winkler(&sf.full, &rn_full) >= 0.9 {
            return KANA_CLOSE;
        } else if let Some(lvl) = part_of_unsplit(
            &sf.family, &sf.given, &sf.full, rn.family, rn.given, &rn_full,
        ) {
            return [KANA_GIVEN_ONLY, KANA_FAMILY_ONLY][lvl];
        }
        // Neither is close: the same Jaro–Winkler as above, so differs.
        return KANA_DIFFERS;
    }
    if strsim::jaro_winkler(&sf.full, &rn.full()) >= 0.9 {
        return KANA_CLOSE;
    }
    KANA_DIFFERS
}

/// Best pairing of two token lists by Jaro–Winkler: the mean similarity and the count of
/// exactly equal tokens.
fn token_similarity(a: &[String], b: &[String]) -> (f64, usize, f64) {
    if a.is_empty() || b.is_empty() {
        return (0.0, 0, 0.0);
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut used = vec![false; long.len()];
    let (mut total, mut exact, mut worst) = (0.0, 0, 1.0f64);
    for t in short {
        let mut best = (0.0, usize::MAX);
        for (j, u) in long.iter().enumerate() {
            if used[j] {
                continue;
            }
            let sim = strsim::jaro_winkler(t, u);
            if sim > best.0 {
                best = (sim, j);
            }
        }
        if best.1 != usize::MAX {
            used[best.1] = true;
            if long[best.1] == *t {
                exact += 1;
            }
        }
        total += best.0;
        worst = worst.min(best.0);
    }
    // Tokens of the longer side left unpaired count as disagreement.
    let mean = total / long.len() as f64;
    (mean, exact, worst)
}

fn fold_tokens(t: &[String]) -> Vec<String> {
    let mut v: Vec<String> = t
        .iter()
        .map(|x| super::super::normalize::romaji(x))
        .collect();
    v.sort();
    v
}

/// Latin names (or a Latin name against a romanized kana name): exact, same after romaji
/// folding (Satou/Sato), every token close (Jaro–Winkler ≥ 0.88), one token exact, close
/// (mean ≥ 0.8), differs.
fn cmp_latin(s: &Features, sk: &Keys, r: &Keys, pool: &Pool) -> u8 {
    use level::*;
    let row_tokens: Vec<String>;
    let st: Vec<String>;
    if let Some(t) = &s.latin {
        st = t.clone();
        if r.latin != 0 {
            if sk.latin == r.latin {
                return EXACT;
            }
            row_tokens = pool
                .get(r.latin)
                .unwrap_or("")
                .split(' ')
                .map(str::to_string)
                .collect();
        } else if r.kana_full != 0 {
            let rf = features_of(
                &Keys {
                    kana_full: r.kana_full,
                    kana_family: r.kana_family,
                    kana_given: r.kana_given,
                    ..Keys::default()
                },
                pool,
            );
            row_tokens = rf.kana.as_ref().map(kana_romaji_tokens).unwrap_or_default();
        } else {
            return NONE;
        }
    } else if r.latin != 0 {
        // A kana record against a Latin register name.
        let Some(k) = &s.kana else { return NONE };
        st = kana_romaji_tokens(k);
        row_tokens = pool
            .get(r.latin)
            .unwrap_or("")
            .split(' ')
            .map(str::to_string)
            .collect();
    } else {
        return NONE;
    }
    let (a, b) = (fold_tokens(&st), fold_tokens(&row_tokens));
    if a == b {
        return LATIN_SAME_SOUND;
    }
    let (mean, exact, worst) = token_similarity(&a, &b);
    if a.len() == b.len() && worst >= 0.88 {
        return LATIN_TYPO;
    }
    if exact > 0 {
        return LATIN_ONE_TOKEN;
    }
    if mean >= 0.8 || bigram_dice(&a.concat(), &b.concat()) >= 0.6 {
        return LATIN_CLOSE;
    }
    LATIN_DIFFERS
}

/// Dice coefficient of the character bigrams of two strings: robust to a name split or joined
/// differently (`MARS HAL` / `MARSHAL`) and to a slip or two.
fn bigram_dice(a: &str, b: &str) -> f64 {
    let grams = |s: &str| -> Vec<(char, char)> {
        let c: Vec<char> = s.chars().collect();
        let mut g: Vec<(char, char)> = c.windows(2).map(|w| (w[0], w[1])).collect();
        g.sort_unstable();
        g
    };
    let (ga, gb) = (grams(a), grams(b));
    if ga.is_empty() || gb.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < ga.len() && j < gb.len() {
        match ga[i].cmp(&gb[j]) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    2.0 * common as f64 / (ga.len() + gb.len()) as f64
}

fn valid_ymd(d: u32) -> bool {
    let y = d / 10000;
    y > 0 && super::features::is_calendar_date(y, d / 100 % 100, d % 100)
}

/// Birth dates: exact, day and month transposed, one digit off, the year off by one, differs.
pub fn cmp_birth(a: u32, b: u32) -> u8 {
    use level::*;
    if a == 0 || b == 0 {
        return NONE;
    }
    if a == b {
        return EXACT;
    }
    let (ya, ma, da) = (a / 10000, a / 100 % 100, a % 100);
    let (yb, mb, db) = (b / 10000, b / 100 % 100, b % 100);
    if ya == yb && ma == db && da == mb && valid_ymd(a) {
        return BIRTH_SWAPPED;
    }
    // Differing decimal digits of the two YYYYMMDD numbers (no allocation: this runs for
    // every candidate of a sub-blocked name block).
    let (mut x, mut y, mut differing) = (a, b, 0);
    for _ in 0..8 {
        if x % 10 != y % 10 {
            differing += 1;
        }
        x /= 10;
        y /= 10;
    }
    if differing == 1 {
        return BIRTH_ONE_DIGIT;
    }
    if ma == mb && da == db && ya.abs_diff(yb) == 1 {
        return BIRTH_YEAR_OFF;
    }
    BIRTH_DIFFERS
}

fn cmp_sex(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        NONE
    } else if a == b {
        level::EXACT
    } else {
        level::SEX_DIFFERS
    }
}

/// Addresses part by part: exact, same block but another building or room, the same area with
/// a block number one keystroke off, the same numbers with a slip in the town name, the same
/// area (town) with other numbers, the same municipality, differs.
fn cmp_address(s: &Features, sk: &Keys, r: &Keys, pool: &Pool) -> u8 {
    use level::*;
    let Some(sa) = &s.address else { return NONE };
    if r.addr_full == 0 {
        return NONE;
    }
    if sk.addr_full == r.addr_full {
        return EXACT;
    }
    let same_area = sk.addr_area == r.addr_area && sk.addr_area != 0;
    let same_numbers = sk.addr_numbers == r.addr_numbers;
    if same_area && same_numbers {
        return ADDRESS_BUILDING;
    }
    let rn = pool.get(r.addr_numbers).unwrap_or("");
    if same_area && !sa.numbers.is_empty() && !rn.is_empty() && within_one(&sa.numbers, rn) {
        return ADDRESS_NUMBER_TYPO;
    }
    if same_numbers && !sa.numbers.is_empty() {
        let ra = pool.get(r.addr_area).unwrap_or("");
        if !ra.is_empty() && strsim::jaro_winkler(&sa.area, ra) >= 0.9 {
            return ADDRESS_AREA_TYPO;
        }
    }
    if same_area {
        return ADDRESS_SAME_AREA;
    }
    if sk.addr_muni == r.addr_muni && sk.addr_muni != 0 {
        return ADDRESS_SAME_MUNI;
    }
    ADDRESS_DIFFERS
}

/// Compares a record (features and their keys) with a register person.
pub fn gamma(s: &Features, sk: &Keys, r: &Keys, pool: &Pool) -> Gamma {
    let mut g = [NONE; K];
    g[KANJI] = cmp_kanji(s, sk, r, pool);
    g[KANA] = cmp_kana(s, sk, r, pool);
    // Latin is compared only where a Latin name is involved and kanji/kana did not compare.
    if s.latin.is_some() || r.latin != 0 {
        g[LATIN] = cmp_latin(s, sk, r, pool);
    }
    g[BIRTH] = cmp_birth(s.birth, r.birth);
    g[SEX] = cmp_sex(s.sex, r.sex);
    g[ADDRESS] = cmp_address(s, sk, r, pool);
    g
}

/// Whether every compared attribute agrees exactly (no rival can explain the record better).
pub fn all_exact(g: &Gamma) -> bool {
    g.iter().all(|l| *l == NONE || *l == level::EXACT)
}

/// How many attributes were compared.
pub fn compared(g: &Gamma) -> usize {
    g.iter().filter(|l| **l != NONE).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::matching::Identity;

    fn id(k: &str, kana: &str, b: &str, s: &str, a: &str) -> Identity {
        Identity::from_cells(k, kana, b, s, a)
    }

    fn g(snap: &Identity, reg: &Identity) -> Gamma {
        let mut pool = Pool::default();
        let rf = Features::of(reg);
        pool.add_features(&rf);
        let rk = Keys::of(&rf);
        let sf = Features::of(snap);
        gamma(&sf, &Keys::of(&sf), &rk, &pool)
    }

    fn taro() -> Identity {
        id(
            "山田 太郎",
            "ヤマダ タロウ",
            "1980-05-01",
            "M",
            "東京都千代田区霞が関2丁目1番2号",
        )
    }

    #[test]
    fn identical_and_notation_differences_are_exact() {
        assert_eq!(g(&taro(), &taro()), [0, 0, NONE, 0, 0, 0]);
        let noisy = id(
            "山田太郎",
            "ﾔﾏﾀﾞ ﾀﾛｳ",
            "1980/5/1",
            "男",
            "千代田区霞が関２－１－２",
        );
        assert_eq!(g(&noisy, &taro()), [0, 0, NONE, 0, 0, 0]);
    }

    #[test]
    fn graded_levels() {
        use level::*;
        let mut s = taro();
        s.name_kana = Some("ヤマダ タロー".into());
        assert_eq!(g(&s, &taro())[KANA], KANA_SAME_SOUND);
        s.name_kana = Some("ヤマダ タロオ".into());
        assert_eq!(g(&s, &taro())[KANA], KANA_SAME_SOUND);
        s.name_kana = Some("ヤマダ タコウ".into());
        assert_eq!(g(&s, &taro())[KANA], KANA_TYPO);
        s.name_kana = Some("カワグチ タロウ".into());
        assert_eq!(g(&s, &taro())[KANA], KANA_GIVEN_ONLY);
        s.name_kana = Some("ヤマダ ハナコ".into());
        assert_eq!(g(&s, &taro())[KANA], KANA_FAMILY_ONLY);
        s.name_kana = Some("スズキ ハナコ".into());
        assert_eq!(g(&s, &taro())[KANA], KANA_DIFFERS);
        s.name_kanji = Some("山田 大郎".into());
        assert_eq!(g(&s, &taro())[KANJI], KANJI_TYPO);
        s.name_kanji = Some("太郎 山田".into());
        assert_eq!(g(&s, &taro())[KANJI], KANJI_SWAPPED);
        s.birth_date = Some("1980-01-05".into());
        assert_eq!(g(&s, &taro())[BIRTH], BIRTH_SWAPPED);
        s.birth_date = Some("1980-05-07".into());
        assert_eq!(g(&s, &taro())[BIRTH], BIRTH_ONE_DIGIT);
        s.birth_date = Some("1979-05-01".into());
        assert_eq!(g(&s, &taro())[BIRTH], BIRTH_YEAR_OFF);
        s.birth_date = Some("1975-11-21".into());
        assert_eq!(g(&s, &taro())[BIRTH], BIRTH_DIFFERS);
        s.address = Some("千代田区霞が関2-1-3".into());
        assert_eq!(g(&s, &taro())[ADDRESS], ADDRESS_NUMBER_TYPO);
        s.address = Some("千代田区霞が関2-1-2 霞が関ビル301".into());
        assert_eq!(g(&s, &taro())[ADDRESS], ADDRESS_BUILDING);
        s.address = Some("千代田区霞ケ関2-1-2".into());
        assert_eq!(g(&s, &taro())[ADDRESS], ADDRESS_AREA_TYPO);
        s.address = Some("千代田区霞が関3-5-8".into());
        assert_eq!(g(&s, &taro())[ADDRESS], ADDRESS_SAME_AREA);
        s.address = Some("千代田区永田町1-7-1".into());
        assert_eq!(g(&s, &taro())[ADDRESS], ADDRESS_SAME_MUNI);
        s.address = Some("大阪市北区梅田1-2-3".into());
        assert_eq!(g(&s, &taro())[ADDRESS], ADDRESS_DIFFERS);
    }

    #[test]
    fn one_slip_is_a_substitution_insertion_deletion_or_swap() {
        for (a, b) in [
            ("タロウ", "タロウ"),
            ("タロウ", "タコウ"),
            ("タロウ", "タロ"),
            ("タロ", "タロウ"),
            ("タロウ", "ロタウ"),
            ("abcd", "abdc"),
            ("", "a"),
        ] {
            assert!(within_one(a, b), "{a} {b}");
            assert_eq!(within_one(a, b), strsim::osa_distance(a, b) <= 1, "{a} {b}");
        }
        for (a, b) in [
            ("タロウ", "ハナコ"),
            ("abcd", "badc"),
            ("ab", "abcd"),
            ("abc", "cab"),
        ] {
            assert!(!within_one(a, b), "{a} {b}");
            assert!(strsim::osa_distance(a, b) > 1, "{a} {b}");
        }
    }

    #[test]
    fn latin_names_compare_with_latin_and_with_kana() {
        use level::*;
        let s = id("Taro YAMADA", "", "", "", "");
        assert_eq!(g(&s, &taro())[LATIN], LATIN_SAME_SOUND);
        let s = id("Tarou Yamada", "", "", "", "");
        assert_eq!(g(&s, &taro())[LATIN], LATIN_SAME_SOUND);
        let reg = id("SMITH JOHN", "スミス ジョン", "", "", "");
        assert_eq!(g(&id("John SMITH", "", "", "", ""), &reg)[LATIN], EXACT);
        assert_eq!(g(&id("Jon Smyth", "", "", "", ""), &reg)[LATIN], LATIN_TYPO);
        assert_eq!(
            g(&id("Mary Jones", "", "", "", ""), &reg)[LATIN],
            LATIN_DIFFERS
        );
    }
}
