//! Normalization of identity attributes, so that harmless differences in notation do not count
//! as differences: kanji variant forms (髙/高), half-width or hiragana kana, full-width digits,
//! 「2丁目1番地2号」 against 「2-1-2」, spaces between family and given names.

use unicode_normalization::UnicodeNormalization;

/// Kanji variant forms folded to the common form. Source: the variants named in the product brief
/// and the 2023 inspection guidance (異体字), limited to forms seen in names and addresses.
/// Kept as data, one pair per entry: (variant, common form).
pub const KANJI_VARIANTS: &[(char, char)] = &[
    ('髙', '高'),
    ('﨑', '崎'),
    ('嵜', '崎'),
    ('邊', '辺'),
    ('邉', '辺'),
    ('齋', '斉'),
    ('齊', '斉'),
    ('斎', '斉'),
    ('澤', '沢'),
    ('濱', '浜'),
    ('𠮷', '吉'),
    ('國', '国'),
    ('廣', '広'),
    ('櫻', '桜'),
    ('龍', '竜'),
    ('眞', '真'),
    ('德', '徳'),
    ('惠', '恵'),
    ('榮', '栄'),
    ('藏', '蔵'),
    ('條', '条'),
    ('淵', '渕'),
    ('嶋', '島'),
    ('嶌', '島'),
    ('冨', '富'),
    ('實', '実'),
    ('顯', '顕'),
];

fn fold_kanji(c: char) -> char {
    KANJI_VARIANTS
        .iter()
        .find(|(v, _)| *v == c)
        .map(|(_, n)| *n)
        .unwrap_or(c)
}

fn is_variation_selector(c: char) -> bool {
    matches!(c as u32, 0xFE00..=0xFE0F | 0xE0100..=0xE01EF)
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '・' || c == '･'
}

/// Normalizes a kanji (or Latin) name: NFKC, variant selectors dropped, variants folded, spaces
/// removed, Latin letters upper-cased.
pub fn name_kanji(s: &str) -> String {
    s.nfkc()
        .filter(|&c| !is_variation_selector(c) && !is_space(c))
        .map(fold_kanji)
        .flat_map(char::to_uppercase)
        .collect()
}

/// Normalizes a kana name to full-width katakana without spaces; small kana become large and
/// long-vowel marks are kept (they are part of the reading).
pub fn name_kana(s: &str) -> String {
    s.nfkc()
        .filter(|&c| !is_space(c))
        .map(|c| {
            // Hiragana to katakana.
            let c = if ('\u{3041}'..='\u{3096}').contains(&c) {
                char::from_u32(c as u32 + 0x60).unwrap_or(c)
            } else {
                c
            };
            match c {
                'ァ' => 'ア',
                'ィ' => 'イ',
                'ゥ' => 'ウ',
                'ェ' => 'エ',
                'ォ' => 'オ',
                'ッ' => 'ツ',
                'ャ' => 'ヤ',
                'ュ' => 'ユ',
                'ョ' => 'ヨ',
                'ヮ' => 'ワ',
                'ヵ' => 'カ',
                'ヶ' => 'ケ',
                '-' | '‐' | '－' | '—' => 'ー',
                c => c,
            }
        })
        .collect()
}

