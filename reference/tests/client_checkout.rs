//! Checkouts and sessions on every backend: customers cannot see or change each other's
//! checkouts and orders, logout revokes tokens, checkouts expire 31 days after their last
//! change (on a manual clock), totals follow prices, shipping and vouchers, and a short line
//! takes nothing.
#![allow(clippy::unwrap_used)]

mod client_support;

use std::sync::Arc;

use client_support::*;
use serde_json::json;
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, ManualClock, start, start_with_clock};

#[tokio::test]
async fn a_customer_cannot_read_or_change_another_customers_checkout() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let owner = api.demo_login().await;
        let intruder = api.register(VINYL, "intruder@example.com").await;

        // The seed's checkout belongs to the demo customer.
        let seed = "abc-AbC1d";
        let body = api
            .vinyl(Some(&intruder), &op("get_checkout"), json!({ "id": seed }))
            .await;
        ok(&body);
        assert!(body["data"]["checkout"].is_null());
        let body = api
            .set_items(
                &intruder,
                seed,
                json!([{ "listingId": NEW_LISTING, "quantity": 1 }]),
            )
            .await;
        let not_found = expect_code(&body, "NOT_FOUND");
        // Exactly the answer for a checkout that does not exist: no existence leak.
        let body = api
            .set_items(
                &intruder,
                "abc-XXXXX",
                json!([{ "listingId": NEW_LISTING, "quantity": 1 }]),
            )
            .await;
        assert_eq!(
            expect_code(&body, "NOT_FOUND"),
            not_found.replace(seed, "abc-XXXXX")
        );
        let body = api
            .vinyl(
                Some(&intruder),
                &op("checkout_update"),
                json!({ "id": seed, "useSingleAddress": false }),
            )
            .await;
        expect_code(&body, "NOT_FOUND");
        expect_code(&api.submit(&intruder, seed).await, "NOT_FOUND");
        let body = api
            .vinyl(Some(&intruder), &op("get_checkouts"), json!({}))
            .await;
        assert_eq!(body["data"]["checkouts"]["checkouts"], json!([]));

        // The owner's checkout is untouched, and the owner's order is invisible to the intruder.
        ok(&api
            .set_items(
                &owner,
                seed,
                json!([{ "listingId": NEW_LISTING, "quantity": 1 }]),
            )
            .await);
        ok(&api.ship_to_uk(&owner, seed).await);
        let body = api.submit(&owner, seed).await;
        ok(&body);
        let order_id = body["data"]["checkoutSubmit"]["orderId"]
            .as_str()
            .unwrap()
            .to_string();
        let body = api
            .vinyl(Some(&intruder), &op("get_order"), json!({ "id": order_id }))
            .await;
        ok(&body);
        assert!(body["data"]["order"].is_null());
        let body = api
            .vinyl(Some(&intruder), &op("get_orders"), json!({}))
            .await;
        assert_eq!(body["data"]["orders"]["pagination"]["count"], json!(0));
        let body = api
            .vinyl(Some(&owner), &op("get_order"), json!({ "id": order_id }))
            .await;
        assert_eq!(body["data"]["order"]["id"], json!(order_id));
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn logout_revokes_the_session_and_counts_follow() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let first = api.demo_login().await;
        let body = api.vinyl(None, &op("login"), vars("login")).await;
        assert_eq!(body["data"]["login"]["sessionsCount"], json!(2));
        let second = body["data"]["login"]["session"]["jwt"]
            .as_str()
            .unwrap()
            .to_string();
        let third = api.demo_login().await;
        let me = api.vinyl(Some(&first), &op("me"), json!({})).await;
        assert_eq!(me["data"]["me"]["sessionsCount"], json!(3));

        // Logging out ends only this session.
        let body = api
            .vinyl(Some(&first), &op("logout"), json!({ "allSessions": false }))
            .await;
        assert_eq!(body["data"]["logout"], json!(true));
        let body = api
            .vinyl(Some(&first), &op("checkout_create"), json!({}))
            .await;
        assert!(expect_code(&body, "UNAUTHENTICATED").contains("ended"));
        expect_code(
            &api.vinyl(Some(&first), &op("logout"), json!({})).await,
            "UNAUTHENTICATED",
        );
        let me = api.vinyl(Some(&second), &op("me"), json!({})).await;
        assert_eq!(me["data"]["me"]["sessionsCount"], json!(2));

        // allSessions ends the others too.
        let body = api
            .vinyl(Some(&second), &op("logout"), json!({ "allSessions": true }))
            .await;
        ok(&body);
        for t in [&second, &third] {
            let me = api.vinyl(Some(t), &op("me"), json!({})).await;
            assert!(me["data"]["me"].is_null());
            expect_code(
                &api.vinyl(Some(t), &op("get_checkouts"), json!({})).await,
                "UNAUTHENTICATED",
            );
        }
        let body = api.vinyl(None, &op("login"), vars("login")).await;
        assert_eq!(body["data"]["login"]["sessionsCount"], json!(1));
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn checkouts_expire_31_days_after_their_last_change() {
    const DAY: i64 = 24 * 3600 * 1000;
    for db in TestDatabase::all().await.unwrap() {
        let t0 = 1_765_473_025_596; // the seed's checkoutCreate time
        let clock = ManualClock::new(t0);
        let server = start_with_clock(Config::for_tests(&db.url), Arc::new(clock.clone()))
            .await
            .unwrap();
        let api = Api::new(&server);
        let jwt = api.demo_login().await;
        let body = api
            .vinyl(Some(&jwt), &op("checkout_create"), json!({}))
            .await;
        let c = &body["data"]["checkoutCreate"];
        assert_eq!(c["created"].as_f64(), Some(t0 as f64));
        assert_eq!(c["expires"].as_f64(), Some(1_768_151_425_596.0));
        let id = c["id"].as_str().unwrap().to_string();

        // The seed's step 4 time: a change moves `expires` to 31 days after it.
        clock.set(1_765_475_982_226);
        let body = api
            .set_items(
                &jwt,
                &id,
                json!([{ "listingId": NEW_LISTING, "quantity": 1 }]),
            )
            .await;
        ok(&body);
        assert_eq!(
            body["data"]["checkoutUpdateItems"]["updated"].as_f64(),
            Some(1_765_475_982_226.0)
        );
        assert_eq!(
            body["data"]["checkoutUpdateItems"]["expires"].as_f64(),
            Some(1_768_154_382_226.0)
        );

        // One millisecond before expiry it is open; at expiry it reads as expired.
        clock.set(1_768_154_382_225);
        let read = |api: Api, jwt: String, id: String| async move {
            api.vinyl(Some(&jwt), &op("get_checkout"), json!({ "id": id }))
                .await
        };
        let body = read(api.clone(), jwt.clone(), id.clone()).await;
        assert_eq!(body["data"]["checkout"]["status"], json!("open"));
        clock.set(1_768_154_382_226);
        let body = read(api.clone(), jwt.clone(), id.clone()).await;
        assert_eq!(body["data"]["checkout"]["status"], json!("expired"));
        let list = api.vinyl(Some(&jwt), &op("get_checkouts"), json!({})).await;
        assert!(
            list["data"]["checkouts"]["checkouts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == json!(id) && c["status"] == json!("expired"))
        );
        // An expired checkout can no longer be changed or submitted.
        let body = api.set_items(&jwt, &id, json!([])).await;
        assert!(expect_code(&body, "CONFLICT").contains("expired"));
        let fresh = api.new_checkout(&jwt).await; // a fresh one still works
        ok(&api.ship_to_uk(&jwt, &fresh).await);
        let body = api.submit(&jwt, &id).await;
        expect_code(&body, "CONFLICT");
        assert_eq!(stock(&server, NEW_LISTING).await, 10);

        // The sweep writes the status down with the same clock.
        clock.advance(DAY);
        let swept = shopql_reference::apis::client::sweep_expired(&server.state)
            .await
            .unwrap();
        assert!(swept >= 1);
        let body = read(api.clone(), jwt.clone(), id.clone()).await;
        assert_eq!(body["data"]["checkout"]["status"], json!("expired"));
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn totals_shipping_and_vouchers() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let jwt = api.demo_login().await;
        let id = api.new_checkout(&jwt).await;
        let items = json!([
            { "listingId": NEW_LISTING, "quantity": 2 },
            { "listingId": SEED_LISTING, "quantity": 1 },
        ]);
        ok(&api.set_items(&jwt, &id, items).await);
        ok(&api.ship_to_uk(&jwt, &id).await);
        let get = || {
            let (api, jwt, id) = (api.clone(), jwt.clone(), id.clone());
            async move {
                let body = api
                    .vinyl(Some(&jwt), &op("get_checkout"), json!({ "id": id }))
                    .await;
                ok(&body);
                body["data"]["checkout"].clone()
            }
        };
        // 2 × 21.99 + 24.99 = 68.97 ≥ 50: standard shipping is free in GB.
        let c = get().await;
        let t = &c["totals"];
        assert_eq!(t["subtotal"].as_f64(), Some(68.97));
        assert_eq!(t["shipping"].as_f64(), Some(0.0));
        assert_eq!(t["grand"].as_f64(), Some(68.97));
        assert_eq!(t["itemsQuantity"].as_f64(), Some(3.0));
        // Before taxes per line: 43.98 / 1.2 = 36.65, 24.99 / 1.2 = 20.825 → 20.83.
        assert_eq!(t["subtotalBeforeTaxes"].as_f64(), Some(57.48));
        assert_eq!(t["tax"].as_f64(), Some(11.49));
        assert_eq!(c["items"][0]["total"].as_f64(), Some(43.98));
        assert_eq!(c["shipping"]["weight"], json!("590"));
        assert_eq!(c["shipping"]["freeShippingThreshold"].as_f64(), Some(50.0));
        let methods: Vec<(String, f64)> = c["availableShippingMethods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["code"].as_str().unwrap().to_string(),
                    m["price"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            methods,
            vec![("standard".to_string(), 0.0), ("express".to_string(), 9.9)]
        );

        // A 10 % voucher on the subtotal (code matched case-insensitively).
        let body = api
            .vinyl(
                Some(&jwt),
                &op("checkout_update"),
                json!({ "id": id, "billing": { "voucher": { "id": "welcome10" } }, "shipping": { "method": "express" } }),
            )
            .await;
        ok(&body);
        let t = &body["data"]["checkoutUpdate"]["totals"];
        assert_eq!(t["shipping"].as_f64(), Some(9.9));
        let c = get().await;
        assert_eq!(c["totals"]["discount"].as_f64(), Some(6.9)); // 6.897 → 6.90
        assert_eq!(c["totals"]["grand"].as_f64(), Some(71.97)); // 68.97 + 9.90 − 6.90

        // Removing a line: under the threshold, standard costs 4.50 again.
        ok(&api
            .set_items(
                &jwt,
                &id,
                json!([{ "listingId": SEED_LISTING, "quantity": 1 }]),
            )
            .await);
        let body = api
            .vinyl(Some(&jwt), &op("checkout_update"), json!({ "id": id, "shipping": { "method": "standard" }, "billing": { "voucher": null } }))
            .await;
        ok(&body);
        let t = &body["data"]["checkoutUpdate"]["totals"];
        assert_eq!(t["shipping"].as_f64(), Some(4.5));
        assert_eq!(t["grand"].as_f64(), Some(29.49));

        // Shop collection: no shipping price, no address needed.
        let body = api
            .vinyl(
                Some(&jwt),
                &op("checkout_update"),
                json!({ "id": id, "shipping": { "shopCollection": true, "address": null } }),
            )
            .await;
        ok(&body);
        assert_eq!(
            body["data"]["checkoutUpdate"]["totals"]["shipping"].as_f64(),
            Some(0.0)
        );
        let body = api.submit(&jwt, &id).await;
        ok(&body);
        let order_id = body["data"]["checkoutSubmit"]["orderId"]
            .as_str()
            .unwrap()
            .to_string();
        let body = api
            .vinyl(Some(&jwt), &op("get_order"), json!({ "id": order_id }))
            .await;
        let o = &body["data"]["order"];
        assert_eq!(o["shopCollection"], json!(true));
        assert!(o["shippingMethod"].is_null() && o["shippingAddress"].is_null());
        assert_eq!(o["totals"]["grand"].as_f64(), Some(24.99));
        assert_eq!(o["items"][0]["unitPrice"].as_f64(), Some(24.99));
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn a_used_up_voucher_keeps_the_order_discount_frozen() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let jwt = api.demo_login().await;
        sqlx::query("UPDATE client_vouchers SET uses_left = 1 WHERE code = 'FIVEOFF'")
            .execute(&server.state.store.pool)
            .await
            .unwrap();
        let a = api.new_checkout(&jwt).await;
        let b = api.new_checkout(&jwt).await;
        for id in [&a, &b] {
            ok(&api
                .set_items(
                    &jwt,
                    id,
                    json!([{ "listingId": NEW_LISTING, "quantity": 1 }]),
                )
                .await);
            ok(&api.ship_to_uk(&jwt, id).await);
            let body = api
                .vinyl(
                    Some(&jwt),
                    &op("checkout_update"),
                    json!({ "id": id, "billing": { "voucher": { "id": "FIVEOFF" } } }),
                )
                .await;
            ok(&body);
        }
        let body = api.submit(&jwt, &a).await;
        ok(&body);
        // 21.99 + 4.50 − 5.00, frozen even though the voucher is now used up.
        assert_eq!(
            body["data"]["checkoutSubmit"]["totals"]["grand"].as_f64(),
            Some(21.49)
        );
        let msg = expect_code(&api.submit(&jwt, &b).await, "BAD_USER_INPUT");
        assert!(msg.contains("used up"), "{msg}");
        let body = api
            .vinyl(Some(&jwt), &op("get_checkout"), json!({ "id": a }))
            .await;
        assert_eq!(
            body["data"]["checkout"]["totals"]["discount"].as_f64(),
            Some(5.0)
        );
        assert_eq!(stock(&server, NEW_LISTING).await, 9);
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn a_short_line_takes_nothing_and_leaves_the_checkout_open() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let jwt = api.demo_login().await;
        let id = api.new_checkout(&jwt).await;
        let items = json!([
            { "listingId": NEW_LISTING, "quantity": 3 },
            { "listingId": USED_LISTING, "quantity": 1 },
        ]);
        ok(&api.set_items(&jwt, &id, items).await);
        ok(&api.ship_to_uk(&jwt, &id).await);
        // Someone else buys the last used copy in the meantime.
        set_stock(&server, USED_LISTING, 0).await;
        let body = api
            .vinyl(Some(&jwt), &op("get_checkout"), json!({ "id": id }))
            .await;
        assert_eq!(
            body["data"]["checkout"]["items"][1]["unavailable"],
            json!(true)
        );
        let body = api.submit(&jwt, &id).await;
        let msg = expect_code(&body, "CONFLICT");
        assert!(
            msg.contains("insufficient stock") && msg.contains(&USED_LISTING.to_string()),
            "{msg}"
        );
        assert_eq!(
            body["errors"][0]["extensions"]["listingIds"],
            json!([USED_LISTING as f64])
        );
        assert_eq!(stock(&server, NEW_LISTING).await, 10, "nothing taken");
        let body = api
            .vinyl(Some(&jwt), &op("get_checkout"), json!({ "id": id }))
            .await;
        assert_eq!(body["data"]["checkout"]["status"], json!("open"));
        let orders = api.vinyl(Some(&jwt), &op("get_orders"), json!({})).await;
        assert_eq!(orders["data"]["orders"]["pagination"]["count"], json!(0));
        // Restocked, the same checkout goes through.
        set_stock(&server, USED_LISTING, 1).await;
        ok(&api.submit(&jwt, &id).await);
        assert_eq!(stock(&server, NEW_LISTING).await, 7);
        assert_eq!(stock(&server, USED_LISTING).await, 0);
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn lines_replace_keep_identity_and_lists_page() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let jwt = api.demo_login().await;
        let id = api.new_checkout(&jwt).await;
        ok(&api
            .set_items(
                &jwt,
                &id,
                json!([{ "listingId": NEW_LISTING, "quantity": 1 }]),
            )
            .await);
        let get = |api: Api, jwt: String, id: String| async move {
            api.vinyl(Some(&jwt), &op("get_checkout"), json!({ "id": id }))
                .await["data"]["checkout"]
                .clone()
        };
        let before = get(api.clone(), jwt.clone(), id.clone()).await;
        ok(&api
            .set_items(
                &jwt,
                &id,
                json!([
                    { "listingId": SEED_LISTING, "quantity": 1 },
                    null,
                    { "listingId": NEW_LISTING, "quantity": 2 },
                ]),
            )
            .await);
        let after = get(api.clone(), jwt.clone(), id.clone()).await;
        assert_eq!(
            after["items"][0]["listingId"].as_f64(),
            Some(SEED_LISTING as f64)
        );
        assert_eq!(after["items"][1]["_id"], before["items"][0]["_id"]);
        assert_eq!(after["items"][1]["id"], before["items"][0]["id"]);
        assert_eq!(after["items"][1]["quantity"], json!(2));
        ok(&api.set_items(&jwt, &id, json!(null)).await);
        assert_eq!(
            get(api.clone(), jwt.clone(), id.clone()).await["items"],
            json!([])
        );

        // Three more checkouts, paged two at a time, newest first by default.
        for _ in 0..3 {
            api.new_checkout(&jwt).await;
        }
        let page = |p: serde_json::Value| {
            let (api, jwt) = (api.clone(), jwt.clone());
            async move {
                api.vinyl(Some(&jwt), &op("get_checkouts"), json!({ "pagination": p }))
                    .await
            }
        };
        let body = page(json!({ "limit": 2, "page": 1 })).await;
        let l = &body["data"]["checkouts"];
        assert_eq!(l["pagination"]["count"], json!(5));
        assert_eq!(l["pagination"]["pages"], json!(3));
        assert_eq!(l["pagination"]["hasMore"], json!(true));
        assert_eq!(l["pagination"]["order"], json!(-1));
        let first = l["checkouts"][0]["created"].as_f64().unwrap();
        let second = l["checkouts"][1]["created"].as_f64().unwrap();
        assert!(first >= second);
        let body = page(json!({ "limit": 2, "page": 3, "sort": "updated", "order": 1 })).await;
        let l = &body["data"]["checkouts"];
        assert_eq!(l["checkouts"].as_array().unwrap().len(), 1);
        assert_eq!(l["pagination"]["hasMore"], json!(false));
        server.stop().await.unwrap();
    }
}
