//! The binary end to end: commands, outputs, safety rules and exit codes (SPEC §4–5).

mod support;

use std::collections::BTreeMap;
use support::{plan_csv, Fixture, SMALL_REPS, SMALL_TARGETS};

fn sha_tree(dir: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn split_writes_exact_plan_csv() {
    let f = Fixture::small();
    let o = f.split_ok();
    assert!(o.stdout.contains("5 reps, 2 metrics"), "{}", o.stdout);
    let rows = plan_csv(&f.path("out/plan.csv"));
    let get = |team: &str, rep: &str, metric: &str, period: &str| -> i64 {
        let v = &rows[&(
            team.to_string(),
            rep.to_string(),
            metric.to_string(),
            period.to_string(),
        )];
        v.replace('.', "").parse().unwrap()
    };
    assert_eq!(get("North", "", "revenue", "2027"), 12_000_000);
    assert_eq!(get("South", "", "revenue", "2027"), 6_000_050);
    assert_eq!(get("", "", "revenue", "2027"), 18_000_050);
    assert_eq!(get("", "", "visits", "2027"), 1500);
    // Every team month is the sum of its reps' months; quarters and the year are sums of months.
    for (team, reps) in [
        ("North", vec!["N1", "N2", "N3"]),
        ("South", vec!["S1", "S2"]),
    ] {
        for m in 1..=12 {
            let p = format!("2027-{m:02}");
            let sum: i64 = reps.iter().map(|r| get(team, r, "revenue", &p)).sum();
            assert_eq!(sum, get(team, "", "revenue", &p), "{team} {p}");
        }
        for r in &reps {
            let months: i64 = (1..=12)
                .map(|m| get(team, r, "revenue", &format!("2027-{m:02}")))
                .sum();
            let quarters: i64 = (1..=4)
                .map(|q| get(team, r, "revenue", &format!("2027-Q{q}")))
                .sum();
            assert_eq!(months, get(team, r, "revenue", "2027"));
            assert_eq!(quarters, months);
            let weeks: i64 = rows
                .iter()
                .filter(|((t, rep, m, p), _)| {
                    t == team && rep == r && m == "revenue" && p.contains("-W")
                })
                .map(|(_, v)| v.replace('.', "").parse::<i64>().unwrap())
                .sum();
            assert_eq!(weeks, months, "{r}: weeks sum to the year");
        }
    }
    // N3 starts on 15 March: nothing before, a ramped share after.
    assert_eq!(get("North", "N3", "revenue", "2027-02"), 0);
    assert!(get("North", "N3", "revenue", "2027-04") > 0);
    // S1 leaves on 30 September: nothing after.
    assert_eq!(get("South", "S1", "revenue", "2027-10"), 0);
    let manifest: serde_json::Value = serde_json::from_str(&f.read("out/manifest.json")).unwrap();
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["path"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"plan.csv") && files.contains(&"plan.xlsx"));
    assert_eq!(manifest["plan"]["year"], 2027);
    assert!(manifest["plan"]["as_of"].is_null());
}

#[test]
fn identical_inputs_give_identical_bytes_from_another_folder() {
    let a = Fixture::small();
    let b = Fixture::small();
    a.split_ok();
    b.run(&["split", "plan.toml", "--out", "elsewhere/deeper"]);
    let (ta, tb) = (
        sha_tree(&a.path("out")),
        sha_tree(&b.path("elsewhere/deeper")),
    );
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(v == &tb[k], "{k} differs between runs");
    }
    a.split_ok();
    assert_eq!(
        sha_tree(&a.path("out")),
        ta,
        "a rerun in place changes nothing"
    );
}

