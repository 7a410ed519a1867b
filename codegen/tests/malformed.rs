//! The generator never panics and always says where: every document of the malformed corpus
//! (`tests/malformed/*.graphql` for schemas, `tests/malformed/operations/*.graphql` for operation
//! documents, checked against the kitchen-sink fixture) gets at least one error, at the line and
//! column its `# expect: LINE:COL: text` comments name. Generated inputs add what files cannot
//! hold well: a huge schema, nesting bombs, every prefix of a valid document, and byte soup.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test asserts; a failed unwrap is a failure

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use shopql_codegen::model::Schema;
use shopql_codegen::operations::parse_document;
use shopql_codegen::{Diagnostic, Diagnostics};

/// One expected diagnostic: an error at `line`:`column` whose text contains `text`.
#[derive(Debug)]
struct Expect {
    line: usize,
    column: usize,
    text: String,
}

fn expectations(source: &str) -> Vec<Expect> {
    source
        .lines()
        .filter_map(|l| l.trim_start_matches('\u{feff}').strip_prefix("# expect: "))
        .map(|rest| {
            let mut parts = rest.splitn(3, ':');
            let line = parts.next().unwrap().trim().parse().unwrap();
            let column = parts.next().unwrap().trim().parse().unwrap();
            let text = parts.next().unwrap().trim().to_string();
            Expect { line, column, text }
        })
        .collect()
}

fn corpus(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
        .collect();
    files.sort();
    files
}

/// Runs `f`, turning a panic into a failure that names the input.
fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => panic!("the generator panicked on {what}"),
    }
}

fn check_expectations(file: &Path, source: &str, result: Result<usize, Diagnostics>) {
    let name = file.display().to_string();
    let expected = expectations(source);
    assert!(
        !expected.is_empty(),
        "{name} has no `# expect: LINE:COL: text` line"
    );
    let diags = match result {
        Ok(n) => panic!("{name}: expected errors, but it was accepted ({n} item(s))"),
        Err(d) => d,
    };
    let errors: Vec<Diagnostic> = diags
        .sorted()
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(!errors.is_empty(), "{name}: no error diagnostic:\n{diags}");
    for d in &errors {
        assert_eq!(
            &*d.location.file, file,
            "{name}: a diagnostic names another file: {d}"
        );
        assert!(
            d.location.line >= 1 && d.location.column >= 1,
            "{name}: unlocated: {d}"
        );
    }
    for e in &expected {
        let found = errors.iter().any(|d| {
            d.location.line == e.line
                && d.location.column == e.column
                && d.to_string().contains(&e.text)
        });
        assert!(
            found,
            "{name}: expected an error at {}:{} containing {:?}; got:\n{diags}",
            e.line, e.column, e.text
        );
    }
}

#[test]
fn every_malformed_schema_gets_located_errors() {
    let files = corpus("tests/malformed");
    assert!(files.len() >= 30, "the corpus has {} schemas", files.len());
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let source = String::from_utf8(bytes).unwrap();
        let result = no_panic(&file.display().to_string(), || {
            Schema::parse(&source, file).map(|s| s.types().count())
        });
        check_expectations(file, &source, result);
    }
}

fn fixture_schema() -> Schema {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kitchen_sink.graphql");
    Schema::from_file(&path).unwrap()
}

#[test]
fn every_malformed_operation_document_gets_located_errors() {
    let schema = fixture_schema();
    let files = corpus("tests/malformed/operations");
    assert!(
        files.len() >= 10,
        "the corpus has {} documents",
        files.len()
    );
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        let result = no_panic(&file.display().to_string(), || {
            parse_document(&schema, &source, file).map(|ops| ops.len())
        });
        check_expectations(file, &source, result);
    }
}

#[test]
fn the_whole_pipeline_reports_malformed_schemas_as_diagnostics() {
    for file in corpus("tests/malformed") {
        let result = no_panic(&file.display().to_string(), || {
            shopql_codegen::configure()
                .server(true)
                .cargo_output(false)
                .generate(std::slice::from_ref(&file), &[])
        });
        match result {
            Err(shopql_codegen::Error::Diagnostics(d)) => assert!(d.has_errors()),
            Err(e) => panic!("{}: expected diagnostics, got {e}", file.display()),
            Ok(_) => panic!("{}: generated code from a malformed schema", file.display()),
        }
    }
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let source = "\u{feff}type Query { a: Int }\n";
    let schema = Schema::parse(source, Path::new("bom.graphql")).unwrap();
    assert!(schema.get("Query").is_some());
}

#[test]
fn a_huge_schema_with_one_error_at_the_end_is_located() {
    let mut sdl = String::from("type Query { t0: T0 }\n");
    for i in 0..20_000 {
        let _ = writeln!(
            sdl,
            "\"Type {i}.\"\ntype T{i} {{ id: ID! next: T{} }}",
            i + 1
        );
    }
    // T20000 is never defined: the last type's `next` is the one error.
    let last_line = sdl.lines().count();
    let err = Schema::parse(&sdl, Path::new("huge.graphql")).unwrap_err();
    let errors: Vec<Diagnostic> = err.sorted().into_iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert_eq!(errors[0].location.line, last_line);
    assert_eq!(errors[0].location.column, 23); // the field `next`
    assert!(errors[0].message.contains("unknown type `T20000`"), "{err}");
}

