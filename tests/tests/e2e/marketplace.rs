//! The marketplace seller API through the SDK: catalogue reads, an advert created with variants,
//! updated, found by SKU and by node id, a variant updated and deleted, vetting resubmitted, an
//! invoice shipped, the advert deleted — every root field, results asserted.

use shopql_sdk::Maybe;
use shopql_sdk::marketplace::*;
use shopql_tests::Coverage;

const BRAND_4: &str = "QnJhbmQtNA==";
const TAXON_278: &str = "VGF4b24tMjc4";
const OPTION_VALUE_732: &str = "T3B0aW9uVmFsdWUtNzMy";
const OPTION_VALUE_736: &str = "T3B0aW9uVmFsdWUtNzM2";
const REJECTED_ADVERT: &str = "QWR2ZXJ0LTEwMDAwMjU3OA==";
const INVOICE_10421: &str = "SW52b2ljZS0xMDQyMQ==";
const LINE_ITEM_499: &str = "TGluZUl0ZW0tNDk5";
const CARRIER_69: &str = "U2hpcG1lbnRDYXJyaWVyLTY5";

fn variant(sku: &str, count: i32) -> VariantInput {
    VariantInput {
        sku: Maybe::Value(sku.into()),
        count_on_hand: Maybe::Value(count),
        price: Maybe::Value("49.99".parse().unwrap_or_default()),
        variant_option_values: Maybe::Value(vec![VariantOptionValueInput {
            option_value_id: Maybe::Value(OPTION_VALUE_732.into()),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

pub async fn journey(base_url: &str, coverage: &Coverage) -> anyhow::Result<()> {
    let mp = Client::from_graphql_client(
        coverage
            .client(base_url, "/marketplace/graphql")
            .bearer("demo-seller-key"),
    );

    // Shared catalogue.
    assert!(
        mp.brands(BrandsOptions::default())
            .await?
            .is_some_and(|c| c.total_count > 0)
    );
    let giant = mp
        .brand_search("Giant".into(), BrandSearchOptions::default())
        .await?;
    assert!(giant.is_some_and(|c| {
        c.nodes
            .iter()
            .flatten()
            .flatten()
            .any(|b| b.name.as_deref() == Some("Giant"))
    }));
    assert!(
        mp.taxons(TaxonsOptions::default())
            .await?
            .is_some_and(|c| c.total_count > 0)
    );
    assert!(
        mp.taxon_search("BBQ".into(), TaxonSearchOptions::default())
            .await?
            .is_some_and(|c| c.total_count > 0)
    );
    assert!(
        mp.shipping_profiles(ShippingProfilesOptions::default())
            .await?
            .is_some_and(|c| c.total_count > 0)
    );

    // Create an advert with two variants.
    let created = mp
        .advert_upsert(AdvertUpsertMutationInput {
            attributes: AdvertInput {
                title: Maybe::Value("E2E Hot Spot".into()),
                description: Maybe::Value("Created by the end-to-end suite".into()),
                brand_id: Maybe::Value(BRAND_4.into()),
                taxon_id: Maybe::Value(TAXON_278.into()),
                price: Maybe::Value("49.99".into()),
                advert_option_values: Maybe::Value(vec![AdvertOptionValueInput {
                    option_value_id: Maybe::Value(OPTION_VALUE_736.into()),
                    ..Default::default()
                }]),
                variants: Maybe::Value(vec![variant("E2E-SKU-1", 10), variant("E2E-SKU-2", 5)]),
                ..Default::default()
            },
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("advertUpsert returned no payload"))?;
    assert_eq!(created.status, 200, "errors: {:?}", created.errors);
    let advert = created
        .advert
        .ok_or_else(|| anyhow::anyhow!("advertUpsert returned no advert"))?;
    let advert_id = advert.id.clone();

    let updated = mp
        .advert_upsert(AdvertUpsertMutationInput {
            advert_id: Maybe::Value(advert_id.clone()),
            attributes: AdvertInput {
                price: Maybe::Value("29.99".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("advertUpsert (update) returned no payload"))?;
    assert_eq!(updated.status, 200);
    let invalid = mp
        .advert_upsert(AdvertUpsertMutationInput {
            attributes: AdvertInput {
                price: Maybe::Value("not a price".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("advertUpsert (invalid) returned no payload"))?;
    assert_eq!(invalid.status, 422);
    assert!(
        invalid.errors.is_some_and(|e| !e.is_empty()),
        "invalid input is reported in `errors`"
    );

    // Find it by node id, among nodes, by SKU, and in the list of all adverts.
    match mp.node(advert_id.clone()).await? {
        Some(Node::Advert(a)) => assert_eq!(a.title.as_deref(), Some("E2E Hot Spot")),
        other => anyhow::bail!("node(advert) returned {other:?}"),
    }
    let nodes = mp.nodes(vec![advert_id.clone(), BRAND_4.into()]).await?;
    assert_eq!(nodes.len(), 2);
    assert!(matches!(nodes[1], Some(Node::Brand(_))));
    let found = mp
        .adverts_where(AdvertsWhereOptions {
            variant_skus: Some(vec!["E2E-SKU-1".into()]),
            ..Default::default()
        })
        .await?;
    assert_eq!(found.map(|c| c.total_count), Some(1));
    let all = mp
        .all_adverts(AllAdvertsOptions {
            first: Some(100),
            ..Default::default()
        })
        .await?;
    // Not published yet (no `attemptAutoPublish`), so it is listed as an unpublished advert.
    let listed = all.is_some_and(|c| {
        c.nodes.iter().flatten().flatten().any(|n| match n {
            AllAdvert::Advert(a) => a.id == advert_id,
            AllAdvert::UnpublishedAdvert(u) => u.id == advert_id,
            _ => false,
        })
    });
    assert!(listed, "the new advert is in allAdverts");

    // Variants: find, update, delete one of the two.
    let variants = mp
        .variants_where(VariantsWhereOptions {
            variant_filters: Some(VariantFilters {
                skus: Maybe::Value(vec!["E2E-SKU-1".into(), "E2E-SKU-2".into()]),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("variantsWhere returned nothing"))?;
    let ids: Vec<String> = variants
        .nodes
        .iter()
        .flatten()
        .flatten()
        .map(|v| v.id.clone())
        .collect();
    assert_eq!(ids.len(), 2);
    let update = mp
        .variant_update(VariantUpdateMutationInput {
            variant_id: Maybe::Value(ids[0].clone()),
            attributes: VariantInput {
                count_on_hand: Maybe::Value(78),
                sale_price: Maybe::Value("20.1".parse()?),
                ..Default::default()
            },
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("variantUpdate returned no payload"))?;
    assert_eq!(update.variant.and_then(|v| v.count_on_hand), Some(78));
    let deleted = mp
        .variant_delete(VariantDeleteMutationInput {
            id: ids[1].clone(),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("variantDelete"))?;
    assert_eq!(deleted.status, 200, "{:?}", deleted.errors);

    // Vetting: resubmit the demo seller's rejected advert.
    let resubmitted = mp
        .advert_vetting_resubmit(AdvertVettingResubmitMutationInput {
            advert_ids: vec![REJECTED_ADVERT.into()],
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("advertVettingResubmit"))?;
    assert_eq!(resubmitted.status, 200, "{:?}", resubmitted.errors);

    // Invoices and a shipment.
    let invoices = mp
        .invoices(InvoicesOptions {
            filters: Some(InvoiceFilters {
                updated_since: Maybe::Value("2023-05-16".into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await?;
    assert!(invoices.is_some_and(|c| c.total_count > 0));
    let shipment = mp
        .shipment_create(ShipmentCreateMutationInput {
            invoice_id: INVOICE_10421.into(),
            shipped_items: vec![ShippedItemInput {
                line_item_id: LINE_ITEM_499.into(),
                quantity: 1,
            }],
            postage_carrier_id: CARRIER_69.into(),
            dispatched_at: "2023-06-07".into(),
            tracking_number: "E2E-12234".into(),
            note: Maybe::Value("Dispatched within SLA".into()),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("shipmentCreate"))?;
    assert_eq!(shipment.status, 200, "{:?}", shipment.errors);
    let shipment_id = shipment.shipment.map(|s| s.id).unwrap_or_default();
    let over = mp
        .shipment_create(ShipmentCreateMutationInput {
            invoice_id: INVOICE_10421.into(),
            shipped_items: vec![ShippedItemInput {
                line_item_id: LINE_ITEM_499.into(),
                quantity: 1000,
            }],
            postage_carrier_id: CARRIER_69.into(),
            dispatched_at: "2023-06-08".into(),
            tracking_number: "E2E-OVER".into(),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("shipmentCreate (over)"))?;
    assert_eq!(over.status, 422, "over-shipping is refused");
    let tracked = mp
        .shipment_update(ShipmentUpdateMutationInput {
            shipment_id,
            tracking_number: Maybe::Value("66666".into()),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("shipmentUpdate"))?;
    assert_eq!(
        tracked.shipment.map(|s| s.tracking_number).as_deref(),
        Some("66666")
    );

    // Another seller cannot see the advert; then it is deleted.
    let other = Client::from_graphql_client(
        coverage
            .client(base_url, "/marketplace/graphql")
            .bearer("demo-seller-2-key"),
    );
    assert!(
        other
            .node(advert_id.clone())
            .await
            .map(|n| n.is_none())
            .unwrap_or(true),
        "another seller's advert is not visible"
    );
    let gone = mp
        .advert_delete(AdvertDeleteMutationInput {
            id: advert_id.clone(),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("advertDelete"))?;
    assert_eq!(gone.status, 200, "{:?}", gone.errors);
    assert!(matches!(
        mp.node(advert_id).await?,
        Some(Node::DeletedAdvert(_))
    ));
    Ok(())
}
