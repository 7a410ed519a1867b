//! The `shopql-codegen` binary: `check` passes on the workspace's schemas and fails with
//! `file:line:col` on a broken copy; `generate` writes files (only when changed); `--help`
//! documents both commands.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test asserts; a failed unwrap is a failure

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shopql-codegen"))
}

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run(cmd: &mut Command) -> (Output, String, String) {
    let out = cmd.output().unwrap();
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    (out, stdout, stderr)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn check_passes_on_the_workspace_schemas() {
    let (out, stdout, stderr) = run(bin().arg("check").arg(schemas_dir()));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("checked 7 schemas and "),
        "unexpected summary: {stdout}"
    );
    assert!(stdout.contains(" operations: 0 errors"), "{stdout}");
    let operations: usize = stdout
        .trim_start_matches("checked 7 schemas and ")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(operations >= 100, "{stdout}");
    // Cart admin's types, as the SDK and the server stubs take them from the shop's.
    let (out, stdout, stderr) = run(bin()
        .arg("check")
        .arg(schemas_dir())
        .args(["--extern-types", "cart-admin=shop"]));
    assert!(
        out.status.success(),
        "{stdout}
{stderr}"
    );
}

#[test]
fn check_fails_with_locations_on_a_broken_copy() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&schemas_dir(), dir.path());

    // A schema error: a field of an unknown type, on a line of its own at the end.
    let lock = dir.path().join("lock.graphql");
    let mut sdl = fs::read_to_string(&lock).unwrap();
    if !sdl.ends_with('\n') {
        sdl.push('\n');
    }
    let line = sdl.lines().count() + 1;
    sdl.push_str("type Broken {\n  status: LockStatuss\n}\n");
    fs::write(&lock, sdl).unwrap();

    // An operation error in another API: an unknown field, at a known place.
    let usage_ops = dir.path().join("operations/usage");
    fs::write(
        usage_ops.join("zz_broken.graphql"),
        "query Broken {\n  nope\n}\n",
    )
    .unwrap();

    let (out, stdout, stderr) = run(bin().arg("check").arg(dir.path()));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let schema_error = format!(
        "{}:{}:3: error: unknown type `LockStatuss`",
        lock.display(),
        line + 1
    );
    assert!(
        stderr.contains(&schema_error),
        "missing `{schema_error}` in:\n{stderr}"
    );
    assert!(stderr.contains("did you mean `LockStatus`?"), "{stderr}");
    let op_error = format!(
        "{}:2:3: error:",
        usage_ops.join("zz_broken.graphql").display()
    );
    assert!(
        stderr.contains(&op_error),
        "missing `{op_error}` in:\n{stderr}"
    );
    assert!(stderr.contains("checked 7 schemas"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
}

#[test]
fn check_reports_warnings_and_can_deny_them() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("api.graphql");
    // A field defined twice identically: a warning, not an error.
    fs::write(&schema, "type Query {\n  a: Int\n  a: Int\n}\n").unwrap();
    let (out, stdout, stderr) = run(bin().arg("check").arg(&schema));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!("{}:3:3: warning:", schema.display())),
        "{stderr}"
    );
    assert!(stdout.contains("0 errors, 1 warning"), "{stdout}");
    let (out, _, _) = run(bin().arg("check").arg("--deny-warnings").arg(&schema));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn generate_writes_files_once() {
    let out_dir = tempfile::tempdir().unwrap();
    let schema = schemas_dir().join("lock.graphql");
    let ops = schemas_dir().join("operations");
    let args = |cmd: &mut Command| {
        cmd.arg("generate")
            .arg("--schema")
            .arg(&schema)
            .arg("--operations")
            .arg(&ops)
            .args([
                "--client",
                "--server",
                "--scalar",
                "DateTime=::std::string::String",
            ])
            .arg("--out")
            .arg(out_dir.path());
    };
    let mut cmd = bin();
    args(&mut cmd);
    let (out, stdout, stderr) = run(&mut cmd);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("wrote"), "{stdout}");
    assert!(
        stdout.contains("generated 1 file from 1 schema and 3 operations"),
        "{stdout}"
    );
    let file = out_dir.path().join("lock.rs");
    let code = fs::read_to_string(&file).unwrap();
    assert!(code.starts_with("// @generated by shopql-codegen"));
    assert!(code.contains("pub mod client") && code.contains("pub mod server"));
    assert!(code.contains("pub type DateTime = ::std::string::String;"));

    let mut cmd = bin();
    args(&mut cmd);
    let (out, stdout, _) = run(&mut cmd);
    assert!(out.status.success());
    assert!(stdout.contains("unchanged"), "{stdout}");
}

