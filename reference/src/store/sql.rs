//! The one SQL builder of every API, for SQL whose shape depends on the input (filters, `IN`
//! lists, keyset bounds): text with `$n` placeholders numbered as arguments are added, run on
//! SQLite and PostgreSQL alike through sqlx's `Any` driver; and typed column reads that turn
//! decoding problems into internal errors.
//!
//! Booleans: a flag column is `BOOLEAN` on PostgreSQL in the client and purchase tables and
//! `INTEGER` 0/1 everywhere else (sqlx's `Any` driver cannot read a SQLite `BOOLEAN` column).
//! [`flag`] reads either; a value is bound as [`Arg::Bool`] for a `BOOLEAN` column and as an
//! `i64` for an `INTEGER` one. There is no `From<bool>`, so each call site says which.

use sqlx::any::{AnyArguments, AnyRow, AnyTypeInfo, AnyTypeInfoKind, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::query::Query;
use sqlx::{Any, Row, ValueRef as _};

use shopql_server_stubs::{ApiError, ApiResult};

/// A bind value (only the types both backends share).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    /// BIGINT
    I64(i64),
    /// BIGINT or NULL
    OptI64(Option<i64>),
    /// TEXT
    Text(String),
    /// TEXT or NULL
    OptText(Option<String>),
    /// BOOLEAN (PostgreSQL); INTEGER 0/1 on SQLite
    Bool(bool),
    /// DOUBLE PRECISION or NULL
    OptF64(Option<f64>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Self::I64(v)
    }
}

impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Self::OptI64(v)
    }
}

impl From<i32> for Arg {
    fn from(v: i32) -> Self {
        Self::I64(i64::from(v))
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

impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}

impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Self::OptText(v)
    }
}

impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Self::OptText(v.map(str::to_string))
    }
}

impl From<Option<f64>> for Arg {
    fn from(v: Option<f64>) -> Self {
        Self::OptF64(v)
    }
}

/// SQL text and its arguments.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sql {
    /// The text.
    pub text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// Starts with `text`.
    pub(crate) fn new(text: &str) -> Self {
        Self {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    /// Appends text.
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Adds an argument and appends its placeholder.
    pub(crate) fn arg(&mut self, value: impl Into<Arg>) -> &mut Self {
        let value = value.into();
        if value == Arg::OptF64(None) {
            // sqlx 0.8's Any driver sends a NULL double to PostgreSQL as a NULL *float4*; the
            // statement is then cached with a float4 parameter and a later non-NULL double fails
            // ("incorrect binary data format"). A literal NULL keeps the cached statements apart.
            self.text.push_str("NULL");
            return self;
        }
        self.args.push(value);
        let n = self.args.len();
        self.text.push('$');
        self.text.push_str(&n.to_string());
        self
    }

    /// Appends ` AND expr >= from` and ` AND expr < until` for the ends given: the half-open
    /// range `[from, until)`.
    pub(crate) fn in_range(
        &mut self,
        expr: &str,
        from: Option<i64>,
        until: Option<i64>,
    ) -> &mut Self {
        if let Some(from) = from {
            self.push(&format!(" AND {expr} >= ")).arg(from);
        }
        if let Some(until) = until {
            self.push(&format!(" AND {expr} < ")).arg(until);
        }
        self
    }

    /// Appends `expr LIKE p OR …` for each of `exprs`, `p` matching what contains `text`
    /// (trimmed, in any case).
    pub(crate) fn like_any(&mut self, exprs: &[&str], text: &str) -> &mut Self {
        let p = contains_pattern(text.trim());
        for (i, expr) in exprs.iter().enumerate() {
            let or = if i == 0 { "" } else { " OR " };
            self.push(&format!("{or}{expr} LIKE ")).arg(p.clone());
            self.push(" ESCAPE '\\'");
        }
        self
    }

    /// Appends `(…, …)` with one placeholder per value; `(NULL)` (which matches nothing) when
    /// there is none.
    pub(crate) fn list<T: Into<Arg>>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self {
        self.text.push('(');
        let mut first = true;
        for v in values {
            if !first {
                self.text.push_str(", ");
            }
            first = false;
            self.arg(v);
        }
        if first {
            self.text.push_str("NULL");
        }
        self.text.push(')');
        self
    }

    /// `self` (which must have no arguments yet) followed by `other`, keeping `other`'s
    /// placeholder numbers. Used to share one filter between a page query and its count.
    pub(crate) fn concat(mut self, other: &Sql) -> Sql {
        debug_assert!(self.args.is_empty(), "concat renumbers nothing");
        self.text.push_str(&other.text);
        self.args.extend(other.args.iter().cloned());
        self
    }

    /// The number of arguments so far.
    pub(crate) fn arg_count(&self) -> usize {
        self.args.len()
    }

    /// The sqlx query with its arguments bound.
    pub(crate) fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::I64(v) => q.bind(*v),
                Arg::OptI64(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.as_str()),
                Arg::OptText(v) => q.bind(v.as_deref()),
                Arg::OptF64(v) => q.bind(*v),
                Arg::Bool(v) => q.bind(*v),
            };
        }
        q
    }

    /// Runs the query and returns every row.
    pub(crate) async fn fetch_all<'e, E>(&self, executor: E) -> ApiResult<Vec<AnyRow>>
    where
        E: sqlx::Executor<'e, Database = Any>,
    {
        Ok(self.query().fetch_all(executor).await?)
    }

    /// Runs the query and returns the first row, if any.
    pub(crate) async fn fetch_optional<'e, E>(&self, executor: E) -> ApiResult<Option<AnyRow>>
    where
        E: sqlx::Executor<'e, Database = Any>,
    {
        Ok(self.query().fetch_optional(executor).await?)
    }

    /// Runs the query and reads every row as `T`.
    pub(crate) async fn fetch_all_as<'e, T, E>(&self, executor: E) -> ApiResult<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, AnyRow>,
        E: sqlx::Executor<'e, Database = Any>,
    {
        let rows = self.fetch_all(executor).await?;
        Ok(rows.iter().map(T::from_row).collect::<Result<_, _>>()?)
    }

    /// Runs the query and reads the first row, if any, as `T`.
    pub(crate) async fn fetch_optional_as<'e, T, E>(&self, executor: E) -> ApiResult<Option<T>>
    where
        T: for<'r> sqlx::FromRow<'r, AnyRow>,
        E: sqlx::Executor<'e, Database = Any>,
    {
        let row = self.fetch_optional(executor).await?;
        Ok(row.as_ref().map(T::from_row).transpose()?)
    }

    /// Runs a query of one column and returns its value in every row.
    pub(crate) async fn fetch_column<'e, T, E>(&self, executor: E) -> ApiResult<Vec<T>>
    where
        T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
        E: sqlx::Executor<'e, Database = Any>,
    {
        let rows: Vec<(T,)> = self.fetch_all_as(executor).await?;
        Ok(rows.into_iter().map(|(value,)| value).collect())
    }

    /// Runs a query whose row has an integer column `n` (a count) and returns it; 0 without a
    /// row.
    pub(crate) async fn fetch_n<'e, E>(&self, executor: E) -> ApiResult<i64>
    where
        E: sqlx::Executor<'e, Database = Any>,
    {
        match self.fetch_optional(executor).await? {
            Some(row) => col(&row, "n"),
            None => Ok(0),
        }
    }

    /// Runs the statement and returns the number of rows it changed.
    pub(crate) async fn execute<'e, E>(&self, executor: E) -> ApiResult<u64>
    where
        E: sqlx::Executor<'e, Database = Any>,
    {
        Ok(self.query().execute(executor).await?.rows_affected())
    }
}

