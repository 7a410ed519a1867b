//! SDL descriptions to rustdoc that cannot break `cargo doc` or `cargo test --doc`.
//!
//! - fenced code becomes ```` ```text ```` so it is never compiled as a doctest;
//! - indentation of four spaces or more (an indented code block, hence a doctest) is reduced;
//! - bare URLs are wrapped in `<…>` (rustdoc's `bare_urls` lint);
//! - `[…]` not followed by `(` is escaped, so it is not read as an intra-doc link;
//! - `<` that does not start a URL is escaped, so it is not read as an HTML tag.

use std::cell::RefCell;
use std::collections::HashMap;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// Starts a doc table on this thread: until the returned guard is dropped, descriptions become
/// one `#[doc = <n>]` marker each instead of one `#[doc]` attribute per line, and
/// [`super::format_file`] writes the lines back in place of the markers after formatting.
///
/// Why: descriptions are about a third of the tokens of a generated file, and each doc line
/// costs an attribute that syn parses and prettyplease unescapes again, only to print it as
/// `/// line`. Written back after formatting, the output is byte-identical (the snapshot tests
/// hold it) at a fraction of the cost. Without a table (unit tests, callers that format their
/// own tokens) descriptions are plain attributes.
pub fn table() -> TableGuard {
    TABLE.with(|t| *t.borrow_mut() = Some(Table::default()));
    TableGuard(())
}

/// Ends the doc table started by [`table`] when dropped.
#[must_use = "the doc table ends when this guard is dropped"]
pub struct TableGuard(());

impl Drop for TableGuard {
    fn drop(&mut self) {
        TABLE.with(|t| *t.borrow_mut() = None);
    }
}

thread_local! {
    /// The doc table of this thread, while one is started.
    static TABLE: RefCell<Option<Table>> = const { RefCell::new(None) };
}

/// The doc lines of each marker, by marker number, and the marker of each description seen:
/// a description repeated (a field's, in every operation that selects it) is sanitized once.
#[derive(Default)]
struct Table {
    lines: Vec<Vec<String>>,
    markers: HashMap<String, TokenStream>,
}

impl Table {
    fn marker(&mut self, lines: Vec<String>) -> TokenStream {
        self.lines.push(lines);
        let marker = Literal::usize_unsuffixed(self.lines.len() - 1);
        quote!(#[doc = #marker])
    }
}

/// Starts a marker's line as prettyplease prints it. A marker is an integer where rustdoc wants
/// a string: no description can produce it (descriptions are strings, and all of them become
/// markers), and it is cheap for syn and prettyplease, which unescape every string doc.
pub(super) const MARKER: &str = "#[doc = ";

/// Replaces each `#[doc = <n>]` line of formatted code with the doc lines it stands for, at the
/// marker's indentation. Errors name a marker that was not in the table (a generator bug).
pub(super) fn expand_markers(formatted: String) -> Result<String, String> {
    if !formatted.contains(MARKER) {
        return Ok(formatted);
    }
    TABLE.with(|t| {
        let table = t.borrow();
        let mut out = String::with_capacity(formatted.len() + formatted.len() / 2);
        // Copies the text between markers as it is; only marker lines are looked at.
        let mut copied = 0;
        let mut from = 0;
        while let Some(found) = formatted[from..].find(MARKER) {
            let at = from + found;
            let line_start = formatted[..at].rfind('\n').map_or(0, |i| i + 1);
            let line_end = formatted[at..].find('\n').map_or(formatted.len(), |i| at + i + 1);
            from = line_end;
            let indent = &formatted[line_start..at];
            // Other `#[doc = "…"]` attributes (a doc prettyplease cannot print as `///`) stay.
            let Some(number) = formatted[at + MARKER.len()..line_end]
                .trim_end()
                .strip_suffix(']')
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            else {
                continue;
            };
            if indent.bytes().any(|b| b != b' ') {
                continue;
            }
            let Some(table) = table.as_ref() else {
                return Err("doc markers were formatted outside their table; this is a bug of shopql-codegen, please report it".into());
            };
            let lines = number
                .parse::<usize>()
                .ok()
                .and_then(|n| table.lines.get(n))
                .ok_or_else(|| format!("unknown doc marker `{}`; this is a bug of shopql-codegen, please report it", formatted[line_start..line_end].trim()))?;
            out.push_str(&formatted[copied..line_start]);
            copied = line_end;
            for l in lines {
                out.push_str(indent);
                out.push_str("///");
                if !l.is_empty() {
                    // As prettyplease prints a `#[doc = " line"]`: trailing spaces trimmed.
                    out.push(' ');
                    out.push_str(l.trim_end_matches(' '));
                }
                out.push('\n');
            }
        }
        out.push_str(&formatted[copied..]);
        Ok(out)
    })
}

/// `#[doc = "…"]` attributes for a description; nothing when there is none.
pub fn doc_attrs(description: Option<&str>) -> TokenStream {
    let Some(d) = description.filter(|d| !d.trim().is_empty()) else {
        return TokenStream::new();
    };
    let cached = TABLE.with(|t| {
        let mut t = t.borrow_mut();
        let table = t.as_mut()?;
        if let Some(marker) = table.markers.get(d) {
            return Some(marker.clone());
        }
        let marker = table.marker(sanitize(d));
        table.markers.insert(d.to_string(), marker.clone());
        Some(marker)
    });
    cached.unwrap_or_else(|| lines_to_attrs(&sanitize(d)))
}

/// `#[doc]` attributes for a description followed by a paragraph of the generator's own (a
/// default value, a note); the blank line between them only when there is a description.
pub fn doc_attrs_with(description: Option<&str>, extra: &str) -> TokenStream {
    match description {
        Some(d) if !d.trim().is_empty() => doc_attrs(Some(&format!("{d}\n\n{extra}"))),
        _ => doc_attrs(Some(extra)),
    }
}

/// "a" or "an", for a word of English or a type name: "an `Article`", "a `Product`".
pub fn article(word: &str) -> &'static str {
    let first = word
        .trim_start_matches(['`', '_'])
        .chars()
        .next()
        .map(|c| c.to_ascii_lowercase());
    if matches!(first, Some('a' | 'e' | 'i' | 'o' | 'u')) {
        "an"
    } else {
        "a"
    }
}

