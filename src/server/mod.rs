//! The HTTP edge: router, state, sessions, CSRF guard, security headers, error mapping.

/// In a handler: the value, or the ready HTTP answer returned at once.
macro_rules! try_or_answer {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(res) => return res,
        }
    };
}

pub mod errors;
pub mod forms;
pub mod handlers;
pub mod metrics;
pub mod passkeys;
pub mod security;
pub mod session;
pub mod state;
pub mod throttle;

use crate::ui::app::{shell, App};
use axum::Router;
use http::HeaderName;
use leptos_axum::{generate_route_list, LeptosRoutes};
use state::AppState;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;

/// Largest request body accepted (forms are small).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The header carrying each request's id: taken from a trusted proxy when present, made here
/// otherwise, logged with every line of the request and returned in the response.
pub const REQUEST_ID: &str = "x-request-id";

/// Builds the whole application: pages, server functions, form handlers, static files.
pub fn router(state: AppState) -> Router {
    metrics::handle();
    let routes = generate_route_list(App);
    let pkg_dir = format!(
        "{}/{}",
        state.leptos_options.site_root, state.leptos_options.site_pkg_dir
    );
    let options = state.leptos_options.clone();

    Router::new()
        .merge(handlers::router())
        .leptos_routes(&state, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        // scripts/build.sh writes .br and .gz beside each bundle file: served as they are, not
        // compressed again for every request.
        .nest_service(
            "/pkg",
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .route_layer(axum::middleware::from_fn(metrics::track))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(errors::map_framework_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::resolve_for_pages,
        ))
        .layer(axum::middleware::from_fn(errors::retry_stalled_render))
        // Per-client limits run after the cross-origin guard (a forged request costs nothing)
        // and before any handler or page.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            throttle::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::guard,
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // The lowest level (brotli 1, gzip 1): pages come out about 15% larger than at the
        // default (brotli 4), for a third of the CPU; static assets are compressed at build time.
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Precise(1)))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(security::span_without_query),
        )
        .layer(PropagateRequestIdLayer::new(HeaderName::from_static(
            REQUEST_ID,
        )))
        .layer(SetRequestIdLayer::new(
            HeaderName::from_static(REQUEST_ID),
            MakeRequestUuid,
        ))
        .with_state(state)
}
