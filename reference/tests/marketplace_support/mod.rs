//! Shared helpers of the marketplace tests: a server per database, and GraphQL calls as a seller.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, ManualClock, RunningServer, start, start_with_clock};

/// The demo seller's API key.
pub const SELLER: &str = "demo-seller-key";
/// The second demo seller's API key.
pub const SELLER_2: &str = "demo-seller-2-key";

/// A running server and a client for its marketplace endpoint.
pub struct Mp {
    pub server: RunningServer,
    pub url: String,
    pub label: &'static str,
    client: reqwest::Client,
}

impl Mp {
    /// Starts a server on `db` (demo data loaded).
    pub async fn start(db: &TestDatabase) -> anyhow::Result<Self> {
        Self::start_url(&db.url, db.label()).await
    }

    /// Starts a server on `db` with a clock the test moves.
    pub async fn start_with_clock(
        db: &TestDatabase,
        clock: std::sync::Arc<ManualClock>,
    ) -> anyhow::Result<Self> {
        let server = start_with_clock(Config::for_tests(&db.url), clock).await?;
        Ok(Self::wrap(server, db.label()))
    }

    fn wrap(server: RunningServer, label: &'static str) -> Self {
        let url = format!("{}/marketplace/graphql", server.base_url());
        Self {
            server,
            url,
            label,
            client: reqwest::Client::new(),
        }
    }

    /// Starts a server on a database URL.
    pub async fn start_url(url: &str, label: &'static str) -> anyhow::Result<Self> {
        let server = start(Config::for_tests(url)).await?;
        let url = format!("{}/marketplace/graphql", server.base_url());
        Ok(Self {
            server,
            url,
            label,
            client: reqwest::Client::new(),
        })
    }

    /// Posts a GraphQL request with an optional API key; returns the HTTP status and the body.
    pub async fn post(
        &self,
        key: Option<&str>,
        query: &str,
        variables: Value,
    ) -> anyhow::Result<(u16, Value)> {
        let mut req = self
            .client
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let body: Value = resp.json().await?;
        Ok((status, body))
    }

    /// The whole response body, as `key`'s seller.
    pub async fn as_seller(
        &self,
        key: &str,
        query: &str,
        variables: Value,
    ) -> anyhow::Result<Value> {
        let (status, body) = self.post(Some(key), query, variables).await?;
        assert_eq!(status, 200, "[{}] {body}", self.label);
        Ok(body)
    }

    /// `data`, as the demo seller, asserting there are no errors.
    pub async fn data(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        self.data_as(SELLER, query, variables).await
    }

    /// `data`, as `key`'s seller, asserting there are no errors.
    pub async fn data_as(&self, key: &str, query: &str, variables: Value) -> anyhow::Result<Value> {
        let body = self.as_seller(key, query, variables).await?;
        assert!(
            body.get("errors").is_none(),
            "[{}] unexpected errors: {body}\nquery: {query}",
            self.label
        );
        Ok(body["data"].clone())
    }

    /// The error codes of a response, as the demo seller.
    pub async fn error_codes(&self, query: &str, variables: Value) -> anyhow::Result<Vec<String>> {
        let body = self.as_seller(SELLER, query, variables).await?;
        Ok(codes(&body))
    }

    /// Stops the server.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.server.stop().await
    }
}

/// `extensions.code` of every error of a response.
pub fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errs| {
            errs.iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The global id of `Type-legacyId`.
pub fn gid(type_name: &str, legacy_id: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{type_name}-{legacy_id}"))
}

/// Every database of this run.
pub async fn databases() -> anyhow::Result<Vec<TestDatabase>> {
    TestDatabase::all().await
}
