//! From a priced cart ([`CartView`]) to the GraphQL types.

use rust_decimal::Decimal;
use shopql_server_stubs::purchase::{
    CartAddressType, CartType, CommonVendor, CouponType, CurrencyType, DictionaryItemType,
    DiscountType, DynamicPropertyType, DynamicPropertyValueType, ErrorParameterType, LineItemType,
    MoneyType, PaymentMethodType, PaymentType, Product as ProductType, ShipmentType,
    ShippingMethodType, TaxDetailType, ValidationErrorType, WishlistType,
};
use shopql_server_stubs::scalars::Decimal as Dec;

use crate::clock::rfc3339;
use crate::domain::purchase::cart::{Address, PropertyValue, Warning};
use crate::domain::purchase::money::{Currency, format};
use crate::domain::purchase::promotions::AppliedDiscount;
use crate::domain::purchase::properties::{ObjectType, PropertyDefinition, shown};
use crate::domain::purchase::totals::{
    ChargeResult, LineResult, TaxLine, payment_quotes, shipping_quotes,
};
use crate::domain::purchase::validation::{derived_warnings, line_errors};

use super::cache::CartView;

/// `$ty { $field: $value, … }` plus the fields every priced charge (`$c`: a shipment, a
/// payment, or a method's quote for one) shows in `$v`'s currency; `taxed` adds its taxes.
macro_rules! charge {
    (taxed $ty:ident($c:ident, $v:ident) { $($field:ident: $value:expr),* $(,)? }) => {
        charge!($ty($c, $v) {
            tax_total: m($c.tax_total, $v),
            tax_percent_rate: dec($c.tax_rate),
            tax_type: Some($c.tax_type.clone()),
            tax_details: Some(charge_tax_details($c, $v)),
            $($field: $value),*
        })
    };
    ($ty:ident($c:ident, $v:ident) { $($field:ident: $value:expr),* $(,)? }) => {
        $ty {
            currency: Some(currency(&$v.currency)),
            price: m($c.price, $v),
            price_with_tax: m($c.price_with_tax, $v),
            total: m($c.total, $v),
            total_with_tax: m($c.total_with_tax, $v),
            discount_amount: m($c.discount, $v),
            discount_amount_with_tax: m($c.discount_with_tax, $v),
            $($field: $value),*
        }
    };
}

const LINE_ITEM_OBJECT_TYPE: &str = "VirtoCommerce.CartModule.Core.Model.LineItem";

/// The currency as shown.
pub(crate) fn currency(c: &Currency) -> CurrencyType {
    CurrencyType {
        code: c.code.clone(),
        symbol: Some(c.symbol.clone()),
        exchange_rate: Some(Dec(c.exchange_rate.normalize())),
        custom_formatting: c.custom_formatting.clone(),
    }
}

/// An amount of the view's currency, formatted for its culture.
pub(crate) fn money(amount: Decimal, v: &CartView) -> MoneyType {
    money_in(amount, &v.currency, &v.culture)
}

fn money_in(amount: Decimal, c: &Currency, culture: &str) -> MoneyType {
    let amount = c.round(amount);
    MoneyType {
        amount: Dec(amount.normalize()),
        currency: Some(currency(c)),
        decimal_digits: i32::try_from(c.digits).unwrap_or(2),
        formatted_amount: format(amount, c, culture, true, true),
        formatted_amount_without_currency: format(amount, c, culture, false, true),
        formatted_amount_without_point: format(amount, c, culture, true, false),
        formatted_amount_without_point_and_currency: format(amount, c, culture, false, false),
    }
}

fn m(amount: Decimal, v: &CartView) -> Option<MoneyType> {
    Some(money(amount, v))
}

fn dec(d: Decimal) -> Option<Dec> {
    Some(Dec(d.normalize()))
}

fn discount(d: &AppliedDiscount, v: &CartView) -> Option<DiscountType> {
    Some(DiscountType {
        coupon: d.coupon.clone(),
        description: Some(d.description.clone()),
        promotion_id: Some(d.promotion_id.clone()),
        amount: dec(d.amount),
        money_amount: m(d.amount, v),
        amount_with_tax: dec(d.amount_with_tax),
        money_amount_with_tax: m(d.amount_with_tax, v),
    })
}

