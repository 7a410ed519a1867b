//! The three attacks on the purchase API's ownership rule (cart fixation, the demo customers'
//! carts read without a token, merging another customer's cart away) and the claim of an
//! anonymous cart by its customer's token, on SQLite and PostgreSQL. Each refusal is checked
//! to leave the victim's cart unchanged, read back with the owner's token.

#![allow(clippy::unwrap_used)]

mod purchase_support;

use purchase_support::*;
use serde_json::{Value, json};
use shopql_reference::apis::purchase::demo::{
    B2B_CART, DEMO_CART, WISHLIST_FAVORITES, WISHLIST_GIFTS,
};
use shopql_reference::store::TestDatabase;

const CART: &str = r#"
query C($storeId: String!, $userId: String, $cartName: String, $cartId: String, $cartType: String) {
  cart(storeId: $storeId, userId: $userId, cartName: $cartName, currencyCode: "USD",
       cartId: $cartId, cartType: $cartType) {
    id isAnonymous comment itemsQuantity items { productId quantity comment }
  }
}"#;

const CARTS: &str = r#"
query L($userId: String, $storeId: String) {
  carts(userId: $userId, storeId: $storeId) { totalCount items { id items { productId } } }
}"#;

const ADD_ITEM: &str = r#"
mutation A($command: InputAddItemType!) {
  addItem(command: $command) { id isAnonymous itemsQuantity items { productId quantity } }
}"#;

const COMMENT: &str = r#"
mutation C($command: InputChangeCommentType!) { changeComment(command: $command) { id comment } }"#;

const MERGE: &str = r#"
mutation M($command: InputMergeCartType!) {
  mergeCart(command: $command) { id items { productId quantity } }
}"#;

const REMOVE: &str =
    r#"mutation R($command: InputRemoveCartType!) { removeCart(command: $command) }"#;

const BULK: &str = r#"
mutation B($command: InputAddWishlistBulkItemType!) {
  addWishlistBulkItem(command: $command) { wishlists { id items { productId quantity } } }
}"#;

/// `cart` by id, as its owner sees it.
async fn owned(api: &Api, store: &str, id: &str, token: &str) -> Value {
    api.ok(
        CART,
        json!({"storeId": store, "cartId": id, "cartName": "ignored"}),
        Some(token),
    )
    .await["cart"]
        .clone()
}

/// The refusal codes of the rule: `Unauthorized` without (or with an invalid) token,
/// `Forbidden` with another user's token.
fn refused(code: &str) -> bool {
    code == "Unauthorized" || code == "Forbidden"
}

