//! Shutdown drains: on SIGTERM the server finishes its requests, flushes the usage counters it
//! holds in memory and closes its pools before it exits, so a deploy loses no count.

use std::time::Duration;

use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;

#[path = "../process_support/mod.rs"]
mod process_support;

use process_support::{Node, gql, shop_token};

const HYDRATE: &str = r#"mutation { hydrate(input: { items: [{ sku: "robot-pink-standard", quantity: 1 }] }) { id } }"#;
const REPORT: &str =
    "query($from: Date!, $to: Date!) { usage(from: $from, to: $to) { total { cartsHydrated } } }";

async fn hydrate(http: &reqwest::Client, node: &Node, times: usize) -> anyhow::Result<()> {
    let token = shop_token(http, &node.base, &["cart"]).await?;
    for _ in 0..times {
        let answer = gql(
            http,
            &format!("{}/demo/cart", node.base),
            &token,
            HYDRATE,
            json!({}),
        )
        .await?;
        anyhow::ensure!(answer["data"]["hydrate"]["id"].is_string(), "{answer}");
    }
    Ok(())
}

async fn carts_hydrated(http: &reqwest::Client, node: &Node) -> anyhow::Result<i64> {
    let token = shop_token(http, &node.base, &["usage"]).await?;
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let answer: Value = gql(
        http,
        &format!("{}/demo/usage", node.base),
        &token,
        REPORT,
        json!({ "from": today, "to": today }),
    )
    .await?;
    answer["data"]["usage"]["total"]["cartsHydrated"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("no usage report: {answer}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_made_right_before_sigterm_survive_a_restart_and_two_nodes_add_up()
-> anyhow::Result<()> {
    let http = reqwest::Client::new();
    for db in TestDatabase::all().await? {
        // One node: five carts, SIGTERM at once (long before the periodic flush), restart.
        let mut node = Node::start(&db.url, true).await?;
        hydrate(&http, &node, 5).await?;
        assert!(
            node.terminate(Duration::from_secs(20)).await?,
            "{}: unclean exit",
            db.label()
        );
        let mut node = Node::start(&db.url, true).await?;
        assert_eq!(
            carts_hydrated(&http, &node).await?,
            5,
            "{}: counts lost on SIGTERM",
            db.label()
        );

        // Two nodes sharing the database: one cart each, both stopped, the counts add up.
        let mut second = Node::start(&db.url, false).await?;
        hydrate(&http, &node, 1).await?;
        hydrate(&http, &second, 1).await?;
        assert!(
            node.terminate(Duration::from_secs(20)).await?,
            "{}",
            db.label()
        );
        assert!(
            second.terminate(Duration::from_secs(20)).await?,
            "{}",
            db.label()
        );
        let node = Node::start(&db.url, false).await?;
        assert_eq!(
            carts_hydrated(&http, &node).await?,
            7,
            "{}: two nodes' counts",
            db.label()
        );
    }
    Ok(())
}
