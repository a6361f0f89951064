//! A target row's figure in exact units: an amount as written, or a growth
//! over the scope's actual in its base months (the same period of the
//! previous fiscal year, or with `growth_base = "trailing"` the last 12
//! recorded months).

use super::Ctx;
use crate::engine::allocate::{ratio_of, round_half_away};
use crate::engine::calendar::{ym_label, Ym};
use crate::engine::diag::{Code, Problem};
use crate::engine::model::{GrowthBase, Metric, PeriodText, Scope, Target, TargetValue};
use crate::engine::season::MonthSeries;
use num_rational::BigRational;
use num_traits::Signed;
use rust_decimal::Decimal;

impl Ctx<'_> {
    /// The target of one row in exact units.
    pub(super) fn target_units(
        &mut self,
        metric: &Metric,
        t: &Target,
        series: &MonthSeries,
    ) -> Option<BigRational> {
        let unit = ratio_of(metric.unit);
        match t.value {
            TargetValue::Amount(a) => {
                if a.is_sign_negative() && !a.is_zero() {
                    self.fail(
                        Code::NegativeTarget,
                        Some(t.origin.clone()),
                        format!("a target cannot be negative, found {a}"),
                    );
                    return None;
                }
                let u = ratio_of(a) / unit;
                let fits = self.fits(metric, &u, &t.value_cell, "the target", Some(a.to_string()));
                fits.then_some(u)
            }
            TargetValue::Growth(g) => self.growth_units(metric, t, g, series),
        }
    }

    /// A growth target in exact units: the scope's actual in its base months × (1 + g).
    fn growth_units(
        &mut self,
        metric: &Metric,
        t: &Target,
        g: Decimal,
        series: &MonthSeries,
    ) -> Option<BigRational> {
        let prev0 = self.f0 - 12;
        let (m0, n) = match t.period {
            PeriodText::Year(_) => (0, 12),
            PeriodText::Quarter(_, q) => (3 * (q as i32 - 1), 3),
            PeriodText::Month(y, m) => (y * 12 + m as i32 - 1 - self.f0, 1),
        };
        let written = percent(g);
        let who = format!("{} {}", scope_text(&t.scope), metric.name);
        let (months, base) =
            self.base_months(metric, t, prev0 + m0..prev0 + m0 + n, &who, &written)?;
        let (sum, rows) = months
            .iter()
            .filter_map(|ym| series.get(ym))
            .fold((Decimal::ZERO, 0), |(s, r), &(v, c)| (s + v, r + c));
        if rows == 0 || sum <= Decimal::ZERO {
            let what = if rows == 0 {
                "no actual".to_string()
            } else {
                format!("an actual of {sum}")
            };
            let (a, z) = (months[0], months[months.len() - 1]);
            let msg = format!(
                "a growth target needs a positive actual in {base} ({} to {}), but the history has {what} for {who} (growth {written})",
                ym_label(a),
                ym_label(z)
            );
            self.errors.push(
                Problem::error(Code::GrowthActual, Some(t.value_cell.clone()), msg)
                    .with_value(written),
            );
            return None;
        }
        let one = BigRational::from_integer(1.into());
        let v = round_half_away(&(ratio_of(sum) * (one + ratio_of(g)) / ratio_of(metric.unit)));
        if v.is_negative() {
            self.fail(
                Code::NegativeTarget,
                Some(t.value_cell.clone()),
                format!("{who}: a growth of {written} gives a negative target"),
            );
            return None;
        }
        let v = BigRational::from_integer(v);
        let what = format!("a growth of {g} gives a target");
        let fits = self.fits(metric, &v, &t.value_cell, &what, Some(g.to_string()));
        fits.then_some(v)
    }

    /// The months a growth target grows, and what they are: the same period
    /// of the previous fiscal year, which must not reach past the history's
    /// last recorded month; with `growth_base = "trailing"`, the same months
    /// among the last 12 recorded before the plan year.
    fn base_months(
        &mut self,
        metric: &Metric,
        t: &Target,
        base: std::ops::Range<Ym>,
        who: &str,
        written: &str,
    ) -> Option<(Vec<Ym>, &'static str)> {
        let Some((_, last)) = self.input.history.span() else {
            return Some((base.collect(), PREVIOUS_YEAR));
        };
        if metric.rules.growth_base == GrowthBase::Trailing {
            let end = last.min(self.f0 - 1);
            let months = base.map(|ym| trailing(ym, end)).collect();
            return Some((months, "the same months of the last 12 recorded"));
        }
        let missing: Vec<String> = base.clone().filter(|&ym| ym > last).map(ym_label).collect();
        // None of it recorded: "no actual", said by the caller.
        if missing.is_empty() || missing.len() == base.len() {
            return Some((base.collect(), PREVIOUS_YEAR));
        }
        let msg = format!(
            "{who}: a growth of {written} would grow {} to {}, but the history ends in {}: {} not recorded, so the target would grow a part of the period",
            ym_label(base.start),
            ym_label(base.end - 1),
            ym_label(last),
            if missing.len() == 1 { format!("{} is", missing[0]) } else { format!("{} are", missing.join(", ")) }
        );
        let hint = format!(
            "add those months to the history, write the target as an amount, or set growth_base = \"trailing\" under [rules] to grow the last 12 recorded months ({} to {})",
            ym_label(last.min(self.f0 - 1) - 11),
            ym_label(last.min(self.f0 - 1))
        );
        self.errors.push(
            Problem::error(Code::GrowthBase, Some(t.value_cell.clone()), msg)
                .with_value(written)
                .with_hint(hint),
        );
        None
    }
}

