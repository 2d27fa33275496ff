//! Rule metadata and documentation, from `rules/<id>.yaml`, compiled into the binary. It feeds
//! `halint rules`, `halint explain`, report help and the example tests: one text, many uses.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::engine::Severity;
use crate::load::{yaml, Limits};
use crate::rules::REGISTRY;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub severity: Severity,
    /// Object kinds the rule looks at.
    pub kinds: Vec<String>,
    /// One line: what the rule flags.
    pub summary: String,
    pub why: String,
    pub fix: String,
    #[serde(default)]
    pub options: Vec<RuleOption>,
    pub examples: Examples,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOption {
    pub name: String,
    pub default: serde_json::Value,
    pub description: String,
    /// The smallest value a number option takes; config files are checked against it.
    #[serde(default)]
    pub minimum: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Manifests (multi-document YAML) on which the rule must report.
    pub failing: String,
    /// Manifests on which it must stay silent.
    pub passing: String,
}

impl RuleMeta {
    pub fn applies_to(&self, kind: &str) -> bool {
        self.kinds.iter().any(|k| k == kind)
    }
}

/// Parses one rule data file; errors name the file.
pub fn parse_meta(name: &str, text: &str) -> Result<RuleMeta, String> {
    let parsed = yaml::parse(text, yaml::SpanMode::Skip, &Limits::default());
    if let Some(err) = parsed.errors.first() {
        return Err(format!(
            "{name}:{}:{}: {}",
            err.position.line, err.position.column, err.message
        ));
    }
    let doc = parsed
        .documents
        .into_iter()
        .next()
        .ok_or(format!("{name}: empty"))?;
    serde_json::from_value(doc.value).map_err(|e| format!("{name}: {e}"))
}

/// Every registered rule's metadata, in registry order.
pub fn all() -> &'static [RuleMeta] {
    static ALL: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    ALL.get_or_init(|| {
        REGISTRY
            .iter()
            .map(|rule| {
                // The data files are compiled in and checked by tests: a failure here is a
                // build defect, not an input error.
                parse_meta(rule.id, rule.data).unwrap_or_else(|e| panic!("rules/{e}"))
            })
            .collect()
    })
}

pub fn rule_meta(id: &str) -> Option<&'static RuleMeta> {
    all().iter().find(|m| m.id == id)
}

/// Every rule data file (`*.yaml`) of a directory, sorted by file name: what docs/rules/ is
/// generated from, so a new `rules/<id>.yaml` gets its page without any other change.
pub fn read_dir(dir: &std::path::Path) -> Result<Vec<RuleMeta>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
            parse_meta(&name, &text)
        })
        .collect()
}
