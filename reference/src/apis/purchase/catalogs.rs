//! Store catalogues (settings, currencies, taxes, promotions, shipping and payment methods,
//! dynamic properties), kept for a few seconds.
//!
//! Pricing a cart needs its store's whole catalogue: eight queries that were most of the work of
//! reading a cart. No API changes a catalogue (it is configuration, seeded or edited in the
//! database by an operator), so each server keeps what it read for [`TTL`]: an operator's edit
//! is seen by every node within that time. Promotions are kept with their validity windows and
//! evaluated at pricing time, so keeping them does not stretch a promotion past its end.
//!
//! moka's cache loads a missing catalogue once however many requests miss it together (the
//! others wait for that load, and one of them takes it over if its request is dropped), so an
//! expiry under load costs eight queries, not eight per waiting request.

use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;
use shopql_server_stubs::{ApiError, ApiResult};
use sqlx::AnyConnection;

use super::db;
use crate::domain::purchase::catalog::StoreCatalog;

/// How long a catalogue read from the database is used.
pub(crate) const TTL: Duration = Duration::from_secs(5);

/// Stores kept at most (a server has a handful; the bound only caps memory).
const CAPACITY: u64 = 1024;

/// The catalogues of the stores this server has priced carts of.
#[derive(Debug)]
pub struct Catalogs {
    entries: Cache<String, Arc<StoreCatalog>>,
}

impl Default for Catalogs {
    fn default() -> Self {
        Self {
            entries: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(TTL)
                .build(),
        }
    }
}

impl Catalogs {
    /// The catalogue of `store_id`, or `BAD_USER_INPUT` for an unknown store (never kept, so
    /// a store created later is found at once).
    pub async fn get(
        &self,
        conn: &mut AnyConnection,
        store_id: &str,
    ) -> ApiResult<Arc<StoreCatalog>> {
        let load = async {
            db::load_catalog(conn, store_id)
                .await?
                .map(Arc::new)
                .ok_or_else(|| ApiError::bad_input(format!("unknown store `{store_id}`")))
        };
        self.entries
            .try_get_with(store_id.to_string(), load)
            .await
            .map_err(|e: Arc<ApiError>| ApiError::clone(&e))
    }

    /// Forgets every catalogue, so the next request reads them again.
    pub fn clear(&self) {
        self.entries.invalidate_all();
    }
}
