//! Secure defaults and provisioning, on SQLite and PostgreSQL: a server started with a JWT
//! secret and without `--demo` loads no demo data and accepts no demo credential (also on a
//! database an earlier demo run seeded); `shopql-reference admin …` makes credentials that work
//! and stop working once revoked.

#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use shopql_reference::admin::{self, NewClientStore};
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, ManualClock, RunningServer, start, start_with_clock};

const SECRET: &str = "0123456789abcdef0123456789abcdef-provisioning-test";

/// A server outside demo mode, as `--production --jwt-secret …` starts it.
async fn production(url: &str) -> anyhow::Result<RunningServer> {
    production_with_clock(url, ManualClock::new(NOW)).await
}

/// The server's clock starts here (shop tokens are checked against it).
const NOW: i64 = 1_796_000_000_000;

async fn production_with_clock(url: &str, clock: ManualClock) -> anyhow::Result<RunningServer> {
    let mut config = Config::for_tests(url);
    config.demo = false;
    config.production = true;
    config.jwt_secret = Some(SECRET.into());
    // What `--no-seed` left out: outside demo mode the server must not seed anyway.
    config.seed = true;
    start_with_clock(config, Arc::new(clock)).await
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    fn new(server: &RunningServer) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: server.base_url(),
        }
    }

    /// The status of `POST /{tenant}/auth/token` with an access key pair, and the token.
    async fn mint(&self, tenant: &str, id: &str, secret: &str) -> (StatusCode, Option<String>) {
        let resp = self
            .http
            .post(format!("{}/{tenant}/auth/token", self.base))
            .header("x-crystallize-access-token-id", id)
            .header("x-crystallize-access-token-secret", secret)
            .json(&json!({ "scopes": ["cart"] }))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        (status, body["token"].as_str().map(str::to_string))
    }

    async fn gql(&self, path: &str, headers: &[(&str, &str)], query: &str, vars: Value) -> Value {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&json!({ "query": query, "variables": vars }));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.unwrap().json().await.unwrap()
    }

    async fn purchase(&self, token: &str, user: Option<&str>) -> Value {
        self.gql(
            "/purchase/graphql",
            &[("authorization", &format!("Bearer {token}"))],
            "query C($u: String) { cart(storeId: \"Electronics\", userId: $u, currencyCode: \"USD\") { id isAnonymous } }",
            json!({ "u": user }),
        )
        .await
    }

    async fn marketplace(&self, key: &str) -> Value {
        self.gql(
            "/marketplace/graphql",
            &[("authorization", &format!("Bearer {key}"))],
            "{ invoices(first: 1) { totalCount } }",
            json!({}),
        )
        .await
    }

    async fn client_login(&self, origin: &str) -> Value {
        self.gql(
            "/client/graphql",
            &[("commonground-origin", origin)],
            "mutation L($e: String!, $p: String!) { login(email: $e, password: $p) { session { jwt } } }",
            json!({ "e": "YnV5ZXJAZXhhbXBsZS5jb20=", "p": "ZGVtby1wYXNzd29yZA==" }),
        )
        .await
    }
}

