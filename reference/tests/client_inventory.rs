//! The public inventory on every backend: every filter of `InventoryFiltersInput`, every sort
//! key in both directions, paging, `item(id:)`, facets, and store separation.
#![allow(clippy::unwrap_used)]

mod client_support;

use client_support::*;
use serde_json::{Value, json};
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, start};

const QUERY: &str = "query I($f: InventoryFiltersInput!, $p: PaginationInput!) {
  inventoryItems(filters: $f, pagination: $p) {
    items { id type wanted data { title authors } listings { id prices { sale } } }
    pagination { limit count page pages sort order hasMore }
  }
}";

async fn ids(
    api: &Api,
    store: &str,
    token: Option<&str>,
    filters: Value,
    pagination: Value,
) -> Vec<i64> {
    let body = api
        .at(
            store,
            token,
            QUERY,
            json!({ "f": filters, "p": pagination }),
        )
        .await;
    ok(&body);
    body["data"]["inventoryItems"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_f64().unwrap() as i64)
        .collect()
}

/// Ids matching `filters`, in ascending numeric-id order (created order in the demo data).
async fn matching(api: &Api, filters: Value) -> Vec<i64> {
    ids(
        api,
        VINYL,
        None,
        filters,
        json!({ "sort": "created", "order": 1, "limit": 100 }),
    )
    .await
}

