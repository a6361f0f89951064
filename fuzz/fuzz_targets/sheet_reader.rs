//! The spreadsheet readers (calamine underneath) on arbitrary bytes: nothing may panic.
//!
//! The same bytes are written as `t.xlsx`, `t.xlsb`, `t.xls` and `t.ods`; the
//! reader sniffs the content first, so a zip reaches the xlsx, xlsb and ods
//! readers and an OLE file the xls reader, and anything else stops at the sniff.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plan::engine::diag::Problem;
use plan::io::load::{self, Source};
use plan::io::planfile::TableOptions;
use plan::io::read::read_table;
use plan::io::table::{Cell, Header, ReadOptions, Row, RowVisitor};
use std::path::PathBuf;
use std::sync::OnceLock;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("plan-fuzz-sheet-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

struct Visitor {
    cells: usize,
}

impl RowVisitor for Visitor {
    fn is_header(&self, cells: &[String]) -> bool {
        cells.iter().any(|c| c == "a")
    }
    fn header(&mut self, header: &Header) -> Result<(), Problem> {
        self.cells += header.names.iter().map(|n| n.len()).sum::<usize>();
        Ok(())
    }
    fn row(&mut self, row: &Row<'_>) -> Result<(), Problem> {
        for c in row.cells {
            self.cells += match c {
                Cell::Text(t) | Cell::Error(t) => t.len(),
                _ => 1,
            };
        }
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    for name in ["t.xlsx", "t.xlsb", "t.xls", "t.ods"] {
        let path = dir().join(name);
        std::fs::write(&path, data).unwrap();
        let _ = read_table(
            &path,
            name,
            &ReadOptions::default(),
            &mut Visitor { cells: 0 },
        );
        if name == "t.xlsx" {
            // The targets loader turns spreadsheet numbers, dates and text into values.
            let options = TableOptions::default();
            let src = Source {
                path: &path,
                display: name,
                sheet: None,
                options: &options,
            };
            let mut problems = Vec::new();
            let _ = load::targets(&src, &["revenue".to_string()], &mut problems);
            let _ = load::reps(&src, &Default::default(), &mut problems);
        }
    }
});
