//! The errors about figures: a figure beyond what a plan holds, parts that
//! exceed their whole, a rest no month can take; and figures as they are shown.

use super::scopes::ScopeRows;
use super::Ctx;
use crate::engine::allocate::{ratio_of, round_half_away};
use crate::engine::diag::{Code, Origin, Problem};
use crate::engine::limits::{max_units, units_fit, MAX_DIGITS};
use crate::engine::model::{Group, Metric, MetricKind, PeriodText, RepPlan};
use crate::engine::season::SpreadError;
use num_rational::BigRational;
use num_traits::Signed;
use std::collections::BTreeMap;

impl Ctx<'_> {
    /// False, with an error at `at`, when `units` of `metric` is beyond the
    /// figures a plan holds exactly; `what` names the figure, `written` the cell's value.
    pub(super) fn fits(
        &mut self,
        metric: &Metric,
        units: &BigRational,
        at: &Origin,
        what: &str,
        written: Option<String>,
    ) -> bool {
        if units_fit(&units.ceil().to_integer(), metric.unit) {
            return true;
        }
        let limit = BigRational::from_integer(max_units(metric.unit).into());
        let msg = format!(
            "{}: {what} of {} is more than a plan holds exactly (at most {}, {MAX_DIGITS} significant digits)",
            metric.name,
            self.unit_text(metric, units),
            self.unit_text(metric, &limit)
        );
        let p = Problem::error(Code::TargetLimit, Some(at.clone()), msg);
        self.errors.push(match written {
            Some(v) => p.with_value(v),
            None => p,
        });
        false
    }

    /// `units` of `metric` as a figure: money with at least 2 decimals.
    pub(super) fn unit_text(&self, metric: &Metric, units: &BigRational) -> String {
        let v = units * ratio_of(metric.unit);
        let places = if metric.kind == MetricKind::Money {
            2
        } else {
            0
        };
        format_ratio(&v, places.max(metric.unit.scale() as usize))
    }

    /// A month `m` where the held reps' targets exceed their team's month
    /// target: an error naming the team, the month, both figures, and each
    /// holding rep with its figure and target row.
    pub(super) fn held_excess(
        &mut self,
        metric: &Metric,
        (g, group): (usize, &Group),
        m: usize,
        plans: &[RepPlan],
        rep_targets: &BTreeMap<usize, ScopeRows>,
    ) {
        let units = |u: i64| self.unit_text(metric, &BigRational::from_integer(u.into()));
        let holders: Vec<(&RepPlan, &ScopeRows)> = plans
            .iter()
            .filter(|p| p.held && p.group == Some(g) && p.months[m] != 0)
            .filter_map(|p| Some((p, rep_targets.get(&p.rep)?)))
            .collect();
        let named: Vec<String> = holders
            .iter()
            .map(|(p, rows)| {
                let row = rows
                    .origin
                    .row
                    .map_or(String::new(), |r| format!(", row {r}"));
                format!(
                    "rep {} ({}{row})",
                    self.input.reps[p.rep].id,
                    units(p.months[m])
                )
            })
            .collect();
        let msg = format!(
            "{}: held rep targets in team {} for {} ({}) exceed the team's month target ({}): {}",
            metric.name,
            group.name,
            self.calendar.month_label(m),
            units(group.held[m]),
            units(group.months[m]),
            named.join("; ")
        );
        let origin = holders.first().map(|(_, rows)| rows.origin.clone());
        let hint = format!(
            "lower the rep targets for {}, or raise team {}'s target for that month",
            self.calendar.month_label(m),
            group.name
        );
        self.errors
            .push(Problem::error(Code::PartsExceedWhole, origin, msg).with_hint(hint));
    }

    /// Targets that cannot be spread: the message names the rows (`rows`: the
    /// scope's periods and origins) of the whole and of the parts given inside it.
    pub(super) fn spread_error(
        &mut self,
        metric: &Metric,
        what: &str,
        e: SpreadError,
        rows: &[(PeriodText, Origin)],
    ) {
        let first = rows.first().map(|(_, o)| o.clone());
        let (parts, whole, quarter) = match e {
            SpreadError::PartsExceedWhole {
                parts,
                whole,
                quarter,
            } => (parts, whole, quarter),
            SpreadError::NoMonthToTake { rest } => {
                let msg = format!(
                    "{what}: {} is left to spread but no month can take it (every month given, or no working days or availability)",
                    self.unit_text(metric, &rest)
                );
                return self.fail(Code::NoMonthToTake, first, msg);
            }
        };
        let fiscal = self.input.fiscal;
        let quarter_of = |p: &PeriodText| match *p {
            PeriodText::Year(_) => None,
            PeriodText::Quarter(_, q) => Some(q as usize - 1),
            PeriodText::Month(y, m) => Some(fiscal.position(y * 12 + m as i32 - 1) / 3),
        };
        let is_whole = |p: &PeriodText| match quarter {
            None => matches!(p, PeriodText::Year(_)),
            Some(q) => matches!(p, PeriodText::Quarter(..)) && quarter_of(p) == Some(q),
        };
        let inside =
            |p: &PeriodText| !is_whole(p) && quarter.is_none_or(|q| quarter_of(p) == Some(q));
        let row = |(p, o): &(PeriodText, Origin)| match o.row {
            Some(r) => format!("{p} (row {r})"),
            None => p.to_string(),
        };
        let whole_row = rows.iter().find(|(p, _)| is_whole(p));
        let part_rows: Vec<String> = rows.iter().filter(|(p, _)| inside(p)).map(row).collect();
        let msg = format!(
            "{what}: the given parts ({}) exceed their whole ({}): the targets for {} add up to more than the target for {}",
            self.unit_text(metric, &parts),
            self.unit_text(metric, &whole),
            part_rows.join(", "),
            whole_row.map(row).unwrap_or_default()
        );
        let hint = "lower the parts or raise the whole: the quarters and months given inside a period add up to at most its target";
        let origin = whole_row.map(|(_, o)| o.clone()).or(first);
        self.errors
            .push(Problem::error(Code::PartsExceedWhole, origin, msg).with_hint(hint));
    }
}

