//! The `halint` binary: parse flags, run, map the outcome to an exit code
//! (0 clean, 1 findings at or above --fail-on, 2 usage or input errors).

mod allocator;
mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    allocator::tune();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("halint: {err}");
            ExitCode::from(cli::Outcome::Trouble as u8)
        }
    }
}
