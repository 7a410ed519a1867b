//! Editing a schema regenerates the code: a crate of its own, with a `build.rs` that runs
//! shopql-codegen on a copy of `schemas/lock.graphql`, is built; a field is added to the copy;
//! the next build shows the field in the generated client and resolver trait, with its SDL
//! description as rustdoc, and code that calls it compiles.
//!
//! The crate is written under `target/regeneration-test/` and checked with `cargo check
//! --offline` in the target directory of the codegen compile test (same dependencies, so a warm
//! run rebuilds only this crate).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test asserts; a failed unwrap is a failure

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

const NEW_FIELD_SDL: &str = r#"
  "How many lock keys are held right now (added by the regeneration test)."
  heldCount: Int!
"#;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn crate_dir() -> PathBuf {
    workspace_root().join("target/regeneration-test")
}

fn target_dir() -> PathBuf {
    workspace_root().join("target/codegen-compile-test/target")
}

/// The line of `[workspace.dependencies]` that declares `name`.
fn workspace_dependency(name: &str) -> String {
    let manifest = fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
    let prefix = format!("{name} = ");
    manifest
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("`{name}` is not in [workspace.dependencies]"))
        .to_string()
}

fn write_crate(dir: &Path) {
    let root = workspace_root();
    let manifest = format!(
        "# Written by tests/tests/regeneration.rs; do not edit.\n\
         [package]\nname = \"regen-demo\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [workspace]\n\n\
         [dependencies]\nshopql-sdk = {{ path = {:?}, default-features = false }}\nshopql-server-stubs = {{ path = {:?}, default-features = false }}\n{}\n{}\n{}\n\n\
         [build-dependencies]\nshopql-codegen = {{ path = {:?}, default-features = false }}\n",
        root.join("sdk").display().to_string(),
        root.join("server-stubs").display().to_string(),
        workspace_dependency("serde"),
        workspace_dependency("serde_json"),
        workspace_dependency("async-trait"),
        root.join("codegen").display().to_string(),
    );
    fs::create_dir_all(dir.join("src")).unwrap();
    fs::create_dir_all(dir.join("schema")).unwrap();
    fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    fs::write(
        dir.join("build.rs"),
        r#"fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    shopql_codegen::configure()
        .client(true)
        .server(false)
        .out_dir(out.join("client"))
        .compile(&["schema/lock.graphql"], &[] as &[&str])?;
    shopql_codegen::configure()
        .client(false)
        .server(true)
        .out_dir(out.join("server"))
        .compile(&["schema/lock.graphql"], &[] as &[&str])?;
    Ok(())
}
"#,
    )
    .unwrap();
    fs::write(
        dir.join("src/lib.rs"),
        r#"//! A user crate generated from its own copy of the lock schema.
#![allow(dead_code)]
pub mod client {
    include!(concat!(env!("OUT_DIR"), "/client/lock.rs"));
}
pub mod server {
    include!(concat!(env!("OUT_DIR"), "/server/lock.rs"));
}
mod uses;
"#,
    )
    .unwrap();
    fs::write(dir.join("src/uses.rs"), "// Code that uses the schema.\n").unwrap();
}

fn cargo_check(dir: &Path) {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    // Variables cargo set for this test process describe shopql-tests, not the test crate.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("CARGO_MANIFEST_")
            || name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_CRATE_")
            || name.starts_with("CARGO_BIN_")
            || name == "CARGO_PRIMARY_PACKAGE"
            || name == "CARGO_TARGET_TMPDIR"
            || name == "OUT_DIR"
        {
            cmd.env_remove(name);
        }
    }
    let out = cmd
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .args(["check", "--offline", "--message-format", "short"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo check of the regeneration crate failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The most recently written `<side>/lock.rs` of the crate's build script.
fn generated(side: &str) -> String {
    let build = target_dir().join("debug/build");
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    for entry in fs::read_dir(&build).unwrap() {
        let dir = entry.unwrap().path();
        let is_ours = dir
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("regen-demo-"));
        let file = dir.join("out").join(side).join("lock.rs");
        if let (true, Ok(meta)) = (is_ours, fs::metadata(&file)) {
            let modified = meta.modified().unwrap();
            if newest.as_ref().is_none_or(|(t, _)| modified > *t) {
                newest = Some((modified, file));
            }
        }
    }
    let (_, file) = newest.expect("the build script wrote no lock.rs");
    fs::read_to_string(file).unwrap()
}

#[test]
fn adding_a_field_to_a_schema_regenerates_client_and_trait() {
    let dir = crate_dir();
    let _ = fs::remove_dir_all(&dir);
    write_crate(&dir);
    let schema = fs::read_to_string(workspace_root().join("schemas/lock.graphql")).unwrap();
    fs::write(dir.join("schema/lock.graphql"), &schema).unwrap();

    cargo_check(&dir);
    let (client, server) = (generated("client"), generated("server"));
    assert!(
        client.contains("pub async fn acquire("),
        "client:\n{client}"
    );
    assert!(
        !client.contains("held_count"),
        "the field exists before it is added"
    );
    assert!(
        !server.contains("held_count"),
        "the field exists before it is added"
    );

    // Add a field to the Query type of the copy: after `lock(...): LockStatus`.
    let anchor = "): LockStatus\n";
    let at = schema
        .find(anchor)
        .expect("lock.graphql has `lock(...): LockStatus`")
        + anchor.len();
    let edited = format!("{}{NEW_FIELD_SDL}{}", &schema[..at], &schema[at..]);
    fs::write(dir.join("schema/lock.graphql"), edited).unwrap();
    // Code that only compiles if both sides have the new field.
    fs::write(
        dir.join("src/uses.rs"),
        r#"// Code that uses the new field on both sides.
pub async fn call(client: &crate::client::lock::Client) {
    let count: Result<i32, shopql_sdk::Error> = client.held_count().await;
    let _ = count;
}
pub fn implementors_must_answer<R: crate::server::lock::LockResolvers>() {
    let _method = R::held_count;
}
"#,
    )
    .unwrap();

    cargo_check(&dir);
    let (client, server) = (generated("client"), generated("server"));
    assert!(
        client.contains("pub async fn held_count("),
        "the client has no held_count method:\n{client}"
    );
    assert!(
        server.contains("async fn held_count("),
        "the resolver trait has no held_count method:\n{server}"
    );
    for (side, code) in [("client", &client), ("server", &server)] {
        assert!(
            code.contains("How many lock keys are held right now"),
            "the {side} does not document the new field from its SDL description"
        );
    }
}
