//! `shopql-bench`: load, growth, memory and codegen benchmarks of shopql, and `bench/REPORT.md`
//! with its charts. Run it with `bench/run` (which builds the release binaries first):
//!
//! ```text
//! bench/run                       # everything, on SQLite (about 10 minutes)
//! bench/run --quick               # short windows, small growth, no compile cost
//! bench/run --postgres postgres://postgres@127.0.0.1:5432/postgres
//! ```
//!
//! The reference server and the ceiling server run as child processes; the load generator
//! runs here, on the same cores (the figures include its cost, as the targets say).

mod background;
mod charts;
mod codegen;
mod db;
mod load;
mod machine;
mod report;
mod scenarios;
mod server;
mod serving;
mod wire;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::db::{Database, Templates};
use crate::load::{Measurement, Window};
use crate::scenarios::{Ctx, Kind, Op};
use crate::server::{Memory, Server};

/// Benchmarks of shopql: server load against a ceiling, growth with data, memory, codegen.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
    /// Short windows (0.3 s warm-up + 1 s), growth to 10^4 rows only, no compile cost.
    #[arg(long)]
    quick: bool,
    /// Also run on PostgreSQL: a URL of a server where a fresh database may be created
    /// (e.g. postgres://postgres@127.0.0.1:5432/postgres). SQLite is always measured.
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// Seconds of each measurement (after a warm-up of a third of it, at most 1 s); default 1.5,
    /// or 1 with --quick.
    #[arg(long, value_name = "SECONDS")]
    measure: Option<f64>,
    /// Skip the growth phase.
    #[arg(long)]
    skip_growth: bool,
    /// Also run the writes on SQLite with `--sqlite-synchronous normal`, to show what the
    /// per-commit fsync costs (about 50 s more).
    #[arg(long)]
    sqlite_normal: bool,
    /// Skip the serving phase (metrics on against off, persisted query against full text).
    #[arg(long)]
    skip_serving: bool,
    /// Skip the clean and incremental debug builds.
    #[arg(long)]
    skip_compile: bool,
    /// Only these operations (labels as in the report, substring match), for development.
    #[arg(long, value_name = "TEXT")]
    only: Vec<String>,
    /// The reference server's log filter (e.g. `sqlx=debug` to log every statement with its
    /// time), for finding what a slow operation does.
    #[arg(long, value_name = "FILTER", default_value = "warn")]
    server_log: String,
    /// Keep the temporary directory (databases and server logs) instead of removing it.
    #[arg(long)]
    keep_temp: bool,
    /// Where REPORT.md, results.json and the charts go (default: the bench/ directory).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Sub {
    /// Internal: the ceiling server (a child process of the benchmark).
    #[command(hide = true)]
    Ceiling {
        #[arg(long)]
        addr: SocketAddr,
        #[arg(long)]
        body_bytes: usize,
    },
}

/// Alternated rounds of `bench/compile-client-size` in a full run.
const CLIENT_SIZE_ROUNDS: usize = 3;

/// The connection counts of the load phase.
pub const CONNECTIONS: [usize; 3] = [1, 16, 64];

/// Everything measured, as written to results.json and REPORT.md.
#[derive(Debug, Serialize)]
pub struct Results {
    /// `full` or `quick`.
    pub mode: String,
    /// The command line.
    pub args: String,
    /// Machine and versions.
    pub machine: machine::Machine,
    /// Warm-up and measurement, seconds.
    pub warmup_s: f64,
    /// Measurement window, seconds.
    pub measure_s: f64,
    /// One section per backend.
    pub backends: Vec<BackendResults>,
    /// Codegen wall times.
    pub codegen: Vec<codegen::Timing>,
    /// Codegen failure, if any.
    pub codegen_error: Option<String>,
    /// What metrics and persisted queries cost or save (SQLite).
    pub serving: Option<serving::ServingCosts>,
    /// Why the serving figures are missing.
    pub serving_note: Option<String>,
    /// Compile cost (full mode).
    pub compile: Option<codegen::CompileCost>,
    /// Why the compile cost is missing.
    pub compile_note: Option<String>,
    /// The synthetic schema's client (and client+server) generated each way, and cynic's, built
    /// after a touch (full mode).
    pub client_size: Option<Vec<codegen::ClientSize>>,
    /// Why the client sizes are missing.
    pub client_size_note: Option<String>,
    /// Wall time of the whole run, seconds.
    pub elapsed_s: f64,
    /// Where the run's time went: each phase and its wall time in seconds, in order (the
    /// release build first when `bench/run` timed it).
    pub phases: Vec<(String, f64)>,
}

