//! The match card: the institution's copy of each identity attribute beside the resident's
//! registered one, compared after normalization.

use super::normalize;
use serde::{Deserialize, Serialize};

/// The five identity attributes institutions match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Attribute {
    NameKanji,
    NameKana,
    BirthDate,
    Sex,
    Address,
}

impl Attribute {
    pub const ALL: [Attribute; 5] = [
        Attribute::NameKanji,
        Attribute::NameKana,
        Attribute::BirthDate,
        Attribute::Sex,
        Attribute::Address,
    ];

    /// A short code (`name_kanji`, `birth_date`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Attribute::NameKanji => "name_kanji",
            Attribute::NameKana => "name_kana",
            Attribute::BirthDate => "birth_date",
            Attribute::Sex => "sex",
            Attribute::Address => "address",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Attribute::NameKanji => "attr.name_kanji",
            Attribute::NameKana => "attr.name_kana",
            Attribute::BirthDate => "attr.birth_date",
            Attribute::Sex => "attr.sex",
            Attribute::Address => "attr.address",
        }
    }

    /// Whether two raw values of this attribute are the same after normalization.
    pub fn same(self, a: &str, b: &str) -> bool {
        let f: fn(&str) -> String = match self {
            Attribute::NameKanji => normalize::name_kanji,
            Attribute::NameKana => normalize::name_kana,
            Attribute::BirthDate => normalize::date,
            Attribute::Sex => normalize::sex,
            Attribute::Address => normalize::address,
        };
        f(a) == f(b)
    }
}

impl Identity {
    /// An identity from five cells as an extract or a form has them, kanji name, kana name,
    /// birth date, sex, address; an empty cell is not held.
    pub fn from_cells(kanji: &str, kana: &str, birth: &str, sex: &str, address: &str) -> Self {
        let cell = |v: &str| (!v.is_empty()).then(|| v.to_string());
        Identity {
            name_kanji: cell(kanji),
            name_kana: cell(kana),
            birth_date: cell(birth),
            sex: cell(sex),
            address: cell(address),
        }
    }
}

/// The outcome of comparing one attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchResult {
    Same,
    Differs,
    NotHeld,
}

impl MatchResult {
    pub fn label_key(self) -> &'static str {
        match self {
            MatchResult::Same => "match.same",
            MatchResult::Differs => "match.differs",
            MatchResult::NotHeld => "match.not_held",
        }
    }
}

/// A set of identity attributes, either the register's or an institution's snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub name_kanji: Option<String>,
    pub name_kana: Option<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub address: Option<String>,
}

impl Identity {
    pub fn get(&self, a: Attribute) -> Option<&str> {
        let v = match a {
            Attribute::NameKanji => &self.name_kanji,
            Attribute::NameKana => &self.name_kana,
            Attribute::BirthDate => &self.birth_date,
            Attribute::Sex => &self.sex,
            Attribute::Address => &self.address,
        };
        v.as_deref().filter(|s| !s.trim().is_empty())
    }
}

/// One row of the match card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchRow {
    pub attribute: Attribute,
    pub institution_value: Option<String>,
    pub registered_value: Option<String>,
    pub result: MatchResult,
}

/// Compares an institution's snapshot with the register, attribute by attribute.
pub fn match_card(snapshot: &Identity, register: &Identity) -> Vec<MatchRow> {
    Attribute::ALL
        .into_iter()
        .map(|attribute| {
            let inst = snapshot.get(attribute);
            let reg = register.get(attribute);
            let result = match (inst, reg) {
                (Some(a), Some(b)) if attribute.same(a, b) => MatchResult::Same,
                (Some(_), Some(_)) => MatchResult::Differs,
                _ => MatchResult::NotHeld,
            };
            MatchRow {
                attribute,
                institution_value: inst.map(str::to_string),
                registered_value: reg.map(str::to_string),
                result,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(k: &str, kana: &str, b: &str, s: &str, a: &str) -> Identity {
        Identity::from_cells(k, kana, b, s, a)
    }

    #[test]
    fn harmless_notation_differences_count_as_same() {
        let reg = id(
            "高橋 一郎",
            "タカハシ イチロウ",
            "1980-05-01",
            "M",
            "東京都千代田区霞が関2丁目1番地2号",
        );
        let snap = id(
            "髙橋一郎",
            "ﾀｶﾊｼ ｲﾁﾛｳ",
            "1980/5/1",
            "M",
            "千代田区霞が関２－１－２",
        );
        let card = match_card(&snap, &reg);
        assert!(
            card.iter().all(|r| r.result == MatchResult::Same),
            "{card:?}"
        );
    }

    #[test]
    fn another_persons_record_shows_differences_and_missing_attributes() {
        let reg = id(
            "高橋一郎",
            "タカハシイチロウ",
            "1980-05-01",
            "M",
            "東京都千代田区霞が関2-1-2",
        );
        let snap = id("高橋市朗", "タカハシイチロウ", "1980-05-01", "M", "");
        let card = match_card(&snap, &reg);
        assert_eq!(card[0].result, MatchResult::Differs);
        assert_eq!(card[1].result, MatchResult::Same);
        assert_eq!(card[4].result, MatchResult::NotHeld);
        assert_eq!(card[4].institution_value, None);
    }
}
