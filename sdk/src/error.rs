//! The one error type of the SDK, and the error a [`Transport`](crate::Transport) reports.

use std::fmt;
use std::time::Duration;

use crate::graphql_error::GraphqlError;

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
///
/// Every error of a request that was sent carries its `x-request-id` ([`Error::request_id`]);
/// [`Error::retry_after`] and [`Error::is_retryable`] serve callers who retry by themselves.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No HTTP response was received.
    #[error("could not complete the HTTP request: {0}")]
    Transport(#[from] TransportError),

    /// The server answered with this status and a body that is not a GraphQL response.
    #[error("{}{}", status_message(*.status, .body), id_suffix(.request_id))]
    #[non_exhaustive]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The response body as text (lossy UTF-8), or the error message a REST endpoint gave.
        body: String,
        /// The response's `Retry-After` header, if it had a valid one.
        retry_after: Option<Duration>,
        /// The `x-request-id` the request was sent with.
        request_id: Option<String>,
    },

    /// The server reported GraphQL errors.
    #[error("{}{}", graphql_message(.errors, .http.status), id_suffix(&.http.request_id))]
    #[non_exhaustive]
    Graphql {
        /// Every error of the response, in order; never empty when built by the SDK.
        errors: Vec<GraphqlError>,
        /// The partial `data` that came with the errors, if any (`None` for `"data": null`).
        data: Option<serde_json::Value>,
        /// The HTTP exchange they came from: status, `Retry-After`, request id (boxed: it is
        /// rarely read, and every `Result` of the SDK would carry its size).
        http: Box<HttpInfo>,
    },

    /// The response could not be decoded into the expected type.
    #[error("{}{}", decode_message(.path, .message), id_suffix(.request_id))]
    #[non_exhaustive]
    Decode {
        /// The JSON path that failed, such as `data.cart.items[0].quantity`; empty when the body
        /// itself is not JSON.
        path: String,
        /// What was wrong there.
        message: String,
        /// The `x-request-id` the request was sent with.
        request_id: Option<String>,
    },

    /// A response with status 2xx had neither `data` nor `errors`.
    #[error(
        "the GraphQL response had neither `data` nor `errors`; is the URL a GraphQL endpoint?{}",
        id_suffix(.request_id)
    )]
    #[non_exhaustive]
    NoData {
        /// The `x-request-id` the request was sent with.
        request_id: Option<String>,
    },

    /// The variables could not be serialized to JSON (nothing was sent).
    #[error("could not encode the request as JSON: {0}")]
    Encode(String),
}

