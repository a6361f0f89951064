//! Hostile inputs of issue 11: figures beyond what a plan holds exactly, texts
//! beyond a workbook cell, long file names, formula-leading identifiers, and
//! control characters in messages. Each failing case exits 3 naming the cell,
//! prints nothing on stdout, and changes nothing outside --out.

mod support;

use support::hostile::{assert_unchanged_outside, run_limited, snapshot};
use support::{Fixture, Output};

/// Runs `args` in `f` under a 1 GiB address-space limit, asserting that
/// nothing outside `out` changed.
fn run_clean(f: &Fixture, args: &[&str]) -> Output {
    let before = snapshot(f.dir.path());
    let o = run_limited(f.dir.path(), 1024, args);
    assert_unchanged_outside(&before, &snapshot(f.dir.path()), "out");
    o
}

/// `split` (and `check`, which must find the same) fail with exit 3 and `parts`.
fn refused(f: &Fixture, parts: &[&str]) {
    run_clean(f, &["check", "plan.toml"]).fails_with(3, parts);
    run_clean(f, &["split", "plan.toml", "--out", "out"]).fails_with(3, parts);
    assert!(!f.path("out").exists(), "a refused plan wrote --out");
}

/// The small fixture with one file replaced.
fn with(rel: &str, text: &str) -> Fixture {
    let f = Fixture::small();
    f.write(rel, text);
    f
}

fn with_targets(targets: &str) -> Fixture {
    with("targets.csv", targets)
}

const LIMIT: &str = "at most 9999999999999.99, 15 significant digits";

#[test]
fn a_target_beyond_fifteen_digits_is_refused_at_its_cell() {
    let f = with_targets(
        "scope,metric,period,amount\nNorth,revenue,2027,530000000000000.05\nSouth,revenue,2027,1\n",
    );
    refused(
        &f,
        &[
            "targets.csv, row 2, column D (amount)",
            "\"530000000000000.05\"",
            LIMIT,
        ],
    );
}

#[test]
fn a_sixteen_digit_target_is_refused() {
    let f = with_targets(
        "scope,metric,period,amount\nNorth,revenue,2027,1234567890123456\nSouth,revenue,2027,1\n",
    );
    refused(
        &f,
        &["targets.csv, row 2, column D (amount)", "1234567890123456"],
    );
}

#[test]
fn the_assigned_total_after_over_assignment_is_checked() {
    let f = with_targets(
        "scope,metric,period,amount\nNorth,revenue,2027,9999999999999.99\nSouth,revenue,2027,1\n",
    );
    f.write(
        "plan.toml",
        &format!("{}[rules]\nover_assignment = 100\n", support::SMALL_PLAN),
    );
    refused(
        &f,
        &[
            "targets.csv, row 2, column D (amount)",
            "assigned total of North",
            "999999999999999.00",
            LIMIT,
        ],
    );
}

#[test]
fn many_large_teams_overflow_the_company_total() {
    let f = Fixture::small();
    let mut reps = String::from("rep_id,team\n");
    let mut targets = String::from("scope,metric,period,amount\n");
    for t in 0..100 {
        reps += &format!("R{t},T{t}\n");
        targets += &format!("T{t},revenue,2027,999999999999.99\n");
    }
    f.write("reps.csv", &reps);
    f.write("targets.csv", &targets);
    f.write(
        "plan.toml",
        "[inputs]\ntargets = \"targets.csv\"\nreps = \"reps.csv\"\n",
    );
    refused(
        &f,
        &[
            "targets.csv, row 12, column D (amount)",
            "company total",
            LIMIT,
        ],
    );
}

#[test]
fn a_huge_growth_is_refused_at_its_cell() {
    let f = with_targets(
        "scope,metric,period,growth\nNorth,revenue,2027,100000000000000%\nSouth,revenue,2027,10%\n",
    );
    refused(
        &f,
        &[
            "targets.csv, row 2, column D (growth)",
            "a growth of",
            LIMIT,
        ],
    );
}

#[test]
fn a_held_rep_target_summed_over_quarters_is_checked() {
    let mut t = String::from("scope,metric,period,amount\n");
    for q in 1..=4 {
        t += &format!("N1,revenue,2027-Q{q},9000000000000\n");
    }
    let f = with_targets(&t);
    refused(
        &f,
        &[
            "targets.csv, row 2, column D (amount)",
            "held target of rep N1",
            LIMIT,
        ],
    );
}

#[test]
fn a_huge_history_amount_is_refused() {
    let f = Fixture::small();
    let h = support::small_history() + "2026-05-02,N1,10000000000000000,1\n";
    f.write("history.csv", &h);
    refused(
        &f,
        &[
            "history.csv, row 50, column C (amount)",
            "10000000000000000",
        ],
    );
}

