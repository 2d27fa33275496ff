//! `--format json`: the report contract (see README), version 1.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{Locator, Report};
use crate::engine::{Finding, Severity};
use crate::exempt::Exemption;

pub fn write(report: &Report<'_>, locator: &Locator<'_>, out: &mut dyn Write) -> io::Result<()> {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| finding(report, locator, f))
        .collect();
    let errors: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "file": (e.file != "-").then_some(&e.file),
                "line": e.position.map(|p| p.line),
                "column": e.position.map(|p| p.column),
                "message": e.message,
            })
        })
        .collect();
    let mut document = json!({
        "version": 1,
        "findings": findings,
        "errors": errors,
        "summary": {
            "files": report.files.len(),
            "objects": report.objects.len(),
            "skipped": report.skipped,
            "error": report.count(Severity::Error),
            "warning": report.count(Severity::Warning),
            "info": report.count(Severity::Info),
        },
    });
    if let Some(suppressed) = report.suppressed {
        let list: Vec<Value> = suppressed
            .iter()
            .map(|s| {
                let mut value = finding(report, locator, &s.finding);
                value["exemption"] = exemption(locator, s.finding.object, &s.exemption);
                value
            })
            .collect();
        document["suppressed"] = Value::Array(list);
    }
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn finding(report: &Report<'_>, locator: &Locator<'_>, f: &Finding) -> Value {
    let id = &report.objects[f.object].id;
    let place = locator.place(f.object, &f.path);
    let file = place
        .map(|p| p.file)
        .filter(|f| !f.is_stdin())
        .map(|f| f.name.clone());
    let mut value = json!({
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "help": f.help,
        "object": {
            "apiVersion": id.api_version,
            "kind": id.kind,
            "namespace": (!id.namespace.is_empty()).then_some(&id.namespace),
            "name": id.name,
        },
        "path": f.path,
        "file": file,
        "line": place.map(|p| p.position.line),
        "column": place.map(|p| p.position.column),
    });
    if let Some(lapsed) = &f.lapsed {
        let mut exemption = exemption(locator, f.object, lapsed);
        exemption["expired"] = Value::Bool(true);
        value["exemption"] = exemption;
    }
    value
}

/// An exemption with the place of its annotation, so a reviewer can find it.
fn exemption(locator: &Locator<'_>, object: usize, e: &Exemption) -> Value {
    let mut value = serde_json::to_value(e).unwrap_or_default();
    if let Some(place) = locator.place(object, &e.path).filter(|p| p.exact) {
        value["line"] = json!(place.position.line);
        value["column"] = json!(place.position.column);
    }
    value
}
