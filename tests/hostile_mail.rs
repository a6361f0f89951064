//! `plan mail` against hostile plan folders, inputs and servers (issue 11):
//! attachments that are links, FIFOs or devices, manifest paths that leave
//! the folder, control characters in names, addresses and subjects, two
//! runs at once, and SMTP servers that flood, trickle, say nothing or hang up.
//! Every failure exits with its code, names what failed, prints nothing on
//! stdout, sends and logs nothing, and changes nothing but the run's own files.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use support::hostile::{assert_unchanged_outside, snapshot, Entry};
use support::smtp::{log_lines, Server};
use support::{Fixture, Output, SMALL_PLAN};

const FROM: &str = "Ops <ops@example.com>";

/// The small fixture, split into `out`, with a plan file naming the sender.
fn split() -> Fixture {
    let f = Fixture::small();
    f.write(
        "plan.toml",
        &format!("{SMALL_PLAN}[mail]\nfrom = \"{FROM}\"\n"),
    );
    f.split_ok();
    f
}

/// A snapshot of the whole fixture but the files a mailing may write: the
/// sent log, the lock and the `.eml` folder `mails`.
fn files(f: &Fixture) -> BTreeMap<String, Entry> {
    let mut all = snapshot(f.dir.path());
    all.retain(|k, _| {
        k != ".out.sent.jsonl" && k != ".out.mail-lock" && k.split('/').next() != Some("mails")
    });
    all
}

/// Asserts that nothing but the mailing's own files changed, `out` included.
fn assert_unchanged(before: &BTreeMap<String, Entry>, f: &Fixture) {
    assert_unchanged_outside(before, &files(f), "/");
}

/// `plan mail --plan out --smtp URL --config plan.toml`.
fn mail_args(url: &str) -> Vec<String> {
    [
        "mail",
        "--plan",
        "out",
        "--smtp",
        url,
        "--config",
        "plan.toml",
    ]
    .map(String::from)
    .to_vec()
}

/// The rep ids of the messages a server received.
fn recipients(msgs: &[Value]) -> Vec<String> {
    let mut to: Vec<String> = msgs
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_string())
        .collect();
    to.sort();
    to
}

#[test]
fn two_runs_at_once_send_each_letter_exactly_once() {
    let Some(server) = Server::start(None, &[]) else {
        return;
    };
    let f = split();
    let before = files(&f);
    let bin = assert_cmd::cargo::cargo_bin("plan");
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&bin)
                .args(mail_args(&server.url(None)))
                .current_dir(f.dir.path())
                .env_remove("PLAN_SMTP_PASSWORD")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<Output> = children
        .into_iter()
        .map(|c| {
            let o = c.wait_with_output().unwrap();
            Output {
                code: o.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            }
        })
        .collect();
    for o in &outs {
        if o.code != 0 {
            o.fails_with(4, &["another `plan mail`", ".out.mail-lock"]);
        }
    }
    assert!(outs.iter().any(|o| o.code == 0), "{outs:?}");
    let emails = ["ann@x.com", "bob@x.com", "cy@x.com", "di@x.com", "ed@x.com"];
    assert_eq!(recipients(&server.messages()), emails);
    assert_eq!(log_lines(&f).len(), 5);
    assert_unchanged(&before, &f);
}
