//! Property tests of the planning math (SPEC §2) on random organisations:
//! exact sums at every level, parts within one unit, zero weight gives zero,
//! scaling weights changes nothing, a larger weight never gets less, and the
//! calendar covers the year without gaps or overlaps.

use chrono::{Datelike, NaiveDate};
use plan::engine::calendar::{Fiscal, WorkCalendar, YearCalendar};
use plan::engine::diag::Origin;
use plan::engine::layout::{self, MONTH0, WEEK0};
use plan::engine::model::PeriodText;
use plan::engine::model::*;
use plan::engine::plan::make_plan;
use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
struct RepSpec {
    team: usize,
    capability: u32,
    fte_pct: u32,
    start_month: Option<u32>,
    end_month: Option<u32>,
    history: Vec<u32>,
}

fn rep_spec() -> impl Strategy<Value = RepSpec> {
    (
        0usize..3,
        1u32..30,
        prop_oneof![Just(100u32), 10u32..=100],
        prop::option::weighted(0.3, 1u32..=12),
        prop::option::weighted(0.2, 1u32..=12),
        prop::collection::vec(0u32..5000, 24),
    )
        .prop_map(
            |(team, capability, fte_pct, start_month, end_month, history)| RepSpec {
                team,
                capability,
                fte_pct,
                start_month,
                end_month,
                history,
            },
        )
}

fn input(specs: &[RepSpec], targets: &[u64; 3], fiscal_start: u32, over: f64) -> PlanInput {
    let fiscal = Fiscal {
        start: fiscal_start,
        named_by_end: false,
    };
    let f0 = fiscal.first_month(2027);
    let day = |ym: i32, d: u32| {
        NaiveDate::from_ymd_opt(ym.div_euclid(12), ym.rem_euclid(12) as u32 + 1, d).unwrap()
    };
    let reps: Vec<Rep> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let team = ["North", "South", "West"][s.team].to_string();
            let start = s.start_month.map(|m| day(f0 + m as i32 - 1, 10));
            let end = s
                .end_month
                .map(|m| day(f0 + m as i32 - 1, 20))
                .filter(|e| start.is_none_or(|s| *e >= s));
            Rep {
                id: format!("R{i}"),
                key: format!("r{i}"),
                name: String::new(),
                email: String::new(),
                team_key: team.to_lowercase(),
                team,
                manager: String::new(),
                capability: Decimal::from(s.capability),
                role: String::new(),
                start,
                end,
                fte: Decimal::new(s.fte_pct as i64, 2),
                origin: Origin::file("reps"),
            }
        })
        .collect();
    let mut history = History {
        columns: vec!["amount".into()],
        has_rep_column: true,
        ..History::default()
    };
    for (i, s) in specs.iter().enumerate() {
        if s.start_month.is_some() {
            continue;
        }
        for (k, v) in s.history.iter().enumerate() {
            let ym = f0 - 24 + k as i32;
            let sums = Sums {
                values: vec![Decimal::from(*v)],
                rows: 1,
            };
            history.by_rep.entry((i, ym)).or_default().merge(&sums);
            history.company.entry(ym).or_default().merge(&sums);
        }
    }
    let metric = Metric {
        name: "revenue".into(),
        kind: MetricKind::Money,
        unit: Decimal::new(1, 2),
        history_column: Some(0),
        role_weights: Default::default(),
        rules: Rules {
            over_assignment: over,
            ..Rules::default()
        },
    };
    let targets = ["North", "South", "West"]
        .iter()
        .zip(targets)
        .filter(|(t, _)| {
            specs
                .iter()
                .any(|s| ["North", "South", "West"][s.team] == **t)
        })
        .map(|(t, a)| Target {
            scope: Scope::Named {
                key: t.to_lowercase(),
                display: t.to_string(),
            },
            metric: 0,
            period: PeriodText::Year(2027),
            value: TargetValue::Amount(Decimal::new(*a as i64, 2)),
            origin: Origin::file("targets"),
            value_cell: Origin::file("targets"),
        })
        .collect();
    PlanInput {
        year: Some(2027),
        fiscal,
        metrics: vec![metric],
        reps,
        targets,
        history,
        calendar: WorkCalendar::default(),
        frozen: None,
    }
}

