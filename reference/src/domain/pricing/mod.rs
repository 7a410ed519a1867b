//! The shop API's pricing engine: cart lines and a pricing context in, exact line and cart
//! amounts out. No I/O: the API layer loads catalogue prices and promotions and calls
//! [`price_cart`].
//!
//! The rules (shop.graphql, `PriceContextInput`, `Price`, `Discount`, `MechanismEnumType`):
//! - A managed catalogue line takes the price of the selected price variant, else of the first
//!   fallback variant that has one; a price list of one of the cart's markets with a price for
//!   that variant replaces the variant's own price (the lowest of them).
//! - The tax rate is the item override, else the context override, else the product's VAT.
//!   With taxes included the catalogue price is gross and net = gross / (1 + rate); otherwise it
//!   is net and gross = net × (1 + rate).
//! - Discounts work on the *basis*: gross by default, net with `discountOnNetPrices`. The other
//!   side is recomputed from the discounted basis. A compare-at price above the selected price
//!   is shown as the first discount; promotions follow, in identifier order, each on what the
//!   previous ones left, never below zero.
//! - Everything is exact `Decimal` until the end: each line's gross and net are rounded half away
//!   from zero to `decimals`, tax = gross − net, unit prices are the line over the quantity
//!   (rounded), and cart totals are sums of the rounded lines. Discount percents are rounded to
//!   two decimals.
//! - Caller-priced lines (external items and unmanaged lines) are taken as given: their
//!   discounts are informational (the price is already after them) and promotions skip them.

mod promotions;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use promotions::Bucket;
pub(crate) use promotions::{MAX_AMOUNT, Mechanism, MechanismKind, Period, Promotion};

/// The most decimals a price context may ask for.
pub(crate) const MAX_DECIMALS: u32 = 10;

/// The effective price context of a cart (`PriceContextInput` after defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PricingContext {
    /// Decimals of every amount (0..=10).
    pub decimals: u32,
    /// Catalogue prices include taxes.
    pub prices_include_tax: bool,
    /// Context tax rate override (0..=1).
    pub tax_rate: Option<Decimal>,
    /// The price variant to use.
    pub selected_variant: String,
    /// The price variant to compare against.
    pub compare_at_variant: Option<String>,
    /// Price variants to fall back on, in order.
    pub fallback_variants: Vec<String>,
    /// Discounts reduce net (true) or gross (false) prices.
    pub discount_on_net: bool,
    /// The buyer's markets (price lists).
    pub markets: Vec<String>,
    /// The buyer's customer groups.
    pub customer_groups: Vec<String>,
    /// The voucher codes given.
    pub voucher_codes: Vec<String>,
}

impl Default for PricingContext {
    fn default() -> Self {
        Self {
            decimals: 0,
            prices_include_tax: false,
            tax_rate: None,
            selected_variant: "default".into(),
            compare_at_variant: None,
            fallback_variants: Vec::new(),
            discount_on_net: false,
            markets: Vec::new(),
            customer_groups: Vec::new(),
            voucher_codes: Vec::new(),
        }
    }
}

/// A price of a variant in the price list of a market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MarketPrice {
    /// The market the price list is enabled for.
    pub market: String,
    /// The price variant identifier.
    pub price_variant: String,
    /// The price.
    pub price: Decimal,
}

/// What the catalogue knows about a managed line's prices.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct CataloguePrices {
    /// The product's VAT rate (0..=1).
    pub vat_rate: Decimal,
    /// The line's own tax rate override (0..=1).
    pub tax_rate_override: Option<Decimal>,
    /// Price per price variant identifier; `None` is a variant without a price.
    pub prices: BTreeMap<String, Option<Decimal>>,
    /// Market price lists.
    pub market_prices: Vec<MarketPrice>,
}

/// A unit price given by the caller (external items, unmanaged lines); the default is zero.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct GivenPrice {
    /// Gross unit price.
    pub gross: Decimal,
    /// Net unit price.
    pub net: Decimal,
    /// Discounts already granted per unit, on the discount basis.
    pub discounts: Vec<Decimal>,
}

