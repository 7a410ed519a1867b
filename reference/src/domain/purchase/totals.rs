//! The pricing of a cart: one pure function, [`evaluate`], from the stored cart and the store's
//! catalogue to every price, discount, tax and total the API shows.
//!
//! All amounts are in the cart's currency, rounded to its digits half away from zero
//! (`R(x)` below, see [`super::money`]). For a line with quantity `q`:
//! - unit list price `L` and sale price `S`: a manual price sets both; otherwise the catalogue
//!   price in the cart's currency, or the default-currency price converted (`S ≤ L`). A product
//!   that is gone or inactive keeps the price the customer last saw.
//! - promotion discount `P` of the whole line (item rewards: percent, fixed per unit, free units),
//!   at most `S·q`.
//! - `discountTotal = (L − S)·q + P` (sale savings count as a discount, as in the real service),
//!   `discountAmount = R(discountTotal / q)` per unit.
//! - `extendedPrice E = S·q − P`, `placedPrice = R(E / q)`.
//! - tax rate `r` by the product's tax type and the cart's tax address (first shipment's delivery
//!   address, else the cart's shipping, then billing address, else none). `X withTax = X + R(X·r)`.
//! - cart rewards (percent of `ΣE`, fixed amounts) give a cart discount `C ≤ ΣE`, spread over the
//!   lines in proportion to `E` (largest remainder, in minor units) as `a`; the line's tax is
//!   `R((E − a)·r)`: tax is charged on what is paid.
//! - shipments: method price (`base + perKg × cart weight`, converted) unless overridden, minus
//!   shipping rewards, taxed at the shipping tax type's rate; payments likewise with the method's
//!   fee and the payment tax type.
//! - `subTotal = ΣL·q`, `subTotalDiscount = ΣdiscountTotal + C`,
//!   `total = ΣE − C + shippingTotal + paymentTotal + taxTotal` (handling and fee are 0), so
//!   `total = subTotal − subTotalDiscount + shippingTotal + paymentTotal + taxTotal` exactly.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;

use super::cart::{ADDRESS_BILLING, ADDRESS_BILLING_AND_SHIPPING, ADDRESS_SHIPPING, CartDoc};
use super::catalog::{Product, ShippingMethod, StoreCatalog};
use super::money::{Currency, round};
use super::promotions::{AppliedDiscount, Promotion, Reward};

/// What [`evaluate`] needs besides the cart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PricingInput<'a> {
    /// The store.
    pub catalog: &'a StoreCatalog,
    /// The cart's currency.
    pub currency: &'a Currency,
    /// The products of the cart's lines, by id (missing ones are gone from the catalogue).
    pub products: &'a HashMap<String, Product>,
    /// Now, for promotion windows.
    pub now_ms: i64,
}

/// The prices of one line item.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LineResult {
    /// The product exists, is active, sold by the store and priced.
    pub product_available: bool,
    /// The catalogue's unit sale price in the cart's currency now (when available).
    pub catalog_sale: Option<Decimal>,
    pub list: Decimal,
    pub list_with_tax: Decimal,
    pub sale: Decimal,
    pub sale_with_tax: Decimal,
    pub discount_amount: Decimal,
    pub discount_amount_with_tax: Decimal,
    pub discount_total: Decimal,
    pub discount_total_with_tax: Decimal,
    pub placed: Decimal,
    pub placed_with_tax: Decimal,
    pub extended: Decimal,
    pub extended_with_tax: Decimal,
    /// Share of the cart-level discount.
    pub cart_discount_share: Decimal,
    pub tax_type: String,
    pub tax_rate: Decimal,
    pub tax_name: String,
    pub tax_total: Decimal,
    /// Promotion discounts of the line.
    pub discounts: Vec<AppliedDiscount>,
    /// A physical product.
    pub physical: bool,
    /// Weight of one unit.
    pub unit_weight: Decimal,
}

/// The prices of a shipment or payment (or of a method offered for one).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ChargeResult {
    /// The chosen method exists in the store.
    pub method_available: bool,
    pub price: Decimal,
    pub price_with_tax: Decimal,
    pub discount: Decimal,
    pub discount_with_tax: Decimal,
    pub total: Decimal,
    pub total_with_tax: Decimal,
    pub tax_type: String,
    pub tax_rate: Decimal,
    pub tax_name: String,
    pub tax_total: Decimal,
    pub discounts: Vec<AppliedDiscount>,
}

