//! What the fault tests share: a demo server, credentials for every API, every write operation
//! of `schemas/operations`, and the checks that writes still work and nothing was left half done.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shopql_reference::store::Backend;
use shopql_reference::{Config, RateLimits, RunningServer};

/// One API as the tests call it: its name, path and the headers that authenticate the demo user.
#[derive(Debug, Clone)]
pub struct Api {
    pub name: &'static str,
    pub path: &'static str,
    pub headers: Vec<(String, String)>,
}

/// A GraphQL operation document and its variables.
#[derive(Debug, Clone)]
pub struct Operation {
    pub api: Api,
    pub name: String,
    pub body: Value,
}

/// A demo server without rate limits, background sweeps every 100 ms.
pub fn config(url: &str) -> Config {
    Config {
        rate_limits: RateLimits::off(),
        sweep_interval_ms: 100,
        ..Config::for_tests(url)
    }
}

/// The seven APIs with the demo user's credentials on `base`.
pub async fn apis(base: &str) -> anyhow::Result<Vec<Api>> {
    let http = reqwest::Client::new();
    let origin = (
        "commonground-origin".to_string(),
        "www.my-vinyl-store.com".to_string(),
    );
    let login: Value = http
        .post(format!("{base}/client/graphql"))
        .header(&origin.0, &origin.1)
        .json(&operation_body("client", "login")?)
        .send()
        .await?
        .json()
        .await?;
    let customer = login["data"]["login"]["session"]["jwt"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("demo login failed: {login}"))?
        .to_string();
    let token: Value = http
        .post(format!("{base}/demo/auth/token"))
        .header("x-crystallize-access-token-id", "demo-access-id")
        .header("x-crystallize-access-token-secret", "demo-access-secret")
        .json(&json!({ "scopes": ["cart", "cart:admin", "lock", "usage"], "expiresIn": 18000 }))
        .send()
        .await?
        .json()
        .await?;
    let shop = token["token"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("demo token refused: {token}"))?
        .to_string();
    let bearer = |t: &str| vec![("authorization".to_string(), format!("Bearer {t}"))];
    let mut client = bearer(&customer);
    client.push(origin);
    Ok(vec![
        Api {
            name: "client",
            path: "/client/graphql",
            headers: client,
        },
        Api {
            name: "shop",
            path: "/demo/cart",
            headers: bearer(&shop),
        },
        Api {
            name: "cart-admin",
            path: "/demo/cart/admin",
            headers: bearer(&shop),
        },
        Api {
            name: "lock",
            path: "/demo/lock",
            headers: bearer(&shop),
        },
        Api {
            name: "usage",
            path: "/demo/usage",
            headers: bearer(&shop),
        },
        Api {
            name: "purchase",
            path: "/purchase/graphql",
            headers: bearer("demo-purchase-token"),
        },
        Api {
            name: "marketplace",
            path: "/marketplace/graphql",
            headers: bearer("demo-seller-key"),
        },
    ])
}

fn operations_dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/operations"
    ))
}

/// The request body of `schemas/operations/<api>/<name>.graphql` with its `.json` variables.
pub fn operation_body(api: &str, name: &str) -> anyhow::Result<Value> {
    let dir = operations_dir().join(api);
    let query = std::fs::read_to_string(dir.join(format!("{name}.graphql")))?;
    let variables = match std::fs::read_to_string(dir.join(format!("{name}.json"))) {
        Ok(text) => serde_json::from_str(&text)?,
        Err(_) => json!({}),
    };
    Ok(json!({ "query": query, "variables": variables }))
}

/// Every mutation document of every API (the documents cover every `Mutation` field; the usage
/// API has none).
pub fn write_operations(apis: &[Api]) -> anyhow::Result<Vec<Operation>> {
    let mut out = Vec::new();
    for api in apis {
        let dir = operations_dir().join(api.name);
        let mut names: Vec<String> = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".graphql")
                    .map(str::to_string)
            })
            .collect();
        names.sort();
        for name in names {
            let body = operation_body(api.name, &name)?;
            let is_mutation = body["query"]
                .as_str()
                .unwrap_or("")
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .is_some_and(|l| l.starts_with("mutation"));
            if is_mutation {
                out.push(Operation {
                    api: api.clone(),
                    name,
                    body,
                });
            }
        }
    }
    anyhow::ensure!(out.len() > 50, "only {} write operations found", out.len());
    Ok(out)
}

