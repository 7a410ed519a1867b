//! One error type for resolvers, mapped to GraphQL errors with `extensions.code`.

use std::fmt;

/// The stable codes carried in `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// No valid credentials.
    Unauthenticated,
    /// Valid credentials, not allowed.
    Forbidden,
    /// The input is invalid.
    BadUserInput,
    /// The object does not exist (or is not visible to the caller).
    NotFound,
    /// The request conflicts with the current state (stock, state machine, duplicates).
    Conflict,
    /// Too many requests; retry later.
    RateLimited,
    /// The method is not implemented yet.
    NotImplemented,
    /// Storage cannot be reached right now (a database restart, a dropped connection); nothing
    /// was written, and the same request may be retried.
    Unavailable,
    /// Storage has no space left: writes are refused until an operator frees some; reads still
    /// work.
    StorageFull,
    /// An internal failure; the message shown is generic.
    Internal,
}

impl ErrorCode {
    /// The text in `extensions.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::NotImplemented => "NOT_IMPLEMENTED",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::StorageFull => "STORAGE_FULL",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resolver's error: a code, a message for the caller, and optional extensions. For
/// [`ErrorCode::Internal`] the caller sees a generic message and a correlation id; the detail is
/// logged, never sent.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The code.
    pub code: ErrorCode,
    /// The message shown to the caller (generic for internal errors).
    pub message: String,
    /// Extra `extensions` entries (e.g. `field`, `retryAfter`).
    pub extensions: Vec<(String, serde_json::Value)>,
    detail: Option<String>,
}

/// The result of a resolver.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with a code and a message for the caller.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            extensions: Vec::new(),
            detail: None,
        }
    }

    /// `UNAUTHENTICATED`
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    /// `FORBIDDEN`
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// `BAD_USER_INPUT`
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadUserInput, message)
    }

    /// `NOT_FOUND`
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// `CONFLICT`
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// `RATE_LIMITED`, with the seconds to wait in `extensions.retryAfter`.
    pub fn rate_limited(retry_after_seconds: u64) -> Self {
        Self::new(
            ErrorCode::RateLimited,
            format!("too many requests; retry in {retry_after_seconds} s"),
        )
        .with_extension("retryAfter", retry_after_seconds)
    }

    /// `UNAVAILABLE`: storage could not be reached; the request may be retried.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unavailable, message)
    }

    /// `STORAGE_FULL`: the write was refused for lack of space; nothing of it was kept.
    pub fn storage_full(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::StorageFull, message)
    }

    /// `NOT_IMPLEMENTED` for a schema coordinate such as `Query.cart`.
    pub fn not_implemented(coordinate: &str) -> Self {
        Self::new(
            ErrorCode::NotImplemented,
            format!("`{coordinate}` is not implemented"),
        )
    }

    /// `INTERNAL`: the caller sees a generic message; `detail` is logged with a correlation id.
    pub fn internal(detail: impl fmt::Display) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: "internal error".into(),
            extensions: Vec::new(),
            detail: Some(detail.to_string()),
        }
    }

    /// Adds an `extensions` entry.
    #[must_use]
    pub fn with_extension(
        mut self,
        key: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.extensions.push((key.into(), value.into()));
        self
    }

    /// The logged detail of an internal error.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// The GraphQL error sent to the caller: the message (generic for internal errors) and
    /// `extensions.code`.
    pub fn into_graphql(self) -> async_graphql::Error {
        use async_graphql::ErrorExtensions;
        let e = self;
        let mut message = e.message.clone();
        let mut correlation = None;
        if e.code == ErrorCode::Internal {
            let id = uuid::Uuid::new_v4().simple().to_string();
            tracing::error!(correlation_id = %id, detail = e.detail.as_deref().unwrap_or(""), "internal error in a resolver");
            message = format!("internal error (correlation id {id})");
            correlation = Some(id);
        }
        let mut err = async_graphql::Error::new(message);
        let code = e.code.as_str();
        let extensions = e.extensions;
        err = err.extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(id) = &correlation {
                ext.set("correlationId", id.as_str());
            }
            for (k, v) in &extensions {
                if let Ok(v) = async_graphql::Value::from_json(v.clone()) {
                    ext.set(k.as_str(), v);
                }
            }
        });
        err
    }
}

/// With the `sqlx` feature, `?` turns a database error into an API error: a violated unique or check constraint is a
/// `CONFLICT` (someone else got there first, or a stock backstop held); a full disk is
/// `STORAGE_FULL`; a database that cannot be reached (restarting, connections cut, the pool
/// exhausted) is `UNAVAILABLE`; anything else is `INTERNAL`, logged with its detail and shown to
/// the caller as a generic message.
#[cfg(feature = "sqlx")]
impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        db_error(e)
    }
}

#[cfg(feature = "sqlx")]
fn db_error(e: sqlx::Error) -> ApiError {
    if is_storage_full(&e) {
        tracing::warn!(error = %e, "storage is full: refusing writes");
        return ApiError::storage_full(
            "the server's storage is full: the change was not saved; retry once space is freed",
        );
    }
    if is_unreachable(&e) {
        tracing::warn!(error = %e, "storage unavailable");
        return ApiError::unavailable("storage is unavailable right now; retry shortly");
    }
    if let Some(db) = e.as_database_error() {
        match db.kind() {
            sqlx::error::ErrorKind::UniqueViolation => {
                return ApiError::conflict("the object already exists or was changed concurrently");
            }
            sqlx::error::ErrorKind::CheckViolation => {
                return ApiError::conflict(
                    "the change would break a consistency rule (e.g. stock below zero)",
                );
            }
            sqlx::error::ErrorKind::ForeignKeyViolation => {
                return ApiError::conflict("the change refers to an object that does not exist");
            }
            _ => {}
        }
    }
    ApiError::internal(format!("database: {e}"))
}

/// SQLite's `SQLITE_FULL` (13), or an I/O error while writing (`SQLITE_IOERR_WRITE`, 778, as
/// some file systems report a full disk); PostgreSQL's `disk_full` (53100).
#[cfg(feature = "sqlx")]
fn is_storage_full(e: &sqlx::Error) -> bool {
    let Some(db) = e.as_database_error() else {
        return false;
    };
    matches!(db.code().as_deref(), Some("13" | "778" | "53100"))
        || db.message().contains("database or disk is full")
}

/// The database could not be reached or dropped the connection: sqlx's I/O, TLS, protocol and
/// pool errors, and PostgreSQL's connection exceptions (class 08), server shutdowns and start-ups
/// (57P01 `admin_shutdown`, sent by `pg_terminate_backend` too; 57P02; 57P03
/// `cannot_connect_now`).
#[cfg(feature = "sqlx")]
fn is_unreachable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| {
            c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_do_not_leak_their_detail() {
        let e = ApiError::internal("SELECT * FROM secrets failed at /src/db.rs:12").into_graphql();
        assert!(
            e.message.starts_with("internal error (correlation id "),
            "{}",
            e.message
        );
        assert!(!e.message.contains("SELECT"));
        let ext = e.extensions.expect("extensions are set");
        assert_eq!(
            ext.get("code"),
            Some(&async_graphql::Value::from("INTERNAL"))
        );
        assert!(ext.get("correlationId").is_some());
    }

    #[test]
    fn codes_and_extensions_are_carried() {
        let e = ApiError::rate_limited(3).into_graphql();
        let ext = e.extensions.expect("extensions are set");
        assert_eq!(
            ext.get("code"),
            Some(&async_graphql::Value::from("RATE_LIMITED"))
        );
        assert_eq!(ext.get("retryAfter"), Some(&async_graphql::Value::from(3)));
    }
}
