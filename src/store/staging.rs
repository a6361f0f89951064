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
//!
//! The output path, its lock and the sinks live in `out_path`, `lock` and
//! `sink`; they are re-exported here, where the commands reach them.

use crate::store::dir::{Dir, Kind};
pub use crate::store::lock::{lock, OutLock};
pub use crate::store::out_path::{out_state, previous_files, writable_state, OutPath, OutState};
use crate::store::sink::io_err;
pub use crate::store::sink::{Discard, Fill, PersistError, Sink};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Seek;
use std::path::Path;

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
