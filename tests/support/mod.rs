//! Shared helpers of the integration tests: fixture folders, running the binary, reading outputs.
#![allow(dead_code)]

pub mod hostile;
pub mod smtp;

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A temporary folder with input files.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// An empty fixture.
    pub fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A fixture with a small valid plan: two teams, five reps, a year of history.
    pub fn small() -> Self {
        let f = Fixture::new();
        f.write("plan.toml", SMALL_PLAN);
        f.write("targets.csv", SMALL_TARGETS);
        f.write("reps.csv", SMALL_REPS);
        f.write("history.csv", &small_history());
        f
    }

    /// A copy of the example's inputs (examples/data, without any output folder).
    pub fn example() -> Self {
        let f = Fixture::new();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
        for name in [
            "plan.toml",
            "targets.csv",
            "reps.csv",
            "history.csv",
            "holidays.csv",
        ] {
            f.write_bytes(name, &std::fs::read(dir.join(name)).unwrap());
        }
        f
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Runs `plan ARGS` in the fixture folder.
    pub fn run(&self, args: &[&str]) -> Output {
        let out = Command::cargo_bin("plan")
            .unwrap()
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .unwrap();
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `plan split plan.toml --out out`, asserted to succeed.
    pub fn split_ok(&self) -> Output {
        let o = self.run(&["split", "plan.toml", "--out", "out"]);
        assert_eq!(o.code, 0, "split failed: {}", o.stderr);
        o
    }
}

/// `plan track` of the fixture's `out` plan with `actuals.csv`, as of 15 March 2027.
pub const TRACK_MARCH: [&str; 7] = [
    "track",
    "--plan",
    "out",
    "--actuals",
    "actuals.csv",
    "--as-of",
    "2027-03-15",
];

/// What a run printed and its exit code.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Asserts that stderr holds every fragment.
    pub fn says(&self, fragments: &[&str]) {
        for f in fragments {
            assert!(
                self.stderr.contains(f),
                "stderr lacks {f:?}:\n{}",
                self.stderr
            );
        }
    }

    /// Asserts the exit code and that stderr holds every fragment.
    pub fn fails_with(&self, code: i32, fragments: &[&str]) {
        assert_eq!(self.code, code, "exit code; stderr: {}", self.stderr);
        for f in fragments {
            assert!(
                self.stderr.contains(f),
                "stderr lacks {f:?}:\n{}",
                self.stderr
            );
        }
        assert!(
            self.stdout.is_empty(),
            "stdout not empty on failure: {}",
            self.stdout
        );
    }
}

/// plan.csv rows keyed by (team, rep_id, metric, period) → target text.
pub fn plan_csv(path: &Path) -> BTreeMap<(String, String, String, String), String> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let mut out = BTreeMap::new();
    for rec in rdr.records() {
        let r = rec.unwrap();
        out.insert(
            (
                r[0].to_string(),
                r[1].to_string(),
                r[2].to_string(),
                r[3].to_string(),
            ),
            r[5].to_string(),
        );
    }
    out
}

pub const SMALL_PLAN: &str = r#"[inputs]
targets = "targets.csv"
reps = "reps.csv"
history = "history.csv"
[metrics.visits]
kind = "count"
"#;

pub const SMALL_TARGETS: &str = "scope,metric,period,amount\nNorth,revenue,2027,120000\nSouth,revenue,2027,60000.50\nNorth,visits,2027,1000\nSouth,visits,2027,500\n";

pub const SMALL_REPS: &str = "rep_id,name,email,team,capability,fte,start_date,end_date\nN1,Ann,ann@x.com,North,1.2,1,,\nN2,Bob,bob@x.com,North,1,0.5,,\nN3,Cy,cy@x.com,North,1,1,2027-03-15,\nS1,Di,di@x.com,South,1,1,,2027-09-30\nS2,Ed,ed@x.com,South,0.8,1,,\n";

/// One row per rep and month of 2026, with a spring peak.
pub fn small_history() -> String {
    let mut s = String::from("date,rep_id,amount,visits\n");
    for m in 1..=12 {
        for (rep, base) in [("N1", 1000), ("N2", 600), ("S1", 800), ("S2", 400)] {
            let amount = base * if m <= 4 { 2 } else { 1 };
            s.push_str(&format!("2026-{m:02}-10,{rep},{amount}.25,{}\n", m % 3 + 1));
        }
    }
    s
}

/// The plan file for a `gen_data.py` folder (its count metrics declared).
pub const GENERATED_PLAN: &str = include_str!("../../benches/generated.toml");

/// A text cell of a workbook read back with calamine ("" when empty).
pub fn text(range: &calamine::Range<calamine::Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(calamine::Data::String(s)) => s.clone(),
        Some(calamine::Data::Empty) | None => String::new(),
        Some(other) => panic!("expected text at ({row}, {col}), got {other:?}"),
    }
}

/// A number cell of a workbook read back with calamine.
pub fn number(range: &calamine::Range<calamine::Data>, row: u32, col: u32) -> f64 {
    match range.get_value((row, col)) {
        Some(calamine::Data::Float(f)) => *f,
        Some(calamine::Data::Int(i)) => *i as f64,
        other => panic!("expected a number at ({row}, {col}), got {other:?}"),
    }
}
