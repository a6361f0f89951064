//! `plan.xlsx` (SPEC §3): a sheet per metric, then Seasonality, Weights,
//! Checks and Assumptions. Pure: the workbook is rendered to bytes, with a
//! fixed creation date so that the same plan gives the same bytes.

use crate::engine::calendar::ym_label;
use crate::engine::diag::{Problem, Severity};
use crate::engine::layout::{MetricLines, Periods, MONTH0};
use crate::engine::model::{
    Group, GroupKind, GrowthBase, History, Metric, MetricKind, Plan, PlanInput, Seasonality,
};
use crate::folder::manifest::InputSum;
use crate::render::figures::{figure, format_ratio, places};
use crate::render::xlsx::labels::{labels, Labels};
use crate::render::xlsx::style::{
    properties, rep_sheet, sheet_name, workbook, Figures, Sheet, Styles,
};
use crate::render::xlsx::team_table::{team_sheet, TableCol, TableRow, FIRST_FIGURE_COL};
use num_bigint::BigInt;
use num_rational::BigRational;
use rust_decimal::Decimal;
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{
    Chart, ChartType, ColNum, ConditionalFormatText, ConditionalFormatTextRule, RowNum, Worksheet,
    XlsxError,
};

/// Everything the plan workbook shows.
pub struct PlanBook<'a> {
    pub input: &'a PlanInput,
    pub plan: &'a Plan,
    /// The period columns (year, quarters, months, weeks).
    pub periods: &'a Periods,
    /// Rep, team and company lines per metric, in plan order.
    pub lines: &'a [MetricLines],
    /// The team keys in the plan's one team order.
    pub teams: &'a [String],
    /// The input files as named, with their SHA-256.
    pub inputs: &'a [InputSum],
    /// The `--as-of` date, shown only when given.
    pub as_of: Option<&'a str>,
    /// In a re-plan: the SHA-256 of the previous plan's manifest.
    pub replans: Option<&'a str>,
    /// `zh` for Chinese labels, else English.
    pub lang: &'a str,
    /// The company in the workbook properties.
    pub company: Option<&'a str>,
    /// A currency code shown before money figures (`CNY 1,234.50`).
    pub currency: Option<&'a str>,
    /// The problems of reading and planning: the warnings are listed in Checks.
    pub problems: &'a [Problem],
}

/// Renders `plan.xlsx` to bytes.
pub fn plan_xlsx(book: &PlanBook) -> Result<Vec<u8>, XlsxError> {
    let l = labels(book.lang);
    let st = Styles::default();
    let mut wb = workbook();
    let mut taken: Vec<String> = [l.seasonality, l.weights, l.checks, l.assumptions, "History"]
        .iter()
        .map(|s| s.to_lowercase())
        .collect();
    let reps = book.input.reps.len();
    for ml in book.lines {
        let name = sheet_name(&book.input.metrics[ml.metric].name, &mut taken);
        metric_sheet(rep_sheet(&mut wb, reps)?.set_name(name)?, book, l, &st, ml)?;
    }
    seasonality_sheet(wb.add_worksheet().set_name(l.seasonality)?, book, l, &st)?;
    weights_sheet(rep_sheet(&mut wb, reps)?.set_name(l.weights)?, book, l, &st)?;
    checks_sheet(wb.add_worksheet().set_name(l.checks)?, book, l, &st)?;
    assumptions_sheet(wb.add_worksheet().set_name(l.assumptions)?, book, l, &st)?;
    let title = format!("{} {}", l.title, book.plan.year);
    wb.set_properties(&properties(&title, None, book.company)?);
    wb.save_to_buffer()
}

/// Figure columns on a metric sheet: 12 months, 4 quarters, the year.
const FIGURE_COLS: usize = 17;

/// The period index (into a line's values) of figure column `k`.
fn period_of(k: usize) -> usize {
    match k {
        0..12 => MONTH0 + k,
        12..16 => 1 + k - 12,
        _ => 0,
    }
}

/// On a rep row, the month columns that figure column `k` sums (quarters and year).
fn months_summed(k: usize) -> Option<(ColNum, ColNum)> {
    let first = FIRST_FIGURE_COL;
    match k {
        0..12 => None,
        12..16 => {
            let q = (k - 12) as ColNum;
            Some((first + 3 * q, first + 3 * q + 2))
        }
        _ => Some((first, first + 11)),
    }
}

