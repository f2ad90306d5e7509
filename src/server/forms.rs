//! Form endpoints of the correction workflow. Each authorizes the caller, reads only the fields
//! it names (anything else posted, such as a status or an owner, has no effect), calls the
//! workflow service and answers with a redirect (POST → 303 → GET), so every step works with and
//! without JavaScript.

#![expect(
    clippy::result_large_err,
    reason = "the helpers' error is the HTTP answer itself, returned at once; boxing it buys nothing"
)]

use super::errors::plain_error;
use super::session;
use super::state::AppState;
use crate::domain::reference::Reference;
use crate::service::auth::ResidentSession;
use crate::service::staff_auth::{StaffAuthError, StaffSession};
use crate::service::workflow::{HelpdeskFiling, ReportForm, StaffAction, WorkflowError};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

type Fields = Vec<(String, String)>;

/// The form's fields, or the 4xx answer for an unreadable body.
fn fields(
    headers: &HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Fields, Response> {
    form.map(|Form(f)| f).map_err(|rejection| {
        let status = rejection.status();
        let key = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "error.too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "error.content_type",
            _ => "error.bad_request",
        };
        plain_error(status, headers, key)
    })
}

fn field(f: &Fields, name: &str) -> String {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The reference in its display form, or a 404 for something that is not one.
fn reference(headers: &HeaderMap, raw: &str) -> Result<String, Response> {
    Reference::parse(raw)
        .map(|r| r.to_string())
        .map_err(|_| plain_error(StatusCode::NOT_FOUND, headers, "error.not_found"))
}

/// The session behind `token`, or the answer that sends the browser to `login` (noting an
/// expired session when there was a token).
async fn signed_in<S, Fut>(
    headers: &HeaderMap,
    token: Option<String>,
    lookup: impl FnOnce(String) -> Fut,
    login: &str,
) -> Result<S, Response>
where
    Fut: std::future::Future<Output = Result<Option<S>, sqlx::Error>>,
{
    let expired = token.is_some();
    let session = match token {
        Some(t) => lookup(t).await.map_err(|e| unavailable(headers, e))?,
        None => None,
    };
    session.ok_or_else(|| {
        see_other(&if expired {
            format!("{login}?error=session_expired")
        } else {
            login.to_string()
        })
    })
}

async fn resident(st: &AppState, headers: &HeaderMap) -> Result<ResidentSession, Response> {
    let token = session::session_token(headers, st.config.secure_cookies);
    signed_in(
        headers,
        token,
        |t| async move { st.auth.session(&t).await },
        "/login",
    )
    .await
}

async fn staff(st: &AppState, headers: &HeaderMap) -> Result<StaffSession, Response> {
    let token = session::staff_token(headers, st.config.secure_cookies);
    signed_in(
        headers,
        token,
        |t| async move { st.staff_auth.session(&t).await },
        "/staff/login",
    )
    .await
}

fn unavailable(headers: &HeaderMap, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "form endpoint failed on storage");
    plain_error(
        StatusCode::SERVICE_UNAVAILABLE,
        headers,
        "error.unavailable",
    )
}

/// A refusal goes back to the page with its code; a storage failure is a 503.
fn refused(headers: &HeaderMap, back: &str, e: WorkflowError) -> Response {
    match e.status_and_code() {
        (StatusCode::INTERNAL_SERVER_ERROR, _) => unavailable(headers, e),
        (StatusCode::NOT_FOUND, _) => {
            plain_error(StatusCode::NOT_FOUND, headers, "error.not_found")
        }
        (StatusCode::FORBIDDEN, _) => {
            plain_error(StatusCode::FORBIDDEN, headers, "error.forbidden")
        }
        (_, code) => {
            let sep = if back.contains('?') { '&' } else { '?' };
            see_other(&format!("{back}{sep}error={code}"))
        }
    }
}

// ----- residents -----

