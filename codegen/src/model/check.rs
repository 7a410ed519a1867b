//! Semantic checks of a schema: every rule that would otherwise surface as generated code that
//! does not compile, or as a schema the server engine refuses.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{Field, InputValue, Schema, TypeDef, TypeKind, TypeRef, Value};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, did_you_mean};

const KNOWN_DIRECTIVES: [&str; 5] = ["deprecated", "specifiedBy", "oneOf", "skip", "include"];

pub(super) fn check(schema: &Schema, _directives: &[String], diags: &mut Diagnostics) {
    let c = Checker {
        schema,
        diags,
        suggestions: HashMap::new(),
    };
    c.run();
}

struct Checker<'a> {
    schema: &'a Schema,
    diags: &'a mut Diagnostics,
    /// The help of each unknown type name, computed once however often it is used.
    suggestions: HashMap<String, String>,
}

impl Checker<'_> {
    fn run(mut self) {
        let schema = self.schema;
        match &schema.query_type {
            None => self.diags.push(
                Diagnostic::error(
                    Location::new(&schema.file, 1, 1),
                    "the schema has no query root type",
                )
                .with_help("GraphQL requires a query root, even in a schema of mutations only: define `type Query { … }` or name one in `schema { query: … }`"),
            ),
            Some(q) => self.root_is_object(q, "query"),
        }
        if let Some(m) = &schema.mutation_type {
            self.root_is_object(m, "mutation");
        }
        if let Some(s) = &schema.subscription_type {
            self.root_is_object(s, "subscription");
        }

        for t in schema.types() {
            if t.name.starts_with("__") {
                self.diags.push(Diagnostic::error(
                    t.location.clone(),
                    format!("the name `{}` is reserved: names starting with `__` belong to introspection", t.name),
                ));
            }
            match &t.kind {
                TypeKind::Scalar { .. } => {}
                TypeKind::Object { fields, interfaces }
                | TypeKind::Interface { fields, interfaces } => {
                    if fields.is_empty() {
                        self.diags.push(Diagnostic::error(
                            t.location.clone(),
                            format!("{} `{}` has no fields", t.kind.describe(), t.name),
                        ));
                    }
                    for f in fields {
                        self.field(t, f);
                    }
                    self.interfaces(t, fields, interfaces);
                }
                TypeKind::Union { members } => {
                    if members.is_empty() {
                        self.diags.push(Diagnostic::error(
                            t.location.clone(),
                            format!("union `{}` has no members", t.name),
                        ));
                    }
                    let mut seen = HashSet::new();
                    for m in members {
                        if !seen.insert(m) {
                            self.diags.push(Diagnostic::warning(
                                t.location.clone(),
                                format!("union `{}` lists `{m}` twice", t.name),
                            ));
                        }
                        match schema.get(m).map(|d| &d.kind) {
                            None => self.unknown_type(&t.location, m, &format!("member of union `{}`", t.name)),
                            Some(TypeKind::Object { .. }) => {}
                            Some(other) => self.diags.push(Diagnostic::error(
                                t.location.clone(),
                                format!("union `{}` lists `{m}`, which is {}; union members must be object types", t.name, other.with_article()),
                            )),
                        }
                    }
                }
                TypeKind::Enum { values } => {
                    if values.is_empty() {
                        self.diags.push(Diagnostic::error(
                            t.location.clone(),
                            format!("enum `{}` has no values", t.name),
                        ));
                    }
                    for v in values {
                        if matches!(v.name.as_str(), "true" | "false" | "null") {
                            self.diags.push(Diagnostic::error(v.location.clone(), format!("enum value `{}` is not allowed: true, false and null are reserved", v.name)));
                        }
                    }
                }
                TypeKind::InputObject { fields, one_of } => {
                    if fields.is_empty() {
                        self.diags.push(Diagnostic::error(
                            t.location.clone(),
                            format!("input object `{}` has no fields", t.name),
                        ));
                    }
                    for f in fields {
                        self.input_value(f, &format!("input field `{}.{}`", t.name, f.name));
                        // A `@oneOf` value sets one field: none can be required or defaulted.
                        if *one_of && (f.ty.is_non_null() || f.default.is_some()) {
                            self.diags.push(Diagnostic::error(
                                f.location.clone(),
                                format!("field `{}.{}` of a `@oneOf` input must be nullable and have no default value", t.name, f.name),
                            ));
                        }
                    }
                }
            }
        }
        self.input_cycles();
        let _ = KNOWN_DIRECTIVES;
    }

    fn root_is_object(&mut self, name: &str, what: &str) {
        if let Some(t) = self.schema.get(name)
            && !matches!(t.kind, TypeKind::Object { .. })
        {
            self.diags.push(Diagnostic::error(
                t.location.clone(),
                format!(
                    "the {what} root type `{name}` is {}, not an object type",
                    t.kind.with_article()
                ),
            ));
        }
    }

    fn unknown_type(&mut self, at: &Location, name: &str, role: &str) {
        let schema = self.schema;
        let help = self
            .suggestions
            .entry(name.to_string())
            .or_insert_with(|| {
                did_you_mean(name, schema.all_types().map(|t| t.name.as_str()))
                    .unwrap_or_else(|| format!("define `{name}` or fix the reference"))
            })
            .clone();
        self.diags.push(
            Diagnostic::error(at.clone(), format!("unknown type `{name}` ({role})"))
                .with_help(help),
        );
    }

    fn field(&mut self, owner: &TypeDef, f: &Field) {
        if f.name.starts_with("__") {
            self.diags.push(Diagnostic::error(
                f.location.clone(),
                format!("field name `{}` is reserved for introspection", f.name),
            ));
        }
        let target = f.ty.named();
        match self.schema.get(target) {
            None => self.unknown_type(&f.location, target, &format!("type of field `{}.{}`", owner.name, f.name)),
            Some(t) if !self.schema.is_output_type(target) => self.diags.push(
                Diagnostic::error(
                    f.location.clone(),
                    format!("field `{}.{}` returns `{target}`, which is {}", owner.name, f.name, t.kind.with_article()),
                )
                .with_help("fields return scalars, enums, objects, interfaces or unions; input objects are only for arguments"),
            ),
            Some(_) => {}
        }
        for a in &f.args {
            self.input_value(
                a,
                &format!("argument `{}` of `{}.{}`", a.name, owner.name, f.name),
            );
        }
    }

    fn input_value(&mut self, v: &InputValue, role: &str) {
        let target = v.ty.named();
        match self.schema.get(target) {
            None => return self.unknown_type(&v.location, target, role),
            Some(t) if !self.schema.is_input_type(target) => {
                self.diags.push(
                    Diagnostic::error(
                        v.location.clone(),
                        format!(
                            "{role} has type `{target}`, which is {}",
                            t.kind.with_article()
                        ),
                    )
                    .with_help("arguments and input fields take scalars, enums or input objects"),
                );
                return;
            }
            Some(_) => {}
        }
        if let Some(default) = &v.default
            && let Err(msg) = check_const_value(self.schema, default, &v.ty)
        {
            self.diags.push(Diagnostic::error(
                v.location.clone(),
                format!("the default value of {role} is invalid: {msg}"),
            ));
        }
        if v.deprecation.is_some() && v.ty.is_non_null() && v.default.is_none() {
            self.diags.push(Diagnostic::error(
                v.location.clone(),
                format!("{role} is required and cannot be deprecated"),
            ));
        }
    }

    fn interfaces(&mut self, t: &TypeDef, fields: &[Field], interfaces: &[String]) {
        let schema = self.schema;
        for iname in interfaces {
            let Some(iface) = schema.get(iname) else {
                self.unknown_type(
                    &t.location,
                    iname,
                    &format!("interface implemented by `{}`", t.name),
                );
                continue;
            };
            let TypeKind::Interface {
                fields: ifields,
                interfaces: inherited,
            } = &iface.kind
            else {
                self.diags.push(Diagnostic::error(
                    t.location.clone(),
                    format!(
                        "`{}` implements `{iname}`, which is {}, not an interface",
                        t.name,
                        iface.kind.with_article()
                    ),
                ));
                continue;
            };
            if iname == &t.name {
                self.diags.push(Diagnostic::error(
                    t.location.clone(),
                    format!("interface `{iname}` cannot implement itself"),
                ));
                continue;
            }
            for inh in inherited {
                if !interfaces.contains(inh) {
                    self.diags.push(
                        Diagnostic::error(
                            t.location.clone(),
                            format!("`{}` implements `{iname}`, which implements `{inh}`, but `{}` does not list `{inh}`", t.name, t.name),
                        )
                        .with_help(format!("add `& {inh}` to the implements list")),
                    );
                }
            }
            for ifield in ifields {
                let Some(f) = fields.iter().find(|f| f.name == ifield.name) else {
                    self.diags.push(
                        Diagnostic::error(
                            t.location.clone(),
                            format!("`{}` does not implement field `{iname}.{}` of its interface `{iname}`", t.name, ifield.name),
                        )
                        .with_help(format!("add `{}: {}` to `{}`", ifield.name, ifield.ty, t.name)),
                    );
                    continue;
                };
                if !is_subtype(schema, &f.ty, &ifield.ty) {
                    self.diags.push(Diagnostic::error(
                        f.location.clone(),
                        format!("field `{}.{}` has type `{}`, which is not compatible with `{}` required by interface `{iname}`", t.name, f.name, f.ty, ifield.ty),
                    ));
                }
                for iarg in &ifield.args {
                    match f.args.iter().find(|a| a.name == iarg.name) {
                        None => self.diags.push(Diagnostic::error(
                            f.location.clone(),
                            format!("field `{}.{}` lacks argument `{}` required by interface `{iname}`", t.name, f.name, iarg.name),
                        )),
                        Some(a) if a.ty != iarg.ty => self.diags.push(Diagnostic::error(
                            a.location.clone(),
                            format!("argument `{}` of `{}.{}` has type `{}`, but interface `{iname}` declares `{}`", a.name, t.name, f.name, a.ty, iarg.ty),
                        )),
                        Some(_) => {}
                    }
                }
                for a in &f.args {
                    if a.ty.is_non_null()
                        && a.default.is_none()
                        && !ifield.args.iter().any(|x| x.name == a.name)
                    {
                        self.diags.push(Diagnostic::error(
                            a.location.clone(),
                            format!("argument `{}` of `{}.{}` is required but not declared by interface `{iname}`", a.name, t.name, f.name),
                        ));
                    }
                }
            }
        }
    }

    /// An input object that contains itself through non-null, non-list fields can never be
    /// written down as a value, nor represented as a finite Rust struct.
    fn input_cycles(&mut self) {
        let schema = self.schema;
        let mut edges: BTreeMap<&str, Vec<(&str, &InputValue)>> = BTreeMap::new();
        for t in schema.types() {
            if let TypeKind::InputObject { fields, .. } = &t.kind {
                let mut out = Vec::new();
                for f in fields {
                    if let TypeRef::NonNull(inner) = &f.ty
                        && let TypeRef::Named(n) = inner.as_ref()
                        && matches!(
                            schema.get(n).map(|d| &d.kind),
                            Some(TypeKind::InputObject { .. })
                        )
                    {
                        out.push((n.as_str(), f));
                    }
                }
                edges.insert(t.name.as_str(), out);
            }
        }
        let mut reported = HashSet::new();
        for start in edges.keys().copied() {
            let mut path: Vec<(&str, &InputValue)> = Vec::new();
            let mut visiting = HashSet::new();
            self.cycle_from(
                start,
                start,
                &edges,
                &mut path,
                &mut visiting,
                &mut reported,
            );
        }
    }

    fn cycle_from<'s>(
        &mut self,
        start: &'s str,
        at: &'s str,
        edges: &BTreeMap<&'s str, Vec<(&'s str, &'s InputValue)>>,
        path: &mut Vec<(&'s str, &'s InputValue)>,
        visiting: &mut HashSet<&'s str>,
        reported: &mut HashSet<Vec<String>>,
    ) {
        if !visiting.insert(at) {
            return;
        }
        for (next, field) in edges.get(at).map(Vec::as_slice).unwrap_or_default() {
            path.push((at, field));
            if *next == start {
                let mut members: Vec<String> = path.iter().map(|(t, _)| t.to_string()).collect();
                members.sort();
                if reported.insert(members) {
                    let chain: Vec<String> = path
                        .iter()
                        .map(|(t, f)| format!("{t}.{}", f.name))
                        .collect();
                    self.diags.push(
                        Diagnostic::error(
                            field.location.clone(),
                            format!("input cycle that cannot be represented: {} leads back to `{start}` through non-null fields", chain.join(" → ")),
                        )
                        .with_help("make one of these fields nullable or a list"),
                    );
                }
            } else {
                self.cycle_from(start, next, edges, path, visiting, reported);
            }
            path.pop();
        }
    }
}

