//! The planning model: what goes into a plan and what comes out.

use crate::engine::calendar::{Fiscal, WorkCalendar, YearCalendar, Ym};
use crate::engine::diag::{Origin, Problem};
use chrono::NaiveDate;
use num_rational::BigRational;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Money (minor units such as cents) or a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    Money,
    Count,
}

/// How month weights are found (rule 1).
#[derive(Debug, Clone, PartialEq)]
pub enum Seasonality {
    History,
    Workdays,
    Even,
    /// Twelve weights in fiscal order, normalised.
    Fixed([f64; 12]),
}

/// The rules of SPEC §2 for one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub seasonality: Seasonality,
    pub seasonality_years: usize,
    pub smoothing: f64,
    pub lookback_months: u32,
    pub min_history: f64,
    /// history, capability, equal.
    pub weights: [f64; 3],
    pub ramp: Vec<f64>,
    pub over_assignment: f64,
    pub growth_base: GrowthBase,
}

/// What a growth target grows (`[rules] growth_base`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrowthBase {
    /// The same period of the previous fiscal year, wholly covered by the history.
    PreviousYear,
    /// The same months among the last 12 recorded months.
    Trailing,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            seasonality: Seasonality::History,
            seasonality_years: 3,
            smoothing: 0.0,
            lookback_months: 12,
            min_history: 3.0,
            weights: [0.5, 0.3, 0.2],
            ramp: vec![0.25, 0.5, 0.75],
            over_assignment: 1.0,
            growth_base: GrowthBase::PreviousYear,
        }
    }
}

/// A metric to plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// The name as declared (`revenue`, `new_customers`).
    pub name: String,
    pub kind: MetricKind,
    /// Every figure is a whole multiple of this (0.01 for money unless `round_to`).
    pub unit: Decimal,
    /// Index of the history value column holding this metric's sales;
    /// `None`: the metric has no history (none given, or `history_column = false`).
    pub history_column: Option<usize>,
    /// Role (lowercase) → weight multiplier.
    pub role_weights: BTreeMap<String, f64>,
    pub rules: Rules,
}

impl Metric {
    /// Whether the metric's rules use the history: history shares
    /// (`weights.history > 0`) or `seasonality = "history"`.
    pub fn uses_history(&self) -> bool {
        self.rules.weights[0] > 0.0 || self.rules.seasonality == Seasonality::History
    }
}

/// A sales rep, as read from the reps table.
#[derive(Debug, Clone, PartialEq)]
pub struct Rep {
    /// The id as written (trimmed).
    pub id: String,
    /// The id trimmed and lowercased, for matching.
    pub key: String,
    pub name: String,
    pub email: String,
    /// The team as first spelled in the inputs; empty when none.
    pub team: String,
    /// The team trimmed and lowercased; empty when none.
    pub team_key: String,
    pub manager: String,
    pub capability: Decimal,
    /// The role, trimmed and lowercased.
    pub role: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub fte: Decimal,
    pub origin: Origin,
}

/// Whom a target is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Company,
    /// A team or a rep_id: the key (trimmed, lowercase) and the spelling.
    Named {
        key: String,
        display: String,
    },
}

/// The figure of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetValue {
    Amount(Decimal),
    /// Growth over the previous fiscal year's actual, as a ratio (0.15 = 15 %).
    Growth(Decimal),
}

/// One row of the targets table.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub scope: Scope,
    /// Index into [`PlanInput::metrics`].
    pub metric: usize,
    pub period: PeriodText,
    pub value: TargetValue,
    pub origin: Origin,
    /// The amount (or growth) cell: figures beyond the limits are named there.
    pub value_cell: Origin,
}

/// Sums of the history's value columns over some rows, and how many rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sums {
    pub values: Vec<Decimal>,
    pub rows: u64,
}

impl Sums {
    /// Adds one row's values.
    pub fn add(&mut self, values: &[Decimal]) {
        if self.values.len() < values.len() {
            self.values.resize(values.len(), Decimal::ZERO);
        }
        for (s, v) in self.values.iter_mut().zip(values) {
            *s += *v;
        }
        self.rows += 1;
    }

