//! Sellers authenticate with their API key and see only their own adverts, variants, invoices and
//! shipments: other sellers' ids are NOT_FOUND in `node`, null in `nodes`, absent from lists, and
//! "not found" in mutation payloads. Malformed ids are BAD_USER_INPUT.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod marketplace_support;

use marketplace_support::{Mp, SELLER, SELLER_2, codes, databases, gid};
use serde_json::{Value, json};

const NODE: &str = "query N($id: ID!) { node(id: $id) { __typename id } }";

#[tokio::test]
async fn a_missing_or_unknown_key_is_refused_with_401() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        for key in [None, Some("wrong-key"), Some("")] {
            let (status, body) = mp.post(key, "{ brands { totalCount } }", json!({})).await?;
            assert_eq!(status, 401, "[{}] {key:?}: {body}", mp.label);
            assert_eq!(codes(&body), vec!["UNAUTHENTICATED"]);
            assert!(body.get("data").is_none());
        }
        // Keys are stored as sha256 hashes, never as given.
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT api_key_hash FROM mp_sellers WHERE api_key_hash IS NOT NULL")
                .fetch_all(&mp.server.state.store.pool)
                .await?;
        assert_eq!(rows.len(), 2);
        for (h,) in rows {
            assert_eq!(h.len(), 64);
            assert!(!h.contains("demo"));
        }
        mp.stop().await?;
    }
    Ok(())
}

/// Objects of the demo seller, by global id.
fn seller_one_objects() -> Vec<String> {
    vec![
        gid("Advert", 100_070_734),
        gid("Advert", 100_013_028), // deleted: a DeletedAdvert for its owner
        gid("Variant", 78_028),
        gid("Image", 284_940),
        gid("AdvertDocument", 305_103),
        gid("Inventory", 5001),
        gid("Invoice", 13_218),
        gid("LineItem", 480),
        gid("Shipment", 735),
        gid("Seller", 1011), // a member store of the demo seller
    ]
}

/// Objects of the second seller.
fn seller_two_objects() -> Vec<String> {
    vec![
        gid("Advert", 200_000_001),
        gid("Variant", 90_001),
        gid("Image", 390_001),
        gid("AdvertDocument", 390_002),
        gid("Invoice", 30_001),
        gid("LineItem", 3001),
        gid("Shipment", 30_002),
    ]
}

