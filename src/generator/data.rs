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
    #[expect(
        clippy::expect_used,
        reason = "the data files are compiled in and never empty (a unit test loads each)"
    )]
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

/// Kanji an OCR pass or a hurried reader confuses: each pair differs by a stroke or a dot. Used
/// both ways (`ocr_kanji` noise).
pub const OCR_KANJI: &[(char, char)] = &[
    ('未', '末'),
    ('土', '士'),
    ('己', '已'),
    ('人', '入'),
    ('大', '太'),
    ('千', '干'),
    ('王', '玉'),
    ('田', '由'),
    ('木', '本'),
    ('日', '曰'),
    ('刀', '力'),
    ('天', '夫'),
    ('矢', '失'),
    ('午', '牛'),
    ('右', '石'),
    ('島', '鳥'),
    ('崎', '埼'),
    ('間', '問'),
    ('宮', '官'),
    ('明', '朋'),
    ('代', '伐'),
    ('今', '令'),
    ('陽', '揚'),
    ('子', '孑'),
];

/// Katakana one mistypes or misreads for another (`kana_typo`): voiced pairs that sound alike,
/// ヲ/オ, and small/large kana. Used both ways.
pub const KANA_CONFUSIONS: &[(char, char)] = &[
    ('ツ', 'ッ'),
    ('ヅ', 'ズ'),
    ('ヂ', 'ジ'),
    ('ヲ', 'オ'),
    ('ヤ', 'ャ'),
    ('ユ', 'ュ'),
    ('ヨ', 'ョ'),
    ('ア', 'ァ'),
    ('イ', 'ィ'),
    ('ウ', 'ゥ'),
    ('エ', 'ェ'),
    ('オ', 'ォ'),
];

/// Rows of the katakana table: a one-key slip replaces a kana by another of its row.
pub const KANA_ROWS: &[&str] = &[
    "アイウエオ",
    "カキクケコ",
    "ガギグゲゴ",
    "サシスセソ",
    "ザジズゼゾ",
    "タチツテト",
    "ダヂヅデド",
    "ナニヌネノ",
    "ハヒフヘホ",
    "バビブベボ",
    "パピプペポ",
    "マミムメモ",
    "ヤユヨ",
    "ラリルレロ",
];

/// Kana of the o, u and e columns, after which a long vowel is written ウ/オ/イ or ー
/// (`long_vowel`: サトウ/サトー, オオノ/オーノ, ユウコ/ユーコ, ケイコ/ケーコ).
pub const O_COLUMN: &str = "オコゴソゾトドノホボポモヨロョ";
pub const U_COLUMN: &str = "ウクグスズツヅヌフブプムユルュ";
pub const E_COLUMN: &str = "エケゲセゼテデネヘベペメレ";

/// A foreign name part: the katakana of the register, the Latin spelling of the register (as
/// on the residence card) and other Latin spellings institutions use.
#[derive(Debug, Clone, Copy)]
pub struct ForeignName {
    pub kana: &'static str,
    pub latin: &'static str,
    pub variants: &'static [&'static str],
}

const fn f(
    kana: &'static str,
    latin: &'static str,
    variants: &'static [&'static str],
) -> ForeignName {
    ForeignName {
        kana,
        latin,
        variants,
    }
}

/// Family names of foreign residents (the largest groups in Japan: Chinese, Vietnamese, Korean,
/// Filipino, Brazilian, Nepali, and English-speaking countries), synthetic choice.
pub const FOREIGN_FAMILY: &[ForeignName] = &[
    f("スミス", "SMITH", &["SMYTH"]),
    f("ジョンソン", "JOHNSON", &["JONSON"]),
    f("ブラウン", "BROWN", &["BRAUN"]),
    f("ウィリアムズ", "WILLIAMS", &["WILLIAMES"]),
    f("グエン", "NGUYEN", &["NGUEN", "NGUYEN VAN"]),
    f("トラン", "TRAN", &["TRANG"]),
    f("ファム", "PHAM", &["FAM"]),
    f("キム", "KIM", &["GIM"]),
    f("パク", "PARK", &["PAK", "BAK"]),
    f("イ", "LEE", &["LI", "YI", "RHEE"]),
    f("ワン", "WANG", &["WONG"]),
    f("チャン", "ZHANG", &["CHANG", "JANG"]),
    f("リウ", "LIU", &["LIOU"]),
    f("シルバ", "SILVA", &["DA SILVA", "SILVER"]),
    f("サントス", "SANTOS", &["DOS SANTOS"]),
    f("ガルシア", "GARCIA", &["GARSIA"]),
    f("ロドリゲス", "RODRIGUEZ", &["RODRIGUES"]),
    f("レイエス", "REYES", &["REIES"]),
    f("タパ", "THAPA", &["TAPA"]),
    f("グルン", "GURUNG", &["GURUN"]),
];

/// Given names of foreign residents, men's.
pub const FOREIGN_MALE: &[ForeignName] = &[
    f("ジョン", "JOHN", &["JON"]),
    f("マイケル", "MICHAEL", &["MICHEAL", "MIKAEL"]),
    f("デイビッド", "DAVID", &["DAVYD"]),
    f("ミン", "MINH", &["MIN"]),
    f("トゥアン", "TUAN", &["TUANH"]),
    f("ジュン", "JUN", &["JOON"]),
    f("ウェイ", "WEI", &["WAY"]),
    f("カルロス", "CARLOS", &["KARLOS"]),
    f("ホセ", "JOSE", &["JOSÉ"]),
    f("ラム", "RAM", &["RAAM"]),
];

/// Given names of foreign residents, women's.
pub const FOREIGN_FEMALE: &[ForeignName] = &[
    f("マリア", "MARIA", &["MARIYA", "MARYA"]),
    f("アンナ", "ANNA", &["ANA"]),
    f("リン", "LINH", &["LIN"]),
    f("サラ", "SARAH", &["SARA"]),
    f("エミリー", "EMILY", &["EMILIE"]),
    f("ソヨン", "SOYEON", &["SO-YEON", "SOYOUNG"]),
    f("フオン", "HUONG", &["HUONG THI"]),
    f("メイ", "MEI", &["MAY"]),
    f("キャサリン", "CATHERINE", &["KATHERINE"]),
    f("サビナ", "SABINA", &["SABEENA"]),
];

/// Apartment and house names for a share of the addresses (so `address_typo` can drop one).
pub const BUILDINGS: &[&str] = &[
    "コーポ桜",
    "サンハイツ",
    "グランドメゾン",
    "ハイツ緑",
    "パークサイド",
    "レジデンス本町",
    "ライオンズマンション",
    "メゾン・ド・ソレイユ",
    "第二清水荘",
    "シャトー若葉",
];
