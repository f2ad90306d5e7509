//! Server functions: thin adapters that authorize the caller, call a service and map errors.
//! Types that cross the wire live in `domain`.

pub mod inspection;
pub mod passkeys;
pub mod staff;
pub mod workflow;

use crate::domain::items::MyDataView;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::server::state::AppState;
    use crate::service::auth::ResidentSession;
    use http::StatusCode;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    pub fn state() -> AppState {
        expect_context::<AppState>()
    }

    /// Marks a response as an error this code produced on purpose (see `server::errors`).
    pub fn fail(status: StatusCode, code: &str) -> ServerFnError {
        if let Some(res) = use_context::<ResponseOptions>() {
            res.set_status(status);
            res.insert_header(
                http::HeaderName::from_static(crate::server::errors::APP_ERROR_HEADER),
                http::HeaderValue::from_static("1"),
            );
        }
        ServerFnError::ServerError(code.to_string())
    }

    pub fn internal(e: impl std::fmt::Display) -> ServerFnError {
        tracing::error!(error = %e, "server function failed");
        fail(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    }

    /// Maps a workflow refusal to its status code and short code.
    pub fn workflow_error(e: crate::service::workflow::WorkflowError) -> ServerFnError {
        match e.status_and_code() {
            (StatusCode::INTERNAL_SERVER_ERROR, _) => internal(e),
            (status, code) => fail(status, code),
        }
    }

    /// The signed-in staff member (password and second factor), or an error after pointing the
    /// browser at the staff sign-in page.
    pub async fn require_staff() -> Result<crate::service::staff_auth::StaffSession, ServerFnError>
    {
        let st = state();
        let parts = use_context::<http::request::Parts>();
        if let Some(s) = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<crate::server::session::StaffSignedIn>())
        {
            return Ok(s.staff.clone());
        }
        let token = parts.as_ref().and_then(|p| {
            crate::server::session::staff_token(&p.headers, st.config.secure_cookies)
        });
        let session = match &token {
            Some(t) => st.staff_auth.session(t).await.map_err(internal)?,
            None => None,
        };
        match session {
            Some(s) => Ok(s),
            None => {
                leptos_axum::redirect(if token.is_some() {
                    "/staff/login?error=session_expired"
                } else {
                    "/staff/login"
                });
                if accepts_html(parts.as_ref()) {
                    // A page load: the redirect's 302 stands.
                    Err(ServerFnError::ServerError("unauthorized".into()))
                } else {
                    Err(fail(StatusCode::UNAUTHORIZED, "unauthorized"))
                }
            }
        }
    }

    /// Whether the request is a page load (the browser accepts HTML).
    fn accepts_html(parts: Option<&http::request::Parts>) -> bool {
        parts
            .and_then(|p| p.headers.get(http::header::ACCEPT))
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    }

    /// The signed-in resident, or an error after pointing the browser at the sign-in page.
    pub async fn require_resident() -> Result<ResidentSession, ServerFnError> {
        let st = state();
        let parts = use_context::<http::request::Parts>();
        // A page render: the session was already resolved for this request.
        if let Some(s) = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<crate::server::session::SignedIn>())
        {
            return Ok(s.resident);
        }
        let token = parts.as_ref().and_then(|p| {
            crate::server::session::session_token(&p.headers, st.config.secure_cookies)
        });
        let session = match &token {
            Some(t) => st.auth.session(t).await.map_err(internal)?,
            None => None,
        };
        match session {
            Some(s) => Ok(s),
            None => {
                let to = if token.is_some() {
                    "/login?error=session_expired"
                } else {
                    "/login"
                };
                leptos_axum::redirect(to);
                if accepts_html(parts.as_ref()) {
                    // A page load: the redirect's 302 stands.
                    Err(ServerFnError::ServerError("unauthorized".into()))
                } else {
                    Err(fail(StatusCode::UNAUTHORIZED, "unauthorized"))
                }
            }
        }
    }
}

/// Everything linked to the signed-in resident's number. `reveal` unmasks the identifiers of one
/// of the resident's own items.
#[server(prefix = "/api", endpoint = "my_data")]
pub async fn get_my_data(reveal: Option<i64>) -> Result<MyDataView, ServerFnError> {
    let me = ssr::require_resident().await?;
    let st = ssr::state();
    // A page render has the register entry from the session already.
    let known = use_context::<http::request::Parts>().and_then(|p| {
        p.extensions
            .get::<crate::server::session::SignedIn>()
            .map(|s| s.register.clone())
    });
    crate::service::mydata::my_data(&st.db, me.resident_id, known.as_deref(), reveal)
        .await
        .map_err(ssr::internal)?
        .ok_or_else(|| ssr::fail(http::StatusCode::NOT_FOUND, "not_found"))
}
