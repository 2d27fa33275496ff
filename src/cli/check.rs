//! `halint PATHS`: lint manifests.

use std::io::{self, IsTerminal, Write};

use halint::config::{Config, Level};
use halint::load::render::RenderOptions;
use halint::load::{self, Limits};
use halint::report::{Report, Style};
use halint::{lint, rules, LintInput};

use super::{CheckArgs, Color, Outcome};

pub fn run(args: CheckArgs) -> io::Result<Outcome> {
    let config = match config(&args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("halint: {message}");
            return Ok(Outcome::Trouble);
        }
    };
    let limits = Limits::default();
    let render = RenderOptions {
        helm_values: args.helm_values.clone(),
    };
    let loaded = load::load_with(&args.paths, &args.namespace, &limits, &render);
    let context = load::load_with(&args.context, &args.namespace, &limits, &render);
    let findings = lint(&LintInput {
        objects: &loaded.objects,
        context: &context.objects,
        cluster: None,
        config: &config,
    });
    let mut errors = loaded.errors;
    errors.extend(context.errors);
    let report = Report {
        files: &loaded.files,
        objects: &loaded.objects,
        findings: &findings,
        errors: &errors,
        skipped: loaded.skipped,
    };
    let stdout = io::stdout();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let style = Style {
        color,
        quiet: args.quiet,
    };
    let mut out = io::BufWriter::new(stdout.lock());
    report.write(args.format, style, &mut out)?;
    out.flush()?;
    let threshold = args.fail_on.into();
    Ok(if !errors.is_empty() {
        Outcome::Trouble
    } else if findings.iter().any(|f| f.severity >= threshold) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn config(args: &CheckArgs) -> Result<Config, String> {
    let mut config = Config::default();
    for id in args.select.iter().chain(&args.ignore) {
        if rules::find(id).is_none() {
            return Err(format!("unknown rule `{id}` (see `halint rules`)"));
        }
    }
    if !args.select.is_empty() {
        config.only = Some(args.select.clone());
    }
    for id in &args.ignore {
        config.levels.insert(id.clone(), Level::Off);
    }
    Ok(config)
}
