//! A generated API's `dynamic` schema, built at start-up from the SDL the generator embeds and
//! the resolvers it binds.
//!
//! The generator prints the checked schema (extensions merged, subscriptions left out) as SDL,
//! and emits only what needs Rust types: for each field, how it is resolved ([`Bindings`]). Types,
//! arguments, defaults, descriptions and deprecations come from the SDL. Before, the adapter
//! registered every type through builder calls; that was a third of the generated server code
//! and of the generator's time, and it restated what the SDL says.

use std::any::Any;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, EnumItem, Field, FieldFuture, InputObject, InputValue, Interface, InterfaceField, Object,
    ResolverContext, Scalar, Schema, SchemaBuilder, TypeRef, Union,
};
use async_graphql::parser::types::{
    BaseType, ConstDirective, FieldDefinition, InputValueDefinition, Type, TypeDefinition,
    TypeKind, TypeSystemDefinition,
};
use async_graphql::{Positioned, Value};

use crate::ApiError;
pub use crate::glue::Resolver;
use crate::glue::{self, Stored};

/// A field resolved by a trait method of a root type.
pub type RootFn<R> = for<'a> fn(Arc<R>, ResolverContext<'a>) -> FieldFuture<'a>;

/// A field of an object type resolved by a trait method, which gets the parent object.
pub type ObjectFn<R, P> = for<'a> fn(Arc<R>, &'a P, ResolverContext<'a>) -> FieldFuture<'a>;

/// How every field of an API is resolved, by type and field name: the generated adapter fills
/// it, [`schema_builder`] matches it against the SDL.
pub struct Bindings<R: ?Sized> {
    resolvers: Arc<R>,
    types: HashMap<&'static str, HashMap<&'static str, Resolver>>,
}

impl<R: ?Sized + Send + Sync + 'static> Bindings<R> {
    /// Bindings whose trait-resolved fields call `resolvers`.
    pub fn new(resolvers: Arc<R>) -> Self {
        Self {
            resolvers,
            types: HashMap::new(),
        }
    }

    /// Binds the fields of root type `type_name` (`Query`, `Mutation`).
    pub fn root(&mut self, type_name: &'static str) -> RootFields<'_, R> {
        RootFields {
            bindings: self,
            type_name,
        }
    }

    /// Binds the fields of object type `type_name`, whose values are `P`s.
    pub fn object<P: Any + Send + Sync>(
        &mut self,
        type_name: &'static str,
    ) -> ObjectFields<'_, R, P> {
        ObjectFields {
            bindings: self,
            type_name,
            parent: PhantomData,
        }
    }

    fn bind(&mut self, type_name: &'static str, field: &'static str, resolver: Resolver) {
        self.types
            .entry(type_name)
            .or_default()
            .insert(field, resolver);
    }

    fn take(&mut self, type_name: &str, field: &str) -> Option<Resolver> {
        self.types.get_mut(type_name)?.remove(field)
    }
}

impl Bindings<()> {
    /// Bindings of no field: the schema's types without behaviour (every field fails with
    /// `INTERNAL`), for printing its SDL without an implementation.
    pub fn unbound() -> Self {
        Self::new(Arc::new(()))
    }
}

/// The fields of a root type; see [`Bindings::root`].
pub struct RootFields<'b, R: ?Sized> {
    bindings: &'b mut Bindings<R>,
    type_name: &'static str,
}

impl<R: ?Sized + Send + Sync + 'static> RootFields<'_, R> {
    /// Field `field` is resolved by `resolve`, given the resolvers.
    pub fn resolve(self, field: &'static str, resolve: RootFn<R>) -> Self {
        let resolvers = Arc::clone(&self.bindings.resolvers);
        let resolver: Resolver = Box::new(move |ctx| resolve(Arc::clone(&resolvers), ctx));
        self.bindings.bind(self.type_name, field, resolver);
        self
    }
}

/// The fields of an object type whose values are `P`s; see [`Bindings::object`].
pub struct ObjectFields<'b, R: ?Sized, P> {
    bindings: &'b mut Bindings<R>,
    type_name: &'static str,
    parent: PhantomData<fn() -> P>,
}

