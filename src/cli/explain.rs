//! `halint explain RULE`: the rule's page, from rules/<id>.yaml.

use std::io::{self, Write};

use halint::catalog;

use super::Outcome;

pub fn run(id: &str) -> io::Result<Outcome> {
    let Some(meta) = catalog::rule_meta(id) else {
        let known: Vec<&str> = catalog::all().iter().map(|m| m.id.as_str()).collect();
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
