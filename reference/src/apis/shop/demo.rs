//! The demo tenant (`demo`, access token `demo-access-id` / `demo-access-secret`), its catalogue
//! (`fixtures/shop-catalogue.json`: the seed's robot SKUs and promotion SKUs, price variants
//! `default`, `sales` and `retail`, market price lists `no` and `se`) and two demo carts with the
//! ids the operation documents use (`fixtures/shop-carts.json`, hydrated as the cart rules
//! hydrate them, with the configured cart lifetime).

use super::tenants;
use crate::state::AppState;
use crate::store::fixtures::{self, OnConflict, Values, detailed};

/// The demo tenant.
pub const DEMO_TENANT: &str = "demo";
/// The demo access token id.
pub const DEMO_ACCESS_ID: &str = "demo-access-id";
/// The demo access token secret.
pub const DEMO_ACCESS_SECRET: &str = "demo-access-secret";
/// The demo carts (the operation documents' ids).
pub const DEMO_CARTS: [&str; 2] = [
    "00000000-0000-4000-8000-000000000001",
    "00000000-0000-4000-8000-000000000002",
];

/// `meta` key set once the demo data is in.
const SEEDED: &str = "seed:shop";

/// Creates `tenant` with an access token pair and the demo catalogue; rows that exist stay as
/// they are, so seeding a tenant twice is a no-op (but for the pair, which is replaced).
pub async fn seed_tenant(
    state: &AppState,
    tenant: &str,
    id: &str,
    secret: &str,
) -> anyhow::Result<()> {
    let now = state.now_ms();
    let rows = fixtures::SHOP_CATALOGUE
        .resolve(&Values::at(now).with("tenant", tenant))
        .await?;
    let mut tx = state.store.begin().await.map_err(detailed)?;
    rows.insert(&mut tx, OnConflict::Skip).await?;
    // A random salt per pair: the API's own rule, not data.
    tenants::add_access_token(&mut tx, tenant, id, secret, now)
        .await
        .map_err(detailed)?;
    tx.commit().await.map_err(detailed)?;
    Ok(())
}

/// The demo tenant, catalogue and carts, once per database.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let now = state.now_ms();
    // The lifetime a new cart gets (see `ShopApi`), whole seconds.
    let ttl_s = (state.config.cart_ttl_ms / 1000).max(1);
    let values = Values::at(now)
        .with("tenant", DEMO_TENANT)
        .with("cart_ttl_s", ttl_s)
        .with("cart_ttl_ms", ttl_s.saturating_mul(1000));
    let load = [
        (fixtures::SHOP_CATALOGUE, values.clone()),
        (fixtures::SHOP_CARTS, values),
    ];
    if let Some(mut tx) = fixtures::seed_once(&state.store, SEEDED, "1", &load).await? {
        tenants::add_access_token(
            &mut tx,
            DEMO_TENANT,
            DEMO_ACCESS_ID,
            DEMO_ACCESS_SECRET,
            now,
        )
        .await
        .map_err(detailed)?;
        tx.commit().await.map_err(detailed)?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::fixtures::resolved_for_test;

    #[tokio::test]
    async fn demo_carts_are_the_operation_documents_and_hold_catalogue_skus() {
        let params = [
            ("tenant", json!(DEMO_TENANT)),
            ("cart_ttl_s", json!(60)),
            ("cart_ttl_ms", json!(60_000)),
        ];
        let catalogue = resolved_for_test(fixtures::SHOP_CATALOGUE, &params).await;
        let carts = resolved_for_test(fixtures::SHOP_CARTS, &params).await;
        let ids: Vec<_> = carts.table("shop_carts").map(|c| &c["id"]).collect();
        assert_eq!(ids, DEMO_CARTS);
        for cart in carts.table("shop_carts") {
            let doc = &cart["data"];
            assert_eq!(cart["tenant"], DEMO_TENANT);
            assert_eq!(doc["context"]["ttl_s"], 60);
            assert_eq!(cart["item_count"], doc["items"].as_array().unwrap().len());
            assert_eq!(cart["customer_identifier"], doc["customer"]["identifier"]);
            for line in doc["items"].as_array().unwrap() {
                assert!(
                    catalogue
                        .table("shop_variants")
                        .any(|v| v["sku"] == line["sku"])
                );
            }
        }
    }
}
