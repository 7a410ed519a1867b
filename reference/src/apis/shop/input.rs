//! Checks and converts the cart endpoint's inputs: ids, quantities, rates, prices, context,
//! customer and key/value lists. Every refusal is a `BAD_USER_INPUT` that names the field.

use rust_decimal::Decimal;
use serde_json::Value;
use shopql_server_stubs::shop as api;
use shopql_server_stubs::{ApiError, ApiResult, Maybe};

use super::catalogue::CatalogueImage;
use super::model::{AddressDoc, ContextDoc, CustomerDoc, PriceContextDoc, StringMap};
use crate::apis::optional;
use crate::clock::{parse_rfc3339, rfc3339};
use crate::domain::money::from_wire_float;
use crate::domain::pricing::{GivenPrice, MAX_AMOUNT, MAX_DECIMALS};

/// The most lines a cart may hold (and a hydration may send).
pub(crate) const MAX_LINES: usize = 250;

/// The longest cart lifetime a context may ask for, in seconds (90 days) unless the server is
/// configured with a longer one.
pub(crate) const MAX_TTL_S: i64 = 7_776_000;

/// A cart id: a UUID, compared in its canonical lowercase form.
pub(crate) fn cart_id(id: Option<&str>) -> ApiResult<String> {
    let id = id.ok_or_else(|| ApiError::bad_input("the cart `id` is required"))?;
    parse_uuid(id)
}

/// A UUID in canonical lowercase form.
pub(crate) fn parse_uuid(text: &str) -> ApiResult<String> {
    uuid::Uuid::parse_str(text.trim())
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ApiError::bad_input(format!("`{text}` is not a UUID")))
}

/// A `PositiveInt`: 1 to 2147483647.
pub(crate) fn quantity(value: Option<u32>, field: &str) -> ApiResult<u32> {
    let q = value.unwrap_or(1);
    if q == 0 || q > i32::MAX as u32 {
        return Err(ApiError::bad_input(format!(
            "`{field}` must be a whole number from 1 to 2147483647, not {q}"
        )));
    }
    Ok(q)
}

/// Adds quantities, refusing totals above 2147483647.
pub(crate) fn add_quantities(a: u32, b: u32, sku: &str) -> ApiResult<u32> {
    a.checked_add(b)
        .filter(|q| *q <= i32::MAX as u32)
        .ok_or_else(|| {
            ApiError::bad_input(format!("the quantity of `{sku}` would exceed 2147483647"))
        })
}

/// A `Rate`: 0 to 1.
pub(crate) fn rate(value: f64, field: &str) -> ApiResult<Decimal> {
    from_wire_float(value)
        .filter(|r| *r >= Decimal::ZERO && *r <= Decimal::ONE)
        .ok_or_else(|| {
            ApiError::bad_input(format!(
                "`{field}` must be a rate between 0 and 1, not {value}"
            ))
        })
}

fn amount(value: f64, field: &str) -> ApiResult<Decimal> {
    from_wire_float(value)
        .filter(|a| *a >= Decimal::ZERO && *a <= MAX_AMOUNT)
        .ok_or_else(|| {
            ApiError::bad_input(format!(
                "`{field}` must be an amount from 0 to {MAX_AMOUNT}, not {value}"
            ))
        })
}

/// A caller's unit price: net ≥ 0, gross ≥ net, discounts ≥ 0.
pub(crate) fn given_price(price: &api::PriceInput, sku: &str) -> ApiResult<GivenPrice> {
    let gross = amount(price.gross, "price.gross")?;
    let net = amount(price.net, "price.net")?;
    if gross < net {
        return Err(ApiError::bad_input(format!(
            "the price of `{sku}`: gross ({gross}) must be at least net ({net})"
        )));
    }
    let discounts = price.discounts.as_option().into_iter().flatten().flatten();
    let discounts = discounts
        .map(|d| amount(d.amount, "price.discounts.amount"))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(GivenPrice {
        gross,
        net,
        discounts,
    })
}

