//! Connections: walking pages forwards (first/after) and backwards (last/before) visits every
//! element exactly once in the connection's order; totalCount counts them all; page sizes above
//! 100 or below 0 are refused; a cursor only works on the connection that issued it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod marketplace_support;

use marketplace_support::{Mp, codes, databases, gid};
use serde_json::{Value, json};

/// Adds `n` brands straight in the database (the catalogue has no mutations).
async fn add_brands(mp: &Mp, n: i64) -> anyhow::Result<()> {
    for i in 0..n {
        // Names with ties and mixed order, so that the (name, id) keyset matters.
        let name = format!("Zeta {:02}", i % 40);
        sqlx::query("INSERT INTO mp_brands (id, name, name_lower, slug) VALUES ($1, $2, $3, $4)")
            .bind(1000 + i)
            .bind(name.clone())
            .bind(name.to_lowercase())
            .bind(format!("zeta-{i}"))
            .execute(&mp.server.state.store.pool)
            .await?;
    }
    Ok(())
}

async fn create_adverts(mp: &Mp, n: usize) -> anyhow::Result<()> {
    for i in 0..n {
        let d = mp
            .data(
                "mutation C($t: String!) { advertUpsert(input: { attributes: { title: $t, taxonId: \"VGF4b24tMzAx\", price: \"10.00\", attemptAutoPublish: true, variants: [{ countOnHand: 1 }] } }) { status errors { field messages } } }",
                json!({ "t": format!("Paged advert {i}") }),
            )
            .await?;
        assert_eq!(d["advertUpsert"]["status"], 200, "{d}");
    }
    Ok(())
}