fn tax_detail(
    name: &str,
    rate: Decimal,
    price: Decimal,
    amount: Decimal,
    v: &CartView,
) -> Option<TaxDetailType> {
    Some(TaxDetailType {
        amount: m(amount, v),
        price: m(price, v),
        rate: Some(MoneyType {
            amount: Dec(rate.normalize()),
            ..money(rate, v)
        }),
        name: Some(name.to_string()),
    })
}

fn charge_tax_details(c: &ChargeResult, v: &CartView) -> Vec<Option<TaxDetailType>> {
    if c.total.is_zero() && c.tax_total.is_zero() {
        return vec![];
    }
    vec![tax_detail(&c.tax_name, c.tax_rate, c.total, c.tax_total, v)]
}

/// A warning or validation error as shown.
pub(crate) fn warning(w: &Warning) -> Option<ValidationErrorType> {
    Some(ValidationErrorType {
        error_code: Some(w.code.clone()),
        error_message: Some(w.message.clone()),
        object_id: w.object_id.clone(),
        object_type: w.object_type.clone(),
        error_parameters: Some(
            w.params
                .iter()
                .map(|(k, v)| {
                    Some(ErrorParameterType {
                        key: k.clone(),
                        value: v.clone(),
                    })
                })
                .collect(),
        ),
    })
}

/// An address as shown.
pub(crate) fn address(a: &Address) -> CartAddressType {
    CartAddressType {
        id: a.id.clone(),
        key: a.key.clone(),
        city: a.city.clone(),
        country_code: a.country_code.clone(),
        country_name: a.country_name.clone(),
        email: a.email.clone(),
        first_name: a.first_name.clone(),
        middle_name: a.middle_name.clone(),
        last_name: a.last_name.clone(),
        line1: a.line1.clone(),
        line2: a.line2.clone(),
        name: a.name.clone(),
        organization: a.organization.clone(),
        phone: a.phone.clone(),
        postal_code: a.postal_code.clone().unwrap_or_default(),
        region_id: a.region_id.clone(),
        region_name: a.region_name.clone(),
        zip: a.zip.clone(),
        outer_id: a.outer_id.clone(),
        address_type: a.address_type,
    }
}

