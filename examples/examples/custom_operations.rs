//! A user crate with its own operation documents: `build.rs` generates `my_shop` from the shop
//! schema and `operations/*.graphql`; this program calls those operations with exact types.
//!
//! `cargo run -p shopql-examples --example custom_operations` (reference server running).

use shopql_examples::my_shop::shop;
use shopql_examples::{base_url, check};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = base_url();
    let token = shopql_sdk::auth::shop_token(
        &base,
        "demo",
        "demo-access-id",
        "demo-access-secret",
        &["cart"],
        3600,
    )
    .await?;
    println!("token for tenant `demo` with scope `cart`");

    let client = shop::Client::new(format!("{base}/demo/cart")).bearer(token);
    let ops = client.operations();

    let hydrated = ops
        .quick_hydrate(shop::operations::quick_hydrate::Variables {
            input: shop::CartInput {
                items: shopql_sdk::Maybe::Value(vec![Some(shop::CartSkuItemInput {
                    sku: "robot-pink-standard".into(),
                    quantity: shopql_sdk::Maybe::Value(2),
                    ..Default::default()
                })]),
                ..Default::default()
            },
        })
        .await?;
    let cart = hydrated
        .hydrate
        .ok_or_else(|| anyhow::anyhow!("hydrate returned no cart"))?;
    println!(
        "QuickHydrate: cart {} at {} {}",
        cart.id, cart.total.gross, cart.total.currency
    );
    check(
        cart.total.gross > 0.0,
        "a hydrated cart with two robots costs something",
    )?;

    let summary = ops
        .cart_summary(shop::operations::cart_summary::Variables {
            id: cart.id.clone(),
        })
        .await?;
    let summary = summary
        .cart
        .ok_or_else(|| anyhow::anyhow!("the cart just hydrated is not found"))?;
    for line in &summary.lines {
        println!(
            "CartSummary: {} x {} ({:?}) = {} {}",
            line.quantity, line.name, line.sku.sku, line.price.gross, line.price.currency
        );
    }
    check(
        summary.lines.len() == 1 && summary.lines[0].quantity == 2,
        "one line of two robots",
    )?;
    check(
        summary.total.gross == cart.total.gross,
        "the same total read back",
    )?;
    println!("ok");
    Ok(())
}
