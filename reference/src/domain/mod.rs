//! The domain core: rules with no I/O (money, pricing, stock, state machines). Storage and the
//! GraphQL layer call into it; it is tested on its own.

pub mod checkout;
pub mod marketplace;
pub mod money;
pub mod pricing;
pub mod purchase;