/// A metric sheet: rep rows by team, a subtotal per team, a grand total.
/// Reps without a team form a block with no subtotal row.
fn metric_sheet(
    ws: &mut Worksheet,
    book: &PlanBook,
    l: &Labels,
    st: &Styles,
    ml: &MetricLines,
) -> Result<(), XlsxError> {
    let input = book.input;
    let metric = &input.metrics[ml.metric];
    let fig = Figures::of(metric, book.currency);
    let mut sh = Sheet::new(ws);
    let mut head: Vec<String> = vec![l.team.into(), l.rep_id.into(), l.name.into()];
    head.extend((0..12).map(|m| book.periods.labels[MONTH0 + m].clone()));
    head.extend((1..=4).map(|q| format!("Q{q}")));
    head.push(l.year.into());
    sh.header(0, &head, &st.header)?;
    let cols: Vec<TableCol> = (0..FIGURE_COLS)
        .map(|k| TableCol {
            metric,
            fig: &fig,
            across: months_summed(k),
        })
        .collect();
    let rows: Vec<TableRow> = ml
        .reps
        .iter()
        .filter_map(|line| {
            let units = (0..FIGURE_COLS).map(|k| Some(line.values[period_of(k)]));
            line.rep
                .map(|r| TableRow::of(&input.reps[r], units.collect()))
        })
        .collect();
    team_sheet(sh, &rows, &cols, l, st)
}

/// How a group is named in the sheets.
fn group_label<'a>(g: &'a Group, l: &'a Labels) -> &'a str {
    match g.kind {
        GroupKind::Company => l.company,
        GroupKind::Team | GroupKind::RepAlone => &g.name,
    }
}

/// `Seasonality`: s_m per (metric, group), and a chart of the first metric's groups.
fn seasonality_sheet(
    ws: &mut Worksheet,
    book: &PlanBook,
    l: &Labels,
    st: &Styles,
) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    let mut head: Vec<String> = vec![l.metric.into(), l.group.into(), l.source.into()];
    head.extend((0..12).map(|m| book.periods.labels[MONTH0 + m].clone()));
    sh.header(0, &head, &st.header)?;
    let mut row: RowNum = 1;
    let mut chart = Chart::new(ChartType::Line);
    for (i, mp) in book.plan.metrics.iter().enumerate() {
        let metric = &book.input.metrics[mp.metric];
        for g in &mp.groups {
            sh.plain_text(row, 0, &metric.name)?;
            sh.plain_text(row, 1, group_label(g, l))?;
            sh.plain_text(row, 2, &g.season_source)?;
            for (m, s) in g.season.iter().enumerate() {
                sh.number(row, 3 + m as ColNum, *s, 7, &st.pct)?;
            }
            if i == 0 {
                chart
                    .add_series()
                    .set_name((l.seasonality, row, 1))
                    .set_categories((l.seasonality, 0, 3, 0, 14))
                    .set_values((l.seasonality, row, 3, row, 14));
            }
            row += 1;
        }
    }
    if let Some(first) = book.plan.metrics.first().filter(|mp| !mp.groups.is_empty()) {
        let name = &book.input.metrics[first.metric].name;
        chart
            .title()
            .set_name(&format!("{}: {}", l.season_chart, name.replace('!', "")));
        chart.y_axis().set_num_format("0%");
        chart.set_width(760).set_height(360);
        sh.ws.insert_chart(row + 1, 0, &chart)?;
    }
    sh.finish(0..=0, 3)
}

/// `Weights`: every input of every rep's weight, one row per (metric, rep with a plan).
fn weights_sheet(
    ws: &mut Worksheet,
    book: &PlanBook,
    l: &Labels,
    st: &Styles,
) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws
        .write_string_with_format(0, 0, l.weights_note, &st.note)?;
    let mut head: Vec<String> = [
        l.metric,
        l.team,
        l.rep_id,
        l.name,
        l.held,
        l.net,
        l.window_rows,
        l.capacity,
        l.own_run_rate,
        l.run_rate,
        l.h,
        l.c,
        l.e,
        l.role_weight,
        l.w,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let first_avail = head.len() as ColNum;
    head.extend((0..12).map(|m| format!("{} {}", l.availability, book.periods.labels[MONTH0 + m])));
    sh.header(1, &head, &st.header)?;
    let mut row: RowNum = 2;
    for mp in &book.plan.metrics {
        let metric = &book.input.metrics[mp.metric];
        for rp in mp.reps.iter().filter(|rp| rp.group.is_some()) {
            let rep = &book.input.reps[rp.rep];
            let wt = &rp.weight;
            sh.plain_text(row, 0, &metric.name)?;
            sh.plain_text(row, 1, &rep.team)?;
            sh.plain_text(row, 2, &rep.id)?;
            sh.plain_text(row, 3, &rep.name)?;
            sh.plain_text(row, 4, if rp.held { l.yes } else { l.no })?;
            let amount = |v: f64| format!("{v:.2}").len() + 4;
            sh.number(row, 5, wt.net, amount(wt.net), &st.decimal)?;
            sh.plain_number(row, 6, wt.rows as f64, wt.rows.to_string().len())?;
            sh.number(row, 7, wt.capacity, amount(wt.capacity), &st.decimal)?;
            if let Some(own) = wt.own_run_rate {
                sh.number(row, 8, own, amount(own), &st.decimal)?;
            }
            sh.number(row, 9, wt.run_rate, amount(wt.run_rate), &st.decimal)?;
            for (c, v) in [(10, wt.h), (11, wt.c), (12, wt.e)] {
                sh.number(row, c, v, 7, &st.pct)?;
            }
            sh.number(row, 13, wt.role_weight, 5, &st.decimal)?;
            sh.number(row, 14, wt.w, 7, &st.pct)?;
            for (m, a) in rp.availability.iter().enumerate() {
                sh.number(row, first_avail + m as ColNum, *a, 7, &st.pct)?;
            }
            row += 1;
        }
    }
    let last_col = first_avail + 11;
    sh.ws.autofilter(1, 0, row.max(3) - 1, last_col)?;
    sh.finish(1..=1, 4)
}

