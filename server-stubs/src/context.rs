//! What a resolver knows about the request it serves.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use http::HeaderMap;

/// The request a resolver runs for: headers, bearer token, path parameters (such as the tenant),
/// a request id, and typed values that an [`Authenticator`](crate::Authenticator) added.
#[derive(Clone, Default)]
pub struct RequestContext {
    /// The request headers.
    pub headers: HeaderMap,
    /// The token of an `Authorization: Bearer …` header (case-insensitive scheme).
    pub bearer: Option<String>,
    /// Parameters of the path the API is mounted under, e.g. `tenant` for `/{tenant}/cart`.
    pub path_params: BTreeMap<String, String>,
    /// A request id: the `x-request-id` header, or a new one.
    pub request_id: String,
    /// The peer address, when the server knows it.
    pub remote_addr: Option<SocketAddr>,
    /// The client's address: the peer's, or the one trusted proxies name in `X-Forwarded-For`
    /// (see [`ServerConfig::trusted_proxy_hops`](crate::ServerConfig::trusted_proxy_hops)).
    pub client_ip: Option<IpAddr>,
    /// The verified identity of the caller (e.g. `seller:42`), set by the
    /// [`Authenticator`](crate::Authenticator) once it has checked the credentials. Rate limits
    /// count the request against it; `None` (anonymous) counts against the client IP. Never set
    /// it from an unverified claim: a caller could then pick a fresh budget at will.
    pub subject: Option<String>,
    extensions: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl std::fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestContext")
            .field("bearer", &self.bearer.as_ref().map(|_| "…"))
            .field("path_params", &self.path_params)
            .field("request_id", &self.request_id)
            .field("remote_addr", &self.remote_addr)
            .field("client_ip", &self.client_ip)
            .field("subject", &self.subject)
            .field("extensions", &self.extensions.len())
            .finish_non_exhaustive()
    }
}

impl RequestContext {
    /// A context with the given headers; the bearer token and request id are read from them.
    pub fn from_headers(headers: HeaderMap) -> Self {
        let bearer = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then(|| token.trim().to_string())
            })
            .filter(|t| !t.is_empty());
        let request_id = headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 128)
            .map(str::to_string)
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        Self {
            headers,
            bearer,
            request_id,
            ..Self::default()
        }
    }

    /// A header's value, when present and valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `tenant` path parameter.
    pub fn tenant(&self) -> Option<&str> {
        self.path_params.get("tenant").map(String::as_str)
    }

    /// The key per-caller rate limits count this request under: `subject:<subject>` when an
    /// authenticator verified one, else `ip:<client IP>` (`ip:unknown` without an address).
    pub fn rate_key(&self) -> String {
        match (&self.subject, self.client_ip) {
            (Some(s), _) => format!("subject:{s}"),
            (None, Some(ip)) => format!("ip:{ip}"),
            (None, None) => "ip:unknown".to_string(),
        }
    }

    /// `ip:<client IP>` (`ip:unknown` without an address): the key per-address limits use.
    pub fn ip_key(&self) -> String {
        match self.client_ip {
            Some(ip) => format!("ip:{ip}"),
            None => "ip:unknown".to_string(),
        }
    }

    /// Stores a typed value (e.g. the authenticated principal).
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        self.extensions.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// A typed value stored by [`insert`](Self::insert).
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.extensions
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref::<T>())
    }
}

/// What a resolver gets: the request it serves (every [`RequestContext`] method is available
/// through `Deref`) and the selection below its field, so that it can skip work nobody asked for
/// (a connection's `totalCount`, a nested list): the look-ahead async-graphql's `look_ahead()`
/// and gqlgen's `CollectFields` give.
///
/// ```
/// # use shopql_server_stubs::{FieldContext, RequestContext};
/// let request = RequestContext::default();
/// // Outside a GraphQL execution (a test, a call from other code) every field counts as selected.
/// let ctx = FieldContext::detached(&request);
/// assert!(ctx.selects("totalCount"));
/// assert!(ctx.selection().field("edges").selects("node"));
/// ```
#[derive(Clone, Copy)]
pub struct FieldContext<'a> {
    request: &'a RequestContext,
    /// The execution the field is part of; `None` when called outside one.
    execution: Option<&'a async_graphql::Context<'a>>,
}

