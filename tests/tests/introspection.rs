//! `shopql-codegen introspect` against the reference server's seven endpoints prints a schema
//! equivalent to `schemas/*.graphql` (no change at all by `shopql-codegen diff`: types, fields,
//! arguments, defaults, descriptions, deprecations), and persisted queries work against it.

use std::path::PathBuf;
use std::process::Command;

use shopql_codegen::diff::diff;
use shopql_codegen::model::Schema;
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, start};
use shopql_sdk::{GraphqlClient, auth};
use shopql_tests::{APIS, schemas_dir};

/// The `shopql-codegen` binary of this build (`target/<profile>/shopql-codegen`), built if needed.
fn codegen_binary() -> anyhow::Result<PathBuf> {
    // This test binary lives in `target/<profile>/deps`.
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .ok_or_else(|| anyhow::anyhow!("no target directory above {}", exe.display()))?;
    let binary = dir.join(format!("shopql-codegen{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "shopql-codegen", "--bin", "shopql-codegen"])
            .status()?;
        anyhow::ensure!(status.success(), "building shopql-codegen failed");
    }
    Ok(binary)
}

/// The headers each API needs to answer.
fn headers(api: &str, shop_token: &str) -> Vec<String> {
    match api {
        "client" => vec![format!(
            "{}: www.my-vinyl-store.com",
            auth::CLIENT_ORIGIN_HEADER
        )],
        "shop" | "cart-admin" | "lock" | "usage" => {
            vec![format!("authorization: Bearer {shop_token}")]
        }
        "purchase" => vec!["authorization: Bearer demo-purchase-token".into()],
        "marketplace" => vec!["authorization: Bearer demo-seller-key".into()],
        _ => Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_of_the_seven_apis_matches_the_schemas() -> anyhow::Result<()> {
    let binary = codegen_binary()?;
    let db = TestDatabase::sqlite();
    let server = start(Config::for_tests(&db.url)).await?;
    let base = server.base_url();
    let token = auth::shop_token(
        &base,
        "demo",
        "demo-access-id",
        "demo-access-secret",
        &["cart", "cart:admin", "lock", "usage"],
        3600,
    )
    .await?;
    let out_dir = tempfile::tempdir()?;
    for (api, file, path) in APIS {
        let out = out_dir.path().join(file);
        let mut command = Command::new(&binary);
        command
            .arg("introspect")
            .arg(format!("{base}{path}"))
            .arg("-o")
            .arg(&out);
        for header in headers(api, &token) {
            command.arg("-H").arg(header);
        }
        let output = tokio::task::spawn_blocking(move || command.output()).await??;
        anyhow::ensure!(
            output.status.success(),
            "introspect {api} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let introspected = Schema::from_file(&out)
            .map_err(|d| anyhow::anyhow!("{api}: the printed SDL does not read back: {d:?}"))?;
        let expected = Schema::from_file(&schemas_dir().join(file))
            .map_err(|d| anyhow::anyhow!("{api}: {d:?}"))?;
        let changes = diff(&expected, &introspected);
        assert!(
            changes.is_empty(),
            "{api}: introspection differs from schemas/{file}:\n{}",
            changes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
        // The same types, and canonical output: printing it again changes nothing.
        assert_eq!(
            expected.types().count(),
            introspected.types().count(),
            "{api}"
        );
        let text = std::fs::read_to_string(&out)?;
        assert_eq!(
            introspected.to_sdl(shopql_codegen::model::Subscriptions::Include),
            text,
            "{api}: not canonical"
        );
    }
    server.stop().await?;
    Ok(())
}

/// Persisted queries against the reference server: every call succeeds whether or not the
/// server takes persisted queries, and when it does, the second call of an operation is a hit
/// (the hash alone).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persisted_queries_hit_and_miss_against_the_reference_server() -> anyhow::Result<()> {
    let db = TestDatabase::sqlite();
    let server = start(Config::for_tests(&db.url)).await?;
    let base = server.base_url();
    let recorder = std::sync::Arc::new(Recorder::default());
    let purchase =
        GraphqlClient::with_transport(format!("{base}/purchase/graphql"), recorder.clone())
            .persisted_queries(true);
    let query = "query Cart($storeId: String!, $userId: String) { cart(storeId: $storeId, userId: $userId, currencyCode: \"USD\") { __typename id } }";
    let variables = serde_json::json!({"storeId": "Electronics", "userId": "apq-1"});
    for _ in 0..3 {
        let data: serde_json::Value = purchase.execute_data(query, "Cart", &variables).await?;
        assert_eq!(data["cart"]["__typename"], "CartType", "{data}");
    }
    let sent = recorder.sent();
    let with_text: Vec<bool> = sent.iter().map(|(text, _)| *text).collect();
    // Apollo's protocol: a miss (the hash alone), the text with its hash, then hits (hash alone).
    assert_eq!(with_text, [false, true, false, false], "query text sent?");
    assert!(sent.iter().all(|(_, hash)| hash.is_some()), "{sent:?}");

    // As GET for queries: the hash alone in the URL, a request a cache can keep.
    let before = recorder.sent().len();
    let get = GraphqlClient::with_transport(format!("{base}/purchase/graphql"), recorder.clone())
        .persisted_queries(true)
        .get_for_queries(true);
    let data: serde_json::Value = get.execute_data(query, "Cart", &variables).await?;
    assert_eq!(data["cart"]["__typename"], "CartType", "{data}");
    let gets = &recorder.sent()[before..];
    assert_eq!(
        gets,
        [(false, Some("in the URL".to_owned()))],
        "one GET with the hash alone (the server knows it already)"
    );
    server.stop().await?;
    Ok(())
}

/// Records whether each request carried the query text and the persisted-query hash.
#[derive(Debug, Default)]
struct Recorder {
    inner: shopql_sdk::ReqwestTransport,
    sent: std::sync::Mutex<Vec<(bool, Option<String>)>>,
}

impl Recorder {
    fn sent(&self) -> Vec<(bool, Option<String>)> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl shopql_sdk::Transport for Recorder {
    async fn send(
        &self,
        request: shopql_sdk::HttpRequest,
    ) -> Result<shopql_sdk::HttpResponse, shopql_sdk::TransportError> {
        let (text, hash) = match request.method {
            shopql_sdk::HttpMethod::Post => {
                let body: serde_json::Value =
                    serde_json::from_slice(&request.body).unwrap_or_default();
                (
                    body.get("query").is_some(),
                    body["extensions"]["persistedQuery"]["sha256Hash"]
                        .as_str()
                        .map(str::to_owned),
                )
            }
            shopql_sdk::HttpMethod::Get => (
                request.url.contains("query="),
                request
                    .url
                    .contains("sha256Hash")
                    .then(|| "in the URL".to_owned()),
            ),
        };
        if let Ok(mut sent) = self.sent.lock() {
            sent.push((text, hash));
        }
        self.inner.send(request).await
    }
}
