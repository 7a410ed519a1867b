//! Seed 002's admin side, done with the SDK: set the seed's promotion (45 % off a red robot when
//! a pink one is bought), see it applied during hydration, then list abandoned carts.
//!
//! `cargo run -p shopql-examples --example cart_admin` (reference server running).

use shopql_examples::{base_url, check};
use shopql_sdk::Maybe;
use shopql_sdk::{cart_admin, shop};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = base_url();
    let token = shopql_sdk::auth::shop_token(
        &base,
        "demo",
        "demo-access-id",
        "demo-access-secret",
        &["cart", "cart:admin"],
        3600,
    )
    .await?;
    let admin = cart_admin::Client::new(format!("{base}/demo/cart/admin")).bearer(token.clone());
    let shop = shop::Client::new(format!("{base}/demo/cart")).bearer(token);

    let promotion = cart_admin::PromotionInput {
        identifier: "Promotions".into(),
        name: Maybe::Value("45% off a red smeg robot with a pink one".into()),
        periods: Maybe::Value(vec![cart_admin::PeriodInput {
            start: Maybe::Value("1999-02-12T20:00:00Z".into()),
            end: Maybe::Value("2189-02-12T20:00:00Z".into()),
        }]),
        triggers: Maybe::Value(cart_admin::PromotionTriggersInput {
            skus: Maybe::Value(vec!["smeg-robot-pink-standard".into()]),
        }),
        targets: Maybe::Value(cart_admin::PromotionTargetsInput {
            skus: Maybe::Value(vec!["smeg-robot-red-standard".into()]),
        }),
        mechanism: cart_admin::MechanismInput {
            r#type: cart_admin::MechanismEnumType::Percentage,
            value: 45.0,
        },
        limitations: Maybe::Value(cart_admin::PromotionLimitationsInput {
            repeatable: Maybe::Value(false),
        }),
        conditions: Maybe::Absent,
    };
    let set = admin.set_promotions(vec![promotion]).await?;
    println!(
        "setPromotions: {:?}",
        set.iter().map(|p| &p.identifier).collect::<Vec<_>>()
    );

    let sku = |sku: &str| {
        Some(shop::CartSkuItemInput {
            sku: sku.into(),
            quantity: Maybe::Value(1),
            ..Default::default()
        })
    };
    let cart = shop
        .hydrate(shop::CartInput {
            items: Maybe::Value(vec![
                sku("smeg-robot-pink-standard"),
                sku("smeg-robot-red-standard"),
            ]),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("hydrate returned no cart"))?;
    let discounted = cart
        .items
        .iter()
        .find(|i| i.variant.sku.as_deref() == Some("smeg-robot-red-standard"));
    let discounts: f64 = discounted
        .and_then(|i| i.price.discounts.as_ref())
        .map(|d| d.iter().map(|x| x.amount).sum())
        .unwrap_or(0.0);
    println!(
        "hydrated with the trigger SKU: red robot discount {discounts}, applied promotions {:?}",
        cart.applied_promotions
            .iter()
            .flatten()
            .map(|p| &p.identifier)
            .collect::<Vec<_>>()
    );
    check(discounts > 0.0, "the promotion applies to the target SKU")?;

    // Abandoned carts: carts in state `cart` not updated for a while (here: any, newest first).
    let listed = admin
        .carts(cart_admin::CartsOptions {
            filter: Some(cart_admin::CartFilterInput {
                state: Maybe::Value(cart_admin::CartState::Cart),
                has_items: Maybe::Value(true),
                ..Default::default()
            }),
            first: Some(10),
            ..Default::default()
        })
        .await?;
    println!(
        "{} open cart(s) with items; first page:",
        listed.total_count
    );
    for c in &listed.nodes {
        println!(
            "  {} updated {} ({} line(s))",
            c.id,
            c.updated_at,
            c.items.len()
        );
    }
    check(
        listed.nodes.iter().any(|c| c.id == cart.id),
        "the cart just hydrated is listed",
    )?;
    println!("ok");
    Ok(())
}
