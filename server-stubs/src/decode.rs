//! Decoding of arguments and input objects, for the generated adapter.
//!
//! Each generated input object implements [`FromInput`] with one non-generic function, and
//! every wrapper (`[T]`, a nullable `T`, a field) is decoded by a function here that takes the
//! inner type's decoder as a plain function pointer ([`Decoder`]).
//!
//! Why not serde's derive: a derived `Deserialize` is generic over the deserializer, so a chain
//! of input objects (`A { b: B }`, `B { c: C }`, …) is compiled as one chain of generic
//! instances, `Option::<B>::deserialize` inside `Option::<C>::deserialize` and so on, and a
//! schema with a chain longer than rustc's recursion limit (128) does not compile. Calls through
//! function pointers end each instance at its own type, and the code is compiled once per input
//! object instead of once per input object and deserializer.

use std::fmt;

use async_graphql::indexmap::IndexMap;
use async_graphql::{Name, Value};
use serde::de::DeserializeOwned;

use crate::Maybe;

/// The result of decoding an input value.
pub type Decoded<T> = Result<T, InputError>;

/// Decodes one GraphQL input type into its Rust type. A function pointer, not a generic
/// parameter: see the [module](self) docs.
pub type Decoder<T> = fn(Value) -> Decoded<T>;

/// A value that does not fit its Rust type, and where it is in the argument.
///
/// Validation has already checked every value's shape against the schema, so this is met only
/// when a custom scalar's Rust type rejects a value the schema lets through (a `Decimal` that
/// does not parse, say), or when the Rust types and the schema disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// Field names and list indices from the argument down, outermost first.
    path: Vec<PathSegment>,
    message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PathSegment {
    Field(String),
    Index(usize),
}

