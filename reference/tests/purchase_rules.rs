//! Rules of the purchase API beyond the seed's examples, on SQLite and PostgreSQL: who may touch
//! which cart, merging, wishlists, dynamic property validation, warnings and refresh, stock,
//! currencies and cultures, paging, lazily computed fields, bad input, and concurrent changes.

#![allow(clippy::unwrap_used)]

mod purchase_support;

use purchase_support::*;
use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;

const CART: &str = r#"
query Cart($storeId: String!, $userId: String, $cartName: String, $currencyCode: String!,
           $cultureName: String, $cartType: String, $cartId: String) {
  cart(storeId: $storeId, userId: $userId, cartName: $cartName, currencyCode: $currencyCode,
       cultureName: $cultureName, cartType: $cartType, cartId: $cartId) {
    id name isAnonymous customerId customerName type
    items { id productId name quantity listPrice { amount formattedAmount } salePrice { amount }
            placedPrice { amount } extendedPrice { amount } validationErrors { errorCode } }
    itemsQuantity
    coupons { code isAppliedSuccessfully }
    subTotal { amount formattedAmount }
    discountTotal { amount }
    taxTotal { amount }
    total { amount formattedAmount formattedAmountWithoutPoint decimalDigits }
    warnings { errorCode objectId errorParameters { key value } }
  }
}"#;

const ADD_ITEM: &str = r#"
mutation Add($command: InputAddItemType!) {
  addItem(command: $command) {
    id isAnonymous itemsQuantity
    items { id productId quantity }
    warnings { errorCode objectId objectType errorParameters { key value } }
  }
}"#;

const CHANGE_QTY: &str = r#"
mutation Q($command: InputChangeCartItemQuantityType!) {
  changeCartItemQuantity(command: $command) {
    items { id quantity }
    warnings { errorCode objectId errorParameters { key value } }
  }
}"#;

const MERGE: &str = r#"
mutation M($command: InputMergeCartType!) {
  mergeCart(command: $command) {
    id isAnonymous
    items { id productId quantity }
    coupons { code }
    warnings { errorCode objectId }
  }
}"#;

const REMOVE_CART: &str = r#"
mutation R($command: InputRemoveCartType!) { removeCart(command: $command) }"#;

const BULK: &str = r#"
mutation B($command: InputAddWishlistBulkItemType!) {
  addWishlistBulkItem(command: $command) { wishlists { id name items { productId quantity } } }
}"#;

const CART_PROPS: &str = r#"
mutation P($command: InputUpdateCartDynamicPropertiesType!) {
  updateCartDynamicProperties(command: $command) {
    all: dynamicProperties { name value valueType dictionaryItem { id label } }
    german: dynamicProperties(cultureName: "de-DE") { name value dictionaryItem { label } }
  }
}"#;

const ITEM_PROPS: &str = r#"
mutation P($command: InputUpdateCartItemDynamicPropertiesType!) {
  updateCartItemDynamicProperties(command: $command) { items { id dynamicProperties { name value } } }
}"#;

const REFRESH: &str = r#"
mutation R($command: RefreshCartType!) {
  refreshCart(command: $command) {
    items { salePrice { amount } }
    warnings { errorCode }
    validationErrors(ruleSet: "items") { errorCode objectId }
  }
}"#;

fn cart_vars(user: Option<&str>, name: &str, extra: Value) -> Value {
    let mut v = json!({"storeId": "Electronics", "cartName": name, "currencyCode": "USD"});
    if let Some(u) = user {
        v["userId"] = json!(u);
    }
    for (k, val) in extra.as_object().cloned().unwrap_or_default() {
        v[k] = val;
    }
    v
}

fn command(user: &str, name: &str, extra: Value) -> Value {
    let mut c =
        json!({"storeId": "Electronics", "cartName": name, "userId": user, "currencyCode": "USD"});
    for (k, val) in extra.as_object().cloned().unwrap_or_default() {
        c[k] = val;
    }
    json!({ "command": c })
}

