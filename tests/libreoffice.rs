//! A real spreadsheet application checks the workbooks: LibreOffice opens every
//! workbook of the example plan, recalculates every formula, and its totals
//! must equal plan.csv. Skips (with the reason printed) when `soffice` is absent;
//! `.ci/run` installs it.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{plan_csv, Fixture};

/// Converts every sheet of every workbook to CSV with formulas recalculated on load.
fn recalculated_sheets(books: &[PathBuf], work: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    let out = work.join("csv");
    // One LibreOffice process converts at most about 250 documents: batches of 100,
    // each with a profile of its own so that no batch is handed to a running process.
    for (i, batch) in books.chunks(100).enumerate() {
        let profile = work.join(format!("profile-{i}"));
        std::fs::create_dir_all(profile.join("user")).unwrap();
        std::fs::write(
            profile.join("user/registrymodifications.xcu"),
            RECALCULATE_ON_LOAD,
        )
        .unwrap();
        let status = Command::new("soffice")
            .arg(format!(
                "-env:UserInstallation=file://{}",
                profile.display()
            ))
            .args([
                "--headless",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                "--outdir",
            ])
            .arg(&out)
            .args(batch)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "soffice failed: {}",
            String::from_utf8_lossy(&status.stderr)
        );
    }
    let mut sheets = BTreeMap::new();
    for e in std::fs::read_dir(&out).unwrap().flatten() {
        let name = e
            .file_name()
            .to_string_lossy()
            .trim_end_matches(".csv")
            .to_string();
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(e.path())
            .unwrap();
        let rows = rdr
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        sheets.insert(name, rows);
    }
    sheets
}

/// LibreOffice settings: recalculate every formula of an xlsx file when it is opened.
const RECALCULATE_ON_LOAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#;

fn soffice_available() -> bool {
    let found = Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        println!("skipped: soffice (LibreOffice) is not installed; .ci/run installs libreoffice-calc-nogui");
    }
    found
}

/// A value as LibreOffice wrote it, in cents.
fn cents(s: &str) -> i64 {
    (s.parse::<f64>()
        .unwrap_or_else(|_| panic!("not a number: {s:?}"))
        * 100.0)
        .round() as i64
}

#[test]
fn libreoffice_recalculates_formulas_on_load() {
    if !soffice_available() {
        return;
    }
    let f = Fixture::new();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_formula(0, 0, rust_xlsxwriter::Formula::new("=1+1").set_result("5"))
        .unwrap();
    wb.save(f.path("probe.xlsx")).unwrap();
    let sheets = recalculated_sheets(&[f.path("probe.xlsx")], f.dir.path());
    let sheet = sheets.values().next().unwrap();
    assert_eq!(sheet[0][0], "2", "the cached 5 must be recalculated to 2");
}

