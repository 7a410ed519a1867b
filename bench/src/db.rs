//! The database under test (a temporary SQLite file, or a fresh PostgreSQL database), and the
//! bulk loads of the growth phase: rows copied from one real row of each table (made through
//! the API during set-up) with new keys, in one statement and one transaction per table, generated
//! inside the database (a recursive CTE on SQLite, `generate_series` on PostgreSQL).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};

/// The backend under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A database that exists for one bench run.
pub struct Database {
    /// The URL the server is given.
    pub url: String,
    /// The backend.
    pub backend: Backend,
    /// The SQLite file.
    pub file: Option<PathBuf>,
    /// SQLite with `--sqlite-synchronous normal` (commits fsynced at checkpoints only).
    pub sync_normal: bool,
    pg_admin: Option<(String, String)>,
}

impl Database {
    /// A new SQLite file in `dir`.
    pub fn sqlite(dir: &Path, name: &str) -> Self {
        let file = dir.join(format!("{name}.db"));
        Self {
            url: format!("sqlite://{}", file.display()),
            backend: Backend::Sqlite,
            file: Some(file),
            sync_normal: false,
            pg_admin: None,
        }
    }

    /// A new SQLite file in `dir`, served with `--sqlite-synchronous normal`.
    pub fn sqlite_normal(dir: &Path, name: &str) -> Self {
        Self {
            sync_normal: true,
            ..Self::sqlite(dir, name)
        }
    }

    /// Extra arguments of the reference server for this database.
    pub fn server_args(&self) -> Vec<String> {
        if self.sync_normal {
            vec!["--sqlite-synchronous".into(), "normal".into()]
        } else {
            Vec::new()
        }
    }

    /// A new database on the PostgreSQL server of `base` (any database URL on it).
    pub async fn postgres(base: &str, name: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let db = format!("shopql_bench_{}_{name}", std::process::id());
        let admin = AnyPoolOptions::new()
            .max_connections(1)
            .connect(base)
            .await
            .with_context(|| format!("connecting to {base}"))?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {db}"))
            .execute(&admin)
            .await?;
        sqlx::query(&format!("CREATE DATABASE {db}"))
            .execute(&admin)
            .await
            .with_context(|| format!("creating database {db}"))?;
        admin.close().await;
        let (prefix, rest) = base
            .rsplit_once('/')
            .with_context(|| format!("`{base}` has no database part"))?;
        let query = rest.split_once('?').map(|(_, q)| format!("?{q}"));
        Ok(Self {
            url: format!("{prefix}/{db}{}", query.unwrap_or_default()),
            backend: Backend::Postgres,
            file: None,
            sync_normal: false,
            pg_admin: Some((base.to_string(), db)),
        })
    }

    /// A label for the report.
    pub fn label(&self) -> &'static str {
        match (self.backend, self.sync_normal) {
            (Backend::Sqlite, false) => "SQLite",
            (Backend::Sqlite, true) => "SQLite synchronous=NORMAL",
            (Backend::Postgres, _) => "PostgreSQL",
        }
    }

    /// Opens one connection for the loads.
    pub async fn connect(&self) -> anyhow::Result<AnyPool> {
        sqlx::any::install_default_drivers();
        let url = match self.backend {
            Backend::Sqlite => format!("{}?mode=rw", self.url),
            Backend::Postgres => self.url.clone(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .with_context(|| format!("connecting to {url}"))?;
        if self.backend == Backend::Sqlite {
            // Loads run while the server is stopped: no need to sync every page.
            for pragma in ["PRAGMA busy_timeout = 30000", "PRAGMA synchronous = OFF"] {
                sqlx::query(pragma).execute(&pool).await?;
            }
        }
        Ok(pool)
    }

    /// Size on disk: the SQLite file and its WAL, or `pg_database_size`.
    pub async fn size_bytes(&self, pool: &AnyPool) -> u64 {
        match (&self.file, self.backend) {
            (Some(f), Backend::Sqlite) => {
                let wal = PathBuf::from(format!("{}-wal", f.display()));
                [f.clone(), wal]
                    .iter()
                    .filter_map(|p| std::fs::metadata(p).ok())
                    .map(|m| m.len())
                    .sum()
            }
            _ => sqlx::query_scalar::<_, i64>("SELECT pg_database_size(current_database())")
                .fetch_one(pool)
                .await
                .map(|n| u64::try_from(n).unwrap_or(0))
                .unwrap_or(0),
        }
    }

    /// Drops the PostgreSQL database (the SQLite file goes with its temporary directory).
    pub async fn drop_database(&mut self) {
        if let Some((base, db)) = self.pg_admin.take()
            && let Ok(admin) = AnyPoolOptions::new()
                .max_connections(1)
                .connect(&base)
                .await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
                .execute(&admin)
                .await;
            admin.close().await;
        }
    }
}

