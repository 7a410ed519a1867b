//! Rate limiting with an injectable clock and a pluggable store: a [`TokenBuckets`] per
//! principal (the HTTP layer charges every operation to it, see [`ServerConfig::token_buckets`])
//! and a [`WindowLimiter`] for budgets such as "5 wrong logins per email per 15 minutes" that
//! resolvers check themselves (one call per resolver invocation, so aliases and batched
//! operations each count).
//!
//! Both answer a refusal with [`Limited::Wait`] (a [`RetryAfter`]), which converts into the
//! `RATE_LIMITED` [`ApiError`] with `extensions.retryAfter` (seconds).
//!
//! Where the counts live is a [`RateStore`]: [`MemoryRateStore`] (the default) keeps them in
//! the process, so several server processes each keep their own and a budget is per process;
//! an implementation over a database or cache that every node reaches (the reference server
//! has one on PostgreSQL) makes a budget one for all nodes. The limiters do the arithmetic
//! (refill rates, waits); a store only has to apply one step to one key atomically.
//!
//! [`MemoryRateStore`] is bounded: it keeps at most [`MAX_KEYS`] keys per kind by default; above
//! that, keys that carry no information any more (a full bucket, a window with no recent event)
//! are dropped first, then the least recently used ones.
//!
//! [`ServerConfig::token_buckets`]: crate::ServerConfig::token_buckets

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;

use crate::{ApiError, ApiResult};

/// Keys kept per kind (buckets, windows) by a [`MemoryRateStore`] before old ones are dropped.
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

/// Why a limiter did not let an event through.
#[derive(Debug, Clone, PartialEq)]
pub enum Limited {
    /// Over budget: retry after this long.
    Wait(RetryAfter),
    /// The store could not be asked (e.g. the shared database is down): the event is refused
    /// rather than let through uncounted. Usually `UNAVAILABLE`.
    Failed(ApiError),
}

impl From<Limited> for ApiError {
    fn from(l: Limited) -> Self {
        match l {
            Limited::Wait(wait) => wait.into(),
            Limited::Failed(e) => e,
        }
    }
}

/// One step on a token bucket: refill it to `now_ms`, then take `need_milli` if it holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketStep {
    /// Thousandths of a token to take.
    pub need_milli: u64,
    /// A full bucket, in thousandths of a token (a new key starts full).
    pub full_milli: u64,
    /// Whole tokens added per second (thousandths per ms).
    pub refill_per_second: u64,
    /// Now, in ms since the epoch.
    pub now_ms: i64,
}

impl BucketStep {
    /// `milli_tokens` last filled at `at_ms`, refilled to now.
    pub fn refilled(&self, milli_tokens: u64, at_ms: i64) -> u64 {
        if self.now_ms <= at_ms {
            return milli_tokens.min(self.full_milli);
        }
        let elapsed = u64::try_from(self.now_ms - at_ms).unwrap_or(u64::MAX);
        milli_tokens
            .saturating_add(elapsed.saturating_mul(self.refill_per_second))
            .min(self.full_milli)
    }
}

/// A bucket after a [`BucketStep`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketState {
    /// Whether the tokens were taken.
    pub taken: bool,
    /// Thousandths of a token left in the bucket.
    pub milli_tokens: u64,
}

/// A sliding window after an event was offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowState {
    /// Whether the event was counted (else the window was full).
    pub counted: bool,
    /// The time of the oldest event still in the window (now when it is empty).
    pub oldest_ms: i64,
}

/// Where limiters keep their counts. Each call applies one step to one key atomically, however
/// many nodes call at once. Keys arrive namespaced by the limiter (`login-account:…`).
#[async_trait]
pub trait RateStore: Send + Sync + fmt::Debug + 'static {
    /// Applies `step` to the bucket of `key`.
    async fn take(&self, key: &str, step: BucketStep) -> ApiResult<BucketState>;

    /// Drops the events of `key` older than `window_ms` before `now_ms`, then counts one at
    /// `now_ms` unless `limit` remain.
    async fn hit(
        &self,
        key: &str,
        limit: u32,
        window_ms: i64,
        now_ms: i64,
    ) -> ApiResult<WindowState>;

    /// Removes the latest counted event of `key`.
    async fn forgive(&self, key: &str) -> ApiResult<()>;
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

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Thousandths of a token.
    milli_tokens: u64,
    /// When the bucket was last refilled, in ms.
    at_ms: i64,
}

