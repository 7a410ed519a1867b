//! Helpers shared by the client API tests: a JSON-over-HTTP caller that sets the store header
//! and the bearer token, the example operations of `schemas/operations/client/`, and sign-in.
#![allow(dead_code, clippy::unwrap_used)]

use base64::Engine;
use futures::future::join_all;
use serde_json::{Value, json};
use shopql_reference::RunningServer;

/// The seed's vinyl store.
pub const VINYL: &str = "www.my-vinyl-store.com";
/// The demo book store.
pub const BOOKS: &str = "www.my-book-store.com";
/// The seed's listing (stock 3, second-hand).
pub const SEED_LISTING: i64 = 1_765_470_890_000;
/// "Midnight Frequencies", new copy: stock 10, £21.99.
pub const NEW_LISTING: i64 = 1_765_470_891_000;
/// "Midnight Frequencies", second-hand copy: stock 1, £14.50.
pub const USED_LISTING: i64 = 1_765_470_891_001;
/// "Northern Lights EP": out of stock.
pub const SOLD_OUT_LISTING: i64 = 1_765_470_892_000;
/// "Future Echoes": pre-order, stock 50.
pub const PREORDER_LISTING: i64 = 1_765_470_893_000;
/// "The Anthems Box": one per customer, stock 5, £89.00.
pub const ONE_PER_CUSTOMER_LISTING: i64 = 1_765_470_894_000;
/// "Bootleg Sessions": its item is forbidden for sale.
pub const FORBIDDEN_LISTING: i64 = 1_765_470_896_000;
/// A listing of the book store.
pub const BOOK_LISTING: i64 = 1_765_471_000_000;