/// Walks a connection with `first`/`after`; returns the ids and the total.
async fn walk_forward(
    mp: &Mp,
    field: &str,
    args: &str,
    select: &str,
    size: i64,
) -> anyhow::Result<(Vec<Value>, i64)> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..1000 {
        let q = format!(
            "query P($first: Int, $after: String) {{ {field}({args} first: $first, after: $after) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ cursor node {{ {select} }} }} nodes {{ {select} }} }} }}"
        );
        let d = mp
            .data(&q, json!({ "first": size, "after": after }))
            .await?;
        let c = &d[field];
        let total = c["totalCount"].as_i64().unwrap_or(-1);
        let edges = c["edges"].as_array().cloned().unwrap_or_default();
        let nodes = c["nodes"].as_array().cloned().unwrap_or_default();
        assert!(edges.len() as i64 <= size);
        assert_eq!(edges.len(), nodes.len());
        for (e, n) in edges.iter().zip(&nodes) {
            assert_eq!(&e["node"], n, "edges and nodes agree");
        }
        if let (Some(first), Some(last)) = (edges.first(), edges.last()) {
            assert_eq!(c["pageInfo"]["startCursor"], first["cursor"]);
            assert_eq!(c["pageInfo"]["endCursor"], last["cursor"]);
        }
        assert_eq!(c["pageInfo"]["hasPreviousPage"], json!(after.is_some()));
        seen.extend(nodes);
        if c["pageInfo"]["hasNextPage"] != true {
            return Ok((seen, total));
        }
        after = c["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
    panic!("{field} never ended");
}

/// Walks a connection with `last`/`before`; returns the elements in connection order.
async fn walk_backward(
    mp: &Mp,
    field: &str,
    args: &str,
    select: &str,
    size: i64,
) -> anyhow::Result<Vec<Value>> {
    let mut pages: Vec<Vec<Value>> = Vec::new();
    let mut before: Option<String> = None;
    for _ in 0..1000 {
        let q = format!(
            "query P($last: Int, $before: String) {{ {field}({args} last: $last, before: $before) {{ pageInfo {{ hasPreviousPage startCursor }} nodes {{ {select} }} }} }}"
        );
        let d = mp
            .data(&q, json!({ "last": size, "before": before }))
            .await?;
        let c = &d[field];
        pages.push(c["nodes"].as_array().cloned().unwrap_or_default());
        if c["pageInfo"]["hasPreviousPage"] != true {
            pages.reverse();
            return Ok(pages.into_iter().flatten().collect());
        }
        before = c["pageInfo"]["startCursor"].as_str().map(str::to_string);
    }
    panic!("{field} never ended");
}

async fn all_at_once(mp: &Mp, field: &str, args: &str, select: &str) -> anyhow::Result<Vec<Value>> {
    let q = format!("{{ {field}({args} first: 100) {{ nodes {{ {select} }} }} }}");
    let d = mp.data(&q, json!({})).await?;
    Ok(d[field]["nodes"].as_array().cloned().unwrap_or_default())
}

fn assert_unique(items: &[Value]) {
    let mut ids: Vec<String> = items.iter().map(|v| v.to_string()).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicates in {items:?}");
}

#[tokio::test]
async fn pages_cover_every_element_once() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        create_adverts(&mp, 25).await?;
        add_brands(&mp, 130).await?;

        let cases: [(&str, &str, &str); 7] = [
            (
                "allAdverts",
                "",
                "__typename ... on Advert { legacyId } ... on UnpublishedAdvert { legacyId } ... on DeletedAdvert { legacyId }",
            ),
            (
                "allAdverts",
                "updatedSince: \"2023-05-20\",",
                "... on Advert { legacyId } ... on UnpublishedAdvert { legacyId } ... on DeletedAdvert { legacyId }",
            ),
            (
                "advertsWhere",
                "taxonIdsWithDescendants: [\"VGF4b24tMzA=\"],",
                "legacyId",
            ),
            ("variantsWhere", "", "legacyId sku"),
            (
                "invoices",
                "sort: { fields: [PAID_AT], ordering: DESCENDING },",
                "legacyId paidAt",
            ),
            (
                "invoices",
                "sort: { fields: [STATUS, UPDATED_AT] },",
                "legacyId status",
            ),
            ("taxons", "", "legacyId treeName"),
        ];
        for (field, args, select) in cases {
            let everything = all_at_once(&mp, field, args, select).await?;
            assert!(!everything.is_empty(), "[{l}] {field}({args})");
            for size in [1, 3, 7] {
                let (forward, total) = walk_forward(&mp, field, args, select, size).await?;
                assert_eq!(forward, everything, "[{l}] {field}({args}) by {size}");
                assert_eq!(total, everything.len() as i64, "[{l}] {field} totalCount");
                assert_unique(&forward);
                let backward = walk_backward(&mp, field, args, select, size).await?;
                assert_eq!(
                    backward, everything,
                    "[{l}] {field}({args}) backwards by {size}"
                );
            }
        }
        // Brands: more than one full page; names with ties are ordered by (name, id).
        let (brands, total) = walk_forward(&mp, "brands", "", "legacyId name", 100).await?;
        assert_eq!(total, 137);
        assert_eq!(brands.len(), 137);
        assert_unique(&brands);
        let names: Vec<String> = brands
            .iter()
            .map(|b| b["name"].as_str().unwrap_or("").to_string())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "[{l}] brands by name");
        let (search, _) =
            walk_forward(&mp, "brandSearch", "keyword: \"zeta 0\",", "legacyId", 4).await?;
        assert_eq!(search.len(), 40, "[{l}] 10 names x 4 brands each");
        assert_unique(&search);

        // Invoices sorted by paid time put unpaid ones last, in either direction.
        let asc = all_at_once(
            &mp,
            "invoices",
            "sort: { fields: [PAID_AT] },",
            "legacyId paidAt",
        )
        .await?;
        let desc = all_at_once(
            &mp,
            "invoices",
            "sort: { fields: [PAID_AT], ordering: DESCENDING },",
            "legacyId paidAt",
        )
        .await?;
        assert!(asc.last().is_some_and(|i| i["paidAt"].is_null()));
        assert!(desc.last().is_some_and(|i| i["paidAt"].is_null()));
        assert_eq!(
            asc.first().map(|i| i["legacyId"].clone()),
            Some(json!(10200))
        );
        assert_eq!(
            desc.first().map(|i| i["legacyId"].clone()),
            Some(json!(13700))
        );
        mp.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn page_sizes_and_cursors_are_checked() -> anyhow::Result<()> {
    for db in databases().await? {
        let mp = Mp::start(&db).await?;
        let l = mp.label;
        for q in [
            "{ brands(first: 101) { totalCount } }",
            "{ brands(last: 500) { totalCount } }",
            "{ brands(first: -1) { totalCount } }",
            "{ allAdverts(first: 1000) { totalCount } }",
            "{ node(id: \"QWR2ZXJ0LTEwMDA3MDczNA==\") { ... on Advert { variants(first: 101) { totalCount } } } }",
            "{ brands(after: \"garbage\") { totalCount } }",
            "{ allAdverts(updatedSince: \"last tuesday\") { totalCount } }",
            "{ brandSearch(keyword: \"   \") { totalCount } }",
            "{ taxonSearch(searchValue: \"\") { totalCount } }",
        ] {
            assert_eq!(
                mp.error_codes(q, json!({})).await?,
                vec!["BAD_USER_INPUT"],
                "[{l}] {q}"
            );
        }
        // 100 is fine; the default page is 50.
        let d = mp
            .data("{ brands(first: 100) { totalCount } }", json!({}))
            .await?;
        assert!(d["brands"]["totalCount"].as_i64().is_some());
        // A cursor of one connection is refused by another.
        let d = mp
            .data("{ brands(first: 1) { pageInfo { endCursor } } }", json!({}))
            .await?;
        let cursor = d["brands"]["pageInfo"]["endCursor"].clone();
        let codes_ = mp
            .error_codes(
                "query T($a: String) { taxons(after: $a) { totalCount } }",
                json!({ "a": cursor }),
            )
            .await?;
        assert_eq!(codes_, vec!["BAD_USER_INPUT"], "[{l}]");
        // advertsWhere without any filter is an empty result set, as in the real service.
        let d = mp
            .data(
                "{ advertsWhere { totalCount nodes { id } pageInfo { hasNextPage } } }",
                json!({}),
            )
            .await?;
        assert_eq!(d["advertsWhere"]["totalCount"], 0);
        assert_eq!(d["advertsWhere"]["nodes"], json!([]));
        // first: 0 gives an empty page that still knows there is more.
        let d = mp
            .data(
                "{ taxons(first: 0) { totalCount nodes { id } pageInfo { hasNextPage } } }",
                json!({}),
            )
            .await?;
        assert_eq!(d["taxons"]["nodes"], json!([]));
        assert_eq!(d["taxons"]["pageInfo"]["hasNextPage"], true);
        let _ = gid("Advert", 1);
        let body = mp
            .as_seller(
                marketplace_support::SELLER,
                "{ brands(first: 101) { totalCount } }",
                json!({}),
            )
            .await?;
        assert!(body["data"]["brands"].is_null(), "{body}");
        let _ = codes(&body);
        mp.stop().await?;
    }
    Ok(())
}
