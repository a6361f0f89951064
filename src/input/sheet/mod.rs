//! Spreadsheet input (xlsx, xlsm, xlsb, xls, ods) through calamine: choosing
//! the sheet, finding the header below any title rows, and turning calamine's
//! cells into [`Cell`]s.
//!
//! What calamine 0.38 offers differs by format: formulas without a cached
//! value are found in xlsx/xlsm (one pass with the values) and ods (xls and
//! xlsb always store a formula's result); merged cells are known for xlsx/xlsm
//! and xls, not for xlsb and ods.

pub mod budget;
pub mod cfb;
pub mod stream;
pub mod xls_extent;

use crate::engine::diag::{Code, Origin, Problem};
use crate::input::read::{no_header, not_header_row, HEADER_SEARCH_ROWS};
use crate::input::table::{Cell, Header, ReadOptions, Row, RowVisitor};
use calamine::{
    CellErrorType, Data, DataRef, Dimensions, Ods, OdsError, Range, Reader, SheetType,
    SheetVisible, Sheets, Xls, Xlsb, XlsbError, Xlsx, XlsxError,
};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use stream::{MergeScan, Streamed};

/// The text of a cell whose formula has no cached value.
pub(super) const NO_CACHED_VALUE: &str = "formula without a cached value";

/// The workbook formats, as the file's extension names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// xlsx or xlsm.
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

type Book = Sheets<BufReader<File>>;

/// Reads one sheet of the workbook in `file` and streams it to `visitor`: the
/// sheet `opts.sheet` (hidden or not), else the first visible sheet with a header row.
pub(crate) fn read_sheet(
    file: File,
    path: &Path,
    kind: Kind,
    origin: &Origin,
    opts: &ReadOptions,
    visitor: &mut dyn RowVisitor,
) -> Result<(), Problem> {
    // A handle of its own (its own file position) for the merged-cell scan,
    // which runs beside calamine's reading.
    let scan = (kind == Kind::Xlsx)
        .then(|| crate::os::open_regular(path).ok())
        .flatten();
    match kind {
        Kind::Xls => xls_is_sound(&file, origin)?,
        Kind::Ods => {
            budget::check_zip(&file, origin)?;
            budget::check_ods(&file, origin)?;
        }
        Kind::Xlsx | Kind::Xlsb => budget::check_zip(&file, origin)?,
    }
    let mut book = open(file, kind).map_err(|e| {
        Problem::error(
            Code::Damaged,
            Some(origin.clone()),
            format!("cannot read the workbook: {e}"),
        )
    })?;
    let sheets: Vec<(String, bool)> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible))
        .collect();
    let list = || {
        let shown = sheets.iter().map(|(name, visible)| {
            if *visible {
                name.clone()
            } else {
                format!("{name} (hidden)")
            }
        });
        shown.collect::<Vec<_>>().join(", ")
    };
    let at = |name: &str| Origin {
        sheet: Some(name.to_string()),
        ..origin.clone()
    };
    let wanted = match &opts.sheet {
        Some(wanted) => {
            let names = || sheets.iter().map(|(name, _)| name);
            let name = names()
                .find(|name| *name == wanted)
                .or_else(|| names().find(|name| name.to_lowercase() == wanted.to_lowercase()))
                .ok_or_else(|| {
                    Problem::error(
                        Code::NoSheet,
                        Some(origin.clone()),
                        format!("no sheet named {wanted:?}; sheets are: {}", list()),
                    )
                })?;
            Some(name)
        }
        None => None,
    };
    let nowhere = || {
        let row = opts
            .header_row
            .map(|n| format!(" at row {n}"))
            .unwrap_or_default();
        let message = format!(
            "no header row found{row} in any visible sheet (sheets: {})",
            list()
        );
        Problem::error(Code::NoHeader, Some(origin.clone()), message)
    };
    if let (Sheets::Xlsx(xlsx), Some(scan)) = (&mut book, scan) {
        // The scan for merged cells runs while the sheet is parsed; no row
        // reaches the visitor before it has answered.
        let streamed = std::thread::scope(|s| {
            let mut merges = MergeScan::new(
                s.spawn(move || crate::input::read::quietly(|| xlsx_has_merges(scan))),
            );
            let date1904 = xlsx.has_1904_epoch();
            let mut stream = |name: &str| {
                let at = at(name);
                stream::stream(
                    xlsx,
                    name,
                    opts.header_row,
                    &at,
                    date1904,
                    &mut merges,
                    visitor,
                )
            };
            match wanted {
                Some(name) => stream(name),
                None => {
                    for (name, _) in sheets.iter().filter(|(_, visible)| *visible) {
                        match stream(name)? {
                            Streamed::NoHeader(_) => continue,
                            done => return Ok(done),
                        }
                    }
                    Ok(Streamed::NoHeader(nowhere()))
                }
            }
        })?;
        match streamed {
            Streamed::Read => return Ok(()),
            Streamed::NoHeader(p) => return Err(p),
            Streamed::Merged => {}
        }
    }
    let (name, grid, header) = match wanted {
        Some(name) => {
            let grid = load(&mut book, name, &at(name))?;
            let header = find_header(&grid, opts.header_row, &*visitor, &at(name))?;
            (name, grid, header)
        }
        None => {
            let mut found = None;
            for (name, _) in sheets.iter().filter(|(_, visible)| *visible) {
                let grid = load(&mut book, name, &at(name))?;
                if let Ok(header) = find_header(&grid, opts.header_row, &*visitor, &at(name)) {
                    found = Some((name, grid, header));
                    break;
                }
            }
            found.ok_or_else(nowhere)?
        }
    };
    let at = at(name);
    let merges = merges(&mut book, name, &at)?;
    let date1904 = match &book {
        Sheets::Xlsx(x) => x.has_1904_epoch(),
        Sheets::Xls(x) => x.has_1904_epoch(),
        Sheets::Xlsb(x) => x.has_1904_epoch(),
        Sheets::Ods(_) => false,
    };
    emit(grid, header, &merges, &at, date1904, visitor)
}