/// What the SDK knows about the HTTP exchange behind a [`Graphql`](Error::Graphql) error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpInfo {
    /// The HTTP status the errors came with (a rate-limited request is a GraphQL response with
    /// status 429); `None` when not known.
    pub status: Option<u16>,
    /// The response's `Retry-After` header, if it had a valid one.
    pub retry_after: Option<Duration>,
    /// The `x-request-id` the request was sent with.
    pub request_id: Option<String>,
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

    /// The HTTP status of the response: always there for a [`Status`](Error::Status) error,
    /// and for a [`Graphql`](Error::Graphql) error the SDK received.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } => Some(*status),
            Error::Graphql { http, .. } => http.status,
            _ => None,
        }
    }

    /// True when the request timed out (see [`ReqwestTransport`](crate::ReqwestTransport)'s
    /// timeouts).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(e) if e.kind() == TransportErrorKind::Timeout)
    }

    /// The `x-request-id` the failed request was sent with (the caller's, or the one the SDK
    /// generated); `None` only for an error raised before anything was sent.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Transport(error) => error.request_id(),
            Error::Graphql { http, .. } => http.request_id.as_deref(),
            Error::Status { request_id, .. }
            | Error::Decode { request_id, .. }
            | Error::NoData { request_id } => request_id.as_deref(),
            Error::Encode(_) => None,
        }
    }

    /// How long the server asked the client to wait before trying again: the `Retry-After`
    /// header, else the `extensions.retryAfter` (seconds) of a GraphQL error, as shopql servers
    /// send with `RATE_LIMITED`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Status { retry_after, .. } => *retry_after,
            Error::Graphql { http, .. } if http.retry_after.is_some() => http.retry_after,
            Error::Graphql { errors, .. } => errors.iter().find_map(|error| {
                let seconds = error.extensions.as_ref()?.get("retryAfter")?.as_f64()?;
                Duration::try_from_secs_f64(seconds).ok()
            }),
            _ => None,
        }
    }

    /// True when sending the same request again later may succeed: no HTTP answer (refused,
    /// dropped, timed out), HTTP 429 or 503, or a GraphQL `RATE_LIMITED` or `UNAVAILABLE`.
    ///
    /// It does not say whether a retry is *safe*: a mutation that timed out may have run.
    /// [`GraphqlClient`](crate::GraphqlClient) retries mutations only when nothing ran.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(_) => true,
            Error::Status { status, .. } => matches!(status, 429 | 503),
            Error::Graphql { http, .. } => {
                matches!(http.status, Some(429 | 503))
                    || matches!(self.code(), Some("RATE_LIMITED" | "UNAVAILABLE"))
            }
            _ => false,
        }
    }

    /// True when the server cannot have run any of the request: the connection was never
    /// opened, or the whole request was refused with HTTP 429 before execution. The only case
    /// in which a mutation is retried.
    pub(crate) fn nothing_ran(&self) -> bool {
        match self {
            Error::Transport(error) => error.is_connect(),
            Error::Status { status, .. } => *status == 429,
            Error::Graphql { http, .. } => http.status == Some(429),
            _ => false,
        }
    }

    /// Records the request id on an error that has none yet.
    pub(crate) fn with_request_id(mut self, id: &str) -> Self {
        let slot = match &mut self {
            Error::Transport(error) => &mut error.request_id,
            Error::Graphql { http, .. } => &mut http.request_id,
            Error::Status { request_id, .. }
            | Error::Decode { request_id, .. }
            | Error::NoData { request_id } => request_id,
            Error::Encode(_) => return self,
        };
        if slot.is_none() {
            *slot = Some(id.to_owned());
        }
        self
    }

    /// A [`Status`](Error::Status) error without `Retry-After` or request id.
    pub(crate) fn status_error(status: u16, body: impl Into<String>) -> Self {
        Error::Status {
            status,
            body: body.into(),
            retry_after: None,
            request_id: None,
        }
    }

    /// A [`Graphql`](Error::Graphql) error with nothing known about the HTTP exchange.
    pub(crate) fn graphql(errors: Vec<GraphqlError>, data: Option<serde_json::Value>) -> Self {
        Error::Graphql {
            errors,
            data,
            http: Box::default(),
        }
    }

    /// [`NoData`](Error::NoData) without a request id.
    pub(crate) fn no_data() -> Self {
        Error::NoData { request_id: None }
    }

    pub(crate) fn decode(path: impl Into<String>, message: impl fmt::Display) -> Self {
        Error::Decode {
            path: path.into(),
            message: message.to_string(),
            request_id: None,
        }
    }
}

