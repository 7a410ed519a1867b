//! Generated code compiles, clippy-clean under `-D warnings`: the client and the server of every
//! fixture schema, and of a synthetic schema of more than 2,000 types (see
//! `common/synthetic.rs`), so that scale and naming are proven, not hoped.
//!
//! The code is written into a small cargo workspace under `target/codegen-compile-test/` whose
//! crates depend on the runtime alone, `shopql-sdk` (clients) or `shopql-server-stubs` (servers)
//! by path with `default-features = false` (none of shopql's seven APIs compiled), with the
//! workspace's `Cargo.lock`, and checked with `cargo clippy --offline` in a target directory of
//! its own there. Files are rewritten only when they change, so a rerun with the same generator
//! is nearly free; the first run builds the dependencies (a few minutes).
//!
//! The synthetic server includes object cycles through hundreds of types: their fields hold the
//! generated `Recursive` box, not a `Box`, or the compiler's `Send` proof would overflow (E0275).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test asserts; a failed unwrap is a failure

#[path = "common/extern_schemas.rs"]
mod extern_schemas;

#[path = "common/synthetic.rs"]
#[allow(dead_code)] // shared with the snapshot test and the benchmark
mod synthetic;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use shopql_codegen::model::{Schema, Subscriptions};
use shopql_codegen::{Builder, ClientTypes, GeneratedFile};

/// The synthetic schema's size, in named types.
const SYNTHETIC_TYPES: usize = 2_000;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn test_dir() -> PathBuf {
    workspace_root().join("target/codegen-compile-test")
}

fn write_if_changed(path: &Path, contents: &str) {
    if fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return;
    }
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
}

/// The line of `[workspace.dependencies]` that declares `name`, so that the test crates use the
/// very versions and features of the workspace.
fn workspace_dependency(name: &str) -> String {
    let manifest = fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
    let prefix = format!("{name} = ");
    manifest
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("`{name}` is not in [workspace.dependencies]"))
        .to_string()
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Client,
    Server,
}

/// One crate of generated code.
struct TestCrate {
    name: String,
    side: Side,
    files: Vec<GeneratedFile>,
}

impl TestCrate {
    fn write(&self, workspace: &Path) {
        let dir = workspace.join(&self.name);
        let runtime = match self.side {
            Side::Client => "shopql-sdk",
            Side::Server => "shopql-server-stubs",
        };
        let runtime_dir = match self.side {
            Side::Client => "sdk",
            Side::Server => "server-stubs",
        };
        let manifest = format!(
            "[package]\nname = \"{}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{runtime} = {{ path = \"{}\", default-features = false }}\n{}\n{}\n{}\n",
            self.name,
            workspace_root().join(runtime_dir).display(),
            workspace_dependency("serde"),
            workspace_dependency("serde_json"),
            workspace_dependency("async-trait"),
        );
        write_if_changed(&dir.join("Cargo.toml"), &manifest);
        let mut lib = String::from(
            "//! Written by shopql-codegen's compile test (codegen/tests/compile.rs); do not edit.\n\
             #![deny(warnings)]\n\n",
        );
        for f in &self.files {
            let _ = writeln!(lib, "include!({:?});", f.name);
            write_if_changed(&dir.join("src").join(&f.name), &f.contents);
        }
        write_if_changed(&dir.join("src/lib.rs"), &lib);
        // Remove files of earlier runs that are no longer generated.
        for entry in fs::read_dir(dir.join("src")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name != "lib.rs" && !self.files.iter().any(|f| f.name == name) {
                fs::remove_file(path).unwrap();
            }
        }
    }
}

/// Writes a workspace of `crates` into `dir`, with the root workspace's lock file.
fn write_workspace(dir: &Path, crates: &[TestCrate]) {
    let members: Vec<String> = crates.iter().map(|c| format!("{:?}", c.name)).collect();
    write_if_changed(
        &dir.join("Cargo.toml"),
        &format!(
            "# Written by shopql-codegen's compile test; do not edit.\n[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    );
    let lock = fs::read_to_string(workspace_root().join("Cargo.lock")).unwrap();
    write_if_changed(&dir.join("Cargo.lock"), &lock);
    for c in crates {
        c.write(dir);
    }
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    // What cargo set for this test process describes this package, not the test workspace. Some
    // build scripts rerun when such a variable changes (`rerun-if-env-changed=CARGO_PKG_NAME`),
    // which would rebuild half the dependencies on every switch between `cargo test` and a shell.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let set_by_cargo = [
            "CARGO_MANIFEST_",
            "CARGO_PKG_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
            "CARGO_PRIMARY_PACKAGE",
            "CARGO_TARGET_TMPDIR",
            "CARGO_RUSTC_CURRENT_DIR",
        ]
        .iter()
        .any(|p| name.starts_with(p))
            || name == "OUT_DIR";
        if set_by_cargo {
            cmd.env_remove(name.as_ref());
        }
    }
    cmd.env("CARGO_TARGET_DIR", test_dir().join("target"));
    cmd
}

