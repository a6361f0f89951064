//! `progress.xlsx`: Summary, a sheet per metric, Reps and Alerts.

use super::words::{words, Words};
use super::{derived_places, derived_value, exact, exact_value, ProgressBook};
use crate::engine::calendar::ym_label;
use crate::engine::model::{Metric, Rules};
use crate::engine::track::{Level, Progress};
use crate::folder::plan_csv::PlanMetric;
use crate::render::figures::decimal_value;
use crate::render::xlsx::labels::labels;
use crate::render::xlsx::style::{properties, sheet_name, text_width, Figures, Sheet, Styles};
use num_traits::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    ColNum, Color, ConditionalFormatText, ConditionalFormatTextRule, Format, RowNum, Workbook,
    Worksheet, XlsxError,
};

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
        MetricFormats {
            exact: Figures::with_places(&metric, m.places as usize, currency),
            derived: Figures::with_places(&metric, derived_places(m) as usize, currency),
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
    let m = &cx.book.metrics[p.metric];
    let exact_v = |v| Some(decimal_value(exact_value(v, m)));
    let derived_v = |v| decimal_value(derived_value(v, m));
    // A ratio's cell holds the four decimals its text shows.
    let ratio_v = |s: &str| s.parse::<f64>().ok();
    let cells: [(&str, Option<f64>, &Format, &Figures); 8] = [
        (&t.target_year, exact_v(p.target_year), &exact, &mf.exact),
        (
            &t.target_to_date,
            Some(derived_v(p.target_to_date)),
            &derived,
            &mf.derived,
        ),
        (
            &t.actual_to_date,
            exact_v(p.actual_to_date),
            &exact,
            &mf.exact,
        ),
        (&t.attainment, ratio_v(&t.attainment), pct, &mf.derived),
        (&t.pace, ratio_v(&t.pace), pct, &mf.derived),
        (
            &t.projection,
            Some(derived_v(p.projection)),
            &derived,
            &mf.derived,
        ),
        (&t.gap, Some(derived_v(p.gap)), &derived, &mf.derived),
        (
            &t.needed,
            p.needed_per_workday.map(derived_v),
            &derived,
            &mf.derived,
        ),
    ];
    for (i, (text, value, f, fig)) in cells.into_iter().enumerate() {
        let Some(v) = value else { continue };
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
                    let value = decimal_value(exact_value(*v, m));
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
