//! Any text given to the SDL reader yields a schema or diagnostics, never a panic; a schema that
//! checks also emits and formats both sides without failing.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(schema) = shopql_codegen::model::Schema::parse(text, Path::new("fuzz.graphql")) {
        let mut diags = shopql_codegen::Diagnostics::new();
        let config = shopql_codegen::Config { server: true, ..Default::default() };
        let client = shopql_codegen::emit::client::emit(&schema, &[], &config, &mut diags);
        let server = shopql_codegen::emit::server::emit(&schema, &config, &mut diags);
        // Emission of a checked schema must always format: a failure here is a generator bug.
        assert!(shopql_codegen::emit::format_file(client).is_ok());
        assert!(shopql_codegen::emit::format_file(server.tokens).is_ok());
    }
});
