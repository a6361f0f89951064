//! `reps/<rep>.xlsx`, one rep's quota letter (SPEC §3): months, quarters and
//! year of every metric beside last year's months and the growth, a chart,
//! and the rep's ISO weeks; and the letters' safe file names. A pure
//! renderer to bytes with a fixed creation date: same plan, same bytes.

use crate::engine::calendar::ym_label;
use crate::engine::layout::{Line, MONTH0, WEEK0};
use crate::engine::model::{Metric, Rep};
use crate::render::figures::{decimal_value, figure, places};
use crate::render::xlsx::books::Books;
use crate::render::xlsx::labels::{labels, Labels};
use crate::render::xlsx::style::{
    measure, page_text, properties, workbook, Figures, Sheet, Styles,
};
use rust_decimal::Decimal;
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{
    Chart, ChartSolidFill, ChartType, ColNum, Color, Format, RowNum, Worksheet, XlsxError,
};
use std::collections::HashSet;

/// Safe file names (without `.xlsx`) for the reps `planned` (indices into
/// `reps`, in reps-file order): characters that are not allowed in file names
/// become `_`, leading dots and trailing dots and spaces go, `..` cannot
/// occur, reserved Windows names get a `_`, and names that equal an earlier
/// one (ignoring case) get `~2`, `~3` …. A name is at most [`MAX_NAME`]
/// bytes before its `~N`, so that with `.xlsx` it stays within 255 bytes.
pub fn rep_file_names(reps: &[Rep], planned: &[usize]) -> Vec<String> {
    let mut taken = HashSet::new();
    planned
        .iter()
        .map(|&r| {
            let base = safe_name(&reps[r].id);
            let mut name = base.clone();
            let mut n = 1;
            while !taken.insert(name.to_lowercase()) {
                n += 1;
                name = format!("{base}~{n}");
            }
            name
        })
        .collect()
}

/// Longest name kept from an id, in bytes (cut at a character boundary).
const MAX_NAME: usize = 200;

/// An id as a file name that is safe on every system.
fn safe_name(id: &str) -> String {
    let mut s = String::new();
    for c in id.chars() {
        let c = if r#"/\:*?"<>|"#.contains(c) || c.is_control() {
            '_'
        } else {
            c
        };
        if s.len() + c.len_utf8() > MAX_NAME {
            break;
        }
        if !(c == '.' && s.ends_with('.')) {
            s.push(c);
        }
    }
    let s = s.trim_start_matches('.').trim_end_matches(['.', ' ']);
    if s.is_empty() {
        return "_".into();
    }
    let stem_len = s.find('.').unwrap_or(s.len());
    let stem = s[..stem_len].trim_end().to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && matches!(stem.as_bytes()[3], b'1'..=b'9'));
    if reserved {
        format!("{}_{}", &s[..stem_len], &s[stem_len..])
    } else {
        s.to_string()
    }
}

/// Renders rep `r`'s workbook (`r` indexes the input reps; the rep has a plan).
pub fn rep_xlsx(books: &Books, r: usize) -> Result<Vec<u8>, XlsxError> {
    let book = books.book;
    let l = labels(book.lang);
    let st = &books.styles;
    let rep = &book.input.reps[r];
    let year = book.plan.year;
    let mut wb = workbook();
    let header = format!(
        "&L{} {}&C{}&R{} {year}",
        page_text(&rep.id, 40),
        page_text(&rep.name, 40),
        page_text(book.company.unwrap_or(""), 60),
        l.letter,
    );
    let footer = format!("&L{}&R{}", page_text(&rep.team, 60), l.page);
    let plan = wb.add_worksheet().set_name(l.plan_sheet)?;
    plan.set_header(&header).set_footer(&footer);
    plan_sheet(plan, books, r, l, st)?;
    let weeks = wb.add_worksheet().set_name(l.weeks_sheet)?;
    weeks.set_header(&header).set_footer(&footer);
    rep_weeks_sheet(weeks, books, r, l, st)?;
    let title = format!("{} {year}", l.letter);
    let subject = format!("{} {}", rep.id, rep.name);
    wb.set_properties(&properties(&title, Some(&subject), book.company)?);
    wb.save_to_buffer()
}

