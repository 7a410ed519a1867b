//! `shopql-reference`: serves every shopql API. With no arguments: 127.0.0.1:4000, SQLite in
//! `shopql.db`, demo data and credentials printed at start-up.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use shopql_reference::store::SqliteSync;
use shopql_reference::{Config, RateLimits, start};
use shopql_server_stubs::{AllowList, ConnectionLimits, PersistedQueries};

// See the workspace manifest: faster small allocations, and memory returned under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The shopql reference server.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4000")]
    addr: SocketAddr,
    /// Database: `sqlite://FILE` or `postgres://USER@HOST/DB` (PostgreSQL lets several servers share it).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://shopql.db")]
    database_url: String,
    /// JWT signing secret (at least 32 bytes). Without it the built-in demo secret is used, which implies --demo.
    #[arg(long, env = "SHOPQL_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// Demo mode: accept the built-in JWT secret.
    #[arg(long)]
    demo: bool,
    /// Do not load the demo data.
    #[arg(long)]
    no_seed: bool,
    /// Production mode: no GraphiQL, no introspection, no field suggestions.
    #[arg(long)]
    production: bool,
    /// Turn the abuse limits off: the token bucket per caller (2,000 tokens, 100 per second, a
    /// query field 1, a mutation field 10) and the login and coupon budgets. For load benchmarks.
    #[arg(long, env = "SHOPQL_NO_RATE_LIMITS")]
    no_rate_limits: bool,
    /// Reverse proxies in front of the server that append the client address to
    /// X-Forwarded-For; 0 (default) uses the peer address and ignores the header.
    #[arg(long, env = "SHOPQL_TRUSTED_PROXY_HOPS", default_value_t = 0)]
    trusted_proxy_hops: usize,
    /// SQLite durability: `full` (default) fsyncs every commit, so acknowledged writes survive a
    /// power loss; `normal` fsyncs at checkpoints: writes survive a crash of the server but the
    /// last ones may be lost on power loss, for several times the write throughput.
    #[arg(long, env = "SHOPQL_SQLITE_SYNCHRONOUS", value_enum, default_value_t = SqliteSync::Full)]
    sqlite_synchronous: SqliteSync,
    /// Most connections open at once; a connection over the cap is closed as soon as it is
    /// accepted.
    #[arg(long, env = "SHOPQL_MAX_CONNECTIONS", default_value_t = 4096)]
    max_connections: usize,
    /// Seconds a client has to send a request's headers, idle keep-alive time included; then
    /// the connection is closed.
    #[arg(long, env = "SHOPQL_HEADER_TIMEOUT", default_value_t = 10)]
    header_timeout: u64,
    /// Seconds a client has to send a whole request body; then it is answered 408.
    #[arg(long, env = "SHOPQL_BODY_TIMEOUT", default_value_t = 30)]
    body_timeout: u64,
    /// Seconds in-flight requests may take to finish on SIGTERM/SIGINT before they are cut.
    #[arg(long, env = "SHOPQL_DRAIN_TIMEOUT", default_value_t = 30)]
    drain_timeout: u64,
    /// Persisted queries: `automatic` (default; clients register documents by hash), `off`, or
    /// an allow-list read from --persisted-queries-manifest.
    #[arg(long, env = "SHOPQL_PERSISTED_QUERIES", value_enum, default_value_t = PersistedMode::Automatic)]
    persisted_queries: PersistedMode,
    /// An Apollo persisted-query manifest (JSON): only its operations run. Implies the allow-list.
    #[arg(long, env = "SHOPQL_PERSISTED_QUERIES_MANIFEST")]
    persisted_queries_manifest: Option<std::path::PathBuf>,
    /// Seconds `/readyz` answers 503 on SIGTERM before the server stops accepting connections,
    /// so that a load balancer stops sending first.
    #[arg(long, env = "SHOPQL_SHUTDOWN_DELAY", default_value_t = 0)]
    shutdown_delay: u64,
    /// Log filter, e.g. `info`, `debug`, `shopql_reference=debug,sqlx=warn`.
    #[arg(long, env = "RUST_LOG", default_value = "info,sqlx=warn")]
    log: String,
}

/// `--persisted-queries`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PersistedMode {
    /// Any document may be registered by its hash.
    Automatic,
    /// Only the manifest's documents run.
    AllowList,
    /// Hashes are refused; query texts run.
    Off,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&args.log)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let demo = args.demo || args.jwt_secret.is_none();
    if args.production && demo {
        anyhow::bail!("--production needs --jwt-secret (at least 32 bytes) and no --demo");
    }
    let persisted_queries = match (args.persisted_queries, &args.persisted_queries_manifest) {
        (PersistedMode::Off, None) => PersistedQueries::Off,
        (PersistedMode::Automatic, None) => PersistedQueries::default(),
        (PersistedMode::AllowList, None) => {
            anyhow::bail!("--persisted-queries allow-list needs --persisted-queries-manifest FILE")
        }
        (_, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let list = AllowList::from_manifest(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            PersistedQueries::AllowList(std::sync::Arc::new(list))
        }
    };
    let config = Config {
        addr: args.addr,
        database_url: args.database_url.clone(),
        jwt_secret: args.jwt_secret,
        demo,
        seed: !args.no_seed,
        production: args.production,
        rate_limits: RateLimits {
            trusted_proxy_hops: args.trusted_proxy_hops,
            ..if args.no_rate_limits {
                RateLimits::off()
            } else {
                RateLimits::default()
            }
        },
        sqlite_sync: args.sqlite_synchronous,
        connections: ConnectionLimits {
            max_connections: args.max_connections.max(1),
            header_read_timeout: Duration::from_secs(args.header_timeout),
            body_read_timeout: Duration::from_secs(args.body_timeout),
            drain_timeout: Duration::from_secs(args.drain_timeout),
        },
        persisted_queries,
        shutdown_delay: Duration::from_secs(args.shutdown_delay),
        ..Config::default()
    };
    let server = start(config).await?;
    println!(
        "{}",
        shopql_reference::http::banner(&server.base_url(), &args.database_url, !args.no_seed)
    );
    shopql_server_stubs::http::shutdown_signal().await;
    tracing::info!("shutting down: finishing in-flight requests, then the last background steps");
    server.stop().await
}
