//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL database created on
//! the server named by `SHOPQL_TEST_DATABASE_URL` (and dropped afterwards).

use std::path::PathBuf;

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    /// The URL to connect to.
    pub url: String,
    _dir: Option<tempfile_dir::TempDir>,
    pg_admin: Option<(String, String)>,
}

mod tempfile_dir {
    /// A temporary directory removed on drop (kept tiny to avoid a dependency outside tests).
    #[derive(Debug)]
    pub(super) struct TempDir(pub std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl TestDatabase {
    /// A new SQLite database in a temporary directory.
    pub fn sqlite() -> Self {
        let dir: PathBuf = std::env::temp_dir().join(format!("shopql-test-{}", super::object_id()));
        let _ = std::fs::create_dir_all(&dir);
        let url = format!("sqlite://{}/shopql.db?mode=rwc", dir.display());
        Self {
            url,
            _dir: Some(tempfile_dir::TempDir(dir)),
            pg_admin: None,
        }
    }

    /// A new PostgreSQL database, when `SHOPQL_TEST_DATABASE_URL` is set.
    pub async fn postgres() -> anyhow::Result<Option<Self>> {
        let Ok(base) = std::env::var("SHOPQL_TEST_DATABASE_URL") else {
            return Ok(None);
        };
        if base.trim().is_empty() {
            return Ok(None);
        }
        sqlx::any::install_default_drivers();
        let name = format!("shopql_test_{}", super::object_id());
        let admin = sqlx::AnyPool::connect(&base).await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await?;
        admin.close().await;
        let (prefix, _) = base.rsplit_once('/').unwrap_or((base.as_str(), ""));
        let url = format!("{prefix}/{name}");
        Ok(Some(Self {
            url,
            _dir: None,
            pg_admin: Some((base, name)),
        }))
    }

    /// Every backend available to this test run: SQLite always, PostgreSQL when configured.
    pub async fn all() -> anyhow::Result<Vec<Self>> {
        let mut v = vec![Self::sqlite()];
        if let Some(pg) = Self::postgres().await? {
            v.push(pg);
        }
        Ok(v)
    }

    /// A short label for messages: `sqlite` or `postgres`.
    pub fn label(&self) -> &'static str {
        if self.pg_admin.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((base, name)) = self.pg_admin.take() {
            // Dropping needs a connection of its own; do it on a fresh thread with its own runtime
            // so that this works from inside or outside a tokio runtime.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    if let Ok(admin) = sqlx::AnyPool::connect(&base).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&admin)
                                .await;
                        admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}
