//! What every API implementation shares.

use std::sync::Arc;

use shopql_server_stubs::ServerConfig;
use tokio::sync::watch;

use crate::apis::purchase::catalogs::Catalogs;
use crate::apis::purchase::combine::CartWriters;
use crate::auth::{DEMO_SECRET, JwtKeys};
use crate::clock::Clock;
use crate::config::Config;
use crate::limits::AbuseLimits;
use crate::observability::Observability;
use crate::store::Store;

/// The shared state: storage, signing keys, the clock and the configuration. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// JWT keys.
    pub keys: Arc<JwtKeys>,
    /// The clock (injectable in tests).
    pub clock: Arc<dyn Clock>,
    /// The configuration.
    pub config: Arc<Config>,
    /// Becomes `true` when the server shuts down; background tasks stop on it.
    pub shutdown: watch::Receiver<bool>,
    /// Rate limits shared by every API (token bucket, login and coupon budgets).
    pub limits: Arc<AbuseLimits>,
    /// The purchase API's store catalogues, kept for a few seconds.
    pub catalogs: Arc<Catalogs>,
    /// The purchase API's per-cart queues of mutations (write combining).
    pub cart_writers: Arc<CartWriters>,
    /// Metrics and readiness.
    pub observability: Arc<Observability>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("backend", &self.store.backend)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Builds the state; fails on a signing secret that is refused (short, or the demo secret
    /// outside demo mode).
    pub fn new(
        store: Store,
        config: Config,
        clock: Arc<dyn Clock>,
        shutdown: watch::Receiver<bool>,
    ) -> anyhow::Result<Self> {
        let secret = config
            .jwt_secret
            .clone()
            .unwrap_or_else(|| DEMO_SECRET.to_string());
        let keys = JwtKeys::new(&secret, config.demo)?;
        let limits = Arc::new(AbuseLimits::for_store(
            &config.rate_limits,
            clock.clone(),
            &store,
        ));
        let observability = Arc::new(Observability::for_store(&store));
        Ok(Self {
            store,
            keys: Arc::new(keys),
            limits,
            catalogs: Arc::default(),
            cart_writers: Arc::default(),
            observability,
            clock,
            config: Arc::new(config),
            shutdown,
        })
    }

    /// Now, in ms since the epoch.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The GraphQL server settings every API starts from (limits on; production mode turns off
    /// GraphiQL, introspection and suggestions). Every API charges the same token buckets, so
    /// a principal (or an address) has one budget for the whole server.
    pub fn server_config(&self, api: &str) -> ServerConfig {
        let mut c = ServerConfig::default().with_token_buckets(self.limits.buckets());
        c.trusted_proxy_hops = self.config.rate_limits.trusted_proxy_hops;
        c.api_name = api.to_string();
        c.metrics = self
            .config
            .metrics
            .then(|| self.observability.metrics.clone());
        c.persisted_queries = self.config.persisted_queries.clone();
        c.cors_allowed_origins = self.config.cors_allowed_origins.clone();
        c.compression = self.config.compression;
        c.resolver_spans = self.config.resolver_spans;
        if self.config.production {
            c.production()
        } else {
            c
        }
    }
}
