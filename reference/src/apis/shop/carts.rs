//! Cart storage. A change starts with [`lock`]: one `UPDATE … SET version = version + 1 …
//! RETURNING` that both loads the cart and, on PostgreSQL, holds its row lock until the
//! transaction ends (SQLite's `BEGIN IMMEDIATE` already admits one writer), so concurrent
//! changes to one cart run one after the other and none is lost.

use shopql_server_stubs::{ApiError, ApiResult};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection};

use super::model::CartRecord;
use crate::store::Store;
use crate::store::sql::Sql;

const COLUMNS: &str = "id, state, created_at, updated_at, ttl_ms, expires_at, stale_ttl_ms, stale_at, order_id, version, data";

/// The cart columns, for other modules' queries.
pub(crate) fn columns() -> &'static str {
    COLUMNS
}

fn document(cart: &CartRecord) -> ApiResult<String> {
    serde_json::to_string(&cart.doc).map_err(|e| ApiError::internal(format!("cart document: {e}")))
}

/// `sql` with what both `insert` and `save` write bound: `$1` tenant, `$2` id, `$3` state,
/// `$4` customer identifier, `$5` item count, `$6` updated_at, `$7` ttl_ms, `$8` expires_at,
/// `$9` stale_ttl_ms, `$10` stale_at, `$11` order id, `$12` the document.
fn written<'q>(
    sql: &'q str,
    tenant: &'q str,
    cart: &'q CartRecord,
) -> ApiResult<Query<'q, Any, AnyArguments<'q>>> {
    Ok(sqlx::query(sql)
        .bind(tenant)
        .bind(&cart.id)
        .bind(cart.state.as_str())
        .bind(cart.customer_identifier())
        .bind(cart.doc.items.len() as i64)
        .bind(cart.updated_at)
        .bind(cart.ttl_ms)
        .bind(cart.expires_at)
        .bind(cart.stale_ttl_ms)
        .bind(cart.stale_at)
        .bind(cart.order_id.clone())
        .bind(document(cart)?))
}

/// Loads a cart for a change and locks it until the transaction ends. Expired carts are
/// returned too; callers decide (they are gone for every API).
pub(crate) async fn lock(
    conn: &mut AnyConnection,
    tenant: &str,
    id: &str,
) -> ApiResult<Option<CartRecord>> {
    let sql = format!(
        "UPDATE shop_carts SET version = version + 1 WHERE tenant = $1 AND id = $2 RETURNING {COLUMNS}"
    );
    one(conn, &sql, tenant, id, None).await
}

/// Reads a cart that has not expired.
pub(crate) async fn get(
    conn: &mut AnyConnection,
    tenant: &str,
    id: &str,
    now_ms: i64,
) -> ApiResult<Option<CartRecord>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM shop_carts WHERE tenant = $1 AND id = $2 AND expires_at > $3"
    );
    one(conn, &sql, tenant, id, Some(now_ms)).await
}

/// The cart `sql` returns, with the tenant bound as `$1`, the id as `$2` and `now_ms`, when
/// given, as `$3`.
async fn one(
    conn: &mut AnyConnection,
    sql: &str,
    tenant: &str,
    id: &str,
    now_ms: Option<i64>,
) -> ApiResult<Option<CartRecord>> {
    let mut query = sqlx::query_as(sql).bind(tenant).bind(id);
    if let Some(now_ms) = now_ms {
        query = query.bind(now_ms);
    }
    Ok(query.fetch_optional(conn).await?)
}

/// Inserts a new cart; false if a cart with that id exists (a concurrent creation won).
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    tenant: &str,
    cart: &CartRecord,
) -> ApiResult<bool> {
    let done = written(
        "INSERT INTO shop_carts (tenant, id, state, customer_identifier, item_count, updated_at, ttl_ms, expires_at, \
         stale_ttl_ms, stale_at, order_id, data, created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (tenant, id) DO NOTHING",
        tenant,
        cart,
    )?
    .bind(cart.created_at)
    .bind(cart.version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes a locked cart back.
pub(crate) async fn save(
    conn: &mut AnyConnection,
    tenant: &str,
    cart: &CartRecord,
) -> ApiResult<()> {
    written(
        "UPDATE shop_carts SET state = $3, customer_identifier = $4, item_count = $5, updated_at = $6, ttl_ms = $7, \
         expires_at = $8, stale_ttl_ms = $9, stale_at = $10, order_id = $11, data = $12 WHERE tenant = $1 AND id = $2",
        tenant,
        cart,
    )?
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes a cart, or with `live_at` only a cart unexpired then (an expired cart is already
/// gone for every API); true if one was deleted.
pub(crate) async fn delete(
    conn: &mut AnyConnection,
    tenant: &str,
    id: &str,
    live_at: Option<i64>,
) -> ApiResult<bool> {
    let mut sql = Sql::new("DELETE FROM shop_carts WHERE tenant = ");
    sql.arg(tenant).push(" AND id = ").arg(id);
    if let Some(now_ms) = live_at {
        sql.push(" AND expires_at > ").arg(now_ms);
    }
    Ok(sql.execute(conn).await? > 0)
}

/// Deletes carts that expired at `now_ms`; returns how many.
pub(crate) async fn sweep_expired(store: &Store, now_ms: i64) -> ApiResult<u64> {
    let statement = sqlx::query("DELETE FROM shop_carts WHERE expires_at <= $1").bind(now_ms);
    let done = store.write(statement).await?;
    Ok(done.rows_affected())
}

/// Moves stale carts (state `cart`, `stale_at` passed) to `abandoned`; returns how many.
pub(crate) async fn abandon_stale(store: &Store, now_ms: i64) -> ApiResult<u64> {
    let statement = sqlx::query(
        "UPDATE shop_carts SET state = 'abandoned', stale_at = NULL, updated_at = $1, expires_at = $1 + ttl_ms, \
         version = version + 1 WHERE state = 'cart' AND stale_at IS NOT NULL AND stale_at <= $1",
    )
    .bind(now_ms);
    let done = store.write(statement).await?;
    Ok(done.rows_affected())
}
