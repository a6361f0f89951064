//! The per-rep and per-period workbooks read back with calamine: every figure
//! equals `plan.csv`, the cut weeks of a period add up to it, file names are
//! safe and unique, input text stays text, and the bytes are the same on every run.

mod support;

use calamine::{open_workbook_auto, Data, Range, Reader};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use support::{number, plan_csv, text, Fixture, SMALL_REPS};

const HYPERLINK: &str = r#"=HYPERLINK("http://x","y")"#;

type Csv = BTreeMap<(String, String, String, String), String>;

/// The small fixture with reps whose ids are unsafe as file names, and a name that looks like a formula.
fn fixture() -> Fixture {
    let f = Fixture::small();
    let extra = "../evil/x,Eve,eve@x.com,North,1,1,,\n\
                 a/b,Al,al@x.com,South,1,1,,\n\
                 a_b,Alb,,South,1,1,,\n\
                 N4,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",n4@x.com,North,1,1,,\n";
    f.write("reps.csv", &format!("{SMALL_REPS}{extra}"));
    f
}

/// Decimal places of the fixture's metrics, as in plan.csv.
fn places(metric: &str) -> usize {
    if metric == "revenue" {
        2
    } else {
        0
    }
}

fn shown(v: f64, metric: &str) -> String {
    format!("{v:.p$}", p = places(metric))
}

/// The manifest's files in its order: (path, rep_id), rep_id empty for files of no rep.
fn manifest(out: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rep_id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// rep_id → team, from plan.csv's rep rows.
fn teams(csv: &Csv) -> BTreeMap<String, String> {
    csv.keys()
        .filter(|k| !k.1.is_empty())
        .map(|k| (k.1.clone(), k.0.clone()))
        .collect()
}

fn expect<'a>(csv: &'a Csv, team: &str, rep: &str, metric: &str, period: &str) -> &'a str {
    let key = (team.into(), rep.into(), metric.into(), period.into());
    csv.get(&key)
        .unwrap_or_else(|| panic!("no plan.csv row {key:?}"))
}

/// Checks a rep's `Plan` sheet against plan.csv; returns the metrics it shows.
fn check_plan_sheet(range: &Range<Data>, csv: &Csv, team: &str, rep: &str) -> Vec<String> {
    let height = range.end().unwrap().0;
    let sub = (0..=height)
        .find(|&r| text(range, r, 0) == "Period")
        .expect("a Period header");
    let mut metrics = Vec::new();
    let mut c = 1;
    while !text(range, sub - 1, c).is_empty() {
        let metric = text(range, sub - 1, c);
        assert_eq!(text(range, sub, c), "Target");
        assert_eq!(text(range, sub, c + 1), "Last year");
        for row in sub + 1..sub + 18 {
            let period = text(range, row, 0);
            let got = shown(number(range, row, c), &metric);
            assert_eq!(
                got,
                expect(csv, team, rep, &metric, &period),
                "{rep} {period}"
            );
        }
        metrics.push(metric);
        c += 3;
    }
    assert!(!metrics.is_empty());
    metrics
}

/// Checks a rep's `Weeks` sheet against plan.csv's week rows and year.
fn check_weeks_sheet(range: &Range<Data>, csv: &Csv, team: &str, rep: &str, year: &str) {
    assert_eq!(text(range, 0, 0), "Week");
    let height = range.end().unwrap().0;
    let mut c = 2;
    while !text(range, 0, c).is_empty() {
        let metric = text(range, 0, c);
        for row in 1..=height {
            let label = text(range, row, 0);
            let period = if label == "Total" { year.into() } else { label };
            let got = shown(number(range, row, c), &metric);
            assert_eq!(
                got,
                expect(csv, team, rep, &metric, &period),
                "{rep} {period}"
            );
        }
        c += 1;
    }
    assert_eq!(text(range, height, 0), "Total");
    assert_eq!(text(range, 1, 1), "2027-01-01 – 2027-01-03");
}