/// Whether a coupon on the cart is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CouponStatus {
    /// The code as entered.
    pub code: String,
    /// A promotion accepted it and its reward is applied now.
    pub applied: bool,
}

/// The part of the tax that comes from one rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TaxLine {
    /// Tax name.
    pub name: String,
    /// Rate.
    pub rate: Decimal,
    /// Taxable amount.
    pub price: Decimal,
    /// Tax.
    pub amount: Decimal,
}

/// Cart totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub sub_total: Decimal,
    pub sub_total_with_tax: Decimal,
    pub extended_price_total: Decimal,
    pub extended_price_total_with_tax: Decimal,
    pub sub_total_discount: Decimal,
    pub sub_total_discount_with_tax: Decimal,
    pub discount_total: Decimal,
    pub discount_total_with_tax: Decimal,
    pub shipping_price: Decimal,
    pub shipping_price_with_tax: Decimal,
    pub shipping_total: Decimal,
    pub shipping_total_with_tax: Decimal,
    pub payment_price: Decimal,
    pub payment_price_with_tax: Decimal,
    pub payment_total: Decimal,
    pub payment_total_with_tax: Decimal,
    pub handling_total: Decimal,
    pub fee: Decimal,
    pub tax_total: Decimal,
    pub total: Decimal,
}

/// Everything [`evaluate`] derives.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Evaluation {
    /// One per line item, in order.
    pub lines: Vec<LineResult>,
    /// One per shipment, in order.
    pub shipments: Vec<ChargeResult>,
    /// One per payment, in order.
    pub payments: Vec<ChargeResult>,
    /// Cart-level discounts.
    pub cart_discounts: Vec<AppliedDiscount>,
    /// The cart's coupons.
    pub coupons: Vec<CouponStatus>,
    /// Totals.
    pub totals: Totals,
    /// Tax by rate.
    pub tax_details: Vec<TaxLine>,
    /// The cart's tax rate: the one rate used, or the effective rate when several are.
    pub tax_percent_rate: Decimal,
    /// At least one physical product.
    pub has_physical_products: bool,
    /// Weight of the physical products.
    pub weight: Decimal,
    /// Ids of the promotions that apply now.
    pub applicable_promotions: Vec<String>,
}

/// `x + R(x·r)`.
fn with_tax(x: Decimal, r: Decimal, c: &Currency) -> Decimal {
    x + c.round(x * r)
}

/// The (country, region) taxes are computed for.
pub(crate) fn tax_address(doc: &CartDoc) -> (Option<&str>, Option<&str>) {
    fn from(a: &super::cart::Address) -> Option<(Option<&str>, Option<&str>)> {
        let country = a.country_code.as_deref().filter(|c| !c.is_empty())?;
        Some((
            Some(country),
            a.region_id.as_deref().filter(|r| !r.is_empty()),
        ))
    }
    doc.shipments
        .iter()
        .find_map(|s| s.delivery_address.as_ref().and_then(from))
        .or_else(|| {
            [
                ADDRESS_SHIPPING,
                ADDRESS_BILLING_AND_SHIPPING,
                ADDRESS_BILLING,
            ]
            .iter()
            .find_map(|t| {
                doc.addresses
                    .iter()
                    .filter(|a| a.address_type == Some(*t))
                    .find_map(from)
            })
        })
        .unwrap_or((None, None))
}

/// Spreads `amount` (a multiple of `unit`) over `weights` in proportion, by largest remainder.
pub(crate) fn allocate(amount: Decimal, weights: &[Decimal], unit: Decimal) -> Vec<Decimal> {
    let total: Decimal = weights.iter().copied().sum();
    if amount.is_zero() || total <= Decimal::ZERO || unit <= Decimal::ZERO {
        return vec![Decimal::ZERO; weights.len()];
    }
    let units = (amount / unit).round();
    let mut shares: Vec<(usize, Decimal, Decimal)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let exact = units * *w / total;
            let floor = exact.floor();
            (i, floor, exact - floor)
        })
        .collect();
    let given: Decimal = shares.iter().map(|s| s.1).sum();
    let mut left = units - given;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for i in order {
        if left <= Decimal::ZERO {
            break;
        }
        shares[i].1 += Decimal::ONE;
        left -= Decimal::ONE;
    }
    shares.into_iter().map(|(_, n, _)| n * unit).collect()
}

