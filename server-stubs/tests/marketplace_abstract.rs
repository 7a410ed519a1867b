//! Interface and union results end to end over HTTP, on the marketplace API: `node` returns the
//! `Node` interface, `nodes` a list of it, and `allAdverts` a connection of the `AllAdvert` union.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestServer, code};
use serde_json::{Value, json};
use shopql_server_stubs::marketplace::*;
use shopql_server_stubs::{ApiError, ApiResult, FieldContext};

struct Marketplace;

fn advert(legacy_id: i32) -> Advert {
    Advert {
        id: format!("Advert-{legacy_id}"),
        legacy_id,
        title: Some(format!("Advert {legacy_id}")),
        published: Some(true),
        ..Advert::default()
    }
}

fn deleted(legacy_id: i32) -> DeletedAdvert {
    DeletedAdvert {
        id: format!("Advert-{legacy_id}"),
        legacy_id,
        updated_at: "2025-01-02T03:04:05Z".into(),
        external_ids: vec![ExternalId {
            key: "erp".into(),
            value: format!("E{legacy_id}"),
        }],
    }
}

fn lookup(id: &str) -> Option<Node> {
    let (kind, n) = id.split_once('-')?;
    let n: i32 = n.parse().ok()?;
    Some(match kind {
        "Advert" => advert(n).into(),
        "Deleted" => deleted(n).into(),
        "Brand" => Brand {
            id: id.to_string(),
            legacy_id: n,
            name: Some("Smeg".into()),
            ..Brand::default()
        }
        .into(),
        _ => return None,
    })
}

#[shopql_server_stubs::async_trait::async_trait]
impl MarketplaceResolvers for Marketplace {
    async fn node(&self, _: &FieldContext<'_>, id: String) -> ApiResult<Option<Node>> {
        if id == "forbidden" {
            return Err(ApiError::forbidden("not your object"));
        }
        Ok(lookup(&id))
    }

    async fn nodes(&self, _: &FieldContext<'_>, ids: Vec<String>) -> ApiResult<Vec<Option<Node>>> {
        Ok(ids.iter().map(|id| lookup(id)).collect())
    }

