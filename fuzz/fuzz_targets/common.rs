//! What the reader targets share: a scratch folder per process and a visitor.

use plan::engine::diag::Problem;
use plan::input::table::{Cell, Header, Row, RowVisitor};
use std::path::PathBuf;
use std::sync::OnceLock;

/// A fixed folder per process (`tag` names the target): parallel fuzz jobs never share a file.
pub fn dir(tag: &str) -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("plan-fuzz-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

/// Takes the row with an "a" cell as header and looks at every cell.
#[derive(Default)]
pub struct Visitor {
    pub cells: usize,
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
