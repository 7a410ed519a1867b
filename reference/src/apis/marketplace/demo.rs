//! Demo data, loaded from `fixtures/marketplace.json`: two sellers (API keys `demo-seller-key`
//! and `demo-seller-2-key`), the shared catalogue, and the objects behind every global id the
//! seed and `schemas/operations/marketplace` use (`Advert-100070734`, `Brand-4`, `Taxon-278`,
//! `Variant-78028`, `Invoice-13218`, …). One advert was deleted two days before the load, so it
//! is listed as a DeletedAdvert for 28 more days. The stored states (an advert's `published` and
//! `displayable`, an invoice's status rank and totals) are what the vetting and invoice rules
//! give for those rows.

use crate::state::AppState;
use crate::store::fixtures::{self, Values};

/// The demo seller's API key.
pub(crate) const DEMO_SELLER_KEY: &str = "demo-seller-key";
/// The second demo seller's API key.
pub(crate) const DEMO_SELLER_2_KEY: &str = "demo-seller-2-key";
#[cfg(test)]
/// The demo seller.
pub(crate) const DEMO_SELLER: i64 = 1001;
#[cfg(test)]
/// The second demo seller.
pub(crate) const DEMO_SELLER_2: i64 = 1002;

const SEED_KEY: &str = "seed:marketplace";

/// Loads the demo data unless it is there already.
pub(crate) async fn seed(state: &AppState) -> anyhow::Result<()> {
    let load = [(fixtures::MARKETPLACE, Values::at(state.now_ms()))];
    if let Some(tx) = fixtures::seed_once(&state.store, SEED_KEY, "loaded", &load).await? {
        tx.commit().await.map_err(fixtures::detailed)?;
        tracing::info!(
            "marketplace: demo data loaded (sellers with keys `{DEMO_SELLER_KEY}` and `{DEMO_SELLER_2_KEY}`)"
        );
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::auth::sha256_hex;
    use crate::store::fixtures::{TEST_NOW, resolved_for_test};

    #[tokio::test]
    async fn the_demo_sellers_ids_and_invoice_totals_hold() {
        let rows = resolved_for_test(fixtures::MARKETPLACE, &[]).await;
        let sellers: Vec<_> = rows.table("mp_sellers").collect();
        for (id, key) in [
            (DEMO_SELLER, DEMO_SELLER_KEY),
            (DEMO_SELLER_2, DEMO_SELLER_2_KEY),
        ] {
            let seller = sellers.iter().find(|s| s["id"] == id).unwrap();
            assert_eq!(seller["api_key_hash"], sha256_hex(key));
        }
        let has = |table: &str, id: i64| rows.table(table).any(|r| r["id"] == id);
        assert!(has("mp_adverts", 100_070_734) && has("mp_brands", 4) && has("mp_taxons", 278));
        assert!(has("mp_variants", 78028) && has("mp_invoices", 13218));
        // Deleted two days before the load.
        let deleted = rows
            .table("mp_adverts")
            .find(|a| a["id"] == 100_013_028)
            .unwrap();
        assert_eq!(deleted["deleted_at"], TEST_NOW - 2 * 24 * 3600 * 1000);
        // Stored totals: the lines' sum, plus shipping and the (negative) discount.
        for invoice in rows.table("mp_invoices") {
            let subtotal: i64 = rows
                .table("mp_line_items")
                .filter(|l| l["invoice_id"] == invoice["id"])
                .map(|l| l["quantity"].as_i64().unwrap() * l["unit_price_cents"].as_i64().unwrap())
                .sum();
            assert_eq!(invoice["subtotal_cents"], subtotal, "{}", invoice["id"]);
            let total = subtotal
                + invoice["shipping_cost_cents"].as_i64().unwrap()
                + invoice["discount_cents"].as_i64().unwrap();
            assert_eq!(invoice["total_cents"], total, "{}", invoice["id"]);
        }
    }
}
