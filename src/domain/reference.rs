//! Report reference numbers: short enough to read over the phone, not guessable, and with a
//! check character that catches a mistyped or swapped character.
//!
//! Alphabet: 31 symbols, the digits 2–9 and the letters without I, L and O (which read as 1 and
//! 0). Ten random symbols (31^10 ≈ 8×10^14, about 50 bits) and one check symbol: the weighted sum
//! Σ (i+2)·vᵢ over the body, mod 31. With a prime modulus and distinct weights below it, every
//! single substitution and every swap of two neighbours changes the check.

use serde::{Deserialize, Serialize};
use std::fmt;

pub const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const BODY_LEN: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ReferenceError {
    #[error("must be 11 characters, got {0}")]
    WrongLength(usize),
    #[error("contains a character that is not used in reference numbers")]
    BadCharacter,
    #[error("check character does not match")]
    CheckCharacter,
}

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

fn check_of(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .enumerate()
        .map(|(i, &c)| (i as u32 + 2) * value(c).unwrap_or(0))
        .sum();
    ALPHABET[(sum % 31) as usize]
}

/// A valid reference number, stored without separators.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reference(String);

impl Reference {
    /// A new reference from random values (each taken mod 31).
    #[expect(
        clippy::expect_used,
        reason = "the body is built from the ASCII alphabet only"
    )]
    pub fn from_random(random: [u8; BODY_LEN]) -> Self {
        let mut s: Vec<u8> = random
            .iter()
            .map(|r| ALPHABET[(*r as usize) % 31])
            .collect();
        let c = check_of(&s);
        s.push(c);
        Reference(String::from_utf8(s).expect("ASCII alphabet"))
    }

    /// Parses what a caller read out or typed: case, spaces and hyphens do not matter.
    #[expect(
        clippy::expect_used,
        reason = "the body is built from the ASCII alphabet only"
    )]
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let s: Vec<u8> = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}' | '－' | 'ー'))
            // Full-width letters and digits, as a Japanese input method types them.
            .map(|c| match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .map(|c| c.to_ascii_uppercase())
            .map(|c| if c.is_ascii() { c as u8 } else { 0 })
            .collect();
        if s.len() != BODY_LEN + 1 {
            return Err(ReferenceError::WrongLength(s.len()));
        }
        if s.iter().any(|&c| value(c).is_none()) {
            return Err(ReferenceError::BadCharacter);
        }
        if check_of(&s[..BODY_LEN]) != s[BODY_LEN] {
            return Err(ReferenceError::CheckCharacter);
        }
        Ok(Reference(String::from_utf8(s).expect("ASCII alphabet")))
    }

    /// Without separators, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Reference {
    /// Grouped for reading aloud: `K7QF-2MZD-X9P`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", &self.0[..4], &self.0[4..8], &self.0[8..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_its_display_form_in_any_case() {
        let r = Reference::from_random([1, 2, 3, 4, 5, 6, 7, 8, 9, 200]);
        let shown = r.to_string();
        assert_eq!(shown.len(), 13);
        assert_eq!(Reference::parse(&shown).unwrap(), r);
        assert_eq!(Reference::parse(&shown.to_lowercase()).unwrap(), r);
        assert_eq!(Reference::parse(&shown.replace('-', " ")).unwrap(), r);
        let full_width: String = shown
            .chars()
            .map(|c| {
                if c == '-' {
                    'ー'
                } else {
                    char::from_u32(c as u32 + 0xFEE0).unwrap()
                }
            })
            .collect();
        assert_eq!(Reference::parse(&full_width).unwrap(), r);
    }

    #[test]
    fn every_single_substitution_and_neighbour_swap_is_caught() {
        let r = Reference::from_random([0, 30, 7, 12, 19, 3, 3, 25, 11, 4]);
        let s = r.as_str().as_bytes().to_vec();
        for i in 0..s.len() {
            for &c in ALPHABET.iter() {
                if c != s[i] {
                    let mut t = s.clone();
                    t[i] = c;
                    let t = String::from_utf8(t).unwrap();
                    assert_eq!(
                        Reference::parse(&t),
                        Err(ReferenceError::CheckCharacter),
                        "{t}"
                    );
                }
            }
        }
        for i in 0..s.len() - 1 {
            if s[i] != s[i + 1] {
                let mut t = s.clone();
                t.swap(i, i + 1);
                assert!(Reference::parse(&String::from_utf8(t).unwrap()).is_err());
            }
        }
    }

    #[test]
    fn ambiguous_characters_and_wrong_lengths_are_refused() {
        assert_eq!(
            Reference::parse("K7QF-2MZD-X9"),
            Err(ReferenceError::WrongLength(10))
        );
        assert_eq!(
            Reference::parse("I7QF-2MZD-X9P"),
            Err(ReferenceError::BadCharacter)
        );
        assert_eq!(
            Reference::parse("07QF-2MZD-X9P"),
            Err(ReferenceError::BadCharacter)
        );
        assert_eq!(
            Reference::parse("K7QF-2MZD-X9あ"),
            Err(ReferenceError::BadCharacter)
        );
        assert_eq!(Reference::parse(""), Err(ReferenceError::WrongLength(0)));
    }
}