#[tokio::test]
async fn node_lookups_are_scoped_to_the_seller() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        for (own, foreign, key, other_key) in [
            (seller_one_objects(), seller_two_objects(), SELLER, SELLER_2),
            (seller_two_objects(), seller_one_objects(), SELLER_2, SELLER),
        ] {
            for id in &own {
                let d = mp.data_as(key, NODE, json!({ "id": id })).await?;
                assert_eq!(d["node"]["id"], json!(id), "[{l}] own {id}");
            }
            for id in &foreign {
                let body = mp.as_seller(key, NODE, json!({ "id": id })).await?;
                assert!(body["data"]["node"].is_null(), "[{l}] {id} leaked: {body}");
                assert_eq!(codes(&body), vec!["NOT_FOUND"], "[{l}] {id}");
            }
            // `nodes`: one entry per id, null for the foreign ones.
            let ids: Vec<String> = own.iter().chain(foreign.iter()).cloned().collect();
            let d = mp
                .data_as(
                    key,
                    "query M($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                    json!({ "ids": ids }),
                )
                .await?;
            let got = d["nodes"].as_array().cloned().unwrap_or_default();
            assert_eq!(got.len(), ids.len());
            for (i, n) in got.iter().enumerate() {
                if i < own.len() {
                    assert_eq!(n["id"], json!(ids[i]), "[{l}]");
                } else {
                    assert!(n.is_null(), "[{l}] {} leaked", ids[i]);
                }
            }
            let _ = other_key;
        }
        // Shared catalogue objects resolve for both sellers.
        for key in [SELLER, SELLER_2] {
            for id in [
                gid("Brand", 4),
                gid("Taxon", 278),
                gid("Prototype", 12),
                gid("OptionType", 250),
                gid("OptionValue", 736),
                gid("ShipmentCarrier", 69),
                gid("ShippingProfile", 3),
            ] {
                let d = mp.data_as(key, NODE, json!({ "id": id })).await?;
                assert_eq!(d["node"]["id"], json!(id), "[{l}]");
            }
        }
        mp.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn malformed_and_unknown_ids() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        for bad in [
            "",
            "not an id",
            "QWR2ZXJ0",               // "Advert"
            "QWR2ZXJ0LWFiYw==",       // "Advert-abc"
            "QWR2ZXJ0LTEwMDA3MDczNA", // unpadded
            "T3JkZXItNQ==",           // "Order-5": no such type
        ] {
            let body = mp.as_seller(SELLER, NODE, json!({ "id": bad })).await?;
            assert!(body["data"]["node"].is_null());
            assert_eq!(codes(&body), vec!["BAD_USER_INPUT"], "[{l}] {bad:?}");
        }
        for unknown in [gid("Advert", 1), gid("Invoice", 424_242), gid("Brand", 999)] {
            let body = mp.as_seller(SELLER, NODE, json!({ "id": unknown })).await?;
            assert_eq!(codes(&body), vec!["NOT_FOUND"], "[{l}] {unknown}");
        }
        let body = mp
            .as_seller(
                SELLER,
                "query M($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                json!({ "ids": [gid("Advert", 100_070_734), "junk"] }),
            )
            .await?;
        assert_eq!(codes(&body), vec!["BAD_USER_INPUT"]);
        let many: Vec<String> = (1..=101).map(|i| gid("Brand", i)).collect();
        let body = mp
            .as_seller(
                SELLER,
                "query M($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                json!({ "ids": many }),
            )
            .await?;
        assert_eq!(codes(&body), vec!["BAD_USER_INPUT"]);
        // Ids in list filters.
        let body = mp
            .as_seller(
                SELLER,
                "{ advertsWhere(brandIds: [\"nope\"]) { totalCount } }",
                json!({}),
            )
            .await?;
        assert_eq!(codes(&body), vec!["BAD_USER_INPUT"]);
        let body = mp
            .as_seller(
                SELLER,
                "query W($t: [ID!]) { advertsWhere(taxonIds: $t) { totalCount } }",
                json!({ "t": [gid("Brand", 4)] }),
            )
            .await?;
        assert_eq!(
            codes(&body),
            vec!["BAD_USER_INPUT"],
            "[{l}] a Brand id as a taxon"
        );
        mp.stop().await?;
    }
    Ok(())
}

async fn count(mp: &Mp, key: &str, query: &str) -> anyhow::Result<i64> {
    let d = mp.data_as(key, query, json!({})).await?;
    let conn = d
        .as_object()
        .and_then(|o| o.values().next())
        .cloned()
        .unwrap_or(Value::Null);
    Ok(conn["totalCount"].as_i64().unwrap_or(-1))
}

