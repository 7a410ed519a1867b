//! The typed client: one `Client` per API with a method per root field (fetching the type's
//! default selection) and, under `operations()`, a method per operation document (fetching
//! exactly its selection).

use std::collections::{BTreeSet, HashMap};

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use quote::quote;

use super::docs::{article, doc_attrs, doc_attrs_with, lines_to_attrs, sanitize};
use super::externs::Externs;
use super::types::{Side, TypeTable, deprecated_attr};
use crate::config::Config;
use crate::diagnostics::Diagnostics;
use crate::model::{Field, OperationKind, Schema, TypeKind, TypeRef};
use crate::names::{Namespace, ident, pascal, snake};
use crate::operations::{Operation, SelectedField, Selection, Shape};

/// The names the client module reserves before any type takes one.
const RESERVED: [&str; 3] = ["Client", "Operations", "operations"];

/// Emits the client module's items for one schema and its operations. Of the types of
/// `externs`, the scalars, enums and input objects are reused from the other APIs' modules; the
/// object, interface and union types are not: their structs are each API's default selections,
/// which depend on the API's root fields, not on the type alone.
pub fn emit(
    schema: &Schema,
    operations: &[Operation],
    config: &Config,
    externs: &Externs<'_>,
    diags: &mut Diagnostics,
) -> TokenStream {
    let mut table = TypeTable::new(schema, config, Side::Client, &RESERVED, false, diags);
    if !externs.types.is_empty() {
        let mut scratch = Diagnostics::new();
        let origins: Vec<TypeTable<'_>> = externs
            .origins
            .iter()
            .map(|o| {
                TypeTable::new(
                    o.schema,
                    config,
                    Side::Client,
                    &RESERVED,
                    false,
                    &mut scratch,
                )
            })
            .collect();
        let paths = externs
            .types
            .iter()
            .filter(|(name, _)| {
                matches!(
                    schema.get(name).map(|t| &t.kind),
                    Some(
                        TypeKind::Scalar { .. }
                            | TypeKind::Enum { .. }
                            | TypeKind::InputObject { .. }
                    )
                )
            })
            .map(|(name, &o)| {
                let path = externs.origins[o].path.clone();
                (name.clone(), (path, origins[o].ident(name)))
            })
            .collect();
        table.set_externs(paths);
    }
    let defaults = Defaults::compute(schema, config);
    let rt = table.runtime.clone();

    let reused = table.emit_externs();
    let scalars = table.emit_scalars();
    let enums = table.emit_enums();
    let inputs = table.emit_inputs();
    let outputs = emit_default_types(&table, &defaults);
    let (methods, options) = emit_root_methods(&mut table, &defaults);
    let (op_modules, op_methods) = emit_operations(&table, operations);

    let client_doc = {
        let mut text = format!("A client of the `{}` API.", schema.name);
        if let Some(d) = schema
            .query_type
            .as_deref()
            .and_then(|q| schema.get(q))
            .and_then(|t| t.description.as_deref())
        {
            text.push_str("\n\n");
            text.push_str(d);
        }
        text.push_str("\n\nEach root-field method fetches its result type's default selection (see the type's documentation for the fields it leaves out)");
        text.push_str(if operations.is_empty() {
            "."
        } else {
            "; `operations()` runs the operation documents with exact types."
        });
        doc_attrs(Some(&text))
    };
    // Without operation documents there is nothing to run: no `operations()`, whose struct's
    // only field would be unread.
    let operations_api = (!operations.is_empty()).then(|| {
        let mut api = quote! {
            /// Typed methods for the operation documents, one per operation.
            #[derive(Debug, Clone, Copy)]
            pub struct Operations<'a> {
                inner: &'a #rt::GraphqlClient,
            }

            impl Operations<'_> {
                #op_methods
            }

            /// One module per operation document: its query text, `Variables` and exact `Data` types.
            pub mod operations
        };
        api.extend([TokenStream::from(TokenTree::Group(Group::new(
            Delimiter::Brace,
            op_modules,
        )))]);
        api
    });
    let operations_method = operations_api.is_some().then(|| {
        quote! {
            /// The typed methods of the operation documents.
            pub fn operations(&self) -> Operations<'_> {
                Operations { inner: &self.inner }
            }
        }
    });

    // The big parts are moved in, not interpolated: `quote!` would copy each of them.
    let mut out = TokenStream::new();
    out.extend([reused, scalars, enums, inputs, outputs, options]);
    out.extend(quote! {
        #client_doc
        #[derive(Debug, Clone)]
        pub struct Client {
            inner: #rt::GraphqlClient,
        }

        impl Client {
            /// A client for the endpoint at `url`, on the default transport.
            pub fn new(url: impl ::core::convert::Into<::std::string::String>) -> Self {
                Self { inner: #rt::GraphqlClient::new(url) }
            }

            /// A client over a configured `GraphqlClient` (transport, headers, auth).
            pub fn from_graphql_client(inner: #rt::GraphqlClient) -> Self {
                Self { inner }
            }

            /// The underlying GraphQL client.
            pub fn graphql_client(&self) -> &#rt::GraphqlClient {
                &self.inner
            }

            /// Sends `Authorization: Bearer <token>` with every request.
            #[must_use]
            pub fn bearer(self, token: impl ::core::convert::Into<::std::string::String>) -> Self {
                Self { inner: self.inner.bearer(token) }
            }

            /// Sets or clears the bearer token.
            pub fn set_bearer(&mut self, token: ::core::option::Option<::std::string::String>) {
                self.inner.set_bearer(token);
            }

            /// Sends an extra header with every request.
            #[must_use]
            pub fn header(self, name: impl ::core::convert::Into<::std::string::String>, value: impl ::core::convert::Into<::std::string::String>) -> Self {
                Self { inner: self.inner.header(name, value) }
            }

            #operations_method

            #methods
        }
    });
    out.extend(operations_api);
    out
}

/// The deepest a default selection may nest objects: a bound on what one root-field call
/// fetches, whatever the shape of the schema (a chain of types that all reach each other would
/// otherwise be fetched whole).
const MAX_DEPTH: usize = 8;

/// The most object types one default selection may contain (its fragments): keeps each query
/// text, and each response, proportionate in schemas where everything reaches everything.
const MAX_TYPES: usize = 32;

/// Why a field is left out of a default selection.
#[derive(Debug, Clone)]
enum Cut {
    Arguments,
    Lazy,
    Cycle(String),
    Shallower(String),
    TooDeep,
    TooLarge,
}

