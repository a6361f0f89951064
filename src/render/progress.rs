//! The outputs of `plan track`: `progress.csv`, `progress.xlsx` and the
//! `--json` document, all from one set of formatted figures.
//!
//! Figures are plain decimals like `plan.csv`'s: money rounded (half away
//! from zero) to the plan's places (two, or more when the plan has more);
//! for counts the year target and the actual exactly, the pro-rated figures
//! (target to date, projection, gap, needed per working day) to two
//! decimals. Attainment and pace are fractions with four decimals
//! (`0.9545`); an empty field (JSON `null`) when undefined.

use crate::engine::calendar::ym_label;
use crate::engine::model::{Metric, MetricKind, Rules};
use crate::engine::track::{AlertKind, Level, Progress, Status, TrackRep, Tracked};
use crate::input::actuals::PlanMetric;
use crate::render::xlsx::labels::labels;
use crate::render::xlsx::style::{properties, sheet_name, text_width, Figures, Sheet, Styles};
use chrono::NaiveDate;
use num_traits::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{
    ColNum, Color, ConditionalFormatText, ConditionalFormatTextRule, Format, RowNum, Workbook,
    Worksheet, XlsxError,
};
use serde_json::{json, Value};

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

fn round(v: Decimal, places: u32) -> String {
    let r = v.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    format!("{r:.prec$}", prec = places as usize)
}

/// An exact sum (year target, actual) as plain decimal text.
fn exact(v: Decimal, m: &PlanMetric) -> String {
    match m.kind {
        MetricKind::Money => round(v, m.places),
        MetricKind::Count => v.normalize().to_string(),
    }
}

/// A pro-rated figure as plain decimal text.
fn derived(v: Decimal, m: &PlanMetric) -> String {
    match m.kind {
        MetricKind::Money => round(v, m.places),
        MetricKind::Count => round(v, 2),
    }
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

/// The words of `lang`.
fn words(lang: &str) -> &'static Words {
    if lang == "zh" {
        &ZH
    } else {
        &EN
    }
}

/// The words of `progress.xlsx`.
struct Words {
    title: &'static str,
    summary: &'static str,
    reps: &'static str,
    alerts: &'static str,
    target_year: &'static str,
    target_to_date: &'static str,
    actual_to_date: &'static str,
    attainment: &'static str,
    pace: &'static str,
    projection: &'static str,
    gap: &'static str,
    needed: &'static str,
    rank: &'static str,
    alert: &'static str,
    actual: &'static str,
    /// The last column of the Reps sheet: the year's target, the actual to date.
    year_to_date: &'static str,
    statuses: [&'static str; 3],
    zh: bool,
}

static EN: Words = Words {
    title: "Progress",
    summary: "Summary",
    reps: "Reps",
    alerts: "Alerts",
    target_year: "Year target",
    target_to_date: "Target to date",
    actual_to_date: "Actual to date",
    attainment: "Attainment",
    pace: "Pace",
    projection: "Projection",
    gap: "Gap",
    needed: "Needed per working day",
    rank: "Rank",
    alert: "Alert",
    actual: "Actual",
    year_to_date: "Year / to date",
    statuses: ["green", "amber", "red"],
    zh: false,
};

static ZH: Words = Words {
    title: "进度",
    summary: "汇总",
    reps: "个人",
    alerts: "提醒",
    target_year: "年度目标",
    target_to_date: "应完成",
    actual_to_date: "已完成",
    attainment: "达成率",
    pace: "进度比",
    projection: "预计全年",
    gap: "差额",
    needed: "每工作日需完成",
    rank: "排名",
    alert: "提醒",
    actual: "实际",
    year_to_date: "全年 / 累计",
    statuses: ["绿", "黄", "红"],
    zh: true,
};

impl Words {
    fn status(&self, s: Status) -> &'static str {
        let [green, amber, red] = self.statuses;
        match s {
            Status::Green => green,
            Status::Amber => amber,
            Status::Red => red,
        }
    }

    fn alert_text(&self, kind: AlertKind) -> String {
        match (kind, self.zh) {
            (AlertKind::Reached(p), false) => format!("reached {p} % of the year target"),
            (AlertKind::Reached(p), true) => format!("达成年度目标的 {p}%"),
            (AlertKind::BehindPace, false) => {
                "behind pace: below 90 % of the target to date".into()
            }
            (AlertKind::BehindPace, true) => "落后进度：低于应完成的 90%".into(),
        }
    }

