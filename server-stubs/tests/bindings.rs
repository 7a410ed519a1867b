//! Every field of each generated API's SDL has a resolver bound by the generated adapter: a
//! field left out would fail with `INTERNAL` only when someone queries it.

use std::sync::Arc;

use shopql_server_stubs::registry::unbound_fields;
use shopql_server_stubs::{cart_admin, client, lock, marketplace, purchase, shop, usage};

#[test]
fn every_field_of_every_api_is_bound() {
    let unbound = [
        (
            "lock",
            unbound_fields(
                lock::adapter::SDL,
                &lock::adapter::bindings(Arc::new(lock::adapter::Unimplemented)),
            ),
        ),
        (
            "usage",
            unbound_fields(
                usage::adapter::SDL,
                &usage::adapter::bindings(Arc::new(usage::adapter::Unimplemented)),
            ),
        ),
        (
            "shop",
            unbound_fields(
                shop::adapter::SDL,
                &shop::adapter::bindings(Arc::new(shop::adapter::Unimplemented)),
            ),
        ),
        (
            "cart_admin",
            unbound_fields(
                cart_admin::adapter::SDL,
                &cart_admin::adapter::bindings(Arc::new(cart_admin::adapter::Unimplemented)),
            ),
        ),
        (
            "purchase",
            unbound_fields(
                purchase::adapter::SDL,
                &purchase::adapter::bindings(Arc::new(purchase::adapter::Unimplemented)),
            ),
        ),
        (
            "marketplace",
            unbound_fields(
                marketplace::adapter::SDL,
                &marketplace::adapter::bindings(Arc::new(marketplace::adapter::Unimplemented)),
            ),
        ),
        (
            "client",
            unbound_fields(
                client::adapter::SDL,
                &client::adapter::bindings(Arc::new(client::adapter::Unimplemented)),
            ),
        ),
    ];
    for (api, fields) in &unbound {
        assert!(fields.is_empty(), "{api}: unbound fields {fields:?}");
    }
    // The check sees fields: the SDL is not empty.
    assert!(marketplace::adapter::SDL.contains("type Advert implements Node"));
}
