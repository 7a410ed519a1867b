//! The load generator: N keep-alive connections, each sending its next request as soon as the
//! previous answer is read (closed loop), for a warm-up and then a bounded measurement window.
//! Latencies go to one HDR histogram per connection (µs, 3 significant digits), merged at the end.
//!
//! Each run ends as real clients end: every connection sends one more request and is closed
//! while it is in flight. The same operation must then still succeed on a new connection, or the
//! run fails (a server that wedges when clients disconnect cannot be measured as fast).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use hdrhistogram::Histogram;
use serde::Serialize;
use tokio::time::Instant;

use crate::wire::{Conn, Req, Resp};

/// The longest a request may take before it counts as failed.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What one connection sends.
#[derive(Clone)]
pub enum Plan {
    /// These requests in turn, round and round.
    Cycle(Vec<Req>),
    /// A journey: several dependent requests; one journey is one unit of latency.
    Journey(Arc<dyn Journey>),
}

/// A sequence of dependent requests on one connection.
pub trait Journey: Send + Sync {
    /// Runs one journey; returns how many requests it sent, or why it failed.
    fn run<'a>(
        &'a self,
        conn: &'a mut Conn,
    ) -> std::pin::Pin<Box<dyn Future<Output = anyhow::Result<u64>> + Send + 'a>>;
}

/// How long to warm up and to measure.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Requests in this time are not counted.
    pub warmup: Duration,
    /// The measurement.
    pub measure: Duration,
}

/// One measured point.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    /// Connections.
    pub connections: usize,
    /// Units (requests, or journeys) completed in the window.
    pub units: u64,
    /// HTTP requests completed in the window (= units for single requests).
    pub requests: u64,
    /// Failed units in the window (transport error, timeout, non-200 or GraphQL errors).
    pub errors: u64,
    /// The first error seen, for the report.
    pub first_error: Option<String>,
    /// The window, in seconds.
    pub seconds: f64,
    /// Units per second.
    pub per_second: f64,
    /// Requests per second.
    pub requests_per_second: f64,
    /// Latency percentiles of a unit, in ms.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Maximum.
    pub max_ms: f64,
    /// Mean response size in bytes (single requests only).
    pub mean_bytes: f64,
}

struct ConnResult {
    hist: Histogram<u64>,
    units: u64,
    requests: u64,
    errors: u64,
    bytes: u64,
    first_error: Option<String>,
}

fn new_hist() -> anyhow::Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, 60_000_000, 3).context("histogram bounds")
}

fn describe(resp: &Resp) -> String {
    let text = String::from_utf8_lossy(&resp.body[..resp.body.len().min(400)]).into_owned();
    format!("HTTP {}: {text}", resp.status)
}

/// Runs `plans` (one per connection) against `addr` for `window`.
pub async fn run(
    addr: SocketAddr,
    plans: Vec<Plan>,
    window: Window,
) -> anyhow::Result<Measurement> {
    let connections = plans.len();
    let mut conns = Vec::with_capacity(connections);
    for _ in 0..connections {
        conns.push(Conn::connect(addr).await?);
    }
    let start = Instant::now();
    let measure_from = start + window.warmup;
    let deadline = measure_from + window.measure;
    let check = plans.first().cloned();
    let mut tasks = Vec::with_capacity(connections);
    for (plan, conn) in plans.into_iter().zip(conns) {
        tasks.push(tokio::spawn(drive(conn, plan, measure_from, deadline)));
    }
    let mut hist = new_hist()?;
    let (mut units, mut requests, mut errors, mut bytes) = (0, 0, 0, 0);
    let mut first_error = None;
    for t in tasks {
        let r = t.await.context("load task panicked")??;
        hist.add(&r.hist).context("merging histograms")?;
        units += r.units;
        requests += r.requests;
        errors += r.errors;
        bytes += r.bytes;
        if first_error.is_none() {
            first_error = r.first_error;
        }
    }
    if let Some(plan) = check {
        still_served(addr, &plan)
            .await
            .context("after connections were cut mid-request, the operation fails")?;
    }
    // Units completed inside [measure_from, deadline] over the window's length.
    let seconds = window.measure.as_secs_f64().max(1e-9);
    let ms = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
    Ok(Measurement {
        connections,
        units,
        requests,
        errors,
        first_error,
        seconds,
        per_second: units as f64 / seconds,
        requests_per_second: requests as f64 / seconds,
        p50_ms: ms(0.50),
        p90_ms: ms(0.90),
        p99_ms: ms(0.99),
        p999_ms: ms(0.999),
        max_ms: hist.max() as f64 / 1000.0,
        mean_bytes: if units > 0 {
            bytes as f64 / units as f64
        } else {
            0.0
        },
    })
}

