//! Orders: what `checkoutSubmit` freezes (lines, prices, addresses, shipping, totals), and the
//! customer's `order` and `orders` fields.

use std::collections::HashMap;

use shopql_server_stubs::ApiResult;
use shopql_server_stubs::client::{
    CheckoutTotals, Order, OrderItem, OrderList, PaginationInput, ShippingMethod,
};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use super::auth::ClientRequest;
use super::checkout::model::{AddressDoc, BuyerDoc, to_json};
use super::pagination;
use crate::domain::checkout::totals::Totals;
use crate::domain::money;
use crate::state::AppState;
use crate::store::sql::{Sql, col, flag};

/// Sort keys of `orders`.
pub(crate) const SORTS: &[&str] = &["created"];

/// A line to write into a new order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewOrderLine {
    pub listing_id: String,
    pub listing_num: i64,
    pub item_num: Option<i64>,
    pub title: String,
    pub quantity: i64,
    pub unit_price: i64,
}

/// An order to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewOrder {
    pub id: String,
    pub store_id: String,
    pub customer_id: String,
    pub checkout_code: String,
    pub created: i64,
    pub shop_collection: bool,
    pub shipping: Option<(String, String)>,
    pub shipping_address: Option<AddressDoc>,
    pub billing_address: Option<AddressDoc>,
    pub buyer: BuyerDoc,
    pub voucher_code: Option<String>,
    pub totals: Totals,
    pub currency: String,
    pub lines: Vec<NewOrderLine>,
}

fn json_opt<T: serde::Serialize>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(to_json)
}

/// Writes `order` and its lines (inside the caller's transaction).
pub(crate) async fn insert(conn: &mut AnyConnection, order: &NewOrder) -> ApiResult<()> {
    let t = &order.totals;
    sqlx::query(
        "INSERT INTO client_orders (id, store_id, customer_id, checkout_code, created, status, \
         shop_collection, shipping_code, shipping_name, shipping_address, billing_address, buyer, \
         voucher_code, subtotal, subtotal_before_taxes, tax, shipping, discount, grand, left_to_pay, \
         items_quantity, item_quantity, currency) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)",
    )
    .bind(&order.id)
    .bind(&order.store_id)
    .bind(&order.customer_id)
    .bind(&order.checkout_code)
    .bind(order.created)
    .bind(order.shop_collection)
    .bind(order.shipping.as_ref().map(|s| s.0.clone()))
    .bind(order.shipping.as_ref().map(|s| s.1.clone()))
    .bind(json_opt(&order.shipping_address))
    .bind(json_opt(&order.billing_address))
    .bind(to_json(&order.buyer))
    .bind(order.voucher_code.clone())
    .bind(t.subtotal)
    .bind(t.subtotal_before_taxes)
    .bind(t.tax)
    .bind(t.shipping)
    .bind(t.discount)
    .bind(t.grand)
    .bind(t.left_to_pay)
    .bind(t.items_quantity)
    .bind(t.item_quantity)
    .bind(&order.currency)
    .execute(&mut *conn)
    .await?;
    for (position, l) in order.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO client_order_lines (order_id, position, customer_id, listing_id, listing_num, \
             item_num, title, quantity, unit_price, total) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&order.id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(&order.customer_id)
        .bind(&l.listing_id)
        .bind(l.listing_num)
        .bind(l.item_num)
        .bind(&l.title)
        .bind(l.quantity)
        .bind(l.unit_price)
        .bind(l.unit_price.saturating_mul(l.quantity))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

const ORDER_COLUMNS: &str = "o.id, o.checkout_code, o.created, o.status, o.shop_collection, \
     o.shipping_code, o.shipping_name, o.shipping_address, o.billing_address, o.buyer, o.subtotal, \
     o.subtotal_before_taxes, o.tax, o.shipping, o.discount, o.grand, o.left_to_pay, \
     o.items_quantity, o.item_quantity, o.currency";

fn totals_of(row: &AnyRow) -> ApiResult<Totals> {
    Ok(Totals {
        subtotal: col(row, "subtotal")?,
        subtotal_before_taxes: col(row, "subtotal_before_taxes")?,
        tax: col(row, "tax")?,
        shipping: col(row, "shipping")?,
        discount: col(row, "discount")?,
        grand: col(row, "grand")?,
        left_to_pay: col(row, "left_to_pay")?,
        items_quantity: col(row, "items_quantity")?,
        item_quantity: col(row, "item_quantity")?,
    })
}

/// The frozen totals of orders by id.
pub(crate) async fn totals_by_id(
    conn: &mut AnyConnection,
    ids: &[String],
) -> ApiResult<HashMap<String, Totals>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new(&format!(
        "SELECT {ORDER_COLUMNS} FROM client_orders o WHERE o.id IN "
    ));
    sql.list(ids);
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((col::<String>(r, "id")?, totals_of(r)?)))
        .collect()
}

