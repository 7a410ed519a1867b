//! `diff` on a corpus of changes of every kind (types, fields, arguments, nullability, enum
//! values, interfaces, union members, defaults, deprecations), the impact on operation
//! documents, and the `print` / `diff` commands of the binary.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test asserts; a failed unwrap is a failure

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use shopql_codegen::diff::{Level, diff, operation_impacts};
use shopql_codegen::model::{Schema, Subscriptions};

const OLD: &str = r#"
type Query {
  cart(id: ID!, currency: String = "EUR"): Cart
  carts(first: Int, state: State): [Cart!]!
  legacy: String
  note: String!
  total: Float
  search(text: String!): [Hit!]!
  node(id: ID!): Node
}
type Mutation { place(input: PlaceInput!): Cart! }
"A cart."
type Cart implements Node { id: ID! items: [Item!]! state: State! coupon: String }
type Item { sku: String! quantity: Int! }
interface Node { id: ID! }
interface Named { name: String }
type Product implements Named { name: String sku: String! }
union Hit = Cart | Item
enum State { OPEN PLACED PAID }
input PlaceInput { cartId: ID! note: String comment: String = "none" rush: Boolean }
scalar Money
type Gone { id: ID! }
"#;

const NEW: &str = r#"
type Query {
  cart(id: ID, currency: String = "USD", locale: String): Cart
  carts(first: Int!, state: State): [Cart!]!
  note: String
  total: Float!
  search(text: String!): [Hit!]!
  node(id: ID!): Node
  products: [Product!]!
}
type Mutation { place(input: PlaceInput!): Cart! }
"A shopping cart."
type Cart implements Node & Named { id: ID! items: [Item!]! state: State! coupon: String @deprecated(reason: "use discounts") name: String }
type Item { sku: String! quantity: Int! }
interface Node { id: ID! }
interface Named { name: String }
type Product { name: String sku: String! }
union Hit = Cart | Product
enum State { OPEN PLACED CANCELLED }
input PlaceInput { cartId: ID! note: String! comment: String = "n/a" rush: Boolean @deprecated express: Boolean channel: String! }
scalar Money @specifiedBy(url: "https://example.com/money")
input Gone { id: ID! }
type Fresh { id: ID! }
"#;

fn schema(name: &str, sdl: &str) -> Schema {
    Schema::parse(sdl, Path::new(name)).unwrap()
}

