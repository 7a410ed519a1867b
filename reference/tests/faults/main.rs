//! Faults that real clients and operators cause, on every backend: requests dropped at any
//! point (in process and over TCP), a full disk, PostgreSQL backends killed and the server
//! restarted, slow and idle clients, and shutdown. After each, every API must still write,
//! nothing acknowledged may be lost, and nothing may be left half done.
#![allow(clippy::unwrap_used)]

mod cancellation;
mod disk_full;
mod postgres_outage;
mod shutdown;
mod slow_clients;
mod support;
