//! xlsx sheets without merged cells, streamed: calamine parses the sheet's
//! cells on a second thread while this one finds the header and passes each
//! row to the visitor as soon as it is complete, so memory does not grow with
//! the sheet's rows and parsing overlaps the visiting. Whether the workbook
//! has merged cells (then it is read whole) is found by a scan on a third
//! thread while the parser runs ahead a bounded number of batches.

use crate::engine::diag::{Code, Origin, Problem};
use crate::input::sheet::cells::{convert, sheet_error, text, NO_CACHED_VALUE};
use crate::input::table::{
    no_header, not_header_row, Cell, Header, Row, RowVisitor, HEADER_SEARCH_ROWS,
};
use calamine::{Data, DataRef, Xlsx, XlsxCellReader, XlsxError};
use std::fs::File;
use std::io::BufReader;
use std::sync::mpsc;
use std::thread::ScopedJoinHandle;

/// How a sheet went.
pub(super) enum Streamed {
    /// The header was found and every row below it visited.
    Read,
    /// No header row where one was looked for (the problem says so): the
    /// next sheet may hold the table.
    NoHeader(Problem),
    /// The workbook has merged cells: nothing was visited, read it whole.
    Merged,
}

/// Whether the workbook declares merged cells, as a scan on another thread
/// finds while the first sheet is parsed.
pub(super) struct MergeScan<'scope> {
    scan: Option<ScopedJoinHandle<'scope, bool>>,
    found: bool,
}

impl<'scope> MergeScan<'scope> {
    pub(super) fn new(scan: ScopedJoinHandle<'scope, bool>) -> MergeScan<'scope> {
        MergeScan {
            scan: Some(scan),
            found: true,
        }
    }

    /// The scan's answer (waited for the first time); a failed scan counts as "merged".
    fn found(&mut self) -> bool {
        if let Some(scan) = self.scan.take() {
            self.found = scan.join().unwrap_or(true);
        }
        self.found
    }
}

/// A cell as parsed: its position and value, `None` for a formula without a cached value.
type Parsed = (u32, u32, Option<Data>);

/// Cells per batch passed from the parsing thread.
pub(super) const BATCH_CELLS: usize = 16 * 1024;

/// Batches the parsing thread may run ahead (about 20 MB): room to parse
/// while the merged-cell scan finishes.
pub(super) const AHEAD: usize = 32;

/// Streams sheet `name` to `visitor`: the header is row `header_row` (1-based)
/// if given, else the first of the first [`HEADER_SEARCH_ROWS`] non-empty rows
/// that `visitor` takes for one.
pub(super) fn stream(
    xlsx: &mut Xlsx<BufReader<File>>,
    name: &str,
    header_row: Option<u32>,
    at: &Origin,
    date1904: bool,
    merges: &mut MergeScan,
    visitor: &mut dyn RowVisitor,
) -> Result<Streamed, Problem> {
    let cells = xlsx
        .worksheet_cells_reader(name)
        .map_err(|e| sheet_error(at, calamine::Error::Xlsx(e)))?;
    std::thread::scope(|scope| {
        let (batches, received) = mpsc::sync_channel::<Result<Vec<Parsed>, XlsxError>>(AHEAD);
        scope.spawn(move || crate::input::sheet::guard::quietly(|| parse(cells, batches)));
        if merges.found() {
            return Ok(Streamed::Merged);
        }
        let mut rows = Rows {
            header_row,
            at,
            date1904,
            header: None,
            searched: 0,
            cells: Vec::new(),
        };
        let mut current: Option<u32> = None;
        let mut row_cells: Vec<(u32, Option<Data>)> = Vec::new();
        for batch in received {
            let batch = batch.map_err(|e| sheet_error(at, calamine::Error::Xlsx(e)))?;
            for (row, col, value) in batch {
                if current.is_some_and(|r| r != row) {
                    let done = current.unwrap_or_default();
                    if row < done {
                        return Err(out_of_order(at, row));
                    }
                    if let Some(end) = rows.finish(done, &mut row_cells, visitor)? {
                        return Ok(end);
                    }
                }
                current = Some(row);
                row_cells.push((col, value));
            }
        }
        if let Some(done) = current {
            if let Some(end) = rows.finish(done, &mut row_cells, visitor)? {
                return Ok(end);
            }
        }
        Ok(match rows.header {
            Some(_) => Streamed::Read,
            None => Streamed::NoHeader(rows.missing(&[])),
        })
    })
}

/// Parses cells into batches until the sheet ends, calamine fails (sent after
/// the cells before it) or the reading side stops listening.
fn parse(
    mut cells: XlsxCellReader<'_, BufReader<File>>,
    batches: mpsc::SyncSender<Result<Vec<Parsed>, XlsxError>>,
) {
    let mut batch = Vec::with_capacity(BATCH_CELLS);
    loop {
        match cells.next_cell_with_formula_metadata() {
            Ok(Some(cell)) => {
                let (row, col) = cell.pos;
                match (cell.value, cell.formula) {
                    (DataRef::Empty, Some(_)) => batch.push((row, col, None)),
                    (DataRef::Empty, None) => {}
                    (value, _) => batch.push((row, col, Some(Data::from(value)))),
                }
                if batch.len() == BATCH_CELLS
                    && batches.send(Ok(std::mem::take(&mut batch))).is_err()
                {
                    return;
                }
            }
            Ok(None) => {
                let _ = batches.send(Ok(batch));
                return;
            }
            Err(e) => {
                if batches.send(Ok(batch)).is_ok() {
                    let _ = batches.send(Err(e));
                }
                return;
            }
        }
    }
}

/// The rows of a sheet as they complete: first the header search, then the data.
struct Rows<'a> {
    header_row: Option<u32>,
    at: &'a Origin,
    date1904: bool,
    /// The header's width, once found.
    header: Option<usize>,
    /// Non-empty rows looked at for a header.
    searched: usize,
    cells: Vec<Cell<'static>>,
}

