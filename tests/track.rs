//! `plan track`: progress of a small plan against hand-written actuals, each
//! figure checked against a hand computation from plan.csv's month targets.

mod support;

use calamine::{open_workbook_auto, Data, Reader};
use std::collections::BTreeMap;
use support::{plan_csv, Fixture};

/// March 2027 has 23 weekdays: 1–5, 8–12, 15–19, 22–26 and 29–31 March.
const MARCH_WORKDAYS: i128 = 5 + 5 + 5 + 5 + 3;
/// 1–15 March 2027 holds 11 of them: 1–5, 8–12 and Monday 15 March.
const MARCH_ELAPSED: i128 = 5 + 5 + 1;
/// Working days after 15 March 2027 to 31 December: 2027 has 261 weekdays
/// (365 days from a Friday), January 21, February 20, 1–15 March 11.
const REMAINING: i128 = 261 - 21 - 20 - 11;

/// Actuals of N1, N2 and S1 (N3 and S2 sell nothing), one row of an
/// unknown rep, and rows before the year and after the as-of month.
const ACTUALS: &str = "date,rep_id,amount,visits
2027-01-20,N1,9000.00,40
2027-02-11,N1,10000.50,70
2027-03-03,N1,2500,6
2027-03-12,N1,1500,4
2027-01-15,N2,6000,30
2027-02-15,N2,6000,30
2027-03-10,N2,4000,20
2027-01-31,S1,3000,10
2027-02-28,S1,2000,10
2027-03-01,S1,500,5
2027-02-10,X9,777,1
2027-04-02,N1,100,1
2026-12-30,N1,100,1
";

/// Cents of a plain decimal such as `9883.91` or `120`.
fn cents(s: &str) -> i128 {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let frac = format!("{frac:0<2}");
    assert_eq!(frac.len(), 2, "{s}");
    let sign = if int.starts_with('-') { -1 } else { 1 };
    int.parse::<i128>().unwrap() * 100 + sign * frac.parse::<i128>().unwrap()
}

/// n / d rounded half away from zero (d > 0).
fn div_round(n: i128, d: i128) -> i128 {
    let q = (2 * n.abs() + d) / (2 * d);
    if n < 0 {
        -q
    } else {
        q
    }
}

/// Cents as `1234.56`.
fn money(c: i128) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
}

/// progress.csv rows keyed by (scope, team, rep_id, metric).
type Rows = BTreeMap<(String, String, String, String), BTreeMap<String, String>>;

fn progress_csv(text: &str) -> (Vec<String>, Rows) {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let head: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let mut rows = Rows::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let row: BTreeMap<String, String> = head
            .iter()
            .cloned()
            .zip(rec.iter().map(String::from))
            .collect();
        let key = (
            row["scope"].clone(),
            row["team"].clone(),
            row["rep_id"].clone(),
            row["metric"].clone(),
        );
        assert!(rows.insert(key, row).is_none(), "a row appears twice");
    }
    (head, rows)
}

fn key(scope: &str, team: &str, rep: &str, metric: &str) -> (String, String, String, String) {
    (scope.into(), team.into(), rep.into(), metric.into())
}

