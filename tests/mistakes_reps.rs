//! Issue 12, items 4–7: mistakes in the reps and targets are caught where
//! they are made, each named with its file, row, column, value and fix.

mod support;

use support::{Fixture, Output};

/// Replaces `from` by `to` in one file of the fixture, which must hold it.
fn edit(f: &Fixture, file: &str, from: &str, to: &str) {
    let text = f.read(file);
    assert!(text.contains(from), "{file} lacks {from:?}");
    f.write(file, &text.replacen(from, to, 1));
}

/// The example with `rows` added to its targets.
fn with_targets(rows: &str) -> Fixture {
    let f = Fixture::example();
    let targets = f.read("targets.csv");
    f.write("targets.csv", &format!("{targets}{rows}"));
    f
}

fn split(f: &Fixture, extra: &[&str]) -> Output {
    let mut args = vec!["split", "plan.toml", "--out", "out"];
    args.extend_from_slice(extra);
    f.run(&args)
}

/// Asserts stderr holds every fragment.
fn says(o: &Output, fragments: &[&str]) {
    for s in fragments {
        assert!(o.stderr.contains(s), "stderr lacks {s:?}:\n{}", o.stderr);
    }
}

/// A warning: exit 0 with the fragments, and `--strict` (split and check) exits 3 writing nothing.
fn warns(f: &Fixture, fragments: &[&str]) -> Output {
    let o = split(f, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    says(&o, fragments);
    // Under --strict the warning is reported as an error.
    let as_error: Vec<&str> = fragments
        .iter()
        .map(|s| s.strip_prefix("warning: ").unwrap_or(s))
        .collect();
    let strict = f.run(&["split", "plan.toml", "--out", "strict", "--strict"]);
    strict.fails_with(3, &as_error);
    assert!(!f.path("strict").exists());
    f.run(&["check", "plan.toml", "--strict"])
        .fails_with(3, &as_error);
    o
}

/// An error: split and check exit 3 with the fragments.
fn refuses(f: &Fixture, fragments: &[&str]) {
    f.run(&["split", "plan.toml", "--out", "refused"])
        .fails_with(3, fragments);
    assert!(!f.path("refused").exists());
    f.run(&["check", "plan.toml"]).fails_with(3, fragments);
}

#[test]
fn two_reps_with_one_name_under_rep_key_name_are_an_error() {
    let f = Fixture::example();
    let reps = f.read("reps.csv");
    let mut history = f.read("history.csv");
    for line in reps.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        history = history.replace(&format!(",{},", cells[0]), &format!(",{},", cells[1]));
    }
    f.write("history.csv", &history);
    let plan = f.read("plan.toml");
    f.write(
        "plan.toml",
        &format!("{plan}\n[history]\nrep_key = \"name\"\n"),
    );
    assert_eq!(split(&f, &[]).code, 0, "the names are unique");
    // Matched trimmed and case-insensitively: " jun LI " is Jun Li.
    edit(&f, "reps.csv", "R0004,Zhen Liu,", "R0004, jun LI ,");
    refuses(
        &f,
        &[
            "reps.csv, row 5, column B (name): rep R0004 has the same name as rep R0002 (reps.csv, row 3, column B (name))",
            "rep_key = \"name\" their history rows cannot be told apart",
            "found \"jun LI\"",
            "hint: name the reps by rep_id in the history (drop rep_key = \"name\"), or make the names unique",
        ],
    );
}