/// Where a line's price comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LinePricing {
    /// A managed catalogue line: catalogue prices, context rules, promotions.
    Catalogue(CataloguePrices),
    /// A caller-priced line, used as given.
    Given(GivenPrice),
}

/// One cart line to price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineInput {
    /// The SKU (triggers and targets match on it).
    pub sku: String,
    /// The quantity (at least 1).
    pub quantity: u32,
    /// Its prices.
    pub pricing: LinePricing,
}

/// Why a discount was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum DiscountSource {
    /// The compare-at price is higher than the selected price.
    CompareAt,
    /// A promotion, by identifier.
    Promotion(String),
    /// Given by the caller with the price.
    Given,
    /// The sum of every line's discounts (cart totals).
    Total,
}

/// A discount: amount (rounded) and percent of the price before it (two decimals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DiscountAmount {
    /// The amount, on the discount basis.
    pub amount: Decimal,
    /// The percent of the price before this discount.
    pub percent: Decimal,
    /// Why it was given.
    pub source: DiscountSource,
}

/// Rounded amounts: gross, net, tax = gross − net, and the discounts already applied.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct Amounts {
    /// Including taxes.
    pub gross: Decimal,
    /// Excluding taxes.
    pub net: Decimal,
    /// gross − net.
    pub tax: Decimal,
    /// Discounts already applied.
    pub discounts: Vec<DiscountAmount>,
}

impl Amounts {
    /// `gross` and `net` (rounded) with their tax.
    fn new(gross: Decimal, net: Decimal, discounts: Vec<DiscountAmount>) -> Self {
        Self {
            gross,
            net,
            tax: (gross - net).normalize(),
            discounts,
        }
    }
}

/// A priced line (the default: not priced yet, all zero).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PricedLine {
    /// The tax rate applied (0..=1).
    pub tax_rate: Decimal,
    /// The price variant whose price was used (catalogue lines).
    pub price_variant: Option<String>,
    /// Per unit, after discounts (discounts per unit).
    pub unit: Amounts,
    /// The whole line, after discounts.
    pub line: Amounts,
    /// The compare-at unit price, when the context names one and the variant has it.
    pub compare_at_unit: Option<Amounts>,
}

/// A priced cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PricedCart {
    /// The lines, in input order.
    pub lines: Vec<PricedLine>,
    /// Sums of the rounded lines; at most one discount, the sum of all line discounts.
    pub total: Amounts,
    /// Identifiers of the promotions that discounted at least one line, in applying order.
    pub applied_promotions: Vec<String>,
}

/// Input the engine refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PricingError {
    /// No price for any of the variants asked.
    #[error("SKU `{sku}` has no price for the price variant(s) {variants}")]
    NoPrice {
        /// The SKU.
        sku: String,
        /// The variants tried, quoted and comma-separated.
        variants: String,
    },
    /// A quantity of zero.
    #[error("the quantity of `{0}` must be at least 1")]
    Quantity(String),
    /// A tax rate outside 0..=1.
    #[error("the tax rate of `{sku}` must be between 0 and 1, not {rate}")]
    TaxRate {
        /// The SKU.
        sku: String,
        /// The rate.
        rate: Decimal,
    },
    /// An invalid price.
    #[error("the price of `{sku}` is invalid: {reason}")]
    Price {
        /// The SKU.
        sku: String,
        /// What is wrong.
        reason: String,
    },
    /// Decimals outside 0..=10.
    #[error("decimals must be a whole number from 0 to {MAX_DECIMALS}, not {0}")]
    Decimals(u32),
}

/// Rounds a money amount half away from zero.
fn round(value: Decimal, decimals: u32) -> Decimal {
    value
        .round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// `part` as a percent of `whole`, two decimals.
fn percent(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        return Decimal::ZERO;
    }
    round(part * Decimal::ONE_HUNDRED / whole, 2)
}

fn valid_rate(rate: Decimal) -> bool {
    rate >= Decimal::ZERO && rate <= Decimal::ONE
}

