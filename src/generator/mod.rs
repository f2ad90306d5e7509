//! The synthetic population: households of residents in real municipalities, items linked to
//! them in the six categories, wrong links injected at a chosen rate with the real 2023 patterns,
//! and harmless noise that is not an error. Deterministic for a given seed.
//!
//! Two random streams. The first makes the households, people, items, the 2023 wrong links and
//! the first four noise kinds, exactly as before the second existed. The second, seeded from
//! the seed mixed with a constant, layers the harder test bed of [`Hardness`] on top: the newer
//! noise kinds (kana and date typos, long vowels, a missing space, OCR kanji look-alikes,
//! address typos, maiden names, romaji spellings of foreign residents' names), links with two
//! kinds at once, wrong links that carry noise themselves, twins, namesakes elsewhere,
//! same-kana links without an address, and accounts in a household member's name. With
//! [`Hardness::none`] the population is byte for byte that of the first stream alone.
//!
//! The generator only builds rows; it does no I/O. The ground truth ([`Truth`]: which links are
//! wrong and whose they really are, which correct links carry which noise) is returned apart
//! from the rows, for a separate file.

pub mod data;

use crate::domain::items::ItemDetails;
use crate::domain::matching::Identity;
use crate::domain::my_number::MyNumber;
use crate::store::bulk::{Batch, InstitutionRow, NewItem, NewResident};
use data::{Municipality, NameData, BANKS, MUTUAL_AID, SOCIETIES};
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// The date the population is "as of", for ages and benefit status.
pub const AS_OF_YEAR: i32 = 2026;

#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub residents: u64,
    /// Share of non-register items linked to the wrong person (the four 2023 patterns; the
    /// hard variants `twin_number` and `lookalike_no_address` are carved out of them, so the
    /// total stays the same).
    pub wrong_rate: f64,
    /// Share of correct non-register links whose snapshot differs harmlessly from the register,
    /// all item-level kinds together (the person-bound `marriage_surname` and `romaji_name`
    /// come on top, at the rates of [`Hardness`]).
    pub noise_rate: f64,
    /// The harder test bed layered on the population (see [`Hardness`]).
    pub hard: Hardness,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 42,
            residents: 2_000,
            wrong_rate: 0.004,
            noise_rate: 0.03,
            hard: Hardness::default(),
        }
    }
}

/// Rates of the harder test bed: the noise kinds added after the first four, hard negatives and
/// noisy wrong links. All of it is drawn from a second random stream, so the first stream's
/// draws, and with them the households, the people's ids and numbers, every item and every wrong
/// link of the 2023 patterns, are the same whatever these rates are; [`Hardness::none`] gives
/// the population of before, byte for byte.
#[derive(Debug, Clone, Copy)]
pub struct Hardness {
    /// Share of noisy links whose difference is one of the newer kinds (`kana_typo` to
    /// `address_typo`) rather than one of the first four.
    pub new_kinds: f64,
    /// Share of noisy links that carry a second, different kind.
    pub second_kind: f64,
    /// Share of wrong links whose snapshot also carries a harmless difference of the true owner's
    /// data.
    pub noisy_wrong: f64,
    /// Share of households of foreign residents (a katakana name and a Latin name in the
    /// register; about 2.5% of residents in Japan are foreign nationals).
    pub foreign: f64,
    /// Share of a foreign resident's links whose institution wrote the name in romaji.
    pub romaji: f64,
    /// Share of wives whose change of family name at marriage some institutions missed.
    pub maiden: f64,
    /// Share of such a wife's links that still carry the maiden family name.
    pub maiden_items: f64,
    /// Share of households with two children of one age group whose two children are twins.
    pub twins: f64,
    /// Share of a twin's `family_member_number` wrong links that went to the other twin
    /// (`twin_number`).
    pub twin_confusion: f64,
    /// Share of people living alone who share kanji, kana, birth date and sex with someone in
    /// another municipality (when the population has such a person).
    pub namesakes: f64,
    /// Share of `same_kana_other_person` links whose snapshot carries no address
    /// (`lookalike_no_address`).
    pub lookalike_no_address: f64,
    /// Share of correct public-fund accounts of multi-person households whose holder is another
    /// household member (about 130,000 of some 60 million registered accounts in 2023, 0.2%).
    pub family_account: f64,
    /// Share of households whose address ends in a building name.
    pub buildings: f64,
}

impl Default for Hardness {
    fn default() -> Self {
        Hardness {
            new_kinds: 0.65,
            second_kind: 0.25,
            noisy_wrong: 0.3,
            foreign: 0.015,
            romaji: 0.4,
            maiden: 0.1,
            maiden_items: 0.3,
            twins: 0.04,
            twin_confusion: 0.5,
            namesakes: 0.05,
            lookalike_no_address: 0.3,
            family_account: 0.004,
            buildings: 0.2,
        }
    }
}

impl Hardness {
    /// Nothing harder: the population of the first four noise kinds and the 2023 patterns only.
    pub fn none() -> Self {
        Hardness {
            new_kinds: 0.0,
            second_kind: 0.0,
            noisy_wrong: 0.0,
            foreign: 0.0,
            romaji: 0.0,
            maiden: 0.0,
            maiden_items: 0.0,
            twins: 0.0,
            twin_confusion: 0.0,
            namesakes: 0.0,
            lookalike_no_address: 0.0,
            family_account: 0.0,
            buildings: 0.0,
        }
    }
}

/// The 2023 patterns of wrong links, and two harder variants of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WrongPattern {
    /// Same kana name, birth date and sex, but another person (weak registry query).
    SameKanaOtherPerson,
    /// A family member's number written in the applicant's place.
    FamilyMemberNumber,
    /// A guardian's number on a disability certificate.
    GuardianOnCertificate,
    /// A bank account registered on a shared counter terminal left signed in.
    SharedTerminalAccount,
    /// `family_member_number` where the member is the applicant's twin: same family name,
    /// birth date and address, often the same sex; only the given name tells them apart.
    TwinNumber,
    /// `same_kana_other_person` whose snapshot carries no address: it agrees with the linked
    /// person on everything it has; only the rightful owner, just as close, tells.
    LookalikeNoAddress,
}

impl WrongPattern {
    pub const ALL: [WrongPattern; 6] = [
        WrongPattern::SameKanaOtherPerson,
        WrongPattern::FamilyMemberNumber,
        WrongPattern::GuardianOnCertificate,
        WrongPattern::SharedTerminalAccount,
        WrongPattern::TwinNumber,
        WrongPattern::LookalikeNoAddress,
    ];
    pub fn code(self) -> &'static str {
        match self {
            WrongPattern::SameKanaOtherPerson => "same_kana_other_person",
            WrongPattern::FamilyMemberNumber => "family_member_number",
            WrongPattern::GuardianOnCertificate => "guardian_on_certificate",
            WrongPattern::SharedTerminalAccount => "shared_terminal_account",
            WrongPattern::TwinNumber => "twin_number",
            WrongPattern::LookalikeNoAddress => "lookalike_no_address",
        }
    }
}

/// What a correct link is, when it is more than a plain copy of the register: a harmless
/// difference in its snapshot, or a situation that makes it hard to judge. None of them changes
/// whose the link is: the linked person is always the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Noise {
    /// An old variant form of a kanji (髙/高).
    KanjiVariant,
    /// Half-width katakana, as banks store it.
    HalfWidthKana,
    /// `1-2-3` for `1丁目2番3号`.
    AddressNotation,
    /// The institution still has an earlier address.
    MoveNotReflected,
    /// One kana confused (ツ/ッ, ヅ/ズ, ヂ/ジ, ヲ/オ, small/large), dropped, doubled or
    /// replaced by another of its row.
    KanaTypo,
    /// A long vowel written ー or spelt out (サトウ/サトー, オオノ/オーノ, ユウコ/ユーコ).
    LongVowel,
    /// No space between family and given name (kanji and kana).
    MissingSpace,
    /// One kanji read as a look-alike (未/末, 土/士, ...; [`data::OCR_KANJI`]).
    OcrKanji,
    /// One digit of the birth date changed, day and month transposed, or the year off by one
    /// (always still a valid date).
    DateTypo,
    /// A house number off by one, or the building name dropped.
    AddressTypo,
    /// The institution still has the maiden family name (kanji and kana).
    MarriageSurname,
    /// A foreign resident's name in romaji, in another order, case or spelling (`John SMITH`,
    /// `SMITH JON`) than the register's Latin name.
    RomajiName,
    /// Situation: the person has a twin in the household (same family name, birth date and
    /// address; sometimes the same sex).
    Twin,
    /// Situation: someone in another municipality has the same kanji, kana, birth date and sex.
    Namesake,
    /// Situation: a public-fund account whose holder is another member of the household,
    /// registered by, and linked to, this person. Not a wrong link (2023 counted the ~130,000
    /// such accounts as a finding of its own); the snapshot's kana is the member's.
    AccountInFamilyName,
}

