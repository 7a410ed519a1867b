//! Turns a checked selection set into the [`Selection`] tree (the spec's CollectFields, per
//! concrete type) and prints the query text sent on the wire.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use graphql_parser::query as q;

use super::{SelectedField, Selection, Shape};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::model::{Schema, TypeRef};

type Fragments<'d> = HashMap<&'d str, &'d q::FragmentDefinition<'d, String>>;

/// One response key with every field node that contributes to it.
struct Collected<'d> {
    key: String,
    nodes: Vec<&'d q::Field<'d, String>>,
    /// True only if every occurrence sits under `@skip`/`@include`.
    conditional: bool,
}

pub(super) fn resolve<'d>(
    schema: &Schema,
    fragments: &Fragments<'d>,
    type_name: &str,
    sets: &[&'d q::SelectionSet<'d, String>],
    file: &Arc<Path>,
    diags: &mut Diagnostics,
) -> Selection {
    let r = Resolver {
        schema,
        fragments,
        file,
        diags,
    };
    r.selection(type_name, sets)
}

struct Resolver<'a, 'd> {
    schema: &'a Schema,
    fragments: &'a Fragments<'d>,
    file: &'a Arc<Path>,
    diags: &'a mut Diagnostics,
}

impl<'d> Resolver<'_, 'd> {
    fn selection(mut self, type_name: &str, sets: &[&'d q::SelectionSet<'d, String>]) -> Selection {
        self.select(type_name, sets)
    }

    fn select(&mut self, type_name: &str, sets: &[&'d q::SelectionSet<'d, String>]) -> Selection {
        let schema = self.schema;
        if !schema.is_abstract(type_name) {
            let collected = self.collect(sets, &|cond| schema.type_applies(cond, type_name));
            let fields = self.fields(type_name, collected);
            return Selection {
                type_name: type_name.to_string(),
                shape: Shape::Fields(fields),
                fragment: None,
            };
        }
        let possible: Vec<String> = schema
            .possible_types(type_name)
            .iter()
            .map(|s| s.to_string())
            .collect();
        // A condition every possible type meets selects its fields on the abstract type itself,
        // as long as they are the abstract type's fields: `... on Named { name }` on a union
        // whose members all implement `Named` selects `name`, which the union does not have, so
        // it is decoded per member.
        let covers_all = |cond: &str| {
            cond == type_name
                || (possible.iter().all(|p| schema.type_applies(cond, p))
                    && schema
                        .fields(cond)
                        .iter()
                        .all(|f| schema.field(type_name, &f.name).is_some()))
        };
        let mut conditions = Vec::new();
        self.conditions(sets, &mut conditions, &mut Vec::new());
        let specific: Vec<&String> = possible
            .iter()
            .filter(|p| {
                conditions
                    .iter()
                    .any(|c| !covers_all(c) && schema.type_applies(c, p))
            })
            .collect();
        let base = self.collect(sets, &covers_all);
        let other = self.fields(type_name, base);
        if specific.is_empty() {
            return Selection {
                type_name: type_name.to_string(),
                shape: Shape::Fields(other),
                fragment: None,
            };
        }
        let mut variants = Vec::new();
        for p in specific {
            let collected = self.collect(sets, &|cond| schema.type_applies(cond, p));
            let fields = self.fields(p, collected);
            variants.push((p.clone(), fields));
        }
        Selection {
            type_name: type_name.to_string(),
            shape: Shape::ByType { variants, other },
            fragment: None,
        }
    }

    /// Every type condition met in the selection sets, through fragments but not into fields.
    /// Each fragment is entered once (`seen`), so even a cyclic document cannot recurse forever.
    fn conditions(
        &self,
        sets: &[&'d q::SelectionSet<'d, String>],
        out: &mut Vec<String>,
        seen: &mut Vec<&'d str>,
    ) {
        for set in sets {
            for item in &set.items {
                match item {
                    q::Selection::Field(_) => {}
                    q::Selection::InlineFragment(i) => {
                        if let Some(q::TypeCondition::On(c)) = &i.type_condition {
                            out.push(c.clone());
                        }
                        self.conditions(&[&i.selection_set], out, seen);
                    }
                    q::Selection::FragmentSpread(s) => {
                        let name = s.fragment_name.as_str();
                        if seen.contains(&name) {
                            continue;
                        }
                        seen.push(name);
                        if let Some(f) = self.fragments.get(name) {
                            let q::TypeCondition::On(c) = &f.type_condition;
                            out.push(c.clone());
                            self.conditions(&[&f.selection_set], out, seen);
                        }
                    }
                }
            }
        }
    }

    /// The spec's CollectFields: fields by response key, in first-seen order, following the
    /// fragments whose type condition `applies`.
    fn collect(
        &self,
        sets: &[&'d q::SelectionSet<'d, String>],
        applies: &dyn Fn(&str) -> bool,
    ) -> Vec<Collected<'d>> {
        let mut out: Vec<Collected<'d>> = Vec::new();
        let mut visited = Vec::new();
        for set in sets {
            self.collect_into(set, applies, false, &mut out, &mut visited);
        }
        out
    }

    fn collect_into(
        &self,
        set: &'d q::SelectionSet<'d, String>,
        applies: &dyn Fn(&str) -> bool,
        conditional: bool,
        out: &mut Vec<Collected<'d>>,
        visited: &mut Vec<&'d str>,
    ) {
        for item in &set.items {
            match item {
                q::Selection::Field(f) => {
                    let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
                    let cond = conditional || has_condition(&f.directives);
                    match out.iter_mut().find(|c| c.key == key) {
                        Some(c) => {
                            c.nodes.push(f);
                            c.conditional &= cond;
                        }
                        None => out.push(Collected {
                            key,
                            nodes: vec![f],
                            conditional: cond,
                        }),
                    }
                }
                q::Selection::InlineFragment(i) => {
                    let ok = match &i.type_condition {
                        Some(q::TypeCondition::On(c)) => applies(c),
                        None => true,
                    };
                    if ok {
                        let cond = conditional || has_condition(&i.directives);
                        self.collect_into(&i.selection_set, applies, cond, out, visited);
                    }
                }
                q::Selection::FragmentSpread(s) => {
                    let name = s.fragment_name.as_str();
                    let Some(f) = self.fragments.get(name) else {
                        continue;
                    };
                    let q::TypeCondition::On(c) = &f.type_condition;
                    if visited.contains(&name) || !applies(c) {
                        continue;
                    }
                    visited.push(name);
                    let cond = conditional || has_condition(&s.directives);
                    self.collect_into(&f.selection_set, applies, cond, out, visited);
                    visited.pop();
                }
            }
        }
    }

    fn fields(&mut self, parent: &str, collected: Vec<Collected<'d>>) -> Vec<SelectedField> {
        let mut out = Vec::with_capacity(collected.len());
        for c in collected {
            let first = c.nodes[0];
            if let Some(other) = c
                .nodes
                .iter()
                .find(|n| n.name != first.name || !same_args(&n.arguments, &first.arguments))
            {
                let what = if other.name != first.name {
                    format!(
                        "`{}` selects both `{}` and `{}`",
                        c.key, first.name, other.name
                    )
                } else {
                    format!("`{}` is selected twice with different arguments", c.key)
                };
                self.diags.push(
                    Diagnostic::error(
                        Location::new(self.file, other.position.line, other.position.column),
                        format!("fields cannot be merged: {what}"),
                    )
                    .with_help("give one of them an alias"),
                );
                continue;
            }
            if first.name == "__typename" {
                out.push(SelectedField {
                    key: c.key,
                    name: first.name.clone(),
                    ty: TypeRef::NonNull(Box::new(TypeRef::Named("String".into()))),
                    conditional: c.conditional,
                    description: Some("The name of the object's concrete GraphQL type.".into()),
                    deprecation: None,
                    selection: None,
                });
                continue;
            }
            // Checked before: the field exists on the parent (or on every concrete type).
            let Some(def) = self.schema.field(parent, &first.name) else {
                continue;
            };
            let target = def.ty.named().to_string();
            let selection = if self.schema.is_leaf(&target) {
                None
            } else {
                let sets: Vec<&'d q::SelectionSet<'d, String>> =
                    c.nodes.iter().map(|n| &n.selection_set).collect();
                let mut selection = self.select(&target, &sets);
                selection.fragment = self.whole_fragment(&sets, &target);
                Some(selection)
            };
            out.push(SelectedField {
                key: c.key,
                name: first.name.clone(),
                ty: def.ty.clone(),
                conditional: c.conditional,
                description: def.description.clone(),
                deprecation: def.deprecation.clone(),
                selection,
            });
        }
        out
    }
}

