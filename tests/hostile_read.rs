//! Hostile inputs (issue 11): resource bombs and special files. Every file is
//! made here; each case runs the binary under a 1 GiB address-space limit
//! and a 120 s timeout, and asserts exit 3, the message's parts, an empty
//! stdout and that nothing outside the run's outputs changed.

mod support;

use std::io::Write;
use support::hostile::{assert_unchanged_outside, run_limited, snapshot};
use support::{Fixture, SMALL_PLAN};
use zip::write::SimpleFileOptions;

const LIMIT_MIB: u64 = 1024;

/// Runs `args` in `f` and asserts a refused input whose message holds every part of `parts`.
fn refused(f: &Fixture, args: &[&str], parts: &[&str]) -> String {
    let before = snapshot(f.dir.path());
    let o = run_limited(f.dir.path(), LIMIT_MIB, args);
    assert_eq!(o.code, 3, "{args:?}: {}", o.stderr);
    assert!(o.stdout.is_empty(), "stdout: {}", o.stdout);
    for part in parts {
        assert!(o.stderr.contains(part), "{part:?} not in: {}", o.stderr);
    }
    assert_unchanged_outside(&before, &snapshot(f.dir.path()), "out");
    o.stderr
}

/// [`refused`] for `plan check plan.toml`.
fn check_refused(f: &Fixture, parts: &[&str]) -> String {
    refused(f, &["check", "plan.toml"], parts)
}

/// The small fixture with its history read from `name`.
fn with_history(name: &str, bytes: &[u8]) -> Fixture {
    let f = Fixture::small();
    f.write("plan.toml", &SMALL_PLAN.replace("history.csv", name));
    f.write_bytes(name, bytes);
    f
}

