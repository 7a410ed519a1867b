//! Query limits applied to every schema: depth, complexity, recursion and directives, enforced by
//! async-graphql during parsing and validation. The alias limit is enforced by
//! [`crate::execute`] on the parsed document, before any resolver runs. Errors carry
//! `extensions.code` (`DEPTH_LIMIT_EXCEEDED`, `COMPLEXITY_LIMIT_EXCEEDED`,
//! `ALIAS_LIMIT_EXCEEDED`) and say the limit.

use async_graphql::dynamic::SchemaBuilder;

use crate::ServerConfig;

/// Applies the limits and switches of `config` to a schema builder.
pub fn apply(builder: SchemaBuilder, config: &ServerConfig) -> SchemaBuilder {
    let mut b = builder
        .limit_depth(config.max_depth)
        .limit_complexity(config.max_complexity)
        .limit_recursive_depth(config.max_recursive_depth)
        .limit_directives(config.max_directives);
    if !config.introspection {
        b = b.disable_introspection();
    }
    if !config.suggestions {
        b = b.disable_suggestions();
    }
    b
}
