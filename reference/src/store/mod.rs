//! Storage on sqlx: SQLite (embedded, WAL) by default, PostgreSQL for several nodes. One set of
//! queries runs on both through sqlx's `Any` driver: `$1` placeholders, integer money (minor
//! units) and integer times (ms), `TEXT` ids. Each backend has its own migrations folder.

mod migrations;
mod testing;

use std::str::FromStr;
use std::time::Duration;

use shopql_server_stubs::ApiError;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};

pub use testing::TestDatabase;

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite: one file, one writer at a time (WAL lets readers go on).
    Sqlite,
    /// PostgreSQL: for more than one node.
    Postgres,
}

/// The database.
#[derive(Debug, Clone)]
pub struct Store {
    /// The connection pool.
    pub pool: AnyPool,
    /// The backend.
    pub backend: Backend,
    /// SQLite files only: the one connection that runs write transactions. SQLite allows one
    /// writer; with every pooled connection free to write, waiting writers polled the file lock
    /// with growing sleeps (its busy handler), which under load gave p99s of hundreds of ms and
    /// less throughput with 16 writers than with 1. Here they wait in the pool's queue, in
    /// arrival order, and hold no reader's connection while they wait.
    writer: Option<AnyPool>,
}

/// A write transaction. On SQLite it is `BEGIN IMMEDIATE` on the writer connection, so the write
/// lock is taken up front and a read-then-write transaction can never fail half way with
/// `SQLITE_BUSY`.
pub type Tx = Transaction<'static, Any>;

/// What `PRAGMA synchronous` is set to on SQLite (WAL mode); `--sqlite-synchronous` on the
/// command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SqliteSync {
    /// The default: every commit fsyncs the WAL, so an acknowledged write survives a power loss,
    /// not only a crash of the process. Each commit then costs one fsync of the disk.
    #[default]
    Full,
    /// Commits reach the OS but are fsynced at checkpoints: an acknowledged write survives a
    /// crash or kill of the server (the crash-safety test passes either way) but the last
    /// commits may be lost if the machine loses power. Faster writes where that risk is
    /// acceptable; PostgreSQL is the choice for durable multi-writer load.
    Normal,
}

impl SqliteSync {
    /// The pragma's value.
    pub fn pragma(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Normal => "NORMAL",
        }
    }
}

impl Store {
    /// Connects to `url` (`sqlite://file.db`, `sqlite::memory:`, `postgres://…`).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::connect_with(url, SqliteSync::default()).await
    }

    /// [`Store::connect`] with SQLite's `synchronous` setting (ignored on PostgreSQL).
    pub async fn connect_with(url: &str, sync: SqliteSync) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            anyhow::bail!("unsupported database URL `{url}`: use sqlite://FILE or postgres://…");
        };
        let url = match backend {
            // Create the file on first start.
            Backend::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                let readers = sqlite_pool(options.clone(), 8, sync).await?;
                // An in-memory database exists once per pool: it cannot have a second one.
                let writer = if url.contains(":memory:") {
                    None
                } else {
                    Some(sqlite_pool(options, 1, sync).await?)
                };
                (readers, writer)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(32)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                (pool, None)
            }
        };
        Ok(Self {
            pool,
            backend,
            writer,
        })
    }

    /// Applies the backend's migrations.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self.backend {
            Backend::Sqlite => migrations::SQLITE.migrator().await?.run(&self.pool).await?,
            Backend::Postgres => {
                migrations::POSTGRES
                    .migrator()
                    .await?
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, ApiError> {
        let tx = match self.backend {
            Backend::Sqlite => {
                self.writer
                    .as_ref()
                    .unwrap_or(&self.pool)
                    .begin_with("BEGIN IMMEDIATE")
                    .await
            }
            Backend::Postgres => self.pool.begin().await,
        };
        tx.map_err(db_error)
    }

    /// Closes every connection (readers and the SQLite writer); later queries fail.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
    }

    /// Checks that the database answers.
    pub async fn health(&self) -> Result<(), ApiError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_error)
    }

    /// Reads a `meta` value.
    pub async fn meta(&self, key: &str) -> Result<Option<String>, ApiError> {
        sqlx::query_scalar::<_, String>("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)
    }

    /// Writes a `meta` value.
    pub async fn set_meta(&self, key: &str, value: &str) -> Result<(), ApiError> {
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_error)
    }
}

/// A pool of `size` connections to a SQLite file in WAL mode with `sync`.
async fn sqlite_pool(
    options: AnyConnectOptions,
    size: u32,
    sync: SqliteSync,
) -> anyhow::Result<AnyPool> {
    Ok(AnyPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(Duration::from_secs(30))
        // An embedded database cannot drop a connection: the ping sqlx sends before each
        // checkout would cost a thread hand-off per query for nothing.
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute(format!("PRAGMA synchronous = {}", sync.pragma()).as_str())
                    .await?;
                conn.execute("PRAGMA busy_timeout = 30000").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await?)
}

/// Turns a database error into an API error: a violated unique or check constraint is a
/// `CONFLICT` (someone else got there first, or a stock backstop held); anything else is
/// `INTERNAL`, logged with its detail and shown to the caller as a generic message.
pub fn db_error(e: sqlx::Error) -> ApiError {
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

/// A new random id: 24 hex characters, like the object ids of the client API.
pub fn object_id() -> String {
    let bytes: [u8; 12] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random UUID v4, as text.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}