fn id_suffix(request_id: &Option<String>) -> String {
    match request_id {
        Some(id) => format!(" [request id {id}]"),
        None => String::new(),
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

fn graphql_message(errors: &[GraphqlError], status: Option<u16>) -> String {
    let Some(first) = errors.first() else {
        return "the GraphQL request failed without an error message".to_owned();
    };
    let mut text = format!("GraphQL error: {first}");
    if errors.len() > 1 {
        text.push_str(&format!(" (and {} more)", errors.len() - 1));
    }
    // A 2xx status is the normal case and says nothing; any other is worth seeing (429, 503).
    if let Some(status) = status.filter(|status| !(200..300).contains(status)) {
        text.push_str(&format!(" (HTTP {status})"));
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
    request_id: Option<String>,
}

impl TransportError {
    /// A transport error of this kind with this message.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
            request_id: None,
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

    /// The `x-request-id` of the request that failed, once the client has recorded it.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
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
        write!(f, "{}: {}", self.kind, self.message)?;
        match &self.request_id {
            Some(id) => write!(f, " [request id {id}]"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for TransportError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql_error::{ErrorLocation, PathSegment};

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
        let error = Error::graphql(
            vec![
                graphql_error("Cart not found", Some("NOT_FOUND")),
                graphql_error("second", None),
                graphql_error("third", None),
            ],
            None,
        );
        assert_eq!(
            error.to_string(),
            "GraphQL error: Cart not found [NOT_FOUND] (at cart) (and 2 more)"
        );
        assert_eq!(error.code(), Some("NOT_FOUND"));
        assert_eq!(error.graphql_errors().len(), 3);
    }

    #[test]
    fn graphql_display_single_and_empty() {
        let one = Error::graphql(vec![graphql_error("boom", None)], None);
        assert_eq!(one.to_string(), "GraphQL error: boom (at cart)");
        assert_eq!(one.code(), None);
        let none = Error::graphql(vec![], None);
        assert!(none.to_string().contains("without an error message"));
    }

    #[test]
    fn status_display_hints_and_truncates() {
        let error = Error::status_error(401, "API Token has expired");
        assert_eq!(
            error.to_string(),
            "the server answered HTTP 401 (check the credentials: bearer token, API key or access token id/secret): API Token has expired"
        );
        assert_eq!(error.status(), Some(401));
        let long = Error::status_error(502, "x".repeat(2000));
        let text = long.to_string();
        assert!(text.contains("(2000 bytes in all)"), "{text}");
        assert!(text.len() < 700);
        let empty = Error::status_error(418, "");
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

    #[test]
    fn retry_hints_and_request_ids() {
        let mut limited = graphql_error("slow down", Some("RATE_LIMITED"));
        if let Some(extensions) = limited.extensions.as_mut() {
            extensions.insert("retryAfter".into(), 2.into());
        }
        // From the extension when there is no header, from the header when there is one.
        let error = Error::graphql(vec![limited.clone()], None);
        assert_eq!(error.retry_after(), Some(Duration::from_secs(2)));
        assert!(error.is_retryable(), "RATE_LIMITED");
        assert!(
            !error.nothing_ran(),
            "a 200 with RATE_LIMITED may have run other fields"
        );
        let error = Error::Graphql {
            errors: vec![limited],
            data: None,
            http: Box::new(HttpInfo {
                status: Some(429),
                retry_after: Some(Duration::from_secs(5)),
                request_id: None,
            }),
        };
        assert_eq!(error.retry_after(), Some(Duration::from_secs(5)));
        assert!(error.nothing_ran());
        assert_eq!(error.status(), Some(429));
        let error = error.with_request_id("r-1").with_request_id("r-2");
        assert_eq!(error.request_id(), Some("r-1"));
        assert!(
            error.to_string().ends_with("(HTTP 429) [request id r-1]"),
            "{error}"
        );

        let refused = Error::from(TransportError::connect("refused")).with_request_id("r-3");
        assert_eq!(refused.request_id(), Some("r-3"));
        assert!(
            refused.to_string().ends_with("[request id r-3]"),
            "{refused}"
        );
        assert!(refused.is_retryable() && refused.nothing_ran());
        assert!(!Error::graphql(vec![graphql_error("no", Some("NOT_FOUND"))], None).is_retryable());
        assert!(!Error::decode("data", "bad").is_retryable());
        assert_eq!(
            Error::Encode("x".into()).with_request_id("r").request_id(),
            None
        );
        assert_eq!(
            Error::no_data().with_request_id("r").request_id(),
            Some("r")
        );
    }
}