fn valid_amount(value: Decimal) -> bool {
    value >= Decimal::ZERO && value <= MAX_AMOUNT
}

/// The lowest price of `variant` in the price lists of `markets`, else the variant's own price.
fn effective_price(prices: &CataloguePrices, variant: &str, markets: &[String]) -> Option<Decimal> {
    prices
        .market_prices
        .iter()
        .filter(|m| m.price_variant == variant && markets.iter().any(|k| k == &m.market))
        .map(|m| m.price)
        .min()
        .or_else(|| prices.prices.get(variant).copied().flatten())
}

/// A line while it is being priced (exact amounts, on the discount basis).
struct Work {
    quantity: u64,
    tax_rate: Decimal,
    price_variant: Option<String>,
    /// The unit basis before promotions.
    basis_unit: Decimal,
    /// The catalogue compare-at price and its basis.
    compare: Option<(Decimal, Decimal)>,
    /// Catalogue price → (gross, net) for this line's tax rate.
    prices_include_tax: bool,
    given: Option<GivenPrice>,
    /// Promotion discounts: (identifier, amount, line basis before it).
    promotions: Vec<(String, Decimal, Decimal)>,
}

impl Work {
    fn gross_net_of_catalogue(&self, price: Decimal) -> (Decimal, Decimal) {
        let factor = Decimal::ONE + self.tax_rate;
        if self.prices_include_tax {
            (price, price / factor)
        } else {
            (price * factor, price)
        }
    }
}

fn basis_of(gross: Decimal, net: Decimal, on_net: bool) -> Decimal {
    if on_net { net } else { gross }
}

/// Prices `lines` with `ctx` and the tenant's `promotions` at `now_ms`.
pub(crate) fn price_cart(
    lines: &[LineInput],
    ctx: &PricingContext,
    promotions: &[Promotion],
    now_ms: i64,
) -> Result<PricedCart, PricingError> {
    if ctx.decimals > MAX_DECIMALS {
        return Err(PricingError::Decimals(ctx.decimals));
    }
    let mut work = Vec::with_capacity(lines.len());
    let mut buckets: Vec<Vec<Bucket>> = Vec::with_capacity(lines.len());
    for line in lines {
        let (w, b) = prepare_line(line, ctx)?;
        work.push(w);
        buckets.push(b);
    }
    let applied = apply_promotions(lines, ctx, promotions, now_ms, &mut work, &mut buckets);

    let decimals = ctx.decimals;
    let mut priced = Vec::with_capacity(lines.len());
    let mut total = Amounts::default();
    let mut total_discount = Decimal::ZERO;
    for (w, b) in work.iter().zip(&buckets) {
        let line = finish_line(w, b, ctx);
        total.gross += line.line.gross;
        total.net += line.line.net;
        total.tax += line.line.tax;
        total_discount += line
            .line
            .discounts
            .iter()
            .map(|d| d.amount)
            .sum::<Decimal>();
        priced.push(line);
    }
    if total_discount > Decimal::ZERO {
        let basis = basis_of(total.gross, total.net, ctx.discount_on_net);
        total.discounts.push(DiscountAmount {
            amount: round(total_discount, decimals),
            percent: percent(total_discount, basis + total_discount),
            source: DiscountSource::Total,
        });
    }
    total.gross = total.gross.normalize();
    total.net = total.net.normalize();
    total.tax = total.tax.normalize();
    Ok(PricedCart {
        lines: priced,
        total,
        applied_promotions: applied,
    })
}