pub async fn submit_report(
    State(st): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let me = try_or_answer!(resident(&st, &headers).await);
    let f = try_or_answer!(fields(&headers, form));
    let items: Vec<i64> = f
        .iter()
        .filter(|(k, _)| k == "item")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    let malformed_item = f
        .iter()
        .any(|(k, v)| k == "item" && v.trim().parse::<i64>().is_err());
    let category = Some(field(&f, "category")).filter(|c| !c.is_empty());
    // Back to the form as it was opened.
    let back = match (items.first(), &category) {
        (Some(i), _) => format!("/me/report?item={i}"),
        (None, Some(c)) if c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => {
            format!("/me/report?category={c}")
        }
        _ => "/me/report".to_string(),
    };
    if malformed_item {
        return see_other(&format!(
            "{back}{}error=unknown_item",
            if back.contains('?') { '&' } else { '?' }
        ));
    }
    let report = ReportForm {
        kind: field(&f, "kind"),
        items,
        category,
        note: field(&f, "note"),
    };
    match st.workflow.submit(me.resident_id, &report).await {
        Ok(r) => see_other(&format!("/reports/{r}?submitted=1")),
        Err(e) => refused(&headers, &back, e),
    }
}

pub async fn answer(
    State(st): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let me = try_or_answer!(resident(&st, &headers).await);
    let f = try_or_answer!(fields(&headers, form));
    let r = try_or_answer!(reference(&headers, &raw));
    let back = format!("/reports/{r}");
    match st
        .workflow
        .answer(me.resident_id, &r, &field(&f, "message"))
        .await
    {
        Ok(()) => see_other(&format!("{back}?done=answered")),
        Err(e) => refused(&headers, &back, e),
    }
}

pub async fn withdraw(
    State(st): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    let me = try_or_answer!(resident(&st, &headers).await);
    let r = try_or_answer!(reference(&headers, &raw));
    let back = format!("/reports/{r}");
    match st.workflow.withdraw(me.resident_id, &r).await {
        Ok(()) => see_other(&format!("{back}?done=withdrawn")),
        Err(e) => refused(&headers, &back, e),
    }
}

pub async fn mark_read(
    State(st): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let me = try_or_answer!(resident(&st, &headers).await);
    let f = try_or_answer!(fields(&headers, form));
    let id = field(&f, "id");
    let id = match id.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return plain_error(StatusCode::BAD_REQUEST, &headers, "error.bad_request"),
        },
    };
    match st.workflow.mark_read(me.resident_id, id).await {
        Ok(()) => see_other("/inbox"),
        Err(e) => refused(&headers, "/inbox", e),
    }
}

// ----- staff -----

pub async fn staff_login(
    State(st): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let f = try_or_answer!(fields(&headers, form));
    match st
        .staff_auth
        .sign_in(
            &field(&f, "username"),
            &field(&f, "password"),
            &field(&f, "code"),
        )
        .await
    {
        Ok((token, role)) => {
            let home = if role == crate::domain::reports::StaffRole::Helpdesk {
                "/staff/helpdesk"
            } else {
                "/staff"
            };
            with_cookie(
                see_other(home),
                &session::set_staff_cookie(&token, st.config.secure_cookies),
            )
        }
        Err(StaffAuthError::SignIn(e)) => {
            let wait = match e {
                crate::service::staff_auth::StaffSignInError::TryLater(minutes) => {
                    format!("&wait={minutes}")
                }
                _ => String::new(),
            };
            see_other(&format!("/staff/login?error={}{wait}", e.code()))
        }
        Err(StaffAuthError::Busy) => super::errors::busy_page(StatusCode::SERVICE_UNAVAILABLE, 1),
        Err(StaffAuthError::Store(e)) => unavailable(&headers, e),
    }
}

pub async fn staff_logout(State(st): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = session::staff_token(&headers, st.config.secure_cookies) {
        if let Err(e) = st.staff_auth.sign_out(&token).await {
            return unavailable(&headers, e);
        }
    }
    with_cookie(
        see_other("/staff/login?error=signed_out"),
        &session::clear_staff_cookie(st.config.secure_cookies),
    )
}

