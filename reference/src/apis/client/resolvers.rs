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

/// Writes the `ClientResolvers` impl. Most resolvers hand the state, the client request and
/// their arguments on to one function, and differ in names and types alone: each is one entry of
/// `delegate` (`Some` where the field is nullable and the function's answer is not); the
/// resolvers with logic of their own follow `custom` as written. (One macro around the whole
/// impl, because `async_trait` rewrites the impl's methods before any macro inside it expands.)
macro_rules! client_resolvers {
    (
        delegate {
            $($field:ident($($arg:ident: $arg_ty:ty),*) -> $out:ty
                = $($function:ident)::+($($pass:expr),*) $($wrap:ident)?;)*
        }
        custom {
            $($custom:tt)*
        }
    ) => {
        #[shopql_server_stubs::async_trait::async_trait]
        impl ClientResolvers for ClientApi {
            $(
                async fn $field(
                    &self,
                    ctx: &FieldContext<'_>,
                    $($arg: $arg_ty,)*
                ) -> ApiResult<$out> {
                    $($function)::+(&self.state, ClientRequest::of(ctx)?, $($pass),*)
                        .await
                        $(.map($wrap))?
                }
            )*

            $($custom)*
        }
    };
}

client_resolvers! {
    delegate {
        item(id: f64) -> Option<Item> = inventory::item(id);
        checkout(id: String) -> Option<Checkout> = checkout::get(&id);
        checkouts(pagination: Option<PaginationInput>) -> CheckoutList
            = checkout::list(pagination.as_ref());
        order(id: String) -> Option<Order> = orders::order(&id);
        orders(pagination: Option<PaginationInput>) -> OrderList
            = orders::orders(pagination.as_ref());
        me() -> Option<User> = accounts::me();
        register(
            email: String,
            password: String,
            first_name: Option<String>,
            last_name: Option<String>
        ) -> Option<RegisterResult>
            = accounts::register(&email, &password, first_name, last_name) Some;
        logout(all_sessions: Option<bool>) -> bool
            = accounts::logout(all_sessions.unwrap_or(false));
        checkout_create() -> Option<Checkout> = checkout::create() Some;
        checkout_update_items(id: String, items: Option<Vec<Option<CheckoutItemInput>>>)
            -> Option<Checkout> = checkout::update_items(&id, items) Some;
        checkout_submit(id: String) -> Option<Checkout> = checkout::submit::submit(&id) Some;
    }
    custom {
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
    }
}