/// Rep `r`'s sales of `metric` in each month of last year (fiscal order);
/// `None` for a month the history does not cover, or every month of a
/// metric without history: shown empty, never as 0.
fn last_year(books: &Books, r: usize, metric: &Metric) -> [Option<Decimal>; 12] {
    let history = &books.book.input.history;
    let first = books.book.plan.calendar.first_ym - 12;
    let uncovered = history.uncovered(first..first + 12);
    std::array::from_fn(|m| {
        let ym = first + m as i32;
        let column = metric.history_column?;
        (!uncovered.contains(&ym)).then(|| {
            history
                .by_rep
                .get(&(r, ym))
                .map_or(Decimal::ZERO, |s| s.value(column))
        })
    })
}

/// The footnote of a letter's "n/a" growths for `metric`: the months of
/// last year without history, or that the metric has none.
fn last_year_note(books: &Books, metric: &Metric, l: &Labels) -> Option<String> {
    let history = &books.book.input.history;
    let first = books.book.plan.calendar.first_ym - 12;
    if metric.history_column.is_none() {
        return Some(l.no_history.replace("{metric}", &metric.name));
    }
    let missing = history.uncovered(first..first + 12);
    let months: Vec<String> = missing.into_iter().map(ym_label).collect();
    (!months.is_empty()).then(|| {
        l.months_without_history
            .replace("{months}", &months.join(", "))
    })
}

/// A metric's 17 rows on the letter at `(first, c)`: target, last year and
/// growth per month, quarter and year. A period with a month of last year
/// without history shows the growth as "n/a"; a period with none, no last year.
fn metric_rows(
    sh: &mut Sheet,
    books: &Books,
    (i, line): (usize, &Line),
    last_year: &[Option<Decimal>; 12],
    (first, c): (RowNum, ColNum),
    l: &Labels,
) -> Result<(), XlsxError> {
    let book = books.book;
    let st = &books.styles;
    let metric = &book.input.metrics[book.lines[i].metric];
    let ly_places = last_year
        .iter()
        .flatten()
        .map(|d| d.normalize().scale() as usize)
        .fold(places(metric.unit, metric.kind), usize::max);
    let fig = &books.figures[i];
    let own;
    let ly_fig = if ly_places == places(metric.unit, metric.kind) {
        fig
    } else {
        own = Figures::with_places(metric, ly_places, book.currency);
        &own
    };
    for (k, label) in period_rows(&book.periods.labels).iter().enumerate() {
        let row = first + k as RowNum;
        let (months, f, lf) = match k {
            0..12 => (k..k + 1, &fig.plain, &ly_fig.plain),
            12..16 => (3 * (k - 12)..3 * (k - 12) + 3, &fig.bold, &ly_fig.bold),
            _ => (0..12, &fig.total, &ly_fig.total),
        };
        if k < 12 {
            sh.plain_text(row, 0, label)?;
        } else {
            sh.text(row, 0, label, &st.bold)?;
        }
        let units: i64 = months.clone().map(|m| line.values[MONTH0 + m]).sum();
        let covered: Vec<Decimal> = months.clone().filter_map(|m| last_year[m]).collect();
        let ly: Decimal = covered.iter().sum();
        let (text, value) = figure(units, metric);
        let ly_text = ly.to_string();
        let ly_value = decimal_value(ly);
        let (a, z) = (
            first + months.start as RowNum,
            first + months.end as RowNum - 1,
        );
        if k < 12 {
            sh.number(row, c, value, fig.width(&text), f)?;
        } else {
            sh.sum((row, c), (a, c), (z, c), &text, fig.width(&text), f)?;
        }
        if covered.is_empty() {
            sh.ws.write_blank(row, c + 1, lf)?;
        } else if k < 12 {
            sh.number(row, c + 1, ly_value, ly_fig.width(&ly_text), lf)?;
        } else {
            let ly_width = ly_fig.width(&ly_text);
            sh.sum((row, c + 1), (a, c + 1), (z, c + 1), &ly_text, ly_width, lf)?;
        }
        if covered.len() < months.len() {
            sh.text(row, c + 2, l.not_available, &st.text)?;
            continue;
        }
        let (t, y) = (row_col_to_cell(row, c), row_col_to_cell(row, c + 1));
        let growth = if ly.is_zero() {
            String::new()
        } else {
            (value / ly_value - 1.0).to_string()
        };
        let formula = format!("=IF({y}=0,\"\",{t}/{y}-1)");
        sh.formula(row, c + 2, &formula, &growth, 8, &st.pct)?;
    }
    Ok(())
}

