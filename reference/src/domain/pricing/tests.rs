//! The pricing table: each case is a cart, a context and promotions, with every line and total
//! worked out by hand.

#![allow(clippy::unwrap_used)]

use std::str::FromStr;

use super::*;

const NOW: i64 = 1_795_000_000_000; // 2026-11-18

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// pink: 25 % VAT, default 100, sales 80, retail 120.
/// red: 25 % VAT, default 110, no sales price, retail 130; market `no` 99 and 97, `se` 105.
/// food: 15 % VAT, default 9.99.
/// smeg-pink / smeg-red: 25 % VAT, default 200 / 220.
fn catalogue(sku: &str) -> CataloguePrices {
    let prices = |list: &[(&str, Option<&str>)]| {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.map(d)))
            .collect::<BTreeMap<_, _>>()
    };
    let market = |m: &str, v: &str, p: &str| MarketPrice {
        market: m.into(),
        price_variant: v.into(),
        price: d(p),
    };
    match sku {
        "pink" => CataloguePrices {
            vat_rate: d("0.25"),
            prices: prices(&[
                ("default", Some("100")),
                ("sales", Some("80")),
                ("retail", Some("120")),
            ]),
            ..Default::default()
        },
        "red" => CataloguePrices {
            vat_rate: d("0.25"),
            prices: prices(&[
                ("default", Some("110")),
                ("sales", None),
                ("retail", Some("130")),
            ]),
            market_prices: vec![
                market("no", "default", "99"),
                market("no", "default", "97"),
                market("se", "default", "105"),
            ],
            ..Default::default()
        },
        "food" => CataloguePrices {
            vat_rate: d("0.15"),
            prices: prices(&[("default", Some("9.99"))]),
            ..Default::default()
        },
        "smeg-pink" => CataloguePrices {
            vat_rate: d("0.25"),
            prices: prices(&[("default", Some("200"))]),
            ..Default::default()
        },
        "smeg-red" => CataloguePrices {
            vat_rate: d("0.25"),
            prices: prices(&[("default", Some("220"))]),
            ..Default::default()
        },
        other => panic!("no test SKU {other}"),
    }
}

fn sku(sku: &str, quantity: u32) -> LineInput {
    LineInput {
        sku: sku.into(),
        quantity,
        pricing: LinePricing::Catalogue(catalogue(sku)),
    }
}

fn sku_taxed(name: &str, quantity: u32, rate: &str) -> LineInput {
    let mut line = sku(name, quantity);
    if let LinePricing::Catalogue(c) = &mut line.pricing {
        c.tax_rate_override = Some(d(rate));
    }
    line
}

fn given(sku: &str, quantity: u32, gross: &str, net: &str, discounts: &[&str]) -> LineInput {
    LineInput {
        sku: sku.into(),
        quantity,
        pricing: LinePricing::Given(GivenPrice {
            gross: d(gross),
            net: d(net),
            discounts: discounts.iter().map(|x| d(x)).collect(),
        }),
    }
}

fn promo(id: &str, kind: MechanismKind, value: &str, repeatable: bool) -> Promotion {
    Promotion {
        identifier: id.into(),
        name: None,
        periods: Vec::new(),
        triggers: None,
        targets: None,
        mechanism: Mechanism {
            kind,
            value: d(value),
        },
        repeatable,
        voucher_codes: Vec::new(),
        customer_groups: Vec::new(),
    }
}

fn targeting(mut p: Promotion, targets: &[&str]) -> Promotion {
    p.targets = Some(targets.iter().map(|s| s.to_string()).collect());
    p
}

fn triggered(mut p: Promotion, triggers: &[&str]) -> Promotion {
    p.triggers = Some(triggers.iter().map(|s| s.to_string()).collect());
    p
}

fn ctx(decimals: u32) -> PricingContext {
    PricingContext {
        decimals,
        ..Default::default()
    }
}

