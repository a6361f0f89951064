//! How plan.csv, the letters and the period books walk the reps: each
//! metric's line of each rep, found once, and the teams in order of first
//! appearance in the reps file.

use crate::engine::layout::{Line, MetricLines};
use crate::engine::model::Rep;

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

/// The reps' team keys, each once, in order of first appearance.
pub fn team_order(reps: &[Rep]) -> Vec<&str> {
    let mut teams: Vec<&str> = Vec::new();
    for r in reps {
        if !teams.contains(&r.team_key.as_str()) {
            teams.push(&r.team_key);
        }
    }
    teams
}
