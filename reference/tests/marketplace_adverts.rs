//! Adverts and variants: creation with everything the seed shows, patch semantics on update,
//! validation errors (422, nothing changed), images and documents by id, vetting and resubmission,
//! soft deletion, derived prices, and the advertsWhere filters.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod marketplace_support;

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use marketplace_support::{Mp, SELLER_2, databases, gid};
use serde_json::{Value, json};
use shopql_reference::ManualClock;
use shopql_reference::apis::marketplace::operator_decide;
use shopql_reference::domain::marketplace::vetting::Decision;

const UPSERT: &str = r#"
mutation Upsert($input: AdvertUpsertMutationInput!) {
  advertUpsert(input: $input) {
    status clientMutationId errors { field messages }
    advert {
      id legacyId title description published displayable online vetted requiresVetting
      vettingRejected vettingRejectedReason lowestPrice lowestOriginalPrice productFeatures
      saleType code updatedAt
      externalIds { key value } metadata { key value }
      brand { name } taxon { legacyId } seller { legacyId businessName }
      advertOptionValues { totalCount nodes { optionType { name } optionValue { legacyId } textValue } }
      images { nodes { id url alt } }
      documents { nodes { id url filename } }
      variants {
        totalCount
        nodes {
          id legacyId sku barcode label countOnHand lowestPrice lowestOriginalPrice published
          externalIds { key value }
          images { nodes { id url alt } }
          optionValues { nodes { legacyId } }
        }
      }
    }
  }
}"#;

const VARIANT_UPDATE: &str = r#"
mutation V($input: VariantUpdateMutationInput!) {
  variantUpdate(input: $input) {
    status errors { field messages }
    variant { id sku countOnHand lowestPrice lowestOriginalPrice infiniteQuantity maxPurchaseQuantity images { nodes { id url alt } } advert { lowestPrice } }
  }
}"#;

const ALL_COUNT: &str = "{ allAdverts(first: 1) { totalCount } }";

fn png() -> String {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.extend_from_slice(b"not really a picture");
    STANDARD.encode(bytes)
}

