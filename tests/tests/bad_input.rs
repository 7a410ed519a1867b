//! The bad-input corpus (`tests/bad-input/*.jsonl`, written by `generate.py`) replayed against a
//! running reference server: malformed JSON, wrong variable types, unknown operations, depth,
//! alias and directive bombs, huge strings and lists, invalid base64 and ids, negative and huge
//! quantities, forged, expired, `alg: none` and wrong-audience tokens, cross-tenant and
//! cross-seller ids. Every answer must be an error with a code (or a mutation payload with status
//! 422 and field errors), never a 5xx, and the server must stay healthy. The counts are printed.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use serde_json::{Value, json};
use shopql_reference::auth::{Claims, JwtKeys, TokenKind};
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, start};

struct Credentials(BTreeMap<&'static str, String>);

async fn shop_token(http: &reqwest::Client, base: &str, scopes: &[&str]) -> anyhow::Result<String> {
    let body: Value = http
        .post(format!("{base}/demo/auth/token"))
        .header("x-crystallize-access-token-id", "demo-access-id")
        .header("x-crystallize-access-token-secret", "demo-access-secret")
        .json(&json!({ "scopes": scopes, "expiresIn": 3600 }))
        .send()
        .await?
        .json()
        .await?;
    body["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("no token: {body}"))
}

async fn client_session(
    http: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
    register: bool,
) -> anyhow::Result<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let (field, query) = if register {
        (
            "register",
            "mutation R($e: String!, $p: String!) { register(email: $e, password: $p) { session { jwt } } }",
        )
    } else {
        (
            "login",
            "mutation L($e: String!, $p: String!) { login(email: $e, password: $p) { session { jwt } } }",
        )
    };
    let body: Value = http
        .post(format!("{base}/client/graphql"))
        .header("commonground-origin", "www.my-vinyl-store.com")
        .json(&json!({ "query": query, "variables": { "e": b64(email), "p": b64(password) } }))
        .send()
        .await?
        .json()
        .await?;
    body["data"][field]["session"]["jwt"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("no session: {body}"))
}

fn claims(aud: &str, tenant: Option<&str>, exp_s: i64) -> Claims {
    Claims {
        iss: "shopql-reference".into(),
        aud: aud.into(),
        sub: "demo-access-id".into(),
        iat: exp_s - 3600,
        nbf: exp_s - 3600,
        exp: exp_s,
        jti: "bad-input".into(),
        typ: TokenKind::Access,
        tenant: tenant.map(str::to_string),
        store: None,
        scopes: vec![
            "cart".into(),
            "cart:admin".into(),
            "lock".into(),
            "usage".into(),
        ],
    }
}

async fn credentials(
    http: &reqwest::Client,
    base: &str,
    keys: &JwtKeys,
) -> anyhow::Result<Credentials> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let client = client_session(http, base, "buyer@example.com", "demo-password", false).await?;
    let client_2 = client_session(
        http,
        base,
        &format!("bad-input-{}@example.com", std::process::id()),
        "bad-input-password",
        true,
    )
    .await?;
    let shop = shop_token(http, base, &["cart", "cart:admin", "lock", "usage"]).await?;
    let wrong_scope = shop_token(http, base, &["lock"]).await?;
    let other_tenant = keys.sign(&claims("shop", Some("another-tenant"), now + 3600))?;
    let expired = keys.sign(&claims("shop", Some("demo"), now - 7200))?;
    let forged = JwtKeys::new("an-attacker-secret-of-32-bytes!!", false)?.sign(&claims(
        "shop",
        Some("demo"),
        now + 3600,
    ))?;
    let none_header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(r#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
    let none_payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(
        &claims("shop", Some("demo"), now + 3600),
    )?);
    let mut m = BTreeMap::new();
    m.insert("client", client.clone());
    m.insert("client-2", client_2);
    m.insert("shop", shop.clone());
    m.insert("shop-wrong-scope", wrong_scope);
    m.insert("shop-other-tenant", other_tenant);
    m.insert("expired", expired);
    m.insert("forged", forged);
    m.insert("alg-none", format!("{none_header}.{none_payload}."));
    m.insert("purchase", "demo-purchase-token".into());
    m.insert("seller", "demo-seller-key".into());
    m.insert("seller-2", "demo-seller-2-key".into());
    // "wrong-audience" is resolved per path: a shop token on the client API, a client session elsewhere.
    m.insert("wrong-audience-client", shop);
    m.insert("wrong-audience-other", client);
    Ok(Credentials(m))
}

