//! Shipments never exceed what was ordered, in total across shipments and whatever the
//! concurrency; the invoice's status flags follow; invalid shipments are 422 with nothing changed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod marketplace_support;

use marketplace_support::{Mp, SELLER, SELLER_2, databases, gid};
use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;

const CREATE: &str = r#"
mutation Ship($input: ShipmentCreateMutationInput!) {
  shipmentCreate(input: $input) {
    status
    errors { field messages }
    shipment {
      id legacyId carrier trackingNumber trackingLink note dispatchedAt
      shippedItems { quantity lineItem { legacyId quantity shippedQuantity } }
      invoice { legacyId statusFlags status }
    }
  }
}"#;

const INVOICE: &str = r#"
query Invoice($id: ID!) {
  node(id: $id) {
    ... on Invoice {
      legacyId status statusFlags updatedAt
      lineItems { legacyId quantity shippedQuantity }
      shipments { legacyId trackingNumber shippedItems { quantity lineItem { legacyId } } }
    }
  }
}"#;

fn ship(invoice: i64, items: &[(i64, i64)]) -> Value {
    json!({ "input": {
        "invoiceId": gid("Invoice", invoice),
        "dispatchedAt": "2023-06-07",
        "postageCarrierId": gid("ShipmentCarrier", 69),
        "trackingNumber": "12234",
        "note": "Dispatched within SLA",
        "shippedItems": items.iter().map(|(li, q)| json!({ "lineItemId": gid("LineItem", *li), "quantity": q })).collect::<Vec<_>>(),
    }})
}

fn fields(payload: &Value) -> Vec<String> {
    payload["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["field"].as_str().unwrap_or("").to_string())
        .collect()
}

async fn shipped_quantity(mp: &Mp, invoice: i64, line: i64) -> anyhow::Result<i64> {
    let d = mp
        .data(INVOICE, json!({ "id": gid("Invoice", invoice) }))
        .await?;
    Ok(d["node"]["lineItems"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["legacyId"] == line)
        .and_then(|l| l["shippedQuantity"].as_i64())
        .unwrap_or(-1))
}

#[tokio::test]
async fn shipping_follows_the_ordered_quantity_and_the_flags_follow() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        // Invoice-10421 has LineItem-499, two ordered, none shipped.
        let first = mp.data(CREATE, ship(10421, &[(499, 1)])).await?;
        let p = &first["shipmentCreate"];
        assert_eq!(p["status"], 200, "[{l}] {p}");
        assert!(p["errors"].is_null());
        let s = &p["shipment"];
        assert_eq!(s["carrier"], "Australia Post");
        assert_eq!(
            s["trackingLink"],
            "https://auspost.com.au/mypost/track/details/12234"
        );
        assert_eq!(s["dispatchedAt"], "2023-06-07T00:00:00.000Z");
        assert_eq!(s["shippedItems"][0]["quantity"], 1);
        assert_eq!(
            s["invoice"]["statusFlags"],
            json!(["PAID", "PARTIALLY_SENT"])
        );
        assert_eq!(s["invoice"]["status"], "SENT");

        // Two more would exceed the order (one left): refused, nothing changed.
        let over = mp.data(CREATE, ship(10421, &[(499, 2)])).await?;
        let p = &over["shipmentCreate"];
        assert_eq!(p["status"], 422, "[{l}] {p}");
        assert!(p["shipment"].is_null());
        assert_eq!(fields(p), vec!["shippedItems.0.quantity"]);
        let msg = p["errors"][0]["messages"][0].as_str().unwrap_or("");
        assert!(msg.contains("1 of 2"), "[{l}] {msg}");
        assert_eq!(shipped_quantity(&mp, 10421, 499).await?, 1);

        // The last one completes it.
        let last = mp.data(CREATE, ship(10421, &[(499, 1)])).await?;
        assert_eq!(last["shipmentCreate"]["status"], 200);
        assert_eq!(
            last["shipmentCreate"]["shipment"]["invoice"]["statusFlags"],
            json!(["PAID", "SENT"])
        );
        let again = mp.data(CREATE, ship(10421, &[(499, 1)])).await?;
        assert_eq!(again["shipmentCreate"]["status"], 422);
        let inv = mp
            .data(INVOICE, json!({ "id": gid("Invoice", 10421) }))
            .await?;
        assert_eq!(inv["node"]["shipments"].as_array().map(Vec::len), Some(2));
        assert_eq!(inv["node"]["lineItems"][0]["shippedQuantity"], 2);

        // A shipment's invoice lists its shipments, which point back at the invoice.
        let d = mp
            .data(
                "{ node(id: \"U2hpcG1lbnQtNzM1\") { ... on Shipment { legacyId invoice { legacyId shipments { legacyId invoice { legacyId } } } } } }",
                json!({}),
            )
            .await?;
        assert_eq!(
            d["node"]["invoice"],
            json!({ "legacyId": 13218, "shipments": [{ "legacyId": 735, "invoice": { "legacyId": 13218 } }] })
        );
        // The notDispatched filter now leaves it out.
        let open = mp
            .data(
                "{ invoices(filters: { notDispatched: true }) { nodes { legacyId } } }",
                json!({}),
            )
            .await?;
        assert!(
            !open["invoices"]["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|n| n["legacyId"] == 10421)
        );
        mp.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn invalid_shipments_are_422_and_change_nothing() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        let cases: Vec<(Value, &str)> = vec![
            (ship(10421, &[(499, 0)]), "shippedItems.0.quantity"),
            (ship(10421, &[(499, 3)]), "shippedItems.0.quantity"),
            (
                ship(10421, &[(499, 1), (499, 1)]),
                "shippedItems.1.lineItemId",
            ),
            (ship(10421, &[(480, 1)]), "shippedItems.0.lineItemId"), // a line item of another invoice
            (ship(10421, &[]), "shippedItems"),
            (ship(10100, &[(470, 1)]), "invoiceId"), // not paid
            (ship(10200, &[(471, 1)]), "invoiceId"), // cancelled
            (ship(30001, &[(3001, 1)]), "invoiceId"), // another seller's invoice
            (ship(99999, &[(499, 1)]), "invoiceId"),
        ];
        for (vars, field) in cases {
            let d = mp.data(CREATE, vars.clone()).await?;
            let p = &d["shipmentCreate"];
            assert_eq!(p["status"], 422, "[{l}] {vars} gave {p}");
            assert!(
                fields(p).contains(&field.to_string()),
                "[{l}] {vars} gave {p}"
            );
        }
        let mut bad = ship(10421, &[(499, 1)]);
        bad["input"]["trackingNumber"] = json!("  ");
        bad["input"]["dispatchedAt"] = json!("2999-01-01");
        bad["input"]["postageCarrierId"] = json!(gid("ShipmentCarrier", 4242));
        let d = mp.data(CREATE, bad).await?;
        let f = fields(&d["shipmentCreate"]);
        assert!(f.contains(&"trackingNumber".to_string()), "[{l}] {f:?}");
        assert!(f.contains(&"dispatchedAt".to_string()), "[{l}] {f:?}");
        let mut bad = ship(10421, &[(499, 1)]);
        bad["input"]["postageCarrierId"] = json!(gid("ShipmentCarrier", 4242));
        let d = mp.data(CREATE, bad).await?;
        assert_eq!(fields(&d["shipmentCreate"]), vec!["postageCarrierId"]);
        let mut bad = ship(10421, &[(499, 1)]);
        bad["input"]["invoiceId"] = json!("not-an-id");
        let d = mp.data(CREATE, bad).await?;
        assert_eq!(fields(&d["shipmentCreate"]), vec!["invoiceId"]);
        // A malformed date is a type-correct string, so it is a 422 too.
        let mut bad = ship(10421, &[(499, 1)]);
        bad["input"]["dispatchedAt"] = json!("07/06/2023");
        let d = mp.data(CREATE, bad).await?;
        assert_eq!(fields(&d["shipmentCreate"]), vec!["dispatchedAt"]);

        assert_eq!(shipped_quantity(&mp, 10421, 499).await?, 0, "[{l}]");
        // The other seller's invoice is untouched as well.
        let d = mp
            .data_as(SELLER_2, INVOICE, json!({ "id": gid("Invoice", 30001) }))
            .await?;
        assert_eq!(d["node"]["shipments"].as_array().map(Vec::len), Some(1));
        mp.stop().await?;
    }
    Ok(())
}

