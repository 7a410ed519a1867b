//! # shopql-reference
//!
//! The reference implementation of every shopql API: one server with real storage (SQLite
//! embedded by default, PostgreSQL for several nodes), authentication, pricing, tax,
//! promotions, stock and locks. Each API module implements the resolver trait that
//! `shopql-server-stubs` generates from `schemas/`.
//!
//! Layout: `domain/` holds the rules (no I/O), `store/` the database, `auth/` passwords and
//! tokens, `apis/<api>/` one implementation per API, `http.rs` the routes, `limits.rs` the
//! abuse limits every API shares (token bucket, login and coupon budgets).

#![warn(missing_docs, unreachable_pub)]

pub mod admin;
pub mod apis;
pub mod auth;
pub(crate) mod background;
pub(crate) mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub(crate) mod limits;
pub(crate) mod observability;
pub(crate) mod state;
pub mod store;
pub mod telemetry;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, RateLimits};
pub use state::AppState;
pub use store::Store;

/// A server started by [`start`]: its address, its state, and a way to stop it.
#[derive(Debug)]
pub struct RunningServer {
    /// The address it listens on (the real port when 0 was asked).
    pub addr: SocketAddr,
    /// The shared state (tests use its store and clock).
    pub state: AppState,
    stop_http: watch::Sender<bool>,
    stop_background: watch::Sender<bool>,
    http: JoinHandle<std::io::Result<()>>,
    background: Vec<JoinHandle<()>>,
}

impl RunningServer {
    /// `http://addr`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Shuts down in order, so that nothing acknowledged or counted is lost: stops accepting
    /// connections, lets in-flight requests finish (at most the configured drain timeout), then
    /// stops the background tasks and waits for their last step (the usage flush), then closes
    /// the database pools.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.state.observability.set_ready(false);
        tokio::time::sleep(self.state.config.shutdown_delay).await;
        let _ = self.stop_http.send(true);
        let served = self.http.await;
        let _ = self.stop_background.send(true);
        for task in self.background {
            if let Err(e) = task.await {
                tracing::warn!(error = %e, "a background task ended abnormally");
            }
        }
        self.state.store.close().await;
        served??;
        Ok(())
    }
}

/// Connects to storage, migrates, seeds the demo data (when configured), starts background
/// tasks and serves on `config.addr`.
pub async fn start(config: Config) -> anyhow::Result<RunningServer> {
    start_with_clock(config, Arc::new(SystemClock)).await
}

/// [`start`] with a given clock (tests move a [`ManualClock`]).
pub async fn start_with_clock(
    config: Config,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<RunningServer> {
    let store = Store::connect_with(&config.database_url, config.sqlite_sync).await?;
    let (stop_http, http_stopped) = watch::channel(false);
    let (stop_background, background_stopped) = watch::channel(false);
    // Demo data (and its published credentials) belong to demo mode only.
    let seed = config.seed && config.demo;
    let demo = config.demo;
    let addr = config.addr;
    let connections = config.connections.clone();
    let state = AppState::new(store, config, clock, background_stopped)?;
    // Listening first: `/livez` answers and `/readyz` says "not ready" while migrations and demo
    // data run, so an orchestrator can tell a slow start from a dead one.
    let app = http::router(state.clone());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let mut stop = http_stopped;
    let http = tokio::spawn(shopql_server_stubs::serve::serve_with(
        listener,
        app,
        async move {
            let _ = stop.wait_for(|s| *s).await;
        },
        connections,
    ));
    let prepared = async {
        state.store.migrate().await?;
        if !demo {
            admin::revoke_demo_credentials(&state.store).await?;
        }
        if seed {
            apis::seed_demo(&state).await?;
        }
        anyhow::Ok(())
    }
    .await;
    if let Err(e) = prepared {
        let _ = stop_http.send(true);
        let _ = http.await;
        state.store.close().await;
        return Err(e);
    }
    let mut background = apis::spawn_background(&state);
    background.extend(limits::spawn_background(&state));
    state.observability.set_ready(true);
    Ok(RunningServer {
        addr,
        state,
        stop_http,
        stop_background,
        http,
        background,
    })
}
