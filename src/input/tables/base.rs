//! The shared reading of an input table: its source and options, the header
//! and column map, the plan file's filters, and cells read with their problems.

use crate::engine::address;
use crate::engine::diag::{Code, Origin, Problem, Problems};
use crate::engine::limits;
use crate::input::cells;
use crate::input::columns::{self, norm, ColumnMap, TableKind};
use crate::input::options::TableOptions;
use crate::input::parse::DateText;
use crate::input::read::read_table;
use crate::input::table::{Cell, Header, ReadOptions, Row, RowVisitor};
use rust_decimal::Decimal;
use std::path::Path;

/// A table to read: the file, the name to show, and its plan-file options.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    /// The file to open.
    pub path: &'a Path,
    /// The file as the user wrote it, for messages.
    pub display: &'a str,
    /// The sheet of a workbook (`FILE#Sheet`).
    pub sheet: Option<String>,
    /// The table's options in the plan file.
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
pub(super) fn read(
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
            if crate::input::table::is_no_header(&p) {
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
pub(super) type Candidate = std::rc::Rc<std::cell::RefCell<Option<Vec<String>>>>;

/// For a table without a header row: the near-miss of a missing column in
/// the first row looked at, e.g. `amout` for `amount`.
/// A value for a message: an over-long text is cut to its first 60 characters.
pub(super) fn shown(s: &str) -> String {
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
pub(super) struct Base<'a> {
    pub(super) kind: TableKind,
    pub(super) src: &'a Source<'a>,
    pub(super) required: &'a [&'a [&'a str]],
    pub(super) extra: Vec<String>,
    pub(super) map: ColumnMap,
    pub(super) origin: Origin,
    pub(super) filters: Vec<(usize, Vec<String>, bool)>,
    pub(super) problems: Problems,
    pub(super) rows: usize,
    pub(super) date1904: bool,
    /// The first row looked at as a header, for a hint when none matches.
    pub(super) first_candidate: Candidate,
}

impl<'a> Base<'a> {
    pub(super) fn new(kind: TableKind, src: &'a Source<'a>, required: &'a [&'a [&'a str]]) -> Self {
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

    pub(super) fn is_header(&self, cells: &[String]) -> bool {
        let mut first = self.first_candidate.borrow_mut();
        if first.is_none() && cells.iter().any(|c| !c.is_empty()) {
            *first = Some(cells.to_vec());
        }
        columns::holds(self.kind, cells, self.required, &self.src.options.columns)
    }

    pub(super) fn header(&mut self, header: &Header) -> Result<(), Problem> {
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
    pub(super) fn keep(&self, row: &Row) -> bool {
        self.filters.iter().all(|(i, values, keep)| {
            let v = match row.cells.get(*i) {
                Some(Cell::Text(s)) => norm(s),
                Some(c) => norm(&cells::text(c, &self.origin).unwrap_or_default()),
                None => String::new(),
            };
            values.contains(&v) == *keep
        })
    }

    pub(super) fn at(&self, row: u32, name: &str) -> Origin {
        match self.map.get(name) {
            Some(col) => self
                .origin
                .at_row(row)
                .at_col(col as u32, &self.map.headers[col]),
            None => self.origin.at_row(row),
        }
    }

    pub(super) fn cell<'r>(&self, row: &'r Row, name: &str) -> &'r Cell<'r> {
        self.map
            .get(name)
            .and_then(|i| row.cells.get(i))
            .unwrap_or(&Cell::Empty)
    }

    /// Records a problem of a cell; the place is filled in here, so the
    /// common case (no problem) builds no `Origin`.
    pub(super) fn report(&mut self, row: &Row, name: &str, mut p: Problem) {
        p.origin = Some(self.at(row.number, name));
        self.problems.push(p);
    }

    /// A text cell; one longer than a workbook cell holds is an error here.
    pub(super) fn text(&mut self, row: &Row, name: &str) -> String {
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
    pub(super) fn identifier(&mut self, row: &Row, name: &str) -> String {
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
    pub(super) fn plain_text(&mut self, row: &Row, name: &str, rep: &str) -> String {
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
    pub(super) fn email(&mut self, row: &Row, rep: &str) -> String {
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
    pub(super) fn written(&self, row: &Row, name: &str) -> String {
        shown(&cells::text(self.cell(row, name), &Origin::default()).unwrap_or_default())
    }

    pub(super) fn number(&mut self, row: &Row, name: &str) -> Option<Decimal> {
        let dc = self.src.options.decimal_comma.unwrap_or(false);
        cells::number(self.cell(row, name), &Origin::default(), dc).unwrap_or_else(|p| {
            self.report(row, name, p);
            None
        })
    }

    pub(super) fn date(&mut self, row: &Row, name: &str) -> Option<DateText> {
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

    pub(super) fn finish(
        mut self,
        read_ok: bool,
        problems: &mut Vec<Problem>,
        empty_is_error: bool,
    ) {
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
