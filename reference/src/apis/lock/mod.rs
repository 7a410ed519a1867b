//! The `lock` API (`/{tenant}/lock`): a lock store in the database, so every node agrees.
//!
//! `acquire` is one statement: insert the key, or take over its row only if that lock has
//! expired (`ON CONFLICT … DO UPDATE … WHERE shop_locks.expires_at <= now`); one row affected
//! means the caller holds the key. Of concurrent callers exactly one can affect the row: on
//! PostgreSQL the conflicting insert waits for the first and then re-checks the condition, on
//! SQLite writers run one at a time. The holder is the bearer token (its SHA-256): the same JWT
//! is the same holder. Nothing blocks: a held key answers `false` at once.

pub(crate) mod resolvers;

use tokio::task::JoinHandle;

use axum::Router;
use shopql_server_stubs::ApiResult;
use shopql_server_stubs::lock as api;

use crate::apis::shop::family_task;
use crate::apis::shop::metering::family_router;
use crate::background::OnShutdown;
use crate::state::AppState;
use crate::store::Store;

pub use self::resolvers::LockApi;

/// The API's router, mounted by `crate::http::router`.
pub fn router(state: &AppState) -> Router {
    let schema = api::schema_builder(LockApi {
        state: state.clone(),
    });
    family_router(state, "lock", "lock", schema)
}

/// Locks have no demo data.
pub async fn seed_demo(_state: &AppState) -> anyhow::Result<()> {
    Ok(())
}

/// Deletes expired locks (they are already free; this keeps the table small).
pub async fn sweep_expired(store: &Store, now_ms: i64) -> ApiResult<u64> {
    let statement = sqlx::query("DELETE FROM shop_locks WHERE expires_at <= $1").bind(now_ms);
    let done = store.write(statement).await?;
    Ok(done.rows_affected())
}

/// Sweeps expired locks every `sweep_interval_ms`, stopping on shutdown.
pub fn spawn_background(state: &AppState) -> Vec<JoinHandle<()>> {
    let step = |state: AppState| async move { sweep_expired(&state.store, state.now_ms()).await };
    family_task(state, "lock sweep", u64::MAX, OnShutdown::Stop, step)
}
