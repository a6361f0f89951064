//! CSV input: encoding, delimiter and header row are settled from the start of
//! the file ([`sniff`]), then records are streamed one at a time.

mod sniff;

use crate::engine::diag::{Code, Origin, Problem};
use crate::input::table::{
    no_header, not_header_row, read_error, Cell, Header, ReadOptions, Row, RowVisitor,
    HEADER_SEARCH_ROWS,
};
use encoding_rs::{Encoding, UTF_8};
use sniff::{decode, detect_delimiter, unknown_encoding, SNIFF_BYTES};
use std::collections::VecDeque;
use std::io::{self, Cursor, Read};
use std::ops::Range;
use std::sync::mpsc;

/// Reads CSV from `input` (positioned at the file's start) and streams it to `visitor`.
///
/// A BOM (UTF-8 or UTF-16) decides the encoding; otherwise `opts.encoding`, else
/// UTF-8. UTF-8 is streamed; other encodings are decoded whole first.
pub(crate) fn read_csv(
    mut input: impl Read + Send,
    origin: &Origin,
    opts: &ReadOptions,
    visitor: &mut dyn RowVisitor,
) -> Result<(), Problem> {
    let mut head = Vec::new();
    (&mut input)
        .take(SNIFF_BYTES)
        .read_to_end(&mut head)
        .map_err(|e| read_error(origin, &e))?;
    let (encoding, bom) = match Encoding::for_bom(&head) {
        Some(found) => found,
        None => match &opts.encoding {
            Some(label) => (unknown_encoding(label, origin)?, 0),
            None => (UTF_8, 0),
        },
    };
    if encoding == UTF_8 {
        let complete = (head.len() as u64) < SNIFF_BYTES;
        let delimiter = opts
            .delimiter
            .unwrap_or_else(|| detect_delimiter(&head[bom..], complete));
        return parse(
            Cursor::new(&head[bom..]).chain(input),
            delimiter,
            origin,
            opts,
            visitor,
        );
    }
    input
        .read_to_end(&mut head)
        .map_err(|e| read_error(origin, &e))?;
    let text = decode(&head[bom..], encoding, origin)?;
    drop(head);
    let delimiter = opts
        .delimiter
        .unwrap_or_else(|| detect_delimiter(text.as_bytes(), true));
    parse(text.as_bytes(), delimiter, origin, opts, visitor)
}

/// Records parsed ahead of the visitor, as trimmed text.
#[derive(Default)]
struct Batch {
    text: String,
    /// Byte ranges of the fields in `text`.
    fields: Vec<(usize, usize)>,
    /// Per record: the line it starts on and its range in `fields`.
    records: Vec<(u32, Range<usize>)>,
}

/// Records per batch passed from the parsing thread to the visitor.
const BATCH_RECORDS: usize = 4096;

/// Streams records: rows above the header are skipped, the header is found,
/// then every non-empty row goes to `visitor`, padded to the header's width.
/// A second thread parses the CSV (and checks UTF-8) while this one visits.
fn parse(
    input: impl Read + Send,
    delimiter: u8,
    origin: &Origin,
    opts: &ReadOptions,
    visitor: &mut dyn RowVisitor,
) -> Result<(), Problem> {
    std::thread::scope(|scope| {
        let (batches, received) = mpsc::sync_channel(4);
        scope.spawn(move || split(input, delimiter, origin, batches));
        visit(received, origin, opts, visitor)
    })
}

