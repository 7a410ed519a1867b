//! Prices: parsing the seller's input into integer cents, deriving a variant's current and
//! original price (with the advert's price as fallback), an advert's lowest prices, and the wire
//! formats (`"49.99"` and `$49.99`).

use rust_decimal::Decimal;

/// The marketplace currency.
pub(crate) const CURRENCY: &str = "AUD";
/// Its symbol.
pub(crate) const SYMBOL: &str = "$";
/// Its symbol disambiguated with the country (`A$49.99`).
pub(crate) const DISAMBIGUATED_SYMBOL: &str = "A$";

/// The largest price accepted: 100 million in major units, far below what fits in cents.
pub(crate) const MAX_PRICE_CENTS: i64 = 10_000_000_000;

/// Why a price was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PriceError {
    /// Not a decimal number.
    #[error("is not a number (expected a decimal such as \"49.99\")")]
    NotANumber,
    /// Below zero.
    #[error("must not be negative")]
    Negative,
    /// More than two decimals.
    #[error("must have at most 2 decimal places")]
    TooPrecise,
    /// Too large.
    #[error("is too large (at most 100000000)")]
    TooLarge,
}

/// Parses a price written as text (`"49.99"`, `"201"`) into cents.
pub(crate) fn parse_price_text(text: &str) -> Result<i64, PriceError> {
    let t = text.trim();
    if t.is_empty() || t.contains(['e', 'E']) {
        return Err(PriceError::NotANumber);
    }
    let d = Decimal::from_str_exact(t).map_err(|_| PriceError::NotANumber)?;
    price_cents(d)
}

/// Cents of a price given as an exact decimal (the `Decimal` scalar).
pub(crate) fn price_cents(amount: Decimal) -> Result<i64, PriceError> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(PriceError::Negative);
    }
    let normalized = amount.normalize();
    if normalized.scale() > 2 {
        return Err(PriceError::TooPrecise);
    }
    let cents = normalized
        .checked_mul(Decimal::from(100))
        .ok_or(PriceError::TooLarge)?;
    let cents = i64::try_from(cents).map_err(|_| PriceError::TooLarge)?;
    if cents > MAX_PRICE_CENTS {
        return Err(PriceError::TooLarge);
    }
    Ok(cents)
}

/// `"49.99"`: the plain decimal with two places.
pub(crate) fn format_decimal(cents: i64) -> String {
    Decimal::new(cents, 2).to_string()
}

/// The exact decimal of `cents`, with two places.
pub(crate) fn decimal(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// `$49.99`, `-$5.00`, or with `disambiguate` `A$49.99`.
pub(crate) fn format_money(cents: i64, disambiguate: bool) -> String {
    let symbol = if disambiguate {
        DISAMBIGUATED_SYMBOL
    } else {
        SYMBOL
    };
    let sign = if cents < 0 { "-" } else { "" };
    let abs = Decimal::new(cents, 2).abs();
    format!("{sign}{symbol}{abs}")
}

/// Checks a display currency: only the marketplace currency (or none) is supported.
pub(crate) fn check_display_currency(currency: Option<&str>) -> Result<(), String> {
    match currency {
        None => Ok(()),
        Some(c) if c.eq_ignore_ascii_case(CURRENCY) => Ok(()),
        Some(c) => Err(format!(
            "currency `{c}` is not supported: amounts are only shown in {CURRENCY}"
        )),
    }
}

/// The prices stored on an advert (in cents).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AdvertPrices {
    /// The advert's price, used by variants without one.
    pub price: Option<i64>,
    /// The advert's sale price, used with the advert's price.
    pub sale_price: Option<i64>,
}

/// The prices stored on a variant (in cents).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct VariantPrices {
    /// The variant's own price.
    pub price: Option<i64>,
    /// The variant's own sale price.
    pub sale_price: Option<i64>,
}

/// A variant's derived prices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct EffectivePrices {
    /// What a buyer pays now: the sale price where one applies, else the price.
    pub current: Option<i64>,
    /// The regular price.
    pub original: Option<i64>,
}

/// A variant's prices: its own price, else the advert's; its own sale price, else (only when it
/// uses the advert's price) the advert's sale price; a sale price applies only when it is below
/// or equal to the regular price.
pub(crate) fn effective(variant: VariantPrices, advert: AdvertPrices) -> EffectivePrices {
    let (original, sale) = match variant.price {
        Some(p) => (Some(p), variant.sale_price),
        None => (advert.price, variant.sale_price.or(advert.sale_price)),
    };
    let current = match (sale, original) {
        (Some(s), Some(o)) if s <= o => Some(s),
        (Some(s), None) => Some(s),
        (_, o) => o,
    };
    EffectivePrices { current, original }
}

