//! Retries, request ids and persisted queries against a local server that fails on purpose:
//! refused connections, 503, 429 with `Retry-After`, timeouts, and Apollo's persisted-query
//! protocol (with and without server support).
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shopql_sdk::{Error, GraphqlClient, ReqwestTransport, RetryPolicy};

/// What the server does with the next request, before answering normally.
#[derive(Clone, Debug)]
enum Step {
    /// Answer with this status, `Retry-After` header and JSON body.
    Fail(u16, Option<&'static str>, Value),
    /// Wait this long, then answer normally.
    Sleep(Duration),
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    request_id: Option<String>,
    /// `query`, `operationName`, `variables`, `extensions`, from the body or the URL.
    request: Value,
}

#[derive(Default)]
struct Server {
    script: Mutex<VecDeque<Step>>,
    seen: Mutex<Vec<Seen>>,
    /// Persisted queries by hash; `None` for a server without the protocol.
    store: Option<Mutex<HashMap<String, String>>>,
    /// Answer every GET with an HTML page, as a server that serves GraphiQL there does.
    html_on_get: bool,
}

impl Server {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
    fn script(&self, steps: impl IntoIterator<Item = Step>) {
        self.script.lock().unwrap().extend(steps);
    }
}

fn graphql_error(status: u16, message: &str, code: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap();
    (
        status,
        axum::Json(json!({"errors": [{"message": message, "extensions": {"code": code}}]})),
    )
        .into_response()
}

async fn handle(
    State(server): State<Arc<Server>>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: Value = if method == Method::GET {
        let mut object = serde_json::Map::new();
        let url = format!("http://x/?{}", query.unwrap_or_default());
        for (key, value) in reqwest::Url::parse(&url).unwrap().query_pairs() {
            let value = match key.as_ref() {
                "variables" | "extensions" => serde_json::from_str(&value).unwrap(),
                _ => Value::from(value.into_owned()),
            };
            object.insert(key.into_owned(), value);
        }
        Value::Object(object)
    } else {
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    };
    server.seen.lock().unwrap().push(Seen {
        method,
        request_id: headers
            .get("x-request-id")
            .map(|v| v.to_str().unwrap().to_owned()),
        request: request.clone(),
    });
    if server.html_on_get && server.seen.lock().unwrap().last().unwrap().method == Method::GET {
        return (
            [("content-type", "text/html")],
            "<!DOCTYPE html><html>GraphiQL</html>",
        )
            .into_response();
    }
    let step = server.script.lock().unwrap().pop_front();
    match step {
        Some(Step::Fail(status, retry_after, body)) => {
            let mut response =
                (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response();
            if let Some(after) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", after.parse().unwrap());
            }
            return response;
        }
        Some(Step::Sleep(duration)) => tokio::time::sleep(duration).await,
        None => {}
    }
    let mut text = request["query"].as_str().map(str::to_owned);
    let hash = request["extensions"]["persistedQuery"]["sha256Hash"]
        .as_str()
        .map(str::to_owned);
    // A server that does not know the protocol ignores the extension.
    if let (Some(store), Some(hash)) = (&server.store, hash) {
        match &text {
            Some(text) => {
                if hex::encode(Sha256::digest(text.as_bytes())) != hash {
                    return graphql_error(400, "provided sha does not match query", "BAD_REQUEST");
                }
                store.lock().unwrap().insert(hash, text.clone());
            }
            None => match store.lock().unwrap().get(&hash) {
                Some(known) => text = Some(known.clone()),
                None => {
                    return graphql_error(
                        200,
                        "PersistedQueryNotFound",
                        "PERSISTED_QUERY_NOT_FOUND",
                    );
                }
            },
        }
    }
    let Some(text) = text else {
        return graphql_error(400, "Missing query", "BAD_REQUEST");
    };
    axum::Json(json!({"data": {"echo": {"query": text, "variables": request["variables"]}}}))
        .into_response()
}

async fn serve_on(listener: tokio::net::TcpListener, server: Arc<Server>) {
    let app = Router::new()
        .route("/graphql", any(handle))
        .with_state(server);
    axum::serve(listener, app).await.unwrap();
}

/// A server with the persisted-query protocol when `apq`; returns it and its endpoint.
async fn start(apq: bool) -> (Arc<Server>, String) {
    start_with(Server {
        store: apq.then(Mutex::default),
        ..Server::default()
    })
    .await
}

async fn start_with(server: Server) -> (Arc<Server>, String) {
    let server = Arc::new(server);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(serve_on(listener, server.clone()));
    (server, format!("http://{address}/graphql"))
}

const QUERY: &str = "query Echo($n: Int) { echo(n: $n) }";
const MUTATION: &str = "mutation Bump($n: Int) { bump(n: $n) }";

/// Fast retries, so that the tests take milliseconds, not seconds.
fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .delays(Duration::from_millis(10), Duration::from_millis(50))
        .max_attempts(3)
}

async fn echo(client: &GraphqlClient, document: &str, name: &str) -> Result<Value, Error> {
    client
        .execute_data::<_, Value>(document, name, &json!({"n": 1}))
        .await
}

