//! The lock API's resolver trait, implemented on the store.

use shopql_server_stubs::lock::{self as api, LockResolvers};
use shopql_server_stubs::{ApiError, ApiResult, FieldContext};

use crate::apis::shop::auth::principal;
use crate::clock::rfc3339;
use crate::state::AppState;

/// The TTL when none is given, in seconds (the seed's 60 s).
pub(crate) const DEFAULT_TTL_S: i32 = 60;
/// The longest TTL, in seconds (one day).
pub(crate) const MAX_TTL_S: i32 = 86_400;
/// The longest key, in characters.
pub(crate) const MAX_KEY_CHARS: usize = 256;

/// The lock endpoint's resolvers.
#[derive(Clone)]
pub struct LockApi {
    pub(crate) state: AppState,
}

fn check_key(key: &str) -> ApiResult<()> {
    let n = key.chars().count();
    if n == 0 || n > MAX_KEY_CHARS {
        return Err(ApiError::bad_input(format!(
            "a lock key has 1 to {MAX_KEY_CHARS} characters; this one has {n}"
        )));
    }
    Ok(())
}

#[shopql_server_stubs::async_trait::async_trait]
impl LockResolvers for LockApi {
    async fn lock(
        &self,
        ctx: &FieldContext<'_>,
        key: String,
    ) -> ApiResult<Option<api::LockStatus>> {
        let p = principal(ctx)?;
        check_key(&key)?;
        let now = self.state.now_ms();
        let row: Option<(String, i64, i64)> = sqlx::query_as(
            "SELECT holder, acquired_at, expires_at FROM shop_locks WHERE tenant = $1 AND key = $2 AND expires_at > $3",
        )
        .bind(&p.tenant)
        .bind(&key)
        .bind(now)
        .fetch_optional(&self.state.store.pool)
        .await?;
        // A free key: not held, no times.
        Ok(Some(api::LockStatus {
            key,
            held: row.is_some(),
            held_by_caller: row.as_ref().is_some_and(|(holder, ..)| *holder == p.holder),
            acquired_at: row.as_ref().map(|(_, acquired, _)| rfc3339(*acquired)),
            expires_at: row.as_ref().map(|(.., expires)| rfc3339(*expires)),
        }))
    }

    async fn acquire(
        &self,
        ctx: &FieldContext<'_>,
        key: String,
        ttl: Option<i32>,
    ) -> ApiResult<bool> {
        let p = principal(ctx)?;
        check_key(&key)?;
        let ttl = ttl.unwrap_or(DEFAULT_TTL_S);
        if !(1..=MAX_TTL_S).contains(&ttl) {
            return Err(ApiError::bad_input(format!(
                "`ttl` must be from 1 to {MAX_TTL_S} seconds, not {ttl}"
            )));
        }
        let now = self.state.now_ms();
        let statement = sqlx::query(
            "INSERT INTO shop_locks (tenant, key, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant, key) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, \
             expires_at = excluded.expires_at WHERE shop_locks.expires_at <= $4",
        )
        .bind(&p.tenant)
        .bind(&key)
        .bind(&p.holder)
        .bind(now)
        .bind(now + i64::from(ttl) * 1000);
        let done = self.state.store.write(statement).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn release(&self, ctx: &FieldContext<'_>, key: String) -> ApiResult<bool> {
        let p = principal(ctx)?;
        check_key(&key)?;
        let statement = sqlx::query(
            "DELETE FROM shop_locks WHERE tenant = $1 AND key = $2 AND holder = $3 AND expires_at > $4",
        )
        .bind(&p.tenant)
        .bind(&key)
        .bind(&p.holder)
        .bind(self.state.now_ms());
        let done = self.state.store.write(statement).await?;
        Ok(done.rows_affected() == 1)
    }
}
