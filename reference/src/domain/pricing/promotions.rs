//! Promotions: when one applies (periods, conditions, triggers) and how its mechanism takes
//! money off target units. Units are kept as runs of equal price ("buckets") so that a line of
//! two billion units costs no more than a line of one.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

/// How a promotion discounts its targets (`MechanismEnumType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum MechanismKind {
    /// `value` is the new unit price of each target unit.
    DynamicFixed,
    /// `value` is taken off each target unit, never below zero.
    Fixed,
    /// `value` (0..=100) percent is taken off each target unit.
    Percentage,
    /// In each complete group of `value` target units, the cheapest is free.
    XforY,
}

impl MechanismKind {
    /// The GraphQL enum value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            MechanismKind::DynamicFixed => "DynamicFixed",
            MechanismKind::Fixed => "Fixed",
            MechanismKind::Percentage => "Percentage",
            MechanismKind::XforY => "XforY",
        }
    }
}

/// A mechanism and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Mechanism {
    /// The type.
    pub kind: MechanismKind,
    /// The value; its meaning depends on `kind`.
    pub value: Decimal,
}

/// A validity period: active when `start` ≤ now < `end` (ms since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Period {
    /// Start, inclusive; `None` means since always.
    pub start_ms: Option<i64>,
    /// End, exclusive; `None` means forever.
    pub end_ms: Option<i64>,
}

impl Period {
    /// True if `now_ms` is inside the period.
    pub(crate) fn contains(&self, now_ms: i64) -> bool {
        self.start_ms.is_none_or(|s| s <= now_ms) && self.end_ms.is_none_or(|e| now_ms < e)
    }
}

/// A promotion of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Promotion {
    /// Unique per tenant; promotions apply in identifier order.
    pub identifier: String,
    /// Display name.
    pub name: Option<String>,
    /// When it is active; empty means always.
    pub periods: Vec<Period>,
    /// SKUs whose presence triggers it; `None` means no trigger is needed.
    pub triggers: Option<Vec<String>>,
    /// SKUs it discounts; `None` means every managed catalogue line.
    pub targets: Option<Vec<String>>,
    /// How it discounts.
    pub mechanism: Mechanism,
    /// Whether it applies to every target unit (or group) rather than once per cart.
    pub repeatable: bool,
    /// Voucher codes that unlock it (case-insensitive); empty means none is needed.
    pub voucher_codes: Vec<String>,
    /// Customer groups it is for; empty means everyone.
    pub customer_groups: Vec<String>,
}

/// The largest amount (in currency units) a price, discount or promotion value may have; it
/// keeps every product of quantity and price far inside `Decimal`'s range.
pub(crate) const MAX_AMOUNT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0); // 1e12

impl Promotion {
    /// Checks the rules of `setPromotions`; the message names what is wrong.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.identifier.trim().is_empty() {
            return Err("a promotion identifier must not be empty".into());
        }
        let value = self.mechanism.value;
        let id = &self.identifier;
        match self.mechanism.kind {
            MechanismKind::Percentage if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED => {
                return Err(format!(
                    "promotion `{id}`: a Percentage value must be between 0 and 100, not {value}"
                ));
            }
            MechanismKind::Fixed | MechanismKind::DynamicFixed if value < Decimal::ZERO => {
                return Err(format!(
                    "promotion `{id}`: a {} value must not be negative, not {value}",
                    self.mechanism.kind.as_str()
                ));
            }
            MechanismKind::XforY if !value.fract().is_zero() || value < Decimal::TWO => {
                return Err(format!(
                    "promotion `{id}`: an XforY value must be a whole number of at least 2, not {value}"
                ));
            }
            _ => {}
        }
        if value > MAX_AMOUNT {
            return Err(format!(
                "promotion `{id}`: the mechanism value must be at most {MAX_AMOUNT}"
            ));
        }
        for p in &self.periods {
            if let (Some(s), Some(e)) = (p.start_ms, p.end_ms)
                && s >= e
            {
                return Err(format!(
                    "promotion `{id}`: a period's start must be before its end"
                ));
            }
        }
        Ok(())
    }

    /// True when one of its periods holds `now_ms` (or it has none).
    pub(crate) fn is_active(&self, now_ms: i64) -> bool {
        self.periods.is_empty() || self.periods.iter().any(|p| p.contains(now_ms))
    }

    /// True if `code` is one of its voucher codes (case-insensitive, surrounding space ignored).
    pub(crate) fn accepts_voucher(&self, code: &str) -> bool {
        let code = code.trim().to_lowercase();
        !code.is_empty()
            && self
                .voucher_codes
                .iter()
                .any(|v| v.trim().to_lowercase() == code)
    }

    /// True when the cart's vouchers and customer groups meet its conditions.
    pub(crate) fn conditions_met(&self, vouchers: &[String], groups: &[String]) -> bool {
        let voucher_ok =
            self.voucher_codes.is_empty() || vouchers.iter().any(|v| self.accepts_voucher(v));
        let group_ok = self.customer_groups.is_empty()
            || groups
                .iter()
                .any(|g| self.customer_groups.iter().any(|c| c == g));
        voucher_ok && group_ok
    }
}

/// Units of one line that currently cost the same (on the discount basis).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Bucket {
    pub count: u64,
    pub price: Decimal,
}

