//! Statements per request. Resolvers see the selection below their field
//! (`FieldContext::selects`) and skip what nobody asked for: a connection's count runs only when
//! `totalCount` (or a field computed from it) is selected, and the inventory facets only when
//! `filters` is. Nested objects load in batches, and a cached catalogue loads once for many
//! requests. The statements are sqlx's own per-statement events (`sqlx::query`), caught by a
//! subscriber of this test binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod marketplace_support;
mod purchase_support;

use std::sync::{Arc, Mutex};

use serde_json::json;
use shopql_reference::store::TestDatabase;
use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;

/// Every statement sqlx ran since the last [`Statements::take`].
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

impl Statements {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }

    /// Installs the recorder for the whole test binary (its tests share it; they run one at a
    /// time through a lock, as the events of all servers in the process land here).
    fn install() -> Self {
        static INSTALLED: std::sync::OnceLock<Statements> = std::sync::OnceLock::new();
        INSTALLED
            .get_or_init(|| {
                let statements = Statements::default();
                let subscriber = tracing_subscriber::registry().with(
                    statements.clone().with_filter(
                        tracing_subscriber::filter::Targets::new()
                            .with_target("sqlx::query", tracing::Level::TRACE),
                    ),
                );
                tracing::subscriber::set_global_default(subscriber)
                    .expect("no other subscriber in this test binary");
                statements
            })
            .clone()
    }
}

/// The statement text of one event: `summary` holds it whole when it is short, `db.statement`
/// otherwise.
struct Text(String);

impl Visit for Text {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "summary" || field.name() == "db.statement" {
            self.0.push_str(value);
            self.0.push(' ');
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" || field.name() == "db.statement" {
            self.0.push_str(&format!("{value:?} "));
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut text = Text(String::new());
        event.record(&mut text);
        self.0.lock().unwrap().push(text.0);
    }
}

/// How many of `statements` contain `needle` (case-insensitive).
fn count(statements: &[String], needle: &str) -> usize {
    let needle = needle.to_lowercase();
    statements
        .iter()
        .filter(|s| s.to_lowercase().contains(&needle))
        .count()
}

static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const USER: &str = "b57d06db-1638-4d37-9734-fd01a9bc59aa";

#[tokio::test]
async fn a_connection_counts_only_when_its_total_is_selected() -> anyhow::Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    let statements = Statements::install();
    for db in TestDatabase::all().await? {
        let server = purchase_support::start_seeded(&db.url).await?;
        let api = purchase_support::Api::new(&server.base_url());
        let carts = |selection: &str| {
            format!(
                r#"query($u: String) {{ carts(storeId: "Electronics", userId: $u, first: 5) {{ {selection} }} }}"#
            )
        };
        let token = Some("demo-purchase-token");
        let vars = json!({ "u": USER });

        statements.take();
        let with_total = api
            .ok(
                &carts("totalCount edges { node { id } }"),
                vars.clone(),
                token,
            )
            .await;
        let counted = statements.take();
        assert!(
            with_total["carts"]["totalCount"].as_i64().unwrap() > 0,
            "[{}] the demo user has carts: {with_total}",
            db.label()
        );
        assert_eq!(
            count(&counted, "count(*) as n from purchase_carts"),
            1,
            "[{}] {counted:#?}",
            db.label()
        );

        let without = api
            .ok(&carts("edges { node { id } }"), vars.clone(), token)
            .await;
        let uncounted = statements.take();
        assert_eq!(
            without["carts"]["edges"],
            with_total["carts"]["edges"],
            "[{}] the same page either way",
            db.label()
        );
        assert_eq!(
            count(&uncounted, "count(*) as n from purchase_carts"),
            0,
            "[{}] nobody asked for the count: {uncounted:#?}",
            db.label()
        );
        assert!(
            uncounted.len() < counted.len(),
            "[{}] {} statements without the count, {} with it",
            db.label(),
            uncounted.len(),
            counted.len()
        );

        // Selected through a fragment, under an alias: still seen.
        api.ok(
            r#"query($u: String) { carts(storeId: "Electronics", userId: $u, first: 5) { ...Total } }
               fragment Total on CartConnection { n: totalCount }"#,
            vars,
            token,
        )
        .await;
        let through_fragment = statements.take();
        assert_eq!(
            count(&through_fragment, "count(*) as n from purchase_carts"),
            1,
            "[{}] {through_fragment:#?}",
            db.label()
        );
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn inventory_facets_are_computed_only_when_selected() -> anyhow::Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    let statements = Statements::install();
    for db in TestDatabase::all().await? {
        let server = shopql_reference::start(shopql_reference::Config::for_tests(&db.url)).await?;
        let http = reqwest::Client::new();
        let ask = |selection: &str| {
            let body = json!({ "query": format!(
                "{{ inventoryFiltersPagination(filters: {{}}, pagination: {{ page: 1, limit: 10 }}) {{ {selection} }} }}"
            ) });
            http.post(format!("{}/client/graphql", server.base_url()))
                .header("commonground-origin", "www.my-vinyl-store.com")
                .json(&body)
                .send()
        };
        statements.take();
        let with: serde_json::Value = ask("count filters { name }").await?.json().await?;
        let faceted = statements.take();
        assert!(with.get("errors").is_none(), "{with}");
        assert!(
            with["data"]["inventoryFiltersPagination"]["filters"]
                .as_array()
                .is_some_and(|f| !f.is_empty()),
            "{with}"
        );
        assert_eq!(
            count(&faceted, "client_item_tags"),
            1,
            "[{}] {faceted:#?}",
            db.label()
        );

        let without: serde_json::Value = ask("count pages").await?.json().await?;
        let plain = statements.take();
        assert!(without.get("errors").is_none(), "{without}");
        assert_eq!(
            without["data"]["inventoryFiltersPagination"]["count"],
            with["data"]["inventoryFiltersPagination"]["count"],
            "[{}] the same count either way",
            db.label()
        );
        assert_eq!(
            count(&plain, "client_item_tags"),
            0,
            "[{}] {plain:#?}",
            db.label()
        );
        server.stop().await?;
    }
    Ok(())
}

