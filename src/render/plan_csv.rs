//! `plan.csv` (SPEC §3): rep rows, each team's rows after its reps', company rows last.

use crate::engine::layout::{Layout, Line, MetricLines, Periods};
use crate::engine::model::PlanInput;
use crate::render::figures::format_units;
use crate::render::rep_lines::lines_by_rep;
use std::fmt::Write;
use std::io;

use crate::folder::plan_csv::HEADER;

/// Renders `plan.csv` into `out`, a block at a time: UTF-8 without BOM, LF
/// line ends.
pub fn plan_csv(
    input: &PlanInput,
    periods: &Periods,
    layout: &Layout,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let mut buf = HEADER.join(",") + "\n";
    let write_line = |out: &mut String, ml: &MetricLines, line: &Line| {
        let metric = &input.metrics[ml.metric];
        let rep_id = line.rep.map_or("", |r| input.reps[r].id.as_str());
        for (i, v) in line.values.iter().enumerate() {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{}",
                field(&line.team),
                field(rep_id),
                field(&metric.name),
                periods.labels[i],
                periods.kinds[i].name(),
                format_units(*v, metric.unit, metric.kind)
            );
        }
    };
    // Each metric's line of each rep, found once (not by a search per rep).
    let metrics = &layout.metrics;
    let by_rep = lines_by_rep(metrics, input.reps.len());
    for key in &layout.teams {
        for (ri, _) in input
            .reps
            .iter()
            .enumerate()
            .filter(|(_, r)| r.team_key == *key)
        {
            for (ml, index) in metrics.iter().zip(&by_rep) {
                if let Some(line) = index[ri] {
                    write_line(&mut buf, ml, line);
                }
                spill(&mut buf, out)?;
            }
        }
        if key.is_empty() {
            continue;
        }
        for ml in metrics {
            if let Some(line) = ml.teams.iter().find(|l| l.team_key == *key) {
                write_line(&mut buf, ml, line);
            }
        }
    }
    for ml in metrics {
        write_line(&mut buf, ml, &ml.company);
    }
    out.write_all(buf.as_bytes())
}

/// Hands the lines made so far to `out` once they fill a block.
fn spill(buf: &mut String, out: &mut dyn io::Write) -> io::Result<()> {
    if buf.len() >= 1 << 16 {
        out.write_all(buf.as_bytes())?;
        buf.clear();
    }
    Ok(())
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
