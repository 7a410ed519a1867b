//! The axum side: POST executes (JSON, single or batched), GET executes queries given in the
//! query string or serves GraphiQL, with limits, authentication, a token bucket per principal
//! (`RATE_LIMITED`, HTTP 429 and `Retry-After` when nothing of a request could run), request
//! ids, tracing and graceful shutdown.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use async_graphql::dynamic::{Schema, SchemaBuilder};
use async_graphql::{
    BatchRequest, BatchResponse, ErrorExtensionValues, Pos, Request, Response, ServerError,
};
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, OriginalUri, RawPathParams, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use serde_json::json;
use tracing::Instrument;

use crate::media::Media;
use crate::parse_cache::ParseCache;
use crate::rate::{Limited, RetryAfter};
use crate::{ApiError, ErrorCode, RequestContext, ServerConfig, limits};

#[derive(Clone)]
struct Endpoint {
    schema: Schema,
    config: Arc<ServerConfig>,
    parsed: Arc<ParseCache>,
    persisted: Arc<crate::persisted::Registry>,
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
    let cors = cors_layer(&config.cors_allowed_origins);
    let compression = config.compression;
    let endpoint = Endpoint {
        schema,
        persisted: Arc::new(crate::persisted::Registry::new(
            config.persisted_queries.clone(),
        )),
        config: Arc::new(config),
        parsed: Arc::new(ParseCache::default()),
    };
    let mut router = Router::new()
        .route("/", get(handle_get).post(handle_post))
        .route(
            &format!("{}/{{file}}", crate::graphiql::ASSETS_PATH),
            get(graphiql_asset),
        )
        .with_state(endpoint);
    if compression {
        router = router.layer(tower_http::compression::CompressionLayer::new());
    }
    if let Some(cors) = cors {
        router = router.layer(cors);
    }
    router
}

/// CORS for browser apps served from `origins` (`*` for any); `None` when the list is empty
/// (no CORS headers: browsers then refuse cross-origin calls).
fn cors_layer(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    use tower_http::cors::{AllowOrigin, Any, CorsLayer};
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::from(Any)
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
            .allow_headers(Any)
            .expose_headers([
                header::RETRY_AFTER,
                axum::http::HeaderName::from_static("x-request-id"),
            ])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

/// Serves `app` with the default [`ConnectionLimits`](crate::serve::ConnectionLimits) until
/// `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    crate::serve::serve_with(listener, app, shutdown, Default::default()).await
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
    ctx.client_ip = client_ip(
        &ctx.headers,
        remote.map(|a| a.ip()),
        endpoint.config.trusted_proxy_hops,
    );
    if let Some(auth) = &endpoint.config.authenticator
        && let Err(e) = auth.authenticate(&mut ctx).await
    {
        // Refused credentials cost the address a query field, so that guessing keys or tokens
        // is bounded by its bucket too.
        if let Some(buckets) = &endpoint.config.token_buckets {
            match buckets
                .take(&ctx.ip_key(), u64::from(buckets.config().query_cost))
                .await
            {
                Ok(()) => {}
                Err(Limited::Wait(wait)) => return Err(rate_limited(wait, &ctx.request_id)),
                // The budget cannot be checked: answered as the authenticator's own failure
                // to check would be, below.
                Err(Limited::Failed(failed)) => return Err(auth_failure(failed, &ctx)),
            }
        }
        return Err(auth_failure(e, &ctx));
    }
    Ok(ctx)
}

