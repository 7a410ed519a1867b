//! A small builder for SQL whose shape depends on the input (inventory filters, `IN` lists):
//! text with `$n` placeholders numbered as arguments are added, run on SQLite and PostgreSQL
//! alike through sqlx's `Any` driver.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};

use shopql_server_stubs::ApiError;

use crate::store::db_error;

/// A bind value (only the types both backends share).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// BIGINT
    I64(i64),
    /// TEXT
    Text(String),
    /// BOOLEAN
    Bool(bool),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Self::I64(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Self::Text(v.to_string())
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}

impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}

/// SQL text and its arguments.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    /// The text.
    pub text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// Starts with `text`.
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    /// Appends text.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Adds an argument and appends its placeholder.
    pub fn arg(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        let n = self.args.len();
        self.text.push('$');
        self.text.push_str(&n.to_string());
        self
    }

    /// Appends `(…, …)` with one placeholder per value.
    pub fn list<T: Into<Arg> + Clone>(&mut self, values: &[T]) -> &mut Self {
        self.push("(");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.arg(v.clone());
        }
        self.push(")")
    }

    /// The query, with its arguments bound.
    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::I64(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
                Arg::Bool(v) => q.bind(*v),
            };
        }
        q
    }
}

/// Reads a column, turning a decoding failure into an internal error.
pub fn get<'r, T>(row: &'r AnyRow, column: &str) -> Result<T, ApiError>
where
    T: sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    row.try_get::<T, _>(column).map_err(db_error)
}

/// Reads a flag: BOOLEAN on PostgreSQL, INTEGER 0/1 on SQLite (sqlx's Any driver cannot read a
/// SQLite column declared BOOLEAN, so the SQLite migration declares flags INTEGER).
pub fn get_bool(row: &AnyRow, column: &str) -> Result<bool, ApiError> {
    match row.try_get::<bool, _>(column) {
        Ok(b) => Ok(b),
        Err(_) => row
            .try_get::<i64, _>(column)
            .map(|v| v != 0)
            .map_err(db_error),
    }
}
