//! The sent log of `plan mail`: one JSON line per message the SMTP server
//! accepted (rep, address, file and its SHA-256, time), so a rerun never sends
//! the same file to the same rep twice.
//!
//! `plan split` replaces the plan folder as a whole, so the log lives beside
//! it, as `.<folder name>.sent.jsonl`, and outlives re-plans: after a new
//! split, only the letters whose checksum changed are mailed again. A lock
//! file beside it, `.<folder name>.mail-lock`, keeps two runs from sending at once.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The most the sent log may hold (some five million lines).
const MAX_LOG: u64 = 1 << 30;

/// One message the server accepted. Never holds a password or the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    pub rep_id: String,
    pub email: String,
    pub path: String,
    pub sha256: String,
    /// When it was accepted, UTC, RFC 3339.
    pub sent_at: String,
}

/// The sent log of a plan folder, read, and appended to as messages go out.
#[derive(Debug)]
pub struct SentLog {
    path: PathBuf,
    sent: BTreeSet<(String, String)>,
    /// The reps sent any letter.
    reps: BTreeSet<String>,
    /// The length of the complete lines, when the last line was cut short by a crash.
    cut: Option<u64>,
}

/// A file beside the plan folder: `<parent>/.<name><suffix>`.
fn beside(plan_dir: &Path, suffix: &str) -> Result<PathBuf, String> {
    let dir = std::fs::canonicalize(plan_dir)
        .map_err(|e| format!("{}: {}", plan_dir.display(), crate::os::reason(&e)))?;
    match (dir.parent(), dir.file_name()) {
        (Some(parent), Some(name)) => {
            Ok(parent.join(format!(".{}{suffix}", name.to_string_lossy())))
        }
        _ => Err(format!(
            "{}: the sent log goes beside the plan folder, which needs a parent folder",
            plan_dir.display()
        )),
    }
}

impl SentLog {
    /// Reads the log of the plan folder `plan_dir` (empty when there is none yet).
    pub fn open(plan_dir: &Path) -> Result<SentLog, String> {
        let path = beside(plan_dir, ".sent.jsonl")?;
        let mut log = SentLog {
            path,
            sent: BTreeSet::new(),
            reps: BTreeSet::new(),
            cut: None,
        };
        let text = match crate::os::read_regular(&log.path, MAX_LOG) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(log),
            Err(e) => return Err(format!("{}: {}", log.path.display(), crate::os::reason(&e))),
        };
        let complete = text.ends_with('\n');
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Sent>(line) {
                Ok(s) => log.note(&s),
                // A last line cut short by a crash: that message is not known as sent.
                Err(_) if i + 1 == lines.len() && !complete => {
                    log.cut = Some(text.rfind('\n').map_or(0, |n| n as u64 + 1));
                }
                Err(e) => {
                    return Err(format!(
                        "{}, line {}: not a sent-log line: {e}",
                        log.path.display(),
                        i + 1
                    ))
                }
            }
        }
        Ok(log)
    }

    fn note(&mut self, s: &Sent) {
        self.sent.insert((s.rep_id.clone(), s.sha256.clone()));
        self.reps.insert(s.rep_id.clone());
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this file (by checksum) was already sent to this rep.
    pub fn was_sent(&self, rep_id: &str, sha256: &str) -> bool {
        self.sent
            .contains(&(rep_id.to_string(), sha256.to_string()))
    }

    /// Whether any letter was ever sent to this rep.
    pub fn knows(&self, rep_id: &str) -> bool {
        self.reps.contains(rep_id)
    }

    /// Records a message as sent: the line is on disk (synced) when this returns.
    pub fn append(&mut self, sent: &Sent) -> Result<(), String> {
        let mut line = serde_json::to_string(sent).map_err(|e| e.to_string())?;
        line.push('\n');
        let write = || -> std::io::Result<()> {
            let mut f = OpenOptions::new()
                .create(true)
                .append(true)
                .custom_flags(no_follow())
                .open(&self.path)?;
            // A line cut short by an earlier crash holds nothing readable: drop it.
            if let Some(len) = self.cut {
                f.set_len(len)?;
            }
            f.write_all(line.as_bytes())?;
            f.sync_data()
        };
        write().map_err(|e| format!("{}: {}", self.path.display(), crate::os::reason(&e)))?;
        self.cut = None;
        self.note(sent);
        Ok(())
    }
}