/// A header text across columns `first..=last`, merged when they are more than one.
fn span(
    ws: &mut Worksheet,
    row: RowNum,
    (first, last): (ColNum, ColNum),
    text: &str,
    f: &Format,
) -> Result<(), XlsxError> {
    if first == last {
        ws.write_string_with_format(row, first, text, f)?;
    } else {
        ws.merge_range(row, first, row, last, text, f)?;
    }
    Ok(())
}

/// `Plan`: who and which year, then per metric the months, quarters and
/// year against last year's same months, with the growth; a chart per metric.
fn plan_sheet(
    ws: &mut Worksheet,
    books: &Books,
    r: usize,
    l: &Labels,
    st: &Styles,
) -> Result<(), XlsxError> {
    let book = books.book;
    let input = book.input;
    let metrics: Vec<(usize, &Line)> = books.lines_of(r).collect();
    let mut sh = Sheet::new(ws);
    // A growth with no last year to compare to is an empty string, cached as such.
    sh.ws.set_formula_result_default("");
    sh.ws
        .write_string_with_format(0, 0, format!("{} {}", l.letter, book.plan.year), &st.title)?;
    let row = about_rows(&mut sh, books, r, &metrics, l, st)?;
    let head = row + 1;
    let sub = head + 1;
    let first = sub + 1;
    sh.ws.write_blank(head, 0, &st.header)?;
    sh.text(sub, 0, l.period, &st.header)?;
    let mut charts = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for (b, (i, line)) in metrics.iter().enumerate() {
        let metric = &input.metrics[book.lines[*i].metric];
        let c = 1 + 3 * b as ColNum;
        span(sh.ws, head, (c, c + 2), &metric.name, &st.header)?;
        for (k, name) in [l.plan_target, l.last_year, l.growth].iter().enumerate() {
            sh.text(sub, c + k as ColNum, name, &st.header)?;
        }
        let last_year = last_year(books, r, metric);
        notes.extend(last_year_note(books, metric, l).filter(|n| !notes.contains(n)));
        metric_rows(&mut sh, books, (*i, line), &last_year, (first, c), l)?;
        charts.push(month_chart(l, &metric.name, (sub, c), first));
    }
    if !notes.is_empty() {
        sh.plain_text(first + 17, 0, &notes.join("; "))?;
    }
    place_charts(sh.ws, &charts, first + 18)?;
    sh.lay_out((sub + 1, 1))?;
    Ok(())
}