    async fn all_adverts(
        &self,
        _: &FieldContext<'_>,
        _updated_since: Option<Iso8601DateTime>,
        first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<AllAdvertsConnection>> {
        let all: Vec<AllAdvert> = vec![
            advert(1).into(),
            deleted(2).into(),
            UnpublishedAdvert {
                id: "Advert-3".into(),
                legacy_id: 3,
                updated_at: "2025-01-01T00:00:00Z".into(),
                details: advert(3),
                external_ids: Vec::new(),
            }
            .into(),
        ];
        let take = usize::try_from(first.unwrap_or(50))
            .map_err(|_| ApiError::bad_input("first must not be negative"))?;
        let nodes: Vec<Option<AllAdvert>> = all.into_iter().take(take).map(Some).collect();
        Ok(Some(AllAdvertsConnection {
            total_count: 3,
            page_info: PageInfo {
                has_next_page: take < 3,
                ..PageInfo::default()
            },
            nodes: Some(nodes),
            edges: None,
        }))
    }

    // Everything else is not needed by these tests.

    async fn adverts_where(
        &self,
        _: &FieldContext<'_>,
        _q: Option<String>,
        _id_title_sku_barcode: Option<String>,
        _brand_ids: Option<Vec<String>>,
        _legacy_ids: Option<Vec<i32>>,
        _retailer_ids: Option<Vec<String>>,
        _status: Option<AdvertStatusEnum>,
        _taxon_ids: Option<Vec<String>>,
        _taxon_ids_with_descendants: Option<Vec<String>>,
        _variant_skus: Option<Vec<String>>,
        _variant_barcodes: Option<Vec<String>>,
        _rejected_via_vetting: Option<bool>,
        _requires_vetting: Option<bool>,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<AdvertsConnection>> {
        Err(ApiError::not_implemented("Query.advertsWhere"))
    }
    async fn variants_where(
        &self,
        _: &FieldContext<'_>,
        _variant_filters: Option<VariantFilters>,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<VariantConnection>> {
        Err(ApiError::not_implemented("Query.variantsWhere"))
    }
    async fn brands(
        &self,
        _: &FieldContext<'_>,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<BrandConnection>> {
        Err(ApiError::not_implemented("Query.brands"))
    }
    async fn brand_search(
        &self,
        _: &FieldContext<'_>,
        _keyword: String,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<BrandConnection>> {
        Err(ApiError::not_implemented("Query.brandSearch"))
    }
    async fn invoices(
        &self,
        _: &FieldContext<'_>,
        _filters: Option<InvoiceFilters>,
        _sort: Option<InvoiceSort>,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<InvoicesConnection>> {
        Err(ApiError::not_implemented("Query.invoices"))
    }
    async fn shipping_profiles(
        &self,
        _: &FieldContext<'_>,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<ShippingProfileConnection>> {
        Err(ApiError::not_implemented("Query.shippingProfiles"))
    }
    async fn taxons(
        &self,
        _: &FieldContext<'_>,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<TaxonsConnection>> {
        Err(ApiError::not_implemented("Query.taxons"))
    }
    async fn taxon_search(
        &self,
        _: &FieldContext<'_>,
        _search_value: String,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<TaxonsConnection>> {
        Err(ApiError::not_implemented("Query.taxonSearch"))
    }
    async fn advert_upsert(
        &self,
        _: &FieldContext<'_>,
        _input: AdvertUpsertMutationInput,
    ) -> ApiResult<Option<AdvertUpsertMutationPayload>> {
        Err(ApiError::not_implemented("Mutation.advertUpsert"))
    }
    async fn advert_delete(
        &self,
        _: &FieldContext<'_>,
        _input: AdvertDeleteMutationInput,
    ) -> ApiResult<Option<AdvertDeleteMutationPayload>> {
        Err(ApiError::not_implemented("Mutation.advertDelete"))
    }
    async fn advert_vetting_resubmit(
        &self,
        _: &FieldContext<'_>,
        _input: AdvertVettingResubmitMutationInput,
    ) -> ApiResult<Option<AdvertVettingResubmitMutationPayload>> {
        Err(ApiError::not_implemented("Mutation.advertVettingResubmit"))
    }
    async fn variant_update(
        &self,
        _: &FieldContext<'_>,
        _input: VariantUpdateMutationInput,
    ) -> ApiResult<Option<VariantUpdateMutationPayload>> {
        Err(ApiError::not_implemented("Mutation.variantUpdate"))
    }
    async fn variant_delete(
        &self,
        _: &FieldContext<'_>,
        _input: VariantDeleteMutationInput,
    ) -> ApiResult<Option<VariantDeleteMutationPayload>> {
        Err(ApiError::not_implemented("Mutation.variantDelete"))
    }
    async fn shipment_create(
        &self,
        _: &FieldContext<'_>,
        _input: ShipmentCreateMutationInput,
    ) -> ApiResult<Option<ShipmentCreateMutationPayload>> {
        Err(ApiError::not_implemented("Mutation.shipmentCreate"))
    }
    async fn shipment_update(
        &self,
        _: &FieldContext<'_>,
        _input: ShipmentUpdateMutationInput,
    ) -> ApiResult<Option<ShipmentUpdateMutationPayload>> {
        Err(ApiError::not_implemented("Mutation.shipmentUpdate"))
    }
    async fn advert_advert_option_values(
        &self,
        _: &FieldContext<'_>,
        _: &Advert,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<AdvertOptionValueConnection> {
        Err(ApiError::not_implemented("Advert.advertOptionValues"))
    }
    async fn advert_variants(
        &self,
        _: &FieldContext<'_>,
        _: &Advert,
        _displayable_only: Option<bool>,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<VariantConnection> {
        Err(ApiError::not_implemented("Advert.variants"))
    }
    async fn advert_images(
        &self,
        _: &FieldContext<'_>,
        _: &Advert,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<ImageConnection>> {
        Err(ApiError::not_implemented("Advert.images"))
    }
    async fn advert_documents(
        &self,
        _: &FieldContext<'_>,
        _: &Advert,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<AdvertDocumentConnection>> {
        Err(ApiError::not_implemented("Advert.documents"))
    }
    async fn unpublished_advert_variants(
        &self,
        _: &FieldContext<'_>,
        _: &UnpublishedAdvert,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<VariantConnection> {
        Err(ApiError::not_implemented("UnpublishedAdvert.variants"))
    }
    async fn deleted_advert_variants(
        &self,
        _: &FieldContext<'_>,
        _: &DeletedAdvert,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<VariantConnection> {
        Err(ApiError::not_implemented("DeletedAdvert.variants"))
    }
    async fn variant_option_values(
        &self,
        _: &FieldContext<'_>,
        _: &Variant,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<OptionValuesConnection>> {
        Err(ApiError::not_implemented("Variant.optionValues"))
    }
    async fn variant_images(
        &self,
        _: &FieldContext<'_>,
        _: &Variant,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<ImageConnection>> {
        Err(ApiError::not_implemented("Variant.images"))
    }
    async fn variant_inventories(
        &self,
        _: &FieldContext<'_>,
        _: &Variant,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<InventoryConnection>> {
        Err(ApiError::not_implemented("Variant.inventories"))
    }
    async fn money_formatted(
        &self,
        _: &FieldContext<'_>,
        _: &Money,
        _currency: Option<String>,
        _disambiguate: Option<bool>,
    ) -> ApiResult<String> {
        Err(ApiError::not_implemented("Money.formatted"))
    }
    async fn prototype_option_types(
        &self,
        _: &FieldContext<'_>,
        _: &Prototype,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<OptionTypeConnection>> {
        Err(ApiError::not_implemented("Prototype.optionTypes"))
    }
    async fn option_type_option_values(
        &self,
        _: &FieldContext<'_>,
        _: &OptionType,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<OptionValuesConnection>> {
        Err(ApiError::not_implemented("OptionType.optionValues"))
    }
    async fn invoice_shipping_cost_formatted(
        &self,
        _: &FieldContext<'_>,
        _: &Invoice,
        _currency: Option<String>,
    ) -> ApiResult<String> {
        Err(ApiError::not_implemented("Invoice.shippingCostFormatted"))
    }
    async fn invoice_discount_formatted(
        &self,
        _: &FieldContext<'_>,
        _: &Invoice,
        _currency: Option<String>,
    ) -> ApiResult<String> {
        Err(ApiError::not_implemented("Invoice.discountFormatted"))
    }
    async fn invoice_subtotal_formatted(
        &self,
        _: &FieldContext<'_>,
        _: &Invoice,
        _currency: Option<String>,
    ) -> ApiResult<String> {
        Err(ApiError::not_implemented("Invoice.subtotalFormatted"))
    }
    async fn invoice_total_formatted(
        &self,
        _: &FieldContext<'_>,
        _: &Invoice,
        _currency: Option<String>,
    ) -> ApiResult<String> {
        Err(ApiError::not_implemented("Invoice.totalFormatted"))
    }
    async fn advert_vetting_resubmit_mutation_payload_adverts(
        &self,
        _: &FieldContext<'_>,
        _: &AdvertVettingResubmitMutationPayload,
        _first: Option<i32>,
        _after: Option<String>,
        _last: Option<i32>,
        _before: Option<String>,
    ) -> ApiResult<Option<AdvertsConnection>> {
        Err(ApiError::not_implemented(
            "AdvertVettingResubmitMutationPayload.adverts",
        ))
    }
}

async fn start() -> TestServer {
    let app = shopql_server_stubs::axum::Router::new().nest(
        "/marketplace/graphql",
        shopql_server_stubs::marketplace::router(Marketplace),
    );
    TestServer::start(app).await
}

const PATH: &str = "/marketplace/graphql";

#[tokio::test]
async fn node_resolves_each_implementation_of_the_interface() {
    let server = start().await;
    let query = r#"query ($id: ID!) {
        node(id: $id) {
            __typename
            id
            ... on Advert { legacyId title published }
            ... on Brand { name }
            ... on DeletedAdvert { updatedAt externalIds { key value } }
        }
    }"#;
    let (_, body) = server
        .gql(PATH, query, json!({ "id": "Advert-100070734" }))
        .await;
    assert_eq!(
        body,
        json!({ "data": { "node": {
            "__typename": "Advert", "id": "Advert-100070734", "legacyId": 100070734,
            "title": "Advert 100070734", "published": true,
        } } })
    );
    let (_, body) = server.gql(PATH, query, json!({ "id": "Brand-4" })).await;
    assert_eq!(
        body,
        json!({ "data": { "node": { "__typename": "Brand", "id": "Brand-4", "name": "Smeg" } } })
    );
    let (_, body) = server.gql(PATH, query, json!({ "id": "Deleted-7" })).await;
    assert_eq!(
        body,
        json!({ "data": { "node": {
            "__typename": "DeletedAdvert", "id": "Advert-7", "updatedAt": "2025-01-02T03:04:05Z",
            "externalIds": [{ "key": "erp", "value": "E7" }],
        } } })
    );
    let (_, body) = server.gql(PATH, query, json!({ "id": "nothing" })).await;
    assert_eq!(body, json!({ "data": { "node": null } }));
    let (_, body) = server.gql(PATH, query, json!({ "id": "forbidden" })).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    assert_eq!(body["data"], json!({ "node": null }));
}

#[tokio::test]
async fn lists_of_an_interface_keep_nulls_and_order() {
    let server = start().await;
    let (_, body) = server
        .gql(
            PATH,
            r#"{ nodes(ids: ["Brand-1", "nope", "Advert-2"]) { __typename ...on Node { id } } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": { "nodes": [
            { "__typename": "Brand", "id": "Brand-1" },
            null,
            { "__typename": "Advert", "id": "Advert-2" },
        ] } })
    );
}

#[tokio::test]
async fn a_union_connection_resolves_every_member() {
    let server = start().await;
    let (_, body) = server
        .gql(
            PATH,
            r#"{ allAdverts(first: 10) {
                totalCount
                pageInfo { hasNextPage }
                nodes {
                    __typename
                    ... on Advert { id title }
                    ... on DeletedAdvert { id updatedAt }
                    ... on UnpublishedAdvert { id details { title } }
                }
            } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": { "allAdverts": {
            "totalCount": 3,
            "pageInfo": { "hasNextPage": false },
            "nodes": [
                { "__typename": "Advert", "id": "Advert-1", "title": "Advert 1" },
                { "__typename": "DeletedAdvert", "id": "Advert-2", "updatedAt": "2025-01-02T03:04:05Z" },
                { "__typename": "UnpublishedAdvert", "id": "Advert-3", "details": { "title": "Advert 3" } },
            ],
        } } })
    );

    // A union has no fields of its own: selecting one without a fragment is a validation error.
    let (_, body) = server
        .gql(PATH, "{ allAdverts { nodes { id } } }", Value::Null)
        .await;
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");

    // Introspection sees the union's members and the interface's implementations.
    let (_, body) = server
        .gql(
            PATH,
            r#"{ u: __type(name: "AllAdvert") { kind possibleTypes { name } } }"#,
            Value::Null,
        )
        .await;
    let mut members: Vec<String> = body["data"]["u"]["possibleTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    members.sort();
    assert_eq!(body["data"]["u"]["kind"], "UNION");
    assert_eq!(members, ["Advert", "DeletedAdvert", "UnpublishedAdvert"]);
}