/// A page of adverts loads what each advert embeds (seller, brand, taxon, external ids,
/// metadata, the variants its prices and `online` come from) and each advert's first page of
/// `variants` in batches: no more statements for a page of twelve adverts than for a page of
/// one (no query per advert). A batched page's cursor carries on where the per-advert path takes over.
#[tokio::test]
async fn a_page_of_adverts_loads_its_nested_objects_in_batches() -> anyhow::Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    let statements = Statements::install();
    for db in marketplace_support::databases().await? {
        let mp = marketplace_support::Mp::start(&db).await?;
        for i in 0..12 {
            let d = mp
                .data(
                    "mutation C($t: String!) { advertUpsert(input: { attributes: { title: $t, taxonId: \"VGF4b24tMzAx\", price: \"10.00\", attemptAutoPublish: true, variants: [{ countOnHand: 1, sku: $t }, { countOnHand: 2 }] } }) { status errors { field messages } } }",
                    json!({ "t": format!("Batched advert {i}") }),
                )
                .await?;
            assert_eq!(d["advertUpsert"]["status"], 200, "{d}");
        }
        let page = |first: i64| {
            let (mp, statements) = (&mp, &statements);
            async move {
                statements.take();
                let d = mp
                    .data(
                        "query P($first: Int) { advertsWhere(q: \"Batched advert\", first: $first) { nodes { id title seller { businessName } brand { name } taxon { displayName } externalIds { key } lowestPrice online variants(first: 1) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { sku advert { id } } } } } }",
                        json!({ "first": first }),
                    )
                    .await?;
                let nodes = d["advertsWhere"]["nodes"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                assert_eq!(nodes.len() as i64, first, "{d}");
                for n in &nodes {
                    assert!(n["lowestPrice"] == "10.00" && n["online"] == true, "{d}");
                    let v = &n["variants"];
                    assert_eq!(v["totalCount"], 2, "{d}");
                    assert_eq!(v["pageInfo"]["hasNextPage"], true, "{d}");
                    assert_eq!(v["pageInfo"]["hasPreviousPage"], false, "{d}");
                    assert_eq!(v["nodes"][0]["sku"], n["title"], "{d}");
                    assert_eq!(v["nodes"][0]["advert"]["id"], n["id"], "{d}");
                }
                // A connection the pool opens meanwhile runs its set-up statements; they are
                // not the request's.
                let mut taken = statements.take();
                taken.retain(|s| !s.starts_with("PRAGMA") && !s.starts_with("SET "));
                anyhow::Ok((d, taken))
            }
        };
        let (_, one) = page(1).await?;
        let (twelve_page, twelve) = page(12).await?;
        // A list of one takes the per-advert path (nothing to batch with), which counts
        // separately; twelve take the batch, which counts in its windowed query.
        assert!(
            twelve.len() <= one.len(),
            "[{}] statements for one advert:\n{one:#?}\nfor twelve:\n{twelve:#?}",
            mp.label
        );
        // The next page of one advert's variants, after the batched page's cursor.
        let first = &twelve_page["advertsWhere"]["nodes"][3];
        let next = mp
            .data(
                "query N($id: ID!, $after: String) { node(id: $id) { ... on Advert { variants(first: 1, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage } nodes { sku } } } } }",
                json!({ "id": first["id"], "after": first["variants"]["pageInfo"]["endCursor"] }),
            )
            .await?;
        let v = &next["node"]["variants"];
        assert_eq!(v["totalCount"], 2, "[{}] {next}", mp.label);
        assert_eq!(
            v["pageInfo"]["hasPreviousPage"], true,
            "[{}] {next}",
            mp.label
        );
        assert_eq!(v["pageInfo"]["hasNextPage"], false, "[{}] {next}", mp.label);
        assert_eq!(
            v["nodes"].as_array().map(Vec::len),
            Some(1),
            "[{}] {next}",
            mp.label
        );
        assert_ne!(
            v["nodes"][0]["sku"], first["title"],
            "[{}] {next}",
            mp.label
        );
        mp.stop().await?;
    }
    Ok(())
}

