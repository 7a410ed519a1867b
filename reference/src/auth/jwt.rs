//! JWTs as RFC 8725 recommends: HS256 only (no `none`, no algorithm substitution), `iss` and a
//! per-API `aud` checked, `exp`/`nbf` checked against the injectable clock with a small leeway,
//! keys chosen by `kid` among an overlapping set (rotation), secrets of at least 32 bytes.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use shopql_server_stubs::ApiError;

/// The issuer of every token.
pub(super) const ISSUER: &str = "shopql-reference";

/// The built-in secret of demo mode; refused unless `--demo`.
pub const DEMO_SECRET: &str = "shopql-demo-secret-not-for-production-use-0000";

/// Allowed clock difference when checking `exp` and `nbf`, in seconds.
pub(super) const LEEWAY_SECONDS: i64 = 60;

/// What a token is for; a token of one kind is refused where another is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// A customer session of the client API.
    Session,
    /// A scoped access token of the shop API.
    Access,
}

/// The claims of a shopql token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience: the API the token is for (`client`, `shop`).
    pub aud: String,
    /// Subject: the customer or the access token id.
    pub sub: String,
    /// Issued at (seconds).
    pub iat: i64,
    /// Not before (seconds).
    pub nbf: i64,
    /// Expires at (seconds).
    pub exp: i64,
    /// Token id: the session id for client sessions.
    pub jti: String,
    /// The kind of token.
    pub typ: TokenKind,
    /// The shop API tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The client API store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// The shop API scopes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
}

#[derive(Clone)]
struct Key {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

/// The signing keys: the newest signs, all verify until removed.
#[derive(Clone)]
pub struct JwtKeys {
    keys: Vec<Key>,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|k| k.kid.as_str()).collect();
        f.debug_struct("JwtKeys").field("kids", &kids).finish()
    }
}

fn unauthenticated(why: &str) -> ApiError {
    ApiError::unauthenticated(format!("invalid token: {why}"))
}

impl JwtKeys {
    /// Keys with one secret. Outside demo mode the secret must be at least 32 bytes and must not
    /// be the built-in demo secret.
    pub fn new(secret: &str, demo: bool) -> anyhow::Result<Self> {
        let mut keys = Self { keys: Vec::new() };
        keys.add_key("k1", secret, demo)?;
        Ok(keys)
    }

    /// Adds a key that signs from now on; older keys keep verifying until removed.
    pub fn add_key(&mut self, kid: &str, secret: &str, demo: bool) -> anyhow::Result<()> {
        if !demo {
            anyhow::ensure!(
                secret.len() >= 32,
                "the JWT secret must be at least 32 bytes (RFC 8725 §3.5); it has {}",
                secret.len()
            );
            anyhow::ensure!(
                secret != DEMO_SECRET,
                "the built-in demo JWT secret is refused outside --demo; set --jwt-secret"
            );
        }
        anyhow::ensure!(
            !kid.is_empty()
                && kid.len() <= 64
                && kid
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "invalid key id `{kid}`"
        );
        self.keys.retain(|k| k.kid != kid);
        self.keys.push(Key {
            kid: kid.to_string(),
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
        });
        Ok(())
    }

    /// Removes a key: tokens it signed stop verifying.
    pub fn remove_key(&mut self, kid: &str) {
        self.keys.retain(|k| k.kid != kid);
    }

