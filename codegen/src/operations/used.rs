//! What a set of operations uses of a schema: the reachability pass behind
//! [`ClientTypes::UsedByOperations`](crate::ClientTypes::UsedByOperations). The client of a
//! crate that only runs its own operations is then emitted from
//! [`Schema::subset`] of these types and root fields, not from the whole schema.

use std::collections::BTreeSet;

use super::{Operation, SelectedField, Selection, Shape};
use crate::model::{OperationKind, Schema, TypeKind};

/// The types and root fields that operations use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Used {
    /// Named types: those of variables and of root-field arguments (with every input object,
    /// enum and scalar reachable through input fields), and every type selected (through
    /// fragments, and the concrete types selected on an interface or union). Root types are
    /// always in.
    pub types: BTreeSet<String>,
    /// `(root type, field)` pairs: the root fields the operations ask for.
    pub root_fields: BTreeSet<(String, String)>,
}

impl Used {
    /// What `operations` use of `schema`.
    pub fn of(schema: &Schema, operations: &[Operation]) -> Used {
        let mut used = Used::default();
        for kind in [
            OperationKind::Query,
            OperationKind::Mutation,
            OperationKind::Subscription,
        ] {
            if let Some(root) = schema.root(kind) {
                used.types.insert(root.to_string());
            }
        }
        for op in operations {
            for v in &op.variables {
                used.input(schema, v.ty.named());
            }
            used.selection(schema, &op.selection);
        }
        used
    }

    /// An input type and, for an input object, every type its fields reach.
    pub(crate) fn input(&mut self, schema: &Schema, name: &str) {
        if !self.types.insert(name.to_string()) {
            return;
        }
        if let Some(TypeKind::InputObject { fields, .. }) = schema.get(name).map(|t| &t.kind) {
            for f in fields {
                self.input(schema, f.ty.named());
            }
        }
    }

    fn selection(&mut self, schema: &Schema, selection: &Selection) {
        let parent = selection.type_name.as_str();
        self.types.insert(parent.to_string());
        match &selection.shape {
            Shape::Fields(fields) => self.fields(schema, parent, fields),
            Shape::ByType { variants, other } => {
                for (concrete, fields) in variants {
                    self.types.insert(concrete.clone());
                    self.fields(schema, concrete, fields);
                }
                self.fields(schema, parent, other);
            }
        }
    }

    fn fields(&mut self, schema: &Schema, parent: &str, fields: &[SelectedField]) {
        for f in fields {
            // A root type's field, at the root or under a field of the root type (Relay's
            // `query: Query!`): the client gets its method, which takes every argument, not
            // only those the operation passes as variables.
            if schema.is_root(parent)
                && let Some(field) = schema.field(parent, &f.name)
            {
                self.root_fields
                    .insert((parent.to_string(), field.name.clone()));
                for a in &field.args {
                    self.input(schema, a.ty.named());
                }
            }
            match &f.selection {
                Some(selection) => self.selection(schema, selection),
                None => {
                    self.types.insert(f.ty.named().to_string());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::operations::parse_document;

    const SDL: &str = r#"
schema { query: Query }
type Query { relay: Query!  find(f: Filter, limit: Limit): [Hit!]!  unused(x: Other): Int }
input Filter { and: [Filter!]  range: Range }
input Range { unit: Unit }
enum Unit { A B }
enum Limit { ONE }
input Other { x: Int }
interface Hit { id: ID! }
type Page implements Hit { id: ID! size: Size links(x: Other): [Page!]! }
type Post implements Hit { id: ID! }
enum Size { S }
"#;

    fn used(doc: &str) -> Used {
        let schema = Schema::parse(SDL, Path::new("t.graphql")).expect("valid schema");
        let ops = parse_document(&schema, doc, Path::new("op.graphql")).expect("valid document");
        Used::of(&schema, &ops)
    }

    fn names(used: &Used) -> Vec<&str> {
        used.types.iter().map(String::as_str).collect()
    }

    #[test]
    fn arguments_reach_their_input_closure_and_fragments_their_types() {
        let used = used("query Q { find { ... on Page { size } } }");
        // `Filter` and `Limit` are arguments of an asked-for root field, though not passed.
        assert_eq!(
            names(&used),
            [
                "Filter", "Hit", "Limit", "Page", "Query", "Range", "Size", "Unit"
            ]
        );
        assert_eq!(
            used.root_fields,
            BTreeSet::from([("Query".to_string(), "find".to_string())])
        );
    }

    #[test]
    fn the_subset_refers_to_no_type_it_left_out() {
        let schema = Schema::parse(SDL, Path::new("t.graphql")).expect("valid schema");
        let doc = "query Q { find { ... on Page { size } } }";
        let ops = parse_document(&schema, doc, Path::new("op.graphql")).expect("valid document");
        let used = Used::of(&schema, &ops);
        let subset = schema.subset(&used.types, &used.root_fields);
        let fields =
            |t: &str| -> Vec<&str> { subset.fields(t).iter().map(|f| f.name.as_str()).collect() };
        assert_eq!(fields("Query"), ["find"]);
        // `links` takes an `Other`, which no operation uses.
        assert_eq!(fields("Page"), ["id", "size"]);
        assert_eq!(subset.possible_types("Hit"), ["Page"]);
        assert!(subset.get("Other").is_none() && subset.get("Post").is_none());
        assert!(subset.get("ID").is_some());
    }

    #[test]
    fn root_fields_under_a_root_field_are_asked_for() {
        let used = used("query Q { relay { find { id } } }");
        assert!(
            used.root_fields
                .contains(&("Query".to_string(), "relay".to_string()))
        );
        assert!(
            used.root_fields
                .contains(&("Query".to_string(), "find".to_string()))
        );
        assert!(!used.types.contains("Other") && !used.types.contains("Page"));
    }
}
