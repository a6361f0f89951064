//! One table type for every input format: a header row and data rows of
//! [`Cell`]s, each row with the number the spreadsheet or editor shows.
//!
//! Readers stream: they call a [`RowVisitor`] once for the header and once per
//! data row, so memory does not grow with the number of rows. The helpers at
//! the end word the problems every reader reports about header rows and reads.

use crate::engine::diag::{Code, Origin, Problem};
use crate::os::reason as io_message;
use chrono::NaiveDateTime;

/// One cell as read, before any interpretation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Nothing in the cell (or a CSV field that is empty or missing).
    Empty,
    /// Text: every CSV field, and spreadsheet text cells.
    Text(&'a str),
    /// A spreadsheet number.
    Number(f64),
    /// A spreadsheet date (either date system, already converted).
    Date(NaiveDateTime),
    /// A spreadsheet boolean.
    Bool(bool),
    /// A spreadsheet error cell (`#N/A`, `#REF!`…) or a formula with no cached value.
    Error(&'a str),
}

impl Cell<'_> {
    /// An empty vector on the allocation of `cells`, which borrow an earlier
    /// row: readers keep one vector for every row instead of one per row.
    pub fn reuse<'b>(mut cells: Vec<Cell<'_>>) -> Vec<Cell<'b>> {
        cells.clear();
        cells.into_iter().map(|_| Cell::Empty).collect()
    }
}

/// The header row of a table.
#[derive(Debug, Clone)]
pub struct Header {
    /// Where the table is: file and, for spreadsheets, sheet; `row` is the header's row.
    pub origin: Origin,
    /// The header cells as text, trimmed (empty for blank header cells).
    pub names: Vec<String>,
    /// The workbook counts serial days from 1904 (old Mac Excel), not 1900.
    pub date1904: bool,
}

/// A data row.
#[derive(Debug)]
pub struct Row<'a> {
    /// The row number as shown by the spreadsheet or editor.
    pub number: u32,
    /// One cell per header column (short rows are padded with `Empty`).
    pub cells: &'a [Cell<'a>],
}

/// Receives a table as it is read.
pub trait RowVisitor {
    /// Whether `cells` (a candidate row, as text) is the header row: it holds every required column.
    fn is_header(&self, cells: &[String]) -> bool;
    /// Called once with the header row before any data row.
    fn header(&mut self, header: &Header) -> Result<(), Problem>;
    /// Called for each data row that is not entirely empty. An `Err` stops reading.
    fn row(&mut self, row: &Row<'_>) -> Result<(), Problem>;
}

/// How to read one input table (from the plan file's per-table options).
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// A WHATWG encoding label for CSV (default UTF-8, BOM allowed).
    pub encoding: Option<String>,
    /// The CSV delimiter (default: detected among `,` `;` tab).
    pub delimiter: Option<u8>,
    /// The header's row number as shown (default: detected).
    pub header_row: Option<u32>,
    /// The sheet to read (`FILE#Sheet`); default: the first visible sheet with a header row.
    pub sheet: Option<String>,
}

/// How many non-empty rows are searched for the header when `header_row` is not set.
pub(crate) const HEADER_SEARCH_ROWS: usize = 50;

/// A failure to read an opened file.
pub(crate) fn read_error(origin: &Origin, e: &std::io::Error) -> Problem {
    Problem::error(
        Code::Unreadable,
        Some(origin.clone()),
        format!("cannot read: {}", io_message(e)),
    )
}

/// No header row was found; the caller appends the columns it looked for.
pub(crate) fn no_header(origin: &Origin) -> Problem {
    Problem::error(Code::NoHeader, Some(origin.clone()), "no header row found")
}

/// True for the problem of a table in which no header row was found
/// ([`no_header`], or no sheet with one): E-NO-HEADER for the whole file,
/// where a `header_row` that is not a header names its row.
pub fn is_no_header(p: &Problem) -> bool {
    p.code == Code::NoHeader && p.origin.as_ref().is_some_and(|o| o.row.is_none())
}

/// `header_row = n` names a row that is not a header; `texts` is what it holds.
pub(crate) fn not_header_row(origin: &Origin, n: u32, texts: &[String]) -> Problem {
    let problem = Problem::error(
        Code::NoHeader,
        Some(origin.at_row(n)),
        format!("row {n} is not a header row"),
    )
    .with_hint("check `header_row` for this table in the plan file");
    if texts.iter().all(|t| t.is_empty()) {
        Problem {
            message: format!("row {n} is not a header row: it is empty"),
            ..problem
        }
    } else {
        problem.with_value(texts.join(", "))
    }
}

/// What the readers' tests share.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Records what a reader streams; the header is the row holding `rep_id`.
    #[derive(Debug, Default)]
    pub(crate) struct Recorder {
        pub header: Option<Header>,
        pub rows: Vec<(u32, Vec<String>)>,
    }

    impl RowVisitor for Recorder {
        fn is_header(&self, cells: &[String]) -> bool {
            cells.iter().any(|c| c.eq_ignore_ascii_case("rep_id"))
        }
        fn header(&mut self, header: &Header) -> Result<(), Problem> {
            self.header = Some(header.clone());
            Ok(())
        }
        fn row(&mut self, row: &Row<'_>) -> Result<(), Problem> {
            let show = |c: &Cell| match c {
                Cell::Empty => String::new(),
                Cell::Text(t) => t.to_string(),
                other => format!("{other:?}"),
            };
            self.rows
                .push((row.number, row.cells.iter().map(show).collect()));
            Ok(())
        }
    }
}

#[cfg(test)]
mod header_tests {
    use super::*;

    #[test]
    fn no_header_is_told_apart_from_a_header_row_that_is_not_one_by_its_place() {
        let at = Origin::file("reps.csv");
        assert!(is_no_header(&no_header(&at)));
        assert!(!is_no_header(&not_header_row(&at, 3, &["a".into()])));
        assert!(!is_no_header(&read_error(&at, &std::io::Error::other("x"))));
    }
}
