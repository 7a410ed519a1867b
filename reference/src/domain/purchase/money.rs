//! Money of the purchase API: exact decimals in major units, rounded per currency.
//!
//! Rounding rule (one for the whole API): every amount shown is rounded to the currency's
//! decimal digits (2 for USD/EUR/GBP, 0 for JPY) **half away from zero** (2.345 → 2.35,
//! −2.345 → −2.35). Conversion between currencies goes through the store's exchange rates,
//! which are "units of this currency per one unit of the store's default currency":
//! `amount × rate(to) / rate(from)`, rounded once at the end.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// A currency of a store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Currency {
    /// ISO 4217 code, e.g. `USD`.
    pub code: String,
    /// Symbol, e.g. `$`.
    pub symbol: String,
    /// Units of this currency per one unit of the store's default currency (1 for the default).
    pub exchange_rate: Decimal,
    /// Decimal digits of amounts (2 for USD, 0 for JPY).
    pub digits: u32,
    /// A custom number format, shown as given (not interpreted).
    pub custom_formatting: Option<String>,
}

impl Currency {
    /// `amount` rounded to this currency's digits, half away from zero.
    pub fn round(&self, amount: Decimal) -> Decimal {
        round(amount, self.digits)
    }

    /// The smallest amount of this currency (0.01 for USD, 1 for JPY).
    pub fn unit(&self) -> Decimal {
        Decimal::new(1, self.digits)
    }
}

/// `amount` rounded to `digits` decimals, half away from zero.
pub(crate) fn round(amount: Decimal, digits: u32) -> Decimal {
    amount.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero)
}

/// Converts `amount` from `from` into `to` through the store's exchange rates, rounded to `to`'s
/// digits. A non-positive rate (refused when stores are loaded) leaves the amount unconverted.
pub(crate) fn convert(amount: Decimal, from: &Currency, to: &Currency) -> Decimal {
    if from.code == to.code || from.exchange_rate <= Decimal::ZERO {
        return to.round(amount);
    }
    to.round(amount * to.exchange_rate / from.exchange_rate)
}

/// How a culture writes numbers: decimal mark, group separator, symbol placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NumberStyle {
    decimal: char,
    group: &'static str,
    symbol_after: bool,
}

/// The number style of a culture: English and East Asian cultures write `$1,234.50`; most
/// continental European ones `1.234,50 €`; French, Russian, Polish, Nordic and Czech ones use a
/// no-break space to group (`1 234,50 €`). Unknown cultures use the English style.
fn style(culture: &str) -> NumberStyle {
    let lang = culture
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match lang.as_str() {
        "de" | "es" | "it" | "nl" | "pt" | "da" | "tr" | "id" => NumberStyle {
            decimal: ',',
            group: ".",
            symbol_after: true,
        },
        "fr" | "ru" | "pl" | "sv" | "nb" | "no" | "fi" | "cs" | "sk" | "uk" => NumberStyle {
            decimal: ',',
            group: "\u{a0}",
            symbol_after: true,
        },
        _ => NumberStyle {
            decimal: '.',
            group: ",",
            symbol_after: false,
        },
    }
}

/// Formats `amount` for `culture`: with or without the currency symbol, and with the currency's
/// decimals or none (`with_point: false` rounds to a whole number, half away from zero).
pub(crate) fn format(
    amount: Decimal,
    currency: &Currency,
    culture: &str,
    with_symbol: bool,
    with_point: bool,
) -> String {
    let digits = if with_point { currency.digits } else { 0 };
    let rounded = round(amount, digits);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = format!("{:.*}", digits as usize, rounded.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (text, None),
    };
    let s = style(culture);
    let mut grouped = String::new();
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push_str(s.group);
        }
        grouped.push(ch);
    }
    let mut number = grouped;
    if let Some(f) = frac_part {
        number.push(s.decimal);
        number.push_str(&f);
    }
    let sign = if negative { "-" } else { "" };
    match (with_symbol, s.symbol_after) {
        (false, _) => format!("{sign}{number}"),
        (true, false) => format!("{sign}{}{number}", currency.symbol),
        (true, true) => format!("{sign}{number}\u{a0}{}", currency.symbol),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency {
            code: "USD".into(),
            symbol: "$".into(),
            exchange_rate: Decimal::ONE,
            digits: 2,
            custom_formatting: None,
        }
    }

    fn jpy() -> Currency {
        Currency {
            code: "JPY".into(),
            symbol: "¥".into(),
            exchange_rate: Decimal::new(1515, 1),
            digits: 0,
            custom_formatting: None,
        }
    }

    fn eur() -> Currency {
        Currency {
            code: "EUR".into(),
            symbol: "€".into(),
            exchange_rate: Decimal::new(92, 2),
            digits: 2,
            custom_formatting: None,
        }
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round(Decimal::new(2345, 3), 2), Decimal::new(235, 2));
        assert_eq!(round(Decimal::new(-2345, 3), 2), Decimal::new(-235, 2));
        assert_eq!(round(Decimal::new(2344, 3), 2), Decimal::new(234, 2));
        assert_eq!(jpy().round(Decimal::new(5, 1)), Decimal::ONE);
    }

    #[test]
    fn conversion_goes_through_the_default_currency() {
        // 1299 USD → JPY at 151.5 = 196798.5 → 196799 (half away from zero, 0 digits).
        assert_eq!(
            convert(Decimal::from(1299), &usd(), &jpy()),
            Decimal::from(196_799)
        );
        // 24.99 USD → EUR at 0.92 = 22.9908 → 22.99.
        assert_eq!(
            convert(Decimal::new(2499, 2), &usd(), &eur()),
            Decimal::new(2299, 2)
        );
        // EUR → JPY crosses through USD: 10 / 0.92 × 151.5 = 1646.739… → 1647.
        assert_eq!(
            convert(Decimal::from(10), &eur(), &jpy()),
            Decimal::from(1647)
        );
    }

    #[test]
    fn formatting_follows_the_culture() {
        let a = Decimal::new(123_450, 2);
        assert_eq!(format(a, &usd(), "en-US", true, true), "$1,234.50");
        assert_eq!(format(a, &usd(), "en-US", false, true), "1,234.50");
        assert_eq!(format(a, &usd(), "en-US", true, false), "$1,235");
        assert_eq!(format(a, &usd(), "en-US", false, false), "1,235");
        assert_eq!(format(a, &eur(), "de-DE", true, true), "1.234,50\u{a0}€");
        assert_eq!(
            format(a, &eur(), "fr-FR", true, true),
            "1\u{a0}234,50\u{a0}€"
        );
        assert_eq!(
            format(Decimal::new(-5, 1), &usd(), "en-US", true, true),
            "-$0.50"
        );
        assert_eq!(format(Decimal::ZERO, &jpy(), "ja-JP", true, true), "¥0");
        assert_eq!(
            format(Decimal::from(1_000_000), &jpy(), "en-US", true, true),
            "¥1,000,000"
        );
    }
}
