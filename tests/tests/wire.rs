//! Wire check: the seed's example operations, sent as printed to the reference server, come back
//! with the shape the seed's responses show — the same field names and nesting, values of the
//! same kinds (a `null` in the seed admits any value; an array's items are compared with the
//! seed's first item) — and with exactly the fields each operation selects.

use std::path::Path;

use serde_json::Value;
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, start};

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Differences between the seed's response and ours.
fn shape_differences(seed: &Value, ours: &Value, path: &str, out: &mut Vec<String>) {
    match (seed, ours) {
        (Value::Null, _) => {}
        (Value::Object(s), Value::Object(o)) => {
            for (k, sv) in s {
                match o.get(k) {
                    None => out.push(format!("{path}.{k}: missing")),
                    Some(ov) => shape_differences(sv, ov, &format!("{path}.{k}"), out),
                }
            }
        }
        (Value::Array(s), Value::Array(o)) => {
            if let Some(first) = s.first() {
                if o.is_empty() {
                    out.push(format!("{path}: empty where the seed shows items"));
                }
                for (i, item) in o.iter().enumerate() {
                    shape_differences(first, item, &format!("{path}[{i}]"), out);
                }
            }
        }
        (s, o) if kind(s) != kind(o) => out.push(format!(
            "{path}: the seed has a {}, the server a {}",
            kind(s),
            kind(o)
        )),
        _ => {}
    }
}

/// The response keys an operation selects, by path, compared with the data: every selected key
/// is present and no other key is.
fn selection_differences(query: &str, data: &Value) -> Vec<String> {
    use graphql_parser::query::{Definition, OperationDefinition, Selection, SelectionSet};
    fn walk(set: &SelectionSet<'_, String>, value: &Value, path: &str, out: &mut Vec<String>) {
        match value {
            Value::Array(items) => items.iter().for_each(|v| walk(set, v, path, out)),
            Value::Object(map) => {
                let mut keys = Vec::new();
                for item in &set.items {
                    match item {
                        Selection::Field(f) => {
                            let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
                            match map.get(&key) {
                                None => out.push(format!("{path}.{key}: selected but missing")),
                                Some(v) if !f.selection_set.items.is_empty() => {
                                    walk(&f.selection_set, v, &format!("{path}.{key}"), out)
                                }
                                Some(_) => {}
                            }
                            keys.push(key);
                        }
                        // The client operations use no fragments; anything else is skipped.
                        _ => return,
                    }
                }
                for k in map.keys() {
                    if !keys.contains(k) {
                        out.push(format!("{path}.{k}: not selected but returned"));
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let Ok(doc) = graphql_parser::parse_query::<String>(query) else {
        return vec!["unparsable operation".into()];
    };
    for def in &doc.definitions {
        if let Definition::Operation(op) = def {
            let set = match op {
                OperationDefinition::SelectionSet(s) => s,
                OperationDefinition::Query(q) => &q.selection_set,
                OperationDefinition::Mutation(m) => &m.selection_set,
                OperationDefinition::Subscription(s) => &s.selection_set,
            };
            walk(set, data, "data", &mut out);
        }
    }
    out
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

#[tokio::test]
async fn the_client_quick_start_answers_with_the_seed_shapes() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ops = root.join("../schemas/operations/client");
    let fixtures = root.join("fixtures/seed-responses");
    for db in TestDatabase::all().await? {
        let server = start(Config::for_tests(&db.url)).await?;
        let url = format!("{}/client/graphql", server.base_url());
        let http = reqwest::Client::new();
        let mut jwt: Option<String> = None;
        // The seed's four steps, in order: login, inventory, checkout, items.
        for name in [
            "login",
            "get_inventory_items",
            "checkout_create",
            "checkout_update_items",
        ] {
            let query = read(&ops.join(format!("{name}.graphql")))?;
            let variables: Value = serde_json::from_str(&read(&ops.join(format!("{name}.json")))?)?;
            let mut request = http
                .post(&url)
                .header("commonground-origin", "www.my-vinyl-store.com")
                .json(&serde_json::json!({ "query": query, "variables": variables }));
            if let Some(token) = &jwt {
                request = request.bearer_auth(token);
            }
            let response: Value = request.send().await?.json().await?;
            assert!(
                response.get("errors").is_none(),
                "{name} on {}: {response}",
                db.label()
            );
            let seed: Value = serde_json::from_str(&read(&fixtures.join(format!("{name}.json")))?)?;
            let mut diffs = Vec::new();
            shape_differences(&seed, &response, "", &mut diffs);
            diffs.extend(selection_differences(&query, &response["data"]));
            assert!(
                diffs.is_empty(),
                "{name} on {}: the response differs from the seed's shape:\n{}\n{response}",
                db.label(),
                diffs.join("\n")
            );
            if name == "login" {
                jwt = response["data"]["login"]["session"]["jwt"]
                    .as_str()
                    .map(str::to_string);
            }
            println!("{name} on {}: same shape as the seed", db.label());
        }
        server.stop().await?;
    }
    Ok(())
}

#[test]
fn the_shape_check_itself_catches_differences() {
    let seed = serde_json::json!({ "a": { "b": 1, "c": [{ "d": "x" }], "n": null } });
    let same = serde_json::json!({ "a": { "b": 2, "c": [{ "d": "y" }, { "d": "z" }], "n": 5, "extra": true } });
    let mut diffs = Vec::new();
    shape_differences(&seed, &same, "", &mut diffs);
    assert!(diffs.is_empty(), "{diffs:?}");
    let other = serde_json::json!({ "a": { "b": "2", "c": [{ "e": "y" }] } });
    let mut diffs = Vec::new();
    shape_differences(&seed, &other, "", &mut diffs);
    assert_eq!(diffs.len(), 3, "{diffs:?}");
    let d = selection_differences(
        "{ a { b } }",
        &serde_json::json!({ "a": { "b": 1, "c": 2 } }),
    );
    assert_eq!(d, ["data.a.c: not selected but returned"]);
}
