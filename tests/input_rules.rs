//! Every input rule of SPEC §1.2–1.4 that tests/cli.rs leaves out, and the
//! usage exits of §5, one fixture each: the binary is run on input files built
//! in a temporary folder, and either the plan it gives (plan.csv) or the exact
//! place its message names (file, sheet, cell or row and column, value,
//! expectation, hint) is checked.

mod support;

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::OnceLock;
use support::{plan_csv, small_history, Fixture, Output, SMALL_PLAN, SMALL_REPS, SMALL_TARGETS};

type Rows = BTreeMap<(String, String, String, String), String>;

/// Leaves the workbooks out: these tests read plan.csv only.
const FAST: &str = "[output]\nrep_workbooks = false\nperiod_workbooks = []\n";

/// The small fixture's plan file with `extra` (tables of options) added.
fn plan_toml(extra: &str) -> String {
    format!("{SMALL_PLAN}{extra}\n{FAST}")
}

/// `Fixture::small()` with the fast plan file and `extra` added to it.
fn small(extra: &str) -> Fixture {
    let f = Fixture::small();
    f.write("plan.toml", &plan_toml(extra));
    f
}

/// A plan of a targets and a reps table only (no history, no count metric).
fn bare(targets: &str, reps: &str, extra: &str) -> Fixture {
    let f = Fixture::new();
    f.write(
        "plan.toml",
        &format!("[inputs]\ntargets = \"targets.csv\"\nreps = \"reps.csv\"\n{extra}\n{FAST}"),
    );
    f.write("targets.csv", targets);
    f.write("reps.csv", reps);
    f
}

/// `plan split plan.toml --out out ARGS`, asserted to succeed; plan.csv's rows.
fn split(f: &Fixture, args: &[&str]) -> (Output, Rows) {
    let mut all = vec!["split", "plan.toml", "--out", "out"];
    all.extend_from_slice(args);
    let o = f.run(&all);
    assert_eq!(o.code, 0, "split failed: {}", o.stderr);
    let rows = plan_csv(&f.path("out/plan.csv"));
    (o, rows)
}

/// `plan split` with `args`, asserted to fail with exit 3 naming every fragment.
fn fails(f: &Fixture, args: &[&str], fragments: &[&str]) {
    let mut all = vec!["split", "plan.toml", "--out", "out"];
    all.extend_from_slice(args);
    f.run(&all).fails_with(3, fragments);
    assert!(!f.path("out").exists(), "no output on failure");
}

/// One target of plan.csv.
fn get<'a>(rows: &'a Rows, team: &str, rep: &str, metric: &str, period: &str) -> &'a str {
    let key = (team.into(), rep.into(), metric.into(), period.into());
    rows.get(&key)
        .unwrap_or_else(|| panic!("plan.csv has no row {key:?}"))
}

/// A revenue figure of plan.csv in cents.
fn cents(rows: &Rows, team: &str, rep: &str, period: &str) -> i64 {
    let text = get(rows, team, rep, "revenue", period);
    text.replace('.', "")
        .parse()
        .unwrap_or_else(|_| panic!("{text:?}"))
}

/// Whether plan.csv has any row of `rep`.
fn has_rep(rows: &Rows, rep: &str) -> bool {
    rows.keys().any(|k| k.1 == rep)
}

/// The first month of 2027 in which a rep without a team has a revenue target.
fn first_month(rows: &Rows, rep: &str) -> Option<u32> {
    (1..=12).find(|m| cents(rows, "", rep, &format!("2027-{m:02}")) > 0)
}

/// plan.csv of the unaltered small fixture: what an input written differently must give.
fn baseline() -> &'static str {
    static CSV: OnceLock<String> = OnceLock::new();
    CSV.get_or_init(|| {
        let f = small("");
        split(&f, &[]);
        f.read("out/plan.csv")
    })
}

/// Asserts that the fixture's plan is the baseline plan.
fn same_as_baseline(f: &Fixture, args: &[&str]) -> Output {
    let (o, _) = split(f, args);
    let got = f.read("out/plan.csv");
    let want = baseline();
    if let Some((got, want)) = got.lines().zip(want.lines()).find(|(g, w)| g != w) {
        panic!(
            "plan.csv differs from the baseline: {got:?}, expected {want:?}\n{}",
            o.stderr
        );
    }
    assert_eq!(got.len(), want.len(), "plan.csv length; {}", o.stderr);
    o
}

/// Saves a workbook built by `build` as `name` in the fixture.
fn save_xlsx(f: &Fixture, name: &str, build: impl FnOnce(&mut Workbook)) {
    let mut book = Workbook::new();
    build(&mut book);
    book.save(f.path(name)).unwrap();
}

/// Writes comma-separated `text` (no quoting) into `sheet` from row `top`, every field as text.
fn put_csv(sheet: &mut Worksheet, top: u32, text: &str) {
    for (r, line) in text.lines().enumerate() {
        for (c, field) in line.split(',').enumerate() {
            if !field.is_empty() {
                sheet.write(top + r as u32, c as u16, field).unwrap();
            }
        }
    }
}

