//! `plan.xlsx` (SPEC §3): a sheet per metric, then Seasonality, Weights,
//! Checks and Assumptions. Pure: the workbook is rendered to bytes, with a
//! fixed creation date so that the same plan gives the same bytes.

use super::manifest::InputSum;
use super::write_csv::format_units;
use crate::engine::calendar::ym_label;
use crate::engine::layout::{Line, MetricLines, Periods, MONTH0};
use crate::engine::model::{Group, GroupKind, Metric, MetricKind, Plan, PlanInput, Seasonality};
use crate::engine::plan::format_ratio;
use num_bigint::BigInt;
use num_rational::BigRational;
use rust_decimal::Decimal;
use rust_xlsxwriter::utility::{cell_range, row_col_to_cell};
use rust_xlsxwriter::{
    Chart, ChartType, ColNum, Color, ConditionalFormatText, ConditionalFormatTextRule,
    DocProperties, ExcelDateTime, Format, FormatBorder, Formula, RowNum, Workbook, Worksheet,
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
    /// The input files as named, with their SHA-256.
    pub inputs: &'a [InputSum],
    /// The `--as-of` date, shown only when given.
    pub as_of: Option<&'a str>,
    /// `zh` for Chinese labels, else English.
    pub lang: &'a str,
    /// The company in the workbook properties.
    pub company: Option<&'a str>,
    /// A currency code shown before money figures (`CNY 1,234.50`).
    pub currency: Option<&'a str>,
}

/// Renders `plan.xlsx` to bytes.
pub fn plan_xlsx(book: &PlanBook) -> Result<Vec<u8>, XlsxError> {
    let l = labels(book.lang);
    let st = Styles::new();
    let mut wb = Workbook::new();
    let mut taken: Vec<String> = [l.seasonality, l.weights, l.checks, l.assumptions, "History"]
        .iter()
        .map(|s| s.to_lowercase())
        .collect();
    for ml in book.lines {
        let name = sheet_name(&book.input.metrics[ml.metric].name, &mut taken);
        metric_sheet(wb.add_worksheet().set_name(name)?, book, l, &st, ml)?;
    }
    seasonality_sheet(wb.add_worksheet().set_name(l.seasonality)?, book, l, &st)?;
    weights_sheet(wb.add_worksheet().set_name(l.weights)?, book, l, &st)?;
    checks_sheet(wb.add_worksheet().set_name(l.checks)?, book, l, &st)?;
    assumptions_sheet(wb.add_worksheet().set_name(l.assumptions)?, book, l, &st)?;
    let mut props = DocProperties::new()
        .set_title(format!("{} {}", l.title, book.plan.year))
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    if let Some(company) = book.company {
        props = props.set_company(company);
    }
    wb.set_properties(&props);
    wb.save_to_buffer()
}

/// The workbook's words in one language.
struct Labels {
    title: &'static str,
    seasonality: &'static str,
    weights: &'static str,
    checks: &'static str,
    assumptions: &'static str,
    team: &'static str,
    rep_id: &'static str,
    name: &'static str,
    year: &'static str,
    subtotal: &'static str,
    total: &'static str,
    metric: &'static str,
    group: &'static str,
    company: &'static str,
    source: &'static str,
    season_chart: &'static str,
    weights_note: &'static str,
    held: &'static str,
    yes: &'static str,
    no: &'static str,
    net: &'static str,
    window_rows: &'static str,
    capacity: &'static str,
    own_run_rate: &'static str,
    run_rate: &'static str,
    h: &'static str,
    c: &'static str,
    e: &'static str,
    role_weight: &'static str,
    w: &'static str,
    availability: &'static str,
    target: &'static str,
    over_assignment: &'static str,
    assigned: &'static str,
    rep_sum: &'static str,
    difference: &'static str,
    held_parts: &'static str,
    status: &'static str,
    item: &'static str,
    value: &'static str,
    sha256: &'static str,
    tool: &'static str,
    fiscal_year: &'static str,
    fiscal_start: &'static str,
    named_by: &'static str,
    plan_months: &'static str,
    window: &'static str,
    as_of: &'static str,
    currency: &'static str,
    input: &'static str,
}

