//! Root queries and connection fields: each builds a [`Listing`] (filters and sort keys, scoped
//! to the seller), pages it with keyset pagination, and loads the page's objects in batches.

use std::collections::{HashMap, HashSet};

use shopql_server_stubs::marketplace as gql;
use shopql_server_stubs::{ApiError, ApiResult};
use sqlx::any::AnyRow;

use super::batch::{Nested, Parent};
use super::invoices::domain_status;
use super::load::{AdvertRecord, DELETED_RETENTION_MS, Loader, distinct};
use crate::clock::parse_rfc3339;
use crate::domain::marketplace::ids::{GlobalId, IdError, NodeType, decode, decode_as};
use crate::store::page::{self, Key, Listing, Page, PageArgs};
use crate::store::sql::{Sql, col, contains_pattern, escape_like};

/// A Relay connection type, built from a page and its loaded nodes (with their cursors).
pub(crate) trait FromPage: Sized {
    /// Its node type.
    type Node: Clone;

    /// The connection of `page`, its nodes `items`.
    fn from_page(page: &Page, items: Vec<(String, Self::Node)>) -> Self;
}

/// Implements [`FromPage`] for connection types: every generated connection has the same edges,
/// nodes, page info and total, and differs from the others in its types alone.
macro_rules! from_page {
    ($($connection:ident, $edge:ident: $node:ident;)*) => {$(
        impl FromPage for gql::$connection {
            type Node = gql::$node;

            fn from_page(page: &Page, items: Vec<(String, gql::$node)>) -> Self {
                let edges = items.iter().map(|(cursor, node)| {
                    Some(gql::$edge {
                        cursor: cursor.clone(),
                        node: Some(node.clone()),
                    })
                });
                Self {
                    edges: Some(edges.collect()),
                    nodes: Some(items.into_iter().map(|(_, node)| Some(node)).collect()),
                    page_info: gql::PageInfo {
                        has_next_page: page.has_next_page,
                        has_previous_page: page.has_previous_page,
                        start_cursor: page.start_cursor(),
                        end_cursor: page.end_cursor(),
                    },
                    total_count: page.total_count,
                }
            }
        }
    )*};
}

from_page! {
    AllAdvertsConnection, AllAdvertsEdge: AllAdvert;
    AdvertsConnection, AdvertsEdge: Advert;
    VariantConnection, VariantEdge: Variant;
    InventoryConnection, InventoryEdge: Inventory;
    BrandConnection, BrandEdge: Brand;
    TaxonsConnection, TaxonsEdge: Taxon;
    ShippingProfileConnection, ShippingProfileEdge: ShippingProfile;
    OptionTypeConnection, OptionTypeEdge: OptionType;
    InvoicesConnection, InvoicesEdge: Invoice;
    ImageConnection, ImageEdge: Image;
    AdvertDocumentConnection, AdvertDocumentEdge: AdvertDocument;
    AdvertOptionValueConnection, AdvertOptionValueEdge: AdvertOptionValue;
    OptionValuesConnection, OptionValuesEdge: OptionValue;
}

/// The connection of `page` with the objects loaded for its ids (`found`).
fn paged<C: FromPage>(page: &Page, found: &HashMap<i64, C::Node>) -> C {
    C::from_page(page, page.pair(|id| found.get(&id).cloned()))
}

/// A listing of `from` in the order of `keys`, ascending, its total unknown (counted if asked).
fn listing(tag: impl Into<String>, from: &str, filters: Sql, keys: Vec<Key>) -> Listing {
    Listing {
        tag: tag.into(),
        from: from.into(),
        filters,
        keys,
        descending: false,
        total: None,
    }
}

/// A seller's row count of `kind` (`adverts`, `invoices`, `live_variants`), kept by triggers.
pub(crate) async fn seller_count(
    pool: &sqlx::AnyPool,
    seller: i64,
    kind: &str,
) -> Result<i64, ApiError> {
    let mut sql = Sql::new("SELECT n FROM mp_seller_counts WHERE seller_id = ");
    sql.arg(seller).push(" AND kind = ").arg(kind);
    sql.fetch_n(pool).await
}

fn id_error(argument: &str, e: IdError) -> ApiError {
    ApiError::bad_input(format!("`{argument}`: {e}"))
}

fn decode_all(argument: &str, ids: &[String], t: NodeType) -> ApiResult<Vec<i64>> {
    ids.iter()
        .map(|id| decode_as(id, t).map_err(|e| id_error(argument, e)))
        .collect()
}

fn parse_time(argument: &str, text: &str) -> ApiResult<i64> {
    parse_rfc3339(text).ok_or_else(|| {
        ApiError::bad_input(format!(
            "`{argument}` must be an ISO 8601 date-time or date (got `{text}`)"
        ))
    })
}