fn discount(p: &Promotion, amount: Decimal) -> AppliedDiscount {
    AppliedDiscount {
        promotion_id: p.id.clone(),
        description: p.description.clone(),
        coupon: p.coupon.clone(),
        amount,
        amount_with_tax: amount,
    }
}

/// The promotions that apply to `doc` with the sale subtotal `sale_subtotal`.
pub(crate) fn applicable<'a>(
    doc: &CartDoc,
    input: &PricingInput<'a>,
    sale_subtotal: Decimal,
) -> Vec<&'a Promotion> {
    input
        .catalog
        .promotions
        .iter()
        .filter(|p| {
            let min = p
                .min_subtotal
                .map(|m| input.catalog.convert_from_default(m, input.currency));
            p.applies(&doc.coupons, sale_subtotal, min, input.now_ms)
        })
        .collect()
}

/// The price of shipping method `m` for a cart weighing `weight`, in `currency`.
pub(crate) fn method_price(
    m: &ShippingMethod,
    weight: Decimal,
    catalog: &StoreCatalog,
    c: &Currency,
) -> Decimal {
    catalog.convert_from_default(m.base_price + m.price_per_kg * weight, c)
}

/// The price of a shipment or payment before discounts: the caller's override (rounded to the
/// currency), else its method's price, else zero (no such method).
fn charged_price(given: Option<Decimal>, listed: Option<Decimal>, c: &Currency) -> Decimal {
    given
        .map(|p| c.round(p))
        .or(listed)
        .unwrap_or(Decimal::ZERO)
}

/// Prices a shipment (or a shipping method offered for the cart): `price` before discounts,
/// shipping rewards of `promotions` for `method_code`, tax at the shipping tax rate.
pub(crate) fn shipping_charge(
    price: Decimal,
    method_code: Option<&str>,
    method_available: bool,
    promotions: &[&Promotion],
    input: &PricingInput<'_>,
    address: (Option<&str>, Option<&str>),
    gave: &mut BTreeSet<String>,
) -> ChargeResult {
    let c = input.currency;
    let mut discounts = Vec::new();
    let mut remaining = price;
    for p in promotions {
        if let Reward::ShippingPercent {
            percent,
            method_code: only,
        } = &p.reward
        {
            let matches = match (only, method_code) {
                (None, _) => true,
                (Some(o), Some(m)) => o.eq_ignore_ascii_case(m),
                (Some(_), None) => false,
            };
            if !matches {
                continue;
            }
            let amount = c
                .round(price * *percent / Decimal::ONE_HUNDRED)
                .min(remaining);
            if amount > Decimal::ZERO {
                remaining -= amount;
                discounts.push(discount(p, amount));
                gave.insert(p.id.clone());
            }
        }
    }
    charge(
        price,
        price - remaining,
        discounts,
        method_available,
        &input.catalog.settings.shipping_tax_type,
        input,
        address,
    )
}

fn charge(
    price: Decimal,
    disc: Decimal,
    mut discounts: Vec<AppliedDiscount>,
    method_available: bool,
    tax_type: &str,
    input: &PricingInput<'_>,
    address: (Option<&str>, Option<&str>),
) -> ChargeResult {
    let c = input.currency;
    let (rate, name) = input.catalog.tax_rate(tax_type, address.0, address.1);
    let total = price - disc;
    let tax = c.round(total * rate);
    for d in &mut discounts {
        d.amount_with_tax = with_tax(d.amount, rate, c);
    }
    ChargeResult {
        method_available,
        price,
        price_with_tax: with_tax(price, rate, c),
        discount: disc,
        discount_with_tax: with_tax(disc, rate, c),
        total,
        total_with_tax: total + tax,
        tax_type: tax_type.to_string(),
        tax_rate: rate,
        tax_name: name,
        tax_total: tax,
        discounts,
    }
}

/// Prices a payment fee (no payment rewards exist), taxed at the payment tax rate.
pub(crate) fn payment_charge(
    price: Decimal,
    method_available: bool,
    input: &PricingInput<'_>,
    address: (Option<&str>, Option<&str>),
) -> ChargeResult {
    charge(
        price,
        Decimal::ZERO,
        Vec::new(),
        method_available,
        &input.catalog.settings.payment_tax_type,
        input,
        address,
    )
}