impl std::fmt::Debug for FieldContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldContext")
            .field("request", self.request)
            .field("in_execution", &self.execution.is_some())
            .finish()
    }
}

impl<'a> FieldContext<'a> {
    /// The context of a field being executed (the generated adapter builds it).
    pub fn new(request: &'a RequestContext, execution: &'a async_graphql::Context<'a>) -> Self {
        Self {
            request,
            execution: Some(execution),
        }
    }

    /// A context outside any GraphQL execution: every field counts as selected, so a resolver
    /// called this way computes everything.
    pub fn detached(request: &'a RequestContext) -> Self {
        Self {
            request,
            execution: None,
        }
    }

    /// The request this field is resolved for.
    pub fn request(&self) -> &'a RequestContext {
        self.request
    }

    /// The selection set below this field. Computed when asked for: resolvers that never look
    /// pay nothing.
    pub fn selection(&self) -> Selection<'a> {
        Selection {
            look: self.execution.map(async_graphql::Context::look_ahead),
        }
    }

    /// Whether the field `name` is selected directly below this one (under any alias, in any
    /// fragment).
    pub fn selects(&self, name: &str) -> bool {
        self.selection().selects(name)
    }
}

impl std::ops::Deref for FieldContext<'_> {
    type Target = RequestContext;

    fn deref(&self) -> &RequestContext {
        self.request
    }
}

/// A selection set, as the client wrote it below a field (fragments and inline fragments merged,
/// aliases ignored). Conservative: a field behind `@skip`/`@include` or inside a fragment on
/// another type counts as selected, and outside an execution everything does.
pub struct Selection<'a> {
    /// `None`: unknown, everything counts as selected.
    look: Option<async_graphql::Lookahead<'a>>,
}

impl std::fmt::Debug for Selection<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Selection")
            .field("known", &self.look.is_some())
            .finish_non_exhaustive()
    }
}

impl<'a> Selection<'a> {
    /// The selection below the field `name` of this one (empty if `name` is not selected).
    #[must_use]
    pub fn field(&self, name: &str) -> Selection<'a> {
        Selection {
            look: self.look.as_ref().map(|l| l.field(name)),
        }
    }

    /// Whether the field `name` is selected directly in this selection set.
    pub fn selects(&self, name: &str) -> bool {
        self.look.as_ref().is_none_or(|l| l.field(name).exists())
    }

    /// Whether this selection exists at all (false after [`field`](Self::field) of a name that
    /// was not selected).
    pub fn is_selected(&self) -> bool {
        self.look
            .as_ref()
            .is_none_or(async_graphql::Lookahead::exists)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_request_id_are_read_from_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            "authorization",
            http::HeaderValue::from_static("bearer abc.def"),
        );
        h.insert("x-request-id", http::HeaderValue::from_static("req-1"));
        let ctx = RequestContext::from_headers(h);
        assert_eq!(ctx.bearer.as_deref(), Some("abc.def"));
        assert_eq!(ctx.request_id, "req-1");
    }

    #[test]
    fn other_schemes_are_not_bearer_tokens() {
        let mut h = HeaderMap::new();
        h.insert(
            "authorization",
            http::HeaderValue::from_static("Basic dXNlcjpwdw=="),
        );
        let ctx = RequestContext::from_headers(h);
        assert_eq!(ctx.bearer, None);
        assert_eq!(ctx.request_id.len(), 32);
    }

    #[test]
    fn rate_keys_prefer_the_verified_subject() {
        let mut ctx = RequestContext::default();
        assert_eq!(ctx.rate_key(), "ip:unknown");
        ctx.client_ip = Some(IpAddr::from([10, 0, 0, 1]));
        assert_eq!(ctx.rate_key(), "ip:10.0.0.1");
        ctx.subject = Some("seller:1".into());
        assert_eq!(ctx.rate_key(), "subject:seller:1");
        assert_eq!(ctx.ip_key(), "ip:10.0.0.1");
    }

    #[test]
    fn typed_extensions() {
        let mut ctx = RequestContext::default();
        ctx.insert(42u32);
        assert_eq!(ctx.get::<u32>(), Some(&42));
        assert_eq!(ctx.get::<u64>(), None);
    }
}
