//! The storage error conversions on both backends: a violated unique key is recognised by its
//! table and columns (SQLite names no constraint, PostgreSQL names its own), `on_unique` turns
//! only that key's violation into the caller's error, and any other database error becomes a coded
//! API error through `?`.

use shopql_reference::error::{ResultExt, UniqueKey};
use shopql_reference::store::TestDatabase;
use shopql_server_stubs::ApiError;

const PAIR: UniqueKey = UniqueKey {
    table: "t_pairs",
    columns: &["a", "b"],
};
const NAME: UniqueKey = UniqueKey {
    table: "t_pairs",
    columns: &["name"],
};
const OTHER_TABLE: UniqueKey = UniqueKey {
    table: "t_other",
    columns: &["a", "b"],
};

async fn insert(pool: &sqlx::AnyPool, a: i64, b: i64, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO t_pairs (a, b, name) VALUES ($1, $2, $3)")
        .bind(a)
        .bind(b)
        .bind(name)
        .execute(pool)
        .await
        .map(drop)
}

#[tokio::test]
async fn unique_keys_are_told_apart_on_every_backend() -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    for db in TestDatabase::all().await? {
        let pool = sqlx::AnyPool::connect(&db.url).await?;
        sqlx::query(
            "CREATE TABLE t_pairs (a BIGINT NOT NULL, b BIGINT NOT NULL, name TEXT NOT NULL, \
             UNIQUE (a, b), UNIQUE (name))",
        )
        .execute(&pool)
        .await?;
        insert(&pool, 1, 2, "x").await?;

        let Err(pair) = insert(&pool, 1, 2, "y").await else {
            anyhow::bail!("{}: a duplicate (a, b) was accepted", db.label());
        };
        assert!(PAIR.violated_by(&pair), "{}: {pair}", db.label());
        assert!(!NAME.violated_by(&pair), "{}: {pair}", db.label());
        assert!(!OTHER_TABLE.violated_by(&pair), "{}: {pair}", db.label());

        let Err(name) = insert(&pool, 3, 4, "x").await else {
            anyhow::bail!("{}: a duplicate name was accepted", db.label());
        };
        assert!(NAME.violated_by(&name), "{}: {name}", db.label());
        assert!(!PAIR.violated_by(&name), "{}: {name}", db.label());

        // `on_unique` maps its key only; another key's violation keeps the generic code.
        let mapped: ApiError = insert(&pool, 1, 2, "z")
            .await
            .on_unique(PAIR, || ApiError::bad_input("taken"))
            .err()
            .ok_or_else(|| anyhow::anyhow!("duplicate accepted"))?;
        assert_eq!(mapped.code.as_str(), "BAD_USER_INPUT", "{}", db.label());
        let unmapped: ApiError = insert(&pool, 5, 6, "x")
            .await
            .on_unique(PAIR, || ApiError::bad_input("taken"))
            .err()
            .ok_or_else(|| anyhow::anyhow!("duplicate accepted"))?;
        assert_eq!(unmapped.code.as_str(), "CONFLICT", "{}", db.label());

        // Anything else: `?` turns it into a coded error, never a panic.
        let missing = sqlx::query("SELECT * FROM t_missing")
            .fetch_all(&pool)
            .await
            .err()
            .ok_or_else(|| anyhow::anyhow!("a missing table was read"))?;
        assert!(!PAIR.violated_by(&missing));
        assert_eq!(ApiError::from(missing).code.as_str(), "INTERNAL");
        pool.close().await;
    }
    Ok(())
}
