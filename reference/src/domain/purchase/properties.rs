//! Dynamic properties: custom fields of carts, line items, shipments and payments, defined per
//! object type with a value type, optionally multilingual (one value per culture) or backed by a
//! dictionary (the value is a dictionary item id).
//!
//! Values are checked against their definition before anything changes; one bad value refuses
//! the whole update. Accepted forms per value type:
//! - `ShortText`, `LongText`, `Html`, `Image`: a JSON string.
//! - `Integer`: an integer number, or a string holding one (`"42"`).
//! - `Decimal`: a number, or a string holding one (`"12.5"`).
//! - `Boolean`: `true`/`false`, or the strings `"true"`/`"false"` (any case).
//! - `DateTime`: an RFC 3339 string; stored and shown in UTC (`…Z`).
//! - dictionary properties: the id of one of the property's dictionary items.
//! - `null` clears the value (for a multilingual property: its value in that culture).

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;

use super::cart::PropertyValue;

/// What a property belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectType {
    /// The cart.
    Cart,
    /// A line item.
    LineItem,
    /// A shipment.
    Shipment,
    /// A payment.
    Payment,
}

impl ObjectType {
    /// The storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectType::Cart => "Cart",
            ObjectType::LineItem => "LineItem",
            ObjectType::Shipment => "Shipment",
            ObjectType::Payment => "Payment",
        }
    }

    /// Parses a storage name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            ObjectType::Cart,
            ObjectType::LineItem,
            ObjectType::Shipment,
            ObjectType::Payment,
        ]
        .into_iter()
        .find(|o| o.as_str().eq_ignore_ascii_case(s))
    }
}

/// Value type of a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    ShortText,
    LongText,
    Integer,
    Decimal,
    DateTime,
    Boolean,
    Html,
    Image,
}

impl ValueType {
    /// The name used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::ShortText => "ShortText",
            ValueType::LongText => "LongText",
            ValueType::Integer => "Integer",
            ValueType::Decimal => "Decimal",
            ValueType::DateTime => "DateTime",
            ValueType::Boolean => "Boolean",
            ValueType::Html => "Html",
            ValueType::Image => "Image",
        }
    }

    /// Parses an API name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            ValueType::ShortText,
            ValueType::LongText,
            ValueType::Integer,
            ValueType::Decimal,
            ValueType::DateTime,
            ValueType::Boolean,
            ValueType::Html,
            ValueType::Image,
        ]
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

/// An item of a dictionary property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DictionaryItem {
    /// Id (32 hex digits).
    pub id: String,
    /// Invariant name.
    pub name: String,
    /// Labels by culture.
    pub labels: Vec<(String, String)>,
}

impl DictionaryItem {
    /// The label in `culture` (exact, then same language), if any.
    pub fn label(&self, culture: &str) -> Option<String> {
        let labels = self.labels.iter().map(|(c, l)| (c.as_str(), l));
        in_culture(labels, culture).cloned()
    }
}

/// The definition of a dynamic property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyDefinition {
    /// Id.
    pub id: String,
    /// Object type it belongs to.
    pub object_type: ObjectType,
    /// Name (compared ignoring case in inputs).
    pub name: String,
    /// Value type.
    pub value_type: ValueType,
    /// Holds several values (not settable through this API; shown in the definition).
    pub is_array: bool,
    /// Values are dictionary item ids.
    pub is_dictionary: bool,
    /// One value per culture.
    pub is_multilingual: bool,
    /// A value is required.
    pub is_required: bool,
    /// Dictionary items (for dictionary properties).
    pub dictionary: Vec<DictionaryItem>,
}

/// A value to set.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PropertyInput {
    /// Property name.
    pub name: String,
    /// The value; `None` (or JSON null) clears it.
    pub value: Option<Value>,
    /// Culture of a multilingual value.
    pub culture: Option<String>,
}

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PropertyError {
    /// No property of that name for the object type.
    Unknown {
        /// The name given.
        name: String,
        /// The object type.
        object_type: ObjectType,
    },
    /// The value does not fit the property's type.
    WrongType {
        /// The property.
        name: String,
        /// Its value type.
        expected: &'static str,
        /// The value given, as JSON.
        given: String,
    },
    /// The value is not an item of the property's dictionary.
    UnknownDictionaryItem {
        /// The property.
        name: String,
        /// The value given.
        given: String,
    },
}

