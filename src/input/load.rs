//! Input tables into the planning model: targets, reps, holidays and the
//! streamed, aggregated history. Every problem names its cell; problems are
//! collected, not stopped at, so `plan check` can list them all.

use crate::app::plan_file::TableOptions;
use crate::engine::address;
use crate::engine::calendar::{ym_first_day, ym_of, Ym};
use crate::engine::diag::{nearest, Code, Origin, Problem, Problems};
use crate::engine::limits::{self, MAX_DIGITS, MAX_MANTISSA};
use crate::engine::model::{History, Rep, RepMonthTargets, Scope, Sums, Target, TargetValue};
use crate::input::cells::{self, DateColumn};
use crate::input::columns::{self, norm, ColumnMap, TableKind};
use crate::input::open::open_bounded;
use crate::input::parse::{self, DateText};
use crate::input::read::read_table;
use crate::input::table::{Cell, Header, ReadOptions, Row, RowVisitor};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// A table to read: the file, the name to show, and its plan-file options.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    pub path: &'a Path,
    pub display: &'a str,
    pub sheet: Option<String>,
    pub options: &'a TableOptions,
}

impl Source<'_> {
    fn read_options(&self) -> Result<ReadOptions, Problem> {
        let delimiter = match self.options.delimiter.as_deref() {
            None => None,
            Some("\\t") | Some("\t") | Some("tab") => Some(b'\t'),
            Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
            Some(d) => {
                return Err(Problem::error(
                    Code::PlanFileValue,
                    Some(Origin::file(self.display)),
                    "delimiter must be one character such as \",\", \";\" or \"\\t\"",
                )
                .with_value(d))
            }
        };
        Ok(ReadOptions {
            encoding: self.options.encoding.clone(),
            delimiter,
            header_row: self.options.header_row,
            sheet: self.sheet.clone(),
        })
    }
}

/// Reads a whole table through a visitor, turning "no header row" into a message that lists the columns looked for.
fn read(
    src: &Source,
    kind: TableKind,
    required: &[&[&str]],
    visitor: &mut dyn RowVisitor,
    candidate: &Candidate,
    problems: &mut Vec<Problem>,
) -> bool {
    let opts = match src.read_options() {
        Ok(o) => o,
        Err(p) => {
            problems.push(p);
            return false;
        }
    };
    match read_table(src.path, src.display, &opts, visitor) {
        Ok(()) => true,
        Err(mut p) => {
            if p.message.starts_with("no header row") {
                let want: Vec<String> = required.iter().map(|any| any.join(" or ")).collect();
                p.message = format!(
                    "{}: the {} table needs the columns {}",
                    p.message,
                    kind.name(),
                    want.join(", ")
                );
                if p.hint.is_none() {
                    p.hint = Some(near_miss(src, kind, required, candidate).unwrap_or_else(|| {
                        format!("name the columns with columns = {{ … }} under [{}] in the plan file, or set header_row", kind.name())
                    }));
                }
            }
            problems.push(p);
            false
        }
    }
}

/// The first row a reader looked at as a header, kept for a hint when none matches.
type Candidate = std::rc::Rc<std::cell::RefCell<Option<Vec<String>>>>;

