//! Per-request batching of the connections below a list. When a page of adverts selects each
//! advert's `variants(first: n)` (or `images`, `documents`, `advertOptionValues`; a page of
//! variants their `images` and `optionValues`; option types their `optionValues`), the sibling
//! resolvers run together; the request's [`Batcher`] (async-graphql's `DataLoader`, which gathers
//! the keys asked within a millisecond) turns them into one windowed query that pages every
//! parent's rows and one load of those rows, in place of a few queries per parent.
//!
//! Each such connection is a [`Nested`]: one description of its rows serves both the per-parent
//! path (`queries::nested`, any arguments) and the batch (`queries::first_pages`), so pages,
//! cursors and totals are the same either way. The per-parent path still serves `after`, `last`
//! and `before`, and parents that were not listed with siblings (`node(id)`), which would only
//! wait out the batch window for nothing.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::dataloader::{DataLoader, Loader as BatchLoad};
use shopql_server_stubs::marketplace as gql;
use shopql_server_stubs::{ApiError, ApiResult};
use sqlx::AnyPool;

use super::load::Loader;
use super::queries::{self, FromPage};
use crate::store::page::{self, Listing, PageArgs};

/// The kinds of object whose connections batch when a list holds several of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Parent {
    /// Adverts (of any AllAdvert member).
    Advert,
    /// Variants.
    Variant,
    /// Option types.
    OptionType,
}

/// A connection below a parent object, paged by keys like any listing: per parent
/// (`queries::nested`, any arguments) or the first pages of many parents at once
/// (`queries::first_pages`). Cursors name the connection and the parent
/// ([`page::parent_tag`]), so both paths issue the same ones.
pub(crate) trait Nested: Clone + Eq + Hash + Send + Sync + 'static {
    /// The connection type.
    type Connection: FromPage<Node = Self::Node> + Clone + Send + Sync + 'static;
    /// Its node type.
    type Node: Clone + Send + Sync + 'static;

    /// What its parents are, and the SQL expression of a row's parent id in
    /// [`Nested::listing`].
    fn parent(&self) -> (Parent, &'static str);

    /// The rows of `parents`, in order; the listing's tag names the connection (the parent is
    /// added per page).
    fn listing(&self, loader: &Loader<'_>, parents: &[i64]) -> Listing;

    /// The nodes of pages' rows, by (parent, id): ids are unique per parent only (positions).
    fn nodes(
        &self,
        loader: &Loader<'_>,
        rows: &[(i64, i64)],
    ) -> impl Future<Output = ApiResult<HashMap<(i64, i64), Self::Node>>> + Send;

    /// The objects a node holds whose own connections batch (a variant; an option value's
    /// option type): by default none.
    fn holds(_node: &Self::Node) -> Vec<(Parent, i32)> {
        Vec::new()
    }
}

/// The first page of one parent's `C` connection.
#[derive(Debug, Clone)]
pub(crate) struct FirstPage<C> {
    /// Which connection.
    pub of: C,
    /// The parent's legacy id.
    pub parent: i32,
    /// The parent advert as this request loaded it, which variants embed (loaded again when
    /// absent: a deleted advert's node does not carry it). `None` for other parents.
    pub known: Option<Arc<gql::Advert>>,
    /// The page size.
    pub first: usize,
    /// Whether `totalCount` is wanted.
    pub count: bool,
}

impl<C: Nested> FirstPage<C> {
    fn identity(&self) -> (&C, i32, usize, bool) {
        (&self.of, self.parent, self.first, self.count)
    }
}

impl<C: Nested> PartialEq for FirstPage<C> {
    fn eq(&self, other: &Self) -> bool {
        self.identity() == other.identity()
    }
}

impl<C: Nested> Eq for FirstPage<C> {}

impl<C: Nested> Hash for FirstPage<C> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.identity().hash(state);
    }
}

/// Objects that lists of this request returned with siblings: their connections' first pages
/// will be asked for together.
#[derive(Default)]
struct Listed(Mutex<HashSet<(Parent, i32)>>);

