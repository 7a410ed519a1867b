//! Customers and sessions: `register`, `login`, `logout`, `me`.
//!
//! Passwords are argon2id hashes (hashed on the blocking pool, they are slow on purpose).
//! Every login opens a stored session whose id is the JWT's `jti`, so `sessionsCount` counts
//! real sessions and `logout` revokes tokens that have not expired yet.

use std::sync::LazyLock;

use base64::Engine;
use shopql_server_stubs::client::{LoginResult, RegisterResult, Session, User};
use shopql_server_stubs::{ApiError, ApiResult, RequestContext};
use sqlx::FromRow;
use tokio::sync::Semaphore;

use super::auth::{AUDIENCE, ClientRequest};
use super::customers::{CUSTOMER_COLUMNS, Customer};
use super::ids;
use super::stores::StoreRow;
use crate::auth::{self, Claims, TokenKind};
use crate::domain::checkout::SESSION_TTL_MS;
use crate::domain::checkout::address::is_valid_email;
use crate::error::{ResultExt, UniqueKey};
use crate::state::AppState;
use crate::store::object_id;
use crate::store::sql::col;

/// One account per email in each store.
const CUSTOMER_EMAIL: UniqueKey = UniqueKey {
    table: "client_customers",
    columns: &["store_id", "email"],
};

/// The issuer `JwtKeys::verify` expects. `crate::auth` keeps its `ISSUER` constant private, so
/// it is repeated here; a login followed by any session field proves the two agree.
const ISSUER: &str = "shopql-reference";

/// The same answer for an unknown email and a wrong password.
const INVALID_CREDENTIALS: &str = "invalid email or password";

/// Shortest password accepted by `register`, in characters.
pub(crate) const MIN_PASSWORD_CHARS: usize = 8;

/// Longest name, telephone and similar text field accepted.
const MAX_TEXT: usize = 200;

/// How many active sessions the customer has at `now`.
pub(crate) async fn sessions_count(
    state: &AppState,
    customer_id: &str,
    now: i64,
) -> ApiResult<i32> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM client_sessions WHERE customer_id = $1 AND expires > $2 AND revoked IS NULL",
    )
    .bind(customer_id)
    .bind(now)
    .fetch_one(&state.store.pool)
    .await?;
    Ok(i32::try_from(n).unwrap_or(i32::MAX))
}

/// The `User` of a customer.
pub(crate) fn user_of(c: &Customer, sessions: Option<i32>) -> User {
    User {
        _id: Some(c.id.clone()),
        id: Some(c.num_id as f64),
        email: Some(c.email.clone()),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        name: c.full_name(),
        telephone: c.telephone.clone(),
        tax_number: c.tax_number.clone(),
        organisation: c.organisation.clone(),
        is_subscribed: Some(c.is_subscribed),
        sessions_count: sessions,
    }
}

/// Decodes a base64 argument (standard alphabet, padded) into UTF-8 text.
pub(crate) fn decode_base64(argument: &str, value: &str) -> ApiResult<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|_| {
            ApiError::bad_input(format!(
                "`{argument}` must be base64 (standard alphabet, padded) of the plain text"
            ))
            .with_extension("argument", argument)
        })?;
    String::from_utf8(bytes).map_err(|_| {
        ApiError::bad_input(format!("`{argument}` must be base64 of UTF-8 text"))
            .with_extension("argument", argument)
    })
}

fn clean_text(argument: &str, value: Option<String>) -> ApiResult<Option<String>> {
    let Some(v) = value else { return Ok(None) };
    let v = v.trim().to_string();
    if v.chars().count() > MAX_TEXT {
        return Err(ApiError::bad_input(format!(
            "`{argument}` is longer than {MAX_TEXT} characters"
        )));
    }
    Ok((!v.is_empty()).then_some(v))
}

