-- Purchase API (seed 003): stores, catalogue, pricing rules, API tokens and carts.
-- Money and rates are decimal text (exact); times are ms since the epoch.

CREATE TABLE purchase_stores (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    default_currency TEXT NOT NULL,
    default_language TEXT NOT NULL,
    languages TEXT NOT NULL,                 -- comma-separated cultures
    default_tax_type TEXT NOT NULL,
    shipping_tax_type TEXT NOT NULL,
    payment_tax_type TEXT NOT NULL,
    weight_unit TEXT NOT NULL,
    fulfillment_center_id TEXT,
    fulfillment_center_name TEXT
);

CREATE TABLE purchase_currencies (
    store_id TEXT NOT NULL REFERENCES purchase_stores (id),
    code TEXT NOT NULL,
    symbol TEXT NOT NULL,
    exchange_rate TEXT NOT NULL,             -- units per one unit of the store's default currency
    decimal_digits BIGINT NOT NULL CHECK (decimal_digits >= 0 AND decimal_digits <= 4),
    custom_formatting TEXT,
    PRIMARY KEY (store_id, code)
);

CREATE TABLE purchase_products (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES purchase_stores (id),
    sku TEXT NOT NULL,
    names TEXT NOT NULL,                     -- JSON object: culture -> name
    product_type TEXT NOT NULL,
    tax_type TEXT,
    is_active BOOLEAN NOT NULL,
    in_stock BIGINT NOT NULL CHECK (in_stock >= 0),
    weight TEXT,
    catalog_id TEXT,
    category_id TEXT,
    image_url TEXT,
    outer_id TEXT,
    vendor_id TEXT,
    vendor_name TEXT
);
CREATE UNIQUE INDEX purchase_products_store_sku ON purchase_products (store_id, sku);

CREATE TABLE purchase_prices (
    product_id TEXT NOT NULL REFERENCES purchase_products (id),
    currency TEXT NOT NULL,
    list_price TEXT NOT NULL,
    sale_price TEXT,
    PRIMARY KEY (product_id, currency)
);

CREATE TABLE purchase_tax_rates (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES purchase_stores (id),
    tax_type TEXT NOT NULL,
    country_code TEXT,                       -- NULL: any country
    region_id TEXT,                          -- NULL: any region
    rate TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX purchase_tax_rates_store ON purchase_tax_rates (store_id);

CREATE TABLE purchase_shipping_methods (
    store_id TEXT NOT NULL REFERENCES purchase_stores (id),
    code TEXT NOT NULL,
    option_name TEXT NOT NULL,
    description TEXT NOT NULL,
    logo_url TEXT,
    priority BIGINT NOT NULL,
    base_price TEXT NOT NULL,
    price_per_kg TEXT NOT NULL,
    is_active BOOLEAN NOT NULL,
    PRIMARY KEY (store_id, code, option_name)
);

CREATE TABLE purchase_payment_methods (
    store_id TEXT NOT NULL REFERENCES purchase_stores (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    logo_url TEXT,
    payment_method_type TEXT NOT NULL,
    group_type TEXT NOT NULL,
    priority BIGINT NOT NULL,
    fee TEXT NOT NULL,
    is_available_for_partial BOOLEAN NOT NULL,
    is_active BOOLEAN NOT NULL,
    PRIMARY KEY (store_id, code)
);

CREATE TABLE purchase_promotions (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES purchase_stores (id),
    description TEXT NOT NULL,
    coupon_code TEXT,
    reward TEXT NOT NULL,                    -- JSON, see domain::purchase::promotions::Reward
    min_subtotal TEXT,
    starts_ms BIGINT,
    ends_ms BIGINT,
    is_active BOOLEAN NOT NULL,
    priority BIGINT NOT NULL
);
CREATE INDEX purchase_promotions_store ON purchase_promotions (store_id);

CREATE TABLE purchase_dynamic_properties (
    id TEXT PRIMARY KEY,
    object_type TEXT NOT NULL,               -- Cart, LineItem, Shipment, Payment
    name TEXT NOT NULL,
    value_type TEXT NOT NULL,
    is_array BOOLEAN NOT NULL,
    is_dictionary BOOLEAN NOT NULL,
    is_multilingual BOOLEAN NOT NULL,
    is_required BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX purchase_dynamic_properties_name ON purchase_dynamic_properties (object_type, name);

CREATE TABLE purchase_dictionary_items (
    property_id TEXT NOT NULL REFERENCES purchase_dynamic_properties (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    labels TEXT NOT NULL,                    -- JSON object: culture -> label
    PRIMARY KEY (property_id, id)
);

-- Customers known by name (for `customerName`).
CREATE TABLE purchase_customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

-- API tokens, stored as the SHA-256 (hex) of the token: a token binds its user id.
CREATE TABLE purchase_api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

-- Carts and wishlists: key columns for lookups and lists, the content as one JSON document.
-- Every change takes the row with `UPDATE … SET version = version + 1 … RETURNING` inside the
-- write transaction, so concurrent changes of one cart are serialized and none is lost.
CREATE TABLE purchase_carts (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    name TEXT NOT NULL,
    user_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    cart_type TEXT NOT NULL CHECK (cart_type IN ('cart', 'wishlist')),
    is_anonymous BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    comment TEXT,
    created_ms BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE UNIQUE INDEX purchase_carts_key ON purchase_carts (store_id, user_id, name, currency, cart_type);
CREATE INDEX purchase_carts_user_created ON purchase_carts (user_id, created_ms);
CREATE INDEX purchase_carts_user_modified ON purchase_carts (user_id, modified_ms);
CREATE INDEX purchase_carts_user_name ON purchase_carts (user_id, name);