/// Rewrites the XML parts of a saved workbook (what rust_xlsxwriter cannot write).
fn edit_xlsx(path: &Path, edit: impl Fn(&str, String) -> String) {
    let bytes = std::fs::read(path).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        if name.ends_with(".xml") {
            data = edit(&name, String::from_utf8(data).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

// ---------------------------------------------------------------------------
// §1.2 Reading tables: formats and CSV

#[test]
fn txt_is_csv_and_xlsm_is_a_workbook() {
    let f = small("");
    f.write("targets.txt", SMALL_TARGETS);
    save_xlsx(&f, "reps.xlsm", |book| {
        put_csv(book.add_worksheet(), 0, SMALL_REPS);
    });
    same_as_baseline(&f, &["--targets", "targets.txt", "--reps", "reps.xlsm"]);
}

#[test]
fn a_workbook_named_csv_says_it_is_a_zip() {
    let f = small("");
    save_xlsx(&f, "wb.xlsx", |book| {
        put_csv(book.add_worksheet(), 0, SMALL_REPS);
    });
    std::fs::rename(f.path("wb.xlsx"), f.path("reps.csv")).unwrap();
    fails(
        &f,
        &[],
        &["reps.csv: the file is a zip archive (an xlsx workbook?), not CSV text (hint: rename it to .xlsx)"],
    );
}

#[test]
fn utf8_with_a_bom_reads_the_first_header() {
    let f = small("");
    f.write("reps.csv", &format!("\u{feff}{SMALL_REPS}"));
    f.write("targets.csv", &format!("\u{feff}{SMALL_TARGETS}"));
    same_as_baseline(&f, &[]);
}

#[test]
fn invalid_bytes_for_the_named_encoding_name_the_line() {
    let f = small("[reps]\nencoding = \"gbk\"\n");
    let text = "工号,姓名,团队\nN1,张伟,North\nN2,李娜,North\n";
    let mut bytes = encoding_rs::GBK.encode(text).0.into_owned();
    bytes.extend_from_slice(b"S1,\xFF\xFF,South\n");
    f.write_bytes("reps.csv", &bytes);
    fails(
        &f,
        &[],
        &["reps.csv, row 4: bytes that are not valid GBK (hint: check the file's encoding and set `encoding` for this table in the plan file)"],
    );
}

#[test]
fn semicolon_and_tab_delimiters_are_detected() {
    let f = small("");
    f.write("reps.csv", &SMALL_REPS.replace(',', ";"));
    f.write("targets.csv", &SMALL_TARGETS.replace(',', "\t"));
    f.write("history.csv", &small_history().replace(',', ";"));
    same_as_baseline(&f, &[]);
}

#[test]
fn a_delimiter_set_in_the_plan_file() {
    let f = small("[reps]\ndelimiter = \"|\"\n");
    f.write("reps.csv", &SMALL_REPS.replace(',', "|"));
    same_as_baseline(&f, &[]);
    // Without the setting the header is not found: `|` is never guessed.
    let f = small("");
    f.write("reps.csv", &SMALL_REPS.replace(',', "|"));
    fails(
        &f,
        &[],
        &["reps.csv: no header row found: the reps table needs the columns rep_id"],
    );
}

#[test]
fn rows_shorter_than_the_header_are_fine_when_the_rest_is_optional() {
    let f = small("");
    // Empty trailing fields written out or left off give the same plan.
    let short: String = SMALL_REPS
        .lines()
        .map(|l| format!("{}\n", l.trim_end_matches(',')))
        .collect();
    assert!(short.contains("\nN1,Ann,ann@x.com,North,1.2,1\n"));
    f.write("reps.csv", &short);
    same_as_baseline(&f, &[]);
}

#[test]
fn title_rows_above_a_csv_header_keep_the_editor_row_numbers() {
    let f = small("");
    f.write(
        "targets.csv",
        &format!("Targets FY2027\n\n{SMALL_TARGETS}").replace("60000.50", "6OOOO"),
    );
    fails(
        &f,
        &[],
        &["targets.csv, row 5, column D (amount): expected a number such as 1234.56, 1,234 or (1,234), found \"6OOOO\""],
    );
    // And with `header_row` naming the header's line.
    let f = small("[targets]\nheader_row = 3\n");
    f.write("targets.csv", &format!("Targets FY2027\n\n{SMALL_TARGETS}"));
    same_as_baseline(&f, &[]);
}

#[test]
fn trailing_empty_rows_and_columns_are_ignored() {
    let f = small("");
    let padded: String = SMALL_REPS.lines().map(|l| format!("{l},,\n")).collect();
    f.write("reps.csv", &format!("{padded},,,,,,,,,,\n\n\n"));
    same_as_baseline(&f, &[]);

    let f = small("");
    save_xlsx(&f, "reps.xlsx", |book| {
        let sheet = book.add_worksheet();
        put_csv(sheet, 0, SMALL_REPS);
        sheet.write(30, 15, " ").unwrap();
        sheet
            .write_blank(40, 20, &Format::new().set_bold())
            .unwrap();
    });
    same_as_baseline(&f, &["--reps", "reps.xlsx"]);
}

#[test]
fn an_empty_file_is_an_error() {
    let f = small("");
    f.write("history.csv", "");
    fails(&f, &[], &["history.csv: the file is empty"]);
    let f = small("");
    save_xlsx(&f, "reps.xlsx", |book| {
        book.add_worksheet().set_name("Reps").unwrap();
    });
    fails(
        &f,
        &["--reps", "reps.xlsx"],
        &["reps.xlsx: no header row found in any visible sheet (sheets: Reps): the reps table needs the columns rep_id"],
    );
}

#[test]
fn a_header_without_rows_is_an_error_for_reps_and_no_history_for_history() {
    let f = small("");
    f.write("reps.csv", "rep_id,name,team\n");
    fails(
        &f,
        &[],
        &["reps.csv: the reps table has a header but no rows"],
    );

    let f = small("");
    f.write("history.csv", "date,rep_id,amount\n\n");
    let (o, rows) = split(&f, &[]);
    assert!(
        o.stderr.contains("warning: history.csv: no history rows: seasonality by working days, shares by capability and equal shares"),
        "{}",
        o.stderr
    );
    assert_eq!(get(&rows, "North", "", "revenue", "2027"), "120000.00");
}

// ---------------------------------------------------------------------------
// §1.2 Reading tables: spreadsheets

/// The small targets on sheet "Targets" below two title rows: header on row 5.
fn targets_below_titles(book: &mut Workbook, south_amount: &str) {
    let sheet = book.add_worksheet().set_name("Targets").unwrap();
    sheet.write(0, 0, "Sales targets FY2027").unwrap();
    sheet.write(2, 0, "draft, not for circulation").unwrap();
    sheet
        .write_row(4, 0, ["scope", "metric", "period", "amount"])
        .unwrap();
    sheet.write_row(5, 0, ["North", "revenue"]).unwrap();
    sheet.write(5, 2, 2027).unwrap();
    sheet.write(5, 3, 120000).unwrap();
    sheet.write_row(6, 0, ["South", "revenue", "2027"]).unwrap();
    match south_amount.parse::<f64>() {
        Ok(n) => sheet.write(6, 3, n).unwrap(),
        Err(_) => sheet.write(6, 3, south_amount).unwrap(),
    };
    sheet
        .write_row(7, 0, ["North", "visits", "2027", "1000"])
        .unwrap();
    sheet
        .write_row(8, 0, ["South", "visits", "2027", "500"])
        .unwrap();
}

#[test]
fn a_workbook_header_below_title_rows_and_rows_as_the_sheet_numbers_them() {
    let f = small("");
    save_xlsx(&f, "targets.xlsx", |book| {
        targets_below_titles(book, "60000.5")
    });
    same_as_baseline(&f, &["--targets", "targets.xlsx"]);

    let f = small("");
    save_xlsx(&f, "targets.xlsx", |book| {
        targets_below_titles(book, "sixty")
    });
    fails(
        &f,
        &["--targets", "targets.xlsx"],
        &["targets.xlsx, sheet \"Targets\", cell D7 (amount): expected a number such as 1234.56, 1,234 or (1,234), found \"sixty\""],
    );
}

#[test]
fn the_first_visible_sheet_with_a_header_unless_a_sheet_is_named() {
    let f = small("");
    save_xlsx(&f, "targets.xlsx", |book| {
        let old = book
            .add_worksheet()
            .set_name("Old")
            .unwrap()
            .set_hidden(true);
        put_csv(
            old,
            0,
            "scope,metric,period,amount\nNorth,revenue,2027,1000\nSouth,revenue,2027,500\n",
        );
        book.add_worksheet()
            .set_name("Notes")
            .unwrap()
            .write(0, 0, "read me first")
            .unwrap();
        // rust_xlsxwriter keeps the active sheet visible: make the last one active.
        let sheet = book
            .add_worksheet()
            .set_name("Targets")
            .unwrap()
            .set_active(true);
        put_csv(sheet, 0, SMALL_TARGETS);
    });
    same_as_baseline(&f, &["--targets", "targets.xlsx"]);

    let (_, rows) = split(&f, &["--targets", "targets.xlsx#Old"]);
    assert_eq!(get(&rows, "North", "", "revenue", "2027"), "1000.00");
    assert_eq!(get(&rows, "South", "", "revenue", "2027"), "500.00");
}

#[test]
fn vertically_merged_cells_give_their_value_to_every_row() {
    let f = small("");
    save_xlsx(&f, "reps.xlsx", |book| {
        let sheet = book.add_worksheet();
        // The team written once per merged block only.
        let unteamed = SMALL_REPS.replace(",North,", ",,").replace(",South,", ",,");
        put_csv(sheet, 0, &unteamed);
        let plain = Format::new();
        sheet.merge_range(1, 3, 3, 3, "North", &plain).unwrap();
        sheet.merge_range(4, 3, 5, 3, "South", &plain).unwrap();
    });
    same_as_baseline(&f, &["--reps", "reps.xlsx"]);
}

#[test]
fn an_error_cell_is_an_input_error_never_zero() {
    let f = small("");
    save_xlsx(&f, "history.xlsx", |book| {
        let sheet = book.add_worksheet().set_name("CRM").unwrap();
        put_csv(
            sheet,
            0,
            "date,rep_id,amount\n2026-01-10,N1,100\n2026-02-10,N2\n",
        );
        sheet
            .write_formula(2, 2, Formula::new("=NA()").set_result("#N/A"))
            .unwrap();
    });
    fails(
        &f,
        &["--history", "history.xlsx"],
        &["history.xlsx, sheet \"CRM\", cell C3 (amount): expected a number, found an error cell, found \"#N/A\" (hint: fix the formula or replace it by its value)"],
    );

    let f = small("");
    save_xlsx(&f, "targets.xlsx", |book| {
        let sheet = book.add_worksheet();
        put_csv(sheet, 0, SMALL_TARGETS);
        sheet
            .write_formula(2, 3, Formula::new("=#REF!*2").set_result("#REF!"))
            .unwrap();
    });
    fails(
        &f,
        &["--targets", "targets.xlsx"],
        &["targets.xlsx, sheet \"Sheet1\", cell D3 (amount): expected a number, found an error cell, found \"#REF!\""],
    );
}

#[test]
fn a_formula_without_a_cached_value_is_an_input_error() {
    let f = small("");
    save_xlsx(&f, "targets.xlsx", |book| {
        let sheet = book.add_worksheet();
        put_csv(sheet, 0, SMALL_TARGETS);
        sheet
            .write_formula(2, 3, Formula::new("=D2/2").set_result("424242"))
            .unwrap();
    });
    edit_xlsx(&f.path("targets.xlsx"), |name, xml| {
        if name == "xl/worksheets/sheet1.xml" {
            assert!(xml.contains("<v>424242</v>"), "{xml}");
            xml.replace("<v>424242</v>", "")
        } else {
            xml
        }
    });
    fails(
        &f,
        &["--targets", "targets.xlsx"],
        &["targets.xlsx, sheet \"Sheet1\", cell D3 (amount): expected a number, found an error cell, found \"formula without a cached value\""],
    );
}

// ---------------------------------------------------------------------------
// §1.2 Columns and names

#[test]
fn english_and_chinese_aliases() {
    let f = small("");
    f.write(
        "targets.csv",
        &SMALL_TARGETS
            .replace("scope,metric,period,amount", "团队,指标,期间,目标")
            .replace("North,revenue", "North,销售额")
            .replace("South,revenue", "South,收入"),
    );
    f.write(
        "reps.csv",
        &SMALL_REPS.replace(
            "rep_id,name,email,team,capability,fte,start_date,end_date",
            "id,rep_name,邮箱,region,能力系数,工时比例,入职日期,离职日期",
        ),
    );
    f.write(
        "history.csv",
        &small_history().replace(
            "date,rep_id,amount,visits",
            "close_date,owner,sales,拜访次数",
        ),
    );
    same_as_baseline(&f, &[]);
}

#[test]
fn headers_are_matched_trimmed_and_case_insensitively() {
    let f = small("");
    f.write(
        "reps.csv",
        &SMALL_REPS.replace(
            "rep_id,name,email,team,capability,fte,start_date,end_date",
            " Rep_ID ,NAME,Email, Team ,CAPABILITY,Fte,Start_Date,END_DATE",
        ),
    );
    f.write(
        "targets.csv",
        &SMALL_TARGETS.replace(
            "scope,metric,period,amount",
            "\"  Scope\",METRIC,Period,Amount ",
        ),
    );
    same_as_baseline(&f, &[]);
}

#[test]
fn two_columns_matching_one_name_are_named_both() {
    let f = small("");
    let reps: String = SMALL_REPS
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", if i == 0 { "region" } else { "Nowhere" }))
        .collect();
    f.write("reps.csv", &reps);
    fails(
        &f,
        &[],
        &["reps.csv, row 1: two columns match team: team (column D) and region (column I) (hint: name the one to use with columns = { team = \"…\" } under [reps])"],
    );
    // The plan file's mapping picks one.
    let f = small("[reps]\ncolumns = { team = \"Team\" }\n");
    f.write("reps.csv", &reps);
    same_as_baseline(&f, &[]);
}

#[test]
fn an_explicit_column_mapping() {
    let f = small("[history]\ncolumns = { rep_id = \"Deal Owner\", date = \"Close Date\", amount = \"Net\" }\n");
    f.write(
        "history.csv",
        &small_history().replace(
            "date,rep_id,amount,visits",
            "Close Date,Deal Owner,Net,visits",
        ),
    );
    same_as_baseline(&f, &[]);
}

#[test]
fn a_near_miss_header_is_hinted() {
    let f = small("");
    f.write(
        "targets.csv",
        &SMALL_TARGETS.replace("scope,metric,period,amount", "scope,metric,period,amout"),
    );
    fails(
        &f,
        &[],
        &[
            "targets.csv: no header row found: the targets table needs the columns period, amount or growth",
            "is \"amout\" the amount column? map it with columns = { amount = \"amout\" } under [targets]",
        ],
    );
}

#[test]
fn ids_and_team_names_are_trimmed_and_compared_case_insensitively() {
    let f = small("");
    f.write(
        "targets.csv",
        &SMALL_TARGETS
            .replace("North,", " north ,")
            .replace("South,", "SOUTH,"),
    );
    // The team's spelling is the first seen in the reps: North, South.
    f.write(
        "reps.csv",
        &SMALL_REPS
            .replace("N2,Bob,bob@x.com,North", "N2,Bob,bob@x.com,NORTH ")
            .replace("S2,Ed,ed@x.com,South", "S2,Ed,ed@x.com,south"),
    );
    let history = small_history()
        .replace(",N1,", ",\" n1 \",")
        .replace(",S2,", ",s2,");
    f.write("history.csv", &history);
    let o = same_as_baseline(&f, &[]);
    assert!(!o.stderr.contains("not in the reps table"), "{}", o.stderr);
}

// ---------------------------------------------------------------------------
// §1.3 Values: numbers

#[test]
fn numbers_are_used_at_the_precision_written() {
    // 100.005 is 100.00499… as a binary float: read exactly, it rounds half away to 100.01.
    let reps = "rep_id,team\nR1,North\n";
    let f = bare(
        "scope,metric,period,amount\n*,revenue,2027,100.005\n",
        reps,
        "",
    );
    let (_, rows) = split(&f, &[]);
    assert_eq!(get(&rows, "", "", "revenue", "2027"), "100.01");

    let f = bare("", reps, "");
    save_xlsx(&f, "targets.xlsx", |book| {
        let sheet = book.add_worksheet();
        sheet
            .write_row(0, 0, ["scope", "metric", "period", "amount"])
            .unwrap();
        sheet.write_row(1, 0, ["*", "revenue", "2027"]).unwrap();
        sheet.write(1, 3, 100.005).unwrap();
    });
    let (_, rows) = split(&f, &["--targets", "targets.xlsx"]);
    assert_eq!(get(&rows, "", "", "revenue", "2027"), "100.01");
}

#[test]
fn na_null_are_text_in_a_text_column_and_errors_in_a_number_column() {
    let f = small("");
    f.write("reps.csv", &SMALL_REPS.replace("South", "NA"));
    f.write("targets.csv", &SMALL_TARGETS.replace("South", "NA"));
    split(&f, &[]);
    assert_eq!(f.read("out/plan.csv"), baseline().replace("South", "NA"));

    let f = small("");
    f.write(
        "reps.csv",
        "rep_id,team,fte,capability\nN1,North,N/A,1\nS1,South,1,null\n",
    );
    f.run(&["check", "plan.toml"]).fails_with(
        3,
        &[
            "reps.csv, row 2, column C (fte): expected a number such as 1234.56, 1,234 or (1,234), found \"N/A\"",
            "reps.csv, row 3, column D (capability): expected a number such as 1234.56, 1,234 or (1,234), found \"null\"",
        ],
    );
}

#[test]
fn numbers_in_every_written_form() {
    // Lone rep targets: each rep gets exactly the amount its row gives.
    let forms = [
        ("\"1,234.56\"", "1234.56"),
        ("1 234", "1234.00"),
        ("1\u{2009}234", "1234.00"),
        ("1\u{a0}234", "1234.00"),
        ("1\u{202f}234", "1234.00"),
        ("\"¥1,234\"", "1234.00"),
        ("\"$1,234\"", "1234.00"),
        ("１２３４．５", "1234.50"),
        ("12%", "0.12"),
        ("1.5E3", "1500.00"),
    ];
    let mut reps = String::from("rep_id\n");
    let mut targets = String::from("scope,metric,period,amount\n");
    for (i, (text, _)) in forms.iter().enumerate() {
        reps.push_str(&format!("R{i}\n"));
        targets.push_str(&format!("R{i},revenue,2027,{text}\n"));
    }
    let f = bare(&targets, &reps, "");
    let (_, rows) = split(&f, &[]);
    for (i, (text, want)) in forms.iter().enumerate() {
        assert_eq!(
            get(&rows, "", &format!("R{i}"), "revenue", "2027"),
            *want,
            "{text}"
        );
    }
}

#[test]
fn a_percentage_fte() {
    let f = small("");
    f.write(
        "reps.csv",
        &SMALL_REPS.replace(
            "N2,Bob,bob@x.com,North,1,0.5",
            "N2,Bob,bob@x.com,North,1,50%",
        ),
    );
    same_as_baseline(&f, &[]);
}

#[test]
fn a_decimal_comma_only_when_set() {
    let targets = "scope;metric;period;amount\nNorth;revenue;2027;120.000\nSouth;revenue;2027;60.000,50\nNorth;visits;2027;1.000\nSouth;visits;2027;500\n";
    let f = small("[targets]\ndecimal_comma = true\n");
    f.write("targets.csv", targets);
    same_as_baseline(&f, &[]);

    let f = small("");
    f.write("targets.csv", targets);
    fails(
        &f,
        &[],
        &["targets.csv, row 3, column D (amount): expected a number with a decimal point such as 1234.56, not a decimal comma, found \"60.000,50\" (hint: set decimal_comma = true for this table in the plan file)"],
    );
}

// ---------------------------------------------------------------------------
// §1.3 Values: dates

/// A company target of 120,000 over reps without a team.
const COMPANY: &str = "scope,metric,period,amount\n*,revenue,2027,120000\n";

#[test]
fn dates_in_every_written_form() {
    // Each rep starts in the month its number says; R9 has no start date.
    let reps = "rep_id,start_date\n\
        R2,2027-02-10\n\
        R3,2027/3/10\n\
        R4,2027年4月12日\n\
        R5,10.05.2027\n\
        R6,46553\n\
        R7,2027-07-12T09:30\n\
        R8,8/24/2027 0:00\n\
        R9,9/10/2027\n\
        R1,\n";
    let f = bare(COMPANY, reps, "");
    let (o, rows) = split(&f, &[]);
    for m in 1..=9 {
        assert_eq!(first_month(&rows, &format!("R{m}")), Some(m), "R{m}");
    }
    // 9/10/2027 is 10 September because 8/24/2027 proves the column month-first.
    assert!(
        o.stderr.contains("note: reps.csv, column B (start_date): dates read as month/day/year, as row 8 (8/24/2027) shows"),
        "{}",
        o.stderr
    );
}

#[test]
fn spreadsheet_dates_and_serial_numbers() {
    let f = bare(COMPANY, "", "");
    save_xlsx(&f, "reps.xlsx", |book| {
        let sheet = book.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_row(0, 0, ["rep_id", "start_date"]).unwrap();
        sheet
            .write_column(1, 0, ["R1", "R2", "R3", "R4", "R5"])
            .unwrap();
        let feb = ExcelDateTime::from_ymd(2027, 2, 10).unwrap();
        sheet.write_datetime_with_format(1, 1, &feb, &date).unwrap();
        let mar = ExcelDateTime::from_ymd(2027, 3, 10)
            .unwrap()
            .and_hms(9, 30, 0)
            .unwrap();
        sheet.write_datetime_with_format(2, 1, &mar, &date).unwrap();
        sheet.write(3, 1, "2027-04-12").unwrap();
        // A serial number without a date format: 46553 is 15 June 2027.
        sheet.write(4, 1, 46553).unwrap();
    });
    let (_, rows) = split(&f, &["--reps", "reps.xlsx"]);
    let firsts: Vec<Option<u32>> = ["R1", "R2", "R3", "R4", "R5"]
        .iter()
        .map(|r| first_month(&rows, r))
        .collect();
    assert_eq!(firsts, [Some(2), Some(3), Some(4), Some(6), Some(1)]);
}

/// reps.xlsx of a 1904-system workbook: R1's start a date cell, R2's a bare serial, both 15 June 2027.
fn reps_1904(f: &Fixture) {
    save_xlsx(f, "reps.xlsx", |book| {
        let sheet = book.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_row(0, 0, ["rep_id", "start_date"]).unwrap();
        sheet.write_column(1, 0, ["R1", "R2", "R3"]).unwrap();
        // 45091 days after 1 January 1904 (1900 system: 46553).
        sheet.write_number_with_format(1, 1, 45091, &date).unwrap();
        sheet.write(2, 1, 45091).unwrap();
    });
    edit_xlsx(&f.path("reps.xlsx"), |name, xml| {
        if name == "xl/workbook.xml" {
            assert!(xml.contains("<workbookPr"), "{xml}");
            xml.replace("<workbookPr", "<workbookPr date1904=\"1\"")
        } else {
            xml
        }
    });
}

#[test]
fn date_cells_of_a_1904_workbook() {
    let f = bare(COMPANY, "", "");
    reps_1904(&f);
    let (_, rows) = split(&f, &["--reps", "reps.xlsx"]);
    assert_eq!(first_month(&rows, "R1"), Some(6));
}

#[test]
fn serial_numbers_of_a_1904_workbook() {
    let f = bare(COMPANY, "", "");
    reps_1904(&f);
    let (_, rows) = split(&f, &["--reps", "reps.xlsx"]);
    assert_eq!(first_month(&rows, "R2"), Some(6));
}

#[test]
fn ambiguous_dates_read_with_date_format() {
    let reps = "rep_id,start_date\nR1,03/04/2027\nR2,\n";
    for (format, month) in [("%d/%m/%Y", 4), ("%m/%d/%Y", 3)] {
        let f = bare(
            COMPANY,
            reps,
            &format!("[reps]\ndate_format = \"{format}\"\n"),
        );
        let (_, rows) = split(&f, &[]);
        assert_eq!(first_month(&rows, "R1"), Some(month), "{format}");
    }
}

#[test]
fn rows_dropped_by_a_filter_take_no_part_in_the_date_deduction() {
    // The small history with month-first dates (all ambiguous), one row proving the order,
    // and a dropped row that would contradict it and whose amount is no number.
    let mut history = String::from("date,rep_id,amount,visits,Stage\n");
    for line in small_history().lines().skip(1) {
        let (date, rest) = line.split_once(',').unwrap();
        let (m, d) = (&date[5..7], &date[8..10]);
        history.push_str(&format!(
            "{}/{d}/2026,{rest},Won\n",
            m.trim_start_matches('0')
        ));
    }
    history.push_str("13/01/2026,N2,n/a,1,Lost\n");
    history.push_str("1/13/2026,N1,0,0, won \n");
    let rows = history.lines().count();
    for options in [
        "filter = { Stage = \" WON \" }",
        "exclude = { stage = [\"lost\", \"Cancelled\"] }",
    ] {
        let f = small(&format!("[history]\n{options}\n"));
        f.write("history.csv", &history);
        let o = same_as_baseline(&f, &[]);
        let note = format!("note: history.csv, column A (date): dates read as month/day/year, as row {rows} (1/13/2026) shows");
        assert!(o.stderr.contains(&note), "{options}: {}", o.stderr);
    }
    // Unfiltered, the dropped row takes part: the column contradicts itself.
    let f = small("");
    f.write("history.csv", &history);
    fails(
        &f,
        &[],
        &[
            "history.csv, column A (date): the column mixes day/month/year",
            "history.csv, row 50, column C (amount)",
        ],
    );
}

// ---------------------------------------------------------------------------
// §1.4 targets

#[test]
fn company_scope_and_revenue_names() {
    let f = small("");
    f.write(
        "targets.csv",
        &SMALL_TARGETS
            .replace("North,revenue", "North,营收")
            .replace("South,revenue", "South,"),
    );
    same_as_baseline(&f, &[]);
    for targets in [
        "scope,metric,period,amount\n*,revenue,2027,1000\n",
        "scope,metric,period,amount\n,收入,2027,1000\n",
        "scope,period,amount\n*,2027,1000\n",
    ] {
        let f = small("");
        f.write("targets.csv", targets);
        let (_, rows) = split(&f, &[]);
        assert_eq!(
            get(&rows, "", "", "revenue", "2027"),
            "1000.00",
            "{targets}"
        );
    }
}

#[test]
fn year_quarter_and_month_periods_held_within_the_year() {
    let f = small("");
    f.write(
        "targets.csv",
        &format!("{SMALL_TARGETS}North,revenue,2027-Q2,40000\nNorth,revenue,2027-05,15000\n"),
    );
    let (_, rows) = split(&f, &[]);
    assert_eq!(get(&rows, "North", "", "revenue", "2027"), "120000.00");
    assert_eq!(get(&rows, "North", "", "revenue", "2027-Q2"), "40000.00");
    assert_eq!(get(&rows, "North", "", "revenue", "2027-05"), "15000.00");
    assert_eq!(get(&rows, "South", "", "revenue", "2027"), "60000.50");
}

#[test]
fn quarters_are_fiscal_and_months_are_calendar() {
    // FY2027 runs from April 2027 to March 2028: its Q2 is July to September,
    // and February 2028 is one of its months.
    let f = small("");
    f.write(
        "plan.toml",
        &format!("fiscal_year_start = 4\n{}", plan_toml("")),
    );
    f.write(
        "targets.csv",
        "scope,metric,period,amount\nNorth,revenue,2027,120000\nNorth,revenue,2027-Q2,39000\nNorth,revenue,2028-02,5000\nSouth,revenue,2027,60000.50\n",
    );
    let (_, rows) = split(&f, &[]);
    let month = |p: &str| cents(&rows, "North", "", p);
    // (39,000 splits into whole cents over July to September, each of 22 working days.)
    assert_eq!(month("2027-Q2"), 3_900_000);
    assert_eq!(
        month("2027-07") + month("2027-08") + month("2027-09"),
        3_900_000
    );
    assert_eq!(month("2028-02"), 500_000);
    assert_eq!(month("2027"), 12_000_000);
    assert!(!rows.keys().any(|k| k.3 == "2027-03"));
}

/// A held quarter takes exactly its target before rounding; its months are then
/// rounded with the rest of the year (largest remainder over the twelve months,
/// as reference.py and verify_plan.py do), so the quarter is within a unit per
/// month of its target and the year is exact.
#[test]
fn a_held_quarter_is_rounded_with_the_year() {
    // Without history the season is the working days: 13,333.33… in each month of Q3.
    let f = bare(
        "scope,metric,period,amount\nNorth,revenue,2027,120000\nNorth,revenue,2027-Q3,40000\n",
        "rep_id,team\nN1,North\n",
        "",
    );
    let (_, rows) = split(&f, &[]);
    assert_eq!(get(&rows, "North", "", "revenue", "2027"), "120000.00");
    let q3: f64 = get(&rows, "North", "", "revenue", "2027-Q3")
        .parse()
        .unwrap();
    assert!((q3 - 40000.0).abs() <= 0.03 + 1e-9, "Q3 {q3}");
    let months: f64 = (7..=9)
        .map(|m| {
            get(&rows, "North", "", "revenue", &format!("2027-{m:02}"))
                .parse::<f64>()
                .unwrap()
        })
        .sum();
    assert!((months - q3).abs() < 1e-6);
}

#[test]
fn quarter_only_targets_and_a_quarter_without_one() {
    let f = small("");
    f.write(
        "targets.csv",
        "scope,metric,period,amount\nNorth,revenue,2027-Q1,30000\nNorth,revenue,2027-Q2,30000\nNorth,revenue,2027-Q3,30000\nSouth,revenue,2027,60000.50\n",
    );
    let (o, rows) = split(&f, &[]);
    assert!(
        o.stderr
            .contains("warning: revenue/North: no target for fiscal quarter Q4: 0"),
        "{}",
        o.stderr
    );
    assert_eq!(get(&rows, "North", "", "revenue", "2027-Q1"), "30000.00");
    assert_eq!(get(&rows, "North", "", "revenue", "2027-Q4"), "0.00");
    assert_eq!(get(&rows, "North", "", "revenue", "2027"), "90000.00");
}

#[test]
fn growth_is_last_years_actual_with_refunds_rounded_half_away() {
    let f = small("");
    f.write(
        "targets.csv",
        "scope,metric,period,amount,growth\nNorth,revenue,2027,,15%\nSouth,revenue,2027,60000.50,\n",
    );
    // A refund written in brackets counts as negative sales.
    let mut history = small_history();
    history.push_str("2026-06-15,N1,\"(1,000.50)\",0\n");
    f.write("history.csv", &history);
    // North's 2026: N1 and N2 as small_history() writes them, less the refund.
    let sales: i64 = (1..=12)
        .flat_map(|m| [1000, 600].map(|base| base * if m <= 4 { 200 } else { 100 } + 25))
        .sum();
    let actual = sales - 100_050;
    assert_eq!(actual, 2_560_600 - 100_050);
    // 24,605.50 × 1.15 = 28,296.325: half away from zero.
    let want = (actual * 115 + 50) / 100;
    assert_eq!(want, 2_829_633);
    let (_, rows) = split(&f, &[]);
    assert_eq!(cents(&rows, "North", "", "2027"), want);
}

#[test]
fn growth_on_a_negative_actual_is_an_error() {
    let f = small("");
    f.write(
        "targets.csv",
        "scope,metric,period,growth\nNorth,revenue,2027,10%\n",
    );
    f.write(
        "history.csv",
        "date,rep_id,amount\n2026-03-10,N1,-50\n2026-03-10,S1,100\n2026-12-10,S1,0\n",
    );
    fails(
        &f,
        &[],
        &["targets.csv, row 2, column D (growth): a growth target needs a positive actual in the same period of the previous fiscal year (2026-01 to 2026-12), but the history has an actual of -50 for scope North revenue (growth 10%)"],
    );
}

#[test]
fn a_negative_target_is_an_error_and_zero_is_allowed() {
    let f = small("");
    f.write("targets.csv", &SMALL_TARGETS.replace("60000.50", "-5"));
    fails(
        &f,
        &[],
        &["targets.csv, row 3, column D (amount): a target cannot be negative (zero is allowed), found \"-5\""],
    );
    let f = small("");
    f.write("targets.csv", &SMALL_TARGETS.replace("60000.50", "0"));
    let (_, rows) = split(&f, &[]);
    assert_eq!(get(&rows, "South", "", "revenue", "2027"), "0.00");
    assert_eq!(get(&rows, "South", "S2", "revenue", "2027-06"), "0.00");
    assert_eq!(get(&rows, "North", "", "revenue", "2027"), "120000.00");
}

#[test]
fn only_a_company_target_makes_one_pool_with_team_sums() {
    let f = small("");
    f.write(
        "targets.csv",
        "scope,metric,period,amount\n*,revenue,2027,180000.50\n*,visits,2027,1500\n",
    );
    let (o, rows) = split(&f, &[]);
    assert!(!o.stderr.contains("no plan"), "{}", o.stderr);
    assert_eq!(cents(&rows, "", "", "2027"), 18_000_050);
    let north = cents(&rows, "North", "", "2027");
    let south = cents(&rows, "South", "", "2027");
    assert_eq!(north + south, 18_000_050);
    let reps: i64 = ["N1", "N2", "N3"]
        .iter()
        .map(|r| cents(&rows, "North", r, "2027"))
        .sum();
    assert_eq!(reps, north);
}

#[test]
fn a_team_with_reps_but_no_target_gets_no_plan_with_a_warning() {
    let f = small("");
    f.write(
        "targets.csv",
        "scope,metric,period,amount\nNorth,revenue,2027,120000\nNorth,visits,2027,1000\n",
    );
    let (o, rows) = split(&f, &[]);
    assert!(
        o.stderr
            .contains("warning: reps.csv: team \"South\" has no target for revenue, visits in targets.csv: its reps get no plan for them: S1 (row 5), S2 (row 6)"),
        "{}",
        o.stderr
    );
    assert!(!has_rep(&rows, "S1") && !has_rep(&rows, "S2"));
    assert!(!rows.keys().any(|k| k.0 == "South"));
    assert_eq!(get(&rows, "", "", "revenue", "2027"), "120000.00");
}

#[test]
fn a_held_rep_target_is_not_scaled_by_over_assignment() {
    let f = small("[rules]\nover_assignment = 1.1\n");
    f.write(
        "targets.csv",
        &format!("{SMALL_TARGETS}n1,revenue,2027,50000\n"),
    );
    let (_, rows) = split(&f, &[]);
    // Team targets are scaled (rounded to the unit), the held rep's is not.
    assert_eq!(get(&rows, "North", "", "revenue", "2027"), "132000.00");
    assert_eq!(get(&rows, "South", "", "revenue", "2027"), "66000.55");
    assert_eq!(get(&rows, "North", "", "visits", "2027"), "1100");
    assert_eq!(get(&rows, "North", "N1", "revenue", "2027"), "50000.00");
    let others = cents(&rows, "North", "N2", "2027") + cents(&rows, "North", "N3", "2027");
    assert_eq!(others, 8_200_000);
}

#[test]
fn a_rep_target_alone_is_only_spread_over_its_months() {
    let f = small("");
    f.write(
        "targets.csv",
        "scope,metric,period,amount\nN2,revenue,2027,1200\n",
    );
    let (o, rows) = split(&f, &[]);
    assert_eq!(get(&rows, "North", "N2", "revenue", "2027"), "1200.00");
    assert!(!has_rep(&rows, "N1") && !has_rep(&rows, "S1"));
    assert!(!o.stderr.contains("no plan"), "{}", o.stderr);
}

#[test]
fn company_targets_finer_than_the_year_next_to_team_targets() {
    let f = small("");
    f.write(
        "targets.csv",
        &format!(
            "scope,metric,period,amount\n*,revenue,2027-Q1,50000\n{}",
            SMALL_TARGETS.split_once('\n').unwrap().1
        ),
    );
    fails(
        &f,
        &[],
        &["targets.csv, row 2: revenue: company targets finer than the year cannot stand next to team targets (only the year totals are compared)"],
    );
}

#[test]
fn targets_of_two_years_with_the_year_named() {
    let f = small("");
    let next = SMALL_TARGETS
        .lines()
        .skip(1)
        .map(|l| format!("{}\n", l.replace("2027", "2028")));
    f.write(
        "targets.csv",
        &format!("{SMALL_TARGETS}{}", next.collect::<String>()),
    );
    same_as_baseline(&f, &["--year", "2027"]);
}

// ---------------------------------------------------------------------------
// §1.4 reps

#[test]
fn fte_must_be_above_0_and_at_most_1() {
    let f = small("");
    f.write(
        "reps.csv",
        "rep_id,team,fte\nN1,North,0\nN2,North,-0.5\nS1,South,1\n",
    );
    f.run(&["check", "plan.toml"]).fails_with(
        3,
        &[
            "reps.csv, row 2, column C (fte): fte must be greater than 0 and at most 1 (e.g. 0.5 or 50%), found \"0\"",
            "reps.csv, row 3, column C (fte): fte must be greater than 0 and at most 1 (e.g. 0.5 or 50%), found \"-0.5\"",
        ],
    );
}

#[test]
fn capability_from_a_mapped_level() {
    let f = small("[capability.levels]\nsenior = 1.2\nmid = 1\njunior = 0.8\n");
    f.write(
        "reps.csv",
        &SMALL_REPS
            .replace("capability", "level")
            .replace(",1.2,", ",Senior,")
            .replace(",0.8,", ",junior,")
            .replace("th,1,", "th,mid,"),
    );
    same_as_baseline(&f, &[]);
}

#[test]
fn a_rep_employed_only_before_the_plan_year_has_no_rows() {
    let f = small("");
    f.write(
        "reps.csv",
        &SMALL_REPS
            .replace(
                "N3,Cy,cy@x.com,North,1,1,2027-03-15,",
                "N3,Cy,cy@x.com,North,1,1,2025-01-01,2026-12-31",
            )
            .replace("2027-09-30", "2027-01-01"),
    );
    let (_, rows) = split(&f, &[]);
    assert!(!has_rep(&rows, "N3"));
    // S1 leaves on the plan year's first day (a holiday-free Friday): it counts.
    assert!(cents(&rows, "South", "S1", "2027-01") > 0);
    assert_eq!(cents(&rows, "South", "S1", "2027-02"), 0);
}

// ---------------------------------------------------------------------------
// §1.4 history

#[test]
fn a_month_column_when_there_is_no_date_column() {
    let f = small("");
    let history = small_history()
        .replace("date,", "month,")
        .replace("-10,", ",");
    assert!(history.contains("\n2026-03,N1,2000.25,"));
    f.write("history.csv", &history);
    same_as_baseline(&f, &[]);
}

#[test]
fn history_without_a_rep_column_informs_seasonality_only() {
    let mut history = String::from("date,team,amount\n");
    for m in 1..=12 {
        let amount = if m <= 6 { 1000 } else { 100 };
        history.push_str(&format!("2026-{m:02}-10,North,{amount}\n"));
    }
    let f = bare(
        "scope,metric,period,amount\nNorth,revenue,2027,120000\n",
        "rep_id,team,capability\nN1,North,1\nN2,North,1\n",
        "",
    );
    let plan = f.read("plan.toml").replace(
        "reps = \"reps.csv\"\n",
        "reps = \"reps.csv\"\nhistory = \"history.csv\"\n",
    );
    f.write("plan.toml", &format!("{plan}\n[history]\nby = \"team\"\n"));
    f.write("history.csv", &history);
    let (o, rows) = split(&f, &[]);
    assert!(
        o.stderr.contains("warning: history.csv: [history] by = \"team\": the history informs seasonality and growth only (no rep column is read), so the history share of every rep falls back to the equal share for revenue (weights.history = 0.5)"),
        "{}",
        o.stderr
    );
    // Equal shares: the two reps differ by the cents of tie-breaking only.
    let (n1, n2) = (
        cents(&rows, "North", "N1", "2027"),
        cents(&rows, "North", "N2", "2027"),
    );
    assert!((n1 - n2).abs() <= 12, "{n1} {n2}");
    // Seasonality from the team's history: the first half sold ten times more.
    let (jan, jul) = (
        cents(&rows, "North", "", "2027-01"),
        cents(&rows, "North", "", "2027-07"),
    );
    assert!(jan > 9 * jul, "{jan} {jul}");
}

#[test]
fn unknown_reps_count_toward_their_teams_seasonality() {
    let mut history = String::from("date,rep_id,team,amount,visits\n");
    for m in 1..=12 {
        for (rep, team) in [
            ("N1", "North"),
            ("N2", "North"),
            ("S1", "South"),
            ("S2", "South"),
        ] {
            history.push_str(&format!("2026-{m:02}-10,{rep},{team},100,1\n"));
        }
    }
    history.push_str("2026-03-20,GHOST,south,10000,1\n");
    let f = small("");
    f.write("history.csv", &history);
    let (o, rows) = split(&f, &[]);
    assert!(
        o.stderr.contains("warning: history.csv: 1 history rows (amount 10000) name a rep that is not in the reps table: \"GHOST\" (row 50, 1 row); they count toward their team's and the company's seasonality only"),
        "{}",
        o.stderr
    );
    let month = |team, m| cents(&rows, team, "", &format!("2027-{m:02}"));
    assert!(month("South", 3) > 10 * month("South", 4));
    assert!(month("North", 3) < 2 * month("North", 4));

    // Without a team they count toward the company's seasonality.
    let f = small("");
    f.write("history.csv", &history.replace("GHOST,south", "GHOST,"));
    f.write(
        "targets.csv",
        "scope,metric,period,amount\n*,revenue,2027,180000.50\n*,visits,2027,1500\n",
    );
    let (o, rows) = split(&f, &[]);
    assert!(
        o.stderr.contains("1 history rows (amount 10000)"),
        "{}",
        o.stderr
    );
    let month = |m| cents(&rows, "", "", &format!("2027-{m:02}"));
    assert!(month(3) > 10 * month(4), "{} {}", month(3), month(4));
}

#[test]
fn history_reps_matched_by_name() {
    let f = small("[history]\nrep_key = \"name\"\n");
    let history = small_history()
        .replace(",N1,", ",ann,")
        .replace(",N2,", ",\" BOB \",")
        .replace(",S1,", ",Di,")
        .replace(",S2,", ",ED,");
    f.write("history.csv", &history);
    let o = same_as_baseline(&f, &[]);
    assert!(!o.stderr.contains("not in the reps table"), "{}", o.stderr);
}

// ---------------------------------------------------------------------------
// §1.4 holidays

fn with_holidays(holidays: &str) -> Fixture {
    let f = small("");
    let plan = f.read("plan.toml").replace(
        "history = \"history.csv\"\n",
        "history = \"history.csv\"\nholidays = \"holidays.csv\"\n",
    );
    f.write("plan.toml", &plan);
    f.write("holidays.csv", holidays);
    f
}

#[test]
fn holidays_and_make_up_workdays() {
    let f = with_holidays(
        "date,kind\n2027-01-01,holiday\n2027-02-06,workday\n2027-02-07,调休\n2027-10-01,假日\n",
    );
    let (_, rows) = split(&f, &[]);
    // Friday 1 January is a holiday: ISO week 2026-W53 holds no working day of 2027.
    assert_eq!(get(&rows, "North", "N1", "revenue", "2026-W53"), "0.00");
    // Week 5 (1–7 February) has seven working days with the make-up weekend, week 6 five.
    let w5 = cents(&rows, "North", "N1", "2027-W05");
    let w6 = cents(&rows, "North", "N1", "2027-W06");
    assert!((5 * w5 - 7 * w6).abs() <= 35, "{w5} {w6}");
}

#[test]
fn an_unknown_holiday_kind_is_an_error() {
    let f = with_holidays("date,kind\n2027-01-01,holiday\n2027-05-03,Vacation\n");
    fails(
        &f,
        &[],
        &["holidays.csv, row 3, column B (kind): expected holiday (假日, 节假日) or workday (调休, 补班), found \"vacation\""],
    );
}

// ---------------------------------------------------------------------------
// §1.1 The plan file's paths

#[test]
fn relative_paths_are_relative_to_the_plan_file() {
    let f = Fixture::new();
    f.write("sub/plan.toml", &plan_toml(""));
    f.write("sub/targets.csv", SMALL_TARGETS);
    f.write("sub/reps.csv", SMALL_REPS);
    f.write("sub/history.csv", &small_history());
    let o = f.run(&["split", "sub/plan.toml", "--out", "out"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(f.read("out/plan.csv"), baseline());
}

// ---------------------------------------------------------------------------
// §5 Exit codes

#[test]
fn an_unknown_subcommand_and_an_unknown_language_are_exit_2() {
    let f = small("");
    f.run(&["frobnicate"])
        .fails_with(2, &["unrecognized subcommand 'frobnicate'"]);
    f.run(&["split", "plan.toml", "--out", "out", "--lang", "fr"])
        .fails_with(2, &["invalid value 'fr' for '--lang"]);
    assert!(!f.path("out").exists());
    let o = f.run(&["split", "plan.toml", "--out", "out", "--lang", "zh"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

/// A month typed into a spreadsheet's period column is often stored as a
/// date (2027-05-01): it is that month's target.
#[test]
fn a_month_period_stored_as_a_spreadsheet_date() {
    let f = bare("", "rep_id\nR1\nR2\n", "");
    save_xlsx(&f, "targets.xlsx", |book| {
        let sheet = book.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm");
        sheet
            .write_row(0, 0, ["scope", "period", "amount"])
            .unwrap();
        sheet.write_string(1, 0, "*").unwrap();
        sheet.write_string(1, 1, "2027").unwrap();
        sheet.write_number(1, 2, 120000).unwrap();
        sheet.write_string(2, 0, "*").unwrap();
        let may = rust_xlsxwriter::ExcelDateTime::from_ymd(2027, 5, 1).unwrap();
        sheet.write_datetime_with_format(2, 1, &may, &date).unwrap();
        sheet.write_number(2, 2, 30000).unwrap();
    });
    let (_, rows) = split(&f, &["--targets", "targets.xlsx"]);
    assert_eq!(get(&rows, "", "", "revenue", "2027-05"), "30000.00");
    assert_eq!(get(&rows, "", "", "revenue", "2027"), "120000.00");
}
