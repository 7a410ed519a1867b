//! Throughput of a trivial query through the generated stubs (async-graphql `dynamic` schema,
//! resolvers behind the generated trait) against a hand-written async-graphql server doing the
//! same with derive macros (`#[Object]`, `SimpleObject`). Both run in-process with
//! `schema.execute(request)` on a current-thread tokio runtime, so the figures compare the
//! engines and the generated glue, not HTTP.
//!
//! `cargo bench -p shopql-server-stubs --bench throughput`
//!
//! - `stubs/shipped`: `lock::schema(…)` with the default limits, executed with
//!   `shopql_server_stubs::execute` (alias limit, error codes, corrections), as the HTTP layer does;
//! - `derive/limits`: the hand-written server with the same async-graphql limits;
//! - `stubs/no-limits` and `derive/bare`: both without limits.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use shopql_server_stubs::lock::{LockResolvers, LockStatus};
use shopql_server_stubs::{ApiResult, FieldContext, RequestContext, ServerConfig};

const QUERY: &str = r#"{ lock(key: "order:42") { key held heldByCaller } }"#;
const MUTATION: &str = r#"mutation { acquire(key: "order:42", ttl: 30) }"#;

/// The stubs side: the generated trait.
struct Locks;

#[shopql_server_stubs::async_trait::async_trait]
impl LockResolvers for Locks {
    async fn lock(&self, _: &FieldContext<'_>, key: String) -> ApiResult<Option<LockStatus>> {
        Ok(Some(LockStatus {
            key,
            held: false,
            held_by_caller: false,
            acquired_at: None,
            expires_at: None,
        }))
    }
    async fn acquire(
        &self,
        _: &FieldContext<'_>,
        key: String,
        ttl: Option<i32>,
    ) -> ApiResult<bool> {
        Ok(!key.is_empty() && ttl.is_some())
    }
    async fn release(&self, _: &FieldContext<'_>, key: String) -> ApiResult<bool> {
        Ok(!key.is_empty())
    }
}

/// The hand-written side: the same schema with derive macros.
mod derive {
    use async_graphql::{Context, EmptySubscription, Object, Result, Schema, SimpleObject};

    #[derive(SimpleObject)]
    pub struct LockStatus {
        key: String,
        held: bool,
        held_by_caller: bool,
        acquired_at: Option<String>,
        expires_at: Option<String>,
    }

    pub struct Query;

    #[Object]
    impl Query {
        async fn lock(&self, _ctx: &Context<'_>, key: String) -> Result<Option<LockStatus>> {
            Ok(Some(LockStatus {
                key,
                held: false,
                held_by_caller: false,
                acquired_at: None,
                expires_at: None,
            }))
        }
    }

    pub struct Mutation;

    #[Object]
    impl Mutation {
        async fn acquire(
            &self,
            _ctx: &Context<'_>,
            key: String,
            #[graphql(default = 60)] ttl: Option<i32>,
        ) -> Result<bool> {
            Ok(!key.is_empty() && ttl.is_some())
        }
        async fn release(&self, _ctx: &Context<'_>, key: String) -> Result<bool> {
            Ok(!key.is_empty())
        }
    }

    pub type LockSchema = Schema<Query, Mutation, EmptySubscription>;

    pub fn bare() -> LockSchema {
        Schema::build(Query, Mutation, EmptySubscription).finish()
    }

    pub fn with_limits(c: &shopql_server_stubs::ServerConfig) -> LockSchema {
        Schema::build(Query, Mutation, EmptySubscription)
            .limit_depth(c.max_depth)
            .limit_complexity(c.max_complexity)
            .limit_recursive_depth(c.max_recursive_depth)
            .limit_directives(c.max_directives)
            .finish()
    }
}

