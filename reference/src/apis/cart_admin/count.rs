//! The exact `totalCount` of a cart listing, at a cost that does not grow with the tenant.
//!
//! Triggers on `shop_carts` (migration `0630_shop_cart_counts`) keep how many carts there are per
//! tenant, state and emptiness in each UTC day and each hour of `updated_at`, and per customer in
//! each day. A count splits its `updatedAfter`/`updatedBefore` range into whole days, whole hours
//! at the edges of those, and partial hours at the very edges: it adds the counters of the whole
//! buckets, counts the rows of the partial hours, and takes away the expired carts in the range
//! that the sweep has not deleted yet (the counters hold every stored cart, a listing only
//! unexpired ones; the `expires_at` index finds those few). All in one statement, so the parts
//! see one snapshot.

use sqlx::AnyConnection;

use shopql_server_stubs::ApiResult;

use super::listing::Filter;
use crate::store::sql::Sql;

/// A UTC day, ms.
const DAY_MS: i64 = 86_400_000;
/// An hour, ms.
const HOUR_MS: i64 = 3_600_000;

/// The bucket lengths of the tenant counters, longest first.
const TENANT_SPANS: [i64; 2] = [DAY_MS, HOUR_MS];
/// The bucket lengths of the customer counters (a customer's carts in a day are few).
const CUSTOMER_SPANS: [i64; 1] = [DAY_MS];

/// Whole buckets of one length: `bucket` numbers `from..until` (either end open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Buckets {
    span: i64,
    from: Option<i64>,
    until: Option<i64>,
}

/// How a time range splits into counted buckets and partial edges whose rows are counted.
#[derive(Debug, Default, PartialEq, Eq)]
struct Cover {
    buckets: Vec<Buckets>,
    /// `[from, until)` ranges of `updated_at`, either end open.
    edges: Vec<(Option<i64>, Option<i64>)>,
}

impl Cover {
    /// Covers `[after, before)` with the longest whole buckets of `spans` (longest first), and
    /// what is left with rows.
    fn of(after: Option<i64>, before: Option<i64>, spans: &[i64]) -> Self {
        let mut cover = Self::default();
        cover.split(after, before, spans);
        cover
    }

    fn split(&mut self, after: Option<i64>, before: Option<i64>, spans: &[i64]) {
        if let (Some(a), Some(b)) = (after, before)
            && a >= b
        {
            return;
        }
        let Some((&span, shorter)) = spans.split_first() else {
            self.edges.push((after, before));
            return;
        };
        // The first bucket that starts at or after `after`, and the one `before` falls in.
        let from = after.map(|a| a.div_euclid(span) + i64::from(a.rem_euclid(span) != 0));
        let until = before.map(|b| b.div_euclid(span));
        if let (Some(f), Some(u)) = (from, until)
            && f >= u
        {
            self.split(after, before, shorter);
            return;
        }
        self.buckets.push(Buckets { span, from, until });
        if let Some(f) = from {
            self.split(after, Some(f * span), shorter);
        }
        if let Some(u) = until {
            self.split(Some(u * span), before, shorter);
        }
    }
}

/// How many unexpired carts match `filter` at `now_ms`.
pub(crate) async fn count(
    conn: &mut AnyConnection,
    filter: &Filter,
    now_ms: i64,
) -> ApiResult<i64> {
    let (table, spans, bucket): (_, &[i64], _) = match filter.customer {
        Some(_) => ("shop_cart_customer_counts", &CUSTOMER_SPANS, "day"),
        None => ("shop_cart_counts", &TENANT_SPANS, "bucket"),
    };
    let cover = Cover::of(filter.updated_after, filter.updated_before, spans);
    let mut sql = Sql::new("SELECT CAST(0");
    for b in &cover.buckets {
        sql.push(&format!(
            " + (SELECT COALESCE(SUM(n), 0) FROM {table} WHERE tenant = "
        ))
        .arg(filter.tenant.as_str());
        if let Some(c) = &filter.customer {
            sql.push(" AND customer_identifier = ").arg(c.as_str());
        } else {
            sql.push(" AND span = ").arg(b.span);
        }
        if let Some(state) = filter.state {
            sql.push(" AND state = ").arg(state);
        }
        if let Some(has) = filter.has_items {
            sql.push(" AND has_items = ").arg(i64::from(has));
        }
        sql.in_range(bucket, b.from, b.until).push(")");
    }
    for (from, until) in &cover.edges {
        sql.push(" + (SELECT COUNT(*) FROM shop_carts WHERE ");
        filter.push_conditions(&mut sql, true);
        sql.in_range("updated_at", *from, *until).push(")");
    }
    // Buckets and edges hold expired carts too.
    sql.push(" - (SELECT COUNT(*) FROM shop_carts WHERE expires_at <= ")
        .arg(now_ms)
        .push(" AND ");
    filter.push_conditions(&mut sql, false);
    sql.push(") AS BIGINT) AS n");
    sql.fetch_n(&mut *conn).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: i64 = DAY_MS;
    const H: i64 = HOUR_MS;

    fn days(from: Option<i64>, until: Option<i64>) -> Buckets {
        Buckets {
            span: D,
            from,
            until,
        }
    }

    fn hours(from: i64, until: i64) -> Buckets {
        Buckets {
            span: H,
            from: Some(from),
            until: Some(until),
        }
    }

    #[test]
    fn a_range_is_whole_days_then_whole_hours_then_rows() {
        // Open ends: every day on that side, nothing left over.
        assert_eq!(
            Cover::of(None, None, &TENANT_SPANS),
            Cover {
                buckets: vec![days(None, None)],
                edges: vec![],
            }
        );
        // Midnight to midnight: two whole days.
        assert_eq!(
            Cover::of(Some(10 * D), Some(12 * D), &TENANT_SPANS).buckets,
            vec![days(Some(10), Some(12))]
        );
        // Up to 05:30 on day 12: days to 12, hours 0-4 of day 12, then 30 minutes of rows.
        assert_eq!(
            Cover::of(None, Some(12 * D + 5 * H + H / 2), &TENANT_SPANS),
            Cover {
                buckets: vec![days(None, Some(12)), hours(12 * 24, 12 * 24 + 5)],
                edges: vec![(Some(12 * D + 5 * H), Some(12 * D + 5 * H + H / 2))],
            }
        );
        // From 22:59:59.999 on day 9: a ms of rows, the hour 23, then whole days.
        assert_eq!(
            Cover::of(Some(10 * D - H - 1), None, &TENANT_SPANS),
            Cover {
                buckets: vec![days(Some(10), None), hours(10 * 24 - 1, 10 * 24)],
                edges: vec![(Some(10 * D - H - 1), Some(10 * D - H))],
            }
        );
        // Inside one hour: rows only; an empty or reversed range: nothing.
        assert_eq!(
            Cover::of(Some(10 * D + 1), Some(10 * D + 5), &TENANT_SPANS).edges,
            vec![(Some(10 * D + 1), Some(10 * D + 5))]
        );
        assert_eq!(
            Cover::of(Some(12 * D), Some(10 * D), &TENANT_SPANS),
            Cover::default()
        );
        // Customers count days only: the partial days are rows.
        assert_eq!(
            Cover::of(Some(10 * D + H), Some(12 * D + H), &CUSTOMER_SPANS),
            Cover {
                buckets: vec![days(Some(11), Some(12))],
                edges: vec![
                    (Some(10 * D + H), Some(11 * D)),
                    (Some(12 * D), Some(12 * D + H))
                ],
            }
        );
    }
}
