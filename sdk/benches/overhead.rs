//! The SDK's per-call overhead: encoding the variables and decoding a 5-item inventory response
//! through the generated types, against hand-written `serde_json::Value` handling of the same
//! request and response. Both go through the same in-memory transport, so only the client-side
//! work differs. Target: the SDK within 10 % of the hand-written code.
//!
//! `cargo bench -p shopql-sdk --bench overhead`

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use shopql_sdk::client::operations::get_inventory_items::{self, GetInventoryItems};
use shopql_sdk::client::{InventoryFiltersInput, PaginationInput};
use shopql_sdk::{GraphqlClient, HttpRequest, HttpResponse, Maybe, Transport, TransportError};

/// Answers every request with the same body, after reading the request as a server would.
#[derive(Debug)]
struct Canned(Vec<u8>);

#[async_trait::async_trait]
impl Transport for Canned {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        std::hint::black_box(&request.body);
        Ok(HttpResponse::new(200, self.0.clone()))
    }
}

fn inventory_response() -> Value {
    let item = |i: u64| {
        json!({
            "_id": format!("693af000000fd932d1e6251{i}"),
            "id": 12345 + i,
            "type": "ReleaseItem",
            "uri": format!("https://www.my-vinyl-store.com/release/{i}/various-the-unreleased-anthems"),
            "data": {
                "title": "The Unreleased Anthems", "cat": null, "type": null, "manufacturer": null,
                "discogsId": 987654321, "assetLink": null, "weight": 230,
                "genres": ["Electronic"], "styles": ["Progressive House", "Tribal", "Progressive Trance", "Tech House"],
                "country": "UK", "releaseDate": 911174400000_u64, "subtitle": null, "authors": null,
                "publisher": null, "publishedDate": null, "pageCount": null, "categories": null,
                "language": null, "format": null
            },
            "listings": [{
                "_id": "693af2ab00004b5617334cd", "id": 1765470890000_u64, "available": 1765470585000_u64,
                "preOrder": false, "secondHand": true, "categories": [], "onePerCustomer": false, "comments": null
            }]
        })
    };
    json!({ "data": { "inventoryItems": { "items": (0..5).map(item).collect::<Vec<_>>() } } })
}

fn variables() -> get_inventory_items::Variables {
    get_inventory_items::Variables {
        filters: InventoryFiltersInput {
            stock: Maybe::Value("inStock".into()),
            ..Default::default()
        },
        pagination: PaginationInput {
            sort: Maybe::Value("created".into()),
            order: Maybe::Value(1),
            page: Maybe::Value(1),
            limit: Maybe::Value(5),
        },
    }
}

/// What a careful hand-written client does without generated types.
async fn hand_written(transport: &Canned) -> Option<Vec<(String, f64, f64)>> {
    let body = json!({
        "query": get_inventory_items::QUERY,
        "operationName": "GetInventoryItems",
        "variables": {
            "filters": { "stock": "inStock" },
            "pagination": { "sort": "created", "order": 1, "page": 1, "limit": 5 }
        }
    });
    let request = HttpRequest {
        method: shopql_sdk::HttpMethod::Post,
        url: "http://127.0.0.1:4000/client/graphql".into(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: serde_json::to_vec(&body).ok()?,
    };
    let response = transport.send(request).await.ok()?;
    let value: Value = serde_json::from_slice(&response.body).ok()?;
    let items = value
        .get("data")?
        .get("inventoryItems")?
        .get("items")?
        .as_array()?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let title = item.get("data")?.get("title")?.as_str()?.to_string();
        let id = item.get("id")?.as_f64()?;
        let listing = item
            .get("listings")?
            .as_array()?
            .first()?
            .get("id")?
            .as_f64()?;
        out.push((title, id, listing));
    }
    Some(out)
}

fn bench(c: &mut Criterion) {
    let body = serde_json::to_vec(&inventory_response()).unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let canned = Arc::new(Canned(body.clone()));
    let client =
        GraphqlClient::with_transport("http://127.0.0.1:4000/client/graphql", canned.clone());
    let vars = variables();

    // Both paths must decode the same data before they are compared.
    let typed = runtime
        .block_on(client.run::<GetInventoryItems>(&vars))
        .map(|d| d.inventory_items.items.map(|i| i.len()));
    assert!(
        matches!(typed, Ok(Some(5))),
        "typed decode failed: {typed:?}"
    );
    assert_eq!(
        runtime.block_on(hand_written(&canned)).map(|v| v.len()),
        Some(5)
    );

    let mut group = c.benchmark_group("inventory_5_items");
    group.bench_function("sdk_generated_types", |b| {
        b.iter(|| runtime.block_on(client.run::<GetInventoryItems>(std::hint::black_box(&vars))))
    });
    group.bench_function("hand_written_serde_json_value", |b| {
        b.iter(|| runtime.block_on(hand_written(&canned)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