impl<R: ?Sized + Send + Sync + 'static, P: Any + Send + Sync> ObjectFields<'_, R, P> {
    /// The fields stored in `P`, named in the order in which `read` reads them (`read(p, i)` is
    /// field `fields[i]` of `p`).
    pub fn stored(self, fields: &[&'static str], read: fn(&P, usize) -> Stored<'_>) -> Self {
        for (index, field) in fields.iter().enumerate() {
            let resolver = glue::stored_resolver(read, index);
            self.bindings.bind(self.type_name, field, resolver);
        }
        self
    }

    /// Field `field` is resolved by `resolve`, given the resolvers and the parent object. The
    /// stand-in of a `null` list item has no parent: the field is then `null` and `resolve` does
    /// not run.
    pub fn resolve(self, field: &'static str, resolve: ObjectFn<R, P>) -> Self {
        let resolvers = Arc::clone(&self.bindings.resolvers);
        let resolver: Resolver = Box::new(move |ctx| match glue::parent::<P>(&ctx) {
            Ok(Some(parent)) => resolve(Arc::clone(&resolvers), parent, ctx),
            Ok(None) => FieldFuture::Value(None),
            Err(e) => glue::error(e),
        });
        self.bindings.bind(self.type_name, field, resolver);
        self
    }
}

/// The schema builder for `sdl` with the resolvers of `bindings`; the caller applies limits and
/// calls `finish()`.
///
/// A field of `sdl` that `bindings` leaves out fails with `INTERNAL` when queried (see
/// [`unbound_fields`]). An `sdl` that does not parse gives a builder whose `finish()` fails,
/// naming the parse error: both are bugs of the generator, which printed the SDL.
pub fn schema_builder<R: ?Sized + Send + Sync + 'static>(
    sdl: &str,
    mut bindings: Bindings<R>,
) -> SchemaBuilder {
    let document = match async_graphql::parser::parse_schema(sdl) {
        Ok(d) => d,
        // `finish()` fails with "Type "…" not found", naming the root type it looked for.
        Err(e) => {
            return Schema::build(
                &format!(
                    "the generated SDL does not parse ({e}); this is a bug of shopql-codegen, please report it"
                ),
                None,
                None,
            );
        }
    };
    let mut query = "Query".to_string();
    let mut mutation = None;
    let mut types = Vec::new();
    for definition in document.definitions {
        match definition {
            TypeSystemDefinition::Schema(s) => {
                if let Some(q) = s.node.query {
                    query = q.node.to_string();
                }
                mutation = s.node.mutation.map(|m| m.node.to_string());
            }
            TypeSystemDefinition::Type(t) => types.push(t.node),
            TypeSystemDefinition::Directive(_) => {}
        }
    }
    let mut builder = Schema::build(&query, mutation.as_deref(), None);
    for t in types {
        builder = register(builder, t, &mut bindings);
    }
    builder
}

/// The fields of `sdl`'s object types that `bindings` leaves out, as `Type.field`; empty when the
/// SDL does not parse (see [`schema_builder`]).
pub fn unbound_fields<R: ?Sized>(sdl: &str, bindings: &Bindings<R>) -> Vec<String> {
    let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(t) = definition else {
            continue;
        };
        let TypeKind::Object(o) = &t.node.kind else {
            continue;
        };
        let name = t.node.name.node.as_str();
        for f in &o.fields {
            let field = f.node.name.node.as_str();
            if !bindings
                .types
                .get(name)
                .is_some_and(|fields| fields.contains_key(field))
            {
                out.push(format!("{name}.{field}"));
            }
        }
    }
    out
}

/// `$item` with its description and its `@deprecated` reason, where it has them (enum values,
/// fields and input values; each of async-graphql's builders has the two methods of its own).
macro_rules! annotated {
    ($item:expr, $description:expr, $directives:expr) => {{
        let mut item = $item;
        if let Some(d) = $description {
            item = item.description(d.node);
        }
        if let Some(reason) = deprecation($directives) {
            item = item.deprecation(reason.as_deref());
        }
        item
    }};
}

