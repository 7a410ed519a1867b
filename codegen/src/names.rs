//! GraphQL names to Rust names, in one place.
//!
//! - fields, arguments and methods become `snake_case`; types and enum variants `PascalCase`;
//! - leading underscores survive (`_id` stays `_id`, so it never collides with `id`);
//! - Rust keywords of every edition become raw identifiers (`r#type`), or get a `_` suffix where
//!   Rust forbids raw identifiers (`self_`, `Self_`, `super_`, `crate_`);
//! - names that collide after case conversion are told apart by a [`Namespace`], which appends a
//!   number deterministically (first come keeps the plain name);
//! - the emitters write absolute paths (`::core::result::Result`) for the prelude's names, so
//!   SDL types named `Option`, `Result`, `String` or `Box` cannot shadow them and need no renaming;
//!   only field and argument types say `Option`, `Vec` and `String`, in modules where no SDL type
//!   takes those names (operation modules keep them free for that).
//!
//! The GraphQL name is always kept: the emitters write a `#[serde(rename = "…")]` whenever the Rust
//! name differs.

use std::collections::HashSet;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Keywords of every Rust edition (2015 to 2024), strict and reserved.
pub const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Type names the generated code leaves free although Rust would allow them, so an SDL type of
/// that name is numbered (`Box2`): async-trait's expansion writes `Box` without a path, so a type
/// named `Box` beside a resolver trait would break every method of it.
pub const RESERVED_TYPE_NAMES: &[&str] = &["Box"];

/// Keywords that cannot be raw identifiers; they get a `_` suffix instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate"];

/// `snake_case` for fields, arguments and methods. Leading underscores are kept.
pub fn snake(graphql: &str) -> String {
    let stripped = graphql.trim_start_matches('_');
    let leading = &graphql[..graphql.len() - stripped.len()];
    let body = stripped.to_snake_case();
    if body.is_empty() {
        // A GraphQL name made only of underscores.
        return format!("{leading}underscore");
    }
    if body.starts_with(|c: char| c.is_ascii_digit()) {
        // `_1`: a binding of only underscores and digits is refused by clippy
        // (`just_underscores_and_digits`), and it would not survive being joined to a prefix.
        return format!("{leading}n{body}");
    }
    format!("{leading}{body}")
}

/// `PascalCase` for types and enum variants. Case conversion drops leading underscores, so a
/// name such as `_2fa` would start with a digit: it keeps one underscore (`_2fa`).
pub fn pascal(graphql: &str) -> String {
    let body = graphql.to_upper_camel_case();
    if body.is_empty() {
        "Underscore".to_string()
    } else if body.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{body}")
    } else {
        body
    }
}

/// An identifier for `name`: raw for keywords that allow it, `name_` for those that do not. A
/// name that no identifier can spell as it is (empty, starting with a digit) gets a leading `_`
/// rather than a panic.
pub fn ident(name: &str) -> Ident {
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        Ident::new(&format!("_{name}"), Span::call_site())
    } else if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The text of the identifier `ident(name)` produces, as it appears in source.
pub fn ident_text(name: &str) -> String {
    ident(name).to_string()
}

/// Allocates names that are unique within one Rust namespace (a module's types, a struct's
/// fields, a function's parameters). Deterministic: the first request for a name gets it, later
/// ones get `name2`, `name3`, … (`name_2` in snake case).
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: HashSet<String>,
}

impl Namespace {
    /// An empty namespace.
    pub fn new() -> Self {
        Self::default()
    }

    /// A namespace in which `names` are already taken (generated items, prelude-like locals).
    pub fn with_reserved<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            taken: names.into_iter().map(str::to_string).collect(),
        }
    }

    /// Marks a name as taken without allocating it.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_string());
    }

    /// True if `name` is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Returns `desired`, or the first free numbered variant of it, and marks it taken.
    pub fn alloc(&mut self, desired: &str) -> String {
        if self.taken.insert(desired.to_string()) {
            return desired.to_string();
        }
        let snake_style = desired
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || c == '_');
        for n in 2.. {
            let candidate = if snake_style {
                format!("{desired}_{n}")
            } else {
                format!("{desired}{n}")
            };
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!("an unbounded counter always finds a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_becomes_a_valid_identifier() {
        for kw in KEYWORDS {
            let id = ident(kw);
            let text = id.to_string();
            // The result must parse as an identifier in expression position.
            let parsed: Result<syn::Ident, _> = syn::parse_str(&text);
            assert!(parsed.is_ok(), "{kw} -> {text} is not an identifier");
            if NOT_RAW.contains(kw) {
                assert_eq!(text, format!("{kw}_"));
            } else {
                assert_eq!(text, format!("r#{kw}"));
            }
        }
    }

    #[test]
    fn plain_names_stay_plain() {
        assert_eq!(ident("name").to_string(), "name");
        assert_eq!(ident("Cart").to_string(), "Cart");
    }

    #[test]
    fn case_conversion() {
        assert_eq!(snake("listingId"), "listing_id");
        assert_eq!(snake("sessionsCount"), "sessions_count");
        assert_eq!(snake("_id"), "_id");
        assert_eq!(snake("__typename"), "__typename");
        assert_eq!(snake("_"), "_underscore");
        assert_eq!(snake("PAID_AT"), "paid_at");
        assert_eq!(snake("type"), "type");
        assert_eq!(pascal("inStock"), "InStock");
        assert_eq!(pascal("PAID_AT"), "PaidAt");
        assert_eq!(pascal("UUID"), "Uuid");
        assert_eq!(pascal("ISO8601DateTime"), "Iso8601DateTime");
        assert_eq!(pascal("cart"), "Cart");
        assert_eq!(pascal("_"), "Underscore");
        assert_eq!(pascal("_2fa"), "_2fa");
        assert_eq!(pascal("_1"), "_1");
        assert_eq!(snake("_1"), "_n1");
        assert_eq!(ident("2fa").to_string(), "_2fa");
    }

    #[test]
    fn leading_underscores_do_not_collide_with_plain_names() {
        let mut ns = Namespace::new();
        assert_eq!(ns.alloc(&snake("id")), "id");
        assert_eq!(ns.alloc(&snake("_id")), "_id");
    }

    #[test]
    fn collisions_after_case_conversion_get_numbers() {
        let mut ns = Namespace::new();
        assert_eq!(ns.alloc(&pascal("FOO_BAR")), "FooBar");
        assert_eq!(ns.alloc(&pascal("fooBar")), "FooBar2");
        assert_eq!(ns.alloc(&pascal("foo_bar")), "FooBar3");
        let mut fields = Namespace::new();
        assert_eq!(fields.alloc(&snake("fooBar")), "foo_bar");
        assert_eq!(fields.alloc(&snake("foo_bar")), "foo_bar_2");
    }

    #[test]
    fn reserved_names_are_avoided() {
        let mut ns = Namespace::with_reserved(["Client"]);
        assert_eq!(ns.alloc("Client"), "Client2");
    }
}