fn prepare_line(
    line: &LineInput,
    ctx: &PricingContext,
) -> Result<(Work, Vec<Bucket>), PricingError> {
    let sku = &line.sku;
    if line.quantity == 0 {
        return Err(PricingError::Quantity(sku.clone()));
    }
    let quantity = u64::from(line.quantity);
    let price_error = |reason: String| PricingError::Price {
        sku: sku.clone(),
        reason,
    };
    let (work, basis_unit) = match &line.pricing {
        LinePricing::Catalogue(c) => {
            let tax_rate = c.tax_rate_override.or(ctx.tax_rate).unwrap_or(c.vat_rate);
            if !valid_rate(tax_rate) {
                return Err(PricingError::TaxRate {
                    sku: sku.clone(),
                    rate: tax_rate,
                });
            }
            let candidates: Vec<&String> = std::iter::once(&ctx.selected_variant)
                .chain(ctx.fallback_variants.iter())
                .collect();
            let (variant, price) = candidates
                .iter()
                .find_map(|v| effective_price(c, v, &ctx.markets).map(|p| ((*v).clone(), p)))
                .ok_or_else(|| PricingError::NoPrice {
                    sku: sku.clone(),
                    variants: candidates
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            if !valid_amount(price) {
                return Err(price_error(format!("{price} is outside 0..={MAX_AMOUNT}")));
            }
            let mut w = Work {
                quantity,
                tax_rate,
                price_variant: Some(variant),
                basis_unit: Decimal::ZERO,
                compare: None,
                prices_include_tax: ctx.prices_include_tax,
                given: None,
                promotions: Vec::new(),
            };
            let (g, n) = w.gross_net_of_catalogue(price);
            let basis_unit = basis_of(g, n, ctx.discount_on_net);
            w.compare = ctx
                .compare_at_variant
                .as_deref()
                .and_then(|v| effective_price(c, v, &ctx.markets))
                .filter(|p| valid_amount(*p))
                .map(|p| {
                    let (cg, cn) = w.gross_net_of_catalogue(p);
                    (p, basis_of(cg, cn, ctx.discount_on_net))
                });
            w.basis_unit = basis_unit;
            (w, basis_unit)
        }
        LinePricing::Given(g) => {
            if !valid_amount(g.net) || !valid_amount(g.gross) {
                return Err(price_error(format!(
                    "gross and net must be between 0 and {MAX_AMOUNT}"
                )));
            }
            if g.gross < g.net {
                return Err(price_error(format!(
                    "gross ({}) must not be below net ({})",
                    g.gross, g.net
                )));
            }
            if g.discounts.iter().any(|d| !valid_amount(*d)) {
                return Err(price_error(format!(
                    "a discount amount must be between 0 and {MAX_AMOUNT}"
                )));
            }
            let tax_rate = if g.net.is_zero() {
                Decimal::ZERO
            } else {
                (g.gross - g.net) / g.net
            };
            let basis_unit = basis_of(g.gross, g.net, ctx.discount_on_net);
            (
                Work {
                    quantity,
                    tax_rate,
                    price_variant: None,
                    basis_unit,
                    compare: None,
                    prices_include_tax: ctx.prices_include_tax,
                    given: Some(g.clone()),
                    promotions: Vec::new(),
                },
                basis_unit,
            )
        }
    };
    let buckets = vec![Bucket {
        count: quantity,
        price: basis_unit,
    }];
    Ok((work, buckets))
}

/// Applies every eligible promotion in identifier order; returns those that discounted a line.
fn apply_promotions(
    lines: &[LineInput],
    ctx: &PricingContext,
    promotions: &[Promotion],
    now_ms: i64,
    work: &mut [Work],
    buckets: &mut [Vec<Bucket>],
) -> Vec<String> {
    let mut ordered: Vec<&Promotion> = promotions.iter().collect();
    ordered.sort_by(|a, b| a.identifier.cmp(&b.identifier));
    let mut applied = Vec::new();
    for promo in ordered {
        if !promo.is_active(now_ms)
            || !promo.conditions_met(&ctx.voucher_codes, &ctx.customer_groups)
        {
            continue;
        }
        // Every line counts as a trigger, whoever priced it: the cart holds that SKU.
        let trigger_units: Option<u64> = promo.triggers.as_ref().map(|skus| {
            lines
                .iter()
                .filter(|l| skus.iter().any(|s| s == &l.sku))
                .map(|l| u64::from(l.quantity))
                .sum()
        });
        if trigger_units == Some(0) {
            continue;
        }
        // Only managed catalogue lines are discounted: a caller-set price is final.
        let targets: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| matches!(l.pricing, LinePricing::Catalogue(_)))
            .filter(|(_, l)| {
                promo
                    .targets
                    .as_ref()
                    .is_none_or(|skus| skus.iter().any(|s| s == &l.sku))
            })
            .map(|(i, _)| i)
            .collect();
        if targets.is_empty() {
            continue;
        }
        let budget = if !promo.repeatable {
            Some(1)
        } else {
            trigger_units
        };
        let before: BTreeMap<usize, Decimal> = targets
            .iter()
            .map(|&i| (i, line_basis(&buckets[i])))
            .collect();
        let discounts = promotions::apply(promo.mechanism, buckets, &targets, budget);
        let mut any = false;
        for (i, amount) in discounts {
            if amount > Decimal::ZERO {
                any = true;
                let prior = before.get(&i).copied().unwrap_or(Decimal::ZERO);
                work[i]
                    .promotions
                    .push((promo.identifier.clone(), amount, prior));
            }
        }
        if any {
            applied.push(promo.identifier.clone());
        }
    }
    applied
}

fn line_basis(buckets: &[Bucket]) -> Decimal {
    buckets
        .iter()
        .map(|b| b.price * Decimal::from(b.count))
        .sum()
}

fn finish_line(w: &Work, buckets: &[Bucket], ctx: &PricingContext) -> PricedLine {
    let decimals = ctx.decimals;
    let qty = Decimal::from(w.quantity);
    let factor = Decimal::ONE + w.tax_rate;
    // Exact line amounts and the discounts (exact amount, exact price before it).
    let (gross_x, net_x, discounts): (Decimal, Decimal, Vec<(Decimal, Decimal, DiscountSource)>) =
        match &w.given {
            Some(g) => {
                let mut discounts = Vec::new();
                let mut after_unit = w.basis_unit;
                // Given discounts were applied in list order; the price is after the last one.
                let mut before_units: Vec<Decimal> = Vec::with_capacity(g.discounts.len());
                for d in g.discounts.iter().rev() {
                    after_unit += *d;
                    before_units.push(after_unit);
                }
                before_units.reverse();
                for (d, before) in g.discounts.iter().zip(before_units) {
                    if d.is_zero() {
                        continue;
                    }
                    discounts.push((*d * qty, before * qty, DiscountSource::Given));
                }
                (g.gross * qty, g.net * qty, discounts)
            }
            None => {
                let basis_after = line_basis(buckets);
                let (gross_x, net_x) = if ctx.discount_on_net {
                    (basis_after * factor, basis_after)
                } else {
                    (basis_after, basis_after / factor)
                };
                let mut discounts = Vec::new();
                if let Some((_, compare_basis)) = w.compare
                    && compare_basis > w.basis_unit
                {
                    discounts.push((
                        (compare_basis - w.basis_unit) * qty,
                        compare_basis * qty,
                        DiscountSource::CompareAt,
                    ));
                }
                for (id, amount, before) in &w.promotions {
                    discounts.push((*amount, *before, DiscountSource::Promotion(id.clone())));
                }
                (gross_x, net_x, discounts)
            }
        };
    // The line's amounts, and a unit's (each amount divided by the quantity before rounding).
    let amounts = |per: Option<Decimal>| {
        let part = |x: Decimal| round(per.map_or(x, |q| x / q), decimals);
        let discounts = discounts
            .iter()
            .map(|(amount, before, source)| DiscountAmount {
                amount: part(*amount),
                percent: percent(*amount, *before),
                source: source.clone(),
            })
            .collect();
        Amounts::new(part(gross_x), part(net_x), discounts)
    };
    let (line, unit) = (amounts(None), amounts(Some(qty)));
    let compare_at_unit = w.compare.map(|(price, _)| {
        let (g, n) = w.gross_net_of_catalogue(price);
        Amounts::new(round(g, decimals), round(n, decimals), Vec::new())
    });
    PricedLine {
        tax_rate: w.tax_rate.normalize(),
        price_variant: w.price_variant.clone(),
        unit,
        line,
        compare_at_unit,
    }
}
