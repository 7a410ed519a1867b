//! Scopes and tenants: every GraphQL path of the shop family admits only a token of its own
//! tenant with its own scope (401 without a valid token, 403 for the wrong scope or tenant), and
//! one tenant never sees another's carts, promotions, locks or usage.

#![allow(clippy::unwrap_used)]

mod shop_support;

use reqwest::StatusCode;
use serde_json::json;
use shop_support::{HYDRATE, NOW, envs, mint};
use shopql_reference::apis::shop::demo;
use shopql_reference::auth::{Claims, TokenKind};

/// (path, scope, a query it serves).
const ENDPOINTS: [(&str, &str, &str); 4] = [
    (
        "cart",
        "cart",
        r#"{ validateVoucher(voucher: "x") { isValid } }"#,
    ),
    ("cart/admin", "cart:admin", "{ promotions { identifier } }"),
    ("lock", "lock", r#"{ lock(key: "k") { held } }"#),
    (
        "usage",
        "usage",
        r#"{ usage(from: "2026-11-01", to: "2026-11-02") { tenant } }"#,
    ),
];

const TENANTS: [(&str, &str, &str); 2] = [
    ("demo", demo::DEMO_ACCESS_ID, demo::DEMO_ACCESS_SECRET),
    ("acme", "acme-id", "acme-secret"),
];

#[tokio::test]
async fn every_refused_combination_is_refused() {
    for env in envs().await {
        demo::seed_tenant(&env.server.state, "acme", "acme-id", "acme-secret")
            .await
            .unwrap();
        let mut tokens = Vec::new();
        for (tenant, id, secret) in TENANTS {
            for (_, scope, _) in ENDPOINTS {
                tokens.push((
                    tenant,
                    vec![scope],
                    mint(&env.http, &env.base(), tenant, id, secret, &[scope]).await,
                ));
            }
            let all: Vec<&str> = ENDPOINTS.iter().map(|e| e.1).collect();
            tokens.push((
                tenant,
                all.clone(),
                mint(&env.http, &env.base(), tenant, id, secret, &all).await,
            ));
        }
        let mut checked = 0;
        for (path_tenant, _, _) in TENANTS {
            for (path, scope, query) in ENDPOINTS {
                for (token_tenant, scopes, token) in &tokens {
                    let (status, body) = env
                        .gql(path_tenant, path, Some(token), query, json!({}))
                        .await;
                    let allowed = *token_tenant == path_tenant && scopes.contains(&scope);
                    let expected = if allowed {
                        StatusCode::OK
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(
                        status,
                        expected,
                        "{} /{path_tenant}/{path} with a {token_tenant} token for {scopes:?}: {body}",
                        env.label()
                    );
                    if allowed {
                        assert!(body.get("errors").is_none(), "{body}");
                    } else {
                        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
                    }
                    checked += 1;
                }
                // No token, a malformed one, and tokens the shop family must not accept.
                let (status, _) = env.gql(path_tenant, path, None, query, json!({})).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED);
                let (status, _) = env
                    .gql(path_tenant, path, Some("not.a.jwt"), query, json!({}))
                    .await;
                assert_eq!(status, StatusCode::UNAUTHORIZED);
                for (aud, typ) in [("client", TokenKind::Access), ("shop", TokenKind::Session)] {
                    let forged = env
                        .server
                        .state
                        .keys
                        .sign(&Claims {
                            iss: "shopql-reference".into(),
                            aud: aud.into(),
                            sub: "x".into(),
                            iat: NOW / 1000,
                            nbf: NOW / 1000,
                            exp: NOW / 1000 + 600,
                            jti: "j".into(),
                            typ,
                            tenant: Some(path_tenant.into()),
                            store: None,
                            scopes: vec![scope.into()],
                        })
                        .unwrap();
                    let (status, body) = env
                        .gql(path_tenant, path, Some(&forged), query, json!({}))
                        .await;
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{aud} {typ:?}: {body}");
                }
            }
        }
        assert_eq!(checked, 2 * 4 * 10);
        // A tenant that does not exist is nobody's.
        let (_, _, token) = &tokens[0];
        let (status, _) = env
            .gql("nobody", "cart", Some(token), ENDPOINTS[0].2, json!({}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // `/@demo/…` is `demo`.
        let (status, _) = env
            .gql("@demo", "cart", Some(token), ENDPOINTS[0].2, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        env.stop().await;
    }
}

#[tokio::test]
async fn tenants_never_see_each_other() {
    for env in envs().await {
        demo::seed_tenant(&env.server.state, "acme", "acme-id", "acme-secret")
            .await
            .unwrap();
        let all = ["cart", "cart:admin", "lock", "usage"];
        let demo_token = env.token(&all).await;
        let acme_token = mint(
            &env.http,
            &env.base(),
            "acme",
            "acme-id",
            "acme-secret",
            &all,
        )
        .await;

        let (_, body) = env
            .gql(
                "demo",
                "cart",
                Some(&demo_token),
                HYDRATE,
                json!({ "input": { "items": [{ "sku": "robot-pink-standard" }] } }),
            )
            .await;
        let id = body["data"]["hydrate"]["id"].as_str().unwrap().to_string();

        // Acme cannot read, change, list or remove demo's cart.
        let (_, body) = env
            .gql(
                "acme",
                "cart",
                Some(&acme_token),
                "query($id: UUID!) { cart(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(body["data"]["cart"], serde_json::Value::Null, "{body}");
        let (_, body) = env
            .gql(
                "acme",
                "cart",
                Some(&acme_token),
                "mutation($id: UUID!) { place(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
        let (_, body) = env
            .gql(
                "acme",
                "cart/admin",
                Some(&acme_token),
                "{ carts { totalCount nodes { id } } }",
                json!({}),
            )
            .await;
        assert_eq!(body["data"]["carts"]["totalCount"], 0, "{body}");
        let (_, body) = env
            .gql(
                "acme",
                "cart/admin",
                Some(&acme_token),
                "mutation($ids: [UUID!]!) { removeCarts(ids: $ids) }",
                json!({ "ids": [id] }),
            )
            .await;
        assert_eq!(body["data"]["removeCarts"], 0);
        // Hydrating demo's id on acme makes a separate acme cart; demo's is untouched.
        let (_, body) = env
            .gql(
                "acme",
                "cart",
                Some(&acme_token),
                HYDRATE,
                json!({ "input": { "id": id, "items": [{ "sku": "robot-red-standard" }] } }),
            )
            .await;
        assert_eq!(body["data"]["hydrate"]["id"], id.as_str());
        let (_, body) = env
            .gql(
                "demo",
                "cart",
                Some(&demo_token),
                "query($id: UUID!) { cart(id: $id) { items { variant { sku } } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            body["data"]["cart"]["items"][0]["variant"]["sku"],
            "robot-pink-standard"
        );

        // Promotions are per tenant.
        let (_, body) = env
            .gql("acme", "cart/admin", Some(&acme_token),
                r#"mutation { setPromotions(input: [{ identifier: "acme-only", mechanism: { type: Percentage, value: 50 } }]) { identifier } }"#, json!({}))
            .await;
        assert_eq!(body["data"]["setPromotions"][0]["identifier"], "acme-only");
        let (_, body) = env
            .gql(
                "demo",
                "cart/admin",
                Some(&demo_token),
                "{ promotions { identifier } }",
                json!({}),
            )
            .await;
        assert_eq!(body["data"]["promotions"], json!([]));

        // Locks are per tenant: the same key is free on each.
        let acquire = r#"mutation { acquire(key: "order:42") }"#;
        let (_, a) = env
            .gql("demo", "lock", Some(&demo_token), acquire, json!({}))
            .await;
        let (_, b) = env
            .gql("acme", "lock", Some(&acme_token), acquire, json!({}))
            .await;
        assert_eq!(
            (
                a["data"]["acquire"].as_bool(),
                b["data"]["acquire"].as_bool()
            ),
            (Some(true), Some(true))
        );

        // Usage is per tenant: acme's report counts acme's requests only.
        let (_, body) = env
            .gql("acme", "usage", Some(&acme_token), r#"{ usage(from: "2026-11-18", to: "2026-11-18") { tenant total { requests cartsHydrated } } }"#, json!({}))
            .await;
        assert_eq!(body["data"]["usage"]["tenant"], "acme");
        assert_eq!(body["data"]["usage"]["total"]["cartsHydrated"], 1);
        // acme: cart ×3 (cart, place, hydrate), cart:admin ×3, lock ×1; this request is counted after it runs.
        assert_eq!(body["data"]["usage"]["total"]["requests"], 7, "{body}");
        env.stop().await;
    }
}
