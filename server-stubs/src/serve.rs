//! Accepting, timing out and closing connections.
//!
//! axum's own `serve` has no header or body read timeout and no cap on open connections, so a
//! client that sends its headers or body a byte at a time, or thousands of idle sockets, hold the
//! server's memory and file descriptors for as long as they like. This loop is axum's, on
//! hyper-util's connection builder (HTTP/1 and HTTP/2), with the limits nginx has:
//! `client_header_timeout`, a deadline for the whole body, a connection cap, and a bounded drain
//! on shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use futures::StreamExt;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::{Service, ServiceExt};

/// How connections are served. The defaults suit a server on the public internet behind no proxy.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Most connections open at once (default 4,096). A connection over the cap is closed as soon
    /// as it is accepted, so the server never runs out of file descriptors or memory; the
    /// timeouts below free the slots that slow or idle clients hold.
    pub max_connections: usize,
    /// Time for a client to send a request's headers, counted from when the server starts
    /// waiting for them, idle keep-alive time included (default 10 s). Over it, the connection is
    /// closed.
    pub header_read_timeout: Duration,
    /// Time for a client to send a whole request body, counted from the end of the headers
    /// (default 30 s). Over it, the request is answered `408 REQUEST_TIMEOUT` and the connection
    /// closed.
    pub body_read_timeout: Duration,
    /// On shutdown, how long in-flight requests may take to finish (default 30 s); connections
    /// still open then are cut.
    pub drain_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            drain_timeout: Duration::from_secs(30),
        }
    }
}

/// The error a body stream ends with when its deadline passes (read by
/// [`crate::body::read_limited`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimedOut;

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body was not sent in time")
    }
}

impl std::error::Error for BodyTimedOut {}

/// Serves `app` until `shutdown` completes, then stops accepting and lets in-flight requests
/// finish (at most [`ConnectionLimits::drain_timeout`]). Handlers see the peer's address as
/// `ConnectInfo<SocketAddr>`.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: ConnectionLimits,
) -> std::io::Result<()> {
    let mut make_service = app.into_make_service_with_connect_info::<SocketAddr>();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(limits.header_read_timeout))
        .keep_alive_timeout(limits.header_read_timeout);
    let builder = Arc::new(builder);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors or a connection reset before accept: the listener
                    // itself is fine. Back off briefly instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%remote, max = limits.max_connections, "connection cap reached; closing a new connection");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let Ok(service) = make_service.call(remote).await;
        let body_timeout = limits.body_read_timeout;
        let service = service.map_request(move |req: Request<hyper::body::Incoming>| {
            req.map(|body| with_deadline(Body::new(body), body_timeout))
        });
        let (builder, watcher) = (builder.clone(), graceful.watcher());
        let header_timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            // hyper's header timeout starts once the protocol is known, which takes the first
            // bytes: a connection that sends nothing would be held for ever without this.
            let mut first = [0u8; 1];
            match tokio::time::timeout(header_timeout, stream.peek(&mut first)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => return,
            }
            let connection = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(service),
            );
            if let Err(e) = watcher.watch(connection).await {
                tracing::trace!(error = %e, %remote, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.drain_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            timeout = ?limits.drain_timeout,
            "shutdown: requests still running after the drain timeout were cut"
        );
    }
    Ok(())
}

/// `body`, ending with a [`BodyTimedOut`] error if it is not complete within `timeout`.
fn with_deadline(body: Body, timeout: Duration) -> Body {
    let deadline = Box::pin(tokio::time::sleep(timeout));
    let stream = futures::stream::unfold(
        Some((body.into_data_stream(), deadline)),
        |state| async move {
            let (mut data, mut deadline) = state?;
            tokio::select! {
                chunk = data.next() => {
                    let chunk = chunk?;
                    Some((chunk.map_err(axum::BoxError::from), Some((data, deadline))))
                }
                () = &mut deadline => Some((Err(axum::BoxError::from(BodyTimedOut)), None)),
            }
        },
    );
    Body::from_stream(stream)
}
