//! Storage of the purchase API: catalogue reads, cart rows, tokens. Every function takes a
//! connection, so the same code runs on a pooled connection (reads) and inside a write
//! transaction (changes).

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use rust_decimal::Decimal;
use shopql_server_stubs::{ApiError, ApiResult};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::domain::purchase::cart::CartDoc;
use crate::domain::purchase::catalog::{
    PaymentMethod, Price, Product, ShippingMethod, StoreCatalog, StoreSettings, TaxRate,
};
use crate::domain::purchase::money::Currency;
use crate::domain::purchase::promotions::{Promotion, Reward};
use crate::domain::purchase::properties::{
    DictionaryItem, ObjectType, PropertyDefinition, ValueType,
};
use crate::store::page::OffsetPage;
use crate::store::sql::{Arg, Doc, Flag, Sql, col, flag};

/// A cart or wishlist row.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub(crate) struct CartRow {
    pub id: String,
    pub store_id: String,
    pub name: String,
    pub user_id: String,
    pub currency: String,
    pub cart_type: String,
    #[sqlx(try_from = "Flag")]
    pub is_anonymous: bool,
    pub status: String,
    pub comment: Option<String>,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub version: i64,
    pub doc: Doc<CartDoc>,
}

/// What identifies a cart besides its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CartKey {
    pub store_id: String,
    pub user_id: String,
    pub name: String,
    pub currency: String,
    pub cart_type: String,
}

// Booleans are read as 0/1 integers: sqlx's Any driver cannot decode SQLite BOOLEAN columns.
const CART_COLUMNS: &str = "id, store_id, name, user_id, currency, cart_type, \
    CASE WHEN is_anonymous THEN 1 ELSE 0 END AS is_anonymous, status, comment, created_ms, \
    modified_ms, version, doc";

fn corrupt(what: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("purchase storage holds an invalid value: {what}"))
}

fn dec(text: &str) -> ApiResult<Decimal> {
    Decimal::from_str(text.trim()).map_err(|_| corrupt(format!("decimal `{text}`")))
}

fn opt_dec(text: Option<String>) -> ApiResult<Option<Decimal>> {
    text.map(|t| dec(&t)).transpose()
}

/// The decimal stored as text in column `name`.
fn dec_col(r: &AnyRow, name: &str) -> ApiResult<Decimal> {
    dec(&col::<String>(r, name)?)
}

/// The rows of one store's table: `sql` binds the store as `$1`.
async fn store_rows(conn: &mut AnyConnection, sql: &str, store_id: &str) -> ApiResult<Vec<AnyRow>> {
    Ok(sqlx::query(sql)
        .bind(store_id)
        .fetch_all(&mut *conn)
        .await?)
}

/// The active rows of a store's shipping or payment methods: `sql` binds the store as `$1`
/// and `is_active` as `$2`.
async fn active_rows(
    conn: &mut AnyConnection,
    sql: &str,
    store_id: &str,
) -> ApiResult<Vec<AnyRow>> {
    let rows = sqlx::query(sql)
        .bind(store_id)
        .bind(true)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows)
}

/// A method's `priority` as a GraphQL Int (a value beyond its range sorts last).
fn priority(r: &AnyRow) -> ApiResult<i32> {
    let priority: i64 = col(r, "priority")?;
    Ok(i32::try_from(priority).unwrap_or(i32::MAX))
}

