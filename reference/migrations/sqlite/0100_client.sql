-- The client (storefront) API: stores keyed by domain, their inventory (items, listings,
-- facet tags), customers and sessions, checkouts and their lines, orders, vouchers, shipping
-- rates and wantlists. Money is BIGINT minor units, times BIGINT ms since the epoch, ids TEXT.
-- Flags are INTEGER 0/1 here and BOOLEAN on PostgreSQL: sqlx's Any driver cannot read a column
-- declared BOOLEAN on SQLite (the code reads either through `sql::get_bool`).

CREATE TABLE client_stores (
    id TEXT PRIMARY KEY,                      -- configRef (ObjectId)
    domain TEXT NOT NULL UNIQUE,              -- lower case, e.g. www.my-vinyl-store.com
    name TEXT NOT NULL,
    currency TEXT NOT NULL,                   -- ISO 4217
    home_alpha2 TEXT NOT NULL,                -- ships here when no address is set
    tax_rate_bp BIGINT NOT NULL CHECK (tax_rate_bp >= 0),
    free_shipping_threshold BIGINT,           -- minor units; NULL: none
    created BIGINT NOT NULL
);

CREATE TABLE client_items (
    id TEXT PRIMARY KEY,                      -- _id
    store_id TEXT NOT NULL REFERENCES client_stores (id),
    num_id BIGINT NOT NULL,                   -- Item.id
    item_type TEXT NOT NULL,                  -- ReleaseItem | BookItem | ProductItem
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    path TEXT NOT NULL,
    handle TEXT,
    bitly TEXT,
    forbidden INTEGER NOT NULL DEFAULT 0,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,                  -- lower-case title, for sorting
    search_text TEXT NOT NULL,                -- lower-case title, artists, labels, catalogue numbers
    sort_price BIGINT NOT NULL,               -- lowest listing sale price; 9e18 without listings
    first_available BIGINT,                   -- earliest listing `available`
    data TEXT NOT NULL,                       -- ItemData as JSON
    descriptions TEXT,                        -- ItemDescriptions as JSON
    UNIQUE (store_id, num_id)
);
CREATE INDEX client_items_created ON client_items (store_id, created, num_id);
CREATE INDEX client_items_updated ON client_items (store_id, updated, num_id);
CREATE INDEX client_items_price ON client_items (store_id, sort_price, num_id);
CREATE INDEX client_items_title ON client_items (store_id, title_key, num_id);
CREATE INDEX client_items_available ON client_items (store_id, first_available);

-- Facet values of an item, one row per (kind, value): kinds are the filter names
-- (genres, styles, formats, formatDescriptions, countries, years, categories, itemTypes,
-- artists, labels, manufacturers, types).
CREATE TABLE client_item_tags (
    item_id TEXT NOT NULL REFERENCES client_items (id),
    store_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    value_key TEXT NOT NULL,                  -- lower case, for matching
    value TEXT NOT NULL,                      -- as shown
    PRIMARY KEY (item_id, kind, value_key)
);
CREATE INDEX client_item_tags_lookup ON client_item_tags (store_id, kind, value_key, item_id);

CREATE TABLE client_listings (
    id TEXT PRIMARY KEY,                      -- _id
    store_id TEXT NOT NULL REFERENCES client_stores (id),
    item_id TEXT NOT NULL REFERENCES client_items (id),
    num_id BIGINT NOT NULL,                   -- Listing.id, CheckoutItemInput.listingId
    available BIGINT NOT NULL,
    pre_order INTEGER NOT NULL DEFAULT 0,
    second_hand INTEGER NOT NULL DEFAULT 0,
    one_per_customer INTEGER NOT NULL DEFAULT 0,
    comments TEXT,
    categories TEXT NOT NULL,                 -- JSON array
    options TEXT NOT NULL,                    -- JSON array of {name, value}
    media_condition TEXT,                     -- lower-case "Media Condition" option
    stock BIGINT NOT NULL CHECK (stock >= 0),
    price_sale BIGINT NOT NULL CHECK (price_sale >= 0),
    price_compare BIGINT,
    position BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL,
    UNIQUE (store_id, num_id)
);
CREATE INDEX client_listings_item ON client_listings (item_id, stock);

CREATE TABLE client_customers (
    id TEXT PRIMARY KEY,                      -- _id
    store_id TEXT NOT NULL REFERENCES client_stores (id),
    num_id BIGINT NOT NULL,
    email TEXT NOT NULL,                      -- lower case
    password_hash TEXT NOT NULL,              -- argon2id PHC string
    first_name TEXT,
    last_name TEXT,
    telephone TEXT,
    tax_number TEXT,
    organisation TEXT,
    is_subscribed INTEGER NOT NULL DEFAULT 0,
    created BIGINT NOT NULL,
    UNIQUE (store_id, email),
    UNIQUE (store_id, num_id)
);

CREATE TABLE client_sessions (
    id TEXT PRIMARY KEY,                      -- Session._id, the JWT's jti
    customer_id TEXT NOT NULL REFERENCES client_customers (id),
    store_id TEXT NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    revoked BIGINT                            -- when logged out; NULL while active
);
CREATE INDEX client_sessions_customer ON client_sessions (customer_id, expires);

