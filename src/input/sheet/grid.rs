//! A sheet read whole into a grid (every format, and xlsx with merged
//! cells): finding its header, filling merged areas and streaming its rows.

use crate::engine::diag::{Code, Origin, Problem};
use crate::input::sheet::budget;
use crate::input::sheet::cells::{convert, sheet_error, text, NO_CACHED_VALUE};
use crate::input::table::{
    no_header, not_header_row, Cell, Header, Row, RowVisitor, HEADER_SEARCH_ROWS,
};
use calamine::{
    Data, DataRef, Dimensions, Ods, OdsError, Range, Reader, Sheets, Xlsb, XlsbError, Xlsx,
    XlsxError,
};
use std::fs::File;
use std::io::BufReader;

/// An open workbook of any format.
pub(super) type Book = Sheets<BufReader<File>>;

/// One sheet's cells, with absolute (0-based) positions.
pub(super) struct Grid {
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

pub(super) fn load(book: &mut Book, name: &str, at: &Origin) -> Result<Grid, Problem> {
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

/// The merged areas of a sheet, where calamine knows them.
pub(super) fn merges(book: &mut Book, name: &str, at: &Origin) -> Result<Vec<Dimensions>, Problem> {
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
pub(super) fn find_header(
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
pub(super) fn emit(
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
