//! The history table, streamed and summed per rep and month, per team and
//! per month.

use super::base::{read, Base, Source};
use crate::engine::calendar::{ym_first_day, ym_of, Ym};
use crate::engine::diag::{Code, Origin, Problem};
use crate::engine::model::{History, Rep, Sums};
use crate::input::cells::{self, DateColumn};
use crate::input::columns::{self, norm, ColumnMap, TableKind};
use crate::input::parse::{self, DateText};
use crate::input::table::{Cell, Header, Row, RowVisitor};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

mod keys;
mod sums;

use keys::{find_key, rep_keys};
use sums::{add_sums, end_run, run};

/// How history rows find their rep.
pub struct RepLookup<'a> {
    /// The reps the rows are matched to.
    pub reps: &'a [Rep],
    /// `rep_key = "name"`: match on reps' names instead of ids.
    pub by_name: bool,
    /// `[history] by = "team"`: no rep column is read; rows count for the
    /// team their team column names, and the company.
    pub by_team: bool,
    /// The rules use the history: a missing rep column is an error (unless `by_team`).
    pub need_rep: bool,
}

/// A history value column: `amount` or a metric's own column (canonical or header name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueColumn {
    /// The column's name as the rules say it.
    pub name: String,
    /// The metric whose rules use this column: its absence is then an error.
    pub needed_by: Option<String>,
}

/// The columns the rules need that a history header lacks: an error each,
/// naming the columns seen and the nearest unmatched header.
fn missing_history_columns(
    map: &ColumnMap,
    lookup: &RepLookup,
    values: &[ValueColumn],
    cols: &[Option<usize>],
    at: &Origin,
) -> Vec<Problem> {
    let used: Vec<usize> = map
        .index
        .values()
        .copied()
        .chain(cols.iter().flatten().copied())
        .collect();
    let free: Vec<String> = (0..map.headers.len())
        .filter(|i| !used.contains(i))
        .map(|i| map.headers[i].clone())
        .collect();
    let seen = map
        .headers
        .iter()
        .filter(|h| !h.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = Vec::new();
    if lookup.need_rep && !lookup.by_team && map.get("rep_id").is_none() {
        let hint = columns::missing_hint(TableKind::History, &free, "rep_id")
            .map_or(String::new(), |h| format!("{h}; "));
        out.push(
            Problem::error(Code::RepColumn, Some(at.clone()), format!("the history has no rep_id column, which history shares and seasonality need (its columns: {seen})"))
                .with_hint(format!("{hint}name it with columns = {{ rep_id = \"…\" }} under [history], or set by = \"team\" under [history] for a team-level history")),
        );
    }
    for (v, col) in values.iter().zip(cols) {
        let (Some(metric), None) = (&v.needed_by, col) else {
            continue;
        };
        let near = columns::missing_hint(TableKind::History, &free, &v.name).unwrap_or_else(|| {
            format!(
                "name it with columns = {{ {} = \"…\" }} under [history]",
                v.name
            )
        });
        let fix = if v.name == "amount" {
            near
        } else {
            format!("{near}; or set history_column = \"…\" under [metrics.{metric}] (\"amount\" borrows revenue's, false plans {metric} without history)")
        };
        out.push(
            Problem::error(
                Code::HistoryColumn,
                Some(at.clone()),
                format!(
                    "metric {metric}: the history has no column {:?} (its columns: {seen})",
                    v.name
                ),
            )
            .with_hint(fix),
        );
    }
    out
}

/// A history row's summed values waiting for its day-month date to be read
/// (day first or month first, once the column is known).
struct Pending {
    sums: Sums,
    first_row: u32,
}

/// The history table's visitor: finds each row's rep, values and month, and sums them.
struct HistoryReader<'a> {
    base: Base<'a>,
    keys: FxHashMap<String, usize>,
    /// Reps' keys as the reps file spells them, found without lower-casing.
    exact: FxHashMap<&'a str, usize>,
    value_columns: &'a [ValueColumn],
    lookup: &'a RepLookup<'a>,
    /// Columns the rules need that the header lacks: errors once a row is read
    /// (a history without rows is no history).
    missing: Vec<Problem>,
    cols: Vec<Option<usize>>,
    history: History,
    /// Per rep and month, and per month: hashed while streaming, ordered at the end.
    by_rep: FxHashMap<(usize, Ym), Sums>,
    company: FxHashMap<Ym, Sums>,
    /// Per rep, its latest month's rows; and the company's latest month:
    /// summed until the month changes, so that rows sorted by date or by
    /// rep are hashed once per rep and month, not once per row.
    rep_runs: Vec<Option<((usize, Ym), Sums)>>,
    company_run: Option<(Ym, Sums)>,
    values: Vec<Decimal>,
    col: DateColumn,
    pending: BTreeMap<(Option<usize>, String, DateText), Pending>,
    date_name: &'static str,
    /// Columns of the rep, the team and the date (or month), found once.
    rep_col: Option<usize>,
    team_col: Option<usize>,
    date_col: Option<usize>,
}