/// Parses records into batches until the input ends, a record is malformed
/// (sent after the records before it) or the visitor stops listening.
fn split(
    input: impl Read,
    delimiter: u8,
    origin: &Origin,
    batches: mpsc::SyncSender<Result<Batch, Problem>>,
) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(LineBreaks::new(input));
    let mut record = csv::ByteRecord::new();
    let mut batch = Batch::default();
    let failed = loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break None,
            Err(e) => break Some(csv_error(origin, e)),
        }
        let end = reader.position().byte();
        let inside = memchr::memchr_iter(b'\n', record.as_slice()).count() as u32;
        let line = reader.get_mut().line_before(end).saturating_sub(inside);
        let first = batch.fields.len();
        let mut bad = None;
        for (i, field) in record.iter().enumerate() {
            match std::str::from_utf8(field) {
                Ok(text) => {
                    let start = batch.text.len();
                    batch.text.push_str(text.trim());
                    batch.fields.push((start, batch.text.len()));
                }
                Err(e) => {
                    bad = Some(not_utf8(origin, &record, line, i, e));
                    break;
                }
            }
        }
        if bad.is_some() {
            batch.fields.truncate(first);
            break bad;
        }
        batch.records.push((line, first..batch.fields.len()));
        if batch.records.len() == BATCH_RECORDS
            && batches.send(Ok(std::mem::take(&mut batch))).is_err()
        {
            return;
        }
    };
    if batches.send(Ok(batch)).is_ok() {
        if let Some(p) = failed {
            let _ = batches.send(Err(p));
        }
    }
}

/// Finds the header among the batches' records and passes every later
/// non-empty record to `visitor`.
fn visit(
    batches: mpsc::Receiver<Result<Batch, Problem>>,
    origin: &Origin,
    opts: &ReadOptions,
    visitor: &mut dyn RowVisitor,
) -> Result<(), Problem> {
    let mut spare: Vec<Cell> = Vec::new();
    let mut width = None;
    let (mut searched, mut any) = (0, false);
    for batch in batches {
        let batch = batch?;
        for (line, fields) in &batch.records {
            let line = *line;
            let mut cells = Cell::reuse(std::mem::take(&mut spare));
            cells.extend(batch.fields[fields.clone()].iter().map(|&(a, b)| {
                if a == b {
                    Cell::Empty
                } else {
                    Cell::Text(&batch.text[a..b])
                }
            }));
            let used = cells
                .iter()
                .rposition(|c| *c != Cell::Empty)
                .map_or(0, |i| i + 1);
            if used == 0 {
                continue;
            }
            any = true;
            let Some(width) = width else {
                let texts: Vec<String> = cells[..used]
                    .iter()
                    .map(|c| text_of(*c).to_string())
                    .collect();
                if !header_at(line, &texts, opts, &mut searched, &*visitor, origin)? {
                    continue;
                }
                visitor.header(&Header {
                    origin: origin.at_row(line),
                    names: texts,
                    date1904: false,
                })?;
                width = Some(used);
                continue;
            };
            if used > width {
                return Err(extra_column(&cells, used, width, line, origin));
            }
            cells.resize(width, Cell::Empty);
            visitor.row(&Row {
                number: line,
                cells: &cells,
            })?;
            spare = Cell::reuse(cells);
        }
    }
    match (width, opts.header_row) {
        (Some(_), _) => Ok(()),
        _ if !any => Err(Problem::error(
            Code::EmptyFile,
            Some(origin.clone()),
            "the file is empty",
        )),
        (None, Some(n)) => Err(not_header_row(origin, n, &[])),
        (None, None) => Err(no_header(origin)),
    }
}

/// Whether the header search takes row `line` (its `texts`) for the header:
/// `Ok(false)` to look on, an error once it cannot be found.
fn header_at(
    line: u32,
    texts: &[String],
    opts: &ReadOptions,
    searched: &mut usize,
    visitor: &dyn RowVisitor,
    origin: &Origin,
) -> Result<bool, Problem> {
    match opts.header_row {
        Some(n) if line < n => Ok(false),
        Some(n) if line > n || !visitor.is_header(texts) => Err(not_header_row(
            origin,
            n,
            if line == n { texts } else { &[] },
        )),
        None if !visitor.is_header(texts) => {
            *searched += 1;
            if *searched == HEADER_SEARCH_ROWS {
                return Err(no_header(origin));
            }
            Ok(false)
        }
        _ => Ok(true),
    }
}

/// Row `line` has `used` fields, more than the header's `width`: the first extra one is an error.
fn extra_column(cells: &[Cell], used: usize, width: usize, line: u32, origin: &Origin) -> Problem {
    let col = width
        + cells[width..]
            .iter()
            .position(|c| *c != Cell::Empty)
            .unwrap_or(0);
    Problem::error(
        Code::ExtraColumn,
        Some(Origin {
            row: Some(line),
            col: Some(col as u32),
            ..origin.clone()
        }),
        format!("row has {used} fields but the header has {width} (a shifted column?)"),
    )
    .with_value(text_of(cells[col]))
    .with_hint("quote fields that contain the delimiter")
}

