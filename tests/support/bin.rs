//! The halint binary as a test runs it: from the package root unless a test moves it, with
//! no colour decided by the environment the tests happen to run in.
#![allow(dead_code)] // each test file uses part of it

use std::process::{Command, Output};

/// The binary, started in the package root, `NO_COLOR` unset.
pub fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_halint"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR");
    command
}

pub fn halint(args: &[&str]) -> Output {
    command().args(args).output().expect("halint runs")
}
