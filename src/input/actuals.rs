//! The inputs of `plan track`: a plan folder (its `plan.csv` and
//! `manifest.json`) and the actuals, read by the history's rules.

use crate::engine::calendar::{ym_label, ym_of, Ym};
use crate::engine::diag::{Code, Origin, Problem};
use crate::engine::model::{History, MetricKind, Rep};
use crate::engine::track::TrackRep;
use crate::folder::manifest::Manifest;
use crate::folder::plan_csv::{self, HeaderError, Line, HEADER};
use crate::input::columns::norm;
use crate::input::open::{open_bounded, read_text};
use crate::input::tables::{self, RepLookup, Source, ValueColumn};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::str::FromStr;

pub use crate::folder::plan_csv::PlanMetric;

/// What `plan track` needs of a plan folder.
#[derive(Debug, Clone)]
pub struct PlanFolder {
    /// The fiscal year, from the manifest.
    pub year: i32,
    /// The first month of the fiscal year (the earliest month of `plan.csv`).
    pub first_ym: Ym,
    /// The metrics in `plan.csv` order.
    pub metrics: Vec<PlanMetric>,
    /// The reps with month targets, in `plan.csv` order.
    pub reps: Vec<TrackRep>,
    /// The holidays file the plan was made with, as the manifest names it, and its SHA-256.
    pub holidays: Option<(String, String)>,
}

/// Reads the plan folder `dir` (shown as `display`): `manifest.json` marks
/// it, `plan.csv` holds its month targets.
pub fn plan_folder(dir: &Path, display: &str) -> Result<PlanFolder, Problem> {
    let manifest_path = dir.join("manifest.json");
    let shown = format!("{}/manifest.json", display.trim_end_matches('/'));
    if !manifest_path.exists() {
        return Err(Problem::error(
            Code::PlanFolder,
            Some(Origin::file(display)),
            "not a plan folder: it has no manifest.json",
        )
        .with_hint("name the --out folder of a `plan split` run"));
    }
    let text = read_text(
        &manifest_path,
        &shown,
        "it",
        crate::folder::manifest::MAX_BYTES,
    )?;
    let (year, inputs) = Manifest::plan_of(text.as_bytes()).map_err(|e| {
        Problem::error(
            Code::PlanFolder,
            Some(Origin::file(&shown)),
            format!("not valid JSON: {e}"),
        )
    })?;
    let year = year.ok_or_else(|| {
        Problem::error(Code::PlanFolder, Some(Origin::file(&shown)), "no plan.year")
    })?;
    let holidays = inputs
        .into_iter()
        .find(|i| i.table == "holidays")
        .map(|i| (i.file, i.sha256));
    let csv_shown = format!("{}/plan.csv", display.trim_end_matches('/'));
    let mut plan = read_plan_csv(&dir.join("plan.csv"), &csv_shown)?;
    plan.year = year;
    plan.holidays = holidays;
    Ok(plan)
}

/// One rep month row of `plan.csv`.
struct MonthRow {
    line: u32,
    rep: usize,
    metric: usize,
    ym: Ym,
    target: Decimal,
}

/// Reads the rep month rows of `plan.csv`.
fn read_plan_csv(path: &Path, shown: &str) -> Result<PlanFolder, Problem> {
    let file = Origin::file(shown);
    let lines = plan_csv::read(open_bounded(path, shown, "it", plan_csv::MAX_BYTES)?)
        .map_err(|e| header_problem(e, &file))?;
    let mut read = PlanRows::default();
    for line in lines {
        let line = line.map_err(|e| {
            Problem::error(
                Code::PlanFolder,
                Some(file.at_row(e.number)),
                e.error.to_string(),
            )
        })?;
        read.take(&line, &file)?;
    }
    let PlanRows {
        mut metrics,
        mut reps,
        rows,
        ..
    } = read;
    for m in &mut metrics {
        if m.kind == MetricKind::Money {
            m.places = m.places.max(2);
        }
    }
    let Some(first_ym) = rows.iter().map(|r| r.ym).min() else {
        return Err(Problem::error(
            Code::PlanFolder,
            Some(file),
            "no rep month rows: the plan is empty",
        ));
    };
    fill_targets(&mut reps, &metrics, &rows, first_ym, &file)?;
    Ok(PlanFolder {
        year: 0,
        first_ym,
        metrics,
        reps,
        holidays: None,
    })
}

