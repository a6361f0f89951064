//! The memory budget of a spreadsheet read: it grows with the file's real
//! content, not with the extent the file declares.
//!
//! - A zip container (xlsx, xlsm, xlsb, ods) may inflate to
//!   [`INFLATE_RATIO`] times its size (at least [`MIN_INFLATED`] bytes), as
//!   its central directory declares; the zip crate (v9, calamine's too)
//!   fails a read of a part that inflates past its declared size, so the
//!   declared sizes bound the real inflation.
//! - calamine holds a sheet as a dense grid from its first to its last used
//!   cell: the grid may hold [`GRID_PER_CELL`] cells per cell with a value
//!   (at least [`MIN_GRID`]). ods repeated rows and columns are expanded in
//!   that count ([`ods_extents`]); xls is scanned in [`crate::input::sheet::xls_extent`].

use crate::engine::diag::{thousands, Code, Origin, Problem};
use quick_xml::events::{BytesStart, Event};
use std::fs::File;
use std::io::{BufReader, Seek};

/// Grid cells a sheet may claim, however few cells it holds.
pub const MIN_GRID: u64 = 1_000_000;
/// Grid cells a sheet may claim per cell with a value.
pub const GRID_PER_CELL: u64 = 64;
/// How many times its size a zip container may inflate to.
pub const INFLATE_RATIO: u64 = 100;
/// Bytes a zip container may inflate to, however small it is.
pub const MIN_INFLATED: u64 = 64 << 20;

/// Refuses a sheet whose grid of `rows` × `cols` is beyond the budget of its `real` cells.
pub fn check_grid(rows: u64, cols: u64, real: u64, at: &Origin) -> Result<(), Problem> {
    let budget = MIN_GRID.max(GRID_PER_CELL.saturating_mul(real));
    if rows.saturating_mul(cols) <= budget {
        return Ok(());
    }
    let message = format!(
        "the sheet claims {} × {} cells but holds {} with a value; a sheet with that many may claim at most {} (the grid of its used range is held in memory)",
        thousands(rows),
        thousands(cols),
        thousands(real),
        thousands(budget)
    );
    Err(
        Problem::error(Code::SheetBudget, Some(at.clone()), message).with_hint(
            "delete the rows and columns beyond the table, or copy the table to a new sheet",
        ),
    )
}

/// The grid (rows, columns) spanned by cell positions.
pub fn span(cells: impl Iterator<Item = (u32, u32)>) -> (u64, u64) {
    let corners = cells.fold(None, |acc: Option<(u32, u32, u32, u32)>, (r, c)| {
        Some(match acc {
            None => (r, r, c, c),
            Some((r0, r1, c0, c1)) => (r0.min(r), r1.max(r), c0.min(c), c1.max(c)),
        })
    });
    corners.map_or((0, 0), |(r0, r1, c0, c1)| {
        (u64::from(r1 - r0) + 1, u64::from(c1 - c0) + 1)
    })
}

/// Refuses a zip container that declares more inflated bytes than its
/// budget; `file` is rewound. A container that is not a readable zip is
/// left to calamine to report.
pub fn check_zip(file: &File, origin: &Origin) -> Result<(), Problem> {
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let budget = MIN_INFLATED.max(INFLATE_RATIO.saturating_mul(len));
    if let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(file)) {
        let declared: u64 = (0..zip.len())
            .filter_map(|i| zip.by_index_raw(i).ok().map(|p| p.size()))
            .fold(0, u64::saturating_add);
        if declared > budget {
            return Err(too_large(origin, declared, len, budget));
        }
    }
    rewind(file, origin)
}

fn rewind(mut file: &File, origin: &Origin) -> Result<(), Problem> {
    file.rewind()
        .map_err(|e| crate::input::table::read_error(origin, &e))
}

fn too_large(origin: &Origin, inflated: u64, len: u64, budget: u64) -> Problem {
    let mib = |n: u64| thousands(n.div_ceil(1 << 20));
    Problem::error(Code::SheetBudget,
        Some(origin.clone()),
        format!(
            "the workbook inflates to {} MiB; a file of {} KiB may inflate to at most {} MiB ({INFLATE_RATIO} times its size, at least {} MiB)",
            mib(inflated),
            thousands(len.div_ceil(1024)),
            mib(budget),
            MIN_INFLATED >> 20
        ),
    )
}

/// What an ods sheet claims once its repeated rows and columns are expanded.
#[derive(Debug, Default, PartialEq)]
pub struct OdsExtent {
    pub name: String,
    /// Rows from the first to the last with a value, repeats counted.
    pub rows: u64,
    /// Columns from A to the last with a value, repeats counted.
    pub cols: u64,
    /// Cell elements with a value, each counted once however often repeated.
    pub real: u64,
}

