//! Small plan inputs for the unit tests of the planning run: plan year 2027
//! from January, Monday–Friday, revenue in cents with even seasonality, no history.

use super::Ctx;
use crate::engine::calendar::{Fiscal, WorkCalendar};
use crate::engine::diag::{Code, Origin};
use crate::engine::model::*;
use chrono::NaiveDate;
use num_rational::BigRational;
use rust_decimal::Decimal;

/// A full-time rep of capability 1 in `team` (empty: none), on reps.csv row `row`.
pub(super) fn rep(id: &str, team: &str, row: u32) -> Rep {
    Rep {
        id: id.into(),
        key: id.to_lowercase(),
        name: String::new(),
        email: String::new(),
        team: team.into(),
        team_key: team.to_lowercase(),
        manager: String::new(),
        capability: Decimal::ONE,
        role: String::new(),
        start: None,
        end: None,
        fte: Decimal::ONE,
        origin: Origin {
            row: Some(row),
            ..Origin::file("reps.csv")
        },
    }
}

/// A target of `amount` (whole currency) for `scope` (`*`: the company) on
/// targets.csv row `row`.
pub(super) fn target(scope: &str, period: PeriodText, amount: i64, row: u32) -> Target {
    let scope = if scope == "*" {
        Scope::Company
    } else {
        Scope::Named {
            key: scope.to_lowercase(),
            display: scope.into(),
        }
    };
    let origin = Origin {
        row: Some(row),
        ..Origin::file("targets.csv")
    };
    Target {
        scope,
        metric: 0,
        period,
        value: TargetValue::Amount(Decimal::from(amount)),
        value_cell: origin.at_col(2, "amount"),
        origin,
    }
}

/// Revenue in cents, seasonality even, without history.
pub(super) fn metric() -> Metric {
    Metric {
        name: "revenue".into(),
        kind: MetricKind::Money,
        unit: Decimal::new(1, 2),
        history_column: None,
        role_weights: Default::default(),
        rules: Rules {
            seasonality: Seasonality::Even,
            ..Rules::default()
        },
    }
}

/// Plan year 2027 from January, one metric ([`metric`]), no history.
pub(super) fn input(reps: Vec<Rep>, targets: Vec<Target>) -> PlanInput {
    PlanInput {
        year: Some(2027),
        fiscal: Fiscal::default(),
        metrics: vec![metric()],
        reps,
        targets,
        history: History::default(),
        calendar: WorkCalendar::default(),
        frozen: None,
    }
}

/// The run of `input` for 2027, as `make_plan` sets it up.
pub(super) fn ctx(input: &PlanInput) -> Ctx<'_> {
    Ctx::new(input, 2027)
}

/// A day of 2027.
pub(super) fn day(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, month, day).unwrap()
}

/// `n` units as an exact figure.
pub(super) fn units(n: i64) -> BigRational {
    BigRational::from_integer(n.into())
}

/// Problems as their codes and messages.
pub(super) type Said = Vec<(Code, String)>;

/// The codes and messages of the run's errors.
pub(super) fn errors(ctx: &Ctx) -> Said {
    ctx.errors
        .iter()
        .map(|p| (p.code, p.message.clone()))
        .collect()
}

/// The codes and messages of the run's warnings.
pub(super) fn warnings(ctx: &Ctx) -> Said {
    ctx.problems
        .iter()
        .map(|p| (p.code, p.message.clone()))
        .collect()
}
