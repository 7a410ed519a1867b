//! The frame of the reference server: it starts on every backend, migrates, answers /healthz,
//! and its storage round-trips values with the same queries on SQLite and PostgreSQL.

use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, start};

#[tokio::test]
async fn starts_migrates_and_answers_healthz_on_every_backend() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let server = start(Config::for_tests(&db.url)).await?;
        let resp = reqwest::get(format!("{}/healthz", server.base_url())).await?;
        assert_eq!(resp.status(), 200, "{}", db.label());
        let body: serde_json::Value = resp.json().await?;
        assert_eq!(body["status"], "ok");

        // The same `$n` placeholder queries run on both backends.
        server.state.store.set_meta("frame-test", "one").await?;
        server.state.store.set_meta("frame-test", "two").await?;
        assert_eq!(
            server.state.store.meta("frame-test").await?.as_deref(),
            Some("two"),
            "{}",
            db.label()
        );
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_second_start_on_the_same_database_keeps_its_data() -> anyhow::Result<()> {
    let db = TestDatabase::sqlite();
    let first = start(Config::for_tests(&db.url)).await?;
    first.state.store.set_meta("kept", "yes").await?;
    first.stop().await?;
    let second = start(Config::for_tests(&db.url)).await?;
    assert_eq!(
        second.state.store.meta("kept").await?.as_deref(),
        Some("yes")
    );
    second.stop().await?;
    Ok(())
}

#[tokio::test]
async fn refuses_a_short_secret_outside_demo_mode() -> anyhow::Result<()> {
    let db = TestDatabase::sqlite();
    let mut config = Config::for_tests(&db.url);
    config.demo = false;
    config.jwt_secret = Some("too-short".into());
    let err = start(config)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("at least 32 bytes"), "{err}");
    Ok(())
}
