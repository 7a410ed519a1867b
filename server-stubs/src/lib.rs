//! # shopql-server-stubs
//!
//! Backend teams implement one Rust trait per API and get a complete GraphQL server: parsing,
//! validation, execution and introspection by async-graphql, served by axum with limits,
//! authentication plumbing, GraphiQL, request ids, tracing and graceful shutdown.
//!
//! The traits and their adapters are generated from `schemas/` by `shopql-codegen` in this
//! crate's `build.rs`; the runtime here is hand-written.
//!
//! Each API module (`lock`, `shop`, `cart_admin`, `usage`, `purchase`, `marketplace`, `client`)
//! holds the schema's Rust types, the resolver trait (`LockResolvers`, …), and:
//!
//! - `router(resolvers)`: an axum `Router` serving the API with default limits; mount it with
//!   `Router::nest("/{tenant}/lock", …)`, path parameters reach [`RequestContext::path_params`];
//! - `schema_builder(resolvers)`: the async-graphql schema builder, for
//!   [`http::router`]`(builder, config)` with your own [`ServerConfig`] (limits, authenticator,
//!   production mode) or [`limits::apply`] and `finish()` to execute in-process;
//! - `schema(resolvers)`: the executable schema with default limits;
//! - `sdl()`: the schema as async-graphql prints it (equivalent to the source SDL);
//! - `adapter`: the generated glue (not part of the contract): `adapter::SDL`, the schema the
//!   server is built from at start-up ([`registry`]); `adapter::bindings`, how each of its fields
//!   is resolved; and `adapter::Unimplemented`, an implementation whose every method fails with
//!   `NOT_IMPLEMENTED` (its impl is generic, so only a crate that uses it compiles it).
//!
//! Limits are on by default ([`ServerConfig`]): depth, complexity with lists weighted by their
//! page size ([`limits::complexity`]), aliases, batch size, body size, and a token bucket per
//! principal ([`rate`]), which resolvers can complement with budgets of their own
//! ([`rate::WindowLimiter`], e.g. wrong logins per account).
//!
//! Each resolver method gets a [`FieldContext`]: the request it serves (a [`RequestContext`],
//! through `Deref`: headers, bearer token, path parameters, what the authenticator added) and
//! the selection below its field, a look-ahead like async-graphql's `look_ahead()` or gqlgen's
//! `CollectFields`. A resolver uses it to skip what nobody asked for: `ctx.selects("totalCount")`
//! before counting every match of a connection, or
//! `ctx.selection().field("edges").field("node").selects("variants")` before loading a nested
//! list. Fragments and aliases are looked through; called outside an execution
//! ([`FieldContext::detached`]) every field counts as selected.
//!
//! To execute in-process, use [`execute`]`(&schema, request, &config)` rather than
//! `schema.execute(request)`: like the HTTP layer it enforces the alias and complexity limits, gives parse and
//! validation errors their codes, reports a failing non-null field once with its `path`, and
//! answers `null` list items as `null`, where async-graphql's `dynamic` engine falls short.
//!
//! ```no_run
//! use shopql_server_stubs::lock::{LockResolvers, LockStatus};
//! use shopql_server_stubs::{ApiResult, FieldContext};
//!
//! struct MyLocks;
//!
//! #[shopql_server_stubs::async_trait::async_trait]
//! impl LockResolvers for MyLocks {
//!     async fn acquire(&self, _: &FieldContext<'_>, key: String, ttl: Option<i32>) -> ApiResult<bool> {
//!         Ok(!key.is_empty() && ttl.unwrap_or(30) > 0)
//!     }
//!     async fn release(&self, _: &FieldContext<'_>, _key: String) -> ApiResult<bool> {
//!         Ok(true)
//!     }
//!     async fn lock(&self, _: &FieldContext<'_>, _key: String) -> ApiResult<Option<LockStatus>> {
//!         Ok(None)
//!     }
//! }
//!
//! let app = shopql_server_stubs::axum::Router::new()
//!     .nest("/{tenant}/lock", shopql_server_stubs::lock::router(MyLocks));
//! # let _: shopql_server_stubs::axum::Router = app;
//! ```

// Published crates: every public item is documented and reachable from the crate root.
#![warn(missing_docs, unreachable_pub)]

pub mod body;
mod config;
mod context;
pub mod decode;
mod error;
mod execute;
pub mod glue;
pub mod graphiql;
pub mod http;
pub mod limits;
mod maybe;
pub mod media;
pub mod metrics;
pub mod parse_cache;
pub mod persisted;
pub mod rate;
pub mod registry;
pub mod scalars;
pub mod serve;

pub use config::{Authenticator, ServerConfig};
pub use context::{FieldContext, RequestContext, Selection};
pub use error::{ApiError, ApiResult, ErrorCode};
pub use execute::execute;
pub use graphiql::GraphiqlPage;
pub use maybe::Maybe;
pub use persisted::{AllowList, PersistedQueries};
pub use serve::ConnectionLimits;

/// Re-exported for generated code and implementations.
pub use async_graphql;
/// Re-exported for generated code and implementations.
pub use async_trait;
/// Re-exported for generated code and implementations.
pub use axum;

// Lets generated code name this crate as `::shopql_server_stubs` from inside it.
extern crate self as shopql_server_stubs;

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
