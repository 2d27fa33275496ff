//! Rendering findings. Only this module maps JSON pointers to source positions, and only
//! `human` touches miette.

mod batches;
mod excerpt;
mod github;
mod human;
mod json;
mod locate;
mod pretty;
mod sarif;

use std::io::{self, Write};

use crate::engine::{Finding, Severity, Suppressed};
use crate::load::{InputError, SourceFile};
use crate::objects::ObjectRef;

pub use locate::{spot_at, Cut, Locator, Place, Places, Spot};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Findings with the offending YAML, for people.
    Human,
    /// The stable report contract, for tools.
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, IDEs).
    Sarif,
    /// GitHub Actions annotations on the pull request's diff.
    Github,
}

impl Format {
    /// Whether the report reads the files' text. The human report quotes it; SARIF names
    /// related objects, which may sit in another piece of a file than their finding, and
    /// only a new parse of the text places those. JSON and GitHub annotations name only
    /// places in a finding's own object, which the CLI's pipeline resolves as it lints.
    pub fn reads_text(self) -> bool {
        matches!(self, Format::Human | Format::Sarif)
    }
}

/// Everything a report needs: what was read, what was found, what failed.
pub struct Report<'a> {
    pub files: &'a [SourceFile],
    pub objects: &'a [ObjectRef],
    /// Positions resolved while the documents were parsed for linting; the rest are found
    /// by parsing the files again.
    pub places: &'a Places,
    pub findings: &'a [Finding],
    pub errors: &'a [InputError],
    /// Documents passed over: not objects, or kinds without rules.
    pub skipped: usize,
    /// What exemptions held back, when asked for (`--show-suppressed`); None leaves it out
    /// of every format.
    pub suppressed: Option<&'a [Suppressed]>,
}

/// How the human report is dressed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
    /// Findings only: no summary line.
    pub quiet: bool,
}

impl Report<'_> {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    pub fn write(&self, format: Format, style: Style, out: &mut dyn Write) -> io::Result<()> {
        let locator = Locator::new(
            self.files,
            self.objects,
            self.places,
            asks(self.findings, self.suppressed.unwrap_or_default()),
        );
        match format {
            Format::Human => human::write(self, &locator, style, out),
            Format::Json => json::write(self, &locator, out),
            Format::Sarif => sarif::write(self, &locator, out),
            Format::Github => github::write(self, &locator, out),
        }
    }
}

/// Every (object, pointer) a format may ask the place of: each finding's field, its
/// exemption's annotation, and its related objects' fields.
pub fn asks<'f>(
    findings: &'f [Finding],
    suppressed: &'f [Suppressed],
) -> impl Iterator<Item = (usize, &'f str)> {
    let findings = findings.iter().map(|f| (f, None));
    let suppressed = suppressed.iter().map(|s| (&s.finding, Some(&s.exemption)));
    findings.chain(suppressed).flat_map(|(f, exemption)| {
        let own = [
            Some(f.path.as_str()),
            f.lapsed.as_ref().map(|e| e.path.as_str()),
            exemption.map(|e| e.path.as_str()),
        ];
        own.into_iter()
            .flatten()
            .map(|path| (f.object, path))
            .chain(f.related.iter().map(|r| (r.object, r.path.as_str())))
    })
}
