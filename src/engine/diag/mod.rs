//! Diagnostics: a problem in the input, with the place it was found.
//!
//! Every input error and warning is a [`Problem`]. Its `Display` is the one
//! place that formats locations the way a spreadsheet user reads them:
//! `reps.csv, row 9, column C "fte"` or `targets.xlsx, sheet "Targets", cell C14 "amount"`.

mod codes;

pub use codes::{Code, Severity};
use std::fmt;

/// Where a problem was found. Every part is optional: a cross-table problem
/// may name only a file, a plan-file problem only a key.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    /// The file as the user named it (never made absolute).
    pub file: String,
    /// The sheet, for spreadsheets.
    pub sheet: Option<String>,
    /// The row as the spreadsheet or editor numbers it (a CSV header is row 1).
    pub row: Option<u32>,
    /// The column, 0-based (shown as a letter, and 1-based in JSON).
    pub col: Option<u32>,
    /// The column's header as written in the file.
    pub header: Option<String>,
}

/// In JSON a place reads as the text does: the row, the column's letter
/// (`column`) and its 1-based number (`col`: A is 1), the header.
impl serde::Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Shown<'a> {
            file: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            sheet: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            row: Option<u32>,
            #[serde(skip_serializing_if = "Option::is_none")]
            column: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            col: Option<u32>,
            #[serde(skip_serializing_if = "Option::is_none")]
            header: Option<&'a str>,
        }
        Shown {
            file: &self.file,
            sheet: self.sheet.as_deref(),
            row: self.row,
            column: self.col.map(column_letter),
            col: self.col.map(|c| c + 1),
            header: self.header.as_deref(),
        }
        .serialize(s)
    }
}

impl Origin {
    /// A whole file.
    pub fn file(file: impl Into<String>) -> Self {
        Origin {
            file: file.into(),
            ..Origin::default()
        }
    }

    /// The same place, narrowed to a row.
    pub fn at_row(&self, row: u32) -> Self {
        Origin {
            row: Some(row),
            col: None,
            header: None,
            ..self.clone()
        }
    }

    /// The same place, narrowed to a column (keeps the row).
    pub fn at_col(&self, col: u32, header: &str) -> Self {
        Origin {
            col: Some(col),
            header: Some(header.to_string()),
            ..self.clone()
        }
    }
}

/// Spreadsheet column letters for a 0-based index: 0 → A, 26 → AA.
pub fn column_letter(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, ", sheet \"{sheet}\"")?;
        }
        match (self.row, self.col, &self.sheet) {
            (Some(row), Some(col), Some(_)) => write!(f, ", cell {}{row}", column_letter(col))?,
            (Some(row), Some(col), None) => {
                write!(f, ", row {row}, column {}", column_letter(col))?
            }
            (Some(row), None, _) => write!(f, ", row {row}")?,
            (None, Some(col), _) => write!(f, ", column {}", column_letter(col))?,
            (None, None, _) => {}
        }
        if let Some(header) = &self.header {
            write!(f, " ({header})")?;
        }
        Ok(())
    }
}

/// One problem found in the input: where, what value, what was expected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub severity: Severity,
    /// The kind of problem, as a stable code.
    pub code: Code,
    /// Where it was found; `None` for problems of the run as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// What is wrong and what was expected, lowercase, no trailing period.
    pub message: String,
    /// The offending value as written in the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// How to fix it, where that is obvious.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Set on the line that stands for the problems of one kind that were
    /// counted but not kept (see [`Problems`]): how many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_out: Option<u64>,
}

impl Problem {
    /// A problem of kind `code` at `origin`, of the code's severity.
    fn new(code: Code, origin: Option<Origin>, message: String) -> Self {
        Problem {
            severity: code.severity(),
            code,
            origin,
            message,
            value: None,
            hint: None,
            left_out: None,
        }
    }

    /// An error of kind `code` (an error code) at `origin`.
    pub fn error(code: Code, origin: Option<Origin>, message: impl Into<String>) -> Self {
        debug_assert_eq!(code.severity(), Severity::Error, "{code:?} is not an error");
        Problem::new(code, origin, message.into())
    }

