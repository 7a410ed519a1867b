//! The checked schema model: what every emitter sees. No emitter reads graphql-parser's AST.
//!
//! [`Schema::parse`] turns SDL text into a resolved model (definitions and `extend`s merged, root
//! types found, every reference checked) or a list of located
//! [`Diagnostic`](crate::Diagnostic)s.

mod build;
mod check;
mod preparse;
mod print;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostics::{Diagnostics, Location};

pub use build::MAX_NESTING;
pub(crate) use build::{check_nesting, type_ref, value};
pub(crate) use check::check_value;
pub use print::Subscriptions;

/// The GraphQL built-in scalars, always present.
pub const BUILTIN_SCALARS: [&str; 5] = ["Int", "Float", "String", "Boolean", "ID"];

/// A resolved, checked GraphQL schema.
#[derive(Debug, Clone)]
pub struct Schema {
    /// The API's name, by default the schema file's stem (`shop` for `shop.graphql`).
    pub name: String,
    /// The file the schema was read from.
    pub file: Arc<Path>,
    types: Vec<TypeDef>,
    index: HashMap<String, usize>,
    /// The description of the `schema` definition.
    pub description: Option<String>,
    /// The directives the schema defines (`directive @name(…) on …`), in definition order.
    pub directives: Vec<DirectiveDef>,
    /// The query root type's name.
    pub query_type: Option<String>,
    /// The mutation root type's name.
    pub mutation_type: Option<String>,
    /// The subscription root type's name.
    pub subscription_type: Option<String>,
    /// Warnings produced while reading the schema (errors make `parse` fail).
    pub warnings: Diagnostics,
}

/// One named type of the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// The GraphQL name.
    pub name: String,
    /// The description, if any.
    pub description: Option<String>,
    /// Where the type is defined.
    pub location: Location,
    /// What kind of type it is, with its members.
    pub kind: TypeKind,
}

/// The kinds of named types.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// A scalar: built in (`Int`, `String`, …) or custom.
    Scalar {
        /// True for the five built-in scalars.
        builtin: bool,
        /// The `@specifiedBy(url:)` of a custom scalar.
        specified_by: Option<String>,
    },
    /// An object type with fields.
    Object {
        /// The fields, in definition order.
        fields: Vec<Field>,
        /// The interfaces it implements.
        interfaces: Vec<String>,
    },
    /// An interface type.
    Interface {
        /// The fields, in definition order.
        fields: Vec<Field>,
        /// The interfaces it implements.
        interfaces: Vec<String>,
    },
    /// A union of object types.
    Union {
        /// The member object types.
        members: Vec<String>,
    },
    /// An enum.
    Enum {
        /// The values, in definition order.
        values: Vec<EnumValue>,
    },
    /// An input object.
    InputObject {
        /// The input fields, in definition order.
        fields: Vec<InputValue>,
        /// `@oneOf`: a value sets exactly one field, to a value other than `null`.
        one_of: bool,
    },
}

impl TypeKind {
    /// [`TypeKind::describe`] with its article: "an object type", "a union", …
    pub fn with_article(&self) -> &'static str {
        match self {
            TypeKind::Scalar { .. } => "a scalar",
            TypeKind::Object { .. } => "an object type",
            TypeKind::Interface { .. } => "an interface",
            TypeKind::Union { .. } => "a union",
            TypeKind::Enum { .. } => "an enum",
            TypeKind::InputObject { .. } => "an input object",
        }
    }

    /// A short word for messages: "object", "enum", …
    pub fn describe(&self) -> &'static str {
        match self {
            TypeKind::Scalar { .. } => "scalar",
            TypeKind::Object { .. } => "object type",
            TypeKind::Interface { .. } => "interface",
            TypeKind::Union { .. } => "union",
            TypeKind::Enum { .. } => "enum",
            TypeKind::InputObject { .. } => "input object",
        }
    }
}

/// A field of an object or interface type.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The GraphQL name.
    pub name: String,
    /// The description, if any.
    pub description: Option<String>,
    /// The arguments, in definition order.
    pub args: Vec<InputValue>,
    /// The field's type.
    pub ty: TypeRef,
    /// Set when the field carries `@deprecated`.
    pub deprecation: Option<Deprecation>,
    /// Where the field is defined.
    pub location: Location,
}