/// Runs `cargo clippy` (or `cargo check` where clippy is not installed) with `-D warnings` on
/// the workspace in `dir`; on failure, the compiler's messages.
fn clippy(dir: &Path) -> Result<(), String> {
    let has_clippy = cargo()
        .args(["clippy", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let mut cmd = cargo();
    cmd.current_dir(dir);
    if has_clippy {
        cmd.args([
            "clippy",
            "--workspace",
            "--offline",
            "--message-format",
            "short",
            "--",
            "-D",
            "warnings",
        ]);
    } else {
        cmd.args([
            "check",
            "--workspace",
            "--offline",
            "--message-format",
            "short",
        ]);
    }
    run(cmd)
}

fn run(mut cmd: Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The first errors say what is wrong; thousands of lines would drown them.
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| {
            !l.trim_start().starts_with("Compiling") && !l.trim_start().starts_with("Checking")
        })
        .take(120)
        .collect();
    Err(lines.join("\n"))
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
        .collect();
    files.sort();
    files
}

fn builder(side: Side) -> Builder {
    shopql_codegen::configure()
        .client(side == Side::Client)
        .server(side == Side::Server)
        .scalar("DateTime", "::std::string::String")
        .lazy_field("Article.related")
        .cargo_output(false)
}

fn generate(builder: &Builder, schemas: &[PathBuf], operations: &[PathBuf]) -> Vec<GeneratedFile> {
    match builder.generate(schemas, operations) {
        Ok(g) => g.files,
        Err(e) => panic!("generation failed: {e}"),
    }
}

/// How deep `deep_inputs`' chain of input objects goes: past rustc's recursion limit (128).
const DEEP_INPUTS: usize = 200;

/// A schema (and an operation) whose input objects form a chain `DEEP_INPUTS` long, each
/// holding the next one in lists only (so every step goes through a wrapper's decoder), with
/// defaults, and no cycle: decoding and encoding an argument, and dropping it, must not nest
/// generic instances past rustc's recursion limit, nor the `Send` proofs overflow. Too long to keep as a fixture (its snapshots would be thousands of lines),
/// it is written under the test directory. Returns the schema and the operations' folder.
fn deep_inputs() -> (PathBuf, PathBuf) {
    let mut sdl = String::from(
        "\"A chain of input objects each holding the next.\"\nschema {\n  query: Query\n}\n\n\
         type Query {\n  depth(input: Deep0!): Int!\n  chains(inputs: [Deep0!]!, limit: Int = 10): Int!\n}\n",
    );
    for i in 0..DEEP_INPUTS - 1 {
        let _ = write!(
            sdl,
            "\ninput Deep{i} {{\n  level: Int! = {i}\n  more: [Deep{}!]\n  grid: [[Deep{}]!] = []\n}}\n",
            i + 1,
            i + 1
        );
    }
    let _ = write!(
        sdl,
        "\ninput Deep{} {{\n  level: Int!\n}}\n",
        DEEP_INPUTS - 1
    );
    let dir = test_dir().join("inputs/deep");
    let schema = dir.join("deep_inputs.graphql");
    write_if_changed(&schema, &sdl);
    let ops = dir.join("operations");
    write_if_changed(
        &ops.join("deep_inputs/depth.graphql"),
        "query Depth($input: Deep0!) {\n  depth(input: $input)\n}\n",
    );
    (schema, ops)
}

/// Every fixture's schema, and `deep_inputs`.
fn fixture_schemas() -> Vec<PathBuf> {
    let mut schemas = fixtures();
    schemas.push(deep_inputs().0);
    schemas
}

/// Every fixture, generated for `side` by `builder`.
fn fixture_crate(side: Side, name: &str, builder: &Builder) -> TestCrate {
    let ops = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/operations");
    TestCrate {
        name: name.to_string(),
        side,
        files: generate(builder, &fixture_schemas(), &[ops, deep_inputs().1]),
    }
}

/// True when `code` defines the type `name` (a struct, an enum or an alias).
fn defines(code: &str, name: &str) -> bool {
    ["struct", "enum", "type"].iter().any(|kind| {
        [" ", "(", "<"]
            .iter()
            .any(|after| code.contains(&format!("pub {kind} {name}{after}")))
    })
}

/// Code of the fixtures' client crate that holds two operations' responses as the one type of
/// the fragment they both select (`fixtures/operations/kitchen_sink/fragments.graphql`): it
/// compiles only if the type is shared.
const SHARED_FRAGMENTS: &str = r##"/// The one `ProductCard` of both operations.
pub fn cards<'a>(
    page: &'a kitchen_sink::operations::card_page::Data,
    made: &'a kitchen_sink::operations::create_card::Data,
) -> [&'a kitchen_sink::operations::ProductCard; 2] {
    [&page.products[0], &made.create_product]
}

