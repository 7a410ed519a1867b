//! The client API's resolver trait, implemented on the store.

use shopql_server_stubs::client::{
    Checkout, CheckoutBillingInput, CheckoutBuyerInput, CheckoutItemInput, CheckoutList,
    CheckoutShippingInput, ClientResolvers, InventoryFiltersInput, InventoryFiltersPagination,
    InventoryItems, Item, LoginResult, Order, OrderList, PaginationInput, RegisterResult, User,
};
use shopql_server_stubs::{ApiResult, FieldContext};

use super::auth::ClientRequest;
use super::{accounts, checkout, inventory, orders};
use crate::state::AppState;

/// The implementation of [`ClientResolvers`].
#[derive(Debug, Clone)]
pub struct ClientApi {
    pub(crate) state: AppState,
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
