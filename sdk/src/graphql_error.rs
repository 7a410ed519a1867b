//! The entries of a GraphQL response's `errors` list, as the server sends them: message,
//! locations, path and extensions (with `code`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// One entry of a response's `errors` list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphqlError {
    /// What went wrong, for people.
    pub message: String,
    /// Where in the query document the error applies.
    #[serde(default, deserialize_with = "null_as_default")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<ErrorLocation>,
    /// The response path of the field that failed, such as `["cart", "items", 0, "price"]`.
    #[serde(default, deserialize_with = "null_as_default")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<PathSegment>,
    /// Server-specific details; shopql servers put a machine-readable `code` here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<serde_json::Map<String, serde_json::Value>>,
}

impl GraphqlError {
    /// A new error with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        GraphqlError {
            message: message.into(),
            locations: Vec::new(),
            path: Vec::new(),
            extensions: None,
        }
    }

    /// `extensions.code` when it is a string: `UNAUTHENTICATED`, `FORBIDDEN`, `BAD_USER_INPUT`,
    /// `NOT_FOUND`, `CONFLICT`, `INTERNAL` on shopql servers; other servers use their own.
    pub fn code(&self) -> Option<&str> {
        self.extensions.as_ref()?.get("code")?.as_str()
    }

    /// The path as text, such as `cart.items[0].price`; empty when the error has no path.
    pub fn path_string(&self) -> String {
        let mut text = String::new();
        for segment in &self.path {
            match segment {
                PathSegment::Field(name) => {
                    if !text.is_empty() {
                        text.push('.');
                    }
                    text.push_str(name);
                }
                PathSegment::Index(index) => text.push_str(&format!("[{index}]")),
            }
        }
        text
    }
}

impl fmt::Display for GraphqlError {
    /// `message [CODE] (at path)`, leaving out what is absent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(code) = self.code() {
            write!(f, " [{code}]")?;
        }
        if !self.path.is_empty() {
            write!(f, " (at {})", self.path_string())?;
        }
        Ok(())
    }
}

impl std::error::Error for GraphqlError {}

/// A line and column (both from 1) in the query document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ErrorLocation {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
}

/// One step of an error path: a field name or a list index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PathSegment {
    /// A field name (or alias).
    Field(String),
    /// A position in a list.
    Index(usize),
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Field(name) => f.write_str(name),
            PathSegment::Index(index) => write!(f, "{index}"),
        }
    }
}

/// Reads `null` as the type's default (servers send `"errors": null`, `"path": null`).
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