/// Refuses an `.xls` container whose sector chains are not sound (see
/// [`crate::input::sheet::cfb`]) or with a sheet beyond its budget (see
/// [`crate::input::sheet::xls_extent`]); the file is read whole and rewound for calamine.
fn xls_is_sound(file: &File, origin: &Origin) -> Result<(), Problem> {
    use std::io::{Read, Seek};
    let mut bytes = Vec::new();
    let read = file.try_clone().and_then(|mut f| {
        f.read_to_end(&mut bytes)?;
        f.rewind()
    });
    if read.is_err() || !crate::input::sheet::cfb::chains_are_sound(&bytes) {
        return Err(Problem::error(
            Code::Damaged,
            Some(origin.clone()),
            "the workbook is damaged and cannot be read",
        )
        .with_hint("open it in Excel or LibreOffice and save it again"));
    }
    match crate::input::sheet::cfb::workbook_stream(&bytes) {
        Some(stream) => crate::input::sheet::xls_extent::check(&stream, origin),
        None => Ok(()),
    }
}

fn open(file: File, kind: Kind) -> Result<Book, calamine::Error> {
    let reader = BufReader::new(file);
    Ok(match kind {
        Kind::Xlsx => Sheets::Xlsx(Xlsx::new(reader)?),
        Kind::Xlsb => Sheets::Xlsb(Xlsb::new(reader)?),
        Kind::Xls => Sheets::Xls(Xls::new(reader)?),
        Kind::Ods => Sheets::Ods(Ods::new(reader)?),
    })
}

pub(super) fn sheet_error(at: &Origin, e: calamine::Error) -> Problem {
    Problem::error(
        Code::Damaged,
        Some(at.clone()),
        format!("cannot read the sheet: {e}"),
    )
}

/// One sheet's cells, with absolute (0-based) positions.
struct Grid {
    range: Range<Data>,
    /// Cells holding a formula without a cached value, sorted.
    uncached: Vec<(u32, u32)>,
    /// First used row, last used row, last used column; `None` for an empty sheet.
    extent: Option<(u32, u32, u32)>,
}

impl Grid {
    fn new(range: Range<Data>, mut uncached: Vec<(u32, u32)>) -> Grid {
        uncached.sort_unstable();
        let corners = range
            .start()
            .zip(range.end())
            .into_iter()
            .chain(uncached.iter().map(|&p| (p, p)));
        let extent = corners.fold(None, |extent, (start, end)| {
            Some(match extent {
                None => (start.0, end.0, end.1),
                Some((first, last, col)) => (start.0.min(first), end.0.max(last), end.1.max(col)),
            })
        });
        Grid {
            range,
            uncached,
            extent,
        }
    }