/// Refuses an ods workbook with a sheet beyond its budget; `file` is rewound.
pub fn check_ods(file: &File, origin: &Origin) -> Result<(), Problem> {
    let extents = zip::ZipArchive::new(BufReader::new(file))
        .ok()
        .and_then(|mut zip| {
            let part = zip.by_name("content.xml").ok()?;
            Some(ods_extents(BufReader::new(part)))
        })
        .unwrap_or_default();
    for e in extents {
        let at = Origin {
            sheet: Some(e.name.clone()),
            ..origin.clone()
        };
        check_grid(e.rows, e.cols, e.real, &at)?;
    }
    rewind(file, origin)
}

/// The extent of each table of an ods `content.xml` (a parse error ends the scan).
pub fn ods_extents(xml: impl std::io::BufRead) -> Vec<OdsExtent> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut scan = OdsScan::default();
    loop {
        let (start, empty) = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) => {
                match e.name().as_ref() {
                    "table:table-row" => scan.end_row(),
                    "table:table" => out.push(scan.end_table()),
                    _ => {}
                }
                buf.clear();
                continue;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {
                buf.clear();
                continue;
            }
        };
        match start.name().as_ref() {
            "table:table" => scan.name = attr(&start, "table:name").unwrap_or_default(),
            "table:table-row" => {
                scan.start_row(repeats(&start, "table:number-rows-repeated"));
                if empty {
                    scan.end_row();
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let valued = !empty
                    || start
                        .try_get_attribute("office:value-type")
                        .ok()
                        .flatten()
                        .is_some();
                scan.cell(repeats(&start, "table:number-columns-repeated"), valued);
            }
            _ => {}
        }
        buf.clear();
    }
    out
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    let a = e.try_get_attribute(name).ok().flatten()?;
    Some(a.value.into_owned())
}

/// A repeat count as written (1 when absent or unreadable, as calamine reads it or fails).
fn repeats(e: &BytesStart, name: &str) -> u64 {
    attr(e, name)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
}

/// The running state of [`ods_extents`] within one table.
#[derive(Default)]
struct OdsScan {
    name: String,
    /// Rows before the current one, repeats counted; the current row's repeats.
    row: u64,
    repeat: u64,
    col: u64,
    valued_row: bool,
    first: Option<u64>,
    end: u64,
    cols: u64,
    real: u64,
}

impl OdsScan {
    fn start_row(&mut self, repeat: u64) {
        (self.repeat, self.col, self.valued_row) = (repeat, 0, false);
    }

    fn cell(&mut self, repeat: u64, valued: bool) {
        self.col = self.col.saturating_add(repeat);
        if valued {
            self.real += 1;
            self.valued_row = true;
            self.cols = self.cols.max(self.col);
        }
    }

    fn end_row(&mut self) {
        let next = self.row.saturating_add(self.repeat);
        if self.valued_row {
            self.first.get_or_insert(self.row);
            self.end = next;
        }
        (self.row, self.repeat, self.valued_row) = (next, 0, false);
    }

    fn end_table(&mut self) -> OdsExtent {
        let done = std::mem::take(self);
        OdsExtent {
            rows: done.first.map_or(0, |first| done.end - first),
            cols: done.cols,
            real: done.real,
            name: done.name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_rows_and_columns_are_expanded() {
        let xml = r#"<office:body><table:table table:name="Big">
            <table:table-row><table:table-cell office:value-type="string"><text:p>rep_id</text:p></table:table-cell></table:table-row>
            <table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="16383"/><table:table-cell office:value-type="float" office:value="1"/></table:table-row>
            <table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
            </table:table><table:table table:name="Empty"/></office:body>"#;
        let extents = ods_extents(xml.as_bytes());
        assert_eq!(
            extents[0],
            OdsExtent {
                name: "Big".into(),
                rows: 1_048_575,
                cols: 16_384,
                real: 2
            }
        );
        let at = Origin::file("t.ods");
        let p = check_grid(extents[0].rows, extents[0].cols, 2, &at).unwrap_err();
        assert!(
            p.message
                .starts_with("the sheet claims 1,048,575 × 16,384 cells but holds 2 with a value"),
            "{p}"
        );
        assert!(check_grid(1000, 1000, 0, &at).is_ok());
        assert!(check_grid(1001, 1000, 0, &at).is_err());
        assert!(check_grid(64_000, 1000, 1_000_000, &at).is_ok());
        assert_eq!(span([(3, 1), (1, 4)].into_iter()), (3, 4));
        assert_eq!(span(std::iter::empty()), (0, 0));
    }
}
