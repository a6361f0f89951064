//! The reps table (SPEC §1.4): ids, teams, capability, fte and dates.

use super::base::{read, shown, Base, Source};
use crate::engine::diag::{Code, Problem};
use crate::engine::model::Rep;
use crate::input::cells::{self, DateColumn};
use crate::input::columns::{norm, TableKind};
use crate::input::parse::{self, DateOrder, DateText};
use crate::input::table::{Header, Row, RowVisitor};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// A rep's index, start and end dates, and both as written when it has both.
type RepDates = (
    usize,
    Option<DateText>,
    Option<DateText>,
    Option<[String; 2]>,
);

/// The reps table's visitor: one rep per row, its dates read once the
/// columns' day/month order is known.
struct RepsReader<'a> {
    base: Base<'a>,
    levels: &'a BTreeMap<String, f64>,
    reps: Vec<Rep>,
    /// Per rep: its dates, and both as written when it has both.
    dates: Vec<RepDates>,
    /// With `rep_key = "name"`: each name (normalised as history rows
    /// are matched) → the first rep's row and id.
    names: Option<HashMap<String, (u32, String)>>,
    start_col: DateColumn,
    end_col: DateColumn,
    seen: HashMap<String, u32>,
}

impl RepsReader<'_> {
    fn take(&mut self, row: &Row) {
        let b = &mut self.base;
        let origin = b.origin.at_row(row.number);
        let id = b.identifier(row, "rep_id");
        if id.is_empty() {
            let at = b.at(row.number, "rep_id");
            b.problems.push(Problem::error(
                Code::RepId,
                Some(at),
                "every rep needs a rep_id",
            ));
            return;
        }
        let key = norm(&id);
        if let Some(first) = self.seen.get(&key) {
            let at = b.at(row.number, "rep_id");
            b.problems.push(Problem::error(
                Code::RepId,
                Some(at),
                format!("rep_id {id:?} appears twice (first on row {first})"),
            ));
            return;
        }
        self.seen.insert(key.clone(), row.number);
        let team = self.base.identifier(row, "team");
        let capability = self.capability(row);
        let fte = fte(&mut self.base, row);
        self.dates(row);
        let b = &mut self.base;
        let name = b.plain_text(row, "name", &id);
        if let Some(names) = &mut self.names {
            same_name(b, names, row, &id, &name);
        }
        let email = b.email(row, &id);
        self.reps.push(Rep {
            id,
            key,
            name,
            email,
            team_key: norm(&team),
            team,
            manager: b.text(row, "manager"),
            capability,
            role: norm(&b.text(row, "role")),
            start: None,
            end: None,
            fte,
            origin,
        });
    }

    /// The row's capability: its own, else its level's, else 1 (also after a problem).
    fn capability(&mut self, row: &Row) -> Decimal {
        let b = &mut self.base;
        match b.number(row, "capability") {
            Some(c) if c <= Decimal::ZERO => {
                let at = b.at(row.number, "capability");
                b.problems.push(
                    Problem::error(
                        Code::Capability,
                        Some(at),
                        "capability must be greater than 0",
                    )
                    .with_value(c.to_string()),
                );
                Decimal::ONE
            }
            Some(c) => c,
            None => {
                let level = b.text(row, "level");
                if level.is_empty() {
                    Decimal::ONE
                } else if let Some(v) = self.levels.get(&norm(&level)) {
                    Decimal::from_f64_retain(*v)
                        .and_then(|d| parse::parse_number(&format!("{v}"), false).ok().or(Some(d)))
                        .unwrap_or(Decimal::ONE)
                } else {
                    let at = b.at(row.number, "level");
                    let known: Vec<&str> = self.levels.keys().map(String::as_str).collect();
                    b.problems.push(
                        Problem::error(
                            Code::Capability,
                            Some(at),
                            "a level that [capability.levels] in the plan file does not map",
                        )
                        .with_value(level)
                        .with_hint(if known.is_empty() {
                            "add [capability.levels] to the plan file".to_string()
                        } else {
                            format!("known levels: {}", known.join(", "))
                        }),
                    );
                    Decimal::ONE
                }
            }
        }
    }

    /// Keeps the row's start and end dates (and both as written) for when
    /// the columns' order is known.
    fn dates(&mut self, row: &Row) {
        let b = &mut self.base;
        let start = b.date(row, "start_date");
        let end = b.date(row, "end_date");
        if let Some(d) = start {
            self.start_col.see(row.number, d);
        }
        if let Some(d) = end {
            self.end_col.see(row.number, d);
        }
        let written = (start.is_some() && end.is_some())
            .then(|| [b.written(row, "start_date"), b.written(row, "end_date")]);
        self.dates.push((self.reps.len(), start, end, written));
    }

    /// Each date column's day/month order (`None` where it is unknown or
    /// refused, with the problem).
    fn orders(&self, problems: &mut Vec<Problem>) -> Vec<Option<DateOrder>> {
        [("start_date", &self.start_col), ("end_date", &self.end_col)]
            .into_iter()
            .map(|(name, col)| {
                let at = self
                    .base
                    .map
                    .get(name)
                    .map(|c| self.base.origin.at_col(c as u32, &self.base.map.headers[c]))
                    .unwrap_or_default();
                match col.order(&at) {
                    Ok((order, note)) => {
                        problems.extend(note);
                        order
                    }
                    Err(p) => {
                        problems.push(p);
                        None
                    }
                }
            })
            .collect()
    }

    /// Reads the reps' dates in their columns' orders; an end before the start is an error.
    fn resolve_dates(&mut self, reps: &mut [Rep], problems: &mut Vec<Problem>) {
        let orders = self.orders(problems);
        for (i, start, end, written) in std::mem::take(&mut self.dates) {
            let row = reps[i].origin.row.unwrap_or(0);
            for (which, d) in [(0, start), (1, end)] {
                let Some(d) = d else { continue };
                let name = if which == 0 { "start_date" } else { "end_date" };
                match cells::resolve(d, orders[which], &self.base.at(row, name)) {
                    Ok(date) if which == 0 => reps[i].start = Some(date),
                    Ok(date) => reps[i].end = Some(date),
                    Err(p) => problems.push(p),
                }
            }
            if let (Some(s), Some(e), Some([ws, we])) = (reps[i].start, reps[i].end, written) {
                if e < s {
                    let msg = format!(
                        "rep {}: end_date {} is before start_date {}",
                        reps[i].id,
                        as_written(&we, e),
                        as_written(&ws, s)
                    );
                    problems.push(
                        Problem::error(Code::EndBeforeStart, Some(self.base.at(row, "end_date")), msg).with_hint("correct one of the dates: end_date is the rep's last day, on or after start_date"),
                    );
                }
            }
        }
    }
}

