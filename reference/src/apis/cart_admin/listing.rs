//! Listing a tenant's carts: filters on indexed columns, newest update first (ties by id), and
//! keyset pagination with the store's cursors (keys `updated_at`, `id`), so a page costs the
//! same on page 1 and page 10 000.

use shopql_server_stubs::cart_admin as api;
use shopql_server_stubs::{ApiError, ApiResult, Maybe};
use sqlx::AnyConnection;

use crate::apis::shop::carts::columns;
use crate::apis::shop::model::CartRecord;
use crate::apis::shop::view::state_of;
use crate::clock::parse_rfc3339;
use crate::store::page::{KeyKind, KeyVal, decode_cursor, encode_cursor};
use crate::store::sql::{Sql, col};

/// The default page size.
pub(crate) const DEFAULT_PAGE: i32 = 20;
/// The largest page size.
pub(crate) const MAX_PAGE: i32 = 100;

/// A position in the list: the last cart of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cursor {
    /// Its `updated_at`.
    pub updated_at: i64,
    /// Its id.
    pub id: String,
}

/// Names this list in its cursors.
const TAG: &str = "carts";
const KINDS: [KeyKind; 2] = [KeyKind::Int, KeyKind::Text];

impl Cursor {
    /// The opaque text.
    pub(crate) fn encode(&self) -> String {
        encode_cursor(TAG, self.keys())
    }

    fn keys(&self) -> Vec<KeyVal> {
        vec![KeyVal::Int(self.updated_at), KeyVal::Text(self.id.clone())]
    }

    /// Parses the opaque text.
    pub(crate) fn decode(text: &str) -> ApiResult<Self> {
        let mut keys = decode_cursor("after", text, TAG, &KINDS)?.into_iter();
        match (keys.next(), keys.next()) {
            (Some(KeyVal::Int(updated_at)), Some(KeyVal::Text(id))) => Ok(Self { updated_at, id }),
            _ => Err(ApiError::bad_input("`after` is not a cursor of this list")),
        }
    }
}

fn time(value: &Maybe<String>, field: &str) -> ApiResult<Option<i64>> {
    match value {
        Maybe::Value(text) => parse_rfc3339(text).map(Some).ok_or_else(|| {
            ApiError::bad_input(format!(
                "`filter.{field}` `{text}` is not an RFC 3339 date-time"
            ))
        }),
        _ => Ok(None),
    }
}

/// One page of carts and the total that match.
pub(crate) struct Page {
    /// The carts.
    pub carts: Vec<CartRecord>,
    /// True when more follow.
    pub has_next_page: bool,
    /// How many match over all pages; `None` when not asked for.
    pub total: Option<i64>,
}

/// Lists the unexpired carts of `tenant` that match `filter`; counts them all only if `count`
/// (the count scans every match, the page reads `first + 1` rows).
pub(crate) async fn list(
    conn: &mut AnyConnection,
    tenant: &str,
    filter: Option<&api::CartFilterInput>,
    first: Option<i32>,
    after: Option<&str>,
    now_ms: i64,
    count: bool,
) -> ApiResult<Page> {
    let first = first.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(ApiError::bad_input(format!(
            "`first` must be from 1 to {MAX_PAGE}, not {first}"
        )));
    }
    let cursor = after.map(Cursor::decode).transpose()?;
    let mut filters = Sql::new("tenant = ");
    filters.arg(tenant).push(" AND expires_at > ").arg(now_ms);
    if let Some(f) = filter {
        if let Maybe::Value(state) = f.state {
            filters.push(" AND state = ").arg(state_of(state).as_str());
        }
        if let Some(t) = time(&f.updated_after, "updatedAfter")? {
            filters.push(" AND updated_at >= ").arg(t);
        }
        if let Some(t) = time(&f.updated_before, "updatedBefore")? {
            filters.push(" AND updated_at < ").arg(t);
        }
        if let Maybe::Value(c) = &f.customer_identifier {
            filters.push(" AND customer_identifier = ").arg(c.as_str());
        }
        match f.has_items {
            Maybe::Value(true) => filters.push(" AND item_count > 0"),
            Maybe::Value(false) => filters.push(" AND item_count = 0"),
            _ => &mut filters,
        };
    }

    let total = if count {
        let row = Sql::new("SELECT COUNT(*) AS n FROM shop_carts WHERE ")
            .concat(&filters)
            .fetch_optional(&mut *conn)
            .await?;
        Some(row.map(|r| col(&r, "n")).transpose()?.unwrap_or(0))
    } else {
        None
    };

    let mut page =
        Sql::new(&format!("SELECT {} FROM shop_carts WHERE ", columns())).concat(&filters);
    if let Some(c) = &cursor {
        page.push(" AND (updated_at < ")
            .arg(c.updated_at)
            .push(" OR (updated_at = ")
            .arg(c.updated_at)
            .push(" AND id < ")
            .arg(c.id.as_str())
            .push("))");
    }
    page.push(&format!(
        " ORDER BY updated_at DESC, id DESC LIMIT {}",
        i64::from(first) + 1
    ));
    let mut carts: Vec<CartRecord> = page.fetch_all_as(&mut *conn).await?;
    let has_next_page = carts.len() > first as usize;
    carts.truncate(first as usize);
    Ok(Page {
        carts,
        has_next_page,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let c = Cursor {
            updated_at: 1_795_000_000_123,
            id: "00000000-0000-4000-8000-000000000001".into(),
        };
        assert_eq!(Cursor::decode(&c.encode()).ok(), Some(c.clone()));
        assert!(Cursor::decode("!!").is_err());
        assert!(Cursor::decode(&encode_cursor(TAG, vec![KeyVal::Int(1)])).is_err());
        assert!(Cursor::decode(&encode_cursor("adverts", c.keys())).is_err());
    }
}
