//! `halint PATHS`: lint manifests.

use std::io::{self, IsTerminal, Write};

use halint::config::{Config, Level};
use halint::load::render::RenderOptions;
use halint::load::{self, Limits};
use halint::pipeline::{self, CheckInput};
use halint::report::{Report, Style};
use halint::Date;

use super::config as config_file;
use super::{CheckArgs, Color, Outcome};

pub fn run(args: CheckArgs) -> io::Result<Outcome> {
    let settings = match config_file::load(args.config.as_deref()) {
        Ok(settings) => settings,
        Err(errors) => return Ok(config_file::report(&errors)),
    };
    let config = match config(&args, settings.config.clone()) {
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
    let (files, discovery_errors) = load::discover(&args.paths);
    let files: Vec<_> = files
        .into_iter()
        .filter(|f| !settings.is_excluded(f))
        .collect();
    let context = load::load_with(&args.context, &args.namespace, &limits, &render);
    let mut checked = pipeline::check(&CheckInput {
        files: &files,
        context: &context.objects,
        default_namespace: &args.namespace,
        limits: &limits,
        render: &render,
        config: &config,
        today: today(),
        piece_bytes: pipeline::PIECE_BYTES,
        keep_text: args.format.reads_text(),
    });
    checked.errors.splice(0..0, discovery_errors);
    checked.errors.extend(context.errors);
    let (findings, errors) = (&checked.linted.findings, &checked.errors);
    let report = Report {
        files: &checked.files,
        objects: &checked.objects,
        places: &checked.places,
        findings,
        errors,
        skipped: checked.skipped,
        suppressed: args
            .show_suppressed
            .then_some(&checked.linted.suppressed[..]),
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

/// The current UTC date, which exemptions' `ignore-until` is compared with.
pub fn today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Date::from_unix_seconds(seconds)
}

/// The config file's settings with the command line's on top.
fn config(args: &CheckArgs, mut config: Config) -> Result<Config, String> {
    for id in args.select.iter().chain(&args.ignore) {
        if !config.knows_rule(id) {
            return Err(format!("unknown rule `{id}` (see `halint rules`)"));
        }
    }
    for peer in &args.peer_exemptions {
        if !config.peer_exemptions.contains(peer) {
            config.peer_exemptions.push(*peer);
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