/// The error codes of a GraphQL answer.
pub fn error_codes(answer: &Value) -> Vec<String> {
    answer["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("NO_CODE")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// POSTs `op` to `base`; the answer as JSON (`Null` when the body is not JSON).
pub async fn send(http: &reqwest::Client, base: &str, op: &Operation) -> anyhow::Result<Value> {
    let mut req = http.post(format!("{base}{}", op.api.path)).json(&op.body);
    for (k, v) in &op.api.headers {
        req = req.header(k, v);
    }
    let resp = req.timeout(Duration::from_secs(10)).send().await?;
    Ok(resp.json().await.unwrap_or(Value::Null))
}

/// Within `budget` each, every API that has write operations commits one (a mutation answers without
/// any error), and no write answers `INTERNAL`. On a wedged writer every write fails with
/// `INTERNAL` (or waits for the pool until it times out), so this fails.
pub async fn every_api_writes(
    base: &str,
    ops: &[Operation],
    budget: Duration,
) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let mut apis: Vec<&str> = ops.iter().map(|o| o.api.name).collect();
    apis.dedup();
    for api in apis {
        // Each API has its own budget: on a loaded machine, one shared budget ran out on the last
        // API because of the time the others took (an argon2 login among them).
        let deadline = Instant::now() + budget;
        let mut last = Vec::new();
        let mut committed = false;
        'retry: loop {
            for op in ops.iter().filter(|o| o.api.name == api) {
                let remaining = deadline.saturating_duration_since(Instant::now());
                let answer = tokio::time::timeout(remaining, send(&http, base, op))
                    .await
                    .map_err(|_| {
                        anyhow::anyhow!(
                            "{api}: no write answered within {budget:?}; last errors {last:?}"
                        )
                    })??;
                let codes = error_codes(&answer);
                anyhow::ensure!(
                    !codes.iter().any(|c| c == "INTERNAL" || c == "UNAVAILABLE"),
                    "{api} {}: {answer}",
                    op.name
                );
                if codes.is_empty() && answer["data"].is_object() {
                    committed = true;
                    break 'retry;
                }
                last = codes;
            }
            if Instant::now() >= deadline {
                break;
            }
        }
        anyhow::ensure!(
            committed,
            "{api}: no write succeeded within {budget:?}; last errors {last:?}"
        );
    }
    Ok(())
}

/// Per client listing: its stock plus the quantity ordered. Taking stock and writing the order
/// line happen in one transaction, so this never changes, whatever is cut short.
pub async fn stock_ledger(server: &RunningServer) -> anyhow::Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as::<_, (String, i64)>(
        "SELECT x.id, CAST(x.stock + COALESCE((SELECT SUM(l.quantity) FROM client_order_lines l \
         WHERE l.listing_id = x.id), 0) AS BIGINT) FROM client_listings x ORDER BY x.id",
    )
    .fetch_all(&server.state.store.pool)
    .await?)
}

/// On PostgreSQL, the connections of this database left inside a transaction; waits up to 2 s
/// for rollbacks that are still on their way.
pub async fn idle_in_transaction(server: &RunningServer) -> anyhow::Result<i64> {
    if server.state.store.backend != Backend::Postgres {
        return Ok(0);
    }
    let mut n = 0;
    for _ in 0..20 {
        n = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND state LIKE 'idle in transaction%'",
        )
        .fetch_one(&server.state.store.pool)
        .await?;
        if n == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(n)
}

/// On SQLite, `PRAGMA integrity_check` and `PRAGMA foreign_key_check`; nothing on PostgreSQL.
pub async fn sqlite_is_intact(server: &RunningServer) -> anyhow::Result<()> {
    if server.state.store.backend != Backend::Sqlite {
        return Ok(());
    }
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&server.state.store.pool)
        .await?;
    anyhow::ensure!(integrity == "ok", "integrity_check: {integrity}");
    let broken = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&server.state.store.pool)
        .await?;
    anyhow::ensure!(
        broken.is_empty(),
        "{} rows break a foreign key",
        broken.len()
    );
    Ok(())
}

/// After a fault: every API writes again within `budget`, the client stock ledger is what it was
/// (`ledger`), no PostgreSQL connection is left inside a transaction, and a SQLite file is sound.
pub async fn still_sound(
    server: &RunningServer,
    ops: &[Operation],
    ledger: &[(String, i64)],
    budget: Duration,
) -> anyhow::Result<()> {
    every_api_writes(&server.base_url(), ops, budget).await?;
    anyhow::ensure!(
        stock_ledger(server).await? == ledger,
        "stock taken without its order line, or the reverse"
    );
    let open = idle_in_transaction(server).await?;
    anyhow::ensure!(open == 0, "{open} connections left inside a transaction");
    sqlite_is_intact(server).await
}

/// The status of `GET /healthz` (0 when there is no answer within 20 s).
pub async fn health(base: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}
