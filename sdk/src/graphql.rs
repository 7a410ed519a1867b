//! [`GraphqlClient`]: what the generated clients talk to.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::{Error, HttpInfo, Result};
use crate::response::{RawResponse, Response, decode_data};
use crate::retry::{RetryPolicy, parse_retry_after};
use crate::transport::{HttpMethod, HttpRequest, HttpResponse, ReqwestTransport, Transport};

/// The header that carries the request id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The error code of Apollo's automatic persisted queries protocol for a hash the server does
/// not know; the client then sends the text with the hash.
pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
/// The error code of a server that does not take persisted queries at all.
pub const PERSISTED_QUERY_NOT_SUPPORTED: &str = "PERSISTED_QUERY_NOT_SUPPORTED";

/// Longest URL sent as a `GET`; a longer query goes as a `POST` (proxies and servers commonly
/// refuse URLs past 8 KiB).
const MAX_GET_URL: usize = 8 * 1024;

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
/// `bearer`, `retry`, …) return a changed copy and leave other clones alone. A request is a
/// `POST` of `{"query", "operationName", "variables"}` with `Content-Type: application/json`,
/// or for queries optionally a `GET` ([`get_for_queries`](Self::get_for_queries)).
///
/// * Every request carries an `x-request-id`: the one set with
///   [`request_id`](Self::request_id) (or as a header), else a new UUID per call, kept across
///   the call's retries and reported by every error ([`Error::request_id`]).
/// * Queries are retried on connection errors, timeouts, HTTP 429 and 503 ([`RetryPolicy`]);
///   mutations only when asked and only when nothing ran.
/// * With [`persisted_queries`](Self::persisted_queries), the first request of an operation
///   sends only its SHA-256 hash (Apollo's automatic persisted queries); the text follows only
///   when the server answers `PERSISTED_QUERY_NOT_FOUND`, and a server without the protocol
///   still gets every operation.
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
    retry: RetryPolicy,
    persisted_queries: bool,
    get_for_queries: bool,
    /// Set once the server showed it does not know persisted queries; shared by the clones.
    persisted_unsupported: Arc<AtomicBool>,
    /// Set once the server showed it does not answer GraphQL over GET; shared by the clones.
    get_unsupported: Arc<AtomicBool>,
}

/// The kind of operation a document runs, as far as retries care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Query,
    /// A mutation, a subscription, or a document the SDK could not read: never retried unless
    /// nothing ran.
    Other,
}

