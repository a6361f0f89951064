//! The targets table: scope, metric, period and an amount or a growth.

use super::base::{read, Base, Source};
use crate::engine::diag::{nearest, Code, Origin, Problem};
use crate::engine::model::{PeriodText, Scope, Target, TargetValue};
use crate::input::cells;
use crate::input::columns::{norm, TableKind};
use crate::input::parse;
use crate::input::table::{Cell, Header, Row, RowVisitor};
use chrono::Datelike;
use rust_decimal::Decimal;

/// Revenue's other names in the targets' metric column.
const REVENUE: [&str; 4] = ["revenue", "销售额", "收入", "营收"];

/// The targets table's visitor: one target per row.
struct TargetsReader<'a> {
    base: Base<'a>,
    metrics: &'a [String],
    out: Vec<Target>,
}

impl TargetsReader<'_> {
    fn take(&mut self, row: &Row) {
        let origin = self.base.origin.at_row(row.number);
        let scope = scope(&mut self.base, row);
        let Some(metric) = self.metric(row) else {
            return;
        };
        let b = &mut self.base;
        let Some(period) = period(b, row) else {
            return;
        };
        let before = b.problems.len();
        let amount = b.number(row, "amount");
        let growth_at = b.at(row.number, "growth");
        let dc = b.src.options.decimal_comma.unwrap_or(false);
        let growth = match cells::growth(b.cell(row, "growth"), &growth_at, dc) {
            Ok(g) => g,
            Err(p) => {
                b.problems.push(p);
                return;
            }
        };
        if b.problems.len() > before {
            return;
        }
        if let Some(g) = growth.filter(|g| g.abs() >= Decimal::ONE) {
            growth_without_percent(b, row, g, &growth_at);
        }
        let Some((value, value_cell)) = value(b, row, amount, growth, growth_at, &origin) else {
            return;
        };
        self.out.push(Target {
            scope,
            metric,
            period,
            value,
            origin,
            value_cell,
        });
    }

    /// The row's metric (0 for revenue); `None`, with a problem, for one the
    /// plan file does not declare.
    fn metric(&mut self, row: &Row) -> Option<usize> {
        let b = &mut self.base;
        let metric_text = b.text(row, "metric");
        let m = norm(&metric_text);
        let metric = if m.is_empty() || REVENUE.contains(&m.as_str()) {
            Some(0)
        } else {
            self.metrics.iter().position(|x| norm(x) == m)
        };
        if metric.is_none() {
            let at = b.at(row.number, "metric");
            let near = nearest(&m, self.metrics.iter().map(String::as_str));
            let hint = match near {
                Some(x) => format!("did you mean {x:?}? Or declare it with [metrics.{metric_text}] in the plan file"),
                _ => format!("declare it with [metrics.{metric_text}] (kind = \"count\" or \"money\") in the plan file"),
            };
            b.problems.push(
                Problem::error(
                    Code::UnknownMetric,
                    Some(at),
                    "a metric that the plan file does not declare",
                )
                .with_value(metric_text)
                .with_hint(hint),
            );
        }
        metric
    }
}

visitor!(TargetsReader<'_>);

/// The row's scope: the company when empty or `*`, else the named team or rep.
fn scope(b: &mut Base, row: &Row) -> Scope {
    let scope_text = b.identifier(row, "scope");
    if scope_text.is_empty() || scope_text == "*" {
        Scope::Company
    } else {
        Scope::Named {
            key: norm(&scope_text),
            display: scope_text,
        }
    }
}

/// The row's period; `None`, with a problem, when it cannot be read.
fn period(b: &mut Base, row: &Row) -> Option<PeriodText> {
    let period_at = b.at(row.number, "period");
    let period_text = b.text(row, "period");
    // A month typed into a spreadsheet often becomes a date (2027-05-01): its month.
    let as_month = match b.cell(row, "period") {
        Cell::Date(d) => Some(PeriodText::Month(d.year(), d.month() as u8)),
        _ => None,
    };
    match as_month.map_or_else(|| parse::parse_period(&period_text), Ok) {
        Ok(p) => Some(p),
        Err(e) => {
            b.problems.push(cells::value_problem(
                e,
                &Cell::Text(&period_text),
                &period_at,
            ));
            None
        }
    }
}

/// A growth of 1 or more written without `%` is a fraction: a warning says
/// what it is read as.
fn growth_without_percent(b: &mut Base, row: &Row, g: Decimal, growth_at: &Origin) {
    let written = b.written(row, "growth");
    if !written.contains('%') {
        let percent = (g * Decimal::ONE_HUNDRED).normalize();
        b.problems.push(
            Problem::warning(
                Code::GrowthWithoutPercent,
                Some(growth_at.clone()),
                format!("a growth written without % is a fraction: this one is {percent}%"),
            )
            .with_value(written.as_str())
            .with_hint(format!(
                "write {written}% if that is what you mean, or {percent}% to keep it"
            )),
        );
    }
}

/// The target's value and its cell: an amount (not negative) or a growth,
/// not both; `None`, with a problem where one is due, otherwise.
fn value(
    b: &mut Base,
    row: &Row,
    amount: Option<Decimal>,
    growth: Option<Decimal>,
    growth_at: Origin,
    origin: &Origin,
) -> Option<(TargetValue, Origin)> {
    match (amount, growth) {
        (Some(a), None) if a < Decimal::ZERO => {
            let at = b.at(row.number, "amount");
            b.problems.push(
                Problem::error(
                    Code::NegativeTarget,
                    Some(at),
                    "a target cannot be negative (zero is allowed)",
                )
                .with_value(a.to_string()),
            );
            None
        }
        (Some(a), None) => Some((TargetValue::Amount(a), b.at(row.number, "amount"))),
        (None, Some(g)) => Some((TargetValue::Growth(g), growth_at)),
        (Some(_), Some(_)) => {
            b.problems.push(Problem::error(
                Code::TargetAmount,
                Some(origin.clone()),
                "a target has either an amount or a growth, not both",
            ));
            None
        }
        (None, None) => {
            if b.map.get("amount").is_some() || b.map.get("growth").is_some() {
                let at = b.at(
                    row.number,
                    if b.map.get("amount").is_some() {
                        "amount"
                    } else {
                        "growth"
                    },
                );
                b.problems.push(Problem::error(
                    Code::TargetAmount,
                    Some(at),
                    "a target needs an amount (or a growth such as 15%)",
                ));
            }
            None
        }
    }
}

/// Reads the targets table. `metrics` are the declared metric names (revenue first).
pub fn targets(src: &Source, metrics: &[String], problems: &mut Vec<Problem>) -> Vec<Target> {
    const REQ: &[&[&str]] = &[&["period"], &["amount", "growth"]];
    let mut v = TargetsReader {
        base: Base::new(TableKind::Targets, src, REQ),
        metrics,
        out: Vec::new(),
    };
    let candidate = v.base.first_candidate.clone();
    let ok = read(src, TableKind::Targets, REQ, &mut v, &candidate, problems);
    v.base.finish(ok, problems, true);
    v.out
}
