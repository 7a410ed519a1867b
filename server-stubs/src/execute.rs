//! Executes a request on a generated schema the way the HTTP layer does, and makes
//! async-graphql's `dynamic` engine behave as GraphQL and the runtime's error contract say:
//!
//! - parse errors are `GRAPHQL_PARSE_FAILED`, validation errors `GRAPHQL_VALIDATION_FAILED`,
//!   the engine's depth limit `DEPTH_LIMIT_EXCEEDED` with a message that says the limit, and
//!   documents with too many aliases (`ALIAS_LIMIT_EXCEEDED`) or a complexity above the limit,
//!   lists weighted by their page size (`COMPLEXITY_LIMIT_EXCEEDED`, with
//!   `extensions.complexity` and `extensions.maxComplexity`), are refused before any resolver
//!   runs;
//! - a failing non-null field is reported once, with its `path` (the glue records the error;
//!   the engine's follow-up "non-null types require a return value" is dropped);
//! - `null` items in lists of objects, interfaces, unions and enums are `null` (the engine would
//!   resolve them as objects: async-graphql/async-graphql#1577);
//! - any other error without a code is `INTERNAL`.
//!
//! This is done around `Schema::execute`, not in an async-graphql extension: an extension adds a
//! boxed future per hook and field to every request, which cost ~7 % of a small query's
//! throughput. Executing a generated schema with plain `schema.execute(…)` works too, but without
//! these corrections (a `null` list item then shows as an object and a marker error).

use async_graphql::dynamic::Schema;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, PathSegment, Request, Response, ServerError, Value};

use crate::ServerConfig;

/// The message async-graphql gives a non-null field that produced no value; the glue has already
/// reported the field's own error.
const NON_NULL_FOLLOW_UP: &str = "internal: non-null types require a return value";

/// The message of the marker error the glue adds at the path of each `null` list item. Executed
/// with [`execute`], the item is `null` and the marker is gone; executed with plain
/// `Schema::execute`, the marker stays and says why the item looks wrong.
const NULL_ITEM: &str =
    "this list item is null; execute with `shopql_server_stubs::execute` to see it as null";

pub(crate) fn null_item_marker(path: Vec<PathSegment>) -> ServerError {
    let mut e = ServerError::new(NULL_ITEM, None);
    e.path = path;
    e
}

fn coded(mut error: ServerError, code: &str) -> ServerError {
    let ext = error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    if ext.get("code").is_none() {
        ext.set("code", code);
    }
    error
}

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
}

/// Executes `request` on `schema` with `config`'s alias and complexity limits and the
/// corrections listed in the module documentation. The schema's other limits are those it was
/// built with ([`crate::limits::apply`]).
pub async fn execute(
    schema: &Schema,
    request: impl Into<Request>,
    config: &ServerConfig,
) -> Response {
    let mut request = request.into();
    if let Some(refused) = refuse(schema, &mut request, config) {
        return refused;
    }
    run(schema, request, config).await
}

/// The answer to a request that the document checks refuse before anything runs (a parse
/// error, `__typename` with arguments, too many aliases, too complex), or `None`. The document
/// is parsed here, once: async-graphql executes the parsed document kept in the request.
pub(crate) fn refuse(
    schema: &Schema,
    request: &mut Request,
    config: &ServerConfig,
) -> Option<Response> {
    match request.parsed_query() {
        Err(e) => {
            return Some(Response::from_errors(vec![coded(
                e,
                "GRAPHQL_PARSE_FAILED",
            )]));
        }
        Ok(doc) => {
            let found = scan(doc);
            if found.typename_arguments {
                let e = ServerError::new("`__typename` takes no arguments", None);
                return Some(Response::from_errors(vec![coded(
                    e,
                    "GRAPHQL_VALIDATION_FAILED",
                )]));
            }
            let aliases = found.aliases;
            if aliases > config.max_aliases {
                let e = ServerError::new(
                    format!(
                        "the document has {aliases} aliases; at most {} are allowed",
                        config.max_aliases
                    ),
                    None,
                );
                return Some(Response::from_errors(vec![coded(
                    e,
                    "ALIAS_LIMIT_EXCEEDED",
                )]));
            }
        }
    }
    too_complex(schema, request, config).map(|e| Response::from_errors(vec![e]))
}

/// Executes a request that [`refuse`] let through, and corrects the response.
pub(crate) async fn run(schema: &Schema, mut request: Request, config: &ServerConfig) -> Response {
    let descriptions = schema_description_keys(&mut request);
    let mut response = schema.execute(request).await;
    for (schema_key, description_key) in descriptions {
        if let Value::Object(data) = &mut response.data
            && let Some(Value::Object(fields)) = data.get_mut(schema_key.as_str())
            && let Some(value) = fields.get_mut(description_key.as_str())
        {
            *value = config
                .schema_description
                .as_deref()
                .map_or(Value::Null, |d| Value::String(d.to_string()));
        }
    }
    correct(response, config)
}

