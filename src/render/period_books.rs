//! `periods/<period>.xlsx`, the workbook of a quarter or a month (SPEC §3):
//! every rep's targets for the period, by team, and per metric the period's
//! weeks cut to the days inside it. A pure renderer to bytes with a fixed
//! creation date: same plan, same bytes.

use crate::engine::calendar::{ym_first_day, YearCalendar};
use crate::engine::layout::{day_values, Line, MONTH0};
use crate::engine::model::Rep;
use crate::render::xlsx::books::Books;
use crate::render::xlsx::labels::{labels, Labels};
use crate::render::xlsx::style::{
    page_text, properties, rep_sheet, sheet_name, workbook, Figures, Sheet, Styles,
};
use crate::render::xlsx::team_table::{team_sheet, TableCol, TableRow, FIRST_FIGURE_COL};
use chrono::{Days, NaiveDate};
use rust_xlsxwriter::{ColNum, Worksheet, XlsxError};
use std::ops::Range;

/// A period with a workbook of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodBook {
    /// A fiscal quarter, 0–3.
    Quarter(usize),
    /// A fiscal month, 0–11.
    Month(usize),
}

impl PeriodBook {
    /// The period's index in [`Line::values`] and in the period labels.
    pub fn column(self) -> usize {
        match self {
            PeriodBook::Quarter(q) => 1 + q,
            PeriodBook::Month(m) => MONTH0 + m,
        }
    }

    /// The fiscal months (0–11) of the period.
    fn months(self) -> Range<usize> {
        match self {
            PeriodBook::Quarter(q) => 3 * q..3 * q + 3,
            PeriodBook::Month(m) => m..m + 1,
        }
    }
}

/// A week of a period: its index in the year's weeks and its days inside the period.
struct Cut {
    week: usize,
    first: NaiveDate,
    last: NaiveDate,
}

/// The weeks overlapping months `months` of the plan year, cut to them.
fn cuts(cal: &YearCalendar, months: &Range<usize>) -> Vec<Cut> {
    let start = ym_first_day(cal.first_ym + months.start as i32);
    let end = ym_first_day(cal.first_ym + months.end as i32) - Days::new(1);
    cal.weeks
        .iter()
        .enumerate()
        .filter(|(_, w)| w.last >= start && w.first <= end)
        .map(|(week, w)| Cut {
            week,
            first: w.first.max(start),
            last: w.last.min(end),
        })
        .collect()
}

/// A rep's units in each cut week: its day values on the days inside the period.
fn cut_units(
    cal: &YearCalendar,
    rep: &Rep,
    line: &Line,
    period: PeriodBook,
    cuts: &[Cut],
) -> Vec<i64> {
    let mut out = vec![0; cuts.len()];
    let first = cuts.first().map_or(0, |c| c.week);
    for m in period.months() {
        for (day, v) in day_values(cal, rep, m, line.values[MONTH0 + m]) {
            out[cal.week_of(day) - first] += v;
        }
    }
    out
}

/// Renders the workbook of one quarter or month: `Targets`, then a weeks sheet per metric.
pub fn period_xlsx(books: &Books, period: PeriodBook) -> Result<Vec<u8>, XlsxError> {
    let book = books.book;
    let l = labels(book.lang);
    let st = &books.styles;
    let label = &book.periods.labels[period.column()];
    let mut wb = workbook();
    let title = format!("{} {label}", l.letter);
    let header = |what: &str| {
        format!(
            "&L{}&C{}&R{}",
            page_text(book.company.unwrap_or(""), 60),
            page_text(what, 80),
            l.page
        )
    };
    let figs = &books.figures;
    let reps = book.input.reps.len();
    let targets = rep_sheet(&mut wb, reps)?.set_name(l.targets_sheet)?;
    targets.set_header(header(&title));
    targets_sheet(targets, books, period, figs, l, st)?;
    let mut taken = vec![l.targets_sheet.to_lowercase()];
    for (i, fig) in figs.iter().enumerate() {
        let metric = &book.input.metrics[book.lines[i].metric].name;
        let name = sheet_name(&format!("{} {metric}", l.weeks_sheet), &mut taken);
        let ws = rep_sheet(&mut wb, reps)?.set_name(name)?;
        ws.set_header(header(&format!("{title} · {metric}")));
        period_weeks_sheet(ws, books, period, i, fig, l, st)?;
    }
    wb.set_properties(&properties(&title, Some(label), book.company)?);
    wb.save_to_buffer()
}

