//! Abuse resistance shared by every API: the token bucket per principal that the HTTP layer
//! charges (see `shopql_server_stubs::ServerConfig::token_buckets`), and the budgets that
//! resolvers check themselves, once per invocation (so aliases and batched operations each
//! count):
//!
//! - **login**: wrong logins per account (store and email) and per client IP. An attempt is
//!   counted as a failure before the password is checked (so that concurrent attempts cannot
//!   slip past the budget) and forgiven when the password was right; over budget the attempt is
//!   `RATE_LIMITED` without hashing anything, for known and unknown emails alike (no account
//!   enumeration).
//! - **coupons and vouchers**: checks per principal (a user, a customer, a cart, a shop access
//!   token) and per client IP, all APIs together.
//!
//! Refusals are `RATE_LIMITED` with `extensions.retryAfter` (seconds); the HTTP layer repeats
//! it in a `Retry-After` header. See [`crate::config::RateLimits`] for the defaults.
//!
//! On PostgreSQL every budget is kept in the database ([`crate::store::SharedRateStore`]), so
//! that several nodes charge the same ones: 5 wrong logins spread over two nodes lock an account
//! as on one. On SQLite (one process) they are kept in memory.

use std::sync::Arc;
use std::time::Duration;

use shopql_server_stubs::rate::{
    self, Limited, MemoryRateStore, RateStore, TokenBuckets, WindowLimiter,
};
use shopql_server_stubs::{ApiError, ApiResult, RequestContext};

use crate::background::{self, OnShutdown};
use crate::clock::Clock;
use crate::config::RateLimits;
use crate::state::AppState;
use crate::store::{Backend, SharedRateStore, Store};

/// The server clock as the rate limiters' clock.
#[derive(Debug)]
struct ServerClock(Arc<dyn Clock>);

impl rate::Clock for ServerClock {
    fn now_ms(&self) -> i64 {
        self.0.now_ms()
    }
}

/// Longest account key kept (longer emails cannot belong to an account anyway).
const MAX_KEY_CHARS: usize = 320;

/// The limiters of one server process.
#[derive(Debug)]
pub struct AbuseLimits {
    enabled: bool,
    buckets: Option<Arc<TokenBuckets>>,
    login_account: WindowLimiter,
    login_ip: WindowLimiter,
    coupon_principal: WindowLimiter,
    coupon_ip: WindowLimiter,
}

fn refused(what: &str, limited: Limited) -> ApiError {
    match limited {
        Limited::Wait(wait) => {
            let mut e = ApiError::rate_limited(wait.0);
            e.message = format!("{what}; retry in {} s", wait.0);
            e
        }
        Limited::Failed(e) => e,
    }
}

impl AbuseLimits {
    /// The limiters `config` describes, timed by `clock`, kept in this process.
    pub fn new(config: &RateLimits, clock: Arc<dyn Clock>) -> Self {
        Self::in_store(config, clock, Arc::new(MemoryRateStore::new()))
    }

    /// The limiters of a server on `store`: in the database on PostgreSQL, where several nodes
    /// must share them; in memory on SQLite (one process).
    pub fn for_store(config: &RateLimits, clock: Arc<dyn Clock>, store: &Store) -> Self {
        let rate_store: Arc<dyn RateStore> = match store.backend {
            Backend::Postgres => Arc::new(SharedRateStore::new(store.clone())),
            Backend::Sqlite => Arc::new(MemoryRateStore::new()),
        };
        Self::in_store(config, clock, rate_store)
    }

    /// The limiters `config` describes, timed by `clock`, kept in `store` (each limiter under
    /// a namespace of its own).
    pub fn in_store(config: &RateLimits, clock: Arc<dyn Clock>, store: Arc<dyn RateStore>) -> Self {
        let clock: Arc<dyn rate::Clock> = Arc::new(ServerClock(clock));
        let window = |limit, every, namespace| {
            WindowLimiter::in_store(limit, every, clock.clone(), store.clone(), namespace)
        };
        Self {
            enabled: config.enabled,
            buckets: config.enabled.then(|| {
                Arc::new(TokenBuckets::in_store(
                    config.bucket,
                    clock.clone(),
                    store.clone(),
                    "bucket",
                ))
            }),
            login_account: window(
                config.login_failures_per_account,
                config.login_window,
                "login-account",
            ),
            login_ip: window(
                config.login_failures_per_ip,
                config.login_window,
                "login-ip",
            ),
            coupon_principal: window(
                config.coupon_checks_per_principal,
                config.coupon_window,
                "coupon-principal",
            ),
            coupon_ip: window(
                config.coupon_checks_per_ip,
                config.coupon_window,
                "coupon-ip",
            ),
        }
    }

