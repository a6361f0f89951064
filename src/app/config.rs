//! The checked configuration of a run: the plan file merged with the flags.

use crate::app::checks::{self, Checks};
use crate::app::error::Error;
use crate::app::plan_file::{self, LoadError, PlanFile, TableOptions};
use crate::engine::calendar::Fiscal;
use crate::engine::model::{Metric, Rules};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An input table as named: the path to open, the name to show, the sheet picked.
#[derive(Debug, Clone)]
pub struct InputRef {
    pub path: PathBuf,
    pub display: String,
    pub sheet: Option<String>,
}

/// The inputs as the command line names them; each one named overrides the
/// plan file's.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub plan_file: Option<PathBuf>,
    pub targets: Option<String>,
    pub reps: Option<String>,
    pub history: Option<String>,
    pub holidays: Option<String>,
    pub year: Option<i32>,
}

/// Everything a run needs to know, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub plan_file: PlanFile,
    /// The plan file as named, for messages.
    pub plan_display: String,
    /// The folder relative paths of the plan file are relative to.
    pub base: PathBuf,
    pub targets: InputRef,
    pub reps: InputRef,
    pub history: Option<InputRef>,
    pub holidays: Option<InputRef>,
    pub year: Option<i32>,
    pub fiscal: Fiscal,
    pub metrics: Vec<Metric>,
    /// The metrics' `history_column` as written (None: the metric's own name; amount for revenue).
    pub metric_columns: Vec<Option<plan_file::HistoryColumn>>,
    pub levels: BTreeMap<String, f64>,
    /// A re-plan: the previous plan's past months to keep (set by `split --as-of`).
    pub frozen: Option<crate::engine::model::Frozen>,
}

impl Config {
    /// Reads the plan file (when named) and merges the flags.
    pub fn load(args: &Inputs) -> Result<Config, Error> {
        let (plan_file, plan_display, base) = match &args.plan_file {
            Some(p) => {
                let loaded = plan_file::load(p).map_err(|e| match e {
                    LoadError::Unreadable(p) | LoadError::Invalid(p) => Error::problems(vec![p]),
                })?;
                (loaded.file, loaded.display, loaded.base)
            }
            None => (PlanFile::default(), String::new(), PathBuf::new()),
        };
        let pick = |flag: &Option<String>, file: &Option<String>| -> Option<InputRef> {
            match (flag, file) {
                (Some(f), _) => Some(input_ref(f, Path::new(""))),
                (None, Some(f)) => Some(input_ref(f, &base)),
                (None, None) => None,
            }
        };
        let inputs = &plan_file.inputs;
        let targets = pick(&args.targets, &inputs.targets);
        let reps = pick(&args.reps, &inputs.reps);
        let (Some(targets), Some(reps)) = (targets, reps) else {
            return Err(Error::Usage(
                "the targets and the reps must be named: --targets FILE --reps FILE, or [inputs] in a plan file".into(),
            ));
        };
        let history = pick(&args.history, &inputs.history);
        let holidays = pick(&args.holidays, &inputs.holidays);
        let mut ck = Checks::new(&plan_display);
        let fiscal = checks::fiscal(&plan_file, &mut ck);
        let base_rules = checks::rules(&Rules::default(), &plan_file.rules, "rules", &mut ck);
        let (metrics, metric_columns) = checks::metrics(&plan_file, &base_rules, &mut ck);
        checks::table_by(&plan_file, &mut ck);
        checks::output(&plan_file, &mut ck);
        let problems = ck.problems;
        let levels = plan_file
            .capability
            .levels
            .iter()
            .map(|(k, v)| (k.trim().to_lowercase(), v.as_f64()))
            .collect();
        if !problems.is_empty() {
            return Err(Error::problems(problems));
        }
        let year = args.year.or(plan_file.year);
        if let Some(y) = year.filter(|y| !(1900..=9999).contains(y)) {
            return Err(Error::Usage(format!(
                "the year to plan must be from 1900 to 9999, found {y}"
            )));
        }
        Ok(Config {
            year,
            plan_file,
            plan_display,
            base,
            targets,
            reps,
            history,
            holidays,
            fiscal,
            metrics,
            metric_columns,
            levels,
            frozen: None,
        })
    }

    /// The plan file's reading options for a table.
    pub fn options(&self, table: &str) -> &TableOptions {
        match table {
            "targets" => &self.plan_file.targets,
            "reps" => &self.plan_file.reps,
            "history" => &self.plan_file.history,
            _ => &self.plan_file.holidays,
        }
    }
}

/// `FILE#Sheet` relative to `base`: the sheet part, unless the whole name is
/// an existing file.
pub fn input_ref(named: &str, base: &Path) -> InputRef {
    let whole = base.join(named);
    if !whole.exists() {
        if let Some((file, sheet)) = named.rsplit_once('#') {
            return InputRef {
                path: base.join(file),
                display: file.to_string(),
                sheet: Some(sheet.to_string()),
            };
        }
    }
    InputRef {
        path: whole,
        display: named.to_string(),
        sheet: None,
    }
}
