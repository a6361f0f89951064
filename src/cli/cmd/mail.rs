//! `plan mail`: the letters sent or written, and the closing line.

use crate::cli::args::MailArgs;
use crate::cli::report::Terminal;
use plan::app::error::Exit;

/// Runs `plan mail`.
pub fn run(args: &MailArgs) -> Exit {
    let term = Terminal::new(args.quiet, false);
    match plan::app::mail::run(&args.options(), &term) {
        Ok(summary) => {
            summary.listing.iter().for_each(|l| println!("{l}"));
            if !args.quiet {
                println!("{}", summary.line);
            }
        }
        Err(e) => return term.fail(e),
    }
    Exit::Done
}
