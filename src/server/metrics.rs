//! Prometheus metrics: requests and their latency per route, and the database pool. Served on
//! an internal address of its own (`serve --metrics-addr`), never on the public router.

use super::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

const REQUESTS: &str = "portal_http_requests_total";
const LATENCY: &str = "portal_http_request_duration_seconds";

/// Installs the process-wide recorder once and returns its handle.
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets = [
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ];
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(LATENCY.to_string()), &buckets)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            match builder.install_recorder() {
                Ok(h) => h,
                // Another recorder is installed (a test harness): render from a private one.
                Err(_) => PrometheusBuilder::new().build_recorder().handle(),
            }
        })
        .clone()
}

/// Counts each routed request and times it, labelled with the route's pattern (never the
/// concrete path, which may hold a reference number).
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(LATENCY, "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

async fn render(State(st): State<AppState>) -> Response {
    let (size, idle) = st.db.pool_stats();
    metrics::gauge!("portal_db_pool_connections", "backend" => st.db.backend()).set(size as f64);
    metrics::gauge!("portal_db_pool_idle_connections", "backend" => st.db.backend())
        .set(idle as f64);
    (
        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response()
}

/// The internal metrics endpoint: `GET /metrics`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .with_state(state)
}
