//! Group commit on a SQLite file: write transactions that queue for the one writer connection run
//! together in one SQLite transaction, each inside its own savepoint, and share one `COMMIT` —
//! one fsync of the WAL for the whole group instead of one per write, with `synchronous = FULL`
//! kept.
//!
//! A task owns the writer connection between groups. It opens a group with `BEGIN IMMEDIATE`,
//! then lends the connection to the queued writers one after the other, each inside
//! `SAVEPOINT member`. A writer that commits releases its savepoint and waits for the group's
//! `COMMIT`; one that fails or is dropped rolls back to its savepoint, and the group goes on
//! without it. When nobody else is queued (or the group is full, or has been open long enough),
//! the task commits and answers every member that joined: `Ok` only once the `COMMIT` that holds
//! its write has returned, so an acknowledged write is as durable as before.
//!
//! A failure that takes the whole transaction with it (SQLite rolls back by itself on a full disk
//! or an I/O error, which makes `ROLLBACK TO` fail; a failed `COMMIT`) fails every member of the
//! group that has not been answered: none of them was acknowledged, so nothing acknowledged is lost.
//!
//! Checkpoints are not left to the `COMMIT`: SQLite's automatic one would run inside the commit
//! that crosses 1,000 WAL pages, copying them and fsyncing the database file while the group's
//! members and every queued writer wait. After a commit, at most once a [`CHECKPOINT_EVERY`], a
//! reader connection runs a passive checkpoint beside the writer (it takes no lock a writer or
//! reader waits for) and copies nearly all of the WAL. It cannot copy what the writer appends
//! meanwhile, and SQLite starts the WAL over only once every page is copied; so after the next
//! group's members are answered, the writer copies that short remainder itself, and its next
//! transaction can reset the WAL. Durability does not depend on any of it: a commit is in the
//! fsynced WAL either way.
//!
//! Written by hand: sqlx has no group commit, and the savepoint protocol is specific to one
//! connection lent in turn.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use prometheus_client::metrics::counter::Counter;
use shopql_server_stubs::ApiError;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor};
use tokio::sync::{mpsc, oneshot};

use super::rollback;

/// At most this many writes share one commit: each member waits for the ones after it.
const MAX_MEMBERS: usize = 32;
/// A group stops taking members once it has been open this long, for the same reason.
const MAX_OPEN: Duration = Duration::from_millis(5);
/// How long a writer waits for its turn before it gives up with `UNAVAILABLE`, as it waited for
/// the writer pool before (a transaction that waits for a second one would otherwise hang).
const MAX_WAIT: Duration = Duration::from_secs(30);
/// How often at most a checkpoint copies the WAL into the database, while writes come.
pub(super) const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// A writer's place in the queue: the task answers with the connection, lent inside a savepoint.
type Request = oneshot::Sender<Result<Member, ApiError>>;

/// The handle to the group-commit task. Cheap to clone; the task ends when the last handle goes.
#[derive(Debug, Clone)]
pub(super) struct GroupWriter {
    requests: mpsc::UnboundedSender<Request>,
    pool: AnyPool,
    counts: Arc<Counts>,
}

/// Commits and the writes they held, since start (Prometheus counters: `/metrics` shows them).
#[derive(Debug, Default)]
struct Counts {
    commits: Counter,
    writes: Counter,
}

impl GroupWriter {
    /// Starts the task that runs the groups on `pool` (one connection: SQLite's one writer,
    /// with automatic checkpoints off); `readers` run the checkpoints.
    pub(super) fn spawn(pool: AnyPool, readers: AnyPool) -> Self {
        let (requests, queue) = mpsc::unbounded_channel();
        let counts = Arc::new(Counts::default());
        let checkpoints = Checkpoints {
            readers,
            running: Arc::new(AtomicBool::new(false)),
            copied: Arc::new(AtomicBool::new(false)),
            last: Instant::now(),
        };
        tokio::spawn(run(pool.clone(), queue, counts.clone(), checkpoints));
        Self {
            requests,
            pool,
            counts,
        }
    }

    /// How many group commits succeeded, and how many writes they held: the counters
    /// themselves, for a metrics registry (shared, not copied).
    pub(super) fn committed(&self) -> (Counter, Counter) {
        (self.counts.commits.clone(), self.counts.writes.clone())
    }

