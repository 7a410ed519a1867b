//! Codegen speed (the release CLI, end to end: process start, parse, check, emit, format,
//! write) and the compile cost of the generated crates (clean and incremental debug builds).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use serde::Serialize;

#[path = "../../codegen/tests/common/synthetic.rs"]
#[allow(dead_code, clippy::all)] // shared with the codegen crate's compile test and benchmark
mod synthetic;

/// The build scripts' scalar mapping, so that the CLI does the same work as `build.rs`.
const SCALARS: [&str; 10] = [
    "DateTime=::std::string::String",
    "Date=::std::string::String",
    "UUID=::std::string::String",
    "HashMap=::serde_json::Map<::std::string::String, ::serde_json::Value>",
    "PositiveInt=u32",
    "Rate=f64",
    "Decimal=::std::string::String",
    "DynamicPropertyValue=::serde_json::Value",
    "ISO8601DateTime=::std::string::String",
    "ISO8601Date=::std::string::String",
];

/// Wall times of repeated runs of one command.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    /// What ran.
    pub what: String,
    /// Each run, ms.
    pub runs_ms: Vec<f64>,
    /// Fastest.
    pub min_ms: f64,
    /// Median.
    pub median_ms: f64,
    /// Lines of Rust written (codegen only).
    pub lines: Option<usize>,
    /// Named types of the input (codegen only).
    pub types: Option<usize>,
}

impl Timing {
    fn new(what: &str, mut runs_ms: Vec<f64>) -> Self {
        let unsorted = runs_ms.clone();
        runs_ms.sort_by(f64::total_cmp);
        Self {
            what: what.to_string(),
            min_ms: runs_ms.first().copied().unwrap_or(0.0),
            median_ms: runs_ms.get(runs_ms.len() / 2).copied().unwrap_or(0.0),
            runs_ms: unsorted,
            lines: None,
            types: None,
        }
    }
}

fn time(cmd: &mut Command) -> anyhow::Result<f64> {
    let started = Instant::now();
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {cmd:?}"))?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(ms)
}

fn count_lines(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .map(|t| t.lines().count())
                .sum()
        })
        .unwrap_or(0)
}

