//! The holidays table: holidays and make-up workdays.

use super::base::{read, Base, Source};
use crate::engine::diag::{Code, Problem};
use crate::input::cells::{self, DateColumn};
use crate::input::columns::{norm, TableKind};
use crate::input::parse::DateText;
use crate::input::table::{Header, Row, RowVisitor};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// Reads the holidays table: (holidays, make-up workdays).
pub fn holidays(
    src: &Source,
    problems: &mut Vec<Problem>,
) -> (BTreeSet<NaiveDate>, BTreeSet<NaiveDate>) {
    struct V<'a> {
        base: Base<'a>,
        rows: Vec<(u32, DateText, bool)>,
        col: DateColumn,
    }
    impl V<'_> {
        fn take(&mut self, row: &Row) {
            let Some(d) = self.base.date(row, "date") else {
                return;
            };
            let kind = norm(&self.base.text(row, "kind"));
            let workday = match kind.as_str() {
                "" | "holiday" | "假日" | "节假日" | "假期" | "休息日" => false,
                "workday" | "调休" | "补班" | "工作日" => true,
                _ => {
                    let at = self.base.at(row.number, "kind");
                    self.base.problems.push(
                        Problem::error(
                            Code::HolidayKind,
                            Some(at),
                            "expected holiday (假日, 节假日) or workday (调休, 补班)",
                        )
                        .with_value(kind),
                    );
                    return;
                }
            };
            self.col.see(row.number, d);
            self.rows.push((row.number, d, workday));
        }
    }
    visitor!(V<'_>);
    const REQ: &[&[&str]] = &[&["date"]];
    let mut v = V {
        base: Base::new(TableKind::Holidays, src, REQ),
        rows: Vec::new(),
        col: DateColumn::default(),
    };
    let candidate = v.base.first_candidate.clone();
    let ok = read(src, TableKind::Holidays, REQ, &mut v, &candidate, problems);
    let (mut hol, mut work) = (BTreeSet::new(), BTreeSet::new());
    if ok {
        let at = v
            .base
            .map
            .get("date")
            .map(|c| v.base.origin.at_col(c as u32, &v.base.map.headers[c]))
            .unwrap_or_default();
        match v.col.order(&at) {
            Ok((order, note)) => {
                problems.extend(note);
                for (row, d, workday) in std::mem::take(&mut v.rows) {
                    match cells::resolve(d, order, &v.base.at(row, "date")) {
                        Ok(date) if workday => {
                            work.insert(date);
                        }
                        Ok(date) => {
                            hol.insert(date);
                        }
                        Err(p) => problems.push(p),
                    }
                }
            }
            Err(p) => problems.push(p),
        }
    }
    v.base.finish(ok, problems, false);
    (hol, work)
}