pub async fn case_action(
    State(st): State<AppState>,
    Path((raw, action)): Path<(String, String)>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let me = try_or_answer!(staff(&st, &headers).await);
    let f = try_or_answer!(fields(&headers, form));
    let r = try_or_answer!(reference(&headers, &raw));
    let back = format!("/staff/cases/{r}");
    let action = match action.as_str() {
        "claim" => StaffAction::Claim,
        "reassign" => match field(&f, "staff_id").trim().parse() {
            Ok(staff_id) => StaffAction::Reassign { staff_id },
            Err(_) => return see_other(&format!("{back}?error=unknown_staff")),
        },
        "request_info" => StaffAction::RequestInfo {
            message: field(&f, "message"),
        },
        "message" => StaffAction::Message {
            message: field(&f, "message"),
        },
        "note" => StaffAction::Note {
            body: field(&f, "body"),
        },
        "propose" => StaffAction::Propose {
            outcome: field(&f, "outcome"),
            reason: field(&f, "reason"),
            target_id: field(&f, "target_id").trim().parse().ok(),
        },
        "approve" => StaffAction::Approve,
        "return" => StaffAction::Return {
            comment: field(&f, "comment"),
        },
        "extend" => StaffAction::Extend {
            reason: field(&f, "reason"),
        },
        "complete_review" => StaffAction::CompleteReview,
        _ => return plain_error(StatusCode::NOT_FOUND, &headers, "error.not_found"),
    };
    let code = action.code();
    match st.workflow.act(&me, &r, action).await {
        Ok(()) => see_other(&format!("{back}?done={code}")),
        Err(e) => refused(&headers, &back, e),
    }
}

pub async fn helpdesk_note(
    State(st): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let me = try_or_answer!(staff(&st, &headers).await);
    let f = try_or_answer!(fields(&headers, form));
    let r = try_or_answer!(reference(&headers, &field(&f, "reference")));
    let back = format!("/staff/helpdesk?ref={r}&purpose=helpdesk_inquiry");
    match st.workflow.helpdesk_note(&me, &r, &field(&f, "body")).await {
        Ok(()) => see_other(&format!("{back}&done=note")),
        Err(e) => refused(&headers, &back, e),
    }
}

pub async fn helpdesk_report(
    State(st): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let me = try_or_answer!(staff(&st, &headers).await);
    let f = try_or_answer!(fields(&headers, form));
    let filing = HelpdeskFiling {
        my_number: field(&f, "my_number"),
        name_kana: field(&f, "name_kana"),
        birth_date: field(&f, "birth_date"),
        identity_confirmed: field(&f, "identity_confirmed") == "yes",
        kind: field(&f, "kind"),
        category: field(&f, "category"),
        note: field(&f, "note"),
    };
    match st.workflow.helpdesk_file(&me, &filing).await {
        Ok(r) => see_other(&format!(
            "/staff/helpdesk?ref={r}&purpose=helpdesk_filing&done=filed"
        )),
        Err(e) => refused(&headers, "/staff/helpdesk", e),
    }
}

// ----- inspection -----

pub async fn start_inspection(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let me = try_or_answer!(staff(&st, &headers).await);
    match st.inspection.start(&me).await {
        Ok(run) => see_other(&format!("/staff/inspection?done=started&run={run}")),
        Err(e) => refused(&headers, "/staff/inspection", e),
    }
}

pub async fn open_case_from_finding(
    State(st): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    let me = try_or_answer!(staff(&st, &headers).await);
    let Ok(id) = raw.parse::<i64>() else {
        return plain_error(StatusCode::NOT_FOUND, &headers, "error.not_found");
    };
    match st.inspection.open_case(&me, id).await {
        Ok(r) => see_other(&format!("/staff/cases/{r}?done=raised")),
        Err(e) => refused(&headers, &format!("/staff/findings/{id}"), e),
    }
}
