//! What the engine compares: an identity's attributes normalized once, in the forms the graded
//! comparisons need, with a 64-bit hash of each form for fast equality and blocking.
//!
//! - Kanji names: [`normalize::name_kanji`] of the whole and of the family and given parts.
//! - Kana names: [`normalize::name_kana`] of the whole (the `exact` level), and the *folded*
//!   reading of each part ([`fold_kana`]: long vowels, ヅ/ズ, ヂ/ジ, ヲ/オ, ヴ/ブ, small/large),
//!   which carries the `same sound` level, the kana blocking keys and the similarity measures.
//! - Names written in Latin letters (in either name column): upper-case tokens, sorted, so the
//!   order of family and given name does not matter.
//! - Birth dates as `YYYYMMDD`.
//! - Addresses parsed into municipality, area (municipality and town), block numbers and the
//!   rest (building, room); Latin addresses into word tokens, number tokens and a postcode.

use super::super::matching::Identity;
use super::super::normalize;

/// XXH3 of a string, never 0 (0 means "not held").
pub fn hash(s: &str) -> u64 {
    if s.is_empty() {
        0
    } else {
        xxhash_rust::xxh3::xxh3_64(s.as_bytes()) | 1
    }
}

/// Family and given name when there are exactly two parts; two empty strings otherwise.
fn two_parts(parts: Vec<String>) -> (String, String) {
    match <[String; 2]>::try_from(parts) {
        Ok([family, given]) => (family, given),
        Err(_) => (String::new(), String::new()),
    }
}

/// A name in one script: the whole and, when the source separates them, the family and given
/// parts (empty when not separated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Name {
    pub full: String,
    pub family: String,
    pub given: String,
}

impl Name {
    fn split(raw: &str, f: fn(&str) -> String) -> Option<Name> {
        let parts = normalize::name_parts(raw, f);
        let full = parts.concat();
        if full.is_empty() {
            return None;
        }
        let (family, given) = two_parts(parts);
        Some(Name {
            full,
            family,
            given,
        })
    }
}

/// Folds a normalized kana reading (full-width katakana, see [`normalize::name_kana`]) so that
/// spellings of the same sound agree: long-vowel marks and the vowel that lengthens the one
/// before it (オウ, オオ, ウウ, エイ) are dropped, ヅ→ズ, ヂ→ジ, ヲ→オ,
/// ヴ→ブ, ヱ→エ, ヰ→イ (small kana are already large after normalization).
pub fn fold_kana(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_vowel: Option<char> = None;
    for c in s.chars() {
        let c = match c {
            'ヅ' => 'ズ',
            'ヂ' => 'ジ',
            'ヲ' => 'オ',
            'ヴ' => 'ブ',
            'ヱ' => 'エ',
            'ヰ' => 'イ',
            c => c,
        };
        if c == 'ー' {
            continue;
        }
        if let Some(v) = prev_vowel {
            // The second vowel of a long vowel: オウ, オオ, ウウ, エイ, エエ, イイ, アア.
            // Only the spellings names really alternate with ー (サトウ/サトー, オオノ/オーノ,
            // ユウコ/ユーコ, ケイコ/ケーコ); ミイ or サアヤ keep both vowels.
            let lengthens = matches!(
                (v, c),
                ('オ', 'ウ') | ('オ', 'オ') | ('ウ', 'ウ') | ('エ', 'イ')
            );
            if lengthens {
                prev_vowel = None;
                continue;
            }
        }
        prev_vowel = vowel_of(c);
        out.push(c);
    }
    out
}

/// The vowel a katakana syllable ends in (for long-vowel folding); `None` for ン, ッ and others.
fn vowel_of(c: char) -> Option<char> {
    // A match rather than a search of the rows of the kana table: this runs for every kana
    // of every name read.
    match c {
        'ア' | 'カ' | 'ガ' | 'サ' | 'ザ' | 'タ' | 'ダ' | 'ナ' | 'ハ' | 'バ' | 'パ' | 'マ'
        | 'ヤ' | 'ラ' | 'ワ' => Some('ア'),
        'イ' | 'キ' | 'ギ' | 'シ' | 'ジ' | 'チ' | 'ヂ' | 'ニ' | 'ヒ' | 'ビ' | 'ピ' | 'ミ'
        | 'リ' => Some('イ'),
        'ウ' | 'ク' | 'グ' | 'ス' | 'ズ' | 'ツ' | 'ヅ' | 'ヌ' | 'フ' | 'ブ' | 'プ' | 'ム'
        | 'ユ' | 'ル' | 'ヴ' => Some('ウ'),
        'エ' | 'ケ' | 'ゲ' | 'セ' | 'ゼ' | 'テ' | 'デ' | 'ネ' | 'ヘ' | 'ベ' | 'ペ' | 'メ'
        | 'レ' => Some('エ'),
        'オ' | 'コ' | 'ゴ' | 'ソ' | 'ゾ' | 'ト' | 'ド' | 'ノ' | 'ホ' | 'ボ' | 'ポ' | 'モ'
        | 'ヨ' | 'ロ' | 'ヲ' => Some('オ'),
        _ => None,
    }
}