/// Counts kept in this process (bounded, see the module docs).
#[derive(Debug)]
pub struct MemoryRateStore {
    max_keys: usize,
    buckets: Mutex<HashMap<String, Bucket>>,
    windows: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl Default for MemoryRateStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryRateStore {
    /// An empty store keeping at most [`MAX_KEYS`] keys per kind.
    pub fn new() -> Self {
        Self::with_max_keys(MAX_KEYS)
    }

    /// An empty store keeping at most `max_keys` keys per kind.
    pub fn with_max_keys(max_keys: usize) -> Self {
        Self {
            max_keys: max_keys.max(1),
            buckets: Mutex::default(),
            windows: Mutex::default(),
        }
    }

    fn take_now(&self, key: &str, step: BucketStep) -> BucketState {
        let mut buckets = lock(&self.buckets);
        if buckets.len() >= self.max_keys && !buckets.contains_key(key) {
            // A full bucket is the same as no bucket: drop those first.
            buckets.retain(|_, b| step.refilled(b.milli_tokens, b.at_ms) < step.full_milli);
            let excess = (buckets.len() + 1).saturating_sub(self.max_keys);
            evict_oldest(&mut buckets, excess, |b| b.at_ms);
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            milli_tokens: step.full_milli,
            at_ms: step.now_ms,
        });
        bucket.milli_tokens = step.refilled(bucket.milli_tokens, bucket.at_ms);
        bucket.at_ms = bucket.at_ms.max(step.now_ms);
        let taken = bucket.milli_tokens >= step.need_milli;
        if taken {
            bucket.milli_tokens -= step.need_milli;
        }
        BucketState {
            taken,
            milli_tokens: bucket.milli_tokens,
        }
    }

    fn hit_now(&self, key: &str, limit: u32, window_ms: i64, now_ms: i64) -> WindowState {
        let mut log = lock(&self.windows);
        if log.len() >= self.max_keys && !log.contains_key(key) {
            log.retain(|_, times| times.back().is_some_and(|t| now_ms - *t < window_ms));
            let excess = (log.len() + 1).saturating_sub(self.max_keys);
            evict_oldest(&mut log, excess, |t| t.back().copied().unwrap_or(i64::MIN));
        }
        let times = log.entry(key.to_string()).or_default();
        while times.front().is_some_and(|t| now_ms - *t >= window_ms) {
            times.pop_front();
        }
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let counted = times.len() < limit;
        if counted {
            times.push_back(now_ms);
        }
        let oldest_ms = times.front().copied().unwrap_or(now_ms);
        if times.is_empty() {
            log.remove(key);
        }
        WindowState { counted, oldest_ms }
    }

    fn forgive_now(&self, key: &str) {
        let mut log = lock(&self.windows);
        if let Some(times) = log.get_mut(key) {
            times.pop_back();
            if times.is_empty() {
                log.remove(key);
            }
        }
    }
}

#[async_trait]
impl RateStore for MemoryRateStore {
    async fn take(&self, key: &str, step: BucketStep) -> ApiResult<BucketState> {
        Ok(self.take_now(key, step))
    }

    async fn hit(
        &self,
        key: &str,
        limit: u32,
        window_ms: i64,
        now_ms: i64,
    ) -> ApiResult<WindowState> {
        Ok(self.hit_now(key, limit, window_ms, now_ms))
    }

