//! Demo data as data: each API's fixture (`reference/fixtures/*.json`, embedded so that the
//! binary stays self-contained) lists rows per table in insertion order (a foreign key points
//! to a row above it), and this one loader inserts them on SQLite or PostgreSQL.
//!
//! A fixture is `{"tables": [{"table": "t", "rows": [{"column": value, …}, …]}, …]}`. Each
//! value is bound with its JSON type, checked against the column's declared type, so the same
//! file loads on both backends: integers, floats, text, `null`, booleans (written as 1/0 to an
//! integer column: SQLite's flags), and arrays or objects, written to a text column as their
//! JSON text (the document columns). A column left out takes its default.
//!
//! A few values are computed at load, each written as an object with one `$` key:
//!
//! - `{"$now": ms}`: the load time plus `ms` (a number, or a `$param` holding one);
//! - `{"$param": "name"}`: a value the seeding API passes (the shop's tenant, its cart lifetime);
//! - `{"$password_hash": "plain"}`: [`hash_password`] of `plain`, computed once per password and
//!   load (argon2 is slow on purpose);
//! - `{"$sha256": "plain"}`: the hex SHA-256 that API keys and purchase tokens are stored as.
//!
//! They may appear anywhere, inside documents too. Everything else a seed once derived (slugs,
//! totals, search texts, documents built from parts) is stored as its result. A fixture that
//! names an unknown table or column, or holds a bad placeholder or a value of the wrong type,
//! fails with an error that names the fixture, the table, the row and the column.

use std::collections::HashMap;

use crate::auth::sha256_hex;
use anyhow::{Context, anyhow, bail};
use serde::Deserialize;
use serde_json::{Map, Value};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

use shopql_server_stubs::ApiError;

use super::{Store, Tx};
use crate::auth::hash_password;

/// An embedded fixture.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fixture {
    /// The file name, for messages.
    pub name: &'static str,
    text: &'static str,
}

macro_rules! fixture {
    ($file:literal) => {
        Fixture {
            name: $file,
            text: include_str!(concat!("../../fixtures/", $file)),
        }
    };
}

/// The client API's stores, items, customers and checkout.
pub(crate) const CLIENT: Fixture = fixture!("client.json");
/// The marketplace's sellers, catalogue, adverts and invoices.
pub(crate) const MARKETPLACE: Fixture = fixture!("marketplace.json");
/// The purchase API's stores, catalogue, pricing rules, tokens and carts.
pub(crate) const PURCHASE: Fixture = fixture!("purchase.json");
/// The shop catalogue of one tenant (`$param` `tenant`): any tenant can get it.
pub(crate) const SHOP_CATALOGUE: Fixture = fixture!("shop-catalogue.json");
/// The demo tenant's carts (`$param`s `tenant`, `cart_ttl_s`, `cart_ttl_ms`).
pub(crate) const SHOP_CARTS: Fixture = fixture!("shop-carts.json");
#[cfg(test)]
/// Every fixture.
pub(crate) const ALL: [Fixture; 5] = [CLIENT, MARKETPLACE, PURCHASE, SHOP_CATALOGUE, SHOP_CARTS];

/// What the placeholders resolve to: the load time and the seeding API's parameters.
#[derive(Debug, Clone)]
pub(crate) struct Values {
    now_ms: i64,
    params: Map<String, Value>,
}

impl Values {
    /// Values for a load at `now_ms`, without parameters.
    pub(crate) fn at(now_ms: i64) -> Self {
        Self {
            now_ms,
            params: Map::new(),
        }
    }

    /// Adds the parameter `name`.
    #[must_use]
    pub(crate) fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.params.insert(name.to_string(), value.into());
        self
    }
}

/// What an insert does with a row whose key exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnConflict {
    /// Fails: the seeding transaction rolls back.
    Fail,
    /// Keeps the existing row (loading the same fixture twice is a no-op).
    Skip,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    tables: Vec<TableFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    table: String,
    rows: Vec<Value>,
}

/// A fixture with its placeholders resolved, ready to insert.
#[derive(Debug, Clone)]
pub(crate) struct Rows {
    fixture: &'static str,
    tables: Vec<(String, Vec<Map<String, Value>>)>,
}

impl Fixture {
    /// Parses the fixture and resolves its placeholders, on a blocking thread (password hashes).
    pub(crate) async fn resolve(self, values: &Values) -> anyhow::Result<Rows> {
        let values = values.clone();
        tokio::task::spawn_blocking(move || self.resolve_now(&values))
            .await
            .with_context(|| format!("fixture {}: resolving stopped", self.name))?
    }

