//! Generates this crate's typed client from its own schema (`wishlist.graphql`) and operation
//! documents (`operations/`), as any crate that uses shopql's generator on its own API does.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    shopql_codegen::configure()
        .client(true)
        .compile(&["wishlist.graphql"], &["operations"])?;
    Ok(())
}
