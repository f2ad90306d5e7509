//! The one i18n mechanism: every user-visible string is a key in `locales/ja.json` and
//! `locales/en.json`. Japanese is the default; the choice persists in a `lang` cookie.

use leptos::prelude::{StoredValue, WithValue};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
#[cfg(feature = "ssr")]
use std::collections::HashMap;
#[cfg(feature = "ssr")]
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

pub const LANG_COOKIE: &str = "lang";

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// The language's name in itself, as a language switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ja => "日本語",
            Lang::En => "English",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language chosen in a `Cookie` header, Japanese when none is.
    pub fn from_cookie_header(header: &str) -> Self {
        header
            .split(';')
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == LANG_COOKIE)
            .and_then(|(_, v)| Lang::from_code(v.trim()))
            .unwrap_or_default()
    }
}

/// The locale files of each language, merged: the foundation's strings, the workflow's shared
/// labels, the resident pages, the staff pages, the inspection pages and the integrity engine's
/// explanations (attributes, comparison levels, reason codes, the waterfall). A key must not
/// appear in two files. On the server only: the browser bundle carries no locale files, an
/// island gets the strings it shows as a prop ([`Strings`]).
#[cfg(feature = "ssr")]
const JA_FILES: [&str; 7] = [
    include_str!("../locales/ja.json"),
    include_str!("../locales/ja/workflow.json"),
    include_str!("../locales/ja/resident.json"),
    include_str!("../locales/ja/staff.json"),
    include_str!("../locales/ja/inspection.json"),
    include_str!("../locales/ja/engine.json"),
    include_str!("../locales/ja/passkey.json"),
];
#[cfg(feature = "ssr")]
const EN_FILES: [&str; 7] = [
    include_str!("../locales/en.json"),
    include_str!("../locales/en/workflow.json"),
    include_str!("../locales/en/resident.json"),
    include_str!("../locales/en/staff.json"),
    include_str!("../locales/en/inspection.json"),
    include_str!("../locales/en/engine.json"),
    include_str!("../locales/en/passkey.json"),
];

#[cfg(feature = "ssr")]
#[expect(
    clippy::expect_used,
    reason = "the locale files are compiled in, and a unit test parses every one"
)]
fn merge(files: &[&str]) -> HashMap<String, String> {
    let mut all = HashMap::new();
    for f in files {
        let part: HashMap<String, String> =
            serde_json::from_str(f).expect("locale files are valid JSON objects of strings");
        all.extend(part);
    }
    all
}

#[cfg(feature = "ssr")]
fn table(lang: Lang) -> &'static HashMap<String, String> {
    static JA: OnceLock<HashMap<String, String>> = OnceLock::new();
    static EN: OnceLock<HashMap<String, String>> = OnceLock::new();
    match lang {
        Lang::Ja => JA.get_or_init(|| merge(&JA_FILES)),
        Lang::En => EN.get_or_init(|| merge(&EN_FILES)),
    }
}

/// The strings an island shows, in one language: the entries of the locale table whose keys are
/// given or start with a given prefix (ending in a dot). An island takes them as a prop, which
/// the server writes into the page, so the browser bundle carries no locale files. The island
/// renders from them on the server too, so a key missing here shows on the server's page as well.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strings(BTreeMap<String, String>);

