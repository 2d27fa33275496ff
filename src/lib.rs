//! halint: catches high-availability mistakes in Kubernetes workloads.
//!
//! The library is the engine ([`engine::lint`]) and what feeds it ([`load`], [`objects`]) or
//! renders its findings ([`report`]). The `halint` CLI and the `halint-webhook` admission
//! server are thin layers over it.

pub mod catalog;
pub mod config;
pub mod custom;
pub mod docs;
pub mod engine;
pub mod exempt;
pub mod load;
pub mod objects;
pub mod pipeline;
pub mod pointer;
pub mod report;
pub mod rules;

pub use config::Config;
pub use engine::{lint, lint_all, lint_object, Finding, LintInput, Linted, Severity, Suppressed};
pub use exempt::Date;
pub use objects::Object;
