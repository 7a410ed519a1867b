//! Listing a tenant's carts: filters on indexed columns, newest update first (ties by id), and
//! keyset pagination with the store's cursors (keys `updated_at`, `id`), so a page costs the
//! same on page 1 and page 10 000.

use shopql_server_stubs::cart_admin as api;
use shopql_server_stubs::{ApiError, ApiResult, Maybe};
use sqlx::AnyConnection;

use super::count;
use crate::apis::optional;
use crate::apis::shop::carts::columns;
use crate::apis::shop::model::CartRecord;
use crate::apis::shop::view::state_of;
use crate::clock::parse_rfc3339;
use crate::store::page::{KeyKind, KeyVal, decode_cursor, encode_cursor};
use crate::store::sql::Sql;

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
    optional(value, |text| {
        parse_rfc3339(text).ok_or_else(|| {
            ApiError::bad_input(format!(
                "`filter.{field}` `{text}` is not an RFC 3339 date-time"
            ))
        })
    })
}

/// A checked `CartFilterInput` of one tenant: the listing and its count read the same one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    /// The tenant's carts only.
    pub tenant: String,
    /// `state`, as stored.
    pub state: Option<&'static str>,
    /// `updatedAfter` (inclusive), ms.
    pub updated_after: Option<i64>,
    /// `updatedBefore` (exclusive), ms.
    pub updated_before: Option<i64>,
    /// `customerIdentifier`.
    pub customer: Option<String>,
    /// `hasItems`.
    pub has_items: Option<bool>,
}

impl Filter {
    /// Checks `input` (bad dates are `BAD_USER_INPUT`).
    pub(crate) fn new(tenant: &str, input: Option<&api::CartFilterInput>) -> ApiResult<Self> {
        let tenant = tenant.to_string();
        let Some(f) = input else {
            return Ok(Self {
                tenant,
                ..Self::default()
            });
        };
        Ok(Self {
            tenant,
            state: f.state.as_option().map(|s| state_of(*s).as_str()),
            updated_after: time(&f.updated_after, "updatedAfter")?,
            updated_before: time(&f.updated_before, "updatedBefore")?,
            customer: f.customer_identifier.as_option().cloned(),
            has_items: f.has_items.as_option().copied(),
        })
    }

    /// Appends the conditions (joined by `AND`, no leading one) on `shop_carts` columns. With
    /// `indexed` false each column is wrapped (`tenant || ''`, `updated_at + 0`) so the planner
    /// cannot use it to pick an index: the count's expired-cart correction must walk the
    /// `expires_at` index, which holds few rows, not a listing index that holds them all.
    pub(crate) fn push_conditions(&self, sql: &mut Sql, indexed: bool) {
        let (text, int) = if indexed {
            ("", "")
        } else {
            (" || ''", " + 0")
        };
        sql.push(&format!("tenant{text} = "))
            .arg(self.tenant.as_str());
        if let Some(state) = self.state {
            sql.push(&format!(" AND state{text} = ")).arg(state);
        }
        let updated_at = format!("updated_at{int}");
        sql.in_range(&updated_at, self.updated_after, self.updated_before);
        if let Some(c) = &self.customer {
            sql.push(&format!(" AND customer_identifier{text} = "))
                .arg(c.as_str());
        }
        match self.has_items {
            Some(true) => sql.push(&format!(" AND item_count{int} > 0")),
            Some(false) => sql.push(&format!(" AND item_count{int} = 0")),
            None => sql,
        };
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

/// Lists the unexpired carts that match `filter`; counts them all only if `with_total` (from the
/// per-day counters, see [`count::count`]; the page reads `first + 1` rows).
pub(crate) async fn list(
    conn: &mut AnyConnection,
    filter: &Filter,
    first: Option<i32>,
    after: Option<&str>,
    now_ms: i64,
    with_total: bool,
) -> ApiResult<Page> {
    let first = first.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(ApiError::bad_input(format!(
            "`first` must be from 1 to {MAX_PAGE}, not {first}"
        )));
    }
    let cursor = after.map(Cursor::decode).transpose()?;
    let total = if with_total {
        Some(count::count(&mut *conn, filter, now_ms).await?)
    } else {
        None
    };

    let mut page = Sql::new(&format!("SELECT {} FROM shop_carts WHERE ", columns()));
    filter.push_conditions(&mut page, true);
    page.push(" AND expires_at > ").arg(now_ms);
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
