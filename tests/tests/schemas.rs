//! Every schema in `schemas/` is a valid GraphQL schema, every operation document in
//! `schemas/operations/<api>/` validates against its schema (with its variables), and every root
//! field of every schema is exercised by at least one operation.
//!
//! The check uses `apollo-compiler`, a spec-complete validator that shares no code with
//! `shopql-codegen`, so the schemas are proven valid independently of our own generator.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use apollo_compiler::ast::OperationType;
use apollo_compiler::executable::{Selection, SelectionSet};
use apollo_compiler::response::JsonMap;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};

/// The seven APIs and their schema files.
const APIS: [&str; 7] = [
    "client",
    "shop",
    "cart-admin",
    "lock",
    "usage",
    "purchase",
    "marketplace",
];

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn load_schema(api: &str) -> Valid<Schema> {
    let path = schemas_dir().join(format!("{api}.graphql"));
    match Schema::parse_and_validate(read(&path), &path) {
        Ok(schema) => schema,
        Err(with_errors) => panic!(
            "{api}.graphql is not a valid schema:\n{}",
            with_errors.errors
        ),
    }
}

/// Root fields (`Query.x`, `Mutation.y`) selected by a selection set, through fragments.
fn collect_root_fields(
    doc: &ExecutableDocument,
    root: &str,
    set: &SelectionSet,
    out: &mut BTreeSet<String>,
) {
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => {
                if !field.name.starts_with("__") {
                    out.insert(format!("{root}.{}", field.name));
                }
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = doc.fragments.get(&spread.fragment_name) {
                    collect_root_fields(doc, root, &fragment.selection_set, out);
                }
            }
            Selection::InlineFragment(inline) => {
                collect_root_fields(doc, root, &inline.selection_set, out)
            }
        }
    }
}

fn root_fields_of(schema: &Schema) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    for op in [
        OperationType::Query,
        OperationType::Mutation,
        OperationType::Subscription,
    ] {
        if let Some(root) = schema.root_operation(op)
            && let Some(object) = schema.get_object(root)
        {
            for name in object.fields.keys() {
                all.insert(format!("{root}.{name}"));
            }
        }
    }
    all
}

struct ApiReport {
    operations: usize,
    root_fields: usize,
}

fn check_api(api: &str) -> Result<ApiReport, Vec<String>> {
    let schema = load_schema(api);
    let mut problems = Vec::new();

    // Documentation: every type and every root field carries a description.
    for (name, ty) in &schema.types {
        if ty.is_built_in() {
            continue;
        }
        let description = match ty {
            ExtendedType::Scalar(t) => t.description.as_ref(),
            ExtendedType::Object(t) => t.description.as_ref(),
            ExtendedType::Interface(t) => t.description.as_ref(),
            ExtendedType::Union(t) => t.description.as_ref(),
            ExtendedType::Enum(t) => t.description.as_ref(),
            ExtendedType::InputObject(t) => t.description.as_ref(),
        };
        if description.is_none_or(|d| d.trim().is_empty()) {
            problems.push(format!("{api}: type {name} has no description"));
        }
    }
    for op in [OperationType::Query, OperationType::Mutation] {
        if let Some(object) = schema.root_operation(op).and_then(|r| schema.get_object(r)) {
            for (field_name, field) in &object.fields {
                if field
                    .description
                    .as_ref()
                    .is_none_or(|d| d.trim().is_empty())
                {
                    problems.push(format!("{api}: root field {field_name} has no description"));
                }
            }
        }
    }

    let dir = schemas_dir().join("operations").join(api);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
        .collect();
    files.sort();

    let mut used = BTreeSet::new();
    let mut operation_names = BTreeMap::new();
    for file in &files {
        let source = read(file);
        let doc = match ExecutableDocument::parse_and_validate(&schema, source, file) {
            Ok(doc) => doc,
            Err(with_errors) => {
                problems.push(format!("{}:\n{}", file.display(), with_errors.errors));
                continue;
            }
        };
        let operations: Vec<_> = doc.operations.iter().collect();
        if operations.len() != 1 {
            problems.push(format!(
                "{}: expected exactly one operation",
                file.display()
            ));
            continue;
        }
        let operation = operations[0];
        let Some(op_name) = operation.name.as_ref() else {
            problems.push(format!("{}: the operation must be named", file.display()));
            continue;
        };
        if let Some(other) = operation_names.insert(op_name.to_string(), file.clone()) {
            problems.push(format!(
                "{}: operation name {op_name} is also used by {}",
                file.display(),
                other.display()
            ));
        }

        // Variables sit beside the document as `<stem>.json` and must coerce to the operation's
        // variable types.
        let vars_path = file.with_extension("json");
        let vars: JsonMap = if vars_path.exists() {
            match serde_json::from_str(&read(&vars_path)) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!("{}: invalid JSON: {e}", vars_path.display()));
                    continue;
                }
            }
        } else {
            problems.push(format!("{}: missing variables file", vars_path.display()));
            continue;
        };
        if let Err(e) = apollo_compiler::request::coerce_variable_values(&schema, operation, &vars)
        {
            problems.push(format!(
                "{}: variables do not match the operation: {}",
                vars_path.display(),
                e.message()
            ));
        }

        let root = schema
            .root_operation(operation.operation_type)
            .map(|n| n.to_string())
            .unwrap_or_default();
        collect_root_fields(&doc, &root, &operation.selection_set, &mut used);
    }

    let all = root_fields_of(&schema);
    for missing in all.difference(&used) {
        problems.push(format!(
            "{api}: root field {missing} is used by no operation"
        ));
    }

    if problems.is_empty() {
        Ok(ApiReport {
            operations: files.len(),
            root_fields: all.len(),
        })
    } else {
        Err(problems)
    }
}

#[test]
fn every_schema_and_operation_validates_and_covers_every_root_field() {
    // `SHOPQL_SCHEMA_API=client,lock` narrows the check while a schema is being written.
    let only = std::env::var("SHOPQL_SCHEMA_API").ok();
    let selected: Vec<&str> = APIS
        .into_iter()
        .filter(|api| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|x| x.trim() == *api))
        })
        .collect();
    let mut problems = Vec::new();
    let mut total_ops = 0;
    let mut total_fields = 0;
    for api in selected.iter().copied() {
        match check_api(api) {
            Ok(report) => {
                println!(
                    "{api:12} {:3} operations validated, {:3} root fields all covered",
                    report.operations, report.root_fields
                );
                total_ops += report.operations;
                total_fields += report.root_fields;
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    println!("total: {total_ops} operations checked against {total_fields} root fields");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    if selected.len() == APIS.len() {
        assert!(
            total_ops > 50,
            "expected more than 50 operations, found {total_ops}"
        );
    }
}

/// The validator itself must catch a broken schema and a broken operation, or the test above
/// proves nothing.
#[test]
fn the_validator_rejects_broken_documents() {
    let broken_schema = "type Query { a: Missing }";
    assert!(Schema::parse_and_validate(broken_schema, "broken.graphql").is_err());

    let schema = load_schema("lock");
    let broken_op = "mutation Broken { acquire(noSuchArgument: 1) }";
    assert!(ExecutableDocument::parse_and_validate(&schema, broken_op, "broken.graphql").is_err());
}
