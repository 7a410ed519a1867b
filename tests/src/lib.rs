//! shopql-tests: end-to-end tests live in `tests/tests/`. This library holds their harness: the
//! reference server started in-process on every backend, and a transport that records which root
//! fields each API was called with, so the suite can prove it covers every one of them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use graphql_parser::query::{Definition, OperationDefinition, Selection};
use shopql_sdk::{
    GraphqlClient, HttpRequest, HttpResponse, ReqwestTransport, Transport, TransportError,
};

/// The seven APIs: name, schema file, path on the reference server (with tenant `demo`).
pub const APIS: [(&str, &str, &str); 7] = [
    ("client", "client.graphql", "/client/graphql"),
    ("shop", "shop.graphql", "/demo/cart"),
    ("cart-admin", "cart-admin.graphql", "/demo/cart/admin"),
    ("lock", "lock.graphql", "/demo/lock"),
    ("usage", "usage.graphql", "/demo/usage"),
    ("purchase", "purchase.graphql", "/purchase/graphql"),
    ("marketplace", "marketplace.graphql", "/marketplace/graphql"),
];

/// The repository's `schemas/` folder.
pub fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

/// `Query.x` and `Mutation.y` coordinates of a schema's root fields.
pub fn root_fields(api: &str) -> anyhow::Result<BTreeSet<String>> {
    let (_, file, _) = APIS
        .iter()
        .find(|(a, _, _)| *a == api)
        .ok_or_else(|| anyhow::anyhow!("unknown API {api}"))?;
    let path = schemas_dir().join(file);
    let schema = shopql_codegen_free_root_fields(&std::fs::read_to_string(&path)?)?;
    Ok(schema)
}

/// Root fields read with graphql-parser (independent of shopql-codegen).
fn shopql_codegen_free_root_fields(sdl: &str) -> anyhow::Result<BTreeSet<String>> {
    use graphql_parser::schema::{Definition as D, TypeDefinition as T};
    let doc = graphql_parser::parse_schema::<String>(sdl)?;
    let mut out = BTreeSet::new();
    for def in doc.definitions {
        if let D::TypeDefinition(T::Object(o)) = def
            && (o.name == "Query" || o.name == "Mutation")
        {
            for f in o.fields {
                out.insert(format!("{}.{}", o.name, f.name));
            }
        }
    }
    Ok(out)
}

/// Root fields selected by a GraphQL document (through inline fragments and fragment spreads).
pub fn root_fields_of_query(query: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Ok(doc) = graphql_parser::parse_query::<String>(query) else {
        return out;
    };
    let fragments: BTreeMap<&str, &graphql_parser::query::SelectionSet<'_, String>> = doc
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::Fragment(f) => Some((f.name.as_str(), &f.selection_set)),
            Definition::Operation(_) => None,
        })
        .collect();
    fn walk<'a>(
        root: &str,
        set: &'a graphql_parser::query::SelectionSet<'a, String>,
        fragments: &BTreeMap<&str, &'a graphql_parser::query::SelectionSet<'a, String>>,
        out: &mut BTreeSet<String>,
        depth: usize,
    ) {
        if depth > 8 {
            return;
        }
        for item in &set.items {
            match item {
                Selection::Field(f) if !f.name.starts_with("__") => {
                    out.insert(format!("{root}.{}", f.name));
                }
                Selection::Field(_) => {}
                Selection::InlineFragment(i) => {
                    walk(root, &i.selection_set, fragments, out, depth + 1)
                }
                Selection::FragmentSpread(s) => {
                    if let Some(set) = fragments.get(s.fragment_name.as_str()) {
                        walk(root, set, fragments, out, depth + 1);
                    }
                }
            }
        }
    }
    for def in &doc.definitions {
        let Definition::Operation(op) = def else {
            continue;
        };
        let (root, set) = match op {
            OperationDefinition::SelectionSet(s) => ("Query", s),
            OperationDefinition::Query(q) => ("Query", &q.selection_set),
            OperationDefinition::Mutation(m) => ("Mutation", &m.selection_set),
            OperationDefinition::Subscription(s) => ("Subscription", &s.selection_set),
        };
        walk(root, set, &fragments, &mut out, 0);
    }
    out
}

/// Which root fields each API path was called with, and whether the call succeeded.
#[derive(Debug, Default, Clone)]
pub struct Coverage {
    calls: Arc<Mutex<BTreeMap<String, BTreeSet<String>>>>,
}

impl Coverage {
    /// Records the root fields of a request sent to `path`.
    pub fn record(&self, path: &str, fields: BTreeSet<String>) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.entry(path.to_string()).or_default().extend(fields);
        }
    }

    /// The root fields called on an API path.
    pub fn called(&self, path: &str) -> BTreeSet<String> {
        self.calls
            .lock()
            .map(|c| c.get(path).cloned().unwrap_or_default())
            .unwrap_or_default()
    }

    /// A transport that records into this coverage and sends with reqwest.
    pub fn transport(&self) -> Arc<dyn Transport> {
        Arc::new(RecordingTransport {
            inner: ReqwestTransport::new(),
            coverage: self.clone(),
        })
    }

    /// A GraphQL client for `base_url + path` that records its calls.
    pub fn client(&self, base_url: &str, path: &str) -> GraphqlClient {
        GraphqlClient::with_transport(format!("{base_url}{path}"), self.transport())
    }

    /// Per API: the root fields covered against the schema's.
    pub fn report(&self) -> anyhow::Result<Vec<ApiCoverage>> {
        let mut out = Vec::new();
        for (api, _, path) in APIS {
            let all = root_fields(api)?;
            let called = self.called(path);
            let missing: Vec<String> = all.difference(&called).cloned().collect();
            out.push(ApiCoverage {
                api: api.to_string(),
                covered: all.len() - missing.len(),
                total: all.len(),
                missing,
            });
        }
        Ok(out)
    }
}

/// How many of one API's root fields the suite called.
#[derive(Debug, Clone)]
pub struct ApiCoverage {
    /// The API's schema name (`client`, `shop`, …).
    pub api: String,
    /// Root fields called at least once.
    pub covered: usize,
    /// Root fields in the schema.
    pub total: usize,
    /// `Query.x` / `Mutation.y` names never called.
    pub missing: Vec<String>,
}

/// Sends with reqwest and records the root fields of every successful GraphQL request.
#[derive(Debug)]
struct RecordingTransport {
    inner: ReqwestTransport,
    coverage: Coverage,
}

#[async_trait::async_trait]
impl Transport for RecordingTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let path = request
            .url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_default();
        let query = serde_json::from_slice::<serde_json::Value>(&request.body)
            .ok()
            .and_then(|v| v.get("query").and_then(|q| q.as_str()).map(str::to_string));
        let response = self.inner.send(request).await?;
        // A root field counts as covered when the server answered with data for the request.
        let answered = serde_json::from_slice::<serde_json::Value>(&response.body)
            .ok()
            .is_some_and(|v| v.get("data").is_some_and(|d| !d.is_null()));
        if let (Some(q), true) = (query, answered) {
            self.coverage.record(&path, root_fields_of_query(&q));
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_fields_are_read_through_fragments() {
        let f =
            root_fields_of_query("mutation M { a { x } ...F } fragment F on Mutation { b { y } }");
        let v: Vec<&str> = f.iter().map(String::as_str).collect();
        assert_eq!(v, ["Mutation.a", "Mutation.b"]);
    }

    #[test]
    fn every_api_has_root_fields() -> anyhow::Result<()> {
        for (api, _, _) in APIS {
            assert!(!root_fields(api)?.is_empty(), "{api}");
        }
        Ok(())
    }
}
