//! `plan.xlsx` read back with calamine: every figure of the metric sheets equals
//! `plan.csv`, the side sheets exist, the checks pass, and the file is the same
//! bytes on every run.

mod support;

use assert_cmd::Command;
use calamine::{open_workbook_auto, Data, Range, Reader, Sheets};
use std::collections::BTreeMap;
use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use support::{number, text};

const HYPERLINK: &str = r#"=HYPERLINK("http://x","y")"#;

/// Writes plan.toml and its CSVs: two teams, five reps, revenue and visits targets.
fn write_inputs(dir: &Path) {
    let files = [
        (
            "plan.toml",
            r#"year = 2027
fiscal_year_start = 4

[inputs]
targets = "targets.csv"
reps = "reps.csv"
history = "history.csv"

[metrics.visits]
kind = "count"

[output]
currency = "CNY"
company = "Test Co"
"#,
        ),
        (
            "reps.csv",
            "rep_id,name,email,team,capability,role\n\
             N1,Ann North,ann@example.com,North,1.0,hunter\n\
             N2,Bob North,bob@example.com,North,1.2,farmer\n\
             N3,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",n3@example.com,North,0.8,farmer\n\
             S1,Cat South,cat@example.com,South,1.0,hunter\n\
             S2,Dan South,dan@example.com,South,1.0,farmer\n",
        ),
        (
            "targets.csv",
            "scope,metric,period,amount\n\
             North,revenue,2027,120000.50\n\
             South,revenue,2027,80000\n\
             North,visits,2027,500\n\
             South,visits,2027,301\n",
        ),
        (
            "history.csv",
            "date,rep_id,amount,visits\n\
             2026-01-15,N1,1200.00,3\n\
             2026-03-02,N2,2500.50,5\n\
             2026-05-20,N3,800.25,2\n\
             2026-07-11,S1,3100.00,4\n\
             2026-09-30,S2,1500.75,6\n\
             2026-11-05,N1,900.00,1\n",
        ),
    ];
    for (name, text) in files {
        fs::write(dir.join(name), text).unwrap();
    }
}

/// Runs `plan split` into `out` and returns the plan.xlsx bytes.
fn split(dir: &Path, out: &Path, extra: &[&str]) -> Vec<u8> {
    Command::cargo_bin("plan")
        .unwrap()
        .current_dir(dir)
        .arg("split")
        .arg("plan.toml")
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
        .success();
    fs::read(out.join("plan.xlsx")).unwrap()
}

/// plan.csv as (team, rep_id, metric, period) → target.
fn read_plan_csv(out: &Path) -> BTreeMap<(String, String, String, String), String> {
    let mut rdr = csv::Reader::from_path(out.join("plan.csv")).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (
                (r[0].into(), r[1].into(), r[2].into(), r[3].into()),
                r[5].into(),
            )
        })
        .collect()
}

/// What a metric sheet holds, by kind of row.
#[derive(Debug, Default, PartialEq)]
struct Counts {
    reps: usize,
    subtotals: usize,
    totals: usize,
}

/// Checks every figure of a metric sheet against plan.csv.
fn check_metric_sheet(
    range: &Range<Data>,
    csv: &BTreeMap<(String, String, String, String), String>,
    metric: &str,
    places: usize,
    (subtotal, total): (&str, &str),
) -> Counts {
    // Figure columns 3.. : 12 months (labelled as plan.csv's periods), Q1–Q4, year.
    let mut periods: Vec<String> = (3..15).map(|c| text(range, 0, c)).collect();
    periods.extend((1..=4).map(|q| format!("2027-Q{q}")));
    periods.push("2027".into());
    assert_eq!(periods[0], "2027-04");
    let mut counts = Counts::default();
    let height = range.end().unwrap().0;
    for row in 1..=height {
        let (team, rep_id, name) = (
            text(range, row, 0),
            text(range, row, 1),
            text(range, row, 2),
        );
        let key_of = if !rep_id.is_empty() {
            counts.reps += 1;
            (team, rep_id)
        } else if name == subtotal {
            counts.subtotals += 1;
            (team, String::new())
        } else {
            assert_eq!(team, total, "row {row}");
            counts.totals += 1;
            (String::new(), String::new())
        };
        for (k, period) in periods.iter().enumerate() {
            let key = (
                key_of.0.clone(),
                key_of.1.clone(),
                metric.to_string(),
                period.clone(),
            );
            let want = csv
                .get(&key)
                .unwrap_or_else(|| panic!("no plan.csv row {key:?}"));
            let got = format!("{:.places$}", number(range, row, 3 + k as u32));
            assert_eq!(&got, want, "{metric} row {row} {period}");
        }
    }
    counts
}

