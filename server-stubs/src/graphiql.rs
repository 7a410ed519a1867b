//! The GraphiQL page served on `GET` without a query: a static HTML page with its endpoint,
//! title and preset headers embedded as JSON, and the scripts and styles it loads, which the
//! server serves itself (the crate-private `asset`): GraphiQL works behind a firewall or with no internet,
//! and what runs in the browser is pinned to the exact versions vendored here.
//!
//! Values are embedded as JSON with `<`, `>` and `&` escaped (`\u003c`, …), so no endpoint,
//! title or header value can close the script element or inject markup.

use serde_json::{Map, Value};

const TEMPLATE: &str = include_str!("graphiql/page.html");

/// A file the GraphiQL page loads, stored gzipped (`graphiql/vendor.sh` makes them from the
/// pinned npm packages; their licences are beside them).
#[derive(Debug)]
pub(crate) struct Asset {
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// The gzipped bytes.
    pub gzipped: &'static [u8],
}

impl Asset {
    /// The bytes, uncompressed (for the rare client that does not accept gzip).
    pub(crate) fn plain(&self) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(self.gzipped).read_to_end(&mut out)?;
        Ok(out)
    }
}

/// Where, below a GraphQL endpoint's path, its GraphiQL assets are served.
pub(crate) const ASSETS_PATH: &str = "/_graphiql";

/// The asset named `name` (file names carry their version, so they can be cached for good).
pub(crate) fn asset(name: &str) -> Option<Asset> {
    const JS: &str = "text/javascript; charset=utf-8";
    let (content_type, gzipped): (&str, &[u8]) = match name {
        "graphiql-3.8.3.min.js" => (
            JS,
            include_bytes!("graphiql/assets/graphiql-3.8.3.min.js.gz"),
        ),
        "graphiql-3.8.3.min.css" => (
            "text/css; charset=utf-8",
            include_bytes!("graphiql/assets/graphiql-3.8.3.min.css.gz"),
        ),
        "react-18.3.1.production.min.js" => (
            JS,
            include_bytes!("graphiql/assets/react-18.3.1.production.min.js.gz"),
        ),
        "react-dom-18.3.1.production.min.js" => (
            JS,
            include_bytes!("graphiql/assets/react-dom-18.3.1.production.min.js.gz"),
        ),
        _ => return None,
    };
    Some(Asset {
        content_type,
        gzipped,
    })
}

/// A GraphiQL page: `GraphiqlPage::new("/lock/graphql").title("…").header("X", "v").render()`.
#[derive(Debug, Clone)]
pub struct GraphiqlPage {
    endpoint: String,
    assets: String,
    title: String,
    headers: Map<String, Value>,
}

impl GraphiqlPage {
    /// A page whose GraphiQL posts to `endpoint` (a path or an absolute URL) and loads its
    /// scripts from below it (`{endpoint}/_graphiql/…`, where the stubs' router serves them).
    pub fn new(endpoint: impl Into<String>) -> Self {
        let endpoint = endpoint.into();
        Self {
            assets: format!("{}{ASSETS_PATH}", endpoint.trim_end_matches('/')),
            endpoint,
            title: "GraphiQL".into(),
            headers: Map::new(),
        }
    }

    /// Loads the scripts and styles from `base` instead (a path or URL that serves the same
    /// file names, e.g. a static-file server).
    #[must_use]
    pub fn assets(mut self, base: impl Into<String>) -> Self {
        self.assets = base.into().trim_end_matches('/').to_string();
        self
    }

    /// The page title.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// A header preset in GraphiQL's header editor, sent with every request it makes.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers
            .insert(name.into(), Value::String(value.into()));
        self
    }

    /// The HTML.
    pub fn render(&self) -> String {
        let config = serde_json::json!({
            "endpoint": self.endpoint,
            "headers": self.headers,
        });
        TEMPLATE
            .replace("__SHOPQL_TITLE__", &html_text(&self.title))
            .replace("__SHOPQL_ASSETS__", &html_text(&self.assets))
            .replace("__SHOPQL_CONFIG__", &script_json(&config))
    }
}

/// JSON that is safe inside a `<script>` element.
fn script_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Text that is safe as element content.
fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeds_endpoint_title_and_headers_as_json() {
        let html = GraphiqlPage::new("/demo/lock/graphql")
            .title("lock API")
            .header("CommonGround-Origin", "www.my-vinyl-store.com")
            .render();
        assert!(html.contains("<title>lock API</title>"));
        assert!(
            html.contains(r#""endpoint":"/demo/lock/graphql""#),
            "{html}"
        );
        assert!(html.contains(r#""CommonGround-Origin":"www.my-vinyl-store.com""#));
        assert!(!html.contains("__SHOPQL_"));
    }

    #[test]
    fn loads_nothing_from_another_host_and_every_asset_exists() {
        let html = GraphiqlPage::new("/demo/lock/graphql/").render();
        assert!(!html.contains("https://"), "{html}");
        let mut loaded = 0;
        for part in html.split("/demo/lock/graphql/_graphiql/").skip(1) {
            let name = part.split('"').next().unwrap_or_default();
            let asset = asset(name).unwrap_or_else(|| panic!("no asset {name}"));
            let plain = asset.plain().unwrap_or_default();
            assert!(plain.len() > 1_000, "{name} unpacks");
            loaded += 1;
        }
        assert_eq!(
            loaded, 4,
            "React, ReactDOM, GraphiQL and its styles: {html}"
        );
        assert!(asset("../Cargo.toml").is_none());
    }

    #[test]
    fn no_value_can_close_the_script_or_add_markup() {
        let html = GraphiqlPage::new("/x</script><script>alert(1)</script>")
            .title("</title><script>alert(2)</script>")
            .header("a", "</script>&")
            .render();
        assert_eq!(html.matches("</script>").count(), 4, "{html}");
        assert!(!html.contains("alert(2)</script>"));
        assert!(html.contains(r"\u003c/script\u003e\u0026"));
    }
}