/// The store `store_id` with its currencies, taxes, methods, promotions and property
/// definitions; `None` for an unknown store.
pub(crate) async fn load_catalog(
    conn: &mut AnyConnection,
    store_id: &str,
) -> ApiResult<Option<StoreCatalog>> {
    let Some(s) = sqlx::query(
        "SELECT id, name, default_currency, default_language, languages, default_tax_type, \
         shipping_tax_type, payment_tax_type, weight_unit, fulfillment_center_id, \
         fulfillment_center_name FROM purchase_stores WHERE id = $1",
    )
    .bind(store_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let languages: String = col(&s, "languages")?;
    let fc_id: Option<String> = col(&s, "fulfillment_center_id")?;
    let fc_name: Option<String> = col(&s, "fulfillment_center_name")?;
    let settings = StoreSettings {
        id: col(&s, "id")?,
        name: col(&s, "name")?,
        default_currency: col(&s, "default_currency")?,
        default_language: col(&s, "default_language")?,
        languages: languages
            .split(',')
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
        default_tax_type: col(&s, "default_tax_type")?,
        shipping_tax_type: col(&s, "shipping_tax_type")?,
        payment_tax_type: col(&s, "payment_tax_type")?,
        weight_unit: col(&s, "weight_unit")?,
        fulfillment_center: fc_id.map(|id| (id, fc_name.unwrap_or_default())),
    };

    let mut currencies = Vec::new();
    let sql = "SELECT code, symbol, exchange_rate, decimal_digits, custom_formatting \
         FROM purchase_currencies WHERE store_id = $1 ORDER BY code";
    for r in store_rows(conn, sql, store_id).await? {
        let rate = dec_col(&r, "exchange_rate")?;
        let digits: i64 = col(&r, "decimal_digits")?;
        if rate <= Decimal::ZERO {
            return Err(corrupt("non-positive exchange rate"));
        }
        currencies.push(Currency {
            code: col(&r, "code")?,
            symbol: col(&r, "symbol")?,
            exchange_rate: rate,
            digits: u32::try_from(digits).map_err(|_| corrupt("decimal digits"))?,
            custom_formatting: col(&r, "custom_formatting")?,
        });
    }

    let mut tax_rates = Vec::new();
    let sql = "SELECT tax_type, country_code, region_id, rate, name FROM purchase_tax_rates \
         WHERE store_id = $1 ORDER BY id";
    for r in store_rows(conn, sql, store_id).await? {
        tax_rates.push(TaxRate {
            tax_type: col(&r, "tax_type")?,
            country_code: col(&r, "country_code")?,
            region_id: col(&r, "region_id")?,
            rate: dec_col(&r, "rate")?,
            name: col(&r, "name")?,
        });
    }

    let mut shipping_methods = Vec::new();
    let sql = "SELECT code, option_name, description, logo_url, priority, base_price, \
         price_per_kg FROM purchase_shipping_methods WHERE store_id = $1 AND is_active = $2 \
         ORDER BY priority, code, option_name";
    for r in active_rows(conn, sql, store_id).await? {
        let priority = priority(&r)?;
        shipping_methods.push(ShippingMethod {
            code: col(&r, "code")?,
            option_name: col(&r, "option_name")?,
            description: col(&r, "description")?,
            logo_url: col(&r, "logo_url")?,
            priority,
            base_price: dec_col(&r, "base_price")?,
            price_per_kg: dec_col(&r, "price_per_kg")?,
        });
    }

    let mut payment_methods = Vec::new();
    let sql = "SELECT code, name, description, logo_url, payment_method_type, group_type, \
         priority, fee, \
         CASE WHEN is_available_for_partial THEN 1 ELSE 0 END AS is_available_for_partial \
         FROM purchase_payment_methods \
         WHERE store_id = $1 AND is_active = $2 ORDER BY priority, code";
    for r in active_rows(conn, sql, store_id).await? {
        let priority = priority(&r)?;
        payment_methods.push(PaymentMethod {
            code: col(&r, "code")?,
            name: col(&r, "name")?,
            description: col(&r, "description")?,
            logo_url: col(&r, "logo_url")?,
            method_type: col(&r, "payment_method_type")?,
            group_type: col(&r, "group_type")?,
            priority,
            fee: dec_col(&r, "fee")?,
            partial: flag(&r, "is_available_for_partial")?,
        });
    }

    let mut promotions = Vec::new();
    let sql = "SELECT id, description, coupon_code, reward, min_subtotal, starts_ms, ends_ms, \
         CASE WHEN is_active THEN 1 ELSE 0 END AS is_active \
         FROM purchase_promotions WHERE store_id = $1 ORDER BY priority, id";
    for r in store_rows(conn, sql, store_id).await? {
        let reward: String = col(&r, "reward")?;
        let reward: Reward =
            serde_json::from_str(&reward).map_err(|e| corrupt(format!("promotion reward: {e}")))?;
        promotions.push(Promotion {
            id: col(&r, "id")?,
            description: col(&r, "description")?,
            coupon: col(&r, "coupon_code")?,
            reward,
            min_subtotal: opt_dec(col(&r, "min_subtotal")?)?,
            starts_ms: col(&r, "starts_ms")?,
            ends_ms: col(&r, "ends_ms")?,
            is_active: flag(&r, "is_active")?,
        });
    }

    let properties = load_properties(conn).await?;
    Ok(Some(StoreCatalog {
        settings,
        currencies,
        tax_rates,
        shipping_methods,
        payment_methods,
        promotions,
        properties,
    }))
}

/// Every dynamic property definition with its dictionary.
async fn load_properties(conn: &mut AnyConnection) -> ApiResult<Vec<PropertyDefinition>> {
    let mut items: HashMap<String, Vec<DictionaryItem>> = HashMap::new();
    for r in sqlx::query(
        "SELECT property_id, id, name, labels FROM purchase_dictionary_items \
         ORDER BY property_id, name",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let property_id: String = col(&r, "property_id")?;
        let labels: String = col(&r, "labels")?;
        let labels: BTreeMap<String, String> = serde_json::from_str(&labels)
            .map_err(|e| corrupt(format!("dictionary labels: {e}")))?;
        items.entry(property_id).or_default().push(DictionaryItem {
            id: col(&r, "id")?,
            name: col(&r, "name")?,
            labels: labels.into_iter().collect(),
        });
    }
    let mut defs = Vec::new();
    for r in sqlx::query(
        "SELECT id, object_type, name, value_type, \
         CASE WHEN is_array THEN 1 ELSE 0 END AS is_array, \
         CASE WHEN is_dictionary THEN 1 ELSE 0 END AS is_dictionary, \
         CASE WHEN is_multilingual THEN 1 ELSE 0 END AS is_multilingual, \
         CASE WHEN is_required THEN 1 ELSE 0 END AS is_required \
         FROM purchase_dynamic_properties ORDER BY object_type, name",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = col(&r, "id")?;
        let object_type: String = col(&r, "object_type")?;
        let value_type: String = col(&r, "value_type")?;
        defs.push(PropertyDefinition {
            object_type: ObjectType::parse(&object_type)
                .ok_or_else(|| corrupt(format!("object type {object_type}")))?,
            value_type: ValueType::parse(&value_type)
                .ok_or_else(|| corrupt(format!("value type {value_type}")))?,
            name: col(&r, "name")?,
            is_array: flag(&r, "is_array")?,
            is_dictionary: flag(&r, "is_dictionary")?,
            is_multilingual: flag(&r, "is_multilingual")?,
            is_required: flag(&r, "is_required")?,
            dictionary: items.remove(&id).unwrap_or_default(),
            id,
        });
    }
    Ok(defs)
}

/// The products with `ids` (those that exist), with their prices.
pub(crate) async fn load_products(
    conn: &mut AnyConnection,
    ids: &[String],
) -> ApiResult<HashMap<String, Product>> {
    let mut ids: Vec<&String> = ids.iter().collect();
    ids.sort();
    ids.dedup();
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut sql = Sql::new(
        "SELECT id, store_id, sku, names, product_type, tax_type, \
         CASE WHEN is_active THEN 1 ELSE 0 END AS is_active, in_stock, weight, \
         catalog_id, category_id, image_url, outer_id, vendor_id, vendor_name \
         FROM purchase_products WHERE id IN ",
    );
    sql.list(ids.iter().map(|id| id.as_str()));
    for r in sql.fetch_all(&mut *conn).await? {
        let names: String = col(&r, "names")?;
        let vendor_id: Option<String> = col(&r, "vendor_id")?;
        let vendor_name: Option<String> = col(&r, "vendor_name")?;
        let p = Product {
            id: col(&r, "id")?,
            store_id: col(&r, "store_id")?,
            sku: col(&r, "sku")?,
            names: serde_json::from_str(&names)
                .map_err(|e| corrupt(format!("product names: {e}")))?,
            product_type: col(&r, "product_type")?,
            tax_type: col(&r, "tax_type")?,
            is_active: flag(&r, "is_active")?,
            in_stock: col(&r, "in_stock")?,
            weight: opt_dec(col(&r, "weight")?)?,
            catalog_id: col(&r, "catalog_id")?,
            category_id: col(&r, "category_id")?,
            image_url: col(&r, "image_url")?,
            outer_id: col(&r, "outer_id")?,
            vendor: vendor_id.map(|id| (id, vendor_name.unwrap_or_default())),
            prices: Vec::new(),
        };
        out.insert(p.id.clone(), p);
    }
    let mut sql = Sql::new(
        "SELECT product_id, currency, list_price, sale_price FROM purchase_prices \
         WHERE product_id IN ",
    );
    sql.list(ids.iter().map(|id| id.as_str()))
        .push(" ORDER BY product_id, currency");
    for r in sql.fetch_all(&mut *conn).await? {
        let product_id: String = col(&r, "product_id")?;
        let price = Price {
            currency: col(&r, "currency")?,
            list: dec_col(&r, "list_price")?,
            sale: opt_dec(col(&r, "sale_price")?)?,
        };
        if let Some(p) = out.get_mut(&product_id) {
            p.prices.push(price);
        }
    }
    Ok(out)
}

/// The cart `id`.
pub(crate) async fn cart_by_id(conn: &mut AnyConnection, id: &str) -> ApiResult<Option<CartRow>> {
    let sql = format!("SELECT {CART_COLUMNS} FROM purchase_carts WHERE id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The cart with `key`.
pub(crate) async fn cart_by_key(
    conn: &mut AnyConnection,
    key: &CartKey,
) -> ApiResult<Option<CartRow>> {
    let sql = format!(
        "SELECT {CART_COLUMNS} FROM purchase_carts WHERE store_id = $1 AND user_id = $2 \
         AND name = $3 AND currency = $4 AND cart_type = $5"
    );
    Ok(sqlx::query_as(&sql)
        .bind(&key.store_id)
        .bind(&key.user_id)
        .bind(&key.name)
        .bind(&key.currency)
        .bind(&key.cart_type)
        .fetch_optional(&mut *conn)
        .await?)
}

fn doc_text(doc: &CartDoc) -> ApiResult<String> {
    serde_json::to_string(doc).map_err(|e| ApiError::internal(format!("cart document: {e}")))
}

/// Inserts `row` unless a cart with its id or key exists (a concurrent first use).
pub(crate) async fn insert_cart_if_absent(
    conn: &mut AnyConnection,
    row: &CartRow,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO purchase_carts (id, store_id, name, user_id, currency, cart_type, \
         is_anonymous, status, comment, created_ms, modified_ms, version, doc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
    )
    .bind(&row.id)
    .bind(&row.store_id)
    .bind(&row.name)
    .bind(&row.user_id)
    .bind(&row.currency)
    .bind(&row.cart_type)
    .bind(row.is_anonymous)
    .bind(&row.status)
    .bind(row.comment.as_deref())
    .bind(row.created_ms)
    .bind(row.modified_ms)
    .bind(row.version)
    .bind(doc_text(&row.doc)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes the row lock of cart `id` (in a write transaction) and reads it: concurrent changes of
/// the same cart wait here, so each one starts from the previous one's result.
pub(crate) async fn lock_cart(conn: &mut AnyConnection, id: &str) -> ApiResult<Option<CartRow>> {
    let sql = format!(
        "UPDATE purchase_carts SET version = version + 1 WHERE id = $1 RETURNING {CART_COLUMNS}"
    );
    Ok(sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Writes a locked cart back.
pub(crate) async fn save_cart(conn: &mut AnyConnection, row: &CartRow) -> ApiResult<()> {
    let done = sqlx::query(
        "UPDATE purchase_carts SET status = $2, comment = $3, modified_ms = $4, doc = $5, \
         is_anonymous = $6 WHERE id = $1",
    )
    .bind(&row.id)
    .bind(&row.status)
    .bind(row.comment.as_deref())
    .bind(row.modified_ms)
    .bind(doc_text(&row.doc)?)
    .bind(row.is_anonymous)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(ApiError::conflict(
            "the cart was removed while it was being changed; try again",
        ));
    }
    Ok(())
}

/// Deletes cart `id`; true when it existed.
pub(crate) async fn delete_cart(conn: &mut AnyConnection, id: &str) -> ApiResult<bool> {
    let done = sqlx::query("DELETE FROM purchase_carts WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Filters of the `carts` query.
#[derive(Debug, Clone, Default)]
pub(crate) struct CartFilter {
    pub user_id: String,
    pub store_id: Option<String>,
    pub name: Option<String>,
    pub currency: Option<String>,
    pub cart_type: Option<String>,
    /// Only anonymous carts (for anonymous callers).
    pub anonymous_only: bool,
    /// Lower-case keyword.
    pub keyword: Option<String>,
}

/// Sort keys of the `carts` query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortField {
    Name,
    CreatedDate,
    ModifiedDate,
}

/// A page of carts matching `filter`, and how many match in all.
pub(crate) async fn list_carts(
    conn: &mut AnyConnection,
    filter: &CartFilter,
    sort: &[(SortField, bool)],
    page: OffsetPage,
    count: bool,
) -> ApiResult<(i64, Vec<CartRow>)> {
    let mut filters = Sql::new("user_id = ");
    filters.arg(filter.user_id.as_str());
    for (column, value) in [
        ("store_id", &filter.store_id),
        ("name", &filter.name),
        ("currency", &filter.currency),
        ("cart_type", &filter.cart_type),
    ] {
        if let Some(v) = value {
            filters.push(&format!(" AND {column} = ")).arg(v.as_str());
        }
    }
    if let Some(k) = &filter.keyword {
        let columns = [
            "LOWER(name)",
            "LOWER(status)",
            "LOWER(COALESCE(comment, ''))",
        ];
        filters.push(" AND (").like_any(&columns, k).push(")");
    }
    if filter.anonymous_only {
        filters.push(" AND is_anonymous = ").arg(Arg::Bool(true));
    }
    // The count scans every match: only when the caller shows it (0 otherwise, never sent).
    let total: i64 = if count {
        Sql::new("SELECT COUNT(*) AS n FROM purchase_carts WHERE ")
            .concat(&filters)
            .fetch_n(&mut *conn)
            .await?
    } else {
        0
    };

    let mut order: Vec<String> = sort
        .iter()
        .map(|(f, asc)| {
            let col = match f {
                SortField::Name => "name",
                SortField::CreatedDate => "created_ms",
                SortField::ModifiedDate => "modified_ms",
            };
            format!("{col} {}", if *asc { "ASC" } else { "DESC" })
        })
        .collect();
    order.push("id ASC".into());
    let mut list =
        Sql::new(&format!("SELECT {CART_COLUMNS} FROM purchase_carts WHERE ")).concat(&filters);
    list.push(&format!(" ORDER BY {}", order.join(", ")));
    page.push_to(&mut list);
    let rows = list.fetch_all_as(&mut *conn).await?;
    Ok((total, rows))
}

/// The user bound to the live (not revoked) token whose SHA-256 hex is `hash`.
pub(crate) async fn token_user(conn: &mut AnyConnection, hash: &str) -> ApiResult<Option<String>> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT user_id FROM purchase_api_tokens WHERE token_hash = $1 AND revoked_ms IS NULL",
    )
    .bind(hash)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Whether a token binds (or once bound: revoking a token does not hand the customer's carts
/// to tokenless callers) user `id`, any case.
pub(crate) async fn is_customer(conn: &mut AnyConnection, id: &str) -> ApiResult<bool> {
    let found = sqlx::query_scalar::<_, String>(
        "SELECT user_id FROM purchase_api_tokens WHERE lower(user_id) = lower($1) LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// Makes cart `id` a customer's (see `access`): it is no longer anonymous.
pub(crate) async fn claim_cart(conn: &mut AnyConnection, id: &str) -> ApiResult<()> {
    sqlx::query("UPDATE purchase_carts SET is_anonymous = $2 WHERE id = $1")
        .bind(id)
        .bind(false)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The display name of customer `id`.
pub(crate) async fn customer_name(conn: &mut AnyConnection, id: &str) -> ApiResult<Option<String>> {
    let name = sqlx::query_scalar::<_, String>("SELECT name FROM purchase_customers WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(name)
}
