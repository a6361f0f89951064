//! `plan mail` against a real SMTP server on loopback (aiosmtpd, started by
//! `tests/support/smtp_server.py`, which reads each received message back
//! with Python's own email parser): each rep gets their own letter (same
//! SHA-256 as in the manifest), once, with the right recipient and subject,
//! and no secret shows anywhere. Skips with a printed reason when python3 or
//! aiosmtpd is missing, except under CI, where `.ci/run` installs aiosmtpd.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use support::smtp::{json, log_lines, log_path, python_has, run, split_mail, Server, FROM, SCRIPT};
use support::{Fixture, SMALL_PLAN};

const SECRET: &str = "s3cr3t-Hunter2!";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A quota letter as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Letter {
    rep_id: String,
    email: String,
    path: String,
    sha256: String,
}

fn letters(f: &Fixture) -> (i64, Vec<Letter>) {
    let m = json(&f.read("out/manifest.json"));
    let letters = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["rep_id"].is_string())
        .map(|e| Letter {
            rep_id: e["rep_id"].as_str().unwrap().into(),
            email: e["email"].as_str().unwrap().into(),
            path: e["path"].as_str().unwrap().into(),
            sha256: e["sha256"].as_str().unwrap().into(),
        })
        .collect();
    (m["plan"]["year"].as_i64().unwrap(), letters)
}

/// The small fixture's reps (and the joiner N4): id → (name, team).
fn rep_names() -> BTreeMap<&'static str, (&'static str, &'static str)> {
    BTreeMap::from([
        ("N1", ("Ann", "North")),
        ("N2", ("Bob", "North")),
        ("N3", ("Cy", "North")),
        ("N4", ("Flo", "North")),
        ("S1", ("Di", "South")),
        ("S2", ("Ed", "South")),
    ])
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap()
}

/// The small fixture, split, with a subject template naming the rep and team.
fn split_with_subject() -> Fixture {
    split_mail("subject = \"{year} targets for {name} ({team})\"\n")
}

/// Asserts that `msg` carries `letter` to its rep, with the subject of `split_with_subject`.
fn assert_carries(msg: &Value, letter: &Letter, year: i64) {
    let (name, team) = rep_names()[letter.rep_id.as_str()];
    assert_eq!(msg["rcpt_tos"], serde_json::json!([letter.email]), "{msg}");
    assert_eq!(msg["to"], format!("{name} <{}>", letter.email), "{msg}");
    assert_eq!(msg["from"], FROM);
    assert_eq!(msg["mail_from"], "ops@example.com");
    assert_eq!(
        msg["subject"],
        format!("{year} targets for {name} ({team})")
    );
    assert!(
        msg["body"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Hello {name},")),
        "{msg}"
    );
    let att = msg["attachments"].as_array().unwrap();
    assert_eq!(att.len(), 1, "{msg}");
    assert_eq!(att[0]["filename"], file_name(&letter.path));
    assert_eq!(att[0]["content_type"], XLSX);
    assert_eq!(att[0]["sha256"], letter.sha256.as_str(), "{}", letter.path);
}

#[test]
fn each_rep_gets_their_letter_once_and_no_secret_shows() {
    let Some(server) = Server::start(Some(("planbot", SECRET)), &[]) else {
        return;
    };
    let f = split_with_subject();
    let (year, letters) = letters(&f);
    assert_eq!(letters.len(), 5);
    let url = server.url(Some("planbot"));
    let args = [
        "mail",
        "--plan",
        "out",
        "--smtp",
        &url,
        "--config",
        "plan.toml",
    ];
    assert!(args.iter().all(|a| !a.contains(SECRET)));

    // A dry run lists every message and sends and logs nothing.
    let dry = run(&f, &[&args[..], &["--dry-run"]].concat(), Some(SECRET));
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    for l in &letters {
        let (name, team) = rep_names()[l.rep_id.as_str()];
        let line = format!(
            "would send {} to {name} <{}>, subject \"{year} targets for {name} ({team})\"",
            l.path, l.email
        );
        assert!(dry.stdout.contains(&line), "{line}\n{}", dry.stdout);
    }
    assert!(server.messages().is_empty() && server.logins().is_empty());
    assert!(!log_path(&f).exists());

    let o = run(&f, &args, Some(SECRET));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains(&format!("mail {year}: 5 sent")),
        "{}",
        o.stdout
    );
    let msgs = server.messages();
    assert_eq!(msgs.len(), letters.len());
    for l in &letters {
        let to_rep: Vec<&Value> = msgs
            .iter()
            .filter(|m| m["rcpt_tos"][0] == l.email.as_str())
            .collect();
        assert_eq!(to_rep.len(), 1, "{}", l.rep_id);
        assert_carries(to_rep[0], l, year);
        assert_eq!(to_rep[0]["login"], "planbot");
    }
    let logins = server.logins();
    assert!(!logins.is_empty() && logins.iter().all(|a| a["ok"] == true));

    // The log: one line per message, with the file's checksum and no secret or body.
    let log = std::fs::read_to_string(log_path(&f)).unwrap();
    let logged: BTreeSet<(String, String, String, String)> = log_lines(&f)
        .iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap().to_string();
            (s("rep_id"), s("email"), s("path"), s("sha256"))
        })
        .collect();
    let expected: BTreeSet<_> = letters
        .iter()
        .map(|l| {
            (
                l.rep_id.clone(),
                l.email.clone(),
                l.path.clone(),
                l.sha256.clone(),
            )
        })
        .collect();
    assert_eq!(logged, expected);
    assert!(!log.contains("Hello"), "{log}");

    // A rerun sends nothing.
    let again = run(&f, &args, Some(SECRET));
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.contains("0 sent; 5 already sent"),
        "{}",
        again.stdout
    );
    assert_eq!(server.messages().len(), 5);
    assert_eq!(log_lines(&f).len(), 5);

    for text in [
        &dry.stdout,
        &dry.stderr,
        &o.stdout,
        &o.stderr,
        &again.stdout,
        &again.stderr,
        &log,
    ] {
        assert!(!text.contains(SECRET), "secret shown: {text}");
    }
    let raw: String = server.messages().iter().map(|m| m.to_string()).collect();
    assert!(!raw.contains(SECRET));
}

