//! The planning run: targets, reps and history in, exact rep-month targets out (SPEC §2).
//!
//! [`make_plan`] plans each metric in turn: its targets by scope
//! (`scopes`, `targets`), the groups that share them (`groups`), each
//! group's seasonality (`history`) and month targets (`months`), a
//! re-plan's kept months (`replan`), the reps' own targets (`held`), and
//! the rep-month targets by weight and availability (`weights`,
//! `availability`); `messages` words the errors about figures.

mod availability;
#[cfg(test)]
mod fixture;
mod groups;
mod held;
mod history;
mod messages;
mod months;
mod replan;
mod scopes;
mod targets;
mod weights;

pub use messages::format_ratio;

use crate::engine::calendar::{DayIndex, YearCalendar, Ym};
use crate::engine::diag::{Code, Origin, Problem};
use crate::engine::model::PeriodText;
use crate::engine::model::*;
use crate::engine::unplanned;
use history::SeriesScope;
use std::collections::BTreeSet;

type Problems = Vec<Problem>;

/// Makes the plan, or says every reason it cannot be made.
pub fn make_plan(input: &PlanInput) -> Result<Plan, Problems> {
    let year = plan_year(input)?;
    let mut ctx = Ctx::new(input, year);
    let metric_order = metric_order(input, year);
    if metric_order.is_empty() {
        return Err(vec![Problem::error(
            Code::TargetYear,
            None,
            format!("the targets hold no target for fiscal year {year}"),
        )]);
    }
    let mut metrics = Vec::new();
    for m in metric_order {
        if let Some(mp) = ctx.plan_metric(m) {
            metrics.push(mp);
        }
    }
    if !ctx.errors.is_empty() {
        return Err(ctx.errors);
    }
    let mut problems = unplanned::warnings(input, &ctx.unplanned);
    problems.append(&mut ctx.problems);
    Ok(Plan {
        year,
        calendar: ctx.calendar,
        window: ctx.window,
        left_out: unplanned::left_out(&ctx.counted, &metrics),
        counted: ctx.counted,
        metrics,
        problems,
    })
}

/// The metrics with a target in fiscal year `year`, in order of first appearance.
fn metric_order(input: &PlanInput, year: i32) -> Vec<usize> {
    let mut metric_order: Vec<usize> = Vec::new();
    for t in input
        .targets
        .iter()
        .filter(|t| target_year(t, input) == year)
    {
        if !metric_order.contains(&t.metric) {
            metric_order.push(t.metric);
        }
    }
    metric_order
}

/// The fiscal year a target's period falls in.
fn target_year(t: &Target, input: &PlanInput) -> i32 {
    match t.period {
        PeriodText::Year(y) | PeriodText::Quarter(y, _) => y,
        PeriodText::Month(y, m) => input.fiscal.year_of(y * 12 + m as i32 - 1),
    }
}

/// The year to plan: the one named, else the targets' only fiscal year.
fn plan_year(input: &PlanInput) -> Result<i32, Problems> {
    if let Some(y) = input.year {
        return Ok(y);
    }
    let years: BTreeSet<i32> = input
        .targets
        .iter()
        .map(|t| target_year(t, input))
        .collect();
    match years.len() {
        0 => Err(vec![Problem::error(
            Code::TargetYear,
            None,
            "the targets table has no targets",
        )]),
        1 => Ok(*years.iter().next().unwrap_or(&0)),
        _ => {
            let list: Vec<String> = years.iter().map(|y| y.to_string()).collect();
            Err(vec![Problem::error(
                Code::TargetYear,
                None,
                format!(
                    "the targets hold more than one fiscal year ({})",
                    list.join(", ")
                ),
            )
            .with_hint(
                "name the year to plan with --year or `year =` in the plan file",
            )])
        }
    }
}

/// The lookback window (rule 3): the `lookback` months that end with the last
/// month before the plan year with a history row, starting no earlier than the
/// first month with one; the months just before the plan year without such a row.
fn window(history: &History, f0: Ym, lookback: u32) -> (Ym, Ym) {
    let l = lookback.max(1) as i32;
    match history.company.range(..f0).next_back() {
        Some((&last, _)) => {
            let first = history.company.keys().next().copied().unwrap_or(last);
            ((last - l + 1).max(first), last)
        }
        None => (f0 - l, f0 - 1),
    }
}

/// The state of one planning run: the year's calendar, the counted reps, and
/// the problems found so far.
struct Ctx<'a> {
    input: &'a PlanInput,
    year: i32,
    f0: Ym,
    calendar: YearCalendar,
    days: DayIndex,
    counted: Vec<usize>,
    window: (Ym, Ym),
    problems: Problems,
    errors: Problems,
    /// Per metric, the counted reps that get no plan for lack of a team target.
    unplanned: Vec<(usize, Vec<usize>)>,
}

