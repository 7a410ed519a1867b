//! Scalars with an exact Rust representation.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An exact decimal number (money, rates), shown on the wire as a JSON number as the purchase
/// API does. Input numbers are read through their shortest decimal text, so `29.99` is exactly
/// 29.99, never 29.989999…; numeric strings (`"29.99"`) are accepted too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal(pub rust_decimal::Decimal);

impl Deref for Decimal {
    type Target = rust_decimal::Decimal;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl From<rust_decimal::Decimal> for Decimal {
    fn from(value: rust_decimal::Decimal) -> Self {
        Self(value)
    }
}

impl From<Decimal> for rust_decimal::Decimal {
    fn from(value: Decimal) -> Self {
        value.0
    }
}

impl From<i64> for Decimal {
    fn from(value: i64) -> Self {
        Self(rust_decimal::Decimal::from(value))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.normalize(), f)
    }
}

impl FromStr for Decimal {
    type Err = rust_decimal::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        rust_decimal::Decimal::from_str_exact(s.trim())
            .or_else(|_| rust_decimal::Decimal::from_scientific(s.trim()))
            .map(Self)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let d = self.0.normalize();
        if d.scale() == 0
            && let Ok(i) = i64::try_from(d)
        {
            return serializer.serialize_i64(i);
        }
        // The shortest f64 text of a decimal with few digits is that decimal, so the JSON number
        // printed reads back exactly.
        let f: f64 = d.to_string().parse().map_err(serde::ser::Error::custom)?;
        serializer.serialize_f64(f)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
                Ok(Decimal(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
                Ok(Decimal(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
                if !v.is_finite() {
                    return Err(E::custom("not a finite number"));
                }
                format!("{v}")
                    .parse()
                    .map_err(|_| E::custom(format!("{v} is out of range for a decimal")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
                v.parse()
                    .map_err(|_| E::custom(format!("`{v}` is not a decimal number")))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_exactly() -> Result<(), serde_json::Error> {
        for text in ["0.1", "29.99", "777", "-12.5", "0.01", "1000000.25"] {
            let d: Decimal = serde_json::from_str(text)?;
            assert_eq!(d.to_string(), text.trim_start_matches('+'));
            assert_eq!(serde_json::to_string(&d)?, text);
        }
        let s: Decimal = serde_json::from_str("\"49.99\"")?;
        assert_eq!(s.to_string(), "49.99");
        assert!(serde_json::from_str::<Decimal>("\"abc\"").is_err());
        Ok(())
    }
}
