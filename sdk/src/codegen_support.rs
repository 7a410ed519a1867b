//! What generated clients call instead of serde's derives: not API, may change with the
//! generator.
//!
//! Compile cost: a derived `Serialize` is generic over the serializer, so every input object's
//! impl, and every field type's, is compiled again for each serializer it meets; a schema's
//! inputs may reach hundreds of other inputs and enums, all of which a client must emit whole.
//! Here an input object turns itself into a JSON value through [`ToJson`], whose methods are
//! not generic and whose fields go through one shared function ([`object`]); only the last step
//! ([`serialize`]) is generic, and it is the same code for every input. Enums decode through one
//! shared visitor ([`enum_value`]) instead of one per enum.
//!
//! The JSON written is the derives' own: fields in declaration order, an
//! [`Absent`](Maybe::Absent) field left out, `null` for `Null` and `None`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::Maybe;

/// What [`ToJson::to_json`] returns.
pub type JsonResult = Result<Value, serde_json::Error>;

/// A value of the generated input types, as JSON.
pub trait ToJson {
    /// The value as JSON.
    fn to_json(&self) -> JsonResult;

    /// True when the value, as an object's field, is left out: [`Maybe::Absent`], and `None`
    /// (the generated code's `Option` fields are optional variables and arguments, left out
    /// when `None`; nullable input fields are `Maybe`).
    fn is_absent(&self) -> bool {
        false
    }
}

/// A JSON object of the fields that are not absent, in this order.
pub fn object(fields: &[(&str, &dyn ToJson)]) -> JsonResult {
    let mut map = Map::with_capacity(fields.len());
    for (name, value) in fields {
        if !value.is_absent() {
            map.insert((*name).to_owned(), value.to_json()?);
        }
    }
    Ok(Value::Object(map))
}

/// A root-field method's variables: [`object`] of its arguments, built before the request
/// so that no borrow of them is held across it.
pub fn variables(fields: &[(&str, &dyn ToJson)]) -> crate::Result<Value> {
    object(fields).map_err(|error| crate::Error::Encode(error.to_string()))
}

/// Serializes a [`ToJson`] value: the generated `Serialize` impls' one line.
pub fn serialize<S: Serializer>(value: &dyn ToJson, serializer: S) -> Result<S::Ok, S::Error> {
    value
        .to_json()
        .map_err(serde::ser::Error::custom)?
        .serialize(serializer)
}

/// A JSON string: an enum value's name.
pub fn string(value: &str) -> JsonResult {
    Ok(Value::String(value.to_owned()))
}

/// A field whose type is only known to be `Serialize` (a scalar mapped to a type of the user's);
/// a nullable one is `field.as_ref().map(Serde)`, which [`Maybe`] and `Option` leave out.
#[derive(Debug)]
pub struct Serde<'a, T: ?Sized>(pub &'a T);

impl<T: Serialize + ?Sized> ToJson for Serde<'_, T> {
    fn to_json(&self) -> JsonResult {
        serde_json::to_value(self.0)
    }
}

impl<T: ToJson> ToJson for Maybe<T> {
    fn to_json(&self) -> JsonResult {
        match self {
            Maybe::Value(value) => value.to_json(),
            Maybe::Absent | Maybe::Null => Ok(Value::Null),
        }
    }

    fn is_absent(&self) -> bool {
        Maybe::is_absent(self)
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> JsonResult {
        match self {
            Some(value) => value.to_json(),
            None => Ok(Value::Null),
        }
    }

    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> JsonResult {
        // A loop, not `collect`: less code compiled for each item type.
        let mut items = Vec::with_capacity(self.len());
        for item in self {
            items.push(item.to_json()?);
        }
        Ok(Value::Array(items))
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> JsonResult {
        (**self).to_json()
    }

    fn is_absent(&self) -> bool {
        (**self).is_absent()
    }
}

impl ToJson for String {
    fn to_json(&self) -> JsonResult {
        string(self)
    }
}

impl ToJson for bool {
    fn to_json(&self) -> JsonResult {
        Ok(Value::Bool(*self))
    }
}

impl ToJson for i32 {
    fn to_json(&self) -> JsonResult {
        Ok(Value::from(*self))
    }
}

impl ToJson for f64 {
    /// A non-finite float is `null`, as serde_json writes it.
    fn to_json(&self) -> JsonResult {
        Ok(Value::from(*self))
    }
}

impl ToJson for Value {
    fn to_json(&self) -> JsonResult {
        Ok(self.clone())
    }
}

/// An enum value's name as the deserializer has it: borrowed from the input when it can be.
pub fn enum_value<'de, D: Deserializer<'de>>(
    deserializer: D,
    enum_name: &'static str,
) -> Result<Cow<'de, str>, D::Error> {
    deserializer.deserialize_str(EnumVisitor(enum_name))
}

/// The one visitor of every generated enum.
struct EnumVisitor(&'static str);

impl<'de> Visitor<'de> for EnumVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a value of the GraphQL enum {}", self.0)
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// What the generator emitted before: the derive, for comparison.
    #[derive(Serialize)]
    struct Derived {
        id: String,
        #[serde(skip_serializing_if = "Maybe::is_absent")]
        count: Maybe<i32>,
        #[serde(skip_serializing_if = "Maybe::is_absent")]
        ratio: Maybe<f64>,
        #[serde(skip_serializing_if = "Maybe::is_absent")]
        tags: Maybe<Vec<Option<String>>>,
        #[serde(skip_serializing_if = "Maybe::is_absent")]
        child: Maybe<Vec<Derived>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        optional: Option<bool>,
        #[serde(skip_serializing_if = "Maybe::is_absent")]
        custom: Maybe<Value>,
        flag: bool,
    }

    /// The same type as the generator now emits it.
    struct Written {
        id: String,
        count: Maybe<i32>,
        ratio: Maybe<f64>,
        tags: Maybe<Vec<Option<String>>>,
        child: Maybe<Vec<Written>>,
        optional: Option<bool>,
        custom: Maybe<Value>,
        flag: bool,
    }

    impl ToJson for Written {
        fn to_json(&self) -> JsonResult {
            object(&[
                ("id", &self.id),
                ("count", &self.count),
                ("ratio", &self.ratio),
                ("tags", &self.tags),
                ("child", &self.child),
                ("optional", &self.optional),
                ("custom", &self.custom.as_ref().map(Serde)),
                ("flag", &self.flag),
            ])
        }
    }

    impl Serialize for Written {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serialize(self, serializer)
        }
    }

