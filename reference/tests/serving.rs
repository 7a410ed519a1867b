//! Production serving: the GraphQL-over-HTTP media types and statuses, persisted queries,
//! `/metrics`, and readiness during start-up and shutdown.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, RateLimits, RunningServer, start};
use shopql_server_stubs::persisted::sha256_hex;
use shopql_server_stubs::{AllowList, PersistedQueries};

const CURRENT: &str = "application/graphql-response+json";
const SELLER: &str = "Bearer demo-seller-key";

async fn server(configure: impl FnOnce(&mut Config)) -> (RunningServer, TestDatabase) {
    let db = TestDatabase::sqlite();
    let mut config = Config {
        rate_limits: RateLimits::off(),
        ..Config::for_tests(&db.url)
    };
    configure(&mut config);
    (start(config).await.unwrap(), db)
}

/// POSTs `body` to the marketplace API with `accept`; status, content type and JSON body.
async fn post(
    server: &RunningServer,
    accept: Option<&str>,
    body: Value,
) -> (StatusCode, String, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/marketplace/graphql", server.base_url()))
        .header("authorization", SELLER)
        .json(&body);
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let ty = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ty, resp.json().await.unwrap_or(Value::Null))
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn media_types_and_statuses_follow_graphql_over_http() {
    let (server, _db) = server(|_| {}).await;
    let preferred = Some("application/graphql-response+json, application/json;q=0.9");

    // Request errors: 400 and no `data` with the current type, 200 with legacy JSON.
    for (body, expected) in [
        (json!({ "query": "{ brands " }), "GRAPHQL_PARSE_FAILED"),
        (
            json!({ "query": "{ noSuchField }" }),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            json!({ "query": "query ($n: Int) { brands(first: $n) { nodes { id } } }", "variables": { "n": "ten" } }),
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ] {
        let (status, ty, answer) = post(&server, preferred, body.clone()).await;
        assert_eq!(
            (status, ty.as_str()),
            (StatusCode::BAD_REQUEST, CURRENT),
            "{answer}"
        );
        assert_eq!(code(&answer), expected, "{answer}");
        assert!(
            answer.get("data").is_none(),
            "a request error has no data: {answer}"
        );
        let (status, ty, answer) = post(&server, Some("application/json"), body).await;
        assert_eq!(
            (status, ty.as_str()),
            (StatusCode::OK, "application/json"),
            "{answer}"
        );
        assert_eq!(code(&answer), expected);
    }

    // A field error is not a request error: 200 with data, in both types.
    let field_error = json!({ "query": "{ node(id: \"nope\") { id } }" });
    let (status, ty, answer) = post(&server, preferred, field_error).await;
    assert_eq!((status, ty.as_str()), (StatusCode::OK, CURRENT), "{answer}");
    assert!(answer.get("data").is_some(), "{answer}");
    assert!(!answer["errors"][0]["path"].is_null(), "{answer}");

    // Success in the negotiated type; neither type acceptable is 406.
    let ok = json!({ "query": "{ __typename }" });
    let (status, ty, answer) = post(&server, preferred, ok.clone()).await;
    assert_eq!(
        (status, ty.as_str(), &answer["data"]["__typename"]),
        (StatusCode::OK, CURRENT, &json!("Query"))
    );
    let (status, _, _) = post(&server, Some("text/html"), ok).await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);

    // A POST without a JSON content type is 415.
    for content_type in [None, Some("text/plain")] {
        let mut req = reqwest::Client::new()
            .post(format!("{}/marketplace/graphql", server.base_url()))
            .body(r#"{"query":"{ __typename }"}"#);
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        assert_eq!(
            req.send().await.unwrap().status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }
    server.stop().await.unwrap();
}

fn persisted(query: Option<&str>, hash: &str) -> Value {
    let mut body =
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
    if let Some(q) = query {
        body["query"] = json!(q);
    }
    body
}

#[tokio::test]
async fn automatic_persisted_queries_miss_register_hit_and_mismatch() {
    let (server, _db) = server(|_| {}).await;
    let query = "query Brands { brands(first: 2) { nodes { name } } }";
    let hash = sha256_hex(query);

    let (_, _, miss) = post(&server, None, persisted(None, &hash)).await;
    assert_eq!(code(&miss), "PERSISTED_QUERY_NOT_FOUND", "{miss}");
    let (_, _, registered) = post(&server, None, persisted(Some(query), &hash)).await;
    assert!(registered["errors"].is_null(), "{registered}");
    let (_, _, hit) = post(&server, None, persisted(None, &hash)).await;
    assert_eq!(hit["data"], registered["data"], "{hit}");

    // GET with the hash alone, as a CDN would cache it.
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    let got: Value = reqwest::Client::new()
        .get(format!("{}/marketplace/graphql", server.base_url()))
        .query(&[("extensions", extensions.as_str())])
        .header("authorization", SELLER)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["data"], registered["data"], "{got}");

    let (_, _, mismatch) = post(&server, None, persisted(Some("{ __typename }"), &hash)).await;
    assert_eq!(
        code(&mismatch),
        "PERSISTED_QUERY_HASH_MISMATCH",
        "{mismatch}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn an_allow_list_runs_registered_operations_only() {
    let allowed = "query Brands { brands(first: 2) { nodes { name } } }";
    let list = AllowList::from_documents([allowed]);
    let (server, _db) =
        server(|c| c.persisted_queries = PersistedQueries::AllowList(Arc::new(list))).await;
    let (_, _, by_hash) = post(&server, None, persisted(None, &sha256_hex(allowed))).await;
    assert!(by_hash["data"]["brands"].is_object(), "{by_hash}");
    let (_, _, by_text) = post(&server, None, json!({ "query": allowed })).await;
    assert!(by_text["data"]["brands"].is_object(), "{by_text}");
    let (status, _, other) =
        post(&server, Some(CURRENT), json!({ "query": "{ __typename }" })).await;
    assert_eq!(code(&other), "PERSISTED_QUERY_NOT_ALLOWED", "{other}");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    server.stop().await.unwrap();
}

async fn metric(server: &RunningServer, line_start: &str) -> f64 {
    let text = reqwest::get(format!("{}/metrics", server.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_move_with_traffic() {
    let (server, _db) = server(|c| c.rate_limits = RateLimits::default()).await;
    let ops = r#"shopql_graphql_operations_total{api="marketplace",operation="Brands"}"#;
    let errors =
        r#"shopql_graphql_errors_total{api="marketplace",code="GRAPHQL_VALIDATION_FAILED"}"#;
    let (ops_before, errors_before) = (metric(&server, ops).await, metric(&server, errors).await);
    for _ in 0..3 {
        post(
            &server,
            None,
            json!({ "query": "query Brands { brands(first: 1) { nodes { id } } }" }),
        )
        .await;
    }
    post(&server, None, json!({ "query": "{ noSuchField }" })).await;
    assert_eq!(metric(&server, ops).await, ops_before + 3.0);
    assert_eq!(metric(&server, errors).await, errors_before + 1.0);
    let duration =
        r#"shopql_graphql_operation_duration_seconds_count{api="marketplace",operation="Brands"}"#;
    assert_eq!(metric(&server, duration).await, ops_before + 3.0);
    assert!(
        metric(
            &server,
            r#"shopql_db_pool_connections{pool="readers",state="idle"}"#
        )
        .await
            >= 1.0
    );
    // The demo data was written through the SQLite writer: its commits are counted, each
    // holding one write or more.
    let commits = metric(&server, "shopql_sqlite_commits_total ").await;
    let writes = metric(&server, "shopql_sqlite_committed_writes_total ").await;
    assert!(
        commits >= 1.0 && writes >= commits,
        "{commits} commits, {writes} writes"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn without_metrics_nothing_is_served_at_metrics() {
    let (server, _db) = server(|c| c.metrics = false).await;
    let (status, _, body) = post(
        &server,
        None,
        json!({ "query": "query Brands { brands(first: 1) { nodes { id } } }" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let scraped = reqwest::get(format!("{}/metrics", server.base_url()))
        .await
        .unwrap();
    assert_eq!(scraped.status(), StatusCode::NOT_FOUND);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn readiness_goes_first_on_shutdown_while_requests_are_still_served() {
    let (server, _db) = server(|c| c.shutdown_delay = Duration::from_millis(1500)).await;
    let base = server.base_url();
    let status = |path: &'static str| {
        let url = format!("{base}{path}");
        async move { reqwest::get(url).await.map(|r| r.status()).ok() }
    };
    assert_eq!(status("/readyz").await, Some(StatusCode::OK));
    assert_eq!(status("/livez").await, Some(StatusCode::OK));
    let stopping = tokio::spawn(server.stop());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        status("/readyz").await,
        Some(StatusCode::SERVICE_UNAVAILABLE)
    );
    assert_eq!(
        status("/livez").await,
        Some(StatusCode::OK),
        "still serving while not ready"
    );
    stopping.await.unwrap().unwrap();
    assert_eq!(status("/livez").await, None, "stopped");
}

#[tokio::test]
async fn introspection_gives_the_schemas_own_description() {
    let (server, _db) = server(|_| {}).await;
    let query = "query { __schema { description } s: __schema { ...D } } \
                 fragment D on __Schema { d: description queryType { name } }";
    let (_, _, answer) = post(&server, None, json!({ "query": query })).await;
    assert!(answer["errors"].is_null(), "{answer}");
    assert_eq!(
        answer["data"]["__schema"]["description"],
        Value::Null,
        "{answer}"
    );
    assert_eq!(answer["data"]["s"]["d"], Value::Null, "{answer}");
    assert_eq!(
        answer["data"]["s"]["queryType"]["name"], "Query",
        "{answer}"
    );
    server.stop().await.unwrap();
}

/// Every script and stylesheet the GraphiQL page loads comes from the server itself (no CDN),
/// gzipped for clients that accept it and plain for others; in production there is none.
#[tokio::test]
async fn graphiql_loads_its_assets_from_the_server() {
    let (running, _db) = server(|_| {}).await;
    let http = reqwest::Client::new();
    let base = running.base_url();
    for api in ["/client/graphql", "/demo/cart"] {
        let page = http
            .get(format!("{base}{api}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("GraphiQL"), "{page}");
        assert!(
            !page.contains("https://"),
            "nothing from another host: {page}"
        );
        let assets: Vec<&str> = page
            .split(['"', '\''])
            .filter(|s| s.starts_with(&format!("{api}/_graphiql/")))
            .collect();
        assert_eq!(assets.len(), 4, "{page}");
        for path in assets {
            let gz = http
                .get(format!("{base}{path}"))
                .header("accept-encoding", "gzip, deflate, br")
                .send()
                .await
                .unwrap();
            assert_eq!(gz.status(), StatusCode::OK, "{path}");
            assert_eq!(gz.headers()["content-encoding"], "gzip");
            assert!(
                gz.headers()["cache-control"]
                    .to_str()
                    .unwrap()
                    .contains("immutable")
            );
            let ty = gz.headers()["content-type"].to_str().unwrap().to_string();
            assert!(ty.starts_with(if path.ends_with(".css") {
                "text/css"
            } else {
                "text/javascript"
            }));
            let packed = gz.bytes().await.unwrap();
            assert_eq!(&packed[..2], &[0x1f, 0x8b], "gzip magic");
            let plain = http.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(plain.status(), StatusCode::OK);
            assert!(plain.headers().get("content-encoding").is_none());
            assert!(plain.bytes().await.unwrap().len() > packed.len());
        }
    }
    let missing = http
        .get(format!("{base}/client/graphql/_graphiql/nothing.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let (production, _db2) = server(|c| {
        c.production = true;
        c.demo = false;
        c.jwt_secret = Some("a-production-secret-of-at-least-32-bytes!".into());
    })
    .await;
    let off = http
        .get(format!(
            "{}/client/graphql/_graphiql/graphiql-3.8.3.min.js",
            production.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        off.status(),
        StatusCode::NOT_FOUND,
        "no GraphiQL in production"
    );
}
