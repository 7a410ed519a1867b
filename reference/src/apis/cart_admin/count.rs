//! The exact `totalCount` of a cart listing, at a cost that does not grow with the tenant.
//!
//! Triggers on `shop_carts` (migration `0630_shop_cart_counts`) keep how many carts there are per
//! tenant, state, emptiness and UTC day of `updated_at`, and the same per customer. A count adds
//! the counters of every whole day its `updatedAfter`/`updatedBefore` range covers, counts rows
//! only in the partial days at the range's edges, and takes away the expired carts of the whole
//! days that the sweep has not deleted yet (the counters hold every stored cart, a listing only
//! unexpired ones). All in one statement, so the parts see one snapshot.

use sqlx::AnyConnection;

use shopql_server_stubs::ApiResult;

use super::listing::Filter;
use crate::store::sql::{Sql, col};

/// A day in ms: the counters' unit of `updated_at`.
const DAY_MS: i64 = 86_400_000;

/// The whole days of a filter: day numbers `from..until` (either end open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WholeDays {
    from: Option<i64>,
    until: Option<i64>,
}

impl WholeDays {
    /// The days that lie entirely in `[after, before)`; `None` when there is none.
    fn of(after: Option<i64>, before: Option<i64>) -> Option<Self> {
        let days = Self {
            // The first day that starts at or after `after`.
            from: after.map(|a| a.div_euclid(DAY_MS) + i64::from(a.rem_euclid(DAY_MS) != 0)),
            // Days before the one `before` falls in end by `before`.
            until: before.map(|b| b.div_euclid(DAY_MS)),
        };
        match (days.from, days.until) {
            (Some(from), Some(until)) if from >= until => None,
            _ => Some(days),
        }
    }

    /// `day >= $from AND day < $until`, as far as each end is set.
    fn push_days(&self, sql: &mut Sql) {
        if let Some(from) = self.from {
            sql.push(" AND day >= ").arg(from);
        }
        if let Some(until) = self.until {
            sql.push(" AND day < ").arg(until);
        }
    }

    /// `updated_at` inside the whole days (`+ 0`: see [`Filter::push_conditions`]).
    fn push_inside(&self, sql: &mut Sql) {
        if let Some(from) = self.from {
            sql.push(" AND updated_at + 0 >= ").arg(from * DAY_MS);
        }
        if let Some(until) = self.until {
            sql.push(" AND updated_at + 0 < ").arg(until * DAY_MS);
        }
    }
}

/// How many unexpired carts match `filter` at `now_ms`.
pub(crate) async fn count(
    conn: &mut AnyConnection,
    filter: &Filter,
    now_ms: i64,
) -> ApiResult<i64> {
    let rows = |sql: &mut Sql| {
        sql.push("(SELECT COUNT(*) FROM shop_carts WHERE ");
        filter.push_conditions(sql, true);
        sql.push(" AND expires_at > ").arg(now_ms);
    };
    let mut sql = Sql::new("SELECT CAST(");
    match WholeDays::of(filter.updated_after, filter.updated_before) {
        // A range inside one day: its rows are few.
        None => {
            rows(&mut sql);
            sql.push(")");
        }
        Some(days) => {
            // The counters of the whole days.
            let (table, customer) = match &filter.customer {
                Some(c) => ("shop_cart_customer_counts", Some(c.as_str())),
                None => ("shop_cart_counts", None),
            };
            sql.push(&format!(
                "(SELECT COALESCE(SUM(n), 0) FROM {table} WHERE tenant = "
            ))
            .arg(filter.tenant.as_str());
            if let Some(c) = customer {
                sql.push(" AND customer_identifier = ").arg(c);
            }
            if let Some(state) = filter.state {
                sql.push(" AND state = ").arg(state);
            }
            if let Some(has) = filter.has_items {
                sql.push(" AND has_items = ").arg(i64::from(has));
            }
            days.push_days(&mut sql);
            sql.push(")");
            // The rows of the partial days at each edge.
            if let Some(from) = days.from {
                sql.push(" + ");
                rows(&mut sql);
                sql.push(" AND updated_at < ").arg(from * DAY_MS).push(")");
            }
            if let Some(until) = days.until {
                sql.push(" + ");
                rows(&mut sql);
                sql.push(" AND updated_at >= ")
                    .arg(until * DAY_MS)
                    .push(")");
            }
            // The expired carts the counters still hold: found through the `expires_at` index.
            sql.push(" - (SELECT COUNT(*) FROM shop_carts WHERE expires_at <= ")
                .arg(now_ms)
                .push(" AND ");
            filter.push_conditions(&mut sql, false);
            days.push_inside(&mut sql);
            sql.push(")");
        }
    }
    sql.push(" AS BIGINT) AS n");
    let row = sql.fetch_optional(&mut *conn).await?;
    Ok(row.map(|r| col(&r, "n")).transpose()?.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_days_are_the_days_inside_the_range() {
        let d = DAY_MS;
        // Open ends: every day on that side.
        assert_eq!(
            WholeDays::of(None, None),
            Some(WholeDays {
                from: None,
                until: None
            })
        );
        // Midnight to midnight: both days are whole.
        assert_eq!(
            WholeDays::of(Some(10 * d), Some(12 * d)),
            Some(WholeDays {
                from: Some(10),
                until: Some(12)
            })
        );
        // One ms past midnight: that day is partial, and so is the day `before` falls in.
        assert_eq!(
            WholeDays::of(Some(10 * d + 1), Some(12 * d + 5)),
            Some(WholeDays {
                from: Some(11),
                until: Some(12)
            })
        );
        // Inside one day, or across one midnight only: no whole day.
        assert_eq!(WholeDays::of(Some(10 * d + 1), Some(10 * d + 5)), None);
        assert_eq!(WholeDays::of(Some(10 * d + 1), Some(11 * d + 5)), None);
        // An empty or reversed range has none either.
        assert_eq!(WholeDays::of(Some(12 * d), Some(10 * d)), None);
    }
}
