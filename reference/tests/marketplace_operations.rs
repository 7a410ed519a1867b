//! Every operation of `schemas/operations/marketplace/` (the seed's examples, named, plus the
//! shopql ones) runs against the reference server on every backend and answers in the shape the
//! seed shows: no GraphQL errors, mutation payloads with status 200 and no `errors`, and the
//! objects behind the seed's ids. Reads run first, then mutations, destructive ones last.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod marketplace_support;

use std::path::PathBuf;

use marketplace_support::{Mp, databases};
use serde_json::{Value, json};

fn operations_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/operations/marketplace")
}

fn operation(name: &str) -> (String, Value) {
    let dir = operations_dir();
    let query = std::fs::read_to_string(dir.join(format!("{name}.graphql")))
        .unwrap_or_else(|e| panic!("{name}.graphql: {e}"));
    let vars = std::fs::read_to_string(dir.join(format!("{name}.json")))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(json!({}));
    (query, vars)
}

/// The order mutations run in: creations and edits first, deletions last (the seed deletes
/// Image-284940 after editing it, and deletes Variant-78023 after updating it).
const MUTATIONS: &[&str] = &[
    "advert_upsert_create",
    "advert_upsert_add_advert_image",
    "advert_upsert_add_variant_image",
    "advert_upsert_add_document",
    "advert_upsert_create_variant",
    "advert_upsert_update",
    "advert_upsert_update_advert_image",
    "variant_update_update_variant_image",
    "advert_upsert_update_document",
    "advert_upsert_delete_document",
    "advert_upsert_delete_advert_image",
    "variant_update_delete_variant_image",
    "update_variant",
    "resubmit_advert_for_vetting",
    "shipment_create_send_invoice",
    "shipment_create_create_shipment",
    "update_shipment",
    "delete_variant",
    "delete_advert",
];

/// Checks every mutation payload of a response: status 200 (when selected) and no `errors`.
fn assert_payloads_ok(name: &str, data: &Value) {
    for (field, payload) in data.as_object().into_iter().flatten() {
        if let Some(errors) = payload.get("errors") {
            assert!(errors.is_null(), "{name}: {field} returned errors {errors}");
        }
        if let Some(status) = payload.get("status") {
            assert_eq!(status, 200, "{name}: {field} status");
        }
    }
}

#[tokio::test]
async fn every_operation_runs_and_answers_in_the_seed_shape() -> anyhow::Result<()> {
    let mut all: Vec<String> = std::fs::read_dir(operations_dir())?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.strip_suffix(".graphql").map(str::to_string)
        })
        .collect();
    all.sort();
    let queries: Vec<String> = all
        .iter()
        .filter(|n| !MUTATIONS.contains(&n.as_str()))
        .cloned()
        .collect();
    // Every file is either a query or a listed mutation.
    for name in &queries {
        let (q, _) = operation(name);
        assert!(
            !q.lines().any(|l| l.trim_start().starts_with("mutation")),
            "{name} is a mutation missing from MUTATIONS"
        );
    }
    assert_eq!(queries.len() + MUTATIONS.len(), all.len());

    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        for name in &queries {
            let (q, vars) = operation(name);
            let data = mp.data(&q, vars).await?;
            check_query(name, &data);
        }
        for name in MUTATIONS {
            let (q, vars) = operation(name);
            let data = mp.data(&q, vars).await?;
            assert_payloads_ok(name, &data);
            check_mutation(name, &data);
        }
        mp.stop().await?;
    }
    Ok(())
}

fn nodes(v: &Value) -> Vec<Value> {
    v["nodes"].as_array().cloned().unwrap_or_default()
}

