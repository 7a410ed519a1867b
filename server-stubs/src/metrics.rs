//! Prometheus metrics of the GraphQL endpoints: requests and their latency per API and operation,
//! errors per code, rate-limit refusals. A server registers them once in its
//! `prometheus_client` registry ([`Metrics::register`]) and gives every endpoint's
//! [`ServerConfig::metrics`](crate::ServerConfig::metrics) the same handle; the server serves
//! the registry (the reference server at `GET /metrics`).
//!
//! Operation names come from clients, so their number is capped per API
//! ([`MAX_OPERATION_NAMES`]): later names are counted as `other`, and a client cannot grow the
//! scrape without bound.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_graphql::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Distinct operation names kept as labels per API; the rest count as `other`.
pub const MAX_OPERATION_NAMES: usize = 200;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Operation {
    api: String,
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Code {
    api: String,
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Api {
    api: String,
}

/// The endpoints' metrics; cheap to share (`Arc`).
#[derive(Debug)]
pub struct Metrics {
    requests: Family<Operation, Counter>,
    latency: Family<Operation, Histogram>,
    errors: Family<Code, Counter>,
    rate_limited: Family<Api, Counter>,
    names: Mutex<HashSet<(String, String)>>,
}

impl Metrics {
    /// Creates the metrics and registers them in `registry` under the `shopql` prefix.
    pub fn register(registry: &mut Registry) -> Self {
        let metrics = Self {
            requests: Family::default(),
            // 0.5 ms to ~16 s.
            latency: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.0005, 2.0, 16))
            }),
            errors: Family::default(),
            rate_limited: Family::default(),
            names: Mutex::new(HashSet::new()),
        };
        let registry = registry.sub_registry_with_prefix("shopql");
        registry.register(
            "graphql_operations",
            "GraphQL operations executed, per API and operation name",
            metrics.requests.clone(),
        );
        registry.register(
            "graphql_operation_duration_seconds",
            "Time to execute a GraphQL operation, per API and operation name",
            metrics.latency.clone(),
        );
        registry.register(
            "graphql_errors",
            "GraphQL errors answered, per API and extensions.code",
            metrics.errors.clone(),
        );
        registry.register(
            "rate_limited_requests",
            "Requests refused with RATE_LIMITED before anything ran, per API",
            metrics.rate_limited.clone(),
        );
        metrics
    }

    /// Counts one executed operation of `api`.
    pub(crate) fn observe(
        &self,
        api: &str,
        operation: Option<&str>,
        elapsed: Duration,
        response: &Response,
    ) {
        let labels = Operation {
            api: api.to_string(),
            operation: self.operation_label(api, operation.unwrap_or("")),
        };
        self.requests.get_or_create(&labels).inc();
        self.latency
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
        for error in &response.errors {
            let code = error
                .extensions
                .as_ref()
                .and_then(|e| e.get("code"))
                .map(|c| c.to_string().trim_matches('"').to_string())
                .unwrap_or_else(|| "NO_CODE".to_string());
            self.errors
                .get_or_create(&Code {
                    api: api.to_string(),
                    code,
                })
                .inc();
        }
    }

    /// Counts a request of `api` refused by the token bucket.
    pub(crate) fn rate_limited(&self, api: &str) {
        self.rate_limited
            .get_or_create(&Api {
                api: api.to_string(),
            })
            .inc();
    }

    fn operation_label(&self, api: &str, name: &str) -> String {
        if name.is_empty() {
            return "anonymous".to_string();
        }
        // The set holds no invariant a panic could break half way.
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (api.to_string(), name.to_string());
        if names.contains(&key) {
            return key.1;
        }
        if names.iter().filter(|(a, _)| a == api).count() >= MAX_OPERATION_NAMES {
            return "other".to_string();
        }
        names.insert(key);
        name.to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn operations_errors_and_refusals_are_counted_and_names_capped() {
        let mut registry = Registry::default();
        let metrics = Metrics::register(&mut registry);
        let mut error = async_graphql::ServerError::new("no", None);
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", "NOT_FOUND");
        let response = Response::from_errors(vec![error]);
        metrics.observe("shop", Some("Cart"), Duration::from_millis(3), &response);
        metrics.rate_limited("shop");
        for i in 0..MAX_OPERATION_NAMES + 5 {
            metrics.observe(
                "lock",
                Some(&format!("op{i}")),
                Duration::ZERO,
                &Response::default(),
            );
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
        assert!(
            text.contains(r#"shopql_graphql_operations_total{api="shop",operation="Cart"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"shopql_graphql_errors_total{api="shop",code="NOT_FOUND"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"shopql_rate_limited_requests_total{api="shop"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"shopql_graphql_operations_total{api="lock",operation="other"} 5"#),
            "{text}"
        );
        assert!(
            text.contains("shopql_graphql_operation_duration_seconds_bucket"),
            "{text}"
        );
    }
}