impl<'a> Ctx<'a> {
    /// The run for plan year `year`: its calendar, the working days of every
    /// metric's window and of the year before, and the reps employed in the year.
    fn new(input: &'a PlanInput, year: i32) -> Self {
        let fiscal = input.fiscal;
        let f0 = fiscal.first_month(year);
        let calendar = YearCalendar::new(fiscal, year, &input.calendar);
        let lookback = input
            .metrics
            .first()
            .map_or(12, |m| m.rules.lookback_months);
        let plan_window = window(&input.history, f0, lookback);
        // The working days of every metric's window, and of the year before the plan's.
        let earliest = input
            .metrics
            .iter()
            .map(|m| window(&input.history, f0, m.rules.lookback_months).0)
            .fold(f0 - 12, i32::min);
        let days = DayIndex::new(&input.calendar, earliest, f0 + 11);
        let first_day = crate::engine::calendar::ym_first_day(f0);
        let last_day = crate::engine::calendar::ym_first_day(f0 + 12)
            .pred_opt()
            .unwrap_or(first_day);
        let counted: Vec<usize> = input
            .reps
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.start.is_none_or(|s| s <= last_day) && r.end.is_none_or(|e| e >= first_day)
            })
            .map(|(i, _)| i)
            .collect();
        Ctx {
            input,
            year,
            f0,
            calendar,
            days,
            counted,
            window: plan_window,
            problems: Vec::new(),
            errors: Vec::new(),
            unplanned: Vec::new(),
        }
    }
}

impl Ctx<'_> {
    fn warn(&mut self, code: Code, origin: Option<Origin>, msg: String) {
        self.problems.push(Problem::warning(code, origin, msg));
    }

    fn fail(&mut self, code: Code, origin: Option<Origin>, msg: String) {
        self.errors.push(Problem::error(code, origin, msg));
    }

    /// The plan of metric `mi`, or `None` when it has no target in the plan
    /// year; its errors are kept in `errors`.
    fn plan_metric(&mut self, mi: usize) -> Option<MetricPlan> {
        let input = self.input;
        let metric = &input.metrics[mi];
        let company_series = self.series(metric.history_column, &SeriesScope::Company);
        let scopes = self.scopes(mi, metric, &company_series);
        let mut set = self.groups(metric, &scopes)?;
        let own = self.own_targets(mi, &scopes.reps, &set);
        // 1. Seasonality per group; 2. month targets.
        self.spread_groups(metric, &mut set, &company_series);
        let mut plans = self.rep_plans(metric, &set.of_rep);
        // A re-plan: the months before the as-of month keep the previous plan's
        // targets; the rest of each assigned total goes to the open months by seasonality.
        let frozen = self.frozen_months(metric, &plans.list);
        if let Some((k, prev)) = &frozen {
            self.keep_months(metric, (*k, prev), &mut set, &plans.list);
        }
        self.place_held(metric, &own.held, &scopes.reps, &mut set, &mut plans);
        if let Some((k, prev)) = &frozen {
            replan::keep_rep_months(*k, prev, &mut plans.list, &mut set.rest);
        }
        self.check_held(metric, &set, &plans.list, &scopes.reps);
        let alone = own.alone;
        self.place_alone(
            metric,
            alone,
            &scopes.reps,
            &company_series,
            &mut set,
            &mut plans,
        );
        self.company_total_fits(metric, &set.list, &set.cells);
        // 3. Weights, 5. rep-month targets, per group.
        self.share_months(metric, &set, &mut plans.list);
        Some(MetricPlan {
            metric: mi,
            groups: set.list,
            reps: plans.list,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::{input, target};
    use super::*;

    #[test]
    fn the_window_ends_with_the_last_recorded_month_before_the_year() {
        let mut h = History::default();
        let f0 = 2027 * 12;
        assert_eq!(window(&h, f0, 12), (f0 - 12, f0 - 1));
        assert_eq!(window(&h, f0, 0), (f0 - 1, f0 - 1));
        for ym in [f0 - 30, f0 - 3, f0 + 2] {
            h.company.insert(ym, Sums::default());
        }
        assert_eq!(window(&h, f0, 12), (f0 - 14, f0 - 3));
        assert_eq!(window(&h, f0, 36), (f0 - 30, f0 - 3));
    }

    #[test]
    fn the_plan_year_is_named_or_the_targets_only_one() {
        let mut i = input(vec![], vec![]);
        i.year = None;
        let e = plan_year(&i).unwrap_err();
        assert_eq!(e[0].message, "the targets table has no targets");
        i.targets = vec![
            target("*", PeriodText::Month(2027, 3), 1, 2),
            target("*", PeriodText::Quarter(2026, 1), 1, 3),
        ];
        let e = plan_year(&i).unwrap_err();
        assert_eq!(
            e[0].message,
            "the targets hold more than one fiscal year (2026, 2027)"
        );
        i.fiscal.start = 4;
        assert_eq!(target_year(&i.targets[0], &i), 2026);
        assert_eq!(plan_year(&i), Ok(2026));
        i.year = Some(2030);
        assert_eq!(plan_year(&i), Ok(2030));
    }

    #[test]
    fn metrics_are_planned_in_order_of_first_target_in_the_year() {
        let mut t = vec![
            target("*", PeriodText::Year(2026), 1, 2),
            target("*", PeriodText::Year(2027), 1, 3),
            target("*", PeriodText::Year(2027), 1, 4),
            target("*", PeriodText::Year(2027), 1, 5),
        ];
        (t[0].metric, t[1].metric, t[2].metric, t[3].metric) = (3, 2, 0, 2);
        assert_eq!(metric_order(&input(vec![], t), 2027), vec![2, 0]);
    }
}