    /// The writer pool (for its figures and for closing it).
    pub(super) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Waits for the connection, inside a savepoint of the open group. Dropping the future while
    /// it waits costs nothing: the task sees the closed answer channel and lends to the next.
    pub(super) async fn join(&self) -> Result<Member, ApiError> {
        let (answer, lent) = oneshot::channel();
        self.requests
            .send(answer)
            .map_err(|_| ApiError::unavailable("storage is shutting down; retry shortly"))?;
        match tokio::time::timeout(MAX_WAIT, lent).await {
            Ok(Ok(member)) => member,
            Ok(Err(_)) => Err(ApiError::unavailable(
                "storage is shutting down; retry shortly",
            )),
            Err(_) => Err(ApiError::unavailable(
                "storage is busy: no write turn within 30 s; retry shortly",
            )),
        }
    }
}

/// How a member gave the connection back.
enum Returned {
    /// Done: the task releases the savepoint and answers on the sender once the group's `COMMIT`
    /// (or a failure) decides.
    Commit(PoolConnection<Any>, oneshot::Sender<Result<(), ApiError>>),
    /// Rolled back to its savepoint: the group goes on without it.
    Left(PoolConnection<Any>),
    /// The transaction as a whole is gone (SQLite rolled it back, or the connection failed).
    Broken(Option<PoolConnection<Any>>, ApiError),
}

/// One writer's turn on the connection, inside `SAVEPOINT member`. Dropped without
/// [`Member::commit`] (an error, a client gone), it rolls back to its savepoint on a task of its
/// own and gives the connection back to the group.
pub(super) struct Member {
    /// `None` once given back.
    conn: Option<PoolConnection<Any>>,
    back: Option<oneshot::Sender<Returned>>,
}

impl std::fmt::Debug for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Member").finish_non_exhaustive()
    }
}

impl Member {
    /// The lent connection, while this member holds it.
    pub(super) fn conn(&self) -> Option<&PoolConnection<Any>> {
        self.conn.as_ref()
    }

    /// The lent connection, while this member holds it.
    pub(super) fn conn_mut(&mut self) -> Option<&mut PoolConnection<Any>> {
        self.conn.as_mut()
    }

    /// Gives the connection back to be committed with the group, and waits for that `COMMIT`.
    /// The hand-over has no await point: dropped at any point, either the write was handed over
    /// whole (and commits with its group, unanswered) or the drop rolls it back.
    pub(super) async fn commit(mut self) -> Result<(), ApiError> {
        let (Some(conn), Some(back)) = (self.conn.take(), self.back.take()) else {
            return Err(ApiError::internal("a group member committed twice"));
        };
        let (answer, answered) = oneshot::channel();
        if back.send(Returned::Commit(conn, answer)).is_err() {
            return Err(ApiError::unavailable(
                "storage stopped before the write was committed; it was not saved",
            ));
        }
        answered.await.unwrap_or_else(|_| {
            Err(ApiError::unavailable(
                "storage stopped before the write was committed; it was not saved",
            ))
        })
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        let (Some(conn), Some(back)) = (self.conn.take(), self.back.take()) else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let returned = match leave(conn).await {
                        Ok(conn) => Returned::Left(conn),
                        Err((conn, e)) => Returned::Broken(conn, e),
                    };
                    let _ = back.send(returned);
                });
            }
            // No runtime (the process is ending): closing the connection discards the whole
            // transaction; the task, if any, sees the answer channel closed and fails the group.
            Err(_) => drop(conn.detach()),
        }
    }
}

/// The group's connection, or what broke its transaction (and the connection, if it is left).
type Group = Result<PoolConnection<Any>, (Option<PoolConnection<Any>>, ApiError)>;

/// Undoes a member's writes. `ROLLBACK TO` fails only if the transaction itself is gone.
async fn leave(mut conn: PoolConnection<Any>) -> Group {
    let undone = match conn.execute("ROLLBACK TO member").await {
        Ok(_) => conn.execute("RELEASE member").await,
        Err(e) => Err(e),
    };
    match undone {
        Ok(_) => Ok(conn),
        Err(e) => Err((Some(conn), ApiError::from(e))),
    }
}

/// Those waiting for a group's `COMMIT`.
type Waiting = Vec<oneshot::Sender<Result<(), ApiError>>>;

/// Checkpoints: most of the copying beside the writer, on a reader connection; the remainder by
/// the writer between groups.
struct Checkpoints {
    readers: AnyPool,
    /// A reader's checkpoint is running (one at a time).
    running: Arc<AtomicBool>,
    /// A reader's checkpoint has finished: the writer copies what it left.
    copied: Arc<AtomicBool>,
    last: Instant,
}