impl Noise {
    pub const ALL: [Noise; 15] = [
        Noise::KanjiVariant,
        Noise::HalfWidthKana,
        Noise::AddressNotation,
        Noise::MoveNotReflected,
        Noise::KanaTypo,
        Noise::LongVowel,
        Noise::MissingSpace,
        Noise::OcrKanji,
        Noise::DateTypo,
        Noise::AddressTypo,
        Noise::MarriageSurname,
        Noise::RomajiName,
        Noise::Twin,
        Noise::Namesake,
        Noise::AccountInFamilyName,
    ];
    /// The first four kinds, drawn from the first stream as ever.
    const FIRST_KINDS: [Noise; 4] = [
        Noise::KanjiVariant,
        Noise::HalfWidthKana,
        Noise::AddressNotation,
        Noise::MoveNotReflected,
    ];
    /// The item-level differences the newer noise draws from.
    const NEW_KINDS: [Noise; 6] = [
        Noise::KanaTypo,
        Noise::LongVowel,
        Noise::MissingSpace,
        Noise::OcrKanji,
        Noise::DateTypo,
        Noise::AddressTypo,
    ];
    /// The item-level differences (not the person-bound ones).
    const ITEM_KINDS: [Noise; 10] = [
        Noise::KanjiVariant,
        Noise::HalfWidthKana,
        Noise::AddressNotation,
        Noise::MoveNotReflected,
        Noise::KanaTypo,
        Noise::LongVowel,
        Noise::MissingSpace,
        Noise::OcrKanji,
        Noise::DateTypo,
        Noise::AddressTypo,
    ];
    /// Every difference (not the situations).
    const DIFFERENCES: [Noise; 12] = [
        Noise::KanjiVariant,
        Noise::HalfWidthKana,
        Noise::AddressNotation,
        Noise::MoveNotReflected,
        Noise::KanaTypo,
        Noise::LongVowel,
        Noise::MissingSpace,
        Noise::OcrKanji,
        Noise::DateTypo,
        Noise::AddressTypo,
        Noise::MarriageSurname,
        Noise::RomajiName,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Noise::KanjiVariant => "kanji_variant",
            Noise::HalfWidthKana => "half_width_kana",
            Noise::AddressNotation => "address_notation",
            Noise::MoveNotReflected => "move_not_reflected",
            Noise::KanaTypo => "kana_typo",
            Noise::LongVowel => "long_vowel",
            Noise::MissingSpace => "missing_space",
            Noise::OcrKanji => "ocr_kanji",
            Noise::DateTypo => "date_typo",
            Noise::AddressTypo => "address_typo",
            Noise::MarriageSurname => "marriage_surname",
            Noise::RomajiName => "romaji_name",
            Noise::Twin => "twin",
            Noise::Namesake => "namesake",
            Noise::AccountInFamilyName => "account_in_family_name",
        }
    }
    /// A situation of the link rather than a difference in its snapshot.
    pub fn is_situation(self) -> bool {
        matches!(
            self,
            Noise::Twin | Noise::Namesake | Noise::AccountInFamilyName
        )
    }
    /// Which part of the snapshot a difference changes; two differences of one link never
    /// change the same part (notation kinds, which compose with anything, have none).
    fn part(self) -> Option<u8> {
        match self {
            Noise::KanjiVariant | Noise::OcrKanji | Noise::RomajiName => Some(1),
            Noise::KanaTypo | Noise::LongVowel => Some(2),
            Noise::MarriageSurname => Some(3),
            Noise::DateTypo => Some(4),
            Noise::AddressNotation | Noise::MoveNotReflected | Noise::AddressTypo => Some(5),
            _ => None,
        }
    }
    fn clashes(self, other: Noise) -> bool {
        if self == other {
            return true;
        }
        match (self.part(), other.part()) {
            // A maiden name rewrites both name fields.
            (Some(3), Some(p)) | (Some(p), Some(3)) => p <= 3,
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

/// A set of [`Noise`] kinds (a link carries at most two differences and its situations).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct NoiseSet(u32);

impl NoiseSet {
    pub fn insert(&mut self, n: Noise) {
        self.0 |= 1 << n as u32;
    }
    pub fn remove(&mut self, n: Noise) {
        self.0 &= !(1 << n as u32);
    }
    pub fn contains(self, n: Noise) -> bool {
        self.0 & (1 << n as u32) != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }
    pub fn union(self, other: NoiseSet) -> NoiseSet {
        NoiseSet(self.0 | other.0)
    }
    /// The kinds, in the order of [`Noise::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Noise> {
        Noise::ALL.into_iter().filter(move |n| self.contains(*n))
    }
    /// How many differences (not situations) the set holds.
    pub fn differences(self) -> usize {
        self.iter().filter(|n| !n.is_situation()).count()
    }
    /// The kind a one-kind summary uses: a situation before any difference (so that, say, every
    /// account in a family member's name is counted as one), else the first difference.
    pub fn primary(self) -> Option<Noise> {
        self.iter()
            .find(|n| n.is_situation())
            .or_else(|| self.iter().next())
    }
    fn clashes_with(self, n: Noise) -> bool {
        self.iter().any(|m| !m.is_situation() && m.clashes(n))
    }
}

/// One line of the ground truth.
///
/// In the CSV (`item_id,kind,pattern,linked_resident_id,true_resident_id`), `kind` is
/// `wrong_link`, `noise` or `account_in_family_name`, and `pattern` joins every code of the link
/// with `+`: for a wrong link its [`WrongPattern`] first, then the harmless differences its
/// snapshot also carries (`same_kana_other_person+date_typo`); for a correct link the primary
/// kind first ([`NoiseSet::primary`]), then the others in the order of [`Noise::ALL`]
/// (`twin+kana_typo+half_width_kana`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Truth {
    Wrong {
        item_id: i64,
        pattern: WrongPattern,
        linked_resident: i64,
        true_resident: i64,
        /// Harmless differences of the true owner's data in the snapshot (at most two).
        noise: NoiseSet,
    },
    /// A correct link with harmless differences or in a hard situation: linked to its owner.
    Noise {
        item_id: i64,
        /// The primary kind ([`NoiseSet::primary`]).
        noise: Noise,
        /// The other kinds of the link, without `noise`.
        more: NoiseSet,
        resident: i64,
    },
}

impl Truth {
    pub const CSV_HEADER: &'static str = "item_id,kind,pattern,linked_resident_id,true_resident_id";
    pub fn csv_line(&self) -> String {
        let join = |first: &'static str, rest: NoiseSet| {
            std::iter::once(first)
                .chain(rest.iter().map(Noise::code))
                .collect::<Vec<_>>()
                .join("+")
        };
        match self {
            Truth::Wrong {
                item_id,
                pattern,
                linked_resident,
                true_resident,
                noise,
            } => {
                format!(
                    "{item_id},wrong_link,{},{linked_resident},{true_resident}",
                    join(pattern.code(), *noise)
                )
            }
            Truth::Noise {
                item_id,
                noise,
                more,
                resident,
            } => {
                let kind = if *noise == Noise::AccountInFamilyName {
                    "account_in_family_name"
                } else {
                    "noise"
                };
                format!(
                    "{item_id},{kind},{},{resident},{resident}",
                    join(noise.code(), *more)
                )
            }
        }
    }
    /// Every noise kind of the link (for a wrong link, the differences its snapshot carries).
    pub fn noise_set(&self) -> NoiseSet {
        match self {
            Truth::Wrong { noise, .. } => *noise,
            Truth::Noise { noise, more, .. } => {
                let mut s = *more;
                s.insert(*noise);
                s
            }
        }
    }
}

/// A generated person with the number only the generator and its owner know.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub my_number: MyNumber,
    pub identity: Identity,
    pub age: i32,
    pub sex: char,
    pub municipality: usize,
    pub household_id: i64,
    pub relationship: &'static str,
    /// The home address, parsed (for address noise).
    home: Option<Address>,
    /// A foreign resident's family and given name.
    foreign: Option<(data::ForeignName, data::ForeignName)>,
    /// The family name before marriage, where some institutions still have it.
    maiden: Option<data::Name>,
    /// The other twin.
    twin: Option<i64>,
    /// Situations every correct link of this person is in (`twin`, `namesake`).
    situations: NoiseSet,
}

/// Institutions the generator links items from, with their ids.
pub struct Institutions {
    pub rows: Vec<InstitutionRow>,
    municipality: Vec<i64>,
    prefecture: HashMap<String, i64>,
    elderly_union: HashMap<String, i64>,
    kyokai: HashMap<String, i64>,
    societies: Vec<i64>,
    mutual_aid: Vec<i64>,
    pension_service: i64,
    digital_agency: i64,
}

/// Local government code check digit (総務省 団体コード): weights 6,5,4,3,2.
fn lg_check_digit(five: &str) -> u32 {
    let s: u32 = five
        .chars()
        .zip([6, 5, 4, 3, 2])
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    (11 - s % 11) % 10
}

impl Institutions {
    fn build(data: &NameData) -> Self {
        let mut rows = Vec::new();
        let mut next = 1i64;
        let mut add = |kind: &str, code: String, ja: String, en: String| {
            let id = next;
            next += 1;
            rows.push(InstitutionRow {
                id,
                kind: kind.into(),
                code,
                name_ja: ja,
                name_en: en,
            });
            id
        };
        let municipality = data
            .municipalities
            .items
            .iter()
            .map(|m| {
                add(
                    "municipality",
                    m.code.clone(),
                    format!("{}{}", m.prefecture, m.name),
                    format!("{}{} (municipality)", m.prefecture, m.name),
                )
            })
            .collect();
        let mut prefs: Vec<&str> = data
            .municipalities
            .items
            .iter()
            .map(|m| m.prefecture.as_str())
            .collect();
        prefs.sort_unstable();
        prefs.dedup();
        let mut prefecture = HashMap::new();
        let mut elderly_union = HashMap::new();
        let mut kyokai = HashMap::new();
        for p in prefs {
            let idx = crate::domain::normalize::PREFECTURES
                .iter()
                .position(|x| *x == p)
                .unwrap_or(0)
                + 1;
            let five = format!("{idx:02}000");
            let code = format!("{five}{}", lg_check_digit(&five));
            prefecture.insert(
                p.to_string(),
                add(
                    "prefecture",
                    code,
                    p.to_string(),
                    format!("{p} (prefecture)"),
                ),
            );
            let short = p.trim_end_matches(['都', '府', '県']);
            elderly_union.insert(
                p.to_string(),
                add(
                    "insurer",
                    format!("39{idx:02}0000"),
                    format!("{short}後期高齢者医療広域連合"),
                    format!("{p} Late-Stage Elderly Medical Care Union"),
                ),
            );
            kyokai.insert(
                p.to_string(),
                add(
                    "insurer",
                    format!("01{idx:02}0016"),
                    format!("全国健康保険協会 {short}支部"),
                    format!("Japan Health Insurance Association, {p} branch"),
                ),
            );
        }
        let societies = SOCIETIES
            .iter()
            .map(|(c, ja, en)| add("insurer", c.to_string(), ja.to_string(), en.to_string()))
            .collect();
        let mutual_aid = MUTUAL_AID
            .iter()
            .map(|(c, ja, en)| add("insurer", c.to_string(), ja.to_string(), en.to_string()))
            .collect();
        let pension_service = add(
            "pension",
            "JPS".into(),
            "日本年金機構".into(),
            "Japan Pension Service".into(),
        );
        let digital_agency = add(
            "digital_agency",
            "DA".into(),
            "デジタル庁".into(),
            "Digital Agency".into(),
        );
        Institutions {
            rows,
            municipality,
            prefecture,
            elderly_union,
            kyokai,
            societies,
            mutual_aid,
            pension_service,
            digital_agency,
        }
    }
}

