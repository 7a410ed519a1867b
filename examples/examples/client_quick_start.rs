//! Seed 000 (the storefront client API quick start), done with the SDK: log in with base64
//! credentials, browse the in-stock inventory, create a checkout, add the first listing — the
//! seed's four steps — then give addresses and a shipping method and submit it into an order.
//!
//! `cargo run -p shopql-examples --example client_quick_start` (reference server running).

use shopql_examples::{base_url, check};
use shopql_sdk::Maybe;
use shopql_sdk::auth::{CLIENT_ORIGIN_HEADER, base64};
use shopql_sdk::client::*;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = format!("{}/client/graphql", base_url());
    let store = Client::new(&url).header(CLIENT_ORIGIN_HEADER, "www.my-vinyl-store.com");

    // Step 1: authenticate as a customer (email and password go base64-encoded).
    let login = store
        .login(base64("buyer@example.com"), base64("demo-password"))
        .await?
        .ok_or_else(|| anyhow::anyhow!("login returned nothing"))?;
    let session = login
        .session
        .ok_or_else(|| anyhow::anyhow!("login returned no session"))?;
    let jwt = session
        .jwt
        .ok_or_else(|| anyhow::anyhow!("the session has no JWT"))?;
    println!(
        "1. logged in: session {} ({} session(s) open), expires at {:?}",
        session._id.unwrap_or_default(),
        login.sessions_count.unwrap_or(0),
        session.expires
    );
    let customer = store.clone().bearer(jwt);

    // Step 2: query the inventory (public), as the seed's GetInventoryItems does.
    let page = PaginationInput {
        sort: Maybe::Value("created".into()),
        order: Maybe::Value(1),
        page: Maybe::Value(1),
        limit: Maybe::Value(5),
    };
    let inventory = store
        .operations()
        .get_inventory_items(operations::get_inventory_items::Variables {
            filters: InventoryFiltersInput {
                stock: Maybe::Value("inStock".into()),
                ..Default::default()
            },
            pagination: page,
        })
        .await?;
    let items: Vec<_> = inventory
        .inventory_items
        .items
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    for item in &items {
        let title = item
            .data
            .as_ref()
            .and_then(|d| d.title.clone())
            .unwrap_or_default();
        println!(
            "2. {:>5} {title} ({} listing(s))",
            item.id.unwrap_or_default(),
            item.listings.iter().flatten().count()
        );
    }
    check(!items.is_empty(), "the demo store has items in stock")?;
    let listing_id = items
        .iter()
        .flat_map(|i| i.listings.iter().flatten().flatten())
        .find(|l| l.pre_order == Some(false) && l.one_per_customer == Some(false))
        .and_then(|l| l.id)
        .ok_or_else(|| anyhow::anyhow!("no listing to buy"))?;

    // Step 3: create an empty checkout.
    let checkout = customer
        .checkout_create()
        .await?
        .ok_or_else(|| anyhow::anyhow!("checkoutCreate returned nothing"))?;
    let id = checkout.id.clone().unwrap_or_default();
    println!(
        "3. checkout {id}: status {:?}, expires {:?}",
        checkout.status, checkout.expires
    );
    check(
        checkout.status.as_deref() == Some("open"),
        "a new checkout is open",
    )?;

    // Step 4: add the listing by its numeric id.
    let checkout = customer
        .checkout_update_items(
            id.clone(),
            CheckoutUpdateItemsOptions {
                items: Some(vec![Some(CheckoutItemInput {
                    listing_id: Maybe::Value(listing_id),
                    quantity: Maybe::Value(1.0),
                })]),
            },
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("checkoutUpdateItems returned nothing"))?;
    println!(
        "4. added listing {listing_id}: {} line(s), total {:?}",
        checkout.items.iter().flatten().count(),
        checkout.totals.as_ref().and_then(|t| t.grand)
    );

    // Then: addresses, a shipping method, and submission into an order (stock is taken atomically).
    let address = |first: &str| AddressInput {
        first_name: Maybe::Value(first.into()),
        last_name: Maybe::Value("Buyer".into()),
        address_line1: Maybe::Value("1 Vinyl Street".into()),
        city: Maybe::Value("London".into()),
        post_code: Maybe::Value("N1 9GU".into()),
        country: Maybe::Value("United Kingdom".into()),
        alpha2: Maybe::Value("GB".into()),
        ..Default::default()
    };
    let method = checkout
        .available_shipping_methods
        .first()
        .map(|m| m.code.clone())
        .unwrap_or_else(|| "standard".into());
    customer
        .checkout_update(
            id.clone(),
            CheckoutUpdateOptions {
                billing: Some(CheckoutBillingInput {
                    address: Maybe::Value(address("Bill")),
                    ..Default::default()
                }),
                shipping: Some(CheckoutShippingInput {
                    method: Maybe::Value(method.clone()),
                    address: Maybe::Value(address("Ship")),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await?;
    let submitted = customer
        .checkout_submit(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("checkoutSubmit returned nothing"))?;
    println!(
        "5. shipped by `{method}`, submitted: status {:?}, order {:?}",
        submitted.status, submitted.order_id
    );
    check(
        submitted.status.as_deref() == Some("completed") && submitted.order_id.is_some(),
        "the checkout became an order",
    )?;
    println!("ok");
    Ok(())
}