/// Output type covariance, as the spec defines it for interface fields.
fn is_subtype(schema: &Schema, sub: &TypeRef, sup: &TypeRef) -> bool {
    match (sub, sup) {
        (TypeRef::NonNull(a), TypeRef::NonNull(b)) => is_subtype(schema, a, b),
        (TypeRef::NonNull(a), b) => is_subtype(schema, a, b),
        (_, TypeRef::NonNull(_)) => false,
        (TypeRef::List(a), TypeRef::List(b)) => is_subtype(schema, a, b),
        (TypeRef::Named(a), TypeRef::Named(b)) => {
            a == b || schema.possible_types(b).contains(&a.as_str())
        }
        _ => false,
    }
}

/// Checks a constant value (a default) against a type. Returns a message when it does not fit.
pub(crate) fn check_const_value(
    schema: &Schema,
    value: &Value,
    ty: &TypeRef,
) -> Result<(), String> {
    check_value(schema, value, ty, &|v, _| {
        Err(format!("`${v}`: a default value cannot use a variable"))
    })
}

/// Checks a value against a type; `variable` decides whether a `$variable` may be used where a
/// value of the given type is expected.
pub(crate) fn check_value(
    schema: &Schema,
    value: &Value,
    ty: &TypeRef,
    variable: &dyn Fn(&str, &TypeRef) -> Result<(), String>,
) -> Result<(), String> {
    match (ty, value) {
        (_, Value::Variable(v)) => variable(v, ty),
        (TypeRef::NonNull(_), Value::Null) => Err(format!("null is not allowed for `{ty}`")),
        (TypeRef::NonNull(inner), v) => check_value(schema, v, inner, variable),
        (_, Value::Null) => Ok(()),
        (TypeRef::List(inner), Value::List(items)) => items
            .iter()
            .try_for_each(|i| check_value(schema, i, inner, variable)),
        (TypeRef::List(inner), v) => check_value(schema, v, inner, variable),
        (TypeRef::Named(name), v) => match schema.get(name).map(|t| &t.kind) {
            Some(TypeKind::Scalar { builtin: true, .. }) => {
                let ok = match (name.as_str(), v) {
                    ("Int", Value::Int(i)) => i32::try_from(*i).is_ok(),
                    ("Float", Value::Int(_) | Value::Float(_)) => true,
                    ("String", Value::String(_)) => true,
                    ("Boolean", Value::Boolean(_)) => true,
                    ("ID", Value::String(_) | Value::Int(_)) => true,
                    _ => false,
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!("`{v}` is not a valid `{name}`"))
                }
            }
            Some(TypeKind::Scalar { .. }) => Ok(()),
            Some(TypeKind::Enum { values }) => match v {
                Value::Enum(e) if values.iter().any(|x| &x.name == e) => Ok(()),
                Value::Enum(e) => Err(format!("`{e}` is not a value of enum `{name}`")),
                other => Err(format!("`{other}` is not a value of enum `{name}`")),
            },
            Some(TypeKind::InputObject { fields, one_of }) => match v {
                Value::Object(given) => {
                    for (k, val) in given {
                        match fields.iter().find(|f| &f.name == k) {
                            None => {
                                let hint = crate::diagnostics::did_you_mean(
                                    k,
                                    fields.iter().map(|f| f.name.as_str()),
                                )
                                .map(|h| format!(" ({h})"))
                                .unwrap_or_default();
                                return Err(format!("`{name}` has no field `{k}`{hint}"));
                            }
                            Some(f) => check_value(schema, val, &f.ty, variable)
                                .map_err(|e| format!("field `{k}`: {e}"))?,
                        }
                    }
                    for f in fields {
                        if f.ty.is_non_null()
                            && f.default.is_none()
                            && !given.iter().any(|(k, _)| k == &f.name)
                        {
                            return Err(format!("required field `{name}.{}` is missing", f.name));
                        }
                    }
                    if *one_of && (given.len() != 1 || given.iter().any(|(_, v)| *v == Value::Null))
                    {
                        return Err(format!(
                            "`{name}` is `@oneOf`: exactly one field must be given, not `null`"
                        ));
                    }
                    Ok(())
                }
                other => Err(format!("`{other}` is not an input object `{name}`")),
            },
            _ => Err(format!("`{name}` is not an input type")),
        },
    }
}