/// Prices the cart. Pure: the same cart and catalogue give the same result.
pub(crate) fn evaluate(doc: &CartDoc, input: &PricingInput<'_>) -> Evaluation {
    let catalog = input.catalog;
    let c = input.currency;
    let address = tax_address(doc);

    // 1. Unit prices, tax rates, weights.
    let mut lines: Vec<LineResult> = doc
        .items
        .iter()
        .map(|item| {
            let product = input.products.get(&item.product_id);
            let available = product.is_some_and(|p| catalog.sells(p, c));
            let catalog_price = product
                .filter(|_| available)
                .and_then(|p| catalog.unit_price(p, c));
            let (list, sale) = match item.manual_price {
                Some(m) => (c.round(m), c.round(m)),
                None => catalog_price.unwrap_or_else(|| {
                    let seen = item.captured_price.unwrap_or_default();
                    (seen, seen)
                }),
            };
            let tax_type = product
                .and_then(|p| p.tax_type.clone())
                .unwrap_or_else(|| catalog.settings.default_tax_type.clone());
            let (tax_rate, tax_name) = catalog.tax_rate(&tax_type, address.0, address.1);
            let physical = product.is_some_and(Product::is_physical);
            LineResult {
                product_available: available,
                catalog_sale: catalog_price.map(|(_, s)| s),
                list,
                sale,
                tax_type,
                tax_rate,
                tax_name,
                physical,
                unit_weight: product
                    .filter(|p| p.is_physical())
                    .and_then(|p| p.weight)
                    .unwrap_or_default(),
                ..LineResult::default()
            }
        })
        .collect();
    let q = |i: usize| Decimal::from(doc.items.get(i).map_or(0, |l| l.quantity));
    let sale_subtotal: Decimal = (0..lines.len()).map(|i| lines[i].sale * q(i)).sum();
    let weight: Decimal = (0..lines.len()).map(|i| lines[i].unit_weight * q(i)).sum();

    // 2. Promotions that apply, item rewards.
    let promos = applicable(doc, input, sale_subtotal);
    let mut gave: BTreeSet<String> = BTreeSet::new();
    let mut promo_line = vec![Decimal::ZERO; lines.len()];
    for p in &promos {
        for (i, item) in doc.items.iter().enumerate() {
            let line = &lines[i];
            let gross = line.sale * q(i);
            let room = gross - promo_line[i];
            let amount = match &p.reward {
                Reward::ItemPercent {
                    product_id,
                    percent,
                } if product_id.eq_ignore_ascii_case(&item.product_id) => {
                    c.round(gross * *percent / Decimal::ONE_HUNDRED)
                }
                Reward::ItemFixed { product_id, amount }
                    if product_id.eq_ignore_ascii_case(&item.product_id) =>
                {
                    catalog.convert_from_default(*amount, c).min(line.sale) * q(i)
                }
                Reward::FreeItem {
                    product_id,
                    quantity,
                } if product_id.eq_ignore_ascii_case(&item.product_id)
                    && doc
                        .items
                        .iter()
                        .position(|l| l.product_id.eq_ignore_ascii_case(product_id))
                        == Some(i) =>
                {
                    line.sale * Decimal::from((*quantity).clamp(0, item.quantity.max(0)))
                }
                _ => continue,
            }
            .min(room);
            if amount > Decimal::ZERO {
                promo_line[i] += amount;
                lines[i].discounts.push(discount(p, amount));
                gave.insert(p.id.clone());
            }
        }
    }
    let extended: Vec<Decimal> = (0..lines.len())
        .map(|i| lines[i].sale * q(i) - promo_line[i])
        .collect();

    // 3. Cart rewards on the items total.
    let base: Decimal = extended.iter().copied().sum();
    let mut remaining = base;
    let mut cart_discounts = Vec::new();
    for p in &promos {
        let amount = match &p.reward {
            Reward::CartPercent { percent } => c.round(base * *percent / Decimal::ONE_HUNDRED),
            Reward::CartFixed { amount } => catalog.convert_from_default(*amount, c),
            _ => continue,
        }
        .min(remaining);
        if amount > Decimal::ZERO {
            remaining -= amount;
            cart_discounts.push(discount(p, amount));
            gave.insert(p.id.clone());
        }
    }
    let cart_discount = base - remaining;
    let shares = allocate(cart_discount, &extended, c.unit());

    // 4. Line taxes and display prices.
    for (i, line) in lines.iter_mut().enumerate() {
        let qty = q(i);
        let r = line.tax_rate;
        let e = extended[i];
        let d = (line.list - line.sale) * qty + promo_line[i];
        let a = shares.get(i).copied().unwrap_or_default();
        line.extended = e;
        line.extended_with_tax = with_tax(e, r, c);
        line.discount_total = d;
        line.discount_total_with_tax = with_tax(d, r, c);
        if qty > Decimal::ZERO {
            line.discount_amount = c.round(d / qty);
            line.placed = c.round(e / qty);
        } else {
            line.placed = line.sale;
        }
        line.discount_amount_with_tax = with_tax(line.discount_amount, r, c);
        line.placed_with_tax = with_tax(line.placed, r, c);
        line.list_with_tax = with_tax(line.list, r, c);
        line.sale_with_tax = with_tax(line.sale, r, c);
        line.cart_discount_share = a;
        line.tax_total = c.round((e - a) * r);
        for disc in &mut line.discounts {
            disc.amount_with_tax = with_tax(disc.amount, r, c);
        }
    }
    let cart_discount_with_tax: Decimal = lines
        .iter()
        .map(|l| with_tax(l.cart_discount_share, l.tax_rate, c))
        .sum();
    {
        // Split the cart discount's tax-inclusive amount over the cart rewards.
        let mut left = cart_discount_with_tax;
        let n = cart_discounts.len();
        for (k, d) in cart_discounts.iter_mut().enumerate() {
            d.amount_with_tax = if k + 1 == n {
                left
            } else {
                c.round(cart_discount_with_tax * d.amount / cart_discount)
            };
            left -= d.amount_with_tax;
        }
    }

    // 5. Shipments and payments.
    let shipments: Vec<ChargeResult> = doc
        .shipments
        .iter()
        .map(|s| {
            let method = s
                .method_code
                .as_deref()
                .and_then(|code| catalog.shipping_method(code, s.method_option.as_deref()));
            let listed = method.map(|m| method_price(m, weight, catalog, c));
            let price = charged_price(s.price_override, listed, c);
            shipping_charge(
                price,
                s.method_code.as_deref(),
                method.is_some(),
                &promos,
                input,
                address,
                &mut gave,
            )
        })
        .collect();
    let payments: Vec<ChargeResult> = doc
        .payments
        .iter()
        .map(|p| {
            let method = p
                .gateway_code
                .as_deref()
                .and_then(|code| catalog.payment_method(code));
            let listed = method.map(|m| catalog.convert_from_default(m.fee, c));
            let price = charged_price(p.price_override, listed, c);
            payment_charge(price, method.is_some(), input, address)
        })
        .collect();

    // 6. Totals.
    let mut t = Totals::default();
    for (i, l) in lines.iter().enumerate() {
        let qty = q(i);
        t.sub_total += l.list * qty;
        t.sub_total_with_tax += l.list_with_tax * qty;
        t.extended_price_total += l.extended;
        t.extended_price_total_with_tax += l.extended_with_tax;
        t.sub_total_discount += l.discount_total;
        t.sub_total_discount_with_tax += l.discount_total_with_tax;
        t.tax_total += l.tax_total;
    }
    t.sub_total_discount += cart_discount;
    t.sub_total_discount_with_tax += cart_discount_with_tax;
    t.discount_total = t.sub_total_discount;
    t.discount_total_with_tax = t.sub_total_discount_with_tax;
    // Shipments and payments each have their own price and total sums; both add to the
    // discount and tax totals.
    let sums = |charges: &[ChargeResult]| {
        charges
            .iter()
            .fold([Decimal::ZERO; 4], |[p, pt, s, st], c| {
                [
                    p + c.price,
                    pt + c.price_with_tax,
                    s + c.total,
                    st + c.total_with_tax,
                ]
            })
    };
    [
        t.shipping_price,
        t.shipping_price_with_tax,
        t.shipping_total,
        t.shipping_total_with_tax,
    ] = sums(&shipments);
    [
        t.payment_price,
        t.payment_price_with_tax,
        t.payment_total,
        t.payment_total_with_tax,
    ] = sums(&payments);
    for c in shipments.iter().chain(&payments) {
        t.discount_total += c.discount;
        t.discount_total_with_tax += c.discount_with_tax;
        t.tax_total += c.tax_total;
    }
    t.total = t.extended_price_total - cart_discount
        + t.shipping_total
        + t.payment_total
        + t.handling_total
        + t.fee
        + t.tax_total;

    // 7. Tax breakdown and the cart's rate.
    let mut details: Vec<TaxLine> = Vec::new();
    let mut add = |name: &str, rate: Decimal, price: Decimal, amount: Decimal| {
        if price.is_zero() && amount.is_zero() {
            return;
        }
        match details
            .iter_mut()
            .find(|d| d.name == name && d.rate == rate)
        {
            Some(d) => {
                d.price += price;
                d.amount += amount;
            }
            None => details.push(TaxLine {
                name: name.to_string(),
                rate,
                price,
                amount,
            }),
        }
    };
    for l in &lines {
        add(
            &l.tax_name,
            l.tax_rate,
            l.extended - l.cart_discount_share,
            l.tax_total,
        );
    }
    for s in shipments.iter().chain(payments.iter()) {
        add(&s.tax_name, s.tax_rate, s.total, s.tax_total);
    }
    let rates: BTreeSet<Decimal> = details
        .iter()
        .filter(|d| !d.price.is_zero())
        .map(|d| d.rate.normalize())
        .collect();
    let tax_percent_rate = match rates.len() {
        0 => {
            catalog
                .tax_rate(&catalog.settings.default_tax_type, address.0, address.1)
                .0
        }
        1 => rates.into_iter().next().unwrap_or_default(),
        _ => {
            let taxable: Decimal = details.iter().map(|d| d.price).sum();
            if taxable.is_zero() {
                Decimal::ZERO
            } else {
                round(t.tax_total / taxable, 4)
            }
        }
    };

    let coupons = doc
        .coupons
        .iter()
        .map(|code| CouponStatus {
            code: code.clone(),
            applied: promos
                .iter()
                .any(|p| p.has_coupon(code) && gave.contains(&p.id)),
        })
        .collect();

    Evaluation {
        has_physical_products: lines.iter().any(|l| l.physical),
        weight,
        lines,
        shipments,
        payments,
        cart_discounts,
        coupons,
        totals: t,
        tax_details: details,
        tax_percent_rate,
        applicable_promotions: promos.iter().map(|p| p.id.clone()).collect(),
    }
}

