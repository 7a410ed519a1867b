//! A bounded cache of parsed GraphQL documents, keyed by the query text.
//!
//! Clients send the same few documents over and over (an SDK sends its operation documents
//! verbatim), and async-graphql's pest parser was ~12 % of a small read's server CPU in the
//! benchmark's profile. A hit clones the cached AST (names are shared `Arc<str>`s), which costs a
//! fraction of a parse. Only documents that parsed are kept, so an error is always fresh and
//! located; long documents are not kept, so the cache's memory stays bounded
//! (`capacity` × `max_query_bytes` of text at most, plus their ASTs).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::Request;
use async_graphql::parser::types::ExecutableDocument;

/// Documents kept per endpoint by default.
pub const DEFAULT_CAPACITY: usize = 512;

/// Documents longer than this (bytes) are parsed every time.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// A bounded map from query text to its parsed document, oldest entry evicted first.
#[derive(Debug)]
pub struct ParseCache {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    docs: HashMap<Arc<str>, ExecutableDocument>,
    order: VecDeque<Arc<str>>,
}

impl Default for ParseCache {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl ParseCache {
    /// A cache of at most `capacity` documents (0 turns it off).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Entries::default()),
        }
    }

    /// Documents held now.
    pub fn len(&self) -> usize {
        self.lock().docs.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // The map holds no invariant a panic could break half way: keep serving.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Gives `request` its parsed document from the cache, or parses it and keeps the result.
    /// A document that does not parse is left to `Request::parsed_query`, which reports it.
    pub fn prepare(&self, request: &mut Request) {
        if self.capacity == 0 || request.query.len() > MAX_QUERY_BYTES {
            return;
        }
        if let Some(doc) = self.lock().docs.get(request.query.as_str()) {
            request.set_parsed_query(doc.clone());
            return;
        }
        let Ok(doc) = request.parsed_query() else {
            return;
        };
        let doc = doc.clone();
        let key: Arc<str> = Arc::from(request.query.as_str());
        let mut entries = self.lock();
        if entries.docs.contains_key(&key) {
            return;
        }
        while entries.order.len() >= self.capacity {
            if let Some(old) = entries.order.pop_front() {
                entries.docs.remove(&old);
            }
        }
        entries.order.push_back(key.clone());
        entries.docs.insert(key, doc);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_hit_gives_the_same_document_and_the_cache_stays_bounded() {
        let cache = ParseCache::new(2);
        let mut first = Request::new("{ a b }");
        cache.prepare(&mut first);
        assert_eq!(cache.len(), 1);
        let mut again = Request::new("{ a b }");
        cache.prepare(&mut again);
        assert_eq!(cache.len(), 1);
        let fields = |r: &mut Request| format!("{:?}", r.parsed_query().unwrap().operations);
        assert_eq!(fields(&mut first), fields(&mut again));

        cache.prepare(&mut Request::new("{ c }"));
        cache.prepare(&mut Request::new("{ d }"));
        assert_eq!(cache.len(), 2, "the oldest document is evicted");
        let mut c = Request::new("{ c }");
        cache.prepare(&mut c);
        assert!(format!("{:?}", c.parsed_query().unwrap()).contains("\"c\""));
    }

    #[test]
    fn errors_and_long_documents_are_not_kept() {
        let cache = ParseCache::new(8);
        let mut broken = Request::new("{ a ");
        cache.prepare(&mut broken);
        assert!(cache.is_empty());
        assert!(
            broken.parsed_query().is_err(),
            "the error is still reported"
        );
        let long = format!("{{ a {} }}", " ".repeat(MAX_QUERY_BYTES));
        cache.prepare(&mut Request::new(long));
        assert!(cache.is_empty());
        ParseCache::new(0).prepare(&mut Request::new("{ a }"));
    }
}
