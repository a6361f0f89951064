//! The outputs of `plan track`: `progress.csv`, `progress.xlsx` and the
//! `--json` document, all from one set of formatted figures.
//!
//! Figures are plain decimals like `plan.csv`'s: money rounded (half away
//! from zero) to the plan's places (two, or more when the plan has more);
//! for counts the year target and the actual exactly, the pro-rated figures
//! (target to date, projection, gap, needed per working day) to two
//! decimals. Attainment and pace are fractions with four decimals
//! (`0.9545`); an empty field (JSON `null`) when undefined.

use crate::engine::model::MetricKind;
use crate::engine::track::{AlertKind, Level, Progress, Status, TrackRep, Tracked};
use crate::folder::plan_csv::PlanMetric;
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use words::words;

mod words;
mod xlsx;

pub use xlsx::progress_xlsx;

/// The header of `progress.csv`.
pub const PROGRESS_CSV_HEADER: [&str; 13] = [
    "scope",
    "team",
    "rep_id",
    "metric",
    "target_year",
    "target_to_date",
    "actual_to_date",
    "attainment",
    "pace",
    "projection",
    "gap",
    "needed_per_workday",
    "status",
];

/// What the progress outputs show.
pub struct ProgressBook<'a> {
    pub tracked: &'a Tracked,
    /// The tracked metrics (indexed by [`Progress::metric`]).
    pub metrics: &'a [PlanMetric],
    /// The plan's reps (indexed by [`Level::Rep`]).
    pub reps: &'a [TrackRep],
    /// The plan's fiscal year and its first month.
    pub year: i32,
    pub first_ym: i32,
    pub as_of: NaiveDate,
    /// `zh` for Chinese labels, else English.
    pub lang: &'a str,
    /// A currency code shown before money figures in the workbook.
    pub currency: Option<&'a str>,
    /// The company in the workbook properties.
    pub company: Option<&'a str>,
}

/// One row's figures as text, as every output shows them.
struct Texts {
    scope: &'static str,
    rep_id: String,
    target_year: String,
    target_to_date: String,
    actual_to_date: String,
    attainment: String,
    pace: String,
    projection: String,
    gap: String,
    needed: String,
    status: &'static str,
}

/// `v` rounded half away from zero to `places`.
fn rounded(v: Decimal, places: u32) -> Decimal {
    v.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// An exact sum (year target, actual) as shown: money rounded to its
/// places, a count as it is.
fn exact_value(v: Decimal, m: &PlanMetric) -> Decimal {
    match m.kind {
        MetricKind::Money => rounded(v, m.places),
        MetricKind::Count => v.normalize(),
    }
}

/// An exact sum (year target, actual) as plain decimal text.
fn exact(v: Decimal, m: &PlanMetric) -> String {
    let r = exact_value(v, m);
    match m.kind {
        MetricKind::Money => format!("{r:.prec$}", prec = m.places as usize),
        MetricKind::Count => r.to_string(),
    }
}

/// Decimal places of a pro-rated figure: money's own, two for a count.
fn derived_places(m: &PlanMetric) -> u32 {
    match m.kind {
        MetricKind::Money => m.places,
        MetricKind::Count => 2,
    }
}

/// A pro-rated figure as shown: rounded to [`derived_places`].
fn derived_value(v: Decimal, m: &PlanMetric) -> Decimal {
    rounded(v, derived_places(m))
}

/// A pro-rated figure as plain decimal text.
fn derived(v: Decimal, m: &PlanMetric) -> String {
    let prec = derived_places(m) as usize;
    format!("{:.prec$}", derived_value(v, m))
}

fn ratio(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.4}")).unwrap_or_default()
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Green => "green",
        Status::Amber => "amber",
        Status::Red => "red",
    }
}

impl ProgressBook<'_> {
    fn texts(&self, p: &Progress) -> Texts {
        let m = &self.metrics[p.metric];
        let (scope, rep_id) = match p.level {
            Level::Rep(r) => ("rep", self.reps[r].id.clone()),
            Level::Team => ("team", String::new()),
            Level::Company => ("company", String::new()),
        };
        Texts {
            scope,
            rep_id,
            target_year: exact(p.target_year, m),
            target_to_date: derived(p.target_to_date, m),
            actual_to_date: exact(p.actual_to_date, m),
            attainment: ratio(p.attainment),
            pace: ratio(p.pace),
            projection: derived(p.projection, m),
            gap: derived(p.gap, m),
            needed: p
                .needed_per_workday
                .map(|v| derived(v, m))
                .unwrap_or_default(),
            status: status_name(p.status),
        }
    }
}

