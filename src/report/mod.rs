//! Rendering findings. Only this module maps JSON pointers to source positions, and only
//! `human` touches miette.

mod excerpt;
mod github;
mod human;
mod json;
mod locate;
mod sarif;

use std::io::{self, Write};

use crate::engine::{Finding, Severity, Suppressed};
use crate::load::{InputError, SourceFile};
use crate::objects::Object;

pub use locate::{Locator, Place};

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

/// Everything a report needs: what was read, what was found, what failed.
pub struct Report<'a> {
    pub files: &'a [SourceFile],
    pub objects: &'a [Object],
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
        let interesting = self
            .findings
            .iter()
            .chain(self.suppressed.into_iter().flatten().map(|s| &s.finding))
            .flat_map(|f| std::iter::once(f.object).chain(f.related.iter().map(|r| r.object)));
        let locator = Locator::new(self.files, self.objects, interesting);
        match format {
            Format::Human => human::write(self, &locator, style, out),
            Format::Json => json::write(self, &locator, out),
            Format::Sarif => sarif::write(self, &locator, out),
            Format::Github => github::write(self, &locator, out),
        }
    }
}
