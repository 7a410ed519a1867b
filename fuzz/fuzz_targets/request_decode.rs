//! Any HTTP body sent to a served API (the lock API, through the real axum router with its
//! limits) gets a response, never a panic, and never a 5xx.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use shopql_server_stubs::lock::{LockResolvers, LockStatus};
use shopql_server_stubs::{ApiError, ApiResult, RequestContext};
use tower::ServiceExt;

struct Locks;

#[shopql_server_stubs::async_trait::async_trait]
impl LockResolvers for Locks {
    async fn lock(&self, _: &RequestContext, key: String) -> ApiResult<Option<LockStatus>> {
        if key.is_empty() {
            return Err(ApiError::bad_input("empty key"));
        }
        Ok(Some(LockStatus { key, ..Default::default() }))
    }
    async fn acquire(&self, _: &RequestContext, key: String, ttl: Option<i32>) -> ApiResult<bool> {
        Ok(!key.is_empty() && ttl.unwrap_or(60) > 0)
    }
    async fn release(&self, _: &RequestContext, key: String) -> ApiResult<bool> {
        Ok(!key.is_empty())
    }
}

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| panic!("runtime: {e}"))
});

fuzz_target!(|data: &[u8]| {
    let app = shopql_server_stubs::lock::router(Locks);
    let request = http::Request::builder()
        .method("POST")
        .uri("/")
        .header("content-type", "application/json")
        .body(shopql_server_stubs::axum::body::Body::from(data.to_vec()));
    let Ok(request) = request else { return };
    let response = RUNTIME.block_on(app.oneshot(request));
    if let Ok(response) = response {
        assert!(!response.status().is_server_error(), "5xx for {:?}", String::from_utf8_lossy(data));
    }
});
