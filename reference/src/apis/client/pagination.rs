//! `PaginationInput` → a checked page request, and the `Pagination` object back.
//!
//! Defaults: page 1, limit 20, sort "created", order -1. Errors (BAD_USER_INPUT): a limit
//! outside 1..100, a page below 1, an order other than 1/-1, an unknown sort key.

use shopql_server_stubs::client::{Pagination, PaginationInput};
use shopql_server_stubs::{ApiError, ApiResult, Maybe};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

/// Largest page size.
pub(crate) const MAX_LIMIT: i64 = 100;
/// Page size when none is given.
pub(crate) const DEFAULT_LIMIT: i64 = 20;

/// A checked page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageRequest {
    /// Page number, from 1.
    pub page: i64,
    /// Page size, 1..=100.
    pub limit: i64,
    /// The sort key as given (shown back in `Pagination.sort`).
    pub sort: String,
    /// 1 ascending, -1 descending.
    pub order: i32,
}

impl PageRequest {
    /// Rows to skip.
    pub(crate) fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.limit)
    }

    /// `ASC` or `DESC`.
    pub(crate) fn direction(&self) -> &'static str {
        if self.order == 1 { "ASC" } else { "DESC" }
    }

    /// How many pages `count` entries fill (0 for none).
    pub(crate) fn pages(&self, count: i64) -> i64 {
        (count + self.limit - 1) / self.limit
    }

    /// The `Pagination` object for a result of `count` entries.
    pub(crate) fn pagination(&self, count: i64, has_more: bool) -> Pagination {
        Pagination {
            limit: Some(clamp_i32(self.limit)),
            count: Some(clamp_i32(count)),
            page: Some(clamp_i32(self.page)),
            pages: Some(clamp_i32(self.pages(count))),
            sort: Some(self.sort.clone()),
            order: Some(self.order),
            has_more: Some(has_more),
        }
    }
}

/// A page of the rows a customer owns in a store: `columns` of `table` (aliased `alias`) where
/// `alias.customer_id` and `alias.store_id` match, sorted by `sort` then `alias.id`; with the
/// `Pagination` of the page (each row is one entry of the answer).
pub(crate) async fn customer_rows(
    conn: &mut AnyConnection,
    (table, alias, columns): (&str, &str, &str),
    (customer, store): (&str, &str),
    sort: &str,
    page: &PageRequest,
) -> ApiResult<(Pagination, Vec<AnyRow>)> {
    let count: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM {table} WHERE customer_id = $1 AND store_id = $2"
    ))
    .bind(customer)
    .bind(store)
    .fetch_one(&mut *conn)
    .await?;
    let dir = page.direction();
    let rows = sqlx::query(&format!(
        "SELECT {columns} FROM {table} {alias} WHERE {alias}.customer_id = $1 \
         AND {alias}.store_id = $2 ORDER BY {sort} {dir}, {alias}.id {dir} LIMIT $3 OFFSET $4"
    ))
    .bind(customer)
    .bind(store)
    .bind(page.limit)
    .bind(page.offset())
    .fetch_all(&mut *conn)
    .await?;
    let has_more = page.offset() + i64::try_from(rows.len()).unwrap_or(0) < count;
    Ok((page.pagination(count, has_more), rows))
}

/// An `i64` shown as a GraphQL `Int`.
pub(crate) fn clamp_i32(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX })
}

/// Checks `input` against the sort keys `sorts` allows.
pub(crate) fn parse(input: Option<&PaginationInput>, sorts: &[&str]) -> ApiResult<PageRequest> {
    let default = PaginationInput::default();
    let input = input.unwrap_or(&default);
    let limit = input
        .limit
        .as_option()
        .map_or(DEFAULT_LIMIT, |l| i64::from(*l));
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_input(format!(
            "`pagination.limit` must be between 1 and {MAX_LIMIT}; got {limit}"
        ))
        .with_extension("field", "pagination.limit"));
    }
    let page = input.page.as_option().map_or(1, |p| i64::from(*p));
    if page < 1 {
        return Err(
            ApiError::bad_input(format!("`pagination.page` starts at 1; got {page}"))
                .with_extension("field", "pagination.page"),
        );
    }
    let order = input.order.as_option().copied().unwrap_or(-1);
    if order != 1 && order != -1 {
        return Err(ApiError::bad_input(format!(
            "`pagination.order` must be 1 (ascending) or -1 (descending); got {order}"
        ))
        .with_extension("field", "pagination.order"));
    }
    let sort = match &input.sort {
        Maybe::Value(s) if !s.trim().is_empty() => s.trim().to_string(),
        _ => "created".to_string(),
    };
    if !sorts.contains(&sort.as_str()) {
        let shown: String = sort.chars().take(50).collect();
        return Err(ApiError::bad_input(format!(
            "unknown `pagination.sort` \"{shown}\": use one of {}",
            sorts
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .with_extension("field", "pagination.sort"));
    }
    Ok(PageRequest {
        page,
        limit,
        sort,
        order,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(limit: i32, page: i32, sort: &str, order: i32) -> PaginationInput {
        PaginationInput {
            limit: Maybe::Value(limit),
            page: Maybe::Value(page),
            sort: Maybe::Value(sort.into()),
            order: Maybe::Value(order),
        }
    }

    #[test]
    fn defaults_and_checks() -> ApiResult<()> {
        let d = parse(None, &["created"])?;
        assert_eq!(
            d,
            PageRequest {
                page: 1,
                limit: 20,
                sort: "created".into(),
                order: -1
            }
        );
        let p = parse(Some(&input(5, 3, "title", 1)), &["created", "title"])?;
        assert_eq!(p.offset(), 10);
        assert_eq!(p.direction(), "ASC");
        for bad in [
            input(0, 1, "created", 1),
            input(101, 1, "created", 1),
            input(5, 0, "created", 1),
            input(5, 1, "created", 2),
            input(5, 1, "colour", 1),
        ] {
            assert!(parse(Some(&bad), &["created"]).is_err(), "{bad:?}");
        }
        Ok(())
    }

    #[test]
    fn pagination_object() {
        let p = PageRequest {
            page: 2,
            limit: 5,
            sort: "created".into(),
            order: 1,
        };
        let out = p.pagination(11, true);
        assert_eq!(out.pages, Some(3));
        assert_eq!(out.count, Some(11));
        assert_eq!(out.has_more, Some(true));
        assert_eq!(p.pagination(0, false).pages, Some(0));
    }
}
