use std::path::Path;

use super::*;
use crate::model::Schema;

const SDL: &str = r#"
type Query { node(id: ID!): Node  cart(id: ID): Cart  search(text: String!): [SearchResult!]! }
type Mutation { setName(id: ID!, name: String): Cart }
interface Node { id: ID! }
type Cart implements Node { id: ID! name: String items(first: Int = 10): [Item!]! }
type Item implements Node { id: ID! sku: String! quantity: Int! }
union SearchResult = Cart | Item
directive @tag(name: String!) repeatable on FIELD | INLINE_FRAGMENT
directive @once on FIELD
directive @onType on OBJECT
"#;

fn schema() -> Schema {
    Schema::parse(SDL, Path::new("t.graphql")).expect("fixture schema is valid")
}

fn errors(doc: &str) -> String {
    match parse_document(&schema(), doc, Path::new("op.graphql")) {
        Ok(ops) => panic!("expected errors, got {} operation(s)", ops.len()),
        Err(d) => d.to_string(),
    }
}

fn ok(doc: &str) -> Vec<Operation> {
    match parse_document(&schema(), doc, Path::new("op.graphql")) {
        Ok(ops) => ops,
        Err(d) => panic!("unexpected diagnostics:\n{d}"),
    }
}

#[test]
fn a_simple_query_resolves_with_types() {
    let ops = ok(
        "# Gets a cart.\nquery GetCart($id: ID) { cart(id: $id) { id name items { sku quantity } } }",
    );
    let op = &ops[0];
    assert_eq!(op.name, "GetCart");
    assert_eq!(op.description.as_deref(), Some("Gets a cart."));
    let Shape::Fields(fields) = &op.selection.shape else {
        panic!("object root")
    };
    assert_eq!(fields[0].key, "cart");
    let cart = fields[0].selection.as_ref().map(|s| &s.shape);
    let Some(Shape::Fields(cart_fields)) = cart else {
        panic!("cart is an object")
    };
    let keys: Vec<&str> = cart_fields.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["id", "name", "items"]);
    assert_eq!(cart_fields[2].ty.to_string(), "[Item!]!");
}

#[test]
fn fragments_on_interfaces_give_a_shape_per_type_and_typename_is_added() {
    let ops = ok(
        "query N { node(id: \"1\") { id ... on Cart { name } ...ItemBits } } fragment ItemBits on Item { sku }",
    );
    let op = &ops[0];
    assert!(op.query_text.contains("__typename"), "{}", op.query_text);
    assert!(op.query_text.contains("fragment ItemBits on Item"));
    let Shape::Fields(root) = &op.selection.shape else {
        panic!()
    };
    let Some(Shape::ByType { variants, other }) = root[0].selection.as_ref().map(|s| &s.shape)
    else {
        panic!("node is by type")
    };
    let names: Vec<&str> = variants.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(names, ["Cart", "Item"]);
    let cart_keys: Vec<&str> = variants[0].1.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(cart_keys, ["id", "name"]);
    let other_keys: Vec<&str> = other.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(other_keys, ["id"]);
}

#[test]
fn aliases_and_conditional_fields() {
    let ops = ok(
        "query A($full: Boolean!) { first: cart(id: \"1\") { id } second: cart(id: \"2\") { id name @include(if: $full) } }",
    );
    let Shape::Fields(root) = &ops[0].selection.shape else {
        panic!()
    };
    assert_eq!(root.len(), 2);
    let Some(Shape::Fields(second)) = root[1].selection.as_ref().map(|s| &s.shape) else {
        panic!()
    };
    assert!(second[1].conditional);
    assert!(!second[0].conditional);
}