static EN: Labels = Labels {
    title: "Sales plan",
    seasonality: "Seasonality",
    weights: "Weights",
    checks: "Checks",
    assumptions: "Assumptions",
    team: "Team",
    rep_id: "Rep ID",
    name: "Name",
    year: "Year",
    subtotal: "Subtotal",
    total: "Total",
    metric: "Metric",
    group: "Group",
    company: "Company",
    source: "Source",
    season_chart: "Seasonality by month",
    weights_note: "w = (α·h + β·c + γ·e) / (α + β + γ), then × role weight and normalised again over the group. h: run-rate share, c: capability share, e: equal share; α β γ are the rules' weights (see Assumptions).",
    held: "Held",
    yes: "yes",
    no: "no",
    net: "Net sales in window",
    window_rows: "Window rows",
    capacity: "Capacity",
    own_run_rate: "Own run-rate",
    run_rate: "Run-rate used",
    h: "h",
    c: "c",
    e: "e",
    role_weight: "Role weight",
    w: "w",
    availability: "Avail.",
    target: "Target T",
    over_assignment: "Over-assignment",
    assigned: "Assigned A",
    rep_sum: "Sum of reps",
    difference: "Difference",
    held_parts: "Held parts",
    status: "Status",
    item: "Item",
    value: "Value",
    sha256: "SHA-256",
    tool: "Tool version",
    fiscal_year: "Fiscal year",
    fiscal_start: "Fiscal year start month",
    named_by: "Fiscal year named by",
    plan_months: "Plan months",
    window: "Lookback window",
    as_of: "As of",
    currency: "Currency",
    input: "Input",
};

static ZH: Labels = Labels {
    title: "销售计划",
    seasonality: "季节性",
    weights: "权重",
    checks: "校验",
    assumptions: "假设",
    team: "团队",
    rep_id: "工号",
    name: "姓名",
    year: "年度",
    subtotal: "小计",
    total: "合计",
    metric: "指标",
    group: "分组",
    company: "公司",
    source: "来源",
    season_chart: "月度季节性",
    weights_note: "w = (α·h + β·c + γ·e) / (α + β + γ)，再乘以角色系数并在组内重新归一。h：业绩份额，c：能力份额，e：平均份额；α β γ 为规则中的权重（见“假设”）。",
    held: "个人目标",
    yes: "是",
    no: "否",
    net: "窗口内净销售",
    window_rows: "窗口内记录数",
    capacity: "产能",
    own_run_rate: "本人月均",
    run_rate: "采用月均",
    h: "h",
    c: "c",
    e: "e",
    role_weight: "角色系数",
    w: "w",
    availability: "可用度",
    target: "目标 T",
    over_assignment: "超额分配系数",
    assigned: "分配总额 A",
    rep_sum: "个人合计",
    difference: "差额",
    held_parts: "个人目标部分",
    status: "结果",
    item: "项目",
    value: "值",
    sha256: "SHA-256",
    tool: "工具版本",
    fiscal_year: "财年",
    fiscal_start: "财年起始月",
    named_by: "财年命名",
    plan_months: "计划月份",
    window: "回溯窗口",
    as_of: "制定日期",
    currency: "货币",
    input: "输入文件",
};

/// The labels of `lang` (`zh`, else English).
fn labels(lang: &str) -> &'static Labels {
    if lang == "zh" {
        &ZH
    } else {
        &EN
    }
}

/// Formats shared by every sheet.
struct Styles {
    header: Format,
    text: Format,
    bold: Format,
    note: Format,
    pct: Format,
    decimal: Format,
    pass: Format,
    fail: Format,
}

impl Styles {
    fn new() -> Self {
        Styles {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border_bottom(FormatBorder::Thin),
            text: Format::new(),
            bold: Format::new().set_bold(),
            note: Format::new().set_italic(),
            pct: Format::new().set_num_format("0.00%"),
            decimal: Format::new().set_num_format("#,##0.00"),
            pass: Format::new()
                .set_background_color(Color::RGB(0xC6EFCE))
                .set_font_color(Color::RGB(0x006100)),
            fail: Format::new()
                .set_background_color(Color::RGB(0xFFC7CE))
                .set_font_color(Color::RGB(0x9C0006)),
        }
    }
}

/// Number formats of one metric's figures.
struct Figures {
    plain: Format,
    bold: Format,
    total: Format,
    /// Characters the format adds beside the digits (currency prefix).
    pad: usize,
}

