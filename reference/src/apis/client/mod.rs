//! The `client` API: the storefront of a store chosen by the `CommonGround-Origin` header —
//! customers and sessions, the public inventory, checkouts and orders.
//!
//! | module | root fields |
//! |---|---|
//! | `context` | (every field: store and session, by the authenticator) |
//! | `accounts` | `register`, `login`, `logout`, `me` |
//! | `inventory` | `inventoryItems`, `inventoryFiltersPagination`, `item` |
//! | `checkout` | `checkoutCreate`, `checkoutUpdateItems`, `checkoutUpdate`, `checkoutSubmit`, `checkout`, `checkouts` |
//! | `orders` | `order`, `orders` |
//!
//! The rules (line checks, status and expiry, totals, shipping, addresses) live in
//! `crate::domain::checkout`; this module reads and writes the store.

pub mod accounts;
pub mod checkout;
pub mod context;
pub mod customers;
pub mod demo;
pub mod ids;
pub mod inventory;
pub mod orders;
pub mod pagination;

pub mod stores;

use std::time::Duration;

use tokio::task::JoinHandle;

use axum::Router;
use shopql_server_stubs::client::{
    Checkout, CheckoutBillingInput, CheckoutBuyerInput, CheckoutItemInput, CheckoutList,
    CheckoutShippingInput, ClientResolvers, InventoryFiltersInput, InventoryFiltersPagination,
    InventoryItems, Item, LoginResult, Order, OrderList, PaginationInput, RegisterResult, User,
    schema_builder,
};
use shopql_server_stubs::{ApiResult, FieldContext};

use self::context::{ClientAuthenticator, ClientRequest};
use self::stores::Stores;
use crate::background::{self, OnShutdown};
use crate::state::AppState;

/// The implementation of [`ClientResolvers`].
#[derive(Debug, Clone)]
pub struct ClientApi {
    state: AppState,
}

impl ClientApi {
    /// The API over the shared state.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[shopql_server_stubs::async_trait::async_trait]
impl ClientResolvers for ClientApi {
    async fn inventory_items(
        &self,
        ctx: &FieldContext<'_>,
        filters: InventoryFiltersInput,
        pagination: PaginationInput,
    ) -> ApiResult<InventoryItems> {
        let req = ClientRequest::of(ctx)?;
        let count = ctx.selects("pagination");
        inventory::inventory_items(&self.state, req, (&filters, &pagination), count).await
    }

    async fn inventory_filters_pagination(
        &self,
        ctx: &FieldContext<'_>,
        filters: InventoryFiltersInput,
        pagination: PaginationInput,
    ) -> ApiResult<Option<InventoryFiltersPagination>> {
        let req = ClientRequest::of(ctx)?;
        let facets = ctx.selects("filters");
        inventory::filters_pagination(&self.state, req, (&filters, &pagination), facets)
            .await
            .map(Some)
    }

    async fn item(&self, ctx: &FieldContext<'_>, id: f64) -> ApiResult<Option<Item>> {
        inventory::item(&self.state, ClientRequest::of(ctx)?, id).await
    }

    async fn checkout(&self, ctx: &FieldContext<'_>, id: String) -> ApiResult<Option<Checkout>> {
        checkout::get(&self.state, ClientRequest::of(ctx)?, &id).await
    }

    async fn checkouts(
        &self,
        ctx: &FieldContext<'_>,
        pagination: Option<PaginationInput>,
    ) -> ApiResult<CheckoutList> {
        checkout::list(&self.state, ClientRequest::of(ctx)?, pagination.as_ref()).await
    }

    async fn order(&self, ctx: &FieldContext<'_>, id: String) -> ApiResult<Option<Order>> {
        orders::order(&self.state, ClientRequest::of(ctx)?, &id).await
    }

    async fn orders(
        &self,
        ctx: &FieldContext<'_>,
        pagination: Option<PaginationInput>,
    ) -> ApiResult<OrderList> {
        orders::orders(&self.state, ClientRequest::of(ctx)?, pagination.as_ref()).await
    }

    async fn me(&self, ctx: &FieldContext<'_>) -> ApiResult<Option<User>> {
        accounts::me(&self.state, ClientRequest::of(ctx)?).await
    }

    async fn login(
        &self,
        ctx: &FieldContext<'_>,
        email: String,
        password: String,
    ) -> ApiResult<Option<LoginResult>> {
        accounts::login(&self.state, ctx, ClientRequest::of(ctx)?, &email, &password)
            .await
            .map(Some)
    }

