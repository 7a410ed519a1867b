//! Coupon checks are an enumeration oracle (`validateCoupon`, and `addCoupon` through
//! `isAppliedSuccessfully`), so each caller gets a budget: [`COUPON_CHECKS`] per
//! [`COUPON_WINDOW_MS`] (a fixed window), then `RATE_LIMITED` with `retryAfter`. A user with a
//! token is counted by user; anonymous callers (who may claim any user id) by network address.
//! Every call counts, including aliased fields of one document. The count is kept in memory
//! per server process.

use std::collections::HashMap;
use std::sync::Mutex;

use shopql_server_stubs::{ApiError, ApiResult, RequestContext};

use super::access::Principal;

/// Coupon checks allowed per window and caller.
pub const COUPON_CHECKS: u32 = 20;
/// The window, in ms.
pub const COUPON_WINDOW_MS: i64 = 60_000;
/// Above this many callers, windows that ended are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// Per-caller counters of coupon checks.
#[derive(Debug, Default)]
pub struct CouponLimiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

/// The key a caller is counted under.
pub fn caller_key(principal: &Principal, ctx: &RequestContext) -> String {
    match principal {
        Principal::User(u) => format!("user:{u}"),
        _ => match ctx.remote_addr {
            Some(addr) => format!("ip:{}", addr.ip()),
            None => "ip:unknown".to_string(),
        },
    }
}

impl CouponLimiter {
    /// Counts one coupon check of `key` at `now_ms`; `RATE_LIMITED` when over budget.
    pub fn check(&self, key: &str, now_ms: i64) -> ApiResult<()> {
        let mut windows = self
            .windows
            .lock()
            .map_err(|_| ApiError::internal("coupon limiter lock poisoned"))?;
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, (start, _)| now_ms - *start < COUPON_WINDOW_MS);
        }
        let entry = windows.entry(key.to_string()).or_insert((now_ms, 0));
        if now_ms - entry.0 >= COUPON_WINDOW_MS || now_ms < entry.0 {
            *entry = (now_ms, 0);
        }
        if entry.1 >= COUPON_CHECKS {
            let left_ms = (entry.0 + COUPON_WINDOW_MS - now_ms).max(0);
            let seconds = u64::try_from((left_ms + 999) / 1000).unwrap_or(1).max(1);
            return Err(ApiError::rate_limited(seconds));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_window_per_caller() {
        let l = CouponLimiter::default();
        for _ in 0..COUPON_CHECKS {
            assert!(l.check("a", 1_000).is_ok());
        }
        let e = l.check("a", 1_500).err();
        assert_eq!(e.map(|e| e.code.as_str()), Some("RATE_LIMITED"));
        assert!(
            l.check("b", 1_500).is_ok(),
            "another caller has its own budget"
        );
        assert!(
            l.check("a", 1_000 + COUPON_WINDOW_MS).is_ok(),
            "a new window"
        );
    }
}
