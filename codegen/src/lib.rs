//! # shopql-codegen
//!
//! A schema-first GraphQL generator for Rust: SDL and operation documents in, a typed async
//! client and trait-based server stubs out.
//!
//! ```text
//! schemas/*.graphql ──parse──> model (checked; diagnostics with file:line:col)
//! operations/<api>/*.graphql ──parse + check──┘
//!                                             ├─ emit::client  typed Client, default selections, operations
//!                                             └─ emit::server  resolver trait + adapter: the checked
//!                                                 SDL (model::print) and the field bindings
//! ```
//!
//! Use it from a build script, in the style of tonic-build and prost-build:
//!
//! ```no_run
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     shopql_codegen::configure()
//!         .client(true)
//!         .server(false)
//!         .scalar("DateTime", "::std::string::String")
//!         .compile_dir("../schemas")?; // every *.graphql API + operations/<api>/
//!     Ok(())
//! }
//! ```
//!
//! and include the output with `include!(concat!(env!("OUT_DIR"), "/shop.rs"));`, which defines
//! a module named after the API (`shop`). Every file read is reported with
//! `cargo:rerun-if-changed`, so editing a schema or adding an operation rebuilds.
//!
//! The client is a general client of the whole schema by default; a crate that only runs its
//! own operations can emit only what they use with
//! `.client_types(ClientTypes::UsedByOperations)` (see [`Builder::client_types`]).
//!
//! The same pipeline runs from the command line: `shopql-codegen generate …` writes the files
//! (for people who check generated code in), and `shopql-codegen check schemas/` validates
//! schemas and operations ([`Builder::check`]), printing `file:line:col: error: …` diagnostics.
//! `shopql-codegen introspect URL` reads a running service's schema ([`introspect`]), `print`
//! writes a schema in canonical form, and `diff OLD NEW` classifies what changed ([`diff`]).
//!
//! APIs are emitted in parallel, one per core; the output does not depend on it, and is
//! byte-identical across runs and machines.

// Published crates: every public item is documented and reachable from the crate root.
#![warn(missing_docs, unreachable_pub)]

mod builder;
pub mod config;
pub mod diagnostics;
pub mod diff;
pub mod emit;
pub mod introspect;
pub mod model;
pub mod names;
pub mod operations;

pub use builder::{
    Builder, CheckReport, Error, Generated, GeneratedFile, WriteStatus, WrittenFile, configure,
};
pub use config::{ClientTypes, Config};
pub use diagnostics::{Diagnostic, Diagnostics, Location, Severity};
