//! Background tasks: steps that run every few seconds (sweeps of expired carts, checkouts and
//! locks, the usage flush) until the server shuts down.
//!
//! The server stops them only after its last request has finished (see [`crate::RunningServer::stop`]),
//! and waits for each: a task whose last step must not be lost (the usage counters held in
//! memory) runs it once more then.

use std::future::Future;
use std::time::Duration;

use shopql_server_stubs::ApiResult;
use tokio::task::JoinHandle;

use crate::state::AppState;

/// What a periodic task does when the server shuts down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnShutdown {
    /// Stops at once (a sweep that the next start will do anyway).
    Stop,
    /// Runs its step a last time, then stops (state held in memory that would be lost).
    RunOnceMore,
}

/// Runs `step` every `every` until shutdown. A step is never cut short: it runs outside the wait
/// for shutdown, so a transaction in it commits or rolls back whole. A failed step is logged and
/// tried again at the next tick.
pub(crate) fn every<F, Fut, T>(
    state: &AppState,
    name: &'static str,
    every: Duration,
    on_shutdown: OnShutdown,
    step: F,
) -> JoinHandle<()>
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = ApiResult<T>> + Send,
    T: Send,
{
    let state = state.clone();
    tokio::spawn(async move {
        let mut shutdown = state.shutdown.clone();
        loop {
            let stopping = tokio::select! {
                () = tokio::time::sleep(every) => false,
                // An error means the sender is gone, which is a shutdown too.
                _ = shutdown.wait_for(|stop| *stop) => true,
            };
            if stopping && on_shutdown == OnShutdown::Stop {
                break;
            }
            if let Err(e) = step(state.clone()).await {
                tracing::warn!(task = name, error = %e, "background task failed");
            }
            if stopping {
                break;
            }
        }
    })
}
