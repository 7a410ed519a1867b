//! Stores, keyed by domain: the `CommonGround-Origin` header names one.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use shopql_server_stubs::ApiError;

use crate::store::Store;

/// A store of the client API.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct StoreRow {
    /// `configRef`: the store configuration's ObjectId.
    pub id: String,
    /// Its domain, lower case.
    pub domain: String,
    /// Display name.
    pub name: String,
    /// ISO 4217 currency of its prices.
    pub currency: String,
    /// Its home country (shipping methods when no address is set).
    pub home_alpha2: String,
    /// Tax rate included in its prices, basis points.
    pub tax_rate_bp: i64,
    /// Subtotal from which eligible shipping is free, minor units.
    pub free_shipping_threshold: Option<i64>,
}

impl StoreRow {
    /// `https://<domain>`.
    pub(crate) fn base_url(&self) -> String {
        format!("https://{}", self.domain)
    }
}

/// The text of a `CommonGround-Origin` header reduced to a domain: trimmed, lower case, without
/// a scheme, path or trailing dot, so `https://WWW.My-Vinyl-Store.com/` names the same store.
pub(crate) fn normalize_domain(header: &str) -> String {
    let t = header.trim().to_ascii_lowercase();
    let t = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(&t);
    let t = t.split('/').next().unwrap_or_default();
    t.trim_end_matches('.').to_string()
}

/// How long a found store is trusted without asking the database again: a store revoked by
/// `shopql-reference admin client-store revoke` stops answering on every node within this.
pub(crate) const STORE_CACHE_TTL: Duration = Duration::from_secs(30);

/// Store lookups by domain, cached for [`STORE_CACHE_TTL`]: a store's settings never change,
/// but it may be revoked (unknown and revoked domains are not cached, so a store added later
/// by another node is found).
#[derive(Debug, Clone, Default)]
pub(crate) struct Stores {
    cache: Arc<RwLock<HashMap<String, Cached>>>,
}

/// A found store and when it was read.
type Cached = (Instant, Arc<StoreRow>);

impl Stores {
    /// The store with `domain` (already normalized), if any.
    pub(crate) async fn by_domain(
        &self,
        store: &Store,
        domain: &str,
    ) -> Result<Option<Arc<StoreRow>>, ApiError> {
        if let Ok(cache) = self.cache.read()
            && let Some((at, found)) = cache.get(domain)
            && at.elapsed() < STORE_CACHE_TTL
        {
            return Ok(Some(Arc::clone(found)));
        }
        let row = sqlx::query_as::<_, StoreRow>(
            "SELECT id, domain, name, currency, home_alpha2, tax_rate_bp, free_shipping_threshold \
             FROM client_stores WHERE domain = $1 AND revoked IS NULL",
        )
        .bind(domain)
        .fetch_optional(&store.pool)
        .await?;
        let Some(row) = row else {
            if let Ok(mut cache) = self.cache.write() {
                cache.remove(domain);
            }
            return Ok(None);
        };
        let found = Arc::new(row);
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(domain.to_string(), (Instant::now(), Arc::clone(&found)));
        }
        Ok(Some(found))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_normalized() {
        assert_eq!(
            normalize_domain(" https://WWW.My-Vinyl-Store.com/ "),
            "www.my-vinyl-store.com"
        );
        assert_eq!(
            normalize_domain("www.my-vinyl-store.com."),
            "www.my-vinyl-store.com"
        );
        assert_eq!(normalize_domain(""), "");
    }
}
