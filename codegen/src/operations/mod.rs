//! Operation documents: parse, check against a [`Schema`], and resolve each operation's selection
//! into a typed tree the emitters turn into exact response types.
//!
//! What is checked (each with a located diagnostic): fields exist on their parent type; arguments
//! are known, typed and present when required; variables are defined once, have input types, are
//! used, and are compatible where they are used; fragments exist, apply to their parent type and
//! do not spread themselves; leaf fields have no selection and composite fields have one; fields
//! that share a response key can be merged; every operation has a name.

mod resolve;
mod used;
mod validate;

pub use used::Used;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use graphql_parser::query as q;

use crate::diagnostics::{Diagnostic, Diagnostics, Location, file_id, from_parse_error};
use crate::model::{Deprecation, OperationKind, Schema, TypeRef, Value};

/// One named operation, checked and resolved.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The operation's name as written (`GetCart`).
    pub name: String,
    /// Query, mutation or subscription.
    pub kind: OperationKind,
    /// The comment lines written just above the operation (without `#`), used as documentation.
    pub description: Option<String>,
    /// The variables, in definition order.
    pub variables: Vec<VariableDef>,
    /// The resolved selection on the root type.
    pub selection: Selection,
    /// The text sent to the server: this operation and the fragments it uses, with `__typename`
    /// added where a response must be decoded by its concrete type.
    pub query_text: String,
    /// Where the operation is defined.
    pub location: Location,
}

/// A variable of an operation.
#[derive(Debug, Clone)]
pub struct VariableDef {
    /// The name without `$`.
    pub name: String,
    /// The declared type.
    pub ty: TypeRef,
    /// The default value, if any.
    pub default: Option<Value>,
    /// Where it is defined.
    pub location: Location,
}

/// A resolved selection set on a parent type.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// The parent type: an object, interface or union.
    pub type_name: String,
    /// The selected fields.
    pub shape: Shape,
    /// The named fragment this selection is, when a field's selection set is exactly one spread
    /// of it (`cart { ...CartFields }`, the fragment on the field's type): the client then gives
    /// it one type, shared by every operation that selects the fragment so.
    pub fragment: Option<String>,
}

/// What a selection set yields.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// The same fields whatever the concrete type (always the case for object types).
    Fields(Vec<SelectedField>),
    /// Different fields for some concrete types of an interface or union; decoded on
    /// `__typename`. `other` holds the fields every other type yields.
    ByType {
        /// The concrete types with a specific selection, with all of their fields.
        variants: Vec<(String, Vec<SelectedField>)>,
        /// The fields of any other concrete type.
        other: Vec<SelectedField>,
    },
}

/// A field in a response.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectedField {
    /// The key in the response object: the alias, or the field name.
    pub key: String,
    /// The schema field's name (`__typename` for the meta field).
    pub name: String,
    /// The schema field's type.
    pub ty: TypeRef,
    /// True when `@skip`/`@include` may leave the field out of the response.
    pub conditional: bool,
    /// The schema field's description.
    pub description: Option<String>,
    /// The schema field's deprecation.
    pub deprecation: Option<Deprecation>,
    /// The sub-selection, for fields of composite type.
    pub selection: Option<Selection>,
}