    /// Adds another sum.
    pub fn merge(&mut self, other: &Sums) {
        if self.values.len() < other.values.len() {
            self.values.resize(other.values.len(), Decimal::ZERO);
        }
        for (s, v) in self.values.iter_mut().zip(&other.values) {
            *s += *v;
        }
        self.rows += other.rows;
    }

    /// The sum of value column `col` (0 when absent).
    pub fn value(&self, col: usize) -> Decimal {
        self.values.get(col).copied().unwrap_or_default()
    }
}

/// Past sales aggregated by month: per known rep, per team (unknown reps'
/// rows naming a team) and company-wide. Memory does not grow with rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Names of the value columns (`amount` first).
    pub columns: Vec<String>,
    /// (index into reps, month) → sums.
    pub by_rep: BTreeMap<(usize, Ym), Sums>,
    /// (team key, month) → sums of rows of reps not in the reps table.
    pub unknown_by_team: BTreeMap<(String, Ym), Sums>,
    /// month → sums of every row.
    pub company: BTreeMap<Ym, Sums>,
    /// Rows naming a rep not in the reps table, and their amount.
    pub unknown_rows: u64,
    pub unknown_amount: Decimal,
    /// The first [`UNKNOWN_SHOWN`] ids of those rows, for the warning.
    pub unknown_ids: Vec<UnknownRep>,
    /// Whether the history has a rep column.
    pub has_rep_column: bool,
    /// Rows the plan file's `filter` and `exclude` left out.
    pub filtered_rows: u64,
}

/// Unknown reps named in a warning, at most.
pub const UNKNOWN_SHOWN: usize = 10;

/// A rep id of the history that the reps table does not have.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnknownRep {
    /// Trimmed, as first written.
    pub id: String,
    /// The row it is first seen on.
    pub first_row: u32,
    /// The history rows naming it.
    pub rows: u64,
}

impl History {
    /// Counts a row naming a rep (`id`, trimmed) that is not in the reps table.
    pub fn count_unknown(&mut self, id: &str, row: u32, amount: Decimal) {
        self.unknown_rows += 1;
        self.unknown_amount += amount;
        let same = |u: &UnknownRep| match u.id.is_ascii() && id.is_ascii() {
            true => u.id.eq_ignore_ascii_case(id),
            false => u.id.to_lowercase() == id.to_lowercase(),
        };
        if let Some(u) = self.unknown_ids.iter_mut().find(|u| same(u)) {
            u.rows += 1;
        } else if self.unknown_ids.len() < UNKNOWN_SHOWN {
            self.unknown_ids.push(UnknownRep {
                id: id.to_string(),
                first_row: row,
                rows: 1,
            });
        }
    }

    /// The first and last months with a row, when the history has any.
    pub fn span(&self) -> Option<(Ym, Ym)> {
        let first = *self.company.keys().next()?;
        let last = *self.company.keys().next_back()?;
        Some((first, last))
    }

    /// The months of `months` that the history does not cover (before its
    /// first or after its last recorded month), in order.
    pub fn uncovered(&self, months: std::ops::Range<Ym>) -> Vec<Ym> {
        match self.span() {
            Some((first, last)) => months.filter(|m| *m < first || *m > last).collect(),
            None => months.collect(),
        }
    }
}

/// Everything a plan is made from.
#[derive(Debug, Clone)]
pub struct PlanInput {
    /// The fiscal year to plan; inferred from the targets when `None`.
    pub year: Option<i32>,
    pub fiscal: Fiscal,
    pub metrics: Vec<Metric>,
    pub reps: Vec<Rep>,
    pub targets: Vec<Target>,
    pub history: History,
    pub calendar: WorkCalendar,
    /// A re-plan: the months before the as-of month keep a previous plan's targets.
    pub frozen: Option<Frozen>,
}

impl PlanInput {
    /// The reps' team keys, each once, in order of first appearance in the
    /// reps file ("" for reps without a team): the one team order of the
    /// groups, the workbooks and plan.csv.
    pub fn team_order(&self) -> Vec<&str> {
        let mut teams: Vec<&str> = Vec::new();
        for r in &self.reps {
            if !teams.contains(&r.team_key.as_str()) {
                teams.push(&r.team_key);
            }
        }
        teams
    }
}

