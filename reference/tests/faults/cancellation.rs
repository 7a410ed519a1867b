//! Requests dropped at any await point: before, while waiting for the writer, inside the
//! transaction, while committing.

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shopql_reference::start;
use shopql_reference::store::TestDatabase;
use tokio::io::AsyncWriteExt;
use tower::ServiceExt;

use crate::support::{self, Operation};

/// How many times each write operation is sent per round, and the rounds.
const COPIES: usize = 3;
const ROUNDS: usize = 6;

fn request(op: &Operation) -> Request<Body> {
    let mut req = Request::post(op.api.path).header("content-type", "application/json");
    for (k, v) in &op.api.headers {
        req = req.header(k, v);
    }
    req.body(Body::from(op.body.to_string())).unwrap()
}

/// A delay after which a request is dropped: zero a quarter of the time (the future is polled
/// once, then dropped), else up to 20 ms, which on this server spans the whole life of a write.
fn delay(rng: &mut StdRng) -> Duration {
    if rng.gen_ratio(1, 4) {
        Duration::ZERO
    } else {
        Duration::from_micros(rng.gen_range(0..20_000))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_dropped_at_any_point_leave_every_api_writable() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let server = start(support::config(&db.url)).await?;
        let base = server.base_url();
        let apis = support::apis(&base).await?;
        let ops = support::write_operations(&apis)?;
        let ledger = support::stock_ledger(&server).await?;
        let router = shopql_reference::http::router(server.state.clone());
        let mut rng = StdRng::seed_from_u64(20);
        for _ in 0..ROUNDS {
            let mut tasks = Vec::new();
            for op in &ops {
                for _ in 0..COPIES {
                    let (router, req, after) = (router.clone(), request(op), delay(&mut rng));
                    tasks.push(tokio::spawn(async move {
                        let _ = tokio::time::timeout(after, router.oneshot(req)).await;
                    }));
                }
            }
            for t in tasks {
                t.await?;
            }
        }
        // A thousand dropped requests leave rollbacks and pool refills behind on a loaded machine;
        // a wedged writer never recovers, so the budget only has to be finite.
        support::still_sound(&server, &ops, &ledger, Duration::from_secs(5))
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", db.label()))?;
        server.stop().await?;
    }
    Ok(())
}

/// Our own load generator, closed loop like wrk: for `length`, each of `connections` clients
/// sends one whole request on a new socket and closes it after a random delay, most of the time
/// before the answer comes (as wrk does when it stops, or a client that times out).
async fn cut_burst(
    addr: std::net::SocketAddr,
    ops: &[Operation],
    connections: usize,
    length: Duration,
    seed: u64,
) -> anyhow::Result<()> {
    let requests: Vec<String> = ops
        .iter()
        .map(|op| {
            let body = op.body.to_string();
            let mut head = format!(
                "POST {} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
                op.api.path,
                body.len()
            );
            for (k, v) in &op.api.headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            format!("{head}\r\n{body}")
        })
        .collect();
    let requests = std::sync::Arc::new(requests);
    let until = tokio::time::Instant::now() + length;
    let mut tasks = Vec::new();
    for client in 0..connections {
        let requests = requests.clone();
        let mut rng = StdRng::seed_from_u64(seed + client as u64);
        tasks.push(tokio::spawn(async move {
            while tokio::time::Instant::now() < until {
                let raw = &requests[rng.gen_range(0..requests.len())];
                let after = delay(&mut rng);
                if let Ok(mut socket) = tokio::net::TcpStream::connect(addr).await {
                    let _ = socket.write_all(raw.as_bytes()).await;
                    tokio::time::sleep(after).await;
                    // Dropping the socket closes it, with the request in flight.
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_cut_mid_request_leave_every_api_writable() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let server = start(support::config(&db.url)).await?;
        let base = server.base_url();
        let apis = support::apis(&base).await?;
        let ops = support::write_operations(&apis)?;
        let ledger = support::stock_ledger(&server).await?;
        for burst in 0..6 {
            cut_burst(server.addr, &ops, 64, Duration::from_secs(1), burst * 1000).await?;
        }
        support::still_sound(&server, &ops, &ledger, Duration::from_secs(5))
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", db.label()))?;
        server.stop().await?;
    }
    Ok(())
}
