//! What operators watch: Prometheus metrics (`GET /metrics`), liveness (`GET /livez`) and
//! readiness (`GET /readyz`).
//!
//! - `/livez` is 200 while the process serves HTTP at all.
//! - `/readyz` is 200 only once migrations and demo data are done, while the server is not
//!   shutting down, and while storage answers; a load balancer sends traffic only then.
//! - `/metrics` holds the GraphQL endpoints' metrics (operations, latency, errors by code,
//!   rate-limit refusals: [`shopql_server_stubs::metrics`]) and the database pools' use.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use serde_json::json;
use shopql_server_stubs::metrics::Metrics;

use crate::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
    state: &'static str,
}

/// The server's metrics registry, its GraphQL metrics and its readiness.
#[derive(Debug)]
pub struct Observability {
    registry: Registry,
    /// Given to every endpoint's `ServerConfig`.
    pub metrics: Arc<Metrics>,
    pool: Family<PoolLabels, Gauge>,
    started: AtomicBool,
    ready: AtomicBool,
}

impl Default for Observability {
    fn default() -> Self {
        let mut registry = Registry::default();
        let metrics = Arc::new(Metrics::register(&mut registry));
        let pool = Family::<PoolLabels, Gauge>::default();
        registry.sub_registry_with_prefix("shopql").register(
            "db_pool_connections",
            "Database connections per pool (readers, writer) and state (idle, in_use)",
            pool.clone(),
        );
        Self {
            registry,
            metrics,
            pool,
            started: AtomicBool::new(false),
            ready: AtomicBool::new(false),
        }
    }
}

impl Observability {
    /// The registry with the storage's own counters too (on a SQLite file: commits and the
    /// writes they held, whose ratio is the group commit's batch size).
    pub fn for_store(store: &crate::store::Store) -> Self {
        let mut o = Self::default();
        if let Some((commits, writes)) = store.group_commit_counters() {
            let shopql = o.registry.sub_registry_with_prefix("shopql");
            shopql.register(
                "sqlite_commits",
                "Commits (and fsyncs) of the SQLite writer; each holds one or more writes",
                commits,
            );
            shopql.register(
                "sqlite_committed_writes",
                "Write transactions committed on SQLite (over commits: writes per fsync)",
                writes,
            );
        }
        o
    }

    /// Marks the server ready (start-up done: requests are served from now on) or not (shutting
    /// down: requests are still served while they drain).
    pub fn set_ready(&self, ready: bool) {
        if ready {
            self.started.store(true, Ordering::SeqCst);
        }
        self.ready.store(ready, Ordering::SeqCst);
    }

    /// Whether start-up is done and shutdown has not begun.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }
}

/// Answers `503 UNAVAILABLE` (retry in a second) to every request until start-up is done.
pub(crate) async fn until_started(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if state.observability.started.load(Ordering::SeqCst) {
        return next.run(request).await;
    }
    let body = json!({ "errors": [{ "message": "the server is starting; retry shortly",
        "extensions": { "code": "UNAVAILABLE" } }] });
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1")],
        Json(body),
    )
        .into_response()
}

/// `GET /livez`.
pub(crate) async fn livez() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: 200 when ready and storage answers, else 503 with the reason.
pub(crate) async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if !state.observability.is_ready() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "reason": "starting or shutting down" })),
        );
    }
    match state.store.health().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "reason": "storage unreachable" })),
        ),
    }
}

/// `GET /metrics`, in the Prometheus text format.
pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let o = &state.observability;
    for (pool, size, idle) in state.store.pool_use() {
        let gauge = |s| o.pool.get_or_create(&PoolLabels { pool, state: s }).clone();
        gauge("idle").set(i64::from(idle));
        gauge("in_use").set(i64::from(size.saturating_sub(idle)));
    }
    let mut text = String::new();
    match prometheus_client::encoding::text::encode(&mut text, &o.registry) {
        Ok(()) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        ),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "cannot encode the metrics".to_string(),
        ),
    }
}
