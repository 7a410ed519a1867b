//! Storage of the purchase API: catalogue reads, cart rows, tokens. Every function takes a
//! connection, so the same code runs on a pooled connection (reads) and inside a write
//! transaction (changes).

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use rust_decimal::Decimal;
use shopql_server_stubs::{ApiError, ApiResult};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::domain::purchase::cart::CartDoc;
use crate::domain::purchase::catalog::{
    PaymentMethod, Price, Product, ShippingMethod, StoreCatalog, StoreSettings, TaxRate,
};
use crate::domain::purchase::money::Currency;
use crate::domain::purchase::promotions::{Promotion, Reward};
use crate::domain::purchase::properties::{
    DictionaryItem, ObjectType, PropertyDefinition, ValueType,
};
use crate::store::db_error;

/// A cart or wishlist row.
#[derive(Debug, Clone, PartialEq)]
pub struct CartRow {
    pub id: String,
    pub store_id: String,
    pub name: String,
    pub user_id: String,
    pub currency: String,
    pub cart_type: String,
    pub is_anonymous: bool,
    pub status: String,
    pub comment: Option<String>,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub version: i64,
    pub doc: CartDoc,
}

/// What identifies a cart besides its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartKey {
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

/// Reads a boolean selected as `CASE WHEN col THEN 1 ELSE 0 END AS col`.
fn flag(r: &AnyRow, column: &str) -> ApiResult<bool> {
    let v: i64 = r.try_get(column).map_err(db_error)?;
    Ok(v != 0)
}

fn corrupt(what: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("purchase storage holds an invalid value: {what}"))
}

fn dec(text: &str) -> ApiResult<Decimal> {
    Decimal::from_str(text.trim()).map_err(|_| corrupt(format!("decimal `{text}`")))
}

fn opt_dec(text: Option<String>) -> ApiResult<Option<Decimal>> {
    text.map(|t| dec(&t)).transpose()
}

fn cart_from(r: &AnyRow) -> ApiResult<CartRow> {
    let doc: String = r.try_get("doc").map_err(db_error)?;
    Ok(CartRow {
        id: r.try_get("id").map_err(db_error)?,
        store_id: r.try_get("store_id").map_err(db_error)?,
        name: r.try_get("name").map_err(db_error)?,
        user_id: r.try_get("user_id").map_err(db_error)?,
        currency: r.try_get("currency").map_err(db_error)?,
        cart_type: r.try_get("cart_type").map_err(db_error)?,
        is_anonymous: flag(r, "is_anonymous")?,
        status: r.try_get("status").map_err(db_error)?,
        comment: r.try_get("comment").map_err(db_error)?,
        created_ms: r.try_get("created_ms").map_err(db_error)?,
        modified_ms: r.try_get("modified_ms").map_err(db_error)?,
        version: r.try_get("version").map_err(db_error)?,
        doc: serde_json::from_str(&doc).map_err(|e| corrupt(format!("cart document: {e}")))?,
    })
}

