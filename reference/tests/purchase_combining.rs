//! Mutations of one purchase cart that arrive together run in one transaction per batch
//! (`apis/purchase/combine.rs`), on SQLite and PostgreSQL: no acknowledged change is lost, a
//! refused command fails only its own caller, and callers that go away do not lose or
//! half-apply the others' changes.

#![allow(clippy::unwrap_used)]

mod purchase_support;

use std::time::Duration;

use purchase_support::*;
use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;

const CART: &str = r#"
query Cart($storeId: String!, $userId: String, $cartName: String, $currencyCode: String!) {
  cart(storeId: $storeId, userId: $userId, cartName: $cartName, currencyCode: $currencyCode) {
    id itemsQuantity items { productId quantity }
  }
}"#;

const ADD_ITEM: &str = r#"
mutation Add($command: InputAddItemType!) {
  addItem(command: $command) { id itemsQuantity items { productId quantity } }
}"#;

fn add(user: &str, extra: Value) -> Value {
    let mut c = json!({
        "storeId": "Electronics", "cartName": "shared", "userId": user, "currencyCode": "USD",
        "productId": SOFTWARE, "quantity": 1
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        c[k] = v;
    }
    json!({ "command": c })
}

fn cart_vars(user: &str) -> Value {
    json!({"storeId": "Electronics", "cartName": "shared", "userId": user, "currencyCode": "USD"})
}

async fn quantity(api: &Api, user: &str) -> i64 {
    let c = api.ok(CART, cart_vars(user), None).await;
    c["cart"]["itemsQuantity"].as_i64().unwrap()
}

#[tokio::test]
async fn concurrent_adds_to_one_cart_lose_no_quantity() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let user = "7e000000-0000-4000-8000-000000000001";
        // The cart exists, so every add goes to its queue.
        assert_eq!(quantity(&api, user).await, 0);
        let n = 64;
        let mut tasks = Vec::new();
        for _ in 0..n {
            let url = server.base_url();
            tasks.push(tokio::spawn(async move {
                Api::new(&url)
                    .post(ADD_ITEM, add(user, json!({})), None)
                    .await
            }));
        }
        let mut acknowledged = 0;
        let mut seen = Vec::new();
        for t in tasks {
            let body = t.await?;
            assert!(body.get("errors").is_none(), "{label}: {body:#}");
            acknowledged += 1;
            seen.push(body["data"]["addItem"]["itemsQuantity"].as_i64().unwrap());
        }
        assert_eq!(quantity(&api, user).await, acknowledged, "{label}");
        // Each caller saw the cart as its own add left it: n distinct quantities, 1..=n.
        seen.sort_unstable();
        assert_eq!(seen, (1..=n).collect::<Vec<i64>>(), "{label}");
        let (batches, commands) = server.state.cart_writers.combined();
        assert_eq!(commands, n as u64, "{label}");
        assert!(batches <= commands, "{label}");
        eprintln!("{label}: {commands} adds in {batches} transactions");
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_refused_command_in_a_batch_fails_only_its_caller() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let user = "7e000000-0000-4000-8000-000000000002";
        let other = "7e000000-0000-4000-8000-000000000003";
        let id = api.ok(CART, cart_vars(user), None).await["cart"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let mut expected = 0;
        // Until a round has run some commands together (almost always the first).
        for round in 0..10 {
            let (batches, commands) = server.state.cart_writers.combined();
            let mut tasks = Vec::new();
            for i in 0..48 {
                let url = server.base_url();
                // One in three is refused inside the batch: a property the line items do not
                // have (its change fails), or another user naming this cart by id (access).
                let (who, extra, refused) = match i % 6 {
                    1 => (
                        user,
                        json!({"dynamicProperties": [{"name": "No such property", "value": "x"}]}),
                        Some("BAD_USER_INPUT"),
                    ),
                    4 => (other, json!({"cartId": id}), Some("Forbidden")),
                    _ => (user, json!({}), None),
                };
                tasks.push(tokio::spawn(async move {
                    let body = Api::new(&url).post(ADD_ITEM, add(who, extra), None).await;
                    (refused, body)
                }));
            }
            for t in tasks {
                let (refused, body) = t.await?;
                match refused {
                    None => {
                        assert!(body.get("errors").is_none(), "{label}: {body:#}");
                        expected += 1;
                    }
                    Some(code) => {
                        assert_eq!(
                            body["errors"][0]["extensions"]["code"], code,
                            "{label}: {body:#}"
                        );
                        assert!(body["data"]["addItem"].is_null(), "{label}: {body:#}");
                    }
                }
            }
            assert_eq!(
                quantity(&api, user).await,
                expected,
                "{label} round {round}"
            );
            let (b, c) = server.state.cart_writers.combined();
            if c - commands > b - batches {
                break;
            }
            assert!(round < 9, "{label}: no commands were ever combined");
        }
        // The other user's own cart was never touched.
        assert_eq!(quantity(&api, other).await, 0, "{label}");
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn callers_that_go_away_do_not_lose_the_others_adds() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let user = "7e000000-0000-4000-8000-000000000004";
        assert_eq!(quantity(&api, user).await, 0);
        let n = 64;
        let mut kept = Vec::new();
        let mut dropped = Vec::new();
        for i in 0..n {
            let url = server.base_url();
            let task = tokio::spawn(async move {
                // A client of its own: dropping the request closes its connection.
                Api::new(&url)
                    .post(ADD_ITEM, add(user, json!({})), None)
                    .await
            });
            if i % 2 == 0 {
                kept.push(task);
            } else {
                dropped.push(task);
            }
        }
        // Half the callers go away at various points of their request.
        for (i, t) in dropped.iter().enumerate() {
            if i % 4 == 0 {
                tokio::task::yield_now().await;
            } else {
                tokio::time::sleep(Duration::from_micros(300 * i as u64)).await;
            }
            t.abort();
        }
        let mut acknowledged = 0;
        for t in kept {
            let body = t.await?;
            assert!(body.get("errors").is_none(), "{label}: {body:#}");
            acknowledged += 1;
        }
        for t in dropped {
            if let Ok(body) = t.await {
                assert!(body.get("errors").is_none(), "{label}: {body:#}");
                acknowledged += 1;
            }
        }
        // Let the adds of callers that went away finish, one way or the other: until the cart
        // stops changing.
        let mut total = quantity(&api, user).await;
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let now = quantity(&api, user).await;
            if now == total {
                break;
            }
            total = now;
        }
        assert!(
            total >= acknowledged && total <= n,
            "{label}: {acknowledged} acknowledged adds, {n} sent, {total} in the cart"
        );
        // The cart's queue still works.
        let after = api.ok(ADD_ITEM, add(user, json!({})), None).await;
        assert_eq!(
            after["addItem"]["itemsQuantity"].as_i64().unwrap(),
            total + 1,
            "{label}"
        );
        server.stop().await?;
    }
    Ok(())
}