#[tokio::test]
async fn attack_1_cart_fixation_by_a_tokenless_caller_is_refused() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let office = json!({"storeId": "Electronics", "userId": DEMO_USER, "cartName": "office"});

        // The attacker, without a token, tries to plant a cart at A's key.
        let code = api.err(CART, office.clone(), None).await;
        assert_eq!(
            code, "Unauthorized",
            "{label}: fixation at a customer's key"
        );
        let add = json!({"command": {"storeId": "Electronics", "userId": DEMO_USER,
            "cartName": "office", "currencyCode": "USD", "productId": MOUSE, "quantity": 1}});
        assert_eq!(api.err(ADD_ITEM, add.clone(), None).await, "Unauthorized");

        // A uses the key with its token: the cart is A's.
        let mine = api.ok(ADD_ITEM, add.clone(), Some(DEMO_TOKEN)).await["addItem"].clone();
        assert_eq!(mine["isAnonymous"], false, "{label}");
        let id = mine["id"].as_str().unwrap().to_string();
        api.ok(
            COMMENT,
            json!({"command": {"storeId": "Electronics", "userId": DEMO_USER,
                "cartName": "office", "currencyCode": "USD", "comment": "deliver to desk 4"}}),
            Some(DEMO_TOKEN),
        )
        .await;
        let before = owned(&api, "Electronics", &id, DEMO_TOKEN).await;

        // The tokenless caller can neither read nor change it, by key or by id.
        assert_eq!(api.err(CART, office.clone(), None).await, "Unauthorized");
        let by_id = json!({"storeId": "Electronics", "userId": DEMO_USER, "cartId": id});
        assert_eq!(api.err(CART, by_id, None).await, "Unauthorized");
        assert_eq!(api.err(ADD_ITEM, add, None).await, "Unauthorized");
        let after = owned(&api, "Electronics", &id, DEMO_TOKEN).await;
        assert_eq!(before, after, "{label}: refusals left A's cart unchanged");
        assert_eq!(after["comment"], "deliver to desk 4");
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn attack_2_the_demo_customers_carts_and_wishlists_need_their_tokens() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let victims = [
            ("Electronics", DEMO_USER, DEMO_CART, DEMO_TOKEN),
            ("Electronics", DEMO_USER, WISHLIST_FAVORITES, DEMO_TOKEN),
            ("Electronics", DEMO_USER, WISHLIST_GIFTS, DEMO_TOKEN),
            ("B2B-store", B2B_USER, B2B_CART, B2B_TOKEN),
        ];
        let mut before = Vec::new();
        for (store, _, id, token) in victims {
            let cart = owned(&api, store, id, token).await;
            assert_eq!(
                cart["isAnonymous"], false,
                "{label}: the seed stores {id} as its owner's"
            );
            before.push(cart);
        }

        for (store, user, id, _) in victims {
            // Read by key, by id and as a list.
            let by_key = json!({"storeId": store, "userId": user, "cartName": "default"});
            assert_eq!(api.err(CART, by_key, None).await, "Unauthorized", "{label}");
            let by_id = json!({"storeId": store, "userId": user, "cartId": id});
            assert_eq!(api.err(CART, by_id, None).await, "Unauthorized", "{label}");
            let list = json!({"userId": user, "storeId": store});
            assert_eq!(api.err(CARTS, list, None).await, "Unauthorized", "{label}");
            // Add to it, fill it as a wishlist, remove it.
            let add = json!({"command": {"storeId": store, "userId": user, "cartId": id,
                "currencyCode": "USD", "productId": MOUSE, "quantity": 1}});
            assert_eq!(
                api.err(ADD_ITEM, add, None).await,
                "Unauthorized",
                "{label}"
            );
            let bulk = json!({"command": {"listIds": [id], "productId": HEADPHONES}});
            if id == WISHLIST_FAVORITES || id == WISHLIST_GIFTS {
                assert_eq!(api.err(BULK, bulk, None).await, "Unauthorized", "{label}");
            } else {
                // Bulk adds skip ids that name no wishlist.
                let lists = api.ok(BULK, bulk, None).await;
                assert_eq!(lists["addWishlistBulkItem"]["wishlists"], json!([]));
            }
            let remove = json!({"command": {"cartId": id}});
            assert_eq!(
                api.err(REMOVE, remove, None).await,
                "Unauthorized",
                "{label}"
            );
        }

        for ((store, _, id, token), was) in victims.into_iter().zip(before) {
            let now = owned(&api, store, id, token).await;
            assert_eq!(now, was, "{label}: {id} unchanged after the refusals");
        }
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn attack_3_merging_another_customers_cart_is_refused() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let before = owned(&api, "Electronics", DEMO_CART, DEMO_TOKEN).await;
        assert!(before["itemsQuantity"].as_i64().unwrap() > 0);

        // B merges A's cart into its own Electronics cart, keeping the source.
        let as_b = json!({"command": {"storeId": "Electronics", "userId": B2B_USER,
            "cartName": "loot", "currencyCode": "USD", "secondCartId": DEMO_CART,
            "deleteAfterMerge": false}});
        let code = api.err(MERGE, as_b, Some(B2B_TOKEN)).await;
        assert_eq!(code, "Forbidden", "{label}: B merging A's cart");
        let loot = api
            .ok(
                CART,
                json!({"storeId": "Electronics", "cartName": "loot"}),
                Some(B2B_TOKEN),
            )
            .await["cart"]
            .clone();
        assert_eq!(
            loot["itemsQuantity"], 0,
            "{label}: nothing of A's reached B"
        );

        // A tokenless caller merges A's cart into an anonymous cart of its own.
        let anon = json!({"command": {"storeId": "Electronics", "userId": "attacker-visitor",
            "cartName": "loot", "currencyCode": "USD", "secondCartId": DEMO_CART,
            "deleteAfterMerge": false}});
        let code = api.err(MERGE, anon, None).await;
        assert!(
            refused(&code),
            "{label}: tokenless merge of A's cart: {code}"
        );
        let loot = api
            .ok(
                CART,
                json!({"storeId": "Electronics", "userId": "attacker-visitor", "cartName": "loot"}),
                None,
            )
            .await["cart"]
            .clone();
        assert_eq!(loot["itemsQuantity"], 0, "{label}");

        let after = owned(&api, "Electronics", DEMO_CART, DEMO_TOKEN).await;
        assert_eq!(before, after, "{label}: A's cart unchanged");
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn an_anonymous_cart_met_by_its_customers_token_becomes_the_customers() -> anyhow::Result<()>
{
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let user = "c0ffee00-0000-4000-8000-000000000001";
        let key = json!({"storeId": "Electronics", "userId": user, "cartName": "default"});
        let add = json!({"command": {"storeId": "Electronics", "userId": user,
            "currencyCode": "USD", "productId": MOUSE, "quantity": 1}});
        // Before any token binds the user, its cart is anonymous.
        let cart = api.ok(ADD_ITEM, add.clone(), None).await["addItem"].clone();
        assert_eq!(cart["isAnonymous"], true, "{label}");
        // A token is issued for the user without touching its carts (as a token row written
        // by another tool would be): the user id is now a customer's.
        let token = "claim-test-token";
        let mut conn = server.state.store.pool.acquire().await?;
        sqlx::query(
            "INSERT INTO purchase_api_tokens (token_hash, user_id, created_ms) VALUES ($1, $2, 0)",
        )
        .bind(shopql_reference::auth::sha256_hex(token))
        .bind(user)
        .execute(&mut *conn)
        .await?;
        drop(conn);
        // The anonymous path loses it at once, and the customer's token claims it.
        assert_eq!(api.err(CART, key.clone(), None).await, "Unauthorized");
        let mine = api.ok(CART, key.clone(), Some(token)).await["cart"].clone();
        assert_eq!(mine["id"], cart["id"], "{label}");
        assert_eq!(mine["isAnonymous"], false, "{label}: claimed");
        assert_eq!(mine["itemsQuantity"], 1);
        assert_eq!(api.err(ADD_ITEM, add, None).await, "Unauthorized");
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_visitors_anonymous_cart_is_still_merged_by_id_at_sign_in() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let add = json!({"command": {"storeId": "Electronics", "userId": "visitor-before-sign-in",
            "currencyCode": "USD", "productId": HEADPHONES, "quantity": 1}});
        let visitor = api.ok(ADD_ITEM, add, None).await["addItem"].clone();
        let merge = json!({"command": {"storeId": "Electronics", "userId": DEMO_USER,
            "cartName": "after-sign-in", "currencyCode": "USD",
            "secondCartId": visitor["id"]}});
        let merged = api.ok(MERGE, merge, Some(DEMO_TOKEN)).await["mergeCart"].clone();
        assert_eq!(merged["items"][0]["productId"], HEADPHONES, "{label}");
        server.stop().await?;
    }
    Ok(())
}
