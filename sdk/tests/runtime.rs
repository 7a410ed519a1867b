//! The SDK runtime against a local axum server (no external network) and an in-memory
//! transport.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response as AxumResponse};
use axum::routing::post;
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shopql_sdk::pagination::{self, Page};
use shopql_sdk::scalars::Decimal;
use shopql_sdk::{
    Error, ErrorLocation, GraphqlClient, GraphqlOperation, HttpRequest, HttpResponse, Maybe,
    PathSegment, ReqwestTransport, Transport, TransportError, TransportErrorKind, auth,
};

// ------------------------------------------------------------------------------------------
// The stub server
// ------------------------------------------------------------------------------------------

/// Answers by `operationName`; see each arm.
async fn graphql(headers: HeaderMap, body: Bytes) -> AxumResponse {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let name = request["operationName"].as_str().unwrap_or("").to_owned();
    let ok = |value: Value| (StatusCode::OK, axum::Json(value)).into_response();
    match name.as_str() {
        // Echoes the request: headers (lower-case names) and the parsed body.
        "Echo" => {
            let headers: BTreeMap<String, String> = headers
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
                .collect();
            ok(json!({"data": {"echo": {"headers": headers, "body": request}}}))
        }
        "GetCart" => ok(json!({"data": {"cart": {
            "id": "c1",
            "items": [
                {"sku": "robot-pink-standard", "quantity": 2, "price": 29.99},
                {"sku": "robot-red-standard", "quantity": 1, "price": "49.99"}
            ]
        }}})),
        "BadType" => ok(json!({"data": {"cart": {
            "id": "c1",
            "items": [{"sku": "a", "quantity": "two", "price": 1}]
        }}})),
        "Failing" => ok(json!({
            "data": null,
            "errors": [
                {
                    "message": "Cart not found",
                    "locations": [{"line": 1, "column": 17}],
                    "path": ["cart"],
                    "extensions": {"code": "NOT_FOUND"}
                },
                {"message": "second problem"}
            ]
        })),
        "Partial" => ok(json!({
            "data": {"cart": {"id": "c1", "items": null}},
            "errors": [{
                "message": "price service down",
                "path": ["cart", "items", 0, "price"],
                "extensions": {"code": "INTERNAL"}
            }]
        })),
        "BadRequest" => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"errors": [{
                "message": "Unknown field \"nope\" on type \"Query\".",
                "locations": [{"line": 1, "column": 3}],
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}
            }]})),
        )
            .into_response(),
        "Unauthorized" => (StatusCode::UNAUTHORIZED, "API Token has expired").into_response(),
        "Broken" => (
            StatusCode::BAD_GATEWAY,
            [("content-type", "text/html")],
            "<html><body>502 Bad Gateway</body></html>",
        )
            .into_response(),
        "Empty" => ok(json!({})),
        "Slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            ok(json!({"data": {"slow": true}}))
        }
        // Relay pages of 2 brands, 3 pages in all; the cursor is the page index.
        "Brands" => {
            let page: usize = request["variables"]["after"]
                .as_str()
                .map(|cursor| cursor.trim_start_matches("cursor-").parse().unwrap())
                .unwrap_or(0);
            let nodes: Vec<Value> = (0..2)
                .map(|i| json!({"id": format!("Brand-{}", page * 2 + i), "name": format!("B{}", page * 2 + i)}))
                .collect();
            ok(json!({"data": {"brands": {
                "nodes": nodes,
                "pageInfo": {"hasNextPage": page < 2, "endCursor": format!("cursor-{}", page + 1)}
            }}}))
        }
        _ => ok(json!({"errors": [{"message": format!("unknown operation {name:?}")}]})),
    }
}

/// `POST /{tenant}/auth/token` like the shop API's.
async fn token(
    axum::extract::Path(tenant): axum::extract::Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AxumResponse {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if tenant != "demo"
        || header(auth::ACCESS_TOKEN_ID_HEADER) != "demo-access-id"
        || header(auth::ACCESS_TOKEN_SECRET_HEADER) != "demo-access-secret"
    {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"success": false, "error": "Invalid access token id or secret"})),
        )
            .into_response();
    }
    let body: Value = serde_json::from_slice(&body).unwrap();
    let scopes: Vec<&str> = body["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    if scopes
        .iter()
        .any(|s| !["cart", "cart:admin", "lock", "usage"].contains(s))
    {
        return axum::Json(json!({"success": false, "error": "Unknown scope"})).into_response();
    }
    let token = format!("jwt:{}:{}", scopes.join(","), body["expiresIn"]);
    axum::Json(json!({"success": true, "token": token})).into_response()
}

