//! The GraphQL response envelope: `data`, `errors`, `extensions`.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::graphql_error::{GraphqlError, null_as_default};

/// A decoded GraphQL response: the data and the errors are both kept, as GraphQL allows partial
/// data next to errors.
#[derive(Clone, Debug, PartialEq)]
pub struct Response<D> {
    /// The `data` member; `None` when it was absent or `null`.
    pub data: Option<D>,
    /// The `errors` member; empty when absent.
    pub errors: Vec<GraphqlError>,
    /// The `extensions` member, if the server sent one (tracing, cost, …).
    pub extensions: Option<serde_json::Map<String, serde_json::Value>>,
}

impl<D> Response<D> {
    /// True when the response carries at least one GraphQL error.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The data if there were no errors; otherwise [`Error::Graphql`] (without the partial data,
    /// which is typed here: take `self.data` first if you need it), or [`Error::NoData`].
    pub fn into_result(self) -> Result<D> {
        if !self.errors.is_empty() {
            return Err(Error::graphql(self.errors, None));
        }
        self.data.ok_or_else(Error::no_data)
    }
}

/// The envelope as it arrives, before `data` is decoded into the caller's type.
#[derive(Debug, Deserialize)]
pub(crate) struct RawResponse {
    #[serde(default)]
    pub data: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub errors: Vec<GraphqlError>,
    #[serde(default)]
    pub extensions: Option<serde_json::Map<String, serde_json::Value>>,
    /// The HTTP status it came with.
    #[serde(skip)]
    pub status: u16,
    /// The `Retry-After` header it came with.
    #[serde(skip)]
    pub retry_after: Option<std::time::Duration>,
    /// The `x-request-id` the request was sent with.
    #[serde(skip)]
    pub request_id: String,
}

impl RawResponse {
    /// Parses a body as a GraphQL response envelope; fails when it is not a JSON object of that
    /// shape. Check [`is_graphql`](Self::is_graphql) too: a REST error body such as
    /// `{"error":"…"}` parses, but has neither `data` nor `errors`.
    pub(crate) fn parse(body: &[u8]) -> std::result::Result<RawResponse, serde_json::Error> {
        serde_json::from_slice(body)
    }

    pub(crate) fn is_graphql(&self) -> bool {
        self.data.is_some() || !self.errors.is_empty()
    }
}

/// Decodes a `data` value into `D`; a failure names the JSON path, starting at `data`.
pub(crate) fn decode_data<D: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<D> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let inner = error.path().to_string();
        let path = if inner == "." || inner.is_empty() {
            "data".to_owned()
        } else if inner.starts_with('[') {
            format!("data{inner}")
        } else {
            format!("data.{inner}")
        };
        Error::decode(path, error.into_inner())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::graphql_error::{ErrorLocation, PathSegment};
    use serde_json::json;

    #[test]
    fn graphql_error_decodes_everything() {
        let error: GraphqlError = serde_json::from_value(json!({
            "message": "Cart not found",
            "locations": [{"line": 2, "column": 3}],
            "path": ["cart", "items", 0, "price"],
            "extensions": {"code": "NOT_FOUND", "id": "x"}
        }))
        .unwrap();
        assert_eq!(error.code(), Some("NOT_FOUND"));
        assert_eq!(error.locations, vec![ErrorLocation { line: 2, column: 3 }]);
        assert_eq!(
            error.path,
            vec![
                PathSegment::Field("cart".into()),
                PathSegment::Field("items".into()),
                PathSegment::Index(0),
                PathSegment::Field("price".into()),
            ]
        );
        assert_eq!(error.path_string(), "cart.items[0].price");
        assert_eq!(
            error.to_string(),
            "Cart not found [NOT_FOUND] (at cart.items[0].price)"
        );
        let back = serde_json::to_value(&error).unwrap();
        assert_eq!(back["path"], json!(["cart", "items", 0, "price"]));
    }

    #[test]
    fn graphql_error_tolerates_missing_and_null_members() {
        let error: GraphqlError =
            serde_json::from_value(json!({"message": "m", "locations": null, "path": null}))
                .unwrap();
        assert!(error.locations.is_empty() && error.path.is_empty());
        assert_eq!(error.code(), None);
        let bare: GraphqlError = serde_json::from_value(json!({"message": "m"})).unwrap();
        assert_eq!(bare, GraphqlError::new("m"));
        assert_eq!(
            serde_json::to_value(&bare).unwrap(),
            json!({"message": "m"})
        );
    }

    #[test]
    fn decode_data_names_the_path() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Item {
            quantity: i32,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Cart {
            items: Vec<Item>,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Data {
            cart: Cart,
        }
        let error =
            decode_data::<Data>(json!({"cart": {"items": [{"quantity": "two"}]}})).unwrap_err();
        match error {
            Error::Decode { path, message, .. } => {
                assert_eq!(path, "data.cart.items[0].quantity");
                assert!(message.contains("invalid type"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        let top = decode_data::<Data>(json!(3)).unwrap_err();
        assert!(
            matches!(top, Error::Decode { ref path, .. } if path == "data"),
            "{top:?}"
        );
    }

    #[test]
    fn response_into_result() {
        let ok: Response<i32> = Response {
            data: Some(1),
            errors: vec![],
            extensions: None,
        };
        assert!(!ok.has_errors());
        assert_eq!(ok.into_result().unwrap(), 1);
        let failed: Response<i32> = Response {
            data: Some(1),
            errors: vec![GraphqlError::new("no")],
            extensions: None,
        };
        assert!(matches!(failed.into_result(), Err(Error::Graphql { .. })));
        let empty: Response<i32> = Response {
            data: None,
            errors: vec![],
            extensions: None,
        };
        assert!(matches!(empty.into_result(), Err(Error::NoData { .. })));
    }
}
