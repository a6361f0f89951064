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
    let profile = work.join("profile");
    std::fs::create_dir_all(profile.join("user")).unwrap();
    std::fs::write(
        profile.join("user/registrymodifications.xcu"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
    )
    .unwrap();
    let out = work.join("csv");
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
        .args(books)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
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
    let checks = &sheets["plan-Checks"];
    assert!(
        checks[1..].iter().all(|r| r.last().unwrap() == "pass"),
        "{checks:?}"
    );
}