/// Resolves global ids of any type for the seller; ids it may not see are missing.
pub(crate) async fn resolve(
    loader: &Loader<'_>,
    ids: &[GlobalId],
) -> ApiResult<HashMap<GlobalId, gql::Node>> {
    let mut by_type: HashMap<NodeType, Vec<i64>> = HashMap::new();
    for g in ids {
        by_type.entry(g.node_type).or_default().push(g.legacy_id);
    }
    let mut out = HashMap::new();
    for (t, list) in by_type {
        let found = match t {
            NodeType::Advert => as_nodes(loader.adverts(&list).await?, AdvertRecord::into_node),
            NodeType::Variant => as_nodes(loader.variants(&list, false).await?, gql::Node::Variant),
            NodeType::Inventory => as_nodes(loader.inventories(&list).await?, gql::Node::Inventory),
            NodeType::Image => as_nodes(loader.images(&list).await?, gql::Node::Image),
            NodeType::AdvertDocument => {
                as_nodes(loader.documents(&list).await?, gql::Node::AdvertDocument)
            }
            NodeType::Seller => {
                let mut visible = Vec::new();
                for id in list {
                    if loader.visible_seller(id).await? {
                        visible.push(id);
                    }
                }
                as_nodes(loader.sellers(&visible).await?, gql::Node::Seller)
            }
            NodeType::Brand => as_nodes(loader.brands(&list).await?, gql::Node::Brand),
            NodeType::Taxon => as_nodes(loader.taxons(&list).await?, gql::Node::Taxon),
            NodeType::Prototype => as_nodes(loader.prototypes(&list).await?, gql::Node::Prototype),
            NodeType::OptionType => {
                as_nodes(loader.option_types(&list).await?, gql::Node::OptionType)
            }
            NodeType::OptionValue => {
                as_nodes(loader.option_values(&list).await?, gql::Node::OptionValue)
            }
            NodeType::Invoice => as_nodes(loader.invoices(&list).await?, gql::Node::Invoice),
            // Line items and shipments load one at a time.
            NodeType::LineItem | NodeType::Shipment => {
                let mut found = Vec::new();
                for id in list {
                    let node = if t == NodeType::LineItem {
                        loader.line_item(id).await?.map(gql::Node::LineItem)
                    } else {
                        loader.shipment(id).await?.map(gql::Node::Shipment)
                    };
                    found.extend(node.map(|n| (id, n)));
                }
                found
            }
            NodeType::ShipmentCarrier => as_nodes(loader.carriers(&list).await?, |c| {
                gql::Node::ShipmentCarrier(c.carrier)
            }),
            NodeType::ShippingProfile => as_nodes(
                loader.shipping_profiles(&list).await?,
                gql::Node::ShippingProfile,
            ),
        };
        let global = |legacy_id| GlobalId {
            node_type: t,
            legacy_id,
        };
        out.extend(found.into_iter().map(|(id, node)| (global(id), node)));
    }
    Ok(out)
}

/// Loaded objects as nodes, by id.
fn as_nodes<T>(found: HashMap<i64, T>, node: impl Fn(T) -> gql::Node) -> Vec<(i64, gql::Node)> {
    found.into_iter().map(|(id, t)| (id, node(t))).collect()
}

/// `node(id)`: a malformed id is BAD_USER_INPUT; an unknown id, or one of another seller, is
/// NOT_FOUND (the field is then null).
pub(crate) async fn node(loader: &Loader<'_>, id: &str) -> ApiResult<Option<gql::Node>> {
    let g = decode(id).map_err(|e| id_error("id", e))?;
    let mut found = resolve(loader, &[g]).await?;
    match found.remove(&g) {
        Some(n) => Ok(Some(n)),
        None => Err(ApiError::not_found(format!(
            "no {} with id `{id}`",
            g.node_type.name()
        ))),
    }
}

/// Most ids `nodes` accepts.
pub(crate) const MAX_NODES: usize = 100;

/// `nodes(ids)`: one entry per id, null where the object is unknown or another seller's; a
/// malformed id refuses the request.
pub(crate) async fn nodes(
    loader: &Loader<'_>,
    ids: &[String],
) -> ApiResult<Vec<Option<gql::Node>>> {
    if ids.len() > MAX_NODES {
        return Err(ApiError::bad_input(format!(
            "`ids` holds {} ids; at most {MAX_NODES} are allowed",
            ids.len()
        )));
    }
    let decoded: Vec<GlobalId> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| decode(id).map_err(|e| id_error(&format!("ids[{i}]"), e)))
        .collect::<ApiResult<_>>()?;
    let found = resolve(loader, &decoded).await?;
    Ok(decoded.iter().map(|g| found.get(g).cloned()).collect())
}

/// Appends ` AND EXISTS (…)`: the row `parent` (`inv.variant_id`) names in `table` (`mp_variants
/// v`, with its alias) is the seller's.
fn of_seller(sql: &mut Sql, table: &str, parent: &str, loader: &Loader<'_>) {
    let alias = table.rsplit(' ').next().unwrap_or(table);
    sql.push(&format!(
        " AND EXISTS (SELECT 1 FROM {table} WHERE {alias}.id = {parent} AND {alias}.seller_id = "
    ))
    .arg(loader.seller)
    .push(")");
}

fn retention(sql: &mut Sql, loader: &Loader<'_>) {
    sql.push(" AND (a.deleted_at IS NULL OR a.deleted_at >= ")
        .arg(loader.now - DELETED_RETENTION_MS)
        .push(")");
}