#[test]
fn every_kind_of_change_is_classified() {
    let changes = diff(&schema("old.graphql", OLD), &schema("new.graphql", NEW));
    let found: Vec<(Level, &str, &str)> = changes
        .iter()
        .map(|c| (c.level, c.coordinate.as_str(), c.message.as_str()))
        .collect();
    let expected: &[(Level, &str, &str)] = &[
        // Removals and tightened inputs, loosened outputs.
        (Level::Breaking, "Query.legacy", "field removed"),
        (
            Level::Breaking,
            "Query.note",
            "type changed from String! to String",
        ),
        (
            Level::Breaking,
            "Query.carts(first:)",
            "type changed from Int to Int! (now required)",
        ),
        (Level::Breaking, "Product", "interface `Named` was removed"),
        (Level::Breaking, "Hit", "member `Item` was removed"),
        (Level::Breaking, "State.PAID", "enum value removed"),
        (
            Level::Breaking,
            "PlaceInput.note",
            "type changed from String to String! (now required)",
        ),
        (
            Level::Breaking,
            "PlaceInput.channel",
            "required input field added",
        ),
        (
            Level::Breaking,
            "Gone",
            "changed from an object type to an input object",
        ),
        // Valid requests that may now behave differently or meet new values.
        (
            Level::Dangerous,
            "Query.cart(currency:)",
            r#"default value changed from "EUR" to "USD""#,
        ),
        (
            Level::Dangerous,
            "Query.cart(locale:)",
            "optional argument added",
        ),
        (Level::Dangerous, "Cart", "interface `Named` was added"),
        (Level::Dangerous, "Hit", "member `Product` was added"),
        (
            Level::Dangerous,
            "State.CANCELLED",
            "enum value added (clients that read this enum may not know it)",
        ),
        (
            Level::Dangerous,
            "PlaceInput.comment",
            r#"default value changed from "none" to "n/a""#,
        ),
        (
            Level::Dangerous,
            "PlaceInput.express",
            "optional input field added",
        ),
        // Nothing a client can see breaks.
        (
            Level::Safe,
            "Query.cart(id:)",
            "type changed from ID! to ID",
        ),
        (
            Level::Safe,
            "Query.total",
            "type changed from Float to Float!",
        ),
        (Level::Safe, "Query.products", "field added"),
        (Level::Safe, "Cart", "description changed"),
        (Level::Safe, "Cart.coupon", "deprecated: use discounts"),
        (Level::Safe, "Cart.name", "field added"),
        (
            Level::Safe,
            "PlaceInput.rush",
            "deprecated: No longer supported",
        ),
        (Level::Safe, "Money", "@specifiedBy changed"),
        (Level::Safe, "Fresh", "object type `Fresh` was added"),
    ];
    for want in expected {
        assert!(found.contains(want), "missing {want:?} in\n{changes:#?}");
    }
    for got in &found {
        assert!(expected.contains(got), "unexpected {got:?}");
    }
    // Breaking first, then dangerous, then safe.
    assert!(changes.windows(2).all(|w| w[0].level >= w[1].level));
    // Removals point into the old schema, the rest into the new one.
    let legacy = changes
        .iter()
        .find(|c| c.coordinate == "Query.legacy")
        .unwrap();
    assert_eq!(legacy.location.file.to_str(), Some("old.graphql"));
    assert_eq!(legacy.location.line, 5);
    let products = changes
        .iter()
        .find(|c| c.coordinate == "Query.products")
        .unwrap();
    assert_eq!(products.location.file.to_str(), Some("new.graphql"));
    assert_eq!(products.location.line, 9);
    assert!(
        legacy
            .to_string()
            .starts_with("old.graphql:5:3: breaking: Query.legacy: "),
        "{legacy}"
    );
}

#[test]
fn a_schema_against_itself_and_its_canonical_print_has_no_changes() {
    for entry in fs::read_dir(schemas_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "graphql") {
            continue;
        }
        let schema = Schema::from_file(&path).unwrap();
        let printed = Schema::parse(&schema.to_sdl(Subscriptions::Include), &path).unwrap();
        assert_eq!(diff(&schema, &schema), vec![], "{}", path.display());
        assert_eq!(diff(&schema, &printed), vec![], "{}", path.display());
    }
}

#[test]
fn root_type_changes_break() {
    let old = schema(
        "a.graphql",
        "type Query { a: Int } type Mutation { b: Int }",
    );
    let new = schema(
        "b.graphql",
        "schema { query: Query mutation: Writes } type Query { a: Int } type Writes { b: Int }",
    );
    let changes = diff(&old, &new);
    assert!(
        changes.iter().any(|c| c.level == Level::Breaking
            && c.coordinate == "mutation"
            && c.message == "the mutation root type changed from Mutation to Writes"),
        "{changes:#?}"
    );
}

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