impl fmt::Display for PropertyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropertyError::Unknown { name, object_type } => write!(
                f,
                "`{name}` is not a dynamic property of {}",
                object_type.as_str()
            ),
            PropertyError::WrongType {
                name,
                expected,
                given,
            } => write!(
                f,
                "dynamic property `{name}` takes a {expected} value, not {given}"
            ),
            PropertyError::UnknownDictionaryItem { name, given } => write!(
                f,
                "`{given}` is not an item of the dictionary of dynamic property `{name}`"
            ),
        }
    }
}

fn wrong(def: &PropertyDefinition, given: &Value) -> PropertyError {
    PropertyError::WrongType {
        name: def.name.clone(),
        expected: def.value_type.as_str(),
        given: given.to_string(),
    }
}

/// Checks `value` against `def` and returns its stored form.
pub(crate) fn normalize(def: &PropertyDefinition, value: &Value) -> Result<Value, PropertyError> {
    if def.is_dictionary {
        let Value::String(id) = value else {
            return Err(wrong(def, value));
        };
        return def
            .dictionary
            .iter()
            .find(|i| i.id.eq_ignore_ascii_case(id.trim()))
            .map(|i| Value::String(i.id.clone()))
            .ok_or_else(|| PropertyError::UnknownDictionaryItem {
                name: def.name.clone(),
                given: id.clone(),
            });
    }
    match def.value_type {
        ValueType::ShortText | ValueType::LongText | ValueType::Html | ValueType::Image => {
            match value {
                Value::String(_) => Ok(value.clone()),
                _ => Err(wrong(def, value)),
            }
        }
        ValueType::Integer => {
            let n = match value {
                Value::Number(n) => n.as_i64().or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .and_then(|f| f.to_i64())
                }),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            };
            n.map(Value::from).ok_or_else(|| wrong(def, value))
        }
        ValueType::Decimal => {
            let d = match value {
                Value::Number(n) => n.to_string().parse::<Decimal>().ok().or_else(|| {
                    n.as_f64()
                        .and_then(|f| Decimal::from_scientific(&format!("{f:e}")).ok())
                }),
                Value::String(s) => s.trim().parse::<Decimal>().ok(),
                _ => None,
            };
            let d = d.ok_or_else(|| wrong(def, value))?;
            let d = d.normalize();
            if d.scale() == 0
                && let Some(i) = d.to_i64()
            {
                return Ok(Value::from(i));
            }
            d.to_f64()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| wrong(def, value))
        }
        ValueType::Boolean => match value {
            Value::Bool(_) => Ok(value.clone()),
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => Err(wrong(def, value)),
        },
        ValueType::DateTime => match value {
            Value::String(s) => DateTime::parse_from_rfc3339(s.trim())
                .map(|t| {
                    Value::String(
                        t.with_timezone(&Utc)
                            .to_rfc3339_opts(SecondsFormat::AutoSi, true),
                    )
                })
                .map_err(|_| wrong(def, value)),
            _ => Err(wrong(def, value)),
        },
    }
}

/// The definition named `name` (ignoring case) for `object_type`.
pub(crate) fn definition<'a>(
    defs: &'a [PropertyDefinition],
    object_type: ObjectType,
    name: &str,
) -> Option<&'a PropertyDefinition> {
    defs.iter()
        .find(|d| d.object_type == object_type && d.name.eq_ignore_ascii_case(name.trim()))
}

