//! `--format github`: GitHub Actions workflow commands, one annotation per finding or input
//! error (`::error file=F,line=L,col=C,title=T::message`), shown on the pull request's diff.

use std::io::{self, Write};

use super::{Locator, Report};
use crate::engine::Severity;

pub fn write(report: &Report<'_>, locator: &Locator<'_>, out: &mut dyn Write) -> io::Result<()> {
    for error in report.errors {
        let mut properties = Vec::new();
        if error.file != "-" {
            properties.push(("file", error.file.clone()));
        }
        if let Some(position) = error.position {
            properties.push(("line", position.line.to_string()));
            properties.push(("col", position.column.to_string()));
        }
        properties.push(("title", "halint: input error".to_string()));
        command(out, "error", &properties, &error.message)?;
    }
    for finding in report.findings {
        let id = &report.objects[finding.object].id;
        let mut properties = Vec::new();
        if let Some(place) = locator.place(finding.object, &finding.path) {
            if !place.file.is_stdin() {
                properties.push(("file", place.file.name.clone()));
            }
            properties.push(("line", place.position.line.to_string()));
            properties.push(("col", place.position.column.to_string()));
        }
        // Cluster-scoped objects (webhook configurations) have no namespace to show.
        let object = if id.namespace.is_empty() {
            format!("{} {}", id.kind, id.name)
        } else {
            format!("{} {}/{}", id.kind, id.namespace, id.name)
        };
        properties.push(("title", format!("{} ({object})", finding.rule)));
        let message = format!("{}\nhelp: {}", finding.message, finding.help);
        command(out, level(finding.severity), &properties, &message)?;
    }
    Ok(())
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn command(
    out: &mut dyn Write,
    name: &str,
    properties: &[(&str, String)],
    message: &str,
) -> io::Result<()> {
    let properties: Vec<String> = properties
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    writeln!(
        out,
        "::{name} {}::{}",
        properties.join(","),
        escape_data(message)
    )
}

/// The message: `%`, CR and LF are encoded, as the runner decodes them.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: also `:` and `,`, which would end the value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(
            escape_data("50% down\r\nnext: a,b"),
            "50%25 down%0D%0Anext: a,b"
        );
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        let mut out = Vec::new();
        command(
            &mut out,
            "warning",
            &[("file", "k8s/a,b.yaml".into()), ("title", "x: y".into())],
            "one\ntwo",
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::warning file=k8s/a%2Cb.yaml,title=x%3A y::one%0Atwo\n"
        );
    }
}
