//! The three states of a nullable input field.

use serde::{Deserialize, Deserializer};

/// A nullable input field: left out ("leave unchanged"), explicitly `null` ("clear it"), or a
/// value. GraphQL distinguishes the first two; so does this type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Maybe<T> {
    /// The field was not given.
    #[default]
    Absent,
    /// The field was given as `null`.
    Null,
    /// The field was given a value.
    Value(T),
}

impl<T> Maybe<T> {
    /// True if the field was not given.
    pub fn is_absent(&self) -> bool {
        matches!(self, Maybe::Absent)
    }

    /// True if the field was given as `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Maybe::Null)
    }

    /// The value, if one was given.
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Maybe::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value, if one was given.
    pub fn into_option(self) -> Option<T> {
        match self {
            Maybe::Value(v) => Some(v),
            _ => None,
        }
    }

    /// `None` when absent (leave unchanged); `Some(None)` for null; `Some(Some(v))` for a value.
    pub fn into_update(self) -> Option<Option<T>> {
        match self {
            Maybe::Absent => None,
            Maybe::Null => Some(None),
            Maybe::Value(v) => Some(Some(v)),
        }
    }
}

impl<T> From<T> for Maybe<T> {
    fn from(value: T) -> Self {
        Maybe::Value(value)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Maybe<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A present key reaches this; an absent one takes `#[serde(default)]`, i.e. `Absent`.
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(v) => Maybe::Value(v),
            None => Maybe::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Input {
        #[serde(default)]
        a: Maybe<i32>,
        #[serde(default)]
        b: Maybe<i32>,
        #[serde(default)]
        c: Maybe<i32>,
    }

    #[test]
    fn absent_null_and_value_stay_distinct() -> Result<(), serde_json::Error> {
        let i: Input = serde_json::from_str(r#"{"b": null, "c": 3}"#)?;
        assert_eq!(i.a, Maybe::Absent);
        assert_eq!(i.b, Maybe::Null);
        assert_eq!(i.c, Maybe::Value(3));
        assert_eq!(i.c.into_update(), Some(Some(3)));
        assert_eq!(i.b.into_update(), Some(None));
        assert_eq!(i.a.into_update(), None);
        Ok(())
    }

    #[test]
    fn from_async_graphql_values() -> Result<(), Box<dyn std::error::Error>> {
        let v = async_graphql::Value::from_json(serde_json::json!({"a": 1, "b": null}))?;
        let i: Input = async_graphql::from_value(v)?;
        assert_eq!(
            (i.a, i.b, i.c),
            (Maybe::Value(1), Maybe::Null, Maybe::Absent)
        );
        Ok(())
    }
}
