//! Each group's seasonality and month targets (rules 1 and 2): its targets
//! spread over the months by seasonality, times the over-assignment.

use super::groups::Groups;
use super::Ctx;
use crate::engine::allocate::{ratio_of_f64, round_half_away, split_exact};
use crate::engine::diag::{Code, Origin};
use crate::engine::model::{Group, Metric};
use crate::engine::season::{self, MonthSeries};
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive};

/// A spread target: the month quotas, the whole, and the quarters (1–4) left without a target.
type Spread = (Vec<BigRational>, BigRational, Vec<usize>);

impl Ctx<'_> {
    /// Rules 1 and 2: each team or company group gets its seasonality (kept
    /// exactly in `season`), assigned total and month targets; `company` is
    /// the company's history.
    pub(super) fn spread_groups(
        &mut self,
        metric: &Metric,
        set: &mut Groups,
        company: &MonthSeries,
    ) {
        for g in 0..set.list.len() {
            let what = format!("{}/{}", metric.name, set.list[g].name);
            let (s, src) = self.seasonality(metric, set.series[g].as_ref(), company, &what);
            set.list[g].season = season::to_f64(&s);
            set.list[g].season_source = src;
            match season::spread(&set.targets[g], &s) {
                Ok(spread) => self.assign(metric, &mut set.list[g], &set.cells[g], spread, &what),
                Err(e) => self.spread_error(metric, &what, e, set.rows[g]),
            }
            set.season.push(s);
        }
    }

    /// A group's assigned total (its target × over-assignment, an error at
    /// `cell` when beyond the limit) and its month targets by the quotas of
    /// its `spread`; a warning for the quarters without a target.
    fn assign(
        &mut self,
        metric: &Metric,
        group: &mut Group,
        cell: &Origin,
        spread: Spread,
        what: &str,
    ) {
        let (tau, whole, empty) = spread;
        if !empty.is_empty() {
            let qs: Vec<String> = empty.iter().map(|q| format!("Q{q}")).collect();
            self.warn(
                Code::NoQuarterTarget,
                None,
                format!("{what}: no target for fiscal quarter {}: 0", qs.join(", ")),
            );
        }
        let over = ratio_of_f64(metric.rules.over_assignment);
        let a = BigRational::from_integer(round_half_away(&(&whole * &over)));
        let over_text = metric.rules.over_assignment;
        let name = format!(
            "the assigned total of {} (× over_assignment {over_text})",
            group.name
        );
        let fits = self.fits(metric, &a, cell, &name, None);
        let a = if fits { a.to_integer().to_i64() } else { None };
        let Some(a) = a else {
            return;
        };
        group.assigned = a;
        if whole.is_positive() {
            let quotas: Vec<BigRational> = tau
                .iter()
                .map(|t| BigRational::from_integer(a.into()) * t / &whole)
                .collect();
            group.months.copy_from_slice(&split_exact(&quotas, a));
        }
        group.target = whole;
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{ctx, errors, input, metric, rep, target, units, warnings, Said};
    use super::*;
    use crate::engine::model::{Metric, PeriodText, Target};

    /// A group's assigned total, target and month targets.
    type Assigned = (i64, BigRational, [i64; 12]);

    /// The company group of `targets` spread with `metric`, the warnings and the errors.
    fn spread(metric: &Metric, targets: Vec<Target>) -> (Assigned, Said, Said) {
        let mut input = input(vec![rep("R1", "", 2)], targets);
        input.metrics = vec![metric.clone()];
        let mut ctx = ctx(&input);
        let scopes = ctx.scopes(0, metric, &MonthSeries::new());
        let mut set = ctx.groups(metric, &scopes).unwrap();
        ctx.spread_groups(metric, &mut set, &MonthSeries::new());
        assert_eq!(set.season.len(), 1);
        assert_eq!(set.list[0].season_source, "even");
        let g = &set.list[0];
        (
            (g.assigned, g.target.clone(), g.months),
            warnings(&ctx),
            errors(&ctx),
        )
    }

    #[test]
    fn a_year_target_is_spread_by_seasonality_times_the_over_assignment() {
        let year = || vec![target("*", PeriodText::Year(2027), 1200, 2)];
        let (g, w, e) = spread(&metric(), year());
        assert_eq!(g, (120_000, units(120_000), [10_000; 12]));
        assert!(w.is_empty() && e.is_empty());
        let mut m = metric();
        m.rules.over_assignment = 1.1;
        let (g, _, _) = spread(&m, year());
        assert_eq!(g, (132_000, units(120_000), [11_000; 12]));
    }

    #[test]
    fn quarters_without_a_target_get_nothing_and_a_warning() {
        let q1 = vec![target("*", PeriodText::Quarter(2027, 1), 300, 2)];
        let (g, w, e) = spread(&metric(), q1);
        let mut months = [0; 12];
        months[..3].fill(10_000);
        assert_eq!(g, (30_000, units(30_000), months));
        assert_eq!(
            w,
            vec![(
                Code::NoQuarterTarget,
                "revenue/*: no target for fiscal quarter Q2, Q3, Q4: 0".to_string()
            )]
        );
        assert!(e.is_empty());
    }

    #[test]
    fn an_assigned_total_beyond_the_limit_leaves_the_group_unassigned() {
        let mut m = metric();
        m.rules.over_assignment = 2.0;
        let year = vec![target("*", PeriodText::Year(2027), 9_000_000_000_000, 2)];
        let (g, _, e) = spread(&m, year);
        assert_eq!(g, (0, units(0), [0; 12]));
        assert_eq!(
            e,
            vec![(
                Code::TargetLimit,
                "revenue: the assigned total of * (× over_assignment 2) of 18000000000000.00 is more than a plan holds exactly (at most 9999999999999.99, 15 significant digits)".to_string()
            )]
        );
    }
}
