//! The groups that share a metric's targets: the teams with a target, in
//! reps-file order, else the company; and the checks of company targets
//! next to team targets.

use super::history::SeriesScope;
use super::scopes::{ScopeRows, Scopes};
use super::Ctx;
use crate::engine::diag::{Code, Origin};
use crate::engine::model::{Group, GroupKind, Metric, PeriodText};
use crate::engine::season::{self, MonthSeries, ScopeTargets, Weights12};
use num_rational::BigRational;
use num_traits::Zero;
use std::collections::BTreeMap;

/// The groups of one metric, and what each is made from. The lone reps'
/// groups, added last, have only `list`, `cells` and `rest`.
pub(super) struct Groups<'s> {
    /// The teams or the company, then the lone reps.
    pub(super) list: Vec<Group>,
    /// Per team or company group: its targets.
    pub(super) targets: Vec<ScopeTargets>,
    /// Per team or company group: the periods and origins of its target rows.
    pub(super) rows: Vec<&'s [(PeriodText, Origin)]>,
    /// Per team or company group: its own history (none for the company).
    pub(super) series: Vec<Option<MonthSeries>>,
    /// Per team or company group: its exact seasonality.
    pub(super) season: Vec<Weights12>,
    /// Per group: the value cell that errors about its figures name.
    pub(super) cells: Vec<Origin>,
    /// Per group: what its month targets leave for the reps without a target.
    pub(super) rest: Vec<[i64; 12]>,
    /// Per rep of the reps table: its group.
    pub(super) of_rep: Vec<Option<usize>>,
}

