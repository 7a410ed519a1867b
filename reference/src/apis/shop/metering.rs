//! Counts the requests of a shop-family GraphQL endpoint for the usage API: a layer that reads
//! the body (or the GET query string), notes the root fields each operation selects, lets the
//! endpoint run, and counts the request only if it got past authentication (HTTP 200: the
//! endpoint answers 401/403 before executing anything).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use shopql_server_stubs::async_graphql;
use shopql_server_stubs::async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};

use super::auth::{ScopeAuthenticator, normalize_tenant};
use super::counters::{UsageCounters, counters};
use crate::clock::Clock;
use crate::state::AppState;

#[derive(Clone)]
struct Counting {
    counters: Arc<UsageCounters>,
    clock: Arc<dyn Clock>,
    api: &'static str,
    max_body: usize,
    known: Arc<RootFieldsMemo>,
}

/// The root fields of documents seen before: clients send the same few documents over and
/// over, and parsing each one again here would double the endpoint's parsing work.
#[derive(Default)]
struct RootFieldsMemo {
    entries: Mutex<HashMap<DocumentKey, Arc<[String]>>>,
}

/// A document's text and the name of the operation run from it.
type DocumentKey = (String, Option<String>);

impl RootFieldsMemo {
    /// Documents remembered at most; when full the memo starts over (bounded memory, and the
    /// hot documents are back after one request each).
    const CAPACITY: usize = 512;
    /// Longer documents are parsed every time.
    const MAX_QUERY_BYTES: usize = 16 * 1024;

    fn root_fields(&self, query: &str, operation_name: Option<&str>) -> Arc<[String]> {
        let lock = || self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (query.to_string(), operation_name.map(str::to_string));
        if let Some(fields) = lock().get(&key) {
            return fields.clone();
        }
        let fields: Arc<[String]> = root_fields(query, operation_name).into_iter().collect();
        if query.len() <= Self::MAX_QUERY_BYTES {
            let mut entries = lock();
            if entries.len() >= Self::CAPACITY {
                entries.clear();
            }
            entries.insert(key, fields.clone());
        }
        fields
    }
}

/// The router of a shop-family endpoint: the schema served under `config_name`'s settings, a
/// JWT with `scope` for the path's tenant required, and its requests counted under `scope`
/// for the usage API (the four APIs differ only in these names).
pub(crate) fn family_router(
    state: &AppState,
    config_name: &str,
    scope: &'static str,
    schema: async_graphql::dynamic::SchemaBuilder,
) -> Router {
    let config = state
        .server_config(config_name)
        .with_authenticator(ScopeAuthenticator::new(state, scope));
    count_requests(
        shopql_server_stubs::http::router(schema, config),
        state,
        scope,
    )
}

/// Wraps `router` (an endpoint of `api`) so that its requests are counted.
pub(crate) fn count_requests(router: Router, state: &AppState, api: &'static str) -> Router {
    let counting = Counting {
        counters: counters(state),
        clock: state.clock.clone(),
        api,
        max_body: state.server_config("usage").max_body_bytes,
        known: Arc::default(),
    };
    router.layer(middleware::from_fn_with_state(counting, count))
}

/// The distinct root fields of the operation a request runs (fragments followed; `__typename`
/// and introspection left out). A document that does not parse selects nothing.
pub(crate) fn root_fields(query: &str, operation_name: Option<&str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return out;
    };
    let operation = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, op)| op),
        // Named operations are `Multiple` even when there is one; without a name only a lone
        // operation runs.
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        (DocumentOperations::Multiple(_), None) => None,
    };
    if let Some(op) = operation {
        collect(&op.node.selection_set.node, &doc, &mut out, &mut Vec::new());
    }
    out
}

fn collect(
    set: &SelectionSet,
    doc: &ExecutableDocument,
    out: &mut BTreeSet<String>,
    seen: &mut Vec<String>,
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                if !name.starts_with("__") {
                    out.insert(name.to_string());
                }
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.to_string();
                // A fragment is followed once (cycles are invalid, but must not loop here).
                if seen.contains(&name) {
                    continue;
                }
                seen.push(name.clone());
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    collect(&fragment.node.selection_set.node, doc, out, seen);
                }
            }
            Selection::InlineFragment(inline) => {
                collect(&inline.node.selection_set.node, doc, out, seen);
            }
        }
    }
}