/// Runs `shopql-codegen generate` `runs` times on the seven schemas and on the synthetic schema.
pub fn generate(
    root: &Path,
    codegen_bin: &Path,
    tmp: &Path,
    runs: usize,
) -> anyhow::Result<Vec<Timing>> {
    let mut schemas: Vec<PathBuf> = std::fs::read_dir(root.join("schemas"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
        .collect();
    schemas.sort();
    let synth = synthetic::schema(synthetic::groups_for(2000));
    let synth_dir = tmp.join("synthetic");
    std::fs::create_dir_all(synth_dir.join("operations"))?;
    let synth_schema = synth_dir.join("synthetic.graphql");
    std::fs::write(&synth_schema, &synth.sdl)?;
    std::fs::write(
        synth_dir.join("operations").join("synthetic.graphql"),
        &synth.operations,
    )?;

    let cases: [(String, Vec<PathBuf>, PathBuf, Option<usize>); 2] = [
        (
            format!(
                "seven schemas + {} operation documents, client and server",
                count_ops(&root.join("schemas").join("operations"))
            ),
            schemas,
            root.join("schemas").join("operations"),
            None,
        ),
        (
            format!(
                "synthetic schema ({} types) + operations, client and server",
                synth.type_count
            ),
            vec![synth_schema],
            synth_dir.join("operations"),
            Some(synth.type_count),
        ),
    ];
    let mut out = Vec::new();
    for (i, (what, files, ops, types)) in cases.into_iter().enumerate() {
        let mut runs_ms = Vec::new();
        let mut lines = 0;
        for r in 0..runs.max(1) + 1 {
            let dir = tmp.join(format!("gen-{i}-{r}"));
            let mut cmd = Command::new(codegen_bin);
            cmd.arg("generate");
            for f in &files {
                cmd.arg("--schema").arg(f);
            }
            cmd.arg("--operations")
                .arg(&ops)
                .arg("--client")
                .arg("--server");
            for s in SCALARS {
                cmd.arg("--scalar").arg(s);
            }
            cmd.arg("--lazy-field")
                .arg("CartType.availableShippingMethods")
                .arg("--lazy-field")
                .arg("CartType.availablePaymentMethods")
                .arg("--out")
                .arg(&dir);
            let ms = time(&mut cmd)?;
            // The first run warms the page cache; it is not counted.
            if r > 0 {
                runs_ms.push(ms);
            }
            lines = count_lines(&dir);
            let _ = std::fs::remove_dir_all(&dir);
        }
        let mut t = Timing::new(&what, runs_ms);
        t.lines = Some(lines);
        t.types = types;
        out.push(t);
    }
    Ok(out)
}

fn count_ops(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| {
                    std::fs::read_dir(e.path())
                        .map(|inner| {
                            inner
                                .filter_map(Result::ok)
                                .filter(|f| f.path().extension().is_some_and(|x| x == "graphql"))
                                .count()
                        })
                        .unwrap_or(0)
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Compile cost of the generated crates, in a target directory of the bench's own (so that
/// other builds neither wait on its lock nor disturb it).
#[derive(Debug, Clone, Serialize)]
pub struct CompileCost {
    /// The target directory used.
    pub target_dir: String,
    /// Dependencies built first (not timed), seconds.
    pub warmup_s: f64,
    /// `cargo clean -p shopql-sdk`, then the build of both crates, seconds.
    pub sdk_clean_s: f64,
    /// `cargo clean -p shopql-server-stubs`, then the build of both crates, seconds.
    pub stubs_clean_s: f64,
    /// After touching both crates' `schemas/lock.graphql`: `cargo build -p shopql-sdk -p shopql-server-stubs`.
    pub incremental_s: f64,
    /// Lines of generated Rust in the SDK's OUT_DIR.
    pub sdk_generated_lines: usize,
    /// Lines of generated Rust in the server stubs' OUT_DIR.
    pub stubs_generated_lines: usize,
}

/// The profile of the timed builds (the workspace's Cargo.toml): dev, with dependencies
/// unoptimised as in a project that adds the SDK with cargo's defaults.
pub const PROFILE: &str = "compile-cost";

fn cargo(root: &Path, target: &Path, args: &[&str]) -> anyhow::Result<f64> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .args(args)
        .arg("--quiet");
    time(&mut cmd).map(|ms| ms / 1000.0)
}

fn generated_lines(target: &Path, package: &str) -> usize {
    // target/<profile>/build/<package>-<hash>/out/*.rs, the newest one.
    let build = target.join(PROFILE).join("build");
    let mut best: Option<(std::time::SystemTime, PathBuf)> = None;
    if let Ok(rd) = std::fs::read_dir(&build) {
        for e in rd.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let out = e.path().join("out");
            if name.starts_with(&format!("{package}-"))
                && out.is_dir()
                && let Ok(m) = std::fs::metadata(&out).and_then(|m| m.modified())
                && best.as_ref().is_none_or(|(t, _)| m > *t)
            {
                best = Some((m, out));
            }
        }
    }
    best.map(|(_, p)| count_lines(&p)).unwrap_or(0)
}

/// Measures the compile cost.
///
/// Every build names the same two packages. Cargo resolves features per invocation, so building
/// `-p shopql-sdk` alone after both would rebuild serde, and all that depends on it, with other
/// features: the timings would be of the dependencies, not of the generated crates. The two
/// crates do not depend on each other, so after `cargo clean -p X` only X is rebuilt.
pub fn compile_cost(root: &Path) -> anyhow::Result<CompileCost> {
    let target = root.join("target").join("bench-compile");
    let both = [
        "build",
        "--profile",
        PROFILE,
        "-p",
        "shopql-sdk",
        "-p",
        "shopql-server-stubs",
    ];
    let warmup_s = cargo(root, &target, &both)?;
    cargo(
        root,
        &target,
        &["clean", "--profile", PROFILE, "-p", "shopql-sdk"],
    )?;
    let sdk_clean_s = cargo(root, &target, &both)?;
    cargo(
        root,
        &target,
        &["clean", "--profile", PROFILE, "-p", "shopql-server-stubs"],
    )?;
    let stubs_clean_s = cargo(root, &target, &both)?;
    // Each crate generates from its own copy of the schemas (the one it is published with).
    touch(&root.join("sdk/schemas/lock.graphql"))?;
    touch(&root.join("server-stubs/schemas/lock.graphql"))?;
    let incremental_s = cargo(root, &target, &both)?;
    Ok(CompileCost {
        target_dir: target.display().to_string(),
        warmup_s,
        sdk_clean_s,
        stubs_clean_s,
        incremental_s,
        sdk_generated_lines: generated_lines(&target, "shopql-sdk"),
        stubs_generated_lines: generated_lines(&target, "shopql-server-stubs"),
    })
}

/// Sets the modification time of `path` to now, without changing its content.
fn touch(path: &Path) -> anyhow::Result<()> {
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.set_modified(std::time::SystemTime::now())?;
    Ok(())
}

/// One crate of `bench/compile-client-size`: the synthetic schema's client generated one way
/// (or cynic's), and its debug builds after a touch.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ClientSize {
    /// `all`, `used`, `used-3`, `used-3-server` or `cynic` (the script's header says which is
    /// what).
    pub variant: String,
    /// Lines of the generated file (none for cynic, whose code is macro output).
    pub lines: Option<usize>,
    /// Its top-level types.
    pub types: Option<usize>,
    /// Wall time of each round's build, seconds.
    pub seconds: Vec<f64>,
    /// Peak resident memory of each round's build (cargo and the rustc it waits for), MB.
    pub peak_mb: Vec<f64>,
}

impl ClientSize {
    /// The median build, seconds.
    pub fn median_s(&self) -> f64 {
        crate::serving::median(self.seconds.clone())
    }

    /// The median peak memory, MB.
    pub fn median_mb(&self) -> f64 {
        crate::serving::median(self.peak_mb.clone())
    }
}

/// Runs `bench/compile-client-size` (`rounds` alternated rounds) and reads its figures. Its
/// dependencies build in its own target directory first, untimed.
pub fn client_size(root: &Path, rounds: usize) -> anyhow::Result<Vec<ClientSize>> {
    let json = root
        .join("target")
        .join("bench-client-size")
        .join("results.json");
    let out = Command::new(root.join("bench").join("compile-client-size"))
        .arg(rounds.to_string())
        .arg(&json)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .context("running bench/compile-client-size")?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(20).collect();
        bail!(
            "bench/compile-client-size failed ({}):\n{}",
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    let text =
        std::fs::read_to_string(&json).with_context(|| format!("reading {}", json.display()))?;
    Ok(serde_json::from_str(&text)?)
}
