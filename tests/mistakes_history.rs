//! Issue 12, items 1–3: a history that lacks a column the rules use, and a
//! growth target or a letter's "last year" on a fiscal year the history does
//! not cover, are caught where they are made; every fallback is a warning.

mod support;

use calamine::{open_workbook_auto, Reader};
use support::{text, Fixture, Output};

/// Rewrites the history's header row with `edit`.
fn edit_header(f: &Fixture, edit: impl Fn(&str) -> String) {
    let history = f.read("history.csv");
    let (header, rest) = history.split_once('\n').unwrap();
    f.write("history.csv", &format!("{}\n{rest}", edit(header)));
}

/// The example with the history's column `from` renamed `to`.
fn renamed(from: &str, to: &str) -> Fixture {
    let f = Fixture::example();
    edit_header(&f, |h| h.replace(from, to));
    f
}

/// Inserts `line` right below the `[section]` header of the plan file.
fn plan_key(f: &Fixture, section: &str, line: &str) {
    let plan = f.read("plan.toml");
    let head = format!("[{section}]\n");
    let plan = if plan.contains(&head) {
        plan.replace(&head, &format!("{head}{line}\n"))
    } else {
        format!("{plan}\n{head}{line}\n")
    };
    f.write("plan.toml", &plan);
}

/// A cell with no value (a blank cell keeps only its format).
fn is_empty(v: Option<&calamine::Data>) -> bool {
    matches!(v, None | Some(calamine::Data::Empty))
}

fn split(f: &Fixture, strict: bool) -> Output {
    let mut args = vec!["split", "plan.toml", "--out", "out"];
    if strict {
        args.push("--strict");
    }
    f.run(&args)
}

/// Exit 0 with a warning holding `parts`; `--strict` makes it exit 3.
fn warns(f: &Fixture, parts: &[&str]) -> Output {
    let o = split(f, false);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let line = o
        .stderr
        .lines()
        .find(|l| l.contains("warning") && parts.iter().all(|p| l.contains(p)));
    assert!(line.is_some(), "no warning with {parts:?}:\n{}", o.stderr);
    split(f, true).fails_with(3, parts);
    o
}

#[test]
fn a_renamed_count_column_is_an_error_with_the_nearest_header() {
    let f = renamed("new_customers", "New Customers");
    split(&f, false).fails_with(
        3,
        &[
            "history.csv, row 1",
            "metric new_customers: the history has no column \"new_customers\"",
            "its columns: date, rep_id, amount, customer, New Customers, visits",
            "is \"New Customers\" the new_customers column?",
            "history_column = \"…\" under [metrics.new_customers]",
        ],
    );
}

#[test]
fn borrowing_revenue_on_purpose_plans_and_says_which_column() {
    let f = renamed("new_customers", "New Customers");
    plan_key(&f, "metrics.new_customers", "history_column = \"amount\"");
    let o = split(&f, true);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut wb = open_workbook_auto(f.path("out/plan.xlsx")).unwrap();
    let a = wb.worksheet_range("Assumptions").unwrap();
    let row = (0..200)
        .find(|&r| text(&a, r, 0) == "new_customers: history_column")
        .expect("history_column row");
    assert_eq!(text(&a, row, 1), "amount");
}

#[test]
fn no_history_for_a_metric_is_a_warning_and_its_letter_shows_no_last_year() {
    let f = renamed("new_customers", "New Customers");
    plan_key(&f, "metrics.new_customers", "history_column = false");
    warns(
        &f,
        &[
            "history.csv",
            "metric new_customers: history_column = false",
            "seasonality is by working days",
            "history share is the equal share",
            "under [metrics.new_customers.rules]",
        ],
    );
    let mut wb = open_workbook_auto(f.path("out/reps/R0002.xlsx")).unwrap();
    let plan = wb.worksheet_range("Plan").unwrap();
    let head = (0..20).find(|&r| text(&plan, r, 0) == "Period").unwrap();
    let col = (1..12)
        .find(|&c| text(&plan, head - 1, c) == "new_customers")
        .unwrap();
    for r in head + 1..head + 18 {
        assert!(
            is_empty(plan.get_value((r, col + 1))),
            "row {r}: no last year"
        );
        assert_eq!(text(&plan, r, col + 2), "n/a", "row {r}");
    }
    assert!((0..40).any(|r| text(&plan, r, 0).contains("n/a: new_customers has no history")));
    let mut book = open_workbook_auto(f.path("out/plan.xlsx")).unwrap();
    let checks = book.worksheet_range("Checks").unwrap();
    let listed = (0..100).any(|r| text(&checks, r, 1).contains("history_column = false"));
    assert!(listed, "the warning is listed in Checks");
}