/// `allAdverts`.
pub(crate) async fn all_adverts(
    loader: &Loader<'_>,
    updated_since: Option<String>,
    args: &PageArgs,
) -> ApiResult<gql::AllAdvertsConnection> {
    // Without updatedSince the total comes from the kept counter, less the deleted adverts past
    // their 30 days that the purge has not removed yet (an indexed range, usually empty).
    let total = match &updated_since {
        Some(_) => None,
        None => {
            let all = seller_count(loader.pool, loader.seller, "adverts").await?;
            let mut expired = Sql::new("SELECT COUNT(*) AS n FROM mp_adverts WHERE seller_id = ");
            expired
                .arg(loader.seller)
                .push(" AND deleted_at < ")
                .arg(loader.now - DELETED_RETENTION_MS);
            Some(all - expired.fetch_n(loader.pool).await?)
        }
    };
    let mut filters = Sql::new("a.seller_id = ");
    filters.arg(loader.seller);
    retention(&mut filters, loader);
    if let Some(since) = updated_since {
        filters
            .push(" AND a.updated_at >= ")
            .arg(parse_time("updatedSince", &since)?);
    }
    let keys = vec![Key::int("a.updated_at"), Key::int("a.id")];
    let listing = Listing {
        total,
        ..listing("allAdverts", "mp_adverts a", filters, keys)
    };
    let page = page::fetch(loader.pool, &listing, args).await?;
    let adverts = loader.adverts(&page.ids()).await?;
    let items = page.pair(|id| adverts.get(&id).cloned().map(AdvertRecord::into_all_advert));
    Ok(FromPage::from_page(&page, items))
}

/// The filters of `advertsWhere`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct AdvertFilters {
    pub q: Option<String>,
    pub id_title_sku_barcode: Option<String>,
    pub brand_ids: Option<Vec<String>>,
    pub legacy_ids: Option<Vec<i32>>,
    pub retailer_ids: Option<Vec<String>>,
    pub status: Option<gql::AdvertStatusEnum>,
    pub taxon_ids: Option<Vec<String>>,
    pub taxon_ids_with_descendants: Option<Vec<String>>,
    pub variant_skus: Option<Vec<String>>,
    pub variant_barcodes: Option<Vec<String>>,
    pub rejected_via_vetting: Option<bool>,
    pub requires_vetting: Option<bool>,
}

impl AdvertFilters {
    fn any(&self) -> bool {
        // Every filter is optional: only no filter at all equals the default.
        *self != Self::default()
    }
}

async fn taxon_descendants(loader: &Loader<'_>, roots: &[i64]) -> ApiResult<Vec<i64>> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("WITH RECURSIVE d(id) AS (SELECT id FROM mp_taxons WHERE id IN ");
    sql.list(roots.iter().copied());
    sql.push(" UNION SELECT t.id FROM mp_taxons t JOIN d ON t.parent_id = d.id) SELECT id FROM d");
    sql.fetch_column(loader.pool).await
}

const VARIANT_OF_ADVERT: &str =
    "EXISTS (SELECT 1 FROM mp_variants v WHERE v.advert_id = a.id AND v.deleted_at IS NULL AND ";

/// `advertsWhere`.
pub(crate) async fn adverts_where(
    loader: &Loader<'_>,
    f: AdvertFilters,
    args: &PageArgs,
) -> ApiResult<gql::AdvertsConnection> {
    if !f.any() {
        // As the real service: no filter, no result set.
        page::validate(args)?;
        return Ok(FromPage::from_page(&Page::empty(), Vec::new()));
    }
    let mut s = Sql::new("a.seller_id = ");
    s.arg(loader.seller);
    retention(&mut s, loader);
    const TITLE_OR_ID: [&str; 2] = ["LOWER(a.title)", "CAST(a.id AS TEXT)"];
    if let Some(q) = &f.q {
        s.push(" AND (");
        s.like_any(&TITLE_OR_ID, q).push(")");
    }
    if let Some(q) = &f.id_title_sku_barcode {
        s.push(" AND (");
        s.like_any(&TITLE_OR_ID, q).push(" OR ");
        s.push(VARIANT_OF_ADVERT).push("(");
        s.like_any(&["LOWER(v.sku)", "LOWER(v.barcode)"], q)
            .push(")))");
    }
    if let Some(ids) = &f.brand_ids {
        s.push(" AND a.brand_id IN ")
            .list(decode_all("brandIds", ids, NodeType::Brand)?);
    }
    if let Some(ids) = &f.legacy_ids {
        s.push(" AND a.id IN ")
            .list(ids.iter().map(|&i| i64::from(i)));
    }
    if let Some(ids) = &f.retailer_ids {
        let sellers = decode_all("retailerIds", ids, NodeType::Seller)?;
        if !sellers.contains(&loader.seller) {
            s.push(" AND 1 = 0");
        }
    }
    s.push(match f.status {
        None => "",
        Some(gql::AdvertStatusEnum::Displayed) => " AND a.displayable = 1",
        Some(gql::AdvertStatusEnum::NotDisplayed) => " AND a.displayable = 0",
        Some(gql::AdvertStatusEnum::Featured) => " AND a.displayable = 1 AND a.featured = 1",
    });
    if let Some(ids) = &f.taxon_ids {
        s.push(" AND a.taxon_id IN ")
            .list(decode_all("taxonIds", ids, NodeType::Taxon)?);
    }
    if let Some(ids) = &f.taxon_ids_with_descendants {
        let roots = decode_all("taxonIdsWithDescendants", ids, NodeType::Taxon)?;
        let all = taxon_descendants(loader, &roots).await?;
        s.push(" AND a.taxon_id IN ").list(all);
    }
    // Exact SKUs and barcodes select adverts through the seller's variant indexes
    // (`mp_variants_seller_sku`, `_barcode`): cost grows with the matches, not with the seller's
    // catalogue, as a correlated EXISTS per advert would.
    for (column, values) in [("sku", &f.variant_skus), ("barcode", &f.variant_barcodes)] {
        if let Some(values) = values {
            s.push(" AND a.id IN (SELECT v.advert_id FROM mp_variants v WHERE v.seller_id = ")
                .arg(loader.seller)
                .push(&format!(" AND v.deleted_at IS NULL AND v.{column} IN "));
            s.list(values.iter().cloned()).push(")");
        }
    }
    let flags = [
        ("vetting_rejected", f.rejected_via_vetting),
        ("requires_vetting", f.requires_vetting),
    ];
    for (column, wanted) in flags {
        if let Some(b) = wanted {
            s.push(&format!(" AND a.{column} = ")).arg(i64::from(b));
        }
    }
    let listing = listing("advertsWhere", "mp_adverts a", s, vec![Key::int("a.id")]);
    let page = page::fetch(loader.pool, &listing, args).await?;
    adverts_of(loader, &page).await
}

