//! The `cart_admin` API (`/{tenant}/cart/admin`): list, read and remove the tenant's carts, and
//! set, list and remove its promotions.

pub(crate) mod count;
pub(crate) mod listing;
pub(crate) mod resolvers;

use axum::Router;
use shopql_server_stubs::cart_admin as api;

use crate::apis::shop::metering::family_router;
use crate::apis::shop::resolvers::ShopApi;
use crate::state::AppState;

pub(crate) use self::resolvers::CartAdminApi;

/// The API's router, mounted by `crate::http::router`.
pub(crate) fn router(state: &AppState) -> Router {
    let schema = api::schema_builder(CartAdminApi {
        state: state.clone(),
        shop: ShopApi::new(state),
    });
    family_router(state, "cart-admin", "cart:admin", schema)
}

/// The demo data of the shop family is loaded by `shop::seed_demo`.
pub(crate) async fn seed_demo(_state: &AppState) -> anyhow::Result<()> {
    Ok(())
}

/// Expired carts are swept by the shop API's background task.
pub(crate) fn spawn_background(_state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    Vec::new()
}
