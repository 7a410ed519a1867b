//! Crash safety: under write load the server process is killed with SIGKILL, restarted on the
//! same database, and every write it had acknowledged must be there — 0 lost. SQLite runs in WAL
//! mode with `synchronous = FULL` (see `store::SQLITE_SYNCHRONOUS`); PostgreSQL commits durably
//! by default. Runs on SQLite, and on PostgreSQL when `SHOPQL_TEST_DATABASE_URL` is set.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;
use tokio::sync::Mutex;

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn spawn(db_url: &str, port: u16, seed: bool) -> anyhow::Result<Child> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shopql-reference"));
    cmd.args([
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--database-url",
        db_url,
        "--log",
        "warn",
    ]);
    if !seed {
        cmd.arg("--no-seed");
    }
    Ok(cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn()?)
}

async fn wait_healthy(http: &reqwest::Client, base: &str) -> anyhow::Result<()> {
    for _ in 0..200 {
        if http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the server at {base} did not become healthy")
}

async fn fetch_token(http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let body: Value = http
        .post(format!("{base}/demo/auth/token"))
        .header("x-crystallize-access-token-id", "demo-access-id")
        .header("x-crystallize-access-token-secret", "demo-access-secret")
        .json(&json!({ "scopes": ["cart"], "expiresIn": 3600 }))
        .send()
        .await?
        .json()
        .await?;
    body["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("no token: {body}"))
}

const HYDRATE: &str = "mutation H($input: CartInput!) { hydrate(input: $input) { id } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let http = reqwest::Client::new();
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let mut child = spawn(&db.url, port, true)?;
        wait_healthy(&http, &base).await?;
        let token = fetch_token(&http, &base).await?;

        // Eight writers hydrate carts as fast as they can; an id in a response is acknowledged.
        let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut writers = Vec::new();
        for w in 0..8 {
            let (http, base, token, acknowledged, stop) = (
                http.clone(),
                base.clone(),
                token.clone(),
                acknowledged.clone(),
                stop.clone(),
            );
            writers.push(tokio::spawn(async move {
                let mut n = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let input = json!({ "items": [{ "sku": "robot-pink-standard", "quantity": 1 + (n % 3) }], "meta": [{ "key": "writer", "value": format!("{w}-{n}") }] });
                    let sent = http
                        .post(format!("{base}/demo/cart"))
                        .bearer_auth(&token)
                        .json(&json!({ "query": HYDRATE, "variables": { "input": input } }))
                        .send()
                        .await;
                    let Ok(resp) = sent else { break };
                    let Ok(body) = resp.json::<Value>().await else { break };
                    if let Some(id) = body["data"]["hydrate"]["id"].as_str() {
                        acknowledged.lock().await.push(id.to_string());
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        // SIGKILL: no shutdown hook, no flush.
        child.kill()?;
        let _ = child.wait();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            let _ = w.await;
        }
        let acked = acknowledged.lock().await.clone();
        assert!(
            acked.len() > 20,
            "too few writes before the kill on {}: {}",
            db.label(),
            acked.len()
        );

        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let mut restarted = spawn(&db.url, port, true)?;
        wait_healthy(&http, &base).await?;
        let token = fetch_token(&http, &base).await?;
        let mut found = 0;
        for id in &acked {
            let body: Value = http
                .post(format!("{base}/demo/cart"))
                .bearer_auth(&token)
                .json(&json!({ "query": "query C($id: UUID) { cart(id: $id) { id } }", "variables": { "id": id } }))
                .send()
                .await?
                .json()
                .await?;
            if body["data"]["cart"]["id"].as_str() == Some(id) {
                found += 1;
            }
        }
        restarted.kill()?;
        let _ = restarted.wait();
        println!(
            "{}: {} writes acknowledged before SIGKILL, {found} found after restart",
            db.label(),
            acked.len()
        );
        assert_eq!(
            found,
            acked.len(),
            "acknowledged writes were lost on {}",
            db.label()
        );
    }
    Ok(())
}
