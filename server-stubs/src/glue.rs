//! The helpers that generated adapters call. Keeping them here keeps the generated code small:
//! each schema field becomes one call, not a hand-expanded closure.
//!
//! Errors and `null` list items are reported so that [`crate::execute`] can give the response
//! GraphQL's shape: a failing field with its `path`, a `null` item as `null`.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};

use async_graphql::dynamic::{FieldFuture, FieldValue, ResolverContext};
use async_graphql::{PathSegment, QueryPathSegment};
use futures::future::BoxFuture;
use serde::Serialize;

use crate::decode::{self, Decoder};
use crate::{ApiError, ApiResult, FieldContext, RequestContext};

/// Collects where a list result holds `null` items (index paths below the field), so that
/// [`crate::execute`] answers them as `null`: async-graphql's `dynamic` engine cannot resolve a
/// `null` item of an object, interface, union or enum type (async-graphql/async-graphql#1577).
#[derive(Debug, Default)]
pub struct NullSink {
    stack: Vec<usize>,
    found: Vec<Vec<usize>>,
}

impl NullSink {
    fn record(&mut self) {
        if !self.stack.is_empty() {
            self.found.push(self.stack.clone());
        }
    }

    /// Hands the `null` items found to [`crate::execute`], as marker errors at their paths.
    fn report(self, ctx: &ResolverContext<'_>) {
        if self.found.is_empty() {
            return;
        }
        let Some(node) = ctx.path_node.as_ref() else {
            return;
        };
        let mut field: Vec<PathSegment> = std::iter::once(node)
            .chain(node.parents())
            .map(|n| match n.segment {
                QueryPathSegment::Name(name) => PathSegment::Field(name.to_string()),
                QueryPathSegment::Index(i) => PathSegment::Index(i),
            })
            .collect();
        field.reverse();
        for indices in self.found {
            let mut path = field.clone();
            path.extend(indices.into_iter().map(PathSegment::Index));
            ctx.add_error(crate::execute::null_item_marker(path));
        }
    }
}

/// A borrowed value as a field value (objects by reference, lists, optionals).
pub trait ToFieldValue {
    /// `None` is GraphQL `null`; `nulls` learns where lists hold `null` items.
    fn to_field_value(&self, nulls: &mut NullSink) -> Option<FieldValue<'_>>;

    /// What stands for a `null` item of this type in a list (an abstract type names one of its
    /// object types, so that the engine accepts it; the item becomes `null` in the response).
    fn null_item() -> FieldValue<'static>
    where
        Self: Sized,
    {
        FieldValue::NULL
    }
}

/// An owned resolver result as a field value.
pub trait IntoFieldValue {
    /// `None` is GraphQL `null`; `nulls` learns where lists hold `null` items.
    fn into_field_value(self, nulls: &mut NullSink) -> Option<FieldValue<'static>>;

    /// What stands for a `null` item of this type in a list; see [`ToFieldValue::null_item`].
    fn null_item() -> FieldValue<'static>
    where
        Self: Sized,
    {
        FieldValue::NULL
    }
}

impl<T: ToFieldValue> ToFieldValue for Option<T> {
    fn to_field_value(&self, nulls: &mut NullSink) -> Option<FieldValue<'_>> {
        self.as_ref().and_then(|v| v.to_field_value(nulls))
    }
    fn null_item() -> FieldValue<'static> {
        T::null_item()
    }
}

impl<T: ToFieldValue> ToFieldValue for Vec<T> {
    fn to_field_value(&self, nulls: &mut NullSink) -> Option<FieldValue<'_>> {
        let mut items = Vec::with_capacity(self.len());
        for (i, v) in self.iter().enumerate() {
            nulls.stack.push(i);
            let item = v.to_field_value(nulls).unwrap_or_else(|| {
                nulls.record();
                T::null_item()
            });
            nulls.stack.pop();
            items.push(item);
        }
        Some(FieldValue::list(items))
    }
    fn null_item() -> FieldValue<'static> {
        FieldValue::list(Vec::<FieldValue<'static>>::new())
    }
}

impl<T: ToFieldValue> ToFieldValue for Box<T> {
    fn to_field_value(&self, nulls: &mut NullSink) -> Option<FieldValue<'_>> {
        (**self).to_field_value(nulls)
    }
    fn null_item() -> FieldValue<'static> {
        T::null_item()
    }
}

