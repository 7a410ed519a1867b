//! The complexity limit weighs lists by their page size (issue 11, item 1): page sizes come from
//! arguments given literally, through variables, inside input objects or from schema defaults,
//! capped at the maximum page size; a 100 × 100 nested page is refused before any resolver runs
//! while a 10 × 10 one runs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shopql_server_stubs::async_graphql::dynamic::Schema;
use shopql_server_stubs::async_graphql::{Request, Variables};
use shopql_server_stubs::{ServerConfig, cart_admin, client, limits, lock, marketplace, purchase};

fn cost(schema: &Schema, query: &str, variables: Value, config: &ServerConfig) -> usize {
    let mut request = Request::new(query);
    let doc = request.parsed_query().expect("the document parses").clone();
    limits::complexity(schema, &doc, None, &Variables::from_json(variables), config)
}

fn marketplace_schema() -> Schema {
    marketplace::schema(marketplace::adapter::Unimplemented).expect("schema")
}

/// Executes in-process as the HTTP layer does; the `extensions.code` of every error.
async fn run(
    schema: &Schema,
    query: &str,
    variables: Value,
    config: &ServerConfig,
) -> (Value, Vec<String>) {
    let request = Request::new(query).variables(Variables::from_json(variables));
    let response = shopql_server_stubs::execute(schema, request, config).await;
    let body = serde_json::to_value(&response).unwrap();
    let codes = body["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            e["extensions"]["code"]
                .as_str()
                .unwrap_or("NONE")
                .to_string()
        })
        .collect();
    (body, codes)
}

const NESTED: &str = "query Nested($outer: Int, $inner: Int) { advertsWhere(first: $outer) { totalCount nodes { id title variants(first: $inner) { totalCount nodes { id sku } } } } }";

#[tokio::test]
async fn a_100_by_100_nested_page_is_refused_before_any_resolver_runs() {
    let schema = marketplace_schema();
    let config = ServerConfig::default();
    // 1 root field + 100 adverts × (1 + 100 variants).
    let (body, codes) = run(
        &schema,
        NESTED,
        json!({"outer": 100, "inner": 100}),
        &config,
    )
    .await;
    assert_eq!(codes, vec!["COMPLEXITY_LIMIT_EXCEEDED"], "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["complexity"], 10_101,
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["maxComplexity"], 1_000,
        "{body}"
    );
    assert!(body["data"].is_null(), "{body}");
    // Every resolver of this schema fails with NOT_IMPLEMENTED: none of them ran.
    assert!(!codes.contains(&"NOT_IMPLEMENTED".to_string()));

    // The same with literal arguments.
    let literal =
        "{ advertsWhere(first: 100) { nodes { variants(first: 100) { nodes { id } } } } }";
    let (body, codes) = run(&schema, literal, Value::Null, &config).await;
    assert_eq!(codes, vec!["COMPLEXITY_LIMIT_EXCEEDED"], "{body}");

    // A page of 10 with 10 variants each (111) passes the limit: the resolver runs.
    let (body, codes) = run(&schema, NESTED, json!({"outer": 10, "inner": 10}), &config).await;
    assert_eq!(codes, vec!["NOT_IMPLEMENTED"], "{body}");

    // Without the weights (lists counted once), the 100 × 100 page would pass.
    let unweighted = ServerConfig {
        max_page_size: 1,
        default_page_size: 1,
        ..ServerConfig::default()
    };
    let (_, codes) = run(&schema, literal, Value::Null, &unweighted).await;
    assert_eq!(codes, vec!["NOT_IMPLEMENTED"]);
}

