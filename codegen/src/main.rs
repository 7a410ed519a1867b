//! `shopql-codegen`: the generator on the command line.
//!
//! `generate` writes the Rust of one or more APIs into a directory (for people who check
//! generated code in or want a quick look); `check` validates schemas and operation documents
//! and prints `file:line:col: error: …` diagnostics, exiting non-zero on any error. `print`,
//! `introspect` and `diff` keep `schemas/` in step with running services (see `cli`).

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use shopql_codegen::{Builder, ClientTypes, Diagnostics, Error, WriteStatus};

// Generation allocates and frees millions of small tokens; mimalloc does that markedly faster
// than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Schema-first GraphQL code generator: SDL and operation documents to a typed async Rust
/// client and trait-based server stubs.
#[derive(Debug, Parser)]
#[command(name = "shopql-codegen", version, propagate_version = true)]
#[command(after_help = "\
Examples:
  shopql-codegen check schemas/
  shopql-codegen generate --schema schemas/shop.graphql --operations schemas/operations \\
      --client --server --out src/generated/

Exit status: 0 on success (warnings allowed), 1 when the documents have errors, 2 when a file
cannot be read or written or the command line is wrong.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate Rust for one or more schemas and write one file per API (`<api>.rs`).
    ///
    /// Each schema file is one API, named after the file's stem (`shop.graphql` gives `shop.rs`,
    /// which defines `pub mod shop`). Files are written only when their content changed.
    #[command(after_help = "\
