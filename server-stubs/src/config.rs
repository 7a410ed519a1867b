//! Server settings: limits (on by default), GraphiQL and introspection, authentication.

use std::sync::Arc;

use crate::rate::{TokenBucketConfig, TokenBuckets};
use crate::{ApiResult, RequestContext};

/// The argument names that set a field's page size, by default. A field that declares one of
/// them with type `Int` (directly, or as a field of an input-object argument such as
/// `pagination: {limit}`) is paginated for [`ServerConfig::max_complexity`].
pub(crate) const PAGE_SIZE_ARGUMENTS: [&str; 8] = [
    "first", "last", "take", "limit", "perPage", "pageSize", "size", "top",
];

/// Fills the request context before execution: checks credentials and stores the principal.
/// An error refuses the request with its code (`UNAUTHENTICATED` → HTTP 401, `FORBIDDEN` → 403).
#[async_trait::async_trait]
pub trait Authenticator: Send + Sync + 'static {
    /// Inspects `ctx` (headers, bearer token, path parameters) and adds what resolvers need.
    async fn authenticate(&self, ctx: &mut RequestContext) -> ApiResult<()>;
}

/// How a GraphQL endpoint is served. The defaults are safe for the public internet.
#[derive(Clone)]
pub struct ServerConfig {
    /// Largest request body, in bytes (default 1 MiB).
    pub max_body_bytes: usize,
    /// Deepest selection nesting (default 15).
    pub max_depth: usize,
    /// Largest query complexity (default 1,000), checked before any resolver runs
    /// (`COMPLEXITY_LIMIT_EXCEEDED`). The complexity counts the root fields of the operation and
    /// the list items it can return, each list sized by its page size:
    ///
    /// - a root field costs 1 plus what it selects;
    /// - a list of objects (interfaces, unions) costs its size times (1 + what one item
    ///   selects); an object that is not in a list costs what it selects; scalar and enum
    ///   fields and `__typename` cost 0 (the width of a selection is bounded by the schema and
    ///   the alias limit, its depth by the depth limit: what grows without bound is lists);
    /// - the size of a list is its page size when the field is paginated: the value of a
    ///   [page-size argument](Self::page_size_arguments), given literally or through a variable
    ///   (also inside an input object, e.g. `pagination: {limit: 50}`; the largest when
    ///   several are given), else that argument's default in the schema, else
    ///   [`default_page_size`](Self::default_page_size); always between 1 and
    ///   [`max_page_size`](Self::max_page_size);
    /// - a paginated field that returns one object (a connection) passes its page size to its
    ///   list fields (`nodes`, `edges`);
    /// - a list the caller cannot size (a cart's lines, an advert's metadata) is bounded by the
    ///   data and the input limits, not by the query, and counts
    ///   [`unpaged_list_size`](Self::unpaged_list_size) items;
    /// - fragments on the concrete types of an interface or union count the costliest one.
    ///
    /// `adverts(first: 100) { nodes { variants(first: 100) { nodes { id } } } }` costs
    /// 1 + 100 × (1 + 100) = 10,101 and is refused; with `first: 10` it costs 111.
    pub max_complexity: usize,
    /// The largest page size counted (default 100, the APIs' maximum page size).
    pub max_page_size: usize,
    /// The page size counted for a paginated field called without one whose schema gives no
    /// default (default 20; set it to what the resolvers really use).
    pub default_page_size: usize,
    /// The items counted for a list without a page-size argument (default 1).
    pub unpaged_list_size: usize,
    /// The argument names that set a page size (default: `first`, `last`, `take`, `limit`,
    /// `perPage`, `pageSize`, `size`, `top`).
    pub page_size_arguments: Vec<String>,
    /// Most aliases in one document (default 30).
    pub max_aliases: usize,
    /// Most operations in one JSON batch (default 10; 1 turns batching off).
    pub max_batch: usize,
    /// Most directives on one field (default 5).
    pub max_directives: usize,
    /// Deepest recursion of the parser (default 32).
    pub max_recursive_depth: usize,
    /// Serve introspection (default on; off in production).
    pub introspection: bool,
    /// Serve GraphiQL on GET (default on; off in production).
    pub graphiql: bool,
    /// GraphiQL's page title (default: GraphiQL's own).
    pub graphiql_title: Option<String>,
    /// Headers preset in GraphiQL's header editor, sent with every request the page makes, its
    /// schema request included (default none): for an API that refuses requests without a
    /// header, such as the client API's `CommonGround-Origin`.
    pub graphiql_headers: Vec<(String, String)>,
    /// Persisted queries (default: automatic, 4,096 documents kept; see
    /// [`PersistedQueries`](crate::PersistedQueries)).
    pub persisted_queries: crate::PersistedQueries,
    /// Origins allowed to call from a browser (CORS), e.g. `https://shop.example`; `*` allows
    /// any. Default none: no CORS headers, so browsers refuse cross-origin calls.
    pub cors_allowed_origins: Vec<String>,
    /// Compress answers with gzip when the client accepts it (default off: most answers are
    /// small, and a proxy in front usually compresses).
    pub compression: bool,
    /// The schema's own description, answered to `__schema { description }` (default none:
    /// `null`, as for an SDL whose `schema` definition has no description).
    pub schema_description: Option<String>,
    /// The API's name in metrics and logs (default `graphql`).
    pub api_name: String,
    /// Where operations, errors and refusals are counted (default none; see
    /// [`Metrics`](crate::metrics::Metrics)).
    pub metrics: Option<Arc<crate::metrics::Metrics>>,
    /// Suggest field names in validation errors (default on; off in production).
    pub suggestions: bool,
    /// Runs before every request.
    pub authenticator: Option<Arc<dyn Authenticator>>,
    /// The token bucket of every principal ([`RequestContext::rate_key`]: the subject an
    /// authenticator verified, else the client IP). The HTTP layer charges each operation
    /// before it runs: each root field (aliases included) costs the bucket's query or mutation
    /// cost, each operation of a batch is charged on its own, and an operation the bucket
    /// cannot pay is answered `RATE_LIMITED` with `extensions.retryAfter`, without running; when
    /// no operation of the request could run, the answer is HTTP 429 with `Retry-After`.
    /// Default: a bucket per principal with [`TokenBucketConfig::default`] (2,000 tokens, 100
    /// per second, a query field 1 and a mutation field 10). Share one `Arc` between the APIs
    /// of a server so that a principal has one budget; `None` turns the bucket off.
    pub token_buckets: Option<Arc<TokenBuckets>>,
    /// How many reverse proxies in front of the server append the peer address to
    /// `X-Forwarded-For` (default 0: the client IP is the peer address and the header, which
    /// anyone can send, is ignored). With `n`, the client IP is the `n`-th address from the
    /// right of that header (the peer address when the header is shorter).
    pub trusted_proxy_hops: usize,
    /// A `tracing` span per resolver (async-graphql's `Tracing` extension: parse, validation,
    /// execution and one `field` span per resolved field, with its path), inside the request's
    /// span. Off by default: it costs a span per field, worth paying only when traces are
    /// exported (e.g. to OpenTelemetry).
    pub resolver_spans: bool,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_depth", &self.max_depth)
            .field("max_complexity", &self.max_complexity)
            .field("max_page_size", &self.max_page_size)
            .field("default_page_size", &self.default_page_size)
            .field("unpaged_list_size", &self.unpaged_list_size)
            .field("max_aliases", &self.max_aliases)
            .field("max_batch", &self.max_batch)
            .field("max_directives", &self.max_directives)
            .field("introspection", &self.introspection)
            .field("graphiql", &self.graphiql)
            .field("graphiql_title", &self.graphiql_title)
            .field("graphiql_headers", &self.graphiql_headers)
            .field("authenticator", &self.authenticator.is_some())
            .field("token_buckets", &self.token_buckets)
            .field("trusted_proxy_hops", &self.trusted_proxy_hops)
            .field("resolver_spans", &self.resolver_spans)
            .finish_non_exhaustive()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_depth: 15,
            max_complexity: 1_000,
            max_page_size: 100,
            default_page_size: 20,
            unpaged_list_size: 1,
            page_size_arguments: PAGE_SIZE_ARGUMENTS.iter().map(|s| s.to_string()).collect(),
            max_aliases: 30,
            max_batch: 10,
            max_directives: 5,
            max_recursive_depth: 32,
            introspection: true,
            graphiql: true,
            graphiql_title: None,
            graphiql_headers: Vec::new(),
            persisted_queries: crate::PersistedQueries::default(),
            cors_allowed_origins: Vec::new(),
            compression: false,
            schema_description: None,
            api_name: "graphql".to_string(),
            metrics: None,
            suggestions: true,
            authenticator: None,
            token_buckets: Some(Arc::new(TokenBuckets::with_system_clock(
                TokenBucketConfig::default(),
            ))),
            trusted_proxy_hops: 0,
            resolver_spans: false,
        }
    }
}

impl ServerConfig {
    /// Production mode: no introspection, no GraphiQL, no field suggestions.
    #[must_use]
    pub fn production(mut self) -> Self {
        self.introspection = false;
        self.graphiql = false;
        self.suggestions = false;
        self
    }

    /// Sets the token buckets (`None`: no bucket).
    #[must_use]
    pub fn with_token_buckets(mut self, buckets: Option<Arc<TokenBuckets>>) -> Self {
        self.token_buckets = buckets;
        self
    }

    /// Sets the authenticator.
    #[must_use]
    pub fn with_authenticator(mut self, authenticator: impl Authenticator) -> Self {
        self.authenticator = Some(Arc::new(authenticator));
        self
    }
}