/// Converts a run of kanji numerals (一..九, 十, 百, 千, 〇) to its value.
fn kanji_number(s: &str) -> Option<u32> {
    let mut total = 0u32;
    let mut current = 0u32;
    let mut any = false;
    for c in s.chars() {
        any = true;
        let d = match c {
            '〇' | '零' => Some(0),
            '一' => Some(1),
            '二' => Some(2),
            '三' => Some(3),
            '四' => Some(4),
            '五' => Some(5),
            '六' => Some(6),
            '七' => Some(7),
            '八' => Some(8),
            '九' => Some(9),
            _ => None,
        };
        if let Some(d) = d {
            current = current * 10 + d;
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        total += if current == 0 { 1 } else { current } * unit;
        current = 0;
    }
    any.then_some(total + current)
}

fn is_kanji_numeral(c: char) -> bool {
    "〇零一二三四五六七八九十百千".contains(c)
}

/// The 47 prefectures, so that an address with or without its prefecture compares equal.
pub const PREFECTURES: &[&str] = &[
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// Normalizes an address: NFKC (full-width digits and letters), kanji numerals before
/// 丁目/番/号 to digits, 「2丁目1番地2号」 and 「2-1-2」 to the same form, spaces removed, the
/// prefecture dropped, variants folded.
pub fn address(s: &str) -> String {
    let s: String = s
        .nfkc()
        .filter(|&c| !is_space(c))
        .map(|c| match c {
            '‐' | '－' | '−' | '—' | '–' | 'ー' | 'ｰ' => '-',
            c => fold_kanji(c),
        })
        .collect();
    let s = PREFECTURES
        .iter()
        .find_map(|p| s.strip_prefix(p))
        .map(str::to_string)
        .unwrap_or(s);

    // Kanji numerals directly followed by 丁目, 番, 番地 or 号 become digits.
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if is_kanji_numeral(chars[i]) {
            let start = i;
            while i < chars.len() && is_kanji_numeral(chars[i]) {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let next = chars.get(i).copied();
            if matches!(next, Some('丁') | Some('番') | Some('号')) {
                if let Some(n) = kanji_number(&run) {
                    out.push_str(&n.to_string());
                    continue;
                }
            }
            out.push_str(&run);
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }

    // Markers become hyphens; a trailing marker is dropped.
    let out = out
        .replace("丁目", "-")
        .replace("番地", "-")
        .replace(['番', '号'], "-")
        .replace("の", "-");
    let mut collapsed = String::with_capacity(out.len());
    for c in out.chars() {
        if c == '-' && collapsed.ends_with('-') {
            continue;
        }
        collapsed.push(c);
    }
    collapsed.trim_end_matches('-').to_string()
}

/// Normalizes a birth date written as `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY年M月D日` or with
/// full-width digits to `YYYY-MM-DD`. Returns the trimmed input when it has another shape.
pub fn date(s: &str) -> String {
    let s: String = s.nfkc().filter(|c| !c.is_whitespace()).collect();
    let parts: Vec<&str> = s
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() == 3 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
        if let (Ok(y), Ok(m), Ok(d)) = (
            parts[0].parse::<u32>(),
            parts[1].parse::<u32>(),
            parts[2].parse::<u32>(),
        ) {
            return format!("{y:04}-{m:02}-{d:02}");
        }
    }
    s
}

/// Normalizes sex to `M`, `F` or empty.
pub fn sex(s: &str) -> String {
    match s.nfkc().collect::<String>().trim() {
        "M" | "m" | "男" | "男性" | "1" => "M".into(),
        "F" | "f" | "女" | "女性" | "2" => "F".into(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kanji_variants_fold_to_common_forms() {
        assert_eq!(name_kanji("髙橋 一郎"), name_kanji("高橋一郎"));
        assert_eq!(name_kanji("山﨑　花子"), name_kanji("山崎花子"));
        assert_eq!(name_kanji("渡邊"), "渡辺");
        assert_eq!(name_kanji("渡邉"), "渡辺");
        assert_eq!(name_kanji("齋藤"), name_kanji("斎藤"));
        assert_eq!(name_kanji("𠮷田"), "吉田");
        assert_eq!(name_kanji("葛\u{E0100}飾"), "葛飾");
        assert_ne!(name_kanji("高橋"), name_kanji("高橋一"));
    }

    #[test]
    fn latin_names_ignore_case_and_spaces() {
        assert_eq!(name_kanji("Taro Yamada"), name_kanji("TARO YAMADA"));
    }

    #[test]
    fn kana_width_script_and_small_kana_are_ignored() {
        assert_eq!(name_kana("ﾀｶﾊｼ ｲﾁﾛｳ"), "タカハシイチロウ");
        assert_eq!(name_kana("たかはし　いちろう"), "タカハシイチロウ");
        assert_eq!(name_kana("キョウコ"), name_kana("キヨウコ"));
        assert_eq!(name_kana("ｻﾄｳ"), name_kana("サトウ"));
        assert_ne!(name_kana("サトウ"), name_kana("サイトウ"));
    }

    #[test]
    fn address_notations_compare_equal() {
        let a = address("東京都千代田区霞が関2丁目1番地2号");
        assert_eq!(a, address("千代田区霞が関2-1-2"));
        assert_eq!(a, address("東京都千代田区霞が関２－１－２"));
        assert_eq!(a, address("東京都 千代田区 霞が関 二丁目一番二号"));
        assert_eq!(a, address("東京都千代田区霞が関2丁目1番2号"));
        assert_ne!(a, address("東京都千代田区霞が関2-1-3"));
    }

    #[test]
    fn kanji_numbers_convert() {
        assert_eq!(kanji_number("十二"), Some(12));
        assert_eq!(kanji_number("二十"), Some(20));
        assert_eq!(kanji_number("百五"), Some(105));
        assert_eq!(kanji_number("三"), Some(3));
    }

    #[test]
    fn dates_and_sex_normalize() {
        assert_eq!(date("1985/4/1"), "1985-04-01");
        assert_eq!(date("１９８５年４月１日"), "1985-04-01");
        assert_eq!(date("1985-04-01"), "1985-04-01");
        assert_eq!(sex("男"), "M");
        assert_eq!(sex("F"), "F");
        assert_eq!(sex(""), "");
    }
}
