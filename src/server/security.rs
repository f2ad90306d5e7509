//! Security on every response: refusal of cross-origin state changes, the Content-Security-Policy
//! with a per-response nonce, and the other protective headers.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue, Method, StatusCode};

/// The CSP nonce of the current response, handed to the page renderer through request extensions.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

fn is_state_changing(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a state-changing request comes from this site. Browsers send `Sec-Fetch-Site`; older
/// ones send `Origin`, which must then name this host. Requests with neither are not from a
/// browser page and carry no ambient credentials worth forging.
pub fn same_origin(req: &Request) -> bool {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = h
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        return !host.is_empty() && origin_host == host;
    }
    true
}

fn csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.ico" || path.starts_with("/img/")
}

/// A bundle file whose name carries a hash of its content (`/pkg/myna-portal.<hash>.css`, named
/// by scripts/build.sh): what is served under that name never changes, so it may be cached for good.
pub fn is_content_hashed(path: &str) -> bool {
    let Some(name) = path.strip_prefix("/pkg/").filter(|n| !n.contains('/')) else {
        return false;
    };
    let mut parts = name.rsplit('.');
    let (Some(_ext), Some(hash), Some(_stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    hash.len() >= 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

pub async fn guard(mut req: Request, next: Next) -> Response {
    if is_state_changing(req.method()) && !same_origin(&req) {
        tracing::warn!(path = %req.uri().path(), "cross-origin state-changing request refused");
        return super::errors::plain_error(
            StatusCode::FORBIDDEN,
            req.headers(),
            "error.cross_origin",
        );
    }
    let nonce = crate::service::crypto::new_nonce();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let static_asset = is_static(req.uri().path());
    let hashed = is_content_hashed(req.uri().path());

    let mut res = next.run(req).await;
    let ok = res.status().is_success();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp(&nonce)) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    let cache = if hashed && ok {
        "public, max-age=31536000, immutable"
    } else if static_asset {
        "no-cache"
    } else {
        "no-store"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

/// A tracing span that records the path only: query strings are not logged.
pub fn span_without_query<B>(req: &http::Request<B>) -> tracing::Span {
    let id = req
        .headers()
        .get(super::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn only_hashed_bundle_names_are_immutable() {
        assert!(is_content_hashed(
            "/pkg/myna-portal.0123456789abcdef0123.css"
        ));
        assert!(is_content_hashed(
            "/pkg/myna-portal.0123456789abcdef0123.wasm"
        ));
        assert!(!is_content_hashed("/pkg/myna-portal.css"));
        assert!(!is_content_hashed("/pkg/myna-portal_bg.wasm"));
        assert!(!is_content_hashed(
            "/pkg/snippets/x.0123456789abcdef0123.js"
        ));
        assert!(!is_content_hashed("/me.0123456789abcdef0123.css"));
        assert!(!is_content_hashed("/pkg/myna-portal.short.js"));
    }
}
