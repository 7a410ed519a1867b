//! Storage on sqlx: SQLite (embedded, WAL) by default, PostgreSQL for several nodes. One set of
//! queries runs on both through sqlx's `Any` driver: `$1` placeholders, integer money (minor
//! units) and integer times (ms), `TEXT` ids. Each backend has its own migrations folder.

pub(crate) mod fixtures;
mod group_commit;
mod migrations;
pub(crate) mod page;
mod rate;
pub(crate) mod sql;
mod testing;

use std::str::FromStr;
use std::time::Duration;

use prometheus_client::metrics::counter::Counter;
use shopql_server_stubs::ApiError;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor};

pub use rate::SharedRateStore;
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
    /// arrival order, and hold no reader's connection while they wait; and those that queue
    /// together share one commit ([`group_commit`]).
    writer: Option<group_commit::GroupWriter>,
}

/// A write transaction, safe to drop at any await point. On SQLite it is `BEGIN IMMEDIATE` on the
/// writer connection, so the write lock is taken up front and a read-then-write transaction can
/// never fail half way with `SQLITE_BUSY`.
///
/// It derefs to the connection (`&mut *tx` is an executor) and ends in one of two ways:
/// [`Tx::commit`] succeeds, or the transaction is rolled back — when it is dropped (an error
/// returned with `?`, a client that disconnected, a failed `COMMIT`), a task takes the connection,
/// runs `ROLLBACK` and only then lets the pool have it back. Nothing can use the connection in
/// between, so it never returns to the pool inside a transaction.
///
/// Why not sqlx's `Transaction`: a future dropped while `begin_with` waits for its answer leaves
/// the connection inside a transaction that no `Transaction` value owns. The pool then hands it
/// out at depth 1, and every later `begin_with` fails until a restart (one writer on SQLite: all
/// writes stop). Here `BEGIN` is a plain statement sent once the guard already owns the connection.
pub struct Tx {
    /// `None` only once committed or handed to the rollback task, or when `member` is set.
    conn: Option<PoolConnection<Any>>,
    /// On a SQLite file: this transaction's turn in a commit group, which rolls back to its own
    /// savepoint when dropped.
    member: Option<group_commit::Member>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx").finish_non_exhaustive()
    }
}

impl Tx {
    /// Sends `begin` on `conn`. The guard owns the connection before the statement is sent, so a
    /// drop at any point after this call started ends in a rollback.
    async fn begin(conn: PoolConnection<Any>, begin: &'static str) -> Result<Self, ApiError> {
        let mut tx = Self {
            conn: Some(conn),
            member: None,
        };
        tx.execute(begin).await?;
        Ok(tx)
    }

    /// Commits. On failure (a full disk, a lost connection) the transaction is rolled back
    /// before the connection is used again, and the error says what happened.
    pub async fn commit(mut self) -> Result<(), ApiError> {
        if let Some(member) = self.member.take() {
            // Answered once the group's `COMMIT` that holds this write has returned.
            return member.commit().await;
        }
        self.execute("COMMIT").await?;
        // Committed: the connection goes back to the pool as it is. A drop while `COMMIT` was in
        // flight leaves `conn` set, and the rollback that follows is a no-op after a commit.
        drop(self.conn.take());
        Ok(())
    }
}

impl std::ops::Deref for Tx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        // `conn` is only taken by `commit` (which consumes the guard) and by `drop`.
        #[allow(clippy::expect_used)]
        self.conn
            .as_ref()
            .or_else(|| self.member.as_ref().and_then(|m| m.conn()))
            .expect("a live Tx owns its connection")
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        #[allow(clippy::expect_used)]
        if let Some(conn) = self.conn.as_mut() {
            return conn;
        }
        self.member
            .as_mut()
            .and_then(|m| m.conn_mut())
            .expect("a live Tx owns its connection")
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(rollback(conn));
            }
            // No runtime to roll back on (the process is ending): closing the connection makes
            // the database discard the transaction.
            Err(_) => drop(conn.detach()),
        }
    }
}

