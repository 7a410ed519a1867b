//! `Builder::extern_types`: an API that reuses another's generated types. The fixtures
//! (`tests/fixtures/extern/`) are two small schemas, `store` and `admin`, that define the same
//! types (`shared.graphql`, appended to each); `admin` takes them from `store`. Identical definitions are emitted once (snapshots,
//! and `tests/compile.rs` compiles them); a drift is an error that names the line.
//!
//! Review snapshot changes as in `tests/generated.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test asserts; a failed unwrap is a failure

use std::fs;
use std::path::{Path, PathBuf};

use shopql_codegen::{Builder, Error, Generated};
use snapshot::text as snapshot_text;

#[path = "common/extern_schemas.rs"]
mod extern_schemas;

#[path = "common/snapshot.rs"]
mod snapshot;

/// The two schemas, written for one test (`tag`), `store` first.
fn schemas(tag: &str) -> Vec<PathBuf> {
    extern_schemas::write(
        &Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("extern")
            .join(tag),
    )
}

fn builder() -> Builder {
    shopql_codegen::configure()
        .extern_types("admin", "store")
        .cargo_output(false)
}

fn generate(builder: &Builder, schemas: &[PathBuf]) -> Result<Generated, Error> {
    builder.generate(schemas, &[])
}

fn file<'g>(g: &'g Generated, name: &str) -> &'g str {
    &g.files.iter().find(|f| f.name == name).unwrap().contents
}

#[test]
fn identical_types_are_emitted_once() {
    let schemas = schemas("once");
    let server = generate(&builder().client(false).server(true), &schemas).unwrap();
    let admin = file(&server, "admin.rs");
    for t in [
        "Item", "Bundle", "Node", "Found", "State", "Filter", "Money",
    ] {
        assert!(
            admin.contains(&format!("pub use super::store::{t};")),
            "{t} is not reused"
        );
    }
    assert!(!admin.contains("pub struct Item"));
    assert!(admin.contains("pub struct AuditEntry"));
    // `Item.tag` and `Bundle.priceFor` are the store trait's, reached through the accessor.
    assert!(admin.contains("fn store_resolvers(&self) -> &dyn super::store::StoreResolvers;"));
    assert!(!admin.contains("async fn item_tag"));
    assert!(admin.contains("super::super::store::StoreResolvers::item_tag("));
    // The served schema is the admin schema, whole.
    assert!(admin.contains("type Item implements Node {"));
    // The schemas are written under the target directory: its path is left out of snapshots.
    let dir = format!("{}/", schemas[0].parent().unwrap().display());
    insta::assert_snapshot!("extern_server", snapshot_text(&server).replace(&dir, ""));

    let client = generate(&builder(), &schemas).unwrap();
    let admin = file(&client, "admin.rs");
    for t in ["State", "Filter", "Money"] {
        assert!(admin.contains(&format!("pub use super::store::{t};")));
    }
    // Object types are each API's default selections: not shared on the client.
    assert!(admin.contains("pub struct Item {"));
    insta::assert_snapshot!("extern_client", snapshot_text(&client).replace(&dir, ""));

    // With both sides in one file, the paths go through the side modules.
    let both = generate(&builder().server(true), &schemas).unwrap();
    let admin = file(&both, "admin.rs");
    assert!(admin.contains("pub use super::super::store::server::Item;"));
    assert!(admin.contains("pub use super::super::store::client::State;"));
}

#[test]
fn without_the_option_nothing_is_shared() {
    let g = generate(
        &shopql_codegen::configure().server(true).cargo_output(false),
        &schemas("unshared"),
    )
    .unwrap();
    for f in &g.files {
        assert!(!f.contents.contains("pub use super::"), "{}", f.name);
    }
}

/// The two schemas, `admin`'s with `edit` applied.
fn drifted(tag: &str, edit: impl Fn(&str) -> String) -> Vec<PathBuf> {
    let schemas = schemas(&format!("drift-{tag}"));
    let text = fs::read_to_string(&schemas[1]).unwrap();
    let changed = edit(&text);
    assert_ne!(changed, text, "the edit changes nothing");
    fs::write(&schemas[1], changed).unwrap();
    schemas
}