/// Parses and checks an operation document against `schema`. Returns every operation in it, or
/// every problem found.
pub fn parse_document(
    schema: &Schema,
    source: &str,
    path: &Path,
) -> Result<Vec<Operation>, Diagnostics> {
    let file = file_id(path);
    let mut diags = Diagnostics::new();
    if let Some(d) = crate::model::check_nesting(source, &file) {
        diags.push(d);
        return Err(diags);
    }
    let doc = match q::parse_query::<String>(source) {
        Ok(doc) => doc,
        Err(e) => {
            diags.push(from_parse_error(&file, &e.to_string()));
            return Err(diags);
        }
    };
    let mut fragments: HashMap<&str, &q::FragmentDefinition<'_, String>> = HashMap::new();
    for def in &doc.definitions {
        if let q::Definition::Fragment(f) = def {
            let loc = Location::new(&file, f.position.line, f.position.column);
            if fragments.insert(f.name.as_str(), f).is_some() {
                diags.push(Diagnostic::error(
                    loc,
                    format!("fragment `{}` is defined more than once", f.name),
                ));
            }
        }
    }

    let ctx = validate::Ctx {
        schema,
        file: Arc::clone(&file),
        fragments: &fragments,
    };
    ctx.check_fragments(&mut diags);

    let mut out = Vec::new();
    let mut names: HashMap<String, Location> = HashMap::new();
    let op_count = doc
        .definitions
        .iter()
        .filter(|d| matches!(d, q::Definition::Operation(_)))
        .count();
    for def in &doc.definitions {
        let q::Definition::Operation(op) = def else {
            continue;
        };
        let parts = OpParts::of(op);
        let loc = Location::new(&file, parts.position.line, parts.position.column);
        let Some(name) = parts.name.clone() else {
            let help = if op_count == 1 {
                "give it a name, e.g. `query GetCart { … }`: the name becomes the method name"
            } else {
                "name every operation of a document that holds several"
            };
            diags.push(Diagnostic::error(loc, "operation has no name").with_help(help));
            continue;
        };
        if let Some(first) = names.insert(name.clone(), loc.clone()) {
            diags.push(
                Diagnostic::error(
                    loc.clone(),
                    format!("operation `{name}` is defined more than once"),
                )
                .with_help(format!("the first definition is at {first}")),
            );
            continue;
        }
        let Some(root) = schema.root(parts.kind) else {
            diags.push(Diagnostic::error(
                loc,
                format!("the schema has no {} root type", parts.kind.keyword()),
            ));
            continue;
        };
        let variables = ctx.check_variables(&parts, &mut diags);
        ctx.check_selection_set(
            root,
            parts.selection_set,
            &variables,
            &mut diags,
            &mut Vec::new(),
        );
        ctx.check_variable_usage(&parts, &variables, &mut diags);
        // Resolution assumes a valid document (a fragment cycle, say, is reported above): with
        // any error so far, only keep checking.
        if diags.has_errors() {
            continue;
        }
        let selection = resolve::resolve(
            schema,
            &fragments,
            root,
            &[parts.selection_set],
            &file,
            &mut diags,
        );
        let query_text = resolve::query_text(schema, &fragments, op, root);
        out.push(Operation {
            name: name.clone(),
            kind: parts.kind,
            description: leading_comment(source, parts.position.line),
            variables,
            selection,
            query_text,
            location: loc,
        });
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(out)
    }
}

/// Reads an operation document from a file.
pub fn parse_file(schema: &Schema, path: &Path) -> Result<Vec<Operation>, Diagnostics> {
    match std::fs::read_to_string(path) {
        Ok(source) => parse_document(schema, &source, path),
        Err(e) => {
            let mut d = Diagnostics::new();
            d.push(Diagnostic::error(
                Location::new(&file_id(path), 1, 1),
                format!("cannot read operation file: {e}"),
            ));
            Err(d)
        }
    }
}

/// The parts of an operation definition, whatever its kind.
pub(crate) struct OpParts<'d> {
    pub kind: OperationKind,
    pub name: Option<String>,
    pub position: graphql_parser::Pos,
    pub variables: &'d [q::VariableDefinition<'d, String>],
    pub selection_set: &'d q::SelectionSet<'d, String>,
}

impl<'d> OpParts<'d> {
    pub(crate) fn of(op: &'d q::OperationDefinition<'d, String>) -> Self {
        match op {
            q::OperationDefinition::SelectionSet(s) => OpParts {
                kind: OperationKind::Query,
                name: None,
                position: s.span.0,
                variables: &[],
                selection_set: s,
            },
            q::OperationDefinition::Query(x) => OpParts {
                kind: OperationKind::Query,
                name: x.name.clone(),
                position: x.position,
                variables: &x.variable_definitions,
                selection_set: &x.selection_set,
            },
            q::OperationDefinition::Mutation(x) => OpParts {
                kind: OperationKind::Mutation,
                name: x.name.clone(),
                position: x.position,
                variables: &x.variable_definitions,
                selection_set: &x.selection_set,
            },
            q::OperationDefinition::Subscription(x) => OpParts {
                kind: OperationKind::Subscription,
                name: x.name.clone(),
                position: x.position,
                variables: &x.variable_definitions,
                selection_set: &x.selection_set,
            },
        }
    }
}

/// The `#` comment lines directly above line `line` (one-based), without the `#`.
fn leading_comment(source: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut start = line.saturating_sub(1).min(lines.len());
    while start > 0 && lines[start - 1].trim_start().starts_with('#') {
        start -= 1;
    }
    let text: Vec<&str> = lines[start..line.saturating_sub(1).min(lines.len())]
        .iter()
        .map(|l| {
            let t = l.trim_start().trim_start_matches('#');
            t.strip_prefix(' ').unwrap_or(t).trim_end()
        })
        .collect();
    let joined = text.join("\n").trim().to_string();
    (!joined.is_empty()).then_some(joined)
}

#[cfg(test)]
mod tests;
