//! Provisioning for operators (`shopql-reference admin …`): creates and revokes the
//! credentials of every API on SQLite or PostgreSQL, without the demo data.
//!
//! | what | API | created | revoked |
//! |---|---|---|---|
//! | tenant + access key pair | shop, cart admin, lock, usage | `tenant create`, `access-key create` | `tenant revoke`, `access-key revoke` |
//! | seller API key | marketplace | `seller create` | `seller revoke` |
//! | purchase token bound to a user id | purchase | `purchase-token create` | `purchase-token revoke` |
//! | client store (origin → store) | client | `client-store create` | `client-store revoke` |
//!
//! Each secret is printed once, by the caller of these functions, and stored only as a
//! SHA-256 hash (salted for access key secrets). Secrets are 256 random bits from the OS.

use rand::RngCore;
use rand::rngs::OsRng;
use sqlx::AnyConnection;

use crate::apis::client::stores::normalize_domain;
use crate::apis::purchase::auth::MAX_ID_LEN;
use crate::apis::shop::tenants;
use crate::auth::sha256_hex;
use crate::store::{Store, object_id};

/// A new secret: `prefix` and 64 hex digits (256 bits from the OS's generator).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// `raw` trimmed, if it has 1 to `MAX_ID_LEN` characters; else an error naming `what`.
fn bounded<'a>(raw: &'a str, what: &str) -> anyhow::Result<&'a str> {
    let t = raw.trim();
    if t.is_empty() || t.len() > MAX_ID_LEN {
        anyhow::bail!("{what} must have 1 to {MAX_ID_LEN} characters");
    }
    Ok(t)
}

/// A tenant identifier as it appears in paths: 1 to 64 of `a-z`, `0-9` and `-`.
fn tenant_name(raw: &str) -> anyhow::Result<String> {
    let t = raw.trim().trim_start_matches('@');
    let ok = !t.is_empty()
        && t.len() <= 64
        && t.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        anyhow::bail!("tenant `{raw}`: use 1 to 64 characters a-z, 0-9 and -");
    }
    Ok(t.to_string())
}

/// An access key pair of a shop tenant, as created.
#[derive(Debug, Clone)]
pub struct AccessKey {
    /// The tenant.
    pub tenant: String,
    /// `x-crystallize-access-token-id`.
    pub id: String,
    /// `x-crystallize-access-token-secret` (shown once).
    pub secret: String,
}

/// Creates tenant `tenant` (if new) with a new access key pair.
pub async fn create_tenant(store: &Store, tenant: &str) -> anyhow::Result<AccessKey> {
    let tenant = tenant_name(tenant)?;
    let mut tx = store.begin().await?;
    tenants::create_tenant(&mut tx, &tenant, now_ms()).await?;
    let key = AccessKey {
        id: new_secret("ak_")[..27].to_string(),
        secret: new_secret(""),
        tenant,
    };
    tenants::add_access_token(&mut tx, &key.tenant, &key.id, &key.secret, now_ms()).await?;
    tx.commit().await?;
    Ok(key)
}

/// A new access key pair of an existing tenant.
pub async fn create_access_key(store: &Store, tenant: &str) -> anyhow::Result<AccessKey> {
    let tenant = tenant_name(tenant)?;
    let mut conn = store.pool.acquire().await?;
    let exists: Option<String> =
        sqlx::query_scalar("SELECT identifier FROM shop_tenants WHERE identifier = $1")
            .bind(&tenant)
            .fetch_optional(&mut *conn)
            .await?;
    drop(conn);
    if exists.is_none() {
        anyhow::bail!("no tenant `{tenant}`: create it with `admin tenant create {tenant}`");
    }
    create_tenant(store, &tenant).await
}

/// Revokes every access key pair of `tenant`: no new token can be minted for it. Returns how
/// many pairs were revoked. Tokens minted before stay valid until they expire.
pub async fn revoke_tenant(store: &Store, tenant: &str) -> anyhow::Result<u64> {
    let tenant = tenant_name(tenant)?;
    let done = sqlx::query("DELETE FROM shop_access_tokens WHERE tenant = $1")
        .bind(&tenant)
        .execute(&store.pool)
        .await?;
    Ok(done.rows_affected())
}