/// A zip of `parts` (deflated).
fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        out.start_file(*name, SimpleFileOptions::default()).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// A minimal xlsx whose one sheet is `sheet_data` (and `extra` after it), with `strings` as its shared strings.
fn xlsx(sheet_data: &str, extra: &str, strings: &[u8]) -> Vec<u8> {
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData>{extra}</worksheet>"#
    );
    zip_of(&[
        ("[Content_Types].xml", br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#),
        ("_rels/.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ("xl/workbook.xml", br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sales" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
        ("xl/sharedStrings.xml", strings),
    ])
}

const HEADER_ROW: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>date</t></is></c><c r="B1" t="inlineStr"><is><t>rep_id</t></is></c><c r="C1" t="inlineStr"><is><t>amount</t></is></c></row>"#;
const FAR_CELL: &str = r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
const NO_STRINGS: &[u8] = br#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>"#;

#[test]
fn xlsx_far_cell_with_a_merge_is_refused_by_its_claim() {
    let merge = r#"<mergeCells count="1"><mergeCell ref="A2:A3"/></mergeCells>"#;
    let book = xlsx(&format!("{HEADER_ROW}{FAR_CELL}"), merge, NO_STRINGS);
    let f = with_history("history.xlsx", &book);
    check_refused(
        &f,
        &[
            "history.xlsx",
            "sheet \"Sales\"",
            "claims 1,048,576 × 16,384 cells",
            "holds 4",
        ],
    );
}

#[test]
fn xlsx_far_cell_without_a_merge_is_streamed_and_refused_as_a_stray_value() {
    let book = xlsx(&format!("{HEADER_ROW}{FAR_CELL}"), "", NO_STRINGS);
    let f = with_history("history.xlsx", &book);
    check_refused(
        &f,
        &[
            "history.xlsx",
            "sheet \"Sales\"",
            "XFD1048576",
            "value in a column without a header",
        ],
    );
}

#[test]
fn xlsx_huge_shared_strings_are_refused_by_the_inflation_budget() {
    let strings = "<si><t>a</t></si>".repeat(5_000_000);
    let book = xlsx(HEADER_ROW, "", strings.as_bytes());
    assert!(book.len() < 1 << 20, "{}", book.len());
    let f = with_history("history.xlsx", &book);
    check_refused(
        &f,
        &[
            "history.xlsx",
            "the workbook inflates to 82 MiB",
            "at most 64 MiB",
        ],
    );
}

#[test]
fn a_zip_bomb_sheet_part_is_refused() {
    let rows = format!(
        "{HEADER_ROW}{}",
        "<row><c><v>1</v></c></row>".repeat(3_000_000)
    );
    let book = xlsx(&rows, "", NO_STRINGS);
    let f = with_history("history.xlsx", &book);
    refused(
        &f,
        &["split", "plan.toml", "--out", "out"],
        &["history.xlsx", "inflates to", "MiB"],
    );
    assert!(!f.path("out").exists());
}

/// Rewrites the declared uncompressed size of `part` (local header and central directory) to `size`.
fn lie_about_size(zip: &mut [u8], part: &str, size: u32) {
    let name = part.as_bytes();
    for at in 0..zip.len().saturating_sub(46) {
        let (field, name_at) = match &zip[at..at + 4] {
            b"PK\x03\x04" => (at + 22, at + 30),
            b"PK\x01\x02" => (at + 24, at + 46),
            _ => continue,
        };
        if zip.get(name_at..name_at + name.len()) == Some(name) {
            zip[field..field + 4].copy_from_slice(&size.to_le_bytes());
        }
    }
}

/// The zip crate refuses a part that inflates past its declared size (the
/// declared sizes are what the inflation budget checks).
#[test]
fn a_part_larger_than_its_declared_size_is_refused() {
    let mut book = xlsx(HEADER_ROW, "", NO_STRINGS);
    lie_about_size(&mut book, "xl/worksheets/sheet1.xml", 100);
    let f = with_history("history.xlsx", &book);
    check_refused(
        &f,
        &[
            "history.xlsx",
            "sheet \"Sales\"",
            "larger than its declared uncompressed size",
        ],
    );
}

/// A minimal ods whose one table holds `rows`.
fn ods(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Sales">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    out.start_file("mimetype", stored).unwrap();
    out.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    out.start_file("content.xml", SimpleFileOptions::default())
        .unwrap();
    out.write_all(content.as_bytes()).unwrap();
    out.finish().unwrap().into_inner()
}

const ODS_HEADER: &str = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>rep_id</text:p></table:table-cell></table:table-row>"#;

#[test]
fn ods_repeated_rows_are_refused_by_their_claim() {
    let rows = format!(
        r#"{ODS_HEADER}<table:table-row table:number-rows-repeated="1048575"><table:table-cell office:value-type="float" office:value="1"/></table:table-row>"#
    );
    let book = ods(&rows);
    assert!(book.len() < 2000);
    let f = with_history("history.ods", &book);
    check_refused(
        &f,
        &[
            "history.ods",
            "sheet \"Sales\"",
            "claims 1,048,576 × 1 cells",
            "holds 2",
        ],
    );
}

#[test]
fn ods_repeated_columns_and_rows_are_refused_by_their_claim() {
    let rows = format!(
        r#"{ODS_HEADER}<table:table-row table:number-rows-repeated="100000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#
    );
    let f = with_history("history.ods", &ods(&rows));
    check_refused(
        &f,
        &[
            "history.ods",
            "sheet \"Sales\"",
            "claims 100,001 × 16,384 cells",
        ],
    );
}

#[test]
fn ods_far_cell_past_empty_repeats_is_refused() {
    let rows = format!(
        r#"{ODS_HEADER}<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16383"/><table:table-cell office:value-type="float" office:value="1"/></table:table-row>"#
    );
    let f = with_history("history.ods", &ods(&rows));
    check_refused(&f, &["history.ods", "claims 1,048,576 × 16,384 cells"]);
}

#[test]
fn a_million_bad_history_rows_keep_fifty_problems_and_count_the_rest() {
    let mut history = String::from("date,rep_id,amount,visits\n");
    history.push_str(&"2026-01-10,N1,abc,1\n".repeat(1_000_000));
    let f = with_history("history.csv", history.as_bytes());
    let stderr = check_refused(
        &f,
        &[
            "history.csv, row 51, column C (amount)",
            "… and 999,950 more",
            "1000000 problems",
        ],
    );
    assert!(!stderr.contains("row 52,"), "{stderr}");
    let o = run_limited(f.dir.path(), LIMIT_MIB, &["check", "plan.toml", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["left_out"], 999_950);
    assert_eq!(v["problems"].as_array().unwrap().len(), 51);
}

fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn fifo_inputs_are_refused_without_blocking() {
    let f = Fixture::small();
    std::fs::remove_file(f.path("history.csv")).unwrap();
    mkfifo(&f.path("history.csv"));
    let parts = [
        "history.csv",
        "it is a named pipe (FIFO), not a regular file",
    ];
    check_refused(&f, &parts);
    refused(&f, &["split", "plan.toml", "--out", "out"], &parts);
    assert!(!f.path("out").exists());
}

#[test]
fn a_plan_file_that_is_a_fifo_is_refused() {
    let f = Fixture::small();
    mkfifo(&f.path("fifo.toml"));
    refused(
        &f,
        &["check", "fifo.toml"],
        &["fifo.toml", "cannot read the plan file", "named pipe"],
    );
}

#[test]
fn a_link_to_dev_zero_as_history_and_a_folder_as_reps_are_refused() {
    let f = Fixture::small();
    std::fs::remove_file(f.path("history.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", f.path("history.csv")).unwrap();
    check_refused(&f, &["history.csv", "it is a device, not a regular file"]);
    std::fs::remove_file(f.path("reps.csv")).unwrap();
    std::fs::create_dir(f.path("reps.csv")).unwrap();
    check_refused(&f, &["reps.csv", "it is a folder, not a regular file"]);
}

#[test]
fn track_refuses_a_plan_csv_that_is_a_link_to_dev_zero_or_a_fifo() {
    let f = Fixture::small();
    f.split_ok();
    f.write("actuals.csv", "date,rep_id,amount\n2027-01-10,N1,5\n");
    let track = support::TRACK_MARCH;
    std::fs::remove_file(f.path("out/plan.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", f.path("out/plan.csv")).unwrap();
    refused(
        &f,
        &track,
        &["out/plan.csv", "it is a device, not a regular file"],
    );
    std::fs::remove_file(f.path("out/plan.csv")).unwrap();
    mkfifo(&f.path("out/plan.csv"));
    refused(&f, &track, &["out/plan.csv", "named pipe"]);
    std::fs::remove_file(f.path("out/manifest.json")).unwrap();
    mkfifo(&f.path("out/manifest.json"));
    refused(&f, &track, &["out/manifest.json", "named pipe"]);
}

#[test]
fn xls_far_cell_written_by_libreoffice_is_refused_by_its_claim() {
    if std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: soffice is not installed (apt-get install libreoffice-calc-nogui)");
        return;
    }
    // A history with its header, one row, and a stray value at IV65536.
    let mut csv = String::from("date,rep_id,amount\n2026-01-10,N1,5\n");
    csv.push_str(&"\n".repeat(65_533));
    csv.push_str(&",".repeat(255));
    csv.push_str("x\n");
    let f = with_history("far.xls", b"");
    let work = f.path("convert");
    std::fs::create_dir(&work).unwrap();
    std::fs::write(work.join("far.csv"), csv).unwrap();
    let converted = std::process::Command::new("soffice")
        .args(["--headless", "--convert-to", "xls", "--outdir"])
        .arg(&work)
        .arg(work.join("far.csv"))
        .env("HOME", &work)
        .output()
        .unwrap();
    assert!(converted.status.success(), "{converted:?}");
    std::fs::copy(work.join("far.xls"), f.path("far.xls")).unwrap();
    std::fs::remove_dir_all(&work).unwrap();
    check_refused(&f, &["far.xls", "claims 65,536 × 256 cells"]);
}
