//! The HTTP application: routes, shared state, health, metrics, limits.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use halint::{Finding, LintInput};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::cache::ClusterCache;
use crate::handler::{self, Mode};
use crate::metrics::Metrics;

/// The API server never sends more than a few MiB (etcd's default request limit is
/// 1.5 MiB, and an UPDATE carries two objects); anything larger is not from it.
pub const BODY_LIMIT: usize = 3 * 1024 * 1024;

/// From the start of a request to its response. Well under the webhook's
/// `timeoutSeconds` (3 in deploy/), so that a stuck request is ours to report and not the
/// API server's to time out.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// How long one admission decision may take once its body is read. A decision takes
/// tens of microseconds; one still running after this is stuck, and the request is
/// allowed with a warning rather than left for the API server to time out.
pub const DECISION_DEADLINE: Duration = Duration::from_secs(1);

/// Admission requests read, parsed and judged at once. Bounds memory (each may hold a
/// body of up to [`BODY_LIMIT`] and its parsed form) and the blocking threads decisions
/// run on. More wait for a slot up to [`DECISION_DEADLINE`], then get a 503.
pub const MAX_IN_FLIGHT: usize = 32;

/// The function that lints: `halint::lint` in the binary. A parameter so that the
/// tests can hand the handler one that panics or stalls, and no fault trigger ships.
pub type Engine = Arc<dyn Fn(&LintInput<'_>) -> Vec<Finding> + Send + Sync>;

/// What every request handler shares.
pub struct AppState {
    pub mode: Mode,
    pub config: halint::config::Config,
    /// `None` with `--no-cluster`: each object is judged alone.
    pub cluster: Option<Arc<ClusterCache>>,
    pub metrics: Arc<Metrics>,
    pub engine: Engine,
    /// See [`DECISION_DEADLINE`].
    pub deadline: Duration,
    /// See [`MAX_IN_FLIGHT`].
    pub in_flight: Arc<Semaphore>,
}

impl AppState {
    /// The production state: `halint::lint`, the default deadline and in-flight cap.
    pub fn new(
        mode: Mode,
        config: halint::config::Config,
        cluster: Option<Arc<ClusterCache>>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            mode,
            config,
            cluster,
            metrics,
            engine: Arc::new(|input: &LintInput<'_>| halint::lint(input)),
            deadline: DECISION_DEADLINE,
            in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
        }
    }
}

/// One of the [`MAX_IN_FLIGHT`] admission slots, held until the request is answered
/// and its decision (which may outlive a timed-out request) has finished.
#[derive(Clone)]
pub struct Slot(#[allow(dead_code)] Arc<OwnedSemaphorePermit>);

/// An error text attached to an error response, for the one log line per failed request.
#[derive(Clone, Debug)]
pub struct ErrorDetail(pub String);

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(
            "/validate",
            post(handler::validate).route_layer(middleware::from_fn_with_state(
                Arc::clone(&state),
                admission_slot,
            )),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(request_timeout))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            log_errors,
        ))
        .with_state(state)
}

/// Liveness: the process answers. Nothing else, so that a slow API server never gets
/// the webhook's pods restarted.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: TLS is loaded (the server would not be listening otherwise), every cache
/// has finished its first list, so no decision is made on an empty view, and no watch
/// has been failing for longer than [`crate::cache::Staleness`] allows.
async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    match &state.cluster {
        None => "ok".into_response(),
        Some(cache) => {
            let pending = cache.unsynced();
            let stale = cache.stale();
            if !pending.is_empty() {
                let detail = format!("caches not synced: {}", pending.join(", "));
                (StatusCode::SERVICE_UNAVAILABLE, detail).into_response()
            } else if !stale.is_empty() {
                let kinds: Vec<String> = stale
                    .iter()
                    .map(|(kind, failing)| {
                        format!("{kind} (watch failing for {}s)", failing.as_secs())
                    })
                    .collect();
                let detail = format!("caches stale: {}", kinds.join(", "));
                (StatusCode::SERVICE_UNAVAILABLE, detail).into_response()
            } else {
                "ok".into_response()
            }
        }
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    if let Some(cache) = &state.cluster {
        cache.report(&state.metrics);
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Waits for an admission slot before the body is read, so that bodies in memory are
/// bounded by the slots and not by the connections.
async fn admission_slot(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let acquire = Arc::clone(&state.in_flight).acquire_owned();
    match tokio::time::timeout(state.deadline, acquire).await {
        Ok(Ok(permit)) => {
            request.extensions_mut().insert(Slot(Arc::new(permit)));
            next.run(request).await
        }
        _ => {
            let text = "too many admission requests in flight";
            let mut response = (StatusCode::SERVICE_UNAVAILABLE, text).into_response();
            response.extensions_mut().insert(ErrorDetail(text.into()));
            response
        }
    }
}

async fn request_timeout(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let mut response =
                (StatusCode::SERVICE_UNAVAILABLE, "request timed out").into_response();
            response
                .extensions_mut()
                .insert(ErrorDetail("request timed out".into()));
            response
        }
    }
}

/// One log line and one metric for every request answered with an HTTP error: wrong
/// method, unknown path, body too large, not an AdmissionReview, timeout.
async fn log_errors(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        let detail = response
            .extensions()
            .get::<ErrorDetail>()
            .map(|d| d.0.as_str())
            .unwrap_or_else(|| status.canonical_reason().unwrap_or(""));
        tracing::warn!(%method, path, status = status.as_u16(), error = detail, "request rejected");
        state.metrics.http_error(status.as_u16());
    }
    response
}
