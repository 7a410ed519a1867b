-- The shop API family (cart, cart admin, lock, usage): tenants and their access tokens, the
-- per-tenant catalogue (products, variants by SKU, market price lists), carts, promotions,
-- locks and usage counters. Times are BIGINT ms since the epoch; money is exact decimal text
-- (the cart's computed lines live in its JSON document); ids are TEXT.

CREATE TABLE shop_tenants (
    identifier TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

-- Access token pairs that may mint shop JWTs at POST /{tenant}/auth/token. The secret is kept
-- only as SHA-256(salt || secret); see apis/shop/tenants.rs.
CREATE TABLE shop_access_tokens (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL REFERENCES shop_tenants (identifier),
    secret_salt TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX shop_access_tokens_tenant ON shop_access_tokens (tenant);

CREATE TABLE shop_products (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    path TEXT NOT NULL,
    names TEXT NOT NULL,                      -- JSON {language: name}
    vat_percent TEXT NOT NULL,                -- decimal, 0..100
    topics TEXT NOT NULL,                     -- JSON [path]
    shortcuts TEXT NOT NULL,                  -- JSON [path]
    PRIMARY KEY (tenant, id)
);

CREATE TABLE shop_variants (
    tenant TEXT NOT NULL,
    sku TEXT NOT NULL,
    product_id TEXT NOT NULL,
    names TEXT NOT NULL,                      -- JSON {language: name}
    images TEXT NOT NULL,                     -- JSON [image]
    attributes TEXT NOT NULL,                 -- JSON {key: value}
    prices TEXT NOT NULL,                     -- JSON {price variant: decimal text | null}
    PRIMARY KEY (tenant, sku),
    FOREIGN KEY (tenant, product_id) REFERENCES shop_products (tenant, id)
);
CREATE INDEX shop_variants_product ON shop_variants (tenant, product_id);

-- Price lists: one row per (list, market, SKU, price variant).
CREATE TABLE shop_market_prices (
    tenant TEXT NOT NULL,
    sku TEXT NOT NULL,
    price_variant TEXT NOT NULL,
    price_list TEXT NOT NULL,
    market TEXT NOT NULL,
    price TEXT NOT NULL,                      -- decimal
    PRIMARY KEY (tenant, sku, price_variant, price_list, market)
);

-- A cart: the columns the admin lists and filters on, and the whole cart as JSON in `data`.
-- `version` is bumped by every change (the first statement of a change, which also takes
-- the row lock on PostgreSQL).
CREATE TABLE shop_carts (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('cart', 'placed', 'paid', 'ordered', 'abandoned')),
    customer_identifier TEXT,
    item_count BIGINT NOT NULL CHECK (item_count >= 0),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    ttl_ms BIGINT NOT NULL CHECK (ttl_ms > 0),
    expires_at BIGINT NOT NULL,
    stale_ttl_ms BIGINT,
    stale_at BIGINT,
    order_id TEXT,
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX shop_carts_updated ON shop_carts (tenant, updated_at, id);
CREATE INDEX shop_carts_state_updated ON shop_carts (tenant, state, updated_at, id);
CREATE INDEX shop_carts_customer_updated ON shop_carts (tenant, customer_identifier, updated_at, id);
CREATE INDEX shop_carts_expires ON shop_carts (expires_at);
CREATE INDEX shop_carts_stale ON shop_carts (state, stale_at);

CREATE TABLE shop_promotions (
    tenant TEXT NOT NULL,
    identifier TEXT NOT NULL,
    data TEXT NOT NULL,                       -- JSON domain::pricing::Promotion
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, identifier)
);

-- Locks: one row per held (or expired, not yet swept) key. Acquire is one upsert that only
-- overwrites an expired row; release deletes the caller's unexpired row.
CREATE TABLE shop_locks (
    tenant TEXT NOT NULL,
    key TEXT NOT NULL,
    holder TEXT NOT NULL,                     -- SHA-256 of the bearer token
    acquired_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, key)
);
CREATE INDEX shop_locks_expires ON shop_locks (expires_at);

-- Usage counters per tenant and UTC day. Rows: (api, '') requests to an API, (api, field)
-- requests that selected a root field, ('', 'cartsHydrated' | 'cartsPlaced' | 'cartsPaid').
-- Nodes add their in-memory counts with INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n.
CREATE TABLE shop_usage (
    tenant TEXT NOT NULL,
    day TEXT NOT NULL,                        -- YYYY-MM-DD
    api TEXT NOT NULL,
    operation TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (tenant, day, api, operation)
);
