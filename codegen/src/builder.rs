//! The build-script API: a builder that reads schemas and operations, checks them, emits Rust and
//! writes it to `OUT_DIR` (only when the content changed), reporting every input to cargo.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::quote;

use crate::config::{ClientTypes, Config};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, file_id};
use crate::emit;
use crate::model::{Schema, TypeKind};
use crate::names::{ident, snake};
use crate::operations::{self, Operation, Used};

/// Starts a configuration with defaults: client on, server off.
pub fn configure() -> Builder {
    Builder::default()
}

/// Generation settings and the entry points that run them. See [`configure`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Builder {
    config: Config,
    out_dir: Option<PathBuf>,
    cargo: Option<bool>,
    skeleton_module: Option<String>,
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The file name (`shop.rs`).
    pub name: String,
    /// The formatted Rust source.
    pub contents: String,
}

/// The result of a generation run, before anything is written.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    /// The files, one per API (plus skeletons when asked for).
    pub files: Vec<GeneratedFile>,
    /// Warnings found on the way.
    pub warnings: Diagnostics,
    /// Every file and directory read.
    pub inputs: Vec<PathBuf>,
    /// The number of operations checked.
    pub operation_count: usize,
}

/// Why generation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The schemas or operations have errors; each carries file, line and column.
    Diagnostics(Diagnostics),
    /// A file could not be read or written.
    Io {
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No output directory: not in a build script and none configured.
    NoOutDir,
    /// The generator produced code it cannot format: a bug of the generator.
    Internal(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Diagnostics(d) => {
                write!(f, "{} error(s) in the GraphQL documents:\n{d}", d.error_count())
            }
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::NoOutDir => f.write_str("no output directory: set one with `.out_dir(…)`, or run from a build script (OUT_DIR)"),
            Error::Internal(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Builder {
    /// Emits the typed client (default: on).
    pub fn client(mut self, on: bool) -> Self {
        self.config.client = on;
        self
    }

    /// Emits the resolver trait and async-graphql adapter (default: off).
    pub fn server(mut self, on: bool) -> Self {
        self.config.server = on;
        self
    }

    /// Also writes `<api>_skeleton.rs`, a starting implementation of the resolver trait whose
    /// methods return `NOT_IMPLEMENTED`; an existing skeleton file is never overwritten.
    pub fn skeleton(mut self, on: bool) -> Self {
        self.config.skeleton = on;
        self
    }

    /// Where the skeleton finds the generated module (default `crate::<api>`).
    pub fn skeleton_module(mut self, path: impl Into<String>) -> Self {
        self.skeleton_module = Some(path.into());
        self
    }

    /// Maps a custom scalar to a Rust type path (`.scalar("DateTime", "::chrono::DateTime<::chrono::Utc>")`).
    /// The type must implement serde's traits (and `Default` for `Default` derives to apply).
    pub fn scalar(mut self, graphql: impl Into<String>, rust: impl Into<String>) -> Self {
        self.config.scalars.insert(graphql.into(), rust.into());
        self
    }

    /// Resolves `Type.field` only when selected: a trait method on the server instead of a
    /// struct field, and left out of the client's default selections.
    pub fn lazy_field(mut self, coordinate: impl Into<String>) -> Self {
        self.config.lazy_fields.insert(coordinate.into());
        self
    }

    /// Reuses in API `api` the generated types of API `from`, as prost-build's `extern_path`
    /// reuses another package's types: every type that both schemas define (by name, root types
    /// excepted) is emitted once, in `from`'s module, and `pub use`d in `api`'s under its usual
    /// name, so `api::Cart` and `from::Cart` are one type and values pass between the two APIs
    /// as they are. APIs are named by their schema's file stem (`"cart-admin"`).
    ///
    /// The rule: each such type must be defined identically in both schemas (fields, types,
    /// arguments and defaults, interfaces and implementations, members, enum values,
    /// descriptions, deprecations), and every type it refers to must be shared too; any
    /// difference is an error naming the first differing line, so a drift between the schemas
    /// fails the build instead of mixing two shapes at run time. Both schemas must be compiled
    /// in the same run and their files included side by side in one module (as the `include!`s
    /// of `OUT_DIR` files usually are); a pair whose `api` is not compiled is ignored, so a
    /// build script can compile APIs by feature.
    ///
    /// On the server, `api`'s resolver trait no longer resolves the fields (with arguments, or
    /// lazy) of the reused object types: `from`'s trait does, and `api`'s trait gains an
    /// accessor, `fn <from>_resolvers(&self) -> &dyn <From>Resolvers`, that returns an
    /// implementation of it, so one implementation serves both endpoints. On the client, only
    /// scalars, enums and input objects are reused: object types are each API's default
    /// selections, which depend on the API's root fields. The served schema of each API is
    /// unchanged.
    ///
    /// The cost: `api`'s module depends on `from`'s (it cannot be compiled without it), and a
    /// change to a shared type must be made in both schemas at once.
    pub fn extern_types(mut self, api: impl Into<String>, from: impl Into<String>) -> Self {
        self.config.extern_types.push((api.into(), from.into()));
        self
    }

    /// Which types the client emits (default [`ClientTypes::All`]: the whole schema).
    ///
    /// [`ClientTypes::UsedByOperations`] emits only what the operation documents use, as
    /// graphql-client does: the types of their variables (and every input object, enum and
    /// scalar reachable through input fields), the types they select (through fragments, and
    /// the concrete types they select on an interface or union), and a method for each root
    /// field they ask for, whose default selection keeps only fields of those types. Use it in
    /// a crate that runs its own operations: it compiles in proportion to them, not to the
    /// schema. The cost: the client is no longer a general client of the API (a type or root
    /// field no operation uses is absent, and adding an operation can add types and fields to
    /// default selections). An API whose types another reuses
    /// ([`Builder::extern_types`]) keeps the types its users take from it.
    ///
    /// The server side always emits the whole schema: it must serve every field.
    pub fn client_types(mut self, which: ClientTypes) -> Self {
        self.config.client_types = which;
        self
    }

    /// Derive both `Serialize` and `Deserialize` on every client type (default off).
    ///
    /// By default each client type derives only the direction it travels, as graphql-client
    /// and cynic do: the types the client sends (input objects, variables) `Serialize`, the
    /// types it receives (objects, interfaces, unions, operation results) `Deserialize`; enums
    /// and scalars, which travel both ways, derive both. That is a sixth less build time and
    /// an eighth less peak memory for the seven shopql APIs' SDK. Turn this on when a crate
    /// serializes what it received (to cache or forward a response) or reads inputs from JSON.
    pub fn serde_both_ways(mut self, on: bool) -> Self {
        self.config.serde_both_ways = on;
        self
    }

    /// The path of the client runtime crate (default `::shopql_sdk`).
    pub fn client_runtime(mut self, path: impl Into<String>) -> Self {
        self.config.client_runtime = path.into();
        self
    }

    /// The path of the server runtime crate (default `::shopql_server_stubs`).
    pub fn server_runtime(mut self, path: impl Into<String>) -> Self {
        self.config.server_runtime = path.into();
        self
    }

    /// Where files are written (default: `OUT_DIR`).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Prints `cargo:` lines (rerun-if-changed, warnings). Default: when `OUT_DIR` is set.
    pub fn cargo_output(mut self, on: bool) -> Self {
        self.cargo = Some(on);
        self
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn in_build_script(&self) -> bool {
        self.cargo
            .unwrap_or_else(|| std::env::var_os("OUT_DIR").is_some())
    }

    /// Generates code for `schemas` (one API per file) and the operation documents found in
    /// `operation_dirs`, and writes one file per API. An operation directory applies to the
    /// schema whose API name is its last path component, or, when it has a subdirectory named
    /// after an API, that subdirectory applies; with a single schema every directory applies to it.
    pub fn compile(
        &self,
        schemas: &[impl AsRef<Path>],
        operation_dirs: &[impl AsRef<Path>],
    ) -> Result<Vec<PathBuf>, Error> {
        let schemas: Vec<PathBuf> = schemas.iter().map(|p| p.as_ref().to_path_buf()).collect();
        let dirs: Vec<PathBuf> = operation_dirs
            .iter()
            .map(|p| p.as_ref().to_path_buf())
            .collect();
        let result = self.generate(&schemas, &dirs);
        self.finish(result, &[])
    }

    /// Compiles every `*.graphql` file of `dir` as an API, with the operation documents of
    /// `dir/operations/<api>/`.
    pub fn compile_dir(&self, dir: impl AsRef<Path>) -> Result<Vec<PathBuf>, Error> {
        let dir = dir.as_ref();
        let schemas = match schema_files(dir) {
            Ok(s) => s,
            Err(e) => return self.finish(Err(e), &[dir.to_path_buf()]),
        };
        let ops = dir.join("operations");
        let dirs = if ops.is_dir() {
            vec![ops.clone()]
        } else {
            Vec::new()
        };
        let result = self.generate(&schemas, &dirs);
        let mut extra = vec![dir.to_path_buf()];
        if ops.is_dir() {
            extra.push(ops);
        }
        self.finish(result, &extra)
    }

    fn finish(
        &self,
        result: Result<Generated, Error>,
        extra_inputs: &[PathBuf],
    ) -> Result<Vec<PathBuf>, Error> {
        let cargo = self.in_build_script();
        if cargo {
            for p in extra_inputs {
                println!("cargo:rerun-if-changed={}", p.display());
            }
        }
        let generated = match result {
            Ok(g) => g,
            Err(Error::Diagnostics(d)) => {
                if cargo {
                    for diag in d.sorted() {
                        println!("cargo:warning={}", diag.to_string().replace('\n', " "));
                    }
                }
                return Err(Error::Diagnostics(d));
            }
            Err(e) => return Err(e),
        };
        if cargo {
            for p in &generated.inputs {
                println!("cargo:rerun-if-changed={}", p.display());
            }
            for w in generated.warnings.sorted() {
                println!("cargo:warning={}", w.to_string().replace('\n', " "));
            }
        }
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir)?,
        };
        let written = generated.write(&out_dir)?;
        Ok(written
            .into_iter()
            .filter(|w| w.status != WriteStatus::KeptExisting)
            .map(|w| w.path)
            .collect())
    }

    /// Runs the whole pipeline in memory: read, check, emit, format. Nothing is written.
    ///
    /// Operation directories apply as in [`Builder::compile`]. Errors in any schema or operation
    /// make it fail with every diagnostic found; warnings come back in [`Generated::warnings`].
    pub fn generate(
        &self,
        schemas: &[PathBuf],
        operation_dirs: &[PathBuf],
    ) -> Result<Generated, Error> {
        let mut diags = Diagnostics::new();
        let mut out = Generated::default();
        let loaded = load(schemas, operation_dirs, &mut diags, &mut out.inputs)?;
        let sides: Vec<Side> = [
            (self.config.client, Side::Client),
            (self.config.server, Side::Server),
        ]
        .into_iter()
        .filter_map(|(on, side)| on.then_some(side))
        .collect();
        let both = sides.len() == 2;
        let schemas_loaded: Vec<&Schema> = loaded.iter().map(|(s, _)| s).collect();
        // A type reused from a drifted definition must not be generated at all.
        let mut planned = Diagnostics::new();
        let plan = emit::externs::plan(&self.config, &schemas_loaded, &mut planned);
        let drifted = planned.has_errors();
        diags.extend(planned);
        if drifted {
            diags.dedup();
            return Err(Error::Diagnostics(diags));
        }
        let subsets = match self.config.client_types {
            ClientTypes::UsedByOperations if self.config.client => used_subsets(&loaded, &plan),
            _ => Vec::new(),
        };
        let client_schemas: Vec<&Schema> = if subsets.is_empty() {
            schemas_loaded.clone()
        } else {
            subsets.iter().collect()
        };
        // Each side of each API is independent: emit and format them on all cores, then gather
        // the results in input order, so the output does not depend on which thread finished
        // first. The cost (types, plus operations on the client side) schedules the largest first.
        let jobs: Vec<(usize, Side)> = (0..loaded.len())
            .flat_map(|api| sides.iter().map(move |&side| (api, side)))
            .collect();
        let cost = |&(api, side): &(usize, Side)| {
            let (schema, ops) = &loaded[api];
            schema.types().count()
                + if side == Side::Client {
                    ops.len() * 4
                } else {
                    0
                }
        };
        let emitted = parallel_map(&jobs, cost, |&(api, side)| {
            let ops = &loaded[api].1;
            let schemas = match side {
                Side::Client => &client_schemas,
                Side::Server => &schemas_loaded,
            };
            let mut d = Diagnostics::new();
            let externs = externs_of(schemas, &plan, api, side, both);
            let part = self.emit_side(schemas[api], ops, side, both, &externs, &mut d);
            (part, d)
        });
        let mut emitted = emitted.into_iter();
        for (schema, ops) in &loaded {
            out.operation_count += ops.len();
            let mut parts = Vec::new();
            for (part, d) in emitted.by_ref().take(sides.len()) {
                diags.extend(d);
                parts.push(part?);
            }
            let Some(first) = parts.first() else { continue };
            let mut contents = emit::header(&schema_file_name(schema));
            match parts.get(1) {
                Some(second) => contents.push_str(&splice(
                    &first.text,
                    &second.text,
                    &ident(&snake(&schema.name)).to_string(),
                )?),
                None => contents.push_str(&first.text),
            }
            out.files.push(GeneratedFile {
                name: format!("{}.rs", snake(&schema.name)),
                contents,
            });
            out.files
                .extend(parts.into_iter().filter_map(|p| p.skeleton));
        }
        diags.dedup();
        if diags.has_errors() {
            return Err(Error::Diagnostics(diags));
        }
        out.warnings = diags;
        Ok(out)
    }

    /// Checks schemas and their operations without generating anything, as
    /// `shopql-codegen check` does. Each path is a schema file, or a directory treated as by
    /// [`Builder::compile_dir`] (its `*.graphql` files are APIs, `operations/<api>/` their
    /// operations). `operation_dirs` apply to the schema files given directly, as in
    /// [`Builder::compile`].
    ///
    /// The pairs of [`Builder::extern_types`] are checked as generation checks them (each type
    /// both APIs define is defined identically), among the schemas of one directory or among the
    /// schema files given directly.
    ///
    /// Problems in the documents are reported in [`CheckReport::diagnostics`], not as an `Err`;
    /// `Err` means a path could not be read.
    pub fn check(
        &self,
        paths: &[impl AsRef<Path>],
        operation_dirs: &[impl AsRef<Path>],
    ) -> Result<CheckReport, Error> {
        let mut report = CheckReport::default();
        let mut files = Vec::new();
        for path in paths {
            let path = path.as_ref();
            if path.is_dir() {
                let schemas = match schema_files(path) {
                    Ok(s) => s,
                    Err(Error::Diagnostics(d)) => {
                        report.diagnostics.extend(d);
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                let ops = path.join("operations");
                let dirs = if ops.is_dir() { vec![ops] } else { Vec::new() };
                report.inputs.push(path.to_path_buf());
                report.check_group(&self.config, &schemas, &dirs)?;
            } else if path.is_file() {
                files.push(path.to_path_buf());
            } else {
                return Err(Error::Io {
                    path: path.to_path_buf(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "no such file or directory",
                    ),
                });
            }
        }
        if !files.is_empty() {
            let dirs: Vec<PathBuf> = operation_dirs
                .iter()
                .map(|p| p.as_ref().to_path_buf())
                .collect();
            report.check_group(&self.config, &files, &dirs)?;
        }
        report.diagnostics.dedup();
        Ok(report)
    }

    /// Emits and formats one side of one API, as the whole file would hold it: the side's module
    /// inside the API's module. [`splice`] joins the two sides of an API.
    fn emit_side(
        &self,
        schema: &Schema,
        ops: &[Operation],
        side: Side,
        both: bool,
        externs: &emit::externs::Externs<'_>,
        diags: &mut Diagnostics,
    ) -> Result<SideOutput, Error> {
        // Descriptions are kept aside while formatting and written back after (see `docs::table`).
        let _docs = emit::docs::table();
        let module = ident(&snake(&schema.name));
        let doc = format!(
            " The `{}` API, generated from `{}`.",
            schema.name,
            schema_file_name(schema)
        );
        // Each allowance is for generated code only, and says why in the generated file (lint
        // reasons); uses of the items in your code are linted as usual.
        let allows = quote! {
            #![allow(deprecated, reason = "generated code reads deprecated schema items itself; your uses of them still warn")]
            #![allow(clippy::too_many_arguments, reason = "root fields and resolvers take one parameter per GraphQL argument")]
            #![allow(clippy::type_complexity, reason = "GraphQL types nest `Option<Vec<Option<…>>>` as the schema says")]
            #![allow(clippy::large_enum_variant, reason = "union and interface variants are as large as their objects")]
            #![allow(clippy::enum_variant_names, reason = "enum values are named by the schema (`PAID_AT`, `CREATED_AT`, …)")]
        };
        let mut server = None;
        // The side is moved into its module, not interpolated: `quote!` would copy it.
        let (items, head) = match side {
            Side::Client => (
                emit::client::emit(schema, ops, &self.config, externs, diags),
                quote! {
                    /// The typed client.
                    pub mod client
                },
            ),
            Side::Server => {
                let mut s = emit::server::emit(schema, &self.config, externs, diags);
                let tokens = std::mem::take(&mut s.tokens);
                server = Some(s);
                (
                    tokens,
                    quote! {
                        /// The resolver trait and its server.
                        pub mod server
                    },
                )
            }
        };
        let body = if both {
            let mut body = head;
            body.extend([braced(allows, items)]);
            body
        } else {
            let mut body = allows;
            body.extend([items]);
            body
        };
        // The schema's description, when it has one, documents the module.
        let doc = match &schema.description {
            Some(d) => emit::docs::doc_attrs(Some(&format!("{}\n\n{d}", doc.trim_start()))),
            None => quote!(#[doc = #doc]),
        };
        let mut tokens = quote! {
            #doc
            pub mod #module
        };
        tokens.extend([braced(TokenStream::new(), body)]);
        let text = emit::format_file(tokens).map_err(Error::Internal)?;
        let mut skeleton = None;
        if let (true, Some(s)) = (self.config.skeleton, &server) {
            let module_path = self
                .skeleton_module
                .clone()
                .unwrap_or_else(|| format!("crate::{}", snake(&schema.name)));
            let sk = emit::skeleton::emit(s, &module_path, &self.config.server_runtime);
            let formatted = emit::format_file(sk).map_err(Error::Internal)?;
            skeleton = Some(GeneratedFile {
                name: format!("{}_skeleton.rs", snake(&schema.name)),
                contents: format!(
                    "// A starting implementation of the `{}` resolver trait, generated once by shopql-codegen.\n// It is yours now: fill in each method. It is never overwritten.\n\n{formatted}",
                    schema.name
                ),
            });
        }
        Ok(SideOutput { text, skeleton })
    }
}

/// The schema's file name (not its path, so that output is the same on every machine).
fn schema_file_name(schema: &Schema) -> String {
    schema
        .file
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What one side of API `api` reuses from other APIs, as `plan` decided: the path of each other
/// API's module is taken from this API's (its side's) module, both files being included side by
/// side.
fn externs_of<'s>(
    schemas: &[&'s Schema],
    plan: &emit::externs::Plan,
    api: usize,
    side: Side,
    both: bool,
) -> emit::externs::Externs<'s> {
    let mut externs = emit::externs::Externs::default();
    let mut index: HashMap<usize, usize> = HashMap::new();
    for (name, &origin) in &plan[api] {
        let at = *index.entry(origin).or_insert_with(|| {
            let module = ident(&snake(&schemas[origin].name));
            let path = match (both, side) {
                (false, _) => quote!(super::#module),
                (true, Side::Client) => quote!(super::super::#module::client),
                (true, Side::Server) => quote!(super::super::#module::server),
            };
            externs.origins.push(emit::externs::Origin {
                schema: schemas[origin],
                own_externs: plan[origin].keys().cloned().collect(),
                path,
            });
            externs.origins.len() - 1
        });
        externs.types.insert(name.clone(), at);
    }
    externs
}

/// Each API's schema restricted to what its operations use
/// ([`ClientTypes::UsedByOperations`]), for its client. An API whose scalars, enums or input
/// objects another API's client reuses (`plan`) keeps those that the other uses: they are
/// emitted in its module only.
fn used_subsets(loaded: &[(Schema, Vec<Operation>)], plan: &emit::externs::Plan) -> Vec<Schema> {
    let mut used: Vec<Used> = loaded
        .iter()
        .map(|(schema, ops)| Used::of(schema, ops))
        .collect();
    for (api, reused) in plan.iter().enumerate() {
        for (name, &origin) in reused {
            let shared_on_client = matches!(
                loaded[api].0.get(name).map(|t| &t.kind),
                Some(
                    TypeKind::Scalar { .. } | TypeKind::Enum { .. } | TypeKind::InputObject { .. }
                )
            );
            if shared_on_client && used[api].types.contains(name) {
                used[origin].input(&loaded[origin].0, name);
            }
        }
    }
    loaded
        .iter()
        .zip(&used)
        .map(|((schema, _), used)| schema.subset(&used.types, &used.root_fields))
        .collect()
}

/// The client or the server half of an API's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Client,
    Server,
}

/// One side of one API, formatted.
struct SideOutput {
    /// The formatted file for this side alone.
    text: String,
    /// The resolver skeleton, when asked for (server side).
    skeleton: Option<GeneratedFile>,
}

/// Joins the formatted sides of one API into the file prettyplease would print for both:
/// the first side without the API module's closing brace, then the second without the API
/// module's doc and opening line. Formatting the sides apart lets both cores share an API.
fn splice(first: &str, second: &str, module: &str) -> Result<String, Error> {
    let opening = format!("\npub mod {module} {{\n");
    let head = first.strip_suffix("}\n");
    let tail = second
        .find(&opening)
        .map(|at| &second[at + opening.len()..]);
    match (head, tail) {
        (Some(head), Some(tail)) => Ok(format!("{head}{tail}")),
        _ => Err(Error::Internal(format!(
            "the two sides of `{module}` do not join; this is a bug of shopql-codegen, please report it"
        ))),
    }
}

/// `{ head body }`, moving both in.
fn braced(mut head: TokenStream, body: TokenStream) -> TokenStream {
    head.extend([body]);
    TokenStream::from(TokenTree::Group(Group::new(Delimiter::Brace, head)))
}

/// Reads and checks `schemas` and the operation documents that apply to each. Every problem goes
/// to `diags`; every file and directory read is added to `inputs`. Only schemas without errors
/// are returned, with their operations (an operation document with errors adds none).
fn load(
    schemas: &[PathBuf],
    operation_dirs: &[PathBuf],
    diags: &mut Diagnostics,
    inputs: &mut Vec<PathBuf>,
) -> Result<Vec<(Schema, Vec<Operation>)>, Error> {
    inputs.extend(schemas.iter().cloned());
    let single = schemas.len() == 1;
    // A missing operations path is a mistake worth stopping for; one that applies to no API is
    // worth a warning (its documents would be silently skipped).
    let apis: Vec<String> = schemas.iter().map(|p| api_name(p)).collect();
    for path in operation_dirs {
        if !path.exists() {
            return Err(Error::Io {
                path: path.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such operations file or directory",
                ),
            });
        }
        if !apis
            .iter()
            .any(|api| operations_for(path, api, single).is_some())
        {
            diags.push(
                Diagnostic::warning(
                    Location::new(&file_id(path), 1, 1),
                    format!(
                        "these operations apply to no API (the APIs are {})",
                        apis.join(", ")
                    ),
                )
                .with_help("put the documents of API `x` in `DIR/x/`, or in a directory named `x`"),
            );
        }
    }
    // Schemas and their operations are independent of each other's: read and check them on all
    // cores; the results are gathered in input order.
    let size = |p: &PathBuf| fs::metadata(p).map_or(0, |m| m.len() as usize);
    let loaded = parallel_map(schemas, size, |path| load_api(path, operation_dirs, single));
    let mut out = Vec::with_capacity(loaded.len());
    for api in loaded {
        let api = api?;
        diags.extend(api.diags);
        inputs.extend(api.inputs);
        out.extend(api.loaded);
    }
    Ok(out)
}

/// What [`load_api`] read for one schema.
struct LoadedApi {
    /// The schema and its operations; none when the schema has errors.
    loaded: Option<(Schema, Vec<Operation>)>,
    diags: Diagnostics,
    /// The operation files and directories read (the schema file is listed by the caller).
    inputs: Vec<PathBuf>,
}

/// Reads and checks one schema and the operation documents that apply to it.
fn load_api(path: &Path, operation_dirs: &[PathBuf], single: bool) -> Result<LoadedApi, Error> {
    let mut diags = Diagnostics::new();
    let mut inputs = Vec::new();
    let schema = match Schema::from_file(path) {
        Ok(s) => {
            diags.extend(s.warnings.clone());
            s
        }
        Err(d) => {
            diags.extend(d);
            return Ok(LoadedApi {
                loaded: None,
                diags,
                inputs,
            });
        }
    };
    let mut ops: Vec<Operation> = Vec::new();
    for path in operation_dirs {
        let Some(path) = operations_for(path, &schema.name, single) else {
            continue;
        };
        let files = if path.is_dir() {
            let files = graphql_files(&path)?;
            inputs.push(path);
            files
        } else {
            vec![path]
        };
        for f in files {
            inputs.push(f.clone());
            match operations::parse_file(&schema, &f) {
                Ok(mut parsed) => ops.append(&mut parsed),
                Err(d) => diags.extend(d),
            }
        }
    }
    // Operation names are method and module names: they must be unique per API.
    let mut seen: HashMap<&str, &Location> = HashMap::new();
    for op in &ops {
        if let Some(first) = seen.get(op.name.as_str()) {
            diags.push(
                Diagnostic::error(
                    op.location.clone(),
                    format!("operation `{}` is defined in two documents", op.name),
                )
                .with_help(format!(
                    "the other one is at {first}; operation names must be unique per API"
                )),
            );
        } else {
            seen.insert(&op.name, &op.location);
        }
    }
    Ok(LoadedApi {
        loaded: Some((schema, ops)),
        diags,
        inputs,
    })
}

/// `f` applied to every item, on up to as many threads as there are cores; the results in the
/// order of `items`. Threads take the items one at a time, the costliest first (by `cost`), so
/// that a big item started last does not keep the others waiting.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    cost: impl Fn(&T) -> usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cost(&items[i])));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let r = f(&items[i]);
                    results.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .flatten()
        .collect()
}

/// What [`Builder::check`] found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// The number of schema files read.
    pub schemas: usize,
    /// The number of operations checked (in schemas without errors).
    pub operations: usize,
    /// Every error and warning.
    pub diagnostics: Diagnostics,
    /// Every file and directory read.
    pub inputs: Vec<PathBuf>,
}

impl CheckReport {
    /// True when no error was found (warnings allowed).
    pub fn is_ok(&self) -> bool {
        !self.diagnostics.has_errors()
    }

    fn check_group(
        &mut self,
        config: &Config,
        schemas: &[PathBuf],
        dirs: &[PathBuf],
    ) -> Result<(), Error> {
        self.schemas += schemas.len();
        let loaded = load(schemas, dirs, &mut self.diagnostics, &mut self.inputs)?;
        self.operations += loaded.iter().map(|(_, ops)| ops.len()).sum::<usize>();
        // The types one API reuses from another must be defined identically, as generation
        // requires: a drift found here is found before a build.
        let schemas: Vec<&Schema> = loaded.iter().map(|(s, _)| s).collect();
        emit::externs::plan(config, &schemas, &mut self.diagnostics);
        Ok(())
    }
}

/// What happened to one output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteStatus {
    /// The file was created or its content changed.
    Written,
    /// The file already had this content; it was not touched (its mtime is unchanged).
    Unchanged,
    /// A skeleton file exists: it is user code now and was left alone.
    KeptExisting,
}

/// One file of [`Generated::write`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// Where it is.
    pub path: PathBuf,
    /// Whether it was written.
    pub status: WriteStatus,
}

impl Generated {
    /// Writes every file into `out_dir` (created if needed), only where the content changed;
    /// an existing skeleton file is never overwritten.
    pub fn write(&self, out_dir: &Path) -> Result<Vec<WrittenFile>, Error> {
        fs::create_dir_all(out_dir).map_err(io(out_dir))?;
        let mut written = Vec::with_capacity(self.files.len());
        for file in &self.files {
            let path = out_dir.join(&file.name);
            let status = if file.name.ends_with("_skeleton.rs") && path.exists() {
                WriteStatus::KeptExisting
            } else if write_if_changed(&path, &file.contents)? {
                WriteStatus::Written
            } else {
                WriteStatus::Unchanged
            };
            written.push(WrittenFile { path, status });
        }
        Ok(written)
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The `*.graphql` files of a directory, sorted (not recursive).
pub(crate) fn graphql_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "graphql" || e == "gql"))
        .collect();
    files.sort();
    Ok(files)
}

fn schema_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let files = graphql_files(dir)?;
    if files.is_empty() {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::error(
            Location::new(&file_id(dir), 1, 1),
            "no *.graphql schema in this directory",
        ));
        return Err(Error::Diagnostics(d));
    }
    Ok(files)
}

