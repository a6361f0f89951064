//! Input tables into the planning model: the shared reading of a table
//! (its source, header, filters and cells) and one module per table. Every
//! problem names its cell; problems are collected, not stopped at, so `plan
//! check` can list them all.

mod base;

pub use base::Source;

/// Implements [`RowVisitor`](crate::input::table::RowVisitor) for a table's
/// visitor: its `base` finds the header and filters rows, its `take` reads one.
macro_rules! visitor {
    ($t:ty) => {
        impl RowVisitor for $t {
            fn is_header(&self, cells: &[String]) -> bool {
                self.base.is_header(cells)
            }
            fn header(&mut self, header: &Header) -> Result<(), Problem> {
                self.base.header(header)
            }
            fn row(&mut self, row: &Row<'_>) -> Result<(), Problem> {
                if self.base.keep(row) {
                    self.base.rows += 1;
                    self.take(row);
                }
                Ok(())
            }
        }
    };
}

mod history;
mod holidays;
mod previous;
mod reps;
mod targets;

pub use history::{history, RepLookup, ValueColumn};
pub use holidays::holidays;
pub use previous::previous_targets;
pub use reps::reps;
pub use targets::targets;