/// The answer to a request whose credentials were refused or could not be checked.
fn auth_failure(e: ApiError, ctx: &RequestContext) -> axum::response::Response {
    let status = match e.code {
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        // Credentials could not be checked (storage down): the service is unavailable, and
        // the caller sees a generic message with a correlation id, never the detail.
        ErrorCode::Internal | ErrorCode::Unavailable | ErrorCode::StorageFull => {
            StatusCode::SERVICE_UNAVAILABLE
        }
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
    resp
}

async fn handle_post(
    State(endpoint): State<Endpoint>,
    params: RawPathParams,
    request: axum::extract::Request,
) -> axum::response::Response {
    let media = Media::negotiate(request.headers());
    let response = answer_post(&endpoint, params, request, media.unwrap_or(Media::Json)).await;
    with_media(response, media)
}

async fn answer_post(
    endpoint: &Endpoint,
    params: RawPathParams,
    request: axum::extract::Request,
    media: Media,
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
    if Media::negotiate(&headers).is_none() {
        return error_body(
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
            "the client accepts neither application/graphql-response+json nor application/json",
            &request_id_hint,
        );
    }
    if !crate::media::is_json_body(&headers) {
        return error_body(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as JSON, with `Content-Type: application/json`",
            &request_id_hint,
        );
    }
    let limit = endpoint.config.max_body_bytes;
    let bytes = match crate::body::read_limited(body, limit).await {
        Ok(b) => b,
        Err(e) => {
            let (status, code, message) = e.answer();
            return error_body(status, code, &message, &request_id_hint);
        }
    };
    let mut batch: BatchRequest = match serde_json::from_slice(&bytes) {
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
    // Persisted queries first: a request that sends only a hash gets its text here.
    let refused: Vec<Option<Box<Response>>> = match &mut batch {
        BatchRequest::Single(r) => vec![endpoint.persisted.resolve(r).err()],
        BatchRequest::Batch(rs) => rs
            .iter_mut()
            .map(|r| endpoint.persisted.resolve(r).err())
            .collect(),
    };
    let mut refused = refused;
    if let BatchRequest::Single(_) = &batch
        && let Some(response) = refused.first_mut().and_then(Option::take)
    {
        return json_response(&BatchResponse::Single(*response), &request_id_hint, media);
    }
    let missing_query = match &batch {
        BatchRequest::Single(r) => r.query.trim().is_empty(),
        BatchRequest::Batch(rs) => rs
            .iter()
            .zip(&refused)
            .any(|(r, refused)| refused.is_none() && r.query.trim().is_empty()),
    };
    if missing_query {
        return error_body(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "the request has no `query`",
            &request_id_hint,
        );
    }
    let ctx = match context(endpoint, headers, &params, remote).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    match batch {
        BatchRequest::Single(request) => execute_one(endpoint, request, ctx, media).await,
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
            let mut refused_by_rate: Option<RetryAfter> = None;
            let mut ran = false;
            for (mut request, persisted) in requests.into_iter().zip(refused) {
                if let Some(response) = persisted {
                    responses.push(*response);
                    continue;
                }
                let started = Instant::now();
                let admission = admit(endpoint, &ctx, &mut request).await;
                let name = operation_name(&mut request);
                let response = match admission {
                    Admission::Refused(response) => *response,
                    Admission::RateLimited(wait) => {
                        refused_by_rate = Some(refused_by_rate.map_or(wait, |r| r.max(wait)));
                        responses.push(rate_limited_response(wait));
                        continue;
                    }
                    Admission::Run => {
                        let request = request.data(ctx.clone());
                        crate::execute::run(&endpoint.schema, request, &endpoint.config)
                            .instrument(request_span(endpoint, &ctx.request_id))
                            .await
                    }
                };
                ran = true;
                responses.push(log(
                    endpoint,
                    response,
                    name.as_deref(),
                    started,
                    &ctx.request_id,
                ));
            }
            if let (false, Some(wait)) = (ran, refused_by_rate) {
                return rate_limited(wait, &ctx.request_id);
            }
            // A batch (outside the specification) is always 200: each answer has its errors.
            json_response(
                &BatchResponse::Batch(responses),
                &ctx.request_id,
                Media::Json,
            )
        }
    }
}

/// Answers in the negotiated media type (`406` when there is none); GraphiQL pages and other
/// non-JSON answers are left as they are.
fn with_media(
    mut response: axum::response::Response,
    media: Option<Media>,
) -> axum::response::Response {
    let Some(media) = media else {
        return response;
    };
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(media.content_type()),
        );
    }
    response
}

async fn execute_one(
    endpoint: &Endpoint,
    mut request: Request,
    ctx: RequestContext,
    media: Media,
) -> axum::response::Response {
    let started = Instant::now();
    let request_id = ctx.request_id.clone();
    let admission = admit(endpoint, &ctx, &mut request).await;
    let name = operation_name(&mut request);
    let response = match admission {
        Admission::Refused(response) => *response,
        Admission::RateLimited(wait) => return rate_limited(wait, &request_id),
        Admission::Run => {
            let span = request_span(endpoint, &request_id);
            crate::execute::run(&endpoint.schema, request.data(ctx), &endpoint.config)
                .instrument(span)
                .await
        }
    };
    let response = log(endpoint, response, name.as_deref(), started, &request_id);
    json_response(&BatchResponse::Single(response), &request_id, media)
}