/// (query, operation name) of each operation in a POST body (single or batched).
fn operations_of_body(bytes: &[u8]) -> Vec<(String, Option<String>)> {
    match serde_json::from_slice::<async_graphql::BatchRequest>(bytes) {
        Ok(batch) => batch
            .iter()
            .map(|r| (r.query.clone(), r.operation_name.clone()))
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn tenant_of(request: &Request) -> Option<String> {
    // The path parameter of the mount point (`/{tenant}/cart`); the first path segment is the
    // same and does not depend on how the router was nested.
    let uri = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map(|u| u.0.clone())
        .unwrap_or_else(|| request.uri().clone());
    let first = uri.path().trim_start_matches('/').split('/').next()?;
    let decoded = percent_decode(first);
    (!decoded.is_empty()).then(|| normalize_tenant(&decoded).to_string())
}

fn percent_decode(text: &str) -> String {
    let hex = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(high * 16 + low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn count(State(counting): State<Counting>, request: Request, next: Next) -> Response {
    let tenant = tenant_of(&request);
    let (operations, request) = if request.method() == Method::POST {
        let (parts, body) = request.into_parts();
        let bytes = match shopql_server_stubs::body::read_limited(body, counting.max_body).await {
            Ok(b) => b,
            Err(e) => {
                let (status, code, message) = e.answer();
                let body = serde_json::json!({ "errors": [{
                    "message": message, "extensions": { "code": code } }] });
                return (status, axum::Json(body)).into_response();
            }
        };
        let ops = operations_of_body(&bytes);
        (ops, Request::from_parts(parts, Body::from(bytes)))
    } else if request.method() == Method::GET {
        let query = request.uri().query().unwrap_or("");
        let ops = if query.split('&').any(|kv| kv.starts_with("query=")) {
            async_graphql::http::parse_query_string(query)
                .map(|r| vec![(r.query, r.operation_name)])
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        (ops, request)
    } else {
        (Vec::new(), request)
    };
    let response = next.run(request).await;
    if response.status() == StatusCode::OK
        && let Some(tenant) = tenant
    {
        let now = counting.clock.now_ms();
        for (query, name) in &operations {
            let fields = counting.known.root_fields(query, name.as_deref());
            counting.counters.count_request(
                &tenant,
                now,
                counting.api,
                fields.iter().map(String::as_str),
            );
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_fields_follow_fragments_and_pick_the_named_operation() {
        let q = "query A { cart(id: 1) { id } x: cart(id: 2) { id } ...F __typename }
                 fragment F on Query { orderIntent(id: 1) { order } ... on Query { validateVoucher(voucher: \"v\") { isValid } } }
                 mutation B { hydrate(input: {}) { id } }";
        let a: Vec<String> = root_fields(q, Some("A")).into_iter().collect();
        assert_eq!(a, vec!["cart", "orderIntent", "validateVoucher"]);
        let b: Vec<String> = root_fields(q, Some("B")).into_iter().collect();
        assert_eq!(b, vec!["hydrate"]);
        assert!(root_fields(q, None).is_empty());
        let named: Vec<String> = root_fields("query GetCart { cart(id: 1) { id } }", None)
            .into_iter()
            .collect();
        assert_eq!(named, vec!["cart"]);
        assert!(root_fields("not graphql {", None).is_empty());
        let single: Vec<String> = root_fields("{ lock(key: \"k\") { held } }", None)
            .into_iter()
            .collect();
        assert_eq!(single, vec!["lock"]);
    }

    #[test]
    fn the_memo_answers_like_a_fresh_parse_and_stays_bounded() {
        let memo = RootFieldsMemo::default();
        let q = "query A { cart(id: 1) { id } } mutation B { hydrate(input: {}) { id } }";
        for _ in 0..2 {
            assert_eq!(&*memo.root_fields(q, Some("A")), ["cart".to_string()]);
            assert_eq!(&*memo.root_fields(q, Some("B")), ["hydrate".to_string()]);
        }
        for i in 0..RootFieldsMemo::CAPACITY + 10 {
            let fields = memo.root_fields(&format!("{{ f{i} }}"), None);
            assert_eq!(&*fields, [format!("f{i}")]);
        }
        let held = memo.entries.lock().map(|e| e.len()).unwrap_or(usize::MAX);
        assert!(held <= RootFieldsMemo::CAPACITY, "{held} documents held");
    }

    #[test]
    fn percent_decoding_of_tenants() {
        assert_eq!(percent_decode("my%20shop"), "my shop");
        assert_eq!(percent_decode("demo"), "demo");
        assert_eq!(percent_decode("bad%zz"), "bad%zz");
        assert_eq!(percent_decode("end%2"), "end%2");
    }
}
