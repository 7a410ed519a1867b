//! The lock API end to end over HTTP: a small in-test implementation of `LockResolvers`, served
//! by the generated router on 127.0.0.1, driven with reqwest.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use common::{TestServer, code, message};
use serde_json::{Value, json};
use shopql_server_stubs::axum::Router;
use shopql_server_stubs::lock::{LockResolvers, LockStatus};
use shopql_server_stubs::{
    ApiError, ApiResult, Authenticator, FieldContext, RequestContext, ServerConfig,
};

/// What the resolvers saw, for the assertions.
#[derive(Debug, Default)]
struct Seen {
    ttls: Vec<Option<i32>>,
    tenants: Vec<Option<String>>,
    principals: Vec<Option<String>>,
}

/// (tenant, key) → (holder, ttl).
type Held = HashMap<(String, String), (String, i32)>;

/// An in-memory lock store keyed by (tenant, key); the holder is the bearer token.
#[derive(Clone, Default)]
struct Locks {
    held: Arc<Mutex<Held>>,
    seen: Arc<Mutex<Seen>>,
}

/// What the test authenticator stores for resolvers.
struct Principal(String);

fn check_key(key: &str) -> ApiResult<()> {
    match key {
        "" => Err(ApiError::bad_input("the key must not be empty").with_extension("field", "key")),
        "boom" => Err(ApiError::internal(
            "connection to postgres://admin:hunter2@db failed",
        )),
        _ => Ok(()),
    }
}

impl Locks {
    fn scope(&self, ctx: &FieldContext<'_>, key: &str) -> (String, String) {
        let mut seen = self.seen.lock().unwrap();
        seen.tenants.push(ctx.tenant().map(str::to_string));
        seen.principals
            .push(ctx.get::<Principal>().map(|p| p.0.clone()));
        (ctx.tenant().unwrap_or("-").to_string(), key.to_string())
    }
}

#[shopql_server_stubs::async_trait::async_trait]
impl LockResolvers for Locks {
    async fn lock(&self, ctx: &FieldContext<'_>, key: String) -> ApiResult<Option<LockStatus>> {
        check_key(&key)?;
        let scope = self.scope(ctx, &key);
        let holder = ctx.bearer.clone().unwrap_or_default();
        let held = self.held.lock().unwrap().get(&scope).cloned();
        Ok(Some(LockStatus {
            key,
            held: held.is_some(),
            held_by_caller: held.as_ref().is_some_and(|(h, _)| *h == holder),
            acquired_at: held.as_ref().map(|_| "2025-01-01T00:00:00Z".to_string()),
            expires_at: held.map(|(_, ttl)| format!("2025-01-01T00:00:00Z+{ttl}s")),
        }))
    }

    async fn acquire(
        &self,
        ctx: &FieldContext<'_>,
        key: String,
        ttl: Option<i32>,
    ) -> ApiResult<bool> {
        check_key(&key)?;
        self.seen.lock().unwrap().ttls.push(ttl);
        let ttl = ttl.unwrap_or(60);
        if !(1..=86_400).contains(&ttl) {
            return Err(ApiError::bad_input("ttl must be within 1..86400"));
        }
        let scope = self.scope(ctx, &key);
        let mut held = self.held.lock().unwrap();
        if held.contains_key(&scope) {
            return Ok(false);
        }
        held.insert(scope, (ctx.bearer.clone().unwrap_or_default(), ttl));
        Ok(true)
    }

    async fn release(&self, ctx: &FieldContext<'_>, key: String) -> ApiResult<bool> {
        check_key(&key)?;
        let scope = self.scope(ctx, &key);
        let holder = ctx.bearer.clone().unwrap_or_default();
        let mut held = self.held.lock().unwrap();
        if held.get(&scope).is_some_and(|(h, _)| *h == holder) {
            held.remove(&scope);
            return Ok(true);
        }
        Ok(false)
    }
}

/// The lock API mounted where the reference server mounts it.
fn app(locks: Locks, config: ServerConfig) -> Router {
    let api =
        shopql_server_stubs::http::router(shopql_server_stubs::lock::schema_builder(locks), config);
    Router::new().nest("/{tenant}/lock", api)
}

