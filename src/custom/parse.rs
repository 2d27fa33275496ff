//! A custom rule file's text → a checked [`CustomRule`], every mistake located.

use std::sync::Arc;

use regex::Regex;
use serde_json::Value;

use super::assertion::{Assertion, NAMES};
use super::{intern, placeholders, CustomRule, PLACEHOLDERS};
use crate::catalog::{self, Examples, RuleMeta};
use crate::config::located::{describe, Doc};
use crate::config::Config;
use crate::engine::{lint, LintInput, Severity};
use crate::exempt::Date;
use crate::load::{load_text, InputError, Limits};
use crate::objects::KINDS;

const KEYS: &[&str] = &[
    "id", "severity", "kinds", "match", "path", "assert", "message", "help", "summary", "why",
    "fix", "examples",
];

/// Parses a custom rule and runs its examples. `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<CustomRule, Vec<InputError>> {
    let (mut doc, value) = Doc::parse(file, text)?;
    let Some(value) = value else {
        doc.error("", "an empty rule file");
        return Err(doc.into_errors());
    };
    let Some(root) = doc.map(&value, "", "a custom rule") else {
        return Err(doc.into_errors());
    };
    doc.only_keys(root, "", "a custom rule", KEYS);
    let required = |doc: &mut Doc, key: &str| -> Option<&Value> {
        let v = root.get(key);
        if v.is_none() {
            doc.error("", format!("a custom rule needs `{key}`"));
        }
        v
    };
    let text_field = |doc: &mut Doc, v: Option<&Value>, key: &str| -> Option<String> {
        let s = doc.string(v?, &format!("/{key}"), &format!("`{key}`"))?;
        if s.trim().is_empty() {
            doc.error(&format!("/{key}"), format!("`{key}` is empty"));
            return None;
        }
        Some(s.to_string())
    };

    let id = required(&mut doc, "id").and_then(|v| text_field(&mut doc, Some(v), "id"));
    if let Some(id) = &id {
        if catalog::rule_meta(id).is_some() {
            doc.error(
                "/id",
                format!("`{id}` is a built-in rule; a custom rule needs its own id"),
            );
        } else if id == "all" || !is_kebab(id) {
            doc.error(
                "/id",
                format!("rule id `{id}` must be kebab-case (a-z, 0-9, -) and not `all`"),
            );
        }
    }
    let severity = required(&mut doc, "severity").and_then(|v| {
        let s = doc.string(v, "/severity", "`severity`")?;
        s.parse::<Severity>()
            .map_err(|e| doc.error("/severity", e))
            .ok()
    });
    let kinds = required(&mut doc, "kinds").and_then(|v| doc.strings(v, "/kinds", "`kinds`"));
    if let Some(kinds) = &kinds {
        if kinds.is_empty() {
            doc.error("/kinds", "`kinds` is empty: the rule would never run");
        }
        for (kind, ptr) in kinds {
            if !KINDS.contains(&kind.as_str()) {
                doc.error(
                    ptr,
                    format!(
                        "halint does not read kind `{kind}` (it reads {})",
                        KINDS.join(", ")
                    ),
                );
            }
        }
    }
    let (namespaces, labels) = match root.get("match") {
        Some(m) => matcher(&mut doc, m),
        None => (Vec::new(), None),
    };
    let query = required(&mut doc, "path").and_then(|v| {
        let p = doc.string(v, "/path", "`path`")?;
        match jsonpath_rust::parser::parse_json_path(p) {
            Ok(q) => Some((p.to_string(), q)),
            Err(e) => {
                doc.error(
                    "/path",
                    format!("bad JSONPath `{p}`: {}", one_line(&e.to_string())),
                );
                None
            }
        }
    });
    let assertion = required(&mut doc, "assert").and_then(|v| assertion(&mut doc, v));
    let message =
        required(&mut doc, "message").and_then(|v| text_field(&mut doc, Some(v), "message"));
    if let Some(message) = &message {
        for name in placeholders(message) {
            if !PLACEHOLDERS.contains(&name.as_str()) {
                doc.error(
                    "/message",
                    format!(
                        "unknown placeholder `{{{name}}}` (expected {})",
                        PLACEHOLDERS
                            .iter()
                            .map(|p| format!("{{{p}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
    }
    let help = root
        .get("help")
        .and_then(|v| text_field(&mut doc, Some(v), "help"));
    let summary =
        required(&mut doc, "summary").and_then(|v| text_field(&mut doc, Some(v), "summary"));
    let why = required(&mut doc, "why").and_then(|v| text_field(&mut doc, Some(v), "why"));
    let fix = required(&mut doc, "fix").and_then(|v| text_field(&mut doc, Some(v), "fix"));
    let examples = required(&mut doc, "examples").and_then(|v| {
        let map = doc.map(v, "/examples", "`examples`")?;
        doc.only_keys(map, "/examples", "`examples`", &["failing", "passing"]);
        let mut get = |key: &str| match map.get(key) {
            Some(v) => doc
                .string(v, &format!("/examples/{key}"), &format!("`examples.{key}`"))
                .map(str::to_string),
            None => {
                doc.error("/examples", format!("`examples` needs `{key}`"));
                None
            }
        };
        Some((get("failing")?, get("passing")?))
    });

    let (
        Some(id),
        Some(severity),
        Some(kinds),
        Some((path, query)),
        Some(assertion),
        Some(message),
        Some(summary),
        Some(why),
        Some(fix),
        Some((failing, passing)),
    ) = (
        id, severity, kinds, query, assertion, message, summary, why, fix, examples,
    )
    else {
        return Err(doc.into_errors());
    };
    if !doc.errors.is_empty() {
        return Err(doc.into_errors());
    }
    let rule = CustomRule {
        id: intern(&id),
        meta: RuleMeta {
            id,
            severity,
            kinds: kinds.into_iter().map(|(k, _)| k).collect(),
            summary,
            why,
            fix,
            options: Vec::new(),
            examples: Examples { failing, passing },
        },
        file: file.to_string(),
        namespaces,
        labels,
        path,
        query,
        assertion,
        message,
        help,
    };
    check_examples(&rule, &mut doc);
    doc.finish(rule)
}

fn matcher(
    doc: &mut Doc,
    value: &Value,
) -> (
    Vec<String>,
    Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>,
) {
    let Some(map) = doc.map(value, "/match", "`match`") else {
        return (Vec::new(), None);
    };
    doc.only_keys(map, "/match", "`match`", &["namespaces", "labels"]);
    let namespaces = map
        .get("namespaces")
        .and_then(|v| doc.strings(v, "/match/namespaces", "`match.namespaces`"))
        .map(|ns| ns.into_iter().map(|(n, _)| n).collect())
        .unwrap_or_default();
    let labels = map.get("labels").and_then(|v| {
        let m = doc.map(v, "/match/labels", "`match.labels`")?;
        doc.only_keys(
            m,
            "/match/labels",
            "`match.labels` (a label selector)",
            &["matchLabels", "matchExpressions"],
        );
        match serde_path_to_error::deserialize(v.clone()) {
            Ok(selector) => Some(selector),
            Err(e) => {
                let mut ptr = "/match/labels".to_string();
                for seg in e.path().iter() {
                    match seg {
                        serde_path_to_error::Segment::Seq { index } => {
                            crate::pointer::push(&mut ptr, &index.to_string())
                        }
                        serde_path_to_error::Segment::Map { key } => {
                            crate::pointer::push(&mut ptr, key)
                        }
                        _ => {}
                    }
                }
                doc.error(
                    &ptr,
                    format!("`match.labels` is not a label selector: {}", e.into_inner()),
                );
                None
            }
        }
    });
    (namespaces, labels)
}

fn assertion(doc: &mut Doc, value: &Value) -> Option<Assertion> {
    let expected = format!(
        "`assert` must be `exists`, `absent`, or a mapping with one of {}",
        NAMES.join(", ")
    );
    match value {
        Value::String(s) if s == "exists" => Some(Assertion::Exists),
        Value::String(s) if s == "absent" => Some(Assertion::Absent),
        Value::Object(map) if map.len() == 1 => {
            let (name, arg) = map.iter().next()?;
            let ptr = crate::pointer::join("/assert", &[name]);
            let number = |doc: &mut Doc| match arg.as_f64() {
                Some(n) => Some(n),
                None => {
                    doc.error(
                        &ptr,
                        format!("`{name}` needs a number, not {}", describe(arg)),
                    );
                    None
                }
            };
            match name.as_str() {
                "exists" | "absent" if arg == &Value::Bool(true) => Some(if name == "exists" {
                    Assertion::Exists
                } else {
                    Assertion::Absent
                }),
                "equals" => Some(Assertion::Equals(arg.clone())),
                "oneOf" => match arg {
                    Value::Array(items) if !items.is_empty() => {
                        Some(Assertion::OneOf(items.clone()))
                    }
                    other => {
                        doc.error(
                            &ptr,
                            format!("`oneOf` needs a non-empty list, not {}", describe(other)),
                        );
                        None
                    }
                },
                "min" => number(doc).map(Assertion::Min),
                "max" => number(doc).map(Assertion::Max),
                "matches" => {
                    let pattern = doc.string(arg, &ptr, "`matches`")?;
                    match Regex::new(pattern) {
                        Ok(re) => Some(Assertion::Matches(re)),
                        Err(e) => {
                            doc.error(
                                &ptr,
                                format!("bad regular expression: {}", one_line(&e.to_string())),
                            );
                            None
                        }
                    }
                }
                _ => {
                    doc.error(&ptr, expected);
                    None
                }
            }
        }
        other => {
            doc.error("/assert", format!("{expected}; not {}", describe(other)));
            None
        }
    }
}

/// The failing example must flag the rule and the passing one must not; otherwise the rule
/// does not check what its author thinks it checks.
fn check_examples(rule: &CustomRule, doc: &mut Doc) {
    let config = Config {
        only: Some(vec![rule.meta.id.clone()]),
        custom: vec![Arc::new(rule.clone())],
        ..Config::default()
    };
    for (key, text, should_flag) in [
        ("failing", &rule.meta.examples.failing, true),
        ("passing", &rule.meta.examples.passing, false),
    ] {
        let ptr = format!("/examples/{key}");
        let loaded = load_text(
            &format!("examples.{key}"),
            text.clone(),
            "default",
            &Limits::default(),
        );
        if let Some(e) = loaded.errors.first() {
            let at = e
                .position
                .map(|p| format!(" (line {} of the example)", p.line))
                .unwrap_or_default();
            doc.error(
                &ptr,
                format!("the {key} example does not load{at}: {}", e.message),
            );
            continue;
        }
        if loaded.objects.is_empty() {
            doc.error(
                &ptr,
                format!("the {key} example holds no object halint reads"),
            );
            continue;
        }
        let findings = lint(&LintInput {
            objects: &loaded.objects,
            context: &[],
            cluster: None,
            config: &config,
            today: Date::from_unix_days(0),
        });
        match (should_flag, findings.first()) {
            (true, None) => doc.error(&ptr, "the failing example does not flag the rule"),
            (false, Some(f)) => doc.error(
                &ptr,
                format!("the passing example flags the rule: {}", f.message),
            ),
            _ => {}
        }
    }
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Parser errors come with ASCII-art carets over several lines; a located error is one line.
fn one_line(message: &str) -> String {
    let expected = message
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("= "));
    let at = message
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "));
    match (expected, at) {
        (Some(what), Some(at)) => format!("{what} (at {at} of the path)"),
        _ => message.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}
