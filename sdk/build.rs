//! Generates the typed clients from `../schemas` and `../schemas/operations/<api>/`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    shopql_codegen::configure()
        .client(true)
        .server(false)
        .scalar("DateTime", "::std::string::String")
        .scalar("Date", "::std::string::String")
        .scalar("UUID", "::std::string::String")
        .scalar(
            "HashMap",
            "::serde_json::Map<::std::string::String, ::serde_json::Value>",
        )
        .scalar("PositiveInt", "u32")
        .scalar("Rate", "f64")
        .scalar("Decimal", "::shopql_sdk::scalars::Decimal")
        .scalar("DynamicPropertyValue", "::serde_json::Value")
        .scalar("ISO8601DateTime", "::std::string::String")
        .scalar("ISO8601Date", "::std::string::String")
        // Computed on demand by the server; fetch them with an operation document.
        .lazy_field("CartType.availableShippingMethods")
        .lazy_field("CartType.availablePaymentMethods")
        .compile_dir("../schemas")?;
    Ok(())
}