    fn pair(
        count: Maybe<i32>,
        ratio: Maybe<f64>,
        tags: Maybe<Vec<Option<String>>>,
        optional: Option<bool>,
        custom: Maybe<Value>,
    ) -> (Derived, Written) {
        let derived = Derived {
            id: "a\"\n\u{1f600}".to_owned(),
            count,
            ratio,
            tags: tags.clone(),
            child: Maybe::Value(vec![Derived {
                id: "child".to_owned(),
                count: Maybe::Null,
                ratio: Maybe::Absent,
                tags: Maybe::Absent,
                child: Maybe::Absent,
                optional: None,
                custom: Maybe::Absent,
                flag: false,
            }]),
            optional,
            custom: custom.clone(),
            flag: true,
        };
        let written = Written {
            id: derived.id.clone(),
            count,
            ratio,
            tags,
            child: Maybe::Value(vec![Written {
                id: "child".to_owned(),
                count: Maybe::Null,
                ratio: Maybe::Absent,
                tags: Maybe::Absent,
                child: Maybe::Absent,
                optional: None,
                custom: Maybe::Absent,
                flag: false,
            }]),
            optional,
            custom,
            flag: true,
        };
        (derived, written)
    }

    #[test]
    fn writes_what_the_derive_writes() {
        let cases = [
            pair(
                Maybe::Absent,
                Maybe::Absent,
                Maybe::Absent,
                None,
                Maybe::Absent,
            ),
            pair(
                Maybe::Null,
                Maybe::Value(f64::NAN),
                Maybe::Null,
                Some(false),
                Maybe::Null,
            ),
            pair(
                Maybe::Value(-7),
                Maybe::Value(1.0),
                Maybe::Value(vec![Some("x".to_owned()), None]),
                Some(true),
                Maybe::Value(serde_json::json!({"b": [1, 2.5], "a": null})),
            ),
            pair(
                Maybe::Value(i32::MIN),
                Maybe::Value(1e300),
                Maybe::Value(vec![]),
                None,
                Maybe::Value(Value::String("s".to_owned())),
            ),
            pair(
                Maybe::Value(0),
                Maybe::Value(0.1 + 0.2),
                Maybe::Absent,
                None,
                Maybe::Absent,
            ),
        ];
        for (derived, written) in &cases {
            assert_eq!(
                serde_json::to_string(written).unwrap(),
                serde_json::to_string(derived).unwrap()
            );
            assert_eq!(
                serde_json::to_string_pretty(written).unwrap(),
                serde_json::to_string_pretty(derived).unwrap()
            );
        }
    }

    #[test]
    fn enum_values_borrow_or_own() {
        #[derive(Debug, PartialEq)]
        struct Name(String);
        impl<'de> Deserialize<'de> for Name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                enum_value(deserializer, "Kind").map(|v| Name(v.into_owned()))
            }
        }
        let borrowed: Name = serde_json::from_str("\"A_B\"").unwrap();
        assert_eq!(borrowed, Name("A_B".to_owned()));
        let escaped: Name = serde_json::from_str("\"A\\nB\"").unwrap();
        assert_eq!(escaped, Name("A\nB".to_owned()));
        let owned: Name = serde_json::from_value(Value::String("C".to_owned())).unwrap();
        assert_eq!(owned, Name("C".to_owned()));
        let error = serde_json::from_str::<Name>("3").unwrap_err().to_string();
        assert!(
            error.contains("expected a value of the GraphQL enum Kind"),
            "{error}"
        );
    }
}
