//! The server side: Rust types for every object, interface, union, enum and input; one
//! `#[async_trait]` resolver trait per API; and an adapter that embeds the checked schema as SDL
//! and binds each of its fields to a struct field or a trait method. At start-up the runtime
//! (`shopql_server_stubs::registry`) builds an async-graphql `dynamic` schema from the two.
//!
//! The trait mentions only generated types and the runtime's `FieldContext`/`ApiResult`, never
//! an async-graphql type, so the engine can change without breaking implementations. The
//! `dynamic` schema was chosen over derive macros for compile time: the generated code is plain
//! function calls, which scale to schemas with thousands of types. Types, arguments, defaults,
//! descriptions and deprecations come from the SDL rather than from generated registration
//! calls: those restated the SDL and were a third of the generator's output. The adapter takes the
//! resolvers as `Arc<dyn Trait>`, so it is compiled once in the crate that includes it, not once
//! per implementation. Request throughput of the two engines for the same trivial schema
//! (`server-stubs/benches/throughput.rs`, in-process, fastest of 40 interleaved rounds): a
//! one-field query 11.4 µs through the stubs vs 10.9 µs hand-written with derive macros (+4 %),
//! a mutation 8.0 µs vs 7.6 µs (+6 %).
//!
//! async-graphql's `dynamic` engine leaves `path` out of resolver errors and cannot resolve `null`
//! items of lists of objects, interfaces, unions or enums (async-graphql/async-graphql#1577); the
//! adapter reports errors with their path through the glue and gives `null` items a stand-in
//! (`null_item`) that the runtime's `execute` turns back into `null`.

use std::collections::{BTreeMap, HashMap, HashSet};

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::docs::doc_attrs;
use super::externs::Externs;
use super::types::{Side, TypeTable, deprecation_attrs, strongly_connected};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::model::{Field, InputValue, OperationKind, Schema, Subscriptions, TypeKind, TypeRef};
use crate::names::{Namespace, ident, pascal, snake};

/// One resolver method of the trait, for the skeleton.
pub struct MethodSig {
    /// `Type.field`.
    pub coordinate: String,
    /// The method's signature (`async fn name(&self, …) -> ApiResult<T>`), without a body.
    pub signature: TokenStream,
}

/// The emitted items and what the skeleton needs.
pub struct ServerOutput {
    /// The module's items.
    pub tokens: TokenStream,
    /// The trait's name.
    pub trait_name: Ident,
    /// The trait's methods.
    pub methods: Vec<MethodSig>,
    /// The trait's accessors of other APIs' resolvers, one per API whose types it reuses with
    /// fields to resolve.
    pub delegates: Vec<Delegate>,
}

/// A trait method that returns another API's resolvers: they resolve the fields (with arguments,
/// or lazy) of the types reused from that API, so one implementation serves both APIs.
pub struct Delegate {
    /// The accessor's name (`shop_resolvers`).
    pub accessor: Ident,
    /// The other API's module name (`shop`).
    pub module: Ident,
    /// The other API's trait (`ShopResolvers`).
    pub trait_name: Ident,
    /// The other API's module, from this API's module (`super::shop`).
    pub path: TokenStream,
}

/// The names the server module reserves before any type takes one.
fn reserved_names(schema: &Schema) -> [String; 8] {
    [
        format!("{}Resolvers", pascal(&schema.name)),
        "schema".into(),
        "schema_builder".into(),
        "router".into(),
        "adapter".into(),
        "sdl".into(),
        "Unimplemented".into(),
        "UnimplementedMarker".into(),
    ]
}

/// The type table of a schema's server module, and how its object fields hold cycles.
fn server_table<'s>(
    schema: &'s Schema,
    config: &Config,
    diags: &mut Diagnostics,
) -> (TypeTable<'s>, HashMap<(String, String), Indirection>) {
    let boxed = boxed_fields(schema, config);
    let reserved = reserved_names(schema);
    let reserved: Vec<&str> = reserved.iter().map(String::as_str).collect();
    let table = TypeTable::new(
        schema,
        config,
        Side::Server,
        &reserved,
        boxed.values().any(|b| *b == Indirection::Recursive),
        diags,
    );
    (table, boxed)
}

