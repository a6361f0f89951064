//! Reading one input table, whatever its format: the file's extension picks
//! the reader, and the first bytes must agree with it (a CSV renamed `.xlsx`
//! or an HTML page saved as `.xls` is reported, never guessed at).

use crate::engine::diag::{Code, Origin, Problem};
use crate::input::csv::read_csv;
use crate::input::open::read_code;
use crate::input::sheet::guard::guarded;
use crate::input::sheet::{read_sheet, Kind};
use crate::input::table::{read_error, ReadOptions, RowVisitor};
use crate::os::open_regular;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Reads the table at `path` and streams it to `visitor`.
///
/// `display` is the file as the user wrote it; it names the file in every
/// [`Origin`]. The format follows the extension: `.csv` `.tsv` `.txt` are CSV,
/// `.xlsx` `.xlsm` `.xlsb` `.xls` `.ods` are spreadsheets. A table with a header
/// and no data rows calls `visitor.header` only and returns `Ok`. When no header
/// row is found, the problem's message starts with "no header row".
pub fn read_table(
    path: &Path,
    display: &str,
    opts: &ReadOptions,
    visitor: &mut dyn RowVisitor,
) -> Result<(), Problem> {
    let origin = Origin::file(display);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let expected = expected_content(&ext, &origin)?;
    let mut file = open_regular(path).map_err(|e| {
        Problem::error(
            read_code(&e),
            Some(origin.clone()),
            format!("cannot open: {}", crate::os::reason(&e)),
        )
    })?;
    let mut head = Vec::with_capacity(512);
    (&mut file)
        .take(512)
        .read_to_end(&mut head)
        .and_then(|_| file.seek(SeekFrom::Start(0)))
        .map_err(|e| read_error(&origin, &e))?;
    if head.is_empty() {
        return Err(Problem::error(
            Code::EmptyFile,
            Some(origin),
            "the file is empty",
        ));
    }
    let found = Content::sniff(&head);
    if !found.fits(expected) {
        return Err(Problem::error(
            Code::FileType,
            Some(origin),
            format!(
                "the file is {}, not {}",
                found.description(),
                expected.wanted(&ext)
            ),
        )
        .with_hint(found.hint()));
    }
    read_as(&ext, file, path, &origin, opts, visitor)
}

/// What a file with extension `ext` must hold; an unsupported extension is an error.
fn expected_content(ext: &str, origin: &Origin) -> Result<Content, Problem> {
    Ok(match ext {
        "csv" | "tsv" | "txt" => Content::Text,
        "xlsx" | "xlsm" | "xlsb" => Content::Zip { ods: false },
        "ods" => Content::Zip { ods: true },
        "xls" => Content::Ole,
        _ => {
            let found = if ext.is_empty() {
                "(no extension)".to_string()
            } else {
                format!("\".{ext}\"")
            };
            return Err(Problem::error(Code::FileType,
                Some(origin.clone()),
                format!("unsupported file type {found}, expected csv, tsv, txt, xlsx, xlsm, xlsb, xls or ods"),
            ));
        }
    })
}