impl<T: IntoFieldValue> IntoFieldValue for Option<T> {
    fn into_field_value(self, nulls: &mut NullSink) -> Option<FieldValue<'static>> {
        self.and_then(|v| v.into_field_value(nulls))
    }
    fn null_item() -> FieldValue<'static> {
        T::null_item()
    }
}

impl<T: IntoFieldValue> IntoFieldValue for Vec<T> {
    fn into_field_value(self, nulls: &mut NullSink) -> Option<FieldValue<'static>> {
        let mut items = Vec::with_capacity(self.len());
        for (i, v) in self.into_iter().enumerate() {
            nulls.stack.push(i);
            let item = v.into_field_value(nulls).unwrap_or_else(|| {
                nulls.record();
                T::null_item()
            });
            nulls.stack.pop();
            items.push(item);
        }
        Some(FieldValue::list(items))
    }
    fn null_item() -> FieldValue<'static> {
        FieldValue::list(Vec::<FieldValue<'static>>::new())
    }
}

impl<T: IntoFieldValue> IntoFieldValue for Box<T> {
    fn into_field_value(self, nulls: &mut NullSink) -> Option<FieldValue<'static>> {
        (*self).into_field_value(nulls)
    }
    fn null_item() -> FieldValue<'static> {
        T::null_item()
    }
}

/// A scalar or enum value as a field value: `null` is no value (the engine refuses a `null`
/// value for a list type).
fn leaf(value: async_graphql::Value) -> Option<FieldValue<'static>> {
    match value {
        async_graphql::Value::Null => None,
        v => Some(FieldValue::value(v)),
    }
}

/// An enum list value as a field value: a `null` item stands as `placeholder` (a value of the
/// enum, which the engine accepts) and is recorded, to be `null` in the response.
fn enum_list_value(
    value: async_graphql::Value,
    placeholder: &str,
    nulls: &mut NullSink,
) -> FieldValue<'static> {
    match value {
        async_graphql::Value::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                nulls.stack.push(i);
                let item = match item {
                    async_graphql::Value::Null => {
                        nulls.record();
                        FieldValue::value(async_graphql::Value::Enum(async_graphql::Name::new(
                            placeholder,
                        )))
                    }
                    other => enum_list_value(other, placeholder, nulls),
                };
                nulls.stack.pop();
                out.push(item);
            }
            FieldValue::list(out)
        }
        other => FieldValue::value(other),
    }
}

static EMPTY_CONTEXT: LazyLock<RequestContext> = LazyLock::new(RequestContext::default);

/// What a resolver gets: the request context the HTTP layer attached (an empty one when a
/// schema is executed directly) and the field's selection.
pub fn field_context<'a>(ctx: &ResolverContext<'a>) -> FieldContext<'a> {
    let execution = ctx.ctx;
    FieldContext::new(
        execution
            .data_opt::<RequestContext>()
            .unwrap_or(&EMPTY_CONTEXT),
        execution,
    )
}

/// A typed argument, decoded by `decode` (see [`decode`]). Validation has
/// already checked its shape, so a failure here means a custom scalar's Rust type rejected the
/// value, or the Rust type and the schema disagree; it is reported as bad input, never a panic.
pub fn arg<T>(
    ctx: &ResolverContext<'_>,
    name: &str,
    decode: Decoder<T>,
) -> async_graphql::Result<T> {
    decode_arg(name, given(ctx, name), decode)
}

/// A typed argument that has a default in the schema. async-graphql applies the default when
/// the argument is left out of the document, but not when it is given as a variable that the
/// request leaves out; GraphQL says the default applies then too, so it is applied here.
pub fn arg_or_default<T>(
    ctx: &ResolverContext<'_>,
    name: &str,
    default: fn() -> async_graphql::Value,
    decode: Decoder<T>,
) -> async_graphql::Result<T> {
    decode_arg(name, given_or_default(ctx, name, default), decode)
}

/// A nullable argument: `None` when it is `null` or left out, else decoded by `inner`. One
/// function for every nullable argument, so the generated code passes the inner decoder alone.
pub fn nullable_arg<T>(
    ctx: &ResolverContext<'_>,
    name: &str,
    inner: Decoder<T>,
) -> async_graphql::Result<Option<T>> {
    decode_arg(name, given(ctx, name), |v| decode::nullable(v, inner))
}

