//! Who is calling and what they may touch.
//!
//! Without a bearer token the caller is anonymous: it may use any user id, and the carts it
//! creates are anonymous (reachable by anyone who knows their user id or id). A bearer token
//! (stored as its SHA-256 in `purchase_api_tokens`) binds the caller to one user: another user
//! id is `Forbidden`, and the carts it creates belong to that user only — `Unauthorized`
//! without a token, `Forbidden` with another user's token. An unknown token is `Unauthorized`.
//! The codes are the real service's (`Unauthorized`, `Forbidden`), set in `extensions.code`.

use sha2::{Digest, Sha256};
use shopql_server_stubs::{ApiError, ApiResult, Authenticator, RequestContext};

use super::cache::RequestCache;
use super::db::{self, CartRow};
use crate::store::{Store, db_error};

/// The longest user id, cart id or other identifier accepted.
pub const MAX_ID_LEN: usize = 200;

/// The caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No bearer token.
    Anonymous,
    /// A valid token of this user.
    User(String),
    /// A bearer token that matches no user.
    InvalidToken,
}

/// `Unauthorized` (the real service's code) for a missing or invalid credential.
pub fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::unauthenticated(message).with_extension("code", "Unauthorized")
}

/// `Forbidden` (the real service's code) for another user's cart.
pub fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::forbidden(message).with_extension("code", "Forbidden")
}

/// The SHA-256 (hex) a token is stored as.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Principal {
    /// Whether the caller has no token.
    pub fn is_anonymous(&self) -> bool {
        matches!(self, Principal::Anonymous)
    }

    /// The user the request acts for: the token's user (a different `requested` id is
    /// `Forbidden`), or for anonymous callers the requested id (required).
    pub fn user(&self, requested: Option<&str>) -> ApiResult<String> {
        let requested = requested.map(str::trim).filter(|u| !u.is_empty());
        if let Some(r) = requested
            && r.len() > MAX_ID_LEN
        {
            return Err(ApiError::bad_input(format!(
                "userId is longer than {MAX_ID_LEN} characters"
            )));
        }
        match self {
            Principal::InvalidToken => Err(unauthorized("the bearer token is not valid")),
            Principal::User(u) => match requested {
                None => Ok(u.clone()),
                Some(r) if r.eq_ignore_ascii_case(u) => Ok(u.clone()),
                Some(_) => Err(forbidden(
                    "the bearer token belongs to another user than `userId`",
                )),
            },
            Principal::Anonymous => requested
                .map(str::to_string)
                .ok_or_else(|| ApiError::bad_input("userId is required without a bearer token")),
        }
    }

    /// Whether the caller acting as `user` may read and change `cart`.
    pub fn check(&self, cart: &CartRow, user: &str) -> ApiResult<()> {
        match self {
            Principal::InvalidToken => Err(unauthorized("the bearer token is not valid")),
            Principal::Anonymous if !cart.is_anonymous => Err(unauthorized(
                "this cart belongs to a signed-in customer: send their bearer token",
            )),
            _ if !cart.user_id.eq_ignore_ascii_case(user) => {
                Err(forbidden("the cart belongs to another user"))
            }
            _ => Ok(()),
        }
    }

    /// Whether the caller acting as `user` may merge `other` (any anonymous cart, or a cart of
    /// the same user) into its cart.
    pub fn check_merge_source(&self, other: &CartRow, user: &str) -> ApiResult<()> {
        if other.user_id.eq_ignore_ascii_case(user) {
            return self.check(other, user);
        }
        if other.is_anonymous {
            return Ok(());
        }
        Err(forbidden("the cart to merge belongs to another user"))
    }
}

/// The caller of this request: what the authenticator found, or (when the resolvers run
/// without it) the bearer token looked up now.
pub async fn principal(ctx: &RequestContext, store: &Store) -> ApiResult<Principal> {
    if let Some(p) = ctx.get::<Principal>() {
        return Ok(p.clone());
    }
    resolve(ctx.bearer.as_deref(), store).await
}