/// `plan.csv`'s first row is not its header, as `plan track` says it.
fn header_problem(e: HeaderError, file: &Origin) -> Problem {
    match e {
        HeaderError::Unreadable(e) => Problem::error(
            Code::PlanFolder,
            Some(file.clone()),
            format!("cannot read it: {e}"),
        ),
        HeaderError::Empty => Problem::error(Code::PlanFolder, Some(file.clone()), "empty file"),
        HeaderError::Other(found) => Problem::error(
            Code::PlanFolder,
            Some(file.at_row(1)),
            format!("expected the header {}", HEADER.join(",")),
        )
        .with_value(found.join(",")),
    }
}

/// What the rows of `plan.csv` hold so far: metrics and reps in order of
/// first appearance, and the rep month rows.
#[derive(Default)]
struct PlanRows {
    metrics: Vec<PlanMetric>,
    reps: Vec<TrackRep>,
    rep_index: HashMap<String, usize>,
    rows: Vec<MonthRow>,
}

impl PlanRows {
    /// Takes one row: every row names a metric; rep month rows are kept.
    fn take(&mut self, line: &Line, file: &Origin) -> Result<(), Problem> {
        let at = file.at_row(line.number);
        let [team, rep_id, metric, period, kind, target] = line.fields();
        let col = |c: usize| at.at_col(c as u32, HEADER[c]);
        for (c, text) in [(0, team), (1, rep_id), (2, metric)] {
            if let Some(why) = crate::engine::limits::formula_problem(text) {
                return Err(Problem::error(Code::FormulaStart, Some(col(c)), why).with_value(text));
            }
        }
        let value = Decimal::from_str(target)
            .ok()
            .filter(|v| v.abs() <= crate::input::cells::LARGEST)
            .ok_or_else(|| {
                Problem::error(
                    Code::PlanFolder,
                    Some(col(5)),
                    "expected a plain decimal target",
                )
                .with_value(target)
            })?;
        let k = self.metric(metric, target, value);
        if rep_id.is_empty() || kind != "month" {
            return Ok(());
        }
        let ym = NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d")
            .ok()
            .filter(|_| period.len() == 7)
            .map(ym_of)
            .ok_or_else(|| {
                Problem::error(
                    Code::PlanFolder,
                    Some(col(3)),
                    "expected a month such as 2027-04",
                )
                .with_value(period)
            })?;
        let rep = self.rep(rep_id, team, || col(0))?;
        self.rows.push(MonthRow {
            line: line.number,
            rep,
            metric: k,
            ym,
            target: value,
        });
        Ok(())
    }

    /// The index of `metric`, added when new; its kind and places follow
    /// how `target` is written.
    fn metric(&mut self, metric: &str, target: &str, value: Decimal) -> usize {
        let metrics = &mut self.metrics;
        let k = match metrics.iter().position(|m| m.name == metric) {
            Some(k) => k,
            None => {
                metrics.push(PlanMetric {
                    name: metric.to_string(),
                    kind: MetricKind::Count,
                    places: 0,
                });
                metrics.len() - 1
            }
        };
        let m = &mut metrics[k];
        if target.contains('.') || m.name == "revenue" {
            m.kind = MetricKind::Money;
        }
        m.places = m.places.max(value.scale());
        k
    }

