//! SDL text to [`Schema`]: parse with graphql-parser, convert, merge `extend`s, then check.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use graphql_parser::schema as ast;

use super::{
    BUILTIN_SCALARS, Deprecation, DirectiveDef, EnumValue, Field, InputValue, Schema, TypeDef,
    TypeKind, TypeRef, Value,
};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, file_id, from_parse_error};

/// Documents nested deeper than this (brackets and braces) are refused before parsing, so that a
/// hostile input cannot overflow the parser's stack.
pub const MAX_NESTING: usize = 128;

pub(super) fn build(source: &str, path: &Path) -> Result<Schema, Diagnostics> {
    let file = file_id(path);
    let mut diags = Diagnostics::new();
    if let Some(d) = check_nesting(source, &file) {
        diags.push(d);
        return Err(diags);
    }
    let prepared = super::preparse::prepare(source);
    let doc = match ast::parse_schema::<String>(&prepared.text) {
        Ok(doc) => doc,
        Err(e) => {
            diags.push(from_parse_error(&file, &e.to_string()));
            return Err(diags);
        }
    };

    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "schema".to_string());
    let mut b = Builder {
        file: Arc::clone(&file),
        types: Vec::new(),
        index: HashMap::new(),
        diags,
    };
    for scalar in BUILTIN_SCALARS {
        b.insert(TypeDef {
            name: scalar.to_string(),
            description: None,
            location: Location::new(&file, 0, 0),
            kind: TypeKind::Scalar {
                builtin: true,
                specified_by: None,
            },
        });
    }

    let mut schema_def: Option<(Location, ast::SchemaDefinition<'_, String>)> = None;
    let mut schema_extensions: Vec<(Location, ast::SchemaDefinition<'_, String>)> = Vec::new();
    let mut extensions = Vec::new();
    let mut directive_names: Vec<String> = Vec::new();
    let mut directives: Vec<DirectiveDef> = Vec::new();
    for def in doc.definitions {
        match def {
            ast::Definition::SchemaDefinition(s) => {
                let loc = b.loc(s.position);
                if s.directives
                    .iter()
                    .any(|d| d.name == super::preparse::EXTENSION_MARK)
                {
                    schema_extensions.push((loc, s));
                } else if let Some((first, _)) = &schema_def {
                    b.diags.push(
                        Diagnostic::error(loc, "the schema is defined more than once")
                            .with_help(format!("the first `schema` definition is at {first}")),
                    );
                } else {
                    schema_def = Some((loc, s));
                }
            }
            ast::Definition::TypeDefinition(t) => {
                let def = b.convert_type(t);
                b.define(def);
            }
            ast::Definition::TypeExtension(e) => extensions.push(e),
            ast::Definition::DirectiveDefinition(d) => {
                directive_names.push(d.name.clone());
                directives.push(DirectiveDef {
                    location: b.loc(d.position),
                    args: b.input_values(&format!("directive `@{}`", d.name), d.arguments),
                    repeatable: d.repeatable,
                    locations: d.locations.iter().map(|l| l.as_str().to_string()).collect(),
                    name: d.name,
                });
            }
        }
    }
    for ext in extensions {
        b.extend(ext);
    }

    let mut roots: [Option<String>; 3] = match schema_def {
        Some((loc, s)) => {
            let mut roots = [s.query, s.mutation, s.subscription];
            for (root, what) in roots.iter_mut().zip(ROOT_KINDS) {
                if let Some(name) = root.as_deref()
                    && !b.index.contains_key(name)
                {
                    b.diags.push(Diagnostic::error(
                        loc.clone(),
                        format!("the {what} root type `{name}` is not defined"),
                    ));
                    *root = None;
                }
            }
            roots
        }
        None => {
            let default = |n: &str| b.index.contains_key(n).then(|| n.to_string());
            [
                default("Query"),
                default("Mutation"),
                default("Subscription"),
            ]
        }
    };
    // `extend schema` adds root types; naming one that is already set is an error.
    for (loc, ext) in schema_extensions {
        for ((root, new), what) in roots
            .iter_mut()
            .zip([ext.query, ext.mutation, ext.subscription])
            .zip(ROOT_KINDS)
        {
            let Some(new) = new else { continue };
            if !b.index.contains_key(&new) {
                b.diags.push(Diagnostic::error(
                    loc.clone(),
                    format!("the {what} root type `{new}` is not defined"),
                ));
            } else if let Some(old) = root.as_deref() {
                b.diags.push(Diagnostic::error(
                    loc.clone(),
                    format!("`extend schema` sets the {what} root type, which is already `{old}`"),
                ));
            } else {
                *root = Some(new);
            }
        }
    }
    let [query_type, mutation_type, subscription_type] = roots;
    let description = prepared.description.as_deref().and_then(string_value);

    let mut schema = Schema {
        name,
        file,
        types: b.types,
        index: b.index,
        description,
        directives,
        query_type,
        mutation_type,
        subscription_type,
        warnings: Diagnostics::new(),
    };
    let mut diags = b.diags;
    super::check::check(&schema, &directive_names, &mut diags);
    if diags.has_errors() {
        Err(diags)
    } else {
        schema.warnings = diags;
        Ok(schema)
    }
}

const ROOT_KINDS: [&str; 3] = ["query", "mutation", "subscription"];

/// The value of a GraphQL string or block string token, as graphql-parser reads it (escapes,
/// block string indentation), by parsing it as the description of a scalar.
fn string_value(raw: &str) -> Option<String> {
    let text = format!("{raw}\nscalar S");
    let doc = ast::parse_schema::<String>(&text).ok()?;
    doc.definitions.into_iter().find_map(|d| match d {
        ast::Definition::TypeDefinition(ast::TypeDefinition::Scalar(s)) => s.description,
        _ => None,
    })
}

/// Refuses absurd nesting before the recursive-descent parser sees it.
pub(crate) fn check_nesting(source: &str, file: &Arc<Path>) -> Option<Diagnostic> {
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let mut in_string = false;
    let mut prev = '\0';
    for c in source.chars() {
        column += 1;
        match c {
            '\n' => {
                line += 1;
                column = 0;
            }
            '"' if prev != '\\' => in_string = !in_string,
            '{' | '[' | '(' if !in_string => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(
                        Diagnostic::error(
                            Location::new(file, line, column),
                            format!("the document is nested more than {MAX_NESTING} levels deep"),
                        )
                        .with_help("no real schema or operation needs this; split it up"),
                    );
                }
            }
            '}' | ']' | ')' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = c;
    }
    None
}

