//! Every documented error of the client API, on every backend: the store header, sign-in and
//! registration, pagination and filters, and each check of the checkout mutations.
#![allow(clippy::unwrap_used)]

mod client_support;

use client_support::*;
use serde_json::json;
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, start};

const ITEM: &str = "{ item(id: 12345) { id } }";

#[tokio::test]
async fn a_missing_or_unknown_store_is_bad_user_input() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let (status, body) = api.raw(None, None, ITEM, json!({})).await;
        assert_eq!(status, 400);
        let msg = expect_code(&body, "BAD_USER_INPUT");
        assert!(msg.contains("CommonGround-Origin"), "{msg}");

        let (status, body) = api
            .raw(Some("www.no-such-store.com"), None, ITEM, json!({}))
            .await;
        assert_eq!(status, 400);
        let msg = expect_code(&body, "BAD_USER_INPUT");
        assert!(msg.contains("www.no-such-store.com"), "{msg}");

        let (status, body) = api.raw(Some("  "), None, ITEM, json!({})).await;
        assert_eq!(status, 400);
        expect_code(&body, "BAD_USER_INPUT");
        // Mutations are refused the same way, before any resolver runs.
        let (_, body) = api.raw(None, None, &op("login"), vars("login")).await;
        expect_code(&body, "BAD_USER_INPUT");
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn sign_in_errors() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let login = |email: String, password: String| {
            let api = api.clone();
            async move {
                api.vinyl(
                    None,
                    &op("login"),
                    json!({ "email": email, "password": password }),
                )
                .await
            }
        };
        // The seed's placeholders are not base64.
        let body = login(
            "base64-encoded-email-address-string".into(),
            b64("demo-password"),
        )
        .await;
        let msg = expect_code(&body, "BAD_USER_INPUT");
        assert!(msg.contains("`email`") && msg.contains("base64"), "{msg}");
        let body = login(b64("buyer@example.com"), "not base64!".into()).await;
        expect_code(&body, "BAD_USER_INPUT");

        // Unknown email and wrong password: the same error.
        let unknown = login(b64("nobody@example.com"), b64("demo-password")).await;
        let wrong = login(b64("buyer@example.com"), b64("wrong-password")).await;
        let a = expect_code(&unknown, "UNAUTHENTICATED");
        let b = expect_code(&wrong, "UNAUTHENTICATED");
        assert_eq!(a, b);
        assert_eq!(a, "invalid email or password");
        assert_eq!(unknown["data"]["login"], json!(null));
        // The email is matched case-insensitively.
        let body = login(b64("Buyer@Example.COM"), b64("demo-password")).await;
        ok(&body);
        // A customer of one store is unknown in another.
        let body = api
            .raw(
                Some("www.my-book-store.com"),
                None,
                &op("login"),
                json!({ "email": b64("new@example.com"), "password": b64("whatever1") }),
            )
            .await
            .1;
        expect_code(&body, "UNAUTHENTICATED");
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn registration_errors() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let register = |email: String, password: String| {
            let api = api.clone();
            async move {
                api.vinyl(
                    None,
                    &op("register"),
                    json!({ "email": email, "password": password, "firstName": "A", "lastName": "B" }),
                )
                .await
            }
        };
        let body = register("%%%".into(), b64("long-enough")).await;
        expect_code(&body, "BAD_USER_INPUT");
        let body = register(b64("not-an-email"), b64("long-enough")).await;
        assert!(expect_code(&body, "BAD_USER_INPUT").contains("email"));
        let body = register(b64("short@example.com"), b64("1234567")).await;
        assert!(expect_code(&body, "BAD_USER_INPUT").contains("8 characters"));
        let body = register(b64("BUYER@example.com"), b64("long-enough")).await;
        expect_code(&body, "CONFLICT");
        let body = register(b64("fresh@example.com"), b64("12345678")).await;
        ok(&body);
        assert_eq!(
            body["data"]["register"]["user"]["email"],
            json!("fresh@example.com")
        );
        let body = register(b64("fresh@example.com"), b64("12345678")).await;
        expect_code(&body, "CONFLICT");
        // The same email may register in another store.
        let body = api
            .at(
                BOOKS,
                None,
                &op("register"),
                json!({ "email": b64("fresh@example.com"), "password": b64("12345678") }),
            )
            .await;
        ok(&body);
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn pagination_and_filter_errors() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let inv = |filters: serde_json::Value, pagination: serde_json::Value| {
            let api = api.clone();
            async move {
                api.vinyl(
                    None,
                    "query I($filters: InventoryFiltersInput!, $pagination: PaginationInput!) { inventoryItems(filters: $filters, pagination: $pagination) { items { id } } }",
                    json!({ "filters": filters, "pagination": pagination }),
                )
                .await
            }
        };
        for (p, field) in [
            (json!({ "limit": 0 }), "pagination.limit"),
            (json!({ "limit": 101 }), "pagination.limit"),
            (json!({ "page": 0 }), "pagination.page"),
            (json!({ "order": 2 }), "pagination.order"),
            (json!({ "order": 0 }), "pagination.order"),
            (json!({ "sort": "colour" }), "pagination.sort"),
        ] {
            let body = inv(json!({}), p.clone()).await;
            expect_code(&body, "BAD_USER_INPUT");
            assert_eq!(
                body["errors"][0]["extensions"]["field"],
                json!(field),
                "{p}"
            );
        }
        for f in [
            json!({ "stock": "plenty" }),
            json!({ "preorders": "maybe" }),
            json!({ "from": "last tuesday" }),
            json!({ "maxPrice": -1 }),
            json!({ "artists": [1.5] }),
        ] {
            let body = inv(f.clone(), json!({})).await;
            expect_code(&body, "BAD_USER_INPUT");
        }
        let body = inv(json!({ "wantlist": true }), json!({})).await;
        expect_code(&body, "UNAUTHENTICATED");
        // The limits are inclusive.
        ok(&inv(json!({}), json!({ "limit": 100 })).await);
        ok(&inv(json!({}), json!({ "limit": 1, "page": 1000 })).await);
        // The checkouts and orders lists check their pagination the same way.
        let jwt = api.demo_login().await;
        let body = api
            .vinyl(
                Some(&jwt),
                &op("get_checkouts"),
                json!({ "pagination": { "sort": "title" } }),
            )
            .await;
        expect_code(&body, "BAD_USER_INPUT");
        let body = api
            .vinyl(
                Some(&jwt),
                &op("get_orders"),
                json!({ "pagination": { "limit": 500 } }),
            )
            .await;
        expect_code(&body, "BAD_USER_INPUT");
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn session_fields_need_a_valid_session_of_this_store() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        for name in ["checkout_create", "get_checkouts", "get_orders", "logout"] {
            let body = api.vinyl(None, &op(name), vars(name)).await;
            expect_code(&body, "UNAUTHENTICATED");
        }
        for name in [
            "get_checkout",
            "get_order",
            "checkout_update_items",
            "checkout_submit",
        ] {
            let body = api.vinyl(None, &op(name), vars(name)).await;
            expect_code(&body, "UNAUTHENTICATED");
        }
        // A forged token and a token of another store are refused; `me` is just null.
        let body = api
            .vinyl(
                Some("eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"),
                &op("checkout_create"),
                json!({}),
            )
            .await;
        expect_code(&body, "UNAUTHENTICATED");
        let book_jwt = api.login(BOOKS, "buyer@example.com", "demo-password").await;
        let body = api
            .vinyl(Some(&book_jwt), &op("checkout_create"), json!({}))
            .await;
        assert!(expect_code(&body, "UNAUTHENTICATED").contains("another store"));
        let body = api.vinyl(Some(&book_jwt), &op("me"), json!({})).await;
        ok(&body);
        assert!(body["data"]["me"].is_null());
        // Public fields work with a bad token.
        ok(&api.vinyl(Some("garbage"), ITEM, json!({})).await);
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn checkout_line_checks() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let jwt = api.demo_login().await;
        let id = api.new_checkout(&jwt).await;
        let bad = |items: serde_json::Value| {
            let (api, jwt, id) = (api.clone(), jwt.clone(), id.clone());
            async move { api.set_items(&jwt, &id, items).await }
        };
        for (items, needle) in [
            (
                json!([{ "listingId": 42, "quantity": 1 }]),
                "listing 42 does not exist",
            ),
            (
                json!([{ "listingId": BOOK_LISTING, "quantity": 1 }]),
                "does not exist in this store",
            ),
            (
                json!([{ "listingId": NEW_LISTING, "quantity": 0 }]),
                "at least 1",
            ),
            (
                json!([{ "listingId": NEW_LISTING, "quantity": -1 }]),
                "at least 1",
            ),
            (
                json!([{ "listingId": NEW_LISTING, "quantity": 1.5 }]),
                "whole number",
            ),
            (
                json!([{ "listingId": NEW_LISTING }]),
                "`quantity` is required",
            ),
            (json!([{ "quantity": 1 }]), "`listingId` is required"),
            (
                json!([{ "listingId": NEW_LISTING, "quantity": 11 }]),
                "above the stock (10)",
            ),
            (
                json!([{ "listingId": NEW_LISTING, "quantity": 6 }, { "listingId": NEW_LISTING, "quantity": 5 }]),
                "quantity 11 is above the stock",
            ),
            (
                json!([{ "listingId": SOLD_OUT_LISTING, "quantity": 1 }]),
                "above the stock (0)",
            ),
            (
                json!([{ "listingId": ONE_PER_CUSTOMER_LISTING, "quantity": 2 }]),
                "one per customer",
            ),
            (
                json!([{ "listingId": FORBIDDEN_LISTING, "quantity": 1 }]),
                "may not be sold",
            ),
        ] {
            let body = bad(items.clone()).await;
            let msg = expect_code(&body, "BAD_USER_INPUT");
            assert!(msg.contains(needle), "{items}: {msg}");
        }
        let many: Vec<_> = (0..251)
            .map(|i| json!({ "listingId": 1000 + i, "quantity": 1 }))
            .collect();
        expect_code(&bad(json!(many)).await, "BAD_USER_INPUT");
        // Nothing was stored by the refused calls.
        let body = api
            .vinyl(Some(&jwt), &op("get_checkout"), json!({ "id": id }))
            .await;
        assert_eq!(body["data"]["checkout"]["items"], json!([]));
        // Pre-orders are bought like any listing, within their stock.
        ok(&bad(json!([{ "listingId": PREORDER_LISTING, "quantity": 2 }])).await);
        // Unknown checkout.
        let body = api
            .set_items(
                &jwt,
                "zzz-00000",
                json!([{ "listingId": NEW_LISTING, "quantity": 1 }]),
            )
            .await;
        expect_code(&body, "NOT_FOUND");
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn checkout_update_checks() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let jwt = api.demo_login().await;
        let id = api.new_checkout(&jwt).await;
        let update = |v: serde_json::Value| {
            let (api, jwt, id) = (api.clone(), jwt.clone(), id.clone());
            async move {
                let mut v = v;
                v["id"] = json!(id);
                api.vinyl(Some(&jwt), &op("checkout_update"), v).await
            }
        };
        for (v, field) in [
            (
                json!({ "shipping": { "method": "teleport" } }),
                "shipping.method",
            ),
            (
                json!({ "shipping": { "address": { "alpha2": "UK" } } }),
                "shipping.address.alpha2",
            ),
            (
                json!({ "shipping": { "address": { "alpha2": "G" } } }),
                "shipping.address.alpha2",
            ),
            (
                json!({ "useSingleAddress": false, "billing": { "address": { "alpha2": "XX" } } }),
                "billing.address.alpha2",
            ),
            (
                json!({ "buyer": { "email": "not-an-email" } }),
                "buyer.email",
            ),
            (
                json!({ "shipping": { "confirmationEmail": { "recipient": "@nope" } } }),
                "shipping.confirmationEmail.recipient",
            ),
            (
                json!({ "billing": { "voucher": { "id": "NOPE" } } }),
                "billing.voucher.id",
            ),
            (
                json!({ "billing": { "voucher": { "id": "SUMMER2020" } } }),
                "billing.voucher.id",
            ),
            (
                json!({ "billing": { "voucher": { "value": "10%" } } }),
                "billing.voucher.id",
            ),
        ] {
            let body = update(v.clone()).await;
            expect_code(&body, "BAD_USER_INPUT");
            assert_eq!(
                body["errors"][0]["extensions"]["field"],
                json!(field),
                "{v}"
            );
        }
        // Express ships only within GB: not available for a US address.
        let body =
            update(json!({ "shipping": { "method": "express", "address": { "alpha2": "US" } } }))
                .await;
        let msg = expect_code(&body, "BAD_USER_INPUT");
        assert!(msg.contains("\"standard\""), "{msg}");
        // None of the refused changes was stored.
        let body = api
            .vinyl(Some(&jwt), &op("get_checkout"), json!({ "id": id }))
            .await;
        let c = &body["data"]["checkout"];
        assert!(c["shipping"]["address"].is_null() && c["shipping"]["method"].is_null());
        // Unknown checkout.
        let body = api
            .vinyl(
                Some(&jwt),
                &op("checkout_update"),
                json!({ "id": "nop-e0000" }),
            )
            .await;
        expect_code(&body, "NOT_FOUND");
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn checkout_submit_checks() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let jwt = api.demo_login().await;
        let id = api.new_checkout(&jwt).await;
        let submit = || {
            let (api, jwt, id) = (api.clone(), jwt.clone(), id.clone());
            async move { api.submit(&jwt, &id).await }
        };
        let update = |v: serde_json::Value| {
            let (api, jwt, id) = (api.clone(), jwt.clone(), id.clone());
            async move {
                let mut v = v;
                v["id"] = json!(id);
                let body = api.vinyl(Some(&jwt), &op("checkout_update"), v).await;
                ok(&body);
            }
        };
        assert!(expect_code(&submit().await, "BAD_USER_INPUT").contains("checkout is empty"));
        ok(&api
            .set_items(
                &jwt,
                &id,
                json!([{ "listingId": NEW_LISTING, "quantity": 2 }]),
            )
            .await);
        assert!(
            expect_code(&submit().await, "BAD_USER_INPUT").contains("shipping address is missing")
        );
        update(json!({ "shipping": { "address": { "firstName": "A", "alpha2": "GB" } } })).await;
        let msg = expect_code(&submit().await, "BAD_USER_INPUT");
        assert!(
            msg.contains("lastName, addressLine1, city, postCode"),
            "{msg}"
        );
        update(json!({ "shipping": { "address": {
            "firstName": "A", "lastName": "B", "addressLine1": "1 Road", "city": "Leeds",
            "postCode": "LS1 1AA", "alpha2": "GB" } } }))
        .await;
        assert!(expect_code(&submit().await, "BAD_USER_INPUT").contains("no shipping method"));
        update(json!({ "shipping": { "method": "express" }, "useSingleAddress": false })).await;
        assert!(
            expect_code(&submit().await, "BAD_USER_INPUT").contains("billing address is missing")
        );
        update(json!({ "useSingleAddress": true })).await;
        // The chosen method stops being available when the address moves abroad.
        update(json!({ "shipping": { "address": {
            "firstName": "A", "lastName": "B", "addressLine1": "1 Rue", "city": "Paris",
            "postCode": "75001", "alpha2": "FR" } } }))
        .await;
        assert!(expect_code(&submit().await, "BAD_USER_INPUT").contains("no longer available"));
        update(json!({ "shipping": { "method": "standard" } })).await;
        let body = submit().await;
        ok(&body);
        assert_eq!(body["data"]["checkoutSubmit"]["status"], json!("completed"));
        // Not idempotent: a second submission and any later change are CONFLICT.
        let again = submit().await;
        assert!(expect_code(&again, "CONFLICT").contains("completed"));
        expect_code(
            &api.set_items(
                &jwt,
                &id,
                json!([{ "listingId": NEW_LISTING, "quantity": 1 }]),
            )
            .await,
            "CONFLICT",
        );
        let body = api
            .vinyl(
                Some(&jwt),
                &op("checkout_update"),
                json!({ "id": id, "useSingleAddress": false }),
            )
            .await;
        expect_code(&body, "CONFLICT");
        assert_eq!(stock(&server, NEW_LISTING).await, 8);
        // Unknown checkout.
        expect_code(&api.submit(&jwt, "nop-e0000").await, "NOT_FOUND");
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn one_per_customer_allows_one_order_only() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let jwt = api.demo_login().await;
        let first = api.new_checkout(&jwt).await;
        let second = api.new_checkout(&jwt).await;
        let one = json!([{ "listingId": ONE_PER_CUSTOMER_LISTING, "quantity": 1 }]);
        ok(&api.set_items(&jwt, &first, one.clone()).await);
        ok(&api.set_items(&jwt, &second, one.clone()).await);
        ok(&api.ship_to_uk(&jwt, &first).await);
        ok(&api.ship_to_uk(&jwt, &second).await);
        ok(&api.submit(&jwt, &first).await);
        // Already ordered: the second checkout's line fails its check, at submission and when
        // set again; it reads as unavailable.
        let msg = expect_code(&api.submit(&jwt, &second).await, "BAD_USER_INPUT");
        assert!(msg.contains("already ordered"), "{msg}");
        let msg = expect_code(&api.set_items(&jwt, &second, one).await, "BAD_USER_INPUT");
        assert!(msg.contains("already ordered"), "{msg}");
        let body = api
            .vinyl(Some(&jwt), &op("get_checkout"), json!({ "id": second }))
            .await;
        assert_eq!(
            body["data"]["checkout"]["items"][0]["unavailable"],
            json!(true)
        );
        assert_eq!(stock(&server, ONE_PER_CUSTOMER_LISTING).await, 4);
        // Another customer may still buy one.
        let other = api.register(VINYL, "other@example.com").await;
        let c = api.new_checkout(&other).await;
        ok(&api
            .set_items(
                &other,
                &c,
                json!([{ "listingId": ONE_PER_CUSTOMER_LISTING, "quantity": 1 }]),
            )
            .await);
        ok(&api.ship_to_uk(&other, &c).await);
        ok(&api.submit(&other, &c).await);
        assert_eq!(stock(&server, ONE_PER_CUSTOMER_LISTING).await, 3);
        server.stop().await.unwrap();
    }
}
