//! The one entry point: objects and config in, findings out. Pure: no I/O, no async.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::catalog;
use crate::config::{Config, Level};
use crate::objects::catalog::Catalog;
use crate::objects::index::Index;
use crate::objects::Object;
use crate::rules::{self, Diagnostic, Related};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(format!(
                "unknown severity `{s}` (expected error, warning or info)"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: String,
    /// Index of the object in `LintInput::objects`.
    pub object: usize,
    /// JSON pointer into the object; "" for the object itself.
    pub path: String,
    /// Other objects of the set that the finding is about too (a workload's PDB).
    pub related: Vec<Related>,
}

pub struct LintInput<'a> {
    /// The objects to report on.
    pub objects: &'a [Object],
    /// Counterparts seen by cross-object rules but never reported on.
    pub context: &'a [Object],
    /// What the cluster holds (the webhook's cache); None offline.
    pub cluster: Option<&'a Catalog>,
    pub config: &'a Config,
}

/// Annotation listing rule ids (or `all`) that do not apply to an object.
pub const IGNORE_ANNOTATION: &str = "halint.io/ignore";

pub fn lint(input: &LintInput<'_>) -> Vec<Finding> {
    let index = Index::build(input.objects, input.context, input.cluster);
    let mut findings = Vec::new();
    let mut diagnostics = Vec::new();
    for (i, object) in input.objects.iter().enumerate() {
        let exempt = exemptions(object);
        for (rule, meta) in rules::REGISTRY.iter().zip(catalog::all()) {
            let level = input.config.level(rule.id);
            if level == Some(Level::Off) || exempt.covers(rule.id) {
                continue;
            }
            if !meta.applies_to(&object.id.kind) {
                continue;
            }
            let cx = rules::Context {
                object,
                index: &index,
                config: input.config,
            };
            (rule.check)(&cx, &mut diagnostics);
            for d in diagnostics.drain(..) {
                findings.push(finish(rule.id, meta, level, i, d));
            }
        }
    }
    findings
}

fn finish(
    rule: &'static str,
    meta: &catalog::RuleMeta,
    level: Option<Level>,
    object: usize,
    d: Diagnostic,
) -> Finding {
    let severity = match level {
        Some(Level::Severity(s)) => s,
        _ => d.severity.unwrap_or(meta.severity),
    };
    Finding {
        rule,
        severity,
        message: d.message,
        help: d.help.unwrap_or_else(|| meta.summary.clone()),
        object,
        path: d.path,
        related: d.related,
    }
}

enum Exempt {
    None,
    All,
    Rules(BTreeSet<String>),
}

impl Exempt {
    fn covers(&self, id: &str) -> bool {
        match self {
            Exempt::None => false,
            Exempt::All => true,
            Exempt::Rules(ids) => ids.contains(id),
        }
    }
}

fn exemptions(object: &Object) -> Exempt {
    let own = object
        .metadata()
        .annotations
        .as_ref()
        .and_then(|a| a.get(IGNORE_ANNOTATION));
    let template = object
        .pod_template()
        .and_then(|t| t.meta)
        .and_then(|m| m.annotations.as_ref())
        .and_then(|a| a.get(IGNORE_ANNOTATION));
    let ids: BTreeSet<String> = own
        .into_iter()
        .chain(template)
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if ids.contains("all") {
        Exempt::All
    } else if ids.is_empty() {
        Exempt::None
    } else {
        Exempt::Rules(ids)
    }
}
