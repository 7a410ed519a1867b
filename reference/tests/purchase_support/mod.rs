//! Helpers shared by the purchase API tests.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;

use serde_json::{Value, json};
use shopql_reference::{Config, ManualClock, RunningServer, start, start_with_clock};

/// Starts a server on `url` with only the purchase demo data (other APIs' demo data is not
/// this API's concern).
pub async fn start_seeded(url: &str) -> anyhow::Result<RunningServer> {
    let mut config = Config::for_tests(url);
    config.seed = false;
    let server = start(config).await?;
    shopql_reference::apis::purchase::seed_demo(&server.state).await?;
    Ok(server)
}

/// A purchase API endpoint.
pub struct Api {
    pub url: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(base_url: &str) -> Self {
        Self {
            url: format!("{base_url}/purchase/graphql"),
            http: reqwest::Client::new(),
        }
    }

    /// Posts a query; returns the whole response body (`data` and `errors`).
    pub async fn post(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let mut req = self
            .http
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        resp.json().await.unwrap()
    }

    /// Posts and expects no errors; returns `data`.
    pub async fn ok(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let body = self.post(query, variables, token).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Posts and expects one error; returns its `extensions.code`.
    pub async fn err(&self, query: &str, variables: Value, token: Option<&str>) -> String {
        let body = self.post(query, variables, token).await;
        let errors = body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("expected an error: {body:#}"));
        assert!(!errors.is_empty(), "{body:#}");
        errors[0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// [`start_seeded`] with a clock the test moves.
pub async fn start_seeded_with_clock(
    url: &str,
    clock: std::sync::Arc<ManualClock>,
) -> anyhow::Result<RunningServer> {
    let mut config = Config::for_tests(url);
    config.seed = false;
    let server = start_with_clock(config, clock).await?;
    shopql_reference::apis::purchase::seed_demo(&server.state).await?;
    Ok(server)
}

/// The directory of the purchase operations.
pub fn operations_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/operations/purchase")
}

/// An operation document and its variables, as stored in `schemas/operations/purchase/`.
pub fn operation(name: &str) -> (String, Value) {
    let dir = operations_dir();
    let query = std::fs::read_to_string(dir.join(format!("{name}.graphql"))).unwrap();
    let vars = std::fs::read_to_string(dir.join(format!("{name}.json")))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(json!({}));
    (query, vars)
}

/// A JSON number as text (so 1516.77 compares exactly).
pub fn num(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        other => panic!("not a number: {other}"),
    }
}

/// `{ base fields of the demo cart }` merged with `extra`.
pub fn demo_command(extra: Value) -> Value {
    let mut c = json!({
        "storeId": "Electronics",
        "cartName": "default",
        "userId": "b57d06db-1638-4d37-9734-fd01a9bc59aa",
        "cultureName": "en-US",
        "currencyCode": "USD",
        "cartType": "cart"
    });
    if let (Some(c), Some(e)) = (c.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            c.insert(k.clone(), v.clone());
        }
    }
    json!({ "command": c })
}

pub const DEMO_USER: &str = "b57d06db-1638-4d37-9734-fd01a9bc59aa";
pub const B2B_USER: &str = "39e3f3c5-7dd3-40ce-b48b-99549c1cd702";
pub const DEMO_TOKEN: &str = "demo-purchase-token";
pub const B2B_TOKEN: &str = "demo-purchase-token-2";
pub const LAPTOP: &str = "9cbd8f316e254a679ba34a900fccb076";
pub const MOUSE: &str = "c3a1e0d2b4f64a7e8d9c0b1a2f3e4d5c";
pub const HEADPHONES: &str = "92e671024a8648de97dedcd488f58455";
pub const HUB: &str = "7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d";
pub const OLD_CAMERA: &str = "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a";
pub const SOFTWARE: &str = "5f0c2b7e9a1d4c3b8e6f0a9d2c1b4e7f";
