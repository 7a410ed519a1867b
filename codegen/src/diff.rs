//! What changed between two versions of a schema, and whether deployed clients survive it.
//!
//! [`diff`] compares two checked [`Schema`]s and classifies every change:
//!
//! | level | meaning | examples |
//! |---|---|---|
//! | [`Level::Breaking`] | a client built against the old schema can fail | a type, field, argument, enum value or union member removed; a field that may now be null; an argument that became required or changed type; a new required argument or input field |
//! | [`Level::Dangerous`] | valid old requests still validate, but may behave differently or meet values the client does not know | an enum value or union member added, an interface added to a type, a new optional argument or input field, a default value changed |
//! | [`Level::Safe`] | nothing a client can observe breaks | a type or field added, a field that can no longer be null, an argument that became optional, descriptions, deprecations |
//!
//! [`operation_impacts`] then says which operation documents the change breaks: those that no
//! longer validate against the new schema, or whose response types changed (a field they select
//! may now be null), and those that select values the client has never seen.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostics::Location;
use crate::model::{
    Deprecation, EnumValue, Field, InputValue, OperationKind, Schema, TypeDef, TypeKind, TypeRef,
};
use crate::operations::{self, Operation, SelectedField, Selection, Shape};

/// How bad a change is for clients built against the old schema. Ordered: `Safe < Dangerous <
/// Breaking`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Nothing a client can observe breaks.
    Safe,
    /// Old requests still validate but may behave differently or return values a client does
    /// not know.
    Dangerous,
    /// A client built against the old schema can fail.
    Breaking,
}

impl Level {
    /// `breaking`, `dangerous` or `safe`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Safe => "safe",
            Level::Dangerous => "dangerous",
            Level::Breaking => "breaking",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change between two schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// How bad it is.
    pub level: Level,
    /// The schema coordinate it is about: `Cart`, `Cart.total`, `Query.cart(id:)`, `Status.OPEN`.
    pub coordinate: String,
    /// What changed, for people.
    pub message: String,
    /// Where: in the new schema, or in the old one for something removed.
    pub location: Location,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}: {}",
            self.location, self.level, self.coordinate, self.message
        )
    }
}

/// Every change from `old` to `new`, breaking ones first, then by location.
pub fn diff(old: &Schema, new: &Schema) -> Vec<Change> {
    let mut out = Changes(Vec::new());
    for kind in [
        OperationKind::Query,
        OperationKind::Mutation,
        OperationKind::Subscription,
    ] {
        let (before, after) = (old.root(kind), new.root(kind));
        if before != after {
            let level = if before.is_none() {
                Level::Safe
            } else {
                Level::Breaking
            };
            let location = new
                .types()
                .next()
                .or_else(|| old.types().next())
                .map(|t| t.location.clone())
                .unwrap_or_else(|| Location::new(&new.file, 1, 1));
            out.push(
                level,
                kind.keyword().to_owned(),
                format!(
                    "the {} root type changed from {} to {}",
                    kind.keyword(),
                    before.unwrap_or("none"),
                    after.unwrap_or("none")
                ),
                &location,
            );
        }
    }
    for before in old.types() {
        match new.get(&before.name) {
            None => out.push(
                Level::Breaking,
                before.name.clone(),
                format!("{} `{}` was removed", before.kind.describe(), before.name),
                &before.location,
            ),
            Some(after) => out.type_changes(before, after),
        }
    }
    for after in new.types() {
        if old.get(&after.name).is_none() {
            out.push(
                Level::Safe,
                after.name.clone(),
                format!("{} `{}` was added", after.kind.describe(), after.name),
                &after.location,
            );
        }
    }
    let mut changes = out.0;
    changes.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| a.location.cmp(&b.location))
            .then_with(|| a.coordinate.cmp(&b.coordinate))
    });
    changes
}

struct Changes(Vec<Change>);

/// A type change is safe or breaking, nothing in between.
fn safe_if(safe: bool) -> Level {
    if safe { Level::Safe } else { Level::Breaking }
}

impl Changes {
    fn push(&mut self, level: Level, coordinate: String, message: String, location: &Location) {
        self.0.push(Change {
            level,
            coordinate,
            message,
            location: location.clone(),
        });
    }

