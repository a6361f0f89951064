//! The history table, streamed and summed per rep and month, per team and
//! per month.

use super::{read, Base, Source};
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

/// A key's index, matched trimmed and case-insensitively; allocates only for
/// keys with upper-case or non-ASCII letters.
fn find_key(keys: &FxHashMap<String, usize>, s: &str) -> Option<usize> {
    let t = s.trim();
    if t.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        keys.get(t).copied()
    } else {
        keys.get(&norm(t)).copied()
    }
}

/// How history rows find their rep.
pub struct RepLookup<'a> {
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

/// Reads the history, summed per rep and month, per team (rows of unknown
/// reps naming one) and per month; also, per value column, its column index.
pub fn history(
    src: &Source,
    lookup: &RepLookup,
    value_columns: &[ValueColumn],
    problems: &mut Vec<Problem>,
) -> (History, Vec<Option<usize>>) {
    struct Pending {
        sums: Sums,
        first_row: u32,
    }
    struct V<'a> {
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
    impl V<'_> {
        fn take(&mut self, row: &Row) {
            let b = &mut self.base;
            let cell = |i: Option<usize>| i.and_then(|i| row.cells.get(i)).unwrap_or(&Cell::Empty);
            let rep = match cell(self.rep_col) {
                Cell::Text(s) => match self.exact.get(s) {
                    Some(&r) => Some(r),
                    None => find_key(&self.keys, s),
                },
                Cell::Empty => None,
                _ => find_key(&self.keys, &b.text(row, "rep_id")),
            };
            let team = if rep.is_none() && self.team_col.is_some() {
                norm(&b.text(row, "team"))
            } else {
                String::new()
            };
            self.values.clear();
            let dc = b.src.options.decimal_comma.unwrap_or(false);
            for c in &self.cols {
                let v = match c {
                    Some(i) => {
                        let cell = row.cells.get(*i).unwrap_or(&Cell::Empty);
                        match cell {
                            Cell::Number(f) => parse::number_from_f64(*f).ok(),
                            Cell::Text(s) => parse::parse_number(s, dc).ok(),
                            Cell::Empty => Some(Decimal::ZERO),
                            _ => None,
                        }
                        .filter(|v| {
                            // A mantissa within LARGEST is a value within it (fast path).
                            v.mantissa().unsigned_abs() <= 1_000_000_000_000_000
                                || v.abs() <= cells::LARGEST
                        })
                        .unwrap_or_else(|| {
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
            let date_cell = cell(self.date_col);
            let month = match (self.date_name, date_cell) {
                ("month", Cell::Text(t)) => match parse::parse_period(t) {
                    Ok(crate::engine::model::PeriodText::Month(y, m)) => {
                        Some(DateText::Exact(ym_first_day(y * 12 + m as i32 - 1)))
                    }
                    _ => None,
                },
                _ => None,
            };
            let format = b.src.options.date_format.as_deref();
            let parsed = match month {
                Some(d) => Some(d),
                None => cells::date(date_cell, &Origin::default(), format, b.date1904)
                    .unwrap_or_else(|p| {
                        b.report(row, self.date_name, p);
                        None
                    }),
            };
            let Some(d) = parsed else {
                if self.date_col.is_some() && matches!(date_cell, Cell::Empty) {
                    let at = b.at(row.number, self.date_name);
                    b.problems.push(Problem::error(
                        Code::HistoryDate,
                        Some(at),
                        "every history row needs a date",
                    ));
                }
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
                let id: std::borrow::Cow<str> = match cell(self.rep_col) {
                    Cell::Text(s) => s.trim().into(),
                    c => cells::text(c, &Origin::default())
                        .unwrap_or_default()
                        .into(),
                };
                let amount = self.values.first().copied().unwrap_or_default();
                self.history.count_unknown(&id, row.number, amount);
            }
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
    }
    impl RowVisitor for V<'_> {
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
    /// Adds a row's values to the running sum of `key`, first moving the
    /// running sum of another key into `sums`.
    fn run<K: std::hash::Hash + Eq + Copy>(
        current: &mut Option<(K, Sums)>,
        sums: &mut FxHashMap<K, Sums>,
        key: K,
        values: &[Decimal],
    ) {
        match current {
            Some((k, s)) if *k == key => s.add(values),
            Some((k, s)) => {
                sums.entry(*k).or_default().merge(s);
                *k = key;
                s.values.fill(Decimal::ZERO);
                s.rows = 0;
                s.add(values);
            }
            None => {
                let mut s = Sums::default();
                s.add(values);
                *current = Some((key, s));
            }
        }
    }
    fn end_run<K: std::hash::Hash + Eq>(
        current: &mut Option<(K, Sums)>,
        sums: &mut FxHashMap<K, Sums>,
    ) {
        if let Some((k, s)) = current.take() {
            sums.entry(k).or_default().merge(&s);
        }
    }
    // A rep's key as the reps file spells it; matched lower-cased, and first as spelled.
    let by_name = lookup.by_name;
    fn spelled(r: &Rep, by_name: bool) -> &str {
        if by_name {
            r.name.trim()
        } else {
            r.id.trim()
        }
    }
    let keys: FxHashMap<String, usize> = lookup
        .reps
        .iter()
        .enumerate()
        .rev()
        .map(|(i, r)| (norm(spelled(r, by_name)), i))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    let exact: FxHashMap<&str, usize> = lookup
        .reps
        .iter()
        .enumerate()
        .map(|(i, r)| (spelled(r, by_name), i))
        .filter(|(k, i)| find_key(&keys, k) == Some(*i))
        .collect();
    const REQ: &[&[&str]] = &[&["date", "month"]];
    let mut v = V {
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
    for r in &mut v.rep_runs {
        end_run(r, &mut v.by_rep);
    }
    end_run(&mut v.company_run, &mut v.company);
    v.history.by_rep = std::mem::take(&mut v.by_rep).into_iter().collect();
    v.history.company = std::mem::take(&mut v.company).into_iter().collect();
    if ok && !v.pending.is_empty() {
        let at = v
            .base
            .map
            .get(v.date_name)
            .map(|c| v.base.origin.at_col(c as u32, &v.base.map.headers[c]))
            .unwrap_or_default();
        match v.col.order(&at) {
            Ok((order, note)) => {
                problems.extend(note);
                for ((rep, team, d), p) in std::mem::take(&mut v.pending) {
                    match cells::resolve(d, order, &v.base.at(p.first_row, v.date_name)) {
                        Ok(date) => {
                            let ym = ym_of(date);
                            let h = &mut v.history;
                            h.company.entry(ym).or_default().merge(&p.sums);
                            match rep {
                                Some(r) => h.by_rep.entry((r, ym)).or_default().merge(&p.sums),
                                None if !team.is_empty() => h
                                    .unknown_by_team
                                    .entry((team, ym))
                                    .or_default()
                                    .merge(&p.sums),
                                None => {}
                            }
                        }
                        Err(p) => problems.push(p),
                    }
                }
            }
            Err(p) => problems.push(p),
        }
    }
    if v.base.rows > 0 {
        problems.append(&mut v.missing);
    }
    let cols = v.cols.clone();
    let history = std::mem::take(&mut v.history);
    v.base.finish(ok, problems, false);
    (history, cols)
}
