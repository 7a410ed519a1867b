//! OpenTelemetry traces: the server process started with `--otlp-endpoint` sends its spans over
//! OTLP/HTTP (protobuf) to a collector — here one in the test — and the spans still buffered at a
//! SIGTERM are sent before the process exits.
#![cfg(feature = "otel")]

mod process_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use process_support::{Node, shop_token};
use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;

/// What the collector received on `POST /v1/traces`: one protobuf body per export.
type Received = Arc<Mutex<Vec<Bytes>>>;

async fn collector() -> anyhow::Result<(String, Received)> {
    let received = Received::default();
    let sink = received.clone();
    let app = Router::new().route(
        "/v1/traces",
        post(move |body: Bytes| {
            let sink = sink.clone();
            async move {
                sink.lock().map(|mut all| all.push(body)).ok();
                // An empty ExportTraceServiceResponse.
                ([("content-type", "application/x-protobuf")], Bytes::new())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, received))
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::unwrap_used)]
async fn spans_of_a_request_and_its_resolvers_reach_the_otlp_collector() -> anyhow::Result<()> {
    let (endpoint, received) = collector().await?;
    let db = TestDatabase::sqlite();
    let mut node = Node::start_with_args(&db.url, true, &["--otlp-endpoint", &endpoint]).await?;
    let http = reqwest::Client::new();
    let token = shop_token(&http, &node.base, &["lock"]).await?;
    let body: Value = http
        .post(format!("{}/demo/lock", node.base))
        .bearer_auth(&token)
        .json(&json!({
            "query": "mutation { acquire(key: \"traced-key\", ttl: 30) }",
        }))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(body["data"]["acquire"], json!(true), "{body}");
    // Fields of object type get a span (scalars do not: async-graphql's default).
    let body: Value = http
        .post(format!("{}/demo/lock", node.base))
        .bearer_auth(&token)
        .json(&json!({ "query": "query { lock(key: \"traced-key\") { held } }" }))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(body["data"]["lock"]["held"], json!(true), "{body}");

    // The batch exporter sends every few seconds; SIGTERM must flush what is left.
    assert!(node.terminate(Duration::from_secs(30)).await?, "clean exit");
    let all: Vec<u8> = received.lock().unwrap().concat();
    assert!(!all.is_empty(), "the collector received no export");
    // Span names and attribute values travel as plain protobuf strings.
    assert!(contains(&all, "shopql-reference"), "service.name resource");
    assert!(contains(&all, "request"), "the request span");
    assert!(contains(&all, "lock"), "the request span's API");
    assert!(contains(&all, "field"), "a resolver span");
    assert!(contains(&all, "LockStatus"), "the resolved field's type");
    Ok(())
}
