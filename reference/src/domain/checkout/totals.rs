//! Checkout totals in integer minor units (cents). Prices are tax-inclusive sale prices; the
//! amounts before taxes are derived with the store's tax rate, rounded half away from zero.

/// Basis points in 100 %.
const BP: i64 = 10_000;

/// `numerator / denominator` rounded half away from zero (`denominator > 0`).
fn div_round(numerator: i128, denominator: i128) -> i64 {
    let q = numerator / denominator;
    let r = numerator % denominator;
    let adjust = if 2 * r.abs() >= denominator {
        numerator.signum()
    } else {
        0
    };
    i64::try_from(q + adjust).unwrap_or(if numerator < 0 { i64::MIN } else { i64::MAX })
}

/// The part of a tax-inclusive `amount` that is not tax, at `tax_rate_bp` basis points
/// (2000 = 20 %).
pub(crate) fn before_taxes(amount: i64, tax_rate_bp: i64) -> i64 {
    let rate = tax_rate_bp.max(0);
    div_round(
        i128::from(amount) * i128::from(BP),
        i128::from(BP) + i128::from(rate),
    )
}

/// A voucher's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VoucherKind {
    /// A percentage of the subtotal, in basis points (1000 = 10 %).
    Percent(i64),
    /// A fixed amount in minor units, at most the subtotal.
    Fixed(i64),
}

/// The discount a voucher gives on `subtotal` (never more than the subtotal, never negative).
pub(crate) fn voucher_discount(kind: VoucherKind, subtotal: i64) -> i64 {
    let subtotal = subtotal.max(0);
    let d = match kind {
        VoucherKind::Percent(bp) => div_round(
            i128::from(subtotal) * i128::from(bp.clamp(0, BP)),
            i128::from(BP),
        ),
        VoucherKind::Fixed(amount) => amount,
    };
    d.clamp(0, subtotal)
}

/// A priced line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PricedLine {
    /// Sale price of one unit, taxes included, minor units.
    pub unit_price: i64,
    /// Units.
    pub quantity: i64,
}

impl PricedLine {
    /// `unit_price × quantity`.
    pub(crate) fn total(&self) -> i64 {
        self.unit_price.saturating_mul(self.quantity)
    }
}

/// Totals of a checkout or order, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Totals {
    /// Sum of line totals, taxes included.
    pub subtotal: i64,
    /// Sum of line totals without taxes.
    pub subtotal_before_taxes: i64,
    /// `subtotal − subtotal_before_taxes`.
    pub tax: i64,
    /// Shipping price.
    pub shipping: i64,
    /// Voucher discount.
    pub discount: i64,
    /// `subtotal + shipping − discount`.
    pub grand: i64,
    /// What remains to pay (`grand`: this API records no payments).
    pub left_to_pay: i64,
    /// Sum of quantities.
    pub items_quantity: i64,
    /// Number of lines.
    pub item_quantity: i64,
}

/// Computes the totals of `lines` with the store's tax rate, a shipping price and an optional
/// voucher. Each line's amount before taxes is derived from the line total (not per unit), so
/// rounding happens once per line.
pub(crate) fn compute(
    lines: &[PricedLine],
    tax_rate_bp: i64,
    shipping: i64,
    voucher: Option<VoucherKind>,
) -> Totals {
    let subtotal: i64 = lines.iter().map(PricedLine::total).sum();
    let subtotal_before_taxes: i64 = lines
        .iter()
        .map(|l| before_taxes(l.total(), tax_rate_bp))
        .sum();
    let discount = voucher.map_or(0, |v| voucher_discount(v, subtotal));
    let shipping = shipping.max(0);
    let grand = (subtotal + shipping - discount).max(0);
    Totals {
        subtotal,
        subtotal_before_taxes,
        tax: subtotal - subtotal_before_taxes,
        shipping,
        discount,
        grand,
        left_to_pay: grand,
        items_quantity: lines.iter().map(|l| l.quantity).sum(),
        item_quantity: i64::try_from(lines.len()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_before_taxes_round_half_away_from_zero() {
        // 24.99 incl. 20 % VAT = 20.825 → 20.83
        assert_eq!(before_taxes(2499, 2000), 2083);
        assert_eq!(before_taxes(1200, 2000), 1000);
        assert_eq!(before_taxes(1850, 550), 1754); // 18.50 / 1.055 = 17.5355… → 17.54
        assert_eq!(before_taxes(0, 2000), 0);
        assert_eq!(before_taxes(999, 0), 999);
    }

    #[test]
    fn vouchers_never_exceed_the_subtotal() {
        assert_eq!(voucher_discount(VoucherKind::Percent(1000), 2499), 250);
        assert_eq!(voucher_discount(VoucherKind::Fixed(500), 2499), 500);
        assert_eq!(voucher_discount(VoucherKind::Fixed(5000), 2499), 2499);
        assert_eq!(voucher_discount(VoucherKind::Percent(20_000), 100), 100);
        assert_eq!(voucher_discount(VoucherKind::Fixed(-5), 100), 0);
    }

    #[test]
    fn totals_add_up() {
        let lines = [
            PricedLine {
                unit_price: 2499,
                quantity: 1,
            },
            PricedLine {
                unit_price: 2199,
                quantity: 2,
            },
        ];
        let t = compute(&lines, 2000, 450, Some(VoucherKind::Percent(1000)));
        assert_eq!(t.subtotal, 2499 + 4398);
        assert_eq!(t.subtotal_before_taxes, 2083 + 3665);
        assert_eq!(t.tax, t.subtotal - t.subtotal_before_taxes);
        assert_eq!(t.discount, 690); // 689.7 → 690
        assert_eq!(t.grand, t.subtotal + 450 - 690);
        assert_eq!(t.left_to_pay, t.grand);
        assert_eq!(t.items_quantity, 3);
        assert_eq!(t.item_quantity, 2);
        assert_eq!(compute(&[], 2000, 0, None), Totals::default());
    }
}