/// The past of a re-plan: the previous plan's rep-month targets, kept for
/// the months before the as-of month.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frozen {
    /// The as-of date: its month and later are planned anew.
    pub as_of: NaiveDate,
    pub targets: RepMonthTargets,
}

/// (metric name lowercased, rep key) → calendar month → target.
pub type RepMonthTargets = BTreeMap<(String, String), BTreeMap<Ym, Decimal>>;

/// What a group of reps shares a target in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupKind {
    Company,
    Team,
    /// A rep target with no team or company target above it.
    RepAlone,
}

/// A group's plan for one metric: a team, the company, or a lone rep target.
#[derive(Debug, Clone)]
pub struct Group {
    pub kind: GroupKind,
    /// The team's spelling, `*` for the company, the rep id for a lone rep.
    pub name: String,
    /// The target T, in units (not always whole).
    pub target: BigRational,
    /// The assigned total A = T × over-assignment, in whole units.
    pub assigned: i64,
    /// Month targets M_m in units, fiscal order.
    pub months: [i64; 12],
    /// Held rep parts per month, in units.
    pub held: [i64; 12],
    /// Seasonality s_m.
    pub season: [f64; 12],
    /// Where the seasonality came from.
    pub season_source: String,
    /// Month targets kept from the previous plan in a re-plan (zero for open months).
    pub frozen: [i64; 12],
}

/// Every input of a rep's weight (rule 3), for the Weights sheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Weight {
    /// Net sales in the window.
    pub net: f64,
    /// History rows in the window.
    pub rows: u64,
    pub capacity: f64,
    /// Run-rate from the rep's own history, when it has one.
    pub own_run_rate: Option<f64>,
    /// Run-rate used (own, else the team median).
    pub run_rate: f64,
    pub h: f64,
    pub c: f64,
    pub e: f64,
    pub role_weight: f64,
    pub w: f64,
}

/// One rep's plan for one metric.
#[derive(Debug, Clone)]
pub struct RepPlan {
    /// Index into [`PlanInput::reps`].
    pub rep: usize,
    /// Index into [`MetricPlan::groups`]; `None`: no plan for this metric.
    pub group: Option<usize>,
    /// The rep has a target of their own.
    pub held: bool,
    /// Month targets in units, fiscal order.
    pub months: [i64; 12],
    /// Availability a_r,m.
    pub availability: [f64; 12],
    pub weight: Weight,
}

/// The plan for one metric.
#[derive(Debug, Clone)]
pub struct MetricPlan {
    /// Index into [`PlanInput::metrics`].
    pub metric: usize,
    pub groups: Vec<Group>,
    /// One per counted rep, in reps-file order.
    pub reps: Vec<RepPlan>,
}

/// A finished plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub year: i32,
    pub calendar: YearCalendar,
    /// The lookback window, first and last month.
    pub window: (Ym, Ym),
    /// Indices into [`PlanInput::reps`] of the reps that count for the year.
    pub counted: Vec<usize>,
    /// Those of them with no plan in any metric (their team has no target), in reps-file order.
    pub left_out: Vec<usize>,
    /// Metric plans, in order of first appearance in the targets.
    pub metrics: Vec<MetricPlan>,
    /// Warnings and notes.
    pub problems: Vec<Problem>,
}

/// A target period (SPEC 1.4). A spreadsheet number 2027 arrives as text "2027".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodText {
    /// A fiscal year.
    Year(i32),
    /// A fiscal quarter, 1-4.
    Quarter(i32, u8),
    /// A calendar month, 1-12.
    Month(i32, u8),
}

impl std::fmt::Display for PeriodText {
    /// The period as the targets table writes it: `2027`, `2027-Q2`, `2027-05`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PeriodText::Year(y) => write!(f, "{y}"),
            PeriodText::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            PeriodText::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_before_or_after_the_recorded_span_are_uncovered() {
        let mut h = History::default();
        assert_eq!(h.uncovered(10..13), vec![10, 11, 12]);
        for ym in [11, 14] {
            h.company.insert(ym, Sums::default());
        }
        assert_eq!(h.span(), Some((11, 14)));
        assert_eq!(h.uncovered(9..17), vec![9, 10, 15, 16]);
    }
}