/// A store catalogue (eight queries) that nobody holds is loaded once however many requests
/// miss it together: the others wait for that load instead of running their own.
#[tokio::test]
async fn requests_missing_a_store_catalogue_together_load_it_once() -> anyhow::Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    let statements = Statements::install();
    for db in TestDatabase::all().await? {
        let server = purchase_support::start_seeded(&db.url).await?;
        let state = &server.state;
        state.catalogs.clear();
        statements.take();
        let reads = (0..16).map(|_| async {
            let mut conn = state.store.pool.acquire().await?;
            state
                .catalogs
                .get(&mut conn, "Electronics")
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))
        });
        let catalogs = futures::future::try_join_all(reads).await?;
        assert!(
            catalogs.windows(2).all(|w| Arc::ptr_eq(&w[0], &w[1])),
            "[{}] one catalogue for all",
            db.label()
        );
        let loads = statements.take();
        assert_eq!(
            count(&loads, "from purchase_stores"),
            1,
            "[{}] {loads:#?}",
            db.label()
        );
        server.stop().await?;
    }
    Ok(())
}

/// A list's batched first pages of variants are exactly what each advert gets alone (a page of
/// one takes the per-advert path): for adverts, unpublished adverts and deleted adverts, with
/// totals, cursors and the advert each variant embeds.
#[tokio::test]
async fn batched_variant_pages_equal_the_per_advert_ones() -> anyhow::Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    let statements = Statements::install();
    const UPSERT: &str = "mutation C($t: String!, $publish: Boolean!) { advertUpsert(input: { attributes: { title: $t, taxonId: \"VGF4b24tMzAx\", price: \"10.00\", attemptAutoPublish: $publish, variants: [{ countOnHand: 1, sku: $t }, { countOnHand: 2 }, { countOnHand: 3 }] } }) { status advert { id } } }";
    const SELECT: &str = "variants(first: 2) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { sku countOnHand advert { id title published } } } }";
    for db in marketplace_support::databases().await? {
        let mp = marketplace_support::Mp::start(&db).await?;
        let mut created = Vec::new();
        for (title, publish) in [("Listed A", true), ("Listed B", false), ("Listed C", true)] {
            let d = mp
                .data(UPSERT, json!({ "t": title, "publish": publish }))
                .await?;
            assert_eq!(d["advertUpsert"]["status"], 200, "{d}");
            created.push(d["advertUpsert"]["advert"]["id"].clone());
        }
        let d = mp
            .data(
                "mutation D($id: ID!) { advertDelete(input: { id: $id }) { status } }",
                json!({ "id": created[2] }),
            )
            .await?;
        assert_eq!(d["advertDelete"]["status"], 200, "{d}");

        let list = |first: i64, after: Option<String>| {
            let mp = &mp;
            async move {
                let q = format!(
                    "query L($first: Int, $after: String) {{ allAdverts(first: $first, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ __typename ... on Advert {{ legacyId {SELECT} }} ... on UnpublishedAdvert {{ legacyId {SELECT} }} ... on DeletedAdvert {{ legacyId {SELECT} }} }} }} }}"
                );
                mp.data(&q, json!({ "first": first, "after": after })).await
            }
        };
        statements.take();
        let batched = list(100, None).await?;
        let windowed = count(&statements.take(), "row_number() over");
        assert_eq!(windowed, 1, "[{}] one batch for the whole list", mp.label);
        let batched = batched["allAdverts"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut alone = Vec::new();
        let mut after = None;
        for _ in 0..1000 {
            let page = list(1, after).await?;
            alone.extend(
                page["allAdverts"]["nodes"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
            if page["allAdverts"]["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["allAdverts"]["pageInfo"]["endCursor"]
                .as_str()
                .map(str::to_string);
        }
        for kind in ["Advert", "UnpublishedAdvert", "DeletedAdvert"] {
            assert!(
                batched
                    .iter()
                    .any(|n| n["__typename"] == kind
                        && n["variants"]["totalCount"].as_i64() > Some(0)),
                "[{}] a {kind} with variants is listed",
                mp.label
            );
        }
        assert_eq!(batched, alone, "[{}]", mp.label);
        mp.stop().await?;
    }
    Ok(())
}

/// Demo adverts with images, documents, advert option values and variants with images and
/// option values; the first by id (a page of one) has some of each.
const MEDIA_ADVERTS: [i64; 6] = [
    100_070_729,
    100_070_730,
    100_070_734,
    100_077_690,
    100_077_700,
    100_077_701,
];

/// The selection of the connection `field`: its total, page info and edges with `node`.
fn connection(field: &str, node: &str) -> String {
    format!(
        "{field} {{ totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ cursor node {{ {node} }} }} }}"
    )
}

/// An option type and the first page of its values.
fn option_type() -> String {
    format!(
        "optionType {{ id {} }}",
        connection("optionValues(first: 2)", "id name")
    )
}

/// A variant's images and option values.
fn variant_connections() -> String {
    format!(
        "{} {}",
        connection("images(first: 1)", "id url"),
        connection(
            "optionValues(first: 1)",
            &format!("id name {}", option_type())
        )
    )
}

/// An advert's images, documents, option values and variants (with theirs).
fn advert_connections() -> String {
    [
        connection("images(first: 1)", "id url alt"),
        connection("documents(first: 1)", "id filename"),
        connection(
            "advertOptionValues(first: 1)",
            &format!("textValue optionValue {{ id }} {}", option_type()),
        ),
        connection(
            "variants(first: 2)",
            &format!("id {}", variant_connections()),
        ),
    ]
    .join(" ")
}

/// `advertsWhere` over the first `first` of [`MEDIA_ADVERTS`], selecting their connections.
fn media_page(first: usize) -> String {
    format!(
        "{{ advertsWhere(legacyIds: {:?}, first: {first}) {{ nodes {{ id legacyId {} }} }} }}",
        MEDIA_ADVERTS,
        advert_connections()
    )
}

/// Below a page of adverts, the first pages of every advert's images, documents and option
/// values, of every variant's images and option values and of every option type's values load
/// in batches (one windowed statement per connection): a page of six adverts costs no more
/// statements than a page of one.
#[tokio::test]
async fn a_page_of_adverts_loads_its_nested_connections_in_batches() -> anyhow::Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    let statements = Statements::install();
    for db in marketplace_support::databases().await? {
        let mp = marketplace_support::Mp::start(&db).await?;
        let page = |first: usize| {
            let (mp, statements) = (&mp, &statements);
            async move {
                statements.take();
                let d = mp.data(&media_page(first), json!({})).await?;
                let nodes = d["advertsWhere"]["nodes"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                assert_eq!(nodes.len(), first, "{d}");
                // A connection the pool opens meanwhile runs its set-up statements; they are
                // not the request's.
                let mut taken = statements.take();
                taken.retain(|s| !s.starts_with("PRAGMA") && !s.starts_with("SET "));
                anyhow::Ok((nodes, taken))
            }
        };
        let (one_page, one) = page(1).await?;
        let (all_page, all) = page(MEDIA_ADVERTS.len()).await?;
        println!(
            "[{}] statements: {} for a page of one advert, {} for a page of {}",
            mp.label,
            one.len(),
            all.len(),
            MEDIA_ADVERTS.len()
        );
        // Something to page at every level of the first advert.
        let first = &one_page[0];
        for nested in [
            &first["images"],
            &first["documents"],
            &first["advertOptionValues"],
            &first["advertOptionValues"]["edges"][0]["node"]["optionType"]["optionValues"],
            &first["variants"],
            &first["variants"]["edges"][1]["node"]["images"],
            &first["variants"]["edges"][1]["node"]["optionValues"],
        ] {
            assert!(nested["totalCount"].as_i64() > Some(0), "{first}");
        }
        assert_eq!(all_page[0], *first, "[{}]", mp.label);
        // One window per connection and depth: the adverts' images, documents, option values
        // and variants, the variants' images and option values, and the option types' values
        // below the adverts' option values and below the variants' (asked at different depths,
        // so in two batches unless they happen to meet in one batch window).
        let windows = count(&all, "row_number() over");
        assert!(
            (7..=8).contains(&windows),
            "[{}] {windows} windowed statements: {all:#?}",
            mp.label
        );
        assert!(
            all.len() <= one.len(),
            "[{}] statements for one advert:\n{one:#?}\nfor {}:\n{all:#?}",
            mp.label,
            MEDIA_ADVERTS.len()
        );
        mp.stop().await?;
    }
    Ok(())
}

/// The batched first pages below a page of adverts are exactly the pages each parent gets
/// alone: every advert's through `node(id)`, every variant's through `node(id)` of the variant,
/// and every option type's below either (a page of one option value, alone in its list).
#[tokio::test]
async fn batched_nested_pages_equal_the_per_parent_ones() -> anyhow::Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    for db in marketplace_support::databases().await? {
        let mp = marketplace_support::Mp::start(&db).await?;
        let d = mp.data(&media_page(MEDIA_ADVERTS.len()), json!({})).await?;
        let adverts = d["advertsWhere"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(adverts.len(), MEDIA_ADVERTS.len(), "[{}] {d}", mp.label);
        let advert_alone = format!(
            "query A($id: ID!) {{ node(id: $id) {{ ... on Advert {{ id legacyId {} }} }} }}",
            advert_connections()
        );
        let variant_alone = format!(
            "query V($id: ID!) {{ node(id: $id) {{ ... on Variant {{ id {} }} }} }}",
            variant_connections()
        );
        let mut variants = Vec::new();
        for advert in &adverts {
            let alone = mp
                .data(&advert_alone, json!({ "id": advert["id"] }))
                .await?;
            assert_eq!(alone["node"], *advert, "[{}]", mp.label);
            for edge in advert["variants"]["edges"].as_array().into_iter().flatten() {
                let variant = &edge["node"];
                let alone = mp
                    .data(&variant_alone, json!({ "id": variant["id"] }))
                    .await?;
                assert_eq!(alone["node"], *variant, "[{}]", mp.label);
                variants.push(variant.clone());
            }
        }
        // The pages compared hold more than one page's worth somewhere, at every level.
        let more = |v: &serde_json::Value| v["pageInfo"]["hasNextPage"] == true;
        let option_types = || {
            adverts
                .iter()
                .flat_map(|a| a["advertOptionValues"]["edges"].as_array().cloned())
                .flatten()
                .map(|e| e["node"]["optionType"]["optionValues"].clone())
        };
        assert!(adverts.iter().any(|a| more(&a["images"])), "[{}]", mp.label);
        assert!(
            adverts.iter().any(|a| more(&a["documents"])),
            "[{}]",
            mp.label
        );
        assert!(
            adverts.iter().any(|a| more(&a["advertOptionValues"])),
            "[{}]",
            mp.label
        );
        assert!(
            variants.iter().any(|v| more(&v["images"])),
            "[{}]",
            mp.label
        );
        assert!(
            variants.iter().any(|v| more(&v["optionValues"])),
            "[{}]",
            mp.label
        );
        assert!(option_types().any(|o| more(&o)), "[{}]", mp.label);
        mp.stop().await?;
    }
    Ok(())
}
