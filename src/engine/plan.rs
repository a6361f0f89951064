//! The planning run: targets, reps and history in, exact rep-month targets out (SPEC §2).

use crate::engine::allocate::{ratio_of, ratio_of_f64, round_half_away, split_exact, split_f64};
use crate::engine::calendar::{ym_label, DayIndex, YearCalendar, Ym};
use crate::engine::diag::{nearest, Code, Origin, Problem};
use crate::engine::limits::{max_units, units_fit, MAX_DIGITS};
use crate::engine::model::PeriodText;
use crate::engine::model::*;
use crate::engine::season::{self, MonthSeries, ScopeTargets, SpreadError, Weights12};
use crate::engine::unplanned;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

type Problems = Vec<Problem>;

/// Makes the plan, or says every reason it cannot be made.
pub fn make_plan(input: &PlanInput) -> Result<Plan, Problems> {
    let year = plan_year(input)?;
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
    let mut ctx = Ctx {
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
    };
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

fn target_year(t: &Target, input: &PlanInput) -> i32 {
    match t.period {
        PeriodText::Year(y) | PeriodText::Quarter(y, _) => y,
        PeriodText::Month(y, m) => input.fiscal.year_of(y * 12 + m as i32 - 1),
    }
}

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

/// The targets of one scope, with the origin of the first row and its value
/// cell, and each row's period and origin.
struct ScopeRows {
    targets: ScopeTargets,
    origin: Origin,
    cell: Origin,
    rows: Vec<(PeriodText, Origin)>,
}

impl ScopeRows {
    /// No targets yet; `t` is the scope's first row.
    fn new(t: &Target) -> Self {
        ScopeRows {
            targets: ScopeTargets::default(),
            origin: t.origin.clone(),
            cell: t.value_cell.clone(),
            rows: Vec::new(),
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

    /// A target whose scope is neither a team nor a rep: an error with the
    /// nearest team or rep_id of the reps table.
    fn unknown_scope(&mut self, t: &Target, display: &str) {
        let reps = &self.input.reps;
        let reps_file = reps
            .first()
            .map_or("the reps table", |r| r.origin.file.as_str());
        let msg = format!("scope {display:?} is neither a team with reps nor a rep_id in the reps table ({reps_file})");
        let known = reps.iter().flat_map(|r| [r.team.as_str(), r.id.as_str()]);
        let hint = match nearest(display, known) {
            Some(near) => format!("did you mean {near:?}? Correct the scope, or add reps of team {display:?} to {reps_file}"),
            None => format!("a scope is *, a team of {reps_file} or a rep_id; correct it, or add reps of team {display:?}"),
        };
        self.errors
            .push(Problem::error(Code::UnknownScope, Some(t.origin.clone()), msg).with_hint(hint));
    }

    /// False, with an error at `at`, when `units` of `metric` is beyond the
    /// figures a plan holds exactly; `what` names the figure, `written` the cell's value.
    fn fits(
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

    fn unit_text(&self, metric: &Metric, units: &BigRational) -> String {
        let v = units * ratio_of(metric.unit);
        let places = if metric.kind == MetricKind::Money {
            2
        } else {
            0
        };
        format_ratio(&v, places.max(metric.unit.scale() as usize))
    }

    /// A scope's monthly sales for a history column (none: no sales).
    fn series(&self, col: Option<usize>, scope: &SeriesScope) -> MonthSeries {
        let h = &self.input.history;
        let mut out = MonthSeries::new();
        let Some(col) = col else { return out };
        let mut add = |ym: Ym, s: &Sums| {
            let e = out.entry(ym).or_insert((Decimal::ZERO, 0));
            e.0 += s.value(col);
            e.1 += s.rows;
        };
        match scope {
            SeriesScope::Company => h.company.iter().for_each(|(&ym, s)| add(ym, s)),
            SeriesScope::Rep(i) => h
                .by_rep
                .range((*i, Ym::MIN)..=(*i, Ym::MAX))
                .for_each(|(&(_, ym), s)| add(ym, s)),
            SeriesScope::Team(key) => {
                for (i, rep) in self.input.reps.iter().enumerate() {
                    if &rep.team_key == key {
                        h.by_rep
                            .range((i, Ym::MIN)..=(i, Ym::MAX))
                            .for_each(|(&(_, ym), s)| add(ym, s));
                    }
                }
                h.unknown_by_team
                    .range((key.clone(), Ym::MIN)..=(key.clone(), Ym::MAX))
                    .for_each(|((_, ym), s)| add(*ym, s));
            }
        }
        out
    }

    fn workday_weights(&self) -> Weights12 {
        let parts: Vec<BigRational> = self
            .calendar
            .month_workdays
            .iter()
            .map(|&d| BigRational::from_integer(d.into()))
            .collect();
        season::proportional(&parts)
    }

    /// Rule 1 for one scope: its history, else the company's, else working days.
    fn seasonality(
        &mut self,
        metric: &Metric,
        own: Option<&MonthSeries>,
        company: &MonthSeries,
        what: &str,
    ) -> (Weights12, String) {
        let rules = &metric.rules;
        let fiscal = self.input.fiscal;
        match &rules.seasonality {
            Seasonality::Even => (
                season::proportional(&vec![BigRational::from_integer(1.into()); 12]),
                "even".into(),
            ),
            Seasonality::Workdays => (self.workday_weights(), "working days".into()),
            Seasonality::Fixed(w) => {
                let parts: Vec<BigRational> = w.iter().map(|&x| ratio_of_f64(x)).collect();
                (
                    season::proportional(&parts),
                    "fixed in the plan file".into(),
                )
            }
            Seasonality::History if self.without_history(metric) => (
                self.workday_weights(),
                "working days (history_column = false)".into(),
            ),
            Seasonality::History => {
                let years = rules.seasonality_years;
                let found = own
                    .and_then(|s| season::from_history(s, fiscal, self.year, years))
                    .map(|(s, y)| (s, format!("own history {}", join_years(&y))))
                    .or_else(|| {
                        season::from_history(company, fiscal, self.year, years)
                            .map(|(s, y)| (s, format!("company history {}", join_years(&y))))
                    });
                match found {
                    Some((s, src)) => {
                        let lambda = ratio_of_f64(rules.smoothing);
                        if lambda.is_zero() {
                            (s, src)
                        } else {
                            (
                                season::smooth(&s, &self.workday_weights(), &lambda),
                                format!("{src}, smoothed {}", rules.smoothing),
                            )
                        }
                    }
                    None => {
                        self.warn(Code::ShortHistory, None, format!("{what}: no complete fiscal year of history; seasonality by working days"));
                        (self.workday_weights(), "working days (no history)".into())
                    }
                }
            }
        }
    }

    /// A metric planned without history on purpose (`history_column = false`
    /// next to a history): its fallbacks were announced when the history was read.
    fn without_history(&self, metric: &Metric) -> bool {
        metric.history_column.is_none() && !self.input.history.columns.is_empty()
    }

    /// The target of one row in exact units.
    fn target_units(
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

    fn fiscal_index(&self, p: PeriodText) -> PeriodSlot {
        match p {
            PeriodText::Year(_) => PeriodSlot::Year,
            PeriodText::Quarter(_, q) => PeriodSlot::Quarter(q as usize - 1),
            PeriodText::Month(y, m) => {
                PeriodSlot::Month(self.input.fiscal.position(y * 12 + m as i32 - 1))
            }
        }
    }

    fn plan_metric(&mut self, mi: usize) -> Option<MetricPlan> {
        let input = self.input;
        let metric = &input.metrics[mi];
        let col = metric.history_column;
        let reps = &input.reps;
        let company_series = self.series(col, &SeriesScope::Company);
        let team_keys: BTreeSet<&str> = reps
            .iter()
            .map(|r| r.team_key.as_str())
            .filter(|k| !k.is_empty())
            .collect();
        let rep_index: BTreeMap<&str, usize> = reps
            .iter()
            .enumerate()
            .map(|(i, r)| (r.key.as_str(), i))
            .collect();

        // Scopes (SPEC 1.4).
        let mut company: Option<ScopeRows> = None;
        let mut teams: BTreeMap<String, ScopeRows> = BTreeMap::new();
        let mut rep_targets: BTreeMap<usize, ScopeRows> = BTreeMap::new();
        let year = self.year;
        for t in input.targets.iter().filter(|t| t.metric == mi) {
            let other = target_year(t, input);
            if other != year {
                self.warn(
                    Code::OtherYearTarget,
                    Some(t.origin.clone()),
                    format!("a target for {} falls in fiscal year {other}, not the plan's {year}: it is left out", t.period),
                );
            }
        }
        let rows: Vec<&Target> = input
            .targets
            .iter()
            .filter(|t| t.metric == mi && target_year(t, input) == year)
            .collect();
        for t in rows {
            let (slot_owner, series) = match &t.scope {
                Scope::Company => (Owner::Company, company_series.clone()),
                Scope::Named { key, display } => {
                    let is_team = team_keys.contains(key.as_str());
                    match (is_team, rep_index.get(key.as_str())) {
                        (true, Some(_)) => {
                            self.fail(
                                Code::AmbiguousScope,
                                Some(t.origin.clone()),
                                format!("scope \"{display}\" names both a team and a rep_id"),
                            );
                            continue;
                        }
                        (true, None) => (
                            Owner::Team(key.clone()),
                            self.series(col, &SeriesScope::Team(key.clone())),
                        ),
                        (false, Some(&i)) => {
                            (Owner::Rep(i), self.series(col, &SeriesScope::Rep(i)))
                        }
                        (false, None) => {
                            self.unknown_scope(t, display);
                            continue;
                        }
                    }
                }
            };
            let Some(units) = self.target_units(metric, t, &series) else {
                continue;
            };
            let slot = self.fiscal_index(t.period);
            let entry = match slot_owner {
                Owner::Company => company.get_or_insert_with(|| ScopeRows::new(t)),
                Owner::Team(k) => teams.entry(k).or_insert_with(|| ScopeRows::new(t)),
                Owner::Rep(i) => rep_targets.entry(i).or_insert_with(|| ScopeRows::new(t)),
            };
            let cell = match slot {
                PeriodSlot::Year => &mut entry.targets.year,
                PeriodSlot::Quarter(q) => &mut entry.targets.quarters[q],
                PeriodSlot::Month(m) => &mut entry.targets.months[m],
            };
            if cell.is_some() {
                let scope = match &t.scope {
                    Scope::Company => "the company".to_string(),
                    Scope::Named { display, .. } => format!("scope \"{display}\""),
                };
                let first = entry
                    .rows
                    .iter()
                    .find(|(p, _)| self.fiscal_index(*p) == slot)
                    .and_then(|(_, o)| o.row)
                    .map_or(String::new(), |r| format!(" (the first is on row {r})"));
                self.fail(
                    Code::DuplicateTarget,
                    Some(t.origin.clone()),
                    format!(
                        "a second target for {scope}, metric {}, period {}{first}",
                        metric.name, t.period
                    ),
                );
                continue;
            }
            *cell = Some(units);
            entry.rows.push((t.period, t.origin.clone()));
        }

        // Groups: teams in reps-file order, else the company.
        let mut groups: Vec<Group> = Vec::new();
        let mut group_targets: Vec<ScopeTargets> = Vec::new();
        let mut group_cells: Vec<Origin> = Vec::new();
        let mut group_rows: Vec<&[(PeriodText, Origin)]> = Vec::new();
        let mut group_of_rep: Vec<Option<usize>> = vec![None; reps.len()];
        let mut group_series: Vec<Option<MonthSeries>> = Vec::new();
        if !teams.is_empty() {
            let mut order: Vec<&str> = Vec::new();
            for r in reps {
                if !r.team_key.is_empty() && !order.contains(&r.team_key.as_str()) {
                    order.push(&r.team_key);
                }
            }
            for key in order {
                let Some(rows) = teams.get(key) else { continue };
                let g = groups.len();
                let name = reps
                    .iter()
                    .find(|r| r.team_key == key)
                    .map(|r| r.team.clone())
                    .unwrap_or_default();
                groups.push(empty_group(GroupKind::Team, name));
                group_targets.push(rows.targets.clone());
                group_cells.push(rows.cell.clone());
                group_rows.push(&rows.rows);
                group_series.push(Some(self.series(col, &SeriesScope::Team(key.to_string()))));
                for (i, r) in reps.iter().enumerate() {
                    if r.team_key == key {
                        group_of_rep[i] = Some(g);
                    }
                }
            }
            if let Some(c) = &company {
                let t = &c.targets;
                if t.quarters.iter().any(Option::is_some) || t.months.iter().any(Option::is_some) {
                    self.fail(Code::CompanyTarget, Some(c.origin.clone()), format!("{}: company targets finer than the year cannot stand next to team targets (only the year totals are compared)", metric.name));
                } else if let Some(total) = &t.year {
                    let even: Weights12 =
                        std::array::from_fn(|_| BigRational::from_integer(1.into()));
                    let sum = group_targets
                        .iter()
                        .filter_map(|gt| season::spread(gt, &even).ok())
                        .fold(BigRational::zero(), |a, (_, whole, _)| a + whole);
                    if &sum != total {
                        self.fail(
                            Code::CompanyTarget,
                            Some(c.origin.clone()),
                            format!(
                                "{}: the company target {} is not the sum of the team targets {}",
                                metric.name,
                                self.unit_text(metric, total),
                                self.unit_text(metric, &sum)
                            ),
                        );
                    }
                }
            }
        } else if let Some(c) = &company {
            groups.push(empty_group(GroupKind::Company, "*".into()));
            group_targets.push(c.targets.clone());
            group_cells.push(c.cell.clone());
            group_rows.push(&c.rows);
            group_series.push(None);
            group_of_rep.iter_mut().for_each(|g| *g = Some(0));
        } else if rep_targets.is_empty() {
            return None;
        }

        let counted = self.counted.clone();
        let counted_set: BTreeSet<usize> = counted.iter().copied().collect();
        // Reps held by their own target, or standing alone.
        let mut held: BTreeSet<usize> = BTreeSet::new();
        let mut alone: Vec<(usize, ScopeTargets)> = Vec::new();
        for (i, rows) in &rep_targets {
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
            match group_of_rep[*i] {
                Some(_) => {
                    held.insert(*i);
                }
                None => alone.push((*i, rows.targets.clone())),
            }
        }
        if !groups.is_empty() {
            let without: Vec<usize> = counted
                .iter()
                .copied()
                .filter(|&i| group_of_rep[i].is_none() && !rep_targets.contains_key(&i))
                .collect();
            if !without.is_empty() {
                self.unplanned.push((mi, without));
            }
        }

        // 1. Seasonality per group; 2. month targets.
        let over = ratio_of_f64(metric.rules.over_assignment);
        let mut season_exact: Vec<Weights12> = Vec::new();
        for g in 0..groups.len() {
            let what = format!("{}/{}", metric.name, groups[g].name);
            let (s, src) =
                self.seasonality(metric, group_series[g].as_ref(), &company_series, &what);
            groups[g].season = season::to_f64(&s);
            groups[g].season_source = src;
            match season::spread(&group_targets[g], &s) {
                Ok((tau, whole, empty)) => {
                    if !empty.is_empty() {
                        let qs: Vec<String> = empty.iter().map(|q| format!("Q{q}")).collect();
                        self.warn(
                            Code::NoQuarterTarget,
                            None,
                            format!("{what}: no target for fiscal quarter {}: 0", qs.join(", ")),
                        );
                    }
                    let a = BigRational::from_integer(round_half_away(&(&whole * &over)));
                    let over_text = metric.rules.over_assignment;
                    let name = format!(
                        "the assigned total of {} (× over_assignment {over_text})",
                        groups[g].name
                    );
                    let fits = self.fits(metric, &a, &group_cells[g], &name, None);
                    let a = if fits { a.to_integer().to_i64() } else { None };
                    let Some(a) = a else {
                        season_exact.push(s);
                        continue;
                    };
                    groups[g].assigned = a;
                    if whole.is_positive() {
                        let quotas: Vec<BigRational> = tau
                            .iter()
                            .map(|t| BigRational::from_integer(a.into()) * t / &whole)
                            .collect();
                        groups[g].months.copy_from_slice(&split_exact(&quotas, a));
                    }
                    groups[g].target = whole;
                }
                Err(e) => self.spread_error(metric, &what, e, group_rows[g]),
            }
            season_exact.push(s);
        }

        // Availability, plan year.
        let mut plans: Vec<RepPlan> = counted
            .iter()
            .map(|&i| RepPlan {
                rep: i,
                group: group_of_rep[i],
                held: false,
                months: [0; 12],
                availability: self.availability(&reps[i], metric),
                weight: Weight::default(),
            })
            .collect();
        let pos_of: BTreeMap<usize, usize> =
            counted.iter().enumerate().map(|(p, &i)| (i, p)).collect();

        // A re-plan: the months before the as-of month keep the previous plan's
        // targets; the rest of each assigned total goes to the open months by seasonality.
        let frozen = self.frozen_months(metric, &plans);
        if let Some((k, prev)) = &frozen {
            for (g, group) in groups.iter_mut().enumerate() {
                let mut kept = [0i64; 12];
                for (plan, months) in plans.iter().zip(prev) {
                    if plan.group == Some(g) {
                        for m in 0..*k {
                            kept[m] = kept[m].saturating_add(months[m]);
                        }
                    }
                }
                let kept_sum = kept.iter().fold(0i64, |a, &b| a.saturating_add(b));
                let open_total = group.assigned.saturating_sub(kept_sum);
                let weights: Vec<BigRational> =
                    (*k..12).map(|m| season_exact[g][m].clone()).collect();
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
                group.months[..*k].copy_from_slice(&kept[..*k]);
                group.months[*k..].copy_from_slice(&split_exact(&quotas, open_total));
                group.frozen = kept;
            }
        }

        // Held reps: exactly their target, spread by the team's seasonality × availability.
        let mut rest: Vec<[i64; 12]> = groups.iter().map(|g| g.months).collect();
        for i in &held {
            let p = pos_of[i];
            let g = group_of_rep[*i].unwrap_or(0);
            if let Some(x) = self.rep_months(metric, *i, &rep_targets[i], &season_exact[g]) {
                for m in 0..12 {
                    rest[g][m] = rest[g][m].saturating_sub(x[m]);
                    groups[g].held[m] = groups[g].held[m].saturating_add(x[m]);
                }
                plans[p].months = x;
                plans[p].held = true;
            }
        }
        if let Some((k, prev)) = &frozen {
            for (plan, months) in plans.iter_mut().zip(prev) {
                if let Some(g) = plan.group {
                    rest[g][..*k].fill(0);
                    plan.months[..*k].copy_from_slice(&months[..*k]);
                }
            }
        }
        for (g, group_rest) in rest.iter().enumerate() {
            for (m, &r) in group_rest.iter().enumerate() {
                if r < 0 {
                    self.held_excess(metric, (g, &groups[g]), m, &plans, &rep_targets);
                }
            }
        }

        // Lone rep targets: a group of their own.
        for (i, t) in alone {
            let p = pos_of[&i];
            let rep = &reps[i];
            let own = if rep.team_key.is_empty() {
                None
            } else {
                Some(self.series(col, &SeriesScope::Team(rep.team_key.clone())))
            };
            let what = format!("{}/{}", metric.name, rep.id);
            let (s, src) = self.seasonality(metric, own.as_ref(), &company_series, &what);
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
                plans[p].group = Some(groups.len());
                plans[p].months = x;
                plans[p].held = true;
                groups.push(g);
                group_cells.push(at);
                rest.push([0; 12]);
            }
        }

        self.company_total_fits(metric, &groups, &group_cells);

        // 3. Weights, 5. rep-month targets, per group.
        for g in 0..groups.len() {
            if groups[g].kind == GroupKind::RepAlone {
                continue;
            }
            let members: Vec<usize> = (0..plans.len())
                .filter(|&p| plans[p].group == Some(g) && !plans[p].held)
                .collect();
            self.weigh(metric, &groups[g], &members, &mut plans);
            for (m, &left) in rest[g].iter().enumerate() {
                let wa: Vec<f64> = members
                    .iter()
                    .map(|&p| plans[p].weight.w * plans[p].availability[m])
                    .collect();
                let denom: f64 = wa.iter().sum();
                if left > 0 && denom <= 0.0 {
                    let msg = format!(
                        "{}: nobody in {} is available in {} to take a month target of {}",
                        metric.name,
                        if groups[g].kind == GroupKind::Company {
                            "the company".to_string()
                        } else {
                            format!("team {}", groups[g].name)
                        },
                        self.calendar.month_label(m),
                        self.unit_text(metric, &BigRational::from_integer(left.into()))
                    );
                    self.fail(Code::NoMonthToTake, None, msg);
                    continue;
                }
                if left <= 0 {
                    continue;
                }
                let quotas: Vec<f64> = wa.iter().map(|x| left as f64 * x / denom).collect();
                for (k, x) in split_f64(&quotas, left).into_iter().enumerate() {
                    plans[members[k]].months[m] = x;
                }
            }
        }
        Some(MetricPlan {
            metric: mi,
            groups,
            reps: plans,
        })
    }

    /// A month `m` where the held reps' targets exceed their team's month
    /// target: an error naming the team, the month, both figures, and each
    /// holding rep with its figure and target row.
    fn held_excess(
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
    fn spread_error(
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

    /// In a re-plan: the first open fiscal month, and each rep's kept months
    /// (the previous plan's targets, in units; zero for a rep it did not hold).
    fn frozen_months(
        &mut self,
        metric: &Metric,
        plans: &[RepPlan],
    ) -> Option<(usize, Vec<[i64; 12]>)> {
        let frozen = self.input.frozen.as_ref()?;
        let k = (crate::engine::calendar::ym_of(frozen.as_of) - self.f0).clamp(0, 12) as usize;
        if k == 0 {
            return None;
        }
        let labels: Vec<String> = (0..k).map(|m| self.calendar.month_label(m)).collect();
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
                for (m, label) in labels.iter().enumerate() {
                    let Some(v) = months.get(label) else { continue };
                    let units = round_half_away(&(ratio_of(*v) / ratio_of(metric.unit)));
                    match units.to_i64().filter(|u| (0..=limit).contains(u)) {
                        Some(u) => out[m] = u,
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

    /// An error when the sum of the groups' assigned totals (the company's
    /// figure) is beyond the limit, at the target row that carries it over.
    fn company_total_fits(&mut self, metric: &Metric, groups: &[Group], cells: &[Origin]) {
        let mut total = BigRational::zero();
        for (g, at) in groups.iter().zip(cells) {
            total += BigRational::from_integer(g.assigned.into());
            if !self.fits(
                metric,
                &total,
                at,
                "the company total (the sum over teams)",
                None,
            ) {
                return;
            }
        }
    }

    /// Availability a_r,m over the plan year's fiscal months (rule 4).
    fn availability(&self, rep: &Rep, metric: &Metric) -> [f64; 12] {
        std::array::from_fn(|m| self.availability_in(rep, metric, self.f0 + m as i32))
    }

    fn availability_in(&self, rep: &Rep, metric: &Metric, ym: Ym) -> f64 {
        let (all, employed) = self.days.month_days(ym, rep.start, rep.end);
        if all == 0 {
            return 0.0;
        }
        rep.fte.to_f64().unwrap_or(1.0) * employed as f64 / all as f64 * ramp(rep, metric, ym)
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

    /// Rule 3 over the group's sharing reps.
    fn weigh(&mut self, metric: &Metric, group: &Group, members: &[usize], plans: &mut [RepPlan]) {
        if members.is_empty() {
            return;
        }
        let reps = &self.input.reps;
        let rules = &metric.rules;
        let col = metric.history_column;
        let (w0, w1) = window(&self.input.history, self.f0, rules.lookback_months);
        let fiscal = self.input.fiscal;
        let n = members.len() as f64;
        for &p in members {
            let i = plans[p].rep;
            let rep = &reps[i];
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
            let own = (rows > 0 && capacity >= rules.min_history - 1e-9)
                .then(|| (net / capacity).max(0.0));
            plans[p].weight = Weight {
                net,
                rows,
                capacity,
                own_run_rate: own,
                ..Weight::default()
            };
        }
        let mut own: Vec<f64> = members
            .iter()
            .filter_map(|&p| plans[p].weight.own_run_rate)
            .collect();
        own.sort_by(f64::total_cmp);
        let median = match own.len() {
            0 => 0.0,
            k if k % 2 == 1 => own[k / 2],
            k => (own[k / 2 - 1] + own[k / 2]) / 2.0,
        };
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
        let cap_sum: f64 = members
            .iter()
            .map(|&p| reps[plans[p].rep].capability.to_f64().unwrap_or(1.0))
            .sum();
        let [a, b, c] = rules.weights;
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
}

/// ramp_r,m: `ramp[k]` for k calendar months from the start month, else 1.
fn ramp(rep: &Rep, metric: &Metric, ym: Ym) -> f64 {
    let Some(start) = rep.start else { return 1.0 };
    let k = ym - crate::engine::calendar::ym_of(start);
    if k >= 0 && (k as usize) < metric.rules.ramp.len() {
        metric.rules.ramp[k as usize]
    } else {
        1.0
    }
}

enum SeriesScope {
    Company,
    Team(String),
    Rep(usize),
}

enum Owner {
    Company,
    Team(String),
    Rep(usize),
}

#[derive(Clone, Copy, PartialEq)]
enum PeriodSlot {
    Year,
    Quarter(usize),
    Month(usize),
}

fn empty_group(kind: GroupKind, name: String) -> Group {
    Group {
        kind,
        name,
        target: BigRational::zero(),
        assigned: 0,
        months: [0; 12],
        held: [0; 12],
        season: [0.0; 12],
        season_source: String::new(),
        frozen: [0; 12],
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

fn join_years(years: &[i32]) -> String {
    years
        .iter()
        .map(|y| y.to_string())
        .collect::<Vec<_>>()
        .join(", ")
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
    use super::*;

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
}
