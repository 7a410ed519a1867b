//! Checkout lines: turning the caller's `CheckoutItemInput`s into whole-number lines, merging
//! lines of the same listing, and the checks every line must pass (`checkoutUpdateItems` and
//! again at `checkoutSubmit`).

use std::fmt;

/// Most lines one `checkoutUpdateItems` call may send (Shopify's input array cap).
pub(crate) const MAX_INPUT_LINES: usize = 250;

/// Largest whole number a JSON float carries exactly (2^53).
const MAX_EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

/// One line as given by the caller: the numeric listing id and the quantity, both nullable
/// floats on the wire.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LineInput {
    /// `CheckoutItemInput.listingId`.
    pub listing_id: Option<f64>,
    /// `CheckoutItemInput.quantity`.
    pub quantity: Option<f64>,
}

/// A checked-for-form line: a listing id and a quantity of at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    /// Numeric id of the listing.
    pub listing_id: i64,
    /// Units.
    pub quantity: i64,
}

/// What the store knows about a listing when a line is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ListingFacts {
    /// Units in stock now.
    pub stock: i64,
    /// One unit per customer, once.
    pub one_per_customer: bool,
    /// The item may not be sold.
    pub forbidden: bool,
    /// The customer already has an order with this listing.
    pub already_ordered: bool,
}

/// Why a line is refused (a BAD_USER_INPUT message that names the listing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LineError {
    /// More lines than [`MAX_INPUT_LINES`].
    TooManyLines(usize),
    /// `listingId` missing in the line at this position (0-based).
    MissingListingId(usize),
    /// `listingId` is not a positive whole number.
    InvalidListingId(String),
    /// `quantity` missing for this listing.
    MissingQuantity(i64),
    /// `quantity` is not a whole number of at least 1.
    InvalidQuantity(i64, String),
    /// No such listing in this store.
    UnknownListing(i64),
    /// The listing's item may not be sold.
    Forbidden(i64),
    /// More units than in stock.
    NotEnoughStock {
        /// The listing.
        listing_id: i64,
        /// Units asked.
        quantity: i64,
        /// Units in stock.
        stock: i64,
    },
    /// A one-per-customer listing with a quantity above 1.
    OnePerCustomerQuantity(i64),
    /// A one-per-customer listing the customer already ordered.
    AlreadyOrdered(i64),
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyLines(n) => write!(
                f,
                "a checkout holds at most {MAX_INPUT_LINES} lines; {n} were given"
            ),
            Self::MissingListingId(i) => write!(f, "line {}: `listingId` is required", i + 1),
            Self::InvalidListingId(v) => {
                write!(
                    f,
                    "listing {v}: `listingId` must be a positive whole number"
                )
            }
            Self::MissingQuantity(id) => write!(f, "listing {id}: `quantity` is required"),
            Self::InvalidQuantity(id, v) => write!(
                f,
                "listing {id}: quantity {v} is not a whole number of at least 1"
            ),
            Self::UnknownListing(id) => write!(f, "listing {id} does not exist in this store"),
            Self::Forbidden(id) => write!(f, "listing {id}: the item may not be sold"),
            Self::NotEnoughStock {
                listing_id,
                quantity,
                stock,
            } => write!(
                f,
                "listing {listing_id}: quantity {quantity} is above the stock ({stock})"
            ),
            Self::OnePerCustomerQuantity(id) => write!(
                f,
                "listing {id} is limited to one per customer: the quantity must be 1"
            ),
            Self::AlreadyOrdered(id) => write!(
                f,
                "listing {id} is limited to one per customer and you have already ordered it"
            ),
        }
    }
}

impl std::error::Error for LineError {}

fn whole(value: f64) -> Option<i64> {
    (value.is_finite() && value.fract() == 0.0 && value.abs() <= MAX_EXACT_FLOAT)
        .then_some(value as i64)
}

fn show(value: f64) -> String {
    if let Some(w) = whole(value) {
        w.to_string()
    } else {
        value.to_string()
    }
}

/// Turns the caller's lines into whole-number lines: null elements are skipped, both fields are
/// required, lines of the same listing are merged by adding their quantities, and the order of
/// first appearance is kept.
pub(crate) fn normalize(input: &[Option<LineInput>]) -> Result<Vec<Line>, LineError> {
    if input.len() > MAX_INPUT_LINES {
        return Err(LineError::TooManyLines(input.len()));
    }
    let mut lines: Vec<Line> = Vec::new();
    for (index, line) in input.iter().enumerate() {
        let Some(line) = line else { continue };
        let raw_id = line.listing_id.ok_or(LineError::MissingListingId(index))?;
        let listing_id = whole(raw_id)
            .filter(|id| *id > 0)
            .ok_or_else(|| LineError::InvalidListingId(show(raw_id)))?;
        let raw_qty = line
            .quantity
            .ok_or(LineError::MissingQuantity(listing_id))?;
        let quantity = whole(raw_qty)
            .filter(|q| *q >= 1)
            .ok_or_else(|| LineError::InvalidQuantity(listing_id, show(raw_qty)))?;
        match lines.iter_mut().find(|l| l.listing_id == listing_id) {
            Some(existing) => {
                existing.quantity = existing.quantity.saturating_add(quantity);
            }
            None => lines.push(Line {
                listing_id,
                quantity,
            }),
        }
    }
    Ok(lines)
}

