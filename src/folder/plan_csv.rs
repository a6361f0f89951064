//! `plan.csv`, the plan folder's targets: its header, its size limit and its
//! one parser, which checks the header and yields the rows after it. What a
//! row's fields mean is for each reader (`plan track`, a re-plan) to decide.

use crate::engine::model::MetricKind;
use std::io::Read;

/// A metric of the plan, as `plan.csv` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanMetric {
    /// The metric's name in `plan.csv`.
    pub name: String,
    /// Money when its targets are written with decimals (or it is revenue), else a count.
    pub kind: MetricKind,
    /// Decimal places of its targets in `plan.csv` (at least 2 for money).
    pub places: u32,
}

/// The header of `plan.csv`.
pub const HEADER: [&str; 6] = [
    "team",
    "rep_id",
    "metric",
    "period",
    "period_kind",
    "target",
];

/// The largest `plan.csv` read (by `track` and by a re-plan): 2 GiB, about 15 million rows.
pub const MAX_BYTES: u64 = 2 << 30;

/// Why a file's first row is not `plan.csv`'s header.
#[derive(Debug)]
pub enum HeaderError {
    /// The file has no row at all.
    Empty,
    /// The first row cannot be read.
    Unreadable(csv::Error),
    /// The first row is not [`HEADER`]; these are its fields.
    Other(Vec<String>),
}

/// One row after the header: its line (the header is line 1) and its fields
/// in [`HEADER`] order.
#[derive(Debug, PartialEq)]
pub struct Line {
    /// The row's number, the header being row 1.
    pub number: u32,
    record: csv::StringRecord,
}

impl Line {
    /// The fields: team, rep_id, metric, period, period_kind, target.
    pub fn fields(&self) -> [&str; 6] {
        std::array::from_fn(|c| self.record.get(c).unwrap_or_default())
    }
}

/// A row that cannot be read, with its number.
#[derive(Debug)]
pub struct LineError {
    /// The row's number, the header being row 1.
    pub number: u32,
    /// What the CSV reader found.
    pub error: csv::Error,
}

/// Checks the header of the `plan.csv` in `reader` and returns its rows, each
/// of as many fields as the header (a row of another length is an error).
pub fn read<R: Read>(
    reader: R,
) -> Result<impl Iterator<Item = Result<Line, LineError>>, HeaderError> {
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(reader)
        .into_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(HeaderError::Unreadable(e)),
        None => return Err(HeaderError::Empty),
    };
    if header.iter().ne(HEADER) {
        return Err(HeaderError::Other(
            header.iter().map(str::to_string).collect(),
        ));
    }
    Ok(records.enumerate().map(|(i, rec)| {
        let number = i as u32 + 2;
        rec.map(|record| Line { number, record })
            .map_err(|error| LineError { number, error })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Result<Vec<Result<Line, LineError>>, HeaderError> {
        read(text.as_bytes()).map(Iterator::collect)
    }

    #[test]
    fn the_header_is_checked_and_rows_numbered_from_two() {
        let text = "team,rep_id,metric,period,period_kind,target\nN,R1,revenue,2027-01,month,5.00\n,,revenue,2027,year,9\n";
        let rows = lines(text).unwrap();
        assert_eq!(rows.len(), 2);
        let first = rows[0].as_ref().unwrap();
        assert_eq!(first.number, 2);
        assert_eq!(
            first.fields(),
            ["N", "R1", "revenue", "2027-01", "month", "5.00"]
        );
        assert_eq!(rows[1].as_ref().unwrap().fields()[..2], ["", ""]);
    }

    #[test]
    fn empty_other_and_short_rows() {
        assert!(matches!(lines(""), Err(HeaderError::Empty)));
        assert!(matches!(lines("\n\n"), Err(HeaderError::Empty)));
        match lines("team,rep\nN,R1\n") {
            Err(HeaderError::Other(found)) => assert_eq!(found, ["team", "rep"]),
            other => panic!("{other:?}"),
        }
        let with_bom = "\u{FEFF}team,rep_id,metric,period,period_kind,target\n";
        assert_eq!(lines(with_bom).unwrap().len(), 0);
        let rows = lines("team,rep_id,metric,period,period_kind,target\nN,R1\n").unwrap();
        let e = rows[0].as_ref().unwrap_err();
        assert_eq!(e.number, 2);
        assert!(
            e.error.to_string().contains("found record with 2 fields"),
            "{}",
            e.error
        );
    }

    #[test]
    fn an_unreadable_header() {
        let bytes: &[u8] = b"team,\xFF\n";
        assert!(matches!(
            read(bytes).map(|_| ()),
            Err(HeaderError::Unreadable(_))
        ));
    }
}
