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

/// A case without promotions: the cart, its context, and what it must price to.
fn case(
    name: &'static str,
    lines: Vec<LineInput>,
    ctx: PricingContext,
    expect_lines: Vec<ExpectedLine>,
    total: ExpectedTotal,
) -> Case {
    Case {
        name,
        lines,
        ctx,
        promotions: vec![],
        expect: Expect {
            lines: expect_lines,
            total,
            applied: vec![],
        },
    }
}

impl Case {
    /// The case with `promotions`, of which those named `applied` must apply.
    fn promoted(mut self, promotions: Vec<Promotion>, applied: Vec<&'static str>) -> Self {
        self.promotions = promotions;
        self.expect.applied = applied;
        self
    }
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
        case(
            "taxes excluded, decimals 0",
            vec![sku("pink", 1)],
            ctx(0),
            vec![line("125", "100", "25")],
            ("125", "100", "25", None),
        ),
        case(
            "taxes included, decimals 0",
            vec![sku("pink", 1)],
            PricingContext {
                prices_include_tax: true,
                ..ctx(0)
            },
            vec![line("100", "80", "20")],
            ("100", "80", "20", None),
        ),
        case(
            "decimals 2: 3 × 9.99 at 15 %",
            vec![sku("food", 3)],
            ctx(2),
            vec![line("34.47", "29.97", "4.5")],
            ("34.47", "29.97", "4.5", None),
        ),
        case(
            "decimals 0 rounds each line half away from zero",
            vec![sku("food", 3)],
            ctx(0),
            vec![line("34", "30", "4")],
            ("34", "30", "4", None),
        ),
        case(
            "taxes included, decimals 2: net = gross / 1.15",
            vec![sku("food", 1)],
            PricingContext {
                prices_include_tax: true,
                ..ctx(2)
            },
            vec![line("9.99", "8.69", "1.3")],
            ("9.99", "8.69", "1.3", None),
        ),
        case(
            "the seed's hydration: item tax override 0.05, 346.5 rounds to 347",
            vec![
                sku("pink", 1),
                sku_taxed("red", 3, "0.05"),
                given("shipping", 1, "120", "100", &[]),
            ],
            ctx(0),
            vec![
                line("125", "100", "25"),
                line("347", "330", "17"),
                line("120", "100", "20"),
            ],
            ("592", "530", "62", None),
        ),
        case(
            "context tax override",
            vec![sku("pink", 1)],
            PricingContext {
                tax_rate: Some(d("0.1")),
                ..ctx(0)
            },
            vec![line("110", "100", "10")],
            ("110", "100", "10", None),
        ),
        case(
            "the item override beats the context override",
            vec![sku_taxed("pink", 1, "0")],
            PricingContext {
                tax_rate: Some(d("0.1")),
                ..ctx(0)
            },
            vec![line("100", "100", "0")],
            ("100", "100", "0", None),
        ),
        case(
            "selected price variant",
            vec![sku("pink", 1)],
            PricingContext {
                selected_variant: "sales".into(),
                ..ctx(0)
            },
            vec![line("100", "80", "20")],
            ("100", "80", "20", None),
        ),
        case(
            "fallback variant when the selected one has no price",
            vec![sku("red", 1)],
            PricingContext {
                selected_variant: "sales".into(),
                fallback_variants: vec!["nope".into(), "default".into()],
                ..ctx(0)
            },
            vec![line("138", "110", "28")],
            ("138", "110", "28", None),
        ),
        case(
            "compare-at price above the selected one is a discount (on gross)",
            vec![sku("pink", 2)],
            PricingContext {
                selected_variant: "sales".into(),
                compare_at_variant: Some("retail".into()),
                ..ctx(2)
            },
            vec![line_d("200", "160", "40", &[("100", "33.33")])],
            ("200", "160", "40", Some(("100", "33.33"))),
        ),
        case(
            "compare-at discount on net prices",
            vec![sku("pink", 2)],
            PricingContext {
                selected_variant: "sales".into(),
                compare_at_variant: Some("retail".into()),
                discount_on_net: true,
                ..ctx(2)
            },
            vec![line_d("200", "160", "40", &[("80", "33.33")])],
            ("200", "160", "40", Some(("80", "33.33"))),
        ),
        case(
            "compare-at with taxes included",
            vec![sku("pink", 1)],
            PricingContext {
                selected_variant: "sales".into(),
                compare_at_variant: Some("retail".into()),
                prices_include_tax: true,
                ..ctx(2)
            },
            vec![line_d("80", "64", "16", &[("40", "33.33")])],
            ("80", "64", "16", Some(("40", "33.33"))),
        ),
        case(
            "markets: the lowest price list price of the buyer's markets",
            vec![sku("red", 1)],
            PricingContext {
                markets: vec!["no".into()],
                ..ctx(2)
            },
            vec![line("121.25", "97", "24.25")],
            ("121.25", "97", "24.25", None),
        ),
        case(
            "markets: one of several markets has a price list",
            vec![sku("red", 1)],
            PricingContext {
                markets: vec!["dk".into(), "se".into()],
                ..ctx(2)
            },
            vec![line("131.25", "105", "26.25")],
            ("131.25", "105", "26.25", None),
        ),
        case(
            "markets: no price list for the market keeps the variant's price",
            vec![sku("red", 1)],
            PricingContext {
                markets: vec!["dk".into()],
                ..ctx(2)
            },
            vec![line("137.5", "110", "27.5")],
            ("137.5", "110", "27.5", None),
        ),
        case(
            "percentage, not repeatable: one unit",
            vec![sku("pink", 3)],
            ctx(2),
            vec![line_d("362.5", "290", "72.5", &[("12.5", "3.33")])],
            ("362.5", "290", "72.5", Some(("12.5", "3.33"))),
        )
        .promoted(
            vec![promo("p10", MechanismKind::Percentage, "10", false)],
            vec!["p10"],
        ),
        case(
            "percentage, repeatable: every unit",
            vec![sku("pink", 3)],
            ctx(2),
            vec![line_d("337.5", "270", "67.5", &[("37.5", "10")])],
            ("337.5", "270", "67.5", Some(("37.5", "10"))),
        )
        .promoted(
            vec![promo("p10", MechanismKind::Percentage, "10", true)],
            vec!["p10"],
        ),
        case(
            "fixed, repeatable, on two target SKUs",
            vec![sku("pink", 1), sku("red", 2), sku("food", 1)],
            ctx(2),
            vec![
                line_d("115", "92", "23", &[("10", "8")]),
                line_d("255", "204", "51", &[("20", "7.27")]),
                line("11.49", "9.99", "1.5"),
            ],
            ("381.49", "305.99", "75.5", Some(("30", "7.29"))),
        )
        .promoted(
            vec![targeting(
                promo("f10", MechanismKind::Fixed, "10", true),
                &["pink", "red"],
            )],
            vec!["f10"],
        ),
        case(
            "the seed's promotion: 45 % off one smeg-red when smeg-pink is in the cart",
            vec![sku("smeg-pink", 1), sku("smeg-red", 2)],
            ctx(0),
            vec![
                line("250", "200", "50"),
                line_d("426", "341", "85", &[("124", "22.5")]),
            ],
            ("676", "541", "135", Some(("124", "15.5"))),
        )
        .promoted(vec![seed_promotion.clone()], vec!["Promotions"]),
        case(
            "without its trigger SKU the promotion does not apply",
            vec![sku("smeg-red", 2)],
            ctx(0),
            vec![line("550", "440", "110")],
            ("550", "440", "110", None),
        )
        .promoted(vec![seed_promotion.clone()], vec![]),
        case(
            "repeatable with triggers: at most one application per trigger unit",
            vec![sku("smeg-pink", 2), sku("smeg-red", 3)],
            ctx(0),
            vec![
                line("500", "400", "100"),
                line_d("578", "462", "116", &[("248", "30")]),
            ],
            ("1078", "862", "216", Some(("248", "18.7"))),
        )
        .promoted(
            vec![Promotion {
                repeatable: true,
                ..seed_promotion.clone()
            }],
            vec!["Promotions"],
        ),
        case(
            "voucher condition met (case-insensitive)",
            vec![sku("pink", 2)],
            PricingContext {
                voucher_codes: vec!["welcome10".into()],
                ..ctx(2)
            },
            vec![line_d("230", "184", "46", &[("20", "8")])],
            ("230", "184", "46", Some(("20", "8"))),
        )
        .promoted(vec![voucher.clone()], vec!["welcome"]),
        case(
            "voucher condition not met",
            vec![sku("pink", 2)],
            PricingContext {
                voucher_codes: vec!["OTHER".into()],
                ..ctx(2)
            },
            vec![line("250", "200", "50")],
            ("250", "200", "50", None),
        )
        .promoted(vec![voucher], vec![]),
        case(
            "customer group condition met, and not met",
            vec![sku("pink", 1)],
            PricingContext {
                customer_groups: vec!["vip".into()],
                ..ctx(2)
            },
            vec![line_d("100", "80", "20", &[("25", "20")])],
            ("100", "80", "20", Some(("25", "20"))),
        )
        .promoted(vec![vip.clone()], vec!["vip"]),
        case(
            "customer group not in the promotion's groups",
            vec![sku("pink", 1)],
            PricingContext {
                customer_groups: vec!["regular".into()],
                ..ctx(2)
            },
            vec![line("125", "100", "25")],
            ("125", "100", "25", None),
        )
        .promoted(vec![vip], vec![]),
        case(
            "periods: ended promotions are skipped, the end is exclusive, start inclusive",
            vec![sku("pink", 1)],
            ctx(2),
            vec![line_d("62.5", "50", "12.5", &[("62.5", "50")])],
            ("62.5", "50", "12.5", Some(("62.5", "50"))),
        )
        .promoted(vec![past, current], vec!["current"]),
        case(
            "dynamic fixed: the new unit price, and nothing when already below",
            vec![sku("pink", 2), sku("food", 1)],
            ctx(2),
            vec![
                line_d("200", "160", "40", &[("50", "20")]),
                line("11.49", "9.99", "1.5"),
            ],
            ("211.49", "169.99", "41.5", Some(("50", "19.12"))),
        )
        .promoted(
            vec![promo("dyn", MechanismKind::DynamicFixed, "100", true)],
            vec!["dyn"],
        ),
        case(
            "3 for 2 across lines: the cheapest unit of each complete group is free",
            vec![sku("pink", 2), sku("red", 2)],
            ctx(2),
            vec![
                line_d("125", "100", "25", &[("125", "50")]),
                line("275", "220", "55"),
            ],
            ("400", "320", "80", Some(("125", "23.81"))),
        )
        .promoted(
            vec![promo("3for2", MechanismKind::XforY, "3", true)],
            vec!["3for2"],
        ),
        case(
            "external items: taken as given, tax rate from gross and net, no promotions",
            vec![given("shipping", 2, "120", "100", &[]), sku("pink", 1)],
            ctx(2),
            vec![
                line("240", "200", "40"),
                line_d("112.5", "90", "22.5", &[("12.5", "10")]),
            ],
            ("352.5", "290", "62.5", Some(("12.5", "3.42"))),
        )
        .promoted(
            vec![promo("all", MechanismKind::Percentage, "10", true)],
            vec!["all"],
        ),
        case(
            "a caller-given discount is shown against the price before it",
            vec![given("robot", 2, "100", "80", &["25"])],
            ctx(2),
            vec![line_d("200", "160", "40", &[("50", "20")])],
            ("200", "160", "40", Some(("50", "20"))),
        ),
        case(
            "percentage on net prices: gross follows",
            vec![sku("pink", 1)],
            PricingContext {
                discount_on_net: true,
                ..ctx(2)
            },
            vec![line_d("112.5", "90", "22.5", &[("10", "10")])],
            ("112.5", "90", "22.5", Some(("10", "10"))),
        )
        .promoted(
            vec![promo("p10", MechanismKind::Percentage, "10", true)],
            vec!["p10"],
        ),
        case(
            "promotions stack in identifier order, each on what is left",
            vec![sku("pink", 1)],
            ctx(2),
            vec![line_d("90", "72", "18", &[("25", "20"), ("10", "10")])],
            ("90", "72", "18", Some(("35", "28"))),
        )
        .promoted(
            vec![
                promo("b-percent", MechanismKind::Percentage, "10", true),
                promo("a-fixed", MechanismKind::Fixed, "25", true),
            ],
            vec!["a-fixed", "b-percent"],
        ),
        case(
            "a fixed discount never goes below zero",
            vec![sku("food", 2)],
            ctx(2),
            vec![line_d("0", "0", "0", &[("22.98", "100")])],
            ("0", "0", "0", Some(("22.98", "100"))),
        )
        .promoted(
            vec![promo("big", MechanismKind::Fixed, "1000", true)],
            vec!["big"],
        ),
        case(
            "two billion units, not repeatable: still one unit, computed at once",
            vec![sku("pink", 2_000_000_000)],
            ctx(2),
            vec![line_d(
                "249999999987.5",
                "199999999990",
                "49999999997.5",
                &[("12.5", "0")],
            )],
            (
                "249999999987.5",
                "199999999990",
                "49999999997.5",
                Some(("12.5", "0")),
            ),
        )
        .promoted(
            vec![promo("p10", MechanismKind::Percentage, "10", false)],
            vec!["p10"],
        ),
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
    for (id, kind, value) in [
        ("x", MechanismKind::XforY, "2.5"),
        ("x", MechanismKind::XforY, "1"),
        ("x", MechanismKind::Percentage, "101"),
        ("x", MechanismKind::Fixed, "-1"),
        (" ", MechanismKind::Fixed, "1"),
    ] {
        let refused = promo(id, kind, value, false).validate().is_err();
        assert!(refused, "`{id}` {kind:?} {value}");
    }
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
