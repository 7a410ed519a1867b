//! [`GraphqlClient`]: what the generated clients talk to.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::response::{RawResponse, Response, decode_data};
use crate::transport::{HttpRequest, HttpResponse, ReqwestTransport, Transport};

/// A named operation with typed variables and data; the generated code implements it for every
/// operation document under `schemas/operations/<api>/`, and [`GraphqlClient::run`] sends it.
///
/// ```
/// use shopql_sdk::GraphqlOperation;
///
/// struct Acquire;
///
/// #[derive(serde::Serialize)]
/// struct AcquireVariables { key: String }
///
/// #[derive(serde::Deserialize)]
/// struct AcquireData { acquire: bool }
///
/// impl GraphqlOperation for Acquire {
///     type Variables = AcquireVariables;
///     type Data = AcquireData;
///     const QUERY: &'static str = "mutation Acquire($key: String!) { acquire(key: $key) }";
///     const OPERATION_NAME: &'static str = "Acquire";
/// }
/// ```
pub trait GraphqlOperation {
    /// The variables, serialized as the request's `variables`.
    type Variables: Serialize + Send + Sync;
    /// The shape of the response's `data`.
    type Data: DeserializeOwned;
    /// The operation document.
    const QUERY: &'static str;
    /// The operation's name, sent as `operationName`.
    const OPERATION_NAME: &'static str;
}

/// A GraphQL endpoint: URL, headers, credentials and the [`Transport`] that reaches it.
///
/// Cheap to clone (the configuration is behind an `Arc`); the builder methods (`header`,
/// `bearer`) return a changed copy and leave other clones alone. Every request is a `POST` of
/// `{"query", "operationName", "variables"}` with `Content-Type: application/json`.
///
/// ```no_run
/// use shopql_sdk::{GraphqlClient, auth};
///
/// # async fn demo() -> shopql_sdk::Result<()> {
/// let client = GraphqlClient::new("http://127.0.0.1:4000/client/graphql")
///     .header(auth::CLIENT_ORIGIN_HEADER, "www.my-vinyl-store.com");
/// let data: serde_json::Value = client
///     .execute_data(
///         "query Items { inventoryItems(filters: {}, pagination: { page: 1, limit: 2 }) { pagination { count } } }",
///         "Items",
///         &serde_json::json!({}),
///     )
///     .await?;
/// println!("{data}");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct GraphqlClient {
    inner: Arc<Config>,
}

#[derive(Clone)]
struct Config {
    url: String,
    headers: Vec<(String, String)>,
    bearer: Option<String>,
    transport: Arc<dyn Transport>,
}

/// The request body of the GraphQL-over-HTTP POST.
#[derive(Serialize)]
struct RequestBody<'a, V: Serialize + ?Sized> {
    query: &'a str,
    #[serde(rename = "operationName", skip_serializing_if = "is_empty")]
    operation_name: &'a str,
    variables: &'a V,
}

fn is_empty(text: &&str) -> bool {
    text.is_empty()
}

