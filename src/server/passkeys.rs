//! The passkey endpoints: JSON in and out, called by `public/passkey.js` around the browser's
//! `navigator.credentials` (a ceremony needs JavaScript; the number and password stay as the
//! fallback without it). Removing a passkey is a plain form, so it works without JavaScript.
//!
//! A refusal answers 4xx with `{"error": code, "message": text}` in the request's language.

use super::errors::{busy_page, plain_error, request_lang};
use super::session;
use super::state::AppState;
use crate::i18n::I18n;
use crate::service::passkeys::{Challenge, PasskeyError, SignedIn};
use crate::store::passkeys::Owner;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

/// A refusal as JSON: its status, code and message.
fn refusal(headers: &HeaderMap, e: &PasskeyError) -> Response {
    let status = match e {
        PasskeyError::Malformed(_) | PasskeyError::NotVerified(_) => StatusCode::BAD_REQUEST,
        PasskeyError::ActivationRefused | PasskeyError::UnknownPasskey => StatusCode::FORBIDDEN,
        PasskeyError::TryLater(_) => StatusCode::TOO_MANY_REQUESTS,
        PasskeyError::Busy | PasskeyError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        PasskeyError::Expired => StatusCode::GONE,
        PasskeyError::AlreadyRegistered | PasskeyError::LastWayIn => StatusCode::CONFLICT,
        PasskeyError::NotFound => StatusCode::NOT_FOUND,
    };
    match e {
        PasskeyError::Store(err) => tracing::error!(error = %err, "passkey step failed on storage"),
        PasskeyError::NotVerified(why) => tracing::info!(why = %why, "passkey not verified"),
        _ => {}
    }
    let i18n = I18n::new(request_lang(headers));
    let message = match e {
        PasskeyError::TryLater(m) => {
            i18n.tf("passkey.error.try_later", &[("minutes", &m.to_string())])
        }
        PasskeyError::Malformed(code) if code.starts_with("number_") => {
            crate::domain::signin::SignInError::message_key_for_code(code)
                .map(|k| i18n.t(k))
                .unwrap_or_default()
        }
        other => i18n.t(&format!("passkey.error.{}", other.code())),
    };
    let mut res = (
        status,
        Json(json!({ "error": e.code(), "message": message })),
    )
        .into_response();
    if let PasskeyError::TryLater(m) = e {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(u64::from(*m) * 60));
    }
    res
}

fn challenge(r: Result<Challenge, PasskeyError>, headers: &HeaderMap) -> Response {
    match r {
        Ok(c) => Json(c).into_response(),
        Err(e) => refusal(headers, &e),
    }
}

/// The JSON body, or a 4xx: 415 for another content type, 400 for JSON that does not fit.
#[expect(
    clippy::result_large_err,
    reason = "the error is the HTTP answer itself, returned at once"
)]
fn body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, bytes: &Bytes) -> Result<T, Response> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Err(plain_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            headers,
            "error.content_type",
        ));
    }
    serde_json::from_slice(bytes)
        .map_err(|_| refusal(headers, &PasskeyError::Malformed("bad_request")))
}

/// A signed-in answer: where to go next, and the session cookie.
fn signed_in(st: &AppState, s: SignedIn) -> Response {
    let (to, cookie) = match s {
        SignedIn::Resident { token, .. } => {
            ("/me", session::set_cookie(&token, st.config.secure_cookies))
        }
        SignedIn::Staff { token, role, .. } => (
            if role == crate::domain::reports::StaffRole::Helpdesk {
                "/staff/helpdesk"
            } else {
                "/staff"
            },
            session::set_staff_cookie(&token, st.config.secure_cookies),
        ),
    };
    let mut res = Json(json!({ "redirect": to })).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
pub struct ActivateStart {
    #[serde(default)]
    my_number: String,
    #[serde(default)]
    code: String,
}

/// Step 1 of activation. A form posted without JavaScript lands here too: it is sent back to the
/// page, which says a passkey needs JavaScript and how to sign in without it.
pub async fn activate_start(
    State(st): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        return Redirect::to("/activate?error=needs_js").into_response();
    }
    let b: ActivateStart = try_or_answer!(body(&headers, &bytes));
    let r = st.passkeys.start_activation(&b.my_number, &b.code).await;
    if matches!(r, Err(PasskeyError::Busy)) {
        return busy_page(StatusCode::SERVICE_UNAVAILABLE, 1);
    }
    challenge(r, &headers)
}

#[derive(Deserialize)]
pub struct RegisterFinish {
    ceremony: String,
    credential: RegisterPublicKeyCredential,
    #[serde(default)]
    label: String,
}

pub async fn activate_finish(
    State(st): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let b: RegisterFinish = try_or_answer!(body(&headers, &bytes));
    match st
        .passkeys
        .finish_activation(&b.ceremony, &b.credential, &b.label)
        .await
    {
        Ok(s) => signed_in(&st, s),
        Err(e) => refusal(&headers, &e),
    }
}

