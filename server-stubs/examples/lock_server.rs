//! A complete lock API from one trait implementation: an in-memory lock store with TTLs, keys per
//! tenant, the bearer token as the holder. async-graphql parses, validates and executes; the
//! runtime serves POST (and GET queries), GraphiQL on GET, limits, request ids and tracing.
//!
//! ```text
//! cargo run -p shopql-server-stubs --example lock_server
//! open http://127.0.0.1:4001/demo/lock        # GraphiQL
//! curl -s http://127.0.0.1:4001/demo/lock -H 'authorization: Bearer me' -H 'content-type: application/json' \
//!      -d '{"query":"mutation { acquire(key: \"order:42\", ttl: 30) }"}'
//! ```

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use shopql_server_stubs::async_trait::async_trait;
use shopql_server_stubs::lock::{LockResolvers, LockStatus};
use shopql_server_stubs::{ApiError, ApiResult, FieldContext as Ctx};

// ---- the implementation ----
/// (tenant, key) → (holder's bearer token, acquired at, expires at).
type Held = HashMap<(Option<String>, String), (Option<String>, DateTime<Utc>, DateTime<Utc>)>;

#[derive(Default)]
struct Locks(Mutex<Held>);

#[async_trait]
impl LockResolvers for Locks {
    async fn lock(&self, ctx: &Ctx<'_>, key: String) -> ApiResult<Option<LockStatus>> {
        let locks = self.0.lock().map_err(ApiError::internal)?;
        let lock = locks.get(&(ctx.tenant().map(Into::into), key.clone()));
        let lock = lock.filter(|l| l.2 > Utc::now()); // expired locks are released
        let time = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        Ok(Some(LockStatus {
            held: lock.is_some(),
            held_by_caller: lock.is_some_and(|l| l.0 == ctx.bearer),
            acquired_at: lock.map(|l| time(&l.1)),
            expires_at: lock.map(|l| time(&l.2)),
            key,
        }))
    }

    async fn acquire(&self, ctx: &Ctx<'_>, key: String, ttl: Option<i32>) -> ApiResult<bool> {
        let ttl = Some(ttl.unwrap_or(60)).filter(|t| (1..=86_400).contains(t));
        let ttl = ttl.ok_or_else(|| ApiError::bad_input("ttl must be from 1 to 86400 seconds"))?;
        let (mut locks, now) = (self.0.lock().map_err(ApiError::internal)?, Utc::now());
        let scope = (ctx.tenant().map(Into::into), key);
        if locks.get(&scope).is_some_and(|l| l.2 > now) {
            return Ok(false); // held, even by the caller: locks are not re-entrant
        }
        let until = now + Duration::seconds(ttl.into());
        locks.insert(scope, (ctx.bearer.clone(), now, until));
        Ok(true)
    }

    async fn release(&self, ctx: &Ctx<'_>, key: String) -> ApiResult<bool> {
        let mut locks = self.0.lock().map_err(ApiError::internal)?;
        let scope = (ctx.tenant().map(Into::into), key);
        let held = locks.get(&scope).filter(|l| l.2 > Utc::now());
        let mine = held.is_some_and(|l| l.0 == ctx.bearer); // only the holder releases
        Ok(mine && locks.remove(&scope).is_some())
    }
}
// ---- end of the implementation ----

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let api = shopql_server_stubs::lock::router(Locks::default());
    let app = shopql_server_stubs::axum::Router::new().nest("/{tenant}/lock", api);
    let addr = std::env::var("LOCK_ADDR").unwrap_or_else(|_| "127.0.0.1:4001".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("lock API: POST http://{addr}/demo/lock (GraphiQL: GET in a browser); Ctrl-C stops");
    shopql_server_stubs::http::serve(listener, app, shopql_server_stubs::http::shutdown_signal())
        .await
}