/// The figures of one backend.
#[derive(Debug, Serialize)]
pub struct BackendResults {
    /// `SQLite` or `PostgreSQL`.
    pub backend: String,
    /// Database server version.
    pub version: String,
    /// Ceiling response size, bytes.
    pub ceiling_body_bytes: usize,
    /// The ceiling at each connection count: the better of the runs before and after.
    pub ceiling: Vec<Measurement>,
    /// Both ceiling runs (before the operations, after them).
    pub ceiling_runs: Vec<Vec<Measurement>>,
    /// Each operation at each connection count.
    pub ops: Vec<OpResult>,
    /// Server memory after the load phase.
    pub memory_after_load: Memory,
    /// Server memory at start (after seeding), before load.
    pub memory_idle: Memory,
    /// The growth phase.
    pub growth: Vec<GrowthStep>,
    /// Problems met.
    pub notes: Vec<String>,
    /// Wall time of this backend's load and growth phases, seconds.
    pub phases: Vec<(String, f64)>,
}

/// One operation in the load phase.
#[derive(Debug, Serialize)]
pub struct OpResult {
    /// Which.
    pub op: Op,
    /// Its label.
    pub label: String,
    /// Read, write, journey.
    pub kind: Kind,
    /// What is sent.
    pub detail: String,
    /// Why it was not measured.
    pub unavailable: Option<String>,
    /// Response size of one request, bytes.
    pub response_bytes: usize,
    /// One per connection count.
    pub points: Vec<Measurement>,
}

/// One data size of the growth phase.
#[derive(Debug, Serialize)]
pub struct GrowthStep {
    /// Bulk rows in each of shop_carts, client_checkouts, purchase_carts, mp_adverts, mp_variants.
    pub rows: u64,
    /// Seconds the bulk insert took.
    pub load_s: f64,
    /// Database size, bytes.
    pub db_bytes: u64,
    /// Server memory after the step's measurements.
    pub memory: Memory,
    /// Each operation at 1 connection (None: not measured, with the reason).
    pub points: Vec<(Op, Result<Measurement, String>)>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Sub::Ceiling { addr, body_bytes }) = cli.command {
        return server::run_ceiling(addr, body_bytes);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(cli))
}

fn workspace_root() -> anyhow::Result<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .context("bench/ has no parent")?
        .canonicalize()
        .context("locating the workspace")
}

fn release_bin(root: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let bin = target.join("release").join(name);
    anyhow::ensure!(
        bin.exists(),
        "{} is missing: build it with `cargo build --release -p {}` (bench/run does)",
        bin.display(),
        if name == "shopql-codegen" {
            "shopql-codegen"
        } else {
            "shopql-reference"
        }
    );
    Ok(bin)
}

struct Settings {
    window: Window,
    growth_window: Window,
    sizes: Vec<u64>,
    only: Vec<String>,
    codegen_runs: usize,
    /// `bench/run`'s build of the compile-cost dependencies.
    deps: background::DepsBuild,
}