struct Builder {
    file: Arc<Path>,
    types: Vec<TypeDef>,
    index: HashMap<String, usize>,
    diags: Diagnostics,
}

impl Builder {
    fn loc(&self, pos: graphql_parser::Pos) -> Location {
        Location::new(&self.file, pos.line, pos.column)
    }

    fn insert(&mut self, def: TypeDef) {
        self.index.insert(def.name.clone(), self.types.len());
        self.types.push(def);
    }

    /// Adds a definition; a second definition of the same name is a warning when identical (as
    /// published schemas sometimes have) and an error otherwise.
    fn define(&mut self, def: TypeDef) {
        match self.index.get(&def.name).copied() {
            None => self.insert(def),
            Some(i) => {
                let first = &self.types[i];
                if let TypeKind::Scalar { builtin: true, .. } = first.kind {
                    if matches!(def.kind, TypeKind::Scalar { .. }) {
                        self.diags.push(Diagnostic::warning(
                            def.location,
                            format!(
                                "`{}` is a built-in scalar; this definition is ignored",
                                def.name
                            ),
                        ));
                    } else {
                        self.diags.push(Diagnostic::error(
                            def.location,
                            format!(
                                "`{}` is a built-in scalar and cannot be redefined",
                                def.name
                            ),
                        ));
                    }
                } else if same_shape(first, &def) {
                    let at = first.location.clone();
                    self.diags.push(
                        Diagnostic::warning(
                            def.location,
                            format!("type `{}` is defined twice identically; the second definition is ignored", def.name),
                        )
                        .with_help(format!("the first definition is at {at}")),
                    );
                } else {
                    let at = first.location.clone();
                    self.diags.push(
                        Diagnostic::error(
                            def.location,
                            format!("duplicate definition of type `{}`", def.name),
                        )
                        .with_help(format!(
                            "the first definition is at {at}; rename one or merge them with `extend type`"
                        )),
                    );
                }
            }
        }
    }