/// Reads column `name` of `row`.
pub(crate) fn col<T>(row: &AnyRow, name: &str) -> Result<T, ApiError>
where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    row.try_get::<T, _>(name)
        .map_err(|e| ApiError::internal(format!("reading column `{name}`: {e}")))
}

/// Reads a flag: a `BOOLEAN` column, or an `INTEGER` 0/1 one (see the module's note).
pub(crate) fn flag(row: &AnyRow, name: &str) -> Result<bool, ApiError> {
    col::<Flag>(row, name).map(bool::from)
}

/// A flag column as stored, `BOOLEAN` or `INTEGER` 0/1 (see the module's note). Row structs that
/// derive `sqlx::FromRow` read their `bool` fields through it: `#[sqlx(try_from = "Flag")]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(bool);

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}

impl sqlx::Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <bool as sqlx::Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        use AnyTypeInfoKind::{BigInt, Bool, Integer, SmallInt};
        matches!(ty.kind(), Bool | SmallInt | Integer | BigInt)
    }
}

impl<'r> sqlx::Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        if value.type_info().kind() == AnyTypeInfoKind::Bool {
            <bool as sqlx::Decode<Any>>::decode(value).map(Flag)
        } else {
            <i64 as sqlx::Decode<Any>>::decode(value).map(|v| Flag(v != 0))
        }
    }
}

/// A JSON document stored as `TEXT`, as a field of a row struct that derives `sqlx::FromRow`
/// (sqlx's own `Json` has no `Any` decoding). It derefs to the document; text that is not the
/// document is a decoding error, never a silent default.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub(crate) struct Doc<T>(pub T);

impl<T> std::ops::Deref for Doc<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Doc<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> sqlx::Type<Any> for Doc<T> {
    fn type_info() -> AnyTypeInfo {
        <String as sqlx::Type<Any>>::type_info()
    }
}

impl<'r, T: serde::de::DeserializeOwned> sqlx::Decode<'r, Any> for Doc<T> {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as sqlx::Decode<Any>>::decode(value)?;
        Ok(Doc(serde_json::from_str(text)?))
    }
}

/// Reads a nullable integer column.
pub(crate) fn opt_i64(row: &AnyRow, name: &str) -> Result<Option<i64>, ApiError> {
    col::<Option<i64>>(row, name)
}

/// Reads a nullable text column.
pub(crate) fn opt_text(row: &AnyRow, name: &str) -> Result<Option<String>, ApiError> {
    col::<Option<String>>(row, name)
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern and wraps the text in `%…%`,
/// lower-cased (compare with `LOWER(column)`).
pub(crate) fn contains_pattern(text: &str) -> String {
    format!("%{}%", escape_like(&text.to_lowercase()))
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut s = Sql::new("SELECT 1 WHERE a = ");
        s.arg(1i64).push(" AND b IN ").list(["x", "y"]);
        assert_eq!(s.text, "SELECT 1 WHERE a = $1 AND b IN ($2, $3)");
        let mut e = Sql::new("x IN ");
        e.list(Vec::<i64>::new());
        assert_eq!(e.text, "x IN (NULL)");
        assert_eq!(s.arg_count(), 3);
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(contains_pattern("BBQ"), "%bbq%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
