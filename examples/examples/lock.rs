//! Seed 002's lock store, done with the SDK: two tasks contend for one key; exactly one holds it
//! at a time, the other waits for the release (polling `acquire`, which never blocks).
//!
//! `cargo run -p shopql-examples --example lock` (reference server running).

use std::time::Duration;

use shopql_examples::{base_url, check};
use shopql_sdk::lock::{AcquireOptions, Client};

async fn worker(name: &'static str, client: Client, key: String) -> anyhow::Result<u32> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        if client
            .acquire(key.clone(), AcquireOptions { ttl: Some(10) })
            .await?
        {
            println!("{name}: acquired `{key}` after {attempts} attempt(s); working");
            tokio::time::sleep(Duration::from_millis(200)).await;
            let released = client.release(key.clone()).await?;
            println!("{name}: released `{key}` ({released})");
            return Ok(attempts);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = base_url();
    let url = format!("{base}/demo/lock");
    // Two tokens: two callers (the lock holder is identified by its token).
    let t1 = shopql_sdk::auth::shop_token(
        &base,
        "demo",
        "demo-access-id",
        "demo-access-secret",
        &["lock"],
        600,
    )
    .await?;
    let t2 = shopql_sdk::auth::shop_token(
        &base,
        "demo",
        "demo-access-id",
        "demo-access-secret",
        &["lock"],
        601,
    )
    .await?;
    let key = format!("example:order:{}", std::process::id());
    let a = tokio::spawn(worker("task A", Client::new(&url).bearer(t1), key.clone()));
    let b = tokio::spawn(worker("task B", Client::new(&url).bearer(t2), key.clone()));
    let (a, b) = (a.await??, b.await??);
    check(a == 1 || b == 1, "one task got the lock at once")?;
    check(a > 1 || b > 1, "the other had to wait for the release")?;
    let status = Client::new(&url)
        .bearer(
            shopql_sdk::auth::shop_token(
                &base,
                "demo",
                "demo-access-id",
                "demo-access-secret",
                &["lock"],
                60,
            )
            .await?,
        )
        .lock(key)
        .await?;
    check(
        status.is_some_and(|s| !s.held),
        "the key is free at the end",
    )?;
    println!("ok");
    Ok(())
}