fn register<R: ?Sized + Send + Sync + 'static>(
    builder: SchemaBuilder,
    t: TypeDefinition,
    bindings: &mut Bindings<R>,
) -> SchemaBuilder {
    let name = t.name.node.as_str();
    let description = t.description.map(|d| d.node);
    match t.kind {
        TypeKind::Scalar => {
            let mut s = Scalar::new(name);
            if let Some(d) = description {
                s = s.description(d);
            }
            if let Some(url) =
                directive(&t.directives, "specifiedBy").and_then(|d| string_argument(d, "url"))
            {
                s = s.specified_by_url(url);
            }
            builder.register(s)
        }
        TypeKind::Enum(e) => {
            let mut en = Enum::new(name);
            if let Some(d) = description {
                en = en.description(d);
            }
            for v in e.values {
                let v = v.node;
                let item = EnumItem::new(v.value.node.as_str());
                en = en.item(annotated!(item, v.description, &v.directives));
            }
            builder.register(en)
        }
        TypeKind::InputObject(i) => {
            let mut io = InputObject::new(name);
            if let Some(d) = description {
                io = io.description(d);
            }
            // The engine then refuses a value that sets no field, several, or one to `null`.
            if directive(&t.directives, "oneOf").is_some() {
                io = io.oneof();
            }
            for f in i.fields {
                io = io.field(input_value(f.node));
            }
            builder.register(io)
        }
        TypeKind::Union(u) => {
            let mut un = Union::new(name);
            if let Some(d) = description {
                un = un.description(d);
            }
            for m in u.members {
                un = un.possible_type(m.node.as_str());
            }
            builder.register(un)
        }
        TypeKind::Interface(i) => {
            let mut it = Interface::new(name);
            if let Some(d) = description {
                it = it.description(d);
            }
            for f in i.fields {
                let f = f.node;
                let field = InterfaceField::new(f.name.node.as_str(), type_ref(&f.ty.node));
                let mut field = annotated!(field, f.description, &f.directives);
                for a in f.arguments {
                    field = field.argument(input_value(a.node));
                }
                it = it.field(field);
            }
            for i in i.implements {
                it = it.implement(i.node.as_str());
            }
            builder.register(it)
        }
        TypeKind::Object(o) => {
            let mut ob = Object::new(name);
            if let Some(d) = description {
                ob = ob.description(d);
            }
            for i in o.implements {
                ob = ob.implement(i.node.as_str());
            }
            for f in o.fields {
                ob = ob.field(field(name, f.node, bindings));
            }
            builder.register(ob)
        }
    }
}

fn field<R: ?Sized + Send + Sync + 'static>(
    owner: &str,
    f: FieldDefinition,
    bindings: &mut Bindings<R>,
) -> Field {
    let name = f.name.node.as_str();
    let ty = &f.ty.node;
    let resolver = bindings
        .take(owner, name)
        .unwrap_or_else(|| unbound(format!("{owner}.{name}")));
    let field = Field::new(name, type_ref(ty), resolver);
    let mut field = annotated!(field, f.description, &f.directives);
    for a in f.arguments {
        field = field.argument(input_value(a.node));
    }
    field
}

/// A field that nothing resolves: an `INTERNAL` error each time it is queried.
fn unbound(coordinate: String) -> Resolver {
    Box::new(move |ctx| {
        let error = ApiError::internal(format!(
            "no resolver is bound to `{coordinate}`; this is a bug of shopql-codegen, please report it"
        ));
        FieldFuture::new(async move { glue::field_error(&ctx, error) })
    })
}

fn input_value(v: InputValueDefinition) -> InputValue {
    let iv = InputValue::new(v.name.node.as_str(), type_ref(&v.ty.node));
    let mut iv = annotated!(iv, v.description, &v.directives);
    if let Some(default) = v.default_value {
        iv = iv.default_value(default.node);
    }
    iv
}

fn type_ref(ty: &Type) -> TypeRef {
    let inner = match &ty.base {
        BaseType::Named(n) => TypeRef::named(n.as_str()),
        BaseType::List(item) => TypeRef::List(Box::new(type_ref(item))),
    };
    if ty.nullable {
        inner
    } else {
        TypeRef::NonNull(Box::new(inner))
    }
}

