//! What the client and the server emitters share: the Rust name of every GraphQL type, scalar
//! mapping, enums, input objects, and where recursion needs a `Box`.
//!
//! Types and traits are written with absolute paths (`::core::option::Option`), so that an SDL
//! type named `Option` cannot shadow them. Derive lists use the short names (`Debug`, `Clone`):
//! derive macros live in the macro namespace, which no generated type can shadow.

use std::collections::{BTreeMap, HashMap, HashSet};

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::docs::{doc_attrs, doc_attrs_with};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Deprecation, Schema, TypeKind, TypeRef, Value};
use crate::names::{Namespace, RESERVED_TYPE_NAMES, ident, pascal, snake};

/// Which side the code is for; enums and inputs differ slightly between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The typed client: enums tolerate unknown values, inputs serialize.
    Client,
    /// The server: enums are closed, inputs deserialize.
    Server,
}

/// How a scalar is represented in Rust.
#[derive(Debug, Clone)]
enum ScalarRepr {
    /// A built-in scalar: the Rust type itself.
    Builtin(TokenStream),
    /// A configured or well-known mapping: `pub type Name = Target;`.
    Alias(TokenStream, bool),
    /// Unknown: a transparent newtype over `serde_json::Value`.
    Newtype,
}

/// Rust names and representations for every GraphQL type of one schema.
pub struct TypeTable<'s> {
    /// The schema.
    pub schema: &'s Schema,
    /// Client or server.
    pub side: Side,
    /// The runtime crate path (`::shopql_sdk` or `::shopql_server_stubs`).
    pub runtime: TokenStream,
    /// Every client type derives both serde traits ([`Config::serde_both_ways`]).
    serde_both_ways: bool,
    names: HashMap<String, Ident>,
    /// The module's type namespace, for emitters that add names of their own.
    pub ns: Namespace,
    scalars: HashMap<String, ScalarRepr>,
    /// Input types whose fields must be boxed: (owner, field) pairs.
    boxed_inputs: HashSet<(String, String)>,
    /// The names of the `Recursive` box and its helper trait, when some input (or, on the
    /// server, some object cycle through several types) is recursive.
    recursive: Option<(Ident, Ident)>,
    defaultable: HashMap<String, bool>,
    /// `Option`, `Vec` and `String` as field and argument types name them: by their short
    /// names, or by absolute paths where an SDL type of the same name shadows them.
    option: TokenStream,
    vec: TokenStream,
    /// Types reused from other APIs' modules ([`super::externs`]): GraphQL name → that module's
    /// path and the type's name there. They are re-exported, not emitted.
    externs: BTreeMap<String, (TokenStream, Ident)>,
}

/// Rust types that are known to implement `Default`.
const DEFAULT_TYPES: &[&str] = &[
    "i8",
    "i16",
    "i32",
    "i64",
    "u8",
    "u16",
    "u32",
    "u64",
    "f32",
    "f64",
    "bool",
    "::std::string::String",
    "String",
    "::serde_json::Value",
    "serde_json::Value",
    "::serde_json::Map<::std::string::String, ::serde_json::Value>",
    "::shopql_sdk::scalars::Decimal",
    "::shopql_server_stubs::scalars::Decimal",
];

