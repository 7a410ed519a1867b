//! Types that an API reuses from another API's generated module instead of emitting its own
//! ([`Builder::extern_types`](crate::Builder::extern_types)), as prost-build's `extern_path`
//! reuses another package's types.
//!
//! The rule: when API `api` takes its types from API `from`, every type that both schemas define
//! (root types excepted) must be defined identically, compared as normalized SDL (fields, their
//! types, arguments and defaults, interfaces, members, enum values, descriptions, deprecations),
//! and, for an interface, implemented by the same objects. Any difference is an error, so that a
//! drift between the two schemas stops the build rather than surprising at run time. Such a type
//! is then `pub use`d from `from`'s module under its usual name, so code that names it through
//! either API still compiles, and both APIs exchange the same Rust values.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::model::{Schema, TypeKind};

/// Where each API takes each of its reused types from: per API (in input order), GraphQL type
/// name → the index of the API that defines it (after following chains: `a` from `b` from `c`
/// gives `c`).
pub type Plan = Vec<BTreeMap<String, usize>>;

/// Checks the `(api, from)` pairs of `config` against `schemas` and decides which types each
/// API reuses. A pair whose `api` is not among `schemas` is ignored (a build script that
/// compiles some APIs only, by feature); one whose `from` is missing is an error, as is every
/// type the two define differently.
pub fn plan(config: &Config, schemas: &[&Schema], diags: &mut Diagnostics) -> Plan {
    let mut direct: Plan = vec![BTreeMap::new(); schemas.len()];
    let index = |name: &str| schemas.iter().position(|s| s.name == name);
    for (api, from) in &config.extern_types {
        let Some(i) = index(api) else { continue };
        let here = Location::new(&schemas[i].file, 1, 1);
        let Some(j) = index(from) else {
            diags.push(
                Diagnostic::error(
                    here,
                    format!("`{api}` reuses the types of API `{from}`, which is not compiled with it"),
                )
                .with_help(format!(
                    "compile `{from}`'s schema in the same run, or remove `.extern_types(\"{api}\", \"{from}\")`"
                )),
            );
            continue;
        };
        if i == j {
            diags.push(Diagnostic::error(
                here,
                format!(
                    "`{api}` cannot reuse its own types (`.extern_types(\"{api}\", \"{api}\")`)"
                ),
            ));
            continue;
        }
        let (ours, theirs) = (schemas[i], schemas[j]);
        let mut shared = BTreeSet::new();
        // Types already reported as drifted: the types that refer to them are not reported again.
        let mut drifted = BTreeSet::new();
        for t in ours.types() {
            if ours.is_root(&t.name) || direct[i].contains_key(&t.name) {
                continue;
            }
            let Some(other) = theirs.get(&t.name) else {
                continue;
            };
            if theirs.is_root(&t.name) {
                continue;
            }
            let (a, b) = (theirs.type_sdl(other), ours.type_sdl(t));
            if let Some((x, y)) = first_difference(&a, &b) {
                diags.push(
                    Diagnostic::error(
                        t.location.clone(),
                        format!(
                            "`{}` is reused from API `{from}` but is not defined identically: `{from}` has `{x}` where `{api}` has `{y}`",
                            t.name
                        ),
                    )
                    .with_help(format!(
                        "make the two definitions of `{}` identical (descriptions included), or rename one of them; `{from}`'s is at {}",
                        t.name, other.location
                    )),
                );
                drifted.insert(t.name.clone());
                continue;
            }
            if matches!(t.kind, TypeKind::Interface { .. }) {
                let (a, b) = (theirs.possible_types(&t.name), ours.possible_types(&t.name));
                if a != b {
                    diags.push(Diagnostic::error(
                        t.location.clone(),
                        format!(
                            "interface `{}` is reused from API `{from}` but its implementations differ: `{from}` has {}, `{api}` has {}",
                            t.name,
                            list(&a),
                            list(&b)
                        ),
                    ));
                    drifted.insert(t.name.clone());
                    continue;
                }
            }
            shared.insert(t.name.clone());
        }
        // A reused type holds the other API's types in its fields: each type it refers to must be
        // reused too, or the two APIs would mix their values.
        for name in &shared {
            let Some(t) = ours.get(name) else { continue };
            for used in referenced(ours, name) {
                let builtin = matches!(
                    ours.get(&used).map(|u| &u.kind),
                    Some(TypeKind::Scalar { builtin: true, .. })
                );
                if !builtin && !shared.contains(&used) && !drifted.contains(&used) {
                    diags.push(Diagnostic::error(
                        t.location.clone(),
                        format!(
                            "`{name}` is reused from API `{from}`, but `{used}`, which it refers to, is not shared: a root type, or a type `{from}` does not define"
                        ),
                    ));
                }
            }
        }
        for name in shared {
            direct[i].insert(name, j);
        }
    }
    // Follow chains to the API that emits the type; a cycle of reuses is an error.
    let mut plan: Plan = vec![BTreeMap::new(); schemas.len()];
    for (i, types) in direct.iter().enumerate() {
        for (name, &j) in types {
            let mut origin = j;
            let mut steps = 0;
            while let Some(&next) = direct[origin].get(name) {
                origin = next;
                steps += 1;
                if steps > schemas.len() {
                    break;
                }
            }
            if steps > schemas.len() || origin == i {
                diags.push(Diagnostic::error(
                    Location::new(&schemas[i].file, 1, 1),
                    format!("`{name}` is reused in a cycle of APIs, so none of them defines it"),
                ));
                continue;
            }
            plan[i].insert(name.clone(), origin);
        }
    }
    plan
}