    /// A warning of kind `code` (a warning code) at `origin`.
    pub fn warning(code: Code, origin: Option<Origin>, message: impl Into<String>) -> Self {
        debug_assert_eq!(
            code.severity(),
            Severity::Warning,
            "{code:?} is not a warning"
        );
        Problem::new(code, origin, message.into())
    }

    /// A note of kind `code` (a note code) at `origin`.
    pub fn note(code: Code, origin: Option<Origin>, message: impl Into<String>) -> Self {
        debug_assert_eq!(code.severity(), Severity::Note, "{code:?} is not a note");
        Problem::new(code, origin, message.into())
    }

    /// Names the offending value.
    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this problem stops the plan.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// How many problems this one stands for: 1, or those left out.
    pub fn count(&self) -> u64 {
        self.left_out.unwrap_or(1)
    }
}

/// Problems of one kind are kept up to this many; the rest are counted.
pub const KEEP_PER_KIND: u64 = 50;

/// Problems kept in all, whatever their kinds: beyond, they are counted.
const KEEP_IN_ALL: usize = 2_000;

/// A kind of problem: the same message in the same column of the same file.
type Kind = (Severity, String, Option<String>, Option<u32>, String, Code);

/// Problems as a reader finds them, in memory that does not grow with their
/// number: the first [`KEEP_PER_KIND`] of each kind are kept, the rest only
/// counted, and [`Problems::into_vec`] ends each kind with a line saying how
/// many more there were.
#[derive(Debug, Default)]
pub struct Problems {
    kept: Vec<Problem>,
    /// Per kind: how many were kept, how many left out.
    kinds: std::collections::HashMap<Kind, (u64, u64)>,
    /// Problems left out once [`KEEP_IN_ALL`] were kept, by severity and file.
    others: std::collections::BTreeMap<(Severity, String), u64>,
    seen: usize,
}

impl Problems {
    /// Records a problem: kept, or counted with those like it.
    pub fn push(&mut self, p: Problem) {
        self.seen += 1;
        let origin = p.origin.clone().unwrap_or_default();
        let kind = (
            p.severity,
            origin.file,
            origin.sheet,
            origin.col,
            p.message,
            p.code,
        );
        let room = self.kept.len() < KEEP_IN_ALL;
        let counts = match self.kinds.get_mut(&kind) {
            Some(counts) => counts,
            None if room => self.kinds.entry(kind.clone()).or_default(),
            None => {
                *self.others.entry((kind.0, kind.1)).or_default() += 1;
                return;
            }
        };
        if counts.0 < KEEP_PER_KIND && room {
            counts.0 += 1;
            self.kept.push(Problem {
                message: kind.4,
                ..p
            });
        } else {
            counts.1 += 1;
        }
    }

    /// How many problems were recorded, kept or not.
    pub fn len(&self) -> usize {
        self.seen
    }

    /// Whether none were recorded.
    pub fn is_empty(&self) -> bool {
        self.seen == 0
    }

    /// The kept problems, then a line per kind with problems left out.
    pub fn into_vec(self) -> Vec<Problem> {
        let mut out = self.kept;
        let mut left: Vec<_> = self.kinds.into_iter().filter(|(_, c)| c.1 > 0).collect();
        left.sort();
        for ((_, file, sheet, col, message, code), (_, n)) in left {
            let header = out
                .iter()
                .filter_map(|p| p.origin.as_ref())
                .find(|o| o.file == file && o.sheet == sheet && o.col == col)
                .and_then(|o| o.header.clone());
            let origin = Origin {
                file,
                sheet,
                col,
                header,
                row: None,
            };
            out.push(left_out(
                code,
                Some(origin),
                n,
                &format!("more like it ({message})"),
            ));
        }
        for ((severity, file), n) in self.others {
            let code = match severity {
                Severity::Error => Code::MoreErrors,
                Severity::Warning => Code::MoreWarnings,
                Severity::Note => Code::MoreNotes,
            };
            out.push(left_out(code, Some(Origin::file(file)), n, "more problems"));
        }
        out
    }
}

