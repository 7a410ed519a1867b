//! The `shop` API (`/{tenant}/cart`) and what the shop family shares: tenants and the token
//! endpoint (`POST /{tenant}/auth/token`), the scope/tenant authenticator, the catalogue, cart
//! storage, hydration and the cart views also used by cart-admin.

pub mod auth;
pub(crate) mod carts;
pub(crate) mod catalogue;
pub(crate) mod compute;
pub mod counters;
pub mod demo;
pub(crate) mod input;
pub(crate) mod metering;
pub(crate) mod model;
pub(crate) mod order_intent;
pub(crate) mod promotions;
pub(crate) mod resolvers;
pub(crate) mod tenants;
pub(crate) mod view;

use std::time::Duration;

use tokio::task::JoinHandle;

use axum::Router;
use shopql_server_stubs::ApiResult;

use crate::apis::shop::metering::family_router;
use crate::background::{self, OnShutdown};
use crate::state::AppState;

/// Resolver trait methods that only delegate, each written `fn name(&self, ctx, [parent: &P,]
/// [arg: A]) -> T { body }` (the body answers `ApiResult<T>` and may `.await`). The resolver
/// traits are `#[async_trait]` traits, and that attribute rewrites an impl's methods before
/// macros expand, so this writes out what it would have written: the elided lifetimes named,
/// and the body in a boxed `Send` future.
#[macro_export]
macro_rules! delegating_resolvers {
    () => {};
    (fn $m:ident(&$s:ident, $ctx:ident, $p:ident: &$pt:ty, $a:ident: $at:ty) -> $out:ty $body:block $($rest:tt)*) => {
        $crate::delegating_resolvers!(@emit $m($s, $ctx, ($p: &'life3 $pt, $a: $at), 'life3) -> $out $body);
        $crate::delegating_resolvers!($($rest)*);
    };
    (fn $m:ident(&$s:ident, $ctx:ident, $p:ident: &$pt:ty) -> $out:ty $body:block $($rest:tt)*) => {
        $crate::delegating_resolvers!(@emit $m($s, $ctx, ($p: &'life3 $pt), 'life3) -> $out $body);
        $crate::delegating_resolvers!($($rest)*);
    };
    (fn $m:ident(&$s:ident, $ctx:ident, $a:ident: $at:ty) -> $out:ty $body:block $($rest:tt)*) => {
        $crate::delegating_resolvers!(@emit $m($s, $ctx, ($a: $at)) -> $out $body);
        $crate::delegating_resolvers!($($rest)*);
    };
    (@emit $m:ident($s:ident, $ctx:ident, ($($arg:ident: $argt:ty),*) $(, $extra:lifetime)?) -> $out:ty $body:block) => {
        #[allow(clippy::type_complexity)]
        fn $m<'life0, 'life1, 'life2, $($extra,)? 'async_trait>(
            &'life0 $s,
            $ctx: &'life1 ::shopql_server_stubs::FieldContext<'life2>,
            $($arg: $argt),*
        ) -> ::core::pin::Pin<Box<
            dyn ::core::future::Future<Output = ::shopql_server_stubs::ApiResult<$out>>
                + ::core::marker::Send
                + 'async_trait,
        >>
        where
            'life0: 'async_trait,
            'life1: 'async_trait,
            'life2: 'async_trait,
            $($extra: 'async_trait,)?
            Self: 'async_trait,
        {
            Box::pin(async move $body)
        }
    };
}

/// The API's router, mounted by `crate::http::router`: JWT with scope `cart` for the path's
/// tenant; requests are counted for the usage API.
pub fn router(state: &AppState) -> Router {
    let schema = shopql_server_stubs::shop::schema_builder(resolvers::ShopApi::new(state));
    family_router(state, "shop", "cart", schema)
}

/// Loads the demo tenant, catalogue and carts, once per database.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    demo::seed(state).await
}

/// Runs the cart sweeps once: expired carts are deleted, stale carts abandoned.
pub async fn sweep(state: &AppState) -> ApiResult<(u64, u64)> {
    let now = state.now_ms();
    let expired = carts::sweep_expired(&state.store, now).await?;
    let abandoned = carts::abandon_stale(&state.store, now).await?;
    Ok((expired, abandoned))
}

/// Starts the cart sweeps (every `sweep_interval_ms`), stopping on shutdown.
pub fn spawn_background(state: &AppState) -> Vec<JoinHandle<()>> {
    let step = |state: AppState| async move { sweep(&state).await };
    family_task(state, "shop cart sweep", u64::MAX, OnShutdown::Stop, step)
}

/// The one background task of a shop-family API: `step` every `sweep_interval_ms` (at least
/// 10 ms, at most `max_ms`) until shutdown, then as `on_shutdown` says.
pub(crate) fn family_task<F, Fut, T>(
    state: &AppState,
    name: &'static str,
    max_ms: u64,
    on_shutdown: OnShutdown,
    step: F,
) -> Vec<JoinHandle<()>>
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = ApiResult<T>> + Send,
    T: Send,
{
    let every = Duration::from_millis(state.config.sweep_interval_ms.clamp(10, max_ms));
    vec![background::every(state, name, every, on_shutdown, step)]
}

/// The REST token endpoint `POST /{tenant}/auth/token`.
pub fn token_router(_state: &AppState) -> Router<AppState> {
    tenants::router()
}
