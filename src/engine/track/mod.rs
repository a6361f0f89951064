//! Progress against a plan (`plan track`): per rep, team and the company and
//! per metric, the target to date, the actual to date, attainment, pace, a
//! projection to the year end, the gap and the run-rate still needed; and
//! alerts for reps. Pure: the plan's month targets and the actuals' monthly
//! sums come in, figures come out.
//!
//! # Working days
//! Holidays are not recorded in a plan folder. The caller passes the working
//! calendar: the holidays file the plan was made with when the user names it
//! (`plan track --holidays F`, or the `--config` plan file's), else
//! Monday–Friday ([`WorkCalendar::default`]).
//!
//! # The figures
//! Money and counts are decimals (`rust_decimal`): sums are exact, and each
//! quotient (e/d, A/E) is taken once to 28 significant digits; figures are
//! rounded only when written. Attainment and pace are reported as `f64`,
//! but status, alerts and ranks compare the decimals.
//!
//! With T_m the month targets of the fiscal year (m = 0..11), A_m the actual
//! monthly sums, and the as-of date D:
//! - **f_m**, the part of month m that is due by D: 1 for a month whose last
//!   day is on or before D, 0 for a month that starts after D, and for the
//!   month holding D, e/d: e = working days of the month up to and including
//!   D, d = working days of the month (when d = 0, 0 until the month's last day).
//! - **target_year** Y = Σ T_m.
//! - **target_to_date** E = Σ T_m · f_m (the as-of month pro-rated by working days).
//! - **actual_to_date** A = Σ A_m over the fiscal months that start on or
//!   before D. Actuals are monthly sums, so every row of the as-of month
//!   counts, whatever its day; months after it are left out.
//! - **attainment** = A / Y (none when Y = 0).
//! - **pace** p = A / E (none when E = 0: nothing was due yet).
//! - **projection** P = A + (Y − E) · p: the rest of the year's targets,
//!   which carry the plan's own seasonality, earned at the pace so far — the
//!   run-rate shaped by seasonality. When E = 0, P = A + Y (the rest as planned).
//! - **gap** = Y − P (positive: short of the target).
//! - **needed_per_workday** = max(0, Y − A) / R, R = the working days after D
//!   up to the year's last day (none when R = 0).
//! - **status**: green when E = 0 or A ≥ E (pace ≥ 1), amber when
//!   0.9·E ≤ A < E, red when A < 0.9·E. Compared exactly, not in floats.
//!
//! Team rows add up their reps' figures (Y, E, A) and the company row all
//! reps'; their ratios are taken from those sums, never averaged.
//!
//! # Alerts (reps only)
//! - **reached t** (t = 50 %, 90 %, 100 %): the attainment at the end of the
//!   month before D's month was below t and is now at least t; only the
//!   highest such t is reported.
//! - **behind pace**: status red (pace < 0.9).
//!
//! # Rank
//! Within a metric, reps are ranked by attainment, highest first; equal
//! attainments share a rank (1, 2, 2, 4); reps without an attainment
//! (Y = 0) have no rank.

mod figures;
mod standing;

use crate::engine::calendar::{ym_first_day, ym_of, WorkCalendar, Ym};
use chrono::{Days, NaiveDate};
use figures::{row, Sums};
use rust_decimal::Decimal;
use standing::{alerts, rank};
use std::collections::BTreeMap;

/// A rep of the plan: its team and its month targets per metric.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackRep {
    /// The rep id as written in the plan.
    pub id: String,
    /// The team as written in the plan; empty when none.
    pub team: String,
    /// Per metric, the 12 month targets in fiscal order; `None`: no plan for that metric.
    pub targets: Vec<Option<[Decimal; 12]>>,
}

/// Everything progress is computed from.
#[derive(Debug, Clone)]
pub struct TrackInput {
    /// The first month of the plan's fiscal year.
    pub first_ym: Ym,
    /// How many metrics (the length of every [`TrackRep::targets`]).
    pub metrics: usize,
    /// The plan's reps, in plan order.
    pub reps: Vec<TrackRep>,
    /// (index into reps, month) → the actual sums, one per metric.
    pub actuals: BTreeMap<(usize, Ym), Vec<Decimal>>,
    /// Which days are working days.
    pub calendar: WorkCalendar,
    /// The date progress is measured at.
    pub as_of: NaiveDate,
}