/// Key/value pairs as a JSON object of strings (a later key overwrites an earlier one).
pub(crate) fn key_values(list: &Maybe<Vec<Option<api::KeyValueInput>>>) -> Option<StringMap> {
    list.as_option()
        .map(|pairs| pairs_to_map(pairs.iter().flatten()))
}

/// Pairs as a JSON object of strings.
pub(crate) fn pairs_to_map<'a>(pairs: impl Iterator<Item = &'a api::KeyValueInput>) -> StringMap {
    let mut m = StringMap::new();
    for kv in pairs {
        m.insert(kv.key.clone(), Value::from(kv.value.clone()));
    }
    m
}

fn text(value: &Maybe<String>) -> Option<String> {
    value.as_option().cloned()
}

/// Images of an external item (sizes rounded to whole pixels; invalid sizes are left out).
pub(crate) fn images(list: &Maybe<Vec<Option<api::ImageVariantInput>>>) -> Vec<CatalogueImage> {
    let px =
        |v: f64| (v.is_finite() && v >= 1.0 && v <= f64::from(i32::MAX)).then(|| v.round() as u32);
    let images = list.as_option().into_iter().flatten().flatten();
    images
        .map(|i| CatalogueImage {
            url: i.url.clone(),
            key: i.key.clone(),
            alt: Default::default(),
            width: px(i.width),
            height: px(i.height),
            variants: Vec::new(),
        })
        .collect()
}