/// Katakana to half-width katakana, as bank and legacy systems store it.
pub fn to_half_width_kana(s: &str) -> String {
    const FULL: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォッャュョー　";
    const HALF: [&str; 57] = [
        "ｱ", "ｲ", "ｳ", "ｴ", "ｵ", "ｶ", "ｷ", "ｸ", "ｹ", "ｺ", "ｻ", "ｼ", "ｽ", "ｾ", "ｿ", "ﾀ", "ﾁ", "ﾂ",
        "ﾃ", "ﾄ", "ﾅ", "ﾆ", "ﾇ", "ﾈ", "ﾉ", "ﾊ", "ﾋ", "ﾌ", "ﾍ", "ﾎ", "ﾏ", "ﾐ", "ﾑ", "ﾒ", "ﾓ", "ﾔ",
        "ﾕ", "ﾖ", "ﾗ", "ﾘ", "ﾙ", "ﾚ", "ﾛ", "ﾜ", "ｦ", "ﾝ", "ｧ", "ｨ", "ｩ", "ｪ", "ｫ", "ｯ", "ｬ", "ｭ",
        "ｮ", "ｰ", " ",
    ];
    const DAKUTEN: &str = "ガギグゲゴザジズゼゾダヂヅデドバビブベボ";
    const DAKU_BASE: &str = "カキクケコサシスセソタチツテトハヒフヘホ";
    const HANDAKU: &str = "パピプペポ";
    const HANDAKU_BASE: &str = "ハヒフヘホ";
    let half_of = |c: char| FULL.chars().position(|f| f == c).map(|i| HALF[i]);
    let mut out = String::new();
    for c in s.chars() {
        if let Some(i) = DAKUTEN.chars().position(|f| f == c) {
            let base = DAKU_BASE.chars().nth(i).and_then(half_of).unwrap_or("");
            out.push_str(base);
            out.push('ﾞ');
        } else if let Some(i) = HANDAKU.chars().position(|f| f == c) {
            let base = HANDAKU_BASE.chars().nth(i).and_then(half_of).unwrap_or("");
            out.push_str(base);
            out.push('ﾟ');
        } else if c == 'ヴ' {
            out.push_str("ｳﾞ");
        } else if let Some(h) = half_of(c) {
            out.push_str(h);
        } else {
            out.push(c);
        }
    }
    out
}

const VARIANT_OF: &[(char, char)] = &[
    ('高', '髙'),
    ('崎', '﨑'),
    ('辺', '邊'),
    ('斉', '齋'),
    ('斎', '齋'),
    ('沢', '澤'),
    ('浜', '濱'),
    ('吉', '𠮷'),
    ('国', '國'),
    ('広', '廣'),
    ('桜', '櫻'),
    ('竜', '龍'),
    ('島', '嶋'),
    ('富', '冨'),
    ('真', '眞'),
    ('恵', '惠'),
];

/// Writes a name with an old variant form where one exists.
fn with_variant(name: &str) -> Option<String> {
    let mut changed = false;
    let s: String = name
        .chars()
        .map(|c| match VARIANT_OF.iter().find(|(a, _)| *a == c) {
            Some((_, v)) if !changed => {
                changed = true;
                *v
            }
            _ => c,
        })
        .collect();
    changed.then_some(s)
}

#[derive(Debug, Clone)]
struct Address {
    prefix: String,
    chome: u32,
    ban: u32,
    go: u32,
    /// A building and flat, after a full-width space.
    building: Option<String>,
}

impl Address {
    fn building_suffix(&self) -> String {
        self.building
            .as_deref()
            .map(|b| format!("　{b}"))
            .unwrap_or_default()
    }
    fn formal(&self) -> String {
        format!(
            "{}{}丁目{}番{}号{}",
            self.prefix,
            self.chome,
            self.ban,
            self.go,
            self.building_suffix()
        )
    }
    fn hyphenated(&self) -> String {
        format!(
            "{}{}-{}-{}{}",
            self.prefix,
            self.chome,
            self.ban,
            self.go,
            self.building_suffix()
        )
    }
}

/// A random address in a municipality.
fn random_address<R: Rng>(data: &NameData, rng: &mut R, muni: &Municipality) -> Address {
    let town = data
        .towns
        .choose(rng)
        .cloned()
        .unwrap_or_else(|| "本町".into());
    Address {
        prefix: format!("{}{}{}", muni.prefecture, muni.name, town),
        chome: rng.gen_range(1..=5),
        ban: rng.gen_range(1..=30),
        go: rng.gen_range(1..=20),
        building: None,
    }
}

/// The separator between family and given name: a full-width space in kanji, a space in kana
/// (and in Latin names).
fn split_name(name: &str) -> Option<(&str, &str)> {
    name.split_once('　').or_else(|| name.split_once(' '))
}

/// One kana slip: a confusable kana swapped (ツ/ッ ...), one kana dropped, doubled, or replaced
/// by another of its row. `None` when no slip applies.
fn kana_typo<R: Rng>(kana: &str, rng: &mut R) -> Option<String> {
    let chars: Vec<char> = kana.chars().collect();
    let is_kana = |c: char| c != ' ' && c != '　';
    // Length of the name part each position is in (a part keeps at least two kana).
    let mut part_len = vec![0usize; chars.len()];
    let mut start = 0;
    for i in 0..=chars.len() {
        if i == chars.len() || !is_kana(chars[i]) {
            for l in &mut part_len[start..i] {
                *l = i - start;
            }
            start = i + 1;
        }
    }
    let start = rng.gen_range(0..4);
    for k in 0..4 {
        let mut out = chars.clone();
        let candidates: Vec<usize> = (0..chars.len())
            .filter(|&i| {
                let c = chars[i];
                is_kana(c)
                    && match (start + k) % 4 {
                        0 => data::KANA_CONFUSIONS
                            .iter()
                            .any(|(a, b)| *a == c || *b == c),
                        1 => part_len[i] >= 3,
                        2 => true,
                        _ => data::KANA_ROWS.iter().any(|r| r.contains(c)),
                    }
            })
            .collect();
        let Some(&i) = candidates.choose(rng) else {
            continue;
        };
        let c = chars[i];
        match (start + k) % 4 {
            0 => {
                out[i] = data::KANA_CONFUSIONS
                    .iter()
                    .find_map(|(a, b)| {
                        if *a == c {
                            Some(*b)
                        } else if *b == c {
                            Some(*a)
                        } else {
                            None
                        }
                    })
                    .unwrap_or(c);
            }
            1 => {
                out.remove(i);
            }
            2 => out.insert(i, c),
            _ => {
                let row: Vec<char> = data::KANA_ROWS
                    .iter()
                    .find(|r| r.contains(c))
                    .map(|r| r.chars().filter(|x| *x != c).collect())
                    .unwrap_or_default();
                if let Some(&x) = row.choose(rng) {
                    out[i] = x;
                }
            }
        }
        let out: String = out.into_iter().collect();
        if out != kana {
            return Some(out);
        }
    }
    None
}

/// A long vowel written the other way: ウ/オ after an o or u column kana, イ after an e column
/// kana, as ー, or ー spelt out as ウ.
fn long_vowel<R: Rng>(kana: &str, rng: &mut R) -> Option<String> {
    let chars: Vec<char> = kana.chars().collect();
    let candidates: Vec<(usize, char)> = (1..chars.len())
        .filter_map(|i| {
            let (prev, c) = (chars[i - 1], chars[i]);
            let o = data::O_COLUMN.contains(prev);
            let u = data::U_COLUMN.contains(prev);
            let e = data::E_COLUMN.contains(prev);
            match c {
                'ウ' if o || u => Some((i, 'ー')),
                'オ' if o => Some((i, 'ー')),
                'イ' if e => Some((i, 'ー')),
                'ー' if o || u => Some((i, 'ウ')),
                _ => None,
            }
        })
        .collect();
    let &(i, to) = candidates.choose(rng)?;
    let mut out = chars;
    out[i] = to;
    Some(out.into_iter().collect())
}