/// A page of adverts in a given order (the resubmission payload).
pub(crate) async fn adverts_in_order(
    loader: &Loader<'_>,
    ids: &[i64],
    args: &PageArgs,
) -> ApiResult<gql::AdvertsConnection> {
    let page = page::in_memory("advertVettingResubmit", ids, args)?;
    adverts_of(loader, &page).await
}

/// The connection of a page of adverts (as Advert, whether published or not).
async fn adverts_of(loader: &Loader<'_>, page: &Page) -> ApiResult<gql::AdvertsConnection> {
    let adverts = loader.adverts(&page.ids()).await?;
    let items = page.pair(|id| adverts.get(&id).map(|r| r.advert.clone()));
    Ok(FromPage::from_page(page, items))
}

/// `variantsWhere`.
pub(crate) async fn variants_where(
    loader: &Loader<'_>,
    filters: Option<gql::VariantFilters>,
    args: &PageArgs,
) -> ApiResult<gql::VariantConnection> {
    let unfiltered = filters
        .as_ref()
        .is_none_or(|f| f.skus.is_absent() && f.barcodes.is_absent() && f.external_ids.is_absent());
    let total = if unfiltered {
        Some(seller_count(loader.pool, loader.seller, "live_variants").await?)
    } else {
        None
    };
    let mut s = Sql::new("v.seller_id = ");
    s.arg(loader.seller).push(" AND v.live = 1");
    if let Some(f) = filters {
        if let Some(skus) = f.skus.into_option() {
            s.push(" AND v.sku IN ").list(skus);
        }
        if let Some(codes) = f.barcodes.into_option() {
            s.push(" AND v.barcode IN ").list(codes);
        }
        if let Some(ext) = f.external_ids.into_option() {
            s.push(" AND EXISTS (SELECT 1 FROM mp_key_values kv WHERE kv.owner_type = 'Variant' AND kv.kind = 'external' AND kv.owner_id = v.id AND kv.value IN ");
            s.list(ext).push(")");
        }
    }
    let listing = Listing {
        total,
        ..listing("variantsWhere", "mp_variants v", s, vec![Key::int("v.id")])
    };
    let page = page::fetch(loader.pool, &listing, args).await?;
    let variants = loader.variants(&page.ids(), false).await?;
    Ok(paged(&page, &variants))
}

/// One parent's page of its `of` connection (any arguments), and the objects its nodes hold
/// (see [`Nested::holds`]).
pub(crate) async fn nested<C: Nested>(
    of: &C,
    loader: &Loader<'_>,
    parent: i32,
    args: &PageArgs,
) -> ApiResult<(C::Connection, Vec<(Parent, i32)>)> {
    let p = i64::from(parent);
    let mut listing = of.listing(loader, &[p]);
    listing.tag = page::parent_tag(&listing.tag, p);
    let page = page::fetch(loader.pool, &listing, args).await?;
    let rows: Vec<(i64, i64)> = page.ids().into_iter().map(|id| (p, id)).collect();
    let nodes = of.nodes(loader, &rows).await?;
    let mut holds = Vec::new();
    let connection = connection_of::<C>(&page, p, &nodes, &mut holds);
    Ok((connection, holds))
}

/// The first pages (`first` rows, counted with `count`) of `parents`' `of` connections (see
/// [`super::batch`]): one windowed statement pages them all and one load brings their nodes;
/// each page equals what [`nested`] returns for its parent alone. Also the objects all their
/// nodes hold.
pub(crate) async fn first_pages<C: Nested>(
    of: &C,
    loader: &Loader<'_>,
    parents: &[i32],
    first: usize,
    count: bool,
) -> ApiResult<(HashMap<i32, C::Connection>, Vec<(Parent, i32)>)> {
    let ids = distinct(parents.iter().map(|&p| i64::from(p)));
    let listing = of.listing(loader, &ids);
    let pages = page::first_pages(loader.pool, &listing, of.parent().1, first, count).await?;
    let rows: Vec<(i64, i64)> = pages
        .iter()
        .flat_map(|(&p, page)| page.ids().into_iter().map(move |id| (p, id)))
        .collect();
    let nodes = of.nodes(loader, &rows).await?;
    let mut out = HashMap::new();
    let mut holds = Vec::new();
    for &parent in parents {
        let p = i64::from(parent);
        // A parent without rows has no page in the window: its page is empty.
        let page = pages.get(&p).cloned().unwrap_or_default();
        out.insert(parent, connection_of::<C>(&page, p, &nodes, &mut holds));
    }
    Ok((out, holds))
}