fn strings(list: &Maybe<Vec<Option<String>>>) -> Option<Vec<String>> {
    list.as_option().map(|v| {
        v.iter()
            .flatten()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

fn whole_seconds(value: i32, field: &str, max: i64) -> ApiResult<i64> {
    let v = i64::from(value);
    if !(1..=max).contains(&v) {
        return Err(ApiError::bad_input(format!(
            "`{field}` must be from 1 to {max} seconds, not {v}"
        )));
    }
    Ok(v)
}

/// The effective context of `ContextInput` (defaults for what is left out).
pub(crate) fn context(input: &api::ContextInput, default_ttl_s: i64) -> ApiResult<ContextDoc> {
    let max_ttl = MAX_TTL_S.max(default_ttl_s);
    let mut ctx = ContextDoc::defaults(default_ttl_s);
    let language = input.language.as_option().map(|l| l.trim());
    if let Some(language) = language.filter(|l| !l.is_empty()) {
        ctx.language = language.to_string();
    }
    if let Maybe::Value(ttl) = input.ttl {
        ctx.ttl_s = whole_seconds(ttl, "context.ttl", max_ttl)?;
    }
    let stale = |s: &i32| whole_seconds(*s, "context.staleTtl", max_ttl);
    ctx.stale_ttl_s = optional(&input.stale_ttl, stale)?;
    if let Maybe::Value(price) = &input.price {
        ctx.price = price_context(price)?;
    }
    Ok(ctx)
}

fn price_context(p: &api::PriceContextInput) -> ApiResult<PriceContextDoc> {
    let mut out = PriceContextDoc::default();
    if let Maybe::Value(decimals) = p.decimals {
        if !decimals.is_finite()
            || decimals.fract() != 0.0
            || decimals < 0.0
            || decimals > f64::from(MAX_DECIMALS)
        {
            return Err(ApiError::bad_input(format!(
                "`context.price.decimals` must be a whole number from 0 to {MAX_DECIMALS}, not {decimals}"
            )));
        }
        out.decimals = decimals as u32;
    }
    if let Maybe::Value(v) = p.prices_have_taxes_included_in_crystallize {
        out.prices_have_taxes_included = v;
    }
    if let Maybe::Value(v) = &p.currency {
        out.currency = v.clone();
    }
    out.tax_rate = optional(&p.tax_rate, |v| rate(*v, "context.price.taxRate"))?;
    if let Some(v) = text(&p.selected_variant_identifier).filter(|v| !v.trim().is_empty()) {
        out.selected_variant = v;
    }
    out.compare_at_variant = text(&p.compare_at_variant_identifier).filter(|v| !v.is_empty());
    out.fallback_variants = strings(&p.fallback_variant_identifiers);
    if let Maybe::Value(v) = p.discount_on_net_prices {
        out.discount_on_net = v;
    }
    out.markets = strings(&p.markets).unwrap_or_default();
    out.customer_group = text(&p.customer_group);
    out.voucher_code = text(&p.voucher_code);
    out.voucher_codes = p.voucher_codes.as_option().cloned();
    out.customer_groups = p.customer_groups.as_option().cloned();
    Ok(out)
}

/// The customer of `CustomerInput`.
pub(crate) fn customer(input: &api::CustomerInput) -> ApiResult<CustomerDoc> {
    let birth_date = optional(&input.birth_date, |text| {
        parse_rfc3339(text).map(rfc3339).ok_or_else(|| {
            ApiError::bad_input(format!("`birthDate` `{text}` is not an RFC 3339 date-time"))
        })
    })?;
    let addresses = input.addresses.as_option().map(|list| {
        list.iter()
            .flatten()
            .map(|a| AddressDoc {
                address_type: a.r#type.as_option().map(|t| t.as_str().to_string()),
                first_name: text(&a.first_name),
                middle_name: text(&a.middle_name),
                last_name: text(&a.last_name),
                street: text(&a.street),
                street2: text(&a.street2),
                street_number: text(&a.street_number),
                postal_code: text(&a.postal_code),
                city: text(&a.city),
                state: text(&a.state),
                country: text(&a.country),
                phone: text(&a.phone),
                email: text(&a.email),
                meta: key_values(&a.meta),
            })
            .collect()
    });
    Ok(CustomerDoc {
        is_guest: input.is_guest,
        identifier: text(&input.identifier),
        first_name: text(&input.first_name),
        middle_name: text(&input.middle_name),
        last_name: text(&input.last_name),
        email: text(&input.email),
        phone: text(&input.phone),
        birth_date,
        company_name: text(&input.company_name),
        tax_number: text(&input.tax_number),
        customer_type: input.r#type.as_option().map(|t| t.as_str().to_string()),
        addresses,
        external_references: key_values(&input.external_references),
        meta: key_values(&input.meta),
    })
}

/// The topics of an external product.
pub(crate) fn topics(list: &Maybe<Vec<Option<String>>>) -> Vec<String> {
    strings(list).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_quantities_and_rates() {
        assert_eq!(
            cart_id(Some("00000000-0000-4000-8000-00000000000A")).ok(),
            Some("00000000-0000-4000-8000-00000000000a".to_string())
        );
        assert!(cart_id(None).is_err());
        assert!(cart_id(Some("nope")).is_err());
        assert!(quantity(Some(0), "quantity").is_err());
        assert_eq!(quantity(None, "quantity").ok(), Some(1));
        assert!(quantity(Some(u32::MAX), "quantity").is_err());
        assert!(add_quantities(i32::MAX as u32, 1, "x").is_err());
        assert!(rate(1.5, "taxRate").is_err());
        assert_eq!(rate(0.05, "taxRate").ok(), Some(Decimal::new(5, 2)));
    }

    #[test]
    fn contexts_take_defaults_and_refuse_nonsense() {
        let ctx = context(&api::ContextInput::default(), 7_776_000);
        assert_eq!(ctx.ok(), Some(ContextDoc::defaults(7_776_000)));
        let bad = api::ContextInput {
            price: Maybe::Value(api::PriceContextInput {
                decimals: Maybe::Value(2.5),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(context(&bad, 7_776_000).is_err());
        let long = api::ContextInput {
            ttl: Maybe::Value(7_776_001),
            ..Default::default()
        };
        assert!(context(&long, 7_776_000).is_err());
    }
}