#[tokio::test]
async fn lists_hold_only_the_sellers_objects() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        assert_eq!(
            count(&mp, SELLER, "{ allAdverts(first: 1) { totalCount } }").await?,
            12,
            "[{l}]"
        );
        assert_eq!(
            count(&mp, SELLER_2, "{ allAdverts(first: 1) { totalCount } }").await?,
            1
        );
        assert_eq!(
            count(&mp, SELLER, "{ invoices(first: 1) { totalCount } }").await?,
            9
        );
        assert_eq!(
            count(&mp, SELLER_2, "{ invoices(first: 1) { totalCount } }").await?,
            1
        );
        // Both sellers have a variant with SKU `sku-1`: each sees its own.
        let q = "{ variantsWhere(variantFilters: { skus: [\"sku-1\"] }) { totalCount nodes { legacyId } } }";
        let one = mp.data_as(SELLER, q, json!({})).await?;
        let two = mp.data_as(SELLER_2, q, json!({})).await?;
        assert_eq!(
            one["variantsWhere"]["nodes"],
            json!([{ "legacyId": 78028 }])
        );
        assert_eq!(
            two["variantsWhere"]["nodes"],
            json!([{ "legacyId": 90001 }])
        );
        // advertsWhere by legacy id and by retailer.
        let q = "{ advertsWhere(legacyIds: [100070734, 200000001]) { nodes { legacyId } } }";
        let one = mp.data_as(SELLER, q, json!({})).await?;
        assert_eq!(
            one["advertsWhere"]["nodes"],
            json!([{ "legacyId": 100_070_734 }])
        );
        let q = format!(
            "{{ advertsWhere(retailerIds: [\"{}\"]) {{ totalCount }} }}",
            gid("Seller", 1002)
        );
        assert_eq!(count(&mp, SELLER, &q).await?, 0);
        assert_eq!(count(&mp, SELLER_2, &q).await?, 1);
        // The catalogue is shared.
        assert_eq!(
            count(&mp, SELLER, "{ brands { totalCount } }").await?,
            count(&mp, SELLER_2, "{ brands { totalCount } }").await?
        );
        mp.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn mutations_on_foreign_objects_are_not_found_and_change_nothing() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        let attempts = [
            (
                "mutation { advertUpsert(input: { advertId: \"QWR2ZXJ0LTIwMDAwMDAwMQ==\", attributes: { title: \"Mine now\" } }) { status errors { field } } }",
                "advertUpsert",
                "advertId",
            ),
            (
                "mutation { advertDelete(input: { id: \"QWR2ZXJ0LTIwMDAwMDAwMQ==\" }) { status errors { field } } }",
                "advertDelete",
                "id",
            ),
            (
                "mutation { variantUpdate(input: { variantId: \"VmFyaWFudC05MDAwMQ==\", attributes: { countOnHand: 0 } }) { status errors { field } } }",
                "variantUpdate",
                "variantId",
            ),
            (
                "mutation { variantDelete(input: { id: \"VmFyaWFudC05MDAwMQ==\" }) { status errors { field } } }",
                "variantDelete",
                "id",
            ),
            (
                "mutation { advertVettingResubmit(input: { advertIds: [\"QWR2ZXJ0LTIwMDAwMDAwMQ==\"] }) { status errors { field } } }",
                "advertVettingResubmit",
                "advertIds",
            ),
            (
                "mutation { advertUpsert(input: { sellerId: \"U2VsbGVyLTEwMDI=\", attributes: { title: \"x\" } }) { status errors { field } } }",
                "advertUpsert",
                "sellerId",
            ),
        ];
        for (q, field, error_field) in attempts {
            let d = mp.data_as(SELLER, q, json!({})).await?;
            assert_eq!(d[field]["status"], 422, "[{l}] {q}: {d}");
            let fields: Vec<Value> = d[field]["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| e["field"].clone())
                .collect();
            assert!(fields.contains(&json!(error_field)), "[{l}] {q}: {d}");
        }
        // The second seller's objects are as they were.
        let d = mp
            .data_as(
                SELLER_2,
                "{ node(id: \"QWR2ZXJ0LTIwMDAwMDAwMQ==\") { ... on Advert { title variants { nodes { countOnHand } } } } }",
                json!({}),
            )
            .await?;
        assert_eq!(d["node"]["title"], "Sea Kayak 4.2m");
        assert_eq!(d["node"]["variants"]["nodes"][0]["countOnHand"], 2);
        // An image or document of another seller cannot be touched through one's own advert.
        let d = mp
            .data_as(
                SELLER,
                &format!(
                    "mutation {{ advertUpsert(input: {{ advertId: \"{}\", attributes: {{ images: [{{ imageId: \"{}\", sourceUrl: null }}], documents: [{{ documentId: \"{}\" }}] }} }}) {{ status errors {{ field }} }} }}",
                    gid("Advert", 100_070_734),
                    gid("Image", 390_001),
                    gid("AdvertDocument", 390_002)
                ),
                json!({}),
            )
            .await?;
        assert_eq!(d["advertUpsert"]["status"], 422);
        assert_eq!(
            d["advertUpsert"]["errors"],
            json!([{ "field": "images.0.imageId" }, { "field": "documents.0.documentId" }])
        );
        mp.stop().await?;
    }
    Ok(())
}
