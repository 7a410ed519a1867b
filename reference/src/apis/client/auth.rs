//! Who and where a request is: the [`ClientAuthenticator`] runs before every operation, picks
//! the store from the `CommonGround-Origin` header and checks the bearer session, and leaves a
//! [`ClientRequest`] in the request context for the resolvers.
//!
//! A missing or unknown store domain refuses the request (BAD_USER_INPUT, as the schema says:
//! "an unknown or missing store domain is a BAD_USER_INPUT error"). A bearer token that does not
//! verify does not refuse the request: public fields still work and `me` is null, and fields
//! that need a session answer UNAUTHENTICATED with the reason.

use std::sync::Arc;

use shopql_server_stubs::{ApiError, ApiResult, Authenticator, RequestContext};

use super::customers::{self, Customer};
use super::stores::{StoreRow, Stores, normalize_domain};
use crate::auth::TokenKind;
use crate::state::AppState;

/// The audience of client API session tokens.
pub(crate) const AUDIENCE: &str = "client";

/// The header that names the store.
pub(crate) const ORIGIN_HEADER: &str = "commonground-origin";

/// A verified customer session.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    /// The session id (the JWT's `jti`).
    pub session_id: String,
    /// The customer.
    pub customer: Customer,
}

/// The session state of a request.
#[derive(Debug, Clone)]
pub(crate) enum SessionState {
    /// No bearer token.
    Anonymous,
    /// A valid session.
    Signed(Principal),
    /// A bearer token that was refused, with the reason.
    Refused(ApiError),
}

/// What the authenticator found out about a request.
#[derive(Debug, Clone)]
pub(crate) struct ClientRequest {
    /// The store named by the origin header.
    pub store: Arc<StoreRow>,
    /// The session.
    pub session: SessionState,
}

impl ClientRequest {
    /// The request's state, put there by [`ClientAuthenticator`].
    pub(crate) fn of(ctx: &RequestContext) -> ApiResult<&ClientRequest> {
        ctx.get::<ClientRequest>()
            .ok_or_else(|| ApiError::internal("client API request without its authenticator"))
    }

    /// The signed-in customer, or UNAUTHENTICATED with the reason.
    pub(crate) fn principal(&self) -> ApiResult<&Principal> {
        match &self.session {
            SessionState::Signed(p) => Ok(p),
            SessionState::Refused(e) => Err(e.clone()),
            SessionState::Anonymous => Err(ApiError::unauthenticated(
                "this field needs a customer session: send `Authorization: Bearer <jwt>` from `login` or `register`",
            )),
        }
    }

    /// The signed-in customer, if any.
    pub(crate) fn customer(&self) -> Option<&Customer> {
        match &self.session {
            SessionState::Signed(p) => Some(&p.customer),
            _ => None,
        }
    }
}

/// Resolves the store and the session of every client API request.
#[derive(Debug, Clone)]
pub(crate) struct ClientAuthenticator {
    state: AppState,
    stores: Stores,
}

impl ClientAuthenticator {
    /// An authenticator over the shared state.
    pub(crate) fn new(state: AppState, stores: Stores) -> Self {
        Self { state, stores }
    }

    async fn session(&self, store: &StoreRow, token: &str) -> SessionState {
        let now = self.state.now_ms();
        let claims = match self
            .state
            .keys
            .verify(token, AUDIENCE, TokenKind::Session, now)
        {
            Ok(c) => c,
            Err(e) => return SessionState::Refused(e),
        };
        if claims.store.as_deref() != Some(store.id.as_str()) {
            return SessionState::Refused(ApiError::unauthenticated(
                "invalid token: the session belongs to another store",
            ));
        }
        match customers::active_session(&self.state, &claims.jti, now).await {
            Ok(Some((customer, session_store)))
                if customer.id == claims.sub && session_store == store.id =>
            {
                SessionState::Signed(Principal {
                    session_id: claims.jti,
                    customer,
                })
            }
            Ok(_) => SessionState::Refused(ApiError::unauthenticated(
                "the session has ended (signed out or expired): sign in again",
            )),
            Err(e) => SessionState::Refused(e),
        }
    }
}

#[shopql_server_stubs::async_trait::async_trait]
impl Authenticator for ClientAuthenticator {
    async fn authenticate(&self, ctx: &mut RequestContext) -> ApiResult<()> {
        let Some(raw) = ctx.header(ORIGIN_HEADER) else {
            return Err(ApiError::bad_input(
                "the `CommonGround-Origin` header is missing: set it to the store's domain, e.g. `CommonGround-Origin: www.my-vinyl-store.com`",
            )
            .with_extension("header", "CommonGround-Origin"));
        };
        let domain = normalize_domain(raw);
        if domain.is_empty() {
            return Err(ApiError::bad_input(
                "the `CommonGround-Origin` header is empty: set it to the store's domain, e.g. www.my-vinyl-store.com",
            )
            .with_extension("header", "CommonGround-Origin"));
        }
        let Some(store) = self.stores.by_domain(&self.state.store, &domain).await? else {
            let shown: String = domain.chars().take(100).collect();
            return Err(ApiError::bad_input(format!(
                "unknown store domain `{shown}` in the `CommonGround-Origin` header"
            ))
            .with_extension("header", "CommonGround-Origin"));
        };
        let session = match ctx.bearer.clone() {
            None => SessionState::Anonymous,
            Some(token) => self.session(&store, &token).await,
        };
        if let SessionState::Signed(p) = &session {
            ctx.subject = Some(format!("client:customer:{}", p.customer.id));
        }
        ctx.insert(ClientRequest { store, session });
        Ok(())
    }
}