/// An argument or an input object field.
#[derive(Debug, Clone, PartialEq)]
pub struct InputValue {
    /// The GraphQL name.
    pub name: String,
    /// The description, if any.
    pub description: Option<String>,
    /// The type.
    pub ty: TypeRef,
    /// The default value, if any.
    pub default: Option<Value>,
    /// Set when it carries `@deprecated`.
    pub deprecation: Option<Deprecation>,
    /// Where it is defined.
    pub location: Location,
}

/// A directive definition.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectiveDef {
    /// The name, without `@`.
    pub name: String,
    /// The arguments, in definition order.
    pub args: Vec<InputValue>,
    /// True if it may be used more than once at one place.
    pub repeatable: bool,
    /// Where it may be used: `FIELD`, `QUERY`, `OBJECT`, …
    pub locations: Vec<String>,
    /// Where it is defined.
    pub location: Location,
}

/// A value of an enum type.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    /// The GraphQL name.
    pub name: String,
    /// The description, if any.
    pub description: Option<String>,
    /// Set when it carries `@deprecated`.
    pub deprecation: Option<Deprecation>,
    /// Where it is defined.
    pub location: Location,
}

/// The content of a `@deprecated` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deprecation {
    /// The `reason:` argument; GraphQL's default is "No longer supported".
    pub reason: Option<String>,
}

impl Deprecation {
    /// The reason, or GraphQL's default text.
    pub fn reason_or_default(&self) -> &str {
        self.reason.as_deref().unwrap_or("No longer supported")
    }
}

/// A reference to a type, with list and non-null wrappers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeRef {
    /// A named type, nullable.
    Named(String),
    /// A list, nullable.
    List(Box<TypeRef>),
    /// A non-null wrapper around a named type or a list.
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    /// The innermost named type.
    pub fn named(&self) -> &str {
        match self {
            TypeRef::Named(n) => n,
            TypeRef::List(inner) | TypeRef::NonNull(inner) => inner.named(),
        }
    }

    /// True if the outermost wrapper is non-null.
    pub fn is_non_null(&self) -> bool {
        matches!(self, TypeRef::NonNull(_))
    }

    /// The type without its outer non-null wrapper.
    pub fn nullable(&self) -> &TypeRef {
        match self {
            TypeRef::NonNull(inner) => inner,
            other => other,
        }
    }

    /// True if there is a list anywhere in the wrappers.
    pub fn is_list(&self) -> bool {
        match self {
            TypeRef::Named(_) => false,
            TypeRef::List(_) => true,
            TypeRef::NonNull(inner) => inner.is_list(),
        }
    }

    /// True if a value of type `self` may be used where `expected` is wanted (variable
    /// compatibility: same shape, `self` at least as strict).
    pub fn is_compatible_with(&self, expected: &TypeRef) -> bool {
        match (self, expected) {
            (TypeRef::NonNull(a), TypeRef::NonNull(b)) => a.is_compatible_with(b),
            (TypeRef::NonNull(a), b) => a.is_compatible_with(b),
            (_, TypeRef::NonNull(_)) => false,
            (TypeRef::List(a), TypeRef::List(b)) => a.is_compatible_with(b),
            (TypeRef::Named(a), TypeRef::Named(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeRef::Named(n) => f.write_str(n),
            TypeRef::List(inner) => write!(f, "[{inner}]"),
            TypeRef::NonNull(inner) => write!(f, "{inner}!"),
        }
    }
}

/// A constant GraphQL value (defaults and literals).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// An integer literal.
    Int(i64),
    /// A float literal.
    Float(f64),
    /// A string literal.
    String(String),
    /// `true` or `false`.
    Boolean(bool),
    /// An enum value name.
    Enum(String),
    /// A list.
    List(Vec<Value>),
    /// An input object, fields in source order.
    Object(Vec<(String, Value)>),
    /// A `$variable` (only in operations).
    Variable(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => {
                if x.fract() == 0.0 && x.is_finite() && x.abs() < 1e15 {
                    write!(f, "{x:.1}")
                } else {
                    write!(f, "{x}")
                }
            }
            Value::String(s) => write!(f, "{s:?}"),
            Value::Boolean(b) => write!(f, "{b}"),
            Value::Enum(e) => f.write_str(e),
            Value::Variable(v) => write!(f, "${v}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Object(fields) => {
                f.write_str("{")?;
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// The kind of root operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OperationKind {
    /// `query`
    Query,
    /// `mutation`
    Mutation,
    /// `subscription`
    Subscription,
}

impl OperationKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            OperationKind::Query => "query",
            OperationKind::Mutation => "mutation",
            OperationKind::Subscription => "subscription",
        }
    }
}

