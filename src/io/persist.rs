//! Atomic output (SPEC §5): files are written to a temporary folder beside
//! `--out` and moved into place only when complete; a failed run leaves any
//! previous plan untouched.
//!
//! The replaced plan is kept as `.<out>.plan-spare` and becomes the next
//! run's temporary folder: writing over a file that exists is much cheaper for
//! the file system than creating thousands of new files and deleting as many
//! old ones on every run.

use std::fs;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

/// Why the output could not be written (exit 4).
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("{out}: the folder holds files that are not a plan (no manifest.json); refusing to replace it")]
    Foreign { out: String },
    #[error("{out}: exists and is not a folder")]
    NotDir { out: String },
    #[error("{out}: another plan run is writing this folder (lock {lock}); try again when it has finished")]
    Busy { out: String, lock: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// An exclusive lock on an output folder, held while a run writes it: two
/// overlapping runs (say, from cron) never interleave. The lock is the
/// operating system's on `.<out name>.plan-lock` beside the folder, so a killed
/// run releases it.
pub struct OutLock {
    _file: fs::File,
}

/// Takes the lock on `out`, or says that another run holds it.
pub fn lock(out: &Path) -> Result<OutLock, PersistError> {
    let parent = parent_of(out);
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let path = parent.join(sibling_named(out, "lock").file_name().unwrap_or_default());
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_err(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(OutLock { _file: file }),
        Err(fs::TryLockError::WouldBlock) => Err(PersistError::Busy {
            out: out.display().to_string(),
            lock: path.display().to_string(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(io_err(&path)(e)),
    }
}

/// The previous plan's files and their SHA-256, from its manifest (empty when there is none).
pub fn previous_files(out: &Path) -> std::collections::BTreeMap<String, String> {
    #[derive(serde::Deserialize)]
    struct Entry {
        path: String,
        sha256: String,
    }
    #[derive(serde::Deserialize)]
    struct Manifest {
        files: Vec<Entry>,
    }
    let text = fs::read(out.join("manifest.json")).unwrap_or_default();
    serde_json::from_slice::<Manifest>(&text)
        .map(|m| m.files.into_iter().map(|e| (e.path, e.sha256)).collect())
        .unwrap_or_default()
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + '_ {
    move |source| PersistError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What `--out` holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutState {
    Absent,
    Empty,
    /// A folder holding `manifest.json`.
    Plan,
    Foreign,
}

/// Looks at `--out`.
pub fn out_state(out: &Path) -> Result<OutState, PersistError> {
    match fs::metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(OutState::Absent),
        Err(e) => Err(io_err(out)(e)),
        Ok(m) if !m.is_dir() => Err(PersistError::NotDir {
            out: out.display().to_string(),
        }),
        Ok(_) => {
            if out.join("manifest.json").is_file() {
                return Ok(OutState::Plan);
            }
            let mut entries = fs::read_dir(out).map_err(io_err(out))?;
            Ok(if entries.next().is_none() {
                OutState::Empty
            } else {
                OutState::Foreign
            })
        }
    }
}

fn sibling(out: &Path, tag: &str, pid: u32) -> PathBuf {
    sibling_named(out, &format!("{tag}-{pid}"))
}

/// `.<out name>.plan-<tag>` beside `out`.
fn sibling_named(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    out.with_file_name(format!(".{name}.plan-{tag}"))
}

/// Removes temporary folders beside `out` left by runs whose process is gone.
pub fn remove_stale(out: &Path) {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = parent_of(out);
    let Ok(entries) = fs::read_dir(&parent) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let pid = file
            .strip_prefix(&format!(".{name}.plan-tmp-"))
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid {
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes a file's bytes, piece by piece, to the writer it is given.
pub type Fill<'a> = dyn FnMut(&mut dyn Write) -> std::io::Result<()> + 'a;

/// Where rendered files go, one at a time, from any thread.
pub trait Sink: Sync {
    /// Stores one file under its relative `/`-separated path, its bytes
    /// written by `fill` (so that a large file is never whole in memory). The
    /// writer may be unbuffered: `fill` writes in large pieces.
    fn put_with(&self, rel: &str, fill: &mut Fill) -> Result<(), PersistError>;
    /// Stores one file made in memory.
    fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), PersistError> {
        self.put_with(rel, &mut |w| w.write_all(bytes))
    }
    /// Told, before the first file, how many files are coming.
    fn expect(&self, _files: usize) {}
}

/// A sink that keeps nothing (`--dry-run`).
pub struct Discard;

impl Sink for Discard {
    fn put_with(&self, rel: &str, fill: &mut Fill) -> Result<(), PersistError> {
        fill(&mut std::io::sink()).map_err(|source| PersistError::Io {
            path: rel.to_string(),
            source,
        })
    }
}

/// A plan folder being written: files go to a temporary folder beside `out`
/// as they are rendered (so memory holds none of them for long), and
/// [`Staging::commit`] moves them into place. Dropped without a commit, the
/// temporary folder becomes the spare again and `out` is untouched.
pub struct Staging {
    out: PathBuf,
    tmp: PathBuf,
    state: OutState,
    written: std::sync::Mutex<Vec<String>>,
    /// Folders of `tmp` known to exist.
    dirs: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    committed: bool,
}

impl Staging {
    /// Checks `out` (a foreign folder is refused unless `force`), removes stale
    /// temporary folders and opens a fresh temporary folder.
    pub fn begin(out: &Path, force: bool) -> Result<Staging, PersistError> {
        let state = out_state(out)?;
        if state == OutState::Foreign && !force {
            return Err(PersistError::Foreign {
                out: out.display().to_string(),
            });
        }
        let parent = parent_of(out);
        fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        remove_stale(out);
        let tmp = sibling(out, "tmp", std::process::id());
        let _ = fs::remove_dir_all(&tmp);
        let spare = sibling_named(out, "spare");
        if !fs::symlink_metadata(&spare).is_ok_and(|m| m.is_dir())
            || fs::rename(&spare, &tmp).is_err()
        {
            let _ = fs::remove_file(&spare);
            fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
        }
        Ok(Staging {
            out: out.to_path_buf(),
            tmp,
            state,
            written: Default::default(),
            dirs: Default::default(),
            committed: false,
        })
    }

    /// Removes what an earlier plan left in the temporary folder, then moves
    /// the finished files into place.
    pub fn commit(mut self) -> Result<(), PersistError> {
        let files = std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        let keep: std::collections::HashSet<&Path> = files.iter().map(Path::new).collect();
        remove_unlisted(&self.tmp, Path::new(""), &keep).map_err(io_err(&self.tmp))?;
        let dir = fs::File::open(&self.tmp).map_err(io_err(&self.tmp))?;
        dir.sync_all().map_err(io_err(&self.tmp))?;
        install(&self.out, &self.tmp, self.state, &files)?;
        self.committed = true;
        Ok(())
    }
}

/// Writes the file at `path` (created if missing) over its old bytes without
/// first emptying it: blocks are freed only past the new end, so the file
/// system (which may discard freed blocks on the device at once) does little
/// work.
fn overwrite(path: &Path, fill: &mut Fill) -> std::io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    fill(&mut file)?;
    let end = file.stream_position()?;
    if file.metadata()?.len() != end {
        file.set_len(end)?;
    }
    Ok(())
}

/// Removes every file under `root/rel` whose path is not in `keep`, and the
/// folders left empty.
fn remove_unlisted(
    root: &Path,
    rel: &Path,
    keep: &std::collections::HashSet<&Path>,
) -> std::io::Result<()> {
    for e in fs::read_dir(root.join(rel))? {
        let e = e?;
        let path = rel.join(e.file_name());
        if e.file_type()?.is_dir() {
            remove_unlisted(root, &path, keep)?;
            if fs::read_dir(root.join(&path))?.next().is_none() {
                fs::remove_dir(root.join(&path))?;
            }
        } else if !keep.contains(path.as_path()) {
            fs::remove_file(root.join(&path))?;
        }
    }
    Ok(())
}

impl Sink for Staging {
    fn put_with(&self, rel: &str, fill: &mut Fill) -> Result<(), PersistError> {
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent() {
            let mut dirs = self.dirs.lock().unwrap_or_else(|e| e.into_inner());
            if !dirs.contains(dir) {
                fs::create_dir_all(dir).map_err(io_err(dir))?;
                dirs.insert(dir.to_path_buf());
            }
        }
        overwrite(&path, fill).map_err(io_err(&path))?;
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(rel.to_string());
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed && fs::rename(&self.tmp, sibling_named(&self.out, "spare")).is_err() {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

fn install(out: &Path, tmp: &Path, state: OutState, files: &[String]) -> Result<(), PersistError> {
    match state {
        OutState::Absent => fs::rename(tmp, out).map_err(io_err(out)),
        OutState::Empty => {
            fs::remove_dir(out).map_err(io_err(out))?;
            fs::rename(tmp, out).map_err(io_err(out))
        }
        OutState::Plan => {
            let spare = sibling_named(out, "spare");
            let _ = fs::remove_dir_all(&spare);
            fs::rename(out, &spare).map_err(io_err(out))?;
            if let Err(e) = fs::rename(tmp, out) {
                let _ = fs::rename(&spare, out);
                return Err(io_err(out)(e));
            }
            Ok(())
        }
        OutState::Foreign => {
            for rel in files {
                let (from, to) = (tmp.join(rel), out.join(rel));
                if let Some(dir) = to.parent() {
                    fs::create_dir_all(dir).map_err(io_err(dir))?;
                }
                fs::rename(&from, &to).map_err(io_err(&to))?;
            }
            let _ = fs::remove_dir_all(tmp);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_plan(out: &Path, v: &str, force: bool) -> Result<(), PersistError> {
        let stage = Staging::begin(out, force)?;
        stage.put("manifest.json", b"{}")?;
        stage.put("reps/a.txt", v.as_bytes())?;
        stage.commit()
    }

    #[test]
    fn replaces_a_plan_folder_and_refuses_a_foreign_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write_plan(&out, "one", false).unwrap();
        write_plan(&out, "two", false).unwrap();
        assert_eq!(fs::read_to_string(out.join("reps/a.txt")).unwrap(), "two");
        let foreign = dir.path().join("mine");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("notes.txt"), "keep").unwrap();
        assert!(matches!(
            write_plan(&foreign, "x", false),
            Err(PersistError::Foreign { .. })
        ));
        write_plan(&foreign, "x", true).unwrap();
        assert_eq!(
            fs::read_to_string(foreign.join("notes.txt")).unwrap(),
            "keep"
        );
        assert_eq!(fs::read_to_string(foreign.join("reps/a.txt")).unwrap(), "x");
        let dropped = Staging::begin(&out, false).unwrap();
        dropped.put("plan.csv", b"half").unwrap();
        drop(dropped);
        assert_eq!(
            fs::read_to_string(out.join("reps/a.txt")).unwrap(),
            "two",
            "an uncommitted run changes nothing"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert_eq!(leftovers, [".out.plan-spare"], "only the spare is left");
    }

    #[test]
    fn files_of_an_older_plan_in_the_spare_never_reach_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let stage = Staging::begin(&out, false).unwrap();
        for f in [
            "manifest.json",
            "reps/a.txt",
            "reps/gone.txt",
            "periods/q.txt",
        ] {
            stage.put(f, b"one, longer than the next").unwrap();
        }
        stage.commit().unwrap();
        write_plan(&out, "two", false).unwrap();
        write_plan(&out, "three", false).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("reps/a.txt")).unwrap(),
            "three",
            "written over a longer file of the spare"
        );
        assert!(!out.join("reps/gone.txt").exists());
        assert!(!out.join("periods").exists(), "emptied folders go too");
        let spare = dir.path().join(".out.plan-spare");
        assert_eq!(fs::read_to_string(spare.join("reps/a.txt")).unwrap(), "two");
    }

    #[test]
    fn a_file_written_in_pieces_is_whole_and_a_failed_one_stops_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let stage = Staging::begin(&out, false).unwrap();
        stage.put("manifest.json", b"{}").unwrap();
        stage.put("plan.csv", &big).unwrap();
        stage.commit().unwrap();
        let stage = Staging::begin(&out, false).unwrap();
        stage.put("manifest.json", b"{}").unwrap();
        stage
            .put_with("plan.csv", &mut |w| {
                for chunk in big[..150_001].chunks(7_000) {
                    w.write_all(chunk)?;
                }
                Ok(())
            })
            .unwrap();
        stage.commit().unwrap();
        assert_eq!(fs::read(out.join("plan.csv")).unwrap(), &big[..150_001]);
        let stage = Staging::begin(&out, false).unwrap();
        let failed = stage.put_with("plan.csv", &mut |w| {
            w.write_all(b"start")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(matches!(failed, Err(PersistError::Io { .. })));
        drop(stage);
        assert_eq!(fs::read(out.join("plan.csv")).unwrap(), &big[..150_001]);
    }

    #[test]
    fn stale_temporary_folders_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let stale = dir.path().join(".out.plan-tmp-999999999");
        fs::create_dir(&stale).unwrap();
        write_plan(&out, "one", false).unwrap();
        assert!(!stale.exists());
    }
}
