//! Inputs found by `cargo fuzz` (see fuzz/README.md) that once panicked.
//! Each must now be refused with a problem that names the file, not a panic.

#![allow(clippy::result_large_err)]

use plan::engine::diag::Problem;
use plan::input::read::read_table;
use plan::input::table::{Header, ReadOptions, Row, RowVisitor};
use std::path::Path;

/// Takes any row with an "a" cell as the header; keeps nothing.
struct Visitor;

impl RowVisitor for Visitor {
    fn is_header(&self, cells: &[String]) -> bool {
        cells.iter().any(|c| c == "a")
    }
    fn header(&mut self, _: &Header) -> Result<(), Problem> {
        Ok(())
    }
    fn row(&mut self, _: &Row<'_>) -> Result<(), Problem> {
        Ok(())
    }
}

/// Writes `bytes` as `name` in a fresh folder and reads it as a table.
fn read(name: &str, bytes: &[u8]) -> Result<(), Problem> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    read_table(
        Path::new(&path),
        name,
        &ReadOptions::default(),
        &mut Visitor,
    )
}

/// A 512-byte OLE (xls) header with 512-byte sectors, one FAT sector whose
/// number is DIFAT[0] = `fat`, and the directory starting at sector `dir_start`.
fn ole_header(fat: u32, dir_start: u32) -> Vec<u8> {
    let mut h = Vec::with_capacity(512);
    h.extend_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"); // signature
    h.extend_from_slice(&[0; 16]); // CLSID
    h.extend_from_slice(&[0x3E, 0x00, 0x03, 0x00]); // minor, major version 3
    h.extend_from_slice(&[0xFE, 0xFF, 0x09, 0x00, 0x06, 0x00]); // byte order, 512-byte sectors, 64-byte mini sectors
    h.extend_from_slice(&[0; 6]); // reserved
    h.extend_from_slice(&0u32.to_le_bytes()); // directory sectors
    h.extend_from_slice(&1u32.to_le_bytes()); // FAT sectors
    h.extend_from_slice(&dir_start.to_le_bytes()); // first directory sector
    h.extend_from_slice(&0u32.to_le_bytes()); // transaction signature
    h.extend_from_slice(&0x1000u32.to_le_bytes()); // mini stream cutoff
    h.extend_from_slice(&0xFFFF_FFFEu32.to_le_bytes()); // first mini FAT sector: none
    h.extend_from_slice(&0u32.to_le_bytes()); // mini FAT sectors
    h.extend_from_slice(&0xFFFF_FFFEu32.to_le_bytes()); // first DIFAT sector: none
    h.extend_from_slice(&0u32.to_le_bytes()); // DIFAT sectors
    h.extend_from_slice(&fat.to_le_bytes()); // DIFAT[0]: the one FAT sector …
    h.resize(512, 0xFF); // … and the other 108 DIFAT entries are free
    h
}

/// Reads `bytes` as `t.xls` and expects a problem naming the file.
fn refused_xls(bytes: &[u8]) {
    let problem = read("t.xls", bytes).expect_err("a damaged workbook is refused");
    assert!(problem.is_error());
    assert!(problem.to_string().contains("t.xls"), "{problem}");
}

/// The FAT is sector 0, and the file ends 2 bytes into it. calamine 0.38
/// panics in `cfb::Cfb::new` (cfb.rs:130 → utils.rs:29, `to_u32`:
/// "assertion `left == right` failed, left: 2, right: 0") instead of erring.
/// Fuzz input: fuzz/crashes/sheet_reader/crash-847d4b88f0f2af5190ef7ebfd117fe9bbdfbedab.
#[test]
fn fuzz_xls_truncated_fat_sector_2026_11_28() {
    let mut xls = ole_header(0, 0xFFFF_FFFE);
    xls.extend_from_slice(&[0, 0]); // sector 0: only 2 of its 512 bytes
    assert_eq!(xls.len(), 514);
    refused_xls(&xls);
}

/// A whole FAT sector 0, and the directory at sector 2, which starts past the
/// end of the file yet passes calamine's `id <= len / sector_size` check.
/// calamine 0.38 panics in `cfb::Sectors::get` (cfb.rs:320, via `get_chain`
/// from cfb.rs:138): "slice index starts at 1024 but ends at 512".
/// Fuzz input: fuzz/crashes/sheet_reader/crash-abba10ea582b8b39feecc44be0a1bac881b0d41d.
#[test]
fn fuzz_xls_directory_sector_past_end_2026_11_28() {
    let mut xls = ole_header(0, 2);
    xls.resize(1024, 0xFF); // sector 0, the FAT: every sector free
    assert_eq!(xls.len(), 1024);
    refused_xls(&xls);
}

/// A damaged `.xls` whose sector chain loops: calamine would allocate without
/// bound (libFuzzer: out-of-memory, malloc of 4 GiB).
#[test]
fn fuzz_xls_looping_sector_chain_oom_2026_11_28() {
    let bytes =
        include_bytes!("../fuzz/crashes/sheet_reader/oom-423ae32b151bd3de3b726f625f7eed72b574822c");
    let problem = read("t.xls", bytes).unwrap_err();
    assert!(problem.message.contains("damaged"), "{problem}");
    assert_eq!(problem.origin.unwrap().file, "t.xls");
}

/// A cell reference with a column too long for a u32 in the streamed
/// sheet: calamine 0.38 overflows in `get_row_and_optional_column`
/// (xlsx/mod.rs:3097, a panic with overflow checks) on the parsing thread.
/// The panic is caught as "damaged", and its message stays off stderr.
/// Fuzz input: fuzz/crashes/sheet_reader/crash-a3428169d8bd8b1de24f972ac14bc00f259715b5.
#[test]
fn fuzz_xlsx_column_overflow_on_the_parsing_thread_2026_12_04() {
    let bytes = include_bytes!(
        "../fuzz/crashes/sheet_reader/crash-a3428169d8bd8b1de24f972ac14bc00f259715b5"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.xlsx"), bytes).unwrap();
    std::fs::write(
        dir.path().join("plan.toml"),
        "[inputs]\ntargets = \"t.xlsx\"\nreps = \"t.xlsx\"\n",
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("plan")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "plan.toml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("t.xlsx: the workbook is damaged"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