#[test]
fn decimal_max_history_amounts_twice_are_an_input_error_not_a_panic() {
    let f = Fixture::small();
    let max = "79228162514264337593543950335";
    let h = support::small_history() + &format!("2026-05-02,N1,{max},1\n2026-05-03,N1,{max},1\n");
    f.write("history.csv", &h);
    refused(
        &f,
        &[
            "history.csv, row 50, column C (amount)",
            "history.csv, row 51, column C (amount)",
        ],
    );
}

#[test]
fn a_huge_figure_in_the_previous_plan_is_refused_in_a_replan() {
    let f = Fixture::small();
    f.split_ok();
    let csv = f.read("out/plan.csv");
    let row = csv
        .lines()
        .position(|l| l.contains(",N1,revenue,2027-04,month,"))
        .unwrap();
    let lines: Vec<String> = csv
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == row {
                let cut = l.rfind(',').unwrap();
                format!("{},99999999999999999999", &l[..cut])
            } else {
                l.to_string()
            }
        })
        .collect();
    f.write("out/plan.csv", &(lines.join("\n") + "\n"));
    let before = f.read("out/plan.csv");
    let o = run_clean(
        &f,
        &[
            "split",
            "plan.toml",
            "--out",
            "out",
            "--as-of",
            "2027-06-15",
        ],
    );
    let at = format!("row {}, column F (target)", row + 1);
    o.fails_with(
        3,
        &[
            "plan.csv",
            &at,
            "99999999999999999999",
            "15 significant digits",
        ],
    );
    assert_eq!(f.read("out/plan.csv"), before, "the previous plan changed");
}

/// A previous plan whose month was edited by hand ("April", "2027-13") is
/// refused with the cell, not read as a month without a target.
#[test]
fn a_month_the_previous_plan_does_not_write_is_refused_in_a_replan() {
    for written in ["April", "2027-13", "2027-Q2"] {
        let f = Fixture::small();
        f.split_ok();
        let csv = f.read("out/plan.csv");
        let row = csv
            .lines()
            .position(|l| l.contains(",N1,revenue,2027-04,month,"))
            .unwrap();
        let edited = csv.replacen(
            ",N1,revenue,2027-04,month,",
            &format!(",N1,revenue,{written},month,"),
            1,
        );
        f.write("out/plan.csv", &edited);
        let o = run_clean(
            &f,
            &[
                "split",
                "plan.toml",
                "--out",
                "out",
                "--as-of",
                "2027-06-15",
            ],
        );
        let at = format!("row {}, column D (period)", row + 1);
        o.fails_with(
            3,
            &["plan.csv", &at, written, "expected a month such as 2027-05"],
        );
        assert_eq!(f.read("out/plan.csv"), edited, "the previous plan changed");
    }
}

#[test]
fn a_name_longer_than_a_cell_is_refused_by_check_and_split() {
    let f = Fixture::small();
    let long = "x".repeat(32_768);
    let reps = support::SMALL_REPS.replace(",Ann,", &format!(",{long},"));
    f.write("reps.csv", &reps);
    refused(
        &f,
        &[
            "reps.csv, row 2, column B (name)",
            "32768 characters",
            "32767",
        ],
    );
    // Split with --dry-run refuses it as input too, not as an output error.
    run_clean(&f, &["split", "plan.toml", "--out", "out", "--dry-run"])
        .fails_with(3, &["column B (name)"]);
}

