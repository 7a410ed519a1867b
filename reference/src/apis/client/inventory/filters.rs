//! `InventoryFiltersInput` → a SQL `WHERE` over `client_items i`.
//!
//! Each filter becomes one indexed condition: facet values through `client_item_tags`
//! (primary key `(item_id, kind, value_key)`), listing properties through `client_listings`
//! (index `(item_id, stock)`), price and dates through columns of the item. Null, empty
//! strings and empty lists mean "no restriction"; list filters match any of their values;
//! filters combine with AND; text matches case-insensitively.

use shopql_server_stubs::client::InventoryFiltersInput;
use shopql_server_stubs::{ApiError, ApiResult, Maybe};

use crate::clock::parse_rfc3339;
use crate::store::sql::{Arg, Sql};

/// Most values one list filter may hold.
pub(crate) const MAX_VALUES: usize = 100;
/// Longest `text` filter, in characters.
pub(crate) const MAX_TEXT: usize = 200;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// The stock filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StockFilter {
    /// Any.
    All,
    /// Items with a listing in stock.
    InStock,
    /// Items without a listing in stock.
    OutOfStock,
}

/// Parses `stock`: "inStock"/"outOfStock"/"all" in any case, null or empty for any.
pub(crate) fn stock_filter(value: Option<&str>) -> ApiResult<StockFilter> {
    let v = value
        .map(str::trim)
        .unwrap_or_default()
        .to_ascii_lowercase();
    match v.as_str() {
        "" | "all" => Ok(StockFilter::All),
        "instock" | "in_stock" | "in-stock" => Ok(StockFilter::InStock),
        "outofstock" | "out_of_stock" | "out-of-stock" => Ok(StockFilter::OutOfStock),
        _ => Err(bad_filter(
            "stock",
            "must be \"inStock\", \"outOfStock\" or \"all\"",
        )),
    }
}

/// Parses a `from`/`to` bound: ms since the epoch as digits, an RFC 3339 time, or a date
/// (`end_of_day` makes a bare date mean its last millisecond, for `to`).
pub(crate) fn time_bound(field: &str, text: &str, end_of_day: bool) -> ApiResult<i64> {
    let t = text.trim();
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        return t.parse::<i64>().map_err(|_| bad_time(field));
    }
    let ms = parse_rfc3339(t).ok_or_else(|| bad_time(field))?;
    let date_only = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok();
    Ok(if end_of_day && date_only {
        ms + DAY_MS - 1
    } else {
        ms
    })
}

fn bad_time(field: &str) -> ApiError {
    let problem =
        "must be an ISO 8601 date or time (e.g. \"2025-01-31\") or ms since the epoch as digits";
    bad_filter(field, problem)
}

/// The error for `filters.{field}`: "`filters.{field}` {problem}", naming the field.
fn bad_filter(field: &str, problem: impl std::fmt::Display) -> ApiError {
    ApiError::bad_input(format!("`filters.{field}` {problem}"))
        .with_extension("field", format!("filters.{field}"))
}

fn texts(field: &str, value: &Maybe<Vec<Option<String>>>) -> ApiResult<Vec<String>> {
    let list = value.as_option().into_iter().flatten().flatten();
    let list = list
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    limit(field, list.collect())
}

fn limit<T>(field: &str, list: Vec<T>) -> ApiResult<Vec<T>> {
    if list.len() > MAX_VALUES {
        let problem = format!(
            "holds {} values; at most {MAX_VALUES} are allowed",
            list.len()
        );
        return Err(bad_filter(field, problem));
    }
    Ok(list)
}

fn whole_numbers(field: &str, value: &Maybe<Vec<Option<f64>>>) -> ApiResult<Vec<String>> {
    let mut out = Vec::new();
    for v in value.as_option().into_iter().flatten().flatten() {
        if !v.is_finite() || v.fract() != 0.0 {
            let problem = format!("holds {v}, which is not a whole number");
            return Err(bad_filter(field, problem));
        }
        out.push(format!("{}", *v as i64));
    }
    limit(field, out)
}

