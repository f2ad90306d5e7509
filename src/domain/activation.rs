//! Activation codes and passkey labels: what the municipality hands a resident so they can
//! register their first passkey, and the names residents give their passkeys. Pure: the random
//! bytes and the clock come from outside.

use serde::{Deserialize, Serialize};

/// How long a code may be used after it is issued: 72 hours.
pub const VALID_SECS: i64 = 72 * 3600;

/// The alphabet of codes: no 0/O, 1/I/L or U, so a code read aloud or copied from paper is not
/// mistyped (Crockford's base 32 without its check symbols).
const ALPHABET: &[u8; 32] = b"ABCDEFGHJKMNPQRSTVWXYZ0123456789";

/// Characters in a code: 16, that is 80 random bits.
pub const LEN: usize = 16;

/// A well-formed activation code: 16 characters of [`ALPHABET`], shown in groups of four.
#[derive(Clone, PartialEq, Eq)]
pub struct ActivationCode(String);

/// Why a typed code is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("empty")]
    Empty,
    #[error("malformed")]
    Malformed,
}

impl CodeError {
    pub fn message_key(self) -> &'static str {
        match self {
            CodeError::Empty => "activate.error.code_empty",
            CodeError::Malformed => "activate.error.code_malformed",
        }
    }
}

impl ActivationCode {
    /// A code from 10 random bytes (80 bits).
    pub fn from_random(bytes: [u8; 10]) -> Self {
        let mut bits: u128 = 0;
        for b in bytes {
            bits = (bits << 8) | u128::from(b);
        }
        let code = (0..LEN)
            .map(|i| ALPHABET[((bits >> (5 * (LEN - 1 - i))) & 31) as usize] as char)
            .collect();
        ActivationCode(code)
    }

    /// Reads a code as people type it: any case, with or without hyphens or spaces, full-width
    /// characters, and the look-alikes O→0, I/L→1 folded (1 is not in the alphabet, so a code with
    /// it is malformed rather than another code).
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        let mut out = String::with_capacity(LEN);
        for c in raw.chars() {
            let c = match c {
                // Full-width ASCII to ASCII.
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            };
            if c.is_whitespace() || c == '-' || c == '‐' || c == 'ー' || c == '−' {
                continue;
            }
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                other => other,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) || out.len() >= LEN {
                return Err(CodeError::Malformed);
            }
            out.push(c);
        }
        match out.len() {
            0 => Err(CodeError::Empty),
            LEN => Ok(ActivationCode(out)),
            _ => Err(CodeError::Malformed),
        }
    }

    /// The canonical form (16 characters, no hyphens): what is hashed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As printed on the letter: four groups of four.
    pub fn display(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("-")
    }
}

impl std::fmt::Debug for ActivationCode {
    // A code is a secret until used: never in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActivationCode(****)")
    }
}

/// Whether a code issued at `created_at` may still be used at `now` (and was not used).
pub fn usable(created_at: i64, used_at: Option<i64>, now: i64) -> bool {
    used_at.is_none() && now >= created_at && now < created_at + VALID_SECS
}

/// The longest passkey label, in characters.
pub const LABEL_MAX: usize = 40;

/// A passkey's label as the resident typed it: trimmed, control characters dropped, at most
/// [`LABEL_MAX`] characters; `fallback` when nothing is left.
pub fn passkey_label(raw: &str, fallback: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let label: String = mask_long_numbers(&cleaned)
        .chars()
        .take(LABEL_MAX)
        .collect();
    if label.is_empty() {
        fallback.to_string()
    } else {
        label
    }
}

/// Digits in a run of 8 or more (spaces and hyphens between them included, full-width too)
/// become `*`: a label is no place for a My Number, a phone or an account number, and it is
/// stored and shown as typed.
fn mask_long_numbers(s: &str) -> String {
    let is_digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let is_sep = |c: char| matches!(c, ' ' | '-' | '‐' | '－' | '　');
    let chars: Vec<char> = s.chars().collect();
    let mut out = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            i += 1;
            continue;
        }
        // The run: digits, with single separators between them.
        let (start, mut end, mut digits) = (i, i, 0);
        let mut j = i;
        while j < chars.len() {
            if is_digit(chars[j]) {
                digits += 1;
                end = j + 1;
                j += 1;
            } else if is_sep(chars[j]) && j + 1 < chars.len() && is_digit(chars[j + 1]) {
                j += 1;
            } else {
                break;
            }
        }
        if digits >= 8 {
            for c in &mut out[start..end] {
                if is_digit(*c) {
                    *c = '*';
                }
            }
        }
        i = end.max(i + 1);
    }
    out.into_iter().collect()
}