/// Passes the input to the CSV parser, noting where its line breaks are, so
/// that each record gets the line an editor shows (the csv crate's own count
/// is off after blank lines and CRLF line ends).
struct LineBreaks<R> {
    input: R,
    /// Bytes passed on so far.
    offset: u64,
    /// Offsets of the line breaks not yet before a record's end.
    ahead: VecDeque<u64>,
    /// Line breaks before the last record's end, and the offset of the last one.
    passed: u32,
    last: Option<u64>,
}

impl<R> LineBreaks<R> {
    fn new(input: R) -> Self {
        LineBreaks {
            input,
            offset: 0,
            ahead: VecDeque::new(),
            passed: 0,
            last: None,
        }
    }

    /// The line of the last byte before `end` that is not the line break ending a record.
    fn line_before(&mut self, end: u64) -> u32 {
        while let Some(at) = self.ahead.front().copied().filter(|&at| at < end) {
            self.ahead.pop_front();
            (self.passed, self.last) = (self.passed + 1, Some(at));
        }
        1 + self.passed - u32::from(self.last.is_some_and(|at| at + 1 == end))
    }
}

impl<R: Read> Read for LineBreaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.input.read(buf)?;
        let offset = self.offset;
        self.ahead
            .extend(memchr::memchr_iter(b'\n', &buf[..n]).map(|i| offset + i as u64));
        self.offset += n as u64;
        Ok(n)
    }
}

fn text_of(cell: Cell<'_>) -> &str {
    match cell {
        Cell::Text(text) => text,
        _ => "",
    }
}

fn csv_error(origin: &Origin, e: csv::Error) -> Problem {
    match e.kind() {
        csv::ErrorKind::Io(io) => read_error(origin, io),
        _ => Problem::error(
            Code::Damaged,
            Some(origin.clone()),
            format!("cannot read: {e}"),
        ),
    }
}