    fn cell(&self, row: u32, col: u32) -> Cell<'_> {
        if !self.uncached.is_empty() && self.uncached.binary_search(&(row, col)).is_ok() {
            return Cell::Error(NO_CACHED_VALUE);
        }
        self.range
            .get_value((row, col))
            .map_or(Cell::Empty, convert)
    }

    /// A row's cells as text from column A to its last non-empty cell.
    fn texts(&self, row: u32) -> Vec<String> {
        let last_col = self.extent.map_or(0, |(_, _, col)| col + 1);
        let mut texts: Vec<String> = (0..last_col).map(|col| text(self.cell(row, col))).collect();
        texts.truncate(
            texts
                .iter()
                .rposition(|t| !t.is_empty())
                .map_or(0, |i| i + 1),
        );
        texts
    }
}

/// The dense grid of `cells`, within the budget of [`budget::check_grid`].
fn dense(cells: Vec<calamine::Cell<Data>>, at: &Origin) -> Result<Range<Data>, Problem> {
    let (rows, cols) = budget::span(cells.iter().map(|c| c.get_position()));
    budget::check_grid(rows, cols, cells.len() as u64, at)?;
    Ok(Range::from_sparse(cells))
}

/// Reads xlsx values and formulas in one pass over the sheet.
fn xlsx_grid(xlsx: &mut Xlsx<BufReader<File>>, name: &str, at: &Origin) -> Result<Grid, Problem> {
    let failed = |e: XlsxError| sheet_error(at, calamine::Error::Xlsx(e));
    let mut reader = xlsx.worksheet_cells_reader(name).map_err(failed)?;
    let (mut cells, mut uncached) = (Vec::new(), Vec::new());
    while let Some(cell) = reader.next_cell_with_formula_metadata().map_err(failed)? {
        match (cell.value, cell.formula) {
            (DataRef::Empty, Some(_)) => uncached.push(cell.pos),
            (DataRef::Empty, None) => {}
            (value, _) => cells.push(calamine::Cell::new(cell.pos, Data::from(value))),
        }
    }
    Ok(Grid::new(dense(cells, at)?, uncached))
}

/// Reads xlsb values through calamine's cell reader, so that the grid is checked before it is made.
fn xlsb_grid(xlsb: &mut Xlsb<BufReader<File>>, name: &str, at: &Origin) -> Result<Grid, Problem> {
    let failed = |e: XlsbError| sheet_error(at, calamine::Error::Xlsb(e));
    let mut reader = xlsb.worksheet_cells_reader(name).map_err(failed)?;
    let mut cells = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(failed)? {
        if cell.get_value() != &DataRef::Empty {
            let (pos, value) = (cell.get_position(), Data::from(cell.get_value().clone()));
            cells.push(calamine::Cell::new(pos, value));
        }
    }
    Ok(Grid::new(dense(cells, at)?, Vec::new()))
}

/// Reads ods values; its formulas are already in memory.
fn ods_grid(ods: &mut Ods<BufReader<File>>, name: &str) -> Result<Grid, OdsError> {
    let range = ods.worksheet_range(name)?;
    let formulas = ods.worksheet_formula(name)?;
    let start = formulas.start().unwrap_or_default();
    let uncached = formulas
        .used_cells()
        .map(|(row, col, _)| (start.0 + row as u32, start.1 + col as u32))
        .filter(|&pos| !matches!(range.get_value(pos), Some(value) if *value != Data::Empty))
        .collect();
    Ok(Grid::new(range, uncached))
}

fn load(book: &mut Book, name: &str, at: &Origin) -> Result<Grid, Problem> {
    match book {
        Sheets::Xlsx(xlsx) => xlsx_grid(xlsx, name, at),
        Sheets::Xlsb(xlsb) => xlsb_grid(xlsb, name, at),
        Sheets::Ods(ods) => {
            ods_grid(ods, name).map_err(|e| sheet_error(at, calamine::Error::Ods(e)))
        }
        Sheets::Xls(_) => book
            .worksheet_range(name)
            .map(|range| Grid::new(range, Vec::new()))
            .map_err(|e| sheet_error(at, e)),
    }
}

