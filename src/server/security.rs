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

/// Scheme, host and port of an origin (`scheme://host[:port]`), the port filled in from the
/// scheme when absent; `None` for anything else (`null`, a path, user info).
pub fn parse_origin(origin: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = origin.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let (host, port) = host_and_port(rest, default_port)?;
    Some((scheme, host, port))
}

/// Host and port of a `Host` header value (or an origin's authority).
fn host_and_port(authority: &str, default_port: u16) -> Option<(String, u16)> {
    if authority.is_empty() || authority.contains(['/', '@', '?', '#', ' ']) {
        return None;
    }
    // An IPv6 literal keeps its colons inside brackets.
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (
            &authority[..i],
            Some(authority[i + 1..].parse::<u16>().ok()?),
        ),
        _ => (authority, None),
    };
    if host.is_empty() {
        return None;
    }
    Some((host.to_ascii_lowercase(), port.unwrap_or(default_port)))
}

/// Whether a state-changing request comes from this site. Browsers send `Sec-Fetch-Site`,
/// which must say `same-origin` (or `none`, typed by the user); and `Origin`, whose scheme,
/// host and port must be this site's: `https` when serving behind HTTPS (`secure`), `http`
/// otherwise, and the `Host` the request was sent to. Requests with neither header are not from
/// a browser page and carry no ambient credentials worth forging.
pub fn same_origin(req: &Request, secure: bool) -> bool {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site") {
        if !matches!(site.to_str(), Ok("same-origin" | "none")) {
            return false;
        }
    }
    let Some(origin) = h.get(header::ORIGIN) else {
        return true;
    };
    let scheme = if secure { "https" } else { "http" };
    let default_port = if secure { 443 } else { 80 };
    let expected = h
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .and_then(|host| host_and_port(host, default_port));
    let presented = origin.to_str().ok().and_then(parse_origin);
    match (presented, expected) {
        (Some((s, host, port)), Some((want_host, want_port))) => {
            s == scheme && host == want_host && port == want_port
        }
        _ => false,
    }
}

/// HSTS when serving behind HTTPS: a year, subdomains included.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

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

pub async fn guard(
    axum::extract::State(st): axum::extract::State<super::state::AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let secure = st.config.secure_cookies;
    if is_state_changing(req.method()) && !same_origin(&req, secure) {
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
    if secure {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
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
    use super::*;

    fn post(origin: Option<&str>, host: &str, site: Option<&str>) -> Request {
        let mut b = http::Request::post("/auth/login").header(header::HOST, host);
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o);
        }
        if let Some(s) = site {
            b = b.header("sec-fetch-site", s);
        }
        b.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn the_origin_must_match_in_scheme_host_and_port() {
        let host = "portal.example";
        assert!(same_origin(
            &post(Some("https://portal.example"), host, None),
            true
        ));
        assert!(same_origin(
            &post(Some("https://portal.example:443"), host, None),
            true
        ));
        assert!(same_origin(
            &post(Some("https://Portal.Example"), host, None),
            true
        ));
        // Another scheme, port or host.
        assert!(!same_origin(
            &post(Some("http://portal.example"), host, None),
            true
        ));
        assert!(!same_origin(
            &post(Some("https://portal.example:8443"), host, None),
            true
        ));
        assert!(!same_origin(
            &post(Some("https://portal.example.evil"), host, None),
            true
        ));
        assert!(!same_origin(
            &post(Some("https://evil.example"), host, None),
            true
        ));
        assert!(!same_origin(&post(Some("null"), host, None), true));
        assert!(!same_origin(
            &post(Some("https://x@portal.example"), host, None),
            true
        ));
        // Plain HTTP (development): http and the Host's port.
        let local = "127.0.0.1:3000";
        assert!(same_origin(
            &post(Some("http://127.0.0.1:3000"), local, None),
            false
        ));
        assert!(!same_origin(
            &post(Some("http://127.0.0.1:3001"), local, None),
            false
        ));
        assert!(!same_origin(
            &post(Some("https://127.0.0.1:3000"), local, None),
            false
        ));
        assert!(!same_origin(
            &post(Some("http://127.0.0.1"), local, None),
            false
        ));
        // Sec-Fetch-Site must agree as well; neither header: not a browser page.
        assert!(!same_origin(
            &post(Some("http://127.0.0.1:3000"), local, Some("cross-site")),
            false
        ));
        assert!(same_origin(&post(None, local, Some("same-origin")), false));
        assert!(!same_origin(&post(None, local, Some("same-site")), false));
        assert!(same_origin(&post(None, local, None), false));
        assert!(same_origin(
            &post(Some("http://[::1]:3000"), "[::1]:3000", None),
            false
        ));
    }

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
