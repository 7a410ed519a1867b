//! Turning paginated queries into a [`Stream`] of items.
//!
//! [`pages`] calls a page-fetching closure with a cursor (`None` for the first page), yields the
//! page's items one by one, and asks for the next page only when they run out, until a page
//! has no `next` cursor. The cursor is text, so one helper serves both styles the APIs use:
//!
//! * **Relay connections** (marketplace, cart-admin): the cursor is the connection's
//!   `pageInfo.endCursor` while `pageInfo.hasNextPage`; see [`Page::relay`].
//! * **Page numbers** (client API `inventoryItems(pagination: {page, limit})`): the cursor is
//!   the next page number as text; see [`Page::numbered`] and [`page_number`].
//!
//! Relay, with a hand-written query (generated operations work the same way):
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use serde::Deserialize;
//! use shopql_sdk::{GraphqlClient, pagination::{self, Page}};
//!
//! #[derive(Deserialize)]
//! struct Data { brands: Connection }
//! #[derive(Deserialize)]
//! #[serde(rename_all = "camelCase")]
//! struct Connection { nodes: Vec<Brand>, page_info: PageInfo }
//! #[derive(Deserialize)]
//! #[serde(rename_all = "camelCase")]
//! struct PageInfo { has_next_page: bool, end_cursor: Option<String> }
//! #[derive(Deserialize, Debug)]
//! struct Brand { id: String, name: String }
//!
//! const QUERY: &str = "query Brands($after: String) { brands(first: 50, after: $after) {
//!     nodes { id name } pageInfo { hasNextPage endCursor } } }";
//!
//! # async fn demo() -> shopql_sdk::Result<()> {
//! let client = GraphqlClient::new("http://127.0.0.1:4000/marketplace/graphql").bearer("demo-seller-key");
//! let brands: Vec<Brand> = pagination::pages(|cursor| {
//!     let client = client.clone();
//!     async move {
//!         let variables = serde_json::json!({ "after": cursor });
//!         let data: Data = client.execute_data(QUERY, "Brands", &variables).await?;
//!         let info = data.brands.page_info;
//!         Ok(Page::relay(data.brands.nodes, info.has_next_page, info.end_cursor))
//!     }
//! })
//! .try_collect()
//! .await?;
//! # let _ = brands;
//! # Ok(())
//! # }
//! ```
//!
//! Page numbers, one item at a time:
//!
//! ```no_run
//! use futures::StreamExt;
//! use shopql_sdk::{GraphqlClient, auth, pagination::{self, Page}};
//!
//! const QUERY: &str = "query Items($page: Int!) {
//!     inventoryItems(filters: {}, pagination: { page: $page, limit: 100 }) { items { _id } pagination { pages } } }";
//!
//! # async fn demo() -> shopql_sdk::Result<()> {
//! let client = GraphqlClient::new("http://127.0.0.1:4000/client/graphql")
//!     .header(auth::CLIENT_ORIGIN_HEADER, "www.my-vinyl-store.com");
//! let mut items = pagination::pages(|cursor| {
//!     let client = client.clone();
//!     async move {
//!         let page = pagination::page_number(cursor.as_deref(), 1);
//!         let variables = serde_json::json!({ "page": page });
//!         let data: serde_json::Value = client.execute_data(QUERY, "Items", &variables).await?;
//!         let list = &data["inventoryItems"];
//!         let items = list["items"].as_array().cloned().unwrap_or_default();
//!         let pages = list["pagination"]["pages"].as_u64().unwrap_or(0);
//!         Ok(Page::numbered(items, page, u64::from(page) < pages))
//!     }
//! });
//! while let Some(item) = items.next().await {
//!     println!("{}", item?["_id"]);
//! }
//! # Ok(())
//! # }
//! ```

use std::future::Future;

use futures::{Stream, TryStreamExt, stream};

use crate::error::Result;

/// One page: its items and the cursor of the next page, if there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The items of this page, in order.
    pub items: Vec<T>,
    /// The cursor to fetch the next page with; `None` on the last page.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// A page with an explicit next cursor.
    pub fn new(items: Vec<T>, next: Option<String>) -> Self {
        Page { items, next }
    }

    /// The last page.
    pub fn last(items: Vec<T>) -> Self {
        Page { items, next: None }
    }

    /// A page of a Relay connection: the next cursor is `end_cursor` while `has_next_page`.
    pub fn relay(items: Vec<T>, has_next_page: bool, end_cursor: Option<String>) -> Self {
        Page {
            items,
            next: end_cursor.filter(|_| has_next_page),
        }
    }

    /// Page `page` of a numbered pagination: the next cursor is `page + 1` as text while
    /// `has_next`. Read it back with [`page_number`].
    pub fn numbered(items: Vec<T>, page: u32, has_next: bool) -> Self {
        Page {
            items,
            next: has_next.then(|| page.saturating_add(1).to_string()),
        }
    }
}