/// One of the viewer's passkeys, as the "sign-in and security" page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: i64,
    pub label: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The "sign-in and security" page's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityView {
    pub passkeys: Vec<PasskeyView>,
    /// Whether a password is set (the fallback for browsers without passkeys).
    pub has_password: bool,
}

impl SecurityView {
    /// Whether removing one passkey would leave no way to sign in.
    pub fn last_way_in(&self) -> bool {
        !self.has_password && self.passkeys.len() <= 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sixteen_characters_of_the_alphabet_shown_in_groups() {
        let c = ActivationCode::from_random([0xff; 10]);
        assert_eq!(c.as_str(), "9999999999999999");
        let c = ActivationCode::from_random([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(c.as_str().len(), LEN);
        assert_eq!(c.display().len(), LEN + 3);
        assert!(c.as_str().bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(ActivationCode::parse(&c.display()), Ok(c));
    }

    #[test]
    fn codes_are_read_as_people_type_them() {
        let c = ActivationCode::parse("ABCD-EFGH-JKMN-PQRS").unwrap();
        assert_eq!(ActivationCode::parse("abcd efgh jkmn pqrs"), Ok(c.clone()));
        assert_eq!(
            ActivationCode::parse("ＡＢＣＤ－ＥＦＧＨ－ＪＫＭＮ－ＰＱＲＳ"),
            Ok(c.clone())
        );
        assert_eq!(ActivationCode::parse(" ABCDEFGHJKMNPQRS\n"), Ok(c));
        // O is read as zero; I, L, U and 1 are not in the alphabet.
        assert_eq!(
            ActivationCode::parse("OOOO-0000-0000-0000")
                .unwrap()
                .as_str(),
            "0000000000000000"
        );
        for bad in [
            "IIII-0000-0000-0000",
            "ABCD-EFGH-JKMN-PQR",
            "ABCD-EFGH-JKMN-PQRST",
            "ABCD-EFGH-JKMN-PQR!",
        ] {
            assert_eq!(
                ActivationCode::parse(bad),
                Err(CodeError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(ActivationCode::parse(""), Err(CodeError::Empty));
        assert_eq!(ActivationCode::parse(" - "), Err(CodeError::Empty));
    }

    #[test]
    fn a_code_is_never_printed_by_debug() {
        let c = ActivationCode::parse("ABCD-EFGH-JKMN-PQRS").unwrap();
        assert!(!format!("{c:?}").contains("ABCD"));
    }

    #[test]
    fn a_code_is_usable_for_72_hours_once() {
        let t = 1_000_000;
        assert!(usable(t, None, t));
        assert!(usable(t, None, t + VALID_SECS - 1));
        assert!(!usable(t, None, t + VALID_SECS));
        assert!(!usable(t, Some(t + 5), t + 10));
        assert!(!usable(t, None, t - 1));
    }

    #[test]
    fn numbers_in_labels_are_masked() {
        assert_eq!(
            passkey_label("スマホ 1234 5678 9018", "x"),
            "スマホ **** **** ****"
        );
        assert_eq!(passkey_label("番号123456789018", "x"), "番号************");
        assert_eq!(
            passkey_label("１２３４－５６７８－９０１８", "x"),
            "****－****－****"
        );
        assert_eq!(
            passkey_label("090-1234-5678 の端末", "x"),
            "***-****-**** の端末"
        );
        // Short numbers are a device's name, not an identifier.
        assert_eq!(
            passkey_label("iPhone 15 Pro 2024", "x"),
            "iPhone 15 Pro 2024"
        );
        assert_eq!(passkey_label("Pixel 8", "x"), "Pixel 8");
    }

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(passkey_label("  my\tphone \u{7}", "x"), "my phone");
        assert_eq!(passkey_label("", "パスキー 1"), "パスキー 1");
        assert_eq!(
            passkey_label(&"あ".repeat(100), "x").chars().count(),
            LABEL_MAX
        );
    }

    #[test]
    fn the_last_way_in_is_the_only_passkey_of_an_account_without_password() {
        let pk = PasskeyView {
            id: 1,
            label: "a".into(),
            created_at: 0,
            last_used_at: None,
        };
        let mut v = SecurityView {
            passkeys: vec![pk.clone()],
            has_password: false,
        };
        assert!(v.last_way_in());
        v.has_password = true;
        assert!(!v.last_way_in());
        v.has_password = false;
        v.passkeys.push(PasskeyView { id: 2, ..pk });
        assert!(!v.last_way_in());
    }
}