#[test]
fn generate_fails_without_writing_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("bad.graphql");
    fs::write(&schema, "type Query {\n  a: Nope\n}\n").unwrap();
    let out_dir = dir.path().join("out");
    let (out, _, stderr) = run(bin()
        .args(["generate", "--schema"])
        .arg(&schema)
        .arg("--out")
        .arg(&out_dir));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!(
        "{}:2:3: error: unknown type `Nope`",
        schema.display()
    )));
    assert!(!out_dir.exists());
}

#[test]
fn help_documents_both_commands_with_examples() {
    let (out, stdout, _) = run(bin().arg("--help"));
    assert!(out.status.success());
    for needle in [
        "generate",
        "check",
        "Examples:",
        "shopql-codegen check schemas/",
    ] {
        assert!(
            stdout.contains(needle),
            "`{needle}` missing from --help:\n{stdout}"
        );
    }
    let (_, stdout, _) = run(bin().args(["generate", "--help"]));
    for needle in [
        "--schema",
        "--operations",
        "--client",
        "--server",
        "--skeleton",
        "--scalar",
        "--lazy-field",
        "--out",
        "Examples:",
    ] {
        assert!(
            stdout.contains(needle),
            "`{needle}` missing from generate --help:\n{stdout}"
        );
    }
    let (_, stdout, _) = run(bin().args(["check", "--help"]));
    assert!(stdout.contains("operations/<api>/"), "{stdout}");
}

#[test]
fn bad_usage_exits_with_2() {
    let (out, _, _) = run(bin().args(["generate", "--out", "x"]));
    assert_eq!(out.status.code(), Some(2));
    let (out, _, stderr) = run(bin().args([
        "generate",
        "--schema",
        "a.graphql",
        "--scalar",
        "Nope",
        "--out",
        "x",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("NAME=PATH"), "{stderr}");
    let (out, _, stderr) = run(bin().args(["check", "/definitely/not/here"]));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
}

#[test]
fn generate_client_types_used_leaves_unused_types_out() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let generate = |which: &str| {
        let out_dir = tempfile::tempdir().unwrap();
        let (out, stdout, stderr) = run(bin()
            .args(["generate", "--schema"])
            .arg(fixtures.join("pruned.graphql"))
            .arg("--operations")
            .arg(fixtures.join("operations"))
            .args(["--client-types", which, "--out"])
            .arg(out_dir.path()));
        assert!(out.status.success(), "{stdout}\n{stderr}");
        fs::read_to_string(out_dir.path().join("pruned.rs")).unwrap()
    };
    let (all, used) = (generate("all"), generate("used"));
    assert!(all.contains("pub struct Warehouse {") && all.contains("pub enum Colour {"));
    assert!(!used.contains("pub struct Warehouse {") && !used.contains("pub enum Colour {"));
    assert!(used.contains("pub struct Maker {") && used.contains("pub enum Currency {"));
    assert!(used.len() < all.len());
    // One spelling only.
    let (out, _, stderr) = run(bin().args([
        "generate",
        "--schema",
        "a.graphql",
        "--client-types",
        "some",
        "--out",
        "x",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("all") && stderr.contains("used"),
        "{stderr}"
    );
}

#[test]
fn check_runs_the_extern_types_identity_check() {
    let dir = tempfile::tempdir().unwrap();
    let shared = "\"A money amount.\"\nscalar Money\n";
    fs::write(
        dir.path().join("store.graphql"),
        format!("type Query {{\n  price: Money\n}}\n{shared}"),
    )
    .unwrap();
    // `admin` defines `Money` with another description: a drift.
    fs::write(
        dir.path().join("admin.graphql"),
        "type Query {\n  total: Money\n}\n\"Money.\"\nscalar Money\n",
    )
    .unwrap();
    let (out, stdout, stderr) = run(bin().arg("check").arg(dir.path()));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let (out, stdout, stderr) = run(bin()
        .arg("check")
        .arg(dir.path())
        .args(["--extern-types", "admin=store"]));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("`Money` is reused from API `store` but is not defined identically"),
        "{stderr}"
    );
}