/// The response keys of `__schema { description }` selections (aliases honoured, through
/// fragments). async-graphql answers that field with the description of the `__Schema` type
/// itself ("A GraphQL Schema defines the capabilities…"), so tools built on graphql-js print it
/// as the schema's description; [`run`] puts the schema's own there instead.
fn schema_description_keys(request: &mut Request) -> Vec<(String, String)> {
    if !request.query.contains("__schema") {
        return Vec::new();
    }
    let Ok(doc) = request.parsed_query() else {
        return Vec::new();
    };
    // The fields of `set`, with those of its inline fragments and spread fragments.
    fn fields<'a>(
        doc: &'a ExecutableDocument,
        set: &'a SelectionSet,
        out: &mut Vec<&'a async_graphql::parser::types::Field>,
        depth: usize,
    ) {
        if depth > 8 {
            return;
        }
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => out.push(&f.node),
                Selection::InlineFragment(i) => {
                    fields(doc, &i.node.selection_set.node, out, depth + 1);
                }
                Selection::FragmentSpread(s) => {
                    if let Some(f) = doc.fragments.get(&s.node.fragment_name.node) {
                        fields(doc, &f.node.selection_set.node, out, depth + 1);
                    }
                }
            }
        }
    }
    let key = |f: &async_graphql::parser::types::Field| {
        f.alias.as_ref().unwrap_or(&f.name).node.to_string()
    };
    let mut keys = Vec::new();
    for (_, op) in doc.operations.iter() {
        let mut root = Vec::new();
        fields(doc, &op.node.selection_set.node, &mut root, 0);
        for schema_field in root.into_iter().filter(|f| f.name.node == "__schema") {
            let mut inner = Vec::new();
            fields(doc, &schema_field.selection_set.node, &mut inner, 0);
            for d in inner.into_iter().filter(|f| f.name.node == "description") {
                keys.push((key(schema_field), key(d)));
            }
        }
    }
    keys
}

/// The `COMPLEXITY_LIMIT_EXCEEDED` error when the operation `request` runs costs more than
/// `config.max_complexity` (see [`crate::limits::complexity`]).
fn too_complex(
    schema: &Schema,
    request: &mut Request,
    config: &ServerConfig,
) -> Option<ServerError> {
    let variables = std::mem::take(&mut request.variables);
    let name = request.operation_name.clone();
    let cost = request
        .parsed_query()
        .ok()
        .map(|doc| crate::limits::complexity(schema, doc, name.as_deref(), &variables, config));
    request.variables = variables;
    let cost = cost?;
    if cost <= config.max_complexity {
        return None;
    }
    let mut e = ServerError::new(
        format!(
            "the query is too complex: its complexity is {cost}, at most {} is allowed (each \
             root field and each list item it may return counts 1, lists by their page size: \
             ask for smaller pages or fewer nested lists)",
            config.max_complexity
        ),
        None,
    );
    let ext = e
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    ext.set("complexity", cost);
    ext.set("maxComplexity", config.max_complexity);
    Some(coded(e, "COMPLEXITY_LIMIT_EXCEEDED"))
}

/// Applies the corrections to a response.
fn correct(mut response: Response, config: &ServerConfig) -> Response {
    if response.errors.is_empty() {
        return response;
    }
    let (nulls, errors): (Vec<ServerError>, Vec<ServerError>) =
        std::mem::take(&mut response.errors)
            .into_iter()
            .partition(|e| e.message == NULL_ITEM);
    let nulls: Vec<Vec<PathSegment>> = nulls.into_iter().map(|e| e.path).collect();
    for path in &nulls {
        set_null(&mut response.data, path);
    }
    let pre_execution = response.data == Value::Null;
    let reported: Vec<Vec<PathSegment>> = errors
        .iter()
        .filter(|e| e.message != NON_NULL_FOLLOW_UP && !e.path.is_empty())
        .map(|e| e.path.clone())
        .collect();
    for mut error in errors {
        // Errors raised while resolving a `null` item's fields belong to nothing.
        if nulls.iter().any(|p| error.path.starts_with(p)) {
            continue;
        }
        if error.message == NON_NULL_FOLLOW_UP && reported.contains(&error.path) {
            continue;
        }
        if !has_code(&error) {
            error = if error.message == "Query is nested too deep." {
                error.message = format!(
                    "the query is nested too deep: at most {} levels of selections are allowed",
                    config.max_depth
                );
                coded(error, "DEPTH_LIMIT_EXCEEDED")
            } else if error.message == "Query is too complex." {
                error.message = format!(
                    "the query is too complex: at most {} fields may be selected in all",
                    config.max_complexity
                );
                coded(error, "COMPLEXITY_LIMIT_EXCEEDED")
            } else if pre_execution && error.path.is_empty() {
                coded(error, "GRAPHQL_VALIDATION_FAILED")
            } else {
                coded(error, "INTERNAL")
            };
        }
        response.errors.push(error);
    }
    response
}

/// Sets the value at `path` (response keys and list indices) to `null`, if it exists.
fn set_null(data: &mut Value, path: &[PathSegment]) {
    let mut current = data;
    for segment in path {
        let next = match (current, segment) {
            (Value::Object(fields), PathSegment::Field(name)) => fields.get_mut(name.as_str()),
            (Value::List(items), PathSegment::Index(i)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(v) => current = v,
            None => return,
        }
    }
    *current = Value::Null;
}

/// What one pass over a parsed document finds: the number of aliases, and a `__typename` given
/// arguments (which the engine ignores instead of refusing, so anything could hide in them).
struct Scan {
    aliases: usize,
    typename_arguments: bool,
}

fn scan(doc: &ExecutableDocument) -> Scan {
    fn walk(set: &SelectionSet, scan: &mut Scan) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    if f.node.alias.is_some() {
                        scan.aliases += 1;
                    }
                    if f.node.name.node == "__typename" && !f.node.arguments.is_empty() {
                        scan.typename_arguments = true;
                    }
                    walk(&f.node.selection_set.node, scan);
                }
                Selection::InlineFragment(i) => walk(&i.node.selection_set.node, scan),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let mut out = Scan {
        aliases: 0,
        typename_arguments: false,
    };
    for (_, op) in doc.operations.iter() {
        walk(&op.node.selection_set.node, &mut out);
    }
    for fragment in doc.fragments.values() {
        walk(&fragment.node.selection_set.node, &mut out);
    }
    out
}
