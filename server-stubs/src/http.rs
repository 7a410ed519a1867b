//! The axum side: POST executes (JSON, single or batched), GET executes queries given in the
//! query string or serves GraphiQL, with limits, authentication, request ids, tracing and
//! graceful shutdown.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use async_graphql::dynamic::{Schema, SchemaBuilder};
use async_graphql::http::GraphiQLSource;
use async_graphql::{BatchRequest, BatchResponse, Request, Response};
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, OriginalUri, RawPathParams, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use serde_json::json;

use crate::{ErrorCode, RequestContext, ServerConfig, limits};

#[derive(Clone)]
struct Endpoint {
    schema: Schema,
    config: Arc<ServerConfig>,
}

/// A router serving `builder` at `/` with `config`'s limits. Mount it where the API lives
/// (`Router::new().nest("/{tenant}/cart", router)`); path parameters reach resolvers through
/// [`RequestContext::path_params`].
pub fn router(builder: SchemaBuilder, config: ServerConfig) -> Router {
    // The generated adapter registers every type it references, so finishing cannot fail for a
    // schema that shopql-codegen accepted; a failure is a generator bug worth stopping on.
    #[allow(clippy::expect_used)]
    let schema = limits::apply(builder, &config)
        .finish()
        .expect("shopql-codegen registers every type of the schema");
    router_with(schema, config)
}

/// A router for an already finished schema (limits applied by the caller).
pub fn router_with(schema: Schema, config: ServerConfig) -> Router {
    let endpoint = Endpoint {
        schema,
        config: Arc::new(config),
    };
    Router::new()
        .route("/", get(handle_get).post(handle_post))
        .with_state(endpoint)
}

/// Serves `app` until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

fn error_body(
    status: StatusCode,
    code: &str,
    message: &str,
    request_id: &str,
) -> axum::response::Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut resp = (status, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

async fn context(
    endpoint: &Endpoint,
    headers: HeaderMap,
    params: &RawPathParams,
    remote: Option<SocketAddr>,
) -> Result<RequestContext, axum::response::Response> {
    let mut ctx = RequestContext::from_headers(headers);
    ctx.path_params = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect::<BTreeMap<_, _>>();
    ctx.remote_addr = remote;
    if let Some(auth) = &endpoint.config.authenticator
        && let Err(e) = auth.authenticate(&mut ctx).await
    {
        let status = match e.code {
            ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            // Credentials could not be checked (storage down): the service is unavailable, and
            // the caller sees a generic message with a correlation id, never the detail.
            ErrorCode::Internal => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        let retry_after = e
            .extensions
            .iter()
            .find(|(k, _)| k == "retryAfter")
            .and_then(|(_, v)| v.as_u64());
        let code = e.code.as_str();
        let graphql = e.into_graphql();
        let mut error = json!({ "message": graphql.message, "extensions": { "code": code } });
        if let Some(ext) = graphql
            .extensions
            .as_ref()
            .and_then(|x| serde_json::to_value(x).ok())
        {
            error["extensions"] = ext;
        }
        let mut resp = (status, axum::Json(json!({ "errors": [error] }))).into_response();
        if let Ok(v) = HeaderValue::from_str(&ctx.request_id) {
            resp.headers_mut().insert("x-request-id", v);
        }
        if let Some(seconds) = retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        return Err(resp);
    }
    Ok(ctx)
}

async fn handle_post(
    State(endpoint): State<Endpoint>,
    params: RawPathParams,
    request: axum::extract::Request,
) -> axum::response::Response {
    let remote = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let body: Body = body;
    let request_id_hint = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let limit = endpoint.config.max_body_bytes;
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return error_body(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                &format!("the request body is larger than {limit} bytes"),
                &request_id_hint,
            );
        }
    };
    let batch: BatchRequest = match serde_json::from_slice(&bytes) {
        Ok(b) => b,
        Err(e) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("the body is not a GraphQL request: {e}"),
                &request_id_hint,
            );
        }
    };
    let missing_query = match &batch {
        BatchRequest::Single(r) => r.query.trim().is_empty(),
        BatchRequest::Batch(rs) => rs.iter().any(|r| r.query.trim().is_empty()),
    };
    if missing_query {
        return error_body(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "the request has no `query`",
            &request_id_hint,
        );
    }
    let ctx = match context(&endpoint, headers, &params, remote).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    match batch {
        BatchRequest::Single(request) => execute_one(&endpoint, request, ctx).await,
        BatchRequest::Batch(requests) => {
            if requests.len() > endpoint.config.max_batch {
                return error_body(
                    StatusCode::BAD_REQUEST,
                    "BATCH_LIMIT_EXCEEDED",
                    &format!(
                        "the batch holds {} operations; at most {} are allowed",
                        requests.len(),
                        endpoint.config.max_batch
                    ),
                    &ctx.request_id,
                );
            }
            let mut responses = Vec::with_capacity(requests.len());
            for request in requests {
                let started = Instant::now();
                let name = request.operation_name.clone();
                let response = crate::execute(
                    &endpoint.schema,
                    request.data(ctx.clone()),
                    &endpoint.config,
                )
                .await;
                responses.push(log(response, name.as_deref(), started, &ctx.request_id));
            }
            json_response(&BatchResponse::Batch(responses), &ctx.request_id)
        }
    }
}