#[test]
fn a_renamed_rep_column_is_an_error_with_the_nearest_header() {
    let f = renamed("rep_id", "Salesperson");
    split(&f, false).fails_with(
        3,
        &[
            "history.csv, row 1",
            "the history has no rep_id column",
            "its columns: date, Salesperson, amount",
            "is \"Salesperson\" the rep_id column?",
            "by = \"team\" under [history]",
        ],
    );
}

#[test]
fn a_team_level_history_says_so_and_shares_fall_back_with_a_warning() {
    let f = renamed("rep_id", "Salesperson");
    plan_key(&f, "history", "by = \"team\"");
    warns(
        &f,
        &[
            "history.csv",
            "[history] by = \"team\"",
            "equal share for revenue (weights.history = 0.5)",
            "weights = { history = 0, … }",
        ],
    );
}

#[test]
fn a_renamed_amount_column_is_an_error_with_the_nearest_header() {
    let f = renamed("amount", "Net Sales");
    split(&f, false).fails_with(
        3,
        &[
            "history.csv, row 1",
            "metric revenue: the history has no column \"amount\"",
            "its columns: date, rep_id, Net Sales",
            "is \"Net Sales\" the amount column?",
            "columns = { amount = \"Net Sales\" } under [history]",
        ],
    );
}

#[test]
fn by_is_a_history_key_with_two_values() {
    let f = Fixture::example();
    plan_key(&f, "history", "by = \"teams\"");
    split(&f, false).fails_with(3, &["history.by", "expected \"team\"", "\"teams\""]);
    let f = Fixture::example();
    plan_key(&f, "reps", "by = \"team\"");
    split(&f, false).fails_with(3, &["reps.by", "by is a key of [history] only"]);
}

/// The example with North's revenue as a growth of 15% over FY2026 (2026-04 –
/// 2027-03), which the history (to 2026-12) covers only to December.
fn growth_on_a_cut_year() -> Fixture {
    let f = Fixture::example();
    let targets = f.read("targets.csv");
    let targets = targets
        .replace("North,revenue,2027,4710000,", "North,revenue,2027,,15%")
        .replace("*,revenue,2027,20961000,\n", "");
    f.write("targets.csv", &targets);
    f
}

#[test]
fn a_growth_on_a_year_the_history_does_not_cover_is_an_error() {
    let f = growth_on_a_cut_year();
    split(&f, false).fails_with(
        3,
        &[
            "targets.csv, row 2, column E (growth)",
            "scope North revenue: a growth of 15% would grow 2026-04 to 2027-03",
            "the history ends in 2026-12: 2027-01, 2027-02, 2027-03 are not recorded",
            "found \"15%\"",
            "growth_base = \"trailing\" under [rules]",
            "(2026-01 to 2026-12)",
        ],
    );
}

#[test]
fn a_trailing_growth_base_grows_the_last_twelve_recorded_months() {
    let f = growth_on_a_cut_year();
    plan_key(&f, "rules", "growth_base = \"trailing\"");
    let o = split(&f, true);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // North's current reps' 2026 sales × 1.15, to the cent.
    let reps = f.read("reps.csv");
    let north: Vec<&str> = reps
        .lines()
        .filter(|l| l.split(',').nth(3) == Some("North"))
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let history = f.read("history.csv");
    let cents: i128 = history
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[0].starts_with("2026-") && north.contains(&c[1]))
        .map(|c| (c[2].parse::<f64>().unwrap() * 100.0).round() as i128)
        .sum();
    let want = (cents * 115 + 50) / 100;
    let rows = support::plan_csv(&f.path("out/plan.csv"));
    let got = &rows[&(
        "North".to_string(),
        String::new(),
        "revenue".to_string(),
        "2027".to_string(),
    )];
    assert_eq!(got.replace('.', "").parse::<i128>().unwrap(), want);
    let mut wb = open_workbook_auto(f.path("out/plan.xlsx")).unwrap();
    let a = wb.worksheet_range("Assumptions").unwrap();
    let row = (0..200)
        .find(|&r| text(&a, r, 0) == "revenue: growth_base")
        .unwrap();
    assert_eq!(text(&a, row, 1), "trailing");
}

