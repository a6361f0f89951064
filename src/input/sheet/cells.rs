//! calamine's cells as [`Cell`]s, their text as a header shows it, and the
//! problem a sheet that cannot be read gives: shared by the whole-sheet and
//! the streaming readers.

use crate::engine::diag::{Code, Origin, Problem};
use crate::input::table::Cell;
use calamine::{CellErrorType, Data};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// The text of a cell whose formula has no cached value.
pub(crate) const NO_CACHED_VALUE: &str = "formula without a cached value";

/// A sheet calamine cannot read.
pub(crate) fn sheet_error(at: &Origin, e: calamine::Error) -> Problem {
    Problem::error(
        Code::Damaged,
        Some(at.clone()),
        format!("cannot read the sheet: {e}"),
    )
}

pub(crate) fn convert(data: &Data) -> Cell<'_> {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DurationIso(s) => trimmed(s),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => match d.as_datetime() {
            Some(date) if !d.is_duration() => Cell::Date(date),
            _ => Cell::Number(d.as_f64()),
        },
        Data::DateTimeIso(s) => iso_date(s).map_or_else(|| trimmed(s), Cell::Date),
        Data::Error(e) => Cell::Error(error_text(e)),
    }
}

fn trimmed(s: &str) -> Cell<'_> {
    match s.trim() {
        "" => Cell::Empty,
        text => Cell::Text(text),
    }
}

/// An ISO 8601 date or date-time (how ods stores dates).
fn iso_date(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN))
        })
}

/// The error as Excel shows it.
fn error_text(e: &CellErrorType) -> &'static str {
    match e {
        CellErrorType::Div0 => "#DIV/0!",
        CellErrorType::NA => "#N/A",
        CellErrorType::Name => "#NAME?",
        CellErrorType::Null => "#NULL!",
        CellErrorType::Num => "#NUM!",
        CellErrorType::Ref => "#REF!",
        CellErrorType::Value => "#VALUE!",
        CellErrorType::GettingData => "#DATA!",
    }
}

/// A cell as header text.
pub(crate) fn text(cell: Cell<'_>) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) | Cell::Error(s) => s.to_string(),
        Cell::Number(n) => n.to_string(),
        Cell::Date(d) if d.time() == NaiveTime::MIN => d.date().to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::Bool(b) => if b { "TRUE" } else { "FALSE" }.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_texts_of_numbers_dates_and_booleans() {
        let d = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let at_930 = NaiveDate::from_ymd_opt(2027, 1, 31)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap();
        assert_eq!(text(Cell::Number(2027.0)), "2027");
        assert_eq!(text(Cell::Date(d.and_time(NaiveTime::MIN))), "2027-01-01");
        assert_eq!(text(Cell::Bool(false)), "FALSE");
        assert_eq!(
            iso_date("2027-01-31"),
            Some(
                NaiveDate::from_ymd_opt(2027, 1, 31)
                    .unwrap()
                    .and_time(NaiveTime::MIN)
            )
        );
        assert_eq!(
            convert(&Data::DateTimeIso("2027-01-31T09:30:00".into())),
            Cell::Date(at_930)
        );
        assert_eq!(
            convert(&Data::DateTimeIso("T09:30".into())),
            Cell::Text("T09:30")
        );
    }
}
