//! Every problem carries its stable code: in `plan check --json` and at the end of its stderr line.

mod support;

use support::Fixture;

/// The problems of `plan check --json` on `f`, which exits with `exit`.
fn json_problems(f: &Fixture, exit: i32) -> Vec<serde_json::Value> {
    let o = f.run(&["check", "plan.toml", "--json"]);
    assert_eq!(o.code, exit, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let problems = v["problems"].as_array().unwrap().clone();
    assert!(
        problems.iter().all(|p| p["code"].is_string()),
        "{problems:?}"
    );
    problems
}

/// The JSON problem whose message holds `fragment`.
fn find(problems: &[serde_json::Value], fragment: &str) -> serde_json::Value {
    problems
        .iter()
        .find(|p| p["message"].as_str().unwrap().contains(fragment))
        .unwrap_or_else(|| panic!("no problem with {fragment:?}: {problems:?}"))
        .clone()
}

/// Runs `plan check` on `f` as JSON and as text; the problem whose message
/// holds `fragment` has `code`, and its stderr line ends with ` [code]`.
fn assert_code(f: &Fixture, exit: i32, fragment: &str, code: &str) {
    let p = find(&json_problems(f, exit), fragment);
    assert_eq!(p["code"], code, "{p}");
    let letter = &code[..1];
    let severity = match letter {
        "E" => "error",
        "W" => "warning",
        _ => "note",
    };
    assert_eq!(p["severity"], severity, "{p}");
    let text = f.run(&["check", "plan.toml"]);
    assert_eq!(text.code, exit);
    let line = text
        .stderr
        .lines()
        .find(|l| l.contains(fragment))
        .unwrap_or_else(|| panic!("no line with {fragment:?}: {}", text.stderr));
    assert!(line.starts_with(&format!("{severity}: ")), "{line}");
    assert!(line.ends_with(&format!(" [{code}]")), "{line}");
}

#[test]
fn an_unknown_metric() {
    let f = Fixture::small();
    f.write(
        "targets.csv",
        "scope,metric,period,amount\nNorth,revenue,2027,120000\nSouth,revenue,2027,60000\nNorth,profit,2027,10\n",
    );
    assert_code(
        &f,
        3,
        "a metric that the plan file does not declare",
        "E-UNKNOWN-METRIC",
    );
}

#[test]
fn a_bad_number() {
    let f = Fixture::small();
    f.write(
        "targets.csv",
        "scope,metric,period,amount\nNorth,revenue,2027,abc\nSouth,revenue,2027,60000\n",
    );
    assert_code(&f, 3, "expected a number", "E-NUMBER");
}

#[test]
fn a_missing_history_column() {
    let f = Fixture::small();
    let history: String = support::small_history()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect();
    f.write("history.csv", &history);
    assert_code(
        &f,
        3,
        "the history has no column \"visits\"",
        "E-HISTORY-COLUMN",
    );
}

#[test]
fn a_team_typo_is_a_warning() {
    let f = Fixture::small();
    f.write(
        "reps.csv",
        &support::SMALL_REPS.replace("N3,Cy,cy@x.com,North", "N3,Cy,cy@x.com,Nrth"),
    );
    assert_code(&f, 0, "team \"Nrth\" has no target", "W-NO-TEAM-TARGET");
}

#[test]
fn the_lines_of_problems_left_out_carry_their_code() {
    let f = Fixture::small();
    let mut targets = String::from("scope,metric,period,amount\n");
    for _ in 0..60 {
        targets.push_str("North,revenue,2027,abc\n");
    }
    f.write("targets.csv", &targets);
    // The summary line comes after the first 50 on stderr: it is in the JSON.
    let problems = json_problems(&f, 3);
    let p = find(&problems, "… and 10 more like it (expected a number");
    assert_eq!(p["left_out"], 10, "{p}");
    assert_eq!(p["code"], "E-NUMBER", "{p}");
}
