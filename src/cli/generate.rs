//! `halint completions SHELL` and `halint man`: generated from the clap definitions, so they
//! never disagree with `--help`.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, Outcome};

pub fn completions(shell: Shell) -> io::Result<Outcome> {
    let mut out = io::stdout().lock();
    clap_complete::generate(shell, &mut Cli::command(), "halint", &mut out);
    out.flush()?;
    Ok(Outcome::Clean)
}

pub fn man() -> io::Result<Outcome> {
    let mut out = io::stdout().lock();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.flush()?;
    Ok(Outcome::Clean)
}
