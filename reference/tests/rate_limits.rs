//! Abuse resistance (issue 11, item 2) through HTTP: wrong logins are budgeted per account and
//! per address, coupon and voucher checks per principal and per address, counting every alias
//! and every operation of a batch; the token bucket per principal charges mutations more than
//! queries, answers `RATE_LIMITED` (HTTP 429 with `Retry-After` when nothing of the request
//! ran) and refills with the server's clock. Each test fails if its limit is removed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use base64::Engine;
use serde_json::{Value, json};
use shopql_reference::config::{RateLimits, TokenBucketConfig};
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, ManualClock, RunningServer, start_with_clock};

const NOW: i64 = 1_700_000_000_000;
const VINYL: &str = "www.my-vinyl-store.com";
const BUYER: &str = "buyer@example.com";
const PASSWORD: &str = "demo-password";
const PURCHASE_USER: &str = "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a";

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

async fn server(db: &TestDatabase, clock: &ManualClock, limits: RateLimits) -> RunningServer {
    let config = Config {
        rate_limits: limits,
        ..Config::for_tests(&db.url)
    };
    start_with_clock(config, Arc::new(clock.clone()))
        .await
        .expect("the server starts")
}

/// An HTTP answer: status, `Retry-After` (seconds) and body.
struct Answer {
    status: u16,
    retry_after: Option<u64>,
    body: Value,
}

