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

pub(crate) mod accounts;
pub(crate) mod auth;
pub(crate) mod checkout;
pub(crate) mod customers;
pub mod demo;
pub(crate) mod ids;
pub(crate) mod inventory;
pub(crate) mod orders;
pub(crate) mod pagination;

pub(crate) mod resolvers;
pub(crate) mod stores;

use std::time::Duration;

use tokio::task::JoinHandle;

use axum::Router;
use shopql_server_stubs::client::schema_builder;

use self::auth::ClientAuthenticator;
use self::stores::Stores;
use crate::background::{self, OnShutdown};
use crate::state::AppState;

pub use self::checkout::sweep_expired;
pub use self::inventory::COUNT_WINDOW;
pub use self::resolvers::ClientApi;

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