/// The advert's lowest current and lowest original price over its variants (`None` when no
/// variant has a price).
pub(crate) fn lowest(
    advert: AdvertPrices,
    variants: impl IntoIterator<Item = VariantPrices>,
) -> EffectivePrices {
    let mut out = EffectivePrices::default();
    for v in variants {
        let e = effective(v, advert);
        out.current = min_opt(out.current, e.current);
        out.original = min_opt(out.original, e.original);
    }
    out
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// A sale price must not exceed the price it discounts.
pub(crate) fn sale_price_allowed(sale_price: Option<i64>, price: Option<i64>) -> bool {
    match (sale_price, price) {
        (Some(s), Some(p)) => s <= p,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_into_cents() {
        assert_eq!(parse_price_text("49.99"), Ok(4999));
        assert_eq!(parse_price_text(" 29.9 "), Ok(2990));
        assert_eq!(parse_price_text("201"), Ok(20100));
        assert_eq!(parse_price_text("0"), Ok(0));
        assert_eq!(parse_price_text("1.00000"), Ok(100));
        assert_eq!(parse_price_text("-1"), Err(PriceError::Negative));
        assert_eq!(parse_price_text("1.999"), Err(PriceError::TooPrecise));
        assert_eq!(parse_price_text("abc"), Err(PriceError::NotANumber));
        assert_eq!(parse_price_text(""), Err(PriceError::NotANumber));
        assert_eq!(parse_price_text("1e3"), Err(PriceError::NotANumber));
        assert_eq!(parse_price_text("100000000.01"), Err(PriceError::TooLarge));
        assert_eq!(price_cents(Decimal::new(201, 0)), Ok(20100));
    }

    #[test]
    fn formats() {
        assert_eq!(format_decimal(4999), "49.99");
        assert_eq!(format_decimal(20100), "201.00");
        assert_eq!(format_decimal(5), "0.05");
        assert_eq!(format_money(5494, false), "$54.94");
        assert_eq!(format_money(-500, false), "-$5.00");
        assert_eq!(format_money(4999, true), "A$49.99");
        assert!(check_display_currency(None).is_ok());
        assert!(check_display_currency(Some("aud")).is_ok());
        assert!(check_display_currency(Some("USD")).is_err());
    }

    #[test]
    fn variants_fall_back_to_the_advert_price() {
        let advert = AdvertPrices {
            price: Some(4999),
            sale_price: Some(3999),
        };
        let own = VariantPrices {
            price: Some(5999),
            sale_price: None,
        };
        assert_eq!(
            effective(own, advert),
            EffectivePrices {
                current: Some(5999),
                original: Some(5999)
            }
        );
        let inherited = VariantPrices::default();
        assert_eq!(
            effective(inherited, advert),
            EffectivePrices {
                current: Some(3999),
                original: Some(4999)
            }
        );
        let on_sale = VariantPrices {
            price: Some(24900),
            sale_price: Some(20100),
        };
        assert_eq!(effective(on_sale, advert).current, Some(20100));
        assert_eq!(
            effective(VariantPrices::default(), AdvertPrices::default()),
            EffectivePrices::default()
        );
    }

    #[test]
    fn lowest_prices_over_variants() {
        let advert = AdvertPrices {
            price: Some(19900),
            sale_price: None,
        };
        let l = lowest(
            advert,
            [
                VariantPrices {
                    price: Some(19900),
                    sale_price: Some(17900),
                },
                VariantPrices::default(),
                VariantPrices {
                    price: Some(21900),
                    sale_price: None,
                },
            ],
        );
        assert_eq!(l.current, Some(17900));
        assert_eq!(l.original, Some(19900));
        assert_eq!(
            lowest(AdvertPrices::default(), []),
            EffectivePrices::default()
        );
    }

    #[test]
    fn sale_price_must_not_exceed_the_price() {
        assert!(sale_price_allowed(Some(100), Some(100)));
        assert!(!sale_price_allowed(Some(101), Some(100)));
        assert!(sale_price_allowed(None, Some(100)));
        assert!(sale_price_allowed(Some(5), None));
    }
}