impl Cut {
    fn describe(&self) -> String {
        match self {
            Cut::Arguments => "takes arguments".into(),
            Cut::Lazy => "resolved lazily by the server".into(),
            Cut::Cycle(t) => format!("would cycle back to `{t}`"),
            Cut::Shallower(t) => format!("`{t}` is fetched closer to the root"),
            Cut::TooDeep => format!("would nest more than {MAX_DEPTH} levels deep"),
            Cut::TooLarge => format!("would bring the selection over {MAX_TYPES} object types"),
        }
    }
}

#[derive(Debug, Default)]
struct TypeSel {
    /// For objects: the kept fields, in schema order.
    kept: Vec<Field>,
    /// Fields left out and why.
    cut: Vec<(String, Cut)>,
    /// For interfaces and unions: the concrete types that get a variant.
    variants: Vec<String>,
    /// Concrete types left out, and why.
    cut_variants: Vec<(String, Cut)>,
}

/// The default selection of every composite type reachable from the root fields. Each type has
/// a level, its shortest distance from a root field; a field is kept only when it leads to a
/// type at the same level or deeper, and never back to a type on the depth-first walk's stack.
/// So the kept edges form a DAG, each type has one finite struct reused everywhere, and a type
/// is not repeated deep inside another (`shipments.items.lineItem` when `items` is there).
/// Finally a selection nests at most [`MAX_DEPTH`] levels and holds at most [`MAX_TYPES`]
/// object types, so that one call stays proportionate however connected the schema is.
struct Defaults {
    order: Vec<String>,
    sel: HashMap<String, TypeSel>,
    level: HashMap<String, usize>,
    /// How deep each type's default selection nests (1 for only leaf fields).
    depth: HashMap<String, usize>,
    /// The object types each type's default selection contains (its fragments).
    closure: HashMap<String, BTreeSet<String>>,
    /// Each type's estimated inline size (see [`inline_size`]) and its boxed fields.
    size: HashMap<String, (usize, BTreeSet<String>)>,
}

impl Defaults {
    fn compute(schema: &Schema, config: &Config) -> Self {
        let mut d = Defaults {
            order: Vec::new(),
            sel: HashMap::new(),
            level: levels(schema, config),
            depth: HashMap::new(),
            closure: HashMap::new(),
            size: HashMap::new(),
        };
        for kind in [OperationKind::Query, OperationKind::Mutation] {
            let Some(root) = schema.root(kind) else {
                continue;
            };
            for f in schema.fields(root) {
                let target = f.ty.named();
                if !schema.is_leaf(target) && !d.sel.contains_key(target) {
                    let mut stack = vec![root.to_string()];
                    d.visit(schema, config, target, &mut stack);
                }
            }
        }
        for t in d.order.clone() {
            d.size_of(schema, &t);
        }
        d
    }

    /// The estimated inline size of `t`'s default-selection type, memoised, with the fields
    /// [`plan_boxes`] boxes. The kept fields form a DAG, so this ends.
    fn size_of(&mut self, schema: &Schema, t: &str) -> usize {
        if let Some((n, _)) = self.size.get(t) {
            return *n;
        }
        let sel = &self.sel[t];
        let mut boxed = BTreeSet::new();
        let n = if schema.is_abstract(t) {
            // One variant per concrete type, or `Other(String)`.
            let variants = sel.variants.clone();
            let largest = variants.iter().map(|v| self.size_of(schema, v)).max();
            largest.unwrap_or(0).max(24) + 8
        } else if sel.kept.is_empty() {
            24
        } else {
            let kept = sel.kept.clone();
            let slots: Vec<Slot> = kept
                .iter()
                .map(|f| {
                    let target = f.ty.named();
                    let leaf = schema.is_leaf(target);
                    let value = if leaf {
                        leaf_size(target)
                    } else {
                        self.size_of(schema, target)
                    };
                    Slot::of(&f.ty, !f.ty.is_non_null(), !leaf, value)
                })
                .collect();
            let (planned, n) = plan_boxes(&slots);
            boxed.extend(
                kept.iter()
                    .zip(planned)
                    .filter(|(_, b)| *b)
                    .map(|(f, _)| f.name.clone()),
            );
            n
        };
        self.size.insert(t.to_string(), (n, boxed));
        n
    }

    /// True when field `field` of `t`'s default-selection type holds its object boxed (see
    /// [`INLINE_BUDGET_BYTES`]).
    fn boxed(&self, t: &str, field: &str) -> bool {
        self.size.get(t).is_some_and(|(_, b)| b.contains(field))
    }

    fn visit(&mut self, schema: &Schema, config: &Config, t: &str, stack: &mut Vec<String>) {
        self.sel.insert(t.to_string(), TypeSel::default());
        self.order.push(t.to_string());
        stack.push(t.to_string());
        let mut sel = TypeSel::default();
        let mut depth = 1;
        let mut closure: BTreeSet<String> = BTreeSet::new();
        match schema.get(t).map(|d| &d.kind) {
            Some(TypeKind::Object { fields, .. }) => {
                closure.insert(t.to_string());
                for f in fields {
                    if !f.args.is_empty() {
                        sel.cut.push((f.name.clone(), Cut::Arguments));
                        continue;
                    }
                    if config.is_lazy(t, &f.name) {
                        sel.cut.push((f.name.clone(), Cut::Lazy));
                        continue;
                    }
                    let target = f.ty.named();
                    if schema.is_leaf(target) {
                        sel.kept.push(f.clone());
                        continue;
                    }
                    if stack.iter().any(|s| s == target) {
                        sel.cut
                            .push((f.name.clone(), Cut::Cycle(target.to_string())));
                        continue;
                    }
                    if self.level_of(target) < self.level_of(t) {
                        sel.cut
                            .push((f.name.clone(), Cut::Shallower(target.to_string())));
                        continue;
                    }
                    if !self.sel.contains_key(target) {
                        self.visit(schema, config, target, stack);
                    }
                    let target_depth = self.depth.get(target).copied().unwrap_or(0);
                    if target_depth + 1 > MAX_DEPTH {
                        sel.cut.push((f.name.clone(), Cut::TooDeep));
                        continue;
                    }
                    let grown = self.grown(&closure, target);
                    if grown.len() > MAX_TYPES {
                        sel.cut.push((f.name.clone(), Cut::TooLarge));
                        continue;
                    }
                    closure = grown;
                    depth = depth.max(target_depth + 1);
                    sel.kept.push(f.clone());
                }
            }
            Some(TypeKind::Interface { .. } | TypeKind::Union { .. }) => {
                depth = 0;
                for p in schema.possible_types(t) {
                    if stack.iter().any(|s| s == p) {
                        sel.cut_variants
                            .push((p.to_string(), Cut::Cycle(p.to_string())));
                        continue;
                    }
                    if !self.sel.contains_key(p) {
                        self.visit(schema, config, p, stack);
                    }
                    let grown = self.grown(&closure, p);
                    if grown.len() > MAX_TYPES {
                        sel.cut_variants.push((p.to_string(), Cut::TooLarge));
                        continue;
                    }
                    closure = grown;
                    depth = depth.max(self.depth.get(p).copied().unwrap_or(0));
                    sel.variants.push(p.to_string());
                }
            }
            _ => {}
        }
        stack.pop();
        self.sel.insert(t.to_string(), sel);
        self.depth.insert(t.to_string(), depth);
        self.closure.insert(t.to_string(), closure);
    }