/// A rational as a decimal with `places` decimals, rounded half away from zero.
pub fn format_ratio(v: &BigRational, places: usize) -> String {
    let scale = BigRational::from_integer(num_bigint::BigInt::from(10).pow(places as u32));
    let n = round_half_away(&(v * scale));
    let neg = n.is_negative();
    let digits = n.abs().to_string();
    let digits = format!("{digits:0>width$}", width = places + 1);
    let (int, frac) = digits.split_at(digits.len() - places);
    let sign = if neg { "-" } else { "" };
    if places == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{ctx, errors, input, metric, units};
    use super::*;
    use rust_decimal::Decimal;

    fn ratio(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    #[test]
    fn a_ratio_is_shown_rounded_half_away_from_zero() {
        assert_eq!(format_ratio(&ratio(1, 3), 2), "0.33");
        assert_eq!(format_ratio(&ratio(-5, 2), 0), "-3");
        assert_eq!(format_ratio(&ratio(1, 200), 2), "0.01");
        assert_eq!(format_ratio(&ratio(-1, 1000), 2), "0.00");
        assert_eq!(format_ratio(&ratio(12345, 100), 1), "123.5");
        assert_eq!(format_ratio(&ratio(7, 1), 3), "7.000");
    }

    #[test]
    fn units_are_shown_in_the_metric_s_figures() {
        let input = input(vec![], vec![]);
        let mut ctx = ctx(&input);
        let mut m = metric();
        assert_eq!(ctx.unit_text(&m, &units(1234)), "12.34");
        m.unit = Decimal::new(1, 3);
        assert_eq!(ctx.unit_text(&m, &units(1234)), "1.234");
        m.unit = Decimal::from(5);
        m.kind = MetricKind::Count;
        assert_eq!(ctx.unit_text(&m, &units(3)), "15");
        let at = Origin::file("targets.csv");
        assert!(ctx.fits(&m, &units(199_999_999_999_999), &at, "the target", None));
        assert!(!ctx.fits(&m, &ratio(399_999_999_999_999, 2), &at, "the total", None));
        assert_eq!(
            errors(&ctx),
            vec![(
                Code::TargetLimit,
                "revenue: the total of 999999999999998 is more than a plan holds exactly (at most 999999999999995, 15 significant digits)".to_string()
            )]
        );
        assert_eq!(ctx.errors[0].value, None);
    }

    #[test]
    fn parts_beyond_their_whole_name_the_rows_inside_it() {
        let input = input(vec![], vec![]);
        let mut ctx = ctx(&input);
        let row = |r| Origin {
            row: Some(r),
            ..Origin::file("targets.csv")
        };
        let rows = vec![
            (PeriodText::Year(2027), row(2)),
            (PeriodText::Quarter(2027, 2), row(3)),
            (PeriodText::Month(2027, 4), row(4)),
            (PeriodText::Month(2027, 5), row(5)),
            (PeriodText::Month(2027, 8), row(6)),
        ];
        let e = SpreadError::PartsExceedWhole {
            parts: units(30_000),
            whole: units(20_000),
            quarter: Some(1),
        };
        ctx.spread_error(&metric(), "revenue/North", e, &rows);
        let e = SpreadError::NoMonthToTake { rest: units(100) };
        ctx.spread_error(&metric(), "revenue/North", e, &rows);
        assert_eq!(
            errors(&ctx),
            vec![
                (
                    Code::PartsExceedWhole,
                    "revenue/North: the given parts (300.00) exceed their whole (200.00): the targets for 2027-04 (row 4), 2027-05 (row 5) add up to more than the target for 2027-Q2 (row 3)".to_string()
                ),
                (
                    Code::NoMonthToTake,
                    "revenue/North: 1.00 is left to spread but no month can take it (every month given, or no working days or availability)".to_string()
                ),
            ]
        );
        assert_eq!(ctx.errors[0].origin, Some(row(3)));
        assert_eq!(ctx.errors[1].origin, Some(row(2)));
    }
}