    fn convert_type(&mut self, t: ast::TypeDefinition<'_, String>) -> TypeDef {
        match t {
            ast::TypeDefinition::Scalar(s) => {
                let specified_by = specified_by_url(&s.directives);
                TypeDef {
                    name: s.name,
                    description: s.description,
                    location: self.loc(s.position),
                    kind: TypeKind::Scalar {
                        builtin: false,
                        specified_by,
                    },
                }
            }
            ast::TypeDefinition::Object(o) => TypeDef {
                location: self.loc(o.position),
                kind: TypeKind::Object {
                    fields: self.fields(&o.name, o.fields),
                    interfaces: o.implements_interfaces,
                },
                name: o.name,
                description: o.description,
            },
            ast::TypeDefinition::Interface(i) => TypeDef {
                location: self.loc(i.position),
                kind: TypeKind::Interface {
                    fields: self.fields(&i.name, i.fields),
                    interfaces: i.implements_interfaces,
                },
                name: i.name,
                description: i.description,
            },
            ast::TypeDefinition::Union(u) => TypeDef {
                location: self.loc(u.position),
                kind: TypeKind::Union { members: u.types },
                name: u.name,
                description: u.description,
            },
            ast::TypeDefinition::Enum(e) => TypeDef {
                location: self.loc(e.position),
                kind: TypeKind::Enum {
                    values: self.enum_values(&e.name, e.values),
                },
                name: e.name,
                description: e.description,
            },
            ast::TypeDefinition::InputObject(i) => TypeDef {
                location: self.loc(i.position),
                kind: TypeKind::InputObject {
                    fields: self.input_values(&format!("input `{}`", i.name), i.fields),
                    one_of: i.directives.iter().any(|d| d.name == "oneOf"),
                },
                name: i.name,
                description: i.description,
            },
        }
    }

    fn fields(&mut self, owner: &str, fields: Vec<ast::Field<'_, String>>) -> Vec<Field> {
        let mut out: Vec<Field> = Vec::with_capacity(fields.len());
        for f in fields {
            let field = Field {
                location: self.loc(f.position),
                deprecation: deprecation(&f.directives),
                args: self.input_values(&format!("field `{owner}.{}`", f.name), f.arguments),
                ty: type_ref(&f.field_type),
                description: f.description,
                name: f.name,
            };
            self.push_unique(
                &mut out,
                field,
                |f| &f.name,
                |a, b| {
                    a.ty == b.ty
                        && a.args.len() == b.args.len()
                        && a.args
                            .iter()
                            .zip(&b.args)
                            .all(|(x, y)| x.name == y.name && x.ty == y.ty)
                },
                |n| format!("field `{owner}.{n}`"),
            );
        }
        out
    }

    fn input_values(
        &mut self,
        owner: &str,
        values: Vec<ast::InputValue<'_, String>>,
    ) -> Vec<InputValue> {
        let mut out: Vec<InputValue> = Vec::with_capacity(values.len());
        for v in values {
            let value = InputValue {
                location: self.loc(v.position),
                deprecation: deprecation(&v.directives),
                ty: type_ref(&v.value_type),
                default: v.default_value.as_ref().map(value),
                description: v.description,
                name: v.name,
            };
            self.push_unique(
                &mut out,
                value,
                |v| &v.name,
                |a, b| a.ty == b.ty && a.default == b.default,
                |n| format!("`{n}` of {owner}"),
            );
        }
        out
    }