/// One kanji read as its look-alike ([`data::OCR_KANJI`]).
fn ocr_kanji<R: Rng>(name: &str, rng: &mut R) -> Option<String> {
    let partner = |c: char| {
        data::OCR_KANJI.iter().find_map(|(a, b)| {
            if *a == c {
                Some(*b)
            } else if *b == c {
                Some(*a)
            } else {
                None
            }
        })
    };
    let chars: Vec<char> = name.chars().collect();
    let candidates: Vec<usize> = (0..chars.len())
        .filter(|&i| partner(chars[i]).is_some())
        .collect();
    let &i = candidates.choose(rng)?;
    let mut out = chars;
    out[i] = partner(out[i])?;
    Some(out.into_iter().collect())
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// A `YYYY-MM-DD` date if it is a valid one (1900 to [`AS_OF_YEAR`]).
fn valid_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut parts = s.split('-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    ((1900..=AS_OF_YEAR).contains(&y) && (1..=days_in_month(y, m)).contains(&d))
        .then_some((y, m, d))
}

/// A birth date mistyped: one digit changed, day and month transposed, or the year off by one;
/// only ever a valid date other than the original.
fn date_typo<R: Rng>(date: &str, rng: &mut R) -> Option<String> {
    let (y, m, d) = valid_date(date)?;
    let start = rng.gen_range(0..3);
    for k in 0..3 {
        let candidate = match (start + k) % 3 {
            0 => (0..10).find_map(|_| {
                let mut b: Vec<char> = date.chars().collect();
                let i = *[0usize, 1, 2, 3, 5, 6, 8, 9].choose(rng)?;
                let digit = char::from(b'0' + rng.gen_range(0..10u8));
                (b[i] != digit)
                    .then(|| {
                        b[i] = digit;
                        b.into_iter().collect::<String>()
                    })
                    .filter(|s| valid_date(s).is_some())
            }),
            1 => (d <= 12 && d != m).then(|| format!("{y:04}-{d:02}-{m:02}")),
            _ => {
                let y2 = if rng.gen_bool(0.5) { y + 1 } else { y - 1 };
                let s = format!("{y2:04}-{m:02}-{d:02}");
                valid_date(&s).map(|_| s)
            }
        };
        if let Some(c) = candidate.filter(|c| c != date) {
            return Some(c);
        }
    }
    None
}

fn title_case(s: &str) -> String {
    let mut out = String::new();
    let mut first = true;
    for c in s.chars() {
        if first {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        first = c == ' ' || c == '-';
    }
    out
}

/// A foreign resident's name as an institution wrote it in romaji: given name first or family
/// name first, upper or title case, the register's spelling or another one. Never the
/// register's own `FAMILY GIVEN`.
fn romaji_name<R: Rng>(
    family: &data::ForeignName,
    given: &data::ForeignName,
    rng: &mut R,
) -> String {
    let register = format!("{} {}", family.latin, given.latin);
    let spell = |n: &data::ForeignName, rng: &mut R| {
        if !n.variants.is_empty() && rng.gen_bool(0.5) {
            n.variants[rng.gen_range(0..n.variants.len())]
        } else {
            n.latin
        }
    };
    for _ in 0..8 {
        let fam = spell(family, rng);
        let giv = spell(given, rng);
        let giv = if rng.gen_bool(0.5) {
            title_case(giv)
        } else {
            giv.to_string()
        };
        let s = if rng.gen_bool(0.5) {
            format!("{giv} {fam}")
        } else {
            format!("{fam} {giv}")
        };
        if s != register {
            return s;
        }
    }
    format!("{} {}", title_case(given.latin), family.latin)
}

fn set_foreign(m: &mut Person, family: data::ForeignName, given: data::ForeignName) {
    m.identity.name_kanji = Some(format!("{} {}", family.latin, given.latin));
    m.identity.name_kana = Some(format!("{} {}", family.kana, given.kana));
    m.foreign = Some((family, given));
}

/// The name without the space between family and given name.
fn without_space(s: &str) -> String {
    s.chars().filter(|c| *c != ' ' && *c != '　').collect()
}

/// Notation kinds last, so that a second kind does not undo them.
fn renotate(snap: &mut Identity, kinds: NoiseSet) {
    if kinds.contains(Noise::MissingSpace) {
        snap.name_kanji = snap.name_kanji.as_deref().map(without_space);
        snap.name_kana = snap.name_kana.as_deref().map(without_space);
    }
    if kinds.contains(Noise::HalfWidthKana) {
        snap.name_kana = snap.name_kana.as_deref().map(to_half_width_kana);
    }
}

/// Which age group a person is in for the items they get (18, 20, 30, 65 and 75 decide), so that
/// two people of one group get the same kinds of items.
fn age_group(age: i32) -> u8 {
    match age {
        ..=17 => 0,
        18..=19 => 1,
        20..=29 => 2,
        30..=64 => 3,
        65..=74 => 4,
        _ => 5,
    }
}

/// Hashes a My Number for storage (the server's keyed hash).
pub type NumberHashFn = Box<dyn Fn(&MyNumber) -> Vec<u8> + Send>;

/// What the generator produced for one chunk of households.
#[derive(Default)]
pub struct Chunk {
    pub batch: Batch,
    pub truth: Vec<Truth>,
    /// Residents generated in this chunk.
    pub residents: u64,
}

#[derive(Clone, Copy)]
enum Employer {
    Kyokai,
    Society(usize),
    MutualAid(usize),
}

const RELATIONSHIP_HEAD: &str = "head";

/// The population generator, producing households chunk by chunk.
pub struct Generator {
    cfg: Config,
    rng: ChaCha8Rng,
    /// The second stream, for everything of [`Hardness`]: draws from it never change the first.
    rng2: ChaCha8Rng,
    data: NameData,
    pub institutions: Institutions,
    next_resident: i64,
    next_item: i64,
    next_household: i64,
    /// Earlier people another person may share kana name, birth date and sex with.
    lookalike_targets: Vec<Person>,
    /// The last person who registered a bank account at a counter terminal, by municipality.
    last_at_counter: HashMap<usize, i64>,
    number_hash: NumberHashFn,
    linked_at_base: i64,
    /// Earlier people a namesake may copy (second stream).
    namesake_pool: Vec<Person>,
    /// Situations the next `push_item` records (set by the caller just before).
    pending: NoiseSet,
    /// The next wrong link gets no harmless noise (set by the caller just before).
    plain_next: bool,
    /// A same-kana link was made: the first of a population stays plain (no noise, with its
    /// address), because the demo (`seed`) shows it and the README describes it.
    lookalike_made: bool,
}

/// Mixed into the seed for the second stream ("HARDER").
const SECOND_STREAM: u64 = 0x4841_5244_4552_0011;

impl Generator {
    pub fn new(cfg: Config, number_hash: NumberHashFn) -> Self {
        let data = NameData::load();
        let institutions = Institutions::build(&data);
        Generator {
            rng: ChaCha8Rng::seed_from_u64(cfg.seed),
            rng2: ChaCha8Rng::seed_from_u64(cfg.seed ^ SECOND_STREAM),
            cfg,
            data,
            institutions,
            next_resident: 1,
            next_item: 1,
            next_household: 1,
            lookalike_targets: Vec::new(),
            last_at_counter: HashMap::new(),
            number_hash,
            // 2017-01-01T00:00:00Z, when linking began in earnest.
            linked_at_base: 1_483_228_800,
            namesake_pool: Vec::new(),
            pending: NoiseSet::default(),
            plain_next: false,
            lookalike_made: false,
        }
    }

    pub fn done(&self) -> bool {
        self.next_resident > self.cfg.residents as i64
    }

    pub fn generated(&self) -> u64 {
        (self.next_resident - 1) as u64
    }

    /// The My Number of resident `id`: a bijection of the id over the 10^11 bodies, so every
    /// resident has a distinct, valid, non-sequential number.
    pub fn my_number_for(&self, id: i64) -> MyNumber {
        const MODULUS: u128 = 100_000_000_000;
        let mixed = (id as u128 * 48_271_467_913
            + u128::from(self.cfg.seed % 1_000_000) * 7_919
            + 12_345_678_901)
            % MODULUS;
        MyNumber::from_serial(mixed as u64)
    }

    fn resident_code_for(id: i64) -> String {
        format!(
            "{:011}",
            (id as u128 * 7_777_777_771 + 1_234_567) % 100_000_000_000
        )
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.rng.gen_range(0..10u8)))
            .collect()
    }

    fn birth_date(&mut self, age: i32) -> String {
        let year = AS_OF_YEAR - age - i32::from(self.rng.gen_bool(0.1));
        let month = self.rng.gen_range(1..=12);
        let day = self.rng.gen_range(1..=28);
        format!("{year:04}-{month:02}-{day:02}")
    }

    fn address(&mut self, muni: &Municipality) -> Address {
        random_address(&self.data, &mut self.rng, muni)
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "each argument is one column or one part of the step; a struct would only rename them"
    )]
    fn person(
        &mut self,
        surname: &data::Name,
        sex: char,
        age: i32,
        muni: usize,
        household: i64,
        rel: &'static str,
        address: &str,
    ) -> Person {
        let id = self.next_resident;
        self.next_resident += 1;
        let given = if sex == 'M' {
            self.data.male.pick(&mut self.rng).clone()
        } else {
            self.data.female.pick(&mut self.rng).clone()
        };
        let birth = self.birth_date(age);
        Person {
            id,
            my_number: self.my_number_for(id),
            identity: Identity {
                name_kanji: Some(format!("{}　{}", surname.kanji, given.kanji)),
                name_kana: Some(format!("{} {}", surname.kana, given.kana)),
                birth_date: Some(birth),
                sex: Some(sex.to_string()),
                address: Some(address.to_string()),
            },
            age,
            sex,
            municipality: muni,
            household_id: household,
            relationship: rel,
            home: None,
            foreign: None,
            maiden: None,
            twin: None,
            situations: NoiseSet::default(),
        }
    }

    /// Generates households until at least `target` residents are in the chunk or the population
    /// is complete.
    pub fn next_chunk(&mut self, target: usize) -> Chunk {
        let mut chunk = Chunk::default();
        while (chunk.residents as usize) < target && !self.done() {
            self.household(&mut chunk);
        }
        chunk
    }

    /// Probability for one decision point, so that each pattern makes about a quarter of the
    /// wrong links: `per_item` is the wanted share of items, `points_per_item` how many such
    /// decision points there are per item.
    fn p(&self, points_per_item: f64) -> f64 {
        (self.cfg.wrong_rate / 4.0 / points_per_item).clamp(0.0, 1.0)
    }

    fn household(&mut self, chunk: &mut Chunk) {
        let household = self.next_household;
        self.next_household += 1;
        let muni_idx = self.data.municipalities.pick_index(&mut self.rng);
        let muni = self.data.municipalities.items[muni_idx].clone();
        let mut addr = self.address(&muni);
        if self.rng2.gen_bool(self.cfg.hard.buildings) {
            let b = data::BUILDINGS[self.rng2.gen_range(0..data::BUILDINGS.len())];
            let flat = self.rng2.gen_range(1..=5) * 100 + self.rng2.gen_range(1..=12);
            addr.building = Some(format!("{b}{flat}号室"));
        }
        let address = addr.formal();
        let size = *[1usize, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5]
            .choose(&mut self.rng)
            .unwrap_or(&1);
        let remaining = (self.cfg.residents as i64 - self.next_resident + 1).max(1) as usize;
        let size = size.min(remaining);
        let surname = self.data.surnames.pick(&mut self.rng).clone();

        // Same kana, birth date and sex as someone earlier: that person's weakly matched
        // health insurance record ends up on this head's number.
        let lookalike = if !self.lookalike_targets.is_empty() && self.rng.gen_bool(self.p(0.45)) {
            let i = self.rng.gen_range(0..self.lookalike_targets.len());
            Some(self.lookalike_targets.swap_remove(i))
        } else {
            None
        };

        let mut head_age = self.rng.gen_range(22..=92);
        let mut head_sex = if self.rng.gen_bool(0.7) { 'M' } else { 'F' };
        if let Some(t) = &lookalike {
            head_age = t.age;
            head_sex = t.sex;
        }
        let mut members = Vec::with_capacity(size);
        let mut head = self.person(
            &surname,
            head_sex,
            head_age,
            muni_idx,
            household,
            RELATIONSHIP_HEAD,
            &address,
        );
        if let Some(t) = &lookalike {
            head.identity.name_kana = t.identity.name_kana.clone();
            head.identity.birth_date = t.identity.birth_date.clone();
            // Same reading: same surname kanji, and often the same given name too.
            head.identity.name_kanji = t.identity.name_kanji.clone();
            head.foreign = t.foreign;
        }
        members.push(head);
        if size >= 2 {
            let spouse_sex = if head_sex == 'M' { 'F' } else { 'M' };
            let age = (head_age + self.rng.gen_range(-6..=6)).clamp(20, 99);
            members.push(self.person(
                &surname, spouse_sex, age, muni_idx, household, "spouse", &address,
            ));
        }
        while members.len() < size {
            let sex = if self.rng.gen_bool(0.5) { 'M' } else { 'F' };
            if head_age < 60 && members.len() == 4 {
                let age = (head_age + self.rng.gen_range(24..=34)).min(100);
                members
                    .push(self.person(&surname, sex, age, muni_idx, household, "parent", &address));
            } else {
                let age = (head_age - self.rng.gen_range(22..=40)).max(0);
                members
                    .push(self.person(&surname, sex, age, muni_idx, household, "child", &address));
            }
        }
        for m in &mut members {
            m.home = Some(addr.clone());
        }
        self.harden_household(&mut members, lookalike.is_some());
        if lookalike.is_none() && self.lookalike_targets.len() < 256 && self.rng.gen_bool(0.02) {
            self.lookalike_targets.push(members[0].clone());
        }
        chunk.residents += members.len() as u64;
        self.emit_household(chunk, &members, lookalike.as_ref(), &addr, &muni);
    }

    /// The second stream's changes to a household's people: foreign residents, a wife's maiden
    /// name, twins, a namesake elsewhere. Nothing here draws from the first stream, and no age
    /// changes (ages decide which items a person gets).
    #[expect(
        clippy::expect_used,
        reason = "the foreign name lists are compiled in and never empty"
    )]
    fn harden_household(&mut self, members: &mut [Person], lookalike: bool) {
        let h = self.cfg.hard;
        // Foreign residents: Latin names in the register's kanji field, katakana in the kana.
        if !lookalike && self.rng2.gen_bool(h.foreign) {
            let family = *data::FOREIGN_FAMILY
                .choose(&mut self.rng2)
                .expect("foreign family names");
            for m in members.iter_mut() {
                let given = self.foreign_given(m.sex);
                set_foreign(m, family, given);
            }
        }
        // A wife whose change of name some institutions missed.
        for m in members.iter_mut() {
            if m.relationship == "spouse"
                && m.sex == 'F'
                && m.foreign.is_none()
                && self.rng2.gen_bool(h.maiden)
            {
                let current = m
                    .identity
                    .name_kanji
                    .as_deref()
                    .and_then(split_name)
                    .map(|(f, _)| f.to_string())
                    .unwrap_or_default();
                for _ in 0..8 {
                    let n = self.data.surnames.pick(&mut self.rng2);
                    if n.kanji != current {
                        m.maiden = Some(n.clone());
                        break;
                    }
                }
            }
        }
        // Twins: two children of one age group get one birth date (and different given names).
        let children: Vec<usize> = (0..members.len())
            .filter(|&i| members[i].relationship == "child")
            .collect();
        let pair = children.iter().enumerate().find_map(|(a, &k)| {
            children[a + 1..]
                .iter()
                .find(|&&j| age_group(members[j].age) == age_group(members[k].age))
                .map(|&j| (k, j))
        });
        if let Some((k, j)) = pair {
            if self.rng2.gen_bool(h.twins) {
                members[j].identity.birth_date = members[k].identity.birth_date.clone();
                for _ in 0..16 {
                    if members[j].identity.name_kana != members[k].identity.name_kana
                        && members[j].identity.name_kanji != members[k].identity.name_kanji
                    {
                        break;
                    }
                    self.redraw_given(&mut members[j]);
                }
                let (kid, jid) = (members[k].id, members[j].id);
                members[k].twin = Some(jid);
                members[j].twin = Some(kid);
                members[k].situations.insert(Noise::Twin);
                members[j].situations.insert(Noise::Twin);
            }
        }
        // A namesake elsewhere: someone living alone shares kanji, kana, birth date and sex
        // with an earlier person of the same age in another municipality.
        if members.len() == 1 && !lookalike && self.rng2.gen_bool(h.namesakes) {
            let m = &mut members[0];
            if let Some(t) = self
                .namesake_pool
                .iter()
                .find(|t| t.sex == m.sex && t.age == m.age && t.municipality != m.municipality)
            {
                m.identity.name_kanji = t.identity.name_kanji.clone();
                m.identity.name_kana = t.identity.name_kana.clone();
                m.identity.birth_date = t.identity.birth_date.clone();
                m.foreign = t.foreign;
                m.situations.insert(Noise::Namesake);
            }
        }
        if h.namesakes > 0.0 {
            for m in members.iter() {
                if self.namesake_pool.len() < 1_024 && self.rng2.gen_bool(0.05) {
                    self.namesake_pool.push(m.clone());
                }
            }
        }
    }

    fn foreign_given(&mut self, sex: char) -> data::ForeignName {
        let names = if sex == 'M' {
            data::FOREIGN_MALE
        } else {
            data::FOREIGN_FEMALE
        };
        names[self.rng2.gen_range(0..names.len())]
    }

    /// Another given name for a person (second stream), keeping the family name.
    fn redraw_given(&mut self, m: &mut Person) {
        if let Some((family, _)) = m.foreign {
            let given = self.foreign_given(m.sex);
            set_foreign(m, family, given);
            return;
        }
        let given = if m.sex == 'M' {
            self.data.male.pick(&mut self.rng2).clone()
        } else {
            self.data.female.pick(&mut self.rng2).clone()
        };
        let family = |s: &Option<String>| {
            s.as_deref()
                .and_then(split_name)
                .map(|(f, _)| f.to_string())
                .unwrap_or_default()
        };
        let (fk, fa) = (
            family(&m.identity.name_kanji),
            family(&m.identity.name_kana),
        );
        m.identity.name_kanji = Some(format!("{fk}　{}", given.kanji));
        m.identity.name_kana = Some(format!("{fa} {}", given.kana));
    }

    fn method(&mut self, weights: &[(&'static str, u32)]) -> &'static str {
        let total: u32 = weights.iter().map(|w| w.1).sum();
        let mut r = self.rng.gen_range(0..total);
        for (m, w) in weights {
            if r < *w {
                return m;
            }
            r -= w;
        }
        weights[0].0
    }

    fn linked_at(&mut self) -> i64 {
        // Between 2017-01-01 and 2026-10-31.
        self.linked_at_base + self.rng.gen_range(0..310_000_000)
    }

    /// Applies harmless noise of the first four kinds to a snapshot with the configured rate
    /// (first stream, unchanged); returns what was applied.
    fn noise(&mut self, snap: &mut Identity, addr: &Address) -> Option<Noise> {
        if !self.rng.gen_bool(self.cfg.noise_rate.clamp(0.0, 1.0)) {
            return None;
        }
        let start = self.rng.gen_range(0..Noise::FIRST_KINDS.len());
        for k in 0..Noise::FIRST_KINDS.len() {
            let noise = Noise::FIRST_KINDS[(start + k) % Noise::FIRST_KINDS.len()];
            match noise {
                Noise::KanjiVariant => {
                    if let Some(v) = snap.name_kanji.as_deref().and_then(with_variant) {
                        snap.name_kanji = Some(v);
                        return Some(noise);
                    }
                }
                Noise::HalfWidthKana => {
                    if let Some(k) = snap.name_kana.as_deref() {
                        snap.name_kana = Some(to_half_width_kana(k));
                        return Some(noise);
                    }
                }
                Noise::AddressNotation if snap.address.is_some() => {
                    snap.address = Some(addr.hyphenated());
                    return Some(noise);
                }
                Noise::MoveNotReflected if snap.address.is_some() => {
                    let muni = self.data.municipalities.items
                        [self.data.municipalities.pick_index(&mut self.rng)]
                    .clone();
                    snap.address = Some(self.address(&muni).formal());
                    return Some(noise);
                }
                _ => {}
            }
        }
        None
    }

    /// The harmless differences of a correct link: the first four kinds as before (first
    /// stream), of which a share is exchanged for a newer kind and a share gets a second kind,
    /// then a wife's maiden name and a foreign resident's romaji (second stream).
    fn noisy(&mut self, snap: &mut Identity, owner: &Person, addr: &Address) -> NoiseSet {
        let h = self.cfg.hard;
        let clean = snap.clone();
        let mut kinds = NoiseSet::default();
        if let Some(legacy) = self.noise(snap, addr) {
            let mut newer = None;
            if self.rng2.gen_bool(h.new_kinds) {
                let mut s = clean;
                newer = self.difference(&mut s, owner, addr, &Noise::NEW_KINDS, kinds);
                if newer.is_some() {
                    *snap = s;
                }
            }
            kinds.insert(newer.unwrap_or(legacy));
            if self.rng2.gen_bool(h.second_kind) {
                if let Some(n) = self.difference(snap, owner, addr, &Noise::ITEM_KINDS, kinds) {
                    kinds.insert(n);
                }
            }
        }
        for (kind, has, rate) in [
            (
                Noise::MarriageSurname,
                owner.maiden.is_some(),
                h.maiden_items,
            ),
            (Noise::RomajiName, owner.foreign.is_some(), h.romaji),
        ] {
            if has
                && kinds.len() < 2
                && !kinds.clashes_with(kind)
                && self.rng2.gen_bool(rate)
                && self.apply(kind, snap, owner, addr)
            {
                kinds.insert(kind);
            }
        }
        renotate(snap, kinds);
        kinds
    }

    /// One difference out of `kinds`, not clashing with those the link `has` (second stream).
    fn difference(
        &mut self,
        snap: &mut Identity,
        owner: &Person,
        addr: &Address,
        kinds: &[Noise],
        has: NoiseSet,
    ) -> Option<Noise> {
        let start = self.rng2.gen_range(0..kinds.len());
        for k in 0..kinds.len() {
            let n = kinds[(start + k) % kinds.len()];
            if !has.clashes_with(n) && self.apply(n, snap, owner, addr) {
                return Some(n);
            }
        }
        None
    }

    /// Applies one difference to a snapshot (second stream); false when it does not apply.
    fn apply(&mut self, kind: Noise, snap: &mut Identity, owner: &Person, addr: &Address) -> bool {
        let home = owner.home.as_ref().unwrap_or(addr);
        let before = snap.clone();
        let rng = &mut self.rng2;
        match kind {
            Noise::KanjiVariant => {
                if let Some(v) = snap.name_kanji.as_deref().and_then(with_variant) {
                    snap.name_kanji = Some(v);
                }
            }
            Noise::HalfWidthKana => {
                snap.name_kana = snap.name_kana.as_deref().map(to_half_width_kana);
            }
            Noise::AddressNotation => {
                if snap.address.is_some() {
                    snap.address = Some(home.hyphenated());
                }
            }
            Noise::MoveNotReflected => {
                if snap.address.is_some() {
                    let muni =
                        &self.data.municipalities.items[self.data.municipalities.pick_index(rng)];
                    snap.address = Some(random_address(&self.data, rng, muni).formal());
                }
            }
            Noise::KanaTypo => {
                if let Some(v) = snap.name_kana.as_deref().and_then(|k| kana_typo(k, rng)) {
                    snap.name_kana = Some(v);
                }
            }
            Noise::LongVowel => {
                if let Some(v) = snap.name_kana.as_deref().and_then(|k| long_vowel(k, rng)) {
                    snap.name_kana = Some(v);
                }
            }
            Noise::MissingSpace => {
                snap.name_kanji = snap.name_kanji.as_deref().map(without_space);
                snap.name_kana = snap.name_kana.as_deref().map(without_space);
            }
            Noise::OcrKanji => {
                if let Some(v) = snap.name_kanji.as_deref().and_then(|k| ocr_kanji(k, rng)) {
                    snap.name_kanji = Some(v);
                }
            }
            Noise::DateTypo => {
                if let Some(v) = snap.birth_date.as_deref().and_then(|d| date_typo(d, rng)) {
                    snap.birth_date = Some(v);
                }
            }
            Noise::AddressTypo => {
                if snap.address.is_some() {
                    let mut a = home.clone();
                    let bump = |n: u32, rng: &mut ChaCha8Rng| {
                        if n <= 1 || rng.gen_bool(0.5) {
                            n + 1
                        } else {
                            n - 1
                        }
                    };
                    if a.building.is_some() && rng.gen_bool(0.5) {
                        a.building = None;
                    } else {
                        match rng.gen_range(0..3) {
                            0 => a.chome = bump(a.chome, rng),
                            1 => a.ban = bump(a.ban, rng),
                            _ => a.go = bump(a.go, rng),
                        }
                    }
                    snap.address = Some(a.formal());
                }
            }
            Noise::MarriageSurname => {
                if let Some(maiden) = &owner.maiden {
                    let with = |name: &Option<String>, family: &str, sep: &str| {
                        name.as_deref()
                            .and_then(split_name)
                            .map(|(_, given)| format!("{family}{sep}{given}"))
                    };
                    if let Some(v) = with(&snap.name_kanji, &maiden.kanji, "　") {
                        snap.name_kanji = Some(v);
                    }
                    if let Some(v) = with(&snap.name_kana, &maiden.kana, " ") {
                        snap.name_kana = Some(v);
                    }
                }
            }
            Noise::RomajiName => {
                if let (Some((family, given)), Some(_)) = (owner.foreign, &snap.name_kanji) {
                    snap.name_kanji = Some(romaji_name(&family, &given, rng));
                }
            }
            Noise::Twin | Noise::Namesake | Noise::AccountInFamilyName => {}
        }
        *snap != before
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "each argument is one column or one part of the step; a struct would only rename them"
    )]
    fn push_item(
        &mut self,
        chunk: &mut Chunk,
        owner: &Person,
        linked_to: i64,
        wrong: Option<WrongPattern>,
        institution_id: i64,
        link_method: &'static str,
        mut snapshot: Identity,
        addr: &Address,
        details: ItemDetails,
    ) {
        let id = self.next_item;
        self.next_item += 1;
        let situations = std::mem::take(&mut self.pending);
        let plain = std::mem::take(&mut self.plain_next);
        match wrong {
            Some(pattern) => {
                let mut noise = NoiseSet::default();
                if !plain && self.rng2.gen_bool(self.cfg.hard.noisy_wrong) {
                    if let Some(n) =
                        self.difference(&mut snapshot, owner, addr, &Noise::DIFFERENCES, noise)
                    {
                        noise.insert(n);
                        renotate(&mut snapshot, noise);
                    }
                }
                chunk.truth.push(Truth::Wrong {
                    item_id: id,
                    pattern,
                    linked_resident: linked_to,
                    true_resident: owner.id,
                    noise,
                })
            }
            None if !matches!(details, ItemDetails::ResidentRecord { .. }) => {
                let all = self.noisy(&mut snapshot, owner, addr).union(situations);
                // The holder's own situations (a twin, a namesake) are the linked person's
                // only when they are the same person.
                let all = if linked_to == owner.id {
                    all.union(owner.situations)
                } else {
                    all
                };
                if let Some(noise) = all.primary() {
                    let mut more = all;
                    more.remove(noise);
                    // A correct link belongs to the person it is linked to (for an account in a
                    // family member's name, the registrant, not the holder).
                    chunk.truth.push(Truth::Noise {
                        item_id: id,
                        noise,
                        more,
                        resident: linked_to,
                    });
                }
            }
            None => {}
        }
        let linked_at = self.linked_at();
        chunk.batch.items.push(NewItem {
            id,
            resident_id: linked_to,
            institution_id,
            link_method,
            snapshot,
            linked_at,
            details,
        });
    }

    fn emit_household(
        &mut self,
        chunk: &mut Chunk,
        members: &[Person],
        lookalike: Option<&Person>,
        addr: &Address,
        muni: &Municipality,
    ) {
        let muni_inst = self.institutions.municipality[members[0].municipality];
        let pref = muni.prefecture.clone();
        let head = &members[0];
        let employer = if (20..65).contains(&head.age) && self.rng.gen_bool(0.65) {
            let r = self.rng.gen_range(0..10);
            Some(match r {
                0..=5 => Employer::Kyokai,
                6..=8 => Employer::Society(self.rng.gen_range(0..SOCIETIES.len())),
                _ => Employer::MutualAid(self.rng.gen_range(0..MUTUAL_AID.len())),
            })
        } else {
            None
        };
        let symbol = self.digits(4);
        let number = self.digits(3).trim_start_matches('0').to_string() + "1";
        let nhi_symbol = format!("{}-{}", &muni.code[..2], self.digits(3));
        let nhi_number = self.digits(5);
        let head_name = head.identity.name_kanji.clone().unwrap_or_default();
        let p_family = self.p(1.0);

        for (i, m) in members.iter().enumerate() {
            chunk.batch.residents.push(NewResident {
                id: m.id,
                my_number_hash: (self.number_hash)(&m.my_number),
                my_number_last4: m.my_number.last4(),
                resident_code: Self::resident_code_for(m.id),
                name_kanji: m.identity.name_kanji.clone().unwrap_or_default(),
                name_kana: m.identity.name_kana.clone().unwrap_or_default(),
                birth_date: m.identity.birth_date.clone().unwrap_or_default(),
                sex: m.sex.to_string(),
                address: m.identity.address.clone().unwrap_or_default(),
                municipality_code: muni.code.clone(),
                household_id: m.household_id,
                relationship: m.relationship.to_string(),
            });
            let full = m.identity.clone();
            let moved_in = format!(
                "{}-{:02}-01",
                (AS_OF_YEAR - m.age.min(30)).max(1990),
                self.rng.gen_range(1..=12)
            );
            let history = if m.age < 30 {
                format!("{} 出生", m.identity.birth_date.clone().unwrap_or_default())
            } else {
                format!("{moved_in} 転入")
            };
            let details = ItemDetails::ResidentRecord {
                resident_code: Self::resident_code_for(m.id),
                address: m.identity.address.clone().unwrap_or_default(),
                household_head: head_name.clone(),
                relationship: m.relationship.to_string(),
                history,
            };
            self.push_item(
                chunk,
                m,
                m.id,
                None,
                muni_inst,
                "number_on_application",
                full.clone(),
                addr,
                details,
            );

            // A family member's number written in this person's place.
            let family_target = |g: &mut Self| -> (i64, Option<WrongPattern>) {
                if members.len() > 1 && g.rng.gen_bool(p_family) {
                    let j = (i + 1 + g.rng.gen_range(0..members.len() - 1)) % members.len();
                    match m.twin {
                        // A twin's number is the likeliest one to be written instead.
                        Some(twin)
                            if twin == members[j].id
                                || g.rng2.gen_bool(g.cfg.hard.twin_confusion) =>
                        {
                            (twin, Some(WrongPattern::TwinNumber))
                        }
                        _ => (members[j].id, Some(WrongPattern::FamilyMemberNumber)),
                    }
                } else {
                    (m.id, None)
                }
            };

            // Health insurance.
            let (inst, kind, sym, num, insurer_number) = if m.age >= 75 {
                let inst = self.institutions.elderly_union[&pref];
                (
                    inst,
                    "insured",
                    String::new(),
                    self.digits(8),
                    self.institution_code(inst),
                )
            } else if let Some(e) = employer {
                let inst = match e {
                    Employer::Kyokai => self.institutions.kyokai[&pref],
                    Employer::Society(k) => self.institutions.societies[k],
                    Employer::MutualAid(k) => self.institutions.mutual_aid[k],
                };
                let kind = if i == 0 { "insured" } else { "dependant" };
                (
                    inst,
                    kind,
                    symbol.clone(),
                    number.clone(),
                    self.institution_code(inst),
                )
            } else {
                (
                    muni_inst,
                    "insured",
                    nhi_symbol.clone(),
                    nhi_number.clone(),
                    muni.code.clone(),
                )
            };
            let (mut linked, mut wrong) = family_target(self);
            if i == 0 {
                if let Some(t) = lookalike {
                    // The lookalike's own record at the lookalike's insurer (their municipality's
                    // national health insurance or the association's branch of their prefecture),
                    // matched on kana + birth date + sex only.
                    let t_muni = self.data.municipalities.items[t.municipality].clone();
                    let (t_inst, t_insurer_number) = if self.rng.gen_bool(0.5) {
                        (
                            self.institutions.municipality[t.municipality],
                            t_muni.code.clone(),
                        )
                    } else {
                        let k = self.institutions.kyokai[&t_muni.prefecture];
                        (k, self.institution_code(k))
                    };
                    let start = format!("{}-04-01", AS_OF_YEAR - self.rng.gen_range(1..8));
                    let details = ItemDetails::HealthInsurance {
                        insurer_number: t_insurer_number,
                        symbol: self.digits(4),
                        number: self.digits(3),
                        branch: "00".into(),
                        insured_kind: "insured".into(),
                        coverage_start: start,
                        coverage_end: None,
                    };
                    let method = if self.rng.gen_bool(0.5) {
                        "registry_query_3"
                    } else {
                        "batch_match"
                    };
                    let taddr = Address {
                        prefix: t.identity.address.clone().unwrap_or_default(),
                        chome: 0,
                        ban: 0,
                        go: 0,
                        building: None,
                    };
                    let mut snap = t.identity.clone();
                    let first = !std::mem::replace(&mut self.lookalike_made, true);
                    self.plain_next = first;
                    let pattern =
                        if !first && self.rng2.gen_bool(self.cfg.hard.lookalike_no_address) {
                            snap.address = None;
                            WrongPattern::LookalikeNoAddress
                        } else {
                            WrongPattern::SameKanaOtherPerson
                        };
                    self.push_item(
                        chunk,
                        t,
                        m.id,
                        Some(pattern),
                        t_inst,
                        method,
                        snap,
                        &taddr,
                        details,
                    );
                    linked = m.id;
                    wrong = None;
                }
            }
            let start = format!(
                "{}-{:02}-01",
                AS_OF_YEAR - self.rng.gen_range(0..15),
                self.rng.gen_range(1..=12)
            );
            let method = if wrong.is_some() {
                "number_on_application"
            } else {
                self.method(&[
                    ("number_on_application", 55),
                    ("registry_query_4", 25),
                    ("registry_query_3", 10),
                    ("batch_match", 10),
                ])
            };
            let details = ItemDetails::HealthInsurance {
                insurer_number,
                symbol: sym,
                number: num,
                branch: format!("{i:02}"),
                insured_kind: kind.into(),
                coverage_start: start,
                coverage_end: None,
            };
            self.push_item(
                chunk,
                m,
                linked,
                wrong,
                inst,
                method,
                full.clone(),
                addr,
                details,
            );

            // Pension.
            if m.age >= 20 {
                let (inst, scheme) = match (i, employer) {
                    (0, Some(Employer::MutualAid(k))) => {
                        (self.institutions.mutual_aid[k], "mutual_aid")
                    }
                    (0, Some(_)) => (self.institutions.pension_service, "employees"),
                    _ => (self.institutions.pension_service, "national"),
                };
                let (linked, wrong) = family_target(self);
                let method = if wrong.is_some() {
                    "number_on_application"
                } else {
                    self.method(&[
                        ("number_on_application", 60),
                        ("registry_query_4", 30),
                        ("batch_match", 10),
                    ])
                };
                let from = AS_OF_YEAR - m.age + 20;
                let details = ItemDetails::Pension {
                    basic_pension_number: format!("{}-{}", self.digits(4), self.digits(6)),
                    scheme: scheme.into(),
                    enrolment: format!("{from}-04 〜"),
                    benefit_status: if m.age >= 65 {
                        "receiving"
                    } else {
                        "contributing"
                    }
                    .into(),
                };
                let snap = Identity {
                    address: None,
                    ..full.clone()
                };
                self.push_item(chunk, m, linked, wrong, inst, method, snap, addr, details);
            }

            // Tax (municipality of residence on 1 January).
            if m.age >= 18
                && (m.age >= 65 || (i == 0 && employer.is_some()) || self.rng.gen_bool(0.4))
            {
                let income: i64 = if m.age >= 65 {
                    self.rng.gen_range(800_000..3_000_000)
                } else {
                    self.rng.gen_range(1_000_000..9_000_000)
                };
                let deductions = (income / 4).min(2_500_000) + 430_000;
                let taxable = (income - deductions).max(0);
                let (linked, wrong) = family_target(self);
                let method = if wrong.is_some() {
                    "number_on_application"
                } else {
                    self.method(&[
                        ("number_on_application", 70),
                        ("registry_query_4", 20),
                        ("manual", 10),
                    ])
                };
                let details = ItemDetails::Tax {
                    person_key: self.digits(10),
                    tax_year: AS_OF_YEAR - 1,
                    total_income: income,
                    deductions,
                    resident_tax: taxable / 10 + 5_000,
                };
                let snap = Identity {
                    name_kana: None,
                    ..full.clone()
                };
                self.push_item(
                    chunk, m, linked, wrong, muni_inst, method, snap, addr, details,
                );
            }

            // Disability certificate (prefecture).
            if self.rng.gen_bool(0.04) {
                let (ctype, grade) = match self.rng.gen_range(0..10) {
                    0..=5 => ("physical", format!("{}級", self.rng.gen_range(1..=6))),
                    6..=7 => (
                        "intellectual",
                        if self.rng.gen_bool(0.5) { "A" } else { "B" }.to_string(),
                    ),
                    _ => ("mental", format!("{}級", self.rng.gen_range(1..=3))),
                };
                let guardian_case = i > 0 && (m.age < 18 || m.relationship == "parent");
                let (linked, wrong) = if guardian_case
                    && self
                        .rng
                        .gen_bool((self.cfg.wrong_rate * 90.0).clamp(0.0, 0.6))
                {
                    (head.id, Some(WrongPattern::GuardianOnCertificate))
                } else {
                    (m.id, None)
                };
                let issued = AS_OF_YEAR - self.rng.gen_range(0..10);
                let details = ItemDetails::Disability {
                    certificate_number: self.digits(7),
                    certificate_type: ctype.into(),
                    grade,
                    issued_on: format!(
                        "{issued}-{:02}-{:02}",
                        self.rng.gen_range(1..=12),
                        self.rng.gen_range(1..=28)
                    ),
                    renewal_on: (ctype != "physical")
                        .then(|| format!("{}-{:02}-01", issued + 2, self.rng.gen_range(1..=12))),
                };
                let method = if wrong.is_some() {
                    "number_on_application"
                } else {
                    self.method(&[("number_on_application", 80), ("manual", 20)])
                };
                let snap = Identity {
                    name_kana: None,
                    ..full.clone()
                };
                let inst = self.institutions.prefecture[&pref];
                self.push_item(chunk, m, linked, wrong, inst, method, snap, addr, details);
            }

            // Public-fund receiving account (Digital Agency).
            if self.rng.gen_bool(if m.age >= 18 { 0.8 } else { 0.2 }) {
                let (bank_code, bank_name) = BANKS[self.rng.gen_range(0..BANKS.len())];
                let branch_town = self
                    .data
                    .towns
                    .choose(&mut self.rng)
                    .cloned()
                    .unwrap_or_default();
                let kana = m.identity.name_kana.clone().unwrap_or_default();
                let holder_kana = if self.rng.gen_bool(0.5) {
                    to_half_width_kana(&kana)
                } else {
                    kana
                };
                let at_counter = m.age >= 18 && self.rng.gen_bool(0.3);
                let previous = if at_counter {
                    self.last_at_counter.insert(m.municipality, m.id)
                } else {
                    None
                };
                let (linked, wrong) = match previous {
                    Some(prev)
                        if prev != m.id
                            && self
                                .rng
                                .gen_bool((self.cfg.wrong_rate * 5.0).clamp(0.0, 1.0)) =>
                    {
                        (prev, Some(WrongPattern::SharedTerminalAccount))
                    }
                    _ => family_target(self),
                };
                // An account in this person's name on a household member's number is, in the
                // data, exactly an account a household member registered in a family member's
                // name: the deliberate practice 2023 counted apart (about 130,000 accounts), not
                // a wrong link. Such a link is labelled that way, whichever draw made it.
                let (wrong, family_held) = match wrong {
                    Some(_) if linked != m.id && members.iter().any(|o| o.id == linked) => {
                        (None, true)
                    }
                    w => (w, false),
                };
                if family_held {
                    self.pending.insert(Noise::AccountInFamilyName);
                }
                // Registered by this person in a household member's name: not a wrong link.
                let mut holder_kana = holder_kana;
                if wrong.is_none()
                    && !family_held
                    && members.len() > 1
                    && self.rng2.gen_bool(self.cfg.hard.family_account)
                {
                    let others: Vec<&Person> = members
                        .iter()
                        .filter(|o| o.id != m.id && o.identity.name_kana != m.identity.name_kana)
                        .collect();
                    if let Some(o) = others.choose(&mut self.rng2) {
                        let kana = o.identity.name_kana.clone().unwrap_or_default();
                        holder_kana = if holder_kana.chars().any(|c| ('ｦ'..='ﾟ').contains(&c)) {
                            to_half_width_kana(&kana)
                        } else {
                            kana
                        };
                        self.pending.insert(Noise::AccountInFamilyName);
                    }
                }
                let details = ItemDetails::PublicFundAccount {
                    bank_code: bank_code.into(),
                    bank_name: bank_name.into(),
                    branch_code: self.digits(3),
                    branch_name: format!("{branch_town}支店"),
                    account_type: if self.rng.gen_bool(0.95) {
                        "ordinary"
                    } else {
                        "current"
                    }
                    .into(),
                    account_number: self.digits(7),
                    holder_kana: holder_kana.clone(),
                };
                let snap = Identity {
                    name_kana: Some(holder_kana),
                    ..Identity::default()
                };
                let inst = self.institutions.digital_agency;
                self.push_item(
                    chunk,
                    m,
                    linked,
                    wrong,
                    inst,
                    "number_on_application",
                    snap,
                    addr,
                    details,
                );
            }
        }
    }

    fn institution_code(&self, id: i64) -> String {
        self.institutions
            .rows
            .get((id - 1) as usize)
            .map(|r| r.code.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::matching::{match_card, MatchResult};

    fn gen_with(seed: u64, residents: u64, wrong_rate: f64, hard: Hardness) -> Vec<Chunk> {
        let cfg = Config {
            seed,
            residents,
            wrong_rate,
            noise_rate: 0.05,
            hard,
        };
        let mut g = Generator::new(cfg, Box::new(|n: &MyNumber| n.expose().into_bytes()));
        let mut chunks = Vec::new();
        while !g.done() {
            chunks.push(g.next_chunk(500));
        }
        chunks
    }

    fn gen(residents: u64, wrong_rate: f64) -> (Generator, Vec<Chunk>) {
        let cfg = Config {
            seed: 7,
            residents,
            wrong_rate,
            noise_rate: 0.05,
            hard: Hardness::default(),
        };
        let mut g = Generator::new(cfg, Box::new(|n: &MyNumber| n.expose().into_bytes()));
        let mut chunks = Vec::new();
        while !g.done() {
            chunks.push(g.next_chunk(500));
        }
        (g, chunks)
    }

    /// Every hard case often enough that a small population has them all.
    fn dense() -> Hardness {
        Hardness {
            foreign: 0.1,
            maiden: 0.5,
            twins: 0.5,
            namesakes: 0.5,
            family_account: 0.05,
            ..Hardness::default()
        }
    }

    /// Items and residents of the chunks, by id.
    fn by_id(chunks: &[Chunk]) -> (HashMap<i64, &NewItem>, HashMap<i64, &NewResident>) {
        let items = chunks
            .iter()
            .flat_map(|c| c.batch.items.iter())
            .map(|i| (i.id, i))
            .collect();
        let residents = chunks
            .iter()
            .flat_map(|c| c.batch.residents.iter())
            .map(|r| (r.id, r))
            .collect();
        (items, residents)
    }

    fn register_identity(r: &NewResident) -> Identity {
        Identity {
            name_kanji: Some(r.name_kanji.clone()),
            name_kana: Some(r.name_kana.clone()),
            birth_date: Some(r.birth_date.clone()),
            sex: Some(r.sex.clone()),
            address: Some(r.address.clone()),
        }
    }

    /// Everything generated, as text.
    fn dump(chunks: &[Chunk]) -> Vec<String> {
        chunks
            .iter()
            .flat_map(|c| {
                c.batch
                    .residents
                    .iter()
                    .map(|r| format!("{r:?}"))
                    .chain(c.batch.items.iter().map(|i| format!("{i:?}")))
                    .chain(c.truth.iter().map(Truth::csv_line))
            })
            .collect()
    }

    #[test]
    fn deterministic_for_a_seed() {
        let a = gen_with(7, 3_000, 0.01, dense());
        let b = gen_with(7, 3_000, 0.01, dense());
        assert_eq!(dump(&a), dump(&b));
        let c = gen_with(8, 3_000, 0.01, dense());
        assert_ne!(dump(&a), dump(&c));
    }

    #[test]
    fn exact_population_with_unique_valid_numbers() {
        let (g, chunks) = gen(2_000, 0.01);
        let residents: Vec<_> = chunks
            .iter()
            .flat_map(|c| c.batch.residents.iter())
            .collect();
        assert_eq!(residents.len(), 2_000);
        let mut seen = std::collections::HashSet::new();
        for r in &residents {
            let n = g.my_number_for(r.id);
            assert!(MyNumber::parse(&n.expose()).is_ok());
            assert!(seen.insert(n.expose()));
        }
        // Everyone has a resident record and health insurance; most adults have an account.
        let items: Vec<_> = chunks.iter().flat_map(|c| c.batch.items.iter()).collect();
        let count = |cat: crate::domain::category::Category| {
            items.iter().filter(|i| i.details.category() == cat).count()
        };
        use crate::domain::category::Category as C;
        assert_eq!(count(C::ResidentRecord), 2_000);
        assert!(count(C::HealthInsurance) >= 2_000);
        assert!(count(C::PublicFundAccount) > 1_000);
        assert!(count(C::Disability) > 20);
        assert!(count(C::Pension) > 1_000);
    }

    #[test]
    fn wrong_links_follow_every_pattern_and_are_only_in_the_truth() {
        let chunks = gen_with(7, 20_000, 0.02, dense());
        let truth: Vec<_> = chunks.iter().flat_map(|c| c.truth.iter()).collect();
        for p in WrongPattern::ALL {
            let n = truth
                .iter()
                .filter(|t| matches!(t, Truth::Wrong { pattern, .. } if *pattern == p))
                .count();
            assert!(n > 0, "no wrong links of pattern {p:?}");
        }
        let (items, residents) = by_id(&chunks);
        let mut noisy_wrong = 0;
        for t in &truth {
            if let Truth::Wrong {
                item_id,
                linked_resident,
                true_resident,
                pattern,
                noise,
            } = t
            {
                let item = items[item_id];
                assert_eq!(item.resident_id, *linked_resident);
                assert_ne!(linked_resident, true_resident);
                assert!(noise.len() <= 1 && noise.iter().all(|n| !n.is_situation()));
                if !noise.is_empty() {
                    noisy_wrong += 1;
                    continue;
                }
                let (linked, owner) = (residents[linked_resident], residents[true_resident]);
                match pattern {
                    WrongPattern::SameKanaOtherPerson | WrongPattern::LookalikeNoAddress => {
                        for (snap, reg) in [
                            (&item.snapshot.name_kana, &linked.name_kana),
                            (&item.snapshot.name_kanji, &linked.name_kanji),
                            (&item.snapshot.birth_date, &linked.birth_date),
                        ] {
                            assert_eq!(snap.as_deref(), Some(reg.as_str()));
                        }
                        assert_eq!(
                            item.snapshot.address.is_none(),
                            *pattern == WrongPattern::LookalikeNoAddress
                        );
                    }
                    WrongPattern::TwinNumber => {
                        assert_eq!(linked.household_id, owner.household_id);
                        assert_eq!(linked.birth_date, owner.birth_date);
                        assert_ne!(linked.name_kana, owner.name_kana);
                    }
                    _ => {}
                }
            }
        }
        assert!(noisy_wrong > 0, "no wrong link carries harmless noise");
    }

    #[test]
    fn every_noise_kind_and_hard_case_appears() {
        let chunks = gen_with(7, 20_000, 0.01, dense());
        let truth: Vec<_> = chunks.iter().flat_map(|c| c.truth.iter()).collect();
        let correct = |n: Noise| {
            truth
                .iter()
                .filter(|t| matches!(t, Truth::Noise { .. }) && t.noise_set().contains(n))
                .count()
        };
        for n in Noise::ALL {
            assert!(correct(n) > 0, "no correct link with {n:?}");
        }
        // Two differences on one link, and wrong links with noise of the new kinds.
        assert!(truth
            .iter()
            .any(|t| matches!(t, Truth::Noise { .. }) && t.noise_set().differences() == 2));
        assert!(truth.iter().any(|t| matches!(
            t,
            Truth::Wrong { pattern: WrongPattern::SameKanaOtherPerson, noise, .. }
                if !noise.is_empty()
        )));
        // The default rates make every kind too, in a population of the evaluation's size.
        let chunks = gen_with(42, 20_000, 0.004, Hardness::default());
        let truth: Vec<_> = chunks.iter().flat_map(|c| c.truth.iter()).collect();
        for n in Noise::ALL {
            assert!(
                truth.iter().any(|t| t.noise_set().contains(n)),
                "default rates: no {n:?}"
            );
        }
    }

    /// Noise never changes whose a link is: every noisy or hard correct link is linked to its
    /// owner, every difference is a real difference from the register, and each situation is
    /// what it says.
    #[test]
    fn noisy_links_belong_to_the_linked_person() {
        let chunks = gen_with(7, 20_000, 0.01, dense());
        let (items, residents) = by_id(&chunks);
        let all: Vec<&NewResident> = chunks
            .iter()
            .flat_map(|c| c.batch.residents.iter())
            .collect();
        let mut n = 0;
        for t in chunks.iter().flat_map(|c| c.truth.iter()) {
            let Truth::Noise {
                item_id, resident, ..
            } = t
            else {
                continue;
            };
            n += 1;
            let item = items[item_id];
            assert_eq!(item.resident_id, *resident, "{}", t.csv_line());
            let r = residents[resident];
            let kinds = t.noise_set();
            assert!(kinds.differences() <= 2, "{}", t.csv_line());
            if kinds.differences() > 0 {
                assert_ne!(item.snapshot, register_identity(r), "{}", t.csv_line());
            }
            if kinds.contains(Noise::Twin) {
                assert!(all.iter().any(|o| o.id != r.id
                    && o.household_id == r.household_id
                    && o.birth_date == r.birth_date
                    && o.name_kana != r.name_kana));
            }
            if kinds.contains(Noise::Namesake) {
                assert!(all.iter().any(|o| o.id != r.id
                    && o.municipality_code != r.municipality_code
                    && o.name_kanji == r.name_kanji
                    && o.name_kana == r.name_kana
                    && o.birth_date == r.birth_date
                    && o.sex == r.sex));
            }
            if kinds.contains(Noise::AccountInFamilyName) {
                let ItemDetails::PublicFundAccount { holder_kana, .. } = &item.details else {
                    panic!("not an account: {}", t.csv_line());
                };
                let holder = to_half_width_kana(holder_kana);
                assert_ne!(holder, to_half_width_kana(&r.name_kana));
                assert!(all.iter().any(|o| o.household_id == r.household_id
                    && o.id != r.id
                    && to_half_width_kana(&o.name_kana) == holder));
            }
        }
        assert!(n > 1_000);
    }

    #[test]
    fn first_four_kinds_are_harmless_after_normalization_except_moves() {
        let chunks = gen_with(7, 5_000, 0.0, Hardness::none());
        let (items, residents) = by_id(&chunks);
        for t in chunks.iter().flat_map(|c| c.truth.iter()) {
            let Truth::Noise {
                item_id,
                noise,
                resident,
                ..
            } = t
            else {
                panic!("wrong link at rate 0")
            };
            assert!(Noise::FIRST_KINDS.contains(noise));
            if *noise == Noise::MoveNotReflected {
                continue;
            }
            let card = match_card(
                &items[item_id].snapshot,
                &register_identity(residents[resident]),
            );
            assert!(
                card.iter().all(|row| row.result != MatchResult::Differs),
                "{noise:?}: {card:?}"
            );
        }
    }

    /// The second stream only adds: households, ids, numbers, items and the wrong links of the
    /// first stream stay where they were, whatever the hard rates.
    #[test]
    fn the_hard_layer_keeps_the_first_stream() {
        let plain = gen_with(42, 5_000, 0.01, Hardness::none());
        let hard = gen_with(42, 5_000, 0.01, dense());
        let shape = |chunks: &[Chunk]| {
            chunks
                .iter()
                .flat_map(|c| {
                    c.batch
                        .residents
                        .iter()
                        .map(|r| format!("{} {} {}", r.id, r.household_id, r.sex))
                        .chain(c.batch.items.iter().map(|i| {
                            format!("{} {} {:?}", i.id, i.institution_id, i.details.category())
                        }))
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(shape(&plain), shape(&hard));
        let wrong = |chunks: &[Chunk]| {
            chunks
                .iter()
                .flat_map(|c| c.truth.iter())
                .filter_map(|t| match t {
                    Truth::Wrong {
                        item_id, pattern, ..
                    } => Some((
                        *item_id,
                        match pattern {
                            WrongPattern::TwinNumber => WrongPattern::FamilyMemberNumber,
                            WrongPattern::LookalikeNoAddress => WrongPattern::SameKanaOtherPerson,
                            p => *p,
                        },
                    )),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(wrong(&plain), wrong(&hard));
    }

    /// The README's demo residents (seed 42) and the end-to-end population (seed 2023) keep
    /// their wrong links: the first plain same-kana link and the first guardian link are the
    /// same with and without the hard layer.
    #[test]
    fn demo_wrong_links_are_unchanged() {
        for (seed, residents, wrong_rate) in [(42, 2_000, 0.004), (2023, 3_000, 0.02)] {
            let first = |hard: Hardness| {
                let chunks = gen_with(seed, residents, wrong_rate, hard);
                let truth: Vec<Truth> = chunks.into_iter().flat_map(|c| c.truth).collect();
                let find = |p: WrongPattern| {
                    truth.iter().find_map(|t| match t {
                        Truth::Wrong {
                            item_id,
                            pattern,
                            linked_resident,
                            true_resident,
                            noise,
                        } if *pattern == p && noise.is_empty() => {
                            Some((*item_id, *linked_resident, *true_resident))
                        }
                        _ => None,
                    })
                };
                (
                    find(WrongPattern::SameKanaOtherPerson),
                    find(WrongPattern::GuardianOnCertificate),
                )
            };
            assert_eq!(
                first(Hardness::none()),
                first(Hardness::default()),
                "seed {seed}"
            );
        }
    }

    #[test]
    fn typos_and_spellings() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(long_vowel("サトウ", &mut rng).as_deref(), Some("サトー"));
        assert_eq!(long_vowel("オオノ", &mut rng).as_deref(), Some("オーノ"));
        assert_eq!(long_vowel("ユウコ", &mut rng).as_deref(), Some("ユーコ"));
        assert_eq!(long_vowel("サトー", &mut rng).as_deref(), Some("サトウ"));
        assert_eq!(long_vowel("タナカ", &mut rng), None);
        assert_eq!(ocr_kanji("未来", &mut rng).as_deref(), Some("末来"));
        assert_eq!(ocr_kanji("山口", &mut rng), None);
        for _ in 0..200 {
            let t = kana_typo("ヤマダ タロウ", &mut rng).expect("a typo");
            assert_ne!(t, "ヤマダ タロウ");
            assert!(t.contains(' '));
            let d = date_typo("1990-02-10", &mut rng).expect("a date typo");
            assert_ne!(d, "1990-02-10");
            assert!(valid_date(&d).is_some(), "{d}");
            let fam = data::FOREIGN_FAMILY[0];
            let giv = data::FOREIGN_MALE[0];
            assert_ne!(romaji_name(&fam, &giv, &mut rng), "SMITH JOHN");
        }
        assert!(valid_date("2023-02-29").is_none());
        assert!(valid_date("2024-02-29").is_some());
        assert_eq!(date_typo("1990-13-01", &mut rng), None);
    }

    #[test]
    fn half_width_kana_conversion() {
        assert_eq!(to_half_width_kana("ヤマダ タロウ"), "ﾔﾏﾀﾞ ﾀﾛｳ");
        assert_eq!(to_half_width_kana("パン"), "ﾊﾟﾝ");
    }
}
