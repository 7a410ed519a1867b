//! GraphiQL for the client API with the `CommonGround-Origin` header filled in.
//!
//! Every client API request must name its store, GraphiQL's own schema request included; the
//! runtime's GraphiQL page sends no custom header, so this layer answers the page itself (a
//! `GET` without a `query` parameter) with the demo store's header preset in GraphiQL's
//! header editor. Everything else goes to the runtime unchanged.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use shopql_server_stubs::GraphiqlPage;

use super::demo::VINYL_DOMAIN;

/// Where the client API is mounted (see `crate::http`).
pub const ENDPOINT: &str = "/client/graphql";

fn is_graphiql_page(req: &Request<Body>) -> bool {
    if req.method() != Method::GET {
        return false;
    }
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|a| a.contains("text/html") || a.contains("*/*"));
    let query = req.uri().query().unwrap_or("");
    wants_html && !query.split('&').any(|kv| kv.starts_with("query="))
}

/// The middleware: serves the page, or passes the request on.
pub async fn page(req: Request<Body>, next: Next) -> Response {
    if !is_graphiql_page(&req) {
        return next.run(req).await;
    }
    let html = GraphiqlPage::new(ENDPOINT)
        .title("shopql client API")
        .header("CommonGround-Origin", VINYL_DOMAIN)
        .render();
    Html(html).into_response()
}