impl Listed {
    /// Notes the objects one list returned; a list of one has nothing to batch with.
    fn note(&self, objects: Vec<(Parent, i32)>) {
        if objects.len() > 1 {
            self.lock().extend(objects);
        }
    }

    fn contains(&self, object: (Parent, i32)) -> bool {
        self.lock().contains(&object)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<(Parent, i32)>> {
        // A set that only grows: a panic elsewhere cannot leave it half-updated.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Loads first pages of one seller's connections, one batch per connection type.
pub(crate) struct Pages {
    pool: AnyPool,
    seller: i64,
    now: i64,
    listed: Arc<Listed>,
}

impl<C: Nested> BatchLoad<FirstPage<C>> for Pages {
    type Value = C::Connection;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[FirstPage<C>],
    ) -> Result<HashMap<FirstPage<C>, C::Connection>, ApiError> {
        // Keys that page alike share a statement.
        let mut groups: HashMap<(&C, usize, bool), Vec<&FirstPage<C>>> = HashMap::new();
        for k in keys {
            groups.entry((&k.of, k.first, k.count)).or_default().push(k);
        }
        let mut out = HashMap::new();
        for ((of, first, count), group) in groups {
            let known: Vec<&gql::Advert> =
                group.iter().filter_map(|k| k.known.as_deref()).collect();
            let loader = Loader::new(&self.pool, self.seller, self.now);
            let parents: Vec<i32> = group.iter().map(|k| k.parent).collect();
            let (mut pages, holds) =
                queries::first_pages(of, &loader.knowing(&known), &parents, first, count).await?;
            // The pages together are the list their nodes come from.
            self.listed.note(holds);
            for k in group {
                if let Some(page) = pages.remove(&k.parent) {
                    out.insert(k.clone(), page);
                }
            }
        }
        Ok(out)
    }
}

/// A request's batcher of first pages of connections below lists.
pub(crate) struct Batcher {
    loader: DataLoader<Pages>,
    listed: Arc<Listed>,
}

impl Batcher {
    /// The batcher of one request of `seller` at `now` (the authenticator puts it in the
    /// context).
    pub(crate) fn new(pool: AnyPool, seller: i64, now: i64) -> Self {
        let listed = Arc::new(Listed::default());
        let pages = Pages {
            pool,
            seller,
            now,
            listed: Arc::clone(&listed),
        };
        Self {
            loader: DataLoader::new(pages, tokio::spawn),
            listed,
        }
    }

    /// Notes the objects a list resolved together; their connections' first pages will be
    /// asked for together.
    pub(crate) fn listed(&self, kind: Parent, ids: impl IntoIterator<Item = i32>) {
        self.listed
            .note(ids.into_iter().map(|id| (kind, id)).collect());
    }

    /// `parent`'s page of its `of` connection: with its siblings' first pages when it is a
    /// first page (`first` alone) of a parent listed with others, else on its own. `known` is
    /// the parent when it is an advert the request has loaded already.
    pub(crate) async fn page<C: Nested>(
        &self,
        of: C,
        loader: &Loader<'_>,
        (parent, known): (i32, Option<&gql::Advert>),
        args: &PageArgs,
    ) -> ApiResult<C::Connection> {
        let first_page = args.after.is_none() && args.last.is_none() && args.before.is_none();
        if first_page && self.listed.contains((of.parent().0, parent)) {
            page::validate(args)?;
            let key = FirstPage {
                of: of.clone(),
                parent,
                known: known.map(|a| Arc::new(a.clone())),
                first: args
                    .first
                    .and_then(|n| usize::try_from(n).ok())
                    .unwrap_or(page::DEFAULT_PAGE_SIZE),
                count: args.count,
            };
            if let Some(connection) = self.loader.load_one(key).await? {
                return Ok(connection);
            }
        }
        let known: Vec<&gql::Advert> = known.into_iter().collect();
        let (connection, holds) =
            queries::nested(&of, &loader.knowing(&known), parent, args).await?;
        self.listed.note(holds);
        Ok(connection)
    }
}
