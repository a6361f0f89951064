//! The look shared by every workbook: formats, number formats of figures,
//! a cell writer that sizes its columns, sums with cached values, page setup
//! and fixed workbook properties (same plan, same bytes).

use crate::engine::model::{Metric, MetricKind};
use crate::render::figures::{format_units, places, units_value};
use rust_xlsxwriter::utility::{cell_range, row_col_to_cell};
use rust_xlsxwriter::{
    ColNum, Color, DocProperties, ExcelDateTime, Format, FormatBorder, Formula, RowNum, Workbook,
    Worksheet, XlsxError,
};
use std::ops::RangeInclusive;

/// Formats shared by every sheet.
pub struct Styles {
    pub header: Format,
    /// A header whose lines break where the text has line breaks.
    pub header_lines: Format,
    pub text: Format,
    pub bold: Format,
    pub title: Format,
    pub note: Format,
    pub pct: Format,
    pub decimal: Format,
    pub pass: Format,
    pub fail: Format,
}

impl Default for Styles {
    /// The formats, in the workbooks' colours.
    fn default() -> Self {
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xD9E1F2))
            .set_border_bottom(FormatBorder::Thin);
        Styles {
            header_lines: header.clone().set_text_wrap(),
            header,
            text: Format::new(),
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
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
pub struct Figures {
    pub plain: Format,
    pub bold: Format,
    pub total: Format,
    /// Characters the format adds beside the digits (currency prefix).
    pad: usize,
}

impl Figures {
    /// The formats of a metric's figures, as precise as `plan.csv`.
    pub fn of(metric: &Metric, currency: Option<&str>) -> Self {
        Figures::with_places(metric, places(metric.unit, metric.kind), currency)
    }

    /// The formats of a metric's figures with `places` decimals.
    pub fn with_places(metric: &Metric, places: usize, currency: Option<&str>) -> Self {
        let digits = match places {
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
    pub fn width(&self, text: &str) -> usize {
        let int = text.trim_start_matches('-').split('.').next().unwrap_or("");
        text.len() + int.len().saturating_sub(1) / 3 + self.pad
    }
}

/// The width (as [`Figures::width`]) and value of a figure shown with `fig`,
/// the same as from [`figure`](crate::render::figures::figure)'s text but
/// computed without it when the metric's unit is a power of ten.
pub fn measure(units: i64, metric: &Metric, fig: &Figures) -> (usize, f64) {
    let unit = metric.unit;
    let scale = unit.scale();
    let value = units_value(units, unit);
    if unit.mantissa() == 1 && scale <= 15 && units.unsigned_abs() < 1 << 53 {
        let pow = 10u64.pow(scale);
        let digits = (units.unsigned_abs() / pow)
            .checked_ilog10()
            .map_or(1, |d| d as usize + 1);
        let decimals = match places(unit, metric.kind) {
            0 => 0,
            p => p + 1,
        };
        let len = usize::from(units < 0) + digits + decimals;
        return (len + (digits - 1) / 3 + fig.pad, value);
    }
    (fig.width(&format_units(units, unit, metric.kind)), value)
}

/// A worksheet being written, with the width each column needs.
pub struct Sheet<'a> {
    pub ws: &'a mut Worksheet,
    widths: Vec<usize>,
}

impl<'a> Sheet<'a> {
    /// Starts writing `ws`.
    pub fn new(ws: &'a mut Worksheet) -> Self {
        Sheet {
            ws,
            widths: Vec::new(),
        }
    }

    /// Widens column `col` to at least `width` characters.
    pub fn fit(&mut self, col: ColNum, width: usize) {
        let c = usize::from(col);
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        self.widths[c] = self.widths[c].max(width);
    }

    /// Text, always as text: a leading `=` stays a character.
    pub fn text(&mut self, row: RowNum, col: ColNum, s: &str, f: &Format) -> Result<(), XlsxError> {
        self.ws.write_string_with_format(row, col, s, f)?;
        self.fit(col, text_width(s));
        Ok(())
    }

    /// Text in the default format: the same cell as [`Self::text`] with
    /// `Styles::text`, without looking the format up.
    pub fn plain_text(&mut self, row: RowNum, col: ColNum, s: &str) -> Result<(), XlsxError> {
        self.ws.write_string(row, col, s)?;
        self.fit(col, text_width(s));
        Ok(())
    }

    /// A header row: one text per column from column 0.
    pub fn header(&mut self, row: RowNum, names: &[String], f: &Format) -> Result<(), XlsxError> {
        for (c, name) in names.iter().enumerate() {
            self.text(row, c as ColNum, name, f)?;
        }
        Ok(())
    }

    /// A number, and the width its shown text needs.
    pub fn number(
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

    /// A number in the default format (see [`Self::plain_text`]).
    pub fn plain_number(
        &mut self,
        row: RowNum,
        col: ColNum,
        v: f64,
        width: usize,
    ) -> Result<(), XlsxError> {
        self.ws.write_number(row, col, v)?;
        self.fit(col, width);
        Ok(())
    }

    /// A formula with its value cached, so readers without a calc engine see it.
    pub fn formula(
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

    /// `=SUM` of the cells `first..=last` (a row or a column range), its value cached.
    pub fn sum(
        &mut self,
        (row, col): (RowNum, ColNum),
        first: (RowNum, ColNum),
        last: (RowNum, ColNum),
        result: &str,
        width: usize,
        f: &Format,
    ) -> Result<(), XlsxError> {
        let range = cell_range(first.0, first.1, last.0, last.1);
        self.formula(row, col, &format!("=SUM({range})"), result, width, f)
    }

    /// Column widths from the content, page setup (landscape, one page wide),
    /// and panes frozen above row `row` and left of column `col`.
    pub fn lay_out(self, (row, col): (RowNum, ColNum)) -> Result<&'a mut Worksheet, XlsxError> {
        for (c, w) in self.widths.iter().enumerate() {
            let w = (*w).clamp(6, 50) + 2;
            self.ws.set_column_width(c as ColNum, w as f64)?;
        }
        self.ws.set_freeze_panes(row, col)?;
        self.ws.set_landscape();
        self.ws.set_print_fit_to_pages(1, 0);
        Ok(self.ws)
    }

    /// [`Self::lay_out`] with the header rows frozen and repeated on every printed page.
    pub fn finish(
        self,
        header_rows: RangeInclusive<RowNum>,
        freeze_col: ColNum,
    ) -> Result<(), XlsxError> {
        let (first, last) = header_rows.into_inner();
        self.lay_out((last + 1, freeze_col))?
            .set_repeat_rows(first, last)?;
        Ok(())
    }
}

/// The cells a grand total adds up: team subtotal rows, and blocks of rows
/// (reps without a team) that have no subtotal.
#[derive(Default)]
pub struct Totals {
    parts: Vec<(RowNum, RowNum)>,
}

impl Totals {
    /// Rows `first..=last` count in the grand total (one row for a subtotal).
    pub fn add(&mut self, first: RowNum, last: RowNum) {
        self.parts.push((first, last));
    }

    /// The grand total of column `col`; `None` when there is nothing to add.
    pub fn formula(&self, col: ColNum) -> Option<String> {
        if self.parts.is_empty() {
            return None;
        }
        let refs: Vec<String> = self
            .parts
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    row_col_to_cell(a, col)
                } else {
                    cell_range(a, col, b, col)
                }
            })
            .collect();
        Some(sum_formula(&refs))
    }
}