async fn start(config: ServerConfig) -> (TestServer, Locks) {
    let locks = Locks::default();
    let server = TestServer::start(app(locks.clone(), config)).await;
    (server, locks)
}

const PATH: &str = "/demo/lock";

#[tokio::test]
async fn arguments_arrive_typed_and_ttl_defaults_to_60() {
    let (server, locks) = start(ServerConfig::default()).await;
    let (status, body) = server
        .gql(
            PATH,
            r#"mutation { a: acquire(key: "a") b: acquire(key: "b", ttl: 5) }"#,
            Value::Null,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({ "data": { "a": true, "b": true } }));

    // Variables: an absent variable leaves the argument absent, so the default applies too.
    let q = "mutation Acquire($key: String!, $ttl: Int) { acquire(key: $key, ttl: $ttl) }";
    let (_, body) = server.gql(PATH, q, json!({ "key": "c" })).await;
    assert_eq!(body["data"]["acquire"], true, "{body}");
    let (_, body) = server.gql(PATH, q, json!({ "key": "d", "ttl": 7 })).await;
    assert_eq!(body["data"]["acquire"], true, "{body}");
    // An explicit null is a value: the resolver sees `None`, not the default.
    let (_, body) = server
        .gql(PATH, q, json!({ "key": "e", "ttl": null }))
        .await;
    assert_eq!(body["data"]["acquire"], true, "{body}");

    assert_eq!(
        locks.seen.lock().unwrap().ttls,
        vec![Some(60), Some(5), Some(60), Some(7), None]
    );

    // A held key is not acquired again; the holder can release it.
    let (_, body) = server
        .gql(PATH, r#"mutation { acquire(key: "a") }"#, Value::Null)
        .await;
    assert_eq!(body["data"]["acquire"], false);
    let (_, body) = server
        .gql(PATH, r#"mutation { release(key: "a") }"#, Value::Null)
        .await;
    assert_eq!(body["data"]["release"], true);
    server.stop().await;
}

#[tokio::test]
async fn results_serialize_with_the_schema_names() {
    let (server, _) = start(ServerConfig::default()).await;
    server
        .gql(
            PATH,
            r#"mutation { acquire(key: "k", ttl: 30) }"#,
            Value::Null,
        )
        .await;
    let (status, body) = server
        .gql(
            PATH,
            r#"query Status($key: String!) { lock(key: $key) { __typename key held heldByCaller acquiredAt expiresAt } }"#,
            json!({ "key": "k" }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "data": { "lock": {
            "__typename": "LockStatus",
            "key": "k",
            "held": true,
            "heldByCaller": true,
            "acquiredAt": "2025-01-01T00:00:00Z",
            "expiresAt": "2025-01-01T00:00:00Z+30s",
        } } })
    );
    let (_, body) = server
        .gql(
            PATH,
            r#"{ lock(key: "free") { held acquiredAt } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": { "lock": { "held": false, "acquiredAt": null } } })
    );
}

#[tokio::test]
async fn errors_carry_extensions_code() {
    let (server, _) = start(ServerConfig::default()).await;
    let (status, body) = server
        .gql(PATH, r#"{ lock(key: "") { held } }"#, Value::Null)
        .await;
    assert_eq!(status, 200);
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(message(&body), "the key must not be empty");
    assert_eq!(body["errors"][0]["extensions"]["field"], "key");
    assert_eq!(body["errors"][0]["path"], json!(["lock"]));
    // A nullable field that fails is null; its siblings are unaffected.
    assert_eq!(body["data"], json!({ "lock": null }));
    let (_, body) = server
        .gql(
            PATH,
            r#"{ bad: lock(key: "") { held } good: lock(key: "k") { key } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(
        body["data"],
        json!({ "bad": null, "good": { "key": "k" } }),
        "{body}"
    );
    assert_eq!(body["errors"][0]["path"], json!(["bad"]), "{body}");

    // A resolver error on a non-null field nulls the whole data.
    let (_, body) = server
        .gql(
            PATH,
            r#"mutation { acquire(key: "x", ttl: 0) }"#,
            Value::Null,
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["path"], json!(["acquire"]), "{body}");
    assert_eq!(body["data"], Value::Null);
}

#[tokio::test]
async fn internal_errors_are_masked_with_a_correlation_id() {
    let (server, _) = start(ServerConfig::default()).await;
    let (status, body) = server
        .gql(PATH, r#"{ lock(key: "boom") { held } }"#, Value::Null)
        .await;
    assert_eq!(status, 200);
    assert_eq!(code(&body), "INTERNAL", "{body}");
    let text = body.to_string();
    assert!(
        !text.contains("hunter2") && !text.contains("postgres"),
        "{text}"
    );
    let id = body["errors"][0]["extensions"]["correlationId"]
        .as_str()
        .expect("a correlation id");
    assert_eq!(id.len(), 32);
    assert!(message(&body).contains(id), "{body}");
}

#[tokio::test]
async fn an_over_deep_query_is_rejected() {
    let (server, _) = start(ServerConfig::default()).await;
    // Introspection nests as deep as one likes; the default limit is 15.
    let mut q = String::from("name");
    for _ in 0..16 {
        q = format!("ofType {{ {q} }}");
    }
    let q = format!(r#"{{ __type(name: "Query") {{ fields {{ type {{ {q} }} }} }} }}"#);
    let (status, body) = server.gql(PATH, &q, Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(code(&body), "DEPTH_LIMIT_EXCEEDED", "{body}");
    assert!(message(&body).contains("nested too deep"), "{body}");
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");

    // The limit is configurable.
    let config = ServerConfig {
        max_depth: 1,
        ..ServerConfig::default()
    };
    let (server, _) = start(config).await;
    let (_, body) = server
        .gql(PATH, r#"{ lock(key: "k") { held } }"#, Value::Null)
        .await;
    assert_eq!(code(&body), "DEPTH_LIMIT_EXCEEDED", "{body}");
}

#[tokio::test]
async fn an_over_complex_query_is_rejected() {
    let config = ServerConfig {
        max_complexity: 2,
        max_aliases: 100,
        ..ServerConfig::default()
    };
    let (server, _) = start(config).await;
    // Each root field costs 1 (scalar fields and `__typename` are free): three locks cost 3.
    let fields: String = (0..3)
        .map(|i| format!(r#" f{i}: lock(key: "k") {{ held __typename }}"#))
        .collect();
    let (_, body) = server
        .gql(PATH, &format!("{{{fields} }}"), Value::Null)
        .await;
    assert_eq!(code(&body), "COMPLEXITY_LIMIT_EXCEEDED", "{body}");
    assert!(message(&body).contains("at most 2"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["complexity"], 3, "{body}");
    let (_, body) = server
        .gql(
            PATH,
            r#"{ a: lock(key: "k") { held } b: lock(key: "k") { key } }"#,
            Value::Null,
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
}

#[tokio::test]
async fn an_alias_bomb_is_rejected() {
    let (server, _) = start(ServerConfig::default()).await;
    let fields: String = (0..2_000)
        .map(|i| format!(r#" a{i}: lock(key: "k") {{ held }}"#))
        .collect();
    let (status, body) = server
        .gql(PATH, &format!("{{{fields} }}"), Value::Null)
        .await;
    assert_eq!(status, 200);
    assert_eq!(code(&body), "ALIAS_LIMIT_EXCEEDED", "{body}");
    assert!(message(&body).contains("at most 30"), "{body}");

    // Aliases hidden in fragments count too.
    let fields: String = (0..31).map(|i| format!(" t{i}: __typename")).collect();
    let q = format!("query {{ ...F }} fragment F on Query {{{fields} }}");
    let (_, body) = server.gql(PATH, &q, Value::Null).await;
    assert_eq!(code(&body), "ALIAS_LIMIT_EXCEEDED", "{body}");

    // Thirty are fine.
    let fields: String = (0..30).map(|i| format!(" t{i}: __typename")).collect();
    let (_, body) = server
        .gql(PATH, &format!("{{{fields} }}"), Value::Null)
        .await;
    assert!(body.get("errors").is_none(), "{body}");
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let (server, _) = start(ServerConfig::default()).await;
    let padding = " ".repeat(1024 * 1024 + 1);
    let body = format!(r#"{{"query": "{{ __typename }}{padding}"}}"#);
    let (status, body) = server.post_raw(PATH, body).await;
    assert_eq!(status, 413);
    assert_eq!(code(&body), "PAYLOAD_TOO_LARGE", "{body}");

    // A client still sending a body well over the limit gets the 413, not a reset connection,
    // and its next request on the same kept-alive connection is answered too: the server drains
    // what is left of the body before it answers.
    let padding = " ".repeat(6 * 1024 * 1024);
    for attempt in 0..24 {
        let body = format!(r#"{{"query": "{{ __typename }}{padding}"}}"#);
        let (status, body) = server.post_raw(PATH, body).await;
        assert_eq!(status, 413, "attempt {attempt}");
        assert_eq!(
            code(&body),
            "PAYLOAD_TOO_LARGE",
            "attempt {attempt}: {body}"
        );
        let (status, body) = server.gql(PATH, "{ __typename }", Value::Null).await;
        assert_eq!(status, 200, "attempt {attempt}: {body}");
    }

    let config = ServerConfig {
        max_body_bytes: 64,
        ..ServerConfig::default()
    };
    let (server, _) = start(config).await;
    let (status, _) = server
        .gql(
            PATH,
            &format!("{{ __typename {} }}", " ".repeat(64)),
            Value::Null,
        )
        .await;
    assert_eq!(status, 413);
}

#[tokio::test]
async fn batches_run_and_an_oversized_batch_is_refused() {
    let (server, _) = start(ServerConfig::default()).await;
    let batch = json!([
        { "query": r#"mutation { acquire(key: "b1") }"# },
        { "query": r#"query Q { lock(key: "b1") { held } }"#, "operationName": "Q" },
    ]);
    let (status, body) = server.post(PATH, &batch).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!([
            { "data": { "acquire": true } },
            { "data": { "lock": { "held": true } } },
        ])
    );

    let big: Vec<Value> = (0..11)
        .map(|_| json!({ "query": "{ __typename }" }))
        .collect();
    let (status, body) = server.post(PATH, &Value::Array(big)).await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "BATCH_LIMIT_EXCEEDED", "{body}");
    assert!(message(&body).contains("at most 10"), "{body}");
}

#[tokio::test]
async fn malformed_requests_get_400_or_graphql_errors_never_a_panic() {
    let (server, _) = start(ServerConfig::default()).await;
    for raw in [
        "",
        "{",
        "not json",
        "null",
        "42",
        r#"{"query": 5}"#,
        r#"{"variables": {}}"#,
        r#"{"query": ""}"#,
        "[]",
        r#"[1, 2]"#,
        r#"{"query": "{ __typename }", "variables": "nope"}"#,
        "\u{0}\u{1}\u{2}",
    ] {
        let (status, body) = server.post_raw(PATH, raw).await;
        assert_eq!(status, 400, "{raw:?} → {body}");
        assert_eq!(code(&body), "BAD_REQUEST", "{raw:?} → {body}");
    }

    // Documents that parse as JSON but not as GraphQL, or do not validate, are GraphQL errors.
    for (query, expected) in [
        ("{", "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        (
            r#"{ lock(key: "k") { nope } }"#,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            r#"{ lock(key: "k", extra: 1) { held } }"#,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (r#"{ lock(key: 5) { held } }"#, "GRAPHQL_VALIDATION_FAILED"),
        ("{ lock { held } }", "GRAPHQL_VALIDATION_FAILED"),
        (
            r#"mutation { acquire(key: "k", ttl: "long") }"#,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("subscription { x }", "GRAPHQL_VALIDATION_FAILED"),
    ] {
        let (status, body) = server.gql(PATH, query, Value::Null).await;
        assert_eq!(status, 200, "{query} → {body}");
        assert_eq!(code(&body), expected, "{query} → {body}");
        assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    }

    // Variables of the wrong type are refused before any resolver runs.
    let (_, body) = server
        .gql(
            PATH,
            "query ($k: String!) { lock(key: $k) { held } }",
            json!({ "k": 5 }),
        )
        .await;
    assert!(!code(&body).is_empty(), "{body}");
    assert!(body["data"].is_null(), "{body}");

    // Unknown top-level members of the JSON body are ignored, as the GraphQL-over-HTTP spec says.
    let (status, body) = server
        .post(PATH, &json!({ "query": "{ __typename }", "unknown": true }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "data": { "__typename": "Query" } }));

    // Pathological nesting is refused by the parser's recursion limit, not a stack overflow.
    let deep = format!("{{ __typename {}", "{ a ".repeat(50_000));
    let (status, body) = server.gql(PATH, &deep, Value::Null).await;
    assert_eq!(status, 200, "{body}");
    assert!(!code(&body).is_empty(), "{body}");
    let deep_list = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let (status, body) = server
        .gql(
            PATH,
            &format!("{{ lock(key: {deep_list}) {{ held }} }}"),
            Value::Null,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(!code(&body).is_empty(), "{body}");
    let deep_json = format!(
        r#"{{"query": "{{ __typename }}", "variables": {{"v": {}1{}}}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let (status, _) = server.post_raw(PATH, deep_json).await;
    assert_eq!(status, 400);

    // The server is still up.
    let (status, _) = server.gql(PATH, "{ __typename }", Value::Null).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn graphiql_has_the_configured_title_and_preset_headers() {
    let config = ServerConfig {
        graphiql_title: Some("Locks of the demo tenant".into()),
        graphiql_headers: vec![("X-Tenant".into(), "demo</script>".into())],
        ..ServerConfig::default()
    };
    let (server, _) = start(config).await;
    let resp = server.client.get(server.url(PATH)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let page = resp.text().await.unwrap();
    assert!(page.contains("Locks of the demo tenant"), "{page}");
    assert!(page.contains("X-Tenant"), "{page}");
    // Embedded as escaped JSON: the value cannot close the page's script.
    assert!(!page.contains("demo</script>"), "{page}");

    // Without presets, the page has neither.
    let (server, _) = start(ServerConfig::default()).await;
    let page = server
        .client
        .get(server.url(PATH))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("X-Tenant"));
}

#[tokio::test]
async fn get_serves_graphiql_and_executes_queries_but_not_mutations() {
    let (server, _) = start(ServerConfig::default()).await;
    let resp = server.client.get(server.url(PATH)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let page = resp.text().await.unwrap();
    assert!(page.to_lowercase().contains("graphiql"));
    assert!(
        page.contains(PATH),
        "GraphiQL posts to the path it is served at"
    );

    let get = |query: &str, extra: &[(&str, &str)]| {
        let mut params = vec![("query", query.to_string())];
        params.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        server.client.get(server.url(PATH)).query(&params).send()
    };
    let (status, body) = common::read(
        get(
            "query ($k: String!) { lock(key: $k) { key held } }",
            &[("variables", r#"{"k":"g"}"#)],
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "data": { "lock": { "key": "g", "held": false } } })
    );

    for (document, operation) in [
        (r#"mutation { acquire(key: "g") }"#, None),
        ("  # a comment\n mutation { acquire(key: \"g\") }", None),
        (
            r#"query Q { __typename } mutation M { acquire(key: "g") }"#,
            Some("M"),
        ),
        (
            r#"fragment F on Mutation { acquire(key: "g") } mutation { ...F }"#,
            None,
        ),
    ] {
        let extra: Vec<(&str, &str)> = operation
            .map(|o| ("operationName", o))
            .into_iter()
            .collect();
        let (status, body) = common::read(get(document, &extra).await.unwrap()).await;
        assert_eq!(status, 405, "{document} → {body}");
        assert_eq!(code(&body), "METHOD_NOT_ALLOWED", "{body}");
    }
    // Nothing was acquired by those GETs.
    let (_, body) = server
        .gql(PATH, r#"{ lock(key: "g") { held } }"#, Value::Null)
        .await;
    assert_eq!(body["data"]["lock"]["held"], false, "{body}");

    // The query operation of a mixed document may be run over GET.
    let (status, body) = common::read(
        get(
            r#"query Q { __typename } mutation M { acquire(key: "g") }"#,
            &[("operationName", "Q")],
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({ "data": { "__typename": "Query" } }));

    // GraphiQL can be switched off.
    let (server, _) = start(ServerConfig::default().production()).await;
    let resp = server.client.get(server.url(PATH)).send().await.unwrap();
    assert_eq!(resp.status(), 405);
}

/// Accepts the bearer token `let-me-in` and stores who it is.
struct BearerAuth;

#[shopql_server_stubs::async_trait::async_trait]
impl Authenticator for BearerAuth {
    async fn authenticate(&self, ctx: &mut RequestContext) -> ApiResult<()> {
        match ctx.bearer.as_deref() {
            Some("let-me-in") => {
                let who = format!("user of {}", ctx.tenant().unwrap_or("?"));
                ctx.insert(Principal(who));
                Ok(())
            }
            Some("read-only") => Err(ApiError::forbidden("this token may not use locks")),
            Some(_) => Err(ApiError::unauthenticated("the token is not valid")),
            None => Err(ApiError::unauthenticated("a bearer token is required")),
        }
    }
}

#[tokio::test]
async fn the_authenticator_can_refuse_with_401_and_fill_the_context() {
    let (server, locks) = start(ServerConfig::default().with_authenticator(BearerAuth)).await;
    let query = json!({ "query": r#"{ lock(key: "k") { held } }"# });

    let resp = server
        .client
        .post(server.url(PATH))
        .json(&query)
        .send()
        .await
        .unwrap();
    let (status, body) = common::read(resp).await;
    assert_eq!(status, 401);
    assert_eq!(code(&body), "UNAUTHENTICATED");
    assert_eq!(message(&body), "a bearer token is required");

    let resp = server
        .client
        .post(server.url(PATH))
        .bearer_auth("wrong")
        .json(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    let resp = server
        .client
        .post(server.url(PATH))
        .bearer_auth("read-only")
        .json(&query)
        .send()
        .await
        .unwrap();
    let (status, body) = common::read(resp).await;
    assert_eq!(status, 403);
    assert_eq!(code(&body), "FORBIDDEN");

    // GET queries pass through the same hook.
    let resp = server
        .client
        .get(server.url(PATH))
        .query(&[("query", "{ __typename }")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    let resp = server
        .client
        .post(server.url(PATH))
        .bearer_auth("let-me-in")
        .json(&query)
        .send()
        .await
        .unwrap();
    let (status, body) = common::read(resp).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "data": { "lock": { "held": false } } }));
    assert_eq!(
        locks.seen.lock().unwrap().principals,
        vec![Some("user of demo".to_string())]
    );
}

#[tokio::test]
async fn path_params_reach_the_context_and_scope_the_data() {
    let (server, locks) = start(ServerConfig::default()).await;
    let acquire = r#"mutation { acquire(key: "shared") }"#;
    let (_, a) = server.gql("/tenant-a/lock", acquire, Value::Null).await;
    let (_, b) = server.gql("/tenant-b/lock", acquire, Value::Null).await;
    let (_, again) = server.gql("/tenant-a/lock", acquire, Value::Null).await;
    assert_eq!(a["data"]["acquire"], true);
    assert_eq!(b["data"]["acquire"], true, "keys are per tenant");
    assert_eq!(again["data"]["acquire"], false);
    assert_eq!(
        locks.seen.lock().unwrap().tenants,
        vec![
            Some("tenant-a".to_string()),
            Some("tenant-b".to_string()),
            Some("tenant-a".to_string())
        ]
    );

    let resp = server
        .client
        .post(server.url("/nowhere"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn request_ids_are_echoed_or_made_up() {
    let (server, _) = start(ServerConfig::default()).await;
    let resp = server
        .client
        .post(server.url(PATH))
        .header("x-request-id", "trace-me-123")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "trace-me-123");
    let resp = server
        .client
        .post(server.url(PATH))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"].len(), 32);
}

#[tokio::test]
async fn the_schema_runs_without_http_too() {
    let schema = shopql_server_stubs::lock::schema(Locks::default()).expect("a valid schema");
    let response = schema
        .execute(r#"mutation { acquire(key: "direct") }"#)
        .await
        .into_result()
        .expect("no errors");
    assert_eq!(
        response.data.into_json().unwrap(),
        json!({ "acquire": true })
    );
}

#[tokio::test]
async fn graceful_shutdown_finishes() {
    let (server, _) = start(ServerConfig::default()).await;
    let (status, _) = server.gql(PATH, "{ __typename }", Value::Null).await;
    assert_eq!(status, 200);
    tokio::time::timeout(std::time::Duration::from_secs(10), server.stop())
        .await
        .expect("the server stops within 10 s");
}