/// Emits the server module's items for one schema; the types of `externs` are reused from other
/// APIs' modules.
pub fn emit(
    schema: &Schema,
    config: &Config,
    externs: &Externs<'_>,
    diags: &mut Diagnostics,
) -> ServerOutput {
    let trait_text = format!("{}Resolvers", pascal(&schema.name));
    let (mut table, boxed) = server_table(schema, config, diags);
    if !externs.types.is_empty() {
        // The other API's names, as its own module allocates them.
        let mut scratch = Diagnostics::new();
        let origins: Vec<TypeTable<'_>> = externs
            .origins
            .iter()
            .map(|o| server_table(o.schema, config, &mut scratch).0)
            .collect();
        let paths = externs
            .types
            .iter()
            .map(|(name, &o)| {
                let path = externs.origins[o].path.clone();
                (name.clone(), (path, origins[o].ident(name)))
            })
            .collect();
        table.set_externs(paths);
    }
    let trait_name = ident(&trait_text);
    let rt = table.runtime.clone();
    if schema.subscription_type.is_some() {
        diags.push(Diagnostic::warning(
            Location::new(&schema.file, 1, 1),
            "subscriptions are not generated for the server; the subscription type is left out",
        ));
    }

    engine_refusals(schema, diags);

    let reused = table.emit_externs();
    let scalars = table.emit_scalars();
    let enums = table.emit_enums();
    let inputs = table.emit_inputs();
    let recursive_values = if boxed.values().any(|b| *b == Indirection::Recursive) {
        recursive_field_values(&table)
    } else {
        TokenStream::new()
    };
    let objects = emit_objects(&table, config, &boxed);
    let (trait_items, methods, resolvers, delegates) = trait_methods(&mut table, config, externs);
    let registration = registration(
        &table,
        config,
        &resolvers,
        &methods,
        &delegates,
        &trait_name,
    );

    let trait_doc = doc_attrs(Some(&format!(
        "The resolvers of the `{}` API: one method per root query and mutation field, and one per object field that takes arguments or is resolved lazily.\n\nImplement it and serve it with [`router`]; async-graphql parses, validates and executes requests, and calls these methods with typed arguments.",
        schema.name
    )));
    // The big parts are moved in, not interpolated: `quote!` would copy each of them.
    let mut tokens = TokenStream::new();
    tokens.extend([reused, scalars, enums, inputs, recursive_values, objects]);
    tokens.extend(quote! {
        #trait_doc
        // Root fields named `new`, `fromX` or `intoY` are methods, not constructors or conversions.
        #[allow(clippy::new_ret_no_self, clippy::wrong_self_convention)]
        #[#rt::async_trait::async_trait]
        pub trait #trait_name: ::core::marker::Send + ::core::marker::Sync + 'static {
            #trait_items
        }
    });
    tokens.extend([registration]);
    tokens.extend(quote! {
        /// The executable schema, with the runtime's default limits.
        pub fn schema<R: #trait_name>(resolvers: R) -> ::core::result::Result<#rt::async_graphql::dynamic::Schema, #rt::async_graphql::dynamic::SchemaError> {
            #rt::limits::apply(schema_builder(resolvers), &#rt::ServerConfig::default()).finish()
        }

        /// An axum router that serves the API: POST executes, GET serves GraphiQL, with the
        /// runtime's default limits. Use `schema_builder` and the runtime's `router_with` to
        /// configure limits, authentication and paths.
        pub fn router<R: #trait_name>(resolvers: R) -> #rt::axum::Router {
            #rt::http::router(schema_builder(resolvers), #rt::ServerConfig::default())
        }
    });
    ServerOutput {
        tokens,
        trait_name,
        methods,
        delegates,
    }
}

/// How a field or variant on a cycle of types holds its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Indirection {
    /// A type that holds itself directly: `Box`, whose `Send`/`Sync` proof ends at once.
    Box,
    /// A cycle through other types, which may be hundreds of types long: the `Recursive` box,
    /// whose `Send`/`Sync` proof stops at it (a `Box` would make the compiler walk the whole
    /// cycle, and overflow its recursion limit with E0275).
    Recursive,
}

/// Fields (owner, field) and abstract variants (abstract, member) that embed their own type,
/// and how they hold it.
fn boxed_fields(schema: &Schema, config: &Config) -> HashMap<(String, String), Indirection> {
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut edges: Vec<(String, String, String)> = Vec::new();
    for t in schema.types() {
        match &t.kind {
            TypeKind::Object { fields, .. } => {
                let mut outs = Vec::new();
                for f in struct_fields(schema, config, &t.name, fields) {
                    let target = f.ty.named();
                    if !f.ty.is_list() && !schema.is_leaf(target) {
                        outs.push(target.to_string());
                        edges.push((t.name.clone(), f.name.clone(), target.to_string()));
                    }
                }
                graph.insert(t.name.clone(), outs);
            }
            TypeKind::Interface { .. } | TypeKind::Union { .. } => {
                let outs: Vec<String> = schema
                    .possible_types(&t.name)
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                for o in &outs {
                    edges.push((t.name.clone(), o.clone(), o.clone()));
                }
                graph.insert(t.name.clone(), outs);
            }
            _ => {}
        }
    }
    let comp = strongly_connected(&graph);
    edges
        .into_iter()
        .filter(|(owner, _, target)| {
            comp.contains_key(owner) && comp.get(owner) == comp.get(target)
        })
        .map(|(owner, field, target)| {
            let how = if owner == target {
                Indirection::Box
            } else {
                Indirection::Recursive
            };
            ((owner, field), how)
        })
        .collect()
}

