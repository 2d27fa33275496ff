//! The report for people: each finding with its rule, the YAML around it, and the fix.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use rayon::prelude::*;

use super::batches::rendered_in_order;
use super::excerpt::{Excerpt, Lines};
use super::{Locator, Place, Report, Style};
use crate::engine::{Finding, Severity};
use crate::pointer;

/// One finding or input error as miette sees it.
struct Item {
    code: Option<String>,
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    related: Vec<Item>,
}

impl fmt::Debug for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Item {}

impl Diagnostic for Item {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|r| r as &dyn Diagnostic))
                as Box<dyn Iterator<Item = &dyn Diagnostic>>
        })
    }
}

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// Indexes each file's lines once for all the snippets that show it, on whichever core
/// renders them.
#[derive(Default)]
struct Sources(Mutex<HashMap<String, Arc<Lines>>>);

/// Lines of context the snippets show around a label.
const CONTEXT_LINES: usize = 2;

impl Sources {
    fn excerpt(&self, name: &str, text: &str, labels: &[LabeledSpan]) -> Excerpt {
        let lines = {
            let mut files = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            match files.get(name) {
                Some(lines) => Arc::clone(lines),
                None => {
                    let lines = Arc::new(Lines::new(text));
                    files.insert(name.to_string(), Arc::clone(&lines));
                    lines
                }
            }
        };
        let spans: Vec<(usize, usize)> = labels.iter().map(|l| (l.offset(), l.len())).collect();
        let display = if name == "-" { "<stdin>" } else { name };
        lines.excerpt(display, &spans, CONTEXT_LINES + 1)
    }
}

