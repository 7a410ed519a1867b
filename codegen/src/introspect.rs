//! A schema read back from a running service: the standard introspection query, and its answer
//! turned into the canonical SDL of [`Schema::to_sdl`].
//!
//! The answer is first written as plain SDL, then read by [`Schema::parse`] like any schema
//! file, so that what comes out is checked and printed by the same code as `schemas/*.graphql`
//! (`shopql-codegen print`), and two schemas can be compared with `diff` or as text.

use std::fmt::Write;
use std::path::Path;

use serde_json::Value;

use crate::model::{BUILTIN_SCALARS, Schema, Subscriptions};

/// The introspection query: every type with descriptions, deprecated fields, arguments, input
/// fields and enum values included, and `@specifiedBy` URLs.
pub const INTROSPECTION_QUERY: &str = r#"query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
  }
}

fragment FullType on __Type {
  kind
  name
  description
  specifiedByURL
  fields(includeDeprecated: true) {
    name
    description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) {
    name
    description
    isDeprecated
    deprecationReason
  }
  possibleTypes { ...TypeRef }
}

fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
  isDeprecated
  deprecationReason
}

fragment TypeRef on __Type {
  kind
  name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

/// Why an introspection answer could not be turned into a schema.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct IntrospectionError(String);

impl IntrospectionError {
    fn new(message: impl Into<String>) -> Self {
        IntrospectionError(message.into())
    }
}

/// The SDL of an introspection answer (the whole response, `{"data": {"__schema": …}}`, or just
/// its `data`), in the canonical form of [`Schema::to_sdl`]. `name` names the API in messages.
pub fn sdl_from_introspection(response: &Value, name: &str) -> Result<String, IntrospectionError> {
    let schema = schema_from_introspection(response, name)?;
    Ok(schema.to_sdl(Subscriptions::Include))
}

/// The checked [`Schema`] of an introspection answer; see [`sdl_from_introspection`].
pub fn schema_from_introspection(
    response: &Value,
    name: &str,
) -> Result<Schema, IntrospectionError> {
    if let Some(errors) = response.get("errors").and_then(Value::as_array)
        && !errors.is_empty()
    {
        let messages: Vec<&str> = errors
            .iter()
            .map(|e| e.get("message").and_then(Value::as_str).unwrap_or("?"))
            .collect();
        return Err(IntrospectionError::new(format!(
            "the service answered the introspection query with errors: {} (check the credentials given with -H; a service in production mode may have introspection turned off)",
            messages.join("; ")
        )));
    }
    let data = response.get("data").unwrap_or(response);
    let schema = data.get("__schema").ok_or_else(|| {
        IntrospectionError::new("the answer has no `__schema`: is this a GraphQL endpoint?")
    })?;
    let raw = raw_sdl(schema)?;
    let path = Path::new(name);
    Schema::parse(&raw, path).map_err(|diagnostics| {
        let lines: Vec<String> = diagnostics
            .sorted()
            .iter()
            .filter(|d| d.is_error())
            .map(ToString::to_string)
            .collect();
        IntrospectionError::new(format!(
            "the introspected schema is not valid:\n{}",
            lines.join("\n")
        ))
    })
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A GraphQL string literal. JSON's escapes are exactly GraphQL's, so serde_json writes it.
fn literal(text: &str) -> String {
    Value::from(text).to_string()
}

/// Plain SDL from the `__schema` object: one definition per type, in the service's order.
fn raw_sdl(schema: &Value) -> Result<String, IntrospectionError> {
    let mut out = String::new();
    let root = |key: &str| schema.get(key).and_then(|t| text(t, "name"));
    out.push_str("schema {\n");
    let query =
        root("queryType").ok_or_else(|| IntrospectionError::new("the schema has no query type"))?;
    let _ = writeln!(out, "  query: {query}");
    if let Some(mutation) = root("mutationType") {
        let _ = writeln!(out, "  mutation: {mutation}");
    }
    if let Some(subscription) = root("subscriptionType") {
        let _ = writeln!(out, "  subscription: {subscription}");
    }
    out.push_str("}\n");
    for t in list(schema, "types") {
        let name =
            text(t, "name").ok_or_else(|| IntrospectionError::new("a type without a name"))?;
        if name.starts_with("__") || BUILTIN_SCALARS.contains(&name) {
            continue;
        }
        out.push('\n');
        description(&mut out, "", t);
        match text(t, "kind").unwrap_or("") {
            "SCALAR" => {
                let _ = write!(out, "scalar {name}");
                if let Some(url) = text(t, "specifiedByURL") {
                    let _ = write!(out, " @specifiedBy(url: {})", literal(url));
                }
                out.push('\n');
            }
            kind @ ("OBJECT" | "INTERFACE") => {
                let keyword = if kind == "OBJECT" {
                    "type"
                } else {
                    "interface"
                };
                let _ = write!(out, "{keyword} {name}");
                let interfaces = names(list(t, "interfaces"))?;
                if !interfaces.is_empty() {
                    let _ = write!(out, " implements {}", interfaces.join(" & "));
                }
                out.push_str(" {\n");
                for field in list(t, "fields") {
                    description(&mut out, "  ", field);
                    let _ = write!(out, "  {}", field_name(field)?);
                    let args = list(field, "args");
                    if !args.is_empty() {
                        out.push('(');
                        for (i, arg) in args.iter().enumerate() {
                            if i > 0 {
                                out.push_str(", ");
                            }
                            if let Some(d) = text(arg, "description") {
                                let _ = write!(out, "{} ", literal(d));
                            }
                            input_value(&mut out, arg)?;
                        }
                        out.push(')');
                    }
                    let _ = write!(out, ": {}", type_ref(field.get("type"))?);
                    deprecated(&mut out, field);
                    out.push('\n');
                }
                out.push_str("}\n");
            }
            "UNION" => {
                let members = names(list(t, "possibleTypes"))?;
                let _ = writeln!(out, "union {name} = {}", members.join(" | "));
            }
            "ENUM" => {
                let _ = writeln!(out, "enum {name} {{");
                for value in list(t, "enumValues") {
                    description(&mut out, "  ", value);
                    let _ = write!(out, "  {}", field_name(value)?);
                    deprecated(&mut out, value);
                    out.push('\n');
                }
                out.push_str("}\n");
            }
            "INPUT_OBJECT" => {
                let _ = writeln!(out, "input {name} {{");
                for field in list(t, "inputFields") {
                    description(&mut out, "  ", field);
                    out.push_str("  ");
                    input_value(&mut out, field)?;
                    out.push('\n');
                }
                out.push_str("}\n");
            }
            other => {
                return Err(IntrospectionError::new(format!(
                    "type `{name}` has an unknown kind {other:?}"
                )));
            }
        }
    }
    Ok(out)
}

fn field_name(value: &Value) -> Result<&str, IntrospectionError> {
    text(value, "name").ok_or_else(|| IntrospectionError::new("a field or value without a name"))
}

fn names(types: &[Value]) -> Result<Vec<&str>, IntrospectionError> {
    types
        .iter()
        .map(|t| {
            text(t, "name")
                .ok_or_else(|| IntrospectionError::new("a type reference without a name"))
        })
        .collect()
}

fn description(out: &mut String, indent: &str, value: &Value) {
    if let Some(d) = text(value, "description") {
        let _ = writeln!(out, "{indent}{}", literal(d));
    }
}

/// `@deprecated`, with the reason unless it is GraphQL's default, which services report for a
/// bare `@deprecated` too.
fn deprecated(out: &mut String, value: &Value) {
    if value.get("isDeprecated").and_then(Value::as_bool) != Some(true) {
        return;
    }
    match text(value, "deprecationReason") {
        None | Some("No longer supported") => out.push_str(" @deprecated"),
        Some(reason) => {
            let _ = write!(out, " @deprecated(reason: {})", literal(reason));
        }
    }
}

/// `name: Type = default @deprecated(…)`; the default is already GraphQL syntax.
fn input_value(out: &mut String, value: &Value) -> Result<(), IntrospectionError> {
    let _ = write!(
        out,
        "{}: {}",
        field_name(value)?,
        type_ref(value.get("type"))?
    );
    if let Some(default) = text(value, "defaultValue") {
        let _ = write!(out, " = {default}");
    }
    deprecated(out, value);
    Ok(())
}

fn type_ref(value: Option<&Value>) -> Result<String, IntrospectionError> {
    let value = value.ok_or_else(|| IntrospectionError::new("a field without a type"))?;
    match text(value, "kind") {
        Some("NON_NULL") => Ok(format!("{}!", type_ref(value.get("ofType"))?)),
        Some("LIST") => Ok(format!("[{}]", type_ref(value.get("ofType"))?)),
        _ => text(value, "name").map(str::to_owned).ok_or_else(|| {
            IntrospectionError::new("a type reference without a name (nested too deep?)")
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn named(kind: &str, name: &str) -> Value {
        json!({"kind": kind, "name": name, "ofType": null})
    }

    fn non_null(inner: Value) -> Value {
        json!({"kind": "NON_NULL", "name": null, "ofType": inner})
    }

    #[test]
    fn an_answer_becomes_canonical_sdl() {
        let answer = json!({"data": {"__schema": {
            "queryType": {"name": "Query"},
            "mutationType": null,
            "subscriptionType": null,
            "types": [
                {"kind": "OBJECT", "name": "Query", "description": "Root.\n\"Quoted\"",
                 "interfaces": [named("INTERFACE", "Node")],
                 "fields": [
                    {"name": "id", "description": null, "args": [], "type": non_null(named("SCALAR", "ID")),
                     "isDeprecated": false, "deprecationReason": null},
                    {"name": "items", "description": "Items.", "args": [
                        {"name": "first", "description": "How many.", "type": named("SCALAR", "Int"),
                         "defaultValue": "10", "isDeprecated": false, "deprecationReason": null},
                        {"name": "filter", "description": null, "type": named("INPUT_OBJECT", "Filter"),
                         "defaultValue": "{state: OPEN}", "isDeprecated": true, "deprecationReason": "No longer supported"}],
                     "type": non_null(json!({"kind": "LIST", "name": null, "ofType": named("SCALAR", "Url")})),
                     "isDeprecated": true, "deprecationReason": "use `id`"}
                 ]},
                {"kind": "INTERFACE", "name": "Node", "interfaces": [], "fields": [
                    {"name": "id", "args": [], "type": non_null(named("SCALAR", "ID")), "isDeprecated": false}]},
                {"kind": "ENUM", "name": "State", "enumValues": [
                    {"name": "OPEN", "description": "Open.", "isDeprecated": false},
                    {"name": "SHUT", "isDeprecated": true, "deprecationReason": "gone"}]},
                {"kind": "INPUT_OBJECT", "name": "Filter", "inputFields": [
                    {"name": "state", "type": named("ENUM", "State"), "defaultValue": "OPEN", "isDeprecated": false}]},
                {"kind": "UNION", "name": "Any", "possibleTypes": [named("OBJECT", "Query")]},
                {"kind": "SCALAR", "name": "Url", "specifiedByURL": "https://example.com/url"},
                {"kind": "SCALAR", "name": "String"},
                {"kind": "OBJECT", "name": "__Type", "fields": []}
            ]
        }}});
        let sdl = sdl_from_introspection(&answer, "t.graphql").unwrap();
        let expected = Schema::parse(
            r#"
            "Root.\n\"Quoted\""
            type Query implements Node {
              id: ID!
              "Items."
              items("How many." first: Int = 10, filter: Filter = {state: OPEN} @deprecated): [Url]! @deprecated(reason: "use `id`")
            }
            interface Node { id: ID! }
            enum State { "Open." OPEN SHUT @deprecated(reason: "gone") }
            input Filter { state: State = OPEN }
            union Any = Query
            scalar Url @specifiedBy(url: "https://example.com/url")
            "#,
            Path::new("t.graphql"),
        )
        .unwrap()
        .to_sdl(Subscriptions::Include);
        assert_eq!(sdl, expected);
        assert!(!sdl.contains("__Type"));
    }

    #[test]
    fn refusals_and_garbage_are_errors_not_panics() {
        let refused = json!({"errors": [{"message": "introspection is disabled"}]});
        let error = sdl_from_introspection(&refused, "x").unwrap_err();
        assert!(
            error.to_string().contains("introspection is disabled"),
            "{error}"
        );
        for garbage in [
            json!(null),
            json!({"data": {}}),
            json!({"data": {"__schema": {"types": []}}}),
            json!({"data": {"__schema": {"queryType": {"name": "Q"}, "types": [{"kind": "OBJECT"}]}}}),
            json!({"data": {"__schema": {"queryType": {"name": "Q"}, "types": [{"kind": "WHAT", "name": "Q"}]}}}),
            json!({"data": {"__schema": {"queryType": {"name": "Q"}, "types": [
                {"kind": "OBJECT", "name": "Q", "fields": [{"name": "f", "type": {"kind": "LIST", "ofType": null}}]}]}}}),
            json!({"data": {"__schema": {"queryType": {"name": "Missing"}, "types": []}}}),
        ] {
            assert!(sdl_from_introspection(&garbage, "x").is_err(), "{garbage}");
        }
    }
}