/// Whom a row of progress is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// One rep (index into [`TrackInput::reps`]).
    Rep(usize),
    /// A team: its reps' sums.
    Team,
    /// The company: every rep's sums.
    Company,
}

/// Red, amber or green, by pace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Green,
    Amber,
    Red,
}

/// One row of progress: a rep, team or the company, and one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub level: Level,
    /// The team (empty for the company and reps without a team).
    pub team: String,
    /// Index of the metric.
    pub metric: usize,
    pub target_year: Decimal,
    pub target_to_date: Decimal,
    pub actual_to_date: Decimal,
    /// The actual up to the end of the month before the as-of month.
    pub actual_before: Decimal,
    pub attainment: Option<f64>,
    pub pace: Option<f64>,
    pub projection: Decimal,
    pub gap: Decimal,
    pub needed_per_workday: Option<Decimal>,
    pub status: Status,
    /// Rank among the metric's reps by attainment (reps only).
    pub rank: Option<usize>,
    /// The month targets, in fiscal order.
    pub month_targets: [Decimal; 12],
    /// The month actuals up to the as-of month; `None` after it.
    pub month_actuals: [Option<Decimal>; 12],
}

/// What an alert says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// The attainment crossed this percentage (50, 90 or 100) in the as-of month.
    Reached(u32),
    /// Pace below 90 %.
    BehindPace,
}

/// An alert about a rep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alert {
    /// Index into [`Progress`] rows (a rep row).
    pub row: usize,
    pub kind: AlertKind,
}

/// Working days around the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingDays {
    /// Working days of the fiscal year.
    pub year: u32,
    /// Working days of the year up to and including the as-of date.
    pub elapsed: u32,
    /// Working days of the year after the as-of date.
    pub remaining: u32,
    /// The as-of month's working days, and those up to and including the
    /// as-of date; `None` when the as-of date is outside the year.
    pub month: Option<(u32, u32)>,
}

/// Progress of every rep, team and the company, with the alerts.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracked {
    /// Rep rows with each team's rows after its reps', company rows last;
    /// within each, metrics in order.
    pub rows: Vec<Progress>,
    /// Alerts, in row order.
    pub alerts: Vec<Alert>,
    pub days: WorkingDays,
}

/// How much of each fiscal month is due by the as-of date, as (e, d): e/d.
fn month_parts(input: &TrackInput) -> ([(u32, u32); 12], WorkingDays) {
    let cal = &input.calendar;
    let mut parts = [(0, 1); 12];
    let mut days = WorkingDays {
        year: 0,
        elapsed: 0,
        remaining: 0,
        month: None,
    };
    for (m, part) in parts.iter_mut().enumerate() {
        let first = ym_first_day(input.first_ym + m as i32);
        let next = ym_first_day(input.first_ym + m as i32 + 1);
        let (mut all, mut done) = (0, 0);
        for day in first.iter_days().take_while(|d| *d < next) {
            if cal.is_working(day) {
                all += 1;
                done += u32::from(day <= input.as_of);
            }
        }
        days.year += all;
        days.elapsed += done;
        let last = next - Days::new(1);
        *part = if input.as_of >= last {
            (1, 1)
        } else if input.as_of < first {
            (0, 1)
        } else {
            days.month = Some((all, done));
            if all == 0 {
                (0, 1)
            } else {
                (done, all)
            }
        };
    }
    days.remaining = days.year - days.elapsed;
    (parts, days)
}

/// Which fiscal months count by the as-of date.
struct Due {
    /// How much of each month's target is due, as (e, d): e/d.
    parts: [(u32, u32); 12],
    /// The months that start on or before the as-of date: their actuals count.
    started: [bool; 12],
    /// The months before the as-of month.
    before: [bool; 12],
}

