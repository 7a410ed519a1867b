//! The one error type of the SDK, and the error a [`Transport`](crate::Transport) reports.

use std::fmt;

use crate::response::GraphqlError;

/// The result type of every fallible SDK call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Longest part of an HTTP body shown in an error message (the full body stays in the error).
const BODY_SNIPPET: usize = 500;

/// Everything that can go wrong when talking to a GraphQL API.
///
/// Each variant's message says what happened and, where it can, what to do about it:
///
/// | variant | when |
/// |---|---|
/// | [`Transport`](Error::Transport) | the request never got an HTTP answer: connection refused, DNS, TLS, timeout |
/// | [`Status`](Error::Status) | the server answered with a status and a body that is not a GraphQL response (a 401 from a proxy, a 502 page), or a REST endpoint such as the shop token endpoint refused |
/// | [`Graphql`](Error::Graphql) | the server answered with GraphQL `errors` (whatever the HTTP status); any partial `data` is kept |
/// | [`Decode`](Error::Decode) | the response did not match the generated types; `path` names the JSON path that failed |
/// | [`NoData`](Error::NoData) | a successful response had neither `data` nor `errors` |
/// | [`Encode`](Error::Encode) | the variables could not be serialized to JSON |
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No HTTP response was received.
    #[error("could not complete the HTTP request: {0}")]
    Transport(#[from] TransportError),

    /// The server answered with this status and a body that is not a GraphQL response.
    #[error("{}", status_message(*.status, .body))]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The response body as text (lossy UTF-8), or the error message a REST endpoint gave.
        body: String,
    },

    /// The server reported GraphQL errors.
    #[error("{}", graphql_message(.errors))]
    Graphql {
        /// Every error of the response, in order; never empty when built by the SDK.
        errors: Vec<GraphqlError>,
        /// The partial `data` that came with the errors, if any (`None` for `"data": null`).
        data: Option<serde_json::Value>,
    },

    /// The response could not be decoded into the expected type.
    #[error("{}", decode_message(.path, .message))]
    Decode {
        /// The JSON path that failed, such as `data.cart.items[0].quantity`; empty when the body
        /// itself is not JSON.
        path: String,
        /// What was wrong there.
        message: String,
    },

    /// A response with status 2xx had neither `data` nor `errors`.
    #[error("the GraphQL response had neither `data` nor `errors`; is the URL a GraphQL endpoint?")]
    NoData,

    /// The variables could not be serialized to JSON.
    #[error("could not encode the request as JSON: {0}")]
    Encode(String),
}

impl Error {
    /// The `extensions.code` of the first GraphQL error, such as `UNAUTHENTICATED` or
    /// `BAD_USER_INPUT`; `None` for other variants or an error without a code.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Graphql { errors, .. } => errors.first().and_then(GraphqlError::code),
            _ => None,
        }
    }

    /// The GraphQL errors of a [`Graphql`](Error::Graphql) error, or an empty slice.
    pub fn graphql_errors(&self) -> &[GraphqlError] {
        match self {
            Error::Graphql { errors, .. } => errors,
            _ => &[],
        }
    }

    /// The HTTP status of a [`Status`](Error::Status) error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True when the request timed out (see [`ReqwestTransport`](crate::ReqwestTransport)'s
    /// timeouts).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(e) if e.kind() == TransportErrorKind::Timeout)
    }

    pub(crate) fn decode(path: impl Into<String>, message: impl fmt::Display) -> Self {
        Error::Decode {
            path: path.into(),
            message: message.to_string(),
        }
    }
}

fn snippet(body: &str) -> String {
    let body = body.trim();
    if body.chars().count() <= BODY_SNIPPET {
        body.to_owned()
    } else {
        let cut: String = body.chars().take(BODY_SNIPPET).collect();
        format!("{cut}… ({} bytes in all)", body.len())
    }
}

fn status_message(status: u16, body: &str) -> String {
    let hint = match status {
        401 => " (check the credentials: bearer token, API key or access token id/secret)",
        403 => " (the credentials are valid but lack the permission or scope for this call)",
        404 => " (check the URL: tenant, API path)",
        405 => " (check the URL: is it the GraphQL endpoint?)",
        429 => " (rate limited: retry later)",
        500..=599 => " (server error: retry later or report it)",
        _ => "",
    };
    let body = snippet(body);
    if body.is_empty() {
        format!("the server answered HTTP {status} with an empty body{hint}")
    } else {
        format!("the server answered HTTP {status}{hint}: {body}")
    }
}

