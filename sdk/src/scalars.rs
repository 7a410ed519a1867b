//! Rust types for the custom GraphQL scalars that need more than a `String`.
//!
//! The generated code maps the GraphQL scalar `Decimal` (purchase and marketplace prices) to
//! [`Decimal`].

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::str::FromStr;

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The key serde_json uses to pass a number's exact text when its `arbitrary_precision`
/// feature is on (it is, through `rust_decimal`'s `serde-with-arbitrary-precision`).
const SERDE_JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// An exact decimal number: a [`rust_decimal::Decimal`] whose JSON form is a number.
///
/// * Serialized as a JSON number with the shortest text that reads back to exactly this value
///   (`29.99`, `777`, `0.01`). A value with more significant digits than an `f64` holds is
///   written with all its digits (serde_json's `arbitrary_precision`, which this crate enables,
///   keeps them).
/// * Deserialized from a JSON number through its shortest decimal text, so `29.99` arrives as
///   exactly `29.99` and not as `29.989999…`; or from a string such as `"49.99"` (the
///   marketplace API sends strings). Exponents (`1e-2`) are accepted.
///
/// It derefs to [`rust_decimal::Decimal`] for arithmetic and rounding:
///
/// ```
/// use shopql_sdk::scalars::Decimal;
///
/// let price: Decimal = serde_json::from_str("29.99").unwrap();
/// assert_eq!(price.to_string(), "29.99");
/// let twice = Decimal::from(*price * rust_decimal::Decimal::TWO);
/// assert_eq!(serde_json::to_string(&twice).unwrap(), "59.98");
/// let from_text: Decimal = serde_json::from_str(r#""49.99""#).unwrap();
/// assert_eq!(from_text, "49.99".parse().unwrap());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal(pub rust_decimal::Decimal);

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal(rust_decimal::Decimal::ZERO);
    /// One.
    pub const ONE: Decimal = Decimal(rust_decimal::Decimal::ONE);

    /// `num × 10^-scale`: `Decimal::new(2999, 2)` is 29.99.
    pub fn new(num: i64, scale: u32) -> Self {
        Decimal(rust_decimal::Decimal::new(num, scale))
    }

    /// The wrapped [`rust_decimal::Decimal`].
    pub fn into_inner(self) -> rust_decimal::Decimal {
        self.0
    }
}

/// Parses decimal text, with or without an exponent.
fn parse_decimal(text: &str) -> Result<rust_decimal::Decimal, rust_decimal::Error> {
    let text = text.trim();
    if text.contains(['e', 'E']) {
        rust_decimal::Decimal::from_scientific(text)
    } else {
        rust_decimal::Decimal::from_str(text)
    }
}

impl FromStr for Decimal {
    type Err = rust_decimal::Error;

    /// Parses `29.99`, `-3`, `1e-2`, with surrounding spaces ignored.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_decimal(text).map(Decimal)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Deref for Decimal {
    type Target = rust_decimal::Decimal;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Decimal {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl From<rust_decimal::Decimal> for Decimal {
    fn from(value: rust_decimal::Decimal) -> Self {
        Decimal(value)
    }
}

impl From<Decimal> for rust_decimal::Decimal {
    fn from(value: Decimal) -> Self {
        value.0
    }
}

macro_rules! from_integer {
    ($($int:ty),*) => {$(
        impl From<$int> for Decimal {
            fn from(value: $int) -> Self {
                Decimal(rust_decimal::Decimal::from(value))
            }
        }
    )*};
}
from_integer!(i8, i16, i32, i64, u8, u16, u32, u64);

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value = self.0;
        if value.fract().is_zero()
            && let Some(integer) = value.to_i64()
        {
            return serializer.serialize_i64(integer);
        }
        let text = value.normalize().to_string();
        // `f64`'s Display is the shortest text that reads back to the same f64: when it equals
        // the decimal's own text, the f64 carries the value exactly and a JSON reader sees the
        // same digits.
        if let Ok(float) = text.parse::<f64>()
            && float.is_finite()
            && float.to_string() == text
        {
            return serializer.serialize_f64(float);
        }
        match serde_json::Number::from_str(&text) {
            Ok(number) => number.serialize(serializer),
            Err(_) => serializer.serialize_f64(value.to_f64().unwrap_or_default()),
        }
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }
}

struct DecimalVisitor;

