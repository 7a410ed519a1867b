//! The seed's quick start, verbatim, over HTTP on every backend (login → inventory →
//! checkoutCreate → checkoutUpdateItems with the seed's documents and variables), and every
//! example operation of `schemas/operations/client/` run in a sensible order.
#![allow(clippy::unwrap_used)]

mod client_support;

use client_support::*;
use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, start};

/// The seed's first item of `GetInventoryItems`, exactly as printed (the seed leaves out the
/// listing's `comments`; every other field is compared).
fn seed_item() -> Value {
    json!({
        "_id": "693af000000fd932d1e62513",
        "id": 12345.0,
        "type": "ReleaseItem",
        "uri": "https://www.my-vinyl-store.com/release/9987654321/various-the-unreleased-anthems",
        "data": {
            "title": "The Unreleased Anthems",
            "cat": null,
            "type": null,
            "manufacturer": null,
            "discogsId": 987654321.0,
            "assetLink": null,
            "weight": 230.0,
            "genres": ["Electronic"],
            "styles": ["Progressive House", "Tribal", "Progressive Trance", "Tech House"],
            "country": "UK",
            "releaseDate": 911174400000.0,
            "subtitle": null,
            "authors": null,
            "publisher": null,
            "publishedDate": null,
            "pageCount": null,
            "categories": null,
            "language": null,
            "format": null
        },
        "listings": [{
            "_id": "693af2ab00004b5617334cd",
            "id": 1765470890000.0,
            "available": 1765470585000.0,
            "preOrder": false,
            "secondHand": true,
            "categories": [],
            "onePerCustomer": false
        }]
    })
}

/// JSON numbers compare as floats (the server sends `12345` or `12345.0`).
fn same(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Number(a), Value::Number(e)) => a.as_f64() == e.as_f64(),
        (Value::Object(a), Value::Object(e)) => {
            e.iter().all(|(k, v)| a.get(k).is_some_and(|x| same(x, v)))
        }
        (Value::Array(a), Value::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(x, y)| same(x, y))
        }
        (a, e) => a == e,
    }
}

fn is_object_id(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 24 && s.chars().all(|c| c.is_ascii_hexdigit()))
}

fn ms(v: &Value) -> i64 {
    v.as_f64().unwrap() as i64
}