    /// The token buckets every API's HTTP layer charges (`None` when the limits are off).
    pub fn buckets(&self) -> Option<Arc<TokenBuckets>> {
        self.buckets.clone()
    }

    /// Counts a login attempt on `account` (e.g. store id and email) from the caller's IP as a
    /// failure, or refuses it. Call [`LoginAttempt::succeeded`] when the password was right.
    pub async fn login_attempt(
        &self,
        ctx: &RequestContext,
        account: &str,
    ) -> ApiResult<LoginAttempt<'_>> {
        let account: String = account.chars().take(MAX_KEY_CHARS).collect();
        let ip = ctx.ip_key();
        if !self.enabled {
            return Ok(LoginAttempt {
                limits: self,
                account,
                ip,
                counted: false,
            });
        }
        self.login_ip
            .hit(&ip)
            .await
            .map_err(|w| refused("too many failed sign-ins from this address", w))?;
        if let Err(w) = self.login_account.hit(&account).await {
            self.login_ip.forgive(&ip).await?;
            return Err(refused("too many failed sign-ins for this account", w));
        }
        Ok(LoginAttempt {
            limits: self,
            account,
            ip,
            counted: true,
        })
    }

    /// Counts a coupon or voucher check of `principal` (namespaced, e.g. `purchase:user:…`)
    /// and of the caller's IP, or refuses it.
    pub async fn coupon_check(&self, ctx: &RequestContext, principal: &str) -> ApiResult<()> {
        if !self.enabled {
            return Ok(());
        }
        let principal: String = principal.chars().take(MAX_KEY_CHARS).collect();
        let ip = ctx.ip_key();
        self.coupon_ip
            .hit(&ip)
            .await
            .map_err(|w| refused("too many coupon checks from this address", w))?;
        if let Err(w) = self.coupon_principal.hit(&principal).await {
            self.coupon_ip.forgive(&ip).await?;
            return Err(refused("too many coupon checks", w));
        }
        Ok(())
    }
}

/// On PostgreSQL, deletes the budget rows that carry nothing any more, every minute.
pub(crate) fn spawn_background(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    if state.store.backend != Backend::Postgres {
        return Vec::new();
    }
    vec![background::every(
        state,
        "rate budget sweep",
        Duration::from_secs(60),
        OnShutdown::Stop,
        |state| async move {
            SharedRateStore::new(state.store.clone())
                .sweep(state.now_ms())
                .await
        },
    )]
}

/// A login attempt counted as a failure until [`succeeded`](Self::succeeded) says otherwise.
#[derive(Debug)]
#[must_use = "a successful login must call `succeeded`, or it counts as a failure"]
pub struct LoginAttempt<'a> {
    limits: &'a AbuseLimits,
    account: String,
    ip: String,
    counted: bool,
}