/// [`nullable_arg`] of an argument that has a default in the schema (see [`arg_or_default`]).
pub fn nullable_arg_or_default<T>(
    ctx: &ResolverContext<'_>,
    name: &str,
    default: fn() -> async_graphql::Value,
    inner: Decoder<T>,
) -> async_graphql::Result<Option<T>> {
    let value = given_or_default(ctx, name, default);
    decode_arg(name, value, |v| decode::nullable(v, inner))
}

/// Argument `name`'s value, or its schema default where it is an unset variable.
fn given_or_default(
    ctx: &ResolverContext<'_>,
    name: &str,
    default: fn() -> async_graphql::Value,
) -> async_graphql::Value {
    let value = given(ctx, name);
    // An unset variable resolves to `null`; only then is the document looked at.
    if value == async_graphql::Value::Null && unset_variable(ctx, name) {
        return default();
    }
    value
}

/// Argument `name`'s value, `null` when it is left out.
fn given(ctx: &ResolverContext<'_>, name: &str) -> async_graphql::Value {
    ctx.args
        .get(name)
        .map(|v| v.as_value().clone())
        .unwrap_or(async_graphql::Value::Null)
}

/// True if argument `name` is written as a variable that the request does not provide and
/// whose definition has no default value.
fn unset_variable(ctx: &ResolverContext<'_>, name: &str) -> bool {
    let Some(value) = ctx.item.node.get_argument(name) else {
        return false;
    };
    // The document's value type is not re-exported by async-graphql; a bare variable prints as
    // `$name`, anything else (a literal, a list or object holding variables) differently.
    let text = value.node.to_string();
    let Some(variable) = text.strip_prefix('$') else {
        return false;
    };
    let env = ctx.query_env;
    !env.variables.contains_key(variable)
        && env
            .operation
            .node
            .variable_definitions
            .iter()
            .find(|d| d.node.name.node.as_str() == variable)
            .is_some_and(|d| d.node.default_value.is_none())
}

fn decode_arg<T>(
    name: &str,
    value: async_graphql::Value,
    decode: impl FnOnce(async_graphql::Value) -> decode::Decoded<T>,
) -> async_graphql::Result<T> {
    decode(value).map_err(|e| {
        let path = e.path();
        let message = if path.is_empty() {
            format!("argument `{name}`: {}", e.message())
        } else {
            format!("argument `{name}`, at `{path}`: {}", e.message())
        };
        ApiError::bad_input(message).into_graphql()
    })
}

