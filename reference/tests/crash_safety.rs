//! Crash safety: under write load the server process is killed with SIGKILL, restarted on the
//! same database, and every write it had acknowledged must be there — 0 lost. SQLite runs in WAL
//! mode with `synchronous = FULL` (`store::SqliteSync::Full`, the default); PostgreSQL commits durably
//! by default. Runs on SQLite, and on PostgreSQL when `SHOPQL_TEST_DATABASE_URL` is set.

mod process_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use process_support::{Node, shop_token};
use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;
use tokio::sync::Mutex;

const HYDRATE: &str = "mutation H($input: CartInput!) { hydrate(input: $input) { id } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let http = reqwest::Client::new();
        let mut node = Node::start(&db.url, true).await?;
        let base = node.base.clone();
        let token = shop_token(&http, &base, &["cart"]).await?;

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
        node.kill()?;
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

        let restarted = Node::start(&db.url, true).await?;
        let base = restarted.base.clone();
        let token = shop_token(&http, &base, &["cart"]).await?;
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
        drop(restarted);
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
