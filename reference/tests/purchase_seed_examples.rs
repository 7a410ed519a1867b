//! Every operation of `schemas/operations/purchase/` (the seed's examples, with the fixes each
//! file documents, and shopql's additions) run as stored against the reference server, in an
//! order that makes each one meaningful, on SQLite and PostgreSQL; the answers are checked to
//! the cent.

#![allow(clippy::unwrap_used)]

mod purchase_support;

use std::collections::BTreeSet;

use purchase_support::*;
use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;

const CHECK: &str = r#"
query Check($userId: String) {
  cart(storeId: "Electronics", userId: $userId, currencyCode: "USD") {
    id
    items { id productId quantity note dynamicProperties { name value valueType } }
    shipments {
      id shipmentMethodCode shipmentMethodOption fulfillmentCenterId height price { amount }
      dynamicProperties { name value valueType dictionaryItem { id name label } }
    }
    payments { id paymentGatewayCode outerId price { amount } amount { amount } dynamicProperties { name value } }
    coupons { code isAppliedSuccessfully }
    discountTotal { amount }
    taxTotal { amount }
    total { amount }
  }
}"#;

struct Run<'a> {
    api: &'a Api,
    done: BTreeSet<String>,
}

impl Run<'_> {
    async fn op(&mut self, name: &str) -> Value {
        let (query, vars) = operation(name);
        self.done.insert(name.to_string());
        // The seed's carts and wishlists of the users the demo tokens bind are theirs; the
        // other operations address an anonymous visitor's cart.
        let text = format!("{query}{vars}");
        let token = if text.contains(B2B_USER) {
            Some(B2B_TOKEN)
        } else if text.contains(DEMO_USER) || name == "add_wishlist_bulk_item" {
            Some(DEMO_TOKEN)
        } else {
            None
        };
        self.api.ok(&query, vars, token).await
    }

    async fn check(&self) -> Value {
        self.api
            .ok(CHECK, json!({ "userId": DEMO_USER }), Some(DEMO_TOKEN))
            .await["cart"]
            .clone()
    }
}

fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn props(v: &Value) -> Vec<(String, Value)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_string(), p["value"].clone()))
        .collect()
}

const SEED_PROPS: [&str; 3] = [
    "Example string property",
    "Example multilanguage property",
    "Example dictionary property",
];

