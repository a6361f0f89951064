//! The targets of one metric by scope (SPEC 1.4): the company's, each team's
//! and each rep's, in exact units per period; errors for a row whose scope is
//! unknown or ambiguous and for a period given twice.

use super::history::SeriesScope;
use super::{target_year, Ctx};
use crate::engine::diag::{nearest, Code, Origin, Problem};
use crate::engine::model::{Metric, PeriodText, Scope, Target};
use crate::engine::season::{MonthSeries, ScopeTargets};
use num_rational::BigRational;
use std::collections::{BTreeMap, BTreeSet};

/// The targets of one scope, with the origin of the first row and its value
/// cell, and each row's period and origin.
pub(super) struct ScopeRows {
    pub(super) targets: ScopeTargets,
    pub(super) origin: Origin,
    pub(super) cell: Origin,
    pub(super) rows: Vec<(PeriodText, Origin)>,
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

/// The plan year's targets of one metric by scope.
pub(super) struct Scopes {
    /// The company's (`*`) targets, if any.
    pub(super) company: Option<ScopeRows>,
    /// Team key → the team's targets.
    pub(super) teams: BTreeMap<String, ScopeRows>,
    /// Index into the reps → the rep's own targets.
    pub(super) reps: BTreeMap<usize, ScopeRows>,
}

/// Whom a target row is for.
enum Owner {
    Company,
    Team(String),
    Rep(usize),
}

/// Where in its scope's targets a period goes.
#[derive(Clone, Copy, PartialEq)]
enum PeriodSlot {
    Year,
    Quarter(usize),
    Month(usize),
}

/// The team keys and the rep keys (→ index) of the reps table.
type Names<'n> = (&'n BTreeSet<&'n str>, &'n BTreeMap<&'n str, usize>);

impl Ctx<'_> {
    /// The plan year's targets of metric `mi` by scope, in exact units; a
    /// warning for each target of another year.
    pub(super) fn scopes(&mut self, mi: usize, metric: &Metric, company: &MonthSeries) -> Scopes {
        let input = self.input;
        let reps = &input.reps;
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
        self.other_year_targets(mi);
        let mut scopes = Scopes {
            company: None,
            teams: BTreeMap::new(),
            reps: BTreeMap::new(),
        };
        let year = self.year;
        let rows: Vec<&Target> = input
            .targets
            .iter()
            .filter(|t| t.metric == mi && target_year(t, input) == year)
            .collect();
        for t in rows {
            let names = (&team_keys, &rep_index);
            let col = metric.history_column;
            let Some((owner, series)) = self.owner(t, col, names, company) else {
                continue;
            };
            let Some(units) = self.target_units(metric, t, &series) else {
                continue;
            };
            self.place(metric, t, owner, units, &mut scopes);
        }
        scopes
    }

    /// A warning for each target of metric `mi` in another fiscal year: it is left out.
    fn other_year_targets(&mut self, mi: usize) {
        let input = self.input;
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
    }

    /// Whom row `t` is for, with that scope's history in column `col`; `None`,
    /// after an error, when its scope names both a team and a rep, or neither.
    fn owner(
        &mut self,
        t: &Target,
        col: Option<usize>,
        (team_keys, rep_index): Names,
        company: &MonthSeries,
    ) -> Option<(Owner, MonthSeries)> {
        match &t.scope {
            Scope::Company => Some((Owner::Company, company.clone())),
            Scope::Named { key, display } => {
                let is_team = team_keys.contains(key.as_str());
                match (is_team, rep_index.get(key.as_str())) {
                    (true, Some(_)) => {
                        self.fail(
                            Code::AmbiguousScope,
                            Some(t.origin.clone()),
                            format!("scope \"{display}\" names both a team and a rep_id"),
                        );
                        None
                    }
                    (true, None) => Some((
                        Owner::Team(key.clone()),
                        self.series(col, &SeriesScope::Team(key.clone())),
                    )),
                    (false, Some(&i)) => {
                        Some((Owner::Rep(i), self.series(col, &SeriesScope::Rep(i))))
                    }
                    (false, None) => {
                        self.unknown_scope(t, display);
                        None
                    }
                }
            }
        }
    }

