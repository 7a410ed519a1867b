//! The demo tenant (`demo`, access token `demo-access-id` / `demo-access-secret`), its catalogue
//! with the seed's robot SKUs and promotion SKUs, price variants (`default`, `sales`, `retail`),
//! market price lists (`no`, `se`), and two demo carts with the ids the operation documents use.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use shopql_server_stubs::ApiResult;

use super::catalogue::{
    CatalogueImage, CatalogueProduct, CatalogueVariant, ImageSize, PriceListPrice,
    upsert_market_price, upsert_product,
};
use super::compute::{recompute, sku_line};
use super::model::{CartDoc, CartRecord, CartState, ContextDoc, CustomerDoc};
use super::{carts, tenants};
use crate::state::AppState;

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

fn names(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn prices(pairs: &[(&str, Option<i64>, u32)]) -> BTreeMap<String, Option<Decimal>> {
    pairs
        .iter()
        .map(|(k, v, scale)| (k.to_string(), v.map(|m| Decimal::new(m, *scale))))
        .collect()
}

fn image(slug: &str, alt_en: &str, alt_de: &str) -> CatalogueImage {
    let base = "https://media.shopql.example/demo";
    CatalogueImage {
        url: format!("{base}/{slug}.jpg"),
        key: format!("demo/{slug}.jpg"),
        alt: names(&[("en", alt_en), ("de", alt_de)]),
        width: Some(1200),
        height: Some(1200),
        variants: [500u32, 1024]
            .iter()
            .map(|w| ImageSize {
                url: format!("{base}/{slug}@{w}.webp"),
                key: format!("demo/{slug}@{w}.webp"),
                width: Some(*w),
                height: Some(*w),
            })
            .collect(),
    }
}

#[allow(clippy::too_many_arguments)]
fn variant(
    sku: &str,
    en: &str,
    de: &str,
    color: &str,
    default: i64,
    sales: Option<i64>,
    retail: i64,
) -> CatalogueVariant {
    CatalogueVariant {
        sku: sku.into(),
        names: names(&[("en", en), ("de", de)]),
        images: vec![image(sku, en, de)],
        attributes: names(&[("color", color), ("size", "standard")]),
        prices: prices(&[
            ("default", Some(default), 0),
            ("sales", sales, 0),
            ("retail", Some(retail), 0),
        ]),
    }
}

/// The demo catalogue.
pub fn catalogue() -> (Vec<CatalogueProduct>, Vec<PriceListPrice>) {
    let products = vec![
        CatalogueProduct {
            id: "robot".into(),
            path: "/shop/robots/robot".into(),
            names: names(&[("en", "Robot"), ("de", "Roboter"), ("no", "Robot")]),
            vat_percent: Decimal::from(25),
            topics: vec!["/topics/robots".into(), "/topics/toys".into()],
            shortcuts: vec!["/shop/toys/robot".into()],
            variants: vec![
                variant(
                    "robot-pink-standard",
                    "Robot pink standard",
                    "Roboter rosa Standard",
                    "pink",
                    100,
                    Some(80),
                    120,
                ),
                // No `sales` price: contexts selecting it fall back (or fail).
                variant(
                    "robot-red-standard",
                    "Robot red standard",
                    "Roboter rot Standard",
                    "red",
                    110,
                    None,
                    130,
                ),
            ],
        },
        CatalogueProduct {
            id: "smeg-robot".into(),
            path: "/shop/robots/smeg-robot".into(),
            names: names(&[("en", "Smeg robot"), ("de", "Smeg-Roboter")]),
            vat_percent: Decimal::from(25),
            topics: vec!["/topics/robots".into()],
            shortcuts: vec![],
            variants: vec![
                variant(
                    "smeg-robot-pink-standard",
                    "Smeg robot pink standard",
                    "Smeg-Roboter rosa Standard",
                    "pink",
                    200,
                    Some(180),
                    240,
                ),
                variant(
                    "smeg-robot-red-standard",
                    "Smeg robot red standard",
                    "Smeg-Roboter rot Standard",
                    "red",
                    220,
                    Some(199),
                    260,
                ),
            ],
        },
        CatalogueProduct {
            id: "robot-battery".into(),
            path: "/shop/accessories/robot-battery".into(),
            names: names(&[("en", "Robot battery pack"), ("de", "Roboter-Akku")]),
            vat_percent: Decimal::from(12),
            topics: vec!["/topics/accessories".into()],
            shortcuts: vec![],
            variants: vec![CatalogueVariant {
                sku: "robot-battery-pack".into(),
                names: names(&[("en", "Robot battery pack"), ("de", "Roboter-Akku")]),
                images: vec![image("robot-battery-pack", "A battery pack", "Ein Akku")],
                attributes: names(&[("capacity", "5000 mAh")]),
                prices: prices(&[
                    ("default", Some(1999), 2),
                    ("sales", Some(1499), 2),
                    ("retail", Some(2499), 2),
                ]),
            }],
        },
    ];
    let market = |list: &str, market: &str, sku: &str, price: i64| PriceListPrice {
        price_list: list.into(),
        market: market.into(),
        sku: sku.into(),
        price_variant: "default".into(),
        price: Decimal::from(price),
    };
    let price_lists = vec![
        market("norway", "no", "robot-pink-standard", 95),
        market("norway", "no", "robot-red-standard", 105),
        market("nordics", "no", "robot-pink-standard", 97),
        market("nordics", "se", "robot-pink-standard", 98),
        market("nordics", "dk", "robot-pink-standard", 98),
    ];
    (products, price_lists)
}

/// Creates `tenant` with an access token pair and the demo catalogue (idempotent upserts).
pub async fn seed_tenant(state: &AppState, tenant: &str, id: &str, secret: &str) -> ApiResult<()> {
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    tenants::create_tenant(&mut tx, tenant, now).await?;
    tenants::add_access_token(&mut tx, tenant, id, secret, now).await?;
    let (products, price_lists) = catalogue();
    for p in &products {
        upsert_product(&mut tx, tenant, p).await?;
    }
    for p in &price_lists {
        upsert_market_price(&mut tx, tenant, p).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The demo tenant, catalogue and carts.
pub async fn seed(state: &AppState) -> ApiResult<()> {
    seed_tenant(state, DEMO_TENANT, DEMO_ACCESS_ID, DEMO_ACCESS_SECRET).await?;
    let now = state.now_ms();
    let ttl_s = (state.config.cart_ttl_ms / 1000).max(1);
    let mut tx = state.store.begin().await?;
    let lines = [("robot-pink-standard", 1), ("robot-red-standard", 2)];
    for (id, (sku, quantity)) in DEMO_CARTS.iter().zip(lines) {
        let mut doc = CartDoc::new(ContextDoc::defaults(ttl_s));
        doc.items.push(sku_line(sku, quantity, None, None));
        doc.customer = Some(CustomerDoc {
            is_guest: false,
            identifier: Some("buyer@example.com".into()),
            first_name: Some("Ada".into()),
            last_name: Some("Buyer".into()),
            email: Some("buyer@example.com".into()),
            ..Default::default()
        });
        recompute(&mut tx, DEMO_TENANT, &mut doc, now).await?;
        let mut cart = CartRecord {
            id: id.to_string(),
            state: CartState::Cart,
            created_at: now,
            updated_at: now,
            ttl_ms: 0,
            expires_at: 0,
            stale_ttl_ms: None,
            stale_at: None,
            order_id: None,
            version: 1,
            doc,
        };
        cart.touch(now);
        carts::insert(&mut tx, DEMO_TENANT, &cart).await?;
    }
    tx.commit().await?;
    Ok(())
}
