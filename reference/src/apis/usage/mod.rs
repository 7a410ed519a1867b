//! The `usage` API (`/{tenant}/usage`): per tenant and UTC day, the requests each shop-family
//! API and root field served, and the carts hydrated, placed and paid.

pub(crate) mod resolvers;

use std::time::Duration;

use tokio::task::JoinHandle;

use axum::Router;
use shopql_server_stubs::usage as api;

use crate::apis::shop::auth::ScopeAuthenticator;
use crate::apis::shop::{counters, metering};
use crate::background::{self, OnShutdown};
use crate::state::AppState;

pub(crate) use self::resolvers::UsageApi;

/// The API's router, mounted by `crate::http::router`.
pub(crate) fn router(state: &AppState) -> Router {
    let config = state
        .server_config("usage")
        .with_authenticator(ScopeAuthenticator::new(state, "usage"));
    let router = shopql_server_stubs::http::router(
        api::schema_builder(UsageApi {
            state: state.clone(),
        }),
        config,
    );
    metering::count_requests(router, state, "usage")
}

/// Usage has no demo data.
pub(crate) async fn seed_demo(_state: &AppState) -> anyhow::Result<()> {
    Ok(())
}

/// Flushes this node's counters every few seconds, and once more on shutdown.
pub(crate) fn spawn_background(state: &AppState) -> Vec<JoinHandle<()>> {
    let every = Duration::from_millis(state.config.sweep_interval_ms.clamp(10, 10_000));
    vec![background::every(
        state,
        "usage flush",
        every,
        OnShutdown::RunOnceMore,
        |state| async move { counters::flush(&state).await },
    )]
}
