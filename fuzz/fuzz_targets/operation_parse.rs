//! Any operation document checked against the shop and marketplace schemas yields operations or
//! diagnostics, never a panic.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use shopql_codegen::model::Schema;

static SCHEMAS: LazyLock<Vec<Schema>> = LazyLock::new(|| {
    ["shop", "marketplace"]
        .iter()
        .filter_map(|name| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../schemas/{name}.graphql"));
            Schema::from_file(&path).ok()
        })
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for schema in SCHEMAS.iter() {
        let _ = shopql_codegen::operations::parse_document(schema, text, Path::new("fuzz.graphql"));
    }
});
