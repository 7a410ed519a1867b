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
            let root = op.selection.type_name.as_str();
            for f in top_fields(&op.selection) {
                let Some(field) = schema.field(root, &f.name) else {
                    continue; // `__typename`
                };
                used.root_fields
                    .insert((root.to_string(), field.name.clone()));
                // The root field's method takes every argument, not only those the operation
                // passes as variables.
                for a in &field.args {
                    used.input(schema, a.ty.named());
                }
            }
            used.selection(&op.selection);
        }
        used
    }

    /// An input type and, for an input object, every type its fields reach.
    pub fn input(&mut self, schema: &Schema, name: &str) {
        if !self.types.insert(name.to_string()) {
            return;
        }
        if let Some(TypeKind::InputObject { fields, .. }) = schema.get(name).map(|t| &t.kind) {
            for f in fields {
                self.input(schema, f.ty.named());
            }
        }
    }

    fn selection(&mut self, selection: &Selection) {
        self.types.insert(selection.type_name.clone());
        match &selection.shape {
            Shape::Fields(fields) => self.fields(fields),
            Shape::ByType { variants, other } => {
                for (concrete, fields) in variants {
                    self.types.insert(concrete.clone());
                    self.fields(fields);
                }
                self.fields(other);
            }
        }
    }

    fn fields(&mut self, fields: &[SelectedField]) {
        for f in fields {
            match &f.selection {
                Some(selection) => self.selection(selection),
                None => {
                    self.types.insert(f.ty.named().to_string());
                }
            }
        }
    }
}

/// The fields selected directly on a selection's type, whatever the concrete type.
fn top_fields(selection: &Selection) -> impl Iterator<Item = &SelectedField> {
    let (variants, other): (&[(String, Vec<SelectedField>)], &[SelectedField]) =
        match &selection.shape {
            Shape::Fields(fields) => (&[], fields),
            Shape::ByType { variants, other } => (variants, other),
        };
    variants.iter().flat_map(|(_, f)| f).chain(other)
}