/// The one `VariantLine`, through a shared fragment and through another document's own type.
pub fn lines<'a>(
    page: &'a kitchen_sink::operations::card_page::Data,
    again: &'a kitchen_sink::operations::cards_again::Data,
) -> [&'a kitchen_sink::operations::VariantLine; 2] {
    [&page.products[0].first_variant[0], &again.products[0].variants[0]]
}

/// `... on Named { name }` on a union whose members all implement `Named`: every member
/// decodes its name (the union itself has no `name` to select it on).
pub fn hit_name(hit: &kitchen_sink::operations::Hit) -> Option<&str> {
    match hit {
        kitchen_sink::operations::Hit::Product(p) => Some(&p.name),
        kitchen_sink::operations::Hit::Article(a) => Some(&a.name),
        kitchen_sink::operations::Hit::Other(_) => None,
    }
}
"##;

/// Each fragment selected whole has one type in `operations`, not one per operation.
fn assert_shared_fragments(files: &[GeneratedFile]) {
    let code = &files
        .iter()
        .find(|f| f.name == "kitchen_sink.rs")
        .unwrap()
        .contents;
    for (ty, count) in [
        ("ProductCard", 1),
        ("VariantLine", 1),
        ("Hit", 1),
        ("Hit2", 1),
    ] {
        let defs = code.matches(&format!("pub struct {ty} ")).count()
            + code.matches(&format!("pub enum {ty} ")).count();
        assert_eq!(defs, count, "`{ty}` is defined {defs} times");
    }
    // No operation has a copy of its own: their fields hold the shared type.
    for (module, field) in [
        ("card_page", "pub products: Vec<super::ProductCard>"),
        ("create_card", "pub create_product: super::ProductCard"),
    ] {
        let text = code.split(&format!("pub mod {module} {{")).nth(1).unwrap();
        let text = text.split("pub mod ").next().unwrap();
        assert!(text.contains(field), "{module}: {text}");
        assert_eq!(text.matches("pub struct ").count(), 3, "{module}: {text}");
    }
}

/// The client of `fixtures/pruned.graphql` with [`ClientTypes::UsedByOperations`]: what its
/// operations use, however they reach it, and nothing else.
fn assert_pruned(files: &[GeneratedFile]) {
    let file = &files
        .iter()
        .find(|f| f.name == "pruned.rs")
        .unwrap()
        .contents;
    // The schema's types, not the operations' own response types.
    let code = file.split("pub mod operations {").next().unwrap();
    for used in [
        "Sort",          // a variable's type
        "ProductFilter", // a variable's type, recursive
        "PriceRange",    // through an input field only
        "Currency",      // through an input field of an input field only
        "Money",         // selected, and through an input field
        "Product",       // selected
        "Maker",         // through a named fragment only
        "Node",          // selected
        "Shop",          // through an inline fragment on an interface only
        "SearchResult",  // selected
        "Article",       // through an inline fragment on a union only
    ] {
        assert!(defines(code, used), "`{used}` is used but not emitted");
    }
    for unused in [
        "Weight",
        "Colour",
        "ReviewInput",
        "Review",
        "Warehouse",
        "Unused",
    ] {
        assert!(!defines(code, unused), "`{unused}` is not used but emitted");
    }
    // A method per root field asked for, none for the others; unused members are no variants.
    for asked in ["products", "node", "search", "rename"] {
        assert!(code.contains(&format!("pub async fn {asked}(")), "{asked}");
    }
    for not_asked in ["reviews", "warehouses", "add_review"] {
        assert!(
            !code.contains(&format!("pub async fn {not_asked}(")),
            "{not_asked}"
        );
    }
    assert!(!code.contains("Warehouse(") && !code.contains("Review("));
    // A used type keeps only the fields of used types.
    assert!(!code.contains("pub colour:") && !code.contains("pub weight:"));
}

