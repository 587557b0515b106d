//! The only HTTP layer: pages, the REST API with its OpenAPI document, sessions, CSRF, and the
//! single mapping from failures to responses.

pub mod api;
mod charts;
pub mod error;
pub mod exports;
pub mod i18n;
pub mod imports;
pub mod lists;
pub mod mail;
pub mod order_upload;
pub mod pages;
pub mod session;

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use identity::domain::Tenant;
use platform::{Clock, Db, TenantId};

pub use error::WebError;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    /// Mark cookies Secure: set when the portal is served over TLS.
    pub secure_cookies: bool,
    /// The most rows a list export writes at once; a larger selection becomes a background
    /// export. [`platform::page::MAX_EXPORT_ROWS`] in production; tests set it small.
    pub direct_export_rows: u32,
}

impl AppState {
    pub async fn tenant(&self, id: TenantId) -> Result<Tenant, WebError> {
        Ok(identity::queries::tenant(&self.db, id).await?)
    }
}

/// The whole application: pages, API, health checks, with logging and security headers.
pub fn router(state: AppState) -> Router {
    let (api, _) = api::router().split_for_parts();
    Router::new()
        .merge(pages::router())
        .merge(api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn ready(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(error) => {
            tracing::warn!(%error, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let elapsed: Duration = started.elapsed();
    tracing::info!(%method, %path, status = response.status().as_u16(), micros = elapsed.as_micros() as u64, "request");
    response
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
        ),
    ];
    for (name, value) in fixed {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    response
}
