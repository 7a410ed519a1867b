//! The schema-maintenance commands of the CLI: `print`, `introspect` and `diff`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use shopql_codegen::diff::{self, Level};
use shopql_codegen::introspect::{INTROSPECTION_QUERY, sdl_from_introspection};
use shopql_codegen::model::{Schema, Subscriptions};

#[derive(Debug, Args)]
pub struct PrintArgs {
    /// The schema (SDL) file.
    #[arg(value_name = "SCHEMA")]
    schema: PathBuf,

    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct IntrospectArgs {
    /// The GraphQL endpoint, e.g. http://127.0.0.1:4000/purchase/graphql.
    #[arg(value_name = "URL")]
    url: String,

    /// A request header, `name: value`; repeat for several.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    headers: Vec<(String, String)>,

    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Give up after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
}

/// The level of change that makes `diff` exit non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Breaking changes.
    Breaking,
    /// Breaking or dangerous changes.
    Dangerous,
    /// Never: list the changes only.
    None,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The schema as it is (SDL file).
    #[arg(value_name = "OLD")]
    old: PathBuf,

    /// The schema as it would be (SDL file).
    #[arg(value_name = "NEW")]
    new: PathBuf,

    /// Exit with status 1 on changes of this level or worse.
    #[arg(long, value_enum, default_value_t = FailOn::Breaking)]
    fail_on: FailOn,

    /// Also list which operation documents (`*.graphql`) in DIR the change breaks. When DIR
    /// has a subdirectory named after the API (`DIR/<api>/`), that is read instead.
    #[arg(long, value_name = "DIR")]
    operations: Option<PathBuf>,
}

fn parse_header(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once(':')
        .ok_or_else(|| format!("expected `name: value`, got `{s}`"))?;
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("`{name}` is not a header name"));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

fn read_schema(path: &Path) -> Result<Schema, ExitCode> {
    Schema::from_file(path).map_err(|diagnostics| {
        for d in diagnostics.sorted() {
            eprintln!("{d}");
        }
        eprintln!("error: {} is not a valid schema", path.display());
        ExitCode::from(2)
    })
}

fn write_out(out: Option<&Path>, text: &str) -> ExitCode {
    match out {
        None => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                ExitCode::from(2)
            }
        },
    }
}

pub fn print(args: PrintArgs) -> ExitCode {
    match read_schema(&args.schema) {
        Ok(schema) => write_out(args.out.as_deref(), &schema.to_sdl(Subscriptions::Include)),
        Err(code) => code,
    }
}

pub fn introspect(args: IntrospectArgs) -> ExitCode {
    let answer = match fetch_introspection(&args) {
        Ok(answer) => answer,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    // The API's name for messages: the last path segment of the URL.
    let name = args
        .url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("introspected");
    match sdl_from_introspection(&answer, name) {
        Ok(sdl) => write_out(args.out.as_deref(), &sdl),
        Err(e) => {
            eprintln!("error: {}: {e}", args.url);
            ExitCode::from(1)
        }
    }
}

/// POSTs the introspection query; the answer's JSON, whatever its status, or why there is none.
fn fetch_introspection(args: &IntrospectArgs) -> Result<serde_json::Value, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(args.timeout))
            .user_agent(concat!("shopql-codegen/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        let mut request = client
            .post(&args.url)
            .json(&serde_json::json!({
                "query": INTROSPECTION_QUERY,
                "operationName": "IntrospectionQuery",
            }))
            .header(
                "accept",
                "application/graphql-response+json, application/json",
            );
        for (name, value) in &args.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("{}: {}", args.url, error_chain(&e)))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("{}: {}", args.url, error_chain(&e)))?;
        serde_json::from_slice(&body).map_err(|_| {
            let text = String::from_utf8_lossy(&body);
            let start: String = text.trim().chars().take(200).collect();
            format!(
                "{} answered HTTP {status} with a body that is not JSON: {start:?}",
                args.url
            )
        })
    })
}

/// reqwest's message and its causes ("error sending request" alone says little).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

pub fn diff(args: DiffArgs) -> ExitCode {
    let (old, new) = match (read_schema(&args.old), read_schema(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let changes = diff::diff(&old, &new);
    for change in &changes {
        println!("{change}");
    }
    let count = |level| changes.iter().filter(|c| c.level == level).count();
    let (breaking, dangerous, safe) = (
        count(Level::Breaking),
        count(Level::Dangerous),
        count(Level::Safe),
    );
    let mut impacts = Vec::new();
    if let Some(dir) = &args.operations {
        let files = match diff::operation_files(dir, &new.name) {
            Ok(files) => files,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        impacts = diff::operation_impacts(&old, &new, &files);
        if !impacts.is_empty() {
            println!();
        }
        for impact in &impacts {
            println!("{impact}");
        }
    }
    let broken_operations = impacts
        .iter()
        .filter(|i| i.level == Level::Breaking)
        .count();
    eprintln!(
        "{breaking} breaking, {dangerous} dangerous, {safe} safe{}",
        if args.operations.is_some() {
            format!("; {broken_operations} operation document(s) broken")
        } else {
            String::new()
        }
    );
    let fail = match args.fail_on {
        FailOn::Breaking => breaking > 0 || broken_operations > 0,
        FailOn::Dangerous => breaking > 0 || dangerous > 0 || !impacts.is_empty(),
        FailOn::None => false,
    };
    if fail {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_parsed() {
        assert_eq!(
            parse_header("Authorization: Bearer a:b"),
            Ok(("Authorization".into(), "Bearer a:b".into()))
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header(": value").is_err());
        assert!(parse_header("bad name: v").is_err());
    }
}