/// Writes the synthetic schema (of `shape`) and its operations under the test directory.
fn synthetic_inputs(shape: synthetic::Shape, tag: &str) -> (PathBuf, PathBuf) {
    let s = synthetic::schema_with(synthetic::groups_for(SYNTHETIC_TYPES), shape);
    assert!(s.type_count >= SYNTHETIC_TYPES, "{} types", s.type_count);
    let dir = test_dir().join("inputs").join(tag);
    let schema = dir.join("synthetic.graphql");
    write_if_changed(&schema, &s.sdl);
    let ops = dir.join("operations");
    write_if_changed(&ops.join("synthetic/operations.graphql"), &s.operations);
    (schema, ops)
}

fn synthetic_crate(builder: &Builder, side: Side, name: &str, tag: &str) -> TestCrate {
    let (schema, ops) = synthetic_inputs(synthetic::Shape::FULL, tag);
    TestCrate {
        name: name.to_string(),
        side,
        files: generate(builder, &[schema], &[ops]),
    }
}

/// The definitions of printed SDL, sorted: the engine orders types its own way.
fn blocks(sdl: &str) -> Vec<String> {
    let mut blocks: Vec<String> = sdl.split("\n\n").map(|b| b.trim().to_string()).collect();
    blocks.sort();
    blocks
}

/// Checks `crates` with clippy in a workspace of their own under the test directory (one target
/// directory for all, so dependencies are built once).
fn check_workspace(name: &str, crates: &[TestCrate]) -> PathBuf {
    let dir = test_dir().join(name);
    write_workspace(&dir, crates);
    if let Err(e) = clippy(&dir) {
        panic!("generated code does not compile cleanly:\n{e}");
    }
    dir
}

/// The test the fixtures' server crate runs: the engine builds every schema from its embedded
/// SDL (what a compile check cannot see) and answers the introspection query, written to
/// `$SHOPQL_SDL_OUT/<api>.json`.
fn engine_test(modules: &[String]) -> String {
    let mut t = String::from(
        "//! Written by shopql-codegen's compile test; do not edit.\n\n\
         /// Runs a future that never waits (the engine answering introspection).\n\
         fn block_on<F: std::future::Future>(f: F) -> F::Output {\n\
         \x20   let mut f = std::pin::pin!(f);\n\
         \x20   let mut cx = std::task::Context::from_waker(std::task::Waker::noop());\n\
         \x20   loop {\n\
         \x20       if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {\n\
         \x20           return v;\n\
         \x20       }\n\
         \x20   }\n\
         }\n\n",
    );
    let _ = writeln!(
        t,
        "const QUERY: &str = {:?};\n\n#[test]\nfn schemas_build() {{\n    let out = std::path::PathBuf::from(std::env::var(\"SHOPQL_SDL_OUT\").unwrap());",
        shopql_codegen::introspect::INTROSPECTION_QUERY
    );
    for m in modules {
        let _ = writeln!(
            t,
            "    let schema = fixtures_server::{m}::adapter::schema_builder(std::sync::Arc::new(fixtures_server::{m}::adapter::Unimplemented)).finish().unwrap();\n    \
             let response = block_on(schema.execute(QUERY));\n    \
             std::fs::write(out.join(\"{m}.json\"), serde_json::to_string(&response).unwrap()).unwrap();"
        );
    }
    t.push_str("}\n");
    t
}

/// The two APIs of `fixtures/extern/`, `admin` reusing `store`'s types (`extern_types`).
fn extern_crate(side: Side, name: &str, builder: Builder) -> TestCrate {
    let ops = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extern/operations");
    let schemas = extern_schemas::write(&test_dir().join("inputs/extern"));
    let files = match builder
        .extern_types("admin", "store")
        .generate(&schemas, &[ops])
    {
        Ok(g) => g.files,
        Err(e) => panic!("generation failed: {e}"),
    };
    TestCrate {
        name: name.to_string(),
        side,
        files,
    }
}

/// The test of the `extern` server crate: one implementation of the store's resolvers serves
/// the fields of the types `admin` reuses, and both schemas build.
const EXTERN_TEST: &str = r##"//! Written by shopql-codegen's compile test; do not edit.

use extern_server::{admin, store};
use shopql_server_stubs::{ApiResult, FieldContext};

