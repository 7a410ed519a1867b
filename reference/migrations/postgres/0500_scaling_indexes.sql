-- Indexes found by the benchmark's growth phase (bench/FINDINGS.md): each lets a query that
-- scanned a whole tenant's or seller's rows seek to the ones it needs instead.

-- cart-admin `carts` with a state, an update range and `hasItems`: the count and the page read
-- the index alone (item_count was only in the table, so each matching cart's row, with its
-- JSON document, was read to test it).
CREATE INDEX shop_carts_state_updated_items ON shop_carts (tenant, state, updated_at, id, item_count);

-- marketplace `advertsWhere(variantSkus|variantBarcodes)` counts: an advert id found through the
-- variant indexes is checked by seek, with `deleted_at` (retention) in the index.
CREATE INDEX mp_adverts_seller_id_deleted ON mp_adverts (seller_id, id, deleted_at);

-- An advert's variants and their count (`Advert.variants`): SQLite otherwise preferred an index
-- on the seller, reading every variant of the seller.
CREATE INDEX mp_variants_advert_seller ON mp_variants (advert_id, seller_id, deleted_at, id);