impl Strings {
    /// The strings of `lang` under `keys` (whole keys, or prefixes ending in a dot).
    pub fn of(lang: Lang, keys: &[&str]) -> Self {
        #[cfg(feature = "ssr")]
        {
            let wanted = |k: &str| {
                keys.iter()
                    .any(|w| k == *w || (w.ends_with('.') && k.starts_with(w)))
            };
            Strings(
                table(lang)
                    .iter()
                    .filter(|(k, _)| wanted(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        }
        // Server components, which build an island's props, do not run in the browser.
        #[cfg(not(feature = "ssr"))]
        {
            let _ = (lang, keys);
            Strings::default()
        }
    }
}

/// The translator handed to every component through context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct I18n {
    pub lang: Lang,
    /// Inside an island: its strings, instead of the whole table.
    strings: Option<StoredValue<Strings>>,
}

impl I18n {
    pub fn new(lang: Lang) -> Self {
        I18n {
            lang,
            strings: None,
        }
    }

    /// The translator of an island, reading only the island's strings (in a reactive owner).
    pub fn with_strings(lang: Lang, strings: Strings) -> Self {
        I18n {
            lang,
            strings: Some(StoredValue::new(strings)),
        }
    }

    /// The string for `key`; the key itself when missing (a test keeps that from happening).
    pub fn t(&self, key: &str) -> String {
        let found = match self.strings {
            Some(s) => s.try_with_value(|s| s.0.get(key).cloned()).flatten(),
            None => Self::from_table(self.lang, key),
        };
        found.unwrap_or_else(|| key.to_string())
    }

    #[cfg(feature = "ssr")]
    fn from_table(lang: Lang, key: &str) -> Option<String> {
        table(lang).get(key).cloned()
    }

    /// The browser has only islands, and each brings its strings.
    #[cfg(not(feature = "ssr"))]
    fn from_table(_: Lang, _: &str) -> Option<String> {
        None
    }

    /// Of a name kept in both languages (an institution's), the one in this language.
    pub fn pick(&self, ja: &str, en: &str) -> String {
        match self.lang {
            Lang::Ja => ja.to_string(),
            Lang::En => en.to_string(),
        }
    }

    /// The string for `key` with `{name}` placeholders filled in.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key);
        for (k, v) in args {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }

    /// A date from unix seconds, written the way the language writes dates (JST).
    pub fn date(&self, unix: i64) -> String {
        let (y, m, d) = civil_from_unix(unix + 9 * 3600);
        match self.lang {
            Lang::Ja => format!("{y}年{m}月{d}日"),
            Lang::En => format!("{y}-{m:02}-{d:02}"),
        }
    }

    /// A date and time (hours and minutes, JST).
    pub fn datetime(&self, unix: i64) -> String {
        let secs = (unix + 9 * 3600).rem_euclid(86_400);
        format!(
            "{} {:02}:{:02}",
            self.date(unix),
            secs / 3600,
            secs % 3600 / 60
        )
    }

    /// A count with thousands separators.
    pub fn number(&self, n: i64) -> String {
        let sign = if n < 0 { "-" } else { "" };
        format!("{sign}{}", grouped(n.unsigned_abs()))
    }

    /// An amount in yen with thousands separators.
    pub fn yen(&self, amount: i64) -> String {
        let out = grouped(amount.unsigned_abs());
        let sign = if amount < 0 { "-" } else { "" };
        match self.lang {
            Lang::Ja => format!("{sign}{out}円"),
            Lang::En => format!("¥{sign}{out}"),
        }
    }
}

/// Digits with a comma every three.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Days since the epoch to a civil date (Howard Hinnant's algorithm).
fn civil_from_unix(unix: i64) -> (i64, u32, u32) {
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_languages_have_the_same_keys() {
        let ja: BTreeSet<_> = table(Lang::Ja).keys().collect();
        let en: BTreeSet<_> = table(Lang::En).keys().collect();
        let only_ja: Vec<_> = ja.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&ja).collect();
        assert!(
            only_ja.is_empty() && only_en.is_empty(),
            "only ja: {only_ja:?}; only en: {only_en:?}"
        );
        assert!(table(Lang::En).values().all(|v| !v.trim().is_empty()));
        assert!(table(Lang::Ja).values().all(|v| !v.trim().is_empty()));
    }

    /// Every key the code names in a string literal that looks like a key exists in the tables.
    #[test]
    fn every_key_used_in_the_code_exists() {
        let known = table(Lang::Ja);
        let prefixes = [
            "nav.",
            "page.",
            "signin.",
            "error.",
            "info.",
            "mydata.",
            "category.",
            "method.",
            "attr.",
            "match.",
            "field.",
            "relationship.",
            "insured_kind.",
            "value.",
            "scheme.",
            "benefit_status.",
            "certificate_type.",
            "account_type.",
            "home.",
            "common.",
            "footer.",
            "lang.",
            "report.",
            "reports.",
            "status.",
            "kind.",
            "verdict.",
            "reason.",
            "event.",
            "notice.",
            "inbox.",
            "access.",
            "staff.",
            "queue.",
            "case.",
            "helpdesk.",
            "outcome.",
            "role.",
            "help.",
            "deadline.",
            "purpose.",
            "action.",
            "engine.",
            "scan_reason.",
        ];
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if p.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for lit in text.split('"').skip(1).step_by(2) {
                let looks_like_key = prefixes.iter().any(|pre| lit.starts_with(pre))
                    && lit.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                    })
                    && !lit.ends_with('.');
                if looks_like_key && !known.contains_key(lit) {
                    missing.push(format!("{}: {lit}", p.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from locales: {missing:#?}"
        );
    }

    #[test]
    fn no_key_is_defined_in_two_files() {
        for files in [&JA_FILES[..], &EN_FILES[..]] {
            let mut seen = BTreeSet::new();
            for f in files {
                let part: HashMap<String, String> = serde_json::from_str(f).unwrap();
                for k in part.into_keys() {
                    assert!(seen.insert(k.clone()), "{k} is defined twice");
                }
            }
        }
    }

    /// The engine's reason codes, attributes and comparison levels all read in both languages.
    #[test]
    fn every_engine_code_has_words() {
        use crate::domain::linkage::compare::COMPARISONS;
        use crate::domain::linkage::reason;
        let mut keys: Vec<String> = reason::ALL
            .iter()
            .map(|r| format!("scan_reason.{r}"))
            .collect();
        for c in &COMPARISONS {
            keys.push(format!("engine.attr.{}", c.code));
            keys.extend(c.levels.iter().map(|l| format!("engine.level.{l}")));
        }
        for lang in [Lang::Ja, Lang::En] {
            let missing: Vec<_> = keys
                .iter()
                .filter(|k| !table(lang).contains_key(k.as_str()))
                .collect();
            assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
        }
    }

    #[test]
    fn dates_and_amounts() {
        let ja = I18n::new(Lang::Ja);
        let en = I18n::new(Lang::En);
        // 2024-03-31T15:00:00Z is 2024-04-01 in Japan.
        assert_eq!(ja.date(1_711_897_200), "2024年4月1日");
        assert_eq!(en.date(1_711_897_200), "2024-04-01");
        assert_eq!(ja.yen(1_234_567), "1,234,567円");
        assert_eq!(en.yen(500), "¥500");
        assert_eq!(Lang::from_cookie_header("a=b; lang=en"), Lang::En);
        assert_eq!(Lang::from_cookie_header("lang=xx"), Lang::Ja);
    }
}
