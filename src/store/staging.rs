//! Atomic output (SPEC §5): files are written to a temporary folder beside
//! `--out` and moved into place only when complete; a failed run leaves any
//! previous plan untouched, and at every instant `--out` is the old plan or
//! the new one (one `renameat2(RENAME_EXCHANGE)`).
//!
//! A run only ever replaces, moves or removes the files that the previous
//! plan's manifest lists: a plan folder that also holds other files gets the
//! new plan file by file (each file replaced atomically), and the others stay
//! where they are. Nothing is written through a symbolic link: every folder
//! is opened with [`Dir`], which refuses links.
//!
//! The replaced plan is kept as `.<out>.plan-spare` and becomes the next
//! run's temporary folder: writing over a file that exists is much cheaper for
//! the file system than creating thousands of new files and deleting as many
//! old ones on every run. A spare that holds anything but folders and regular
//! files with one link is discarded, not reused.

use crate::store::dir::{plain_parts, Dir, Kind};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Why the output could not be written (exit 4).
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("{out}: the folder holds files that are not a plan (no manifest.json); refusing to replace it")]
    Foreign { out: String },
    #[error("{out}: exists and is not a folder")]
    NotDir { out: String },
    #[error(
        "{out}: is a symbolic link; plan never writes through one (give the folder it points to)"
    )]
    Link { out: String },
    #[error("{out}: cannot be an output folder (it names no folder of its own, or resolves through itself)")]
    BadPath { out: String },
    #[error("{path}: is not a regular file written by plan; refusing to replace it (move it away, or use --force for a regular file)")]
    NotOurs { path: String },
    #[error("{out}: another plan run is writing this folder (lock {lock}); try again when it has finished")]
    Busy { out: String, lock: String },
    #[error("{path}: {source}; the folder now holds part of the new plan (files it does not list are untouched): run again")]
    Partial {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// `--out` resolved before anything is touched: a canonical parent folder
/// (links in it resolved) and the output folder's name in it.
#[derive(Debug, Clone)]
pub struct OutPath {
    parent: PathBuf,
    name: OsString,
}

impl OutPath {
    /// Resolves `out`. Its last part may not be a link, `.` or `..`; the
    /// parts of its parent that exist are resolved, the others are plain names.
    pub fn resolve(out: &Path) -> Result<OutPath, PersistError> {
        let bad = || PersistError::BadPath {
            out: out.display().to_string(),
        };
        let abs = std::env::current_dir()
            .map_err(io_err(Path::new(".")))?
            .join(crate::store::dir::without_trailing_slashes(out));
        if fs::symlink_metadata(&abs).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(PersistError::Link {
                out: out.display().to_string(),
            });
        }
        let canonical = match fs::canonicalize(&abs) {
            Ok(c) => c,
            Err(_) => {
                let (Some(parent), Some(name)) = (abs.parent(), abs.file_name()) else {
                    return Err(bad());
                };
                if out.ends_with("..") || out.as_os_str().to_string_lossy().ends_with("/.") {
                    return Err(bad());
                }
                canonical_prefix(parent).ok_or_else(bad)?.join(name)
            }
        };
        match (canonical.parent(), canonical.file_name()) {
            (Some(parent), Some(name)) => Ok(OutPath {
                parent: parent.to_path_buf(),
                name: name.to_os_string(),
            }),
            _ => Err(bad()),
        }
    }

    /// The output folder's path.
    pub fn path(&self) -> PathBuf {
        self.parent.join(&self.name)
    }

    /// `.<out name>.plan-<tag>`.
    fn sibling(&self, tag: &str) -> OsString {
        let mut s = OsString::from(".");
        s.push(&self.name);
        s.push(format!(".plan-{tag}"));
        s
    }

    /// The parent folder, made when missing.
    fn parent_dir(&self) -> Result<Dir, PersistError> {
        fs::create_dir_all(&self.parent).map_err(io_err(&self.parent))?;
        Dir::open(&self.parent).map_err(io_err(&self.parent))
    }
}

