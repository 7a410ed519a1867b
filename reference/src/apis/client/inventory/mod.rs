//! The public inventory: `inventoryItems`, `inventoryFiltersPagination`, `item`, and the item
//! and listing loaders the checkout views share.
//!
//! Filtering, sorting and paging happen in SQL over indexed columns (see `filters`), so a page
//! costs the same in a store of a thousand items or a million. The `count` of
//! `inventoryItems.pagination` is exact whenever the page itself shows it (the last page, or
//! any page of a short result); otherwise matches are counted up to [`COUNT_WINDOW`] entries
//! past the page, so one request never counts a million rows: in a result larger than that,
//! `count` and `pages` are lower bounds (`hasMore` is always exact). That keeps a page's cost
//! flat in the store's size (measured on SQLite: the capped count over 10^6 items costs what a
//! full count over 10^3 does). `inventoryFiltersPagination` gives the exact count (and, as the
//! schema says, is the expensive call). The `text` filter is a substring match, which no
//! portable index serves: on a large store it scans (a full-text index is future work).

pub(crate) mod docs;
pub(crate) mod filters;

use std::collections::{HashMap, HashSet};

use shopql_server_stubs::ApiResult;
use shopql_server_stubs::client::{
    InventoryFacet, InventoryFacetValue, InventoryFiltersInput, InventoryFiltersPagination,
    InventoryItems, Item, Listing, ListingOption, ListingPrices, ListingStock, PaginationInput,
};
use sqlx::AnyConnection;

use self::docs::{DescriptionsDoc, ItemDoc, OptionDoc};
use super::auth::ClientRequest;
use super::pagination::{self, PageRequest, clamp_i32};
use super::stores::StoreRow;
use crate::domain::checkout::totals::before_taxes;
use crate::domain::money;
use crate::state::AppState;
use crate::store::sql::{Doc, Flag, Sql};

/// How far past the current page `inventoryItems` counts matches before it stops.
pub const COUNT_WINDOW: i64 = 1_000;

/// Sort keys of `inventoryItems` ("added" is the real service's name for "created").
pub(crate) const SORTS: &[&str] = &["created", "added", "updated", "price", "title"];

/// The facets `inventoryFiltersPagination` reports.
pub(crate) const FACETS: &[&str] = &[
    "genres",
    "styles",
    "formats",
    "countries",
    "years",
    "categories",
    "itemTypes",
];

/// A listing as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub(crate) struct ListingRow {
    pub id: String,
    pub num_id: i64,
    pub item_id: String,
    pub available: i64,
    #[sqlx(try_from = "Flag")]
    pub pre_order: bool,
    #[sqlx(try_from = "Flag")]
    pub second_hand: bool,
    #[sqlx(try_from = "Flag")]
    pub one_per_customer: bool,
    pub comments: Option<String>,
    pub categories: Doc<Vec<String>>,
    pub options: Doc<Vec<OptionDoc>>,
    pub stock: i64,
    pub price_sale: i64,
    pub price_compare: Option<i64>,
}

/// An item as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub(crate) struct ItemRow {
    pub id: String,
    pub num_id: i64,
    pub item_type: String,
    pub created: i64,
    pub path: String,
    pub handle: Option<String>,
    pub bitly: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub forbidden: bool,
    pub title: String,
    #[sqlx(rename = "data")]
    pub doc: Doc<ItemDoc>,
    pub descriptions: Option<Doc<DescriptionsDoc>>,
}

/// An item with its listings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LoadedItem {
    pub row: ItemRow,
    pub listings: Vec<ListingRow>,
}

const ITEM_COLUMNS: &str = "i.id, i.num_id, i.item_type, i.created, i.path, i.handle, i.bitly, \
     i.forbidden, i.title, i.data, i.descriptions";

const LISTING_COLUMNS: &str = "l.id, l.num_id, l.item_id, l.available, l.pre_order, l.second_hand, \
     l.one_per_customer, l.comments, l.categories, l.options, l.stock, l.price_sale, l.price_compare";

/// The listings of `item_ids`, grouped by item, in display order.
async fn listings_of(
    conn: &mut AnyConnection,
    item_ids: &[String],
) -> ApiResult<HashMap<String, Vec<ListingRow>>> {
    let mut out: HashMap<String, Vec<ListingRow>> = HashMap::new();
    if item_ids.is_empty() {
        return Ok(out);
    }
    let mut sql = Sql::new(&format!(
        "SELECT {LISTING_COLUMNS} FROM client_listings l WHERE l.item_id IN "
    ));
    sql.list(item_ids)
        .push(" ORDER BY l.item_id, l.position, l.num_id");
    for l in sql.fetch_all_as::<ListingRow, _>(conn).await? {
        out.entry(l.item_id.clone()).or_default().push(l);
    }
    Ok(out)
}