/// Checks one line against what the store knows of its listing (`None`: no such listing in
/// this store).
pub(crate) fn check(line: Line, facts: Option<ListingFacts>) -> Result<(), LineError> {
    let id = line.listing_id;
    let facts = facts.ok_or(LineError::UnknownListing(id))?;
    if facts.forbidden {
        return Err(LineError::Forbidden(id));
    }
    if facts.one_per_customer {
        if line.quantity != 1 {
            return Err(LineError::OnePerCustomerQuantity(id));
        }
        if facts.already_ordered {
            return Err(LineError::AlreadyOrdered(id));
        }
    }
    if super::stock_after(facts.stock, line.quantity).is_none() {
        return Err(LineError::NotEnoughStock {
            listing_id: id,
            quantity: line.quantity,
            stock: facts.stock.max(0),
        });
    }
    Ok(())
}

/// True when a stored line can no longer be bought as it is (the `unavailable` flag).
pub(crate) fn unavailable(line: Line, facts: Option<ListingFacts>) -> bool {
    check(line, facts).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(id: f64, q: f64) -> Option<LineInput> {
        Some(LineInput {
            listing_id: Some(id),
            quantity: Some(q),
        })
    }

    fn facts(stock: i64) -> ListingFacts {
        ListingFacts {
            stock,
            one_per_customer: false,
            forbidden: false,
            already_ordered: false,
        }
    }

    #[test]
    fn merges_lines_of_one_listing_and_skips_nulls() {
        let lines = normalize(&[
            input(1_765_470_890_000.0, 1.0),
            None,
            input(7.0, 2.0),
            input(1_765_470_890_000.0, 2.0),
        ]);
        assert_eq!(
            lines,
            Ok(vec![
                Line {
                    listing_id: 1_765_470_890_000,
                    quantity: 3
                },
                Line {
                    listing_id: 7,
                    quantity: 2
                },
            ])
        );
        assert_eq!(normalize(&[]), Ok(vec![]));
    }

    #[test]
    fn refuses_missing_fractional_and_non_positive_values() {
        assert_eq!(
            normalize(&[Some(LineInput {
                listing_id: None,
                quantity: Some(1.0)
            })]),
            Err(LineError::MissingListingId(0))
        );
        assert_eq!(
            normalize(&[Some(LineInput {
                listing_id: Some(5.0),
                quantity: None
            })]),
            Err(LineError::MissingQuantity(5))
        );
        assert_eq!(
            normalize(&[input(5.0, 1.5)]),
            Err(LineError::InvalidQuantity(5, "1.5".into()))
        );
        assert_eq!(
            normalize(&[input(5.0, 0.0)]),
            Err(LineError::InvalidQuantity(5, "0".into()))
        );
        assert_eq!(
            normalize(&[input(5.0, -2.0)]),
            Err(LineError::InvalidQuantity(5, "-2".into()))
        );
        assert_eq!(
            normalize(&[input(5.5, 1.0)]),
            Err(LineError::InvalidListingId("5.5".into()))
        );
        assert_eq!(
            normalize(&[input(-5.0, 1.0)]),
            Err(LineError::InvalidListingId("-5".into()))
        );
        let many: Vec<_> = (1..=251).map(|i| input(f64::from(i), 1.0)).collect();
        assert_eq!(normalize(&many), Err(LineError::TooManyLines(251)));
    }

    #[test]
    fn line_checks() {
        let line = Line {
            listing_id: 9,
            quantity: 2,
        };
        assert_eq!(check(line, Some(facts(2))), Ok(()));
        assert_eq!(check(line, None), Err(LineError::UnknownListing(9)));
        assert_eq!(
            check(line, Some(facts(1))),
            Err(LineError::NotEnoughStock {
                listing_id: 9,
                quantity: 2,
                stock: 1
            })
        );
        let forbidden = ListingFacts {
            forbidden: true,
            ..facts(5)
        };
        assert_eq!(check(line, Some(forbidden)), Err(LineError::Forbidden(9)));
        let opc = ListingFacts {
            one_per_customer: true,
            ..facts(5)
        };
        assert_eq!(
            check(line, Some(opc)),
            Err(LineError::OnePerCustomerQuantity(9))
        );
        let one = Line {
            listing_id: 9,
            quantity: 1,
        };
        assert_eq!(check(one, Some(opc)), Ok(()));
        let ordered = ListingFacts {
            already_ordered: true,
            ..opc
        };
        assert_eq!(check(one, Some(ordered)), Err(LineError::AlreadyOrdered(9)));
        assert!(unavailable(one, Some(facts(0))));
        assert!(!unavailable(one, Some(facts(1))));
        assert!(
            LineError::NotEnoughStock {
                listing_id: 9,
                quantity: 2,
                stock: 1
            }
            .to_string()
            .contains("listing 9")
        );
    }
}