fn graphql_message(errors: &[GraphqlError]) -> String {
    let Some(first) = errors.first() else {
        return "the GraphQL request failed without an error message".to_owned();
    };
    let mut text = format!("GraphQL error: {first}");
    if errors.len() > 1 {
        text.push_str(&format!(" (and {} more)", errors.len() - 1));
    }
    text
}

fn decode_message(path: &str, message: &str) -> String {
    if path.is_empty() || path == "." {
        format!("could not decode the response: {message}")
    } else {
        format!("could not decode the response at `{path}`: {message}")
    }
}

/// What kind of failure a [`TransportError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be opened: refused, DNS, TLS handshake.
    Connect,
    /// The connection or the whole request took longer than the configured timeout.
    Timeout,
    /// Anything else: the connection broke, the request could not be built, …
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "connection failed",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Other => "transport error",
        })
    }
}

/// A request that got no HTTP response, as reported by a [`Transport`](crate::Transport).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
}

impl TransportError {
    /// A transport error of this kind with this message.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
        }
    }

    /// A [`Connect`](TransportErrorKind::Connect) error.
    pub fn connect(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::Connect, message)
    }

    /// A [`Timeout`](TransportErrorKind::Timeout) error.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::Timeout, message)
    }

    /// An [`Other`](TransportErrorKind::Other) error.
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::Other, message)
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The message, including the causes the transport reported.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// True for a [`Timeout`](TransportErrorKind::Timeout).
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportErrorKind::Timeout
    }

    /// True for a [`Connect`](TransportErrorKind::Connect) error.
    pub fn is_connect(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for TransportError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{ErrorLocation, PathSegment};

    fn graphql_error(message: &str, code: Option<&str>) -> GraphqlError {
        let extensions = code.map(|code| {
            let mut map = serde_json::Map::new();
            map.insert("code".into(), code.into());
            map
        });
        GraphqlError {
            message: message.into(),
            locations: vec![ErrorLocation { line: 1, column: 2 }],
            path: vec![PathSegment::Field("cart".into())],
            extensions,
        }
    }

    #[test]
    fn errors_are_thread_safe_std_errors() {
        fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
        assert_error::<Error>();
        assert_error::<TransportError>();
        assert_error::<GraphqlError>();
    }

    #[test]
    fn graphql_display_names_first_error_and_count() {
        let error = Error::Graphql {
            errors: vec![
                graphql_error("Cart not found", Some("NOT_FOUND")),
                graphql_error("second", None),
                graphql_error("third", None),
            ],
            data: None,
        };
        assert_eq!(
            error.to_string(),
            "GraphQL error: Cart not found [NOT_FOUND] (at cart) (and 2 more)"
        );
        assert_eq!(error.code(), Some("NOT_FOUND"));
        assert_eq!(error.graphql_errors().len(), 3);
    }

    #[test]
    fn graphql_display_single_and_empty() {
        let one = Error::Graphql {
            errors: vec![graphql_error("boom", None)],
            data: None,
        };
        assert_eq!(one.to_string(), "GraphQL error: boom (at cart)");
        assert_eq!(one.code(), None);
        let none = Error::Graphql {
            errors: vec![],
            data: None,
        };
        assert!(none.to_string().contains("without an error message"));
    }

    #[test]
    fn status_display_hints_and_truncates() {
        let error = Error::Status {
            status: 401,
            body: "API Token has expired".into(),
        };
        assert_eq!(
            error.to_string(),
            "the server answered HTTP 401 (check the credentials: bearer token, API key or access token id/secret): API Token has expired"
        );
        assert_eq!(error.status(), Some(401));
        let long = Error::Status {
            status: 502,
            body: "x".repeat(2000),
        };
        let text = long.to_string();
        assert!(text.contains("(2000 bytes in all)"), "{text}");
        assert!(text.len() < 700);
        let empty = Error::Status {
            status: 418,
            body: String::new(),
        };
        assert_eq!(
            empty.to_string(),
            "the server answered HTTP 418 with an empty body"
        );
    }

    #[test]
    fn decode_and_transport_display() {
        let error = Error::decode("data.cart.items[0].quantity", "invalid type: string");
        assert_eq!(
            error.to_string(),
            "could not decode the response at `data.cart.items[0].quantity`: invalid type: string"
        );
        assert_eq!(
            Error::decode("", "not JSON").to_string(),
            "could not decode the response: not JSON"
        );
        let timeout = Error::from(TransportError::timeout("after 30s"));
        assert!(timeout.is_timeout());
        assert_eq!(
            timeout.to_string(),
            "could not complete the HTTP request: timed out: after 30s"
        );
        assert!(TransportError::connect("refused").is_connect());
        assert_eq!(TransportError::other("x").kind(), TransportErrorKind::Other);
    }
}
