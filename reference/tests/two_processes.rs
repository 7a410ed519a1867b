//! The concurrency invariants with two server *processes* on one PostgreSQL database, sharing
//! nothing but the database (no pool, no memory, no clock), as a multi-node deployment runs:
//!
//! - stock 1 and 50 concurrent checkout submissions spread over both nodes: exactly 1 order,
//!   stock 0, never below (the `CHECK (stock >= 0)` backstop is never needed);
//! - 50 concurrent additions to one shop cart spread over both nodes: none lost;
//! - 50 concurrent acquires of one lock key spread over both nodes: exactly one holder;
//! - rate-limit budgets are one for both nodes: 5 wrong logins for one account spread over
//!   them lock it as on one node.
//!
//! PostgreSQL only (`SHOPQL_TEST_DATABASE_URL`; `.ci/run` sets it). SQLite is one process by
//! design; its in-process variants are in `client_concurrency.rs`, `shop_cart.rs`, `lock.rs`.
#![allow(clippy::unwrap_used)]

mod client_support;
mod process_support;

use client_support::*;
use futures::future::join_all;
use process_support::{Node, gql, shop_token};
use serde_json::json;
use shopql_reference::store::{Store, TestDatabase};

const RACERS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_postgres_keep_every_invariant() -> anyhow::Result<()> {
    let Some(db) = TestDatabase::postgres().await? else {
        eprintln!("SHOPQL_TEST_DATABASE_URL is not set: skipping the two-process PostgreSQL test");
        return Ok(());
    };
    let first = Node::start(&db.url, true).await?;
    // The second process finds the database migrated and seeded, and seeds nothing twice.
    let second = Node::start(&db.url, true).await?;
    let nodes = [first.base.clone(), second.base.clone()];
    let store = Store::connect(&db.url).await?;

    // 1. Stock 1, fifty buyers on two nodes.
    sqlx::query("UPDATE client_listings SET stock = 1 WHERE num_id = $1")
        .bind(NEW_LISTING)
        .execute(&store.pool)
        .await?;
    let apis = [Api::at_base(&nodes[0]), Api::at_base(&nodes[1])];
    let (won, refused) = race(prepared(&apis, RACERS, "two-processes").await).await;
    let stock: i64 = sqlx::query_scalar("SELECT stock FROM client_listings WHERE num_id = $1")
        .bind(NEW_LISTING)
        .fetch_one(&store.pool)
        .await?;
    let orders: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM client_order_lines l JOIN client_listings x ON x.id = l.listing_id WHERE x.num_id = $1",
    )
    .bind(NEW_LISTING)
    .fetch_one(&store.pool)
    .await?;
    let negative: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM client_listings WHERE stock < 0")
        .fetch_one(&store.pool)
        .await?;
    println!(
        "stock 1, {RACERS} buyers on 2 processes: {won} order, {refused} refused, stock {stock}"
    );
    assert_eq!((won, refused), (1, RACERS - 1));
    assert_eq!((stock, orders, negative), (0, 1, 0));

    // 2. Fifty additions to one shop cart on two nodes.
    let http = reqwest::Client::new();
    let token = shop_token(&http, &nodes[0], &["cart", "lock"]).await?;
    let hydrated = gql(
        &http,
        &format!("{}/demo/cart", nodes[0]),
        &token,
        "mutation($input: CartInput!) { hydrate(input: $input) { id } }",
        json!({ "input": { "items": [{ "sku": "robot-pink-standard" }] } }),
    )
    .await?;
    let cart = hydrated["data"]["hydrate"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let add = "mutation($id: UUID!) { addCartItem(id: $id, sku: \"robot-pink-standard\", quantity: 1) { id } }";
    let additions = join_all((0..RACERS).map(|i| {
        let (http, token, cart) = (http.clone(), token.clone(), cart.clone());
        let url = format!("{}/demo/cart", nodes[i % 2]);
        tokio::spawn(async move { gql(&http, &url, &token, add, json!({ "id": cart })).await })
    }))
    .await;
    for body in additions {
        let body = body??;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let read = gql(
        &http,
        &format!("{}/demo/cart", nodes[1]),
        &token,
        "query($id: UUID!) { cart(id: $id) { items { quantity } } }",
        json!({ "id": cart }),
    )
    .await?;
    println!(
        "{RACERS} additions to one cart on 2 processes: quantity {}",
        read["data"]["cart"]["items"][0]["quantity"]
    );
    assert_eq!(read["data"]["cart"]["items"][0]["quantity"], 1 + RACERS);

    // 3. Fifty acquires of one lock key, each with its own token, on two nodes.
    let mut tokens = Vec::new();
    for i in 0..RACERS {
        tokens.push(shop_token(&http, &nodes[i % 2], &["lock"]).await?);
    }
    let acquires = join_all(tokens.into_iter().enumerate().map(|(i, token)| {
        let http = http.clone();
        let url = format!("{}/demo/lock", nodes[i % 2]);
        tokio::spawn(async move {
            gql(
                &http,
                &url,
                &token,
                "mutation($key: String!) { acquire(key: $key, ttl: 60) }",
                json!({ "key": "two-processes" }),
            )
            .await
        })
    }))
    .await;
    let mut holders = 0;
    for body in acquires {
        let body = body??;
        match body["data"]["acquire"].as_bool() {
            Some(true) => holders += 1,
            Some(false) => {}
            None => panic!("{body}"),
        }
    }
    println!("{RACERS} lock acquires on 2 processes: {holders} holder");
    assert_eq!(holders, 1);
    drop((first, second));
    Ok(())
}

/// `n` wrong-password logins for the demo buyer as one request; the error codes, in order.
async fn wrong_logins(http: &reqwest::Client, base: &str, n: usize) -> anyhow::Result<Vec<String>> {
    use base64::Engine;
    let b64 = |t: &str| base64::engine::general_purpose::STANDARD.encode(t);
    let fields: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "a{i}: login(email: \"{}\", password: \"{}\") {{ sessionsCount }}",
                b64("buyer@example.com"),
                b64(&format!("wrong-{i}"))
            )
        })
        .collect();
    let body: serde_json::Value = http
        .post(format!("{base}/client/graphql"))
        .header("commonground-origin", "www.my-vinyl-store.com")
        .json(&json!({ "query": format!("mutation {{ {} }}", fields.join(" ")) }))
        .send()
        .await?
        .json()
        .await?;
    let mut errors: Vec<(String, String)> = body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["path"][0].as_str().unwrap_or_default().to_string(),
                        e["extensions"]["code"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    errors.sort();
    Ok(errors.into_iter().map(|(_, code)| code).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_share_the_login_budget() -> anyhow::Result<()> {
    let Some(db) = TestDatabase::postgres().await? else {
        eprintln!("SHOPQL_TEST_DATABASE_URL is not set: skipping the two-process budget test");
        return Ok(());
    };
    let first = Node::start_with_rate_limits(&db.url, true).await?;
    let second = Node::start_with_rate_limits(&db.url, true).await?;
    let http = reqwest::Client::new();
    // The default budget is 5 wrong logins per account per 15 minutes: 3 on one node and 2 on
    // the other spend it; on one node alone each would still have room.
    assert_eq!(
        wrong_logins(&http, &first.base, 3).await?,
        ["UNAUTHENTICATED"; 3]
    );
    assert_eq!(
        wrong_logins(&http, &second.base, 2).await?,
        ["UNAUTHENTICATED"; 2]
    );
    for node in [&first, &second] {
        assert_eq!(
            wrong_logins(&http, &node.base, 1).await?,
            ["RATE_LIMITED"],
            "the account is locked on {} too",
            node.base
        );
    }
    Ok(())
}