    /// The index of rep `rep_id`, added when new; a rep in two teams is an
    /// error at the team cell `team_at` gives.
    fn rep(
        &mut self,
        rep_id: &str,
        team: &str,
        team_at: impl Fn() -> Origin,
    ) -> Result<usize, Problem> {
        let reps = &mut self.reps;
        Ok(match self.rep_index.get(rep_id).copied() {
            Some(r) if reps[r].team == team => r,
            Some(r) => {
                return Err(Problem::error(
                    Code::PlanFolder,
                    Some(team_at()),
                    format!("rep {rep_id} is in team {:?} on another row", reps[r].team),
                )
                .with_value(team))
            }
            None => {
                self.rep_index.insert(rep_id.to_string(), reps.len());
                reps.push(TrackRep {
                    id: rep_id.to_string(),
                    team: team.to_string(),
                    targets: Vec::new(),
                });
                reps.len() - 1
            }
        })
    }
}

/// Puts each rep month row's target in its rep's twelve months: a month
/// outside the plan year, twice, or missing is an error.
fn fill_targets(
    reps: &mut [TrackRep],
    metrics: &[PlanMetric],
    rows: &[MonthRow],
    first_ym: Ym,
    file: &Origin,
) -> Result<(), Problem> {
    let mut seen: BTreeMap<(usize, usize), [bool; 12]> = BTreeMap::new();
    for r in reps.iter_mut() {
        r.targets = vec![None; metrics.len()];
    }
    for row in rows {
        let m = row.ym - first_ym;
        let at = file.at_row(row.line).at_col(3, "period");
        if m >= 12 {
            return Err(Problem::error(
                Code::PlanFolder,
                Some(at),
                format!(
                    "a month outside the plan year {} – {}",
                    ym_label(first_ym),
                    ym_label(first_ym + 11)
                ),
            )
            .with_value(ym_label(row.ym)));
        }
        let m = m as usize;
        let flags = seen.entry((row.rep, row.metric)).or_default();
        if std::mem::replace(&mut flags[m], true) {
            return Err(Problem::error(
                Code::PlanFolder,
                Some(at),
                "a month that appears twice for this rep and metric",
            )
            .with_value(ym_label(row.ym)));
        }
        reps[row.rep].targets[row.metric].get_or_insert([Decimal::ZERO; 12])[m] = row.target;
    }
    if let Some(((r, k), _)) = seen.iter().find(|(_, f)| f.contains(&false)) {
        return Err(Problem::error(
            Code::PlanFolder,
            Some(file.clone()),
            format!(
                "rep {} has no row for some months of {}",
                reps[*r].id, metrics[*k].name
            ),
        ));
    }
    Ok(())
}

/// The actuals of the plan's reps and what reading them found.
#[derive(Debug, Clone)]
pub struct Actuals {
    /// Per metric of the plan: whether the actuals have its column.
    pub tracked: Vec<bool>,
    /// (index into the plan's reps, month) → one sum per metric of the plan.
    pub sums: BTreeMap<(usize, Ym), Vec<Decimal>>,
}

/// The actuals' column of a metric: as `named` (metric → the plan file's
/// `history_column`), else `amount` for revenue, else the metric's name.
fn column_of(metric: &str, named: &BTreeMap<String, String>) -> String {
    match named.get(metric) {
        Some(c) => c.clone(),
        None if metric == "revenue" => "amount".into(),
        None => metric.to_string(),
    }
}

/// The plan's reps as the history reader matches them: by rep_id.
fn plan_reps(plan: &PlanFolder) -> Vec<Rep> {
    plan.reps
        .iter()
        .map(|r| Rep {
            id: r.id.clone(),
            key: norm(&r.id),
            name: String::new(),
            email: String::new(),
            team: r.team.clone(),
            team_key: norm(&r.team),
            manager: String::new(),
            capability: Decimal::ONE,
            role: String::new(),
            start: None,
            end: None,
            fte: Decimal::ONE,
            origin: Origin::default(),
        })
        .collect()
}

