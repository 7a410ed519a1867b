//! The SDL that async-graphql prints for each generated schema is equivalent to the source SDL in
//! `schemas/`: the same types, fields, arguments, nullability, defaults, enum values,
//! descriptions (equal after trimming), deprecations and `@specifiedBy` URLs. Both sides are
//! read with shopql-codegen's own SDL model and compared as sets of normalized facts, so order
//! and formatting do not matter; built-in scalars, directive definitions and introspection types
//! that async-graphql prints are ignored.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use shopql_codegen::model::{Deprecation, InputValue, Schema, TypeKind};

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

fn desc(d: Option<&str>) -> String {
    match d.map(str::trim) {
        Some(d) if !d.is_empty() => format!("{d:?}"),
        _ => "-".to_string(),
    }
}

fn dep(d: Option<&Deprecation>) -> String {
    match d {
        Some(d) => format!("deprecated({:?})", d.reason_or_default()),
        None => "-".to_string(),
    }
}

fn input_value(owner: &str, v: &InputValue) -> String {
    let default = v
        .default
        .as_ref()
        .map_or_else(|| "-".to_string(), |d| format!("= {d}"));
    format!(
        "{owner}.{}: {} {default} desc={} {}",
        v.name,
        v.ty,
        desc(v.description.as_deref()),
        dep(v.deprecation.as_ref())
    )
}

/// Every fact the comparison covers, one line each.
fn facts(schema: &Schema) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    out.insert(format!(
        "schema query={:?} mutation={:?} subscription={:?}",
        schema.query_type, schema.mutation_type, schema.subscription_type
    ));
    for t in schema.types() {
        let name = &t.name;
        out.insert(format!(
            "{} {name} desc={}",
            t.kind.describe(),
            desc(t.description.as_deref())
        ));
        match &t.kind {
            TypeKind::Scalar { specified_by, .. } => {
                out.insert(format!("scalar {name} specifiedBy={specified_by:?}"));
            }
            TypeKind::Object { fields, interfaces }
            | TypeKind::Interface { fields, interfaces } => {
                for i in interfaces {
                    out.insert(format!("{name} implements {i}"));
                }
                for f in fields {
                    out.insert(format!(
                        "field {name}.{}: {} desc={} {}",
                        f.name,
                        f.ty,
                        desc(f.description.as_deref()),
                        dep(f.deprecation.as_ref())
                    ));
                    for a in &f.args {
                        out.insert(format!(
                            "arg {}",
                            input_value(&format!("{name}.{}", f.name), a)
                        ));
                    }
                }
            }
            TypeKind::Union { members } => {
                for m in members {
                    out.insert(format!("union {name} member {m}"));
                }
            }
            TypeKind::Enum { values } => {
                for v in values {
                    out.insert(format!(
                        "enum-value {name}.{} desc={} {}",
                        v.name,
                        desc(v.description.as_deref()),
                        dep(v.deprecation.as_ref())
                    ));
                }
            }
            TypeKind::InputObject { fields, .. } => {
                for f in fields {
                    out.insert(format!("input-field {}", input_value(name, f)));
                }
            }
        }
    }
    out
}

fn check(file: &str, printed: Result<String, impl std::fmt::Display>) {
    let path = schemas_dir().join(file);
    let source_text = std::fs::read_to_string(&path).expect("the schema file");
    let source =
        Schema::parse(&source_text, &path).unwrap_or_else(|d| panic!("{file} does not parse: {d}"));
    let printed =
        printed.unwrap_or_else(|e| panic!("{file}: the generated schema does not finish: {e}"));
    // The same file name, so that both sides have the same API name.
    let generated = Schema::parse(&printed, Path::new(file)).unwrap_or_else(|d| {
        panic!("{file}: the SDL async-graphql prints does not parse: {d}\n{printed}")
    });
    let expected = facts(&source);
    let actual = facts(&generated);
    let missing: Vec<&String> = expected.difference(&actual).collect();
    let extra: Vec<&String> = actual.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{file}: the printed SDL differs from the source.\n\nin the source only ({}):\n  {}\n\nin the printed SDL only ({}):\n  {}",
        missing.len(),
        missing
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
        extra.len(),
        extra
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
    );
    assert!(expected.len() > 5, "{file}: suspiciously few facts");
}

#[test]
fn lock() {
    check("lock.graphql", shopql_server_stubs::lock::sdl());
}

#[test]
fn shop() {
    check("shop.graphql", shopql_server_stubs::shop::sdl());
}

#[test]
fn cart_admin() {
    check("cart-admin.graphql", shopql_server_stubs::cart_admin::sdl());
}

#[test]
fn usage() {
    check("usage.graphql", shopql_server_stubs::usage::sdl());
}

#[test]
fn purchase() {
    check("purchase.graphql", shopql_server_stubs::purchase::sdl());
}

#[test]
fn marketplace() {
    check(
        "marketplace.graphql",
        shopql_server_stubs::marketplace::sdl(),
    );
}

#[test]
fn client() {
    check("client.graphql", shopql_server_stubs::client::sdl());
}

/// Every schema in `schemas/` is covered by a test above.
#[test]
fn every_schema_is_checked() {
    let mut files: Vec<String> = std::fs::read_dir(schemas_dir())
        .expect("schemas/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".graphql"))
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "cart-admin.graphql",
            "client.graphql",
            "lock.graphql",
            "marketplace.graphql",
            "purchase.graphql",
            "shop.graphql",
            "usage.graphql"
        ]
    );
}

/// The comparison is not vacuous: a changed description, default, deprecation or nullability
/// is a difference.
#[test]
fn the_comparison_sees_differences() {
    let base = r#"
        "Q" type Query { "f" f(a: Int = 1): String @deprecated(reason: "r") }
        enum E { A B @deprecated }
    "#;
    let facts_of = |sdl: &str| facts(&Schema::parse(sdl, Path::new("x.graphql")).expect("parses"));
    let reference = facts_of(base);
    for changed in [
        base.replace("\"Q\"", "\"Q2\""),
        base.replace("Int = 1", "Int = 2"),
        base.replace("Int = 1", "Int"),
        base.replace("String @", "String! @"),
        base.replace("reason: \"r\"", "reason: \"s\""),
        base.replace("B @deprecated", "B"),
        base.replace("\"f\" f", "f"),
    ] {
        assert_ne!(facts_of(&changed), reference, "{changed}");
    }
    assert_eq!(
        facts_of(&base.replace("\"Q\"", "\"\"\"\n   Q\n\"\"\"")),
        reference
    );
}
