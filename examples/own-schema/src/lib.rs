//! A user's crate on shopql's runtime alone: it depends on `shopql-sdk` with
//! `default-features = false` (none of shopql's seven APIs is generated or compiled) and its
//! `build.rs` generates [`wishlist`], a typed client for its own schema (`wishlist.graphql`) with
//! its own operation documents (`operations/`).
//!
//! ```no_run
//! use shopql_example_own_schema::wishlist;
//!
//! # async fn demo() -> shopql_sdk::Result<()> {
//! let api = wishlist::Client::new("http://127.0.0.1:8080/graphql").bearer("a-token");
//! let options = wishlist::AddToWishlistOptions { quantity: Some(2) };
//! let added = api.add_to_wishlist("user-1".into(), "robot-pink-standard".into(), options).await?;
//! let skus = api
//!     .operations()
//!     .wishlist_skus(wishlist::operations::wishlist_skus::Variables { user_id: added.user_id })
//!     .await?;
//! # let _ = skus;
//! # Ok(())
//! # }
//! ```

// Defines `pub mod wishlist`.
include!(concat!(env!("OUT_DIR"), "/wishlist.rs"));