/// The cell of column `i` of `row`; empty when there is no such column.
fn cell_at<'r>(row: &'r Row, i: Option<usize>) -> &'r Cell<'r> {
    i.and_then(|i| row.cells.get(i)).unwrap_or(&Cell::Empty)
}

/// A value cell read the fast way: a number, a number's text, or zero for an
/// empty cell; `None` for anything else or a value beyond [`cells::LARGEST`],
/// which the caller reads again for its problem.
fn quick_value(cell: &Cell, decimal_comma: bool) -> Option<Decimal> {
    match cell {
        Cell::Number(f) => parse::number_from_f64(*f).ok(),
        Cell::Text(s) => parse::parse_number(s, decimal_comma).ok(),
        Cell::Empty => Some(Decimal::ZERO),
        _ => None,
    }
    .filter(|v| {
        // A mantissa within LARGEST is a value within it (fast path).
        v.mantissa().unsigned_abs() <= 1_000_000_000_000_000 || v.abs() <= cells::LARGEST
    })
}

/// A `month` column's text (`2027-05`) as its month's first day; `None`
/// for a `date` column, a cell that is not text, or text that is not a month.
fn month_start(date_name: &str, cell: &Cell) -> Option<DateText> {
    match (date_name, cell) {
        ("month", Cell::Text(t)) => match parse::parse_period(t) {
            Ok(crate::engine::model::PeriodText::Month(y, m)) => {
                Some(DateText::Exact(ym_first_day(y * 12 + m as i32 - 1)))
            }
            _ => None,
        },
        _ => None,
    }
}