/// The letter's rows from row 2 saying who, which year and which metrics;
/// returns the row after them.
fn about_rows(
    sh: &mut Sheet,
    books: &Books,
    r: usize,
    metrics: &[(usize, &Line)],
    l: &Labels,
    st: &Styles,
) -> Result<RowNum, XlsxError> {
    let book = books.book;
    let input = book.input;
    let rep = &input.reps[r];
    let labels_of = &book.periods.labels;
    let names: Vec<&str> = metrics
        .iter()
        .map(|(i, _)| input.metrics[book.lines[*i].metric].name.as_str())
        .collect();
    let fiscal = format!(
        "{} ({} – {})",
        book.plan.year,
        labels_of[MONTH0],
        labels_of[MONTH0 + 11]
    );
    let names_joined = names.join(", ");
    let mut about: Vec<(&str, &str)> = vec![
        (l.rep_id, &rep.id),
        (l.name, &rep.name),
        (l.team, &rep.team),
        (l.manager, &rep.manager),
        (l.fiscal_year, &fiscal),
    ];
    if let Some(company) = book.company {
        about.push((l.company, company));
    }
    about.push((l.metrics, &names_joined));
    let mut row: RowNum = 2;
    for (key, value) in &about {
        sh.text(row, 0, key, &st.bold)?;
        sh.ws.write_string(row, 1, *value)?;
        row += 1;
    }
    Ok(row)
}

/// The charts on the pages after the letter from row `top`, two side by
/// side, two rows a page.
fn place_charts(ws: &mut Worksheet, charts: &[Chart], top: RowNum) -> Result<(), XlsxError> {
    let breaks: Vec<RowNum> = (0..charts.len().div_ceil(4))
        .map(|p| top + (p * 2 * CHART_ROWS) as RowNum)
        .collect();
    for (k, chart) in charts.iter().enumerate() {
        let row = top + ((k / 2) * CHART_ROWS) as RowNum;
        let x = (k % 2) as u32 * (CHART_WIDTH + 16);
        ws.insert_chart_with_offset(row, 0, chart, x, 8)?;
    }
    ws.set_page_breaks(&breaks)?;
    Ok(())
}

/// Chart size in pixels, and the rows a chart takes with its margin.
const CHART_WIDTH: u32 = 480;
const CHART_HEIGHT: u32 = 288;
const CHART_ROWS: usize = 16;

/// Row labels of the Plan sheet: 12 months, 4 quarters, the year.
fn period_rows(labels: &[String]) -> Vec<&str> {
    let mut rows: Vec<&str> = (0..12).map(|m| labels[MONTH0 + m].as_str()).collect();
    rows.extend((1..=4).map(|q| labels[q].as_str()));
    rows.push(&labels[0]);
    rows
}

/// A column chart of a metric's month targets against last year's months.
fn month_chart(l: &Labels, metric: &str, (sub, c): (RowNum, ColNum), first: RowNum) -> Chart {
    let sheet = l.plan_sheet;
    let last = first + 11;
    let mut chart = Chart::new(ChartType::Column);
    for (k, color) in [(0, 0x4472C4), (1, 0xA5A5A5)] {
        chart
            .add_series()
            .set_name((sheet, sub, c + k))
            .set_categories((sheet, first, 0, last, 0))
            .set_values((sheet, first, c + k, last, c + k))
            .set_format(ChartSolidFill::new().set_color(Color::RGB(color)));
    }
    chart
        .title()
        .set_name(&format!("{}: {}", metric.replace('!', ""), l.chart));
    chart.set_width(CHART_WIDTH).set_height(CHART_HEIGHT);
    chart
}