/// The operations that apply to API `api` from `path`, if any: `path/<api>/` when it exists;
/// `path` itself when it is named after the API or when there is a single API; for a file, the
/// file when its directory is named after the API or there is a single API.
fn operations_for(path: &Path, api: &str, single: bool) -> Option<PathBuf> {
    if path.is_file() {
        let parent_is_api = path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == api);
        return (single || parent_is_api).then(|| path.to_path_buf());
    }
    let sub = path.join(api);
    if sub.is_dir() {
        return Some(sub);
    }
    if path.file_name().is_some_and(|n| n == api) || single {
        return path.is_dir().then(|| path.to_path_buf());
    }
    None
}

/// The API name of a schema file: its stem, as [`Schema::parse`] names it.
fn api_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "schema".to_string())
}

/// Writes `contents` unless the file already holds exactly that. Returns whether it wrote.
fn write_if_changed(path: &Path, contents: &str) -> Result<bool, Error> {
    if fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return Ok(false);
    }
    fs::write(path, contents).map_err(io(path))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spliced_sides_are_the_file_formatted_whole() -> Result<(), Error> {
        let format = |t| crate::emit::format_file(t).map_err(Error::Internal);
        let client = quote!(
            #[doc = " c"]
            pub mod client {
                pub struct A {
                    pub a: ::core::option::Option<u8>,
                }
            }
        );
        let server = quote!(
            #[doc = " s"]
            pub mod server {
                pub trait T {
                    fn f(&self) -> u8 {
                        1
                    }
                }
            }
        );
        let whole = format(quote!(#[doc = " The API."] pub mod r#type { #client #server }))?;
        let first = format(quote!(#[doc = " The API."] pub mod r#type { #client }))?;
        let second = format(quote!(#[doc = " The API."] pub mod r#type { #server }))?;
        assert_eq!(splice(&first, &second, "r#type")?, whole);
        assert!(matches!(
            splice(&first, "", "r#type"),
            Err(Error::Internal(_))
        ));
        Ok(())
    }

    #[test]
    fn parallel_map_keeps_the_input_order() {
        let items: Vec<usize> = (0..50).collect();
        let out = parallel_map(&items, |&i| i % 7, |&i| i * 2);
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(parallel_map(&[] as &[usize], |_| 0, |&i| i).is_empty());
    }

    #[test]
    fn operation_paths_apply_by_name_or_when_alone() -> Result<(), std::io::Error> {
        let dir = std::env::temp_dir().join(format!("shopql-codegen-ops-{}", std::process::id()));
        let shop = dir.join("shop");
        fs::create_dir_all(&shop)?;
        let doc = shop.join("q.graphql");
        fs::write(&doc, "query Q { a }")?;
        // `DIR/<api>/` applies to that API only, unless there is a single API.
        assert_eq!(operations_for(&dir, "shop", false), Some(shop.clone()));
        assert_eq!(operations_for(&dir, "lock", false), None);
        assert_eq!(operations_for(&dir, "lock", true), Some(dir.clone()));
        // A directory named after the API, and a file in one, apply to it.
        assert_eq!(operations_for(&shop, "shop", false), Some(shop.clone()));
        assert_eq!(operations_for(&doc, "shop", false), Some(doc.clone()));
        assert_eq!(operations_for(&doc, "lock", false), None);
        assert_eq!(operations_for(&doc, "lock", true), Some(doc.clone()));
        fs::remove_dir_all(&dir)
    }

    #[test]
    fn write_if_changed_reports_whether_it_wrote() -> Result<(), Error> {
        let dir = std::env::temp_dir().join(format!("shopql-codegen-write-{}", std::process::id()));
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let file = dir.join("a.rs");
        assert!(write_if_changed(&file, "one")?);
        assert!(!write_if_changed(&file, "one")?);
        assert!(write_if_changed(&file, "two")?);
        fs::remove_dir_all(&dir).map_err(io(&dir))
    }

    #[test]
    fn api_names_are_file_stems() {
        assert_eq!(
            api_name(Path::new("schemas/cart-admin.graphql")),
            "cart-admin"
        );
        assert_eq!(api_name(Path::new("")), "schema");
    }
}
