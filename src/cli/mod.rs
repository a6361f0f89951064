//! The command line (binary only): flags → the application → what is
//! printed and the exit code.

mod args;
mod cmd;
mod progress;
mod report;

use args::{Cli, Command};
use clap::Parser;
use plan::app::error::Exit;
use std::process::ExitCode;

/// Runs `plan` with the process's arguments.
pub fn main() -> ExitCode {
    // A failed write of a large sheet's temporary file is reported as an
    // output error (exit 4) by the command, without a panic message.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !plan::app::error::is_write_panic(info.payload()) {
            report(info);
        }
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                Exit::Done.into()
            };
        }
    };
    match cli.command {
        Command::Split(a) => cmd::split::run(&a),
        Command::Check(a) => cmd::check::run(&a),
        Command::Init(a) => cmd::init::run(&a),
        Command::Mail(a) => cmd::mail::run(&a),
        Command::Track(a) => cmd::track::run(&a),
    }
    .into()
}