/// Runs a future that never waits (the engine calling resolvers that answer at once).
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn item(id: &str) -> store::Item {
    store::Item {
        id: id.to_string(),
        name: "n".to_string(),
        state: store::State::Live,
        price: store::Money(serde_json::json!(100)),
        related: Vec::new(),
        bundle: None,
    }
}

struct Store;

#[shopql_server_stubs::async_trait::async_trait]
impl store::StoreResolvers for Store {
    async fn item(&self, _: &FieldContext<'_>, id: String) -> ApiResult<Option<store::Item>> {
        Ok(Some(item(&id)))
    }
    async fn search(&self, _: &FieldContext<'_>, _: Option<store::Filter>) -> ApiResult<Vec<store::Item>> {
        Ok(Vec::new())
    }
    async fn find(&self, _: &FieldContext<'_>, _: String) -> ApiResult<Option<store::Found>> {
        Ok(None)
    }
    async fn item_tag(
        &self,
        _: &FieldContext<'_>,
        parent: &store::Item,
        key: String,
        fallback: Option<String>,
    ) -> ApiResult<Option<String>> {
        Ok(Some(format!("{}:{key}:{}", parent.id, fallback.unwrap_or_default())))
    }
    async fn bundle_price_for(&self, _: &FieldContext<'_>, _: &store::Bundle, quantity: i32) -> ApiResult<store::Money> {
        Ok(store::Money(quantity.into()))
    }
}

struct Admin(Store);

#[shopql_server_stubs::async_trait::async_trait]
impl admin::AdminResolvers for Admin {
    async fn items(&self, _: &FieldContext<'_>, _: Option<admin::Filter>) -> ApiResult<Vec<admin::Item>> {
        // `admin::Item` is `store::Item`.
        Ok(vec![item("a1")])
    }
    async fn node(&self, _: &FieldContext<'_>, id: String) -> ApiResult<Option<admin::Node>> {
        Ok(Some(admin::Node::from(item(&id))))
    }
    async fn audit(&self, _: &FieldContext<'_>, _: Option<i32>) -> ApiResult<Vec<admin::AuditEntry>> {
        Ok(vec![admin::AuditEntry { at: "now".to_string(), item: item("a2"), before: Some(store::State::Draft), found: None }])
    }
    async fn set_state(&self, _: &FieldContext<'_>, id: String, state: admin::State) -> ApiResult<Option<admin::Item>> {
        let mut i = item(&id);
        i.state = state;
        Ok(Some(i))
    }
    fn store_resolvers(&self) -> &dyn store::StoreResolvers {
        &self.0
    }
}

