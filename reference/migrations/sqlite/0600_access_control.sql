-- Access control: revocable purchase tokens and client stores, and the purchase API's one
-- ownership rule (apis/purchase/access.rs): a cart of a user id that a token binds is that
-- customer's, never anonymous.

ALTER TABLE purchase_api_tokens ADD COLUMN revoked_ms BIGINT;
CREATE INDEX purchase_api_tokens_user ON purchase_api_tokens (lower(user_id));
UPDATE purchase_carts SET is_anonymous = 0
    WHERE lower(user_id) IN (SELECT lower(user_id) FROM purchase_api_tokens);

-- A revoked store's origin no longer reaches the client API.
ALTER TABLE client_stores ADD COLUMN revoked BIGINT;
