//! PostgreSQL over TLS: the store connects with `sslmode=require` (encrypted, certificate not
//! checked) and with `sslmode=verify-full` against a CA file (certificate and host name checked),
//! and refuses a certificate that does not match the host. sqlx is built with rustls.
//!
//! Needs `SHOPQL_TEST_DATABASE_URL` (e.g. `postgres://postgres@127.0.0.1:5432/test`) on a server
//! with TLS; skipped when unset. The `verify-full` case also needs the server's certificate, or
//! its CA, in `SHOPQL_TEST_DATABASE_CA` (default `/etc/ssl/certs/ssl-cert-snakeoil.pem`, the
//! self-signed certificate Debian's PostgreSQL serves, issued for `localhost`); skipped without it.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test assertions")]

use std::path::PathBuf;

use shopql_reference::store::Store;

/// The test database's URL, if the PostgreSQL tests are on.
fn database_url() -> Option<String> {
    std::env::var("SHOPQL_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
}

/// `url` with `params` added to its query string.
fn with_params(url: &str, params: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{params}")
}

/// Whether this session of `store` is encrypted, as the server sees it.
async fn session_is_encrypted(store: &Store) -> bool {
    let row: (bool,) = sqlx::query_as(
        "SELECT COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)",
    )
    .fetch_one(&store.pool)
    .await
    .expect("pg_stat_ssl is readable");
    row.0
}

#[tokio::test]
async fn sslmode_require_connects_encrypted() {
    let Some(url) = database_url() else {
        eprintln!("SHOPQL_TEST_DATABASE_URL unset: skipped");
        return;
    };
    let store = Store::connect(&with_params(&url, "sslmode=require"))
        .await
        .expect("connects with sslmode=require");
    assert!(session_is_encrypted(&store).await);

    // Without TLS asked for, the same server is reached in plain text (`disable`): the check
    // above does tell the two apart.
    let plain = Store::connect(&with_params(&url, "sslmode=disable"))
        .await
        .expect("connects with sslmode=disable");
    assert!(!session_is_encrypted(&plain).await);
}

#[tokio::test]
async fn sslmode_verify_full_checks_the_certificate_and_the_host() {
    let Some(url) = database_url() else {
        eprintln!("SHOPQL_TEST_DATABASE_URL unset: skipped");
        return;
    };
    let ca = std::env::var_os("SHOPQL_TEST_DATABASE_CA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/ssl/certs/ssl-cert-snakeoil.pem"));
    if !ca.is_file() {
        eprintln!("no CA file at {}: skipped", ca.display());
        return;
    }
    // The names below are those of a server on this machine.
    if !(url.contains("@127.0.0.1") || url.contains("@localhost")) {
        eprintln!("the test database is not on 127.0.0.1: skipped");
        return;
    }
    // Debian's certificate names `localhost`: reach the same server under that name.
    let local = url.replacen("127.0.0.1", "localhost", 1);
    let verified = with_params(
        &local,
        &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
    );
    let store = Store::connect(&verified)
        .await
        .expect("connects with sslmode=verify-full and the server's CA");
    assert!(session_is_encrypted(&store).await);

    // Under a name the certificate does not carry, verify-full refuses to connect.
    let mismatched = with_params(
        &url.replacen("localhost", "127.0.0.1", 1),
        &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
    );
    assert!(
        Store::connect(&mismatched).await.is_err(),
        "a certificate for `localhost` is refused for 127.0.0.1"
    );
}
