//! The session cookie.

use http::HeaderMap;

/// The cookie's name: with the `__Host-` prefix when served over HTTPS.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-session"
    } else {
        "session"
    }
}

/// The session token the request carries, if any.
pub fn session_token(headers: &HeaderMap, secure: bool) -> Option<String> {
    cookie_value(headers, cookie_name(secure))
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for a new session (no Max-Age: it ends with the browser, and on the server after
/// 15 idle minutes or 12 hours).
pub fn set_cookie(token: &str, secure: bool) -> String {
    let secure_attr = if secure { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax{secure_attr}",
        cookie_name(secure)
    )
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    let secure_attr = if secure { "; Secure" } else { "" };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure_attr}",
        cookie_name(secure)
    )
}

/// The staff session cookie's name (separate from the resident's, so the two never mix).
pub fn staff_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-staff"
    } else {
        "staff"
    }
}

/// The staff session token the request carries, if any.
pub fn staff_token(headers: &HeaderMap, secure: bool) -> Option<String> {
    cookie_value(headers, staff_cookie_name(secure))
}

/// `Set-Cookie` for a new staff session (`SameSite=Strict`: staff pages are never entered from
/// another site).
pub fn set_staff_cookie(token: &str, secure: bool) -> String {
    let secure_attr = if secure { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict{secure_attr}",
        staff_cookie_name(secure)
    )
}

/// `Set-Cookie` that removes the staff session cookie.
pub fn clear_staff_cookie(secure: bool) -> String {
    let secure_attr = if secure { "; Secure" } else { "" };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure_attr}",
        staff_cookie_name(secure)
    )
}

/// A signed-in staff member, resolved once per page request.
#[derive(Debug, Clone)]
pub struct StaffSignedIn {
    pub staff: crate::service::staff_auth::StaffSession,
}

/// The signed-in resident, resolved once per page request before rendering, so the page frame can
/// show the name, and わたしの情報 compare items with the register entry, without another query.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub resident: crate::service::auth::ResidentSession,
    pub register: std::sync::Arc<crate::store::residents::ResidentRow>,
    /// Unread notices, for the badge in the header.
    pub unread: i64,
}

/// For page GETs: resolves the session cookie into [`SignedIn`] in the request extensions.
pub async fn resolve_for_pages(
    axum::extract::State(st): axum::extract::State<super::state::AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if super::errors::is_page_request(&req) {
        if let Some(token) = session_token(req.headers(), st.config.secure_cookies) {
            if let Ok(Some(s)) = st.auth.page_session(&token).await {
                req.extensions_mut().insert(SignedIn {
                    resident: s.resident,
                    register: s.register,
                    unread: s.unread,
                });
            }
        }
        if let Some(token) = staff_token(req.headers(), st.config.secure_cookies) {
            if let Ok(Some(staff)) = st.staff_auth.session(&token).await {
                req.extensions_mut().insert(StaffSignedIn { staff });
            }
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_over_https_are_secure_and_host_prefixed() {
        let c = set_cookie("tok", true);
        assert!(c.starts_with("__Host-session=tok; Path=/;"));
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("; Secure"));
        assert!(!set_cookie("tok", false).contains("Secure"));
        assert!(clear_cookie(true).contains("Max-Age=0"));
    }

    #[test]
    fn token_is_read_from_the_right_cookie_only() {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            "lang=en; session=abc; x=y".parse().unwrap(),
        );
        assert_eq!(session_token(&h, false).as_deref(), Some("abc"));
        assert_eq!(session_token(&h, true), None);
        h.insert(http::header::COOKIE, "__Host-session=def".parse().unwrap());
        assert_eq!(session_token(&h, true).as_deref(), Some("def"));
    }
}