CREATE TABLE client_wantlist (
    customer_id TEXT NOT NULL REFERENCES client_customers (id),
    item_id TEXT NOT NULL REFERENCES client_items (id),
    added BIGINT NOT NULL,
    PRIMARY KEY (customer_id, item_id)
);

CREATE TABLE client_vouchers (
    store_id TEXT NOT NULL REFERENCES client_stores (id),
    code_key TEXT NOT NULL,                   -- lower case
    code TEXT NOT NULL,
    percent_bp BIGINT,                        -- a percentage (basis points) ...
    amount BIGINT,                            -- ... or a fixed amount (minor units)
    expires BIGINT,
    uses_left BIGINT CHECK (uses_left IS NULL OR uses_left >= 0),
    PRIMARY KEY (store_id, code_key)
);

CREATE TABLE client_shipping_rates (
    store_id TEXT NOT NULL REFERENCES client_stores (id),
    code TEXT NOT NULL,
    zone TEXT NOT NULL,                       -- space-separated alpha-2 codes, or '*'
    name TEXT NOT NULL,
    price BIGINT NOT NULL,
    per_kg BIGINT NOT NULL DEFAULT 0,
    max_weight_g BIGINT,
    free_eligible INTEGER NOT NULL DEFAULT 1,
    position BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, code, zone)
);

CREATE TABLE client_checkouts (
    id TEXT PRIMARY KEY,                      -- _id
    code TEXT NOT NULL UNIQUE,                -- Checkout.id, e.g. abc-AbC1d
    order_code TEXT NOT NULL UNIQUE,          -- the order id reserved for it, e.g. ord-AbC1d
    store_id TEXT NOT NULL REFERENCES client_stores (id),
    customer_id TEXT NOT NULL REFERENCES client_customers (id),
    origin TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'completed', 'expired', 'canceled')),
    message TEXT,
    order_id TEXT,
    use_single_address INTEGER NOT NULL DEFAULT 1,
    create_account INTEGER NOT NULL DEFAULT 0,
    buyer TEXT NOT NULL,                      -- CheckoutBuyer as JSON
    shipping_address TEXT,                    -- Address as JSON
    billing_address TEXT,                     -- Address as JSON
    shipping_method TEXT,
    shop_collection INTEGER NOT NULL DEFAULT 0,
    tracking TEXT,
    confirmation_email TEXT,
    voucher_code TEXT,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    expires BIGINT NOT NULL
);
CREATE INDEX client_checkouts_customer_created ON client_checkouts (customer_id, store_id, created);
CREATE INDEX client_checkouts_customer_updated ON client_checkouts (customer_id, store_id, updated);
CREATE INDEX client_checkouts_expiry ON client_checkouts (status, expires);

CREATE TABLE client_checkout_lines (
    id TEXT PRIMARY KEY,                      -- CheckoutItem._id
    checkout_id TEXT NOT NULL REFERENCES client_checkouts (id),
    code TEXT NOT NULL,                       -- CheckoutItem.id
    position BIGINT NOT NULL,
    listing_num BIGINT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity >= 1),
    added BIGINT NOT NULL
);
CREATE INDEX client_checkout_lines_checkout ON client_checkout_lines (checkout_id, position);

CREATE TABLE client_orders (
    id TEXT PRIMARY KEY,                      -- Order.id, e.g. ord-AbC1d
    store_id TEXT NOT NULL REFERENCES client_stores (id),
    customer_id TEXT NOT NULL REFERENCES client_customers (id),
    checkout_code TEXT NOT NULL UNIQUE,
    created BIGINT NOT NULL,
    status TEXT NOT NULL,
    shop_collection INTEGER NOT NULL,
    shipping_code TEXT,
    shipping_name TEXT,
    shipping_address TEXT,
    billing_address TEXT,
    buyer TEXT NOT NULL,
    voucher_code TEXT,
    subtotal BIGINT NOT NULL,
    subtotal_before_taxes BIGINT NOT NULL,
    tax BIGINT NOT NULL,
    shipping BIGINT NOT NULL,
    discount BIGINT NOT NULL,
    grand BIGINT NOT NULL,
    left_to_pay BIGINT NOT NULL,
    items_quantity BIGINT NOT NULL,
    item_quantity BIGINT NOT NULL,
    currency TEXT NOT NULL
);
CREATE INDEX client_orders_customer ON client_orders (customer_id, store_id, created);

CREATE TABLE client_order_lines (
    order_id TEXT NOT NULL REFERENCES client_orders (id),
    position BIGINT NOT NULL,
    customer_id TEXT NOT NULL,
    listing_id TEXT NOT NULL,
    listing_num BIGINT NOT NULL,
    item_num BIGINT,
    title TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity >= 1),
    unit_price BIGINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (order_id, position)
);
CREATE INDEX client_order_lines_customer ON client_order_lines (customer_id, listing_id);

-- Backstop of the one-per-customer rule: a second order of such a listing by the same
-- customer fails on this key even if two submissions race.
CREATE TABLE client_one_per_customer (
    customer_id TEXT NOT NULL,
    listing_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    PRIMARY KEY (customer_id, listing_id)
);
