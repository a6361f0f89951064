//! The rep-month targets (rules 3 and 5): each sharing rep's weight from its
//! history, capability and an equal share, and each group month's rest split
//! among its reps by weight × availability.

use super::groups::Groups;
use super::{window, Ctx};
use crate::engine::allocate::split_f64;
use crate::engine::calendar::Ym;
use crate::engine::diag::Code;
use crate::engine::model::{Group, GroupKind, Metric, RepPlan, Weight};
use num_rational::BigRational;
use num_traits::ToPrimitive;
use rust_decimal::Decimal;

impl Ctx<'_> {
    /// Rules 3 and 5, per team or company group: what its month targets
    /// leave (`rest`) goes to the reps without a target of their own.
    pub(super) fn share_months(&mut self, metric: &Metric, set: &Groups, plans: &mut [RepPlan]) {
        for g in 0..set.list.len() {
            if set.list[g].kind == GroupKind::RepAlone {
                continue;
            }
            let members: Vec<usize> = (0..plans.len())
                .filter(|&p| plans[p].group == Some(g) && !plans[p].held)
                .collect();
            self.weigh(metric, &set.list[g], &members, plans);
            for (m, &left) in set.rest[g].iter().enumerate() {
                self.split_month(metric, &set.list[g], (m, left), &members, plans);
            }
        }
    }

    /// Month `m`'s `left` of a group, split among its `members` (indices
    /// into `plans`) by weight × availability; an error when there is some
    /// to take and nobody available.
    fn split_month(
        &mut self,
        metric: &Metric,
        group: &Group,
        (m, left): (usize, i64),
        members: &[usize],
        plans: &mut [RepPlan],
    ) {
        let wa: Vec<f64> = members
            .iter()
            .map(|&p| plans[p].weight.w * plans[p].availability[m])
            .collect();
        let denom: f64 = wa.iter().sum();
        if left > 0 && denom <= 0.0 {
            let msg = format!(
                "{}: nobody in {} is available in {} to take a month target of {}",
                metric.name,
                if group.kind == GroupKind::Company {
                    "the company".to_string()
                } else {
                    format!("team {}", group.name)
                },
                self.calendar.month_label(m),
                self.unit_text(metric, &BigRational::from_integer(left.into()))
            );
            self.fail(Code::NoMonthToTake, None, msg);
            return;
        }
        if left <= 0 {
            return;
        }
        let quotas: Vec<f64> = wa.iter().map(|x| left as f64 * x / denom).collect();
        for (k, x) in split_f64(&quotas, left).into_iter().enumerate() {
            plans[members[k]].months[m] = x;
        }
    }

    /// Rule 3 over the group's sharing reps.
    fn weigh(&mut self, metric: &Metric, group: &Group, members: &[usize], plans: &mut [RepPlan]) {
        if members.is_empty() {
            return;
        }
        let lookback = window(&self.input.history, self.f0, metric.rules.lookback_months);
        for &p in members {
            plans[p].weight = self.history_weight(metric, group, plans[p].rep, lookback);
        }
        let mut own: Vec<f64> = members
            .iter()
            .filter_map(|&p| plans[p].weight.own_run_rate)
            .collect();
        own.sort_by(f64::total_cmp);
        let median = median(&own);
        let what = format!("{}/{}", metric.name, group.name);
        if own.is_empty() && self.input.history.has_rep_column && !self.without_history(metric) {
            self.warn(
                Code::ShortHistory,
                None,
                format!(
                    "{what}: no rep has enough history for a run-rate; history share = equal share"
                ),
            );
        }
        for &p in members {
            plans[p].weight.run_rate = plans[p].weight.own_run_rate.unwrap_or(median);
        }
        let rr_sum: f64 = members.iter().map(|&p| plans[p].weight.run_rate).sum();
        if rr_sum <= 0.0 && !own.is_empty() {
            self.warn(
                Code::ShortHistory,
                None,
                format!("{what}: every run-rate is 0; history share = equal share"),
            );
        }
        self.shares(metric, members, plans, rr_sum);
        role_weighted(members, plans);
    }

    /// Rep `i`'s net sales, history rows and capacity (availability × 12 ×
    /// the group's seasonality) in the lookback window `(w0, w1)`, and its own
    /// run-rate when it has enough history.
    fn history_weight(
        &self,
        metric: &Metric,
        group: &Group,
        i: usize,
        (w0, w1): (Ym, Ym),
    ) -> Weight {
        let rep = &self.input.reps[i];
        let rules = &metric.rules;
        let col = metric.history_column;
        let fiscal = self.input.fiscal;
        let (mut net, mut rows) = (Decimal::ZERO, 0);
        for (_, s) in self.input.history.by_rep.range((i, w0)..=(i, w1)) {
            net += col.map_or(Decimal::ZERO, |c| s.value(c));
            rows += s.rows;
        }
        let capacity: f64 = (w0..=w1)
            .map(|ym| {
                self.availability_in(rep, metric, ym) * 12.0 * group.season[fiscal.position(ym)]
            })
            .sum();
        let net = net.to_f64().unwrap_or(0.0);
        let own =
            (rows > 0 && capacity >= rules.min_history - 1e-9).then(|| (net / capacity).max(0.0));
        Weight {
            net,
            rows,
            capacity,
            own_run_rate: own,
            ..Weight::default()
        }
    }

    /// Each member's equal (e), history (h, of the run-rates' sum `rr_sum`)
    /// and capability (c) shares, its role weight, and its weight
    /// w = (a·h + b·c + c·e) / (a + b + c).
    fn shares(&self, metric: &Metric, members: &[usize], plans: &mut [RepPlan], rr_sum: f64) {
        let reps = &self.input.reps;
        let n = members.len() as f64;
        let cap_sum: f64 = members
            .iter()
            .map(|&p| reps[plans[p].rep].capability.to_f64().unwrap_or(1.0))
            .sum();
        let [a, b, c] = metric.rules.weights;
        let abc = a + b + c;
        for &p in members {
            let rep = &reps[plans[p].rep];
            let wt = &mut plans[p].weight;
            wt.e = 1.0 / n;
            wt.h = if rr_sum > 0.0 {
                wt.run_rate / rr_sum
            } else {
                wt.e
            };
            wt.c = if cap_sum > 0.0 {
                rep.capability.to_f64().unwrap_or(1.0) / cap_sum
            } else {
                wt.e
            };
            wt.role_weight = metric.role_weights.get(&rep.role).copied().unwrap_or(1.0);
            wt.w = (a * wt.h + b * wt.c + c * wt.e) / abc;
        }
    }
}

