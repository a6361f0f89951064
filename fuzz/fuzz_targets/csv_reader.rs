//! The CSV reader and the table loaders on arbitrary bytes: nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plan::engine::diag::Problem;
use plan::io::load::{self, RepLookup, Source};
use plan::io::planfile::TableOptions;
use plan::io::read::read_table;
use plan::io::table::{Cell, Header, ReadOptions, Row, RowVisitor};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A fixed folder per process: parallel fuzz jobs never share a file.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("plan-fuzz-csv-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

/// Takes the row with an "a" cell as header and looks at every cell.
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
    let path = dir().join("t.csv");
    std::fs::write(&path, data).unwrap();

    for encoding in [None, Some("gbk".to_string())] {
        let opts = ReadOptions {
            encoding,
            ..ReadOptions::default()
        };
        let _ = read_table(&path, "t.csv", &opts, &mut Visitor { cells: 0 });
    }

    // The same bytes as each of the four input tables, through the full loaders.
    let options = TableOptions::default();
    let src = Source {
        path: &path,
        display: "t.csv",
        sheet: None,
        options: &options,
    };
    let mut problems = Vec::new();
    let mut levels = BTreeMap::new();
    levels.insert("senior".to_string(), 1.3);
    let reps = load::reps(&src, &levels, &mut problems);
    let _ = load::targets(
        &src,
        &["revenue".to_string(), "visits".to_string()],
        &mut problems,
    );
    let _ = load::holidays(&src, &mut problems);
    for by_name in [false, true] {
        let lookup = RepLookup {
            reps: &reps,
            by_name,
        };
        let _ = load::history(
            &src,
            &lookup,
            &["amount".to_string(), "visits".to_string()],
            &mut problems,
        );
    }
    for p in &problems {
        let _ = p.to_string();
    }
});