#[test]
fn example_csv_and_xlsx_inputs_give_the_same_plan() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let f = Fixture::new();
    let csv_out = f.path("csv");
    let xlsx_out = f.path("xlsx");
    for (toml, out) in [("data/plan.toml", &csv_out), ("xlsx/plan.toml", &xlsx_out)] {
        let o = f.run(&[
            "split",
            root.join(toml).to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(o.code, 0, "{toml}: {}", o.stderr);
    }
    assert_eq!(
        std::fs::read(csv_out.join("plan.csv")).unwrap(),
        std::fs::read(xlsx_out.join("plan.csv")).unwrap()
    );
    let rows = plan_csv(&csv_out.join("plan.csv"));
    // Fiscal year from April: the first month is 2027-04, the last 2028-03.
    assert!(rows.keys().any(|k| k.3 == "2027-04") && rows.keys().any(|k| k.3 == "2028-03"));
    assert!(!rows.keys().any(|k| k.3 == "2027-03"));
}

#[test]
fn a_failed_run_leaves_the_previous_plan_untouched() {
    let f = Fixture::small();
    f.split_ok();
    let before = sha_tree(&f.path("out"));
    f.write(
        "targets.csv",
        "scope,metric,period,amount\nNorth,revenue,2027,-5\n",
    );
    let o = f.run(&["split", "plan.toml", "--out", "out"]);
    o.fails_with(
        3,
        &[
            "targets.csv, row 2, column D (amount)",
            "negative",
            "no file was written",
        ],
    );
    assert_eq!(sha_tree(&f.path("out")), before);
    let leftovers: Vec<String> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("plan-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_foreign_out_folder_is_refused_unless_forced() {
    let f = Fixture::small();
    f.write("mine/notes.txt", "keep me");
    f.run(&["split", "plan.toml", "--out", "mine"])
        .fails_with(4, &["mine", "not a plan", "--force"]);
    assert!(!f.path("mine/plan.csv").exists());
    let o = f.run(&["split", "plan.toml", "--out", "mine", "--force"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(f.read("mine/notes.txt"), "keep me");
    assert!(f.path("mine/plan.csv").exists());
}

#[test]
fn an_unwritable_out_is_exit_4() {
    let f = Fixture::small();
    f.write("afile", "x");
    f.run(&["split", "plan.toml", "--out", "afile"])
        .fails_with(4, &["afile", "not a folder"]);
    f.run(&["split", "plan.toml", "--out", "afile/sub"])
        .fails_with(4, &["afile"]);
}

#[test]
fn stale_temporary_folders_are_removed() {
    let f = Fixture::small();
    f.write(".out.plan-tmp-999999999/half-written.csv", "x");
    f.split_ok();
    assert!(!f.path(".out.plan-tmp-999999999").exists());
}

#[test]
fn dry_run_writes_nothing() {
    let f = Fixture::small();
    let o = f.run(&["split", "plan.toml", "--out", "out", "--dry-run"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("dry run"));
    assert!(!f.path("out").exists());
}

#[test]
fn json_summary_and_as_of() {
    let f = Fixture::small();
    let o = f.run(&[
        "split",
        "plan.toml",
        "--out",
        "out",
        "--json",
        "--as-of",
        "2027-01-15",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(o.stdout.trim()).unwrap();
    assert_eq!(v["reps"], 5);
    let manifest: serde_json::Value = serde_json::from_str(&f.read("out/manifest.json")).unwrap();
    assert_eq!(manifest["plan"]["as_of"], "2027-01-15");
}

#[test]
fn flags_override_the_plan_file_and_inputs_are_never_modified() {
    let f = Fixture::small();
    f.write(
        "other_targets.csv",
        "scope,metric,period,amount\n*,revenue,2027,1000\n",
    );
    let before = f.read("targets.csv");
    let o = f.run(&[
        "split",
        "plan.toml",
        "--targets",
        "other_targets.csv",
        "--out",
        "out",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let rows = plan_csv(&f.path("out/plan.csv"));
    assert_eq!(
        rows[&("".into(), "".into(), "revenue".into(), "2027".into())],
        "1000.00"
    );
    assert_eq!(f.read("targets.csv"), before);
}

#[test]
fn usage_errors_are_exit_2() {
    let f = Fixture::new();
    f.run(&["split"])
        .fails_with(2, &["targets and the reps must be named"]);
    f.run(&["split", "--bogus"]).fails_with(2, &["--bogus"]);
    let f = Fixture::small();
    f.run(&["split", "plan.toml", "--as-of", "soon"])
        .fails_with(2, &["--as-of", "soon"]);
}

#[test]
fn help_lists_the_exit_codes() {
    let o = Fixture::new().run(&["split", "--help"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("4  output not written"));
}

#[test]
fn check_lists_every_problem_sorted_and_as_json() {
    let f = Fixture::small();
    f.write(
        "reps.csv",
        "rep_id,name,team,fte,capability\nN1,Ann,North,1,1\nN1,Dup,North,1,1\nN2,Bob,North,1.5,1\nS1,Di,South,1,-2\n",
    );
    f.write(
        "targets.csv",
        "scope,metric,period,amount\nNorth,revenue,2027,abc\nSouth,revenue,2027-Q7,10\n",
    );
    let o = f.run(&["check", "plan.toml"]);
    o.fails_with(
        3,
        &[
            "reps.csv, row 3, column A (rep_id): rep_id \"N1\" appears twice (first on row 2)",
            "reps.csv, row 4, column D (fte)",
            "reps.csv, row 5, column E (capability)",
            "targets.csv, row 2, column D (amount): expected a number",
            "found \"abc\"",
            "targets.csv, row 3, column C (period): expected a period",
        ],
    );
    let reps_at = o.stderr.find("reps.csv, row 3").unwrap();
    let targets_at = o.stderr.find("targets.csv, row 2").unwrap();
    assert!(reps_at < targets_at, "sorted by file");
    let o = f.run(&["check", "plan.toml", "--json"]);
    assert_eq!(o.code, 3);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let problems: Vec<&serde_json::Value> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["severity"] == "error")
        .collect();
    assert_eq!(problems.len(), 5);
    assert_eq!(v["ok"], false);
    assert_eq!(problems[0]["origin"]["file"], "reps.csv");
    assert_eq!(problems[0]["origin"]["row"], 3);
    // Columns read as in the text: the letter and its 1-based number.
    for p in &problems {
        let Some(letter) = p["origin"]["column"].as_str() else {
            continue;
        };
        let number = letter
            .bytes()
            .fold(0, |n, b| n * 26 + u64::from(b - b'A' + 1));
        assert_eq!(p["origin"]["col"], number, "{p}");
        let shown = format!("row {}, column {letter}", p["origin"]["row"]);
        assert!(o.stderr.contains(&shown), "{shown} not in {}", o.stderr);
    }
    assert!(problems.iter().any(|p| p["origin"]["column"].is_string()));
    let ok = Fixture::small().run(&["check", "plan.toml"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
}

#[test]
fn check_takes_the_flags_of_split_and_checks_the_replan() {
    let f = Fixture::small();
    f.split_ok();
    let line = [
        "--out",
        "out",
        "--as-of",
        "2027-06-15",
        "--lang",
        "zh",
        "--force",
        "--dry-run",
    ];
    let before = sha_tree(f.dir.path());
    let o = f.run(&[&["check", "plan.toml"][..], &line].concat());
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(sha_tree(f.dir.path()), before, "check writes nothing");
    // The re-plan's previous plan is read, as split would read it.
    std::fs::write(f.path("out/plan.csv"), "team,rep_id\n").unwrap();
    let o = f.run(&[&["check", "plan.toml"][..], &line].concat());
    o.fails_with(3, &["out/plan.csv", "--fresh"]);
    let fresh = f.run(&[&["check", "plan.toml", "--fresh"][..], &line].concat());
    assert_eq!(fresh.code, 0, "{}", fresh.stderr);
}

#[test]
fn strict_turns_warnings_into_exit_3() {
    let f = Fixture::small();
    let mut hist = support::small_history();
    hist.push_str("2026-05-05,GHOST,999,1\n");
    f.write("history.csv", &hist);
    let o = f.run(&["split", "plan.toml", "--out", "out"]);
    assert_eq!(o.code, 0);
    assert!(
        o.stderr
            .contains("1 history rows (amount 999) name a rep that is not in the reps table"),
        "{}",
        o.stderr
    );
    f.run(&["split", "plan.toml", "--out", "out2", "--strict"])
        .fails_with(
            3,
            &["GHOST", "--strict"].map(|s| if s == "GHOST" { "1 history rows" } else { s }),
        );
    assert!(!f.path("out2").exists());
    let q = f.run(&["split", "plan.toml", "--out", "out3", "-q"]);
    assert_eq!(q.code, 0);
    assert!(
        q.stderr.is_empty() && q.stdout.is_empty(),
        "-q shows errors only: {}",
        q.stderr
    );
}

/// One bad input: a file to overwrite, and what the message must name.
struct Case {
    name: &'static str,
    file: &'static str,
    text: &'static str,
    code: i32,
    expect: &'static [&'static str],
}

#[test]
fn every_kind_of_bad_input_names_its_place() {
    let cases = [
        Case { name: "missing file", file: "plan.toml", text: "[inputs]\ntargets = \"nope.csv\"\nreps = \"reps.csv\"\n", code: 3, expect: &["nope.csv", "No such file"] },
        Case { name: "unknown plan key", file: "plan.toml", text: "year = 2027\n[inputs]\ntargets = \"targets.csv\"\nreps = \"reps.csv\"\n[rules]\nsmothing = 0.1\n", code: 3, expect: &["plan.toml, row 6", "unknown field `smothing`", "did you mean `smoothing`?"] },
        Case { name: "bad rule value", file: "plan.toml", text: "[inputs]\ntargets = \"targets.csv\"\nreps = \"reps.csv\"\n[rules]\nsmoothing = 2\n", code: 3, expect: &["plan.toml (rules.smoothing)", "from 0 to 1", "found \"2\""] },
        Case { name: "empty targets", file: "targets.csv", text: "", code: 3, expect: &["targets.csv", "empty"] },
        Case { name: "header only", file: "targets.csv", text: "scope,metric,period,amount\n", code: 3, expect: &["targets.csv", "header but no rows"] },
        Case { name: "no header", file: "targets.csv", text: "a,b\n1,2\n", code: 3, expect: &["targets.csv", "no header row", "period"] },
        Case { name: "NA is no number", file: "targets.csv", text: "scope,metric,period,amount\nNorth,revenue,2027,NA\nSouth,revenue,2027,5\n", code: 3, expect: &["targets.csv, row 2, column D (amount)", "found \"NA\""] },
        Case { name: "unknown scope", file: "targets.csv", text: "scope,metric,period,amount\nWest,revenue,2027,100\n", code: 3, expect: &["targets.csv, row 2", "\"West\" is neither a team with reps nor a rep_id"] },
        Case { name: "undeclared metric", file: "targets.csv", text: "scope,metric,period,amount\nNorth,visit,2027,100\n", code: 3, expect: &["targets.csv, row 2, column B (metric)", "found \"visit\"", "did you mean \"visits\"?"] },
        Case { name: "company is not the sum", file: "targets.csv", text: "scope,metric,period,amount\n*,revenue,2027,100\nNorth,revenue,2027,60\nSouth,revenue,2027,30\n", code: 3, expect: &["targets.csv, row 2", "company target 100.00 is not the sum of the team targets 90.00"] },
        Case { name: "two fiscal years", file: "targets.csv", text: "scope,metric,period,amount\nNorth,revenue,2027,100\nSouth,revenue,2028,100\n", code: 3, expect: &["more than one fiscal year (2027, 2028)", "--year"] },
        Case { name: "growth without history", file: "targets.csv", text: "scope,metric,period,growth\nNorth,revenue,2028,10%\n", code: 3, expect: &["targets.csv, row 2", "growth target needs a positive actual", "2027-01 to 2027-12"] },
        Case { name: "duplicate target", file: "targets.csv", text: "scope,metric,period,amount\nNorth,revenue,2027,100\nnorth,revenue,2027,100\n", code: 3, expect: &["targets.csv, row 3", "a second target"] },
        Case { name: "parts exceed the whole", file: "targets.csv", text: "scope,metric,period,amount\nNorth,revenue,2027,100\nNorth,revenue,2027-Q1,150\n", code: 3, expect: &["revenue/North", "parts (150.00) exceed their whole (100.00)"] },
        Case { name: "held rep above the team month", file: "targets.csv", text: "scope,metric,period,amount\nNorth,revenue,2027-01,100\nN1,revenue,2027-01,150\n", code: 3, expect: &["held rep targets in team North for 2027-01 (150.00) exceed the team's month target (100.00)"] },
        Case { name: "end before start", file: "reps.csv", text: "rep_id,team,start_date,end_date\nN1,North,2027-05-01,2027-04-01\n", code: 3, expect: &["reps.csv, row 2, column D (end_date)", "before start_date"] },
        Case { name: "impossible date", file: "reps.csv", text: "rep_id,team,start_date\nN1,North,2027-02-30\n", code: 3, expect: &["reps.csv, row 2, column C (start_date)", "impossible date"] },
        Case { name: "ambiguous dates", file: "reps.csv", text: "rep_id,team,start_date\nN1,North,03/04/2026\nS1,South,05/06/2026\n", code: 3, expect: &["reps.csv, row 2, column C (start_date)", "ambiguous", "date_format"] },
        Case { name: "mixed date orders", file: "reps.csv", text: "rep_id,team,start_date\nN1,North,13/04/2026\nS1,South,05/26/2026\n", code: 3, expect: &["reps.csv, column C (start_date)", "mixes day/month/year (row 2: 13/04/2026) and month/day/year (row 3: 05/26/2026)"] },
        Case { name: "unmapped level", file: "reps.csv", text: "rep_id,team,level\nN1,North,senior\nS1,South,\n", code: 3, expect: &["reps.csv, row 2, column C (level)", "found \"senior\"", "[capability.levels]"] },
        Case { name: "empty rep id", file: "reps.csv", text: "rep_id,team\n,North\nS1,South\n", code: 3, expect: &["reps.csv, row 2, column A (rep_id)", "needs a rep_id"] },
        Case { name: "shifted column", file: "reps.csv", text: "rep_id,team\nN1,North\nS1,South,extra\n", code: 3, expect: &["reps.csv, row 3", "header has 2"] },
        Case { name: "text in a history amount", file: "history.csv", text: "date,rep_id,amount\n2026-01-05,N1,12\n2026-01-06,N1,twelve\n", code: 3, expect: &["history.csv, row 3, column C (amount)", "found \"twelve\""] },
        Case { name: "csv renamed xlsx", file: "targets.xlsx", text: "scope,metric,period,amount\n", code: 3, expect: &["targets.xlsx", "text"] },
        Case { name: "html saved as xls", file: "targets.xls", text: "<html><body><table><tr><td>x</td></tr></table></body></html>", code: 3, expect: &["targets.xls", "HTML"] },
    ];
    for case in cases {
        let f = Fixture::small();
        f.write(case.file, case.text);
        let args: Vec<&str> = match case.file {
            "targets.xlsx" | "targets.xls" => {
                vec!["split", "plan.toml", "--targets", case.file, "--out", "out"]
            }
            _ => vec!["split", "plan.toml", "--out", "out"],
        };
        let o = f.run(&args);
        assert_eq!(o.code, case.code, "{}: {}", case.name, o.stderr);
        for e in case.expect {
            assert!(
                o.stderr.contains(e),
                "{}: stderr lacks {e:?}:\n{}",
                case.name,
                o.stderr
            );
        }
        assert!(o.stdout.is_empty(), "{}: stdout on failure", case.name);
        assert!(
            !f.path("out").exists(),
            "{}: no output on failure",
            case.name
        );
    }
}

#[test]
fn invalid_utf8_names_the_line_and_suggests_an_encoding() {
    let f = Fixture::small();
    let mut bytes = b"rep_id,name,team\nN1,Ann,North\nN2,".to_vec();
    bytes.extend_from_slice(&[0xD5, 0xC5]);
    bytes.extend_from_slice(b",North\nS1,Di,South\n");
    f.write_bytes("reps.csv", &bytes);
    let o = f.run(&["check", "plan.toml"]);
    o.fails_with(3, &["reps.csv", "3", "UTF-8", "encoding"]);
}

#[test]
fn gbk_reps_with_chinese_headers_read_with_the_encoding_option() {
    let f = Fixture::small();
    let text = "工号,姓名,团队\nN1,张伟,North\nN2,李娜,North\nN3,王芳,North\nS1,刘洋,South\nS2,陈静,South\n";
    let (bytes, _, _) = encoding_rs::GBK.encode(text);
    f.write_bytes("reps.csv", &bytes);
    f.write(
        "plan.toml",
        &format!("{}[reps]\nencoding = \"gbk\"\n", support::SMALL_PLAN),
    );
    f.split_ok();
    let csv = f.read("out/plan.csv");
    assert!(csv.contains("North,N1,revenue,2027,year,"));
}

#[test]
fn deduced_date_order_is_reported() {
    let f = Fixture::small();
    let reps = SMALL_REPS.replace("2027-03-15", "15/03/2027").replace(
        "N1,Ann,ann@x.com,North,1.2,1,,",
        "N1,Ann,ann@x.com,North,1.2,1,01/02/2020,",
    );
    f.write("reps.csv", &reps);
    let o = f.split_ok();
    assert!(
        o.stderr.contains("note: reps.csv, column G (start_date): dates read as day/month/year, as row 4 (15/03/2027) shows"),
        "{}",
        o.stderr
    );
    let rows = plan_csv(&f.path("out/plan.csv"));
    // N1 started on 1 February 2020 (not 2 January): long past ramp, so a full share in every month.
    assert!(
        rows[&(
            "North".into(),
            "N1".into(),
            "revenue".into(),
            "2027-01".into()
        )] != "0.00"
    );
    assert!(SMALL_TARGETS.contains("North"));
}

#[test]
fn a_second_run_on_a_locked_out_exits_4_and_a_later_run_succeeds() {
    let f = Fixture::small();
    f.split_ok();
    let before = sha_tree(&f.path("out"));
    let lock = plan::store::staging::lock(
        &plan::store::staging::OutPath::resolve(&f.path("out")).unwrap(),
    )
    .unwrap();
    f.run(&["split", "plan.toml", "--out", "out"])
        .fails_with(4, &["another plan run is writing", ".out.plan-lock"]);
    assert_eq!(
        sha_tree(&f.path("out")),
        before,
        "the locked plan is untouched"
    );
    drop(lock);
    f.split_ok();
}

#[test]
fn json_lists_the_files_changed_since_the_previous_plan() {
    let f = Fixture::small();
    let first = f.run(&["split", "plan.toml", "--out", "out", "--json"]);
    let v: serde_json::Value = serde_json::from_str(first.stdout.trim()).unwrap();
    assert!(v["added"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "plan.csv"));
    let same = f.run(&["split", "plan.toml", "--out", "out", "--json"]);
    let v: serde_json::Value = serde_json::from_str(same.stdout.trim()).unwrap();
    assert_eq!(v["changed"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["unchanged"], v["files"].as_u64().unwrap() - 1);
    f.write("targets.csv", &SMALL_TARGETS.replace("60000.50", "70000"));
    let again = f.run(&["split", "plan.toml", "--out", "out", "--json"]);
    let v: serde_json::Value = serde_json::from_str(again.stdout.trim()).unwrap();
    let changed: Vec<&str> = v["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        changed.contains(&"plan.csv") && changed.contains(&"plan.xlsx"),
        "{changed:?}"
    );
    assert!(
        changed.iter().any(|p| p.starts_with("reps/S")),
        "South's letters change: {changed:?}"
    );
    assert!(
        !changed.iter().any(|p| p.starts_with("reps/N")),
        "North's letters do not: {changed:?}"
    );
}

/// The monthly re-plan: `--as-of` with a previous plan keeps its past months
/// byte for byte; the rest of each team's target goes to the open months
/// under the current inputs (a joiner, a leaver).
#[test]
fn a_replan_keeps_the_past_months_and_spreads_the_rest() {
    let f = Fixture::small();
    f.split_ok();
    let before = plan_csv(&f.path("out/plan.csv"));
    let manifest_sha = {
        use sha2::Digest;
        let bytes = std::fs::read(f.path("out/manifest.json")).unwrap();
        sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    // Month 2: N2 leaves at the end of April, N4 joins in May.
    f.write(
        "reps.csv",
        &format!(
            "{}N4,Flo,flo@x.com,North,1,1,2027-05-03,\n",
            SMALL_REPS.replace(
                "N2,Bob,bob@x.com,North,1,0.5,,",
                "N2,Bob,bob@x.com,North,1,0.5,,2027-04-30"
            )
        ),
    );
    let o = f.run(&[
        "split",
        "plan.toml",
        "--out",
        "out",
        "--as-of",
        "2027-04-10",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let after = plan_csv(&f.path("out/plan.csv"));
    for ((team, rep, metric, period), v) in &before {
        if !rep.is_empty() && ["2027-01", "2027-02", "2027-03"].contains(&period.as_str()) {
            assert_eq!(
                &after[&(team.clone(), rep.clone(), metric.clone(), period.clone())],
                v,
                "{rep} {metric} {period} is kept"
            );
        }
    }
    let get = |rows: &std::collections::BTreeMap<(String, String, String, String), String>,
               t: &str,
               r: &str,
               p: &str|
     -> i64 {
        rows[&(
            t.to_string(),
            r.to_string(),
            "revenue".to_string(),
            p.to_string(),
        )]
            .replace('.', "")
            .parse()
            .unwrap()
    };
    assert_eq!(
        get(&after, "North", "", "2027"),
        12_000_000,
        "the year is still the target"
    );
    let months: i64 = (1..=12)
        .map(|m| get(&after, "North", "", &format!("2027-{m:02}")))
        .sum();
    assert_eq!(months, 12_000_000);
    assert_eq!(
        get(&after, "North", "N2", "2027-06"),
        0,
        "the leaver has no future months"
    );
    assert!(
        get(&after, "North", "N4", "2027-06") > 0,
        "the joiner gets a share"
    );
    assert_eq!(
        get(&after, "North", "N4", "2027-03"),
        0,
        "the joiner has no past"
    );
    let manifest: serde_json::Value = serde_json::from_str(&f.read("out/manifest.json")).unwrap();
    assert_eq!(manifest["plan"]["replans"], manifest_sha);
    // Without a previous plan, --as-of changes nothing but the recorded date.
    let g = Fixture::small();
    g.run(&[
        "split",
        "plan.toml",
        "--out",
        "fresh",
        "--as-of",
        "2027-04-10",
    ]);
    g.split_ok();
    assert_eq!(g.read("fresh/plan.csv"), g.read("out/plan.csv"));
}

/// A run killed while it writes leaves the previous plan as it was; the next
/// run removes the killed run's temporary folder and succeeds.
#[test]
fn a_killed_run_leaves_the_previous_plan_and_the_next_run_succeeds() {
    use std::os::unix::process::ExitStatusExt;
    let f = Fixture::small();
    f.split_ok();
    let before = sha_tree(&f.path("out"));
    // A long history keeps the next run busy for a while.
    let mut history = support::small_history();
    for day in 0..200_000 {
        history.push_str(&format!(
            "2026-{:02}-{:02},N1,{}.5,1\n",
            day % 12 + 1,
            day % 28 + 1,
            day % 997
        ));
    }
    f.write("history.csv", &history);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("plan"))
        .args(["split", "plan.toml", "--out", "out", "-q"])
        .current_dir(f.dir.path())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    let _ = child.kill();
    let status = child.wait().unwrap();
    if status.signal().is_some() {
        assert_eq!(
            sha_tree(&f.path("out")),
            before,
            "the killed run changed the previous plan"
        );
    } else {
        println!("the run finished before it could be killed; only the rerun is checked");
    }
    f.split_ok();
    let leftovers: Vec<String> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".plan-") && !n.ends_with(".plan-lock"))
        .collect();
    assert_eq!(
        leftovers,
        [".out.plan-spare"],
        "the killed run's folder is gone; the replaced plan is the spare"
    );
    assert!(f
        .read("out/plan.csv")
        .contains("North,N1,revenue,2027,year,"));
}
