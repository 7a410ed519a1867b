//! `orderIntent`: a placed cart shaped for order creation (`OrderIntentResult.order`), in the
//! `core` shape (prices with `taxAmount`, lines with `subTotal`) or the older `legacy` one
//! (prices with `tax: { name: "VAT", percent }`).

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Value, json};

use super::model::{CartRecord, CustomerDoc};
use crate::domain::money::to_wire_float;
use crate::domain::pricing::Amounts;

/// The order shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Crystallize Core API.
    Core,
    /// The older Order API.
    Legacy,
}

fn money(d: Decimal) -> Value {
    Value::from(to_wire_float(d))
}

fn price(a: &Amounts, currency: &str, tax_percent: Decimal, format: Format) -> Value {
    let discounts: Vec<Value> = a
        .discounts
        .iter()
        .map(|d| json!({ "amount": money(d.amount), "percent": money(d.percent) }))
        .collect();
    let mut price = json!({
        "gross": money(a.gross),
        "net": money(a.net),
        "currency": currency,
        "discounts": discounts,
    });
    match format {
        Format::Core => price["taxAmount"] = money(a.tax),
        Format::Legacy => price["tax"] = json!({ "name": "VAT", "percent": money(tax_percent) }),
    }
    price
}

fn percent_of_rate(rate: Decimal) -> Decimal {
    (rate * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

fn customer(c: &CustomerDoc) -> Value {
    let addresses: Vec<Value> = c
        .addresses
        .iter()
        .flatten()
        .map(|a| {
            json!({
                "type": a.address_type,
                "firstName": a.first_name,
                "middleName": a.middle_name,
                "lastName": a.last_name,
                "street": a.street,
                "street2": a.street2,
                "streetNumber": a.street_number,
                "postalCode": a.postal_code,
                "city": a.city,
                "state": a.state,
                "country": a.country,
                "phone": a.phone,
                "email": a.email,
            })
        })
        .collect();
    json!({
        "identifier": c.identifier,
        "firstName": c.first_name,
        "middleName": c.middle_name,
        "lastName": c.last_name,
        "email": c.email,
        "phone": c.phone,
        "companyName": c.company_name,
        "taxNumber": c.tax_number,
        "type": c.customer_type,
        "isGuest": c.is_guest,
        "addresses": addresses,
    })
}

/// The order intent of `cart`.
pub(crate) fn order(cart: &CartRecord, format: Format) -> Map<String, Value> {
    let doc = &cart.doc;
    let currency = doc.context.price.currency.as_str();
    let lines: Vec<Value> = doc
        .items
        .iter()
        .map(|l| {
            let priced = l.priced.clone().unwrap_or_default();
            let tax_percent = percent_of_rate(priced.tax_rate);
            let mut line = json!({
                "sku": l.sku,
                "name": l.name,
                "quantity": l.quantity,
                "imageUrl": l.images.first().map(|i| &i.url),
                "price": price(&priced.unit, currency, tax_percent, format),
            });
            if format == Format::Core {
                line["subTotal"] = price(&priced.line, currency, tax_percent, format);
            }
            line
        })
        .collect();
    // The cart-wide tax percent of the legacy shape: tax over net of the whole cart.
    let total_percent = if doc.total.net.is_zero() {
        Decimal::ZERO
    } else {
        (doc.total.tax * Decimal::ONE_HUNDRED / doc.total.net)
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    };
    let mut meta: Vec<Value> = doc
        .meta
        .iter()
        .flatten()
        .map(|(k, v)| {
            json!({ "key": k, "value": v.as_str().map_or_else(|| v.to_string(), str::to_string) })
        })
        .collect();
    meta.push(json!({ "key": "cartId", "value": cart.id }));
    let order = [
        ("customer", json!(doc.customer.as_ref().map(customer))),
        ("cart", Value::Array(lines)),
        ("total", price(&doc.total, currency, total_percent, format)),
        ("meta", Value::Array(meta)),
    ];
    order.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}