impl GraphqlClient {
    /// A client for this endpoint over a new [`ReqwestTransport`] with default settings. Clone
    /// the client (not the URL) to share connections.
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_transport(url, Arc::new(ReqwestTransport::new()))
    }

    /// A client for this endpoint over the given transport: a configured
    /// [`ReqwestTransport`], a test double, a wrapper that retries, …
    pub fn with_transport(url: impl Into<String>, transport: Arc<dyn Transport>) -> Self {
        GraphqlClient {
            inner: Arc::new(Config {
                url: url.into(),
                headers: Vec::new(),
                bearer: None,
                transport,
            }),
        }
    }

    /// The endpoint URL.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// The transport; pass it to [`auth::shop_token_with`](crate::auth::shop_token_with) to
    /// reuse its connections.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.inner.transport
    }

    /// The extra headers set with [`header`](Self::header).
    pub fn headers(&self) -> &[(String, String)] {
        &self.inner.headers
    }

    /// The bearer token, if one is set.
    pub fn bearer_token(&self) -> Option<&str> {
        self.inner.bearer.as_deref()
    }

    /// Adds a header to every request, replacing an earlier one of the same name (names are
    /// matched case-insensitively). It also replaces the SDK's own `Content-Type` or `Accept`
    /// if named so; `Authorization` is replaced by [`bearer`](Self::bearer) when that is set.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.set_header(name, value);
        self
    }

    /// Like [`header`](Self::header), in place.
    pub fn set_header(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let config = Arc::make_mut(&mut self.inner);
        config
            .headers
            .retain(|(key, _)| !key.eq_ignore_ascii_case(&name));
        config.headers.push((name, value.into()));
    }

    /// Removes a header set with [`header`](Self::header).
    pub fn remove_header(&mut self, name: &str) {
        Arc::make_mut(&mut self.inner)
            .headers
            .retain(|(key, _)| !key.eq_ignore_ascii_case(name));
    }

    /// Sends `Authorization: Bearer <token>` with every request.
    pub fn bearer(mut self, token: impl Into<String>) -> Self {
        self.set_bearer(Some(token.into()));
        self
    }

    /// Sets or (with `None`) removes the bearer token, in place: after a login, a token refresh.
    pub fn set_bearer(&mut self, token: Option<String>) {
        Arc::make_mut(&mut self.inner).bearer = token;
    }

    /// The headers of a request: the defaults, the extra headers, then the bearer token.
    fn request_headers(&self) -> Vec<(String, String)> {
        let config = &*self.inner;
        let mut headers: Vec<(String, String)> = [
            ("content-type", "application/json"),
            (
                "accept",
                "application/graphql-response+json, application/json;q=0.9",
            ),
        ]
        .into_iter()
        .filter(|(name, _)| {
            !config
                .headers
                .iter()
                .any(|(key, _)| key.eq_ignore_ascii_case(name))
        })
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
        headers.extend(config.headers.iter().cloned());
        if let Some(token) = &config.bearer {
            headers.retain(|(key, _)| !key.eq_ignore_ascii_case("authorization"));
            headers.push(("authorization".to_owned(), format!("Bearer {token}")));
        }
        headers
    }

    /// POSTs the operation and parses the envelope.
    async fn send<V: Serialize + ?Sized>(
        &self,
        query: &str,
        operation_name: &str,
        variables: &V,
    ) -> Result<RawResponse> {
        let body = serde_json::to_vec(&RequestBody {
            query,
            operation_name,
            variables,
        })
        .map_err(|error| Error::Encode(error.to_string()))?;
        let request = HttpRequest {
            url: self.inner.url.clone(),
            headers: self.request_headers(),
            body,
        };
        let response = self.inner.transport.send(request).await?;
        interpret(response)
    }

    /// Sends one operation and returns the whole response: data and errors are both kept.
    ///
    /// `operation_name` may be empty (it is then not sent). A response with GraphQL `errors` is
    /// `Ok` whatever its HTTP status; if its partial `data` does not fit `D` (a `null` where `D`
    /// has no `Option`), `data` is `None` and the errors say why. Without errors, a `data` that
    /// does not fit is [`Error::Decode`] naming the JSON path, such as
    /// `data.cart.items[0].quantity`. A non-GraphQL body is [`Error::Status`] (non-2xx),
    /// [`Error::Decode`] (2xx, not JSON) or [`Error::NoData`] (2xx, neither `data` nor `errors`).
    pub async fn execute<V, D>(
        &self,
        query: &str,
        operation_name: &str,
        variables: &V,
    ) -> Result<Response<D>>
    where
        V: Serialize + ?Sized,
        D: DeserializeOwned,
    {
        let raw = self.send(query, operation_name, variables).await?;
        let data = match raw.data {
            None => None,
            Some(value) => match decode_data::<D>(value) {
                Ok(data) => Some(data),
                Err(error) if raw.errors.is_empty() => return Err(error),
                Err(_) => None,
            },
        };
        Ok(Response {
            data,
            errors: raw.errors,
            extensions: raw.extensions,
        })
    }

    /// Sends one operation and returns its data; any GraphQL error becomes
    /// [`Error::Graphql`] (with the partial data as JSON), and a response without data is
    /// [`Error::NoData`]. Other failures as in [`execute`](Self::execute).
    pub async fn execute_data<V, D>(
        &self,
        query: &str,
        operation_name: &str,
        variables: &V,
    ) -> Result<D>
    where
        V: Serialize + ?Sized,
        D: DeserializeOwned,
    {
        let raw = self.send(query, operation_name, variables).await?;
        if !raw.errors.is_empty() {
            return Err(Error::Graphql {
                errors: raw.errors,
                data: raw.data,
            });
        }
        decode_data(raw.data.ok_or(Error::NoData)?)
    }

    /// Runs a typed operation: [`execute_data`](Self::execute_data) with its query and name.
    pub async fn run<O: GraphqlOperation>(&self, variables: &O::Variables) -> Result<O::Data> {
        self.execute_data(O::QUERY, O::OPERATION_NAME, variables)
            .await
    }

    /// Runs a typed operation and returns the whole response:
    /// [`execute`](Self::execute) with its query and name.
    pub async fn run_response<O: GraphqlOperation>(
        &self,
        variables: &O::Variables,
    ) -> Result<Response<O::Data>> {
        self.execute(O::QUERY, O::OPERATION_NAME, variables).await
    }
}

