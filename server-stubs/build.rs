//! Generates the resolver traits and their async-graphql adapters of each API whose feature is
//! on, from this crate's copy of the schemas (`schemas/`, kept equal to the workspace's
//! `schemas/` by `.ci/sync-crate-files`, and published with the crate). With no API feature on,
//! nothing is generated: the crate is the server runtime alone.

use std::path::PathBuf;

/// Each API: its schema's file stem, which is also the Cargo feature that turns it on.
const APIS: &[&str] = &[
    "client",
    "shop",
    "cart-admin",
    "lock",
    "usage",
    "purchase",
    "marketplace",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=schemas");
    let schemas: Vec<PathBuf> = APIS
        .iter()
        .filter(|api| enabled(api))
        .map(|api| PathBuf::from("schemas").join(format!("{api}.graphql")))
        .collect();
    if schemas.is_empty() {
        return Ok(());
    }
    shopql_codegen::configure()
        .client(false)
        .server(true)
        .scalar("DateTime", "::std::string::String")
        .scalar("Date", "::std::string::String")
        .scalar("UUID", "::std::string::String")
        .scalar(
            "HashMap",
            "::serde_json::Map<::std::string::String, ::serde_json::Value>",
        )
        .scalar("PositiveInt", "u32")
        .scalar("Rate", "f64")
        .scalar("Decimal", "::shopql_server_stubs::scalars::Decimal")
        .scalar("DynamicPropertyValue", "::serde_json::Value")
        .scalar("ISO8601DateTime", "::std::string::String")
        .scalar("ISO8601Date", "::std::string::String")
        .lazy_field("CartType.availableShippingMethods")
        .lazy_field("CartType.availablePaymentMethods")
        // Cart admin serves the shop API's carts: its `Cart`, items, prices, customers… are
        // shop's types (identical in both schemas, or the build fails), so one conversion and
        // one set of resolvers of their fields serve both endpoints. (`cart-admin` turns `shop`
        // on.)
        .extern_types("cart-admin", "shop")
        // The resolver traits do not use operation documents.
        .compile(&schemas, &[] as &[PathBuf])?;
    Ok(())
}

/// Whether Cargo feature `name` is on (cargo tells build scripts through the environment).
fn enabled(name: &str) -> bool {
    let var = format!(
        "CARGO_FEATURE_{}",
        name.to_ascii_uppercase().replace('-', "_")
    );
    std::env::var_os(var).is_some()
}
