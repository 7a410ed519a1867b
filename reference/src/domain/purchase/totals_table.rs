//! The totals table: carts in several currencies, with taxes by address, coupons of every
//! reward kind, shipments and payments, priced by [`evaluate`] and checked to the cent.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::cart::{ADDRESS_SHIPPING, Address, CartDoc, LineItem, Payment, Shipment};
use super::catalog::fixtures::{dec, product, promotion, store};
use super::catalog::{Price, Product};
use super::promotions::{Promotion, Reward};
use super::totals::{PricingInput, evaluate};

const NOW: i64 = 10_000;

fn products() -> HashMap<String, Product> {
    let mut d = product("d", "99", None, "digital");
    d.product_type = "Digital".into();
    let mut e = product("e", "10", None, "goods");
    e.prices.push(Price {
        currency: "EUR".into(),
        list: dec("9.50"),
        sale: None,
    });
    [
        product("a", "100", Some("90"), "goods"),
        product("b", "24.99", None, "goods"),
        d,
        e,
    ]
    .into_iter()
    .map(|p| (p.id.clone(), p))
    .collect()
}

fn promotions() -> Vec<Promotion> {
    let mut fixed = promotion(
        "fixed50",
        Some("FIXED50"),
        Reward::CartFixed { amount: dec("50") },
    );
    fixed.min_subtotal = Some(dec("200"));
    let mut old = promotion(
        "old",
        Some("OLD"),
        Reward::CartPercent { percent: dec("50") },
    );
    old.ends_ms = Some(1_000);
    vec![
        promotion(
            "save10",
            Some("SAVE10"),
            Reward::CartPercent { percent: dec("10") },
        ),
        fixed,
        promotion(
            "free-b",
            Some("FREEB"),
            Reward::FreeItem {
                product_id: "b".into(),
                quantity: 1,
            },
        ),
        promotion(
            "ship",
            Some("FREESHIP"),
            Reward::ShippingPercent {
                percent: dec("100"),
                method_code: None,
            },
        ),
        promotion(
            "a15",
            Some("A15"),
            Reward::ItemPercent {
                product_id: "a".into(),
                percent: dec("15"),
            },
        ),
        promotion(
            "b5",
            Some("B5"),
            Reward::ItemFixed {
                product_id: "b".into(),
                amount: dec("5"),
            },
        ),
        old,
    ]
}