/// The parent object of a field. `None` for the stand-in of a `null` list item (see
/// [`ToFieldValue::null_item`]): the field is then `null` and its resolver does not run.
pub fn parent<'a, P: Any + Send + Sync>(
    ctx: &ResolverContext<'a>,
) -> async_graphql::Result<Option<&'a P>> {
    let value: &'a FieldValue<'a> = ctx.parent_value;
    match value.try_downcast_ref::<P>() {
        Ok(p) => Ok(Some(p)),
        Err(_) if matches!(value.as_value(), Some(async_graphql::Value::Null)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Resolves one field.
pub type Resolver = Box<dyn for<'a> Fn(ResolverContext<'a>) -> FieldFuture<'a> + Send + Sync>;

/// A stored scalar or enum value (or a list of them), as the engine's value. Object-safe, so that
/// a stored field's getter returns `&dyn LeafValue`: the resolvers of stored fields are then
/// instantiated once per parent type, not once per field, which on a schema of thousands of
/// fields is most of the adapter's compile time.
pub trait LeafValue {
    /// The value, or why it cannot be serialized.
    fn leaf_value(&self) -> Result<async_graphql::Value, String>;
}

impl<T: Serialize> LeafValue for T {
    fn leaf_value(&self) -> Result<async_graphql::Value, String> {
        async_graphql::to_value(self).map_err(|e| e.to_string())
    }
}

/// A field stored in an object struct, as read by the generated function of its type that reads
/// the type's stored fields by index (the registry binds each with `ObjectFields::stored`).
pub enum Stored<'a> {
    /// A scalar or an enum, or a list of them (not of an enum with nullable items).
    Leaf(&'a dyn LeafValue),
    /// A list of an enum: the `&'static str` is one of the enum's values, which stands for the
    /// list's `null` items (see [`enum_list_result`]).
    EnumList(&'a dyn LeafValue, &'static str),
    /// An object, interface or union, or a list of them.
    Object(&'a dyn ToFieldValue),
    /// No such field: an index the generated function does not know (a bug of the generator).
    Absent,
}

/// Resolves stored field `index` of the parent `P`, read by `read`. One function per object
/// type reads all its stored fields, so the code instantiated per type is this one resolver,
/// not a closure per field: on a schema of thousands of fields that was most of the adapter's
/// compile time.
pub(crate) fn stored_resolver<P>(read: fn(&P, usize) -> Stored<'_>, index: usize) -> Resolver
where
    P: Any + Send + Sync,
{
    Box::new(move |ctx| match parent::<P>(&ctx) {
        Ok(Some(parent)) => {
            let stored = read(parent, index);
            stored_value(&ctx, stored, index)
        }
        Ok(None) => FieldFuture::Value(None),
        Err(e) => error(e),
    })
}

/// The value of a stored field. Not generic, so compiled once whatever the number of types.
fn stored_value<'a>(
    ctx: &ResolverContext<'a>,
    stored: Stored<'a>,
    index: usize,
) -> FieldFuture<'a> {
    let mut nulls = NullSink::default();
    let value = match stored {
        Stored::Leaf(v) => match v.leaf_value() {
            Ok(v) => leaf(v),
            Err(e) => return cannot_serialize(&e),
        },
        Stored::EnumList(v, placeholder) => match v.leaf_value() {
            Ok(async_graphql::Value::Null) => None,
            Ok(v) => Some(enum_list_value(v, placeholder, &mut nulls)),
            Err(e) => return cannot_serialize(&e),
        },
        Stored::Object(v) => v.to_field_value(&mut nulls),
        Stored::Absent => {
            let message = format!("no stored field {index}; this is a bug of shopql-codegen");
            return error(ApiError::internal(message).into_graphql());
        }
    };
    nulls.report(ctx);
    FieldFuture::Value(value)
}

fn cannot_serialize<'a>(e: &str) -> FieldFuture<'a> {
    error(ApiError::internal(format!("cannot serialize a field value: {e}")).into_graphql())
}

pub(crate) fn error<'a>(e: async_graphql::Error) -> FieldFuture<'a> {
    FieldFuture::new(async move { Err::<Option<FieldValue<'a>>, _>(e) })
}

/// A resolver's error, reported with its `path`. A nullable field is then `null`, as GraphQL
/// says; a non-null field has no value, and [`crate::execute`] drops the engine's follow-up
/// error about that.
pub(crate) fn field_error(
    ctx: &ResolverContext<'_>,
    error: ApiError,
) -> async_graphql::Result<Option<FieldValue<'static>>> {
    let error = error.into_graphql();
    ctx.add_error(ctx.set_error_path(error.into_server_error(ctx.item.pos)));
    Ok(None)
}

/// A resolver's result of scalar or enum type.
pub fn leaf_result<T: Serialize>(
    ctx: &ResolverContext<'_>,
    result: ApiResult<T>,
) -> async_graphql::Result<Option<FieldValue<'static>>> {
    let value = match result {
        Ok(v) => v,
        Err(e) => return field_error(ctx, e),
    };
    match async_graphql::to_value(&value) {
        Ok(v) => Ok(leaf(v)),
        Err(e) => field_error(
            ctx,
            ApiError::internal(format!("cannot serialize a result: {e}")),
        ),
    }
}

/// A resolver's result whose type is a list of an enum with nullable items; `placeholder` is one
/// of the enum's values, standing for `null` items until [`crate::execute`] nulls them.
pub fn enum_list_result<T: Serialize>(
    ctx: &ResolverContext<'_>,
    placeholder: &'static str,
    result: ApiResult<T>,
) -> async_graphql::Result<Option<FieldValue<'static>>> {
    let value = match result {
        Ok(v) => v,
        Err(e) => return field_error(ctx, e),
    };
    match async_graphql::to_value(&value) {
        Ok(async_graphql::Value::Null) => Ok(None),
        Ok(v) => {
            let mut nulls = NullSink::default();
            let v = enum_list_value(v, placeholder, &mut nulls);
            nulls.report(ctx);
            Ok(Some(v))
        }
        Err(e) => field_error(
            ctx,
            ApiError::internal(format!("cannot serialize a result: {e}")),
        ),
    }
}

