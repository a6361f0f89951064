//! Reading typed values out of cells, with messages that name the cell.

use crate::engine::diag::{Code, Origin, Problem};
use crate::input::parse::{self, DateOrder, DateText, ValueError};
use crate::input::table::Cell;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A cell's text, for text columns (numbers written without a trailing `.0`).
pub fn text(cell: &Cell, at: &Origin) -> Result<String, Problem> {
    Ok(match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.trim().to_string(),
        Cell::Number(f) => format!("{f}"),
        Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Cell::Date(d) => d.date().format("%Y-%m-%d").to_string(),
        Cell::Error(e) => return Err(error_cell(e, at, "text")),
    })
}

fn error_cell(e: &str, at: &Origin, expected: &str) -> Problem {
    Problem::error(
        Code::ErrorCell,
        Some(at.clone()),
        format!("expected {expected}, found an error cell"),
    )
    .with_value(e)
    .with_hint("fix the formula or replace it by its value")
}

/// A number cell: `None` when empty.
pub fn number(cell: &Cell, at: &Origin, decimal_comma: bool) -> Result<Option<Decimal>, Problem> {
    let parsed = match cell {
        Cell::Empty => return Ok(None),
        Cell::Number(f) => parse::number_from_f64(*f),
        Cell::Text(s) if s.trim().is_empty() => return Ok(None),
        Cell::Text(s) => parse::parse_number(s, decimal_comma),
        Cell::Error(e) => return Err(error_cell(e, at, "a number")),
        Cell::Bool(_) | Cell::Date(_) => {
            return Err(
                Problem::error(Code::Number, Some(at.clone()), "expected a number")
                    .with_value(text(cell, at)?),
            )
        }
    };
    match parsed {
        Ok(v) if v.abs() > LARGEST => Err(Problem::error(
            Code::Number,
            Some(at.clone()),
            "expected a number of at most 1,000,000,000,000,000 in size",
        )
        .with_value(v.to_string())),
        Ok(v) => Ok(Some(v)),
        Err(e) => Err(value_problem(e, cell, at)),
    }
}

/// The largest number accepted (10^15): sums of such values stay exact (a
/// decimal sum reaches its limit, about 7.9 × 10^28, only after 7.9 × 10^13
/// rows, beyond every file a run reads), so adding them never overflows.
pub const LARGEST: Decimal = Decimal::from_parts(2764472320, 232830, 0, false, 0);

/// A growth cell (`15%` or `0.15`): `None` when empty.
pub fn growth(cell: &Cell, at: &Origin, decimal_comma: bool) -> Result<Option<Decimal>, Problem> {
    match cell {
        Cell::Text(s) if !s.trim().is_empty() => parse::parse_growth(s, decimal_comma)
            .map(Some)
            .map_err(|e| value_problem(e, cell, at)),
        _ => number(cell, at, decimal_comma),
    }
}

/// A date cell, before its column's day/month order is known: `None` when empty.
/// `date1904`: a number is a serial day of the 1904 system (a workbook's setting).
pub fn date(
    cell: &Cell,
    at: &Origin,
    format: Option<&str>,
    date1904: bool,
) -> Result<Option<DateText>, Problem> {
    let parsed = match cell {
        Cell::Empty => return Ok(None),
        Cell::Date(d) => return Ok(Some(DateText::Exact(d.date()))),
        Cell::Number(f) => parse::date_from_serial(*f, date1904).map(DateText::Exact),
        Cell::Text(s) if s.trim().is_empty() => return Ok(None),
        Cell::Text(s) => parse::parse_date(s, format),
        Cell::Error(e) => return Err(error_cell(e, at, "a date")),
        Cell::Bool(_) => {
            return Err(
                Problem::error(Code::Date, Some(at.clone()), "expected a date")
                    .with_value(text(cell, at)?),
            )
        }
    };
    parsed.map(Some).map_err(|e| value_problem(e, cell, at))
}

/// A problem for a value that did not parse, with a hint where one is obvious.
pub fn value_problem(e: ValueError, cell: &Cell, at: &Origin) -> Problem {
    let shown = match cell {
        Cell::Text(s) => s.to_string(),
        Cell::Number(f) => format!("{f}"),
        other => format!("{other:?}"),
    };
    let code = match e {
        ValueError::Number | ValueError::OutOfRange | ValueError::NotFinite => Code::Number,
        ValueError::LooksLikeDecimalComma => Code::DecimalComma,
        ValueError::Growth => Code::Growth,
        ValueError::Date
        | ValueError::TwoDigitYear
        | ValueError::YearOutOfRange(_)
        | ValueError::ImpossibleDate(_)
        | ValueError::Serial => Code::Date,
        ValueError::AmbiguousDate => Code::DateOrder,
        ValueError::Period => Code::Period,
    };
    let p = Problem::error(code, Some(at.clone()), e.to_string()).with_value(shown);
    match e {
        ValueError::AmbiguousDate => p.with_hint(
            "set date_format for this table in the plan file, e.g. date_format = \"%d/%m/%Y\"",
        ),
        ValueError::LooksLikeDecimalComma => {
            p.with_hint("set decimal_comma = true for this table in the plan file")
        }
        _ => p,
    }
}

/// The day/month order of one date column, deduced from the values that prove it (SPEC §1.3).
#[derive(Debug, Default, Clone)]
pub struct DateColumn {
    day_first: Option<(u32, DateText)>,
    month_first: Option<(u32, DateText)>,
    ambiguous: bool,
}

impl DateColumn {
    /// Records what a value (on `row`) proves.
    pub fn see(&mut self, row: u32, d: DateText) {
        match d.evidence() {
            Some(DateOrder::DayFirst) => {
                self.day_first.get_or_insert((row, d));
            }
            Some(DateOrder::MonthFirst) => {
                self.month_first.get_or_insert((row, d));
            }
            None => self.ambiguous |= matches!(d, DateText::DayMonth { .. }),
        }
    }

    /// The column's order, with a note when it was deduced; an error when the column contradicts itself.
    pub fn order(&self, at: &Origin) -> Result<(Option<DateOrder>, Option<Problem>), Problem> {
        let show = DateText::as_written;
        match (&self.day_first, &self.month_first) {
            (Some((r1, d1)), Some((r2, d2))) => Err(Problem::error(Code::DateOrder,
                Some(at.clone()),
                format!(
                    "the column mixes day/month/year (row {r1}: {}) and month/day/year (row {r2}: {})",
                    show(d1),
                    show(d2)
                ),
            )
            .with_hint("write every date the same way, or as 2027-01-31")),
            (Some((r, d)), None) if self.ambiguous => Ok((
                Some(DateOrder::DayFirst),
                Some(Problem::note(Code::DeducedDateOrder, Some(at.clone()), format!("dates read as day/month/year, as row {r} ({}) shows", show(d)))),
            )),
            (None, Some((r, d))) if self.ambiguous => Ok((
                Some(DateOrder::MonthFirst),
                Some(Problem::note(Code::DeducedDateOrder, Some(at.clone()), format!("dates read as month/day/year, as row {r} ({}) shows", show(d)))),
            )),
            (Some(_), None) => Ok((Some(DateOrder::DayFirst), None)),
            (None, Some(_)) => Ok((Some(DateOrder::MonthFirst), None)),
            (None, None) => Ok((None, None)),
        }
    }
}

/// Resolves one date of a column whose order is known (or not).
pub fn resolve(d: DateText, order: Option<DateOrder>, at: &Origin) -> Result<NaiveDate, Problem> {
    d.resolve(order)
        .map_err(|e| value_problem(e, &Cell::Text(&d.as_written()), at))
}
