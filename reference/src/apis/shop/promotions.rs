//! Promotions of a tenant: stored as the pricing engine's `Promotion` (JSON), checked and
//! converted from `PromotionInput`, shown as `Promotion`.

use shopql_server_stubs::cart_admin as api;
use shopql_server_stubs::{ApiError, ApiResult, Maybe};
use sqlx::AnyConnection;

use super::view::{mechanism, mechanism_kind};
use crate::apis::optional;
use crate::clock::{parse_rfc3339, rfc3339};
use crate::domain::money::{from_wire_float, to_wire_float};
use crate::domain::pricing::{Mechanism, Period, Promotion};
use crate::store::sql::Sql;

/// Every promotion of `tenant`, by identifier.
pub(crate) async fn load_all(conn: &mut AnyConnection, tenant: &str) -> ApiResult<Vec<Promotion>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT data FROM shop_promotions WHERE tenant = $1 ORDER BY identifier")
            .bind(tenant)
            .fetch_all(conn)
            .await?;
    rows.iter()
        .map(|(data,)| {
            serde_json::from_str(data)
                .map_err(|e| ApiError::internal(format!("promotion json: {e}")))
        })
        .collect()
}

/// Creates or replaces promotions (by identifier).
pub(crate) async fn upsert(
    conn: &mut AnyConnection,
    tenant: &str,
    promotions: &[Promotion],
    now_ms: i64,
) -> ApiResult<()> {
    for p in promotions {
        let data = serde_json::to_string(p)
            .map_err(|e| ApiError::internal(format!("promotion json: {e}")))?;
        sqlx::query(
            "INSERT INTO shop_promotions (tenant, identifier, data, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant, identifier) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        )
        .bind(tenant)
        .bind(&p.identifier)
        .bind(data)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Removes promotions by identifier; returns how many existed.
pub(crate) async fn remove(
    conn: &mut AnyConnection,
    tenant: &str,
    identifiers: &[String],
) -> ApiResult<u64> {
    let mut sql = Sql::new("DELETE FROM shop_promotions WHERE tenant = ");
    sql.arg(tenant)
        .push(" AND identifier IN ")
        .list(identifiers);
    sql.execute(conn).await
}

fn time(value: &Maybe<String>, field: &str, id: &str) -> ApiResult<Option<i64>> {
    optional(value, |text| {
        parse_rfc3339(text).ok_or_else(|| {
            ApiError::bad_input(format!(
                "promotion `{id}`: `{field}` `{text}` is not an RFC 3339 date-time"
            ))
        })
    })
}

/// A SKU list; empty or absent means none.
fn skus(list: Option<&Maybe<Vec<String>>>) -> Option<Vec<String>> {
    let list: Vec<String> = list?
        .as_option()?
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    (!list.is_empty()).then_some(list)
}

fn texts(list: Option<&Maybe<Vec<String>>>) -> Vec<String> {
    skus(list).unwrap_or_default()
}

/// Checks and converts one `PromotionInput`.
pub(crate) fn from_input(input: &api::PromotionInput) -> ApiResult<Promotion> {
    let id = input.identifier.as_str();
    let periods = input.periods.as_option().into_iter().flatten();
    let periods = periods
        .map(|p| {
            Ok(Period {
                start_ms: time(&p.start, "start", id)?,
                end_ms: time(&p.end, "end", id)?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let kind = mechanism_kind(input.mechanism.r#type);
    let value = from_wire_float(input.mechanism.value).ok_or_else(|| {
        ApiError::bad_input(format!(
            "promotion `{id}`: the mechanism value {} is not a number",
            input.mechanism.value
        ))
    })?;
    let conditions = input.conditions.as_option();
    let promotion = Promotion {
        identifier: input.identifier.clone(),
        name: input.name.as_option().cloned(),
        periods,
        triggers: skus(input.triggers.as_option().map(|t| &t.skus)),
        targets: skus(input.targets.as_option().map(|t| &t.skus)),
        mechanism: Mechanism { kind, value },
        repeatable: input
            .limitations
            .as_option()
            .and_then(|l| l.repeatable.as_option().copied())
            .unwrap_or(false),
        voucher_codes: texts(conditions.map(|c| &c.voucher_codes)),
        customer_groups: texts(conditions.map(|c| &c.customer_groups)),
    };
    promotion.validate().map_err(ApiError::bad_input)?;
    Ok(promotion)
}

/// The `Promotion` of a stored promotion.
pub(crate) fn to_api(p: &Promotion) -> api::Promotion {
    let has_conditions = !p.voucher_codes.is_empty() || !p.customer_groups.is_empty();
    api::Promotion {
        identifier: p.identifier.clone(),
        name: p.name.clone(),
        periods: p
            .periods
            .iter()
            .map(|x| api::Period {
                start: x.start_ms.map(rfc3339),
                end: x.end_ms.map(rfc3339),
            })
            .collect(),
        triggers: p
            .triggers
            .as_ref()
            .map(|skus| api::PromotionTriggers { skus: skus.clone() }),
        targets: p
            .targets
            .as_ref()
            .map(|skus| api::PromotionTargets { skus: skus.clone() }),
        mechanism: api::Mechanism {
            r#type: Some(mechanism(p.mechanism.kind)),
            value: Some(to_wire_float(p.mechanism.value)),
        },
        limitations: api::PromotionLimitations {
            repeatable: p.repeatable,
        },
        conditions: has_conditions.then(|| api::PromotionConditions {
            voucher_codes: p.voucher_codes.clone(),
            customer_groups: p.customer_groups.clone(),
        }),
    }
}
