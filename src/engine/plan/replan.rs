//! A re-plan (SPEC §2, `--as-of`): the months before the as-of month keep
//! the previous plan's targets, and the rest of each assigned total goes to
//! the open months by seasonality.

use super::groups::Groups;
use super::Ctx;
use crate::engine::allocate::{ratio_of, round_half_away, split_exact};
use crate::engine::diag::Code;
use crate::engine::limits::{max_units, MAX_DIGITS};
use crate::engine::model::{Metric, RepPlan};
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};

impl Ctx<'_> {
    /// In a re-plan: the first open fiscal month, and each rep's kept months
    /// (the previous plan's targets, in units; zero for a rep it did not hold).
    pub(super) fn frozen_months(
        &mut self,
        metric: &Metric,
        plans: &[RepPlan],
    ) -> Option<(usize, Vec<[i64; 12]>)> {
        let frozen = self.input.frozen.as_ref()?;
        let k = (crate::engine::calendar::ym_of(frozen.as_of) - self.f0).clamp(0, 12) as usize;
        if k == 0 {
            return None;
        }

        let (mut bad, limit) = (Vec::new(), max_units(metric.unit));
        let prev = plans
            .iter()
            .map(|plan| {
                let key = (
                    metric.name.to_lowercase(),
                    self.input.reps[plan.rep].key.clone(),
                );
                let mut out = [0i64; 12];
                let Some(months) = frozen.targets.get(&key) else {
                    return out;
                };
                for (m, kept) in out.iter_mut().enumerate().take(k) {
                    let Some(v) = months.get(&(self.f0 + m as i32)) else { continue };
                    let label = self.calendar.month_label(m);
                    let units = round_half_away(&(ratio_of(*v) / ratio_of(metric.unit)));
                    match units.to_i64().filter(|u| (0..=limit).contains(u)) {
                        Some(u) => *kept = u,
                        None => bad.push(format!("{}: the previous plan's target of rep {} for {label}, {v}, is not a figure a plan holds exactly (0 to {limit} units, {MAX_DIGITS} significant digits)", metric.name, self.input.reps[plan.rep].id)),
                    }
                }
                out
            })
            .collect();
        for msg in bad {
            self.fail(Code::PreviousPlan, None, msg);
        }
        Some((k, prev))
    }

    /// Each team or company group keeps its reps' previous targets (`prev`,
    /// one per plan) for the first `k` months and spreads the rest of its
    /// assigned total over the open months by its seasonality; an error when
    /// the kept months leave nothing, or no month, for the rest.
    pub(super) fn keep_months(
        &mut self,
        metric: &Metric,
        (k, prev): (usize, &[[i64; 12]]),
        set: &mut Groups,
        plans: &[RepPlan],
    ) {
        for (g, group) in set.list.iter_mut().enumerate() {
            let mut kept = [0i64; 12];
            for (plan, months) in plans.iter().zip(prev) {
                if plan.group == Some(g) {
                    for m in 0..k {
                        kept[m] = kept[m].saturating_add(months[m]);
                    }
                }
            }
            let kept_sum = kept.iter().fold(0i64, |a, &b| a.saturating_add(b));
            let open_total = group.assigned.saturating_sub(kept_sum);
            let weights: Vec<BigRational> = (k..12).map(|m| set.season[g][m].clone()).collect();
            let total = weights.iter().fold(BigRational::zero(), |a, b| a + b);
            if open_total < 0 || (open_total > 0 && total.is_zero()) {
                let msg = format!(
                    "{}/{}: the months kept from the previous plan hold {} of the assigned {}, leaving nothing or no month for the rest",
                    metric.name,
                    group.name,
                    self.unit_text(metric, &BigRational::from_integer(kept_sum.into())),
                    self.unit_text(metric, &BigRational::from_integer(group.assigned.into()))
                );
                self.fail(Code::KeptMonths, None, msg);
                continue;
            }
            let quotas: Vec<BigRational> = if open_total == 0 {
                vec![BigRational::zero(); weights.len()]
            } else {
                weights
                    .iter()
                    .map(|w| BigRational::from_integer(open_total.into()) * w / &total)
                    .collect()
            };
            group.months[..k].copy_from_slice(&kept[..k]);
            group.months[k..].copy_from_slice(&split_exact(&quotas, open_total));
            group.frozen = kept;
        }
    }
}