#[test]
fn a_new_split_mails_only_changed_letters_and_changed_only_leaves_new_reps_out() {
    let Some(server) = Server::start(None, &[]) else {
        return;
    };
    let f = split_with_subject();
    let url = server.url(None);
    let args = [
        "mail",
        "--plan",
        "out",
        "--smtp",
        &url,
        "--config",
        "plan.toml",
    ];
    assert_eq!(run(&f, &args, None).code, 0);
    let (_, before) = letters(&f);
    assert_eq!(server.messages().len(), 5);

    // A re-plan: North's target grows and a new rep joins North; South is untouched.
    f.write(
        "targets.csv",
        &support::SMALL_TARGETS.replace("North,revenue,2027,120000", "North,revenue,2027,132000"),
    );
    f.write(
        "reps.csv",
        &format!("{}N4,Flo,flo@x.com,North,1,1,,\n", support::SMALL_REPS),
    );
    f.split_ok();
    let (year, after) = letters(&f);
    let old: BTreeMap<&str, &str> = before
        .iter()
        .map(|l| (l.rep_id.as_str(), l.sha256.as_str()))
        .collect();
    let changed: Vec<&Letter> = after
        .iter()
        .filter(|l| old.get(l.rep_id.as_str()).is_some_and(|s| *s != l.sha256))
        .collect();
    let ids = |ls: &[&Letter]| ls.iter().map(|l| l.rep_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&changed), ["N1", "N2", "N3"]);

    let dry = run(
        &f,
        &[&args[..], &["--changed-only", "--dry-run"]].concat(),
        None,
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(
        dry.stdout.matches("would send").count(),
        3,
        "{}",
        dry.stdout
    );
    assert!(!dry.stdout.contains("N4.xlsx") && !dry.stdout.contains("S1.xlsx"));

    let o = run(&f, &[&args[..], &["--changed-only"]].concat(), None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains(&format!(
            "mail {year}: 3 sent; 2 already sent; 1 never mailed before"
        )),
        "{}",
        o.stdout
    );
    let msgs = server.messages();
    assert_eq!(msgs.len(), 8);
    for (msg, l) in msgs[5..].iter().zip(&changed) {
        assert_carries(msg, l, year);
    }

    // Without --changed-only, the new rep's letter goes out, and nothing else.
    let o = run(&f, &args, None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let msgs = server.messages();
    assert_eq!(msgs.len(), 9);
    assert_eq!(msgs[8]["rcpt_tos"], serde_json::json!(["flo@x.com"]));
    let n4 = after.iter().find(|l| l.rep_id == "N4").unwrap();
    assert_eq!(msgs[8]["attachments"][0]["sha256"], n4.sha256.as_str());
    assert_eq!(log_lines(&f).len(), 9);
}

#[test]
fn retries_a_deferred_message_and_reports_a_refused_one() {
    let Some(server) = Server::start(None, &["--fail-first", "1", "--reject", "di@x.com"]) else {
        return;
    };
    let f = split_with_subject();
    let (year, letters) = letters(&f);
    let url = server.url(None);
    let args = [
        "mail",
        "--plan",
        "out",
        "--smtp",
        &url,
        "--config",
        "plan.toml",
    ];
    let o = run(&f, &args, None);
    o.fails_with(
        4,
        &[
            "reps/S1.xlsx: not sent to di@x.com",
            "550",
            "1 of 5 messages not sent",
        ],
    );
    let msgs = server.messages();
    assert_eq!(
        msgs.len(),
        4,
        "the deferred message was sent on a later attempt"
    );
    for l in letters.iter().filter(|l| l.rep_id != "S1") {
        let m = msgs.iter().find(|m| m["rcpt_tos"][0] == l.email.as_str());
        assert_carries(m.unwrap(), l, year);
    }
    let logged: Vec<Value> = log_lines(&f).iter().map(|v| v["rep_id"].clone()).collect();
    assert_eq!(logged.len(), 4);
    assert!(!logged.contains(&Value::from("S1")));

    // Once the server takes it, a rerun sends only the missing letter.
    drop(server);
    let Some(server) = Server::start(None, &[]) else {
        return;
    };
    let url = server.url(None);
    let o = run(
        &f,
        &[
            "mail",
            "--plan",
            "out",
            "--smtp",
            &url,
            "--config",
            "plan.toml",
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let msgs = server.messages();
    assert_eq!(msgs.len(), 1);
    assert_carries(
        &msgs[0],
        letters.iter().find(|l| l.rep_id == "S1").unwrap(),
        year,
    );
}

#[test]
fn a_server_that_stops_answering_ends_the_run() {
    let Some(server) = Server::start(None, &["--exit-after", "1"]) else {
        return;
    };
    let f = split_with_subject();
    let url = server.url(None);
    let args = [
        "mail",
        "--plan",
        "out",
        "--smtp",
        &url,
        "--config",
        "plan.toml",
    ];
    let o = run(&f, &args, None);
    // One sent; three refused connections in a row, each tried three times; one left untried.
    o.fails_with(
        4,
        &["4 of 5 messages not sent (the server stopped answering; 1 not tried)"],
    );
    assert_eq!(o.stderr.matches("not sent to").count(), 3, "{}", o.stderr);
    assert_eq!(server.messages().len(), 1);
    assert_eq!(log_lines(&f).len(), 1);
}

#[test]
fn passwords_come_only_from_the_environment_or_a_file() {
    let Some(server) = Server::start(Some(("planbot", SECRET)), &[]) else {
        return;
    };
    let f = split_with_subject();
    let url = server.url(Some("planbot"));
    let args = [
        "mail",
        "--plan",
        "out",
        "--smtp",
        &url,
        "--config",
        "plan.toml",
    ];

    // A wrong password: refused at the first login, not retried, nothing sent or logged.
    let wrong = "wrong-Secret-42";
    let o = run(&f, &args, Some(wrong));
    o.fails_with(4, &["535", "nothing was sent"]);
    assert_eq!(server.logins().len(), 1);
    assert!(server.messages().is_empty() && !log_path(&f).exists());
    assert!(!o.stderr.contains(wrong) && !o.stderr.contains(SECRET));

    // No password for a named user: a usage error.
    run(&f, &args, None).fails_with(2, &["PLAN_SMTP_PASSWORD", "password_file"]);

    // A password in the URL is refused without being repeated.
    let bad = format!("smtp://planbot:{SECRET}@127.0.0.1:{}", server.port);
    let o = run(
        &f,
        &["mail", "--plan", "out", "--smtp", &bad, "--from", FROM],
        None,
    );
    o.fails_with(2, &["must not hold a password"]);
    assert!(!o.stderr.contains(SECRET));

    // [mail] password_file, relative to the plan file.
    f.write("secret/smtp-password", &format!("{SECRET}\n"));
    f.write(
        "plan.toml",
        &format!(
            "{SMALL_PLAN}[mail]\nfrom = \"{FROM}\"\npassword_file = \"secret/smtp-password\"\n"
        ),
    );
    let o = run(&f, &args, None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(server.messages().len(), 5);
    assert!(server.logins().iter().skip(1).all(|a| a["ok"] == true));
    let log = std::fs::read_to_string(log_path(&f)).unwrap();
    for text in [&o.stdout, &o.stderr, &log] {
        assert!(!text.contains(SECRET), "{text}");
    }
    assert!(!server.raw().contains(SECRET));
}

/// The summary of an .eml file by Python's email parser.
fn parse_eml(path: &Path) -> Value {
    let out = Command::new("python3")
        .arg(SCRIPT)
        .arg("parse")
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&String::from_utf8(out.stdout).unwrap())
}

#[test]
// One scenario read top to bottom, each step with its checks.
#[allow(clippy::too_many_lines)]
fn eml_files_in_english_and_chinese() {
    if !python_has("email") {
        return;
    }
    let f = split_with_subject();
    let (year, letters) = letters(&f);

    let dry = run(
        &f,
        &[
            "mail",
            "--plan",
            "out",
            "--eml",
            "mails",
            "--config",
            "plan.toml",
            "--dry-run",
        ],
        None,
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(dry.stdout.matches("would send").count(), 5);
    assert!(!f.path("mails").exists());

    let o = run(
        &f,
        &[
            "mail",
            "--plan",
            "out",
            "--eml",
            "mails",
            "--config",
            "plan.toml",
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("5 .eml files written to mails"),
        "{}",
        o.stdout
    );
    assert!(!log_path(&f).exists(), ".eml files are not sent mail");
    for l in &letters {
        let stem = file_name(&l.path).trim_end_matches(".xlsx");
        let mut msg = parse_eml(&f.path(&format!("mails/{stem}.eml")));
        msg["rcpt_tos"] = serde_json::json!([l.email]);
        msg["mail_from"] = "ops@example.com".into();
        assert_carries(&msg, l, year);
    }

    // The same letters give the same files, apart from the Date header.
    let again = run(
        &f,
        &[
            "mail",
            "--plan",
            "out",
            "--eml",
            "again",
            "--config",
            "plan.toml",
        ],
        None,
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    let undated = |p: &str| {
        f.read(p)
            .lines()
            .filter(|l| !l.starts_with("Date:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(undated("mails/N1.eml"), undated("again/N1.eml"));

    // Chinese letters get the Chinese subject and body by default.
    let zh = Fixture::small();
    zh.write(
        "plan.toml",
        &format!("{SMALL_PLAN}[output]\nlang = \"zh\"\n"),
    );
    zh.split_ok();
    let o = run(
        &zh,
        &["mail", "--plan", "out", "--eml", "mails", "--from", FROM],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let msg = parse_eml(&zh.path("mails/N1.eml"));
    assert_eq!(msg["subject"], format!("{year} 年度销售目标"));
    assert_eq!(msg["to"], "Ann <ann@x.com>");
    assert!(
        msg["body"].as_str().unwrap().starts_with("Ann，您好"),
        "{msg}"
    );

    // A letter changed after the split is refused, and nothing is written.
    let mut bytes = std::fs::read(zh.path("out/reps/S2.xlsx")).unwrap();
    bytes.push(0);
    zh.write_bytes("out/reps/S2.xlsx", &bytes);
    let o = run(
        &zh,
        &["mail", "--plan", "out", "--eml", "other", "--from", FROM],
        None,
    );
    o.fails_with(
        3,
        &[
            "reps/S2.xlsx",
            "changed since `plan split`",
            "nothing was sent",
        ],
    );
    assert!(!zh.path("other").exists());
}

#[test]
fn usage_errors() {
    let f = split_with_subject();
    run(&f, &["mail", "--plan", "out"], None).fails_with(2, &["--smtp", "--eml"]);
    run(&f, &["mail", "--plan", "out", "--eml", "m"], None).fails_with(2, &["--from"]);
    run(
        &f,
        &["mail", "--plan", "nowhere", "--eml", "m", "--from", FROM],
        None,
    )
    .fails_with(3, &["not a plan folder"]);
    f.write("bad.toml", "[mail]\nsubject = \"Hi {nmae}\"\n");
    run(
        &f,
        &[
            "mail", "--plan", "out", "--eml", "m", "--from", FROM, "--config", "bad.toml",
        ],
        None,
    )
    .fails_with(3, &["[mail] subject", "{nmae}"]);
}

/// The monthly loop of `examples/monthly.sh`, run as cron would, twice: month
/// 1 mails every letter; month 2 (a joiner, a leaver, new actuals) keeps
/// January byte for byte, still sums exactly, and mails only the letters that
/// changed, each with the right attachment and recipient.
#[test]
// One scenario read top to bottom, each step with its checks.
#[allow(clippy::too_many_lines)]
fn the_monthly_loop_twice() {
    let Some(server) = Server::start(None, &[]) else {
        return;
    };
    let f = split_with_subject();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/monthly.sh");
    let bin = assert_cmd::cargo::cargo_bin("plan");
    let url = server.url(None);
    let month = |as_of: &str| {
        let o = Command::new("bash")
            .args([script, "plan.toml", "out", "actuals.csv", &url, FROM, as_of])
            .current_dir(f.dir.path())
            .env("PLAN_BIN", &bin)
            .env_remove("PLAN_SMTP_PASSWORD")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{as_of}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    f.write(
        "actuals.csv",
        "date,rep_id,amount,visits\n2027-01-05,N1,5000,10\n2027-01-06,S1,3000,5\n",
    );
    month("2027-01-20");
    let (year, first) = letters(&f);
    assert_eq!(server.messages().len(), 5, "month 1 mails every letter");
    for letter in &first {
        let msg = server
            .messages()
            .into_iter()
            .find(|m| m["to"].to_string().contains(&letter.email))
            .unwrap();
        assert_carries(&msg, letter, year);
    }
    assert!(
        f.path("out/progress.csv").exists(),
        "month 1 tracks progress"
    );
    let january = support::plan_csv(&f.path("out/plan.csv"));

    // Month 2: S1 leaves at the end of February, N4 joins; February's actuals arrive.
    f.write(
        "reps.csv",
        &format!(
            "{}N4,Flo,flo@x.com,North,1,1,2027-02-15,\n",
            support::SMALL_REPS.replace(
                "S1,Di,di@x.com,South,1,1,,2027-09-30",
                "S1,Di,di@x.com,South,1,1,,2027-02-28"
            )
        ),
    );
    f.write("actuals.csv", "date,rep_id,amount,visits\n2027-01-05,N1,5000,10\n2027-01-06,S1,3000,5\n2027-02-03,N2,4000,7\n");
    month("2027-02-20");
    let february = support::plan_csv(&f.path("out/plan.csv"));
    for (key, v) in &january {
        if !key.1.is_empty() && key.3 == "2027-01" {
            assert_eq!(&february[key], v, "{key:?} is kept");
        }
    }
    for (team, total) in [("North", "120000.00"), ("South", "60000.50")] {
        assert_eq!(
            february[&(team.into(), "".into(), "revenue".into(), "2027".into())],
            total
        );
        let months: f64 = (1..=12)
            .map(|m| {
                february[&(
                    team.into(),
                    "".into(),
                    "revenue".into(),
                    format!("2027-{m:02}"),
                )]
                    .parse::<f64>()
                    .unwrap()
            })
            .sum();
        assert!(
            (months - total.parse::<f64>().unwrap()).abs() < 1e-6,
            "{team} months sum to the year"
        );
    }
    let (_, second) = letters(&f);
    let old: BTreeMap<&str, &str> = first
        .iter()
        .map(|l| (l.rep_id.as_str(), l.sha256.as_str()))
        .collect();
    let expected: BTreeSet<&str> = second
        .iter()
        .filter(|l| old.get(l.rep_id.as_str()) != Some(&l.sha256.as_str()))
        .map(|l| l.rep_id.as_str())
        .collect();
    let mailed = &server.messages()[5..];
    assert_eq!(
        mailed.len(),
        expected.len(),
        "month 2 mails only the changed letters"
    );
    for msg in mailed {
        let letter = second
            .iter()
            .find(|l| msg["to"].to_string().contains(&l.email))
            .unwrap();
        assert!(expected.contains(letter.rep_id.as_str()));
        assert_carries(msg, letter, year);
    }
    assert!(expected.contains("N4"), "the joiner gets a letter");
}