/// The line that stands for `n` problems of kind `code` left out.
fn left_out(code: Code, origin: Option<Origin>, n: u64, what: &str) -> Problem {
    Problem {
        left_out: Some(n),
        ..Problem::new(code, origin, format!("… and {} {what}", thousands(n)))
    }
}

/// `5999950` as `5,999,950`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The known name nearest to `wanted` (trimmed, case-insensitive, by
/// Jaro-Winkler similarity above 0.8), as the known list spells it: the
/// "did you mean" of every name that was not found. Nothing when two
/// different names are equally near (`R0009` among `R0001`…`R0008`).
pub fn nearest<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = wanted.trim().to_lowercase();
    // The best name (its score, spelling, key) and the best score of any other name.
    let mut best: Option<(f64, &str, String)> = None;
    let mut second = 0.0_f64;
    for k in known {
        let key = k.trim().to_lowercase();
        let score = strsim::jaro_winkler(&wanted, &key);
        match &best {
            Some((_, _, b)) if *b == key => {}
            Some((b, _, _)) if score <= *b => second = second.max(score),
            _ => {
                second = second.max(best.as_ref().map_or(0.0, |b| b.0));
                best = Some((score, k, key));
            }
        }
    }
    best.filter(|(score, _, _)| *score > 0.8 && *score > second + 1e-9)
        .map(|(_, k, _)| k)
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(origin) = &self.origin {
            write!(f, "{origin}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(value) = &self.value {
            write!(f, ", found {value:?}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_beyond_the_first_of_their_kind_are_counted() {
        let mut problems = Problems::default();
        let at = |row| Origin {
            row: Some(row),
            ..Origin::file("history.csv").at_col(2, "amount")
        };
        for row in 2..1_000_002 {
            problems.push(
                Problem::error(Code::Number, Some(at(row)), "expected a number").with_value("x"),
            );
        }
        problems.push(Problem::warning(
            Code::UnknownRep,
            Some(at(7)),
            "a negative amount",
        ));
        assert_eq!(problems.len(), 1_000_001);
        let out = problems.into_vec();
        assert_eq!(out.len(), 52);
        let last = out.last().unwrap();
        assert_eq!(last.left_out, Some(999_950));
        assert_eq!(last.code, Code::Number);
        assert_eq!(
            last.to_string(),
            "history.csv, column C (amount): … and 999,950 more like it (expected a number)"
        );
        assert_eq!(out.iter().map(Problem::count).sum::<u64>(), 1_000_001);
        assert_eq!(thousands(17_179_869_184), "17,179,869,184");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn nearest_names_a_near_spelling_or_nothing() {
        let teams = ["North", "South", "East"];
        assert_eq!(nearest("Nort", teams), Some("North"));
        assert_eq!(nearest(" nroth ", teams), Some("North"));
        assert_eq!(nearest("SOUTH", teams), Some("South"));
        assert_eq!(nearest("Marketing", teams), None);
        assert_eq!(nearest("x", std::iter::empty()), None);
        // Equally near names: no guess; one name listed twice is one name.
        assert_eq!(nearest("R0009", ["R0001", "R0002", "R0003"]), None);
        assert_eq!(nearest("Nort", ["North", "north", "South"]), Some("North"));
        assert_eq!(
            nearest("smothing", ["seasonality", "smoothing"]),
            Some("smoothing")
        );
    }

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn origin_display_csv_and_sheet() {
        let csv = Origin {
            row: Some(9),
            ..Origin::file("reps.csv")
        }
        .at_col(2, "fte");
        assert_eq!(csv.to_string(), "reps.csv, row 9, column C (fte)");
        let xlsx = Origin {
            sheet: Some("Targets".into()),
            row: Some(14),
            col: Some(2),
            header: Some("Amount".into()),
            ..Origin::file("targets.xlsx")
        };
        assert_eq!(
            xlsx.to_string(),
            "targets.xlsx, sheet \"Targets\", cell C14 (Amount)"
        );
        let p = Problem::error(Code::Number, Some(xlsx), "expected a number").with_value("12,5O0");
        assert_eq!(
            p.to_string(),
            "targets.xlsx, sheet \"Targets\", cell C14 (Amount): expected a number, found \"12,5O0\""
        );
    }
}
