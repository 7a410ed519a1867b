//! Who is calling and what they may touch: the purchase API's one ownership rule, applied by
//! every root field through [`Principal::acting_user`], [`Principal::authorize`] and
//! [`Principal::authorize_merge_source`].
//!
//! - A bearer token (stored as its SHA-256 in `purchase_api_tokens`) binds the caller to one
//!   user: another user id is `Forbidden`. An unknown or revoked token is `Unauthorized`.
//! - A user id that a token binds (revoked or not) is a *customer*: its carts, and every cart
//!   ever written with a token, belong to that customer and are reachable only with the
//!   customer's token: `Unauthorized` without a token, `Forbidden` with another user's token.
//!   A tokenless caller cannot act as a customer's user id at all, so it can neither create a
//!   cart at a customer's key (cart fixation) nor read, change, merge or remove one.
//! - Other carts are anonymous: reachable without a token by their user id (the anonymous
//!   key) or by id, by a caller acting as that same user id.
//! - When a customer's token meets an anonymous cart at its own user id, the cart becomes the
//!   customer's (the anonymous path loses it). Tokens are issued only by the operator
//!   (`shopql-reference admin purchase-token create`), which claims the user's carts at once.
//! - A merge source is the caller's own cart, or an anonymous cart that the caller names by id
//!   (`secondCartId`): the visitor's cart that a customer takes over at sign-in.
//!
//! The codes are the real service's (`Unauthorized`, `Forbidden`), set in `extensions.code`.

use crate::auth::sha256_hex;
use shopql_server_stubs::{ApiError, ApiResult, Authenticator, RequestContext};
use sqlx::AnyConnection;

use super::cache::RequestCache;
use super::db::{self, CartRow};
use crate::store::Store;

/// The longest user id, cart id or other identifier accepted.
pub(crate) const MAX_ID_LEN: usize = 200;

/// The caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    /// No bearer token.
    Anonymous,
    /// A valid token of this user.
    User(String),
    /// A bearer token that matches no user.
    InvalidToken,
}

/// `Unauthorized` (the real service's code) for a missing or invalid credential.
pub(crate) fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::unauthenticated(message).with_extension("code", "Unauthorized")
}

/// `Forbidden` (the real service's code) for another user's cart.
pub(crate) fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::forbidden(message).with_extension("code", "Forbidden")
}

impl Principal {
    /// Whether the caller has no token.
    pub(crate) fn is_anonymous(&self) -> bool {
        matches!(self, Principal::Anonymous)
    }

    /// The user the request acts for: the token's user (a different `requested` id is
    /// `Forbidden`), or for tokenless callers the requested id (required), which must not be
    /// a customer's (`Unauthorized`).
    pub(crate) async fn acting_user(
        &self,
        conn: &mut AnyConnection,
        requested: Option<&str>,
    ) -> ApiResult<String> {
        let requested = requested.map(str::trim).filter(|u| !u.is_empty());
        if let Some(r) = requested
            && r.len() > MAX_ID_LEN
        {
            return Err(ApiError::bad_input(format!(
                "userId is longer than {MAX_ID_LEN} characters"
            )));
        }
        match self {
            Principal::InvalidToken => Err(invalid_token()),
            Principal::User(u) => match requested {
                None => Ok(u.clone()),
                Some(r) if r.eq_ignore_ascii_case(u) => Ok(u.clone()),
                Some(_) => Err(forbidden(
                    "the bearer token belongs to another user than `userId`",
                )),
            },
            Principal::Anonymous => {
                let user = requested.ok_or_else(|| {
                    ApiError::bad_input("userId is required without a bearer token")
                })?;
                if db::is_customer(conn, user).await? {
                    return Err(customer_only());
                }
                Ok(user.to_string())
            }
        }
    }

