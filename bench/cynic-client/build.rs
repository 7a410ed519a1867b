// The build script of the cynic scratch crate of bench/compile-client-size: registers the
// synthetic schema (copied beside it as schema.graphql) as cynic's default schema.
fn main() {
    cynic_codegen::register_schema("synthetic")
        .from_sdl_file("schema.graphql")
        .expect("the synthetic schema reads")
        .as_default()
        .expect("the schema registers");
}