/// Which row of each table the copies are made from.
#[derive(Debug, Clone)]
pub struct Templates {
    /// A shop cart id (tenant `demo`).
    pub shop_cart: Option<String>,
    /// A client checkout `_id`.
    pub checkout: Option<String>,
    /// A purchase cart id.
    pub purchase_cart: Option<String>,
    /// An advert id (with a live variant).
    pub advert: Option<i64>,
}

/// One bulk-loaded table.
struct Table {
    name: &'static str,
    key: &'static str,
    /// Template row condition.
    template: String,
    /// Column -> (SQLite expression, PostgreSQL expression) in terms of `n` and `t.<col>`.
    overrides: Vec<(&'static str, String, String)>,
}

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn tables(t: &Templates, now: i64) -> Vec<Table> {
    // Updated over the last 60 days (scattered, so indexes see random order), at least an
    // hour ago; they expire in 90 days. Steps of 7,919 minutes (prime to the 86,400 minutes of
    // 60 days) spread even the smallest size over all 60 days; steps of 7,919 ms left all of
    // 10^3 copies in the last three hours, where the cart-admin listing of carts idle for a
    // day found none.
    let updated = format!("{now} - {HOUR} - ((n * 7919 * 60000) % {})", 60 * DAY);
    let both = |e: &str| (e.to_string(), e.to_string());
    let pad = |prefix: &str, width: usize| {
        (
            format!("'{prefix}' || printf('%0{width}d', n)"),
            format!("'{prefix}' || lpad(n::text, {width}, '0')"),
        )
    };
    let with = |col: &'static str, (a, b): (String, String)| (col, a, b);
    let mut out = Vec::new();
    if let Some(cart) = &t.shop_cart {
        out.push(Table {
            name: "shop_carts",
            key: "id",
            template: format!("tenant = 'demo' AND id = '{cart}'"),
            overrides: vec![
                with("id", pad("b0000000-0000-4000-8000-", 12)),
                with("updated_at", both(&updated)),
                with("created_at", both(&format!("{updated} - 60000"))),
                with("expires_at", both(&format!("{now} + {}", 90 * DAY))),
                with(
                    "customer_identifier",
                    (
                        "CASE WHEN n % 1000 = 0 THEN 'buyer@example.com' ELSE 'bench-' || (n % 50000) || '@example.com' END".into(),
                        "CASE WHEN n % 1000 = 0 THEN 'buyer@example.com' ELSE 'bench-' || (n % 50000) || '@example.com' END".into(),
                    ),
                ),
                with("version", both("1")),
            ],
        });
    }
    if let Some(checkout) = &t.checkout {
        out.push(Table {
            name: "client_checkouts",
            key: "id",
            template: format!("id = '{checkout}'"),
            overrides: vec![
                with("id", pad("bbbb", 20)),
                with("code", both("'bch-' || n")),
                with("order_code", both("'orb-' || n")),
                with("updated", both(&updated)),
                with("created", both(&format!("{updated} - 60000"))),
                with("expires", both(&format!("{now} + {}", 31 * DAY))),
            ],
        });
    }
    if let Some(cart) = &t.purchase_cart {
        out.push(Table {
            name: "purchase_carts",
            key: "id",
            template: format!("id = '{cart}'"),
            overrides: vec![
                with("id", pad("b0000000-0000-4000-8000-", 12)),
                with("user_id", both("'bench-user-' || n")),
                with("modified_ms", both(&updated)),
                with("created_ms", both(&format!("{updated} - 60000"))),
                with("version", both("1")),
            ],
        });
    }
    if let Some(advert) = t.advert {
        out.push(Table {
            name: "mp_adverts",
            key: "id",
            template: format!("id = {advert}"),
            overrides: vec![
                with("id", both("900000000 + n")),
                with("title", both("'Bench advert ' || n")),
                with("updated_at", both(&updated)),
                with("created_at", both(&format!("{updated} - 60000"))),
            ],
        });
        out.push(Table {
            name: "mp_variants",
            key: "id",
            template: format!(
                "id = (SELECT MIN(id) FROM mp_variants WHERE advert_id = {advert} AND live = 1)"
            ),
            overrides: vec![
                with("id", both("900000000 + n")),
                with("advert_id", both("900000000 + n")),
                with("sku", both("'BENCH-' || n")),
                with("barcode", both("NULL")),
                with("updated_at", both(&updated)),
                with("created_at", both(&format!("{updated} - 60000"))),
            ],
        });
    }
    out
}

async fn columns(pool: &AnyPool, backend: Backend, table: &str) -> anyhow::Result<Vec<String>> {
    let cols: Vec<String> = match backend {
        Backend::Sqlite => sqlx::query(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<_, _>>()?,
        Backend::Postgres => sqlx::query(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<_, _>>()?,
    };
    if cols.is_empty() {
        bail!("table {table} not found");
    }
    Ok(cols)
}

/// What one load step did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoadStep {
    /// Rows per table after the step.
    pub rows: u64,
    /// Seconds it took, all tables.
    pub seconds: f64,
}

/// Adds bulk rows so that every table has `target` of them (counting only the bulk rows made
/// before, `have`).
pub async fn grow(
    db: &Database,
    templates: &Templates,
    have: u64,
    target: u64,
    now_ms: i64,
) -> anyhow::Result<LoadStep> {
    let started = Instant::now();
    if target > have {
        let pool = db.connect().await?;
        if db.backend == Backend::Sqlite {
            // The server is stopped: no need to write each page twice (WAL, then checkpoint),
            // and a cache that holds the indexes saves re-reading their pages for every
            // scattered key. The server turns WAL back on when it starts.
            for pragma in ["PRAGMA journal_mode = OFF", "PRAGMA cache_size = -1048576"] {
                sqlx::query(pragma).execute(&pool).await?;
            }
        }
        for table in tables(templates, now_ms) {
            let cols = columns(&pool, db.backend, table.name).await?;
            let select: Vec<String> = cols
                .iter()
                .map(|c| {
                    table
                        .overrides
                        .iter()
                        .find(|(name, _, _)| name == c)
                        .map(|(_, sqlite, pg)| match db.backend {
                            Backend::Sqlite => sqlite.clone(),
                            Backend::Postgres => pg.clone(),
                        })
                        .unwrap_or_else(|| format!("t.{c}"))
                })
                .collect();
            // The first step copies the template row once, as row 0, and every bulk row is
            // copied from that snapshot: the measured operations change the live template (a
            // cart gains lines), and copies made at 10^6 must look like those made at 10^3.
            let key = select[cols
                .iter()
                .position(|c| c == table.key)
                .with_context(|| format!("{} has no column {}", table.name, table.key))?]
            .clone();
            let snapshot = format!(
                "{} = (SELECT {key} FROM (SELECT 0 AS n) AS zero)",
                table.key
            );
            let mut batches = Vec::new();
            if have == 0 {
                batches.push((0, 0, table.template.clone()));
            }
            batches.push((have + 1, target, snapshot));
            for (from, to, cond) in batches {
                // One statement on both backends; only the row numbers' source differs.
                let (with, numbers) = match db.backend {
                    Backend::Sqlite => (
                        format!(
                            "WITH RECURSIVE seq(n) AS (SELECT {from} UNION ALL SELECT n + 1 FROM seq WHERE n < {to}) "
                        ),
                        "seq".to_string(),
                    ),
                    Backend::Postgres => (
                        String::new(),
                        format!("generate_series({from}::bigint, {to}::bigint) AS seq(n)"),
                    ),
                };
                let source = format!(
                    "{with}INSERT INTO {name} ({cols}) SELECT {select} FROM {numbers}, (SELECT * FROM {name} WHERE {cond}) AS t",
                    name = table.name,
                    cols = cols.join(", "),
                    select = select.join(", "),
                );
                let mut tx = pool.begin().await?;
                let done = sqlx::query(&source)
                    .execute(&mut *tx)
                    .await
                    .with_context(|| format!("bulk insert into {} ({})", table.name, table.key))?;
                tx.commit().await?;
                let want = to + 1 - from;
                if done.rows_affected() != want {
                    bail!(
                        "bulk insert into {} added {} rows, not {want}: is the template row there?",
                        table.name,
                        done.rows_affected()
                    );
                }
            }
        }
        match db.backend {
            // Written straight to the file (no journal): nothing to checkpoint.
            Backend::Sqlite => {}
            Backend::Postgres => {
                // What autovacuum would do shortly after a bulk load, done now so that each size
                // is measured with statistics.
                sqlx::query("ANALYZE").execute(&pool).await?;
            }
        }
        pool.close().await;
    }
    Ok(LoadStep {
        rows: target,
        seconds: started.elapsed().as_secs_f64(),
    })
}
