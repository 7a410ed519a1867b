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

use std::sync::Arc;

use shopql_server_stubs::rate::{self, RetryAfter, TokenBuckets, WindowLimiter};
use shopql_server_stubs::{ApiError, ApiResult, RequestContext};

use crate::clock::Clock;
use crate::config::RateLimits;

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

fn refused(what: &str, wait: RetryAfter) -> ApiError {
    let mut e = ApiError::rate_limited(wait.0);
    e.message = format!("{what}; retry in {} s", wait.0);
    e
}

impl AbuseLimits {
    /// The limiters `config` describes, timed by `clock`.
    pub fn new(config: &RateLimits, clock: Arc<dyn Clock>) -> Self {
        let clock: Arc<dyn rate::Clock> = Arc::new(ServerClock(clock));
        let window = |limit, every| WindowLimiter::new(limit, every, clock.clone());
        Self {
            enabled: config.enabled,
            buckets: config
                .enabled
                .then(|| Arc::new(TokenBuckets::new(config.bucket, clock.clone()))),
            login_account: window(config.login_failures_per_account, config.login_window),
            login_ip: window(config.login_failures_per_ip, config.login_window),
            coupon_principal: window(config.coupon_checks_per_principal, config.coupon_window),
            coupon_ip: window(config.coupon_checks_per_ip, config.coupon_window),
        }
    }

    /// The token buckets every API's HTTP layer charges (`None` when the limits are off).
    pub fn buckets(&self) -> Option<Arc<TokenBuckets>> {
        self.buckets.clone()
    }

    /// Counts a login attempt on `account` (e.g. store id and email) from the caller's IP as a
    /// failure, or refuses it. Call [`LoginAttempt::succeeded`] when the password was right.
    pub fn login_attempt(
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
            .map_err(|w| refused("too many failed sign-ins from this address", w))?;
        if let Err(w) = self.login_account.hit(&account) {
            self.login_ip.forgive(&ip);
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
    pub fn coupon_check(&self, ctx: &RequestContext, principal: &str) -> ApiResult<()> {
        if !self.enabled {
            return Ok(());
        }
        let principal: String = principal.chars().take(MAX_KEY_CHARS).collect();
        let ip = ctx.ip_key();
        self.coupon_ip
            .hit(&ip)
            .map_err(|w| refused("too many coupon checks from this address", w))?;
        if let Err(w) = self.coupon_principal.hit(&principal) {
            self.coupon_ip.forgive(&ip);
            return Err(refused("too many coupon checks", w));
        }
        Ok(())
    }
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
    pub fn succeeded(self) {
        if self.counted {
            self.limits.login_account.forgive(&self.account);
            self.limits.login_ip.forgive(&self.ip);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn limits(clock: &ManualClock) -> AbuseLimits {
        AbuseLimits::new(&RateLimits::default(), Arc::new(clock.clone()))
    }

    fn ctx(ip: [u8; 4]) -> RequestContext {
        let mut c = RequestContext::default();
        c.client_ip = Some(std::net::IpAddr::from(ip));
        c
    }

    #[test]
    fn wrong_logins_are_limited_per_account_and_successes_are_forgiven() {
        let clock = ManualClock::new(1_700_000_000_000);
        let l = limits(&clock);
        let c = ctx([10, 0, 0, 1]);
        l.login_attempt(&c, "s:a@example.com")
            .map(LoginAttempt::succeeded)
            .ok();
        for _ in 0..5 {
            assert!(l.login_attempt(&c, "s:a@example.com").is_ok());
        }
        let e = l.login_attempt(&c, "s:a@example.com").err();
        assert_eq!(e.as_ref().map(|e| e.code.as_str()), Some("RATE_LIMITED"));
        assert!(e.is_some_and(|e| e.extensions.iter().any(|(k, _)| k == "retryAfter")));
        assert!(
            l.login_attempt(&c, "s:b@example.com").is_ok(),
            "another account has its own budget"
        );
        clock.advance(15 * 60 * 1000);
        assert!(
            l.login_attempt(&c, "s:a@example.com").is_ok(),
            "a new window"
        );
    }

    #[test]
    fn wrong_logins_are_limited_per_address() {
        let clock = ManualClock::new(1_700_000_000_000);
        let l = limits(&clock);
        let c = ctx([10, 0, 0, 2]);
        for i in 0..20 {
            assert!(l.login_attempt(&c, &format!("s:{i}@example.com")).is_ok());
        }
        assert!(l.login_attempt(&c, "s:new@example.com").is_err());
        assert!(
            l.login_attempt(&ctx([10, 0, 0, 3]), "s:new@example.com")
                .is_ok()
        );
    }

    #[test]
    fn coupon_checks_are_limited_per_principal_and_address() {
        let clock = ManualClock::new(1_700_000_000_000);
        let l = limits(&clock);
        let c = ctx([10, 0, 0, 4]);
        for _ in 0..20 {
            assert!(l.coupon_check(&c, "p:1").is_ok());
        }
        assert!(l.coupon_check(&c, "p:1").is_err());
        for _ in 0..20 {
            assert!(l.coupon_check(&c, "p:2").is_ok());
            assert!(l.coupon_check(&c, "p:3").is_ok());
        }
        assert!(
            l.coupon_check(&c, "p:4").is_err(),
            "60 checks from one address, whatever the principal"
        );
    }

    #[test]
    fn off_means_off() {
        let clock = ManualClock::new(0);
        let l = AbuseLimits::new(&RateLimits::off(), Arc::new(clock));
        assert!(l.buckets().is_none());
        for _ in 0..100 {
            assert!(l.coupon_check(&ctx([1, 1, 1, 1]), "p").is_ok());
            assert!(l.login_attempt(&ctx([1, 1, 1, 1]), "a").is_ok());
        }
    }
}