impl<'s> TypeTable<'s> {
    /// Allocates a Rust name for every type (after `reserved`), and decides scalar mappings.
    /// Unknown custom scalars produce a warning each. `recursive_outputs` says that output types
    /// hold some fields through the `Recursive` box too (the server's long object cycles), so
    /// that it is emitted even when no input is recursive.
    pub fn new(
        schema: &'s Schema,
        config: &Config,
        side: Side,
        reserved: &[&str],
        recursive_outputs: bool,
        diags: &mut Diagnostics,
    ) -> Self {
        let runtime_path = match side {
            Side::Client => &config.client_runtime,
            Side::Server => &config.server_runtime,
        };
        let runtime: TokenStream = syn::parse_str::<syn::Path>(runtime_path)
            .map(|p| quote!(#p))
            .unwrap_or_else(|_| quote!(::shopql_sdk));
        let mut ns = Namespace::with_reserved(
            reserved
                .iter()
                .copied()
                .chain(RESERVED_TYPE_NAMES.iter().copied()),
        );
        let boxed_inputs = recursive_input_fields(schema);
        // The generated box of recursive inputs takes its name before any SDL type.
        let recursive = (recursive_outputs || !boxed_inputs.is_empty()).then(|| {
            (
                ident(&ns.alloc("Recursive")),
                ident(&ns.alloc("RecursiveValue")),
            )
        });
        let mut names = HashMap::new();
        let mut scalars = HashMap::new();
        for t in schema.all_types() {
            if let TypeKind::Scalar { builtin: true, .. } = t.kind {
                let rust = match t.name.as_str() {
                    "Int" => quote!(i32),
                    "Float" => quote!(f64),
                    "Boolean" => quote!(bool),
                    _ => quote!(::std::string::String),
                };
                scalars.insert(t.name.clone(), ScalarRepr::Builtin(rust));
                continue;
            }
            if schema.is_root_only(&t.name) {
                continue;
            }
            let rust_name = ns.alloc(&pascal(&t.name));
            names.insert(t.name.clone(), ident(&rust_name));
            if let TypeKind::Scalar { .. } = t.kind {
                let configured = config.scalars.get(&t.name).cloned().or_else(|| {
                    matches!(t.name.as_str(), "JSON" | "Json" | "JSONObject")
                        .then(|| "::serde_json::Value".to_string())
                });
                let repr = match configured {
                    Some(path) => match syn::parse_str::<syn::Type>(&path) {
                        Ok(ty) => {
                            let default = DEFAULT_TYPES.contains(&path.replace(' ', "").as_str())
                                || path.contains("Option<")
                                || path.contains("Vec<");
                            ScalarRepr::Alias(quote!(#ty), default)
                        }
                        Err(e) => {
                            diags.push(Diagnostic::error(t.location.clone(), format!("the Rust type `{path}` configured for scalar `{}` does not parse: {e}", t.name)));
                            ScalarRepr::Newtype
                        }
                    },
                    None => {
                        diags.push(
                            Diagnostic::warning(t.location.clone(), format!("custom scalar `{}` has no Rust mapping; it becomes a newtype over `serde_json::Value`", t.name))
                                .with_help(format!("map it with `.scalar(\"{}\", \"path::to::Type\")` or `--scalar {}=path::to::Type`", t.name, t.name)),
                        );
                        ScalarRepr::Newtype
                    }
                };
                scalars.insert(t.name.clone(), repr);
            }
        }
        // The prelude's names are short wherever no SDL type takes them (most schemas): less
        // code to read, parse and format. A type named `Option` makes every use absolute.
        let option = if ns.is_taken("Option") {
            quote!(::core::option::Option)
        } else {
            quote!(Option)
        };
        let vec = if ns.is_taken("Vec") {
            quote!(::std::vec::Vec)
        } else {
            quote!(Vec)
        };
        if !ns.is_taken("String") {
            for name in ["String", "ID"] {
                scalars.insert(name.to_string(), ScalarRepr::Builtin(quote!(String)));
            }
        }
        let mut table = TypeTable {
            serde_both_ways: config.serde_both_ways,
            schema,
            side,
            runtime,
            names,
            ns,
            scalars,
            boxed_inputs,
            recursive,
            defaultable: HashMap::new(),
            option,
            vec,
            externs: BTreeMap::new(),
        };
        for t in schema.types() {
            if matches!(t.kind, TypeKind::InputObject { .. }) {
                let mut visiting = HashSet::new();
                let d = table.input_defaultable(&t.name, &mut visiting);
                table.defaultable.insert(t.name.clone(), d);
            }
        }
        table
    }

    /// Whether every client type derives both serde traits ([`Config::serde_both_ways`]).
    pub fn serde_both_ways(&self) -> bool {
        self.serde_both_ways
    }

    /// The serde derives of a client type the client receives: `Deserialize` (both with
    /// [`Config::serde_both_ways`]).
    pub fn received_serde(&self) -> TokenStream {
        if self.serde_both_ways {
            quote!(::serde::Serialize, ::serde::Deserialize)
        } else {
            quote!(::serde::Deserialize)
        }
    }

    /// The serde derive of a client type the client sends: none, as its `Serialize` is written
    /// by [`TypeTable::emit_to_json`] (`Deserialize` with [`Config::serde_both_ways`]).
    pub fn sent_serde(&self) -> Option<TokenStream> {
        self.serde_both_ways.then(|| quote!(::serde::Deserialize))
    }

    /// `ToJson` (of which `body` is `to_json`'s body, such as a [`TypeTable::json_object`]) and
    /// `Serialize` for a type the client sends. Compile cost: a derived `Serialize` is generic,
    /// and compiled again for every serializer; this is one non-generic function over the
    /// SDK's shared `object`, and a one-line `serialize`.
    pub fn emit_to_json(&self, id: &TokenStream, body: TokenStream) -> TokenStream {
        let rt = &self.runtime;
        quote! {
            impl #rt::codegen_support::ToJson for #id {
                // Compiled where a value is serialized (as a derive's generic code is), not
                // in each crate that only defines or names the type.
                #[inline]
                fn to_json(&self) -> #rt::codegen_support::JsonResult {
                    #body
                }
            }

            impl ::serde::Serialize for #id {
                fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                    #rt::codegen_support::serialize(self, serializer)
                }
            }
        }
    }

