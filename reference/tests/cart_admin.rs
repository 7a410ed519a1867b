//! The cart-admin endpoint: listing carts with filters and cursor pagination, reading and
//! removing carts, and setting, listing and removing promotions (all or nothing).

#![allow(clippy::unwrap_used)]

mod shop_support;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use shop_support::{Env, HYDRATE, envs};

const LIST: &str = "query($filter: CartFilterInput, $first: Int, $after: String) { carts(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id state updatedAt } } nodes { id } } }";

async fn hydrate(env: &Env, token: &str, input: Value) -> String {
    env.ok("cart", token, HYDRATE, json!({ "input": input }))
        .await["hydrate"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn carts_are_listed_filtered_and_paged_newest_first() {
    for env in envs().await {
        let t = env.token(&["cart", "cart:admin"]).await;
        let admin = env.token(&["cart:admin"]).await;
        // The two demo carts were updated at NOW; 25 more follow, one second apart.
        let mut ids = Vec::new();
        for i in 0..25 {
            env.clock.advance(1000);
            let items = if i % 5 == 0 {
                json!([])
            } else {
                json!([{ "sku": "robot-pink-standard" }])
            };
            let customer = if i % 2 == 0 {
                json!({ "isGuest": false, "identifier": "even" })
            } else {
                json!({ "isGuest": true })
            };
            ids.push(hydrate(&env, &t, json!({ "items": items, "customer": customer })).await);
        }
        let place = "mutation($id: UUID!) { place(id: $id) { state } }";
        env.clock.advance(1000);
        env.ok("cart", &t, place, json!({ "id": ids[1] })).await;
        env.clock.advance(1000);
        env.ok("cart", &t, place, json!({ "id": ids[2] })).await;

        // Pages of 10 walk all 27 carts, newest update first, each exactly once.
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let d = env
                .ok(
                    "cart/admin",
                    &admin,
                    LIST,
                    json!({ "first": 10, "after": after }),
                )
                .await;
            let c = &d["carts"];
            assert_eq!(c["totalCount"], 27);
            let page: Vec<String> = c["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap().to_string())
                .collect();
            let nodes: Vec<String> = c["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(page, nodes);
            seen.extend(page);
            pages += 1;
            if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = Some(c["pageInfo"]["endCursor"].as_str().unwrap().to_string());
        }
        assert_eq!(pages, 3);
        assert_eq!(seen.len(), 27);
        assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 27);
        // The placed carts were updated last, so they come first.
        assert_eq!(&seen[..2], &[ids[2].clone(), ids[1].clone()]);

        let count = |filter: Value| {
            let env = &env;
            let admin = admin.clone();
            async move {
                env.ok("cart/admin", &admin, LIST, json!({ "filter": filter }))
                    .await["carts"]["totalCount"]
                    .as_i64()
                    .unwrap()
            }
        };
        assert_eq!(count(json!({ "state": "placed" })).await, 2);
        assert_eq!(count(json!({ "state": "cart" })).await, 25);
        assert_eq!(count(json!({ "hasItems": false })).await, 5);
        assert_eq!(count(json!({ "hasItems": true })).await, 22);
        assert_eq!(count(json!({ "customerIdentifier": "even" })).await, 13);
        assert_eq!(
            count(json!({ "customerIdentifier": "buyer@example.com" })).await,
            2
        );
        // Abandoned-cart style: still `cart` and not updated since a given time: the demo carts
        // and the carts of seconds 1..=14 but the two placed later.
        assert_eq!(
            count(json!({ "state": "cart", "updatedBefore": "2026-11-18T00:00:15Z" })).await,
            2 + 14 - 2
        );
        assert_eq!(
            count(json!({ "updatedAfter": "2026-11-18T00:00:20Z" })).await,
            6 + 2
        );
        assert_eq!(
            count(json!({ "state": "cart", "hasItems": true, "customerIdentifier": "even" })).await,
            13 - 3 - 1
        );

        // Bad pages and cursors.
        for (vars, needle) in [
            (json!({ "first": 0 }), "first"),
            (json!({ "first": 101 }), "first"),
            (json!({ "after": "garbage!" }), "cursor"),
            (
                json!({ "filter": { "updatedBefore": "yesterday" } }),
                "updatedBefore",
            ),
        ] {
            let (_, body) = env
                .gql("demo", "cart/admin", Some(&admin), LIST, vars)
                .await;
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                "{body}"
            );
            assert!(
                body["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains(needle)
            );
        }
        let d = env
            .ok("cart/admin", &admin, LIST, json!({ "first": 100 }))
            .await;
        assert_eq!(d["carts"]["edges"].as_array().unwrap().len(), 27);

        // One cart, and removal.
        let d = env
            .ok(
                "cart/admin",
                &admin,
                "query($id: UUID!) { cart(id: $id) { id state items { quantity } } }",
                json!({ "id": ids[1] }),
            )
            .await;
        assert_eq!(d["cart"]["state"], "placed");
        let remove = "mutation($ids: [UUID!]!) { removeCarts(ids: $ids) }";
        let d = env
            .ok(
                "cart/admin",
                &admin,
                remove,
                json!({ "ids": [ids[0], ids[1], ids[1], "00000000-0000-4000-8000-0000000000ff"] }),
            )
            .await;
        assert_eq!(d["removeCarts"], 2);
        let d = env
            .ok(
                "cart/admin",
                &admin,
                "query($id: UUID!) { cart(id: $id) { id } }",
                json!({ "id": ids[1] }),
            )
            .await;
        assert_eq!(d["cart"], Value::Null);
        assert_eq!(
            env.err("cart/admin", &admin, remove, json!({ "ids": ["nope"] }))
                .await,
            "BAD_USER_INPUT"
        );
        let many: Vec<String> = (0..1001)
            .map(|_| uuid::Uuid::new_v4().to_string())
            .collect();
        assert_eq!(
            env.err("cart/admin", &admin, remove, json!({ "ids": many }))
                .await,
            "BAD_USER_INPUT"
        );
        env.stop().await;
    }
}

const SET: &str = "mutation($input: [PromotionInput!]!) { setPromotions(input: $input) { identifier name periods { start end } triggers { skus } targets { skus } mechanism { type value } limitations { repeatable } conditions { voucherCodes customerGroups } } }";
const PROMOTIONS: &str = "{ promotions { identifier name mechanism { type value } } }";

#[tokio::test]
async fn promotions_upsert_all_or_nothing_and_apply_at_the_next_computation() {
    for env in envs().await {
        let t = env.token(&["cart", "cart:admin"]).await;
        let d = env.ok("cart/admin", &t, SET, json!({ "input": [
            { "identifier": "b-3for2", "mechanism": { "type": "XforY", "value": 3 }, "limitations": { "repeatable": true } },
            { "identifier": "a-half", "name": "Half", "targets": { "skus": ["robot-red-standard"] }, "triggers": { "skus": [] },
              "mechanism": { "type": "Percentage", "value": 50 } }
        ] })).await;
        let set = d["setPromotions"].as_array().unwrap();
        assert_eq!(set[0]["identifier"], "b-3for2", "input order");
        assert_eq!(
            set[1]["triggers"],
            Value::Null,
            "an empty trigger list needs no trigger"
        );
        assert_eq!(set[1]["limitations"]["repeatable"], false);
        assert_eq!(set[1]["conditions"], Value::Null);
        let d = env.ok("cart/admin", &t, PROMOTIONS, json!({})).await;
        let ids: Vec<&str> = d["promotions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["identifier"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec!["a-half", "b-3for2"]);

        // Both apply: a-half takes 50 % off one red unit, then 3-for-2 frees the cheapest of
        // the first three units (the discounted red one, 68.75 gross left).
        let h = &env.ok("cart", &t, HYDRATE, json!({ "input": { "items": [
            { "sku": "robot-red-standard", "quantity": 1 }, { "sku": "robot-pink-standard", "quantity": 2 } ] } })).await["hydrate"];
        let applied: Vec<&str> = h["appliedPromotions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["identifier"].as_str().unwrap())
            .collect();
        assert_eq!(applied, vec!["a-half", "b-3for2"]);
        assert_eq!(h["items"][0]["price"]["gross"], 0.0);
        assert_eq!(h["total"]["gross"], 250.0);

        // Upsert replaces a promotion as a whole and keeps the others.
        env.ok("cart/admin", &t, SET, json!({ "input": [{ "identifier": "a-half", "mechanism": { "type": "Fixed", "value": 1 } }] })).await;
        let d = env.ok("cart/admin", &t, PROMOTIONS, json!({})).await;
        assert_eq!(
            d["promotions"][0],
            json!({ "identifier": "a-half", "name": null, "mechanism": { "type": "Fixed", "value": 1.0 } })
        );
        assert_eq!(d["promotions"].as_array().unwrap().len(), 2);

        // All or nothing: one bad input and nothing is stored.
        let bad = [
            json!({ "identifier": "", "mechanism": { "type": "Fixed", "value": 1 } }),
            json!({ "identifier": "p", "mechanism": { "type": "Percentage", "value": 120 } }),
            json!({ "identifier": "f", "mechanism": { "type": "Fixed", "value": -1 } }),
            json!({ "identifier": "d", "mechanism": { "type": "DynamicFixed", "value": -1 } }),
            json!({ "identifier": "x", "mechanism": { "type": "XforY", "value": 1.5 } }),
            json!({ "identifier": "x", "mechanism": { "type": "XforY", "value": 1 } }),
            json!({ "identifier": "t", "periods": [{ "start": "2026-02-01T00:00:00Z", "end": "2026-01-01T00:00:00Z" }], "mechanism": { "type": "Fixed", "value": 1 } }),
            json!({ "identifier": "t", "periods": [{ "start": "soon" }], "mechanism": { "type": "Fixed", "value": 1 } }),
        ];
        for b in bad {
            let input = json!([{ "identifier": "new-one", "mechanism": { "type": "Fixed", "value": 1 } }, b]);
            assert_eq!(
                env.err("cart/admin", &t, SET, json!({ "input": input }))
                    .await,
                "BAD_USER_INPUT",
                "{input}"
            );
        }
        let twice = json!([{ "identifier": "dup", "mechanism": { "type": "Fixed", "value": 1 } }, { "identifier": "dup", "mechanism": { "type": "Fixed", "value": 2 } }]);
        assert_eq!(
            env.err("cart/admin", &t, SET, json!({ "input": twice }))
                .await,
            "BAD_USER_INPUT"
        );
        let d = env.ok("cart/admin", &t, PROMOTIONS, json!({})).await;
        assert_eq!(
            d["promotions"].as_array().unwrap().len(),
            2,
            "nothing of the refused inputs was stored"
        );

        let d = env
            .ok(
                "cart/admin",
                &t,
                "mutation { removePromotions(identifiers: [\"a-half\", \"unknown\"]) }",
                json!({}),
            )
            .await;
        assert_eq!(d["removePromotions"], 1);
        let d = env.ok("cart/admin", &t, PROMOTIONS, json!({})).await;
        assert_eq!(d["promotions"].as_array().unwrap().len(), 1);

        // Voucher validation only lists promotions active now that accept the code.
        env.ok("cart/admin", &t, SET, json!({ "input": [
            { "identifier": "v-now", "mechanism": { "type": "Fixed", "value": 5 }, "conditions": { "voucherCodes": ["SPRING"] } },
            { "identifier": "v-past", "periods": [{ "end": "2026-01-01T00:00:00Z" }], "mechanism": { "type": "Fixed", "value": 5 }, "conditions": { "voucherCodes": ["spring"] } }
        ] })).await;
        let v = "query($v: String!) { validateVoucher(voucher: $v) { isValid promotions { identifier } } }";
        let d = env.ok("cart", &t, v, json!({ "v": " spring " })).await;
        assert_eq!(
            d["validateVoucher"],
            json!({ "isValid": true, "promotions": [{ "identifier": "v-now" }] })
        );
        let d = env.ok("cart", &t, v, json!({ "v": "WINTER" })).await;
        assert_eq!(
            d["validateVoucher"],
            json!({ "isValid": false, "promotions": [] })
        );
        env.stop().await;
    }
}

/// `totalCount` adds per-day counters kept by triggers to the rows of the partial days at a
/// filter's edges, minus expired carts not swept yet. Carts spread over five days, then moved
/// (state, emptiness, customer, a later day), removed, and some expired: for every filter the
/// count must equal the carts a walk of all its pages finds (the pages never read the counters).
#[tokio::test]
async fn counts_stay_exact_across_days_changes_removals_and_expiry() {
    const HOUR: i64 = 3_600_000;
    let at = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    for env in envs().await {
        let start = shop_support::NOW;
        let mut ids = Vec::new();
        // 40 carts, one every 3 hours (five days); every seventh expires after 4 hours.
        let mut t = String::new();
        for i in 0..40 {
            env.clock.advance(3 * HOUR);
            // Tokens live an hour: a fresh one for each step of the clock.
            t = env.token(&["cart"]).await;
            let items = if i % 4 == 0 {
                json!([])
            } else {
                json!([{ "sku": "robot-pink-standard" }])
            };
            let customer = if i % 3 == 0 {
                json!({ "isGuest": false, "identifier": "third" })
            } else {
                json!({ "isGuest": true })
            };
            let mut input = json!({ "items": items, "customer": customer });
            if i % 7 == 0 {
                input["context"] = json!({ "ttl": 4 * 3600 });
            }
            ids.push(hydrate(&env, &t, input).await);
        }
        let place = "mutation($id: UUID!) { place(id: $id) { state } }";
        for id in [&ids[5], &ids[17], &ids[30]] {
            env.ok("cart", &t, place, json!({ "id": id })).await;
        }
        // Moves: an empty cart gets an item and a customer (and today's date).
        for id in [&ids[4], &ids[8]] {
            let input = json!({ "id": id, "items": [{ "sku": "robot-pink-standard" }], "customer": { "isGuest": false, "identifier": "third" } });
            hydrate(&env, &t, input).await;
        }
        let admin = env.token(&["cart:admin"]).await;
        let remove = "mutation($ids: [UUID!]!) { removeCarts(ids: $ids) }";
        env.ok(
            "cart/admin",
            &admin,
            remove,
            json!({ "ids": [ids[1], ids[22]] }),
        )
        .await;
        env.clock.advance(HOUR);

        let end = start + 41 * 3 * HOUR;
        let times = [
            None,
            Some(start),
            Some(start + 24 * HOUR),
            Some(start + 24 * HOUR + 1),
            Some(start + 50 * HOUR),
            Some(start + 72 * HOUR - 1),
            Some(start + 96 * HOUR),
            Some(end),
        ];
        let mut cases = 0;
        for (a, after) in times.iter().enumerate() {
            for before in &times[a..] {
                for (k, (state, has, customer)) in [
                    (None, None, None),
                    (Some("cart"), Some(true), None),
                    (Some("placed"), None, None),
                    (None, Some(false), None),
                    (None, None, Some("third")),
                    (Some("cart"), Some(true), Some("third")),
                ]
                .into_iter()
                .enumerate()
                {
                    if (a + k) % 2 == 1 && before.is_some() && after.is_some() {
                        continue;
                    }
                    let mut filter = json!({});
                    if let Some(t) = after {
                        filter["updatedAfter"] = json!(at(*t));
                    }
                    if let Some(t) = before {
                        filter["updatedBefore"] = json!(at(*t));
                    }
                    if let Some(s) = state {
                        filter["state"] = json!(s);
                    }
                    if let Some(h) = has {
                        filter["hasItems"] = json!(h);
                    }
                    if let Some(c) = customer {
                        filter["customerIdentifier"] = json!(c);
                    }
                    let mut walked = 0;
                    let mut total = None;
                    let mut cursor: Option<String> = None;
                    loop {
                        let vars = json!({ "filter": filter, "first": 100, "after": cursor });
                        let d = env.ok("cart/admin", &admin, LIST, vars).await;
                        let c = &d["carts"];
                        total.get_or_insert(c["totalCount"].as_i64().unwrap());
                        walked += c["edges"].as_array().unwrap().len() as i64;
                        if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                            break;
                        }
                        cursor = Some(c["pageInfo"]["endCursor"].as_str().unwrap().to_string());
                    }
                    assert_eq!(total, Some(walked), "{} {filter}", env.label());
                    cases += 1;
                }
            }
        }
        assert!(cases > 50, "{cases}");
        // Not a vacuous match: the two demo carts and the 40, less 2 removed and the 6 expired.
        let d = env.ok("cart/admin", &admin, LIST, json!({})).await;
        assert_eq!(d["carts"]["totalCount"], 2 + 40 - 2 - 6);
        env.stop().await;
    }
}