    fn type_changes(&mut self, before: &TypeDef, after: &TypeDef) {
        let name = &after.name;
        if before.description != after.description {
            self.push(
                Level::Safe,
                name.clone(),
                "description changed".into(),
                &after.location,
            );
        }
        match (&before.kind, &after.kind) {
            (
                TypeKind::Object {
                    fields: old_fields,
                    interfaces: old_interfaces,
                },
                TypeKind::Object { fields, interfaces },
            )
            | (
                TypeKind::Interface {
                    fields: old_fields,
                    interfaces: old_interfaces,
                },
                TypeKind::Interface { fields, interfaces },
            ) => {
                self.members(
                    name,
                    "interface",
                    old_interfaces,
                    interfaces,
                    &after.location,
                    Level::Dangerous,
                );
                self.fields(name, old_fields, fields);
            }
            (TypeKind::Union { members: old }, TypeKind::Union { members }) => {
                self.members(
                    name,
                    "member",
                    old,
                    members,
                    &after.location,
                    Level::Dangerous,
                );
            }
            (TypeKind::Enum { values: old }, TypeKind::Enum { values }) => {
                self.enum_values(name, old, values);
            }
            (TypeKind::InputObject { fields: old, .. }, TypeKind::InputObject { fields, .. }) => {
                self.input_values("input field", old, fields, |f| format!("{name}.{f}"));
            }
            (
                TypeKind::Scalar {
                    specified_by: old, ..
                },
                TypeKind::Scalar { specified_by, .. },
            ) => {
                if old != specified_by {
                    self.push(
                        Level::Safe,
                        name.clone(),
                        "@specifiedBy changed".into(),
                        &after.location,
                    );
                }
            }
            (old, new) => self.push(
                Level::Breaking,
                name.clone(),
                format!(
                    "changed from {} to {}",
                    old.with_article(),
                    new.with_article()
                ),
                &after.location,
            ),
        }
    }

    /// Interfaces of a type or members of a union: removing one breaks, adding one is `added`.
    fn members(
        &mut self,
        name: &str,
        what: &str,
        old: &[String],
        new: &[String],
        location: &Location,
        added: Level,
    ) {
        for member in old.iter().filter(|m| !new.contains(m)) {
            self.push(
                Level::Breaking,
                name.to_owned(),
                format!("{what} `{member}` was removed"),
                location,
            );
        }
        for member in new.iter().filter(|m| !old.contains(m)) {
            self.push(
                added,
                name.to_owned(),
                format!("{what} `{member}` was added"),
                location,
            );
        }
    }

    fn fields(&mut self, type_name: &str, old: &[Field], new: &[Field]) {
        for before in old {
            let coordinate = format!("{type_name}.{}", before.name);
            let Some(after) = new.iter().find(|f| f.name == before.name) else {
                let note = if before.deprecation.is_some() {
                    " (it was deprecated)"
                } else {
                    ""
                };
                self.push(
                    Level::Breaking,
                    coordinate,
                    format!("field removed{note}"),
                    &before.location,
                );
                continue;
            };
            if before.ty != after.ty {
                // A client can take a value that is stricter than before, not a looser one.
                let level = safe_if(after.ty.is_compatible_with(&before.ty));
                self.push(
                    level,
                    coordinate.clone(),
                    format!("type changed from {} to {}", before.ty, after.ty),
                    &after.location,
                );
            }
            self.annotations(
                &coordinate,
                [before.deprecation.as_ref(), after.deprecation.as_ref()],
                [&before.description, &after.description],
                &after.location,
            );
            self.input_values("argument", &before.args, &after.args, |arg| {
                format!("{coordinate}({arg}:)")
            });
        }
        for after in new {
            if !old.iter().any(|f| f.name == after.name) {
                self.push(
                    Level::Safe,
                    format!("{type_name}.{}", after.name),
                    "field added".into(),
                    &after.location,
                );
            }
        }
    }