#[derive(Default)]
struct Case {
    name: &'static str,
    currency: &'static str,
    lines: Vec<(&'static str, i32)>,
    manual_first: Option<&'static str>,
    captured_first: Option<&'static str>,
    coupons: Vec<&'static str>,
    address: Option<(&'static str, Option<&'static str>)>,
    shipment: Option<(&'static str, &'static str, Option<&'static str>)>,
    payment: Option<(&'static str, Option<&'static str>)>,
    // sub_total, discount_total, shipping_total, payment_total, tax_total, total
    expect: [&'static str; 6],
    applied: Vec<bool>,
}

fn run(case: &Case) {
    let mut catalog = store();
    catalog.promotions = promotions();
    let currency = catalog.currency(case.currency).cloned().unwrap();
    let products = products();
    let mut doc = CartDoc {
        coupons: case.coupons.iter().map(|c| c.to_string()).collect(),
        ..CartDoc::default()
    };
    for (i, (p, q)) in case.lines.iter().enumerate() {
        doc.items.push(LineItem {
            id: format!("l{i}"),
            product_id: p.to_string(),
            sku: p.to_uppercase(),
            quantity: *q,
            manual_price: if i == 0 {
                case.manual_first.map(dec)
            } else {
                None
            },
            captured_price: if i == 0 {
                case.captured_first.map(dec)
            } else {
                None
            },
            captured_available: true,
            ..LineItem::default()
        });
    }
    if let Some((country, region)) = case.address {
        doc.addresses.push(Address {
            country_code: Some(country.into()),
            region_id: region.map(str::to_string),
            address_type: Some(ADDRESS_SHIPPING),
            ..Address::default()
        });
    }
    if let Some((code, option, price)) = case.shipment {
        doc.shipments.push(Shipment {
            id: "s".into(),
            method_code: Some(code.into()),
            method_option: Some(option.into()),
            price_override: price.map(dec),
            ..Shipment::default()
        });
    }
    if let Some((code, price)) = case.payment {
        doc.payments.push(Payment {
            id: "p".into(),
            gateway_code: Some(code.into()),
            price_override: price.map(dec),
            ..Payment::default()
        });
    }
    let eval = evaluate(
        &doc,
        &PricingInput {
            catalog: &catalog,
            currency: &currency,
            products: &products,
            now_ms: NOW,
        },
    );
    let t = &eval.totals;
    let got = [
        t.sub_total,
        t.discount_total,
        t.shipping_total,
        t.payment_total,
        t.tax_total,
        t.total,
    ];
    let want: Vec<Decimal> = case.expect.iter().map(|s| dec(s)).collect();
    assert_eq!(
        got.to_vec(),
        want,
        "{}: [subTotal, discountTotal, shippingTotal, paymentTotal, taxTotal, total]",
        case.name
    );
    // The identity every cart keeps.
    assert_eq!(
        t.total,
        t.sub_total - t.sub_total_discount + t.shipping_total + t.payment_total + t.tax_total,
        "{}: total identity",
        case.name
    );
    // Every amount carries at most the currency's digits.
    for v in got {
        assert_eq!(v, currency.round(v), "{}: {v} is rounded", case.name);
    }
    let applied: Vec<bool> = eval.coupons.iter().map(|c| c.applied).collect();
    assert_eq!(applied, case.applied, "{}: coupons applied", case.name);
}

#[test]
fn totals_table() {
    let cases = vec![
        Case {
            name: "empty cart",
            currency: "USD",
            expect: ["0", "0", "0", "0", "0", "0"],
            ..Case::default()
        },
        Case {
            name: "one item on sale, 20% VAT",
            currency: "USD",
            lines: vec![("a", 1)],
            expect: ["100", "10", "0", "0", "18", "108"],
            ..Case::default()
        },
        Case {
            name: "two products, tax rounded per line",
            currency: "USD",
            lines: vec![("a", 3), ("b", 2)],
            expect: ["349.98", "30", "0", "0", "64", "383.98"],
            ..Case::default()
        },
        Case {
            name: "EUR converted from USD at 0.92",
            currency: "EUR",
            lines: vec![("a", 1)],
            expect: ["92", "9.2", "0", "0", "16.56", "99.36"],
            ..Case::default()
        },
        Case {
            name: "EUR price list of its own",
            currency: "EUR",
            lines: vec![("e", 2)],
            expect: ["19", "0", "0", "0", "3.8", "22.8"],
            ..Case::default()
        },
        Case {
            name: "JPY, no decimals",
            currency: "JPY",
            lines: vec![("a", 1)],
            expect: ["15150", "1515", "0", "0", "2727", "16362"],
            ..Case::default()
        },
        Case {
            name: "JPY conversion rounds half away from zero",
            currency: "JPY",
            lines: vec![("b", 3)],
            expect: ["11358", "0", "0", "0", "2272", "13630"],
            ..Case::default()
        },
        Case {
            name: "US address: 7% sales tax",
            currency: "USD",
            lines: vec![("a", 1)],
            address: Some(("USA", None)),
            expect: ["100", "10", "0", "0", "6.3", "96.3"],
            ..Case::default()
        },
        Case {
            name: "California: 7.25%",
            currency: "USD",
            lines: vec![("a", 2)],
            address: Some(("USA", Some("CA"))),
            expect: ["200", "20", "0", "0", "13.05", "193.05"],
            ..Case::default()
        },
        Case {
            name: "digital and physical goods, two rates",
            currency: "USD",
            lines: vec![("d", 1), ("a", 1)],
            expect: ["199", "10", "0", "0", "27.9", "216.9"],
            ..Case::default()
        },
        Case {
            name: "10% coupon, tax on the discounted price",
            currency: "USD",
            lines: vec![("a", 1)],
            coupons: vec!["SAVE10"],
            expect: ["100", "19", "0", "0", "16.2", "97.2"],
            applied: vec![true],
            ..Case::default()
        },
        Case {
            name: "$50 off over $200, spread over the lines",
            currency: "USD",
            lines: vec![("a", 2), ("b", 1)],
            coupons: vec!["FIXED50"],
            expect: ["224.99", "70", "0", "0", "31", "185.99"],
            applied: vec![true],
            ..Case::default()
        },
        Case {
            name: "minimum not met and expired coupon: not applied",
            currency: "USD",
            lines: vec![("b", 2)],
            coupons: vec!["FIXED50", "OLD"],
            expect: ["49.98", "0", "0", "0", "10", "59.98"],
            applied: vec![false, false],
            ..Case::default()
        },
        Case {
            name: "free item coupon",
            currency: "USD",
            lines: vec![("b", 3)],
            coupons: vec!["FREEB"],
            expect: ["74.97", "24.99", "0", "0", "10", "59.98"],
            applied: vec![true],
            ..Case::default()
        },
        Case {
            name: "free item coupon without the item: kept, not applied",
            currency: "USD",
            lines: vec![("a", 1)],
            coupons: vec!["FREEB"],
            expect: ["100", "10", "0", "0", "18", "108"],
            applied: vec![false],
            ..Case::default()
        },
        Case {
            name: "15% off one product",
            currency: "USD",
            lines: vec![("a", 2)],
            coupons: vec!["A15"],
            expect: ["200", "47", "0", "0", "30.6", "183.6"],
            applied: vec![true],
            ..Case::default()
        },
        Case {
            name: "$5 off each unit",
            currency: "USD",
            lines: vec![("b", 2)],
            coupons: vec!["B5"],
            expect: ["49.98", "10", "0", "0", "8", "47.98"],
            applied: vec![true],
            ..Case::default()
        },
        Case {
            name: "fixed-rate shipping and a card fee",
            currency: "USD",
            lines: vec![("a", 1)],
            shipment: Some(("FixedRate", "Ground", None)),
            payment: Some(("CreditCard", None)),
            expect: ["100", "10", "5", "1.5", "19", "115.5"],
            ..Case::default()
        },
        Case {
            name: "weight-based shipping",
            currency: "USD",
            lines: vec![("a", 2)],
            shipment: Some(("WeightRate", "Ground", None)),
            expect: ["200", "20", "3.5", "0", "36.7", "220.2"],
            ..Case::default()
        },
        Case {
            name: "free shipping coupon",
            currency: "USD",
            lines: vec![("a", 1)],
            coupons: vec!["FREESHIP"],
            shipment: Some(("FixedRate", "Ground", None)),
            expect: ["100", "15", "0", "0", "18", "108"],
            applied: vec![true],
            ..Case::default()
        },
        Case {
            name: "shipment and payment prices given by the caller (seed: 98), EUR",
            currency: "EUR",
            lines: vec![("a", 1)],
            shipment: Some(("FixedRate", "Ground", Some("98"))),
            payment: Some(("CreditCard", Some("98"))),
            expect: ["92", "9.2", "98", "98", "36.16", "314.96"],
            ..Case::default()
        },
        Case {
            name: "manual price (seed: 777)",
            currency: "USD",
            lines: vec![("a", 1)],
            manual_first: Some("777"),
            expect: ["777", "0", "0", "0", "155.4", "932.4"],
            ..Case::default()
        },
        Case {
            name: "product gone: priced as last seen",
            currency: "USD",
            lines: vec![("gone", 2)],
            captured_first: Some("50"),
            expect: ["100", "0", "0", "0", "20", "120"],
            ..Case::default()
        },
        Case {
            name: "JPY shipping converted",
            currency: "JPY",
            lines: vec![("a", 1)],
            shipment: Some(("FixedRate", "Ground", None)),
            expect: ["15150", "1515", "758", "0", "2879", "17272"],
            ..Case::default()
        },
        Case {
            name: "item and cart coupons stacked",
            currency: "USD",
            lines: vec![("a", 1), ("b", 1)],
            coupons: vec!["SAVE10", "A15"],
            expect: ["124.99", "33.65", "0", "0", "18.27", "109.61"],
            applied: vec![true, true],
            ..Case::default()
        },
    ];
    assert!(cases.len() >= 15);
    for case in &cases {
        run(case);
    }
}

#[test]
fn line_prices_and_cart_discount_shares() {
    let mut catalog = store();
    catalog.promotions = promotions();
    let usd = catalog.currency("USD").cloned().unwrap();
    let products = products();
    let doc = CartDoc {
        items: vec![
            LineItem {
                id: "l1".into(),
                product_id: "a".into(),
                quantity: 2,
                ..LineItem::default()
            },
            LineItem {
                id: "l2".into(),
                product_id: "b".into(),
                quantity: 1,
                ..LineItem::default()
            },
        ],
        coupons: vec!["FIXED50".into()],
        ..CartDoc::default()
    };
    let eval = evaluate(
        &doc,
        &PricingInput {
            catalog: &catalog,
            currency: &usd,
            products: &products,
            now_ms: NOW,
        },
    );
    let a = &eval.lines[0];
    assert_eq!(
        (a.list, a.sale, a.placed),
        (dec("100"), dec("90"), dec("90"))
    );
    assert_eq!((a.list_with_tax, a.sale_with_tax), (dec("120"), dec("108")));
    assert_eq!(
        (a.discount_amount, a.discount_total),
        (dec("10"), dec("20"))
    );
    assert_eq!((a.extended, a.extended_with_tax), (dec("180"), dec("216")));
    // $50 spread by largest remainder: 43.90 + 6.10.
    assert_eq!(a.cart_discount_share, dec("43.90"));
    assert_eq!(eval.lines[1].cart_discount_share, dec("6.10"));
    assert_eq!(eval.cart_discounts.len(), 1);
    assert_eq!(eval.cart_discounts[0].amount, dec("50"));
    assert_eq!(eval.cart_discounts[0].amount_with_tax, dec("60"));
    assert_eq!(eval.tax_percent_rate, dec("0.2"));
    assert_eq!(eval.tax_details.len(), 1);
    assert_eq!(eval.tax_details[0].price, dec("154.99"));
    assert_eq!(eval.tax_details[0].amount, dec("31"));
    assert!(eval.has_physical_products);
    assert_eq!(eval.weight, dec("4.5"));
}

#[test]
fn allocation_sums_exactly() {
    use super::totals::allocate;
    let shares = allocate(dec("10"), &[dec("1"), dec("1"), dec("1")], dec("0.01"));
    assert_eq!(shares.iter().copied().sum::<Decimal>(), dec("10"));
    assert_eq!(shares, vec![dec("3.34"), dec("3.33"), dec("3.33")]);
    assert_eq!(
        allocate(dec("5"), &[Decimal::ZERO], dec("0.01")),
        vec![Decimal::ZERO]
    );
}