    fn resolve_now(self, values: &Values) -> anyhow::Result<Rows> {
        let file: File = serde_json::from_str(self.text)
            .with_context(|| format!("fixture {}: not a fixture", self.name))?;
        let mut resolver = Resolver {
            values,
            hashes: HashMap::new(),
        };
        let mut tables = Vec::with_capacity(file.tables.len());
        for table in file.tables {
            let mut rows = Vec::with_capacity(table.rows.len());
            for (i, row) in table.rows.into_iter().enumerate() {
                let at = || {
                    format!(
                        "fixture {}, table {}, row {}",
                        self.name,
                        table.table,
                        i + 1
                    )
                };
                let Value::Object(row) = row else {
                    bail!("{}: a row is an object of columns", at());
                };
                let mut resolved = Map::with_capacity(row.len());
                for (column, value) in row {
                    let value = resolver
                        .resolve(value)
                        .with_context(|| format!("{}, column {column}", at()))?;
                    resolved.insert(column, value);
                }
                rows.push(resolved);
            }
            tables.push((table.table, rows));
        }
        Ok(Rows {
            fixture: self.name,
            tables,
        })
    }
}

struct Resolver<'a> {
    values: &'a Values,
    hashes: HashMap<String, String>,
}

impl Resolver<'_> {
    /// `value` with every placeholder in it replaced (inner ones first).
    fn resolve(&mut self, value: Value) -> anyhow::Result<Value> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .map(|v| self.resolve(v))
                .collect::<anyhow::Result<_>>()
                .map(Value::Array),
            Value::Object(map) => {
                let placeholder = map.len() == 1 && map.keys().all(|k| k.starts_with('$'));
                let mut resolved = Map::with_capacity(map.len());
                for (k, v) in map {
                    resolved.insert(k, self.resolve(v)?);
                }
                if !placeholder {
                    return Ok(Value::Object(resolved));
                }
                let Some((name, argument)) = resolved.into_iter().next() else {
                    bail!("an empty placeholder");
                };
                self.placeholder(&name, argument)
            }
            other => Ok(other),
        }
    }

    fn placeholder(&mut self, name: &str, argument: Value) -> anyhow::Result<Value> {
        let text = |argument: &Value| {
            argument
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| anyhow!("`{name}` takes a string, not {argument}"))
        };
        Ok(match name {
            "$now" => {
                let offset = argument
                    .as_i64()
                    .ok_or_else(|| anyhow!("`$now` takes an offset in ms, not {argument}"))?;
                Value::from(self.values.now_ms.saturating_add(offset))
            }
            "$param" => {
                let param = text(&argument)?;
                self.values
                    .params
                    .get(&param)
                    .cloned()
                    .ok_or_else(|| anyhow!("no parameter `{param}` was passed to this load"))?
            }
            "$password_hash" => {
                let password = text(&argument)?;
                if let Some(hash) = self.hashes.get(&password) {
                    return Ok(Value::from(hash.clone()));
                }
                let hash = hash_password(&password).map_err(detailed)?;
                self.hashes.insert(password, hash.clone());
                Value::from(hash)
            }
            "$sha256" => Value::from(sha256_hex(&text(&argument)?)),
            other => bail!(
                "unknown placeholder `{other}` (known: $now, $param, $password_hash, $sha256)"
            ),
        })
    }
}

/// The kinds of column a fixture can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Float,
    Bool,
    Text,
}

impl Kind {
    /// The kind of a declared type, as SQLite reads it (by substring) and as PostgreSQL names it.
    fn of(declared: &str) -> Option<Self> {
        let t = declared.to_ascii_uppercase();
        if t.contains("BOOL") {
            Some(Self::Bool)
        } else if t.contains("INT") {
            Some(Self::Int)
        } else if ["DOUB", "REAL", "FLOA"].iter().any(|k| t.contains(k)) {
            Some(Self::Float)
        } else if ["TEXT", "CHAR", "CLOB"].iter().any(|k| t.contains(k)) {
            Some(Self::Text)
        } else {
            None
        }
    }

    /// The kind, as a message says it.
    fn name(self) -> &'static str {
        match self {
            Self::Int => "an integer",
            Self::Float => "a float",
            Self::Bool => "a boolean",
            Self::Text => "a text",
        }
    }
}

