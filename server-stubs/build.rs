//! Generates the resolver traits and their async-graphql adapters from `../schemas`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
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
        .compile_dir("../schemas")?;
    Ok(())
}