Examples:
  # The client of one API, with its operation documents (schemas/operations/shop/*.graphql):
  shopql-codegen generate --schema schemas/shop.graphql --operations schemas/operations --out src/generated/

  # Client and server of every API, with custom scalars mapped and a lazy field:
  shopql-codegen generate --schema schemas/*.graphql --operations schemas/operations \\
      --client --server --scalar DateTime=::std::string::String --scalar Decimal=::rust_decimal::Decimal \\
      --lazy-field CartType.availableShippingMethods --out src/generated/

  # A client of only the types and root fields its operations use:
  shopql-codegen generate --schema schemas/shop.graphql --operations my-operations/ \\
      --client-types used --out src/generated/

  # A starting implementation of the lock API's resolver trait, written once:
  shopql-codegen generate --schema schemas/lock.graphql --server --skeleton \\
      --skeleton-module crate::generated::lock --out src/generated/

Include a generated file with `include!(\"generated/shop.rs\");` or declare it as a module.")]
    Generate(GenerateArgs),

    /// Check schemas and operation documents; print every diagnostic and exit non-zero on errors.
    ///
    /// Each PATH is a schema file or a directory. A directory is read as a build script's
    /// `compile_dir` reads it: every `*.graphql` in it is an API, and `operations/<api>/*.graphql`
    /// are that API's operations. Diagnostics are printed as `file:line:col: error: …` (and
    /// `warning: …`) on standard error; a summary line goes to standard output.
    #[command(after_help = "\
Examples:
  shopql-codegen check schemas/
  shopql-codegen check schemas/shop.graphql --operations schemas/operations
  shopql-codegen check my-api.graphql other-api.graphql
  shopql-codegen check schemas/ --extern-types cart-admin=shop")]
    Check(CheckArgs),

    /// Print a schema in canonical form: `extend`s merged, one `schema` definition, built-in
    /// scalars and directive definitions left out (what the generated server embeds).
    #[command(after_help = "\
Examples:
  shopql-codegen print schemas/shop.graphql
  shopql-codegen print schemas/shop.graphql -o /tmp/shop.canonical.graphql")]
    Print(cli::PrintArgs),

    /// Read the schema of a running service (the standard introspection query) and print it as
    /// SDL, descriptions and deprecations kept, in the canonical form of `print`.
    #[command(after_help = "\
Examples:
  shopql-codegen introspect http://127.0.0.1:4000/purchase/graphql -o schemas/purchase.graphql
  shopql-codegen introspect http://127.0.0.1:4000/client/graphql -H 'commonground-origin: www.my-vinyl-store.com'
  shopql-codegen introspect http://127.0.0.1:4000/demo/cart -H \"authorization: Bearer $TOKEN\"

Exit status: 0 on success, 1 when the answer is not a valid schema (or introspection is off),
2 when the service cannot be reached or the output cannot be written.")]
    Introspect(cli::IntrospectArgs),

    /// List the breaking, dangerous and safe changes from OLD to NEW, with locations; exit 1 on
    /// the level chosen with --fail-on (breaking by default), for CI.
    #[command(after_help = "\
Examples:
  shopql-codegen diff schemas/shop.graphql /tmp/shop.graphql
  git show main:schemas/shop.graphql > /tmp/old.graphql
  shopql-codegen diff /tmp/old.graphql schemas/shop.graphql --operations schemas/operations --fail-on dangerous

Each change is printed as `file:line:col: LEVEL: coordinate: what`; with --operations, each
operation document the change breaks (it no longer validates, or a field it selects may now be
null) or endangers (it may meet enum values or types it has never seen) follows.
Exit status: 0, 1 when changes reach the --fail-on level, 2 when a schema cannot be read.")]
    Diff(cli::DiffArgs),
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// A schema (SDL) file; one API per file. Repeat for several APIs.
    #[arg(long = "schema", value_name = "FILE", required = true, num_args = 1..)]
    schemas: Vec<PathBuf>,

    /// A directory of operation documents. `DIR/<api>/` applies to API `<api>`; a directory named
    /// after an API applies to it; with a single schema every directory applies to it.
    #[arg(long = "operations", value_name = "DIR", num_args = 1..)]
    operations: Vec<PathBuf>,

    /// Emit the typed client (the default when neither --client nor --server is given).
    #[arg(long)]
    client: bool,

    /// Emit the resolver trait and its async-graphql server.
    #[arg(long)]
    server: bool,

    /// Also write `<api>_skeleton.rs`, a starting implementation of the resolver trait whose
    /// methods return NOT_IMPLEMENTED. Never overwrites an existing skeleton. Implies --server.
    #[arg(long)]
    skeleton: bool,

    /// The Rust path at which the skeleton finds the generated module (default `crate::<api>`).
    #[arg(long, value_name = "PATH", requires = "skeleton")]
    skeleton_module: Option<String>,

    /// Map a custom scalar to a Rust type, e.g. `DateTime=::chrono::DateTime<::chrono::Utc>`.
    /// Unmapped custom scalars become a newtype over `serde_json::Value`, with a warning.
    #[arg(long = "scalar", value_name = "NAME=PATH", value_parser = parse_scalar)]
    scalars: Vec<(String, String)>,

    /// Resolve `Type.field` only when selected (a resolver method on the server; left out of
    /// the client's default selections).
    #[arg(long = "lazy-field", value_name = "Type.field", value_parser = parse_coordinate)]
    lazy_fields: Vec<String>,

    /// Reuse in API API the generated types of API FROM (by schema file stem), e.g.
    /// `cart-admin=shop`: every type both define, identically (an error otherwise), is written
    /// once, in FROM's file. Both schemas must be generated in the same run.
    #[arg(long = "extern-types", value_name = "API=FROM", value_parser = parse_extern)]
    extern_types: Vec<(String, String)>,

    /// Which types the client emits: `all` (the whole schema: every type, a method per root
    /// field) or `used` (only what the operation documents use: their variables' and selected
    /// types, the root fields they ask for; compiles in proportion to the operations, but is
    /// no longer a general client of the API). The server always emits the whole schema.
    #[arg(long, value_enum, value_name = "WHICH", default_value_t = ClientTypesArg::All)]
    client_types: ClientTypesArg,

    /// Derive both `Serialize` and `Deserialize` on every client type (by default each type
    /// derives only the direction it travels: sent types `Serialize`, received ones
    /// `Deserialize`).
    #[arg(long)]
    serde_both_ways: bool,

    /// The path of the client runtime crate.
    #[arg(long, value_name = "PATH", default_value = "::shopql_sdk")]
    client_runtime: String,

    /// The path of the server runtime crate.
    #[arg(long, value_name = "PATH", default_value = "::shopql_server_stubs")]
    server_runtime: String,

    /// The directory to write into (created if needed).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Schema files, or directories of schemas (with `operations/<api>/`).
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,

    /// Directories of operation documents for the schema files given directly.
    #[arg(long = "operations", value_name = "DIR", num_args = 1..)]
    operations: Vec<PathBuf>,

    /// Check that API API defines the types it reuses from API FROM identically, as `generate
    /// --extern-types` requires, e.g. `cart-admin=shop`. Both must be among the schemas checked
    /// together (one directory, or the files given directly).
    #[arg(long = "extern-types", value_name = "API=FROM", value_parser = parse_extern)]
    extern_types: Vec<(String, String)>,

    /// Exit non-zero on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

/// `--client-types`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ClientTypesArg {
    /// The whole schema.
    All,
    /// Only what the operation documents use.
    Used,
}

impl From<ClientTypesArg> for ClientTypes {
    fn from(arg: ClientTypesArg) -> Self {
        match arg {
            ClientTypesArg::All => ClientTypes::All,
            ClientTypesArg::Used => ClientTypes::UsedByOperations,
        }
    }
}

/// A builder with the `--extern-types` pairs.
fn with_externs(mut builder: Builder, pairs: Vec<(String, String)>) -> Builder {
    for (api, from) in pairs {
        builder = builder.extern_types(api, from);
    }
    builder
}

fn parse_extern(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((api, from)) if !api.trim().is_empty() && !from.trim().is_empty() => {
            Ok((api.trim().to_string(), from.trim().to_string()))
        }
        _ => Err(format!(
            "expected API=FROM, e.g. cart-admin=shop, got `{s}`"
        )),
    }
}

fn parse_scalar(s: &str) -> Result<(String, String), String> {
    let (name, path) = s.split_once('=').ok_or_else(|| {
        format!("expected NAME=PATH, e.g. DateTime=::std::string::String, got `{s}`")
    })?;
    let (name, path) = (name.trim(), path.trim());
    if name.is_empty() || path.is_empty() {
        return Err(format!(
            "expected NAME=PATH with both sides non-empty, got `{s}`"
        ));
    }
    if syn::parse_str::<syn::Type>(path).is_err() {
        return Err(format!("`{path}` is not a Rust type"));
    }
    Ok((name.to_string(), path.to_string()))
}

fn parse_coordinate(s: &str) -> Result<String, String> {
    match s.split_once('.') {
        Some((t, f)) if !t.is_empty() && !f.is_empty() && !f.contains('.') => Ok(s.to_string()),
        _ => Err(format!(
            "expected a field coordinate `Type.field`, got `{s}`"
        )),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate(args) => generate(args),
        Command::Check(args) => check(args),
        Command::Print(args) => cli::print(args),
        Command::Introspect(args) => cli::introspect(args),
        Command::Diff(args) => cli::diff(args),
    }
}

fn print_diagnostics(diags: &Diagnostics) {
    for d in diags.sorted() {
        eprintln!("{d}");
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn generate(args: GenerateArgs) -> ExitCode {
    let server = args.server || args.skeleton;
    let client = args.client || !server;
    let mut builder = shopql_codegen::configure()
        .client(client)
        .server(server)
        .skeleton(args.skeleton)
        .client_runtime(args.client_runtime)
        .server_runtime(args.server_runtime)
        .cargo_output(false);
    if let Some(m) = args.skeleton_module {
        builder = builder.skeleton_module(m);
    }
    for (name, path) in args.scalars {
        builder = builder.scalar(name, path);
    }
    for coordinate in args.lazy_fields {
        builder = builder.lazy_field(coordinate);
    }
    let builder = with_externs(
        builder
            .client_types(args.client_types.into())
            .serde_both_ways(args.serde_both_ways),
        args.extern_types,
    );
    run_generate(&builder, &args.schemas, &args.operations, &args.out)
}

fn run_generate(
    builder: &Builder,
    schemas: &[PathBuf],
    operations: &[PathBuf],
    out: &std::path::Path,
) -> ExitCode {
    let generated = match builder.generate(schemas, operations) {
        Ok(g) => g,
        Err(e) => return fail(e),
    };
    print_diagnostics(&generated.warnings);
    let written = match generated.write(out) {
        Ok(w) => w,
        Err(e) => return fail(e),
    };
    for w in &written {
        let what = match w.status {
            WriteStatus::Written => "wrote",
            WriteStatus::Unchanged => "unchanged",
            WriteStatus::KeptExisting => "kept (exists)",
        };
        println!("{what:>13} {}", w.path.display());
    }
    println!(
        "generated {} from {} and {}{}",
        plural(generated.files.len(), "file"),
        plural(schemas.len(), "schema"),
        plural(generated.operation_count, "operation"),
        match generated.warnings.warning_count() {
            0 => String::new(),
            n => format!(", {}", plural(n, "warning")),
        }
    );
    ExitCode::SUCCESS
}

fn fail(e: Error) -> ExitCode {
    match e {
        Error::Diagnostics(d) => {
            print_diagnostics(&d);
            eprintln!(
                "error: {} found; nothing was written",
                plural(d.error_count(), "error")
            );
            ExitCode::from(1)
        }
        other => {
            eprintln!("error: {other}");
            ExitCode::from(2)
        }
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let builder = with_externs(
        shopql_codegen::configure().cargo_output(false),
        args.extern_types,
    );
    let report = match builder.check(&args.paths, &args.operations) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    print_diagnostics(&report.diagnostics);
    let errors = report.diagnostics.error_count();
    let warnings = report.diagnostics.warning_count();
    let summary = format!(
        "checked {} and {}: {}, {}",
        plural(report.schemas, "schema"),
        plural(report.operations, "operation"),
        plural(errors, "error"),
        plural(warnings, "warning"),
    );
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        eprintln!("{summary}");
        ExitCode::from(1)
    } else {
        println!("{summary}");
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn scalar_mappings_are_parsed() {
        assert_eq!(
            parse_scalar("DateTime=::std::string::String"),
            Ok(("DateTime".into(), "::std::string::String".into()))
        );
        assert!(parse_scalar("DateTime").is_err());
        assert_eq!(
            parse_extern("cart-admin=shop"),
            Ok(("cart-admin".to_string(), "shop".to_string()))
        );
        assert!(parse_extern("cart-admin").is_err());
        assert!(parse_extern("=shop").is_err());
        assert!(parse_scalar("=u32").is_err());
        assert!(parse_scalar("X=not a type!").is_err());
    }

    #[test]
    fn coordinates_are_parsed() {
        assert!(parse_coordinate("CartType.availableShippingMethods").is_ok());
        assert!(parse_coordinate("Cart").is_err());
        assert!(parse_coordinate("a.b.c").is_err());
        assert!(parse_coordinate(".b").is_err());
    }
}
