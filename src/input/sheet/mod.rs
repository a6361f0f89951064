//! Spreadsheet input (xlsx, xlsm, xlsb, xls, ods) through calamine: choosing
//! the sheet, checking the file, and streaming the sheet or reading it whole
//! ([`grid`]) when it has merged cells.
//!
//! What calamine 0.38 offers differs by format: formulas without a cached
//! value are found in xlsx/xlsm (one pass with the values) and ods (xls and
//! xlsb always store a formula's result); merged cells are known for xlsx/xlsm
//! and xls, not for xlsb and ods.

pub mod budget;
pub mod cells;
pub mod cfb;
pub mod choice;
pub mod grid;
pub mod guard;
pub mod stream;
pub mod xls_extent;

use crate::engine::diag::{Code, Origin, Problem};
use crate::input::table::{ReadOptions, RowVisitor};
use calamine::{Ods, Reader, SheetType, SheetVisible, Sheets, Xls, Xlsb, Xlsx};
use choice::{at, nowhere, wanted_sheet, SheetList};
use grid::{emit, find_header, load, merges, Book};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use stream::{MergeScan, Streamed};

/// The workbook formats, as the file's extension names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// xlsx or xlsm.
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

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
    check_container(&file, kind, origin)?;
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
    let wanted = wanted_sheet(&sheets, opts, origin)?;
    if let (Sheets::Xlsx(xlsx), Some(scan)) = (&mut book, scan) {
        match stream_xlsx(xlsx, scan, &sheets, wanted, opts, origin, visitor)? {
            Streamed::Read => return Ok(()),
            Streamed::NoHeader(p) => return Err(p),
            Streamed::Merged => {}
        }
    }
    read_whole(&mut book, &sheets, wanted, opts, origin, visitor)
}

/// The budget checks of the container before calamine opens it.
fn check_container(file: &File, kind: Kind, origin: &Origin) -> Result<(), Problem> {
    match kind {
        Kind::Xls => xls_is_sound(file, origin)?,
        Kind::Ods => {
            budget::check_zip(file, origin)?;
            budget::check_ods(file, origin)?;
        }
        Kind::Xlsx | Kind::Xlsb => budget::check_zip(file, origin)?,
    }
    Ok(())
}

/// Streams the wanted sheet, else the first visible one with a header row,
/// unless the workbook has merged cells.
fn stream_xlsx(
    xlsx: &mut Xlsx<BufReader<File>>,
    scan: File,
    sheets: &SheetList,
    wanted: Option<&String>,
    opts: &ReadOptions,
    origin: &Origin,
    visitor: &mut dyn RowVisitor,
) -> Result<Streamed, Problem> {
    // The scan for merged cells runs while the sheet is parsed; no row
    // reaches the visitor before it has answered.
    std::thread::scope(|s| {
        let mut merges =
            MergeScan::new(s.spawn(move || guard::quietly(|| stream::xlsx_has_merges(scan))));
        let date1904 = xlsx.has_1904_epoch();
        let mut stream = |name: &str| {
            let at = at(origin, name);
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
                Ok(Streamed::NoHeader(nowhere(sheets, opts, origin)))
            }
        }
    })
}

/// Reads the wanted sheet, else the first visible one with a header row,
/// whole, and streams it.
fn read_whole(
    book: &mut Book,
    sheets: &SheetList,
    wanted: Option<&String>,
    opts: &ReadOptions,
    origin: &Origin,
    visitor: &mut dyn RowVisitor,
) -> Result<(), Problem> {
    let (name, grid, header) = match wanted {
        Some(name) => {
            let grid = load(book, name, &at(origin, name))?;
            let header = find_header(&grid, opts.header_row, &*visitor, &at(origin, name))?;
            (name, grid, header)
        }
        None => {
            let mut found = None;
            for (name, _) in sheets.iter().filter(|(_, visible)| *visible) {
                let grid = load(book, name, &at(origin, name))?;
                if let Ok(header) =
                    find_header(&grid, opts.header_row, &*visitor, &at(origin, name))
                {
                    found = Some((name, grid, header));
                    break;
                }
            }
            found.ok_or_else(|| nowhere(sheets, opts, origin))?
        }
    };
    let at = at(origin, name);
    let merges = merges(book, name, &at)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::table::testing::Recorder;

    /// Reads the xlsx workbook at `path` (shown as its file name) into a [`Recorder`].
    fn record(path: &Path, opts: &ReadOptions) -> Result<Recorder, Problem> {
        let mut recorder = Recorder::default();
        let origin = Origin::file(path.file_name().unwrap().to_str().unwrap());
        let file = File::open(path).unwrap();
        read_sheet(file, path, Kind::Xlsx, &origin, opts, &mut recorder).map(|()| recorder)
    }
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
}