fn errors(schemas: &[PathBuf]) -> Vec<String> {
    match generate(&builder().server(true), schemas) {
        Err(Error::Diagnostics(d)) => d.sorted().iter().map(ToString::to_string).collect(),
        Ok(_) => panic!("a drift must fail the build"),
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn in_file(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn a_drifted_field_type_is_an_error_that_names_the_line() {
    let schemas = drifted("field", |s| {
        s.replacen("  name: String!\n", "  name: String\n", 1)
    });
    let errors = errors(&schemas);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert!(e.starts_with(&in_file(&schemas[1])), "{e}");
    assert!(
        e.contains("`Item` is reused from API `store` but is not defined identically"),
        "{e}"
    );
    assert!(
        e.contains("`store` has `name: String!` where `admin` has `name: String`"),
        "{e}"
    );
}

#[test]
fn drifted_descriptions_arguments_and_values_are_errors() {
    for (tag, from, to, needle) in [
        ("description", "\"On sale.\"", "\"For sale.\"", "`State`"),
        (
            "default",
            "fallback: String = \"none\"",
            "fallback: String = \"\"",
            "`Item`",
        ),
        (
            "argument",
            "priceFor(quantity: Int! = 1)",
            "priceFor(quantity: Int = 1)",
            "`Bundle`",
        ),
        (
            "input",
            "  nameContains: String\n",
            "  nameContains: String\n  sku: String\n",
            "`Filter`",
        ),
        (
            "deprecation",
            "@deprecated(reason: \"Use DRAFT.\")",
            "",
            "`State`",
        ),
        (
            "interfaces",
            "type Bundle implements Node {",
            "type Bundle {",
            "`Bundle`",
        ),
        (
            "members",
            "union Found = Item | Bundle",
            "union Found = Bundle | Item",
            "`Found`",
        ),
    ] {
        let schemas = drifted(tag, |s| s.replacen(from, to, 1));
        let errors = errors(&schemas);
        assert!(
            errors
                .iter()
                .any(|e| e.contains(&format!("{needle} is reused from API `store`"))),
            "{tag}: {errors:#?}"
        );
    }
}

#[test]
fn an_interface_implemented_by_another_object_is_an_error() {
    // `admin` adds an implementation of the shared `Node`: its enum would need a variant that
    // the store's does not have.
    let schemas = drifted("implementation", |s| {
        s.replacen(
            "type AuditEntry {",
            "type AuditEntry implements Node {\n  id: ID!",
            1,
        )
    });
    let errors = errors(&schemas);
    assert!(
        errors.iter().any(|e| e.contains(
            "interface `Node` is reused from API `store` but its implementations differ"
        )),
        "{errors:#?}"
    );
}

#[test]
fn a_missing_api_is_an_error_and_an_absent_one_is_ignored() {
    // `from` missing: nothing to reuse from.
    let both = schemas("missing");
    let only_admin = vec![both[1].clone()];
    match generate(&builder().server(true), &only_admin) {
        Err(Error::Diagnostics(d)) => {
            let text = d.to_string();
            assert!(
                text.contains("reuses the types of API `store`, which is not compiled with it"),
                "{text}"
            );
        }
        other => panic!("expected an error, got {other:?}"),
    }
    // `api` missing (a build script that compiles some APIs only): the pair does nothing.
    let only_store = vec![both[0].clone()];
    let g = generate(&builder().server(true), &only_store).unwrap();
    assert!(!file(&g, "store.rs").contains("pub use super::"));
}

#[test]
fn reuse_is_deterministic() {
    let schemas = schemas("deterministic");
    let a = generate(&builder().server(true), &schemas).unwrap();
    let b = generate(&builder().server(true), &schemas).unwrap();
    assert_eq!(a.files, b.files);
}

#[test]
fn check_finds_a_drift_as_generation_does() {
    let schemas = drifted("check", |s| {
        s.replacen("  name: String!\n", "  name: String\n", 1)
    });
    let report = builder().check(&schemas, &[] as &[PathBuf]).unwrap();
    assert!(!report.is_ok());
    let errors: Vec<String> = report
        .diagnostics
        .sorted()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors, self::errors(&schemas));
    // The schemas' directory, as `check DIR` reads it, is checked alike.
    let dir = schemas[0].parent().unwrap();
    let report = builder().check(&[dir], &[] as &[PathBuf]).unwrap();
    assert!(!report.is_ok());
    // Without the pair, the two schemas are unrelated and both fine.
    let report = shopql_codegen::configure()
        .cargo_output(false)
        .check(&schemas, &[] as &[PathBuf])
        .unwrap();
    assert!(report.is_ok(), "{}", report.diagnostics);
}

#[test]
fn a_pruned_client_keeps_what_another_api_reuses() {
    let schemas = schemas("pruned");
    let ops = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extern/operations");
    let g = builder()
        .client_types(shopql_codegen::ClientTypes::UsedByOperations)
        .generate(&schemas, &[ops])
        .unwrap();
    let (store, admin) = (file(&g, "store.rs"), file(&g, "admin.rs"));
    // `store`'s own operation takes no `Filter`; `admin`'s does, and takes it from `store`.
    assert!(!admin.contains("pub struct Filter"));
    assert!(admin.contains("pub use super::store::Filter;"));
    assert!(store.contains("pub struct Filter {"));
    // Each type `admin` re-exports is emitted by `store`, whether `store`'s operations use it
    // or not.
    for line in admin.lines() {
        let Some(reused) = line.trim().strip_prefix("pub use super::store::") else {
            continue;
        };
        let name = reused.trim_end_matches(';');
        assert!(
            [" struct ", " enum ", " type "]
                .iter()
                .any(|kind| store.contains(&format!("pub{kind}{name} "))
                    || store.contains(&format!("pub{kind}{name}("))),
            "`store` does not define `{name}`"
        );
    }
}
