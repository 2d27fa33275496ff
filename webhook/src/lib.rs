//! halint-webhook: halint's rules at admission time.
//!
//! `main.rs` parses flags and wires these together; the tests and the latency bench
//! start the same server in-process.

pub mod app;
pub mod cache;
pub mod custom;
pub mod handler;
pub mod metrics;
pub mod review;
pub mod scale;
pub mod server;
pub mod settings;
pub mod tls;
