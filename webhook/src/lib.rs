//! halint-webhook: halint's rules at admission time.
//!
//! `main.rs` parses flags and wires these together; the tests and the latency bench
//! start the same server in-process.

pub mod metrics;
pub mod review;
pub mod server;
pub mod tls;