#[test]
// One scenario read top to bottom, each step with its checks.
#[allow(clippy::too_many_lines)]
fn progress_matches_hand_computed_figures() {
    let f = Fixture::small();
    f.split_ok();
    let before: Vec<Vec<u8>> = ["out/plan.csv", "out/manifest.json", "out/plan.xlsx"]
        .iter()
        .map(|p| std::fs::read(f.path(p)).unwrap())
        .collect();
    f.write("actuals.csv", ACTUALS);
    let o = f.run(&[
        "track",
        "--plan",
        "out",
        "--actuals",
        "actuals.csv",
        "--as-of",
        "2027-03-15",
        "--json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("1 actual rows (amount 777) name a rep that is not in the plan"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("2 actual rows are dated outside"),
        "{}",
        o.stderr
    );
    let (head, rows) = progress_csv(&f.read("out/progress.csv"));
    assert_eq!(
        head.join(","),
        "scope,team,rep_id,metric,target_year,target_to_date,actual_to_date,attainment,pace,projection,gap,needed_per_workday,status"
    );
    let plan = plan_csv(&f.path("out/plan.csv"));
    let target = |team: &str, rep: &str, period: &str| -> i128 {
        cents(&plan[&(team.into(), rep.into(), "revenue".into(), period.into())])
    };
    // By hand, in cents, for revenue as of 15 March 2027:
    //   E = Jan + Feb + Mar · 11/23 (kept as E·23 to stay exact),
    //   pace = A / E, attainment = A / Y,
    //   projection = A + (Y − E) · A / E, gap = Y − projection,
    //   needed = (Y − A) / working days left.
    // N1, say: E = 9883.91 + 9883.91 + 9050.32 · 11/23 = 24096.23;
    // A = 9000 + 10000.50 + 2500 + 1500 = 23000.50; pace 0.9545 (amber).
    let hand = [
        ("North", "N1", cents("23000.50"), "amber"),
        ("North", "N2", cents("16000.00"), "green"),
        ("South", "S1", cents("5500.00"), "red"),
    ];
    for (team, rep, actual, status) in hand {
        let year = target(team, rep, "2027");
        let e23 = (target(team, rep, "2027-01") + target(team, rep, "2027-02")) * MARCH_WORKDAYS
            + target(team, rep, "2027-03") * MARCH_ELAPSED;
        let y23 = year * MARCH_WORKDAYS;
        let projection = actual + div_round((y23 - e23) * actual, e23);
        let row = &rows[&key("rep", team, rep, "revenue")];
        assert_eq!(row["target_year"], money(year), "{rep}");
        assert_eq!(
            row["target_to_date"],
            money(div_round(e23, MARCH_WORKDAYS)),
            "{rep}"
        );
        assert_eq!(row["actual_to_date"], money(actual), "{rep}");
        let ratio = |n: i128, d: i128| format!("{:.4}", n as f64 / d as f64);
        assert_eq!(row["attainment"], ratio(actual, year), "{rep}");
        assert_eq!(row["pace"], ratio(actual * MARCH_WORKDAYS, e23), "{rep}");
        assert_eq!(row["projection"], money(projection), "{rep}");
        // The gap is taken from the exact projection, so compare within a cent.
        let gap = cents(&row["gap"]);
        assert!((gap - (year - projection)).abs() <= 1, "{rep}: gap {gap}");
        let needed = div_round((year - actual).max(0), REMAINING);
        assert_eq!(row["needed_per_workday"], money(needed), "{rep}");
        assert_eq!(row["status"], status, "{rep}");
    }
    // Visits: counts, N1 = 50 + 75 + 23 · 11/23 = 136 due, 40 + 70 + 6 + 4 = 120 done.
    let visits = |p: &str| cents(&plan[&("North".into(), "N1".into(), "visits".into(), p.into())]);
    let v = &rows[&key("rep", "North", "N1", "visits")];
    let e23 = (visits("2027-01") + visits("2027-02")) * MARCH_WORKDAYS
        + visits("2027-03") * MARCH_ELAPSED;
    assert_eq!(v["target_to_date"], money(div_round(e23, MARCH_WORKDAYS)));
    assert_eq!(v["actual_to_date"], "120");
    assert_eq!(
        v["target_year"],
        plan[&("North".into(), "N1".into(), "visits".into(), "2027".into())]
    );
    // N3 and S2 sold nothing: pace 0, red; rows of the unknown rep X9 count nowhere.
    for (team, rep) in [("North", "N3"), ("South", "S2")] {
        let row = &rows[&key("rep", team, rep, "revenue")];
        assert_eq!(
            (row["actual_to_date"].as_str(), row["pace"].as_str()),
            ("0.00", "0.0000")
        );
        assert_eq!(row["status"], "red");
    }
    // Teams and the company add up their reps.
    for metric in ["revenue", "visits"] {
        let reps: Vec<&BTreeMap<String, String>> = rows
            .iter()
            .filter(|(k, _)| k.0 == "rep" && k.3 == metric)
            .map(|(_, r)| r)
            .collect();
        let company = &rows[&key("company", "", "", metric)];
        for col in ["target_year", "actual_to_date"] {
            let sum: i128 = reps.iter().map(|r| cents(&r[col])).sum();
            assert_eq!(cents(&company[col]), sum, "{metric} {col}");
        }
        let due: i128 = reps.iter().map(|r| cents(&r["target_to_date"])).sum();
        assert!((cents(&company["target_to_date"]) - due).abs() <= reps.len() as i128);
        for team in ["North", "South"] {
            let t = &rows[&key("team", team, "", metric)];
            let sum: i128 = reps
                .iter()
                .filter(|r| r["team"] == team)
                .map(|r| cents(&r["actual_to_date"]))
                .sum();
            assert_eq!(cents(&t["actual_to_date"]), sum, "{team} {metric}");
        }
    }
    let company = &rows[&key("company", "", "", "revenue")];
    assert_eq!(
        company["actual_to_date"], "44500.50",
        "X9's 777 and April's 100 are left out"
    );
    // The JSON holds the same rows as the CSV.
    let json: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(json["as_of"], "2027-03-15");
    assert_eq!(json["year"], 2027);
    assert_eq!(json["working_days"]["as_of_month"], 23);
    assert_eq!(json["working_days"]["as_of_month_elapsed"], 11);
    assert_eq!(json["working_days"]["remaining"], REMAINING as u64);
    let jrows = json["rows"].as_array().unwrap();
    assert_eq!(jrows.len(), rows.len());
    for j in jrows {
        let k = key(
            j["scope"].as_str().unwrap(),
            j["team"].as_str().unwrap(),
            j["rep_id"].as_str().unwrap(),
            j["metric"].as_str().unwrap(),
        );
        let c = &rows[&k];
        for col in &head[..] {
            let text = match &j[col.as_str()] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => format!("{:.4}", n.as_f64().unwrap()),
                serde_json::Value::Null => String::new(),
                other => panic!("{col}: {other}"),
            };
            assert_eq!(text, c[col], "{k:?} {col}");
        }
    }
    let n2_rank = jrows
        .iter()
        .find(|j| j["rep_id"] == "N2" && j["metric"] == "revenue")
        .unwrap()["rank"]
        .clone();
    assert_eq!(n2_rank, 1, "N2 leads revenue attainment");
    let alerts = json["alerts"].as_array().unwrap();
    let has = |rep: &str, metric: &str, alert: &str| {
        alerts
            .iter()
            .any(|a| a["rep_id"] == rep && a["metric"] == metric && a["alert"] == alert)
    };
    // N2: 12,000 of 31,328.53 (38 %) at the end of February, 16,000 (51 %) now.
    assert!(has("N2", "revenue", "reached_50"), "{alerts:?}");
    assert!(has("S1", "revenue", "behind_pace"), "{alerts:?}");
    assert!(!has("N1", "revenue", "behind_pace"), "amber is not behind");
    // The workbook reads back: Summary with statuses, a sheet per metric, Reps, Alerts.
    let mut wb = open_workbook_auto(f.path("out/progress.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["Summary", "revenue", "visits", "Reps", "Alerts"]
    );
    let summary = wb.worksheet_range("Summary").unwrap();
    let n1_row = summary
        .rows()
        .find(|r| {
            r.get(2) == Some(&Data::String("N1".into())) && r[0] == Data::String("revenue".into())
        })
        .expect("N1's revenue row");
    assert_eq!(n1_row[5], Data::Float(23000.5));
    assert_eq!(n1_row[11], Data::String("amber".into()));
    assert_eq!(n1_row[12], Data::Float(2.0));
    let revenue = wb.worksheet_range("revenue").unwrap();
    let last = revenue.rows().next_back().unwrap();
    assert_eq!(last[0], Data::String("Company".into()));
    assert_eq!(last[4], Data::Float(44500.5));
    let alerts_sheet = wb.worksheet_range("Alerts").unwrap();
    assert_eq!(alerts_sheet.rows().count(), alerts.len() + 1);
    // The plan's own files are untouched, the manifest lists the progress
    // files beside them, and no temporary file is left.
    for (p, bytes) in ["out/plan.csv", "out/manifest.json", "out/plan.xlsx"]
        .iter()
        .zip(&before)
    {
        if *p != "out/manifest.json" {
            assert_eq!(&std::fs::read(f.path(p)).unwrap(), bytes, "{p}");
            continue;
        }
        let old: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        let new: serde_json::Value = serde_json::from_str(&f.read(p)).unwrap();
        assert_eq!(old["plan"], new["plan"]);
        let files = new["files"].as_array().unwrap();
        assert_eq!(
            &files[..files.len() - 2],
            old["files"].as_array().unwrap().as_slice()
        );
        for (entry, name) in files[files.len() - 2..]
            .iter()
            .zip(["progress.xlsx", "progress.csv"])
        {
            let sha = plan::folder::manifest::sha256_hex(
                &std::fs::read(f.path(&format!("out/{name}"))).unwrap(),
            );
            assert_eq!(entry["path"], name);
            assert_eq!(entry["sha256"], sha.as_str());
        }
    }
    let hidden: Vec<_> = std::fs::read_dir(f.path("out"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(hidden.is_empty());
}

#[test]
fn out_elsewhere_same_bytes_and_a_summary_line() {
    let f = Fixture::small();
    f.split_ok();
    f.write("actuals.csv", ACTUALS);
    let args = [
        "track",
        "--plan",
        "out",
        "--actuals",
        "actuals.csv",
        "--as-of",
        "2027-03-15",
    ];
    let o = f.run(&[&args[..], &["--out", "progress"]].concat());
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout
            .starts_with("progress 2027 as of 2027-03-15: 5 reps, 2 metrics"),
        "{}",
        o.stdout
    );
    assert!(o
        .stdout
        .contains("North N2 revenue: reached 50 % of the year target"));
    assert!(!f.path("out/progress.csv").exists());
    let first = std::fs::read(f.path("progress/progress.xlsx")).unwrap();
    // A stale temporary file of a dead run is removed; the bytes are the same on a second run.
    f.write("progress/.progress.csv.plan-tmp-999999999", "half");
    let o = f.run(&[&args[..], &["--out", "progress", "-q"]].concat());
    assert_eq!((o.code, o.stdout.as_str()), (0, ""), "{}", o.stderr);
    assert_eq!(
        std::fs::read(f.path("progress/progress.xlsx")).unwrap(),
        first
    );
    assert!(!f.path("progress/.progress.csv.plan-tmp-999999999").exists());
}

#[test]
fn bad_plans_dates_and_outs_have_their_exit_codes() {
    let f = Fixture::small();
    f.write("actuals.csv", ACTUALS);
    f.write(
        "notaplan/plan.csv",
        "team,rep_id,metric,period,period_kind,target\n",
    );
    f.run(&[
        "track",
        "--plan",
        "notaplan",
        "--actuals",
        "actuals.csv",
        "--as-of",
        "2027-03-15",
    ])
    .fails_with(3, &["notaplan", "not a plan folder"]);
    f.split_ok();
    f.run(&[
        "track",
        "--plan",
        "out",
        "--actuals",
        "actuals.csv",
        "--as-of",
        "15/03/2027",
    ])
    .fails_with(2, &["--as-of"]);
    f.run(&["track", "--plan", "out", "--as-of", "2027-03-15"])
        .fails_with(2, &["--actuals"]);
    f.run(&[
        "track",
        "--plan",
        "out",
        "--actuals",
        "missing.csv",
        "--as-of",
        "2027-03-15",
    ])
    .fails_with(3, &["missing.csv"]);
    f.write("afile", "x");
    f.run(&[
        "track",
        "--plan",
        "out",
        "--actuals",
        "actuals.csv",
        "--as-of",
        "2027-03-15",
        "--out",
        "afile",
    ])
    .fails_with(4, &["afile"]);
    f.write("out/plan.csv", "team,rep,metric\n");
    f.run(&[
        "track",
        "--plan",
        "out",
        "--actuals",
        "actuals.csv",
        "--as-of",
        "2027-03-15",
    ])
    .fails_with(3, &["plan.csv", "header"]);
    // Actuals without a rep column cannot be tracked.
    f.split_ok();
    f.write("norep.csv", "date,amount\n2027-01-05,10\n");
    f.run(&[
        "track",
        "--plan",
        "out",
        "--actuals",
        "norep.csv",
        "--as-of",
        "2027-03-15",
    ])
    .fails_with(3, &["rep_id"]);
}

#[test]
fn holidays_from_the_plan_file_shorten_the_month() {
    let f = Fixture::small();
    f.split_ok();
    f.write("actuals.csv", ACTUALS);
    // With 1–5 March as holidays, 6 of March's 18 working days have passed by the 15th.
    let days: String = (1..=5).map(|d| format!("2027-03-0{d},holiday\n")).collect();
    f.write("holidays.csv", &format!("date,kind\n{days}"));
    let o = f.run(&[
        "track",
        "--plan",
        "out",
        "--actuals",
        "actuals.csv",
        "--as-of",
        "2027-03-15",
        "--json",
        "--holidays",
        "holidays.csv",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let json: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(json["working_days"]["as_of_month"], 18);
    assert_eq!(json["working_days"]["as_of_month_elapsed"], 6);
    let plan = plan_csv(&f.path("out/plan.csv"));
    let t = |p: &str| cents(&plan[&("North".into(), "N1".into(), "revenue".into(), p.into())]);
    let e18 = (t("2027-01") + t("2027-02")) * 18 + t("2027-03") * 6;
    let n1 = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["rep_id"] == "N1" && j["metric"] == "revenue")
        .unwrap();
    assert_eq!(n1["target_to_date"], money(div_round(e18, 18)));
}
