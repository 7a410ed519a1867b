//! Money: integer minor units inside, exact decimals at the edges. Never `f64` arithmetic.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// Minor units (cents) of a decimal amount with 2 decimals, rounded half away from zero.
pub(crate) fn to_minor(amount: Decimal) -> Option<i64> {
    (amount * Decimal::from(100))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
}

/// The decimal amount of `minor` cents.
pub(crate) fn from_minor(minor: i64) -> Decimal {
    Decimal::new(minor, 2)
}

/// The wire form of an amount for APIs that show money as a JSON float (the client and shop
/// APIs do): the nearest `f64` of the exact decimal. Only the edge converts; no arithmetic is
/// done on the result.
pub(crate) fn to_wire_float(amount: Decimal) -> f64 {
    amount.to_f64().unwrap_or(0.0)
}

/// The wire float of `minor` cents (see [`to_wire_float`]).
pub(crate) fn minor_to_wire(minor: i64) -> f64 {
    to_wire_float(from_minor(minor))
}

/// Parses a wire float into an exact decimal through its shortest text, so 29.99 is 29.99.
pub(crate) fn from_wire_float(value: f64) -> Option<Decimal> {
    if !value.is_finite() {
        return None;
    }
    format!("{value}").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_round_half_away_from_zero() {
        assert_eq!(to_minor(Decimal::new(2999, 2)), Some(2999));
        assert_eq!(to_minor(Decimal::new(1005, 3)), Some(101));
        assert_eq!(to_minor(Decimal::new(-1005, 3)), Some(-101));
        assert_eq!(from_minor(2999).to_string(), "29.99");
    }

    #[test]
    fn wire_floats_are_read_exactly() {
        assert_eq!(
            from_wire_float(29.99).map(|d| d.to_string()),
            Some("29.99".into())
        );
        assert_eq!(
            from_wire_float(0.1).map(|d| d.to_string()),
            Some("0.1".into())
        );
        assert_eq!(from_wire_float(f64::NAN), None);
        assert_eq!(to_wire_float(Decimal::new(2999, 2)), 29.99);
    }
}