/// A decimal as an exact ratio.
fn ratio(d: Decimal) -> BigRational {
    BigRational::new(BigInt::from(d.mantissa()), BigInt::from(10).pow(d.scale()))
}

/// `Checks`: per (metric, group), the target, the assigned total and the sum of its reps.
fn checks_sheet(
    ws: &mut Worksheet,
    book: &PlanBook,
    l: &Labels,
    st: &Styles,
) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    let head: Vec<String> = [
        l.metric,
        l.group,
        l.target,
        l.over_assignment,
        l.assigned,
        l.rep_sum,
        l.difference,
        l.held_parts,
        l.kept,
        l.replanned,
        l.status,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    sh.header(0, &head, &st.header)?;
    let mut row: RowNum = 1;
    for mp in &book.plan.metrics {
        let metric = &book.input.metrics[mp.metric];
        let fig = Figures::of(metric, book.currency);
        let lines = book.lines.iter().find(|ml| ml.metric == mp.metric);
        for (gi, g) in mp.groups.iter().enumerate() {
            let rep_sum: i64 = mp
                .reps
                .iter()
                .filter(|rp| rp.group == Some(gi))
                .filter_map(|rp| lines?.reps.iter().find(|line| line.rep == Some(rp.rep)))
                .map(|line| line.values[0])
                .sum();
            let target = format_ratio(
                &(&g.target * ratio(metric.unit)),
                places(metric.unit, metric.kind),
            );
            sh.plain_text(row, 0, &metric.name)?;
            sh.plain_text(row, 1, group_label(g, l))?;
            let t = target.parse().unwrap_or(0.0);
            sh.number(row, 2, t, fig.width(&target), &fig.plain)?;
            let o = metric.rules.over_assignment;
            sh.plain_number(row, 3, o, o.to_string().len())?;
            let kept: i64 = g.frozen.iter().sum();
            let figures = [
                (4, g.assigned),
                (5, rep_sum),
                (7, g.held.iter().sum()),
                (8, kept),
                (9, g.assigned - kept),
            ];
            for (col, units) in figures {
                let (text, value) = figure(units, metric);
                sh.number(row, col, value, fig.width(&text), &fig.plain)?;
            }
            let (e, f) = (row_col_to_cell(row, 4), row_col_to_cell(row, 5));
            let (diff, _) = figure(g.assigned - rep_sum, metric);
            sh.formula(
                row,
                6,
                &format!("={e}-{f}"),
                &diff,
                fig.width(&diff),
                &fig.plain,
            )?;
            let status = if g.assigned == rep_sum {
                "pass"
            } else {
                "FAIL"
            };
            let check = format!("=IF({e}={f},\"pass\",\"FAIL\")");
            sh.formula(row, 10, &check, status, 4, &st.text)?;
            row += 1;
        }
    }
    if row > 1 {
        for (word, f) in [("FAIL", &st.fail), ("pass", &st.pass)] {
            let cf = ConditionalFormatText::new()
                .set_rule(ConditionalFormatTextRule::Contains(word.into()))
                .set_format(f);
            sh.ws.add_conditional_format(1, 10, row - 1, 10, &cf)?;
        }
    }
    sh.ws.autofilter(0, 0, row.max(2) - 1, 8)?;
    warning_rows(&mut sh, book, row + 1, l, st)?;
    sh.finish(0..=0, 2)
}

/// Below the checks, from `row`: every warning of the run (a fallback that
/// changed the math, or a row that was left out), one a row.
fn warning_rows(
    sh: &mut Sheet,
    book: &PlanBook,
    row: RowNum,
    l: &Labels,
    st: &Styles,
) -> Result<(), XlsxError> {
    let warnings = book
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Warning);
    let mut at = row + 1;
    for p in warnings {
        sh.text(at, 0, l.warning, &st.fail)?;
        sh.plain_text(at, 1, &p.to_string())?;
        at += 1;
    }
    if at > row + 1 {
        sh.text(row, 0, l.warnings, &st.header)?;
    }
    Ok(())
}

