//! Demo data of the client API, loaded from `fixtures/client.json`: the seed's vinyl store
//! `www.my-vinyl-store.com` with the seed's release 12345 and its listing 1765470890000, more
//! releases and products covering every listing kind (in stock, out of stock, pre-order,
//! second-hand, one per customer, forbidden for sale), a book store `www.my-book-store.com`,
//! the demo customer `buyer@example.com` / `demo-password` in both stores, the seed's checkout
//! `abc-AbC1d` (so the seed's `CheckoutUpdateItems` runs as printed), shipping rates, vouchers
//! and a wantlist entry. The checkout's times start at the load, so it is open whenever the demo
//! starts.

use crate::state::AppState;
use crate::store::fixtures::{self, Values};

/// `meta` key set once the demo data is in (its value: the load time).
const SEEDED: &str = "client.demo.v1";

/// The vinyl store's `configRef` (the seed's).
pub const VINYL_STORE_ID: &str = "0f00d000d0000c0001111e00";
/// The vinyl store's domain.
pub const VINYL_DOMAIN: &str = "www.my-vinyl-store.com";
/// The book store's `configRef`.
pub const BOOK_STORE_ID: &str = "0f00d000d0000c0002222e00";
/// The book store's domain.
pub const BOOK_DOMAIN: &str = "www.my-book-store.com";
/// The demo customer's email.
pub const DEMO_EMAIL: &str = "buyer@example.com";
/// The demo customer's password.
pub const DEMO_PASSWORD: &str = "demo-password";
/// The demo customer's `_id` in the vinyl store (the seed's user `_id`).
pub const DEMO_CUSTOMER_ID: &str = "693af400000051c94884e0a4";
/// The seed's checkout id.
pub const DEMO_CHECKOUT_CODE: &str = "abc-AbC1d";
/// The seed's listing id.
pub const SEED_LISTING_ID: i64 = 1_765_470_890_000;

/// Loads the demo data unless it is there already.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let now = state.now_ms();
    let load = [(fixtures::CLIENT, Values::at(now))];
    fixtures::load_once(&state.store, SEEDED, &now.to_string(), &load).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;
    use crate::auth::verify_password;
    use crate::domain::checkout::expires_after;
    use crate::store::fixtures::{TEST_NOW as NOW, resolved_for_test};

    #[tokio::test]
    async fn demo_data_matches_the_seed() {
        let rows = resolved_for_test(fixtures::CLIENT, &[]).await;
        let items: Vec<_> = rows.table("client_items").collect();
        let seed = items.iter().find(|i| i["num_id"] == 12345).unwrap();
        assert_eq!(
            format!("https://{VINYL_DOMAIN}{}", seed["path"].as_str().unwrap()),
            "https://www.my-vinyl-store.com/release/9987654321/various-the-unreleased-anthems"
        );
        // First in "created" order among the vinyl store's items.
        assert!(
            items
                .iter()
                .filter(|i| i["store_id"] == VINYL_STORE_ID && i["id"] != seed["id"])
                .all(|i| i["created"].as_i64() > seed["created"].as_i64())
        );
        let listings: Vec<_> = rows.table("client_listings").collect();
        let listing = listings
            .iter()
            .find(|l| l["num_id"] == SEED_LISTING_ID)
            .unwrap();
        assert_eq!(listing["item_id"], seed["id"]);
        assert!(listing["second_hand"] == true && listing["stock"].as_i64() > Some(0));
        let nums: BTreeSet<i64> = listings
            .iter()
            .filter_map(|l| l["num_id"].as_i64())
            .collect();
        assert_eq!(nums.len(), listings.len());

        let stores: Vec<(&Value, &Value)> = rows
            .table("client_stores")
            .map(|s| (&s["id"], &s["domain"]))
            .collect();
        let expected = [(VINYL_STORE_ID, VINYL_DOMAIN), (BOOK_STORE_ID, BOOK_DOMAIN)]
            .map(|(id, domain)| (Value::from(id), Value::from(domain)));
        assert_eq!(
            stores,
            expected.iter().map(|(i, d)| (i, d)).collect::<Vec<_>>()
        );
        let customers: Vec<_> = rows.table("client_customers").collect();
        assert_eq!(customers.len(), 2);
        for c in &customers {
            assert_eq!(c["email"], DEMO_EMAIL);
            assert!(verify_password(
                c["password_hash"].as_str().unwrap(),
                DEMO_PASSWORD
            ));
        }
        assert!(
            customers
                .iter()
                .any(|c| c["id"] == DEMO_CUSTOMER_ID && c["store_id"] == VINYL_STORE_ID)
        );
        // The seed's checkout: open, the demo customer's, for as long as a checkout lasts.
        let checkout = rows.table("client_checkouts").next().unwrap();
        assert_eq!(checkout["code"], DEMO_CHECKOUT_CODE);
        assert_eq!(checkout["customer_id"], DEMO_CUSTOMER_ID);
        assert_eq!(checkout["status"], "open");
        assert_eq!(checkout["created"], NOW);
        assert_eq!(checkout["expires"], expires_after(NOW));
        assert_eq!(checkout["buyer"]["_id"], DEMO_CUSTOMER_ID);
    }
}
