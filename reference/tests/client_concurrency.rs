//! Oversell prevention: 100 customers submit 100 checkouts at once for a listing with stock 5;
//! exactly 5 orders are made and the stock ends at 0, never below — on SQLite, on PostgreSQL,
//! and with two server processes (two pools) sharing one PostgreSQL. One checkout submitted
//! ten times at once makes one order.
#![allow(clippy::unwrap_used)]

mod client_support;

use client_support::*;
use futures::future::join_all;
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, RunningServer, start};

const CUSTOMERS: usize = 100;
const STOCK: i64 = 5;

async fn orders_for(server: &RunningServer, listing: i64) -> i64 {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM client_order_lines l JOIN client_listings x ON x.id = l.listing_id WHERE x.num_id = $1",
    )
    .bind(listing)
    .fetch_one(&server.state.store.pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_submissions_for_five_units_make_five_orders() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        set_stock(&server, NEW_LISTING, STOCK).await;
        let api = Api::new(&server);
        let checkouts = prepared(&[api], CUSTOMERS, db.label()).await;
        let (won, lost) = race(checkouts).await;
        assert_eq!((won, lost), (5, 95), "{}", db.label());
        assert_eq!(stock(&server, NEW_LISTING).await, 0, "{}", db.label());
        assert_eq!(
            orders_for(&server, NEW_LISTING).await,
            STOCK,
            "{}",
            db.label()
        );
        server.stop().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_sharing_postgres_make_five_orders() {
    let Some(db) = TestDatabase::postgres().await.unwrap() else {
        eprintln!("SHOPQL_TEST_DATABASE_URL is not set: skipping the two-server PostgreSQL test");
        return;
    };
    let first = start(Config::for_tests(&db.url)).await.unwrap();
    // The second node finds the database migrated and seeded.
    let second = start(Config::for_tests(&db.url)).await.unwrap();
    set_stock(&first, NEW_LISTING, STOCK).await;
    let apis = [Api::new(&first), Api::new(&second)];
    let checkouts = prepared(&apis, CUSTOMERS, "two-nodes").await;
    let (won, lost) = race(checkouts).await;
    assert_eq!((won, lost), (5, 95));
    assert_eq!(stock(&first, NEW_LISTING).await, 0);
    assert_eq!(stock(&second, NEW_LISTING).await, 0);
    assert_eq!(orders_for(&second, NEW_LISTING).await, STOCK);
    // Each node sees the other's sessions and checkouts.
    let jwt = apis[0].demo_login().await;
    let body = apis[1]
        .vinyl(Some(&jwt), &op("me"), serde_json::json!({}))
        .await;
    assert_eq!(body["data"]["me"]["email"], "buyer@example.com");
    first.stop().await.unwrap();
    second.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_checkout_submitted_ten_times_at_once_makes_one_order() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let jwt = api.demo_login().await;
        let id = api.new_checkout(&jwt).await;
        ok(&api
            .set_items(
                &jwt,
                &id,
                serde_json::json!([{ "listingId": NEW_LISTING, "quantity": 2 }]),
            )
            .await);
        ok(&api.ship_to_uk(&jwt, &id).await);
        let tasks = (0..10).map(|_| {
            let (api, jwt, id) = (api.clone(), jwt.clone(), id.clone());
            tokio::spawn(async move { api.submit(&jwt, &id).await })
        });
        let bodies: Vec<_> = join_all(tasks)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let won = bodies.iter().filter(|b| code(b).is_none()).count();
        assert_eq!(won, 1, "{}", db.label());
        assert!(
            bodies
                .iter()
                .filter(|b| code(b).is_some())
                .all(|b| code(b).as_deref() == Some("CONFLICT"))
        );
        assert_eq!(stock(&server, NEW_LISTING).await, 8, "{}", db.label());
        assert_eq!(orders_for(&server, NEW_LISTING).await, 1);
        server.stop().await.unwrap();
    }
}
