//! `--format json`: the report contract (see README), version 1.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{Locator, Report};
use crate::engine::Severity;

pub fn write(report: &Report<'_>, locator: &Locator<'_>, out: &mut dyn Write) -> io::Result<()> {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let id = &report.objects[f.object].id;
            let place = locator.place(f.object, &f.path);
            let file = place
                .map(|p| p.file)
                .filter(|f| !f.is_stdin())
                .map(|f| f.name.clone());
            json!({
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
            })
        })
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
    let document = json!({
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
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