/// The named types a type refers to: field, argument and input field types, interfaces, union
/// members and an interface's implementations.
fn referenced(schema: &Schema, name: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(t) = schema.get(name) else {
        return out;
    };
    match &t.kind {
        TypeKind::Object { fields, interfaces } | TypeKind::Interface { fields, interfaces } => {
            for f in fields {
                out.insert(f.ty.named().to_string());
                out.extend(f.args.iter().map(|a| a.ty.named().to_string()));
            }
            out.extend(interfaces.iter().cloned());
        }
        TypeKind::Union { members } => out.extend(members.iter().cloned()),
        TypeKind::InputObject { fields, .. } => {
            out.extend(fields.iter().map(|f| f.ty.named().to_string()));
        }
        TypeKind::Scalar { .. } | TypeKind::Enum { .. } => {}
    }
    out.extend(schema.possible_types(name).into_iter().map(str::to_string));
    out.remove(name);
    out
}

/// The first line where two definitions differ, trimmed (`(end)` past the last line).
fn first_difference(a: &str, b: &str) -> Option<(String, String)> {
    if a == b {
        return None;
    }
    let (mut la, mut lb) = (a.lines(), b.lines());
    loop {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => {
                let show =
                    |l: Option<&str>| l.map_or("(end)".to_string(), |l| l.trim().to_string());
                return Some((show(x), show(y)));
            }
        }
    }
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What one side of one API takes from other APIs, for its emitter.
#[derive(Default)]
pub struct Externs<'s> {
    /// GraphQL type name → the index of its origin in `origins`.
    pub types: BTreeMap<String, usize>,
    /// The APIs this one takes types from.
    pub origins: Vec<Origin<'s>>,
}

/// An API whose generated types another API reuses.
pub struct Origin<'s> {
    /// Its schema.
    pub schema: &'s Schema,
    /// The types it reuses itself (its resolver trait does not resolve their fields).
    pub own_externs: BTreeSet<String>,
    /// The path of its generated module (the side's module) from the reusing API's module:
    /// `super::shop` (or `super::super::shop::server` when both sides are generated).
    pub path: TokenStream,
}

impl Externs<'_> {
    /// True when the GraphQL type `name` comes from another API.
    pub fn contains(&self, name: &str) -> bool {
        self.types.contains_key(name)
    }

    /// The origin of a reused type.
    pub fn origin(&self, name: &str) -> Option<&Origin<'_>> {
        self.types.get(name).and_then(|&i| self.origins.get(i))
    }
}
