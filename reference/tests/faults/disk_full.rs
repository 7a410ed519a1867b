//! The disk fills up under write load: SQLite on a small tmpfs that the test mounts (root only;
//! CI runs as root, so there it never skips).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use shopql_reference::start;

use crate::support::{self, Operation};

/// A tmpfs mounted for one test; unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts a `size_mb` MiB tmpfs, or says why it cannot.
    fn mount(size_mb: u32) -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!(
            "shopql-full-{}",
            shopql_reference::store::object_id()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size_mb}m"), "tmpfs"])
            .arg(&dir)
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if !out.status.success() {
            let _ = std::fs::remove_dir(&dir);
            return Err(format!(
                "mount -t tmpfs failed (needs root): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Self(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Writes zeros to `path` until the file system is full; the bytes written.
fn fill(path: &Path) -> std::io::Result<u64> {
    let mut file = std::fs::File::create(path)?;
    let chunk = vec![0u8; 64 * 1024];
    let mut written = 0;
    loop {
        match file.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
            Err(e) => return Err(e),
        }
    }
    let _ = file.flush();
    Ok(written)
}

fn op<'a>(ops: &'a [Operation], name: &str) -> &'a Operation {
    ops.iter().find(|o| o.name == name).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_with_a_code_and_recovers_once_space_is_freed()
-> anyhow::Result<()> {
    let fs = match Tmpfs::mount(48) {
        Ok(fs) => fs,
        Err(why) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: {why}");
            return Ok(());
        }
        Err(why) => panic!("CI must run the full-disk test: {why}"),
    };
    let url = format!("sqlite://{}/shopql.db?mode=rwc", fs.path().display());
    let server = start(support::config(&url)).await?;
    let base = server.base_url();
    let apis = support::apis(&base).await?;
    let ops = support::write_operations(&apis)?;
    let hydrate = op(&ops, "hydrate_cart").clone();
    let http = reqwest::Client::new();

    // Write until the disk refuses, 8 at a time, remembering every acknowledged cart: a few
    // rounds with space, then with the file system filled up.
    let mut acknowledged: Vec<String> = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    let filler = fs.path().join("filler");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    for round in 0.. {
        if round == 4 {
            fill(&filler)?;
        }
        if codes.iter().filter(|c| *c == "STORAGE_FULL").count() >= 16 {
            break;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the disk never filled up: {codes:?}"
        );
        let answers =
            futures::future::join_all((0..8).map(|_| support::send(&http, &base, &hydrate))).await;
        for answer in answers {
            let answer = answer?;
            match answer["data"]["hydrate"]["id"].as_str() {
                Some(id) if support::error_codes(&answer).is_empty() => {
                    acknowledged.push(id.to_string())
                }
                _ => codes.extend(support::error_codes(&answer)),
            }
        }
    }
    assert!(
        acknowledged.len() >= 32,
        "{} writes acknowledged",
        acknowledged.len()
    );
    assert!(
        codes.iter().all(|c| c == "STORAGE_FULL"),
        "every refused write says the storage is full: {codes:?}"
    );

    // Reads keep working while the disk is full.
    let shop = &hydrate.api;
    let read = Operation {
        api: shop.clone(),
        name: "get_cart".into(),
        body: json!({
            "query": "query ($id: UUID!) { cart(id: $id) { id } }",
            "variables": { "id": acknowledged.first().cloned().unwrap_or_default() }
        }),
    };
    let answer = support::send(&http, &base, &read).await?;
    assert!(
        support::error_codes(&answer).is_empty(),
        "a read while full: {answer}"
    );

    // Space comes back: writes work again within a second, on every API.
    std::fs::remove_file(&filler)?;
    support::every_api_writes(&base, &ops, Duration::from_secs(1)).await?;

    // Nothing acknowledged was lost, and the file is sound.
    for id in &acknowledged {
        let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shop_carts WHERE id = $1")
            .bind(id)
            .fetch_one(&server.state.store.pool)
            .await?;
        assert_eq!(found, 1, "acknowledged cart {id} is missing");
    }
    support::sqlite_is_intact(&server).await?;
    server.stop().await?;
    drop(fs);
    Ok(())
}
