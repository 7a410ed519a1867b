//! Helpers of the shop family's tests (cart, cart admin, lock, usage): start a server on each
//! backend, mint tokens at the token endpoint, and run GraphQL over HTTP.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use shopql_reference::apis::shop::demo;
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, ManualClock, RunningServer, start_with_clock};

/// 2026-11-18T00:00:00Z: inside the demo operation documents' promotion period.
pub const NOW: i64 = 1_794_960_000_000;

/// A server on one backend, with a hand-moved clock.
pub struct Env {
    pub db: TestDatabase,
    pub server: RunningServer,
    pub clock: ManualClock,
    pub http: reqwest::Client,
}

impl Env {
    pub fn base(&self) -> String {
        self.server.base_url()
    }

    pub fn label(&self) -> &'static str {
        self.db.label()
    }

    /// A token of the demo tenant with `scopes`.
    pub async fn token(&self, scopes: &[&str]) -> String {
        mint(
            &self.http,
            &self.base(),
            "demo",
            demo::DEMO_ACCESS_ID,
            demo::DEMO_ACCESS_SECRET,
            scopes,
        )
        .await
    }

    /// POSTs a GraphQL request to `/{tenant}/{path}`.
    pub async fn gql(
        &self,
        tenant: &str,
        path: &str,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (StatusCode, Value) {
        gql(
            &self.http,
            &format!("{}/{tenant}/{path}", self.base()),
            token,
            query,
            variables,
        )
        .await
    }

    /// `data` of a request that must succeed.
    pub async fn ok(&self, path: &str, token: &str, query: &str, variables: Value) -> Value {
        let (status, body) = self.gql("demo", path, Some(token), query, variables).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", self.label());
        assert!(body.get("errors").is_none(), "{}: {body}", self.label());
        body["data"].clone()
    }

    /// The `extensions.code` of the first error of a request that must fail.
    pub async fn err(&self, path: &str, token: &str, query: &str, variables: Value) -> String {
        let (_, body) = self.gql("demo", path, Some(token), query, variables).await;
        code(&body).unwrap_or_else(|| panic!("{}: expected an error: {body}", self.label()))
    }

    pub async fn stop(self) {
        self.server.stop().await.expect("server stops");
    }
}

/// The first error code of a response.
pub fn code(body: &Value) -> Option<String> {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_string)
}

/// One server per backend (SQLite always, PostgreSQL when configured), clock at [`NOW`].
pub async fn envs() -> Vec<Env> {
    let mut out = Vec::new();
    for db in TestDatabase::all().await.expect("test databases") {
        out.push(env_on(db).await);
    }
    out
}

/// A server on `db` with a manual clock at [`NOW`]. Only the shop family's demo data is loaded,
/// so these tests depend on no other API's seeding.
pub async fn env_on(db: TestDatabase) -> Env {
    let clock = ManualClock::new(NOW);
    let server = start_node(&db, &clock).await;
    Env {
        db,
        server,
        clock,
        http: reqwest::Client::new(),
    }
}

/// Another server (node) on the same database and clock.
pub async fn start_node(db: &TestDatabase, clock: &ManualClock) -> RunningServer {
    let config = Config {
        seed: false,
        ..Config::for_tests(&db.url)
    };
    let server = start_with_clock(config, Arc::new(clock.clone()))
        .await
        .expect("server starts");
    shopql_reference::apis::shop::seed_demo(&server.state)
        .await
        .expect("shop demo data");
    server
}

/// Mints a token at the token endpoint.
pub async fn mint(
    http: &reqwest::Client,
    base: &str,
    tenant: &str,
    id: &str,
    secret: &str,
    scopes: &[&str],
) -> String {
    let resp = http
        .post(format!("{base}/{tenant}/auth/token"))
        .header("x-crystallize-access-token-id", id)
        .header("x-crystallize-access-token-secret", secret)
        .json(&json!({ "scopes": scopes, "expiresIn": 18000 }))
        .send()
        .await
        .expect("token endpoint answers");
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["success"], true, "{body}");
    body["token"].as_str().expect("a token").to_string()
}

/// POSTs a GraphQL request.
pub async fn gql(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> (StatusCode, Value) {
    let mut req = http
        .post(url)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("server answers");
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// An operation document of `schemas/operations/<api>/<name>.graphql` and its variables.
pub fn operation(api: &str, name: &str) -> (String, Value) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../schemas/operations")
        .join(api);
    let query =
        std::fs::read_to_string(dir.join(format!("{name}.graphql"))).expect("operation document");
    let vars =
        std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap_or_else(|_| "{}".into());
    (query, serde_json::from_str(&vars).expect("variables json"))
}

/// A number of a JSON response as f64.
pub fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

pub const HYDRATE: &str = "mutation H($input: CartInput!) { hydrate(input: $input) { id state items { name quantity context variant { sku name price { gross net } compareAtPrice { gross net } } price { gross net taxAmount currency discounts { amount percent } } } total { gross net taxAmount currency discounts { amount percent } } appliedPromotions { identifier } } }";