    /// `closure` with the object types of `target`'s default selection added.
    fn grown(&self, closure: &BTreeSet<String>, target: &str) -> BTreeSet<String> {
        let mut out = closure.clone();
        if let Some(more) = self.closure.get(target) {
            out.extend(more.iter().cloned());
        }
        out
    }

    fn level_of(&self, t: &str) -> usize {
        self.level.get(t).copied().unwrap_or(usize::MAX)
    }

    /// `fragment XFields on X { … }` for an object type.
    fn fragment(&self, schema: &Schema, t: &str) -> String {
        let sel = &self.sel[t];
        let mut body = Vec::new();
        if sel.kept.is_empty() {
            body.push("__typename".to_string());
        }
        for f in &sel.kept {
            let target = f.ty.named();
            if schema.is_leaf(target) {
                body.push(f.name.clone());
            } else {
                body.push(format!(
                    "{} {{ {} }}",
                    f.name,
                    self.sub_selection(schema, target)
                ));
            }
        }
        format!("fragment {t}Fields on {t} {{ {} }}", body.join(" "))
    }

    /// The selection inside a field of composite type `t`.
    fn sub_selection(&self, schema: &Schema, t: &str) -> String {
        if schema.is_abstract(t) {
            let mut parts = vec!["__typename".to_string()];
            parts.extend(self.sel[t].variants.iter().map(|v| format!("...{v}Fields")));
            parts.join(" ")
        } else {
            format!("...{t}Fields")
        }
    }

    /// Object types whose fragments a selection of `t` needs, transitively, in first-use order.
    fn fragments_for(&self, schema: &Schema, t: &str, out: &mut Vec<String>) {
        let objects: Vec<String> = if schema.is_abstract(t) {
            self.sel[t].variants.clone()
        } else {
            vec![t.to_string()]
        };
        for o in objects {
            if out.contains(&o) {
                continue;
            }
            out.push(o.clone());
            for f in &self.sel[&o].kept {
                let target = f.ty.named();
                if !schema.is_leaf(target) {
                    self.fragments_for(schema, target, out);
                }
            }
        }
    }
}

/// Each composite type's shortest distance from a root field (1 for a root field's type),
/// following the fields a default selection may keep (no arguments, not lazy).
fn levels(schema: &Schema, config: &Config) -> HashMap<String, usize> {
    let mut level: HashMap<String, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::new();
    for kind in [OperationKind::Query, OperationKind::Mutation] {
        let Some(root) = schema.root(kind) else {
            continue;
        };
        for f in schema.fields(root) {
            let t = f.ty.named();
            if !schema.is_leaf(t) && !level.contains_key(t) {
                level.insert(t.to_string(), 1);
                queue.push_back(t.to_string());
            }
        }
    }
    while let Some(t) = queue.pop_front() {
        let next = level[&t] + 1;
        let mut targets: Vec<String> = Vec::new();
        match schema.get(&t).map(|d| &d.kind) {
            Some(TypeKind::Object { fields, .. }) => {
                for f in fields {
                    if f.args.is_empty()
                        && !config.is_lazy(&t, &f.name)
                        && !schema.is_leaf(f.ty.named())
                    {
                        targets.push(f.ty.named().to_string());
                    }
                }
            }
            Some(TypeKind::Interface { .. } | TypeKind::Union { .. }) => {
                targets.extend(schema.possible_types(&t).iter().map(|s| s.to_string()));
            }
            _ => {}
        }
        for u in targets {
            if !level.contains_key(&u) {
                level.insert(u.clone(), next);
                queue.push_back(u);
            }
        }
    }
    level
}

