//! Where a `next=` parameter may send the browser: only to one of the portal's own pages, named
//! in an allow-list, with a plain query. Anything else (another site, a scheme-relative or
//! backslashed path, control characters, an unknown path) gives the same-site default.

/// The portal's pages, as paths; `*` stands for one segment of 1 to 64 letters, digits, `-` or
/// `_` (a reference number, a run or finding id). A test checks the router's pages against it.
pub const PAGES: &[&str] = &[
    "/",
    "/login",
    "/activate",
    "/me",
    "/me/security",
    "/me/report",
    "/me/access",
    "/reports",
    "/reports/*",
    "/inbox",
    "/help",
    "/staff/login",
    "/staff",
    "/staff/security",
    "/staff/cases/*",
    "/staff/cases/*/search",
    "/staff/helpdesk",
    "/staff/inspection",
    "/staff/inspection/*",
    "/staff/findings/*",
];

/// Where to go when `next` is missing or not allowed.
pub const DEFAULT: &str = "/";

/// Longest `next` followed.
pub const MAX_LEN: usize = 512;

fn segment_ok(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn path_allowed(path: &str) -> bool {
    PAGES.iter().any(|pattern| {
        if *pattern == "/" {
            return path == "/";
        }
        let mut want = pattern.split('/').skip(1);
        let mut have = path.split('/').skip(1);
        loop {
            match (want.next(), have.next()) {
                (None, None) => return true,
                (Some("*"), Some(seg)) if segment_ok(seg) => {}
                (Some(w), Some(seg)) if w == seg => {}
                _ => return false,
            }
        }
    })
}

fn query_ok(q: &str) -> bool {
    q.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~' | b'=' | b'&' | b'%' | b'+')
    })
}

/// `next` if it names one of the portal's pages (with an optional plain query), else
/// [`DEFAULT`]. The result is always a same-site path of visible ASCII characters.
pub fn safe_next(next: Option<&str>) -> &str {
    let Some(n) = next.filter(|n| n.len() <= MAX_LEN) else {
        return DEFAULT;
    };
    let (path, query) = match n.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (n, None),
    };
    if path_allowed(path) && query.is_none_or(query_ok) {
        n
    } else {
        DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portals_pages_are_followed_with_their_query() {
        for ok in [
            "/",
            "/me",
            "/me/report?item=2",
            "/me/report?category=health_insurance",
            "/reports/KMUP-GE2U-YKD",
            "/staff/cases/KMUP-GE2U-YKD/search",
            "/staff/inspection/12",
            "/staff/helpdesk?ref=KMUP-GE2U-YKD&purpose=helpdesk_inquiry",
            "/login?error=signed_out",
        ] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
    }

    #[test]
    fn everything_else_goes_home() {
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil",
            "/\\\\evil.example",
            "https://evil.example/",
            "http:/evil.example",
            "javascript:alert(1)",
            "/me\r\nSet-Cookie: x=y",
            "/me\0",
            "/me\x7f",
            "/me?x=\r\n",
            "/me?x=<script>",
            "/me#frag",
            "/me/",
            "/me//",
            "/reports/",
            "/reports/a/b",
            "/api/my_data",
            "/pkg/x.js",
            "/staff/cases/../../evil",
            "/reports/..",
            "",
            "me",
            "/ja/me",
        ] {
            assert_eq!(safe_next(Some(bad)), DEFAULT, "{bad:?}");
        }
        assert_eq!(safe_next(None), DEFAULT);
        let long = format!("/me?x={}", "a".repeat(MAX_LEN));
        assert_eq!(safe_next(Some(&long)), DEFAULT);
    }
}