/// Line `i` of the view.
pub(crate) fn line_item(v: &CartView, i: usize) -> Option<LineItemType> {
    let item = v.row.doc.items.get(i)?;
    let r: &LineResult = v.eval.lines.get(i)?;
    let product = v.products.get(&item.product_id);
    let settings = &v.catalog.settings;
    let errors = line_errors(item, r, product, &v.row.cart_type);
    let name = product
        .map(|p| p.name_in(&v.culture, &settings.default_language))
        .unwrap_or_else(|| item.name.clone());
    let tax_details = if r.extended.is_zero() && r.tax_total.is_zero() {
        vec![]
    } else {
        vec![tax_detail(
            &r.tax_name,
            r.tax_rate,
            r.extended - r.cart_discount_share,
            r.tax_total,
            v,
        )]
    };
    Some(LineItemType {
        id: item.id.clone(),
        product_id: Some(item.product_id.clone()),
        sku: Some(product.map_or_else(|| item.sku.clone(), |p| p.sku.clone())),
        name: Some(name),
        quantity: Some(item.quantity),
        catalog_id: product.and_then(|p| p.catalog_id.clone()),
        category_id: product.and_then(|p| p.category_id.clone()),
        created_date: Some(rfc3339(item.created_ms)),
        image_url: product.and_then(|p| p.image_url.clone()),
        thumbnail_image_url: product.and_then(|p| p.image_url.clone()),
        is_gift: Some(false),
        is_read_only: Some(false),
        is_reccuring: Some(false),
        language_code: Some(v.culture.clone()),
        note: item.note.clone(),
        comment: item.note.clone(),
        object_type: Some(LINE_ITEM_OBJECT_TYPE.into()),
        product_type: product.map(|p| p.product_type.clone()),
        required_shipping: Some(r.physical),
        shipment_method_code: None,
        tax_percent_rate: dec(r.tax_rate),
        tax_type: Some(r.tax_type.clone()),
        height: None,
        length: None,
        width: None,
        measure_unit: None,
        volumetric_weight: None,
        weight: product.and_then(|p| p.weight).map(|w| Dec(w.normalize())),
        weight_unit: Some(settings.weight_unit.clone()),
        fulfillment_center_id: settings.fulfillment_center.as_ref().map(|f| f.0.clone()),
        fulfillment_center_name: settings.fulfillment_center.as_ref().map(|f| f.1.clone()),
        in_stock_quantity: product.map(|p| i32::try_from(p.in_stock).unwrap_or(i32::MAX)),
        warehouse_location: None,
        is_valid: Some(errors.is_empty()),
        validation_errors: Some(errors.iter().map(warning).collect()),
        discounts: Some(r.discounts.iter().map(|d| discount(d, v)).collect()),
        tax_details: Some(tax_details),
        discount_amount: m(r.discount_amount, v),
        discount_amount_with_tax: m(r.discount_amount_with_tax, v),
        discount_total: m(r.discount_total, v),
        discount_total_with_tax: m(r.discount_total_with_tax, v),
        extended_price: m(r.extended, v),
        extended_price_with_tax: m(r.extended_with_tax, v),
        list_price: m(r.list, v),
        list_price_with_tax: m(r.list_with_tax, v),
        placed_price: m(r.placed, v),
        placed_price_with_tax: m(r.placed_with_tax, v),
        sale_price: m(r.sale, v),
        sale_price_with_tax: m(r.sale_with_tax, v),
        tax_total: m(r.tax_total, v),
        product: product.map(|p| ProductType {
            id: p.id.clone(),
            code: p.sku.clone(),
            name: p.name_in(&v.culture, &settings.default_language),
            img_src: p.image_url.clone(),
            outer_id: p.outer_id.clone(),
            is_active: Some(p.is_active),
        }),
        vendor: product.and_then(|p| {
            p.vendor.as_ref().map(|(id, name)| CommonVendor {
                id: id.clone(),
                name: name.clone(),
            })
        }),
    })
}

fn vendor(id: &Option<String>) -> Option<CommonVendor> {
    id.as_ref().map(|id| CommonVendor {
        id: id.clone(),
        name: id.clone(),
    })
}

fn shipment(v: &CartView, i: usize) -> Option<ShipmentType> {
    let s = v.row.doc.shipments.get(i)?;
    let c = v.eval.shipments.get(i)?;
    Some(charge!(taxed ShipmentType(c, v) {
        id: Some(s.id.clone()),
        shipment_method_code: s.method_code.clone(),
        shipment_method_option: s.method_option.clone(),
        fulfillment_center_id: s.fulfillment_center_id.clone(),
        delivery_address: s.delivery_address.as_ref().map(address),
        volumetric_weight: s.volumetric_weight.map(|d| Dec(d.normalize())),
        weight_unit: s.weight_unit.clone(),
        weight: s.weight.map(|d| Dec(d.normalize())),
        measure_unit: s.measure_unit.clone(),
        height: s.height.map(|d| Dec(d.normalize())),
        length: s.length.map(|d| Dec(d.normalize())),
        width: s.width.map(|d| Dec(d.normalize())),
        items: Some(vec![]),
        discounts: Some(c.discounts.iter().map(|d| discount(d, v)).collect()),
        comment: s.comment.clone(),
        vendor: vendor(&s.vendor_id),
    }))
}