async fn post(server: &RunningServer, path: &str, headers: &[(&str, &str)], body: Value) -> Answer {
    let mut req = reqwest::Client::new()
        .post(format!("{}{path}", server.base_url()))
        .json(&body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("the server answers");
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body = resp.json().await.expect("a JSON answer");
    Answer {
        status,
        retry_after,
        body,
    }
}

/// The `extensions.code` of every error of a body (of every response of a batch).
fn codes(body: &Value) -> Vec<String> {
    let responses = match body {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    responses
        .iter()
        .flat_map(|r| r["errors"].as_array().cloned().unwrap_or_default())
        .map(|e| {
            e["extensions"]["code"]
                .as_str()
                .unwrap_or("NONE")
                .to_string()
        })
        .collect()
}

fn count(codes: &[String], code: &str) -> usize {
    codes.iter().filter(|c| *c == code).count()
}

fn login_fields(email: &str, passwords: &[&str]) -> String {
    passwords
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "a{i}: login(email: \"{}\", password: \"{}\") {{ sessionsCount }}",
                b64(email),
                b64(p)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn the_sixth_wrong_login_is_refused_even_as_aliases_of_one_document() {
    for db in TestDatabase::all().await.unwrap() {
        let clock = ManualClock::new(NOW);
        let server = server(&db, &clock, RateLimits::default()).await;
        let origin = [("commonground-origin", VINYL)];
        // Six wrong passwords as six aliases of one mutation: five are checked, the sixth is
        // refused before any password check.
        let query = format!(
            "mutation {{ {} }}",
            login_fields(BUYER, &["w1", "w2", "w3", "w4", "w5", "w6"])
        );
        let a = post(
            &server,
            "/client/graphql",
            &origin,
            json!({ "query": query }),
        )
        .await;
        let c = codes(&a.body);
        assert_eq!(
            count(&c, "UNAUTHENTICATED"),
            5,
            "{}: {:#}",
            db.label(),
            a.body
        );
        assert_eq!(count(&c, "RATE_LIMITED"), 1, "{}: {:#}", db.label(), a.body);
        let limited = a.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["extensions"]["code"] == "RATE_LIMITED")
            .unwrap();
        assert_eq!(limited["path"], json!(["a5"]), "the sixth alias: {limited}");
        let wait = limited["extensions"]["retryAfter"].as_u64().unwrap();
        assert!(wait > 0 && wait <= 15 * 60, "{limited}");
        assert_eq!(a.retry_after, Some(wait), "the header repeats it");

        // The right password is refused too until the window moves on: the budget protects the
        // account, not a guess.
        let right = format!("mutation {{ {} }}", login_fields(BUYER, &[PASSWORD]));
        let a = post(
            &server,
            "/client/graphql",
            &origin,
            json!({ "query": &right }),
        )
        .await;
        assert_eq!(codes(&a.body), vec!["RATE_LIMITED"], "{:#}", a.body);
        // Another account is not affected.
        let other = format!(
            "mutation {{ {} }}",
            login_fields("nobody@example.com", &["x"])
        );
        let a = post(
            &server,
            "/client/graphql",
            &origin,
            json!({ "query": other }),
        )
        .await;
        assert_eq!(codes(&a.body), vec!["UNAUTHENTICATED"], "{:#}", a.body);

        clock.advance(15 * 60 * 1000);
        let a = post(
            &server,
            "/client/graphql",
            &origin,
            json!({ "query": &right }),
        )
        .await;
        assert!(a.body.get("errors").is_none(), "{:#}", a.body);
        assert!(a.body["data"]["a0"]["sessionsCount"].as_i64().unwrap() >= 1);
        // A success is not a failure: five more wrong passwords are checked again.
        let query = format!(
            "mutation {{ {} }}",
            login_fields(BUYER, &["v1", "v2", "v3", "v4", "v5"])
        );
        let a = post(
            &server,
            "/client/graphql",
            &origin,
            json!({ "query": query }),
        )
        .await;
        assert_eq!(count(&codes(&a.body), "UNAUTHENTICATED"), 5, "{:#}", a.body);
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn wrong_logins_are_counted_per_address_across_accounts_and_batches() {
    let db = TestDatabase::sqlite();
    let clock = ManualClock::new(NOW);
    let limits = RateLimits {
        login_failures_per_ip: 8,
        ..RateLimits::default()
    };
    let server = server(&db, &clock, limits).await;
    let origin = [("commonground-origin", VINYL)];
    // A batch of operations, each trying another account: every operation counts.
    let batch: Vec<Value> = (0..10)
        .map(|i| {
            let q = format!(
                "mutation {{ {} }}",
                login_fields(&format!("guess{i}@example.com"), &["x"])
            );
            json!({ "query": q })
        })
        .collect();
    let a = post(&server, "/client/graphql", &origin, Value::Array(batch)).await;
    assert_eq!(a.status, 200);
    let c = codes(&a.body);
    assert_eq!(count(&c, "UNAUTHENTICATED"), 8, "{:#}", a.body);
    assert_eq!(count(&c, "RATE_LIMITED"), 2, "{:#}", a.body);
    assert!(a.retry_after.is_some_and(|s| s > 0));
    server.stop().await.unwrap();
}

fn validate_coupons(user: &str, n: usize, from: usize) -> String {
    let fields: Vec<String> = (from..from + n)
        .map(|i| {
            format!(
                "g{i}: validateCoupon(command: {{storeId: \"Electronics\", userId: \"{user}\", coupon: \"GUESS{i}\"}})"
            )
        })
        .collect();
    format!("mutation {{ {} }}", fields.join(" "))
}

#[tokio::test]
async fn a_coupon_flood_in_a_batch_is_rate_limited_per_cart_and_per_address() {
    for db in TestDatabase::all().await.unwrap() {
        let clock = ManualClock::new(NOW);
        let server = server(&db, &clock, RateLimits::default()).await;
        // Ten operations of three aliased guesses each: 30 checks of one cart, 20 allowed.
        let batch: Vec<Value> = (0..10)
            .map(|i| json!({ "query": validate_coupons(PURCHASE_USER, 3, i * 3) }))
            .collect();
        let a = post(&server, "/purchase/graphql", &[], Value::Array(batch)).await;
        assert_eq!(a.status, 200, "{:#}", a.body);
        let c = codes(&a.body);
        assert_eq!(
            count(&c, "RATE_LIMITED"),
            10,
            "{}: {:#}",
            db.label(),
            a.body
        );
        let answered: usize = a
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["data"]
                    .as_object()
                    .map_or(0, |d| d.values().filter(|v| v.is_boolean()).count())
            })
            .sum();
        assert_eq!(answered, 20, "20 guesses were answered: {:#}", a.body);
        assert!(a.retry_after.is_some_and(|s| (1..=60).contains(&s)));

        // The address has its own budget (60 a minute): other carts, claimed at will by an
        // anonymous caller, do not escape it.
        let mut limited = 0;
        for k in 0..3 {
            let user = format!("00000000-0000-4000-8000-00000000000{k}");
            let batch: Vec<Value> = (0..5)
                .map(|i| json!({ "query": validate_coupons(&user, 4, i * 4) }))
                .collect();
            let a = post(&server, "/purchase/graphql", &[], Value::Array(batch)).await;
            limited += count(&codes(&a.body), "RATE_LIMITED");
        }
        // 20 + 3 × 20 = 80 checks from one address: 20 over its budget of 60.
        assert_eq!(limited, 20, "{}", db.label());

        // The next minute has new budgets.
        clock.advance(60_000);
        let a = post(
            &server,
            "/purchase/graphql",
            &[],
            json!({ "query": validate_coupons(PURCHASE_USER, 1, 0) }),
        )
        .await;
        assert!(a.body.get("errors").is_none(), "{:#}", a.body);
        server.stop().await.unwrap();
    }
}

async fn shop_token(server: &RunningServer) -> String {
    let a = post(
        server,
        "/demo/auth/token",
        &[
            ("x-crystallize-access-token-id", "demo-access-id"),
            ("x-crystallize-access-token-secret", "demo-access-secret"),
        ],
        json!({ "scopes": ["cart"], "expiresIn": 3600 }),
    )
    .await;
    a.body["token"].as_str().expect("a token").to_string()
}

#[tokio::test]
async fn voucher_validation_is_rate_limited_per_access_token() {
    let db = TestDatabase::sqlite();
    let clock = ManualClock::new(NOW);
    let server = server(&db, &clock, RateLimits::default()).await;
    let token = shop_token(&server).await;
    let auth = format!("Bearer {token}");
    let fields: Vec<String> = (0..25)
        .map(|i| format!("v{i}: validateVoucher(voucher: \"CODE{i}\") {{ isValid }}"))
        .collect();
    let query = format!("{{ {} }}", fields.join(" "));
    let a = post(
        &server,
        "/demo/cart",
        &[("authorization", &auth)],
        json!({ "query": query }),
    )
    .await;
    let c = codes(&a.body);
    assert_eq!(count(&c, "RATE_LIMITED"), 5, "{:#}", a.body);
    assert_eq!(c.len(), 5, "the other 20 were answered: {:#}", a.body);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_token_bucket_charges_mutations_more_and_refills_with_the_clock() {
    let db = TestDatabase::sqlite();
    let clock = ManualClock::new(NOW);
    let limits = RateLimits {
        bucket: TokenBucketConfig {
            capacity: 20,
            refill_per_second: 2,
            query_cost: 1,
            mutation_cost: 10,
        },
        ..RateLimits::default()
    };
    let server = server(&db, &clock, limits).await;
    let seller = [("authorization", "Bearer demo-seller-key")];
    let query = json!({ "query": "{ brands(first: 1) { totalCount } }" });
    let mutation = json!({
        "query": "mutation { advertDelete(input: {id: \"QWR2ZXJ0LTE=\"}) { status } }"
    });

    // 20 tokens: two mutations empty the bucket; a query is then refused, whole request, 429.
    for _ in 0..2 {
        let a = post(&server, "/marketplace/graphql", &seller, mutation.clone()).await;
        assert_eq!(a.status, 200, "{:#}", a.body);
        assert!(
            !codes(&a.body).contains(&"RATE_LIMITED".to_string()),
            "{:#}",
            a.body
        );
    }
    let a = post(&server, "/marketplace/graphql", &seller, query.clone()).await;
    assert_eq!(a.status, 429, "{:#}", a.body);
    assert_eq!(codes(&a.body), vec!["RATE_LIMITED"]);
    // One token comes in half a second: the header rounds up to 1 s.
    assert_eq!(a.retry_after, Some(1));
    assert_eq!(a.body["errors"][0]["extensions"]["retryAfter"], 1);

    // Another seller has a bucket of its own.
    let other = [("authorization", "Bearer demo-seller-2-key")];
    let a = post(&server, "/marketplace/graphql", &other, query.clone()).await;
    assert_eq!(a.status, 200, "{:#}", a.body);

    // Five seconds refill 10 tokens: ten queries, or one mutation.
    clock.advance(5_000);
    for _ in 0..10 {
        let a = post(&server, "/marketplace/graphql", &seller, query.clone()).await;
        assert_eq!(a.status, 200, "{:#}", a.body);
    }
    let a = post(&server, "/marketplace/graphql", &seller, mutation.clone()).await;
    assert_eq!(a.status, 429, "the queries spent the refill: {:#}", a.body);
    // A mutation needs 10 tokens: 5 s at 2 per second.
    assert_eq!(a.retry_after, Some(5));
    clock.advance(5_000);
    let a = post(&server, "/marketplace/graphql", &seller, mutation.clone()).await;
    assert_eq!(a.status, 200, "{:#}", a.body);

    // Aliases count: one query of 3 root fields takes 3 tokens; in a batch, the operations the
    // bucket can pay run and the others are refused one by one.
    clock.advance(1_500);
    let three = json!({ "query": "{ a: brands(first: 1) { totalCount } b: brands(first: 1) { totalCount } c: brands(first: 1) { totalCount } }" });
    let batch = json!([three.clone(), three.clone()]);
    let a = post(&server, "/marketplace/graphql", &seller, batch).await;
    assert_eq!(a.status, 200, "one operation ran: {:#}", a.body);
    assert!(a.body[0].get("errors").is_none(), "{:#}", a.body);
    assert_eq!(codes(&a.body[1]), vec!["RATE_LIMITED"], "{:#}", a.body);
    assert!(a.retry_after.is_some());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn anonymous_callers_share_the_bucket_of_their_address() {
    let db = TestDatabase::sqlite();
    let clock = ManualClock::new(NOW);
    let limits = RateLimits {
        bucket: TokenBucketConfig {
            capacity: 5,
            refill_per_second: 1,
            query_cost: 1,
            mutation_cost: 5,
        },
        ..RateLimits::default()
    };
    let server = server(&db, &clock, limits).await;
    let origin = [("commonground-origin", VINYL)];
    let me = json!({ "query": "{ me { email } }" });
    for _ in 0..5 {
        let a = post(&server, "/client/graphql", &origin, me.clone()).await;
        assert_eq!(a.status, 200, "{:#}", a.body);
    }
    // The purchase API is another API, but the same address: one budget for the server.
    let a = post(
        &server,
        "/purchase/graphql",
        &[],
        json!({ "query": format!("{{ cart(storeId: \"Electronics\", userId: \"{PURCHASE_USER}\") {{ id }} }}") }),
    )
    .await;
    assert_eq!(a.status, 429, "{:#}", a.body);
    assert_eq!(a.retry_after, Some(1));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_limits_can_be_turned_off() {
    let db = TestDatabase::sqlite();
    let clock = ManualClock::new(NOW);
    let server = server(&db, &clock, RateLimits::off()).await;
    let a = post(
        &server,
        "/purchase/graphql",
        &[],
        json!({ "query": validate_coupons(PURCHASE_USER, 25, 0) }),
    )
    .await;
    assert!(a.body.get("errors").is_none(), "{:#}", a.body);
    server.stop().await.unwrap();
}
