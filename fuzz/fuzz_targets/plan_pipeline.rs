//! The whole pipeline (read, validate, plan, render) on arbitrary tables: nothing may panic.
//!
//! The input is four chunks separated by 0xFF bytes (never valid inside UTF-8
//! text): targets.csv, reps.csv, history.csv and holidays.csv. Missing chunks
//! are empty files. The plan file is fixed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plan::app::config::{Config, Inputs};
use plan::app::pipeline;
use std::path::PathBuf;
use std::sync::OnceLock;

const PLAN_TOML: &str = "[inputs]
targets = \"targets.csv\"
reps = \"reps.csv\"
history = \"history.csv\"
holidays = \"holidays.csv\"
[metrics.visits]
kind = \"count\"
[capability.levels]
senior = 1.3
";

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("plan-fuzz-pipeline-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("plan.toml"), PLAN_TOML).unwrap();
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = dir();
    let mut chunks = data.splitn(4, |&b| b == 0xFF);
    for name in ["targets.csv", "reps.csv", "history.csv", "holidays.csv"] {
        std::fs::write(dir.join(name), chunks.next().unwrap_or(b"")).unwrap();
    }
    let args = Inputs {
        plan_file: Some(dir.join("plan.toml")),
        ..Inputs::default()
    };
    let config = Config::load(&args).expect("the plan file is valid");
    match pipeline::plan(&config) {
        Ok(planned) => {
            let opts = pipeline::RenderOptions {
                as_of: None,
                lang: "en".into(),
                replans: None,
            };
            let files = pipeline::render(&config, &planned, &opts, &plan::store::staging::Discard)
                .expect("renders");
            assert!(
                files.files.len() >= 2,
                "plan.csv and plan.xlsx are rendered"
            );
        }
        Err(problems) => {
            assert!(
                problems.iter().any(|p| p.is_error()),
                "planning failed without an error"
            );
        }
    }
});