fn payment(v: &CartView, i: usize) -> Option<PaymentType> {
    let p = v.row.doc.payments.get(i)?;
    let c = v.eval.payments.get(i)?;
    Some(charge!(taxed PaymentType(c, v) {
        id: Some(p.id.clone()),
        outer_id: p.outer_id.clone(),
        payment_gateway_code: p.gateway_code.clone(),
        purpose: p.purpose.clone(),
        amount: m(p.amount.unwrap_or(v.eval.totals.total), v),
        billing_address: p.billing_address.as_ref().map(address),
        discounts: Some(c.discounts.iter().map(|d| discount(d, v)).collect()),
        comment: p.comment.clone(),
        vendor: vendor(&p.vendor_id),
    }))
}

fn tax_details(lines: &[TaxLine], v: &CartView) -> Vec<Option<TaxDetailType>> {
    lines
        .iter()
        .map(|t| tax_detail(&t.name, t.rate, t.price, t.amount, v))
        .collect()
}

/// The warnings shown: those of the last mutation, then those derived from the catalogue.
pub(crate) fn warnings(v: &CartView) -> Vec<Warning> {
    let mut out = v.row.doc.warnings.clone();
    for w in derived_warnings(&v.row.doc, &v.eval) {
        if !out
            .iter()
            .any(|x| x.code == w.code && x.object_id == w.object_id)
        {
            out.push(w);
        }
    }
    out
}

/// The cart as shown (lazy fields are resolved separately).
pub(crate) fn cart(v: &CartView) -> CartType {
    let doc = &v.row.doc;
    let e = &v.eval;
    let t = &e.totals;
    let (items_count, items_quantity) = doc.counts();
    CartType {
        id: Some(v.row.id.clone()),
        name: v.row.name.clone(),
        status: Some(v.row.status.clone()),
        store_id: Some(v.row.store_id.clone()),
        channel_id: None,
        has_physical_products: Some(e.has_physical_products),
        is_anonymous: Some(v.row.is_anonymous),
        customer_id: Some(v.row.user_id.clone()),
        customer_name: Some(v.customer_name.clone()),
        organization_id: None,
        is_recuring: Some(false),
        comment: doc.comment.clone(),
        purchase_order_number: None,
        volumetric_weight: None,
        weight_unit: Some(v.catalog.settings.weight_unit.clone()),
        weight: dec(e.weight),
        total: m(t.total, v),
        sub_total: m(t.sub_total, v),
        sub_total_with_tax: m(t.sub_total_with_tax, v),
        extended_price_total: m(t.extended_price_total, v),
        extended_price_total_with_tax: m(t.extended_price_total_with_tax, v),
        currency: Some(currency(&v.currency)),
        tax_total: m(t.tax_total, v),
        tax_percent_rate: dec(e.tax_percent_rate),
        tax_type: None,
        tax_details: Some(tax_details(&e.tax_details, v)),
        fee: m(t.fee, v),
        shipping_price: m(t.shipping_price, v),
        shipping_price_with_tax: m(t.shipping_price_with_tax, v),
        shipping_total: m(t.shipping_total, v),
        shipping_total_with_tax: m(t.shipping_total_with_tax, v),
        shipments: Some((0..doc.shipments.len()).map(|i| shipment(v, i)).collect()),
        payment_price: m(t.payment_price, v),
        payment_price_with_tax: m(t.payment_price_with_tax, v),
        payment_total: m(t.payment_total, v),
        payment_total_with_tax: m(t.payment_total_with_tax, v),
        payments: Some((0..doc.payments.len()).map(|i| payment(v, i)).collect()),
        handling_total: m(t.handling_total, v),
        handling_total_with_tax: m(t.handling_total, v),
        discount_total: m(t.discount_total, v),
        discount_total_with_tax: m(t.discount_total_with_tax, v),
        sub_total_discount: m(t.sub_total_discount, v),
        sub_total_discount_with_tax: m(t.sub_total_discount_with_tax, v),
        discounts: Some(e.cart_discounts.iter().map(|d| discount(d, v)).collect()),
        addresses: Some(doc.addresses.iter().map(|a| Some(address(a))).collect()),
        gifts: Some(vec![]),
        available_gifts: Some(vec![]),
        items: Some((0..doc.items.len()).map(|i| line_item(v, i)).collect()),
        items_count: Some(items_count),
        items_quantity: Some(items_quantity),
        coupons: Some(
            e.coupons
                .iter()
                .map(|c| {
                    Some(CouponType {
                        code: Some(c.code.clone()),
                        is_applied_successfully: Some(c.applied),
                    })
                })
                .collect(),
        ),
        r#type: Some(v.row.cart_type.clone()),
        warnings: Some(warnings(v).iter().map(warning).collect()),
    }
}

