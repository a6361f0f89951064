//! The CSV reader and the table loaders on arbitrary bytes: nothing may panic.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use plan::input::options::TableOptions;
use plan::input::read::read_table;
use plan::input::table::ReadOptions;
use plan::input::tables::{self, RepLookup, Source, ValueColumn};
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let path = common::dir("csv").join("t.csv");
    std::fs::write(&path, data).unwrap();

    for encoding in [None, Some("gbk".to_string())] {
        let opts = ReadOptions {
            encoding,
            ..ReadOptions::default()
        };
        let _ = read_table(&path, "t.csv", &opts, &mut common::Visitor::default());
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
    let reps = tables::reps(&src, &levels, false, &mut problems);
    let _ = tables::targets(
        &src,
        &["revenue".to_string(), "visits".to_string()],
        &mut problems,
    );
    let _ = tables::holidays(&src, &mut problems);
    let columns = ["amount", "visits"].map(|name| ValueColumn {
        name: name.to_string(),
        needed_by: Some(name.to_string()),
    });
    for (by_name, by_team) in [(false, false), (true, false), (false, true)] {
        let lookup = RepLookup {
            reps: &reps,
            by_name,
            by_team,
            need_rep: true,
        };
        let _ = tables::history(&src, &lookup, &columns, &mut problems);
    }
    for p in &problems {
        let _ = p.to_string();
    }
});