#[tokio::test]
async fn the_seed_quick_start_runs_verbatim_on_every_backend() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let label = db.label();

        // Step 1: Login (the operation's variables are the base64 demo credentials).
        let body = api.vinyl(None, &op("login"), vars("login")).await;
        ok(&body);
        let login = &body["data"]["login"];
        let session = &login["session"];
        assert!(is_object_id(&session["_id"]), "{label}: {body}");
        let jwt = session["jwt"].as_str().unwrap().to_string();
        assert!(jwt.starts_with("eyJ"), "{label}");
        let now = server.state.now_ms();
        let expires = ms(&session["expires"]);
        assert!(
            (expires - now - 7_776_000_000).abs() < 60_000,
            "{label}: 90-day session"
        );
        assert!(same(
            &session["user"],
            &json!({
                "_id": "693af400000051c94884e0a4",
                "email": "buyer@example.com",
                "firstName": "First",
                "lastName": "Last"
            })
        ));
        assert_eq!(login["sessionsCount"], json!(1), "{label}");

        // Step 2: GetInventoryItems, public (no token), with the seed's variables.
        let body = api
            .vinyl(
                None,
                &op("get_inventory_items"),
                vars("get_inventory_items"),
            )
            .await;
        ok(&body);
        let items = body["data"]["inventoryItems"]["items"].as_array().unwrap();
        assert!(!items.is_empty() && items.len() <= 5, "{label}: {body}");
        assert!(
            same(&items[0], &seed_item()),
            "{label}: first item {:#}",
            items[0]
        );
        assert!(items[0]["listings"][0]["comments"].is_null());
        let listing_id = items[0]["listings"][0]["id"].as_f64().unwrap();

        // Step 3: CheckoutCreate, with the JWT.
        let body = api
            .vinyl(Some(&jwt), &op("checkout_create"), json!({}))
            .await;
        ok(&body);
        let c = &body["data"]["checkoutCreate"];
        assert!(is_object_id(&c["_id"]));
        let id = c["id"].as_str().unwrap();
        assert_eq!(id.len(), 9, "{label}: short id {id}");
        assert_eq!(&id[3..4], "-");
        assert_eq!(c["configRef"], json!("0f00d000d0000c0001111e00"));
        assert_eq!(c["origin"], json!("Online"));
        assert_eq!(c["created"], c["updated"]);
        assert_eq!(ms(&c["expires"]) - ms(&c["updated"]), 2_678_400_000);
        assert_eq!(c["status"], json!("open"));
        assert!(c["message"].is_null() && c["orderId"].is_null());
        assert_eq!(c["useSingleAddress"], json!(true));

        // Step 4: CheckoutUpdateItems with the seed's variables as printed (checkout
        // "abc-AbC1d", listing 1765470890000).
        let seed_vars = vars("checkout_update_items");
        assert_eq!(
            seed_vars["items"][0]["listingId"].as_f64(),
            Some(listing_id)
        );
        let body = api
            .vinyl(Some(&jwt), &op("checkout_update_items"), seed_vars)
            .await;
        ok(&body);
        let c = &body["data"]["checkoutUpdateItems"];
        assert_eq!(c["_id"], json!("693afb015dc249f21ccba766"), "{label}");
        assert_eq!(c["id"], json!("abc-AbC1d"));
        assert_eq!(c["configRef"], json!("0f00d000d0000c0001111e00"));
        assert_eq!(c["origin"], json!("Online"));
        assert!(ms(&c["updated"]) >= ms(&c["created"]));
        assert_eq!(ms(&c["expires"]) - ms(&c["updated"]), 2_678_400_000);
        assert_eq!(c["status"], json!("open"));
        assert!(c["message"].is_null());
        assert_eq!(c["useSingleAddress"], json!(true));

        // The line is there.
        let body = api
            .vinyl(
                Some(&jwt),
                &op("get_checkout"),
                json!({ "id": "abc-AbC1d" }),
            )
            .await;
        ok(&body);
        let line = &body["data"]["checkout"]["items"][0];
        assert_eq!(line["listingId"].as_f64(), Some(listing_id));
        assert_eq!(line["quantity"], json!(1));
        assert_eq!(line["unitPrice"].as_f64(), Some(24.99));
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn the_header_name_is_case_insensitive() {
    let db = TestDatabase::sqlite();
    let server = start(Config::for_tests(&db.url)).await.unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}/client/graphql", server.base_url()))
        .header("CommonGround-Origin", "https://WWW.My-Vinyl-Store.com/")
        .json(&json!({ "query": "{ item(id: 12345) { id data { title } } }" }))
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    ok(&body);
    assert_eq!(
        body["data"]["item"]["data"]["title"],
        json!("The Unreleased Anthems")
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn every_example_operation_runs_in_order() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let label = db.label();
        let run = |name: &'static str, token: Option<String>| {
            let api = api.clone();
            async move {
                let body = api.vinyl(token.as_deref(), &op(name), vars(name)).await;
                assert!(
                    body.get("errors").is_none(),
                    "{label}: {name} failed: {body:#}"
                );
                body["data"].clone()
            }
        };

        let login = run("login", None).await;
        let jwt = login["login"]["session"]["jwt"]
            .as_str()
            .unwrap()
            .to_string();
        let t = || Some(jwt.clone());

        let reg = run("register", None).await;
        assert_eq!(
            reg["register"]["user"]["email"],
            json!("new-buyer@example.com")
        );
        assert_eq!(reg["register"]["user"]["name"], json!("New Buyer"));
        assert!(reg["register"]["session"]["jwt"].is_string());

        let me = run("me", t()).await;
        assert_eq!(me["me"]["email"], json!("buyer@example.com"));
        assert_eq!(me["me"]["name"], json!("First Last"));
        assert_eq!(me["me"]["sessionsCount"], json!(1));

        let inv = run("get_inventory_items", None).await;
        assert_eq!(inv["inventoryItems"]["items"].as_array().unwrap().len(), 5);

        let facets = run("get_inventory_filters_pagination", None).await;
        let f = &facets["inventoryFiltersPagination"];
        assert!(f["count"].as_i64().unwrap() >= 4, "{label}: {f}");
        assert_eq!(
            f["pages"].as_i64().unwrap(),
            (f["count"].as_i64().unwrap() + 4) / 5
        );
        let genres = f["filters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "genres")
            .unwrap();
        assert_eq!(genres["values"][0]["value"], json!("Electronic"));

        let item = run("get_item", None).await;
        let item = &item["item"];
        assert_eq!(item["data"]["tracklist"][1]["position"], json!("A1"));
        assert_eq!(item["data"]["artists"][0]["name"], json!("Various"));
        assert_eq!(item["listings"][0]["prices"]["sale"].as_f64(), Some(24.99));
        assert_eq!(
            item["listings"][0]["prices"]["beforeTaxes"].as_f64(),
            Some(20.83)
        );
        assert_eq!(item["listings"][0]["stock"]["quantity"], json!(3));
        assert_eq!(item["wanted"], json!(false));

        let created = run("checkout_create", t()).await;
        assert_eq!(created["checkoutCreate"]["status"], json!("open"));

        run("checkout_update_items", t()).await;

        let updated = run("checkout_update", t()).await;
        let u = &updated["checkoutUpdate"];
        assert_eq!(u["useSingleAddress"], json!(false));
        assert_eq!(u["shipping"]["method"], json!("standard"));
        assert_eq!(u["shipping"]["address"]["alpha2"], json!("GB"));
        assert_eq!(
            u["billing"]["address"]["addressLine1"],
            json!("2 Invoice Street")
        );
        assert_eq!(u["buyer"]["telephone"], json!("+44 20 7946 0000"));
        assert_eq!(u["totals"]["subtotal"].as_f64(), Some(24.99));
        assert_eq!(u["totals"]["shipping"].as_f64(), Some(4.5));
        assert_eq!(u["totals"]["grand"].as_f64(), Some(29.49));
        assert_eq!(u["totals"]["tax"].as_f64(), Some(4.16));
        assert_eq!(u["totals"]["currency"], json!("GBP"));
        assert!(
            u["availableShippingMethods"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["code"] == "standard")
        );

        let checkout = run("get_checkout", t()).await;
        let c = &checkout["checkout"];
        assert_eq!(
            c["items"][0]["item"]["data"]["title"],
            json!("The Unreleased Anthems")
        );
        assert_eq!(c["items"][0]["listing"]["stock"]["quantity"], json!(3));
        assert_eq!(c["items"][0]["unavailable"], json!(false));
        assert_eq!(c["shipping"]["weight"], json!("230"));
        assert_eq!(
            c["urls"]["checkout"],
            json!("https://www.my-vinyl-store.com/checkout/abc-AbC1d")
        );
        assert_eq!(c["totals"]["leftToPay"].as_f64(), Some(29.49));

        let list = run("get_checkouts", t()).await;
        let l = &list["checkouts"];
        assert_eq!(
            l["pagination"]["count"],
            json!(2),
            "{label}: seeded + created"
        );
        assert_eq!(l["pagination"]["sort"], json!("created"));

        let submitted = run("checkout_submit", t()).await;
        let s = &submitted["checkoutSubmit"];
        assert_eq!(s["status"], json!("completed"));
        assert_eq!(s["orderId"], json!("ord-AbC1d"));
        assert_eq!(s["totals"]["grand"].as_f64(), Some(29.49));
        assert_eq!(stock(&server, SEED_LISTING).await, 2);

        let order = run("get_order", t()).await;
        let o = &order["order"];
        assert_eq!(o["checkoutId"], json!("abc-AbC1d"));
        assert_eq!(o["status"], json!("pending"));
        assert_eq!(o["items"][0]["title"], json!("The Unreleased Anthems"));
        assert_eq!(o["items"][0]["itemId"].as_f64(), Some(12345.0));
        assert_eq!(o["shippingMethod"]["code"], json!("standard"));
        assert_eq!(o["shippingMethod"]["price"].as_f64(), Some(4.5));
        assert_eq!(
            o["billingAddress"]["addressLine1"],
            json!("2 Invoice Street")
        );
        assert_eq!(o["buyer"]["name"], json!("First Last"));

        let orders = run("get_orders", t()).await;
        assert_eq!(orders["orders"]["pagination"]["count"], json!(1));
        assert_eq!(orders["orders"]["orders"][0]["id"], json!("ord-AbC1d"));

        let out = run("logout", t()).await;
        assert_eq!(out["logout"], json!(true));
        // The session is gone: `me` is null and session fields refuse the token.
        let me = api.vinyl(t().as_deref(), &op("me"), json!({})).await;
        ok(&me);
        assert!(me["data"]["me"].is_null());
        let refused = api
            .vinyl(t().as_deref(), &op("get_orders"), json!({}))
            .await;
        expect_code(&refused, "UNAUTHENTICATED");
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn graphiql_is_served_with_the_store_header_preset() {
    let db = TestDatabase::sqlite();
    let server = start(Config::for_tests(&db.url)).await.unwrap();
    let resp = reqwest::Client::new()
        .get(format!("{}/client/graphql", server.base_url()))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("CommonGround-Origin"), "{html}");
    assert!(html.contains("www.my-vinyl-store.com"));
    // A query over GET still executes (and still needs the header).
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/client/graphql?query=%7Bitem(id%3A12345)%7Bid%7D%7D",
            server.base_url()
        ))
        .header("commonground-origin", VINYL)
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    ok(&body);
    assert_eq!(body["data"]["item"]["id"].as_f64(), Some(12345.0));
    server.stop().await.unwrap();
}
