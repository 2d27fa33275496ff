//! `--format json`: the report contract (see README), version 1.

use std::io::{self, Write};

use serde::Serialize;

use super::pretty::{array, member};
use super::{Locator, Report};
use crate::engine::{Finding, Severity};
use crate::exempt::Exemption;
use crate::load::InputError;

pub fn write(report: &Report<'_>, locator: &Locator<'_>, out: &mut dyn Write) -> io::Result<()> {
    // The frame is written here and each member by serde_json's pretty printer, indented to
    // its depth, so that the findings can be rendered on every core: on a large set the
    // report is otherwise the one stretch of a run that uses one.
    out.write_all(b"{\n  \"version\": 1,\n  \"findings\": ")?;
    array(out, report.findings, 2, |f| {
        finding(report, locator, f, None)
    })?;
    out.write_all(b",\n  \"errors\": ")?;
    let errors: Vec<ErrorJson<'_>> = report.errors.iter().map(error).collect();
    member(out, &errors, 1)?;
    out.write_all(b",\n  \"summary\": ")?;
    let summary = SummaryJson {
        files: report.files.len(),
        objects: report.objects.len(),
        skipped: report.skipped,
        error: report.count(Severity::Error),
        warning: report.count(Severity::Warning),
        info: report.count(Severity::Info),
    };
    member(out, &summary, 1)?;
    if let Some(suppressed) = report.suppressed {
        out.write_all(b",\n  \"suppressed\": ")?;
        array(out, suppressed, 2, |s| {
            let exemption = exemption_json(locator, s.finding.object, &s.exemption);
            finding(report, locator, &s.finding, Some(exemption))
        })?;
    }
    out.write_all(b"\n}\n")
}

// The report's members are structs, so that their keys come in the contract's order
// (`serde_json::Map` sorts its keys).

#[derive(Serialize)]
struct SummaryJson {
    files: usize,
    objects: usize,
    skipped: usize,
    error: usize,
    warning: usize,
    info: usize,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    file: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

fn error(e: &InputError) -> ErrorJson<'_> {
    ErrorJson {
        file: (e.file != "-").then_some(&e.file),
        line: e.position.map(|p| p.line),
        column: e.position.map(|p| p.column),
        message: &e.message,
    }
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
    exemption: Option<ExemptionJson<'a>>,
}

/// An exemption with the place of its annotation, so a reviewer can find it.
#[derive(Serialize)]
struct ExemptionJson<'a> {
    #[serde(flatten)]
    exemption: &'a Exemption,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<u32>,
    /// Only on a lapsed exemption, which no longer holds its finding back.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    expired: bool,
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
    exemption: Option<ExemptionJson<'a>>,
) -> FindingJson<'a> {
    let id = &report.objects[f.object].id;
    let place = locator.place(f.object, &f.path);
    let lapsed = f.lapsed.as_ref().map(|lapsed| ExemptionJson {
        expired: true,
        ..exemption_json(locator, f.object, lapsed)
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

fn exemption_json<'a>(locator: &Locator<'a>, object: usize, e: &'a Exemption) -> ExemptionJson<'a> {
    let place = locator.place(object, &e.path).filter(|p| p.exact);
    ExemptionJson {
        exemption: e,
        line: place.map(|p| p.position.line),
        column: place.map(|p| p.position.column),
        expired: false,
    }
}
