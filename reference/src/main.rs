//! `shopql-reference`: serves every shopql API. With no arguments: 127.0.0.1:4000, SQLite in
//! `shopql.db`, demo data and credentials printed at start-up. `shopql-reference admin …`
//! provisions credentials (see `shopql_reference::admin`).

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};
use shopql_reference::admin::{self, NewClientStore};
use shopql_reference::store::{SqliteSync, Store};
use shopql_reference::telemetry::{self, LogFormat};
use shopql_reference::{Config, RateLimits, start};
use shopql_server_stubs::{AllowList, ConnectionLimits, PersistedQueries};

// See the workspace manifest: faster small allocations, and memory returned under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The shopql reference server.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on.
    #[arg(long, env = "SHOPQL_ADDR", default_value = "127.0.0.1:4000")]
    addr: SocketAddr,
    /// Database: `sqlite://FILE` or `postgres://USER@HOST/DB` (PostgreSQL lets several servers share it).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://shopql.db",
        global = true
    )]
    database_url: String,
    /// JWT signing secret (at least 32 bytes). Without it the built-in demo secret is used, which
    /// implies --demo. With it and without --demo no demo data is loaded and no demo credential
    /// is accepted.
    #[arg(long, env = "SHOPQL_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// Demo mode: accept the built-in JWT secret, load the demo data and its credentials.
    #[arg(long, env = "SHOPQL_DEMO")]
    demo: bool,
    /// Do not load the demo data (outside demo mode none is loaded anyway).
    #[arg(long, env = "SHOPQL_NO_SEED")]
    no_seed: bool,
    /// Production mode: no GraphiQL, no introspection, no field suggestions.
    #[arg(long, env = "SHOPQL_PRODUCTION")]
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
    /// Browser origins allowed to call the APIs (CORS), comma-separated; `*` for any. Default
    /// none.
    #[arg(
        long = "cors-origin",
        env = "SHOPQL_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
    /// gzip answers for clients that accept it.
    #[arg(long, env = "SHOPQL_COMPRESSION")]
    compression: bool,
    /// Record no Prometheus metrics and serve no `/metrics` (for deployments that scrape
    /// nothing; recording costs under 3 % of a read, see bench/REPORT.md).
    #[arg(long, env = "SHOPQL_NO_METRICS")]
    no_metrics: bool,
    /// Log lines as `text` (default) or `json` (one object a line, with the request id of the
    /// request that logged it).
    #[arg(long, env = "SHOPQL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Log filter, e.g. `info`, `debug`, `shopql_reference=debug,sqlx=warn`.
    #[arg(long, env = "RUST_LOG", default_value = "info,sqlx=warn")]
    log: String,
    /// Send OpenTelemetry traces (a span per request and per resolver) to this OTLP/HTTP
    /// collector, e.g. `http://127.0.0.1:4318` (needs the `otel` feature, on by default).
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    otlp_endpoint: Option<String>,
}

/// `shopql-reference admin …`.
#[derive(Debug, Subcommand)]
enum Command {
    /// Create and revoke credentials: each secret is printed once and stored only as a hash.
    Admin {
        #[command(subcommand)]
        what: Admin,
    },
}

#[derive(Debug, Subcommand)]
enum Admin {
    /// Shop, cart admin, lock and usage tenants.
    Tenant {
        #[command(subcommand)]
        action: TenantAction,
    },
    /// Access key pairs of an existing tenant (they mint its JWTs).
    AccessKey {
        #[command(subcommand)]
        action: AccessKeyAction,
    },
    /// Marketplace sellers and their API keys.
    Seller {
        #[command(subcommand)]
        action: SellerAction,
    },
    /// Purchase API tokens, each bound to one user id.
    PurchaseToken {
        #[command(subcommand)]
        action: PurchaseTokenAction,
    },
    /// Client API stores: the origin (`CommonGround-Origin`) that reaches each.
    ClientStore {
        #[command(subcommand)]
        action: ClientStoreAction,
    },
}

