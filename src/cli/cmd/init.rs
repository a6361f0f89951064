//! `plan init`: the templates written, and what to do next.

use crate::cli::args::InitArgs;
use crate::cli::report::Terminal;
use plan::app::error::Exit;

/// Runs `plan init`.
pub fn run(args: &InitArgs) -> Exit {
    let zh = args.lang.as_deref() == Some("zh");
    match plan::app::init::run(&args.dir, zh, args.force) {
        Ok(lines) => println!("{lines}"),
        Err(e) => return Terminal::new(false, false).fail(e),
    }
    Exit::Done
}