/// Starts the stub server on an ephemeral port; returns its base URL.
async fn serve() -> String {
    let app = Router::new()
        .route("/graphql", post(graphql))
        .route("/{tenant}/auth/token", post(token));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

async fn client() -> GraphqlClient {
    GraphqlClient::new(format!("{}/graphql", serve().await))
}

// ------------------------------------------------------------------------------------------
// Types as the generator would write them
// ------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, PartialEq)]
struct CartData {
    cart: Cart,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Cart {
    id: String,
    items: Vec<Item>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Item {
    sku: String,
    quantity: i32,
    price: Decimal,
}

#[derive(Debug, Deserialize)]
struct EchoData {
    echo: Echo,
}

#[derive(Debug, Deserialize)]
struct Echo {
    headers: BTreeMap<String, String>,
    body: Value,
}

const ECHO: &str = "query Echo { echo }";

// ------------------------------------------------------------------------------------------
// Requests
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn sends_headers_bearer_and_content_type() {
    let client = client()
        .await
        .header(auth::CLIENT_ORIGIN_HEADER, "www.my-vinyl-store.com")
        .header("x-extra", "1")
        .bearer("s3cret");
    let echo: EchoData = client.execute_data(ECHO, "Echo", &json!({})).await.unwrap();
    let headers = echo.echo.headers;
    assert_eq!(headers["commonground-origin"], "www.my-vinyl-store.com");
    assert_eq!(headers["x-extra"], "1");
    assert_eq!(headers["authorization"], "Bearer s3cret");
    assert_eq!(headers["content-type"], "application/json");
    assert!(headers["accept"].contains("application/json"));
    assert!(headers["user-agent"].starts_with("shopql-sdk/"));

    // set_bearer(None) on a clone removes the header there only.
    let mut anonymous = client.clone();
    anonymous.set_bearer(None);
    let echo: EchoData = anonymous
        .execute_data(ECHO, "Echo", &json!({}))
        .await
        .unwrap();
    assert!(!echo.echo.headers.contains_key("authorization"));
    assert_eq!(client.bearer_token(), Some("s3cret"));
}

#[tokio::test]
async fn sends_query_operation_name_and_variables() {
    let client = client().await;
    let echo: EchoData = client
        .execute_data(ECHO, "Echo", &json!({"id": "c1", "n": 2}))
        .await
        .unwrap();
    assert_eq!(
        echo.echo.body,
        json!({"query": ECHO, "operationName": "Echo", "variables": {"id": "c1", "n": 2}})
    );
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct UpdateInput {
    id: String,
    #[serde(default, skip_serializing_if = "::shopql_sdk::Maybe::is_absent")]
    comment: Maybe<String>,
    #[serde(default, skip_serializing_if = "::shopql_sdk::Maybe::is_absent")]
    purchase_order_number: Maybe<String>,
    #[serde(default, skip_serializing_if = "::shopql_sdk::Maybe::is_absent")]
    price: Maybe<Decimal>,
}

#[tokio::test]
async fn maybe_fields_are_absent_null_or_value() {
    let client = client().await;
    let input = UpdateInput {
        id: "c1".into(),
        comment: Maybe::Null,
        purchase_order_number: Maybe::Absent,
        price: Maybe::Value("777.00".parse().unwrap()),
    };
    let echo: EchoData = client
        .execute_data(ECHO, "Echo", &json!({"input": input}))
        .await
        .unwrap();
    let sent = &echo.echo.body["variables"]["input"];
    assert_eq!(sent, &json!({"id": "c1", "comment": null, "price": 777}));
    assert!(
        sent.as_object()
            .unwrap()
            .get("purchaseOrderNumber")
            .is_none()
    );
}

// ------------------------------------------------------------------------------------------
// Responses
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn decodes_data_with_exact_decimals() {
    let client = client().await;
    let data: CartData = client
        .execute_data("query GetCart { cart }", "GetCart", &())
        .await
        .unwrap();
    assert_eq!(data.cart.id, "c1");
    assert_eq!(data.cart.items[0].sku, "robot-pink-standard");
    assert_eq!(data.cart.items[0].quantity, 2);
    assert_eq!(data.cart.items[0].price, Decimal::new(2999, 2));
    assert_eq!(data.cart.items[1].price, Decimal::new(4999, 2));

    let response = client
        .execute::<_, CartData>("query GetCart { cart }", "GetCart", &())
        .await
        .unwrap();
    assert!(response.errors.is_empty());
    assert_eq!(response.data.unwrap(), data);
}

#[tokio::test]
async fn graphql_errors_keep_code_locations_and_path() {
    let client = client().await;
    let error = client
        .execute_data::<_, CartData>("query Failing { cart }", "Failing", &())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("NOT_FOUND"));
    // The request id the SDK generated closes the message.
    let id = error.request_id().unwrap().to_owned();
    assert_eq!(
        error.to_string(),
        format!(
            "GraphQL error: Cart not found [NOT_FOUND] (at cart) (and 1 more) [request id {id}]"
        )
    );
    let Error::Graphql { errors, data, .. } = error else {
        panic!("expected Error::Graphql");
    };
    assert_eq!(data, None);
    assert_eq!(errors.len(), 2);
    assert_eq!(
        errors[0].locations,
        vec![ErrorLocation {
            line: 1,
            column: 17
        }]
    );
    assert_eq!(errors[0].path, vec![PathSegment::Field("cart".into())]);
    assert_eq!(errors[1].code(), None);

    // `execute` returns the same errors as a response.
    let response = client
        .execute::<_, CartData>("query Failing { cart }", "Failing", &())
        .await
        .unwrap();
    assert!(response.data.is_none());
    assert_eq!(response.errors.len(), 2);
}

#[tokio::test]
async fn partial_data_is_surfaced_with_errors() {
    let client = client().await;
    let error = client
        .execute_data::<_, CartData>("query Partial { cart }", "Partial", &())
        .await
        .unwrap_err();
    match &error {
        Error::Graphql { errors, data, .. } => {
            assert_eq!(
                data.as_ref().unwrap(),
                &json!({"cart": {"id": "c1", "items": null}})
            );
            assert_eq!(
                errors[0].path,
                vec![
                    PathSegment::Field("cart".into()),
                    PathSegment::Field("items".into()),
                    PathSegment::Index(0),
                    PathSegment::Field("price".into()),
                ]
            );
            assert_eq!(errors[0].path_string(), "cart.items[0].price");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(error.code(), Some("INTERNAL"));

    // A type that fits the partial data gets it, next to the errors.
    #[derive(Debug, Deserialize)]
    struct PartialCart {
        id: String,
        items: Option<Vec<Value>>,
    }
    #[derive(Debug, Deserialize)]
    struct PartialData {
        cart: PartialCart,
    }
    let response = client
        .execute::<_, PartialData>("query Partial { cart }", "Partial", &())
        .await
        .unwrap();
    let data = response.data.unwrap();
    assert_eq!((data.cart.id.as_str(), data.cart.items), ("c1", None));
    assert_eq!(response.errors[0].code(), Some("INTERNAL"));

    // A type that does not fit: the errors explain, the data is dropped.
    let response = client
        .execute::<_, CartData>("query Partial { cart }", "Partial", &())
        .await
        .unwrap();
    assert!(response.data.is_none() && response.errors.len() == 1);
}

#[tokio::test]
async fn non_2xx_with_graphql_body_is_a_graphql_error() {
    let client = client().await;
    let error = client
        .execute_data::<_, Value>("{ nope }", "BadRequest", &())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Graphql { .. }), "{error:?}");
    assert_eq!(error.code(), Some("GRAPHQL_VALIDATION_FAILED"));
    let response = client
        .execute::<_, Value>("{ nope }", "BadRequest", &())
        .await
        .unwrap();
    assert_eq!(response.errors[0].locations[0].line, 1);
}

#[tokio::test]
async fn non_2xx_without_graphql_body_is_a_status_error() {
    let client = client().await;
    let error = client
        .execute_data::<_, Value>("{ a }", "Unauthorized", &())
        .await
        .unwrap_err();
    match &error {
        Error::Status { status, body, .. } => {
            assert_eq!((*status, body.as_str()), (401, "API Token has expired"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        error.to_string().contains("check the credentials"),
        "{error}"
    );
    assert_eq!(error.status(), Some(401));

    let error = client
        .execute::<_, Value>("{ a }", "Broken", &())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Status { status: 502, body, .. } if body.contains("Bad Gateway")),
        "{error:?}"
    );
}

#[tokio::test]
async fn empty_response_is_no_data() {
    let client = client().await;
    let error = client
        .execute_data::<_, Value>("{ a }", "Empty", &())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NoData { .. }), "{error:?}");
}

#[tokio::test]
async fn decode_error_names_the_json_path() {
    let client = client().await;
    let error = client
        .execute_data::<_, CartData>("query BadType { cart }", "BadType", &())
        .await
        .unwrap_err();
    match &error {
        Error::Decode { path, message, .. } => {
            assert_eq!(path, "data.cart.items[0].quantity");
            assert!(message.contains("invalid type"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        error
            .to_string()
            .starts_with("could not decode the response at `data.cart.items[0].quantity`"),
        "{error}"
    );
    // The same through `execute`, since there are no GraphQL errors to explain it.
    let error = client
        .execute::<_, CartData>("query BadType { cart }", "BadType", &())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode { .. }));
}

#[tokio::test]
async fn encode_error_for_unserializable_variables() {
    let client = client().await;
    let mut variables = BTreeMap::new();
    variables.insert(vec![1u8], 1); // a map key JSON cannot hold
    let error = client
        .execute_data::<_, Value>(ECHO, "Echo", &variables)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Encode(_)), "{error:?}");
}

// ------------------------------------------------------------------------------------------
// Transport
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn request_timeout_is_reported() {
    let base = serve().await;
    let transport = ReqwestTransport::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let client = GraphqlClient::with_transport(format!("{base}/graphql"), Arc::new(transport))
        .retry(shopql_sdk::RetryPolicy::never());
    let started = std::time::Instant::now();
    let error = client
        .execute_data::<_, Value>("{ slow }", "Slow", &())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(error.is_timeout(), "{error:?}");
    match &error {
        Error::Transport(transport) => assert_eq!(transport.kind(), TransportErrorKind::Timeout),
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.to_string().contains("timed out"), "{error}");
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client = GraphqlClient::new(format!("http://{address}/graphql"))
        .retry(shopql_sdk::RetryPolicy::never());
    let error = client
        .execute_data::<_, Value>("{ a }", "", &())
        .await
        .unwrap_err();
    match &error {
        Error::Transport(transport) => {
            assert_eq!(transport.kind(), TransportErrorKind::Connect, "{transport}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn reqwest_transport_from_existing_client() {
    let base = serve().await;
    let transport = ReqwestTransport::from_client(reqwest::Client::new());
    let client = GraphqlClient::with_transport(format!("{base}/graphql"), Arc::new(transport));
    let echo: EchoData = client.execute_data(ECHO, "Echo", &json!({})).await.unwrap();
    assert_eq!(echo.echo.body["operationName"], "Echo");
}

/// An in-memory transport: records requests, answers from a queue.
#[derive(Debug, Default)]
struct Recorder {
    requests: Mutex<Vec<HttpRequest>>,
    responses: Mutex<Vec<Result<HttpResponse, TransportError>>>,
}

#[async_trait::async_trait]
impl Transport for Recorder {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.requests.lock().unwrap().push(request);
        self.responses.lock().unwrap().remove(0)
    }
}

struct AcquireLock;

#[derive(Serialize)]
struct AcquireLockVariables {
    key: String,
    #[serde(skip_serializing_if = "Maybe::is_absent")]
    ttl: Maybe<i32>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct AcquireLockData {
    acquire: bool,
}

impl GraphqlOperation for AcquireLock {
    type Variables = AcquireLockVariables;
    type Data = AcquireLockData;
    const QUERY: &'static str =
        "mutation AcquireLock($key: String!, $ttl: Int) { acquire(key: $key, ttl: $ttl) }";
    const OPERATION_NAME: &'static str = "AcquireLock";
}

#[tokio::test]
async fn in_memory_transport_replaces_the_network() {
    let recorder = Arc::new(Recorder::default());
    recorder.responses.lock().unwrap().extend([
        Ok(HttpResponse::json(200, &json!({"data": {"acquire": true}}))),
        Ok(HttpResponse::json(
            200,
            &json!({"data": {"acquire": false}, "extensions": {"cost": 1}}),
        )),
        Err(TransportError::connect("no route to host")),
    ]);
    let client = GraphqlClient::with_transport("memory://lock", recorder.clone()).bearer("t");
    assert_eq!(client.url(), "memory://lock");

    let variables = AcquireLockVariables {
        key: "cart:1".into(),
        ttl: Maybe::Absent,
    };
    let data = client.run::<AcquireLock>(&variables).await.unwrap();
    assert_eq!(data, AcquireLockData { acquire: true });
    let response = client
        .run_response::<AcquireLock>(&variables)
        .await
        .unwrap();
    assert_eq!(response.data, Some(AcquireLockData { acquire: false }));
    assert_eq!(response.extensions.unwrap()["cost"], 1);
    let error = client.run::<AcquireLock>(&variables).await.unwrap_err();
    assert!(
        matches!(&error, Error::Transport(e) if e.is_connect()),
        "{error:?}"
    );

    let requests = recorder.requests.lock().unwrap();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].url, "memory://lock");
    assert_eq!(requests[0].header("authorization"), Some("Bearer t"));
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body,
        json!({
            "query": AcquireLock::QUERY,
            "operationName": "AcquireLock",
            "variables": {"key": "cart:1"}
        })
    );
}

// ------------------------------------------------------------------------------------------
// Auth
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn shop_token_success() {
    let base = serve().await;
    let token = auth::shop_token(
        &base,
        "demo",
        "demo-access-id",
        "demo-access-secret",
        &["cart", "cart:admin"],
        18000,
    )
    .await
    .unwrap();
    assert_eq!(token, "jwt:cart,cart:admin:18000");

    // Over a client's transport.
    let client = GraphqlClient::new(format!("{base}/graphql"));
    let token = auth::shop_token_with(
        client.transport().as_ref(),
        &format!("{base}/"),
        "demo",
        "demo-access-id",
        "demo-access-secret",
        &["lock"],
        60,
    )
    .await
    .unwrap();
    assert_eq!(token, "jwt:lock:60");
}

#[tokio::test]
async fn shop_token_failures_carry_the_server_message() {
    let base = serve().await;
    let error = auth::shop_token(&base, "demo", "demo-access-id", "wrong", &["cart"], 60)
        .await
        .unwrap_err();
    match &error {
        Error::Status { status, body, .. } => {
            assert_eq!(
                (*status, body.as_str()),
                (401, "Invalid access token id or secret")
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        error
            .to_string()
            .ends_with(": Invalid access token id or secret"),
        "{error}"
    );
    let error = auth::shop_token(
        &base,
        "demo",
        "demo-access-id",
        "demo-access-secret",
        &["pim"],
        60,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&error, Error::Status { status: 200, body, .. } if body == "Unknown scope"),
        "{error:?}"
    );
}

#[test]
fn base64_for_client_logins() {
    assert_eq!(
        auth::base64("buyer@example.com"),
        "YnV5ZXJAZXhhbXBsZS5jb20="
    );
    assert_eq!(auth::base64("demo-password"), "ZGVtby1wYXNzd29yZA==");
    assert_eq!(auth::CLIENT_ORIGIN_HEADER, "commonground-origin");
}

// ------------------------------------------------------------------------------------------
// Pagination
// ------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct BrandsData {
    brands: Connection,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    nodes: Vec<Brand>,
    page_info: PageInfo,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Brand {
    id: String,
    name: String,
}

#[tokio::test]
async fn pagination_streams_three_relay_pages() {
    let client = client().await;
    let calls = Arc::new(Mutex::new(Vec::new()));
    let stream = pagination::pages(|cursor: Option<String>| {
        let client = client.clone();
        let calls = calls.clone();
        async move {
            calls.lock().unwrap().push(cursor.clone());
            let data: BrandsData = client
                .execute_data(
                    "query Brands($after: String) { brands(first: 2, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } }",
                    "Brands",
                    &json!({"after": cursor}),
                )
                .await?;
            let info = data.brands.page_info;
            Ok(Page::relay(
                data.brands.nodes,
                info.has_next_page,
                info.end_cursor,
            ))
        }
    });
    let ids: Vec<String> = stream.map_ok(|brand| brand.id).try_collect().await.unwrap();
    assert_eq!(
        ids,
        [
            "Brand-0", "Brand-1", "Brand-2", "Brand-3", "Brand-4", "Brand-5"
        ]
    );
    assert_eq!(
        *calls.lock().unwrap(),
        vec![None, Some("cursor-1".into()), Some("cursor-2".into())]
    );
}

#[tokio::test]
async fn pagination_is_lazy_and_unpin() {
    let client = client().await;
    let calls = Arc::new(Mutex::new(0));
    let counter = calls.clone();
    let mut stream = pagination::pages(move |cursor: Option<String>| {
        let client = client.clone();
        let calls = counter.clone();
        async move {
            *calls.lock().unwrap() += 1;
            let data: BrandsData = client
                .execute_data(
                    "query Brands { brands }",
                    "Brands",
                    &json!({"after": cursor}),
                )
                .await?;
            let info = data.brands.page_info;
            Ok(Page::relay(
                data.brands.nodes,
                info.has_next_page,
                info.end_cursor,
            ))
        }
    });
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.name, "B0");
    let second = stream.next().await.unwrap().unwrap();
    assert_eq!(second.name, "B1");
    assert_eq!(
        *calls.lock().unwrap(),
        1,
        "the second page is fetched only when needed"
    );
    let third = stream.next().await.unwrap().unwrap();
    assert_eq!(third.name, "B2");
    assert_eq!(*calls.lock().unwrap(), 2);
    // The stream can move to another task.
    let rest = tokio::spawn(async move { stream.try_collect::<Vec<_>>().await.unwrap().len() });
    assert_eq!(rest.await.unwrap(), 3);
}