#[tokio::test]
async fn every_operation_runs_as_stored_with_the_seed_shapes() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let mut run = Run {
            api: &api,
            done: BTreeSet::new(),
        };
        let label = db.label();

        // Cart: an empty cart, created on first use, with everything the seed selects.
        let c = run.op("cart").await["cart"].clone();
        assert!(c["id"].as_str().is_some_and(|s| s.len() == 36), "{label}");
        assert_eq!(c["name"], "default");
        assert_eq!(c["status"], "New");
        assert_eq!(c["storeId"], "Electronics");
        assert_eq!(c["isAnonymous"], true);
        assert_eq!(c["hasPhysicalProducts"], false);
        assert_eq!(c["type"], "cart");
        assert_eq!(c["currency"], json!({"code": "USD", "symbol": "$"}));
        assert_eq!(num(&c["taxPercentRate"]), "0.2");
        assert_eq!(c["itemsCount"], 0);
        assert_eq!(c["itemsQuantity"], 0);
        for list in [
            "addresses",
            "dynamicProperties",
            "shipments",
            "discounts",
            "payments",
            "items",
            "coupons",
        ] {
            assert_eq!(c[list], json!([]), "{label} {list}");
        }
        let methods = c["availableShippingMethods"].as_array().unwrap();
        assert_eq!(methods.len(), 5, "active methods only");
        assert_eq!(
            methods[0],
            json!({"code": "code", "optionName": "Standard", "optionDescription": "Standard delivery (the seed's example method)"})
        );
        let pay = c["availablePaymentMethods"].as_array().unwrap();
        assert_eq!(pay.len(), 4);
        assert_eq!(
            pay[0],
            json!({"code": "code", "paymentMethodType": "Standard"})
        );
        let new_cart_id = c["id"].clone();
        // The same query again returns the same cart.
        assert_eq!(run.op("cart").await["cart"]["id"], new_cart_id);

        // Carts: the user's carts as a page.
        let page = run.op("carts").await["carts"].clone();
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        assert_eq!(page["items"][0]["id"], new_cart_id);
        assert_eq!(page["items"][0]["isAnonymous"], true);
        assert_eq!(
            page["pageInfo"],
            json!({"startCursor": "0", "endCursor": "1", "hasNextPage": false, "hasPreviousPage": false})
        );

        // The demo cart as a checkout page shows it, to the cent.
        let d = run.op("cart_details").await["cart"].clone();
        assert_eq!(
            ids(&d["items"]),
            vec![LAPTOP, "dab09410-aa1a-4daf-8a32-4e41abee77b8"]
        );
        assert_eq!(num(&d["items"][0]["listPrice"]["amount"]), "1299");
        assert_eq!(d["items"][0]["placedPrice"]["formattedAmount"], "$1,199.00");
        assert_eq!(num(&d["subTotal"]["amount"]), "1348.98");
        assert_eq!(num(&d["discountTotal"]["amount"]), "100");
        assert_eq!(num(&d["shippingTotal"]["amount"]), "14.99");
        assert_eq!(num(&d["taxTotal"]["amount"]), "252.8");
        assert_eq!(d["total"]["formattedAmount"], "$1,516.77");
        assert_eq!(num(&d["payments"][0]["amount"]["amount"]), "1516.77");
        assert_eq!(d["validationErrors"], json!([]));
        assert_eq!(d["warnings"], json!([]));

        // AddItem: the laptop is already in the cart, so its quantity grows.
        let a = run.op("add_item").await["addItem"].clone();
        assert_eq!(a["name"], "default");
        assert_eq!(
            a["items"],
            json!([{"id": LAPTOP, "sku": "UB-15-SLV"}, {"id": "dab09410-aa1a-4daf-8a32-4e41abee77b8", "sku": "MOUSE-WL"}])
        );
        assert_eq!(
            (a["itemsCount"].clone(), a["itemsQuantity"].clone()),
            (json!(2), json!(4))
        );
        let laptop_props = props(&run.check().await["items"][0]["dynamicProperties"]);
        assert_eq!(
            laptop_props,
            vec![("ItemProperty".to_string(), json!("test value"))]
        );

        let cc = run.op("change_comment").await["changeComment"].clone();
        assert_eq!(cc, json!({"name": "default", "comment": "Hi, Virto! :)"}));

        // ChangeCartItemPrice by the seed's productId, then by the real lineItemId.
        let p = run.op("change_cart_item_price").await["changeCartItemPrice"].clone();
        let laptop = &p["items"][0];
        assert_eq!(laptop["productId"], LAPTOP);
        assert_eq!(num(&laptop["listPrice"]["amount"]), "777");
        assert_eq!(num(&laptop["listPriceWithTax"]["amount"]), "932.4");
        assert_eq!(num(&laptop["salePrice"]["amount"]), "777");
        assert_eq!(num(&laptop["salePriceWithTax"]["amount"]), "932.4");
        assert_eq!(num(&p["items"][1]["listPriceWithTax"]["amount"]), "29.99");
        let p = run.op("change_cart_item_price_by_line_item").await["changeCartItemPrice"].clone();
        assert_eq!(p["items"][0]["listPrice"]["formattedAmount"], "$650.50");
        assert_eq!(
            p["items"][0]["extendedPrice"]["formattedAmount"],
            "$1,301.00"
        );
        assert_eq!(num(&p["subTotal"]["amount"]), "1350.98");
        assert_eq!(num(&p["total"]["amount"]), "1639.17");

        let q = run.op("change_cart_item_quantity").await["changeCartItemQuantity"].clone();
        assert_eq!(
            q["items"][0],
            json!({"sku": "UB-15-SLV", "productId": LAPTOP, "quantity": 7})
        );
        assert_eq!(
            (q["itemsCount"].clone(), q["itemsQuantity"].clone()),
            (json!(2), json!(9))
        );

        let n = run.op("change_cart_item_comment").await["changeCartItemComment"].clone();
        assert_eq!(n["items"][0]["comment"], "nice product");

        // Coupons: the free-item coupon applies (the mouse is in the cart).
        let ac = run.op("add_coupon").await["addCoupon"].clone();
        assert_eq!(
            ac["coupons"],
            json!([{"code": "freeItemsCouponCode", "isAppliedSuccessfully": true}])
        );
        assert_eq!(run.op("validate_coupon").await["validateCoupon"], true);
        let now = run.check().await;
        // 7 × 650.50 + 2 × 24.99 − 24.99 free, shipping 5 + 9.99, 20% tax on all of it.
        assert_eq!(num(&now["discountTotal"]["amount"]), "24.99");
        assert_eq!(num(&now["taxTotal"]["amount"]), "918.7");
        assert_eq!(num(&now["total"]["amount"]), "5512.18");

        // Dynamic properties on the cart, a line item, a shipment and a payment.
        let dp = run.op("update_cart_dynamic_properties").await["updateCartDynamicProperties"]["dynamicProperties"].clone();
        assert_eq!(
            dp,
            json!([
                {"name": "Example string property", "value": "12345678", "valueType": "ShortText", "dictionaryItem": null},
                {"name": "Example multilanguage property", "value": "hallo welt", "valueType": "ShortText", "dictionaryItem": null},
                {"name": "Example dictionary property", "value": "578fadeb1d2a40b3b08b1daf8db09463", "valueType": "ShortText",
                 "dictionaryItem": {"label": "Red", "name": "Red", "id": "578fadeb1d2a40b3b08b1daf8db09463"}}
            ])
        );
        let li =
            run.op("update_cart_item_dynamic_properties").await["updateCartItemDynamicProperties"]
                ["items"]
                .clone();
        let mouse = li
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "dab09410-aa1a-4daf-8a32-4e41abee77b8")
            .unwrap();
        assert_eq!(
            props(&mouse["dynamicProperties"])
                .iter()
                .map(|p| p.0.as_str())
                .collect::<Vec<_>>(),
            SEED_PROPS
        );
        assert_eq!(
            mouse["dynamicProperties"][2]["dictionaryItem"]["label"],
            "Red"
        );

        let sh = run.op("add_or_update_cart_shipment").await["addOrUpdateCartShipment"].clone();
        assert_eq!(sh["availableShippingMethods"].as_array().unwrap().len(), 5);
        let now = run.check().await;
        let shipments = now["shipments"].as_array().unwrap();
        assert_eq!(
            shipments.len(),
            3,
            "{label}: a third shipment (the cart had two)"
        );
        let added = &shipments[2];
        assert_eq!(added["shipmentMethodCode"], "code");
        assert_eq!(added["shipmentMethodOption"], "Standard");
        assert_eq!(added["fulfillmentCenterId"], "7777-7777-7777-7777");
        assert_eq!(num(&added["height"]), "7");
        assert_eq!(num(&added["price"]["amount"]), "98");
        assert_eq!(
            props(&added["dynamicProperties"]),
            vec![("ShipmentProperty".to_string(), json!("test value"))]
        );

        run.op("update_cart_shipment_dynamic_properties").await;
        let now = run.check().await;
        let s79 = now["shipments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "79b8f095-9740-4353-998b-e1c4dd577ee6")
            .unwrap()
            .clone();
        assert_eq!(
            props(&s79["dynamicProperties"])
                .iter()
                .map(|p| p.0.as_str())
                .collect::<Vec<_>>(),
            SEED_PROPS
        );

        let pm = run.op("add_or_update_cart_payment").await["addOrUpdateCartPayment"]["availablePaymentMethods"].clone();
        assert_eq!(
            pm[0],
            json!({"code": "code", "name": "Example payment method", "paymentMethodType": "Standard"})
        );
        run.op("update_cart_payment_dynamic_properties").await;
        let now = run.check().await;
        let payment = &now["payments"][0];
        assert_eq!(
            now["payments"].as_array().unwrap().len(),
            1,
            "the only payment was updated"
        );
        assert_eq!(payment["id"], "0859f1e8-16e8-4924-808b-47e03560085d");
        assert_eq!(payment["paymentGatewayCode"], "code");
        assert_eq!(payment["outerId"], "7777-7777-7777-7777");
        assert_eq!(num(&payment["price"]["amount"]), "98");
        assert_eq!(num(&payment["amount"]["amount"]), "55");
        assert_eq!(
            props(&payment["dynamicProperties"])
                .iter()
                .map(|p| p.0.as_str())
                .collect::<Vec<_>>(),
            [
                "PaymentProperty",
                SEED_PROPS[0],
                SEED_PROPS[1],
                SEED_PROPS[2]
            ]
        );

        // Addresses by type.
        let addr =
            run.op("add_or_update_cart_address").await["addOrUpdateCartAddress"]["addresses"]
                .clone();
        assert_eq!(addr.as_array().unwrap().len(), 1);
        let a0 = &addr[0];
        assert!(a0["id"].as_str().is_some());
        for (k, v) in [
            ("addressType", json!(3)),
            ("city", json!("City name")),
            ("countryCode", json!("CountryCode")),
            ("countryName", json!("Country name")),
            ("email", json!("example@email.com")),
            ("firstName", json!("recipient name")),
            ("middleName", json!("recipient name")),
            ("lastName", json!("recipient name")),
            ("line1", json!("example address line 1")),
            ("line2", json!("example address line 1")),
            ("name", Value::Null),
            ("organization", json!("Organizatoin name")),
            ("phone", json!("77777-77777")),
            ("postalCode", json!("12345")),
            ("regionId", json!("RegionCode")),
            ("regionName", json!("Region name")),
            ("zip", json!("123")),
        ] {
            assert_eq!(a0[k], v, "{label} address.{k}");
        }
        let addr = run.op("add_cart_address").await["addCartAddress"]["addresses"].clone();
        assert_eq!(
            addr.as_array().unwrap().len(),
            2,
            "billing (1) added next to billing-and-shipping (3)"
        );
        assert_eq!(addr[1]["addressType"], 1);
        assert_eq!(addr[1]["city"], "Springfield");

        // RemoveShipment.
        let rs = run.op("remove_shipment").await["removeShipment"].clone();
        assert_eq!(rs["availableShippingMethods"].as_array().unwrap().len(), 5);
        let left: Vec<String> = ids(&run.check().await["shipments"]);
        assert_eq!(left.len(), 2);
        assert!(!left.contains(&"7777-7777-7777-7777".to_string()));

        let rc = run.op("remove_coupon").await["removeCoupon"].clone();
        assert_eq!(rc["coupons"], json!([]));

        // Merge the anonymous cart 7777…: first keeping it, then deleting it.
        let m = run.op("merge_cart_keep_second").await["mergeCart"].clone();
        assert_eq!(m["isAnonymous"], false);
        let q: Vec<(String, i64)> = m["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["productId"].as_str().unwrap().to_string(),
                    i["quantity"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            q,
            vec![
                (LAPTOP.to_string(), 8),
                (MOUSE.to_string(), 2),
                (HUB.to_string(), 1)
            ]
        );
        assert_eq!(m["itemsQuantity"], 11);
        let m = run.op("merge_cart").await["mergeCart"].clone();
        assert_eq!(m["id"], d["id"]);
        assert_eq!(m["isAnonymous"], false);
        let now = run.check().await;
        let q: Vec<i64> = now["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["quantity"].as_i64().unwrap())
            .collect();
        assert_eq!(q, vec![9, 2, 2], "{label}: quantities summed again");
        assert_eq!(
            now["coupons"],
            json!([{"code": "SAVE10", "isAppliedSuccessfully": true}]),
            "the visitor's coupon came along"
        );
        // The merged cart is gone.
        assert_eq!(run.op("remove_cart").await["removeCart"], false);

        let cs = run.op("clear_shipments").await["clearShipments"].clone();
        assert_eq!(cs["availableShippingMethods"].as_array().unwrap().len(), 5);
        let cp = run.op("clear_payments").await["clearPayments"].clone();
        assert_eq!(cp["availablePaymentMethods"].as_array().unwrap().len(), 4);
        let now = run.check().await;
        assert_eq!(
            (now["shipments"].clone(), now["payments"].clone()),
            (json!([]), json!([]))
        );

        // RefreshCart: the B2B example.
        let r = run.op("refresh_cart").await["refreshCart"].clone();
        assert_eq!(r, json!({"itemsCount": 2, "itemsQuantity": 12}));

        // The demo user's carts and wishlists, newest first, as edges.
        let page = run.op("carts_page").await["carts"].clone();
        assert_eq!(page["totalCount"], 3);
        let edges = page["edges"].as_array().unwrap();
        assert_eq!(
            edges
                .iter()
                .map(|e| e["cursor"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["0", "1", "2"]
        );
        assert_eq!(
            edges
                .iter()
                .map(|e| e["node"]["name"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["Gift ideas", "Favorites", "default"]
        );
        assert_eq!(edges[2]["node"]["type"], "cart");
        assert_eq!(
            page["pageInfo"],
            json!({"startCursor": "0", "endCursor": "3", "hasNextPage": false, "hasPreviousPage": false})
        );

        // One product into two wishlists: one already has it (quantity grows), one does not.
        let w = run.op("add_wishlist_bulk_item").await["addWishlistBulkItem"]["wishlists"].clone();
        assert_eq!(w[0]["id"], "ce682f58-3bbd-42e5-a576-08c82a86ca11");
        assert_eq!(w[0]["name"], "Favorites");
        assert_eq!(w[0]["items"].as_array().unwrap().len(), 1);
        assert_eq!(w[0]["items"][0]["quantity"], 2);
        assert_eq!(
            w[0]["items"][0]["product"],
            json!({"name": "Noise-cancelling headphones"})
        );
        assert_eq!(w[1]["id"], "1b249c7a-5b7b-434d-a9b5-56a67ff993fe");
        assert_eq!(w[1]["items"].as_array().unwrap().len(), 2);
        assert_eq!(w[1]["items"][1]["quantity"], 1);
        assert_eq!(
            w[1]["items"][1]["product"]["name"],
            "Noise-cancelling headphones"
        );

        let r = run.op("remove_cart_item").await["removeCartItem"].clone();
        assert_eq!(
            r["items"],
            json!([{"sku": "MOUSE-WL", "productId": MOUSE}, {"sku": "USB-C-HUB", "productId": HUB}])
        );
        assert_eq!(
            (r["itemsCount"].clone(), r["itemsQuantity"].clone()),
            (json!(2), json!(4))
        );

        let c = run.op("clear_cart").await["clearCart"].clone();
        assert_eq!(
            c,
            json!({"name": "default", "items": [], "itemsCount": 0, "itemsQuantity": 0})
        );

        // Every operation file was run.
        let all: BTreeSet<String> = std::fs::read_dir(operations_dir())?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_suffix(".graphql"))
                    .map(str::to_string)
            })
            .collect();
        assert_eq!(
            run.done, all,
            "{label}: every operation of schemas/operations/purchase runs"
        );
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn remove_cart_deletes_the_anonymous_cart_of_the_seed() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let server = start_seeded(&db.url).await?;
        let api = Api::new(&server.base_url());
        let (q, v) = operation("remove_cart");
        assert_eq!(
            api.ok(&q, v.clone(), None).await["removeCart"],
            true,
            "{}",
            db.label()
        );
        assert_eq!(api.ok(&q, v, None).await["removeCart"], false);
        // Merging the removed cart now changes nothing; the demo user's cart is theirs.
        let (q, v) = operation("merge_cart");
        let m = api.ok(&q, v, Some(DEMO_TOKEN)).await["mergeCart"].clone();
        assert_eq!(m["isAnonymous"], false);
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn the_seed_text_with_a_cyrillic_field_name_is_refused_with_a_clear_error()
-> anyhow::Result<()> {
    let db = TestDatabase::sqlite();
    let server = start_seeded(&db.url).await?;
    let api = Api::new(&server.base_url());
    // Verbatim from the seed: `сhangeComment` starts with a Cyrillic "с".
    let seed = "mutation ($command:InputChangeCommentType!)\n{\n    \u{441}hangeComment(command: $command)\n    {\n        name\n        comment\n    }\n}";
    let body = api
        .post(
            seed,
            demo_command(json!({"comment": "Hi, Virto! :)"})),
            None,
        )
        .await;
    let message = body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("hangeComment"), "{body:#}");
    server.stop().await?;
    Ok(())
}