#[test]
fn rep_workbooks_match_plan_csv() {
    let f = fixture();
    f.split_ok();
    let out = f.path("out");
    let csv = plan_csv(&out.join("plan.csv"));
    let teams = teams(&csv);
    let files = manifest(&out);
    let reps: BTreeMap<&str, &str> = files
        .iter()
        .filter(|(_, id)| !id.is_empty())
        .map(|(p, id)| (id.as_str(), p.as_str()))
        .collect();
    let planned: BTreeSet<&str> = teams.keys().map(String::as_str).collect();
    assert_eq!(reps.keys().copied().collect::<BTreeSet<_>>(), planned);
    for (rep, path) in &reps {
        let team = &teams[*rep];
        let mut wb = open_workbook_auto(out.join(path)).unwrap();
        assert_eq!(wb.sheet_names(), ["Plan", "Weeks"]);
        let plan = wb.worksheet_range("Plan").unwrap();
        assert_eq!(
            check_plan_sheet(&plan, &csv, team, rep),
            ["revenue", "visits"]
        );
        let weeks = wb.worksheet_range("Weeks").unwrap();
        check_weeks_sheet(&weeks, &csv, team, rep, "2027");
    }

    // Last year: N1 sold 2000.25 and 2 visits in January 2026.
    let mut wb = open_workbook_auto(out.join("reps/N1.xlsx")).unwrap();
    let plan = wb.worksheet_range("Plan").unwrap();
    let row = (0..50).find(|&r| text(&plan, r, 0) == "2027-01").unwrap();
    assert_eq!(number(&plan, row, 2), 2000.25);
    assert_eq!(number(&plan, row, 5), 2.0);
    let growth = number(&plan, row, 3);
    assert!((growth - (number(&plan, row, 1) / 2000.25 - 1.0)).abs() < 1e-9);
    let formulas = wb.worksheet_formula("Plan").unwrap();
    let at = |r: u32, c: u32| formulas.get_value((r, c)).cloned().unwrap_or_default();
    assert_eq!(
        at(row, 3),
        format!("IF(C{n}=0,\"\",B{n}/C{n}-1)", n = row + 1)
    );
    let q1 = (0..50).find(|&r| text(&plan, r, 0) == "2027-Q1").unwrap();
    assert_eq!(at(q1, 1), format!("SUM(B{}:B{})", row + 1, row + 3));

    // N3 has no history: no growth to show.
    let mut wb = open_workbook_auto(out.join("reps/N3.xlsx")).unwrap();
    let plan = wb.worksheet_range("Plan").unwrap();
    let row = (0..50).find(|&r| text(&plan, r, 0) == "2027-05").unwrap();
    assert_eq!(number(&plan, row, 2), 0.0);
    assert_eq!(text(&plan, row, 3), "");
}

/// The plan.csv (team, rep_id) of a row of reps by team: a rep, a team's subtotal, or the total.
fn row_key(range: &Range<Data>, row: u32) -> (String, String) {
    let (team, rep, name) = (
        text(range, row, 0),
        text(range, row, 1),
        text(range, row, 2),
    );
    if !rep.is_empty() {
        (team, rep)
    } else if name == "Subtotal" {
        (team, String::new())
    } else {
        assert_eq!(team, "Total", "row {row}");
        (String::new(), String::new())
    }
}

#[test]
fn period_workbooks_match_plan_csv_and_weeks_add_up() {
    let f = fixture();
    f.split_ok();
    let out = f.path("out");
    let csv = plan_csv(&out.join("plan.csv"));
    let mut labels: Vec<String> = (1..=4).map(|q| format!("2027-Q{q}")).collect();
    labels.extend((1..=12).map(|m| format!("2027-{m:02}")));
    let files = manifest(&out);
    let periods: Vec<&str> = files
        .iter()
        .map(|(p, _)| p.as_str())
        .filter(|p| p.starts_with("periods/"))
        .collect();
    let want: Vec<String> = labels.iter().map(|l| format!("periods/{l}.xlsx")).collect();
    assert_eq!(periods, want);
    for label in &labels {
        let mut wb = open_workbook_auto(out.join(format!("periods/{label}.xlsx"))).unwrap();
        assert_eq!(
            wb.sheet_names(),
            ["Targets", "Weeks revenue", "Weeks visits"]
        );
        let targets = wb.worksheet_range("Targets").unwrap();
        let metrics: Vec<String> = (3..5).map(|c| text(&targets, 0, c)).collect();
        assert_eq!(metrics, ["revenue", "visits"]);
        let mut subtotals = 0;
        for row in 1..=targets.end().unwrap().0 {
            let (team, rep) = row_key(&targets, row);
            subtotals += usize::from(rep.is_empty() && !team.is_empty());
            for (k, metric) in metrics.iter().enumerate() {
                let got = shown(number(&targets, row, 3 + k as u32), metric);
                assert_eq!(got, expect(&csv, &team, &rep, metric, label), "{label}");
            }
        }
        assert_eq!(subtotals, 2);

        for metric in &metrics {
            let weeks = wb.worksheet_range(&format!("Weeks {metric}")).unwrap();
            let (height, total) = weeks.end().unwrap();
            assert_eq!(text(&weeks, 0, total), *label);
            for c in 3..total {
                let head = text(&weeks, 0, c);
                assert!(head.contains("-W") && head.contains(" – "), "{head}");
            }
            for row in 1..=height {
                let (team, rep) = row_key(&weeks, row);
                let period = shown(number(&weeks, row, total), metric);
                assert_eq!(period, expect(&csv, &team, &rep, metric, label));
                let cut: f64 = (3..total).map(|c| number(&weeks, row, c)).sum();
                assert_eq!(shown(cut, metric), period, "{label} {metric} row {row}");
            }
        }
    }
    let jan = open_workbook_auto(out.join("periods/2027-01.xlsx"))
        .unwrap()
        .worksheet_range("Weeks visits")
        .unwrap();
    assert_eq!(text(&jan, 0, 3), "2026-W53\n(01-01 – 01-03)");
    assert_eq!(text(&jan, 0, 7), "2027-W04\n(01-25 – 01-31)");
    assert_eq!(text(&jan, 0, 8), "2027-01");
}