#[derive(Debug, Subcommand)]
enum TenantAction {
    /// Create a tenant and its first access key pair.
    Create {
        /// The tenant identifier, as in `/{tenant}/cart` (a-z, 0-9, -).
        tenant: String,
    },
    /// Revoke every access key pair of a tenant.
    Revoke {
        /// The tenant identifier.
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
enum AccessKeyAction {
    /// Another access key pair for a tenant.
    Create {
        /// The tenant identifier.
        tenant: String,
    },
    /// Revoke one access key pair by its id.
    Revoke {
        /// The access key id (`x-crystallize-access-token-id`).
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum SellerAction {
    /// Create a seller with an API key.
    Create {
        /// The seller's business name.
        #[arg(long)]
        name: String,
    },
    /// Replace a seller's API key with a new one.
    Rotate {
        /// The seller id that `seller create` printed.
        #[arg(long)]
        id: i64,
    },
    /// Revoke a seller's API key.
    Revoke {
        /// The seller id.
        #[arg(long)]
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
enum PurchaseTokenAction {
    /// A new token bound to a user id (the user's carts become the customer's).
    Create {
        /// The user id the token binds (the `userId` of its carts).
        #[arg(long)]
        user_id: String,
    },
    /// Revoke one token, or every token of a user.
    Revoke {
        /// The token itself.
        #[arg(long, conflicts_with = "user_id", required_unless_present = "user_id")]
        token: Option<String>,
        /// Every token of this user id.
        #[arg(long)]
        user_id: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ClientStoreAction {
    /// Create a store for an origin.
    Create(NewClientStore),
    /// Revoke the store of an origin (its data stays; the origin stops answering).
    Revoke {
        /// The store's domain.
        #[arg(long)]
        origin: String,
    },
}

/// Runs one admin command against the database; the output is what to print.
async fn admin(database_url: &str, what: Admin) -> anyhow::Result<String> {
    let store = Store::connect(database_url).await?;
    store.migrate().await?;
    let out = admin_on(&store, what).await;
    store.close().await;
    out
}

async fn admin_on(store: &Store, what: Admin) -> anyhow::Result<String> {
    let revoked = |what: &str, n: u64| {
        if n == 0 {
            anyhow::bail!("nothing to revoke: no live {what}");
        }
        Ok(format!("revoked {n} {what}"))
    };
    let pair = |k: admin::AccessKey| {
        format!(
            "tenant: {}\naccess key id: {}\naccess key secret: {}\n(the secret is shown only now)",
            k.tenant, k.id, k.secret
        )
    };
    let seller = |k: admin::SellerKey| {
        format!(
            "seller id: {}\nAPI key: {}\n(the key is shown only now)",
            k.seller_id, k.api_key
        )
    };
    match what {
        Admin::Tenant { action } => match action {
            TenantAction::Create { tenant } => {
                Ok(pair(admin::create_tenant(store, &tenant).await?))
            }
            TenantAction::Revoke { tenant } => revoked(
                "access key pair(s)",
                admin::revoke_tenant(store, &tenant).await?,
            ),
        },
        Admin::AccessKey { action } => match action {
            AccessKeyAction::Create { tenant } => {
                Ok(pair(admin::create_access_key(store, &tenant).await?))
            }
            AccessKeyAction::Revoke { id } => revoked(
                "access key pair",
                u64::from(admin::revoke_access_key(store, &id).await?),
            ),
        },
        Admin::Seller { action } => match action {
            SellerAction::Create { name } => Ok(seller(admin::create_seller(store, &name).await?)),
            SellerAction::Rotate { id } => Ok(seller(admin::rotate_seller_key(store, id).await?)),
            SellerAction::Revoke { id } => revoked(
                "seller API key",
                u64::from(admin::revoke_seller(store, id).await?),
            ),
        },
        Admin::PurchaseToken { action } => match action {
            PurchaseTokenAction::Create { user_id } => {
                let token = admin::create_purchase_token(store, &user_id).await?;
                Ok(format!(
                    "user id: {}\npurchase token: {token}\n(the token is shown only now)",
                    user_id.trim()
                ))
            }
            PurchaseTokenAction::Revoke { token, user_id } => revoked(
                "purchase token(s)",
                admin::revoke_purchase_tokens(store, token.as_deref(), user_id.as_deref()).await?,
            ),
        },
        Admin::ClientStore { action } => match action {
            ClientStoreAction::Create(new) => {
                let id = admin::create_client_store(store, &new).await?;
                Ok(format!("client store id (configRef): {id}"))
            }
            ClientStoreAction::Revoke { origin } => revoked(
                "client store",
                u64::from(admin::revoke_client_store(store, &origin).await?),
            ),
        },
    }
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
    if let Some(Command::Admin { what }) = args.command {
        // An operator's mistake is a one-line message and exit status 1, not a backtrace.
        match admin(&args.database_url, what).await {
            Ok(out) => println!("{out}"),
            Err(e) => {
                eprintln!("error: {e:#}");
                std::process::exit(1);
            }
        }
        return Ok(());
    }
    let telemetry = telemetry::init(&args.log, args.log_format, args.otlp_endpoint.as_deref())?;
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
        // Outside demo mode nothing is seeded, whatever --no-seed says.
        seed: demo && !args.no_seed,
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
        cors_allowed_origins: args.cors_origins,
        compression: args.compression,
        resolver_spans: args.otlp_endpoint.is_some(),
        metrics: !args.no_metrics,
        ..Config::default()
    };
    let server = start(config).await?;
    println!(
        "{}",
        shopql_reference::http::banner(
            &server.base_url(),
            &args.database_url,
            demo && !args.no_seed
        )
    );
    shopql_server_stubs::http::shutdown_signal().await;
    tracing::info!("shutting down: finishing in-flight requests, then the last background steps");
    let stopped = server.stop().await;
    telemetry.shutdown();
    stopped
}
