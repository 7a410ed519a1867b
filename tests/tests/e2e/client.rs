//! The storefront client API through the SDK: register, login, browse, check out and order as a
//! new customer, then log out — every root field, results asserted.

use shopql_sdk::Maybe;
use shopql_sdk::auth::{CLIENT_ORIGIN_HEADER, base64};
use shopql_sdk::client::*;
use shopql_tests::Coverage;

fn address(first: &str) -> AddressInput {
    AddressInput {
        first_name: Maybe::Value(first.into()),
        last_name: Maybe::Value("Tester".into()),
        address_line1: Maybe::Value("1 Vinyl Street".into()),
        city: Maybe::Value("London".into()),
        post_code: Maybe::Value("N1 9GU".into()),
        country: Maybe::Value("United Kingdom".into()),
        alpha2: Maybe::Value("GB".into()),
        ..Default::default()
    }
}

pub async fn journey(base_url: &str, coverage: &Coverage) -> anyhow::Result<()> {
    let store = |c: shopql_sdk::GraphqlClient| {
        Client::from_graphql_client(c.header(CLIENT_ORIGIN_HEADER, "www.my-vinyl-store.com"))
    };
    let public = store(coverage.client(base_url, "/client/graphql"));

    // Accounts: register a new customer; the demo buyer logs in.
    let email = format!("e2e-{}@example.com", std::process::id());
    let registered = public
        .register(
            base64(&email),
            base64("e2e-password-1"),
            RegisterOptions {
                first_name: Some("E2E".into()),
                last_name: Some("Tester".into()),
            },
        )
        .await?;
    let jwt = registered
        .and_then(|r| r.session)
        .and_then(|s| s.jwt)
        .ok_or_else(|| anyhow::anyhow!("register returned no session"))?;
    let login = public
        .login(base64("buyer@example.com"), base64("demo-password"))
        .await?
        .ok_or_else(|| anyhow::anyhow!("login returned nothing"))?;
    assert!(login.sessions_count.unwrap_or(0) >= 1);
    assert!(
        login
            .session
            .and_then(|s| s.jwt)
            .is_some_and(|j| j.split('.').count() == 3),
        "the session carries a JWT"
    );
    let wrong = public
        .login(base64("buyer@example.com"), base64("wrong-password"))
        .await;
    assert_eq!(
        wrong
            .err()
            .and_then(|e| e.code().map(str::to_string))
            .as_deref(),
        Some("UNAUTHENTICATED")
    );

    let customer = store(coverage.client(base_url, "/client/graphql").bearer(jwt));
    let me = customer
        .me()
        .await?
        .ok_or_else(|| anyhow::anyhow!("me is null with a session"))?;
    assert_eq!(me.email.as_deref(), Some(email.as_str()));

    // Browse: in-stock items, the page count, one item.
    let page = PaginationInput {
        sort: Maybe::Value("created".into()),
        order: Maybe::Value(1),
        page: Maybe::Value(1),
        limit: Maybe::Value(20),
    };
    let filters = InventoryFiltersInput {
        stock: Maybe::Value("inStock".into()),
        ..Default::default()
    };
    let inventory = public
        .inventory_items(filters.clone(), page.clone())
        .await?;
    let items: Vec<Item> = inventory.items.into_iter().flatten().flatten().collect();
    assert!(!items.is_empty(), "the demo store has items in stock");
    let pages = public.inventory_filters_pagination(filters, page).await?;
    assert!(pages.and_then(|p| p.pages).unwrap_or(0) >= 1);
    let item_id = items[0]
        .id
        .ok_or_else(|| anyhow::anyhow!("item without id"))?;
    let item = public
        .item(item_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("item({item_id}) not found"))?;
    assert_eq!(item.id, Some(item_id));

    // A listing anyone may buy now: in stock, not a pre-order, not one per customer.
    let listing = items
        .iter()
        .flat_map(|i| i.listings.iter().flatten().flatten())
        .find(|l| {
            l.pre_order == Some(false)
                && l.one_per_customer == Some(false)
                && l.stock.as_ref().and_then(|s| s.quantity).unwrap_or(0) >= 1
        })
        .and_then(|l| l.id)
        .ok_or_else(|| anyhow::anyhow!("no plain in-stock listing in the demo store"))?;

    // Checkout: create, add the listing, addresses and shipping, submit into an order.
    let checkout = customer
        .checkout_create()
        .await?
        .ok_or_else(|| anyhow::anyhow!("checkoutCreate returned nothing"))?;
    let id = checkout
        .id
        .clone()
        .ok_or_else(|| anyhow::anyhow!("checkout without id"))?;
    assert_eq!(checkout.status.as_deref(), Some("open"));
    let updated = customer
        .checkout_update_items(
            id.clone(),
            CheckoutUpdateItemsOptions {
                items: Some(vec![Some(CheckoutItemInput {
                    listing_id: Maybe::Value(listing),
                    quantity: Maybe::Value(1.0),
                })]),
            },
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("checkoutUpdateItems"))?;
    assert_eq!(updated.items.iter().flatten().count(), 1);
    let method = updated
        .available_shipping_methods
        .first()
        .map(|m| m.code.clone())
        .unwrap_or_else(|| "standard".into());
    let updated = customer
        .checkout_update(
            id.clone(),
            CheckoutUpdateOptions {
                billing: Some(CheckoutBillingInput {
                    address: Maybe::Value(address("Bill")),
                    ..Default::default()
                }),
                shipping: Some(CheckoutShippingInput {
                    method: Maybe::Value(method),
                    address: Maybe::Value(address("Ship")),
                    ..Default::default()
                }),
                buyer: Some(CheckoutBuyerInput {
                    email: Maybe::Value(email.clone()),
                    first_name: Maybe::Value("E2E".into()),
                    last_name: Maybe::Value("Tester".into()),
                    ..Default::default()
                }),
                use_single_address: Some(false),
                ..Default::default()
            },
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("checkoutUpdate"))?;
    assert!(updated.totals.as_ref().and_then(|t| t.grand).unwrap_or(0.0) > 0.0);
    let read = customer
        .checkout(id.clone())
        .await?
        .ok_or_else(|| anyhow::anyhow!("checkout({id})"))?;
    assert_eq!(read.id.as_deref(), Some(id.as_str()));
    assert!(
        customer
            .checkouts(CheckoutsOptions::default())
            .await?
            .checkouts
            .iter()
            .any(|c| c.id.as_deref() == Some(id.as_str()))
    );
    // Another customer cannot see it.
    assert!(
        store(coverage.client(base_url, "/client/graphql"))
            .checkout(id.clone())
            .await
            .map(|c| c.is_none())
            .unwrap_or(true)
    );

    let submitted = customer
        .checkout_submit(id.clone())
        .await?
        .ok_or_else(|| anyhow::anyhow!("checkoutSubmit"))?;
    assert_eq!(submitted.status.as_deref(), Some("completed"));
    let order_id = submitted
        .order_id
        .ok_or_else(|| anyhow::anyhow!("a submitted checkout has an order id"))?;
    let order = customer
        .order(order_id.clone())
        .await?
        .ok_or_else(|| anyhow::anyhow!("order({order_id})"))?;
    assert_eq!(order.items.len(), 1);
    assert!(
        customer
            .orders(OrdersOptions::default())
            .await?
            .orders
            .iter()
            .any(|o| o.id == order_id)
    );

    // Logout revokes the session token.
    assert!(customer.logout(LogoutOptions::default()).await?);
    assert!(
        customer.me().await.map(|m| m.is_none()).unwrap_or(true),
        "a revoked session has no `me`"
    );
    Ok(())
}
