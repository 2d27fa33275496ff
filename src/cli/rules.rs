//! `halint rules`: the catalog at a glance, or all of it as JSON for tools.

use std::io::{self, Write};

use clap::ValueEnum;
use halint::catalog;
use serde_json::json;

use super::Outcome;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// One line per rule: id, default severity, summary.
    Human,
    /// Every rule's metadata: id, severity, kinds, summary, why, fix, options, examples.
    Json,
}

pub fn run(format: RulesFormat) -> io::Result<Outcome> {
    let mut out = io::stdout().lock();
    match format {
        RulesFormat::Human => {
            let width = catalog::all().iter().map(|m| m.id.len()).max().unwrap_or(0);
            for meta in catalog::all() {
                writeln!(
                    out,
                    "{:width$}  {:7}  {}",
                    meta.id,
                    meta.severity.as_str(),
                    meta.summary
                )?;
            }
        }
        RulesFormat::Json => {
            let rules: Vec<_> = catalog::all()
                .iter()
                .map(|m| {
                    let options: Vec<_> = m
                        .options
                        .iter()
                        .map(|o| {
                            json!({"name": o.name, "default": o.default, "description": o.description})
                        })
                        .collect();
                    json!({
                        "id": m.id, "severity": m.severity, "kinds": m.kinds,
                        "summary": m.summary, "why": m.why, "fix": m.fix,
                        "options": options,
                        "examples": {"failing": m.examples.failing, "passing": m.examples.passing},
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &json!({"version": 1, "rules": rules}))?;
            writeln!(out)?;
        }
    }
    Ok(Outcome::Clean)
}