fn unavailable() -> Step {
    Step::Fail(503, None, json!({"message": "deploying"}))
}

fn rate_limited(after: &'static str) -> Step {
    Step::Fail(
        429,
        Some(after),
        json!({"errors": [{"message": "Too many requests", "extensions": {"code": "RATE_LIMITED", "retryAfter": 1}}]}),
    )
}

#[tokio::test]
async fn queries_are_retried_after_503_with_one_request_id() {
    let (server, url) = start(false).await;
    server.script([unavailable(), unavailable()]);
    let client = GraphqlClient::new(url).retry(quick());
    let data = echo(&client, QUERY, "Echo").await.unwrap();
    assert_eq!(data["echo"]["query"], QUERY);
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    let id = seen[0].request_id.clone().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert!(seen.iter().all(|s| s.request_id.as_deref() == Some(&*id)));

    // Each call has a new id.
    echo(&client, QUERY, "Echo").await.unwrap();
    assert_ne!(server.seen()[3].request_id.as_deref(), Some(&*id));
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_error_carries_status_and_id() {
    let (server, url) = start(false).await;
    server.script(vec![unavailable(); 5]);
    let client = GraphqlClient::new(url).retry(quick()).request_id("req-42");
    let error = echo(&client, QUERY, "Echo").await.unwrap_err();
    assert_eq!(server.seen().len(), 3);
    assert!(
        matches!(error, Error::Status { status: 503, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(error.request_id(), Some("req-42"));
    assert!(error.to_string().contains("[request id req-42]"), "{error}");
    assert!(
        server
            .seen()
            .iter()
            .all(|s| s.request_id.as_deref() == Some("req-42"))
    );
}

#[tokio::test]
async fn retries_can_be_turned_off() {
    let (server, url) = start(false).await;
    server.script([unavailable()]);
    let client = GraphqlClient::new(url).retry(RetryPolicy::never());
    let error = echo(&client, QUERY, "Echo").await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn mutations_are_not_retried_after_503() {
    let (server, url) = start(false).await;
    server.script([unavailable(), unavailable()]);
    let client = GraphqlClient::new(url).retry(quick().mutations(true));
    let error = echo(&client, MUTATION, "Bump").await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(
        server.seen().len(),
        1,
        "a 503 may come after the mutation ran"
    );
}

#[tokio::test]
async fn rate_limits_keep_status_and_retry_after_and_are_honoured() {
    let (server, url) = start(false).await;
    // Without retries: the caller sees everything it needs to retry by itself.
    server.script([rate_limited("1")]);
    let once = GraphqlClient::new(url.clone()).retry(RetryPolicy::never());
    let error = echo(&once, QUERY, "Echo").await.unwrap_err();
    assert_eq!(error.code(), Some("RATE_LIMITED"));
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
    assert!(error.is_retryable());
    assert!(error.request_id().is_some());
    assert!(error.to_string().contains("(HTTP 429)"), "{error}");

    // With retries the client waits the Retry-After (1 s), not its own 10 ms.
    server.script([rate_limited("1")]);
    let client = GraphqlClient::new(url.clone()).retry(quick());
    let started = Instant::now();
    let result = echo(&client, QUERY, "Echo").await;
    assert!(
        result.is_ok(),
        "{result:?} after {} requests",
        server.seen().len()
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    // A 429 means nothing ran: a mutation is retried too, once mutations are allowed.
    server.script([rate_limited("0")]);
    let mutations = GraphqlClient::new(url.clone()).retry(quick().mutations(true));
    echo(&mutations, MUTATION, "Bump").await.unwrap();
    // Not by default.
    server.script([rate_limited("0")]);
    let error = echo(&client, MUTATION, "Bump").await.unwrap_err();
    assert_eq!(error.status(), Some(429));
    assert_eq!(server.seen().len(), 6);
}

#[tokio::test]
async fn a_retry_after_past_the_time_budget_fails_at_once() {
    let (server, url) = start(false).await;
    server.script([rate_limited("3600")]);
    let client = GraphqlClient::new(url).retry(quick().max_elapsed(Duration::from_secs(5)));
    let started = Instant::now();
    let error = echo(&client, QUERY, "Echo").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn refused_connections_are_retried_until_the_server_is_up() {
    // A port nobody listens on, until the server starts on it 300 ms later.
    let address: SocketAddr = {
        let probe = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        probe.local_addr().unwrap()
    };
    let server = Arc::new(Server::default());
    let late = server.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let listener = tokio::net::TcpListener::bind(address).await.unwrap();
        serve_on(listener, late).await;
    });
    let url = format!("http://{address}/graphql");

    // Without mutation retries, a refused mutation fails at once.
    let client = GraphqlClient::new(url.clone()).retry(quick());
    let error = echo(&client, MUTATION, "Bump").await.unwrap_err();
    assert!(
        matches!(&error, Error::Transport(e) if e.is_connect()),
        "{error:?}"
    );
    assert!(error.request_id().is_some());

    // Queries (and mutations, when allowed: nothing was sent) wait for the server.
    let patient = quick()
        .max_attempts(20)
        .delays(Duration::from_millis(50), Duration::from_millis(100));
    let client = GraphqlClient::new(url.clone()).retry(patient.clone());
    echo(&client, QUERY, "Echo").await.unwrap();
    let mutations = GraphqlClient::new(url).retry(patient.mutations(true));
    echo(&mutations, MUTATION, "Bump").await.unwrap();
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn timeouts_are_retried_for_queries_only() {
    let (server, url) = start(false).await;
    let transport = ReqwestTransport::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let client =
        GraphqlClient::with_transport(url, Arc::new(transport)).retry(quick().mutations(true));
    server.script([Step::Sleep(Duration::from_secs(2))]);
    echo(&client, QUERY, "Echo").await.unwrap();
    assert_eq!(server.seen().len(), 2);

    // The mutation may have run before the timeout: not sent again.
    server.script([Step::Sleep(Duration::from_secs(2))]);
    let error = echo(&client, MUTATION, "Bump").await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn persisted_queries_send_the_hash_and_the_text_only_on_a_miss() {
    let (server, url) = start(true).await;
    let client = GraphqlClient::new(url).persisted_queries(true);
    let hash = hex::encode(Sha256::digest(QUERY.as_bytes()));

    let data = echo(&client, QUERY, "Echo").await.unwrap();
    assert_eq!(data["echo"]["query"], QUERY);
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "miss, then the text");
    assert_eq!(seen[0].request["query"], Value::Null);
    assert_eq!(
        seen[0].request["extensions"],
        json!({"persistedQuery": {"version": 1, "sha256Hash": hash}})
    );
    assert_eq!(seen[1].request["query"], QUERY);
    assert_eq!(seen[1].request["extensions"], seen[0].request["extensions"]);
    assert_eq!(seen[0].request_id, seen[1].request_id);

    // A hit: the hash alone, one request.
    let data = echo(&client, QUERY, "Echo").await.unwrap();
    assert_eq!(data["echo"]["variables"], json!({"n": 1}));
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[2].request["query"], Value::Null);
    assert_eq!(seen[2].method, Method::POST);
}

#[tokio::test]
async fn queries_can_go_as_get_and_mutations_stay_post() {
    let (server, url) = start(true).await;
    let client = GraphqlClient::new(url)
        .persisted_queries(true)
        .get_for_queries(true);
    echo(&client, QUERY, "Echo").await.unwrap();
    echo(&client, QUERY, "Echo").await.unwrap();
    let data = echo(&client, MUTATION, "Bump").await.unwrap();
    assert_eq!(data["echo"]["query"], MUTATION);
    let seen = server.seen();
    let methods: Vec<&Method> = seen.iter().map(|s| &s.method).collect();
    assert_eq!(
        methods,
        [
            &Method::GET,
            &Method::GET,
            &Method::GET,
            &Method::POST,
            &Method::POST
        ]
    );
    // The hit is a short, cacheable URL: the hash and the variables, no text.
    assert_eq!(seen[2].request["query"], Value::Null);
    assert_eq!(seen[2].request["variables"], json!({"n": 1}));
    assert_eq!(seen[2].request["operationName"], "Echo");
}

#[tokio::test]
async fn get_without_persisted_queries_carries_the_text() {
    let (server, url) = start(false).await;
    let client = GraphqlClient::new(url).get_for_queries(true);
    echo(&client, QUERY, "Echo").await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, Method::GET);
    assert_eq!(seen[0].request["query"], QUERY);
    assert_eq!(seen[0].request["extensions"], Value::Null);
}

#[tokio::test]
async fn a_server_without_persisted_queries_still_gets_every_operation() {
    let (server, url) = start(false).await;
    let client = GraphqlClient::new(url).persisted_queries(true);
    assert_eq!(
        echo(&client, QUERY, "Echo").await.unwrap()["echo"]["query"],
        QUERY
    );
    assert_eq!(server.seen().len(), 2);
    // Learned once per client (and its clones): the text from now on, no hash-only attempt.
    let clone = client.clone();
    echo(&clone, QUERY, "Echo").await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[2].request["query"], QUERY);
}

#[tokio::test]
async fn a_server_without_graphql_over_get_gets_posts() {
    let (server, url) = start_with(Server {
        html_on_get: true,
        ..Server::default()
    })
    .await;
    let client = GraphqlClient::new(url)
        .get_for_queries(true)
        .persisted_queries(true);
    assert_eq!(
        echo(&client, QUERY, "Echo").await.unwrap()["echo"]["query"],
        QUERY
    );
    echo(&client, QUERY, "Echo").await.unwrap();
    let methods: Vec<Method> = server.seen().into_iter().map(|s| s.method).collect();
    // GET refused (HTML), then POST with the hash (refused: no persisted queries), then the
    // text; the second call goes straight to a POST with the text.
    assert_eq!(
        methods,
        [Method::GET, Method::POST, Method::POST, Method::POST]
    );
}
