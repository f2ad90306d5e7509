//! The one path every password check takes, for residents and staff alike: the back-off of the
//! key tried (`domain::signin`), the bounded argon2 queue, the failure metrics and the rate-limited
//! audit summary. Everything here depends on the key only, never on whether an account exists,
//! so a stranger gets the same answers for a known and an unknown number.

use super::crypto::PasswordGate;
use crate::domain::signin::{self, Backoff};
use crate::store::Db;
use tokio::sync::OwnedSemaphorePermit;

/// Failed or refused sign-in attempts, by who was tried (`resident`, `staff`) and outcome
/// (`wrong`: a password was checked and failed; `wait`: refused during a back-off; `busy`: the
/// argon2 queue was full).
pub const FAILURES_METRIC: &str = "portal_signin_failures_total";

/// What may happen to an attempt before its password is checked.
pub enum Admission {
    /// Check the password, holding this place in the argon2 queue. `after` is the key's state
    /// with this attempt counted.
    Check {
        permit: OwnedSemaphorePermit,
        after: Backoff,
    },
    /// The key must wait this many minutes; no password was checked.
    Wait(u32),
    /// The argon2 queue is full: try again in a moment.
    Busy,
}

/// Asks to check a password for `key` at `now`.
pub async fn admit(
    db: &Db,
    gate: &PasswordGate,
    key: &[u8],
    now: i64,
    who: &'static str,
) -> Result<Admission, sqlx::Error> {
    let mut row = db.backoff(key).await?;
    if let Some(until) = row.as_ref().and_then(|r| r.state().blocked_until(now)) {
        return refuse(db, key, until, now, who).await;
    }
    let Some(permit) = gate.enter().await else {
        metrics::counter!(FAILURES_METRIC, "who" => who, "outcome" => "busy").increment(1);
        return Ok(Admission::Busy);
    };
    // Of concurrent attempts, each admission is a compare-and-set on the row's version, so no
    // more are admitted than the rules allow.
    for _ in 0..32 {
        let state = row.as_ref().map(|r| r.state()).unwrap_or_default();
        match state.admit(now) {
            Err(until) => return refuse(db, key, until, now, who).await,
            Ok(after) => {
                if db
                    .admit_attempt(key, row.as_ref().map(|r| r.version), after)
                    .await?
                {
                    if after.blocked_until(now).is_some() {
                        tracing::warn!("sign-in attempts on one key are now slowed down");
                    }
                    return Ok(Admission::Check { permit, after });
                }
            }
        }
        row = db.backoff(key).await?;
    }
    metrics::counter!(FAILURES_METRIC, "who" => who, "outcome" => "busy").increment(1);
    Ok(Admission::Busy)
}

async fn refuse(
    db: &Db,
    key: &[u8],
    until: i64,
    now: i64,
    who: &'static str,
) -> Result<Admission, sqlx::Error> {
    db.count_refused_attempt(key).await?;
    metrics::counter!(FAILURES_METRIC, "who" => who, "outcome" => "wait").increment(1);
    Ok(Admission::Wait(signin::wait_minutes(until, now)))
}

/// After a checked password failed: the answer to give (wait or plain refusal), counted.
pub fn answer_after_failure(after: Backoff, now: i64, who: &'static str) -> Option<u32> {
    metrics::counter!(FAILURES_METRIC, "who" => who, "outcome" => "wrong").increment(1);
    after
        .blocked_until(now)
        .map(|until| signin::wait_minutes(until, now))
}

/// The audit detail summarising a key's failures, when its audit window is open (at most one
/// entry per key per [`signin::AUDIT_WINDOW_SECS`], so a flood of attempts cannot queue audit
/// writes, which share one lock with every workflow step).
pub async fn audit_summary(db: &Db, key: &[u8], now: i64) -> Result<Option<String>, sqlx::Error> {
    Ok(db
        .take_audit_summary(key, now, signin::AUDIT_WINDOW_SECS)
        .await?
        .map(|(n, since)| {
            format!(
                "{n} failed or refused attempt(s) since {since} (at most one entry per 15 minutes)"
            )
        }))
}

/// Tells a resident, in their inbox, of the failed or refused sign-in attempts on their number
/// since `since` (after they signed in, with a password or a passkey).
pub async fn tell_owner(
    db: &Db,
    resident_id: i64,
    now: i64,
    failed: i64,
    since: i64,
) -> Result<(), sqlx::Error> {
    db.insert_notice(
        resident_id,
        now,
        "signin_failures",
        &format!("n={failed}\nsince=date:{since}"),
    )
    .await
}