impl Schema {
    /// Parses and checks SDL. `file` is used for locations and, by its stem, as the API name.
    /// On failure every error (and warning) found is returned, never a panic.
    pub fn parse(source: &str, file: &Path) -> Result<Schema, Diagnostics> {
        build::build(source, file)
    }

    /// Reads and parses a schema file.
    pub fn from_file(path: &Path) -> Result<Schema, Diagnostics> {
        match std::fs::read_to_string(path) {
            Ok(source) => Self::parse(&source, path),
            Err(e) => {
                let mut d = Diagnostics::new();
                d.push(crate::diagnostics::Diagnostic::error(
                    Location::new(&crate::diagnostics::file_id(path), 1, 1),
                    format!("cannot read schema file: {e}"),
                ));
                Err(d)
            }
        }
    }

    /// The directive definition named `name` (without `@`).
    pub fn directive(&self, name: &str) -> Option<&DirectiveDef> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// The named type, built-in scalars included.
    pub fn get(&self, name: &str) -> Option<&TypeDef> {
        self.index.get(name).map(|&i| &self.types[i])
    }

    /// Every type in definition order, built-in scalars first.
    pub fn all_types(&self) -> impl Iterator<Item = &TypeDef> {
        self.types.iter()
    }

    /// The types defined by the schema (built-in scalars excluded), in definition order.
    pub fn types(&self) -> impl Iterator<Item = &TypeDef> {
        self.types
            .iter()
            .filter(|t| !matches!(t.kind, TypeKind::Scalar { builtin: true, .. }))
    }

    /// The root type's name for an operation kind.
    pub fn root(&self, kind: OperationKind) -> Option<&str> {
        match kind {
            OperationKind::Query => self.query_type.as_deref(),
            OperationKind::Mutation => self.mutation_type.as_deref(),
            OperationKind::Subscription => self.subscription_type.as_deref(),
        }
    }

    /// True if `name` is one of the root types.
    pub fn is_root(&self, name: &str) -> bool {
        [
            &self.query_type,
            &self.mutation_type,
            &self.subscription_type,
        ]
        .iter()
        .any(|r| r.as_deref() == Some(name))
    }

    /// True if object type `name` can be a field's value: some field has it as its type, it is
    /// a union member, or it implements an interface. Relay's `type Query implements Node` with
    /// `relay: Query!` makes a root type one; other root types are not values in Rust.
    pub fn is_value_type(&self, name: &str) -> bool {
        self.types.iter().any(|t| match &t.kind {
            TypeKind::Object { fields, .. } | TypeKind::Interface { fields, .. } => {
                fields.iter().any(|f| f.ty.named() == name)
            }
            TypeKind::Union { members } => members.iter().any(|m| m == name),
            _ => false,
        }) || matches!(
            self.get(name).map(|t| &t.kind),
            Some(TypeKind::Object { interfaces, .. }) if !interfaces.is_empty()
        )
    }

    /// True if `name` is a root type that is not also a value type ([`Schema::is_value_type`]):
    /// its fields are only ever resolved as operations' roots.
    pub fn is_root_only(&self, name: &str) -> bool {
        self.is_root(name) && !self.is_value_type(name)
    }

    /// The fields of an object or interface type (empty for other kinds).
    pub fn fields(&self, type_name: &str) -> &[Field] {
        match self.get(type_name).map(|t| &t.kind) {
            Some(TypeKind::Object { fields, .. } | TypeKind::Interface { fields, .. }) => fields,
            _ => &[],
        }
    }

    /// A field of an object or interface type.
    pub fn field(&self, type_name: &str, field_name: &str) -> Option<&Field> {
        self.fields(type_name).iter().find(|f| f.name == field_name)
    }

