//! Child processes under test: the reference server (its release binary) and the ceiling server
//! (this binary, re-run as `shopql-bench ceiling`). Each is a process of its own, so its memory
//! can be read from /proc and its threads do not share the load generator's runtime.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Serialize;

use crate::wire;

/// A server running as a child process.
pub struct Server {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its log file.
    pub log: PathBuf,
}

/// Memory of a process, from /proc/PID/status.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Memory {
    /// Peak resident set size (VmHWM), KiB.
    pub peak_kib: u64,
    /// Current resident set size (VmRSS), KiB.
    pub rss_kib: u64,
}

impl Memory {
    /// Peak in MiB.
    pub fn peak_mib(&self) -> f64 {
        self.peak_kib as f64 / 1024.0
    }
    /// Current in MiB.
    pub fn rss_mib(&self) -> f64 {
        self.rss_kib as f64 / 1024.0
    }
}

static LOG_FILTER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the reference server's log filter (once, at start; `warn` otherwise).
pub fn set_log_filter(filter: &str) {
    let _ = LOG_FILTER.set(filter.to_string());
}

fn log_filter() -> &'static str {
    LOG_FILTER.get().map_or("warn", String::as_str)
}

/// A free port on 127.0.0.1 (bound and released; the child binds it right after).
pub fn free_addr() -> anyhow::Result<SocketAddr> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?)
}

impl Server {
    /// Starts the reference server on `database_url` with the demo data, and waits until it
    /// listens (it binds after migrating and seeding).
    pub async fn reference(
        bin: &Path,
        database_url: &str,
        extra_args: &[String],
        log: PathBuf,
    ) -> anyhow::Result<Self> {
        let addr = free_addr()?;
        let mut cmd = Command::new(bin);
        cmd.arg("--addr")
            .arg(addr.to_string())
            .arg("--database-url")
            .arg(database_url)
            .arg("--demo")
            // The load comes from one principal on one address: the per-principal token bucket
            // would measure the limiter, not the server.
            .arg("--no-rate-limits")
            // Per-request log lines would measure the terminal, not the server.
            .arg("--log")
            .arg(log_filter())
            .args(extra_args);
        Self::spawn(cmd, addr, log, Duration::from_secs(600)).await
    }

    /// Starts the ceiling server answering every POST with `body_bytes` bytes of JSON.
    pub async fn ceiling(body_bytes: usize, log: PathBuf) -> anyhow::Result<Self> {
        let addr = free_addr()?;
        let exe = std::env::current_exe().context("locating this binary")?;
        let mut cmd = Command::new(exe);
        cmd.arg("ceiling")
            .arg("--addr")
            .arg(addr.to_string())
            .arg("--body-bytes")
            .arg(body_bytes.to_string());
        Self::spawn(cmd, addr, log, Duration::from_secs(30)).await
    }

    async fn spawn(
        mut cmd: Command,
        addr: SocketAddr,
        log: PathBuf,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let out =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("starting {cmd:?}"))?;
        let mut server = Self { child, addr, log };
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!(
                    "{cmd:?} exited with {status} before listening; its log ({}):\n{}",
                    server.log.display(),
                    tail(&server.log)
                );
            }
            if wire::wait_ready(addr, Duration::from_millis(200))
                .await
                .is_ok()
            {
                return Ok(server);
            }
            if tokio::time::Instant::now() > deadline {
                server.kill();
                bail!("{cmd:?} was not ready on {addr} within {timeout:?}");
            }
        }
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// VmHWM and VmRSS of the child.
    pub fn memory(&self) -> anyhow::Result<Memory> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .context("reading /proc/PID/status")?;
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        Ok(Memory {
            peak_kib: field("VmHWM:"),
            rss_kib: field("VmRSS:"),
        })
    }

    /// Stops the child: SIGTERM (graceful), then SIGKILL after 10 s.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.pid().to_string();
        let _ = Command::new("kill").arg("-TERM").arg(&pid).status();
        for _ in 0..200 {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.kill();
        Ok(())
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// The last lines of a log file.
pub fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// The ceiling server: a minimal axum app answering every POST with one fixed JSON body, on the
/// same runtime configuration as the reference server (`#[tokio::main]`, a worker per core).
pub fn run_ceiling(addr: SocketAddr, body_bytes: usize) -> anyhow::Result<()> {
    use axum::Router;
    use axum::routing::post;

    let body = bytes::Bytes::from(ceiling_body(body_bytes));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let app = Router::new().fallback(post(move || {
            let body = body.clone();
            async move { ([(http::header::CONTENT_TYPE, "application/json")], body) }
        }));
        let listener = tokio::net::TcpListener::bind(addr).await?;
        axum::serve(listener, app).await?;
        Ok(())
    })
}

/// A GraphQL-shaped JSON body of exactly `n` bytes (at least the empty envelope).
pub fn ceiling_body(n: usize) -> Vec<u8> {
    let head = br#"{"data":{"ceiling":""#;
    let tail = br#""}}"#;
    let pad = n.saturating_sub(head.len() + tail.len());
    let mut v = Vec::with_capacity(n.max(head.len() + tail.len()));
    v.extend_from_slice(head);
    v.extend(std::iter::repeat_n(b'x', pad));
    v.extend_from_slice(tail);
    v
}