    fn heading(&self, year: i32, as_of: NaiveDate) -> String {
        if self.zh {
            format!("{} {year} 财年，截至 {as_of}", self.title)
        } else {
            format!("{} FY{year} as of {as_of}", self.title)
        }
    }

    fn days_line(&self, book: &ProgressBook) -> String {
        let d = &book.tracked.days;
        let month = ym_label(crate::engine::calendar::ym_of(book.as_of));
        match (d.month, self.zh) {
            (Some((all, done)), false) => format!(
                "{done} of {all} working days of {month} elapsed; {} working days left in the year",
                d.remaining
            ),
            (Some((all, done)), true) => format!(
                "{month} 共 {all} 个工作日，已过 {done} 个；本年度剩余 {} 个工作日",
                d.remaining
            ),
            (None, false) => format!(
                "the as-of date is outside the plan year; {} working days left in the year",
                d.remaining
            ),
            (None, true) => format!(
                "截至日期不在计划年度内；本年度剩余 {} 个工作日",
                d.remaining
            ),
        }
    }
}

/// Formats of one metric's figures: exact sums and pro-rated figures.
struct MetricFormats {
    exact: Figures,
    derived: Figures,
}

impl MetricFormats {
    fn of(m: &PlanMetric, currency: Option<&str>) -> Self {
        let metric = Metric {
            name: m.name.clone(),
            kind: m.kind,
            unit: Decimal::new(1, m.places),
            history_column: None,
            role_weights: Default::default(),
            rules: Rules::default(),
        };
        let derived_places = match m.kind {
            MetricKind::Money => m.places as usize,
            MetricKind::Count => 2,
        };
        MetricFormats {
            exact: Figures::with_places(&metric, m.places as usize, currency),
            derived: Figures::with_places(&metric, derived_places, currency),
        }
    }
}

/// What every sheet is written with: the book, its words and formats.
struct Ctx<'a> {
    book: &'a ProgressBook<'a>,
    w: &'static Words,
    st: Styles,
    amber: Format,
    metrics: Vec<MetricFormats>,
}

/// Renders `progress.xlsx`: Summary (a row per rep and metric, status
/// coloured, ranked), a sheet per metric (reps, team and company rows), Reps
/// (each rep's months: target, actual, attainment) and Alerts.
pub fn progress_xlsx(book: &ProgressBook) -> Result<Vec<u8>, XlsxError> {
    let w = words(book.lang);
    let cx = Ctx {
        book,
        w,
        st: Styles::default(),
        amber: Format::new()
            .set_background_color(Color::RGB(0xFFEB9C))
            .set_font_color(Color::RGB(0x9C5700)),
        metrics: book
            .metrics
            .iter()
            .map(|m| MetricFormats::of(m, book.currency))
            .collect(),
    };
    let mut wb = Workbook::new();
    let mut taken: Vec<String> = [w.summary, w.reps, w.alerts]
        .iter()
        .map(|s| s.to_lowercase())
        .collect();
    summary_sheet(wb.add_worksheet().set_name(w.summary)?, &cx)?;
    for (k, m) in book.metrics.iter().enumerate() {
        let name = sheet_name(&m.name, &mut taken);
        metric_sheet(wb.add_worksheet().set_name(name)?, &cx, k)?;
    }
    reps_sheet(wb.add_worksheet().set_name(w.reps)?, &cx)?;
    alerts_sheet(wb.add_worksheet().set_name(w.alerts)?, &cx)?;
    let title = w.heading(book.year, book.as_of);
    wb.set_properties(&properties(&title, None, book.company)?);
    wb.save_to_buffer()
}

/// The headers of the figure columns shared by the Summary and metric sheets.
fn figure_head(w: &Words) -> Vec<String> {
    [
        w.target_year,
        w.target_to_date,
        w.actual_to_date,
        w.attainment,
        w.pace,
        w.projection,
        w.gap,
        w.needed,
    ]
    .map(String::from)
    .to_vec()
}

