//! The HTTP surface: every API mounted at the path the real services use, plus `/healthz`,
//! `/livez`, `/readyz` and `/metrics` (see `observability.rs`).
//!
//! | path | API |
//! |---|---|
//! | `POST /client/graphql` | client |
//! | `POST /{tenant}/auth/token` | shop token endpoint (REST) |
//! | `POST /{tenant}/cart` | shop |
//! | `POST /{tenant}/cart/admin` | cart admin |
//! | `POST /{tenant}/lock` | lock |
//! | `POST /{tenant}/usage` | usage |
//! | `POST /purchase/graphql` | purchase |
//! | `POST /marketplace/graphql` | marketplace |
//!
//! `GET` on any GraphQL path serves GraphiQL (outside production mode).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;

use crate::apis;
use crate::observability;
use crate::state::AppState;

/// The whole application. Until start-up is done (migrations, demo data, revoking old demo
/// credentials) only `/livez`, `/readyz` and `/metrics` answer; everything else is `503
/// UNAVAILABLE`, so no request ever sees a half-migrated database.
pub fn router(state: AppState) -> Router {
    let mut operators = Router::new()
        .route("/livez", get(observability::livez))
        .route("/readyz", get(observability::readyz));
    if state.config.metrics {
        operators = operators.route("/metrics", get(observability::metrics));
    }
    let operators: Router = operators.with_state(state.clone());
    let rest: Router = Router::new()
        .route("/healthz", get(healthz))
        .merge(apis::shop::token_router(&state))
        .with_state(state.clone());
    Router::new()
        .nest("/client/graphql", apis::client::router(&state))
        .nest("/{tenant}/cart", apis::shop::router(&state))
        .nest("/{tenant}/cart/admin", apis::cart_admin::router(&state))
        .nest("/{tenant}/lock", apis::lock::router(&state))
        .nest("/{tenant}/usage", apis::usage::router(&state))
        .nest("/purchase/graphql", apis::purchase::router(&state))
        .nest("/marketplace/graphql", apis::marketplace::router(&state))
        .merge(rest)
        .layer(axum::middleware::from_fn_with_state(
            state,
            observability::until_started,
        ))
        .merge(operators)
}

/// Liveness and storage check: 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.health().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "storage": "unreachable" })),
        ),
    }
}

/// The start-up banner: every endpoint and the demo credentials.
pub fn banner(base: &str, database: &str, demo_data: bool) -> String {
    let mut lines = vec![
        format!("shopql reference server listening on {base}  (storage: {database})"),
        String::new(),
        format!("  GET  {base}/healthz"),
        format!(
            "  POST {base}/client/graphql       client API; header `commonground-origin: www.my-vinyl-store.com`"
        ),
        format!(
            "  POST {base}/demo/auth/token      shop token endpoint; headers x-crystallize-access-token-id / -secret"
        ),
        format!("  POST {base}/demo/cart            shop API (JWT scope `cart`)"),
        format!("  POST {base}/demo/cart/admin      cart admin (JWT scope `cart:admin`)"),
        format!("  POST {base}/demo/lock            lock store (JWT scope `lock`)"),
        format!("  POST {base}/demo/usage           usage counters (JWT scope `usage`)"),
        format!("  POST {base}/purchase/graphql     purchase cart API"),
        format!("  POST {base}/marketplace/graphql  marketplace seller API"),
        String::new(),
        "  Open any GraphQL path in a browser for GraphiQL.".to_string(),
    ];
    if demo_data {
        lines.extend([
            String::new(),
            "Demo credentials:".to_string(),
            "  client       customer buyer@example.com / demo-password (send both base64-encoded)".to_string(),
            "  shop et al.  tenant `demo`, access token id `demo-access-id`, secret `demo-access-secret`".to_string(),
            "  purchase     any user id that no token binds, for anonymous carts; `Authorization: Bearer demo-purchase-token` binds user b57d06db-1638-4d37-9734-fd01a9bc59aa".to_string(),
            "  marketplace  `Authorization: Bearer demo-seller-key` (or demo-seller-2-key)".to_string(),
        ]);
    }
    lines.join("\n")
}