/// At most one argon2 computation per core at a time. Each takes ~19 MiB and tens of ms of CPU:
/// unbounded, 64 concurrent logins held 1.2 GiB and took seconds each (the benchmark's journey
/// at 64 connections); queued, they cost the same CPU, bounded memory, and finish in turn.
static ARGON2_SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
});

async fn argon2<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> ApiResult<T> {
    let _slot = ARGON2_SLOTS
        .acquire()
        .await
        .map_err(|_| ApiError::internal("password hashing is shutting down"))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal(format!("{what} task: {e}")))
}

async fn hash(password: String) -> ApiResult<String> {
    argon2("password hashing", move || auth::hash_password(&password)).await?
}

async fn verify(hash: Option<String>, password: String) -> ApiResult<bool> {
    argon2("password check", move || match hash {
        Some(h) => auth::verify_password(&h, &password),
        None => auth::verify_unknown_user(&password),
    })
    .await
}

/// Opens a session for `customer` in `store`: stores it and signs its JWT.
async fn open_session(
    state: &AppState,
    store: &StoreRow,
    customer: &Customer,
    now: i64,
) -> ApiResult<Session> {
    let session_id = object_id();
    let expires = now.saturating_add(SESSION_TTL_MS);
    let claims = Claims {
        iss: ISSUER.to_string(),
        aud: AUDIENCE.to_string(),
        sub: customer.id.clone(),
        iat: now.div_euclid(1000),
        nbf: now.div_euclid(1000),
        exp: expires.div_euclid(1000),
        jti: session_id.clone(),
        typ: TokenKind::Session,
        tenant: None,
        store: Some(store.id.clone()),
        scopes: Vec::new(),
    };
    let jwt = state.keys.sign(&claims)?;
    let statement = sqlx::query(
        "INSERT INTO client_sessions (id, customer_id, store_id, created, expires) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&session_id)
    .bind(&customer.id)
    .bind(&store.id)
    .bind(now)
    .bind(expires);
    state.store.write(statement).await?;
    Ok(Session {
        _id: Some(session_id),
        jwt: Some(jwt),
        expires: Some(expires as f64),
        user: None,
    })
}

/// `login(email, password)`. Wrong logins are budgeted per account and per client IP
/// ([`crate::limits`]): over budget the attempt is `RATE_LIMITED` before any password check.
pub(crate) async fn login(
    state: &AppState,
    ctx: &RequestContext,
    req: &ClientRequest,
    email: &str,
    password: &str,
) -> ApiResult<LoginResult> {
    let email = decode_base64("email", email)?.trim().to_lowercase();
    let password = decode_base64("password", password)?;
    let attempt = state
        .limits
        .login_attempt(ctx, &format!("client:{}:{email}", req.store.id))
        .await?;
    let row = sqlx::query(&format!(
        "SELECT {CUSTOMER_COLUMNS}, c.password_hash FROM client_customers c WHERE c.store_id = $1 AND c.email = $2"
    ))
    .bind(&req.store.id)
    .bind(&email)
    .fetch_optional(&state.store.pool)
    .await?;
    let (customer, hash) = match &row {
        Some(r) => (
            Some(Customer::from_row(r)?),
            Some(col::<String>(r, "password_hash")?),
        ),
        None => (None, None),
    };
    // An unknown email spends the same time on a dummy hash and gets the same answer.
    let ok = verify(hash, password).await?;
    let customer = match customer {
        Some(c) if ok => c,
        _ => return Err(ApiError::unauthenticated(INVALID_CREDENTIALS)),
    };
    attempt.succeeded().await?;
    let now = state.now_ms();
    let mut session = open_session(state, &req.store, &customer, now).await?;
    let count = sessions_count(state, &customer.id, now).await?;
    session.user = Some(user_of(&customer, Some(count)));
    Ok(LoginResult {
        session: Some(session),
        sessions_count: Some(count),
    })
}

/// `register(email, password, firstName, lastName)`.
pub(crate) async fn register(
    state: &AppState,
    req: &ClientRequest,
    email: &str,
    password: &str,
    first_name: Option<String>,
    last_name: Option<String>,
) -> ApiResult<RegisterResult> {
    let email = decode_base64("email", email)?.trim().to_lowercase();
    let password = decode_base64("password", password)?;
    if !is_valid_email(&email) {
        return Err(ApiError::bad_input("`email` is not a valid email address")
            .with_extension("argument", "email"));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::bad_input(format!(
            "`password` must be at least {MIN_PASSWORD_CHARS} characters long"
        ))
        .with_extension("argument", "password"));
    }
    let first_name = clean_text("firstName", first_name)?;
    let last_name = clean_text("lastName", last_name)?;
    let store = &req.store;
    let taken: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM client_customers WHERE store_id = $1 AND email = $2",
    )
    .bind(&store.id)
    .bind(&email)
    .fetch_one(&state.store.pool)
    .await?;
    let already = || {
        ApiError::conflict("an account with this email already exists in this store")
            .with_extension("argument", "email")
    };
    if taken > 0 {
        return Err(already());
    }
    let password_hash = hash(password).await?;
    let now = state.now_ms();
    let customer = Customer {
        id: object_id(),
        num_id: ids::numeric_id(),
        email,
        first_name,
        last_name,
        telephone: None,
        tax_number: None,
        organisation: None,
        is_subscribed: false,
    };
    // Two registrations of one email may race: the unique key decides.
    sqlx::query(
        "INSERT INTO client_customers (id, store_id, num_id, email, password_hash, first_name, last_name, is_subscribed, created) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&customer.id)
    .bind(&store.id)
    .bind(customer.num_id)
    .bind(&customer.email)
    .bind(&password_hash)
    .bind(customer.first_name.clone())
    .bind(customer.last_name.clone())
    .bind(false)
    .bind(now)
    .execute(&state.store.pool)
    .await
    .on_unique(CUSTOMER_EMAIL, already)?;
    let mut session = open_session(state, store, &customer, now).await?;
    let user = user_of(&customer, Some(1));
    session.user = Some(user.clone());
    let greeting = customer
        .first_name
        .clone()
        .unwrap_or_else(|| customer.email.clone());
    Ok(RegisterResult {
        message: Some(format!(
            "Welcome, {greeting}: your account at {} is ready and you are signed in.",
            store.name
        )),
        user: Some(user),
        session: Some(session),
    })
}

