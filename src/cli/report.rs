//! Problems on stderr (sorted, capped, coloured only on a terminal) and exit codes.

use crate::engine::diag::{thousands, Problem, Severity};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// The exit codes of SPEC §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Done = 0,
    Internal = 1,
    Usage = 2,
    Input = 3,
    Output = 4,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// How many problems are listed before "… and N more".
const CAP: usize = 50;

/// How many errors `problems` stand for, counting those left out.
pub fn errors(problems: &[Problem]) -> u64 {
    problems
        .iter()
        .filter(|p| p.is_error())
        .map(Problem::count)
        .sum()
}

/// Sorts problems by file, sheet, row and column (a file's left-out counts
/// after its rows, problems without a place last).
pub fn sort(problems: &mut [Problem]) {
    problems.sort_by(|a, b| match (&a.origin, &b.origin) {
        (Some(x), Some(y)) => (&x.file, &x.sheet, a.left_out.is_some(), x.row, x.col).cmp(&(
            &y.file,
            &y.sheet,
            b.left_out.is_some(),
            y.row,
            y.col,
        )),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
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
pub fn note_kept(out: &std::path::Path, kept: &[String]) {
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