/// A kana name: the normalized whole, and the folded whole and parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KanaName {
    /// [`normalize::name_kana`] without spaces.
    pub exact: String,
    /// Folded parts (empty when not separated) and the folded whole.
    pub folded: Name,
}

/// An address in parts. For a Japanese address: `muni` is the municipality (市区町村, with the
/// ward of a designated city), `area` the municipality and town without block numbers,
/// `numbers` the block numbers (`2-1-2`), `rest` what follows (building, room). For a Latin
/// address: `area` is the word tokens, `numbers` the number tokens, `muni` the postcode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    pub full: String,
    pub muni: String,
    pub area: String,
    pub numbers: String,
    pub rest: String,
}

fn is_ascii_word(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let non_ascii = s.chars().filter(|c| !c.is_ascii()).count();
    letters > 0 && non_ascii == 0
}

impl Address {
    pub fn parse(raw: &str) -> Option<Address> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        if is_ascii_word(raw) {
            return Self::latin(raw);
        }
        let normalized = normalize::address(raw);
        if normalized.is_empty() {
            return None;
        }
        let start = normalized
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(normalized.len());
        let area = &normalized[..start];
        let tail = &normalized[start..];
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .unwrap_or(tail.len());
        let numbers = tail[..end].trim_matches('-');
        let rest = tail[end..].trim_start_matches('-');
        // The whole, rebuilt from the parts, so 「2-1-2 ビル」 and 「2丁目1番2号ビル」 agree.
        Some(Address {
            full: format!("{area}{numbers}/{rest}"),
            muni: municipality(area).to_string(),
            area: area.to_string(),
            numbers: numbers.to_string(),
            rest: rest.to_string(),
        })
    }

    fn latin(raw: &str) -> Option<Address> {
        let tokens: Vec<String> = raw
            .split(|c: char| c.is_whitespace() || c == ',')
            .map(|t| {
                t.chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase()
            })
            .filter(|t| !t.is_empty())
            .collect();
        if tokens.is_empty() {
            return None;
        }
        let words: Vec<&str> = tokens
            .iter()
            .filter(|t| !t.chars().all(|c| c.is_ascii_digit()))
            .map(String::as_str)
            .collect();
        let numbers: Vec<&str> = tokens
            .iter()
            .filter(|t| t.chars().all(|c| c.is_ascii_digit()))
            .map(String::as_str)
            .collect();
        let postcode = numbers
            .iter()
            .rev()
            .find(|n| n.len() >= 4)
            .copied()
            .unwrap_or("");
        Some(Address {
            full: tokens.join(" "),
            muni: postcode.to_string(),
            area: words.join(" "),
            numbers: numbers
                .iter()
                .filter(|n| **n != postcode)
                .copied()
                .collect::<Vec<_>>()
                .join("-"),
            rest: String::new(),
        })
    }
}

/// The municipality at the start of a normalized Japanese address (prefecture already dropped):
/// up to 市 (and the ward after it in a designated city), or 郡…町/村, or a Tokyo ward 区, or
/// 町/村. Empty when none is found.
fn municipality(area: &str) -> &str {
    let end_after = |i: usize, c: char| i + c.len_utf8();
    let find = |from: usize, set: &[char]| {
        area[from..]
            .char_indices()
            .find(|(_, c)| set.contains(c))
            .map(|(i, c)| end_after(from + i, c))
    };
    if let Some(city) = find(0, &['市']) {
        // A designated city's ward: 大阪市北区.
        if let Some(ward) = find(city, &['区']) {
            if area[city..ward].chars().count() <= 4 {
                return &area[..ward];
            }
        }
        return &area[..city];
    }
    if let Some(gun) = find(0, &['郡']) {
        if let Some(town) = find(gun, &['町', '村']) {
            return &area[..town];
        }
    }
    match find(0, &['区', '町', '村']) {
        Some(end) => &area[..end],
        None => "",
    }
}

/// Whether the month has the day (proleptic Gregorian calendar, leap years included).
pub fn is_calendar_date(y: u32, m: u32, d: u32) -> bool {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// A birth date as `YYYYMMDD`, or 0 when it is not a date of that shape.
pub fn birth_key(raw: &str) -> u32 {
    // The usual notation, `YYYY-MM-DD` in ASCII digits, is read as it stands: normalizing it
    // gives it back unchanged.
    let b = raw.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let digits = [0, 1, 2, 3, 5, 6, 8, 9].map(|i| b[i]);
        if digits.iter().all(u8::is_ascii_digit) {
            return digits
                .iter()
                .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        }
    }
    let d = normalize::date(raw);
    let digits: String = d.chars().filter(char::is_ascii_digit).collect();
    if d.len() == 10 && digits.len() == 8 {
        digits.parse().unwrap_or(0)
    } else {
        0
    }
}

