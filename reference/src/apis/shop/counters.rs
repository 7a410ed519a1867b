//! Usage counters: counted in memory on each node and added to `shop_usage` in the background
//! (and on shutdown) with `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`, so several
//! nodes sharing a database add up. Reports read the table plus what this node has not flushed
//! yet, under the same lock as the flush, so nothing is counted twice or missed.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use shopql_server_stubs::{ApiError, ApiResult};

use crate::state::AppState;
use crate::store::Store;

/// The `api` of cart counter rows.
pub const CART_EVENTS: &str = "";

/// A cart event counted per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CartEvent {
    /// A successful `hydrate`.
    Hydrated,
    /// A cart moved to `placed`.
    Placed,
    /// A cart moved to `paid`.
    Paid,
}

impl CartEvent {
    /// The operation name of its rows.
    pub fn as_str(self) -> &'static str {
        match self {
            CartEvent::Hydrated => "cartsHydrated",
            CartEvent::Placed => "cartsPlaced",
            CartEvent::Paid => "cartsPaid",
        }
    }
}

/// (tenant, day, api, operation).
pub type CounterKey = (String, String, String, String);

/// The counters of one node (one database URL in this process).
#[derive(Debug, Default)]
pub struct UsageCounters {
    counts: Mutex<HashMap<CounterKey, i64>>,
    /// Held while flushing and while reporting.
    flush_lock: tokio::sync::Mutex<()>,
}

// One set of counters per database: servers of one process on the same database share them
// (they are one node); servers on different databases (tests) never mix.
static REGISTRY: LazyLock<Mutex<HashMap<String, Arc<UsageCounters>>>> =
    LazyLock::new(Default::default);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The counters of `state`'s node.
pub fn counters(state: &AppState) -> Arc<UsageCounters> {
    lock(&REGISTRY)
        .entry(state.config.database_url.clone())
        .or_default()
        .clone()
}

/// The UTC day of `ms`, `YYYY-MM-DD`.
pub fn day_of(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

impl UsageCounters {
    fn add(&self, key: CounterKey, n: i64) {
        *lock(&self.counts).entry(key).or_insert(0) += n;
    }

    /// Counts one GraphQL request to `api` that selected `operations` (distinct root fields).
    pub fn count_request<'a>(
        &self,
        tenant: &str,
        now_ms: i64,
        api: &str,
        operations: impl IntoIterator<Item = &'a str>,
    ) {
        let day = day_of(now_ms);
        let mut counts = lock(&self.counts);
        let mut bump = |operation: &str| {
            *counts
                .entry((
                    tenant.to_string(),
                    day.clone(),
                    api.to_string(),
                    operation.to_string(),
                ))
                .or_insert(0) += 1;
        };
        bump("");
        for op in operations {
            if !op.is_empty() {
                bump(op);
            }
        }
    }

    /// Counts a cart event.
    pub fn count_cart_event(&self, tenant: &str, now_ms: i64, event: CartEvent) {
        self.add(
            (
                tenant.to_string(),
                day_of(now_ms),
                CART_EVENTS.to_string(),
                event.as_str().to_string(),
            ),
            1,
        );
    }

    /// Adds the in-memory counts to the table and clears them; on failure they stay in memory.
    pub async fn flush(&self, store: &Store) -> ApiResult<usize> {
        let _guard = self.flush_lock.lock().await;
        let snapshot: Vec<(CounterKey, i64)> = lock(&self.counts).drain().collect();
        if snapshot.is_empty() {
            return Ok(0);
        }
        match write(store, &snapshot).await {
            Ok(()) => Ok(snapshot.len()),
            Err(e) => {
                for (k, n) in snapshot {
                    self.add(k, n);
                }
                Err(e)
            }
        }
    }

    /// Holds off flushes while a report reads the table and [`Self::pending`].
    pub async fn report_guard(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.flush_lock.lock().await
    }

    /// Unflushed counts of `tenant` for days `from..=to`.
    pub fn pending(
        &self,
        tenant: &str,
        from: &str,
        to: &str,
    ) -> Vec<(String, String, String, i64)> {
        lock(&self.counts)
            .iter()
            .filter(|((t, day, _, _), _)| t == tenant && day.as_str() >= from && day.as_str() <= to)
            .map(|((_, day, api, op), n)| (day.clone(), api.clone(), op.clone(), *n))
            .collect()
    }
}

async fn write(store: &Store, rows: &[(CounterKey, i64)]) -> ApiResult<()> {
    let mut tx = store.begin().await?;
    for ((tenant, day, api, operation), n) in rows {
        sqlx::query(
            "INSERT INTO shop_usage (tenant, day, api, operation, n) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant, day, api, operation) DO UPDATE SET n = shop_usage.n + excluded.n",
        )
        .bind(tenant)
        .bind(day)
        .bind(api)
        .bind(operation)
        .bind(*n)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Counts a cart event of `tenant` now.
pub fn record_cart_event(state: &AppState, tenant: &str, event: CartEvent) {
    counters(state).count_cart_event(tenant, state.now_ms(), event);
}

/// Flushes `state`'s node's counters now (the background task does this periodically).
pub async fn flush(state: &AppState) -> ApiResult<usize> {
    let counters = counters(state);
    let store = state.store.clone();
    // A flush takes the counts out of memory before it writes them, so it runs on a task of its
    // own: a caller that goes away (a report request whose client disconnected) cannot stop it
    // between the two, and the counts are either written or put back.
    tokio::spawn(async move { counters.flush(&store).await })
        .await
        .map_err(ApiError::internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_per_operation_and_days() {
        let c = UsageCounters::default();
        let day = 1_795_000_000_000; // 2026-11-18
        c.count_request("demo", day, "cart", ["hydrate", "cart"]);
        c.count_request("demo", day, "cart", ["cart"]);
        c.count_cart_event("demo", day, CartEvent::Hydrated);
        let mut p = c.pending("demo", "2026-11-18", "2026-11-18");
        p.sort();
        assert_eq!(
            p,
            vec![
                ("2026-11-18".into(), "".into(), "cartsHydrated".into(), 1),
                ("2026-11-18".into(), "cart".into(), "".into(), 2),
                ("2026-11-18".into(), "cart".into(), "cart".into(), 2),
                ("2026-11-18".into(), "cart".into(), "hydrate".into(), 1),
            ]
        );
        assert!(c.pending("other", "2026-11-18", "2026-11-18").is_empty());
        assert!(c.pending("demo", "2026-11-19", "2026-11-30").is_empty());
        assert_eq!(day_of(day), "2026-11-18");
    }
}