type AnyQuery<'q> = Query<'q, Any, AnyArguments<'q>>;

/// Binds `value` to a column of kind `kind`, or says why it does not fit.
fn bind<'q>(q: AnyQuery<'q>, kind: Kind, value: &Value) -> Result<AnyQuery<'q>, String> {
    Ok(match (kind, value) {
        (Kind::Int, Value::Null) => q.bind(None::<i64>),
        (Kind::Float, Value::Null) => q.bind(None::<f64>),
        (Kind::Bool, Value::Null) => q.bind(None::<bool>),
        (Kind::Text, Value::Null) => q.bind(None::<String>),
        (Kind::Int, Value::Number(n)) if n.is_i64() => q.bind(n.as_i64()),
        (Kind::Int, Value::Bool(b)) => q.bind(i64::from(*b)),
        (Kind::Float, Value::Number(n)) => q.bind(n.as_f64()),
        (Kind::Bool, Value::Bool(b)) => q.bind(*b),
        (Kind::Text, Value::String(s)) => q.bind(s.clone()),
        (Kind::Text, Value::Array(_) | Value::Object(_)) => q.bind(value.to_string()),
        (kind, value) => return Err(format!("{} column cannot take {value}", kind.name())),
    })
}

/// The columns of `table` and their kinds (none: no such table).
async fn columns(
    conn: &mut AnyConnection,
    table: &str,
) -> anyhow::Result<HashMap<String, Option<Kind>>> {
    let sql = if conn.backend_name() == "PostgreSQL" {
        "SELECT column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1"
    } else {
        "SELECT name, type FROM pragma_table_info($1)"
    };
    let rows = sqlx::query(sql).bind(table).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            let name: String = r.try_get(0)?;
            let declared: String = r.try_get(1)?;
            Ok((name, Kind::of(&declared)))
        })
        .collect()
}

impl Rows {
    #[cfg(test)]
    /// The fixture's name.
    pub(crate) fn fixture(&self) -> &'static str {
        self.fixture
    }

    #[cfg(test)]
    /// The rows of `table`, resolved (empty if the fixture has none).
    pub(crate) fn table(&self, table: &str) -> impl Iterator<Item = &Map<String, Value>> {
        self.tables
            .iter()
            .filter(move |(name, _)| name == table)
            .flat_map(|(_, rows)| rows)
    }

    #[cfg(test)]
    /// Every table and its number of rows, in order.
    pub(crate) fn counts(&self) -> Vec<(&str, usize)> {
        self.tables
            .iter()
            .map(|(name, rows)| (name.as_str(), rows.len()))
            .collect()
    }

    /// Inserts the rows, in order, on `conn` (a transaction's).
    pub(crate) async fn insert(
        &self,
        conn: &mut AnyConnection,
        on_conflict: OnConflict,
    ) -> anyhow::Result<()> {
        let mut known: HashMap<&str, HashMap<String, Option<Kind>>> = HashMap::new();
        for (table, rows) in &self.tables {
            if !known.contains_key(table.as_str()) {
                let found = columns(conn, table)
                    .await
                    .with_context(|| format!("fixture {}: reading table {table}", self.fixture))?;
                if found.is_empty() {
                    bail!("fixture {}: unknown table `{table}`", self.fixture);
                }
                known.insert(table, found);
            }
            let Some(kinds) = known.get(table.as_str()) else {
                continue;
            };
            for (i, row) in rows.iter().enumerate() {
                let at = || {
                    let first = row
                        .iter()
                        .next()
                        .map(|(k, v)| format!(" ({k} {v})"))
                        .unwrap_or_default();
                    format!(
                        "fixture {}, table {table}, row {}{first}",
                        self.fixture,
                        i + 1
                    )
                };
                if row.is_empty() {
                    bail!("{}: a row names at least one column", at());
                }
                let names: Vec<String> = row.keys().map(|c| format!("\"{c}\"")).collect();
                let marks: Vec<String> = (1..=row.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "INSERT INTO \"{table}\" ({}) VALUES ({}){}",
                    names.join(", "),
                    marks.join(", "),
                    match on_conflict {
                        OnConflict::Fail => "",
                        OnConflict::Skip => " ON CONFLICT DO NOTHING",
                    }
                );
                let mut q = sqlx::query(&sql);
                for (column, value) in row {
                    let kind = match kinds.get(column) {
                        None => bail!("{}: unknown column `{column}`", at()),
                        Some(None) => bail!(
                            "{}: column `{column}` has a type fixtures cannot fill",
                            at()
                        ),
                        Some(Some(kind)) => *kind,
                    };
                    q = bind(q, kind, value)
                        .map_err(|e| anyhow!("{}, column {column}: {e}", at()))?;
                }
                q.execute(&mut *conn).await.with_context(at)?;
            }
        }
        Ok(())
    }
}

