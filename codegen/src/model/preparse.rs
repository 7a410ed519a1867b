//! What graphql-parser 0.4 cannot read, rewritten before it parses: a description on the
//! `schema` definition, and `extend schema`. Both are legal SDL.
//!
//! The parser stays: operations are parsed by it too, its AST is what the model and the operation
//! checker convert, and the engine's own parser (async-graphql's) does not read schema
//! descriptions either. The rewrite keeps the text's length and line breaks, so every location
//! the parser reports for the rest of the file is unchanged:
//!
//! - the schema's description is replaced by spaces and kept aside;
//! - `extend schema` becomes `schema @__ext` (same lengths: `extend`→`schema`, `schema`→`@__ext`),
//!   a schema definition the builder recognizes by that directive and merges as an extension.
//!   Names starting with `__` are reserved, so no schema can mean anything else by it. An
//!   extension with directives only (no operation types) has nothing the model keeps: it is
//!   replaced by spaces.

use std::borrow::Cow;

/// The directive that marks a rewritten `extend schema`.
pub(super) const EXTENSION_MARK: &str = "__ext";

/// The source as graphql-parser can read it, and what was taken out.
pub(super) struct Prepared<'s> {
    pub text: Cow<'s, str>,
    /// The raw text of the schema definition's description (a string or block string token).
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Name,
    Str,
    Punct(char),
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

/// The top-level tokens of `source` (outside every bracket), with the brackets themselves. A
/// lexical error stops the scan: graphql-parser reports it.
fn tokens(source: &str) -> Vec<(Token, usize)> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                if source[i..].starts_with("\"\"\"") {
                    // A block string ends at the first `"""` not preceded by a backslash.
                    let mut j = i + 3;
                    loop {
                        match source[j..].find("\"\"\"") {
                            Some(at) if source[..j + at].ends_with('\\') => j += at + 3,
                            Some(at) => {
                                i = j + at + 3;
                                break;
                            }
                            None => return out,
                        }
                    }
                } else {
                    let mut j = i + 1;
                    let mut escaped = false;
                    loop {
                        match bytes.get(j) {
                            None | Some(b'\n') => return out,
                            Some(b'"') if !escaped => break,
                            Some(&b) => escaped = !escaped && b == b'\\',
                        }
                        j += 1;
                    }
                    i = j + 1;
                }
                Kind::Str
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                Kind::Name
            }
            b'{' | b'(' | b'[' | b'}' | b')' | b']' | b'@' | b'=' | b'|' | b'&' | b':' => {
                i += 1;
                Kind::Punct(c as char)
            }
            _ => {
                // Numbers, `!`, `$`, `...` and anything else: nothing this scan looks for.
                i += source[i..].chars().next().map_or(1, char::len_utf8);
                if depth == 0 {
                    out.push((
                        Token {
                            kind: Kind::Punct('?'),
                            start,
                            end: i,
                        },
                        depth,
                    ));
                }
                continue;
            }
        };
        let token = Token {
            kind,
            start,
            end: i,
        };
        match kind {
            Kind::Punct('{' | '(' | '[') => {
                out.push((token, depth));
                depth += 1;
            }
            Kind::Punct('}' | ')' | ']') => {
                depth = depth.saturating_sub(1);
                out.push((token, depth));
            }
            _ => out.push((token, depth)),
        }
    }
    out
}

/// True if the token before `at` makes a name at `at` a type's name or a type reference rather
/// than a definition's keyword (`type schema`, `union U = A | extend`, `implements schema`).
fn names_a_type(source: &str, top: &[&Token], at: usize) -> bool {
    const KEYWORDS: [&str; 7] = [
        "type",
        "interface",
        "union",
        "enum",
        "input",
        "scalar",
        "implements",
    ];
    let text = |t: &Token| &source[t.start..t.end];
    let Some(prev) = at.checked_sub(1).map(|i| top[i]) else {
        return false;
    };
    match prev.kind {
        Kind::Punct('=' | '|' | '&') => true,
        Kind::Name if KEYWORDS.contains(&text(prev)) => {
            // `scalar type` then `extend schema`: `type` is a name there, not a keyword.
            let before = at.checked_sub(2).map(|i| top[i]);
            !before.is_some_and(|b| b.kind == Kind::Name && KEYWORDS.contains(&text(b)))
        }
        _ => false,
    }
}