/// Reads the opened `file` with the reader its extension `ext` names.
fn read_as(
    ext: &str,
    file: File,
    path: &Path,
    origin: &Origin,
    opts: &ReadOptions,
    visitor: &mut dyn RowVisitor,
) -> Result<(), Problem> {
    match ext {
        "tsv" if opts.delimiter.is_none() => read_csv(
            file,
            origin,
            &ReadOptions {
                delimiter: Some(b'\t'),
                ..opts.clone()
            },
            visitor,
        ),
        "csv" | "tsv" | "txt" => read_csv(file, origin, opts, visitor),
        "xlsb" => guarded(
            || read_sheet(file, path, Kind::Xlsb, origin, opts, visitor),
            origin,
        ),
        "xls" => guarded(
            || read_sheet(file, path, Kind::Xls, origin, opts, visitor),
            origin,
        ),
        "ods" => guarded(
            || read_sheet(file, path, Kind::Ods, origin, opts, visitor),
            origin,
        ),
        _ => guarded(
            || read_sheet(file, path, Kind::Xlsx, origin, opts, visitor),
            origin,
        ),
    }
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Content {
    /// A zip archive: xlsx, xlsm, xlsb, or (`ods`) an OpenDocument spreadsheet.
    Zip {
        ods: bool,
    },
    /// An OLE compound file: xls, or a password-protected workbook.
    Ole,
    Html,
    Xml,
    Pdf,
    Binary,
    Text,
}

impl Content {
    fn sniff(head: &[u8]) -> Content {
        let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let text = &text[text
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(text.len())..];
        let starts =
            |tag: &[u8]| text.len() >= tag.len() && text[..tag.len()].eq_ignore_ascii_case(tag);
        // UTF-16 text has NULs at even or at odd offsets, binary data at both.
        let nul_at = |parity| head.iter().skip(parity).step_by(2).any(|&b| b == 0);
        if head.starts_with(b"PK\x03\x04") {
            Content::Zip {
                ods: head.get(30..).is_some_and(|h| {
                    h.starts_with(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet")
                }),
            }
        } else if head.starts_with(b"\xD0\xCF\x11\xE0") {
            Content::Ole
        } else if head.starts_with(b"%PDF") {
            Content::Pdf
        } else if starts(b"<html") || starts(b"<!doctype") || starts(b"<table") {
            Content::Html
        } else if starts(b"<?xml") {
            Content::Xml
        } else if nul_at(0) && nul_at(1) {
            Content::Binary
        } else {
            Content::Text
        }
    }

    /// Whether a file holding `self` may be read as `expected`. Only a zip
    /// known to be ods is refused as xlsx: an ods need not announce itself.
    fn fits(self, expected: Content) -> bool {
        match (self, expected) {
            (Content::Zip { ods }, Content::Zip { ods: false }) => !ods,
            (Content::Zip { .. }, Content::Zip { ods: true }) => true,
            _ => self == expected,
        }
    }

    fn description(self) -> &'static str {
        match self {
            Content::Zip { ods: false } => "a zip archive (an xlsx workbook?)",
            Content::Zip { ods: true } => "an OpenDocument spreadsheet (ods)",
            Content::Ole => "an old-format Excel workbook (xls) or a password-protected workbook",
            Content::Html => "an HTML page",
            Content::Xml => "an XML document (Excel 2003 XML?)",
            Content::Pdf => "a PDF document",
            Content::Binary => "binary data of an unknown kind",
            Content::Text => "text (CSV?)",
        }
    }

    /// What a file with extension `ext` should hold.
    fn wanted(self, ext: &str) -> String {
        match self {
            Content::Text => "CSV text".to_string(),
            Content::Zip { ods: true } => "an OpenDocument spreadsheet".to_string(),
            _ => format!("an {ext} workbook"),
        }
    }

    fn hint(self) -> &'static str {
        match self {
            Content::Zip { ods: false } => "rename it to .xlsx",
            Content::Zip { ods: true } => "rename it to .ods",
            Content::Ole => "rename it to .xls, or remove its password in Excel",
            Content::Text => "rename it to .csv",
            Content::Html | Content::Xml => "open it in Excel and save it as .xlsx",
            Content::Pdf | Content::Binary => "export the table from its source as xlsx or CSV",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::table::testing::Recorder;

    /// Reads `path` (shown as its file name) into a [`Recorder`].
    pub(crate) fn record(path: &Path, opts: &ReadOptions) -> Result<Recorder, Problem> {
        let mut recorder = Recorder::default();
        let display = path.file_name().unwrap().to_str().unwrap();
        read_table(path, display, opts, &mut recorder).map(|()| recorder)
    }

    fn error(name: &str, bytes: &[u8]) -> Problem {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        record(&path, &ReadOptions::default()).unwrap_err()
    }

    #[test]
    fn missing_empty_and_unsupported_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = record(&dir.path().join("reps.csv"), &ReadOptions::default()).unwrap_err();
        assert_eq!(
            p.to_string(),
            "reps.csv: cannot open: No such file or directory"
        );
        assert_eq!(
            error("reps.csv", b"").to_string(),
            "reps.csv: the file is empty"
        );
        assert_eq!(
            error("reps.json", b"{}").message,
            "unsupported file type \".json\", expected csv, tsv, txt, xlsx, xlsm, xlsb, xls or ods"
        );
        assert!(error("reps", b"x")
            .message
            .starts_with("unsupported file type (no extension)"));
    }

    #[test]
    fn content_that_does_not_match_the_extension() {
        let p = error("sales.xlsx", b"rep_id,amount\nR1,5\n");
        assert_eq!(p.origin, Some(Origin::file("sales.xlsx")));
        assert_eq!(
            p.to_string(),
            "sales.xlsx: the file is text (CSV?), not an xlsx workbook (hint: rename it to .csv)"
        );
        let p = error(
            "report.XLS",
            b"\xEF\xBB\xBF \r\n<!DOCTYPE html><html><table>",
        );
        assert_eq!(p.message, "the file is an HTML page, not an xls workbook");
        assert_eq!(
            p.hint.as_deref(),
            Some("open it in Excel and save it as .xlsx")
        );
        assert_eq!(
            error("r.xls", b"  <TABLE><tr>").message,
            "the file is an HTML page, not an xls workbook"
        );
        assert_eq!(
            error("r.xls", b"<?xml version=\"1.0\"?>").message,
            "the file is an XML document (Excel 2003 XML?), not an xls workbook"
        );
        let p = error("reps.csv", b"PK\x03\x04rest of a zip");
        assert_eq!(
            p.message,
            "the file is a zip archive (an xlsx workbook?), not CSV text"
        );
        assert_eq!(p.hint.as_deref(), Some("rename it to .xlsx"));
        let mut ods = b"PK\x03\x04".to_vec();
        ods.extend([0; 26]);
        ods.extend(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet");
        assert_eq!(
            error("t.xlsx", &ods).message,
            "the file is an OpenDocument spreadsheet (ods), not an xlsx workbook"
        );
        assert!(error("t.ods", b"PK\x03\x04xl/")
            .message
            .starts_with("cannot read the workbook: "));
        assert!(error("t.xlsx", b"\xD0\xCF\x11\xE0\xA1\xB1")
            .message
            .starts_with("the file is an old-format Excel workbook (xls)"));
        assert_eq!(
            error("t.xls", b"PK\x03\x04").hint.as_deref(),
            Some("rename it to .xlsx")
        );
        assert_eq!(
            error("t.csv", b"%PDF-1.4").message,
            "the file is a PDF document, not CSV text"
        );
        assert_eq!(
            error("t.csv", b"\x89PNG\r\n\x1a\n\0\0").message,
            "the file is binary data of an unknown kind, not CSV text"
        );
        let utf16: Vec<u8> = "rep_id\nR1\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(error("t.csv", &utf16).message, "no header row found");
    }

    #[test]
    fn tsv_files_are_tab_separated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.tsv");
        // Commas split these lines as evenly as tabs: only the extension picks the tab.
        std::fs::write(&path, b"rep_id\tname,x\nR1\tA,B\n").unwrap();
        let r = record(&path, &ReadOptions::default()).unwrap();
        assert_eq!(r.header.unwrap().names, ["rep_id", "name,x"]);
        assert_eq!(r.rows, [(2, vec!["R1".to_string(), "A,B".to_string()])]);
    }
}