/// The operation's name: the request's `operationName`, else the name of the document's only
/// operation (the SDK sends named documents without `operationName`).
fn operation_name(request: &mut Request) -> Option<String> {
    use async_graphql::parser::types::DocumentOperations;
    if request.operation_name.is_some() {
        return request.operation_name.clone();
    }
    match &request.parsed_query().ok()?.operations {
        DocumentOperations::Single(_) => None,
        DocumentOperations::Multiple(ops) if ops.len() == 1 => {
            ops.keys().next().map(|n| n.to_string())
        }
        DocumentOperations::Multiple(_) => None,
    }
}

/// The span resolvers run in: every line they log carries the request id and the API.
fn request_span(endpoint: &Endpoint, request_id: &str) -> tracing::Span {
    tracing::info_span!(
        "request",
        request_id,
        api = endpoint.config.api_name.as_str()
    )
}

/// Logs the operation: name, duration, outcome.
fn log(
    endpoint: &Endpoint,
    response: Response,
    operation: Option<&str>,
    started: Instant,
    request_id: &str,
) -> Response {
    let elapsed = started.elapsed();
    tracing::info!(
        request_id,
        api = endpoint.config.api_name.as_str(),
        operation = operation.unwrap_or("-"),
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        errors = response.errors.len(),
        "graphql"
    );
    if let Some(metrics) = &endpoint.config.metrics {
        metrics.observe(&endpoint.config.api_name, operation, elapsed, &response);
    }
    response
}