impl Figures {
    fn of(metric: &Metric, currency: Option<&str>) -> Self {
        let digits = match places(metric) {
            0 => "#,##0".to_string(),
            p => format!("#,##0.{}", "0".repeat(p)),
        };
        let (fmt, pad) = match (metric.kind, currency) {
            (MetricKind::Money, Some(c)) => {
                let c = c.replace('"', "");
                (format!("\"{c} \"{digits}"), text_width(&c) + 1)
            }
            _ => (digits, 0),
        };
        Figures {
            plain: Format::new().set_num_format(&fmt),
            bold: Format::new().set_num_format(&fmt).set_bold(),
            total: Format::new()
                .set_num_format(&fmt)
                .set_bold()
                .set_border_top(FormatBorder::Thin),
            pad,
        }
    }

    /// The width of a figure shown with this format.
    fn width(&self, text: &str) -> usize {
        let int = text.trim_start_matches('-').split('.').next().unwrap_or("");
        text.len() + int.len().saturating_sub(1) / 3 + self.pad
    }
}

/// Decimal places of a metric's figures, as in `plan.csv`.
fn places(metric: &Metric) -> usize {
    match metric.kind {
        MetricKind::Money => metric.unit.scale().max(2) as usize,
        MetricKind::Count => metric.unit.scale() as usize,
    }
}

/// A figure in units: its exact decimal text and that number for the cell.
fn figure(units: i64, metric: &Metric) -> (String, f64) {
    let text = format_units(units, metric.unit, metric.kind);
    let value = text.parse().unwrap_or(0.0);
    (text, value)
}

/// A worksheet being written, with the width each column needs.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    widths: Vec<usize>,
}

impl<'a> Sheet<'a> {
    fn new(ws: &'a mut Worksheet) -> Self {
        Sheet {
            ws,
            widths: Vec::new(),
        }
    }

    fn fit(&mut self, col: ColNum, width: usize) {
        let c = usize::from(col);
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        self.widths[c] = self.widths[c].max(width);
    }

    /// Text, always as text: a leading `=` stays a character.
    fn text(&mut self, row: RowNum, col: ColNum, s: &str, f: &Format) -> Result<(), XlsxError> {
        self.ws.write_string_with_format(row, col, s, f)?;
        self.fit(col, text_width(s));
        Ok(())
    }

    fn header(&mut self, row: RowNum, names: &[String], f: &Format) -> Result<(), XlsxError> {
        for (c, name) in names.iter().enumerate() {
            self.text(row, c as ColNum, name, f)?;
        }
        Ok(())
    }

    fn number(
        &mut self,
        row: RowNum,
        col: ColNum,
        v: f64,
        width: usize,
        f: &Format,
    ) -> Result<(), XlsxError> {
        self.ws.write_number_with_format(row, col, v, f)?;
        self.fit(col, width);
        Ok(())
    }

    /// A formula with its value cached, so readers without a calc engine see it.
    fn formula(
        &mut self,
        row: RowNum,
        col: ColNum,
        formula: &str,
        result: &str,
        width: usize,
        f: &Format,
    ) -> Result<(), XlsxError> {
        let formula = Formula::new(formula).set_result(result);
        self.ws.write_formula_with_format(row, col, formula, f)?;
        self.fit(col, width);
        Ok(())
    }

    /// Column widths from the content, page setup, and the frozen header.
    fn finish(self, header_row: RowNum, freeze_col: ColNum) -> Result<(), XlsxError> {
        for (c, w) in self.widths.iter().enumerate() {
            let w = (*w).clamp(6, 50) + 2;
            self.ws.set_column_width(c as ColNum, w as f64)?;
        }
        self.ws.set_freeze_panes(header_row + 1, freeze_col)?;
        self.ws.set_repeat_rows(header_row, header_row)?;
        self.ws.set_landscape();
        self.ws.set_print_fit_to_pages(1, 0);
        Ok(())
    }
}

/// Display width in characters: CJK and other wide characters count twice.
fn text_width(s: &str) -> usize {
    s.chars()
        .map(|c| if u32::from(c) >= 0x1100 { 2 } else { 1 })
        .sum()
}

/// A name Excel accepts for a sheet, unique (case-insensitively) among `taken`.
fn sheet_name(raw: &str, taken: &mut Vec<String>) -> String {
    let clean: String = raw
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim_matches('\'');
    let clean = if clean.trim().is_empty() {
        "Sheet"
    } else {
        clean
    };
    let mut n = 1;
    loop {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("~{n}")
        };
        let mut name = String::new();
        let mut len = 0;
        for c in clean.chars() {
            len += c.len_utf16();
            if len > 31 - suffix.len() {
                break;
            }
            name.push(c);
        }
        let name = format!("{}{suffix}", name.trim_end_matches('\''));
        if !taken.contains(&name.to_lowercase()) {
            taken.push(name.to_lowercase());
            return name;
        }
        n += 1;
    }
}

