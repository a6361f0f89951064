//! The reps with a target of their own: held inside their group to exactly
//! that target, or standing alone as a group of their own; and the check
//! that held reps do not exceed their group's month targets.

use super::availability::{ramp, RepPlans};
use super::groups::{empty_group, Groups};
use super::history::SeriesScope;
use super::scopes::ScopeRows;
use super::Ctx;
use crate::engine::allocate::{ratio_of, ratio_of_f64, round_half_away, split_exact};
use crate::engine::diag::Code;
use crate::engine::model::{GroupKind, Metric, RepPlan};
use crate::engine::season::{self, MonthSeries, ScopeTargets, Weights12};
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use std::collections::{BTreeMap, BTreeSet};

/// The reps with a target of their own.
pub(super) struct Owned {
    /// Those in a group: held to exactly their target.
    pub(super) held: BTreeSet<usize>,
    /// Those in no group, with their targets: each a group of its own.
    pub(super) alone: Vec<(usize, ScopeTargets)>,
}

impl Ctx<'_> {
    /// Reps held by their own target, or standing alone; an error for each
    /// rep with a target who is not employed in the plan year. The counted
    /// reps in no group and without a target of their own are noted as
    /// unplanned for metric `mi`.
    pub(super) fn own_targets(
        &mut self,
        mi: usize,
        rep_targets: &BTreeMap<usize, ScopeRows>,
        set: &Groups,
    ) -> Owned {
        let input = self.input;
        let reps = &input.reps;
        let counted = self.counted.clone();
        let counted_set: BTreeSet<usize> = counted.iter().copied().collect();
        let mut held: BTreeSet<usize> = BTreeSet::new();
        let mut alone: Vec<(usize, ScopeTargets)> = Vec::new();
        for (i, rows) in rep_targets {
            if !counted_set.contains(i) {
                self.fail(
                    Code::RepNotEmployed,
                    Some(rows.origin.clone()),
                    format!(
                        "rep {} has a target but is not employed in fiscal year {}",
                        reps[*i].id, self.year
                    ),
                );
                continue;
            }
            match set.of_rep[*i] {
                Some(_) => {
                    held.insert(*i);
                }
                None => alone.push((*i, rows.targets.clone())),
            }
        }
        if !set.list.is_empty() {
            let without: Vec<usize> = counted
                .iter()
                .copied()
                .filter(|&i| set.of_rep[i].is_none() && !rep_targets.contains_key(&i))
                .collect();
            if !without.is_empty() {
                self.unplanned.push((mi, without));
            }
        }
        Owned { held, alone }
    }

    /// Held reps: exactly their target, spread by the team's seasonality ×
    /// availability; `rest` becomes what each group's month targets leave.
    pub(super) fn place_held(
        &mut self,
        metric: &Metric,
        held: &BTreeSet<usize>,
        rep_targets: &BTreeMap<usize, ScopeRows>,
        set: &mut Groups,
        plans: &mut RepPlans,
    ) {
        set.rest = set.list.iter().map(|g| g.months).collect();
        for i in held {
            let p = plans.pos_of[i];
            let g = set.of_rep[*i].unwrap_or(0);
            if let Some(x) = self.rep_months(metric, *i, &rep_targets[i], &set.season[g]) {
                for (m, &xm) in x.iter().enumerate() {
                    set.rest[g][m] = set.rest[g][m].saturating_sub(xm);
                    set.list[g].held[m] = set.list[g].held[m].saturating_add(xm);
                }
                plans.list[p].months = x;
                plans.list[p].held = true;
            }
        }
    }

    /// An error for each month where a group's held reps take more than its month target.
    pub(super) fn check_held(
        &mut self,
        metric: &Metric,
        set: &Groups,
        plans: &[RepPlan],
        rep_targets: &BTreeMap<usize, ScopeRows>,
    ) {
        for (g, group_rest) in set.rest.iter().enumerate() {
            for (m, &r) in group_rest.iter().enumerate() {
                if r < 0 {
                    self.held_excess(metric, (g, &set.list[g]), m, plans, rep_targets);
                }
            }
        }
    }

    /// Lone rep targets: a group of their own, spread by their team's
    /// history, else the company's (`company`), × availability.
    pub(super) fn place_alone(
        &mut self,
        metric: &Metric,
        alone: Vec<(usize, ScopeTargets)>,
        rep_targets: &BTreeMap<usize, ScopeRows>,
        company: &MonthSeries,
        set: &mut Groups,
        plans: &mut RepPlans,
    ) {
        let input = self.input;
        let col = metric.history_column;
        for (i, t) in alone {
            let p = plans.pos_of[&i];
            let rep = &input.reps[i];
            let own = if rep.team_key.is_empty() {
                None
            } else {
                Some(self.series(col, &SeriesScope::Team(rep.team_key.clone())))
            };
            let what = format!("{}/{}", metric.name, rep.id);
            let (s, src) = self.seasonality(metric, own.as_ref(), company, &what);
            let at = rep_targets[&i].cell.clone();
            if let Some(x) = self.rep_months(metric, i, &rep_targets[&i], &s) {
                let mut g = empty_group(GroupKind::RepAlone, rep.id.clone());
                g.season = season::to_f64(&s);
                g.season_source = src;
                g.months = x;
                g.held = x;
                g.assigned = x.iter().sum();
                g.target = season::spread(&t, &s)
                    .map(|(_, w, _)| w)
                    .unwrap_or_default();
                plans.list[p].group = Some(set.list.len());
                plans.list[p].months = x;
                plans.list[p].held = true;
                set.list.push(g);
                set.cells.push(at);
                set.rest.push([0; 12]);
            }
        }
    }

    /// A held rep's months: its targets spread by seasonality × exact availability.
    fn rep_months(
        &mut self,
        metric: &Metric,
        i: usize,
        rows: &ScopeRows,
        s: &Weights12,
    ) -> Option<[i64; 12]> {
        let (t, at) = (&rows.targets, &rows.cell);
        let rep = &self.input.reps[i];
        let weights: Weights12 = std::array::from_fn(|m| {
            let ym = self.f0 + m as i32;
            let (all, employed) = self.days.month_days(ym, rep.start, rep.end);
            if all == 0 {
                return BigRational::zero();
            }
            let a = ratio_of(rep.fte)
                * BigRational::new(employed.into(), all.into())
                * ratio_of_f64(ramp(rep, metric, ym));
            &s[m] * a
        });
        let what = format!("{}/{}", metric.name, rep.id);
        match season::spread(t, &weights) {
            Ok((tau, whole, _)) => {
                if !whole.is_positive() {
                    return Some([0; 12]);
                }
                let h = BigRational::from_integer(round_half_away(&whole));
                let name = format!("the held target of rep {}", rep.id);
                if !self.fits(metric, &h, at, &name, None) {
                    return None;
                }
                let h = h.to_integer().to_i64()?;
                let quotas: Vec<BigRational> = tau
                    .iter()
                    .map(|x| BigRational::from_integer(h.into()) * x / &whole)
                    .collect();
                let mut out = [0; 12];
                out.copy_from_slice(&split_exact(&quotas, h));
                for (m, &x) in out.iter().enumerate() {
                    let (_, employed) =
                        self.days.month_days(self.f0 + m as i32, rep.start, rep.end);
                    if x != 0 && employed == 0 {
                        let msg = format!(
                            "{what}: a target in {} when the rep has no working day",
                            self.calendar.month_label(m)
                        );
                        self.fail(Code::RepNotEmployed, Some(rep.origin.clone()), msg);
                        return None;
                    }
                }
                Some(out)
            }
            Err(e) => {
                self.spread_error(metric, &what, e, &rows.rows);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{ctx, day, errors, input, metric, rep, target, units};
    use super::*;
    use crate::engine::model::{PeriodText, PlanInput};

    /// Team North with a target and R1 holding one, R3 of South without one,
    /// R4 alone, R5 gone before the year, R6 starting in June with a March target.
    fn org() -> PlanInput {
        let mut gone = rep("R5", "North", 6);
        gone.end = Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        let mut late = rep("R6", "", 7);
        late.start = Some(day(6, 1));
        let reps = vec![
            rep("R1", "North", 2),
            rep("R2", "North", 3),
            rep("R3", "South", 4),
            rep("R4", "", 5),
            gone,
            late,
        ];
        let year = PeriodText::Year(2027);
        let targets = vec![
            target("North", year, 600, 2),
            target("R1", year, 1200, 3),
            target("R4", year, 120, 4),
            target("R5", year, 10, 5),
            target("R6", PeriodText::Month(2027, 3), 50, 6),
        ];
        input(reps, targets)
    }

    #[test]
    fn own_targets_are_held_in_their_group_or_stand_alone() {
        let input = org();
        let mut ctx = ctx(&input);
        let m = metric();
        let none = MonthSeries::new();
        let scopes = ctx.scopes(0, &m, &none);
        let mut set = ctx.groups(&m, &scopes).unwrap();
        let own = ctx.own_targets(0, &scopes.reps, &set);
        assert_eq!(own.held, [0].into());
        let alone: Vec<usize> = own.alone.iter().map(|(i, _)| *i).collect();
        assert_eq!(alone, vec![3, 5]);
        assert_eq!(ctx.unplanned, vec![(0, vec![2])]);
        ctx.spread_groups(&m, &mut set, &none);
        let mut plans = ctx.rep_plans(&m, &set.of_rep);
        ctx.place_held(&m, &own.held, &scopes.reps, &mut set, &mut plans);
        assert_eq!(
            (set.list[0].months, set.list[0].held),
            ([5_000; 12], [10_000; 12])
        );
        assert_eq!(set.rest, vec![[-5_000; 12]]);
        assert_eq!(
            (plans.list[0].months, plans.list[0].held),
            ([10_000; 12], true)
        );
        ctx.check_held(&m, &set, &plans.list, &scopes.reps);
        ctx.place_alone(&m, own.alone, &scopes.reps, &none, &mut set, &mut plans);
        let r4 = &set.list[1];
        assert_eq!(
            (r4.name.as_str(), r4.kind.clone()),
            ("R4", GroupKind::RepAlone)
        );
        assert_eq!(
            (r4.months, r4.held, r4.assigned),
            ([1_000; 12], [1_000; 12], 12_000)
        );
        assert_eq!(
            (r4.target.clone(), r4.season_source.as_str()),
            (units(12_000), "even")
        );
        assert_eq!((set.list.len(), set.cells.len(), set.rest.len()), (2, 2, 2));
        let p = plans.pos_of[&3];
        assert_eq!((plans.list[p].group, plans.list[p].held), (Some(1), true));
        let e = errors(&ctx);
        assert_eq!(e.len(), 14);
        assert_eq!(
            e[0],
            (
                Code::RepNotEmployed,
                "rep R5 has a target but is not employed in fiscal year 2027".to_string()
            )
        );
        assert_eq!(
            e[1],
            (
                Code::PartsExceedWhole,
                "revenue: held rep targets in team North for 2027-01 (100.00) exceed the team's month target (50.00): rep R1 (100.00, row 3)".to_string()
            )
        );
        assert_eq!(
            ctx.errors[12].hint.as_deref(),
            Some("lower the rep targets for 2027-12, or raise team North's target for that month")
        );
        assert_eq!(
            e[13],
            (
                Code::RepNotEmployed,
                "revenue/R6: a target in 2027-03 when the rep has no working day".to_string()
            )
        );
        assert_eq!(ctx.errors[13].origin.as_ref().and_then(|o| o.row), Some(7));
    }
}
