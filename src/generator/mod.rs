//! The synthetic population: households of residents in real municipalities, items linked to
//! them in the six categories, wrong links injected at a chosen rate with the real 2023 patterns,
//! and harmless noise that is not an error. Deterministic for a given seed.
//!
//! The generator only builds rows; it does no I/O. The ground truth (which links are wrong and
//! whose they really are) is returned apart from the rows, for a separate file.

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
    /// Share of non-register items linked to the wrong person.
    pub wrong_rate: f64,
    /// Share of items whose snapshot differs harmlessly from the register.
    pub noise_rate: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 42,
            residents: 2_000,
            wrong_rate: 0.004,
            noise_rate: 0.03,
        }
    }
}

/// The 2023 patterns of wrong links.
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
}

impl WrongPattern {
    pub const ALL: [WrongPattern; 4] = [
        WrongPattern::SameKanaOtherPerson,
        WrongPattern::FamilyMemberNumber,
        WrongPattern::GuardianOnCertificate,
        WrongPattern::SharedTerminalAccount,
    ];
    pub fn code(self) -> &'static str {
        match self {
            WrongPattern::SameKanaOtherPerson => "same_kana_other_person",
            WrongPattern::FamilyMemberNumber => "family_member_number",
            WrongPattern::GuardianOnCertificate => "guardian_on_certificate",
            WrongPattern::SharedTerminalAccount => "shared_terminal_account",
        }
    }
}

/// Harmless differences that are not errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Noise {
    KanjiVariant,
    HalfWidthKana,
    AddressNotation,
    MoveNotReflected,
}

impl Noise {
    pub const ALL: [Noise; 4] = [
        Noise::KanjiVariant,
        Noise::HalfWidthKana,
        Noise::AddressNotation,
        Noise::MoveNotReflected,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Noise::KanjiVariant => "kanji_variant",
            Noise::HalfWidthKana => "half_width_kana",
            Noise::AddressNotation => "address_notation",
            Noise::MoveNotReflected => "move_not_reflected",
        }
    }
}

/// One line of the ground truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Truth {
    Wrong {
        item_id: i64,
        pattern: WrongPattern,
        linked_resident: i64,
        true_resident: i64,
    },
    Noise {
        item_id: i64,
        noise: Noise,
        resident: i64,
    },
}