impl Settings {
    fn wants(&self, op: Op) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| op.label().contains(o.as_str()))
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let started = Instant::now();
    let root = workspace_root()?;
    let out = cli.out.clone().unwrap_or_else(|| root.join("bench"));
    std::fs::create_dir_all(&out)?;
    let reference = release_bin(&root, "shopql-reference")?;
    let codegen_bin = release_bin(&root, "shopql-codegen")?;
    let tmp = std::env::temp_dir().join(format!("shopql-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let _cleanup = (!cli.keep_temp).then(|| RemoveOnDrop(tmp.clone()));
    server::set_log_filter(&cli.server_log);

    // 1.5 s is thousands of requests per point even at the slowest single request's latency:
    // enough for a stable p99, and the full run stays short enough to repeat.
    let measure = cli.measure.unwrap_or(if cli.quick { 1.0 } else { 1.5 });
    let warmup = (measure / 3.0).min(1.0);
    let settings = Settings {
        window: Window {
            warmup: Duration::from_secs_f64(warmup),
            measure: Duration::from_secs_f64(measure),
        },
        growth_window: Window {
            warmup: Duration::from_secs_f64(warmup.min(0.5)),
            measure: Duration::from_secs_f64((measure * 2.0 / 3.0).max(0.5)),
        },
        sizes: if cli.quick {
            vec![1_000, 10_000]
        } else {
            vec![1_000, 100_000, 1_000_000]
        },
        only: cli.only.clone(),
        codegen_runs: if cli.quick { 3 } else { 10 },
        // Stopped from here on, except while bulk loads leave a core free.
        deps: background::DepsBuild::from_env(),
    };
    let mut machine = machine::describe(&root);
    eprintln!(
        "shopql-bench: {} cores, load {:.2}, {} s per point, temporary files in {}",
        machine.cores,
        machine.load_start,
        measure,
        tmp.display()
    );

    let mut phases: Vec<(String, f64)> = Vec::new();
    // `bench/run` times its builds and passes the figure on.
    if let Some(build) = std::env::var("SHOPQL_BENCH_BUILD_S")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
    {
        phases.push((
            "release build in `bench/run` (the compile-cost dependencies start beside it)".into(),
            build,
        ));
    }
    // First, before the load phases have filled the page cache with gigabytes of databases: the
    // figure then depends on the generator alone.
    let phase = Instant::now();
    eprintln!("codegen: timing `shopql-codegen generate`");
    let (codegen, codegen_error) =
        match codegen::generate(&root, &codegen_bin, &tmp, settings.codegen_runs) {
            Ok(t) => (t, None),
            Err(e) => (Vec::new(), Some(format!("{e:#}"))),
        };
    phases.push(("codegen".into(), phase.elapsed().as_secs_f64()));
    let mut backends = Vec::new();
    // SQLite as shipped (synchronous=FULL), then, if asked, its writes with synchronous=NORMAL
    // (no growth).
    for normal in [false].into_iter().chain(cli.sqlite_normal.then_some(true)) {
        let sqlite = |name: &str| {
            if normal {
                Database::sqlite_normal(&tmp, &format!("{name}-normal"))
            } else {
                Database::sqlite(&tmp, name)
            }
        };
        let r = bench_backend(
            &root,
            &reference,
            &tmp,
            &settings,
            &cli,
            sqlite("load"),
            || Box::pin(async move { Ok(sqlite("growth")) }),
        )
        .await?;
        phases.extend(r.phases.iter().cloned());
        backends.push(r);
    }
    let (serving, serving_note) = if cli.skip_serving || !cli.only.is_empty() {
        (None, Some("skipped (--skip-serving or --only)".to_string()))
    } else {
        let phase = Instant::now();
        eprintln!("serving: metrics on and off, persisted query and full text");
        let rounds = if cli.quick { 3 } else { 5 };
        let r = serving::measure(&root, &reference, &tmp, settings.window, rounds).await;
        phases.push(("serving features".into(), phase.elapsed().as_secs_f64()));
        match r {
            Ok(c) => (Some(c), None),
            Err(e) => (None, Some(format!("failed: {e:#}"))),
        }
    };
    if let Some(url) = &cli.postgres {
        let load_db = Database::postgres(url, "load").await?;
        let r = bench_backend(&root, &reference, &tmp, &settings, &cli, load_db, || {
            Box::pin(Database::postgres(url, "growth"))
        })
        .await?;
        phases.extend(r.phases.iter().cloned());
        backends.push(r);
    }

    let (compile, compile_note) = if cli.quick || cli.skip_compile {
        (
            None,
            Some("skipped (--quick or --skip-compile)".to_string()),
        )
    } else {
        let phase = Instant::now();
        settings.deps.finish();
        phases.push((
            "compile cost: the rest of `bench/run`'s dependency build".into(),
            phase.elapsed().as_secs_f64(),
        ));
        eprintln!("compile cost: debug builds of shopql-sdk and shopql-server-stubs");
        match codegen::compile_cost(&root) {
            Ok(c) => {
                phases.push((
                    "compile cost: dependencies (untimed warm-up)".into(),
                    c.warmup_s,
                ));
                phases.push((
                    "compile cost: the timed builds".into(),
                    c.sdk_clean_s + c.stubs_clean_s + c.incremental_s,
                ));
                (Some(c), None)
            }
            Err(e) => (None, Some(format!("failed: {e:#}"))),
        }
    };
    let (client_size, client_size_note) = if cli.quick || cli.skip_compile {
        (
            None,
            Some("skipped (--quick or --skip-compile)".to_string()),
        )
    } else {
        let phase = Instant::now();
        eprintln!(
            "compile cost: the synthetic schema's clients and cynic's (bench/compile-client-size)"
        );
        let r = codegen::client_size(&root, CLIENT_SIZE_ROUNDS);
        phases.push((
            "compile cost: the synthetic clients (bench/compile-client-size)".into(),
            phase.elapsed().as_secs_f64(),
        ));
        match r {
            Ok(c) => (Some(c), None),
            Err(e) => (None, Some(format!("failed: {e:#}"))),
        }
    };
    machine.load_end = machine::load_average();
    let results = Results {
        mode: if cli.quick { "quick" } else { "full" }.into(),
        args: std::env::args().skip(1).collect::<Vec<_>>().join(" "),
        machine,
        warmup_s: warmup,
        measure_s: measure,
        backends,
        codegen,
        codegen_error,
        serving,
        serving_note,
        compile,
        compile_note,
        client_size,
        client_size_note,
        elapsed_s: started.elapsed().as_secs_f64(),
        phases,
    };
    std::fs::write(
        out.join("results.json"),
        serde_json::to_string_pretty(&results)?,
    )?;
    report::write(&out, &results)?;
    eprintln!(
        "wrote {} in {:.0} s",
        out.join("REPORT.md").display(),
        results.elapsed_s
    );
    Ok(())
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

type DbFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<Database>> + 'a>>;

async fn db_version(db: &Database) -> String {
    let Ok(pool) = db.connect().await else {
        return "unknown".into();
    };
    let sql = match db.backend {
        db::Backend::Sqlite => "SELECT 'SQLite ' || sqlite_version()",
        db::Backend::Postgres => "SELECT split_part(version(), ' on ', 1)",
    };
    let v = sqlx::query_scalar::<_, String>(sql)
        .fetch_one(&pool)
        .await
        .unwrap_or_else(|_| "unknown".into());
    pool.close().await;
    v
}

async fn bench_backend<'a>(
    root: &Path,
    reference: &Path,
    tmp: &Path,
    s: &Settings,
    cli: &Cli,
    mut load_db: Database,
    growth_db: impl FnOnce() -> DbFuture<'a>,
) -> anyhow::Result<BackendResults> {
    let label = load_db.label();
    let started = Instant::now();
    let mut phases = Vec::new();
    eprintln!("[{label}] starting the reference server");
    let server = Server::reference(
        reference,
        &load_db.url,
        &load_db.server_args(),
        tmp.join(format!("{label}-load.log")),
    )
    .await?;
    let version = db_version(&load_db).await;
    let memory_idle = server.memory()?;
    let ctx = Ctx::prepare(server.addr, root).await?;
    let mut notes = ctx.notes.clone();
    if let Err(e) = &ctx.client_jwt {
        notes.push(format!("client login failed: {e:#}"));
    }

    // Which operations work here, and how big their answers are.
    let mut ops = Vec::new();
    // The NORMAL-durability pass measures what fsync costs the writes; reads are the same.
    let writes_only = load_db.sync_normal;
    for op in Op::LOAD
        .into_iter()
        .filter(|o| s.wants(*o) && (!writes_only || o.kind() == Kind::Write))
    {
        let (unavailable, size) = match ctx.check(op).await {
            Ok(size) => (None, size),
            Err(e) => {
                eprintln!("[{label}] {} is not measured: {e:#}", op.label());
                (Some(format!("{e:#}")), 0)
            }
        };
        ops.push(OpResult {
            op,
            label: op.label().into(),
            kind: op.kind(),
            detail: op.detail().into(),
            unavailable,
            response_bytes: size,
            points: Vec::new(),
        });
    }
    let mut sizes: Vec<usize> = ops
        .iter()
        .filter(|o| o.unavailable.is_none() && o.kind != Kind::Journey)
        .map(|o| o.response_bytes)
        .collect();
    sizes.sort_unstable();
    let ceiling_body_bytes = sizes.get(sizes.len() / 2).copied().unwrap_or(1000).max(64);

    let before = measure_ceiling(tmp, ceiling_body_bytes, s.window).await?;
    for o in ops.iter_mut().filter(|o| o.unavailable.is_none()) {
        for c in CONNECTIONS {
            let plans = ctx.plans(o.op, c).await?;
            let m = load::run(server.addr, plans, s.window).await?;
            eprintln!(
                "[{label}] {:<32} {:>3} conn: {:>8.0} /s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
                o.label, c, m.per_second, m.p50_ms, m.p99_ms, m.errors
            );
            o.points.push(m);
        }
    }
    let memory_after_load = server.memory()?;
    let after = measure_ceiling(tmp, ceiling_body_bytes, s.window).await?;
    let ceiling = before
        .iter()
        .zip(&after)
        .map(|(a, b)| {
            if a.per_second >= b.per_second {
                a.clone()
            } else {
                b.clone()
            }
        })
        .collect();
    server.stop().await?;
    load_db.drop_database().await;
    phases.push((format!("{label}: load"), started.elapsed().as_secs_f64()));

    let growth = if cli.skip_growth || writes_only {
        Vec::new()
    } else {
        let started = Instant::now();
        let mut db = growth_db().await?;
        let g = growth(root, reference, tmp, s, &db, &mut notes).await;
        db.drop_database().await;
        phases.push((format!("{label}: growth"), started.elapsed().as_secs_f64()));
        g?
    };

    Ok(BackendResults {
        backend: label.into(),
        version,
        ceiling_body_bytes,
        ceiling,
        ceiling_runs: vec![before, after],
        ops,
        memory_after_load,
        memory_idle,
        growth,
        notes,
        phases,
    })
}

async fn measure_ceiling(
    tmp: &Path,
    body: usize,
    window: Window,
) -> anyhow::Result<Vec<Measurement>> {
    let ceiling = Server::ceiling(body, tmp.join("ceiling.log")).await?;
    let probe = wire::Req::graphql("/graphql", &[], "{ ceiling }", &serde_json::json!({}))?;
    let mut out = Vec::new();
    for c in CONNECTIONS {
        let plans = (0..c)
            .map(|_| load::Plan::Cycle(vec![probe.clone()]))
            .collect();
        let m = load::run(ceiling.addr, plans, window).await?;
        eprintln!(
            "[ceiling] {:>3} conn: {:>8.0} /s  p50 {:>7.2} ms  p99 {:>7.2} ms",
            c, m.per_second, m.p50_ms, m.p99_ms
        );
        out.push(m);
    }
    ceiling.stop().await?;
    Ok(out)
}

async fn growth(
    root: &Path,
    reference: &Path,
    tmp: &Path,
    s: &Settings,
    db: &Database,
    notes: &mut Vec<String>,
) -> anyhow::Result<Vec<GrowthStep>> {
    let label = db.label();
    let ops: Vec<Op> = Op::GROWTH.into_iter().filter(|o| s.wants(*o)).collect();
    // A first start makes the schema, the demo data, and one real row per table to copy.
    let server = Server::reference(
        reference,
        &db.url,
        &db.server_args(),
        tmp.join(format!("{label}-growth.log")),
    )
    .await?;
    let ctx = Ctx::prepare(server.addr, root).await?;
    let mut usable = Vec::new();
    for op in &ops {
        match ctx.check(*op).await {
            Ok(_) => usable.push(*op),
            Err(e) => notes.push(format!("growth: {} not measured: {e:#}", op.label())),
        }
    }
    server.stop().await?;
    let templates = templates(db, notes).await?;
    let now = now_ms();
    let mut have = 0;
    let mut steps = Vec::new();
    for &rows in &s.sizes {
        eprintln!("[{label}] growth: loading to {rows} rows per table");
        // The load keeps one core busy; the compile-cost dependencies may use the other.
        s.deps.resume();
        let step = db::grow(db, &templates, have, rows, now).await;
        s.deps.pause();
        let step = step?;
        have = rows;
        let server = Server::reference(
            reference,
            &db.url,
            &db.server_args(),
            tmp.join(format!("{label}-growth-{rows}.log")),
        )
        .await?;
        let ctx = Ctx::prepare(server.addr, root).await?;
        let mut points = Vec::new();
        for op in &ops {
            if !usable.contains(op) {
                points.push((*op, Err("not available".to_string())));
                continue;
            }
            let r = match ctx.plans(*op, 1).await {
                Ok(plans) => load::run(server.addr, plans, s.growth_window)
                    .await
                    .map_err(|e| format!("{e:#}")),
                Err(e) => Err(format!("{e:#}")),
            };
            if let Ok(m) = &r {
                eprintln!(
                    "[{label}] {rows:>8} rows  {:<32} p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
                    op.label(),
                    m.p50_ms,
                    m.p99_ms,
                    m.errors
                );
            }
            points.push((*op, r));
        }
        let memory = server.memory()?;
        server.stop().await?;
        let pool = db.connect().await?;
        let db_bytes = db.size_bytes(&pool).await;
        pool.close().await;
        steps.push(GrowthStep {
            rows,
            load_s: step.seconds,
            db_bytes,
            memory,
            points,
        });
    }
    Ok(steps)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The rows the growth phase copies: the oldest of each kind, that is demo data rather than a
/// row the measured operations made or keep changing, so that the copies do not depend on
/// which operations ran (`--only`).
async fn templates(db: &Database, notes: &mut Vec<String>) -> anyhow::Result<Templates> {
    let pool = db.connect().await?;
    let mut one = async |table: &str, sql: &str| -> Option<String> {
        match sqlx::query_scalar::<_, String>(sql)
            .fetch_optional(&pool)
            .await
        {
            Ok(Some(id)) => Some(id),
            Ok(None) => {
                notes.push(format!(
                    "growth: no {table} row to copy; {table} is not grown"
                ));
                None
            }
            Err(e) => {
                notes.push(format!("growth: finding a {table} row to copy: {e}"));
                None
            }
        }
    };
    let t = Templates {
        shop_cart: one(
            "shop_carts",
            "SELECT id FROM shop_carts WHERE tenant = 'demo' AND item_count > 0 AND state = 'cart' ORDER BY created_at, id LIMIT 1",
        )
        .await,
        checkout: one(
            "client_checkouts",
            "SELECT id FROM client_checkouts WHERE status = 'open' ORDER BY created, id LIMIT 1",
        )
        .await,
        purchase_cart: one(
            "purchase_carts",
            "SELECT id FROM purchase_carts WHERE cart_type = 'cart' ORDER BY created_ms, id LIMIT 1",
        )
        .await,
        advert: one(
            "mp_adverts",
            &format!(
                "SELECT CAST(advert_id AS TEXT) FROM mp_variants WHERE advert_id = {} AND live = 1 LIMIT 1",
                scenarios::SEED_ADVERT
            ),
        )
        .await
        .and_then(|id| id.parse().ok()),
    };
    pool.close().await;
    Ok(t)
}