/// The store `store_id` with its currencies, taxes, methods, promotions and property
/// definitions; `None` for an unknown store.
pub async fn load_catalog(
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
    .await
    .map_err(db_error)?
    else {
        return Ok(None);
    };
    let languages: String = s.try_get("languages").map_err(db_error)?;
    let fc_id: Option<String> = s.try_get("fulfillment_center_id").map_err(db_error)?;
    let fc_name: Option<String> = s.try_get("fulfillment_center_name").map_err(db_error)?;
    let settings = StoreSettings {
        id: s.try_get("id").map_err(db_error)?,
        name: s.try_get("name").map_err(db_error)?,
        default_currency: s.try_get("default_currency").map_err(db_error)?,
        default_language: s.try_get("default_language").map_err(db_error)?,
        languages: languages
            .split(',')
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
        default_tax_type: s.try_get("default_tax_type").map_err(db_error)?,
        shipping_tax_type: s.try_get("shipping_tax_type").map_err(db_error)?,
        payment_tax_type: s.try_get("payment_tax_type").map_err(db_error)?,
        weight_unit: s.try_get("weight_unit").map_err(db_error)?,
        fulfillment_center: fc_id.map(|id| (id, fc_name.unwrap_or_default())),
    };

    let mut currencies = Vec::new();
    for r in sqlx::query(
        "SELECT code, symbol, exchange_rate, decimal_digits, custom_formatting \
         FROM purchase_currencies WHERE store_id = $1 ORDER BY code",
    )
    .bind(store_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?
    {
        let rate: String = r.try_get("exchange_rate").map_err(db_error)?;
        let digits: i64 = r.try_get("decimal_digits").map_err(db_error)?;
        let rate = dec(&rate)?;
        if rate <= Decimal::ZERO {
            return Err(corrupt("non-positive exchange rate"));
        }
        currencies.push(Currency {
            code: r.try_get("code").map_err(db_error)?,
            symbol: r.try_get("symbol").map_err(db_error)?,
            exchange_rate: rate,
            digits: u32::try_from(digits).map_err(|_| corrupt("decimal digits"))?,
            custom_formatting: r.try_get("custom_formatting").map_err(db_error)?,
        });
    }

    let mut tax_rates = Vec::new();
    for r in sqlx::query(
        "SELECT tax_type, country_code, region_id, rate, name FROM purchase_tax_rates \
         WHERE store_id = $1 ORDER BY id",
    )
    .bind(store_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?
    {
        let rate: String = r.try_get("rate").map_err(db_error)?;
        tax_rates.push(TaxRate {
            tax_type: r.try_get("tax_type").map_err(db_error)?,
            country_code: r.try_get("country_code").map_err(db_error)?,
            region_id: r.try_get("region_id").map_err(db_error)?,
            rate: dec(&rate)?,
            name: r.try_get("name").map_err(db_error)?,
        });
    }

    let mut shipping_methods = Vec::new();
    for r in sqlx::query(
        "SELECT code, option_name, description, logo_url, priority, base_price, price_per_kg \
         FROM purchase_shipping_methods WHERE store_id = $1 AND is_active = $2 \
         ORDER BY priority, code, option_name",
    )
    .bind(store_id)
    .bind(true)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?
    {
        let base: String = r.try_get("base_price").map_err(db_error)?;
        let per_kg: String = r.try_get("price_per_kg").map_err(db_error)?;
        let priority: i64 = r.try_get("priority").map_err(db_error)?;
        shipping_methods.push(ShippingMethod {
            code: r.try_get("code").map_err(db_error)?,
            option_name: r.try_get("option_name").map_err(db_error)?,
            description: r.try_get("description").map_err(db_error)?,
            logo_url: r.try_get("logo_url").map_err(db_error)?,
            priority: i32::try_from(priority).unwrap_or(i32::MAX),
            base_price: dec(&base)?,
            price_per_kg: dec(&per_kg)?,
        });
    }

    let mut payment_methods = Vec::new();
    for r in sqlx::query(
        "SELECT code, name, description, logo_url, payment_method_type, group_type, priority, \
         fee, CASE WHEN is_available_for_partial THEN 1 ELSE 0 END AS is_available_for_partial \
         FROM purchase_payment_methods \
         WHERE store_id = $1 AND is_active = $2 ORDER BY priority, code",
    )
    .bind(store_id)
    .bind(true)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?
    {
        let fee: String = r.try_get("fee").map_err(db_error)?;
        let priority: i64 = r.try_get("priority").map_err(db_error)?;
        payment_methods.push(PaymentMethod {
            code: r.try_get("code").map_err(db_error)?,
            name: r.try_get("name").map_err(db_error)?,
            description: r.try_get("description").map_err(db_error)?,
            logo_url: r.try_get("logo_url").map_err(db_error)?,
            method_type: r.try_get("payment_method_type").map_err(db_error)?,
            group_type: r.try_get("group_type").map_err(db_error)?,
            priority: i32::try_from(priority).unwrap_or(i32::MAX),
            fee: dec(&fee)?,
            partial: flag(&r, "is_available_for_partial")?,
        });
    }

    let mut promotions = Vec::new();
    for r in sqlx::query(
        "SELECT id, description, coupon_code, reward, min_subtotal, starts_ms, ends_ms, \
         CASE WHEN is_active THEN 1 ELSE 0 END AS is_active \
         FROM purchase_promotions WHERE store_id = $1 ORDER BY priority, id",
    )
    .bind(store_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?
    {
        let reward: String = r.try_get("reward").map_err(db_error)?;
        let reward: Reward =
            serde_json::from_str(&reward).map_err(|e| corrupt(format!("promotion reward: {e}")))?;
        promotions.push(Promotion {
            id: r.try_get("id").map_err(db_error)?,
            description: r.try_get("description").map_err(db_error)?,
            coupon: r.try_get("coupon_code").map_err(db_error)?,
            reward,
            min_subtotal: opt_dec(r.try_get("min_subtotal").map_err(db_error)?)?,
            starts_ms: r.try_get("starts_ms").map_err(db_error)?,
            ends_ms: r.try_get("ends_ms").map_err(db_error)?,
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
    .await
    .map_err(db_error)?
    {
        let property_id: String = r.try_get("property_id").map_err(db_error)?;
        let labels: String = r.try_get("labels").map_err(db_error)?;
        let labels: BTreeMap<String, String> = serde_json::from_str(&labels)
            .map_err(|e| corrupt(format!("dictionary labels: {e}")))?;
        items.entry(property_id).or_default().push(DictionaryItem {
            id: r.try_get("id").map_err(db_error)?,
            name: r.try_get("name").map_err(db_error)?,
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
    .await
    .map_err(db_error)?
    {
        let id: String = r.try_get("id").map_err(db_error)?;
        let object_type: String = r.try_get("object_type").map_err(db_error)?;
        let value_type: String = r.try_get("value_type").map_err(db_error)?;
        defs.push(PropertyDefinition {
            object_type: ObjectType::parse(&object_type)
                .ok_or_else(|| corrupt(format!("object type {object_type}")))?,
            value_type: ValueType::parse(&value_type)
                .ok_or_else(|| corrupt(format!("value type {value_type}")))?,
            name: r.try_get("name").map_err(db_error)?,
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

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The products with `ids` (those that exist), with their prices.
pub async fn load_products(
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
    let sql = format!(
        "SELECT id, store_id, sku, names, product_type, tax_type, \
         CASE WHEN is_active THEN 1 ELSE 0 END AS is_active, in_stock, weight, \
         catalog_id, category_id, image_url, outer_id, vendor_id, vendor_name \
         FROM purchase_products WHERE id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in &ids {
        q = q.bind(id.as_str());
    }
    for r in q.fetch_all(&mut *conn).await.map_err(db_error)? {
        let names: String = r.try_get("names").map_err(db_error)?;
        let vendor_id: Option<String> = r.try_get("vendor_id").map_err(db_error)?;
        let vendor_name: Option<String> = r.try_get("vendor_name").map_err(db_error)?;
        let p = Product {
            id: r.try_get("id").map_err(db_error)?,
            store_id: r.try_get("store_id").map_err(db_error)?,
            sku: r.try_get("sku").map_err(db_error)?,
            names: serde_json::from_str(&names)
                .map_err(|e| corrupt(format!("product names: {e}")))?,
            product_type: r.try_get("product_type").map_err(db_error)?,
            tax_type: r.try_get("tax_type").map_err(db_error)?,
            is_active: flag(&r, "is_active")?,
            in_stock: r.try_get("in_stock").map_err(db_error)?,
            weight: opt_dec(r.try_get("weight").map_err(db_error)?)?,
            catalog_id: r.try_get("catalog_id").map_err(db_error)?,
            category_id: r.try_get("category_id").map_err(db_error)?,
            image_url: r.try_get("image_url").map_err(db_error)?,
            outer_id: r.try_get("outer_id").map_err(db_error)?,
            vendor: vendor_id.map(|id| (id, vendor_name.unwrap_or_default())),
            prices: Vec::new(),
        };
        out.insert(p.id.clone(), p);
    }
    let sql = format!(
        "SELECT product_id, currency, list_price, sale_price FROM purchase_prices \
         WHERE product_id IN ({}) ORDER BY product_id, currency",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in &ids {
        q = q.bind(id.as_str());
    }
    for r in q.fetch_all(&mut *conn).await.map_err(db_error)? {
        let product_id: String = r.try_get("product_id").map_err(db_error)?;
        let list: String = r.try_get("list_price").map_err(db_error)?;
        let price = Price {
            currency: r.try_get("currency").map_err(db_error)?,
            list: dec(&list)?,
            sale: opt_dec(r.try_get("sale_price").map_err(db_error)?)?,
        };
        if let Some(p) = out.get_mut(&product_id) {
            p.prices.push(price);
        }
    }
    Ok(out)
}

/// The cart `id`.
pub async fn cart_by_id(conn: &mut AnyConnection, id: &str) -> ApiResult<Option<CartRow>> {
    let sql = format!("SELECT {CART_COLUMNS} FROM purchase_carts WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?
        .as_ref()
        .map(cart_from)
        .transpose()
}

/// The cart with `key`.
pub async fn cart_by_key(conn: &mut AnyConnection, key: &CartKey) -> ApiResult<Option<CartRow>> {
    let sql = format!(
        "SELECT {CART_COLUMNS} FROM purchase_carts WHERE store_id = $1 AND user_id = $2 \
         AND name = $3 AND currency = $4 AND cart_type = $5"
    );
    sqlx::query(&sql)
        .bind(&key.store_id)
        .bind(&key.user_id)
        .bind(&key.name)
        .bind(&key.currency)
        .bind(&key.cart_type)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?
        .as_ref()
        .map(cart_from)
        .transpose()
}

fn doc_text(doc: &CartDoc) -> ApiResult<String> {
    serde_json::to_string(doc).map_err(|e| ApiError::internal(format!("cart document: {e}")))
}

/// Inserts `row` unless a cart with its id or key exists (a concurrent first use).
pub async fn insert_cart_if_absent(conn: &mut AnyConnection, row: &CartRow) -> ApiResult<()> {
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
    .await
    .map_err(db_error)?;
    Ok(())
}

/// Takes the row lock of cart `id` (in a write transaction) and reads it: concurrent changes of
/// the same cart wait here, so each one starts from the previous one's result.
pub async fn lock_cart(conn: &mut AnyConnection, id: &str) -> ApiResult<Option<CartRow>> {
    let sql = format!(
        "UPDATE purchase_carts SET version = version + 1 WHERE id = $1 RETURNING {CART_COLUMNS}"
    );
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?
        .as_ref()
        .map(cart_from)
        .transpose()
}

/// Writes a locked cart back.
pub async fn save_cart(conn: &mut AnyConnection, row: &CartRow) -> ApiResult<()> {
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
    .await
    .map_err(db_error)?;
    if done.rows_affected() != 1 {
        return Err(ApiError::conflict(
            "the cart was removed while it was being changed; try again",
        ));
    }
    Ok(())
}

/// Deletes cart `id`; true when it existed.
pub async fn delete_cart(conn: &mut AnyConnection, id: &str) -> ApiResult<bool> {
    let done = sqlx::query("DELETE FROM purchase_carts WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(done.rows_affected() > 0)
}

/// Filters of the `carts` query.
#[derive(Debug, Clone, Default)]
pub struct CartFilter {
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
pub enum SortField {
    Name,
    CreatedDate,
    ModifiedDate,
}

/// A page of carts matching `filter`, and how many match in all.
pub async fn list_carts(
    conn: &mut AnyConnection,
    filter: &CartFilter,
    sort: &[(SortField, bool)],
    (offset, limit): (i64, i64),
    count: bool,
) -> ApiResult<(i64, Vec<CartRow>)> {
    let mut clauses = vec!["user_id = $1".to_string()];
    let mut binds: Vec<String> = vec![filter.user_id.clone()];
    let mut push = |clause: &str, value: String, binds: &mut Vec<String>| {
        binds.push(value);
        clauses.push(clause.replace('?', &format!("${}", binds.len())));
    };
    if let Some(v) = &filter.store_id {
        push("store_id = ?", v.clone(), &mut binds);
    }
    if let Some(v) = &filter.name {
        push("name = ?", v.clone(), &mut binds);
    }
    if let Some(v) = &filter.currency {
        push("currency = ?", v.clone(), &mut binds);
    }
    if let Some(v) = &filter.cart_type {
        push("cart_type = ?", v.clone(), &mut binds);
    }
    if let Some(k) = &filter.keyword {
        let escaped = k
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        push(
            "(LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(status) LIKE ? ESCAPE '\\' \
             OR LOWER(COALESCE(comment, '')) LIKE ? ESCAPE '\\')",
            format!("%{escaped}%"),
            &mut binds,
        );
    }
    let mut where_sql = clauses.join(" AND ");
    if filter.anonymous_only {
        where_sql.push_str(&format!(" AND is_anonymous = ${}", binds.len() + 1));
    }
    // The count scans every match: only when the caller shows it (0 otherwise, never sent).
    let total: i64 = if count {
        let count_sql = format!("SELECT COUNT(*) AS n FROM purchase_carts WHERE {where_sql}");
        let mut q = sqlx::query(&count_sql);
        for b in &binds {
            q = q.bind(b.as_str());
        }
        if filter.anonymous_only {
            q = q.bind(true);
        }
        q.fetch_one(&mut *conn)
            .await
            .map_err(db_error)?
            .try_get("n")
            .map_err(db_error)?
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
    let n = binds.len() + usize::from(filter.anonymous_only);
    let page_sql = format!(
        "SELECT {CART_COLUMNS} FROM purchase_carts WHERE {where_sql} ORDER BY {} \
         LIMIT ${} OFFSET ${}",
        order.join(", "),
        n + 1,
        n + 2
    );
    let mut q = sqlx::query(&page_sql);
    for b in &binds {
        q = q.bind(b.as_str());
    }
    if filter.anonymous_only {
        q = q.bind(true);
    }
    q = q.bind(limit).bind(offset);
    let rows = q
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?
        .iter()
        .map(cart_from)
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((total, rows))
}

/// The user bound to the live (not revoked) token whose SHA-256 hex is `hash`.
pub async fn token_user(conn: &mut AnyConnection, hash: &str) -> ApiResult<Option<String>> {
    sqlx::query_scalar::<_, String>(
        "SELECT user_id FROM purchase_api_tokens WHERE token_hash = $1 AND revoked_ms IS NULL",
    )
    .bind(hash)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error)
}

/// Whether a token binds (or once bound: revoking a token does not hand the customer's carts
/// to tokenless callers) user `id`, any case.
pub async fn is_customer(conn: &mut AnyConnection, id: &str) -> ApiResult<bool> {
    let found = sqlx::query_scalar::<_, String>(
        "SELECT user_id FROM purchase_api_tokens WHERE lower(user_id) = lower($1) LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(found.is_some())
}

/// Makes cart `id` a customer's (see `access`): it is no longer anonymous.
pub async fn claim_cart(conn: &mut AnyConnection, id: &str) -> ApiResult<()> {
    sqlx::query("UPDATE purchase_carts SET is_anonymous = $2 WHERE id = $1")
        .bind(id)
        .bind(false)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// The display name of customer `id`.
pub async fn customer_name(conn: &mut AnyConnection, id: &str) -> ApiResult<Option<String>> {
    sqlx::query_scalar::<_, String>("SELECT name FROM purchase_customers WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)
}
