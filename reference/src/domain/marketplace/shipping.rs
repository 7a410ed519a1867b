//! Shipment quantities: what a shipment may contain, and how shipped a set of line items is.
//!
//! The check here is advisory (it produces the 422 messages); the guarantee that the total shipped
//! never exceeds what was ordered is the storage's conditional update on each line item
//! (`shipped_quantity + n <= quantity`) inside the shipment's transaction, plus a CHECK backstop.

use std::collections::HashSet;

/// A line item as shipment rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineQuantities {
    /// Quantity ordered.
    pub quantity: i64,
    /// Quantity shipped so far.
    pub shipped: i64,
}

impl LineQuantities {
    /// What is left to ship.
    pub(crate) fn remaining(self) -> i64 {
        (self.quantity - self.shipped).max(0)
    }
}

/// A problem with one requested shipped item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ItemError {
    /// Zero or negative.
    #[error("must be at least 1")]
    NotPositive,
    /// More than is left to ship.
    #[error("exceeds the quantity left to ship ({remaining} of {quantity} ordered)")]
    TooMany {
        /// Left to ship.
        remaining: i64,
        /// Ordered.
        quantity: i64,
    },
}

/// Checks one requested quantity against a line item.
pub(crate) fn check_item(requested: i64, line: LineQuantities) -> Result<(), ItemError> {
    if requested < 1 {
        return Err(ItemError::NotPositive);
    }
    if requested > line.remaining() {
        return Err(ItemError::TooMany {
            remaining: line.remaining(),
            quantity: line.quantity,
        });
    }
    Ok(())
}

/// The positions of entries whose key already appeared earlier in `keys`.
pub(crate) fn duplicate_positions<T: Eq + std::hash::Hash>(keys: &[T]) -> Vec<usize> {
    let mut seen = HashSet::new();
    keys.iter()
        .enumerate()
        .filter(|(_, k)| !seen.insert(*k))
        .map(|(i, _)| i)
        .collect()
}

/// How much of an invoice has been shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShippedState {
    /// Nothing shipped.
    None,
    /// Some quantities shipped, not all.
    Partial,
    /// Every line item fully shipped.
    All,
}

impl ShippedState {
    /// The stored code (0, 1, 2).
    pub(crate) fn code(self) -> i64 {
        match self {
            ShippedState::None => 0,
            ShippedState::Partial => 1,
            ShippedState::All => 2,
        }
    }

    /// From the stored code.
    pub(crate) fn from_code(code: i64) -> ShippedState {
        match code {
            2 => ShippedState::All,
            1 => ShippedState::Partial,
            _ => ShippedState::None,
        }
    }
}

/// The shipped state of a set of line items.
pub(crate) fn shipped_state(lines: impl IntoIterator<Item = LineQuantities>) -> ShippedState {
    let mut any_line = false;
    let mut any_shipped = false;
    let mut all_shipped = true;
    for l in lines {
        any_line = true;
        any_shipped |= l.shipped > 0;
        all_shipped &= l.shipped >= l.quantity;
    }
    match (any_line, any_shipped, all_shipped) {
        (true, _, true) => ShippedState::All,
        (_, true, _) => ShippedState::Partial,
        _ => ShippedState::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: LineQuantities = LineQuantities {
        quantity: 2,
        shipped: 0,
    };

    #[test]
    fn never_more_than_ordered() {
        assert_eq!(check_item(1, TWO), Ok(()));
        assert_eq!(check_item(2, TWO), Ok(()));
        assert_eq!(
            check_item(3, TWO),
            Err(ItemError::TooMany {
                remaining: 2,
                quantity: 2
            })
        );
        let one_left = LineQuantities {
            quantity: 2,
            shipped: 1,
        };
        assert!(check_item(2, one_left).is_err());
        assert_eq!(check_item(0, TWO), Err(ItemError::NotPositive));
        assert_eq!(check_item(-1, TWO), Err(ItemError::NotPositive));
    }

    #[test]
    fn duplicates_are_found() {
        assert_eq!(duplicate_positions(&[1, 2, 1, 3, 2]), vec![2, 4]);
        assert!(duplicate_positions::<i64>(&[]).is_empty());
    }

    #[test]
    fn shipped_state_follows_the_lines() {
        let part = LineQuantities {
            quantity: 2,
            shipped: 1,
        };
        let full = LineQuantities {
            quantity: 2,
            shipped: 2,
        };
        assert_eq!(shipped_state([TWO]), ShippedState::None);
        assert_eq!(shipped_state([part]), ShippedState::Partial);
        assert_eq!(shipped_state([full, TWO]), ShippedState::Partial);
        assert_eq!(shipped_state([full, full]), ShippedState::All);
        assert_eq!(shipped_state([]), ShippedState::None);
        for s in [ShippedState::None, ShippedState::Partial, ShippedState::All] {
            assert_eq!(ShippedState::from_code(s.code()), s);
        }
    }
}