/// Rewrites `source` as the module documentation says.
pub(super) fn prepare(source: &str) -> Prepared<'_> {
    // Cheap test first: almost no schema needs the scan.
    if !source.contains("schema") {
        return Prepared {
            text: Cow::Borrowed(source),
            description: None,
        };
    }
    let all = tokens(source);
    let top: Vec<&Token> = all
        .iter()
        .filter(|(_, depth)| *depth == 0)
        .map(|(t, _)| t)
        .collect();
    let text = |t: &Token| &source[t.start..t.end];
    let mut edits: Vec<(usize, usize, Option<&str>)> = Vec::new();
    let mut description = None;
    for (i, t) in top.iter().enumerate() {
        if t.kind != Kind::Name || names_a_type(source, &top, i) {
            continue;
        }
        let next = top.get(i + 1).copied();
        let next_is_schema = next.is_some_and(|n| n.kind == Kind::Name && text(n) == "schema");
        match text(t) {
            "schema" if description.is_none() => {
                if let Some(prev) = i.checked_sub(1).map(|p| top[p])
                    && prev.kind == Kind::Str
                {
                    description = Some(text(prev).to_string());
                    edits.push((prev.start, prev.end, None));
                }
            }
            "extend" if next_is_schema => {
                let Some(schema) = next else { continue };
                // Directives (`@name` and, maybe, arguments) then, maybe, operation types.
                let mut j = i + 2;
                while top.get(j).is_some_and(|t| t.kind == Kind::Punct('@')) {
                    j += 2;
                    if top.get(j).is_some_and(|t| t.kind == Kind::Punct('(')) {
                        j += 2;
                    }
                }
                if top.get(j).is_some_and(|t| t.kind == Kind::Punct('{')) {
                    edits.push((t.start, t.end, Some("schema")));
                    edits.push((schema.start, schema.end, Some("@__ext")));
                } else {
                    let end = j
                        .checked_sub(1)
                        .and_then(|k| top.get(k))
                        .map_or(schema.end, |t| t.end);
                    edits.push((t.start, end, None));
                }
            }
            _ => {}
        }
    }
    if edits.is_empty() {
        return Prepared {
            text: Cow::Borrowed(source),
            description,
        };
    }
    edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for (start, end, replacement) in edits {
        if start < at {
            continue;
        }
        out.push_str(&source[at..start]);
        match replacement {
            Some(r) => out.push_str(r),
            // One space a character, line breaks kept: later columns and lines do not move.
            None => out.extend(source[start..end].chars().map(|c| match c {
                '\n' | '\r' => c,
                _ => ' ',
            })),
        }
        at = end;
    }
    out.push_str(&source[at..]);
    Prepared {
        text: Cow::Owned(out),
        description,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_description_is_blanked_and_kept() {
        let src = "\"\"\"The \\\"\"\"API\\\"\"\".\"\"\"\nschema { query: Q }\ntype Q { a: Int }";
        let p = prepare(src);
        assert_eq!(p.text.len(), src.len());
        assert!(p.text.trim_start().starts_with("schema {"), "{}", p.text);
        assert_eq!(
            p.description.as_deref(),
            Some("\"\"\"The \\\"\"\"API\\\"\"\".\"\"\"")
        );
    }

    #[test]
    fn extend_schema_is_marked() {
        let src = "schema { query: Q }\nextend schema @a(x: \"schema\") { mutation: M }\nextend schema @b\ntype Q { schema: Int }";
        let p = prepare(src);
        assert_eq!(p.text.len(), src.len());
        assert!(
            p.text
                .contains("schema @__ext @a(x: \"schema\") { mutation: M }"),
            "{}",
            p.text
        );
        assert!(!p.text.contains("@b"), "{}", p.text);
        assert!(p.text.contains("type Q { schema: Int }"), "{}", p.text);
    }

    #[test]
    fn names_are_left_alone() {
        for src in [
            "type schema { a: Int }",
            "union U = A | extend\nschema { query: Q }",
            "scalar extend\n\"d\" type schema { a: Int }",
        ] {
            let p = prepare(src);
            assert_eq!(p.text, src);
            assert_eq!(p.description, None);
        }
    }
}