/// First column of the months on a metric sheet (after team, rep id, name).
const FIRST_MONTH_COL: ColNum = 3;
/// Figure columns on a metric sheet: 12 months, 4 quarters, the year.
const FIGURE_COLS: usize = 17;

/// The period index (into [`Line::values`]) of figure column `k`.
fn period_of(k: usize) -> usize {
    match k {
        0..12 => MONTH0 + k,
        12..16 => 1 + k - 12,
        _ => 0,
    }
}

/// `=SUM(…)` over cell references, nested when there are more than Excel's 255 arguments.
fn sum_formula(refs: &[String]) -> String {
    const MAX_ARGS: usize = 255;
    let inner = if refs.len() <= MAX_ARGS {
        refs.join(",")
    } else {
        refs.chunks(MAX_ARGS)
            .map(|c| format!("SUM({})", c.join(",")))
            .collect::<Vec<_>>()
            .join(",")
    };
    format!("=SUM({inner})")
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
    let last_col = FIRST_MONTH_COL + FIGURE_COLS as ColNum - 1;

    let team_key = |line: &Line| line.rep.map_or("", |r| input.reps[r].team_key.as_str());
    let mut row: RowNum = 1;
    // Cells the grand total adds up: subtotal rows, and no-team blocks.
    let mut parts: Vec<(RowNum, RowNum)> = Vec::new();
    for block in ml.reps.chunk_by(|a, b| team_key(a) == team_key(b)) {
        let first = row;
        for line in block {
            rep_row(&mut sh, row, line, input, metric, &fig, st)?;
            row += 1;
        }
        let last = row - 1;
        if team_key(&block[0]).is_empty() {
            parts.push((first, last));
            continue;
        }
        sh.text(row, 0, &block[0].team, &st.bold)?;
        sh.text(row, 2, l.subtotal, &st.bold)?;
        for k in 0..FIGURE_COLS {
            let col = FIRST_MONTH_COL + k as ColNum;
            let units: i64 = block.iter().map(|x| x.values[period_of(k)]).sum();
            let (text, _) = figure(units, metric);
            let f = format!("=SUM({})", cell_range(first, col, last, col));
            sh.formula(row, col, &f, &text, fig.width(&text), &fig.bold)?;
        }
        sh.ws.group_rows(first, last)?;
        parts.push((row, row));
        row += 1;
    }
    let filter_last = row.saturating_sub(1).max(1);
    sh.text(row, 0, l.total, &st.bold)?;
    for k in 0..FIGURE_COLS {
        let col = FIRST_MONTH_COL + k as ColNum;
        let (text, value) = figure(ml.company.values[period_of(k)], metric);
        if parts.is_empty() {
            sh.number(row, col, value, fig.width(&text), &fig.total)?;
            continue;
        }
        let refs: Vec<String> = parts
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    row_col_to_cell(a, col)
                } else {
                    cell_range(a, col, b, col)
                }
            })
            .collect();
        sh.formula(
            row,
            col,
            &sum_formula(&refs),
            &text,
            fig.width(&text),
            &fig.total,
        )?;
    }
    sh.ws.autofilter(0, 0, filter_last, last_col)?;
    sh.finish(0, FIRST_MONTH_COL)
}

