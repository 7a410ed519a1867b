//! Problems of a cart: warnings (what changed since the customer last looked: a price, a
//! product that became unavailable) and validation errors (what would stop a checkout).
//!
//! A line remembers the sale price and availability the customer last saw (`captured_*`, set
//! when it is added and by `refreshCart`). While the catalogue differs, the cart shows a
//! warning; `refreshCart` re-captures, which clears it. Validation errors are computed from the
//! cart as it is, whatever was captured.

use std::collections::HashMap;

use super::cart::{CartDoc, LineItem, TYPE_WISHLIST, Warning};
use super::catalog::Product;
use super::totals::{Evaluation, LineResult};

/// Product gone, inactive or no longer priced.
pub(crate) const PRODUCT_UNAVAILABLE: &str = "CART_PRODUCT_UNAVAILABLE";
/// Catalogue price differs from the price the customer saw.
pub(crate) const PRICE_CHANGED: &str = "PRODUCT_PRICE_CHANGED";
/// Not enough stock for the quantity.
pub(crate) const INSUFFICIENT_STOCK: &str = "PRODUCT_FFC_QTY";
/// Quantity was capped to the stock.
pub(crate) const QUANTITY_CAPPED: &str = "PRODUCT_QTY_CHANGED";
/// Quantity below 1.
pub(crate) const INVALID_QUANTITY: &str = "PRODUCT_INVALID_QUANTITY";
/// Shipping method not (or no longer) offered.
pub(crate) const SHIPMENT_METHOD_UNAVAILABLE: &str = "SHIPMENT_METHOD_UNAVAILABLE";
/// Payment method not (or no longer) offered.
pub(crate) const PAYMENT_METHOD_UNAVAILABLE: &str = "PAYMENT_METHOD_UNAVAILABLE";
/// Physical goods but no shipment.
pub(crate) const SHIPMENT_REQUIRED: &str = "CART_SHIPMENT_REQUIRED";
/// Items but no payment.
pub(crate) const PAYMENT_REQUIRED: &str = "CART_PAYMENT_REQUIRED";

/// Which rule sets to check (`validationErrors(ruleSet)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RuleSets {
    /// Cart-level rules.
    pub default: bool,
    /// Line items.
    pub items: bool,
    /// Shipments.
    pub shipments: bool,
    /// Payments.
    pub payments: bool,
}

impl RuleSets {
    /// Every rule set.
    pub(crate) const ALL: RuleSets = RuleSets {
        default: true,
        items: true,
        shipments: true,
        payments: true,
    };

    /// Parses `default,items,shipments,payments` (any subset, any case); `None` means all.
    pub(crate) fn parse(text: Option<&str>) -> Result<Self, String> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Self::ALL);
        };
        let mut r = RuleSets {
            default: false,
            items: false,
            shipments: false,
            payments: false,
        };
        for part in text
            .split([',', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match part.to_ascii_lowercase().as_str() {
                "default" => r.default = true,
                "items" => r.items = true,
                "shipments" => r.shipments = true,
                "payments" => r.payments = true,
                "*" | "all" => return Ok(Self::ALL),
                other => {
                    return Err(format!(
                        "unknown rule set `{other}`: use default, items, shipments or payments"
                    ));
                }
            }
        }
        Ok(r)
    }
}

fn price_changed(item: &LineItem, line: &LineResult) -> Option<(String, String)> {
    if item.manual_price.is_some() || !line.product_available {
        return None;
    }
    let (old, new) = (item.captured_price?, line.catalog_sale?);
    (old != new).then(|| (old.normalize().to_string(), new.normalize().to_string()))
}

fn unavailable(item: &LineItem) -> Warning {
    Warning::line(
        PRODUCT_UNAVAILABLE,
        format!("The product {} is no longer available", item.sku),
        &item.id,
        vec![("productId".into(), item.product_id.clone())],
    )
}

fn changed(item: &LineItem, old: String, new: String) -> Warning {
    Warning::line(
        PRICE_CHANGED,
        format!("The price of {} changed from {old} to {new}", item.sku),
        &item.id,
        vec![("oldPrice".into(), old), ("newPrice".into(), new)],
    )
}

/// Warnings derived from the catalogue: lines whose product became unavailable, or whose
/// price changed, since the customer last saw them.
pub(crate) fn derived_warnings(doc: &CartDoc, eval: &Evaluation) -> Vec<Warning> {
    let mut out = Vec::new();
    for (item, line) in doc.items.iter().zip(&eval.lines) {
        if item.captured_available && !line.product_available {
            out.push(unavailable(item));
        } else if let Some((old, new)) = price_changed(item, line) {
            out.push(changed(item, old, new));
        }
    }
    out
}

/// Re-captures what the customer sees now (prices and availability): clears derived warnings.
pub(crate) fn recapture(doc: &mut CartDoc, eval: &Evaluation) {
    for (item, line) in doc.items.iter_mut().zip(&eval.lines) {
        item.captured_available = line.product_available;
        if let Some(s) = line.catalog_sale {
            item.captured_price = Some(s);
        }
    }
}

