//! Reading a request body under a size limit without resetting the client.
//!
//! A server that answers 413 and closes the socket while the client is still sending makes the
//! kernel reset the connection, and the client usually sees "connection reset" instead of the
//! 413 it was sent. Like nginx's lingering close, the rest of an oversized body is read and
//! thrown away (within a byte and a time budget) before the answer goes out.

use std::time::Duration;

use axum::body::{Body, Bytes};
use futures::StreamExt;

/// How much of an oversized body is read and discarded, as a multiple of the limit.
const DRAIN_FACTOR: usize = 16;
/// How long an oversized body is drained at most.
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// Why a body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    /// The body was larger than `limit` bytes (the rest of it has been drained where that was
    /// cheap): `413 PAYLOAD_TOO_LARGE`.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The client did not send the body within the server's body read timeout:
    /// `408 REQUEST_TIMEOUT`.
    TimedOut,
}

impl BodyError {
    /// The HTTP status, the code and the message the caller is answered with.
    pub fn answer(self) -> (http::StatusCode, &'static str, String) {
        match self {
            Self::TooLarge { limit } => (
                http::StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!("the request body is larger than {limit} bytes"),
            ),
            Self::TimedOut => (
                http::StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                "the request body was not sent in time".to_string(),
            ),
        }
    }
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.answer().2)
    }
}

impl std::error::Error for BodyError {}

/// The whole body when it holds at most `limit` bytes. A body that breaks off counts as empty
/// (it then fails to parse as a request, which is the honest answer), except one cut by the
/// server's body deadline, which is [`BodyError::TimedOut`].
pub async fn read_limited(body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let mut stream = body.into_data_stream();
    let mut buf: Vec<u8> = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            // The deadline's error may sit under more than one layer of body wrappers.
            Err(e)
                if std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
                    .any(|e| e.is::<crate::serve::BodyTimedOut>()) =>
            {
                return Err(BodyError::TimedOut);
            }
            Err(_) => return Ok(Bytes::new()),
        };
        if buf.len() + chunk.len() > limit {
            drain(
                stream,
                buf.len() + chunk.len(),
                limit.saturating_mul(DRAIN_FACTOR),
            )
            .await;
            return Err(BodyError::TooLarge { limit });
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buf))
}

/// Reads and drops the rest of a body, up to `budget` bytes in all or `DRAIN_TIME`.
async fn drain(
    mut stream: impl futures::Stream<Item = Result<Bytes, axum::Error>> + Unpin,
    mut seen: usize,
    budget: usize,
) {
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while seen <= budget {
            match stream.next().await {
                Some(Ok(chunk)) => seen += chunk.len(),
                _ => break,
            }
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_within_the_limit_is_returned_whole() {
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from_static(b"{\"query\":")),
            Ok(Bytes::from_static(b"\"{x}\"}")),
        ];
        let body = Body::from_stream(futures::stream::iter(chunks));
        let bytes = read_limited(body, 64).await;
        assert_eq!(bytes.as_deref().ok(), Some(&b"{\"query\":\"{x}\"}"[..]));
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_and_drained() {
        let drained = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = drained.clone();
        let chunks = futures::stream::iter(0..10).map(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; 100]))
        });
        let err = read_limited(Body::from_stream(chunks), 250).await;
        assert_eq!(err, Err(BodyError::TooLarge { limit: 250 }));
        // All ten chunks were read: the client could finish sending.
        assert_eq!(drained.load(std::sync::atomic::Ordering::SeqCst), 10);
    }

    #[tokio::test]
    async fn draining_stops_at_the_byte_budget() {
        let read = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = read.clone();
        let endless = futures::stream::repeat(()).map(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; 10]))
        });
        let err = read_limited(Body::from_stream(endless), 20).await;
        assert_eq!(err, Err(BodyError::TooLarge { limit: 20 }));
        // 20 × 16 bytes at most are drained, in chunks of 10.
        assert!(read.load(std::sync::atomic::Ordering::SeqCst) <= 34);
    }
}
