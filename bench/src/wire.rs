//! A lean HTTP/1.1 client on hyper's connection API: one keep-alive TCP connection per
//! [`Conn`], one request at a time, no pool, no redirects, no TLS. The load generator opens N of
//! them; set-up code uses [`post_json`] for one-off requests.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, header};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// One request, ready to send again and again (cloning `Bytes` is a reference count).
#[derive(Debug, Clone)]
pub struct Req {
    /// The path, e.g. `/client/graphql`.
    pub path: String,
    /// Extra headers (content type and host are added).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The JSON body.
    pub body: Bytes,
}

impl Req {
    /// A GraphQL POST of `query` with `variables` to `path`.
    pub fn graphql(
        path: &str,
        headers: &[(&str, &str)],
        query: &str,
        variables: &serde_json::Value,
    ) -> anyhow::Result<Self> {
        Self::json(
            path,
            headers,
            &serde_json::json!({ "query": query, "variables": variables }),
        )
    }

    /// A POST of the JSON `body` to `path` (e.g. a persisted query without its text).
    pub fn json(
        path: &str,
        headers: &[(&str, &str)],
        body: &serde_json::Value,
    ) -> anyhow::Result<Self> {
        let body = serde_json::to_vec(body)?;
        Ok(Self {
            path: path.to_string(),
            headers: headers
                .iter()
                .map(|(k, v)| {
                    Ok((
                        HeaderName::from_bytes(k.as_bytes())?,
                        HeaderValue::from_str(v)?,
                    ))
                })
                .collect::<anyhow::Result<_>>()?,
            body: Bytes::from(body),
        })
    }
}

/// What came back.
#[derive(Debug)]
pub struct Resp {
    /// The HTTP status.
    pub status: u16,
    /// The whole body.
    pub body: Bytes,
}

impl Resp {
    /// True for a 200 whose body has a `data` member and no `errors` member: a GraphQL success.
    /// A cheap byte search; the load loop runs it on every response.
    pub fn is_graphql_success(&self) -> bool {
        self.status == 200 && !contains(&self.body, b"\"errors\"")
    }

    /// The body as JSON.
    pub fn json(&self) -> anyhow::Result<serde_json::Value> {
        serde_json::from_slice(&self.body).with_context(|| {
            format!(
                "response (HTTP {}) is not JSON: {}",
                self.status,
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// One keep-alive connection.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    host: HeaderValue,
    addr: SocketAddr,
}

impl Conn {
    /// Connects to `addr` (TCP_NODELAY on, as every HTTP client does).
    pub async fn connect(addr: SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .context("HTTP/1.1 handshake")?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Self {
            sender,
            host: HeaderValue::from_str(&addr.to_string())?,
            addr,
        })
    }

    /// Where it is connected.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sends `req` and reads the whole response.
    pub async fn send(&mut self, req: &Req) -> anyhow::Result<Resp> {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(req.path.as_str())
            .header(header::HOST, self.host.clone())
            .header(header::CONTENT_TYPE, "application/json");
        for (k, v) in &req.headers {
            builder = builder.header(k, v);
        }
        let request = builder.body(Full::new(req.body.clone()))?;
        self.sender.ready().await.context("connection closed")?;
        let response = self.sender.send_request(request).await?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Resp { status, body })
    }
}

/// One request on a fresh connection, for set-up: fails on a transport error only.
pub async fn send_once(addr: SocketAddr, req: &Req) -> anyhow::Result<Resp> {
    let mut conn = Conn::connect(addr).await?;
    tokio::time::timeout(Duration::from_secs(60), conn.send(req))
        .await
        .context("request timed out after 60 s")?
}

/// A GraphQL request for set-up: returns `data`, or fails with the errors the server gave.
pub async fn graphql(addr: SocketAddr, req: &Req) -> anyhow::Result<serde_json::Value> {
    let resp = send_once(addr, req).await?;
    let json = resp.json()?;
    if let Some(errors) = json.get("errors") {
        bail!("{} answered with errors: {errors}", req.path);
    }
    if resp.status != 200 {
        bail!("{} answered HTTP {}: {json}", req.path, resp.status);
    }
    json.get("data")
        .cloned()
        .with_context(|| format!("{} answered without data: {json}", req.path))
}

/// A plain JSON POST (the REST token endpoint).
pub async fn post_json(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let req = Req {
        path: path.to_string(),
        headers: headers
            .iter()
            .map(|(k, v)| {
                Ok((
                    HeaderName::from_bytes(k.as_bytes())?,
                    HeaderValue::from_str(v)?,
                ))
            })
            .collect::<anyhow::Result<_>>()?,
        body: Bytes::from(serde_json::to_vec(body)?),
    };
    let resp = send_once(addr, &req).await?;
    if resp.status != 200 {
        bail!(
            "{path} answered HTTP {}: {}",
            resp.status,
            String::from_utf8_lossy(&resp.body)
        );
    }
    resp.json()
}

/// Waits until `GET /healthz` (or any answer on `path`) answers, up to `timeout`.
pub async fn wait_ready(addr: SocketAddr, timeout: Duration) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        // The reference server listens before it has migrated and answers 503 on `/readyz`
        // until then; the ceiling server has no `/readyz` (404): listening is ready for it.
        if let Ok(status) = readyz_status(addr).await
            && status != 503
        {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("{addr} is not ready after {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The HTTP status of `GET /readyz`.
async fn readyz_status(addr: SocketAddr) -> anyhow::Result<u16> {
    let mut conn = Conn::connect(addr).await?;
    let req = Request::builder()
        .method(Method::GET)
        .uri("/readyz")
        .header(header::HOST, conn.host.clone())
        .body(Full::new(Bytes::new()))?;
    let resp = conn.sender.send_request(req).await?;
    Ok(resp.status().as_u16())
}
