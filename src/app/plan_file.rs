//! The plan file, `plan.toml` (SPEC §1.1): parsed strictly, unknown keys refused
//! with a "did you mean" hint.

use crate::engine::diag::{Code, Origin, Problem};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use crate::input::options::{OneOrMany, TableOptions};

/// The largest plan file read: a plan file is a few KiB of TOML.
const MAX_PLAN_FILE: u64 = 4 << 20;

/// A plan file read and parsed.
pub struct Loaded {
    pub file: PlanFile,
    /// The plan file as named, for messages.
    pub display: String,
    /// The folder its relative paths are relative to.
    pub base: PathBuf,
}

/// Why a plan file cannot be used.
pub enum LoadError {
    /// Not a regular file of at most 4 MiB of UTF-8 that can be read.
    Unreadable(Problem),
    /// Not a valid plan file.
    Invalid(Problem),
}

/// The one way to load a plan file: reads `path` (a regular file of at most
/// 4 MiB of UTF-8) and parses it.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let display = path.display().to_string();
    let text = crate::input::open::read_text(path, &display, "the plan file", MAX_PLAN_FILE)
        .map_err(LoadError::Unreadable)?;
    let file = parse(&text, &display).map_err(LoadError::Invalid)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Loaded {
        file,
        display,
        base,
    })
}

/// The whole plan file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub year: Option<i32>,
    pub fiscal_year_start: Option<u32>,
    pub fiscal_year_named_by: Option<String>,
    #[serde(default)]
    pub inputs: Inputs,
    #[serde(default)]
    pub targets: TableOptions,
    #[serde(default)]
    pub reps: TableOptions,
    #[serde(default)]
    pub history: TableOptions,
    #[serde(default)]
    pub holidays: TableOptions,
    #[serde(default)]
    pub metrics: BTreeMap<String, MetricDef>,
    #[serde(default)]
    pub rules: RulesDef,
    #[serde(default)]
    pub capability: CapabilityDef,
    #[serde(default)]
    pub output: OutputDef,
    #[serde(default)]
    pub mail: MailDef,
}

/// `[inputs]`: where the tables are, relative to the plan file's folder.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    pub targets: Option<String>,
    pub reps: Option<String>,
    pub history: Option<String>,
    pub holidays: Option<String>,
}

/// A number written as a TOML integer or float.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(untagged)]
pub enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    /// As a float.
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    /// As an exact decimal: an integer as written, a float by its shortest
    /// round-trip text (0.1 is 0.1); None beyond the decimal range.
    pub fn to_decimal(self) -> Option<rust_decimal::Decimal> {
        match self {
            Num::Int(i) => Some(i.into()),
            Num::Float(f) => crate::input::parse::number_from_f64(f).ok(),
        }
    }
}

/// `[metrics.NAME]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricDef {
    pub kind: Option<String>,
    pub round_to: Option<Num>,
    pub history_column: Option<HistoryColumn>,
    #[serde(default)]
    pub role_weights: BTreeMap<String, Num>,
    #[serde(default)]
    pub rules: RulesDef,
}

/// `history_column = "Header"`, or `false` for a metric planned without history.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum HistoryColumn {
    Named(String),
    /// `false` (`true` is refused when the plan file is checked).
    Off(bool),
}

impl HistoryColumn {
    /// The column named, if any.
    pub fn name(&self) -> Option<&str> {
        match self {
            HistoryColumn::Named(s) => Some(s),
            HistoryColumn::Off(_) => None,
        }
    }
}

/// `seasonality = "history"` or twelve weights.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SeasonalityDef {
    Named(String),
    Weights(Vec<Num>),
}

/// `weights = { history = 0.5, capability = 0.3, equal = 0.2 }`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightsDef {
    pub history: Option<Num>,
    pub capability: Option<Num>,
    pub equal: Option<Num>,
}

/// `[rules]` and `[metrics.X.rules]`: every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesDef {
    pub seasonality: Option<SeasonalityDef>,
    pub seasonality_years: Option<u32>,
    pub smoothing: Option<Num>,
    pub lookback_months: Option<u32>,
    pub min_history: Option<Num>,
    pub weights: Option<WeightsDef>,
    pub ramp: Option<Vec<Num>>,
    pub over_assignment: Option<Num>,
    /// `"previous_year"` (default) or `"trailing"`: what a growth target grows.
    pub growth_base: Option<String>,
}

