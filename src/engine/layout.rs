//! What goes in the outputs: every rep, team and company figure per period,
//! in the order of SPEC §3. Pure; the writers only format it.

use crate::engine::allocate::spread_days;
use crate::engine::calendar::YearCalendar;
use crate::engine::model::{Plan, PlanInput, Rep};
use chrono::NaiveDate;

/// The kind of a period column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Year,
    Quarter,
    Month,
    Week,
}

impl PeriodKind {
    /// As written in `plan.csv`.
    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::Year => "year",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Month => "month",
            PeriodKind::Week => "week",
        }
    }
}

/// The period columns: year, quarters, months, weeks.
#[derive(Debug, Clone)]
pub struct Periods {
    pub labels: Vec<String>,
    pub kinds: Vec<PeriodKind>,
}

impl Periods {
    /// The periods of a plan year.
    pub fn of(cal: &YearCalendar) -> Self {
        let mut labels = vec![cal.year.to_string()];
        let mut kinds = vec![PeriodKind::Year];
        for q in 1..=4 {
            labels.push(format!("{}-Q{q}", cal.year));
            kinds.push(PeriodKind::Quarter);
        }
        for m in 0..12 {
            labels.push(cal.month_label(m));
            kinds.push(PeriodKind::Month);
        }
        for w in &cal.weeks {
            labels.push(w.label.clone());
            kinds.push(PeriodKind::Week);
        }
        Periods { labels, kinds }
    }
}

/// Index of the first month column, and of the first week column.
pub const MONTH0: usize = 5;
/// Index of the first week column.
pub const WEEK0: usize = 17;

/// One output line: a rep, a team or the company, with a value per period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The team's spelling ("" for none or for the company).
    pub team: String,
    /// The team's key, as [`PlanInput::team_order`] lists it.
    pub team_key: String,
    /// The rep (index into the input reps), `None` for team and company lines.
    pub rep: Option<usize>,
    /// Units per period, in [`Periods`] order.
    pub values: Vec<i64>,
}

/// Lines of one metric.
#[derive(Debug, Clone)]
pub struct MetricLines {
    /// Index into the input metrics.
    pub metric: usize,
    /// Reps with a plan, in reps-file order.
    pub reps: Vec<Line>,
    /// Teams, in order of first appearance in the reps file.
    pub teams: Vec<Line>,
    pub company: Line,
}

/// A rep's working days in fiscal month `m` (0–11) while employed.
pub fn employed_days<'a>(
    cal: &'a YearCalendar,
    rep: &'a Rep,
    m: usize,
) -> impl Iterator<Item = NaiveDate> + 'a {
    cal.working[m]
        .iter()
        .copied()
        .filter(move |d| rep.start.is_none_or(|s| *d >= s) && rep.end.is_none_or(|e| *d <= e))
}

/// A rep-month target spread over the rep's employed working days (rule 6).
pub fn day_values<'a>(
    cal: &'a YearCalendar,
    rep: &'a Rep,
    m: usize,
    x: i64,
) -> impl Iterator<Item = (NaiveDate, i64)> + 'a {
    let n = employed_days(cal, rep, m).count();
    employed_days(cal, rep, m).zip(spread_days(x, n))
}

/// The plan's lines, and the team order they follow.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The team keys in [`PlanInput::team_order`].
    pub teams: Vec<String>,
    /// Each metric's lines.
    pub metrics: Vec<MetricLines>,
}

/// Every line of the plan, per metric.
pub fn lines(plan: &Plan, input: &PlanInput) -> Layout {
    let cal = &plan.calendar;
    let width = WEEK0 + cal.weeks.len();
    let team_order = input.team_order();
    let metrics = plan
        .metrics
        .iter()
        .map(|mp| {
            let mut reps = Vec::new();
            for rp in mp.reps.iter().filter(|rp| rp.group.is_some()) {
                let rep = &input.reps[rp.rep];
                let mut values = vec![0; width];
                for m in 0..12 {
                    let x = rp.months[m];
                    values[MONTH0 + m] = x;
                    values[1 + m / 3] += x;
                    values[0] += x;
                    for (day, v) in day_values(cal, rep, m, x) {
                        values[WEEK0 + cal.week_of(day)] += v;
                    }
                }
                reps.push(Line {
                    team: rep.team.clone(),
                    team_key: rep.team_key.clone(),
                    rep: Some(rp.rep),
                    values,
                });
            }
            let mut ordered = Vec::new();
            let mut teams = Vec::new();
            let mut company = vec![0; width];
            for key in &team_order {
                let members: Vec<Line> = reps
                    .iter()
                    .filter(|l| input.reps[l.rep.unwrap_or(0)].team_key == *key)
                    .cloned()
                    .collect();
                if members.is_empty() {
                    continue;
                }
                let mut sum = vec![0; width];
                for l in &members {
                    for (s, v) in sum.iter_mut().zip(&l.values) {
                        *s += v;
                    }
                }
                for (c, v) in company.iter_mut().zip(&sum) {
                    *c += v;
                }
                if !key.is_empty() {
                    teams.push(Line {
                        team: members[0].team.clone(),
                        team_key: key.to_string(),
                        rep: None,
                        values: sum,
                    });
                }
                ordered.extend(members);
            }
            MetricLines {
                metric: mp.metric,
                reps: ordered,
                teams,
                company: Line {
                    team: String::new(),
                    team_key: String::new(),
                    rep: None,
                    values: company,
                },
            }
        })
        .collect();
    Layout {
        teams: team_order.into_iter().map(String::from).collect(),
        metrics,
    }
}