impl Resolver<'_, '_> {
    /// The fragment that every one of `sets` is exactly (one unconditional spread, of a fragment
    /// on `target` itself), if any: the selection is then the fragment's, whatever the operation.
    fn whole_fragment(
        &self,
        sets: &[&q::SelectionSet<'_, String>],
        target: &str,
    ) -> Option<String> {
        let mut name: Option<&str> = None;
        for set in sets {
            let [q::Selection::FragmentSpread(s)] = set.items.as_slice() else {
                return None;
            };
            if !s.directives.is_empty() || name.is_some_and(|n| n != s.fragment_name) {
                return None;
            }
            name = Some(&s.fragment_name);
        }
        let name = name?;
        let q::TypeCondition::On(cond) = &self.fragments.get(name)?.type_condition;
        (cond == target).then(|| name.to_string())
    }
}

fn has_condition(directives: &[q::Directive<'_, String>]) -> bool {
    directives
        .iter()
        .any(|d| d.name == "skip" || d.name == "include")
}

fn same_args(a: &[(String, q::Value<'_, String>)], b: &[(String, q::Value<'_, String>)]) -> bool {
    let mut a: Vec<String> = a.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    let mut b: Vec<String> = b.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    a.sort();
    b.sort();
    a == b
}

/// The text sent on the wire: the operation and the fragments it uses (in document order), with
/// `__typename` added to every selection set on an interface or union so the response can be
/// decoded by concrete type.
pub(super) fn query_text<'d>(
    schema: &Schema,
    fragments: &Fragments<'d>,
    op: &q::OperationDefinition<'d, String>,
    root: &str,
) -> String {
    let mut op = op.clone();
    let set = match &mut op {
        q::OperationDefinition::SelectionSet(s) => s,
        q::OperationDefinition::Query(x) => &mut x.selection_set,
        q::OperationDefinition::Mutation(x) => &mut x.selection_set,
        q::OperationDefinition::Subscription(x) => &mut x.selection_set,
    };
    add_typename(schema, root, set);
    let mut used: Vec<String> = Vec::new();
    used_fragments(fragments, set, &mut used);
    let mut defs = vec![q::Definition::Operation(op)];
    let mut frags: Vec<&q::FragmentDefinition<'d, String>> = used
        .iter()
        .filter_map(|n| fragments.get(n.as_str()).copied())
        .collect();
    frags.sort_by_key(|f| f.position);
    for f in frags {
        let mut f = f.clone();
        let q::TypeCondition::On(cond) = f.type_condition.clone();
        add_typename(schema, &cond, &mut f.selection_set);
        defs.push(q::Definition::Fragment(f));
    }
    let doc = q::Document { definitions: defs };
    doc.format(graphql_parser::Style::default().indent(2))
        .trim_end()
        .to_string()
}

fn add_typename(schema: &Schema, parent: &str, set: &mut q::SelectionSet<'_, String>) {
    let has = set.items.iter().any(|i| matches!(i, q::Selection::Field(f) if f.name == "__typename" && f.alias.is_none() && f.directives.is_empty()));
    if schema.is_abstract(parent) && !has {
        set.items.insert(
            0,
            q::Selection::Field(q::Field {
                position: set.span.0,
                alias: None,
                name: "__typename".to_string(),
                arguments: Vec::new(),
                directives: Vec::new(),
                selection_set: q::SelectionSet {
                    span: set.span,
                    items: Vec::new(),
                },
            }),
        );
    }
    for item in &mut set.items {
        match item {
            q::Selection::Field(f) => {
                if let Some(def) = schema.field(parent, &f.name) {
                    let target = def.ty.named().to_string();
                    add_typename(schema, &target, &mut f.selection_set);
                }
            }
            q::Selection::InlineFragment(i) => {
                let target = match &i.type_condition {
                    Some(q::TypeCondition::On(c)) => c.clone(),
                    None => parent.to_string(),
                };
                add_typename(schema, &target, &mut i.selection_set);
            }
            q::Selection::FragmentSpread(_) => {}
        }
    }
}

fn used_fragments(
    fragments: &Fragments<'_>,
    set: &q::SelectionSet<'_, String>,
    used: &mut Vec<String>,
) {
    for item in &set.items {
        match item {
            q::Selection::Field(f) => used_fragments(fragments, &f.selection_set, used),
            q::Selection::InlineFragment(i) => used_fragments(fragments, &i.selection_set, used),
            q::Selection::FragmentSpread(s) => {
                if !used.contains(&s.fragment_name) {
                    used.push(s.fragment_name.clone());
                    if let Some(f) = fragments.get(s.fragment_name.as_str()) {
                        used_fragments(fragments, &f.selection_set, used);
                    }
                }
            }
        }
    }
}