#[test]
fn nesting_bombs_are_refused_without_overflowing_the_stack() {
    let schema = fixture_schema();
    for depth in [200, 10_000, 1_000_000] {
        let sdl = format!(
            "type Query {{ a: {}Int{} }}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let err = Schema::parse(&sdl, Path::new("bomb.graphql")).unwrap_err();
        assert!(err.to_string().contains("nested more than"), "{err}");

        let doc = format!(
            "query Q {{ search(text: {}\"x\"{}) {{ __typename }} }}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let err = parse_document(&schema, &doc, Path::new("bomb.graphql")).unwrap_err();
        assert!(err.to_string().contains("nested more than"), "{err}");

        let doc = format!("query Q {}{}", "{ a ".repeat(depth), "}".repeat(depth));
        let err = parse_document(&schema, &doc, Path::new("bomb.graphql")).unwrap_err();
        assert!(err.to_string().contains("nested more than"), "{err}");
    }
}

/// Every prefix of a valid document is either valid or gets a located error, never a panic.
#[test]
fn every_prefix_of_a_valid_document_is_handled() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let sdl = std::fs::read_to_string(dir.join("kitchen_sink.graphql")).unwrap();
    let schema = fixture_schema();
    let ops = std::fs::read_to_string(dir.join("operations/kitchen_sink/search.graphql")).unwrap();
    for (i, _) in sdl.char_indices() {
        let prefix = &sdl[..i];
        if let Err(d) = no_panic(&format!("a {i}-byte prefix of the schema"), || {
            Schema::parse(prefix, Path::new("prefix.graphql"))
        }) {
            assert!(d.has_errors(), "prefix {i}: {d}");
        }
    }
    // The hostile fixture (schema descriptions, `extend schema`, `@oneOf`), every 7th prefix.
    let hostile = std::fs::read_to_string(dir.join("hostile.graphql")).unwrap();
    for (i, _) in hostile.char_indices().step_by(7) {
        let prefix = &hostile[..i];
        if let Err(d) = no_panic(&format!("a {i}-byte prefix of hostile.graphql"), || {
            Schema::parse(prefix, Path::new("prefix.graphql"))
        }) {
            assert!(d.has_errors(), "prefix {i}: {d}");
        }
    }
    for (i, _) in ops.char_indices() {
        let prefix = &ops[..i];
        if let Err(d) = no_panic(&format!("a {i}-byte prefix of the operations"), || {
            parse_document(&schema, prefix, Path::new("prefix.graphql"))
        }) {
            assert!(d.has_errors(), "prefix {i}: {d}");
        }
    }
}

/// Deterministic byte soup made of GraphQL's own punctuation and words: never a panic.
#[test]
fn byte_soup_never_panics() {
    const PIECES: &[&str] = &[
        "type ",
        "Query",
        " { ",
        " }",
        "(",
        ")",
        "[",
        "]",
        "!",
        ":",
        "=",
        "@deprecated",
        "\"",
        "\"\"\"",
        "input ",
        "enum ",
        "union ",
        "|",
        "&",
        " implements ",
        "extend ",
        "schema ",
        "query ",
        "fragment ",
        "...",
        " on ",
        "$v",
        "1",
        "-1.5e3",
        "true",
        "null",
        "\n",
        "#",
        "interface ",
        "scalar ",
        "directive @d on FIELD",
        "a",
        "B",
        "__",
        "\u{feff}",
        "é",
        "extend schema ",
        "\"d\" schema ",
        " @oneOf",
        " repeatable",
        "mutation: ",
    ];
    let schema = fixture_schema();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for case in 0..3_000 {
        let mut text = String::new();
        let len = (case % 60) + 1;
        for _ in 0..len {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let r = state.wrapping_mul(0x2545_f491_4f6c_dd1d);
            text.push_str(PIECES[(r % PIECES.len() as u64) as usize]);
        }
        no_panic(&format!("soup case {case}: {text:?}"), || {
            let _ = Schema::parse(&text, Path::new("soup.graphql"));
            let _ = parse_document(&schema, &text, Path::new("soup.graphql"));
        });
    }
}

/// One undefined scalar used everywhere in a big schema: every use is reported, and the
/// did-you-mean search runs once per name, not once per use.
#[test]
fn many_uses_of_one_unknown_type_are_all_reported_quickly() {
    let mut sdl = String::from("type Query { t0: T0 }\n");
    for i in 0..10_000 {
        let _ = writeln!(
            sdl,
            "type T{i} {{ at: DateTim next: T{} }}",
            (i + 1) % 10_000
        );
    }
    sdl.push_str("scalar DateTime\n");
    let started = std::time::Instant::now();
    let err = Schema::parse(&sdl, Path::new("many.graphql")).unwrap_err();
    assert_eq!(err.error_count(), 10_000);
    assert!(err.to_string().contains("did you mean `DateTime`?"));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}