/// Checks the revenue and visits sheets (two teams, `reps` reps) against
/// plan.csv; returns the revenue sheet.
fn both_metric_sheets(
    wb: &mut Sheets<BufReader<fs::File>>,
    csv: &BTreeMap<(String, String, String, String), String>,
    reps: usize,
) -> Range<Data> {
    let expected = Counts {
        reps,
        subtotals: 2,
        totals: 1,
    };
    let labels = ("Subtotal", "Total");
    let revenue = wb.worksheet_range("revenue").unwrap();
    assert_eq!(
        check_metric_sheet(&revenue, csv, "revenue", 2, labels),
        expected
    );
    let visits = wb.worksheet_range("visits").unwrap();
    assert_eq!(
        check_metric_sheet(&visits, csv, "visits", 0, labels),
        expected
    );
    revenue
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    fs::create_dir(&dir).unwrap();
    write_inputs(&dir);
    (tmp, dir)
}

#[test]
fn metric_sheets_match_plan_csv_and_checks_pass() {
    let (tmp, dir) = setup();
    let out = tmp.path().join("out");
    split(&dir, &out, &[]);
    let csv = read_plan_csv(&out);
    let mut wb = open_workbook_auto(out.join("plan.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "revenue",
            "visits",
            "Seasonality",
            "Weights",
            "Checks",
            "Assumptions"
        ]
    );
    let revenue = both_metric_sheets(&mut wb, &csv, 5);

    // Text from input stays text: the name reads back as written, not as a formula.
    let row = (1..=revenue.end().unwrap().0)
        .find(|&r| text(&revenue, r, 1) == "N3")
        .unwrap();
    assert_eq!(text(&revenue, row, 2), HYPERLINK);
    let formulas = wb.worksheet_formula("revenue").unwrap();
    assert!(formulas.get_value((row, 2)).is_none_or(|f| f.is_empty()));
    assert_eq!(
        formulas.get_value((row, 19)).map(String::as_str),
        Some(&*format!("SUM(D{n}:O{n})", n = row + 1))
    );

    let checks = wb.worksheet_range("Checks").unwrap();
    // The checks, then (after a blank row) the run's warnings.
    let rows = (1..)
        .take_while(|&r| !text(&checks, r, 0).is_empty())
        .count() as u32;
    assert_eq!(rows, 4, "two teams × two metrics");
    for r in 1..=rows {
        assert_eq!(text(&checks, r, 10), "pass", "Checks row {r}");
    }
    assert!(!checks
        .used_cells()
        .any(|(_, _, v)| matches!(v, Data::String(s) if s == "FAIL")));
    for sheet in ["Seasonality", "Weights", "Assumptions"] {
        assert!(wb.worksheet_range(sheet).unwrap().height() > 1, "{sheet}");
    }
}