async fn drive(
    mut conn: Conn,
    plan: Plan,
    measure_from: Instant,
    deadline: Instant,
) -> anyhow::Result<ConnResult> {
    let mut r = ConnResult {
        hist: new_hist()?,
        units: 0,
        requests: 0,
        errors: 0,
        bytes: 0,
        first_error: None,
    };
    let mut i = 0usize;
    loop {
        let began = Instant::now();
        if began >= deadline {
            break;
        }
        let (outcome, sent, size) = match &plan {
            Plan::Cycle(reqs) => {
                let req = &reqs[i % reqs.len()];
                i = i.wrapping_add(1);
                match tokio::time::timeout(REQUEST_TIMEOUT, conn.send(req)).await {
                    Ok(Ok(resp)) if resp.is_graphql_success() => {
                        (Ok(()), 1, resp.body.len() as u64)
                    }
                    Ok(Ok(resp)) => (Err(describe(&resp)), 1, 0),
                    Ok(Err(e)) => (Err(format!("{e:#}")), 1, 0),
                    Err(_) => (Err("timed out".to_string()), 1, 0),
                }
            }
            Plan::Journey(j) => {
                match tokio::time::timeout(REQUEST_TIMEOUT * 4, j.run(&mut conn)).await {
                    Ok(Ok(n)) => (Ok(()), n, 0),
                    Ok(Err(e)) => (Err(format!("{e:#}")), 1, 0),
                    Err(_) => (Err("timed out".to_string()), 1, 0),
                }
            }
        };
        let done = Instant::now();
        let failed_transport = matches!(&outcome, Err(e) if !e.starts_with("HTTP "));
        // A unit counts when it completes inside the window (so units longer than the warm-up,
        // such as journeys at 64 connections, are counted too). A unit slower than the whole
        // window still gives its latency: the first to end after the deadline counts when the
        // connection has nothing else to show.
        let nothing_yet = r.units == 0 && r.errors == 0;
        if done >= measure_from && (done <= deadline || nothing_yet) {
            r.requests += sent;
            match outcome {
                Ok(()) => {
                    r.units += 1;
                    r.bytes += size;
                    let us = done.duration_since(began).as_micros();
                    r.hist
                        .saturating_record(u64::try_from(us).unwrap_or(u64::MAX).max(1));
                }
                Err(e) => {
                    r.errors += 1;
                    if r.first_error.is_none() {
                        r.first_error = Some(e);
                    }
                }
            }
        }
        if failed_transport {
            // The connection may be gone: open a new one (a real client would).
            if let Ok(Ok(c)) =
                tokio::time::timeout(Duration::from_secs(5), Conn::connect(conn.addr())).await
            {
                conn = c;
            } else {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    cut(conn, &plan, i).await;
    Ok(r)
}

/// How long the last request of a connection runs before the connection is closed under it.
const CUT_AFTER: Duration = Duration::from_millis(2);

/// Sends `plan`'s next request and closes the connection while it is in flight.
async fn cut(mut conn: Conn, plan: &Plan, i: usize) {
    match plan {
        Plan::Cycle(reqs) => {
            let _ = tokio::time::timeout(CUT_AFTER, conn.send(&reqs[i % reqs.len()])).await;
        }
        Plan::Journey(j) => {
            let _ = tokio::time::timeout(CUT_AFTER, j.run(&mut conn)).await;
        }
    }
    drop(conn);
}

/// `plan` once more on a new connection, within [`REQUEST_TIMEOUT`]: every request must answer
/// without an error.
async fn still_served(addr: SocketAddr, plan: &Plan) -> anyhow::Result<()> {
    let mut conn = Conn::connect(addr).await?;
    let attempt = async {
        match plan {
            Plan::Cycle(reqs) => {
                for req in reqs {
                    let resp = conn.send(req).await?;
                    anyhow::ensure!(resp.is_graphql_success(), "{}", describe(&resp));
                }
                Ok(())
            }
            Plan::Journey(j) => j.run(&mut conn).await.map(|_| ()),
        }
    };
    tokio::time::timeout(REQUEST_TIMEOUT, attempt)
        .await
        .map_err(|_| anyhow::anyhow!("timed out"))?
}