/// Creates an invoice of the demo seller with one line item of `quantity`, straight in the
/// database (the seller API has no invoice creation).
async fn invoice_with_line(mp: &Mp, id: i64, line: i64, quantity: i64) -> anyhow::Result<()> {
    let pool = &mp.server.state.store.pool;
    sqlx::query(
        "INSERT INTO mp_invoices (id, seller_id, order_id, created_at, updated_at, paid_at, status_rank, shipping_cost_cents, discount_cents, subtotal_cents, total_cents) VALUES ($1, 1001, $2, 0, 0, 0, 1, 0, 0, 100, 100)",
    )
    .bind(id)
    .bind(id)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO mp_line_items (id, invoice_id, variant_id, quantity, shipped_quantity, unit_price_cents) VALUES ($1, $2, 78028, $3, 0, 100)",
    )
    .bind(line)
    .bind(id)
    .bind(quantity)
    .execute(pool)
    .await?;
    Ok(())
}

async fn race(
    servers: &[&Mp],
    invoice: i64,
    line: i64,
    each: i64,
    tasks: usize,
) -> anyhow::Result<usize> {
    let mut handles = Vec::new();
    for t in 0..tasks {
        let url = servers[t % servers.len()].url.clone();
        let body = json!({ "query": CREATE, "variables": ship(invoice, &[(line, each)]) });
        handles.push(tokio::spawn(async move {
            let resp: Value = reqwest::Client::new()
                .post(&url)
                .bearer_auth(SELLER)
                .json(&body)
                .send()
                .await?
                .json()
                .await?;
            anyhow::Ok(resp)
        }));
    }
    let mut ok = 0;
    for h in handles {
        let resp = h.await??;
        assert!(resp.get("errors").is_none(), "{resp}");
        match resp["data"]["shipmentCreate"]["status"].as_i64() {
            Some(200) => ok += 1,
            Some(422) => {}
            other => panic!("unexpected status {other:?}: {resp}"),
        }
    }
    Ok(ok)
}

