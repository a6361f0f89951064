//! The worked example of the README, "How the split works": its numbers are asserted here.

mod support;

use support::{plan_csv, Fixture};

#[test]
fn readme_worked_example() {
    let f = Fixture::new();
    f.write(
        "plan.toml",
        "[inputs]\ntargets = \"targets.csv\"\nreps = \"reps.csv\"\nhistory = \"history.csv\"\n[rules]\nseasonality = \"even\"\n",
    );
    f.write("targets.csv", "scope,period,amount\nNorth,2027,12000\n");
    f.write(
        "reps.csv",
        "rep_id,name,team,capability\nA,Ann,North,1.5\nB,Bob,North,1\n",
    );
    let mut history = String::from("date,rep_id,amount\n");
    for m in 1..=12 {
        history.push_str(&format!("2026-{m:02}-15,A,200\n2026-{m:02}-15,B,100\n"));
    }
    f.write("history.csv", &history);
    f.split_ok();
    let rows = plan_csv(&f.path("out/plan.csv"));
    let get = |rep: &str, period: &str| {
        rows[&(
            "North".to_string(),
            rep.to_string(),
            "revenue".to_string(),
            period.to_string(),
        )]
            .clone()
    };
    // w_A = 0.5·2/3 + 0.3·0.6 + 0.2·0.5 = 0.61333…, w_B = 0.38666…; 1000.00 a month.
    assert_eq!(get("A", "2027-01"), "613.33");
    assert_eq!(get("B", "2027-01"), "386.67");
    assert_eq!(get("A", "2027"), "7359.96");
    assert_eq!(get("B", "2027"), "4640.04");
    assert_eq!(get("", "2027"), "12000.00");
    // January 2027 has 21 working days: 613.33 is 29.20 a day, the first 13 days a cent more.
    // Friday 1 January is in ISO week 2026-W53; 4–8 January make 2027-W01.
    assert_eq!(get("A", "2026-W53"), "29.21");
    assert_eq!(get("A", "2027-W01"), "146.03");
}
