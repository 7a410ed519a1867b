//! # shopql-sdk
//!
//! A typed async Rust client for seven commerce GraphQL APIs, generated from the SDL in
//! `schemas/`, and the small runtime it runs on.
//!
//! | module | API | endpoint on the reference server | credentials |
//! |---|---|---|---|
//! | `client` | storefront client API | `POST /client/graphql` | [`auth::CLIENT_ORIGIN_HEADER`] picks the store; a session JWT from `login` as bearer |
//! | `shop` | shop cart API | `POST /{tenant}/cart` | JWT with scope `cart` from [`auth::shop_token`] |
//! | `cart_admin` | cart admin | `POST /{tenant}/cart/admin` | JWT with scope `cart:admin` |
//! | `lock` | lock store | `POST /{tenant}/lock` | JWT with scope `lock` |
//! | `usage` | usage counters | `POST /{tenant}/usage` | JWT with scope `usage` |
//! | `purchase` | B2B purchase cart and wishlists | `POST /purchase/graphql` | none for anonymous carts; a bearer token binds the user |
//! | `marketplace` | marketplace seller API | `POST /marketplace/graphql` | the seller's API key as bearer |
//!
//! Each API module holds the schema's types (enums, input objects, objects) and a `Client` with
//! one async method per root field (fetching the type's default selection) plus, under
//! `operations()`, one method per operation document of `schemas/operations/<api>/` (fetching
//! exactly that selection, with exact types). Every one of them goes through [`GraphqlClient`].
//!
//! ## Quick start
//!
//! The demo credentials are those the reference server (`shopql-reference --demo`) prints.
//!
//! Client API: log in with base64 credentials, then browse and check out as the customer.
//!
//! ```no_run
//! use shopql_sdk::{auth, client};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let store = client::Client::new("http://127.0.0.1:4000/client/graphql")
//!     .header(auth::CLIENT_ORIGIN_HEADER, "www.my-vinyl-store.com");
//! let login = store
//!     .login(auth::base64("buyer@example.com"), auth::base64("demo-password"))
//!     .await?;
//! let jwt = login.and_then(|l| l.session).and_then(|s| s.jwt).ok_or("no session")?;
//! let customer = store.bearer(jwt);
//! let checkout = customer.checkout_create().await?;
//! # let _ = checkout;
//! # Ok(())
//! # }
//! ```
//!
//! Shop, cart-admin, lock and usage: one token for the scopes you need, one client per API.
//!
//! ```no_run
//! use shopql_sdk::{Maybe, auth, lock, shop};
//!
//! # async fn demo() -> shopql_sdk::Result<()> {
//! let base = "http://127.0.0.1:4000";
//! let token = auth::shop_token(base, "demo", "demo-access-id", "demo-access-secret",
//!     &["cart", "cart:admin", "lock", "usage"], 3600).await?;
//! let carts = shop::Client::new(auth::shop_api_url(base, "demo", "cart")).bearer(&token);
//! let item = shop::CartSkuItemInput {
//!     sku: "robot-pink-standard".into(),
//!     quantity: Maybe::Value(1),
//!     ..Default::default()
//! };
//! let cart = carts
//!     .hydrate(shop::CartInput { items: Maybe::Value(vec![Some(item)]), ..Default::default() })
//!     .await?;
//! let locks = lock::Client::new(auth::shop_api_url(base, "demo", "lock")).bearer(&token);
//! let held = locks.acquire("cart:42".into(), lock::AcquireOptions { ttl: Some(30) }).await?;
//! # let _ = (cart, held);
//! # Ok(())
//! # }
//! ```
//!
//! Purchase (anonymous cart by user id) and marketplace (seller API key), through operation
//! documents:
//!
//! ```no_run
//! use shopql_sdk::{marketplace, purchase};
//!
//! # async fn demo() -> shopql_sdk::Result<()> {
//! let purchase = purchase::Client::new("http://127.0.0.1:4000/purchase/graphql");
//! let cart = purchase.operations().cart().await?;
//!
//! let seller = marketplace::Client::new("http://127.0.0.1:4000/marketplace/graphql")
//!     .bearer("demo-seller-key");
//! let brands = seller.operations().list_brands().await?;
//! # let _ = (cart, brands);
//! # Ok(())
//! # }
//! ```
//!
//! ## The runtime
//!
//! * [`GraphqlClient`]: URL, extra headers, bearer token, [`Transport`]. Cheap to clone;
//!   `execute` keeps data and errors, `execute_data` turns errors into [`Error::Graphql`],
//!   `run` sends a [`GraphqlOperation`].
//! * [`RetryPolicy`]: queries are retried after connection errors, timeouts, HTTP 429 and 503
//!   (exponential backoff with jitter, at least the server's `Retry-After`, bounded by attempts
//!   and total time); mutations only when asked and only where nothing ran. Every request
//!   carries an `x-request-id` that every error reports ([`Error::request_id`]);
//!   [`GraphqlClient::persisted_queries`] sends hashes first (automatic persisted queries) and
//!   [`GraphqlClient::get_for_queries`] sends queries as cacheable GETs.
//! * [`Transport`]: one HTTP request in, one response out. [`ReqwestTransport`] (reqwest with
//!   rustls, connect timeout 10 s, request timeout 30 s, both configurable) is the default;
//!   implement the trait for a test double, retries or tracing.
//! * [`Error`]: one error type. [`Error::Graphql`] carries every GraphQL error (message,
//!   locations, path, `extensions.code` through [`Error::code`]) and the partial data;
//!   [`Error::Decode`] names the JSON path that did not fit, such as
//!   `data.cart.items[0].quantity`; [`Error::Status`] is an HTTP error whose body is not GraphQL.
//! * [`Maybe`]: nullable input fields in three states (left out, `null`, a value), so that an
//!   update can leave a field alone or clear it.
//! * [`scalars::Decimal`]: exact decimals that travel as JSON numbers.
//! * [`auth`]: base64 for client API logins, the shop API token endpoint, header names.
//! * [`pagination`]: a `Stream` of items over Relay connections or numbered pages.
//!
//! Without generated code, the runtime is a small GraphQL client of its own:
//!
//! ```no_run
//! use shopql_sdk::{GraphqlClient, auth};
//!
//! #[derive(serde::Deserialize)]
//! struct Data { acquire: bool }
//!
//! # async fn demo() -> shopql_sdk::Result<()> {
//! let token = auth::shop_token("http://127.0.0.1:4000", "demo", "demo-access-id",
//!     "demo-access-secret", &["lock"], 600).await?;
//! let locks = GraphqlClient::new("http://127.0.0.1:4000/demo/lock").bearer(token);
//! let data: Data = locks
//!     .execute_data(
//!         "mutation Acquire($key: String!) { acquire(key: $key) }",
//!         "Acquire",
//!         &serde_json::json!({ "key": "cart:42" }),
//!     )
//!     .await?;
//! match locks.execute_data::<_, Data>("{ nope }", "", &()).await {
//!     Err(error) if error.code() == Some("BAD_USER_INPUT") => {}
//!     Err(error) => eprintln!("{error}"),
//!     Ok(_) => {}
//! }
//! # let _ = data;
//! # Ok(())
//! # }
//! ```

