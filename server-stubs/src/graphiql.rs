//! The GraphiQL page served on `GET` without a query: a static HTML page (GraphiQL 3 from
//! unpkg) with its endpoint, title and preset headers embedded as JSON.
//!
//! Values are embedded as JSON with `<`, `>` and `&` escaped (`\u003c`, …), so no endpoint,
//! title or header value can close the script element or inject markup.

use serde_json::{Map, Value};

const TEMPLATE: &str = include_str!("graphiql/page.html");

/// A GraphiQL page: `GraphiqlPage::new("/lock/graphql").title("…").header("X", "v").render()`.
#[derive(Debug, Clone)]
pub struct GraphiqlPage {
    endpoint: String,
    title: String,
    headers: Map<String, Value>,
}

impl GraphiqlPage {
    /// A page whose GraphiQL posts to `endpoint` (a path or an absolute URL).
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            title: "GraphiQL".into(),
            headers: Map::new(),
        }
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