#[test]
fn page_sizes_come_from_arguments_variables_and_defaults_capped_at_the_maximum() {
    let schema = marketplace_schema();
    let config = ServerConfig::default();
    let nodes = |args: &str| {
        format!(
            "{{ advertsWhere{args} {{ totalCount pageInfo {{ hasNextPage }} nodes {{ id }} }} }}"
        )
    };
    // A connection without a page size counts the default page size (20) of nodes; `pageInfo`
    // (an object in no list) and `totalCount` (a scalar) cost nothing.
    assert_eq!(cost(&schema, &nodes(""), Value::Null, &config), 21);
    assert_eq!(cost(&schema, &nodes("(first: 5)"), Value::Null, &config), 6);
    assert_eq!(
        cost(
            &schema,
            &nodes("(last: 30, first: 10)"),
            Value::Null,
            &config
        ),
        31,
        "the largest"
    );
    assert_eq!(
        cost(&schema, &nodes("(first: 100000)"), Value::Null, &config),
        101,
        "capped"
    );
    assert_eq!(
        cost(&schema, &nodes("(first: -3)"), Value::Null, &config),
        2,
        "at least 1"
    );
    // `edges` and `nodes` are both pages.
    let both = "{ advertsWhere(first: 10) { edges { cursor node { id } } nodes { id } } }";
    assert_eq!(cost(&schema, both, Value::Null, &config), 21);
    // Variables, their defaults, and a variable without a value.
    let q = "query Q($n: Int = 7) { advertsWhere(first: $n) { nodes { id } } }";
    assert_eq!(cost(&schema, q, Value::Null, &config), 8);
    assert_eq!(cost(&schema, q, json!({"n": 9}), &config), 10);
    let q = "query Q($n: Int) { advertsWhere(first: $n) { nodes { id } } }";
    assert_eq!(cost(&schema, q, json!({}), &config), 21);
    // The default page size is configurable (the reference sets the marketplace's 50).
    let fifty = ServerConfig {
        default_page_size: 50,
        ..ServerConfig::default()
    };
    assert_eq!(cost(&schema, &nodes(""), Value::Null, &fifty), 51);

    // A page size inside an input object, literally or through a variable.
    let client = client::schema(client::adapter::Unimplemented).unwrap();
    let q = "{ inventoryItems(filters: {}, pagination: {limit: 50}) { items { _id } pagination { count } } }";
    assert_eq!(cost(&client, q, Value::Null, &config), 51);
    let q = "query Q($p: PaginationInput!) { inventoryItems(filters: {}, pagination: $p) { items { _id listings { id } } } }";
    // 1 + 40 items × (1 + 1 listing list without a page size).
    assert_eq!(
        cost(&client, q, json!({"p": {"limit": 40, "page": 3}}), &config),
        81
    );

    // A schema default (`first: Int = 20`) wins over the configured default page size.
    let admin = cart_admin::schema(cart_admin::adapter::Unimplemented).unwrap();
    let small = ServerConfig {
        default_page_size: 3,
        ..ServerConfig::default()
    };
    assert_eq!(
        cost(&admin, "{ carts { nodes { id } } }", Value::Null, &small),
        21
    );

    // `take` (the purchase seed's page size).
    let purchase = purchase::schema(purchase::adapter::Unimplemented).unwrap();
    let q = "{ carts(userId: \"u\", take: 3) { items { id items { id } } } }";
    assert_eq!(cost(&purchase, q, Value::Null, &config), 7);
}

#[test]
fn objects_scalars_and_abstract_types() {
    let schema = marketplace_schema();
    let config = ServerConfig::default();
    // A root field costs 1; scalar fields and `__typename` nothing; an object in no list
    // counts what it holds.
    assert_eq!(cost(&schema, "{ __typename }", Value::Null, &config), 0);
    let q = "{ node(id: \"x\") { id __typename ... on Advert { title brand { name } } } }";
    assert_eq!(cost(&schema, q, Value::Null, &config), 1);
    // Fragments on the concrete types of an interface: the costliest one counts.
    let q = "{ node(id: \"x\") { ... on Advert { variants(first: 30) { nodes { id } } } ... on Taxon { id } ...V } } fragment V on Variant { images(first: 5) { nodes { id } } }";
    assert_eq!(cost(&schema, q, Value::Null, &config), 31);
    // Aliases each count.
    let q = "{ a: node(id: \"x\") { id } b: node(id: \"y\") { id } }";
    assert_eq!(cost(&schema, q, Value::Null, &config), 2);
    // In a document of several operations, the one named, or the costliest.
    let mut request = Request::new(
        "query Small { node(id: \"x\") { id } } query Big { advertsWhere(first: 9) { nodes { id } } }",
    );
    let doc = request.parsed_query().unwrap().clone();
    let vars = Variables::default();
    assert_eq!(
        limits::complexity(&schema, &doc, Some("Small"), &vars, &config),
        1
    );
    assert_eq!(limits::complexity(&schema, &doc, None, &vars, &config), 10);
    assert_eq!(
        limits::complexity(&schema, &doc, Some("None"), &vars, &config),
        0
    );
}

#[test]
fn fragments_spread_many_times_cost_linear_time_and_cycles_end() {
    let schema = lock::schema(lock::adapter::Unimplemented).unwrap();
    let config = ServerConfig::default();
    // F40 spreads F39 twice, … F0 selects one root field: 2^40 root fields, counted in no
    // time because each fragment is walked once.
    let mut doc = String::from("{ ...F40 }\nfragment F0 on Query { lock(key: \"k\") { held } }\n");
    for i in 1..=40 {
        doc.push_str(&format!(
            "fragment F{i} on Query {{ ...F{j} ...F{j} }}\n",
            j = i - 1
        ));
    }
    let started = Instant::now();
    assert_eq!(cost(&schema, &doc, Value::Null, &config), 1 << 40);
    assert!(started.elapsed() < Duration::from_secs(1));
    // A cycle (which validation refuses) ends.
    let cycle = "{ ...A } fragment A on Query { lock(key: \"k\") { held } ...B } fragment B on Query { ...A }";
    assert_eq!(cost(&schema, cycle, Value::Null, &config), 1);
}
