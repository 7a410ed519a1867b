//! Per-request batching of the `variants` connections below a list of adverts. When a page of
//! adverts selects each advert's `variants(first: n)`, the sibling resolvers run together; the
//! request's [`VariantBatcher`] (async-graphql's `DataLoader`, which gathers the keys asked
//! within a millisecond) turns them into one windowed query that pages every advert's variants
//! and one load of those variants, in place of five queries per advert. Pages, cursors and
//! totals are those of the per-advert path (`queries::advert_variants`), which still serves
//! `after`, `last` and `before`, and adverts that were not listed with siblings (`node(id)`),
//! which would only wait out the batch window for nothing.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::dataloader::{DataLoader, Loader as BatchLoad};
use shopql_server_stubs::marketplace as gql;
use shopql_server_stubs::{ApiError, ApiResult};
use sqlx::AnyPool;

use super::load::Loader;
use super::queries;
use crate::store::page::{self, PageArgs};

/// The first page of one advert's variants.
#[derive(Debug, Clone)]
pub(crate) struct FirstVariants {
    /// The advert's legacy id.
    pub advert: i32,
    /// The advert as this request loaded it, which its variants embed (loaded again when
    /// absent: a deleted advert's node does not carry it).
    pub parent: Option<Arc<gql::Advert>>,
    /// Published variants only (`displayableOnly`).
    pub published_only: bool,
    /// The page size.
    pub first: usize,
    /// Whether `totalCount` is wanted.
    pub count: bool,
}

impl FirstVariants {
    fn identity(&self) -> (i32, bool, usize, bool) {
        (self.advert, self.published_only, self.first, self.count)
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
pub(crate) struct VariantBatcher {
    loader: DataLoader<VariantPages>,
    /// Adverts a list of this request returned with siblings.
    listed: Mutex<HashSet<i32>>,
}

impl VariantBatcher {
    /// The batcher of one request of `seller` at `now` (the authenticator puts it in the
    /// context).
    pub(crate) fn new(pool: AnyPool, seller: i64, now: i64) -> Self {
        Self {
            loader: DataLoader::new(VariantPages { pool, seller, now }, tokio::spawn),
            listed: Mutex::default(),
        }
    }

    /// Notes the adverts a list resolved together; their first pages of variants will be asked
    /// for together. A list of one has nothing to batch with.
    pub(crate) fn listed(&self, adverts: impl IntoIterator<Item = i32>) {
        let adverts: Vec<i32> = adverts.into_iter().collect();
        if adverts.len() > 1 {
            self.lock().extend(adverts);
        }
    }

    /// The first page of `advert`'s variants, loaded with its siblings': `None` unless the page
    /// is a first page (`first` alone) and the advert was listed with others (the per-advert
    /// path serves the rest without waiting for a batch).
    pub(crate) async fn first_page(
        &self,
        (advert, parent): (i32, Option<&gql::Advert>),
        published_only: bool,
        args: &PageArgs,
    ) -> ApiResult<Option<gql::VariantConnection>> {
        if args.after.is_some()
            || args.last.is_some()
            || args.before.is_some()
            || !self.lock().contains(&advert)
        {
            return Ok(None);
        }
        page::validate(args)?;
        let key = FirstVariants {
            advert,
            parent: parent.map(|p| Arc::new(p.clone())),
            published_only,
            first: args
                .first
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(page::DEFAULT_PAGE_SIZE),
            count: args.count,
        };
        self.loader.load_one(key).await
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<i32>> {
        // A set that only grows: a panic elsewhere cannot leave it half-updated.
        self.listed.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