impl HistoryReader<'_> {
    fn take(&mut self, row: &Row) {
        let rep = self.rep_of(row);
        let team = if rep.is_none() && self.team_col.is_some() {
            norm(&self.base.text(row, "team"))
        } else {
            String::new()
        };
        self.read_values(row);
        let Some(d) = self.row_date(row) else {
            return;
        };
        match d {
            DateText::Exact(date) => self.add(rep, &team, ym_of(date)),
            DateText::DayMonth { .. } => {
                self.col.see(row.number, d);
                let p = self.pending.entry((rep, team, d)).or_insert(Pending {
                    sums: Sums::default(),
                    first_row: row.number,
                });
                p.sums.add(&self.values);
            }
        }
        if rep.is_none() && self.history.has_rep_column {
            let id: std::borrow::Cow<str> = match cell_at(row, self.rep_col) {
                Cell::Text(s) => s.trim().into(),
                c => cells::text(c, &Origin::default())
                    .unwrap_or_default()
                    .into(),
            };
            let amount = self.values.first().copied().unwrap_or_default();
            self.history.count_unknown(&id, row.number, amount);
        }
    }

    /// The row's rep: as spelled in the reps file first, else matched lower-cased.
    fn rep_of(&mut self, row: &Row) -> Option<usize> {
        match cell_at(row, self.rep_col) {
            Cell::Text(s) => match self.exact.get(s) {
                Some(&r) => Some(r),
                None => find_key(&self.keys, s),
            },
            Cell::Empty => None,
            _ => find_key(&self.keys, &self.base.text(row, "rep_id")),
        }
    }

    /// Reads the row's value columns into `values`: a cell that is not a
    /// number counts as zero, with a problem.
    fn read_values(&mut self, row: &Row) {
        let b = &mut self.base;
        self.values.clear();
        let dc = b.src.options.decimal_comma.unwrap_or(false);
        for c in &self.cols {
            let v = match c {
                Some(i) => {
                    let cell = row.cells.get(*i).unwrap_or(&Cell::Empty);
                    quick_value(cell, dc).unwrap_or_else(|| {
                        let at = b
                            .origin
                            .at_row(row.number)
                            .at_col(*i as u32, &b.map.headers[*i]);
                        if let Err(p) = cells::number(cell, &at, dc) {
                            b.problems.push(p);
                        }
                        Decimal::ZERO
                    })
                }
                None => Decimal::ZERO,
            };
            self.values.push(v);
        }
    }

    /// The row's date (or month); `None`, with a problem where one is due,
    /// when it has none that can be read.
    fn row_date(&mut self, row: &Row) -> Option<DateText> {
        let b = &mut self.base;
        let date_cell = cell_at(row, self.date_col);
        let month = month_start(self.date_name, date_cell);
        let format = b.src.options.date_format.as_deref();
        let parsed = match month {
            Some(d) => Some(d),
            None => {
                cells::date(date_cell, &Origin::default(), format, b.date1904).unwrap_or_else(|p| {
                    b.report(row, self.date_name, p);
                    None
                })
            }
        };
        if parsed.is_none() && self.date_col.is_some() && matches!(date_cell, Cell::Empty) {
            let at = b.at(row.number, self.date_name);
            b.problems.push(Problem::error(
                Code::HistoryDate,
                Some(at),
                "every history row needs a date",
            ));
        }
        parsed
    }

    fn add(&mut self, rep: Option<usize>, team: &str, ym: Ym) {
        run(&mut self.company_run, &mut self.company, ym, &self.values);
        let h = &mut self.history;
        match rep {
            Some(r) => run(
                &mut self.rep_runs[r],
                &mut self.by_rep,
                (r, ym),
                &self.values,
            ),
            None if !team.is_empty() => {
                h.unknown_by_team
                    .entry((team.to_string(), ym))
                    .or_default()
                    .add(&self.values);
            }
            None => {}
        }
    }

    /// Ends the running sums and orders the sums by rep and month, and by month.
    fn end_runs(&mut self) {
        for r in &mut self.rep_runs {
            end_run(r, &mut self.by_rep);
        }
        end_run(&mut self.company_run, &mut self.company);
        self.history.by_rep = std::mem::take(&mut self.by_rep).into_iter().collect();
        self.history.company = std::mem::take(&mut self.company).into_iter().collect();
    }

    /// Reads the day-month dates now that the column's order is known, and
    /// adds their rows' sums.
    fn resolve_pending(&mut self, problems: &mut Vec<Problem>) {
        let at = self
            .base
            .map
            .get(self.date_name)
            .map(|c| self.base.origin.at_col(c as u32, &self.base.map.headers[c]))
            .unwrap_or_default();
        match self.col.order(&at) {
            Ok((order, note)) => {
                problems.extend(note);
                for ((rep, team, d), p) in std::mem::take(&mut self.pending) {
                    match cells::resolve(d, order, &self.base.at(p.first_row, self.date_name)) {
                        Ok(date) => add_sums(&mut self.history, rep, team, ym_of(date), &p.sums),
                        Err(p) => problems.push(p),
                    }
                }
            }
            Err(p) => problems.push(p),
        }
    }
}

