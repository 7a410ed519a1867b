//! Stored carts as the generated GraphQL types, for the cart and the cart-admin endpoints alike:
//! cart admin reuses the shop API's generated types (`extern_types` in server-stubs' build
//! script), so `cart_admin::Cart` is `shop::Cart`. Money leaves exact decimals only here, as the
//! wire's floats.

use shopql_server_stubs::shop as api;

use crate::apis::shop::catalogue::{CatalogueImage, ImageSize, localized};
use crate::apis::shop::model::{
    AddressDoc, CartRecord, CartState, CustomerDoc, LineDoc, Origin, StringMap,
};
use crate::apis::{enum_mapping, listed};
use crate::clock::rfc3339;
use crate::domain::money::to_wire_float;
use crate::domain::pricing::{Amounts, DiscountAmount, MechanismKind};

/// The `Cart` of a stored cart, as seen at `now_ms`.
pub(crate) fn cart(record: &CartRecord, now_ms: i64) -> api::Cart {
    let doc = &record.doc;
    let currency = doc.context.price.currency.as_str();
    let language = doc.context.language.as_str();
    api::Cart {
        id: record.id.clone(),
        state: state(record.state),
        context: doc.context.to_json(),
        created_at: rfc3339(record.created_at),
        updated_at: rfc3339(record.updated_at),
        expires_at: rfc3339(record.expires_at),
        stale_at: record.stale_at.map(rfc3339),
        is_expired: record.is_expired(now_ms),
        is_stale: record.is_stale(now_ms),
        items: doc
            .items
            .iter()
            .map(|l| item(l, currency, language))
            .collect(),
        total: price(&doc.total, currency),
        customer: doc.customer.as_ref().map(customer),
        order_id: record.order_id.clone(),
        applied_promotions: Some(
            doc.applied_promotions
                .iter()
                .map(|p| api::PromotionSlim {
                    identifier: p.identifier.clone(),
                    name: p.name.clone(),
                    mechanism: Some(api::PromotionSlimMechanism {
                        r#type: Some(mechanism(p.kind)),
                        value: Some(to_wire_float(p.value)),
                    }),
                })
                .collect(),
        ),
        meta: doc.meta.clone(),
    }
}

enum_mapping!(state, state_of: CartState => api::CartState {
    Cart, Placed, Paid, Ordered, Abandoned
});

enum_mapping!(mechanism, mechanism_kind: MechanismKind => api::MechanismEnumType {
    DynamicFixed, Fixed, Percentage, XforY
});

fn discount(d: &DiscountAmount) -> api::Discount {
    api::Discount {
        amount: to_wire_float(d.amount),
        percent: to_wire_float(d.percent),
    }
}

/// A `Price` of rounded amounts.
pub(crate) fn price(a: &Amounts, currency: &str) -> api::Price {
    api::Price {
        gross: to_wire_float(a.gross),
        net: to_wire_float(a.net),
        tax_amount: to_wire_float(a.tax),
        currency: currency.to_string(),
        discounts: Some(a.discounts.iter().map(discount).collect()),
    }
}

fn image_size(
    url: &str,
    key: &str,
    alt: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
) -> api::ImageVariant {
    api::ImageVariant {
        url: url.to_string(),
        key: key.to_string(),
        alt_text: alt,
        width,
        height,
    }
}

fn image(i: &CatalogueImage, language: &str) -> api::Image {
    let alt = localized(&i.alt, language);
    api::Image {
        url: i.url.clone(),
        key: i.key.clone(),
        alt_text: alt.clone(),
        width: i.width,
        height: i.height,
        variants: Some(sizes(i, &alt)),
    }
}

/// The resized variants of an image, with its alt text.
fn sizes(i: &CatalogueImage, alt: &Option<String>) -> Vec<api::ImageVariant> {
    let size = |v: &ImageSize| image_size(&v.url, &v.key, alt.clone(), v.width, v.height);
    i.variants.iter().map(size).collect()
}