impl Ctx<'_> {
    /// Groups: teams in reps-file order, else the company; `None` when the
    /// metric has no target at all. Errors for company targets next to team
    /// targets that are finer than the year or are not their sum.
    pub(super) fn groups<'s>(&mut self, metric: &Metric, scopes: &'s Scopes) -> Option<Groups<'s>> {
        let mut set = Groups {
            list: Vec::new(),
            targets: Vec::new(),
            rows: Vec::new(),
            series: Vec::new(),
            season: Vec::new(),
            cells: Vec::new(),
            rest: Vec::new(),
            of_rep: vec![None; self.input.reps.len()],
        };
        if !scopes.teams.is_empty() {
            self.team_groups(metric.history_column, &scopes.teams, &mut set);
            if let Some(c) = &scopes.company {
                self.company_beside_teams(metric, c, &set.targets);
            }
        } else if let Some(c) = &scopes.company {
            set.list.push(empty_group(GroupKind::Company, "*".into()));
            set.targets.push(c.targets.clone());
            set.cells.push(c.cell.clone());
            set.rows.push(&c.rows);
            set.series.push(None);
            set.of_rep.iter_mut().for_each(|g| *g = Some(0));
        } else if scopes.reps.is_empty() {
            return None;
        }
        Some(set)
    }

    /// A group for each team with a target, in reps-file order, with its
    /// history in column `col`; the team's reps join it.
    fn team_groups<'s>(
        &self,
        col: Option<usize>,
        teams: &'s BTreeMap<String, ScopeRows>,
        set: &mut Groups<'s>,
    ) {
        let reps = &self.input.reps;
        for key in self
            .input
            .team_order()
            .into_iter()
            .filter(|k| !k.is_empty())
        {
            let Some(rows) = teams.get(key) else { continue };
            let g = set.list.len();
            let name = reps
                .iter()
                .find(|r| r.team_key == key)
                .map(|r| r.team.clone())
                .unwrap_or_default();
            set.list.push(empty_group(GroupKind::Team, name));
            set.targets.push(rows.targets.clone());
            set.cells.push(rows.cell.clone());
            set.rows.push(&rows.rows);
            set.series
                .push(Some(self.series(col, &SeriesScope::Team(key.to_string()))));
            for (i, r) in reps.iter().enumerate() {
                if r.team_key == key {
                    set.of_rep[i] = Some(g);
                }
            }
        }
    }

    /// Company targets `c` next to the teams' (`team_targets`): an error when
    /// they are finer than the year, or when the year is not the teams' sum.
    fn company_beside_teams(
        &mut self,
        metric: &Metric,
        c: &ScopeRows,
        team_targets: &[ScopeTargets],
    ) {
        let t = &c.targets;
        if t.quarters.iter().any(Option::is_some) || t.months.iter().any(Option::is_some) {
            self.fail(Code::CompanyTarget, Some(c.origin.clone()), format!("{}: company targets finer than the year cannot stand next to team targets (only the year totals are compared)", metric.name));
        } else if let Some(total) = &t.year {
            let even: Weights12 = std::array::from_fn(|_| BigRational::from_integer(1.into()));
            let sum = team_targets
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

    /// An error when the sum of the groups' assigned totals (the company's
    /// figure) is beyond the limit, at the target row that carries it over.
    pub(super) fn company_total_fits(
        &mut self,
        metric: &Metric,
        groups: &[Group],
        cells: &[Origin],
    ) {
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
}

/// A group of `kind` named `name`, with no target and no months yet.
pub(super) fn empty_group(kind: GroupKind, name: String) -> Group {
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

#[cfg(test)]
mod tests {
    use super::super::fixture::{ctx, errors, input, metric, rep, target, units, Said};
    use super::*;
    use crate::engine::model::{PlanInput, Target};

    fn reps_input(targets: Vec<Target>) -> PlanInput {
        let reps = vec![
            rep("R3", "South", 2),
            rep("R1", "North", 3),
            rep("R2", "north", 4),
            rep("R4", "", 5),
        ];
        input(reps, targets)
    }

    #[test]
    fn the_team_order_is_first_appearance_in_the_reps_file_no_team_included() {
        let mut input = reps_input(Vec::new());
        input.reps.push(rep("R5", "South", 6));
        input.reps.push(rep("R6", "West", 7));
        assert_eq!(input.team_order(), ["south", "north", "", "west"]);
    }

    /// The groups' names and the reps' groups of `input`'s only metric, and the errors.
    fn grouped(input: &PlanInput) -> Option<(Vec<String>, Vec<Option<usize>>, Said)> {
        let mut ctx = ctx(input);
        let scopes = ctx.scopes(0, &metric(), &MonthSeries::new());
        let set = ctx.groups(&metric(), &scopes)?;
        let names = set.list.iter().map(|g| g.name.clone()).collect();
        Some((names, set.of_rep, errors(&ctx)))
    }

    #[test]
    fn teams_with_a_target_are_the_groups_in_reps_file_order() {
        let year = PeriodText::Year(2027);
        let teams = || vec![target("North", year, 600, 3), target("South", year, 400, 4)];
        let input = reps_input(teams());
        let mut ctx = ctx(&input);
        let scopes = ctx.scopes(0, &metric(), &MonthSeries::new());
        let set = ctx.groups(&metric(), &scopes).unwrap();
        let names: Vec<(&str, GroupKind)> = set
            .list
            .iter()
            .map(|g| (g.name.as_str(), g.kind.clone()))
            .collect();
        assert_eq!(
            names,
            vec![("South", GroupKind::Team), ("North", GroupKind::Team)]
        );
        assert_eq!(set.of_rep, vec![Some(0), Some(1), Some(1), None]);
        assert_eq!(set.targets[1].year, Some(units(60_000)));
        assert_eq!((set.rows[0].len(), set.cells[0].row), (1, Some(4)));
        assert_eq!(
            set.series,
            vec![Some(MonthSeries::new()), Some(MonthSeries::new())]
        );
        assert!(ctx.errors.is_empty());

        let mut t = teams();
        t.push(target("*", year, 1000, 2));
        assert_eq!(grouped(&reps_input(t)).unwrap().2, vec![]);
        let mut t = teams();
        t.push(target("*", year, 900, 2));
        assert_eq!(
            grouped(&reps_input(t)).unwrap().2,
            vec![(
                Code::CompanyTarget,
                "revenue: the company target 900.00 is not the sum of the team targets 1000.00"
                    .to_string()
            )]
        );
        let mut t = teams();
        t.push(target("*", PeriodText::Quarter(2027, 1), 900, 2));
        assert_eq!(
            grouped(&reps_input(t)).unwrap().2,
            vec![(
                Code::CompanyTarget,
                "revenue: company targets finer than the year cannot stand next to team targets (only the year totals are compared)".to_string()
            )]
        );
    }

    #[test]
    fn without_team_targets_the_company_is_the_group_of_every_rep() {
        let company = vec![target("*", PeriodText::Year(2027), 1000, 2)];
        let (names, of_rep, errors) = grouped(&reps_input(company)).unwrap();
        assert_eq!(names, vec!["*".to_string()]);
        assert_eq!(of_rep, vec![Some(0); 4]);
        assert!(errors.is_empty());
        let rep_only = vec![target("R4", PeriodText::Year(2027), 10, 2)];
        let (names, of_rep, _) = grouped(&reps_input(rep_only)).unwrap();
        assert!(names.is_empty());
        assert_eq!(of_rep, vec![None; 4]);
        assert!(grouped(&reps_input(vec![])).is_none());
    }

    #[test]
    fn a_company_total_beyond_the_limit_is_named_at_the_group_that_carries_it_over() {
        let input = reps_input(vec![]);
        let mut ctx = ctx(&input);
        let mut groups = vec![
            empty_group(GroupKind::Team, "South".into()),
            empty_group(GroupKind::Team, "North".into()),
        ];
        groups[0].assigned = 600_000_000_000_000;
        groups[1].assigned = 600_000_000_000_000;
        let cells: Vec<Origin> = ["a.csv", "b.csv"].into_iter().map(Origin::file).collect();
        ctx.company_total_fits(&metric(), &groups, &cells);
        assert_eq!(
            errors(&ctx),
            vec![(
                Code::TargetLimit,
                "revenue: the company total (the sum over teams) of 12000000000000.00 is more than a plan holds exactly (at most 9999999999999.99, 15 significant digits)".to_string()
            )]
        );
        assert_eq!(ctx.errors[0].origin, Some(Origin::file("b.csv")));
        assert_eq!(
            (groups[0].target.clone(), groups[0].months),
            (units(0), [0; 12])
        );
    }
}
