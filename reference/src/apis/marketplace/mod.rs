//! The marketplace seller API (`schemas/marketplace.graphql`), served at
//! `POST /marketplace/graphql`.
//!
//! A seller authenticates with its API key as bearer token (`auth.rs`) and only ever sees its own
//! adverts, variants, invoices and shipments; the catalogue (brands, taxons, option types,
//! shipping profiles, carriers) is shared. Objects have Relay global ids
//! (`domain::marketplace::ids`). Lists are Relay connections with keyset pagination (`store::page`).
//! Mutations answer invalid input with `errors` and status 422 rather than GraphQL errors.
//!
//! | module | holds |
//! |---|---|
//! | `auth` | API key authentication |
//! | `queries` | root queries and connection fields |
//! | `load` | batch loaders: ids to GraphQL objects, seller-scoped |
//! | `adverts`, `variants`, `shipments` | the mutations |
//! | `media`, `options`, `inputs` | input rules shared by mutations |
//! | `rows` | stored rows, id allocation, derived advert flags |
//! | `page`, `sql` | pagination and SQL building |
//! | `seed` | the demo sellers and the objects behind the seed's ids |

pub(crate) mod adverts;
pub(crate) mod auth;
pub(crate) mod batch;
pub(crate) mod demo;
pub(crate) mod errors;
pub(crate) mod input;
pub(crate) mod invoices;
pub(crate) mod load;
pub(crate) mod media;
pub(crate) mod options;
pub(crate) mod queries;
pub(crate) mod rows;
pub(crate) mod shipments;

pub(crate) mod resolvers;
pub(crate) mod variants;

use axum::Router;
use axum::routing::get;
use shopql_server_stubs::marketplace as gql;

use self::auth::SellerKeyAuthenticator;
use crate::state::AppState;
use crate::store::page;

pub use self::adverts::operator_decide;
pub use self::resolvers::MarketplaceApi;
pub use self::rows::purge_deleted;

/// The query complexity this API allows (root fields plus the list items an operation may
/// return, lists by page size: `shopql_server_stubs::ServerConfig::max_complexity`).
/// Connections nest here (an advert's variants, a prototype's option types and their values),
/// and the seed's own operations nest them at the default page size of 50:
/// `allAdverts { nodes { variants { nodes … } } }` costs 1 + 50 × (1 + 50) = 2,551, and
/// `AllAdvertsUpdatedSincePage` (`variants(first: 100)` in each of 50 adverts) 5,051. 6,000
/// lets those pass and refuses pages of 100 adverts with 100 variants each (10,101).
pub const MAX_COMPLEXITY: usize = 6_000;

/// The API's router, mounted by `crate::http::router` at `/marketplace/graphql`: the GraphQL
/// endpoint (sellers authenticate with their API key) and the downloads of uploaded files.
pub fn router(state: &AppState) -> Router {
    let mut config = state
        .server_config("marketplace")
        .with_authenticator(SellerKeyAuthenticator::new(state.clone()));
    config.max_complexity = MAX_COMPLEXITY;
    // What a connection called without `first`/`last` returns, for the complexity.
    config.default_page_size = page::DEFAULT_PAGE_SIZE;
    config.max_page_size = page::MAX_PAGE_SIZE;
    let graphql = shopql_server_stubs::http::router(
        gql::schema_builder(MarketplaceApi::new(state.clone())),
        config,
    );
    let files: Router = Router::new()
        .route("/files/{id}/{filename}", get(media::serve_file))
        .with_state(state.clone());
    graphql.merge(files)
}

/// Loads the API's demo data, once.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    demo::seed(state).await
}

/// How often soft-deleted adverts past their 30 days are purged.
const PURGE_INTERVAL_MS: u64 = 3_600_000;

/// Starts the API's background task: purging adverts deleted more than 30 days ago (with their
/// variants, images and option values), stopping on shutdown.
pub fn spawn_background(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let every =
        std::time::Duration::from_millis(PURGE_INTERVAL_MS.max(state.config.sweep_interval_ms));
    vec![crate::background::every(
        state,
        "marketplace purge of deleted adverts",
        every,
        crate::background::OnShutdown::Stop,
        |state| async move { rows::purge_deleted(&state).await },
    )]
}