async fn resolve(bearer: Option<&str>, store: &Store) -> ApiResult<Principal> {
    let Some(token) = bearer else {
        return Ok(Principal::Anonymous);
    };
    let mut conn = store.pool.acquire().await.map_err(db_error)?;
    Ok(match db::token_user(&mut conn, &token_hash(token)).await? {
        Some(user) => Principal::User(user),
        None => Principal::InvalidToken,
    })
}

/// Puts the caller ([`Principal`]) and a per-request [`RequestCache`] into the context. An
/// invalid token is not refused here: resolvers answer `Unauthorized` in GraphQL `errors`, as
/// the real service does.
#[derive(Debug, Clone)]
pub struct PurchaseAuthenticator {
    /// The database holding the tokens.
    pub store: Store,
}

#[shopql_server_stubs::async_trait::async_trait]
impl Authenticator for PurchaseAuthenticator {
    async fn authenticate(&self, ctx: &mut RequestContext) -> ApiResult<()> {
        let p = resolve(ctx.bearer.as_deref(), &self.store).await?;
        if let Principal::User(user) = &p {
            ctx.subject = Some(format!("purchase:user:{}", user.to_lowercase()));
        }
        ctx.insert(p);
        ctx.insert(RequestCache::default());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::purchase::cart::CartDoc;

    fn cart(user: &str, anonymous: bool) -> CartRow {
        CartRow {
            id: "c".into(),
            store_id: "s".into(),
            name: "default".into(),
            user_id: user.into(),
            currency: "USD".into(),
            cart_type: "cart".into(),
            is_anonymous: anonymous,
            status: "New".into(),
            comment: None,
            created_ms: 0,
            modified_ms: 0,
            version: 0,
            doc: CartDoc::default(),
        }
    }

    fn code(e: &ApiError) -> String {
        e.extensions
            .iter()
            .find(|(k, _)| k == "code")
            .and_then(|(_, v)| v.as_str().map(str::to_string))
            .unwrap_or_else(|| e.code.as_str().to_string())
    }

    #[test]
    fn users_are_bound_by_tokens() {
        let me = Principal::User("u1".into());
        assert_eq!(me.user(None).ok(), Some("u1".into()));
        assert_eq!(me.user(Some("U1")).ok(), Some("u1".into()));
        assert_eq!(
            me.user(Some("u2")).map_err(|e| code(&e)),
            Err("Forbidden".into())
        );
        assert!(Principal::Anonymous.user(None).is_err());
        assert_eq!(
            Principal::Anonymous.user(Some("u2")).ok(),
            Some("u2".into())
        );
        assert_eq!(
            Principal::InvalidToken
                .user(Some("u2"))
                .map_err(|e| code(&e)),
            Err("Unauthorized".into())
        );
    }

    #[test]
    fn carts_are_checked() {
        let me = Principal::User("u1".into());
        assert!(me.check(&cart("u1", false), "u1").is_ok());
        assert!(me.check(&cart("u1", true), "u1").is_ok());
        assert_eq!(
            me.check(&cart("u2", false), "u1").map_err(|e| code(&e)),
            Err("Forbidden".into())
        );
        let anon = Principal::Anonymous;
        assert!(anon.check(&cart("u2", true), "u2").is_ok());
        assert_eq!(
            anon.check(&cart("u2", false), "u2").map_err(|e| code(&e)),
            Err("Unauthorized".into())
        );
        assert_eq!(
            anon.check(&cart("u2", true), "u3").map_err(|e| code(&e)),
            Err("Forbidden".into())
        );
        // Merging: any anonymous cart, never another user's own cart.
        assert!(me.check_merge_source(&cart("visitor", true), "u1").is_ok());
        assert!(me.check_merge_source(&cart("u2", false), "u1").is_err());
        assert_eq!(token_hash("demo-purchase-token").len(), 64);
    }
}
