//! Rate limiting in memory, with an injectable clock: a [`TokenBuckets`] per principal (the HTTP
//! layer charges every operation to it, see [`ServerConfig::token_buckets`]) and a
//! [`WindowLimiter`] for budgets such as "5 wrong logins per email per 15 minutes" that
//! resolvers check themselves (one call per resolver invocation, so aliases and batched
//! operations each count).
//!
//! Both answer a refusal with [`RetryAfter`], which converts into the `RATE_LIMITED`
//! [`ApiError`] with `extensions.retryAfter` (seconds). State is kept per process: several
//! server processes each keep their own counts, so a budget is per process.
//!
//! Memory is bounded: each limiter keeps at most [`MAX_KEYS`] keys by default; above that,
//! keys that carry no information any more (a full bucket, a window with no recent event) are
//! dropped first, then the least recently used ones.
//!
//! [`ServerConfig::token_buckets`]: crate::ServerConfig::token_buckets

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::ApiError;

/// Keys kept per limiter before old ones are dropped.
pub const MAX_KEYS: usize = 100_000;

/// A source of the current time in milliseconds since the Unix epoch; tests inject one they
/// move by hand.
pub trait Clock: Send + Sync + 'static {
    /// Now, in ms since the epoch.
    fn now_ms(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// A refusal: the caller may retry after this many seconds (at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RetryAfter(pub u64);

impl RetryAfter {
    fn from_ms(ms: i64) -> Self {
        let seconds = ms.max(0).saturating_add(999) / 1000;
        RetryAfter(u64::try_from(seconds).unwrap_or(u64::MAX).max(1))
    }
}

impl From<RetryAfter> for ApiError {
    fn from(r: RetryAfter) -> Self {
        ApiError::rate_limited(r.0)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the counters inconsistent in a way that
    // matters (each update is a few assignments), so a poisoned lock is used as it is.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Removes `excess` entries with the smallest `age` key (the least recently used).
fn evict_oldest<V>(map: &mut HashMap<String, V>, excess: usize, age: impl Fn(&V) -> i64) {
    if excess == 0 {
        return;
    }
    let mut ages: Vec<i64> = map.values().map(&age).collect();
    let cut_index = excess.min(ages.len()).saturating_sub(1);
    let (_, cut, _) = ages.select_nth_unstable(cut_index);
    let cut = *cut;
    let mut removed = 0;
    map.retain(|_, v| {
        if removed < excess && age(v) <= cut {
            removed += 1;
            false
        } else {
            true
        }
    });
}

/// Settings of a [`TokenBuckets`]: every principal has a bucket of `capacity` tokens that
/// refills at `refill_per_second`; each root field of an operation takes `query_cost` tokens
/// (queries) or `mutation_cost` tokens (mutations), aliases and batched operations included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenBucketConfig {
    /// Most tokens a bucket holds: the burst a principal may send at once (default 2,000).
    pub capacity: u32,
    /// Tokens added to a bucket per second (default 100).
    pub refill_per_second: u32,
    /// Tokens a root field of a query (or subscription) takes (default 1).
    pub query_cost: u32,
    /// Tokens a root field of a mutation takes (default 10): writes cost more.
    pub mutation_cost: u32,
}

impl Default for TokenBucketConfig {
    fn default() -> Self {
        Self {
            capacity: 2_000,
            refill_per_second: 100,
            query_cost: 1,
            mutation_cost: 10,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Thousandths of a token.
    milli_tokens: u64,
    /// When the bucket was last refilled, in ms.
    at_ms: i64,
}

/// One token bucket per key (a principal, or a client IP for anonymous callers).
pub struct TokenBuckets {
    config: TokenBucketConfig,
    clock: Arc<dyn Clock>,
    max_keys: usize,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl std::fmt::Debug for TokenBuckets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenBuckets")
            .field("config", &self.config)
            .field("keys", &lock(&self.buckets).len())
            .finish_non_exhaustive()
    }
}

impl TokenBuckets {
    /// Buckets with `config`, timed by `clock`.
    pub fn new(config: TokenBucketConfig, clock: Arc<dyn Clock>) -> Self {
        Self {
            config,
            clock,
            max_keys: MAX_KEYS,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Buckets with `config`, timed by the system clock.
    pub fn with_system_clock(config: TokenBucketConfig) -> Self {
        Self::new(config, Arc::new(SystemClock))
    }

    /// Keeps at most `max_keys` buckets (default [`MAX_KEYS`]).
    #[must_use]
    pub fn max_keys(mut self, max_keys: usize) -> Self {
        self.max_keys = max_keys.max(1);
        self
    }

    /// The settings.
    pub fn config(&self) -> &TokenBucketConfig {
        &self.config
    }

    fn full(&self) -> u64 {
        u64::from(self.config.capacity) * 1000
    }

    fn refill(&self, bucket: &mut Bucket, now: i64) {
        if now > bucket.at_ms {
            let elapsed = u64::try_from(now - bucket.at_ms).unwrap_or(u64::MAX);
            // One token per second is one thousandth of a token per ms.
            let added = elapsed.saturating_mul(u64::from(self.config.refill_per_second));
            bucket.milli_tokens = bucket.milli_tokens.saturating_add(added).min(self.full());
            bucket.at_ms = now;
        }
    }

    /// Takes `tokens` from `key`'s bucket, or refuses (taking nothing) with the time until the
    /// bucket holds enough. A cost above the capacity can never be paid: it is refused with
    /// the time a full refill takes.
    pub fn take(&self, key: &str, tokens: u64) -> Result<(), RetryAfter> {
        let now = self.clock.now_ms();
        let full = self.full();
        let mut buckets = lock(&self.buckets);
        if buckets.len() >= self.max_keys && !buckets.contains_key(key) {
            // A full bucket is the same as no bucket: drop those first.
            buckets.retain(|_, b| {
                let mut b2 = *b;
                self.refill(&mut b2, now);
                b2.milli_tokens < full
            });
            let excess = (buckets.len() + 1).saturating_sub(self.max_keys);
            evict_oldest(&mut buckets, excess, |b| b.at_ms);
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            milli_tokens: full,
            at_ms: now,
        });
        self.refill(bucket, now);
        let need = tokens.saturating_mul(1000);
        if bucket.milli_tokens >= need {
            bucket.milli_tokens -= need;
            return Ok(());
        }
        let rate = u64::from(self.config.refill_per_second);
        if rate == 0 {
            return Err(RetryAfter(3600));
        }
        let missing = if need > full {
            full
        } else {
            need - bucket.milli_tokens
        };
        let wait_ms = missing.max(1).div_ceil(rate);
        Err(RetryAfter::from_ms(
            i64::try_from(wait_ms).unwrap_or(i64::MAX),
        ))
    }

    /// The whole tokens in `key`'s bucket now (a new key has a full bucket).
    pub fn available(&self, key: &str) -> u64 {
        let now = self.clock.now_ms();
        let buckets = lock(&self.buckets);
        match buckets.get(key) {
            None => u64::from(self.config.capacity),
            Some(b) => {
                let mut b = *b;
                self.refill(&mut b, now);
                b.milli_tokens / 1000
            }
        }
    }
}

/// At most `limit` events per key in any window of `window` (a sliding log: exact, and it keeps
/// at most `limit` times per key). Refused events are not counted.
pub struct WindowLimiter {
    limit: u32,
    window_ms: i64,
    clock: Arc<dyn Clock>,
    max_keys: usize,
    log: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl std::fmt::Debug for WindowLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WindowLimiter")
            .field("limit", &self.limit)
            .field("window_ms", &self.window_ms)
            .field("keys", &lock(&self.log).len())
            .finish_non_exhaustive()
    }
}

impl WindowLimiter {
    /// `limit` events per `window`, timed by `clock`. A limit of 0 refuses every event.
    pub fn new(limit: u32, window: Duration, clock: Arc<dyn Clock>) -> Self {
        Self {
            limit,
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1),
            clock,
            max_keys: MAX_KEYS,
            log: Mutex::new(HashMap::new()),
        }
    }

    /// Keeps at most `max_keys` keys (default [`MAX_KEYS`]).
    #[must_use]
    pub fn max_keys(mut self, max_keys: usize) -> Self {
        self.max_keys = max_keys.max(1);
        self
    }

    /// The events allowed per window.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// The window.
    pub fn window(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.window_ms).unwrap_or(0))
    }

    /// Counts one event of `key`, or refuses it (counting nothing) when `limit` events of `key`
    /// happened within the window, with the time until the oldest of them leaves it.
    pub fn hit(&self, key: &str) -> Result<(), RetryAfter> {
        let now = self.clock.now_ms();
        let window = self.window_ms;
        let mut log = lock(&self.log);
        if log.len() >= self.max_keys && !log.contains_key(key) {
            log.retain(|_, times| times.back().is_some_and(|t| now - *t < window));
            let excess = (log.len() + 1).saturating_sub(self.max_keys);
            evict_oldest(&mut log, excess, |t| t.back().copied().unwrap_or(i64::MIN));
        }
        let times = log.entry(key.to_string()).or_default();
        while times.front().is_some_and(|t| now - *t >= window) {
            times.pop_front();
        }
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        if times.len() >= limit {
            let oldest = times.front().copied().unwrap_or(now);
            let empty = times.is_empty();
            if empty {
                log.remove(key);
            }
            return Err(RetryAfter::from_ms(oldest + window - now));
        }
        times.push_back(now);
        Ok(())
    }

    /// Takes back the latest counted event of `key`: an attempt that turned out not to be what
    /// the limit counts (a login that succeeded, when the limit counts failures).
    pub fn forgive(&self, key: &str) {
        let mut log = lock(&self.log);
        if let Some(times) = log.get_mut(key) {
            times.pop_back();
            if times.is_empty() {
                log.remove(key);
            }
        }
    }

    /// The events of `key` within the window now.
    pub fn count(&self, key: &str) -> usize {
        let now = self.clock.now_ms();
        lock(&self.log).get(key).map_or(0, |times| {
            times.iter().filter(|t| now - **t < self.window_ms).count()
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicI64, Ordering};

    use super::*;

    #[derive(Default)]
    struct TestClock(AtomicI64);

    impl TestClock {
        fn advance(&self, ms: i64) {
            self.0.fetch_add(ms, Ordering::SeqCst);
        }
    }

    impl Clock for TestClock {
        fn now_ms(&self) -> i64 {
            self.0.load(Ordering::SeqCst)
        }
    }

    fn clock() -> Arc<TestClock> {
        let c = Arc::new(TestClock::default());
        c.advance(1_700_000_000_000);
        c
    }

    #[test]
    fn a_bucket_spends_and_refills() {
        let c = clock();
        let config = TokenBucketConfig {
            capacity: 10,
            refill_per_second: 2,
            query_cost: 1,
            mutation_cost: 5,
        };
        let b = TokenBuckets::new(config, c.clone());
        assert_eq!(b.take("a", 5), Ok(()));
        assert_eq!(b.take("a", 5), Ok(()));
        // Empty: one token takes half a second at 2 per second, rounded up to 1 s.
        assert_eq!(b.take("a", 1), Err(RetryAfter(1)));
        // Five tokens take 2.5 s.
        assert_eq!(b.take("a", 5), Err(RetryAfter(3)));
        assert_eq!(b.take("b", 10), Ok(()), "another key has its own bucket");
        c.advance(2_500);
        assert_eq!(b.available("a"), 5);
        assert_eq!(b.take("a", 5), Ok(()));
        // Never more than the capacity.
        c.advance(3_600_000);
        assert_eq!(b.available("a"), 10);
        // A cost above the capacity is refused with the time a full refill takes.
        assert_eq!(b.take("a", 11), Err(RetryAfter(5)));
        assert_eq!(b.available("a"), 10, "a refusal takes nothing");
    }

    #[test]
    fn buckets_stay_bounded() {
        let c = clock();
        let b = TokenBuckets::new(TokenBucketConfig::default(), c.clone()).max_keys(3);
        for k in ["a", "b", "c"] {
            assert!(b.take(k, 1_000).is_ok());
            c.advance(1);
        }
        assert!(b.take("d", 1_000).is_ok());
        assert_eq!(lock(&b.buckets).len(), 3);
        assert!(
            !lock(&b.buckets).contains_key("a"),
            "the oldest key went first"
        );
    }

    #[test]
    fn a_sliding_window_counts_and_forgives() {
        let c = clock();
        let w = WindowLimiter::new(3, Duration::from_secs(60), c.clone());
        for _ in 0..3 {
            assert_eq!(w.hit("k"), Ok(()));
            c.advance(10_000);
        }
        // The oldest event leaves the window 30 s from now.
        assert_eq!(w.hit("k"), Err(RetryAfter(30)));
        assert_eq!(w.count("k"), 3, "a refused event is not counted");
        assert_eq!(w.hit("other"), Ok(()));
        w.forgive("k");
        assert_eq!(w.hit("k"), Ok(()));
        assert_eq!(w.hit("k"), Err(RetryAfter(30)));
        c.advance(30_000);
        assert_eq!(w.hit("k"), Ok(()), "the oldest event left the window");
    }

    #[test]
    fn windows_stay_bounded() {
        let c = clock();
        let w = WindowLimiter::new(1, Duration::from_secs(60), c.clone()).max_keys(2);
        assert!(w.hit("a").is_ok());
        c.advance(61_000);
        assert!(w.hit("b").is_ok());
        assert!(w.hit("c").is_ok());
        let log = lock(&w.log);
        assert_eq!(log.len(), 2);
        assert!(!log.contains_key("a"), "an expired window went first");
    }

    #[test]
    fn zero_refuses() {
        let w = WindowLimiter::new(0, Duration::from_secs(1), clock());
        assert!(w.hit("k").is_err());
        let e: ApiError = RetryAfter(7).into();
        assert_eq!(e.code, crate::ErrorCode::RateLimited);
    }
}
