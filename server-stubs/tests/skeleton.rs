//! `shopql-codegen`'s skeleton option writes a starting implementation of a resolver trait. This
//! test generates the skeletons of all seven APIs the way `server-stubs/build.rs` generates their
//! traits, checks their text, and compiles them against this crate in a scratch cargo project
//! (`cargo check`, in the target directory of codegen's compile test, whose dependencies are
//! the same, so they are checked once and later runs are incremental).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const APIS: [(&str, &str, &str); 7] = [
    ("lock.graphql", "lock", "LockResolvers"),
    ("shop.graphql", "shop", "ShopResolvers"),
    ("cart-admin.graphql", "cart_admin", "CartAdminResolvers"),
    ("usage.graphql", "usage", "UsageResolvers"),
    ("purchase.graphql", "purchase", "PurchaseResolvers"),
    ("marketplace.graphql", "marketplace", "MarketplaceResolvers"),
    ("client.graphql", "client", "ClientResolvers"),
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// The configuration of `server-stubs/build.rs`, plus the skeleton.
fn builder(module: &str) -> shopql_codegen::Builder {
    shopql_codegen::configure()
        .client(false)
        .server(true)
        .skeleton(true)
        .skeleton_module(format!("shopql_server_stubs::{module}"))
        .cargo_output(false)
        .scalar("DateTime", "::std::string::String")
        .scalar("Date", "::std::string::String")
        .scalar("UUID", "::std::string::String")
        .scalar(
            "HashMap",
            "::serde_json::Map<::std::string::String, ::serde_json::Value>",
        )
        .scalar("PositiveInt", "u32")
        .scalar("Rate", "f64")
        .scalar("Decimal", "::shopql_server_stubs::scalars::Decimal")
        .scalar("DynamicPropertyValue", "::serde_json::Value")
        .scalar("ISO8601DateTime", "::std::string::String")
        .scalar("ISO8601Date", "::std::string::String")
        .lazy_field("CartType.availableShippingMethods")
        .lazy_field("CartType.availablePaymentMethods")
        .extern_types("cart-admin", "shop")
}

/// Generates the skeleton of one API into `dir` and returns its text.
fn skeleton(file: &str, module: &str, dir: &Path) -> String {
    let mut schemas = vec![workspace().join("schemas").join(file)];
    let mut dir = dir.to_path_buf();
    if module == "cart_admin" {
        // Cart admin reuses shop's types, as in the build script: both are compiled together
        // (into a directory of their own, so that shop's skeleton is not written twice).
        schemas.insert(0, workspace().join("schemas/shop.graphql"));
        dir = dir.join(module);
    }
    let written = builder(module)
        .out_dir(&dir)
        .compile(&schemas, &[] as &[PathBuf])
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let path = dir.join(format!("{module}_skeleton.rs"));
    assert!(written.contains(&path), "{written:?}");
    std::fs::read_to_string(path).expect("the skeleton file")
}

#[test]
fn the_lock_skeleton_implements_every_method_as_not_implemented() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let text = skeleton("lock.graphql", "lock", dir.path());
    assert!(text.contains("use shopql_server_stubs::lock::*;"), "{text}");
    assert!(text.contains("impl LockResolvers for Resolvers"), "{text}");
    for (method, coordinate) in [
        ("lock", "Query.lock"),
        ("acquire", "Mutation.acquire"),
        ("release", "Mutation.release"),
    ] {
        assert!(
            text.contains(&format!("async fn {method}(")),
            "{method}: {text}"
        );
        assert!(
            text.contains(&format!("ApiError::not_implemented(\"{coordinate}\")")),
            "{coordinate}: {text}"
        );
    }
    assert_eq!(text.matches("async fn ").count(), 3, "{text}");
    assert_eq!(text.matches("not_implemented(").count(), 3, "{text}");

    // A skeleton is the user's code once written: generating again does not overwrite it.
    let path = dir.path().join("lock_skeleton.rs");
    std::fs::write(&path, "// mine now\n").expect("write");
    let _ = skeleton_again(dir.path());
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "// mine now\n"
    );
}

fn skeleton_again(dir: &Path) -> Vec<PathBuf> {
    builder("lock")
        .out_dir(dir)
        .compile(
            &[workspace().join("schemas/lock.graphql")],
            &[] as &[PathBuf],
        )
        .expect("generates")
}

/// The skeletons compile: a scratch crate includes all seven and serves them with `router`.
#[test]
fn the_skeletons_of_all_apis_compile() {
    let project = tempfile::tempdir().expect("a temp dir");
    let src = project.path().join("src");
    std::fs::create_dir_all(&src).expect("src/");
    let gen_dir = tempfile::tempdir().expect("a temp dir");
    let mut main = String::from("#![forbid(unsafe_code)]\n\n");
    let mut uses = String::new();
    for (file, module, trait_name) in APIS {
        let text = skeleton(file, module, gen_dir.path());
        assert!(
            text.contains(&format!("impl {trait_name} for Resolvers")),
            "{text}"
        );
        if module == "cart_admin" {
            // The fields of shop's types are shop's resolvers', reached through the accessor.
            assert!(
                text.contains(
                    "fn shop_resolvers(&self) -> &dyn shopql_server_stubs::shop::ShopResolvers"
                ),
                "{text}"
            );
            assert!(!text.contains("async fn cart_meta_property("), "{text}");
        }
        std::fs::write(src.join(format!("{module}_skeleton.rs")), text).expect("write");
        main.push_str(&format!("mod {module}_skeleton;\n"));
        uses.push_str(&format!(
            "    let _: shopql_server_stubs::axum::Router = shopql_server_stubs::{module}::router({module}_skeleton::Resolvers);\n"
        ));
    }
    main.push_str(&format!("\nfn main() {{\n{uses}}}\n"));
    std::fs::write(src.join("main.rs"), main).expect("write main.rs");
    let stubs = workspace().join("server-stubs");
    std::fs::write(
        project.path().join("Cargo.toml"),
        format!(
            r#"[package]
name = "skeleton-check"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
shopql-server-stubs = {{ path = {stubs:?} }}
serde_json = "1"

[workspace]
"#,
            stubs = stubs.display().to_string()
        ),
    )
    .expect("write Cargo.toml");
    // The workspace's lock file pins the same versions (and keeps the check offline).
    std::fs::copy(
        workspace().join("Cargo.lock"),
        project.path().join("Cargo.lock"),
    )
    .expect("copy Cargo.lock");

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    // What cargo set for this test process describes this package, not the scratch project; a
    // build script that reruns when such a variable changes would rebuild shared dependencies.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if [
            "CARGO_MANIFEST_",
            "CARGO_PKG_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
        ]
        .iter()
        .any(|p| name.starts_with(p))
            || ["CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "OUT_DIR"].contains(&name.as_str())
        {
            command.env_remove(name);
        }
    }
    let output = command
        .arg("check")
        .arg("--offline")
        .arg("--quiet")
        .arg("--message-format=short")
        .current_dir(project.path())
        .env(
            "CARGO_TARGET_DIR",
            // Shared with codegen's compile test: the same dependencies, checked once.
            workspace().join("target/codegen-compile-test/target"),
        )
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the skeletons do not compile:\n{stderr}"
    );
    // Warnings in the skeletons would annoy the team that starts from them.
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("_skeleton.rs") || l.contains("main.rs"))
        .collect();
    assert!(warnings.is_empty(), "the skeletons warn:\n{stderr}");
}