/// A resolver's result of object, interface or union type.
pub fn object_result<T: IntoFieldValue>(
    ctx: &ResolverContext<'_>,
    result: ApiResult<T>,
) -> async_graphql::Result<Option<FieldValue<'static>>> {
    match result {
        Ok(v) => {
            let mut nulls = NullSink::default();
            let v = v.into_field_value(&mut nulls);
            nulls.report(ctx);
            Ok(v)
        }
        Err(e) => field_error(ctx, e),
    }
}

/// A trait-resolved field, started: its arguments decoded (a bad one fails here, before the
/// method runs) and the future of its value, see [`finishing`].
pub type Started<'b> =
    async_graphql::Result<BoxFuture<'b, async_graphql::Result<Option<FieldValue<'static>>>>>;

/// How the adapter starts one field's trait method: a plain function per field, given the
/// resolvers, the parent object (`None` on a root type), the field's context and the engine's.
pub type Start<R> = for<'b> fn(
    &'b R,
    Option<&'b (dyn Any + Send + Sync)>,
    &'b FieldContext<'b>,
    &'b ResolverContext<'b>,
) -> Started<'b>;

/// How a trait method's result becomes the field's value: [`leaf_result`], [`object_result`],
/// or [`enum_list_result`] with the enum's placeholder.
pub type Finish<T> =
    fn(&ResolverContext<'_>, ApiResult<T>) -> async_graphql::Result<Option<FieldValue<'static>>>;

/// Resolves a trait-resolved field: starts it and awaits its value.
///
/// This is the one `async` block of every such field, and it does not depend on the field's
/// types. A future of its own per field (its state machine, drop glue and boxing), or one per
/// result type, which on a large schema is nearly one per field, was a tenth of the server
/// code.
pub fn resolved<'a, R: ?Sized + Send + Sync + 'static>(
    resolvers: Arc<R>,
    ctx: ResolverContext<'a>,
    parent: Option<&'a (dyn Any + Send + Sync)>,
    start: Start<R>,
) -> FieldFuture<'a> {
    FieldFuture::new(async move {
        let fc = field_context(&ctx);
        start(&*resolvers, parent, &fc, &ctx)?.await
    })
}

/// A started trait method's future, with `finish` applied to its result: what a [`Start`]
/// function returns. Only this adapter of the method's future is per result type.
pub fn finishing<'b, T: 'b>(
    ctx: &'b ResolverContext<'b>,
    method: BoxFuture<'b, ApiResult<T>>,
    finish: Finish<T>,
) -> Started<'b> {
    Ok(Box::pin(Finishing {
        method,
        ctx,
        finish,
    }))
}

/// `method` with `finish` applied to its output. Written out rather than `FutureExt::map`
/// because it is instantiated once per result type: futures' `Map` (a pin projection and its
/// replace step) is several times the code of this `Unpin` poll.
struct Finishing<'b, T> {
    method: BoxFuture<'b, ApiResult<T>>,
    ctx: &'b ResolverContext<'b>,
    finish: Finish<T>,
}

impl<T> Future for Finishing<'_, T> {
    type Output = async_graphql::Result<Option<FieldValue<'static>>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        match this.method.as_mut().poll(cx) {
            Poll::Ready(result) => Poll::Ready((this.finish)(this.ctx, result)),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The parent object a [`Start`] function gets, as the type its field belongs to. The registry