/// Reads an HTTP response as a GraphQL response.
fn interpret(response: HttpResponse) -> Result<RawResponse> {
    let success = response.is_success();
    match RawResponse::parse(&response.body) {
        Ok(raw) if raw.is_graphql() => Ok(raw),
        _ if !success => Err(Error::Status {
            status: response.status,
            body: response.text(),
        }),
        Ok(_) => Err(Error::NoData),
        Err(error) => {
            let text = response.text();
            let start: String = text.trim().chars().take(200).collect();
            Err(Error::decode(
                "",
                format!(
                    "HTTP {} with a body that is not a GraphQL JSON response ({error}); it starts with {start:?}",
                    response.status
                ),
            ))
        }
    }
}

impl fmt::Debug for GraphqlClient {
    /// Shows header names only and hides the bearer token: both may hold secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &*self.inner;
        let header_names: Vec<&str> = config
            .headers
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        f.debug_struct("GraphqlClient")
            .field("url", &config.url)
            .field("headers", &header_names)
            .field("bearer", &config.bearer.as_ref().map(|_| "<redacted>"))
            .field("transport", &config.transport)
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
        headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .collect()
    }

    #[test]
    fn headers_defaults_overrides_and_bearer() {
        let client = GraphqlClient::new("http://x/graphql")
            .header("X-One", "1")
            .header("x-one", "2")
            .header("Authorization", "Basic abc")
            .header("Accept", "application/json");
        let headers = client.request_headers();
        assert_eq!(header(&headers, "x-one"), vec!["2"]);
        assert_eq!(header(&headers, "content-type"), vec!["application/json"]);
        assert_eq!(header(&headers, "accept"), vec!["application/json"]);
        assert_eq!(header(&headers, "authorization"), vec!["Basic abc"]);
        let with_token = client.clone().bearer("t0k");
        assert_eq!(
            header(&with_token.request_headers(), "authorization"),
            vec!["Bearer t0k"]
        );
        // The clone it came from is untouched.
        assert_eq!(client.bearer_token(), None);
        let mut removed = with_token;
        removed.set_bearer(None);
        removed.remove_header("authorization");
        assert!(header(&removed.request_headers(), "authorization").is_empty());
    }

    #[test]
    fn debug_hides_secrets() {
        let client = GraphqlClient::new("http://x/graphql")
            .header("x-crystallize-access-token-secret", "hush")
            .bearer("secret-token");
        let text = format!("{client:?}");
        assert!(
            !text.contains("hush") && !text.contains("secret-token"),
            "{text}"
        );
        assert!(text.contains("x-crystallize-access-token-secret"));
    }

    #[test]
    fn body_shape() {
        let body = serde_json::to_value(RequestBody {
            query: "{ a }",
            operation_name: "",
            variables: &serde_json::json!({"x": 1}),
        })
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"query": "{ a }", "variables": {"x": 1}})
        );
    }

    #[test]
    fn interpret_classifies_bodies() {
        let graphql_400 =
            interpret(HttpResponse::new(400, r#"{"errors":[{"message":"bad"}]}"#)).unwrap();
        assert_eq!(graphql_400.errors.len(), 1);
        assert!(matches!(
            interpret(HttpResponse::new(502, "<html>bad gateway</html>")),
            Err(Error::Status { status: 502, .. })
        ));
        assert!(matches!(
            interpret(HttpResponse::new(401, r#"{"error":"expired"}"#)),
            Err(Error::Status { status: 401, .. })
        ));
        assert!(matches!(
            interpret(HttpResponse::new(200, r#"{"data":null}"#)),
            Err(Error::NoData)
        ));
        let not_json = interpret(HttpResponse::new(200, "<html>")).unwrap_err();
        assert!(
            matches!(&not_json, Error::Decode { path, message } if path.is_empty() && message.contains("<html>")),
            "{not_json:?}"
        );
    }

    #[test]
    fn futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let client = GraphqlClient::new("http://x/graphql");
        let variables = serde_json::json!({});
        let execute = client.execute::<_, serde_json::Value>("{ a }", "", &variables);
        assert_send(&execute);
        let data = client.execute_data::<_, serde_json::Value>("{ a }", "", &variables);
        assert_send(&data);
    }
}
