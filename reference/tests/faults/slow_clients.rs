//! Slow and idle clients cannot hold the server: headers and bodies have read deadlines, and
//! open connections are capped.

use std::time::{Duration, Instant};

use shopql_reference::start;
use shopql_reference::store::TestDatabase;
use shopql_server_stubs::ConnectionLimits;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support;

const TIMEOUT: Duration = Duration::from_secs(1);
const CAP: usize = 500;

/// Reads until the server closes the connection or `within` passes; what was read, and whether
/// the server closed it.
async fn read_until_closed(
    socket: &mut (impl AsyncRead + Unpin),
    within: Duration,
) -> (String, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, socket.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&out).into_owned(), true),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&out).into_owned(), false),
        }
    }
}

/// Writes `bytes` one at a time, `every` apart, until the server closes the connection.
async fn trickle(mut writer: impl AsyncWriteExt + Unpin, bytes: &[u8], every: Duration) {
    for b in bytes.iter().cycle().take(10_000) {
        tokio::time::sleep(every).await;
        if writer.write_all(std::slice::from_ref(b)).await.is_err() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_clients_are_cut_off_and_never_hold_the_server() -> anyhow::Result<()> {
    let db = TestDatabase::sqlite();
    let mut config = support::config(&db.url);
    config.connections = ConnectionLimits {
        max_connections: CAP,
        header_read_timeout: TIMEOUT,
        body_read_timeout: TIMEOUT,
        drain_timeout: Duration::from_secs(5),
    };
    let server = start(config).await?;
    let (addr, base) = (server.addr, server.base_url());

    // Headers sent a byte every 50 ms, forever: closed once the header deadline passes.
    let started = Instant::now();
    let (mut read, write) = TcpStream::connect(addr).await?.into_split();
    let sending = tokio::spawn(trickle(
        write,
        b"POST /purchase/graphql HTTP/1.1\r\nx-slow: aaaaaaaa",
        Duration::from_millis(50),
    ));
    let (_, closed) = read_until_closed(&mut read, TIMEOUT * 4).await;
    assert!(closed, "a client trickling its headers was never cut off");
    assert!(
        started.elapsed() < TIMEOUT * 3,
        "cut off only after {:?}",
        started.elapsed()
    );
    sending.abort();

    // A body sent a byte every 50 ms: 408 once the body deadline passes.
    let started = Instant::now();
    let (mut read, mut write) = TcpStream::connect(addr).await?.into_split();
    write
        .write_all(b"POST /purchase/graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{")
        .await?;
    let sending = tokio::spawn(trickle(write, b" ", Duration::from_millis(50)));
    let (answer, _) = read_until_closed(&mut read, TIMEOUT * 4).await;
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "a trickled body: {answer:?}"
    );
    assert!(answer.contains("REQUEST_TIMEOUT"), "{answer}");
    assert!(
        started.elapsed() < TIMEOUT * 3,
        "answered only after {:?}",
        started.elapsed()
    );
    sending.abort();

    // Four times the cap of idle and half-sent connections: the ones over the cap are closed at
    // once, the rest when the header deadline passes, and the server then serves again.
    let mut held = Vec::new();
    for i in 0..CAP * 4 {
        let mut socket = TcpStream::connect(addr).await?;
        if i % 2 == 0 {
            socket
                .write_all(b"POST /purchase/graphql HTTP/1.1\r\nhost: x\r\n")
                .await?;
        }
        held.push(socket);
    }
    let started = Instant::now();
    let closings = held
        .into_iter()
        .map(|mut s| async move { read_until_closed(&mut s, TIMEOUT * 5).await.1 });
    let closed = futures::future::join_all(closings).await;
    assert!(
        closed.iter().all(|c| *c),
        "{} connections were never closed",
        closed.iter().filter(|c| !**c).count()
    );
    assert!(
        started.elapsed() < TIMEOUT * 4,
        "all closed only after {:?}",
        started.elapsed()
    );
    assert_eq!(
        support::health(&base).await,
        200,
        "the server serves again once they are gone"
    );
    server.stop().await?;
    Ok(())
}
