//! The marketplace API's resolver trait, implemented on the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use shopql_server_stubs::marketplace::{self as gql, MarketplaceResolvers};
use shopql_server_stubs::{ApiError, ApiResult, FieldContext};

use super::auth::seller;
use super::batch::{Batcher, Nested, Parent};
use super::errors::{OK, UNPROCESSABLE};
use super::load::Loader;
use super::queries::{
    AdvertDocuments, AdvertFilters, AdvertOptionValues, AdvertVariants, Images, OptionTypeValues,
    VariantOptionValues,
};
use super::{adverts, queries, shipments, variants};
use crate::domain::marketplace::pricing::{self, check_display_currency};
use crate::state::AppState;
use crate::store::page::PageArgs;

/// How long the result of a resubmission is kept for its payload's `adverts` field.
const RESUBMIT_MEMORY_MS: i64 = 5 * 60 * 1000;

/// What `advertVettingResubmit` resubmitted, per seller and request, until the payload's
/// `adverts` field reads it. (The generated payload struct has no field to carry the ids, and its
/// `adverts` field is resolved lazily from the payload alone; the request context is the only
/// link. Keyed by seller too, so a reused request id can never show one seller another's ids.)
type Resubmissions = Arc<Mutex<HashMap<(i64, String), (i64, Option<Vec<i64>>)>>>;

/// A connection's `first`, `after`, `last` and `before`, as its resolver receives them.
type Window = (Option<i32>, Option<String>, Option<i32>, Option<String>);

/// The implementation of the generated `MarketplaceResolvers`.
#[derive(Clone)]
pub struct MarketplaceApi {
    pub(crate) state: AppState,
    pub(crate) resubmissions: Resubmissions,
}

impl MarketplaceApi {
    /// The API over the shared state.
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            resubmissions: Arc::default(),
        }
    }

    fn loader(&self, ctx: &FieldContext<'_>) -> ApiResult<Loader<'_>> {
        Ok(Loader::new(
            &self.state.store.pool,
            seller(ctx)?,
            self.state.now_ms(),
        ))
    }

    /// What every connection field starts with: the seller's loader (an error without a
    /// seller) and the page asked for (`totalCount` counted only when selected).
    fn page(&self, ctx: &FieldContext<'_>, window: Window) -> ApiResult<(Loader<'_>, PageArgs)> {
        let (first, after, last, before) = window;
        let args = PageArgs::of(ctx, first, after, last, before);
        Ok((self.loader(ctx)?, args))
    }

    /// A connection below `parent` (its legacy id, and the advert itself when it is one the
    /// request loaded): from the request's batch when `parent` was listed with siblings (see
    /// `batch`), else on its own.
    async fn nested<C: Nested>(
        &self,
        ctx: &FieldContext<'_>,
        of: C,
        parent: (i32, Option<&gql::Advert>),
        window: Window,
    ) -> ApiResult<C::Connection> {
        let (loader, args) = self.page(ctx, window)?;
        batcher(ctx)?.page(of, &loader, parent, &args).await
    }

    fn remember_resubmission(&self, seller: i64, request: &str, ids: Option<Vec<i64>>) {
        let now = self.state.now_ms();
        if let Ok(mut map) = self.resubmissions.lock() {
            map.retain(|_, (at, _)| now - *at < RESUBMIT_MEMORY_MS);
            map.insert((seller, request.to_string()), (now, ids));
        }
    }

    fn resubmitted(&self, seller: i64, request: &str) -> Option<Vec<i64>> {
        self.resubmissions
            .lock()
            .ok()
            .and_then(|map| map.get(&(seller, request.to_string())).cloned())
            .and_then(|(_, ids)| ids)
    }
}

fn currency_ok(currency: Option<&str>) -> ApiResult<()> {
    check_display_currency(currency).map_err(ApiError::bad_input)
}

#[shopql_server_stubs::async_trait::async_trait]
impl MarketplaceResolvers for MarketplaceApi {
    async fn node(&self, ctx: &FieldContext<'_>, id: String) -> ApiResult<Option<gql::Node>> {
        queries::node(&self.loader(ctx)?, &id).await
    }

    async fn nodes(
        &self,
        ctx: &FieldContext<'_>,
        ids: Vec<String>,
    ) -> ApiResult<Vec<Option<gql::Node>>> {
        queries::nodes(&self.loader(ctx)?, &ids).await
    }