    async fn register(
        &self,
        ctx: &FieldContext<'_>,
        email: String,
        password: String,
        first_name: Option<String>,
        last_name: Option<String>,
    ) -> ApiResult<Option<RegisterResult>> {
        accounts::register(
            &self.state,
            ClientRequest::of(ctx)?,
            &email,
            &password,
            first_name,
            last_name,
        )
        .await
        .map(Some)
    }

    async fn logout(&self, ctx: &FieldContext<'_>, all_sessions: Option<bool>) -> ApiResult<bool> {
        accounts::logout(
            &self.state,
            ClientRequest::of(ctx)?,
            all_sessions.unwrap_or(false),
        )
        .await
    }

    async fn checkout_create(&self, ctx: &FieldContext<'_>) -> ApiResult<Option<Checkout>> {
        checkout::create(&self.state, ClientRequest::of(ctx)?)
            .await
            .map(Some)
    }

    async fn checkout_update_items(
        &self,
        ctx: &FieldContext<'_>,
        id: String,
        items: Option<Vec<Option<CheckoutItemInput>>>,
    ) -> ApiResult<Option<Checkout>> {
        checkout::update_items(&self.state, ClientRequest::of(ctx)?, &id, items)
            .await
            .map(Some)
    }

    async fn checkout_update(
        &self,
        ctx: &FieldContext<'_>,
        id: String,
        billing: Option<CheckoutBillingInput>,
        shipping: Option<CheckoutShippingInput>,
        buyer: Option<CheckoutBuyerInput>,
        create_account: Option<bool>,
        use_single_address: Option<bool>,
    ) -> ApiResult<Option<Checkout>> {
        // Redeeming a voucher says whether the code exists: a budget per customer and address
        // (without a session the update is refused anyway).
        if let Some(b) = &billing
            && matches!(b.voucher, shopql_server_stubs::Maybe::Value(_))
            && let Some(customer) = ClientRequest::of(ctx)?.customer()
        {
            let who = format!("client:customer:{}", customer.id);
            self.state.limits.coupon_check(ctx, &who).await?;
        }
        let args = checkout::UpdateArgs {
            billing,
            shipping,
            buyer,
            create_account,
            use_single_address,
        };
        checkout::update(&self.state, ClientRequest::of(ctx)?, &id, args)
            .await
            .map(Some)
    }

    async fn checkout_submit(
        &self,
        ctx: &FieldContext<'_>,
        id: String,
    ) -> ApiResult<Option<Checkout>> {
        checkout::submit::submit(&self.state, ClientRequest::of(ctx)?, &id)
            .await
            .map(Some)
    }
}

/// The query complexity this API allows (root fields plus the list items an operation may
/// return, lists by page size: `shopql_server_stubs::ServerConfig::max_complexity`). An
/// inventory item's full default selection (what `shopql_sdk::client::Client::inventory_items`
/// fetches) has 9 lists (listings, images, formats, artists, labels, videos, tracks…), so
/// `inventoryItems` with it costs 1 + 10 × the page size: 1,001 for the largest page of 100,
/// just above the default limit of 1,000.
pub const MAX_COMPLEXITY: usize = 2_000;

/// The API's router, mounted by `crate::http::router` at `/client/graphql`.
pub fn router(state: &AppState) -> Router {
    let mut config = state
        .server_config("client")
        .with_authenticator(ClientAuthenticator::new(state.clone(), Stores::default()));
    config.max_complexity = MAX_COMPLEXITY;
    // Every request must name its store, GraphiQL's own schema request included.
    config.graphiql_title = Some("shopql client API".into());
    config.graphiql_headers = vec![("CommonGround-Origin".into(), demo::VINYL_DOMAIN.into())];
    shopql_server_stubs::http::router(schema_builder(ClientApi::new(state.clone())), config)
}

/// Loads the API's demo data, once.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    demo::seed(state).await
}

/// Starts the API's background tasks (expiry sweeps, counter flushes), stopping on shutdown.
pub fn spawn_background(state: &AppState) -> Vec<JoinHandle<()>> {
    let every = Duration::from_millis(state.config.sweep_interval_ms.max(1000));
    vec![background::every(
        state,
        "client expired-checkout sweep",
        every,
        OnShutdown::Stop,
        |state| async move { checkout::sweep_expired(&state).await },
    )]
}
