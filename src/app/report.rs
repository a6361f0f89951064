//! What a command tells while it runs: the binary prints it, a test may
//! record it.

pub use crate::engine::diag::{thousands, Problem, Severity};
pub use crate::folder::manifest::Manifest;
pub use crate::store::staging::{Fill, PersistError, Sink};
use std::path::Path;

/// The channel from a command to whoever runs it.
pub trait Report {
    /// Problems of a run that goes on, sorted.
    fn problems(&self, problems: &[Problem]);
    /// A line about what was just done (`wrote …`, `sent …`).
    fn note(&self, line: &str);
    /// An error of a run that goes on (a message the server refused).
    fn error(&self, line: &str);
    /// A timing line for `--verbose`.
    fn verbose(&self, _line: &str) {}
    /// The entries of the output folder that plan did not write and left in place.
    fn kept(&self, _out: &Path, _kept: &[String]) {}
    /// A stage of a long run begins.
    fn step(&self, _what: &'static str) {}
    /// The stages are over.
    fn finish(&self) {}
    /// Renders through `sink`, as the report follows the files written.
    fn follow(
        &self,
        sink: &dyn Sink,
        render: &mut dyn FnMut(&dyn Sink) -> Result<Manifest, String>,
    ) -> Result<Manifest, String> {
        render(sink)
    }
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