/// The discount `kind`/`value` takes off one unit that costs `price`.
fn unit_discount(mechanism: Mechanism, price: Decimal) -> Decimal {
    let d = match mechanism.kind {
        MechanismKind::Percentage => price * mechanism.value / Decimal::ONE_HUNDRED,
        MechanismKind::Fixed => mechanism.value,
        MechanismKind::DynamicFixed => price - mechanism.value,
        MechanismKind::XforY => Decimal::ZERO,
    };
    d.max(Decimal::ZERO).min(price.max(Decimal::ZERO))
}

fn merge(buckets: Vec<Bucket>) -> Vec<Bucket> {
    let mut out: Vec<Bucket> = Vec::with_capacity(buckets.len());
    for b in buckets {
        if b.count == 0 {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.price == b.price => last.count += b.count,
            _ => out.push(b),
        }
    }
    out
}

/// Applies `mechanism` to the `targets` lines (indices into `lines`, in cart order) at most
/// `budget` times (`None`: no limit); one application is one unit, or one group for XforY.
/// Returns the discount taken off each line, for lines that got one.
pub(super) fn apply(
    mechanism: Mechanism,
    lines: &mut [Vec<Bucket>],
    targets: &[usize],
    budget: Option<u64>,
) -> BTreeMap<usize, Decimal> {
    match mechanism.kind {
        MechanismKind::XforY => apply_groups(mechanism, lines, targets, budget),
        _ => apply_per_unit(mechanism, lines, targets, budget),
    }
}

fn apply_per_unit(
    mechanism: Mechanism,
    lines: &mut [Vec<Bucket>],
    targets: &[usize],
    budget: Option<u64>,
) -> BTreeMap<usize, Decimal> {
    let mut discounts = BTreeMap::new();
    let mut remaining = budget;
    for &li in targets {
        let Some(line) = lines.get_mut(li) else {
            continue;
        };
        let mut next = Vec::with_capacity(line.len() + 1);
        for b in std::mem::take(line) {
            let take = remaining.map_or(b.count, |r| r.min(b.count));
            let d = unit_discount(mechanism, b.price);
            // A unit that cannot be discounted does not use up the promotion.
            if take == 0 || d.is_zero() {
                next.push(b);
                continue;
            }
            next.push(Bucket {
                count: take,
                price: b.price - d,
            });
            next.push(Bucket {
                count: b.count - take,
                price: b.price,
            });
            *discounts.entry(li).or_insert(Decimal::ZERO) += d * Decimal::from(take);
            if let Some(r) = remaining.as_mut() {
                *r -= take;
            }
        }
        *line = merge(next);
    }
    discounts
}

/// XforY: the target units in cart order form consecutive groups of X; in each complete group
/// the cheapest unit (the first of them on a tie) becomes free.
fn apply_groups(
    mechanism: Mechanism,
    lines: &mut [Vec<Bucket>],
    targets: &[usize],
    budget: Option<u64>,
) -> BTreeMap<usize, Decimal> {
    struct Run {
        line: usize,
        bucket: usize,
        count: u64,
        price: Decimal,
    }
    let mut discounts = BTreeMap::new();
    let x = match mechanism.value.to_u64() {
        Some(x) if x >= 2 && mechanism.value.fract().is_zero() => x,
        _ => return discounts,
    };
    let runs: Vec<Run> = targets
        .iter()
        .filter_map(|&li| lines.get(li).map(|l| (li, l)))
        .flat_map(|(li, l)| {
            l.iter().enumerate().map(move |(bi, b)| Run {
                line: li,
                bucket: bi,
                count: b.count,
                price: b.price,
            })
        })
        .collect();
    let mut freed: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    let mut groups_left = budget;
    let (mut i, mut offset) = (0usize, 0u64);
    while i < runs.len() && groups_left != Some(0) {
        let run = &runs[i];
        let available = run.count - offset;
        if available >= x {
            // Whole groups inside one run: all their units cost the same.
            let g = groups_left.map_or(available / x, |left| (available / x).min(left));
            *freed.entry((run.line, run.bucket)).or_insert(0) += g;
            if let Some(left) = groups_left.as_mut() {
                *left -= g;
            }
            offset += g * x;
            if offset == run.count {
                i += 1;
                offset = 0;
            }
            continue;
        }
        // A group spanning several runs.
        let (mut need, mut j, mut off) = (x, i, offset);
        let mut members = Vec::new();
        while need > 0 && j < runs.len() {
            let take = (runs[j].count - off).min(need);
            members.push(j);
            need -= take;
            off += take;
            if off == runs[j].count {
                j += 1;
                off = 0;
            }
        }
        if need > 0 {
            break;
        }
        let mut cheapest = members[0];
        for &m in &members[1..] {
            if runs[m].price < runs[cheapest].price {
                cheapest = m;
            }
        }
        *freed
            .entry((runs[cheapest].line, runs[cheapest].bucket))
            .or_insert(0) += 1;
        if let Some(left) = groups_left.as_mut() {
            *left -= 1;
        }
        i = j;
        offset = off;
    }
    for &li in targets {
        let Some(line) = lines.get_mut(li) else {
            continue;
        };
        let mut next = Vec::with_capacity(line.len() + 1);
        for (bi, b) in std::mem::take(line).into_iter().enumerate() {
            let k = freed.get(&(li, bi)).copied().unwrap_or(0).min(b.count);
            if k == 0 || b.price.is_zero() {
                next.push(b);
                continue;
            }
            *discounts.entry(li).or_insert(Decimal::ZERO) += b.price * Decimal::from(k);
            next.push(Bucket {
                count: k,
                price: Decimal::ZERO,
            });
            next.push(Bucket {
                count: b.count - k,
                price: b.price,
            });
        }
        *line = merge(next);
    }
    discounts
}