/// The connection of `parent`'s page with its loaded nodes; adds what they hold to `holds`.
fn connection_of<C: Nested>(
    page: &Page,
    parent: i64,
    nodes: &HashMap<(i64, i64), C::Node>,
    holds: &mut Vec<(Parent, i32)>,
) -> C::Connection {
    let items = page.pair(|id| nodes.get(&(parent, id)).cloned());
    holds.extend(items.iter().flat_map(|(_, node)| C::holds(node)));
    C::Connection::from_page(page, items)
}

/// Objects loaded by id, by the (parent, id) rows of pages that list them.
fn by_row<T: Clone>(rows: &[(i64, i64)], found: &HashMap<i64, T>) -> HashMap<(i64, i64), T> {
    rows.iter()
        .filter_map(|&(p, id)| found.get(&id).map(|t| ((p, id), t.clone())))
        .collect()
}

/// The ids of pages' rows.
fn row_ids(rows: &[(i64, i64)]) -> Vec<i64> {
    rows.iter().map(|&(_, id)| id).collect()
}

/// The rows of `select` (ending in `WHERE `) whose `parent` and `position` columns are among
/// pages' (parent, position) rows. Parents and positions are matched apart, which may bring rows
/// of a position another parent's page holds: only the rows asked for are kept.
async fn positioned(
    loader: &Loader<'_>,
    select: &str,
    parent: &str,
    rows: &[(i64, i64)],
) -> ApiResult<Vec<(i64, i64, AnyRow)>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(select);
    sql.push(parent)
        .push(" IN ")
        .list(distinct(rows.iter().map(|&(p, _)| p)));
    sql.push(" AND position IN ")
        .list(distinct(rows.iter().map(|&(_, pos)| pos)));
    let wanted: HashSet<(i64, i64)> = rows.iter().copied().collect();
    let mut out = Vec::new();
    for r in sql.fetch_all(loader.pool).await? {
        let key = (col::<i64>(&r, parent)?, col::<i64>(&r, "position")?);
        if wanted.contains(&key) {
            out.push((key.0, key.1, r));
        }
    }
    Ok(out)
}

/// `Advert.variants` (and `UnpublishedAdvert.variants`, `DeletedAdvert.variants`): the
/// advert's variants not individually deleted, published only on request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct AdvertVariants {
    /// Published variants only (`displayableOnly`).
    pub published_only: bool,
}

impl Nested for AdvertVariants {
    type Connection = gql::VariantConnection;
    type Node = gql::Variant;

    fn parent(&self) -> (Parent, &'static str) {
        (Parent::Advert, "v.advert_id")
    }

    fn listing(&self, loader: &Loader<'_>, parents: &[i64]) -> Listing {
        let mut s = Sql::new("v.advert_id IN ");
        s.list(parents.iter().copied())
            .push(" AND v.seller_id = ")
            .arg(loader.seller)
            .push(" AND v.deleted_at IS NULL");
        if self.published_only {
            s.push(" AND v.published = 1");
        }
        listing("advertVariants", "mp_variants v", s, vec![Key::int("v.id")])
    }

    async fn nodes(
        &self,
        loader: &Loader<'_>,
        rows: &[(i64, i64)],
    ) -> ApiResult<HashMap<(i64, i64), gql::Variant>> {
        Ok(by_row(rows, &loader.variants(&row_ids(rows), true).await?))
    }

    fn holds(node: &gql::Variant) -> Vec<(Parent, i32)> {
        vec![(Parent::Variant, node.legacy_id)]
    }
}

/// `Advert.images` (the advert's own, not its variants') and `Variant.images`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Images {
    /// An advert's.
    OfAdvert,
    /// A variant's.
    OfVariant,
}

impl Nested for Images {
    type Connection = gql::ImageConnection;
    type Node = gql::Image;

    fn parent(&self) -> (Parent, &'static str) {
        match self {
            Self::OfAdvert => (Parent::Advert, "i.advert_id"),
            Self::OfVariant => (Parent::Variant, "i.variant_id"),
        }
    }

    fn listing(&self, loader: &Loader<'_>, parents: &[i64]) -> Listing {
        let mut s = Sql::new("i.seller_id = ");
        s.arg(loader.seller)
            .push(" AND ")
            .push(self.parent().1)
            .push(" IN ")
            .list(parents.iter().copied());
        let tag = match self {
            Self::OfAdvert => {
                s.push(" AND i.variant_id IS NULL");
                "advertImages"
            }
            Self::OfVariant => "variantImages",
        };
        listing(tag, "mp_images i", s, vec![Key::int("i.id")])
    }

    async fn nodes(
        &self,
        loader: &Loader<'_>,
        rows: &[(i64, i64)],
    ) -> ApiResult<HashMap<(i64, i64), gql::Image>> {
        Ok(by_row(rows, &loader.images(&row_ids(rows)).await?))
    }
}

