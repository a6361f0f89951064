//! Problems, notes and errors on stderr (capped, coloured only on a terminal).

use crate::cli::progress::{Progress, Tracked};
use plan::app::error::{Error, Exit};
use plan::app::report::{thousands, Manifest, Problem, Report, Severity, Sink};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// How many problems are listed before "… and N more".
const CAP: usize = 50;

/// The terminal a command reports to: problems and notes on stderr, as
/// `--quiet` and `--strict` ask, with the progress bar of a long run.
pub struct Terminal {
    pub quiet: bool,
    pub strict: bool,
    pub verbose: bool,
    pub progress: Progress,
}

impl Terminal {
    /// A terminal without a progress bar.
    pub fn new(quiet: bool, strict: bool) -> Terminal {
        Terminal {
            quiet,
            strict,
            verbose: false,
            progress: Progress::new(false),
        }
    }

    /// Prints why the command stops; its exit code.
    pub fn fail(&self, e: Error) -> Exit {
        let exit = e.exit();
        match e {
            Error::Input { problems, closing } => {
                print(&problems, self.quiet, self.strict);
                if let Some(line) = closing {
                    error(&line);
                }
            }
            e => error(&e.to_string()),
        }
        exit
    }
}

impl Report for Terminal {
    fn problems(&self, problems: &[Problem]) {
        print(problems, self.quiet, self.strict);
    }

    fn note(&self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    fn error(&self, line: &str) {
        error(line);
    }

    fn verbose(&self, line: &str) {
        if self.verbose {
            eprintln!("{line}");
        }
    }

    fn kept(&self, out: &Path, kept: &[String]) {
        if !self.quiet {
            note_kept(out, kept);
        }
    }

    fn step(&self, what: &'static str) {
        self.progress.step(what);
    }

    fn finish(&self) {
        self.progress.finish();
    }

    fn follow(
        &self,
        sink: &dyn Sink,
        render: &mut dyn FnMut(&dyn Sink) -> Result<Manifest, String>,
    ) -> Result<Manifest, String> {
        render(&Tracked {
            sink,
            progress: &self.progress,
        })
    }
}

/// Prints problems to stderr, one a line ending with the problem's code
/// (`error: reps.csv, row 3 (fte): … [E-FTE]`); `quiet` keeps only errors.
pub fn print(problems: &[Problem], quiet: bool, strict: bool) {
    let mut shown: Vec<&Problem> = problems
        .iter()
        .filter(|p| !quiet || p.is_error() || (strict && p.severity == Severity::Warning))
        .collect();
    shown.sort_by_key(|p| std::cmp::Reverse(p.severity));
    let color = std::io::stderr().is_terminal();
    let mut err = std::io::stderr().lock();
    for p in shown.iter().take(CAP) {
        let (label, code) = match p.severity {
            Severity::Error => ("error", "31"),
            Severity::Warning if strict => ("error", "31"),
            Severity::Warning => ("warning", "33"),
            Severity::Note => ("note", "36"),
        };
        let text = escape_controls(&p.to_string());
        let kind = p.code;
        let _ = if color {
            writeln!(err, "\x1b[1;{code}m{label}\x1b[0m: {text} [{kind}]")
        } else {
            writeln!(err, "{label}: {text} [{kind}]")
        };
    }
    let more: u64 = shown.iter().skip(CAP).map(|p| p.count()).sum();
    if more > 0 {
        let _ = writeln!(err, "… and {} more", thousands(more));
    }
}

/// Control characters from user data, escaped (`\n` as `\\n`, ESC as
/// `\\u{1b}`): a message never forges a line or a colour, on a terminal or in a log.
pub fn escape_controls(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Says once which entries of the output folder plan did not write and left in place.
fn note_kept(out: &Path, kept: &[String]) {
    const SHOWN: usize = 10;
    let mut list = kept
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if kept.len() > SHOWN {
        list.push_str(&format!(" and {} more", kept.len() - SHOWN));
    }
    let text = escape_controls(&list);
    eprintln!(
        "note: {}: {} entr{} that plan did not write stay in place: {text}",
        out.display(),
        kept.len(),
        if kept.len() == 1 { "y" } else { "ies" }
    );
}

/// Prints one error line.
pub fn error(msg: &str) {
    let color = std::io::stderr().is_terminal();
    let text = escape_controls(msg);
    if color {
        eprintln!("\x1b[1;31merror\x1b[0m: {text}");
    } else {
        eprintln!("error: {text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escape_controls("a\nerror: x\u{1b}[31m\tb\r"),
            "a\\nerror: x\\u{1b}[31m\\tb\\r"
        );
        assert_eq!(escape_controls("销售 \"q\" \\"), "销售 \"q\" \\");
    }
}