impl DecimalVisitor {
    fn text<E: de::Error>(text: &str) -> Result<Decimal, E> {
        parse_decimal(text)
            .map(Decimal)
            .map_err(|error| E::custom(format!("invalid decimal {text:?}: {error}")))
    }
}

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number, as a JSON number or a numeric string")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Decimal, E> {
        rust_decimal::Decimal::from_i128(value)
            .map(Decimal)
            .ok_or_else(|| E::custom(format!("{value} is too large for a decimal")))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Decimal, E> {
        rust_decimal::Decimal::from_u128(value)
            .map(Decimal)
            .ok_or_else(|| E::custom(format!("{value} is too large for a decimal")))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Decimal, E> {
        if !value.is_finite() {
            return Err(E::custom(format!("{value} is not a decimal number")));
        }
        // The shortest text that reads back to this f64: what the server wrote.
        Self::text(&value.to_string())
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Decimal, E> {
        Self::text(value)
    }

    /// serde_json with `arbitrary_precision` hands a number over as a one-entry map holding
    /// its exact text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == SERDE_JSON_NUMBER_TOKEN => {
                let text: String = map.next_value()?;
                Self::text(&text)
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    /// JSON text in, decimal, JSON text out.
    fn round_trip(input: &str) -> (Decimal, String) {
        let value: Decimal = serde_json::from_str(input).unwrap();
        (value, serde_json::to_string(&value).unwrap())
    }

    #[test]
    fn numbers_round_trip_exactly() {
        for (input, expected, output) in [
            ("0.1", "0.1", "0.1"),
            ("29.99", "29.99", "29.99"),
            ("777", "777", "777"),
            ("1e-2", "0.01", "0.01"),
            ("1E2", "100", "100"),
            ("-12.5", "-12.5", "-12.5"),
            ("-0.07", "-0.07", "-0.07"),
            ("0", "0", "0"),
            ("49.990", "49.99", "49.99"),
            ("9007199254740993", "9007199254740993", "9007199254740993"),
        ] {
            let (value, text) = round_trip(input);
            assert_eq!(value, dec(expected), "{input}");
            assert_eq!(text, output, "{input}");
        }
    }

    #[test]
    fn strings_are_accepted() {
        assert_eq!(round_trip(r#""49.99""#), (dec("49.99"), "49.99".to_owned()));
        assert_eq!(round_trip(r#"" -3.5 ""#).0, dec("-3.5"));
        assert_eq!(round_trip(r#""2.5e1""#).0, dec("25"));
        let error = serde_json::from_str::<Decimal>(r#""abc""#).unwrap_err();
        assert!(error.to_string().contains("invalid decimal"), "{error}");
        assert!(serde_json::from_str::<Decimal>("true").is_err());
        assert!(serde_json::from_str::<Decimal>(r#"{"a": 1}"#).is_err());
    }

    #[test]
    fn through_value_and_path_to_error() {
        let value = json!({"price": 29.99, "list": [0.1, "1.10", 777]});
        #[derive(Deserialize)]
        struct Prices {
            price: Decimal,
            list: Vec<Decimal>,
        }
        let prices: Prices = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(prices.price, dec("29.99"));
        assert_eq!(prices.list, vec![dec("0.1"), dec("1.1"), dec("777")]);
        let tracked: Prices = serde_path_to_error::deserialize(value).unwrap();
        assert_eq!(tracked.price, dec("29.99"));
        let error =
            serde_path_to_error::deserialize::<_, Prices>(json!({"price": "x", "list": []}))
                .err()
                .unwrap();
        assert_eq!(error.path().to_string(), "price");
    }

    #[test]
    fn serializes_computed_values_as_short_numbers() {
        let total = Decimal(*dec("0.1") + *dec("0.2"));
        assert_eq!(serde_json::to_string(&total).unwrap(), "0.3");
        assert_eq!(serde_json::to_value(total).unwrap(), json!(0.3));
        assert_eq!(
            serde_json::to_string(&Decimal::new(77700, 2)).unwrap(),
            "777"
        );
        assert_eq!(serde_json::to_string(&Decimal::from(-4)).unwrap(), "-4");
    }

    #[test]
    fn many_digits_survive_when_serde_json_keeps_them() {
        let text = "0.1234567890123456789";
        let reparsed = serde_json::from_str::<serde_json::Value>(text)
            .unwrap()
            .to_string();
        let keeps_digits = reparsed.as_str() == text;
        let value: Decimal = serde_json::from_str(text).unwrap();
        let out = serde_json::to_string(&value).unwrap();
        if keeps_digits {
            assert_eq!(value, dec(text));
            assert_eq!(out, text);
        } else {
            assert!(out.starts_with("0.12345678901234"), "{out}");
        }
    }

    #[test]
    fn std_traits() {
        let a = dec("1.50");
        let b: Decimal = rust_decimal::Decimal::new(15, 1).into();
        assert_eq!(a, b);
        assert!(Decimal::ONE < a && Decimal::ZERO < Decimal::ONE);
        assert_eq!(a.to_string(), "1.50");
        assert_eq!(a.scale(), 2);
        let inner: rust_decimal::Decimal = a.into();
        assert_eq!(inner, a.into_inner());
        let mut c = a;
        *c += rust_decimal::Decimal::ONE;
        assert_eq!(c, dec("2.5"));
        assert_eq!(Decimal::from(3u8), dec("3"));
    }
}
