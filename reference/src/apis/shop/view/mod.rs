//! Stored carts as the generated GraphQL types. The cart and cart-admin endpoints generate
//! distinct but field-for-field identical `Cart` types, so one conversion (`cart_view.rs`) is
//! compiled once for each, with `api` naming the generated module.

/// For the cart endpoint.
pub mod shop {
    use shopql_server_stubs::shop as api;
    include!("cart_view.rs");
}

/// For the cart-admin endpoint.
pub mod cart_admin {
    use shopql_server_stubs::cart_admin as api;
    include!("cart_view.rs");
}