/// A value on the Assumptions sheet.
enum Value {
    Text(String),
    Number(f64),
}

/// `Assumptions`: what the plan was made with, as key/value rows.
fn assumptions_sheet(
    ws: &mut Worksheet,
    book: &PlanBook,
    l: &Labels,
    st: &Styles,
) -> Result<(), XlsxError> {
    let input = book.input;
    let plan = book.plan;
    let mut rows: Vec<(String, Value)> = vec![
        (
            l.tool.into(),
            Value::Text(format!("plan {}", env!("CARGO_PKG_VERSION"))),
        ),
        (l.fiscal_year.into(), Value::Number(f64::from(plan.year))),
        (
            l.fiscal_start.into(),
            Value::Number(f64::from(input.fiscal.start)),
        ),
        (
            l.named_by.into(),
            Value::Text(
                if input.fiscal.named_by_end {
                    "end"
                } else {
                    "start"
                }
                .into(),
            ),
        ),
        (
            l.plan_months.into(),
            Value::Text(format!(
                "{} – {}",
                book.periods.labels[MONTH0],
                book.periods.labels[MONTH0 + 11]
            )),
        ),
        (
            l.window.into(),
            Value::Text(format!(
                "{} – {}",
                ym_label(plan.window.0),
                ym_label(plan.window.1)
            )),
        ),
    ];
    if let Some(as_of) = book.as_of {
        rows.push((l.as_of.into(), Value::Text(as_of.into())));
    }
    if let Some(sha) = book.replans {
        rows.push((l.replans.into(), Value::Text(sha.into())));
    }
    if let Some(currency) = book.currency {
        rows.push((l.currency.into(), Value::Text(currency.into())));
    }
    for metric in &input.metrics {
        rows.extend(
            metric_rules(metric, &input.history)
                .into_iter()
                .map(|(k, v)| (format!("{}: {k}", metric.name), v)),
        );
    }
    let mut sh = Sheet::new(ws);
    let head = [l.item, l.value, l.sha256].map(String::from);
    sh.header(0, &head, &st.header)?;
    let mut row: RowNum = 1;
    for (key, value) in &rows {
        sh.text(row, 0, key, &st.bold)?;
        match value {
            Value::Text(s) => sh.plain_text(row, 1, s)?,
            Value::Number(v) => sh.plain_number(row, 1, *v, v.to_string().len())?,
        }
        row += 1;
    }
    for sum in book.inputs {
        sh.text(row, 0, &format!("{}: {}", l.input, sum.table), &st.bold)?;
        sh.plain_text(row, 1, &sum.file)?;
        sh.plain_text(row, 2, &sum.sha256)?;
        row += 1;
    }
    sh.finish(0..=0, 1)
}

/// A metric's rules as (plan-file key, value), with the history column it reads.
fn metric_rules(metric: &Metric, history: &History) -> Vec<(&'static str, Value)> {
    let r = &metric.rules;
    let list = |v: &[f64]| v.iter().map(f64::to_string).collect::<Vec<_>>().join(", ");
    let seasonality = match &r.seasonality {
        Seasonality::History => "history".to_string(),
        Seasonality::Workdays => "workdays".to_string(),
        Seasonality::Even => "even".to_string(),
        Seasonality::Fixed(w) => format!("[{}]", list(w)),
    };
    let kind = match metric.kind {
        MetricKind::Money => "money",
        MetricKind::Count => "count",
    };
    let [a, b, c] = r.weights;
    let roles = metric
        .role_weights
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let growth_base = match r.growth_base {
        GrowthBase::PreviousYear => "previous_year",
        GrowthBase::Trailing => "trailing",
    };
    let column = metric
        .history_column
        .and_then(|k| history.columns.get(k))
        .map_or("false (none)".to_string(), |c| c.clone());
    vec![
        ("kind", Value::Text(kind.into())),
        ("history_column", Value::Text(column)),
        ("unit", Value::Text(metric.unit.to_string())),
        ("seasonality", Value::Text(seasonality)),
        (
            "seasonality_years",
            Value::Number(r.seasonality_years as f64),
        ),
        ("smoothing", Value::Number(r.smoothing)),
        (
            "lookback_months",
            Value::Number(f64::from(r.lookback_months)),
        ),
        ("min_history", Value::Number(r.min_history)),
        (
            "weights",
            Value::Text(format!("history = {a}, capability = {b}, equal = {c}")),
        ),
        ("ramp", Value::Text(format!("[{}]", list(&r.ramp)))),
        ("over_assignment", Value::Number(r.over_assignment)),
        ("growth_base", Value::Text(growth_base.into())),
        ("role_weights", Value::Text(roles)),
    ]
}
