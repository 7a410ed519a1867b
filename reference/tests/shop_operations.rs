//! Every operation document of `schemas/operations/{shop,cart-admin,lock,usage}/` runs against
//! the reference server with its own variables, in an order that follows the cart's state
//! machine; the seed's two examples (hydrate, setPromotions) run verbatim and their figures are
//! checked by hand.

#![allow(clippy::unwrap_used)]

mod shop_support;

use serde_json::{Value, json};
use shop_support::{Env, envs, num, operation};

thread_local! {
    /// The operation documents run so far (api/name).
    static RAN: std::cell::RefCell<std::collections::BTreeSet<String>> = Default::default();
}

/// Every operation document of the shop family's four APIs (api/name).
fn all_documents() -> std::collections::BTreeSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/operations");
    let mut out = std::collections::BTreeSet::new();
    for api in ["shop", "cart-admin", "lock", "usage"] {
        for entry in std::fs::read_dir(root.join(api)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().to_string();
            if let Some(stem) = name.strip_suffix(".graphql") {
                out.insert(format!("{api}/{stem}"));
            }
        }
    }
    out
}

/// Runs an operation document with its variables; returns `data`.
async fn run(env: &Env, api: &str, name: &str, token: &str) -> Value {
    RAN.with(|r| r.borrow_mut().insert(format!("{api}/{name}")));
    let (query, vars) = operation(api, name);
    let path = match api {
        "shop" => "cart",
        "cart-admin" => "cart/admin",
        other => other,
    };
    let (status, body) = env.gql("demo", path, Some(token), &query, vars).await;
    assert_eq!(status, 200, "{} {api}/{name}: {body}", env.label());
    assert!(
        body.get("errors").is_none(),
        "{} {api}/{name}: {body}",
        env.label()
    );
    body["data"].clone()
}

/// The seed's `setPromotions` example, character for character.
const SEED_SET_PROMOTIONS: &str = r#"mutation {
  setPromotions (input: [
    {
      identifier: "Promotions"
      periods: [
        {
          start: "1999-02-12T20:00:00Z", 
          end: "2189-02-12T20:00:00Z"
        }
      ]
     	triggers: {
        skus: [
          "smeg-robot-pink-standard", 
        ]
      }
      targets: {
        skus: [
          "smeg-robot-red-standard"
        ]
      }
      mechanism: {
        type: Percentage
        value:45
      }
      limitations: {
        repeatable: false
      }
    }
  ]){
    identifier
  }
}"#;