/// `CartItem.images`: the given images of caller-described lines, the resized variants of a
/// catalogue variant's images (the image itself when it has none).
fn item_images(l: &LineDoc, language: &str) -> Vec<api::ImageVariant> {
    let mut out = Vec::new();
    for i in &l.images {
        let alt = localized(&i.alt, language);
        if i.variants.is_empty() {
            out.push(image_size(&i.url, &i.key, alt, i.width, i.height));
        } else {
            out.extend(sizes(i, &alt));
        }
    }
    out
}

fn item(l: &LineDoc, currency: &str, language: &str) -> api::CartItem {
    let priced = l.priced.clone().unwrap_or_default();
    let context = [
        ("origin", serde_json::Value::from(l.origin.as_str())),
        ("managed", serde_json::Value::from(l.managed)),
        (
            "taxRate",
            serde_json::Value::from(to_wire_float(priced.tax_rate)),
        ),
    ];
    api::CartItem {
        name: l.name.clone(),
        quantity: l.quantity,
        price: price(&priced.line, currency),
        variant: api::ProductVariant {
            name: l.variant_name.clone().or_else(|| Some(l.name.clone())),
            sku: Some(l.sku.clone()),
            price: price(&priced.unit, currency),
            compare_at_price: priced.compare_at_unit.as_ref().map(|a| price(a, currency)),
            images: Some(l.images.iter().map(|i| image(i, language)).collect()),
            product: api::Product {
                id: l.product.id.clone(),
                name: l.product.name.clone(),
                path: l.product.path.clone(),
                shortcuts: l.product.shortcuts.clone(),
                topics: l.product.topics.clone(),
                vat_type: match l.origin {
                    Origin::Crystallize => l.product.vat_percent.map(|p| api::VatType {
                        percent: to_wire_float(p),
                    }),
                    Origin::External => None,
                },
            },
            attributes: l.attributes.clone(),
        },
        images: Some(item_images(l, language)),
        context: Some(
            context
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        ),
        meta: l.meta.clone(),
    }
}

fn address(a: &AddressDoc) -> api::Address {
    api::Address {
        r#type: a.address_type.as_deref().and_then(|t| match t {
            "billing" => Some(api::AddressType::Billing),
            "delivery" => Some(api::AddressType::Delivery),
            "other" => Some(api::AddressType::Other),
            _ => None,
        }),
        first_name: a.first_name.clone(),
        middle_name: a.middle_name.clone(),
        last_name: a.last_name.clone(),
        street: a.street.clone(),
        street2: a.street2.clone(),
        street_number: a.street_number.clone(),
        postal_code: a.postal_code.clone(),
        city: a.city.clone(),
        state: a.state.clone(),
        country: a.country.clone(),
        phone: a.phone.clone(),
        email: a.email.clone(),
        meta: a.meta.clone(),
    }
}

fn customer(c: &CustomerDoc) -> api::Customer {
    api::Customer {
        is_guest: c.is_guest,
        identifier: c.identifier.clone(),
        first_name: c.first_name.clone(),
        middle_name: c.middle_name.clone(),
        last_name: c.last_name.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        birth_date: c.birth_date.clone(),
        company_name: c.company_name.clone(),
        tax_number: c.tax_number.clone(),
        r#type: c.customer_type.as_deref().and_then(|t| match t {
            "individual" => Some(api::CustomerType::Individual),
            "organization" => Some(api::CustomerType::Organization),
            _ => None,
        }),
        addresses: listed(&c.addresses, address),
        external_references: c.external_references.clone(),
        meta: c.meta.clone(),
    }
}

/// One value of a JSON object of strings (`metaProperty`, `attribute`, `externalReference`).
pub(crate) fn value_of(map: Option<&StringMap>, key: &str) -> Option<String> {
    map.and_then(|m| m.get(key)).map(|v| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}