    async fn forgive(&self, key: &str) -> ApiResult<()> {
        self.forgive_now(key);
        Ok(())
    }
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

/// One token bucket per key (a principal, or a client IP for anonymous callers).
pub struct TokenBuckets {
    config: TokenBucketConfig,
    clock: Arc<dyn Clock>,
    store: Arc<dyn RateStore>,
    namespace: String,
}

impl fmt::Debug for TokenBuckets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenBuckets")
            .field("config", &self.config)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl TokenBuckets {
    /// Buckets with `config`, timed by `clock`, kept in this process.
    pub fn new(config: TokenBucketConfig, clock: Arc<dyn Clock>) -> Self {
        Self::in_store(config, clock, Arc::new(MemoryRateStore::new()), "bucket")
    }

    /// Buckets with `config`, timed by the system clock, kept in this process.
    pub fn with_system_clock(config: TokenBucketConfig) -> Self {
        Self::new(config, Arc::new(SystemClock))
    }

    /// Buckets with `config` kept in `store` under keys starting `namespace:`.
    pub fn in_store(
        config: TokenBucketConfig,
        clock: Arc<dyn Clock>,
        store: Arc<dyn RateStore>,
        namespace: &str,
    ) -> Self {
        Self {
            config,
            clock,
            store,
            namespace: namespace.to_string(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &TokenBucketConfig {
        &self.config
    }

    /// Takes `tokens` from `key`'s bucket, or refuses (taking nothing) with the time until the
    /// bucket holds enough. A cost above the capacity can never be paid: it is refused with
    /// the time a full refill takes.
    pub async fn take(&self, key: &str, tokens: u64) -> Result<(), Limited> {
        let full = u64::from(self.config.capacity) * 1000;
        let step = BucketStep {
            need_milli: tokens.saturating_mul(1000),
            full_milli: full,
            refill_per_second: u64::from(self.config.refill_per_second),
            now_ms: self.clock.now_ms(),
        };
        let state = self
            .store
            .take(&format!("{}:{key}", self.namespace), step)
            .await
            .map_err(Limited::Failed)?;
        if state.taken {
            return Ok(());
        }
        let rate = step.refill_per_second;
        if rate == 0 {
            return Err(Limited::Wait(RetryAfter(3600)));
        }
        let missing = if step.need_milli > full {
            full
        } else {
            step.need_milli.saturating_sub(state.milli_tokens)
        };
        let wait_ms = missing.max(1).div_ceil(rate);
        Err(Limited::Wait(RetryAfter::from_ms(
            i64::try_from(wait_ms).unwrap_or(i64::MAX),
        )))
    }
}

/// At most `limit` events per key in any window of `window` (a sliding log: exact, and it keeps
/// at most `limit` times per key). Refused events are not counted.
pub struct WindowLimiter {
    limit: u32,
    window_ms: i64,
    clock: Arc<dyn Clock>,
    store: Arc<dyn RateStore>,
    namespace: String,
}

impl fmt::Debug for WindowLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WindowLimiter")
            .field("namespace", &self.namespace)
            .field("limit", &self.limit)
            .field("window_ms", &self.window_ms)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl WindowLimiter {
    /// `limit` events per `window`, timed by `clock`, kept in this process. A limit of 0
    /// refuses every event.
    pub fn new(limit: u32, window: Duration, clock: Arc<dyn Clock>) -> Self {
        Self::in_store(
            limit,
            window,
            clock,
            Arc::new(MemoryRateStore::new()),
            "window",
        )
    }

    /// `limit` events per `window` kept in `store` under keys starting `namespace:` (limiters
    /// sharing a store need namespaces of their own).
    pub fn in_store(
        limit: u32,
        window: Duration,
        clock: Arc<dyn Clock>,
        store: Arc<dyn RateStore>,
        namespace: &str,
    ) -> Self {
        Self {
            limit,
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1),
            clock,
            store,
            namespace: namespace.to_string(),
        }
    }

    /// The events allowed per window.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// The window.
    pub fn window(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.window_ms).unwrap_or(0))
    }

    fn key(&self, key: &str) -> String {
        format!("{}:{key}", self.namespace)
    }

    /// Counts one event of `key`, or refuses it (counting nothing) when `limit` events of `key`
    /// happened within the window, with the time until the oldest of them leaves it.
    pub async fn hit(&self, key: &str) -> Result<(), Limited> {
        let now = self.clock.now_ms();
        let state = self
            .store
            .hit(&self.key(key), self.limit, self.window_ms, now)
            .await
            .map_err(Limited::Failed)?;
        if state.counted {
            Ok(())
        } else {
            Err(Limited::Wait(RetryAfter::from_ms(
                state.oldest_ms.saturating_add(self.window_ms) - now,
            )))
        }
    }

    /// Takes back the latest counted event of `key`: an attempt that turned out not to be what
    /// the limit counts (a login that succeeded, when the limit counts failures).
    pub async fn forgive(&self, key: &str) -> ApiResult<()> {
        self.store.forgive(&self.key(key)).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicI64, Ordering};

    use futures::executor::block_on;

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

    fn wait(seconds: u64) -> Result<(), Limited> {
        Err(Limited::Wait(RetryAfter(seconds)))
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
        let take = |key: &str, n| block_on(b.take(key, n));
        assert_eq!(take("a", 5), Ok(()));
        assert_eq!(take("a", 5), Ok(()));
        // Empty: one token takes half a second at 2 per second, rounded up to 1 s.
        assert_eq!(take("a", 1), wait(1));
        // Five tokens take 2.5 s.
        assert_eq!(take("a", 5), wait(3));
        assert_eq!(take("b", 10), Ok(()), "another key has its own bucket");
        c.advance(2_500);
        assert_eq!(take("a", 6), wait(1), "5 tokens back, not 6");
        assert_eq!(take("a", 5), Ok(()));
        // Never more than the capacity.
        c.advance(3_600_000);
        // A cost above the capacity is refused with the time a full refill takes.
        assert_eq!(take("a", 11), wait(5));
        assert_eq!(take("a", 10), Ok(()), "a refusal takes nothing");
    }

    #[test]
    fn buckets_stay_bounded() {
        let c = clock();
        let store = Arc::new(MemoryRateStore::with_max_keys(3));
        let b = TokenBuckets::in_store(TokenBucketConfig::default(), c.clone(), store.clone(), "b");
        for k in ["a", "b", "c"] {
            assert!(block_on(b.take(k, 1_000)).is_ok());
            c.advance(1);
        }
        assert!(block_on(b.take("d", 1_000)).is_ok());
        assert_eq!(lock(&store.buckets).len(), 3);
        assert!(
            !lock(&store.buckets).contains_key("b:a"),
            "the oldest key went first"
        );
    }

    #[test]
    fn a_sliding_window_counts_and_forgives() {
        let c = clock();
        let w = WindowLimiter::new(3, Duration::from_secs(60), c.clone());
        let hit = |key: &str| block_on(w.hit(key));
        for _ in 0..3 {
            assert_eq!(hit("k"), Ok(()));
            c.advance(10_000);
        }
        // The oldest event leaves the window 30 s from now.
        assert_eq!(hit("k"), wait(30));
        assert_eq!(hit("other"), Ok(()));
        assert!(block_on(w.forgive("k")).is_ok());
        assert_eq!(hit("k"), Ok(()), "a forgiven event frees its place");
        assert_eq!(hit("k"), wait(30), "a refused event is not counted");
        c.advance(30_000);
        assert_eq!(hit("k"), Ok(()), "the oldest event left the window");
    }

    #[test]
    fn windows_stay_bounded() {
        let c = clock();
        let store = Arc::new(MemoryRateStore::with_max_keys(2));
        let w = WindowLimiter::in_store(1, Duration::from_secs(60), c.clone(), store.clone(), "w");
        assert!(block_on(w.hit("a")).is_ok());
        c.advance(61_000);
        assert!(block_on(w.hit("b")).is_ok());
        assert!(block_on(w.hit("c")).is_ok());
        let log = lock(&store.windows);
        assert_eq!(log.len(), 2);
        assert!(!log.contains_key("w:a"), "an expired window went first");
    }

    #[test]
    fn zero_refuses() {
        let w = WindowLimiter::new(0, Duration::from_secs(1), clock());
        assert!(block_on(w.hit("k")).is_err());
        let e: ApiError = Limited::Wait(RetryAfter(7)).into();
        assert_eq!(e.code, crate::ErrorCode::RateLimited);
    }

    /// A store that cannot be reached refuses, with its own error.
    #[derive(Debug)]
    struct Down;

    #[async_trait]
    impl RateStore for Down {
        async fn take(&self, _: &str, _: BucketStep) -> ApiResult<BucketState> {
            Err(ApiError::unavailable("down"))
        }
        async fn hit(&self, _: &str, _: u32, _: i64, _: i64) -> ApiResult<WindowState> {
            Err(ApiError::unavailable("down"))
        }
        async fn forgive(&self, _: &str) -> ApiResult<()> {
            Err(ApiError::unavailable("down"))
        }
    }

    #[test]
    fn a_store_that_fails_refuses() {
        let b = TokenBuckets::in_store(TokenBucketConfig::default(), clock(), Arc::new(Down), "b");
        let e: ApiError = block_on(b.take("k", 1))
            .err()
            .map(Into::into)
            .unwrap_or_else(|| ApiError::internal("let through"));
        assert_eq!(e.code, crate::ErrorCode::Unavailable);
    }
}
