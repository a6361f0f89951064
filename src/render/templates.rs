//! `plan init`: a commented plan file and template workbooks with the expected
//! headers, example rows and data validation, on which `plan split` runs at once.

use rust_xlsxwriter::{
    DataValidation, DataValidationRule, ExcelDateTime, Format, Workbook, XlsxError,
};

/// One template cell.
enum Value {
    Text(&'static str),
    Number(f64),
    Date(i32, u32, u32),
    Empty,
}

/// How a column is checked when a user types into it.
enum Check {
    None,
    List(&'static [&'static str]),
    Date,
    NonNegative,
    Fraction,
}

/// A template table: sheet name, headers with their checks, example rows.
struct Template {
    file: &'static str,
    sheet: &'static str,
    columns: Vec<(&'static str, Check)>,
    rows: Vec<Vec<Value>>,
}

/// The files of an initialised folder: (name, bytes).
pub fn files(zh: bool) -> Result<Vec<(String, Vec<u8>)>, XlsxError> {
    let mut out = vec![("plan.toml".to_string(), plan_toml(zh).into_bytes())];
    for t in templates(zh) {
        out.push((t.file.to_string(), workbook(&t)?));
    }
    Ok(out)
}

fn pick(zh: bool, en: &'static str, cn: &'static str) -> &'static str {
    if zh {
        cn
    } else {
        en
    }
}

/// The four template tables, in Chinese when `zh`.
fn templates(zh: bool) -> Vec<Template> {
    vec![targets(zh), reps(zh), history(zh), holidays(zh)]
}

/// `targets.xlsx`: a year target or a growth per team and metric.
fn targets(zh: bool) -> Template {
    use Value::*;
    let p = |en, cn| pick(zh, en, cn);
    let (north, south) = (p("North", "华东"), p("South", "华南"));
    let revenue = p("revenue", "销售额");
    Template {
        file: "targets.xlsx",
        sheet: p("Targets", "目标"),
        columns: vec![
            (p("scope", "团队"), Check::None),
            (
                p("metric", "指标"),
                Check::List(if zh {
                    &["销售额", "new_customers"]
                } else {
                    &["revenue", "new_customers"]
                }),
            ),
            (p("period", "期间"), Check::None),
            (p("amount", "目标"), Check::NonNegative),
            (p("growth", "增长率"), Check::None),
        ],
        rows: vec![
            vec![
                Text(north),
                Text(revenue),
                Text("2027"),
                Number(1_500_000.0),
                Empty,
            ],
            vec![Text(south), Text(revenue), Text("2027"), Empty, Text("10%")],
            vec![
                Text(north),
                Text("new_customers"),
                Text("2027"),
                Number(60.0),
                Empty,
            ],
            vec![
                Text(south),
                Text("new_customers"),
                Text("2027"),
                Number(40.0),
                Empty,
            ],
        ],
    }
}

/// `reps.xlsx`: four reps in two teams, one starting in the plan year.
fn reps(zh: bool) -> Template {
    use Value::*;
    let p = |en, cn| pick(zh, en, cn);
    let (north, south) = (p("North", "华东"), p("South", "华南"));
    Template {
        file: "reps.xlsx",
        sheet: p("Reps", "销售员"),
        columns: vec![
            (p("rep_id", "工号"), Check::None),
            (p("name", "姓名"), Check::None),
            (p("email", "邮箱"), Check::None),
            (p("team", "团队"), Check::None),
            (p("manager", "经理"), Check::None),
            (
                p("level", "级别"),
                Check::List(&["senior", "mid", "junior"]),
            ),
            (p("role", "角色"), Check::List(&["hunter", "farmer"])),
            (p("start_date", "入职日期"), Check::Date),
            (p("end_date", "离职日期"), Check::Date),
            (p("fte", "工时比例"), Check::Fraction),
        ],
        rows: vec![
            vec![
                Text("R001"),
                Text(p("Ann Lee", "李娜")),
                Text("ann.lee@example.com"),
                Text(north),
                Text(p("Mia Chen", "陈敏")),
                Text("senior"),
                Text("hunter"),
                Date(2021, 3, 1),
                Empty,
                Number(1.0),
            ],
            vec![
                Text("R002"),
                Text(p("Bo Wang", "王博")),
                Text("bo.wang@example.com"),
                Text(north),
                Text(p("Mia Chen", "陈敏")),
                Text("mid"),
                Text("farmer"),
                Date(2022, 6, 13),
                Empty,
                Number(0.5),
            ],
            vec![
                Text("R003"),
                Text(p("Cai Liu", "刘才")),
                Text("cai.liu@example.com"),
                Text(south),
                Text(p("Tom Wu", "吴涛")),
                Text("mid"),
                Text("hunter"),
                Date(2020, 1, 6),
                Empty,
                Number(1.0),
            ],
            vec![
                Text("R004"),
                Text(p("Dan Xu", "徐丹")),
                Text("dan.xu@example.com"),
                Text(south),
                Text(p("Tom Wu", "吴涛")),
                Text("junior"),
                Text("farmer"),
                Date(2027, 2, 1),
                Empty,
                Number(1.0),
            ],
        ],
    }
}

