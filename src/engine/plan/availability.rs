//! The reps' availability (rule 4): fte, employment and ramp-up per month;
//! and a plan for each counted rep, before any month target.

use super::Ctx;
use crate::engine::calendar::Ym;
use crate::engine::model::{Metric, Rep, RepPlan, Weight};
use num_traits::ToPrimitive;
use std::collections::BTreeMap;

/// The counted reps' plans for one metric, and where each rep's is.
pub(super) struct RepPlans {
    /// One per counted rep, in reps-file order.
    pub(super) list: Vec<RepPlan>,
    /// Index into the reps → index into `list`.
    pub(super) pos_of: BTreeMap<usize, usize>,
}

impl Ctx<'_> {
    /// A plan for each counted rep, in its group (`of_rep`), with its
    /// availability and no month targets yet.
    pub(super) fn rep_plans(&self, metric: &Metric, of_rep: &[Option<usize>]) -> RepPlans {
        let reps = &self.input.reps;
        let list = self
            .counted
            .iter()
            .map(|&i| RepPlan {
                rep: i,
                group: of_rep[i],
                held: false,
                months: [0; 12],
                availability: self.availability(&reps[i], metric),
                weight: Weight::default(),
            })
            .collect();
        let pos_of = self
            .counted
            .iter()
            .enumerate()
            .map(|(p, &i)| (i, p))
            .collect();
        RepPlans { list, pos_of }
    }

    /// Availability a_r,m over the plan year's fiscal months (rule 4).
    pub(super) fn availability(&self, rep: &Rep, metric: &Metric) -> [f64; 12] {
        std::array::from_fn(|m| self.availability_in(rep, metric, self.f0 + m as i32))
    }

    /// Availability a_r,m in month `ym`: fte × the share of its working days
    /// the rep is employed × the ramp.
    pub(super) fn availability_in(&self, rep: &Rep, metric: &Metric, ym: Ym) -> f64 {
        let (all, employed) = self.days.month_days(ym, rep.start, rep.end);
        if all == 0 {
            return 0.0;
        }
        rep.fte.to_f64().unwrap_or(1.0) * employed as f64 / all as f64 * ramp(rep, metric, ym)
    }
}

/// ramp_r,m: `ramp[k]` for k calendar months from the start month, else 1.
pub(super) fn ramp(rep: &Rep, metric: &Metric, ym: Ym) -> f64 {
    let Some(start) = rep.start else { return 1.0 };
    let k = ym - crate::engine::calendar::ym_of(start);
    if k >= 0 && (k as usize) < metric.rules.ramp.len() {
        metric.rules.ramp[k as usize]
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{ctx, day, input, metric, rep};
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn a_new_rep_ramps_up_from_the_start_month() {
        let mut r = rep("R1", "", 2);
        let m = metric();
        assert_eq!(ramp(&r, &m, 2027 * 12 + 2), 1.0);
        r.start = Some(day(3, 10));
        let ramps: Vec<f64> = (1..6)
            .map(|month| ramp(&r, &m, 2027 * 12 + month))
            .collect();
        assert_eq!(ramps, vec![1.0, 0.25, 0.5, 0.75, 1.0]);
    }

    #[test]
    fn availability_is_fte_times_employed_days_times_ramp() {
        let mut half = rep("R1", "", 2);
        half.fte = Decimal::new(5, 1);
        let mut left = rep("R2", "", 3);
        left.end = Some(day(1, 31));
        let mut new = rep("R3", "", 4);
        new.start = Some(day(3, 15));
        let input = input(vec![half, left, new], vec![]);
        let ctx = ctx(&input);
        let m = metric();
        assert_eq!(ctx.availability(&input.reps[0], &m), [0.5; 12]);
        let mut left = [0.0; 12];
        left[0] = 1.0;
        assert_eq!(ctx.availability(&input.reps[1], &m), left);
        let new = ctx.availability(&input.reps[2], &m);
        // 13 of March's 23 working days, at a ramp of 0.25.
        assert_eq!(new[..5], [0.0, 0.0, 1.0 * 13.0 / 23.0 * 0.25, 0.5, 0.75]);
        assert_eq!(ctx.availability_in(&input.reps[2], &m, 2027 * 12 + 11), 1.0);
    }

    #[test]
    fn every_counted_rep_gets_a_plan_in_its_group() {
        let mut gone = rep("R1", "", 2);
        gone.end = Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        let input = input(vec![gone, rep("R2", "", 3), rep("R3", "", 4)], vec![]);
        let ctx = ctx(&input);
        let plans = ctx.rep_plans(&metric(), &[Some(0), Some(0), None]);
        let reps: Vec<(usize, Option<usize>, bool)> = plans
            .list
            .iter()
            .map(|p| (p.rep, p.group, p.held))
            .collect();
        assert_eq!(reps, vec![(1, Some(0), false), (2, None, false)]);
        assert_eq!(plans.pos_of, [(1, 0), (2, 1)].into());
        assert_eq!(
            (plans.list[0].months, plans.list[0].availability),
            ([0; 12], [1.0; 12])
        );
    }
}
