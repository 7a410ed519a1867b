//! The complexity limit of the reference server weighs lists by their page size (issue 11,
//! item 1): a marketplace page of 100 adverts with 100 variants each is refused with
//! `COMPLEXITY_LIMIT_EXCEEDED` before anything runs, while a page of 10 × 10 and the seed's own
//! operations run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, RunningServer, start};

async fn post(server: &RunningServer, path: &str, bearer: Option<&str>, body: Value) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("{}{path}", server.base_url()))
        .json(&body);
    if let Some(token) = bearer {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    let resp = req.send().await.expect("the server answers");
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("JSON")
}

fn seed_operation(name: &str) -> String {
    let path = format!(
        "{}/../schemas/operations/marketplace/{name}.graphql",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const NESTED: &str = "query Nested($outer: Int, $inner: Int) { allAdverts(first: $outer) { nodes { __typename ... on Advert { legacyId variants(first: $inner) { nodes { sku } } } } } }";

#[tokio::test]
async fn a_100_by_100_page_is_refused_and_smaller_pages_run() {
    let db = TestDatabase::sqlite();
    let server = start(Config::for_tests(&db.url)).await.unwrap();
    let seller = Some("demo-seller-key");
    let body = post(
        &server,
        "/marketplace/graphql",
        seller,
        json!({ "query": NESTED, "variables": { "outer": 100, "inner": 100 } }),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "COMPLEXITY_LIMIT_EXCEEDED",
        "{body:#}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["complexity"], 10_101,
        "{body:#}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["maxComplexity"], 6_000,
        "{body:#}"
    );
    assert!(body["data"].is_null(), "{body:#}");

    let body = post(
        &server,
        "/marketplace/graphql",
        seller,
        json!({ "query": NESTED, "variables": { "outer": 10, "inner": 10 } }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let adverts = body["data"]["allAdverts"]["nodes"].as_array().unwrap();
    assert!(!adverts.is_empty() && adverts.len() <= 10, "{body:#}");

    // The seed's paging operation nests `variants(first: 100)` in every advert: at the default
    // page of 50 adverts it runs (5,051), at 100 it is the refused shape (10,101).
    let op = seed_operation("all_adverts_updated_since_page");
    let body = post(
        &server,
        "/marketplace/graphql",
        seller,
        json!({ "query": &op }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let body = post(
        &server,
        "/marketplace/graphql",
        seller,
        json!({ "query": &op, "variables": { "first": 100 } }),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "COMPLEXITY_LIMIT_EXCEEDED",
        "{body:#}"
    );

    // Nested connections without page sizes, as the seed writes them (50 × 50).
    let op = seed_operation("all_adverts_list_variants");
    let body = post(
        &server,
        "/marketplace/graphql",
        seller,
        json!({ "query": &op }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    server.stop().await.unwrap();
}
