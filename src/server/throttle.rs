//! Per-client-address limits on sign-in and on every anonymous POST (`tower_governor`'s keyed
//! rate limiter), answered with 429, `Retry-After` and a short page in Japanese and English. The
//! client's address is the socket's peer, or the last address a configured trusted proxy put in
//! its header. A POST with a valid session is not limited here: the person is known.

use super::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use http::{HeaderName, Method, StatusCode};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tower_governor::governor::{GovernorConfigBuilder, SharedRateLimiter};
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::GovernorError;

/// Requests refused by a limit, by limit (`signin`, `anonymous`).
pub const THROTTLED_METRIC: &str = "portal_throttled_total";

/// How many requests one client address may make.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleConfig {
    /// Sign-in attempts (resident and staff) at once, then one per `signin_period`.
    pub signin_burst: u32,
    pub signin_period: Duration,
    /// Other POSTs without a session at once, then one per `anonymous_period`.
    pub anonymous_burst: u32,
    pub anonymous_period: Duration,
}

impl Default for ThrottleConfig {
    /// 20 sign-ins at once, then 20 a minute; 60 anonymous POSTs at once, then 2 a second.
    fn default() -> Self {
        ThrottleConfig {
            signin_burst: 20,
            signin_period: Duration::from_secs(3),
            anonymous_burst: 60,
            anonymous_period: Duration::from_millis(500),
        }
    }
}

/// The client address of a request: the last entry of the trusted proxy's header when one is
/// configured and parses, else the socket's peer; `0.0.0.0` when neither is known (a request
/// handed to the router in-process).
#[derive(Debug, Clone)]
pub struct ClientAddr {
    pub trusted_header: Option<HeaderName>,
}

impl ClientAddr {
    pub fn of<B>(&self, req: &http::Request<B>) -> IpAddr {
        let from_proxy = self.trusted_header.as_ref().and_then(|h| {
            req.headers()
                .get_all(h)
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok())
        });
        from_proxy
            .or_else(|| {
                req.extensions()
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|c| c.0.ip())
            })
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }
}

impl KeyExtractor for ClientAddr {
    type Key = IpAddr;

    fn extract<T>(&self, req: &http::Request<T>) -> Result<IpAddr, GovernorError> {
        Ok(self.of(req))
    }
}

type Limiter = SharedRateLimiter<IpAddr, NoOpMiddleware>;

/// The limiters of one server process.
#[derive(Debug, Clone)]
pub struct Throttle {
    client: ClientAddr,
    signin: Limiter,
    anonymous: Limiter,
    seen: std::sync::Arc<AtomicU64>,
}

#[expect(
    clippy::expect_used,
    reason = "burst and period are clamped to at least 1 above"
)]
fn limiter(client: &ClientAddr, burst: u32, period: Duration) -> Limiter {
    let mut b = GovernorConfigBuilder::default();
    b.period(period.max(Duration::from_millis(1)))
        .burst_size(burst.max(1));
    let config = b
        .key_extractor(client.clone())
        .finish()
        .expect("a positive burst and period");
    config.limiter().clone()
}

impl Throttle {
    pub fn new(c: ThrottleConfig, trusted_header: Option<HeaderName>) -> Self {
        let client = ClientAddr { trusted_header };
        Throttle {
            signin: limiter(&client, c.signin_burst, c.signin_period),
            anonymous: limiter(&client, c.anonymous_burst, c.anonymous_period),
            client,
            seen: Default::default(),
        }
    }
}

fn is_sign_in(path: &str) -> bool {
    matches!(
        path,
        "/auth/login" | "/staff/auth/login" | "/auth/passkey/activate/start"
    )
}

/// Whether the request carries a session that is valid now (resident or staff).
async fn has_session(st: &AppState, headers: &http::HeaderMap) -> bool {
    let secure = st.config.secure_cookies;
    if let Some(t) = super::session::session_token(headers, secure) {
        if matches!(st.auth.session(&t).await, Ok(Some(_))) {
            return true;
        }
    }
    if let Some(t) = super::session::staff_token(headers, secure) {
        if matches!(st.staff_auth.session(&t).await, Ok(Some(_))) {
            return true;
        }
    }
    false
}

pub async fn limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let Some(t) = st.throttle.as_ref() else {
        return next.run(req).await;
    };
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let (limiter, which) = if is_sign_in(req.uri().path()) {
        (&t.signin, "signin")
    } else if !has_session(&st, &req.headers().clone()).await {
        (&t.anonymous, "anonymous")
    } else {
        return next.run(req).await;
    };
    // Forget idle addresses now and then, so the table stays as small as the active clients.
    if t.seen.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
        t.signin.retain_recent();
        t.anonymous.retain_recent();
    }
    match limiter.check_key(&t.client.of(&req)) {
        Ok(()) => next.run(req).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            metrics::counter!(THROTTLED_METRIC, "limit" => which).increment(1);
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            super::errors::busy_page(StatusCode::TOO_MANY_REQUESTS, secs.max(1))
        }
    }
}
