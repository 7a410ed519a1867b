//! Server settings: limits (on by default), GraphiQL and introspection, authentication.

use std::sync::Arc;

use crate::{ApiResult, RequestContext};

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
    /// Largest query complexity (default 1,000; each field costs 1).
    pub max_complexity: usize,
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
    /// Suggest field names in validation errors (default on; off in production).
    pub suggestions: bool,
    /// Runs before every request.
    pub authenticator: Option<Arc<dyn Authenticator>>,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_depth", &self.max_depth)
            .field("max_complexity", &self.max_complexity)
            .field("max_aliases", &self.max_aliases)
            .field("max_batch", &self.max_batch)
            .field("max_directives", &self.max_directives)
            .field("introspection", &self.introspection)
            .field("graphiql", &self.graphiql)
            .field("authenticator", &self.authenticator.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_depth: 15,
            max_complexity: 1_000,
            max_aliases: 30,
            max_batch: 10,
            max_directives: 5,
            max_recursive_depth: 32,
            introspection: true,
            graphiql: true,
            suggestions: true,
            authenticator: None,
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

    /// Sets the authenticator.
    #[must_use]
    pub fn with_authenticator(mut self, authenticator: impl Authenticator) -> Self {
        self.authenticator = Some(Arc::new(authenticator));
        self
    }
}
