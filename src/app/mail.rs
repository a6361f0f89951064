//! `plan mail`: each rep's quota letter from a plan folder, sent by SMTP or
//! written as `.eml` files.
//!
//! Every letter is checked before anything goes out (its file against the
//! manifest's checksum, its address, the templates); then the server is
//! reached and logged in to once, and the messages are sent one by one, each
//! logged as soon as the server accepts it.

use crate::app::error::Error;
use crate::app::plan_file::{self, LoadError, MailDef};
use crate::app::report::Report;
use crate::engine::diag::{Code, Origin, Problem};
use crate::folder::manifest::sha256_hex;
use crate::mail::message::{self, Draft, Letter, Templates};
use crate::mail::smtp::{self, Mailer, Server};
use crate::store::sent_log::{self, MailLock, Sent, SentLog};
use lettre::message::Mailbox;
use lettre::Message;
use std::path::{Path, PathBuf};

type Fail = Error;

fn usage(msg: impl Into<String>) -> Fail {
    Error::Usage(msg.into())
}

fn input(msg: impl Into<String>) -> Fail {
    Error::input(msg)
}

fn output(msg: impl Into<String>) -> Fail {
    Error::Output(msg.into())
}

/// `plan mail`'s options, as the command line gives them.
#[derive(Debug, Clone, Default)]
pub struct MailOptions {
    pub plan: PathBuf,
    pub smtp: Option<String>,
    pub eml: Option<PathBuf>,
    pub from: Option<String>,
    pub config: Option<PathBuf>,
    pub dry_run: bool,
    pub changed_only: bool,
}

/// What `plan mail` did: a dry run's listing (for stdout) and the closing line.
pub struct MailSummary {
    pub listing: Vec<String>,
    pub line: String,
}

/// A message checked and built, with what the listing and the log need.
struct Ready {
    letter: Letter,
    to: Mailbox,
    subject: String,
    message: Message,
}

/// How many letters were left out, and why.
#[derive(Default)]
struct Skipped {
    already_sent: usize,
    never_mailed: usize,
    no_email: usize,
}

/// Runs `plan mail`: checks every letter, then sends them (or writes .eml files).
pub fn run(args: &MailOptions, report: &dyn Report) -> Result<MailSummary, Error> {
    let server = args
        .smtp
        .as_deref()
        .map(smtp::parse_url)
        .transpose()
        .map_err(usage)?;
    let (def, base, display) = plan_file(args.config.as_deref())?;
    let from = sender(args, &def)?;
    let templates = templates(&def, &base, &display)?;
    let (year, letters) = message::read_manifest(&args.plan).map_err(input)?;
    if letters.is_empty() {
        return Err(input(format!(
            "{}: the manifest lists no quota letter (was [output] rep_workbooks = false?)",
            args.plan.display()
        )));
    }
    // Sending takes the lock before the log is read, so two runs never both send a letter.
    let sending = server.as_ref().filter(|_| !args.dry_run);
    let lock = match sending {
        Some(_) => Some(MailLock::take(&args.plan).map_err(output)?),
        None => None,
    };
    let mut log = SentLog::open(&args.plan).map_err(input)?;
    let mut skipped = Skipped::default();
    let mut ready = Vec::new();
    let mut problems = Vec::new();
    for letter in letters {
        if log.was_sent(&letter.rep_id, &letter.sha256) {
            skipped.already_sent += 1;
        } else if args.changed_only && !log.knows(&letter.rep_id) {
            skipped.never_mailed += 1;
        } else if letter.email.is_none() {
            skipped.no_email += 1;
            let p = Problem::warning(
                Code::NoEmail,
                Some(Origin::file(&letter.path)),
                format!(
                    "rep {} has no email in the reps table; this letter is not mailed",
                    letter.rep_id
                ),
            );
            report.problems(&[p]);
        } else {
            match prepare(&args.plan, letter, &from, &templates, year) {
                Ok(r) => ready.push(r),
                Err(p) => problems.push(p),
            }
        }
    }
    if !problems.is_empty() {
        let n = problems.len();
        return Err(Error::Input {
            problems,
            closing: Some(format!(
                "{n} letter{} cannot be mailed; nothing was sent",
                if n == 1 { "" } else { "s" }
            )),
        });
    }
    let mut listing = Vec::new();
    let done = if args.dry_run {
        for r in &ready {
            listing.push(format!(
                "would send {} to {}, subject \"{}\"",
                r.letter.path, r.to, r.subject
            ));
        }
        format!("dry run, {} to send", ready.len())
    } else if let Some(dir) = &args.eml {
        write_eml(dir, &ready, report)?;
        format!("{} .eml files written to {}", ready.len(), dir.display())
    } else if let Some(server) = sending {
        send(server, &def, &base, &ready, &mut log, report)?;
        format!("{} sent", ready.len())
    } else {
        return Err(Error::Internal("neither --smtp nor --eml".into()));
    };
    drop(lock);
    let mut line = format!("mail {year}: {done}");
    for (n, what) in [
        (skipped.already_sent, "already sent"),
        (
            skipped.never_mailed,
            "never mailed before (left out by --changed-only)",
        ),
        (skipped.no_email, "without email"),
    ] {
        if n > 0 {
            line.push_str(&format!("; {n} {what}"));
        }
    }
    Ok(MailSummary { listing, line })
}