fn check_query(name: &str, d: &Value) {
    match name {
        "get_advert" => {
            let a = &d["node"];
            assert_eq!(a["legacyId"], 100_070_734);
            assert_eq!(a["title"], "GlocalMe G4 Pro 4G Mobile Hotspot");
            assert_eq!(a["lowestPrice"], "179.00");
            assert_eq!(a["lowestOriginalPrice"], "199.00");
            let labels: Vec<Value> = nodes(&a["variants"])
                .iter()
                .map(|v| v["label"].clone())
                .collect();
            assert_eq!(labels, vec![json!("Black"), json!("White")]);
        }
        "all_adverts_list_adverts" | "all_adverts_list_variants" => {
            let ns = nodes(&d["allAdverts"]);
            let kinds: Vec<&str> = ns.iter().filter_map(|n| n["__typename"].as_str()).collect();
            for k in ["Advert", "UnpublishedAdvert", "DeletedAdvert"] {
                assert!(kinds.contains(&k), "{name}: no {k} in {kinds:?}");
            }
        }
        "all_adverts_updated_since_page" => {
            let c = &d["allAdverts"];
            assert_eq!(c["edges"].as_array().map(Vec::len), Some(10));
            assert_eq!(c["pageInfo"]["hasNextPage"], true);
            assert!(c["totalCount"].as_i64().unwrap_or(0) > 10);
        }
        "adverts_where_brand_and_taxon" => {
            let c = &d["advertsWhere"];
            assert_eq!(c["totalCount"], 2, "{c}");
            for n in nodes(c) {
                assert_eq!(n["brand"]["name"], "GlocalMe");
            }
        }
        "adverts_where_rejected_via_vetting" => {
            let c = &d["advertsWhere"];
            assert_eq!(c["totalCount"], 1);
            assert_eq!(nodes(c)[0]["legacyId"], 100_002_578);
            assert!(nodes(c)[0]["vettingRejectedReason"].is_string());
        }
        "list_advert_images" => assert_eq!(nodes(&d["node"]["images"]).len(), 2),
        "list_variant_images" => {
            let imgs = nodes(&d["node"]["images"]);
            assert_eq!(imgs.len(), 1);
            assert_eq!(imgs[0]["id"], "SW1hZ2UtMjg0OTQw");
        }
        "show_image" => assert!(d["node"]["url"].is_string()),
        "list_advert_documents" => {
            let docs = nodes(&d["node"]["documents"]);
            assert_eq!(docs.len(), 2);
            assert_eq!(docs[0]["id"], "QWR2ZXJ0RG9jdW1lbnQtMzA1MTAz");
        }
        "show_advert_document" => assert_eq!(d["node"]["filename"], "warranty.pdf"),
        "list_variant_inventories" => {
            let inv = nodes(&d["node"]["inventories"]);
            assert_eq!(inv.len(), 3);
            assert!(inv.iter().any(|i| i["infiniteQuantity"] == true));
            assert!(inv.iter().all(|i| i["seller"]["businessName"].is_string()));
        }
        "list_brands" => assert!(nodes(&d["brands"]).len() >= 5),
        "search_brands" => {
            let names: Vec<Value> = nodes(&d["brandSearch"])
                .iter()
                .map(|b| b["name"].clone())
                .collect();
            assert_eq!(names, vec![json!("Giant"), json!("Giant Loop")]);
        }
        "list_taxons" => assert!(nodes(&d["taxons"]).len() >= 10),
        "search_taxons" => assert_eq!(nodes(&d["taxonSearch"]).len(), 2),
        "get_taxon_option_types_and_values" => {
            let types = nodes(&d["node"]["prototype"]["optionTypes"]);
            assert_eq!(types.len(), 4);
            assert_eq!(nodes(&types[0]["optionValues"]).len(), 3);
        }
        "list_shipping_profiles" => assert_eq!(nodes(&d["shippingProfiles"]).len(), 3),
        "get_variant_shipping_profile" => {
            assert_eq!(d["node"]["shippingProfile"]["legacyId"], 3);
        }
        "get_variant_with_additional_resources" => {
            assert_eq!(d["node"]["shippingParcel"]["length"], 15.0);
        }
        "get_variant" => assert_eq!(d["node"]["sku"], "sku-2"),
        "list_advert_variants" => assert_eq!(nodes(&d["node"]["variants"]).len(), 2),
        "variants_where_list_variants" => {
            let skus: Vec<Value> = nodes(&d["variantsWhere"])
                .iter()
                .map(|v| v["sku"].clone())
                .collect();
            assert_eq!(skus, vec![json!("sku-2"), json!("sku-1")]);
        }
        "list_invoices" => assert_eq!(nodes(&d["invoices"]).len(), 9),
        "list_invoices_with_filters" | "list_invoices_with_additional_resources" => {
            assert_eq!(nodes(&d["invoices"]).len(), 6);
        }
        "invoices_sorted_by_paid_at" => {
            let ids: Vec<Value> = nodes(&d["invoices"])
                .iter()
                .map(|i| i["legacyId"].clone())
                .collect();
            assert_eq!(ids, vec![json!(13700), json!(13500), json!(10421)]);
        }
        "show_invoice" => {
            let i = &d["node"];
            assert_eq!(i["legacyId"], 13218);
            assert_eq!(i["totalCents"], 36195);
            assert_eq!(i["statusFlags"], json!(["PAID", "SENT"]));
            assert_eq!(i["shipments"][0]["carrier"], "Australia Post");
        }
        "list_invoice_shipments" => {
            assert!(d["node"]["shipments"][0]["trackingLink"].is_string());
        }
        "show_shipment" => assert_eq!(d["node"]["trackingNumber"], "AP123456789AU"),
        "nodes_by_ids" => {
            let kinds: Vec<Value> = d["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| n["__typename"].clone())
                .collect();
            assert_eq!(
                kinds,
                vec![
                    json!("Advert"),
                    json!("Variant"),
                    json!("Brand"),
                    json!("Taxon"),
                    json!("Invoice")
                ]
            );
        }
        _ => {}
    }
}

fn check_mutation(name: &str, d: &Value) {
    match name {
        "advert_upsert_create"
        | "advert_upsert_add_advert_image"
        | "advert_upsert_add_variant_image"
        | "advert_upsert_add_document"
        | "advert_upsert_create_variant" => {
            let a = &d["advertUpsert"]["advert"];
            assert!(
                a["legacyId"].as_i64().unwrap_or(0) > 100_070_734,
                "{name}: {a}"
            );
        }
        "advert_upsert_update" => assert_eq!(d["advertUpsert"]["advert"]["legacyId"], 100_070_730),
        "resubmit_advert_for_vetting" => {
            let a = &nodes(&d["advertVettingResubmit"]["adverts"])[0];
            assert_eq!(a["requiresVetting"], true);
            assert_eq!(a["vettingRejected"], false);
            assert!(a["vettingRejectedReason"].is_null());
        }
        "shipment_create_send_invoice" | "shipment_create_create_shipment" => {
            assert!(d["shipmentCreate"]["shipment"]["id"].is_string());
        }
        "update_shipment" => {
            assert_eq!(d["shipmentUpdate"]["shipment"]["trackingNumber"], "66666");
        }
        "delete_variant" => assert_eq!(d["variantDelete"]["variant"]["countOnHand"], 78),
        "delete_advert" => assert_eq!(d["advertDelete"]["advert"]["legacyId"], 100_013_026),
        _ => {}
    }
}