/// `[capability]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityDef {
    #[serde(default)]
    pub levels: BTreeMap<String, Num>,
}

/// `[output]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputDef {
    pub dir: Option<String>,
    pub lang: Option<String>,
    pub currency: Option<String>,
    pub company: Option<String>,
    pub rep_workbooks: Option<bool>,
    pub period_workbooks: Option<Vec<String>>,
}

/// `[mail]`, for `plan mail`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailDef {
    pub from: Option<String>,
    pub subject: Option<String>,
    pub body_file: Option<String>,
    pub body: Option<String>,
    pub password_file: Option<String>,
    /// The wait for a connection and for each reply of the SMTP server, in seconds.
    pub timeout_seconds: Option<u64>,
    /// The most one conversation with the SMTP server (one message) may take, in seconds.
    pub deadline_seconds: Option<u64>,
}

/// Parses a plan file's text; `display` names it in messages.
pub fn parse(text: &str, display: &str) -> Result<PlanFile, Problem> {
    toml::from_str(text).map_err(|e| {
        let row = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u32 + 1);
        let message = e.message().trim().to_string();
        let code = if message.starts_with("unknown field") {
            Code::PlanFileKey
        } else if message.starts_with("invalid ") {
            Code::PlanFileValue
        } else {
            Code::PlanFileSyntax
        };
        let mut p = Problem::error(
            code,
            Some(Origin {
                row,
                ..Origin::file(display)
            }),
            message.clone(),
        );
        if let Some(hint) = did_you_mean(&message) {
            p = p.with_hint(hint);
        }
        p
    })
}

/// For serde's "unknown field `x`, expected one of `a`, `b`": the nearest expected key.
fn did_you_mean(message: &str) -> Option<String> {
    let unknown = message.strip_prefix("unknown field `")?.split('`').next()?;
    let expected = message.split_once("expected")?.1;
    let best = crate::engine::diag::nearest(unknown, expected.split('`').skip(1).step_by(2))?;
    Some(format!("did you mean `{best}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_example_parses() {
        let text = r#"
year = 2027
fiscal_year_start = 4
fiscal_year_named_by = "start"
[inputs]
targets = "targets.xlsx#Targets"
reps = "reps.csv"
[history]
columns = { rep_id = "Deal Owner", date = "Close Date", amount = "Amount" }
filter = { Stage = "Closed Won" }
exclude = { Status = ["Cancelled", "Disputed"] }
rep_key = "name"
decimal_comma = false
encoding = "gbk"
delimiter = ";"
header_row = 4
by = "team"
[metrics.revenue]
round_to = 1
[metrics.new_customers]
kind = "count"
history_column = false
role_weights = { hunter = 1.5, farmer = 0.5 }
[rules]
seasonality = "history"
weights = { history = 0.5, capability = 0.3, equal = 0.2 }
ramp = [0.25, 0.5, 0.75]
growth_base = "trailing"
[capability.levels]
senior = 1.3
[output]
lang = "zh"
period_workbooks = ["quarter", "month"]
[mail]
subject = "Your {year} targets"
"#;
        let p = parse(text, "plan.toml").unwrap();
        assert_eq!(p.fiscal_year_start, Some(4));
        assert_eq!(p.history.filter["Stage"].values(), vec!["Closed Won"]);
        assert_eq!(
            p.metrics["new_customers"].history_column,
            Some(HistoryColumn::Off(false))
        );
        assert_eq!(
            p.metrics["new_customers"].role_weights["hunter"].as_f64(),
            1.5
        );
    }

    #[test]
    fn unknown_key_names_line_and_nearest_key() {
        let e = parse("year = 2027\n[rules]\nsmothing = 0.2\n", "plan.toml").unwrap_err();
        assert_eq!(e.origin.as_ref().unwrap().row, Some(3));
        assert!(
            e.message.contains("unknown field `smothing`"),
            "{}",
            e.message
        );
        assert_eq!(e.hint.as_deref(), Some("did you mean `smoothing`?"));
    }
}