/// The `[mail]` section of `--config` (empty without one), the folder its
/// paths are relative to, and the name to show.
fn plan_file(path: Option<&Path>) -> Result<(MailDef, PathBuf, String), Fail> {
    let Some(path) = path else {
        return Ok((MailDef::default(), PathBuf::new(), "plan file".into()));
    };
    let loaded = plan_file::load(path).map_err(|e| match e {
        LoadError::Unreadable(p) => input(p.to_string()),
        LoadError::Invalid(p) => Error::Input {
            closing: Some(format!(
                "{}: the plan file is invalid; nothing was sent",
                path.display()
            )),
            problems: vec![p],
        },
    })?;
    Ok((loaded.file.mail, loaded.base, loaded.display))
}

/// The sender: `--from`, else `[mail] from`; its name as [`message::header_text`] makes it.
fn sender(args: &MailOptions, def: &MailDef) -> Result<Mailbox, Fail> {
    let (text, what, fail): (_, _, fn(String) -> Fail) = match (&args.from, &def.from) {
        (Some(f), _) => (f, "--from", usage),
        (None, Some(f)) => (f, "[mail] from", input),
        (None, None) => return Err(usage(
            "a sender is needed: --from \"Name <address>\", or [mail] from in the plan file given by --config",
        )),
    };
    let parsed = text
        .parse::<Mailbox>()
        .map_err(|e| format!("not an email address: {e}"))
        .and_then(|m| message::mailbox(m.name.as_deref(), m.email.as_ref()));
    parsed.map_err(|e| fail(format!("{what} {text:?}: {e}")))
}

/// The subject and body of `[mail]`, placeholders checked.
fn templates(def: &MailDef, base: &Path, display: &str) -> Result<Templates, Fail> {
    let body = match (&def.body, &def.body_file) {
        (Some(_), Some(_)) => {
            return Err(input(format!(
                "{display}: [mail] has both body and body_file; keep one"
            )))
        }
        (Some(b), None) => Some(b.clone()),
        (None, Some(f)) => {
            let path = base.join(f);
            let text = crate::os::read_text(&path, message::MAX_TEXT).map_err(|e| {
                input(format!(
                    "{display}: [mail] body_file {f:?}: {}",
                    crate::os::reason(&e)
                ))
            })?;
            Some(text)
        }
        (None, None) => None,
    };
    for (key, text) in [("subject", &def.subject), ("body", &body)] {
        if let Some(t) = text {
            message::check_template(t)
                .map_err(|e| input(format!("{display}: [mail] {key}: {e}")))?;
        }
    }
    Ok(Templates {
        subject: def.subject.clone(),
        body,
    })
}

/// Reads and checks one letter and builds its message.
fn prepare(
    plan_dir: &Path,
    letter: Letter,
    from: &Mailbox,
    templates: &Templates,
    year: i32,
) -> Result<Ready, Problem> {
    let at = Some(Origin::file(&letter.path));
    let fail = |code: Code, msg: String| Problem::error(code, at.clone(), msg);
    let workbook =
        crate::os::read_inside(plan_dir, &letter.path, message::MAX_PLAN_FILE).map_err(|e| {
            fail(
                Code::Letter,
                format!("cannot attach the letter: {}", crate::os::reason(&e)),
            )
        })?;
    if sha256_hex(&workbook) != letter.sha256 {
        return Err(fail(Code::Letter,
            "changed since `plan split` wrote it (its SHA-256 differs from manifest.json); split again".into(),
        ));
    }
    let email = letter.email.as_deref().unwrap_or_default().trim();
    let info = message::rep_info(&workbook);
    let to = message::mailbox(info.name.as_deref(), email).map_err(|e| {
        fail(Code::MailAddress, format!("rep {}: {e}", letter.rep_id)).with_value(email.to_string())
    })?;
    let (subject, body) = templates.render(&letter, &info, year);
    let message = Draft {
        from,
        to: to.clone(),
        subject: subject.clone(),
        body,
        letter: &letter,
        workbook,
    }
    .message()
    .map_err(|e| fail(Code::Letter, format!("cannot build the message: {e}")))?;
    Ok(Ready {
        letter,
        to,
        subject,
        message,
    })
}

