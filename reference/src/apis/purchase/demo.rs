//! Demo data, loaded from `fixtures/purchase.json`: the stores, catalogue, pricing rules, tokens
//! and carts that make every example of seed 003 run as printed. The carts' lines hold the prices
//! the customer "saw" (what the cart rules capture), so the demo carts start without warnings;
//! the carts of the users that a demo token binds are theirs (not anonymous, see `access`).

use crate::state::AppState;
use crate::store::fixtures::{self, Values};

const SEEDED: &str = "seed:purchase";

/// The seed's user of the Electronics store; `demo-purchase-token` binds it.
pub const DEMO_USER: &str = "b57d06db-1638-4d37-9734-fd01a9bc59aa";
/// The seed's B2B user; `demo-purchase-token-2` binds it.
pub const B2B_USER: &str = "39e3f3c5-7dd3-40ce-b48b-99549c1cd702";
/// The anonymous visitor who owns cart `7777-7777-7777-7777`.
pub const VISITOR: &str = "a3c1e5f7-2b4d-4f6a-8c0e-1d3f5a7b9c2e";
/// The demo user's token.
pub const DEMO_TOKEN: &str = "demo-purchase-token";
/// The B2B user's token.
pub const B2B_TOKEN: &str = "demo-purchase-token-2";

/// The laptop of the seed (also the id of the demo cart's first line item).
pub const LAPTOP: &str = "9cbd8f316e254a679ba34a900fccb076";
/// A wireless mouse (the free item of `freeItemsCouponCode`).
pub const MOUSE: &str = "c3a1e0d2b4f64a7e8d9c0b1a2f3e4d5c";
/// Headphones (the seed's wishlist product).
pub const HEADPHONES: &str = "92e671024a8648de97dedcd488f58455";
/// A digital product.
pub const SOFTWARE: &str = "5f0c2b7e9a1d4c3b8e6f0a9d2c1b4e7f";
/// A product with 3 in stock.
pub const HUB: &str = "7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d";
/// A product no longer sold.
pub const OLD_CAMERA: &str = "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a";
/// A B2B product: a drill.
pub const DRILL: &str = "4e1f2a3b4c5d6e7f8091a2b3c4d5e6f7";
/// A B2B product: screws.
pub const SCREWS: &str = "6a7b8c9d0e1f2a3b4c5d6e7f80912a3b";

/// The demo user's Electronics cart.
pub const DEMO_CART: &str = "e1a6c7d2-4b3f-4c8e-9a1d-2f3e4a5b6c7d";
/// The anonymous cart the seed merges and removes.
pub const VISITOR_CART: &str = "7777-7777-7777-7777";
/// The seed's "Favorites" wishlist.
pub const WISHLIST_FAVORITES: &str = "ce682f58-3bbd-42e5-a576-08c82a86ca11";
/// The seed's "Gift ideas" wishlist.
pub const WISHLIST_GIFTS: &str = "1b249c7a-5b7b-434d-a9b5-56a67ff993fe";
/// The seed's B2B cart.
pub const B2B_CART: &str = "d77a2584-6b45-4b34-818a-9302ec15da5d";
/// The seed's mouse line.
pub const LINE_MOUSE: &str = "dab09410-aa1a-4daf-8a32-4e41abee77b8";
/// The seed's first shipment.
pub const SHIPMENT_A: &str = "7777-7777-7777-7777";
/// The seed's second shipment.
pub const SHIPMENT_B: &str = "79b8f095-9740-4353-998b-e1c4dd577ee6";
/// The seed's payment.
pub const PAYMENT: &str = "0859f1e8-16e8-4924-808b-47e03560085d";
/// The dictionary item of the seed's dictionary property.
pub const DICTIONARY_RED: &str = "578fadeb1d2a40b3b08b1daf8db09463";

/// Loads the demo data unless it is there.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let load = [(fixtures::PURCHASE, Values::at(state.now_ms()))];
    fixtures::load_once(&state.store, SEEDED, "1", &load).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::auth::sha256_hex;
    use crate::store::fixtures::resolved_for_test;

    #[tokio::test]
    async fn the_demo_tokens_products_and_carts_are_the_constants() {
        let rows = resolved_for_test(fixtures::PURCHASE, &[]).await;
        for (token, user) in [(DEMO_TOKEN, DEMO_USER), (B2B_TOKEN, B2B_USER)] {
            assert!(
                rows.table("purchase_api_tokens")
                    .any(|t| t["token_hash"] == sha256_hex(token) && t["user_id"] == user)
            );
        }
        for product in [
            LAPTOP, MOUSE, HEADPHONES, SOFTWARE, HUB, OLD_CAMERA, DRILL, SCREWS,
        ] {
            assert!(rows.table("purchase_products").any(|p| p["id"] == product));
        }
        assert!(
            rows.table("purchase_dictionary_items")
                .any(|i| i["id"] == DICTIONARY_RED)
        );
        let carts: Vec<_> = rows.table("purchase_carts").collect();
        for (cart, user) in [
            (DEMO_CART, DEMO_USER),
            (VISITOR_CART, VISITOR),
            (WISHLIST_FAVORITES, DEMO_USER),
            (WISHLIST_GIFTS, DEMO_USER),
            (B2B_CART, B2B_USER),
        ] {
            let row = carts.iter().find(|c| c["id"] == cart).unwrap();
            assert_eq!(row["user_id"], user);
            // The carts of the users a demo token binds are theirs.
            assert_eq!(row["is_anonymous"], user == VISITOR, "{cart}");
        }
        let demo = &carts.iter().find(|c| c["id"] == DEMO_CART).unwrap()["doc"];
        assert_eq!(demo["items"][0]["id"], LAPTOP);
        assert_eq!(demo["items"][1]["id"], LINE_MOUSE);
        assert_eq!(demo["shipments"][0]["id"], SHIPMENT_A);
        assert_eq!(demo["shipments"][1]["id"], SHIPMENT_B);
        assert_eq!(demo["payments"][0]["id"], PAYMENT);
    }
}
