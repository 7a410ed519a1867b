//! The usage API's resolver trait, implemented on the store.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use shopql_server_stubs::usage::{self as api, UsageResolvers};
use shopql_server_stubs::{ApiError, ApiResult, FieldContext};

use crate::apis::shop::auth::{SCOPES, principal};
use crate::apis::shop::counters::{CART_EVENTS, CartEvent, counters};
use crate::state::AppState;

/// The longest report: 366 days.
pub(crate) const MAX_DAYS: i64 = 366;

/// The usage endpoint's resolvers.
#[derive(Clone)]
pub(crate) struct UsageApi {
    pub(crate) state: AppState,
}

fn date(text: &str, field: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::bad_input(format!(
            "`{field}` must be a date such as 2026-11-22, not `{text}`"
        ))
    })
}

fn clamp(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One day's counts: per API, (requests, per operation); and cart events.
#[derive(Default)]
struct DayCounts {
    apis: BTreeMap<String, (i64, BTreeMap<String, i64>)>,
    events: BTreeMap<String, i64>,
}

#[shopql_server_stubs::async_trait::async_trait]
impl UsageResolvers for UsageApi {
    async fn usage(
        &self,
        ctx: &FieldContext<'_>,
        from: api::Date,
        to: api::Date,
        api_filter: Option<String>,
    ) -> ApiResult<api::UsageReport> {
        let tenant = principal(ctx)?.tenant.clone();
        let first = date(&from, "from")?;
        let last = date(&to, "to")?;
        if last < first {
            return Err(ApiError::bad_input("`to` must not be before `from`"));
        }
        if (last - first).num_days() + 1 > MAX_DAYS {
            return Err(ApiError::bad_input(format!(
                "a report covers at most {MAX_DAYS} days"
            )));
        }
        if let Some(a) = &api_filter
            && !SCOPES.contains(&a.as_str())
        {
            return Err(ApiError::bad_input(format!(
                "unknown api `{a}`: use one of {}",
                SCOPES.join(", ")
            )));
        }
        let (from_key, to_key) = (
            first.format("%Y-%m-%d").to_string(),
            last.format("%Y-%m-%d").to_string(),
        );
        let node = counters(&self.state);
        let mut rows: Vec<(String, String, String, i64)> = {
            let _guard = node.report_guard().await;
            let mut rows: Vec<(String, String, String, i64)> = sqlx::query_as(
                "SELECT day, api, operation, n FROM shop_usage WHERE tenant = $1 AND day >= $2 AND day <= $3",
            )
            .bind(&tenant)
            .bind(&from_key)
            .bind(&to_key)
            .fetch_all(&self.state.store.pool)
            .await?;
            rows.extend(node.pending(&tenant, &from_key, &to_key));
            rows
        };
        let mut by_day: BTreeMap<String, DayCounts> = BTreeMap::new();
        for (day, api_name, operation, n) in rows.drain(..) {
            let d = by_day.entry(day).or_default();
            if api_name == CART_EVENTS {
                *d.events.entry(operation).or_insert(0) += n;
                continue;
            }
            if api_filter.as_deref().is_some_and(|f| f != api_name) {
                continue;
            }
            let entry = d.apis.entry(api_name).or_default();
            if operation.is_empty() {
                entry.0 += n;
            } else {
                *entry.1.entry(operation).or_insert(0) += n;
            }
        }
        let mut days = Vec::new();
        let mut total = api::UsageTotals::default();
        let mut day = first;
        while day <= last {
            let key = day.format("%Y-%m-%d").to_string();
            let counts = by_day.remove(&key).unwrap_or_default();
            let event = |e: CartEvent| counts.events.get(e.as_str()).copied().unwrap_or(0);
            let apis: Vec<api::ApiUsage> = counts
                .apis
                .iter()
                .filter(|(_, (requests, _))| *requests > 0)
                .map(|(name, (requests, ops))| api::ApiUsage {
                    api: name.clone(),
                    requests: clamp(*requests),
                    operations: ops
                        .iter()
                        .map(|(op, n)| api::OperationUsage {
                            operation: op.clone(),
                            requests: clamp(*n),
                        })
                        .collect(),
                })
                .collect();
            let requests: i64 = counts.apis.values().map(|(r, _)| *r).sum();
            let row = api::UsageDay {
                date: key,
                requests: clamp(requests),
                apis,
                carts_hydrated: clamp(event(CartEvent::Hydrated)),
                carts_placed: clamp(event(CartEvent::Placed)),
                carts_paid: clamp(event(CartEvent::Paid)),
            };
            total.requests = total.requests.saturating_add(row.requests);
            total.carts_hydrated = total.carts_hydrated.saturating_add(row.carts_hydrated);
            total.carts_placed = total.carts_placed.saturating_add(row.carts_placed);
            total.carts_paid = total.carts_paid.saturating_add(row.carts_paid);
            days.push(row);
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        Ok(api::UsageReport {
            tenant,
            from,
            to,
            days,
            total,
        })
    }
}