fn codes(warnings: &Value) -> Vec<String> {
    warnings
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["errorCode"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_user_cannot_read_or_change_another_users_cart() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());

        // A cart created with the demo token belongs to the demo user only.
        let mine = api
            .ok(
                CART,
                cart_vars(None, "token-cart", json!({})),
                Some(DEMO_TOKEN),
            )
            .await["cart"]
            .clone();
        assert_eq!(mine["isAnonymous"], false, "{label}");
        assert_eq!(mine["customerId"], DEMO_USER);
        assert_eq!(mine["customerName"], "Demo Buyer");
        let id = mine["id"].as_str().unwrap().to_string();
        api.ok(
            ADD_ITEM,
            command(
                DEMO_USER,
                "token-cart",
                json!({"productId": MOUSE, "quantity": 1}),
            ),
            Some(DEMO_TOKEN),
        )
        .await;

        // Without a token: by key or by id, reading or changing: Unauthorized.
        assert_eq!(
            api.err(
                CART,
                cart_vars(Some(DEMO_USER), "token-cart", json!({})),
                None
            )
            .await,
            "Unauthorized"
        );
        assert_eq!(
            api.err(
                CART,
                cart_vars(Some(DEMO_USER), "x", json!({"cartId": id})),
                None
            )
            .await,
            "Unauthorized"
        );
        assert_eq!(
            api.err(
                ADD_ITEM,
                command(
                    DEMO_USER,
                    "token-cart",
                    json!({"productId": MOUSE, "quantity": 5})
                ),
                None
            )
            .await,
            "Unauthorized"
        );
        // Another user's token: their user id is Forbidden, guessing the id is Forbidden.
        assert_eq!(
            api.err(
                CART,
                cart_vars(Some(DEMO_USER), "token-cart", json!({})),
                Some(B2B_TOKEN)
            )
            .await,
            "Forbidden"
        );
        assert_eq!(
            api.err(
                CART,
                cart_vars(None, "anything", json!({"cartId": id})),
                Some(B2B_TOKEN)
            )
            .await,
            "Forbidden"
        );
        assert_eq!(
            api.err(
                ADD_ITEM,
                command(
                    B2B_USER,
                    "whatever",
                    json!({"cartId": id, "productId": MOUSE, "quantity": 5})
                ),
                Some(B2B_TOKEN)
            )
            .await,
            "Forbidden"
        );
        assert_eq!(
            api.err(
                REMOVE_CART,
                json!({"command": {"cartId": id}}),
                Some(B2B_TOKEN)
            )
            .await,
            "Forbidden"
        );
        assert_eq!(
            api.err(REMOVE_CART, json!({"command": {"cartId": id}}), None)
                .await,
            "Unauthorized"
        );
        // Merging it away is Forbidden too.
        assert_eq!(
            api.err(
                MERGE,
                command(B2B_USER, "default", json!({"secondCartId": id})),
                Some(B2B_TOKEN)
            )
            .await,
            "Forbidden"
        );
        // An invalid token is Unauthorized.
        assert_eq!(
            api.err(
                CART,
                cart_vars(None, "default", json!({})),
                Some("not-a-token")
            )
            .await,
            "Unauthorized"
        );
        // An anonymous caller cannot use another user's anonymous cart id with its own user id.
        assert_eq!(
            api.err(
                CART,
                cart_vars(
                    Some("another-visitor"),
                    "default",
                    json!({"cartId": "7777-7777-7777-7777"})
                ),
                None
            )
            .await,
            "Forbidden"
        );

        // Nothing changed; the owner still sees it.
        let mine = api
            .ok(
                CART,
                cart_vars(None, "token-cart", json!({})),
                Some(DEMO_TOKEN),
            )
            .await["cart"]
            .clone();
        assert_eq!(mine["id"], id.as_str());
        assert_eq!(
            mine["itemsQuantity"], 1,
            "{label}: refused changes left no trace"
        );

        // Lists: a customer's user id is not listed without its token; the owner sees them all.
        let list = "query L($u: String) { carts(userId: $u, storeId: \"Electronics\") { totalCount items { id isAnonymous } } }";
        assert_eq!(
            api.err(list, json!({"u": DEMO_USER}), None).await,
            "Unauthorized"
        );
        let owner = api.ok(list, json!({}), Some(DEMO_TOKEN)).await["carts"].clone();
        assert!(
            owner["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == id.as_str() && c["isAnonymous"] == false)
        );
        assert_eq!(
            api.err(list, json!({"u": DEMO_USER}), Some(B2B_TOKEN))
                .await,
            "Forbidden"
        );
        assert_eq!(
            api.err(list, json!({}), None).await,
            "BAD_USER_INPUT",
            "userId required without a token"
        );

        // Wishlists of the demo user cannot be filled with the B2B token.
        assert_eq!(
            api.err(BULK, json!({"command": {"listIds": ["ce682f58-3bbd-42e5-a576-08c82a86ca11"], "productId": HEADPHONES}}), Some(B2B_TOKEN)).await,
            "Forbidden"
        );

        // The owner may remove it.
        assert_eq!(
            api.ok(
                REMOVE_CART,
                json!({"command": {"cartId": id}}),
                Some(DEMO_TOKEN)
            )
            .await["removeCart"],
            true
        );
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn merging_an_anonymous_cart_sums_quantities_caps_stock_and_deletes_it() -> anyhow::Result<()>
{
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let visitor = "0e9d8c7b-6a5f-4e3d-9c2b-1a0f9e8d7c6b";

        // Before sign-in: an anonymous cart with 2 hubs and a mouse, and a coupon.
        api.ok(
            ADD_ITEM,
            command(visitor, "default", json!({"productId": HUB, "quantity": 2})),
            None,
        )
        .await;
        let anon = api
            .ok(
                ADD_ITEM,
                command(
                    visitor,
                    "default",
                    json!({"productId": MOUSE, "quantity": 1}),
                ),
                None,
            )
            .await["addItem"]
            .clone();
        api.ok(
            "mutation C($command: InputAddCouponType!) { addCoupon(command: $command) { id } }",
            command(visitor, "default", json!({"couponCode": "FREESHIP"})),
            None,
        )
        .await;
        let anon_id = anon["id"].as_str().unwrap().to_string();

        // The signed-in user's own cart already has 2 hubs (stock is 3).
        let own = api
            .ok(
                ADD_ITEM,
                command(
                    DEMO_USER,
                    "signed-in",
                    json!({"productId": HUB, "quantity": 2}),
                ),
                Some(DEMO_TOKEN),
            )
            .await["addItem"]
            .clone();
        assert_eq!(own["isAnonymous"], false);
        let hub_line = own["items"][0]["id"].clone();

        let merged = api
            .ok(
                MERGE,
                command(DEMO_USER, "signed-in", json!({"secondCartId": anon_id})),
                Some(DEMO_TOKEN),
            )
            .await["mergeCart"]
            .clone();
        assert_eq!(merged["isAnonymous"], false, "{label}");
        let items = merged["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["id"], hub_line, "the existing line keeps its id");
        assert_eq!(
            items[0]["quantity"], 3,
            "2 + 2 hubs capped to the 3 in stock"
        );
        assert_eq!(items[1]["productId"], MOUSE);
        assert_eq!(items[1]["quantity"], 1);
        assert_ne!(
            items[1]["id"].as_str().unwrap(),
            anon["items"][1]["id"].as_str().unwrap(),
            "copied lines get new ids"
        );
        assert_eq!(merged["coupons"], json!([{"code": "FREESHIP"}]));
        assert_eq!(codes(&merged["warnings"]), vec!["PRODUCT_QTY_CHANGED"]);
        // The anonymous cart is gone.
        assert_eq!(
            api.ok(REMOVE_CART, json!({"command": {"cartId": anon_id}}), None)
                .await["removeCart"],
            false
        );
        // Merging a cart into itself changes nothing.
        let id = merged["id"].as_str().unwrap();
        let again = api
            .ok(
                MERGE,
                command(DEMO_USER, "signed-in", json!({"secondCartId": id})),
                Some(DEMO_TOKEN),
            )
            .await["mergeCart"]
            .clone();
        assert_eq!(again["items"][0]["quantity"], 3);
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn wishlist_bulk_add_skips_unknown_lists_and_checks_the_product() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let lists = json!([
            "1b249c7a-5b7b-434d-a9b5-56a67ff993fe",
            "no-such-list",
            "e1a6c7d2-4b3f-4c8e-9a1d-2f3e4a5b6c7d",
            null,
            "ce682f58-3bbd-42e5-a576-08c82a86ca11"
        ]);
        // The seed's wishlists are the demo user's: its token fills them.
        let w = api
            .ok(
                BULK,
                json!({"command": {"listIds": lists, "productId": MOUSE, "quantity": 3}}),
                Some(DEMO_TOKEN),
            )
            .await["addWishlistBulkItem"]["wishlists"]
            .clone();
        // Unknown ids and the demo *cart* (not a wishlist) are skipped; order follows listIds.
        assert_eq!(w.as_array().unwrap().len(), 2, "{label}");
        assert_eq!(w[0]["name"], "Gift ideas");
        assert_eq!(w[0]["items"], json!([{"productId": MOUSE, "quantity": 4}]));
        assert_eq!(w[1]["name"], "Favorites");
        assert_eq!(w[1]["items"][1], json!({"productId": MOUSE, "quantity": 3}));
        // The cart was not touched.
        let demo = api
            .ok(
                CART,
                cart_vars(Some(DEMO_USER), "default", json!({})),
                Some(DEMO_TOKEN),
            )
            .await["cart"]
            .clone();
        assert_eq!(demo["itemsQuantity"], 3);
        // A product the store does not sell, a bad quantity: BAD_USER_INPUT, nothing changes.
        let bad = json!({"command": {"listIds": ["ce682f58-3bbd-42e5-a576-08c82a86ca11"], "productId": OLD_CAMERA}});
        assert_eq!(api.err(BULK, bad, Some(DEMO_TOKEN)).await, "BAD_USER_INPUT");
        let bad = json!({"command": {"listIds": ["ce682f58-3bbd-42e5-a576-08c82a86ca11"], "productId": MOUSE, "quantity": 0}});
        assert_eq!(api.err(BULK, bad, Some(DEMO_TOKEN)).await, "BAD_USER_INPUT");
        // Wishlists are read as carts of type wishlist.
        let fav = api
            .ok(
                CART,
                cart_vars(
                    Some(DEMO_USER),
                    "Favorites",
                    json!({"cartType": "Wishlist"}),
                ),
                Some(DEMO_TOKEN),
            )
            .await["cart"]
            .clone();
        assert_eq!(fav["type"], "wishlist");
        assert_eq!(fav["itemsQuantity"], 4);
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn dynamic_properties_are_validated_against_their_definitions() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let user = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e";
        let set = |props: Value| {
            command(
                user,
                "props",
                json!({"cultureName": "en-US", "dynamicProperties": props}),
            )
        };

        let r = api.ok(CART_PROPS, set(json!([
            {"name": "Example integer property", "value": "42"},
            {"name": "example decimal property", "value": 12.5},
            {"name": "Example boolean property", "value": "true"},
            {"name": "Example date property", "value": "2023-05-11T11:30:00+02:00"},
            {"name": "Example multilanguage property", "value": "hello world"},
            {"name": "Example multilanguage property", "cultureName": "de-DE", "value": "hallo welt"},
            {"name": "Example dictionary property", "value": "578FADEB1D2A40B3B08B1DAF8DB09463"}
        ])), None).await["updateCartDynamicProperties"].clone();
        let all: Vec<(String, Value, String)> = r["all"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().into(),
                    p["value"].clone(),
                    p["valueType"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            all,
            vec![
                (
                    "Example integer property".into(),
                    json!(42),
                    "Integer".into()
                ),
                (
                    "Example decimal property".into(),
                    json!(12.5),
                    "Decimal".into()
                ),
                (
                    "Example boolean property".into(),
                    json!(true),
                    "Boolean".into()
                ),
                (
                    "Example date property".into(),
                    json!("2023-05-11T09:30:00Z"),
                    "DateTime".into()
                ),
                (
                    "Example multilanguage property".into(),
                    json!("hello world"),
                    "ShortText".into()
                ),
                (
                    "Example multilanguage property".into(),
                    json!("hallo welt"),
                    "ShortText".into()
                ),
                (
                    "Example dictionary property".into(),
                    json!("578fadeb1d2a40b3b08b1daf8db09463"),
                    "ShortText".into()
                ),
            ],
            "{label}"
        );
        // In German: one multilingual value, the German dictionary label.
        let german = r["german"].as_array().unwrap();
        assert_eq!(german.len(), 6);
        assert!(german.iter().any(|p| p["value"] == "hallo welt"));
        assert!(!german.iter().any(|p| p["value"] == "hello world"));
        assert_eq!(german[5]["dictionaryItem"]["label"], "Rot");

        // Wrong type, unknown property, unknown dictionary item, a property of another object
        // type: BAD_USER_INPUT, and nothing is changed.
        for bad in [
            json!([{"name": "Example integer property", "value": "forty-two"}]),
            json!([{"name": "Example integer property", "value": 4.5}]),
            json!([{"name": "Example boolean property", "value": 1}]),
            json!([{"name": "Example date property", "value": "yesterday"}]),
            json!([{"name": "Example string property", "value": 12345678}]),
            json!([{"name": "Example dictionary property", "value": "00000000000000000000000000000000"}]),
            json!([{"name": "No such property", "value": "x"}]),
            json!([{"name": "ItemProperty", "value": "x"}]),
            json!([{"name": "Example string property", "value": "fine"}, {"name": "Example integer property", "value": "x"}]),
        ] {
            let body = api.post(CART_PROPS, set(bad.clone()), None).await;
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                "{label} {bad}: {body:#}"
            );
        }
        let after =
            api.ok(CART_PROPS, set(json!([])), None).await["updateCartDynamicProperties"]["all"]
                .clone();
        assert_eq!(
            after.as_array().unwrap().len(),
            7,
            "{label}: refused updates changed nothing"
        );
        // null clears a value.
        let cleared = api
            .ok(
                CART_PROPS,
                set(json!([{"name": "Example integer property", "value": null}])),
                None,
            )
            .await;
        assert_eq!(
            cleared["updateCartDynamicProperties"]["all"]
                .as_array()
                .unwrap()
                .len(),
            6
        );

        // Line items: an unknown line is BAD_USER_INPUT; a cart property name is unknown there.
        let added = api
            .ok(
                ADD_ITEM,
                command(
                    user,
                    "props",
                    json!({"productId": MOUSE, "quantity": 1,
            "dynamicProperties": [{"name": "ItemProperty", "value": "gift wrap"}]}),
                ),
                None,
            )
            .await["addItem"]
            .clone();
        let line = added["items"][0]["id"].as_str().unwrap().to_string();
        let item = |id: &str, props: Value| {
            command(
                user,
                "props",
                json!({"lineItemId": id, "dynamicProperties": props}),
            )
        };
        assert_eq!(
            api.err(
                ITEM_PROPS,
                item(
                    "no-such-line",
                    json!([{"name": "ItemProperty", "value": "x"}])
                ),
                None
            )
            .await,
            "BAD_USER_INPUT"
        );
        assert_eq!(
            api.err(
                ITEM_PROPS,
                item(&line, json!([{"name": "ItemProperty", "value": true}])),
                None
            )
            .await,
            "BAD_USER_INPUT"
        );
        let ok = api
            .ok(
                ITEM_PROPS,
                item(
                    &line,
                    json!([{"name": "Example integer property", "value": 7}]),
                ),
                None,
            )
            .await;
        assert_eq!(
            ok["updateCartItemDynamicProperties"]["items"][0]["dynamicProperties"],
            json!([{"name": "ItemProperty", "value": "gift wrap"}, {"name": "Example integer property", "value": 7}])
        );
        // addItem with a bad property is refused before anything is added.
        assert_eq!(
            api.err(
                ADD_ITEM,
                command(
                    user,
                    "props",
                    json!({"productId": HUB, "quantity": 1,
                "dynamicProperties": [{"name": "ShipmentProperty", "value": "x"}]})
                ),
                None
            )
            .await,
            "BAD_USER_INPUT"
        );
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn price_changes_and_unavailable_products_warn_until_refresh() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let user = "6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f";
        api.ok(
            ADD_ITEM,
            command(user, "default", json!({"productId": MOUSE, "quantity": 2})),
            None,
        )
        .await;
        api.ok(
            ADD_ITEM,
            command(
                user,
                "default",
                json!({"productId": HEADPHONES, "quantity": 1}),
            ),
            None,
        )
        .await;
        let before = api
            .ok(CART, cart_vars(Some(user), "default", json!({})), None)
            .await["cart"]
            .clone();
        assert_eq!(before["warnings"], json!([]));
        let mouse_line = before["items"][0]["id"].as_str().unwrap().to_string();

        // The catalogue changes: the mouse costs more, the headphones are withdrawn.
        sqlx::query(
            "UPDATE purchase_prices SET list_price = $1 WHERE product_id = $2 AND currency = $3",
        )
        .bind("27.49")
        .bind(MOUSE)
        .bind("USD")
        .execute(&server.state.store.pool)
        .await?;
        sqlx::query("UPDATE purchase_products SET is_active = $1 WHERE id = $2")
            .bind(false)
            .bind(HEADPHONES)
            .execute(&server.state.store.pool)
            .await?;

        let now = api
            .ok(CART, cart_vars(Some(user), "default", json!({})), None)
            .await["cart"]
            .clone();
        assert_eq!(
            num(&now["items"][0]["salePrice"]["amount"]),
            "27.49",
            "{label}: repriced on load"
        );
        assert_eq!(
            codes(&now["warnings"]),
            vec!["PRODUCT_PRICE_CHANGED", "CART_PRODUCT_UNAVAILABLE"]
        );
        assert_eq!(now["warnings"][0]["objectId"], mouse_line.as_str());
        assert_eq!(
            now["warnings"][0]["errorParameters"],
            json!([{"key": "oldPrice", "value": "24.99"}, {"key": "newPrice", "value": "27.49"}])
        );
        // The withdrawn product keeps the price the customer saw (299 − 10% promotion).
        assert_eq!(num(&now["items"][1]["salePrice"]["amount"]), "299");
        assert_eq!(
            codes(&now["items"][1]["validationErrors"]),
            vec!["CART_PRODUCT_UNAVAILABLE"]
        );
        // Another mutation keeps the catalogue warnings.
        let c = api.ok("mutation C($command: InputChangeCommentType) { changeComment(command: $command) { warnings { errorCode } } }",
            command(user, "default", json!({"comment": "hi"})), None).await;
        assert_eq!(
            codes(&c["changeComment"]["warnings"]),
            vec!["PRODUCT_PRICE_CHANGED", "CART_PRODUCT_UNAVAILABLE"]
        );

        // Refresh: warnings cleared, the unavailable product still blocks checkout.
        let r = api
            .ok(REFRESH, command(user, "default", json!({})), None)
            .await["refreshCart"]
            .clone();
        assert_eq!(r["warnings"], json!([]), "{label}");
        assert_eq!(
            codes(&r["validationErrors"]),
            vec!["CART_PRODUCT_UNAVAILABLE"]
        );
        let after = api
            .ok(CART, cart_vars(Some(user), "default", json!({})), None)
            .await["cart"]
            .clone();
        assert_eq!(after["warnings"], json!([]));
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn items_that_cannot_be_added_come_back_as_warnings() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let user = "7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a";
        let add =
            |p: &str, q: i64| command(user, "default", json!({"productId": p, "quantity": q}));
        let r = api.ok(ADD_ITEM, add(HUB, 2), None).await["addItem"].clone();
        let hub_line = r["items"][0]["id"].as_str().unwrap().to_string();
        for (p, q, code) in [
            (OLD_CAMERA, 1, "CART_PRODUCT_UNAVAILABLE"),
            (
                "ffffffffffffffffffffffffffffffff",
                1,
                "CART_PRODUCT_UNAVAILABLE",
            ),
            (
                "4e1f2a3b4c5d6e7f8091a2b3c4d5e6f7",
                1,
                "CART_PRODUCT_UNAVAILABLE",
            ), // a B2B-store product
            (MOUSE, 0, "PRODUCT_INVALID_QUANTITY"),
            (HUB, 2, "PRODUCT_FFC_QTY"), // 2 + 2 > 3 in stock
        ] {
            let r = api.ok(ADD_ITEM, add(p, q), None).await["addItem"].clone();
            assert_eq!(codes(&r["warnings"]), vec![code], "{label} {p}");
            assert_eq!(r["itemsQuantity"], 2, "{label}: the cart is unchanged");
        }
        // Quantity above the stock is capped, with a warning; 0 removes the line.
        let q = api
            .ok(
                CHANGE_QTY,
                command(
                    user,
                    "default",
                    json!({"lineItemId": hub_line, "quantity": 10}),
                ),
                None,
            )
            .await["changeCartItemQuantity"]
            .clone();
        assert_eq!(q["items"][0]["quantity"], 3);
        assert_eq!(codes(&q["warnings"]), vec!["PRODUCT_QTY_CHANGED"]);
        assert_eq!(
            q["warnings"][0]["errorParameters"][1],
            json!({"key": "availableQuantity", "value": "3"})
        );
        // An unknown line is NOT_FOUND and leaves the cart unchanged; a negative quantity is an error.
        assert_eq!(
            api.err(
                CHANGE_QTY,
                command(
                    user,
                    "default",
                    json!({"lineItemId": "nope", "quantity": 1})
                ),
                None
            )
            .await,
            "NOT_FOUND"
        );
        let q = api
            .ok(CART, cart_vars(Some(user), "default", json!({})), None)
            .await["cart"]
            .clone();
        assert_eq!(q["items"][0]["quantity"], 3);
        assert_eq!(
            api.err(
                CHANGE_QTY,
                command(
                    user,
                    "default",
                    json!({"lineItemId": hub_line, "quantity": -1})
                ),
                None
            )
            .await,
            "BAD_USER_INPUT"
        );
        let q = api
            .ok(
                CHANGE_QTY,
                command(
                    user,
                    "default",
                    json!({"lineItemId": hub_line, "quantity": 0}),
                ),
                None,
            )
            .await["changeCartItemQuantity"]
            .clone();
        assert_eq!(q["items"], json!([]));
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn currencies_cultures_taxes_and_coupons_are_priced_exactly() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let user = "8e9f0a1b-2c3d-4e4f-9a5b-6c7d8e9f0a1b";
        let add = |cur: &str, p: &str| json!({"command": {"storeId": "Electronics", "userId": user, "currencyCode": cur, "cultureName": "de-DE", "productId": p, "quantity": 1}});
        // EUR: the laptop's own EUR prices; German names and formatting.
        api.ok(ADD_ITEM, add("EUR", LAPTOP), None).await;
        let eur = api.ok(CART, json!({"storeId": "Electronics", "userId": user, "currencyCode": "EUR", "cultureName": "de-de"}), None).await["cart"].clone();
        assert_eq!(eur["items"][0]["name"], "Ultrabook 15 Silber", "{label}");
        assert_eq!(
            eur["items"][0]["listPrice"]["formattedAmount"],
            "1.199,00\u{a0}€"
        );
        assert_eq!(num(&eur["items"][0]["salePrice"]["amount"]), "1099");
        // 1099 + 20% VAT = 1318.80.
        assert_eq!(eur["total"]["formattedAmount"], "1.318,80\u{a0}€");
        // JPY: converted from USD at 151.5 and rounded to whole yen (half away from zero).
        api.ok(ADD_ITEM, add("JPY", LAPTOP), None).await;
        let jpy = api.ok(CART, json!({"storeId": "Electronics", "userId": user, "currencyCode": "JPY", "cultureName": "en-US"}), None).await["cart"].clone();
        assert_eq!(num(&jpy["items"][0]["listPrice"]["amount"]), "196799");
        assert_eq!(num(&jpy["items"][0]["salePrice"]["amount"]), "181649");
        assert_eq!(jpy["total"]["decimalDigits"], 0);
        // 181649 + R(36329.8) = 217979.
        assert_eq!(jpy["total"]["formattedAmount"], "¥217,979");
        // A currency the store does not sell in.
        assert_eq!(
            api.err(
                CART,
                json!({"storeId": "Electronics", "userId": user, "currencyCode": "CHF"}),
                None
            )
            .await,
            "BAD_USER_INPUT"
        );

        // USD with a Californian address and the 10% coupon: tax on the discounted price.
        let usd = |extra: Value| command(user, "default", extra);
        api.ok(
            ADD_ITEM,
            usd(json!({"productId": MOUSE, "quantity": 4})),
            None,
        )
        .await;
        api.ok("mutation A($command: InputAddOrUpdateCartAddressType!) { addOrUpdateCartAddress(command: $command) { id } }",
            usd(json!({"address": {"addressType": 2, "countryCode": "USA", "regionId": "CA"}})), None).await;
        api.ok(
            "mutation C($command: InputAddCouponType!) { addCoupon(command: $command) { id } }",
            usd(json!({"couponCode": "save10"})),
            None,
        )
        .await;
        let c = api
            .ok(CART, cart_vars(Some(user), "default", json!({})), None)
            .await["cart"]
            .clone();
        // 4 × 24.99 = 99.96; 10% = 10.00; tax 7.25% of 89.96 = 6.52; total 96.48.
        assert_eq!(num(&c["subTotal"]["amount"]), "99.96");
        assert_eq!(num(&c["discountTotal"]["amount"]), "10");
        assert_eq!(num(&c["taxTotal"]["amount"]), "6.52");
        assert_eq!(num(&c["total"]["amount"]), "96.48");
        assert_eq!(c["total"]["formattedAmountWithoutPoint"], "$96");
        assert_eq!(
            c["coupons"],
            json!([{"code": "save10", "isAppliedSuccessfully": true}])
        );
        // A coupon that does not apply stays on the cart, not applied; validateCoupon says so.
        let validate =
            "mutation V($command: InputValidateCouponType!) { validateCoupon(command: $command) }";
        assert_eq!(
            api.ok(validate, usd(json!({"coupon": "FIXED50"})), None)
                .await["validateCoupon"],
            false,
            "below $200"
        );
        assert_eq!(
            api.ok(validate, usd(json!({"coupon": "SPRING2020"})), None)
                .await["validateCoupon"],
            false,
            "expired"
        );
        assert_eq!(
            api.ok(validate, usd(json!({"coupon": "NOPE"})), None).await["validateCoupon"],
            false
        );
        assert_eq!(
            api.ok(validate, usd(json!({"coupon": "FREESHIP"})), None)
                .await["validateCoupon"],
            false,
            "no shipment yet"
        );
        let c = api
            .ok(CART, cart_vars(Some(user), "default", json!({})), None)
            .await["cart"]
            .clone();
        assert_eq!(
            c["coupons"].as_array().unwrap().len(),
            1,
            "validateCoupon changes nothing"
        );
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn shipping_and_payment_methods_are_priced_only_when_selected() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let user = "9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c";
        let c = |extra: Value| command(user, "default", extra);
        api.ok(
            ADD_ITEM,
            c(json!({"productId": LAPTOP, "quantity": 2})),
            None,
        )
        .await;
        let ship = "mutation S($command: InputAddOrUpdateCartShipmentType!) { addOrUpdateCartShipment(command: $command) {
            shipments { id shipmentMethodCode shipmentMethodOption price { amount } total { amount } }
            availableShippingMethods { id code optionName price { amount } discountAmount { amount } total { amount } priceWithTax { amount } }
            isValid validationErrors(ruleSet: \"default,shipments\") { errorCode } } }";
        let r = api
            .ok(
                ship,
                c(json!({"shipment": {"shipmentMethodCode": "WeightRate"}})),
                None,
            )
            .await["addOrUpdateCartShipment"]
            .clone();
        // 2 × 1.8 kg: 2.00 + 0.50 × 3.6 = 3.80.
        assert_eq!(
            r["shipments"][0]["shipmentMethodOption"], "Ground",
            "{label}: the method's first option"
        );
        assert_eq!(num(&r["shipments"][0]["price"]["amount"]), "3.8");
        let weight = r["availableShippingMethods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == "WeightRate_Ground")
            .unwrap()
            .clone();
        assert_eq!(num(&weight["price"]["amount"]), "3.8");
        assert_eq!(num(&weight["priceWithTax"]["amount"]), "4.56");
        assert_eq!(r["isValid"], false);
        assert_eq!(codes(&r["validationErrors"]), vec!["CART_PAYMENT_REQUIRED"]);
        // Free shipping coupon: every method shows its discount.
        api.ok(
            "mutation C($command: InputAddCouponType!) { addCoupon(command: $command) { id } }",
            c(json!({"couponCode": "FREESHIP"})),
            None,
        )
        .await;
        let id = r["shipments"][0]["id"].clone();
        let r = api.ok(ship, c(json!({"shipment": {"id": id, "shipmentMethodCode": "FixedRate", "shipmentMethodOption": "Air"}})), None).await["addOrUpdateCartShipment"].clone();
        assert_eq!(r["shipments"].as_array().unwrap().len(), 1, "updated by id");
        assert_eq!(num(&r["shipments"][0]["price"]["amount"]), "15");
        assert_eq!(num(&r["shipments"][0]["total"]["amount"]), "0");
        for m in r["availableShippingMethods"].as_array().unwrap() {
            assert_eq!(m["discountAmount"]["amount"], m["price"]["amount"]);
            assert_eq!(num(&m["total"]["amount"]), "0");
        }
        // Unknown method or option, another currency, a negative price: BAD_USER_INPUT.
        for bad in [
            json!({"shipmentMethodCode": "Teleport"}),
            json!({"shipmentMethodCode": "FixedRate", "shipmentMethodOption": "Rocket"}),
            json!({"shipmentMethodCode": "Retired"}),
            json!({"currency": "EUR"}),
            json!({"price": -1}),
            json!({"deliveryAddress": {"addressType": 9}}),
        ] {
            assert_eq!(
                api.err(ship, c(json!({"shipment": bad})), None).await,
                "BAD_USER_INPUT",
                "{label} {bad}"
            );
        }
        // Payment methods with fees; unknown gateway refused.
        let pay = "mutation P($command: InputAddOrUpdateCartPaymentType!) { addOrUpdateCartPayment(command: $command) {
            payments { paymentGatewayCode price { amount } amount { amount } billingAddress { city postalCode } }
            availablePaymentMethods { code price { amount } isAvailableForPartial } total { amount } } }";
        let r = api.ok(pay, c(json!({"payment": {"paymentGatewayCode": "CreditCard", "billingAddress": {"city": "Paris"}}})), None).await["addOrUpdateCartPayment"].clone();
        assert_eq!(num(&r["payments"][0]["price"]["amount"]), "1.5");
        assert_eq!(
            r["payments"][0]["amount"]["amount"], r["total"]["amount"],
            "amount defaults to the total"
        );
        assert_eq!(
            r["payments"][0]["billingAddress"],
            json!({"city": "Paris", "postalCode": ""})
        );
        let card = r["availablePaymentMethods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["code"] == "CreditCard")
            .unwrap()
            .clone();
        assert_eq!(num(&card["price"]["amount"]), "1.5");
        assert_eq!(
            api.err(
                pay,
                c(json!({"payment": {"paymentGatewayCode": "Bitcoin"}})),
                None
            )
            .await,
            "BAD_USER_INPUT"
        );
        assert_eq!(
            api.err(pay, c(json!({"payment": {"amount": -5}})), None)
                .await,
            "BAD_USER_INPUT"
        );
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn carts_are_paged_sorted_and_filtered() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let clock = std::sync::Arc::new(shopql_reference::ManualClock::new(1_700_000_000_000));
        let server = start_seeded_with_clock(&db.url, clock.clone()).await?;
        let api = Api::new(&server.base_url());
        let user = "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d";
        for name in ["delta", "alpha", "echo", "charlie", "bravo"] {
            api.ok(CART, cart_vars(Some(user), name, json!({})), None)
                .await;
            clock.advance(1_000);
        }
        api.ok("mutation C($command: InputChangeCommentType) { changeComment(command: $command) { id } }",
            command(user, "charlie", json!({"comment": "Quarterly ORDER"})), None).await;
        let list = "query L($u: String, $sort: String, $skip: Int, $take: Int, $first: Int, $after: String, $filter: String, $type: String) {
            carts(userId: $u, sort: $sort, skip: $skip, take: $take, first: $first, after: $after, filter: $filter, cartType: $type) {
              totalCount items { name } edges { cursor node { name } }
              pageInfo { startCursor endCursor hasNextPage hasPreviousPage } } }";
        let names = |v: &Value| -> Vec<String> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_string())
                .collect()
        };
        let p = api
            .ok(
                list,
                json!({"u": user, "sort": "name:asc", "skip": 1, "take": 2}),
                None,
            )
            .await["carts"]
            .clone();
        assert_eq!(names(&p), vec!["bravo", "charlie"], "{label}");
        assert_eq!(p["totalCount"], 5);
        assert_eq!(p["edges"][0]["cursor"], "1");
        assert_eq!(
            p["pageInfo"],
            json!({"startCursor": "1", "endCursor": "3", "hasNextPage": true, "hasPreviousPage": true})
        );
        // first/after continue from endCursor; take/skip win over first/after.
        let p = api
            .ok(
                list,
                json!({"u": user, "sort": "name:desc", "first": 10, "after": "3"}),
                None,
            )
            .await["carts"]
            .clone();
        assert_eq!(names(&p), vec!["bravo", "alpha"]);
        assert_eq!(p["pageInfo"]["hasNextPage"], false);
        let p = api
            .ok(
                list,
                json!({"u": user, "sort": "name", "take": 1, "first": 3, "skip": 0, "after": "4"}),
                None,
            )
            .await["carts"]
            .clone();
        assert_eq!(names(&p), vec!["alpha"]);
        // Keyword filter (name, status or comment, ignoring case); type filter.
        let p = api
            .ok(list, json!({"u": user, "filter": "order"}), None)
            .await["carts"]
            .clone();
        assert_eq!(names(&p), vec!["charlie"]);
        let p = api.ok(list, json!({"u": user, "filter": "%"}), None).await["carts"].clone();
        assert_eq!(p["totalCount"], 0, "% is a literal");
        let p = api
            .ok(list, json!({"u": user, "type": "wishlist"}), None)
            .await["carts"]
            .clone();
        assert_eq!(p["totalCount"], 0);
        // Default order: newest first (charlie changed last, bravo was created last); more than
        // 100 per page is refused.
        assert_eq!(
            api.err(list, json!({"u": user, "take": 1000}), None).await,
            "BAD_USER_INPUT"
        );
        let p = api.ok(list, json!({"u": user, "take": 100}), None).await["carts"].clone();
        assert_eq!(
            names(&p),
            vec!["bravo", "charlie", "echo", "alpha", "delta"]
        );
        let p = api
            .ok(
                list,
                json!({"u": user, "sort": "modifiedDate:desc", "take": 1}),
                None,
            )
            .await["carts"]
            .clone();
        assert_eq!(names(&p), vec!["charlie"]);
        for bad in [
            json!({"u": user, "after": "x"}),
            json!({"u": user, "skip": -1}),
            json!({"u": user, "sort": "price:asc"}),
            json!({"u": user, "type": "basket"}),
        ] {
            assert_eq!(
                api.err(list, bad.clone(), None).await,
                "BAD_USER_INPUT",
                "{label} {bad}"
            );
        }
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn bad_input_is_refused_with_bad_user_input() -> anyhow::Result<()> {
    let db = TestDatabase::sqlite();
    let server = start_seeded(&db.url).await?;
    let api = Api::new(&server.base_url());
    let user = "1b2c3d4e-5f6a-4b7c-8d8e-9f0a1b2c3d4e";
    let price = "mutation P($command: InputChangeCartItemPriceType!) { changeCartItemPrice(command: $command) { id } }";
    let addr = "mutation A($command: InputAddOrUpdateCartAddressType!) { addCartAddress(command: $command) { id } }";
    let comment =
        "mutation C($command: InputChangeCommentType) { changeComment(command: $command) { id } }";
    for (q, vars) in [
        (
            ADD_ITEM,
            command(
                user,
                "default",
                json!({"productId": MOUSE, "quantity": 1, "price": -1}),
            ),
        ),
        (
            ADD_ITEM,
            command(
                user,
                "default",
                json!({"productId": MOUSE, "quantity": 2000000}),
            ),
        ),
        (
            ADD_ITEM,
            json!({"command": {"storeId": "Nowhere", "userId": user, "productId": MOUSE, "quantity": 1}}),
        ),
        (
            ADD_ITEM,
            command(
                user,
                "default",
                json!({"productId": MOUSE, "quantity": 1, "cartType": "basket"}),
            ),
        ),
        (price, command(user, "default", json!({"price": 10}))),
        (
            price,
            command(user, "default", json!({"productId": MOUSE, "price": -0.01})),
        ),
        (
            addr,
            command(user, "default", json!({"address": {"city": "x"}})),
        ),
        (
            addr,
            command(user, "default", json!({"address": {"addressType": 4}})),
        ),
        (comment, json!({})),
        (
            CART,
            json!({"storeId": "Electronics", "currencyCode": "USD"}),
        ),
    ] {
        let body = api.post(q, vars.clone(), None).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{vars}: {body:#}"
        );
    }
    server.stop().await?;
    Ok(())
}

#[tokio::test]
async fn concurrent_add_item_on_one_cart_loses_no_update() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        // On PostgreSQL a second server (its own pool, like a second node) shares the database.
        let second = if label == "postgres" {
            let mut config = shopql_reference::Config::for_tests(&db.url);
            config.seed = false;
            Some(shopql_reference::start(config).await?)
        } else {
            None
        };
        let urls: Vec<String> = std::iter::once(server.base_url())
            .chain(second.iter().map(|s| s.base_url()))
            .collect();
        let user = "2c3d4e5f-6a7b-4c8d-9e9f-0a1b2c3d4e5f";
        let first = Api::new(&urls[0]);
        first
            .ok(CART, cart_vars(Some(user), "default", json!({})), None)
            .await;
        let n = 24;
        let mut tasks = Vec::new();
        for i in 0..n {
            let url = urls[i % urls.len()].clone();
            let product = if i % 2 == 0 { MOUSE } else { SOFTWARE };
            tasks.push(tokio::spawn(async move {
                let api = Api::new(&url);
                api.ok(
                    ADD_ITEM,
                    command(
                        user,
                        "default",
                        json!({"productId": product, "quantity": 1}),
                    ),
                    None,
                )
                .await
            }));
        }
        for t in tasks {
            t.await?;
        }
        let c = first
            .ok(CART, cart_vars(Some(user), "default", json!({})), None)
            .await["cart"]
            .clone();
        assert_eq!(
            c["itemsQuantity"], n as i64,
            "{label}: every addItem counted"
        );
        let q: Vec<i64> = c["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["quantity"].as_i64().unwrap())
            .collect();
        assert_eq!(q, vec![12, 12]);
        if let Some(s) = second {
            s.stop().await?;
        }
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn coupon_checks_are_rate_limited_per_caller() -> anyhow::Result<()> {
    let db = TestDatabase::sqlite();
    let clock = std::sync::Arc::new(shopql_reference::ManualClock::new(1_700_000_000_000));
    let server = start_seeded_with_clock(&db.url, clock.clone()).await?;
    let api = Api::new(&server.base_url());
    let user = "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a";
    // 25 guesses in one document through aliases: each one counts.
    let fields: Vec<String> = (0..25)
        .map(|i| format!("g{i}: validateCoupon(command: {{storeId: \"Electronics\", userId: \"{user}\", coupon: \"GUESS{i}\"}})"))
        .collect();
    let body = api
        .post(
            &format!("mutation {{ {} }}", fields.join(" ")),
            json!({}),
            None,
        )
        .await;
    let limited: Vec<&Value> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["extensions"]["code"] == "RATE_LIMITED")
        .collect();
    assert_eq!(limited.len(), 5, "20 checks per minute: {body:#}");
    assert!(limited[0]["extensions"]["retryAfter"].as_i64().unwrap() > 0);
    let add = "mutation C($command: InputAddCouponType!) { addCoupon(command: $command) { id } }";
    assert_eq!(
        api.err(
            add,
            command(user, "default", json!({"couponCode": "SAVE10"})),
            None
        )
        .await,
        "RATE_LIMITED"
    );
    // A signed-in user is counted apart from the address.
    api.ok(
        add,
        command(DEMO_USER, "token", json!({"couponCode": "SAVE10"})),
        Some(DEMO_TOKEN),
    )
    .await;
    // The next minute has a new budget.
    clock.advance(60_000);
    api.ok(
        add,
        command(user, "default", json!({"couponCode": "SAVE10"})),
        None,
    )
    .await;
    server.stop().await?;
    Ok(())
}

/// Store catalogues are kept for a few seconds: a second read is the same catalogue without a
/// query, an operator's edit in the database shows once the kept copy is dropped, and an unknown
/// store is refused every time (never kept), so a store added later is found at once.
#[tokio::test]
async fn store_catalogues_are_kept_briefly_and_unknown_stores_never() -> anyhow::Result<()> {
    use std::sync::Arc;
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let state = &server.state;
        let mut conn = state.store.pool.acquire().await?;
        let first = state.catalogs.get(&mut conn, "B2B-store").await?;
        let again = state.catalogs.get(&mut conn, "B2B-store").await?;
        assert!(Arc::ptr_eq(&first, &again), "{label}: read twice");

        let mut tx = state.store.begin().await?;
        sqlx::query("UPDATE purchase_stores SET name = 'Renamed store' WHERE id = 'B2B-store'")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let kept = state.catalogs.get(&mut conn, "B2B-store").await?;
        assert_eq!(kept.settings.name, first.settings.name, "{label}");
        state.catalogs.clear();
        let fresh = state.catalogs.get(&mut conn, "B2B-store").await?;
        assert_eq!(fresh.settings.name, "Renamed store", "{label}");

        let unknown = state.catalogs.get(&mut conn, "Later-store").await;
        let code = unknown.err().map(|e| e.code);
        assert_eq!(
            code,
            Some(shopql_server_stubs::ErrorCode::BadUserInput),
            "{label}"
        );
        let mut tx = state.store.begin().await?;
        sqlx::query(
            "INSERT INTO purchase_stores (id, name, default_currency, default_language, languages, \
             default_tax_type, shipping_tax_type, payment_tax_type, weight_unit) \
             VALUES ('Later-store', 'Later', 'USD', 'en-US', 'en-US', 'Default', 'Shipping', 'Payment', 'kg')",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let later = state.catalogs.get(&mut conn, "Later-store").await?;
        assert_eq!(later.settings.name, "Later", "{label}");
        drop(conn);
        server.stop().await?;
    }
    Ok(())
}