visitor!(RepsReader<'_>);

/// Shows each team as it is first spelled.
fn first_team_spelling(reps: &mut [Rep]) {
    let mut first: HashMap<String, String> = HashMap::new();
    for r in reps {
        let shown = first
            .entry(r.team_key.clone())
            .or_insert_with(|| r.team.trim().to_string());
        r.team = shown.clone();
    }
}

/// The row's fte: 1 when empty, or (with a problem) when not in (0, 1].
fn fte(b: &mut Base, row: &Row) -> Decimal {
    match b.number(row, "fte") {
        Some(f) if f <= Decimal::ZERO || f > Decimal::ONE => {
            let at = b.at(row.number, "fte");
            b.problems.push(
                Problem::error(
                    Code::Fte,
                    Some(at),
                    "fte must be greater than 0 and at most 1 (e.g. 0.5 or 50%)",
                )
                .with_value(f.to_string()),
            );
            Decimal::ONE
        }
        Some(f) => f,
        None => Decimal::ONE,
    }
}

/// Reads the reps table (SPEC §1.4). `levels` maps capability levels
/// (lowercase); `names_are_keys` (`[history] rep_key = "name"`): two reps with
/// one name are an error.
pub fn reps(
    src: &Source,
    levels: &BTreeMap<String, f64>,
    names_are_keys: bool,
    problems: &mut Vec<Problem>,
) -> Vec<Rep> {
    const REQ: &[&[&str]] = &[&["rep_id"]];
    let mut v = RepsReader {
        base: Base::new(TableKind::Reps, src, REQ),
        levels,
        reps: Vec::new(),
        dates: Vec::new(),
        start_col: DateColumn::default(),
        end_col: DateColumn::default(),
        seen: HashMap::new(),
        names: names_are_keys.then(HashMap::new),
    };
    let candidate = v.base.first_candidate.clone();
    let ok = read(src, TableKind::Reps, REQ, &mut v, &candidate, problems);
    let mut reps = std::mem::take(&mut v.reps);
    if ok {
        v.resolve_dates(&mut reps, problems);
        // The spelling shown for a team is the first seen.
        first_team_spelling(&mut reps);
    }
    v.base.finish(ok, problems, true);
    reps
}

/// A date as written, with the date it was read as when they differ.
fn as_written(text: &str, date: NaiveDate) -> String {
    let iso = date.to_string();
    if text == iso {
        format!("{text:?}")
    } else {
        format!("{text:?} ({iso})")
    }
}

/// With `rep_key = "name"`: an error when `name` (trimmed, case-insensitive,
/// as history rows are matched) is already another rep's.
fn same_name(
    b: &mut Base,
    names: &mut HashMap<String, (u32, String)>,
    row: &Row,
    id: &str,
    name: &str,
) {
    let key = norm(name);
    if key.is_empty() {
        return;
    }
    let Some((first_row, first_id)) = names.get(&key) else {
        names.insert(key, (row.number, id.to_string()));
        return;
    };
    let msg = format!(
        "rep {id} has the same name as rep {first_id} ({}); with [history] rep_key = \"name\" their history rows cannot be told apart",
        b.at(*first_row, "name")
    );
    let hint = "name the reps by rep_id in the history (drop rep_key = \"name\"), or make the names unique in the reps table";
    let p = Problem::error(Code::Namesake, None, msg)
        .with_value(shown(name))
        .with_hint(hint);
    b.report(row, "name", p);
}