/// A line: gross, net, tax, and its discounts (amount, percent).
type ExpectedLine = (
    &'static str,
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

/// Totals: gross, net, tax, and the total discount (amount, percent).
type ExpectedTotal = (
    &'static str,
    &'static str,
    &'static str,
    Option<(&'static str, &'static str)>,
);

/// Expected: per line, the totals, and the applied promotions.
struct Expect {
    lines: Vec<ExpectedLine>,
    total: ExpectedTotal,
    applied: Vec<&'static str>,
}

struct Case {
    name: &'static str,
    lines: Vec<LineInput>,
    ctx: PricingContext,
    promotions: Vec<Promotion>,
    expect: Expect,
}

fn line(gross: &'static str, net: &'static str, tax: &'static str) -> ExpectedLine {
    (gross, net, tax, Vec::new())
}

fn line_d(
    gross: &'static str,
    net: &'static str,
    tax: &'static str,
    discounts: &[(&'static str, &'static str)],
) -> ExpectedLine {
    (gross, net, tax, discounts.to_vec())
}

#[allow(clippy::too_many_lines)]
fn cases() -> Vec<Case> {
    let seed_promotion = triggered(
        targeting(
            promo("Promotions", MechanismKind::Percentage, "45", false),
            &["smeg-red"],
        ),
        &["smeg-pink"],
    );
    let mut voucher = promo("welcome", MechanismKind::Fixed, "10", true);
    voucher.voucher_codes = vec!["WELCOME10".into()];
    let mut vip = promo("vip", MechanismKind::Percentage, "20", true);
    vip.customer_groups = vec!["vip".into()];
    let mut past = promo("past", MechanismKind::Percentage, "50", true);
    past.periods = vec![Period {
        start_ms: Some(NOW - 1000),
        end_ms: Some(NOW),
    }];
    let mut current = promo("current", MechanismKind::Percentage, "50", true);
    current.periods = vec![
        Period {
            start_ms: None,
            end_ms: Some(NOW - 5000),
        },
        Period {
            start_ms: Some(NOW),
            end_ms: None,
        },
    ];
    vec![
        Case {
            name: "taxes excluded, decimals 0",
            lines: vec![sku("pink", 1)],
            ctx: ctx(0),
            promotions: vec![],
            expect: Expect {
                lines: vec![line("125", "100", "25")],
                total: ("125", "100", "25", None),
                applied: vec![],
            },
        },
        Case {
            name: "taxes included, decimals 0",
            lines: vec![sku("pink", 1)],
            ctx: PricingContext {
                prices_include_tax: true,
                ..ctx(0)
            },
            promotions: vec![],
            expect: Expect {
                lines: vec![line("100", "80", "20")],
                total: ("100", "80", "20", None),
                applied: vec![],
            },
        },
        Case {
            name: "decimals 2: 3 × 9.99 at 15 %",
            lines: vec![sku("food", 3)],
            ctx: ctx(2),
            promotions: vec![],
            expect: Expect {
                lines: vec![line("34.47", "29.97", "4.5")],
                total: ("34.47", "29.97", "4.5", None),
                applied: vec![],
            },
        },
        Case {
            name: "decimals 0 rounds each line half away from zero",
            lines: vec![sku("food", 3)],
            ctx: ctx(0),
            promotions: vec![],
            expect: Expect {
                lines: vec![line("34", "30", "4")],
                total: ("34", "30", "4", None),
                applied: vec![],
            },
        },
        Case {
            name: "taxes included, decimals 2: net = gross / 1.15",
            lines: vec![sku("food", 1)],
            ctx: PricingContext {
                prices_include_tax: true,
                ..ctx(2)
            },
            promotions: vec![],
            expect: Expect {
                lines: vec![line("9.99", "8.69", "1.3")],
                total: ("9.99", "8.69", "1.3", None),
                applied: vec![],
            },
        },
        Case {
            name: "the seed's hydration: item tax override 0.05, 346.5 rounds to 347",
            lines: vec![
                sku("pink", 1),
                sku_taxed("red", 3, "0.05"),
                given("shipping", 1, "120", "100", &[]),
            ],
            ctx: ctx(0),
            promotions: vec![],
            expect: Expect {
                lines: vec![
                    line("125", "100", "25"),
                    line("347", "330", "17"),
                    line("120", "100", "20"),
                ],
                total: ("592", "530", "62", None),
                applied: vec![],
            },
        },
        Case {
            name: "context tax override",
            lines: vec![sku("pink", 1)],
            ctx: PricingContext {
                tax_rate: Some(d("0.1")),
                ..ctx(0)
            },
            promotions: vec![],
            expect: Expect {
                lines: vec![line("110", "100", "10")],
                total: ("110", "100", "10", None),
                applied: vec![],
            },
        },
        Case {
            name: "the item override beats the context override",
            lines: vec![sku_taxed("pink", 1, "0")],
            ctx: PricingContext {
                tax_rate: Some(d("0.1")),
                ..ctx(0)
            },
            promotions: vec![],
            expect: Expect {
                lines: vec![line("100", "100", "0")],
                total: ("100", "100", "0", None),
                applied: vec![],
            },
        },
        Case {
            name: "selected price variant",
            lines: vec![sku("pink", 1)],
            ctx: PricingContext {
                selected_variant: "sales".into(),
                ..ctx(0)
            },
            promotions: vec![],
            expect: Expect {
                lines: vec![line("100", "80", "20")],
                total: ("100", "80", "20", None),
                applied: vec![],
            },
        },
        Case {
            name: "fallback variant when the selected one has no price",
            lines: vec![sku("red", 1)],
            ctx: PricingContext {
                selected_variant: "sales".into(),
                fallback_variants: vec!["nope".into(), "default".into()],
                ..ctx(0)
            },
            promotions: vec![],
            expect: Expect {
                lines: vec![line("138", "110", "28")],
                total: ("138", "110", "28", None),
                applied: vec![],
            },
        },
        Case {
            name: "compare-at price above the selected one is a discount (on gross)",
            lines: vec![sku("pink", 2)],
            ctx: PricingContext {
                selected_variant: "sales".into(),
                compare_at_variant: Some("retail".into()),
                ..ctx(2)
            },
            promotions: vec![],
            expect: Expect {
                lines: vec![line_d("200", "160", "40", &[("100", "33.33")])],
                total: ("200", "160", "40", Some(("100", "33.33"))),
                applied: vec![],
            },
        },
        Case {
            name: "compare-at discount on net prices",
            lines: vec![sku("pink", 2)],
            ctx: PricingContext {
                selected_variant: "sales".into(),
                compare_at_variant: Some("retail".into()),
                discount_on_net: true,
                ..ctx(2)
            },
            promotions: vec![],
            expect: Expect {
                lines: vec![line_d("200", "160", "40", &[("80", "33.33")])],
                total: ("200", "160", "40", Some(("80", "33.33"))),
                applied: vec![],
            },
        },
        Case {
            name: "compare-at with taxes included",
            lines: vec![sku("pink", 1)],
            ctx: PricingContext {
                selected_variant: "sales".into(),
                compare_at_variant: Some("retail".into()),
                prices_include_tax: true,
                ..ctx(2)
            },
            promotions: vec![],
            expect: Expect {
                lines: vec![line_d("80", "64", "16", &[("40", "33.33")])],
                total: ("80", "64", "16", Some(("40", "33.33"))),
                applied: vec![],
            },
        },
        Case {
            name: "markets: the lowest price list price of the buyer's markets",
            lines: vec![sku("red", 1)],
            ctx: PricingContext {
                markets: vec!["no".into()],
                ..ctx(2)
            },
            promotions: vec![],
            expect: Expect {
                lines: vec![line("121.25", "97", "24.25")],
                total: ("121.25", "97", "24.25", None),
                applied: vec![],
            },
        },
        Case {
            name: "markets: one of several markets has a price list",
            lines: vec![sku("red", 1)],
            ctx: PricingContext {
                markets: vec!["dk".into(), "se".into()],
                ..ctx(2)
            },
            promotions: vec![],
            expect: Expect {
                lines: vec![line("131.25", "105", "26.25")],
                total: ("131.25", "105", "26.25", None),
                applied: vec![],
            },
        },
        Case {
            name: "markets: no price list for the market keeps the variant's price",
            lines: vec![sku("red", 1)],
            ctx: PricingContext {
                markets: vec!["dk".into()],
                ..ctx(2)
            },
            promotions: vec![],
            expect: Expect {
                lines: vec![line("137.5", "110", "27.5")],
                total: ("137.5", "110", "27.5", None),
                applied: vec![],
            },
        },
        Case {
            name: "percentage, not repeatable: one unit",
            lines: vec![sku("pink", 3)],
            ctx: ctx(2),
            promotions: vec![promo("p10", MechanismKind::Percentage, "10", false)],
            expect: Expect {
                lines: vec![line_d("362.5", "290", "72.5", &[("12.5", "3.33")])],
                total: ("362.5", "290", "72.5", Some(("12.5", "3.33"))),
                applied: vec!["p10"],
            },
        },
        Case {
            name: "percentage, repeatable: every unit",
            lines: vec![sku("pink", 3)],
            ctx: ctx(2),
            promotions: vec![promo("p10", MechanismKind::Percentage, "10", true)],
            expect: Expect {
                lines: vec![line_d("337.5", "270", "67.5", &[("37.5", "10")])],
                total: ("337.5", "270", "67.5", Some(("37.5", "10"))),
                applied: vec!["p10"],
            },
        },
        Case {
            name: "fixed, repeatable, on two target SKUs",
            lines: vec![sku("pink", 1), sku("red", 2), sku("food", 1)],
            ctx: ctx(2),
            promotions: vec![targeting(
                promo("f10", MechanismKind::Fixed, "10", true),
                &["pink", "red"],
            )],
            expect: Expect {
                lines: vec![
                    line_d("115", "92", "23", &[("10", "8")]),
                    line_d("255", "204", "51", &[("20", "7.27")]),
                    line("11.49", "9.99", "1.5"),
                ],
                total: ("381.49", "305.99", "75.5", Some(("30", "7.29"))),
                applied: vec!["f10"],
            },
        },
        Case {
            name: "the seed's promotion: 45 % off one smeg-red when smeg-pink is in the cart",
            lines: vec![sku("smeg-pink", 1), sku("smeg-red", 2)],
            ctx: ctx(0),
            promotions: vec![seed_promotion.clone()],
            expect: Expect {
                lines: vec![
                    line("250", "200", "50"),
                    line_d("426", "341", "85", &[("124", "22.5")]),
                ],
                total: ("676", "541", "135", Some(("124", "15.5"))),
                applied: vec!["Promotions"],
            },
        },
        Case {
            name: "without its trigger SKU the promotion does not apply",
            lines: vec![sku("smeg-red", 2)],
            ctx: ctx(0),
            promotions: vec![seed_promotion.clone()],
            expect: Expect {
                lines: vec![line("550", "440", "110")],
                total: ("550", "440", "110", None),
                applied: vec![],
            },
        },
        Case {
            name: "repeatable with triggers: at most one application per trigger unit",
            lines: vec![sku("smeg-pink", 2), sku("smeg-red", 3)],
            ctx: ctx(0),
            promotions: vec![Promotion {
                repeatable: true,
                ..seed_promotion.clone()
            }],
            expect: Expect {
                lines: vec![
                    line("500", "400", "100"),
                    line_d("578", "462", "116", &[("248", "30")]),
                ],
                total: ("1078", "862", "216", Some(("248", "18.7"))),
                applied: vec!["Promotions"],
            },
        },
        Case {
            name: "voucher condition met (case-insensitive)",
            lines: vec![sku("pink", 2)],
            ctx: PricingContext {
                voucher_codes: vec!["welcome10".into()],
                ..ctx(2)
            },
            promotions: vec![voucher.clone()],
            expect: Expect {
                lines: vec![line_d("230", "184", "46", &[("20", "8")])],
                total: ("230", "184", "46", Some(("20", "8"))),
                applied: vec!["welcome"],
            },
        },
        Case {
            name: "voucher condition not met",
            lines: vec![sku("pink", 2)],
            ctx: PricingContext {
                voucher_codes: vec!["OTHER".into()],
                ..ctx(2)
            },
            promotions: vec![voucher],
            expect: Expect {
                lines: vec![line("250", "200", "50")],
                total: ("250", "200", "50", None),
                applied: vec![],
            },
        },
        Case {
            name: "customer group condition met, and not met",
            lines: vec![sku("pink", 1)],
            ctx: PricingContext {
                customer_groups: vec!["vip".into()],
                ..ctx(2)
            },
            promotions: vec![vip.clone()],
            expect: Expect {
                lines: vec![line_d("100", "80", "20", &[("25", "20")])],
                total: ("100", "80", "20", Some(("25", "20"))),
                applied: vec!["vip"],
            },
        },
        Case {
            name: "customer group not in the promotion's groups",
            lines: vec![sku("pink", 1)],
            ctx: PricingContext {
                customer_groups: vec!["regular".into()],
                ..ctx(2)
            },
            promotions: vec![vip],
            expect: Expect {
                lines: vec![line("125", "100", "25")],
                total: ("125", "100", "25", None),
                applied: vec![],
            },
        },
        Case {
            name: "periods: ended promotions are skipped, the end is exclusive, start inclusive",
            lines: vec![sku("pink", 1)],
            ctx: ctx(2),
            promotions: vec![past, current],
            expect: Expect {
                lines: vec![line_d("62.5", "50", "12.5", &[("62.5", "50")])],
                total: ("62.5", "50", "12.5", Some(("62.5", "50"))),
                applied: vec!["current"],
            },
        },
        Case {
            name: "dynamic fixed: the new unit price, and nothing when already below",
            lines: vec![sku("pink", 2), sku("food", 1)],
            ctx: ctx(2),
            promotions: vec![promo("dyn", MechanismKind::DynamicFixed, "100", true)],
            expect: Expect {
                lines: vec![
                    line_d("200", "160", "40", &[("50", "20")]),
                    line("11.49", "9.99", "1.5"),
                ],
                total: ("211.49", "169.99", "41.5", Some(("50", "19.12"))),
                applied: vec!["dyn"],
            },
        },
        Case {
            name: "3 for 2 across lines: the cheapest unit of each complete group is free",
            lines: vec![sku("pink", 2), sku("red", 2)],
            ctx: ctx(2),
            promotions: vec![promo("3for2", MechanismKind::XforY, "3", true)],
            expect: Expect {
                lines: vec![
                    line_d("125", "100", "25", &[("125", "50")]),
                    line("275", "220", "55"),
                ],
                total: ("400", "320", "80", Some(("125", "23.81"))),
                applied: vec!["3for2"],
            },
        },
        Case {
            name: "external items: taken as given, tax rate from gross and net, no promotions",
            lines: vec![given("shipping", 2, "120", "100", &[]), sku("pink", 1)],
            ctx: ctx(2),
            promotions: vec![promo("all", MechanismKind::Percentage, "10", true)],
            expect: Expect {
                lines: vec![
                    line("240", "200", "40"),
                    line_d("112.5", "90", "22.5", &[("12.5", "10")]),
                ],
                total: ("352.5", "290", "62.5", Some(("12.5", "3.42"))),
                applied: vec!["all"],
            },
        },
        Case {
            name: "a caller-given discount is shown against the price before it",
            lines: vec![given("robot", 2, "100", "80", &["25"])],
            ctx: ctx(2),
            promotions: vec![],
            expect: Expect {
                lines: vec![line_d("200", "160", "40", &[("50", "20")])],
                total: ("200", "160", "40", Some(("50", "20"))),
                applied: vec![],
            },
        },
        Case {
            name: "percentage on net prices: gross follows",
            lines: vec![sku("pink", 1)],
            ctx: PricingContext {
                discount_on_net: true,
                ..ctx(2)
            },
            promotions: vec![promo("p10", MechanismKind::Percentage, "10", true)],
            expect: Expect {
                lines: vec![line_d("112.5", "90", "22.5", &[("10", "10")])],
                total: ("112.5", "90", "22.5", Some(("10", "10"))),
                applied: vec!["p10"],
            },
        },
        Case {
            name: "promotions stack in identifier order, each on what is left",
            lines: vec![sku("pink", 1)],
            ctx: ctx(2),
            promotions: vec![
                promo("b-percent", MechanismKind::Percentage, "10", true),
                promo("a-fixed", MechanismKind::Fixed, "25", true),
            ],
            expect: Expect {
                lines: vec![line_d("90", "72", "18", &[("25", "20"), ("10", "10")])],
                total: ("90", "72", "18", Some(("35", "28"))),
                applied: vec!["a-fixed", "b-percent"],
            },
        },
        Case {
            name: "a fixed discount never goes below zero",
            lines: vec![sku("food", 2)],
            ctx: ctx(2),
            promotions: vec![promo("big", MechanismKind::Fixed, "1000", true)],
            expect: Expect {
                lines: vec![line_d("0", "0", "0", &[("22.98", "100")])],
                total: ("0", "0", "0", Some(("22.98", "100"))),
                applied: vec!["big"],
            },
        },
        Case {
            name: "two billion units, not repeatable: still one unit, computed at once",
            lines: vec![sku("pink", 2_000_000_000)],
            ctx: ctx(2),
            promotions: vec![promo("p10", MechanismKind::Percentage, "10", false)],
            expect: Expect {
                lines: vec![line_d(
                    "249999999987.5",
                    "199999999990",
                    "49999999997.5",
                    &[("12.5", "0")],
                )],
                total: (
                    "249999999987.5",
                    "199999999990",
                    "49999999997.5",
                    Some(("12.5", "0")),
                ),
                applied: vec!["p10"],
            },
        },
    ]
}

fn check(case: &Case) {
    let priced = price_cart(&case.lines, &case.ctx, &case.promotions, NOW)
        .unwrap_or_else(|e| panic!("{}: {e}", case.name));
    assert_eq!(
        priced.lines.len(),
        case.expect.lines.len(),
        "{}: line count",
        case.name
    );
    for (i, (got, want)) in priced.lines.iter().zip(&case.expect.lines).enumerate() {
        let (g, n, t, discounts) = want;
        assert_eq!(
            (got.line.gross, got.line.net, got.line.tax),
            (d(g), d(n), d(t)),
            "{}: line {i} gross/net/tax",
            case.name
        );
        assert_eq!(got.line.tax, got.line.gross - got.line.net, "{}", case.name);
        let got_discounts: Vec<(Decimal, Decimal)> = got
            .line
            .discounts
            .iter()
            .map(|x| (x.amount, x.percent))
            .collect();
        let want_discounts: Vec<(Decimal, Decimal)> =
            discounts.iter().map(|(a, p)| (d(a), d(p))).collect();
        assert_eq!(
            got_discounts, want_discounts,
            "{}: line {i} discounts",
            case.name
        );
    }
    let (g, n, t, discount) = case.expect.total;
    assert_eq!(
        (priced.total.gross, priced.total.net, priced.total.tax),
        (d(g), d(n), d(t)),
        "{}: total",
        case.name
    );
    let got_total: Option<(Decimal, Decimal)> = priced
        .total
        .discounts
        .first()
        .map(|x| (x.amount, x.percent));
    assert_eq!(
        got_total,
        discount.map(|(a, p)| (d(a), d(p))),
        "{}: total discount",
        case.name
    );
    assert_eq!(
        priced.applied_promotions, case.expect.applied,
        "{}: applied promotions",
        case.name
    );
}

#[test]
fn pricing_table() {
    let cases = cases();
    assert!(cases.len() >= 20, "the table keeps at least 20 cases");
    for case in &cases {
        check(case);
    }
}

#[test]
fn unit_prices_and_compare_at() {
    let priced = price_cart(
        &[sku("pink", 2)],
        &PricingContext {
            selected_variant: "sales".into(),
            compare_at_variant: Some("retail".into()),
            ..ctx(2)
        },
        &[],
        NOW,
    )
    .unwrap();
    let line = &priced.lines[0];
    assert_eq!(
        (line.unit.gross, line.unit.net, line.unit.tax),
        (d("100"), d("80"), d("20"))
    );
    assert_eq!(line.unit.discounts[0].amount, d("50"));
    assert_eq!(line.price_variant.as_deref(), Some("sales"));
    let compare = line.compare_at_unit.as_ref().unwrap();
    assert_eq!((compare.gross, compare.net), (d("150"), d("120")));
}

#[test]
fn refusals_name_the_problem() {
    let no_price = price_cart(
        &[sku("red", 1)],
        &PricingContext {
            selected_variant: "sales".into(),
            ..ctx(0)
        },
        &[],
        NOW,
    );
    assert_eq!(
        no_price.unwrap_err().to_string(),
        "SKU `red` has no price for the price variant(s) `sales`"
    );
    assert!(matches!(
        price_cart(&[sku("pink", 1)], &ctx(11), &[], NOW),
        Err(PricingError::Decimals(11))
    ));
    assert!(matches!(
        price_cart(&[given("x", 1, "5", "10", &[])], &ctx(0), &[], NOW),
        Err(PricingError::Price { .. })
    ));
    assert!(matches!(
        price_cart(&[sku("pink", 0)], &ctx(0), &[], NOW),
        Err(PricingError::Quantity(_))
    ));
    assert!(matches!(
        price_cart(&[sku_taxed("pink", 1, "1.5")], &ctx(0), &[], NOW),
        Err(PricingError::TaxRate { .. })
    ));
}

#[test]
fn promotion_validation() {
    let ok = promo("ok", MechanismKind::XforY, "3", false);
    assert!(ok.validate().is_ok());
    assert!(
        promo("x", MechanismKind::XforY, "2.5", false)
            .validate()
            .is_err()
    );
    assert!(
        promo("x", MechanismKind::XforY, "1", false)
            .validate()
            .is_err()
    );
    assert!(
        promo("x", MechanismKind::Percentage, "101", false)
            .validate()
            .is_err()
    );
    assert!(
        promo("x", MechanismKind::Fixed, "-1", false)
            .validate()
            .is_err()
    );
    assert!(
        promo(" ", MechanismKind::Fixed, "1", false)
            .validate()
            .is_err()
    );
    let mut backwards = promo("x", MechanismKind::Fixed, "1", false);
    backwards.periods = vec![Period {
        start_ms: Some(10),
        end_ms: Some(10),
    }];
    assert!(backwards.validate().is_err());
    assert_eq!(MAX_AMOUNT, d("1000000000000"));
}

#[test]
fn x_for_y_counts_groups_inside_long_runs() {
    // 7 units of one SKU, 3 for 2, not limited: two complete groups, two free units.
    let priced = price_cart(
        &[sku("pink", 7)],
        &ctx(0),
        &[promo("3for2", MechanismKind::XforY, "3", true)],
        NOW,
    )
    .unwrap();
    assert_eq!(priced.lines[0].line.gross, d("625"));
    // Not repeatable: one group only.
    let once = price_cart(
        &[sku("pink", 7)],
        &ctx(0),
        &[promo("3for2", MechanismKind::XforY, "3", false)],
        NOW,
    )
    .unwrap();
    assert_eq!(once.lines[0].line.gross, d("750"));
}
