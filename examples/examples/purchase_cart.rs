//! Seed 003 (the B2B purchase cart), done with the SDK: items, a coupon, a shipment, a payment,
//! an address, merging an anonymous visitor's cart after sign-in, and a product added to two
//! wishlists at once.
//!
//! `cargo run -p shopql-examples --example purchase_cart` (reference server running).

use shopql_examples::{base_url, check};
use shopql_sdk::Maybe;
use shopql_sdk::purchase::{
    Client, InputAddCouponType, InputAddItemType, InputAddOrUpdateCartAddressType,
    InputAddOrUpdateCartPaymentType, InputAddOrUpdateCartShipmentType,
    InputAddWishlistBulkItemType, InputAddressType, InputMergeCartType, InputPaymentType,
    InputShipmentType,
};

const STORE: &str = "Electronics";
const USER: &str = "b57d06db-1638-4d37-9734-fd01a9bc59aa";
const LAPTOP: &str = "9cbd8f316e254a679ba34a900fccb076";
const MOUSE: &str = "c3a1e0d2b4f64a7e8d9c0b1a2f3e4d5c";
const HEADPHONES: &str = "92e671024a8648de97dedcd488f58455";
const WISHLISTS: [&str; 2] = [
    "ce682f58-3bbd-42e5-a576-08c82a86ca11",
    "1b249c7a-5b7b-434d-a9b5-56a67ff993fe",
];

