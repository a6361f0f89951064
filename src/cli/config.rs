//! The checked configuration of a run: the plan file merged with the flags.

use crate::app::plan_file::{self, PlanFile, RulesDef, SeasonalityDef, TableOptions};
use crate::cli::args::InputArgs;
use crate::engine::calendar::Fiscal;
use crate::engine::diag::{Code, Origin, Problem};
use crate::engine::limits;
use crate::engine::model::{GrowthBase, Metric, MetricKind, Rules, Seasonality};
use crate::input::parse;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An input table as named: the path to open, the name to show, the sheet picked.
#[derive(Debug, Clone)]
pub struct InputRef {
    pub path: PathBuf,
    pub display: String,
    pub sheet: Option<String>,
}

/// Why a run cannot start.
#[derive(Debug)]
pub enum ConfigError {
    /// Exit 2: a required input not named, a bad flag value.
    Usage(String),
    /// Exit 3: the plan file is unreadable or invalid.
    Input(Vec<Problem>),
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
    pub fn load(args: &InputArgs) -> Result<Config, ConfigError> {
        let (plan_file, plan_display, base) = match &args.plan_file {
            Some(p) => {
                let display = p.display().to_string();
                let text = plan_file::read(p, &display).map_err(|p| ConfigError::Input(vec![p]))?;
                let pf =
                    plan_file::parse(&text, &display).map_err(|p| ConfigError::Input(vec![p]))?;
                let base = p.parent().map(Path::to_path_buf).unwrap_or_default();
                (pf, display, base)
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
            return Err(ConfigError::Usage(
                "the targets and the reps must be named: --targets FILE --reps FILE, or [inputs] in a plan file".into(),
            ));
        };
        let history = pick(&args.history, &inputs.history);
        let holidays = pick(&args.holidays, &inputs.holidays);
        let mut problems = Vec::new();
        let at = |key: &str| {
            Some(Origin {
                header: Some(key.to_string()),
                ..Origin::file(&plan_display)
            })
        };
        let fiscal = Fiscal {
            start: match plan_file.fiscal_year_start {
                None => 1,
                Some(m @ 1..=12) => m,
                Some(m) => {
                    problems.push(
                        Problem::error(
                            Code::PlanFileValue,
                            at("fiscal_year_start"),
                            "expected a month from 1 to 12",
                        )
                        .with_value(m.to_string()),
                    );
                    1
                }
            },
            named_by_end: match plan_file.fiscal_year_named_by.as_deref() {
                None | Some("start") => false,
                Some("end") => true,
                Some(v) => {
                    problems.push(
                        Problem::error(
                            Code::PlanFileValue,
                            at("fiscal_year_named_by"),
                            "expected \"start\" or \"end\"",
                        )
                        .with_value(v),
                    );
                    false
                }
            },
        };
        let base_rules = rules(
            &Rules::default(),
            &plan_file.rules,
            "rules",
            &mut problems,
            &at,
        );
        let mut metrics = Vec::new();
        let mut metric_columns = Vec::new();
        let revenue_def = plan_file
            .metrics
            .get("revenue")
            .cloned()
            .unwrap_or_default();
        let mut defs: Vec<(String, plan_file::MetricDef)> = vec![("revenue".into(), revenue_def)];
        defs.extend(
            plan_file
                .metrics
                .iter()
                .filter(|(k, _)| k.as_str() != "revenue")
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        for (name, def) in defs {
            let named = format!("metrics.{name}");
            let formula = limits::identifier_problem(&name).map(|(c, m)| (c, m.into()));
            let long = limits::text_problem(&name).map(|m| (Code::CellText, m));
            for (code, msg) in formula.into_iter().chain(long) {
                problems.push(Problem::error(code, at(&named), msg).with_value(name.clone()));
            }
            let kind = match (name.as_str(), def.kind.as_deref()) {
                ("revenue", None | Some("money")) => MetricKind::Money,
                ("revenue", Some(k)) => {
                    problems.push(
                        Problem::error(
                            Code::PlanFileValue,
                            at("metrics.revenue.kind"),
                            "revenue is always money",
                        )
                        .with_value(k),
                    );
                    MetricKind::Money
                }
                (_, None | Some("count")) => MetricKind::Count,
                (_, Some("money")) => MetricKind::Money,
                (_, Some(k)) => {
                    problems.push(
                        Problem::error(
                            Code::PlanFileValue,
                            at(&format!("metrics.{name}.kind")),
                            "expected \"money\" or \"count\"",
                        )
                        .with_value(k),
                    );
                    MetricKind::Count
                }
            };
            let default_unit = if kind == MetricKind::Money {
                Decimal::new(1, 2)
            } else {
                Decimal::ONE
            };
            let unit = match def.round_to {
                None => default_unit,
                Some(n) => match parse::parse_number(&format!("{}", n.as_f64()), false) {
                    Ok(u) if u > Decimal::ZERO => u.normalize(),
                    _ => {
                        problems.push(
                            Problem::error(
                                Code::PlanFileValue,
                                at(&format!("metrics.{name}.round_to")),
                                "expected a positive number such as 0.01, 1 or 100",
                            )
                            .with_value(format!("{}", n.as_f64())),
                        );
                        default_unit
                    }
                },
            };
            for (role, w) in &def.role_weights {
                if !plain_factor(w.as_f64()) {
                    problems.push(
                        Problem::error(
                            Code::PlanFileValue,
                            at(&format!("metrics.{name}.role_weights.{role}")),
                            "expected a role weight of 0 or from 0.000000001 to 1,000,000,000",
                        )
                        .with_value(format!("{}", w.as_f64())),
                    );
                }
            }
            let role_weights = def
                .role_weights
                .iter()
                .map(|(k, v)| (k.trim().to_lowercase(), v.as_f64()))
                .collect();
            let metric_rules = rules(
                &base_rules,
                &def.rules,
                &format!("metrics.{name}.rules"),
                &mut problems,
                &at,
            );
            if def.history_column == Some(plan_file::HistoryColumn::Off(true)) {
                problems.push(
                    Problem::error(
                        Code::PlanFileValue,
                        at(&format!("metrics.{name}.history_column")),
                        "expected a history column's header, or false for no history",
                    )
                    .with_value("true"),
                );
            }
            metric_columns.push(def.history_column.clone());
            metrics.push(Metric {
                name,
                kind,
                unit,
                history_column: None,
                role_weights,
                rules: metric_rules,
            });
        }
        problems.extend(table_by_problems(&plan_file, &at));
        let output = &plan_file.output;
        for (key, text) in [
            ("output.company", &output.company),
            ("output.currency", &output.currency),
        ] {
            if let Some(msg) = text.as_deref().and_then(limits::text_problem) {
                problems.push(Problem::error(Code::CellText, at(key), msg));
            }
        }
        for kind in plan_file.output.period_workbooks.iter().flatten() {
            if !matches!(kind.trim().to_lowercase().as_str(), "quarter" | "month") {
                problems.push(
                    Problem::error(
                        Code::PlanFileValue,
                        at("output.period_workbooks"),
                        "expected \"quarter\" and/or \"month\"",
                    )
                    .with_value(kind),
                );
            }
        }
        if let Some(lang) = plan_file
            .output
            .lang
            .as_deref()
            .filter(|l| !matches!(*l, "en" | "zh"))
        {
            problems.push(
                Problem::error(
                    Code::PlanFileValue,
                    at("output.lang"),
                    "expected \"en\" or \"zh\"",
                )
                .with_value(lang),
            );
        }
        let levels = plan_file
            .capability
            .levels
            .iter()
            .map(|(k, v)| (k.trim().to_lowercase(), v.as_f64()))
            .collect();
        if !problems.is_empty() {
            return Err(ConfigError::Input(problems));
        }
        let year = args.year.or(plan_file.year);
        if let Some(y) = year.filter(|y| !(1900..=9999).contains(y)) {
            return Err(ConfigError::Usage(format!(
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

/// A reason from an I/O error, without the "(os error N)" noise.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    s.split(" (os error").next().unwrap_or(&s).to_string()
}

/// `FILE#Sheet`: the sheet part, unless the whole name is an existing file.
fn input_ref(named: &str, base: &Path) -> InputRef {
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

/// Rules: `over` on top of `base`, each value checked.
fn rules(
    base: &Rules,
    over: &RulesDef,
    section: &str,
    problems: &mut Vec<Problem>,
    at: &dyn Fn(&str) -> Option<Origin>,
) -> Rules {
    let mut r = base.clone();
    let mut bad = |code: Code, key: &str, expected: &str, value: String| {
        problems.push(
            Problem::error(code, at(&format!("{section}.{key}")), expected.to_string())
                .with_value(value),
        );
    };
    match &over.seasonality {
        None => {}
        Some(SeasonalityDef::Named(s)) => match s.as_str() {
            "history" => r.seasonality = Seasonality::History,
            "workdays" => r.seasonality = Seasonality::Workdays,
            "even" => r.seasonality = Seasonality::Even,
            other => bad(
                Code::PlanFileValue,
                "seasonality",
                "expected \"history\", \"workdays\", \"even\" or twelve weights",
                other.into(),
            ),
        },
        Some(SeasonalityDef::Weights(w)) => {
            let w: Vec<f64> = w.iter().map(|n| n.as_f64()).collect();
            if w.len() == 12 && w.iter().all(|&x| plain_factor(x)) && w.iter().sum::<f64>() > 0.0 {
                r.seasonality = Seasonality::Fixed(std::array::from_fn(|i| w[i]));
            } else {
                bad(
                    Code::PlanFileValue,
                    "seasonality",
                    "expected twelve weights ≥ 0, not all 0, in fiscal order",
                    format!("{w:?}"),
                );
            }
        }
    }
    if let Some(y) = over.seasonality_years {
        if y == 0 || y > 100 {
            bad(
                Code::PlanFileValue,
                "seasonality_years",
                "expected a number of years from 1 to 100",
                y.to_string(),
            );
        } else {
            r.seasonality_years = y as usize;
        }
    }
    if let Some(s) = over.smoothing {
        let s = s.as_f64();
        if (0.0..=1.0).contains(&s) {
            r.smoothing = s;
        } else {
            bad(
                Code::PlanFileValue,
                "smoothing",
                "expected a number from 0 to 1",
                s.to_string(),
            );
        }
    }
    if let Some(l) = over.lookback_months {
        if l == 0 || l > 1200 {
            bad(
                Code::PlanFileValue,
                "lookback_months",
                "expected a number of months from 1 to 1200",
                l.to_string(),
            );
        } else {
            r.lookback_months = l;
        }
    }
    if let Some(m) = over.min_history {
        let m = m.as_f64();
        if plain_factor(m) {
            r.min_history = m;
        } else {
            bad(
                Code::PlanFileValue,
                "min_history",
                "expected a number from 0 to 1,000,000,000",
                m.to_string(),
            );
        }
    }
    if let Some(w) = over.weights {
        let v = [w.history, w.capability, w.equal].map(|x| x.map(|n| n.as_f64()));
        let v = [
            v[0].unwrap_or(0.0),
            v[1].unwrap_or(0.0),
            v[2].unwrap_or(0.0),
        ];
        if v.iter().all(|&x| plain_factor(x)) && v.iter().sum::<f64>() > 0.0 {
            r.weights = v;
        } else {
            bad(Code::PlanFileValue,
                "weights",
                "expected history, capability and equal weights of 0 or from 0.000000001 to 1,000,000,000, not all 0",
                format!("{v:?}"),
            );
        }
    }
    if let Some(ramp) = &over.ramp {
        let v: Vec<f64> = ramp.iter().map(|n| n.as_f64()).collect();
        if v.iter().all(|&x| plain_factor(x) && x <= 1.0) {
            r.ramp = v;
        } else {
            bad(
                Code::PlanFileValue,
                "ramp",
                "expected factors from 0 to 1 such as [0.25, 0.5, 0.75]",
                format!("{v:?}"),
            );
        }
    }
    if let Some(o) = over.over_assignment {
        let o = o.as_f64();
        if plain_factor(o) && o > 0.0 {
            r.over_assignment = o;
        } else {
            bad(
                Code::PlanFileValue,
                "over_assignment",
                "expected a number from 0.000000001 to 1,000,000,000 such as 1.1",
                o.to_string(),
            );
        }
    }
    match over.growth_base.as_deref().map(str::trim) {
        None => {}
        Some("previous_year") => r.growth_base = GrowthBase::PreviousYear,
        Some("trailing") => r.growth_base = GrowthBase::Trailing,
        Some(other) => bad(
            Code::PlanFileValue,
            "growth_base",
            "expected \"previous_year\" or \"trailing\" (the last 12 recorded months)",
            other.into(),
        ),
    }
    r
}
/// A factor of the rules (a weight, ramp, over-assignment…): 0, or from
/// 10^-9 to 10^9. Beyond that a float from the plan file is a typo, and as an
/// exact fraction it would make the plan's arithmetic grow without bound.
fn plain_factor(x: f64) -> bool {
    x == 0.0 || (1e-9..=1e9).contains(&x)
}

/// `by` is a key of `[history]` only, and there `"team"` or `"rep"`.
fn table_by_problems(plan_file: &PlanFile, at: &dyn Fn(&str) -> Option<Origin>) -> Vec<Problem> {
    let tables = [
        ("targets", &plan_file.targets),
        ("reps", &plan_file.reps),
        ("history", &plan_file.history),
        ("holidays", &plan_file.holidays),
    ];
    let mut out = Vec::new();
    for (table, options) in tables {
        let Some(by) = options.by.as_deref() else {
            continue;
        };
        let ok = table == "history" && matches!(by.trim(), "team" | "rep");
        if !ok {
            let expected = if table == "history" {
                "expected \"team\" (a team-level history) or \"rep\""
            } else {
                "by is a key of [history] only (by = \"team\" for a team-level history)"
            };
            out.push(
                Problem::error(Code::PlanFileValue, at(&format!("{table}.by")), expected)
                    .with_value(by),
            );
        }
    }
    out
}