/// For a table without a header row: the near-miss of a missing column in
/// the first row looked at, e.g. `amout` for `amount`.
/// A value for a message: an over-long text is cut to its first 60 characters.
fn shown(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn near_miss(
    src: &Source,
    kind: TableKind,
    required: &[&[&str]],
    candidate: &Candidate,
) -> Option<String> {
    let first = candidate.borrow();
    let cells = first.as_ref()?;
    required
        .iter()
        .filter(|any| !columns::holds(kind, cells, &[any], &src.options.columns))
        .flat_map(|any| any.iter())
        .find_map(|wanted| columns::missing_hint(kind, cells, wanted))
}

/// Common state of a table visitor: where the table is and which column is which.
struct Base<'a> {
    kind: TableKind,
    src: &'a Source<'a>,
    required: &'a [&'a [&'a str]],
    extra: Vec<String>,
    map: ColumnMap,
    origin: Origin,
    filters: Vec<(usize, Vec<String>, bool)>,
    problems: Problems,
    rows: usize,
    date1904: bool,
    /// The first row looked at as a header, for a hint when none matches.
    first_candidate: Candidate,
}

impl<'a> Base<'a> {
    fn new(kind: TableKind, src: &'a Source<'a>, required: &'a [&'a [&'a str]]) -> Self {
        Base {
            kind,
            src,
            required,
            extra: Vec::new(),
            map: ColumnMap::default(),
            origin: Origin::file(src.display),
            filters: Vec::new(),
            problems: Problems::default(),
            rows: 0,
            date1904: false,
            first_candidate: Default::default(),
        }
    }

    fn is_header(&self, cells: &[String]) -> bool {
        let mut first = self.first_candidate.borrow_mut();
        if first.is_none() && cells.iter().any(|c| !c.is_empty()) {
            *first = Some(cells.to_vec());
        }
        columns::holds(self.kind, cells, self.required, &self.src.options.columns)
    }

    fn header(&mut self, header: &Header) -> Result<(), Problem> {
        self.date1904 = header.date1904;
        self.origin = Origin {
            row: None,
            ..header.origin.clone()
        };
        let at = header.origin.clone();
        self.map = columns::map_columns(
            self.kind,
            &header.names,
            &self.extra,
            &self.src.options.columns,
            &at,
        )?;
        for (i, column) in columns::unread_near_misses(self.kind, &self.map) {
            let header = &self.map.headers[i];
            self.problems.push(
                Problem::warning(
                    Code::UnreadColumn,
                    Some(at.at_col(i as u32, header)),
                    format!("this column is not read, and the table has no {column} column"),
                )
                .with_value(header.as_str())
                .with_hint(format!(
                    "is it the {column} column? map it with columns = {{ {column} = {header:?} }} under [{}]",
                    self.kind.name()
                )),
            );
        }
        let mut filters = Vec::new();
        for (list, keep) in [
            (&self.src.options.filter, true),
            (&self.src.options.exclude, false),
        ] {
            for (col, values) in list {
                let Some(i) = self
                    .map
                    .find_header(col)
                    .or_else(|| self.map.get(&norm(col)))
                else {
                    return Err(Problem::error(Code::MappedColumn, Some(at.clone()), format!("the plan file filters on a column {col:?} that the header row does not have")));
                };
                filters.push((i, values.values().iter().map(|v| norm(v)).collect(), keep));
            }
        }
        self.filters = filters;
        Ok(())
    }

    /// Whether a row passes the plan file's filter and exclude rules.
    fn keep(&self, row: &Row) -> bool {
        self.filters.iter().all(|(i, values, keep)| {
            let v = match row.cells.get(*i) {
                Some(Cell::Text(s)) => norm(s),
                Some(c) => norm(&cells::text(c, &self.origin).unwrap_or_default()),
                None => String::new(),
            };
            values.contains(&v) == *keep
        })
    }

    fn at(&self, row: u32, name: &str) -> Origin {
        match self.map.get(name) {
            Some(col) => self
                .origin
                .at_row(row)
                .at_col(col as u32, &self.map.headers[col]),
            None => self.origin.at_row(row),
        }
    }

    fn cell<'r>(&self, row: &'r Row, name: &str) -> &'r Cell<'r> {
        self.map
            .get(name)
            .and_then(|i| row.cells.get(i))
            .unwrap_or(&Cell::Empty)
    }

    /// Records a problem of a cell; the place is filled in here, so the
    /// common case (no problem) builds no `Origin`.
    fn report(&mut self, row: &Row, name: &str, mut p: Problem) {
        p.origin = Some(self.at(row.number, name));
        self.problems.push(p);
    }

    /// A text cell; one longer than a workbook cell holds is an error here.
    fn text(&mut self, row: &Row, name: &str) -> String {
        let s = cells::text(self.cell(row, name), &Origin::default()).unwrap_or_else(|p| {
            self.report(row, name, p);
            String::new()
        });
        if let Some(msg) = limits::text_problem(&s) {
            self.report(
                row,
                name,
                Problem::error(Code::CellText, None, msg).with_value(shown(&s)),
            );
        }
        s
    }

    /// An identifier cell (a rep id, a team): also refused when a spreadsheet
    /// opening a CSV would run it as a formula.
    fn identifier(&mut self, row: &Row, name: &str) -> String {
        let s = self.text(row, name);
        if let Some((code, msg)) = limits::identifier_problem(&s) {
            self.report(
                row,
                name,
                Problem::error(code, None, msg).with_value(shown(&s)),
            );
        }
        s
    }

    /// A name cell: a control character in it is a warning naming the rep.
    fn plain_text(&mut self, row: &Row, name: &str, rep: &str) -> String {
        let s = self.text(row, name);
        if s.chars().any(char::is_control) {
            let msg = format!(
                "rep {rep}: a control character (a line break, tab or escape) in the {name}"
            );
            self.report(
                row,
                name,
                Problem::warning(Code::ControlCharacter, None, msg).with_value(shown(&s)),
            );
        }
        s
    }

    /// An email cell: empty, or an address `plan mail` can send to; else a
    /// warning naming the rep, found where it is read rather than when mailing.
    fn email(&mut self, row: &Row, rep: &str) -> String {
        let s = self.text(row, "email");
        let bad = (!s.is_empty()).then(|| address::parse(&s).err()).flatten();
        if let Some(e) = bad {
            let msg = format!("rep {rep}: {e}, so plan mail cannot send this rep's letter");
            let hint =
                "correct the address in the reps table (name@example.com), or leave it empty";
            self.report(
                row,
                "email",
                Problem::warning(Code::Email, None, msg)
                    .with_value(shown(&s))
                    .with_hint(hint),
            );
        }
        s
    }

    /// A cell's text as the user wrote it, for a message (problems are reported elsewhere).
    fn written(&self, row: &Row, name: &str) -> String {
        shown(&cells::text(self.cell(row, name), &Origin::default()).unwrap_or_default())
    }

    fn number(&mut self, row: &Row, name: &str) -> Option<Decimal> {
        let dc = self.src.options.decimal_comma.unwrap_or(false);
        cells::number(self.cell(row, name), &Origin::default(), dc).unwrap_or_else(|p| {
            self.report(row, name, p);
            None
        })
    }

    fn date(&mut self, row: &Row, name: &str) -> Option<DateText> {
        let format = self.src.options.date_format.as_deref();
        cells::date(
            self.cell(row, name),
            &Origin::default(),
            format,
            self.date1904,
        )
        .unwrap_or_else(|p| {
            self.report(row, name, p);
            None
        })
    }

    fn finish(mut self, read_ok: bool, problems: &mut Vec<Problem>, empty_is_error: bool) {
        if read_ok && self.rows == 0 && empty_is_error {
            self.problems.push(Problem::error(
                Code::NoRows,
                Some(self.origin.clone()),
                format!("the {} table has a header but no rows", self.kind.name()),
            ));
        }
        problems.extend(self.problems.into_vec());
    }
}

macro_rules! visitor {
    ($t:ty) => {
        impl RowVisitor for $t {
            fn is_header(&self, cells: &[String]) -> bool {
                self.base.is_header(cells)
            }
            fn header(&mut self, header: &Header) -> Result<(), Problem> {
                self.base.header(header)
            }
            fn row(&mut self, row: &Row<'_>) -> Result<(), Problem> {
                if self.base.keep(row) {
                    self.base.rows += 1;
                    self.take(row);
                }
                Ok(())
            }
        }
    };
}

/// A rep's index, start and end dates, and both as written when it has both.
type RepDates = (
    usize,
    Option<DateText>,
    Option<DateText>,
    Option<[String; 2]>,
);

/// Reads the reps table (SPEC §1.4). `levels` maps capability levels
/// (lowercase); `names_are_keys` (`[history] rep_key = "name"`): two reps with
/// one name are an error.
pub fn reps(
    src: &Source,
    levels: &BTreeMap<String, f64>,
    names_are_keys: bool,
    problems: &mut Vec<Problem>,
) -> Vec<Rep> {
    struct V<'a> {
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
    impl V<'_> {
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
            let team = b.identifier(row, "team");
            let capability = match b.number(row, "capability") {
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
                            .and_then(|d| {
                                parse::parse_number(&format!("{v}"), false).ok().or(Some(d))
                            })
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
            };
            let fte = match b.number(row, "fte") {
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
            };
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
    }
    visitor!(V<'_>);
    const REQ: &[&[&str]] = &[&["rep_id"]];
    let mut v = V {
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
        let orders: Vec<_> = [("start_date", &v.start_col), ("end_date", &v.end_col)]
            .into_iter()
            .map(|(name, col)| {
                let at = v
                    .base
                    .map
                    .get(name)
                    .map(|c| v.base.origin.at_col(c as u32, &v.base.map.headers[c]))
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
            .collect();
        for (i, start, end, written) in std::mem::take(&mut v.dates) {
            let row = reps[i].origin.row.unwrap_or(0);
            for (which, d) in [(0, start), (1, end)] {
                let Some(d) = d else { continue };
                let name = if which == 0 { "start_date" } else { "end_date" };
                match cells::resolve(d, orders[which], &v.base.at(row, name)) {
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
                        Problem::error(Code::EndBeforeStart, Some(v.base.at(row, "end_date")), msg).with_hint("correct one of the dates: end_date is the rep's last day, on or after start_date"),
                    );
                }
            }
        }
        // The spelling shown for a team is the first seen.
        let mut first: HashMap<String, String> = HashMap::new();
        for r in &mut reps {
            let shown = first
                .entry(r.team_key.clone())
                .or_insert_with(|| r.team.trim().to_string());
            r.team = shown.clone();
        }
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

/// Revenue's other names in the targets' metric column.
const REVENUE: [&str; 4] = ["revenue", "销售额", "收入", "营收"];

/// Reads the targets table. `metrics` are the declared metric names (revenue first).
pub fn targets(src: &Source, metrics: &[String], problems: &mut Vec<Problem>) -> Vec<Target> {
    struct V<'a> {
        base: Base<'a>,
        metrics: &'a [String],
        out: Vec<Target>,
    }
    impl V<'_> {
        fn take(&mut self, row: &Row) {
            let b = &mut self.base;
            let origin = b.origin.at_row(row.number);
            let scope_text = b.identifier(row, "scope");
            let scope = if scope_text.is_empty() || scope_text == "*" {
                Scope::Company
            } else {
                Scope::Named {
                    key: norm(&scope_text),
                    display: scope_text,
                }
            };
            let metric_text = b.text(row, "metric");
            let m = norm(&metric_text);
            let metric = if m.is_empty() || REVENUE.contains(&m.as_str()) {
                Some(0)
            } else {
                self.metrics.iter().position(|x| norm(x) == m)
            };
            let Some(metric) = metric else {
                let at = b.at(row.number, "metric");
                let near = nearest(&m, self.metrics.iter().map(String::as_str));
                let hint = match near {
                    Some(x) => format!("did you mean {x:?}? Or declare it with [metrics.{metric_text}] in the plan file"),
                    _ => format!("declare it with [metrics.{metric_text}] (kind = \"count\" or \"money\") in the plan file"),
                };
                b.problems.push(
                    Problem::error(
                        Code::UnknownMetric,
                        Some(at),
                        "a metric that the plan file does not declare",
                    )
                    .with_value(metric_text)
                    .with_hint(hint),
                );
                return;
            };
            let period_at = b.at(row.number, "period");
            let period_text = b.text(row, "period");
            // A month typed into a spreadsheet often becomes a date (2027-05-01): its month.
            let as_month = match b.cell(row, "period") {
                Cell::Date(d) => Some(crate::engine::model::PeriodText::Month(
                    d.year(),
                    d.month() as u8,
                )),
                _ => None,
            };
            let period = match as_month.map_or_else(|| parse::parse_period(&period_text), Ok) {
                Ok(p) => p,
                Err(e) => {
                    b.problems.push(cells::value_problem(
                        e,
                        &Cell::Text(&period_text),
                        &period_at,
                    ));
                    return;
                }
            };
            let before = b.problems.len();
            let amount = b.number(row, "amount");
            let growth_at = b.at(row.number, "growth");
            let dc = b.src.options.decimal_comma.unwrap_or(false);
            let growth = match cells::growth(b.cell(row, "growth"), &growth_at, dc) {
                Ok(g) => g,
                Err(p) => {
                    b.problems.push(p);
                    return;
                }
            };
            if b.problems.len() > before {
                return;
            }
            if let Some(g) = growth.filter(|g| g.abs() >= Decimal::ONE) {
                let written = b.written(row, "growth");
                if !written.contains('%') {
                    let percent = (g * Decimal::ONE_HUNDRED).normalize();
                    b.problems.push(
                        Problem::warning(
                            Code::GrowthWithoutPercent,
                            Some(growth_at.clone()),
                            format!(
                                "a growth written without % is a fraction: this one is {percent}%"
                            ),
                        )
                        .with_value(written.as_str())
                        .with_hint(format!(
                            "write {written}% if that is what you mean, or {percent}% to keep it"
                        )),
                    );
                }
            }
            let (value, value_cell) = match (amount, growth) {
                (Some(a), None) if a < Decimal::ZERO => {
                    let at = b.at(row.number, "amount");
                    b.problems.push(
                        Problem::error(
                            Code::NegativeTarget,
                            Some(at),
                            "a target cannot be negative (zero is allowed)",
                        )
                        .with_value(a.to_string()),
                    );
                    return;
                }
                (Some(a), None) => (TargetValue::Amount(a), b.at(row.number, "amount")),
                (None, Some(g)) => (TargetValue::Growth(g), growth_at),
                (Some(_), Some(_)) => {
                    b.problems.push(Problem::error(
                        Code::TargetAmount,
                        Some(origin),
                        "a target has either an amount or a growth, not both",
                    ));
                    return;
                }
                (None, None) => {
                    if b.map.get("amount").is_some() || b.map.get("growth").is_some() {
                        let at = b.at(
                            row.number,
                            if b.map.get("amount").is_some() {
                                "amount"
                            } else {
                                "growth"
                            },
                        );
                        b.problems.push(Problem::error(
                            Code::TargetAmount,
                            Some(at),
                            "a target needs an amount (or a growth such as 15%)",
                        ));
                    }
                    return;
                }
            };
            self.out.push(Target {
                scope,
                metric,
                period,
                value,
                origin,
                value_cell,
            });
        }
    }
    visitor!(V<'_>);
    const REQ: &[&[&str]] = &[&["period"], &["amount", "growth"]];
    let mut v = V {
        base: Base::new(TableKind::Targets, src, REQ),
        metrics,
        out: Vec::new(),
    };
    let candidate = v.base.first_candidate.clone();
    let ok = read(src, TableKind::Targets, REQ, &mut v, &candidate, problems);
    v.base.finish(ok, problems, true);
    v.out
}

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

/// The rep-month targets of a previous plan's `plan.csv`, for a re-plan:
/// (metric name lowercased, rep key) → month label → target.
pub fn previous_targets(path: &Path, display: &str) -> Result<RepMonthTargets, Problem> {
    let bad = |code: Code, row: Option<u32>, msg: String| {
        Problem::error(
            code,
            Some(Origin {
                row,
                ..Origin::file(display)
            }),
            msg,
        )
    };
    let file = open_bounded(
        path,
        display,
        "the previous plan",
        crate::input::actuals::MAX_PLAN_CSV,
    )?;
    let mut rdr = csv::Reader::from_reader(file);
    let header = rdr
        .headers()
        .map_err(|e| bad(Code::PreviousPlan, Some(1), e.to_string()))?
        .clone();
    if header.iter().ne(crate::render::plan_csv::HEADER) {
        let expected = crate::render::plan_csv::HEADER.join(",");
        return Err(bad(
            Code::PreviousPlan,
            Some(1),
            format!("not a plan.csv: expected the header {expected}"),
        ));
    }
    let mut out = RepMonthTargets::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i as u32 + 2;
        let rec = rec.map_err(|e| bad(Code::PreviousPlan, Some(row), e.to_string()))?;
        if rec[1].is_empty() || &rec[4] != "month" {
            continue;
        }
        let at = Origin {
            row: Some(row),
            ..Origin::file(display)
        }
        .at_col(5, crate::render::plan_csv::HEADER[5]);
        let v = parse::parse_number(&rec[5], false)
            .ok()
            .filter(|v| !v.is_sign_negative() && v.mantissa() <= MAX_MANTISSA.into())
            .ok_or_else(|| {
                Problem::error(Code::PreviousPlan, Some(at), format!("expected a target of 0 to {MAX_DIGITS} significant digits, as a plan writes it"))
                    .with_value(&rec[5])
            })?;
        out.entry((rec[2].to_lowercase(), norm(&rec[1])))
            .or_default()
            .insert(rec[3].to_string(), v);
    }
    Ok(out)
}
