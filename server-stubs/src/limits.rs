//! Query limits applied to every schema. Depth, recursion and directives are enforced by
//! async-graphql during parsing and validation; the alias limit and the complexity limit, whose
//! lists are weighted by their page size ([`complexity`]), are enforced by [`crate::execute`] on
//! the parsed document, before any resolver runs. Errors carry `extensions.code`
//! (`DEPTH_LIMIT_EXCEEDED`, `COMPLEXITY_LIMIT_EXCEEDED`, `ALIAS_LIMIT_EXCEEDED`) and say the
//! limit.
//!
//! async-graphql's own complexity limit is not used: its `dynamic` schemas cost every field 1
//! and cannot weigh a field by its arguments (`compute_complexity` is always unset there).

use std::collections::{HashMap, HashSet};

use async_graphql::Value as ConstValue;
use async_graphql::Variables;
use async_graphql::dynamic::{Schema, SchemaBuilder};
use async_graphql::parser::Positioned;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationDefinition, OperationType, Selection,
    SelectionSet, VariableDefinition,
};
use async_graphql::registry::{MetaField, MetaType, MetaTypeName, Registry};

use crate::ServerConfig;

/// Applies the limits and switches of `config` to a schema builder.
pub fn apply(builder: SchemaBuilder, config: &ServerConfig) -> SchemaBuilder {
    let mut b = builder
        .limit_depth(config.max_depth)
        .limit_recursive_depth(config.max_recursive_depth)
        .limit_directives(config.max_directives);
    if !config.introspection {
        b = b.disable_introspection();
    }
    if !config.suggestions {
        b = b.disable_suggestions();
    }
    if config.resolver_spans {
        b = b.extension(async_graphql::extensions::Tracing);
    }
    b
}

/// The complexity of the operation of `doc` that a request with `operation_name` runs (the
/// costliest one when a document of several operations names none), with the weights that
/// [`ServerConfig::max_complexity`] describes. `variables` give the page sizes passed through
/// variables. Fields the schema does not know count as objects (validation refuses them
/// later); fragment cycles count nothing (validation refuses them too).
pub fn complexity(
    schema: &Schema,
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    config: &ServerConfig,
) -> usize {
    let registry = schema.registry();
    let cost = |op: &Positioned<OperationDefinition>| {
        let op = &op.node;
        let root = match op.ty {
            OperationType::Query => Some(registry.query_type.as_str()),
            OperationType::Mutation => registry.mutation_type.as_deref(),
            OperationType::Subscription => registry.subscription_type.as_deref(),
        };
        let mut walker = Walker {
            registry,
            doc,
            variables,
            definitions: &op.variable_definitions,
            config,
            memo: HashMap::new(),
            active: HashSet::new(),
        };
        walker.selections(&op.selection_set.node, root.unwrap_or(""), None)
    };
    match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => cost(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map_or(0, |(_, op)| cost(op)),
        (DocumentOperations::Multiple(ops), None) => ops.values().map(cost).max().unwrap_or(0),
    }
}

struct Walker<'a> {
    registry: &'a Registry,
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    definitions: &'a [Positioned<VariableDefinition>],
    config: &'a ServerConfig,
    /// Fragment costs by name and inherited page size: each fragment is walked once per page
    /// size, so that fragments spread many times cost linear time.
    memo: HashMap<(&'a str, Option<usize>), usize>,
    /// Fragments being walked (a cycle counts nothing; validation refuses it).
    active: HashSet<&'a str>,
}

impl<'a> Walker<'a> {
    fn is_root(&self, ty: &str) -> bool {
        let r = self.registry;
        ty == r.query_type
            || r.mutation_type.as_deref() == Some(ty)
            || r.subscription_type.as_deref() == Some(ty)
    }

