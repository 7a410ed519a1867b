//! Seed 002 (the shop cart API), done with the SDK: a scoped token from the token endpoint,
//! hydrate a cart from SKUs (the seed's robots and an external shipping item), change it, place
//! it (read-only afterwards), and read it as an order intent.
//!
//! `cargo run -p shopql-examples --example shop_cart` (reference server running).

use shopql_examples::{base_url, check};
use shopql_sdk::Maybe;
use shopql_sdk::shop::*;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = base_url();
    let token = shopql_sdk::auth::shop_token(
        &base,
        "demo",
        "demo-access-id",
        "demo-access-secret",
        &["cart"],
        18_000,
    )
    .await?;
    println!("token with scope `cart` for tenant `demo`, valid 5 hours");
    let shop = Client::new(format!("{base}/demo/cart")).bearer(token);

    let sku = |sku: &str, quantity: u32| {
        Some(CartSkuItemInput {
            sku: sku.into(),
            quantity: Maybe::Value(quantity),
            ..Default::default()
        })
    };
    let shipping = CartItemInputType {
        sku: "my-shipping-cost-sku".into(),
        name: "Shipping with Fedex".into(),
        quantity: Maybe::Value(1),
        images: Maybe::Value(vec![]),
        variant: ProductVariantInput {
            price: PriceInput {
                gross: 120.0,
                net: 100.0,
                discounts: Maybe::Absent,
            },
            product: ProductInput {
                id: "my-shipping-product-id".into(),
                path: "an url".into(),
                topics: Maybe::Absent,
            },
            attributes: Maybe::Absent,
        },
        meta: Maybe::Absent,
    };
    let cart = shop
        .hydrate(CartInput {
            items: Maybe::Value(vec![
                sku("robot-pink-standard", 1),
                sku("robot-red-standard", 3),
            ]),
            external_items: Maybe::Value(vec![Some(shipping)]),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("hydrate returned no cart"))?;
    println!("hydrated cart {}:", cart.id);
    for item in &cart.items {
        println!(
            "  {} x {} = {} {} (net {})",
            item.quantity, item.name, item.price.gross, item.price.currency, item.price.net
        );
    }
    println!(
        "  total {} {} (net {}, tax {})",
        cart.total.gross, cart.total.currency, cart.total.net, cart.total.tax_amount
    );
    check(
        cart.items.len() == 3,
        "two SKU lines and the external shipping line",
    )?;

    let cart = shop
        .add_cart_item(AddCartItemOptions {
            id: Some(cart.id.clone()),
            sku: Some("robot-pink-standard".into()),
            quantity: Some(1),
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("addCartItem returned no cart"))?;
    println!(
        "one more pink robot: total {} {}",
        cart.total.gross, cart.total.currency
    );

    let placed = shop
        .place(PlaceOptions {
            id: Some(cart.id.clone()),
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("place returned no cart"))?;
    println!("placed: state {:?} (read-only now)", placed.state);
    check(placed.state == CartState::Placed, "the cart is placed")?;
    let refused = shop
        .add_cart_item(AddCartItemOptions {
            id: Some(cart.id.clone()),
            sku: Some("robot-pink-standard".into()),
            quantity: Some(1),
        })
        .await;
    check(
        refused.is_err_and(|e| e.code() == Some("CONFLICT")),
        "a placed cart refuses changes with CONFLICT",
    )?;

    let intent = shop
        .order_intent(OrderIntentOptions {
            id: Some(cart.id.clone()),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("orderIntent returned nothing"))?;
    let order = intent.order.unwrap_or_default();
    println!(
        "order intent: {} top-level keys ({})",
        order.len(),
        order.keys().cloned().collect::<Vec<_>>().join(", ")
    );
    check(
        !order.is_empty(),
        "the order intent is shaped for order creation",
    )?;
    println!("ok");
    Ok(())
}
