//! Generation time: parse + check + emit + format, in memory (`Builder::generate`, nothing
//! written), for the workspace's seven schemas with their operation documents, and for the
//! synthetic schema of more than 2,000 types shared with the compile test.
//!
//! `cargo bench -p shopql-codegen` (add `-- seven` or `-- synthetic` to run one group).
//!
//! This runs on the system allocator, as a build script does. The `shopql-codegen` binary uses
//! mimalloc and is ~25 % faster on the same work; `shopql-bench` times that binary.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark of known-good inputs

#[path = "../tests/common/synthetic.rs"]
#[allow(dead_code)] // shared with the tests
mod synthetic;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use shopql_codegen::Builder;

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

fn seven_schemas() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(schemas_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 7);
    files
}

/// The configuration of the SDK and the server stubs' build scripts, both sides at once.
fn builder(client: bool, server: bool) -> Builder {
    shopql_codegen::configure()
        .client(client)
        .server(server)
        .cargo_output(false)
        .scalar("DateTime", "::std::string::String")
        .scalar("Date", "::std::string::String")
        .scalar("UUID", "::std::string::String")
        .scalar(
            "HashMap",
            "::serde_json::Map<::std::string::String, ::serde_json::Value>",
        )
        .scalar("PositiveInt", "u32")
        .scalar("Rate", "f64")
        .scalar("Decimal", "::std::string::String")
        .scalar("DynamicPropertyValue", "::serde_json::Value")
        .scalar("ISO8601DateTime", "::std::string::String")
        .scalar("ISO8601Date", "::std::string::String")
        .lazy_field("CartType.availableShippingMethods")
        .lazy_field("CartType.availablePaymentMethods")
}

fn seven(c: &mut Criterion) {
    let schemas = seven_schemas();
    let ops = vec![schemas_dir().join("operations")];
    let mut group = c.benchmark_group("seven_schemas");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("parse_check", |b| {
        b.iter(|| black_box(builder(true, true).check(&schemas, &ops).unwrap()))
    });
    for (name, client, server) in [
        ("generate_client", true, false),
        ("generate_server", false, true),
        ("generate_client_server", true, true),
    ] {
        let builder = builder(client, server);
        group.bench_function(name, |b| {
            b.iter(|| black_box(builder.generate(&schemas, &ops).unwrap()))
        });
    }
    group.finish();
}

fn synthetic(c: &mut Criterion) {
    let s = synthetic::schema(synthetic::groups_for(2_000));
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("synthetic.graphql");
    std::fs::write(&schema, &s.sdl).unwrap();
    let ops = dir.path().join("operations");
    std::fs::create_dir_all(ops.join("synthetic")).unwrap();
    std::fs::write(ops.join("synthetic/operations.graphql"), &s.operations).unwrap();
    let schemas = vec![schema];
    let ops = vec![ops];
    let mut group = c.benchmark_group(format!("synthetic_{}_types", s.type_count));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("parse_check", |b| {
        b.iter(|| black_box(builder(true, true).check(&schemas, &ops).unwrap()))
    });
    for (name, client, server) in [
        ("generate_client", true, false),
        ("generate_server", false, true),
        ("generate_client_server", true, true),
    ] {
        let builder = builder(client, server);
        group.bench_function(name, |b| {
            b.iter(|| black_box(builder.generate(&schemas, &ops).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, seven, synthetic);
criterion_main!(benches);
