//! The per-tenant catalogue that hydration reads: products (localized names, path, topics, VAT)
//! with variants by SKU (localized names, images, attributes, prices per price variant), and
//! market price lists.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use shopql_server_stubs::ApiError;
use sqlx::{AnyConnection, Row};

use crate::domain::pricing::MarketPrice;
use crate::store::sql::Sql;

/// The language names fall back to.
pub(crate) const DEFAULT_LANGUAGE: &str = "en";

/// A resized variant of a catalogue image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ImageSize {
    /// URL.
    pub url: String,
    /// Storage key.
    pub key: String,
    /// Width in pixels.
    pub width: Option<u32>,
    /// Height in pixels.
    pub height: Option<u32>,
}

/// A catalogue image with localized alt texts and resized variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CatalogueImage {
    /// URL of the original.
    pub url: String,
    /// Storage key.
    pub key: String,
    /// Alt text per language.
    #[serde(default)]
    pub alt: BTreeMap<String, String>,
    /// Width in pixels.
    pub width: Option<u32>,
    /// Height in pixels.
    pub height: Option<u32>,
    /// Resized variants.
    #[serde(default)]
    pub variants: Vec<ImageSize>,
}

/// A variant, sold by SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CatalogueVariant {
    /// The SKU, unique per tenant.
    pub sku: String,
    /// Name per language.
    pub names: BTreeMap<String, String>,
    /// Images.
    pub images: Vec<CatalogueImage>,
    /// Attributes, such as `color`.
    pub attributes: BTreeMap<String, String>,
    /// Price per price variant identifier (`default`, `sales`, …); `None` has no price.
    pub prices: BTreeMap<String, Option<Decimal>>,
}

/// A product and its variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CatalogueProduct {
    /// The product id.
    pub id: String,
    /// The catalogue path, such as `/shop/robots/robot`.
    pub path: String,
    /// Name per language.
    pub names: BTreeMap<String, String>,
    /// VAT percent, 0..=100.
    pub vat_percent: Decimal,
    /// Topic paths.
    pub topics: Vec<String>,
    /// Other paths where the product appears.
    pub shortcuts: Vec<String>,
    /// The variants.
    pub variants: Vec<CatalogueVariant>,
}

/// What hydration needs of one SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CatalogueEntry {
    /// The product (its `variants` are empty here).
    pub product: CatalogueProduct,
    /// The variant.
    pub variant: CatalogueVariant,
    /// Its prices in market price lists.
    pub market_prices: Vec<MarketPrice>,
}

/// The text for `language`, else English, else any.
pub(crate) fn localized(names: &BTreeMap<String, String>, language: &str) -> Option<String> {
    names
        .get(language)
        .or_else(|| names.get(DEFAULT_LANGUAGE))
        .or_else(|| names.values().next())
        .cloned()
}

fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::internal(format!("catalogue json: {e}")))
}

/// The catalogue entries of `skus` (those that exist), keyed by SKU.
pub(crate) async fn load(
    conn: &mut AnyConnection,
    tenant: &str,
    skus: &[&str],
) -> Result<HashMap<String, CatalogueEntry>, ApiError> {
    let mut out = HashMap::new();
    if skus.is_empty() {
        return Ok(out);
    }
    let mut unique: Vec<&str> = skus.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let mut sql = Sql::new(
        "SELECT v.sku, v.names, v.images, v.attributes, v.prices, p.id, p.path, p.names, p.vat_percent, p.topics, p.shortcuts \
         FROM shop_variants v JOIN shop_products p ON p.tenant = v.tenant AND p.id = v.product_id \
         WHERE v.tenant = ",
    );
    sql.arg(tenant)
        .push(" AND v.sku IN ")
        .list(unique.iter().copied());
    let rows = sql.fetch_all(&mut *conn).await?;
    for row in rows {
        let sku: String = row.try_get(0)?;
        let vat: String = row.try_get(8)?;
        let variant = CatalogueVariant {
            sku: sku.clone(),
            names: parse(&row.try_get::<String, _>(1)?)?,
            images: parse(&row.try_get::<String, _>(2)?)?,
            attributes: parse(&row.try_get::<String, _>(3)?)?,
            prices: parse(&row.try_get::<String, _>(4)?)?,
        };
        let product = CatalogueProduct {
            id: row.try_get(5)?,
            path: row.try_get(6)?,
            names: parse(&row.try_get::<String, _>(7)?)?,
            vat_percent: vat
                .parse()
                .map_err(|e| ApiError::internal(format!("catalogue VAT `{vat}`: {e}")))?,
            topics: parse(&row.try_get::<String, _>(9)?)?,
            shortcuts: parse(&row.try_get::<String, _>(10)?)?,
            variants: Vec::new(),
        };
        out.insert(
            sku,
            CatalogueEntry {
                product,
                variant,
                market_prices: Vec::new(),
            },
        );
    }
    let mut sql = Sql::new(
        "SELECT sku, price_variant, market, price FROM shop_market_prices WHERE tenant = ",
    );
    sql.arg(tenant)
        .push(" AND sku IN ")
        .list(unique.iter().copied());
    let prices: Vec<(String, String, String, String)> = sql.fetch_all_as(&mut *conn).await?;
    for (sku, price_variant, market, price) in prices {
        let price: Decimal = price
            .parse()
            .map_err(|e| ApiError::internal(format!("market price `{price}`: {e}")))?;
        if let Some(entry) = out.get_mut(&sku) {
            entry.market_prices.push(MarketPrice {
                market,
                price_variant,
                price,
            });
        }
    }
    Ok(out)
}

/// True if the tenant's catalogue has `sku`.
pub(crate) async fn has_sku(
    conn: &mut AnyConnection,
    tenant: &str,
    sku: &str,
) -> Result<bool, ApiError> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT sku FROM shop_variants WHERE tenant = $1 AND sku = $2")
            .bind(tenant)
            .bind(sku)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}