/// Appends ` AND EXISTS (tag of kind with one of values)`.
fn tag(sql: &mut Sql, kind: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    sql.push(" AND EXISTS (SELECT 1 FROM client_item_tags t WHERE t.item_id = i.id AND t.kind = ")
        .arg(kind)
        .push(" AND t.value_key IN ")
        .list(values)
        .push(")");
}

/// Appends the conditions of `filters` for the items of `store_id`. `customer` is the signed-in
/// customer (the `wantlist` filter needs one).
pub(crate) fn apply(
    sql: &mut Sql,
    store_id: &str,
    filters: &InventoryFiltersInput,
    customer: Option<&str>,
) -> ApiResult<()> {
    sql.push("i.store_id = ").arg(store_id);
    if filters.no_filters == Maybe::Value(true) {
        return Ok(());
    }
    let f = filters;

    let bounds = [("from", &f.from, ">=", false), ("to", &f.to, "<=", true)];
    for (field, value, op, end_of_day) in bounds {
        if let Maybe::Value(text) = value
            && !text.trim().is_empty()
        {
            let bound = time_bound(field, text, end_of_day)?;
            sql.push(&format!(" AND i.first_available {op} "))
                .arg(bound);
        }
    }

    let preorders = match f
        .preorders
        .as_option()
        .map(|s| s.trim().to_ascii_lowercase())
    {
        None => false,
        Some(s) if s.is_empty() || s == "false" => false,
        Some(s) if s == "true" => true,
        Some(_) => return Err(bad_filter("preorders", "must be \"true\" or \"false\"")),
    };
    if f.preorder == Maybe::Value(true) || preorders {
        sql.push(
            " AND EXISTS (SELECT 1 FROM client_listings l WHERE l.item_id = i.id AND l.pre_order = ",
        )
        .arg(Arg::Bool(true))
        .push(")");
    }

    let item_types = f.item_types.as_option().into_iter().flatten();
    let mut item_types: Vec<String> = item_types
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty() && s != "all")
        .collect();
    if let Maybe::Value(t) = &f.r#type {
        let t = t.trim().to_lowercase();
        if !t.is_empty() && t != "all" {
            // `type` and `itemTypes` both given: the item must match each.
            tag(sql, "itemTypes", &[t]);
        }
    }
    item_types = limit("itemTypes", item_types)?;
    tag(sql, "itemTypes", &item_types);

    let text_tags = [
        ("manufacturers", &f.manufacturers),
        ("types", &f.types),
        ("countries", &f.countries),
    ];
    for (kind, values) in text_tags {
        tag(sql, kind, &texts(kind, values)?);
    }
    let years = f.years.as_option().into_iter().flatten().flatten();
    let years: Vec<String> = years.map(i32::to_string).collect();
    tag(sql, "years", &limit("years", years)?);
    tag(sql, "artists", &whole_numbers("artists", &f.artists)?);
    tag(sql, "labels", &whole_numbers("labels", &f.labels)?);
    let mut formats = texts("formats", &f.formats)?;
    for m in texts("mediums", &f.mediums)? {
        if !formats.contains(&m) {
            formats.push(m);
        }
    }
    tag(sql, "formats", &limit("formats", formats)?);
    let text_tags = [
        ("formatDescriptions", &f.format_descriptions),
        ("categories", &f.categories),
        ("styles", &f.styles),
        ("genres", &f.genres),
    ];
    for (kind, values) in text_tags {
        tag(sql, kind, &texts(kind, values)?);
    }

    if let Maybe::Value(max) = f.max_price {
        if max < 0 {
            return Err(bad_filter("maxPrice", "must not be negative"));
        }
        sql.push(" AND i.sort_price <= ")
            .arg(i64::from(max).saturating_mul(100));
    }

    let in_stock =
        "EXISTS (SELECT 1 FROM client_listings l WHERE l.item_id = i.id AND l.stock > 0)";
    match stock_filter(f.stock.as_option().map(String::as_str))? {
        StockFilter::All => {}
        StockFilter::InStock => {
            sql.push(" AND ").push(in_stock);
        }
        StockFilter::OutOfStock => {
            sql.push(" AND NOT ").push(in_stock);
        }
    }

    if let Maybe::Value(c) = &f.condition {
        let c = c.trim().to_lowercase();
        // "new" and "used" say whether a listing is second-hand; other words name its condition.
        let (column, value) = match c.as_str() {
            "new" | "used" => ("second_hand", Arg::Bool(c == "used")),
            _ => ("media_condition", Arg::from(c.as_str())),
        };
        if !c.is_empty() {
            sql.push(&format!(" AND EXISTS (SELECT 1 FROM client_listings l WHERE l.item_id = i.id AND l.{column} = "))
                .arg(value)
                .push(")");
        }
    }

    if f.wantlist == Maybe::Value(true) {
        let Some(customer) = customer else {
            return Err(ApiError::unauthenticated(
                "the `wantlist` filter needs a customer session: send `Authorization: Bearer <jwt>`",
            ));
        };
        sql.push(" AND EXISTS (SELECT 1 FROM client_wantlist w WHERE w.item_id = i.id AND w.customer_id = ")
            .arg(customer)
            .push(")");
    }

    if let Maybe::Value(text) = &f.text {
        let text = text.trim().to_lowercase();
        if text.chars().count() > MAX_TEXT {
            let problem = format!("is longer than {MAX_TEXT} characters");
            return Err(bad_filter("text", problem));
        }
        if !text.is_empty() {
            sql.push(" AND ").like_any(&["i.search_text"], &text);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sql::escape_like;

    #[test]
    fn stock_values() {
        assert_eq!(
            stock_filter(Some("inStock")).ok(),
            Some(StockFilter::InStock)
        );
        assert_eq!(
            stock_filter(Some("instock")).ok(),
            Some(StockFilter::InStock)
        );
        assert_eq!(
            stock_filter(Some("OUTOFSTOCK")).ok(),
            Some(StockFilter::OutOfStock)
        );
        assert_eq!(stock_filter(None).ok(), Some(StockFilter::All));
        assert_eq!(stock_filter(Some("")).ok(), Some(StockFilter::All));
        assert!(stock_filter(Some("plenty")).is_err());
    }

    #[test]
    fn time_bounds() {
        assert_eq!(
            time_bound("from", "1765470585000", false).ok(),
            Some(1_765_470_585_000)
        );
        assert_eq!(
            time_bound("from", "2023-05-16", false).ok(),
            Some(1_684_195_200_000)
        );
        assert_eq!(
            time_bound("to", "2023-05-16", true).ok(),
            Some(1_684_195_200_000 + DAY_MS - 1)
        );
        assert!(time_bound("from", "yesterday", false).is_err());
    }

    #[test]
    fn filters_become_numbered_conditions() -> ApiResult<()> {
        let filters = InventoryFiltersInput {
            stock: Maybe::Value("inStock".into()),
            genres: Maybe::Value(vec![Some("Electronic".into()), None, Some(" ".into())]),
            text: Maybe::Value("50%_off".into()),
            ..InventoryFiltersInput::default()
        };
        let mut sql = Sql::new("");
        apply(&mut sql, "s1", &filters, None)?;
        assert!(sql.text.starts_with("i.store_id = $1"));
        assert!(sql.text.contains("t.kind = $2 AND t.value_key IN ($3)"));
        assert!(sql.text.contains("l.stock > 0"));
        assert!(sql.text.contains("LIKE $4 ESCAPE"));
        assert_eq!(escape_like("50%_off"), "50\\%\\_off");

        let all = InventoryFiltersInput {
            no_filters: Maybe::Value(true),
            stock: Maybe::Value("bogus".into()),
            ..InventoryFiltersInput::default()
        };
        let mut sql = Sql::new("");
        apply(&mut sql, "s1", &all, None)?;
        assert_eq!(sql.text, "i.store_id = $1");

        let wants = InventoryFiltersInput {
            wantlist: Maybe::Value(true),
            ..InventoryFiltersInput::default()
        };
        assert!(apply(&mut Sql::new(""), "s1", &wants, None).is_err());
        Ok(())
    }
}
