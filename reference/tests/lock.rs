//! The lock store: acquire with a TTL (default 60 s) and release, held per bearer token, stored
//! in the database so that every node agrees; expired locks are free; of concurrent acquirers
//! exactly one wins, on one node or two.

#![allow(clippy::unwrap_used)]

mod shop_support;

use std::sync::Arc;

use serde_json::{Value, json};
use shop_support::{Env, envs, gql, start_node};
use shopql_reference::store::TestDatabase;

const ACQUIRE: &str = "mutation($key: String!, $ttl: Int) { acquire(key: $key, ttl: $ttl) }";
const RELEASE: &str = "mutation($key: String!) { release(key: $key) }";
const STATUS: &str =
    "query($key: String!) { lock(key: $key) { key held heldByCaller acquiredAt expiresAt } }";

async fn acquire(env: &Env, token: &str, key: &str, ttl: Option<i32>) -> bool {
    env.ok("lock", token, ACQUIRE, json!({ "key": key, "ttl": ttl }))
        .await["acquire"]
        .as_bool()
        .unwrap()
}

async fn release(env: &Env, token: &str, key: &str) -> bool {
    env.ok("lock", token, RELEASE, json!({ "key": key })).await["release"]
        .as_bool()
        .unwrap()
}

async fn status(env: &Env, token: &str, key: &str) -> Value {
    env.ok("lock", token, STATUS, json!({ "key": key })).await["lock"].clone()
}

#[tokio::test]
async fn a_held_key_is_refused_at_once_and_only_its_holder_releases_it() {
    for env in envs().await {
        let a = env.token(&["lock"]).await;
        let b = env.token(&["lock"]).await;
        assert_ne!(a, b, "two tokens, two holders");
        assert!(acquire(&env, &a, "order:42", Some(30)).await);
        assert!(
            !acquire(&env, &a, "order:42", Some(30)).await,
            "not re-entrant"
        );
        assert!(!acquire(&env, &b, "order:42", None).await);
        let s = status(&env, &a, "order:42").await;
        assert_eq!(
            s,
            json!({ "key": "order:42", "held": true, "heldByCaller": true,
                    "acquiredAt": "2026-11-18T00:00:00.000Z", "expiresAt": "2026-11-18T00:00:30.000Z" })
        );
        assert_eq!(status(&env, &b, "order:42").await["heldByCaller"], false);
        assert!(
            !release(&env, &b, "order:42").await,
            "a non-holder cannot release"
        );
        assert_eq!(status(&env, &b, "order:42").await["held"], true);
        assert!(release(&env, &a, "order:42").await);
        assert!(!release(&env, &a, "order:42").await);
        assert_eq!(
            status(&env, &a, "order:42").await,
            json!({ "key": "order:42", "held": false, "heldByCaller": false, "acquiredAt": null, "expiresAt": null })
        );
        assert!(acquire(&env, &b, "order:42", None).await);
        // Keys are case-sensitive.
        assert!(acquire(&env, &a, "ORDER:42", None).await);

        let long = "k".repeat(257);
        for (key, ttl) in [
            ("", None),
            (long.as_str(), None),
            ("k", Some(0)),
            ("k", Some(86_401)),
            ("k", Some(-5)),
        ] {
            assert_eq!(
                env.err("lock", &a, ACQUIRE, json!({ "key": key, "ttl": ttl }))
                    .await,
                "BAD_USER_INPUT"
            );
        }
        assert!(acquire(&env, &a, &"k".repeat(256), Some(86_400)).await);
        assert_eq!(
            env.err("lock", &a, RELEASE, json!({ "key": "" })).await,
            "BAD_USER_INPUT"
        );
        assert_eq!(
            env.err("lock", &a, STATUS, json!({ "key": long })).await,
            "BAD_USER_INPUT"
        );
        env.stop().await;
    }
}

