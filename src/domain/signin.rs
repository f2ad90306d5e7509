//! Sign-in rules that do not depend on storage: lockout and session lifetime.

use serde::{Deserialize, Serialize};

/// Consecutive wrong passwords that lock an account, as the card's PIN does.
pub const MAX_FAILURES: i64 = 3;
/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_SECS: i64 = 15 * 60;
/// A session ends this long after sign-in, however active.
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
/// The idle timer is written back at most this often, so a session in use costs one `UPDATE` a
/// minute rather than one per request. A session therefore ends between 14 and 15 idle minutes
/// after its last request.
pub const TOUCH_INTERVAL_SECS: i64 = 60;
/// Longest password accepted (argon2 is given nothing longer).
pub const MAX_PASSWORD_LEN: usize = 256;

/// Why a session is no longer valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    Idle,
    Absolute,
}

/// Checks a session's age at `now` (all unix seconds).
pub fn session_state(created_at: i64, last_seen_at: i64, now: i64) -> Result<(), SessionEnd> {
    if now - created_at >= ABSOLUTE_TIMEOUT_SECS {
        Err(SessionEnd::Absolute)
    } else if now - last_seen_at >= IDLE_TIMEOUT_SECS {
        Err(SessionEnd::Idle)
    } else {
        Ok(())
    }
}

/// Whether a request at `now` should write the session's idle timer back.
pub fn needs_touch(last_seen_at: i64, now: i64) -> bool {
    now - last_seen_at >= TOUCH_INTERVAL_SECS
}

/// What a sign-in attempt can fail with. Unknown numbers and wrong passwords are one variant, so
/// that an answer never tells whether a number has an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInError {
    InvalidNumber(super::my_number::MyNumberError),
    PasswordMissing,
    PasswordTooLong,
    BadCredentials,
    Locked,
}

impl SignInError {
    /// A short code safe to put in a URL.
    pub fn code(self) -> &'static str {
        use super::my_number::MyNumberError as E;
        match self {
            SignInError::InvalidNumber(E::Empty) => "number_empty",
            SignInError::InvalidNumber(E::NotDigits) => "number_not_digits",
            SignInError::InvalidNumber(E::WrongLength(_)) => "number_length",
            SignInError::InvalidNumber(E::CheckDigit) => "number_check_digit",
            SignInError::PasswordMissing => "password_missing",
            SignInError::PasswordTooLong => "password_too_long",
            SignInError::BadCredentials => "bad_credentials",
            SignInError::Locked => "locked",
        }
    }

    /// The i18n key of the message for a code from [`SignInError::code`].
    pub fn message_key_for_code(code: &str) -> Option<&'static str> {
        Some(match code {
            "number_empty" => "error.my_number_empty",
            "number_not_digits" => "error.my_number_not_digits",
            "number_length" => "error.my_number_length",
            "number_check_digit" => "error.my_number_check_digit",
            "password_missing" => "error.password_missing",
            "password_too_long" => "error.password_too_long",
            "bad_credentials" => "error.bad_credentials",
            "locked" => "error.locked",
            "session_expired" => "error.session_expired",
            "signed_out" => "info.signed_out",
            "bad_request" => "error.bad_request",
            _ => return None,
        })
    }

    /// Whether the error concerns the number field (for `aria-invalid`).
    pub fn is_number_error(code: &str) -> bool {
        code.starts_with("number_")
    }
}

/// Validates the shape of a sign-in form before any lookup.
pub fn validate_form(
    my_number: &str,
    password: &str,
) -> Result<super::my_number::MyNumber, SignInError> {
    let n = super::my_number::MyNumber::parse(my_number).map_err(SignInError::InvalidNumber)?;
    if password.is_empty() {
        return Err(SignInError::PasswordMissing);
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(SignInError::PasswordTooLong);
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_idle_timer_is_written_back_at_most_once_a_minute() {
        let seen = 1_000_000;
        assert!(!needs_touch(seen, seen));
        assert!(!needs_touch(seen, seen + TOUCH_INTERVAL_SECS - 1));
        assert!(needs_touch(seen, seen + TOUCH_INTERVAL_SECS));
        // A session used every 59 s is touched every other request and never idles out.
        let mut last = seen;
        for k in 1..=30 {
            let now = seen + 59 * k;
            assert_eq!(session_state(seen, last, now), Ok(()));
            if needs_touch(last, now) {
                last = now;
            }
        }
    }

    #[test]
    fn idle_and_absolute_expiry() {
        let t0 = 1_000_000;
        assert_eq!(session_state(t0, t0, t0 + 60), Ok(()));
        assert_eq!(
            session_state(t0, t0, t0 + IDLE_TIMEOUT_SECS),
            Err(SessionEnd::Idle)
        );
        // Active every 10 minutes: still valid after 11 hours, ended at 12.
        assert_eq!(
            session_state(t0, t0 + 11 * 3600, t0 + 11 * 3600 + 600),
            Ok(())
        );
        assert_eq!(
            session_state(t0, t0 + 12 * 3600 - 60, t0 + 12 * 3600),
            Err(SessionEnd::Absolute)
        );
    }

    #[test]
    fn form_validation_names_the_problem() {
        assert_eq!(
            validate_form("123456789017", "x").unwrap_err().code(),
            "number_check_digit"
        );
        assert_eq!(
            validate_form("123456789018", "").unwrap_err(),
            SignInError::PasswordMissing
        );
        assert_eq!(
            validate_form("123456789018", &"a".repeat(10_000)).unwrap_err(),
            SignInError::PasswordTooLong
        );
        assert!(validate_form("１２３４ ５６７８ ９０１８", "pw").is_ok());
        for e in [
            "number_empty",
            "number_check_digit",
            "bad_credentials",
            "locked",
            "session_expired",
        ] {
            assert!(SignInError::message_key_for_code(e).is_some());
        }
        assert_eq!(SignInError::message_key_for_code("<script>"), None);
    }
}
