//! Per-request batching of the `variants` connections below a list of adverts. When a page of
//! adverts selects each advert's `variants(first: n)`, the sibling resolvers run together; the
//! request's [`VariantBatcher`] (async-graphql's `DataLoader`, which gathers the keys asked
//! within a millisecond) turns them into one windowed query that pages every advert's variants
//! and one load of those variants, in place of five queries per advert. Pages, cursors and
//! totals are those of the per-advert path (`queries::advert_variants`), which still serves
//! `after`, `last` and `before`.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader as BatchLoad};
use shopql_server_stubs::ApiError;
use shopql_server_stubs::marketplace as gql;
use sqlx::AnyPool;

use super::load::Loader;
use super::queries;

/// The first page of one advert's variants.
#[derive(Debug, Clone)]
pub(crate) struct FirstVariants {
    /// The advert: its variants embed it.
    pub advert: Arc<gql::Advert>,
    /// Published variants only (`displayableOnly`).
    pub published_only: bool,
    /// The page size.
    pub first: usize,
    /// Whether `totalCount` is wanted.
    pub count: bool,
}

impl FirstVariants {
    fn identity(&self) -> (i32, bool, usize, bool) {
        (
            self.advert.legacy_id,
            self.published_only,
            self.first,
            self.count,
        )
    }
}

impl PartialEq for FirstVariants {
    fn eq(&self, other: &Self) -> bool {
        self.identity() == other.identity()
    }
}

impl Eq for FirstVariants {}

impl Hash for FirstVariants {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.identity().hash(state);
    }
}

/// Loads the first pages of variants of one seller's adverts.
pub(crate) struct VariantPages {
    pool: AnyPool,
    seller: i64,
    now: i64,
}

impl BatchLoad<FirstVariants> for VariantPages {
    type Value = gql::VariantConnection;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[FirstVariants],
    ) -> Result<HashMap<FirstVariants, gql::VariantConnection>, ApiError> {
        let loader = Loader::new(&self.pool, self.seller, self.now);
        queries::first_variant_pages(&loader, keys).await
    }
}

/// A request's batcher of `Advert.variants` first pages.
pub(crate) type VariantBatcher = DataLoader<VariantPages>;

/// The batcher of one request of `seller` at `now` (the authenticator puts it in the context).
pub(crate) fn variant_batcher(pool: AnyPool, seller: i64, now: i64) -> VariantBatcher {
    DataLoader::new(VariantPages { pool, seller, now }, tokio::spawn)
}