/// A birth date (any accepted notation) as `YYYY-MM-DD`, with the dates a typo of it could
/// have come from: day and month swapped, the year one off. Empty when it is not a date.
pub fn date_typo_variants(raw: &str) -> Vec<String> {
    let d = birth_key(raw);
    if d == 0 {
        return Vec::new();
    }
    let (y, m, day) = (d / 10000, d / 100 % 100, d % 100);
    let fmt = |y: u32, m: u32, d: u32| format!("{y:04}-{m:02}-{d:02}");
    let mut out = vec![fmt(y, m, day), fmt(y + 1, m, day)];
    if y > 0 {
        out.push(fmt(y - 1, m, day));
    }
    if day <= 12 && day != m {
        out.push(fmt(y, day, m));
    }
    out
}

/// An identity's attributes in the forms the comparisons need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    pub kanji: Option<Name>,
    pub kana: Option<KanaName>,
    /// A name written in Latin letters: upper-case tokens, sorted.
    pub latin: Option<Vec<String>>,
    /// `YYYYMMDD`, 0 = not held.
    pub birth: u32,
    /// 1 = M, 2 = F, 0 = not held.
    pub sex: u8,
    pub address: Option<Address>,
}

/// Upper-case Latin tokens of a name, sorted.
pub fn latin_tokens(raw: &str) -> Vec<String> {
    let mut t: Vec<String> = raw
        .split(|c: char| c.is_whitespace() || c == ',' || c == '\u{3000}' || c == '・')
        .map(|p| {
            normalize::name_kanji(p)
                .chars()
                .filter(|c| c.is_ascii_alphabetic())
                .collect::<String>()
        })
        .filter(|p| !p.is_empty())
        .collect();
    t.sort();
    t
}

impl Features {
    /// Normalizes an identity. A name written in Latin letters (in either column) is kept as
    /// Latin tokens only.
    pub fn of(id: &Identity) -> Features {
        Features::of_cells([
            id.name_kanji.as_deref(),
            id.name_kana.as_deref(),
            id.birth_date.as_deref(),
            id.sex.as_deref(),
            id.address.as_deref(),
        ])
    }

    /// [`Features::of`] an identity's five cells, borrowed (a CSV row's, with no copy): kanji
    /// name, kana name, birth date, sex and address.
    pub fn of_cells(cells: [Option<&str>; 5]) -> Features {
        let [kanji, kana, birth, sex, address] =
            cells.map(|v| v.map(str::trim).filter(|s| !s.is_empty()));
        let mut f = Features::default();
        if let Some(k) = kanji {
            if normalize::is_latin_name(k) {
                f.latin = Some(latin_tokens(k)).filter(|t| !t.is_empty());
            } else {
                f.kanji = Name::split(k, normalize::name_kanji);
            }
        }
        if let Some(k) = kana {
            if normalize::is_latin_name(k) {
                if f.latin.is_none() {
                    f.latin = Some(latin_tokens(k)).filter(|t| !t.is_empty());
                }
            } else {
                f.kana = kana_name(k);
            }
        }
        f.birth = birth.map(birth_key).unwrap_or(0);
        f.sex = match sex.map(normalize::sex).as_deref() {
            Some("M") => 1,
            Some("F") => 2,
            _ => 0,
        };
        f.address = address.and_then(Address::parse);
        f
    }

    /// How many of the six comparable attributes (kanji, kana or Latin name, birth date, sex,
    /// address) this side holds.
    pub fn held(&self) -> usize {
        [
            self.kanji.is_some(),
            self.kana.is_some(),
            self.latin.is_some(),
            self.birth != 0,
            self.sex != 0,
            self.address.is_some(),
        ]
        .into_iter()
        .filter(|b| *b)
        .count()
    }
}

/// A kana name, normalized and folded.
pub fn kana_name(raw: &str) -> Option<KanaName> {
    let parts = normalize::name_parts(raw, normalize::name_kana);
    let exact = parts.concat();
    if exact.is_empty() {
        return None;
    }
    let folded_parts: Vec<String> = parts.iter().map(|p| fold_kana(p)).collect();
    let full = folded_parts.concat();
    let (family, given) = two_parts(folded_parts);
    Some(KanaName {
        exact,
        folded: Name {
            full,
            family,
            given,
        },
    })
}

