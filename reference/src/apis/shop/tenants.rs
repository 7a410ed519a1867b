//! Tenants, their access token pairs, and the REST token endpoint
//! `POST /{tenant}/auth/token` that turns a pair into a scoped JWT.
//!
//! Access token secrets are random, high-entropy values (the demo one is the exception), so they
//! are stored as SHA-256(salt ‖ secret) and compared in constant time, as API keys are; a slow
//! password hash would only slow every mint down.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use shopql_server_stubs::ApiError;
use sqlx::AnyConnection;

use super::auth::{AUDIENCE, ISSUER, SCOPES, normalize_tenant};
use crate::auth::{Claims, TokenKind};
use crate::state::AppState;
use crate::store::uuid;

/// The longest token lifetime the endpoint grants: 30 days.
pub(crate) const MAX_EXPIRES_IN: i64 = 30 * 24 * 3600;

/// The lifetime when the body leaves `expiresIn` out: the seed's 5 hours.
pub(crate) const DEFAULT_EXPIRES_IN: i64 = 18_000;

fn secret_digest(salt: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(b"\0");
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Creates a tenant (no-op if it exists).
pub(crate) async fn create_tenant(
    conn: &mut AnyConnection,
    identifier: &str,
    now_ms: i64,
) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO shop_tenants (identifier, created_at) VALUES ($1, $2) ON CONFLICT (identifier) DO NOTHING",
    )
    .bind(identifier)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds (or replaces) an access token pair of `tenant`.
pub(crate) async fn add_access_token(
    conn: &mut AnyConnection,
    tenant: &str,
    id: &str,
    secret: &str,
    now_ms: i64,
) -> Result<(), ApiError> {
    let salt = crate::store::object_id();
    sqlx::query(
        "INSERT INTO shop_access_tokens (id, tenant, secret_salt, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, secret_salt = excluded.secret_salt, secret_hash = excluded.secret_hash",
    )
    .bind(id)
    .bind(tenant)
    .bind(&salt)
    .bind(secret_digest(&salt, secret))
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// True if `id`/`secret` is an access token pair of `tenant`.
async fn verify_pair(
    state: &AppState,
    tenant: &str,
    id: &str,
    secret: &str,
) -> Result<bool, ApiError> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT tenant, secret_salt, secret_hash FROM shop_access_tokens WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&state.store.pool)
    .await?;
    Ok(match row {
        Some((owner, salt, hash)) => {
            let ok = constant_time_eq(secret_digest(&salt, secret).as_bytes(), hash.as_bytes());
            ok && owner == tenant
        }
        None => {
            // Spend the same work as a real check, so unknown ids cannot be told apart by timing.
            let _ = constant_time_eq(secret_digest("", secret).as_bytes(), &[0u8; 64]);
            false
        }
    })
}

/// The JSON body of the token endpoint.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenRequest {
    scopes: Option<Vec<String>>,
    expires_in: Option<serde_json::Value>,
}

fn failure(status: StatusCode, error: impl Into<String>) -> Response {
    (
        status,
        Json(json!({ "success": false, "error": error.into() })),
    )
        .into_response()
}

/// The token endpoint's router (merged at the root by `crate::http`).
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/{tenant}/auth/token", post(mint_token))
}

