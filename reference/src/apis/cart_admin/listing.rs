//! Listing a tenant's carts: filters on indexed columns, newest update first (ties by id), and
//! keyset pagination with an opaque cursor (`updated_at:id`, base64url), so a page costs the
//! same on page 1 and page 10 000.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use shopql_server_stubs::cart_admin as api;
use shopql_server_stubs::{ApiError, ApiResult, Maybe};
use sqlx::AnyConnection;

use crate::apis::shop::carts::{columns, from_row};
use crate::apis::shop::model::CartRecord;
use crate::apis::shop::view::state_of;
use crate::clock::parse_rfc3339;
use crate::store::db_error;

/// The default page size.
pub const DEFAULT_PAGE: i32 = 20;
/// The largest page size.
pub const MAX_PAGE: i32 = 100;

/// A position in the list: the last cart of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// Its `updated_at`.
    pub updated_at: i64,
    /// Its id.
    pub id: String,
}

impl Cursor {
    /// The opaque text.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.updated_at, self.id))
    }

    /// Parses the opaque text.
    pub fn decode(text: &str) -> ApiResult<Self> {
        let invalid =
            || ApiError::bad_input(format!("`after` is not a cursor of this list: `{text}`"));
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (ms, id) = text.split_once(':').ok_or_else(invalid)?;
        Ok(Self {
            updated_at: ms.parse().map_err(|_| invalid())?,
            id: id.to_string(),
        })
    }
}

enum Arg {
    Int(i64),
    Text(String),
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
pub struct Page {
    /// The carts.
    pub carts: Vec<CartRecord>,
    /// True when more follow.
    pub has_next_page: bool,
    /// How many match over all pages; `None` when not asked for.
    pub total: Option<i64>,
}

/// Lists the unexpired carts of `tenant` that match `filter`; counts them all only if `count`
/// (the count scans every match, the page reads `first + 1` rows).
pub async fn list(
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
    let mut conditions = vec!["tenant = $1".to_string(), "expires_at > $2".to_string()];
    let mut args = vec![Arg::Text(tenant.to_string()), Arg::Int(now_ms)];
    let mut push = |sql: &str, arg: Arg, conditions: &mut Vec<String>| {
        args.push(arg);
        conditions.push(sql.replace('?', &format!("${}", args.len())));
    };
    if let Some(f) = filter {
        if let Maybe::Value(state) = f.state {
            push(
                "state = ?",
                Arg::Text(state_of(state).as_str().into()),
                &mut conditions,
            );
        }
        if let Some(t) = time(&f.updated_after, "updatedAfter")? {
            push("updated_at >= ?", Arg::Int(t), &mut conditions);
        }
        if let Some(t) = time(&f.updated_before, "updatedBefore")? {
            push("updated_at < ?", Arg::Int(t), &mut conditions);
        }
        if let Maybe::Value(c) = &f.customer_identifier {
            push(
                "customer_identifier = ?",
                Arg::Text(c.clone()),
                &mut conditions,
            );
        }
        match f.has_items {
            Maybe::Value(true) => conditions.push("item_count > 0".into()),
            Maybe::Value(false) => conditions.push("item_count = 0".into()),
            _ => {}
        }
    }
    let filter_sql = conditions.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM shop_carts WHERE {filter_sql}");
    let mut page_conditions = conditions.clone();
    let mut page_args_extra = Vec::new();
    if let Some(c) = &cursor {
        let a = args.len() + 1;
        let b = args.len() + 2;
        page_conditions.push(format!(
            "(updated_at < ${a} OR (updated_at = ${a} AND id < ${b}))"
        ));
        page_args_extra.push(Arg::Int(c.updated_at));
        page_args_extra.push(Arg::Text(c.id.clone()));
    }
    let page_sql = format!(
        "SELECT {} FROM shop_carts WHERE {} ORDER BY updated_at DESC, id DESC LIMIT {}",
        columns(),
        page_conditions.join(" AND "),
        i64::from(first) + 1
    );

    let total = if count {
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for a in &args {
            count = match a {
                Arg::Int(i) => count.bind(*i),
                Arg::Text(s) => count.bind(s.clone()),
            };
        }
        Some(count.fetch_one(&mut *conn).await.map_err(db_error)?)
    } else {
        None
    };

    let mut query = sqlx::query(&page_sql);
    for a in args.iter().chain(&page_args_extra) {
        query = match a {
            Arg::Int(i) => query.bind(*i),
            Arg::Text(s) => query.bind(s.clone()),
        };
    }
    let rows = query.fetch_all(&mut *conn).await.map_err(db_error)?;
    let mut carts = rows.iter().map(from_row).collect::<ApiResult<Vec<_>>>()?;
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
        assert_eq!(Cursor::decode(&c.encode()).ok(), Some(c));
        assert!(Cursor::decode("!!").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("x:y")).is_err());
    }
}