impl RowVisitor for HistoryReader<'_> {
    fn is_header(&self, cells: &[String]) -> bool {
        self.base.is_header(cells)
    }
    fn header(&mut self, header: &Header) -> Result<(), Problem> {
        let names: Vec<String> = self.value_columns.iter().map(|c| c.name.clone()).collect();
        self.base.extra = names.clone();
        self.base.header(header)?;
        let map = &self.base.map;
        self.date_name = if map.get("date").is_some() {
            "date"
        } else {
            "month"
        };
        let rep_col = map.get("rep_id").filter(|_| !self.lookup.by_team);
        (self.rep_col, self.team_col, self.date_col) =
            (rep_col, map.get("team"), map.get(self.date_name));
        self.cols = names
            .iter()
            .map(|c| map.get(c).or_else(|| map.find_header(c)))
            .collect();
        self.history.has_rep_column = rep_col.is_some();
        self.history.columns = names;
        let missing = missing_history_columns(
            map,
            self.lookup,
            self.value_columns,
            &self.cols,
            &header.origin,
        );
        let any_missing = !missing.is_empty();
        self.missing = missing;
        if !any_missing && self.cols.iter().all(Option::is_none) {
            return Err(Problem::error(
                Code::HistoryColumn,
                Some(header.origin.clone()),
                format!(
                    "the history has none of the value columns {}",
                    self.history.columns.join(", ")
                ),
            ));
        }
        Ok(())
    }
    fn row(&mut self, row: &Row<'_>) -> Result<(), Problem> {
        if self.base.keep(row) {
            self.base.rows += 1;
            self.take(row);
        } else {
            self.history.filtered_rows += 1;
        }
        Ok(())
    }
}

/// Reads the history, summed per rep and month, per team (rows of unknown
/// reps naming one) and per month; also, per value column, its column index.
pub fn history(
    src: &Source,
    lookup: &RepLookup,
    value_columns: &[ValueColumn],
    problems: &mut Vec<Problem>,
) -> (History, Vec<Option<usize>>) {
    let (keys, exact) = rep_keys(lookup.reps, lookup.by_name);
    const REQ: &[&[&str]] = &[&["date", "month"]];
    let mut v = HistoryReader {
        base: Base::new(TableKind::History, src, REQ),
        keys,
        exact,
        value_columns,
        lookup,
        missing: Vec::new(),
        cols: Vec::new(),
        history: History::default(),
        values: Vec::new(),
        col: DateColumn::default(),
        pending: BTreeMap::new(),
        date_name: "date",
        rep_col: None,
        team_col: None,
        date_col: None,
        by_rep: FxHashMap::default(),
        company: FxHashMap::default(),
        rep_runs: vec![None; lookup.reps.len()],
        company_run: None,
    };
    let candidate = v.base.first_candidate.clone();
    let ok = read(src, TableKind::History, REQ, &mut v, &candidate, problems);
    v.end_runs();
    if ok && !v.pending.is_empty() {
        v.resolve_pending(problems);
    }
    if v.base.rows > 0 {
        problems.append(&mut v.missing);
    }
    let cols = v.cols.clone();
    let history = std::mem::take(&mut v.history);
    v.base.finish(ok, problems, false);
    (history, cols)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn values_the_fast_way() {
        assert_eq!(quick_value(&Cell::Number(2.5), false), Some(d("2.5")));
        assert_eq!(
            quick_value(&Cell::Text("1,234.50"), false),
            Some(d("1234.50"))
        );
        assert_eq!(quick_value(&Cell::Text("1.234,5"), true), Some(d("1234.5")));
        assert_eq!(quick_value(&Cell::Empty, false), Some(Decimal::ZERO));
        assert_eq!(quick_value(&Cell::Text("n/a"), false), None);
        assert_eq!(quick_value(&Cell::Bool(true), false), None);
        assert_eq!(quick_value(&Cell::Error("#N/A"), false), None);
        assert_eq!(quick_value(&Cell::Number(f64::NAN), false), None);
        assert_eq!(
            quick_value(&Cell::Text("10000000000000000000"), false),
            None
        );
    }

    #[test]
    fn month_texts_become_their_first_day() {
        let first = DateText::Exact(NaiveDate::from_ymd_opt(2027, 5, 1).unwrap());
        assert_eq!(month_start("month", &Cell::Text("2027-05")), Some(first));
        assert_eq!(month_start("date", &Cell::Text("2027-05")), None);
        assert_eq!(month_start("month", &Cell::Text("2027")), None);
        assert_eq!(month_start("month", &Cell::Number(5.0)), None);
    }

    #[test]
    fn cells_of_missing_columns_are_empty() {
        let cells = [Cell::Text("R1"), Cell::Number(3.0)];
        let row = Row {
            number: 2,
            cells: &cells,
        };
        assert_eq!(*cell_at(&row, Some(1)), Cell::Number(3.0));
        assert_eq!(*cell_at(&row, Some(5)), Cell::Empty);
        assert_eq!(*cell_at(&row, None), Cell::Empty);
    }
}