/// Whether any worksheet of an xlsx file declares merged cells. calamine
/// parses a sheet a second time to find its merges; this scan of the zipped
/// XML (no parsing) spares that second parse to the many workbooks without.
fn xlsx_has_merges(file: File) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(file)) else {
        return true;
    };
    let finder = memchr::memmem::Finder::new(b"mergeCell");
    let mut buf = vec![0u8; 1 << 16];
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            return true;
        };
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        if !(name.starts_with("xl/worksheets/") && name.ends_with(".xml")) {
            continue;
        }
        let mut kept = 0;
        loop {
            let n = match std::io::Read::read(&mut part, &mut buf[kept..]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(_) => return true,
            };
            let end = kept + n;
            if finder.find(&buf[..end]).is_some() {
                return true;
            }
            // Keep the tail, in case the word straddles two reads.
            let tail = end.min(16);
            buf.copy_within(end - tail..end, 0);
            kept = tail;
        }
    }
    false
}

/// The merged areas of a sheet, where calamine knows them.
fn merges(book: &mut Book, name: &str, at: &Origin) -> Result<Vec<Dimensions>, Problem> {
    let merges = match book {
        Sheets::Xlsx(xlsx) => xlsx
            .merge_cells_by_sheet_name(name)
            .map_err(calamine::Error::Xlsx),
        Sheets::Xls(xls) => xls
            .merge_cells_by_sheet_name(name)
            .map_err(calamine::Error::Xls),
        Sheets::Xlsb(_) | Sheets::Ods(_) => Ok(Vec::new()),
    };
    merges.map_err(|e| sheet_error(at, e))
}

/// The header's row (0-based): row `header_row` if set, else the first of the
/// first [`HEADER_SEARCH_ROWS`] non-empty rows that `visitor` takes for a header.
fn find_header(
    grid: &Grid,
    header_row: Option<u32>,
    visitor: &dyn RowVisitor,
    at: &Origin,
) -> Result<u32, Problem> {
    if let Some(n) = header_row {
        let texts = n
            .checked_sub(1)
            .map(|row| grid.texts(row))
            .unwrap_or_default();
        return if !texts.is_empty() && visitor.is_header(&texts) {
            Ok(n - 1)
        } else {
            Err(not_header_row(at, n, &texts))
        };
    }
    let (first, last, _) = grid.extent.ok_or_else(|| no_header(at))?;
    (first..=last)
        .map(|row| (row, grid.texts(row)))
        .filter(|(_, texts)| !texts.is_empty())
        .take(HEADER_SEARCH_ROWS)
        .find(|(_, texts)| visitor.is_header(texts))
        .map(|(row, _)| row)
        .ok_or_else(|| no_header(at))
}

/// Gives the top-left value of each merged area below the header to the
/// area's other cells within the table (columns under the header, used rows).
fn fill_merges(range: &mut Range<Data>, merges: &[Dimensions], header: u32, width: u32) {
    let (Some(start), Some(end)) = (range.start(), range.end()) else {
        return;
    };
    for merge in merges.iter().filter(|m| m.start.0 > header) {
        let Some(value) = range
            .get_value(merge.start)
            .filter(|v| **v != Data::Empty)
            .cloned()
        else {
            continue;
        };
        for row in merge.start.0..=merge.end.0.min(end.0) {
            for col in merge.start.1..=merge.end.1.min(end.1).min(width.saturating_sub(1)) {
                if (row, col) != merge.start {
                    range[((row - start.0) as usize, (col - start.1) as usize)] = value.clone();
                }
            }
        }
    }
}

/// Streams the header and the data rows below it.
fn emit(
    mut grid: Grid,
    header: u32,
    merges: &[Dimensions],
    at: &Origin,
    date1904: bool,
    visitor: &mut dyn RowVisitor,
) -> Result<(), Problem> {
    let names = grid.texts(header);
    let width = names.len() as u32;
    fill_merges(&mut grid.range, merges, header, width);
    visitor.header(&Header {
        origin: at.at_row(header + 1),
        names,
        date1904,
    })?;
    let Some((_, last_row, last_col)) = grid.extent else {
        return Ok(());
    };
    let mut cells = Vec::with_capacity(width as usize);
    for row in header + 1..=last_row {
        if let Some(col) = (width..=last_col).find(|&col| grid.cell(row, col) != Cell::Empty) {
            return Err(Problem::error(
                Code::ExtraColumn,
                Some(Origin {
                    row: Some(row + 1),
                    col: Some(col),
                    ..at.clone()
                }),
                "value in a column without a header",
            )
            .with_value(text(grid.cell(row, col)))
            .with_hint("give the column a header, or delete the value"));
        }
        cells.clear();
        cells.extend((0..width).map(|col| grid.cell(row, col)));
        if cells.iter().any(|c| *c != Cell::Empty) {
            visitor.row(&Row {
                number: row + 1,
                cells: &cells,
            })?;
        }
    }
    Ok(())
}

