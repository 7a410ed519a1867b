//! Promotions and their rewards. A promotion applies to a cart when it is active, inside its
//! validity window, its coupon (if it has one) is on the cart, and the cart's sale subtotal
//! reaches its minimum. Every applicable promotion applies (they stack); each reward is capped
//! so that nothing goes below zero.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What a promotion gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Reward {
    /// `percent`% off the items total (after item rewards): a cart-level discount.
    CartPercent {
        /// Percentage, e.g. 10.
        percent: Decimal,
    },
    /// A fixed amount (store default currency, converted) off the items total: cart-level.
    CartFixed {
        /// Amount.
        amount: Decimal,
    },
    /// `percent`% off every unit of a product: a line item discount.
    ItemPercent {
        /// The product.
        product_id: String,
        /// Percentage.
        percent: Decimal,
    },
    /// A fixed amount (store default currency, converted) off every unit of a product.
    ItemFixed {
        /// The product.
        product_id: String,
        /// Amount per unit.
        amount: Decimal,
    },
    /// `quantity` units of a product free when the cart has it: a line item discount of the
    /// sale price times `min(quantity, line quantity)`.
    FreeItem {
        /// The product.
        product_id: String,
        /// Units given free.
        quantity: i32,
    },
    /// `percent`% off the shipping price (100 = free shipping), for one method code or all.
    ShippingPercent {
        /// Percentage.
        percent: Decimal,
        /// Only this shipping method code; `None` for every method.
        #[serde(default)]
        method_code: Option<String>,
    },
}

/// A promotion of a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promotion {
    /// Id.
    pub id: String,
    /// Description shown on discounts.
    pub description: String,
    /// Coupon code required (compared ignoring case); `None` applies automatically.
    pub coupon: Option<String>,
    /// The reward.
    pub reward: Reward,
    /// Minimum sale subtotal of the cart, in the store's default currency.
    pub min_subtotal: Option<Decimal>,
    /// Valid from (ms since the epoch), inclusive.
    pub starts_ms: Option<i64>,
    /// Valid until (ms since the epoch), exclusive.
    pub ends_ms: Option<i64>,
    /// Switched on.
    pub is_active: bool,
}

impl Promotion {
    /// Whether the promotion applies to a cart with `coupons` and a sale subtotal of
    /// `subtotal`, where `min_subtotal` is the promotion's minimum already converted into the
    /// cart's currency.
    pub fn applies(
        &self,
        coupons: &[String],
        subtotal: Decimal,
        min_subtotal: Option<Decimal>,
        now_ms: i64,
    ) -> bool {
        self.is_active
            && self.starts_ms.is_none_or(|s| now_ms >= s)
            && self.ends_ms.is_none_or(|e| now_ms < e)
            && self
                .coupon
                .as_ref()
                .is_none_or(|c| coupons.iter().any(|x| x.eq_ignore_ascii_case(c)))
            && min_subtotal.is_none_or(|m| subtotal >= m)
    }

    /// Whether `code` is this promotion's coupon.
    pub fn has_coupon(&self, code: &str) -> bool {
        self.coupon
            .as_ref()
            .is_some_and(|c| c.eq_ignore_ascii_case(code))
    }
}

/// A discount given by a promotion to a line, the cart, a shipment or a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AppliedDiscount {
    /// The promotion.
    pub promotion_id: String,
    /// Its description.
    pub description: String,
    /// The coupon that triggered it.
    pub coupon: Option<String>,
    /// Amount without tax.
    pub amount: Decimal,
    /// Amount with tax.
    pub amount_with_tax: Decimal,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn promo() -> Promotion {
        Promotion {
            id: "p".into(),
            description: "d".into(),
            coupon: Some("SAVE10".into()),
            reward: Reward::CartPercent {
                percent: Decimal::TEN,
            },
            min_subtotal: None,
            starts_ms: Some(1_000),
            ends_ms: Some(2_000),
            is_active: true,
        }
    }

    #[test]
    fn conditions() {
        let p = promo();
        let coupons = vec!["save10".to_string()];
        assert!(p.applies(&coupons, Decimal::ONE, None, 1_000));
        assert!(
            !p.applies(&coupons, Decimal::ONE, None, 2_000),
            "window end is exclusive"
        );
        assert!(!p.applies(&coupons, Decimal::ONE, None, 999));
        assert!(
            !p.applies(&[], Decimal::ONE, None, 1_500),
            "coupon required"
        );
        assert!(!p.applies(&coupons, Decimal::ONE, Some(Decimal::TWO), 1_500));
        assert!(p.applies(&coupons, Decimal::TWO, Some(Decimal::TWO), 1_500));
        let off = Promotion {
            is_active: false,
            ..promo()
        };
        assert!(!off.applies(&coupons, Decimal::ONE, None, 1_500));
    }

    #[test]
    fn rewards_are_stored_as_tagged_json() -> Result<(), serde_json::Error> {
        let r: Reward =
            serde_json::from_str(r#"{"kind":"freeItem","product_id":"abc","quantity":1}"#)?;
        assert_eq!(
            r,
            Reward::FreeItem {
                product_id: "abc".into(),
                quantity: 1
            }
        );
        let s: Reward = serde_json::from_str(r#"{"kind":"shippingPercent","percent":"100"}"#)?;
        assert_eq!(
            s,
            Reward::ShippingPercent {
                percent: Decimal::ONE_HUNDRED,
                method_code: None
            }
        );
        Ok(())
    }
}
