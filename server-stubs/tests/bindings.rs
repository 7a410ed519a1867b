//! Every field of each generated API's SDL has a resolver bound by the generated adapter: a
//! field left out would fail with `INTERNAL` only when someone queries it.

use std::sync::Arc;

use shopql_server_stubs::registry::unbound_fields;
use shopql_server_stubs::{cart_admin, client, lock, marketplace, purchase, shop, usage};

/// `(api, the fields of its SDL that its bindings leave out)` for each API named.
macro_rules! unbound {
    ($($api:ident),*) => {
        [$((
            stringify!($api),
            unbound_fields(
                $api::adapter::SDL,
                &$api::adapter::bindings(Arc::new($api::adapter::Unimplemented)),
            ),
        )),*]
    };
}

#[test]
fn every_field_of_every_api_is_bound() {
    let unbound = unbound!(lock, usage, shop, cart_admin, purchase, marketplace, client);
    for (api, fields) in &unbound {
        assert!(fields.is_empty(), "{api}: unbound fields {fields:?}");
    }
    // The check sees fields: the SDL is not empty.
    assert!(marketplace::adapter::SDL.contains("type Advert implements Node"));
}
