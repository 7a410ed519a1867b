//! Merging one cart into another (typically the anonymous cart from before sign-in into the
//! customer's cart).
//!
//! Rule: every line of the other cart is added to the target. A product the target already has
//! gets the quantities summed (the target's line keeps its id, price override, comment and
//! properties); any other line is copied with a new id (keeping its comment, properties and
//! price override, except that a price override is dropped when the carts' currencies differ,
//! so the product is repriced in the target's currency). Coupons are added (no duplicates,
//! ignoring case). Shipments, payments, addresses and cart properties of the other cart are
//! not merged. Quantities beyond the stock are capped by the caller's stock rule.

use super::cart::{CartDoc, LineItem};

/// Merges `source` into `target`. `new_id` makes ids for copied lines; `same_currency` tells
/// whether price overrides carry over. Returns the ids of the target lines that changed.
pub(crate) fn merge_into(
    target: &mut CartDoc,
    source: &CartDoc,
    same_currency: bool,
    mut new_id: impl FnMut() -> String,
) -> Vec<String> {
    let mut touched = Vec::new();
    for line in &source.items {
        match target.line_of_product_mut(&line.product_id) {
            Some(existing) => {
                existing.quantity = existing.quantity.saturating_add(line.quantity);
                touched.push(existing.id.clone());
            }
            None => {
                let id = new_id();
                target.items.push(LineItem {
                    id: id.clone(),
                    manual_price: if same_currency {
                        line.manual_price
                    } else {
                        None
                    },
                    captured_price: if same_currency {
                        line.captured_price
                    } else {
                        None
                    },
                    ..line.clone()
                });
                touched.push(id);
            }
        }
    }
    for code in &source.coupons {
        target.add_coupon(code);
    }
    touched
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn line(id: &str, product: &str, qty: i32) -> LineItem {
        LineItem {
            id: id.into(),
            product_id: product.into(),
            sku: product.to_uppercase(),
            quantity: qty,
            ..LineItem::default()
        }
    }

    #[test]
    fn same_products_sum_and_others_are_copied_with_new_ids() {
        let mut target = CartDoc {
            items: vec![line("t1", "a", 2)],
            coupons: vec!["SAVE10".into()],
            ..CartDoc::default()
        };
        let source = CartDoc {
            items: vec![
                line("s1", "A", 3),
                LineItem {
                    manual_price: Some(Decimal::TEN),
                    note: Some("gift".into()),
                    ..line("s2", "b", 1)
                },
            ],
            coupons: vec!["save10".into(), "FREESHIP".into()],
            ..CartDoc::default()
        };
        let mut n = 0;
        let touched = merge_into(&mut target, &source, true, || {
            n += 1;
            format!("new{n}")
        });
        assert_eq!(touched, vec!["t1", "new1"]);
        assert_eq!(target.items.len(), 2);
        assert_eq!(target.items[0].quantity, 5);
        assert_eq!(target.items[1].id, "new1");
        assert_eq!(target.items[1].manual_price, Some(Decimal::TEN));
        assert_eq!(target.items[1].note.as_deref(), Some("gift"));
        assert_eq!(target.coupons, vec!["SAVE10", "FREESHIP"]);
    }

    #[test]
    fn price_overrides_do_not_cross_currencies() {
        let mut target = CartDoc::default();
        let source = CartDoc {
            items: vec![LineItem {
                manual_price: Some(Decimal::TEN),
                ..line("s", "b", 1)
            }],
            ..CartDoc::default()
        };
        merge_into(&mut target, &source, false, || "x".into());
        assert_eq!(target.items[0].manual_price, None);
    }
}