#[test]
fn same_inputs_give_the_same_bytes_and_zh_the_same_numbers() {
    let (tmp, dir) = setup();
    let a = split(&dir, &tmp.path().join("a"), &[]);
    let b = split(&dir, &tmp.path().join("elsewhere"), &[]);
    assert!(a == b, "two runs gave different plan.xlsx bytes");

    let zh_out = tmp.path().join("zh");
    split(&dir, &zh_out, &["--lang", "zh"]);
    let csv = read_plan_csv(&zh_out);
    let mut zh = open_workbook_auto(zh_out.join("plan.xlsx")).unwrap();
    assert_eq!(
        zh.sheet_names(),
        ["revenue", "visits", "季节性", "权重", "校验", "假设"]
    );
    let revenue = zh.worksheet_range("revenue").unwrap();
    assert_eq!(text(&revenue, 0, 0), "团队");
    let counts = check_metric_sheet(&revenue, &csv, "revenue", 2, ("小计", "合计"));
    assert_eq!(counts.reps, 5);

    let mut en = open_workbook_auto(tmp.path().join("a").join("plan.xlsx")).unwrap();
    let en_revenue = en.worksheet_range("revenue").unwrap();
    let numbers = |r: &Range<Data>| -> Vec<f64> {
        r.used_cells()
            .filter_map(|(_, _, v)| match v {
                Data::Float(f) => Some(*f),
                _ => None,
            })
            .collect()
    };
    assert_eq!(numbers(&revenue), numbers(&en_revenue));
    let checks = zh.worksheet_range("校验").unwrap();
    assert!(!checks
        .used_cells()
        .any(|(_, _, v)| matches!(v, Data::String(s) if s == "FAIL")));
}

#[test]
fn above_a_thousand_reps_the_rep_sheets_are_streamed_with_the_same_figures() {
    let (tmp, dir) = setup();
    let mut reps = String::from("rep_id,name,email,team,capability,role\n");
    for i in 0..1200 {
        let team = ["North", "South"][i % 2];
        reps.push_str(&format!(
            "R{i:04},Rep {i},r{i}@example.com,{team},1.0,farmer\n"
        ));
    }
    fs::write(dir.join("reps.csv"), reps).unwrap();
    let out = tmp.path().join("out");
    split(&dir, &out, &[]);
    let csv = read_plan_csv(&out);
    let mut wb = open_workbook_auto(out.join("plan.xlsx")).unwrap();
    both_metric_sheets(&mut wb, &csv, 1200);
    let formulas = wb.worksheet_formula("revenue").unwrap();
    assert_eq!(
        formulas.get_value((1, 19)).map(String::as_str),
        Some("SUM(D2:O2)")
    );
    let weights = wb.worksheet_range("Weights").unwrap();
    assert_eq!(
        weights.end().unwrap().0,
        1 + 2 * 1200,
        "a row per rep and metric"
    );
    let checks = wb.worksheet_range("Checks").unwrap();
    for r in (1..).take_while(|&r| !text(&checks, r, 0).is_empty()) {
        assert_eq!(text(&checks, r, 10), "pass", "Checks row {r}");
    }

    // Written row by row: no `spans` hint (nor, in rust_xlsxwriter's
    // low-memory sheets, a team outline); the Seasonality sheet as before.
    let plan = out.join("plan.xlsx");
    assert!(!zipped(&plan, "xl/worksheets/sheet1.xml").contains("spans="));
    assert!(zipped(&plan, "xl/worksheets/sheet3.xml").contains("spans="));

    // A period workbook: every figure of its Targets sheet is plan.csv's.
    let mut q1 = open_workbook_auto(out.join("periods/2027-Q1.xlsx")).unwrap();
    let targets = q1.worksheet_range("Targets").unwrap();
    let mut reps_seen = 0;
    for row in 1..=targets.end().unwrap().0 {
        let (team, rep_id) = (text(&targets, row, 0), text(&targets, row, 1));
        let name = text(&targets, row, 2);
        let key_of = match (rep_id.is_empty(), name.as_str()) {
            (false, _) => (team, rep_id),
            (true, "Subtotal") => (team, String::new()),
            _ => (String::new(), String::new()),
        };
        reps_seen += usize::from(!key_of.1.is_empty());
        for (k, (metric, places)) in [("revenue", 2), ("visits", 0)].into_iter().enumerate() {
            let key = (
                key_of.0.clone(),
                key_of.1.clone(),
                metric.into(),
                "2027-Q1".into(),
            );
            let got = format!("{:.places$}", number(&targets, row, 3 + k as u32));
            assert_eq!(Some(&got), csv.get(&key), "Targets row {row} {metric}");
        }
    }
    assert_eq!(reps_seen, 1200);
}

/// One part of a zipped workbook, as text.
fn zipped(path: &Path, part: &str) -> String {
    let mut zip = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(part).unwrap(), &mut text).unwrap();
    text
}