    /// Puts row `t`'s target (`units`) in its owner's period, or an error
    /// when that period already has one.
    fn place(
        &mut self,
        metric: &Metric,
        t: &Target,
        owner: Owner,
        units: BigRational,
        scopes: &mut Scopes,
    ) {
        let slot = self.fiscal_index(t.period);
        let entry = match owner {
            Owner::Company => scopes.company.get_or_insert_with(|| ScopeRows::new(t)),
            Owner::Team(k) => scopes.teams.entry(k).or_insert_with(|| ScopeRows::new(t)),
            Owner::Rep(i) => scopes.reps.entry(i).or_insert_with(|| ScopeRows::new(t)),
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
            return;
        }
        *cell = Some(units);
        entry.rows.push((t.period, t.origin.clone()));
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

    fn fiscal_index(&self, p: PeriodText) -> PeriodSlot {
        match p {
            PeriodText::Year(_) => PeriodSlot::Year,
            PeriodText::Quarter(_, q) => PeriodSlot::Quarter(q as usize - 1),
            PeriodText::Month(y, m) => {
                PeriodSlot::Month(self.input.fiscal.position(y * 12 + m as i32 - 1))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{ctx, errors, input, metric, rep, target, units, warnings};
    use super::*;

    #[test]
    fn targets_are_gathered_by_scope_and_period_with_the_rows_that_fail() {
        let reps = vec![
            rep("R1", "North", 2),
            rep("R2", "North", 3),
            rep("R3", "South", 4),
            rep("South", "", 5),
        ];
        let targets = vec![
            target("*", PeriodText::Year(2027), 1000, 2),
            target("North", PeriodText::Year(2027), 600, 3),
            target("r1", PeriodText::Quarter(2027, 2), 100, 4),
            target("North", PeriodText::Year(2027), 700, 5),
            target("Nort", PeriodText::Year(2027), 5, 6),
            target("R1", PeriodText::Month(2026, 5), 9, 7),
            target("South", PeriodText::Year(2027), 1, 8),
            target("R1", PeriodText::Month(2027, 5), 20, 9),
        ];
        let input = input(reps, targets);
        let mut ctx = ctx(&input);
        let s = ctx.scopes(0, &metric(), &MonthSeries::new());
        let company = s.company.as_ref().unwrap();
        assert_eq!(company.targets.year, Some(units(100_000)));
        assert_eq!(company.origin.row, Some(2));
        let north = &s.teams["north"];
        assert_eq!(north.targets.year, Some(units(60_000)));
        assert_eq!(north.rows.len(), 1);
        assert_eq!(s.teams.len(), 1);
        let r1 = &s.reps[&0];
        assert_eq!(r1.targets.quarters[1], Some(units(10_000)));
        assert_eq!(r1.targets.months[4], Some(units(2_000)));
        assert_eq!(r1.cell.header.as_deref(), Some("amount"));
        assert_eq!(
            errors(&ctx),
            vec![
                (
                    Code::DuplicateTarget,
                    "a second target for scope \"North\", metric revenue, period 2027 (the first is on row 3)".to_string()
                ),
                (
                    Code::UnknownScope,
                    "scope \"Nort\" is neither a team with reps nor a rep_id in the reps table (reps.csv)".to_string()
                ),
                (
                    Code::AmbiguousScope,
                    "scope \"South\" names both a team and a rep_id".to_string()
                ),
            ]
        );
        assert_eq!(
            ctx.errors[1].hint.as_deref(),
            Some("did you mean \"North\"? Correct the scope, or add reps of team \"Nort\" to reps.csv")
        );
        assert_eq!(
            warnings(&ctx),
            vec![(
                Code::OtherYearTarget,
                "a target for 2026-05 falls in fiscal year 2026, not the plan's 2027: it is left out".to_string()
            )]
        );
    }

    #[test]
    fn a_second_company_target_for_a_month_is_named_as_the_company_s() {
        let targets = vec![
            target("*", PeriodText::Month(2027, 3), 10, 2),
            target("*", PeriodText::Month(2027, 3), 11, 3),
        ];
        let input = input(vec![rep("R1", "", 2)], targets);
        let mut ctx = ctx(&input);
        let s = ctx.scopes(0, &metric(), &MonthSeries::new());
        assert_eq!(s.company.unwrap().targets.months[2], Some(units(1_000)));
        assert_eq!(
            errors(&ctx),
            vec![(
                Code::DuplicateTarget,
                "a second target for the company, metric revenue, period 2027-03 (the first is on row 2)".to_string()
            )]
        );
    }
}