/// Writes a row's figures from column `col`, then its status; returns the status column.
fn figures(
    sh: &mut Sheet,
    (row, col): (RowNum, ColNum),
    cx: &Ctx,
    p: &Progress,
    bold: bool,
) -> Result<ColNum, XlsxError> {
    let t = cx.book.texts(p);
    let mf = &cx.metrics[p.metric];
    let pick = |f: &Figures| {
        if bold {
            f.bold.clone()
        } else {
            f.plain.clone()
        }
    };
    let (exact, derived) = (pick(&mf.exact), pick(&mf.derived));
    let pct = &cx.st.pct;
    let cells: [(&str, &Format, &Figures); 8] = [
        (t.target_year.as_str(), &exact, &mf.exact),
        (t.target_to_date.as_str(), &derived, &mf.derived),
        (t.actual_to_date.as_str(), &exact, &mf.exact),
        (t.attainment.as_str(), pct, &mf.derived),
        (t.pace.as_str(), pct, &mf.derived),
        (t.projection.as_str(), &derived, &mf.derived),
        (t.gap.as_str(), &derived, &mf.derived),
        (t.needed.as_str(), &derived, &mf.derived),
    ];
    for (i, (text, f, fig)) in cells.into_iter().enumerate() {
        let Ok(v) = text.parse::<f64>() else { continue };
        sh.number(row, col + i as ColNum, v, fig.width(text), f)?;
    }
    let status_col = col + 8;
    sh.plain_text(row, status_col, cx.w.status(p.status))?;
    Ok(status_col)
}

/// Colours the status column `col` of rows `first..=last` red, amber or green.
fn colour_status(
    ws: &mut Worksheet,
    (first, last): (RowNum, RowNum),
    col: ColNum,
    cx: &Ctx,
) -> Result<(), XlsxError> {
    if last < first {
        return Ok(());
    }
    let [green, amber, red] = cx.w.statuses;
    for (word, f) in [(green, &cx.st.pass), (amber, &cx.amber), (red, &cx.st.fail)] {
        let cf = ConditionalFormatText::new()
            .set_rule(ConditionalFormatTextRule::BeginsWith(word.into()))
            .set_format(f);
        ws.add_conditional_format(first, col, last, col, &cf)?;
    }
    Ok(())
}

/// Summary: the heading, then one row per rep and metric.
fn summary_sheet(ws: &mut Worksheet, cx: &Ctx) -> Result<(), XlsxError> {
    let (book, w, st) = (cx.book, cx.w, &cx.st);
    let l = labels(book.lang);
    let mut sh = Sheet::new(ws);
    sh.ws
        .write_string_with_format(0, 0, w.heading(book.year, book.as_of), &st.title)?;
    sh.ws
        .write_string_with_format(1, 0, w.days_line(book), &st.note)?;
    let mut head: Vec<String> = vec![l.metric.into(), l.team.into(), l.rep_id.into()];
    head.extend(figure_head(w));
    head.push(l.status.into());
    head.push(w.rank.into());
    sh.header(3, &head, &st.header)?;
    let mut row: RowNum = 4;
    for k in 0..book.metrics.len() {
        for p in book.tracked.rows.iter().filter(|p| p.metric == k) {
            let Level::Rep(r) = p.level else { continue };
            sh.plain_text(row, 0, &book.metrics[k].name)?;
            sh.plain_text(row, 1, &p.team)?;
            sh.plain_text(row, 2, &book.reps[r].id)?;
            let status_col = figures(&mut sh, (row, 3), cx, p, false)?;
            if let Some(rank) = p.rank {
                let text = rank.to_string();
                sh.plain_number(row, status_col + 1, rank as f64, text.len())?;
            }
            row += 1;
        }
    }
    let last_col = head.len() as ColNum - 1;
    colour_status(sh.ws, (4, row.saturating_sub(1)), last_col - 1, cx)?;
    sh.ws.autofilter(3, 0, row.max(5) - 1, last_col)?;
    sh.finish(3..=3, 3)
}

/// A metric's sheet: its reps, each team's row after its reps', the company last.
fn metric_sheet(ws: &mut Worksheet, cx: &Ctx, k: usize) -> Result<(), XlsxError> {
    let (book, w, st) = (cx.book, cx.w, &cx.st);
    let l = labels(book.lang);
    let mut sh = Sheet::new(ws);
    let mut head: Vec<String> = vec![l.team.into(), l.rep_id.into()];
    head.extend(figure_head(w));
    head.push(l.status.into());
    sh.header(0, &head, &st.header)?;
    let mut row: RowNum = 1;
    let mut status_col = head.len() as ColNum - 1;
    for p in book.tracked.rows.iter().filter(|p| p.metric == k) {
        let bold = !matches!(p.level, Level::Rep(_));
        let f = if bold { &st.bold } else { &st.text };
        match p.level {
            Level::Rep(r) => {
                sh.text(row, 0, &p.team, f)?;
                sh.text(row, 1, &book.reps[r].id, f)?;
            }
            Level::Team => {
                sh.text(row, 0, &p.team, f)?;
                sh.text(row, 1, l.subtotal, f)?;
            }
            Level::Company => sh.text(row, 0, l.company, f)?,
        }
        status_col = figures(&mut sh, (row, 2), cx, p, bold)?;
        row += 1;
    }
    colour_status(sh.ws, (1, row.saturating_sub(1)), status_col, cx)?;
    sh.finish(0..=0, 2)
}