/// The API's `CheckoutTotals`.
pub(crate) fn totals_to_api(t: &Totals, currency: &str) -> CheckoutTotals {
    CheckoutTotals {
        grand: Some(money::minor_to_wire(t.grand)),
        left_to_pay: Some(money::minor_to_wire(t.left_to_pay)),
        discount: Some(money::minor_to_wire(t.discount)),
        items_quantity: Some(t.items_quantity as f64),
        item_quantity: Some(t.item_quantity as f64),
        subtotal: Some(money::minor_to_wire(t.subtotal)),
        subtotal_before_taxes: Some(money::minor_to_wire(t.subtotal_before_taxes)),
        shipping: Some(money::minor_to_wire(t.shipping)),
        tax: Some(money::minor_to_wire(t.tax)),
        currency: Some(currency.to_string()),
    }
}

fn doc<T: serde::de::DeserializeOwned>(text: Option<String>) -> Option<T> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

async fn orders_to_api(conn: &mut AnyConnection, rows: &[AnyRow]) -> ApiResult<Vec<Order>> {
    let ids: Vec<String> = rows
        .iter()
        .map(|r| col::<String>(r, "id"))
        .collect::<ApiResult<_>>()?;
    let mut lines: HashMap<String, Vec<OrderItem>> = HashMap::new();
    if !ids.is_empty() {
        let mut sql = Sql::new(
            "SELECT order_id, listing_num, item_num, title, quantity, unit_price, total \
             FROM client_order_lines WHERE order_id IN ",
        );
        sql.list(&ids).push(" ORDER BY order_id, position");
        for r in sql.query().fetch_all(&mut *conn).await? {
            let item_num: Option<i64> = col(&r, "item_num")?;
            let quantity: i64 = col(&r, "quantity")?;
            lines
                .entry(col(&r, "order_id")?)
                .or_default()
                .push(OrderItem {
                    listing_id: col::<i64>(&r, "listing_num")? as f64,
                    item_id: item_num.map(|n| n as f64),
                    title: col(&r, "title")?,
                    quantity: i32::try_from(quantity).unwrap_or(i32::MAX),
                    unit_price: money::minor_to_wire(col(&r, "unit_price")?),
                    total: money::minor_to_wire(col(&r, "total")?),
                });
        }
    }
    rows.iter()
        .map(|r| {
            let id: String = col(r, "id")?;
            let totals = totals_of(r)?;
            let currency: String = col(r, "currency")?;
            let code: Option<String> = col(r, "shipping_code")?;
            let name: Option<String> = col(r, "shipping_name")?;
            let buyer: Option<BuyerDoc> = doc(col(r, "buyer")?);
            let shipping: Option<AddressDoc> = doc(col(r, "shipping_address")?);
            let billing: Option<AddressDoc> = doc(col(r, "billing_address")?);
            Ok(Order {
                items: lines.remove(&id).unwrap_or_default(),
                id,
                checkout_id: col(r, "checkout_code")?,
                created: col::<i64>(r, "created")? as f64,
                status: col(r, "status")?,
                totals: totals_to_api(&totals, &currency),
                shop_collection: flag(r, "shop_collection")?,
                shipping_method: code.map(|code| ShippingMethod {
                    code,
                    name: name.unwrap_or_default(),
                    price: money::minor_to_wire(totals.shipping),
                }),
                shipping_address: shipping.map(|a| a.to_api()),
                billing_address: billing.map(|a| a.to_api()),
                buyer: buyer.map(|b| b.to_api()),
            })
        })
        .collect()
}

/// `order(id)`: the signed-in customer's order, or null.
pub(crate) async fn order(
    state: &AppState,
    req: &ClientRequest,
    id: &str,
) -> ApiResult<Option<Order>> {
    let p = req.principal()?;
    let mut conn = state.store.pool.acquire().await?;
    let row = sqlx::query(&format!(
        "SELECT {ORDER_COLUMNS} FROM client_orders o WHERE o.id = $1 AND o.store_id = $2 AND o.customer_id = $3"
    ))
    .bind(id)
    .bind(&req.store.id)
    .bind(&p.customer.id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(orders_to_api(&mut conn, &[row]).await?.into_iter().next())
}

/// `orders(pagination)`: the signed-in customer's orders in this store.
pub(crate) async fn orders(
    state: &AppState,
    req: &ClientRequest,
    pagination: Option<&PaginationInput>,
) -> ApiResult<OrderList> {
    let p = req.principal()?;
    let page = pagination::parse(pagination, SORTS)?;
    let mut conn = state.store.pool.acquire().await?;
    let (pagination, rows) = pagination::customer_rows(
        &mut conn,
        ("client_orders", "o", ORDER_COLUMNS),
        (&p.customer.id, &req.store.id),
        "o.created",
        &page,
    )
    .await?;
    let orders = orders_to_api(&mut conn, &rows).await?;
    Ok(OrderList { orders, pagination })
}
