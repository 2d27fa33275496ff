//! `--format json`: the report contract (see README), version 1.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use super::{Locator, Report};
use crate::engine::{Finding, Severity};
use crate::exempt::Exemption;
use crate::load::InputError;

pub fn write(report: &Report<'_>, locator: &Locator<'_>, out: &mut dyn Write) -> io::Result<()> {
    // The frame is written here and each member by serde_json's pretty printer, indented to
    // its depth, so that the findings can be rendered on every core: on a large set the
    // report is otherwise the one stretch of a run that uses one.
    out.write_all(b"{\n  \"version\": 1,\n  \"findings\": ")?;
    array(out, report.findings, |f, text| {
        member(text, &finding(report, locator, f, None), 2)
    })?;
    out.write_all(b",\n  \"errors\": ")?;
    let errors: Vec<Value> = report.errors.iter().map(error).collect();
    member(out, &errors, 1)?;
    out.write_all(b",\n  \"summary\": ")?;
    let summary = json!({
        "files": report.files.len(),
        "objects": report.objects.len(),
        "skipped": report.skipped,
        "error": report.count(Severity::Error),
        "warning": report.count(Severity::Warning),
        "info": report.count(Severity::Info),
    });
    member(out, &summary, 1)?;
    if let Some(suppressed) = report.suppressed {
        out.write_all(b",\n  \"suppressed\": ")?;
        array(out, suppressed, |s, text| {
            let exemption = exemption_json(locator, s.finding.object, &s.exemption);
            member(
                text,
                &finding(report, locator, &s.finding, Some(exemption)),
                2,
            )
        })?;
    }
    out.write_all(b"\n}\n")
}

/// Items rendered per batch: enough to keep every core busy, few enough that a large
/// report is never held rendered.
const BATCH: usize = 1024;

/// A member of the top object that is an array of `items`, each rendered by `render` (as a
/// [`member`] two levels deep) in parallel, a batch at a time, and written in order.
fn array<T: Sync>(
    out: &mut dyn Write,
    items: &[T],
    render: impl Fn(&T, &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    let mut first = true;
    for batch in items.chunks(BATCH) {
        let rendered: Vec<Vec<u8>> = batch
            .par_iter()
            .map(|item| {
                let mut text = Vec::with_capacity(512);
                render(item, &mut text).map(|()| text)
            })
            .collect::<io::Result<_>>()?;
        for text in rendered {
            out.write_all(if first { b"\n    " } else { b",\n    " })?;
            out.write_all(&text)?;
            first = false;
        }
    }
    out.write_all(b"\n  ]")
}

/// `value` as serde_json's pretty printer writes it `depth` levels deep: its own output
/// with every line after the first indented by the depth (a JSON string never holds a
/// raw line break, so every line break is the printer's).
fn member(out: &mut dyn Write, value: &impl Serialize, depth: usize) -> io::Result<()> {
    let text = serde_json::to_vec_pretty(value)?;
    let indent = &b"    "[..2 * depth];
    let mut lines = text.split(|&b| b == b'\n');
    if let Some(line) = lines.next() {
        out.write_all(line)?;
    }
    for line in lines {
        out.write_all(b"\n")?;
        out.write_all(indent)?;
        out.write_all(line)?;
    }
    Ok(())
}

fn error(e: &InputError) -> Value {
    json!({
        "file": (e.file != "-").then_some(&e.file),
        "line": e.position.map(|p| p.line),
        "column": e.position.map(|p| p.column),
        "message": e.message,
    })
}

/// A finding as the contract spells it.
#[derive(Serialize)]
struct FindingJson<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    help: &'a str,
    object: ObjectJson<'a>,
    path: &'a str,
    file: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exemption: Option<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectJson<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

/// `exemption`: the one that holds the finding back, for a suppressed finding.
fn finding<'a>(
    report: &'a Report<'_>,
    locator: &Locator<'a>,
    f: &'a Finding,
    exemption: Option<Value>,
) -> FindingJson<'a> {
    let id = &report.objects[f.object].id;
    let place = locator.place(f.object, &f.path);
    let lapsed = f.lapsed.as_ref().map(|lapsed| {
        let mut value = exemption_json(locator, f.object, lapsed);
        value["expired"] = Value::Bool(true);
        value
    });
    FindingJson {
        rule: f.rule,
        severity: f.severity,
        message: &f.message,
        help: &f.help,
        object: ObjectJson {
            api_version: &id.api_version,
            kind: &id.kind,
            namespace: (!id.namespace.is_empty()).then_some(&id.namespace),
            name: &id.name,
        },
        path: &f.path,
        file: place
            .map(|p| p.file)
            .filter(|f| !f.is_stdin())
            .map(|f| f.name.as_str()),
        line: place.map(|p| p.position.line),
        column: place.map(|p| p.position.column),
        exemption: exemption.or(lapsed),
    }
}

/// An exemption with the place of its annotation, so a reviewer can find it.
fn exemption_json(locator: &Locator<'_>, object: usize, e: &Exemption) -> Value {
    let mut value = serde_json::to_value(e).unwrap_or_default();
    if let Some(place) = locator.place(object, &e.path).filter(|p| p.exact) {
        value["line"] = json!(place.position.line);
        value["column"] = json!(place.position.column);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rendered in parallel batches and indented to its depth, an array reads byte for
    /// byte as serde_json's pretty printer writes it whole, across batch boundaries too.
    #[test]
    fn an_array_in_batches_reads_as_serde_json_writes_it() {
        let items: Vec<Value> = (0..2 * BATCH + 3)
            .map(|i| json!({"i": i, "nested": {"list": [i, "a \"quoted\"\nline"], "empty": []}}))
            .collect();
        for items in [&items[..], &items[..0], &items[..1]] {
            let mut out = b"{\n  \"items\": ".to_vec();
            array(&mut out, items, |item, text| member(text, item, 2)).unwrap();
            out.extend_from_slice(b"\n}");
            let whole = serde_json::to_vec_pretty(&json!({ "items": items })).unwrap();
            assert_eq!(String::from_utf8(out), String::from_utf8(whole));
        }
    }
}