    /// `to_json` of an object of `fields` ([`TypeTable::json_field`]).
    pub fn json_object(&self, fields: &[TokenStream]) -> TokenStream {
        let rt = &self.runtime;
        quote!(#rt::codegen_support::object(&[#(#fields),*]))
    }

    /// One field of a sent object, `(name, &value)`: `place` is the field (a place of the Rust
    /// type of `named` wrapped as the field's type, such as `self.id`), `optional` when that is
    /// a `Maybe` or an `Option`. A scalar mapped to a Rust type of the user's is written by its
    /// own `Serialize`.
    pub fn json_field(
        &self,
        graphql: &str,
        place: TokenStream,
        named: &str,
        optional: bool,
    ) -> TokenStream {
        let rt = &self.runtime;
        let value = if optional && self.is_alias(named) {
            quote!(&#place.as_ref().map(#rt::codegen_support::Serde))
        } else {
            self.json_ref(named, quote!(&#place))
        };
        quote!((#graphql, #value))
    }

    /// `reference` (a `&` of the Rust type of `named`, wrapped in lists) as a `&dyn ToJson`.
    pub fn json_ref(&self, named: &str, reference: TokenStream) -> TokenStream {
        let rt = &self.runtime;
        if self.is_alias(named) {
            quote!(&#rt::codegen_support::Serde(#reference))
        } else {
            reference
        }
    }

    /// True for a scalar mapped to a Rust type of the user's (or a well-known one).
    fn is_alias(&self, named: &str) -> bool {
        matches!(self.scalars.get(named), Some(ScalarRepr::Alias(..)))
    }

    /// Reuses the types of `externs` (GraphQL name → another API's module and the type's name
    /// there) instead of emitting them: [`TypeTable::emit_externs`] re-exports them under the
    /// names this table gives them.
    pub fn set_externs(&mut self, externs: BTreeMap<String, (TokenStream, Ident)>) {
        self.externs = externs;
    }

    /// True when the GraphQL type `name` is reused from another API.
    pub fn is_extern(&self, name: &str) -> bool {
        self.externs.contains_key(name)
    }

    /// `pub use` of every reused type, under its name in this module: code that names the type
    /// through this API still finds it, and it is the other API's type.
    pub fn emit_externs(&self) -> TokenStream {
        let mut out = TokenStream::new();
        for (name, (path, theirs)) in &self.externs {
            let id = self.ident(name);
            let doc =
                format!(" `{name}`, defined identically by this API and the one it is taken from.");
            let rename = (*theirs != id).then(|| quote!(as #id));
            out.extend(quote! {
                #[doc = #doc]
                pub use #path::#theirs #rename;
            });
        }
        out
    }

    /// The Rust identifier of a (non-builtin, non-root) GraphQL type.
    pub fn ident(&self, graphql: &str) -> Ident {
        self.names
            .get(graphql)
            .cloned()
            .unwrap_or_else(|| ident(&pascal(graphql)))
    }

    /// The Rust type of a scalar or enum, by name.
    pub fn leaf(&self, graphql: &str) -> TokenStream {
        match self.scalars.get(graphql) {
            Some(ScalarRepr::Builtin(t)) => t.clone(),
            _ => {
                let id = self.ident(graphql);
                quote!(#id)
            }
        }
    }

    /// Wraps `inner` (the named type's Rust type) in `Vec`/`Option` as `ty` says.
    pub fn wrap(&self, ty: &TypeRef, inner: &TokenStream) -> TokenStream {
        match ty {
            TypeRef::NonNull(t) => self.wrap_non_null(t, inner),
            other => {
                let t = self.wrap_non_null(other, inner);
                let option = &self.option;
                quote!(#option<#t>)
            }
        }
    }

    fn wrap_non_null(&self, ty: &TypeRef, inner: &TokenStream) -> TokenStream {
        match ty {
            TypeRef::Named(_) => inner.clone(),
            TypeRef::List(item) => {
                let t = self.wrap(item, inner);
                let vec = &self.vec;
                quote!(#vec<#t>)
            }
            TypeRef::NonNull(t) => self.wrap_non_null(t, inner),
        }
    }

    /// The Rust type of an argument or variable: nullable is `Option`.
    pub fn input_ref(&self, ty: &TypeRef) -> TokenStream {
        let named = ty.named();
        let inner = if self.schema.is_leaf(named) {
            self.leaf(named)
        } else {
            let id = self.ident(named);
            quote!(#id)
        };
        self.wrap(ty, &inner)
    }

    /// Custom scalars: type aliases or newtypes.
    pub fn emit_scalars(&self) -> TokenStream {
        let mut out = TokenStream::new();
        for t in self.schema.custom_scalars() {
            if self.is_extern(&t.name) {
                continue;
            }
            let id = self.ident(&t.name);
            let mut doc = t
                .description
                .clone()
                .unwrap_or_else(|| format!("The `{}` scalar.", t.name));
            if let TypeKind::Scalar {
                specified_by: Some(url),
                ..
            } = &t.kind
            {
                doc.push_str(&format!("\n\nSpecified by <{url}>."));
            }
            let docs = doc_attrs(Some(&doc));
            match self.scalars.get(&t.name) {
                Some(ScalarRepr::Alias(target, _)) => out.extend(quote! {
                    #docs
                    pub type #id = #target;
                }),
                _ => {
                    let derives = match self.side {
                        Side::Client => {
                            quote!(#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize)])
                        }
                        Side::Server => {
                            quote!(#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize)])
                        }
                    };
                    out.extend(quote! {
                        #docs
                        ///
                        /// No Rust type is configured for this scalar, so it holds any JSON value.
                        #derives
                        #[serde(transparent)]
                        pub struct #id(pub ::serde_json::Value);

                        impl ::core::convert::From<::std::string::String> for #id {
                            fn from(value: ::std::string::String) -> Self {
                                Self(::serde_json::Value::String(value))
                            }
                        }

                        impl ::core::convert::From<&str> for #id {
                            fn from(value: &str) -> Self {
                                Self(::serde_json::Value::String(value.to_string()))
                            }
                        }

                        impl #id {
                            /// The value as text, when it is a JSON string.
                            pub fn as_str(&self) -> ::core::option::Option<&str> {
                                self.0.as_str()
                            }
                        }
                    });
                    if self.side == Side::Client {
                        let rt = &self.runtime;
                        out.extend(quote! {
                            impl #rt::codegen_support::ToJson for #id {
                                #[inline]
                                fn to_json(&self) -> #rt::codegen_support::JsonResult {
                                    #rt::codegen_support::ToJson::to_json(&self.0)
                                }
                            }
                        });
                    }
                }
            }
        }
        out
    }

    /// Every enum of the schema.
    pub fn emit_enums(&self) -> TokenStream {
        let mut out = TokenStream::new();
        for t in self.schema.types() {
            let TypeKind::Enum { values } = &t.kind else {
                continue;
            };
            if self.is_extern(&t.name) {
                continue;
            }
            let id = self.ident(&t.name);
            let docs = doc_attrs(t.description.as_deref());
            let mut ns = match self.side {
                Side::Client => Namespace::with_reserved(["Other"]),
                Side::Server => Namespace::new(),
            };
            let variants: Vec<(Ident, &str, TokenStream)> = values
                .iter()
                .map(|v| {
                    let name = ident(&ns.alloc(&pascal(&v.name)));
                    let mut attrs = doc_attrs(v.description.as_deref());
                    attrs.extend(deprecation_attrs(self.side, v.deprecation.as_ref()));
                    (name, v.name.as_str(), attrs)
                })
                .collect();
            let as_str_arms = variants.iter().map(|(v, g, _)| quote!(Self::#v => #g));
            match self.side {
                Side::Client => {
                    let defs = variants.iter().map(|(v, _, attrs)| quote!(#attrs #v));
                    let from_arms = variants.iter().map(|(v, g, _)| quote!(#g => Self::#v));
                    let type_name = &t.name;
                    let rt = &self.runtime;
                    let docs = doc_attrs_with(
                        t.description.as_deref(),
                        "Values this client does not know (added to the server later) decode as `Other`.",
                    );
                    out.extend(quote! {
                        #docs
                        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
                        pub enum #id {
                            #(#defs,)*
                            /// A value this client does not know, as the server sent it.
                            Other(::std::string::String),
                        }

                        impl #id {
                            /// The GraphQL name of the value.
                            pub fn as_str(&self) -> &str {
                                match self {
                                    #(#as_str_arms,)*
                                    Self::Other(other) => other,
                                }
                            }
                        }

                        impl ::core::convert::From<&str> for #id {
                            fn from(value: &str) -> Self {
                                match value {
                                    #(#from_arms,)*
                                    other => Self::Other(other.to_string()),
                                }
                            }
                        }

                        impl ::core::fmt::Display for #id {
                            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                                f.write_str(self.as_str())
                            }
                        }

                        impl ::serde::Serialize for #id {
                            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                                serializer.serialize_str(self.as_str())
                            }
                        }

                        impl<'de> ::serde::Deserialize<'de> for #id {
                            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::core::result::Result<Self, __D::Error> {
                                // The SDK's one visitor for every enum (compile cost).
                                #rt::codegen_support::enum_value(deserializer, #type_name).map(|value| Self::from(&*value))
                            }
                        }

                        impl #rt::codegen_support::ToJson for #id {
                            #[inline]
                            fn to_json(&self) -> #rt::codegen_support::JsonResult {
                                #rt::codegen_support::string(self.as_str())
                            }
                        }
                    });
                }
                Side::Server => {
                    let defs = variants
                        .iter()
                        .map(|(v, g, attrs)| quote!(#attrs #[serde(rename = #g)] #v));
                    out.extend(quote! {
                        #docs
                        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
                        pub enum #id {
                            #(#defs,)*
                        }

                        impl #id {
                            /// The GraphQL name of the value.
                            pub fn as_str(&self) -> &'static str {
                                match self {
                                    #(#as_str_arms,)*
                                }
                            }
                        }

                        impl ::core::fmt::Display for #id {
                            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                                f.write_str(self.as_str())
                            }
                        }
                    });
                }
            }
        }
        out
    }

    /// Every input object of the schema. Nullable fields are three-state
    /// (`Maybe::Absent`/`Null`/`Value`), so "leave unchanged" and "set to null" stay distinct.
    pub fn emit_inputs(&self) -> TokenStream {
        let rt = &self.runtime;
        let mut out = self.emit_recursive();
        // Serde attributes only for the client's derive with `serde_both_ways`: the client's
        // `Serialize` is `emit_to_json`'s, the server decodes by `emit_from_input`.
        let serde_attrs = self.serde_both_ways;
        for t in self.schema.types() {
            let TypeKind::InputObject { fields, one_of } = &t.kind else {
                continue;
            };
            if self.is_extern(&t.name) {
                continue;
            }
            if *one_of {
                out.extend(self.emit_one_of(&t.name, t.description.as_deref(), fields));
                continue;
            }
            let id = self.ident(&t.name);
            let docs = doc_attrs(t.description.as_deref());
            let mut ns = Namespace::new();
            let mut field_defs = Vec::with_capacity(fields.len());
            let mut json_fields = Vec::with_capacity(fields.len());
            let mut decoded_fields = Vec::with_capacity(fields.len());
            let mut helpers = Vec::new();
            for f in fields {
                let rust = ns.alloc(&snake(&f.name));
                let fid = ident(&rust);
                let mut attrs = match &f.default {
                    Some(d) => {
                        doc_attrs_with(f.description.as_deref(), &format!("Default: `{d}`."))
                    }
                    None => doc_attrs(f.description.as_deref()),
                };
                attrs.extend(deprecation_attrs(self.side, f.deprecation.as_ref()));
                let rename = (serde_attrs && rust != f.name).then(|| {
                    let g = &f.name;
                    quote!(#[serde(rename = #g)])
                });
                let boxed = self
                    .boxed_inputs
                    .contains(&(t.name.clone(), f.name.clone()));
                let named = f.ty.named();
                let mut inner = if self.schema.is_leaf(named) {
                    self.leaf(named)
                } else {
                    let n = self.ident(named);
                    quote!(#n)
                };
                if boxed && let Some((rec, _)) = &self.recursive {
                    inner = quote!(#rec<#inner>);
                }
                let nullable = !f.ty.is_non_null();
                json_fields.push(self.json_field(&f.name, quote!(self.#fid), named, nullable));
                decoded_fields.push(self.decoded_field(&fid, f, boxed, &mut helpers));
                field_defs.push(match &f.ty {
                    TypeRef::NonNull(inner_ty) => {
                        let ty = self.wrap_non_null(inner_ty, &inner);
                        quote!(#attrs #rename pub #fid: #ty)
                    }
                    nullable => {
                        let ty = self.wrap_non_null(nullable, &inner);
                        let serde = serde_attrs.then(|| quote!(#[serde(default)]));
                        quote!(#attrs #rename #serde pub #fid: #rt::Maybe<#ty>)
                    }
                });
            }
            let default = self
                .defaultable
                .get(&t.name)
                .copied()
                .unwrap_or(false)
                .then(|| quote!(Default));
            let derives = [quote!(Debug), quote!(Clone), quote!(PartialEq)]
                .into_iter()
                .chain(default)
                .chain(self.sent_serde());
            let derives = quote!(#[derive(#(#derives),*)]);
            out.extend(quote! {
                #docs
                #derives
                pub struct #id {
                    #(#field_defs,)*
                }
            });
            match self.side {
                Side::Client => {
                    let body = self.json_object(&json_fields);
                    out.extend(self.emit_to_json(&quote!(#id), body));
                }
                Side::Server => {
                    let body = quote! {
                        #(#helpers)*
                        let mut fields = #rt::decode::Fields::of(value)?;
                        ::core::result::Result::Ok(Self { #(#decoded_fields,)* })
                    };
                    out.extend(self.emit_from_input(&id, body));
                }
            }
        }
        out
    }

    /// `FromInput` of a server input type, of which `body` decodes `value`.
    fn emit_from_input(&self, id: &Ident, body: TokenStream) -> TokenStream {
        let rt = &self.runtime;
        quote! {
            impl #rt::decode::FromInput for #id {
                fn from_input(value: #rt::async_graphql::Value) -> #rt::decode::Decoded<Self> {
                    #body
                }
            }
        }
    }

    /// `field: <decoded>` in a server input's `from_input`, `fields` being its `decode::Fields`
    /// (the functions it needs are added to `helpers`).
    fn decoded_field(
        &self,
        fid: &Ident,
        f: &crate::model::InputValue,
        boxed: bool,
        helpers: &mut Vec<TokenStream>,
    ) -> TokenStream {
        let g = &f.name;
        let decode = self.decoder_non_null(&f.ty, boxed, helpers);
        match (&f.default, f.ty.is_non_null()) {
            (None, true) => quote!(#fid: fields.required(#g, #decode)?),
            (None, false) => quote!(#fid: fields.maybe(#g, #decode)?),
            (Some(d), non_null) => {
                let d = self.default_fn(d, helpers);
                let take = if non_null {
                    quote!(required_or)
                } else {
                    quote!(maybe_or)
                };
                quote!(#fid: fields.#take(#g, #d, #decode)?)
            }
        }
    }

    /// A server decoder of the Rust type of `ty` (a `decode::Decoder`): the path of a function,
    /// with the functions it needs added to `helpers` for the caller to write before its code.
    /// `boxed`: the named type is held in the recursive box.
    ///
    /// Named functions, never closures: a closure made a function pointer goes through one
    /// shared shim (`FnOnce::call_once`), and a chain of input objects, each decoding the next,
    /// would nest that one instance past rustc's recursion limit. Each named function is an
    /// instance of its own.
    fn decoder(&self, ty: &TypeRef, boxed: bool, helpers: &mut Vec<TokenStream>) -> TokenStream {
        let rt = &self.runtime;
        match ty {
            TypeRef::NonNull(inner) => self.decoder_non_null(inner, boxed, helpers),
            nullable => {
                let inner = self.decoder_non_null(nullable, boxed, helpers);
                let ty = self.wrap(nullable, &self.decoded_named(nullable.named(), boxed));
                helper(rt, helpers, ty, quote!(#rt::decode::nullable(v, #inner)))
            }
        }
    }

    /// The decoder of `ty` (as `TypeTable::decoder` gives it) without its outermost nullability.
    pub fn decoder_non_null(
        &self,
        ty: &TypeRef,
        boxed: bool,
        helpers: &mut Vec<TokenStream>,
    ) -> TokenStream {
        let rt = &self.runtime;
        match ty {
            TypeRef::NonNull(inner) => self.decoder_non_null(inner, boxed, helpers),
            TypeRef::List(item) => {
                let item = self.decoder(item, boxed, helpers);
                let ty = self.wrap_non_null(ty, &self.decoded_named(ty.named(), boxed));
                helper(rt, helpers, ty, quote!(#rt::decode::list(v, #item)))
            }
            TypeRef::Named(named) if self.schema.is_leaf(named) => {
                let leaf = self.leaf(named);
                quote!(#rt::decode::scalar::<#leaf>)
            }
            TypeRef::Named(named) => {
                let id = self.ident(named);
                let from_input = quote!(<#id as #rt::decode::FromInput>::from_input);
                match &self.recursive {
                    Some((rec, _)) if boxed => helper(
                        rt,
                        helpers,
                        quote!(#rec<#id>),
                        quote!(::core::result::Result::Ok(#rec::new(#from_input(v)?))),
                    ),
                    _ => from_input,
                }
            }
        }
    }

    /// The Rust type a decoder of the named type `named` gives (boxed or not).
    fn decoded_named(&self, named: &str, boxed: bool) -> TokenStream {
        if self.schema.is_leaf(named) {
            return self.leaf(named);
        }
        let id = self.ident(named);
        match &self.recursive {
            Some((rec, _)) if boxed => quote!(#rec<#id>),
            _ => quote!(#id),
        }
    }

    /// A function (added to `helpers`) that makes the default value `d`, for the decode
    /// functions that take one lazily.
    pub fn default_fn(&self, d: &Value, helpers: &mut Vec<TokenStream>) -> TokenStream {
        let rt = &self.runtime;
        let value = value_tokens(&quote!(#rt::async_graphql), d);
        let name = quote::format_ident!("default_{}", helpers.len());
        helpers.push(quote!(fn #name() -> #rt::async_graphql::Value { #value }));
        quote!(#name)
    }

    /// A `@oneOf` input: an enum with a variant per field, which serde writes and reads as the
    /// object of that one field (`{"id": "1"}`), so that no other value can be built.
    fn emit_one_of(
        &self,
        name: &str,
        description: Option<&str>,
        fields: &[crate::model::InputValue],
    ) -> TokenStream {
        let rt = &self.runtime;
        let id = self.ident(name);
        let docs = doc_attrs_with(
            description,
            "`@oneOf`: a value is exactly one of the variants.",
        );
        let mut ns = Namespace::new();
        let serde_attrs = self.serde_both_ways;
        let mut json_arms = Vec::with_capacity(fields.len());
        let mut decode_arms = Vec::with_capacity(fields.len());
        let mut helpers = Vec::new();
        let variants: Vec<TokenStream> = fields
            .iter()
            .map(|f| {
                let variant = ident(&ns.alloc(&pascal(&f.name)));
                let mut attrs = doc_attrs(f.description.as_deref());
                // A note, not `#[deprecated]`: the derives would use the variant.
                attrs.extend(deprecation_attrs(Side::Server, f.deprecation.as_ref()));
                let g = &f.name;
                let named = f.ty.named();
                let mut inner = if self.schema.is_leaf(named) {
                    self.leaf(named)
                } else {
                    let n = self.ident(named);
                    quote!(#n)
                };
                let boxed = self
                    .boxed_inputs
                    .contains(&(name.to_string(), f.name.clone()));
                if boxed && let Some((rec, _)) = &self.recursive {
                    inner = quote!(#rec<#inner>);
                }
                let decode = self.decoder_non_null(&f.ty, boxed, &mut helpers);
                decode_arms
                    .push(quote!(#g => #rt::decode::at(#g, value, #decode).map(Self::#variant)));
                let ty = self.wrap_non_null(f.ty.nullable(), &inner);
                let value = self.json_ref(named, quote!(value));
                let object = self.json_object(&[quote!((#g, #value))]);
                json_arms.push(quote!(Self::#variant(value) => #object));
                let rename = serde_attrs.then(|| quote!(#[serde(rename = #g)]));
                quote!(#attrs #rename #variant(#ty))
            })
            .collect();
        let derives = [quote!(Debug), quote!(Clone), quote!(PartialEq)]
            .into_iter()
            .chain(self.sent_serde());
        let mut out = quote! {
            #docs
            #[derive(#(#derives),*)]
            pub enum #id {
                #(#variants,)*
            }
        };
        match self.side {
            Side::Client => {
                let body = quote! {
                    match self {
                        #(#json_arms,)*
                    }
                };
                out.extend(self.emit_to_json(&quote!(#id), body));
            }
            Side::Server => {
                let body = quote! {
                    #(#helpers)*
                    let (name, value) = #rt::decode::Fields::of(value)?.one_of()?;
                    match name.as_str() {
                        #(#decode_arms,)*
                        other => ::core::result::Result::Err(#rt::decode::InputError::new(::std::format!("unknown field `{other}`"))),
                    }
                };
                out.extend(self.emit_from_input(&id, body));
            }
        }
        out
    }

    /// The box that recursive input fields (and, on the server, fields on object cycles through
    /// other types) hold their value in, when the schema has any.
    ///
    /// A `Box` would do for the size, but the compiler proves `Send`/`Sync` of a boxed type by
    /// walking into it: through a cycle of a few dozen input types (as filter inputs of large
    /// schemas form) that walk overflows its recursion limit. This box holds its value as a
    /// `dyn` trait object that is `Send + Sync` by declaration, so every proof stops at it; it
    /// can only be made from a value that is `Send + Sync` itself, so nothing is assumed.
    fn emit_recursive(&self) -> TokenStream {
        let Some((rec, val)) = &self.recursive else {
            return TokenStream::new();
        };
        let rt = &self.runtime;
        let client = self.side == Side::Client;
        // On the client, every boxed value is an input object, written as JSON through the
        // box's own vtable (see `to_json` below).
        let to_json_bound = client.then(|| quote!(+ #rt::codegen_support::ToJson));
        let bounds = quote!(::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static #to_json_bound);
        let docs = doc_attrs(Some(&format!(
            "A value of a recursive field (or of a field deep in a long chain of inputs): derefs to the value, made with [`{rec}::new`] or `.into()`.\n\nA `Box`, except that it keeps the compiler's `Send`/`Sync` proofs shallow however long the cycle or chain of types is."
        )));
        let to_json = client.then(|| {
            quote! {
                // Through the vtable, not `T::to_json`: a direct call makes the compiler walk a
                // long cycle of inputs (each `to_json` calling the next one's) as one chain of
                // generic instances, past its recursion limit.
                impl<T: 'static> #rt::codegen_support::ToJson for #rec<T> {
                    fn to_json(&self) -> #rt::codegen_support::JsonResult {
                        #val::to_json(&*self.0)
                    }
                }
            }
        });
        let to_json_decl =
            client.then(|| quote!(fn to_json(&self) -> #rt::codegen_support::JsonResult;));
        // The server decodes inputs by `FromInput`, not serde.
        let deserialize = client.then(|| {
            quote! {
                impl<'de, T: ::serde::Deserialize<'de> + #bounds> ::serde::Deserialize<'de> for #rec<T> {
                    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                        T::deserialize(deserializer).map(Self::new)
                    }
                }
            }
        });
        let to_json_def = client.then(|| {
            quote! {
                fn to_json(&self) -> #rt::codegen_support::JsonResult {
                    #rt::codegen_support::ToJson::to_json(self)
                }
            }
        });
        quote! {
            #docs
            pub struct #rec<T: 'static>(::std::boxed::Box<dyn #val<T>>);

            /// What a recursive field's box holds: any value that is `Send + Sync`.
            trait #val<T>: ::core::marker::Send + ::core::marker::Sync {
                fn get(&self) -> &T;
                fn get_mut(&mut self) -> &mut T;
                fn clone_box(&self) -> ::std::boxed::Box<dyn #val<T>>;
                fn into_inner(self: ::std::boxed::Box<Self>) -> T;
                #to_json_decl
            }

            impl<T: #bounds> #val<T> for T {
                fn get(&self) -> &T {
                    self
                }
                fn get_mut(&mut self) -> &mut T {
                    self
                }
                fn clone_box(&self) -> ::std::boxed::Box<dyn #val<T>> {
                    ::std::boxed::Box::new(::core::clone::Clone::clone(self))
                }
                fn into_inner(self: ::std::boxed::Box<Self>) -> T {
                    *self
                }
                #to_json_def
            }

            impl<T: #bounds> #rec<T> {
                /// Boxes a value.
                pub fn new(value: T) -> Self {
                    Self(::std::boxed::Box::new(value))
                }

                /// The value, unboxed.
                pub fn into_inner(self) -> T {
                    #val::into_inner(self.0)
                }
            }

            impl<T: #bounds> ::core::convert::From<T> for #rec<T> {
                fn from(value: T) -> Self {
                    Self::new(value)
                }
            }

            impl<T: 'static> ::core::ops::Deref for #rec<T> {
                type Target = T;
                fn deref(&self) -> &T {
                    #val::get(&*self.0)
                }
            }

            impl<T: 'static> ::core::ops::DerefMut for #rec<T> {
                fn deref_mut(&mut self) -> &mut T {
                    #val::get_mut(&mut *self.0)
                }
            }

            impl<T: 'static> ::core::clone::Clone for #rec<T> {
                fn clone(&self) -> Self {
                    Self(#val::clone_box(&*self.0))
                }
            }

            impl<T: ::core::fmt::Debug + 'static> ::core::fmt::Debug for #rec<T> {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    ::core::fmt::Debug::fmt(&**self, f)
                }
            }

            impl<T: ::core::cmp::PartialEq + 'static> ::core::cmp::PartialEq for #rec<T> {
                fn eq(&self, other: &Self) -> bool {
                    **self == **other
                }
            }

            impl<T: #bounds + ::core::default::Default> ::core::default::Default for #rec<T> {
                fn default() -> Self {
                    Self::new(T::default())
                }
            }

            impl<T: ::serde::Serialize + 'static> ::serde::Serialize for #rec<T> {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                    ::serde::Serialize::serialize(&**self, serializer)
                }
            }

            #deserialize

            #to_json
        }
    }

    /// The name of the `Recursive` box, when the module has one.
    pub fn recursive_box(&self) -> Option<&Ident> {
        self.recursive.as_ref().map(|(rec, _)| rec)
    }

    /// True if the input object `name` can derive `Default`.
    pub fn is_defaultable(&self, name: &str) -> bool {
        self.defaultable.get(name).copied().unwrap_or(false)
    }

    /// True if the leaf type's Rust representation implements `Default`.
    pub fn leaf_defaultable(&self, name: &str) -> bool {
        match self.scalars.get(name) {
            Some(ScalarRepr::Builtin(_) | ScalarRepr::Newtype) => true,
            Some(ScalarRepr::Alias(_, d)) => *d,
            None => false, // enums
        }
    }

    fn input_defaultable(&self, name: &str, visiting: &mut HashSet<String>) -> bool {
        if let Some(d) = self.defaultable.get(name) {
            return *d;
        }
        if !visiting.insert(name.to_string()) {
            return true; // recursion goes through Maybe or Vec, both Default
        }
        let TypeKind::InputObject { fields, one_of } = &self
            .schema
            .get(name)
            .map(|t| t.kind.clone())
            .unwrap_or(TypeKind::Union { members: vec![] })
        else {
            return false;
        };
        // A `@oneOf` enum has no neutral value.
        if *one_of {
            return false;
        }
        fields.iter().all(|f| {
            if !f.ty.is_non_null() || f.ty.is_list() {
                return true;
            }
            let named = f.ty.named();
            if self.schema.is_leaf(named) {
                self.leaf_defaultable(named)
            } else {
                self.input_defaultable(named, visiting)
            }
        })
    }
}

/// How many input objects deep a value may hold others without a box. The compiler proves
/// `Send`/`Sync` of a type by walking into the types it holds, a few steps for each level (a
/// `Maybe`, a `Vec`, the next input); along a chain of some sixty distinct input objects it
/// reaches its recursion limit (E0275). Hand-written types do not nest that deep; a generated
/// schema's filter inputs can.
const MAX_INLINE_DEPTH: usize = 16;

/// Input fields that hold their value through the generated `Recursive` box: those that embed a
/// type of their own cycle (through non-list fields), and those that would nest input objects
/// more than [`MAX_INLINE_DEPTH`] deep.
fn recursive_input_fields(schema: &Schema) -> HashSet<(String, String)> {
    let mut boxed = cyclic_input_fields(schema);
    // Every field that holds an input object, in a list or not, in schema order.
    let mut edges: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for t in schema.types() {
        if let TypeKind::InputObject { fields, .. } = &t.kind {
            let out = fields
                .iter()
                .filter(|f| {
                    matches!(
                        schema.get(f.ty.named()).map(|d| &d.kind),
                        Some(TypeKind::InputObject { .. })
                    )
                })
                .map(|f| (f.ty.named(), f.name.as_str()))
                .collect();
            edges.insert(&t.name, out);
        }
    }
    let mut depths = HashMap::new();
    let mut on_path = HashSet::new();
    for name in edges.keys() {
        inline_depth(name, &edges, &mut boxed, &mut depths, &mut on_path);
    }
    boxed
}

/// How many input objects deep `name` holds others without a box, boxing the fields that would
/// make it more than [`MAX_INLINE_DEPTH`]. A field back to a type on the current path closes a
/// cycle through a list (the compiler sees the cycle and stops) and counts nothing.
fn inline_depth<'s>(
    name: &'s str,
    edges: &BTreeMap<&'s str, Vec<(&'s str, &'s str)>>,
    boxed: &mut HashSet<(String, String)>,
    depths: &mut HashMap<&'s str, usize>,
    on_path: &mut HashSet<&'s str>,
) -> usize {
    if let Some(d) = depths.get(name) {
        return *d;
    }
    on_path.insert(name);
    let mut depth = 1;
    for (target, field) in edges.get(name).into_iter().flatten() {
        let key = (name.to_string(), field.to_string());
        if boxed.contains(&key) || on_path.contains(target) {
            continue;
        }
        let below = inline_depth(target, edges, boxed, depths, on_path);
        if below + 1 > MAX_INLINE_DEPTH {
            boxed.insert(key);
        } else {
            depth = depth.max(below + 1);
        }
    }
    on_path.remove(name);
    depths.insert(name, depth);
    depth
}

/// Input fields that embed a type of their own cycle (through non-list fields).
fn cyclic_input_fields(schema: &Schema) -> HashSet<(String, String)> {
    let mut edges: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for t in schema.types() {
        if let TypeKind::InputObject { fields, .. } = &t.kind {
            let out = fields
                .iter()
                .filter(|f| {
                    !f.ty.is_list()
                        && matches!(
                            schema.get(f.ty.named()).map(|d| &d.kind),
                            Some(TypeKind::InputObject { .. })
                        )
                })
                .map(|f| (f.ty.named().to_string(), f.name.clone()))
                .collect();
            edges.insert(t.name.clone(), out);
        }
    }
    let comp = strongly_connected(
        &edges
            .iter()
            .map(|(k, v)| (k.clone(), v.iter().map(|(t, _)| t.clone()).collect()))
            .collect(),
    );
    let mut boxed = HashSet::new();
    for (owner, outs) in &edges {
        for (target, field) in outs {
            if comp.get(owner) == comp.get(target) {
                boxed.insert((owner.clone(), field.clone()));
            }
        }
    }
    boxed
}

/// How a deprecation shows on `side`: the client gets `#[deprecated]`, so that callers hear of it;
/// the server gets a doc paragraph, because a backend must go on serving a deprecated field and
/// should not need `#[allow(deprecated)]` to fill it in.
pub fn deprecation_attrs(side: Side, d: Option<&Deprecation>) -> TokenStream {
    match (side, d) {
        (Side::Client, d) => deprecated_attr(d),
        (Side::Server, Some(d)) => {
            let note = format!(" **Deprecated** in the schema: {}", d.reason_or_default());
            quote!(#[doc = ""] #[doc = #note])
        }
        (Side::Server, None) => TokenStream::new(),
    }
}

/// `#[deprecated(note = "…")]` for a deprecation.
pub fn deprecated_attr(d: Option<&Deprecation>) -> TokenStream {
    match d {
        Some(d) => {
            let note = d.reason_or_default();
            quote!(#[deprecated(note = #note)])
        }
        None => TokenStream::new(),
    }
}

/// Tarjan's strongly connected components: node → component number. Nodes on a cycle (or with a
/// self-loop) share a component with the nodes of that cycle.
pub fn strongly_connected(graph: &BTreeMap<String, Vec<String>>) -> HashMap<String, usize> {
    struct State<'g> {
        graph: &'g BTreeMap<String, Vec<String>>,
        index: usize,
        indices: HashMap<&'g str, usize>,
        low: HashMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: HashSet<&'g str>,
        comp: HashMap<String, usize>,
        next_comp: usize,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        s.indices.insert(v, s.index);
        s.low.insert(v, s.index);
        s.index += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(outs) = s.graph.get(v) {
            for w in outs {
                let w = w.as_str();
                if !s.indices.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(lw));
                } else if s.on_stack.contains(w) {
                    let iw = s.indices[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(iw));
                }
            }
        }
        if s.low[v] == s.indices[v] {
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                s.comp.insert(w.to_string(), s.next_comp);
                if w == v {
                    break;
                }
            }
            s.next_comp += 1;
        }
    }
    let mut s = State {
        graph,
        index: 0,
        indices: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: HashSet::new(),
        comp: HashMap::new(),
        next_comp: 0,
    };
    for v in graph.keys() {
        if !s.indices.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.comp
}

/// Adds to `helpers` a decoder function of the Rust type `ty` whose body (`body`) decodes `v`,
/// and returns its name.
fn helper(
    rt: &TokenStream,
    helpers: &mut Vec<TokenStream>,
    ty: TokenStream,
    body: TokenStream,
) -> TokenStream {
    let name = quote::format_ident!("decode_{}", helpers.len());
    helpers.push(quote! {
        fn #name(v: #rt::async_graphql::Value) -> #rt::decode::Decoded<#ty> {
            #body
        }
    });
    quote!(#name)
}

/// A GraphQL value as an `async_graphql::Value` expression, `async_graphql` being the path of
/// that crate where the expression is placed.
fn value_tokens(async_graphql: &TokenStream, v: &Value) -> TokenStream {
    match v {
        Value::Null | Value::Variable(_) => quote!(#async_graphql::Value::Null),
        Value::Int(i) => quote!(#async_graphql::Value::from(#i)),
        Value::Float(f) => quote!(#async_graphql::Value::from(#f)),
        Value::String(s) => quote!(#async_graphql::Value::from(#s)),
        Value::Boolean(b) => quote!(#async_graphql::Value::from(#b)),
        Value::Enum(e) => {
            quote!(#async_graphql::Value::Enum(#async_graphql::Name::new(#e)))
        }
        Value::List(items) => {
            let items = items.iter().map(|v| value_tokens(async_graphql, v));
            quote!(#async_graphql::Value::List(::std::vec![#(#items),*]))
        }
        Value::Object(fields) => {
            let pairs = fields.iter().map(|(k, v)| {
                let v = value_tokens(async_graphql, v);
                quote!((#async_graphql::Name::new(#k), #v))
            });
            quote!(#async_graphql::Value::Object([#(#pairs),*].into_iter().collect()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_find_cycles_and_self_loops() {
        let g: BTreeMap<String, Vec<String>> = [
            ("A", vec!["B"]),
            ("B", vec!["A", "C"]),
            ("C", vec![]),
            ("D", vec!["D"]),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
        .collect();
        let c = strongly_connected(&g);
        assert_eq!(c["A"], c["B"]);
        assert_ne!(c["A"], c["C"]);
        assert_ne!(c["C"], c["D"]);
    }
}