fn json_response(body: &BatchResponse, request_id: &str, media: Media) -> axum::response::Response {
    let (status, encoded) = match body {
        // With the current media type a request error has no `data` entry at all.
        BatchResponse::Single(r) if crate::media::is_request_error(r) => (
            media.status(r),
            if media == Media::GraphqlResponse {
                serde_json::to_vec(&json!({ "errors": r.errors, "extensions": r.extensions }))
                    .map(strip_empty_extensions)
            } else {
                serde_json::to_vec(body)
            },
        ),
        BatchResponse::Single(r) => (media.status(r), serde_json::to_vec(body)),
        BatchResponse::Batch(_) => (StatusCode::OK, serde_json::to_vec(body)),
    };
    match encoded {
        Ok(bytes) => {
            let mut resp = (
                status,
                [(header::CONTENT_TYPE, media.content_type())],
                bytes,
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(request_id) {
                resp.headers_mut().insert("x-request-id", v);
            }
            // Resolvers that refused with `RATE_LIMITED` (login and coupon budgets) said when
            // to retry: the header says it too, the longest wait of the answer.
            if let Some(seconds) = retry_after_of(body) {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
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

/// Drops an empty `"extensions":{}` from an encoded `{errors, extensions}` answer.
fn strip_empty_extensions(encoded: Vec<u8>) -> Vec<u8> {
    const EMPTY: &[u8] = b",\"extensions\":{}}";
    if encoded.ends_with(EMPTY) {
        let mut v = encoded[..encoded.len() - EMPTY.len()].to_vec();
        v.push(b'}');
        v
    } else {
        encoded
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
    let is_request = query
        .split('&')
        .any(|kv| kv.starts_with("query=") || kv.starts_with("extensions="));
    if !is_request {
        if !endpoint.config.graphiql {
            return error_body(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "send GraphQL requests with POST",
                "",
            );
        }
        let config = &endpoint.config;
        let mut page = crate::GraphiqlPage::new(endpoint_url(uri.path()));
        if let Some(title) = &config.graphiql_title {
            page = page.title(title.as_str());
        }
        for (name, value) in &config.graphiql_headers {
            page = page.header(name.as_str(), value.as_str());
        }
        return Html(page.render()).into_response();
    }
    let Some(media) = Media::negotiate(&headers) else {
        return error_body(
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
            "the client accepts neither application/graphql-response+json nor application/json",
            "",
        );
    };
    let response = answer_get(&endpoint, &uri, params, headers, remote, media).await;
    with_media(response, Some(media))
}

/// A script or stylesheet of the GraphiQL page: gzipped as stored when the client accepts it,
/// cached for a year (file names carry their version).
async fn graphiql_asset(
    State(endpoint): State<Endpoint>,
    params: RawPathParams,
    headers: HeaderMap,
) -> axum::response::Response {
    // The router may be nested under parameters of its own (`/{tenant}/cart`): pick ours.
    let file = params
        .iter()
        .find(|(k, _)| *k == "file")
        .map_or("", |(_, v)| v);
    let asset = crate::graphiql::asset(file).filter(|_| endpoint.config.graphiql);
    let Some(asset) = asset else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let gzip = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        });
    let cache = (
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    let content_type = (
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    let vary = (header::VARY, HeaderValue::from_static("accept-encoding"));
    if gzip {
        let encoding = (header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        return ([content_type, cache, vary, encoding], asset.gzipped).into_response();
    }
    match asset.plain() {
        Ok(bytes) => ([content_type, cache, vary], bytes).into_response(),
        Err(e) => {
            tracing::error!(file, error = %e, "a vendored GraphiQL asset does not unpack");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn answer_get(
    endpoint: &Endpoint,
    uri: &axum::http::Uri,
    params: RawPathParams,
    headers: HeaderMap,
    remote: Option<SocketAddr>,
    media: Media,
) -> axum::response::Response {
    let mut graphql_request = match get_request(uri) {
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
    if let Err(response) = endpoint.persisted.resolve(&mut graphql_request) {
        return json_response(&BatchResponse::Single(*response), "", media);
    }
    if graphql_request.query.trim().is_empty() {
        return error_body(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "the request has no `query`",
            "",
        );
    }
    // The GraphQL-over-HTTP spec allows only queries over GET: mutations must not be caused by links.
    if !runs_a_query(&mut graphql_request) {
        return error_body(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations must be sent with POST",
            "",
        );
    }
    let ctx = match context(endpoint, headers, &params, remote).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    execute_one(endpoint, graphql_request, ctx, media).await
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

/// The client IP: the peer address, or with `trusted_hops` reverse proxies in front, the
/// address the outermost trusted proxy saw, read from the right of `X-Forwarded-For`.
fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, trusted_hops: usize) -> Option<IpAddr> {
    if trusted_hops == 0 {
        return peer;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    if forwarded.len() < trusted_hops {
        return peer;
    }
    forwarded
        .get(forwarded.len() - trusted_hops)
        .and_then(|v| v.parse::<IpAddr>().ok())
        .or(peer)
}

/// What happens to one operation of a request.
enum Admission {
    /// The document checks refused it (this answer); it cost one query field.
    Refused(Box<Response>),
    /// The caller's token bucket cannot pay for it.
    RateLimited(RetryAfter),
    /// Paid for: run it.
    Run,
}

/// Checks the document of `request` (parse, aliases, complexity) and charges its operation to
/// the caller's token bucket: each root field (aliases and fragments included, `__typename`
/// free) at the bucket's query or mutation cost. A document the checks refuse costs one query
/// field, whatever it holds: nothing of it runs.
async fn admit(endpoint: &Endpoint, ctx: &RequestContext, request: &mut Request) -> Admission {
    endpoint.parsed.prepare(request);
    let refused = crate::execute::refuse(&endpoint.schema, request, &endpoint.config);
    let Some(buckets) = &endpoint.config.token_buckets else {
        return refused.map_or(Admission::Run, |r| Admission::Refused(Box::new(r)));
    };
    let config = buckets.config();
    let name = request.operation_name.clone();
    let tokens = match (&refused, request.parsed_query()) {
        (Some(_), _) | (_, Err(_)) => u64::from(config.query_cost),
        (None, Ok(doc)) => operation_fields(doc, name.as_deref())
            .map(|(ty, fields)| {
                let each = match ty {
                    async_graphql::parser::types::OperationType::Mutation => config.mutation_cost,
                    _ => config.query_cost,
                };
                u64::from(each).saturating_mul(fields.max(1))
            })
            .max()
            .unwrap_or(u64::from(config.query_cost)),
    };
    let key = ctx.rate_key();
    match (buckets.take(&key, tokens).await, refused) {
        (Err(Limited::Failed(e)), _) => Admission::Refused(Box::new(Response::from_errors(vec![
            e.into_graphql().into_server_error(Pos::default()),
        ]))),
        (Err(Limited::Wait(wait)), _) => {
            if let Some(metrics) = &endpoint.config.metrics {
                metrics.rate_limited(&endpoint.config.api_name);
            }
            tracing::info!(
                request_id = %ctx.request_id,
                key = %key,
                tokens,
                retry_after = wait.0,
                "rate limited"
            );
            Admission::RateLimited(wait)
        }
        (Ok(()), Some(response)) => Admission::Refused(Box::new(response)),
        (Ok(()), None) => Admission::Run,
    }
}

/// The type and root-field count of the operation a request with `name` runs (every operation
/// when a document of several names none: execution refuses it, the costliest is charged).
fn operation_fields<'a>(
    doc: &'a async_graphql::parser::types::ExecutableDocument,
    name: Option<&'a str>,
) -> impl Iterator<Item = (async_graphql::parser::types::OperationType, u64)> + 'a {
    use async_graphql::parser::types::{DocumentOperations, Selection, SelectionSet};
    fn count(
        doc: &async_graphql::parser::types::ExecutableDocument,
        set: &SelectionSet,
        seen: &mut Vec<String>,
    ) -> u64 {
        let mut n = 0u64;
        for item in &set.items {
            n = n.saturating_add(match &item.node {
                Selection::Field(f) => u64::from(f.node.name.node != "__typename"),
                Selection::InlineFragment(i) => count(doc, &i.node.selection_set.node, seen),
                Selection::FragmentSpread(s) => {
                    let fragment = s.node.fragment_name.node.to_string();
                    if seen.contains(&fragment) {
                        0
                    } else {
                        seen.push(fragment);
                        let n = doc
                            .fragments
                            .get(s.node.fragment_name.node.as_str())
                            .map_or(0, |f| count(doc, &f.node.selection_set.node, seen));
                        seen.pop();
                        n
                    }
                }
            });
        }
        n
    }
    let ops: Vec<_> = match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => vec![op],
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .filter(|(n, _)| n.as_str() == name)
            .map(|(_, op)| op)
            .collect(),
        (DocumentOperations::Multiple(ops), None) => ops.values().collect(),
    };
    ops.into_iter().map(move |op| {
        let mut seen = Vec::new();
        (
            op.node.ty,
            count(doc, &op.node.selection_set.node, &mut seen),
        )
    })
}

/// The GraphQL error of an operation the token bucket refused.
fn rate_limited_error(wait: RetryAfter) -> ServerError {
    let mut e = ServerError::new(
        format!(
            "too many requests: this caller's request budget is spent; retry in {} s",
            wait.0
        ),
        None,
    );
    let ext = e
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    ext.set("code", ErrorCode::RateLimited.as_str());
    ext.set("retryAfter", wait.0);
    e
}

fn rate_limited_response(wait: RetryAfter) -> Response {
    Response::from_errors(vec![rate_limited_error(wait)])
}

/// HTTP 429 with `Retry-After`: no operation of the request ran.
fn rate_limited(wait: RetryAfter, request_id: &str) -> axum::response::Response {
    let body = BatchResponse::Single(rate_limited_response(wait));
    let mut resp = match serde_json::to_vec(&body) {
        Ok(bytes) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::CONTENT_TYPE, "application/json")],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::TOO_MANY_REQUESTS.into_response(),
    };
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait.0));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// The longest `retryAfter` of the `RATE_LIMITED` errors of an answer.
fn retry_after_of(body: &BatchResponse) -> Option<u64> {
    let responses: &[Response] = match body {
        BatchResponse::Single(r) => std::slice::from_ref(r),
        BatchResponse::Batch(rs) => rs,
    };
    responses
        .iter()
        .flat_map(|r| &r.errors)
        .filter_map(|e| e.extensions.as_ref())
        .filter(|x| {
            x.get("code")
                .is_some_and(|c| *c == async_graphql::Value::from(ErrorCode::RateLimited.as_str()))
        })
        .filter_map(|x| match x.get("retryAfter") {
            Some(async_graphql::Value::Number(n)) => n.as_u64(),
            _ => None,
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_ip_is_read_from_trusted_proxies_only() {
        let peer = Some(IpAddr::from([10, 0, 0, 9]));
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7"),
        );
        assert_eq!(
            client_ip(&h, peer, 0),
            peer,
            "the header is ignored by default"
        );
        assert_eq!(
            client_ip(&h, peer, 1),
            Some(IpAddr::from([203, 0, 113, 7])),
            "the address the trusted proxy appended"
        );
        assert_eq!(client_ip(&h, peer, 2), Some(IpAddr::from([6, 6, 6, 6])));
        assert_eq!(
            client_ip(&h, peer, 3),
            peer,
            "a short header names no client"
        );
        h.insert("x-forwarded-for", HeaderValue::from_static("not-an-ip"));
        assert_eq!(client_ip(&h, peer, 1), peer);
    }

    #[test]
    fn root_fields_are_counted_with_aliases_and_fragments() {
        let mut r = Request::new(
            "mutation { a: m b: m ...F } fragment F on Mutation { c: m __typename ... on Mutation { d: m } }",
        );
        let doc = r.parsed_query().ok().cloned();
        let counted: Vec<_> = doc
            .as_ref()
            .map(|d| operation_fields(d, None).collect())
            .unwrap_or_default();
        assert_eq!(
            counted,
            vec![(async_graphql::parser::types::OperationType::Mutation, 4)]
        );
    }
}