/// `history.xlsx`: three years of monthly sales of three reps, with a season.
fn history(zh: bool) -> Template {
    use Value::*;
    let p = |en, cn| pick(zh, en, cn);
    let mut history = Vec::new();
    for (year, month) in (2024..=2026).flat_map(|y| (1..=12).map(move |m| (y, m))) {
        let season = 1.0 + f64::from(month) / 12.0;
        for (rep, base) in [("R001", 42_000.0), ("R002", 35_000.0), ("R003", 30_000.0)] {
            let amount = (base * season * (1.0 + f64::from(year - 2024) * 0.1)).round();
            history.push(vec![
                Date(year, month, 15),
                Text(rep),
                Number(amount),
                Number(f64::from(month % 3 + 1)),
            ]);
        }
    }
    Template {
        file: "history.xlsx",
        sheet: p("History", "历史"),
        columns: vec![
            (p("date", "日期"), Check::Date),
            (p("rep_id", "工号"), Check::None),
            (p("amount", "金额"), Check::None),
            (p("new_customers", "新客户数"), Check::NonNegative),
        ],
        rows: history,
    }
}

/// `holidays.xlsx`: a few holidays and a make-up working day.
fn holidays(zh: bool) -> Template {
    use Value::*;
    let p = |en, cn| pick(zh, en, cn);
    Template {
        file: "holidays.xlsx",
        sheet: p("Holidays", "假日"),
        columns: vec![
            (p("date", "日期"), Check::Date),
            (
                p("kind", "类型"),
                Check::List(if zh {
                    &["假日", "调休"]
                } else {
                    &["holiday", "workday"]
                }),
            ),
        ],
        rows: vec![
            vec![Date(2027, 1, 1), Text(p("holiday", "假日"))],
            vec![Date(2027, 2, 11), Text(p("holiday", "假日"))],
            vec![Date(2027, 2, 12), Text(p("holiday", "假日"))],
            vec![Date(2027, 2, 20), Text(p("workday", "调休"))],
            vec![Date(2027, 10, 1), Text(p("holiday", "假日"))],
        ],
    }
}

/// Rows that carry data validation below the examples.
const VALIDATED_ROWS: u32 = 1000;

fn workbook(t: &Template) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet();
    ws.set_name(t.sheet)?;
    for (c, (name, check)) in t.columns.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *name, &header)?;
        ws.set_column_width(c, (name.chars().count() as f64 + 4.0).max(12.0))?;
        let validation = match check {
            Check::None => None,
            Check::List(items) => Some(DataValidation::new().allow_list_strings(items)?),
            Check::Date => Some(
                DataValidation::new()
                    .allow_date(DataValidationRule::GreaterThan(ExcelDateTime::from_ymd(
                        1900, 1, 1,
                    )?))
                    .set_error_message("Enter a date such as 2027-01-31")?,
            ),
            Check::NonNegative => Some(
                DataValidation::new()
                    .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0)),
            ),
            Check::Fraction => Some(
                DataValidation::new()
                    .allow_decimal_number(DataValidationRule::Between(0.01, 1.0))
                    .set_error_message("fte is a share of full time: more than 0, at most 1")?,
            ),
        };
        if let Some(v) = validation {
            ws.add_data_validation(1, c, VALIDATED_ROWS, c, &v)?;
        }
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            match v {
                Value::Text(s) => {
                    ws.write_string(r, c, *s)?;
                }
                Value::Number(n) => {
                    ws.write_number(r, c, *n)?;
                }
                Value::Date(y, m, d) => {
                    let day = ExcelDateTime::from_ymd(*y as u16, *m as u8, *d as u8)?;
                    ws.write_date_with_format(r, c, &day, &date)?;
                }
                Value::Empty => {}
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}

fn plan_toml(zh: bool) -> String {
    let lang = if zh { "zh" } else { "en" };
    format!(
        r#"# plan file made by `plan init`: fill the four workbooks, then run
#   plan split plan.toml
# Every key is optional except [inputs] targets and reps. Paths are relative to this file.

year = 2027                     # the fiscal year to plan (else: the one year in the targets)
fiscal_year_start = 1           # month the fiscal year starts (4 = April)
fiscal_year_named_by = "start"  # "start": FY2027 starts in 2027; "end": it ends in 2027

[inputs]
targets = "targets.xlsx"        # scope (team, rep_id or * for the company), metric, period, amount or growth
reps = "reps.xlsx"              # rep_id, name, email, team, manager, level or capability, role, dates, fte
history = "history.xlsx"        # past sales: date, rep_id, amount and count columns
holidays = "holidays.xlsx"      # holidays and make-up working days

# [history]                     # reading options, also for [targets] [reps] [holidays]:
# columns = {{ rep_id = "Deal Owner", date = "Close Date", amount = "Amount" }}
# filter = {{ Stage = "Closed Won" }}
# encoding = "gbk"

# revenue is always planned (money, rounded to 0.01). Other metrics are declared:
[metrics.new_customers]
kind = "count"
role_weights = {{ hunter = 1.5, farmer = 0.5 }}

[rules]                         # the defaults
seasonality = "history"         # "history" | "workdays" | "even" | twelve weights
seasonality_years = 3
lookback_months = 12
min_history = 3
weights = {{ history = 0.5, capability = 0.3, equal = 0.2 }}
ramp = [0.25, 0.5, 0.75]        # new hires' first months
over_assignment = 1.0

[capability.levels]
senior = 1.3
mid = 1.0
junior = 0.7

[output]
dir = "out"
lang = "{lang}"
# currency = "CNY"
# company = "Acme Trading"
"#
    )
}