#[tokio::test]
async fn every_filter_narrows_the_inventory() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let all: Vec<i64> = (12345..=12353).collect();
        let t0: i64 = 1_765_470_208_000;
        let cases: Vec<(Value, Vec<i64>)> = vec![
            (json!({}), all.clone()),
            (json!({ "stock": "all" }), all.clone()),
            (
                json!({ "stock": "instock" }),
                all.iter().copied().filter(|i| *i != 12347).collect(),
            ),
            (json!({ "stock": "outOfStock" }), vec![12347]),
            (json!({ "type": "ProductItem" }), vec![12352, 12353]),
            (json!({ "type": "All" }), all.clone()),
            (
                json!({ "type": "releaseitem", "itemTypes": ["ReleaseItem", "BookItem"] }),
                (12345..=12351).collect(),
            ),
            (json!({ "itemTypes": ["ProductItem"] }), vec![12352, 12353]),
            (json!({ "genres": ["jazz", null, ""] }), vec![12350]),
            (
                json!({ "genres": ["Electronic"], "stock": "inStock" }),
                vec![12345, 12346, 12348, 12349],
            ),
            (
                json!({ "styles": ["Progressive Trance"] }),
                vec![12345, 12349],
            ),
            (json!({ "countries": ["germany"] }), vec![12346]),
            (json!({ "years": [1998, 1959] }), vec![12345, 12350]),
            (json!({ "formats": ["CD"] }), vec![12350]),
            (json!({ "mediums": ["cd"] }), vec![12350]),
            (json!({ "formatDescriptions": ["Box Set"] }), vec![12349]),
            (json!({ "categories": ["Limited"] }), vec![12349]),
            (
                json!({ "categories": ["merchandise", "accessories"] }),
                vec![12352, 12353],
            ),
            (json!({ "condition": "used" }), vec![12345, 12346, 12350]),
            (
                json!({ "condition": "new" }),
                vec![12346, 12347, 12348, 12349, 12351, 12352, 12353],
            ),
            (json!({ "condition": "very good (vg)" }), vec![12350]),
            (json!({ "preorder": true }), vec![12348]),
            (json!({ "preorder": false }), all.clone()),
            (json!({ "preorders": "true" }), vec![12348]),
            (json!({ "maxPrice": 12 }), vec![12350, 12352]),
            (json!({ "maxPrice": 0 }), vec![]),
            (json!({ "from": "2027-01-01" }), vec![12348]),
            (
                json!({ "to": (t0 + 2 * 3_600_000).to_string() }),
                vec![12345, 12346, 12347],
            ),
            (
                json!({ "from": "2025-12-11T00:00:00Z", "to": "2025-12-11" }),
                (12345..=12352).filter(|i| *i != 12348).collect(),
            ),
            (json!({ "text": "Anthem" }), vec![12345, 12348, 12349]),
            (json!({ "text": "kn-007" }), vec![12346]),
            (json!({ "text": "%" }), vec![]),
            (json!({ "manufacturers": ["groove care"] }), vec![12353]),
            (json!({ "types": ["Bag"] }), vec![12352]),
            (json!({ "artists": [194] }), vec![12345, 12349]),
            (json!({ "labels": [5521] }), vec![12345, 12348, 12349]),
            (
                json!({ "noFilters": true, "stock": "bogus", "genres": ["Jazz"] }),
                all.clone(),
            ),
            (
                json!({ "genres": ["Electronic"], "countries": ["US"] }),
                vec![],
            ),
        ];
        for (filters, expected) in cases {
            assert_eq!(
                matching(&api, filters.clone()).await,
                expected,
                "{}: {filters}",
                db.label()
            );
        }

        // The wantlist needs a session; the demo customer wants "Future Echoes".
        let jwt = api.demo_login().await;
        let wanted = ids(
            &api,
            VINYL,
            Some(&jwt),
            json!({ "wantlist": true }),
            json!({}),
        )
        .await;
        assert_eq!(wanted, vec![12348]);
        let body = api
            .vinyl(
                Some(&jwt),
                QUERY,
                json!({ "f": { "preorder": true }, "p": {} }),
            )
            .await;
        assert_eq!(
            body["data"]["inventoryItems"]["items"][0]["wanted"],
            json!(true)
        );
        let body = api
            .vinyl(None, QUERY, json!({ "f": { "preorder": true }, "p": {} }))
            .await;
        assert_eq!(
            body["data"]["inventoryItems"]["items"][0]["wanted"],
            json!(false)
        );
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn sorting_and_paging() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        let sorted = |sort: &'static str, order: i32| {
            let api = api.clone();
            async move {
                ids(
                    &api,
                    VINYL,
                    None,
                    json!({}),
                    json!({ "sort": sort, "order": order, "limit": 100 }),
                )
                .await
            }
        };
        let created: Vec<i64> = (12345..=12353).collect();
        assert_eq!(sorted("created", 1).await, created);
        assert_eq!(sorted("added", 1).await, created);
        assert_eq!(sorted("updated", 1).await, created);
        let mut newest = created.clone();
        newest.reverse();
        assert_eq!(sorted("created", -1).await, newest);
        let by_price = vec![
            12352, 12350, 12353, 12347, 12346, 12351, 12345, 12348, 12349,
        ];
        assert_eq!(sorted("price", 1).await, by_price);
        let mut dearest = by_price.clone();
        dearest.reverse();
        assert_eq!(sorted("price", -1).await, dearest);
        // Anti-static…, Bootleg…, Future…, Live…, Midnight…, Northern…, Store…, The Anthems…, The Unreleased…
        let by_title = vec![
            12353, 12351, 12348, 12350, 12346, 12347, 12352, 12349, 12345,
        ];
        assert_eq!(sorted("title", 1).await, by_title);
        // The default: newest first, 20 a page.
        let body = api.vinyl(None, QUERY, json!({ "f": {}, "p": {} })).await;
        let p = &body["data"]["inventoryItems"]["pagination"];
        assert_eq!(
            p,
            &json!({ "limit": 20, "count": 9, "page": 1, "pages": 1, "sort": "created", "order": -1, "hasMore": false })
        );

        // Pages of 4: 4 + 4 + 1.
        let page = |n: i32| {
            let api = api.clone();
            async move {
                api.vinyl(None, QUERY, json!({ "f": {}, "p": { "sort": "created", "order": 1, "limit": 4, "page": n } }))
                    .await["data"]["inventoryItems"]
                    .clone()
            }
        };
        let first = page(1).await;
        assert_eq!(first["pagination"]["count"], json!(9));
        assert_eq!(first["pagination"]["pages"], json!(3));
        assert_eq!(first["pagination"]["hasMore"], json!(true));
        let third = page(3).await;
        assert_eq!(third["items"].as_array().unwrap().len(), 1);
        assert_eq!(third["items"][0]["id"].as_f64(), Some(12353.0));
        assert_eq!(
            third["pagination"],
            json!({ "limit": 4, "count": 9, "page": 3, "pages": 3, "sort": "created", "order": 1, "hasMore": false })
        );
        let beyond = page(7).await;
        assert_eq!(beyond["items"], json!([]));
        assert_eq!(beyond["pagination"]["count"], json!(9));
        assert_eq!(beyond["pagination"]["hasMore"], json!(false));
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn items_facets_and_stores() {
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);

        let item = |store: &'static str, id: Value| {
            let api = api.clone();
            async move {
                let body = api
                    .at(store, None, &op("get_item"), json!({ "id": id }))
                    .await;
                ok(&body);
                body["data"]["item"].clone()
            }
        };
        let seed = item(VINYL, json!(12345)).await;
        assert_eq!(
            seed["path"],
            json!("/release/9987654321/various-the-unreleased-anthems")
        );
        assert_eq!(seed["isForbiddenForSale"], json!(false));
        assert_eq!(seed["data"]["labels"][0]["catno"], json!("ANTH 001"));
        assert_eq!(seed["data"]["formats"][0]["qty"], json!("2"));
        assert_eq!(
            seed["data"]["images"][0]["alternative"]["uri"]
                .as_str()
                .map(|u| u.ends_with("-300.jpg")),
            Some(true)
        );
        assert_eq!(seed["data"]["tracklist"][0]["type_"], json!("heading"));
        assert_eq!(
            seed["descriptions"]["shop"]["short"],
            json!("Near mint second-hand copy.")
        );
        assert_eq!(
            seed["listings"][0]["options"][0],
            json!({ "name": "Media Condition", "value": "Near Mint (NM or M-)" })
        );
        let midnight = item(VINYL, json!(12346)).await;
        assert_eq!(
            midnight["listings"][0]["prices"],
            json!({ "beforeTaxes": 18.33, "sale": 21.99, "compare": 24.99 })
        );
        assert_eq!(
            midnight["listings"][1]["comments"],
            json!("Light scuffs on side B; plays fine.")
        );
        assert_eq!(
            item(VINYL, json!(12351)).await["isForbiddenForSale"],
            json!(true)
        );
        assert!(item(VINYL, json!(99999)).await.is_null());
        assert!(item(VINYL, json!(12345.5)).await.is_null());
        // Stores are separate: the vinyl store's items are not in the book store.
        assert!(item(BOOKS, json!(12345)).await.is_null());
        let book = item(BOOKS, json!(22001)).await;
        assert_eq!(book["type"], json!("BookItem"));
        assert_eq!(
            book["uri"],
            json!("https://www.my-book-store.com/book/22001/the-art-of-listening")
        );

        let body = api
            .at(BOOKS, None, &op("get_inventory_items"), json!({ "filters": { "type": "BookItem" }, "pagination": { "sort": "title", "order": 1 } }))
            .await;
        ok(&body);
        let books = body["data"]["inventoryItems"]["items"].as_array().unwrap();
        assert_eq!(books.len(), 4);
        let art = books
            .iter()
            .find(|b| b["id"].as_f64() == Some(22001.0))
            .unwrap();
        assert_eq!(art["data"]["authors"], json!(["Jane Doe"]));
        assert_eq!(art["data"]["pageCount"], json!(320));
        assert_eq!(art["data"]["format"], json!("Paperback"));
        assert_eq!(art["data"]["language"], json!("en"));
        assert_eq!(art["data"]["categories"], json!(["Music", "Non-fiction"]));
        assert!(art["data"]["genres"].is_null());
        assert_eq!(
            ids(
                &api,
                BOOKS,
                None,
                json!({ "text": "jane doe" }),
                json!({ "sort": "created", "order": 1 })
            )
            .await,
            vec![22001, 22004]
        );

        // Facets over the whole vinyl inventory.
        let body = api
            .vinyl(
                None,
                &op("get_inventory_filters_pagination"),
                json!({ "filters": {}, "pagination": { "limit": 4 } }),
            )
            .await;
        ok(&body);
        let f = &body["data"]["inventoryFiltersPagination"];
        assert_eq!(f["count"], json!(9));
        assert_eq!(f["pages"], json!(3));
        let facet = |name: &str| {
            f["filters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["name"] == name)
                .unwrap()["values"]
                .clone()
        };
        assert_eq!(
            facet("genres"),
            json!([
                { "value": "Electronic", "count": 5 },
                { "value": "Jazz", "count": 1 },
                { "value": "Rock", "count": 1 }
            ])
        );
        assert_eq!(
            facet("itemTypes"),
            json!([{ "value": "ReleaseItem", "count": 7 }, { "value": "ProductItem", "count": 2 }])
        );
        assert!(
            facet("years")
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v["value"] == "1998")
        );
        assert!(
            facet("categories")
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v["value"] == "Pre-orders")
        );
        // Nothing matches: no pages, empty facets.
        let body = api
            .vinyl(
                None,
                &op("get_inventory_filters_pagination"),
                json!({ "filters": { "genres": ["Polka"] }, "pagination": {} }),
            )
            .await;
        let f = &body["data"]["inventoryFiltersPagination"];
        assert_eq!(f["count"], json!(0));
        assert_eq!(f["pages"], json!(0));
        assert!(
            f["filters"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x["values"] == json!([]))
        );
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn counts_stay_cheap_on_large_results_and_exact_where_asked() {
    use shopql_reference::apis::client::COUNT_WINDOW;
    for db in TestDatabase::all().await.unwrap() {
        let server = start(Config::for_tests(&db.url)).await.unwrap();
        let api = Api::new(&server);
        // 1,100 more in-stock items in the vinyl store.
        let extra = 1_100_i64;
        let mut tx = server.state.store.begin().await.unwrap();
        for i in 0..extra {
            let id = format!("{:024x}", 0xbeef_0000_u64 + i as u64);
            sqlx::query(
                "INSERT INTO client_items (id, store_id, num_id, item_type, created, updated, path, title, title_key, \
                 search_text, sort_price, first_available, data) \
                 VALUES ($1, '0f00d000d0000c0001111e00', $2, 'ProductItem', $3, $3, '/p', 'Filler', 'filler', 'filler', 100, $3, '{}')",
            )
            .bind(&id)
            .bind(900_000 + i)
            .bind(1_800_000_000_000 + i)
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO client_listings (id, store_id, item_id, num_id, available, categories, options, stock, price_sale, updated) \
                 VALUES ($1, '0f00d000d0000c0001111e00', $2, $3, 0, '[]', '[]', 1, 100, 0)",
            )
            .bind(format!("l{id}"))
            .bind(&id)
            .bind(2_000_000_000_000 + i)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let total = 9 + extra;

        let body = api
            .vinyl(
                None,
                QUERY,
                json!({ "f": { "stock": "inStock" }, "p": { "limit": 5 } }),
            )
            .await;
        ok(&body);
        let p = &body["data"]["inventoryItems"]["pagination"];
        // Counted up to COUNT_WINDOW past the page: a lower bound, and more pages follow.
        assert_eq!(
            p["count"].as_i64(),
            Some(5 + COUNT_WINDOW),
            "{}",
            db.label()
        );
        assert_eq!(p["hasMore"], json!(true));
        // The last page knows the exact count.
        let last = (total - 1) / 5 + 1;
        let body = api
            .vinyl(
                None,
                QUERY,
                json!({ "f": {}, "p": { "limit": 5, "page": last } }),
            )
            .await;
        let p = &body["data"]["inventoryItems"]["pagination"];
        assert_eq!(p["count"].as_i64(), Some(total));
        assert_eq!(p["hasMore"], json!(false));
        // The filters call counts exactly.
        let body = api
            .vinyl(
                None,
                &op("get_inventory_filters_pagination"),
                json!({ "filters": {}, "pagination": { "limit": 5 } }),
            )
            .await;
        assert_eq!(
            body["data"]["inventoryFiltersPagination"]["count"].as_i64(),
            Some(total)
        );
        assert_eq!(
            body["data"]["inventoryFiltersPagination"]["pages"].as_i64(),
            Some(last)
        );
        server.stop().await.unwrap();
    }
}