/// The actuals' columns to read, each once, and per metric of the plan the
/// index of its column among them.
fn metric_columns(
    plan: &PlanFolder,
    named: &BTreeMap<String, String>,
) -> (Vec<String>, Vec<usize>) {
    let mut columns: Vec<String> = Vec::new();
    let index: Vec<usize> = plan
        .metrics
        .iter()
        .map(|m| {
            let c = column_of(&m.name, named);
            columns.iter().position(|x| *x == c).unwrap_or_else(|| {
                columns.push(c);
                columns.len() - 1
            })
        })
        .collect();
    (columns, index)
}

/// Reads the actuals like a history table (SPEC §1.2–1.4): rows matched to
/// the plan's reps by rep_id, summed by month. Rows of reps not in the plan
/// are counted nowhere, with a warning; rows after the as-of month or before
/// the plan year are left out, with a note. `named` maps metrics to their
/// columns where the plan file names them.
pub fn actuals(
    src: &Source,
    plan: &PlanFolder,
    named: &BTreeMap<String, String>,
    as_of: NaiveDate,
    problems: &mut Vec<Problem>,
) -> Actuals {
    let reps = plan_reps(plan);
    let (columns, index) = metric_columns(plan, named);
    let lookup = RepLookup {
        reps: &reps,
        by_name: false,
        by_team: false,
        need_rep: false,
    };
    let values: Vec<ValueColumn> = columns
        .iter()
        .map(|name| ValueColumn {
            name: name.clone(),
            needed_by: None,
        })
        .collect();
    let (history, found) = tables::history(src, &lookup, &values, problems);
    let tracked: Vec<bool> = index
        .iter()
        .map(|&c| found.get(c).copied().flatten().is_some())
        .collect();
    if problems.iter().any(Problem::is_error) {
        return Actuals {
            tracked,
            sums: BTreeMap::new(),
        };
    }
    let origin = Some(Origin::file(src.display));
    what_was_read(&history, plan, named, &tracked, as_of, origin, problems);
    let sums = history
        .by_rep
        .iter()
        .map(|(&(r, ym), s)| ((r, ym), index.iter().map(|&c| s.value(c)).collect()))
        .collect();
    Actuals { tracked, sums }
}

/// The problems of actuals read without an error: no rep column, metrics
/// not tracked, rows of reps not in the plan, rows outside the months counted.
fn what_was_read(
    history: &History,
    plan: &PlanFolder,
    named: &BTreeMap<String, String>,
    tracked: &[bool],
    as_of: NaiveDate,
    origin: Option<Origin>,
    problems: &mut Vec<Problem>,
) {
    if !history.has_rep_column {
        problems.push(
            Problem::error(Code::RepColumn, origin.clone(), "the actuals need a rep_id column")
                .with_hint("name it rep_id (or rep, owner, sales_rep, 工号, 销售员), or map it with columns = { rep_id = \"…\" }"),
        );
    }
    for (m, _) in plan.metrics.iter().zip(tracked).filter(|(_, t)| !**t) {
        problems.push(Problem::warning(
            Code::ActualsColumn,
            origin.clone(),
            format!(
                "the actuals have no column {:?}: metric {} is not tracked",
                column_of(&m.name, named),
                m.name
            ),
        ));
    }
    if history.unknown_rows > 0 {
        problems.push(Problem::warning(Code::UnknownRep,
            origin.clone(),
            format!(
                "{} actual rows (amount {}) name a rep that is not in the plan; they are not counted",
                history.unknown_rows, history.unknown_amount
            ),
        ));
    }
    let last = ym_of(as_of).min(plan.first_ym + 11);
    let outside: u64 = history
        .company
        .iter()
        .filter(|(ym, _)| **ym < plan.first_ym || **ym > last)
        .map(|(_, s)| s.rows)
        .sum();
    if outside > 0 {
        let counted = if last < plan.first_ym {
            "none: the as-of date is before the plan year".to_string()
        } else {
            format!("{} – {}", ym_label(plan.first_ym), ym_label(last))
        };
        problems.push(Problem::note(Code::OutsideMonths,
            origin,
            format!("{outside} actual rows are dated outside the months counted ({counted}) and are left out"),
        ));
    }
}