    fn enum_values(
        &mut self,
        owner: &str,
        values: Vec<ast::EnumValue<'_, String>>,
    ) -> Vec<EnumValue> {
        let mut out: Vec<EnumValue> = Vec::with_capacity(values.len());
        for v in values {
            let value = EnumValue {
                location: self.loc(v.position),
                deprecation: deprecation(&v.directives),
                description: v.description,
                name: v.name,
            };
            self.push_unique(
                &mut out,
                value,
                |v| &v.name,
                |_, _| true,
                |n| format!("enum value `{owner}.{n}`"),
            );
        }
        out
    }

    /// Appends `item` unless a member of that name exists: an identical duplicate is a warning
    /// (kept once), a conflicting one an error.
    fn push_unique<T>(
        &mut self,
        out: &mut Vec<T>,
        item: T,
        name: impl Fn(&T) -> &String,
        same: impl Fn(&T, &T) -> bool,
        describe: impl Fn(&str) -> String,
    ) where
        T: HasLocation,
    {
        if let Some(first) = out.iter().find(|x| name(x) == name(&item)) {
            let what = describe(name(&item));
            if same(first, &item) {
                self.diags.push(
                    Diagnostic::warning(
                        item.location().clone(),
                        format!(
                            "{what} is defined twice identically; the second definition is ignored"
                        ),
                    )
                    .with_help(format!("the first definition is at {}", first.location())),
                );
            } else {
                self.diags.push(
                    Diagnostic::error(
                        item.location().clone(),
                        format!("{what} is defined twice differently"),
                    )
                    .with_help(format!("the first definition is at {}", first.location())),
                );
            }
        } else {
            out.push(item);
        }
    }

