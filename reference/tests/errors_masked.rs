//! Errors never leak: when storage fails (here: the pool is closed under the running server), every
//! API answers with a generic message and a code — `UNAVAILABLE` for storage that cannot be
//! reached, `INTERNAL` with a correlation id for anything else — no SQL, no file path, no panic
//! text; `/healthz` reports 503, and the server keeps serving.

use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, start};

fn assert_masked(body: &Value, what: &str) {
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    assert!(!errors.is_empty(), "{what}: expected an error, got {body}");
    for e in &errors {
        let message = e["message"].as_str().unwrap_or_default();
        let code = e["extensions"]["code"].as_str().unwrap_or_default();
        let text = e.to_string().to_lowercase();
        assert!(
            ["INTERNAL", "UNAVAILABLE", "UNAUTHENTICATED"].contains(&code),
            "{what}: code {code} in {e}"
        );
        for leak in [
            "select ", "insert ", "sqlx", "sqlite", "postgres", ".rs", "panicked", "pool",
        ] {
            assert!(
                !text.contains(leak),
                "{what}: the error leaks `{leak}`: {e}"
            );
        }
        if code == "UNAVAILABLE" {
            assert!(message.contains("retry"), "{what}: {message}");
        }
        if code == "INTERNAL" {
            assert!(message.starts_with("internal error"), "{what}: {message}");
            assert!(
                e["extensions"]["correlationId"]
                    .as_str()
                    .is_some_and(|c| c.len() >= 16),
                "{what}: no correlation id in {e}"
            );
        }
    }
}

#[tokio::test]
async fn storage_failures_are_masked_and_the_server_keeps_serving() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let server = start(Config::for_tests(&db.url)).await?;
        let base = server.base_url();
        let http = reqwest::Client::new();
        // A token while storage is up.
        let token: Value = http
            .post(format!("{base}/demo/auth/token"))
            .header("x-crystallize-access-token-id", "demo-access-id")
            .header("x-crystallize-access-token-secret", "demo-access-secret")
            .json(&json!({ "scopes": ["cart", "lock"], "expiresIn": 600 }))
            .send()
            .await?
            .json()
            .await?;
        let token = token["token"].as_str().unwrap_or_default().to_string();

        // Storage goes away.
        server.state.store.close().await;

        let health = http.get(format!("{base}/healthz")).send().await?;
        assert_eq!(health.status(), 503, "{}", db.label());

        let cases = [
            (
                "/client/graphql",
                "{ inventoryItems(filters: {}, pagination: {}) { items { id } } }",
                None,
            ),
            (
                "/demo/cart",
                "mutation { hydrate(input: { items: [{ sku: \"robot-pink-standard\" }] }) { id } }",
                Some(token.as_str()),
            ),
            (
                "/demo/lock",
                "mutation { acquire(key: \"k\") }",
                Some(token.as_str()),
            ),
            (
                "/purchase/graphql",
                "{ cart(storeId: \"Electronics\", currencyCode: \"USD\", userId: \"u1\") { id } }",
                None,
            ),
            (
                "/marketplace/graphql",
                "{ brands { totalCount } }",
                Some("demo-seller-key"),
            ),
        ];
        for (path, query, bearer) in cases {
            let mut req = http
                .post(format!("{base}{path}"))
                .json(&json!({ "query": query }));
            if path == "/client/graphql" {
                req = req.header("commonground-origin", "www.my-vinyl-store.com");
            }
            if let Some(b) = bearer {
                req = req.bearer_auth(b);
            }
            let resp = req.send().await?;
            let status = resp.status();
            // 200 with a GraphQL error, or 503 when the credentials themselves could not be checked.
            assert!(
                status == 200 || status == 503,
                "{path} on {}: HTTP {status}",
                db.label()
            );
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            assert_masked(&body, &format!("{path} on {}", db.label()));
        }
        // Still serving: GraphiQL needs no storage.
        let graphiql = http.get(format!("{base}/demo/lock")).send().await?;
        assert_eq!(graphiql.status(), 200, "{}", db.label());
        server.stop().await?;
    }
    Ok(())
}