impl Rows<'_> {
    /// Handles the complete row `row` (0-based), emptying `parsed`; `Some` ends the sheet.
    fn finish(
        &mut self,
        row: u32,
        parsed: &mut Vec<(u32, Option<Data>)>,
        visitor: &mut dyn RowVisitor,
    ) -> Result<Option<Streamed>, Problem> {
        if !parsed.is_sorted_by_key(|(col, _)| *col) {
            parsed.sort_by_key(|(col, _)| *col);
        }
        let result = match self.header {
            None => self.look_for_header(row, parsed, visitor),
            Some(width) => {
                if let Some((col, value)) = parsed
                    .iter()
                    .find(|(col, v)| *col as usize >= width && cell(v) != Cell::Empty)
                {
                    return Err(Problem::error(
                        Code::ExtraColumn,
                        Some(Origin {
                            row: Some(row + 1),
                            col: Some(*col),
                            ..self.at.clone()
                        }),
                        "value in a column without a header",
                    )
                    .with_value(text(cell(value)))
                    .with_hint("give the column a header, or delete the value"));
                }
                let mut cells = Cell::reuse(std::mem::take(&mut self.cells));
                cells.resize(width, Cell::Empty);
                for (col, value) in parsed.iter() {
                    if (*col as usize) < width {
                        cells[*col as usize] = cell(value);
                    }
                }
                if cells.iter().any(|c| *c != Cell::Empty) {
                    visitor.row(&Row {
                        number: row + 1,
                        cells: &cells,
                    })?;
                }
                self.cells = Cell::reuse(cells);
                Ok(None)
            }
        };
        parsed.clear();
        result
    }

    fn look_for_header(
        &mut self,
        row: u32,
        parsed: &[(u32, Option<Data>)],
        visitor: &mut dyn RowVisitor,
    ) -> Result<Option<Streamed>, Problem> {
        let last = parsed.last().map_or(0, |(col, _)| *col as usize + 1);
        let mut texts = vec![String::new(); last];
        for (col, value) in parsed {
            texts[*col as usize] = text(cell(value));
        }
        texts.truncate(
            texts
                .iter()
                .rposition(|t| !t.is_empty())
                .map_or(0, |i| i + 1),
        );
        let missing =
            |rows: &Self, texts: &[String]| Ok(Some(Streamed::NoHeader(rows.missing(texts))));
        match self.header_row {
            Some(n) if row + 1 < n => return Ok(None),
            Some(n) if row + 1 > n => return missing(self, &[]),
            Some(_) if texts.is_empty() || !visitor.is_header(&texts) => {
                return missing(self, &texts)
            }
            Some(_) => {}
            None if texts.is_empty() => return Ok(None),
            None if !visitor.is_header(&texts) => {
                self.searched += 1;
                if self.searched == HEADER_SEARCH_ROWS {
                    return missing(self, &[]);
                }
                return Ok(None);
            }
            None => {}
        }
        self.header = Some(texts.len());
        visitor.header(&Header {
            origin: self.at.at_row(row + 1),
            names: texts,
            date1904: self.date1904,
        })?;
        Ok(None)
    }
}

impl Rows<'_> {
    /// The problem of a sheet without its header: `texts` are those of the
    /// row named by `header_row`, when it has any.
    fn missing(&self, texts: &[String]) -> Problem {
        match self.header_row {
            Some(n) => not_header_row(self.at, n, texts),
            None => no_header(self.at),
        }
    }
}

/// A parsed cell as read: `None` is a formula without a cached value.
fn cell(value: &Option<Data>) -> Cell<'_> {
    match value {
        Some(data) => convert(data),
        None => Cell::Error(NO_CACHED_VALUE),
    }
}

/// A sheet whose rows are not stored top to bottom (no spreadsheet application writes one).
fn out_of_order(at: &Origin, row: u32) -> Problem {
    Problem::error(
        Code::Damaged,
        Some(at.at_row(row + 1)),
        "the sheet stores this row after a row below it; it cannot be read in order",
    )
    .with_hint("open the workbook in Excel or LibreOffice and save it again")
}

/// Whether any worksheet of an xlsx file declares merged cells. calamine
/// parses a sheet a second time to find its merges; this scan of the zipped
/// XML (no parsing) spares that second parse to the many workbooks without.
pub(super) fn xlsx_has_merges(file: File) -> bool {
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