/// `Advert.documents`, in the order added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct AdvertDocuments;

impl Nested for AdvertDocuments {
    type Connection = gql::AdvertDocumentConnection;
    type Node = gql::AdvertDocument;

    fn parent(&self) -> (Parent, &'static str) {
        (Parent::Advert, "ad.advert_id")
    }

    fn listing(&self, loader: &Loader<'_>, parents: &[i64]) -> Listing {
        let mut s = Sql::new("ad.advert_id IN ");
        s.list(parents.iter().copied())
            .push(" AND d.seller_id = ")
            .arg(loader.seller);
        listing(
            "advertDocuments",
            "mp_advert_documents ad JOIN mp_documents d ON d.id = ad.document_id",
            s,
            vec![Key::int("ad.document_id")],
        )
    }

    async fn nodes(
        &self,
        loader: &Loader<'_>,
        rows: &[(i64, i64)],
    ) -> ApiResult<HashMap<(i64, i64), gql::AdvertDocument>> {
        Ok(by_row(rows, &loader.documents(&row_ids(rows)).await?))
    }
}

/// `Advert.advertOptionValues`, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct AdvertOptionValues;

impl Nested for AdvertOptionValues {
    type Connection = gql::AdvertOptionValueConnection;
    type Node = gql::AdvertOptionValue;

    fn parent(&self) -> (Parent, &'static str) {
        (Parent::Advert, "aov.advert_id")
    }

    fn listing(&self, loader: &Loader<'_>, parents: &[i64]) -> Listing {
        let mut s = Sql::new("aov.advert_id IN ");
        s.list(parents.iter().copied());
        of_seller(&mut s, "mp_adverts a", "aov.advert_id", loader);
        listing(
            "advertOptionValues",
            "mp_advert_option_values aov",
            s,
            vec![Key::int("aov.position")],
        )
    }

    async fn nodes(
        &self,
        loader: &Loader<'_>,
        rows: &[(i64, i64)],
    ) -> ApiResult<HashMap<(i64, i64), gql::AdvertOptionValue>> {
        let rows = positioned(
            loader,
            "SELECT advert_id, position, option_type_id, option_value_id, text_value FROM mp_advert_option_values WHERE ",
            "advert_id",
            rows,
        )
        .await?;
        let mut raw = HashMap::new();
        let mut type_ids = Vec::new();
        let mut value_ids = Vec::new();
        for (p, pos, r) in rows {
            let t: i64 = col(&r, "option_type_id")?;
            let v: Option<i64> = col(&r, "option_value_id")?;
            type_ids.push(t);
            value_ids.extend(v);
            raw.insert((p, pos), (t, v, col::<Option<String>>(&r, "text_value")?));
        }
        let types = loader.option_types(&type_ids).await?;
        let values = loader.option_values(&value_ids).await?;
        Ok(raw
            .into_iter()
            .map(|(row, (t, v, text))| {
                let value = gql::AdvertOptionValue {
                    option_type: types.get(&t).cloned(),
                    option_value: v.and_then(|v| values.get(&v).cloned()),
                    text_value: text,
                };
                (row, value)
            })
            .collect())
    }

    fn holds(node: &gql::AdvertOptionValue) -> Vec<(Parent, i32)> {
        let value_type = node
            .option_value
            .as_ref()
            .and_then(|v| v.option_type.as_ref());
        let mut types: Vec<(Parent, i32)> = node
            .option_type
            .iter()
            .chain(value_type)
            .map(|t| (Parent::OptionType, t.legacy_id))
            .collect();
        // The value's type is the option type itself: one object, not two siblings.
        types.dedup();
        types
    }
}

/// `Variant.optionValues`: the variant's listed option values, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct VariantOptionValues;

impl Nested for VariantOptionValues {
    type Connection = gql::OptionValuesConnection;
    type Node = gql::OptionValue;

    fn parent(&self) -> (Parent, &'static str) {
        (Parent::Variant, "vov.variant_id")
    }

    fn listing(&self, loader: &Loader<'_>, parents: &[i64]) -> Listing {
        let mut s = Sql::new("vov.variant_id IN ");
        s.list(parents.iter().copied())
            .push(" AND vov.option_value_id IS NOT NULL");
        of_seller(&mut s, "mp_variants v", "vov.variant_id", loader);
        listing(
            "variantOptionValues",
            "mp_variant_option_values vov",
            s,
            vec![Key::int("vov.position")],
        )
    }

    async fn nodes(
        &self,
        loader: &Loader<'_>,
        rows: &[(i64, i64)],
    ) -> ApiResult<HashMap<(i64, i64), gql::OptionValue>> {
        let rows = positioned(
            loader,
            "SELECT variant_id, position, option_value_id FROM mp_variant_option_values WHERE ",
            "variant_id",
            rows,
        )
        .await?;
        let mut value_of = HashMap::new();
        for (p, pos, r) in rows {
            if let Some(v) = col::<Option<i64>>(&r, "option_value_id")? {
                value_of.insert((p, pos), v);
            }
        }
        let values = loader
            .option_values(&value_of.values().copied().collect::<Vec<_>>())
            .await?;
        Ok(value_of
            .into_iter()
            .filter_map(|(row, v)| values.get(&v).map(|value| (row, value.clone())))
            .collect())
    }

