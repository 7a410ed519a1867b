//! Reference servers as separate OS processes (the built `shopql-reference` binary), for tests
//! that kill a server or run several nodes with nothing shared but the database.
#![allow(dead_code, clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// A free port on 127.0.0.1 (bound and released; the child binds it right after).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A `shopql-reference` process; killed when dropped, so a failing test leaves no server behind.
pub struct Node {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Node {
    /// Starts a server on `db_url` (`seed`: load the demo data) and waits until it is healthy.
    /// Rate limits are off: concurrency tests send bursts from one address.
    pub async fn start(db_url: &str, seed: bool) -> anyhow::Result<Self> {
        Self::spawn(db_url, seed, false, &[]).await
    }

    /// [`Node::start`] with the default rate limits on.
    pub async fn start_with_rate_limits(db_url: &str, seed: bool) -> anyhow::Result<Self> {
        Self::spawn(db_url, seed, true, &[]).await
    }

    /// [`Node::start`] with more command-line arguments.
    pub async fn start_with_args(db_url: &str, seed: bool, args: &[&str]) -> anyhow::Result<Self> {
        Self::spawn(db_url, seed, false, args).await
    }

    async fn spawn(
        db_url: &str,
        seed: bool,
        rate_limits: bool,
        args: &[&str],
    ) -> anyhow::Result<Self> {
        let port = free_port()?;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_shopql-reference"));
        cmd.args([
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            db_url,
            "--demo",
            "--log",
            "warn",
        ]);
        if !rate_limits {
            cmd.arg("--no-rate-limits");
        }
        if !seed {
            cmd.arg("--no-seed");
        }
        cmd.args(args);
        let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
        let node = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        node.wait_healthy().await?;
        Ok(node)
    }

    async fn wait_healthy(&self) -> anyhow::Result<()> {
        let http = reqwest::Client::new();
        for _ in 0..600 {
            if http
                .get(format!("{}/healthz", self.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("the server at {} did not become healthy", self.base)
    }

    /// SIGTERM, as a deploy or `systemctl stop` sends it, then waits for the process to exit
    /// (at most `within`); whether it exited successfully.
    pub async fn terminate(&mut self, within: Duration) -> anyhow::Result<bool> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        anyhow::ensure!(status.success(), "kill -TERM failed");
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status.success());
            }
            anyhow::ensure!(
                std::time::Instant::now() < deadline,
                "the server did not exit within {within:?} of SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: no shutdown hook, no flush.
    pub fn kill(&mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        let _ = self.child.wait();
        Ok(())
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A shop-family JWT of the demo tenant with `scopes`, from `base`'s token endpoint.
pub async fn shop_token(
    http: &reqwest::Client,
    base: &str,
    scopes: &[&str],
) -> anyhow::Result<String> {
    let body: Value = http
        .post(format!("{base}/demo/auth/token"))
        .header("x-crystallize-access-token-id", "demo-access-id")
        .header("x-crystallize-access-token-secret", "demo-access-secret")
        .json(&json!({ "scopes": scopes, "expiresIn": 3600 }))
        .send()
        .await?
        .json()
        .await?;
    body["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("no token: {body}"))
}

/// POSTs a GraphQL request with a bearer token; the JSON body.
pub async fn gql(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    Ok(http
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?
        .json()
        .await?)
}
