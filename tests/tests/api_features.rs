//! One feature per API: a crate that depends on `shopql-sdk` with `default-features = false`
//! and some API features gets those APIs only (and what they turn on), generated and compiled;
//! with no feature it gets the runtime alone. The same holds for `shopql-server-stubs`, whose
//! build script makes the same choice.
//!
//! A small crate of its own is written under `target/api-features-test/` and checked with
//! `cargo check --offline` in the target directory of the codegen compile test (the same
//! dependencies with the same features, so only the SDK is rebuilt); the files the SDK's build
//! script wrote to its `OUT_DIR` are listed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test asserts; a failed unwrap is a failure

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
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

/// Writes a crate that uses the SDK with `features` only, checks it, and returns the names of
/// the files the SDK's build script generated.
fn generated_with(features: &[&str]) -> Vec<String> {
    let root = workspace_root();
    let dir = root.join("target/api-features-test");
    fs::create_dir_all(dir.join("src")).unwrap();
    let features: Vec<String> = features.iter().map(|f| format!("{f:?}")).collect();
    // The dependencies of the regeneration test's crate, so that they are built once for both.
    let manifest = format!(
        "# Written by tests/tests/api_features.rs; do not edit.\n\
         [package]\nname = \"api-features-demo\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [workspace]\n\n\
         [dependencies]\nshopql-sdk = {{ path = {:?}, default-features = false, features = [{}] }}\n\
         shopql-server-stubs = {{ path = {:?}, default-features = false }}\n{}\n{}\n{}\n\n\
         [build-dependencies]\nshopql-codegen = {{ path = {:?}, default-features = false }}\n",
        root.join("sdk").display().to_string(),
        features.join(", "),
        root.join("server-stubs").display().to_string(),
        workspace_dependency("serde"),
        workspace_dependency("serde_json"),
        workspace_dependency("async-trait"),
        root.join("codegen").display().to_string(),
    );
    fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    fs::write(
        dir.join("src/lib.rs"),
        "//! Uses nothing: the SDK's library is what is checked.\n",
    )
    .unwrap();

    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    // Variables cargo set for this test process describe shopql-tests, not the demo crate.
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
        .current_dir(&dir)
        .env(
            "CARGO_TARGET_DIR",
            root.join("target/codegen-compile-test/target"),
        )
        .args(["check", "--offline", "--message-format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo check of the SDK with features [{}] failed:\n{}",
        features.join(", "),
        String::from_utf8_lossy(&out.stderr)
    );
    // cargo reports each build script's OUT_DIR, fresh or not, in `build-script-executed`.
    let out_dir = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "build-script-executed")
        .filter(|m| {
            m["package_id"]
                .as_str()
                .is_some_and(|id| id.contains("/sdk#"))
        })
        .find_map(|m| m["out_dir"].as_str().map(PathBuf::from))
        .expect("cargo reports the SDK's OUT_DIR");
    let mut names: Vec<String> = fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rs"))
        .collect();
    names.sort();
    names
}

#[test]
fn only_the_enabled_apis_are_generated_and_compiled() {
    assert_eq!(generated_with(&["client"]), ["client.rs"]);
    assert_eq!(
        generated_with(&[]),
        Vec::<String>::new(),
        "no feature: the runtime alone"
    );
    // cart-admin works on the shop API's carts: its feature turns shop on.
    assert_eq!(
        generated_with(&["cart-admin"]),
        ["cart_admin.rs", "shop.rs"]
    );
}
