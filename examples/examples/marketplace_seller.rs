//! Seed 004 (the marketplace seller API), done with the SDK: upsert an advert with a variant and
//! an image, find it by SKU and by its global id, resubmit a rejected advert for vetting, then
//! ship an invoice's line item.
//!
//! `cargo run -p shopql-examples --example marketplace_seller` (reference server running).

use shopql_examples::{base_url, check};
use shopql_sdk::Maybe;
use shopql_sdk::marketplace::*;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mp = Client::new(format!("{}/marketplace/graphql", base_url())).bearer("demo-seller-key");
    let sku = format!("EX-SKU-{}", std::process::id());

    let payload = mp
        .advert_upsert(AdvertUpsertMutationInput {
            attributes: AdvertInput {
                brand_id: Maybe::Value("QnJhbmQtNA==".into()),
                taxon_id: Maybe::Value("VGF4b24tMjc4".into()),
                title: Maybe::Value("GlocalMe 4G Wireless Hot Spot".into()),
                description: Maybe::Value("WiFi Hotspot powered by 4G".into()),
                price: Maybe::Value("49.99".into()),
                attempt_auto_publish: Maybe::Value(true),
                images: Maybe::Value(vec![ImageInput {
                    source_url: Maybe::Value("https://example.com/router.jpg".into()),
                    ..Default::default()
                }]),
                product_features: Maybe::Value(vec![
                    "Fast charge".into(),
                    "Light weight".into(),
                    "4G compatible".into(),
                ]),
                advert_option_values: Maybe::Value(vec![AdvertOptionValueInput {
                    option_value_id: Maybe::Value("T3B0aW9uVmFsdWUtNzM2".into()),
                    ..Default::default()
                }]),
                variants: Maybe::Value(vec![VariantInput {
                    sku: Maybe::Value(sku.clone()),
                    count_on_hand: Maybe::Value(1000),
                    variant_option_values: Maybe::Value(vec![VariantOptionValueInput {
                        option_value_id: Maybe::Value("T3B0aW9uVmFsdWUtNzMy".into()),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }]),
                ..Default::default()
            },
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("advertUpsert returned nothing"))?;
    let advert = payload
        .advert
        .ok_or_else(|| anyhow::anyhow!("advertUpsert failed: {:?}", payload.errors))?;
    println!(
        "advertUpsert: status {}, advert {} (legacy id {})",
        payload.status, advert.id, advert.legacy_id
    );

    let found = mp
        .adverts_where(AdvertsWhereOptions {
            variant_skus: Some(vec![sku.clone()]),
            ..Default::default()
        })
        .await?;
    println!(
        "advertsWhere(variantSkus: [{sku}]): {} advert(s)",
        found.as_ref().map_or(0, |c| c.total_count)
    );
    check(
        found.is_some_and(|c| c.total_count == 1),
        "the advert is found by its variant's SKU",
    )?;
    match mp.node(advert.id.clone()).await? {
        Some(Node::Advert(a)) => println!(
            "node({}): `{}`, lowest price {:?}, requires vetting {:?}",
            a.id,
            a.title.unwrap_or_default(),
            a.lowest_price,
            a.requires_vetting
        ),
        Some(Node::UnpublishedAdvert(u)) => {
            println!("node({}): unpublished advert (awaiting vetting)", u.id)
        }
        other => anyhow::bail!("node(advert) returned {other:?}"),
    }

    let resubmitted = mp
        .advert_vetting_resubmit(AdvertVettingResubmitMutationInput {
            advert_ids: vec!["QWR2ZXJ0LTEwMDAwMjU3OA==".into()],
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("advertVettingResubmit returned nothing"))?;
    println!(
        "advertVettingResubmit(Advert-100002578): status {}, errors {:?}",
        resubmitted.status,
        resubmitted.errors.unwrap_or_default()
    );

    let invoices = mp
        .invoices(InvoicesOptions {
            filters: Some(InvoiceFilters {
                updated_since: Maybe::Value("2023-05-16".into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await?;
    let open: Vec<(String, String, i32)> = invoices
        .iter()
        .flat_map(|c| c.nodes.iter().flatten().flatten())
        .flat_map(|inv| {
            inv.line_items
                .iter()
                .flatten()
                .filter(|l| l.shipped_quantity < l.quantity)
                .map(move |l| (inv.id.clone(), l.id.clone(), 1))
        })
        .collect();
    println!("{} invoice line(s) still to ship", open.len());
    if let Some((invoice, line, quantity)) = open.into_iter().next() {
        let shipment = mp
            .shipment_create(ShipmentCreateMutationInput {
                invoice_id: invoice.clone(),
                shipped_items: vec![ShippedItemInput {
                    line_item_id: line,
                    quantity,
                }],
                postage_carrier_id: "U2hpcG1lbnRDYXJyaWVyLTY5".into(),
                dispatched_at: "2023-06-07".into(),
                tracking_number: format!("EX-{}", std::process::id()),
                note: Maybe::Value("Dispatched within SLA".into()),
                ..Default::default()
            })
            .await?
            .ok_or_else(|| anyhow::anyhow!("shipmentCreate returned nothing"))?;
        println!(
            "shipmentCreate on {invoice}: status {}, shipment {:?}",
            shipment.status,
            shipment.shipment.map(|s| s.id)
        );
        check(shipment.status == 200, "the shipment is created")?;
    }
    println!("ok");
    Ok(())
}
