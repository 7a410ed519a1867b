//! Credentials helpers for the seven APIs.
//!
//! | API | how to authenticate |
//! |---|---|
//! | client | [`CLIENT_ORIGIN_HEADER`] names the store on every request; `login`/`register` take the email and password [`base64()`]-encoded and return a session JWT, sent as a bearer token afterwards |
//! | shop, cart-admin, lock, usage | [`shop_token`] trades an access token id and secret for a JWT with scopes (`cart`, `cart:admin`, `lock`, `usage`), sent as a bearer token |
//! | purchase | anonymous by user id; a bearer token binds the user |
//! | marketplace | the seller's API key as a bearer token |
//!
//! ```no_run
//! use shopql_sdk::{GraphqlClient, auth};
//!
//! # async fn demo() -> shopql_sdk::Result<()> {
//! let base = "http://127.0.0.1:4000";
//! let token = auth::shop_token(base, "demo", "demo-access-id", "demo-access-secret", &["cart"], 3600).await?;
//! let cart = GraphqlClient::new(auth::shop_api_url(base, "demo", "cart")).bearer(token);
//! # let _ = cart;
//! # Ok(())
//! # }
//! ```

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::transport::{HttpRequest, ReqwestTransport, Transport};

/// The client API's store selector: `commonground-origin: <store domain>`, on every request.
pub const CLIENT_ORIGIN_HEADER: &str = "commonground-origin";

/// The shop API's access token id header, for [`shop_token`].
pub const ACCESS_TOKEN_ID_HEADER: &str = "x-crystallize-access-token-id";

/// The shop API's access token secret header, for [`shop_token`].
pub const ACCESS_TOKEN_SECRET_HEADER: &str = "x-crystallize-access-token-secret";

/// The static token a tenant with a secured catalogue sends on every shop API call (instead of
/// the id/secret pair), on top of the bearer token.
pub const STATIC_AUTH_TOKEN_HEADER: &str = "x-crystallize-static-auth-token";

/// Standard base64 (with padding) of the text, as the client API wants the email and password
/// arguments of `login` and `register`.
///
/// ```
/// assert_eq!(shopql_sdk::auth::base64("buyer@example.com"), "YnV5ZXJAZXhhbXBsZS5jb20=");
/// ```
pub fn base64(text: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::STANDARD.encode(text.as_ref())
}

/// The URL of a tenant's shop endpoint: `shop_api_url("http://127.0.0.1:4000", "demo", "cart")`
/// is `http://127.0.0.1:4000/demo/cart`. `path` is `auth/token`, `cart`, `cart/admin`, `lock`
/// or `usage`; slashes where the parts meet are not doubled.
pub fn shop_api_url(base_url: &str, tenant: &str, path: &str) -> String {
    format!(
        "{}/{}/{}",
        base_url.trim_end_matches('/'),
        tenant.trim_matches('/'),
        path.trim_start_matches('/')
    )
}

#[derive(Serialize)]
struct TokenRequest<'a> {
    scopes: &'a [&'a str],
    #[serde(rename = "expiresIn")]
    expires_in: u64,
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
}

/// Gets a shop API JWT: `POST {base_url}/{tenant}/auth/token` with the access token id and
/// secret in headers and `{"scopes": […], "expiresIn": seconds}` as the body, over a new
/// [`ReqwestTransport`]. See [`shop_token_with`] to choose the transport.
///
/// A refusal (`{"success": false, "error": "…"}`, or any non-2xx status) is [`Error::Status`]
/// carrying the server's message.
pub async fn shop_token(
    base_url: &str,
    tenant: &str,
    access_token_id: &str,
    access_token_secret: &str,
    scopes: &[&str],
    expires_in_seconds: u64,
) -> Result<String> {
    shop_token_with(
        &ReqwestTransport::new(),
        base_url,
        tenant,
        access_token_id,
        access_token_secret,
        scopes,
        expires_in_seconds,
    )
    .await
}