#[test]
fn long_cjk_rep_ids_give_short_unique_letter_names() {
    let f = Fixture::small();
    let prefix = "销".repeat(89);
    let mut reps = String::from("rep_id,name,team\n");
    for i in 0..5 {
        reps += &format!("{prefix}{i},Rep {i},North\n");
    }
    reps += "S1,Di,South\n";
    f.write("reps.csv", &reps);
    f.write("history.csv", "date,rep_id,amount,visits\n");
    f.split_ok();
    let names: Vec<String> = std::fs::read_dir(f.path("out/reps"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 6, "{names:?}");
    for n in &names {
        assert!(n.len() <= 255, "{} bytes", n.len());
    }
}

#[test]
fn formula_leading_rep_ids_are_refused_at_the_cell() {
    let f = with(
        "reps.csv",
        &support::SMALL_REPS.replace("\nN2,", "\n=HYPERLINK(1),"),
    );
    refused(
        &f,
        &[
            "reps.csv, row 3, column A (rep_id)",
            "=HYPERLINK(1)",
            "formula",
        ],
    );
}

#[test]
fn formula_leading_teams_and_scopes_are_refused_at_the_cell() {
    let f = with(
        "reps.csv",
        &support::SMALL_REPS.replace(",South,", ",@South,"),
    );
    f.write(
        "targets.csv",
        &support::SMALL_TARGETS.replace("\nSouth,", "\n-South,"),
    );
    refused(
        &f,
        &[
            "reps.csv, row 5, column D (team)",
            "\"@South\"",
            "targets.csv, row 3, column A (scope)",
            "\"-South\"",
        ],
    );
}

#[test]
fn formula_leading_metric_names_are_refused() {
    let f = Fixture::small();
    f.write(
        "plan.toml",
        &support::SMALL_PLAN.replace("[metrics.visits]", "[metrics.\"+visits\"]"),
    );
    refused(&f, &["plan.toml", "metrics.+visits", "formula"]);
}

#[test]
fn newlines_and_escapes_in_names_cannot_forge_lines() {
    let f = Fixture::small();
    let team = "Ea\nerror: forged\u{1b}[2Jst";
    let reps = format!("{}E1,Eve,e@x.com,\"{team}\",1,1,,\n", support::SMALL_REPS);
    f.write("reps.csv", &reps);
    let o = run_clean(&f, &["split", "plan.toml", "--out", "out", "--strict"]);
    o.fails_with(3, &["Ea\\nerror: forged\\u{1b}[2Jst"]);
    assert!(
        !o.stderr.lines().any(|l| l.starts_with("error: forged")),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains('\u{1b}'));
}

#[test]
fn control_characters_in_names_and_emails_warn_and_fail_with_strict() {
    let f = Fixture::small();
    let reps = support::SMALL_REPS.replace(",Bob,bob@x.com,", ",\"B\u{7}ob\",\"bob@x.com\u{1b}\",");
    f.write("reps.csv", &reps);
    let o = run_clean(&f, &["split", "plan.toml", "--out", "out"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    o.says(&[
        "reps.csv, row 3, column B (name)",
        "reps.csv, row 3, column C (email)",
        "rep N2",
        "control character",
    ]);
    std::fs::remove_dir_all(f.path("out")).unwrap();
    refused_strict(&f);
}

fn refused_strict(f: &Fixture) {
    let parts = ["reps.csv, row 3, column B (name)", "control character"];
    run_clean(f, &["check", "plan.toml", "--strict"]).fails_with(3, &parts);
    run_clean(f, &["split", "plan.toml", "--out", "out", "--strict"]).fails_with(3, &parts);
}

#[test]
fn extreme_factors_in_the_plan_file_are_refused_not_computed() {
    // ramp = [1e308] once spun for minutes on the exact arithmetic.
    for (rules, key) in [
        ("ramp = [1e308]", "rules.ramp"),
        ("ramp = [1.5]", "rules.ramp"),
        (
            "weights = { history = 1e308, capability = 1e308, equal = 1e308 }",
            "rules.weights",
        ),
        (
            "weights = { history = 1e-300, capability = 0.3, equal = 0.2 }",
            "rules.weights",
        ),
        ("over_assignment = 1e-300", "rules.over_assignment"),
        ("min_history = 1e300", "rules.min_history"),
    ] {
        let f = with(
            "plan.toml",
            &format!("{}[rules]\n{rules}\n", support::SMALL_PLAN),
        );
        refused(&f, &["plan.toml", key]);
    }
    let f = with(
        "plan.toml",
        &format!("{}role_weights = {{ hunter = nan }}\n", support::SMALL_PLAN),
    );
    refused(
        &f,
        &["plan.toml", "metrics.visits.role_weights.hunter", "NaN"],
    );
}

#[test]
fn track_refuses_formula_leading_ids_in_a_hand_edited_plan_csv() {
    let f = Fixture::small();
    f.split_ok();
    let csv = f
        .read("out/plan.csv")
        .replace(",N1,", ",=HYPERLINK(\"x\"),");
    f.write("out/plan.csv", &csv);
    f.write("actuals.csv", "date,rep_id,amount\n2027-01-10,N2,5\n");
    let o = run_clean(&f, &support::TRACK_MARCH);
    o.fails_with(
        3,
        &[
            "out/plan.csv, row",
            "column B (rep_id)",
            "formula",
            "=HYPERLINK",
        ],
    );
    assert!(!f.path("out/progress.csv").exists());
}

#[test]
fn control_characters_in_ids_and_teams_are_refused_at_the_cell() {
    for (from, to, cell) in [
        (
            "N1,Ann",
            "N1\u{1b}[31mX,Ann",
            "reps.csv, row 2, column A (rep_id)",
        ),
        (
            "Bob,bob@x.com,North",
            "Bob,bob@x.com,No\u{7}rth",
            "reps.csv, row 3, column D (team)",
        ),
    ] {
        let f = with("reps.csv", &support::SMALL_REPS.replace(from, to));
        refused(&f, &[cell, "control character", "[E-IDENTIFIER-CONTROL]"]);
    }
}

#[test]
fn track_refuses_progress_figures_beyond_fifteen_digits() {
    let f = Fixture::small();
    f.split_ok();
    f.write(
        "actuals.csv",
        "date,rep_id,amount\n2027-01-10,N1,999999999999999\n2027-02-10,N1,999999999999999\n",
    );
    let o = run_clean(
        &f,
        &[
            "track",
            "--plan",
            "out",
            "--actuals",
            "actuals.csv",
            "--as-of",
            "2027-02-20",
        ],
    );
    o.fails_with(
        3,
        &["actuals.csv", "rep N1", "revenue", "15 significant digits"],
    );
    assert!(!f.path("out/progress.csv").exists());
}
