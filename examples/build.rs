//! This crate is also what a user crate looks like: it generates its own typed client for the
//! shop API from the schema and from its own operation documents in `operations/`, exactly as
//! the README shows. Adding or editing a document here regenerates the client.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    shopql_codegen::configure()
        .client(true)
        .scalar("DateTime", "::std::string::String")
        .scalar("UUID", "::std::string::String")
        .scalar(
            "HashMap",
            "::serde_json::Map<::std::string::String, ::serde_json::Value>",
        )
        .scalar("PositiveInt", "u32")
        .scalar("Rate", "f64")
        .compile(&["../schemas/shop.graphql"], &["operations"])?;
    Ok(())
}