pub(super) fn convert(data: &Data) -> Cell<'_> {
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
pub(super) fn text(cell: Cell<'_>) -> String {
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
    use crate::input::read::testing::{record, Recorder};
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};
    use std::path::PathBuf;
    use tempfile::TempDir;

    fn save(dir: &TempDir, name: &str, build: impl FnOnce(&mut Workbook)) -> PathBuf {
        let mut book = Workbook::new();
        build(&mut book);
        let path = dir.path().join(name);
        book.save(&path).unwrap();
        path
    }

    fn rows(r: &Recorder) -> Vec<(u32, Vec<&str>)> {
        r.rows
            .iter()
            .map(|(n, cells)| (*n, cells.iter().map(String::as_str).collect()))
            .collect()
    }

    fn reps(sheet: &mut Worksheet) {
        sheet.write(0, 0, "Sales reps FY2027").unwrap();
        sheet.write(1, 0, "as of January").unwrap();
        for (col, name) in ["rep_id", "name", "team", "fte"].into_iter().enumerate() {
            sheet.write(3, col as u16 + 1, name).unwrap();
        }
        sheet.write_row(4, 1, ["R1", "Ann", "North"]).unwrap();
        sheet.write(4, 4, 1).unwrap();
        sheet.write_row(5, 1, ["R2", " Bo ", "South"]).unwrap();
        sheet.write(5, 4, 0.5).unwrap();
        sheet.write(7, 1, "R3").unwrap();
        sheet.write(7, 4, true).unwrap();
        sheet.write(9, 2, "   ").unwrap();
    }

    /// Rewrites the first sheet's XML of the workbook at `path`.
    fn edit_sheet(path: &PathBuf, edit: impl Fn(String) -> String) {
        use std::io::{Read, Write};
        let mut zip = zip::ZipArchive::new(File::open(path).unwrap()).unwrap();
        let mut parts = Vec::new();
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            part.read_to_end(&mut bytes).unwrap();
            parts.push((part.name().unwrap().into_owned(), bytes));
        }
        let mut out = zip::ZipWriter::new(File::create(path).unwrap());
        for (name, bytes) in parts {
            let bytes = if name == "xl/worksheets/sheet1.xml" {
                edit(String::from_utf8(bytes).unwrap()).into_bytes()
            } else {
                bytes
            };
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&bytes).unwrap();
        }
        out.finish().unwrap();
    }

    /// The `<row>` element of row `n` (1-based) in a sheet's XML.
    fn row_xml(xml: &str, n: u32) -> String {
        let start = xml.find(&format!("<row r=\"{n}\"")).unwrap();
        let end = start + xml[start..].find("</row>").unwrap() + "</row>".len();
        xml[start..end].to_string()
    }

    #[test]
    fn streamed_rows_out_of_order_are_refused_and_cells_out_of_order_are_sorted() {
        let dir = TempDir::new().unwrap();
        let build = |book: &mut Workbook| {
            let sheet = book.add_worksheet();
            sheet.write_row(0, 0, ["rep_id", "name"]).unwrap();
            sheet.write_row(1, 0, ["R1", "Ann"]).unwrap();
            sheet.write_row(2, 0, ["R2", "Bo"]).unwrap();
        };
        let swapped = save(&dir, "rows.xlsx", build);
        edit_sheet(&swapped, |xml| {
            let (two, three) = (row_xml(&xml, 2), row_xml(&xml, 3));
            xml.replace(&format!("{two}{three}"), &format!("{three}{two}"))
        });
        let p = record(&swapped, &ReadOptions::default()).unwrap_err();
        assert_eq!(p.origin.as_ref().unwrap().row, Some(2));
        assert!(p.to_string().contains("after a row below it"), "{p}");
        let shuffled = save(&dir, "cells.xlsx", build);
        edit_sheet(&shuffled, |xml| {
            let two = row_xml(&xml, 2);
            let (a, b) = (
                two.find("<c r=\"A2\"").unwrap(),
                two.find("<c r=\"B2\"").unwrap(),
            );
            let end = two.rfind("</row>").unwrap();
            let flipped = format!("{}{}{}</row>", &two[..a], &two[b..end], &two[a..b]);
            xml.replace(&two, &flipped)
        });
        let r = record(&shuffled, &ReadOptions::default()).unwrap();
        assert_eq!(rows(&r), [(2, vec!["R1", "Ann"]), (3, vec!["R2", "Bo"])]);
    }

    #[test]
    fn header_below_title_rows_in_the_first_visible_sheet() {
        let dir = TempDir::new().unwrap();
        let path = save(&dir, "reps.xlsx", |book| {
            reps(
                book.add_worksheet()
                    .set_name("Old")
                    .unwrap()
                    .set_hidden(true),
            );
            book.add_worksheet()
                .set_name("Notes")
                .unwrap()
                .write(0, 0, "nothing here")
                .unwrap();
            let sheet = book
                .add_worksheet()
                .set_name("Reps")
                .unwrap()
                .set_active(true);
            reps(sheet);
            sheet.write(4, 2, "Anna").unwrap();
        });
        let r = record(&path, &ReadOptions::default()).unwrap();
        let header = r.header.as_ref().unwrap();
        assert_eq!(
            header.origin,
            Origin {
                sheet: Some("Reps".into()),
                row: Some(4),
                ..Origin::file("reps.xlsx")
            }
        );
        assert_eq!(header.names, ["", "rep_id", "name", "team", "fte"]);
        assert_eq!(
            rows(&r),
            [
                (5, vec!["", "R1", "Anna", "North", "Number(1.0)"]),
                (6, vec!["", "R2", "Bo", "South", "Number(0.5)"]),
                (8, vec!["", "R3", "", "", "Bool(true)"]),
            ]
        );

        let opts = ReadOptions {
            sheet: Some("old".into()),
            ..ReadOptions::default()
        };
        let r = record(&path, &opts).unwrap();
        assert_eq!(r.header.unwrap().origin.sheet.as_deref(), Some("Old"));
        assert_eq!(r.rows[0].1[2], "Ann");

        let opts = ReadOptions {
            sheet: Some("Data".into()),
            ..ReadOptions::default()
        };
        let p = record(&path, &opts).unwrap_err();
        assert_eq!(
            p.to_string(),
            "reps.xlsx: no sheet named \"Data\"; sheets are: Old (hidden), Notes, Reps"
        );

        let opts = ReadOptions {
            sheet: Some("Notes".into()),
            ..ReadOptions::default()
        };
        let p = record(&path, &opts).unwrap_err();
        assert_eq!(
            p.to_string(),
            "reps.xlsx, sheet \"Notes\": no header row found"
        );

        let opts = ReadOptions {
            header_row: Some(4),
            ..ReadOptions::default()
        };
        assert_eq!(record(&path, &opts).unwrap().rows.len(), 3);
        let opts = ReadOptions {
            header_row: Some(2),
            sheet: Some("Reps".into()),
            ..ReadOptions::default()
        };
        let p = record(&path, &opts).unwrap_err();
        assert_eq!(p.origin.as_ref().and_then(|o| o.row), Some(2));
        assert_eq!(
            (p.message.as_str(), p.value.as_deref()),
            ("row 2 is not a header row", Some("as of January"))
        );
    }

    #[test]
    fn no_header_in_any_visible_sheet() {
        let dir = TempDir::new().unwrap();
        let path = save(&dir, "t.xlsx", |book| {
            book.add_worksheet()
                .set_name("A")
                .unwrap()
                .write(0, 0, "id")
                .unwrap();
            book.add_worksheet().set_name("B").unwrap();
        });
        let p = record(&path, &ReadOptions::default()).unwrap_err();
        assert_eq!(
            p.to_string(),
            "t.xlsx: no header row found in any visible sheet (sheets: A, B)"
        );
        let opts = ReadOptions {
            header_row: Some(3),
            ..ReadOptions::default()
        };
        let p = record(&path, &opts).unwrap_err();
        assert_eq!(
            p.message,
            "no header row found at row 3 in any visible sheet (sheets: A, B)"
        );
    }

    #[test]
    fn dates_errors_merges_and_header_only() {
        let dir = TempDir::new().unwrap();
        let path = save(&dir, "history.xlsx", |book| {
            let sheet = book.add_worksheet();
            sheet.write_row(0, 0, ["rep_id", "date", "amount"]).unwrap();
            let date = Format::new().set_num_format("yyyy-mm-dd");
            let merged = Format::new();
            sheet.merge_range(1, 0, 3, 0, "R1", &merged).unwrap();
            for (row, month, day) in [(1, 1, 31), (2, 2, 28), (3, 3, 31)] {
                sheet
                    .write_datetime_with_format(
                        row,
                        1,
                        ExcelDateTime::from_ymd(2027, month, day).unwrap(),
                        &date,
                    )
                    .unwrap();
            }
            sheet.write(1, 2, 100).unwrap();
            sheet
                .write_formula(2, 2, Formula::new("=1/0").set_result("#DIV/0!"))
                .unwrap();
            sheet
                .write_formula(3, 2, Formula::new("=C2*2").set_result("200"))
                .unwrap();
            sheet.write(4, 0, "R2").unwrap();
            sheet
                .write_formula(4, 2, Formula::new("=NA()").set_result("#N/A"))
                .unwrap();

            book.add_worksheet()
                .set_name("Empty")
                .unwrap()
                .write_row(2, 0, ["rep_id", "x"])
                .unwrap();
        });
        let r = record(&path, &ReadOptions::default()).unwrap();
        assert_eq!(
            rows(&r),
            [
                (2, vec!["R1", "Date(2027-01-31T00:00:00)", "Number(100.0)"]),
                (
                    3,
                    vec!["R1", "Date(2027-02-28T00:00:00)", "Error(\"#DIV/0!\")"]
                ),
                (4, vec!["R1", "Date(2027-03-31T00:00:00)", "Number(200.0)"]),
                (5, vec!["R2", "", "Error(\"#N/A\")"]),
            ]
        );
        let opts = ReadOptions {
            sheet: Some("Empty".into()),
            ..ReadOptions::default()
        };
        let r = record(&path, &opts).unwrap();
        assert_eq!(r.header.unwrap().origin.row, Some(3));
        assert!(r.rows.is_empty());
    }

    #[test]
    fn a_merge_below_more_rows_than_the_parser_may_run_ahead_is_still_filled() {
        let dir = TempDir::new().unwrap();
        let data_rows: u32 = 40_000;
        let path = save(&dir, "history.xlsx", |book| {
            let sheet = book.add_worksheet();
            let header = [
                "rep_id", "amount", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l",
            ];
            sheet.write_row(0, 0, header).unwrap();
            for row in 1..=data_rows {
                sheet.write(row, 0, "R1").unwrap();
                for col in 1..14 {
                    sheet.write(row, col, f64::from(row)).unwrap();
                }
            }
            sheet
                .merge_range(data_rows + 1, 0, data_rows + 2, 0, "R2", &Format::new())
                .unwrap();
            sheet.write(data_rows + 1, 1, 1).unwrap();
            sheet.write(data_rows + 2, 1, 2).unwrap();
        });
        assert!(
            14 * data_rows as usize > stream::AHEAD * stream::BATCH_CELLS,
            "more cells than may be parsed ahead"
        );
        let r = record(&path, &ReadOptions::default()).unwrap();
        assert_eq!(r.rows.len(), data_rows as usize + 2);
        let last: Vec<_> = rows(&r).into_iter().rev().take(2).collect();
        assert_eq!(last[0].1[..2], ["R2", "Number(2.0)"]);
        assert_eq!(last[1].1[..2], ["R2", "Number(1.0)"]);
    }

    #[test]
    fn value_in_a_column_without_a_header() {
        let dir = TempDir::new().unwrap();
        let path = save(&dir, "reps.xlsx", |book| {
            let sheet = book.add_worksheet().set_name("Reps").unwrap();
            sheet.write_row(0, 0, ["rep_id", "name", ""]).unwrap();
            sheet.write_row(1, 0, ["R1", "Ann", " "]).unwrap();
            sheet.write_row(2, 0, ["R2", "Bo", "", "", "note"]).unwrap();
        });
        let p = record(&path, &ReadOptions::default()).unwrap_err();
        assert_eq!(
            p.to_string(),
            "reps.xlsx, sheet \"Reps\", cell E3: value in a column without a header, found \"note\" (hint: give the column a header, or delete the value)"
        );
    }

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