/// True if the answer is an error with a code: GraphQL errors that all carry `extensions.code`, a
/// mutation payload with status 422 and field errors (marketplace), or a cart whose warnings carry
/// error codes (purchase: items that cannot be added are reported so, as by the real service).
fn is_coded_error(body: &Value) -> bool {
    let responses: Vec<&Value> = match body {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    !responses.is_empty()
        && responses.iter().all(|r| {
            let errors = r["errors"].as_array();
            let coded = errors.is_some_and(|e| {
                !e.is_empty() && e.iter().all(|x| x["extensions"]["code"].is_string())
            });
            let payload_422 = r["data"].as_object().is_some_and(|d| {
                d.values().any(|v| {
                    v["status"] == 422 && v["errors"].as_array().is_some_and(|e| !e.is_empty())
                })
            });
            let warned = r["data"].as_object().is_some_and(|d| {
                d.values().any(|v| {
                    v["warnings"].as_array().is_some_and(|w| {
                        !w.is_empty() && w.iter().all(|x| x["errorCode"].is_string())
                    })
                })
            });
            coded || payload_422 || warned
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bad_input_corpus_gets_coded_errors_and_never_a_5xx() -> anyhow::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("bad-input");
    let mut cases: Vec<Value> = Vec::new();
    for api in ["client", "shop", "purchase", "marketplace"] {
        for line in std::fs::read_to_string(dir.join(format!("{api}.jsonl")))?.lines() {
            cases.push(serde_json::from_str(line)?);
        }
    }
    assert!(
        cases.len() >= 200,
        "the corpus holds {} requests",
        cases.len()
    );

    for db in TestDatabase::all().await? {
        let server = start(Config::for_tests(&db.url)).await?;
        let base = server.base_url();
        let http = reqwest::Client::new();
        let creds = credentials(&http, &base, &server.state.keys).await?;
        let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
        let mut failures = Vec::new();
        for case in &cases {
            let name = case["name"].as_str().unwrap_or_default();
            let path = case["path"].as_str().unwrap_or_default();
            let auth = case["auth"].as_str().unwrap_or("none");
            let body = match case["body"].as_str().unwrap_or_default() {
                "$OVERSIZED" => json!({ "query": "{ __typename }", "variables": { "pad": "x".repeat(2 * 1024 * 1024) } }).to_string(),
                other => other.to_string(),
            };
            let mut req = http
                .post(format!("{base}{path}"))
                .header("content-type", "application/json")
                .body(body);
            if let Some(headers) = case["headers"].as_object() {
                for (k, v) in headers {
                    req = req.header(k.as_str(), v.as_str().unwrap_or_default());
                }
            }
            let key = match auth {
                "none" => None,
                "wrong-audience" if path.starts_with("/client") => Some("wrong-audience-client"),
                "wrong-audience" => Some("wrong-audience-other"),
                other => Some(other),
            };
            if let Some(k) = key {
                let token = creds
                    .0
                    .get(k)
                    .ok_or_else(|| anyhow::anyhow!("unknown credential {k}"))?;
                req = req.bearer_auth(token);
            }
            let resp = req.send().await?;
            let status = resp.status().as_u16();
            *by_status.entry(status).or_default() += 1;
            let text = resp.text().await.unwrap_or_default();
            let parsed: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if status >= 500 {
                failures.push(format!(
                    "{path} `{name}`: HTTP {status}: {}",
                    text.chars().take(300).collect::<String>()
                ));
            } else if !is_coded_error(&parsed) {
                failures.push(format!(
                    "{path} `{name}`: not an error with a code (HTTP {status}): {}",
                    text.chars().take(300).collect::<String>()
                ));
            }
        }
        let healthy = http
            .get(format!("{base}/healthz"))
            .send()
            .await?
            .status()
            .is_success();
        println!(
            "bad-input corpus on {}: {} requests, by HTTP status {:?}, {} 5xx, {} without a coded error, healthy afterwards: {healthy}",
            db.label(),
            cases.len(),
            by_status,
            by_status.range(500..).map(|(_, n)| n).sum::<usize>(),
            failures.len()
        );
        server.stop().await?;
        assert!(
            healthy,
            "the server is unhealthy after the corpus on {}",
            db.label()
        );
        assert!(
            failures.is_empty(),
            "{} case(s) failed on {}:\n{}",
            failures.len(),
            db.label(),
            failures.join("\n")
        );
    }
    Ok(())
}