#[test]
fn reused_fields_are_resolved_by_the_other_api() {
    let schema = admin::schema(Admin(Store)).unwrap();
    let response = block_on(schema.execute(
        r#"{ items { id tag(key: "k") } audit { item { tag(key: "x", fallback: "f") } before } node(id: "n1") { id ... on Item { state } } }"#,
    ));
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    assert_eq!(
        response.data.into_json().unwrap(),
        serde_json::json!({
            "items": [{"id": "a1", "tag": "a1:k:none"}],
            "audit": [{"item": {"tag": "a2:x:f"}, "before": "DRAFT"}],
            "node": {"id": "n1", "state": "LIVE"},
        })
    );
    // The store API is served as before, and the schema of each builds unimplemented.
    let store = store::schema(Store).unwrap();
    let response = block_on(store.execute(r#"{ item(id: "s1") { tag(key: "k") } }"#));
    assert_eq!(response.data.into_json().unwrap(), serde_json::json!({"item": {"tag": "s1:k:none"}}));
    assert!(admin::sdl().is_ok() && store::sdl().is_ok());
}
"##;

/// The fixtures, `hostile.graphql` among them: every construct of the specification; and two
/// APIs of which one reuses the other's types.
#[test]
fn fixtures_compile() {
    let used = builder(Side::Client).client_types(ClientTypes::UsedByOperations);
    let mut client = fixture_crate(Side::Client, "fixtures-client", &builder(Side::Client));
    assert_shared_fragments(&client.files);
    client.files.push(GeneratedFile {
        name: "shared_fragments.rs".into(),
        contents: SHARED_FRAGMENTS.into(),
    });
    let crates = vec![
        client,
        fixture_crate(Side::Server, "fixtures-server", &builder(Side::Server)),
        extern_crate(Side::Client, "extern-client", builder(Side::Client)),
        extern_crate(Side::Server, "extern-server", builder(Side::Server)),
        // Every fixture's client again, of only what its operations use.
        fixture_crate(Side::Client, "pruned-client", &used),
        extern_crate(Side::Client, "extern-pruned-client", used.clone()),
    ];
    assert_pruned(&crates[4].files);
    // `covariant` compiles, but the engine refuses it (the generator warns): see the fixture.
    let modules: Vec<String> = crates[1]
        .files
        .iter()
        .map(|f| f.name.trim_end_matches(".rs").to_string())
        .filter(|m| m != "covariant")
        .collect();
    let dir = test_dir().join("fixtures-workspace");
    write_if_changed(
        &dir.join("fixtures-server/tests/engine.rs"),
        &engine_test(&modules),
    );
    write_if_changed(&dir.join("extern-server/tests/reuse.rs"), EXTERN_TEST);
    let dir = check_workspace("fixtures-workspace", &crates);

    // What the engine serves is the source schema, read back through introspection.
    let out = test_dir().join("engine-introspection");
    fs::create_dir_all(&out).unwrap();
    let mut test = cargo();
    test.current_dir(&dir).env("SHOPQL_SDL_OUT", &out).args([
        "test",
        "--offline",
        "-p",
        "fixtures-server",
        "--test",
        "engine",
    ]);
    if let Err(e) = run(test) {
        panic!("the engine refuses a generated schema:\n{e}");
    }
    let mut test = cargo();
    test.current_dir(&dir).args([
        "test",
        "--offline",
        "-p",
        "extern-server",
        "--test",
        "reuse",
    ]);
    if let Err(e) = run(test) {
        panic!("an API that reuses another's types does not serve them:\n{e}");
    }
    let schemas = fixture_schemas();
    for m in &modules {
        let file = schemas
            .iter()
            .find(|s| s.file_stem().is_some_and(|stem| stem == m.as_str()))
            .unwrap();
        let ours = Schema::from_file(file).unwrap();
        let answer = fs::read_to_string(out.join(format!("{m}.json"))).unwrap();
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        let theirs = shopql_codegen::introspect::schema_from_introspection(&answer, m)
            .unwrap_or_else(|e| panic!("{m}: the engine's introspection does not read back: {e}"));
        // The introspection query leaves `isOneOf` out (servers that predate it refuse it), and
        // async-graphql 7.2 answers `interfaces` for object types only: an interface's own
        // interfaces are served (validation uses them) but not introspected.
        let ours = ours.to_sdl(Subscriptions::Omit).replace(" @oneOf", "");
        assert_eq!(
            blocks(&theirs.to_sdl(Subscriptions::Omit)),
            blocks(&ours)
                .into_iter()
                .map(|b| {
                    match b
                        .find("\ninterface ")
                        .or(b.starts_with("interface ").then_some(0))
                    {
                        Some(at) => {
                            let (head, rest) = b.split_at(at);
                            let line_end = rest.find(" {").unwrap_or(rest.len());
                            let line = &rest[..line_end];
                            let line = line.split(" implements ").next().unwrap_or(line);
                            format!("{head}{line}{}", &rest[line_end..])
                        }
                        None => b,
                    }
                })
                .collect::<Vec<_>>(),
            "{m}: the engine's schema differs from the source"
        );
    }
    // Documentation of the fixtures: links resolve, no SDL text breaks rustdoc.
    let mut doc = cargo();
    doc.current_dir(&dir)
        .env("RUSTDOCFLAGS", "-D warnings")
        .args([
            "doc",
            "--offline",
            "--no-deps",
            "-p",
            "fixtures-client",
            "-p",
            "fixtures-server",
            "-p",
            "extern-client",
            "-p",
            "extern-server",
            "-p",
            "pruned-client",
        ]);
    if let Err(e) = run(doc) {
        panic!("the generated documentation has warnings:\n{e}");
    }
}

#[test]
fn generated_code_compiles() {
    let used = builder(Side::Client).client_types(ClientTypes::UsedByOperations);
    let crates = vec![
        synthetic_crate(
            &builder(Side::Client),
            Side::Client,
            "synthetic-client",
            "full",
        ),
        // Long object cycles included (they once overflowed the `Send` proof, E0275).
        synthetic_crate(
            &builder(Side::Server),
            Side::Server,
            "synthetic-server",
            "full",
        ),
        // Only what the operations use, at scale.
        synthetic_crate(&used, Side::Client, "synthetic-client-used", "full"),
    ];
    check_workspace("workspace", &crates);
}