/// What a growth target grows by default.
const PREVIOUS_YEAR: &str = "the same period of the previous fiscal year";

/// Month `ym` of a base period, moved back by whole years until it is not
/// after `end`: the same month among the 12 months that end with `end`.
fn trailing(ym: Ym, end: Ym) -> Ym {
    ym - 12 * (((ym - end).max(0) + 11) / 12)
}

/// A growth ratio as a percentage, the way it is written (`0.15` → `15%`).
fn percent(g: Decimal) -> String {
    format!("{}%", (g * Decimal::ONE_HUNDRED).normalize())
}

/// A target's scope in a message: `company` or `scope North`.
fn scope_text(scope: &Scope) -> String {
    match scope {
        Scope::Company => "company".into(),
        Scope::Named { display, .. } => format!("scope {display}"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{ctx, errors, input, metric, target, units};
    use super::*;
    use crate::engine::diag::Code;
    use crate::engine::model::Sums;
    use crate::engine::season::MonthSeries;

    fn growth(scope: &str, period: PeriodText, g: Decimal) -> Target {
        let mut t = target(scope, period, 0, 2);
        t.value = TargetValue::Growth(g);
        t
    }

    /// 100 of sales in each month of 2026.
    fn sales_2026() -> MonthSeries {
        (2026 * 12..2027 * 12)
            .map(|ym| (ym, (Decimal::ONE_HUNDRED, 1)))
            .collect()
    }

    #[test]
    fn a_growth_is_shown_as_written() {
        assert_eq!(percent(Decimal::new(15, 2)), "15%");
        assert_eq!(percent(Decimal::new(-125, 3)), "-12.5%");
    }

    #[test]
    fn trailing_months_are_the_same_months_of_the_last_twelve() {
        // History to Dec 2026; FY2026 from Apr 2026.
        let end = 2026 * 12 + 11;
        let moved: Vec<Ym> = (2026 * 12 + 3..2027 * 12 + 3)
            .map(|m| trailing(m, end))
            .collect();
        let want: Vec<Ym> = (2026 * 12 + 3..2026 * 12 + 12)
            .chain(2026 * 12..2026 * 12 + 3)
            .collect();
        assert_eq!(moved, want);
        assert_eq!(trailing(end + 13, end), end - 11);
        assert_eq!(trailing(end - 5, end), end - 5);
    }

    #[test]
    fn an_amount_is_counted_in_units_and_never_negative() {
        let input = input(vec![], vec![]);
        let mut ctx = ctx(&input);
        let mut t = target("*", PeriodText::Year(2027), 0, 2);
        t.value = TargetValue::Amount(Decimal::new(1234, 2));
        let none = MonthSeries::new();
        assert_eq!(ctx.target_units(&metric(), &t, &none), Some(units(1234)));
        t.value = TargetValue::Amount(Decimal::from(-5));
        assert_eq!(ctx.target_units(&metric(), &t, &none), None);
        t.value = TargetValue::Amount(Decimal::from(10_000_000_000_000i64));
        assert_eq!(ctx.target_units(&metric(), &t, &none), None);
        assert_eq!(
            errors(&ctx),
            vec![
                (Code::NegativeTarget, "a target cannot be negative, found -5".to_string()),
                (
                    Code::TargetLimit,
                    "revenue: the target of 10000000000000.00 is more than a plan holds exactly (at most 9999999999999.99, 15 significant digits)".to_string()
                ),
            ]
        );
        assert_eq!(ctx.errors[1].value.as_deref(), Some("10000000000000"));
    }

    #[test]
    fn a_growth_grows_the_actual_of_the_same_period_a_year_before() {
        let input = input(vec![], vec![]);
        let mut ctx = ctx(&input);
        let g = Decimal::new(10, 2);
        let year = growth("North", PeriodText::Year(2027), g);
        let q2 = growth("North", PeriodText::Quarter(2027, 2), g);
        let may = growth("North", PeriodText::Month(2027, 5), g);
        let s = sales_2026();
        assert_eq!(ctx.target_units(&metric(), &year, &s), Some(units(132_000)));
        assert_eq!(ctx.target_units(&metric(), &q2, &s), Some(units(33_000)));
        assert_eq!(ctx.target_units(&metric(), &may, &s), Some(units(11_000)));
        let down = growth("*", PeriodText::Year(2027), Decimal::new(-25, 2));
        assert_eq!(ctx.target_units(&metric(), &down, &s), Some(units(90_000)));
        assert_eq!(
            ctx.target_units(&metric(), &year, &MonthSeries::new()),
            None
        );
        assert_eq!(
            errors(&ctx),
            vec![(
                Code::GrowthActual,
                "a growth target needs a positive actual in the same period of the previous fiscal year (2026-01 to 2026-12), but the history has no actual for scope North revenue (growth 10%)".to_string()
            )]
        );
        assert_eq!(ctx.errors[0].value.as_deref(), Some("10%"));
    }

    #[test]
    fn a_growth_base_the_history_covers_in_part_is_an_error_unless_trailing() {
        let mut input = input(vec![], vec![]);
        for ym in 2026 * 12..2026 * 12 + 6 {
            input.history.company.insert(ym, Sums::default());
        }
        let mut ctx = ctx(&input);
        let t = growth("North", PeriodText::Year(2027), Decimal::new(10, 2));
        let base = 2026 * 12..2027 * 12;
        let who = "scope North revenue";
        assert_eq!(
            ctx.base_months(&metric(), &t, base.clone(), who, "10%"),
            None
        );
        assert_eq!(
            errors(&ctx),
            vec![(
                Code::GrowthBase,
                "scope North revenue: a growth of 10% would grow 2026-01 to 2026-12, but the history ends in 2026-06: 2026-07, 2026-08, 2026-09, 2026-10, 2026-11, 2026-12 are not recorded, so the target would grow a part of the period".to_string()
            )]
        );
        assert_eq!(
            ctx.errors[0].hint.as_deref(),
            Some("add those months to the history, write the target as an amount, or set growth_base = \"trailing\" under [rules] to grow the last 12 recorded months (2025-07 to 2026-06)")
        );
        let mut trailing_metric = metric();
        trailing_metric.rules.growth_base = GrowthBase::Trailing;
        let (months, what) = ctx
            .base_months(&trailing_metric, &t, base.clone(), who, "10%")
            .unwrap();
        let want: Vec<Ym> = (2026 * 12..2026 * 12 + 6)
            .chain(2025 * 12 + 6..2026 * 12)
            .collect();
        assert_eq!(
            (months, what),
            (want, "the same months of the last 12 recorded")
        );
        let h1 = 2026 * 12..2026 * 12 + 6;
        let (months, what) = ctx
            .base_months(&metric(), &t, h1.clone(), who, "10%")
            .unwrap();
        assert_eq!((months, what), (h1.collect(), PREVIOUS_YEAR));
        assert_eq!(scope_text(&Scope::Company), "company");
    }
}