/// One rep's row: months as numbers, quarters and year as cached SUMs of them.
fn rep_row(
    sh: &mut Sheet,
    row: RowNum,
    line: &Line,
    input: &PlanInput,
    metric: &Metric,
    fig: &Figures,
    st: &Styles,
) -> Result<(), XlsxError> {
    let rep = line.rep.map(|r| &input.reps[r]);
    sh.text(row, 0, &line.team, &st.text)?;
    sh.text(row, 1, rep.map_or("", |r| r.id.as_str()), &st.text)?;
    sh.text(row, 2, rep.map_or("", |r| r.name.as_str()), &st.text)?;
    for k in 0..FIGURE_COLS {
        let col = FIRST_MONTH_COL + k as ColNum;
        let (text, value) = figure(line.values[period_of(k)], metric);
        let (a, b) = match k {
            0..12 => {
                sh.number(row, col, value, fig.width(&text), &fig.plain)?;
                continue;
            }
            12..16 => {
                let q = (k - 12) as ColNum;
                (FIRST_MONTH_COL + 3 * q, FIRST_MONTH_COL + 3 * q + 2)
            }
            _ => (FIRST_MONTH_COL, FIRST_MONTH_COL + 11),
        };
        let f = format!("=SUM({})", cell_range(row, a, row, b));
        sh.formula(row, col, &f, &text, fig.width(&text), &fig.plain)?;
    }
    Ok(())
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
            sh.text(row, 0, &metric.name, &st.text)?;
            sh.text(row, 1, group_label(g, l), &st.text)?;
            sh.text(row, 2, &g.season_source, &st.text)?;
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
    sh.finish(0, 3)
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
            sh.text(row, 0, &metric.name, &st.text)?;
            sh.text(row, 1, &rep.team, &st.text)?;
            sh.text(row, 2, &rep.id, &st.text)?;
            sh.text(row, 3, &rep.name, &st.text)?;
            sh.text(row, 4, if rp.held { l.yes } else { l.no }, &st.text)?;
            let amount = |v: f64| format!("{v:.2}").len() + 4;
            sh.number(row, 5, wt.net, amount(wt.net), &st.decimal)?;
            sh.number(row, 6, wt.rows as f64, wt.rows.to_string().len(), &st.text)?;
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
    sh.finish(1, 4)
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
            let target = format_ratio(&(&g.target * ratio(metric.unit)), places(metric));
            sh.text(row, 0, &metric.name, &st.text)?;
            sh.text(row, 1, group_label(g, l), &st.text)?;
            let t = target.parse().unwrap_or(0.0);
            sh.number(row, 2, t, fig.width(&target), &fig.plain)?;
            let o = metric.rules.over_assignment;
            sh.number(row, 3, o, o.to_string().len(), &st.text)?;
            for (col, units) in [(4, g.assigned), (5, rep_sum), (7, g.held.iter().sum())] {
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
            sh.formula(row, 8, &check, status, 4, &st.text)?;
            row += 1;
        }
    }
    if row > 1 {
        for (word, f) in [("FAIL", &st.fail), ("pass", &st.pass)] {
            let cf = ConditionalFormatText::new()
                .set_rule(ConditionalFormatTextRule::Contains(word.into()))
                .set_format(f);
            sh.ws.add_conditional_format(1, 8, row - 1, 8, &cf)?;
        }
    }
    sh.ws.autofilter(0, 0, row.max(2) - 1, 8)?;
    sh.finish(0, 2)
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
    if let Some(currency) = book.currency {
        rows.push((l.currency.into(), Value::Text(currency.into())));
    }
    for metric in &input.metrics {
        rows.extend(
            metric_rules(metric)
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
            Value::Text(s) => sh.text(row, 1, s, &st.text)?,
            Value::Number(v) => sh.number(row, 1, *v, v.to_string().len(), &st.text)?,
        }
        row += 1;
    }
    for sum in book.inputs {
        sh.text(row, 0, &format!("{}: {}", l.input, sum.table), &st.bold)?;
        sh.text(row, 1, &sum.file, &st.text)?;
        sh.text(row, 2, &sum.sha256, &st.text)?;
        row += 1;
    }
    sh.finish(0, 1)
}

/// A metric's rules as (plan-file key, value).
fn metric_rules(metric: &Metric) -> Vec<(&'static str, Value)> {
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
    vec![
        ("kind", Value::Text(kind.into())),
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
        ("role_weights", Value::Text(roles)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_safe_and_unique() {
        let mut taken = vec!["seasonality".to_string()];
        assert_eq!(sheet_name("a/b[c]:d*e?f\\", &mut taken), "a_b_c__d_e_f_");
        assert_eq!(sheet_name("Seasonality", &mut taken), "Seasonality~2");
        assert_eq!(sheet_name("'quoted'", &mut taken), "quoted");
        assert_eq!(sheet_name("", &mut taken), "Sheet");
        let long = "x".repeat(40);
        assert_eq!(sheet_name(&long, &mut taken), "x".repeat(31));
        assert_eq!(
            sheet_name(&long, &mut taken),
            format!("{}~2", "x".repeat(29))
        );
    }

    #[test]
    fn sums_nest_past_255_arguments() {
        let refs: Vec<String> = (1..=300).map(|r| format!("D{r}")).collect();
        let f = sum_formula(&refs);
        assert!(f.starts_with("=SUM(SUM(D1,"));
        assert!(f.ends_with(",D300))"));
        assert_eq!(sum_formula(&refs[..2]), "=SUM(D1,D2)");
    }
}