pub fn write(
    report: &Report<'_>,
    locator: &Locator<'_>,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(CONTEXT_LINES);
    let sources = Sources::default();
    let mut inputs = Vec::new();

    for error in report.errors {
        let file = locator.file_index(&error.file);
        let (source, labels) = match (file, error.position) {
            (Some(i), Some(position)) => {
                let file = locator.file(i);
                let (offset, len) = locator.offset_of(i, position, 1);
                let labels = vec![LabeledSpan::new_primary_with_span(
                    Some("here".into()),
                    (offset, len),
                )];
                (
                    Some(sources.excerpt(&file.name, &file.text, &labels)),
                    labels,
                )
            }
            _ => (None, Vec::new()),
        };
        let location = match error.position {
            Some(p) => format!("{}:{}:{}", error.file, p.line, p.column),
            None => error.file.clone(),
        };
        let message = match &source {
            Some(_) => error.message.clone(),
            None => format!("{location}: {}", error.message),
        };
        let item = Item {
            code: Some("input".into()),
            message,
            severity: miette::Severity::Error,
            help: None,
            source,
            labels,
            related: Vec::new(),
        };
        inputs.push(item);
    }

    // Input errors first (they mean the report is incomplete); then the findings by
    // severity, errors first, so that advice never buries what fails the build; within a
    // severity by file and line, and on one line in the engine's order (object, then
    // rule). Each batch of findings is built and rendered on every core: a snippet per
    // finding is most of a large report's time, and its items are never all held.
    let mut order: Vec<(usize, Option<Place<'_>>)> = report
        .findings
        .par_iter()
        .enumerate()
        .map(|(i, finding)| (i, locator.place(finding.object, &finding.path)))
        .collect();
    order.par_sort_unstable_by_key(|&(i, place)| {
        let at = place.map_or(("", 0), |p| (p.file.name.as_str(), p.position.line));
        (Reverse(report.findings[i].severity), at, i)
    });
    let render = |item: &Item| -> io::Result<String> {
        let mut rendered = String::new();
        handler
            .render_report(&mut rendered, item)
            .map_err(|e| io::Error::other(e.to_string()))?;
        Ok(rendered)
    };
    for item in &inputs {
        writeln!(out, "{}", render(item)?)?;
    }
    let mut group = None;
    rendered_in_order(
        &order,
        |&(i, place)| {
            let finding = &report.findings[i];
            render(&finding_item(report, locator, &sources, finding, place))
        },
        |&(i, _), text| {
            let severity = report.findings[i].severity;
            if !style.quiet && group != Some(severity) {
                group = Some(severity);
                writeln!(out, "{}\n", heading(report, severity))?;
            }
            writeln!(out, "{text}")
        },
    )?;
    if let Some(suppressed) = report.suppressed.filter(|s| !s.is_empty()) {
        write_suppressed(report, locator, suppressed, out)?;
    }
    if !style.quiet {
        writeln!(out, "{}", summary(report))?;
    }
    Ok(())
}

/// A finding as miette sees it: its snippet, with a related object in the same file
/// labelled in it and one elsewhere in a snippet of its own.
fn finding_item(
    report: &Report<'_>,
    locator: &Locator<'_>,
    sources: &Sources,
    finding: &Finding,
    place: Option<Place<'_>>,
) -> Item {
    let field = pointer::to_field_path(&finding.path);
    let (source, mut labels) = match place {
        Some(p) => {
            let label = if p.exact {
                if field.is_empty() {
                    "this object".to_string()
                } else {
                    field.clone()
                }
            } else {
                format!("{field} is not set here")
            };
            (
                Some(p.file),
                vec![LabeledSpan::new_primary_with_span(
                    Some(label),
                    locator.span(&p),
                )],
            )
        }
        None => (None, Vec::new()),
    };
    let mut related = Vec::new();
    for r in &finding.related {
        let Some(p) = locator.place(r.object, &r.path) else {
            continue;
        };
        let label = format!("{}: {}", report.objects[r.object].id, r.label);
        let span = LabeledSpan::new_with_span(Some(label.clone()), locator.span(&p));
        if place.is_some_and(|primary| std::ptr::eq(primary.file, p.file)) {
            labels.push(span);
        } else {
            related.push(Item {
                code: None,
                message: label,
                severity: miette::Severity::Advice,
                help: None,
                source: Some(sources.excerpt(
                    &p.file.name,
                    &p.file.text,
                    std::slice::from_ref(&span),
                )),
                labels: vec![span],
                related: Vec::new(),
            });
        }
    }
    Item {
        code: Some(finding.rule.to_string()),
        message: finding.message.clone(),
        severity: severity(finding.severity),
        help: Some(finding.help.to_string()),
        // Cut once every label of the snippet is known.
        source: source.map(|file| sources.excerpt(&file.name, &file.text, &labels)),
        labels,
        related,
    }
}

/// One entry per exempted finding: where, what, and which annotation exempts it and why.
fn write_suppressed(
    report: &Report<'_>,
    locator: &Locator<'_>,
    suppressed: &[crate::engine::Suppressed],
    out: &mut dyn Write,
) -> io::Result<()> {
    let at = |object: usize, path: &str| match locator.place(object, path) {
        Some(p) => format!(
            "{}:{}:{}",
            if p.file.is_stdin() {
                "<stdin>"
            } else {
                &p.file.name
            },
            p.position.line,
            p.position.column
        ),
        None => report.objects[object].id.to_string(),
    };
    writeln!(
        out,
        "Suppressed by exemptions ({}, not counted toward the exit code):",
        suppressed.len()
    )?;
    for s in suppressed {
        let f = &s.finding;
        let e = &s.exemption;
        writeln!(
            out,
            "  {} {} [{}] {}",
            at(f.object, &f.path),
            f.severity,
            f.rule,
            f.message
        )?;
        let mut how = format!("exempted by {}", e.annotation);
        if let Some(container) = &e.container {
            how.push_str(&format!(" for container {container}"));
        }
        how.push_str(&format!(" at {}", at(f.object, &e.path)));
        match &e.reason {
            Some(reason) => how.push_str(&format!("; reason: {reason}")),
            None => how.push_str("; no reason given (halint.io/ignore-reason)"),
        }
        if let Some(until) = &e.until {
            how.push_str(&format!("; until {until}"));
        }
        writeln!(out, "      {how}")?;
    }
    writeln!(out)
}

/// One line ahead of a severity's findings: how many, and of which rules (most frequent
/// first), so the shape of the report shows before its detail.
fn heading(report: &Report<'_>, severity: Severity) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.severity == severity) {
        *counts.entry(f.rule).or_default() += 1;
    }
    let total: usize = counts.values().sum();
    let mut rules: Vec<(&str, usize)> = counts.into_iter().collect();
    rules.sort_by_key(|&(rule, n)| (Reverse(n), rule));
    let rules: Vec<String> = rules
        .into_iter()
        .map(|(rule, n)| {
            if n == 1 {
                rule.to_string()
            } else {
                format!("{rule} ×{n}")
            }
        })
        .collect();
    let label = match (severity, total) {
        (Severity::Error, 1) => "error",
        (Severity::Error, _) => "errors",
        (Severity::Warning, 1) => "warning",
        (Severity::Warning, _) => "warnings",
        (Severity::Info, _) => "info",
    };
    format!("── {total} {label}: {} ──", rules.join(", "))
}

fn summary(report: &Report<'_>) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let scope = format!(
        " in {} ({} checked, {} passed over)",
        plural(report.files.len(), "file"),
        plural(report.objects.len(), "object"),
        report.skipped
    );
    let (e, w, i) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info),
    );
    let mut line = if e + w + i == 0 {
        format!("No HA problems found{scope}")
    } else {
        format!(
            "Found {}, {}, {}{scope}",
            plural(e, "error"),
            plural(w, "warning"),
            format_args!("{i} info")
        )
    };
    if !report.errors.is_empty() {
        line.push_str(&format!(
            "; {} could not be read (the report is incomplete)",
            plural(report.errors.len(), "input")
        ));
    }
    line
}
