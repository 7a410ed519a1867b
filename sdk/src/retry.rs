//! When [`GraphqlClient`](crate::GraphqlClient) sends a failed request again, and how long it
//! waits first.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

use crate::error::Error;

/// How a client retries failed requests.
///
/// A query is retried after a failure that [`Error::is_retryable`] accepts: no HTTP answer
/// (connection refused or dropped, timeout), HTTP 429 or 503. A mutation is retried only when
/// the server cannot have run it (the connection was never opened, or HTTP 429: the whole
/// request was refused before execution), and only once [`mutations`](Self::mutations) allows
/// it. The waits grow exponentially from [`delays`](Self::delays)' minimum, with random jitter so
/// that many clients do not retry in step, and are at least the server's `Retry-After`. Retries
/// stop after [`max_attempts`](Self::max_attempts) attempts, or as soon as the next wait would
/// end after [`max_elapsed`](Self::max_elapsed) from the first attempt; the last error is then
/// returned.
///
/// ```
/// use std::time::Duration;
/// use shopql_sdk::{GraphqlClient, RetryPolicy};
///
/// let client = GraphqlClient::new("http://127.0.0.1:4000/demo/cart").retry(
///     RetryPolicy::default()
///         .max_attempts(5)
///         .delays(Duration::from_millis(100), Duration::from_secs(2))
///         .max_elapsed(Duration::from_secs(10))
///         .mutations(true),
/// );
/// let no_retries = client.clone().retry(RetryPolicy::never());
/// # let _ = no_retries;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    min_delay: Duration,
    max_delay: Duration,
    max_elapsed: Duration,
    jitter: bool,
    mutations: bool,
}

/// Default number of attempts, the first included.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Default first wait before a retry (before jitter).
pub const DEFAULT_MIN_DELAY: Duration = Duration::from_millis(200);
/// Default longest wait computed by the backoff (a `Retry-After` may ask for more).
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(10);
/// Default bound on the time from the first attempt to the start of the last.
pub const DEFAULT_MAX_ELAPSED: Duration = Duration::from_secs(30);

impl Default for RetryPolicy {
    /// Queries: 3 attempts, waits from 200 ms up to 10 s with jitter, 30 s in all. Mutations:
    /// not retried.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            min_delay: DEFAULT_MIN_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
            max_elapsed: DEFAULT_MAX_ELAPSED,
            jitter: true,
            mutations: false,
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is sent once.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first wait, and the longest one the exponential backoff reaches (a server's
    /// `Retry-After` may still ask for longer, within [`max_elapsed`](Self::max_elapsed)).
    pub fn delays(mut self, min: Duration, max: Duration) -> Self {
        self.min_delay = min;
        self.max_delay = max.max(min);
        self
    }

    /// No retry starts later than this after the first attempt began.
    pub fn max_elapsed(mut self, total: Duration) -> Self {
        self.max_elapsed = total;
        self
    }

    /// Random jitter on each wait (on by default); off makes the waits exact, for tests.
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Also retry mutations, in the cases where the server cannot have run them (off by
    /// default).
    pub fn mutations(mut self, retry_mutations: bool) -> Self {
        self.mutations = retry_mutations;
        self
    }

    /// The attempts allowed, the first included.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The waits before the second, third, … attempt, before `Retry-After` is applied.
    pub(crate) fn backoff(&self) -> impl Iterator<Item = Duration> + use<> {
        let mut builder = ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize);
        if self.jitter {
            builder = builder.with_jitter();
        }
        builder.build()
    }

    /// Whether this failure of a query (`mutation == false`) or mutation may be retried.
    pub(crate) fn allows(&self, error: &Error, mutation: bool) -> bool {
        if mutation {
            self.mutations && error.nothing_ran()
        } else {
            error.is_retryable()
        }
    }

    /// The wait before the next attempt, or `None` when the time budget does not allow one:
    /// the backoff's wait, or the server's `Retry-After` when that is longer.
    pub(crate) fn wait(
        &self,
        backoff: Duration,
        retry_after: Option<Duration>,
        elapsed: Duration,
    ) -> Option<Duration> {
        let wait = retry_after.map_or(backoff, |after| after.max(backoff));
        (elapsed.saturating_add(wait) <= self.max_elapsed).then_some(wait)
    }
}

/// Reads a `Retry-After` header: a number of seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    // A date in the past means "now".
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TransportError;

    #[test]
    fn backoff_grows_and_stops() {
        let policy = RetryPolicy::default()
            .max_attempts(4)
            .delays(Duration::from_millis(100), Duration::from_millis(300))
            .jitter(false);
        // Milliseconds: the factor is an f32, so 200 ms may come out as 200.000003 ms.
        let waits: Vec<u128> = policy.backoff().map(|d| d.as_millis()).collect();
        assert_eq!(waits, vec![100, 200, 300]);
        assert_eq!(RetryPolicy::never().backoff().count(), 0);
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    }

    #[test]
    fn jitter_stays_within_twice_the_wait() {
        let policy = RetryPolicy::default()
            .max_attempts(2)
            .delays(Duration::from_millis(100), Duration::from_secs(1));
        for _ in 0..50 {
            let wait = policy.backoff().next().unwrap_or_default();
            assert!(
                wait >= Duration::from_millis(100) && wait <= Duration::from_millis(200),
                "{wait:?}"
            );
        }
    }

    #[test]
    fn retry_after_wins_when_longer_and_the_budget_bounds_it() {
        let policy = RetryPolicy::default().max_elapsed(Duration::from_secs(5));
        let ms = Duration::from_millis;
        assert_eq!(policy.wait(ms(100), Some(ms(2000)), ms(0)), Some(ms(2000)));
        assert_eq!(policy.wait(ms(300), Some(ms(100)), ms(0)), Some(ms(300)));
        assert_eq!(policy.wait(ms(100), Some(ms(6000)), ms(0)), None);
        assert_eq!(policy.wait(ms(100), None, ms(4950)), None);
    }

    #[test]
    fn which_failures_are_retried() {
        let policy = RetryPolicy::default();
        let refused = Error::from(TransportError::connect("refused"));
        let timeout = Error::from(TransportError::timeout("slow"));
        let unavailable = Error::status_error(503, "deploying");
        let limited = Error::status_error(429, "slow down");
        let bad = Error::status_error(400, "bad");
        for error in [&refused, &timeout, &unavailable, &limited] {
            assert!(policy.allows(error, false), "{error}");
        }
        assert!(!policy.allows(&bad, false));
        // Mutations: off by default; when on, only where nothing ran.
        assert!(!policy.allows(&refused, true));
        let mutations = policy.mutations(true);
        assert!(mutations.allows(&refused, true));
        assert!(mutations.allows(&limited, true));
        assert!(!mutations.allows(&timeout, true));
        assert!(!mutations.allows(&unavailable, true));
    }

    #[test]
    fn retry_after_headers() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        let parsed = parse_retry_after(&httpdate::fmt_http_date(later)).unwrap_or_default();
        assert!(parsed > Duration::from_secs(100), "{parsed:?}");
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
