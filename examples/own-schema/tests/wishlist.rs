//! The generated client of this crate's own schema, against a canned server (a `Transport` that
//! answers from memory and records what it was sent): the request is the GraphQL the schema and
//! the operation document define, and the answer decodes into the generated types.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test assertions")]

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use shopql_example_own_schema::wishlist;
use shopql_sdk::{GraphqlClient, HttpRequest, HttpResponse, Transport, TransportError};

/// Answers every request with `answer` and keeps the requests' JSON bodies.
#[derive(Debug)]
struct Canned {
    answer: Value,
    sent: Mutex<Vec<Value>>,
}

#[async_trait::async_trait]
impl Transport for Canned {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let body: Value = serde_json::from_slice(&request.body).expect("a JSON body");
        self.sent.lock().expect("not poisoned").push(body);
        Ok(HttpResponse::json(200, &self.answer))
    }
}

fn client(answer: Value) -> (wishlist::Client, Arc<Canned>) {
    let canned = Arc::new(Canned {
        answer,
        sent: Mutex::new(Vec::new()),
    });
    let graphql = GraphqlClient::with_transport("http://wishlists.test/graphql", canned.clone());
    (wishlist::Client::from_graphql_client(graphql), canned)
}

#[tokio::test]
async fn a_root_field_sends_its_arguments_and_decodes_the_default_selection() {
    let (api, canned) = client(json!({ "data": { "addToWishlist": {
        "id": "w1", "userId": "user-1", "items": [{ "sku": "robot-pink-standard", "quantity": 2 }]
    }}}));
    let options = wishlist::AddToWishlistOptions { quantity: Some(2) };
    let added = api
        .add_to_wishlist("user-1".into(), "robot-pink-standard".into(), options)
        .await
        .expect("the canned answer decodes");
    assert_eq!(added.user_id, "user-1");
    assert_eq!(added.items[0].quantity, 2);

    let sent = canned.sent.lock().expect("not poisoned");
    assert_eq!(
        sent[0]["variables"],
        json!({ "userId": "user-1", "sku": "robot-pink-standard", "quantity": 2 })
    );
    let query = sent[0]["query"].as_str().expect("a query");
    assert!(query.contains("addToWishlist(userId: $userId, sku: $sku, quantity: $quantity)"));
}

#[tokio::test]
async fn an_operation_document_fetches_exactly_its_selection() {
    let (api, canned) = client(json!({ "data": { "wishlist": {
        "items": [{ "sku": "a" }, { "sku": "b" }]
    }}}));
    let data = api
        .operations()
        .wishlist_skus(wishlist::operations::wishlist_skus::Variables {
            user_id: "user-1".into(),
        })
        .await
        .expect("the canned answer decodes");
    let skus: Vec<String> = data
        .wishlist
        .expect("a wishlist")
        .items
        .into_iter()
        .map(|item| item.sku)
        .collect();
    assert_eq!(skus, ["a", "b"]);
    let sent = canned.sent.lock().expect("not poisoned");
    assert_eq!(sent[0]["operationName"], "WishlistSkus");
}