/// Base64 of a plain string, as `login` and `register` take their arguments.
pub fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// An example operation document of `schemas/operations/client/`.
pub fn op(name: &str) -> String {
    let path = format!(
        "{}/../schemas/operations/client/{name}.graphql",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The variables printed beside an example operation.
pub fn vars(name: &str) -> Value {
    let path = format!(
        "{}/../schemas/operations/client/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// A caller of one server's client API.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    /// `http://addr/client/graphql`.
    pub url: String,
}

impl Api {
    /// A caller for `server`.
    pub fn new(server: &RunningServer) -> Self {
        // Internal errors are logged, not sent: show them in the test's output.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("error")
            .try_init();
        Self {
            http: reqwest::Client::new(),
            url: format!("{}/client/graphql", server.base_url()),
        }
    }

    /// A caller for the server at `base` (`http://host:port`), e.g. another process.
    pub fn at_base(base: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: format!("{base}/client/graphql"),
        }
    }

    /// POSTs a GraphQL request with `origin` (if any) and `token` (if any); the HTTP status and
    /// the JSON body.
    pub async fn raw(
        &self,
        origin: Option<&str>,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(o) = origin {
            req = req.header("commonground-origin", o);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }

    /// A request to the vinyl store.
    pub async fn vinyl(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.raw(Some(VINYL), token, query, variables).await.1
    }

    /// A request to `store`.
    pub async fn at(
        &self,
        store: &str,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Value {
        self.raw(Some(store), token, query, variables).await.1
    }

    /// Signs in to `store`; the JWT.
    pub async fn login(&self, store: &str, email: &str, password: &str) -> String {
        let body = self
            .at(
                store,
                None,
                &op("login"),
                json!({ "email": b64(email), "password": b64(password) }),
            )
            .await;
        ok(&body);
        body["data"]["login"]["session"]["jwt"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Signs the demo customer in to the vinyl store.
    pub async fn demo_login(&self) -> String {
        self.login(VINYL, "buyer@example.com", "demo-password")
            .await
    }

    /// Registers a new customer in `store`; the JWT.
    pub async fn register(&self, store: &str, email: &str) -> String {
        let body = self
            .at(
                store,
                None,
                "mutation R($e: String!, $p: String!) { register(email: $e, password: $p, firstName: \"Test\", lastName: \"Buyer\") { session { jwt } } }",
                json!({ "e": b64(email), "p": b64("test-password") }),
            )
            .await;
        ok(&body);
        body["data"]["register"]["session"]["jwt"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Creates a checkout in the vinyl store; its id.
    pub async fn new_checkout(&self, token: &str) -> String {
        let body = self
            .vinyl(Some(token), &op("checkout_create"), json!({}))
            .await;
        ok(&body);
        body["data"]["checkoutCreate"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Sets a checkout's lines.
    pub async fn set_items(&self, token: &str, id: &str, items: Value) -> Value {
        self.vinyl(
            Some(token),
            &op("checkout_update_items"),
            json!({ "id": id, "items": items }),
        )
        .await
    }

    /// Sets a complete UK shipping address, one address for billing, and standard shipping.
    pub async fn ship_to_uk(&self, token: &str, id: &str) -> Value {
        self.vinyl(
            Some(token),
            &op("checkout_update"),
            json!({
                "id": id,
                "useSingleAddress": true,
                "shipping": {
                    "method": "standard",
                    "address": {
                        "firstName": "Test", "lastName": "Buyer", "addressLine1": "1 Record Lane",
                        "city": "London", "postCode": "E1 6AN", "alpha2": "gb"
                    }
                }
            }),
        )
        .await
    }

    /// Submits a checkout.
    pub async fn submit(&self, token: &str, id: &str) -> Value {
        self.vinyl(Some(token), &op("checkout_submit"), json!({ "id": id }))
            .await
    }
}

/// Panics with the body when it carries errors.
pub fn ok(body: &Value) {
    assert!(
        body.get("errors")
            .is_none_or(|e| e.as_array().is_none_or(Vec::is_empty)),
        "unexpected errors: {body:#}"
    );
}

/// The `extensions.code` of the first error.
pub fn code(body: &Value) -> Option<String> {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_string)
}

/// The message of the first error.
pub fn message(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Asserts the first error's code, returning its message.
pub fn expect_code(body: &Value, expected: &str) -> String {
    assert_eq!(code(body).as_deref(), Some(expected), "{body:#}");
    message(body)
}

/// The stock of a listing, read from the database.
pub async fn stock(server: &RunningServer, listing: i64) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT stock FROM client_listings WHERE num_id = $1")
        .bind(listing)
        .fetch_one(&server.state.store.pool)
        .await
        .unwrap()
}

/// Sets the stock of a listing in the database.
pub async fn set_stock(server: &RunningServer, listing: i64, stock: i64) {
    sqlx::query("UPDATE client_listings SET stock = $1 WHERE num_id = $2")
        .bind(stock)
        .bind(listing)
        .execute(&server.state.store.pool)
        .await
        .unwrap();
}

/// Registers `n` customers through `apis` (round robin) and gives each a checkout holding one
/// unit of [`NEW_LISTING`] with a UK address and standard shipping.
pub async fn prepared(apis: &[Api], n: usize, tag: &str) -> Vec<(Api, String, String)> {
    let tasks = (0..n).map(|i| {
        let api = apis[i % apis.len()].clone();
        let email = format!("racer-{tag}-{i}@example.com");
        tokio::spawn(async move {
            let jwt = api.register(VINYL, &email).await;
            let id = api.new_checkout(&jwt).await;
            ok(&api
                .set_items(
                    &jwt,
                    &id,
                    serde_json::json!([{ "listingId": NEW_LISTING, "quantity": 1 }]),
                )
                .await);
            ok(&api.ship_to_uk(&jwt, &id).await);
            (api, jwt, id)
        })
    });
    join_all(tasks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

/// Submits every checkout at once; (completed, refused for stock).
pub async fn race(checkouts: Vec<(Api, String, String)>) -> (usize, usize) {
    let tasks = checkouts
        .into_iter()
        .map(|(api, jwt, id)| tokio::spawn(async move { api.submit(&jwt, &id).await }));
    let mut won = 0;
    let mut lost = 0;
    for body in join_all(tasks).await.into_iter().map(Result::unwrap) {
        match code(&body).as_deref() {
            None => {
                assert_eq!(body["data"]["checkoutSubmit"]["status"], "completed");
                won += 1;
            }
            Some("CONFLICT") => {
                assert!(message(&body).contains("insufficient stock"), "{body}");
                lost += 1;
            }
            other => panic!("unexpected outcome {other:?}: {body}"),
        }
    }
    (won, lost)
}
