//! Server configuration, from flags and environment (see `main.rs`).

use std::net::SocketAddr;
use std::time::Duration;

pub use shopql_server_stubs::rate::TokenBucketConfig;

/// How the reference server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub addr: SocketAddr,
    /// `sqlite://FILE` (default `shopql.db`) or `postgres://…`.
    pub database_url: String,
    /// The JWT signing secret; `None` uses the built-in demo secret (demo mode only).
    pub jwt_secret: Option<String>,
    /// Demo mode: the built-in JWT secret is accepted.
    pub demo: bool,
    /// Seed the demo data on first start.
    pub seed: bool,
    /// Production mode: no GraphiQL, no introspection, no field suggestions.
    pub production: bool,
    /// Shop carts untouched this long expire (default 90 days: the seed's 3 months).
    pub cart_ttl_ms: i64,
    /// How often background sweeps (expired carts, checkouts, locks) run.
    pub sweep_interval_ms: u64,
    /// Abuse limits: the token bucket per principal, login and coupon budgets.
    pub rate_limits: RateLimits,
    /// SQLite's `synchronous` setting (FULL by default; see [`crate::store::SqliteSync`]).
    pub sqlite_sync: crate::store::SqliteSync,
    /// Connection limits: header and body read timeouts, the connection cap, the shutdown drain.
    pub connections: shopql_server_stubs::ConnectionLimits,
    /// Persisted queries: automatic (default), an allow-list, or off.
    pub persisted_queries: shopql_server_stubs::PersistedQueries,
    /// On shutdown, how long `/readyz` answers 503 while requests are still served, so that a
    /// load balancer stops sending before connections are refused (default 0).
    pub shutdown_delay: Duration,
    /// Origins allowed to call from a browser (CORS); empty (default) allows none.
    pub cors_allowed_origins: Vec<String>,
    /// gzip answers for clients that accept it (default off).
    pub compression: bool,
    /// A span per resolver inside each request's span (on when traces are exported).
    pub resolver_spans: bool,
    /// Prometheus metrics recorded and served at `/metrics` (default on).
    pub metrics: bool,
}

/// Abuse limits (on by default). Budgets are kept in PostgreSQL (shared by every node) or, on
/// SQLite, in memory, and timed by the server's clock; every resolver invocation counts, so
/// aliases in one document and the operations of a batch each count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// `false` turns every limit below off (for load benchmarks).
    pub enabled: bool,
    /// The token bucket of each principal (the verified caller: a customer, a shop access
    /// token, a purchase user, a seller; else the client IP), shared by every API: each root
    /// field of a query takes `query_cost` tokens and of a mutation `mutation_cost`. Default:
    /// 2,000 tokens, refilled at 100 per second, 1 per query field, 10 per mutation field.
    pub bucket: TokenBucketConfig,
    /// Wrong logins allowed per account (store and email) in `login_window`; the next attempt
    /// is `RATE_LIMITED` without checking the password (default 5).
    pub login_failures_per_account: u32,
    /// Wrong logins allowed per client IP in `login_window`, whatever the account (default 20).
    pub login_failures_per_ip: u32,
    /// The login window (default 15 minutes).
    pub login_window: Duration,
    /// Coupon and voucher checks allowed per principal in `coupon_window`: `validateVoucher`
    /// (shop), `validateCoupon` and `addCoupon` (purchase, per user or, anonymous, per cart),
    /// a voucher given to `checkoutUpdate` (client, per customer). Default 20.
    pub coupon_checks_per_principal: u32,
    /// Coupon and voucher checks allowed per client IP in `coupon_window`, all APIs together
    /// (default 60).
    pub coupon_checks_per_ip: u32,
    /// The coupon window (default 1 minute).
    pub coupon_window: Duration,
    /// Reverse proxies in front of the server that append to `X-Forwarded-For` (default 0: the
    /// client IP is the peer address).
    pub trusted_proxy_hops: usize,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            enabled: true,
            bucket: TokenBucketConfig::default(),
            login_failures_per_account: 5,
            login_failures_per_ip: 20,
            login_window: Duration::from_secs(15 * 60),
            coupon_checks_per_principal: 20,
            coupon_checks_per_ip: 60,
            coupon_window: Duration::from_secs(60),
            trusted_proxy_hops: 0,
        }
    }
}

impl RateLimits {
    /// Every limit off.
    pub fn off() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }
}

/// 90 days, the seed's "3 months without an update".
pub const DEFAULT_CART_TTL_MS: i64 = 90 * 24 * 3600 * 1000;

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 4000)),
            database_url: "sqlite://shopql.db".to_string(),
            jwt_secret: None,
            demo: true,
            seed: true,
            production: false,
            cart_ttl_ms: DEFAULT_CART_TTL_MS,
            sweep_interval_ms: 60_000,
            rate_limits: RateLimits::default(),
            sqlite_sync: crate::store::SqliteSync::default(),
            connections: shopql_server_stubs::ConnectionLimits::default(),
            persisted_queries: shopql_server_stubs::PersistedQueries::default(),
            shutdown_delay: Duration::ZERO,
            cors_allowed_origins: Vec::new(),
            compression: false,
            resolver_spans: false,
            metrics: true,
        }
    }
}

impl Config {
    /// A configuration for tests: an ephemeral port on 127.0.0.1, demo data, the given database.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.to_string(),
            ..Self::default()
        }
    }
}
