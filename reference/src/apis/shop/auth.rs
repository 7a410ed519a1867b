//! Who may call the shop API family: every GraphQL path (`/{tenant}/cart`, `/cart/admin`,
//! `/lock`, `/usage`) needs a JWT minted by the token endpoint, for the tenant of the path and
//! with the path's scope, whose access key pair has not been revoked since.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::auth::sha256_hex;
use shopql_server_stubs::{ApiError, ApiResult, Authenticator, RequestContext};

use crate::auth::TokenKind;
use crate::state::AppState;

/// How long (ms, server clock) an access key found live is trusted without asking the database
/// again: tokens of a pair revoked by `shopql-reference admin` stop working on every node
/// within this.
pub const LIVE_KEY_TTL_MS: i64 = 30_000;

/// The audience of every shop token.
pub const AUDIENCE: &str = "shop";

/// The issuer the frame's `JwtKeys::verify` checks (`crate::auth::jwt::ISSUER`, which the auth
/// module does not re-export).
pub const ISSUER: &str = "shopql-reference";

/// The scopes a token may carry, one per API of the family.
pub const SCOPES: [&str; 4] = ["cart", "cart:admin", "usage", "lock"];

/// The caller of a shop API request, as its token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The tenant (token claim, equal to the path's tenant).
    pub tenant: String,
    /// The access token id that minted the token.
    pub access_token_id: String,
    /// The lock holder identity: SHA-256 of the bearer token (the same JWT is the same holder).
    pub holder: String,
    /// The token's scopes.
    pub scopes: Vec<String>,
}

/// The real service also accepts `/@tenant/…`; both name the same tenant.
pub fn normalize_tenant(raw: &str) -> &str {
    raw.strip_prefix('@').unwrap_or(raw)
}

/// Checks the bearer token, the tenant and one scope.
#[derive(Clone)]
pub struct ScopeAuthenticator {
    state: AppState,
    scope: &'static str,
    /// (tenant, access key id) -> when (ms) the pair was last found in the database.
    live: Arc<RwLock<HashMap<(String, String), i64>>>,
}

impl ScopeAuthenticator {
    /// An authenticator requiring `scope`.
    pub fn new(state: &AppState, scope: &'static str) -> Self {
        Self {
            state: state.clone(),
            scope,
            live: Arc::default(),
        }
    }

    /// Whether the access key pair `id` of `tenant` that minted a token still exists.
    async fn key_is_live(&self, tenant: &str, id: &str) -> ApiResult<bool> {
        let key = (tenant.to_string(), id.to_string());
        let now = self.state.now_ms();
        if let Ok(live) = self.live.read()
            && live.get(&key).is_some_and(|at| now - at < LIVE_KEY_TTL_MS)
        {
            return Ok(true);
        }
        let owner: Option<String> =
            sqlx::query_scalar("SELECT tenant FROM shop_access_tokens WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.state.store.pool)
                .await?;
        let found = owner.as_deref() == Some(tenant);
        if let Ok(mut live) = self.live.write() {
            if found {
                live.insert(key, now);
            } else {
                live.remove(&key);
            }
        }
        Ok(found)
    }
}

#[shopql_server_stubs::async_trait::async_trait]
impl Authenticator for ScopeAuthenticator {
    async fn authenticate(&self, ctx: &mut RequestContext) -> ApiResult<()> {
        let token = ctx.bearer.clone().ok_or_else(|| {
            ApiError::unauthenticated(format!(
                "missing `Authorization: Bearer <token>`; get a token with the `{}` scope at POST /{{tenant}}/auth/token",
                self.scope
            ))
        })?;
        let claims =
            self.state
                .keys
                .verify(&token, AUDIENCE, TokenKind::Access, self.state.now_ms())?;
        let path_tenant = ctx
            .tenant()
            .map(normalize_tenant)
            .ok_or_else(|| ApiError::forbidden("the path names no tenant"))?
            .to_string();
        let token_tenant = claims
            .tenant
            .clone()
            .ok_or_else(|| ApiError::unauthenticated("invalid token: it names no tenant"))?;
        if token_tenant != path_tenant {
            return Err(ApiError::forbidden(format!(
                "this token is for another tenant, not `{path_tenant}`"
            )));
        }
        if !claims.scopes.iter().any(|s| s == self.scope) {
            return Err(ApiError::forbidden(format!(
                "this token lacks the `{}` scope this endpoint needs",
                self.scope
            )));
        }
        if !self.key_is_live(&token_tenant, &claims.sub).await? {
            return Err(ApiError::unauthenticated(
                "invalid token: its access key pair was revoked",
            ));
        }
        ctx.subject = Some(format!("shop:{token_tenant}:{}", claims.sub));
        ctx.insert(Principal {
            tenant: token_tenant,
            access_token_id: claims.sub,
            holder: sha256_hex(&token),
            scopes: claims.scopes,
        });
        Ok(())
    }
}

/// The authenticated caller of a request.
pub fn principal(ctx: &RequestContext) -> ApiResult<&Principal> {
    ctx.get::<Principal>()
        .ok_or_else(|| ApiError::unauthenticated("no authenticated shop caller"))
}