/// Seeds once per database. Unless `key` is in `meta` already, resolves `fixtures` (before the
/// transaction: password hashes are slow), claims `key` with `value` and inserts the rows, in
/// one transaction that the caller commits, after adding rows of its own if it has any. `None`:
/// nothing to do, because the data is there or another node claimed `key` first (several nodes
/// starting on one fresh PostgreSQL: the first claim decides who seeds, the others skip).
pub(crate) async fn seed_once(
    store: &Store,
    key: &str,
    value: &str,
    fixtures: &[(Fixture, Values)],
) -> anyhow::Result<Option<Tx>> {
    if store.meta(key).await.map_err(detailed)?.is_some() {
        return Ok(None);
    }
    let mut resolved = Vec::with_capacity(fixtures.len());
    for (fixture, values) in fixtures {
        resolved.push(fixture.resolve(values).await?);
    }
    let mut tx = store.begin().await.map_err(detailed)?;
    let claimed =
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
    if claimed.rows_affected() == 0 {
        return Ok(None);
    }
    for rows in &resolved {
        rows.insert(&mut tx, OnConflict::Fail).await?;
    }
    Ok(Some(tx))
}

/// [`seed_once`] for an API that adds nothing of its own: commits at once.
pub(crate) async fn load_once(
    store: &Store,
    key: &str,
    value: &str,
    fixtures: &[(Fixture, Values)],
) -> anyhow::Result<()> {
    if let Some(tx) = seed_once(store, key, value, fixtures).await? {
        tx.commit().await.map_err(detailed)?;
    }
    Ok(())
}

/// An API error as start-up shows it, with its detail (its `Display`, meant for callers, hides
/// the detail).
pub(crate) fn detailed(e: ApiError) -> anyhow::Error {
    match e.detail() {
        Some(detail) => anyhow!("{e}: {detail}"),
        None => anyhow!("{e}"),
    }
}

/// The load time of the tests of seed facts.
#[cfg(test)]
pub(crate) const TEST_NOW: i64 = 1_780_000_000_000;

