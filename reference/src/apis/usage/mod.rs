//! The `usage` API (`/{tenant}/usage`): per tenant and UTC day, the requests each shop-family
//! API and root field served, and the carts hydrated, placed and paid.

pub(crate) mod resolvers;

use tokio::task::JoinHandle;

use axum::Router;
use shopql_server_stubs::usage as api;

use crate::apis::shop::{counters, family_task, metering};
use crate::background::OnShutdown;
use crate::state::AppState;

pub(crate) use self::resolvers::UsageApi;

/// The API's router, mounted by `crate::http::router`.
pub(crate) fn router(state: &AppState) -> Router {
    let schema = api::schema_builder(UsageApi {
        state: state.clone(),
    });
    metering::family_router(state, "usage", "usage", schema)
}

/// Usage has no demo data.
pub(crate) async fn seed_demo(_state: &AppState) -> anyhow::Result<()> {
    Ok(())
}

/// Flushes this node's counters every few seconds, and once more on shutdown.
pub(crate) fn spawn_background(state: &AppState) -> Vec<JoinHandle<()>> {
    let step = |state: AppState| async move { counters::flush(&state).await };
    family_task(state, "usage flush", 10_000, OnShutdown::RunOnceMore, step)
}
