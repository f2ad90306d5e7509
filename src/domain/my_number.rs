//! The 12-digit My Number (個人番号) and its check digit.
//!
//! Check digit per 総務省令第85号 第5条: for the 11-digit body take the digits from the right,
//! P1..P11, weights Q = 2,3,4,5,6,7,2,3,4,5,6; r = Σ(P×Q) mod 11; check = 0 if r ≤ 1 else 11 − r.
//!
//! [`MyNumber`] cannot hold an invalid number, and its `Debug` and `Display` never print the full
//! number, so it cannot leak into logs by accident. The full digits are only reachable through
//! [`MyNumber::expose`], which callers use for hashing and nothing else.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an input is not a valid My Number. Each variant maps to a user-facing message key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum MyNumberError {
    #[error("empty")]
    Empty,
    #[error("contains characters other than digits")]
    NotDigits,
    #[error("must be 12 digits, got {0}")]
    WrongLength(usize),
    #[error("check digit does not match")]
    CheckDigit,
}

impl MyNumberError {
    /// The i18n key of the message shown to a user.
    pub fn message_key(self) -> &'static str {
        match self {
            MyNumberError::Empty => "error.my_number_empty",
            MyNumberError::NotDigits => "error.my_number_not_digits",
            MyNumberError::WrongLength(_) => "error.my_number_length",
            MyNumberError::CheckDigit => "error.my_number_check_digit",
        }
    }
}

/// Computes the check digit for an 11-digit body (digits 0..=9, most significant first).
pub fn check_digit(body: &[u8; 11]) -> u8 {
    const Q: [u32; 11] = [2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6];
    // P1 is the rightmost digit of the body.
    let sum: u32 = body
        .iter()
        .rev()
        .zip(Q.iter())
        .map(|(&p, &q)| u32::from(p) * q)
        .sum();
    let r = sum % 11;
    if r <= 1 {
        0
    } else {
        (11 - r) as u8
    }
}

/// Normalizes what a person typed: full-width digits become ASCII, and spaces (half- and
/// full-width) and hyphens of any width are removed. Anything else is kept, so that validation
/// can reject it.
pub fn normalize_input(input: &str) -> String {
    input
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            ' ' | '\u{3000}' | '\t' | '-' | '‐' | '‑' | '–' | '—' | '−' | '－' | 'ー' => {
                None
            }
            c => Some(c),
        })
        .collect()
}

/// A valid 12-digit My Number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MyNumber([u8; 12]);

impl MyNumber {
    /// Parses user input: normalizes it, then checks length, digits and the check digit.
    pub fn parse(input: &str) -> Result<Self, MyNumberError> {
        let s = normalize_input(input);
        if s.is_empty() {
            return Err(MyNumberError::Empty);
        }
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(MyNumberError::NotDigits);
        }
        if s.len() != 12 {
            return Err(MyNumberError::WrongLength(s.chars().count()));
        }
        let mut digits = [0u8; 12];
        for (d, b) in digits.iter_mut().zip(s.bytes()) {
            *d = b - b'0';
        }
        let mut body = [0u8; 11];
        body.copy_from_slice(&digits[..11]);
        if check_digit(&body) != digits[11] {
            return Err(MyNumberError::CheckDigit);
        }
        Ok(MyNumber(digits))
    }

    /// Builds a valid number from an 11-digit body by appending its check digit.
    pub fn from_body(body: [u8; 11]) -> Self {
        let mut digits = [0u8; 12];
        digits[..11].copy_from_slice(&body);
        digits[11] = check_digit(&body);
        MyNumber(digits)
    }

    /// Builds the number whose body is `n` (0 ≤ n < 10^11), zero-padded.
    pub fn from_serial(n: u64) -> Self {
        let mut body = [0u8; 11];
        let mut v = n % 100_000_000_000;
        for d in body.iter_mut().rev() {
            *d = (v % 10) as u8;
            v /= 10;
        }
        Self::from_body(body)
    }

    /// The full 12 digits. Use only to hash or to hand to the person it belongs to.
    pub fn expose(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// The last four digits, as insurers print them for members to check.
    pub fn last4(&self) -> String {
        self.0[8..].iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// The masked form shown on pages: `**** **** 1234`.
    pub fn masked(&self) -> String {
        mask_last4(&self.last4())
    }
}

/// Masks a My Number given only its last four digits.
pub fn mask_last4(last4: &str) -> String {
    format!("**** **** {last4}")
}

impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MyNumber({})", self.masked())
    }
}

impl fmt::Display for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(s: &str) -> [u8; 11] {
        let mut b = [0u8; 11];
        for (d, c) in b.iter_mut().zip(s.bytes()) {
            *d = c - b'0';
        }
        b
    }

    #[test]
    fn official_check_digit_vectors() {
        assert_eq!(check_digit(&body("12345678901")), 8);
        assert_eq!(check_digit(&body("00000000000")), 0);
        assert_eq!(check_digit(&body("98765432109")), 3);
        assert_eq!(check_digit(&body("01234567890")), 3);
    }

    #[test]
    fn parses_valid_numbers_and_rejects_wrong_check_digit() {
        assert!(MyNumber::parse("123456789018").is_ok());
        assert_eq!(
            MyNumber::parse("123456789017"),
            Err(MyNumberError::CheckDigit)
        );
        assert!(MyNumber::parse("987654321093").is_ok());
        assert!(MyNumber::parse("012345678903").is_ok());
    }

    #[test]
    fn normalizes_full_width_digits_spaces_and_hyphens() {
        assert_eq!(
            MyNumber::parse("１２３４ ５６７８　９０１８")
                .unwrap()
                .expose(),
            "123456789018"
        );
        assert_eq!(
            MyNumber::parse("1234-5678-9018").unwrap().expose(),
            "123456789018"
        );
        assert_eq!(
            MyNumber::parse("１２３４－５６７８－９０１８")
                .unwrap()
                .expose(),
            "123456789018"
        );
    }

    #[test]
    fn rejects_bad_shapes_with_a_specific_reason() {
        assert_eq!(MyNumber::parse(""), Err(MyNumberError::Empty));
        assert_eq!(MyNumber::parse("  - "), Err(MyNumberError::Empty));
        assert_eq!(MyNumber::parse("12345"), Err(MyNumberError::WrongLength(5)));
        assert_eq!(
            MyNumber::parse("1234567890123"),
            Err(MyNumberError::WrongLength(13))
        );
        assert_eq!(
            MyNumber::parse("12345678901a"),
            Err(MyNumberError::NotDigits)
        );
        let long = "1".repeat(10_000);
        assert_eq!(
            MyNumber::parse(&long),
            Err(MyNumberError::WrongLength(10_000))
        );
    }

    #[test]
    fn debug_and_display_never_show_the_full_number() {
        let n = MyNumber::parse("123456789018").unwrap();
        assert_eq!(format!("{n}"), "**** **** 9018");
        assert!(!format!("{n:?}").contains("12345678"));
        assert_eq!(n.last4(), "9018");
    }

    #[test]
    fn from_serial_always_yields_a_valid_number() {
        for s in [0u64, 1, 42, 99_999_999_999, 12_345_678_901] {
            let n = MyNumber::from_serial(s);
            assert_eq!(MyNumber::parse(&n.expose()).unwrap(), n);
        }
        assert_eq!(
            MyNumber::from_serial(12_345_678_901).expose(),
            "123456789018"
        );
    }
}
