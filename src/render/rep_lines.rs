//! How plan.csv, the letters and the period books walk the reps: each
//! metric's line of each rep, found once.

use crate::engine::layout::{Line, MetricLines};

/// Per metric (in `lines` order): input rep index (of `reps` reps) → the rep's line.
pub fn lines_by_rep(lines: &[MetricLines], reps: usize) -> Vec<Vec<Option<&Line>>> {
    lines
        .iter()
        .map(|ml| {
            let mut of = vec![None; reps];
            for line in &ml.reps {
                if let Some(r) = line.rep {
                    of[r] = Some(line);
                }
            }
            of
        })
        .collect()
}