/// `ToFieldValue` and `IntoFieldValue` for the `Recursive` box, when objects use it.
fn recursive_field_values(table: &TypeTable<'_>) -> TokenStream {
    let Some(rec) = table.recursive_box() else {
        return TokenStream::new();
    };
    let rt = &table.runtime;
    quote! {
        impl<T: #rt::glue::ToFieldValue + 'static> #rt::glue::ToFieldValue for #rec<T> {
            fn to_field_value(&self, nulls: &mut #rt::glue::NullSink) -> ::core::option::Option<#rt::async_graphql::dynamic::FieldValue<'_>> {
                #rt::glue::ToFieldValue::to_field_value(&**self, nulls)
            }
            fn null_item() -> #rt::async_graphql::dynamic::FieldValue<'static> {
                <T as #rt::glue::ToFieldValue>::null_item()
            }
        }

        impl<T: #rt::glue::IntoFieldValue + ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static> #rt::glue::IntoFieldValue for #rec<T> {
            fn into_field_value(self, nulls: &mut #rt::glue::NullSink) -> ::core::option::Option<#rt::async_graphql::dynamic::FieldValue<'static>> {
                #rt::glue::IntoFieldValue::into_field_value(self.into_inner(), nulls)
            }
            fn null_item() -> #rt::async_graphql::dynamic::FieldValue<'static> {
                <T as #rt::glue::IntoFieldValue>::null_item()
            }
        }
    }
}

/// What the spec allows but the engine (async-graphql 7.2's `dynamic` schema) refuses when the
/// server starts: a field that implements an interface's field with a narrower type (`parent:
/// TreeNode` for `parent: Parent`, `Int!` for `Int`), which the engine requires to be the same.
/// The code compiles; the warning says why the schema will not build.
fn engine_refusals(schema: &Schema, diags: &mut Diagnostics) {
    for t in schema.types() {
        let (TypeKind::Object { fields, interfaces } | TypeKind::Interface { fields, interfaces }) =
            &t.kind
        else {
            continue;
        };
        for iface in interfaces {
            for f in fields {
                let Some(expected) = schema.field(iface, &f.name) else {
                    continue;
                };
                if expected.ty != f.ty {
                    diags.push(
                        Diagnostic::warning(
                            f.location.clone(),
                            format!(
                                "`{}.{}: {}` implements `{iface}.{}: {}` with a narrower type, which GraphQL allows but the server's engine (async-graphql 7.2) refuses when the schema is built",
                                t.name, f.name, f.ty, f.name, expected.ty
                            ),
                        )
                        .with_help(format!("for the generated server, declare it as `{}`", expected.ty)),
                    );
                }
            }
        }
    }
}

/// True for the query and mutation roots, whose fields the trait resolves without a parent. The
/// subscription root is not served: where it is also a value (a field's type), it is an
/// ordinary object.
fn served_root(schema: &Schema, name: &str) -> bool {
    [&schema.query_type, &schema.mutation_type]
        .iter()
        .any(|r| r.as_deref() == Some(name))
}

/// The fields stored in an object's struct: no arguments, not lazy.
fn struct_fields<'f>(
    schema: &Schema,
    config: &Config,
    type_name: &str,
    fields: &'f [Field],
) -> Vec<&'f Field> {
    if served_root(schema, type_name) {
        return Vec::new();
    }
    fields
        .iter()
        .filter(|f| f.args.is_empty() && !config.is_lazy(type_name, &f.name))
        .collect()
}