/// The first `k` months of each planned rep keep its previous targets
/// (`prev`, one per plan), and leave nothing of them for the others to share.
pub(super) fn keep_rep_months(
    k: usize,
    prev: &[[i64; 12]],
    plans: &mut [RepPlan],
    rest: &mut [[i64; 12]],
) {
    for (plan, months) in plans.iter_mut().zip(prev) {
        if let Some(g) = plan.group {
            rest[g][..k].fill(0);
            plan.months[..k].copy_from_slice(&months[..k]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{ctx, day, errors, input, metric, rep};
    use super::super::groups::empty_group;
    use super::*;
    use crate::engine::model::{Frozen, GroupKind};
    use rust_decimal::Decimal;

    fn plans_in(groups: &[Option<usize>]) -> Vec<RepPlan> {
        groups
            .iter()
            .enumerate()
            .map(|(rep, &group)| RepPlan {
                rep,
                group,
                held: false,
                months: [0; 12],
                availability: [1.0; 12],
                weight: Default::default(),
            })
            .collect()
    }

    #[test]
    fn the_previous_plan_s_months_before_the_as_of_month_are_kept_in_units() {
        let mut input = input(vec![rep("R1", "North", 2), rep("R2", "North", 3)], vec![]);
        let months = [
            (2027 * 12, "10"),
            (2027 * 12 + 1, "20.005"),
            (2027 * 12 + 2, "-1"),
            (2027 * 12 + 3, "7"),
        ];
        let targets = [(
            ("revenue".to_string(), "r1".to_string()),
            months
                .iter()
                .map(|(ym, v)| (*ym, v.parse::<Decimal>().unwrap()))
                .collect::<std::collections::BTreeMap<_, _>>(),
        )];
        input.frozen = Some(Frozen {
            as_of: day(4, 10),
            targets: targets.into(),
        });
        let mut ctx = ctx(&input);
        let plans = plans_in(&[Some(0), Some(0)]);
        let (k, prev) = ctx.frozen_months(&metric(), &plans).unwrap();
        let mut r1 = [0; 12];
        r1[..2].copy_from_slice(&[1000, 2001]);
        assert_eq!((k, prev), (3, vec![r1, [0; 12]]));
        assert_eq!(
            errors(&ctx),
            vec![(
                Code::PreviousPlan,
                "revenue: the previous plan's target of rep R1 for 2027-03, -1, is not a figure a plan holds exactly (0 to 999999999999999 units, 15 significant digits)".to_string()
            )]
        );
        input.frozen.as_mut().unwrap().as_of = day(1, 31);
        assert!(ctx_frozen(&input).is_none());
        input.frozen.as_mut().unwrap().as_of = chrono::NaiveDate::from_ymd_opt(2028, 2, 1).unwrap();
        assert_eq!(ctx_frozen(&input).map(|(k, _)| k), Some(12));
    }

    fn ctx_frozen(input: &crate::engine::model::PlanInput) -> Option<(usize, Vec<[i64; 12]>)> {
        let plans = plans_in(&[Some(0), Some(0)]);
        ctx(input).frozen_months(&metric(), &plans)
    }

    #[test]
    fn a_group_keeps_its_reps_months_and_spreads_the_rest_over_the_open_months() {
        let input = input(vec![], vec![]);
        let mut ctx = ctx(&input);
        let even = std::array::from_fn(|_| BigRational::new(1.into(), 12.into()));
        let mut set = Groups {
            list: vec![
                empty_group(GroupKind::Team, "North".into()),
                empty_group(GroupKind::Team, "South".into()),
            ],
            targets: vec![],
            rows: vec![],
            series: vec![],
            season: vec![even.clone(), even],
            cells: vec![],
            rest: vec![],
            of_rep: vec![],
        };
        set.list[0].assigned = 96_500;
        set.list[1].assigned = 6_000;
        let plans = plans_in(&[Some(0), Some(0), Some(1), None]);
        let mut prev = vec![[0; 12]; 4];
        prev[0][..4].copy_from_slice(&[1000, 2000, 3000, 4000]);
        prev[1][0] = 500;
        prev[2][1] = 6500;
        prev[3][0] = 99;
        ctx.keep_months(&metric(), (3, &prev), &mut set, &plans);
        let mut want = [10_000; 12];
        want[..3].copy_from_slice(&[1500, 2000, 3000]);
        assert_eq!(set.list[0].months, want);
        let mut kept = [0; 12];
        kept[..3].copy_from_slice(&[1500, 2000, 3000]);
        assert_eq!(set.list[0].frozen, kept);
        assert_eq!((set.list[1].months, set.list[1].frozen), ([0; 12], [0; 12]));
        assert_eq!(
            errors(&ctx),
            vec![(
                Code::KeptMonths,
                "revenue/South: the months kept from the previous plan hold 65.00 of the assigned 60.00, leaving nothing or no month for the rest".to_string()
            )]
        );
    }

    #[test]
    fn planned_reps_keep_their_months_and_leave_nothing_of_them_to_share() {
        let mut plans = plans_in(&[Some(1), None]);
        plans[1].months = [5; 12];
        let prev = vec![[7; 12], [9; 12]];
        let mut rest = vec![[1; 12], [2; 12]];
        keep_rep_months(2, &prev, &mut plans, &mut rest);
        let mut r1 = [0; 12];
        r1[..2].fill(7);
        assert_eq!((plans[0].months, plans[1].months), (r1, [5; 12]));
        let mut g1 = [2; 12];
        g1[..2].fill(0);
        assert_eq!(rest, vec![[1; 12], g1]);
    }
}
