//! A previous plan's `plan.csv`, read for a re-plan.

use crate::engine::diag::{Code, Origin, Problem};
use crate::engine::limits::{MAX_DIGITS, MAX_MANTISSA};
use crate::engine::model::{PeriodText, RepMonthTargets};
use crate::folder::plan_csv::{self, HeaderError, HEADER};
use crate::input::columns::norm;
use crate::input::open::open_bounded;
use crate::input::parse;
use std::path::Path;

/// The rep-month targets of a previous plan's `plan.csv`, for a re-plan:
/// (metric name lowercased, rep key) → calendar month → target.
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
    let file = open_bounded(path, display, "the previous plan", plan_csv::MAX_BYTES)?;
    let lines = plan_csv::read(file).map_err(|e| match e {
        HeaderError::Unreadable(e) => bad(Code::PreviousPlan, Some(1), e.to_string()),
        HeaderError::Empty | HeaderError::Other(_) => {
            let expected = HEADER.join(",");
            bad(
                Code::PreviousPlan,
                Some(1),
                format!("not a plan.csv: expected the header {expected}"),
            )
        }
    })?;
    let mut out = RepMonthTargets::new();
    for line in lines {
        let line =
            line.map_err(|e| bad(Code::PreviousPlan, Some(e.number), e.error.to_string()))?;
        let row = line.number;
        let [_, rep_id, metric, period, kind, target] = line.fields();
        if rep_id.is_empty() || kind != "month" {
            continue;
        }
        let at = Origin {
            row: Some(row),
            ..Origin::file(display)
        };
        let Ok(PeriodText::Month(y, m)) = parse::parse_period(period) else {
            return Err(Problem::error(
                Code::PreviousPlan,
                Some(at.at_col(3, HEADER[3])),
                "expected a month such as 2027-05, as a plan writes it",
            )
            .with_value(period));
        };
        let at = at.at_col(5, HEADER[5]);
        let v = parse::parse_number(target, false)
            .ok()
            .filter(|v| !v.is_sign_negative() && v.mantissa() <= MAX_MANTISSA.into())
            .ok_or_else(|| {
                Problem::error(Code::PreviousPlan, Some(at), format!("expected a target of 0 to {MAX_DIGITS} significant digits, as a plan writes it"))
                    .with_value(target)
            })?;
        out.entry((metric.to_lowercase(), norm(rep_id)))
            .or_default()
            .insert(y * 12 + i32::from(m) - 1, v);
    }
    Ok(out)
}
