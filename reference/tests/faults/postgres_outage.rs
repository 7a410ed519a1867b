//! PostgreSQL backends killed, and the PostgreSQL server restarted, while the reference server
//! serves. The test runs its own PostgreSQL cluster (initdb in a temporary directory, on a free
//! port), so restarting it disturbs no other test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use shopql_reference::start;

use crate::support;

/// A PostgreSQL cluster of this test's own; stopped and removed on drop.
struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl Cluster {
    /// initdb and start, as the `postgres` user when running as root (PostgreSQL refuses root).
    fn create() -> Result<Self, String> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .map_err(|e| format!("no PostgreSQL server binaries: {e}"))?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|b| b.join("initdb").exists())
            .max()
            .ok_or("no initdb under /usr/lib/postgresql")?;
        let dir = std::env::temp_dir().join(format!(
            "shopql-pg-{}",
            shopql_reference::store::object_id()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let cluster = Self { bin, dir, port };
        cluster.run("chown", &["postgres:postgres", &cluster.path("")], false)?;
        cluster.run(
            &cluster.tool("initdb"),
            &["-D", &cluster.path("data"), "-A", "trust", "-U", "postgres"],
            true,
        )?;
        cluster.start()?;
        Ok(cluster)
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    fn tool(&self, name: &str) -> String {
        self.bin.join(name).display().to_string()
    }

    fn run(&self, program: &str, args: &[&str], as_postgres: bool) -> Result<(), String> {
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0"));
        let mut cmd = if as_postgres && root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", program]);
            c
        } else {
            Command::new(program)
        };
        let out = cmd
            .args(args)
            .current_dir("/")
            .output()
            .map_err(|e| format!("{program}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} {args:?}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    fn start(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.path("")
        );
        self.run(
            &self.tool("pg_ctl"),
            &[
                "-D",
                &self.path("data"),
                "-o",
                &options,
                "-l",
                &self.path("log"),
                "-w",
                "start",
            ],
            true,
        )
    }

    fn stop(&self) -> Result<(), String> {
        self.run(
            &self.tool("pg_ctl"),
            &["-D", &self.path("data"), "-m", "fast", "-w", "stop"],
            true,
        )
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.stop();
        let _ = std::fs::remove_dir_all(Path::new(&self.dir));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_backends_and_a_restarted_postgres_are_survived_without_a_restart()
-> anyhow::Result<()> {
    if std::env::var_os("SHOPQL_TEST_DATABASE_URL").is_none() {
        eprintln!("skipped: SHOPQL_TEST_DATABASE_URL is not set (the PostgreSQL tests are off)");
        return Ok(());
    }
    let cluster = Cluster::create().map_err(|e| anyhow::anyhow!("own PostgreSQL cluster: {e}"))?;
    let server = start(support::config(&cluster.url())).await?;
    let base = server.base_url();
    let apis = support::apis(&base).await?;
    let ops = support::write_operations(&apis)?;
    support::every_api_writes(&base, &ops, Duration::from_secs(2)).await?;

    // Every backend of the server killed: the next requests may fail, with a code, then the
    // pool reconnects by itself.
    let admin = sqlx::AnyPool::connect(&cluster.url()).await?;
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        .execute(&admin)
        .await?;
    admin.close().await;
    let http = reqwest::Client::new();
    for op in &ops {
        let answer = support::send(&http, &base, op).await?;
        let codes = support::error_codes(&answer);
        assert!(
            !codes.iter().any(|c| c == "INTERNAL"),
            "{} after killed backends: {answer}",
            op.name
        );
    }
    support::every_api_writes(&base, &ops, Duration::from_secs(2)).await?;

    // The server stopped: writes and reads fail with `UNAVAILABLE`, and /healthz says so.
    cluster.stop().map_err(anyhow::Error::msg)?;
    let during = ops
        .iter()
        .step_by(7)
        .map(|op| support::send(&http, &base, op));
    let (answers, status) = tokio::join!(futures::future::join_all(during), support::health(&base));
    for answer in answers {
        let answer = answer?;
        let codes = support::error_codes(&answer);
        assert!(
            !codes.is_empty() && codes.iter().all(|c| c == "UNAVAILABLE"),
            "during the outage: {answer}"
        );
    }
    assert_eq!(status, 503, "/healthz during the outage");

    // Back up: everything works again without restarting the reference server.
    cluster.start().map_err(anyhow::Error::msg)?;
    assert_eq!(
        support::health(&base).await,
        200,
        "/healthz once PostgreSQL is back"
    );
    support::every_api_writes(&base, &ops, Duration::from_secs(2)).await?;
    server.stop().await?;
    Ok(())
}
