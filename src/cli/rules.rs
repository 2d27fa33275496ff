//! `halint rules`: the catalog at a glance.

use std::io::{self, Write};

use halint::catalog;
use halint::report::Format;
use serde_json::json;

use super::Outcome;

pub fn run(format: Format) -> io::Result<Outcome> {
    let mut out = io::stdout().lock();
    match format {
        Format::Human => {
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
        Format::Json => {
            let rules: Vec<_> = catalog::all()
                .iter()
                .map(|m| {
                    json!({
                        "id": m.id, "severity": m.severity, "kinds": m.kinds,
                        "summary": m.summary, "why": m.why, "fix": m.fix,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &rules)?;
            writeln!(out)?;
        }
    }
    Ok(Outcome::Clean)
}
