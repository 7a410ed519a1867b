//! [`Maybe`]: a nullable input field that can also be left out.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A nullable GraphQL input field in three states: left out, explicitly `null`, or a value.
///
/// GraphQL tells the two apart: leaving a field out of an update keeps the stored value, while
/// `null` clears it. `Option` cannot say both, so generated input objects use `Maybe` for their
/// nullable fields, and leave an [`Absent`](Maybe::Absent) field out when they serialize; a
/// struct of your own does the same with
/// `#[serde(default, skip_serializing_if = "::shopql_sdk::Maybe::is_absent")]`.
///
/// ```
/// use shopql_sdk::Maybe;
///
/// #[derive(serde::Serialize, Default)]
/// struct UpdateInput {
///     #[serde(default, skip_serializing_if = "Maybe::is_absent")]
///     comment: Maybe<String>,
///     #[serde(default, skip_serializing_if = "Maybe::is_absent")]
///     quantity: Maybe<i32>,
/// }
///
/// let input = UpdateInput { comment: Maybe::Null, quantity: 3.into(), ..Default::default() };
/// assert_eq!(serde_json::to_string(&input).unwrap(), r#"{"comment":null,"quantity":3}"#);
/// let untouched = UpdateInput::default();
/// assert_eq!(serde_json::to_string(&untouched).unwrap(), "{}");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Maybe<T> {
    /// Left out of the request (the default).
    #[default]
    Absent,
    /// Sent as `null`.
    Null,
    /// Sent as this value.
    Value(T),
}

impl<T> Maybe<T> {
    /// True for [`Absent`](Maybe::Absent); the `skip_serializing_if` of generated fields.
    pub fn is_absent(&self) -> bool {
        matches!(self, Maybe::Absent)
    }

    /// True for [`Null`](Maybe::Null).
    pub fn is_null(&self) -> bool {
        matches!(self, Maybe::Null)
    }

    /// True for [`Value`](Maybe::Value).
    pub fn is_value(&self) -> bool {
        matches!(self, Maybe::Value(_))
    }

    /// The value, if there is one.
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Maybe::Value(value) => Some(value),
            Maybe::Absent | Maybe::Null => None,
        }
    }

    /// The value, if there is one.
    pub fn into_option(self) -> Option<T> {
        match self {
            Maybe::Value(value) => Some(value),
            Maybe::Absent | Maybe::Null => None,
        }
    }

    /// Borrows the value.
    pub fn as_ref(&self) -> Maybe<&T> {
        match self {
            Maybe::Absent => Maybe::Absent,
            Maybe::Null => Maybe::Null,
            Maybe::Value(value) => Maybe::Value(value),
        }
    }

    /// Maps the value, keeping `Absent` and `Null`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Maybe<U> {
        match self {
            Maybe::Absent => Maybe::Absent,
            Maybe::Null => Maybe::Null,
            Maybe::Value(value) => Maybe::Value(f(value)),
        }
    }
}

impl<T> From<T> for Maybe<T> {
    fn from(value: T) -> Self {
        Maybe::Value(value)
    }
}

impl<T> From<Option<T>> for Maybe<T> {
    /// `None` is an explicit [`Null`](Maybe::Null).
    fn from(value: Option<T>) -> Self {
        match value {
            Some(value) => Maybe::Value(value),
            None => Maybe::Null,
        }
    }
}

impl<T: Serialize> Serialize for Maybe<T> {
    /// `Null` as `null`, `Value` as the value. `Absent` is normally skipped by
    /// `skip_serializing_if`; serialized anyway (in a list, say), it is `null` too.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Maybe::Value(value) => serializer.serialize_some(value),
            Maybe::Absent | Maybe::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Maybe<T> {
    /// `null` is `Null`, anything else a `Value`; a missing field is `Absent` through
    /// `#[serde(default)]`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.into())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Input {
        #[serde(default, skip_serializing_if = "Maybe::is_absent")]
        name: Maybe<String>,
        // The absolute path generated code uses resolves inside this crate too.
        #[serde(default, skip_serializing_if = "::shopql_sdk::Maybe::is_absent")]
        count: ::shopql_sdk::Maybe<i32>,
        #[serde(default, skip_serializing_if = "Maybe::is_absent")]
        tags: Maybe<Vec<Maybe<String>>>,
    }

    #[test]
    fn serializes_three_states() {
        let input = Input {
            name: Maybe::Null,
            count: 2.into(),
            tags: Maybe::Absent,
        };
        assert_eq!(
            serde_json::to_value(&input).unwrap(),
            json!({"name": null, "count": 2})
        );
        assert_eq!(serde_json::to_string(&Input::default()).unwrap(), "{}");
        let list = Input {
            tags: vec![Maybe::Value("a".to_owned()), Maybe::Null].into(),
            ..Input::default()
        };
        assert_eq!(
            serde_json::to_value(&list).unwrap(),
            json!({"tags": ["a", null]})
        );
    }

    #[test]
    fn deserializes_three_states() {
        let input: Input = serde_json::from_value(json!({"name": null, "count": 5})).unwrap();
        assert_eq!(
            input,
            Input {
                name: Maybe::Null,
                count: Maybe::Value(5),
                tags: Maybe::Absent,
            }
        );
    }

    #[test]
    fn conversions_and_accessors() {
        assert_eq!(Maybe::from(Some(1)), Maybe::Value(1));
        assert_eq!(Maybe::<i32>::from(None), Maybe::Null);
        assert_eq!(Maybe::from(7), Maybe::Value(7));
        assert_eq!(Maybe::<i32>::default(), Maybe::Absent);
        let value = Maybe::Value(3);
        assert_eq!(value.as_option(), Some(&3));
        assert_eq!(value.as_ref(), Maybe::Value(&3));
        assert_eq!(value.map(|n| n * 2).into_option(), Some(6));
        assert!(Maybe::<i32>::Absent.is_absent() && Maybe::<i32>::Null.is_null());
        assert!(value.is_value() && Maybe::<i32>::Null.as_option().is_none());
    }
}
