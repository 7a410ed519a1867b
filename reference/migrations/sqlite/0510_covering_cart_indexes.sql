-- cart-admin `carts` counts every cart that matches (`totalCount`), and every listing also
-- tests `expires_at > now`. `expires_at` was in none of the listing indexes, so each matching
-- cart's row (with its JSON document) was read to test it: 147 ms at 10^5 matching carts in the
-- benchmark's growth phase. With `item_count` and `expires_at` in the index, the count and the
-- page read the index alone. The narrower indexes these replace are dropped, so a cart write
-- maintains one index fewer than before.
DROP INDEX shop_carts_state_updated;
DROP INDEX shop_carts_state_updated_items;
DROP INDEX shop_carts_customer_updated;
DROP INDEX shop_carts_updated;
CREATE INDEX shop_carts_state_listing ON shop_carts (tenant, state, updated_at, id, item_count, expires_at);
CREATE INDEX shop_carts_customer_listing ON shop_carts (tenant, customer_identifier, updated_at, id, item_count, expires_at);
CREATE INDEX shop_carts_listing ON shop_carts (tenant, updated_at, id, item_count, expires_at);
