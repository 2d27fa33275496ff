//! The one entry point: objects and config in, findings out. Pure: no I/O, no async.

use std::borrow::Cow;

use serde::Serialize;

use crate::catalog;
use crate::config::{Config, Level};
use crate::exempt::{Date, Exemption, Exemptions, Judgement};
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
    /// Most findings' help is a literal of their rule or its summary: borrowed, not copied.
    pub help: Cow<'static, str>,
    /// Index of the object in `LintInput::objects`.
    pub object: usize,
    /// JSON pointer into the object; "" for the object itself.
    pub path: String,
    /// Other objects of the set that the finding is about too (a workload's PDB).
    pub related: Vec<Related>,
    /// An exemption that covered this finding but has lapsed (its `ignore-until` date has
    /// passed, or is not a date): the finding is back, and says so.
    pub lapsed: Option<Box<Exemption>>,
}

/// A finding that an exemption covers: not reported as a finding, not counted toward the
/// exit code, listed by `--show-suppressed` with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub finding: Finding,
    pub exemption: Exemption,
}

pub struct LintInput<'a> {
    /// The objects to report on.
    pub objects: &'a [Object],
    /// Counterparts seen by cross-object rules but never reported on.
    pub context: &'a [Object],
    /// What the cluster holds (the webhook's cache); None offline.
    pub cluster: Option<&'a Catalog>,
    pub config: &'a Config,
    /// The date `halint.io/ignore-until` is compared with. The engine never reads the
    /// clock; the CLI and the webhook pass the current UTC date.
    pub today: Date,
}

/// Everything a lint found: what to report, and what exemptions held back.
#[derive(Debug, Clone, Default)]
pub struct Linted {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
}

/// Annotation listing rule ids (or `all`) that do not apply to an object.
pub const IGNORE_ANNOTATION: &str = crate::exempt::IGNORE;

/// The findings that no exemption covers.
pub fn lint(input: &LintInput<'_>) -> Vec<Finding> {
    lint_all(input).findings
}

/// Findings, and the suppressed ones with the exemption that covers each.
pub fn lint_all(input: &LintInput<'_>) -> Linted {
    let index = Index::build(input.objects, input.context, input.cluster);
    let mut out = Linted::default();
    for (i, object) in input.objects.iter().enumerate() {
        lint_object(object, i, &index, input.config, input.today, &mut out);
    }
    out
}

/// One object's findings against an index of the whole set, with `at` its index there:
/// what [`lint_all`] does per object, for callers that never hold the set at once.
pub fn lint_object(
    object: &Object,
    at: usize,
    index: &Index<'_>,
    config: &Config,
    today: Date,
    out: &mut Linted,
) {
    let exemptions = Exemptions::of(object, &config.peer_exemptions);
    let mut diagnostics = Vec::new();
    for (rule, meta) in rules::REGISTRY.iter().zip(catalog::all()) {
        let level = config.level(rule.id);
        if level == Some(Level::Off) || !meta.applies_to(&object.id.kind) {
            continue;
        }
        let cx = rules::Context {
            object,
            index,
            config,
        };
        (rule.check)(&cx, &mut diagnostics);
        for d in diagnostics.drain(..) {
            let summary = || Cow::Borrowed(meta.summary.as_str());
            let finding = finish(rule.id, meta, summary, level, at, d);
            settle(finding, &exemptions, today, out);
        }
    }
    let mut json = None;
    for custom in &config.custom {
        let level = config.level(custom.id);
        if level == Some(Level::Off) || !custom.applies_to(object) {
            continue;
        }
        let json = json.get_or_insert_with(|| object.to_json());
        custom.check(object, json, &mut diagnostics);
        for d in diagnostics.drain(..) {
            let summary = || Cow::Owned(custom.meta.summary.clone());
            let finding = finish(custom.id, &custom.meta, summary, level, at, d);
            settle(finding, &exemptions, today, out);
        }
    }
}

fn settle(mut finding: Finding, exemptions: &Exemptions, today: Date, out: &mut Linted) {
    match exemptions.judge(finding.rule, &finding.path, today) {
        Judgement::None => out.findings.push(finding),
        Judgement::Exempt(exemption) => out.suppressed.push(Suppressed {
            finding,
            exemption: exemption.clone(),
        }),
        Judgement::Lapsed(exemption) => {
            let until = exemption.until.as_deref().unwrap_or_default();
            let which = match &exemption.reason {
                Some(reason) => format!("{}, \"{reason}\"", exemption.annotation),
                None => exemption.annotation.clone(),
            };
            let note = match until.trim().parse::<Date>() {
                Ok(date) => format!("its exemption ({which}) expired on {date}"),
                Err(_) => format!(
                    "its exemption ({which}) does not apply: {} `{until}` is not a date (YYYY-MM-DD)",
                    crate::exempt::IGNORE_UNTIL
                ),
            };
            finding.message = format!("{}; {note}", finding.message);
            finding.lapsed = Some(Box::new(exemption.clone()));
            out.findings.push(finding);
        }
    }
}

/// `summary`: the help of a diagnostic that gives none; a built-in rule's is borrowed.
fn finish(
    rule: &'static str,
    meta: &catalog::RuleMeta,
    summary: impl FnOnce() -> Cow<'static, str>,
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
        help: d.help.unwrap_or_else(summary),
        object,
        path: d.path,
        related: d.related,
        lapsed: None,
    }
}
