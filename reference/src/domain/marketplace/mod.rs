//! The marketplace seller API's rules, with no I/O: global ids, prices, vetting and publication,
//! shipment quantities, and invoice status flags.

pub(crate) mod ids;
pub(crate) mod invoice;
pub(crate) mod pricing;
pub(crate) mod shipping;
pub mod vetting;
