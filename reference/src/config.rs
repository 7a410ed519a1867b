//! Server configuration, from flags and environment (see `main.rs`).

use std::net::SocketAddr;

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
