//! A loopback SMTP server for the mail tests (aiosmtpd, started by
//! `tests/support/smtp_server.py`), and running `plan` with exactly the SMTP
//! variables a test gives.

use super::{Fixture, Output};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The script of the server (and of the .eml parser).
pub const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_server.py");

/// The sender of the mail tests.
pub const FROM: &str = "Ops <ops@example.com>";

/// The small fixture with `[mail] from = FROM` and the `extra` lines of
/// `[mail]`, split into `out`.
pub fn split_mail(extra: &str) -> Fixture {
    let f = Fixture::small();
    let plan = format!("{}[mail]\nfrom = \"{FROM}\"\n{extra}", super::SMALL_PLAN);
    f.write("plan.toml", &plan);
    f.split_ok();
    f
}

/// Whether python3 can import `module`; else a printed reason to skip (a failure under CI).
pub fn python_has(module: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 with {module} is needed under CI (.ci/run installs it)"
        );
        println!("skipped: python3 with {module} is not available; .ci/run installs aiosmtpd");
    }
    ok
}

/// A loopback SMTP server that stores what it receives.
pub struct Server {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Server {
    /// Starts a server; `login` makes it require AUTH with that user and password.
    pub fn start(login: Option<(&str, &str)>, flags: &[&str]) -> Option<Server> {
        if !python_has("aiosmtpd") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new("python3");
        cmd.arg(SCRIPT)
            .arg("serve")
            .arg(dir.path())
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some((user, password)) = login {
            cmd.env("TEST_SMTP_USER", user)
                .env("TEST_SMTP_PASSWORD", password);
        }
        let mut child = cmd.spawn().expect("python3 starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the server prints its port");
        Some(Server { child, port, dir })
    }

    pub fn url(&self, user: Option<&str>) -> String {
        match user {
            Some(u) => format!("smtp://{u}@127.0.0.1:{}", self.port),
            None => format!("smtp://127.0.0.1:{}", self.port),
        }
    }

    /// The messages received so far, in order, as the server parsed them.
    pub fn messages(&self) -> Vec<Value> {
        self.json_files(|n| !n.starts_with("auth-"))
    }

    /// The login attempts so far.
    pub fn logins(&self) -> Vec<Value> {
        self.json_files(|n| n.starts_with("auth-"))
    }

    fn json_files(&self, keep: impl Fn(&str) -> bool) -> Vec<Value> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json") && keep(n))
            .collect();
        names.sort();
        names
            .iter()
            .map(|n| json(&std::fs::read_to_string(self.dir.path().join(n)).unwrap()))
            .collect()
    }

    /// Every byte received: raw messages and logins.
    pub fn raw(&self) -> String {
        let mut all = String::new();
        for e in std::fs::read_dir(self.dir.path()).unwrap() {
            all.push_str(&String::from_utf8_lossy(
                &std::fs::read(e.unwrap().path()).unwrap(),
            ));
        }
        all
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Parses JSON, naming the text when it is not.
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Runs `plan ARGS` in the fixture folder with exactly these SMTP variables.
pub fn run(f: &Fixture, args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("plan").unwrap();
    cmd.current_dir(f.dir.path())
        .args(args)
        .env_remove("PLAN_SMTP_PASSWORD");
    if let Some(p) = password {
        cmd.env("PLAN_SMTP_PASSWORD", p);
    }
    let out = cmd.output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The sent log of the fixture's plan folder `out`.
pub fn log_path(f: &Fixture) -> PathBuf {
    f.path(".out.sent.jsonl")
}

/// The sent log's lines (none when there is no log).
pub fn log_lines(f: &Fixture) -> Vec<Value> {
    match std::fs::read_to_string(log_path(f)) {
        Ok(t) => t.lines().map(json).collect(),
        Err(_) => Vec::new(),
    }
}
