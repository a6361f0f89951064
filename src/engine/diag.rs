//! Diagnostics: a problem in the input, with the place it was found.
//!
//! Every input error and warning is a [`Problem`]. Its `Display` is the one
//! place that formats locations the way a spreadsheet user reads them:
//! `reps.csv, row 9, column C "fte"` or `targets.xlsx, sheet "Targets", cell C14 "amount"`.

use std::fmt;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information the user should see (e.g. a deduced date order); never fails a run.
    Note,
    /// The plan can still be made (exit 0), unless `--strict`.
    Warning,
    /// The plan cannot be made (exit 3).
    Error,
}

/// Where a problem was found. Every part is optional: a cross-table problem
/// may name only a file, a plan-file problem only a key.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Origin {
    /// The file as the user named it (never made absolute).
    pub file: String,
    /// The sheet, for spreadsheets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The row as the spreadsheet or editor numbers it (a CSV header is row 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// The column, 0-based (shown as a letter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub col: Option<u32>,
    /// The column's header as written in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
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
}

impl Problem {
    /// An error at `origin`.
    pub fn error(origin: Option<Origin>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            origin,
            message: message.into(),
            value: None,
            hint: None,
        }
    }

    /// A warning at `origin`.
    pub fn warning(origin: Option<Origin>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(origin, message)
        }
    }

    /// A note at `origin`.
    pub fn note(origin: Option<Origin>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Note,
            ..Problem::error(origin, message)
        }
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
        let p = Problem::error(Some(xlsx), "expected a number").with_value("12,5O0");
        assert_eq!(
            p.to_string(),
            "targets.xlsx, sheet \"Targets\", cell C14 (Amount): expected a number, found \"12,5O0\""
        );
    }
}