/// One call, ready to send as often as needed.
struct Prepared<'a> {
    query: &'a str,
    operation_name: &'a str,
    /// The variables as JSON text, serialized once for all attempts.
    variables: String,
    kind: Kind,
    request_id: String,
    /// The hex SHA-256 of `query`, when persisted queries are on.
    hash: Option<String>,
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
                retry: RetryPolicy::default(),
                persisted_queries: false,
                get_for_queries: false,
                persisted_unsupported: Arc::new(AtomicBool::new(false)),
                get_unsupported: Arc::new(AtomicBool::new(false)),
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

    /// Sends this `x-request-id` with every request instead of a new one per call (the same as
    /// setting the header).
    pub fn request_id(self, id: impl Into<String>) -> Self {
        self.header(REQUEST_ID_HEADER, id)
    }

    /// How failed requests are retried; [`RetryPolicy::never`] turns retries off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        Arc::make_mut(&mut self.inner).retry = policy;
        self
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Sends operations as persisted queries: the hash first, the text only when the server
    /// asks for it (off by default: a server without the protocol costs one extra request,
    /// once per client).
    pub fn persisted_queries(mut self, on: bool) -> Self {
        Arc::make_mut(&mut self.inner).persisted_queries = on;
        self
    }

    /// Sends queries (not mutations) as `GET` requests, which HTTP caches can keep; with
    /// [`persisted_queries`](Self::persisted_queries) the URL is short and the same for
    /// every call with the same variables.
    pub fn get_for_queries(mut self, on: bool) -> Self {
        Arc::make_mut(&mut self.inner).get_for_queries = on;
        self
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

    /// Sends the operation, with retries, and parses the envelope. Every error carries the
    /// request id.
    ///
    /// It takes the variables serialized already: not generic, its future (the retry loop) is
    /// compiled once here rather than in each client crate for each variables type.
    async fn send(
        &self,
        query: &str,
        operation_name: &str,
        variables: String,
    ) -> Result<RawResponse> {
        let config = &*self.inner;
        let request_id = config
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(REQUEST_ID_HEADER))
            .map_or_else(|| uuid::Uuid::new_v4().to_string(), |(_, id)| id.clone());
        let prepared = Prepared {
            query,
            operation_name,
            variables,
            kind: operation_kind(query, operation_name),
            hash: config
                .persisted_queries
                .then(|| hex::encode(Sha256::digest(query.as_bytes()))),
            request_id,
        };
        let mutation = prepared.kind != Kind::Query;
        let started = Instant::now();
        let mut backoff = config.retry.backoff();
        loop {
            // A GraphQL body with HTTP 429 or 503 is a response (the caller of `execute` sees
            // its errors) and a failure worth retrying: it is judged as the error it becomes.
            let (error, response) = match self.attempt(&prepared).await {
                Ok(mut raw) => {
                    raw.request_id.clone_from(&prepared.request_id);
                    if raw_is_success(&raw) {
                        return Ok(raw);
                    }
                    let error = Error::Graphql {
                        errors: raw.errors.clone(),
                        data: None,
                        http: Box::new(HttpInfo {
                            status: Some(raw.status),
                            retry_after: raw.retry_after,
                            request_id: None,
                        }),
                    };
                    (error, Some(raw))
                }
                Err(error) => (error.with_request_id(&prepared.request_id), None),
            };
            let give_up = |error: Error| match response {
                Some(raw) => Ok(raw),
                None => Err(error),
            };
            if !config.retry.allows(&error, mutation) {
                return give_up(error);
            }
            let Some(wait) = backoff.next().and_then(|wait| {
                config
                    .retry
                    .wait(wait, error.retry_after(), started.elapsed())
            }) else {
                return give_up(error);
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt: the hash alone first when persisted queries are on, then the text if the
    /// server asks for it.
    async fn attempt(&self, prepared: &Prepared<'_>) -> Result<RawResponse> {
        let config = &*self.inner;
        let hash = prepared
            .hash
            .as_deref()
            .filter(|_| !config.persisted_unsupported.load(Ordering::Relaxed));
        if let Some(hash) = hash {
            let outcome = self.exchange(prepared, false, Some(hash)).await?;
            match persisted_miss(&outcome) {
                Miss::No => return outcome,
                Miss::NotFound => {}
                Miss::Unsupported => config.persisted_unsupported.store(true, Ordering::Relaxed),
            }
        }
        self.exchange(prepared, true, hash).await?
    }

    /// Sends one request and reads the answer. A GET that the server does not treat as GraphQL
    /// (an HTML page such as GraphiQL, 404, 405, 415) is sent again as a POST, and this client
    /// sends POSTs from then on. The outer `Err` is a transport error.
    async fn exchange(
        &self,
        prepared: &Prepared<'_>,
        with_text: bool,
        hash: Option<&str>,
    ) -> Result<Result<RawResponse>, Error> {
        let config = &*self.inner;
        let request = self.http_request(prepared, with_text, hash);
        let get = request.method == HttpMethod::Get;
        let outcome = interpret(config.transport.send(request).await?);
        let refused = matches!(
            outcome,
            Err(Error::Decode { .. }
                | Error::Status {
                    status: 404 | 405 | 415,
                    ..
                })
        );
        if !(get && refused) {
            return Ok(outcome);
        }
        config.get_unsupported.store(true, Ordering::Relaxed);
        let request = self.http_request(prepared, with_text, hash);
        Ok(interpret(config.transport.send(request).await?))
    }

    /// The HTTP request for one send: with or without the text, with or without the hash.
    fn http_request(
        &self,
        prepared: &Prepared<'_>,
        with_text: bool,
        hash: Option<&str>,
    ) -> HttpRequest {
        let config = &*self.inner;
        let mut headers = self.request_headers();
        if !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(REQUEST_ID_HEADER))
        {
            headers.push((REQUEST_ID_HEADER.to_owned(), prepared.request_id.clone()));
        }
        let extensions = hash
            .map(|hash| format!(r#"{{"persistedQuery":{{"version":1,"sha256Hash":"{hash}"}}}}"#));
        let query = with_text.then_some(prepared.query);
        if config.get_for_queries
            && prepared.kind == Kind::Query
            && !config.get_unsupported.load(Ordering::Relaxed)
            && let Some(url) = get_url(
                &config.url,
                query,
                prepared.operation_name,
                &prepared.variables,
                extensions.as_deref(),
            )
        {
            // A GET has no body, so no content type.
            headers.retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
            return HttpRequest {
                method: HttpMethod::Get,
                url,
                headers,
                body: Vec::new(),
            };
        }
        HttpRequest {
            method: HttpMethod::Post,
            url: config.url.clone(),
            headers,
            body: post_body(
                query,
                prepared.operation_name,
                &prepared.variables,
                extensions.as_deref(),
            ),
        }
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
        let raw = self
            .send(query, operation_name, encode_variables(variables)?)
            .await?;
        let data = match raw.data {
            None => None,
            Some(value) => match decode_data::<D>(value) {
                Ok(data) => Some(data),
                Err(error) if raw.errors.is_empty() => {
                    return Err(error.with_request_id(&raw.request_id));
                }
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
        let raw = self
            .send(query, operation_name, encode_variables(variables)?)
            .await?;
        let request_id = raw.request_id.clone();
        let result = if !raw.errors.is_empty() {
            Err(Error::Graphql {
                errors: raw.errors,
                data: raw.data,
                http: Box::new(HttpInfo {
                    status: Some(raw.status),
                    retry_after: raw.retry_after,
                    request_id: None,
                }),
            })
        } else {
            raw.data.ok_or_else(Error::no_data).and_then(decode_data)
        };
        result.map_err(|error| error.with_request_id(&request_id))
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

/// The variables as JSON text.
fn encode_variables<V: Serialize + ?Sized>(variables: &V) -> Result<String> {
    serde_json::to_string(variables).map_err(|error| Error::Encode(error.to_string()))
}

/// Reads an HTTP response as a GraphQL response, keeping its status and `Retry-After`.
fn interpret(response: HttpResponse) -> Result<RawResponse> {
    let success = response.is_success();
    let retry_after = response.header("retry-after").and_then(parse_retry_after);
    match RawResponse::parse(&response.body) {
        Ok(mut raw) if raw.is_graphql() => {
            raw.status = response.status;
            raw.retry_after = retry_after;
            Ok(raw)
        }
        _ if !success => Err(Error::Status {
            status: response.status,
            body: response.text(),
            retry_after,
            request_id: None,
        }),
        Ok(_) => Err(Error::no_data()),
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

/// True unless a GraphQL response came with a status that says the request was refused as a
/// whole (429, 503): those are retried like the same statuses without a GraphQL body.
fn raw_is_success(raw: &RawResponse) -> bool {
    !matches!(raw.status, 429 | 503)
}

/// What the answer to a hash-only request says about persisted queries.
#[derive(Debug, PartialEq, Eq)]
enum Miss {
    /// A real answer (data, or an error that has nothing to do with the missing text).
    No,
    /// The server does not know this hash yet: send the text.
    NotFound,
    /// The server does not take persisted queries: send the text, now and from now on.
    Unsupported,
}

/// Reads the answer to a hash-only request. Apollo's servers say `PERSISTED_QUERY_NOT_FOUND` or
/// `PERSISTED_QUERY_NOT_SUPPORTED` (code or message); a server that does not know the protocol
/// rejects a request without a query, with HTTP 400 or GraphQL errors and no data. Retryable
/// failures (429, 503, 5xx) are left to the retry loop.
fn persisted_miss(outcome: &Result<RawResponse>) -> Miss {
    let mentions = |errors: &[crate::GraphqlError], code: &str, message: &str| {
        errors
            .iter()
            .any(|error| error.code() == Some(code) || error.message.eq_ignore_ascii_case(message))
    };
    match outcome {
        Ok(raw) if raw.data.as_ref().is_some_and(|data| !data.is_null()) => Miss::No,
        Ok(raw)
            if mentions(
                &raw.errors,
                PERSISTED_QUERY_NOT_FOUND,
                "PersistedQueryNotFound",
            ) =>
        {
            Miss::NotFound
        }
        Ok(raw)
            if mentions(
                &raw.errors,
                PERSISTED_QUERY_NOT_SUPPORTED,
                "PersistedQueryNotSupported",
            ) =>
        {
            Miss::Unsupported
        }
        Ok(raw) if raw.status == 400 || raw.errors.iter().any(names_the_query) => Miss::Unsupported,
        Err(Error::Status { status: 400, .. }) => Miss::Unsupported,
        _ => Miss::No,
    }
}

/// True for an error about the document itself being absent or unparsable, which is what a
/// server without persisted queries says to a request that has only the hash.
fn names_the_query(error: &crate::GraphqlError) -> bool {
    let message = error.message.to_ascii_lowercase();
    matches!(error.code(), Some("GRAPHQL_PARSE_FAILED" | "BAD_REQUEST"))
        || message.contains("query")
        || message.contains("end of input")
}

/// The JSON body of a POST; each part is already JSON, so it is put together as text rather
/// than serialized a second time.
fn post_body(
    query: Option<&str>,
    operation_name: &str,
    variables: &str,
    extensions: Option<&str>,
) -> Vec<u8> {
    let mut body = String::with_capacity(
        query.map_or(0, str::len) + variables.len() + operation_name.len() + 160,
    );
    body.push('{');
    if let Some(query) = query {
        body.push_str(r#""query":"#);
        body.push_str(&json_string(query));
        body.push(',');
    }
    if !operation_name.is_empty() {
        body.push_str(r#""operationName":"#);
        body.push_str(&json_string(operation_name));
        body.push(',');
    }
    body.push_str(r#""variables":"#);
    body.push_str(variables);
    if let Some(extensions) = extensions {
        body.push_str(r#","extensions":"#);
        body.push_str(extensions);
    }
    body.push('}');
    body.into_bytes()
}

/// A string as a JSON string literal.
fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// The URL of a GET request (GraphQL over HTTP: `query`, `operationName`, `variables` and
/// `extensions` as query parameters, the last two as JSON), or `None` when the endpoint URL
/// does not parse or the result is too long for a GET.
fn get_url(
    endpoint: &str,
    query: Option<&str>,
    operation_name: &str,
    variables: &str,
    extensions: Option<&str>,
) -> Option<String> {
    let mut url = reqwest::Url::parse(endpoint).ok()?;
    {
        let mut pairs = url.query_pairs_mut();
        if let Some(query) = query {
            pairs.append_pair("query", query);
        }
        if !operation_name.is_empty() {
            pairs.append_pair("operationName", operation_name);
        }
        if variables != "null" {
            pairs.append_pair("variables", variables);
        }
        if let Some(extensions) = extensions {
            pairs.append_pair("extensions", extensions);
        }
    }
    let url = String::from(url);
    (url.len() <= MAX_GET_URL).then_some(url)
}

/// Whether a document runs a query, found by reading its tokens rather than parsing it: the
/// SDK has no GraphQL parser, and only the keyword of the chosen operation matters. Anything
/// it cannot read counts as a mutation, which is never retried unsafely.
pub(crate) fn operation_kind(document: &str, operation_name: &str) -> Kind {
    let bytes = document.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    // (keyword, name) of each operation seen at the top level.
    let mut operations: Vec<(&str, &str)> = Vec::new();
    let mut pending: Option<&str> = None;
    // True between a named definition's name and its body's `{`.
    let mut awaiting_body = false;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                if document[i..].starts_with("\"\"\"") {
                    i += 3;
                    while i < bytes.len() && !document[i..].starts_with("\"\"\"") {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 3;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
                continue;
            }
            b'{' => {
                if depth == 0 && !std::mem::take(&mut awaiting_body) {
                    // `{ … }` alone is a query; `mutation { … }` is an anonymous mutation.
                    operations.push((pending.take().unwrap_or("query"), ""));
                }
                depth += 1;
            }
            b'}' => depth = depth.saturating_sub(1),
            b'(' if depth == 0 => {
                // Variable definitions: skip to the closing parenthesis (they hold no braces
                // that matter, but may hold default objects).
                let mut parens = 0usize;
                while i < bytes.len() {
                    match bytes[i] {
                        b'(' => parens += 1,
                        b')' => {
                            parens = parens.saturating_sub(1);
                            if parens == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &document[start..i];
                if depth == 0 {
                    match word {
                        "query" | "mutation" | "subscription" if pending.is_none() => {
                            pending = Some(word);
                        }
                        "fragment" => pending = Some("fragment"),
                        _ => {
                            if let Some(keyword) = pending.take() {
                                // The definition's name; the next top-level `{` opens its body.
                                operations.push((keyword, word));
                                awaiting_body = true;
                            }
                        }
                    }
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    let chosen = if operation_name.is_empty() {
        operations
            .iter()
            .find(|(keyword, _)| *keyword != "fragment")
    } else {
        operations
            .iter()
            .find(|(keyword, name)| *keyword != "fragment" && *name == operation_name)
    };
    match chosen {
        Some(("query", _)) => Kind::Query,
        _ => Kind::Other,
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
        let parse = |body: Vec<u8>| serde_json::from_slice::<serde_json::Value>(&body).unwrap();
        assert_eq!(
            parse(post_body(Some("{ a \"q\" }"), "", r#"{"x":1}"#, None)),
            serde_json::json!({"query": "{ a \"q\" }", "variables": {"x": 1}})
        );
        let hashed = r#"{"persistedQuery":{"version":1,"sha256Hash":"ab"}}"#;
        assert_eq!(
            parse(post_body(None, "Op", "null", Some(hashed))),
            serde_json::json!({"operationName": "Op", "variables": null,
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab"}}})
        );
    }

    #[test]
    fn get_urls_encode_every_part() {
        let url = get_url(
            "http://x/graphql?tenant=a",
            Some("query Q($n: Int) { a(n: $n) }"),
            "Q",
            r#"{"n":1}"#,
            None,
        )
        .unwrap();
        let parsed = reqwest::Url::parse(&url).unwrap();
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            vec![
                ("tenant".into(), "a".into()),
                ("query".into(), "query Q($n: Int) { a(n: $n) }".into()),
                ("operationName".into(), "Q".into()),
                ("variables".into(), r#"{"n":1}"#.into()),
            ]
        );
        let long = "x".repeat(MAX_GET_URL);
        assert_eq!(get_url("http://x/", Some(&long), "", "{}", None), None);
        assert_eq!(get_url("not a url", None, "", "{}", None), None);
    }

    #[test]
    fn operation_kinds() {
        assert_eq!(operation_kind("{ a }", ""), Kind::Query);
        assert_eq!(operation_kind("query { a }", ""), Kind::Query);
        assert_eq!(
            operation_kind("  # mutation\n query Q($x: In = {a: 1}) { a }", ""),
            Kind::Query
        );
        assert_eq!(operation_kind("mutation { a }", ""), Kind::Other);
        assert_eq!(
            operation_kind("mutation M($k: String!) { acquire(key: $k) }", "M"),
            Kind::Other
        );
        let both = "fragment F on T { a } query Q { ...F } mutation M { b(s: \"query {\") }";
        assert_eq!(operation_kind(both, "Q"), Kind::Query);
        assert_eq!(operation_kind(both, "M"), Kind::Other);
        assert_eq!(operation_kind(both, ""), Kind::Query);
        assert_eq!(
            operation_kind("fragment F on T { a } mutation M { b }", ""),
            Kind::Other
        );
        assert_eq!(operation_kind(both, "Nope"), Kind::Other);
        assert_eq!(operation_kind("", ""), Kind::Other);
        // Unterminated: still a query by its keyword (the server refuses it before running).
        assert_eq!(operation_kind("query Q(", ""), Kind::Query);
        assert_eq!(operation_kind("mutation M(", ""), Kind::Other);
        assert_eq!(
            operation_kind("\"\"\"doc\"\"\" subscription S { t }", ""),
            Kind::Other
        );
    }

    #[test]
    fn persisted_misses() {
        let raw = |status: u16, body: &str| {
            let mut raw = RawResponse::parse(body.as_bytes()).unwrap();
            raw.status = status;
            Ok(raw)
        };
        assert_eq!(persisted_miss(&raw(200, r#"{"data":{"a":1}}"#)), Miss::No);
        assert_eq!(
            persisted_miss(&raw(
                200,
                r#"{"errors":[{"message":"PersistedQueryNotFound","extensions":{"code":"PERSISTED_QUERY_NOT_FOUND"}}]}"#
            )),
            Miss::NotFound
        );
        assert_eq!(
            persisted_miss(&raw(
                200,
                r#"{"errors":[{"message":"PersistedQueryNotSupported"}]}"#
            )),
            Miss::Unsupported
        );
        assert_eq!(
            persisted_miss(&raw(
                200,
                r#"{"errors":[{"message":"Unexpected end of input"}]}"#
            )),
            Miss::Unsupported
        );
        assert_eq!(
            persisted_miss(&Err(Error::status_error(400, "no query"))),
            Miss::Unsupported
        );
        // Failures that have nothing to do with the text are the answer.
        assert_eq!(
            persisted_miss(&raw(
                429,
                r#"{"errors":[{"message":"slow down","extensions":{"code":"RATE_LIMITED"}}]}"#
            )),
            Miss::No
        );
        assert_eq!(persisted_miss(&Err(Error::status_error(503, ""))), Miss::No);
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
            Err(Error::NoData { .. })
        ));
        let not_json = interpret(HttpResponse::new(200, "<html>")).unwrap_err();
        assert!(
            matches!(&not_json, Error::Decode { path, message, .. } if path.is_empty() && message.contains("<html>")),
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