#[tokio::test]
async fn the_seed_examples_run_verbatim() {
    for env in envs().await {
        let cart = env.token(&["cart"]).await;
        let admin = env.token(&["cart:admin"]).await;

        // Hydration: pink 1 × 100 net at 25 %, red 3 × 110 net at the item's 5 %, shipping as given.
        let data = run(&env, "shop", "hydrate_cart", &cart).await;
        let h = &data["hydrate"];
        assert_eq!(h["state"], "cart");
        let items = h["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0]["variant"]["sku"], "robot-pink-standard");
        assert_eq!(items[0]["name"], "Robot pink standard");
        assert_eq!(
            (
                num(&items[0]["price"]["gross"]),
                num(&items[0]["price"]["net"])
            ),
            (125.0, 100.0)
        );
        // 330 × 1.05 = 346.5, rounded half away from zero with the default 0 decimals.
        assert_eq!(
            (
                num(&items[1]["price"]["gross"]),
                num(&items[1]["price"]["net"])
            ),
            (347.0, 330.0)
        );
        assert_eq!(num(&items[1]["price"]["taxAmount"]), 17.0);
        assert_eq!(items[2]["name"], "Shipping with Fedex");
        assert_eq!(
            (
                num(&items[2]["price"]["gross"]),
                num(&items[2]["price"]["net"])
            ),
            (120.0, 100.0)
        );
        let total = &h["total"];
        assert_eq!(
            (
                num(&total["gross"]),
                num(&total["net"]),
                num(&total["taxAmount"])
            ),
            (592.0, 530.0, 62.0)
        );
        assert_eq!(total["currency"], "eur");
        assert_eq!(total["discounts"], json!([]));
        let id = h["id"].as_str().unwrap().to_string();
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);

        // setPromotions, as printed in the seed.
        let (status, body) = env
            .gql(
                "demo",
                "cart/admin",
                Some(&admin),
                SEED_SET_PROMOTIONS,
                json!({}),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            body["data"]["setPromotions"],
            json!([{ "identifier": "Promotions" }]),
            "{body}"
        );

        // It applies at the next hydration: 45 % off one smeg-robot-red-standard (not
        // repeatable), triggered by smeg-robot-pink-standard.
        let (_, body) = env
            .gql(
                "demo",
                "cart",
                Some(&cart),
                shop_support::HYDRATE,
                json!({ "input": { "id": id, "items": [
                    { "sku": "smeg-robot-pink-standard", "quantity": 1 },
                    { "sku": "smeg-robot-red-standard", "quantity": 2 }
                ] } }),
            )
            .await;
        let h = &body["data"]["hydrate"];
        assert_eq!(h["id"], id.as_str(), "the cart is reused by id: {body}");
        let red = &h["items"][1];
        // 2 × 275 gross = 550; 45 % of one unit = 123.75 → 426.25 → 426; net 341.
        assert_eq!(
            (num(&red["price"]["gross"]), num(&red["price"]["net"])),
            (426.0, 341.0)
        );
        assert_eq!(num(&red["price"]["discounts"][0]["amount"]), 124.0);
        assert_eq!(num(&red["price"]["discounts"][0]["percent"]), 22.5);
        assert_eq!(
            h["appliedPromotions"],
            json!([{ "identifier": "Promotions" }])
        );
        assert_eq!(num(&h["total"]["gross"]), 676.0);
        env.stop().await;
    }
}

