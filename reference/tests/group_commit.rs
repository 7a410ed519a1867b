//! Group commit on a SQLite file: concurrent write transactions share commits, each one is
//! answered only once its own write is committed, and one that fails or is dropped takes only its
//! own writes with it.

use std::time::Duration;

use shopql_reference::store::{Store, TestDatabase};
use shopql_server_stubs::ApiError;

async fn store() -> anyhow::Result<(Store, TestDatabase)> {
    let db = TestDatabase::sqlite();
    let store = Store::connect(&db.url).await?;
    store.migrate().await?;
    Ok((store, db))
}

/// One write transaction: two rows, `fail` rolls back after the first.
async fn write(store: Store, key: String, fail: bool) -> Result<(), ApiError> {
    let mut tx = store.begin().await?;
    for part in ["a", "b"] {
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2)")
            .bind(format!("{key}-{part}"))
            .bind("v")
            .execute(&mut *tx)
            .await?;
        if fail {
            return Err(ApiError::conflict("this one gives up half way"));
        }
    }
    tx.commit().await
}

async fn count(store: &Store, prefix: &str) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM meta WHERE key LIKE $1")
            .bind(format!("{prefix}%"))
            .fetch_one(&store.pool)
            .await?,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_share_commits_and_a_failing_one_leaves_alone() -> anyhow::Result<()> {
    let (store, _db) = store().await?;
    let (commits_before, writes_before) = store.group_commits().unwrap_or_default();
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            tokio::spawn(write(
                store.clone(),
                format!("{}-{i}", if i % 8 == 3 { "bad" } else { "ok" }),
                i % 8 == 3,
            ))
        })
        .collect();
    let mut acknowledged = 0;
    for t in tasks {
        if t.await?.is_ok() {
            acknowledged += 1;
        }
    }
    assert_eq!(acknowledged, 56, "every write but the failing ones");
    // Every acknowledged write is there, whole; nothing of the failed ones.
    assert_eq!(count(&store, "ok-").await?, 56 * 2);
    assert_eq!(count(&store, "bad-").await?, 0);
    let Some((commits, writes)) = store.group_commits() else {
        anyhow::bail!("a SQLite file has a group writer");
    };
    assert_eq!(writes - writes_before, 56);
    assert!(
        commits - commits_before < 56,
        "64 writers queued together but {} commits held 56 writes",
        commits - commits_before
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_dropped_at_any_point_takes_only_its_own_write() -> anyhow::Result<()> {
    let (store, _db) = store().await?;
    // Writers cancelled after a growing delay: while queued, inside their statements, while
    // waiting for the group's commit.
    for round in 0..40u64 {
        let mut tasks = Vec::new();
        for i in 0..6 {
            let store = store.clone();
            let key = format!("r{round}-{i}");
            tasks.push(tokio::spawn(async move {
                let cancel_after = Duration::from_micros(round * 50 + i * 10);
                (
                    key.clone(),
                    tokio::time::timeout(cancel_after, write(store, key, false)).await,
                )
            }));
        }
        for t in tasks {
            let (key, outcome) = t.await?;
            let rows = count(&store, &format!("{key}-")).await?;
            match outcome {
                // Acknowledged: both rows, durably.
                Ok(Ok(())) => assert_eq!(rows, 2, "{key}"),
                Ok(Err(e)) => panic!("{key}: {e:?}"),
                // Cancelled: all or nothing (it may have committed after the caller left).
                Err(_) => assert!(rows == 0 || rows == 2, "{key}: {rows} rows"),
            }
        }
    }
    // The writer is still usable afterwards.
    write(store.clone(), "after".into(), false).await?;
    assert_eq!(count(&store, "after-").await?, 2);
    Ok(())
}

/// The writer never checkpoints (a checkpoint inside its `COMMIT` would stall every queued
/// writer); passive checkpoints on a reader connection keep the WAL from growing instead. After
/// writes that span about five checkpoint periods, the WAL holds fewer frames than there were
/// commits: each of these commits appends two or three, so the WAL was started over along the
/// way (without the writer's share of the checkpoint it never is, under steady writes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_run_beside_the_writer_and_keep_the_wal_short() -> anyhow::Result<()> {
    let (store, _db) = store().await?;
    let started = std::time::Instant::now();
    let mut commits = 0_i64;
    while started.elapsed() < Duration::from_millis(2_400) {
        write(store.clone(), format!("wal-{commits}"), false).await?;
        commits += 1;
    }
    assert_eq!(
        count(&store, "wal-").await?,
        commits * 2,
        "every write is there"
    );
    // (busy, frames in the WAL, frames checkpointed)
    let (_, frames, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(&store.pool)
        .await?;
    assert!(
        frames < commits,
        "{commits} commits left {frames} frames in the WAL: no checkpoint reset it"
    );
    Ok(())
}
