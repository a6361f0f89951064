//! `plan.csv` (SPEC §3): rep rows, each team's rows after its reps', company rows last.

use crate::engine::layout::{Line, MetricLines, Periods};
use crate::engine::model::{MetricKind, PlanInput};
use rust_decimal::Decimal;
use std::fmt::Write;
use std::io;

use crate::folder::plan_csv::HEADER;

/// A figure in units as a plain decimal: money with at least two decimals, counts as integers.
pub fn format_units(units: i64, unit: Decimal, kind: MetricKind) -> String {
    let v = Decimal::from(units) * unit;
    let places = match kind {
        MetricKind::Money => unit.scale().max(2) as usize,
        MetricKind::Count => unit.scale() as usize,
    };
    format!("{v:.places$}")
}

/// Renders `plan.csv` into `out`, a block at a time: UTF-8 without BOM, LF
/// line ends.
pub fn plan_csv(
    input: &PlanInput,
    periods: &Periods,
    metrics: &[MetricLines],
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
    let by_rep: Vec<Vec<Option<&Line>>> = metrics
        .iter()
        .map(|ml| {
            let mut index = vec![None; input.reps.len()];
            for line in &ml.reps {
                if let Some(r) = line.rep {
                    index[r] = Some(line);
                }
            }
            index
        })
        .collect();
    let mut team_order: Vec<&str> = Vec::new();
    for r in &input.reps {
        if !team_order.contains(&r.team_key.as_str()) {
            team_order.push(&r.team_key);
        }
    }
    for key in team_order {
        for (ri, _) in input
            .reps
            .iter()
            .enumerate()
            .filter(|(_, r)| r.team_key == key)
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
            if let Some(line) = ml
                .teams
                .iter()
                .find(|l| crate::input::columns::norm(&l.team) == key)
            {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_as_plain_decimals() {
        assert_eq!(
            format_units(123450, Decimal::new(1, 2), MetricKind::Money),
            "1234.50"
        );
        assert_eq!(
            format_units(1234, Decimal::ONE, MetricKind::Money),
            "1234.00"
        );
        assert_eq!(
            format_units(-5, Decimal::new(1, 2), MetricKind::Money),
            "-0.05"
        );
        assert_eq!(format_units(7, Decimal::ONE, MetricKind::Count), "7");
        assert_eq!(format_units(7, Decimal::from(5), MetricKind::Count), "35");
    }
}