#[test]
fn one_name_twice_is_fine_when_the_history_names_rep_ids() {
    let f = Fixture::example();
    edit(&f, "reps.csv", "R0004,Zhen Liu,", "R0004,Jun Li,");
    let o = split(&f, &["--strict"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn a_team_typo_in_the_reps_is_one_warning_and_the_summary_counts_the_rep_left_out() {
    let f = Fixture::example();
    edit(&f, "reps.csv", "example.com,North,", "example.com,Nort,");
    let o = warns(
        &f,
        &[
            "warning: reps.csv: team \"Nort\" has no target for revenue, new_customers, visits in targets.csv: its reps get no plan for them: R0001 (row 2)",
            "hint: did you mean \"North\"? Correct the team in reps.csv, or add targets for team \"Nort\" to targets.csv",
        ],
    );
    assert_eq!(o.stderr.matches("has no target").count(), 1, "{}", o.stderr);
    assert!(
        o.stdout.starts_with(
            "plan 2027: 11 reps planned, 1 left out (no target for team Nort), 3 metrics; 30 files written to out"
        ),
        "{}",
        o.stdout
    );
    let json = f.run(&["split", "plan.toml", "--out", "out", "--json", "--dry-run"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["reps"], 12);
    assert_eq!(v["reps_planned"], 11);
    assert_eq!(v["reps_left_out"][0]["rep_id"], "R0001");
    assert_eq!(v["reps_left_out"][0]["team"], "Nort");
    assert_eq!(v["reps_left_out"][0]["reason"], "no target for team Nort");
}

#[test]
fn a_team_without_a_target_for_one_metric_is_one_warning_for_that_metric() {
    let f = Fixture::example();
    edit(&f, "targets.csv", "North,visits,2027,1468,\n", "");
    let o = warns(
        &f,
        &["team \"North\" has no target for visits in targets.csv: its reps get no plan for them: R0001 (row 2), R0006 (row 7), R0012 (row 13)"],
    );
    assert!(
        o.stdout.contains("plan 2027: 12 reps, 3 metrics"),
        "{}",
        o.stdout
    );
}

#[test]
fn a_scope_typo_in_the_targets_is_an_error_with_the_nearest_team() {
    let f = Fixture::example();
    edit(&f, "targets.csv", "North,revenue,", "Nroth,revenue,");
    refuses(
        &f,
        &[
            "targets.csv, row 2: scope \"Nroth\" is neither a team with reps nor a rep_id in the reps table (reps.csv)",
            "hint: did you mean \"North\"?",
        ],
    );
}

#[test]
fn unknown_history_reps_are_named_with_their_rows() {
    let f = Fixture::example();
    let reps = f.read("reps.csv");
    let kept: Vec<&str> = reps.lines().filter(|l| !l.starts_with("R0009,")).collect();
    f.write("reps.csv", &(kept.join("\n") + "\n"));
    let mut history = f.read("history.csv");
    history.push_str("2026-05-05,GHOST,100,C1,0,0\n2026-05-06,ghost,50,C1,0,0\n");
    f.write("history.csv", &history);
    let o = warns(
        &f,
        &[
            "history.csv: ",
            "history rows (amount ",
            "name a rep that is not in the reps table: \"R0009\" (row 8, 1,453 rows), \"GHOST\" (row ",
            ", 2 rows); they count toward their team's and the company's seasonality only",
            "hint: add these reps to reps.csv, or correct them in the history",
        ],
    );
    assert!(!o.stderr.contains("did you mean"), "{}", o.stderr);
}

#[test]
fn a_malformed_email_is_a_warning_where_the_reps_are_read() {
    let f = Fixture::example();
    edit(
        &f,
        "reps.csv",
        "jun.li.2@example.com",
        "jun.li.2example.com",
    );
    edit(&f, "reps.csv", "bo.smith.3@example.com", "");
    let o = warns(
        &f,
        &[
            "warning: reps.csv, row 3, column C (email): rep R0002: not an email address",
            "so plan mail cannot send this rep's letter, found \"jun.li.2example.com\"",
            "hint: correct the address in the reps table (name@example.com), or leave it empty",
        ],
    );
    assert!(
        !o.stderr.contains("R0003"),
        "an empty email is allowed: {}",
        o.stderr
    );
}

#[test]
fn a_reps_table_that_cannot_be_read_adds_no_unknown_reps_warning() {
    let f = Fixture::example();
    let reps = f.read("reps.csv");
    f.write("reps.csv", &reps.replacen("rep_id,", "rep_idd,", 1));
    let o = split(&f, &[]);
    o.fails_with(3, &["reps.csv"]);
    assert!(!o.stderr.contains("not in the reps table"), "{}", o.stderr);
}

#[test]
fn parts_that_exceed_their_whole_name_the_rows_and_periods() {
    let f = with_targets("North,revenue,2027-Q1,5000000,\n");
    refuses(
        &f,
        &["targets.csv, row 2: revenue/North: the given parts (5000000.00) exceed their whole (4710000.00): the targets for 2027-Q1 (row 12) add up to more than the target for 2027 (row 2)"],
    );
    let f = with_targets("North,revenue,2027-Q1,1000000,\nNorth,revenue,2027-05,2000000,\n");
    refuses(
        &f,
        &["targets.csv, row 12: revenue/North: the given parts (2000000.00) exceed their whole (1000000.00): the targets for 2027-05 (row 13) add up to more than the target for 2027-Q1 (row 12)"],
    );
}

#[test]
fn held_rep_targets_above_the_team_month_name_the_reps() {
    let f = with_targets(
        "North,revenue,2027-04,1000,\nR0001,revenue,2027-04,3000,\nR0006,revenue,2027-04,500,\n",
    );
    refuses(
        &f,
        &["targets.csv, row 13: revenue: held rep targets in team North for 2027-04 (3500.00) exceed the team's month target (1000.00): rep R0001 (3000.00, row 13); rep R0006 (500.00, row 14)"],
    );
}

#[test]
fn an_end_date_before_the_start_date_names_the_rep_and_both_dates_as_written() {
    let f = Fixture::example();
    edit(&f, "reps.csv", "2016-04-04,,", "2016-04-04,2015/1/31,");
    refuses(
        &f,
        &["reps.csv, row 5, column I (end_date): rep R0004: end_date \"2015/1/31\" (2015-01-31) is before start_date \"2016-04-04\""],
    );
}

#[test]
fn dates_are_quoted_as_written() {
    let f = Fixture::example();
    edit(&f, "reps.csv", "farmer,2026-12-04,", "farmer,03/04/2026,");
    refuses(
        &f,
        &[
            "reps.csv, row 2, column H (start_date): ambiguous date",
            "found \"03/04/2026\"",
            "date_format",
        ],
    );
    // A column whose order one value proves: the note quotes that value as written.
    edit(&f, "reps.csv", "hunter,2020-02-12,", "hunter,13/02/2020,");
    let o = split(&f, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    says(
        &o,
        &["dates read as day/month/year, as row 3 (13/02/2020) shows"],
    );
}

#[test]
fn a_column_that_looks_like_a_missing_one_is_a_warning_not_ignored() {
    for (from, to, column, letter) in [
        (",fte\n", ",FTE %\n", "fte", "J"),
        (",capability,", ",capabilty,", "capability", "F"),
        (",role,", ",Role Type,", "role", "G"),
        (",start_date,", ",Start Date,", "start_date", "H"),
        (",end_date,", ",end date,", "end_date", "I"),
        (",email,", ",E-mail,", "email", "C"),
    ] {
        let f = Fixture::example();
        edit(&f, "reps.csv", from, to);
        let header = to.trim_matches(|c| c == ',' || c == '\n');
        warns(
            &f,
            &[
                &format!("warning: reps.csv, row 1, column {letter} ({header}): this column is not read, and the table has no {column} column"),
                &format!("is it the {column} column? map it with columns = {{ {column} = \"{header}\" }} under [reps]"),
                "[W-UNREAD-COLUMN]",
            ],
        );
    }
}

#[test]
fn a_target_of_another_fiscal_year_is_a_warning_not_dropped_silently() {
    let f = Fixture::example();
    // February 2027 is in fiscal year 2026 (April to March): the user meant 2028-02.
    edit(
        &f,
        "targets.csv",
        "North,revenue,2027,4710000,\n",
        "North,revenue,2027,4710000,\nNorth,visits,2027-02,100,\n",
    );
    warns(
        &f,
        &["warning: targets.csv, row 3: a target for 2027-02 falls in fiscal year 2026, not the plan's 2027: it is left out", "[W-OTHER-YEAR-TARGET]"],
    );
}

#[test]
fn a_second_target_names_its_scope_period_and_first_row() {
    let f = Fixture::example();
    edit(
        &f,
        "targets.csv",
        "North,revenue,2027,4710000,\n",
        "North,revenue,2027,4710000,\nNorth,revenue,2027,4710000,\n",
    );
    refuses(
        &f,
        &["targets.csv, row 3: a second target for scope \"North\", metric revenue, period 2027 (the first is on row 2)"],
    );
}