/// The current time, UTC, RFC 3339 to the second.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Held while a run sends from a plan folder: the operating system's lock on
/// `.<folder>.mail-lock`, released when dropped or when the process ends in
/// any way. The file stays (removing it would let a third run lock a new
/// file while a second one waits on the old).
#[derive(Debug)]
pub struct MailLock {
    _file: std::fs::File,
}

impl MailLock {
    /// Takes the lock of the plan folder, or says that another run holds it.
    pub fn take(plan_dir: &Path) -> Result<MailLock, String> {
        let path = beside(plan_dir, ".mail-lock")?;
        let fail = |e: std::io::Error| format!("{}: {}", path.display(), crate::os::reason(&e));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .custom_flags(no_follow())
            .open(&path)
            .map_err(fail)?;
        match file.try_lock() {
            Ok(()) => Ok(MailLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(format!(
                "another `plan mail` is sending from this plan folder (it holds the lock {}); try again when it has finished",
                path.display()
            )),
            Err(std::fs::TryLockError::Error(e)) => Err(fail(e)),
        }
    }
}

/// `O_NOFOLLOW`: the files beside the plan folder are never written through a link.
fn no_follow() -> i32 {
    rustix::fs::OFlags::NOFOLLOW.bits() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(rep: &str, sha: &str) -> Sent {
        Sent {
            rep_id: rep.into(),
            email: format!("{rep}@x.com"),
            path: format!("reps/{rep}.xlsx"),
            sha256: sha.into(),
            sent_at: now_rfc3339(),
        }
    }

    #[test]
    fn log_lives_beside_the_folder_and_survives_a_cut_line() {
        let dir = tempfile::tempdir().unwrap();
        let plan = dir.path().join("out");
        std::fs::create_dir(&plan).unwrap();
        let mut log = SentLog::open(&plan).unwrap();
        let parent = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(log.path(), parent.join(".out.sent.jsonl"));
        assert!(!log.knows("N1"));
        log.append(&sent("N1", "aa")).unwrap();
        // A crash in the middle of a line.
        let mut f = OpenOptions::new().append(true).open(log.path()).unwrap();
        f.write_all(b"{\"rep_id\":\"N2\",\"ema").unwrap();
        let mut log = SentLog::open(&plan).unwrap();
        assert!(log.was_sent("N1", "aa") && !log.was_sent("N1", "bb"));
        assert!(!log.knows("N2"));
        log.append(&sent("N2", "cc")).unwrap();
        let log = SentLog::open(&plan).unwrap();
        assert!(log.was_sent("N2", "cc") && log.knows("N1"));
        assert!(sent("N1", "aa").sent_at.ends_with('Z'));
    }

    #[test]
    fn a_bad_line_in_the_middle_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let plan = dir.path().join("out");
        std::fs::create_dir(&plan).unwrap();
        std::fs::write(dir.path().join(".out.sent.jsonl"), "garbage\n{}\n").unwrap();
        let e = SentLog::open(&plan).unwrap_err();
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn lock_is_exclusive_and_released_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let plan = dir.path().join("out");
        std::fs::create_dir(&plan).unwrap();
        let lock = MailLock::take(&plan).unwrap();
        let e = MailLock::take(&plan).unwrap_err();
        assert!(
            e.contains("another `plan mail`") && e.contains(".out.mail-lock"),
            "{e}"
        );
        drop(lock);
        // A lock file left by a run that is gone holds no lock.
        let _lock = MailLock::take(&plan).unwrap();
    }

    #[test]
    fn files_beside_the_folder_are_never_written_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let plan = dir.path().join("out");
        std::fs::create_dir(&plan).unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join(".out.mail-lock")).unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join(".out.sent.jsonl")).unwrap();
        assert!(MailLock::take(&plan).is_err());
        let e = SentLog::open(&plan).unwrap_err();
        assert!(e.contains("a symbolic link, not a regular file"), "{e}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "");
    }
}