    fn extend(&mut self, ext: ast::TypeExtension<'_, String>) {
        let (name, pos, kind_word) = match &ext {
            ast::TypeExtension::Scalar(e) => (e.name.clone(), e.position, "scalar"),
            ast::TypeExtension::Object(e) => (e.name.clone(), e.position, "type"),
            ast::TypeExtension::Interface(e) => (e.name.clone(), e.position, "interface"),
            ast::TypeExtension::Union(e) => (e.name.clone(), e.position, "union"),
            ast::TypeExtension::Enum(e) => (e.name.clone(), e.position, "enum"),
            ast::TypeExtension::InputObject(e) => (e.name.clone(), e.position, "input"),
        };
        let loc = self.loc(pos);
        let Some(&i) = self.index.get(&name) else {
            let help =
                crate::diagnostics::did_you_mean(&name, self.index.keys().map(String::as_str))
                    .unwrap_or_else(|| format!("define `{kind_word} {name}` before extending it"));
            self.diags.push(
                Diagnostic::error(
                    loc,
                    format!("`extend {kind_word} {name}` extends a type that is not defined"),
                )
                .with_help(help),
            );
            return;
        };
        // Convert the new members first (they need `&mut self`), then merge them.
        match ext {
            ast::TypeExtension::Scalar(e) => match &mut self.types[i].kind {
                // The extension may give the specification, and a built-in scalar is not
                // extended (the check reports it).
                TypeKind::Scalar {
                    builtin: false,
                    specified_by,
                } => {
                    if let Some(url) = specified_by_url(&e.directives) {
                        *specified_by = Some(url);
                    }
                }
                TypeKind::Scalar { builtin: true, .. } => {}
                _ => self.wrong_extension(loc, &name, kind_word, i),
            },
            ast::TypeExtension::Object(e) => {
                let new_fields = self.fields(&name, e.fields);
                self.merge_fields(
                    i,
                    loc,
                    &name,
                    kind_word,
                    new_fields,
                    e.implements_interfaces,
                    true,
                );
            }
            ast::TypeExtension::Interface(e) => {
                let new_fields = self.fields(&name, e.fields);
                self.merge_fields(
                    i,
                    loc,
                    &name,
                    kind_word,
                    new_fields,
                    e.implements_interfaces,
                    false,
                );
            }
            ast::TypeExtension::Union(e) => match &mut self.types[i].kind {
                TypeKind::Union { members } => {
                    for t in e.types {
                        if !members.contains(&t) {
                            members.push(t);
                        }
                    }
                }
                _ => self.wrong_extension(loc, &name, kind_word, i),
            },
            ast::TypeExtension::Enum(e) => {
                let new_values = self.enum_values(&name, e.values);
                let mut dups = Vec::new();
                match &mut self.types[i].kind {
                    TypeKind::Enum { values } => {
                        for v in new_values {
                            if values.iter().any(|x| x.name == v.name) {
                                dups.push(v);
                            } else {
                                values.push(v);
                            }
                        }
                    }
                    _ => return self.wrong_extension(loc, &name, kind_word, i),
                }
                for v in dups {
                    self.diags.push(Diagnostic::warning(v.location, format!("enum value `{name}.{}` is already defined; the extension's copy is ignored", v.name)));
                }
            }
            ast::TypeExtension::InputObject(e) => {
                let new_fields = self.input_values(&format!("input `{name}`"), e.fields);
                let mut dups = Vec::new();
                match &mut self.types[i].kind {
                    TypeKind::InputObject { fields, one_of } => {
                        *one_of |= e.directives.iter().any(|d| d.name == "oneOf");
                        for f in new_fields {
                            match fields.iter().find(|x| x.name == f.name) {
                                Some(x) => {
                                    dups.push((f.location.clone(), f.name.clone(), x.ty == f.ty))
                                }
                                None => fields.push(f),
                            }
                        }
                    }
                    _ => return self.wrong_extension(loc, &name, kind_word, i),
                }
                for (at, field, same) in dups {
                    self.dup_member(at, &name, &field, same);
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)] // one call site per extension kind; a struct would only rename them
    fn merge_fields(
        &mut self,
        i: usize,
        loc: Location,
        name: &str,
        kind_word: &str,
        new_fields: Vec<Field>,
        new_interfaces: Vec<String>,
        object: bool,
    ) {
        let mut dups = Vec::new();
        match (&mut self.types[i].kind, object) {
            (TypeKind::Object { fields, interfaces }, true)
            | (TypeKind::Interface { fields, interfaces }, false) => {
                for f in new_fields {
                    match fields.iter().find(|x| x.name == f.name) {
                        Some(x) => dups.push((f.location.clone(), f.name.clone(), x.ty == f.ty)),
                        None => fields.push(f),
                    }
                }
                for iface in new_interfaces {
                    if !interfaces.contains(&iface) {
                        interfaces.push(iface);
                    }
                }
            }
            _ => return self.wrong_extension(loc, name, kind_word, i),
        }
        for (at, field, same) in dups {
            self.dup_member(at, name, &field, same);
        }
    }

    fn dup_member(&mut self, at: Location, owner: &str, field: &str, same: bool) {
        if same {
            self.diags.push(Diagnostic::warning(
                at,
                format!("field `{owner}.{field}` is defined twice identically; the second definition is ignored"),
            ));
        } else {
            self.diags.push(Diagnostic::error(
                at,
                format!("field `{owner}.{field}` is defined twice with different types"),
            ));
        }
    }

    fn wrong_extension(&mut self, loc: Location, name: &str, kind_word: &str, i: usize) {
        let actual = self.types[i].kind.with_article();
        let at = self.types[i].location.clone();
        self.diags.push(
            Diagnostic::error(
                loc,
                format!("`extend {kind_word} {name}` extends a type that is {actual}"),
            )
            .with_help(format!("`{name}` is defined at {at}")),
        );
    }
}

trait HasLocation {
    fn location(&self) -> &Location;
}
impl HasLocation for Field {
    fn location(&self) -> &Location {
        &self.location
    }
}
impl HasLocation for InputValue {
    fn location(&self) -> &Location {
        &self.location
    }
}
impl HasLocation for EnumValue {
    fn location(&self) -> &Location {
        &self.location
    }
}

fn same_shape(a: &TypeDef, b: &TypeDef) -> bool {
    fn strip(kind: &TypeKind) -> String {
        // Compare structure, not positions or descriptions.
        match kind {
            TypeKind::Scalar { .. } => "scalar".into(),
            TypeKind::Object { fields, interfaces }
            | TypeKind::Interface { fields, interfaces } => {
                let f: Vec<String> = fields
                    .iter()
                    .map(|f| {
                        let args: Vec<String> = f
                            .args
                            .iter()
                            .map(|a| format!("{}:{}", a.name, a.ty))
                            .collect();
                        format!("{}({}):{}", f.name, args.join(","), f.ty)
                    })
                    .collect();
                format!(
                    "{}|{}|{}",
                    kind.describe(),
                    f.join(";"),
                    interfaces.join(",")
                )
            }
            TypeKind::Union { members } => format!("union|{}", members.join(",")),
            TypeKind::Enum { values } => {
                let v: Vec<&str> = values.iter().map(|v| v.name.as_str()).collect();
                format!("enum|{}", v.join(","))
            }
            TypeKind::InputObject { fields, .. } => {
                let f: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}:{}", f.name, f.ty))
                    .collect();
                format!("input|{}", f.join(","))
            }
        }
    }
    strip(&a.kind) == strip(&b.kind)
}

pub(crate) fn type_ref(t: &ast::Type<'_, String>) -> TypeRef {
    match t {
        ast::Type::NamedType(n) => TypeRef::Named(n.clone()),
        ast::Type::ListType(inner) => TypeRef::List(Box::new(type_ref(inner))),
        ast::Type::NonNullType(inner) => TypeRef::NonNull(Box::new(type_ref(inner))),
    }
}

pub(crate) fn value(v: &ast::Value<'_, String>) -> Value {
    match v {
        ast::Value::Variable(n) => Value::Variable(n.clone()),
        // graphql-parser keeps integers as i64; one that does not fit was already refused.
        ast::Value::Int(n) => Value::Int(n.as_i64().unwrap_or_default()),
        ast::Value::Float(f) => Value::Float(*f),
        ast::Value::String(s) => Value::String(s.clone()),
        ast::Value::Boolean(b) => Value::Boolean(*b),
        ast::Value::Null => Value::Null,
        ast::Value::Enum(e) => Value::Enum(e.clone()),
        ast::Value::List(items) => Value::List(items.iter().map(value).collect()),
        ast::Value::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| (k.clone(), value(v))).collect())
        }
    }
}

fn specified_by_url(directives: &[ast::Directive<'_, String>]) -> Option<String> {
    directives
        .iter()
        .find(|d| d.name == "specifiedBy")
        .and_then(|d| d.arguments.iter().find(|(n, _)| n == "url"))
        .and_then(|(_, v)| match v {
            ast::Value::String(s) => Some(s.clone()),
            _ => None,
        })
}

fn deprecation(directives: &[ast::Directive<'_, String>]) -> Option<Deprecation> {
    directives
        .iter()
        .find(|d| d.name == "deprecated")
        .map(|d| Deprecation {
            reason: d
                .arguments
                .iter()
                .find(|(n, _)| n == "reason")
                .and_then(|(_, v)| match v {
                    ast::Value::String(s) => Some(s.clone()),
                    _ => None,
                }),
        })
}