/// Renders `progress.csv`: UTF-8 without BOM, LF line ends, rows in [`Tracked::rows`] order.
pub fn progress_csv(book: &ProgressBook) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(PROGRESS_CSV_HEADER)?;
    for p in &book.tracked.rows {
        let t = book.texts(p);
        w.write_record([
            t.scope,
            &p.team,
            &t.rep_id,
            &book.metrics[p.metric].name,
            &t.target_year,
            &t.target_to_date,
            &t.actual_to_date,
            &t.attainment,
            &t.pace,
            &t.projection,
            &t.gap,
            &t.needed,
            t.status,
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The `--json` document: the rows with `progress.csv`'s fields (figures as
/// decimal strings, ratios as numbers or `null`) and each rep's rank, the
/// alerts, and the working days.
pub fn progress_json(book: &ProgressBook) -> Value {
    let num = |s: &str| s.parse::<f64>().ok();
    let rows: Vec<Value> = book
        .tracked
        .rows
        .iter()
        .map(|p| {
            let t = book.texts(p);
            json!({
                "scope": t.scope, "team": p.team, "rep_id": t.rep_id,
                "metric": book.metrics[p.metric].name,
                "target_year": t.target_year, "target_to_date": t.target_to_date,
                "actual_to_date": t.actual_to_date,
                "attainment": num(&t.attainment), "pace": num(&t.pace),
                "projection": t.projection, "gap": t.gap,
                "needed_per_workday": (!t.needed.is_empty()).then_some(t.needed),
                "status": t.status, "rank": p.rank,
            })
        })
        .collect();
    let alerts: Vec<Value> = book
        .tracked
        .alerts
        .iter()
        .map(|a| {
            let p = &book.tracked.rows[a.row];
            let t = book.texts(p);
            let alert = match a.kind {
                AlertKind::Reached(pct) => format!("reached_{pct}"),
                AlertKind::BehindPace => "behind_pace".into(),
            };
            json!({
                "team": p.team, "rep_id": t.rep_id, "metric": book.metrics[p.metric].name,
                "alert": alert, "attainment": num(&t.attainment), "pace": num(&t.pace),
            })
        })
        .collect();
    let d = &book.tracked.days;
    json!({
        "year": book.year,
        "as_of": book.as_of.to_string(),
        "working_days": {
            "year": d.year, "elapsed": d.elapsed, "remaining": d.remaining,
            "as_of_month": d.month.map(|m| m.0), "as_of_month_elapsed": d.month.map(|m| m.1),
        },
        "rows": rows,
        "alerts": alerts,
    })
}

/// One line per alert: `North N2 revenue: reached 50 % of the year target`.
pub fn alert_lines(book: &ProgressBook) -> Vec<String> {
    let w = words(book.lang);
    book.tracked
        .alerts
        .iter()
        .map(|a| {
            let p = &book.tracked.rows[a.row];
            let who = match p.level {
                Level::Rep(r) => book.reps[r].id.as_str(),
                Level::Team | Level::Company => "",
            };
            let team = if p.team.is_empty() {
                String::new()
            } else {
                format!("{} ", p.team)
            };
            format!(
                "{team}{who} {}: {}",
                book.metrics[p.metric].name,
                w.alert_text(a.kind)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::figures::decimal_value;

    fn metric(kind: MetricKind, places: u32) -> PlanMetric {
        PlanMetric {
            name: "m".into(),
            kind,
            places,
        }
    }

    #[test]
    fn figures_as_plain_decimals() {
        let money = metric(MetricKind::Money, 2);
        let count = metric(MetricKind::Count, 0);
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(exact(d("1234.5"), &money), "1234.50");
        assert_eq!(derived(d("0.125"), &money), "0.13");
        assert_eq!(derived(d("-0.125"), &money), "-0.13");
        assert_eq!(exact(d("430"), &count), "430");
        assert_eq!(exact(d("12.50"), &count), "12.5");
        assert_eq!(derived(d("39.695652"), &count), "39.70");
        assert_eq!(ratio(Some(0.954_549)), "0.9545");
        assert_eq!(ratio(None), "");
    }

    #[test]
    fn a_figure_in_a_cell_is_the_number_of_its_text() {
        let values = (-3000i64..3000).flat_map(|n| [Decimal::new(n, 3), Decimal::new(n * 7919, 1)]);
        for v in values.chain([-Decimal::new(0, 2), Decimal::new(-4, 3)]) {
            for m in [metric(MetricKind::Money, 2), metric(MetricKind::Count, 0)] {
                let text = exact(v, &m);
                let parsed: f64 = text.parse().unwrap();
                let value = decimal_value(exact_value(v, &m));
                assert_eq!(value.to_bits(), parsed.to_bits(), "{v} as {text}");
                let text = derived(v, &m);
                let parsed: f64 = text.parse().unwrap();
                let value = decimal_value(derived_value(v, &m));
                assert_eq!(value.to_bits(), parsed.to_bits(), "{v} as {text}");
            }
        }
    }
}
