//! The purchase cart domain (seed 003, the B2B "X-Purchase" cart): rules with no I/O.
//!
//! - [`cart`]: what is stored of a cart (lines, shipments, payments, coupons, addresses,
//!   dynamic property values, warnings).
//! - [`catalog`]: what a store sells and how it prices (currencies and exchange rates,
//!   products, tax rates, shipping and payment methods).
//! - [`money`]: rounding (per currency, half away from zero), conversion, formatting.
//! - [`promotions`]: promotions and rewards (percentage, fixed, free item, free shipping).
//! - [`totals`]: [`totals::evaluate`], the one pure function that prices a cart.
//! - [`properties`]: dynamic property definitions and value validation.
//! - [`validation`]: warnings and validation errors.
//! - [`merge`]: the rule for merging an anonymous cart into a customer's cart.

pub(crate) mod cart;
pub(crate) mod catalog;
pub(crate) mod merge;
pub(crate) mod money;
pub(crate) mod promotions;
pub(crate) mod properties;
pub(crate) mod totals;
pub(crate) mod validation;

#[cfg(test)]
mod totals_table;
