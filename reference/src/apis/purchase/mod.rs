//! The `purchase` API (seed 003, the B2B "X-Purchase" cart) at `POST /purchase/graphql`: carts
//! and wishlists addressed by store, name, user, currency and type; 2 queries and 25 mutations.
//!
//! - `access`: the caller (anonymous, or a user bound by a bearer token) and what it may touch.
//! - `service`: addressing, creation on first use, the load–change–price–save transaction.
//! - `combine`: the mutations of one cart that arrive together share that transaction.
//! - `resolvers`: the `PurchaseResolvers` implementation.
//! - `output`: priced carts to GraphQL types; `inputs`: input checks; `patches`: partial
//!   updates of shipments and payments.
//! - `db`: storage; `cache`: per-request priced carts for lazy fields; `seed`: demo data.
//!
//! Coupon checks are budgeted per caller and address by `crate::limits`.
//!
//! Prices, taxes and totals come from `crate::domain::purchase`.

pub(crate) mod auth;
pub(crate) mod cache;
pub(crate) mod catalogs;
pub(crate) mod combine;
pub(crate) mod db;
pub mod demo;
pub(crate) mod input;
pub(crate) mod output;
pub(crate) mod patches;
pub(crate) mod resolvers;
pub(crate) mod service;

use axum::Router;

use crate::state::AppState;

/// The query complexity this API allows (root fields plus the list items an operation may
/// return, lists by page size: `shopql_server_stubs::ServerConfig::max_complexity`). A cart's
/// full default selection (what `shopql_sdk::purchase::Client::cart` fetches) has 20 lists
/// (items, shipments, payments, coupons, discounts, taxes, properties…), so `carts` with that
/// selection costs 1 + 22 × the page size (each cart counts in `nodes` and in `edges`): 441 for
/// the default page of 20, 2,201 for the largest page of 100, which the default limit of 1,000
/// would refuse. 3,000 still refuses abusive documents.
pub const MAX_COMPLEXITY: usize = 3_000;

/// The API's router, mounted by `crate::http::router`.
pub fn router(state: &AppState) -> Router {
    let mut config =
        state
            .server_config("purchase")
            .with_authenticator(auth::PurchaseAuthenticator {
                store: state.store.clone(),
            });
    config.max_complexity = MAX_COMPLEXITY;
    shopql_server_stubs::http::router(
        shopql_server_stubs::purchase::schema_builder(resolvers::PurchaseApi::new(state.clone())),
        config,
    )
}

/// Loads the API's demo data, once.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    demo::seed(state).await
}

/// Starts the API's background tasks: none (carts do not expire in this API).
pub fn spawn_background(_state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    Vec::new()
}