    /// Signs claims with the newest key.
    pub fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        let key = self
            .keys
            .last()
            .ok_or_else(|| ApiError::internal("no JWT signing key"))?;
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &key.encoding)
            .map_err(|e| ApiError::internal(format!("jwt: {e}")))
    }

    /// Verifies a token for `audience` and `kind` at time `now_ms`.
    pub fn verify(
        &self,
        token: &str,
        audience: &str,
        kind: TokenKind,
        now_ms: i64,
    ) -> Result<Claims, ApiError> {
        if token.len() > 8 * 1024 {
            return Err(unauthenticated("too long"));
        }
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| unauthenticated("malformed"))?;
        if header.alg != Algorithm::HS256 {
            return Err(unauthenticated("algorithm not allowed"));
        }
        // `kid` is untrusted input: it only selects among keys held in memory.
        let kid = header.kid.ok_or_else(|| unauthenticated("no key id"))?;
        let key = self
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .ok_or_else(|| unauthenticated("unknown key"))?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[audience]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "nbf", "aud", "iss", "sub"]);
        // Time is checked below against the injectable clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let data =
            jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation).map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                match e.kind() {
                    ErrorKind::InvalidAudience => unauthenticated("issued for another API"),
                    ErrorKind::InvalidIssuer => unauthenticated("unknown issuer"),
                    ErrorKind::InvalidSignature => unauthenticated("bad signature"),
                    _ => unauthenticated("malformed"),
                }
            })?;
        let claims = data.claims;
        let now = now_ms.div_euclid(1000);
        if now >= claims.exp + LEEWAY_SECONDS {
            return Err(ApiError::unauthenticated("the token has expired"));
        }
        if now + LEEWAY_SECONDS < claims.nbf {
            return Err(unauthenticated("not valid yet"));
        }
        if claims.typ != kind {
            return Err(unauthenticated("wrong kind of token"));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn claims(now_s: i64) -> Claims {
        Claims {
            iss: ISSUER.into(),
            aud: "shop".into(),
            sub: "demo-access-id".into(),
            iat: now_s,
            nbf: now_s,
            exp: now_s + 3600,
            jti: "t1".into(),
            typ: TokenKind::Access,
            tenant: Some("demo".into()),
            store: None,
            scopes: vec!["cart".into()],
        }
    }

    /// The test clock, in seconds.
    const NOW_S: i64 = 1_700_000_000;

    /// Keys of [`SECRET`] and an access token they signed at [`NOW_S`].
    fn signed() -> anyhow::Result<(JwtKeys, String)> {
        let keys = JwtKeys::new(SECRET, false)?;
        let token = keys.sign(&claims(NOW_S))?;
        Ok((keys, token))
    }

    #[test]
    fn sign_and_verify() -> anyhow::Result<()> {
        let (keys, token) = signed()?;
        let now_s = NOW_S;
        let c = keys.verify(&token, "shop", TokenKind::Access, now_s * 1000)?;
        assert_eq!(c.tenant.as_deref(), Some("demo"));
        Ok(())
    }

    #[test]
    fn expiry_uses_the_clock_with_leeway() -> anyhow::Result<()> {
        let (keys, token) = signed()?;
        let now_s = NOW_S;
        let exp = now_s + 3600;
        let valid_at = |s: i64| {
            keys.verify(&token, "shop", TokenKind::Access, s * 1000)
                .is_ok()
        };
        assert!(valid_at(exp + LEEWAY_SECONDS - 1));
        assert!(!valid_at(exp + LEEWAY_SECONDS + 1));
        assert!(!valid_at(now_s - LEEWAY_SECONDS - 5));
        Ok(())
    }

    #[test]
    fn wrong_audience_kind_and_forgeries_are_refused() -> anyhow::Result<()> {
        let (keys, token) = signed()?;
        let now_s = NOW_S;
        let now = now_s * 1000;
        assert!(
            keys.verify(&token, "client", TokenKind::Access, now)
                .is_err()
        );
        assert!(
            keys.verify(&token, "shop", TokenKind::Session, now)
                .is_err()
        );
        // alg: none
        let payload = token.split('.').nth(1).unwrap_or_default();
        let none_header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
        assert!(
            keys.verify(
                &format!("{none_header}.{payload}."),
                "shop",
                TokenKind::Access,
                now
            )
            .is_err()
        );
        // Signed with another secret.
        let other = JwtKeys::new("ffffffffffffffffffffffffffffffff", false)?;
        assert!(
            keys.verify(&other.sign(&claims(now_s))?, "shop", TokenKind::Access, now)
                .is_err()
        );
        // Tampered payload.
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"sub":"x"}"#);
        assert!(
            keys.verify(&parts.join("."), "shop", TokenKind::Access, now)
                .is_err()
        );
        assert!(
            keys.verify("garbage", "shop", TokenKind::Access, now)
                .is_err()
        );
        Ok(())
    }

    #[test]
    fn rotation_by_kid() -> anyhow::Result<()> {
        let mut keys = JwtKeys::new(SECRET, false)?;
        let old = keys.sign(&claims(NOW_S))?;
        keys.add_key("k2", "abcdefabcdefabcdefabcdefabcdefab", false)?;
        let new = keys.sign(&claims(NOW_S))?;
        let valid = |keys: &JwtKeys, token: &str| {
            keys.verify(token, "shop", TokenKind::Access, NOW_S * 1000)
                .is_ok()
        };
        assert!(valid(&keys, &old) && valid(&keys, &new));
        keys.remove_key("k1");
        assert!(!valid(&keys, &old), "a removed key's tokens are refused");
        assert!(valid(&keys, &new));
        Ok(())
    }

    #[test]
    fn short_and_demo_secrets_are_refused_outside_demo_mode() {
        assert!(JwtKeys::new("short", false).is_err());
        assert!(JwtKeys::new(DEMO_SECRET, false).is_err());
        assert!(JwtKeys::new(DEMO_SECRET, true).is_ok());
    }
}