/// Rolls back whatever `conn` holds, then releases it to the pool; a connection that cannot
/// roll back is closed instead, so the pool opens a clean one. SQLite answers an error to a
/// `ROLLBACK` with nothing open (it may have rolled back by itself on `SQLITE_FULL`), which
/// ends the same way: a fresh connection is certain to be clean.
async fn rollback(mut conn: PoolConnection<Any>) {
    if let Err(e) = conn.execute("ROLLBACK").await {
        tracing::debug!(error = %e, "rollback failed; closing the connection");
        let _ = sqlx::Connection::close(conn.detach()).await;
    }
}

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
                let readers = sqlite_pool(options.clone(), 8, sync, true).await?;
                // An in-memory database exists once per pool: it cannot have a second one.
                let writer = if url.contains(":memory:") {
                    None
                } else {
                    Some(group_commit::GroupWriter::spawn(
                        sqlite_pool(options, 1, sync, false).await?,
                        readers.clone(),
                    ))
                };
                (readers, writer)
            }
            Backend::Postgres => {
                // A request waits at most 5 s for a connection: while the database is down or
                // restarting, callers get `UNAVAILABLE` in seconds rather than hanging.
                let pool = AnyPoolOptions::new()
                    .max_connections(32)
                    .acquire_timeout(Duration::from_secs(5))
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

    /// Starts a write transaction. Waiting for the connection (on SQLite, for the one writer, in
    /// arrival order) holds nothing, so a caller that gives up while waiting costs nothing.
    pub async fn begin(&self) -> Result<Tx, ApiError> {
        match self.backend {
            Backend::Sqlite => match &self.writer {
                Some(writer) => Ok(Tx {
                    conn: None,
                    member: Some(writer.join().await?),
                }),
                None => {
                    let conn = self.pool.acquire().await?;
                    Tx::begin(conn, "BEGIN IMMEDIATE").await
                }
            },
            Backend::Postgres => Tx::begin(self.pool.acquire().await?, "BEGIN").await,
        }
    }

    /// Runs one write statement on its own. On a SQLite file it is a transaction on the writer,
    /// so it queues there and shares a commit with the writes around it, instead of polling the
    /// file lock from a reader's connection; elsewhere it runs as it is (autocommit).
    pub async fn write<'q>(
        &self,
        statement: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<sqlx::any::AnyQueryResult, ApiError> {
        if self.writer.is_none() {
            return statement.execute(&self.pool).await.map_err(ApiError::from);
        }
        let mut tx = self.begin().await?;
        let done = statement.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// On a SQLite file: how many commits the writer made and how many write transactions they
    /// held (more writes than commits: group commit at work).
    pub fn group_commits(&self) -> Option<(u64, u64)> {
        self.writer.as_ref().map(|w| {
            let (commits, writes) = w.committed();
            (commits.get(), writes.get())
        })
    }

    /// The counters behind [`group_commits`](Self::group_commits), for `/metrics`.
    pub fn group_commit_counters(&self) -> Option<(Counter, Counter)> {
        self.writer
            .as_ref()
            .map(group_commit::GroupWriter::committed)
    }

    /// Closes every connection (readers and the SQLite writer); later queries fail.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(writer) = &self.writer {
            writer.pool().close().await;
        }
    }

    /// Each pool's name, size and idle connections (`readers` and, on a SQLite file, `writer`).
    pub fn pool_use(&self) -> Vec<(&'static str, u32, u32)> {
        let mut out = vec![(
            "readers",
            self.pool.size(),
            u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
        )];
        if let Some(writer) = self.writer.as_ref().map(|w| w.pool()) {
            out.push((
                "writer",
                writer.size(),
                u32::try_from(writer.num_idle()).unwrap_or(u32::MAX),
            ));
        }
        out
    }

    /// Checks that the database answers.
    pub async fn health(&self) -> Result<(), ApiError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(ApiError::from)
    }

    /// Reads a `meta` value.
    pub async fn meta(&self, key: &str) -> Result<Option<String>, ApiError> {
        sqlx::query_scalar::<_, String>("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(ApiError::from)
    }

    /// Writes a `meta` value.
    pub async fn set_meta(&self, key: &str, value: &str) -> Result<(), ApiError> {
        self.write(
            sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(key)
                .bind(value),
        )
        .await
        .map(|_| ())
    }
}

/// A pool of `size` connections to a SQLite file in WAL mode with `sync`; without
/// `auto_checkpoint` its commits never checkpoint (the group-commit writer's: it has the
/// checkpoints run beside it).
async fn sqlite_pool(
    options: AnyConnectOptions,
    size: u32,
    sync: SqliteSync,
    auto_checkpoint: bool,
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
                if !auto_checkpoint {
                    conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?)
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
