//! Hydration and computation of a cart: refresh managed lines from the catalogue, then price
//! every line with the pricing engine and the tenant's promotions.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::Value;
use shopql_server_stubs::{ApiError, ApiResult};
use sqlx::AnyConnection;

use super::catalogue::{self, CatalogueEntry, localized};
use super::input::MAX_LINES;
use super::model::{AppliedPromotionDoc, CartDoc, LineDoc, Origin, ProductDoc, StringMap};
use crate::apis::shop::promotions;
use crate::domain::pricing::{CataloguePrices, LineInput, LinePricing, price_cart};

/// A new managed line for `sku`; [`recompute`] fills its data from the catalogue.
pub(crate) fn sku_line(
    sku: &str,
    quantity: u32,
    tax_rate_override: Option<Decimal>,
    meta: Option<StringMap>,
) -> LineDoc {
    LineDoc {
        sku: sku.to_string(),
        quantity,
        origin: Origin::Crystallize,
        managed: true,
        tax_rate_override,
        meta,
        name: sku.to_string(),
        variant_name: None,
        product: ProductDoc::default(),
        images: Vec::new(),
        attributes: None,
        given_price: None,
        priced: None,
    }
}

/// Copies the catalogue's data of a managed line (names in `language`).
fn refresh(line: &mut LineDoc, entry: &CatalogueEntry, language: &str) {
    let product_name =
        localized(&entry.product.names, language).unwrap_or_else(|| entry.product.id.clone());
    let variant_name =
        localized(&entry.variant.names, language).unwrap_or_else(|| product_name.clone());
    line.origin = Origin::Crystallize;
    line.name = variant_name.clone();
    line.variant_name = Some(variant_name);
    line.product = ProductDoc {
        id: entry.product.id.clone(),
        name: product_name,
        path: entry.product.path.clone(),
        shortcuts: Some(entry.product.shortcuts.clone()),
        topics: entry.product.topics.clone(),
        vat_percent: Some(entry.product.vat_percent),
    };
    line.images = entry.variant.images.clone();
    line.attributes = Some(
        entry
            .variant
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.clone())))
            .collect(),
    );
    line.given_price = None;
}

/// Refreshes managed lines and prices the whole cart at `now_ms`. Unknown SKUs, prices the
/// context cannot find and invalid amounts are `BAD_USER_INPUT`.
pub(crate) async fn recompute(
    conn: &mut AnyConnection,
    tenant: &str,
    doc: &mut CartDoc,
    now_ms: i64,
) -> ApiResult<()> {
    if doc.items.len() > MAX_LINES {
        return Err(ApiError::bad_input(format!(
            "a cart holds at most {MAX_LINES} lines; this one would hold {}",
            doc.items.len()
        )));
    }
    let skus: Vec<&str> = doc
        .items
        .iter()
        .filter(|l| l.managed)
        .map(|l| l.sku.as_str())
        .collect();
    let entries: HashMap<String, CatalogueEntry> = catalogue::load(conn, tenant, &skus).await?;
    let language = doc.context.language.clone();
    let mut inputs = Vec::with_capacity(doc.items.len());
    for line in &mut doc.items {
        let pricing = if line.managed {
            let entry = entries.get(&line.sku).ok_or_else(|| {
                ApiError::bad_input(format!(
                    "unknown SKU `{}`: it is not in the catalogue",
                    line.sku
                ))
            })?;
            refresh(line, entry, &language);
            LinePricing::Catalogue(CataloguePrices {
                vat_rate: entry.product.vat_percent / Decimal::ONE_HUNDRED,
                tax_rate_override: line.tax_rate_override,
                prices: entry.variant.prices.clone(),
                market_prices: entry.market_prices.clone(),
            })
        } else {
            LinePricing::Given(line.given_price.clone().unwrap_or_default())
        };
        inputs.push(LineInput {
            sku: line.sku.clone(),
            quantity: line.quantity,
            pricing,
        });
    }
    let promotions = promotions::load_all(conn, tenant).await?;
    let priced = price_cart(&inputs, &doc.context.price.pricing(), &promotions, now_ms)
        .map_err(|e| ApiError::bad_input(e.to_string()))?;
    for (line, p) in doc.items.iter_mut().zip(priced.lines) {
        line.priced = Some(p);
    }
    doc.total = priced.total;
    doc.applied_promotions = priced
        .applied_promotions
        .iter()
        .filter_map(|id| promotions.iter().find(|p| &p.identifier == id))
        .map(|p| AppliedPromotionDoc {
            identifier: p.identifier.clone(),
            name: p.name.clone(),
            kind: p.mechanism.kind,
            value: p.mechanism.value,
        })
        .collect();
    Ok(())
}
