//! The cart endpoint: pricing context, rehydration by id, unmanaged lines, the state machine,
//! input errors, expiry and staleness, and concurrent changes to one cart.

#![allow(clippy::unwrap_used)]

mod shop_support;

use std::sync::Arc;

use serde_json::{Value, json};
use shop_support::{Env, HYDRATE, NOW, code, envs, num};
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, ManualClock, start_with_clock};

const DAY: i64 = 24 * 3600 * 1000;

async fn hydrate(env: &Env, token: &str, input: Value) -> Value {
    env.ok("cart", token, HYDRATE, json!({ "input": input }))
        .await["hydrate"]
        .clone()
}

fn price(v: &Value) -> (f64, f64) {
    (num(&v["gross"]), num(&v["net"]))
}

#[tokio::test]
async fn the_context_drives_names_and_prices() {
    for env in envs().await {
        let t = env.token(&["cart", "cart:admin"]).await;
        // German names, the `sales` variant with `default` as fallback, prices with taxes,
        // 2 decimals, a currency label.
        let q = "mutation H($input: CartInput!) { hydrate(input: $input) { context items { name context variant { name price { gross net currency } product { name vatType { percent } } attribute(key: \"color\") } price { gross net taxAmount currency } } total { gross net taxAmount currency } } }";
        let input = json!({ "items": [
                { "sku": "robot-pink-standard", "quantity": 2 },
                { "sku": "robot-red-standard" },
                { "sku": "robot-battery-pack", "quantity": 3 }
            ],
            "context": { "language": "de", "price": {
                "decimals": 2, "pricesHaveTaxesIncludedInCrystallize": true, "currency": "nok",
                "selectedVariantIdentifier": "sales", "fallbackVariantIdentifiers": ["default"] } } });
        let h = &env.ok("cart", &t, q, json!({ "input": input })).await["hydrate"];
        let items = h["items"].as_array().unwrap();
        assert_eq!(items[0]["name"], "Roboter rosa Standard");
        assert_eq!(items[0]["variant"]["product"]["name"], "Roboter");
        assert_eq!(items[0]["variant"]["product"]["vatType"]["percent"], 25.0);
        assert_eq!(items[0]["variant"]["attribute"], "pink");
        // sales 80 gross (taxes included) × 2: net 128.
        assert_eq!(price(&items[0]["price"]), (160.0, 128.0));
        assert_eq!(items[0]["price"]["currency"], "nok");
        // No sales price: the `default` fallback, 110 gross → net 88.
        assert_eq!(price(&items[1]["price"]), (110.0, 88.0));
        // 3 × 14.99 at 12 %: 44.97 gross, 40.15178… → 40.15 net.
        assert_eq!(price(&items[2]["price"]), (44.97, 40.15));
        assert_eq!(num(&items[2]["price"]["taxAmount"]), 4.82);
        assert_eq!(num(&items[2]["context"]["taxRate"]), 0.12);
        assert_eq!(price(&h["total"]), (314.97, 256.15));
        assert_eq!(h["total"]["currency"], "nok");
        let price_ctx = &h["context"]["price"];
        assert_eq!(price_ctx["fallbackVariantIdentifiers"], json!(["default"]));
        assert!(price_ctx.get("compareAtVariantIdentifier").is_none());
        assert!(price_ctx.get("voucherCode").is_none());
        assert_eq!(h["context"]["language"], "de");
        assert_eq!(h["context"]["ttl"], 7_776_000);

        // A language the catalogue lacks falls back to English; a context tax rate applies to
        // every line but the item's own; markets pick the lowest price list.
        let h = hydrate(&env, &t, json!({
            "items": [{ "sku": "robot-pink-standard", "taxRate": 0 }, { "sku": "robot-red-standard" }],
            "context": { "language": "fr", "price": { "taxRate": 0.1, "markets": ["no", "dk"] } } })).await;
        assert_eq!(h["items"][0]["name"], "Robot pink standard");
        assert_eq!(price(&h["items"][0]["price"]), (95.0, 95.0));
        assert_eq!(price(&h["items"][1]["price"]), (116.0, 105.0)); // 115.5 → 116

        // A customer group unlocks a group promotion; the compare-at price is shown per unit.
        env.ok("cart/admin", &t, r#"mutation { setPromotions(input: [{ identifier: "vip-5", name: "VIP", targets: { skus: ["robot-red-standard"] }, mechanism: { type: Fixed, value: 5 }, limitations: { repeatable: true }, conditions: { customerGroups: ["vip"] } }]) { identifier } }"#, json!({})).await;
        let input = |group: &str| {
            json!({ "items": [{ "sku": "robot-red-standard", "quantity": 2 }],
            "context": { "price": { "customerGroup": group, "compareAtVariantIdentifier": "retail", "discountOnNetPrices": true } } })
        };
        let vip = hydrate(&env, &t, input("vip")).await;
        let red = &vip["items"][0];
        // Net basis: retail 130 vs 110 (−40 for two), then −5 per unit → 105 net each, 262.5
        // gross for the line, rounded to 263.
        assert_eq!(price(&red["price"]), (263.0, 210.0));
        assert_eq!(price(&red["variant"]["compareAtPrice"]), (163.0, 130.0));
        let discounts: Vec<f64> = red["price"]["discounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| num(&d["amount"]))
            .collect();
        assert_eq!(discounts, vec![40.0, 10.0]);
        assert_eq!(vip["appliedPromotions"], json!([{ "identifier": "vip-5" }]));
        assert_eq!(num(&vip["total"]["discounts"][0]["amount"]), 50.0);
        let other = hydrate(&env, &t, input("regular")).await;
        assert_eq!(price(&other["items"][0]["price"]), (275.0, 220.0));
        assert_eq!(other["appliedPromotions"], json!([]));
        env.stop().await;
    }
}

#[tokio::test]
async fn rehydration_reuses_the_cart_and_keeps_unmanaged_lines() {
    for env in envs().await {
        let t = env.token(&["cart"]).await;
        let h = hydrate(
            &env,
            &t,
            json!({
            "items": [{ "sku": "robot-pink-standard" }, { "sku": "robot-red-standard" }],
            "customer": { "isGuest": true, "identifier": "c-1" },
            "meta": [{ "key": "channel", "value": "web" }] }),
        )
        .await;
        let id = h["id"].as_str().unwrap().to_string();
        // The caller takes over the red line's price: it is no longer managed.
        let changed = &env.ok("cart", &t, "mutation($id: UUID!, $input: CartItemPricingChangeType!) { changeCartItemPricing(id: $id, input: $input) { items { context price { gross net } } } }",
            json!({ "id": id, "input": { "sku": "robot-red-standard", "price": { "gross": 50, "net": 40 } } })).await["changeCartItemPricing"];
        assert_eq!(changed["items"][1]["context"]["managed"], false);
        assert_eq!(price(&changed["items"][1]["price"]), (50.0, 40.0));
        // Rehydrating by id: the items are replaced (pink is gone, the battery is new), the
        // unmanaged red line keeps its price and takes the new quantity, SKU items merge.
        let q = "mutation H($input: CartInput!) { hydrate(input: $input) { id items { quantity context variant { sku } price { gross net } } customer { identifier } meta } }";
        let h = &env.ok("cart", &t, q, json!({ "input": { "id": id, "items": [
            { "sku": "robot-battery-pack" }, { "sku": "robot-red-standard", "quantity": 2 }, { "sku": "robot-battery-pack", "quantity": 2 }
        ] } })).await["hydrate"];
        assert_eq!(h["id"], id.as_str());
        let lines: Vec<(String, i64, bool)> = h["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["variant"]["sku"].as_str().unwrap().to_string(),
                    l["quantity"].as_i64().unwrap(),
                    l["context"]["managed"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                ("robot-red-standard".into(), 2, false),
                ("robot-battery-pack".into(), 3, true)
            ]
        );
        assert_eq!(price(&h["items"][0]["price"]), (100.0, 80.0));
        // Customer and meta are kept when left out …
        assert_eq!(h["customer"]["identifier"], "c-1");
        assert_eq!(h["meta"], json!({ "channel": "web" }));
        // … and replaced when given.
        let h = &env.ok("cart", &t, q, json!({ "input": { "id": id, "items": [], "customer": { "isGuest": false, "identifier": "c-2" }, "meta": [] } })).await["hydrate"];
        assert_eq!(h["items"], json!([]));
        assert_eq!(h["customer"]["identifier"], "c-2");
        assert_eq!(h["meta"], json!({}));
        env.stop().await;
    }
}

const PLACE: &str = "mutation($id: UUID!) { place(id: $id) { state } }";
const PAY: &str = "mutation($id: UUID!) { pay(id: $id) { state } }";
const ABANDON: &str = "mutation($id: UUID!) { abandon(id: $id) { state } }";
const FULFILL: &str =
    "mutation($id: UUID!, $o: String!) { fulfill(id: $id, orderId: $o) { state orderId } }";
const ADD: &str = "mutation($id: UUID!, $sku: String!) { addSkuItem(id: $id, input: { sku: $sku }) { items { quantity } } }";
const INTENT: &str = "query($id: UUID!, $f: OrderIntentFormat) { orderIntent(id: $id, format: $f) { order cart { state } } }";

#[tokio::test]
async fn the_state_machine_makes_placed_carts_read_only() {
    for env in envs().await {
        let t = env.token(&["cart"]).await;
        let empty = hydrate(&env, &t, json!({})).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            env.err("cart", &t, PLACE, json!({ "id": empty })).await,
            "BAD_USER_INPUT"
        );

        let id = hydrate(
            &env,
            &t,
            json!({ "items": [{ "sku": "robot-pink-standard" }] }),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let v = json!({ "id": id });
        assert_eq!(env.err("cart", &t, INTENT, v.clone()).await, "CONFLICT");
        assert_eq!(env.err("cart", &t, PAY, v.clone()).await, "CONFLICT");
        assert_eq!(
            env.ok("cart", &t, PLACE, v.clone()).await["place"]["state"],
            "placed"
        );
        // Read-only now: every change of items, customer, context or prices is a CONFLICT.
        assert_eq!(
            env.err(
                "cart",
                &t,
                ADD,
                json!({ "id": id, "sku": "robot-red-standard" })
            )
            .await,
            "CONFLICT"
        );
        assert_eq!(
            env.err(
                "cart",
                &t,
                HYDRATE,
                json!({ "input": { "id": id, "items": [] } })
            )
            .await,
            "CONFLICT"
        );
        assert_eq!(
            env.err(
                "cart",
                &t,
                "mutation($id: UUID!) { setCustomer(id: $id, input: { isGuest: true }) { id } }",
                v.clone()
            )
            .await,
            "CONFLICT"
        );
        assert_eq!(env.err("cart", &t, "mutation($id: UUID!) { removeCartItem(id: $id, sku: \"robot-pink-standard\") { id } }", v.clone()).await, "CONFLICT");
        assert_eq!(env.err("cart", &t, ABANDON, v.clone()).await, "CONFLICT");
        // Meta may change in every state; placing again returns the cart unchanged.
        let m = env.ok("cart", &t, "mutation($id: UUID!) { setMeta(id: $id, meta: [{ key: \"psp\", value: \"ref-1\" }]) { meta } }", v.clone()).await;
        assert_eq!(m["setMeta"]["meta"]["psp"], "ref-1");
        assert_eq!(
            env.ok("cart", &t, PLACE, v.clone()).await["place"]["state"],
            "placed"
        );

        // Order intents, in both shapes.
        let core = &env.ok("cart", &t, INTENT, json!({ "id": id })).await["orderIntent"];
        assert_eq!(core["cart"]["state"], "placed");
        assert_eq!(num(&core["order"]["cart"][0]["price"]["taxAmount"]), 25.0);
        assert_eq!(num(&core["order"]["cart"][0]["subTotal"]["gross"]), 125.0);
        assert!(
            core["order"]["cart"][0]["imageUrl"]
                .as_str()
                .unwrap()
                .ends_with(".jpg")
        );
        let legacy = &env
            .ok("cart", &t, INTENT, json!({ "id": id, "f": "legacy" }))
            .await["orderIntent"];
        assert_eq!(
            legacy["order"]["cart"][0]["price"]["tax"],
            json!({ "name": "VAT", "percent": 25.0 })
        );
        assert!(legacy["order"]["cart"][0].get("subTotal").is_none());
        assert_eq!(
            legacy["order"]["meta"],
            json!([{ "key": "psp", "value": "ref-1" }, { "key": "cartId", "value": id }])
        );

        assert_eq!(
            env.ok("cart", &t, PAY, v.clone()).await["pay"]["state"],
            "paid"
        );
        assert_eq!(
            env.ok("cart", &t, PAY, v.clone()).await["pay"]["state"],
            "paid"
        );
        assert_eq!(env.err("cart", &t, PLACE, v.clone()).await, "CONFLICT");
        assert_eq!(
            env.err("cart", &t, FULFILL, json!({ "id": id, "o": " " }))
                .await,
            "BAD_USER_INPUT"
        );
        let f = env
            .ok("cart", &t, FULFILL, json!({ "id": id, "o": "o-1" }))
            .await;
        assert_eq!(
            f["fulfill"],
            json!({ "state": "ordered", "orderId": "o-1" })
        );
        assert_eq!(
            env.ok("cart", &t, FULFILL, json!({ "id": id, "o": "o-1" }))
                .await["fulfill"]["orderId"],
            "o-1"
        );
        assert_eq!(
            env.err("cart", &t, FULFILL, json!({ "id": id, "o": "o-2" }))
                .await,
            "CONFLICT"
        );

        let other = hydrate(
            &env,
            &t,
            json!({ "items": [{ "sku": "robot-red-standard" }] }),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let o = json!({ "id": other });
        assert_eq!(
            env.err("cart", &t, FULFILL, json!({ "id": other, "o": "o-3" }))
                .await,
            "CONFLICT"
        );
        assert_eq!(
            env.ok("cart", &t, ABANDON, o.clone()).await["abandon"]["state"],
            "abandoned"
        );
        assert_eq!(
            env.ok("cart", &t, ABANDON, o.clone()).await["abandon"]["state"],
            "abandoned"
        );
        assert_eq!(env.err("cart", &t, PLACE, o.clone()).await, "CONFLICT");
        assert_eq!(
            env.err(
                "cart",
                &t,
                ADD,
                json!({ "id": other, "sku": "robot-red-standard" })
            )
            .await,
            "CONFLICT"
        );

        let remove = "mutation($id: UUID!) { remove(id: $id) }";
        assert_eq!(env.ok("cart", &t, remove, o.clone()).await["remove"], true);
        assert_eq!(env.ok("cart", &t, remove, o.clone()).await["remove"], false);
        assert_eq!(
            env.ok(
                "cart",
                &t,
                "query($id: UUID!) { cart(id: $id) { id } }",
                o.clone()
            )
            .await["cart"],
            Value::Null
        );
        assert_eq!(env.err("cart", &t, PLACE, o.clone()).await, "NOT_FOUND");
        env.stop().await;
    }
}

#[tokio::test]
async fn bad_input_is_refused_with_a_named_reason() {
    for env in envs().await {
        let t = env.token(&["cart"]).await;
        let cases = [
            (
                json!({ "items": [{ "sku": "no-such-sku" }] }),
                "no-such-sku",
            ),
            (
                json!({ "items": [{ "sku": "robot-pink-standard", "quantity": 0 }] }),
                "quantity",
            ),
            (
                json!({ "items": [{ "sku": "robot-pink-standard", "taxRate": 1.5 }] }),
                "taxRate",
            ),
            (
                json!({ "items": [], "context": { "price": { "decimals": 2.5 } } }),
                "decimals",
            ),
            (
                json!({ "items": [], "context": { "price": { "decimals": 11 } } }),
                "decimals",
            ),
            (json!({ "items": [], "context": { "ttl": 0 } }), "ttl"),
            (json!({ "id": "not-a-uuid" }), "not-a-uuid"),
            (
                json!({ "items": [{ "sku": "robot-red-standard" }], "context": { "price": { "selectedVariantIdentifier": "sales" } } }),
                "robot-red-standard",
            ),
            (
                json!({ "externalItems": [{ "sku": "x", "name": "X", "variant": { "price": { "gross": 5, "net": 10 }, "product": { "id": "x", "path": "/x" } } }] }),
                "gross",
            ),
            (
                json!({ "externalItems": [{ "sku": "x", "name": "X", "variant": { "price": { "gross": -1, "net": -2 }, "product": { "id": "x", "path": "/x" } } }] }),
                "price",
            ),
            (
                json!({ "items": [{ "sku": "x" }], "externalItems": [{ "sku": "x", "name": "X", "variant": { "price": { "gross": 1, "net": 1 }, "product": { "id": "x", "path": "/x" } } }] }),
                "twice",
            ),
            (
                json!({ "items": (0..251).map(|i| json!({ "sku": format!("s{i}") })).collect::<Vec<_>>() }),
                "250",
            ),
        ];
        for (input, needle) in cases {
            let (_, body) = env
                .gql("demo", "cart", Some(&t), HYDRATE, json!({ "input": input }))
                .await;
            assert_eq!(
                code(&body).as_deref(),
                Some("BAD_USER_INPUT"),
                "{input}: {body}"
            );
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(needle), "{needle}: {message}");
        }
        let id = hydrate(
            &env,
            &t,
            json!({ "items": [{ "sku": "robot-pink-standard" }] }),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            env.err(
                "cart",
                &t,
                "mutation($id: UUID!) { addCartItem(id: $id, sku: \"robot-red-standard\") { id } }",
                json!({ "id": id })
            )
            .await,
            "NOT_FOUND"
        );
        assert_eq!(
            env.err(
                "cart",
                &t,
                "mutation($id: UUID!) { addCartItem(id: $id) { id } }",
                json!({ "id": id })
            )
            .await,
            "BAD_USER_INPUT"
        );
        assert_eq!(
            env.err("cart", &t, "mutation { place { id } }", json!({}))
                .await,
            "BAD_USER_INPUT"
        );
        assert_eq!(
            env.err("cart", &t, "{ cart { id } }", json!({})).await,
            "BAD_USER_INPUT"
        );
        assert_eq!(env.err("cart", &t, "mutation($id: UUID!) { addCartItem(id: $id, sku: \"robot-pink-standard\", quantity: 0) { id } }", json!({ "id": id })).await, "BAD_USER_INPUT");
        env.stop().await;
    }
}

#[tokio::test]
async fn carts_expire_after_three_months_without_update_and_go_stale() {
    for env in envs().await {
        // Tokens live 5 hours: a fresh one after each jump of the clock.
        let scopes = ["cart", "cart:admin"];
        let t = env.token(&scopes).await;
        let get = "query($id: UUID!) { cart(id: $id) { id isStale state expiresAt } }";
        let id = hydrate(
            &env,
            &t,
            json!({ "items": [{ "sku": "robot-pink-standard" }] }),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        env.clock.advance(89 * DAY);
        let t = env.token(&scopes).await;
        // A change restarts the 90 days.
        env.ok(
            "cart",
            &t,
            ADD,
            json!({ "id": id, "sku": "robot-pink-standard" }),
        )
        .await;
        env.clock.advance(89 * DAY);
        let t = env.token(&scopes).await;
        let c = env.ok("cart", &t, get, json!({ "id": id })).await;
        assert_eq!(c["cart"]["id"], id.as_str());
        env.clock.advance(DAY + 1);
        let t = env.token(&scopes).await;
        let c = env.ok("cart", &t, get, json!({ "id": id })).await;
        assert_eq!(c["cart"], Value::Null, "expired carts are gone");
        assert_eq!(
            env.err(
                "cart",
                &t,
                ADD,
                json!({ "id": id, "sku": "robot-pink-standard" })
            )
            .await,
            "NOT_FOUND"
        );
        let list = env
            .ok("cart/admin", &t, "{ carts { totalCount } }", json!({}))
            .await;
        assert_eq!(list["carts"]["totalCount"], 0, "the demo carts expired too");
        // The background sweep deletes them (run here at once rather than waited for).
        let (expired, _) = shopql_reference::apis::shop::sweep(&env.server.state)
            .await
            .unwrap();
        assert_eq!(expired, 3);

        // A context's own ttl, and staleness: stale after staleTtl, abandoned by the sweep.
        let h = hydrate(&env, &t, json!({ "items": [{ "sku": "robot-pink-standard" }], "context": { "ttl": 3600, "staleTtl": 60 } })).await;
        let id = h["id"].as_str().unwrap().to_string();
        env.clock.advance(61_000);
        let c = env.ok("cart", &t, get, json!({ "id": id })).await;
        assert_eq!(
            (c["cart"]["isStale"].as_bool(), c["cart"]["state"].as_str()),
            (Some(true), Some("cart"))
        );
        let (_, abandoned) = shopql_reference::apis::shop::sweep(&env.server.state)
            .await
            .unwrap();
        assert_eq!(abandoned, 1);
        let c = env.ok("cart", &t, get, json!({ "id": id })).await;
        assert_eq!(
            (c["cart"]["isStale"].as_bool(), c["cart"]["state"].as_str()),
            (Some(false), Some("abandoned"))
        );
        env.clock.advance(3_600_000);
        assert_eq!(
            env.ok("cart", &t, get, json!({ "id": id })).await["cart"],
            Value::Null
        );
        env.stop().await;
    }
}

#[tokio::test]
async fn the_cart_lifetime_is_configurable_and_swept_in_the_background() {
    let db = TestDatabase::sqlite();
    let clock = ManualClock::new(NOW);
    let config = Config {
        seed: false,
        cart_ttl_ms: 3_600_000,
        sweep_interval_ms: 20,
        ..Config::for_tests(&db.url)
    };
    let server = start_with_clock(config, Arc::new(clock.clone()))
        .await
        .unwrap();
    shopql_reference::apis::shop::seed_demo(&server.state)
        .await
        .unwrap();
    let env = Env {
        db,
        server,
        clock,
        http: reqwest::Client::new(),
    };
    let t = env.token(&["cart"]).await;
    let h = &env
        .ok(
            "cart",
            &t,
            "mutation { hydrate(input: {}) { id context } }",
            json!({}),
        )
        .await["hydrate"];
    assert_eq!(h["context"]["ttl"], 3600);
    env.clock.advance(3_600_000);
    // The background sweep (every 20 ms here) deletes the expired carts.
    let mut remaining = i64::MAX;
    for _ in 0..500 {
        remaining = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM shop_carts")
            .fetch_one(&env.server.state.store.pool)
            .await
            .unwrap();
        if remaining == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(remaining, 0);
    env.stop().await;
}

#[tokio::test]
async fn the_same_cart_placed_ten_times_at_once_is_placed_once() {
    for env in envs().await {
        let t = env.token(&["cart", "usage"]).await;
        let id = hydrate(
            &env,
            &t,
            json!({ "items": [{ "sku": "robot-pink-standard" }] }),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let env = Arc::new(env);
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (env, t, id) = (env.clone(), t.clone(), id.clone());
                tokio::spawn(async move {
                    env.gql("demo", "cart", Some(&t), PLACE, json!({ "id": id }))
                        .await
                })
            })
            .collect();
        for task in tasks {
            let (status, body) = task.await.unwrap();
            assert_eq!(status, 200);
            assert_eq!(body["data"]["place"]["state"], "placed", "{body}");
        }
        let usage = env
            .ok(
                "usage",
                &t,
                r#"{ usage(from: "2026-11-18", to: "2026-11-18") { total { cartsPlaced } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(usage["usage"]["total"]["cartsPlaced"], 1, "{}", env.label());
        Arc::into_inner(env).unwrap().stop().await;
    }
}

#[tokio::test]
async fn fifty_parallel_additions_to_one_cart_lose_none() {
    for env in envs().await {
        let t = env.token(&["cart"]).await;
        let id = hydrate(
            &env,
            &t,
            json!({ "items": [{ "sku": "robot-pink-standard" }] }),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let env = Arc::new(env);
        let add = "mutation($id: UUID!) { addCartItem(id: $id, sku: \"robot-pink-standard\", quantity: 1) { id } }";
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (env, t, id) = (env.clone(), t.clone(), id.clone());
                tokio::spawn(async move {
                    env.gql("demo", "cart", Some(&t), add, json!({ "id": id }))
                        .await
                })
            })
            .collect();
        for task in tasks {
            let (status, body) = task.await.unwrap();
            assert_eq!(status, 200);
            assert!(body.get("errors").is_none(), "{}: {body}", env.label());
        }
        let c = env
            .ok(
                "cart",
                &t,
                "query($id: UUID!) { cart(id: $id) { items { quantity } total { gross } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(c["cart"]["items"][0]["quantity"], 51, "{}", env.label());
        assert_eq!(num(&c["cart"]["total"]["gross"]), 51.0 * 125.0);
        Arc::into_inner(env).unwrap().stop().await;
    }
}