    fn holds(node: &gql::OptionValue) -> Vec<(Parent, i32)> {
        option_value_holds(node)
    }
}

/// `OptionType.optionValues`, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct OptionTypeValues;

impl Nested for OptionTypeValues {
    type Connection = gql::OptionValuesConnection;
    type Node = gql::OptionValue;

    fn parent(&self) -> (Parent, &'static str) {
        (Parent::OptionType, "ov.option_type_id")
    }

    fn listing(&self, _: &Loader<'_>, parents: &[i64]) -> Listing {
        let mut s = Sql::new("ov.option_type_id IN ");
        s.list(parents.iter().copied());
        listing(
            "optionValues",
            "mp_option_values ov",
            s,
            vec![Key::int("ov.position"), Key::int("ov.id")],
        )
    }

    async fn nodes(
        &self,
        loader: &Loader<'_>,
        rows: &[(i64, i64)],
    ) -> ApiResult<HashMap<(i64, i64), gql::OptionValue>> {
        Ok(by_row(rows, &loader.option_values(&row_ids(rows)).await?))
    }

    fn holds(node: &gql::OptionValue) -> Vec<(Parent, i32)> {
        option_value_holds(node)
    }
}

/// An option value holds its option type.
fn option_value_holds(node: &gql::OptionValue) -> Vec<(Parent, i32)> {
    node.option_type
        .iter()
        .map(|t| (Parent::OptionType, t.legacy_id))
        .collect()
}

/// The inventory records of a variant.
pub(crate) async fn inventories(
    loader: &Loader<'_>,
    variant: i32,
    args: &PageArgs,
) -> ApiResult<gql::InventoryConnection> {
    let mut s = Sql::new("inv.variant_id = ");
    s.arg(i64::from(variant));
    of_seller(&mut s, "mp_variants v", "inv.variant_id", loader);
    let tag = format!("inventories:{variant}");
    let listing = listing(tag, "mp_inventories inv", s, vec![Key::int("inv.id")]);
    let page = page::fetch(loader.pool, &listing, args).await?;
    Ok(paged(&page, &loader.inventories(&page.ids()).await?))
}

/// `brands` and `brandSearch`.
pub(crate) async fn brands(
    loader: &Loader<'_>,
    keyword: Option<String>,
    args: &PageArgs,
) -> ApiResult<gql::BrandConnection> {
    let (filters, keys, tag) = match keyword {
        None => (
            Sql::new("1 = 1"),
            vec![Key::text("b.name"), Key::int("b.id")],
            "brands",
        ),
        Some(k) => {
            let k = k.trim().to_lowercase();
            if k.is_empty() {
                return Err(ApiError::bad_input("`keyword` must not be blank"));
            }
            // $2 is the keyword itself, which the first sort key uses: exact matches first.
            let mut s = Sql::new("(b.name_lower LIKE ");
            s.arg(contains_pattern(&k))
                .push(" ESCAPE '\\' OR b.name_lower = ");
            s.arg(k).push(")");
            (
                s,
                vec![
                    Key::int("CASE WHEN b.name_lower = $2 THEN 0 ELSE 1 END"),
                    Key::text("b.name"),
                    Key::int("b.id"),
                ],
                "brandSearch",
            )
        }
    };
    let listing = listing(tag, "mp_brands b", filters, keys);
    let page = page::fetch(loader.pool, &listing, args).await?;
    Ok(paged(&page, &loader.brands(&page.ids()).await?))
}

/// `taxons` and `taxonSearch`.
pub(crate) async fn taxons(
    loader: &Loader<'_>,
    search: Option<String>,
    args: &PageArgs,
) -> ApiResult<gql::TaxonsConnection> {
    let (filters, tag) = match search {
        None => (Sql::new("1 = 1"), "taxons"),
        Some(v) => {
            if v.trim().is_empty() {
                return Err(ApiError::bad_input("`searchValue` must not be blank"));
            }
            let mut s = Sql::new("(");
            s.like_any(&["LOWER(t.display_name)", "LOWER(t.tree_name)"], &v)
                .push(")");
            (s, "taxonSearch")
        }
    };
    let keys = vec![Key::text("t.tree_name"), Key::int("t.id")];
    let listing = listing(tag, "mp_taxons t", filters, keys);
    let page = page::fetch(loader.pool, &listing, args).await?;
    Ok(paged(&page, &loader.taxons(&page.ids()).await?))
}

/// `shippingProfiles`.
pub(crate) async fn shipping_profiles(
    loader: &Loader<'_>,
    args: &PageArgs,
) -> ApiResult<gql::ShippingProfileConnection> {
    let keys = vec![Key::text("p.name"), Key::int("p.id")];
    let all = Sql::new("1 = 1");
    let listing = listing("shippingProfiles", "mp_shipping_profiles p", all, keys);
    let page = page::fetch(loader.pool, &listing, args).await?;
    Ok(paged(&page, &loader.shipping_profiles(&page.ids()).await?))
}

/// `Prototype.optionTypes`.
pub(crate) async fn option_types(
    loader: &Loader<'_>,
    prototype: i32,
    args: &PageArgs,
) -> ApiResult<gql::OptionTypeConnection> {
    let mut s = Sql::new("pot.prototype_id = ");
    s.arg(i64::from(prototype));
    let keys = vec![Key::int("pot.position"), Key::int("pot.option_type_id")];
    let tag = format!("optionTypes:{prototype}");
    let listing = listing(tag, "mp_prototype_option_types pot", s, keys);
    let page = page::fetch(loader.pool, &listing, args).await?;
    Ok(paged(&page, &loader.option_types(&page.ids()).await?))
}