/// A shipping method offered for the cart, priced for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShippingQuote<'a> {
    /// The method.
    pub method: &'a ShippingMethod,
    /// Its prices for the cart.
    pub charge: ChargeResult,
}

/// The store's shipping methods priced for the cart as it is (weight, address, rewards).
pub(crate) fn shipping_quotes<'a>(
    doc: &CartDoc,
    eval: &Evaluation,
    input: &PricingInput<'a>,
) -> Vec<ShippingQuote<'a>> {
    let address = tax_address(doc);
    let promos: Vec<&Promotion> = input
        .catalog
        .promotions
        .iter()
        .filter(|p| eval.applicable_promotions.contains(&p.id))
        .collect();
    let mut gave = BTreeSet::new();
    input
        .catalog
        .shipping_methods
        .iter()
        .map(|m| ShippingQuote {
            method: m,
            charge: shipping_charge(
                method_price(m, eval.weight, input.catalog, input.currency),
                Some(&m.code),
                true,
                &promos,
                input,
                address,
                &mut gave,
            ),
        })
        .collect()
}

/// A payment method offered for the cart, with its fee.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PaymentQuote<'a> {
    /// The method.
    pub method: &'a super::catalog::PaymentMethod,
    /// Its fee for the cart.
    pub charge: ChargeResult,
}

/// The store's payment methods with their fees for the cart.
pub(crate) fn payment_quotes<'a>(doc: &CartDoc, input: &PricingInput<'a>) -> Vec<PaymentQuote<'a>> {
    let address = tax_address(doc);
    input
        .catalog
        .payment_methods
        .iter()
        .map(|m| PaymentQuote {
            method: m,
            charge: payment_charge(
                input.catalog.convert_from_default(m.fee, input.currency),
                true,
                input,
                address,
            ),
        })
        .collect()
}