/// `Targets`: reps × metrics for the period, by team with subtotals and a total.
fn targets_sheet(
    ws: &mut Worksheet,
    books: &Books,
    period: PeriodBook,
    figs: &[Figures],
    l: &Labels,
    st: &Styles,
) -> Result<(), XlsxError> {
    let book = books.book;
    let input = book.input;
    let mut sh = Sheet::new(ws);
    let mut head: Vec<String> = vec![l.team.into(), l.rep_id.into(), l.name.into()];
    head.extend(
        book.lines
            .iter()
            .map(|ml| input.metrics[ml.metric].name.clone()),
    );
    sh.header(0, &head, &st.header)?;
    let cols: Vec<TableCol> = book
        .lines
        .iter()
        .zip(figs)
        .map(|(ml, fig)| TableCol {
            metric: &input.metrics[ml.metric],
            fig,
            across: None,
        })
        .collect();
    let rows: Vec<TableRow> = books
        .grouped
        .iter()
        .map(|&r| {
            let units = books
                .by_rep
                .iter()
                .map(|of| of[r].map(|line| line.values[period.column()]))
                .collect();
            TableRow::of(&input.reps[r], units)
        })
        .collect();
    team_sheet(sh, &rows, &cols, l, st)
}

/// `Weeks <metric>`: the period's weeks cut to its days (headed by the week
/// and, on a second line, the dates of its days inside the period), then the
/// period's total, the sum of the cut weeks; the reps with a plan in the
/// metric (`books.lines[i]`) by team, with subtotals and a total.
fn period_weeks_sheet(
    ws: &mut Worksheet,
    books: &Books,
    period: PeriodBook,
    i: usize,
    fig: &Figures,
    l: &Labels,
    st: &Styles,
) -> Result<(), XlsxError> {
    let book = books.book;
    let input = book.input;
    let metric = &input.metrics[book.lines[i].metric];
    let cal = &book.plan.calendar;
    let cuts = cuts(cal, &period.months());
    let mut sh = Sheet::new(ws);
    let mut head: Vec<String> = vec![l.team.into(), l.rep_id.into(), l.name.into()];
    head.extend(cuts.iter().map(|cut| {
        format!(
            "{}\n({} – {})",
            cal.weeks[cut.week].label,
            cut.first.format("%m-%d"),
            cut.last.format("%m-%d")
        )
    }));
    head.push(book.periods.labels[period.column()].clone());
    sh.header(0, &head, &st.header_lines)?;
    sh.ws.set_row_height(0, 30)?;
    let week_cols = (
        FIRST_FIGURE_COL,
        FIRST_FIGURE_COL + cuts.len() as ColNum - 1,
    );
    let mut cols: Vec<TableCol> = cuts
        .iter()
        .map(|_| TableCol {
            metric,
            fig,
            across: None,
        })
        .collect();
    cols.push(TableCol {
        metric,
        fig,
        across: Some(week_cols),
    });
    let rows: Vec<TableRow> = books
        .grouped
        .iter()
        .filter_map(|&r| {
            let line = books.by_rep[i][r]?;
            let rep = &input.reps[r];
            let mut units: Vec<Option<i64>> = cut_units(cal, rep, line, period, &cuts)
                .into_iter()
                .map(Some)
                .collect();
            units.push(Some(line.values[period.column()]));
            Some(TableRow::of(rep, units))
        })
        .collect();
    team_sheet(sh, &rows, &cols, l, st)
}