async fn mint_token(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let tenant = normalize_tenant(&tenant).to_string();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let (Some(id), Some(secret)) = (
        header("x-crystallize-access-token-id"),
        header("x-crystallize-access-token-secret"),
    ) else {
        return failure(
            StatusCode::UNAUTHORIZED,
            "send the headers x-crystallize-access-token-id and x-crystallize-access-token-secret",
        );
    };
    match verify_pair(&state, &tenant, &id, &secret).await {
        Ok(true) => {}
        Ok(false) => {
            return failure(
                StatusCode::UNAUTHORIZED,
                format!("invalid access token id or secret for tenant `{tenant}`"),
            );
        }
        Err(e) => {
            tracing::error!(error = %e, detail = e.detail().unwrap_or(""), "token endpoint");
            return failure(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
        }
    }
    let (scopes, expires_in) = match parse_request(&body) {
        Ok(v) => v,
        Err(message) => return failure(StatusCode::BAD_REQUEST, message),
    };
    let now_s = state.now_ms().div_euclid(1000);
    let claims = Claims {
        iss: ISSUER.to_string(),
        aud: AUDIENCE.to_string(),
        sub: id,
        iat: now_s,
        nbf: now_s,
        exp: now_s + expires_in,
        jti: uuid(),
        typ: TokenKind::Access,
        tenant: Some(tenant),
        store: None,
        scopes,
    };
    match state.keys.sign(&claims) {
        Ok(token) => (
            StatusCode::OK,
            Json(json!({ "success": true, "token": token })),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(detail = e.detail().unwrap_or(""), "token signing");
            failure(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

/// Validates the body: a non-empty list of known scopes and a lifetime in 1..=30 days.
fn parse_request(body: &[u8]) -> Result<(Vec<String>, i64), String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(
            r#"the body must be JSON such as {"scopes":["cart"],"expiresIn":18000}"#.to_string(),
        );
    }
    let request: TokenRequest = serde_json::from_slice(body).map_err(|e| {
        format!(r#"the body must be JSON such as {{"scopes":["cart"],"expiresIn":18000}}: {e}"#)
    })?;
    let requested = request
        .scopes
        .ok_or_else(|| format!("`scopes` is required: a list of {}", SCOPES.join(", ")))?;
    if requested.is_empty() {
        return Err(format!(
            "`scopes` must name at least one of {}",
            SCOPES.join(", ")
        ));
    }
    let mut scopes: Vec<String> = Vec::new();
    for s in requested {
        if !SCOPES.contains(&s.as_str()) {
            return Err(format!(
                "unknown scope `{s}`: the scopes are {}",
                SCOPES.join(", ")
            ));
        }
        if !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    let expires_in = match request.expires_in {
        None | Some(serde_json::Value::Null) => DEFAULT_EXPIRES_IN,
        Some(v) => v
            .as_i64()
            .filter(|n| (1..=MAX_EXPIRES_IN).contains(n))
            .ok_or_else(|| {
                format!("`expiresIn` must be a whole number of seconds from 1 to {MAX_EXPIRES_IN}, not {v}")
            })?,
    };
    Ok((scopes, expires_in))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn token_requests_are_checked() {
        assert_eq!(
            parse_request(br#"{"scopes":["cart","cart:admin","cart"],"expiresIn":18000}"#),
            Ok((vec!["cart".to_string(), "cart:admin".to_string()], 18000))
        );
        assert_eq!(
            parse_request(br#"{"scopes":["lock"]}"#),
            Ok((vec!["lock".to_string()], DEFAULT_EXPIRES_IN))
        );
        assert!(
            parse_request(br#"{"scopes":["orders"]}"#)
                .unwrap_err()
                .contains("unknown scope `orders`")
        );
        assert!(parse_request(br#"{"scopes":[]}"#).is_err());
        assert!(parse_request(br#"{"expiresIn":5}"#).is_err());
        assert!(parse_request(br#"{"scopes":["cart"],"expiresIn":0}"#).is_err());
        assert!(parse_request(br#"{"scopes":["cart"],"expiresIn":1.5}"#).is_err());
        assert!(parse_request(br#"{"scopes":["cart"],"expiresIn":99999999}"#).is_err());
        assert!(parse_request(b"").is_err());
        assert!(parse_request(b"not json").is_err());
    }

    #[test]
    fn secrets_compare_by_digest() {
        let d = secret_digest("salt", "demo-access-secret");
        assert!(constant_time_eq(
            d.as_bytes(),
            secret_digest("salt", "demo-access-secret").as_bytes()
        ));
        assert!(!constant_time_eq(
            d.as_bytes(),
            secret_digest("salt", "demo-access-secreT").as_bytes()
        ));
        assert!(!constant_time_eq(
            d.as_bytes(),
            secret_digest("other", "demo-access-secret").as_bytes()
        ));
    }
}