/// Display width in characters of the longest line: CJK and other wide characters count twice.
pub fn text_width(s: &str) -> usize {
    s.lines()
        .map(|line| {
            line.chars()
                .map(|c| if u32::from(c) >= 0x1100 { 2 } else { 1 })
                .sum()
        })
        .max()
        .unwrap_or(0)
}

/// A name Excel accepts for a sheet, unique (case-insensitively) among `taken`.
pub fn sheet_name(raw: &str, taken: &mut Vec<String>) -> String {
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

/// `=SUM(…)` over cell references, nested when there are more than Excel's 255 arguments.
pub fn sum_formula(refs: &[String]) -> String {
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

/// A new workbook, compressed at zip level 1: several times faster to write
/// than the default level 6, for files some 20 % larger.
pub fn workbook() -> Workbook {
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(1);
    wb
}

/// Above this many reps, sheets with a row per rep are written row by row
/// through temporary files (rust_xlsxwriter's low-memory worksheets), so that
/// memory stays bounded for a large sales organisation. The cells are the
/// same; such sheets lack the optional row `spans` hint and number their
/// shared strings in the order written.
pub const STREAMED_REPS: usize = 1000;

/// True when a panic is rust_xlsxwriter's failure to write a low-memory
/// sheet's temporary file (it panics with this message instead of returning
/// an error).
pub fn is_write_panic(payload: &(dyn std::any::Any + Send)) -> bool {
    const XML_WRITE_ERROR: &str = "Couldn't write to xml file";
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied());
    text.is_some_and(|t| t.contains(XML_WRITE_ERROR))
}

/// A new sheet with a row per rep of `reps`: a low-memory one above [`STREAMED_REPS`].
pub fn rep_sheet(wb: &mut Workbook, reps: usize) -> Result<&mut Worksheet, XlsxError> {
    if reps > STREAMED_REPS {
        wb.add_worksheet_with_low_memory()
    } else {
        Ok(wb.add_worksheet())
    }
}

/// Workbook properties with a fixed creation date: no wall-clock time in the file.
pub fn properties(
    title: &str,
    subject: Option<&str>,
    company: Option<&str>,
) -> Result<DocProperties, XlsxError> {
    let mut props = DocProperties::new()
        .set_title(title)
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    if let Some(subject) = subject {
        props = props.set_subject(subject);
    }
    if let Some(company) = company {
        props = props.set_company(company);
    }
    Ok(props)
}

/// Text for a printed page header or footer: `&` escaped, cut to at most
/// `max` UTF-16 units (Excel's limit on the whole header is 255).
pub fn page_text(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut len = 0;
    for c in s.chars() {
        let (piece, n) = if c == '&' {
            ("&&".to_string(), 2)
        } else {
            (c.to_string(), c.len_utf16())
        };
        if len + n > max {
            break;
        }
        out.push_str(&piece);
        len += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::figures::figure;
    use proptest::prelude::*;

    proptest! {
        /// `measure` gives exactly what the figure's text gives, for any
        /// figure, unit (power of ten or not), kind and currency.
        #[test]
        fn measure_is_the_width_and_value_of_the_text(
            units in prop_oneof![-2000i64..2000, any::<i64>().prop_map(|u| u / 1000), Just(i64::MAX / 100)],
            unit in prop_oneof![
                Just("0.01"), Just("1"), Just("0.1"), Just("0.001"), Just("100"), Just("0.05")
            ],
            money: bool,
            currency in proptest::option::of(Just("CNY")),
        ) {
            let metric = Metric {
                name: "m".into(),
                kind: if money { MetricKind::Money } else { MetricKind::Count },
                unit: unit.parse().unwrap(),
                history_column: None,
                role_weights: Default::default(),
                rules: Default::default(),
            };
            let fig = Figures::of(&metric, currency);
            let (text, value) = figure(units, &metric);
            let (width, fast) = measure(units, &metric, &fig);
            prop_assert_eq!(width, fig.width(&text), "{}", text);
            prop_assert_eq!(fast.to_bits(), value.to_bits(), "{}", text);
        }
    }

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

    #[test]
    fn page_text_escapes_ampersands() {
        assert_eq!(page_text("R&D team", 50), "R&&D team");
        assert_eq!(page_text("abcdef", 3), "abc");
        assert_eq!(page_text("a&b", 2), "a");
        assert_eq!(page_text("😀😀", 3), "😀");
    }
}