/// `Some(reason)` when `@deprecated` is present (`Some(None)` without a reason).
#[allow(clippy::option_option)] // absent, deprecated without a reason, deprecated with one
fn deprecation(directives: &[Positioned<ConstDirective>]) -> Option<Option<String>> {
    directive(directives, "deprecated").map(|d| string_argument(d, "reason"))
}

fn directive<'a>(
    directives: &'a [Positioned<ConstDirective>],
    name: &str,
) -> Option<&'a ConstDirective> {
    directives
        .iter()
        .map(|d| &d.node)
        .find(|d| d.name.node.as_str() == name)
}

fn string_argument(directive: &ConstDirective, argument: &str) -> Option<String> {
    match directive.get_argument(argument).map(|v| &v.node) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Item {
        n: i32,
        colors: Vec<Option<Color>>,
    }

    #[derive(serde::Serialize, Clone, Copy)]
    enum Color {
        #[serde(rename = "RED")]
        Red,
    }

    trait Api: Send + Sync {
        fn item(&self) -> Item;
    }

    struct Fixed;

    impl Api for Fixed {
        fn item(&self) -> Item {
            Item {
                n: 7,
                colors: vec![None, Some(Color::Red)],
            }
        }
    }

    impl glue::IntoFieldValue for Item {
        fn into_field_value(
            self,
            _: &mut glue::NullSink,
        ) -> Option<async_graphql::dynamic::FieldValue<'static>> {
            Some(async_graphql::dynamic::FieldValue::owned_any(self))
        }
    }

    const SDL: &str = r#"
        schema { query: Q }
        "An item." type Item { n(x: Int = 3 @deprecated(reason: "no")): Int! @deprecated colors: [Color]! double: Int! }
        enum Color { "Red." RED BLUE @deprecated(reason: "gone") }
        scalar Url @specifiedBy(url: "https://example.com/url")
        type Q { item: Item! url: Url }
    "#;

    fn bindings() -> Bindings<dyn Api> {
        let mut b = Bindings::<dyn Api>::new(Arc::new(Fixed));
        b.root("Q").resolve("item", |r, ctx| {
            FieldFuture::new(async move { glue::object_result(&ctx, Ok(r.item())) })
        });
        b.object::<Item>("Item")
            .stored(&["n", "colors"], |i, index| match index {
                0 => Stored::Leaf(&i.n),
                1 => Stored::EnumList(&i.colors, "RED"),
                _ => Stored::Absent,
            })
            .resolve("double", |_, parent, ctx| {
                FieldFuture::new(async move { glue::leaf_result(&ctx, Ok(parent.n * 2)) })
            });
        b
    }

    #[tokio::test]
    async fn fields_resolve_and_the_sdl_is_kept() -> Result<(), Box<dyn std::error::Error>> {
        assert_eq!(unbound_fields(SDL, &bindings()), vec!["Q.url".to_string()]);
        let schema = schema_builder(SDL, bindings()).finish()?;
        let config = crate::ServerConfig::default();
        let response = crate::execute(&schema, "{ item { n colors double } url }", &config).await;
        assert_eq!(
            response.data.into_json()?,
            serde_json::json!({ "item": { "n": 7, "colors": [null, "RED"], "double": 14 }, "url": null })
        );
        // The unbound field fails alone, with a code.
        assert_eq!(response.errors.len(), 1, "{:?}", response.errors);
        let code = response.errors[0]
            .extensions
            .as_ref()
            .and_then(|e| e.get("code").cloned());
        assert_eq!(code, Some(Value::from("INTERNAL")));
        let sdl =
            schema.sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by());
        for expected in [
            "\"\"\"\nAn item.\n\"\"\"\ntype Item",
            "n(x: Int = 3 @deprecated(reason: \"no\")): Int! @deprecated",
            "BLUE @deprecated(reason: \"gone\")",
            "scalar Url @specifiedBy(url: \"https://example.com/url\")",
            "query: Q",
        ] {
            assert!(sdl.contains(expected), "{expected} missing from {sdl}");
        }
        Ok(())
    }

    #[test]
    fn sdl_that_does_not_parse_fails_at_finish() {
        let b = Bindings::<dyn Api>::new(Arc::new(Fixed));
        let error = schema_builder("type {", b).finish().err().map(|e| e.0);
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("does not parse")),
            "{error:?}"
        );
    }
}