#[test]
fn libreoffice_totals_of_the_example_equal_plan_csv() {
    if !soffice_available() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/plan.toml");
    let f = Fixture::new();
    let out = f.path("out");
    let o = f.run(&[
        "split",
        root.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    check_plan_folder(&f, &out, 12);
}

/// `gen_data.py --scale medium` (500 reps): needs ../shared/bench and python3 with pandas.
#[test]
fn libreoffice_totals_of_medium_equal_plan_csv() {
    let Some(f) = medium_data() else { return };
    f.write("data/plan.toml", support::GENERATED_PLAN);
    let out = split_data(&f);
    check_plan_folder(&f, &out, 500);
}

/// Above 1,000 reps the rep sheets are written row by row (rust_xlsxwriter's
/// low-memory sheets): medium's 500 reps and 600 more, without quota letters.
#[test]
fn libreoffice_totals_of_a_streamed_plan_equal_plan_csv() {
    let Some(f) = medium_data() else { return };
    let mut reps = std::fs::read_to_string(f.path("data/reps.csv")).unwrap();
    let teams = ["Metro", "Central"];
    for i in 0..600 {
        reps.push_str(&format!(
            "N{i:04},New Hire {i},new.{i}@example.com,{},,1.0,farmer,2026-06-01,,1.0\n",
            teams[i % 2]
        ));
    }
    f.write("data/reps.csv", &reps);
    f.write(
        "data/plan.toml",
        &format!(
            "{}[output]\nrep_workbooks = false\n",
            support::GENERATED_PLAN
        ),
    );
    let out = split_data(&f);
    let csv = std::fs::read_to_string(out.join("plan.csv")).unwrap();
    assert!(csv.contains(",N0599,"), "1,100 reps planned");
    check_plan_folder(&f, &out, 0);
}

/// A fixture holding `gen_data.py --scale medium` in `data/`; `None` (the
/// reason printed) without LibreOffice, ../shared/bench or python3 with pandas.
fn medium_data() -> Option<Fixture> {
    if !soffice_available() {
        return None;
    }
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen_data.py");
    if !bench.exists() {
        println!("skipped: {} is absent", bench.display());
        return None;
    }
    let f = Fixture::new();
    let gen = Command::new("python3")
        .arg(&bench)
        .args(["--scale", "medium", "--out"])
        .arg(f.path("data"))
        .output();
    if !gen.as_ref().is_ok_and(|g| g.status.success()) {
        println!("skipped: gen_data.py did not run (python3 with numpy and pandas needed)");
        return None;
    }
    Some(f)
}

/// Runs `plan split data/plan.toml` of the fixture; returns the plan folder.
fn split_data(f: &Fixture) -> PathBuf {
    let out = f.path("out");
    let o = f.run(&[
        "split",
        "data/plan.toml",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    out
}

/// Every workbook of a plan folder, recalculated by LibreOffice, against its plan.csv.
// One scenario read top to bottom, each step with its checks.
#[allow(clippy::too_many_lines)]
fn check_plan_folder(f: &Fixture, out: &Path, reps: usize) {
    let mut books = vec![out.join("plan.xlsx")];
    for sub in ["reps", "periods"] {
        if let Ok(dir) = std::fs::read_dir(out.join(sub)) {
            let mut more: Vec<PathBuf> = dir.flatten().map(|e| e.path()).collect();
            more.sort();
            books.extend(more);
        }
    }
    let sheets = recalculated_sheets(&books, f.dir.path());
    let rows = plan_csv(&out.join("plan.csv"));
    let target = |team: &str, rep: &str, metric: &str, period: &str| -> i64 {
        cents(
            &rows[&(
                team.to_string(),
                rep.to_string(),
                metric.to_string(),
                period.to_string(),
            )],
        )
    };
    let mut checked = 0;
    for metric in ["revenue", "new_customers", "visits"] {
        let sheet = &sheets[&format!("plan-{metric}")];
        let header = &sheet[0];
        let mut team = String::new();
        for row in &sheet[1..] {
            let (rep, label) = (&row[1], &row[0]);
            let (scope_team, scope_rep) = match (label.as_str(), rep.is_empty()) {
                ("Total", _) => (String::new(), String::new()),
                (_, true) => (team.clone(), String::new()),
                (t, false) => {
                    team = t.to_string();
                    (team.clone(), rep.clone())
                }
            };
            for (col, period) in header.iter().enumerate().skip(3) {
                let period = match period.as_str() {
                    "Year" => "2027".to_string(),
                    q if q.starts_with('Q') => format!("2027-{q}"),
                    m => m.to_string(),
                };
                assert_eq!(
                    cents(&row[col]),
                    target(&scope_team, &scope_rep, metric, &period),
                    "{metric} {label} {rep} {period}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 3 * 16 * 17, "only {checked} cells checked");
    let metrics = ["revenue", "new_customers", "visits"];
    // Quota letters: every month, quarter and year of every metric.
    let mut letters = 0;
    for (name, sheet) in sheets.iter().filter(|(n, _)| n.ends_with("-Plan")) {
        let field = |label: &str| {
            sheet
                .iter()
                .find(|r| r[0] == label)
                .map(|r| r[1].clone())
                .unwrap_or_default()
        };
        let (rep, team) = (field("Rep ID"), field("Team"));
        let head = sheet
            .iter()
            .position(|r| r[0] == "Period")
            .unwrap_or_else(|| panic!("{name}: no Period row"));
        let blocks: Vec<(usize, &str)> = sheet[head - 1]
            .iter()
            .enumerate()
            .filter_map(|(c, m)| metrics.iter().find(|x| **x == m.as_str()).map(|m| (c, *m)))
            .collect();
        assert_eq!(blocks.len(), 3, "{name}");
        for row in sheet[head + 1..].iter().take(17) {
            for (col, metric) in &blocks {
                assert_eq!(
                    cents(&row[*col]),
                    target(&team, &rep, metric, &row[0]),
                    "{name} {metric} {}",
                    row[0]
                );
            }
        }
        letters += 1;
    }
    assert_eq!(letters, reps, "a quota letter per rep");
    // Period workbooks: every rep, subtotal and total.
    let mut periods = 0;
    for (name, sheet) in sheets.iter().filter(|(n, _)| n.ends_with("-Targets")) {
        let period = name.trim_end_matches("-Targets");
        let mut team = String::new();
        for row in &sheet[1..] {
            let (t, r) = match (row[0].as_str(), row[1].is_empty()) {
                ("Total", _) => (String::new(), String::new()),
                (_, true) => (team.clone(), String::new()),
                (t, false) => {
                    team = t.to_string();
                    (team.clone(), row[1].clone())
                }
            };
            for (i, metric) in metrics.iter().enumerate() {
                assert_eq!(
                    cents(&row[3 + i]),
                    target(&t, &r, metric, period),
                    "{name} {metric} {r}"
                );
            }
        }
        periods += 1;
    }
    assert_eq!(periods, 16, "a workbook per quarter and month");
    let checks = &sheets["plan-Checks"];
    assert!(
        checks[1..].iter().all(|r| r.last().unwrap() == "pass"),
        "{checks:?}"
    );
}