#[test]
fn file_names_are_safe_and_unique() {
    let f = fixture();
    f.split_ok();
    let files = manifest(&f.path("out"));
    let path_of = |id: &str| {
        files
            .iter()
            .find(|(_, rep)| *rep == id)
            .map(|(p, _)| p.clone())
            .unwrap_or_else(|| panic!("no file for {id}"))
    };
    assert_eq!(path_of("../evil/x"), "reps/_evil_x.xlsx");
    assert_eq!(path_of("a/b"), "reps/a_b.xlsx");
    assert_eq!(path_of("a_b"), "reps/a_b~2.xlsx");
    for (path, _) in &files {
        assert!(f.path("out").join(path).is_file(), "{path}");
    }
    assert!(!f.path("evil").exists());
    let json = f.read("out/manifest.json");
    assert!(json.contains("\"email\": \"al@x.com\""));
    // plan.csv, plan.xlsx, the periods, then the reps in reps-file order.
    assert_eq!(files[0].0, "plan.csv");
    assert_eq!(files[1].0, "plan.xlsx");
    assert_eq!(files[2].0, "periods/2027-Q1.xlsx");
    let reps: Vec<&str> = files
        .iter()
        .filter(|(_, rep)| !rep.is_empty())
        .map(|(_, rep)| rep.as_str())
        .collect();
    assert_eq!(
        reps,
        [
            "N1",
            "N2",
            "N3",
            "S1",
            "S2",
            "../evil/x",
            "a/b",
            "a_b",
            "N4"
        ]
    );
}

#[test]
fn input_text_stays_text() {
    let f = fixture();
    f.split_ok();
    let out = f.path("out");
    let mut wb = open_workbook_auto(out.join("reps/N4.xlsx")).unwrap();
    let plan = wb.worksheet_range("Plan").unwrap();
    let row = (0..10).find(|&r| text(&plan, r, 0) == "Name").unwrap();
    assert_eq!(text(&plan, row, 1), HYPERLINK);
    let formulas = wb.worksheet_formula("Plan").unwrap();
    assert!(formulas
        .used_cells()
        .all(|(_, _, f)| !f.contains("HYPERLINK")));
    let mut wb = open_workbook_auto(out.join("periods/2027-Q1.xlsx")).unwrap();
    let targets = wb.worksheet_range("Targets").unwrap();
    let row = (1..20).find(|&r| text(&targets, r, 1) == "N4").unwrap();
    assert_eq!(text(&targets, row, 2), HYPERLINK);
}

/// Every workbook of a plan folder: path → bytes.
fn workbooks(out: &Path) -> BTreeMap<String, Vec<u8>> {
    manifest(out)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".xlsx"))
        .map(|(p, _)| {
            let bytes = std::fs::read(out.join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

/// The numbers of every sheet of a workbook, in sheet order.
fn numbers(path: &Path) -> Vec<Vec<f64>> {
    let mut wb = open_workbook_auto(path).unwrap();
    wb.worksheets()
        .iter()
        .map(|(_, range)| {
            range
                .used_cells()
                .filter_map(|(_, _, v)| match v {
                    Data::Float(f) => Some(*f),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[test]
fn same_bytes_on_every_run_and_zh_the_same_numbers() {
    let f = fixture();
    f.split_ok();
    let o = f.run(&["split", "plan.toml", "--out", "again"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let a = workbooks(&f.path("out"));
    let b = workbooks(&f.path("again"));
    assert_eq!(a.len(), 1 + 16 + 9);
    for (path, bytes) in &a {
        assert!(b[path] == *bytes, "{path} differs between runs");
    }

    let o = f.run(&["split", "plan.toml", "--out", "zh", "--lang", "zh"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let zh = workbooks(&f.path("zh"));
    assert_eq!(zh.keys().collect::<Vec<_>>(), a.keys().collect::<Vec<_>>());
    let sheets = |p: &str| {
        open_workbook_auto(f.path("zh").join(p))
            .unwrap()
            .sheet_names()
    };
    assert_eq!(sheets("reps/N1.xlsx"), ["计划", "周"]);
    assert_eq!(
        sheets("periods/2027-Q1.xlsx"),
        ["目标", "周 revenue", "周 visits"]
    );
    for path in a
        .keys()
        .filter(|p| p.starts_with("reps/") || p.starts_with("periods/"))
    {
        assert_eq!(
            numbers(&f.path("zh").join(path)),
            numbers(&f.path("out").join(path)),
            "{path}"
        );
    }
}

#[test]
fn output_options_choose_the_workbooks() {
    let f = Fixture::small();
    let plan = f.read("plan.toml");
    f.write(
        "plan.toml",
        &format!("{plan}[output]\nrep_workbooks = false\nperiod_workbooks = [\"quarter\"]\n"),
    );
    f.split_ok();
    let files: Vec<String> = manifest(&f.path("out"))
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        files,
        [
            "plan.csv",
            "plan.xlsx",
            "periods/2027-Q1.xlsx",
            "periods/2027-Q2.xlsx",
            "periods/2027-Q3.xlsx",
            "periods/2027-Q4.xlsx",
        ]
    );
    assert!(!f.path("out/reps").exists());
}
