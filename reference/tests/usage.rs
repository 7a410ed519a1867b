//! Usage counters: requests per tenant, UTC day, API and root field (refused requests are not
//! counted), carts hydrated/placed/paid; counted in memory, flushed with additive upserts so
//! that nodes add up, and reported as the table plus what is not flushed yet.

#![allow(clippy::unwrap_used)]

mod shop_support;

use serde_json::{Value, json};
use shop_support::{Env, HYDRATE, envs};
use shopql_reference::apis::shop::counters::{self, CartEvent, UsageCounters};

const REPORT: &str = "query($from: Date!, $to: Date!, $api: String) { usage(from: $from, to: $to, api: $api) { tenant from to days { date requests apis { api requests operations { operation requests } } cartsHydrated cartsPlaced cartsPaid } total { requests cartsHydrated cartsPlaced cartsPaid } } }";

async fn report(env: &Env, token: &str, from: &str, to: &str, api: Option<&str>) -> Value {
    env.ok(
        "usage",
        token,
        REPORT,
        json!({ "from": from, "to": to, "api": api }),
    )
    .await["usage"]
        .clone()
}

#[tokio::test]
async fn requests_are_counted_per_api_and_root_field() {
    for env in envs().await {
        let cart = env.token(&["cart"]).await;
        let all = env.token(&["cart", "cart:admin", "lock", "usage"]).await;
        let id = env
            .ok(
                "cart",
                &cart,
                HYDRATE,
                json!({ "input": { "items": [{ "sku": "robot-pink-standard" }] } }),
            )
            .await["hydrate"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        // A failing request is counted; a hydration that fails is not a hydrated cart.
        let (_, body) = env
            .gql(
                "demo",
                "cart",
                Some(&cart),
                HYDRATE,
                json!({ "input": { "items": [{ "sku": "nope" }] } }),
            )
            .await;
        assert!(body["errors"].is_array());
        // Aliases of one field count once; two fields count once each.
        env.ok("cart", &cart, "query($id: UUID!) { a: cart(id: $id) { id } b: cart(id: $id) { id } validateVoucher(voucher: \"x\") { isValid } }", json!({ "id": id })).await;
        env.ok(
            "cart",
            &cart,
            "mutation($id: UUID!) { place(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
        env.ok(
            "cart",
            &cart,
            "mutation($id: UUID!) { pay(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
        env.ok("lock", &all, "mutation { acquire(key: \"k\") }", json!({}))
            .await;
        env.ok(
            "cart/admin",
            &all,
            "{ promotions { identifier } }",
            json!({}),
        )
        .await;
        // Refused requests are not counted.
        env.gql(
            "demo",
            "cart",
            None,
            "{ cart(id: \"x\") { id } }",
            json!({}),
        )
        .await;
        env.gql(
            "demo",
            "lock",
            Some(&cart),
            "mutation { acquire(key: \"k\") }",
            json!({}),
        )
        .await;
        // The next day (with fresh tokens: they live 5 hours).
        env.clock.advance(24 * 3600 * 1000);
        let cart = env.token(&["cart"]).await;
        let all = env.token(&["cart", "cart:admin", "lock", "usage"]).await;
        env.ok(
            "cart",
            &cart,
            "query($id: UUID!) { cart(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;

        let r = report(&env, &all, "2026-11-17", "2026-11-20", None).await;
        assert_eq!(r["tenant"], "demo");
        let days = r["days"].as_array().unwrap();
        assert_eq!(days.len(), 4);
        assert_eq!(
            days[0],
            json!({ "date": "2026-11-17", "requests": 0, "apis": [], "cartsHydrated": 0, "cartsPlaced": 0, "cartsPaid": 0 })
        );
        let d = &days[1];
        assert_eq!(d["date"], "2026-11-18");
        assert_eq!(d["requests"], 7);
        assert_eq!(
            (
                d["cartsHydrated"].as_i64(),
                d["cartsPlaced"].as_i64(),
                d["cartsPaid"].as_i64()
            ),
            (Some(1), Some(1), Some(1))
        );
        assert_eq!(
            d["apis"],
            json!([
                { "api": "cart", "requests": 5, "operations": [
                    { "operation": "cart", "requests": 1 }, { "operation": "hydrate", "requests": 2 },
                    { "operation": "pay", "requests": 1 }, { "operation": "place", "requests": 1 },
                    { "operation": "validateVoucher", "requests": 1 } ] },
                { "api": "cart:admin", "requests": 1, "operations": [{ "operation": "promotions", "requests": 1 }] },
                { "api": "lock", "requests": 1, "operations": [{ "operation": "acquire", "requests": 1 }] }
            ])
        );
        // The report itself was counted after it ran.
        assert_eq!(days[2]["requests"], 1);
        assert_eq!(days[3]["requests"], 0);
        assert_eq!(
            r["total"],
            json!({ "requests": 8, "cartsHydrated": 1, "cartsPlaced": 1, "cartsPaid": 1 })
        );

        // Filtered by API: cart counters stay.
        let r = report(&env, &all, "2026-11-18", "2026-11-19", Some("lock")).await;
        assert_eq!(r["days"][0]["requests"], 1);
        assert_eq!(r["days"][0]["apis"].as_array().unwrap().len(), 1);
        assert_eq!(r["days"][0]["cartsHydrated"], 1);
        let r = report(&env, &all, "2026-11-18", "2026-11-19", Some("usage")).await;
        assert_eq!(
            r["total"]["requests"], 2,
            "the two reports before this one, on the 19th"
        );

        for (from, to, api) in [
            ("2026-11-18", "2026-11-17", None),
            ("2025-11-18", "2026-11-19", None),
            ("2026-13-01", "2026-12-01", None),
            ("2026-11-18", "2026-11-19", Some("orders")),
        ] {
            let (_, body) = env
                .gql(
                    "demo",
                    "usage",
                    Some(&all),
                    REPORT,
                    json!({ "from": from, "to": to, "api": api }),
                )
                .await;
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                "{from} {to}: {body}"
            );
        }
        // 366 days is the longest range.
        let r = report(&env, &all, "2025-11-19", "2026-11-19", None).await;
        assert_eq!(r["days"].as_array().unwrap().len(), 366);
        env.stop().await;
    }
}

#[tokio::test]
async fn flushed_counts_add_up_across_nodes() {
    for env in envs().await {
        let all = env.token(&["cart", "usage"]).await;
        for _ in 0..3 {
            env.ok("cart", &all, HYDRATE, json!({ "input": {} })).await;
        }
        // This node flushes: the table holds the counts, memory is empty.
        counters::flush(&env.server.state).await.unwrap();
        let stored = |op: &'static str| {
            let pool = env.server.state.store.pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>("SELECT n FROM shop_usage WHERE tenant = 'demo' AND day = '2026-11-18' AND api = '' AND operation = $1")
                    .bind(op)
                    .fetch_optional(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(stored("cartsHydrated").await, Some(3));
        // Another node with its own counters flushes into the same rows: they add up.
        let other = UsageCounters::default();
        for _ in 0..4 {
            other.count_cart_event("demo", shop_support::NOW, CartEvent::Hydrated);
        }
        other.count_request("demo", shop_support::NOW, "cart", ["hydrate"]);
        other.flush(&env.server.state.store).await.unwrap();
        assert_eq!(stored("cartsHydrated").await, Some(7));
        // More on this node, not flushed yet: the report adds memory to the table.
        env.ok("cart", &all, HYDRATE, json!({ "input": {} })).await;
        let r = report(&env, &all, "2026-11-18", "2026-11-18", None).await;
        assert_eq!(r["total"]["cartsHydrated"], 8);
        let cart = r["days"][0]["apis"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["api"] == "cart")
            .unwrap()
            .clone();
        assert_eq!(cart["requests"], 5);
        assert_eq!(
            cart["operations"],
            json!([{ "operation": "hydrate", "requests": 5 }])
        );
        counters::flush(&env.server.state).await.unwrap();
        assert_eq!(stored("cartsHydrated").await, Some(8));
        let again = report(&env, &all, "2026-11-18", "2026-11-18", None).await;
        assert_eq!(
            again["total"]["cartsHydrated"], 8,
            "flushing neither loses nor doubles"
        );

        // On shutdown the node flushes what is left.
        env.ok("cart", &all, HYDRATE, json!({ "input": {} })).await;
        // Stop the server but keep its database: the flush is done when `stop` returns (it
        // closes the pools after the background tasks' last step), so a new connection reads it.
        let Env { db, server, .. } = env;
        server.stop().await.unwrap();
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let n = sqlx::query_scalar::<_, i64>("SELECT n FROM shop_usage WHERE tenant = 'demo' AND api = '' AND operation = 'cartsHydrated'")
            .fetch_optional(&pool)
            .await
            .unwrap();
        pool.close().await;
        assert_eq!(n, Some(9), "{}", db.label());
    }
}