    /// The object types a value of `type_name` can have at run time, in definition order:
    /// itself for an object, the members of a union, the implementors of an interface.
    pub fn possible_types(&self, type_name: &str) -> Vec<&str> {
        let Some(def) = self.get(type_name) else {
            return Vec::new();
        };
        match &def.kind {
            TypeKind::Object { .. } => vec![def.name.as_str()],
            TypeKind::Union { members } => members.iter().map(String::as_str).collect(),
            TypeKind::Interface { .. } => self
                .types
                .iter()
                .filter(|t| match &t.kind {
                    TypeKind::Object { interfaces, .. } => {
                        interfaces.iter().any(|i| i == type_name)
                    }
                    _ => false,
                })
                .map(|t| t.name.as_str())
                .collect(),
            TypeKind::Scalar { .. } | TypeKind::Enum { .. } | TypeKind::InputObject { .. } => {
                Vec::new()
            }
        }
    }

    /// True for scalars and enums.
    pub fn is_leaf(&self, type_name: &str) -> bool {
        matches!(
            self.get(type_name).map(|t| &t.kind),
            Some(TypeKind::Scalar { .. } | TypeKind::Enum { .. })
        )
    }

    /// True for interfaces and unions.
    pub fn is_abstract(&self, type_name: &str) -> bool {
        matches!(
            self.get(type_name).map(|t| &t.kind),
            Some(TypeKind::Interface { .. } | TypeKind::Union { .. })
        )
    }

    /// True for types allowed as arguments and input fields.
    pub fn is_input_type(&self, type_name: &str) -> bool {
        matches!(
            self.get(type_name).map(|t| &t.kind),
            Some(TypeKind::Scalar { .. } | TypeKind::Enum { .. } | TypeKind::InputObject { .. })
        )
    }

    /// True for types allowed as field results.
    pub fn is_output_type(&self, type_name: &str) -> bool {
        !matches!(
            self.get(type_name).map(|t| &t.kind),
            Some(TypeKind::InputObject { .. }) | None
        )
    }

    /// True if an object of type `object` can appear where `type_condition` is expected.
    pub fn type_applies(&self, type_condition: &str, object: &str) -> bool {
        type_condition == object || self.possible_types(type_condition).contains(&object)
    }

    /// The schema restricted to `types` (built-in scalars are always in): the types left out are
    /// removed, with the fields (by their type or an argument's), interfaces and union members
    /// that name them, so that nothing refers to a type that is not there; the fields of a root
    /// type are only those of `root_fields` (`(root type, field)` pairs). What the client
    /// of [`ClientTypes::UsedByOperations`](crate::ClientTypes::UsedByOperations) is emitted
    /// from; `types` must hold every input type its input objects reach
    /// ([`Used`](crate::operations::Used) does).
    pub fn subset(
        &self,
        types: &BTreeSet<String>,
        root_fields: &BTreeSet<(String, String)>,
    ) -> Schema {
        let keep = |t: &TypeDef| {
            types.contains(&t.name) || matches!(t.kind, TypeKind::Scalar { builtin: true, .. })
        };
        let kept = |name: &str| self.get(name).is_some_and(keep);
        let types: Vec<TypeDef> = self
            .types
            .iter()
            .filter(|t| keep(t))
            .map(|t| {
                let mut t = t.clone();
                let name = t.name.clone();
                match &mut t.kind {
                    TypeKind::Object { fields, interfaces }
                    | TypeKind::Interface { fields, interfaces } => {
                        let root = self.is_root(&name);
                        fields.retain(|f| {
                            let asked =
                                !root || root_fields.contains(&(name.clone(), f.name.clone()));
                            asked && kept(f.ty.named()) && f.args.iter().all(|a| kept(a.ty.named()))
                        });
                        interfaces.retain(|i| kept(i));
                    }
                    TypeKind::Union { members } => members.retain(|m| kept(m)),
                    TypeKind::Scalar { .. }
                    | TypeKind::Enum { .. }
                    | TypeKind::InputObject { .. } => {}
                }
                t
            })
            .collect();
        let index = types
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        Schema {
            name: self.name.clone(),
            file: Arc::clone(&self.file),
            types,
            index,
            description: self.description.clone(),
            directives: self.directives.clone(),
            query_type: self.query_type.clone(),
            mutation_type: self.mutation_type.clone(),
            subscription_type: self.subscription_type.clone(),
            // Reported once, for the whole schema.
            warnings: Diagnostics::new(),
        }
    }

    /// The custom scalars, in definition order.
    pub fn custom_scalars(&self) -> impl Iterator<Item = &TypeDef> {
        self.types
            .iter()
            .filter(|t| matches!(t.kind, TypeKind::Scalar { builtin: false, .. }))
    }
}