/// Rep `r`'s sums for metric `k`; `None` when the plan has none for it.
fn rep_sums(input: &TrackInput, due: &Due, r: usize, k: usize) -> Option<Sums> {
    let targets = input.reps[r].targets.get(k).copied().flatten()?;
    let mut s = Sums {
        months: targets,
        ..Sums::default()
    };
    for (m, &t) in targets.iter().enumerate() {
        let (e, d) = due.parts[m];
        s.year += t;
        s.to_date += t * Decimal::from(e) / Decimal::from(d);
        if due.started[m] {
            let a = input
                .actuals
                .get(&(r, input.first_ym + m as i32))
                .and_then(|v| v.get(k))
                .copied()
                .unwrap_or_default();
            s.actual_months[m] = a;
            s.actual += a;
            if due.before[m] {
                s.before += a;
            }
        }
    }
    Some(s)
}

/// A figure of progress too large to be represented exactly (exit 3, never
/// a wrong number): whose row, and which metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overflow {
    /// The rep id, the team, or empty for the company.
    pub scope: String,
    pub metric: usize,
}

/// Computes every row of progress and the alerts.
pub fn track(input: &TrackInput) -> Result<Tracked, Overflow> {
    let (parts, days) = month_parts(input);
    let as_of_ym = ym_of(input.as_of);
    let due = Due {
        parts,
        started: std::array::from_fn(|m| input.first_ym + m as i32 <= as_of_ym),
        before: std::array::from_fn(|m| input.first_ym + (m as i32) < as_of_ym),
    };
    let started = due.started;
    let mut teams: Vec<&str> = Vec::new();
    for r in &input.reps {
        if !teams.contains(&r.team.as_str()) {
            teams.push(&r.team);
        }
    }
    let mut rows = Vec::new();
    let mut company: Vec<Option<Sums>> = vec![None; input.metrics];
    for team in teams {
        let mut team_sums: Vec<Option<Sums>> = vec![None; input.metrics];
        for (r, rep) in input
            .reps
            .iter()
            .enumerate()
            .filter(|(_, r)| r.team == team)
        {
            for k in 0..input.metrics {
                let Some(s) = rep_sums(input, &due, r, k) else {
                    continue;
                };
                for acc in [&mut team_sums[k], &mut company[k]] {
                    acc.get_or_insert_with(Sums::default).add(&s);
                }
                let p = row(Level::Rep(r), &rep.team, k, &s, &days, &started);
                rows.push(p.ok_or_else(|| Overflow {
                    scope: rep.id.clone(),
                    metric: k,
                })?);
            }
        }
        if !team.is_empty() {
            for (k, s) in team_sums.iter().enumerate() {
                if let Some(s) = s {
                    let p = row(Level::Team, team, k, s, &days, &started);
                    rows.push(p.ok_or_else(|| Overflow {
                        scope: team.to_string(),
                        metric: k,
                    })?);
                }
            }
        }
    }
    for (k, s) in company.iter().enumerate() {
        if let Some(s) = s {
            let p = row(Level::Company, "", k, s, &days, &started);
            rows.push(p.ok_or_else(|| Overflow {
                scope: String::new(),
                metric: k,
            })?);
        }
    }
    rank(&mut rows, input.metrics);
    let alerts = alerts(&rows);
    Ok(Tracked { rows, alerts, days })
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::ToPrimitive;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// Two reps of team T and one without a team; calendar year 2027.
    fn input(as_of: NaiveDate) -> TrackInput {
        let flat = |v: &str| Some([dec(v); 12]);
        let mut actuals = BTreeMap::new();
        let jan = ym_of(d(2027, 1, 1));
        // Rep 0: 100 a month; Jan 100, Feb 100, Mar 40.
        // Visits 10, 10, 5: 25 against 10 + 10 + 10·11/23 = 24.78, green.
        for (m, v, n) in [(0, "100", "10"), (1, "100", "10"), (2, "40", "5")] {
            actuals.insert((0, jan + m), vec![dec(v), dec(n)]);
        }
        // Rep 1: 200 a month; Jan 50, Feb 40 (behind), Mar 900 (crosses 50 %).
        for (m, v) in [(0, "50"), (1, "40"), (2, "1100")] {
            actuals.insert((1, jan + m), vec![dec(v), Decimal::ZERO]);
        }
        // Rep 2 sells in April, after the as-of month: not counted.
        actuals.insert((2, jan + 3), vec![dec("999"), Decimal::ZERO]);
        TrackInput {
            first_ym: jan,
            metrics: 2,
            reps: vec![
                TrackRep {
                    id: "A".into(),
                    team: "T".into(),
                    targets: vec![flat("100"), flat("10")],
                },
                TrackRep {
                    id: "B".into(),
                    team: "T".into(),
                    targets: vec![flat("200"), None],
                },
                TrackRep {
                    id: "C".into(),
                    team: String::new(),
                    targets: vec![flat("0"), None],
                },
            ],
            actuals,
            calendar: WorkCalendar::default(),
            as_of,
        }
    }

    #[test]
    fn figures_of_a_rep_mid_march() {
        // March 2027: 23 weekdays, 11 of them on 1–15 March.
        let t = track(&input(d(2027, 3, 15))).unwrap();
        assert_eq!(t.days.month, Some((23, 11)));
        let a = &t.rows[0];
        assert_eq!((a.level, a.metric), (Level::Rep(0), 0));
        // E = 100 + 100 + 100·11/23; A = 240; Y = 1200.
        let e = dec("200") + dec("1100") / dec("23");
        assert_eq!(a.target_to_date, e);
        assert_eq!(a.actual_to_date, dec("240"));
        assert_eq!(a.actual_before, dec("200"));
        assert!((a.attainment.unwrap() - 0.2).abs() < 1e-12);
        let pace = 240.0 / (200.0 + 1100.0 / 23.0);
        assert!((a.pace.unwrap() - pace).abs() < 1e-12);
        // P = 240 + (1200 − E)·240/E.
        let p = 240.0 + (1200.0 - (200.0 + 1100.0 / 23.0)) * pace;
        assert!((a.projection.to_f64().unwrap() - p).abs() < 1e-9);
        assert_eq!(a.gap, dec("1200") - a.projection);
        assert_eq!(a.status, Status::Amber, "pace {pace}");
        // 2027 has 261 weekdays; January 21, February 20, 1–15 March 11.
        assert_eq!(t.days.year, 261);
        assert_eq!(t.days.elapsed, 21 + 20 + 11);
        assert_eq!(t.days.remaining, 261 - 52);
        assert_eq!(
            a.needed_per_workday,
            Some(dec("960") / Decimal::from(261 - 52))
        );
        assert_eq!(a.month_actuals[2], Some(dec("40")));
        assert_eq!(a.month_actuals[3], None);
    }

    #[test]
    fn a_rep_s_sums_count_the_due_part_of_each_month() {
        let input = input(d(2027, 3, 15));
        let (parts, _) = month_parts(&input);
        assert_eq!(parts[..4], [(1, 1), (1, 1), (11, 23), (0, 1)]);
        let due = Due {
            parts,
            started: std::array::from_fn(|m| m < 3),
            before: std::array::from_fn(|m| m < 2),
        };
        let s = rep_sums(&input, &due, 0, 1).unwrap();
        assert_eq!(
            (s.year, s.actual, s.before),
            (dec("120"), dec("25"), dec("20"))
        );
        assert_eq!(s.to_date, dec("20") + dec("10") * dec("11") / dec("23"));
        assert_eq!(
            s.actual_months[..4],
            [dec("10"), dec("10"), dec("5"), Decimal::ZERO]
        );
        assert_eq!(s.months, [dec("10"); 12]);
        assert!(rep_sums(&input, &due, 1, 1).is_none());
        let c = rep_sums(&input, &due, 2, 0).unwrap();
        assert_eq!((c.year, c.actual), (Decimal::ZERO, Decimal::ZERO));
    }

    #[test]
    fn teams_and_the_company_add_up_their_reps() {
        let t = track(&input(d(2027, 3, 15))).unwrap();
        let kinds: Vec<(Level, usize)> = t.rows.iter().map(|p| (p.level, p.metric)).collect();
        assert_eq!(
            kinds,
            vec![
                (Level::Rep(0), 0),
                (Level::Rep(0), 1),
                (Level::Rep(1), 0),
                (Level::Team, 0),
                (Level::Team, 1),
                (Level::Rep(2), 0),
                (Level::Company, 0),
                (Level::Company, 1),
            ]
        );
        let team = &t.rows[3];
        assert_eq!(team.team, "T");
        assert_eq!(
            team.target_to_date,
            t.rows[0].target_to_date + t.rows[2].target_to_date
        );
        assert_eq!(team.actual_to_date, dec("240") + dec("1190"));
        let company = &t.rows[6];
        assert_eq!(company.target_year, dec("3600"));
        assert_eq!(
            company.actual_to_date,
            dec("1430"),
            "April's 999 not counted"
        );
        assert_eq!(company.team, "");
    }

    #[test]
    fn status_rank_and_alerts() {
        let t = track(&input(d(2027, 3, 15))).unwrap();
        let (a, b, c) = (&t.rows[0], &t.rows[2], &t.rows[5]);
        // A: 240 / 247.83 = 0.968 → amber. B: 1190 / 495.65 → green.
        assert_eq!(a.status, Status::Amber);
        assert_eq!(b.status, Status::Green);
        // C: a zero target; nothing due, no attainment, no rank.
        assert_eq!(
            (c.status, c.attainment, c.pace, c.rank),
            (Status::Green, None, None, None)
        );
        assert_eq!((a.rank, b.rank), (Some(2), Some(1)));
        // B: 90 / 2400 before March, 1190 / 2400 = 49.6 % now: not yet 50 %.
        assert!(t.alerts.is_empty(), "{:?}", t.alerts);
        let mut input = input(d(2027, 3, 15));
        input.actuals.get_mut(&(1, ym_of(d(2027, 3, 1)))).unwrap()[0] = dec("1110");
        input.actuals.get_mut(&(0, ym_of(d(2027, 3, 1)))).unwrap()[0] = dec("0");
        let t = track(&input).unwrap();
        assert_eq!(
            t.alerts,
            vec![
                Alert {
                    row: 0,
                    kind: AlertKind::BehindPace
                },
                Alert {
                    row: 2,
                    kind: AlertKind::Reached(50)
                },
            ]
        );
    }

    #[test]
    fn before_and_after_the_year() {
        let t = track(&input(d(2026, 12, 31))).unwrap();
        let a = &t.rows[0];
        assert_eq!(a.target_to_date, Decimal::ZERO);
        assert_eq!(a.actual_to_date, Decimal::ZERO);
        assert_eq!((a.pace, a.status), (None, Status::Green));
        assert_eq!(a.projection, dec("1200"));
        assert_eq!(t.days.month, None);
        assert_eq!(t.days.remaining, 261);
        let t = track(&input(d(2028, 2, 1))).unwrap();
        let a = &t.rows[0];
        assert_eq!(a.target_to_date, dec("1200"));
        assert_eq!(a.actual_to_date, dec("240"));
        assert_eq!(a.projection, dec("240"));
        assert_eq!(a.needed_per_workday, None);
        assert_eq!(t.days.remaining, 0);
    }

    #[test]
    fn ties_share_a_rank() {
        let mut input = input(d(2027, 3, 31));
        // B: 2·A's actuals on 2·A's targets, the same attainment.
        for m in 0..3 {
            let ym = ym_of(d(2027, 1, 1)) + m;
            let a = input.actuals[&(0, ym)][0];
            input
                .actuals
                .insert((1, ym), vec![a * Decimal::TWO, Decimal::ZERO]);
        }
        let t = track(&input).unwrap();
        assert_eq!((t.rows[0].rank, t.rows[2].rank), (Some(1), Some(1)));
    }

    #[test]
    fn a_projection_that_cannot_be_represented_is_an_error_not_a_number() {
        let mut input = input(d(2027, 3, 15));
        let jan = ym_of(d(2027, 1, 1));
        input.reps[1].targets[0] = Some([dec("0.01"); 12]);
        input
            .actuals
            .insert((1, jan + 2), vec![Decimal::MAX / dec("4"), Decimal::ZERO]);
        let e = track(&input).unwrap_err();
        assert_eq!(
            e,
            Overflow {
                scope: "B".into(),
                metric: 0
            }
        );
    }
}