    /// Arguments of a field or fields of an input object.
    fn input_values(
        &mut self,
        what: &str,
        old: &[InputValue],
        new: &[InputValue],
        coordinate: impl Fn(&str) -> String,
    ) {
        for before in old {
            let at = coordinate(&before.name);
            let Some(after) = new.iter().find(|v| v.name == before.name) else {
                self.push(
                    Level::Breaking,
                    at,
                    format!("{what} removed"),
                    &before.location,
                );
                continue;
            };
            if before.ty != after.ty {
                // Every value the old type accepted must still be accepted.
                let level = safe_if(before.ty.is_compatible_with(&after.ty));
                let required = after.ty.is_non_null() && !before.ty.is_non_null();
                let note = if required && after.default.is_none() {
                    " (now required)"
                } else {
                    ""
                };
                self.push(
                    level,
                    at.clone(),
                    format!("type changed from {} to {}{note}", before.ty, after.ty),
                    &after.location,
                );
            }
            if before.default != after.default {
                let show = |d: &Option<crate::model::Value>| {
                    d.as_ref()
                        .map_or_else(|| "none".to_owned(), |v| v.to_string())
                };
                self.push(
                    Level::Dangerous,
                    at.clone(),
                    format!(
                        "default value changed from {} to {}",
                        show(&before.default),
                        show(&after.default)
                    ),
                    &after.location,
                );
            }
            self.annotations(
                &at,
                [before.deprecation.as_ref(), after.deprecation.as_ref()],
                [&before.description, &after.description],
                &after.location,
            );
        }
        for after in new {
            if old.iter().any(|v| v.name == after.name) {
                continue;
            }
            let (level, kind) = if after.ty.is_non_null() && after.default.is_none() {
                (Level::Breaking, "required")
            } else {
                (Level::Dangerous, "optional")
            };
            self.push(
                level,
                coordinate(&after.name),
                format!("{kind} {what} added"),
                &after.location,
            );
        }
    }

    fn enum_values(&mut self, name: &str, old: &[EnumValue], new: &[EnumValue]) {
        for before in old {
            let at = format!("{name}.{}", before.name);
            match new.iter().find(|v| v.name == before.name) {
                None => self.push(
                    Level::Breaking,
                    at,
                    "enum value removed".into(),
                    &before.location,
                ),
                Some(after) => self.annotations(
                    &at,
                    [before.deprecation.as_ref(), after.deprecation.as_ref()],
                    [&before.description, &after.description],
                    &after.location,
                ),
            }
        }
        for after in new.iter().filter(|v| !old.iter().any(|o| o.name == v.name)) {
            self.push(
                Level::Dangerous,
                format!("{name}.{}", after.name),
                "enum value added (clients that read this enum may not know it)".into(),
                &after.location,
            );
        }
    }

    /// Deprecation and description changes (old, new): safe, but worth listing.
    fn annotations(
        &mut self,
        coordinate: &str,
        [before, after]: [Option<&Deprecation>; 2],
        [old_text, new_text]: [&Option<String>; 2],
        location: &Location,
    ) {
        let deprecation = match (before, after) {
            (None, Some(d)) => Some(format!("deprecated: {}", d.reason_or_default())),
            (Some(_), None) => Some("no longer deprecated".to_owned()),
            (Some(a), Some(b)) if a != b => Some(format!(
                "deprecation reason changed to: {}",
                b.reason_or_default()
            )),
            _ => None,
        };
        let description = (old_text != new_text).then(|| "description changed".to_owned());
        for message in deprecation.into_iter().chain(description) {
            self.push(Level::Safe, coordinate.to_owned(), message, location);
        }
    }
}

/// What a schema change does to one operation document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationImpact {
    /// The document.
    pub file: PathBuf,
    /// The operation's name, when the impact is on one operation (empty for the whole file).
    pub operation: String,
    /// [`Level::Breaking`] or [`Level::Dangerous`].
    pub level: Level,
    /// Why, for people.
    pub reason: String,
}

