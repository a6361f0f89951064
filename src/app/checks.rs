//! The plan file's values checked, each problem naming its key: the fiscal
//! year, the rules, the metrics, the tables' `by` and the output options.

use crate::app::plan_file::{HistoryColumn, MetricDef, PlanFile, RulesDef, SeasonalityDef};
use crate::engine::calendar::Fiscal;
use crate::engine::diag::{Code, Origin, Problem};
use crate::engine::limits;
use crate::engine::model::{GrowthBase, Metric, MetricKind, Rules, Seasonality};
use rust_decimal::Decimal;

/// The problems found in one plan file, each at its key.
pub struct Checks<'a> {
    /// The plan file as named, for messages.
    display: &'a str,
    pub problems: Vec<Problem>,
}

impl<'a> Checks<'a> {
    /// No problem yet in the plan file shown as `display`.
    pub fn new(display: &'a str) -> Checks<'a> {
        Checks {
            display,
            problems: Vec::new(),
        }
    }

    /// The place of `key` in the plan file.
    fn at(&self, key: &str) -> Option<Origin> {
        Some(Origin {
            header: Some(key.to_string()),
            ..Origin::file(self.display)
        })
    }

    /// An error at `key`: what was expected, and the value as read.
    fn bad(&mut self, code: Code, key: &str, expected: &str, value: impl Into<String>) {
        let p = Problem::error(code, self.at(key), expected.to_string()).with_value(value);
        self.problems.push(p);
    }

    /// An error at `key` without a value.
    fn bad_text(&mut self, code: Code, key: &str, message: String) {
        let p = Problem::error(code, self.at(key), message);
        self.problems.push(p);
    }
}

/// The fiscal year: `fiscal_year_start` (January without it) and
/// `fiscal_year_named_by`.
pub fn fiscal(plan_file: &PlanFile, ck: &mut Checks) -> Fiscal {
    let start = match plan_file.fiscal_year_start {
        None => 1,
        Some(m @ 1..=12) => m,
        Some(m) => {
            ck.bad(
                Code::PlanFileValue,
                "fiscal_year_start",
                "expected a month from 1 to 12",
                m.to_string(),
            );
            1
        }
    };
    let named_by_end = match plan_file.fiscal_year_named_by.as_deref() {
        None | Some("start") => false,
        Some("end") => true,
        Some(v) => {
            ck.bad(
                Code::PlanFileValue,
                "fiscal_year_named_by",
                "expected \"start\" or \"end\"",
                v,
            );
            false
        }
    };
    Fiscal {
        start,
        named_by_end,
    }
}

/// The metrics, revenue first, each with its `history_column` as written.
pub fn metrics(
    plan_file: &PlanFile,
    base_rules: &Rules,
    ck: &mut Checks,
) -> (Vec<Metric>, Vec<Option<HistoryColumn>>) {
    let revenue = plan_file
        .metrics
        .get("revenue")
        .cloned()
        .unwrap_or_default();
    let mut defs: Vec<(String, MetricDef)> = vec![("revenue".into(), revenue)];
    defs.extend(
        plan_file
            .metrics
            .iter()
            .filter(|(k, _)| k.as_str() != "revenue")
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    defs.into_iter()
        .map(|(name, def)| {
            let column = def.history_column.clone();
            (metric(name, &def, base_rules, ck), column)
        })
        .unzip()
}

/// One metric of `[metrics.NAME]`.
fn metric(name: String, def: &MetricDef, base_rules: &Rules, ck: &mut Checks) -> Metric {
    let named = format!("metrics.{name}");
    let formula = limits::identifier_problem(&name).map(|(c, m)| (c, m.into()));
    let long = limits::text_problem(&name).map(|m| (Code::CellText, m));
    for (code, msg) in formula.into_iter().chain(long) {
        ck.bad(code, &named, &msg, name.clone());
    }
    let kind = metric_kind(&name, def, ck);
    let unit = metric_unit(&name, def, kind, ck);
    for (role, w) in &def.role_weights {
        if !plain_factor(w.as_f64()) {
            ck.bad(
                Code::PlanFileValue,
                &format!("metrics.{name}.role_weights.{role}"),
                "expected a role weight of 0 or from 0.000000001 to 1,000,000,000",
                format!("{}", w.as_f64()),
            );
        }
    }
    let role_weights = def
        .role_weights
        .iter()
        .map(|(k, v)| (k.trim().to_lowercase(), v.as_f64()))
        .collect();
    let rules = rules(base_rules, &def.rules, &format!("metrics.{name}.rules"), ck);
    if def.history_column == Some(HistoryColumn::Off(true)) {
        ck.bad(
            Code::PlanFileValue,
            &format!("metrics.{name}.history_column"),
            "expected a history column's header, or false for no history",
            "true",
        );
    }
    Metric {
        name,
        kind,
        unit,
        history_column: None,
        role_weights,
        rules,
    }
}

/// `kind`: revenue is always money; another metric counts unless it says money.
fn metric_kind(name: &str, def: &MetricDef, ck: &mut Checks) -> MetricKind {
    match (name, def.kind.as_deref()) {
        ("revenue", None | Some("money")) => MetricKind::Money,
        ("revenue", Some(k)) => {
            ck.bad(
                Code::PlanFileValue,
                "metrics.revenue.kind",
                "revenue is always money",
                k,
            );
            MetricKind::Money
        }
        (_, None | Some("count")) => MetricKind::Count,
        (_, Some("money")) => MetricKind::Money,
        (_, Some(k)) => {
            ck.bad(
                Code::PlanFileValue,
                &format!("metrics.{name}.kind"),
                "expected \"money\" or \"count\"",
                k,
            );
            MetricKind::Count
        }
    }
}

/// `round_to`: every figure a whole multiple of it; 0.01 for money and 1 for
/// a count without it.
fn metric_unit(name: &str, def: &MetricDef, kind: MetricKind, ck: &mut Checks) -> Decimal {
    let default_unit = if kind == MetricKind::Money {
        Decimal::new(1, 2)
    } else {
        Decimal::ONE
    };
    let Some(n) = def.round_to else {
        return default_unit;
    };
    match n.to_decimal() {
        Some(u) if u > Decimal::ZERO => u.normalize(),
        _ => {
            ck.bad(
                Code::PlanFileValue,
                &format!("metrics.{name}.round_to"),
                "expected a positive number such as 0.01, 1 or 100",
                format!("{}", n.as_f64()),
            );
            default_unit
        }
    }
}

/// Rules: `over` on top of `base`, each value checked.
pub fn rules(base: &Rules, over: &RulesDef, section: &str, ck: &mut Checks) -> Rules {
    let mut r = base.clone();
    let mut bad = |key: &str, expected: &str, value: String| {
        ck.bad(
            Code::PlanFileValue,
            &format!("{section}.{key}"),
            expected,
            value,
        );
    };
    seasonality(over, &mut r, &mut bad);
    history_rules(over, &mut r, &mut bad);
    share_rules(over, &mut r, &mut bad);
    match over.growth_base.as_deref().map(str::trim) {
        None => {}
        Some("previous_year") => r.growth_base = GrowthBase::PreviousYear,
        Some("trailing") => r.growth_base = GrowthBase::Trailing,
        Some(other) => bad(
            "growth_base",
            "expected \"previous_year\" or \"trailing\" (the last 12 recorded months)",
            other.into(),
        ),
    }
    r
}

/// A rule's key, what it expects, and the value as read.
type Bad<'a> = dyn FnMut(&str, &str, String) + 'a;

/// `seasonality`: a name, or twelve weights in fiscal order.
fn seasonality(over: &RulesDef, r: &mut Rules, bad: &mut Bad) {
    match &over.seasonality {
        None => {}
        Some(SeasonalityDef::Named(s)) => match s.as_str() {
            "history" => r.seasonality = Seasonality::History,
            "workdays" => r.seasonality = Seasonality::Workdays,
            "even" => r.seasonality = Seasonality::Even,
            other => bad(
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
                    "seasonality",
                    "expected twelve weights ≥ 0, not all 0, in fiscal order",
                    format!("{w:?}"),
                );
            }
        }
    }
}

/// How much history counts: `seasonality_years`, `smoothing`,
/// `lookback_months` and `min_history`.
fn history_rules(over: &RulesDef, r: &mut Rules, bad: &mut Bad) {
    if let Some(y) = over.seasonality_years {
        if y == 0 || y > 100 {
            bad(
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
            bad("smoothing", "expected a number from 0 to 1", s.to_string());
        }
    }
    if let Some(l) = over.lookback_months {
        if l == 0 || l > 1200 {
            bad(
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
                "min_history",
                "expected a number from 0 to 1,000,000,000",
                m.to_string(),
            );
        }
    }
}

/// How a whole is shared: `weights`, `ramp` and `over_assignment`.
fn share_rules(over: &RulesDef, r: &mut Rules, bad: &mut Bad) {
    if let Some(w) = over.weights {
        let v = [w.history, w.capability, w.equal].map(|x| x.map_or(0.0, |n| n.as_f64()));
        if v.iter().all(|&x| plain_factor(x)) && v.iter().sum::<f64>() > 0.0 {
            r.weights = v;
        } else {
            bad(
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
                "over_assignment",
                "expected a number from 0.000000001 to 1,000,000,000 such as 1.1",
                o.to_string(),
            );
        }
    }
}

/// A factor of the rules (a weight, ramp, over-assignment…): 0, or from
/// 10^-9 to 10^9. Beyond that a float from the plan file is a typo, and as an
/// exact fraction it would make the plan's arithmetic grow without bound.
pub fn plain_factor(x: f64) -> bool {
    x == 0.0 || (1e-9..=1e9).contains(&x)
}

/// `by` is a key of `[history]` only, and there `"team"` or `"rep"`.
pub fn table_by(plan_file: &PlanFile, ck: &mut Checks) {
    let tables = [
        ("targets", &plan_file.targets),
        ("reps", &plan_file.reps),
        ("history", &plan_file.history),
        ("holidays", &plan_file.holidays),
    ];
    for (table, options) in tables {
        let Some(by) = options.by.as_deref() else {
            continue;
        };
        if table == "history" && matches!(by.trim(), "team" | "rep") {
            continue;
        }
        let expected = if table == "history" {
            "expected \"team\" (a team-level history) or \"rep\""
        } else {
            "by is a key of [history] only (by = \"team\" for a team-level history)"
        };
        ck.bad(Code::PlanFileValue, &format!("{table}.by"), expected, by);
    }
}

/// `[output]`: texts that fit a cell, the period workbooks and the language.
pub fn output(plan_file: &PlanFile, ck: &mut Checks) {
    let output = &plan_file.output;
    for (key, text) in [
        ("output.company", &output.company),
        ("output.currency", &output.currency),
    ] {
        if let Some(msg) = text.as_deref().and_then(limits::text_problem) {
            ck.bad_text(Code::CellText, key, msg);
        }
    }
    for kind in output.period_workbooks.iter().flatten() {
        if !matches!(kind.trim().to_lowercase().as_str(), "quarter" | "month") {
            ck.bad(
                Code::PlanFileValue,
                "output.period_workbooks",
                "expected \"quarter\" and/or \"month\"",
                kind.as_str(),
            );
        }
    }
    if let Some(lang) = output
        .lang
        .as_deref()
        .filter(|l| !matches!(*l, "en" | "zh"))
    {
        ck.bad(
            Code::PlanFileValue,
            "output.lang",
            "expected \"en\" or \"zh\"",
            lang,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::plan_file::parse;

    fn plan_file(toml: &str) -> PlanFile {
        parse(toml, "plan.toml").unwrap()
    }

    /// Each problem as `key: message [value]`.
    fn said(ck: &Checks) -> Vec<String> {
        ck.problems
            .iter()
            .map(|p| {
                let key = p
                    .origin
                    .as_ref()
                    .and_then(|o| o.header.clone())
                    .unwrap_or_default();
                format!(
                    "{key}: {} [{}]",
                    p.message,
                    p.value.clone().unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn the_fiscal_year_starts_in_the_month_named_and_a_bad_one_is_january() {
        let mut ck = Checks::new("plan.toml");
        let f = fiscal(
            &plan_file("fiscal_year_start = 4\nfiscal_year_named_by = \"end\""),
            &mut ck,
        );
        assert_eq!((f.start, f.named_by_end), (4, true));
        assert!(ck.problems.is_empty());
        let f = fiscal(
            &plan_file("fiscal_year_start = 13\nfiscal_year_named_by = \"mid\""),
            &mut ck,
        );
        assert_eq!((f.start, f.named_by_end), (1, false));
        assert_eq!(
            said(&ck),
            [
                "fiscal_year_start: expected a month from 1 to 12 [13]",
                "fiscal_year_named_by: expected \"start\" or \"end\" [mid]"
            ]
        );
    }

    #[test]
    fn revenue_comes_first_is_money_and_rounds_to_cents() {
        let pf = plan_file("[metrics.visits]\nround_to = 5\n[metrics.revenue]\nround_to = 100");
        let mut ck = Checks::new("plan.toml");
        let (m, columns) = metrics(&pf, &Rules::default(), &mut ck);
        assert!(ck.problems.is_empty(), "{:?}", said(&ck));
        assert_eq!(
            m.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["revenue", "visits"]
        );
        assert_eq!(
            (m[0].kind, m[0].unit),
            (MetricKind::Money, Decimal::new(100, 0))
        );
        assert_eq!(
            (m[1].kind, m[1].unit),
            (MetricKind::Count, Decimal::new(5, 0))
        );
        assert_eq!(columns, [None, None]);
        let (m, _) = metrics(&plan_file(""), &Rules::default(), &mut ck);
        assert_eq!(
            m[0].unit,
            Decimal::new(1, 2),
            "money rounds to 0.01 by default"
        );
    }

    #[test]
    fn a_metrics_bad_values_are_named_in_the_order_written() {
        let pf = plan_file(
            "[metrics.revenue]\nkind = \"count\"\n[metrics.calls]\nkind = \"many\"\nround_to = -1\nhistory_column = true\n[metrics.calls.role_weights]\nsdr = 1e12",
        );
        let mut ck = Checks::new("plan.toml");
        let (m, _) = metrics(&pf, &Rules::default(), &mut ck);
        assert_eq!(
            (m[0].kind, m[1].kind, m[1].unit),
            (MetricKind::Money, MetricKind::Count, Decimal::ONE)
        );
        assert_eq!(
            said(&ck),
            [
                "metrics.revenue.kind: revenue is always money [count]",
                "metrics.calls.kind: expected \"money\" or \"count\" [many]",
                "metrics.calls.round_to: expected a positive number such as 0.01, 1 or 100 [-1]",
                "metrics.calls.role_weights.sdr: expected a role weight of 0 or from 0.000000001 to 1,000,000,000 [1000000000000]",
                "metrics.calls.history_column: expected a history column's header, or false for no history [true]",
            ]
        );
    }

    #[test]
    fn rules_lie_on_their_base_and_each_bad_value_keeps_the_base() {
        let base = Rules::default();
        let over = plan_file(
            "[rules]\nseasonality = \"even\"\nsmoothing = 0.5\nweights = { history = 2 }\ngrowth_base = \"trailing\"\nramp = [0.5]",
        )
        .rules;
        let mut ck = Checks::new("plan.toml");
        let r = rules(&base, &over, "rules", &mut ck);
        assert!(ck.problems.is_empty());
        assert_eq!(r.seasonality, Seasonality::Even);
        assert_eq!(
            (r.smoothing, r.weights, r.ramp.clone()),
            (0.5, [2.0, 0.0, 0.0], vec![0.5])
        );
        assert_eq!(r.growth_base, GrowthBase::Trailing);
        let over = plan_file(
            "[rules]\nseasonality = [1, 2]\nseasonality_years = 0\nsmoothing = 2\nlookback_months = 0\nmin_history = -1\nweights = { history = 0 }\nramp = [2]\nover_assignment = 0\ngrowth_base = \"x\"",
        )
        .rules;
        let r = rules(&base, &over, "metrics.a.rules", &mut ck);
        assert_eq!(r.seasonality, base.seasonality);
        assert_eq!((r.smoothing, r.weights), (base.smoothing, base.weights));
        let keys: Vec<String> = said(&ck)
            .iter()
            .map(|s| s.split(':').next().unwrap().to_string())
            .collect();
        assert_eq!(
            keys,
            [
                "seasonality",
                "seasonality_years",
                "smoothing",
                "lookback_months",
                "min_history",
                "weights",
                "ramp",
                "over_assignment",
                "growth_base"
            ]
            .map(|k| format!("metrics.a.rules.{k}"))
        );
    }

    #[test]
    fn by_belongs_to_history_and_output_values_are_checked() {
        let pf = plan_file(
            "[reps]\nby = \"team\"\n[history]\nby = \"region\"\n[output]\nperiod_workbooks = [\"week\"]\nlang = \"fr\"",
        );
        let mut ck = Checks::new("plan.toml");
        table_by(&pf, &mut ck);
        output(&pf, &mut ck);
        assert_eq!(
            said(&ck),
            [
                "reps.by: by is a key of [history] only (by = \"team\" for a team-level history) [team]",
                "history.by: expected \"team\" (a team-level history) or \"rep\" [region]",
                "output.period_workbooks: expected \"quarter\" and/or \"month\" [week]",
                "output.lang: expected \"en\" or \"zh\" [fr]",
            ]
        );
        assert!(plain_factor(0.0) && plain_factor(1e-9) && plain_factor(1e9));
        assert!(!plain_factor(1e-10) && !plain_factor(2e9) && !plain_factor(-1.0));
    }
}
