//! The SDK set up for real use: retries with backoff that honour `Retry-After`, persisted
//! queries (the hash first, the text only when the server asks), queries as cacheable GETs,
//! and an `x-request-id` on every request and in every error.
//!
//! `cargo run -p shopql-examples --example resilient_client` (reference server running).

use std::time::Duration;

use shopql_examples::{base_url, check};
use shopql_sdk::purchase::{CartOptions, Client};
use shopql_sdk::{Error, GraphqlClient, Maybe, RetryPolicy};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = format!("{}/purchase/graphql", base_url());
    let inner = GraphqlClient::new(&url)
        // Queries: up to 4 attempts after a refused or dropped connection, a timeout, 429 or
        // 503, waiting 100 ms, 200 ms, 400 ms (plus jitter) or the server's Retry-After, and
        // never past 10 s in all. Mutations are retried only where nothing ran (refused
        // connection, 429), because `mutations(true)` asks for it.
        .retry(
            RetryPolicy::default()
                .max_attempts(4)
                .delays(Duration::from_millis(100), Duration::from_secs(2))
                .max_elapsed(Duration::from_secs(10))
                .mutations(true),
        )
        // Operations go as their SHA-256 hash; a server without persisted queries still gets
        // the text (the client notices once and stops sending hashes).
        .persisted_queries(true)
        // Queries as GET requests, which HTTP caches can keep (POST when the server refuses).
        .get_for_queries(true);
    // The generated client takes the configured runtime client.
    let purchases = Client::from_graphql_client(inner.clone());

    let user = format!(
        "resilient-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis()
    );
    for round in 1..=2 {
        let cart = purchases
            .cart(
                "Electronics".into(),
                "USD".into(),
                CartOptions {
                    user_id: Some(user.clone()),
                    ..Default::default()
                },
            )
            .await?
            .ok_or_else(|| anyhow::anyhow!("no cart"))?;
        println!(
            "round {round}: cart {} for {user}, {} item(s)",
            cart.id.clone().unwrap_or_default(),
            cart.items_count.unwrap_or(0)
        );
    }

    // Every error says which request failed: the id the server logged too.
    let traced = inner.clone().request_id("example-request-1");
    let error = traced
        .execute_data::<_, serde_json::Value>("query Broken { nope }", "Broken", &())
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("an unknown field must fail"))?;
    println!("error: {error}");
    check(
        error.request_id() == Some("example-request-1"),
        "the error carries the request id",
    )?;
    check(!error.is_retryable(), "a validation error is not retried")?;

    // Callers who retry by themselves read the hint the SDK kept.
    match &error {
        Error::Graphql { http, .. } => println!(
            "HTTP status {:?}, retry after {:?}, retryable: {}",
            http.status,
            error.retry_after(),
            error.is_retryable()
        ),
        other => println!("other error: {other}"),
    }

    // A mutation through the same client: sent once, by POST.
    let added = purchases
        .add_item(shopql_sdk::purchase::InputAddItemType {
            store_id: "Electronics".into(),
            user_id: user.clone(),
            currency_code: Maybe::Value("USD".into()),
            product_id: "c3a1e0d2b4f64a7e8d9c0b1a2f3e4d5c".into(),
            quantity: 1,
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("addItem returned no cart"))?;
    check(
        added.items_count.unwrap_or(0) == 1,
        "the mutation ran exactly once",
    )?;
    println!("added one item: {} item(s)", added.items_count.unwrap_or(0));
    println!("ok");
    Ok(())
}