/// `invoices`.
pub(crate) async fn invoices(
    loader: &Loader<'_>,
    filters: Option<gql::InvoiceFilters>,
    sort: Option<gql::InvoiceSort>,
    args: &PageArgs,
) -> ApiResult<gql::InvoicesConnection> {
    let total = match &filters {
        None => Some(seller_count(loader.pool, loader.seller, "invoices").await?),
        Some(_) => None,
    };
    let mut s = Sql::new("i.seller_id = ");
    s.arg(loader.seller);
    if let Some(f) = filters {
        let bounds = [
            ("createdSince", "i.created_at", ">=", f.created_since),
            ("createdUntil", "i.created_at", "<=", f.created_until),
            ("updatedSince", "i.updated_at", ">=", f.updated_since),
            ("updatedUntil", "i.updated_at", "<=", f.updated_until),
            ("paidSince", "i.paid_at", ">=", f.paid_since),
            ("paidUntil", "i.paid_at", "<=", f.paid_until),
            ("remittedSince", "i.remitted_at", ">=", f.remitted_since),
            ("remittedUntil", "i.remitted_at", "<=", f.remitted_until),
        ];
        for (name, column, op, value) in bounds {
            if let Some(text) = value.into_option() {
                let ms = parse_time(&format!("filters.{name}"), &text)?;
                s.push(&format!(" AND {column} {op} ")).arg(ms);
            }
        }
        if let Some(statuses) = f.statuses.into_option() {
            s.push(" AND i.status_rank IN ")
                .list(statuses.into_iter().map(|st| domain_status(st).rank()));
        }
        if let Some(email) = f.buyer_email_address.into_option() {
            s.push(" AND i.buyer_email_lower = ")
                .arg(email.trim().to_lowercase());
        }
        if let Some(ext) = f.external_id.into_option() {
            s.push(" AND EXISTS (SELECT 1 FROM mp_key_values kv WHERE kv.owner_type = 'Invoice' AND kv.kind = 'external' AND kv.owner_id = i.id AND kv.value = ");
            s.arg(ext).push(")");
        }
        if let Some(prefix) = f.partial_external_id.into_option() {
            s.push(" AND EXISTS (SELECT 1 FROM mp_key_values kv WHERE kv.owner_type = 'Invoice' AND kv.kind = 'external' AND kv.owner_id = i.id AND kv.value LIKE ");
            s.arg(format!("{}%", escape_like(&prefix)))
                .push(" ESCAPE '\\')");
        }
        if let Some(id) = f.legacy_id.into_option() {
            s.push(" AND i.id = ").arg(i64::from(id));
        }
        if let Some(order) = f.order_id.into_option() {
            s.push(" AND i.order_id = ").arg(i64::from(order));
        }
        if let Some(name) = f.buyer_name.into_option() {
            s.push(" AND LOWER(COALESCE(i.buyer_first_name, '') || ' ' || COALESCE(i.buyer_surname, '')) LIKE ");
            s.arg(contains_pattern(name.trim())).push(" ESCAPE '\\'");
        }
        if let Some(nd) = f.not_dispatched.into_option() {
            s.push(if nd {
                " AND i.shipped_state < 2"
            } else {
                " AND i.shipped_state = 2"
            });
        }
    }
    let (keys, descending, tag) = match sort {
        None => (vec![Key::int("i.id")], false, "invoices".to_string()),
        Some(sort) => {
            let descending = matches!(
                sort.ordering.into_option(),
                Some(gql::SortOrderingEnum::Descending)
            );
            // Nulls sort last in either direction.
            let null_last = if descending {
                "-9223372036854775807"
            } else {
                "9223372036854775807"
            };
            let mut keys = Vec::new();
            let mut names = Vec::new();
            for field in sort.fields {
                if names.contains(&field.as_str()) {
                    continue;
                }
                names.push(field.as_str());
                keys.push(Key::int(match field {
                    gql::InvoiceSortFieldEnum::CreatedAt => "i.created_at".to_string(),
                    gql::InvoiceSortFieldEnum::UpdatedAt => "i.updated_at".to_string(),
                    gql::InvoiceSortFieldEnum::PaidAt => {
                        format!("COALESCE(i.paid_at, {null_last})")
                    }
                    gql::InvoiceSortFieldEnum::RemittedAt => {
                        format!("COALESCE(i.remitted_at, {null_last})")
                    }
                    gql::InvoiceSortFieldEnum::Status => "i.status_rank".to_string(),
                }));
            }
            keys.push(Key::int("i.id"));
            let tag = format!(
                "invoices:{}:{}",
                names.join(","),
                if descending { "desc" } else { "asc" }
            );
            (keys, descending, tag)
        }
    };
    let listing = Listing {
        tag,
        from: "mp_invoices i".into(),
        filters: s,
        keys,
        descending,
        total,
    };
    let page = page::fetch(loader.pool, &listing, args).await?;
    Ok(paged(&page, &loader.invoices(&page.ids()).await?))
}
