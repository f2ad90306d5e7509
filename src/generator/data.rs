//! Name and place data embedded from `data/*.tsv` (see `data/SOURCES.md` for provenance).

use rand::distributions::WeightedIndex;
use rand::prelude::*;

const SURNAMES: &str = include_str!("../../data/surnames.tsv");
const GIVEN_NAMES: &str = include_str!("../../data/given_names.tsv");
const MUNICIPALITIES: &str = include_str!("../../data/municipalities.tsv");
const TOWNS: &str = include_str!("../../data/towns.tsv");

/// A name in kanji and katakana.
#[derive(Debug, Clone)]
pub struct Name {
    pub kanji: String,
    pub kana: String,
}

#[derive(Debug, Clone)]
pub struct Municipality {
    pub code: String,
    pub prefecture: String,
    pub name: String,
}

/// Items picked with probability proportional to a weight.
#[derive(Debug, Clone)]
pub struct Weighted<T> {
    pub items: Vec<T>,
    index: WeightedIndex<u64>,
}

impl<T> Weighted<T> {
    fn new(pairs: Vec<(T, u64)>) -> Self {
        let (items, weights): (Vec<T>, Vec<u64>) = pairs.into_iter().unzip();
        let index =
            WeightedIndex::new(weights.iter().map(|w| (*w).max(1))).expect("non-empty data file");
        Weighted { items, index }
    }

    pub fn pick<R: Rng>(&self, rng: &mut R) -> &T {
        &self.items[self.index.sample(rng)]
    }

    pub fn pick_index<R: Rng>(&self, rng: &mut R) -> usize {
        self.index.sample(rng)
    }
}

/// Rows of a TSV file with a header line, split on tabs.
fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

pub struct NameData {
    pub surnames: Weighted<Name>,
    pub male: Weighted<Name>,
    pub female: Weighted<Name>,
    pub municipalities: Weighted<Municipality>,
    pub towns: Vec<String>,
}

impl NameData {
    pub fn load() -> Self {
        let surnames = rows(SURNAMES)
            .filter(|r| r.len() >= 3)
            .map(|r| {
                (
                    Name {
                        kanji: r[0].into(),
                        kana: r[1].into(),
                    },
                    r[2].trim().parse().unwrap_or(1),
                )
            })
            .collect();
        let mut male = Vec::new();
        let mut female = Vec::new();
        for r in rows(GIVEN_NAMES).filter(|r| r.len() >= 4) {
            let entry = (
                Name {
                    kanji: r[0].into(),
                    kana: r[1].into(),
                },
                r[3].trim().parse().unwrap_or(1),
            );
            if r[2] == "M" {
                male.push(entry);
            } else {
                female.push(entry);
            }
        }
        let municipalities = rows(MUNICIPALITIES)
            .filter(|r| r.len() >= 4)
            .map(|r| {
                let weight = r[3].trim().parse().unwrap_or(1);
                let weight = if weight > 1 {
                    weight
                } else {
                    population_weight(r[2])
                };
                (
                    Municipality {
                        code: r[0].into(),
                        prefecture: r[1].into(),
                        name: r[2].into(),
                    },
                    weight,
                )
            })
            .collect();
        let towns = rows(TOWNS)
            .filter_map(|r| r.first().map(|t| t.trim().to_string()))
            .collect();
        NameData {
            surnames: Weighted::new(surnames),
            male: Weighted::new(male),
            female: Weighted::new(female),
            municipalities: Weighted::new(municipalities),
            towns,
        }
    }
}

/// A rough population weight (thousands of residents) from the kind of municipality, for data
/// without populations: a ward of Tokyo or of a designated city averages about 190,000 people, other
/// cities about 80,000, towns about 11,000, villages about 4,000 (2020 census orders of magnitude).
/// So most generated residents live in cities, as in Japan (over 90%).
pub fn population_weight(name: &str) -> u64 {
    if name.ends_with('区') {
        190
    } else if name.ends_with('市') {
        80
    } else if name.ends_with('町') {
        11
    } else {
        4
    }
}

/// Banks with their real zengin codes.
pub const BANKS: &[(&str, &str)] = &[
    ("0001", "みずほ銀行"),
    ("0005", "三菱UFJ銀行"),
    ("0009", "三井住友銀行"),
    ("0010", "りそな銀行"),
    ("0017", "埼玉りそな銀行"),
    ("0033", "PayPay銀行"),
    ("0036", "楽天銀行"),
    ("0038", "住信SBIネット銀行"),
    ("0116", "北海道銀行"),
    ("0138", "横浜銀行"),
    ("0149", "静岡銀行"),
    ("0177", "福岡銀行"),
    ("9900", "ゆうちょ銀行"),
];

/// Pension/health mutual-aid associations (共済組合).
pub const MUTUAL_AID: &[(&str, &str, &str)] = &[
    (
        "31130012",
        "国家公務員共済組合連合会",
        "Federation of National Public Service Personnel Mutual Aid Associations",
    ),
    (
        "32130011",
        "地方職員共済組合",
        "Mutual Aid Association of Prefectural Government Personnel",
    ),
    (
        "34130019",
        "公立学校共済組合",
        "Mutual Aid Association of Public School Teachers",
    ),
];

/// Health insurance societies (健保組合), synthetic names.
pub const SOCIETIES: &[(&str, &str, &str)] = &[
    (
        "06130011",
        "東日本電機健康保険組合",
        "East Japan Electric Health Insurance Society",
    ),
    (
        "06130029",
        "関東商事健康保険組合",
        "Kanto Trading Health Insurance Society",
    ),
    (
        "06270015",
        "関西機械健康保険組合",
        "Kansai Machinery Health Insurance Society",
    ),
    (
        "06230017",
        "中部自動車健康保険組合",
        "Chubu Motor Health Insurance Society",
    ),
    (
        "06400011",
        "九州情報健康保険組合",
        "Kyushu Information Health Insurance Society",
    ),
    (
        "06010010",
        "北海道物流健康保険組合",
        "Hokkaido Logistics Health Insurance Society",
    ),
];