impl LoginAttempt<'_> {
    /// The password was right: the attempt is not a failure.
    pub async fn succeeded(self) -> ApiResult<()> {
        if self.counted {
            self.limits.login_account.forgive(&self.account).await?;
            self.limits.login_ip.forgive(&self.ip).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::store::TestDatabase;

    /// Each test runs on the memory store and, when `SHOPQL_TEST_DATABASE_URL` is set, on
    /// PostgreSQL's: both must count the same.
    async fn each_store(test: impl AsyncFn(Arc<dyn RateStore>)) {
        test(Arc::new(MemoryRateStore::new())).await;
        let db = TestDatabase::postgres().await.ok().flatten();
        if let Some(db) = &db {
            let store = Store::connect(&db.url).await.expect("connect");
            store.migrate().await.expect("migrate");
            test(Arc::new(SharedRateStore::new(store.clone()))).await;
            store.close().await;
        }
    }

    /// The default limits on `store`, and the manual clock they read.
    fn limits(store: Arc<dyn RateStore>) -> (ManualClock, AbuseLimits) {
        let clock = ManualClock::new(1_700_000_000_000);
        let limits = AbuseLimits::in_store(&RateLimits::default(), Arc::new(clock.clone()), store);
        (clock, limits)
    }

    fn ctx(ip: [u8; 4]) -> RequestContext {
        let mut c = RequestContext::default();
        c.client_ip = Some(std::net::IpAddr::from(ip));
        c
    }

    #[tokio::test]
    async fn wrong_logins_are_limited_per_account_and_successes_are_forgiven() {
        each_store(async |store| {
            let (clock, l) = limits(store);
            let c = ctx([10, 0, 0, 1]);
            let ok = l.login_attempt(&c, "s:a@example.com").await;
            assert!(ok.expect("first attempt").succeeded().await.is_ok());
            for _ in 0..5 {
                assert!(l.login_attempt(&c, "s:a@example.com").await.is_ok());
            }
            let e = l.login_attempt(&c, "s:a@example.com").await.err();
            assert_eq!(e.as_ref().map(|e| e.code.as_str()), Some("RATE_LIMITED"));
            assert!(e.is_some_and(|e| e.extensions.iter().any(|(k, _)| k == "retryAfter")));
            assert!(
                l.login_attempt(&c, "s:b@example.com").await.is_ok(),
                "another account has its own budget"
            );
            clock.advance(15 * 60 * 1000);
            assert!(
                l.login_attempt(&c, "s:a@example.com").await.is_ok(),
                "a new window"
            );
        })
        .await;
    }

    #[tokio::test]
    async fn wrong_logins_are_limited_per_address() {
        each_store(async |store| {
            let (_, l) = limits(store);
            let c = ctx([10, 0, 0, 2]);
            for i in 0..20 {
                assert!(
                    l.login_attempt(&c, &format!("s:{i}@example.com"))
                        .await
                        .is_ok()
                );
            }
            assert!(l.login_attempt(&c, "s:new@example.com").await.is_err());
            assert!(
                l.login_attempt(&ctx([10, 0, 0, 3]), "s:new@example.com")
                    .await
                    .is_ok()
            );
        })
        .await;
    }

    #[tokio::test]
    async fn coupon_checks_are_limited_per_principal_and_address() {
        each_store(async |store| {
            let (_, l) = limits(store);
            let c = ctx([10, 0, 0, 4]);
            for _ in 0..20 {
                assert!(l.coupon_check(&c, "p:1").await.is_ok());
            }
            assert!(l.coupon_check(&c, "p:1").await.is_err());
            for _ in 0..20 {
                assert!(l.coupon_check(&c, "p:2").await.is_ok());
                assert!(l.coupon_check(&c, "p:3").await.is_ok());
            }
            assert!(
                l.coupon_check(&c, "p:4").await.is_err(),
                "60 checks from one address, whatever the principal"
            );
        })
        .await;
    }

    #[tokio::test]
    async fn token_buckets_spend_and_refill() {
        each_store(async |store| {
            let clock = ManualClock::new(1_700_000_000_000);
            let mut config = RateLimits::default();
            config.bucket.capacity = 10;
            config.bucket.refill_per_second = 2;
            let l = AbuseLimits::in_store(&config, Arc::new(clock.clone()), store);
            let buckets = l.buckets().expect("buckets on");
            assert_eq!(buckets.take("k", 10).await, Ok(()));
            assert_eq!(
                buckets.take("k", 5).await,
                Err(Limited::Wait(rate::RetryAfter(3)))
            );
            clock.advance(2_500);
            assert_eq!(buckets.take("k", 5).await, Ok(()));
            assert!(buckets.take("k", 1).await.is_err());
        })
        .await;
    }

    #[tokio::test]
    async fn off_means_off() {
        let clock = ManualClock::new(0);
        let l = AbuseLimits::new(&RateLimits::off(), Arc::new(clock));
        assert!(l.buckets().is_none());
        for _ in 0..100 {
            assert!(l.coupon_check(&ctx([1, 1, 1, 1]), "p").await.is_ok());
            assert!(l.login_attempt(&ctx([1, 1, 1, 1]), "a").await.is_ok());
        }
    }
}
