//! The migrations, embedded at compile time by `build.rs` and handed to sqlx's [`Migrator`] as a
//! [`MigrationSource`]: the same versions, descriptions and checksums `sqlx::migrate!` would
//! produce from the same files, so databases migrated by either stay compatible.

use std::borrow::Cow;

use futures::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

/// The embedded migrations of one backend.
#[derive(Debug, Clone, Copy)]
pub(super) struct Embedded(&'static [(&'static str, &'static str)]);

/// SQLite's migrations (`reference/migrations/sqlite`).
pub(super) const SQLITE: Embedded = Embedded(embedded::SQLITE);
/// PostgreSQL's migrations (`reference/migrations/postgres`).
pub(super) const POSTGRES: Embedded = Embedded(embedded::POSTGRES);

impl Embedded {
    /// A migrator over these migrations.
    pub(super) async fn migrator(self) -> Result<Migrator, sqlx::migrate::MigrateError> {
        Migrator::new(self).await
    }

    /// The migrations, named as sqlx names a directory's files: `<version>_<description>.sql`.
    fn resolve_now(self) -> Result<Vec<Migration>, BoxDynError> {
        let mut out = Vec::with_capacity(self.0.len());
        for &(file, sql) in self.0 {
            let (version, rest) = file
                .split_once('_')
                .filter(|(_, rest)| rest.ends_with(".sql"))
                .ok_or_else(|| {
                    format!("migration {file:?} is not named <version>_<description>.sql")
                })?;
            let version: i64 = version
                .parse()
                .map_err(|_| format!("migration {file:?} has no integer version prefix"))?;
            let migration_type = MigrationType::from_filename(rest);
            let description = rest
                .trim_end_matches(migration_type.suffix())
                .replace('_', " ");
            out.push(Migration::new(
                version,
                Cow::Owned(description),
                migration_type,
                Cow::Borrowed(sql),
                sql.starts_with("-- no-transaction"),
            ));
        }
        out.sort_by_key(|m| m.version);
        Ok(out)
    }
}

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move { self.resolve_now() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_embedded_with_version_and_description() {
        for (backend, embedded, dir) in [
            ("sqlite", SQLITE, "migrations/sqlite"),
            ("postgres", POSTGRES, "migrations/postgres"),
        ] {
            let on_disk =
                std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
                    .map(|rd| rd.count())
                    .unwrap_or(0);
            let migrations = embedded.resolve_now().unwrap_or_default();
            assert_eq!(migrations.len(), on_disk, "{backend}");
            assert!(
                migrations.windows(2).all(|w| w[0].version < w[1].version),
                "{backend}"
            );
            let core = migrations
                .first()
                .map(|m| (m.version, m.description.to_string()));
            assert_eq!(core, Some((1, "core".to_string())), "{backend}");
        }
    }

    #[tokio::test]
    async fn checksums_match_what_sqlx_reads_from_the_directory() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
        let from_dir = Migrator::new(dir.as_path()).await.map(|m| {
            m.iter()
                .map(|m| (m.version, m.description.to_string(), m.checksum.to_vec()))
                .collect::<Vec<_>>()
        });
        let embedded = SQLITE.migrator().await.map(|m| {
            m.iter()
                .map(|m| (m.version, m.description.to_string(), m.checksum.to_vec()))
                .collect::<Vec<_>>()
        });
        assert!(from_dir.as_ref().is_ok_and(|v| !v.is_empty()));
        assert_eq!(from_dir.ok(), embedded.ok());
    }
}
