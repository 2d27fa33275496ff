//! `halint rules`: the catalog at a glance (custom rules included), or all of it as JSON for tools.

use std::io::{self, Write};
use std::path::Path;

use clap::ValueEnum;
use halint::catalog::{self, RuleMeta};
use serde_json::json;

use super::config;
use super::Outcome;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// One line per rule: id, default severity, summary.
    Human,
    /// Every rule's metadata: id, severity, kinds, summary, why, fix, options, examples.
    Json,
}

pub fn run(format: RulesFormat, check: bool, config_path: Option<&Path>) -> io::Result<Outcome> {
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
        RulesFormat::Human => {
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
        RulesFormat::Json => {
            let rules: Vec<_> = all
                .iter()
                .map(|(m, file)| {
                    let options: Vec<_> = m
                        .options
                        .iter()
                        .map(|o| {
                            json!({"name": o.name, "default": o.default, "description": o.description})
                        })
                        .collect();
                    let mut rule = json!({
                        "id": m.id, "severity": m.severity, "kinds": m.kinds,
                        "summary": m.summary, "why": m.why, "fix": m.fix,
                        "options": options,
                        "examples": {"failing": m.examples.failing, "passing": m.examples.passing},
                    });
                    if let Some(file) = file {
                        rule["custom"] = json!(file);
                    }
                    rule
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &json!({"version": 1, "rules": rules}))?;
            writeln!(out)?;
        }
    }
    Ok(Outcome::Clean)
}