async fn with_listings(conn: &mut AnyConnection, rows: Vec<ItemRow>) -> ApiResult<Vec<LoadedItem>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut listings = listings_of(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| LoadedItem {
            listings: listings.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// Items by `_id`, with their listings.
pub(crate) async fn items_by_ids(
    conn: &mut AnyConnection,
    item_ids: &[String],
) -> ApiResult<HashMap<String, LoadedItem>> {
    if item_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new(&format!(
        "SELECT {ITEM_COLUMNS} FROM client_items i WHERE i.id IN "
    ));
    sql.list(item_ids);
    let rows = sql.fetch_all_as(&mut *conn).await?;
    Ok(with_listings(conn, rows)
        .await?
        .into_iter()
        .map(|i| (i.row.id.clone(), i))
        .collect())
}

/// Listings of `store_id` by numeric id.
pub(crate) async fn listings_by_num(
    conn: &mut AnyConnection,
    store_id: &str,
    nums: &[i64],
) -> ApiResult<HashMap<i64, ListingRow>> {
    if nums.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new(&format!(
        "SELECT {LISTING_COLUMNS} FROM client_listings l WHERE l.store_id = "
    ));
    sql.arg(store_id)
        .push(" AND l.num_id IN ")
        .list(nums.iter().copied());
    let rows = sql.fetch_all_as::<ListingRow, _>(conn).await?;
    Ok(rows.into_iter().map(|l| (l.num_id, l)).collect())
}

/// Which of `item_ids` are in the customer's wantlist.
async fn wanted(
    conn: &mut AnyConnection,
    customer: Option<&str>,
    item_ids: &[String],
) -> ApiResult<HashSet<String>> {
    let Some(customer) = customer else {
        return Ok(HashSet::new());
    };
    if item_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut sql = Sql::new("SELECT item_id FROM client_wantlist WHERE customer_id = ");
    sql.arg(customer).push(" AND item_id IN ").list(item_ids);
    Ok(sql.fetch_column(conn).await?.into_iter().collect())
}

/// The API's `Listing`.
pub(crate) fn listing_to_api(store: &StoreRow, l: &ListingRow) -> Listing {
    Listing {
        _id: Some(l.id.clone()),
        id: Some(l.num_id as f64),
        available: Some(l.available as f64),
        pre_order: Some(l.pre_order),
        second_hand: Some(l.second_hand),
        categories: Some(l.categories.iter().cloned().map(Some).collect()),
        one_per_customer: Some(l.one_per_customer),
        comments: l.comments.clone(),
        stock: Some(ListingStock {
            quantity: Some(clamp_i32(l.stock.max(0))),
        }),
        prices: Some(ListingPrices {
            before_taxes: Some(money::minor_to_wire(before_taxes(
                l.price_sale,
                store.tax_rate_bp,
            ))),
            sale: Some(money::minor_to_wire(l.price_sale)),
            compare: l.price_compare.map(money::minor_to_wire),
        }),
        options: Some(
            l.options
                .iter()
                .map(|o| {
                    Some(ListingOption {
                        name: o.name.clone(),
                        value: o.value.clone(),
                    })
                })
                .collect(),
        ),
    }
}

/// The API's `Item`.
pub(crate) fn item_to_api(store: &StoreRow, item: &LoadedItem, wanted: bool) -> Item {
    let r = &item.row;
    Item {
        _id: Some(r.id.clone()),
        id: Some(r.num_id as f64),
        r#type: Some(r.item_type.clone()),
        created: Some(r.created as f64),
        wanted: Some(wanted),
        path: Some(r.path.clone()),
        uri: Some(format!("{}{}", store.base_url(), r.path)),
        is_forbidden_for_sale: Some(r.forbidden),
        handle: r.handle.clone(),
        bitly: r.bitly.clone(),
        data: Some(r.doc.to_api()),
        listings: Some(
            item.listings
                .iter()
                .map(|l| Some(listing_to_api(store, l)))
                .collect(),
        ),
        descriptions: r.descriptions.as_deref().map(DescriptionsDoc::to_api),
    }
}

/// API items for loaded items, with the customer's wantlist flags.
pub(crate) async fn items_to_api(
    conn: &mut AnyConnection,
    store: &StoreRow,
    customer: Option<&str>,
    items: &[LoadedItem],
) -> ApiResult<Vec<Item>> {
    let ids: Vec<String> = items.iter().map(|i| i.row.id.clone()).collect();
    let wanted = wanted(conn, customer, &ids).await?;
    Ok(items
        .iter()
        .map(|i| item_to_api(store, i, wanted.contains(&i.row.id)))
        .collect())
}

fn sort_column(sort: &str) -> &'static str {
    match sort {
        "updated" => "i.updated",
        "price" => "i.sort_price",
        "title" => "i.title_key",
        _ => "i.created",
    }
}

async fn connection(state: &AppState) -> ApiResult<sqlx::pool::PoolConnection<sqlx::Any>> {
    Ok(state.store.pool.acquire().await?)
}

/// `inventoryItems(filters, pagination)`; the matches are counted only if `count` (the
/// `pagination` field is selected).
pub(crate) async fn inventory_items(
    state: &AppState,
    req: &ClientRequest,
    (filters, pagination): (&InventoryFiltersInput, &PaginationInput),
    count: bool,
) -> ApiResult<InventoryItems> {
    let page = pagination::parse(Some(pagination), SORTS)?;
    let customer = req.customer().map(|c| c.id.as_str());
    let store = &req.store;

    let mut sql = Sql::new(&format!("SELECT {ITEM_COLUMNS} FROM client_items i WHERE "));
    filters::apply(&mut sql, &store.id, filters, customer)?;
    let (col, dir) = (sort_column(&page.sort), page.direction());
    sql.push(&format!(" ORDER BY {col} {dir}, i.num_id {dir} LIMIT "))
        .arg(page.limit + 1)
        .push(" OFFSET ")
        .arg(page.offset());

    let mut conn = connection(state).await?;
    let mut rows: Vec<ItemRow> = sql.fetch_all_as(&mut *conn).await?;
    let has_more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > page.limit;
    rows.truncate(usize::try_from(page.limit).unwrap_or(usize::MAX));
    let shown = i64::try_from(rows.len()).unwrap_or(i64::MAX);

    let count = if !has_more && (shown > 0 || page.page == 1) {
        page.offset() + shown
    } else if count {
        count_matches(&mut conn, &page, req, filters).await?
    } else {
        // Not selected: never sent.
        0
    };
    let items = with_listings(&mut conn, rows).await?;
    let items = items_to_api(&mut conn, store, customer, &items).await?;
    Ok(InventoryItems {
        items: Some(items.into_iter().map(Some).collect()),
        pagination: Some(page.pagination(count, has_more)),
    })
}

/// Counts matches up to [`COUNT_WINDOW`] past the requested page.
async fn count_matches(
    conn: &mut AnyConnection,
    page: &PageRequest,
    req: &ClientRequest,
    filters: &InventoryFiltersInput,
) -> ApiResult<i64> {
    let cap = page
        .offset()
        .saturating_add(page.limit)
        .saturating_add(COUNT_WINDOW);
    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM client_items i WHERE ");
    filters::apply(
        &mut sql,
        &req.store.id,
        filters,
        req.customer().map(|c| c.id.as_str()),
    )?;
    sql.push(" LIMIT ").arg(cap).push(") AS matches");
    sql.fetch_n(conn).await
}

/// `inventoryFiltersPagination(filters, pagination)`: exact count, pages and facets; the facets
/// (the expensive part) only if `with_facets`.
pub(crate) async fn filters_pagination(
    state: &AppState,
    req: &ClientRequest,
    (filters, pagination): (&InventoryFiltersInput, &PaginationInput),
    with_facets: bool,
) -> ApiResult<InventoryFiltersPagination> {
    let page = pagination::parse(Some(pagination), SORTS)?;
    let customer = req.customer().map(|c| c.id.as_str());
    let store = &req.store;
    let mut conn = connection(state).await?;

    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM client_items i WHERE ");
    filters::apply(&mut sql, &store.id, filters, customer)?;
    let count = sql.fetch_n(&mut *conn).await?;

    let mut answer = InventoryFiltersPagination {
        pages: Some(clamp_i32(page.pages(count))),
        count: Some(clamp_i32(count)),
        filters: None,
    };
    if !with_facets {
        return Ok(answer);
    }
    let mut sql = Sql::new(
        "SELECT t.kind AS kind, t.value_key AS value_key, MIN(t.value) AS value, COUNT(*) AS n \
         FROM client_item_tags t WHERE t.store_id = ",
    );
    sql.arg(store.id.as_str())
        .push(" AND t.kind IN ")
        .list(FACETS.iter().copied())
        .push(" AND t.item_id IN (SELECT i.id FROM client_items i WHERE ");
    filters::apply(&mut sql, &store.id, filters, customer)?;
    sql.push(") GROUP BY t.kind, t.value_key");
    let rows: Vec<(String, String, String, i64)> = sql.fetch_all_as(&mut *conn).await?;
    let mut facets: Vec<InventoryFacet> = FACETS
        .iter()
        .map(|name| InventoryFacet {
            name: (*name).to_string(),
            values: Vec::new(),
        })
        .collect();
    for (kind, _, value, n) in rows {
        if let Some(f) = facets.iter_mut().find(|f| f.name == kind) {
            f.values.push(InventoryFacetValue {
                value,
                count: clamp_i32(n),
            });
        }
    }
    for f in &mut facets {
        f.values
            .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    }
    answer.filters = Some(facets);
    Ok(answer)
}

/// `item(id)`: null when the store has no item with that numeric id.
pub(crate) async fn item(
    state: &AppState,
    req: &ClientRequest,
    id: f64,
) -> ApiResult<Option<Item>> {
    if !id.is_finite() || id.fract() != 0.0 || id.abs() > 9.0e15 {
        return Ok(None);
    }
    let store = &req.store;
    let mut conn = connection(state).await?;
    let row = sqlx::query_as::<_, ItemRow>(&format!(
        "SELECT {ITEM_COLUMNS} FROM client_items i WHERE i.store_id = $1 AND i.num_id = $2"
    ))
    .bind(&store.id)
    .bind(id as i64)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let items = with_listings(&mut conn, vec![row]).await?;
    let customer = req.customer().map(|c| c.id.as_str());
    Ok(items_to_api(&mut conn, store, customer, &items)
        .await?
        .into_iter()
        .next())
}