fn rust_output(table: &TypeTable<'_>, ty: &TypeRef, boxed: Option<Indirection>) -> TokenStream {
    let named = ty.named();
    let inner = if table.schema.is_leaf(named) {
        table.leaf(named)
    } else {
        let id = table.ident(named);
        quote!(#id)
    };
    let inner = indirect(table, inner, boxed);
    table.wrap(ty, &inner)
}

/// `ty` held as `boxed` says.
fn indirect(table: &TypeTable<'_>, ty: TokenStream, boxed: Option<Indirection>) -> TokenStream {
    match (boxed, table.recursive_box()) {
        (None, _) => ty,
        (Some(Indirection::Recursive), Some(rec)) => quote!(#rec<#ty>),
        (Some(_), _) => quote!(::std::boxed::Box<#ty>),
    }
}

fn emit_objects(
    table: &TypeTable<'_>,
    config: &Config,
    boxed: &HashMap<(String, String), Indirection>,
) -> TokenStream {
    let schema = table.schema;
    let rt = &table.runtime;
    let mut out = TokenStream::new();
    let has_objects = schema.types().any(|t| {
        matches!(t.kind, TypeKind::Object { .. })
            && !schema.is_root_only(&t.name)
            && !table.is_extern(&t.name)
    });
    if has_objects {
        // The same two impls for every object struct: written once, as a macro.
        out.extend(quote! {
            /// `ToFieldValue` and `IntoFieldValue` for object structs: the engine gets them as
            /// they are, and reads their fields through the registered resolvers.
            macro_rules! object_value {
                ($ty:ty) => {
                    impl #rt::glue::ToFieldValue for $ty {
                        fn to_field_value(&self, _nulls: &mut #rt::glue::NullSink) -> ::core::option::Option<#rt::async_graphql::dynamic::FieldValue<'_>> {
                            ::core::option::Option::Some(#rt::async_graphql::dynamic::FieldValue::borrowed_any(self))
                        }
                    }

                    impl #rt::glue::IntoFieldValue for $ty {
                        fn into_field_value(self, _nulls: &mut #rt::glue::NullSink) -> ::core::option::Option<#rt::async_graphql::dynamic::FieldValue<'static>> {
                            ::core::option::Option::Some(#rt::async_graphql::dynamic::FieldValue::owned_any(self))
                        }
                    }
                };
            }
        });
    }
    let defaultable = object_defaultable(table, config);
    for t in schema.types() {
        // A reused type has its struct, and its impls, in the module it comes from.
        if schema.is_root_only(&t.name) || table.is_extern(&t.name) {
            continue;
        }
        let id = table.ident(&t.name);
        let gname = &t.name;
        if served_root(schema, &t.name) {
            // A root type that is also a value (`relay: Query!`): the trait resolves all of its
            // fields without a parent, so the value carries nothing.
            let doc = format!(
                "The root type `{gname}` as a field's value: its fields are resolved by the trait's root methods."
            );
            out.extend(quote! {
                #[doc = #doc]
                #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::cmp::PartialEq, ::core::default::Default)]
                pub struct #id;

                object_value!(#id);
            });
            continue;
        }
        match &t.kind {
            TypeKind::Object { fields, .. } => {
                let mut doc = t
                    .description
                    .clone()
                    .unwrap_or_else(|| format!("The `{}` type.", t.name));
                let resolved: Vec<String> = fields
                    .iter()
                    .filter(|f| !f.args.is_empty() || config.is_lazy(&t.name, &f.name))
                    .map(|f| format!("`{}`", f.name))
                    .collect();
                if !resolved.is_empty() {
                    doc.push_str(&format!(
                        "\n\nResolved by the trait, not stored here: {}.",
                        resolved.join(", ")
                    ));
                }
                let docs = doc_attrs(Some(&doc));
                let mut ns = Namespace::new();
                let defs = struct_fields(schema, config, &t.name, fields)
                    .into_iter()
                    .map(|f| {
                        let fid = ident(&ns.alloc(&snake(&f.name)));
                        let ty = rust_output(
                            table,
                            &f.ty,
                            boxed.get(&(t.name.clone(), f.name.clone())).copied(),
                        );
                        let mut attrs = doc_attrs(f.description.as_deref());
                        attrs.extend(deprecation_attrs(Side::Server, f.deprecation.as_ref()));
                        quote!(#attrs pub #fid: #ty)
                    });
                let default = defaultable
                    .contains(&t.name)
                    .then(|| quote!(::core::default::Default,));
                out.extend(quote! {
                    #docs
                    #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq, #default)]
                    pub struct #id {
                        #(#defs,)*
                    }

                    object_value!(#id);
                });
            }
            TypeKind::Interface { .. } | TypeKind::Union { .. } => {
                let docs = doc_attrs(Some(
                    t.description
                        .as_deref()
                        .unwrap_or(&format!("The `{gname}` {}.", t.kind.describe())),
                ));
                let mut vns = Namespace::new();
                let variants: Vec<(Ident, String, Option<Indirection>)> = schema
                    .possible_types(&t.name)
                    .into_iter()
                    .map(|p| {
                        (
                            ident(&vns.alloc(&pascal(p))),
                            p.to_string(),
                            boxed.get(&(t.name.clone(), p.to_string())).copied(),
                        )
                    })
                    .collect();
                let defs = variants.iter().map(|(v, p, b)| {
                    let ty = table.ident(p);
                    let ty = indirect(table, quote!(#ty), *b);
                    let text = format!(" A `{p}`.");
                    quote!(#[doc = #text] #v(#ty))
                });
                let borrow_arms = variants.iter().map(|(v, p, b)| {
                    let inner = if b.is_some() { quote!(&**inner) } else { quote!(inner) };
                    quote!(Self::#v(inner) => #rt::async_graphql::dynamic::FieldValue::borrowed_any(#inner).with_type(#p))
                });
                let owned_arms = variants.iter().map(|(v, p, b)| {
                    let inner = match (b, table.recursive_box()) {
                        (None, _) => quote!(inner),
                        (Some(Indirection::Recursive), Some(rec)) => quote!(#rec::into_inner(inner)),
                        (Some(_), _) => quote!(*inner),
                    };
                    quote!(Self::#v(inner) => #rt::async_graphql::dynamic::FieldValue::owned_any(#inner).with_type(#p))
                });
                let from_impls = variants.iter().map(|(v, p, b)| {
                    let ty = table.ident(p);
                    let wrap = match (b, table.recursive_box()) {
                        (None, _) => quote!(value),
                        (Some(Indirection::Recursive), Some(rec)) => quote!(#rec::new(value)),
                        (Some(_), _) => quote!(::std::boxed::Box::new(value)),
                    };
                    quote! {
                        impl ::core::convert::From<#ty> for #id {
                            fn from(value: #ty) -> Self {
                                Self::#v(#wrap)
                            }
                        }
                    }
                });
                // A `null` list item stands as a null value typed as one of the members.
                let null_item = variants.first().map(|(_, p, _)| {
                    quote! {
                        fn null_item() -> #rt::async_graphql::dynamic::FieldValue<'static> {
                            #rt::async_graphql::dynamic::FieldValue::NULL.with_type(#p)
                        }
                    }
                });
                // An interface that no object implements is an empty enum: no value to convert.
                let (borrow_body, owned_body) = if variants.is_empty() {
                    (quote!(match *self {}), quote!(match self {}))
                } else {
                    (
                        quote!(::core::option::Option::Some(match self { #(#borrow_arms,)* })),
                        quote!(::core::option::Option::Some(match self { #(#owned_arms,)* })),
                    )
                };
                out.extend(quote! {
                    #docs
                    #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq)]
                    pub enum #id {
                        #(#defs,)*
                    }

                    #(#from_impls)*

                    impl #rt::glue::ToFieldValue for #id {
                        fn to_field_value(&self, _nulls: &mut #rt::glue::NullSink) -> ::core::option::Option<#rt::async_graphql::dynamic::FieldValue<'_>> {
                            #borrow_body
                        }
                        #null_item
                    }

                    impl #rt::glue::IntoFieldValue for #id {
                        fn into_field_value(self, _nulls: &mut #rt::glue::NullSink) -> ::core::option::Option<#rt::async_graphql::dynamic::FieldValue<'static>> {
                            #owned_body
                        }
                        #null_item
                    }
                });
            }
            _ => {}
        }
    }
    out
}

/// Object types whose struct can derive `Default`.
fn object_defaultable(table: &TypeTable<'_>, config: &Config) -> HashSet<String> {
    let schema = table.schema;
    let mut yes: HashSet<String> = HashSet::new();
    // Fixed point: start optimistic for all objects, drop the ones with a field that has no default.
    for t in schema.types() {
        if matches!(t.kind, TypeKind::Object { .. }) && !schema.is_root_only(&t.name) {
            yes.insert(t.name.clone());
        }
    }
    loop {
        let mut changed = false;
        for t in schema.types() {
            let TypeKind::Object { fields, .. } = &t.kind else {
                continue;
            };
            if !yes.contains(&t.name) {
                continue;
            }
            let ok = struct_fields(schema, config, &t.name, fields)
                .iter()
                .all(|f| {
                    if !f.ty.is_non_null() || f.ty.is_list() {
                        return true;
                    }
                    let n = f.ty.named();
                    if schema.is_leaf(n) {
                        table.leaf_defaultable(n)
                    } else {
                        yes.contains(n)
                    }
                });
            if !ok {
                yes.remove(&t.name);
                changed = true;
            }
        }
        if !changed {
            return yes;
        }
    }
}

/// A field that the trait resolves: root fields, fields with arguments, lazy fields.
struct ResolverField {
    owner: String,
    field: Field,
    method: Ident,
    params: Vec<(Ident, TokenStream, InputValue)>,
    is_root: bool,
    /// For a field of a type reused from another API: that API's trait (its path from this
    /// API's module) and this trait's accessor of its resolvers, which resolve the field.
    via: Option<(TokenStream, Ident)>,
}

/// The fields a schema's trait resolves, in trait order, with their method names: root fields,
/// then the fields of other objects that take arguments or are lazy. `skip` says which object
/// types are reused from another API (that API's trait resolves their fields). Returns the
/// method namespace too, for names allocated after the fields'.
fn method_names<'s>(
    schema: &'s Schema,
    config: &Config,
    skip: &dyn Fn(&str) -> bool,
) -> (Namespace, Vec<(String, bool, &'s Field, Ident)>) {
    let mut ns = Namespace::with_reserved(["schema", "router"]);
    let mut owners: Vec<(String, bool)> = Vec::new();
    for kind in [OperationKind::Query, OperationKind::Mutation] {
        if let Some(root) = schema.root(kind) {
            owners.push((root.to_string(), true));
        }
    }
    for t in schema.types() {
        if matches!(t.kind, TypeKind::Object { .. })
            && !served_root(schema, &t.name)
            && !schema.is_root_only(&t.name)
            && !skip(&t.name)
        {
            owners.push((t.name.clone(), false));
        }
    }
    let mut out = Vec::new();
    for (owner, is_root) in owners {
        for f in schema.fields(&owner) {
            if !is_root && f.args.is_empty() && !config.is_lazy(&owner, &f.name) {
                continue;
            }
            let desired = if is_root {
                snake(&f.name)
            } else {
                // Joined without the field's leading underscores: `a__b` is not snake case.
                format!(
                    "{}_{}",
                    snake(&owner),
                    snake(&f.name).trim_start_matches('_')
                )
            };
            let method = ident(&ns.alloc(&desired));
            out.push((owner.clone(), is_root, f, method));
        }
    }
    (ns, out)
}

/// The trait's items, the signatures of its methods (for the skeleton), the fields it resolves
/// (its own, and those of reused types, through the accessors) and its accessors.
fn trait_methods(
    table: &mut TypeTable<'_>,
    config: &Config,
    externs: &Externs<'_>,
) -> (
    TokenStream,
    Vec<MethodSig>,
    Vec<ResolverField>,
    Vec<Delegate>,
) {
    let schema = table.schema;
    let rt = table.runtime.clone();
    let mut items = TokenStream::new();
    let mut sigs = Vec::new();
    let mut resolvers = Vec::new();
    let (mut ns, fields) = method_names(schema, config, &|t| externs.contains(t));
    for (owner, is_root, f, method) in fields {
        let params = params_of(table, f);
        let ret = rust_output(table, &f.ty, None);
        let param_tokens = params.iter().map(|(p, ty, _)| quote!(#p: #ty));
        let parent = (!is_root).then(|| {
            let pid = table.ident(&owner);
            quote!(parent: &#pid,)
        });
        let mut doc = f
            .description
            .clone()
            .unwrap_or_else(|| format!("Resolves `{owner}.{}`.", f.name));
        if !is_root {
            doc = format!(
                "Resolves `{owner}.{}`{}.\n\n{doc}",
                f.name,
                if config.is_lazy(&owner, &f.name) {
                    ", only when it is selected"
                } else {
                    ""
                }
            );
        }
        if !f.args.is_empty() {
            doc.push_str("\n\nArguments:");
            for a in &f.args {
                let d = a
                    .description
                    .as_deref()
                    .and_then(|d| d.lines().next())
                    .unwrap_or("");
                let default = a
                    .default
                    .as_ref()
                    .map(|v| format!(" (default `{v}`)"))
                    .unwrap_or_default();
                doc.push_str(&format!("\n- `{}`{default}: {d}", snake(&a.name)));
            }
        }
        let docs = doc_attrs(Some(&doc));
        let deprecated = deprecation_attrs(Side::Server, f.deprecation.as_ref());
        let signature = quote! {
            async fn #method(&self, ctx: &#rt::FieldContext<'_>, #parent #(#param_tokens),*) -> #rt::ApiResult<#ret>
        };
        items.extend(quote! {
            #docs
            #deprecated
            #signature;
        });
        sigs.push(MethodSig {
            coordinate: format!("{owner}.{}", f.name),
            signature,
        });
        resolvers.push(ResolverField {
            owner: owner.clone(),
            field: f.clone(),
            method,
            params,
            is_root,
            via: None,
        });
    }
    // The fields of reused types are resolved by the trait of the API that defines them, as
    // that API names its methods; this trait gives access to its resolvers.
    let mut delegates = Vec::new();
    for (i, origin) in externs.origins.iter().enumerate() {
        let (_, theirs) = method_names(origin.schema, config, &|t| origin.own_externs.contains(t));
        let theirs: Vec<_> = theirs
            .into_iter()
            .filter(|(owner, is_root, _, _)| {
                !is_root && externs.types.get(owner.as_str()) == Some(&i)
            })
            .collect();
        if theirs.is_empty() {
            continue;
        }
        let module_name = snake(&origin.schema.name);
        let accessor = ident(&ns.alloc(&format!("{module_name}_resolvers")));
        let their_trait = ident(&format!("{}Resolvers", pascal(&origin.schema.name)));
        let path = &origin.path;
        let trait_path = quote!(#path::#their_trait);
        let coordinates: Vec<String> = theirs
            .iter()
            .map(|(owner, _, f, _)| format!("`{owner}.{}`", f.name))
            .collect();
        let docs = doc_attrs(Some(&format!(
            "The resolvers of the `{}` API, which resolve the fields of the types this API reuses from it: {}.",
            origin.schema.name,
            coordinates.join(", ")
        )));
        items.extend(quote! {
            #docs
            fn #accessor(&self) -> &dyn #trait_path;
        });
        for (owner, _, f, method) in theirs {
            resolvers.push(ResolverField {
                owner,
                field: f.clone(),
                method,
                params: params_of(table, f),
                is_root: false,
                via: Some((trait_path.clone(), accessor.clone())),
            });
        }
        delegates.push(Delegate {
            accessor,
            module: ident(&module_name),
            trait_name: their_trait,
            path: path.clone(),
        });
    }
    (items, sigs, resolvers, delegates)
}

/// A resolver's parameters: one per argument, named apart from the adapter's locals.
fn params_of(table: &TypeTable<'_>, f: &Field) -> Vec<(Ident, TokenStream, InputValue)> {
    // The adapter's closures bind `resolvers`, `ctx`, `parent` and `fc` around the arguments'
    // locals, which must not shadow them.
    let mut pns = Namespace::with_reserved(["self", "ctx", "parent", "resolvers", "fc"]);
    f.args
        .iter()
        .map(|a| {
            let p = ident(&pns.alloc(&snake(&a.name)));
            (p, table.input_ref(&a.ty), a.clone())
        })
        .collect()
}

fn registration(
    table: &TypeTable<'_>,
    config: &Config,
    resolvers: &[ResolverField],
    methods: &[MethodSig],
    delegates: &[Delegate],
    trait_name: &Ident,
) -> TokenStream {
    let schema = table.schema;
    let rt = &table.runtime;
    let dynamic_path = quote!(#rt::async_graphql::dynamic);
    let mut fns: Vec<TokenStream> = Vec::new();
    let mut calls: Vec<Ident> = Vec::new();
    // `fooType` and `FooType` are one snake name: number the second binding function.
    let mut fn_names = Namespace::new();
    let by_field: HashMap<(&str, &str), &ResolverField> = resolvers
        .iter()
        .map(|r| ((r.owner.as_str(), r.field.name.as_str()), r))
        .collect();

    for t in schema.types() {
        let name = &t.name;
        let TypeKind::Object { fields, .. } = &t.kind else {
            continue;
        };
        if schema.is_root_only(name) && !served_root(schema, name) {
            continue;
        }
        let fn_name =
            ident(&fn_names.alloc(&format!("object_{}", snake(name).trim_start_matches('_'))));
        let is_root = served_root(schema, name);
        let field_idents = struct_field_idents(schema, config, name, fields);
        let mut stored_names = Vec::new();
        let mut stored_arms = Vec::new();
        let binds = fields.iter().map(|f| {
            let n = &f.name;
            if let Some(r) = by_field.get(&(name.as_str(), f.name.as_str())) {
                let method = &r.method;
                let mut helpers = Vec::new();
                let args: Vec<TokenStream> = r
                    .params
                    .iter()
                    .map(|(p, ty, a)| {
                        let g = &a.name;
                        // A nullable argument names the glue function that unwraps the null,
                        // so it needs no decoder function of its own.
                        let nullable = !a.ty.is_non_null();
                        let decode = table.decoder_non_null(&a.ty, false, &mut helpers);
                        match &a.default {
                            // async-graphql leaves a default out when the argument is an unset
                            // variable; the glue applies it then.
                            Some(d) => {
                                let d = table.default_fn(d, &mut helpers);
                                let take = if nullable {
                                    quote!(nullable_arg_or_default)
                                } else {
                                    quote!(arg_or_default)
                                };
                                quote!(let #p: #ty = glue::#take(ctx, #g, #d, #decode)?;)
                            }
                            None if nullable => {
                                quote!(let #p: #ty = glue::nullable_arg(ctx, #g, #decode)?;)
                            }
                            None => quote!(let #p: #ty = glue::arg(ctx, #g, #decode)?;),
                        }
                    })
                    .collect();
                let arg_names = r.params.iter().map(|(p, _, _)| p);
                let finish = match enum_list_placeholder(schema, &f.ty) {
                    Some(p) => quote!(|ctx, result| glue::enum_list_result(ctx, #p, result)),
                    None if schema.is_leaf(f.ty.named()) => quote!(glue::leaf_result),
                    None => quote!(glue::object_result),
                };
                let (call, receiver) = match &r.via {
                    None => (quote!(super::#trait_name::#method), quote!(resolvers)),
                    Some((their_trait, accessor)) => (
                        quote!(super::#their_trait::#method),
                        quote!(super::#trait_name::#accessor(resolvers)),
                    ),
                };
                // The field's own code is a plain function that decodes the arguments and
                // starts the trait method; `glue::resolved` awaits it, one `async` block for
                // every field.
                let (outer, parent_arg, parent_param, parent_read) = if r.is_root {
                    (
                        quote!(|resolvers, ctx|),
                        quote!(None),
                        quote!(_),
                        TokenStream::new(),
                    )
                } else {
                    let owner = table.ident(name);
                    (
                        quote!(|resolvers, parent, ctx|),
                        quote!(Some(parent)),
                        quote!(parent),
                        quote!(let parent = glue::downcast::<#owner>(parent)?;),
                    )
                };
                let parent_pass = if r.is_root {
                    TokenStream::new()
                } else {
                    quote!(parent,)
                };
                quote! {
                    .resolve(#n, #outer glue::resolved(
                        resolvers,
                        ctx,
                        #parent_arg,
                        |resolvers, #parent_param, fc, ctx| {
                            #(#helpers)*
                            #parent_read
                            #(#args)*
                            glue::finishing(
                                ctx,
                                #call(#receiver, fc, #parent_pass #(#arg_names),*),
                                #finish,
                            )
                        },
                    ))
                }
            } else {
                if let Some(field_ident) = field_idents.get(f.name.as_str()) {
                    let index = proc_macro2::Literal::usize_unsuffixed(stored_names.len());
                    stored_names.push(n.clone());
                    let read = if let Some(placeholder) = enum_list_placeholder(schema, &f.ty) {
                        quote!(EnumList(&p.#field_ident, #placeholder))
                    } else if schema.is_leaf(f.ty.named()) {
                        quote!(Leaf(&p.#field_ident))
                    } else {
                        quote!(Object(&p.#field_ident))
                    };
                    stored_arms.push(quote!(#index => glue::Stored::#read,));
                }
                TokenStream::new()
            }
        });
        let binds: Vec<TokenStream> = binds.collect();
        // The stored fields are read by one function of the type, by index: no closure (and no
        // generic instance) per field.
        let (stored_fn, stored) = if stored_arms.is_empty() {
            (TokenStream::new(), TokenStream::new())
        } else {
            let rust = table.ident(name);
            (
                quote! {
                    fn stored(p: &#rust, field: usize) -> glue::Stored<'_> {
                        match field {
                            #(#stored_arms)*
                            _ => glue::Stored::Absent,
                        }
                    }
                },
                quote!(.stored(&[#(#stored_names),*], stored)),
            )
        };
        let target = if is_root {
            quote!(root(#name))
        } else {
            let rust = table.ident(name);
            quote!(object::<#rust>(#name))
        };
        fns.push(quote! {
            #[allow(clippy::too_many_lines)]
            fn #fn_name(b: &mut registry::Bindings<dyn super::#trait_name>) {
                #stored_fn
                b.#target #stored #(#binds)*;
            }
        });
        calls.push(fn_name);
    }
    let unimplemented = methods.iter().map(|m| {
        let sig = &m.signature;
        let coordinate = &m.coordinate;
        quote! {
            #sig {
                ::core::result::Result::Err(#rt::ApiError::not_implemented(#coordinate))
            }
        }
    });
    let accessors = delegates.iter().map(|d| {
        let accessor = &d.accessor;
        let origin = &d.path;
        let their_trait = &d.trait_name;
        quote! {
            fn #accessor(&self) -> &dyn super::#origin::#their_trait {
                &super::#origin::adapter::Unimplemented
            }
        }
    });
    let sdl = super::raw_string(&schema.to_sdl(Subscriptions::Omit));
    quote! {
        /// The async-graphql glue: the schema's SDL, and how each of its fields is resolved.
        /// Generated; nothing here is part of the trait's contract.
        pub mod adapter {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use #rt::{async_graphql::{self, dynamic}, glue, registry};

            /// The schema as shopql-codegen checked it (extensions merged, subscriptions left
            /// out): the server's types, arguments, defaults, descriptions and deprecations are
            /// built from it at start-up.
            pub const SDL: &str = #sdl;

            #(#fns)*

            /// How every field of [`SDL`] is resolved: stored fields read the object structs,
            /// the others call `resolvers`.
            pub fn bindings(resolvers: ::std::sync::Arc<dyn super::#trait_name>) -> registry::Bindings<dyn super::#trait_name> {
                let mut b = registry::Bindings::new(resolvers);
                #(#calls(&mut b);)*
                b
            }

            /// The schema builder, with resolvers behind a trait object (the adapter is compiled
            /// once, not once per implementation); the caller applies limits and finishes it.
            pub fn schema_builder(resolvers: ::std::sync::Arc<dyn super::#trait_name>) -> dynamic::SchemaBuilder {
                registry::schema_builder(SDL, bindings(resolvers))
            }

            /// An implementation whose every method fails with `NOT_IMPLEMENTED`: the schema
            /// without behaviour, for introspecting it or as a stand-in.
            #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::default::Default)]
            pub struct Unimplemented;

            /// The types that implement the resolvers with [`Unimplemented`]'s methods.
            #[doc(hidden)]
            pub trait UnimplementedMarker: ::core::marker::Send + ::core::marker::Sync + 'static {}

            impl UnimplementedMarker for Unimplemented {}

            // Generic, so that its methods (each an `async` block) are compiled only in a crate
            // that uses `Unimplemented`: on a large schema they were a twentieth of the code.
            #[allow(unused_variables)]
            #[#rt::async_trait::async_trait]
            impl<__U: UnimplementedMarker> super::#trait_name for __U {
                #(#unimplemented)*
                #(#accessors)*
            }
        }

        /// Registers every type of the schema; apply limits and call `finish()`.
        pub fn schema_builder<R: #trait_name>(resolvers: R) -> #dynamic_path::SchemaBuilder {
            adapter::schema_builder(::std::sync::Arc::new(resolvers))
        }

        /// The schema as async-graphql prints it (SDL, with `@specifiedBy`), built without
        /// resolvers; equivalent to the source schema.
        pub fn sdl() -> ::core::result::Result<::std::string::String, #dynamic_path::SchemaError> {
            let schema = #rt::registry::schema_builder(adapter::SDL, #rt::registry::Bindings::unbound()).finish()?;
            ::core::result::Result::Ok(schema.sdl_with_options(
                #rt::async_graphql::SDLExportOptions::new().include_specified_by(),
            ))
        }
    }
}

/// For a list of an enum, one of the enum's values: it stands for `null` items, which
/// async-graphql's engine cannot resolve, until the runtime nulls them in the response.
fn enum_list_placeholder(schema: &Schema, ty: &TypeRef) -> Option<String> {
    if !ty.is_list() {
        return None;
    }
    match &schema.get(ty.named())?.kind {
        TypeKind::Enum { values } => values.first().map(|v| v.name.clone()),
        _ => None,
    }
}

/// The Rust names of an object's struct fields, allocated as in the struct definition.
fn struct_field_idents<'f>(
    schema: &Schema,
    config: &Config,
    owner: &str,
    fields: &'f [Field],
) -> HashMap<&'f str, Ident> {
    let mut ns = Namespace::new();
    struct_fields(schema, config, owner, fields)
        .into_iter()
        .map(|f| (f.name.as_str(), ident(&ns.alloc(&snake(&f.name)))))
        .collect()
}