    /// Whether the caller acting as `user` (from [`Self::acting_user`]) may read and change
    /// `cart`. `Claim` means the cart is anonymous and becomes the caller's.
    pub(crate) fn authorize(&self, cart: &CartRow, user: &str) -> ApiResult<Access> {
        match self {
            Principal::InvalidToken => Err(invalid_token()),
            Principal::Anonymous if !cart.is_anonymous => Err(customer_only()),
            _ if !cart.user_id.eq_ignore_ascii_case(user) => {
                Err(forbidden("the cart belongs to another user"))
            }
            Principal::User(_) if cart.is_anonymous => Ok(Access::Claim),
            _ => Ok(Access::Granted),
        }
    }

    /// Whether the caller acting as `user` may merge `other`, which it named by id, into its
    /// cart: its own cart, or an anonymous cart whose user id is no customer's.
    pub(crate) async fn authorize_merge_source(
        &self,
        conn: &mut AnyConnection,
        other: &CartRow,
        user: &str,
    ) -> ApiResult<Access> {
        if other.user_id.eq_ignore_ascii_case(user) {
            return self.authorize(other, user);
        }
        if *self == Principal::InvalidToken {
            return Err(invalid_token());
        }
        if other.is_anonymous && !db::is_customer(conn, &other.user_id).await? {
            return Ok(Access::Granted);
        }
        Err(forbidden("the cart to merge belongs to another user"))
    }
}

/// What [`Principal::authorize`] allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Read and change the cart.
    Granted,
    /// The same, and the anonymous cart becomes the caller's (a customer's token met it).
    Claim,
}

pub(crate) fn invalid_token() -> ApiError {
    unauthorized("the bearer token is not valid")
}

fn customer_only() -> ApiError {
    unauthorized("this cart belongs to a signed-in customer: send their bearer token")
}

/// The caller of this request: what the authenticator found, or (when the resolvers run
/// without it) the bearer token looked up now.
pub(crate) async fn principal(ctx: &RequestContext, store: &Store) -> ApiResult<Principal> {
    if let Some(p) = ctx.get::<Principal>() {
        return Ok(p.clone());
    }
    resolve(ctx.bearer.as_deref(), store).await
}

async fn resolve(bearer: Option<&str>, store: &Store) -> ApiResult<Principal> {
    let Some(token) = bearer else {
        return Ok(Principal::Anonymous);
    };
    let mut conn = store.pool.acquire().await?;
    Ok(match db::token_user(&mut conn, &sha256_hex(token)).await? {
        Some(user) => Principal::User(user),
        None => Principal::InvalidToken,
    })
}

/// Puts the caller ([`Principal`]) and a per-request [`RequestCache`] into the context. An
/// invalid token is not refused here: resolvers answer `Unauthorized` in GraphQL `errors`, as
/// the real service does.
#[derive(Debug, Clone)]
pub(crate) struct PurchaseAuthenticator {
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
            doc: Default::default(),
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
    fn carts_are_authorized() {
        let (me, anon, bad) = (
            Principal::User("u1".into()),
            Principal::Anonymous,
            Principal::InvalidToken,
        );
        for (principal, owner, anonymous, user, expected) in [
            (&me, "u1", false, "u1", Ok(Access::Granted)),
            (&me, "U1", true, "u1", Ok(Access::Claim)),
            (&me, "u2", false, "u1", Err("Forbidden")),
            (&me, "u2", true, "u1", Err("Forbidden")),
            (&anon, "u2", true, "u2", Ok(Access::Granted)),
            (&anon, "u2", false, "u2", Err("Unauthorized")),
            (&anon, "u2", true, "u3", Err("Forbidden")),
            (&bad, "u2", true, "u2", Err("Unauthorized")),
        ] {
            let cart = cart(owner, anonymous);
            assert_eq!(
                principal.authorize(&cart, user).map_err(|e| code(&e)),
                expected.map_err(String::from),
                "{principal:?} on {owner}'s cart (anonymous: {anonymous}) as {user}"
            );
        }
        assert_eq!(sha256_hex("demo-purchase-token").len(), 64);
    }
}
