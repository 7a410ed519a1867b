//! The end-to-end suite: the reference server started in-process (SQLite in a temporary
//! directory, and PostgreSQL when `SHOPQL_TEST_DATABASE_URL` is set), driven only through
//! `shopql-sdk`. Every root field of every API is called at least once with its result asserted;
//! a recording transport proves it, and the test fails if any root field is not covered.

mod client;
mod marketplace;
mod purchase;
mod shop;

use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, start};
use shopql_tests::Coverage;

#[tokio::test]
async fn every_root_field_of_every_api_through_the_sdk() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let server = start(Config::for_tests(&db.url)).await?;
        let base = server.base_url();
        let coverage = Coverage::default();

        client::journey(&base, &coverage)
            .await
            .map_err(|e| anyhow::anyhow!("client on {}: {e}", db.label()))?;
        purchase::journey(&base, &coverage)
            .await
            .map_err(|e| anyhow::anyhow!("purchase on {}: {e}", db.label()))?;
        shop::journey(&base, &coverage)
            .await
            .map_err(|e| anyhow::anyhow!("shop on {}: {e}", db.label()))?;
        marketplace::journey(&base, &coverage)
            .await
            .map_err(|e| anyhow::anyhow!("marketplace on {}: {e}", db.label()))?;

        let mut missing = Vec::new();
        println!("root fields covered through the SDK on {}:", db.label());
        for api in coverage.report()? {
            println!("  {:12} {:3}/{:3}", api.api, api.covered, api.total);
            for m in api.missing {
                missing.push(format!("{}: {m}", api.api));
            }
        }
        server.stop().await?;
        assert!(
            missing.is_empty(),
            "root fields not covered on {}:\n{}",
            db.label(),
            missing.join("\n")
        );
    }
    Ok(())
}