/// `Weeks`: the rep's ISO weeks with their dates, a column per metric, a total.
fn rep_weeks_sheet(
    ws: &mut Worksheet,
    books: &Books,
    r: usize,
    l: &Labels,
    st: &Styles,
) -> Result<(), XlsxError> {
    let book = books.book;
    let cal = &book.plan.calendar;
    let metrics: Vec<(usize, &Line)> = books.lines_of(r).collect();
    let mut sh = Sheet::new(ws);
    let mut head: Vec<String> = vec![l.week.into(), l.dates.into()];
    let mut figs = Vec::new();
    for (i, _) in &metrics {
        let metric = &book.input.metrics[book.lines[*i].metric];
        head.push(metric.name.clone());
        figs.push((metric, &books.figures[*i]));
    }
    sh.header(0, &head, &st.header)?;
    for (w, week) in cal.weeks.iter().enumerate() {
        let row = 1 + w as RowNum;
        sh.plain_text(row, 0, &week.label)?;
        let dates = format!("{} – {}", week.first, week.last);
        sh.plain_text(row, 1, &dates)?;
        for (k, ((_, line), (metric, fig))) in metrics.iter().zip(&figs).enumerate() {
            let (width, value) = measure(line.values[WEEK0 + w], metric, fig);
            sh.number(row, 2 + k as ColNum, value, width, &fig.plain)?;
        }
    }
    let last = cal.weeks.len() as RowNum;
    let total = last + 1;
    sh.text(total, 0, l.total, &st.bold)?;
    for (k, ((_, line), (metric, fig))) in metrics.iter().zip(&figs).enumerate() {
        let col = 2 + k as ColNum;
        let (text, _) = figure(line.values[0], metric);
        sh.sum(
            (total, col),
            (1, col),
            (last, col),
            &text,
            fig.width(&text),
            &fig.total,
        )?;
    }
    sh.ws.autofilter(0, 0, last, 1 + metrics.len() as ColNum)?;
    sh.finish(0..=0, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reps(ids: &[&str]) -> Vec<Rep> {
        ids.iter()
            .map(|id| Rep {
                id: id.to_string(),
                key: id.to_lowercase(),
                name: String::new(),
                email: String::new(),
                team: String::new(),
                team_key: String::new(),
                manager: String::new(),
                capability: Decimal::ONE,
                role: String::new(),
                start: None,
                end: None,
                fte: Decimal::ONE,
                origin: Default::default(),
            })
            .collect()
    }

    #[test]
    fn file_names_are_safe() {
        let cases = [
            ("R0001", "R0001"),
            ("../x", "_x"),
            ("a/b", "a_b"),
            ("a\\b:c*d?e\"f<g>h|i", "a_b_c_d_e_f_g_h_i"),
            ("tab\there", "tab_here"),
            (".hidden", "hidden"),
            ("..", "_"),
            ("a..b", "a.b"),
            ("end. . ", "end"),
            ("", "_"),
            ("CON", "CON_"),
            ("con.txt", "con_.txt"),
            ("Lpt9", "Lpt9_"),
            ("COM0", "COM0"),
            ("CONSOLE", "CONSOLE"),
            ("销售一部/张三", "销售一部_张三"),
        ];
        for (id, want) in cases {
            let reps = reps(&[id]);
            assert_eq!(rep_file_names(&reps, &[0]), [want], "{id:?}");
        }
        let long = "x".repeat(300);
        let name = &rep_file_names(&reps(&[&long]), &[0])[0];
        assert_eq!(name.len(), MAX_NAME);
    }

    #[test]
    fn long_cjk_ids_are_cut_in_bytes_and_stay_unique() {
        let ids: Vec<String> = (0..12).map(|i| format!("{}{i}", "销".repeat(90))).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let names = rep_file_names(&reps(&refs), &(0..12).collect::<Vec<_>>());
        let unique: HashSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(unique.len(), 12);
        for n in &names {
            assert!(n.len() + ".xlsx".len() <= 255, "{} bytes", n.len());
        }
        assert_eq!(names[0], "销".repeat(66));
        assert_eq!(names[1], format!("{}~2", "销".repeat(66)));
    }

    #[test]
    fn file_names_are_unique_in_reps_file_order() {
        let reps = reps(&["a/b", "a_b", "A_B", "a_b~2", "x", "..", "/"]);
        let names = rep_file_names(&reps, &[0, 1, 2, 3, 5, 6]);
        assert_eq!(names, ["a_b", "a_b~2", "A_B~3", "a_b~2~2", "_", "_~2"]);
    }
}
