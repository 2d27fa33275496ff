//! `halint explain RULE`: the rule's page, from rules/<id>.yaml.

use std::io::{self, Write};

use std::path::Path;

use halint::catalog;

use super::config;
use super::Outcome;

pub fn run(id: &str, config_path: Option<&Path>) -> io::Result<Outcome> {
    let settings = match config::load(config_path) {
        Ok(settings) => settings,
        Err(errors) => return Ok(config::report(&errors)),
    };
    let custom = settings.config.custom_rule(id);
    let Some(meta) = catalog::rule_meta(id).or(custom.map(|r| &r.meta)) else {
        let known: Vec<&str> = catalog::all()
            .iter()
            .map(|m| m.id.as_str())
            .chain(settings.config.custom.iter().map(|r| r.id))
            .collect();
        eprintln!(
            "halint: unknown rule `{id}`; known rules: {}",
            known.join(", ")
        );
        return Ok(Outcome::Trouble);
    };
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{} ({} by default; applies to {})",
        meta.id,
        meta.severity,
        meta.kinds.join(", ")
    )?;
    writeln!(out, "\n{}", meta.summary)?;
    if let Some(rule) = custom {
        writeln!(
            out,
            "\nA custom rule from {}: `{}` must hold ({})",
            rule.file,
            rule.path,
            rule.assertion.describe()
        )?;
    }
    writeln!(out, "\nWhy it matters\n\n{}", indent(&meta.why))?;
    writeln!(out, "How to fix\n\n{}", indent(&meta.fix))?;
    if !meta.options.is_empty() {
        writeln!(out, "Options\n")?;
        for option in &meta.options {
            writeln!(
                out,
                "    {} (default {}): {}",
                option.name, option.default, option.description
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "Flagged\n\n{}", indent(&meta.examples.failing))?;
    writeln!(out, "Passes\n\n{}", indent(&meta.examples.passing))?;
    Ok(Outcome::Clean)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
