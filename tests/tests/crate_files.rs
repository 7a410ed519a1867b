//! The copies that the published crates carry (`sdk/schemas/`, `server-stubs/schemas/`, the
//! licence texts) equal the workspace's originals: `.ci/sync-crate-files --check` finds no drift.
//! After editing `schemas/`, run `.ci/sync-crate-files`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test assertions")]

use std::path::Path;
use std::process::Command;

#[test]
fn crate_copies_equal_the_workspace_originals() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new("bash")
        .arg(root.join(".ci/sync-crate-files"))
        .arg("--check")
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "the crates' copies have drifted from the workspace's files (run .ci/sync-crate-files):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_check_sees_a_drift() {
    // A copy that differs must fail the check: change one in a scratch clone of the files the
    // script reads, so that the working tree is left alone.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let scratch = tempfile::tempdir().expect("a temp dir");
    let copy = |rel: &str| {
        let status = Command::new("cp")
            .arg("-r")
            .arg(root.join(rel))
            .arg(scratch.path().join(rel))
            .status()
            .expect("cp runs");
        assert!(status.success(), "copying {rel}");
    };
    for dir in [".ci", "codegen", "sdk", "server-stubs"] {
        std::fs::create_dir_all(scratch.path().join(dir)).expect("mkdir");
    }
    for rel in [
        ".ci/sync-crate-files",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "schemas",
        "sdk/schemas",
        "sdk/LICENSE-MIT",
        "sdk/LICENSE-APACHE",
        "server-stubs/schemas",
        "server-stubs/LICENSE-MIT",
        "server-stubs/LICENSE-APACHE",
        "codegen/LICENSE-MIT",
        "codegen/LICENSE-APACHE",
    ] {
        copy(rel);
    }
    let check = || {
        Command::new("bash")
            .arg(scratch.path().join(".ci/sync-crate-files"))
            .arg("--check")
            .output()
            .expect("bash runs")
    };
    assert!(check().status.success(), "the scratch copy starts equal");
    std::fs::write(
        scratch.path().join("sdk/schemas/lock.graphql"),
        "type Query { a: Int }",
    )
    .expect("write");
    let drifted = check();
    assert!(!drifted.status.success());
    assert!(String::from_utf8_lossy(&drifted.stderr).contains("sdk/schemas"));
}