/// has already checked the type, so a mismatch is a bug of the generator.
pub fn downcast<P: Any>(parent: Option<&(dyn Any + Send + Sync)>) -> async_graphql::Result<&P> {
    parent.and_then(|p| p.downcast_ref::<P>()).ok_or_else(|| {
        ApiError::internal(format!(
            "the parent object is not a {}",
            std::any::type_name::<P>()
        ))
        .into_graphql()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::dynamic::{Enum, Field, Object, Schema, TypeRef};

    /// A type reference from its SDL text (`[Item!]!`).
    fn ty(text: &str) -> TypeRef {
        let text = text.trim();
        if let Some(inner) = text.strip_suffix('!') {
            return TypeRef::NonNull(Box::new(ty(inner)));
        }
        if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            return TypeRef::List(Box::new(ty(inner)));
        }
        TypeRef::named(text)
    }

    #[derive(Serialize)]
    enum Color {
        #[serde(rename = "RED")]
        Red,
        #[serde(rename = "BLUE")]
        Blue,
    }

    struct Item {
        n: i32,
    }

    struct Holder {
        colors: Vec<Option<Color>>,
        grid: Vec<Option<Vec<Option<Item>>>>,
        no_names: Option<Vec<Option<String>>>,
        no_colors: Option<Vec<Option<Color>>>,
    }

    impl ToFieldValue for Item {
        fn to_field_value(&self, _: &mut NullSink) -> Option<FieldValue<'_>> {
            Some(FieldValue::borrowed_any(self))
        }
    }

    impl IntoFieldValue for Holder {
        fn into_field_value(self, _: &mut NullSink) -> Option<FieldValue<'static>> {
            Some(FieldValue::owned_any(self))
        }
    }

    fn schema() -> Result<Schema, async_graphql::dynamic::SchemaError> {
        let query = Object::new("Query").field(Field::new("holder", ty("Holder!"), |ctx| {
            FieldFuture::new(async move {
                let holder = Holder {
                    colors: vec![Some(Color::Blue), None, Some(Color::Red)],
                    grid: vec![Some(vec![None, Some(Item { n: 1 })]), None],
                    no_names: None,
                    no_colors: None,
                };
                object_result(&ctx, Ok(holder))
            })
        }));
        fn holder_field(h: &Holder, index: usize) -> Stored<'_> {
            match index {
                0 => Stored::EnumList(&h.colors, "RED"),
                1 => Stored::Object(&h.grid),
                2 => Stored::Leaf(&h.no_names),
                3 => Stored::EnumList(&h.no_colors, "RED"),
                _ => Stored::Absent,
            }
        }
        let fields = [
            ("colors", "[Color]!"),
            ("grid", "[[Item]]!"),
            ("noNames", "[String]"),
            ("noColors", "[Color]"),
            ("absent", "Int"),
        ];
        let mut holder = Object::new("Holder");
        for (i, (name, t)) in fields.into_iter().enumerate() {
            holder = holder.field(Field::new(name, ty(t), stored_resolver(holder_field, i)));
        }
        fn item_n(i: &Item, _: usize) -> Stored<'_> {
            Stored::Leaf(&i.n)
        }
        let item =
            Object::new("Item").field(Field::new("n", ty("Int!"), stored_resolver(item_n, 0)));
        Schema::build("Query", None, None)
            .register(query)
            .register(holder)
            .register(item)
            .register(Enum::new("Color").item("RED").item("BLUE"))
            .finish()
    }

    #[tokio::test]
    async fn null_items_of_lists_are_null() -> Result<(), Box<dyn std::error::Error>> {
        let config = crate::ServerConfig::default();
        let response = crate::execute(
            &schema()?,
            "{ holder { colors grid { __typename n } noNames noColors } }",
            &config,
        )
        .await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        assert_eq!(
            response.data.into_json()?,
            serde_json::json!({ "holder": {
                "colors": ["BLUE", null, "RED"],
                "grid": [[null, { "__typename": "Item", "n": 1 }], null],
                "noNames": null,
                "noColors": null,
            } })
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_stored_field_the_reader_does_not_know_is_an_internal_error()
    -> Result<(), Box<dyn std::error::Error>> {
        let config = crate::ServerConfig::default();
        let response = crate::execute(&schema()?, "{ holder { absent } }", &config).await;
        let codes: Vec<String> = response
            .errors
            .iter()
            .filter_map(|e| e.extensions.as_ref()?.get("code").map(|c| c.to_string()))
            .collect();
        assert_eq!(
            codes,
            vec!["\"INTERNAL\"".to_string()],
            "{:?}",
            response.errors
        );
        Ok(())
    }

    #[test]
    fn a_parent_of_another_type_or_none_is_an_internal_error() {
        struct Holder(u8);
        let holder = Holder(7);
        let parent: &(dyn Any + Send + Sync) = &holder;
        assert!(matches!(downcast::<Holder>(Some(parent)), Ok(Holder(7))));
        for wrong in [
            downcast::<String>(Some(parent)).err(),
            downcast::<Holder>(None).err(),
        ] {
            let code = wrong
                .and_then(|e| e.extensions)
                .and_then(|x| x.get("code").map(|c| c.to_string()));
            assert_eq!(code.as_deref(), Some("\"INTERNAL\""));
        }
    }

    #[test]
    fn type_refs_parse() {
        assert_eq!(ty("[Item!]!").to_string(), "[Item!]!");
        assert_eq!(ty("Int").to_string(), "Int");
        assert_eq!(ty("[[String]]").to_string(), "[[String]]");
    }
}
