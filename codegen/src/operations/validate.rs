//! The checks of an operation document against the schema.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use graphql_parser::query as q;

use super::{OpParts, VariableDef};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, did_you_mean};
use crate::model::{Schema, TypeKind, TypeRef, Value, check_value, type_ref, value};

pub(super) struct Ctx<'a, 'd> {
    pub schema: &'a Schema,
    pub file: Arc<Path>,
    pub fragments: &'a HashMap<&'d str, &'d q::FragmentDefinition<'d, String>>,
}

impl<'d> Ctx<'_, 'd> {
    fn loc(&self, pos: graphql_parser::Pos) -> Location {
        Location::new(&self.file, pos.line, pos.column)
    }

    /// Fragment-level rules: known composite type conditions and no spread cycles.
    pub(super) fn check_fragments(&self, diags: &mut Diagnostics) {
        let mut names: Vec<&&str> = self.fragments.keys().collect();
        names.sort();
        // One report per cycle, at its first fragment: A → B → A and B → A → B are one cycle.
        let mut reported: HashSet<Vec<String>> = HashSet::new();
        for name in names {
            let f = self.fragments[*name];
            let q::TypeCondition::On(cond) = &f.type_condition;
            self.check_type_condition(cond, f.position, diags);
            let mut path = vec![f.name.as_str()];
            if let Some(cycle) = self.spread_cycle(&f.selection_set, &mut path) {
                let mut members = cycle.clone();
                members.sort();
                members.dedup();
                if !reported.insert(members) {
                    continue;
                }
                diags.push(
                    Diagnostic::error(
                        self.loc(f.position),
                        format!(
                            "fragment `{}` spreads itself: {}",
                            f.name,
                            cycle.join(" → ")
                        ),
                    )
                    .with_help(
                        "a fragment cannot include itself, directly or through other fragments",
                    ),
                );
            }
        }
    }

    fn spread_cycle(
        &self,
        set: &'d q::SelectionSet<'d, String>,
        path: &mut Vec<&'d str>,
    ) -> Option<Vec<String>> {
        for item in &set.items {
            let found = match item {
                q::Selection::Field(f) => self.spread_cycle(&f.selection_set, path),
                q::Selection::InlineFragment(i) => self.spread_cycle(&i.selection_set, path),
                q::Selection::FragmentSpread(s) => {
                    let name = s.fragment_name.as_str();
                    if path.first() == Some(&name) {
                        let mut cycle: Vec<String> = path.iter().map(|s| s.to_string()).collect();
                        cycle.push(name.to_string());
                        Some(cycle)
                    } else if path.contains(&name) {
                        None // a cycle not through the start; reported for its own start
                    } else if let Some(f) = self.fragments.get(name) {
                        path.push(name);
                        let r = self.spread_cycle(&f.selection_set, path);
                        path.pop();
                        r
                    } else {
                        None
                    }
                }
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    fn check_type_condition(
        &self,
        cond: &str,
        pos: graphql_parser::Pos,
        diags: &mut Diagnostics,
    ) -> bool {
        match self.schema.get(cond).map(|t| &t.kind) {
            None => {
                let help = did_you_mean(cond, self.schema.all_types().map(|t| t.name.as_str()))
                    .unwrap_or_else(|| "use an object, interface or union of the schema".into());
                diags.push(
                    Diagnostic::error(
                        self.loc(pos),
                        format!("unknown type `{cond}` in type condition"),
                    )
                    .with_help(help),
                );
                false
            }
            Some(TypeKind::Object { .. } | TypeKind::Interface { .. } | TypeKind::Union { .. }) => {
                true
            }
            Some(other) => {
                diags.push(Diagnostic::error(
                    self.loc(pos),
                    format!("type condition on `{cond}`, which is {}; fragments apply to objects, interfaces and unions", other.with_article()),
                ));
                false
            }
        }
    }

    pub(super) fn check_variables(
        &self,
        op: &OpParts<'d>,
        diags: &mut Diagnostics,
    ) -> Vec<VariableDef> {
        let mut out: Vec<VariableDef> = Vec::new();
        for v in op.variables {
            let loc = self.loc(v.position);
            if out.iter().any(|x| x.name == v.name) {
                diags.push(Diagnostic::error(
                    loc,
                    format!("variable `${}` is defined more than once", v.name),
                ));
                continue;
            }
            let ty = type_ref(&v.var_type);
            let named = ty.named();
            if self.schema.get(named).is_none() {
                let help = did_you_mean(named, self.schema.all_types().map(|t| t.name.as_str()))
                    .unwrap_or_else(|| "variables take scalars, enums or input objects".into());
                diags.push(
                    Diagnostic::error(
                        loc,
                        format!("variable `${}` has unknown type `{named}`", v.name),
                    )
                    .with_help(help),
                );
                continue;
            }
            if !self.schema.is_input_type(named) {
                diags.push(Diagnostic::error(
                    loc,
                    format!(
                        "variable `${}` has type `{named}`, which is not an input type",
                        v.name
                    ),
                ));
                continue;
            }
            let default = v.default_value.as_ref().map(value);
            if let Some(d) = &default
                && let Err(msg) = crate::model::check_value(self.schema, d, &ty, &|name, _| {
                    Err(format!("`${name}`: a default value cannot use a variable"))
                })
            {
                diags.push(Diagnostic::error(
                    loc.clone(),
                    format!("the default value of `${}` is invalid: {msg}", v.name),
                ));
            }
            out.push(VariableDef {
                name: v.name.clone(),
                ty,
                default,
                location: loc,
            });
        }
        out
    }

    /// Reports variables that are defined but never used (the spec's "All Variables Used").
    pub(super) fn check_variable_usage(
        &self,
        op: &OpParts<'d>,
        vars: &[VariableDef],
        diags: &mut Diagnostics,
    ) {
        let mut used = HashSet::new();
        let mut seen = HashSet::new();
        self.used_variables(op.selection_set, &mut used, &mut seen);
        for v in vars {
            if !used.contains(v.name.as_str()) {
                diags.push(
                    Diagnostic::error(
                        v.location.clone(),
                        format!("variable `${}` is defined but never used", v.name),
                    )
                    .with_help("remove it, or pass it to an argument"),
                );
            }
        }
    }

    fn used_variables(
        &self,
        set: &'d q::SelectionSet<'d, String>,
        used: &mut HashSet<&'d str>,
        seen: &mut HashSet<&'d str>,
    ) {
        fn in_value<'v>(v: &'v q::Value<'v, String>, used: &mut HashSet<&'v str>) {
            match v {
                q::Value::Variable(n) => {
                    used.insert(n.as_str());
                }
                q::Value::List(items) => items.iter().for_each(|i| in_value(i, used)),
                q::Value::Object(fields) => fields.values().for_each(|i| in_value(i, used)),
                _ => {}
            }
        }
        let directives = |ds: &'d [q::Directive<'d, String>], used: &mut HashSet<&'d str>| {
            for d in ds {
                for (_, v) in &d.arguments {
                    in_value(v, used);
                }
            }
        };
        for item in &set.items {
            match item {
                q::Selection::Field(f) => {
                    for (_, v) in &f.arguments {
                        in_value(v, used);
                    }
                    directives(&f.directives, used);
                    self.used_variables(&f.selection_set, used, seen);
                }
                q::Selection::InlineFragment(i) => {
                    directives(&i.directives, used);
                    self.used_variables(&i.selection_set, used, seen);
                }
                q::Selection::FragmentSpread(s) => {
                    directives(&s.directives, used);
                    if seen.insert(s.fragment_name.as_str())
                        && let Some(f) = self.fragments.get(s.fragment_name.as_str())
                    {
                        self.used_variables(&f.selection_set, used, seen);
                    }
                }
            }
        }
    }

    /// The directives at one `location` (`FIELD`, `INLINE_FRAGMENT`, `FRAGMENT_SPREAD`):
    /// `@skip` and `@include`, and those the schema defines for that location.
    fn check_directives(
        &self,
        ds: &[q::Directive<'_, String>],
        location: &str,
        vars: &[VariableDef],
        diags: &mut Diagnostics,
    ) {
        for (i, d) in ds.iter().enumerate() {
            let loc = self.loc(d.position);
            match d.name.as_str() {
                "skip" | "include" => {
                    let cond = d.arguments.iter().find(|(n, _)| n == "if");
                    match cond {
                        None => diags.push(Diagnostic::error(
                            loc,
                            format!("`@{}` needs an `if: Boolean!` argument", d.name),
                        )),
                        Some((_, v)) => {
                            let bool_ty =
                                TypeRef::NonNull(Box::new(TypeRef::Named("Boolean".into())));
                            if let Err(msg) =
                                check_value(self.schema, &value(v), &bool_ty, &|n, t| {
                                    self.variable_fits(n, t, false, vars)
                                })
                            {
                                diags.push(Diagnostic::error(
                                    loc,
                                    format!("`@{}(if:)`: {msg}", d.name),
                                ));
                            }
                        }
                    }
                }
                other => {
                    let Some(def) = self.schema.directive(other) else {
                        diags.push(
                            Diagnostic::error(loc, format!("unknown directive `@{other}`"))
                                .with_help("operations may use `@skip`, `@include` and the directives the schema defines"),
                        );
                        continue;
                    };
                    if !def.locations.iter().any(|l| l == location) {
                        diags.push(Diagnostic::error(
                            loc,
                            format!(
                                "`@{other}` cannot be used here ({location}); the schema allows it on {}",
                                def.locations.join(", ")
                            ),
                        ));
                        continue;
                    }
                    if !def.repeatable && ds[..i].iter().any(|x| x.name == d.name) {
                        diags.push(Diagnostic::error(
                            loc.clone(),
                            format!("`@{other}` is not repeatable but is used twice here"),
                        ));
                    }
                    for (name, v) in &d.arguments {
                        let Some(arg) = def.args.iter().find(|a| &a.name == name) else {
                            diags.push(Diagnostic::error(
                                loc.clone(),
                                format!("`@{other}` has no argument `{name}`"),
                            ));
                            continue;
                        };
                        let has_default = arg.default.is_some();
                        if let Err(msg) = check_value(self.schema, &value(v), &arg.ty, &|n, t| {
                            self.variable_fits(n, t, has_default, vars)
                        }) {
                            diags.push(Diagnostic::error(
                                loc.clone(),
                                format!("`@{other}({name}:)`: {msg}"),
                            ));
                        }
                    }
                    for a in &def.args {
                        if a.ty.is_non_null()
                            && a.default.is_none()
                            && !d.arguments.iter().any(|(n, _)| n == &a.name)
                        {
                            diags.push(Diagnostic::error(
                                loc.clone(),
                                format!("`@{other}` needs its argument `{}`", a.name),
                            ));
                        }
                    }
                }
            }
        }
    }

    /// "All Variable Usages Are Allowed": the variable exists and its type fits the location.
    fn variable_fits(
        &self,
        name: &str,
        expected: &TypeRef,
        location_has_default: bool,
        vars: &[VariableDef],
    ) -> Result<(), String> {
        let Some(v) = vars.iter().find(|v| v.name == name) else {
            return Err(format!(
                "variable `${name}` is not defined by the operation"
            ));
        };
        let mut actual = v.ty.clone();
        if expected.is_non_null() && !actual.is_non_null() {
            let has_default = v.default.as_ref().is_some_and(|d| *d != Value::Null);
            if has_default || location_has_default {
                actual = TypeRef::NonNull(Box::new(actual));
            }
        }
        if actual.is_compatible_with(expected) {
            Ok(())
        } else {
            Err(format!(
                "variable `${name}` of type `{}` cannot be used where `{expected}` is expected",
                v.ty
            ))
        }
    }

    pub(super) fn check_selection_set(
        &self,
        parent: &str,
        set: &'d q::SelectionSet<'d, String>,
        vars: &[VariableDef],
        diags: &mut Diagnostics,
        visiting: &mut Vec<&'d str>,
    ) {
        let schema = self.schema;
        for item in &set.items {
            match item {
                q::Selection::Field(f) => {
                    let loc = self.loc(f.position);
                    self.check_directives(&f.directives, "FIELD", vars, diags);
                    if f.name == "__typename" {
                        if !f.arguments.is_empty() || !f.selection_set.items.is_empty() {
                            diags.push(Diagnostic::error(
                                loc,
                                "`__typename` takes no arguments and no selection",
                            ));
                        }
                        continue;
                    }
                    if f.name == "__schema" || f.name == "__type" {
                        diags.push(
                            Diagnostic::error(
                                loc,
                                format!(
                                    "`{}`: introspection is not supported in generated operations",
                                    f.name
                                ),
                            )
                            .with_help("query the schema file instead; it is the source of truth"),
                        );
                        continue;
                    }
                    let Some(def) = schema.field(parent, &f.name) else {
                        let is_union = matches!(
                            schema.get(parent).map(|t| &t.kind),
                            Some(TypeKind::Union { .. })
                        );
                        let help = if is_union {
                            format!(
                                "`{parent}` is a union: select fields inside `... on <Member> {{ … }}`"
                            )
                        } else {
                            did_you_mean(
                                &f.name,
                                schema.fields(parent).iter().map(|x| x.name.as_str()),
                            )
                            .unwrap_or_else(|| {
                                format!("see the fields of `{parent}` in the schema")
                            })
                        };
                        diags.push(
                            Diagnostic::error(loc, format!("`{parent}` has no field `{}`", f.name))
                                .with_help(help),
                        );
                        continue;
                    };
                    let mut given = HashSet::new();
                    for (arg_name, arg_value) in &f.arguments {
                        if !given.insert(arg_name.as_str()) {
                            diags.push(Diagnostic::error(
                                loc.clone(),
                                format!("argument `{arg_name}` is given twice"),
                            ));
                            continue;
                        }
                        let Some(arg) = def.args.iter().find(|a| &a.name == arg_name) else {
                            let help =
                                did_you_mean(arg_name, def.args.iter().map(|a| a.name.as_str()))
                                    .unwrap_or_else(|| {
                                        let all: Vec<&str> =
                                            def.args.iter().map(|a| a.name.as_str()).collect();
                                        if all.is_empty() {
                                            "it takes no arguments".into()
                                        } else {
                                            format!("its arguments are {}", all.join(", "))
                                        }
                                    });
                            diags.push(
                                Diagnostic::error(
                                    loc.clone(),
                                    format!(
                                        "field `{parent}.{}` has no argument `{arg_name}`",
                                        f.name
                                    ),
                                )
                                .with_help(help),
                            );
                            continue;
                        };
                        let has_default = arg.default.is_some();
                        if let Err(msg) =
                            check_value(schema, &value(arg_value), &arg.ty, &|n, t| {
                                // Only the argument's own position may rely on its default.
                                let top = t == &arg.ty;
                                self.variable_fits(n, t, top && has_default, vars)
                            })
                        {
                            diags.push(Diagnostic::error(
                                loc.clone(),
                                format!("argument `{arg_name}` of `{parent}.{}`: {msg}", f.name),
                            ));
                        }
                    }
                    for arg in &def.args {
                        if arg.ty.is_non_null()
                            && arg.default.is_none()
                            && !given.contains(arg.name.as_str())
                        {
                            diags.push(Diagnostic::error(
                                loc.clone(),
                                format!(
                                    "field `{parent}.{}` needs argument `{}: {}`",
                                    f.name, arg.name, arg.ty
                                ),
                            ));
                        }
                    }
                    let target = def.ty.named();
                    let leaf = schema.is_leaf(target);
                    if leaf && !f.selection_set.items.is_empty() {
                        diags.push(
                            Diagnostic::error(
                                loc,
                                format!(
                                    "`{parent}.{}` is of type `{}`, which has no fields to select",
                                    f.name, def.ty
                                ),
                            )
                            .with_help("remove the `{ … }` after it"),
                        );
                    } else if !leaf && f.selection_set.items.is_empty() {
                        diags.push(
                            Diagnostic::error(
                                loc,
                                format!(
                                    "`{parent}.{}` returns `{}`; select some of its fields",
                                    f.name, def.ty
                                ),
                            )
                            .with_help(format!("e.g. `{} {{ __typename }}`", f.name)),
                        );
                    } else if !leaf {
                        self.check_selection_set(target, &f.selection_set, vars, diags, visiting);
                    }
                }
                q::Selection::InlineFragment(i) => {
                    self.check_directives(&i.directives, "INLINE_FRAGMENT", vars, diags);
                    let target = match &i.type_condition {
                        Some(q::TypeCondition::On(cond)) => {
                            if !self.check_type_condition(cond, i.position, diags) {
                                continue;
                            }
                            if !self.spread_possible(cond, parent) {
                                diags.push(Diagnostic::error(
                                    self.loc(i.position),
                                    format!("`... on {cond}` can never apply inside `{parent}`"),
                                ));
                                continue;
                            }
                            cond.as_str()
                        }
                        None => parent,
                    };
                    self.check_selection_set(target, &i.selection_set, vars, diags, visiting);
                }
                q::Selection::FragmentSpread(s) => {
                    self.check_directives(&s.directives, "FRAGMENT_SPREAD", vars, diags);
                    let loc = self.loc(s.position);
                    let Some(frag) = self.fragments.get(s.fragment_name.as_str()) else {
                        let help = did_you_mean(&s.fragment_name, self.fragments.keys().copied())
                            .unwrap_or_else(|| "define it in the same document".into());
                        diags.push(
                            Diagnostic::error(
                                loc,
                                format!("unknown fragment `{}`", s.fragment_name),
                            )
                            .with_help(help),
                        );
                        continue;
                    };
                    let q::TypeCondition::On(cond) = &frag.type_condition;
                    if self.schema.get(cond).is_none() {
                        continue; // reported by check_fragments
                    }
                    if !self.spread_possible(cond, parent) {
                        diags.push(Diagnostic::error(
                            loc,
                            format!(
                                "fragment `{}` on `{cond}` can never apply inside `{parent}`",
                                s.fragment_name
                            ),
                        ));
                        continue;
                    }
                    if visiting.contains(&s.fragment_name.as_str()) {
                        continue; // a cycle, reported by check_fragments
                    }
                    visiting.push(s.fragment_name.as_str());
                    self.check_selection_set(cond, &frag.selection_set, vars, diags, visiting);
                    visiting.pop();
                }
            }
        }
    }

    fn spread_possible(&self, cond: &str, parent: &str) -> bool {
        let a = self.schema.possible_types(cond);
        let b = self.schema.possible_types(parent);
        a.iter().any(|t| b.contains(t))
    }
}