async fn execute_one(
    endpoint: &Endpoint,
    request: Request,
    ctx: RequestContext,
) -> axum::response::Response {
    let started = Instant::now();
    let name = request.operation_name.clone();
    let request_id = ctx.request_id.clone();
    let response = crate::execute(&endpoint.schema, request.data(ctx), &endpoint.config).await;
    let response = log(response, name.as_deref(), started, &request_id);
    json_response(&BatchResponse::Single(response), &request_id)
}

/// Logs the operation: name, duration, outcome.
fn log(
    response: Response,
    operation: Option<&str>,
    started: Instant,
    request_id: &str,
) -> Response {
    tracing::info!(
        request_id,
        operation = operation.unwrap_or("-"),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        errors = response.errors.len(),
        "graphql"
    );
    response
}

fn json_response(body: &BatchResponse, request_id: &str) -> axum::response::Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut resp = (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                bytes,
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(request_id) {
                resp.headers_mut().insert("x-request-id", v);
            }
            resp
        }
        Err(_) => error_body(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "cannot encode the response",
            request_id,
        ),
    }
}

async fn handle_get(
    State(endpoint): State<Endpoint>,
    OriginalUri(uri): OriginalUri,
    params: RawPathParams,
    request: axum::extract::Request,
) -> axum::response::Response {
    let remote = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let headers = request.headers().clone();
    let query = uri.query().unwrap_or("");
    if query.is_empty() || !query.split('&').any(|kv| kv.starts_with("query=")) {
        if !endpoint.config.graphiql {
            return error_body(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "send GraphQL requests with POST",
                "",
            );
        }
        let endpoint = endpoint_url(uri.path());
        let page = GraphiQLSource::build().endpoint(&endpoint).finish();
        return Html(page).into_response();
    }
    let mut graphql_request = match get_request(&uri) {
        Ok(r) => r,
        Err(e) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("invalid query string: {e}"),
                "",
            );
        }
    };
    // The GraphQL-over-HTTP spec allows only queries over GET: mutations must not be caused by links.
    if !runs_a_query(&mut graphql_request) {
        return error_body(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations must be sent with POST",
            "",
        );
    }
    let ctx = match context(&endpoint, headers, &params, remote).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    execute_one(&endpoint, graphql_request, ctx).await
}

/// The path GraphiQL posts to, with every character outside a conservative set percent-encoded:
/// the page embeds it in a script, and the path is chosen by the client.
fn endpoint_url(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~%".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The parameters of a GraphQL request sent with GET (GraphQL over HTTP: `query`,
/// `operationName`, and `variables`/`extensions` as JSON text).
#[derive(serde::Deserialize)]
struct GetParams {
    #[serde(default)]
    query: String,
    #[serde(default, rename = "operationName", alias = "operation_name")]
    operation_name: Option<String>,
    #[serde(default)]
    variables: Option<String>,
    #[serde(default)]
    extensions: Option<String>,
}

fn get_request(uri: &axum::http::Uri) -> Result<Request, String> {
    let axum::extract::Query(p) =
        axum::extract::Query::<GetParams>::try_from_uri(uri).map_err(|e| e.body_text())?;
    let mut request = Request::new(p.query);
    request.operation_name = p.operation_name.filter(|n| !n.is_empty());
    if let Some(v) = p.variables.filter(|v| !v.trim().is_empty()) {
        let json: serde_json::Value =
            serde_json::from_str(&v).map_err(|e| format!("`variables` is not JSON: {e}"))?;
        if !(json.is_object() || json.is_null()) {
            return Err("`variables` must be a JSON object".into());
        }
        request.variables = async_graphql::Variables::from_json(json);
    }
    if let Some(x) = p.extensions.filter(|x| !x.trim().is_empty()) {
        request.extensions = serde_json::from_str(&x)
            .map_err(|e| format!("`extensions` is not a JSON object: {e}"))?;
    }
    Ok(request)
}

/// False if the operation the request selects is a mutation or subscription. The document is
/// parsed here (and kept in the request, so it is not parsed twice); a document that does not
/// parse, or names no operation it has, fails in execution without running anything.
fn runs_a_query(request: &mut Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let name = request.operation_name.clone();
    let Ok(doc) = request.parsed_query() else {
        return true;
    };
    let is_query = |ty: OperationType| ty == OperationType::Query;
    match (&doc.operations, name.as_deref()) {
        (DocumentOperations::Single(op), _) => is_query(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .is_none_or(|(_, op)| is_query(op.node.ty)),
        // Without a name a document of several operations is refused by execution; refuse it
        // here already if any of them writes.
        (DocumentOperations::Multiple(ops), None) => ops.values().all(|op| is_query(op.node.ty)),
    }
}
