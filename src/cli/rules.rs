//! `halint rules`: the catalog at a glance, the config's custom rules included.

use std::io::{self, Write};
use std::path::Path;

use halint::catalog::{self, RuleMeta};
use halint::report::Format;
use serde_json::json;

use super::config;
use super::Outcome;

pub fn run(format: Format, check: bool, config_path: Option<&Path>) -> io::Result<Outcome> {
    let settings = match config::load(config_path) {
        Ok(settings) => settings,
        Err(errors) => return Ok(config::report(&errors)),
    };
    let custom = &settings.config.custom;
    let mut out = io::stdout().lock();
    if check {
        // Loading the config parsed every custom rule and ran its examples.
        match &settings.path {
            None => writeln!(out, "no config file: no custom rules to check")?,
            Some(path) => writeln!(
                out,
                "{}: {} custom {} loaded, examples behave",
                path.display(),
                custom.len(),
                if custom.len() == 1 { "rule" } else { "rules" }
            )?,
        }
        for rule in custom {
            writeln!(out, "  {}  ({})", rule.id, rule.file)?;
        }
        return Ok(Outcome::Clean);
    }
    let all: Vec<(&RuleMeta, Option<&str>)> = catalog::all()
        .iter()
        .map(|m| (m, None))
        .chain(custom.iter().map(|r| (&r.meta, Some(r.file.as_str()))))
        .collect();
    match format {
        Format::Human => {
            let width = all.iter().map(|(m, _)| m.id.len()).max().unwrap_or(0);
            for (meta, file) in &all {
                let origin = file.map(|f| format!("  (custom: {f})")).unwrap_or_default();
                writeln!(
                    out,
                    "{:width$}  {:7}  {}{origin}",
                    meta.id,
                    meta.severity.as_str(),
                    meta.summary
                )?;
            }
        }
        Format::Json => {
            let rules: Vec<_> = all
                .iter()
                .map(|(m, file)| {
                    let mut rule = json!({
                        "id": m.id, "severity": m.severity, "kinds": m.kinds,
                        "summary": m.summary, "why": m.why, "fix": m.fix,
                    });
                    if let Some(file) = file {
                        rule["custom"] = json!(file);
                    }
                    rule
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &rules)?;
            writeln!(out)?;
        }
    }
    Ok(Outcome::Clean)
}
