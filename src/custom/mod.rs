//! Custom rules: declarative checks that teams write in the rules/ format, without Rust.
//! A JSONPath (RFC 9535, jsonpath-rust) selects values of an object; an assertion says
//! what they must be. See README ("Custom rules") for the format.
//!
//! [`parse`] turns a rule file's text into a [`CustomRule`] and checks its examples: a
//! house rule whose failing example does not flag, or whose passing one does, is an error.

mod assertion;
mod parse;
mod path;

use std::collections::BTreeSet;
use std::sync::Mutex;

use jsonpath_rust::parser::model::JpQuery;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::Value;

pub use assertion::Assertion;
pub use parse::parse;

use crate::catalog::RuleMeta;
use crate::objects::{selector, Object};
use crate::rules::Diagnostic;

/// One loaded custom rule.
#[derive(Debug, Clone)]
pub struct CustomRule {
    /// The rule's id, interned: findings name their rule by `&'static str`.
    pub id: &'static str,
    /// id, severity, kinds, summary, why, fix and examples, as for built-in rules.
    pub meta: RuleMeta,
    /// The file it came from, as errors and `halint rules` name it.
    pub file: String,
    /// Only objects in these namespaces (all when empty).
    pub namespaces: Vec<String>,
    /// Only objects whose own labels match.
    pub labels: Option<LabelSelector>,
    /// The JSONPath, as written.
    pub path: String,
    query: JpQuery,
    pub assertion: Assertion,
    /// `{kind}`, `{namespace}`, `{name}`, `{value}` and `{field}` are filled in.
    pub message: String,
    /// None: the summary.
    pub help: Option<String>,
}

impl CustomRule {
    /// Whether the rule looks at this object at all.
    pub fn applies_to(&self, object: &Object) -> bool {
        self.meta.applies_to(&object.id.kind)
            && (self.namespaces.is_empty() || self.namespaces.contains(&object.id.namespace))
            && self.labels.as_ref().is_none_or(|sel| {
                let empty = Default::default();
                selector::matches(sel, object.metadata().labels.as_ref().unwrap_or(&empty))
            })
    }

    /// Evaluates the rule on an object's JSON form.
    pub fn check(&self, object: &Object, json: &Value, out: &mut Vec<Diagnostic>) {
        // The query was parsed when the rule loaded; evaluating it does not fail on a Value.
        let selected = jsonpath_rust::query::js_path_process(&self.query, json).unwrap_or_default();
        let hits: Vec<(String, Option<&Value>)> = match &self.assertion {
            Assertion::Exists => {
                if selected.is_empty() {
                    vec![(path::singular_prefix(&self.query), None)]
                } else {
                    Vec::new()
                }
            }
            assertion => selected
                .into_iter()
                .filter(|hit| !assertion.holds(hit.val))
                .map(|hit| (path::to_pointer(&hit.path), Some(hit.val)))
                .collect(),
        };
        for (ptr, value) in hits {
            let help = self
                .help
                .clone()
                .unwrap_or_else(|| self.meta.summary.clone());
            out.push(Diagnostic::new(ptr.clone(), self.render(object, &ptr, value)).help(help));
        }
    }

    fn render(&self, object: &Object, ptr: &str, value: Option<&Value>) -> String {
        let value = match value {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => "nothing".to_string(),
        };
        fill(&self.message, |name| match name {
            "kind" => Some(object.id.kind.clone()),
            "namespace" => Some(object.id.namespace.clone()),
            "name" => Some(object.id.name.clone()),
            "value" => Some(value.clone()),
            "field" => Some(crate::pointer::to_field_path(ptr)),
            _ => None,
        })
    }
}

/// The placeholders a message may use.
pub const PLACEHOLDERS: &[&str] = &["kind", "namespace", "name", "value", "field"];

/// Replaces `{name}` placeholders; `{{` and `}}` are literal braces. An unknown name is
/// left as written (parse rejects it before a rule ever runs).
fn fill(template: &str, mut lookup: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let (true, Some(end)) = (tail.starts_with('{'), tail.find('}')) {
            let name = &tail[1..end];
            match lookup(name) {
                Some(v) => out.push_str(&v),
                None => out.push_str(&tail[..=end]),
            }
            rest = &tail[end + 1..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The placeholder names a template uses.
fn placeholders(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    fill(template, |name| {
        names.push(name.to_string());
        Some(String::new())
    });
    names
}

/// Custom rule ids live as long as the process, like built-in ones: a config is loaded
/// once, and the same id loaded twice is stored once.
fn intern(id: &str) -> &'static str {
    static IDS: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut ids = IDS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = ids.get(id) {
        return known;
    }
    let leaked: &'static str = Box::leak(id.to_string().into_boxed_str());
    ids.insert(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders_and_keeps_escaped_braces() {
        let out = fill("{kind} {{x}} {name} {nope}", |n| match n {
            "kind" => Some("Deployment".into()),
            "name" => Some("web".into()),
            _ => None,
        });
        assert_eq!(out, "Deployment {x} web {nope}");
        assert_eq!(placeholders("{a} and {b} {{c}}"), ["a", "b"]);
    }

    #[test]
    fn interned_ids_are_shared() {
        assert!(std::ptr::eq(
            intern("team-label"),
            intern(&String::from("team-label"))
        ));
    }
}