fn error_code(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Every demo credential is refused.
async fn no_demo_credential_works(c: &Client, label: &str) {
    let (status, token) = c.mint("demo", "demo-access-id", "demo-access-secret").await;
    assert!(token.is_none(), "{label}: demo shop pair minted a token");
    assert!(status.is_client_error(), "{label}: {status}");
    for t in ["demo-purchase-token", "demo-purchase-token-2"] {
        let body = c.purchase(t, None).await;
        assert_eq!(error_code(&body), "Unauthorized", "{label}: {t}: {body}");
    }
    for k in ["demo-seller-key", "demo-seller-2-key"] {
        let body = c.marketplace(k).await;
        assert!(
            body.get("data").is_none_or(Value::is_null),
            "{label}: {k}: {body}"
        );
        assert!(!error_code(&body).is_empty(), "{label}: {k}: {body}");
    }
    for origin in ["www.my-vinyl-store.com", "www.my-book-store.com"] {
        let body = c.client_login(origin).await;
        assert!(
            body["data"]["login"]["session"]["jwt"].is_null(),
            "{label}: {origin}: {body}"
        );
        assert!(!error_code(&body).is_empty(), "{label}: {body}");
    }
}

#[tokio::test]
async fn a_production_start_loads_no_demo_data_and_accepts_no_demo_credential() -> anyhow::Result<()>
{
    for db in TestDatabase::all().await? {
        let label = db.label();
        let server = production(&db.url).await?;
        for seeded in ["seed:purchase", "seed:marketplace"] {
            assert_eq!(
                server.state.store.meta(seeded).await?,
                None,
                "{label}: {seeded}"
            );
        }
        no_demo_credential_works(&Client::new(&server), label).await;
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_production_start_on_a_demo_database_revokes_the_demo_credentials() -> anyhow::Result<()>
{
    for db in TestDatabase::all().await? {
        let label = db.label();
        // An earlier demo run seeded the database, and its credentials worked.
        let demo = start(Config::for_tests(&db.url)).await?;
        let c = Client::new(&demo);
        assert!(
            c.mint("demo", "demo-access-id", "demo-access-secret")
                .await
                .1
                .is_some()
        );
        assert!(
            c.purchase("demo-purchase-token", None)
                .await
                .get("errors")
                .is_none()
        );
        demo.stop().await?;

        let server = production(&db.url).await?;
        no_demo_credential_works(&Client::new(&server), label).await;
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn credentials_made_by_the_admin_functions_work_until_revoked() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let clock = ManualClock::new(NOW);
        let server = production_with_clock(&db.url, clock.clone()).await?;
        let store = &server.state.store;
        let c = Client::new(&server);

        // A tenant and its access key pair mint tokens, until the tenant is revoked.
        let key = admin::create_tenant(store, "acme").await?;
        assert_eq!(key.secret.len(), 64, "256 bits, hex");
        let (status, token) = c.mint("acme", &key.id, &key.secret).await;
        assert_eq!(status, StatusCode::OK, "{label}");
        let token = token.unwrap();
        let body = c
            .gql(
                "/acme/cart",
                &[("authorization", &format!("Bearer {token}"))],
                "{ validateVoucher(voucher: \"none\") { isValid } }",
                json!({}),
            )
            .await;
        assert!(body.get("errors").is_none(), "{label}: {body}");
        let (status, _) = c.mint("acme", &key.id, "wrong-secret").await;
        assert!(status.is_client_error());
        assert_eq!(admin::revoke_tenant(store, "acme").await?, 1);
        let (status, minted) = c.mint("acme", &key.id, &key.secret).await;
        assert!(
            status.is_client_error() && minted.is_none(),
            "{label}: {status}"
        );
        // A token minted before stops working once the server rechecks its key pair.
        clock.advance(shopql_reference::apis::shop::auth::LIVE_KEY_TTL_MS + 1);
        let resp = c
            .http
            .post(format!("{}/acme/cart", c.base))
            .bearer_auth(&token)
            .json(&json!({ "query": "{ validateVoucher(voucher: \"none\") { isValid } }" }))
            .send()
            .await?;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{label}");
        // Only the hash is stored.
        let stored: Vec<String> = sqlx::query_scalar("SELECT secret_hash FROM shop_access_tokens")
            .fetch_all(&store.pool)
            .await?;
        assert!(stored.iter().all(|h| !h.contains(&key.secret)));

        // A seller API key works on the marketplace until revoked.
        let seller = admin::create_seller(store, "Acme Tools Ltd").await?;
        let body = c.marketplace(&seller.api_key).await;
        assert_eq!(body["data"]["invoices"]["totalCount"], 0, "{label}: {body}");
        assert!(admin::revoke_seller(store, seller.seller_id).await?);
        let body = c.marketplace(&seller.api_key).await;
        assert!(!error_code(&body).is_empty(), "{label}: {body}");

        // A purchase token binds its user (whose earlier anonymous cart becomes theirs).
        let user = "5e1f0000-0000-4000-8000-00000000abcd";
        let anonymous = c
            .gql(
                "/purchase/graphql",
                &[],
                "mutation A($c: InputAddItemType!) { addItem(command: $c) { id isAnonymous } }",
                json!({"c": {"storeId": "Electronics", "userId": user,
                    "productId": "anything", "quantity": 1}}),
            )
            .await;
        // No purchase catalogue outside demo mode: the store is unknown, nothing is created.
        assert_eq!(
            error_code(&anonymous),
            "BAD_USER_INPUT",
            "{label}: {anonymous}"
        );
        let token = admin::create_purchase_token(store, user).await?;
        let body = c.purchase(&token, None).await;
        // The user is bound (the store is unknown here, but the token was accepted).
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{label}: {body}");
        let body = c.purchase(&token, Some("someone-else")).await;
        assert_eq!(error_code(&body), "Forbidden", "{label}: {body}");
        let body = c.purchase("pt_guessed", None).await;
        assert_eq!(error_code(&body), "Unauthorized", "{label}: {body}");
        assert_eq!(
            admin::revoke_purchase_tokens(store, Some(&token), None).await?,
            1
        );
        let body = c.purchase(&token, None).await;
        assert_eq!(error_code(&body), "Unauthorized", "{label}: {body}");

        // A client store answers at its origin until revoked (a new server: stores are cached).
        let origin = "shop.acme.example";
        admin::create_client_store(
            store,
            &NewClientStore {
                origin: format!("https://{origin}/"),
                name: "Acme".into(),
                currency: "usd".into(),
                country: "us".into(),
                tax_rate_bp: 2000,
                free_shipping_threshold: None,
            },
        )
        .await?;
        let body = c.client_login(origin).await;
        // The store exists (no such customer yet), unlike an unknown origin.
        let known = error_code(&body);
        let unknown = error_code(&c.client_login("nowhere.example").await);
        assert_ne!(known, unknown, "{label}: {body}");
        assert!(admin::revoke_client_store(store, origin).await?);
        server.stop().await?;
        let server = production(&db.url).await?;
        let c = Client::new(&server);
        assert_eq!(
            error_code(&c.client_login(origin).await),
            unknown,
            "{label}"
        );
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn the_admin_command_prints_a_working_purchase_token_once() -> anyhow::Result<()> {
    let db = TestDatabase::sqlite();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_shopql-reference"))
            .args(["admin", "--database-url", &db.url])
            .args(args)
            .output()
    };
    let out = run(&["purchase-token", "create", "--user-id", "cli-user"])?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)?;
    let token = text
        .lines()
        .find_map(|l| l.strip_prefix("purchase token: "))
        .unwrap()
        .to_string();
    assert!(token.starts_with("pt_") && token.len() == 67, "{token}");

    let server = production(&db.url).await?;
    let c = Client::new(&server);
    let body = c.purchase(&token, Some("someone-else")).await;
    assert_eq!(
        error_code(&body),
        "Forbidden",
        "the token binds cli-user: {body}"
    );
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM purchase_api_tokens")
        .fetch_all(&server.state.store.pool)
        .await?;
    assert_eq!(stored, vec![shopql_reference::auth::sha256_hex(&token)]);

    let out = run(&["purchase-token", "revoke", "--user-id", "cli-user"])?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body = c.purchase(&token, Some("cli-user")).await;
    assert_eq!(error_code(&body), "Unauthorized", "{body}");
    // Revoking again is an error with a message, not a silent success.
    let out = run(&["purchase-token", "revoke", "--user-id", "cli-user"])?;
    assert!(!out.status.success());
    server.stop().await?;
    Ok(())
}