/// Writes `<letter name>.eml` per message into `dir`, each complete or not at all.
fn write_eml(dir: &Path, ready: &[Ready], report: &dyn Report) -> Result<(), Fail> {
    if ready.is_empty() {
        return Ok(());
    }
    let fail = |e: std::io::Error| output(format!("{}: {}", dir.display(), crate::os::reason(&e)));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let folder = crate::store::dir::Dir::open(dir).map_err(fail)?;
    for r in ready {
        let name = r.letter.path.rsplit('/').next().unwrap_or(&r.letter.path);
        let eml = format!("{}.eml", name.strip_suffix(".xlsx").unwrap_or(name));
        crate::store::replace::replace_files(&folder, &[(&eml, &r.message.formatted())]).map_err(
            |(name, e)| {
                output(format!(
                    "{}: {}",
                    dir.join(name).display(),
                    crate::os::reason(&e)
                ))
            },
        )?;
        report.note(&format!("wrote {}", dir.join(&eml).display()));
    }
    Ok(())
}

/// The SMTP password: `[mail] password_file`, else `PLAN_SMTP_PASSWORD`.
fn password(def: &MailDef, base: &Path) -> Result<Option<String>, Fail> {
    if let Some(f) = &def.password_file {
        let text = crate::os::read_text(&base.join(f), message::MAX_TEXT).map_err(|e| {
            input(format!(
                "[mail] password_file {f:?}: cannot read it: {}",
                crate::os::reason(&e)
            ))
        })?;
        let text = text.trim_end_matches(['\r', '\n']);
        return Ok(Some(text.to_string()).filter(|p| !p.is_empty()));
    }
    Ok(std::env::var(smtp::PASSWORD_VAR)
        .ok()
        .filter(|p| !p.is_empty()))
}

/// The bounds of each conversation with the server: `[mail] timeout_seconds`
/// and `deadline_seconds`, else the defaults.
fn limits(def: &MailDef) -> Result<smtp::Limits, Fail> {
    let default = smtp::Limits::default();
    let seconds = |key: &str, value: Option<u64>, or: std::time::Duration| match value {
        None => Ok(or),
        Some(0) => Err(input(format!(
            "[mail] {key} = 0: expected a number of seconds of at least 1"
        ))),
        Some(s) => Ok(std::time::Duration::from_secs(s)),
    };
    Ok(smtp::Limits {
        timeout: seconds("timeout_seconds", def.timeout_seconds, default.timeout)?,
        deadline: seconds("deadline_seconds", def.deadline_seconds, default.deadline)?,
    })
}

/// Messages in a row that fail without an answer from the server (refused
/// connections, timeouts), each after its retries, before the run gives up.
const GIVE_UP_AFTER: usize = 3;

/// Logs in once, then sends every message and logs each one the server accepts.
fn send(
    server: &Server,
    def: &MailDef,
    base: &Path,
    ready: &[Ready],
    log: &mut SentLog,
    report: &dyn Report,
) -> Result<(), Fail> {
    if ready.is_empty() {
        return Ok(());
    }
    let password = match &server.user {
        Some(_) => password(def, base)?.ok_or_else(|| {
            usage(format!(
                "--smtp names a user, so a password is needed: set {} or [mail] password_file",
                smtp::PASSWORD_VAR
            ))
        })?,
        None => String::new(),
    };
    let mailer = Mailer::new(server, password, limits(def)?).map_err(output)?;
    let place = format!("SMTP server {}:{}", server.host, server.port);
    mailer
        .check()
        .map_err(|e| output(format!("{place}: {e}; nothing was sent")))?;
    let log_path = log.path().to_path_buf();
    let not_sent = |n: usize, why: &str| {
        output(format!(
            "{place}: {n} of {} messages not sent{why}; a rerun sends only those (log: {})",
            ready.len(),
            log_path.display()
        ))
    };
    let (mut failed, mut unanswered) = (0, 0);
    for (i, r) in ready.iter().enumerate() {
        if let Err(e) = mailer.send(&r.message) {
            report.error(&format!(
                "{}: not sent to {}: {e}",
                r.letter.path, r.to.email
            ));
            failed += 1;
            unanswered = if e.answered() { 0 } else { unanswered + 1 };
            if unanswered == GIVE_UP_AFTER {
                let left = ready.len() - i - 1;
                return Err(not_sent(
                    failed + left,
                    &format!(" (the server stopped answering; {left} not tried)"),
                ));
            }
            continue;
        }
        unanswered = 0;
        let sent = Sent {
            rep_id: r.letter.rep_id.clone(),
            email: r.to.email.to_string(),
            path: r.letter.path.clone(),
            sha256: r.letter.sha256.clone(),
            sent_at: sent_log::now_rfc3339(),
        };
        log.append(&sent).map_err(|e| {
            output(format!(
                "{e}: {} was sent to {} but cannot be logged; stopped so that nothing is sent twice",
                r.letter.path, r.to.email
            ))
        })?;
        report.note(&format!("sent {} to {}", r.letter.path, r.to.email));
    }
    if failed > 0 {
        return Err(not_sent(failed, " (see above)"));
    }
    Ok(())
}