fn money(m: Option<&shopql_sdk::purchase::MoneyType>) -> String {
    m.map_or_else(|| "-".to_string(), |m| m.formatted_amount.clone())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = format!("{}/purchase/graphql", base_url());
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let cart_name = format!("example-{run}");

    // An anonymous visitor (any user id) puts a mouse in a cart before signing in.
    let visitor_id = format!("visitor-{run}");
    let anonymous = Client::new(&url);
    let visitor_cart = anonymous
        .add_item(InputAddItemType {
            store_id: STORE.into(),
            user_id: visitor_id.clone(),
            currency_code: Maybe::Value("USD".into()),
            product_id: MOUSE.into(),
            quantity: 2,
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("addItem returned no cart"))?;
    let visitor_cart_id = visitor_cart.id.clone().unwrap_or_default();
    println!(
        "visitor cart {visitor_cart_id}: {} item(s), anonymous: {:?}",
        visitor_cart.items_count.unwrap_or(0),
        visitor_cart.is_anonymous
    );
    check(
        visitor_cart.is_anonymous == Some(true),
        "a cart without a token is anonymous",
    )?;

    // The user signs in: the bearer token binds the user id.
    let client = Client::new(&url).bearer("demo-purchase-token");
    let base = |command: InputAddItemType| InputAddItemType {
        store_id: STORE.into(),
        user_id: USER.into(),
        cart_name: Maybe::Value(cart_name.clone()),
        currency_code: Maybe::Value("USD".into()),
        culture_name: Maybe::Value("en-US".into()),
        ..command
    };
    client
        .add_item(base(InputAddItemType {
            product_id: LAPTOP.into(),
            quantity: 1,
            ..Default::default()
        }))
        .await?;
    let cart = client
        .add_item(base(InputAddItemType {
            product_id: HEADPHONES.into(),
            quantity: 1,
            ..Default::default()
        }))
        .await?
        .ok_or_else(|| anyhow::anyhow!("addItem returned no cart"))?;
    println!(
        "cart `{}`: {} lines, subtotal {}",
        cart.name,
        cart.items_count.unwrap_or(0),
        money(cart.sub_total.as_deref())
    );
    check(
        cart.items_count == Some(2),
        "two lines after adding a laptop and headphones",
    )?;

    let cart = client
        .add_coupon(InputAddCouponType {
            store_id: STORE.into(),
            user_id: USER.into(),
            cart_name: Maybe::Value(cart_name.clone()),
            currency_code: Maybe::Value("USD".into()),
            coupon_code: "SAVE10".into(),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("addCoupon returned no cart"))?;
    let applied =
        cart.coupons.iter().flatten().flatten().any(|c| {
            c.code.as_deref() == Some("SAVE10") && c.is_applied_successfully == Some(true)
        });
    println!(
        "coupon SAVE10 applied: {applied}; discount {}",
        money(cart.discount_total.as_deref())
    );
    check(applied, "SAVE10 applies to the cart")?;

    client
        .add_or_update_cart_shipment(InputAddOrUpdateCartShipmentType {
            store_id: STORE.into(),
            user_id: USER.into(),
            cart_name: Maybe::Value(cart_name.clone()),
            currency_code: Maybe::Value("USD".into()),
            shipment: InputShipmentType {
                shipment_method_code: Maybe::Value("FixedRate".into()),
                shipment_method_option: Maybe::Value("Ground".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .await?;
    client
        .add_or_update_cart_payment(InputAddOrUpdateCartPaymentType {
            store_id: STORE.into(),
            user_id: USER.into(),
            cart_name: Maybe::Value(cart_name.clone()),
            currency_code: Maybe::Value("USD".into()),
            payment: InputPaymentType {
                payment_gateway_code: Maybe::Value("DefaultManualPaymentMethod".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .await?;
    let cart = client
        .add_or_update_cart_address(InputAddOrUpdateCartAddressType {
            store_id: STORE.into(),
            user_id: USER.into(),
            cart_name: Maybe::Value(cart_name.clone()),
            currency_code: Maybe::Value("USD".into()),
            address: InputAddressType {
                address_type: Maybe::Value(3),
                first_name: Maybe::Value("Ada".into()),
                last_name: Maybe::Value("Lovelace".into()),
                line1: Maybe::Value("1 Analytical Way".into()),
                city: Maybe::Value("Seattle".into()),
                region_id: Maybe::Value("WA".into()),
                postal_code: Maybe::Value("98101".into()),
                country_code: Maybe::Value("USA".into()),
                country_name: Maybe::Value("United States".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("addOrUpdateCartAddress returned no cart"))?;
    println!(
        "shipping {} + payment {} + tax {} => total {}",
        money(cart.shipping_total.as_deref()),
        money(cart.payment_total.as_deref()),
        money(cart.tax_total.as_deref()),
        money(cart.total.as_deref())
    );
    check(
        cart.shipments.iter().flatten().count() == 1 && cart.payments.iter().flatten().count() == 1,
        "one shipment and one payment",
    )?;
    check(cart.addresses.iter().flatten().count() == 1, "one address")?;

    // After sign-in, the visitor's anonymous cart is merged into the user's.
    let merged = client
        .merge_cart(InputMergeCartType {
            store_id: STORE.into(),
            user_id: USER.into(),
            cart_name: Maybe::Value(cart_name.clone()),
            currency_code: Maybe::Value("USD".into()),
            second_cart_id: visitor_cart_id.clone(),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("mergeCart returned no cart"))?;
    let mice: i32 = merged
        .items
        .iter()
        .flatten()
        .flatten()
        .filter(|i| i.product_id.as_deref() == Some(MOUSE))
        .filter_map(|i| i.quantity)
        .sum();
    println!(
        "merged the visitor's cart: {} lines, {mice} mice, total {}",
        merged.items_count.unwrap_or(0),
        money(merged.total.as_deref())
    );
    check(mice >= 2, "the visitor's two mice are in the user's cart")?;

    let bulk = client
        .add_wishlist_bulk_item(InputAddWishlistBulkItemType {
            list_ids: WISHLISTS.iter().map(|id| Some(id.to_string())).collect(),
            product_id: HEADPHONES.into(),
            quantity: Maybe::Value(1),
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("addWishlistBulkItem returned nothing"))?;
    let lists = bulk.wishlists.iter().flatten().flatten().count();
    println!("headphones added to {lists} wishlists");
    check(lists == 2, "both wishlists are returned")?;
    println!("ok");
    Ok(())
}