/// [`shop_token`] over the given transport, such as [`GraphqlClient::transport`] or a test
/// double.
///
/// [`GraphqlClient::transport`]: crate::GraphqlClient::transport
pub async fn shop_token_with(
    transport: &dyn Transport,
    base_url: &str,
    tenant: &str,
    access_token_id: &str,
    access_token_secret: &str,
    scopes: &[&str],
    expires_in_seconds: u64,
) -> Result<String> {
    let body = serde_json::to_vec(&TokenRequest {
        scopes,
        expires_in: expires_in_seconds,
    })
    .map_err(|error| Error::Encode(error.to_string()))?;
    let request = HttpRequest {
        method: crate::transport::HttpMethod::Post,
        url: shop_api_url(base_url, tenant, "auth/token"),
        headers: vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("accept".to_owned(), "application/json".to_owned()),
            (
                ACCESS_TOKEN_ID_HEADER.to_owned(),
                access_token_id.to_owned(),
            ),
            (
                ACCESS_TOKEN_SECRET_HEADER.to_owned(),
                access_token_secret.to_owned(),
            ),
        ],
        body,
    };
    let response = transport.send(request).await?;
    let parsed = serde_json::from_slice::<TokenResponse>(&response.body).ok();
    let refusal = |message: Option<String>| {
        Error::status_error(response.status, message.unwrap_or_else(|| response.text()))
    };
    let Some(parsed) = parsed else {
        if response.is_success() {
            return Err(Error::decode(
                "",
                format!(
                    "the token endpoint answered HTTP {} with a body that is not JSON: {:?}",
                    response.status,
                    response.text().chars().take(200).collect::<String>()
                ),
            ));
        }
        return Err(refusal(None));
    };
    let message = match parsed.error {
        Some(serde_json::Value::String(text)) => Some(text),
        Some(serde_json::Value::Null) | None => parsed.message,
        Some(other) => Some(other.to_string()),
    };
    if !response.is_success() || parsed.success == Some(false) || message.is_some() {
        return Err(refusal(message));
    }
    match parsed.token {
        Some(token) if !token.is_empty() => Ok(token),
        _ => Err(Error::decode(
            "token",
            "the token endpoint answered without a token",
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::TransportError;
    use crate::transport::HttpResponse;

    #[test]
    fn base64_is_standard_with_padding() {
        assert_eq!(base64("demo-password"), "ZGVtby1wYXNzd29yZA==");
        assert_eq!(base64(String::from("a")), "YQ==");
        assert_eq!(base64(""), "");
    }

    #[test]
    fn urls_join_cleanly() {
        assert_eq!(
            shop_api_url("http://h:4000/", "/demo/", "/auth/token"),
            "http://h:4000/demo/auth/token"
        );
        assert_eq!(
            shop_api_url("https://shop-api.crystallize.com", "@demo", "cart/admin"),
            "https://shop-api.crystallize.com/@demo/cart/admin"
        );
    }

    /// Answers with a fixed response and keeps the request.
    #[derive(Debug)]
    struct Fixed(HttpResponse, std::sync::Mutex<Option<HttpRequest>>);

    #[async_trait::async_trait]
    impl Transport for Fixed {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
            *self.1.lock().unwrap() = Some(request);
            Ok(self.0.clone())
        }
    }

    fn token(status: u16, body: &str) -> (Result<String>, HttpRequest) {
        let transport = Fixed(HttpResponse::new(status, body), Default::default());
        let result = futures::executor::block_on(shop_token_with(
            &transport,
            "http://h",
            "demo",
            "id",
            "secret",
            &["cart", "cart:admin"],
            18000,
        ));
        let request = transport.1.lock().unwrap().take().unwrap();
        (result, request)
    }

    #[test]
    fn token_request_and_success() {
        let (result, request) = token(200, r#"{"success":true,"token":"jwt"}"#);
        assert_eq!(result.unwrap(), "jwt");
        assert_eq!(request.url, "http://h/demo/auth/token");
        assert_eq!(request.header(ACCESS_TOKEN_ID_HEADER), Some("id"));
        assert_eq!(request.header(ACCESS_TOKEN_SECRET_HEADER), Some("secret"));
        assert_eq!(request.header("content-type"), Some("application/json"));
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"scopes": ["cart", "cart:admin"], "expiresIn": 18000})
        );
    }

    #[test]
    fn token_refusals() {
        let check =
            |status, body: &str, expect_status, expect_body: &str| match token(status, body).0 {
                Err(Error::Status { status, body, .. }) => {
                    assert_eq!((status, body.as_str()), (expect_status, expect_body));
                }
                other => panic!("unexpected {other:?}"),
            };
        check(
            200,
            r#"{"success":false,"error":"bad scope"}"#,
            200,
            "bad scope",
        );
        check(
            401,
            r#"{"success":false,"error":"Invalid credentials"}"#,
            401,
            "Invalid credentials",
        );
        check(403, r#"{"message":"forbidden"}"#, 403, "forbidden");
        check(502, "Bad Gateway", 502, "Bad Gateway");
        check(
            500,
            r#"{"success":false,"error":{"k":1}}"#,
            500,
            r#"{"k":1}"#,
        );
        assert!(matches!(
            token(200, r#"{"success":true}"#).0,
            Err(Error::Decode { ref path, .. }) if path == "token"
        ));
        assert!(matches!(
            token(200, "<html>").0,
            Err(Error::Decode { ref path, .. }) if path.is_empty()
        ));
    }
}