/// `fixture` resolved at [`TEST_NOW`] with `params`, for the APIs' tests of their seed facts.
#[cfg(test)]
pub(crate) async fn resolved_for_test(fixture: Fixture, params: &[(&str, Value)]) -> Rows {
    let values = params
        .iter()
        .fold(Values::at(TEST_NOW), |v, (name, value)| {
            v.with(name, value.clone())
        });
    match fixture.resolve(&values).await {
        Ok(rows) => rows,
        Err(e) => panic!("{e:#}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::store::TestDatabase;

    const NOW: i64 = TEST_NOW;

    /// The values every fixture needs (the shop's are parameters).
    fn values() -> Values {
        Values::at(NOW)
            .with("tenant", "demo")
            .with("cart_ttl_s", 3600)
            .with("cart_ttl_ms", 3_600_000)
    }

    async fn fresh(db: &TestDatabase) -> Store {
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    async fn count(store: &Store, table: &str) -> usize {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let n: i64 = sqlx::query_scalar(&sql)
            .fetch_one(&store.pool)
            .await
            .unwrap();
        usize::try_from(n).unwrap()
    }

    #[tokio::test]
    async fn every_fixture_loads_on_every_backend() {
        for db in TestDatabase::all().await.unwrap() {
            let store = fresh(&db).await;
            let mut loaded = Vec::new();
            let mut tx = store.begin().await.unwrap();
            for fixture in ALL {
                let rows = fixture.resolve(&values()).await.unwrap();
                rows.insert(&mut tx, OnConflict::Fail)
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e:#}", db.label()));
                loaded.push(rows);
            }
            tx.commit().await.unwrap();
            for rows in &loaded {
                for (table, n) in rows.counts() {
                    assert!(n > 0, "{}: {table}", rows.fixture());
                    assert_eq!(count(&store, table).await, n, "{}: {table}", db.label());
                }
            }
            // Placeholders resolved as documented: the load time, parameters, hashes.
            let (expires, ttl): (i64, i64) = sqlx::query_as(
                "SELECT expires_at, ttl_ms FROM shop_carts WHERE tenant = 'demo' LIMIT 1",
            )
            .fetch_one(&store.pool)
            .await
            .unwrap();
            assert_eq!(
                (expires, ttl),
                (NOW + 3_600_000, 3_600_000),
                "{}",
                db.label()
            );
            let hash: String = sqlx::query_scalar(
                "SELECT password_hash FROM client_customers WHERE id = '693af400000051c94884e0a4'",
            )
            .fetch_one(&store.pool)
            .await
            .unwrap();
            assert!(
                crate::auth::verify_password(&hash, "demo-password"),
                "{}",
                db.label()
            );
            store.close().await;
        }
    }

    #[tokio::test]
    async fn seeding_happens_once_and_a_skipping_load_is_a_no_op() {
        let db = TestDatabase::sqlite();
        let store = fresh(&db).await;
        let load = [(MARKETPLACE, values())];
        let tx = seed_once(&store, "seed:test", "1", &load).await.unwrap();
        tx.unwrap().commit().await.unwrap();
        assert!(
            seed_once(&store, "seed:test", "1", &load)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(store.meta("seed:test").await.unwrap().as_deref(), Some("1"));
        // The shop catalogue of a tenant, loaded twice.
        let rows = SHOP_CATALOGUE.resolve(&values()).await.unwrap();
        for _ in 0..2 {
            let mut tx = store.begin().await.unwrap();
            rows.insert(&mut tx, OnConflict::Skip).await.unwrap();
            tx.commit().await.unwrap();
        }
        assert_eq!(
            count(&store, "shop_variants").await,
            rows.table("shop_variants").count()
        );
        store.close().await;
    }

    /// The error of loading `text` (as `bad.json`) into a fresh SQLite database.
    async fn error_of(text: &'static str) -> String {
        let fixture = Fixture {
            name: "bad.json",
            text,
        };
        let rows = match fixture.resolve(&Values::at(NOW)).await {
            Ok(rows) => rows,
            Err(e) => return format!("{e:#}"),
        };
        let db = TestDatabase::sqlite();
        let store = fresh(&db).await;
        let mut tx = store.begin().await.unwrap();
        let e = rows.insert(&mut tx, OnConflict::Fail).await.unwrap_err();
        drop(tx);
        store.close().await;
        format!("{e:#}")
    }

    #[tokio::test]
    async fn a_bad_fixture_is_an_error_that_names_the_fixture_and_row() {
        let cases: [(&'static str, &[&str]); 8] = [
            ("{\"tables\": [", &["bad.json", "not a fixture"]),
            (
                r#"{"tables": [{"table": "nope", "rows": [{"a": 1}]}]}"#,
                &["bad.json", "unknown table `nope`"],
            ),
            (
                r#"{"tables": [{"table": "meta", "rows": [{"key": "k", "value": "v"}, {"key": "k2", "colour": "v"}]}]}"#,
                &[
                    "bad.json, table meta, row 2 (key \"k2\")",
                    "unknown column `colour`",
                ],
            ),
            (
                r#"{"tables": [{"table": "meta", "rows": [{"key": "k", "value": {"$later": 1}}]}]}"#,
                &[
                    "bad.json, table meta, row 1, column value",
                    "unknown placeholder `$later`",
                ],
            ),
            (
                r#"{"tables": [{"table": "meta", "rows": [{"key": "k", "value": {"$now": "soon"}}]}]}"#,
                &[
                    "bad.json, table meta, row 1, column value",
                    "`$now` takes an offset",
                ],
            ),
            (
                r#"{"tables": [{"table": "meta", "rows": [{"key": "k", "value": {"$param": "tenant"}}]}]}"#,
                &[
                    "bad.json, table meta, row 1, column value",
                    "no parameter `tenant`",
                ],
            ),
            (
                r#"{"tables": [{"table": "mp_brands", "rows": [{"id": "four", "name": "x"}]}]}"#,
                &[
                    "bad.json, table mp_brands, row 1",
                    "column id",
                    "cannot take \"four\"",
                ],
            ),
            (
                r#"{"tables": [{"table": "meta", "rows": [["k", "v"]]}]}"#,
                &["bad.json, table meta, row 1", "a row is an object"],
            ),
        ];
        for (text, expected) in cases {
            let e = error_of(text).await;
            for part in expected {
                assert!(e.contains(part), "{text}\n  gave: {e}\n  without: {part}");
            }
        }
    }
}
