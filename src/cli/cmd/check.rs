//! `plan check`: `split`'s flags, its problems listed, nothing written.

use crate::cli::args::SplitArgs;
use crate::cli::report::{self, Terminal};
use plan::app::error::Exit;
use plan::app::{pipeline, split};

/// Runs `plan check`, so that a script checks with the very line it runs;
/// the flags that only concern writing change nothing.
pub fn run(split_args: &SplitArgs) -> Exit {
    let args = &split_args.input;
    let term = Terminal::new(args.quiet, args.strict);
    let config = match split::prepare(&split_args.options()) {
        Ok(p) => p.config,
        Err(e) => return term.fail(e),
    };
    let mut problems = match pipeline::plan(&config) {
        Ok(p) => p.problems,
        Err(p) => p,
    };
    plan::app::report::sort(&mut problems);
    let failed = pipeline::fails(&problems, args.strict);
    if args.json {
        let left_out: u64 = problems.iter().filter_map(|p| p.left_out).sum();
        let json = serde_json::json!({ "ok": !failed, "problems": problems, "left_out": left_out });
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    }
    report::print(&problems, args.quiet, args.strict);
    if !failed {
        return Exit::Done;
    }
    let n: u64 = problems
        .iter()
        .filter(|p| p.is_error() || args.strict)
        .map(plan::app::report::Problem::count)
        .sum();
    report::error(&format!(
        "{n} problem{} in the input",
        if n == 1 { "" } else { "s" }
    ));
    Exit::Input
}
