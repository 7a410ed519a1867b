//! What to generate, shared by the build-script builder, the CLI and the emitters.

use std::collections::{BTreeMap, BTreeSet};

/// Generation settings. Build one with [`crate::configure`].
#[derive(Debug, Clone)]
pub struct Config {
    /// Emit the typed client.
    pub client: bool,
    /// Emit the resolver trait and its async-graphql adapter.
    pub server: bool,
    /// Emit a starting implementation of the resolver trait (every method returns a
    /// `NOT_IMPLEMENTED` error), for a new backend to fill in.
    pub skeleton: bool,
    /// Custom scalar name → Rust type path.
    pub scalars: BTreeMap<String, String>,
    /// `Type.field` coordinates resolved only when selected (a resolver method instead of a
    /// struct field on the server; left out of the client's default selections).
    pub lazy_fields: BTreeSet<String>,
    /// Path of the crate that provides the client runtime.
    pub client_runtime: String,
    /// Path of the crate that provides the server runtime.
    pub server_runtime: String,
    /// `(api, from)` pairs: API `api` reuses the generated types of API `from` (every type both
    /// define, root types excepted) instead of emitting its own. See
    /// [`Builder::extern_types`](crate::Builder::extern_types).
    pub extern_types: Vec<(String, String)>,
    /// Which types the client emits. See [`Builder::client_types`](crate::Builder::client_types).
    pub client_types: ClientTypes,
    /// Derive both `Serialize` and `Deserialize` on every client type. See
    /// [`Builder::serde_both_ways`](crate::Builder::serde_both_ways).
    pub serde_both_ways: bool,
}

/// Which of a schema's types the client side emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientTypes {
    /// Every type, a method per root field (fetching its default selection) and the operations:
    /// a general client of the whole API, as an SDK publishes it.
    #[default]
    All,
    /// Only what the operation documents use: the types of their variables (through input
    /// fields), the types they select (through fragments, and the members of interfaces and
    /// unions they select on), and the root fields they ask for, with those fields' arguments.
    /// Everything else is left out, so a crate compiles only what it calls.
    UsedByOperations,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            client: true,
            server: false,
            skeleton: false,
            scalars: BTreeMap::new(),
            lazy_fields: BTreeSet::new(),
            client_runtime: "::shopql_sdk".to_string(),
            server_runtime: "::shopql_server_stubs".to_string(),
            extern_types: Vec::new(),
            client_types: ClientTypes::All,
            serde_both_ways: false,
        }
    }
}

impl Config {
    /// True if `Type.field` is configured as lazy.
    pub fn is_lazy(&self, type_name: &str, field: &str) -> bool {
        // Asked for every field of every type: no allocation when there is nothing to find.
        if self.lazy_fields.is_empty() {
            return false;
        }
        self.lazy_fields
            .iter()
            .any(|c| c.split_once('.') == Some((type_name, field)))
    }
}