/// The median of sorted run-rates; 0 when there are none.
fn median(own: &[f64]) -> f64 {
    match own.len() {
        0 => 0.0,
        k if k % 2 == 1 => own[k / 2],
        k => (own[k / 2 - 1] + own[k / 2]) / 2.0,
    }
}

/// When a member's role weight is not 1: each weight × its role weight,
/// renormalised over the members (all 0 when that total is 0).
fn role_weighted(members: &[usize], plans: &mut [RepPlan]) {
    if members.iter().any(|&p| plans[p].weight.role_weight != 1.0) {
        let total: f64 = members
            .iter()
            .map(|&p| plans[p].weight.w * plans[p].weight.role_weight)
            .sum();
        for &p in members {
            let wt = &mut plans[p].weight;
            wt.w = if total > 0.0 {
                wt.w * wt.role_weight / total
            } else {
                0.0
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{ctx, errors, input, metric, rep, warnings};
    use super::super::groups::empty_group;
    use super::*;
    use crate::engine::model::{PlanInput, Sums};

    fn plan(rep: usize, group: usize) -> RepPlan {
        RepPlan {
            rep,
            group: Some(group),
            held: false,
            months: [0; 12],
            availability: [1.0; 12],
            weight: Weight::default(),
        }
    }

    fn north() -> Group {
        let mut g = empty_group(GroupKind::Team, "North".into());
        g.season = [0.5; 12];
        g
    }

    /// Two reps of North, capabilities 1 and 3; the first with 60 of sales
    /// in each month of 2026 when `history`.
    fn two_reps(history: bool) -> PlanInput {
        let mut r2 = rep("R2", "North", 3);
        r2.capability = Decimal::from(3);
        let mut input = input(vec![rep("R1", "North", 2), r2], vec![]);
        if history {
            let h = &mut input.history;
            h.columns = vec!["amount".into()];
            h.has_rep_column = true;
            for ym in 2026 * 12..2027 * 12 {
                let s = Sums {
                    values: vec![Decimal::from(60)],
                    rows: 1,
                };
                h.by_rep.insert((0, ym), s.clone());
                h.company.insert(ym, s);
            }
        }
        input
    }

    #[test]
    fn without_history_the_history_share_is_the_equal_share() {
        let input = two_reps(false);
        let mut ctx = ctx(&input);
        let mut plans = vec![plan(0, 0), plan(1, 0)];
        ctx.weigh(&metric(), &north(), &[0, 1], &mut plans);
        let w = &plans[1].weight;
        // 12 months × availability 1 × 12 × seasonality 0.5.
        assert_eq!(
            (w.capacity, w.rows, w.own_run_rate, w.run_rate),
            (72.0, 0, None, 0.0)
        );
        assert_eq!((w.e, w.h, w.c, w.role_weight), (0.5, 0.5, 0.75, 1.0));
        assert_eq!(
            w.w,
            (0.5 * 0.5 + 0.3 * 0.75 + 0.2 * 0.5) / (0.5 + 0.3 + 0.2)
        );
        assert_eq!(plans[0].weight.c, 0.25);
        assert!(ctx.problems.is_empty());
    }

    #[test]
    fn a_rep_without_enough_history_runs_at_the_median_of_those_with() {
        let input = two_reps(true);
        let mut ctx = ctx(&input);
        let mut m = metric();
        m.history_column = Some(0);
        let mut plans = vec![plan(0, 0), plan(1, 0)];
        ctx.weigh(&m, &north(), &[0, 1], &mut plans);
        let (w0, w1) = (&plans[0].weight, &plans[1].weight);
        assert_eq!((w0.net, w0.rows, w0.own_run_rate), (720.0, 12, Some(10.0)));
        assert_eq!((w1.own_run_rate, w1.run_rate, w1.h), (None, 10.0, 0.5));
        assert!(ctx.problems.is_empty());
        let mut plans = vec![plan(1, 0)];
        ctx.weigh(&m, &north(), &[0], &mut plans);
        assert_eq!(
            warnings(&ctx),
            vec![(
                Code::ShortHistory,
                "revenue/North: no rep has enough history for a run-rate; history share = equal share".to_string()
            )]
        );
    }

    #[test]
    fn the_median_and_the_role_weights() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[1.0, 3.0, 10.0]), 3.0);
        assert_eq!(median(&[1.0, 3.0]), 2.0);
        let mut plans = vec![plan(0, 0), plan(1, 0)];
        for (p, role) in plans.iter_mut().zip([2.0, 1.0]) {
            p.weight.w = 0.5;
            p.weight.role_weight = role;
        }
        role_weighted(&[0, 1], &mut plans);
        assert_eq!(
            (plans[0].weight.w, plans[1].weight.w),
            (1.0 / 1.5, 0.5 / 1.5)
        );
        plans[0].weight.role_weight = 1.0;
        role_weighted(&[0, 1], &mut plans);
        assert_eq!(plans[1].weight.w, 0.5 / 1.5);
    }

    #[test]
    fn a_month_s_rest_goes_to_the_available_reps_without_a_target() {
        let input = two_reps(false);
        let mut ctx = ctx(&input);
        let mut rest = [0; 12];
        (rest[0], rest[1], rest[2]) = (100, 10, 100);
        let set = Groups {
            list: vec![north(), empty_group(GroupKind::RepAlone, "R9".into())],
            targets: vec![],
            rows: vec![],
            series: vec![],
            season: vec![],
            cells: vec![],
            rest: vec![rest, [5; 12]],
            of_rep: vec![],
        };
        let mut plans = vec![plan(0, 0), plan(1, 0), plan(0, 0), plan(1, 1)];
        plans[1].availability[1] = 0.0;
        plans[0].availability[1] = 0.0;
        plans[1].availability[2] = 0.0;
        plans[2].held = true;
        plans[2].months = [7; 12];
        plans[3].held = true;
        ctx.share_months(&metric(), &set, &mut plans);
        // Weights 0.425 and 0.575 (capabilities 1 and 3): 42.5 and 57.5 of 100.
        assert_eq!(plans[0].months[..3], [43, 0, 100]);
        assert_eq!(plans[1].months[..3], [57, 0, 0]);
        assert_eq!((plans[2].months, plans[3].months), ([7; 12], [0; 12]));
        assert_eq!(
            errors(&ctx),
            vec![(
                Code::NoMonthToTake,
                "revenue: nobody in team North is available in 2027-02 to take a month target of 0.10".to_string()
            )]
        );
    }
}