    fn ty(&self, name: &str) -> Option<&'a MetaType> {
        self.registry.types.get(name)
    }

    /// The cost of one value of type `parent` with `set` selected. `inherited` is the page size
    /// of a paginated field returning `parent`, for its list fields.
    fn selections(
        &mut self,
        set: &'a SelectionSet,
        parent: &str,
        inherited: Option<usize>,
    ) -> usize {
        let abstract_parent = self.ty(parent).is_some_and(MetaType::is_abstract);
        let mut common = 0usize;
        let mut by_type: HashMap<&'a str, usize> = HashMap::new();
        for item in &set.items {
            let (condition, cost) = match &item.node {
                Selection::Field(f) => {
                    common = common.saturating_add(self.field(&f.node, parent, inherited));
                    continue;
                }
                Selection::InlineFragment(i) => {
                    let i = &i.node;
                    let condition = i.type_condition.as_ref().map(|c| c.node.on.node.as_str());
                    let on = condition.unwrap_or(parent);
                    let cost = self.selections(&i.selection_set.node, on, inherited);
                    (condition, cost)
                }
                Selection::FragmentSpread(s) => {
                    let name = s.node.fragment_name.node.as_str();
                    let Some(fragment) = self.doc.fragments.get(name) else {
                        continue;
                    };
                    let on = fragment.node.type_condition.node.on.node.as_str();
                    let cost =
                        self.fragment(name, &fragment.node.selection_set.node, on, inherited);
                    (Some(on), cost)
                }
            };
            // On an interface or union, fragments on different concrete types never apply to
            // the same value: the costliest of them counts.
            match condition {
                Some(on)
                    if abstract_parent
                        && on != parent
                        && !self.ty(on).is_some_and(MetaType::is_abstract) =>
                {
                    let entry = by_type.entry(on).or_default();
                    *entry = entry.saturating_add(cost);
                }
                _ => common = common.saturating_add(cost),
            }
        }
        common.saturating_add(by_type.values().copied().max().unwrap_or(0))
    }

    fn fragment(
        &mut self,
        name: &'a str,
        set: &'a SelectionSet,
        on: &str,
        inherited: Option<usize>,
    ) -> usize {
        if let Some(cost) = self.memo.get(&(name, inherited)) {
            return *cost;
        }
        if !self.active.insert(name) {
            return 0;
        }
        let cost = self.selections(set, on, inherited);
        self.active.remove(name);
        self.memo.insert((name, inherited), cost);
        cost
    }

    fn field(&mut self, f: &'a Field, parent: &str, inherited: Option<usize>) -> usize {
        let set = &f.selection_set.node;
        if set.items.is_empty() || f.name.node == "__typename" {
            return 0;
        }
        let meta = self
            .ty(parent)
            .and_then(|t| t.field_by_name(f.name.node.as_str()));
        let Some(meta) = meta else {
            return 1usize.saturating_add(self.selections(set, "", None));
        };
        let is_list = MetaTypeName::create(&meta.ty).is_list();
        let child = MetaTypeName::concrete_typename(&meta.ty);
        let page = self.page_size(f, meta);
        let (size, pass) = if is_list {
            (
                page.or(inherited).unwrap_or(self.config.unpaged_list_size),
                None,
            )
        } else {
            (1, page)
        };
        // Each list item counts 1, and so does each root field; an object that is neither
        // counts what its lists and their items contain.
        let own = usize::from(is_list || self.is_root(parent));
        size.max(1)
            .saturating_mul(own.saturating_add(self.selections(set, child, pass)))
    }

    fn is_page_argument(&self, name: &str, ty: &str) -> bool {
        !MetaTypeName::create(ty).is_list()
            && MetaTypeName::concrete_typename(ty) == "Int"
            && self.config.page_size_arguments.iter().any(|a| a == name)
    }

    /// The page size of `f` when its field declares a page-size argument.
    fn page_size(&self, f: &Field, meta: &MetaField) -> Option<usize> {
        let mut paginated = false;
        let mut given: Option<i64> = None;
        let mut default: Option<i64> = None;
        let mut take = |value: Option<i64>, schema_default: Option<&str>| {
            paginated = true;
            match value {
                Some(v) => given = Some(given.map_or(v, |g| g.max(v))),
                None => {
                    if let Some(d) = schema_default.and_then(|d| d.trim().parse::<i64>().ok()) {
                        default = Some(default.map_or(d, |x| x.max(d)));
                    }
                }
            }
        };
        for (name, arg) in &meta.args {
            if self.is_page_argument(name, &arg.ty) {
                let value = self.argument(f, name);
                take(
                    value.as_ref().and_then(const_int),
                    arg.default_value.as_deref(),
                );
                continue;
            }
            let Some(MetaType::InputObject { input_fields, .. }) =
                self.ty(MetaTypeName::concrete_typename(&arg.ty))
            else {
                continue;
            };
            if MetaTypeName::create(&arg.ty).is_list() {
                continue;
            }
            let value = self.argument(f, name);
            for (inner, input) in input_fields {
                if self.is_page_argument(inner, &input.ty) {
                    let v = match &value {
                        Some(ConstValue::Object(fields)) => {
                            fields.get(inner.as_str()).and_then(const_int)
                        }
                        _ => None,
                    };
                    take(v, input.default_value.as_deref());
                }
            }
        }
        if !paginated {
            return None;
        }
        let n = given
            .or(default)
            .map_or(self.config.default_page_size, |n| {
                usize::try_from(n.max(1)).unwrap_or(usize::MAX)
            });
        Some(n.clamp(1, self.config.max_page_size.max(1)))
    }

    fn variable(&self, name: &str) -> Option<&'a ConstValue> {
        self.variables
            .get(name)
            .filter(|v| !matches!(v, ConstValue::Null))
            .or_else(|| {
                self.definitions
                    .iter()
                    .find(|d| d.node.name.node == name)
                    .and_then(|d| d.node.default_value.as_ref())
                    .map(|v| &v.node)
            })
    }

    /// The value of `f`'s argument `name`, variables replaced (a variable without a value is
    /// `null`).
    fn argument(&self, f: &Field, name: &str) -> Option<ConstValue> {
        let value = f.get_argument(name)?.node.clone();
        value
            .into_const_with(|v| {
                Ok::<_, std::convert::Infallible>(
                    self.variable(v.as_str())
                        .cloned()
                        .unwrap_or(ConstValue::Null),
                )
            })
            .ok()
    }
}

fn number(n: &async_graphql::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.is_finite())
            .map(|f| f.clamp(i64::MIN as f64, i64::MAX as f64) as i64)
    })
}

fn const_int(value: &ConstValue) -> Option<i64> {
    match value {
        ConstValue::Number(n) => number(n),
        _ => None,
    }
}