/// Reps: per rep a block with, per metric, the month targets, the month
/// actuals up to the as-of month and the attainment of each month.
fn reps_sheet(ws: &mut Worksheet, cx: &Ctx) -> Result<(), XlsxError> {
    let (book, w, st) = (cx.book, cx.w, &cx.st);
    let l = labels(book.lang);
    let mut sh = Sheet::new(ws);
    let mut head: Vec<String> = vec![l.metric.into(), String::new()];
    head.extend((0..12).map(|m| ym_label(book.first_ym + m)));
    head.push(w.year_to_date.into());
    let mut row: RowNum = 0;
    for (r, rep) in book.reps.iter().enumerate() {
        let rows: Vec<&Progress> = book
            .tracked
            .rows
            .iter()
            .filter(|p| p.level == Level::Rep(r))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let title = if rep.team.is_empty() {
            rep.id.clone()
        } else {
            format!("{} · {}", rep.id, rep.team)
        };
        sh.ws.write_string_with_format(row, 0, &title, &st.title)?;
        sh.header(row + 1, &head, &st.header)?;
        row += 2;
        for p in rows {
            let m = &book.metrics[p.metric];
            let mf = &cx.metrics[p.metric];
            let actuals: Vec<Option<Decimal>> = p.month_actuals.to_vec();
            let lines: [(&str, Vec<Option<Decimal>>, Decimal); 2] = [
                (
                    l.plan_target,
                    p.month_targets.map(Some).to_vec(),
                    p.target_year,
                ),
                (w.actual, actuals, p.actual_to_date),
            ];
            for (label, values, total) in lines {
                sh.plain_text(row, 0, &m.name)?;
                sh.plain_text(row, 1, label)?;
                for (c, v) in values.iter().chain([&Some(total)]).enumerate() {
                    let Some(v) = v else { continue };
                    let text = exact(*v, m);
                    let value = text.parse().unwrap_or(0.0);
                    let f = if c == 12 {
                        &mf.exact.bold
                    } else {
                        &mf.exact.plain
                    };
                    sh.number(row, 2 + c as ColNum, value, mf.exact.width(&text), f)?;
                }
                row += 1;
            }
            sh.plain_text(row, 0, &m.name)?;
            sh.plain_text(row, 1, w.attainment)?;
            for (c, (a, t)) in p.month_actuals.iter().zip(&p.month_targets).enumerate() {
                let Some(share) = a.and_then(|a| a.checked_div(*t)).and_then(|s| s.to_f64()) else {
                    continue;
                };
                sh.number(row, 2 + c as ColNum, share, 7, &st.pct)?;
            }
            if let Some(att) = p.attainment {
                sh.number(row, 14, att, 7, &st.pct)?;
            }
            row += 1;
        }
        row += 1;
    }
    sh.fit(0, text_width(l.metric));
    sh.lay_out((0, 2)).map(|_| ())
}

/// Alerts: one row per alert, reps in plan order.
fn alerts_sheet(ws: &mut Worksheet, cx: &Ctx) -> Result<(), XlsxError> {
    let (book, w, st) = (cx.book, cx.w, &cx.st);
    let l = labels(book.lang);
    let mut sh = Sheet::new(ws);
    let head: Vec<String> = [
        l.team,
        l.rep_id,
        l.metric,
        w.alert,
        w.attainment,
        w.pace,
        l.status,
    ]
    .map(String::from)
    .to_vec();
    sh.header(0, &head, &st.header)?;
    let mut row: RowNum = 1;
    for a in &book.tracked.alerts {
        let p = &book.tracked.rows[a.row];
        let t = book.texts(p);
        sh.plain_text(row, 0, &p.team)?;
        sh.plain_text(row, 1, &t.rep_id)?;
        sh.plain_text(row, 2, &book.metrics[p.metric].name)?;
        sh.plain_text(row, 3, &w.alert_text(a.kind))?;
        for (c, r) in [(4, p.attainment), (5, p.pace)] {
            if let Some(r) = r {
                sh.number(row, c, r, 7, &st.pct)?;
            }
        }
        sh.plain_text(row, 6, w.status(p.status))?;
        row += 1;
    }
    colour_status(sh.ws, (1, row.saturating_sub(1)), 6, cx)?;
    sh.ws.autofilter(0, 0, row.max(2) - 1, 6)?;
    sh.finish(0..=0, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
