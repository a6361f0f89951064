//! A previous plan's `plan.csv`, read for a re-plan.

use crate::engine::diag::{Code, Origin, Problem};
use crate::engine::limits::{MAX_DIGITS, MAX_MANTISSA};
use crate::engine::model::RepMonthTargets;
use crate::input::columns::norm;
use crate::input::open::open_bounded;
use crate::input::parse;
use std::path::Path;

/// The rep-month targets of a previous plan's `plan.csv`, for a re-plan:
/// (metric name lowercased, rep key) → month label → target.
pub fn previous_targets(path: &Path, display: &str) -> Result<RepMonthTargets, Problem> {
    let bad = |code: Code, row: Option<u32>, msg: String| {
        Problem::error(
            code,
            Some(Origin {
                row,
                ..Origin::file(display)
            }),
            msg,
        )
    };
    let file = open_bounded(
        path,
        display,
        "the previous plan",
        crate::input::actuals::MAX_PLAN_CSV,
    )?;
    let mut rdr = csv::Reader::from_reader(file);
    let header = rdr
        .headers()
        .map_err(|e| bad(Code::PreviousPlan, Some(1), e.to_string()))?
        .clone();
    if header.iter().ne(crate::render::plan_csv::HEADER) {
        let expected = crate::render::plan_csv::HEADER.join(",");
        return Err(bad(
            Code::PreviousPlan,
            Some(1),
            format!("not a plan.csv: expected the header {expected}"),
        ));
    }
    let mut out = RepMonthTargets::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i as u32 + 2;
        let rec = rec.map_err(|e| bad(Code::PreviousPlan, Some(row), e.to_string()))?;
        if rec[1].is_empty() || &rec[4] != "month" {
            continue;
        }
        let at = Origin {
            row: Some(row),
            ..Origin::file(display)
        }
        .at_col(5, crate::render::plan_csv::HEADER[5]);
        let v = parse::parse_number(&rec[5], false)
            .ok()
            .filter(|v| !v.is_sign_negative() && v.mantissa() <= MAX_MANTISSA.into())
            .ok_or_else(|| {
                Problem::error(Code::PreviousPlan, Some(at), format!("expected a target of 0 to {MAX_DIGITS} significant digits, as a plan writes it"))
                    .with_value(&rec[5])
            })?;
        out.entry((rec[2].to_lowercase(), norm(&rec[1])))
            .or_default()
            .insert(rec[3].to_string(), v);
    }
    Ok(out)
}