impl Checkpoints {
    /// After a commit: starts a passive checkpoint on a reader unless one started within
    /// [`CHECKPOINT_EVERY`] or is still running. It is a task of its own, so the writer does not
    /// wait for it; one that fails (a full disk) is logged and a later commit tries again.
    fn after_commit(&mut self) {
        if self.last.elapsed() < CHECKPOINT_EVERY || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        self.last = Instant::now();
        let (readers, running, copied) = (
            self.readers.clone(),
            self.running.clone(),
            self.copied.clone(),
        );
        tokio::spawn(async move {
            match readers.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
                Ok(_) => copied.store(true, Ordering::Release),
                Err(e) => {
                    tracing::warn!(error = %e, "WAL checkpoint failed; a later commit retries")
                }
            }
            running.store(false, Ordering::Release);
        });
    }

    /// Between groups, once a reader's checkpoint has finished: the writer copies the pages
    /// appended since it started, after which SQLite can start the WAL over.
    async fn finish(&self, pool: &AnyPool) {
        if !self.copied.swap(false, Ordering::AcqRel) {
            return;
        }
        if let Err(e) = pool.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
            tracing::warn!(error = %e, "WAL checkpoint failed; a later commit retries");
        }
    }
}

/// The task: one group after the other, for as long as a handle exists.
async fn run(
    pool: AnyPool,
    mut queue: mpsc::UnboundedReceiver<Request>,
    counts: Arc<Counts>,
    mut checkpoints: Checkpoints,
) {
    while let Some(first) = queue.recv().await {
        let mut conn = match pool.acquire().await {
            Ok(conn) => conn,
            Err(e) => {
                let _ = first.send(Err(ApiError::from(e)));
                continue;
            }
        };
        if let Err(e) = conn.execute("BEGIN IMMEDIATE").await {
            let _ = first.send(Err(ApiError::from(e)));
            rollback(conn).await;
            continue;
        }
        let mut waiting = Waiting::new();
        let outcome = match members(conn, first, &mut queue, &mut waiting).await {
            Err((conn, e)) => {
                tracing::warn!(error = ?e, members = waiting.len(), "a write group failed as a whole");
                if let Some(conn) = conn {
                    rollback(conn).await;
                }
                Err(e)
            }
            Ok(conn) if waiting.is_empty() => {
                rollback(conn).await;
                continue;
            }
            Ok(mut conn) => match conn.execute("COMMIT").await {
                Ok(_) => {
                    counts.commits.inc();
                    counts.writes.inc_by(waiting.len() as u64);
                    checkpoints.after_commit();
                    Ok(())
                }
                Err(e) => {
                    rollback(conn).await;
                    Err(ApiError::from(e))
                }
            },
        };
        for member in waiting {
            let _ = member.send(outcome.clone());
        }
        checkpoints.finish(&pool).await;
    }
}

/// Lends `conn` to `first`, then to whoever queued meanwhile, until the group is complete; adds
/// to `waiting` each member whose write is in. The connection, or what broke the transaction.
async fn members(
    mut conn: PoolConnection<Any>,
    first: Request,
    queue: &mut mpsc::UnboundedReceiver<Request>,
    waiting: &mut Waiting,
) -> Group {
    let opened = Instant::now();
    let mut next = Some(first);
    while let Some(request) = next.take() {
        conn = match lend(conn, request).await {
            Returned::Commit(mut c, answer) => match c.execute("RELEASE member").await {
                Ok(_) => {
                    waiting.push(answer);
                    c
                }
                Err(e) => {
                    let _ = answer.send(Err(ApiError::from(e)));
                    leave(c).await?
                }
            },
            Returned::Left(c) => c,
            Returned::Broken(c, e) => return Err((c, e)),
        };
        if waiting.len() < MAX_MEMBERS && opened.elapsed() < MAX_OPEN {
            next = queue.try_recv().ok();
        }
    }
    Ok(conn)
}

/// Lends `conn` to the writer behind `request` inside a new savepoint and waits for it back.
async fn lend(mut conn: PoolConnection<Any>, request: Request) -> Returned {
    if request.is_closed() {
        // The writer gave up while it queued.
        return Returned::Left(conn);
    }
    if let Err(e) = conn.execute("SAVEPOINT member").await {
        let e = ApiError::from(e);
        let _ = request.send(Err(e.clone()));
        return Returned::Broken(Some(conn), e);
    }
    let (back, returned) = oneshot::channel();
    let member = Member {
        conn: Some(conn),
        back: Some(back),
    };
    // If the writer is gone by now, the member comes back here and its drop rolls back.
    if let Err(Ok(member)) = request.send(Ok(member)) {
        drop(member);
    }
    returned.await.unwrap_or_else(|_| {
        Returned::Broken(
            None,
            ApiError::unavailable("the write connection was closed; retry"),
        )
    })
}
