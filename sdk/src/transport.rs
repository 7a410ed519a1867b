//! The HTTP layer under [`GraphqlClient`](crate::GraphqlClient): one request in, one response out.
//!
//! The SDK talks to the network only through the [`Transport`] trait, so that tests can answer
//! from memory and applications can add retries, tracing or a proxy of their own. The default is
//! [`ReqwestTransport`]: reqwest with rustls (no OpenSSL), HTTP/1.1 and HTTP/2.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result, TransportError, TransportErrorKind};

/// The HTTP method of a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// A `POST` with a JSON body: every mutation, and queries by default.
    #[default]
    Post,
    /// A `GET` with the operation in the URL's query string and no body: queries, when the
    /// client is set to use GET so that HTTP caches can keep the answers.
    Get,
}

/// One HTTP exchange as the SDK builds it: a `POST` with a JSON body, or a `GET` whose URL holds
/// the operation. The transport does not know GraphQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// `POST` or `GET`.
    pub method: HttpMethod,
    /// The absolute URL to send to (for a `GET`, with its query string).
    pub url: String,
    /// Request headers, in order; names may repeat.
    pub headers: Vec<(String, String)>,
    /// The JSON body; empty for a `GET`.
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// What came back: status, headers and the whole body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Response headers, in order; names are lower case when they come from reqwest.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response with this status and body and no headers (handy in test doubles).
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A response with this status, an `application/json` content type and this JSON value as
    /// the body.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        HttpResponse {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: value.to_string().into_bytes(),
        }
    }

    /// The first value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// Sends one HTTP request and returns the response, whatever its status.
///
/// Implement it to replace the network: a test double that answers from memory, a wrapper
/// that retries or records. A non-2xx status is a normal response, not a [`TransportError`]:
/// the client decides what it means.
///
/// ```
/// use shopql_sdk::{HttpRequest, HttpResponse, Transport, TransportError};
///
/// /// Answers every request with the same GraphQL response.
/// #[derive(Debug)]
/// struct Canned(serde_json::Value);
///
/// #[async_trait::async_trait]
/// impl Transport for Canned {
///     async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
///         Ok(HttpResponse::json(200, &self.0))
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait Transport: Send + Sync + fmt::Debug {
    /// Sends the request; `Err` only when no HTTP response was received.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request).await
    }
}

/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request, from connecting to the end of the body.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The default [`Transport`]: a [`reqwest::Client`] with rustls, connection pooling, HTTP/2.
///
/// Cheap to clone (the client is reference-counted): clones share connections. Timeouts default
/// to [`DEFAULT_CONNECT_TIMEOUT`] (10 s) and [`DEFAULT_REQUEST_TIMEOUT`] (30 s).
///
/// ```
/// use std::{sync::Arc, time::Duration};
/// use shopql_sdk::{GraphqlClient, ReqwestTransport};
///
/// # fn main() -> shopql_sdk::Result<()> {
/// let transport = ReqwestTransport::builder()
///     .connect_timeout(Duration::from_secs(2))
///     .timeout(Duration::from_secs(5))
///     .build()?;
/// let client = GraphqlClient::with_transport("http://127.0.0.1:4000/demo/cart", Arc::new(transport));
///
/// // Or reuse a reqwest::Client the application already has:
/// let shared = ReqwestTransport::from_client(reqwest::Client::new());
/// # let _ = (client, shared);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    /// The client, or why it could not be built (reported by every `send`).
    client: std::result::Result<reqwest::Client, String>,
}

impl ReqwestTransport {
    /// A transport with the default settings.
    ///
    /// Building a reqwest client fails only when the TLS backend cannot start; this constructor
    /// cannot fail, so such a failure is reported by every [`send`](Transport::send) instead. Use
    /// [`builder`](Self::builder) to see it at once.
    pub fn new() -> Self {
        match Self::builder().build() {
            Ok(transport) => transport,
            Err(error) => ReqwestTransport {
                client: Err(error.to_string()),
            },
        }
    }

    /// Settings for a new transport.
    pub fn builder() -> ReqwestTransportBuilder {
        ReqwestTransportBuilder::default()
    }

    /// Uses an existing client, with its own timeouts, proxy and TLS settings.
    pub fn from_client(client: reqwest::Client) -> Self {
        ReqwestTransport { client: Ok(client) }
    }

    /// The underlying client, unless it could not be built.
    pub fn client(&self) -> Option<&reqwest::Client> {
        self.client.as_ref().ok()
    }
}

impl Default for ReqwestTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl From<reqwest::Client> for ReqwestTransport {
    fn from(client: reqwest::Client) -> Self {
        Self::from_client(client)
    }
}

/// Settings for a [`ReqwestTransport`]; see [`ReqwestTransport::builder`].
#[derive(Clone, Debug)]
pub struct ReqwestTransportBuilder {
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
}

impl Default for ReqwestTransportBuilder {
    fn default() -> Self {
        ReqwestTransportBuilder {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_REQUEST_TIMEOUT,
            user_agent: concat!("shopql-sdk/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl ReqwestTransportBuilder {
    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole request, from connecting to the end of the body (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `shopql-sdk/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Builds the transport; fails only when the TLS backend cannot start.
    pub fn build(self) -> Result<ReqwestTransport> {
        let client = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(self.user_agent)
            .build()
            .map_err(|error| Error::Transport(classify(&error)))?;
        Ok(ReqwestTransport::from_client(client))
    }
}

#[async_trait::async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let client = self.client.as_ref().map_err(|message| {
            TransportError::other(format!("the HTTP client could not be built: {message}"))
        })?;
        let mut builder = match request.method {
            HttpMethod::Post => client.post(&request.url),
            HttpMethod::Get => client.get(&request.url),
        };
        for (name, value) in &request.headers {
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| TransportError::other(format!("invalid HTTP header name {name:?}")))?;
            let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                TransportError::other(format!("invalid value for HTTP header `{name}`"))
            })?;
            builder = builder.header(name, value);
        }
        if request.method == HttpMethod::Post {
            builder = builder.body(request.body);
        }
        let response = builder.send().await.map_err(|error| classify(&error))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .bytes()
            .await
            .map_err(|error| classify(&error))?
            .to_vec();
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// Turns a reqwest error into a [`TransportError`] whose message carries the whole cause chain
/// (reqwest's own message alone is only "error sending request for url (…)").
fn classify(error: &reqwest::Error) -> TransportError {
    let kind = if error.is_timeout() {
        TransportErrorKind::Timeout
    } else if error.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Other
    };
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    TransportError::new(kind, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lookup_is_case_insensitive() {
        let request = HttpRequest {
            method: HttpMethod::Post,
            url: "http://x".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: vec![],
        };
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(request.header("accept"), None);
        let response = HttpResponse::json(200, &serde_json::json!({"data": {}}));
        assert_eq!(response.header("Content-Type"), Some("application/json"));
        assert!(response.is_success());
        assert_eq!(response.text(), r#"{"data":{}}"#);
        assert!(!HttpResponse::new(404, "nope").is_success());
    }

    #[test]
    fn builder_builds() {
        let transport = ReqwestTransport::builder()
            .connect_timeout(Duration::from_millis(50))
            .timeout(Duration::from_millis(100))
            .user_agent("test")
            .build();
        assert!(transport.is_ok_and(|t| t.client().is_some()));
        assert!(ReqwestTransport::new().client().is_some());
    }
}
