//! Persisted queries, in Apollo's protocol: a request may carry
//! `extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}` instead of (or beside) its
//! `query` text. Storefront clients send the hash alone to cut the upload, and GETs with the hash
//! alone can be cached by a CDN.
//!
//! - [`PersistedQueries::Automatic`] (the default): a hash the server does not know is answered
//!   `PERSISTED_QUERY_NOT_FOUND`; the client sends the text with its hash once, the server checks
//!   the hash and keeps the text (a bounded LRU), and later requests send the hash alone.
//! - [`PersistedQueries::AllowList`]: only registered documents run, by hash or by text; anything
//!   else is `PERSISTED_QUERY_NOT_ALLOWED` (a hardened deployment: e.g. the operation documents
//!   an SDK was built from, as an Apollo persisted-query manifest).
//! - [`PersistedQueries::Off`]: a request that names a hash is `PERSISTED_QUERY_NOT_SUPPORTED`.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::{ErrorExtensionValues, Request, Response, ServerError, Value};
use lru::LruCache;
use sha2::{Digest, Sha256};

/// The hash is unknown: send the query text with it.
pub const NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
/// The server takes no persisted queries.
pub const NOT_SUPPORTED: &str = "PERSISTED_QUERY_NOT_SUPPORTED";
/// The document is not on the server's allow-list.
pub const NOT_ALLOWED: &str = "PERSISTED_QUERY_NOT_ALLOWED";
/// The hash is not the SHA-256 of the query text sent with it.
pub const HASH_MISMATCH: &str = "PERSISTED_QUERY_HASH_MISMATCH";
/// The `persistedQuery` extension is malformed (not version 1, or not a 64-digit hex hash).
pub const INVALID: &str = "PERSISTED_QUERY_INVALID";

/// How an endpoint treats persisted queries.
#[derive(Debug, Clone)]
pub enum PersistedQueries {
    /// Requests that carry a hash are refused.
    Off,
    /// Any valid document may be registered by sending it with its hash; at most `capacity`
    /// documents are kept (least recently used evicted), each at most the body limit long.
    Automatic {
        /// Documents kept.
        capacity: usize,
    },
    /// Only these documents run.
    AllowList(Arc<AllowList>),
}

impl Default for PersistedQueries {
    fn default() -> Self {
        Self::Automatic { capacity: 4096 }
    }
}

/// The documents an allow-listing endpoint runs, by their SHA-256.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    by_hash: HashMap<String, Arc<str>>,
}

impl AllowList {
    /// The list of `documents`, each registered under the SHA-256 of its exact text.
    pub fn from_documents<I, S>(documents: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let by_hash = documents
            .into_iter()
            .map(|d| (sha256_hex(d.as_ref()), Arc::from(d.as_ref())))
            .collect();
        Self { by_hash }
    }

    /// Reads an Apollo persisted-query manifest:
    /// `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": HASH,
    /// "body": TEXT, …}]}`. Each `id` must be the SHA-256 of its `body`.
    pub fn from_manifest(json: &str) -> Result<Self, String> {
        #[derive(serde::Deserialize)]
        struct Manifest {
            format: String,
            version: u32,
            operations: Vec<Entry>,
        }
        #[derive(serde::Deserialize)]
        struct Entry {
            id: String,
            body: String,
        }
        let manifest: Manifest = serde_json::from_str(json)
            .map_err(|e| format!("not a persisted-query manifest: {e}"))?;
        if manifest.format != "apollo-persisted-query-manifest" || manifest.version != 1 {
            return Err(format!(
                "unsupported manifest format `{}` version {}: expected apollo-persisted-query-manifest version 1",
                manifest.format, manifest.version
            ));
        }
        let mut by_hash = HashMap::new();
        for entry in manifest.operations {
            let hash = sha256_hex(&entry.body);
            if !hash.eq_ignore_ascii_case(&entry.id) {
                return Err(format!(
                    "manifest entry {} is not the SHA-256 of its body ({hash})",
                    entry.id
                ));
            }
            by_hash.insert(hash, Arc::from(entry.body.as_str()));
        }
        Ok(Self { by_hash })
    }

