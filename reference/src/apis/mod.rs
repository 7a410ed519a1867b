//! One module per API, each implementing its generated resolver trait.
//!
//! Every module exposes the same three entry points: `router` (mounted by `crate::http`),
//! `seed_demo` (idempotent demo data) and `spawn_background` (sweeps and flushes).

pub(crate) mod cart_admin;
pub mod client;
pub mod lock;
pub mod marketplace;
pub mod purchase;
pub mod shop;
pub(crate) mod usage;

use shopql_server_stubs::{ApiResult, Maybe};

use crate::state::AppState;

/// An optional input (absent or null: `None`) whose value `read` checks.
pub(crate) fn optional<T, U>(
    m: &Maybe<T>,
    read: impl FnOnce(&T) -> ApiResult<U>,
) -> ApiResult<Option<U>> {
    m.as_option().map(read).transpose()
}

/// A stored list as the API's list of nullable elements, each made by `make`.
pub(crate) fn listed<T, U>(
    list: &Option<Vec<T>>,
    make: impl Fn(&T) -> U,
) -> Option<Vec<Option<U>>> {
    list.as_ref()
        .map(|list| list.iter().map(|x| Some(make(x))).collect())
}

/// `$to` (our enum, stored or of the domain → the generated enum) and `$from` (the reverse),
/// from one list of the variants both share, so that the two directions cannot disagree.
macro_rules! enum_mapping {
    ($to:ident, $from:ident: $ours:ty => $theirs:ty { $($variant:ident),* $(,)? }) => {
        /// The generated enum value of ours.
        pub(crate) fn $to(value: $ours) -> $theirs {
            type Ours = $ours;
            type Theirs = $theirs;
            match value {
                $(Ours::$variant => Theirs::$variant,)*
            }
        }

        /// Our value of a generated enum value.
        pub(crate) fn $from(value: $theirs) -> $ours {
            type Ours = $ours;
            type Theirs = $theirs;
            match value {
                $(Theirs::$variant => Ours::$variant,)*
            }
        }
    };
}
pub(crate) use enum_mapping;

/// Loads every API's demo data (each only once).
pub async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    client::seed_demo(state).await?;
    shop::seed_demo(state).await?;
    cart_admin::seed_demo(state).await?;
    lock::seed_demo(state).await?;
    usage::seed_demo(state).await?;
    purchase::seed_demo(state).await?;
    marketplace::seed_demo(state).await?;
    Ok(())
}

/// Starts every API's background tasks; the server waits for them on shutdown.
pub fn spawn_background(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    [
        client::spawn_background(state),
        shop::spawn_background(state),
        cart_admin::spawn_background(state),
        lock::spawn_background(state),
        usage::spawn_background(state),
        purchase::spawn_background(state),
        marketplace::spawn_background(state),
    ]
    .into_iter()
    .flatten()
    .collect()
}
