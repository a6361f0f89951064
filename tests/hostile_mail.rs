//! `plan mail` against hostile plan folders, inputs and servers (issue 11):
//! attachments that are links, FIFOs or devices, manifest paths that leave
//! the folder, control characters in names, addresses and subjects, two
//! runs at once, and SMTP servers that flood, trickle, say nothing or hang up.
//! Every failure exits with its code, names what failed, prints nothing on
//! stdout, sends and logs nothing, and changes nothing but the run's own files.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use support::hostile::{assert_unchanged_outside, snapshot, Entry};
use support::smtp::{log_lines, log_path, run, split_mail, Server, FROM};
use support::{Fixture, Output, SMALL_PLAN};

/// The small fixture, split, with a plan file naming the sender.
fn split() -> Fixture {
    split_mail("")
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

/// `plan mail` through the server at `url`.
fn smtp(f: &Fixture, url: &str) -> Output {
    let args = mail_args(url);
    run(
        f,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        None,
    )
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

/// `plan mail --plan out --eml mails --config plan.toml`, under a 1 GiB address-space limit.
fn eml(f: &Fixture, extra: &[&str]) -> Output {
    let mut args: Vec<&str> = "mail --plan out --eml mails --config plan.toml"
        .split(' ')
        .collect();
    args.extend(extra);
    support::hostile::run_limited(f.dir.path(), 1024, &args)
}

/// Asserts that `plan mail --eml` refuses the letters (exit 3, every
/// fragment in stderr), writes no message and changes nothing.
fn assert_refused_letters(f: &Fixture, fragments: &[&str]) {
    let before = files(f);
    eml(f, &[]).fails_with(3, fragments);
    assert!(!f.path("mails").exists());
    assert_unchanged(&before, f);
}

/// Changes the manifest's entry of `rep` and writes it back.
fn edit_manifest(f: &Fixture, rep: &str, edit: impl Fn(&mut Value)) {
    let mut m: Value = serde_json::from_str(&f.read("out/manifest.json")).unwrap();
    let files = m["files"].as_array_mut().unwrap();
    let entry = files.iter_mut().find(|e| e["rep_id"] == rep).unwrap();
    edit(entry);
    f.write(
        "out/manifest.json",
        &serde_json::to_string_pretty(&m).unwrap(),
    );
}

/// The SHA-256 of a file, as the manifest writes it.
fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

/// Replaces `out/<rel>` by a symbolic link to `target`.
fn link(f: &Fixture, rel: &str, target: &Path) {
    let p = f.path(&format!("out/{rel}"));
    std::fs::remove_file(&p).unwrap();
    std::os::unix::fs::symlink(target, p).unwrap();
}

#[test]
fn the_binary_runs_under_the_memory_limit_of_these_tests() {
    let f = split();
    let o = eml(&f, &["--dry-run"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout.matches("would send").count(), 5, "{}", o.stdout);
}

#[test]
fn a_letter_linked_out_of_the_folder_is_never_attached() {
    let f = split();
    f.write("secret.txt", "salaries\n");
    let outside = [
        PathBuf::from("/etc/passwd"),
        f.path("secret.txt"),
        PathBuf::from("/dev/zero"),
    ];
    for target in &outside {
        link(&f, "reps/N1.xlsx", target);
        // The checksum is fixed, so only the link itself can tell.
        if target.is_file() {
            let sum = sha256(target);
            edit_manifest(&f, "N1", |e| e["sha256"] = sum.clone().into());
        }
        assert_refused_letters(
            &f,
            &[
                "reps/N1.xlsx",
                "a link that leads out of the plan folder",
                "nothing was sent",
            ],
        );
    }
}

#[test]
fn a_folder_of_the_plan_linked_elsewhere_is_refused() {
    let f = split();
    // `out/reps` moves out and a link takes its place: the letters' checksums still match.
    std::fs::rename(f.path("out/reps"), f.path("elsewhere")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", f.path("out/reps")).unwrap();
    assert_refused_letters(
        &f,
        &[
            "reps/N1.xlsx",
            "reps/S2.xlsx",
            "leads out of the plan folder",
            "5 letters cannot be mailed",
        ],
    );
}

#[test]
fn a_fifo_or_an_oversized_letter_is_refused_without_reading_it() {
    let f = split();
    // A FIFO would block an open for reading until a writer comes: none ever does.
    std::fs::remove_file(f.path("out/reps/N1.xlsx")).unwrap();
    let made = Command::new("mkfifo")
        .arg(f.path("out/reps/N1.xlsx"))
        .status()
        .unwrap();
    assert!(made.success());
    // A sparse 65 MiB file (no disk used) in place of N2's letter.
    let big = std::fs::File::create(f.path("out/reps/N2.xlsx")).unwrap();
    big.set_len(65 << 20).unwrap();
    assert_refused_letters(
        &f,
        &[
            "reps/N1.xlsx",
            "a FIFO, not a regular file",
            "reps/N2.xlsx",
            "68157440 bytes, more than the 67108864 expected at most",
            "2 letters cannot be mailed",
        ],
    );
}

#[test]
fn manifest_paths_that_leave_the_folder_are_refused() {
    let f = split();
    f.write("secret.xlsx", "salaries\n");
    for path in [
        "../secret.xlsx",
        "/etc/passwd",
        "reps/../../secret.xlsx",
        "reps//N1.xlsx",
    ] {
        edit_manifest(&f, "N1", |e| e["path"] = path.into());
        assert_refused_letters(
            &f,
            &[
                "manifest.json",
                &format!("{path:?}"),
                "leaves the plan folder",
            ],
        );
    }
}

/// The header lines of a raw message (up to the first empty line).
fn header_lines(raw: &str) -> Vec<String> {
    let head = raw.split("\r\n\r\n").next().unwrap();
    head.split("\r\n").map(String::from).collect()
}

#[test]
fn control_characters_in_names_and_subjects_become_spaces() {
    let Some(server) = Server::start(None, &[]) else {
        return;
    };
    let f = Fixture::small();
    f.write(
        "plan.toml",
        &format!(
            "{SMALL_PLAN}[mail]\nfrom = \"{FROM}\"\nsubject = \"Hi\\r\\nBcc: evil@x.com\\u0000 {{name}}\"\n"
        ),
    );
    let name = "Ann\r\nBcc: evil@x.com\u{7f}";
    f.write(
        "reps.csv",
        &support::SMALL_REPS.replace("N1,Ann,", &format!("N1,\"{name}\",")),
    );
    f.split_ok();
    let before = files(&f);
    for o in [eml(&f, &[]), smtp(&f, &server.url(None))] {
        assert_eq!(o.code, 0, "{}", o.stderr);
    }
    let sent = std::fs::read_dir(server.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"));
    let mut n1 = 0;
    for p in sent.chain([f.path("mails/N1.eml")]) {
        let raw = std::fs::read_to_string(&p).unwrap();
        let headers = header_lines(&raw);
        assert!(!headers.iter().any(|l| l.starts_with("Bcc")), "{raw}");
        if raw.contains("ann@x.com") {
            n1 += 1;
            let subject = headers.iter().find(|l| l.starts_with("Subject:")).unwrap();
            assert_eq!(
                subject,
                "Subject: Hi  Bcc: evil@x.com  Ann  Bcc: evil@x.com "
            );
        }
    }
    assert_eq!(n1, 2, "N1's message, sent and as .eml");
    let msgs = server.messages();
    let to_n1 = msgs
        .iter()
        .find(|m| m["rcpt_tos"][0] == "ann@x.com")
        .unwrap();
    // (Python's parser folds the two spaces of CR LF into one.)
    assert_eq!(to_n1["to"], "\"Ann Bcc: evil@x.com \" <ann@x.com>");
    assert_eq!(recipients(&server.messages()).len(), 5);
    assert!(!recipients(&server.messages()).contains(&"evil@x.com".to_string()));
    assert_unchanged(&before, &f);
}

#[test]
fn addresses_with_control_characters_are_refused_before_any_message() {
    let Some(server) = Server::start(None, &[]) else {
        return;
    };
    let f = split();
    edit_manifest(&f, "N1", |e| {
        e["email"] = "ann@x.com\r\nBcc: evil@x.com".into()
    });
    edit_manifest(&f, "N2", |e| e["email"] = "bob@x.com\u{0}".into());
    edit_manifest(&f, "S1", |e| e["email"] = "di@x\u{85}.com".into());
    let before = files(&f);
    for o in [eml(&f, &[]), smtp(&f, &server.url(None))] {
        o.fails_with(
            3,
            &[
                "reps/N1.xlsx",
                "rep N1: not an email address: it holds a control character",
                "reps/N2.xlsx",
                "rep N2",
                "reps/S1.xlsx",
                "rep S1",
                "3 letters cannot be mailed; nothing was sent",
            ],
        );
    }
    assert!(server.messages().is_empty() && !log_path(&f).exists());
    assert!(!f.path("mails").exists());
    assert_unchanged(&before, &f);

    // A sender with a control character in its address is a usage error; in its name, a space.
    let o = eml(&f, &["--from", "Ops <ops@example.com\r\nBcc: evil@x.com>"]);
    o.fails_with(2, &["--from", "not an email address"]);
    assert!(!f.path("mails").exists());
}

/// A hostile SMTP server on 127.0.0.1 in a thread: `serve` gets each
/// accepted connection (at most `connections`); returns the port.
fn hostile(connections: usize, serve: fn(TcpStream)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections).flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    port
}

/// Mails through a hostile server with 1 s per reply and 2 s per
/// conversation, under the memory limit; asserts exit 4 naming the server
/// and `reason`, nothing logged, nothing changed.
fn assert_refused_server(port: u16, reason: &str) {
    let f = split_mail("timeout_seconds = 1\ndeadline_seconds = 2\n");
    let before = files(&f);
    let url = format!("smtp://127.0.0.1:{port}");
    let args = mail_args(&url);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = support::hostile::run_limited(f.dir.path(), 1024, &args);
    o.fails_with(4, &[&format!("SMTP server 127.0.0.1:{port}"), reason]);
    assert!(!log_path(&f).exists(), "nothing is logged as sent");
    assert_unchanged(&before, &f);
}

#[test]
fn a_server_that_never_ends_its_line_is_cut_within_the_reply_bound() {
    let port = hostile(4, |mut s| {
        let chunk = [b'x'; 65536];
        let _ = s.write_all(b"220 ");
        // 64 GiB at most: far more than the memory limit, were it kept.
        for _ in 0..1_000_000 {
            if s.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    assert_refused_server(
        port,
        "the server sent more than 1048576 bytes of replies in one conversation; nothing was sent",
    );
}

#[test]
fn a_server_that_trickles_its_greeting_is_cut_at_the_deadline() {
    let port = hostile(4, |mut s| {
        for b in b"220 hello ".iter().cycle().take(600) {
            if s.write_all(&[*b]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    assert_refused_server(
        port,
        "the conversation did not end within the deadline of 2 s ([mail] deadline_seconds)",
    );
}

#[test]
fn a_server_that_says_nothing_times_out() {
    let port = hostile(4, |s| {
        // Holds the connection open, silent, for a minute at most.
        let mut s = s;
        let mut buf = [0u8; 64];
        let _ = s.set_read_timeout(Some(Duration::from_secs(60)));
        let _ = s.read(&mut buf);
    });
    assert_refused_server(
        port,
        "no reply within the timeout of 1 s ([mail] timeout_seconds); nothing was sent",
    );
}

#[test]
fn a_server_that_hangs_up_in_the_middle_of_data_gets_nothing_logged() {
    let port = hostile(40, |s| {
        let mut w = s.try_clone().unwrap();
        let _ = w.write_all(b"220 hostile ESMTP\r\n");
        let lines = std::io::BufRead::lines(std::io::BufReader::new(s)).take(20);
        for line in lines.map_while(Result::ok) {
            let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "DATA" => b"354 go on\r\n",
                "QUIT" => b"221 bye\r\n",
                _ => b"250 ok\r\n",
            };
            let _ = w.write_all(reply);
            if verb == "DATA" || verb == "QUIT" {
                // Hangs up as the message starts to arrive.
                return;
            }
        }
    });
    assert_refused_server(port, "messages not sent (the server stopped answering");
}
