//! `halint rules`: the catalog at a glance (custom rules included), or all of it as JSON for tools.

use std::io::{self, Write};
use std::path::Path;

use clap::ValueEnum;
use halint::catalog::{self, RuleMeta, RuleOption};
use halint::engine::Severity;
use serde::Serialize;

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
            let rules: Vec<RuleJson<'_>> = all
                .iter()
                .map(|(meta, file)| RuleJson::new(meta, *file))
                .collect();
            serde_json::to_writer_pretty(&mut out, &RulesJson { version: 1, rules })?;
            writeln!(out)?;
        }
    }
    Ok(Outcome::Clean)
}

// Structs rather than `json!`, so that the keys come in this order (`serde_json::Map`
// sorts its keys).

#[derive(Serialize)]
struct RulesJson<'a> {
    version: u32,
    rules: Vec<RuleJson<'a>>,
}

#[derive(Serialize)]
struct RuleJson<'a> {
    id: &'a str,
    severity: Severity,
    kinds: &'a [String],
    summary: &'a str,
    why: &'a str,
    fix: &'a str,
    options: Vec<OptionJson<'a>>,
    examples: ExamplesJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom: Option<&'a str>,
}

#[derive(Serialize)]
struct OptionJson<'a> {
    name: &'a str,
    default: &'a serde_json::Value,
    description: &'a str,
}

#[derive(Serialize)]
struct ExamplesJson<'a> {
    failing: &'a str,
    passing: &'a str,
}

impl<'a> RuleJson<'a> {
    fn new(meta: &'a RuleMeta, custom: Option<&'a str>) -> Self {
        RuleJson {
            id: &meta.id,
            severity: meta.severity,
            kinds: &meta.kinds,
            summary: &meta.summary,
            why: &meta.why,
            fix: &meta.fix,
            options: meta.options.iter().map(OptionJson::from).collect(),
            examples: ExamplesJson {
                failing: &meta.examples.failing,
                passing: &meta.examples.passing,
            },
            custom,
        }
    }
}

impl<'a> From<&'a RuleOption> for OptionJson<'a> {
    fn from(option: &'a RuleOption) -> Self {
        OptionJson {
            name: &option.name,
            default: &option.default,
            description: &option.description,
        }
    }
}
