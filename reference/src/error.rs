//! Errors: every function returns [`shopql_server_stubs::ApiResult`], and `?` turns a database
//! error into a coded [`ApiError`] (the server runtime's `sqlx` feature: `CONFLICT`,
//! `STORAGE_FULL`, `UNAVAILABLE`, `INTERNAL`). Where a violated unique key means something to
//! the caller, [`ResultExt::on_unique`] names the key and says what.

use shopql_server_stubs::{ApiError, ApiResult};
use sqlx::postgres::PgDatabaseError;

/// A unique key (or primary key) as both backends can report it: by its table and columns.
/// SQLite names no constraint in its errors, only `UNIQUE constraint failed: t.a, t.b`; PostgreSQL
/// names the table and lists the columns in the error's detail (`Key (a, b)=(…) already exists.`).
#[derive(Debug, Clone, Copy)]
pub struct UniqueKey {
    /// The table.
    pub table: &'static str,
    /// Its columns, in the key's order.
    pub columns: &'static [&'static str],
}

impl UniqueKey {
    /// Whether `e` is a violation of this key.
    pub fn violated_by(&self, e: &sqlx::Error) -> bool {
        let Some(db) = e.as_database_error() else {
            return false;
        };
        if !matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation) {
            return false;
        }
        if let Some(pg) = db.try_downcast_ref::<PgDatabaseError>() {
            let columns = pg
                .detail()
                .and_then(|d| d.strip_prefix("Key ("))
                .and_then(|d| d.split_once(")=").map(|(cols, _)| cols));
            return pg.table() == Some(self.table)
                && columns.is_some_and(|cols| cols.split(", ").eq(self.columns.iter().copied()));
        }
        let Some(failed) = db.message().strip_prefix("UNIQUE constraint failed: ") else {
            return false;
        };
        failed
            .split(", ")
            .eq(self.columns.iter().map(|c| format!("{}.{c}", self.table)))
    }
}

/// Mapping one named database failure to what it means for the caller.
pub trait ResultExt<T> {
    /// Turns a violation of `key` into `f()`'s error; every other error is mapped as `?` maps it.
    fn on_unique(self, key: UniqueKey, f: impl FnOnce() -> ApiError) -> ApiResult<T>;
}

impl<T> ResultExt<T> for Result<T, sqlx::Error> {
    fn on_unique(self, key: UniqueKey, f: impl FnOnce() -> ApiError) -> ApiResult<T> {
        self.map_err(|e| if key.violated_by(&e) { f() } else { e.into() })
    }
}