impl Truth {
    pub const CSV_HEADER: &'static str = "item_id,kind,pattern,linked_resident_id,true_resident_id";
    pub fn csv_line(&self) -> String {
        match self {
            Truth::Wrong {
                item_id,
                pattern,
                linked_resident,
                true_resident,
            } => {
                format!(
                    "{item_id},wrong_link,{},{linked_resident},{true_resident}",
                    pattern.code()
                )
            }
            Truth::Noise {
                item_id,
                noise,
                resident,
            } => {
                format!("{item_id},noise,{},{resident},{resident}", noise.code())
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

struct Address {
    prefix: String,
    chome: u32,
    ban: u32,
    go: u32,
}

impl Address {
    fn formal(&self) -> String {
        format!(
            "{}{}丁目{}番{}号",
            self.prefix, self.chome, self.ban, self.go
        )
    }
    fn hyphenated(&self) -> String {
        format!("{}{}-{}-{}", self.prefix, self.chome, self.ban, self.go)
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
}

impl Generator {
    pub fn new(cfg: Config, number_hash: NumberHashFn) -> Self {
        let data = NameData::load();
        let institutions = Institutions::build(&data);
        Generator {
            rng: ChaCha8Rng::seed_from_u64(cfg.seed),
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
        let town = self
            .data
            .towns
            .choose(&mut self.rng)
            .cloned()
            .unwrap_or_else(|| "本町".into());
        Address {
            prefix: format!("{}{}{}", muni.prefecture, muni.name, town),
            chome: self.rng.gen_range(1..=5),
            ban: self.rng.gen_range(1..=30),
            go: self.rng.gen_range(1..=20),
        }
    }

    #[allow(clippy::too_many_arguments)]
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
        let addr = self.address(&muni);
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
        if lookalike.is_none() && self.lookalike_targets.len() < 256 && self.rng.gen_bool(0.02) {
            self.lookalike_targets.push(members[0].clone());
        }
        chunk.residents += members.len() as u64;
        self.emit_household(chunk, &members, lookalike.as_ref(), &addr, &muni);
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

    /// Applies harmless noise to a snapshot with the configured rate; returns what was applied.
    fn noise(&mut self, snap: &mut Identity, addr: &Address) -> Option<Noise> {
        if !self.rng.gen_bool(self.cfg.noise_rate.clamp(0.0, 1.0)) {
            return None;
        }
        let start = self.rng.gen_range(0..Noise::ALL.len());
        for k in 0..Noise::ALL.len() {
            let noise = Noise::ALL[(start + k) % Noise::ALL.len()];
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
                Noise::AddressNotation => {
                    if snap.address.is_some() {
                        snap.address = Some(addr.hyphenated());
                        return Some(noise);
                    }
                }
                Noise::MoveNotReflected => {
                    if snap.address.is_some() {
                        let muni = self.data.municipalities.items
                            [self.data.municipalities.pick_index(&mut self.rng)]
                        .clone();
                        snap.address = Some(self.address(&muni).formal());
                        return Some(noise);
                    }
                }
            }
        }
        None
    }

    #[allow(clippy::too_many_arguments)]
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
        match wrong {
            Some(pattern) => chunk.truth.push(Truth::Wrong {
                item_id: id,
                pattern,
                linked_resident: linked_to,
                true_resident: owner.id,
            }),
            None if !matches!(details, ItemDetails::ResidentRecord { .. }) => {
                if let Some(noise) = self.noise(&mut snapshot, addr) {
                    chunk.truth.push(Truth::Noise {
                        item_id: id,
                        noise,
                        resident: owner.id,
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
                    (members[j].id, Some(WrongPattern::FamilyMemberNumber))
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
                    };
                    self.push_item(
                        chunk,
                        t,
                        m.id,
                        Some(WrongPattern::SameKanaOtherPerson),
                        t_inst,
                        method,
                        t.identity.clone(),
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

    fn gen(residents: u64, wrong_rate: f64) -> (Generator, Vec<Chunk>) {
        let cfg = Config {
            seed: 7,
            residents,
            wrong_rate,
            noise_rate: 0.05,
        };
        let mut g = Generator::new(cfg, Box::new(|n: &MyNumber| n.expose().into_bytes()));
        let mut chunks = Vec::new();
        while !g.done() {
            chunks.push(g.next_chunk(500));
        }
        (g, chunks)
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

    #[test]
    fn deterministic_for_a_seed() {
        let (_, a) = gen(300, 0.01);
        let (_, b) = gen(300, 0.01);
        let names = |c: &Vec<Chunk>| {
            c.iter()
                .flat_map(|c| c.batch.residents.iter().map(|r| r.name_kanji.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b));
        assert_eq!(
            a.iter().map(|c| c.truth.len()).sum::<usize>(),
            b.iter().map(|c| c.truth.len()).sum::<usize>()
        );
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
        let (_, chunks) = gen(20_000, 0.02);
        let truth: Vec<_> = chunks.iter().flat_map(|c| c.truth.iter()).collect();
        for p in WrongPattern::ALL {
            let n = truth
                .iter()
                .filter(|t| matches!(t, Truth::Wrong { pattern, .. } if *pattern == p))
                .count();
            assert!(n > 0, "no wrong links of pattern {p:?}");
        }
        for n in Noise::ALL {
            assert!(
                truth
                    .iter()
                    .any(|t| matches!(t, Truth::Noise { noise, .. } if *noise == n)),
                "no noise {n:?}"
            );
        }
        let (items, residents) = by_id(&chunks);
        for t in &truth {
            if let Truth::Wrong {
                item_id,
                linked_resident,
                true_resident,
                pattern,
            } = t
            {
                let item = items[item_id];
                assert_eq!(item.resident_id, *linked_resident);
                assert_ne!(linked_resident, true_resident);
                if *pattern == WrongPattern::SameKanaOtherPerson {
                    let owner = residents[linked_resident];
                    assert_eq!(
                        item.snapshot.name_kana.as_deref(),
                        Some(owner.name_kana.as_str())
                    );
                    assert_eq!(
                        item.snapshot.birth_date.as_deref(),
                        Some(owner.birth_date.as_str())
                    );
                }
            }
        }
    }

    #[test]
    fn noise_is_harmless_after_normalization_except_moves() {
        let (_, chunks) = gen(5_000, 0.0);
        let (items, residents) = by_id(&chunks);
        for t in chunks.iter().flat_map(|c| c.truth.iter()) {
            let Truth::Noise {
                item_id,
                noise,
                resident,
            } = t
            else {
                panic!("wrong link at rate 0")
            };
            if *noise == Noise::MoveNotReflected {
                continue;
            }
            let r = residents[resident];
            let reg = Identity {
                name_kanji: Some(r.name_kanji.clone()),
                name_kana: Some(r.name_kana.clone()),
                birth_date: Some(r.birth_date.clone()),
                sex: Some(r.sex.clone()),
                address: Some(r.address.clone()),
            };
            let card = match_card(&items[item_id].snapshot, &reg);
            assert!(
                card.iter().all(|row| row.result != MatchResult::Differs),
                "{noise:?}: {card:?}"
            );
        }
    }

    #[test]
    fn half_width_kana_conversion() {
        assert_eq!(to_half_width_kana("ヤマダ タロウ"), "ﾔﾏﾀﾞ ﾀﾛｳ");
        assert_eq!(to_half_width_kana("パン"), "ﾊﾟﾝ");
    }
}