/// Problems of one line (shown on the line item and in the cart's `items` rule set).
pub(crate) fn line_errors(
    item: &LineItem,
    line: &LineResult,
    product: Option<&Product>,
    cart_type: &str,
) -> Vec<Warning> {
    let mut out = Vec::new();
    if !line.product_available {
        out.push(unavailable(item));
        return out;
    }
    if let Some((old, new)) = price_changed(item, line) {
        out.push(changed(item, old, new));
    }
    if cart_type != TYPE_WISHLIST
        && let Some(p) = product
        && i64::from(item.quantity) > p.in_stock
    {
        out.push(Warning::line(
            INSUFFICIENT_STOCK,
            format!(
                "Only {} of {} in stock, {} in the cart",
                p.in_stock, item.sku, item.quantity
            ),
            &item.id,
            vec![("availableQuantity".into(), p.in_stock.to_string())],
        ));
    }
    out
}

/// Validation errors of the cart for `rules`.
pub(crate) fn validation_errors(
    cart_id: &str,
    cart_type: &str,
    doc: &CartDoc,
    eval: &Evaluation,
    products: &HashMap<String, Product>,
    rules: RuleSets,
) -> Vec<Warning> {
    let mut out = Vec::new();
    let wishlist = cart_type == TYPE_WISHLIST;
    if rules.default && !wishlist {
        if eval.has_physical_products && doc.shipments.is_empty() {
            let message = "The cart has physical products but no shipment".into();
            out.push(Warning::about(SHIPMENT_REQUIRED, message, "Cart", cart_id));
        }
        if !doc.items.is_empty() && doc.payments.is_empty() {
            let message = "The cart has no payment".into();
            out.push(Warning::about(PAYMENT_REQUIRED, message, "Cart", cart_id));
        }
    }
    if rules.items {
        for (item, line) in doc.items.iter().zip(&eval.lines) {
            out.extend(line_errors(
                item,
                line,
                products.get(&item.product_id),
                cart_type,
            ));
        }
    }
    // A shipment or payment whose method the store does not offer (any longer).
    let unavailable = |code: &str, what: &str, method: &Option<String>, kind: &str, id: &str| {
        let method = method.as_deref().unwrap_or("(none)");
        Warning::about(
            code,
            format!("{what} method {method} is not available"),
            kind,
            id,
        )
    };
    if rules.shipments && !wishlist {
        for (s, r) in doc.shipments.iter().zip(&eval.shipments) {
            if !r.method_available {
                let (code, method) = (SHIPMENT_METHOD_UNAVAILABLE, &s.method_code);
                out.push(unavailable(code, "Shipping", method, "Shipment", &s.id));
            }
        }
    }
    if rules.payments && !wishlist {
        for (p, r) in doc.payments.iter().zip(&eval.payments) {
            if !r.method_available {
                let (code, method) = (PAYMENT_METHOD_UNAVAILABLE, &p.gateway_code);
                out.push(unavailable(code, "Payment", method, "Payment", &p.id));
            }
        }
    }
    out
}

/// Caps `requested` to `in_stock` for a cart line; returns the quantity and a warning when
/// capped. Wishlists are not capped.
pub(crate) fn cap_to_stock(
    item: &LineItem,
    requested: i32,
    in_stock: i64,
    cart_type: &str,
) -> (i32, Option<Warning>) {
    if cart_type == TYPE_WISHLIST || i64::from(requested) <= in_stock {
        return (requested, None);
    }
    let capped = i32::try_from(in_stock.max(0)).unwrap_or(i32::MAX);
    (
        capped,
        Some(Warning::line(
            QUANTITY_CAPPED,
            format!(
                "Only {in_stock} of {} in stock: the quantity was set to {capped} instead of {requested}",
                item.sku
            ),
            &item.id,
            vec![
                ("requestedQuantity".into(), requested.to_string()),
                ("availableQuantity".into(), in_stock.to_string()),
            ],
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_sets_parse() {
        assert_eq!(RuleSets::parse(None), Ok(RuleSets::ALL));
        let r = RuleSets::parse(Some("Items, payments")).unwrap_or(RuleSets::ALL);
        assert!(r.items && r.payments && !r.default && !r.shipments);
        assert!(RuleSets::parse(Some("items,bogus")).is_err());
    }

    #[test]
    fn capping() {
        let item = LineItem {
            id: "l".into(),
            sku: "S".into(),
            ..LineItem::default()
        };
        assert_eq!(cap_to_stock(&item, 3, 5, "cart"), (3, None));
        let (q, w) = cap_to_stock(&item, 7, 5, "cart");
        assert_eq!(q, 5);
        assert_eq!(w.map(|w| w.code), Some(QUANTITY_CAPPED.to_string()));
        assert_eq!(cap_to_stock(&item, 7, 5, "wishlist"), (7, None));
    }
}
