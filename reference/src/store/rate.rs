//! Rate-limit budgets kept in PostgreSQL, so that every node charges the same ones (see
//! `migrations/postgres/0610_rate_budgets.sql`: unlogged tables, one function per step that
//! locks the key's row).

use async_trait::async_trait;
use shopql_server_stubs::ApiResult;
use shopql_server_stubs::rate::{BucketState, BucketStep, RateStore, WindowState};

use super::Store;

/// The budgets of every node that uses this PostgreSQL database.
#[derive(Debug, Clone)]
pub struct SharedRateStore {
    store: Store,
}

impl SharedRateStore {
    /// Budgets in `store`, which must be PostgreSQL (SQLite has no shared nodes: budgets stay
    /// in memory there).
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Deletes rows that carry nothing any more (full buckets, windows whose events all left).
    pub async fn sweep(&self, now_ms: i64) -> ApiResult<u64> {
        let mut removed = 0;
        for sql in [
            "DELETE FROM rate_buckets WHERE full_at_ms < $1",
            "DELETE FROM rate_windows WHERE expires_at_ms < $1",
        ] {
            removed += sqlx::query(sql)
                .bind(now_ms)
                .execute(&self.store.pool)
                .await?
                .rows_affected();
        }
        Ok(removed)
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[async_trait]
impl RateStore for SharedRateStore {
    async fn take(&self, key: &str, step: BucketStep) -> ApiResult<BucketState> {
        let (taken, left): (i32, i64) =
            sqlx::query_as("SELECT taken, milli_left FROM rate_take($1, $2, $3, $4, $5)")
                .bind(key)
                .bind(to_i64(step.need_milli))
                .bind(to_i64(step.full_milli))
                .bind(to_i64(step.refill_per_second))
                .bind(step.now_ms)
                .fetch_one(&self.store.pool)
                .await?;
        Ok(BucketState {
            taken: taken != 0,
            milli_tokens: u64::try_from(left).unwrap_or(0),
        })
    }

    async fn hit(
        &self,
        key: &str,
        limit: u32,
        window_ms: i64,
        now_ms: i64,
    ) -> ApiResult<WindowState> {
        let (counted, oldest_ms): (i32, i64) =
            sqlx::query_as("SELECT counted, oldest_ms FROM rate_hit($1, $2, $3, $4)")
                .bind(key)
                .bind(i32::try_from(limit).unwrap_or(i32::MAX))
                .bind(window_ms)
                .bind(now_ms)
                .fetch_one(&self.store.pool)
                .await?;
        Ok(WindowState {
            counted: counted != 0,
            oldest_ms,
        })
    }

    async fn forgive(&self, key: &str) -> ApiResult<()> {
        sqlx::query(
            "UPDATE rate_windows SET times = times[1:cardinality(times) - 1] \
             WHERE key = $1 AND cardinality(times) > 0",
        )
        .bind(key)
        .execute(&self.store.pool)
        .await?;
        Ok(())
    }
}