// Published crates: every public item is documented and reachable from the crate root.
#![warn(missing_docs, unreachable_pub)]

// The generated code names the runtime by absolute paths (`::shopql_sdk::…`); this makes
// those paths resolve inside this crate too.
extern crate self as shopql_sdk;

pub mod auth;
// Called by generated code only (compile cost: shared code instead of per-type derives).
#[doc(hidden)]
pub mod codegen_support;
mod error;
mod graphql;
mod graphql_error;
mod maybe;
pub mod pagination;
mod response;
mod retry;
pub mod scalars;
mod transport;

pub use error::{Error, HttpInfo, Result, TransportError, TransportErrorKind};
pub use graphql::{
    GraphqlClient, GraphqlOperation, PERSISTED_QUERY_NOT_FOUND, PERSISTED_QUERY_NOT_SUPPORTED,
    REQUEST_ID_HEADER,
};
pub use graphql_error::{ErrorLocation, GraphqlError, PathSegment};
pub use maybe::Maybe;
pub use response::Response;
pub use retry::{
    DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_DELAY, DEFAULT_MAX_ELAPSED, DEFAULT_MIN_DELAY, RetryPolicy,
};
pub use transport::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, HttpMethod, HttpRequest, HttpResponse,
    ReqwestTransport, ReqwestTransportBuilder, Transport,
};

/// The versions of these crates the SDK's types are built on, for code that names them.
pub use {async_trait, reqwest, rust_decimal, serde, serde_json};

// Generated API modules (written by build.rs into OUT_DIR); each file defines `pub mod <api>`.
#[cfg(feature = "client")]
include!(concat!(env!("OUT_DIR"), "/client.rs"));
#[cfg(feature = "shop")]
include!(concat!(env!("OUT_DIR"), "/shop.rs"));
#[cfg(feature = "cart-admin")]
include!(concat!(env!("OUT_DIR"), "/cart_admin.rs"));
#[cfg(feature = "lock")]
include!(concat!(env!("OUT_DIR"), "/lock.rs"));
#[cfg(feature = "usage")]
include!(concat!(env!("OUT_DIR"), "/usage.rs"));
#[cfg(feature = "purchase")]
include!(concat!(env!("OUT_DIR"), "/purchase.rs"));
#[cfg(feature = "marketplace")]
include!(concat!(env!("OUT_DIR"), "/marketplace.rs"));