fn org() -> impl Strategy<Value = (Vec<RepSpec>, [u64; 3], u32, f64)> {
    (
        prop::collection::vec(rep_spec(), 1..12),
        [0u64..100_000_000, 0u64..100_000_000, 0u64..100_000_000],
        1u32..=12,
        prop_oneof![Just(1.0), Just(1.1), Just(1.25)],
    )
        .prop_filter(
            "every team with a rep has one available in every month",
            |(specs, ..)| {
                // A rep without start or end date is available all year.
                (0..3).all(|t| {
                    !specs.iter().any(|s| s.team == t)
                        || specs.iter().any(|s| {
                            s.team == t && s.start_month.is_none() && s.end_month.is_none()
                        })
                })
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn splits_are_exact_at_every_level((specs, targets, fs, over) in org()) {
        let input = input(&specs, &targets, fs, over);
        let plan = make_plan(&input).expect("a valid organisation plans");
        let mp = &plan.metrics[0];
        for (g, group) in mp.groups.iter().enumerate() {
            // Assigned total = round(T × o); months sum to it.
            let t = targets[["North", "South", "West"].iter().position(|n| *n == group.name).unwrap()] as f64;
            prop_assert!((group.assigned as f64 - t * over).abs() <= 0.5 + 1e-6);
            prop_assert_eq!(group.months.iter().sum::<i64>(), group.assigned);
            for m in 0..12 {
                let members: Vec<&RepPlan> = mp.reps.iter().filter(|r| r.group == Some(g)).collect();
                let sum: i64 = members.iter().map(|r| r.months[m]).sum();
                prop_assert_eq!(sum, group.months[m], "month {} of {}", m, group.name);
                let wa: Vec<f64> = members.iter().map(|r| r.weight.w * r.availability[m]).collect();
                let total: f64 = wa.iter().sum();
                for (r, x) in members.iter().zip(&wa) {
                    let quota = group.months[m] as f64 * x / total;
                    prop_assert!((r.months[m] as f64 - quota).abs() < 1.0 + 1e-6, "within one unit");
                    if *x == 0.0 { prop_assert_eq!(r.months[m], 0); }
                }
                for (a, xa) in members.iter().zip(&wa) {
                    for (b, xb) in members.iter().zip(&wa) {
                        if xa > xb { prop_assert!(a.months[m] >= b.months[m], "a larger weight never gets less"); }
                    }
                }
            }
        }
        // Days, weeks, quarters and the year are sums of the rounded months.
        for lines in layout::lines(&plan, &input).metrics {
            for line in lines.reps.iter().chain(&lines.teams).chain([&lines.company]) {
                let months: i64 = line.values[MONTH0..MONTH0 + 12].iter().sum();
                prop_assert_eq!(line.values[0], months);
                prop_assert_eq!(line.values[1..5].iter().sum::<i64>(), months);
                prop_assert_eq!(line.values[WEEK0..].iter().sum::<i64>(), months);
            }
        }
    }

    #[test]
    fn scaling_every_capability_changes_nothing((specs, targets, fs, over) in org(), k in 2u32..7) {
        let a = make_plan(&input(&specs, &targets, fs, over)).unwrap();
        let scaled: Vec<RepSpec> = specs.iter().cloned().map(|mut s| { s.capability *= k; s }).collect();
        let b = make_plan(&input(&scaled, &targets, fs, over)).unwrap();
        let months = |p: &Plan| p.metrics[0].reps.iter().map(|r| r.months).collect::<Vec<_>>();
        prop_assert_eq!(months(&a), months(&b));
    }

    #[test]
    fn the_calendar_covers_the_year_without_gaps_or_overlaps(year in 1990i32..2100, start in 1u32..=12) {
        let fiscal = Fiscal { start, named_by_end: false };
        let cal = YearCalendar::new(fiscal, year, &WorkCalendar::default());
        let first = NaiveDate::from_ymd_opt(year, start, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(if start == 1 { year } else { year + 1 }, if start == 1 { 12 } else { start - 1 }, 1).unwrap();
        let last = last.with_day(1).unwrap().checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
        prop_assert_eq!(cal.weeks[0].first, first);
        prop_assert_eq!(cal.weeks.last().unwrap().last, last);
        for w in cal.weeks.windows(2) {
            prop_assert_eq!(w[0].last.succ_opt().unwrap(), w[1].first, "weeks touch");
            prop_assert!(w[0].label < w[1].label);
        }
        let days: u32 = cal.weeks.iter().map(|w| (w.last - w.first).num_days() as u32 + 1).sum();
        prop_assert_eq!(days as i64, (last - first).num_days() + 1);
        let weekdays = first.iter_days().take_while(|d| *d <= last).filter(|d| d.weekday().number_from_monday() <= 5).count();
        prop_assert_eq!(cal.month_workdays.iter().sum::<u32>() as usize, weekdays);
    }
}

/// A target (in cents) near or beyond the figure limit, or an ordinary one.
fn extreme_target() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..1000,
        10u64.pow(14)..10u64.pow(15),
        Just(999_999_999_999_999),
        Just(1_000_000_000_000_000),
        10u64.pow(15)..10u64.pow(17),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Targets and over-assignment at the extremes: an exact plan within the
    /// limit (every level sums exactly, every part ≥ 0), or the limit's error;
    /// never a wrapped or zeroed figure.
    #[test]
    fn extreme_figures_plan_exactly_or_are_refused(
        (specs, _, fs, _) in org(),
        targets in [extreme_target(), extreme_target(), extreme_target()],
        over in prop_oneof![Just(1.0), 1.0f64..10.0, Just(1000.0), Just(1e9)],
    ) {
        let input = input(&specs, &targets, fs, over);
        let plan = match make_plan(&input) {
            Ok(plan) => plan,
            Err(problems) => {
                prop_assert!(problems.iter().all(|p| p.message.contains("more than a plan holds exactly")), "{:?}", problems);
                return Ok(());
            }
        };
        let limit = plan::engine::limits::MAX_MANTISSA;
        let mp = &plan.metrics[0];
        let mut company = 0i64;
        for (g, group) in mp.groups.iter().enumerate() {
            let t = targets[["North", "South", "West"].iter().position(|n| *n == group.name).unwrap()];
            prop_assert!(group.assigned >= 0 && group.assigned <= limit);
            prop_assert!(t == 0 || group.assigned > 0, "a zeroed total");
            prop_assert_eq!(group.months.iter().sum::<i64>(), group.assigned);
            company += group.assigned;
            for m in 0..12 {
                let parts: Vec<i64> = mp.reps.iter().filter(|r| r.group == Some(g)).map(|r| r.months[m]).collect();
                prop_assert!(parts.iter().all(|&x| x >= 0));
                prop_assert_eq!(parts.iter().sum::<i64>(), group.months[m]);
            }
        }
        prop_assert!(company <= limit);
        for lines in layout::lines(&plan, &input).metrics {
            for line in lines.reps.iter().chain(&lines.teams).chain([&lines.company]) {
                prop_assert!(line.values.iter().all(|&v| (0..=limit).contains(&v)));
                let months: i64 = line.values[MONTH0..MONTH0 + 12].iter().sum();
                prop_assert_eq!(line.values[0], months);
                prop_assert_eq!(line.values[WEEK0..].iter().sum::<i64>(), months);
            }
        }
    }
}
