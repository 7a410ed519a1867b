-- Marketplace seller API (schemas/marketplace.graphql).
--
-- Ids are the numeric legacy ids of the Relay global ids (`Advert-100070734`), allocated from
-- mp_sequences. Money is integer cents, times are ms since the epoch. Flags are INTEGER 0/1 (the
-- sqlx Any driver cannot read SQLite BOOLEAN columns). The same file exists for SQLite.

-- Id allocation: one row per id space; `UPDATE … RETURNING` hands out blocks.
CREATE TABLE mp_sequences (
    name TEXT PRIMARY KEY,
    next_id BIGINT NOT NULL
);
INSERT INTO mp_sequences (name, next_id) VALUES
    ('advert', 100100000),
    ('variant', 100000),
    ('attachment', 400000),
    ('inventory', 10000),
    ('invoice', 40000),
    ('line_item', 10000),
    ('shipment', 400000);

-- Sellers and the member stores of multi-store sellers (parent_id). Only sellers have API keys,
-- stored as sha256 hex.
CREATE TABLE mp_sellers (
    id BIGINT PRIMARY KEY,
    business_name TEXT NOT NULL,
    api_key_hash TEXT UNIQUE,
    parent_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX mp_sellers_parent ON mp_sellers (parent_id);

-- Shared catalogue.
CREATE TABLE mp_brands (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    slug TEXT NOT NULL
);
CREATE INDEX mp_brands_name ON mp_brands (name, id);
CREATE INDEX mp_brands_name_lower ON mp_brands (name_lower);

CREATE TABLE mp_prototypes (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE mp_option_types (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    presentation TEXT,
    applied_to TEXT NOT NULL CHECK (applied_to IN ('ADVERT', 'VARIANT')),
    field_type TEXT NOT NULL CHECK (field_type IN ('SINGLE_SELECT', 'MULTI_SELECT', 'FREE_TEXT', 'INTEGER', 'DECIMAL')),
    optional INTEGER NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE mp_prototype_option_types (
    prototype_id BIGINT NOT NULL REFERENCES mp_prototypes (id),
    option_type_id BIGINT NOT NULL REFERENCES mp_option_types (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (prototype_id, option_type_id)
);
CREATE INDEX mp_prototype_option_types_order ON mp_prototype_option_types (prototype_id, position, option_type_id);

CREATE TABLE mp_option_values (
    id BIGINT PRIMARY KEY,
    option_type_id BIGINT NOT NULL REFERENCES mp_option_types (id),
    name TEXT NOT NULL,
    display_name TEXT,
    position INTEGER NOT NULL
);
CREATE INDEX mp_option_values_type ON mp_option_values (option_type_id, position, id);

CREATE TABLE mp_taxons (
    id BIGINT PRIMARY KEY,
    parent_id BIGINT REFERENCES mp_taxons (id),
    tree_name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    url_slug TEXT NOT NULL,
    taxon_type TEXT,
    prototype_id BIGINT REFERENCES mp_prototypes (id),
    requires_vetting INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mp_taxons_tree_name ON mp_taxons (tree_name, id);
CREATE INDEX mp_taxons_parent ON mp_taxons (parent_id);

CREATE TABLE mp_shipping_profiles (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT
);
CREATE INDEX mp_shipping_profiles_name ON mp_shipping_profiles (name, id);

CREATE TABLE mp_carriers (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    homepage_link TEXT,
    tracking_link_template TEXT
);

-- Adverts (soft-deleted: deleted_at). published/displayable are derived by
-- domain::marketplace::vetting and stored so that lists can filter on them.
CREATE TABLE mp_adverts (
    id BIGINT PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES mp_sellers (id),
    title TEXT,
    description TEXT,
    brand_id BIGINT REFERENCES mp_brands (id),
    taxon_id BIGINT REFERENCES mp_taxons (id),
    price_cents BIGINT CHECK (price_cents IS NULL OR price_cents >= 0),
    sale_price_cents BIGINT CHECK (sale_price_cents IS NULL OR sale_price_cents >= 0),
    sale_type TEXT,
    price_type TEXT,
    price_unit TEXT,
    specifications TEXT,
    product_features TEXT,
    youtube_video_url TEXT,
    custom_iframe_url TEXT,
    code TEXT,
    publish_requested INTEGER NOT NULL DEFAULT 0,
    published INTEGER NOT NULL DEFAULT 0,
    displayable INTEGER NOT NULL DEFAULT 0,
    featured INTEGER NOT NULL DEFAULT 0,
    vetted INTEGER NOT NULL DEFAULT 0,
    requires_vetting INTEGER NOT NULL DEFAULT 0,
    vetting_rejected INTEGER NOT NULL DEFAULT 0,
    vetting_rejected_reason TEXT,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX mp_adverts_seller_updated ON mp_adverts (seller_id, updated_at, id, deleted_at);
CREATE INDEX mp_adverts_seller_id ON mp_adverts (seller_id, id);
CREATE INDEX mp_adverts_seller_brand ON mp_adverts (seller_id, brand_id, id);
CREATE INDEX mp_adverts_seller_taxon ON mp_adverts (seller_id, taxon_id, id);
CREATE INDEX mp_adverts_deleted ON mp_adverts (deleted_at);
-- advertsWhere's status and vetting filters.
CREATE INDEX mp_adverts_seller_displayable ON mp_adverts (seller_id, displayable, id);
CREATE INDEX mp_adverts_seller_requires_vetting ON mp_adverts (seller_id, requires_vetting, id);
CREATE INDEX mp_adverts_seller_rejected ON mp_adverts (seller_id, vetting_rejected, id);

-- Variants. `live` is 1 while neither the variant nor its advert is deleted; SKUs are unique
-- among a seller's live variants.
CREATE TABLE mp_variants (
    id BIGINT PRIMARY KEY,
    advert_id BIGINT NOT NULL REFERENCES mp_adverts (id),
    seller_id BIGINT NOT NULL REFERENCES mp_sellers (id),
    sku TEXT,
    barcode TEXT,
    description TEXT,
    price_cents BIGINT CHECK (price_cents IS NULL OR price_cents >= 0),
    sale_price_cents BIGINT CHECK (sale_price_cents IS NULL OR sale_price_cents >= 0),
    count_on_hand BIGINT NOT NULL DEFAULT 0 CHECK (count_on_hand >= 0),
    infinite_quantity INTEGER NOT NULL DEFAULT 0,
    published INTEGER NOT NULL DEFAULT 1,
    max_purchase_quantity BIGINT,
    min_purchase_quantity BIGINT,
    item_size DOUBLE PRECISION,
    comparable_size DOUBLE PRECISION,
    item_unit TEXT,
    comparable_unit TEXT,
    shipping_profile_id BIGINT REFERENCES mp_shipping_profiles (id),
    parcel_length DOUBLE PRECISION,
    parcel_width DOUBLE PRECISION,
    parcel_height DOUBLE PRECISION,
    parcel_weight DOUBLE PRECISION,
    live INTEGER NOT NULL DEFAULT 1,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX mp_variants_advert ON mp_variants (advert_id, id);
CREATE INDEX mp_variants_seller ON mp_variants (seller_id, live, id);
CREATE INDEX mp_variants_seller_sku ON mp_variants (seller_id, sku);
CREATE INDEX mp_variants_seller_barcode ON mp_variants (seller_id, barcode);
CREATE UNIQUE INDEX mp_variants_live_sku ON mp_variants (seller_id, sku) WHERE live = 1 AND sku IS NOT NULL;

-- Option values chosen on adverts and variants, in order.
CREATE TABLE mp_advert_option_values (
    advert_id BIGINT NOT NULL REFERENCES mp_adverts (id),
    position INTEGER NOT NULL,
    option_type_id BIGINT NOT NULL REFERENCES mp_option_types (id),
    option_value_id BIGINT REFERENCES mp_option_values (id),
    text_value TEXT,
    PRIMARY KEY (advert_id, position)
);

CREATE TABLE mp_variant_option_values (
    variant_id BIGINT NOT NULL REFERENCES mp_variants (id),
    position INTEGER NOT NULL,
    option_type_id BIGINT NOT NULL REFERENCES mp_option_types (id),
    option_value_id BIGINT REFERENCES mp_option_values (id),
    text_value TEXT,
    PRIMARY KEY (variant_id, position)
);

-- Images of adverts (variant_id NULL) and of variants.
CREATE TABLE mp_images (
    id BIGINT PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES mp_sellers (id),
    advert_id BIGINT NOT NULL REFERENCES mp_adverts (id),
    variant_id BIGINT REFERENCES mp_variants (id),
    url TEXT NOT NULL,
    alt TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX mp_images_advert ON mp_images (advert_id, variant_id, id);
CREATE INDEX mp_images_variant ON mp_images (variant_id, id);

-- Documents are the seller's files, attached to one or more adverts.
CREATE TABLE mp_documents (
    id BIGINT PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES mp_sellers (id),
    url TEXT NOT NULL,
    filename TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE mp_advert_documents (
    advert_id BIGINT NOT NULL REFERENCES mp_adverts (id),
    document_id BIGINT NOT NULL REFERENCES mp_documents (id),
    PRIMARY KEY (advert_id, document_id)
);
CREATE INDEX mp_advert_documents_document ON mp_advert_documents (document_id);

-- Uploaded files (images and documents given as dataBase64), served at
-- /marketplace/graphql/files/{id}/{filename}.
CREATE TABLE mp_files (
    id TEXT PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES mp_sellers (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data_base64 TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Multi-store inventory records of variants.
CREATE TABLE mp_inventories (
    id BIGINT PRIMARY KEY,
    variant_id BIGINT NOT NULL REFERENCES mp_variants (id),
    store_id BIGINT NOT NULL REFERENCES mp_sellers (id),
    count_on_hand BIGINT NOT NULL CHECK (count_on_hand >= 0),
    infinite_quantity INTEGER NOT NULL DEFAULT 0,
    price_cents BIGINT,
    sale_price_cents BIGINT
);
CREATE INDEX mp_inventories_variant ON mp_inventories (variant_id, id);

-- Metadata and external ids of adverts, variants, invoices and shipments.
CREATE TABLE mp_key_values (
    owner_type TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('metadata', 'external')),
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (owner_type, owner_id, kind, position)
);
CREATE INDEX mp_key_values_value ON mp_key_values (owner_type, kind, value);

-- Invoices: the seller's part of an order. status_rank and shipped_state are derived by
-- domain::marketplace::invoice / shipping and kept in step in the same transaction.
CREATE TABLE mp_invoices (
    id BIGINT PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES mp_sellers (id),
    order_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    paid_at BIGINT,
    remitted_at BIGINT,
    payment_under_review INTEGER NOT NULL DEFAULT 0,
    awaiting_return INTEGER NOT NULL DEFAULT 0,
    awaiting_refund INTEGER NOT NULL DEFAULT 0,
    refunded INTEGER NOT NULL DEFAULT 0,
    cancelled INTEGER NOT NULL DEFAULT 0,
    ready INTEGER NOT NULL DEFAULT 0,
    collected INTEGER NOT NULL DEFAULT 0,
    shipped_state INTEGER NOT NULL DEFAULT 0,
    status_rank INTEGER NOT NULL DEFAULT 0,
    shipping_cost_cents BIGINT NOT NULL,
    discount_cents BIGINT NOT NULL,
    subtotal_cents BIGINT NOT NULL,
    total_cents BIGINT NOT NULL,
    buyer_email TEXT,
    buyer_email_lower TEXT,
    buyer_first_name TEXT,
    buyer_surname TEXT,
    buyer_phone TEXT
);
CREATE INDEX mp_invoices_seller ON mp_invoices (seller_id, id);
CREATE INDEX mp_invoices_seller_updated ON mp_invoices (seller_id, updated_at, id);
CREATE INDEX mp_invoices_seller_created ON mp_invoices (seller_id, created_at, id);
CREATE INDEX mp_invoices_seller_paid ON mp_invoices (seller_id, paid_at, id);
CREATE INDEX mp_invoices_seller_remitted ON mp_invoices (seller_id, remitted_at, id);
CREATE INDEX mp_invoices_seller_status ON mp_invoices (seller_id, status_rank, id);
-- Sorting by paid or remitted time puts unpaid (null) invoices last in either direction: the
-- sort keys are these exact expressions (see apis/marketplace/queries.rs).
CREATE INDEX mp_invoices_seller_paid_asc ON mp_invoices (seller_id, (COALESCE(paid_at, 9223372036854775807)), id);
CREATE INDEX mp_invoices_seller_paid_desc ON mp_invoices (seller_id, (COALESCE(paid_at, -9223372036854775807)), id);
CREATE INDEX mp_invoices_seller_remitted_asc ON mp_invoices (seller_id, (COALESCE(remitted_at, 9223372036854775807)), id);
CREATE INDEX mp_invoices_seller_remitted_desc ON mp_invoices (seller_id, (COALESCE(remitted_at, -9223372036854775807)), id);
CREATE INDEX mp_invoices_seller_shipped ON mp_invoices (seller_id, shipped_state, id);
CREATE INDEX mp_invoices_seller_order ON mp_invoices (seller_id, order_id);
CREATE INDEX mp_invoices_seller_email ON mp_invoices (seller_id, buyer_email_lower);

-- Line items: never more shipped than ordered (the conditional update in shipmentCreate, and
-- this CHECK as a backstop).
CREATE TABLE mp_line_items (
    id BIGINT PRIMARY KEY,
    invoice_id BIGINT NOT NULL REFERENCES mp_invoices (id),
    variant_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    shipped_quantity BIGINT NOT NULL DEFAULT 0 CHECK (shipped_quantity >= 0 AND shipped_quantity <= quantity),
    unit_price_cents BIGINT NOT NULL
);
CREATE INDEX mp_line_items_invoice ON mp_line_items (invoice_id, id);

CREATE TABLE mp_shipments (
    id BIGINT PRIMARY KEY,
    invoice_id BIGINT NOT NULL REFERENCES mp_invoices (id),
    seller_id BIGINT NOT NULL REFERENCES mp_sellers (id),
    carrier_id BIGINT NOT NULL REFERENCES mp_carriers (id),
    dispatched_at BIGINT NOT NULL,
    tracking_number TEXT NOT NULL,
    note TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX mp_shipments_invoice ON mp_shipments (invoice_id, id);

CREATE TABLE mp_shipped_items (
    shipment_id BIGINT NOT NULL REFERENCES mp_shipments (id),
    line_item_id BIGINT NOT NULL REFERENCES mp_line_items (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shipment_id, line_item_id)
);
CREATE INDEX mp_shipped_items_line_item ON mp_shipped_items (line_item_id);

-- Per-seller row counts, kept by triggers (so rows inserted by any path, bulk loads included,
-- are counted): the totalCount of the unfiltered allAdverts, invoices and variantsWhere lists
-- without a COUNT over millions of rows. kind: 'adverts' (every row, deleted ones included),
-- 'invoices', 'live_variants'.
CREATE TABLE mp_seller_counts (
    seller_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (seller_id, kind)
);
CREATE INDEX mp_adverts_seller_deleted ON mp_adverts (seller_id, deleted_at);

CREATE FUNCTION mp_count_rows() RETURNS trigger AS $$
DECLARE
    v_kind TEXT := TG_ARGV[0];
    v_delta BIGINT;
    v_seller BIGINT;
BEGIN
    -- Each branch only names the columns its table has (plpgsql resolves them when run).
    IF v_kind = 'live_variants' THEN
        IF TG_OP = 'INSERT' THEN
            v_seller := NEW.seller_id;
            v_delta := NEW.live;
        ELSIF TG_OP = 'DELETE' THEN
            v_seller := OLD.seller_id;
            v_delta := -OLD.live;
        ELSE
            v_seller := NEW.seller_id;
            v_delta := NEW.live - OLD.live;
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        v_seller := NEW.seller_id;
        v_delta := 1;
    ELSE
        v_seller := OLD.seller_id;
        v_delta := -1;
    END IF;
    IF v_delta <> 0 THEN
        INSERT INTO mp_seller_counts (seller_id, kind, n) VALUES (v_seller, v_kind, v_delta)
            ON CONFLICT (seller_id, kind) DO UPDATE SET n = mp_seller_counts.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER mp_adverts_count AFTER INSERT OR DELETE ON mp_adverts
    FOR EACH ROW EXECUTE FUNCTION mp_count_rows('adverts');
CREATE TRIGGER mp_invoices_count AFTER INSERT OR DELETE ON mp_invoices
    FOR EACH ROW EXECUTE FUNCTION mp_count_rows('invoices');
CREATE TRIGGER mp_variants_count AFTER INSERT OR DELETE ON mp_variants
    FOR EACH ROW EXECUTE FUNCTION mp_count_rows('live_variants');
CREATE TRIGGER mp_variants_count_live AFTER UPDATE OF live ON mp_variants
    FOR EACH ROW WHEN (OLD.live <> NEW.live) EXECUTE FUNCTION mp_count_rows('live_variants');