pub async fn signin_start(State(st): State<AppState>, headers: HeaderMap) -> Response {
    challenge(st.passkeys.start_signin(false).await, &headers)
}

pub async fn staff_signin_start(State(st): State<AppState>, headers: HeaderMap) -> Response {
    challenge(st.passkeys.start_signin(true).await, &headers)
}

#[derive(Deserialize)]
pub struct SignInFinish {
    ceremony: String,
    credential: PublicKeyCredential,
}

async fn finish_signin(st: &AppState, headers: &HeaderMap, bytes: &Bytes, staff: bool) -> Response {
    let b: SignInFinish = try_or_answer!(body(headers, bytes));
    match st
        .passkeys
        .finish_signin(staff, &b.ceremony, &b.credential)
        .await
    {
        Ok(s) => signed_in(st, s),
        Err(e) => refusal(headers, &e),
    }
}

pub async fn signin_finish(
    State(st): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    finish_signin(&st, &headers, &bytes, false).await
}

pub async fn staff_signin_finish(
    State(st): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    finish_signin(&st, &headers, &bytes, true).await
}

/// The signed-in owner (resident account or staff member) and the name their passkeys carry,
/// or a 401.
async fn owner(
    st: &AppState,
    headers: &HeaderMap,
    staff: bool,
) -> Result<(Owner, String), Response> {
    let secure = st.config.secure_cookies;
    let unauthorized = || {
        plain_error(
            StatusCode::UNAUTHORIZED,
            headers,
            "passkey.error.unauthorized",
        )
    };
    if staff {
        let token = session::staff_token(headers, secure).ok_or_else(unauthorized)?;
        let s = st
            .staff_auth
            .session(&token)
            .await
            .map_err(|e| refusal(headers, &PasskeyError::Store(e)))?
            .ok_or_else(unauthorized)?;
        Ok((Owner::Staff(s.staff_id), s.display_name))
    } else {
        let token = session::session_token(headers, secure).ok_or_else(unauthorized)?;
        let s = st
            .auth
            .session(&token)
            .await
            .map_err(|e| refusal(headers, &PasskeyError::Store(e)))?
            .ok_or_else(unauthorized)?;
        let name = st
            .db
            .resident(s.resident_id)
            .await
            .map_err(|e| refusal(headers, &PasskeyError::Store(e)))?
            .map(|r| r.name_kanji)
            .unwrap_or_default();
        Ok((Owner::Account(s.account_id), name))
    }
}

async fn add_start(st: &AppState, headers: &HeaderMap, staff: bool) -> Response {
    let (owner, name) = try_or_answer!(owner(st, headers, staff).await);
    challenge(st.passkeys.start_add(owner, &name).await, headers)
}

async fn add_finish(st: &AppState, headers: &HeaderMap, bytes: &Bytes, staff: bool) -> Response {
    let (owner, _) = try_or_answer!(owner(st, headers, staff).await);
    let b: RegisterFinish = try_or_answer!(body(headers, bytes));
    match st
        .passkeys
        .finish_add(owner, &b.ceremony, &b.credential, &b.label)
        .await
    {
        Ok(_) => {
            let to = if staff {
                "/staff/security"
            } else {
                "/me/security"
            };
            Json(json!({ "redirect": format!("{to}?done=added") })).into_response()
        }
        Err(e) => refusal(headers, &e),
    }
}

pub async fn resident_add_start(State(st): State<AppState>, headers: HeaderMap) -> Response {
    add_start(&st, &headers, false).await
}

pub async fn resident_add_finish(
    State(st): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    add_finish(&st, &headers, &bytes, false).await
}

pub async fn staff_add_start(State(st): State<AppState>, headers: HeaderMap) -> Response {
    add_start(&st, &headers, true).await
}

pub async fn staff_add_finish(
    State(st): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    add_finish(&st, &headers, &bytes, true).await
}

/// Removing a passkey: a plain form (POST → 303 → the security page).
async fn remove(st: &AppState, headers: &HeaderMap, raw_id: &str, staff: bool) -> Response {
    let (page, login) = if staff {
        ("/staff/security", "/staff/login")
    } else {
        ("/me/security", "/login")
    };
    let Ok((owner, _)) = owner(st, headers, staff).await else {
        return Redirect::to(login).into_response();
    };
    let Ok(id) = raw_id.parse::<i64>() else {
        return plain_error(StatusCode::NOT_FOUND, headers, "error.not_found");
    };
    match st.passkeys.remove(owner, id).await {
        Ok(()) => Redirect::to(&format!("{page}?done=removed")).into_response(),
        Err(PasskeyError::NotFound) => {
            plain_error(StatusCode::NOT_FOUND, headers, "error.not_found")
        }
        Err(PasskeyError::Store(e)) => refusal(headers, &PasskeyError::Store(e)),
        Err(e) => Redirect::to(&format!("{page}?error={}", e.code())).into_response(),
    }
}

pub async fn resident_remove(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    remove(&st, &headers, &id, false).await
}

pub async fn staff_remove(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    remove(&st, &headers, &id, true).await
}
