//! `plan split`: the plan, and its summary line (or `--json`).

use crate::cli::args::SplitArgs;
use crate::cli::progress::Progress;
use crate::cli::report::Terminal;
use plan::app::error::Exit;

/// Runs `plan split`.
pub fn run(args: &SplitArgs) -> Exit {
    let a = &args.input;
    let term = Terminal {
        quiet: a.quiet,
        strict: a.strict,
        verbose: a.verbose,
        progress: Progress::new(!a.quiet && !a.json),
    };
    match plan::app::split::run(&args.options(), &term) {
        Ok(summary) if a.json => println!("{}", summary.json()),
        Ok(summary) if !a.quiet => println!("{}", summary.line()),
        Ok(_) => {}
        Err(e) => return term.fail(e),
    }
    Exit::Done
}