    /// Documents on the list.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Whether the list is empty (every request is then refused).
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }
}

/// The SHA-256 of `text`, as 64 lower-case hex digits.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// An endpoint's persisted queries: the mode and, when automatic, the documents registered.
#[derive(Debug)]
pub(crate) struct Registry {
    mode: PersistedQueries,
    // `lru` rather than a hand-written map: recency order and eviction are its whole job.
    cache: Mutex<LruCache<String, Arc<str>>>,
}

impl Registry {
    pub(crate) fn new(mode: PersistedQueries) -> Self {
        let capacity = match &mode {
            PersistedQueries::Automatic { capacity } => *capacity,
            _ => 1,
        };
        Self {
            mode,
            cache: Mutex::new(LruCache::new(
                NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    /// Fills in `request.query` from its hash, or registers or checks its text; the answer to
    /// send instead when the request cannot run.
    pub(crate) fn resolve(&self, request: &mut Request) -> Result<(), Box<Response>> {
        let hash = match requested_hash(request) {
            Ok(hash) => hash,
            Err(message) => return Err(refusal(INVALID, message)),
        };
        let has_text = !request.query.trim().is_empty();
        match (&self.mode, hash) {
            (PersistedQueries::AllowList(list), None) => {
                if has_text && !list.by_hash.contains_key(&sha256_hex(&request.query)) {
                    return Err(refusal(
                        NOT_ALLOWED,
                        "this server runs registered operations only".into(),
                    ));
                }
                Ok(())
            }
            (_, None) => Ok(()),
            (PersistedQueries::Off, Some(_)) => Err(refusal(
                NOT_SUPPORTED,
                "this server does not take persisted queries".into(),
            )),
            (mode, Some(hash)) if has_text => {
                if sha256_hex(&request.query) != hash {
                    return Err(refusal(
                        HASH_MISMATCH,
                        "the persisted query hash is not the SHA-256 of the query".into(),
                    ));
                }
                match mode {
                    PersistedQueries::AllowList(list) if !list.by_hash.contains_key(&hash) => {
                        Err(refusal(
                            NOT_ALLOWED,
                            "this server runs registered operations only".into(),
                        ))
                    }
                    PersistedQueries::Automatic { .. } => {
                        self.lock().put(hash, Arc::from(request.query.as_str()));
                        Ok(())
                    }
                    _ => Ok(()),
                }
            }
            (mode, Some(hash)) => {
                let text = match mode {
                    PersistedQueries::AllowList(list) => list.by_hash.get(&hash).cloned(),
                    _ => self.lock().get(&hash).cloned(),
                };
                match text {
                    Some(text) => {
                        request.query = text.to_string();
                        Ok(())
                    }
                    None => Err(refusal(NOT_FOUND, "PersistedQueryNotFound".into())),
                }
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, Arc<str>>> {
        // The cache holds no invariant a panic could break half way: keep serving.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The lower-case hash a request names, if any.
fn requested_hash(request: &Request) -> Result<Option<String>, String> {
    let Some(ext) = request.extensions.get("persistedQuery") else {
        return Ok(None);
    };
    let Value::Object(fields) = ext else {
        return Err("`extensions.persistedQuery` must be an object".into());
    };
    match fields.get("version") {
        Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
        _ => return Err("`extensions.persistedQuery.version` must be 1".into()),
    }
    match fields.get("sha256Hash") {
        Some(Value::String(h)) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(h.to_ascii_lowercase()))
        }
        _ => Err("`extensions.persistedQuery.sha256Hash` must be 64 hex digits".into()),
    }
}

fn refusal(code: &str, message: String) -> Box<Response> {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default)
        .set("code", code);
    Box::new(Response::from_errors(vec![error]))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn with_hash(query: &str, hash: &str) -> Request {
        let mut r = Request::new(query);
        let ext = serde_json::json!({ "version": 1, "sha256Hash": hash });
        r.extensions
            .insert("persistedQuery".into(), Value::from_json(ext).unwrap());
        r
    }

    fn code(r: Result<(), Box<Response>>) -> String {
        let response = r.err().unwrap();
        let ext = response.errors[0].extensions.as_ref().unwrap();
        ext.get("code")
            .unwrap()
            .to_string()
            .trim_matches('"')
            .to_string()
    }

    #[test]
    fn automatic_miss_then_register_then_hit() {
        let registry = Registry::new(PersistedQueries::default());
        let hash = sha256_hex("{ a }");
        assert_eq!(code(registry.resolve(&mut with_hash("", &hash))), NOT_FOUND);
        assert!(registry.resolve(&mut with_hash("{ a }", &hash)).is_ok());
        let mut hit = with_hash("", &hash.to_uppercase());
        assert!(registry.resolve(&mut hit).is_ok());
        assert_eq!(hit.query, "{ a }");
    }

    #[test]
    fn a_mismatched_or_malformed_hash_is_refused() {
        let registry = Registry::new(PersistedQueries::default());
        let wrong = sha256_hex("{ b }");
        assert_eq!(
            code(registry.resolve(&mut with_hash("{ a }", &wrong))),
            HASH_MISMATCH
        );
        assert_eq!(code(registry.resolve(&mut with_hash("", "abc"))), INVALID);
        // The mismatched text was not registered under the other hash.
        assert_eq!(
            code(registry.resolve(&mut with_hash("", &wrong))),
            NOT_FOUND
        );
    }

    #[test]
    fn the_allow_list_runs_registered_documents_only() {
        let list = AllowList::from_documents(["{ a }"]);
        let registry = Registry::new(PersistedQueries::AllowList(Arc::new(list)));
        let mut by_hash = with_hash("", &sha256_hex("{ a }"));
        assert!(registry.resolve(&mut by_hash).is_ok());
        assert_eq!(by_hash.query, "{ a }");
        assert!(registry.resolve(&mut Request::new("{ a }")).is_ok());
        assert_eq!(
            code(registry.resolve(&mut Request::new("{ b }"))),
            NOT_ALLOWED
        );
        let b = sha256_hex("{ b }");
        assert_eq!(
            code(registry.resolve(&mut with_hash("{ b }", &b))),
            NOT_ALLOWED
        );
        assert_eq!(code(registry.resolve(&mut with_hash("", &b))), NOT_FOUND);
    }

    #[test]
    fn off_refuses_hashes_and_runs_text() {
        let registry = Registry::new(PersistedQueries::Off);
        assert!(registry.resolve(&mut Request::new("{ a }")).is_ok());
        let hash = sha256_hex("{ a }");
        assert_eq!(
            code(registry.resolve(&mut with_hash("{ a }", &hash))),
            NOT_SUPPORTED
        );
    }

    #[test]
    fn the_automatic_cache_is_bounded() {
        let registry = Registry::new(PersistedQueries::Automatic { capacity: 1 });
        for q in ["{ a }", "{ b }"] {
            assert!(registry.resolve(&mut with_hash(q, &sha256_hex(q))).is_ok());
        }
        assert_eq!(
            code(registry.resolve(&mut with_hash("", &sha256_hex("{ a }")))),
            NOT_FOUND
        );
    }

    #[test]
    fn manifests_are_checked() {
        let body = "query A { a }";
        let ok = serde_json::json!({"format": "apollo-persisted-query-manifest", "version": 1,
            "operations": [{"id": sha256_hex(body), "body": body, "name": "A", "type": "query"}]});
        assert_eq!(AllowList::from_manifest(&ok.to_string()).unwrap().len(), 1);
        let bad = serde_json::json!({"format": "apollo-persisted-query-manifest", "version": 1,
            "operations": [{"id": sha256_hex("x"), "body": body}]});
        assert!(AllowList::from_manifest(&bad.to_string()).is_err());
    }
}