/// The romanized, spelling-folded tokens of a kana name (for comparing with a Latin name).
pub fn kana_romaji_tokens(k: &KanaName) -> Vec<String> {
    let parts: Vec<&str> = if k.folded.family.is_empty() {
        vec![k.folded.full.as_str()]
    } else {
        vec![k.folded.family.as_str(), k.folded.given.as_str()]
    };
    let mut t: Vec<String> = parts
        .into_iter()
        .map(normalize::kana_to_romaji)
        .filter(|p| !p.is_empty())
        .collect();
    t.sort();
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vowels_are_the_rows_of_the_kana_table() {
        let rows = [
            ("アカガサザタダナハバパマヤラワ", 'ア'),
            ("イキギシジチヂニヒビピミリ", 'イ'),
            ("ウクグスズツヅヌフブプムユルヴ", 'ウ'),
            ("エケゲセゼテデネヘベペメレ", 'エ'),
            ("オコゴソゾトドノホボポモヨロヲ", 'オ'),
        ];
        for c in '\u{3000}'..='\u{30FF}' {
            let row = rows.iter().find(|(r, _)| r.contains(c)).map(|(_, v)| *v);
            assert_eq!(vowel_of(c), row, "{c}");
        }
    }

    #[test]
    fn the_usual_date_notation_reads_as_the_normalized_one() {
        for raw in [
            "1980-05-01",
            "0000-00-00",
            "2024-13-45",
            "9999-99-99",
            "1980-5-01",
            "1980/05/01",
            "１９８０-05-01",
            "1980-05-0a",
        ] {
            let d = normalize::date(raw);
            let digits: String = d.chars().filter(char::is_ascii_digit).collect();
            let slow = if d.len() == 10 && digits.len() == 8 {
                digits.parse().unwrap_or(0)
            } else {
                0
            };
            assert_eq!(birth_key(raw), slow, "{raw}");
        }
    }

    #[test]
    fn long_vowels_and_voiced_variants_fold() {
        assert_eq!(fold_kana("サトウ"), fold_kana("サトー"));
        assert_eq!(fold_kana("オオノ"), fold_kana("オーノ"));
        assert_eq!(fold_kana("ユウコ"), fold_kana("ユーコ"));
        assert_eq!(fold_kana("ミヅキ"), fold_kana("ミズキ"));
        assert_eq!(fold_kana("チヂミ"), fold_kana("チジミ"));
        assert_ne!(fold_kana("サトウ"), fold_kana("サイトウ"));
        assert_eq!(fold_kana("ケイコ"), "ケコ");
        assert_eq!(fold_kana("ミイ"), "ミイ");
    }

    #[test]
    fn japanese_addresses_split_into_parts() {
        let a = Address::parse("東京都千代田区霞が関2丁目1番2号 霞が関ビル301").expect("address");
        assert_eq!(a.muni, "千代田区");
        assert_eq!(a.area, "千代田区霞が関");
        assert_eq!(a.numbers, "2-1-2");
        assert_eq!(a.rest, "霞が関ビル301");
        let b = Address::parse("大阪府大阪市北区梅田1-2-3").expect("address");
        assert_eq!(b.muni, "大阪市北区");
        assert_eq!(b.numbers, "1-2-3");
        let c = Address::parse("北海道上川郡東川町北町1-1").expect("address");
        assert_eq!(c.muni, "上川郡東川町");
        let same = Address::parse("千代田区霞が関２－１－２霞が関ビル301").expect("address");
        assert_eq!(same.full, a.full);
    }

    #[test]
    fn latin_addresses_split_into_words_numbers_and_postcode() {
        let a = Address::parse("12 miller street, kaleen 2617 act").expect("address");
        assert_eq!(a.area, "miller street kaleen act");
        assert_eq!(a.numbers, "12");
        assert_eq!(a.muni, "2617");
    }

    #[test]
    fn features_of_an_identity() {
        let id = Identity {
            name_kanji: Some("山田　太郎".into()),
            name_kana: Some("ﾔﾏﾀﾞ ﾀﾛｰ".into()),
            birth_date: Some("1980-05-01".into()),
            sex: Some("M".into()),
            address: None,
        };
        let f = Features::of(&id);
        assert_eq!(f.kanji.as_ref().map(|n| n.family.as_str()), Some("山田"));
        let kana = f.kana.expect("kana");
        assert_eq!(kana.exact, "ヤマダタロー");
        assert_eq!(kana.folded.full, "ヤマダタロ");
        assert_eq!(f.birth, 19800501);
        assert_eq!(f.sex, 1);
        let latin = Features::of(&Identity {
            name_kanji: Some("Taro YAMADA".into()),
            ..Identity::default()
        });
        assert_eq!(
            latin.latin,
            Some(vec!["TARO".to_string(), "YAMADA".to_string()])
        );
        assert!(latin.kanji.is_none());
    }
}