/// Runs `iters` requests one after the other on `rt` and returns the time they took.
fn run<F, Fut>(rt: &tokio::runtime::Runtime, iters: u64, mut execute: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = async_graphql::Response>,
{
    rt.block_on(async {
        let start = Instant::now();
        for _ in 0..iters {
            let response = execute().await;
            assert!(response.errors.is_empty(), "{:?}", response.errors);
            std::hint::black_box(response);
        }
        start.elapsed()
    })
}

fn throughput(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let config = ServerConfig::default();
    let stubs = shopql_server_stubs::lock::schema(Locks).expect("the stubs schema");
    let stubs_bare = shopql_server_stubs::lock::schema_builder(Locks)
        .finish()
        .expect("the stubs schema");
    let derive_limits = derive::with_limits(&config);
    let derive_bare = derive::bare();

    for (name, document) in [("query", QUERY), ("mutation", MUTATION)] {
        let mut group = c.benchmark_group(name);
        group.bench_function("stubs/shipped", |b| {
            b.iter_custom(|iters| {
                run(&rt, iters, || {
                    shopql_server_stubs::execute(
                        &stubs,
                        async_graphql::Request::new(document).data(RequestContext::default()),
                        &config,
                    )
                })
            })
        });
        group.bench_function("derive/limits", |b| {
            b.iter_custom(|iters| {
                run(&rt, iters, || {
                    derive_limits.execute(
                        async_graphql::Request::new(document).data(RequestContext::default()),
                    )
                })
            })
        });
        group.bench_function("stubs/no-limits", |b| {
            b.iter_custom(|iters| {
                run(&rt, iters, || {
                    stubs_bare.execute(
                        async_graphql::Request::new(document).data(RequestContext::default()),
                    )
                })
            })
        });
        group.bench_function("derive/bare", |b| {
            b.iter_custom(|iters| {
                run(&rt, iters, || {
                    derive_bare.execute(
                        async_graphql::Request::new(document).data(RequestContext::default()),
                    )
                })
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = throughput
}

/// Criterion measures one variant after the other, so a busy machine skews the comparison. This
/// runs the variants interleaved, round after round, and reports the fastest and the median
/// round of each: the ratio of the fastest rounds is robust to load from other processes.
fn interleaved() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let config = ServerConfig::default();
    let stubs = shopql_server_stubs::lock::schema(Locks).expect("the stubs schema");
    let stubs_bare = shopql_server_stubs::lock::schema_builder(Locks)
        .finish()
        .expect("the stubs schema");
    let derive_limits = derive::with_limits(&config);
    let derive_bare = derive::bare();
    const ROUNDS: usize = 40;
    const PER_ROUND: u64 = 2_000;
    for (name, document) in [("query", QUERY), ("mutation", MUTATION)] {
        let request = || async_graphql::Request::new(document).data(RequestContext::default());
        let mut rounds: [Vec<f64>; 4] = Default::default();
        for _ in 0..ROUNDS {
            let per = |d: Duration| d.as_secs_f64() * 1e6 / PER_ROUND as f64;
            rounds[0].push(per(run(&rt, PER_ROUND, || {
                shopql_server_stubs::execute(&stubs, request(), &config)
            })));
            rounds[1].push(per(run(&rt, PER_ROUND, || {
                derive_limits.execute(request())
            })));
            rounds[2].push(per(run(&rt, PER_ROUND, || stubs_bare.execute(request()))));
            rounds[3].push(per(run(&rt, PER_ROUND, || derive_bare.execute(request()))));
        }
        let stats: Vec<(f64, f64)> = rounds
            .iter_mut()
            .map(|r| {
                r.sort_by(f64::total_cmp);
                (r[0], r[r.len() / 2])
            })
            .collect();
        println!(
            "\ninterleaved, {ROUNDS} rounds of {PER_ROUND} requests: {name} (µs per request, fastest / median round)"
        );
        for (label, (min, median)) in [
            "stubs/shipped",
            "derive/limits",
            "stubs/no-limits",
            "derive/bare",
        ]
        .iter()
        .zip(&stats)
        {
            println!("  {label:<16} {min:>7.2} / {median:>7.2}");
        }
        println!(
            "  stubs/shipped vs derive/limits: {:+.1} % (fastest), {:+.1} % (median)",
            (stats[0].0 / stats[1].0 - 1.0) * 100.0,
            (stats[0].1 / stats[1].1 - 1.0) * 100.0
        );
        println!(
            "  stubs/no-limits vs derive/bare: {:+.1} % (fastest), {:+.1} % (median)",
            (stats[2].0 / stats[3].0 - 1.0) * 100.0,
            (stats[2].1 / stats[3].1 - 1.0) * 100.0
        );
    }
}

fn main() {
    // `cargo bench -- --interleaved-only` skips criterion's sampling.
    if !std::env::args().any(|a| a == "--interleaved-only") {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
    if !std::env::args().any(|a| a == "--test" || a == "--list") {
        interleaved();
    }
}
