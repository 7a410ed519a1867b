//! The marketplace seller API's rules, with no I/O: global ids, prices, vetting and publication,
//! shipment quantities, and invoice status flags.

pub mod ids;
pub mod invoice;
pub mod pricing;
pub mod shipping;
pub mod vetting;
