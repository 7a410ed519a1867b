//! The marketplace API's resolver trait, implemented on the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use shopql_server_stubs::marketplace::{self as gql, MarketplaceResolvers};
use shopql_server_stubs::{ApiError, ApiResult, FieldContext};

use super::auth::seller;
use super::batch::{Batcher, Nested, Parent};
use super::errors::{OK, payload};
use super::load::Loader;
use super::queries::{
    AdvertDocuments, AdvertFilters, AdvertOptionValues, AdvertVariants, Images, OptionTypeValues,
    VariantOptionValues,
};
use super::{adverts, queries, shipments, variants};
use crate::domain::marketplace::pricing::{self, check_display_currency};
use crate::state::AppState;
use crate::store::page::{PageArgs, Window};

/// How long the result of a resubmission is kept for its payload's `adverts` field.
const RESUBMIT_MEMORY_MS: i64 = 5 * 60 * 1000;

/// What `advertVettingResubmit` resubmitted, per seller and request, until the payload's
/// `adverts` field reads it. (The generated payload struct has no field to carry the ids, and its
/// `adverts` field is resolved lazily from the payload alone; the request context is the only
/// link. Keyed by seller too, so a reused request id can never show one seller another's ids.)
type Resubmissions = Arc<Mutex<HashMap<(i64, String), (i64, Option<Vec<i64>>)>>>;

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
        let seller = seller(ctx)?;
        Ok(Loader::new(
            &self.state.store.pool,
            seller,
            self.state.now_ms(),
        ))
    }

    /// What every connection field starts with: the seller's loader (an error without a
    /// seller) and the page asked for (`totalCount` counted only when selected).
    fn page(&self, ctx: &FieldContext<'_>, window: Window) -> ApiResult<(Loader<'_>, PageArgs)> {
        Ok((self.loader(ctx)?, PageArgs::of(ctx, window)))
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

/// Writes the `MarketplaceResolvers` impl. Most resolvers only hand their arguments on, and
/// differ in names and types alone: each is one line of a section below, by what it hands on to;
/// the resolvers with logic of their own follow `custom` as written. (One macro around the whole
/// impl, because `async_trait` rewrites the impl's methods before any macro inside it expands.)
macro_rules! marketplace_resolvers {
    (
        mutations {
            $($module:ident::$mutation:ident($input:ident) -> $payload:ident;)*
        }
        pages {
            $($page:ident($($page_arg:ident: $page_ty:ty),*) -> $page_conn:ident
                = $query:ident($($query_arg:expr),*) $($listed:ident)?;)*
        }
        nested {
            $($field:ident($parent:ident: $parent_ty:ident $(, $nested_arg:ident: $nested_ty:ty)*)
                -> $nested_conn:ty = ($of:expr, $known:expr);)*
        }
        invoice_money {
            $($money:ident = $cents:ident;)*
        }
        custom {
            $($custom:tt)*
        }
    ) => {
        #[shopql_server_stubs::async_trait::async_trait]
        impl MarketplaceResolvers for MarketplaceApi {
            $(
                async fn $mutation(
                    &self,
                    ctx: &FieldContext<'_>,
                    input: gql::$input,
                ) -> ApiResult<Option<gql::$payload>> {
                    let seller = seller(ctx)?;
                    let cmid = input.client_mutation_id.clone().into_option();
                    let outcome = $module::$mutation(&self.state, seller, input).await?;
                    Ok(Some(payload(cmid, outcome)))
                }
            )*

            $(
                async fn $page(
                    &self,
                    ctx: &FieldContext<'_>,
                    $($page_arg: $page_ty,)*
                    first: Option<i32>,
                    after: Option<String>,
                    last: Option<i32>,
                    before: Option<String>,
                ) -> ApiResult<Option<gql::$page_conn>> {
                    let (loader, args) = self.page(ctx, (first, after, last, before))?;
                    let connection = queries::$query(&loader, $($query_arg,)* &args).await?;
                    $($listed(ctx, connection.nodes.as_deref());)?
                    Ok(Some(connection))
                }
            )*

            $(
                async fn $field(
                    &self,
                    ctx: &FieldContext<'_>,
                    $parent: &gql::$parent_ty,
                    $($nested_arg: $nested_ty,)*
                    first: Option<i32>,
                    after: Option<String>,
                    last: Option<i32>,
                    before: Option<String>,
                ) -> ApiResult<$nested_conn> {
                    let known: Option<&gql::Advert> = $known;
                    let window = (first, after, last, before);
                    // `Into` makes the connection `Option` where the field is nullable.
                    self.nested(ctx, $of, ($parent.legacy_id, known), window)
                        .await
                        .map(Into::into)
                }
            )*

            $(
                async fn $money(
                    &self,
                    _ctx: &FieldContext<'_>,
                    parent: &gql::Invoice,
                    currency: Option<String>,
                ) -> ApiResult<String> {
                    currency_ok(currency.as_deref())?;
                    Ok(pricing::format_money(i64::from(parent.$cents), false))
                }
            )*

            $($custom)*
        }
    };
}

marketplace_resolvers! {
    // The seller's input, handed to the mutation's module; its outcome makes the payload.
    mutations {
        adverts::advert_upsert(AdvertUpsertMutationInput) -> AdvertUpsertMutationPayload;
        adverts::advert_delete(AdvertDeleteMutationInput) -> AdvertDeleteMutationPayload;
        variants::variant_update(VariantUpdateMutationInput) -> VariantUpdateMutationPayload;
        variants::variant_delete(VariantDeleteMutationInput) -> VariantDeleteMutationPayload;
        shipments::shipment_create(ShipmentCreateMutationInput) -> ShipmentCreateMutationPayload;
        shipments::shipment_update(ShipmentUpdateMutationInput) -> ShipmentUpdateMutationPayload;
    }
    // Connections whose page `queries` lists on its own: the arguments before the window, and
    // `listed` where the nodes' own connections batch (see `batch`).
    pages {
        all_adverts(updated_since: Option<String>) -> AllAdvertsConnection
            = all_adverts(updated_since) listed;
        adverts_where(
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
            requires_vetting: Option<bool>
        ) -> AdvertsConnection = adverts_where(AdvertFilters {
            q, id_title_sku_barcode, brand_ids, legacy_ids, retailer_ids, status, taxon_ids,
            taxon_ids_with_descendants, variant_skus, variant_barcodes, rejected_via_vetting,
            requires_vetting,
        }) listed;
        variants_where(variant_filters: Option<gql::VariantFilters>) -> VariantConnection
            = variants_where(variant_filters) listed;
        prototype_option_types(parent: &gql::Prototype) -> OptionTypeConnection
            = option_types(parent.legacy_id) listed;
        brands() -> BrandConnection = brands(None);
        brand_search(keyword: String) -> BrandConnection = brands(Some(keyword));
        invoices(filters: Option<gql::InvoiceFilters>, sort: Option<gql::InvoiceSort>)
            -> InvoicesConnection = invoices(filters, sort);
        shipping_profiles() -> ShippingProfileConnection = shipping_profiles();
        taxons() -> TaxonsConnection = taxons(None);
        taxon_search(search_value: String) -> TaxonsConnection = taxons(Some(search_value));
        variant_inventories(parent: &gql::Variant) -> InventoryConnection
            = inventories(parent.legacy_id);
    }
    // Connections below a parent (`Nested`, batched when the parent was listed with siblings):
    // which connection, and the parent when it is an advert variants may embed.
    nested {
        advert_advert_option_values(parent: Advert) -> gql::AdvertOptionValueConnection
            = (AdvertOptionValues, None);
        advert_variants(parent: Advert, displayable_only: Option<bool>) -> gql::VariantConnection
            = (AdvertVariants { published_only: displayable_only.unwrap_or(false) }, Some(parent));
        advert_images(parent: Advert) -> Option<gql::ImageConnection>
            = (Images::OfAdvert, None);
        advert_documents(parent: Advert) -> Option<gql::AdvertDocumentConnection>
            = (AdvertDocuments, None);
        unpublished_advert_variants(parent: UnpublishedAdvert) -> gql::VariantConnection
            = (AdvertVariants { published_only: false }, Some(&parent.details));
        deleted_advert_variants(parent: DeletedAdvert) -> gql::VariantConnection
            = (AdvertVariants { published_only: false }, None);
        variant_option_values(parent: Variant) -> Option<gql::OptionValuesConnection>
            = (VariantOptionValues, None);
        variant_images(parent: Variant) -> Option<gql::ImageConnection>
            = (Images::OfVariant, None);
        option_type_option_values(parent: OptionType) -> Option<gql::OptionValuesConnection>
            = (OptionTypeValues, None);
    }
    // An invoice's amounts, formatted (`currency` only checked: there is one).
    invoice_money {
        invoice_shipping_cost_formatted = shipping_cost_cents;
        invoice_discount_formatted = discount_cents;
        invoice_subtotal_formatted = subtotal_cents;
        invoice_total_formatted = total_cents;
    }
    custom {
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

        async fn advert_vetting_resubmit(
            &self,
            ctx: &FieldContext<'_>,
            input: gql::AdvertVettingResubmitMutationInput,
        ) -> ApiResult<Option<gql::AdvertVettingResubmitMutationPayload>> {
            let seller = seller(ctx)?;
            let cmid = input.client_mutation_id.clone().into_option();
            let outcome = adverts::advert_vetting_resubmit(&self.state, seller, &input).await?;
            // The payload's `adverts` field reads the ids back (see `Resubmissions`).
            self.remember_resubmission(seller, &ctx.request_id, outcome.as_ref().ok().cloned());
            Ok(Some(payload(cmid, outcome.map(drop))))
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
            listed(ctx, connection.nodes.as_deref());
            Ok(Some(connection))
        }
    }
}

/// The request's batcher (the seller authenticator puts it in every request it lets in).
fn batcher<'a>(ctx: &FieldContext<'a>) -> ApiResult<&'a Batcher> {
    ctx.request()
        .get::<Batcher>()
        .ok_or_else(|| ApiError::unauthenticated("missing API key"))
}