/// `logout(allSessions)`.
pub(crate) async fn logout(state: &AppState, req: &ClientRequest, all: bool) -> ApiResult<bool> {
    let p = req.principal()?;
    let now = state.now_ms();
    let q = if all {
        sqlx::query(
            "UPDATE client_sessions SET revoked = $1 WHERE customer_id = $2 AND store_id = $3 AND revoked IS NULL",
        )
        .bind(now)
        .bind(&p.customer.id)
        .bind(&req.store.id)
    } else {
        sqlx::query("UPDATE client_sessions SET revoked = $1 WHERE id = $2 AND revoked IS NULL")
            .bind(now)
            .bind(&p.session_id)
    };
    state.store.write(q).await?;
    Ok(true)
}

/// `me`: the signed-in customer, or null.
pub(crate) async fn me(state: &AppState, req: &ClientRequest) -> ApiResult<Option<User>> {
    let Some(c) = req.customer() else {
        return Ok(None);
    };
    let count = sessions_count(state, &c.id, state.now_ms()).await?;
    Ok(Some(user_of(c, Some(count))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_arguments() {
        assert_eq!(
            decode_base64("email", "YnV5ZXJAZXhhbXBsZS5jb20=").ok(),
            Some("buyer@example.com".to_string())
        );
        assert!(decode_base64("email", "base64-encoded-email-address-string").is_err());
        assert!(decode_base64("email", "YnV5ZXJAZXhhbXBsZS5jb20").is_err()); // unpadded
        assert!(decode_base64("password", "//79").is_err()); // not UTF-8
    }
}