#[test]
fn growth_base_takes_two_values() {
    let f = Fixture::example();
    plan_key(&f, "rules", "growth_base = \"last_year\"");
    split(&f, false).fails_with(
        3,
        &[
            "rules.growth_base",
            "\"previous_year\" or \"trailing\"",
            "\"last_year\"",
        ],
    );
}

#[test]
fn a_growth_without_a_positive_actual_names_the_scope_and_the_growth() {
    let f = Fixture::example();
    let targets = f.read("targets.csv");
    f.write(
        "targets.csv",
        &targets
            .replace("North,revenue,2027,4710000,", "North,revenue,2027,,15%")
            .replace("*,revenue,2027,20961000,\n", ""),
    );
    plan_key(&f, "rules", "growth_base = \"trailing\"");
    f.write(
        "history.csv",
        "date,rep_id,amount,new_customers,visits\n2026-05-03,R0002,100,1,1\n",
    );
    split(&f, false).fails_with(
        3,
        &[
            "targets.csv, row 2, column E (growth)",
            "a growth target needs a positive actual",
            "but the history has no actual for scope North revenue (growth 15%)",
        ],
    );
}

#[test]
fn letters_leave_last_years_months_without_history_empty() {
    let f = Fixture::example();
    let o = split(&f, true);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut wb = open_workbook_auto(f.path("out/reps/R0002.xlsx")).unwrap();
    let plan = wb.worksheet_range("Plan").unwrap();
    let row_of = |label: &str| (0..40).find(|&r| text(&plan, r, 0) == label).unwrap();
    // Revenue in columns B–D: December 2026 recorded, January–March 2027 not.
    let dec = row_of("2027-12");
    assert!(matches!(
        plan.get_value((dec, 2)),
        Some(calamine::Data::Float(_))
    ));
    for label in ["2028-01", "2028-02", "2028-03"] {
        let r = row_of(label);
        assert!(is_empty(plan.get_value((r, 2))), "{label}: empty, never 0");
        assert_eq!(text(&plan, r, 3), "n/a", "{label}");
    }
    assert_eq!(text(&plan, row_of("2027-Q4"), 3), "n/a");
    assert_eq!(text(&plan, row_of("2027"), 3), "n/a");
    let formulas = wb.worksheet_formula("Plan").unwrap();
    let q1 = row_of("2027-Q1");
    assert!(formulas
        .get_value((q1, 3))
        .is_some_and(|f| f.starts_with("IF(")));
    let note = (0..40)
        .map(|r| text(&plan, r, 0))
        .find(|t| t.starts_with("n/a:"));
    assert_eq!(
        note.as_deref(),
        Some("n/a: last year's 2027-01, 2027-02, 2027-03 have no history")
    );
}

#[test]
fn a_growth_of_fifteen_without_percent_is_a_warning() {
    let f = Fixture::example();
    let plan = f
        .read("plan.toml")
        .replace("[rules]", "[rules]\ngrowth_base = \"trailing\"");
    f.write("plan.toml", &plan);
    // Without the company row, whose total the teams must meet.
    let targets = f
        .read("targets.csv")
        .replacen("North,revenue,2027,4710000,", "North,revenue,2027,,15", 1)
        .replacen("*,revenue,2027,20961000,\n", "", 1);
    f.write("targets.csv", &targets);
    let o = f.run(&["split", "plan.toml", "--out", "out"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    o.says(&[
        "targets.csv, row 2, column E (growth)",
        "this one is 1500%",
        "write 15% if that is what you mean",
        "[W-GROWTH-WITHOUT-PERCENT]",
    ]);
    f.run(&["split", "plan.toml", "--out", "strict", "--strict"])
        .fails_with(3, &["this one is 1500%"]);
}

#[test]
fn a_filter_that_keeps_no_history_row_says_so() {
    let f = Fixture::example();
    let plan = f.read("plan.toml") + "\n[history]\nfilter = { rep_id = \"NOBODY\" }\n";
    f.write("plan.toml", &plan);
    let o = f.run(&["split", "plan.toml", "--out", "out"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    o.says(&[
        "history.csv: no history rows pass the plan file's filter and exclude rules (",
        " rows left out)",
        "check the values of filter and exclude under [history]",
        "[W-NO-HISTORY]",
    ]);
}