/// Notes the objects of a list's `nodes`, so that their connections' first pages load in one
/// batch (see `batch`).
fn listed<T: Sibling>(ctx: &FieldContext<'_>, nodes: Option<&[Option<T>]>) {
    if let Some(batcher) = ctx.get::<Batcher>() {
        let ids = nodes.unwrap_or_default().iter().flatten();
        batcher.listed(T::KIND, ids.map(Sibling::legacy_id));
    }
}

/// An object whose connections batch when a list holds several of them.
trait Sibling {
    /// Which kind of parent it is.
    const KIND: Parent;

    /// Its legacy id.
    fn legacy_id(&self) -> i32;
}

impl Sibling for gql::AllAdvert {
    const KIND: Parent = Parent::Advert;

    fn legacy_id(&self) -> i32 {
        match self {
            Self::Advert(a) => a.legacy_id,
            Self::UnpublishedAdvert(a) => a.legacy_id,
            Self::DeletedAdvert(a) => a.legacy_id,
        }
    }
}

/// `Sibling` for objects with a `legacy_id` field.
macro_rules! siblings {
    ($($object:ident: $kind:ident;)*) => {$(
        impl Sibling for gql::$object {
            const KIND: Parent = Parent::$kind;

            fn legacy_id(&self) -> i32 {
                self.legacy_id
            }
        }
    )*};
}

siblings! {
    Advert: Advert;
    Variant: Variant;
    OptionType: OptionType;
}