#[test]
fn located_errors_for_common_mistakes() {
    let e = errors("query A { cart { idd } }");
    assert!(
        e.contains("op.graphql:1:18: error: `Cart` has no field `idd`"),
        "{e}"
    );
    assert!(e.contains("did you mean `id`"), "{e}");

    let e = errors("query A { node { id } }");
    assert!(e.contains("needs argument `id: ID!`"), "{e}");

    let e = errors("query A($x: Int) { cart(id: \"1\") { id } }");
    assert!(e.contains("`$x` is defined but never used"), "{e}");

    let e = errors("query A { cart(id: $nope) { id } }");
    assert!(e.contains("`$nope` is not defined"), "{e}");

    let e = errors("query A($id: Int) { cart(id: $id) { id } }");
    assert!(e.contains("cannot be used where `ID` is expected"), "{e}");

    let e = errors("query A { cart { id { x } } }");
    assert!(e.contains("has no fields to select"), "{e}");

    let e = errors("query A { cart }");
    assert!(e.contains("select some of its fields"), "{e}");

    let e = errors("{ cart { id } }");
    assert!(e.contains("operation has no name"), "{e}");

    let e =
        errors("query A { cart { ...F } } fragment F on Cart { ...G } fragment G on Cart { ...F }");
    assert!(e.contains("spreads itself"), "{e}");

    let e = errors("query A { search(text: \"x\") { id } }");
    assert!(e.contains("is a union"), "{e}");

    let e = errors("query A { cart { x: id x: name } }");
    assert!(e.contains("fields cannot be merged"), "{e}");

    let e = errors("query A { cart { ... on Item { sku } } }");
    assert!(e.contains("can never apply"), "{e}");

    let e = errors("query A { cart { id @weird } }");
    assert!(e.contains("unknown directive `@weird`"), "{e}");
}

#[test]
fn several_errors_are_reported_at_once() {
    let d = parse_document(
        &schema(),
        "query A { cart { a b c } }",
        Path::new("x.graphql"),
    )
    .err()
    .map(|d| d.error_count());
    assert_eq!(d, Some(3));
}

#[test]
fn nullable_variable_with_default_fits_a_required_argument() {
    ok("query A($text: String = \"robot\") { search(text: $text) { __typename } }");
}

#[test]
fn directives_the_schema_defines_are_checked() {
    ok(
        "query A { cart { id @tag(name: \"a\") @tag(name: \"b\") @once ... on Cart @tag(name: \"c\") { name } } }",
    );
    let e = errors("query A { cart { id @once @once } }");
    assert!(e.contains("`@once` is not repeatable"), "{e}");
    let e = errors("query A { cart { id @onType } }");
    assert!(e.contains("cannot be used here (FIELD)"), "{e}");
    let e = errors("query A { cart { id @tag } }");
    assert!(e.contains("needs its argument `name`"), "{e}");
    let e = errors("query A { cart { id @tag(name: 1) } }");
    assert!(e.contains("`@tag(name:)`"), "{e}");
    let e = errors("query A { cart { id @tag(name: \"x\", other: 1) } }");
    assert!(e.contains("has no argument `other`"), "{e}");
}

#[test]
fn a_selection_that_is_exactly_one_fragment_spread_is_that_fragment() {
    let ops = ok(
        "query A { cart { ...CartBits } node(id: \"1\") { ...CartBits } search(text: \"x\") { ...CartBits } }\n\
         query B { cart { ...CartBits id } c: cart { ...CartBits @include(if: true) } }\n\
         fragment CartBits on Cart { id items { ...ItemBits } }\n\
         fragment ItemBits on Item { sku }",
    );
    let fragments = |op: &Operation| -> Vec<Option<String>> {
        let Shape::Fields(fields) = &op.selection.shape else {
            panic!("object root")
        };
        fields
            .iter()
            .map(|f| f.selection.as_ref().and_then(|s| s.fragment.clone()))
            .collect()
    };
    // Only on the fragment's own type: not on an interface or a union it is spread on.
    assert_eq!(
        fragments(&ops[0]),
        [Some("CartBits".to_string()), None, None]
    );
    // Not with other fields or under a condition.
    assert_eq!(fragments(&ops[1]), [None, None]);
    // Inside a fragment too.
    let Shape::Fields(root) = &ops[0].selection.shape else {
        panic!("object root")
    };
    let Some(Shape::Fields(cart)) = root[0].selection.as_ref().map(|s| &s.shape) else {
        panic!("cart is an object")
    };
    let items = cart[1]
        .selection
        .as_ref()
        .and_then(|s| s.fragment.as_deref());
    assert_eq!(items, Some("ItemBits"));
}