/// Revokes the access key pair `id`; false when there is none.
pub async fn revoke_access_key(store: &Store, id: &str) -> anyhow::Result<bool> {
    let done = sqlx::query("DELETE FROM shop_access_tokens WHERE id = $1")
        .bind(id.trim())
        .execute(&store.pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A marketplace seller and its API key, as created.
#[derive(Debug, Clone)]
pub struct SellerKey {
    /// The seller's numeric id.
    pub seller_id: i64,
    /// The API key (shown once).
    pub api_key: String,
}

/// Creates a marketplace seller named `business_name` with a new API key.
pub async fn create_seller(store: &Store, business_name: &str) -> anyhow::Result<SellerKey> {
    let name = bounded(business_name, "the business name")?;
    let api_key = new_secret("sk_");
    let mut tx = store.begin().await?;
    let conn: &mut AnyConnection = &mut tx;
    // Sellers are rare: the next id under the write transaction is enough.
    let seller_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM mp_sellers")
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO mp_sellers (id, business_name, api_key_hash, parent_id, created_at) \
         VALUES ($1, $2, $3, NULL, $4)",
    )
    .bind(seller_id)
    .bind(name)
    .bind(sha256_hex(&api_key))
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    tx.commit().await?;
    Ok(SellerKey { seller_id, api_key })
}

/// Gives seller `seller_id` a new API key, replacing (revoking) the old one.
pub async fn rotate_seller_key(store: &Store, seller_id: i64) -> anyhow::Result<SellerKey> {
    let api_key = new_secret("sk_");
    let done = sqlx::query("UPDATE mp_sellers SET api_key_hash = $2 WHERE id = $1")
        .bind(seller_id)
        .bind(sha256_hex(&api_key))
        .execute(&store.pool)
        .await?;
    if done.rows_affected() == 0 {
        anyhow::bail!("no seller {seller_id}");
    }
    Ok(SellerKey { seller_id, api_key })
}

/// Revokes the API key of seller `seller_id` (its data stays); false when there is none.
pub async fn revoke_seller(store: &Store, seller_id: i64) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE mp_sellers SET api_key_hash = NULL WHERE id = $1 AND api_key_hash IS NOT NULL",
    )
    .bind(seller_id)
    .execute(&store.pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Creates a purchase token bound to `user_id`. The user's existing carts become the
/// customer's at once (see `apis::purchase::access`).
pub async fn create_purchase_token(store: &Store, user_id: &str) -> anyhow::Result<String> {
    let user = bounded(user_id, "the user id")?;
    let token = new_secret("pt_");
    let mut tx = store.begin().await?;
    let conn: &mut AnyConnection = &mut tx;
    sqlx::query(
        "INSERT INTO purchase_api_tokens (token_hash, user_id, created_ms) VALUES ($1, $2, $3)",
    )
    .bind(sha256_hex(&token))
    .bind(user)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE purchase_carts SET is_anonymous = $2 WHERE lower(user_id) = lower($1)")
        .bind(user)
        .bind(false)
        .execute(&mut *conn)
        .await?;
    tx.commit().await?;
    Ok(token)
}

/// Revokes a purchase token (given as `token`) or every token of a user (`user_id`). The
/// user's carts stay the customer's. Returns how many tokens were revoked.
pub async fn revoke_purchase_tokens(
    store: &Store,
    token: Option<&str>,
    user_id: Option<&str>,
) -> anyhow::Result<u64> {
    let done = match (token, user_id) {
        (Some(t), None) => {
            sqlx::query(
                "UPDATE purchase_api_tokens SET revoked_ms = $2 \
                 WHERE token_hash = $1 AND revoked_ms IS NULL",
            )
            .bind(sha256_hex(t.trim()))
            .bind(now_ms())
            .execute(&store.pool)
            .await?
        }
        (None, Some(u)) => {
            sqlx::query(
                "UPDATE purchase_api_tokens SET revoked_ms = $2 \
                 WHERE lower(user_id) = lower($1) AND revoked_ms IS NULL",
            )
            .bind(u.trim())
            .bind(now_ms())
            .execute(&store.pool)
            .await?
        }
        _ => anyhow::bail!("give either a token or a user id"),
    };
    Ok(done.rows_affected())
}

/// A client store to create (also the arguments of `admin client-store create`).
#[derive(Debug, Clone, clap::Args)]
pub struct NewClientStore {
    /// The store's domain, e.g. `shop.example.com`: the origin that the `CommonGround-Origin`
    /// header names.
    #[arg(long)]
    pub origin: String,
    /// Display name.
    #[arg(long)]
    pub name: String,
    /// ISO 4217 currency of its prices.
    #[arg(long, default_value = "USD")]
    pub currency: String,
    /// ISO 3166 alpha-2 country it ships to by default.
    #[arg(long, default_value = "US")]
    pub country: String,
    /// Tax rate in basis points (2000 = 20 %).
    #[arg(long, default_value_t = 0)]
    pub tax_rate_bp: i64,
    /// Subtotal in minor units from which shipping is free.
    #[arg(long)]
    pub free_shipping_threshold: Option<i64>,
}

/// Creates a client store for an origin; returns its id (`configRef`).
pub async fn create_client_store(store: &Store, s: &NewClientStore) -> anyhow::Result<String> {
    let domain = normalize_domain(&s.origin);
    if domain.is_empty() || domain.len() > 253 {
        anyhow::bail!("origin `{}` names no domain", s.origin);
    }
    let currency = s.currency.trim().to_ascii_uppercase();
    let country = s.country.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        anyhow::bail!("currency `{}` is not an ISO 4217 code", s.currency);
    }
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        anyhow::bail!("country `{}` is not an ISO 3166 alpha-2 code", s.country);
    }
    if !(0..=10_000).contains(&s.tax_rate_bp) {
        anyhow::bail!("the tax rate is 0 to 10000 basis points");
    }
    let name = bounded(&s.name, "the store name")?;
    let id = object_id();
    sqlx::query(
        "INSERT INTO client_stores (id, domain, name, currency, home_alpha2, tax_rate_bp, \
         free_shipping_threshold, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&domain)
    .bind(name)
    .bind(&currency)
    .bind(&country)
    .bind(s.tax_rate_bp)
    .bind(s.free_shipping_threshold)
    .bind(now_ms())
    .execute(&store.pool)
    .await
    .map_err(|e| anyhow::anyhow!("creating the store of `{domain}`: {e}"))?;
    Ok(id)
}

