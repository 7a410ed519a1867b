//! Sellers authenticate with their API key as a bearer token. Keys are stored as sha256 hex, so a
//! database leak does not leak usable keys; the lookup is by hash, so no key comparison runs in
//! Rust.

use crate::auth::sha256_hex;
use shopql_server_stubs::{ApiError, ApiResult, Authenticator, RequestContext};

use super::batch::Batcher;
use crate::state::AppState;
use crate::store::sql::Sql;

/// The authenticated seller of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SellerPrincipal {
    /// The seller's legacy id.
    pub seller_id: i64,
}

/// Looks the bearer key up and stores the seller in the context; a missing or unknown key is
/// refused with 401, as the real service does.
pub(crate) struct SellerKeyAuthenticator {
    state: AppState,
}

impl SellerKeyAuthenticator {
    /// An authenticator over the state's database.
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[shopql_server_stubs::async_trait::async_trait]
impl Authenticator for SellerKeyAuthenticator {
    async fn authenticate(&self, ctx: &mut RequestContext) -> ApiResult<()> {
        let Some(key) = ctx.bearer.clone() else {
            return Err(ApiError::unauthenticated(
                "missing API key: send `Authorization: Bearer <seller API key>`",
            ));
        };
        let invalid = || ApiError::unauthenticated("API Token has expired or is invalid");
        if key.len() > 512 {
            return Err(invalid());
        }
        let mut sql = Sql::new("SELECT id FROM mp_sellers WHERE api_key_hash = ");
        sql.arg(sha256_hex(&key));
        let found: Option<(i64,)> = sql.fetch_optional_as(&self.state.store.pool).await?;
        let Some((seller_id,)) = found else {
            return Err(invalid());
        };
        ctx.subject = Some(format!("marketplace:seller:{seller_id}"));
        ctx.insert(SellerPrincipal { seller_id });
        ctx.insert(Batcher::new(
            self.state.store.pool.clone(),
            seller_id,
            self.state.now_ms(),
        ));
        Ok(())
    }
}

/// The seller of the request (set by [`SellerKeyAuthenticator`]).
pub(crate) fn seller(ctx: &RequestContext) -> ApiResult<i64> {
    ctx.get::<SellerPrincipal>()
        .map(|p| p.seller_id)
        .ok_or_else(|| ApiError::unauthenticated("missing API key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_hashed_with_sha256() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
