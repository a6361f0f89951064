//! `plan track`: the progress files, and the summary with its alerts (or `--json`).

use crate::cli::args::TrackArgs;
use crate::cli::report::Terminal;
use plan::app::error::Exit;

/// Runs `plan track`.
pub fn run(args: &TrackArgs) -> Exit {
    let term = Terminal::new(args.quiet, false);
    match plan::app::track::run(&args.options(), &term) {
        Ok(summary) if args.json => println!("{}", summary.json),
        Ok(summary) if !args.quiet => summary.lines.iter().for_each(|l| println!("{l}")),
        Ok(_) => {}
        Err(e) => return term.fail(e),
    }
    Exit::Done
}
