//! The domain core: rules with no I/O (money, pricing, stock, state machines). Storage and the
//! GraphQL layer call into it; it is tested on its own.

pub(crate) mod checkout;
pub mod marketplace;
pub(crate) mod money;
pub(crate) mod pricing;
pub(crate) mod purchase;
