//! Hostile inputs never panic: random tables built from awkward values go
//! through reading, validation, planning and rendering, and either plan or
//! report problems that name their file.

use plan::app::config::{Config, Inputs};
use plan::app::pipeline;
use plan::store::staging::{Discard, Fill, PersistError, Sink};
use proptest::prelude::*;
use std::sync::Mutex;

/// A sink that renders every file and keeps the names.
#[derive(Default)]
struct Names(Mutex<Vec<String>>);

impl Sink for Names {
    fn put_with(&self, rel: &str, fill: &mut Fill) -> Result<(), PersistError> {
        Discard.put_with(rel, fill)?;
        self.0.lock().unwrap().push(rel.to_string());
        Ok(())
    }
}

const VALUES: &[&str] = &[
    "",
    " ",
    "0",
    "-1",
    "1",
    "2027",
    "2027-Q2",
    "2027-13",
    "2027-05",
    "1e300",
    "NaN",
    "NA",
    "N/A",
    "null",
    "=1+1",
    "@SUM(A1)",
    "1,234.56",
    "(1,234)",
    "12%",
    "¥1,234",
    "1 234",
    "１２３",
    "2026-02-30",
    "2026-01-15",
    "13/01/2026",
    "01/13/2026",
    "03/04/2026",
    "2026年3月4日",
    "31.01.2026",
    "45000",
    "North",
    "south",
    "*",
    "R1",
    "r1",
    "R2",
    "R3",
    "revenue",
    "visits",
    "销售额",
    "holiday",
    "workday",
    "调休",
    "\"quoted, comma\"",
    "ü€\u{202f}",
    "9999999999999999999999999999",
    "0.5",
    "1.5",
    "senior",
    "-0",
    "1e-30",
];

fn table(headers: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::collection::vec(
            prop::sample::select(VALUES),
            headers.len()..headers.len() + 2,
        ),
        0..12,
    )
    .prop_map(move |rows| {
        let mut s = headers.join(",");
        s.push('\n');
        for r in rows {
            s.push_str(&r.join(","));
            s.push('\n');
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn awkward_tables_never_panic(
        targets in table(&["scope", "metric", "period", "amount", "growth"]),
        reps in table(&["rep_id", "name", "team", "capability", "fte", "start_date", "end_date", "level"]),
        history in table(&["date", "rep_id", "amount", "visits", "team"]),
        holidays in table(&["date", "kind"]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [("targets.csv", &targets), ("reps.csv", &reps), ("history.csv", &history), ("holidays.csv", &holidays)] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        std::fs::write(
            dir.path().join("plan.toml"),
            "[inputs]\ntargets = \"targets.csv\"\nreps = \"reps.csv\"\nhistory = \"history.csv\"\nholidays = \"holidays.csv\"\n[metrics.visits]\nkind = \"count\"\n[capability.levels]\nsenior = 1.3\n",
        ).unwrap();
        let args = Inputs { plan_file: Some(dir.path().join("plan.toml")), ..Inputs::default() };
        let config = Config::load(&args).expect("the plan file is valid");
        match pipeline::plan(&config) {
            Ok(planned) => {
                let opts = pipeline::RenderOptions { as_of: None, lang: "en".into(), replans: None };
                let sink = Names::default();
                let manifest = pipeline::render(&config, &planned, &opts, &sink).expect("renders");
                let names = sink.0.lock().unwrap();
                prop_assert_eq!(manifest.files.len() + 1, names.len());
                prop_assert!(names.iter().any(|p| p == "plan.csv") && names.iter().any(|p| p == "manifest.json"));
            }
            Err(problems) => {
                prop_assert!(problems.iter().any(|p| p.is_error()));
            }
        }
    }
}