#[tokio::test]
async fn locks_expire_after_their_ttl() {
    for env in envs().await {
        let a = env.token(&["lock"]).await;
        let b = env.token(&["lock"]).await;
        assert!(acquire(&env, &a, "job", Some(30)).await);
        env.clock.advance(29_999);
        assert!(!acquire(&env, &b, "job", Some(30)).await);
        env.clock.advance(1);
        assert_eq!(status(&env, &a, "job").await["held"], false);
        assert!(
            acquire(&env, &b, "job", Some(30)).await,
            "an expired lock is free"
        );
        assert!(
            !release(&env, &a, "job").await,
            "the expired holder has nothing to release"
        );
        assert_eq!(status(&env, &b, "job").await["heldByCaller"], true);

        // The default TTL is 60 seconds.
        assert!(acquire(&env, &a, "default", None).await);
        env.clock.advance(59_999);
        assert!(!acquire(&env, &b, "default", None).await);
        env.clock.advance(1);
        assert!(acquire(&env, &b, "default", None).await);

        // The sweep removes expired rows; held ones stay.
        env.clock.advance(60_000);
        let swept = shopql_reference::apis::lock::sweep_expired(
            &env.server.state.store,
            env.server.state.now_ms(),
        )
        .await
        .unwrap();
        assert_eq!(swept, 2);
        env.stop().await;
    }
}

/// 50 concurrent acquires of one key, spread over `nodes`, with 50 different tokens.
async fn race(env: &Env, nodes: &[String], key: &str) -> usize {
    let mut tokens = Vec::new();
    for _ in 0..50 {
        tokens.push(env.token(&["lock"]).await);
    }
    let http = reqwest::Client::new();
    let tasks: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(i, token)| {
            let url = format!("{}/demo/lock", nodes[i % nodes.len()]);
            let http = http.clone();
            let key = key.to_string();
            tokio::spawn(async move {
                let (status, body) =
                    gql(&http, &url, Some(&token), ACQUIRE, json!({ "key": key })).await;
                assert_eq!(status, 200, "{body}");
                body["data"]["acquire"]
                    .as_bool()
                    .unwrap_or_else(|| panic!("{body}"))
            })
        })
        .collect();
    let mut winners = 0;
    for t in tasks {
        if t.await.unwrap() {
            winners += 1;
        }
    }
    winners
}

#[tokio::test]
async fn of_fifty_concurrent_acquires_exactly_one_wins() {
    for env in envs().await {
        let nodes = vec![env.base()];
        assert_eq!(race(&env, &nodes, "hot").await, 1, "{}", env.label());
        // Again once the lock has expired: exactly one new winner.
        env.clock.advance(60_000);
        assert_eq!(race(&env, &nodes, "hot").await, 1, "{}", env.label());
        env.stop().await;
    }
}

#[tokio::test]
async fn two_nodes_on_one_database_agree() {
    // Two servers on one database are two nodes (two pools): on PostgreSQL as in production,
    // and on SQLite (one file, two pools) as well.
    let mut dbs = vec![TestDatabase::sqlite()];
    if let Some(pg) = TestDatabase::postgres().await.unwrap() {
        dbs.push(pg);
    }
    for db in dbs {
        let env = shop_support::env_on(db).await;
        let second = start_node(&env.db, &env.clock).await;
        let nodes = vec![env.base(), second.base_url()];
        assert_eq!(race(&env, &nodes, "shared").await, 1, "{}", env.label());

        // A lock taken on one node is seen, and released, through the other.
        let a = env.token(&["lock"]).await;
        let env = Arc::new(env);
        assert!(acquire(&env, &a, "cross", None).await);
        let on_second = |q: &'static str| {
            let http = env.http.clone();
            let url = format!("{}/demo/lock", second.base_url());
            let a = a.clone();
            async move {
                gql(&http, &url, Some(&a), q, json!({ "key": "cross" }))
                    .await
                    .1
            }
        };
        assert_eq!(
            on_second(STATUS).await["data"]["lock"]["heldByCaller"],
            true
        );
        assert_eq!(on_second(RELEASE).await["data"]["release"], true);
        assert_eq!(status(&env, &a, "cross").await["held"], false);
        second.stop().await.unwrap();
        Arc::into_inner(env).unwrap().stop().await;
    }
}
