//! Turns framework-level failures into 4xx answers: a server function whose arguments cannot be
//! decoded (missing field, wrong type, wrong content type) is the client's fault, not a 500.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, Method, StatusCode};

/// The language the request's `lang` cookie chose (Japanese without one).
pub fn request_lang(headers: &http::HeaderMap) -> crate::i18n::Lang {
    headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(crate::i18n::Lang::from_cookie_header)
        .unwrap_or_default()
}

/// A plain-text error answer in the language the request's `lang` cookie chose.
pub fn plain_error(status: StatusCode, headers: &http::HeaderMap, key: &str) -> Response {
    let lang = request_lang(headers);
    let mut res = (status, crate::i18n::I18n::new(lang).t(key)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}

/// The answer to a request turned away for load (429 from a rate limit, 503 when the password
/// queue is full): `Retry-After` in seconds and a short page in Japanese and English, since the
/// client may not have chosen a language yet.
pub fn busy_page(status: StatusCode, retry_after_secs: u64) -> Response {
    use crate::i18n::{I18n, Lang};
    let secs = retry_after_secs.to_string();
    let (title, body) = if status == StatusCode::TOO_MANY_REQUESTS {
        ("throttle.title", "throttle.body")
    } else {
        ("busy.title", "busy.body")
    };
    let part = |lang: Lang| {
        let i18n = I18n::new(lang);
        format!(
            "<section lang=\"{}\"><h1>{}</h1><p>{}</p></section>",
            lang.code(),
            escape(&i18n.t(title)),
            escape(&i18n.tf(body, &[("seconds", &secs)]))
        )
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body>{}{}</body></html>",
        escape(&I18n::new(Lang::Ja).t(title)),
        part(Lang::Ja),
        part(Lang::En)
    );
    let mut res = (status, html).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(retry_after_secs),
    );
    res
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Set on error responses this code produced on purpose, so they are passed through as they are.
pub const APP_ERROR_HEADER: &str = "x-app-error";

pub async fn map_framework_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    if is_api && req.method() == Method::POST {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !ct.starts_with("application/x-www-form-urlencoded") {
            return plain_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                req.headers(),
                "error.content_type",
            );
        }
    }
    let headers = req.headers().clone();
    let mut res = next.run(req).await;
    if is_api
        && res.status() == StatusCode::INTERNAL_SERVER_ERROR
        && res.headers().get(APP_ERROR_HEADER).is_none()
    {
        return plain_error(StatusCode::BAD_REQUEST, &headers, "error.bad_request");
    }
    res.headers_mut().remove(APP_ERROR_HEADER);
    res
}

/// Whether a request is for a rendered page (not an asset, a server function or a form endpoint).
pub fn is_page_request(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::GET
        && !["/api/", "/pkg/", "/auth/", "/lang/"]
            .iter()
            .any(|p| path.starts_with(p))
        && !path.contains('.')
        && path != "/healthz"
        && path != "/readyz"
}

/// How long a page may take to render before it is rendered again.
pub const RENDER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(4);

/// Renders a page again when the first render stalls. Leptos 0.8's `<Suspense>` can, rarely, lose
/// the wake-up that tells it its resource has resolved, and the response then never completes (upstream issues
/// leptos-rs/leptos#4851, #4673, #4578). Page GETs are idempotent, so after [`RENDER_TIMEOUT`] the
/// same request is rendered afresh; after three stalls the answer is a 503.
pub async fn retry_stalled_render(req: Request, next: Next) -> Response {
    if !is_page_request(&req) {
        return next.run(req).await;
    }
    let (parts, _body) = req.into_parts();
    for attempt in 1..=3 {
        let req = Request::from_parts(parts.clone(), Body::empty());
        match tokio::time::timeout(RENDER_TIMEOUT, next.clone().run(req)).await {
            Ok(res) => return res,
            Err(_) => {
                tracing::warn!(path = %parts.uri.path(), attempt, "page render stalled; rendering again")
            }
        }
    }
    plain_error(
        StatusCode::SERVICE_UNAVAILABLE,
        &parts.headers,
        "error.render_stalled",
    )
}