#[tokio::test]
async fn every_operation_document_runs_in_order() {
    for env in envs().await {
        let cart = env.token(&["cart"]).await;
        let admin = env.token(&["cart:admin"]).await;
        let lock = env.token(&["lock"]).await;
        let usage = env.token(&["usage"]).await;

        let d = run(&env, "cart-admin", "set_promotions", &admin).await;
        assert_eq!(d["setPromotions"][0]["identifier"], "Promotions");
        let d = run(&env, "cart-admin", "set_voucher_promotion", &admin).await;
        let p = &d["setPromotions"][0];
        assert_eq!(p["identifier"], "welcome-10");
        assert_eq!(
            p["conditions"],
            json!({ "voucherCodes": ["WELCOME10"], "customerGroups": ["vip"] })
        );
        assert_eq!(p["periods"][0]["start"], "2026-01-01T00:00:00.000Z");
        let d = run(&env, "cart-admin", "list_promotions", &admin).await;
        let ids: Vec<&str> = d["promotions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["identifier"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec!["Promotions", "welcome-10"]);

        let d = run(&env, "shop", "hydrate_cart", &cart).await;
        assert_eq!(num(&d["hydrate"]["total"]["gross"]), 592.0);

        // Decimals 2, compare-at `retail`, market `no`, group `vip`, voucher WELCOME10.
        let d = run(&env, "shop", "hydrate_cart_with_context", &cart).await;
        let h = &d["hydrate"];
        let pink = &h["items"][0];
        // Market `no`: the lowest of its price lists, 95 net → 118.75 gross; compare-at retail
        // 120 net → 150 gross (−31.25, 20.83 %); welcome-10 takes 10 more (8.42 %).
        assert_eq!(num(&pink["variant"]["compareAtPrice"]["gross"]), 150.0);
        assert_eq!(
            (num(&pink["price"]["gross"]), num(&pink["price"]["net"])),
            (108.75, 87.0)
        );
        let discounts: Vec<(f64, f64)> = pink["price"]["discounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (num(&x["amount"]), num(&x["percent"])))
            .collect();
        assert_eq!(discounts, vec![(31.25, 20.83), (10.0, 8.42)]);
        let red = &h["items"][2];
        // 275 gross, retail 325 (−50), then 45 % of 275 (−123.75) → 151.25, net 121.
        assert_eq!(
            (num(&red["price"]["gross"]), num(&red["price"]["net"])),
            (151.25, 121.0)
        );
        let applied: Vec<&str> = h["appliedPromotions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["identifier"].as_str().unwrap())
            .collect();
        assert_eq!(applied, vec!["Promotions", "welcome-10"]);
        assert_eq!(h["context"]["price"]["decimals"], 2);
        assert_eq!(h["context"]["ttl"], 2_592_000);
        assert_eq!(h["customer"]["email"], "buyer@example.com");

        let d = run(&env, "shop", "validate_voucher", &cart).await;
        assert_eq!(d["validateVoucher"]["isValid"], true);
        assert_eq!(
            d["validateVoucher"]["promotions"][0]["identifier"],
            "welcome-10"
        );

        // The demo cart …0001 (robot-pink-standard × 1) through every item mutation.
        let d = run(&env, "shop", "get_cart", &cart).await;
        assert_eq!(d["cart"]["state"], "cart");
        assert_eq!(
            d["cart"]["items"][0]["variant"]["sku"],
            "robot-pink-standard"
        );
        assert!(
            d["cart"]["items"][0]["images"][0]["url"]
                .as_str()
                .unwrap()
                .starts_with("https://")
        );
        let d = run(&env, "shop", "add_sku_item", &cart).await;
        assert_eq!(d["addSkuItem"]["items"][1]["quantity"], 2);
        let d = run(&env, "shop", "add_cart_item", &cart).await;
        assert_eq!(d["addCartItem"]["items"][0]["quantity"], 2);
        let d = run(&env, "shop", "remove_cart_item", &cart).await;
        assert_eq!(d["removeCartItem"]["items"][1]["quantity"], 1);
        let d = run(&env, "shop", "add_external_item", &cart).await;
        let ext = &d["addExternalItem"]["items"][2];
        assert_eq!(ext["context"]["origin"], "external");
        assert_eq!(ext["context"]["managed"], false);
        let d = run(&env, "shop", "set_cart_item", &cart).await;
        let pink = &d["setCartItem"]["items"][0];
        assert_eq!(pink["name"], "Robot (pink, gift edition)");
        assert_eq!(pink["context"]["managed"], false);
        assert_eq!(pink["context"]["origin"], "crystallize");
        assert_eq!(num(&pink["price"]["gross"]), 90.0);
        let d = run(&env, "shop", "change_cart_item_pricing", &cart).await;
        let red = &d["changeCartItemPricing"]["items"][1];
        assert_eq!(red["context"]["managed"], false);
        assert_eq!(
            (num(&red["price"]["gross"]), num(&red["price"]["net"])),
            (200.0, 160.0)
        );
        assert_eq!(num(&red["price"]["discounts"][0]["amount"]), 50.0);
        let total = &d["changeCartItemPricing"]["total"];
        assert_eq!((num(&total["gross"]), num(&total["net"])), (410.0, 332.0));
        let d = run(&env, "shop", "set_customer", &cart).await;
        assert_eq!(
            d["setCustomer"]["customer"]["addresses"][0]["type"],
            "delivery"
        );
        let d = run(&env, "shop", "set_meta", &cart).await;
        assert_eq!(d["setMeta"]["paymentReference"], "pi_3Nexample");
        let d = run(&env, "shop", "place_cart", &cart).await;
        assert_eq!(d["place"]["state"], "placed");
        assert_eq!(num(&d["place"]["total"]["gross"]), 410.0);
        let d = run(&env, "shop", "order_intent", &cart).await;
        let order = &d["orderIntent"]["order"];
        assert_eq!(order["cart"].as_array().unwrap().len(), 3);
        assert_eq!(num(&order["total"]["gross"]), 410.0);
        assert!(order["cart"][0]["subTotal"]["taxAmount"].is_number());
        assert_eq!(order["customer"]["identifier"], "buyer@example.com");
        assert!(
            order["meta"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["key"] == "cartId")
        );
        let d = run(&env, "shop", "pay_cart", &cart).await;
        assert_eq!(d["pay"]["state"], "paid");
        let d = run(&env, "shop", "fulfill_cart", &cart).await;
        assert_eq!(
            (
                d["fulfill"]["state"].as_str(),
                d["fulfill"]["orderId"].as_str()
            ),
            (Some("ordered"), Some("order-1001"))
        );

        let d = run(&env, "cart-admin", "get_cart", &admin).await;
        assert_eq!(d["cart"]["state"], "ordered");
        assert_eq!(d["cart"]["meta"]["paymentReference"], "pi_3Nexample");
        // State `cart`, with items, updated before 2026-11-21: the demo cart …0002 and the two
        // hydrated above.
        let d = run(&env, "cart-admin", "list_carts", &admin).await;
        assert_eq!(d["carts"]["totalCount"], 3);
        assert_eq!(d["carts"]["pageInfo"]["hasNextPage"], false);
        let d = run(&env, "cart-admin", "list_carts_nodes", &admin).await;
        assert_eq!(d["carts"]["totalCount"], 2);

        let d = run(&env, "usage", "get_usage", &usage).await;
        let t = &d["usage"]["total"];
        assert_eq!(
            (
                t["cartsHydrated"].as_i64(),
                t["cartsPlaced"].as_i64(),
                t["cartsPaid"].as_i64()
            ),
            (Some(2), Some(1), Some(1))
        );
        assert_eq!(d["usage"]["days"].as_array().unwrap().len(), 30);
        let day = d["usage"]["days"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["date"] == "2026-11-18")
            .unwrap();
        let cart_api = day["apis"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["api"] == "cart")
            .unwrap();
        assert_eq!(cart_api["requests"], 16);
        assert!(
            cart_api["operations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["operation"] == "hydrate" && o["requests"] == 2),
            "{cart_api}"
        );

        let d = run(&env, "lock", "acquire_lock", &lock).await;
        assert_eq!(d["acquire"], true);
        let d = run(&env, "lock", "lock_status", &lock).await;
        assert_eq!(
            (
                d["lock"]["held"].as_bool(),
                d["lock"]["heldByCaller"].as_bool()
            ),
            (Some(true), Some(true))
        );
        let d = run(&env, "lock", "release_lock", &lock).await;
        assert_eq!(d["release"], true);

        let d = run(&env, "shop", "remove_cart", &cart).await;
        assert_eq!(d["remove"], true);
        // The id is free again: hydrating it starts a new cart, which is then abandoned.
        let (_, body) = env
            .gql("demo", "cart", Some(&cart), shop_support::HYDRATE,
                json!({ "input": { "id": "00000000-0000-4000-8000-000000000001", "items": [{ "sku": "robot-pink-standard" }] } }))
            .await;
        assert_eq!(body["data"]["hydrate"]["state"], "cart", "{body}");
        let d = run(&env, "shop", "abandon_cart", &cart).await;
        assert_eq!(d["abandon"]["state"], "abandoned");

        let d = run(&env, "cart-admin", "remove_carts", &admin).await;
        assert_eq!(d["removeCarts"], 2);
        let d = run(&env, "cart-admin", "remove_promotions", &admin).await;
        assert_eq!(d["removePromotions"], 1);
        env.stop().await;
    }
    // A new operation document must join this walk.
    assert_eq!(RAN.with(|r| r.borrow().clone()), all_documents());
}