fn write_operations(dir: &Path) -> Vec<PathBuf> {
    let documents = [
        // Still fine.
        (
            "fine.graphql",
            "query Fine($id: ID!) { cart(id: $id) { id items { sku } } }",
        ),
        // Selects a field that was removed.
        ("removed.graphql", "query Removed { legacy }"),
        // Still validates, but `note` may now be null: the generated String breaks.
        ("nullable.graphql", "query Nullable { note }"),
        // `first` became required: the variable may be absent.
        (
            "required.graphql",
            "query Required($n: Int) { carts(first: $n) { id } }",
        ),
        // Reads `State`, which gained a value.
        (
            "states.graphql",
            "query States { carts(first: 1) { state } }",
        ),
        // Invalid against the old schema too: not judged.
        ("broken.graphql", "query Broken { nope }"),
    ];
    fs::create_dir_all(dir).unwrap();
    documents
        .iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

#[test]
fn operations_broken_or_endangered_by_the_change() {
    let tmp = tempfile::tempdir().unwrap();
    let files = write_operations(tmp.path());
    let impacts = operation_impacts(
        &schema("old.graphql", OLD),
        &schema("new.graphql", NEW),
        &files,
    );
    let summary: Vec<(String, Level)> = impacts
        .iter()
        .map(|i| {
            (
                i.file.file_name().unwrap().to_string_lossy().into_owned(),
                i.level,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("removed.graphql".into(), Level::Breaking),
            ("nullable.graphql".into(), Level::Breaking),
            ("required.graphql".into(), Level::Breaking),
            ("states.graphql".into(), Level::Dangerous),
        ],
        "{impacts:#?}"
    );
    assert!(impacts[0].reason.contains("legacy"), "{}", impacts[0]);
    assert!(
        impacts[1]
            .reason
            .contains("`Nullable.note` was String! and is now String"),
        "{}",
        impacts[1]
    );
    assert!(impacts[3].reason.contains("`State`"), "{}", impacts[3]);
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shopql-codegen"))
}

#[test]
fn the_diff_command_exits_on_the_chosen_level() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (
        tmp.path().join("old.graphql"),
        tmp.path().join("new.graphql"),
    );
    fs::write(&old, OLD).unwrap();
    fs::write(&new, NEW).unwrap();
    let ops = tmp.path().join("operations");
    write_operations(&ops.join("new"));

    let out = bin().arg("diff").arg(&old).arg(&new).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("old.graphql:5:3: breaking: Query.legacy: field removed"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("9 breaking, 7 dangerous, 9 safe"),
        "{stderr}"
    );

    let none = bin()
        .args(["diff", "--fail-on", "none"])
        .arg(&old)
        .arg(&new)
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(0));

    // Only safe and dangerous changes: passes on `breaking`, fails on `dangerous`.
    let grown = tmp.path().join("grown.graphql");
    fs::write(&grown, OLD.replace("PAID }", "PAID REFUNDED }")).unwrap();
    let status = |level: &str| {
        bin()
            .args(["diff", "--fail-on", level])
            .arg(&old)
            .arg(&grown)
            .status()
            .unwrap()
            .code()
    };
    assert_eq!(status("breaking"), Some(0));
    assert_eq!(status("dangerous"), Some(1));

    // `--operations DIR` reads DIR/<api>/ and lists the documents broken.
    let out = bin()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .arg("--operations")
        .arg(&ops)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("removed.graphql: breaking"), "{stdout}");
    assert!(
        stdout.contains("states.graphql: dangerous: States"),
        "{stdout}"
    );
    assert!(!stdout.contains("fine.graphql"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("3 operation document(s) broken"),
        "{stderr}"
    );

    // Bad input: a clear message and status 2, no panic.
    let bad = tmp.path().join("bad.graphql");
    fs::write(&bad, "type Query {").unwrap();
    let out = bin().arg("diff").arg(&old).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a valid schema"));
    let out = bin()
        .arg("diff")
        .arg(&old)
        .arg(tmp.path().join("missing.graphql"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_print_command_prints_the_canonical_form() {
    let path = schemas_dir().join("lock.graphql");
    let out = bin().arg("print").arg(&path).output().unwrap();
    assert!(out.status.success());
    let expected = Schema::from_file(&path)
        .unwrap()
        .to_sdl(Subscriptions::Include);
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);

    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("lock.graphql");
    let status = bin()
        .arg("print")
        .arg(&path)
        .arg("-o")
        .arg(&target)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(fs::read_to_string(&target).unwrap(), expected);
    // Printing is a fixed point.
    let again = bin().arg("print").arg(&target).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&again.stdout), expected);
}

#[test]
fn introspect_reports_an_unreachable_service() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let out = bin()
        .args([
            "introspect",
            &format!("http://{address}/graphql"),
            "-H",
            "x-a: b",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: http://"), "{stderr}");
    let bad_header = bin()
        .args(["introspect", "http://127.0.0.1:1/graphql", "-H", "nocolon"])
        .output()
        .unwrap();
    assert_eq!(bad_header.status.code(), Some(2));
}