#[tokio::test]
async fn concurrent_shipments_never_exceed_the_order() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        // Two shipments of 2 against 3 ordered: exactly one may pass.
        for round in 0..5 {
            let (invoice, line) = (50_000 + round, 60_000 + round);
            invoice_with_line(&mp, invoice, line, 3).await?;
            let ok = race(&[&mp], invoice, line, 2, 2).await?;
            assert_eq!(ok, 1, "[{l}] round {round}");
            assert_eq!(shipped_quantity(&mp, invoice, line).await?, 2, "[{l}]");
        }
        // Twenty shipments of 1 against 7 ordered: exactly seven pass.
        invoice_with_line(&mp, 50_100, 60_100, 7).await?;
        let ok = race(&[&mp], 50_100, 60_100, 1, 20).await?;
        assert_eq!(ok, 7, "[{l}]");
        assert_eq!(shipped_quantity(&mp, 50_100, 60_100).await?, 7);
        let inv = mp
            .data(INVOICE, json!({ "id": gid("Invoice", 50_100) }))
            .await?;
        assert_eq!(inv["node"]["shipments"].as_array().map(Vec::len), Some(7));
        assert_eq!(inv["node"]["statusFlags"], json!(["PAID", "SENT"]));
        mp.stop().await?;
    }
    Ok(())
}

/// Two servers (two pools, like two nodes) on one PostgreSQL database.
#[tokio::test]
async fn two_servers_on_one_postgres_never_over_ship() -> anyhow::Result<()> {
    let Some(db) = TestDatabase::postgres().await? else {
        return Ok(());
    };
    let a = Mp::start(&db).await?;
    let b = Mp::start_url(&db.url, "postgres-2").await?;
    invoice_with_line(&a, 50_200, 60_200, 5).await?;
    let ok = race(&[&a, &b], 50_200, 60_200, 1, 16).await?;
    assert_eq!(ok, 5);
    assert_eq!(shipped_quantity(&b, 50_200, 60_200).await?, 5);
    invoice_with_line(&a, 50_201, 60_201, 3).await?;
    let ok = race(&[&a, &b], 50_201, 60_201, 2, 6).await?;
    assert_eq!(ok, 1);
    b.stop().await?;
    a.stop().await?;
    Ok(())
}

#[tokio::test]
async fn shipment_update_changes_only_what_is_given() -> anyhow::Result<()> {
    const UPDATE: &str = r#"
mutation Up($input: ShipmentUpdateMutationInput!) {
  shipmentUpdate(input: $input) {
    status errors { field messages }
    shipment { trackingNumber note carrier dispatchedAt invoice { legacyId updatedAt } }
  }
}"#;
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let id = gid("Shipment", 378_963);
        let d = mp
            .data(
                UPDATE,
                json!({ "input": { "shipmentId": id, "trackingNumber": "66666" } }),
            )
            .await?;
        let s = &d["shipmentUpdate"]["shipment"];
        assert_eq!(s["trackingNumber"], "66666");
        assert_eq!(s["carrier"], "StarTrack");
        assert_eq!(s["dispatchedAt"], "2023-05-16T00:00:00.000Z");
        assert_ne!(s["invoice"]["updatedAt"], "2023-05-20T05:00:00.000Z");
        let d = mp
            .data(
                UPDATE,
                json!({ "input": { "shipmentId": id, "postageCarrierId": gid("ShipmentCarrier", 71), "note": "Re-sent", "dispatchedAt": "2023-05-17T08:00:00+10:00" } }),
            )
            .await?;
        let s = &d["shipmentUpdate"]["shipment"];
        assert_eq!(s["carrier"], "Couriers Please");
        assert_eq!(s["note"], "Re-sent");
        assert_eq!(s["trackingNumber"], "66666");
        assert_eq!(s["dispatchedAt"], "2023-05-16T22:00:00.000Z");
        for bad in [
            json!({ "shipmentId": id, "trackingNumber": "" }),
            json!({ "shipmentId": id, "dispatchedAt": "yesterday" }),
            json!({ "shipmentId": id, "postageCarrierId": gid("ShipmentCarrier", 1) }),
            json!({ "shipmentId": gid("Shipment", 30002), "note": "not mine" }),
        ] {
            let d = mp.data(UPDATE, json!({ "input": bad })).await?;
            assert_eq!(d["shipmentUpdate"]["status"], 422, "{bad}: {d}");
        }
        let d = mp
            .data_as(
                SELLER_2,
                "{ node(id: \"U2hpcG1lbnQtMzAwMDI=\") { ... on Shipment { note } } }",
                json!({}),
            )
            .await?;
        assert!(d["node"]["note"].is_null());
        mp.stop().await?;
    }
    Ok(())
}