/// The cart as a wishlist.
pub(crate) fn wishlist(v: &CartView) -> WishlistType {
    let (items_count, _) = v.row.doc.counts();
    WishlistType {
        id: Some(v.row.id.clone()),
        name: v.row.name.clone(),
        store_id: Some(v.row.store_id.clone()),
        customer_id: Some(v.row.user_id.clone()),
        customer_name: Some(v.customer_name.clone()),
        currency: Some(currency(&v.currency)),
        items: Some(
            (0..v.row.doc.items.len())
                .map(|i| line_item(v, i))
                .collect(),
        ),
        items_count: Some(items_count),
    }
}

/// The shipping methods offered for the cart, priced for it.
pub(crate) fn shipping_methods(v: &CartView) -> Vec<Option<ShippingMethodType>> {
    shipping_quotes(&v.row.doc, &v.eval, &v.input())
        .into_iter()
        .map(|q| {
            let c = &q.charge;
            Some(charge!(ShippingMethodType(c, v) {
                id: Some(format!("{}_{}", q.method.code, q.method.option_name)),
                code: Some(q.method.code.clone()),
                logo_url: q.method.logo_url.clone(),
                option_name: Some(q.method.option_name.clone()),
                option_description: Some(q.method.description.clone()),
                priority: Some(q.method.priority),
            }))
        })
        .collect()
}

/// The payment methods offered for the cart, with their fees.
pub(crate) fn payment_methods(v: &CartView) -> Vec<Option<PaymentMethodType>> {
    payment_quotes(&v.row.doc, &v.input())
        .into_iter()
        .map(|q| {
            let c = &q.charge;
            Some(charge!(taxed PaymentMethodType(c, v) {
                code: Some(q.method.code.clone()),
                name: Some(q.method.name.clone()),
                logo_url: q.method.logo_url.clone(),
                description: Some(q.method.description.clone()),
                payment_method_type: Some(q.method.method_type.clone()),
                payment_method_group_type: Some(q.method.group_type.clone()),
                priority: Some(q.method.priority),
                is_available_for_partial: Some(q.method.partial),
            }))
        })
        .collect()
}

fn definition(d: &PropertyDefinition) -> DynamicPropertyType {
    DynamicPropertyType {
        id: d.id.clone(),
        name: d.name.clone(),
        value_type: d.value_type.as_str().to_string(),
        is_array: Some(d.is_array),
        is_dictionary: Some(d.is_dictionary),
        is_multilingual: Some(d.is_multilingual),
        is_required: Some(d.is_required),
    }
}

/// Dynamic property values of an object, for `cultureName` (see the schema).
pub(crate) fn dynamic_properties(
    values: &[PropertyValue],
    v: &CartView,
    object_type: ObjectType,
    culture: Option<&str>,
) -> Vec<Option<DynamicPropertyValueType>> {
    let filter = culture.map(|c| v.catalog.culture(Some(c)));
    let label_culture = filter.clone().unwrap_or_else(|| v.culture.clone());
    shown(
        values,
        &v.catalog.properties,
        object_type,
        filter.as_deref(),
        &label_culture,
    )
    .into_iter()
    .map(|s| {
        Some(DynamicPropertyValueType {
            name: Some(s.value.name.clone()),
            value_type: s.definition.map(|d| d.value_type.as_str().to_string()),
            value: Some(s.value.value.clone()),
            dictionary_item: s.dictionary_item.map(|(item, label)| DictionaryItemType {
                id: item.id.clone(),
                name: item.name.clone(),
                label,
            }),
            dynamic_property: s.definition.map(definition),
        })
    })
    .collect()
}
