//! The checked model printed back as SDL: what the generated server embeds and builds its schema
//! from at start-up (`shopql_server_stubs::registry`).
//!
//! The output is normalized: `extend` definitions merged, duplicate fields gone, one explicit
//! `schema` definition, built-in scalars and directive definitions left out. Descriptions are
//! plain strings with escapes rather than block strings, whose indentation rules would change
//! some texts; every value reads back exactly as the model holds it.

use std::fmt::Write;

use super::{Deprecation, Field, InputValue, Schema, TypeDef, TypeKind, Value};

/// Which parts of the schema to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscriptions {
    /// The subscription root type and its mention in the `schema` definition.
    Include,
    /// Neither (the generated server does not serve subscriptions), nor the schema's
    /// description, which the server engine's SDL parser does not read.
    Omit,
}

impl Schema {
    /// The schema as normalized SDL; see the module documentation.
    pub fn to_sdl(&self, subscriptions: Subscriptions) -> String {
        let mut out = String::with_capacity(4096);
        let subscription = match subscriptions {
            Subscriptions::Include => self.subscription_type.as_deref(),
            Subscriptions::Omit => None,
        };
        if subscriptions == Subscriptions::Include {
            description(&mut out, "", self.description.as_deref());
        }
        out.push_str("schema {\n");
        for (keyword, root) in [
            ("query", self.query_type.as_deref()),
            ("mutation", self.mutation_type.as_deref()),
            ("subscription", subscription),
        ] {
            if let Some(root) = root {
                let _ = writeln!(out, "  {keyword}: {root}");
            }
        }
        out.push_str("}\n");
        for t in self.types() {
            // Left out as the root only: where it is also a value (a field's type), it stays.
            if subscriptions == Subscriptions::Omit
                && self.subscription_type.as_deref() == Some(t.name.as_str())
                && !self.is_value_type(&t.name)
            {
                continue;
            }
            out.push('\n');
            type_definition(&mut out, t);
        }
        out
    }

    /// One type's definition as normalized SDL, as [`Schema::to_sdl`] prints it: what two APIs
    /// that share a type compare.
    pub fn type_sdl(&self, t: &TypeDef) -> String {
        let mut out = String::new();
        type_definition(&mut out, t);
        out
    }
}

/// Writes one type's definition (its description first).
fn type_definition(out: &mut String, t: &TypeDef) {
    description(out, "", t.description.as_deref());
    let name = &t.name;
    match &t.kind {
        TypeKind::Scalar { specified_by, .. } => {
            let _ = write!(out, "scalar {name}");
            if let Some(url) = specified_by {
                out.push_str(" @specifiedBy(url: ");
                string(out, url);
                out.push(')');
            }
            out.push('\n');
        }
        TypeKind::Object { fields, interfaces } => {
            let _ = write!(out, "type {name}");
            implements(out, interfaces);
            self::fields(out, fields);
        }
        TypeKind::Interface { fields, interfaces } => {
            let _ = write!(out, "interface {name}");
            implements(out, interfaces);
            self::fields(out, fields);
        }
        TypeKind::Union { members } => {
            let _ = writeln!(out, "union {name} = {}", members.join(" | "));
        }
        TypeKind::Enum { values } => {
            let _ = writeln!(out, "enum {name} {{");
            for v in values {
                description(out, "  ", v.description.as_deref());
                let _ = write!(out, "  {}", v.name);
                deprecated(out, v.deprecation.as_ref());
                out.push('\n');
            }
            out.push_str("}\n");
        }
        TypeKind::InputObject { fields, one_of } => {
            let one_of = if *one_of { " @oneOf" } else { "" };
            let _ = writeln!(out, "input {name}{one_of} {{");
            for f in fields {
                description(out, "  ", f.description.as_deref());
                out.push_str("  ");
                input_value(out, f);
                out.push('\n');
            }
            out.push_str("}\n");
        }
    }
}

fn implements(out: &mut String, interfaces: &[String]) {
    if !interfaces.is_empty() {
        let _ = write!(out, " implements {}", interfaces.join(" & "));
    }
}