/// `path` with its longest existing ancestor resolved and the rest appended
/// (None when a missing part is `..`).
fn canonical_prefix(path: &Path) -> Option<PathBuf> {
    let mut rest = Vec::new();
    let mut p = path;
    loop {
        if let Ok(c) = fs::canonicalize(p) {
            return Some(
                rest.iter()
                    .rev()
                    .fold(c, |acc: PathBuf, part| acc.join(part)),
            );
        }
        let name = p.file_name()?;
        rest.push(name.to_os_string());
        p = p.parent()?;
    }
}

/// An exclusive lock on an output folder, held while a run writes it: two
/// overlapping runs (say, from cron) never interleave. The lock is the
/// operating system's on `.<out name>.plan-lock` beside the folder, so a killed
/// run releases it.
pub struct OutLock {
    _file: fs::File,
}

/// Takes the lock on `out`, or says that another run holds it.
pub fn lock(out: &OutPath) -> Result<OutLock, PersistError> {
    let parent = out.parent_dir()?;
    let name = out.sibling("lock");
    let path = out.parent.join(&name);
    let file = parent.write_file(&name).map_err(io_err(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(OutLock { _file: file }),
        Err(fs::TryLockError::WouldBlock) => Err(PersistError::Busy {
            out: out.path().display().to_string(),
            lock: path.display().to_string(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(io_err(&path)(e)),
    }
}

/// The previous plan's files and their SHA-256, from its manifest (empty when
/// there is none or it cannot be read). Paths that are not plain relative
/// paths are left out, so they are never touched.
pub fn previous_files(out: &OutPath) -> BTreeMap<String, String> {
    #[derive(serde::Deserialize)]
    struct Entry {
        path: String,
        sha256: String,
    }
    #[derive(serde::Deserialize)]
    struct Manifest {
        files: Vec<Entry>,
    }
    let mut text = Vec::new();
    let read = Dir::open(&out.path())
        .and_then(|d| d.read_file(OsStr::new("manifest.json")))
        .and_then(|f| {
            f.take(crate::folder::manifest::MAX_BYTES)
                .read_to_end(&mut text)
        });
    if read.is_err() {
        return BTreeMap::new();
    }
    serde_json::from_slice::<Manifest>(&text)
        .map(|m| {
            m.files
                .into_iter()
                .filter(|e| plain_parts(&e.path).is_ok_and(|p| !p.is_empty()))
                .map(|e| (e.path, e.sha256))
                .collect()
        })
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
pub fn out_state(out: &OutPath) -> Result<OutState, PersistError> {
    let shown = || out.path().display().to_string();
    let kind = Dir::open(&out.parent)
        .and_then(|d| d.kind(&out.name))
        .or_else(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Ok(Kind::Missing),
            _ => Err(e),
        })
        .map_err(io_err(&out.parent))?;
    match kind {
        Kind::Missing => Ok(OutState::Absent),
        Kind::File { .. } => Err(PersistError::NotDir { out: shown() }),
        Kind::Other => Err(PersistError::Link { out: shown() }),
        Kind::Dir => {
            let dir = Dir::open(&out.path()).map_err(io_err(&out.path()))?;
            if let Kind::File { .. } = dir
                .kind(OsStr::new("manifest.json"))
                .map_err(io_err(&out.path()))?
            {
                return Ok(OutState::Plan);
            }
            let mut entries = fs::read_dir(out.path()).map_err(io_err(&out.path()))?;
            Ok(if entries.next().is_none() {
                OutState::Empty
            } else {
                OutState::Foreign
            })
        }
    }
}

/// What `--out` holds, when a run may write it: a foreign folder is refused
/// unless `force`, a file or link always. Checked before the lock is taken,
/// so that a refused run leaves nothing beside `--out`.
pub fn writable_state(out: &OutPath, force: bool) -> Result<OutState, PersistError> {
    let state = out_state(out)?;
    if state == OutState::Foreign && !force {
        return Err(PersistError::Foreign {
            out: out.path().display().to_string(),
        });
    }
    Ok(state)
}

/// Removes temporary folders beside `out` left by runs whose process is gone.
fn remove_stale(out: &OutPath) {
    let Ok(entries) = fs::read_dir(&out.parent) else {
        return;
    };
    let prefix = out.sibling("tmp-").to_string_lossy().into_owned();
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let pid = file
            .strip_prefix(&prefix)
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid {
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

/// True when every entry under `root` is a folder or a regular file with a
/// single link: what plan itself leaves in a spare.
fn only_plain_entries(root: &Path) -> bool {
    let Ok(entries) = fs::read_dir(root) else {
        return false;
    };
    entries
        .flatten()
        .all(|e| match fs::symlink_metadata(e.path()) {
            Ok(m) if m.is_dir() => only_plain_entries(&e.path()),
            Ok(m) => {
                use std::os::unix::fs::MetadataExt;
                m.is_file() && m.nlink() == 1
            }
            Err(_) => false,
        })
}

/// The entries under `root` (relative, `/`-separated) that the previous plan
/// did not list: a user's files, links, or anything else plan did not write.
fn unlisted(root: &Path, rel: &str, listed: &BTreeMap<String, String>, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(root.join(rel)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        match e.file_type() {
            Ok(t) if t.is_dir() => unlisted(root, &path, listed, out),
            Ok(t) if t.is_file() && (path == "manifest.json" || listed.contains_key(&path)) => {}
            _ => out.push(path),
        }
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
    out: OutPath,
    parent: Dir,
    tmp_name: OsString,
    tmp: Dir,
    state: OutState,
    force: bool,
    /// The previous plan's files.
    previous: BTreeMap<String, String>,
    /// What `out` holds that the previous plan did not write.
    kept: Vec<String>,
    written: std::sync::Mutex<Vec<String>>,
    committed: bool,
}

impl Staging {
    /// Checks `out` (a foreign folder is refused unless `force`), removes stale
    /// temporary folders and opens a fresh temporary folder (the spare, when
    /// it holds only what plan leaves there).
    pub fn begin(out: &OutPath, force: bool) -> Result<Staging, PersistError> {
        let state = writable_state(out, force)?;
        let parent = out.parent_dir()?;
        remove_stale(out);
        let tmp_name = out.sibling(&format!("tmp-{}", std::process::id()));
        let tmp_path = out.parent.join(&tmp_name);
        let _ = fs::remove_dir_all(&tmp_path);
        let spare = out.sibling("spare");
        let reuse = parent.kind(&spare).is_ok_and(|k| k == Kind::Dir)
            && only_plain_entries(&out.parent.join(&spare))
            && parent.rename_new(&spare, &tmp_name).is_ok();
        if !reuse {
            let _ = fs::remove_dir_all(out.parent.join(&spare));
            let _ = parent.remove_file(&spare);
        }
        let tmp = parent.sub(&tmp_name, true).map_err(io_err(&tmp_path))?;
        let previous = previous_files(out);
        let mut kept = Vec::new();
        if state != OutState::Absent {
            unlisted(&out.path(), "", &previous, &mut kept);
        }
        Ok(Staging {
            out: out.clone(),
            parent,
            tmp_name,
            tmp,
            state,
            force,
            previous,
            kept,
            written: Default::default(),
            committed: false,
        })
    }

    /// What the output folder holds that plan did not write: left in place.
    pub fn kept(&self) -> &[String] {
        &self.kept
    }

    /// Removes what an earlier plan left in the temporary folder, then moves
    /// the finished files into place.
    pub fn commit(mut self) -> Result<(), PersistError> {
        let files = std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        let keep: std::collections::HashSet<&Path> = files.iter().map(Path::new).collect();
        let tmp_path = self.out.parent.join(&self.tmp_name);
        remove_unlisted(&tmp_path, Path::new(""), &keep).map_err(io_err(&tmp_path))?;
        self.tmp.sync().map_err(io_err(&tmp_path))?;
        self.install(&files)?;
        self.committed = true;
        Ok(())
    }

    fn install(&self, files: &[String]) -> Result<(), PersistError> {
        let (parent, tmp, name) = (
            &self.parent,
            self.tmp_name.as_os_str(),
            self.out.name.as_os_str(),
        );
        let err = io_err(&self.out.parent);
        match self.state {
            OutState::Absent => parent.rename_new(tmp, name).map_err(err),
            OutState::Empty => {
                if !parent
                    .exchange(tmp, name)
                    .map_err(io_err(&self.out.parent))?
                {
                    parent.remove_dir(name).map_err(io_err(&self.out.parent))?;
                    return parent.rename(tmp, parent, name).map_err(err);
                }
                parent.remove_dir(tmp).map_err(err)
            }
            OutState::Plan if self.kept.is_empty() => self.swap(),
            OutState::Plan | OutState::Foreign => self.file_by_file(files),
        }
    }

    /// Exchanges the temporary folder and the old plan in one step; the old
    /// plan becomes the spare.
    fn swap(&self) -> Result<(), PersistError> {
        let (parent, tmp, name) = (
            &self.parent,
            self.tmp_name.as_os_str(),
            self.out.name.as_os_str(),
        );
        let spare = self.out.sibling("spare");
        let _ = fs::remove_dir_all(self.out.parent.join(&spare));
        let err = || io_err(&self.out.parent);
        if parent.exchange(tmp, name).map_err(err())? {
            // The new plan is in place: the old one becomes the spare if it can.
            if parent.rename_new(tmp, &spare).is_err() {
                let _ = fs::remove_dir_all(self.out.parent.join(tmp));
            }
            return Ok(());
        }
        // No atomic exchange on this file system: two renames.
        parent.rename_new(name, &spare).map_err(err())?;
        if let Err(e) = parent.rename_new(tmp, name) {
            let _ = parent.rename_new(&spare, name);
            return Err(err()(e));
        }
        Ok(())
    }

    /// Moves each new file over its old copy (manifest.json last), removes
    /// the previous plan's files that the new one does not have, and leaves
    /// everything else in the folder where it is.
    fn file_by_file(&self, files: &[String]) -> Result<(), PersistError> {
        let out_path = self.out.path();
        let out = Dir::open(&out_path).map_err(io_err(&out_path))?;
        for rel in files {
            self.check_replaceable(&out, rel)?;
        }
        let mut order: Vec<&String> = files.iter().filter(|f| *f != "manifest.json").collect();
        order.extend(files.iter().filter(|f| *f == "manifest.json"));
        for (i, rel) in order.into_iter().enumerate() {
            let (dir, file) = split_rel(rel);
            let shown = out_path.join(rel).display().to_string();
            let moved = self.tmp.descend(dir, false).and_then(|from| {
                let to = out.descend(dir, true)?;
                from.rename(file, &to, file)
            });
            match moved {
                Err(source) if i > 0 => {
                    return Err(PersistError::Partial {
                        path: shown,
                        source,
                    })
                }
                Err(source) => {
                    return Err(PersistError::Io {
                        path: shown,
                        source,
                    })
                }
                Ok(()) => {}
            }
        }
        let now: BTreeSet<&str> = files.iter().map(String::as_str).collect();
        for rel in self.previous.keys().filter(|p| !now.contains(p.as_str())) {
            let (dir, file) = split_rel(rel);
            if let Ok(d) = out.descend(dir, false) {
                if let Ok(Kind::File { .. }) = d.kind(file) {
                    d.remove_file(file)
                        .map_err(|source| PersistError::Partial {
                            path: out_path.join(rel).display().to_string(),
                            source,
                        })?;
                }
            }
        }
        let _ = fs::remove_dir_all(self.out.parent.join(&self.tmp_name));
        Ok(())
    }

    /// A file of the new plan may replace a regular file that the previous
    /// plan wrote (or any regular file with `--force`), never anything else.
    fn check_replaceable(&self, out: &Dir, rel: &str) -> Result<(), PersistError> {
        let (dir, file) = split_rel(rel);
        let not_ours = || PersistError::NotOurs {
            path: self.out.path().join(rel).display().to_string(),
        };
        let kind = match out.descend(dir, false) {
            Ok(d) => d.kind(file).map_err(|_| not_ours())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Kind::Missing,
            Err(_) => return Err(not_ours()),
        };
        let ours = rel == "manifest.json" || self.previous.contains_key(rel);
        match kind {
            Kind::Missing => Ok(()),
            Kind::File { .. } if ours || self.force => Ok(()),
            _ => Err(not_ours()),
        }
    }
}

/// A relative path's folder part and file name.
fn split_rel(rel: &str) -> (&str, &OsStr) {
    match rel.rsplit_once('/') {
        Some((dir, file)) => (dir, OsStr::new(file)),
        None => ("", OsStr::new(rel)),
    }
}

/// Writes `file` over its old bytes without first emptying it: blocks are
/// freed only past the new end, so the file system (which may discard freed
/// blocks on the device at once) does little work.
fn overwrite(mut file: fs::File, fill: &mut Fill) -> std::io::Result<()> {
    fill(&mut file)?;
    let end = file.stream_position()?;
    if file.metadata()?.len() != end {
        file.set_len(end)?;
    }
    Ok(())
}

/// Removes every entry under `root/rel` whose path is not in `keep`, and the
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
        let (dir, file) = split_rel(rel);
        let shown = self.out.parent.join(&self.tmp_name).join(rel);
        let file = self
            .tmp
            .descend(dir, true)
            .and_then(|d| d.write_file(file))
            .map_err(io_err(&shown))?;
        overwrite(file, fill).map_err(io_err(&shown))?;
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(rel.to_string());
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed
            && self
                .parent
                .rename_new(&self.tmp_name, &self.out.sibling("spare"))
                .is_err()
        {
            let _ = fs::remove_dir_all(self.out.parent.join(&self.tmp_name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manifest listing `files`.
    fn manifest(files: &[&str]) -> Vec<u8> {
        let files: Vec<_> = files
            .iter()
            .map(|f| serde_json::json!({"path": f, "sha256": ""}))
            .collect();
        serde_json::json!({ "files": files })
            .to_string()
            .into_bytes()
    }

    fn write_plan(out: &Path, v: &str, force: bool) -> Result<(), PersistError> {
        let stage = Staging::begin(&OutPath::resolve(out).unwrap(), force)?;
        stage.put("manifest.json", &manifest(&["reps/a.txt"]))?;
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
        let dropped = Staging::begin(&OutPath::resolve(&out).unwrap(), false).unwrap();
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
        let stage = Staging::begin(&OutPath::resolve(&out).unwrap(), false).unwrap();
        let files = ["reps/a.txt", "reps/gone.txt", "periods/q.txt"];
        stage.put("manifest.json", &manifest(&files)).unwrap();
        for f in files {
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
        let stage = Staging::begin(&OutPath::resolve(&out).unwrap(), false).unwrap();
        stage
            .put("manifest.json", &manifest(&["plan.csv"]))
            .unwrap();
        stage.put("plan.csv", &big).unwrap();
        stage.commit().unwrap();
        let stage = Staging::begin(&OutPath::resolve(&out).unwrap(), false).unwrap();
        stage
            .put("manifest.json", &manifest(&["plan.csv"]))
            .unwrap();
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
        let stage = Staging::begin(&OutPath::resolve(&out).unwrap(), false).unwrap();
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