    async fn all_adverts(
        &self,
        ctx: &FieldContext<'_>,
        updated_since: Option<String>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::AllAdvertsConnection>> {
        let (loader, args) = self.page(ctx, (first, after, last, before))?;
        let connection = queries::all_adverts(&loader, updated_since, &args).await?;
        listed(
            ctx,
            Parent::Advert,
            connection.nodes.as_deref(),
            |n| match n {
                gql::AllAdvert::Advert(a) => a.legacy_id,
                gql::AllAdvert::UnpublishedAdvert(a) => a.legacy_id,
                gql::AllAdvert::DeletedAdvert(a) => a.legacy_id,
            },
        );
        Ok(Some(connection))
    }

    async fn adverts_where(
        &self,
        ctx: &FieldContext<'_>,
        q: Option<String>,
        id_title_sku_barcode: Option<String>,
        brand_ids: Option<Vec<String>>,
        legacy_ids: Option<Vec<i32>>,
        retailer_ids: Option<Vec<String>>,
        status: Option<gql::AdvertStatusEnum>,
        taxon_ids: Option<Vec<String>>,
        taxon_ids_with_descendants: Option<Vec<String>>,
        variant_skus: Option<Vec<String>>,
        variant_barcodes: Option<Vec<String>>,
        rejected_via_vetting: Option<bool>,
        requires_vetting: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::AdvertsConnection>> {
        let filters = AdvertFilters {
            q,
            id_title_sku_barcode,
            brand_ids,
            legacy_ids,
            retailer_ids,
            status,
            taxon_ids,
            taxon_ids_with_descendants,
            variant_skus,
            variant_barcodes,
            rejected_via_vetting,
            requires_vetting,
        };
        let (loader, args) = self.page(ctx, (first, after, last, before))?;
        let connection = queries::adverts_where(&loader, filters, &args).await?;
        listed(ctx, Parent::Advert, connection.nodes.as_deref(), |a| {
            a.legacy_id
        });
        Ok(Some(connection))
    }

    async fn variants_where(
        &self,
        ctx: &FieldContext<'_>,
        variant_filters: Option<gql::VariantFilters>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::VariantConnection>> {
        let (loader, args) = self.page(ctx, (first, after, last, before))?;
        let connection = queries::variants_where(&loader, variant_filters, &args).await?;
        listed(ctx, Parent::Variant, connection.nodes.as_deref(), |v| {
            v.legacy_id
        });
        Ok(Some(connection))
    }

    async fn brands(
        &self,
        ctx: &FieldContext<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::BrandConnection>> {
        let (loader, args) = self.page(ctx, (first, after, last, before))?;
        queries::brands(&loader, None, &args).await.map(Some)
    }

    async fn brand_search(
        &self,
        ctx: &FieldContext<'_>,
        keyword: String,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::BrandConnection>> {
        let (loader, args) = self.page(ctx, (first, after, last, before))?;
        queries::brands(&loader, Some(keyword), &args)
            .await
            .map(Some)
    }

    async fn invoices(
        &self,
        ctx: &FieldContext<'_>,
        filters: Option<gql::InvoiceFilters>,
        sort: Option<gql::InvoiceSort>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::InvoicesConnection>> {
        let (loader, args) = self.page(ctx, (first, after, last, before))?;
        queries::invoices(&loader, filters, sort, &args)
            .await
            .map(Some)
    }

    async fn shipping_profiles(
        &self,
        ctx: &FieldContext<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::ShippingProfileConnection>> {
        let (loader, args) = self.page(ctx, (first, after, last, before))?;
        queries::shipping_profiles(&loader, &args).await.map(Some)
    }

    async fn taxons(
        &self,
        ctx: &FieldContext<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::TaxonsConnection>> {
        let (loader, args) = self.page(ctx, (first, after, last, before))?;
        queries::taxons(&loader, None, &args).await.map(Some)
    }

    async fn taxon_search(
        &self,
        ctx: &FieldContext<'_>,
        search_value: String,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::TaxonsConnection>> {
        let (loader, args) = self.page(ctx, (first, after, last, before))?;
        queries::taxons(&loader, Some(search_value), &args)
            .await
            .map(Some)
    }

    async fn advert_upsert(
        &self,
        ctx: &FieldContext<'_>,
        input: gql::AdvertUpsertMutationInput,
    ) -> ApiResult<Option<gql::AdvertUpsertMutationPayload>> {
        adverts::advert_upsert(&self.state, seller(ctx)?, input)
            .await
            .map(Some)
    }

    async fn advert_delete(
        &self,
        ctx: &FieldContext<'_>,
        input: gql::AdvertDeleteMutationInput,
    ) -> ApiResult<Option<gql::AdvertDeleteMutationPayload>> {
        adverts::advert_delete(&self.state, seller(ctx)?, input)
            .await
            .map(Some)
    }

    async fn advert_vetting_resubmit(
        &self,
        ctx: &FieldContext<'_>,
        input: gql::AdvertVettingResubmitMutationInput,
    ) -> ApiResult<Option<gql::AdvertVettingResubmitMutationPayload>> {
        let seller = seller(ctx)?;
        let cmid = input.client_mutation_id.clone().into_option();
        let outcome = adverts::advert_vetting_resubmit(&self.state, seller, &input).await?;
        Ok(Some(match outcome {
            Ok(ids) => {
                self.remember_resubmission(seller, &ctx.request_id, Some(ids));
                gql::AdvertVettingResubmitMutationPayload {
                    client_mutation_id: cmid,
                    errors: None,
                    status: OK,
                }
            }
            Err(errors) => {
                self.remember_resubmission(seller, &ctx.request_id, None);
                gql::AdvertVettingResubmitMutationPayload {
                    client_mutation_id: cmid,
                    errors: Some(errors.into_graphql()),
                    status: UNPROCESSABLE,
                }
            }
        }))
    }

    async fn variant_update(
        &self,
        ctx: &FieldContext<'_>,
        input: gql::VariantUpdateMutationInput,
    ) -> ApiResult<Option<gql::VariantUpdateMutationPayload>> {
        variants::variant_update(&self.state, seller(ctx)?, input)
            .await
            .map(Some)
    }

    async fn variant_delete(
        &self,
        ctx: &FieldContext<'_>,
        input: gql::VariantDeleteMutationInput,
    ) -> ApiResult<Option<gql::VariantDeleteMutationPayload>> {
        variants::variant_delete(&self.state, seller(ctx)?, input)
            .await
            .map(Some)
    }

    async fn shipment_create(
        &self,
        ctx: &FieldContext<'_>,
        input: gql::ShipmentCreateMutationInput,
    ) -> ApiResult<Option<gql::ShipmentCreateMutationPayload>> {
        shipments::shipment_create(&self.state, seller(ctx)?, input)
            .await
            .map(Some)
    }

    async fn shipment_update(
        &self,
        ctx: &FieldContext<'_>,
        input: gql::ShipmentUpdateMutationInput,
    ) -> ApiResult<Option<gql::ShipmentUpdateMutationPayload>> {
        shipments::shipment_update(&self.state, seller(ctx)?, input)
            .await
            .map(Some)
    }

    async fn advert_advert_option_values(
        &self,
        ctx: &FieldContext<'_>,
        parent: &gql::Advert,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<gql::AdvertOptionValueConnection> {
        let window = (first, after, last, before);
        self.nested(ctx, AdvertOptionValues, (parent.legacy_id, None), window)
            .await
    }

    async fn advert_variants(
        &self,
        ctx: &FieldContext<'_>,
        parent: &gql::Advert,
        displayable_only: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<gql::VariantConnection> {
        let of = AdvertVariants {
            published_only: displayable_only.unwrap_or(false),
        };
        let window = (first, after, last, before);
        self.nested(ctx, of, (parent.legacy_id, Some(parent)), window)
            .await
    }

    async fn advert_images(
        &self,
        ctx: &FieldContext<'_>,
        parent: &gql::Advert,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::ImageConnection>> {
        let window = (first, after, last, before);
        self.nested(ctx, Images::OfAdvert, (parent.legacy_id, None), window)
            .await
            .map(Some)
    }

    async fn advert_documents(
        &self,
        ctx: &FieldContext<'_>,
        parent: &gql::Advert,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::AdvertDocumentConnection>> {
        let window = (first, after, last, before);
        self.nested(ctx, AdvertDocuments, (parent.legacy_id, None), window)
            .await
            .map(Some)
    }

    async fn unpublished_advert_variants(
        &self,
        ctx: &FieldContext<'_>,
        parent: &gql::UnpublishedAdvert,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<gql::VariantConnection> {
        let of = AdvertVariants {
            published_only: false,
        };
        let window = (first, after, last, before);
        self.nested(ctx, of, (parent.legacy_id, Some(&parent.details)), window)
            .await
    }

    async fn deleted_advert_variants(
        &self,
        ctx: &FieldContext<'_>,
        parent: &gql::DeletedAdvert,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<gql::VariantConnection> {
        let of = AdvertVariants {
            published_only: false,
        };
        let window = (first, after, last, before);
        self.nested(ctx, of, (parent.legacy_id, None), window).await
    }

    async fn variant_option_values(
        &self,
        ctx: &FieldContext<'_>,
        parent: &gql::Variant,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::OptionValuesConnection>> {
        let window = (first, after, last, before);
        self.nested(ctx, VariantOptionValues, (parent.legacy_id, None), window)
            .await
            .map(Some)
    }

    async fn variant_images(
        &self,
        ctx: &FieldContext<'_>,
        parent: &gql::Variant,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::ImageConnection>> {
        let window = (first, after, last, before);
        self.nested(ctx, Images::OfVariant, (parent.legacy_id, None), window)
            .await
            .map(Some)
    }

    async fn variant_inventories(
        &self,
        ctx: &FieldContext<'_>,
        parent: &gql::Variant,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::InventoryConnection>> {
        let (loader, args) = self.page(ctx, (first, after, last, before))?;
        queries::inventories(&loader, parent.legacy_id, &args)
            .await
            .map(Some)
    }

    async fn money_formatted(
        &self,
        _ctx: &FieldContext<'_>,
        parent: &gql::Money,
        currency: Option<String>,
        disambiguate: Option<bool>,
    ) -> ApiResult<String> {
        currency_ok(currency.as_deref())?;
        let cents = crate::domain::money::to_minor(parent.amount.0)
            .ok_or_else(|| ApiError::internal("amount out of range"))?;
        Ok(pricing::format_money(cents, disambiguate.unwrap_or(false)))
    }

    async fn prototype_option_types(
        &self,
        ctx: &FieldContext<'_>,
        parent: &gql::Prototype,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::OptionTypeConnection>> {
        let (loader, args) = self.page(ctx, (first, after, last, before))?;
        let connection = queries::option_types(&loader, parent.legacy_id, &args).await?;
        listed(ctx, Parent::OptionType, connection.nodes.as_deref(), |t| {
            t.legacy_id
        });
        Ok(Some(connection))
    }

    async fn option_type_option_values(
        &self,
        ctx: &FieldContext<'_>,
        parent: &gql::OptionType,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::OptionValuesConnection>> {
        let window = (first, after, last, before);
        self.nested(ctx, OptionTypeValues, (parent.legacy_id, None), window)
            .await
            .map(Some)
    }

    async fn invoice_shipping_cost_formatted(
        &self,
        _ctx: &FieldContext<'_>,
        parent: &gql::Invoice,
        currency: Option<String>,
    ) -> ApiResult<String> {
        currency_ok(currency.as_deref())?;
        Ok(pricing::format_money(
            i64::from(parent.shipping_cost_cents),
            false,
        ))
    }

    async fn invoice_discount_formatted(
        &self,
        _ctx: &FieldContext<'_>,
        parent: &gql::Invoice,
        currency: Option<String>,
    ) -> ApiResult<String> {
        currency_ok(currency.as_deref())?;
        Ok(pricing::format_money(
            i64::from(parent.discount_cents),
            false,
        ))
    }

    async fn invoice_subtotal_formatted(
        &self,
        _ctx: &FieldContext<'_>,
        parent: &gql::Invoice,
        currency: Option<String>,
    ) -> ApiResult<String> {
        currency_ok(currency.as_deref())?;
        Ok(pricing::format_money(
            i64::from(parent.subtotal_cents),
            false,
        ))
    }

    async fn invoice_total_formatted(
        &self,
        _ctx: &FieldContext<'_>,
        parent: &gql::Invoice,
        currency: Option<String>,
    ) -> ApiResult<String> {
        currency_ok(currency.as_deref())?;
        Ok(pricing::format_money(i64::from(parent.total_cents), false))
    }

    async fn advert_vetting_resubmit_mutation_payload_adverts(
        &self,
        ctx: &FieldContext<'_>,
        parent: &gql::AdvertVettingResubmitMutationPayload,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Option<gql::AdvertsConnection>> {
        if parent.status != OK {
            return Ok(None);
        }
        let seller = seller(ctx)?;
        let Some(ids) = self.resubmitted(seller, &ctx.request_id) else {
            return Ok(None);
        };
        let (loader, args) = self.page(ctx, (first, after, last, before))?;
        let connection = queries::adverts_in_order(&loader, &ids, &args).await?;
        listed(ctx, Parent::Advert, connection.nodes.as_deref(), |a| {
            a.legacy_id
        });
        Ok(Some(connection))
    }
}

/// The request's batcher (the seller authenticator puts it in every request it lets in).
fn batcher<'a>(ctx: &FieldContext<'a>) -> ApiResult<&'a Batcher> {
    ctx.request()
        .get::<Batcher>()
        .ok_or_else(|| ApiError::unauthenticated("missing API key"))
}

/// Notes the objects of a list's `nodes` (their legacy ids by `id`), so that their connections'
/// first pages load in one batch (see `batch`).
fn listed<T>(
    ctx: &FieldContext<'_>,
    kind: Parent,
    nodes: Option<&[Option<T>]>,
    id: impl Fn(&T) -> i32,
) {
    if let Some(batcher) = ctx.get::<Batcher>() {
        batcher.listed(kind, nodes.unwrap_or_default().iter().flatten().map(id));
    }
}