impl InputError {
    /// An error at the value being decoded.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            path: Vec::new(),
            message: message.into(),
        }
    }

    /// What is wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The path below the argument, as `items[2].price` (empty at the argument itself).
    pub fn path(&self) -> String {
        let mut out = String::new();
        for segment in &self.path {
            match segment {
                PathSegment::Field(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                PathSegment::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    fn within(mut self, segment: PathSegment) -> Self {
        self.path.insert(0, segment);
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.path(), self.message)
        }
    }
}

impl std::error::Error for InputError {}

/// An input object's Rust type, decoded from its GraphQL value.
pub trait FromInput: Sized {
    /// Decodes `value`, an object (or, for a `@oneOf` input, an object of one field).
    fn from_input(value: Value) -> Decoded<Self>;
}

/// A scalar or an enum, by its serde `Deserialize` (the built-in scalars, custom scalars mapped
/// to Rust types, and the generated enums): leaves, so serde's generic code does not nest.
pub fn scalar<T: DeserializeOwned>(value: Value) -> Decoded<T> {
    async_graphql::from_value(value).map_err(|e| InputError::new(e.to_string()))
}

/// A nullable value: `null` is `None`.
pub fn nullable<T>(value: Value, inner: Decoder<T>) -> Decoded<Option<T>> {
    match value {
        Value::Null => Ok(None),
        value => inner(value).map(Some),
    }
}

/// A list. A single value given where a list is expected is a list of that one value, as
/// GraphQL's input coercion says.
pub fn list<T>(value: Value, item: Decoder<T>) -> Decoded<Vec<T>> {
    match value {
        Value::List(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| item(v).map_err(|e| e.within(PathSegment::Index(i))))
            .collect(),
        Value::Null => Err(InputError::new("expected a list, found null")),
        value => Ok(vec![item(value)?]),
    }
}

/// `value` decoded by `decode`, its errors placed below field `name` (a `@oneOf` input's).
pub fn at<T>(name: &str, value: Value, decode: Decoder<T>) -> Decoded<T> {
    decode(value).map_err(|e| e.within(PathSegment::Field(name.to_string())))
}

/// A nullable field's given value: `null` or a value.
fn present<T>(name: &str, value: Value, decode: Decoder<T>) -> Decoded<Maybe<T>> {
    match value {
        Value::Null => Ok(Maybe::Null),
        value => at(name, value, decode).map(Maybe::Value),
    }
}

/// The fields of an input object's value, taken one by one by the generated `from_input`.
#[derive(Debug)]
pub struct Fields(IndexMap<Name, Value>);

impl Fields {
    /// The fields of `value`, which must be an object.
    pub fn of(value: Value) -> Decoded<Self> {
        match value {
            Value::Object(map) => Ok(Self(map)),
            other => Err(InputError::new(format!(
                "expected an input object, found {other}"
            ))),
        }
    }

    fn take(&mut self, name: &str) -> Option<Value> {
        self.0.swap_remove(name)
    }

    /// A non-null field; GraphQL requires a value.
    pub fn required<T>(&mut self, name: &str, decode: Decoder<T>) -> Decoded<T> {
        match self.take(name) {
            Some(value) => at(name, value, decode),
            None => Err(InputError::new(format!("missing field `{name}`"))),
        }
    }

    /// A non-null field with a default value in the schema, which it takes when left out.
    pub fn required_or<T>(
        &mut self,
        name: &str,
        default: fn() -> Value,
        decode: Decoder<T>,
    ) -> Decoded<T> {
        let value = self.take(name).unwrap_or_else(default);
        at(name, value, decode)
    }

    /// A nullable field: left out, `null`, or a value.
    pub fn maybe<T>(&mut self, name: &str, decode: Decoder<T>) -> Decoded<Maybe<T>> {
        match self.take(name) {
            None => Ok(Maybe::Absent),
            Some(value) => present(name, value, decode),
        }
    }

    /// A nullable field with a default value in the schema, which it takes when left out.
    pub fn maybe_or<T>(
        &mut self,
        name: &str,
        default: fn() -> Value,
        decode: Decoder<T>,
    ) -> Decoded<Maybe<T>> {
        let value = self.take(name).unwrap_or_else(default);
        present(name, value, decode)
    }

    /// The one field of a `@oneOf` input's value: its name and value.
    pub fn one_of(self) -> Decoded<(Name, Value)> {
        let mut set = self.0.into_iter().filter(|(_, v)| *v != Value::Null);
        match (set.next(), set.next()) {
            (Some(field), None) => Ok(field),
            _ => Err(InputError::new(
                "a @oneOf input takes exactly one non-null field",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{Name, Value, value};

    use super::*;

    /// What the generator writes for `input Line { sku: String! qty: Int! = 1 note: String
    /// tags: [String!] next: Line }` (the self-reference boxed, here as a `Box`).
    #[derive(Debug, PartialEq)]
    struct Line {
        sku: String,
        qty: i32,
        note: Maybe<String>,
        tags: Maybe<Vec<String>>,
        next: Maybe<Box<Line>>,
    }

    impl FromInput for Line {
        fn from_input(value: Value) -> Decoded<Self> {
            let mut fields = Fields::of(value)?;
            Ok(Self {
                sku: fields.required("sku", scalar::<String>)?,
                qty: fields.required_or("qty", || Value::from(1), scalar::<i32>)?,
                note: fields.maybe("note", scalar::<String>)?,
                tags: fields.maybe("tags", |v| list(v, scalar::<String>))?,
                next: fields.maybe("next", |v| Line::from_input(v).map(Box::new))?,
            })
        }
    }

    #[test]
    fn fields_are_absent_null_or_given_and_defaults_apply() -> Result<(), InputError> {
        let line = Line::from_input(value!({"sku": "a", "note": null, "tags": ["x", "y"]}))?;
        assert_eq!(line.sku, "a");
        assert_eq!(line.qty, 1, "the schema's default");
        assert_eq!(line.note, Maybe::Null);
        assert_eq!(line.tags, Maybe::Value(vec!["x".into(), "y".into()]));
        assert_eq!(line.next, Maybe::Absent);
        let line = Line::from_input(value!({"sku": "a", "qty": 3, "next": {"sku": "b"}}))?;
        assert_eq!(line.qty, 3);
        assert_eq!(line.note, Maybe::Absent);
        let next = line.next.into_option().map(|n| n.sku);
        assert_eq!(next.as_deref(), Some("b"));
        Ok(())
    }

    #[test]
    fn a_single_value_is_a_list_of_one() -> Result<(), InputError> {
        let line = Line::from_input(value!({"sku": "a", "tags": "x"}))?;
        assert_eq!(line.tags, Maybe::Value(vec!["x".to_string()]));
        assert_eq!(nullable(Value::Null, |v| list(v, scalar::<i32>))?, None);
        Ok(())
    }

    #[test]
    fn errors_say_where_below_the_argument() {
        let e = Line::from_input(value!({"sku": "a", "next": {"sku": "b", "tags": ["x", 7]}}));
        let e = e.err().map(|e| (e.path(), e.to_string()));
        let (path, text) = e.unwrap_or_default();
        assert_eq!(path, "next.tags[1]");
        assert!(text.starts_with("at `next.tags[1]`: "), "{text}");
        let missing = Line::from_input(value!({"qty": 2})).err();
        assert_eq!(
            missing.map(|e| e.message().to_string()).as_deref(),
            Some("missing field `sku`")
        );
        let not_object = Line::from_input(value!("a")).err();
        assert!(not_object.is_some_and(|e| e.message().contains("expected an input object")));
    }

    #[test]
    fn one_of_takes_the_one_non_null_field() -> Result<(), InputError> {
        let (name, value) = Fields::of(value!({"id": null, "sku": "a"}))?.one_of()?;
        assert_eq!((name, value), (Name::new("sku"), Value::from("a")));
        assert!(
            Fields::of(value!({"id": "1", "sku": "a"}))?
                .one_of()
                .is_err()
        );
        assert!(Fields::of(value!({}))?.one_of().is_err());
        Ok(())
    }
}