impl fmt::Display for OperationImpact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.level)?;
        if !self.operation.is_empty() {
            write!(f, ": {}", self.operation)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// The operation documents among `files` that `old` -> `new` breaks or endangers. A document
/// that does not validate against the old schema is not judged (it was broken already).
pub fn operation_impacts(old: &Schema, new: &Schema, files: &[PathBuf]) -> Vec<OperationImpact> {
    let grown = grown_types(old, new);
    let mut out = Vec::new();
    for file in files {
        let Ok(before) = operations::parse_file(old, file) else {
            continue;
        };
        let after = match operations::parse_file(new, file) {
            Ok(after) => after,
            Err(diagnostics) => {
                let first = diagnostics.sorted().into_iter().find(|d| d.is_error());
                out.push(OperationImpact {
                    file: file.clone(),
                    operation: String::new(),
                    level: Level::Breaking,
                    reason: first.map_or_else(
                        || "no longer valid against the new schema".to_owned(),
                        |d| format!("no longer valid: {d}"),
                    ),
                });
                continue;
            }
        };
        for op in &before {
            let Some(now) = after.iter().find(|o| o.name == op.name) else {
                continue;
            };
            if let Some(reason) = changed_response(&op.selection, &now.selection, &op.name) {
                out.push(impact(file, op, Level::Breaking, reason));
            } else if let Some(name) = selects_any(&now.selection, &grown) {
                out.push(impact(
                    file,
                    op,
                    Level::Dangerous,
                    format!(
                        "selects `{name}`, which can now return values this client has never seen"
                    ),
                ));
            }
        }
    }
    out
}

/// The operation documents of API `api` under `dir`: `dir/<api>/*.graphql` when that directory
/// exists, else `dir/*.graphql`.
pub fn operation_files(dir: &Path, api: &str) -> Result<Vec<PathBuf>, crate::Error> {
    let by_api = dir.join(api);
    let dir = if by_api.is_dir() { &by_api } else { dir };
    crate::builder::graphql_files(dir)
}

fn impact(file: &Path, op: &Operation, level: Level, reason: String) -> OperationImpact {
    OperationImpact {
        file: file.to_path_buf(),
        operation: op.name.clone(),
        level,
        reason,
    }
}

/// Enums that gained values and abstract types that gained possible types.
fn grown_types(old: &Schema, new: &Schema) -> HashSet<String> {
    let mut grown = HashSet::new();
    for t in new.types() {
        let Some(before) = old.get(&t.name) else {
            continue;
        };
        let bigger = match (&before.kind, &t.kind) {
            (TypeKind::Enum { values: a }, TypeKind::Enum { values: b }) => {
                b.iter().any(|v| !a.iter().any(|o| o.name == v.name))
            }
            (TypeKind::Union { .. } | TypeKind::Interface { .. }, _) => {
                let was = old.possible_types(&t.name);
                new.possible_types(&t.name).iter().any(|p| !was.contains(p))
            }
            _ => false,
        };
        if bigger {
            grown.insert(t.name.clone());
        }
    }
    grown
}

/// The first selected field whose type changed in a way the client's decoder cannot take.
fn changed_response(old: &Selection, new: &Selection, path: &str) -> Option<String> {
    let (old_fields, new_fields) = (all_fields(&old.shape), all_fields(&new.shape));
    for before in old_fields {
        let Some(after) = new_fields.iter().find(|f| f.key == before.key) else {
            continue;
        };
        let at = format!("{path}.{}", before.key);
        if before.ty != after.ty && !after.ty.is_compatible_with(&before.ty) {
            return Some(format!("`{at}` was {} and is now {}", before.ty, after.ty));
        }
        if let (Some(a), Some(b)) = (&before.selection, &after.selection)
            && let Some(reason) = changed_response(a, b, &at)
        {
            return Some(reason);
        }
    }
    None
}

fn all_fields(shape: &Shape) -> Vec<&SelectedField> {
    match shape {
        Shape::Fields(fields) => fields.iter().collect(),
        Shape::ByType { variants, other } => variants
            .iter()
            .flat_map(|(_, fields)| fields.iter())
            .chain(other.iter())
            .collect(),
    }
}

fn selects_any(selection: &Selection, types: &HashSet<String>) -> Option<String> {
    if types.contains(&selection.type_name) {
        return Some(selection.type_name.clone());
    }
    for field in all_fields(&selection.shape) {
        let name = TypeRef::named(&field.ty);
        if types.contains(name) {
            return Some(name.to_owned());
        }
        if let Some(inner) = &field.selection
            && let Some(found) = selects_any(inner, types)
        {
            return Some(found);
        }
    }
    None
}
