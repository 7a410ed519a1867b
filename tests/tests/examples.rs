//! Every example of `shopql-examples` runs green against a freshly started reference server:
//! exit code 0 and its final `ok`. The examples are the seed walkthroughs users copy from.

use std::path::PathBuf;
use std::process::Command;

use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, start};

const EXAMPLES: [&str; 8] = [
    "client_quick_start",
    "shop_cart",
    "cart_admin",
    "lock",
    "purchase_cart",
    "marketplace_seller",
    "custom_operations",
    "resilient_client",
];

/// Where cargo put the example binaries of this build (`target/<profile>/examples`).
fn examples_dir() -> PathBuf {
    // This test binary lives in `target/<profile>/deps`.
    let exe = std::env::current_exe().unwrap_or_default();
    exe.parent()
        .and_then(|deps| deps.parent())
        .map(|p| p.join("examples"))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_runs_green_against_a_fresh_server() -> anyhow::Result<()> {
    let dir = examples_dir();
    if EXAMPLES.iter().any(|e| !dir.join(e).exists()) {
        // `cargo test --workspace` builds them; a narrower run builds them here.
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "shopql-examples", "--examples"])
            .status()?;
        anyhow::ensure!(status.success(), "building the examples failed");
    }
    let db = TestDatabase::sqlite();
    let server = start(Config::for_tests(&db.url)).await?;
    let url = server.base_url();
    for name in EXAMPLES {
        let exe = dir.join(name);
        let url = url.clone();
        let output =
            tokio::task::spawn_blocking(move || Command::new(exe).env("SHOPQL_URL", url).output())
                .await??;
        let stdout = String::from_utf8_lossy(&output.stdout);
        println!("== {name}\n{stdout}");
        assert!(
            output.status.success() && stdout.trim_end().ends_with("ok"),
            "example {name} failed ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    server.stop().await?;
    Ok(())
}