/// Sets `inputs` on `values` (the values of one object of `object_type`). Every input is
/// checked first; on any error nothing changes. Properties not named keep their values.
/// `default_culture` is used for multilingual values given without a culture.
pub(crate) fn apply(
    values: &mut Vec<PropertyValue>,
    defs: &[PropertyDefinition],
    object_type: ObjectType,
    inputs: &[PropertyInput],
    default_culture: &str,
) -> Result<(), PropertyError> {
    let mut checked = Vec::with_capacity(inputs.len());
    for input in inputs {
        let def =
            definition(defs, object_type, &input.name).ok_or_else(|| PropertyError::Unknown {
                name: input.name.clone(),
                object_type,
            })?;
        let value = match &input.value {
            None | Some(Value::Null) => None,
            Some(v) => Some(normalize(def, v)?),
        };
        let culture = def.is_multilingual.then(|| {
            input
                .culture
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(normalize_culture)
                .unwrap_or_else(|| default_culture.to_string())
        });
        checked.push((def.name.clone(), culture, value));
    }
    for (name, culture, value) in checked {
        let same = |v: &PropertyValue| {
            v.name == name
                && match (&v.culture, &culture) {
                    (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                    (None, None) => true,
                    _ => false,
                }
        };
        match value {
            None => values.retain(|v| !same(v)),
            Some(value) => match values.iter_mut().find(|v| same(v)) {
                Some(existing) => existing.value = value,
                None => values.push(PropertyValue {
                    name,
                    culture,
                    value,
                }),
            },
        }
    }
    Ok(())
}

/// A stored value ready to show.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShownProperty<'a> {
    /// Its definition (absent when the definition was removed since).
    pub definition: Option<&'a PropertyDefinition>,
    /// The stored value.
    pub value: &'a PropertyValue,
    /// The dictionary item of a dictionary value, with its label in the culture.
    pub dictionary_item: Option<(&'a DictionaryItem, Option<String>)>,
}

/// The values to show: every stored value, or with `culture_filter`, multilingual values only in
/// that culture. Dictionary labels are taken in `label_culture`.
pub(crate) fn shown<'a>(
    values: &'a [PropertyValue],
    defs: &'a [PropertyDefinition],
    object_type: ObjectType,
    culture_filter: Option<&str>,
    label_culture: &str,
) -> Vec<ShownProperty<'a>> {
    values
        .iter()
        .filter(|v| match (culture_filter, &v.culture) {
            (Some(f), Some(c)) => c.eq_ignore_ascii_case(f),
            _ => true,
        })
        .map(|value| {
            let def = definition(defs, object_type, &value.name);
            let dictionary_item = def.filter(|d| d.is_dictionary).and_then(|d| {
                let id = value.value.as_str()?;
                let item = d.dictionary.iter().find(|i| i.id == id)?;
                Some((item, item.label(label_culture)))
            });
            ShownProperty {
                definition: def,
                value,
                dictionary_item,
            }
        })
        .collect()
}

/// The value of `entries` (culture, value) for `culture`: an exact match ignoring case, else the
/// first of the same language (`en-GB` for `en-US`).
pub(crate) fn in_culture<'a, V>(
    entries: impl Iterator<Item = (&'a str, &'a V)> + Clone,
    culture: &str,
) -> Option<&'a V> {
    let lang = culture.split('-').next().unwrap_or(culture);
    let same_language = |c: &str| {
        c.split('-')
            .next()
            .is_some_and(|l| l.eq_ignore_ascii_case(lang))
    };
    entries
        .clone()
        .find(|(c, _)| c.eq_ignore_ascii_case(culture))
        .or_else(|| entries.clone().find(|(c, _)| same_language(c)))
        .map(|(_, v)| v)
}

