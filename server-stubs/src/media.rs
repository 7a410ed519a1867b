//! The answer's media type and status, as the GraphQL-over-HTTP specification has them.
//!
//! A client that accepts `application/graphql-response+json` (the specification's current type)
//! gets it, and with it real statuses: a request that cannot run at all (it does not parse or
//! validate, its variables do not coerce, a limit or the persisted-query rules refuse it) is
//! `400` with no `data` entry. A client that accepts only `application/json` (or sends no
//! `Accept`) gets the legacy behaviour: `200` for every GraphQL answer.

use async_graphql::{Response, Value};
use axum::http::{HeaderMap, StatusCode, header};

/// The specification's current media type.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// The media type of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Media {
    /// `application/json`: always `200` for a GraphQL answer.
    Json,
    /// `application/graphql-response+json`: `400` for request errors.
    GraphqlResponse,
}

impl Media {
    /// The type the client prefers by `Accept` (quality values honoured; on a tie the current
    /// type); `Json` without the header; `None` when it accepts neither (answer `406`).
    pub(crate) fn negotiate(headers: &HeaderMap) -> Option<Self> {
        let mut ranges = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter(|r| !r.trim().is_empty())
            .peekable();
        if ranges.peek().is_none() {
            return Some(Self::Json);
        }
        let mut best: Option<(f32, Self)> = None;
        for range in ranges {
            let mut parts = range.split(';');
            let ty = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let media = match ty.as_str() {
                GRAPHQL_RESPONSE_JSON => Self::GraphqlResponse,
                "application/json" | "application/*" | "*/*" => Self::Json,
                _ => continue,
            };
            if q <= 0.0 {
                continue;
            }
            let better = best.is_none_or(|(bq, bm)| {
                q > bq || (q == bq && media == Self::GraphqlResponse && bm == Self::Json)
            });
            if better {
                best = Some((q, media));
            }
        }
        best.map(|(_, m)| m)
    }

    /// The `Content-Type` of the answer.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::GraphqlResponse => GRAPHQL_RESPONSE_JSON,
        }
    }

    /// The status of a single GraphQL answer.
    pub(crate) fn status(self, response: &Response) -> StatusCode {
        if self == Self::GraphqlResponse && is_request_error(response) {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        }
    }
}

/// Nothing ran: no data, and only errors that concern the request as a whole (a field error
/// always has a path, also when it nulled the whole `data`).
pub(crate) fn is_request_error(response: &Response) -> bool {
    response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// Whether a POST's `Content-Type` is JSON (`application/json`, any parameters); a POST without
/// one, or with another, is refused with `415`.
pub(crate) fn is_json_body(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(v: &str) -> Option<Media> {
        let mut h = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(header::ACCEPT, v);
        }
        Media::negotiate(&h)
    }

    #[test]
    fn accept_is_negotiated_with_quality_values() {
        assert_eq!(Media::negotiate(&HeaderMap::new()), Some(Media::Json));
        assert_eq!(accept("application/json"), Some(Media::Json));
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Some(Media::GraphqlResponse)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Some(Media::Json)
        );
        assert_eq!(accept("*/*"), Some(Media::Json));
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }

    #[test]
    fn request_errors_are_400_only_with_the_current_type() {
        let refused = Response::from_errors(vec![async_graphql::ServerError::new("bad", None)]);
        assert_eq!(
            Media::GraphqlResponse.status(&refused),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(Media::Json.status(&refused), StatusCode::OK);
        let mut field = async_graphql::ServerError::new("field", None);
        field.path = vec![async_graphql::PathSegment::Field("a".into())];
        let field_error = Response::from_errors(vec![field]);
        assert_eq!(Media::GraphqlResponse.status(&field_error), StatusCode::OK);
    }
}