/// One `#[serde(…)]` attribute for a response field: `rename` when the Rust name differs from
/// the GraphQL one, `default` when the field may be missing or null.
fn serde_attr(rust: &str, graphql: &str, default: bool) -> TokenStream {
    match (rust == graphql, default) {
        (true, false) => TokenStream::new(),
        (true, true) => quote!(#[serde(default)]),
        (false, false) => quote!(#[serde(rename = #graphql)]),
        (false, true) => quote!(#[serde(rename = #graphql, default)]),
    }
}

/// The structs and enums of the default selections.
fn emit_default_types(table: &TypeTable<'_>, defaults: &Defaults) -> TokenStream {
    let schema = table.schema;
    let mut out = TokenStream::new();
    for t in &defaults.order {
        let Some(def) = schema.get(t) else { continue };
        let sel = &defaults.sel[t];
        let id = table.ident(t);
        let mut doc = def
            .description
            .clone()
            .unwrap_or_else(|| format!("The `{t}` type."));
        if schema.is_abstract(t) {
            let cut: Vec<String> = sel
                .cut_variants
                .iter()
                .map(|(v, why)| format!("`{v}` ({})", why.describe()))
                .collect();
            if !cut.is_empty() {
                doc.push_str(&format!(
                    "\n\nIn default selections, these decode as `Other`: {}.",
                    cut.join(", ")
                ));
            }
            let docs = doc_attrs(Some(&doc));
            let variants: Vec<(Ident, &str)> = {
                let mut ns = Namespace::with_reserved(["Other"]);
                sel.variants
                    .iter()
                    .map(|v| (ident(&ns.alloc(&pascal(v))), v.as_str()))
                    .collect()
            };
            let defs = variants.iter().map(|(v, g)| {
                let ty = table.ident(g);
                let text = format!(" {} `{g}`.", article(g).replacen('a', "A", 1));
                quote!(#[doc = #text] #v(#ty))
            });
            out.extend(quote! {
                #docs
                #[derive(Debug, Clone, PartialEq)]
                pub enum #id {
                    #(#defs,)*
                    /// Another concrete type, by its `__typename`.
                    Other(::std::string::String),
                }
            });
            out.extend(abstract_serde(
                &id,
                &variants,
                None,
                table.serde_both_ways(),
            ));
            continue;
        }
        if !sel.cut.is_empty() {
            let cut: Vec<String> = sel
                .cut
                .iter()
                .map(|(f, why)| format!("`{f}` ({})", why.describe()))
                .collect();
            doc.push_str(&format!(
                "\n\nLeft out of default selections: {}. Select them with an operation document.",
                cut.join(", ")
            ));
        }
        let docs = doc_attrs(Some(&doc));
        let mut ns = Namespace::new();
        let mut fields = Vec::new();
        if sel.kept.is_empty() {
            fields.push(quote! {
                /// The object's concrete GraphQL type.
                #[serde(rename = "__typename")]
                pub typename: ::std::string::String
            });
        }
        for f in &sel.kept {
            let rust = ns.alloc(&snake(&f.name));
            let fid = ident(&rust);
            let serde = serde_attr(&rust, &f.name, !f.ty.is_non_null());
            let ty = output_type(table, &f.ty, defaults.boxed(t, &f.name));
            let mut attrs = doc_attrs(f.description.as_deref());
            attrs.extend(deprecated_attr(f.deprecation.as_ref()));
            fields.push(quote!(#attrs #serde pub #fid: #ty));
        }
        let serde = table.received_serde();
        out.extend(quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, #serde)]
            pub struct #id {
                #(#fields,)*
            }
        });
    }
    out
}

/// The Rust type of an output field in the default selection; its object `boxed` when asked.
fn output_type(table: &TypeTable<'_>, ty: &TypeRef, boxed: bool) -> TokenStream {
    let named = ty.named();
    let inner = if table.schema.is_leaf(named) {
        table.leaf(named)
    } else {
        let id = table.ident(named);
        if boxed {
            quote!(::std::boxed::Box<#id>)
        } else {
            quote!(#id)
        }
    };
    table.wrap(ty, &inner)
}

/// `Deserialize` (by `__typename`) and, when `serialize`, `Serialize` (the inner value) for an
/// abstract enum. `other` is the struct type of the `Other` variant; `None` means
/// `Other(String)`.
fn abstract_serde(
    id: &Ident,
    variants: &[(Ident, &str)],
    other: Option<&Ident>,
    serialize: bool,
) -> TokenStream {
    let arms = variants.iter().map(|(v, g)| {
        quote!(::core::option::Option::Some(#g) => ::serde_json::from_value(value).map(Self::#v).map_err(::serde::de::Error::custom))
    });
    let ser_arms = variants
        .iter()
        .map(|(v, _)| quote!(Self::#v(inner) => ::serde::Serialize::serialize(inner, serializer)));
    let (other_arm, other_ser) = match other {
        None => (
            quote!(::core::option::Option::Some(other) => ::core::result::Result::Ok(Self::Other(other.to_string()))),
            quote!(Self::Other(typename) => {
                let mut map = ::serde::Serializer::serialize_map(serializer, ::core::option::Option::Some(1))?;
                ::serde::ser::SerializeMap::serialize_entry(&mut map, "__typename", typename)?;
                ::serde::ser::SerializeMap::end(map)
            }),
        ),
        Some(_) => (
            quote!(::core::option::Option::Some(_) => ::serde_json::from_value(value).map(Self::Other).map_err(::serde::de::Error::custom)),
            quote!(Self::Other(inner) => ::serde::Serialize::serialize(inner, serializer)),
        ),
    };
    let de = quote! {
        impl<'de> ::serde::Deserialize<'de> for #id {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::core::result::Result<Self, __D::Error> {
                // The concrete type decides the variant; the value is buffered to read it first.
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let typename = value.get("__typename").and_then(::serde_json::Value::as_str).map(::std::string::ToString::to_string);
                match typename.as_deref() {
                    #(#arms,)*
                    #other_arm,
                    ::core::option::Option::None => ::core::result::Result::Err(::serde::de::Error::missing_field("__typename")),
                }
            }
        }

    };
    if !serialize {
        return de;
    }
    let ser = quote! {
        impl ::serde::Serialize for #id {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                match self {
                    #(#ser_arms,)*
                    #other_ser
                }
            }
        }
    };
    quote!(#de #ser)
}

/// One method per root query and mutation field, and the options structs of their optional
/// arguments.
fn emit_root_methods(table: &mut TypeTable<'_>, defaults: &Defaults) -> (TokenStream, TokenStream) {
    let schema = table.schema;
    let rt = table.runtime.clone();
    let mut methods = TokenStream::new();
    let mut options_structs = TokenStream::new();
    let mut method_ns = Namespace::with_reserved([
        "new",
        "from_graphql_client",
        "graphql_client",
        "bearer",
        "set_bearer",
        "header",
        "operations",
    ]);
    for kind in [OperationKind::Query, OperationKind::Mutation] {
        let Some(root) = schema.root(kind) else {
            continue;
        };
        for f in schema.fields(root) {
            let method = ident(&method_ns.alloc(&snake(&f.name)));
            let op_name = format!(
                "{}{}",
                pascal(&f.name),
                if kind == OperationKind::Mutation {
                    "Mutation"
                } else {
                    "Query"
                }
            );
            let target = f.ty.named();

            // Query text: the field with every argument as a variable, and the default selection.
            let var_defs: Vec<String> = f
                .args
                .iter()
                .map(|a| format!("${}: {}", a.name, a.ty))
                .collect();
            let args: Vec<String> = f
                .args
                .iter()
                .map(|a| format!("{}: ${}", a.name, a.name))
                .collect();
            let mut text = kind.keyword().to_string();
            text.push(' ');
            text.push_str(&op_name);
            if !var_defs.is_empty() {
                text.push_str(&format!("({})", var_defs.join(", ")));
            }
            text.push_str(" { ");
            text.push_str(&f.name);
            if !args.is_empty() {
                text.push_str(&format!("({})", args.join(", ")));
            }
            if !schema.is_leaf(target) {
                text.push_str(&format!(
                    " {{ {} }}",
                    defaults.sub_selection(schema, target)
                ));
            }
            text.push_str(" }");
            if !schema.is_leaf(target) {
                let mut frags = Vec::new();
                defaults.fragments_for(schema, target, &mut frags);
                for fr in frags {
                    text.push('\n');
                    text.push_str(&defaults.fragment(schema, &fr));
                }
            }

            // Parameters: required arguments as parameters, the others in an options struct.
            let mut param_ns = Namespace::with_reserved([
                "self",
                "options",
                "data",
                "variables",
                "Variables",
                "Data",
                "QUERY",
            ]);
            let mut params = Vec::new();
            // The variables, `(name, &value)` for the SDK's `variables` (one shared function
            // instead of a `Serialize` derive per method: compile cost).
            let mut var_entries = Vec::new();
            let optional: Vec<_> = f
                .args
                .iter()
                .filter(|a| !a.ty.is_non_null() || a.default.is_some())
                .collect();
            for a in f
                .args
                .iter()
                .filter(|a| a.ty.is_non_null() && a.default.is_none())
            {
                let p = ident(&param_ns.alloc(&snake(&a.name)));
                let ty = table.input_ref(&a.ty);
                let g = &a.name;
                params.push(quote!(#p: #ty));
                let value = table.json_ref(a.ty.named(), quote!(&#p));
                var_entries.push(quote!((#g, #value)));
            }
            let mut arg_docs: Vec<String> = Vec::new();
            for a in &f.args {
                let d = a
                    .description
                    .as_deref()
                    .map(|d| d.lines().next().unwrap_or("").to_string())
                    .unwrap_or_default();
                let default = a
                    .default
                    .as_ref()
                    .map(|v| format!(", default `{v}`"))
                    .unwrap_or_default();
                let sep = if d.is_empty() { "" } else { ": " };
                arg_docs.push(format!("- `{}` (`{}`{default}){sep}{d}", a.name, a.ty));
            }
            if !optional.is_empty() {
                let opt_id = ident(&table.ns.alloc(&format!("{}Options", pascal(&f.name))));
                let mut ns = Namespace::new();
                let mut json_fields = Vec::with_capacity(optional.len());
                let fields: Vec<TokenStream> = optional
                    .iter()
                    .map(|a| {
                        let fid = ident(&ns.alloc(&snake(&a.name)));
                        let ty =
                            table.input_ref(&TypeRef::NonNull(Box::new(a.ty.nullable().clone())));
                        let g = &a.name;
                        json_fields.push(table.json_field(
                            g,
                            quote!(self.#fid),
                            a.ty.named(),
                            true,
                        ));
                        var_entries.push(table.json_field(
                            g,
                            quote!(options.#fid),
                            a.ty.named(),
                            true,
                        ));
                        let docs = match &a.default {
                            Some(d) => doc_attrs_with(
                                a.description.as_deref(),
                                &format!("Server default: `{d}`."),
                            ),
                            None => doc_attrs(a.description.as_deref()),
                        };
                        quote!(#docs pub #fid: ::core::option::Option<#ty>)
                    })
                    .collect();
                // rustdoc cannot resolve a link to a raw identifier (`Client::r#type`).
                let method_text = method.to_string();
                let target = match method_text.strip_prefix("r#") {
                    Some(plain) => format!("`Client::{plain}`"),
                    None => format!("[`Client::{method_text}`]"),
                };
                let text =
                    format!(" The optional arguments of {target}; `None` leaves an argument out.");
                options_structs.extend(quote! {
                    #[doc = #text]
                    #[derive(Debug, Clone, PartialEq, Default)]
                    pub struct #opt_id {
                        #(#fields,)*
                    }
                });
                options_structs
                    .extend(table.emit_to_json(&quote!(#opt_id), table.json_object(&json_fields)));
                params.push(quote!(options: #opt_id));
            }

            // What a root method returns is the caller's to hold, not nested: never boxed.
            let ret = output_type(table, &f.ty, false);
            let g = &f.name;
            let value_serde = if f.ty.is_non_null() {
                quote!(#[serde(rename = #g)])
            } else {
                quote!(#[serde(rename = #g, default)])
            };
            let mut doc = f
                .description
                .clone()
                .unwrap_or_else(|| format!("The `{g}` field."));
            if !arg_docs.is_empty() {
                doc.push_str("\n\nArguments:\n");
                doc.push_str(&arg_docs.join("\n"));
            }
            if !schema.is_leaf(target) {
                doc.push_str(&format!("\n\nReturns the default selection of `{target}` (see its documentation for what is left out)."));
            }
            let docs = doc_attrs(Some(&doc));
            let deprecated = deprecated_attr(f.deprecation.as_ref());
            let query = super::raw_string(&text);
            methods.extend(quote! {
                #docs
                #deprecated
                pub async fn #method(&self, #(#params),*) -> #rt::Result<#ret> {
                    // Local names start with `__`, which no GraphQL type name may, so that they
                    // cannot shadow a schema type the signature names.
                    const QUERY: &str = #query;
                    #[derive(::serde::Deserialize)]
                    struct __Data {
                        #value_serde
                        value: #ret,
                    }
                    let variables = #rt::codegen_support::variables(&[#(#var_entries),*])?;
                    let data: __Data = self.inner.execute_data(QUERY, #op_name, &variables).await?;
                    ::core::result::Result::Ok(data.value)
                }
            });
        }
    }
    (methods, options_structs)
}

/// One module per operation, and the methods of `Operations`.
fn emit_operations(table: &TypeTable<'_>, operations: &[Operation]) -> (TokenStream, TokenStream) {
    let rt = &table.runtime;
    let mut modules = TokenStream::new();
    let mut methods = TokenStream::new();
    // An operation named `Operations` would be `operations::operations` (clippy's
    // `module_inception`). The shared fragments' types, here too, must not shadow the prelude
    // names their fields use.
    let mut mod_ns = Namespace::with_reserved(["operations", "super", "Option", "Vec", "String"]);
    let mut method_ns = Namespace::new();
    let mut sorted: Vec<&Operation> = operations.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    // The fragments selected whole get their types first, in `operations` itself: their names
    // are PascalCase, the operations' modules snake_case.
    let shared = SharedFragments::collect(&sorted, &mut mod_ns);
    modules.extend(shared.emit(table, &mut mod_ns));
    for op in sorted {
        let module = ident(&mod_ns.alloc(&snake(&op.name)));
        let method = ident(&method_ns.alloc(&snake(&op.name)));
        let mut ns =
            // The prelude names too: field types name them without a path.
            Namespace::with_reserved([
                "Variables",
                "Data",
                "QUERY",
                "OPERATION_NAME",
                "super",
                "Option",
                "Vec",
                "String",
            ]);
        let op_struct = ident(&ns.alloc(&pascal(&op.name)));
        let mut types = TokenStream::new();
        let mut ctx = OpCtx {
            table,
            ns: &mut ns,
            out: &mut types,
            shared: &shared,
            in_operations: false,
        };
        let data_fields = match &op.selection.shape {
            Shape::Fields(fields) => ctx.fields("Data", fields),
            Shape::ByType { other, .. } => ctx.fields("Data", other),
        };

        // Variables.
        let mut vns = Namespace::new();
        let mut all_default = true;
        let mut json_fields = Vec::with_capacity(op.variables.len());
        let var_fields: Vec<TokenStream> = op
            .variables
            .iter()
            .map(|v| {
                let fid = ident(&vns.alloc(&snake(&v.name)));
                json_fields.push(table.json_field(
                    &v.name,
                    quote!(self.#fid),
                    v.ty.named(),
                    !v.ty.is_non_null(),
                ));
                let g = &v.name;
                let named = v.ty.named();
                let inner = if table.schema.is_leaf(named) {
                    table.leaf(named)
                } else {
                    let id = table.ident(named);
                    quote!(super::super::#id)
                };
                let inner = qualify_leaf(table, named, inner);
                let doc = format!(" `${g}: {}`", v.ty);
                if v.ty.is_non_null() {
                    let ty = table.wrap(&v.ty, &inner);
                    let defaultable = v.ty.is_list()
                        || if table.schema.is_leaf(named) {
                            table.leaf_defaultable(named)
                        } else {
                            table.is_defaultable(named)
                        };
                    all_default &= defaultable;
                    quote!(#[doc = #doc] pub #fid: #ty)
                } else {
                    let ty = table.wrap(&TypeRef::NonNull(Box::new(v.ty.clone())), &inner);
                    quote!(#[doc = #doc] pub #fid: ::core::option::Option<#ty>)
                }
            })
            .collect();
        let default = all_default.then(|| quote!(, Default));
        let variables_json =
            table.emit_to_json(&quote!(Variables), table.json_object(&json_fields));
        let has_vars = !op.variables.is_empty();

        let mut doc = op
            .description
            .clone()
            .unwrap_or_else(|| format!("The `{}` operation.", op.name));
        doc.push_str("\n\n```text\n");
        doc.push_str(&op.query_text);
        doc.push_str("\n```");
        let doc_lines = sanitize(&doc);
        let docs = lines_to_attrs(&doc_lines);
        let query = super::raw_string(&op.query_text);
        let name = &op.name;
        let received = table.received_serde();
        modules.extend(quote! {
            #docs
            pub mod #module {
                /// The query text sent to the server.
                pub const QUERY: &str = #query;
                /// The operation's name.
                pub const OPERATION_NAME: &str = #name;

                /// The operation, for `GraphqlClient::run`.
                #[derive(Debug, Clone, Copy)]
                pub struct #op_struct;

                impl #rt::GraphqlOperation for #op_struct {
                    type Variables = Variables;
                    type Data = Data;
                    const QUERY: &'static str = QUERY;
                    const OPERATION_NAME: &'static str = OPERATION_NAME;
                }

                /// The operation's variables.
                #[derive(Debug, Clone, PartialEq #default)]
                pub struct Variables {
                    #(#var_fields,)*
                }

                #variables_json

                /// The operation's result, exactly as selected.
                #[derive(Debug, Clone, PartialEq, #received)]
                pub struct Data {
                    #(#data_fields,)*
                }

                #types
            }
        });
        let method_doc = doc_attrs(Some(
            op.description
                .as_deref()
                .unwrap_or(&format!("Runs the `{}` operation.", op.name)),
        ));
        if has_vars {
            methods.extend(quote! {
                #method_doc
                pub async fn #method(&self, variables: operations::#module::Variables) -> #rt::Result<operations::#module::Data> {
                    self.inner.run::<operations::#module::#op_struct>(&variables).await
                }
            });
        } else {
            methods.extend(quote! {
                #method_doc
                pub async fn #method(&self) -> #rt::Result<operations::#module::Data> {
                    self.inner.run::<operations::#module::#op_struct>(&operations::#module::Variables {}).await
                }
            });
        }
    }
    (modules, methods)
}

/// A response struct is kept within this many bytes inline (estimated, on a 64-bit target) by
/// boxing its nested objects, the largest first, as far as they take it there. A caller holds a
/// response across awaits, so its future is as large as the response's inline size: nested
/// inline, a wide or deep selection makes every such future kilobytes large (and a debug build's
/// stack overflow); boxed, each object costs a pointer. Lists are on the heap already, and small
/// objects stay inline while their parent is within bounds.
const INLINE_BUDGET_BYTES: usize = 256;

/// One field of a response struct, for [`plan_boxes`].
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// The value's own inline size (a nested object's planned size).
    value: usize,
    /// A nested object, not in a list: the one kind of value a `Box` may take.
    object: bool,
    /// A list of values (`Vec`, 24 bytes whatever the value).
    list: bool,
    /// `Option`: 8 bytes more.
    optional: bool,
}

impl Slot {
    fn of(ty: &TypeRef, optional: bool, object: bool, value: usize) -> Self {
        Slot {
            value,
            object: object && !ty.is_list(),
            list: ty.is_list(),
            optional,
        }
    }

    fn size(&self, boxed: bool) -> usize {
        let inline = if self.list {
            24
        } else if boxed {
            8
        } else {
            self.value
        };
        inline + if self.optional { 8 } else { 0 }
    }
}

/// Which of a struct's fields to box, and the struct's inline size then: nested objects, the
/// largest first (the earlier on a tie), until the struct is within [`INLINE_BUDGET_BYTES`].
fn plan_boxes(slots: &[Slot]) -> (Vec<bool>, usize) {
    let mut boxed = vec![false; slots.len()];
    let mut total: usize = slots.iter().map(|s| s.size(false)).sum();
    let mut order: Vec<usize> = (0..slots.len()).filter(|&i| slots[i].object).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(slots[i].value), i));
    for i in order {
        if total <= INLINE_BUDGET_BYTES {
            break;
        }
        let saved = slots[i].size(false).saturating_sub(slots[i].size(true));
        if saved > 0 {
            boxed[i] = true;
            total -= saved;
        }
    }
    (boxed, total)
}

/// The inline size of a selection's response type as [`plan_boxes`] leaves it: strings, lists,
/// enums and custom scalars count 24 bytes, `Int` 4, `Float` 8, `Boolean` 1, an optional value 8
/// more, a boxed object 8.
fn inline_size(sel: &Selection) -> usize {
    let fields = |fs: &[SelectedField]| plan_fields(fs).1;
    match &sel.shape {
        Shape::Fields(fs) => fields(fs),
        // An enum of one struct per concrete type, `Other` holding `__typename` too.
        Shape::ByType { variants, other } => {
            let largest = variants.iter().map(|(_, fs)| fields(fs));
            largest.chain([fields(other) + 24]).max().unwrap_or(0) + 8
        }
    }
}

/// [`plan_boxes`] for the fields of a selection.
fn plan_fields(fields: &[SelectedField]) -> (Vec<bool>, usize) {
    let slots: Vec<Slot> = fields
        .iter()
        .map(|f| {
            let value = match &f.selection {
                Some(sel) => inline_size(sel),
                None => leaf_size(f.ty.named()),
            };
            let optional = f.conditional || !f.ty.is_non_null();
            Slot::of(&f.ty, optional, f.selection.is_some(), value)
        })
        .collect();
    plan_boxes(&slots)
}

/// [`inline_size`] of a leaf value.
fn leaf_size(named: &str) -> usize {
    match named {
        "Int" => 4,
        "Float" => 8,
        "Boolean" => 1,
        _ => 24,
    }
}

/// Leaf types are referred to from inside `operations::<op>`; builtins need no path, the
/// module's own scalars and enums are reached through `super::super`.
fn qualify_leaf(table: &TypeTable<'_>, named: &str, inner: TokenStream) -> TokenStream {
    qualify_leaf_from(table, named, inner, quote!(super::super))
}

/// [`qualify_leaf`] from a module `up` below the API's.
fn qualify_leaf_from(
    table: &TypeTable<'_>,
    named: &str,
    inner: TokenStream,
    up: TokenStream,
) -> TokenStream {
    if !table.schema.is_leaf(named)
        || matches!(named, "Int" | "Float" | "String" | "Boolean" | "ID")
    {
        return inner;
    }
    quote!(#up::#inner)
}

/// The types of the named fragments that fields select whole (`cart { ...CartFields }`): one
/// per fragment, emitted in `operations` and named after the fragment, which every operation
/// selecting it reuses. A fragment name defined differently in two documents gets a type per
/// definition (`CartFields`, `CartFields2`), numbered in the operations' name order.
struct SharedFragments {
    /// The fragment's name, its selection and its type's name, in first-use order.
    types: Vec<(String, Selection, String)>,
}

impl SharedFragments {
    /// Every fragment selection of `operations` (taken in this order), its type's name
    /// allocated in `ns`.
    fn collect(operations: &[&Operation], ns: &mut Namespace) -> Self {
        let mut shared = SharedFragments { types: Vec::new() };
        for op in operations {
            shared.visit(&op.selection, ns);
        }
        shared
    }

    fn visit(&mut self, sel: &Selection, ns: &mut Namespace) {
        let fields: Vec<&SelectedField> = match &sel.shape {
            Shape::Fields(fields) => fields.iter().collect(),
            Shape::ByType { variants, other } => variants
                .iter()
                .flat_map(|(_, f)| f.iter())
                .chain(other.iter())
                .collect(),
        };
        for f in fields {
            let Some(inner) = &f.selection else {
                continue;
            };
            if let Some(name) = &inner.fragment
                && self.name_of(inner).is_none()
            {
                let ty = ns.alloc(&pascal(name));
                self.types.push((name.clone(), inner.clone(), ty));
            }
            self.visit(inner, ns);
        }
    }

    /// The name of the type of `sel`, when it is a shared fragment's selection.
    fn name_of(&self, sel: &Selection) -> Option<&str> {
        let fragment = sel.fragment.as_deref()?;
        self.types
            .iter()
            .find(|(name, s, _)| name == fragment && s == sel)
            .map(|(_, _, ty)| ty.as_str())
    }

    /// The types, with the types nested in them (prefixed with the fragment type's name),
    /// allocated in `ns`.
    fn emit(&self, table: &TypeTable<'_>, ns: &mut Namespace) -> TokenStream {
        let mut out = TokenStream::new();
        for (fragment, sel, ty) in &self.types {
            let mut ctx = OpCtx {
                table,
                ns: &mut *ns,
                out: &mut out,
                shared: self,
                in_operations: true,
            };
            let note = format!(
                "The fields of fragment `{fragment}`, one type for every operation that selects it."
            );
            ctx.emit_selection(&ident(ty), ty, sel, Some(&note));
        }
        out
    }
}

struct OpCtx<'t, 'n> {
    table: &'t TypeTable<'t>,
    ns: &'n mut Namespace,
    out: &'n mut TokenStream,
    shared: &'n SharedFragments,
    /// True for the shared fragments' types, which live in `operations` itself, not in an
    /// operation's module.
    in_operations: bool,
}

impl OpCtx<'_, '_> {
    /// The fields of a response struct; nested structs are emitted into `out`.
    fn fields(&mut self, parent: &str, fields: &[SelectedField]) -> Vec<TokenStream> {
        let mut names = Namespace::new();
        let mut out = Vec::new();
        let (boxed, _) = plan_fields(fields);
        for (i, f) in fields.iter().enumerate() {
            let rust = if f.name == "__typename" && f.key == "__typename" {
                names.alloc("typename")
            } else {
                names.alloc(&snake(&f.key))
            };
            let fid = ident(&rust);
            let named = f.ty.named();
            let inner = match &f.selection {
                None => {
                    let leaf = self.table.leaf(named);
                    if self.in_operations {
                        // `operations` is one level above an operation's module.
                        qualify_leaf_from(self.table, named, leaf, quote!(super))
                    } else {
                        qualify_leaf(self.table, named, leaf)
                    }
                }
                Some(sel) => match self.shared.name_of(sel) {
                    Some(ty) => {
                        let id = ident(ty);
                        if self.in_operations {
                            quote!(#id)
                        } else {
                            quote!(super::#id)
                        }
                    }
                    None => {
                        let id = self.selection_type(parent, &f.key, sel);
                        quote!(#id)
                    }
                },
            };
            // Within the struct's budget: see `INLINE_BUDGET_BYTES`.
            let inner = if boxed[i] {
                quote!(::std::boxed::Box<#inner>)
            } else {
                inner
            };
            let mut ty = self.table.wrap(&f.ty, &inner);
            if f.conditional && f.ty.is_non_null() {
                ty = quote!(::core::option::Option<#ty>);
            }
            let serde = serde_attr(&rust, &f.key, f.conditional || !f.ty.is_non_null());
            let attrs = if f.conditional {
                doc_attrs_with(
                    f.description.as_deref(),
                    "Under `@skip`/`@include`: `None` when left out.",
                )
            } else {
                doc_attrs(f.description.as_deref())
            };
            out.push(quote!(#attrs #serde pub #fid: #ty));
        }
        out
    }

    /// The identifier of a selection's type, and its name as allocated: nested types prefix
    /// that name, not the identifier (`Self` is written `Self_`, but nests as `SelfThing`).
    fn type_name(&mut self, parent: &str, key: &str) -> (Ident, String) {
        let base = pascal(key);
        // In `operations`, shared by every fragment's types, a nested type is always named
        // after its parent's.
        let name = if !self.in_operations && !self.ns.is_taken(&base) {
            self.ns.alloc(&base)
        } else {
            let prefixed = if parent == "Data" && !self.in_operations {
                base.clone()
            } else {
                // Joined without leading underscores (`_2fa`): `Data_2fa` is not camel case.
                format!("{parent}{}", base.trim_start_matches('_'))
            };
            self.ns.alloc(&prefixed)
        };
        (ident(&name), name)
    }

    /// Emits the type of a composite field's selection and returns its name.
    fn selection_type(&mut self, parent: &str, key: &str, sel: &Selection) -> Ident {
        let (id, id_text) = self.type_name(parent, key);
        self.emit_selection(&id, &id_text, sel, None);
        id
    }

    /// Emits type `id` (allocated as `id_text`) of a selection, documented by its GraphQL
    /// type's description and `note`.
    fn emit_selection(&mut self, id: &Ident, id_text: &str, sel: &Selection, note: Option<&str>) {
        let received = self.table.received_serde();
        let description = self
            .table
            .schema
            .get(&sel.type_name)
            .and_then(|t| t.description.clone())
            .unwrap_or_else(|| {
                format!(
                    "{} `{}`.",
                    article(&sel.type_name).replacen('a', "A", 1),
                    sel.type_name
                )
            });
        let docs = match note {
            Some(note) => doc_attrs_with(Some(&description), note),
            None => doc_attrs(Some(&description)),
        };
        match &sel.shape {
            Shape::Fields(fields) => {
                let fs = self.fields(id_text, fields);
                self.out.extend(quote! {
                    #docs
                    #[derive(Debug, Clone, PartialEq, #received)]
                    pub struct #id {
                        #(#fs,)*
                    }
                });
            }
            Shape::ByType { variants, other } => {
                let mut vns = Namespace::with_reserved(["Other"]);
                let mut defs = Vec::new();
                let mut pairs = Vec::new();
                for (concrete, fields) in variants {
                    let v = ident(&vns.alloc(&pascal(concrete)));
                    let sid = ident(&self.ns.alloc(&format!(
                        "{id_text}{}",
                        pascal(concrete).trim_start_matches('_')
                    )));
                    let fs = self.fields(&sid.to_string(), fields);
                    let text = format!(" The fields selected on `{concrete}`.");
                    self.out.extend(quote! {
                        #[doc = #text]
                        #[derive(Debug, Clone, PartialEq, #received)]
                        pub struct #sid {
                            #(#fs,)*
                        }
                    });
                    let vdoc =
                        format!(" {} `{concrete}`.", article(concrete).replacen('a', "A", 1));
                    defs.push(quote!(#[doc = #vdoc] #v(#sid)));
                    pairs.push((v, concrete.as_str()));
                }
                let other_id = ident(&self.ns.alloc(&format!("{id_text}Other")));
                let mut fs = self.fields(&other_id.to_string(), other);
                if !other.iter().any(|f| f.key == "__typename") {
                    fs.insert(
                        0,
                        quote! {
                            /// The concrete GraphQL type.
                            #[serde(rename = "__typename")]
                            pub typename: ::std::string::String
                        },
                    );
                }
                self.out.extend(quote! {
                    /// The fields selected on any other concrete type.
                    #[derive(Debug, Clone, PartialEq, #received)]
                    pub struct #other_id {
                        #(#fs,)*
                    }

                    #docs
                    #[derive(Debug, Clone, PartialEq)]
                    pub enum #id {
                        #(#defs,)*
                        /// Any other concrete type.
                        Other(#other_id),
                    }
                });
                self.out.extend(abstract_serde(
                    id,
                    &pairs,
                    Some(&other_id),
                    self.table.serde_both_ways(),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: usize) -> Slot {
        Slot {
            value,
            object: true,
            list: false,
            optional: true,
        }
    }

    fn leaf(value: usize) -> Slot {
        Slot {
            value,
            object: false,
            list: false,
            optional: false,
        }
    }

    #[test]
    fn a_struct_within_budget_boxes_nothing() {
        let (boxed, size) = plan_boxes(&[leaf(24), object(100), leaf(8)]);
        assert_eq!(boxed, [false, false, false]);
        assert_eq!(size, 24 + 108 + 8);
    }

    #[test]
    fn the_largest_objects_are_boxed_first_until_the_struct_fits() {
        // 24 + 208 + 128 + 108 = 468 bytes: boxing the 200-byte object (208 → 16) leaves 276,
        // then the 120-byte one (128 → 16) leaves 164; the 100-byte one stays inline.
        let (boxed, size) = plan_boxes(&[leaf(24), object(200), object(120), object(100)]);
        assert_eq!(boxed, [false, true, true, false]);
        assert_eq!(size, 24 + 16 + 16 + 108);
    }

    #[test]
    fn leaves_and_lists_are_never_boxed_even_over_budget() {
        let list = Slot {
            value: 4000,
            object: false,
            list: true,
            optional: false,
        };
        let slots: Vec<Slot> = std::iter::repeat_n(leaf(24), 20).chain([list]).collect();
        let (boxed, size) = plan_boxes(&slots);
        assert!(boxed.iter().all(|b| !b));
        assert_eq!(size, 20 * 24 + 24);
    }

    #[test]
    fn equal_objects_box_in_field_order() {
        let (boxed, _) = plan_boxes(&[object(150), object(150)]);
        assert_eq!(boxed, [true, false]);
    }
}
