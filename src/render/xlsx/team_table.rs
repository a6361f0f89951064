//! The table the plan and period workbooks share: reps as rows grouped by
//! team, a subtotal row after each team, a grand total row; every sum a
//! formula with its value cached.

use crate::engine::model::{Metric, Rep};
use crate::render::figures::figure;
use crate::render::xlsx::labels::Labels;
use crate::render::xlsx::style::{measure, Figures, Sheet, Styles, Totals};
use rust_xlsxwriter::{ColNum, RowNum, XlsxError};

/// Columns before the figures: team, rep id, name.
pub const FIRST_FIGURE_COL: ColNum = 3;

/// A figure column: its metric and number formats.
pub struct TableCol<'a> {
    pub metric: &'a Metric,
    pub fig: &'a Figures,
    /// On a rep row the cell sums these columns of its row instead of holding a number.
    pub across: Option<(ColNum, ColNum)>,
}

/// A rep's row: its labels and its units per figure column (`None`: no plan, an empty cell).
pub struct TableRow<'a> {
    pub team: &'a str,
    /// The team key; empty for reps without a team, who get no subtotal.
    pub team_key: &'a str,
    pub rep_id: &'a str,
    pub name: &'a str,
    pub units: Vec<Option<i64>>,
}

impl<'a> TableRow<'a> {
    /// A rep's row with the given units.
    pub fn of(rep: &'a Rep, units: Vec<Option<i64>>) -> Self {
        TableRow {
            team: &rep.team,
            team_key: &rep.team_key,
            rep_id: &rep.id,
            name: &rep.name,
            units,
        }
    }
}

/// Writes `rows` (grouped by team, teams together) from row `top`, each team
/// closed by its subtotal row, then the grand total row. Returns the grand total's row.
pub fn team_table(
    sh: &mut Sheet,
    top: RowNum,
    rows: &[TableRow],
    cols: &[TableCol],
    l: &Labels,
    st: &Styles,
) -> Result<RowNum, XlsxError> {
    let mut row = top;
    let mut totals = Totals::default();
    for block in rows.chunk_by(|a, b| a.team_key == b.team_key) {
        let first = row;
        let last = first + block.len() as RowNum - 1;
        let team = !block[0].team_key.is_empty();
        // Grouped before its rows are written: a low-memory sheet has
        // written a row away once the next one starts.
        if team {
            sh.ws.group_rows(first, last)?;
        }
        for r in block {
            rep_row(sh, row, r, cols)?;
            row += 1;
        }
        if !team {
            totals.add(first, last);
            continue;
        }
        sh.text(row, 0, block[0].team, &st.bold)?;
        sh.text(row, 2, l.subtotal, &st.bold)?;
        for (k, c) in cols.iter().enumerate() {
            let col = FIRST_FIGURE_COL + k as ColNum;
            let (text, _) = figure(sum_of(block, k), c.metric);
            let width = c.fig.width(&text);
            sh.sum(
                (row, col),
                (first, col),
                (last, col),
                &text,
                width,
                &c.fig.bold,
            )?;
        }
        totals.add(row, row);
        row += 1;
    }
    sh.text(row, 0, l.total, &st.bold)?;
    for (k, c) in cols.iter().enumerate() {
        let col = FIRST_FIGURE_COL + k as ColNum;
        let (text, value) = figure(sum_of(rows, k), c.metric);
        let width = c.fig.width(&text);
        match totals.formula(col) {
            Some(f) => sh.formula(row, col, &f, &text, width, &c.fig.total)?,
            None => sh.number(row, col, value, width, &c.fig.total)?,
        }
    }
    Ok(row)
}

/// A sheet that is one team table under the header in row 0: the table from
/// row 1, an autofilter over the header and the rows above the grand total,
/// and the header frozen and repeated on every printed page.
pub fn team_sheet(
    mut sh: Sheet,
    rows: &[TableRow],
    cols: &[TableCol],
    l: &Labels,
    st: &Styles,
) -> Result<(), XlsxError> {
    let total = team_table(&mut sh, 1, rows, cols, l, st)?;
    let last_col = FIRST_FIGURE_COL + cols.len() as ColNum - 1;
    sh.ws
        .autofilter(0, 0, total.saturating_sub(1).max(1), last_col)?;
    sh.finish(0..=0, FIRST_FIGURE_COL)
}

/// The units of figure column `k` over some rows.
fn sum_of(rows: &[TableRow], k: usize) -> i64 {
    rows.iter().filter_map(|r| r.units[k]).sum()
}

/// One rep's row: labels as text, figures as numbers or cached row sums.
fn rep_row(sh: &mut Sheet, row: RowNum, r: &TableRow, cols: &[TableCol]) -> Result<(), XlsxError> {
    sh.plain_text(row, 0, r.team)?;
    sh.plain_text(row, 1, r.rep_id)?;
    sh.plain_text(row, 2, r.name)?;
    for (k, (c, units)) in cols.iter().zip(&r.units).enumerate() {
        let Some(units) = *units else { continue };
        let col = FIRST_FIGURE_COL + k as ColNum;
        match c.across {
            Some((a, b)) => {
                let (text, _) = figure(units, c.metric);
                let width = c.fig.width(&text);
                sh.sum((row, col), (row, a), (row, b), &text, width, &c.fig.plain)?
            }
            None => {
                let (width, value) = measure(units, c.metric, c.fig);
                sh.number(row, col, value, width, &c.fig.plain)?
            }
        }
    }
    Ok(())
}