fn field_list(payload: &Value) -> Vec<String> {
    payload["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["field"].as_str().unwrap_or("").to_string())
        .collect()
}

async fn upsert(mp: &Mp, input: Value) -> anyhow::Result<Value> {
    let d = mp.data(UPSERT, json!({ "input": input })).await?;
    Ok(d["advertUpsert"].clone())
}

/// The kept counters behind the unfiltered totals agree with the lists themselves.
async fn assert_totals_consistent(mp: &Mp) -> anyhow::Result<()> {
    let d = mp
        .data(
            "{ allAdverts(first: 100) { totalCount nodes { __typename } } variantsWhere(first: 100) { totalCount nodes { id } } invoices(first: 100) { totalCount nodes { id } } }",
            json!({}),
        )
        .await?;
    for field in ["allAdverts", "variantsWhere", "invoices"] {
        let listed = d[field]["nodes"].as_array().map_or(0, Vec::len);
        assert_eq!(d[field]["totalCount"], listed, "[{}] {field}", mp.label);
    }
    Ok(())
}

async fn total(mp: &Mp) -> anyhow::Result<i64> {
    let d = mp.data(ALL_COUNT, json!({})).await?;
    Ok(d["allAdverts"]["totalCount"].as_i64().unwrap_or(-1))
}

fn full_input() -> Value {
    json!({
        "clientMutationId": "c-1",
        "attributes": {
            "title": "GlocalMe 4G Wireless Hot Spot",
            "brandId": gid("Brand", 4),
            "taxonId": gid("Taxon", 278),
            "description": "WiFi Hotspot powered by 4G",
            "price": "49.99",
            "salePrice": "44.99",
            "code": "GLM-NEW",
            "externalId": "EXT-1",
            "externalIds": [{ "key": "erp", "value": "E1" }],
            "metadata": [{ "key": "season", "value": "winter" }],
            "attemptAutoPublish": true,
            "productFeatures": ["Fast charge", "Light weight", "4G compatible"],
            "images": [
                { "sourceUrl": "https://example.com/router.jpg", "alt": "Router" },
                { "dataBase64": png(), "filename": "my router.png" }
            ],
            "documents": [{ "sourceUrl": "https://example.com/router.pdf" }],
            "advertOptionValues": [
                { "optionValueId": gid("OptionValue", 736) },
                { "optionTypeId": gid("OptionType", 251), "textValue": "5000" }
            ],
            "variants": [
                {
                    "sku": "NEW-1", "countOnHand": 5,
                    "variantOptionValues": [{ "optionValueId": gid("OptionValue", 731) }],
                    "images": [{ "sourceUrl": "https://example.com/router-black.jpg" }]
                },
                {
                    "sku": "NEW-2", "price": 59.99, "countOnHand": 0, "barcode": "123",
                    "variantOptionValues": [{ "optionValueId": gid("OptionValue", 732) }]
                }
            ]
        }
    })
}

#[tokio::test]
async fn create_with_everything_and_read_it_back() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        let p = upsert(&mp, full_input()).await?;
        assert_eq!(p["status"], 200, "[{l}] {p}");
        assert_eq!(p["clientMutationId"], "c-1");
        let a = &p["advert"];
        assert_eq!(a["title"], "GlocalMe 4G Wireless Hot Spot");
        assert_eq!(a["published"], true);
        assert_eq!(a["displayable"], true);
        assert_eq!(a["online"], true);
        assert_eq!(a["requiresVetting"], false);
        assert_eq!(a["lowestPrice"], "44.99");
        assert_eq!(a["lowestOriginalPrice"], "49.99");
        assert_eq!(a["saleType"], "BUY_ONLINE");
        assert_eq!(
            a["productFeatures"],
            json!(["Fast charge", "Light weight", "4G compatible"])
        );
        assert_eq!(
            a["externalIds"],
            json!([{ "key": "default", "value": "EXT-1" }, { "key": "erp", "value": "E1" }])
        );
        assert_eq!(
            a["metadata"],
            json!([{ "key": "season", "value": "winter" }])
        );
        assert_eq!(a["brand"]["name"], "GlocalMe");
        assert_eq!(a["seller"]["legacyId"], 1001);
        assert_eq!(a["advertOptionValues"]["totalCount"], 2);
        assert_eq!(
            a["advertOptionValues"]["nodes"][0]["optionValue"]["legacyId"],
            736
        );
        assert_eq!(a["advertOptionValues"]["nodes"][1]["textValue"], "5000");
        let images = a["images"]["nodes"].as_array().cloned().unwrap_or_default();
        assert_eq!(images.len(), 2);
        assert_eq!(images[0]["alt"], "Router");
        assert_eq!(a["documents"]["nodes"][0]["filename"], "router.pdf");
        let vs = a["variants"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(vs.len(), 2);
        assert_eq!(vs[0]["label"], "Black");
        assert_eq!(
            vs[0]["lowestPrice"], "44.99",
            "the advert's sale price applies"
        );
        assert_eq!(vs[1]["lowestPrice"], "59.99");
        assert_eq!(
            vs[0]["images"]["nodes"][0]["url"],
            "https://example.com/router-black.jpg"
        );
        assert_eq!(vs[0]["optionValues"]["nodes"][0]["legacyId"], 731);

        // The uploaded image is stored and served.
        let url = images[1]["url"].as_str().unwrap_or("");
        assert!(url.starts_with("/marketplace/graphql/files/"), "{url}");
        assert!(url.ends_with("/my-router.png"), "{url}");
        // A capability URL: served without a credential, to whoever holds the 128-bit id.
        let resp = reqwest::get(format!("{}{url}", mp.server.base_url())).await?;
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
        let bytes = resp.bytes().await?;
        assert_eq!(STANDARD.encode(&bytes), png());
        let id = url.split('/').nth(4).unwrap_or("");
        assert!(
            id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{url}"
        );
        let flipped = if id.starts_with('0') { "1" } else { "0" };
        for wrong in [
            format!(
                "/marketplace/graphql/files/{flipped}{}/my-router.png",
                &id[1..]
            ),
            format!("/marketplace/graphql/files/{id}/other.png"),
        ] {
            let status = reqwest::get(format!("{}{wrong}", mp.server.base_url()))
                .await?
                .status();
            assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "{wrong}");
        }

        // It is found by its SKU, and as a node.
        let d = mp
            .data(
                "{ advertsWhere(variantSkus: [\"NEW-2\"]) { totalCount nodes { id } } }",
                json!({}),
            )
            .await?;
        assert_eq!(d["advertsWhere"]["nodes"][0]["id"], a["id"]);
        mp.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn invalid_creations_report_every_field_and_create_nothing() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        let before = total(&mp).await?;
        let p = upsert(
            &mp,
            json!({ "attributes": { "description": "nothing else" } }),
        )
        .await?;
        assert_eq!(p["status"], 422);
        assert!(p["advert"].is_null());
        assert_eq!(
            field_list(&p),
            vec!["title", "taxonId", "variants"],
            "[{l}] {p}"
        );

        let mut cases: Vec<(Value, &str)> = Vec::new();
        let base = full_input();
        let mut set = |path: &[&str], value: Value, field: &'static str| {
            let mut input = base.clone();
            let mut cur = &mut input["attributes"];
            for (i, k) in path.iter().enumerate() {
                if i + 1 == path.len() {
                    cur[*k] = value.clone();
                } else if let Ok(n) = k.parse::<usize>() {
                    cur = &mut cur[n];
                } else {
                    cur = &mut cur[*k];
                }
            }
            cases.push((input, field));
        };
        set(&["brandId"], json!("not-an-id"), "brandId");
        set(&["brandId"], json!(gid("Brand", 999)), "brandId");
        set(&["taxonId"], json!(gid("Brand", 4)), "taxonId");
        set(&["price"], json!("-1"), "price");
        set(&["price"], json!("12.345"), "price");
        set(&["salePrice"], json!("99.00"), "salePrice");
        set(&["title"], json!("   "), "title");
        set(
            &["youtubeVideoUrl"],
            json!("javascript:alert(1)"),
            "youtubeVideoUrl",
        );
        set(&["productFeatures"], json!(["ok", ""]), "productFeatures.1");
        set(
            &["metadata"],
            json!([{ "key": "a", "value": "1" }, { "key": "a", "value": "2" }]),
            "metadata.1.key",
        );
        set(
            &["images", "0", "sourceUrl"],
            json!("ftp://example.com/x.jpg"),
            "images.0.sourceUrl",
        );
        set(
            &["images", "1", "dataBase64"],
            json!("%%%"),
            "images.1.dataBase64",
        );
        set(
            &["images", "0", "imageId"],
            json!(gid("Image", 284_940)),
            "images.0.imageId",
        );
        set(
            &["documents", "0", "sourceUrl"],
            json!("https://example.com/router.exe"),
            "documents.0.sourceUrl",
        );
        // A VARIANT option value at advert level; an option type outside the taxon's prototype.
        set(
            &["advertOptionValues", "0", "optionValueId"],
            json!(gid("OptionValue", 731)),
            "advertOptionValues.0.optionValueId",
        );
        set(
            &["advertOptionValues", "0", "optionValueId"],
            json!(gid("OptionValue", 406)),
            "advertOptionValues.0.optionValueId",
        );
        set(
            &["advertOptionValues", "1", "textValue"],
            json!("lots"),
            "advertOptionValues.1.textValue",
        );
        set(
            &["variants", "0", "variantOptionValues", "0", "optionValueId"],
            json!(gid("OptionValue", 736)),
            "variants.0.variantOptionValues.0.optionValueId",
        );
        set(&["variants", "1", "sku"], json!("NEW-1"), "variants.1.sku");
        set(&["variants", "0", "sku"], json!("sku-2"), "variants.0.sku"); // another variant of the seller has it
        set(
            &["variants", "0", "countOnHand"],
            json!(-3),
            "variants.0.countOnHand",
        );
        set(
            &["variants", "1", "salePrice"],
            json!("70"),
            "variants.1.salePrice",
        );
        set(
            &["variants", "0", "id"],
            json!(gid("Variant", 78_028)),
            "variants.0.id",
        );
        set(
            &["variants", "0", "minPurchaseQuantity"],
            json!(0),
            "variants.0.minPurchaseQuantity",
        );
        for (input, field) in cases {
            let p = upsert(&mp, input.clone()).await?;
            assert_eq!(p["status"], 422, "[{l}] expected {field}: {p}");
            assert!(
                field_list(&p).contains(&field.to_string()),
                "[{l}] expected {field}, got {:?}",
                field_list(&p)
            );
        }
        // No price anywhere.
        let mut input = full_input();
        input["attributes"]["price"] = Value::Null;
        input["attributes"]["salePrice"] = Value::Null;
        let p = upsert(&mp, input).await?;
        assert_eq!(field_list(&p), vec!["variants.0.price"], "[{l}] {p}");
        assert_eq!(total(&mp).await?, before, "[{l}] nothing was created");

        // SKUs are unique per seller only.
        let mut input = full_input();
        input["attributes"]["variants"] = json!([{ "sku": "SHARED-1", "countOnHand": 1 }]);
        let seller_two = mp
            .data_as(SELLER_2, UPSERT, json!({ "input": input.clone() }))
            .await?;
        assert_eq!(
            seller_two["advertUpsert"]["status"], 200,
            "[{l}] {seller_two}"
        );
        assert_eq!(upsert(&mp, input).await?["status"], 200);
        mp.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn updates_patch_only_what_is_given() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        let created = upsert(&mp, full_input()).await?;
        let a = &created["advert"];
        let id = a["id"].clone();
        let images = a["images"]["nodes"].as_array().cloned().unwrap_or_default();
        let variants = a["variants"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let doc = a["documents"]["nodes"][0]["id"].clone();

        let p = upsert(
            &mp,
            json!({ "advertId": id, "attributes": {
                "price": "39.99", "salePrice": "",
                "productFeatures": ["Only this"],
                "images": [
                    { "imageId": images[0]["id"], "alt": "New alt" },
                    { "imageId": images[1]["id"], "sourceUrl": null },
                    { "sourceUrl": "https://example.com/extra.jpg" }
                ],
                "documents": [{ "documentId": doc }],
                "variants": [
                    { "id": variants[0]["id"], "countOnHand": 9 },
                    { "sku": "NEW-3", "countOnHand": 2, "price": "19.5" }
                ]
            }}),
        )
        .await?;
        assert_eq!(p["status"], 200, "[{l}] {p}");
        let b = &p["advert"];
        assert_eq!(b["title"], a["title"], "untouched");
        assert_eq!(b["description"], a["description"]);
        assert_eq!(b["externalIds"], a["externalIds"]);
        assert_eq!(b["published"], true, "publication stays as it was");
        assert_eq!(b["productFeatures"], json!(["Only this"]));
        assert_eq!(b["lowestOriginalPrice"], "19.50");
        assert_eq!(b["lowestPrice"], "19.50");
        let imgs = b["images"]["nodes"].as_array().cloned().unwrap_or_default();
        assert_eq!(imgs.len(), 2);
        assert_eq!(imgs[0]["id"], images[0]["id"]);
        assert_eq!(imgs[0]["alt"], "New alt");
        assert_eq!(imgs[0]["url"], images[0]["url"]);
        assert_eq!(b["documents"]["nodes"], json!([]));
        let vs = b["variants"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(vs.len(), 3);
        assert_eq!(vs[0]["countOnHand"], 9);
        assert_eq!(vs[0]["sku"], "NEW-1");
        assert_eq!(
            vs[0]["lowestPrice"], "39.99",
            "the advert's sale price was removed"
        );
        // The detached document was the advert's only use of it: gone.
        let body = mp
            .as_seller(
                marketplace_support::SELLER,
                "query N($id: ID!) { node(id: $id) { id } }",
                json!({ "id": doc }),
            )
            .await?;
        assert_eq!(marketplace_support::codes(&body), vec!["NOT_FOUND"]);

        // Unpublishing, then clearing the title, which is refused.
        let p = upsert(
            &mp,
            json!({ "advertId": id, "attributes": { "attemptAutoPublish": false } }),
        )
        .await?;
        assert_eq!(p["advert"]["published"], false);
        assert_eq!(p["advert"]["displayable"], false);
        let p = upsert(
            &mp,
            json!({ "advertId": id, "attributes": { "title": null } }),
        )
        .await?;
        assert_eq!(field_list(&p), vec!["title"]);
        // Removing the advert's price would leave NEW-1 without one.
        let p = upsert(
            &mp,
            json!({ "advertId": id, "attributes": { "price": null } }),
        )
        .await?;
        assert_eq!(p["status"], 422, "[{l}] {p}");
        assert_eq!(field_list(&p), vec!["price"]);

        // The shared warranty document: detached from one advert, kept for the other.
        let p = upsert(
            &mp,
            json!({ "advertId": gid("Advert", 100_077_690), "attributes": { "documents": [{ "documentId": gid("AdvertDocument", 305_103), "sourceUrl": null }] } }),
        )
        .await?;
        assert_eq!(p["status"], 200, "[{l}] {p}");
        assert_eq!(
            p["advert"]["documents"]["nodes"].as_array().map(Vec::len),
            Some(1)
        );
        let d = mp
            .data("{ node(id: \"QWR2ZXJ0LTEwMDA3MDczMA==\") { ... on Advert { documents { nodes { filename } } } } }", json!({}))
            .await?;
        assert_eq!(
            d["node"]["documents"]["nodes"],
            json!([{ "filename": "warranty.pdf" }])
        );

        // At most 20 documents.
        let many: Vec<Value> = (0..20)
            .map(|i| json!({ "sourceUrl": format!("https://example.com/d{i}.pdf") }))
            .collect();
        let p = upsert(
            &mp,
            json!({ "advertId": gid("Advert", 100_070_730), "attributes": { "documents": many } }),
        )
        .await?;
        assert_eq!(field_list(&p), vec!["documents"], "[{l}] 1 + 20 documents");
        mp.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn variants_update_and_delete() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        let v = gid("Variant", 78_023);
        let d = mp
            .data(VARIANT_UPDATE, json!({ "input": { "variantId": v, "attributes": { "countOnHand": 78, "sku": "SKU-1234", "salePrice": 201 } } }))
            .await?;
        let p = &d["variantUpdate"];
        assert_eq!(p["status"], 200, "[{l}] {p}");
        assert_eq!(p["variant"]["sku"], "SKU-1234");
        assert_eq!(p["variant"]["countOnHand"], 78);
        assert_eq!(p["variant"]["lowestPrice"], "201.00");
        assert_eq!(p["variant"]["lowestOriginalPrice"], "249.00");
        assert_eq!(p["variant"]["advert"]["lowestPrice"], "201.00");
        for (attrs, field) in [
            (json!({ "salePrice": "300" }), "salePrice"),
            (json!({ "countOnHand": -1 }), "countOnHand"),
            (json!({ "sku": "GLM-U3-BLK" }), "sku"),
            (json!({ "price": "1.001" }), "price"),
            (
                json!({ "maxPurchaseQuantity": 2, "minPurchaseQuantity": 3 }),
                "minPurchaseQuantity",
            ),
            (
                json!({ "images": [{ "imageId": gid("Image", 284_940), "alt": "not mine" }] }),
                "images.0.imageId",
            ),
        ] {
            let d = mp
                .data(
                    VARIANT_UPDATE,
                    json!({ "input": { "variantId": v, "attributes": attrs } }),
                )
                .await?;
            assert_eq!(field_list(&d["variantUpdate"]), vec![field], "[{l}] {d}");
        }
        // attributes.id works in place of variantId; a mismatch does not.
        let d = mp
            .data(VARIANT_UPDATE, json!({ "input": { "attributes": { "id": v, "infiniteQuantity": true, "maxPurchaseQuantity": 4 } } }))
            .await?;
        assert_eq!(d["variantUpdate"]["variant"]["infiniteQuantity"], true);
        assert_eq!(d["variantUpdate"]["variant"]["maxPurchaseQuantity"], 4);
        let d = mp
            .data(VARIANT_UPDATE, json!({ "input": { "variantId": v, "attributes": { "id": gid("Variant", 78_024) } } }))
            .await?;
        assert_eq!(field_list(&d["variantUpdate"]), vec!["variantId"]);
        // Variant images: replace, then delete, by id (the seed's examples).
        let img = gid("Image", 284_940);
        let w = gid("Variant", 78_028);
        let d = mp
            .data(VARIANT_UPDATE, json!({ "input": { "variantId": w, "attributes": { "images": [{ "imageId": img, "sourceUrl": "https://example.com/router4.jpg" }] } } }))
            .await?;
        assert_eq!(
            d["variantUpdate"]["variant"]["images"]["nodes"][0]["url"],
            "https://example.com/router4.jpg"
        );
        let d = mp
            .data(VARIANT_UPDATE, json!({ "input": { "variantId": w, "attributes": { "images": [{ "imageId": img, "sourceUrl": null }] } } }))
            .await?;
        assert_eq!(d["variantUpdate"]["variant"]["images"]["nodes"], json!([]));

        // Deleting: not the last variant of an advert.
        const DELETE: &str = "mutation D($id: ID!) { variantDelete(input: { id: $id }) { status errors { field messages } variant { sku } } }";
        let d = mp.data(DELETE, json!({ "id": v })).await?;
        assert_eq!(d["variantDelete"]["variant"]["sku"], "SKU-1234");
        let d = mp
            .data(DELETE, json!({ "id": gid("Variant", 78_024) }))
            .await?;
        assert_eq!(
            field_list(&d["variantDelete"]),
            vec!["id"],
            "[{l}] last variant"
        );
        let d = mp.data(DELETE, json!({ "id": v })).await?;
        assert_eq!(
            field_list(&d["variantDelete"]),
            vec!["id"],
            "[{l}] already deleted"
        );
        let body = mp
            .as_seller(
                marketplace_support::SELLER,
                "query N($id: ID!) { node(id: $id) { id } }",
                json!({ "id": v }),
            )
            .await?;
        assert_eq!(marketplace_support::codes(&body), vec!["NOT_FOUND"]);
        let d = mp
            .data("{ node(id: \"QWR2ZXJ0LTEwMDA3MDcyOQ==\") { ... on Advert { lowestPrice variants { totalCount } } } }", json!({}))
            .await?;
        assert_eq!(d["node"]["variants"]["totalCount"], 1);
        assert_eq!(d["node"]["lowestPrice"], "269.00");
        assert_totals_consistent(&mp).await?;
        // Its SKU is free again.
        let d = mp
            .data(VARIANT_UPDATE, json!({ "input": { "variantId": gid("Variant", 78_024), "attributes": { "sku": "SKU-1234" } } }))
            .await?;
        assert_eq!(d["variantUpdate"]["status"], 200);
        mp.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn vetting_rejection_and_resubmission() -> anyhow::Result<()> {
    const RESUBMIT: &str = "mutation R($ids: [ID!]!) { advertVettingResubmit(input: { advertIds: $ids, clientMutationId: \"r\" }) { status clientMutationId errors { field messages } adverts { totalCount nodes { id vetted vettingRejected vettingRejectedReason requiresVetting published } } } }";
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        // Publishing under a vetted taxon (Supplements) enters the queue.
        let p = upsert(
            &mp,
            json!({ "attributes": { "title": "Zinc 50mg", "taxonId": gid("Taxon", 50), "price": "9.95", "attemptAutoPublish": true, "variants": [{ "countOnHand": 10 }] } }),
        )
        .await?;
        let a = &p["advert"];
        assert_eq!(a["requiresVetting"], true, "[{l}] {p}");
        assert_eq!(a["published"], false);
        let id = a["id"].clone();
        let legacy = a["legacyId"].as_i64().unwrap_or(0);
        let d = mp
            .data(
                "{ advertsWhere(requiresVetting: true) { nodes { legacyId } } }",
                json!({}),
            )
            .await?;
        assert!(
            d["advertsWhere"]["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|n| n["legacyId"] == legacy)
        );

        // Resubmitting what is not rejected is refused, all or nothing.
        let rejected = gid("Advert", 100_002_578);
        let d = mp.data(RESUBMIT, json!({ "ids": [rejected, id] })).await?;
        let p = &d["advertVettingResubmit"];
        assert_eq!(p["status"], 422, "[{l}] {p}");
        assert!(p["adverts"].is_null());
        assert_eq!(field_list(p), vec!["advertIds"]);
        let d = mp
            .data(
                "{ node(id: \"QWR2ZXJ0LTEwMDAwMjU3OA==\") { ... on Advert { vettingRejected } } }",
                json!({}),
            )
            .await?;
        assert_eq!(d["node"]["vettingRejected"], true, "[{l}] rolled back");

        // The operator rejects it; the seller resubmits it.
        operator_decide(
            &mp.server.state,
            legacy,
            Decision::Reject("Needs a label photo".into()),
        )
        .await?;
        let d = mp.data("{ advertsWhere(rejectedViaVetting: true) { nodes { legacyId vettingRejectedReason } } }", json!({})).await?;
        assert_eq!(d["advertsWhere"]["nodes"].as_array().map(Vec::len), Some(2));
        let d = mp.data(RESUBMIT, json!({ "ids": [id, rejected] })).await?;
        let p = &d["advertVettingResubmit"];
        assert_eq!(p["status"], 200, "[{l}] {p}");
        assert_eq!(p["clientMutationId"], "r");
        let nodes = p["adverts"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(nodes.len(), 2);
        assert_eq!(nodes[0]["id"], id, "input order");
        for n in &nodes {
            assert_eq!(n["requiresVetting"], true);
            assert_eq!(n["vettingRejected"], false);
            assert!(n["vettingRejectedReason"].is_null());
        }
        // Once approved it is published and displayed.
        operator_decide(&mp.server.state, legacy, Decision::Approve).await?;
        let d = mp
            .data("query N($id: ID!) { node(id: $id) { ... on Advert { vetted published displayable requiresVetting } } }", json!({ "id": id }))
            .await?;
        assert_eq!(
            d["node"],
            json!({ "vetted": true, "published": true, "displayable": true, "requiresVetting": false })
        );
        mp.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn deleted_adverts_stay_30_days_as_deleted_adverts() -> anyhow::Result<()> {
    const DELETE: &str = "mutation D($id: ID!) { advertDelete(input: { id: $id }) { status errors { field } advert { legacyId title } } }";
    for db in databases().await? {
        let clock = Arc::new(ManualClock::new(1_700_000_000_000));
        let mp = Mp::start_with_clock(&db, clock.clone()).await?;
        let l = mp.label;
        let id = gid("Advert", 100_013_026);
        let d = mp.data(DELETE, json!({ "id": id })).await?;
        assert_eq!(
            d["advertDelete"]["advert"]["title"], "Weber Q1200 Portable BBQ",
            "[{l}] {d}"
        );
        let d = mp.data(DELETE, json!({ "id": id })).await?;
        assert_eq!(d["advertDelete"]["status"], 422, "[{l}] twice");

        let d = mp
            .data("query N($id: ID!) { node(id: $id) { __typename ... on DeletedAdvert { legacyId updatedAt variants { nodes { sku } } } } }", json!({ "id": id }))
            .await?;
        assert_eq!(d["node"]["__typename"], "DeletedAdvert");
        assert_eq!(
            d["node"]["variants"]["nodes"].as_array().map(Vec::len),
            Some(2)
        );
        let d = mp
            .data("{ allAdverts(updatedSince: \"2023-11-01\") { nodes { __typename ... on DeletedAdvert { legacyId } } } }", json!({}))
            .await?;
        assert!(
            d["allAdverts"]["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|n| n["legacyId"] == 100_013_026)
        );
        let d = mp
            .data(
                "{ variantsWhere(variantFilters: { skus: [\"WEB-Q1200-TITAN\"] }) { totalCount } }",
                json!({}),
            )
            .await?;
        assert_eq!(
            d["variantsWhere"]["totalCount"], 0,
            "[{l}] its variants are gone"
        );
        // Its SKU can be used again.
        let p = upsert(
            &mp,
            json!({ "attributes": { "title": "Weber Q1200 again", "taxonId": gid("Taxon", 301), "price": "449", "variants": [{ "sku": "WEB-Q1200-TITAN" }] } }),
        )
        .await?;
        assert_eq!(p["status"], 200, "[{l}] {p}");
        assert_eq!(p["advert"]["published"], false, "not asked to publish");

        assert_totals_consistent(&mp).await?;
        // 31 days later it is gone, and the purge removes it for good.
        clock.advance(31 * 24 * 3600 * 1000);
        assert_totals_consistent(&mp).await?;
        let body = mp
            .as_seller(
                marketplace_support::SELLER,
                "query N($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await?;
        assert_eq!(marketplace_support::codes(&body), vec!["NOT_FOUND"]);
        let purged = shopql_reference::apis::marketplace::purge_deleted(&mp.server.state).await?;
        assert_eq!(purged, 2, "[{l}] the Weber and the seed's deleted tank bag");
        assert_totals_consistent(&mp).await?;
        let left: Vec<(i64,)> =
            sqlx::query_as("SELECT id FROM mp_variants WHERE advert_id = 100013026")
                .fetch_all(&mp.server.state.store.pool)
                .await?;
        assert!(left.is_empty());
        // Invoices still show their line items (the variant is simply null now).
        let d = mp
            .data("{ node(id: \"SW52b2ljZS0xMDIwMA==\") { ... on Invoice { lineItems { variantId variant { sku } } } } }", json!({}))
            .await?;
        assert_eq!(
            d["node"]["lineItems"][0]["variantId"],
            gid("Variant", 78_300)
        );
        assert!(d["node"]["lineItems"][0]["variant"].is_null());
        mp.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn adverts_where_filters() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        let cases: Vec<(String, Vec<i64>)> = vec![
            ("q: \"hotspot\"".into(), vec![100_070_730, 100_070_734]),
            ("q: \"100070729\"".into(), vec![100_070_729]),
            ("idTitleSkuBarcode: \"glm-u3\"".into(), vec![100_070_730]),
            (
                "idTitleSkuBarcode: \"6970437210015\"".into(),
                vec![100_070_734],
            ),
            (
                format!("brandIds: [\"{}\"]", gid("Brand", 7)),
                vec![100_077_690, 100_077_701],
            ),
            (
                format!("taxonIds: [\"{}\"]", gid("Taxon", 17)),
                vec![100_013_028],
            ),
            (
                format!("taxonIdsWithDescendants: [\"{}\"]", gid("Taxon", 17)),
                vec![100_013_028, 100_077_690, 100_077_700, 100_077_701],
            ),
            ("status: FEATURED".into(), vec![100_070_801]),
            (
                "status: NOT_DISPLAYED".into(),
                vec![100_002_578, 100_013_027, 100_013_028, 100_070_800],
            ),
            (
                "variantBarcodes: [\"0606449155555\"]".into(),
                vec![100_070_729],
            ),
            (
                "variantSkus: [\"GNT-CAR1-L\", \"nope\"]".into(),
                vec![100_077_701],
            ),
            ("requiresVetting: true".into(), vec![100_070_800]),
            ("rejectedViaVetting: true, status: DISPLAYED".into(), vec![]),
            ("legacyIds: []".into(), vec![]),
        ];
        for (args, expected) in cases {
            let q = format!("{{ advertsWhere({args}) {{ totalCount nodes {{ legacyId }} }} }}");
            let d = mp.data(&q, json!({})).await?;
            let got: Vec<i64> = d["advertsWhere"]["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| n["legacyId"].as_i64())
                .collect();
            assert_eq!(got, expected, "[{l}] {args}");
            assert_eq!(
                d["advertsWhere"]["totalCount"],
                expected.len(),
                "[{l}] {args}"
            );
        }
        // Online: a published advert whose variants are all out of stock is not online.
        let d = mp
            .data(
                "{ advertsWhere(legacyIds: [100070734, 100070729]) { nodes { online } } }",
                json!({}),
            )
            .await?;
        assert_eq!(
            d["advertsWhere"]["nodes"],
            json!([{ "online": true }, { "online": true }])
        );
        mp.stop().await?;
    }
    Ok(())
}

/// An advert read as a node embeds its taxon with the whole chain of parents (loaded in one
/// recursive query), and its variants embed the advert they belong to (the parent already
/// loaded, not read again), with the same figures as the advert itself.
#[tokio::test]
async fn a_node_embeds_its_taxon_chain_and_its_variants_embed_it() -> anyhow::Result<()> {
    const NODE: &str = r#"query N($id: ID!) { node(id: $id) { ... on Advert {
        legacyId title lowestPrice
        taxon { legacyId displayName parent { legacyId displayName parent { legacyId parent { legacyId } } } }
        variants { nodes { legacyId advert { legacyId title lowestPrice taxon { legacyId parent { legacyId } } } } }
    } } }"#;
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        let d = mp
            .data(NODE, json!({ "id": gid("Advert", 100070734) }))
            .await?;
        let a = &d["node"];
        assert_eq!(a["legacyId"], 100070734, "[{l}] {d}");
        let taxon = &a["taxon"];
        assert_eq!(taxon["legacyId"], 278, "[{l}] {taxon}");
        assert_eq!(taxon["parent"]["legacyId"], 27, "[{l}] {taxon}");
        assert_eq!(
            taxon["parent"]["displayName"], "Networking",
            "[{l}] {taxon}"
        );
        assert_eq!(taxon["parent"]["parent"]["legacyId"], 1, "[{l}] {taxon}");
        assert!(
            taxon["parent"]["parent"]["parent"].is_null(),
            "[{l}] Electronics is a root: {taxon}"
        );
        let variants = a["variants"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(!variants.is_empty(), "[{l}] {d}");
        for v in &variants {
            assert_eq!(v["advert"]["legacyId"], a["legacyId"], "[{l}] {v}");
            assert_eq!(v["advert"]["title"], a["title"], "[{l}] {v}");
            assert_eq!(v["advert"]["lowestPrice"], a["lowestPrice"], "[{l}] {v}");
            assert_eq!(v["advert"]["taxon"]["parent"]["legacyId"], 27, "[{l}] {v}");
        }
    }
    Ok(())
}

/// The per-seller counters behind the unfiltered totals follow statements that insert or delete
/// many rows at once (a bulk load), not only the API's one-row writes: adverts and variants
/// copied in one statement each are counted, and deleting them in one statement uncounts them.
#[tokio::test]
async fn counters_follow_bulk_statements() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let before = total(&mp).await?;
        let store = &mp.server.state.store;
        let mut tx = store.begin().await?;
        for sql in [
            "CREATE TEMP TABLE advert_copies AS SELECT * FROM mp_adverts",
            "UPDATE advert_copies SET id = id + 1000000000",
            "INSERT INTO mp_adverts SELECT * FROM advert_copies",
            "CREATE TEMP TABLE variant_copies AS SELECT * FROM mp_variants",
            "UPDATE variant_copies SET id = id + 1000000000, advert_id = advert_id + 1000000000, sku = NULL",
            "INSERT INTO mp_variants SELECT * FROM variant_copies",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        assert_eq!(total(&mp).await?, before * 2, "[{}] copied", mp.label);
        assert_totals_consistent(&mp).await?;

        let mut tx = store.begin().await?;
        for sql in [
            "DELETE FROM mp_variants WHERE id >= 1000000000",
            "DELETE FROM mp_adverts WHERE id >= 1000000000",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        assert_eq!(total(&mp).await?, before, "[{}] deleted", mp.label);
        assert_totals_consistent(&mp).await?;
    }
    Ok(())
}
