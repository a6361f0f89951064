//! The spreadsheet readers (calamine underneath) on arbitrary bytes: nothing may panic.
//!
//! The same bytes are written as `t.xlsx`, `t.xlsb`, `t.xls` and `t.ods`; the
//! reader sniffs the content first, so a zip reaches the xlsx, xlsb and ods
//! readers and an OLE file the xls reader, and anything else stops at the sniff.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use plan::input::options::TableOptions;
use plan::input::read::read_table;
use plan::input::table::ReadOptions;
use plan::input::tables::{self, Source};

fuzz_target!(|data: &[u8]| {
    for name in ["t.xlsx", "t.xlsb", "t.xls", "t.ods"] {
        let path = common::dir("sheet").join(name);
        std::fs::write(&path, data).unwrap();
        let _ = read_table(
            &path,
            name,
            &ReadOptions::default(),
            &mut common::Visitor::default(),
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
            let _ = tables::targets(&src, &["revenue".to_string()], &mut problems);
            let _ = tables::reps(&src, &Default::default(), false, &mut problems);
        }
    }
});
