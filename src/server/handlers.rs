//! Plain form endpoints: sign-in, sign-out and the language switch. They answer with a redirect
//! (POST → 303 → GET), so they work the same with and without JavaScript.

use super::errors::{busy_page, plain_error};
use super::session;
use super::state::AppState;
use crate::domain::signin::SignInError;
use crate::i18n::{Lang, LANG_COOKIE};
use crate::service::auth::AuthError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Form, Router};
use serde::Deserialize;

/// The form endpoints and plain routes: method, path and handler, each written once. The router
/// is built from this table, and the access-control test checks every entry of it ([`routes`]).
fn table() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    use super::{forms, passkeys};
    vec![
        ("POST", "/auth/login", post(login)),
        ("POST", "/auth/logout", post(logout)),
        ("GET", "/lang/{code}", get(switch_language)),
        ("GET", "/healthz", get(|| async { "ok" })),
        ("GET", "/readyz", get(ready)),
        ("POST", "/reports", post(forms::submit_report)),
        ("POST", "/reports/{reference}/answer", post(forms::answer)),
        (
            "POST",
            "/reports/{reference}/withdraw",
            post(forms::withdraw),
        ),
        ("POST", "/inbox/read", post(forms::mark_read)),
        ("POST", "/staff/auth/login", post(forms::staff_login)),
        ("POST", "/staff/auth/logout", post(forms::staff_logout)),
        (
            "POST",
            "/staff/cases/{reference}/{action}",
            post(forms::case_action),
        ),
        ("POST", "/staff/helpdesk/note", post(forms::helpdesk_note)),
        (
            "POST",
            "/staff/helpdesk/report",
            post(forms::helpdesk_report),
        ),
        (
            "POST",
            "/staff/inspection/start",
            post(forms::start_inspection),
        ),
        (
            "POST",
            "/staff/findings/{id}/case",
            post(forms::open_case_from_finding),
        ),
        (
            "POST",
            "/auth/passkey/activate/start",
            post(passkeys::activate_start),
        ),
        (
            "POST",
            "/auth/passkey/activate/finish",
            post(passkeys::activate_finish),
        ),
        (
            "POST",
            "/auth/passkey/signin/start",
            post(passkeys::signin_start),
        ),
        (
            "POST",
            "/auth/passkey/signin/finish",
            post(passkeys::signin_finish),
        ),
        (
            "POST",
            "/me/passkeys/add/start",
            post(passkeys::resident_add_start),
        ),
        (
            "POST",
            "/me/passkeys/add/finish",
            post(passkeys::resident_add_finish),
        ),
        (
            "POST",
            "/me/passkeys/{id}/remove",
            post(passkeys::resident_remove),
        ),
        (
            "POST",
            "/staff/auth/passkey/signin/start",
            post(passkeys::staff_signin_start),
        ),
        (
            "POST",
            "/staff/auth/passkey/signin/finish",
            post(passkeys::staff_signin_finish),
        ),
        (
            "POST",
            "/staff/passkeys/add/start",
            post(passkeys::staff_add_start),
        ),
        (
            "POST",
            "/staff/passkeys/add/finish",
            post(passkeys::staff_add_finish),
        ),
        (
            "POST",
            "/staff/passkeys/{id}/remove",
            post(passkeys::staff_remove),
        ),
    ]
}

/// Every (method, path) of [`table`], for the access-control test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    table().into_iter().map(|(m, p, _)| (m, p)).collect()
}

pub fn router() -> Router<AppState> {
    table()
        .into_iter()
        .fold(Router::new(), |r, (_, path, handler)| {
            r.route(path, handler)
        })
}

/// Readiness: 200 when the database answers within two seconds, 503 otherwise (liveness is
/// `/healthz`, which needs nothing).
async fn ready(State(st): State<AppState>) -> Response {
    match tokio::time::timeout(std::time::Duration::from_secs(2), st.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: database");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
        Err(_) => {
            tracing::warn!("not ready: database did not answer in time");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    my_number: String,
    #[serde(default)]
    password: String,
}

fn see_other_with_cookie(to: &str, cookie: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn login(
    State(st): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => {
            let status = rejection.status();
            let key = match status {
                StatusCode::PAYLOAD_TOO_LARGE => "error.too_large",
                StatusCode::UNSUPPORTED_MEDIA_TYPE => "error.content_type",
                _ => "error.bad_request",
            };
            return plain_error(status, &headers, key);
        }
    };
    match st.auth.sign_in(&form.my_number, &form.password).await {
        Ok(token) => see_other_with_cookie(
            "/me",
            &session::set_cookie(&token, st.config.secure_cookies),
        ),
        Err(AuthError::SignIn(e)) => {
            // Only a short code goes into the URL, never what was typed.
            let wait = match e {
                SignInError::TryLater(minutes) => format!("&wait={minutes}"),
                _ => String::new(),
            };
            Redirect::to(&format!("/login?error={}{wait}", e.code())).into_response()
        }
        Err(AuthError::Busy) => busy_page(StatusCode::SERVICE_UNAVAILABLE, 1),
        Err(AuthError::Store(e)) => {
            tracing::error!(error = %e, "sign-in failed on storage");
            plain_error(
                StatusCode::SERVICE_UNAVAILABLE,
                &headers,
                "error.unavailable",
            )
        }
    }
}

async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = session::session_token(&headers, st.config.secure_cookies) {
        if let Err(e) = st.auth.sign_out(&token).await {
            tracing::error!(error = %e, "sign-out failed on storage");
            return plain_error(
                StatusCode::SERVICE_UNAVAILABLE,
                &headers,
                "error.unavailable",
            );
        }
    }
    let code = SignInError::message_key_for_code("signed_out")
        .map(|_| "signed_out")
        .unwrap_or_default();
    see_other_with_cookie(
        &format!("/login?error={code}"),
        &session::clear_cookie(st.config.secure_cookies),
    )
}

#[derive(Deserialize)]
pub struct LangQuery {
    next: Option<String>,
}

async fn switch_language(
    State(st): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(lang) = Lang::from_code(&code) else {
        return plain_error(StatusCode::NOT_FOUND, &headers, "error.unknown_language");
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
        lang.code(),
        if st.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    see_other_with_cookie(
        crate::domain::redirect::safe_next(q.next.as_deref()),
        &cookie,
    )
}