/// `#[doc]` attributes for already-sanitized lines.
pub fn lines_to_attrs(lines: &[String]) -> TokenStream {
    if lines.is_empty() {
        return TokenStream::new();
    }
    let marker = TABLE.with(|t| {
        t.borrow_mut()
            .as_mut()
            .map(|table| table.marker(lines.to_vec()))
    });
    if let Some(marker) = marker {
        return marker;
    }
    let attrs = lines.iter().map(|l| {
        let text = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#[doc = #text])
    });
    quote!(#(#attrs)*)
}

/// The sanitized lines of a description.
pub fn sanitize(description: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for raw in description.replace('\t', "    ").lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            if in_fence {
                out.push("```".to_string());
            } else {
                out.push("```text".to_string());
            }
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.to_string());
            continue;
        }
        let indent = line.len() - trimmed.len();
        let kept = " ".repeat(indent.min(3));
        out.push(format!("{kept}{}", escape_markdown(trimmed)));
    }
    if in_fence {
        out.push("```".to_string());
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    while out.first().is_some_and(|l| l.trim().is_empty()) {
        out.remove(0);
    }
    out
}

/// True if `chars[at..]` starts with `prefix` (ASCII).
fn starts_with_at(chars: &[char], at: usize, prefix: &str) -> bool {
    let p = prefix.as_bytes();
    chars.len() >= at + p.len()
        && chars[at..at + p.len()]
            .iter()
            .zip(p)
            .all(|(c, b)| *c == char::from(*b))
}