/// Revokes the client store of `origin`: the origin no longer reaches the client API (its data
/// stays). False when no live store has that origin.
pub async fn revoke_client_store(store: &Store, origin: &str) -> anyhow::Result<bool> {
    let done =
        sqlx::query("UPDATE client_stores SET revoked = $2 WHERE domain = $1 AND revoked IS NULL")
            .bind(normalize_domain(origin))
            .bind(now_ms())
            .execute(&store.pool)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Revokes every demo credential a database may hold from an earlier demo run, so that a
/// server outside demo mode accepts none: the demo tenant's access key pair, the demo purchase
/// tokens, the demo sellers' API keys and the demo client stores (whose customer has a published
/// password). The demo data itself stays.
pub async fn revoke_demo_credentials(store: &Store) -> anyhow::Result<()> {
    use crate::apis::{client, marketplace, purchase, shop};
    let pairs = sqlx::query("DELETE FROM shop_access_tokens WHERE id = $1")
        .bind(shop::demo::DEMO_ACCESS_ID)
        .execute(&store.pool)
        .await?
        .rows_affected();
    let mut tokens = 0;
    for t in [purchase::demo::DEMO_TOKEN, purchase::demo::B2B_TOKEN] {
        tokens += revoke_purchase_tokens(store, Some(t), None).await?;
    }
    let mut keys = 0;
    for k in [
        marketplace::demo::DEMO_SELLER_KEY,
        marketplace::demo::DEMO_SELLER_2_KEY,
    ] {
        keys += sqlx::query("UPDATE mp_sellers SET api_key_hash = NULL WHERE api_key_hash = $1")
            .bind(sha256_hex(k))
            .execute(&store.pool)
            .await?
            .rows_affected();
    }
    let mut stores = 0;
    for d in [client::demo::VINYL_DOMAIN, client::demo::BOOK_DOMAIN] {
        stores += u64::from(revoke_client_store(store, d).await?);
    }
    if pairs + tokens + keys + stores > 0 {
        tracing::warn!(
            pairs,
            tokens,
            keys,
            stores,
            "revoked the demo credentials of an earlier demo run (not in demo mode)"
        );
    }
    Ok(())
}