fn fields(out: &mut String, fields: &[Field]) {
    out.push_str(" {\n");
    for f in fields {
        description(out, "  ", f.description.as_deref());
        let _ = write!(out, "  {}", f.name);
        if !f.args.is_empty() {
            out.push('(');
            for (i, a) in f.args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                // Argument descriptions are strings before the argument, as GraphQL allows.
                if let Some(d) = &a.description {
                    string(out, d);
                    out.push(' ');
                }
                input_value(out, a);
            }
            out.push(')');
        }
        let _ = write!(out, ": {}", f.ty);
        deprecated(out, f.deprecation.as_ref());
        out.push('\n');
    }
    out.push_str("}\n");
}

/// `name: Type = default @deprecated(…)`, without the description.
fn input_value(out: &mut String, v: &InputValue) {
    let _ = write!(out, "{}: {}", v.name, v.ty);
    if let Some(d) = &v.default {
        out.push_str(" = ");
        value(out, d);
    }
    deprecated(out, v.deprecation.as_ref());
}

fn deprecated(out: &mut String, d: Option<&Deprecation>) {
    match d {
        None => {}
        Some(Deprecation { reason: None }) => out.push_str(" @deprecated"),
        Some(Deprecation {
            reason: Some(reason),
        }) => {
            out.push_str(" @deprecated(reason: ");
            string(out, reason);
            out.push(')');
        }
    }
}

fn description(out: &mut String, indent: &str, text: Option<&str>) {
    if let Some(text) = text {
        out.push_str(indent);
        string(out, text);
        out.push('\n');
    }
}

/// A constant value in GraphQL syntax. Floats keep an exponent or a fraction, so that they read
/// back as floats; variables cannot occur in a schema and print as `null`.
fn value(out: &mut String, v: &Value) {
    match v {
        Value::Null | Value::Variable(_) => out.push_str("null"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        Value::String(s) => string(out, s),
        Value::Boolean(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Enum(e) => out.push_str(e),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                value(out, item);
            }
            out.push(']');
        }
        Value::Object(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{k}: ");
                value(out, v);
            }
            out.push('}');
        }
    }
}

/// A GraphQL string literal: quotes, backslashes and control characters escaped.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn parse(sdl: &str) -> Schema {
        match Schema::parse(sdl, Path::new("t.graphql")) {
            Ok(s) => s,
            Err(d) => panic!("{d:?}"),
        }
    }

    /// The model without locations, which printing does not keep.
    fn shape(s: &Schema) -> String {
        let text = format!("{:?}", s.types().collect::<Vec<_>>());
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("location: Location {") {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            rest = rest.find('}').map_or("", |end| &rest[end + 1..]);
        }
        out.push_str(rest);
        out
    }

    const SDL: &str = r#"
        schema { query: Q mutation: M subscription: S }
        "Quotes \" and \\ backslashes,\nnew lines\tand tabs \u0001."
        scalar Url @specifiedBy(url: "https://example.com/\"url\"")
        interface Node { id: ID! }
        interface Named implements Node { id: ID! name(
            "How to write it." style: Style = LOUD, n: Int = 3 @deprecated(reason: "soon"),
        ): String @deprecated }
        type Q implements Node & Named { id: ID! name(style: Style = LOUD, n: Int = 3): String
            f(x: Float = 1e20, y: Float = 0.5, l: [In!] = [{a: "x", b: [1, 2]}], z: String = null): [[Q!]]! }
        extend type Q { more: Boolean @deprecated(reason: "use `f`") }
        type M { go: Boolean }
        type S { tick: Int }
        union U = Q | M
        enum Style { "Shout." LOUD QUIET @deprecated }
        input In { "A." a: String! = "y" b: [Int] c: Style @deprecated(reason: "no") }
    "#;

    #[test]
    fn printed_sdl_reads_back_as_the_same_model() {
        let schema = parse(SDL);
        let printed = schema.to_sdl(Subscriptions::Include);
        let again = parse(&printed);
        assert_eq!(shape(&again), shape(&schema), "{printed}");
        assert_eq!(again.subscription_type.as_deref(), Some("S"));
        // Merged, not repeated.
        assert!(!printed.contains("extend"), "{printed}");
        assert!(printed.contains("f(x: Float = 1e20"), "{printed}");
    }

    #[test]
    fn subscriptions_can_be_left_out() {
        let printed = parse(SDL).to_sdl(Subscriptions::Omit);
        let again = parse(&printed);
        assert_eq!(again.subscription_type, None);
        assert!(again.get("S").is_none(), "{printed}");
        assert_eq!(again.mutation_type.as_deref(), Some("M"));
    }
}
