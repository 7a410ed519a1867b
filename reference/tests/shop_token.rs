//! The token endpoint `POST /{tenant}/auth/token`: the access token pair in two headers, a JSON
//! body with scopes and a lifetime; `{"success":true,"token":…}` or a 4xx with
//! `{"success":false,"error":…}`.

#![allow(clippy::unwrap_used)]

mod shop_support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use shop_support::{NOW, envs};
use shopql_reference::auth::TokenKind;

async fn post(
    env: &shop_support::Env,
    tenant: &str,
    id: Option<&str>,
    secret: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = env.http.post(format!("{}/{tenant}/auth/token", env.base()));
    if let Some(id) = id {
        req = req.header("x-crystallize-access-token-id", id);
    }
    if let Some(secret) = secret {
        req = req.header("x-crystallize-access-token-secret", secret);
    }
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

const ID: &str = "demo-access-id";
const SECRET: &str = "demo-access-secret";

#[tokio::test]
async fn a_pair_mints_a_jwt_for_exactly_the_scopes_asked() {
    for env in envs().await {
        let (status, body) = post(
            &env,
            "demo",
            Some(ID),
            Some(SECRET),
            Some(r#"{"scopes":["cart","cart:admin"],"expiresIn":18000}"#),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["success"], true);
        let token = body["token"].as_str().unwrap();
        let claims = env
            .server
            .state
            .keys
            .verify(token, "shop", TokenKind::Access, NOW)
            .unwrap();
        assert_eq!(claims.scopes, vec!["cart", "cart:admin"]);
        assert_eq!(claims.tenant.as_deref(), Some("demo"));
        assert_eq!(claims.sub, ID);
        assert_eq!(claims.exp, NOW / 1000 + 18000);

        // `/@tenant/…` is the same tenant; all four scopes can be asked for at once.
        let (status, body) = post(
            &env,
            "@demo",
            Some(ID),
            Some(SECRET),
            Some(r#"{"scopes":["usage","lock","cart","cart:admin"],"expiresIn":60}"#),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let claims = env
            .server
            .state
            .keys
            .verify(
                body["token"].as_str().unwrap(),
                "shop",
                TokenKind::Access,
                NOW,
            )
            .unwrap();
        assert_eq!(claims.scopes.len(), 4);
        env.stop().await;
    }
}

#[tokio::test]
async fn bad_credentials_and_bodies_get_a_clear_4xx() {
    for env in envs().await {
        shopql_reference::apis::shop::demo::seed_tenant(
            &env.server.state,
            "acme",
            "acme-id",
            "acme-secret",
        )
        .await
        .unwrap();
        let good = Some(r#"{"scopes":["cart"],"expiresIn":3600}"#);
        // (tenant, id, secret, body, status, part of the error)
        type Refusal<'a> = (
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            StatusCode,
            &'a str,
        );
        let refusals: Vec<Refusal> = vec![
            (
                "demo",
                Some(ID),
                Some("wrong"),
                good,
                StatusCode::UNAUTHORIZED,
                "invalid access token",
            ),
            (
                "demo",
                Some("nobody"),
                Some(SECRET),
                good,
                StatusCode::UNAUTHORIZED,
                "invalid access token",
            ),
            (
                "demo",
                None,
                Some(SECRET),
                good,
                StatusCode::UNAUTHORIZED,
                "x-crystallize-access-token-id",
            ),
            (
                "demo",
                Some(ID),
                None,
                good,
                StatusCode::UNAUTHORIZED,
                "x-crystallize-access-token-secret",
            ),
            // Another tenant's valid pair.
            (
                "demo",
                Some("acme-id"),
                Some("acme-secret"),
                good,
                StatusCode::UNAUTHORIZED,
                "invalid access token",
            ),
            (
                "acme",
                Some(ID),
                Some(SECRET),
                good,
                StatusCode::UNAUTHORIZED,
                "invalid access token",
            ),
            (
                "nobody",
                Some(ID),
                Some(SECRET),
                good,
                StatusCode::UNAUTHORIZED,
                "invalid access token",
            ),
            (
                "demo",
                Some(ID),
                Some(SECRET),
                None,
                StatusCode::BAD_REQUEST,
                "must be JSON",
            ),
            (
                "demo",
                Some(ID),
                Some(SECRET),
                Some("not json"),
                StatusCode::BAD_REQUEST,
                "must be JSON",
            ),
            (
                "demo",
                Some(ID),
                Some(SECRET),
                Some(r#"{"expiresIn":60}"#),
                StatusCode::BAD_REQUEST,
                "`scopes` is required",
            ),
            (
                "demo",
                Some(ID),
                Some(SECRET),
                Some(r#"{"scopes":[]}"#),
                StatusCode::BAD_REQUEST,
                "at least one",
            ),
            (
                "demo",
                Some(ID),
                Some(SECRET),
                Some(r#"{"scopes":["cart","orders"]}"#),
                StatusCode::BAD_REQUEST,
                "unknown scope `orders`",
            ),
            (
                "demo",
                Some(ID),
                Some(SECRET),
                Some(r#"{"scopes":["cart"],"expiresIn":0}"#),
                StatusCode::BAD_REQUEST,
                "expiresIn",
            ),
            (
                "demo",
                Some(ID),
                Some(SECRET),
                Some(r#"{"scopes":["cart"],"expiresIn":2592001}"#),
                StatusCode::BAD_REQUEST,
                "expiresIn",
            ),
            (
                "demo",
                Some(ID),
                Some(SECRET),
                Some(r#"{"scopes":["cart"],"expiresIn":"soon"}"#),
                StatusCode::BAD_REQUEST,
                "expiresIn",
            ),
        ];
        for (tenant, id, secret, body, status, message) in refusals {
            let (got, json) = post(&env, tenant, id, secret, body).await;
            assert_eq!(
                got,
                status,
                "{} {tenant} {id:?} {body:?}: {json}",
                env.label()
            );
            assert_eq!(json["success"], false, "{json}");
            assert!(
                json["error"].as_str().unwrap().contains(message),
                "{tenant} {body:?}: {json}"
            );
        }
        // The acme pair works on acme.
        let (status, _) = post(&env, "acme", Some("acme-id"), Some("acme-secret"), good).await;
        assert_eq!(status, StatusCode::OK);
        // Only POST mints.
        let resp = env
            .http
            .get(format!("{}/demo/auth/token", env.base()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
        env.stop().await;
    }
}

#[tokio::test]
async fn minted_tokens_expire_on_the_server_clock() {
    for env in envs().await {
        let (_, body) = post(
            &env,
            "demo",
            Some(ID),
            Some(SECRET),
            Some(r#"{"scopes":["cart"],"expiresIn":60}"#),
        )
        .await;
        let token = body["token"].as_str().unwrap().to_string();
        let query = r#"{ validateVoucher(voucher: "x") { isValid } }"#;
        let (status, _) = env
            .gql("demo", "cart", Some(&token), query, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        // 60 s of life plus the verifier's 60 s leeway.
        env.clock.advance(121_000);
        let (status, body) = env
            .gql("demo", "cart", Some(&token), query, json!({}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        env.stop().await;
    }
}
