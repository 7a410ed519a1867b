//! Store catalogues (settings, currencies, taxes, promotions, shipping and payment methods,
//! dynamic properties), kept for a few seconds.
//!
//! Pricing a cart needs its store's whole catalogue: eight queries that were most of the work of
//! reading a cart. No API changes a catalogue (it is configuration, seeded or edited in the
//! database by an operator), so each server keeps what it read for [`TTL`]: an operator's edit
//! is seen by every node within that time. Promotions are kept with their validity windows and
//! evaluated at pricing time, so keeping them does not stretch a promotion past its end.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use shopql_server_stubs::{ApiError, ApiResult};
use sqlx::AnyConnection;

use super::db;
use crate::domain::purchase::catalog::StoreCatalog;

/// How long a catalogue read from the database is used.
pub(crate) const TTL: Duration = Duration::from_secs(5);

/// Stores kept at most (a server has a handful; the bound only caps memory).
const CAPACITY: usize = 1024;

/// The catalogues of the stores this server has priced carts of.
#[derive(Debug, Default)]
pub struct Catalogs {
    entries: Mutex<HashMap<String, (Instant, Arc<StoreCatalog>)>>,
}

impl Catalogs {
    /// The catalogue of `store_id`, or `BAD_USER_INPUT` for an unknown store (never kept, so
    /// a store created later is found at once).
    pub async fn get(
        &self,
        conn: &mut AnyConnection,
        store_id: &str,
    ) -> ApiResult<Arc<StoreCatalog>> {
        if let Some(catalog) = self.fresh(store_id) {
            return Ok(catalog);
        }
        let catalog = db::load_catalog(conn, store_id)
            .await?
            .map(Arc::new)
            .ok_or_else(|| ApiError::bad_input(format!("unknown store `{store_id}`")))?;
        let mut entries = self.lock();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(store_id.to_string(), (Instant::now(), Arc::clone(&catalog)));
        Ok(catalog)
    }

    /// Forgets every catalogue, so the next request reads them again.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn fresh(&self, store_id: &str) -> Option<Arc<StoreCatalog>> {
        self.lock()
            .get(store_id)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, c)| Arc::clone(c))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Arc<StoreCatalog>)>> {
        // A map of immutable values: a panic elsewhere cannot leave it half-updated.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