fn escape_markdown(line: &str) -> String {
    // Most lines need no escaping at all: return them as they are.
    if !line.contains(['[', ']', '<', '>', ':']) {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len() + 8);
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            // A run of n backticks opens a code span only where a run of exactly n closes it, as
            // markdown reads it; the span is kept as it is, an unmatched run is plain text.
            let n = chars[i..].iter().take_while(|&&x| x == '`').count();
            let close = (i + n..chars.len()).find(|&j| {
                chars[j] == '`'
                    && chars[j - 1] != '`'
                    && chars[j..].iter().take_while(|&&x| x == '`').count() == n
            });
            let end = close.map_or(i + n, |j| j + n);
            out.extend(&chars[i..end]);
            i = end;
            continue;
        }
        if starts_with_at(&chars, i, "http://") || starts_with_at(&chars, i, "https://") {
            let prev = if i > 0 { chars[i - 1] } else { ' ' };
            let url: String = chars[i..]
                .iter()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '>' | ')' | '"' | '\''))
                .collect();
            let url = url.trim_end_matches(['.', ',', ';', ':']).to_string();
            if prev == '<' || prev == '(' {
                out.push_str(&url);
            } else {
                out.push('<');
                out.push_str(&url);
                out.push('>');
            }
            i += url.chars().count();
            continue;
        }
        match c {
            '[' => {
                // A markdown link `[text](url)` to a web address stays; anything else is
                // escaped (rustdoc would take `[text](path)` for a link to a Rust item).
                let close = chars[i..].iter().position(|&x| x == ']').map(|p| p + i);
                let is_link = close.is_some_and(|j| {
                    chars.get(j + 1) == Some(&'(')
                        && (starts_with_at(&chars, j + 2, "http://")
                            || starts_with_at(&chars, j + 2, "https://"))
                });
                if is_link {
                    out.push('[');
                } else {
                    out.push_str("\\[");
                }
            }
            ']' => {
                let web = starts_with_at(&chars, i + 2, "http://")
                    || starts_with_at(&chars, i + 2, "https://");
                if chars.get(i + 1) == Some(&'(') && web {
                    out.push(']');
                } else {
                    out.push_str("\\]");
                }
            }
            '<' => {
                let next_is_url = starts_with_at(&chars, i + 1, "http://")
                    || starts_with_at(&chars, i + 1, "https://");
                if next_is_url {
                    out.push('<');
                } else {
                    out.push_str("&lt;");
                }
            }
            '>' => {
                let prev_was_url = out.contains("<http");
                if prev_was_url && out.rfind("<http") > out.rfind('>') {
                    out.push('>');
                } else {
                    out.push_str("&gt;");
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn unmatched_backticks_do_not_hide_markup() {
        let lines = sanitize("an unclosed ``` fence, `*/` and #[attr] <tag> [a](path)");
        assert_eq!(
            lines,
            ["an unclosed ``` fence, `*/` and #\\[attr\\] &lt;tag&gt; \\[a\\](path)"]
        );
        let lines = sanitize("``a ` b`` [x](https://example.com)");
        assert_eq!(lines, ["``a ` b`` [x](https://example.com)"]);
    }

    #[test]
    fn code_fences_become_text() {
        let lines = sanitize("Example:\n```\nlet x = 1;\n```");
        assert_eq!(lines, ["Example:", "```text", "let x = 1;", "```"]);
    }

    #[test]
    fn unterminated_fences_are_closed() {
        let lines = sanitize("```graphql\nquery { a }");
        assert_eq!(lines, ["```text", "query { a }", "```"]);
    }

    #[test]
    fn indented_code_cannot_become_a_doctest() {
        let lines = sanitize("Text\n\n        fn main() { panic!() }");
        assert_eq!(lines[2], "   fn main() { panic!() }");
    }

    #[test]
    fn urls_brackets_and_tags() {
        assert_eq!(
            sanitize("See https://example.com/x."),
            ["See <https://example.com/x>."]
        );
        assert_eq!(
            sanitize("See <https://example.com>"),
            ["See <https://example.com>"]
        );
        assert_eq!(sanitize("A [String] list"), ["A \\[String\\] list"]);
        assert_eq!(
            sanitize("A [link](https://x.io)"),
            ["A [link](https://x.io)"]
        );
        assert_eq!(
            sanitize("Bearer <token> here"),
            ["Bearer &lt;token&gt; here"]
        );
        assert_eq!(sanitize("Code `a[0] <b>` stays"), ["Code `a[0] <b>` stays"]);
    }

    #[test]
    fn articles() {
        assert_eq!(super::article("Article"), "an");
        assert_eq!(super::article("Product"), "a");
        assert_eq!(super::article("`Item`"), "an");
    }

    #[test]
    fn extra_paragraphs_follow_descriptions() {
        let with = super::doc_attrs_with(Some("Text."), "Default: `1`.").to_string();
        assert!(with.contains("\" Text.\"") && with.contains("\"\"") && with.contains("Default"));
        let without = super::doc_attrs_with(None, "Default: `1`.").to_string();
        assert!(!without.contains("\"\""), "{without}");
    }

    #[test]
    fn doc_markers_format_exactly_as_doc_attributes() -> Result<(), String> {
        use proc_macro2::TokenStream;
        use quote::quote;
        let lines: Vec<String> = ["First line.", "", "  indented &lt;b&gt;", "```text", "x"]
            .map(String::from)
            .to_vec();
        let item = |d: TokenStream| quote!(pub mod m { #d pub struct S { #d pub f: u8 } });
        let plain = crate::emit::format_file(item(super::lines_to_attrs(&lines)))?;
        let marked = {
            let _table = super::table();
            let tokens = item(super::lines_to_attrs(&lines));
            // One attribute per description instead of one per line.
            assert_eq!(tokens.to_string().matches("doc").count(), 2, "{tokens}");
            crate::emit::format_file(tokens)?
        };
        assert_eq!(plain, marked);
        assert!(
            plain.contains("    /// First line.\n    ///\n    ///   indented"),
            "{plain}"
        );
        Ok(())
    }

    #[test]
    fn a_marker_without_its_table_is_an_error_not_output() {
        let tokens = quote::quote!(
            #[doc = 0]
            pub struct S;
        );
        let err = crate::emit::format_file(tokens).err().unwrap_or_default();
        assert!(err.contains("bug of shopql-codegen"), "{err}");
    }

    #[test]
    fn surrounding_blank_lines_are_trimmed() {
        assert_eq!(sanitize("\n\nText\n\n"), ["Text"]);
    }
}
