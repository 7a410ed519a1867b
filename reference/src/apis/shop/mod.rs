//! The `shop` API (`/{tenant}/cart`) and what the shop family shares: tenants and the token
//! endpoint (`POST /{tenant}/auth/token`), the scope/tenant authenticator, the catalogue, cart
//! storage, hydration and the cart views also used by cart-admin.

pub mod auth;
pub(crate) mod carts;
pub(crate) mod catalogue;
pub(crate) mod compute;
pub mod counters;
pub mod demo;
pub(crate) mod input;
pub(crate) mod metering;
pub(crate) mod model;
pub(crate) mod order_intent;
pub(crate) mod promotions;
pub(crate) mod resolvers;
pub(crate) mod tenants;
pub(crate) mod view;

use std::time::Duration;

use tokio::task::JoinHandle;

use axum::Router;
use shopql_server_stubs::ApiResult;

use crate::apis::shop::metering::family_router;
use crate::background::{self, OnShutdown};
use crate::state::AppState;

/// The API's router, mounted by `crate::http::router`: JWT with scope `cart` for the path's
/// tenant; requests are counted for the usage API.
pub fn router(state: &AppState) -> Router {
    let schema = shopql_server_stubs::shop::schema_builder(resolvers::ShopApi::new(state));
    family_router(state, "shop", "cart", schema)
}

/// Loads the demo tenant, catalogue and carts, once per database.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    demo::seed(state).await
}

/// Runs the cart sweeps once: expired carts are deleted, stale carts abandoned.
pub async fn sweep(state: &AppState) -> ApiResult<(u64, u64)> {
    let now = state.now_ms();
    let expired = carts::sweep_expired(&state.store, now).await?;
    let abandoned = carts::abandon_stale(&state.store, now).await?;
    Ok((expired, abandoned))
}

/// Starts the cart sweeps (every `sweep_interval_ms`), stopping on shutdown.
pub fn spawn_background(state: &AppState) -> Vec<JoinHandle<()>> {
    let step = |state: AppState| async move { sweep(&state).await };
    family_task(state, "shop cart sweep", u64::MAX, OnShutdown::Stop, step)
}

/// The one background task of a shop-family API: `step` every `sweep_interval_ms` (at least
/// 10 ms, at most `max_ms`) until shutdown, then as `on_shutdown` says.
pub(crate) fn family_task<F, Fut, T>(
    state: &AppState,
    name: &'static str,
    max_ms: u64,
    on_shutdown: OnShutdown,
    step: F,
) -> Vec<JoinHandle<()>>
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = ApiResult<T>> + Send,
    T: Send,
{
    let every = Duration::from_millis(state.config.sweep_interval_ms.clamp(10, max_ms));
    vec![background::every(state, name, every, on_shutdown, step)]
}

/// The REST token endpoint `POST /{tenant}/auth/token`.
pub fn token_router(_state: &AppState) -> Router<AppState> {
    tenants::router()
}
