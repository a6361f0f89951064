//! Reps that get no plan because their team has no target (SPEC §1.4): one
//! warning per team, naming its reps, the metrics it has no target for and
//! the nearest team that has one; and the reps left out of the plan altogether.

use crate::engine::diag::{nearest, Code, Origin, Problem};
use crate::engine::model::{MetricPlan, PlanInput, Scope};
use std::collections::BTreeSet;

/// Reps named in one message, at most; the rest are counted.
const SHOWN: usize = 10;

/// One warning per team (reps-file order) whose reps get no plan for some
/// metrics. `missing`: per metric (index into `input.metrics`), the reps it
/// gives no plan for lack of a team target.
pub fn warnings(input: &PlanInput, missing: &[(usize, Vec<usize>)]) -> Vec<Problem> {
    let mut teams: Vec<&str> = Vec::new();
    for (_, reps) in missing {
        for &r in reps {
            let key = input.reps[r].team_key.as_str();
            if !teams.contains(&key) {
                teams.push(key);
            }
        }
    }
    teams.sort_by_key(|k| input.reps.iter().position(|r| r.team_key == *k));
    teams
        .into_iter()
        .map(|key| team_warning(input, missing, key))
        .collect()
}

/// The warning of one team (`key`, empty: reps without a team).
fn team_warning(input: &PlanInput, missing: &[(usize, Vec<usize>)], key: &str) -> Problem {
    let of_team = |r: &usize| input.reps[*r].team_key == key;
    let metrics: Vec<&str> = missing
        .iter()
        .filter(|(_, reps)| reps.iter().any(of_team))
        .map(|(m, _)| input.metrics[*m].name.as_str())
        .collect();
    let reps: BTreeSet<usize> = missing
        .iter()
        .flat_map(|(_, reps)| reps.iter().copied().filter(|r| of_team(r)))
        .collect();
    let first = &input.reps[*reps.first().unwrap_or(&0)];
    let targets = input
        .targets
        .first()
        .map_or("the targets", |t| t.origin.file.as_str());
    let who = rep_list(input, &reps);
    let metrics = metrics.join(", ");
    let (msg, hint) = if key.is_empty() {
        (
            format!("reps without a team get no plan for {metrics}: {who}"),
            format!("give them a team that has a target in {targets}"),
        )
    } else {
        let team = &first.team;
        let fix = format!("or add targets for team {team:?} to {targets}");
        let hint = match nearest(team, target_teams(input, key).iter().map(String::as_str)) {
            Some(near) => format!(
                "did you mean {near:?}? Correct the team in {}, {fix}",
                first.origin.file
            ),
            None => format!("move its reps to a team that has a target, {fix}"),
        };
        let msg = format!("team {team:?} has no target for {metrics} in {targets}: its reps get no plan for them: {who}");
        (msg, hint)
    };
    Problem::warning(
        Code::NoTeamTarget,
        Some(Origin::file(&first.origin.file)),
        msg,
    )
    .with_hint(hint)
}

/// `R0013 (row 14), R0014 (row 15) and 3 more`.
fn rep_list(input: &PlanInput, reps: &BTreeSet<usize>) -> String {
    let shown: Vec<String> = reps
        .iter()
        .take(SHOWN)
        .map(|&r| {
            let rep = &input.reps[r];
            match rep.origin.row {
                Some(row) => format!("{} (row {row})", rep.id),
                None => rep.id.clone(),
            }
        })
        .collect();
    let more = reps.len().saturating_sub(SHOWN);
    match more {
        0 => shown.join(", "),
        n => format!("{} and {n} more", shown.join(", ")),
    }
}

/// The teams (as the reps table spells them) that have a target, but `key`.
fn target_teams(input: &PlanInput, key: &str) -> Vec<String> {
    let scopes: BTreeSet<&str> = input
        .targets
        .iter()
        .filter_map(|t| match &t.scope {
            Scope::Named { key, .. } => Some(key.as_str()),
            Scope::Company => None,
        })
        .collect();
    let mut out: Vec<String> = Vec::new();
    for r in &input.reps {
        if r.team_key != key && scopes.contains(r.team_key.as_str()) && !out.contains(&r.team) {
            out.push(r.team.clone());
        }
    }
    out
}

/// The counted reps with no plan in any metric, in reps-file order.
pub fn left_out(counted: &[usize], metrics: &[MetricPlan]) -> Vec<usize> {
    counted
        .iter()
        .enumerate()
        .filter(|(p, _)| metrics.iter().all(|mp| mp.reps[*p].group.is_none()))
        .map(|(_, &i)| i)
        .collect()
}