/// Field `i` of `record` (which starts on `line`) is not UTF-8: names the line
/// of the first bad byte, counting line breaks inside quoted fields.
fn not_utf8(
    origin: &Origin,
    record: &csv::ByteRecord,
    line: u32,
    i: usize,
    e: std::str::Utf8Error,
) -> Problem {
    let field = record.range(i).unwrap_or(0..0);
    let before = &record.as_slice()[..field.start + e.valid_up_to()];
    let line = line + before.iter().filter(|&&b| b == b'\n').count() as u32;
    Problem::error(
        Code::Encoding,
        Some(Origin {
            row: Some(line),
            col: Some(i as u32),
            ..origin.clone()
        }),
        "bytes that are not valid UTF-8",
    )
    .with_value(String::from_utf8_lossy(&record[i]).trim())
    .with_hint("set `encoding` for this table in the plan file, e.g. encoding = \"gbk\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::table::testing::Recorder;
    use std::path::{Path, PathBuf};

    /// Reads the CSV file at `path` (shown as its file name) into a [`Recorder`].
    fn record(path: &Path, opts: &ReadOptions) -> Result<Recorder, Problem> {
        let mut recorder = Recorder::default();
        let origin = Origin::file(path.file_name().unwrap().to_str().unwrap());
        let file = std::fs::File::open(path).unwrap();
        read_csv(file, &origin, opts, &mut recorder).map(|()| recorder)
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn read(name: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Recorder, Problem> {
        let dir = tempfile::tempdir().unwrap();
        record(&write(dir.path(), name, bytes), opts)
    }

    fn rows(r: &Recorder) -> Vec<(u32, Vec<&str>)> {
        r.rows
            .iter()
            .map(|(n, cells)| (*n, cells.iter().map(String::as_str).collect()))
            .collect()
    }

    fn names(r: &Recorder) -> (Option<u32>, Vec<&str>) {
        let header = r.header.as_ref().unwrap();
        (
            header.origin.row,
            header.names.iter().map(String::as_str).collect(),
        )
    }

    #[test]
    fn utf8_with_bom_title_rows_and_ragged_rows() {
        let csv = "\u{feff}Sales reps 2027\n\n rep_id , name ,fte,,\nR1, Ann ,1\n\n , ,\nR2,\"Bo, \"\"B\"\"\"\nR3,Cy,0.5,,\n";
        for csv in [csv.to_string(), csv.replace('\n', "\r\n")] {
            let r = read("reps.csv", csv.as_bytes(), &ReadOptions::default()).unwrap();
            assert_eq!(names(&r), (Some(3), vec!["rep_id", "name", "fte"]));
            assert_eq!(r.header.as_ref().unwrap().origin.file, "reps.csv");
            let expected = [
                (4, vec!["R1", "Ann", "1"]),
                (7, vec!["R2", "Bo, \"B\"", ""]),
                (8, vec!["R3", "Cy", "0.5"]),
            ];
            assert_eq!(rows(&r), expected);
        }
    }

    #[test]
    fn header_only_and_quoted_line_breaks() {
        let r = read("reps.csv", b"rep_id,name\r\n", &ReadOptions::default()).unwrap();
        assert_eq!(names(&r), (Some(1), vec!["rep_id", "name"]));
        assert!(r.rows.is_empty());
        let r = read(
            "reps.csv",
            b"rep_id,note\nR1,\"two\nlines\"\nR2,x\n",
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(
            rows(&r),
            [(2, vec!["R1", "two\nlines"]), (4, vec!["R2", "x"])]
        );
    }

    #[test]
    fn delimiters_detected_or_set() {
        let semicolons = "Umsatz\nrep_id;amount;team\nR1;1,5;Nord\nR2;2,25;Süd\n";
        let r = read("h.csv", semicolons.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(
            rows(&r),
            [
                (3, vec!["R1", "1,5", "Nord"]),
                (4, vec!["R2", "2,25", "Süd"])
            ]
        );
        let tabs = b"rep_id\tamount\nR1\t1,000\n";
        let r = read("h.txt", tabs, &ReadOptions::default()).unwrap();
        assert_eq!(rows(&r), [(2, vec!["R1", "1,000"])]);
        let r = read("h.tsv", b"rep_id\tname\nR1\tA,B\n", &ReadOptions::default()).unwrap();
        assert_eq!(rows(&r), [(2, vec!["R1", "A,B"])]);
        let opts = ReadOptions {
            delimiter: Some(b'|'),
            ..ReadOptions::default()
        };
        let r = read("h.csv", b"rep_id|name\nR1|A,B;C\n", &opts).unwrap();
        assert_eq!(rows(&r), [(2, vec!["R1", "A,B;C"])]);
        assert_eq!(detect_delimiter(b"a,b\n\"x;y\",1\n\"1;2\",3\n", true), b',');
        assert_eq!(detect_delimiter(b"a;b;c\n1;\"2,3,4\";5\n", true), b';');
        assert_eq!(detect_delimiter(b"one column\nx\n", true), b',');
    }

    #[test]
    fn gbk_and_utf16() {
        let (gbk, _, _) = encoding_rs::GBK.encode("工号,rep_id,姓名\nR1,R1,张三\n");
        let opts = ReadOptions {
            encoding: Some(" GBK ".into()),
            ..ReadOptions::default()
        };
        let r = read("reps.csv", &gbk, &opts).unwrap();
        assert_eq!(names(&r).1, ["工号", "rep_id", "姓名"]);
        assert_eq!(rows(&r), [(2, vec!["R1", "R1", "张三"])]);
        let p = read("reps.csv", &gbk, &ReadOptions::default()).unwrap_err();
        assert_eq!(p.origin.and_then(|o| o.row), Some(1));
        assert_eq!(p.message, "bytes that are not valid UTF-8");

        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(
            "rep_id\tname\nR1\tZoë\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        let r = read("reps.txt", &utf16, &ReadOptions::default()).unwrap();
        assert_eq!(rows(&r), [(2, vec!["R1", "Zoë"])]);
        let opts = ReadOptions {
            encoding: Some("utf-16le".into()),
            ..ReadOptions::default()
        };
        let r = read("reps.txt", &utf16[2..], &opts).unwrap();
        assert_eq!(rows(&r), [(2, vec!["R1", "Zoë"])]);
    }

    #[test]
    fn invalid_bytes_name_the_line() {
        let p = read(
            "h.csv",
            b"rep_id,name\nR1,Ann\nR2,Zh\xC4\xE3ng\n",
            &ReadOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            p.origin,
            Some(Origin {
                row: Some(3),
                col: Some(1),
                ..Origin::file("h.csv")
            })
        );
        assert_eq!(p.value.as_deref(), Some("Zh\u{FFFD}\u{FFFD}ng"));
        assert_eq!(
            p.hint.as_deref(),
            Some("set `encoding` for this table in the plan file, e.g. encoding = \"gbk\"")
        );
        let p = read(
            "h.csv",
            b"rep_id,note\nR1,\"a\nb\xFF\"\n",
            &ReadOptions::default(),
        )
        .unwrap_err();
        assert_eq!(p.origin.unwrap().row, Some(3));

        let opts = ReadOptions {
            encoding: Some("shift_jis".into()),
            ..ReadOptions::default()
        };
        let p = read("h.csv", b"rep_id\nR1\n\x81\x20\n", &opts).unwrap_err();
        assert_eq!(p.to_string(), "h.csv, row 3: bytes that are not valid Shift_JIS (hint: check the file's encoding and set `encoding` for this table in the plan file)");
        let opts = ReadOptions {
            encoding: Some("klingon".into()),
            ..ReadOptions::default()
        };
        assert_eq!(
            read("h.csv", b"rep_id\n", &opts).unwrap_err().message,
            "unknown encoding \"klingon\""
        );
    }

    #[test]
    fn long_rows_are_errors_short_rows_are_padded() {
        let csv = b"rep_id,name,fte\nR1,Ann\nR2,Bo,1,,\nR3,Cy,1,,x\n";
        let p = read("reps.csv", csv, &ReadOptions::default()).unwrap_err();
        assert_eq!(
            p.origin,
            Some(Origin {
                row: Some(4),
                col: Some(4),
                ..Origin::file("reps.csv")
            })
        );
        assert_eq!(
            p.to_string(),
            "reps.csv, row 4, column E: row has 5 fields but the header has 3 (a shifted column?), found \"x\" (hint: quote fields that contain the delimiter)"
        );
    }

    #[test]
    fn header_row_option_and_missing_header() {
        let csv = b"rep_id is below\n\nrep_id,name\nR1,Ann\n";
        let opts = ReadOptions {
            header_row: Some(3),
            ..ReadOptions::default()
        };
        let r = read("reps.csv", csv, &opts).unwrap();
        assert_eq!(
            (names(&r).0, rows(&r)),
            (Some(3), vec![(4, vec!["R1", "Ann"])])
        );
        let opts = ReadOptions {
            header_row: Some(4),
            ..ReadOptions::default()
        };
        let p = read("reps.csv", csv, &opts).unwrap_err();
        assert_eq!(p.to_string(), "reps.csv, row 4: row 4 is not a header row, found \"R1, Ann\" (hint: check `header_row` for this table in the plan file)");
        let opts = ReadOptions {
            header_row: Some(2),
            ..ReadOptions::default()
        };
        assert_eq!(
            read("reps.csv", csv, &opts).unwrap_err().message,
            "row 2 is not a header row: it is empty"
        );

        let p = read("reps.csv", b"id,name\nR1,Ann\n", &ReadOptions::default()).unwrap_err();
        assert_eq!(
            (p.message.as_str(), p.origin),
            ("no header row found", Some(Origin::file("reps.csv")))
        );
        let many = "x\n".repeat(60) + "rep_id\n";
        assert!(read("reps.csv", many.as_bytes(), &ReadOptions::default())
            .unwrap_err()
            .message
            .starts_with("no header row"));
        assert_eq!(
            read("reps.csv", b"\xEF\xBB\xBF\n ,\n", &ReadOptions::default())
                .unwrap_err()
                .message,
            "the file is empty"
        );
    }
}
