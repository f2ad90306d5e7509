//! Sign-in rules that do not depend on storage: the back-off after failed attempts and session
//! lifetime.
//!
//! There is no permanent lock: a My Number is not a secret, so a lock anyone who knows a number
//! can set is a denial of service. Instead each key tried (a number, known or not, or a staff
//! username) gets [`FREE_ATTEMPTS`] password checks, then waits that grow from one minute to two
//! hours ([`BACKOFF_SECS`]). The rule is the same for every key, so no answer tells whether an
//! account exists.

use serde::{Deserialize, Serialize};

/// Password checks a key gets before the first wait.
pub const FREE_ATTEMPTS: i64 = 3;
/// The waits after the free attempts, in seconds: 1 min, 5 min, 30 min, then 2 h for good.
pub const BACKOFF_SECS: [i64; 4] = [60, 5 * 60, 30 * 60, 2 * 60 * 60];
/// A key with no attempt for this long starts again with free attempts.
pub const BACKOFF_FORGET_SECS: i64 = 24 * 60 * 60;

/// How long a key's row is kept after its last attempt: long enough for the owner to sign in and
/// be told of the failures, not forever (a stranger trying a million numbers leaves a million rows).
pub const BACKOFF_KEEP_SECS: i64 = 90 * 24 * 60 * 60;
/// Failed attempts on one key are summarised in the audit log at most once per this window.
pub const AUDIT_WINDOW_SECS: i64 = 15 * 60;
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

/// The back-off state of one key: password checks admitted since its last success, and when the
/// last one was admitted (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Backoff {
    pub attempts: i64,
    pub last_at: i64,
}

/// The wait that follows the `attempts`-th admitted attempt.
pub fn wait_after(attempts: i64) -> i64 {
    if attempts < FREE_ATTEMPTS {
        0
    } else {
        let step = (attempts - FREE_ATTEMPTS).min(BACKOFF_SECS.len() as i64 - 1);
        BACKOFF_SECS[step as usize]
    }
}

impl Backoff {
    /// Whether the state has been forgotten at `now` (a day without attempts).
    fn forgotten(&self, now: i64) -> bool {
        self.attempts == 0 || now - self.last_at >= BACKOFF_FORGET_SECS
    }

    /// When the next attempt may be made, if not at `now`.
    pub fn blocked_until(&self, now: i64) -> Option<i64> {
        if self.forgotten(now) {
            return None;
        }
        let until = self.last_at + wait_after(self.attempts);
        (until > now).then_some(until)
    }

    /// Admits an attempt at `now`: the state with it counted (it counts until it proves right),
    /// or, when the key must wait, the time it may try again.
    pub fn admit(self, now: i64) -> Result<Backoff, i64> {
        if let Some(until) = self.blocked_until(now) {
            return Err(until);
        }
        let attempts = if self.forgotten(now) {
            1
        } else {
            self.attempts + 1
        };
        Ok(Backoff {
            attempts,
            last_at: now,
        })
    }
}

/// Whole minutes to show for a wait until `until` (at least one).
pub fn wait_minutes(until: i64, now: i64) -> u32 {
    let secs = (until - now).max(1);
    ((secs + 59) / 60).min(u32::MAX as i64) as u32
}

/// What a sign-in attempt can fail with. Unknown numbers and wrong passwords are one variant, so
/// that an answer never tells whether a number has an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInError {
    InvalidNumber(super::my_number::MyNumberError),
    PasswordMissing,
    PasswordTooLong,
    BadCredentials,
    /// Too many attempts on this number: try again after this many minutes.
    TryLater(u32),
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
            SignInError::TryLater(_) => "try_later",
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
            "try_later" => "error.try_later",
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
    fn three_free_attempts_then_waits_that_grow_to_two_hours() {
        let t0 = 1_800_000_000;
        let mut s = Backoff::default();
        let mut now = t0;
        // Three attempts at once are admitted; the fourth waits one minute.
        for n in 1..=3 {
            s = s.admit(now).unwrap();
            assert_eq!(s.attempts, n);
        }
        assert_eq!(s.admit(now), Err(t0 + 60));
        assert_eq!(s.admit(now + 59), Err(t0 + 60));
        assert_eq!(wait_minutes(t0 + 60, now), 1);
        // Someone who tries again the moment each wait ends: 1 min, 5 min, 30 min, then 2 h.
        now += 60;
        let mut waits = Vec::new();
        for _ in 0..6 {
            assert!(s.admit(now - 1).is_err(), "not a second early");
            s = s.admit(now).unwrap();
            waits.push(wait_after(s.attempts));
            assert_eq!(s.blocked_until(now), Some(now + wait_after(s.attempts)));
            now += wait_after(s.attempts);
        }
        assert_eq!(waits, [300, 1800, 7200, 7200, 7200, 7200]);
        assert_eq!(wait_minutes(s.last_at + 7200, s.last_at), 120);
    }

    #[test]
    fn a_quiet_day_forgets_the_attempts() {
        let t0 = 1_800_000_000;
        let s = Backoff {
            attempts: 9,
            last_at: t0,
        };
        assert_eq!(s.blocked_until(t0 + 3600), Some(t0 + 7200));
        assert_eq!(s.blocked_until(t0 + BACKOFF_FORGET_SECS), None);
        assert_eq!(
            s.admit(t0 + BACKOFF_FORGET_SECS),
            Ok(Backoff {
                attempts: 1,
                last_at: t0 + BACKOFF_FORGET_SECS
            })
        );
        // A clock that went back never opens the door early.
        assert!(s.admit(t0 - 10).is_err());
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
            "try_later",
            "session_expired",
        ] {
            assert!(SignInError::message_key_for_code(e).is_some());
        }
        assert_eq!(SignInError::message_key_for_code("<script>"), None);
    }
}