/// The page number a cursor from [`Page::numbered`] stands for; `first` for the first call
/// (`None`) or a cursor that is not a number.
pub fn page_number(cursor: Option<&str>, first: u32) -> u32 {
    cursor.and_then(|text| text.parse().ok()).unwrap_or(first)
}

/// A stream of whole pages; see [`pages`] for the rules. Useful when the page boundaries matter
/// (progress reports, batch writes).
pub fn page_stream<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<Page<T>>> + Unpin
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    // State: the closure and the cursor to fetch with, or `None` once finished.
    let stream = stream::unfold(Some((fetch, None::<String>)), |state| async move {
        let (mut fetch, cursor) = state?;
        match fetch(cursor.clone()).await {
            Err(error) => Some((Err(error), None)),
            Ok(page) => {
                // A next cursor equal to the one just used would fetch the same page forever.
                let next = page
                    .next
                    .clone()
                    .filter(|next| cursor.as_ref() != Some(next));
                let state = next.map(|next| (fetch, Some(next)));
                Some((Ok(page), state))
            }
        }
    });
    Box::pin(stream)
}

/// A stream of items over all pages.
///
/// `fetch` is called with `None` for the first page, then with each page's [`Page::next`]
/// cursor, lazily: the next page is fetched when the items of the previous one are consumed.
/// The stream ends after a page without a next cursor (or whose next cursor is the one it was
/// fetched with, which would loop), or after yielding the first error. It is `Unpin`, so
/// [`StreamExt::next`](futures::StreamExt::next) works on it directly.
pub fn pages<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T>> + Unpin
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    page_stream(fetch)
        .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
        .try_flatten()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Error;
    use futures::StreamExt;
    use futures::executor::block_on;

    #[test]
    fn relay_and_numbered_pages() {
        assert_eq!(
            Page::relay(vec![1], true, Some("c".into())).next,
            Some("c".into())
        );
        assert_eq!(Page::relay(vec![1], false, Some("c".into())).next, None);
        assert_eq!(Page::numbered(vec![1], 2, true).next, Some("3".into()));
        assert_eq!(Page::numbered(vec![1], 2, false).next, None);
        assert_eq!(page_number(None, 1), 1);
        assert_eq!(page_number(Some("3"), 1), 3);
        assert_eq!(page_number(Some("x"), 0), 0);
        assert_eq!(Page::<u8>::last(vec![]).next, None);
    }

    #[test]
    fn numbered_pages_stream_in_order() {
        let mut calls = Vec::new();
        let items: Vec<u32> = block_on(
            pages(|cursor| {
                calls.push(cursor.clone());
                let page = page_number(cursor.as_deref(), 1);
                async move {
                    Ok(Page::numbered(
                        vec![page * 10, page * 10 + 1],
                        page,
                        page < 3,
                    ))
                }
            })
            .try_collect(),
        )
        .unwrap();
        assert_eq!(items, vec![10, 11, 20, 21, 30, 31]);
        assert_eq!(calls, vec![None, Some("2".into()), Some("3".into())]);
    }

    #[test]
    fn error_ends_the_stream() {
        let results: Vec<Result<u8>> = block_on(
            pages(|cursor| async move {
                match cursor {
                    None => Ok(Page::new(vec![1], Some("a".into()))),
                    Some(_) => Err(Error::no_data()),
                }
            })
            .collect(),
        );
        assert_eq!(results.len(), 2);
        assert!(matches!(results[0], Ok(1)));
        assert!(matches!(results[1], Err(Error::NoData { .. })));
    }

    #[test]
    fn repeated_cursor_and_empty_pages() {
        let mut calls = 0;
        let items: Vec<u8> = block_on(
            pages(|_| {
                calls += 1;
                async { Ok(Page::new(vec![7], Some("same".into()))) }
            })
            .try_collect(),
        )
        .unwrap();
        assert_eq!(items, vec![7, 7]);
        assert_eq!(calls, 2);
        // Empty pages in the middle are skipped over, not taken for the end.
        let items: Vec<u8> = block_on(
            pages(|cursor| async move {
                Ok(match cursor.as_deref() {
                    None => Page::new(vec![], Some("1".into())),
                    Some("1") => Page::new(vec![], Some("2".into())),
                    _ => Page::last(vec![9]),
                })
            })
            .try_collect(),
        )
        .unwrap();
        assert_eq!(items, vec![9]);
        let whole: Vec<Page<u8>> = block_on(
            page_stream(|cursor| async move {
                Ok(if cursor.is_none() {
                    Page::new(vec![1, 2], Some("n".into()))
                } else {
                    Page::last(vec![3])
                })
            })
            .try_collect(),
        )
        .unwrap();
        assert_eq!(whole.len(), 2);
    }
}
