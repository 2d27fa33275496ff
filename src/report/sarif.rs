//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it.
//! Every rule's help comes from `rules/<id>.yaml`; input errors are tool notifications.

use std::io::{self, Write};
use std::path::{Component, Path};

use serde_json::{json, Value};

use super::pretty::array;
use super::{Locator, Place, Report};
use crate::catalog;
use crate::docs;
use crate::engine::{Finding, Severity};
use crate::exempt::Exemption;
use crate::load::{InputError, Position};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn write(report: &Report<'_>, locator: &Locator<'_>, out: &mut dyn Write) -> io::Result<()> {
    let base = std::env::current_dir().ok();
    let base = base.as_deref();
    let rules: Vec<Value> = catalog::all().iter().map(rule).collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| notification(e, base))
        .collect();
    let document = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "halint",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            // halint counts columns in characters, as editors do.
            "columnKind": "unicodeCodePoints",
            "results": [],
        }],
    });
    // The frame, with the results written into it as they are rendered: on a large set,
    // a document of values holding every result took several times the memory of the
    // rest of the run.
    let frame = serde_json::to_vec_pretty(&document)?;
    let at = memchr::memmem::find(&frame, RESULTS)
        .map(|at| at + RESULTS.len() - b"[]".len())
        .ok_or_else(|| io::Error::other("the SARIF frame has no results"))?;
    out.write_all(&frame[..at])?;
    let results: Vec<(&Finding, Option<&Exemption>)> = report
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(
            report
                .suppressed
                .into_iter()
                .flatten()
                .map(|s| (&s.finding, Some(&s.exemption))),
        )
        .collect();
    array(out, &results, 4, |&(f, exemption)| {
        let mut result = result(report, locator, base, f);
        // Exempted findings are results with an in-source suppression (the annotation),
        // so code scanning lists them as suppressed with their justification.
        if let Some(exemption) = exemption {
            result["suppressions"] = json!([suppression(exemption)]);
        }
        result
    })?;
    out.write_all(&frame[at + b"[]".len()..])?;
    writeln!(out)
}

/// Where the results go in the frame: the one `results` member, an empty array there.
const RESULTS: &[u8] = b"\"results\": []";

/// One finding as a SARIF result: where it is, in the file and as an object.
fn result(report: &Report<'_>, locator: &Locator<'_>, base: Option<&Path>, f: &Finding) -> Value {
    let id = &report.objects[f.object].id;
    let object_name = [id.kind.as_str(), id.namespace.as_str(), id.name.as_str()]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/");
    let mut location = json!({
        "logicalLocations": [{
            "fullyQualifiedName": object_name,
            "kind": "object",
        }],
    });
    if let Some(physical) = locator
        .place(f.object, &f.path)
        .and_then(|p| physical(&p, base))
    {
        location["physicalLocation"] = physical;
    }
    let related: Vec<Value> = f
        .related
        .iter()
        .enumerate()
        .filter_map(|(n, r)| {
            let physical = physical(&locator.place(r.object, &r.path)?, base)?;
            Some(json!({
                "id": n,
                "physicalLocation": physical,
                "message": {"text": r.label},
            }))
        })
        .collect();
    let mut result = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": {"text": format!("{}\nhelp: {}", f.message, f.help)},
        "locations": [location],
        "properties": {
            "object": {
                "apiVersion": id.api_version,
                "kind": id.kind,
                "namespace": id.namespace,
                "name": id.name,
            },
            "path": f.path,
        },
    });
    if let Some(index) = catalog::all().iter().position(|m| m.id == f.rule) {
        result["ruleIndex"] = json!(index);
    }
    if !related.is_empty() {
        result["relatedLocations"] = json!(related);
    }
    if let Some(lapsed) = &f.lapsed {
        // The finding is back because its exemption ran out: say which one.
        result["properties"]["exemption"] = json!(lapsed);
        result["properties"]["exemption"]["expired"] = json!(true);
    }
    result
}

fn suppression(exemption: &Exemption) -> Value {
    let mut justification = format!("exempted by {}", exemption.annotation);
    if let Some(container) = &exemption.container {
        justification.push_str(&format!(" for container {container}"));
    }
    if let Some(reason) = &exemption.reason {
        justification.push_str(&format!(": {reason}"));
    }
    if let Some(until) = &exemption.until {
        justification.push_str(&format!(" (until {until})"));
    }
    json!({"kind": "inSource", "justification": justification})
}

fn rule(meta: &catalog::RuleMeta) -> Value {
    json!({
        "id": meta.id,
        "name": meta.id,
        "shortDescription": {"text": meta.summary.trim()},
        "fullDescription": {"text": meta.why.trim()},
        "help": {
            "text": meta.fix.trim(),
            "markdown": docs::rule_body(meta),
        },
        "defaultConfiguration": {"level": level(meta.severity)},
        "properties": {"kinds": meta.kinds},
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn notification(error: &InputError, base: Option<&Path>) -> Value {
    let mut value = json!({
        "level": "error",
        "message": {"text": error.message},
    });
    if error.file != "-" {
        let mut physical = json!({"artifactLocation": {"uri": uri(&error.file, base)}});
        if let Some(position) = error.position {
            physical["region"] = region(position);
        }
        value["locations"] = json!([{ "physicalLocation": physical }]);
    }
    value
}

/// None for standard input: it has no URI.
fn physical(place: &Place<'_>, base: Option<&Path>) -> Option<Value> {
    if place.file.is_stdin() {
        return None;
    }
    Some(json!({
        "artifactLocation": {"uri": uri(&place.file.name, base)},
        "region": region(place.position),
    }))
}

fn region(position: Position) -> Value {
    json!({"startLine": position.line, "startColumn": position.column})
}

/// A file name as a URI reference: relative to the working directory when it lies under
/// it (code scanning resolves those against the checkout), else an absolute `file:` URI.
fn uri(name: &str, base: Option<&Path>) -> String {
    let path = Path::new(name);
    let relative = if path.is_absolute() {
        base.and_then(|b| path.strip_prefix(b).ok())
    } else {
        Some(path)
    };
    match relative {
        Some(relative) => {
            let parts: Vec<String> = relative
                .components()
                .filter(|c| !matches!(c, Component::CurDir))
                .map(|c| encode(&c.as_os_str().to_string_lossy()))
                .collect();
            parts.join("/")
        }
        None => format!("file://{}", encode(&path.to_string_lossy())),
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters and `/`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_to_the_working_directory_and_encoded() {
        let base = Path::new("/repo");
        assert_eq!(uri("./k8s/web app.yaml", Some(base)), "k8s/web%20app.yaml");
        assert_eq!(uri("/repo/k8s/a.yaml", Some(base)), "k8s/a.yaml");
        assert_eq!(uri("../other/a.yaml", Some(base)), "../other/a.yaml");
        assert_eq!(
            uri("/elsewhere/a#1.yaml", Some(base)),
            "file:///elsewhere/a%231.yaml"
        );
    }
}
