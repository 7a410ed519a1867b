//! What the production serving features cost, each against its own baseline measured beside it:
//! Prometheus metrics on against off (two reference servers, one with `--no-metrics`), and an
//! automatic persisted query sent by its hash against the full query text, for the client API's
//! inventory read. The variants run interleaved, round after round, so that load from other
//! processes on this shared machine falls on all of them alike; the medians are compared.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::db::Database;
use crate::load::{self, Plan, Window};
use crate::scenarios::{ORIGIN, Ops};
use crate::server::Server;
use crate::wire::{self, Req};

/// Connections of every variant: enough to keep both cores busy.
pub const CONNECTIONS: usize = 16;

/// One variant's throughput per round.
#[derive(Debug, Clone, Serialize)]
pub struct Variant {
    /// What was sent to which server.
    pub label: String,
    /// Requests per second, one figure per round.
    pub per_second: Vec<f64>,
    /// The median of `per_second`.
    pub median: f64,
    /// p99 of the median round, ms.
    pub p99_ms: f64,
    /// Bytes of the request body.
    pub request_bytes: usize,
    /// Failed requests, all rounds.
    pub errors: u64,
}

/// The figures of the serving phase.
#[derive(Debug, Clone, Serialize)]
pub struct ServingCosts {
    /// Rounds of each variant.
    pub rounds: usize,
    /// Full text, metrics on (the default server).
    pub text_metrics_on: Variant,
    /// Full text, `--no-metrics`.
    pub text_metrics_off: Variant,
    /// APQ hash only, metrics on.
    pub hash_metrics_on: Variant,
}

impl ServingCosts {
    /// How much faster the server is without metrics, as a fraction (target: within ±0.03).
    pub fn metrics_cost(&self) -> f64 {
        self.text_metrics_off.median / self.text_metrics_on.median - 1.0
    }
    /// How much faster the hash is than the text, as a fraction.
    pub fn apq_gain(&self) -> f64 {
        self.hash_metrics_on.median / self.text_metrics_on.median - 1.0
    }
}

/// The median of `v` (the upper one of an even count), shared by the bench's tables.
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Starts the two servers on databases of their own in `tmp`, and measures `rounds` rounds.
pub async fn measure(
    root: &Path,
    reference: &Path,
    tmp: &Path,
    window: Window,
    rounds: usize,
) -> anyhow::Result<ServingCosts> {
    let db_on = Database::sqlite(tmp, "serving-metrics");
    let db_off = Database::sqlite(tmp, "serving-no-metrics");
    let on = Server::reference(
        reference,
        &db_on.url,
        &db_on.server_args(),
        tmp.join("serving-metrics.log"),
    )
    .await?;
    let mut off_args = db_off.server_args();
    off_args.push("--no-metrics".into());
    let off = Server::reference(
        reference,
        &db_off.url,
        &off_args,
        tmp.join("serving-no-metrics.log"),
    )
    .await?;

    let (query, variables) = Ops::new(root).get("client", "get_inventory_items")?;
    let headers = [("commonground-origin", ORIGIN)];
    let text = Req::graphql("/client/graphql", &headers, &query, &variables)?;
    let hash = hex::encode(Sha256::digest(query.as_bytes()));
    let persisted = json!({ "version": 1, "sha256Hash": hash });
    // Registers the document (Apollo's protocol: the text with its hash, once).
    let register = Req::json(
        "/client/graphql",
        &headers,
        &json!({ "query": query, "variables": variables, "extensions": { "persistedQuery": persisted } }),
    )?;
    let registered = wire::graphql(on.addr, &register)
        .await
        .context("registering the persisted query")?;
    anyhow::ensure!(
        registered.get("errors").is_none(),
        "registering the persisted query: {registered}"
    );
    let by_hash = Req::json(
        "/client/graphql",
        &headers,
        &json!({ "variables": variables, "extensions": { "persistedQuery": persisted } }),
    )?;
    let answered = wire::graphql(on.addr, &by_hash).await?;
    anyhow::ensure!(
        answered["data"] == registered["data"],
        "the hash alone answered {answered}, the text {registered}"
    );

    let variants: [(&str, SocketAddr, &Req); 3] = [
        ("full text, metrics on (default)", on.addr, &text),
        ("full text, `--no-metrics`", off.addr, &text),
        ("APQ hash only, metrics on", on.addr, &by_hash),
    ];
    let mut runs: Vec<Vec<load::Measurement>> = vec![Vec::new(); variants.len()];
    for round in 0..rounds {
        for (i, (label, addr, req)) in variants.iter().enumerate() {
            let plans = (0..CONNECTIONS)
                .map(|_| Plan::Cycle(vec![(*req).clone()]))
                .collect();
            let m = load::run(*addr, plans, window).await?;
            eprintln!(
                "serving, round {}: {label:<32} {:>8.0} /s  p99 {:>6.2} ms  errors {}",
                round + 1,
                m.per_second,
                m.p99_ms,
                m.errors
            );
            runs[i].push(m);
        }
    }
    on.stop().await?;
    off.stop().await?;

    let mut out = variants.iter().zip(runs).map(|((label, _, req), ms)| {
        let per_second: Vec<f64> = ms.iter().map(|m| m.per_second).collect();
        let mid = median(per_second.clone());
        let p99_ms = ms
            .iter()
            .min_by(|a, b| {
                (a.per_second - mid)
                    .abs()
                    .total_cmp(&(b.per_second - mid).abs())
            })
            .map_or(0.0, |m| m.p99_ms);
        Variant {
            label: (*label).to_string(),
            median: mid,
            per_second,
            p99_ms,
            request_bytes: req.body.len(),
            errors: ms.iter().map(|m| m.errors).sum(),
        }
    });
    let (Some(text_metrics_on), Some(text_metrics_off), Some(hash_metrics_on)) =
        (out.next(), out.next(), out.next())
    else {
        anyhow::bail!("three variants were measured");
    };
    Ok(ServingCosts {
        rounds,
        text_metrics_on,
        text_metrics_off,
        hash_metrics_on,
    })
}
