//! Flags, each defined once with its help, and the subcommands.

mod check;
mod config;
mod docs;
mod explain;
mod generate;
mod rules;

use std::io;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use halint::exempt::Peer;
use halint::report::Format;
use halint::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Clean = 0,
    Findings = 1,
    /// A usage error, or an input that could not be read or parsed.
    Trouble = 2,
}

#[derive(Debug, Parser)]
#[command(
    name = "halint",
    version,
    about = "Catches high-availability mistakes in Kubernetes manifests before they become outages",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List every rule: id, default severity, what it flags (custom rules included).
    Rules(RulesArgs),
    /// Explain a rule: why it matters, how to fix it, a failing and a passing example.
    Explain {
        /// Rule id, e.g. pdb-blocking.
        rule: String,
        /// Config file (default: the first .halint.yaml from here up to the repository root).
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// The config file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: Shell },
    /// Print the man page (roff), e.g. `halint man > /usr/local/share/man/man1/halint.1`.
    Man,
    /// Write docs/rules/: a markdown page per rules/<id>.yaml and an index.
    #[command(hide = true)]
    Docs {
        /// Directory of rule data files.
        #[arg(long, default_value = "rules")]
        rules: PathBuf,
        /// Directory the pages are written to.
        #[arg(long, default_value = "docs/rules")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Write a commented .halint.yaml with every default.
    Init {
        /// Where to write it.
        #[arg(default_value = ".halint.yaml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
struct RulesArgs {
    #[arg(long, value_enum, default_value_t = rules::RulesFormat::Human)]
    format: rules::RulesFormat,
    /// Load the config's custom rules and run their examples: exit 2, with located
    /// errors, when a rule is malformed or its examples do not behave.
    #[arg(long)]
    check: bool,
    /// Config file (default: the first .halint.yaml from here up to the repository root).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    /// Colour when standard output is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Files and directories to lint (directories are searched for .yaml, .yml and .json;
    /// hidden entries are skipped); `-` reads standard input. A directory with a
    /// kustomization.yaml is rendered with `kubectl kustomize`, one with a Chart.yaml with
    /// `helm template`.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit 1 when a finding has at least this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Run only these rules (comma-separated ids; repeatable).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Do not run these rules (comma-separated ids; repeatable).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Namespace of objects that do not name one.
    #[arg(long, short = 'n', default_value = "default")]
    namespace: String,
    /// Objects that cross-object rules see (a PDB kept elsewhere) but that are never
    /// reported on (repeatable).
    #[arg(long)]
    context: Vec<PathBuf>,
    /// A values file for every Helm chart rendered (`helm template --values`; repeatable).
    #[arg(long = "values", value_name = "FILE")]
    helm_values: Vec<PathBuf>,
    /// Print findings only, without the summary line.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// When to use colour in the human report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Config file (default: the first .halint.yaml from the working directory up to the
    /// repository root).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Also list the findings that exemptions suppressed, with their reasons (they never
    /// count toward the exit code).
    #[arg(long)]
    show_suppressed: bool,
    /// Honour these linters' ignore annotations for their matching rules (comma-separated:
    /// kube-linter, kube-score, polaris), on top of the config's `exemptions.peers`.
    #[arg(long, value_delimiter = ',', value_name = "PEERS")]
    peer_exemptions: Vec<Peer>,
}

pub fn run(cli: Cli) -> io::Result<Outcome> {
    match cli.command {
        Some(Command::Rules(args)) => rules::run(args.format, args.check, args.config.as_deref()),
        Some(Command::Explain { rule, config }) => explain::run(&rule, config.as_deref()),
        Some(Command::Config(ConfigCommand::Init { path, force })) => {
            config::init(Some(&path), force)
        }
        Some(Command::Completions { shell }) => generate::completions(shell),
        Some(Command::Man) => generate::man(),
        Some(Command::Docs { rules, out }) => docs::run(&rules, &out),
        None => check::run(cli.check),
    }
}