/// `en-us` → `en-US`, `zh-hans-cn` → `zh-Hans-CN`.
pub(crate) fn normalize_culture(culture: &str) -> String {
    culture
        .split(['-', '_'])
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_ascii_lowercase()
            } else if part.len() == 4 {
                let mut s = part.to_ascii_lowercase();
                if let Some(first) = s.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                s
            } else {
                part.to_ascii_uppercase()
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(name: &str, value_type: ValueType) -> PropertyDefinition {
        PropertyDefinition {
            id: name.to_lowercase(),
            object_type: ObjectType::Cart,
            name: name.into(),
            value_type,
            is_array: false,
            is_dictionary: false,
            is_multilingual: false,
            is_required: false,
            dictionary: vec![],
        }
    }

    fn defs() -> Vec<PropertyDefinition> {
        let mut ml = def("Example multilanguage property", ValueType::ShortText);
        ml.is_multilingual = true;
        let mut dict = def("Example dictionary property", ValueType::ShortText);
        dict.is_dictionary = true;
        dict.dictionary = vec![DictionaryItem {
            id: "578fadeb1d2a40b3b08b1daf8db09463".into(),
            name: "Red".into(),
            labels: vec![
                ("en-US".into(), "Red".into()),
                ("de-DE".into(), "Rot".into()),
            ],
        }];
        vec![
            def("Example string property", ValueType::ShortText),
            ml,
            dict,
            def("Example integer property", ValueType::Integer),
            def("Example decimal property", ValueType::Decimal),
            def("Example boolean property", ValueType::Boolean),
            def("Example date property", ValueType::DateTime),
        ]
    }

    fn input(name: &str, value: Value) -> PropertyInput {
        PropertyInput {
            name: name.into(),
            value: Some(value),
            culture: None,
        }
    }

    #[test]
    fn values_are_normalized_to_their_type() {
        let d = defs();
        let find = |n: &str| definition(&d, ObjectType::Cart, n).unwrap();
        for (name, given, normalized) in [
            ("example integer property", json!("42"), json!(42)),
            ("Example integer property", json!(7.0), json!(7)),
            ("Example decimal property", json!("12.50"), json!(12.5)),
            ("Example decimal property", json!(3), json!(3)),
            ("Example boolean property", json!("TRUE"), json!(true)),
            (
                "Example date property",
                json!("2023-05-11T11:30:00+02:00"),
                json!("2023-05-11T09:30:00Z"),
            ),
            (
                "Example dictionary property",
                json!("578FADEB1D2A40B3B08B1DAF8DB09463"),
                json!("578fadeb1d2a40b3b08b1daf8db09463"),
            ),
        ] {
            assert_eq!(
                normalize(find(name), &given).unwrap(),
                normalized,
                "{name} {given}"
            );
        }
    }

    #[test]
    fn wrong_types_and_unknown_items_are_refused() {
        let d = defs();
        let find = |n: &str| definition(&d, ObjectType::Cart, n).unwrap();
        for (name, value) in [
            ("Example integer property", json!("abc")),
            ("Example integer property", json!(1.5)),
            ("Example integer property", json!(true)),
            ("Example decimal property", json!("twelve")),
            ("Example boolean property", json!(1)),
            ("Example date property", json!("yesterday")),
            ("Example string property", json!(12345678)),
            ("Example string property", json!({"a": 1})),
        ] {
            assert!(
                matches!(
                    normalize(find(name), &value),
                    Err(PropertyError::WrongType { .. })
                ),
                "{name} {value}"
            );
        }
        assert!(matches!(
            normalize(find("Example dictionary property"), &json!("0000")),
            Err(PropertyError::UnknownDictionaryItem { .. })
        ));
    }

    /// `apply` with the store's default culture `en-US`.
    fn apply_en(
        values: &mut Vec<PropertyValue>,
        d: &[PropertyDefinition],
        object_type: ObjectType,
        inputs: &[PropertyInput],
    ) -> Result<(), PropertyError> {
        apply(values, d, object_type, inputs, "en-US")
    }

    /// The cart's values after `apply_en` of `inputs` to none, which must succeed.
    fn cart_values(d: &[PropertyDefinition], inputs: &[PropertyInput]) -> Vec<PropertyValue> {
        let mut values = vec![];
        apply_en(&mut values, d, ObjectType::Cart, inputs).unwrap();
        values
    }

    #[test]
    fn apply_is_all_or_nothing_and_keeps_unnamed_values() {
        let d = defs();
        let mut values = cart_values(
            &d,
            &[
                input("Example string property", json!("12345678")),
                PropertyInput {
                    name: "Example multilanguage property".into(),
                    value: Some(json!("hallo welt")),
                    culture: Some("de-de".into()),
                },
                input("Example multilanguage property", json!("hello world")),
            ],
        );
        assert_eq!(values.len(), 3);
        assert_eq!(values[1].culture.as_deref(), Some("de-DE"));
        assert_eq!(values[2].culture.as_deref(), Some("en-US"));

        let before = values.clone();
        let err = apply_en(
            &mut values,
            &d,
            ObjectType::Cart,
            &[
                input("Example string property", json!("changed")),
                input("No such property", json!("x")),
            ],
        );
        assert!(matches!(err, Err(PropertyError::Unknown { .. })));
        assert_eq!(values, before, "nothing changed");

        // A property of another object type is unknown here.
        let err = apply_en(
            &mut values,
            &d,
            ObjectType::LineItem,
            &[input("Example string property", json!("x"))],
        );
        assert!(matches!(err, Err(PropertyError::Unknown { .. })));

        // null clears one culture of a multilingual value.
        apply_en(
            &mut values,
            &d,
            ObjectType::Cart,
            &[PropertyInput {
                name: "example multilanguage property".into(),
                value: None,
                culture: Some("de-DE".into()),
            }],
        )
        .unwrap();
        assert_eq!(values.len(), 2);
        let shown_en = shown(&values, &d, ObjectType::Cart, Some("en-US"), "en-US");
        assert_eq!(shown_en.len(), 2);
        let shown_de = shown(&values, &d, ObjectType::Cart, Some("de-DE"), "de-DE");
        assert_eq!(shown_de.len(), 1, "only the non-multilingual value");
    }

    #[test]
    fn dictionary_labels_follow_the_culture() {
        let d = defs();
        let red = input(
            "Example dictionary property",
            json!("578fadeb1d2a40b3b08b1daf8db09463"),
        );
        let values = cart_values(&d, &[red]);
        let s = shown(&values, &d, ObjectType::Cart, None, "de-DE");
        let (item, label) = s[0].dictionary_item.clone().unwrap();
        assert_eq!(item.name, "Red");
        assert_eq!(label.as_deref(), Some("Rot"));
    }
}
